/**
 * Where the stack config (`tms:*`, config/stack-config.ts) becomes component Args: pure functions of the
 * validated `StackConfig`, tested as plain data without the engine (test/components/from-config.test.ts).
 * Each returns the config-derived part of one component's Args (or none, when the config leaves the
 * component out); `EnvironmentStack` adds the wiring (other components' outputs: subnets, keys, ARNs) and
 * the transforms, and reads of the config only its own switches (protection, dr's need of prod's outputs).
 * The components' Args types know nothing of the config: a library user builds them directly.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as aws from "@pulumi/aws";
import type { ServiceConfig, StackConfig } from "../config/stack-config";
import type { Colour } from "../config/vocabulary";
import { releaseOf } from "../config/release";
import { rpoOutput, rtoOutput } from "../config/recovery";
import { alertTopicName, drGateSwitch, primaryFenceSwitch, rolloutTableName } from "../config/naming";
import type { AccessRolesArgs } from "./access";
import type { ApplicationServiceArgs } from "./service";
import type { ServiceSettings } from "./colour-service";
import type { ContainerRegistryArgs } from "./registry";
import type { ContentDeliveryArgs } from "./cdn";
import type { DataTierArgs } from "./data-tier";
import type { EcsClusterArgs } from "./cluster";
import type { KmsKeysArgs } from "./keys";
import type { CacheMetrics, DatabaseMetrics, MonitoringArgs, Thresholds } from "./monitoring";
import type { NetworkArgs } from "./network";
import type { PublicTrafficArgs } from "./traffic";
import type { RegionalFailoverArgs } from "./dns";
import type { RolloutLockTableArgs } from "./rollout-lock";
import type { WorkloadBoundaryArgs } from "./workload-boundary";
import { clusterIdentifier, GLOBAL_CLUSTER_IDENTIFIER } from "./database";

/** The dr stack's environment is always "dr" (config ENVIRONMENTS): prod names dr's topic and its fence alarm after it. */
const DR_ENVIRONMENT = "dr";

/** The stack's KMS keys (one per data domain). */
export function keysSettings(cfg: StackConfig) {
    return { environment: cfg.environment, region: cfg.region, protect: cfg.protectStatefulResources } satisfies Partial<KmsKeysArgs>;
}

/** The boundary of the roles AWS services assume: an account-global name, suffixed like the other roles (`tms:access.nameSuffix`). */
export function workloadBoundarySettings(cfg: StackConfig) {
    return { nameSuffix: cfg.access.nameSuffix } satisfies WorkloadBoundaryArgs;
}

/** The public hosted zone the stack's names live in (`tms:domain.zoneName`), as the zone lookup's args. */
export function hostedZoneLookup(cfg: StackConfig) {
    return { name: cfg.domain.zoneName, privateZone: false } satisfies aws.route53.GetZoneOutputArgs;
}

/** The data tier: database, cache, buckets, users and parameters (`tms:database`, `tms:cache`, `tms:storage`, `tms:parameters`). */
export function dataTierSettings(cfg: StackConfig) {
    const { credentialGeneration, ...database } = cfg.database;
    return {
        environment: cfg.environment,
        environmentName: cfg.environmentName,
        region: cfg.region,
        services: cfg.services.map((s) => s.name),
        parameters: cfg.parameters,
        database,
        credentialGeneration,
        cache: cfg.cache,
        storage: cfg.storage,
        logRetentionDays: cfg.monitoring.logRetentionDays,
        protect: cfg.protectStatefulResources,
        // The CDN's static bucket logs into the storage log bucket too (LogBucketPolicy, EnvironmentStack).
        deferStorageLogPolicy: cfg.cdn.enabled,
    } satisfies Partial<DataTierArgs>;
}

