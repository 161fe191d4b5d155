/**
 * The DocumentDB (MongoDB-compatible) cluster of one environment: subnet group on the isolated
 * subnets, a cluster parameter group that enforces TLS 1.2+ and turns on audit logs and the profiler,
 * their log groups (retention, logs key), storage encrypted with the database key, and the instances.
 *
 * Global clusters (prod → dr): prod (`globalCluster: primary`) creates an `aws.docdb.GlobalCluster`
 * and joins it as the primary; dr (`secondary`) creates a headless-credential cluster that joins the
 * same global cluster as a read-only secondary. Storage-level replication of a global cluster runs
 * with a typical lag under one second, which is how the 5-minute RPO holds (see docs/data.md).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { MONGO_PORT } from "./network";
import { serviceTags } from "../config/naming";
import type { DrRole } from "../config/vocabulary";
import { docdbUriOptions } from "./image-contract";
import { transform, type Transform } from "./transform";

/** The engine version when the args give none (DocumentDB 5.0, the `docdb5.0` parameter family). */
export const DOCDB_ENGINE_VERSION = "5.0.0";

/** The master user of the cluster; fixed so connection strings and runbooks agree. */
export const MASTER_USERNAME = "tmsadmin";

/**
 * Characters of the generated master password. DocumentDB rejects `/`, `"`, `@` and spaces; the
 * specials kept here are also safe in a `mongodb://` URI once percent-encoded.
 */
export const DOCDB_PASSWORD_SPECIALS = "!#$%^&*()-_=+[]{}<>?~";

/** The DocumentDB 5.0 cluster parameter family. */
export const DOCDB_FAMILY = "docdb5.0";

/** The global cluster prod creates and dr joins. */
export const GLOBAL_CLUSTER_IDENTIFIER = "tms-global-docdb";

/** `tms-<env>-docdb`: cluster identifiers are regional, so prod and dr can share it. */
export const clusterIdentifier = (environment: string) => `tms-${environment}-docdb`;

/**
 * The `tls` value: `tls1.2+` accepts TLS 1.2 and later only, whereas `enabled` accepts TLS 1.0
 * through 1.3 (https://docs.aws.amazon.com/documentdb/latest/developerguide/API_Parameter.html;
 * `tls1.2+` needs DocumentDB 5.0 engine 3.0.11051 or later, which new 5.0 clusters run).
 */
export const DOCDB_TLS = "tls1.2+";

/**
 * Cluster parameters: TLS 1.2 or later only, and `audit_logs` and `profiler` feeding the CloudWatch
 * log exports below.
 */
export function clusterParameters(): { name: string; value: string; applyMethod: string }[] {
    return [
        // tls is a static parameter: it takes effect at the next reboot (new clusters start with it).
        { name: "tls", value: DOCDB_TLS, applyMethod: "pending-reboot" },
        { name: "audit_logs", value: "enabled", applyMethod: "immediate" },
        { name: "profiler", value: "enabled", applyMethod: "immediate" },
        // Operations slower than 100 ms are profiled (the default threshold).
        { name: "profiler_threshold_ms", value: "100", applyMethod: "immediate" },
    ];
}

/** The log types exported to CloudWatch Logs. */
export const DOCDB_LOG_EXPORTS = ["audit", "profiler"] as const;

/**
 * The log group DocumentDB exports a log type to: `/aws/docdb/<cluster>/<type>`
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/event-auditing.html,
 * https://docs.aws.amazon.com/documentdb/latest/developerguide/profiling.html). Created here, before the
 * cluster, so they get a retention and the logs key instead of AWS's never-expiring, unencrypted default.
 */
export const docdbLogGroupName = (clusterId: string, logType: string) => `/aws/docdb/${clusterId}/${logType}`;

/** The backup, maintenance and deletion fields of the args. */
export type LifecycleSettingsArgs = Pick<DocumentDbClusterArgs,
    "backupRetentionDays" | "preferredBackupWindow" | "preferredMaintenanceWindow" | "deletionProtection" | "finalSnapshot">;

/**
 * Backup, maintenance and deletion settings from the args. Every environment but dev
 * (`finalSnapshot: false`) keeps a final snapshot, so a replacement or destroy never loses the data.
 */
export function lifecycleSettings(environment: string, db: LifecycleSettingsArgs) {
    const keepFinalSnapshot = db.finalSnapshot ?? true;
    return {
        backupRetentionPeriod: db.backupRetentionDays,
        preferredBackupWindow: db.preferredBackupWindow,
        preferredMaintenanceWindow: db.preferredMaintenanceWindow,
        deletionProtection: db.deletionProtection,
        skipFinalSnapshot: !keepFinalSnapshot,
        finalSnapshotIdentifier: keepFinalSnapshot ? `${clusterIdentifier(environment)}-final` : undefined,
    };
}

