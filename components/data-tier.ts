/**
 * The data tier of one environment: DocumentDB, Redis, S3 and each service's secrets and
 * parameters, composed from the stack config. The compute tier consumes it only through
 * `forService(name)`, which returns the `ServiceDataAccess` contract of components/contracts.ts.
 *
 * dr is the exception on two points, both because it is the standby of prod in the same account:
 *   - its DocumentDB cluster is a secondary of prod's global cluster and has no credentials of its
 *     own; its services connect as their own users, replicated from prod (prod's secret output
 *     `databaseUserCredentials`);
 *   - it has no application bucket of its own: its services use prod's replica bucket in us-west-2
 *     (created and replicated to by prod), so that after failover they read the replicated data.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RedisReplicationGroup, type RedisReplicationGroupArgs } from "./cache";
import type { ServiceDataAccess } from "./contracts";
import { DocumentDbCluster, type DocumentDbClusterArgs } from "./database";
import { DatabaseUsers, serviceDatabase, userMongodbUri, type DatabaseUserCredentials } from "./database-users";
import type { KmsKeys } from "./keys";
import type { Network } from "./network";
import { SERVICE_SECRETS, SecretVariable, ServiceSecrets } from "./secrets";
import { StorageBuckets, type StorageBucketsArgs } from "./storage";
import { regionalProvider } from "./aws-provider";

/** What a dr stack reads from prod's outputs (through the StackReference the EnvironmentStack owns). */
export interface PrimaryDataOutputs {
    /** prod's `globalClusterId`. */
    globalClusterId: pulumi.Input<string>;
    /** prod's `databaseUserCredentials` (secret): the services' users replicate from prod. */
    databaseUserCredentials: pulumi.Input<DatabaseUserCredentials>;
    /** prod's replica bucket in this region: dr's application bucket. */
    replicaBucketName: pulumi.Input<string>;
    /** The replica bucket's ARN. */
    replicaBucketArn: pulumi.Input<string>;
    /** The key the replica bucket is encrypted with (prod's storage key in this region). */
    replicaBucketKeyArn: pulumi.Input<string>;
}

/** What the data tier wires itself: the network, keys, names, protection, log retention and transforms. */
type Wired = "environment" | "subnetIds" | "securityGroupId" | "kmsKeyArn" | "logsKeyArn" | "logRetentionDays" | "protect" | "transform";

/** The database's own settings: `DocumentDbClusterArgs` without what the data tier wires. */
export type DataTierDatabaseArgs = Omit<DocumentDbClusterArgs, Wired | "globalClusterIdentifier">;
/** The cache's own settings: `RedisReplicationGroupArgs` without what the data tier wires. */
export type DataTierCacheArgs = Omit<RedisReplicationGroupArgs, Wired>;
/** The buckets' own settings (lifecycle, replication region): `StorageBucketsArgs` without what the data tier wires. */
export type DataTierStorageArgs = Omit<StorageBucketsArgs,
    "region" | "accountId" | "kmsKeyArn" | "replica" | "protect" | "permissionsBoundaryArn" | "deferLogPolicy" | "transform">;

/** The data tier's children a user can adjust (each component's own transforms). */
export interface DataTierTransforms {
    /**
     * The DocumentDB cluster's children.
     * @default none (the args as computed)
     */
    database?: DocumentDbClusterArgs["transform"];
    /**
     * The Redis replication group's children.
     * @default none (the args as computed)
     */
    cache?: RedisReplicationGroupArgs["transform"];
    /**
     * The buckets' children (not in dr, which has no buckets of its own).
     * @default none (the args as computed)
     */
    storage?: StorageBucketsArgs["transform"];
}

