/**
 * The components as a library: `import { RedisReplicationGroup, FargateColourService } from
 * "tms-infrastructure"` (package.json `exports`). Importing this module registers nothing and does
 * not run the stack program (`index.ts`, Pulumi.yaml's `main`); each class registers its resources
 * when constructed, in the caller's program.
 */
export { AccessRoles, type AccessRolesArgs } from "./access";
export { regionalProvider, stackAwsProvider, type StackAwsProviderArgs } from "./aws-provider";
export { RedisReplicationGroup, type RedisReplicationGroupArgs, type RedisReplicationGroupTransforms } from "./cache";
export { ContentDelivery, type ContentDeliveryArgs } from "./cdn";
export { ValidatedCertificate, type ValidatedCertificateArgs } from "./certificate";
export { EcsCluster, type EcsClusterArgs } from "./cluster";
export {
    FargateColourService,
    type FargateColourServiceArgs,
    type FargateColourServiceTransforms,
    type AutoscalingSettings,
    type ContainerSettings,
    type ServiceSettings,
} from "./colour-service";
export {
    DataTier,
    type DataTierArgs,
    type DataTierTransforms,
    type DataTierDatabaseArgs,
    type DataTierCacheArgs,
    type DataTierStorageArgs,
} from "./data-tier";
export { DocumentDbCluster, type DocumentDbClusterArgs, type DocumentDbClusterTransforms } from "./database";
export { RegionalFailover, type FailoverSwitchArgs, type RegionalFailoverArgs } from "./dns";
export { EnvironmentStack, type EnvironmentStackArgs, type EnvironmentStackTransforms } from "./environment";
export {
    accessSettings,
    cdnSettings,
    clusterSettings,
    colourReleases,
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
    serviceOf,
    serviceSettings,
    trafficSettings,
    workloadBoundarySettings,
} from "./from-config";
export { KmsKeys, type KmsKeysArgs } from "./keys";
export { KmsKeyPolicies, type KmsKeyPoliciesArgs } from "./key-policies";
export { Monitoring, type MonitoringArgs } from "./monitoring";
export { Network, type NetworkArgs } from "./network";
export { ContainerRegistry, type ContainerRegistryArgs } from "./registry";
export { RolloutLockTable, type RolloutLockTableArgs } from "./rollout-lock";
export { ServiceSecrets, type ServiceSecretsArgs } from "./secrets";
export { SecureBucket, type SecureBucketArgs } from "./secure-bucket";
export { LogBucketPolicy, type LogBucketPolicyArgs } from "./log-bucket-policy";
export { ServiceRoles, type ServiceRolesArgs } from "./service-roles";
export { ApplicationService, type ApplicationServiceArgs } from "./service";
export { StorageBuckets, type StorageBucketsArgs, type StorageBucketsTransforms } from "./storage";
export { PublicTraffic, type PublicTrafficArgs, type PublicTrafficTransforms } from "./traffic";
export { transform, type Transform } from "./transform";
export { WorkloadBoundary, type WorkloadBoundaryArgs } from "./workload-boundary";
export type { SecretReference, ServiceDataAccess } from "./contracts";
export { IMAGE_CONTRACT, healthCheckCommand, docdbUriOptions } from "./image-contract";
export {
    configSchema,
    ConfigError,
    loadStackConfig,
    parseConfigValue,
    type ConfigProblem,
    type ServiceConfig,
    type StackConfig,
} from "../config/stack-config";
