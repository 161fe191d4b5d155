import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessRoles } from "./access";
import { EcsCluster } from "./cluster";
import type { Colour, StackConfig } from "./config";
import type { ServiceDataAccess } from "./contracts";
import { KmsKeys } from "./keys";
import { Monitoring } from "./monitoring";
import { parameterName, secretName } from "./naming";
import { Network } from "./network";
import { ContainerRegistry } from "./registry";
import { ApplicationService } from "./service";
import { PublicTraffic } from "./traffic";

export interface EnvironmentStackArgs {
    config: StackConfig;
    /**
     * The Pulumi state backend CI uses when it runs `pulumi up` as the deployment role: the S3 state
     * bucket and the secrets-provider KMS key. Without them the role gets no state-backend access
     * (e.g. when CI uses Pulumi Cloud with its own token).
     */
    stateBackend?: { bucketArn?: pulumi.Input<string>; secretsProviderKeyArn?: pulumi.Input<string> };
}

/** The rollout lock table of an environment (the rollout CLI's DynamoDB lock). */
export const rolloutTableName = (environment: string) => `tms-${environment}-rollouts`;

/**
 * One whole environment: keys, network, data tier, compute, traffic, edge, access and monitoring,
 * composed from the stack config. `index.ts` creates exactly one and exports its outputs.
 */
export class EnvironmentStack extends pulumi.ComponentResource {
    readonly keys: KmsKeys;
    readonly network: Network;
    readonly registry: ContainerRegistry;
    readonly cluster: EcsCluster;
    readonly traffic: PublicTraffic;
    readonly services: Record<string, ApplicationService> = {};
    readonly monitoring: Monitoring;
    readonly access: AccessRoles;
    /** Everything the stack exports (rollout scripts and the dr stack read these). */
    readonly outputs: Record<string, pulumi.Input<any>>;