export interface DocumentDbClusterArgs {
    /** Short environment id (dev, staging, prod, dr): cluster identifier `tms-<env>-docdb` (plain: it names resources). */
    environment: string;
    /** DocumentDB instance class, e.g. `db.r5.large`. */
    instanceClass: pulumi.Input<string>;
    /** Number of instances (plain: one `aws.docdb.ClusterInstance` each; the first are the failover targets). */
    instances: number;
    /**
     * DocumentDB engine version (of the `docdb5.0` parameter family).
     * @default "5.0.0"
     */
    engineVersion?: pulumi.Input<string>;
    /** Days automated backups are kept (1–35). */
    backupRetentionDays: pulumi.Input<number>;
    /** Daily backup window, `hh:mm-hh:mm` UTC. */
    preferredBackupWindow: pulumi.Input<string>;
    /** Weekly maintenance window of the cluster and its instances, `ddd:hh:mm-ddd:hh:mm` UTC. */
    preferredMaintenanceWindow: pulumi.Input<string>;
    /** AWS-side deletion protection of the cluster (and of the global cluster, primary only). */
    deletionProtection: pulumi.Input<boolean>;
    /**
     * Take a final snapshot `tms-<env>-docdb-final` when the cluster is deleted or replaced (plain: it decides
     * whether the snapshot identifier is set).
     * @default true
     */
    finalSnapshot?: boolean;
    /**
     * The cluster's part in a global cluster (plain: it decides which resources exist): `primary` creates
     * the global cluster and joins it, `secondary` joins `globalClusterIdentifier` without credentials
     * of its own, `none` stands alone.
     */
    globalCluster: DrRole;
    /** Isolated subnets (no route to the internet) for the subnet group. */
    subnetIds: pulumi.Input<string[]>;
    /** The network's database security group (reachable from the services only, on 27017). */
    securityGroupId: pulumi.Input<string>;
    /** ARN of this region's database KMS key (storage encryption). */
    kmsKeyArn: pulumi.Input<string>;
    /** ARN of this region's logs KMS key (the audit and profiler log groups). */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the audit and profiler log groups, in days (a CloudWatch retention period). */
    logRetentionDays: pulumi.Input<number>;
    /** `protect` the cluster, its instances and the global cluster (plain: a resource option). */
    protect: boolean;
    /**
     * Secondary only: the global cluster to join (prod's `globalClusterId` output). Required when
     * `globalCluster` is `secondary`, not used otherwise.
     * @default none (a primary creates its own, a standalone cluster joins none)
     */
    globalClusterIdentifier?: pulumi.Input<string>;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: DocumentDbClusterTransforms;
}

/** The children of a `DocumentDbCluster` a user can adjust. */
export interface DocumentDbClusterTransforms {
    /**
     * The `aws.docdb.Cluster`.
     * @default none (the args as computed)
     */
    cluster?: Transform<aws.docdb.ClusterArgs>;
    /**
     * Each `aws.docdb.ClusterInstance` (the function form gets the instance's name, `<name>-instance-<n>`).
     * @default none (the args as computed)
     */
    instance?: Transform<aws.docdb.ClusterInstanceArgs>;
    /**
     * The `aws.docdb.SubnetGroup`.
     * @default none (the args as computed)
     */
    subnetGroup?: Transform<aws.docdb.SubnetGroupArgs>;
    /**
     * The `aws.docdb.ClusterParameterGroup` (its `parameters` replace `clusterParameters()`).
     * @default none (the args as computed)
     */
    parameterGroup?: Transform<aws.docdb.ClusterParameterGroupArgs>;
}

/** Validate the args that config validation cannot see (the global cluster link). */
export function validateDatabaseArgs(args: Pick<DocumentDbClusterArgs, "globalCluster" | "globalClusterIdentifier">): void {
    if (args.globalCluster === "secondary" && args.globalClusterIdentifier === undefined) {
        throw new Error("DocumentDbCluster: a secondary cluster needs globalClusterIdentifier (prod's globalClusterId output)");
    }
}

export class DocumentDbCluster extends pulumi.ComponentResource {
    /** Cluster (writer) endpoint. */
    readonly endpoint: pulumi.Output<string>;
    readonly readerEndpoint: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly clusterIdentifier: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** Global cluster id (primary only). */
    readonly globalClusterId?: pulumi.Output<string>;
    /** The master user name (the secondary inherits the primary's). */
    readonly masterUsername: string;
    /** Generated master password, a Pulumi secret (absent on a secondary: it has no credentials of its own). */
    readonly masterPassword?: pulumi.Output<string>;
    readonly instances: aws.docdb.ClusterInstance[];