/** The VPC, subnets and security groups (`tms:network`, the services' ports, the strategy's colours). */
export function networkSettings(cfg: StackConfig) {
    const publicServices = cfg.services.filter((s) => s.public);
    return {
        environment: cfg.environment,
        region: cfg.region,
        ...cfg.network,
        servicePorts: servicePorts(cfg),
        publicServices: publicServices.map((s) => s.name),
        calledServices: [...new Set(cfg.services.flatMap((s) => s.calls))],
        colours: cfg.deployment.colours,
        testListenerPort: cfg.traffic.testListenerPort,
        testListenerCidrs: cfg.traffic.testListenerCidrs,
        // The rollout smoke-tests the candidate (blue-green, canary), possibly from a task in the VPC.
        smokeTestsFromVpc: cfg.deployment.strategy !== "rolling",
        protect: cfg.protectStatefulResources,
    } satisfies Partial<NetworkArgs>;
}

/** The container registry (`tms:registry`); dr pulls prod's images from the replicas in its region. */
export function registrySettings(cfg: StackConfig) {
    return {
        services: cfg.services.map((s) => s.name),
        region: cfg.region,
        createRepositories: cfg.dr.role !== "secondary",
        retentionDays: cfg.registry.retentionDays,
        untaggedExpireDays: cfg.registry.untaggedExpireDays,
        replicationRegions: cfg.registry.replicationRegions,
        protect: cfg.protectStatefulResources,
    } satisfies Partial<ContainerRegistryArgs>;
}

/** The ECS cluster. */
export function clusterSettings(cfg: StackConfig) {
    return { environment: cfg.environment, logRetentionDays: cfg.monitoring.logRetentionDays } satisfies Partial<EcsClusterArgs>;
}

/** The ALB, its certificate, listeners and target groups (`tms:domain`, `tms:traffic`, `tms:deployment`). */
export function trafficSettings(cfg: StackConfig) {
    const d = cfg.deployment;
    return {
        environment: cfg.environment,
        hostName: cfg.domain.hostName,
        // Behind the CDN the host name is CloudFront's; the ALB keeps a name of its own for the test listener.
        loadBalancerName: cfg.domain.albName ?? cfg.domain.hostName,
        alternativeNames: cfg.domain.originName ? [cfg.domain.originName] : [],
        // dr shares prod's account and zone: prod's certificate owns the origin name's validation record.
        validatedElsewhere: cfg.dr.role === "secondary" && cfg.domain.originName ? [cfg.domain.originName] : [],
        zoneName: cfg.domain.zoneName,
        accessLogRetentionDays: cfg.storage.logExpireAfterDays,
        protect: cfg.protectStatefulResources,
        // The CDN owns the host name when it is on.
        createAlias: !cfg.cdn.enabled,
        services: cfg.services.filter((s) => s.public).map(serviceOf),
        colours: d.colours,
        live: d.live,
        weight: d.weight,
        testListenerPort: cfg.traffic.testListenerPort,
        sslPolicy: cfg.traffic.sslPolicy,
        deletionProtection: cfg.traffic.deletionProtection,
        idleTimeoutSeconds: cfg.traffic.idleTimeoutSeconds,
    } satisfies Partial<PublicTrafficArgs>;
}

/** One service's own settings (`tms:services.<name>`, `tms:compute`); its colours' images come from `tms:deployment`. */
export function serviceSettings(cfg: StackConfig, svc: ServiceConfig) {
    return {
        environment: cfg.environment,
        environmentName: cfg.environmentName,
        region: cfg.region,
        service: serviceOf(svc),
        servicePorts: servicePorts(cfg),
        logRetentionDays: cfg.monitoring.logRetentionDays,
        autoscaling: cfg.compute.autoscaling,
        // No shell access to production (guide: "No direct access to production systems").
        enableExecuteCommand: cfg.environment === "dev" || cfg.environment === "staging",
    } satisfies Partial<ApplicationServiceArgs>;
}

/** One `tms:services` entry as the components take it; `public` decides which components get it (`trafficSettings`). */
export function serviceOf(svc: ServiceConfig): ServiceSettings {
    return {
        name: svc.name,
        port: svc.port,
        cpu: svc.cpu,
        memory: svc.memory,
        healthCheckPath: svc.healthCheckPath,
        isDefaultRoute: svc.isDefaultRoute,
        pathPatterns: svc.pathPatterns,
        calls: svc.calls,
        desiredCount: svc.desiredCount,
        migrationCommand: svc.migrationCommand,
    };
}