    constructor(name: string, args: EnvironmentStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:index:EnvironmentStack", name, {}, opts);
        const cfg = args.config;
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const accountId = identity.accountId;
        const protect = cfg.protectStatefulResources;
        const d = cfg.deployment;

        this.keys = new KmsKeys(`${name}-keys`, {
            environment: cfg.environment,
            region: cfg.region,
            accountId,
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

        this.registry = new ContainerRegistry(`${name}-registry`, {
            services: cfg.services.map((s) => s.name),
            region: cfg.region,
            accountId,
            createRepositories: cfg.dr.role !== "secondary",
            retentionDays: cfg.registry.retentionDays,
            untaggedExpireDays: cfg.registry.untaggedExpireDays,
            replicationRegions: cfg.registry.replicationRegions,
            kmsKeyArn: this.keys.arn("storage"),
            protect,
        }, { parent: this });

        this.cluster = new EcsCluster(`${name}-cluster`, {
            environment: cfg.environment,
            vpcId: this.network.vpcId,
            logsKeyArn: this.keys.arn("logs"),
            logRetentionDays: cfg.monitoring.logRetentionDays,
        }, { parent: this });

        this.traffic = new PublicTraffic(`${name}-traffic`, {
            environment: cfg.environment,
            hostName: cfg.domain.hostName,
            alternativeNames: cfg.domain.originName ? [cfg.domain.originName] : [],
            zoneName: cfg.domain.zoneName,
            vpcId: this.network.vpcId,
            publicSubnetIds: this.network.publicSubnetIds,
            securityGroupId: this.network.securityGroupIds.alb,
            accessLogsBucket: this.accessLogsBucket(cfg),
            services: cfg.services.filter((s) => s.public),
            colours: d.colours,
            live: d.live,
            weight: d.weight,
            testListenerPort: cfg.traffic.testListenerPort,
            sslPolicy: cfg.traffic.sslPolicy,
            deletionProtection: cfg.traffic.deletionProtection,
            idleTimeoutSeconds: cfg.traffic.idleTimeoutSeconds,
        }, { parent: this });

        const servicePorts = Object.fromEntries(cfg.services.map((s) => [s.name, s.port]));
        for (const svc of cfg.services) {
            const colours: Partial<Record<Colour, { image: pulumi.Output<string>; running: boolean; targetGroupArn?: pulumi.Input<string> }>> = {};
            for (const colour of d.colours) {
                const c = d[colour]!;
                colours[colour] = {
                    image: this.registry.image(svc.name, c.images[svc.name] ?? d[d.live]!.images[svc.name]),
                    running: c.running,
                    targetGroupArn: svc.public ? this.traffic.targetGroupArns[svc.name][colour] : undefined,
                };
            }
            this.services[svc.name] = new ApplicationService(`${name}-${svc.name}`, {
                environment: cfg.environment,
                environmentName: cfg.environmentName,
                region: cfg.region,
                accountId,
                service: svc,
                servicePorts,
                colours,
                clusterArn: this.cluster.clusterArn,
                clusterName: this.cluster.clusterName,
                namespaceId: this.cluster.namespaceId,
                repositoryArn: this.registry.repositoryArns[svc.name],
                data: this.dataAccess(cfg, svc.name, accountId),
                secretsKeyArn: this.keys.arn("secrets"),
                storageKeyArn: this.keys.arn("storage"),
                logsKeyArn: this.keys.arn("logs"),
                logRetentionDays: cfg.monitoring.logRetentionDays,
                subnetIds: this.network.privateSubnetIds,
                securityGroupId: this.network.securityGroupIds.services,
                autoscaling: cfg.compute.autoscaling,
                enableExecuteCommand: cfg.environment === "dev" || cfg.environment === "staging",
            }, { parent: this });
        }

        const publicServices = cfg.services.filter((s) => s.public).map((s) => s.name);
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
            targetGroupArnSuffixes: Object.fromEntries(publicServices.map((s) => [s, this.traffic.targetGroupArnSuffixes[s]])),
            ecsServiceNames,
            // The data tier passes `database: { clusterIdentifier, instanceClass, instances }` and
            // `cache: { replicationGroupId, nodes }` here once it is merged.
        }, { parent: this });

        const listeners = [...this.traffic.weightListeners, ...this.traffic.testListeners] as (aws.lb.Listener | aws.lb.ListenerRule)[];
        this.access = new AccessRoles(`${name}-access`, {
            environment: cfg.environment,
            region: cfg.region,
            accountId,
            access: cfg.access,
            clusterArn: this.cluster.clusterArn,
            clusterName: this.cluster.clusterName,
            ecsServiceArns: cfg.services.flatMap((s) => Object.values(this.services[s.name].serviceNames).map((serviceName) =>
                pulumi.interpolate`arn:aws:ecs:${cfg.region}:${accountId}:service/${this.cluster.clusterName}/${serviceName}`)),
            listenerArns: listeners.map((l) => l.arn),
            passRoleArns: cfg.services.flatMap((s) => [this.services[s.name].roles.taskRoleArn, this.services[s.name].roles.executionRoleArn]),
            repositoryArns: cfg.services.map((s) => this.registry.repositoryArns[s.name]),
            rolloutTableName: rolloutTableName(cfg.environment),
            alertTopicArns: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            alertKeyArn: this.keys.arn("logs"),
            stateBucketArn: args.stateBackend?.bucketArn,
            secretsProviderKeyArn: args.stateBackend?.secretsProviderKeyArn,
        }, { parent: this });

        this.outputs = {
            environment: cfg.environment,
            region: cfg.region,
            vpcId: this.network.vpcId,
            privateSubnetIds: this.network.privateSubnetIds,
            publicSubnetIds: this.network.publicSubnetIds,
            isolatedSubnetIds: this.network.isolatedSubnetIds,
            clusterName: this.cluster.clusterName,
            strategy: d.strategy,
            liveColour: d.live,
            candidateColour: d.colours.length === 1 ? d.live : d.candidate,
            weight: d.weight,
            images: Object.fromEntries(d.colours.map((c) => [c, d[c]!.images])),
            running: Object.fromEntries(d.colours.map((c) => [c, d[c]!.running])),
            ecsServices: Object.fromEntries(cfg.services.map((s) => [s.name, this.services[s.name].serviceNames])),
            repositoryUrls: this.registry.repositoryUrls,
            loadBalancerArnSuffix: this.traffic.loadBalancerArnSuffix,
            loadBalancerDnsName: this.traffic.dnsName,
            targetGroupArnSuffixes: Object.fromEntries(publicServices.map((s) => [s, this.traffic.targetGroupArnSuffixes[s]])),
            targetGroupArns: Object.fromEntries(publicServices.map((s) => [s, this.traffic.targetGroupArns[s]])),
            weightListenerUrns: this.traffic.weightListeners.map((l) => l.urn),
            testListenerUrns: this.traffic.testListeners.map((l) => l.urn),
            testListenerUrl: this.traffic.testListenerUrl,
            hostName: cfg.domain.hostName,
            alertTopics: { critical: this.monitoring.criticalTopicArn, warning: this.monitoring.warningTopicArn },
            dashboardName: this.monitoring.dashboardName,
            criticalAlarmNames: this.monitoring.criticalAlarmNames,
            deploymentRoleArn: this.access.deploymentRoleArn,
            operationsRoleArn: this.access.operationsRoleArn,
            readonlyRoleArn: this.access.readonlyRoleArn,
            emergencyRoleArn: this.access.emergencyRoleArn,
            rolloutTableName: rolloutTableName(cfg.environment),
        };
        this.registerOutputs(this.outputs);
    }

    /** Interim wiring until the data tier lands: the guide's secret and parameter names, by ARN pattern. */
    private dataAccess(cfg: StackConfig, service: string, accountId: pulumi.Output<string>): ServiceDataAccess {
        const secretArn = (secret: string) =>
            pulumi.interpolate`arn:aws:secretsmanager:${cfg.region}:${accountId}:secret:${secretName(cfg.environmentName, service, secret)}`;
        const bucket = pulumi.interpolate`tms-${cfg.environment}-app-${accountId}`;
        return {
            secrets: [
                { name: "MONGODB_URI", valueFrom: secretArn("mongodb-uri") },
                { name: "REDIS_PASSWORD", valueFrom: secretArn("redis-password") },
            ],
            environment: { S3_BUCKET: bucket, S3_PREFIX: `${service}/` },
            parameterPath: parameterName(cfg.environmentName, service, ""),
            parameterPathArn: pulumi.interpolate`arn:aws:ssm:${cfg.region}:${accountId}:parameter${parameterName(cfg.environmentName, service, "*")}`,
            bucketName: bucket,
            bucketArn: pulumi.interpolate`arn:aws:s3:::${bucket}`,
            bucketPrefix: `${service}/`,
        };
    }

    private accessLogsBucket(cfg: StackConfig): pulumi.Output<string> {
        return pulumi.output(`tms-${cfg.environment}-logs`);
    }
}