    constructor(name: string, args: DocumentDbClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:DocumentDbCluster", name, {}, opts);
        validateDatabaseArgs(args);
        const db = args;
        const t = args.transform;
        const engineVersion = db.engineVersion ?? DOCDB_ENGINE_VERSION;
        const id = clusterIdentifier(args.environment);
        const stateful = { parent: this, protect: args.protect };
        const tags = serviceTags("database");

        const subnetGroup = new aws.docdb.SubnetGroup(...transform(t?.subnetGroup, `${name}-subnets`, {
            name: id,
            description: `tms ${args.environment} DocumentDB isolated subnets`,
            subnetIds: args.subnetIds,
            tags,
        }, { parent: this }));

        const parameterGroup = new aws.docdb.ClusterParameterGroup(...transform(t?.parameterGroup, `${name}-params`, {
            name: `${id}-${DOCDB_FAMILY.replace(".", "-")}`,
            family: DOCDB_FAMILY,
            description: "tms: TLS 1.2+ required, audit logs and profiler on",
            parameters: clusterParameters(),
            tags,
        }, { parent: this }));

        const logGroups = DOCDB_LOG_EXPORTS.map((type) => new aws.cloudwatch.LogGroup(`${name}-${type}-log`, {
            name: docdbLogGroupName(id, type),
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags,
        }, { parent: this }));

        let globalClusterIdentifier: pulumi.Input<string> | undefined;
        if (db.globalCluster === "primary") {
            const global = new aws.docdb.GlobalCluster(`${name}-global`, {
                globalClusterIdentifier: GLOBAL_CLUSTER_IDENTIFIER,
                engine: "docdb",
                engineVersion,
                storageEncrypted: true,
                deletionProtection: db.deletionProtection,
            }, stateful);
            this.globalClusterId = global.id;
            globalClusterIdentifier = global.id;
        } else if (db.globalCluster === "secondary") {
            globalClusterIdentifier = args.globalClusterIdentifier;
        }

        // A secondary has no master credentials: it receives the primary's users through replication.
        this.masterUsername = MASTER_USERNAME;
        let credentials: { masterUsername?: string; masterPassword?: pulumi.Input<string> } = {};
        if (db.globalCluster !== "secondary") {
            const password = new random.RandomPassword(`${name}-master-password`, {
                length: 32,
                special: true,
                overrideSpecial: DOCDB_PASSWORD_SPECIALS,
                minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 1,
            }, { parent: this, additionalSecretOutputs: ["result"] });
            this.masterPassword = pulumi.secret(password.result);
            credentials = { masterUsername: MASTER_USERNAME, masterPassword: this.masterPassword };
        }

        const cluster = new aws.docdb.Cluster(...transform(t?.cluster, `${name}-cluster`, {
            clusterIdentifier: id,
            engine: "docdb",
            engineVersion,
            port: MONGO_PORT,
            ...credentials,
            dbSubnetGroupName: subnetGroup.name,
            dbClusterParameterGroupName: parameterGroup.name,
            vpcSecurityGroupIds: [args.securityGroupId],
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            enabledCloudwatchLogsExports: [...DOCDB_LOG_EXPORTS],
            globalClusterIdentifier,
            ...lifecycleSettings(args.environment, db),
            tags,
        }, {
            ...stateful,
            // The groups exist before the first export, so AWS does not create them without retention or key.
            dependsOn: logGroups,
            additionalSecretOutputs: ["masterPassword"],
            // After a regional failover ("detach and promote") the secondary leaves the global cluster on
            // purpose; a later `pulumi up` must not try to re-attach the now-writable cluster.
            ignoreChanges: db.globalCluster === "secondary" ? ["globalClusterIdentifier"] : [],
        }));

        this.instances = Array.from({ length: db.instances }, (_, i) => new aws.docdb.ClusterInstance(...transform(t?.instance,
            `${name}-instance-${i + 1}`, {
            identifier: `${id}-${i + 1}`,
            clusterIdentifier: cluster.id,
            engine: "docdb",
            instanceClass: db.instanceClass,
            preferredMaintenanceWindow: db.preferredMaintenanceWindow,
            autoMinorVersionUpgrade: true,
            // The first instances are the preferred failover targets.
            promotionTier: Math.min(i, 15),
            tags,
        }, { ...stateful })));

        this.endpoint = cluster.endpoint;
        this.readerEndpoint = cluster.readerEndpoint;
        this.port = cluster.port.apply((p) => p ?? MONGO_PORT);
        this.clusterIdentifier = cluster.clusterIdentifier;
        this.arn = cluster.arn;
        this.registerOutputs({
            endpoint: this.endpoint,
            readerEndpoint: this.readerEndpoint,
            clusterIdentifier: this.clusterIdentifier,
            globalClusterId: this.globalClusterId,
        });
    }
}

/**
 * A connection string to the cluster's default database. DocumentDB requires TLS (verified against the
 * image contract's CA bundle), supports only the `rs0` replica set name, and does not support
 * retryable writes; reads go to secondaries. Services connect as their own users (database-users.ts).
 */
export function mongodbUri(username: string, password: string, host: string, port: number): string {
    return `mongodb://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/?${docdbUriOptions()}`;
}
