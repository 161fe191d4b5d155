/**
 * The Redis (ElastiCache) replication group of one environment: one primary and replicas across
 * AZs with automatic failover, encrypted at rest (cache key) and in transit, protected by an AUTH
 * token generated here, on its own subnet group (isolated subnets) and parameter group, with the
 * slow log delivered to an encrypted CloudWatch log group.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { REDIS_PORT } from "./network";
import { serviceTags } from "../config/naming";
import { transform, type Transform } from "./transform";

/** The engine version when the args give none (a redis7 family version). */
export const REDIS_ENGINE_VERSION = "7.1";

/** Redis 7 parameter family (engine 7.x). */
export const REDIS_FAMILY = "redis7";

/**
 * Specials allowed in the AUTH token. ElastiCache accepts 16–128 printable ASCII characters except
 * `@`, `"` and `/` (and spaces); this set avoids those and shell-hostile quotes.
 */
export const REDIS_TOKEN_SPECIALS = "!&#$^<>-";
export const REDIS_TOKEN_LENGTH = 64;

/** `tms-<env>-redis` (replication group ids are at most 40 characters). */
export const replicationGroupId = (environment: string) => `tms-${environment}-redis`;

/** Is `token` an acceptable ElastiCache AUTH token? Used by tests and by anyone setting one by hand. */
export function isValidAuthToken(token: string): boolean {
    return token.length >= 16 && token.length <= 128 && /^[\x21-\x7e]+$/.test(token) && !/[@"/]/.test(token);
}

/**
 * Parameters of the non-default group. They restate the redis7 defaults we rely on, so a change of
 * AWS defaults cannot silently change eviction or slow-log behaviour.
 */
export function cacheParameters(): { name: string; value: string }[] {
    return [
        { name: "maxmemory-policy", value: "volatile-lru" },
        { name: "slowlog-log-slower-than", value: "10000" },
        { name: "slowlog-max-len", value: "128" },
    ];
}

/** The sizing, engine and window fields of the args (what `tms:cache` sets, components/from-config.ts). */
export type ReplicationSettingsArgs = Pick<RedisReplicationGroupArgs,
    "nodeType" | "nodes" | "engineVersion" | "snapshotRetentionDays" | "snapshotWindow" | "maintenanceWindow" | "authTokenUpdateStrategy">;

/** Replication-group settings from the args (pure, unit-tested); the defaults of the args apply here. */
export function replicationSettings(cache: ReplicationSettingsArgs) {
    return {
        nodeType: cache.nodeType,
        numCacheClusters: cache.nodes,
        engine: "redis",
        engineVersion: cache.engineVersion ?? REDIS_ENGINE_VERSION,
        // Failover to a replica in another AZ needs at least two nodes (config enforces nodes >= 2).
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        snapshotRetentionLimit: cache.snapshotRetentionDays,
        snapshotWindow: cache.snapshotWindow,
        maintenanceWindow: cache.maintenanceWindow,
        autoMinorVersionUpgrade: true,
        port: REDIS_PORT,
        // Explicit, so that replacing the token applies it as config says (ROTATE keeps the old token
        // valid, SET drops it); see docs/data.md for the two-step rotation.
        authTokenUpdateStrategy: cache.authTokenUpdateStrategy ?? "SET",
    };
}

export interface RedisReplicationGroupArgs {
    /** Short environment id: replication group `tms-<env>-redis` (plain: it names the resources). */
    environment: string;
    /** ElastiCache node type, e.g. `cache.m5.large`. */
    nodeType: pulumi.Input<string>;
    /** Nodes (one primary, the rest replicas; at least 2 for Multi-AZ failover). */
    nodes: pulumi.Input<number>;
    /**
     * Redis engine version (of the redis7 parameter family).
     * @default "7.1"
     */
    engineVersion?: pulumi.Input<string>;
    /** Days automatic snapshots are kept (at least 1). */
    snapshotRetentionDays: pulumi.Input<number>;
    /** Daily snapshot window, `hh:mm-hh:mm` UTC, clear of the maintenance window. */
    snapshotWindow: pulumi.Input<string>;
    /** Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC. */
    maintenanceWindow: pulumi.Input<string>;
    /**
     * How a changed AUTH token is applied: `ROTATE` keeps the old token valid, `SET` drops it
     * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html#auth-modifyng-token; docs/data.md).
     * @default "SET"
     */
    authTokenUpdateStrategy?: pulumi.Input<"SET" | "ROTATE">;
    /** Isolated subnets for the cache subnet group. */
    subnetIds: pulumi.Input<string[]>;
    /** The network's cache security group (reachable from the services only, on 6379). */
    securityGroupId: pulumi.Input<string>;
    /** ARN of the cache KMS key (at-rest encryption). */
    kmsKeyArn: pulumi.Input<string>;
    /** ARN of the logs KMS key (slow-log group). */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the slow-log group, in days (a CloudWatch retention period). */
    logRetentionDays: pulumi.Input<number>;
    /** `protect` the replication group (plain: a resource option, not an input). */
    protect: boolean;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: RedisReplicationGroupTransforms;
}

/** The children of a `RedisReplicationGroup` a user can adjust. */
export interface RedisReplicationGroupTransforms {
    /**
     * The `aws.elasticache.ReplicationGroup`.
     * @default none (the args as computed)
     */
    replicationGroup?: Transform<aws.elasticache.ReplicationGroupArgs>;
    /**
     * The `aws.elasticache.SubnetGroup`.
     * @default none (the args as computed)
     */
    subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
    /**
     * The `aws.elasticache.ParameterGroup` (its `parameters` replace `cacheParameters()`).
     * @default none (the args as computed)
     */
    parameterGroup?: Transform<aws.elasticache.ParameterGroupArgs>;
}

export class RedisReplicationGroup extends pulumi.ComponentResource {
    /** Primary endpoint (writes), reader endpoint (reads). */
    readonly primaryEndpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly arn: pulumi.Output<string>;
    /** `tms-<env>-redis`: the CloudWatch `ReplicationGroupId` and the prefix of its nodes' ids. */
    readonly replicationGroupId: pulumi.Output<string>;
    /** The generated AUTH token, a Pulumi secret. */
    readonly authToken: pulumi.Output<string>;

    constructor(name: string, args: RedisReplicationGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:RedisReplicationGroup", name, {}, opts);
        const id = replicationGroupId(args.environment);
        const tags = serviceTags("cache");

        const t = args.transform;
        const subnetGroup = new aws.elasticache.SubnetGroup(...transform(t?.subnetGroup, `${name}-subnets`, {
            name: id,
            description: `tms ${args.environment} Redis isolated subnets`,
            subnetIds: args.subnetIds,
            tags,
        }, { parent: this }));

        const parameterGroup = new aws.elasticache.ParameterGroup(...transform(t?.parameterGroup, `${name}-params`, {
            name: `${id}-${REDIS_FAMILY}`,
            family: REDIS_FAMILY,
            description: "tms: redis7 settings pinned explicitly",
            parameters: cacheParameters(),
            tags,
        }, { parent: this }));

        const slowLog = new aws.cloudwatch.LogGroup(`${name}-slow-log`, {
            name: `/aws/elasticache/${id}/slow-log`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags,
        }, { parent: this });

        const token = new random.RandomPassword(`${name}-auth-token`, {
            length: REDIS_TOKEN_LENGTH,
            special: true,
            overrideSpecial: REDIS_TOKEN_SPECIALS,
            minLower: 2, minUpper: 2, minNumeric: 2,
        }, { parent: this, additionalSecretOutputs: ["result"] });
        this.authToken = pulumi.secret(token.result);

        const group = new aws.elasticache.ReplicationGroup(...transform(t?.replicationGroup, `${name}-group`, {
            replicationGroupId: id,
            description: `tms ${args.environment} Redis`,
            ...replicationSettings(args),
            authToken: this.authToken,
            kmsKeyId: args.kmsKeyArn,
            subnetGroupName: subnetGroup.name,
            parameterGroupName: parameterGroup.name,
            securityGroupIds: [args.securityGroupId],
            logDeliveryConfigurations: [{
                destination: slowLog.name,
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType: "slow-log",
            }],
            tags,
        }, { parent: this, protect: args.protect, additionalSecretOutputs: ["authToken"] }));

        this.primaryEndpoint = group.primaryEndpointAddress;
        this.readerEndpoint = group.readerEndpointAddress;
        this.port = group.port.apply((p) => p ?? REDIS_PORT);
        this.arn = group.arn;
        this.replicationGroupId = group.id;
        this.registerOutputs({ primaryEndpoint: this.primaryEndpoint, readerEndpoint: this.readerEndpoint, port: this.port });
    }
}
