/**
 * Where the stack config (`tms:*`, config/stack-config.ts) becomes component Args: pure functions of the
 * validated `StackConfig`, tested as plain data without the engine (test/components/from-config.test.ts).
 * Each returns the config-derived part of one component's Args; `EnvironmentStack` adds the wiring (other
 * components' outputs: subnets, keys, ARNs) and the transforms. Not yet here: the Args of the monitoring,
 * access roles, CDN, failover and rollout lock, which `EnvironmentStack` still maps inline, and the pure
 * config readers of components/primary.ts and recovery.ts. The components' Args types know nothing of the
 * config: a library user builds them directly.
 */
import type { ServiceConfig, StackConfig } from "../config/stack-config";
import type { ApplicationServiceArgs } from "./service";
import type { ContainerRegistryArgs } from "./registry";
import type { DataTierArgs } from "./data-tier";
import type { EcsClusterArgs } from "./cluster";
import type { NetworkArgs } from "./network";
import type { PublicTrafficArgs } from "./traffic";

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
        services: cfg.services.filter((s) => s.public),
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
        service: svc,
        servicePorts: servicePorts(cfg),
        logRetentionDays: cfg.monitoring.logRetentionDays,
        autoscaling: cfg.compute.autoscaling,
        // No shell access to production (guide: "No direct access to production systems").
        enableExecuteCommand: cfg.environment === "dev" || cfg.environment === "staging",
    } satisfies Partial<ApplicationServiceArgs>;
}

/** Container port per service (service → port): what callers and security groups are told. */
export function servicePorts(cfg: StackConfig): Record<string, number> {
    return Object.fromEntries(cfg.services.map((s) => [s.name, s.port]));
}
