import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { DataTier } from "./data-tier";
import { KmsKeys } from "./keys";
import { Network } from "./network";

export interface EnvironmentStackArgs {
    config: StackConfig;
}

/**
 * One whole environment: keys, network, data tier, compute, traffic, edge, access and monitoring,
 * composed from the stack config. `index.ts` creates exactly one and exports its outputs.
 */
export class EnvironmentStack extends pulumi.ComponentResource {
    readonly keys: KmsKeys;
    readonly network: Network;
    /** Database, cache, buckets, secrets and parameters; the compute tier calls `data.forService(name)`. */
    readonly data: DataTier;
    /** dr only: the prod stack (`tms:primaryStack`). Reuse it; a second StackReference of the same name would collide. */
    readonly primary?: pulumi.StackReference;
    /** Everything the stack exports (rollout scripts and the dr stack read these). */
    readonly outputs: Record<string, pulumi.Input<any>>;

    constructor(name: string, args: EnvironmentStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:index:EnvironmentStack", name, {}, opts);
        const cfg = args.config;
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const protect = cfg.protectStatefulResources;

        this.keys = new KmsKeys(`${name}-keys`, {
            environment: cfg.environment,
            region: cfg.region,
            accountId: identity.accountId,
            protect,
        }, { parent: this });

        this.network = new Network(`${name}-network`, {
            environment: cfg.environment,
            region: cfg.region,
            ...cfg.network,
            logsKeyArn: this.keys.arn("logs"),
            servicePorts: Object.fromEntries(cfg.services.map((s) => [s.name, s.port])),
            publicServices: cfg.services.filter((s) => s.public).map((s) => s.name),
            testListenerPort: cfg.traffic.testListenerPort,
            testListenerCidrs: cfg.traffic.testListenerCidrs,
        }, { parent: this });

        // dr reads prod's data outputs (global cluster, master password, replica bucket) by StackReference.
        const primary = cfg.primaryStack ? new pulumi.StackReference(cfg.primaryStack, {}, { parent: this }) : undefined;
        this.primary = primary;
        this.data = new DataTier(`${name}-data`, {
            config: cfg,
            network: this.network,
            keys: this.keys,
            accountId: identity.accountId,
            primary: primary && cfg.database.globalCluster === "secondary" ? {
                globalClusterId: primary.requireOutput("globalClusterId"),
                databaseMasterPassword: pulumi.secret(primary.requireOutput("databaseMasterPassword")),
                replicaBucketName: primary.requireOutput("replicaBucketName"),
                replicaBucketArn: primary.requireOutput("replicaBucketArn"),
                replicaBucketKeyArn: primary.requireOutput("replicaBucketKeyArn"),
            } : undefined,
        }, { parent: this });

        this.outputs = {
            environment: cfg.environment,
            region: cfg.region,
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            publicSubnetIds: this.network.publicSubnetIds,
            isolatedSubnetIds: this.network.isolatedSubnetIds,
            ...this.data.outputs,
        };
        this.registerOutputs(this.outputs);
    }
}
