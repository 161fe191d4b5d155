import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
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

        this.outputs = {
            environment: cfg.environment,
            region: cfg.region,
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            publicSubnetIds: this.network.publicSubnetIds,
            isolatedSubnetIds: this.network.isolatedSubnetIds,
        };
        this.registerOutputs(this.outputs);
    }
}