/** Container port per service (service → port): what callers and security groups are told. */
export function servicePorts(cfg: StackConfig): Record<string, number> {
    return Object.fromEntries(cfg.services.map((s) => [s.name, s.port]));
}

/** What one colour of one service runs (`tms:deployment`). */
export interface ColourRelease {
    /** The image or tag (the live colour's when the colour names none for this service); the registry turns a tag into an image. */
    image: string;
    /** Whether the colour runs tasks. */
    running: boolean;
}

/** Each colour's release of one service (`tms:deployment`). */
export function colourReleases(cfg: StackConfig, svc: ServiceConfig): Partial<Record<Colour, ColourRelease>> {
    const d = cfg.deployment;
    return Object.fromEntries(d.colours.map((colour) => {
        const c = d[colour]!;
        return [colour, { image: c.images[svc.name] ?? d[d.live]!.images[svc.name], running: c.running }];
    }));
}

/** The CDN, WAF and static bucket (`tms:cdn`, `tms:domain`); none when `tms:cdn.enabled` is off. */
export function cdnSettings(cfg: StackConfig) {
    if (!cfg.cdn.enabled) return undefined;
    return {
        environment: cfg.environment,
        region: cfg.region,
        hostName: cfg.domain.hostName,
        // The ALB's certificate (PublicTraffic) covers the host name too and owns its validation record.
        hostNameValidatedElsewhere: true,
        // Config validation requires an origin name (and a storage log bucket) when the CDN is on.
        originName: cfg.domain.originName!,
        rateLimitPer5Minutes: cfg.cdn.rateLimitPer5Minutes,
        priceClass: cfg.cdn.priceClass,
        logRetentionDays: cfg.monitoring.logRetentionDays,
        protect: cfg.protectStatefulResources,
    } satisfies Partial<ContentDeliveryArgs>;
}

/**
 * prod's (PRIMARY) or dr's (SECONDARY) side of the Route 53 failover and its DR switch (`tms:dr`,
 * `tms:domain.originName`); none for dev and staging. The switch's alarm lives in the dr region: prod's
 * fence there (`drSwitch.region` is not the stack's), dr's gate at home.
 */
export function failoverSettings(cfg: StackConfig, accountId: pulumi.Input<string>) {
    if (cfg.dr.role === "none") return undefined;
    const primary = cfg.dr.role === "primary";
    return {
        role: primary ? "PRIMARY" : "SECONDARY",
        region: cfg.region,
        name: cfg.domain.originName!,
        healthCheckPath: cfg.services.filter((s) => s.public).find((s) => s.isDefaultRoute)!.healthCheckPath,
        drSwitch: primary
            ? { ...primaryFenceSwitch(cfg.environment, DR_ENVIRONMENT), region: cfg.dr.region }
            : { ...drGateSwitch(cfg.environment), region: cfg.region },
        // dr's critical topic. prod's fence alarm names it before dr exists: PutMetricAlarm checks an action's
        // ARN form only, not that the topic exists (AlarmActions,
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html; an alarm on a
        // missing topic is created and the console flags "We could not find the SNS topic",
        // https://github.com/awsdocs/aws-doc-sdk-examples/issues/1015). The fence changes state only when the
        // runbook runs, which needs dr deployed; a notification that fails does not change what Route 53 reads.
        alertTopicArn: pulumi.interpolate`arn:aws:sns:${cfg.dr.region}:${accountId}:${alertTopicName(DR_ENVIRONMENT, "critical")}`,
    } satisfies Partial<RegionalFailoverArgs>;
}

/** The alarms' thresholds (`tms:monitoring`) and what sizes the data tier's alarms (`tms:database`, `tms:cache`). */
export function monitoringSettings(cfg: StackConfig) {
    const m = cfg.monitoring;
    return {
        environment: cfg.environment,
        region: cfg.region,
        thresholds: {
            cpuPercent: m.cpuPercent,
            memoryPercent: m.memoryPercent,
            successRatePercent: m.successRatePercent,
            errorRatePercent: m.errorRatePercent,
            p95LatencyMs: m.p95LatencyMs,
            databaseConnectionsPercent: m.databaseConnectionsPercent,
        } satisfies Thresholds,
        // The data tier adds the identifiers.
        database: { instanceClass: cfg.database.instanceClass },
        cache: { nodes: cfg.cache.nodes },
    } satisfies Partial<Omit<MonitoringArgs, "database" | "cache">> & {
        database: Omit<DatabaseMetrics, "clusterIdentifier">;
        cache: Omit<CacheMetrics, "replicationGroupId">;
    };
}

