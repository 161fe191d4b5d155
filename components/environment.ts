import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessRoles } from "./access";
import { regionalProvider } from "./aws-provider";
import { ContentDelivery } from "./cdn";
import { EcsCluster } from "./cluster";
import type { StackConfig } from "../config/stack-config";
import type { Colour } from "../config/vocabulary";
import type { DeployedRelease } from "../config/release";
import { rolloutOutputProblems, type RolloutOutputInputs } from "../config/stack-outputs";
import { DataTier, type DataTierTransforms } from "./data-tier";
import {
    accessSettings,
    cdnSettings,
    clusterSettings,
    colourReleases,
    type ColourRelease,
    configOutputs,
    dataTierSettings,
    failoverSettings,
    hostedZoneLookup,
    keysSettings,
    monitoringSettings,
    networkSettings,
    pushedRepositoryArns,
    registrySettings,
    rolloutLockSettings,
    serviceSettings,
    trafficSettings,
    workloadBoundarySettings,
} from "./from-config";
import { RegionalFailover } from "./dns";
import { KmsKeys } from "./keys";
import { KmsKeyPolicies } from "./key-policies";
import { LogBucketPolicy } from "./log-bucket-policy";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import type { PrimaryOutputs } from "./primary";
import { ContainerRegistry } from "./registry";
import { RolloutLockTable } from "./rollout-lock";
import { ApplicationService, ColourSettings } from "./service";
import type { FargateColourServiceTransforms } from "./colour-service";
import { protectOutsideServingPath } from "./protection";
import { PublicTraffic, type PublicTrafficArgs } from "./traffic";
import { WorkloadBoundary } from "./workload-boundary";

/** The children of an `EnvironmentStack` a user can adjust (each component's own transforms). */
export interface EnvironmentStackTransforms extends DataTierTransforms {
    /**
     * Every service's colour services (`FargateColourService`): task definitions, ECS services, Cloud Map entries.
     * @default none (the args as computed)
     */
    colourService?: FargateColourServiceTransforms;
    /**
     * The ALB, its target groups and listeners (`PublicTraffic`).
     * @default none (the args as computed)
     */
    traffic?: PublicTrafficArgs["transform"];
}

export interface EnvironmentStackArgs {
    /**
     * The whole validated stack config (`loadStackConfig`): components/from-config.ts maps it to each
     * component's Args. Plain: it decides which resources exist.
     */
    config: StackConfig;
    /**
     * dr only: prod's outputs, read (and checked) through `tms:primaryStack`.
     * @default none (required when `config.dr.role` is `secondary`)
     */
    primary?: PrimaryOutputs;
    /**
     * The Pulumi state backend CI uses when it runs `pulumi up` as the deployment role: the S3 state
     * bucket and the secrets-provider KMS key. Without them the role gets no state-backend access
     * (e.g. when CI uses Pulumi Cloud with its own token).
     * @default `tms:access.stateBucketArn` and `tms:access.secretsProviderKeyArn`
     */
    stateBackend?: {
        /**
         * ARN of the S3 state bucket.
         * @default `tms:access.stateBucketArn`
         */
        bucketArn?: pulumi.Input<string>;
        /**
         * ARN of the secrets-provider KMS key.
         * @default `tms:access.secretsProviderKeyArn`
         */
        secretsProviderKeyArn?: pulumi.Input<string>;
    };
    /**
     * The release this update records as the `release` output (index.ts judges its revision).
     * @default the config's traffic (`tms:deployment`)
     */
    release?: DeployedRelease;
    /**
     * Adjust the args of the children a library user tunes: database, cache, buckets, colour services,
     * traffic (components/transform.ts).
     * @default none: every child as computed from the config
     */
    transform?: EnvironmentStackTransforms;
}

export { rolloutTableName } from "../config/naming";

/**
 * One whole environment: keys, network, data tier, compute, traffic, edge, DNS failover, access and
 * monitoring. The project's root component, and the one composition that takes the validated
 * `StackConfig`: components/from-config.ts maps the config to each child's Args, and the constructor only
 * wires one child's outputs into another's Args. Of the config it reads itself only its own two switches:
 * `protectStatefulResources` (its protection transformation) and the DR role (dr needs `primary`).
 * `index.ts` creates exactly one and exports its outputs.
 */