export interface DataTierArgs {
    /** Short environment id (dev, staging, prod, dr): names the cluster, the group and the buckets' tags. */
    environment: string;
    /** Long environment name: the secrets' and parameters' paths (`/<environmentName>/<service>/`). */
    environmentName: string;
    /** This stack's region (the services' parameter ARNs; the source of bucket replication). */
    region: string;
    /** The services (plain: one database user, secret set and parameter path each). */
    services: string[];
    /**
     * SSM parameters per service: parameter name → string or list of strings.
     * @default {} (no parameters)
     */
    parameters?: Record<string, Record<string, string | string[]>>;
    /** The DocumentDB cluster's settings. */
    database: DataTierDatabaseArgs;
    /**
     * Generation of the services' database credentials: raise it by one to rotate them
     * (components/database-users.ts). A secondary takes the primary's credentials and does not use it.
     */
    credentialGeneration: number;
    /** The Redis replication group's settings. */
    cache: DataTierCacheArgs;
    /** The application and log buckets' settings (not used by a secondary, which uses the primary's replica bucket). */
    storage: DataTierStorageArgs;
    /** Retention of the data tier's log groups, in days (a CloudWatch retention period). */
    logRetentionDays: pulumi.Input<number>;
    /**
     * `protect` the stateful resources; also sets the secrets' recovery window (30 days protected, 0 otherwise).
     * Plain: resource options and a recovery window chosen here.
     */
    protect: boolean;
    /** Isolated subnets and the database/cache security groups. */
    network: Pick<Network, "isolatedSubnetIds" | "securityGroupIds">;
    /** The stack's KMS keys (database, cache, storage, secrets, logs). */
    keys: KmsKeys;
    /** The account the stack deploys to (parameter ARNs, bucket grants). */
    accountId: pulumi.Input<string>;
    /**
     * Required when `database.globalCluster` is `secondary` (dr): prod's outputs.
     * @default none (a primary or standalone data tier)
     */
    primary?: PrimaryDataOutputs;
    /**
     * The stack's workload boundary, carried by the roles the data tier creates.
     * @default no permissions boundary
     */
    permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * Other buckets will log into the storage log bucket (the CDN's static bucket): its policy is then a
     * `LogBucketPolicy` the caller builds once they exist (`StorageBucketsArgs.deferLogPolicy`).
     * @default false
     */
    deferStorageLogPolicy?: boolean;
    /**
     * Adjust the children of the database, cache and buckets (components/transform.ts).
     * @default none: the children as computed here
     */
    transform?: DataTierTransforms;
}

/**
 * Days a deleted secret stays restorable. Protected stacks keep the maximum, 30. A disposable stack
 * deletes at once (0): a secret in its recovery window keeps its name taken, so the next `up` after a
 * destroy would fail to create it ("already scheduled for deletion",
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html).
 */
export const recoveryWindow = (protect: boolean) => (protect ? 30 : 0);

/** `/[env]/[service]/`: the SSM path one service may read. */
export const parameterPath = (envName: string, service: string) => `/${envName}/${service}/`;
/** `<service>/`: a service's prefix in the application bucket. */
export const bucketPrefix = (service: string) => `${service}/`;

export class DataTier extends pulumi.ComponentResource {
    readonly database: DocumentDbCluster;
    /** One database user per service, and the secrets only the migration tasks read. */
    readonly users: DatabaseUsers;
    readonly cache: RedisReplicationGroup;
    /** Absent in dr (it uses prod's replica bucket). */
    readonly storage?: StorageBuckets;
    /** The application bucket the services use, and the KMS key it is encrypted with. */
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly bucketKeyArn: pulumi.Output<string>;
    /** The storage key in the replica region (prod only). */
    readonly replicaKeyArn?: pulumi.Output<string>;
    /** The key of the secrets and SecureString parameters (task execution roles need kms:Decrypt). */
    readonly secretsKeyArn: pulumi.Output<string>;
    readonly services: Readonly<Record<string, ServiceSecrets>>;
    /** Stack outputs of the data tier (EnvironmentStack exports them). */
    readonly outputs: Record<string, pulumi.Input<unknown>>;
    private readonly environmentName: string;
    private readonly region: string;
    private readonly accountId: pulumi.Input<string>;