/**
 * The repositories CI pushes to, whose critical image findings page, in the services' order: none in dr,
 * which runs prod's images from the registry's replicas.
 */
export function pushedRepositoryArns(cfg: StackConfig, repositoryArns: Record<string, pulumi.Input<string>>): pulumi.Input<string>[] {
    return cfg.dr.role === "secondary" ? [] : cfg.services.map((s) => repositoryArns[s.name]);
}

/** The rollout CLI's lease and progress table, named after the environment (the deployment role is scoped to it). */
export function rolloutLockSettings(cfg: StackConfig) {
    return {
        tableName: rolloutTableName(cfg.environment),
        protect: cfg.protectStatefulResources,
        tags: { Service: "automation" },
    } satisfies Partial<RolloutLockTableArgs>;
}

/**
 * The guide's four roles (`tms:access`): who CI is, the names' suffix, what the deployment role is scoped
 * to, the state backend it may use, and dr's runbook.
 */
export function accessSettings(cfg: StackConfig) {
    const a = cfg.access;
    // dr's primary stack is `<org>/<project>/<environment>`: prod's clusters and fence are named after it.
    const primaryEnvironment = cfg.primaryStack?.split("/").pop();
    return {
        environment: cfg.environment,
        region: cfg.region,
        access: {
            githubRepository: a.githubRepository,
            githubBranch: a.githubBranch,
            githubEnvironment: a.githubEnvironment,
            oidcProvider: a.oidcProvider,
            nameSuffix: a.nameSuffix,
        },
        rolloutTableName: rolloutTableName(cfg.environment),
        autoscaling: cfg.compute.autoscaling !== undefined,
        ...(cfg.dr.role === "secondary" ? {
            drRunbook: {
                primaryEnvironment: primaryEnvironment!,
                environmentName: cfg.environmentName,
                globalClusterIdentifier: GLOBAL_CLUSTER_IDENTIFIER,
                drClusterIdentifier: clusterIdentifier(cfg.environment),
                primaryClusterIdentifier: clusterIdentifier(primaryEnvironment!),
            },
        } : {}),
        stateBucketArn: a.stateBucketArn,
        secretsProviderKeyArn: a.secretsProviderKeyArn,
        logRetentionDays: cfg.monitoring.logRetentionDays,
        protect: cfg.protectStatefulResources,
    } satisfies Partial<AccessRolesArgs>;
}

/**
 * The stack outputs that come straight from the config: the release the traffic section describes (the
 * rollout's contract, config/stack-outputs.ts), the names, and the recovery objectives. `EnvironmentStack`
 * adds its children's outputs.
 */
export function configOutputs(cfg: StackConfig) {
    const d = cfg.deployment;
    return {
        environment: cfg.environment,
        region: cfg.region,
        release: releaseOf(d),
        strategy: d.strategy,
        liveColour: d.live,
        candidateColour: d.colours.length === 1 ? d.live : d.candidate,
        weight: d.weight,
        images: Object.fromEntries(d.colours.map((c) => [c, d[c]!.images])),
        running: Object.fromEntries(d.colours.map((c) => [c, d[c]!.running])),
        hostName: cfg.domain.hostName,
        // The zone the stack's names live in; `EnvironmentStack` adds its id and name servers.
        hostedZone: { name: cfg.domain.zoneName, ...(cfg.domain.delegatedFrom ? { delegatedFrom: cfg.domain.delegatedFrom } : {}) },
        ...(cfg.domain.originName ? { failoverName: cfg.domain.originName } : {}),
        // The targets and, per data store, what AWS's figures allow (docs/dr.md).
        rto: rtoOutput(cfg),
        rpo: rpoOutput(cfg),
        minimumTasksPerService: cfg.compute.minimumCount,
    };
}