export class EnvironmentStack extends pulumi.ComponentResource {
    readonly keys: KmsKeys;
    /** The keys' policies, naming the roles that use each key (built last). */
    readonly keyPolicies: KmsKeyPolicies;
    /** The permissions boundary every role AWS services assume for this stack carries. */
    readonly workloadBoundary: WorkloadBoundary;
    readonly network: Network;
    /** Database, cache, buckets, secrets and parameters; services get `data.forService(name)`. */
    readonly data: DataTier;
    readonly registry: ContainerRegistry;
    readonly cluster: EcsCluster;
    readonly traffic: PublicTraffic;
    readonly services: Record<string, ApplicationService> = {};
    /** Prod only (`tms:cdn.enabled`). */
    readonly cdn?: ContentDelivery;
    /** Prod (PRIMARY) and dr (SECONDARY). */
    readonly failover?: RegionalFailover;
    readonly monitoring: Monitoring;
    readonly access: AccessRoles;
    /** The rollout CLI's lease and progress (one rollout per stack at a time). */
    readonly rolloutLock: RolloutLockTable;
    /** Everything the stack exports (rollout scripts and the dr stack read these). */
    readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: EnvironmentStackArgs, opts?: pulumi.ComponentResourceOptions) {
        // A protected stack protects everything but the serving path (components/protection.ts).
        super("tms:index:EnvironmentStack", name, {}, args.config.protectStatefulResources
            ? { ...opts, transformations: [...(opts?.transformations ?? []), protectOutsideServingPath] }
            : opts);
        const cfg = args.config;
        const primary = args.primary;
        if (cfg.dr.role === "secondary" && !primary) throw new Error(
            "EnvironmentStack: the dr stack needs the primary stack's outputs (args.primary)"
        );
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const t = args.transform;

        this.keys = new KmsKeys(`${name}-keys`, { ...keysSettings(cfg), accountId }, { parent: this });
        const logsKeyArn = this.keys.arn("logs");

        this.workloadBoundary = new WorkloadBoundary(`${name}-workload-boundary`, workloadBoundarySettings(cfg), { parent: this });
        const permissionsBoundaryArn = this.workloadBoundary.arn;

        this.network = new Network(`${name}-network`, {
            ...networkSettings(cfg),
            logsKeyArn,
            accountId,
            permissionsBoundaryArn,
        }, { parent: this });

        this.data = new DataTier(`${name}-data`, {
            ...dataTierSettings(cfg),
            network: this.network,
            keys: this.keys,
            accountId,
            permissionsBoundaryArn,
            transform: t && { database: t.database, cache: t.cache, storage: t.storage },
            primary: primary && {
                globalClusterId: primary.globalClusterId,
                databaseUserCredentials: primary.databaseUserCredentials,
                replicaBucketName: primary.replicaBucketName,
                replicaBucketArn: primary.replicaBucketArn,
                replicaBucketKeyArn: primary.replicaBucketKeyArn,
            },
        }, { parent: this });

        this.registry = new ContainerRegistry(`${name}-registry`, {
            ...registrySettings(cfg),
            accountId,
            kmsKeyArn: this.keys.arn("storage"),
        }, { parent: this });

        this.cluster = new EcsCluster(`${name}-cluster`, {
            ...clusterSettings(cfg),
            vpcId: this.network.vpcId,
            logsKeyArn,
        }, { parent: this });

        const zone = aws.route53.getZoneOutput(hostedZoneLookup(cfg), { parent: this });
        const cdn = cdnSettings(cfg);
        if (cdn) {
            this.cdn = new ContentDelivery(`${name}-cdn`, {
                ...cdn,
                hostedZoneId: zone.zoneId,
                // With the CDN on, the data tier keeps the stack's buckets (config validation).
                accessLogBucket: this.data.storage!.logBucketName,
                logsKeyArn,
            }, { parent: this });
        }
        // The storage log bucket receives the static bucket's access logs too: its one policy, built now that
        // both exist, grants both.
        if (this.cdn && this.data.storage) {
            const storage = this.data.storage;
            new LogBucketPolicy(storage.logBucket.name, {
                bucket: storage.logBucket,
                accountId,
                sources: [storage.bucketArn, this.cdn.staticBucketArn],
            }, { parent: this });
        }
        // Behind the CDN (prod, and dr which takes prod's traffic through the same distribution), the
        // ALB requires the CDN's secret header.
        const originVerifyHeader = this.cdn?.originVerifyHeader ?? primary?.originVerifyHeader;

        this.traffic = new PublicTraffic(`${name}-traffic`, {
            ...trafficSettings(cfg),
            vpcId: this.network.vpcId,
            publicSubnetIds: this.network.publicSubnetIds,
            securityGroupId: this.network.securityGroupIds.alb,
            accountId,
            originVerifyHeader,
            transform: t?.traffic,
        }, { parent: this });

        const failover = failoverSettings(cfg, accountId);
        if (failover) {
            const switchRegion = failover.drSwitch.region;
            this.failover = new RegionalFailover(`${name}-failover`, {
                ...failover,
                hostedZoneId: zone.zoneId,
                loadBalancerDnsName: this.traffic.dnsName,
                loadBalancerZoneId: this.traffic.zoneId,
                // prod reaches its fence's alarm, in the dr region, through a provider there.
                drSwitch: switchRegion === failover.region
                    ? failover.drSwitch
                    : { ...failover.drSwitch, provider: regionalProvider(`${name}-dr-region`, switchRegion, this) },
            }, { parent: this });
        }

        for (const svc of cfg.services) {
            const colours: Partial<Record<Colour, ColourSettings>> = {};
            for (const [colour, release] of Object.entries(colourReleases(cfg, svc)) as [Colour, ColourRelease][]) {
                colours[colour] = {
                    image: this.registry.image(svc.name, release.image),
                    running: release.running,
                    // Public services only: the ALB has target groups for those.
                    targetGroupArn: this.traffic.targetGroupArns[svc.name]?.[colour],
                    securityGroupId: this.network.servicesSecurityGroupIds[colour]!,
                };
            }
            this.services[svc.name] = new ApplicationService(`${name}-${svc.name}`, {
                ...serviceSettings(cfg, svc),
                accountId,
                colours,
                clusterArn: this.cluster.clusterArn,
                clusterName: this.cluster.clusterName,
                namespaceId: this.cluster.namespaceId,
                repositoryArn: this.registry.repositoryArns[svc.name],
                data: this.data.forService(svc.name),
                secretsKeyArn: this.data.secretsKeyArn,
                storageKeyArn: this.data.bucketKeyArn,
                logsKeyArn,
                subnetIds: this.network.privateSubnetIds,
                execLogGroupArn: this.cluster.execLogGroupArn,
                permissionsBoundaryArn,
                transform: t?.colourService && { colourService: t.colourService },
            }, { parent: this });
        }
        const services = Object.values(this.services);
        const ecsServiceNames = Object.fromEntries(Object.entries(this.services).map(([n, s]) => [n, s.serviceNames]));
        const repositoryArns = pushedRepositoryArns(cfg, this.registry.repositoryArns);

        const monitoring = monitoringSettings(cfg);
        this.monitoring = new Monitoring(`${name}-monitoring`, {
            ...monitoring,
            topicKeyArn: logsKeyArn,
            accountId,
            loadBalancerArnSuffix: this.traffic.loadBalancerArnSuffix,
            clusterName: this.cluster.clusterName,
            targetGroupArnSuffixes: this.traffic.targetGroupArnSuffixes,
            ecsServiceNames,
            repositoryArns,
            database: { ...monitoring.database, clusterIdentifier: this.data.database.clusterIdentifier },
            cache: { ...monitoring.cache, replicationGroupId: this.data.cache.replicationGroupId },
        }, { parent: this });

        // The lock table's key; the deployment role, its only caller, may use it through DynamoDB for this table.
        const rolloutTableKeyArn = logsKeyArn;
        this.rolloutLock = new RolloutLockTable(`${name}-rollout-lock`, {
            ...rolloutLockSettings(cfg),
            kmsKeyArn: rolloutTableKeyArn,
        }, { parent: this });

        // What a weight step modifies: the weighted and test listeners, and their rules.
        const touched = [...this.traffic.weightListeners, ...this.traffic.testListeners];
        const listeners = touched.filter((l): l is aws.lb.Listener => l instanceof aws.lb.Listener);
        const rules = touched.filter((l): l is aws.lb.ListenerRule => l instanceof aws.lb.ListenerRule);
        const access = accessSettings(cfg);
        this.access = new AccessRoles(`${name}-access`, {
            ...access,
            // The state backend given to the stack wins over the config's.
            stateBucketArn: args.stateBackend?.bucketArn ?? access.stateBucketArn,
            secretsProviderKeyArn: args.stateBackend?.secretsProviderKeyArn ?? access.secretsProviderKeyArn,
            accountId,
            clusterArn: this.cluster.clusterArn,
            clusterName: this.cluster.clusterName,
            ecsServiceNames: services.flatMap((s) => Object.values(s.serviceNames) as pulumi.Output<string>[]),
            taskDefinitionFamilies: [
                ...services.flatMap((s) => Object.values(s.taskDefinitionFamilies) as pulumi.Output<string>[]),
                ...services.flatMap((s) => Object.values(s.migrations?.families ?? {}) as string[]),
            ],
            listenerArns: listeners.map((l) => l.arn),
            listenerRuleArns: rules.map((l) => l.arn),
            passRoleArns: services.flatMap((s) => [
                s.roles.taskRoleArn, s.roles.executionRoleArn, ...(s.migrations ? [s.migrations.executionRoleArn] : []),
            ]),
            repositoryArns,
            rolloutTableKeyArn,
            alertTopicArns: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            alertKeyArn: logsKeyArn,
            hostedZoneId: zone.zoneId,
            databaseClusterIdentifier: this.data.database.clusterIdentifier,
            workloadBoundaryArn: permissionsBoundaryArn,
        }, { parent: this });

        // Built last, once the roles exist: the secrets and storage keys name the roles that use them.
        const roles = services.map((s) => s.roles);
        const migrationRoles = services.flatMap((s) => (s.migrations ? [s.migrations.executionRoleArn] : []));
        this.keyPolicies = new KmsKeyPolicies(`${name}-keys`, {
            keys: this.keys,
            users: {
                secrets: [...roles.flatMap((r) => [r.executionRoleArn, r.taskRoleArn]), ...migrationRoles],
                // Only where the data tier keeps its own buckets: dr's objects live in prod's replica bucket, under
                // prod's replica key.
                ...(this.data.storage ? { storage: roles.map((r) => r.taskRoleArn) } : {}),
            },
        }, { parent: this });

        const fromConfig = configOutputs(cfg);
        // The outputs the rollout automation reads, typed by their contract (config/stack-outputs.ts).
        const rolloutOutputs: RolloutOutputInputs = {
            release: args.release ?? fromConfig.release,
            strategy: fromConfig.strategy,
            clusterName: this.cluster.clusterName,
            ecsServices: ecsServiceNames,
            // The task definition family the rollout's migration step runs, per service and colour; absent where no
            // service has one (dr, whose database users replicate from prod).
            migrationTaskFamilies: services.some((s) => s.migrations)
                ? Object.fromEntries(Object.entries(this.services).map(([n, s]) => [n, s.migrations?.families ?? {}]))
                : undefined,
            testListenerUrl: this.traffic.testListenerUrl,
            loadBalancerArnSuffix: this.traffic.loadBalancerArnSuffix,
            targetGroupArnSuffixes: this.traffic.targetGroupArnSuffixes,
            targetGroupArns: this.traffic.targetGroupArns,
            weightListenerUrns: this.traffic.weightListeners.map((l) => l.urn),
            alertTopics: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            rolloutTableName: this.rolloutLock.tableName,
            databaseClusterId: this.data.database.clusterIdentifier,
        };
        // Checked on the resolved values at update time, so a contract break fails the update, not the next rollout.
        const checked = pulumi.output(rolloutOutputs as Record<string, pulumi.Input<unknown>>).apply((v) => {
            const problems = rolloutOutputProblems(v);
            if (problems.length) throw new Error(`EnvironmentStack: the rollout's output contract does not hold: ${problems.join("; ")}`);
            return v.release;
        });
        this.outputs = {
            ...fromConfig,
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            publicSubnetIds: this.network.publicSubnetIds,
            isolatedSubnetIds: this.network.isolatedSubnetIds,
            servicesSecurityGroupIds: this.network.servicesSecurityGroupIds,
            natPublicIps: this.network.natPublicIps,
            ...this.data.outputs,
            // dr: the global cluster it is a secondary of (dr:failover detaches it from this one).
            ...(primary ? { globalClusterId: primary.globalClusterId } : {}),
            repositoryUrls: this.registry.repositoryUrls,
            loadBalancerDnsName: this.traffic.dnsName,
            testListenerUrns: this.traffic.testListeners.map((l) => l.urn),
            // The zone's name servers: what the parent's NS record must name when the zone is delegated from
            // another account (docs/deploying.md, "DNS: one zone per account").
            hostedZone: { ...fromConfig.hostedZone, id: zone.zoneId, nameServers: zone.nameServers },
            ...(this.cdn ? {
                cdnDomainName: this.cdn.domainName,
                cdnDistributionId: this.cdn.distributionId,
                staticBucketName: this.cdn.staticBucketName,
                originVerifyHeader: this.cdn.originVerifyHeader,
            } : {}),
            ...(this.failover && failover?.role === "PRIMARY" ? { primaryHealthCheckId: this.failover.healthCheckId } : {}),
            ...(this.failover ? { drSwitchAlarmName: this.failover.switchAlarmName } : {}),
            dashboardName: this.monitoring.dashboardName,
            criticalAlarmNames: this.monitoring.criticalAlarmNames,
            deploymentRoleArn: this.access.deploymentRoleArn,
            operationsRoleArn: this.access.operationsRoleArn,
            readonlyRoleArn: this.access.readonlyRoleArn,
            emergencyRoleArn: this.access.emergencyRoleArn,
            ...Object.fromEntries(Object.entries(rolloutOutputs).filter(([, v]) => v !== undefined)),
            release: checked,
        };
        this.registerOutputs(this.outputs);
    }
}