    constructor(name: string, args: DataTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:DataTier", name, {}, opts);
        this.environmentName = args.environmentName;
        this.region = args.region;
        this.accountId = args.accountId;
        const secondary = args.database.globalCluster === "secondary";
        if (secondary && !args.primary) throw new Error("DataTier: a secondary (dr) stack needs the primary stack's outputs");
        const protect = args.protect;
        const keys = args.keys;

        this.database = new DocumentDbCluster(`${name}-database`, {
            environment: args.environment,
            ...args.database,
            subnetIds: args.network.isolatedSubnetIds,
            securityGroupId: args.network.securityGroupIds.database,
            kmsKeyArn: keys.arn("database"),
            logsKeyArn: keys.arn("logs"),
            logRetentionDays: args.logRetentionDays,
            protect,
            globalClusterIdentifier: args.primary?.globalClusterId,
            transform: args.transform?.database,
        }, { parent: this });

        this.cache = new RedisReplicationGroup(`${name}-cache`, {
            environment: args.environment,
            ...args.cache,
            subnetIds: args.network.isolatedSubnetIds,
            securityGroupId: args.network.securityGroupIds.cache,
            kmsKeyArn: keys.arn("cache"),
            logsKeyArn: keys.arn("logs"),
            logRetentionDays: args.logRetentionDays,
            protect,
            transform: args.transform?.cache,
        }, { parent: this });

        if (secondary) {
            this.bucketName = pulumi.output(args.primary!.replicaBucketName);
            this.bucketArn = pulumi.output(args.primary!.replicaBucketArn);
            this.bucketKeyArn = pulumi.output(args.primary!.replicaBucketKeyArn);
        } else {
            let replica: { provider: aws.Provider; kmsKeyArn: pulumi.Output<string> } | undefined;
            const replicaRegion = args.storage.replicationRegion;
            if (replicaRegion) {
                const provider = regionalProvider(`${name}-${replicaRegion}`, replicaRegion, this);
                replica = { provider, kmsKeyArn: keys.regionalKey("storage", replicaRegion, provider).arn };
            }
            this.storage = new StorageBuckets(`${name}-storage`, {
                ...args.storage,
                region: args.region,
                accountId: args.accountId,
                kmsKeyArn: keys.arn("storage"),
                replica,
                protect,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
                deferLogPolicy: args.deferStorageLogPolicy,
                transform: args.transform?.storage,
            }, { parent: this });
            this.bucketName = this.storage.bucketName;
            this.bucketArn = this.storage.bucketArn;
            this.bucketKeyArn = keys.arn("storage");
            this.replicaKeyArn = replica?.kmsKeyArn;
        }
        this.secretsKeyArn = keys.arn("secrets");

        this.users = new DatabaseUsers(`${name}-users`, {
            environmentName: args.environmentName,
            services: args.services,
            generation: args.credentialGeneration,
            master: secondary ? undefined : {
                password: this.database.masterPassword!,
                endpoint: this.database.endpoint,
                port: this.database.port,
            },
            replicated: secondary ? args.primary!.databaseUserCredentials : undefined,
            kmsKeyArn: this.secretsKeyArn,
            recoveryWindowInDays: recoveryWindow(protect),
        }, { parent: this });
        // Each service connects as its own user to its own database, never as the master user.
        const values = (service: string): Record<SecretVariable, pulumi.Input<string>> => {
            const c = this.users.current[service];
            return {
                MONGODB_URI: pulumi.secret(pulumi.all([c.username, c.password, this.database.endpoint, this.database.port])
                    .apply(([user, pw, host, port]) => userMongodbUri(user, pw, host, port, serviceDatabase(service)))),
                REDIS_PASSWORD: this.cache.authToken,
            };
        };

        const services: Record<string, ServiceSecrets> = {};
        for (const svc of args.services) {
            services[svc] = new ServiceSecrets(`${name}-${svc}`, {
                environmentName: args.environmentName,
                service: svc,
                values: values(svc),
                kmsKeyArn: this.secretsKeyArn,
                parameters: args.parameters?.[svc] ?? {},
                recoveryWindowInDays: recoveryWindow(protect),
            }, { parent: this });
        }
        this.services = services;

        this.outputs = {
            databaseEndpoint: this.database.endpoint,
            databaseReaderEndpoint: this.database.readerEndpoint,
            databaseClusterId: this.database.clusterIdentifier,
            cacheEndpoint: this.cache.primaryEndpoint,
            cacheReaderEndpoint: this.cache.readerEndpoint,
            cachePort: this.cache.port,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            secretArns: Object.fromEntries(Object.entries(services).map(([svc, s]) => [svc, s.secretArns])),
            ...(this.storage ? { logBucketName: this.storage.logBucketName } : {}),
            ...(this.database.globalClusterId ? {
                globalClusterId: this.database.globalClusterId,
                // Secret: dr's services connect as these users (replicated with the global cluster).
                databaseUserCredentials: this.users.credentialsOutput(),
            } : {}),
            ...(this.storage?.replicaBucketName ? {
                replicaBucketName: this.storage.replicaBucketName,
                replicaBucketArn: this.storage.replicaBucketArn,
                replicaBucketKeyArn: this.replicaKeyArn,
            } : {}),
        };
        this.registerOutputs(this.outputs);
    }

    /** What one service may read from the data tier (the contract of components/contracts.ts). */
    forService(service: string): ServiceDataAccess {
        const secrets = this.services[service];
        if (!secrets) throw new Error(
            `DataTier.forService: ${JSON.stringify(service)} is not a service of this stack (${Object.keys(this.services).join(", ")})`
        );
        const path = parameterPath(this.environmentName, service);
        const prefix = bucketPrefix(service);
        return {
            secrets: (Object.keys(SERVICE_SECRETS) as SecretVariable[]).map((name) => ({ name, valueFrom: secrets.secretArns[name] })),
            environment: {
                REDIS_HOST: this.cache.primaryEndpoint,
                REDIS_PORT: this.cache.port.apply(String),
                // In-transit encryption is on: clients must connect with TLS.
                REDIS_TLS: "true",
                S3_BUCKET: this.bucketName,
                S3_PREFIX: prefix,
                PARAMETER_PATH: path,
            },
            parameterPathArn: pulumi.interpolate`arn:aws:ssm:${this.region}:${this.accountId}:parameter${path}*`,
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketPrefix: prefix,
            databaseUsers: this.users.masterSecretArn ? {
                masterSecretArn: this.users.masterSecretArn,
                passwordsSecretArn: this.users.passwordsSecretArns[service],
                databaseName: serviceDatabase(service),
            } : undefined,
        };
    }
}
