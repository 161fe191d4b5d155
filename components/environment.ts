import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessRoles } from "./access";
import { regionalProvider } from "./aws-provider";
import { ContentDelivery } from "./cdn";
import { EcsCluster } from "./cluster";
import type { StackConfig } from "../config/stack-config";
import type { Colour } from "../config/vocabulary";
import { alertTopicName, drGateSwitch, primaryFenceSwitch, rolloutTableName } from "../config/naming";
import { releaseOf, type DeployedRelease } from "../config/release";
import { rolloutOutputProblems, type RolloutOutputInputs } from "../config/stack-outputs";
import { DataTier, type DataTierTransforms } from "./data-tier";
import { clusterSettings, dataTierSettings, networkSettings, registrySettings, serviceSettings, trafficSettings } from "./from-config";
import { clusterIdentifier, GLOBAL_CLUSTER_IDENTIFIER } from "./database";
import { RegionalFailover } from "./dns";
import { rpoOutput, rtoOutput } from "./recovery";
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

/** The dr stack's environment is always "dr" (config ENVIRONMENTS): prod names dr's topic and its fence alarm after it. */
const DR_ENVIRONMENT = "dr";

/**
 * One whole environment: keys, network, data tier, compute, traffic, edge, DNS failover, access and
 * monitoring, composed from the stack config. `index.ts` creates exactly one and exports its outputs.
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
    readonly outputs: Record<string, pulumi.Input<any>>;

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
        const protect = cfg.protectStatefulResources;
        const d = cfg.deployment;
        const publicServices = cfg.services.filter((s) => s.public);
        const t = args.transform;

        this.keys = new KmsKeys(`${name}-keys`, { environment: cfg.environment, region: cfg.region, accountId, protect }, { parent: this });

        this.workloadBoundary = new WorkloadBoundary(`${name}-workload-boundary`, { nameSuffix: cfg.access.nameSuffix }, { parent: this });
        const permissionsBoundaryArn = this.workloadBoundary.arn;

        this.network = new Network(`${name}-network`, {
            ...networkSettings(cfg),
            logsKeyArn: this.keys.arn("logs"),
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
            logsKeyArn: this.keys.arn("logs"),
        }, { parent: this });

        const zone = aws.route53.getZoneOutput({ name: cfg.domain.zoneName, privateZone: false }, { parent: this });
        if (cfg.cdn.enabled) {
            // Config validation guarantees an origin name and a stack with its own log bucket here.
            this.cdn = new ContentDelivery(`${name}-cdn`, {
                environment: cfg.environment,
                region: cfg.region,
                hostName: cfg.domain.hostName,
                hostedZoneId: zone.zoneId,
                // The ALB's certificate (PublicTraffic) covers the host name too and owns its validation record.
                hostNameValidatedElsewhere: true,
                originName: cfg.domain.originName!,
                rateLimitPer5Minutes: cfg.cdn.rateLimitPer5Minutes,
                priceClass: cfg.cdn.priceClass,
                accessLogBucket: this.data.storage!.logBucketName,
                logsKeyArn: this.keys.arn("logs"),
                logRetentionDays: cfg.monitoring.logRetentionDays,
                protect,
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

        if (cfg.dr.role !== "none") {
            this.failover = new RegionalFailover(`${name}-failover`, {
                role: cfg.dr.role === "primary" ? "PRIMARY" : "SECONDARY",
                region: cfg.region,
                hostedZoneId: zone.zoneId,
                name: cfg.domain.originName!,
                loadBalancerDnsName: this.traffic.dnsName,
                loadBalancerZoneId: this.traffic.zoneId,
                healthCheckPath: publicServices.find((s) => s.isDefaultRoute)!.healthCheckPath,
                // The DR runbook's switch, its alarm in the dr region (prod reaches it with a provider there).
                drSwitch: cfg.dr.role === "primary"
                    ? {
                        ...primaryFenceSwitch(cfg.environment, DR_ENVIRONMENT),
                        region: cfg.dr.region,
                        provider: regionalProvider(`${name}-dr-region`, cfg.dr.region, this),
                    }
                    : { ...drGateSwitch(cfg.environment), region: cfg.region },
                // dr's critical topic. prod's fence
                // alarm names it before dr exists: PutMetricAlarm checks an action's ARN form only, not that the
                // topic exists (AlarmActions, https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html;
                // an alarm on a missing topic is created and the console flags "We could not find the SNS topic",
                // https://github.com/awsdocs/aws-doc-sdk-examples/issues/1015). The fence changes state only when the
                // runbook runs, which needs dr deployed; a notification that fails does not change what Route 53 reads.
                alertTopicArn: pulumi.interpolate`arn:aws:sns:${cfg.dr.region}:${accountId}:${alertTopicName(DR_ENVIRONMENT, "critical")}`,
            }, { parent: this });
        }

        for (const svc of cfg.services) {
            const colours: Partial<Record<Colour, ColourSettings>> = {};
            for (const colour of d.colours) {
                const c = d[colour]!;
                colours[colour] = {
                    image: this.registry.image(svc.name, c.images[svc.name] ?? d[d.live]!.images[svc.name]),
                    running: c.running,
                    targetGroupArn: svc.public ? this.traffic.targetGroupArns[svc.name][colour] : undefined,
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
                logsKeyArn: this.keys.arn("logs"),
                subnetIds: this.network.privateSubnetIds,
                execLogGroupArn: this.cluster.execLogGroupArn,
                permissionsBoundaryArn,
                transform: t?.colourService && { colourService: t.colourService },
            }, { parent: this });
        }

        const ecsServiceNames = Object.fromEntries(cfg.services.map((s) => [s.name, this.services[s.name].serviceNames]));
        const { logRetentionDays: _retention, ...thresholds } = cfg.monitoring;
        this.monitoring = new Monitoring(`${name}-monitoring`, {
            environment: cfg.environment,
            region: cfg.region,
            thresholds,
            topicKeyArn: this.keys.arn("logs"),
            accountId,
            loadBalancerArnSuffix: this.traffic.loadBalancerArnSuffix,
            clusterName: this.cluster.clusterName,
            targetGroupArnSuffixes: Object.fromEntries(publicServices.map((s) => [s.name, this.traffic.targetGroupArnSuffixes[s.name]])),
            ecsServiceNames,
            repositoryArns: cfg.dr.role === "secondary" ? [] : cfg.services.map((s) => this.registry.repositoryArns[s.name]),
            database: {
                clusterIdentifier: this.data.database.clusterIdentifier,
                instanceClass: cfg.database.instanceClass,
                instances: cfg.database.instances,
            },
            cache: { replicationGroupId: this.data.cache.replicationGroupId, nodes: cfg.cache.nodes },
        }, { parent: this });

        // The lock table's key; the deployment role, its only caller, may use it through DynamoDB for this table.
        const rolloutTableKeyArn = this.keys.arn("logs");
        this.rolloutLock = new RolloutLockTable(`${name}-rollout-lock`, {
            tableName: rolloutTableName(cfg.environment),
            kmsKeyArn: rolloutTableKeyArn,
            protect,
            tags: { Service: "automation" },
        }, { parent: this });

        // What a weight step modifies: the weighted and test listeners, and their rules.
        const touched = [...this.traffic.weightListeners, ...this.traffic.testListeners];
        const listeners = touched.filter((l): l is aws.lb.Listener => l instanceof aws.lb.Listener);
        const rules = touched.filter((l): l is aws.lb.ListenerRule => l instanceof aws.lb.ListenerRule);
        const ecsNames = cfg.services.flatMap((s) => Object.values(this.services[s.name].serviceNames) as pulumi.Output<string>[]);
        this.access = new AccessRoles(`${name}-access`, {
            environment: cfg.environment,
            region: cfg.region,
            accountId,
            access: cfg.access,
            clusterArn: this.cluster.clusterArn,
            clusterName: this.cluster.clusterName,
            ecsServiceArns: ecsNames.map((serviceName) =>
                pulumi.interpolate`arn:aws:ecs:${cfg.region}:${accountId}:service/${this.cluster.clusterName}/${serviceName}`),
            taskDefinitionFamilies: [
                ...ecsNames.map((serviceName) => pulumi.interpolate`tms-${cfg.environment}-${serviceName}`),
                ...cfg.services.flatMap((s) => Object.values(this.services[s.name].migrations?.families ?? {}) as string[]),
            ],
            listenerArns: listeners.map((l) => l.arn),
            listenerRuleArns: rules.map((l) => l.arn),
            passRoleArns: cfg.services.flatMap((s) => {
                const svc = this.services[s.name];
                return [svc.roles.taskRoleArn, svc.roles.executionRoleArn, ...(svc.migrations ? [svc.migrations.executionRoleArn] : [])];
            }),
            // dr runs prod's images from the registry's replicas: CI pushes nothing there.
            repositoryArns: cfg.dr.role === "secondary" ? [] : cfg.services.map((s) => this.registry.repositoryArns[s.name]),
            rolloutTableName: rolloutTableName(cfg.environment),
            rolloutTableKeyArn,
            alertTopicArns: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            alertKeyArn: this.keys.arn("logs"),
            hostedZoneId: zone.zoneId,
            autoscaling: cfg.compute.autoscaling !== undefined,
            databaseClusterIdentifier: this.data.database.clusterIdentifier,
            ...(cfg.dr.role === "secondary" ? { drRunbook: {
                primaryEnvironment: cfg.primaryStack!.split("/").pop()!, environmentName: cfg.environmentName,
                globalClusterIdentifier: GLOBAL_CLUSTER_IDENTIFIER,
                drClusterIdentifier: clusterIdentifier(cfg.environment),
                primaryClusterIdentifier: clusterIdentifier(cfg.primaryStack!.split("/").pop()!),
            } } : {}),
            stateBucketArn: args.stateBackend?.bucketArn ?? cfg.access.stateBucketArn,
            secretsProviderKeyArn: args.stateBackend?.secretsProviderKeyArn ?? cfg.access.secretsProviderKeyArn,
            workloadBoundaryArn: permissionsBoundaryArn,
            logRetentionDays: cfg.monitoring.logRetentionDays,
            protect,
        }, { parent: this });

        // Built last, once the roles exist: the secrets and storage keys name the roles that use them.
        const roles = Object.values(this.services).map((s) => s.roles);
        const migrationRoles = Object.values(this.services).flatMap((s) => (s.migrations ? [s.migrations.executionRoleArn] : []));
        this.keyPolicies = new KmsKeyPolicies(`${name}-keys`, {
            keys: this.keys,
            users: {
                secrets: [...roles.flatMap((r) => [r.executionRoleArn, r.taskRoleArn]), ...migrationRoles],
                // dr's objects live in prod's replica bucket, under prod's replica key.
                ...(cfg.dr.role !== "secondary" ? { storage: roles.map((r) => r.taskRoleArn) } : {}),
            },
        }, { parent: this });

        // The outputs the rollout automation reads, typed by their contract (config/stack-outputs.ts).
        const rolloutOutputs: RolloutOutputInputs = {
            release: args.release ?? releaseOf(d),
            strategy: d.strategy,
            clusterName: this.cluster.clusterName,
            ecsServices: Object.fromEntries(cfg.services.map((s) => [s.name, this.services[s.name].serviceNames])),
            // The task definition family the rollout's migration step runs, per service and colour (absent in dr).
            migrationTaskFamilies: cfg.dr.role === "secondary" ? undefined : Object.fromEntries(
                cfg.services.map((s) => [s.name, this.services[s.name].migrations?.families ?? {}])
            ),
            testListenerUrl: this.traffic.testListenerUrl,
            loadBalancerArnSuffix: this.traffic.loadBalancerArnSuffix,
            targetGroupArnSuffixes: Object.fromEntries(publicServices.map((s) => [s.name, this.traffic.targetGroupArnSuffixes[s.name]])),
            targetGroupArns: Object.fromEntries(publicServices.map((s) => [s.name, this.traffic.targetGroupArns[s.name]])),
            weightListenerUrns: this.traffic.weightListeners.map((l) => l.urn),
            alertTopics: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            rolloutTableName: this.rolloutLock.tableName,
            databaseClusterId: this.data.database.clusterIdentifier,
        };
        // Checked on the resolved values at update time, so a contract break fails the update, not the next rollout.
        const checked = pulumi.output(rolloutOutputs as Record<string, pulumi.Input<any>>).apply((v) => {
            const problems = rolloutOutputProblems(v);
            if (problems.length) throw new Error(`EnvironmentStack: the rollout's output contract does not hold: ${problems.join("; ")}`);
            return v.release;
        });
        this.outputs = {
            environment: cfg.environment,
            region: cfg.region,
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            publicSubnetIds: this.network.publicSubnetIds,
            isolatedSubnetIds: this.network.isolatedSubnetIds,
            servicesSecurityGroupIds: this.network.servicesSecurityGroupIds,
            natPublicIps: this.network.natPublicIps,
            ...this.data.outputs,
            // dr: the global cluster it is a secondary of (dr:failover detaches it from this one).
            ...(primary ? { globalClusterId: primary.globalClusterId } : {}),
            liveColour: d.live,
            candidateColour: d.colours.length === 1 ? d.live : d.candidate,
            weight: d.weight,
            images: Object.fromEntries(d.colours.map((c) => [c, d[c]!.images])),
            running: Object.fromEntries(d.colours.map((c) => [c, d[c]!.running])),
            repositoryUrls: this.registry.repositoryUrls,
            loadBalancerDnsName: this.traffic.dnsName,
            testListenerUrns: this.traffic.testListeners.map((l) => l.urn),
            hostName: cfg.domain.hostName,
            // The zone the stack's names live in, and its name servers: what the parent's NS record must name
            // when the zone is delegated from another account (docs/deploying.md, "DNS: one zone per account").
            hostedZone: {
                name: cfg.domain.zoneName,
                id: zone.zoneId,
                nameServers: zone.nameServers,
                ...(cfg.domain.delegatedFrom ? { delegatedFrom: cfg.domain.delegatedFrom } : {})
            },
            ...(cfg.domain.originName ? { failoverName: cfg.domain.originName } : {}),
            ...(this.cdn ? {
                cdnDomainName: this.cdn.domainName,
                cdnDistributionId: this.cdn.distributionId,
                staticBucketName: this.cdn.staticBucketName,
                originVerifyHeader: this.cdn.originVerifyHeader,
            } : {}),
            ...(this.failover && cfg.dr.role === "primary" ? { primaryHealthCheckId: this.failover.healthCheckId } : {}),
            ...(this.failover ? { drSwitchAlarmName: this.failover.switchAlarmName } : {}),
            // The targets and, per data store, what AWS's figures allow (components/recovery.ts, docs/dr.md).
            rto: rtoOutput(cfg),
            rpo: rpoOutput(cfg),
            minimumTasksPerService: cfg.compute.minimumCount,
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
