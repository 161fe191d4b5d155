/** DocumentDB and ElastiCache (Redis) policies. */
import { exceptionOf, isSet, list, ofTypes, read, resourcePolicy, stackPolicy, str, UNKNOWN } from "./common";
import type { PolicyConfig } from "./common";

export const DATA_TYPES = {
    docdbCluster: "aws:docdb/cluster:Cluster",
    docdbParameterGroup: "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    docdbGlobalCluster: "aws:docdb/globalCluster:GlobalCluster",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
} as const;

function parameter(props: Record<string, any>, name: string): string | undefined {
    const p = list(read(props, "parameters")).find(x => read(x, "name") === name);
    return p ? str(read(p, "value")) : undefined;
}

// ---------------------------------------------------------------------------------------------
// DocumentDB
// ---------------------------------------------------------------------------------------------

export const docdbEncryptionCustomerKey = resourcePolicy({
    name: "docdb-encryption-customer-key",
    description: "DocumentDB clusters are encrypted at rest with a customer-managed KMS key (global clusters with storage encryption).",
    metadata: {
        control: "FSBP DocumentDB.1",
        severity: "high",
        area: "database",
        remediation: "Set `storageEncrypted: true` and `kmsKeyId` to the stack's data KMS key ARN.",
    },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbGlobalCluster],
    validate: (props, args, report) => {
        const enc = read(props, "storageEncrypted");
        if (enc !== true && enc !== UNKNOWN) report("Storage is not encrypted: set `storageEncrypted: true`.");
        if (args.type === DATA_TYPES.docdbCluster && !isSet(props, "kmsKeyId")) {
            report("No customer-managed key: set `kmsKeyId` to a KMS key ARN (the AWS-managed key is not allowed).");
        }
    },
});

/**
 * `tls` values that refuse TLS 1.0 and 1.1. `enabled` accepts TLS 1.0 through 1.3 and `disabled` no TLS
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/API_Parameter.html).
 */
export const DOCDB_STRONG_TLS = ["tls1.2+", "tls1.3+", "fips-140-3"];

export const docdbTls = resourcePolicy({
    name: "docdb-tls-version",
    description: `DocumentDB clusters use a custom cluster parameter group, and parameter groups set \`tls\` to ` +
        `${DOCDB_STRONG_TLS.join(", ")} (\`enabled\` still accepts TLS 1.0 and 1.1).`,
    metadata: {
        control: "FSBP DocumentDB.6 (encryption in transit; review finding: `enabled` accepts TLS 1.0)",
        severity: "high",
        area: "database",
        remediation:
            'Create an `aws.docdb.ClusterParameterGroup` with parameter `tls` = "tls1.2+" and set `dbClusterParameterGroupName` on the ' +
            'cluster.',
    },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbParameterGroup],
    validate: (props, args, report) => {
        if (args.type === DATA_TYPES.docdbCluster) {
            const group = read(props, "dbClusterParameterGroupName");
            if (group === undefined || (typeof group === "string" && group.startsWith("default."))) {
                report(
                    'The cluster uses the default parameter group: set `dbClusterParameterGroupName` to a group that sets `tls` to ' +
                    '"tls1.2+".',
                );
            }
            return;
        }
        const tls = parameter(props, "tls");
        if (tls === undefined) report('Parameter `tls` is not set (the default accepts TLS 1.0): add `{ name: "tls", value: "tls1.2+" }`.');
        else if (!DOCDB_STRONG_TLS.includes(tls)) {
            report(
                `Parameter \`tls\` is "${tls}", which ` +
                    `${tls === "disabled"
                        ? "accepts plaintext connections"
                        : tls === "enabled" ? "accepts TLS 1.0 and 1.1" : "is not a TLS floor"}` +
                    `: set it to "tls1.2+".`,
            );
        }
    },
});

export const docdbAuditLogs = resourcePolicy({
    name: "docdb-audit-log-export",
    description: "DocumentDB clusters export audit logs to CloudWatch, and parameter groups turn `audit_logs` on.",
    metadata: {
        control: "FSBP DocumentDB.4",
        severity: "medium",
        area: "database",
        remediation:
            'Set `enabledCloudwatchLogsExports: ["audit", "profiler"]` on the cluster and parameter `audit_logs` = "enabled" in its ' +
            'parameter group.',
    },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbParameterGroup],
    validate: (props, args, report) => {
        if (args.type === DATA_TYPES.docdbCluster) {
            const exports = read(props, "enabledCloudwatchLogsExports");
            if (exports !== UNKNOWN && !list(exports).includes("audit"))
                report('Audit logs are not exported: add "audit" to `enabledCloudwatchLogsExports`.');
            return;
        }
        const audit = parameter(props, "audit_logs");
        if (audit === undefined || audit === "disabled" || audit === "none") {
            report(`Parameter \`audit_logs\` is ${audit === undefined ? "not set" : `"${audit}"`}: set it to "enabled".`);
        }
    },
});

/** FSBP DocumentDB.2's default `minimumBackupRetentionPeriod` (https://docs.aws.amazon.com/securityhub/latest/userguide/documentdb-controls.html#documentdb-2). */
export const DOCDB_MIN_BACKUP_DAYS = 7;

export const docdbBackupRetention = resourcePolicy({
    name: "docdb-backup-retention",
    description: `DocumentDB backup retention is at least ${DOCDB_MIN_BACKUP_DAYS} days, or the stack's \`minimumDays\` (prod and dr: ` +
        `30); fewer days only as a reasoned exception in policy config.`,
    metadata: {
        control: "FSBP DocumentDB.2",
        severity: "high",
        area: "database",
        exceptions: true,
        remediation:
            "Set `backupRetentionPeriod` (tms:database.backupRetentionDays) to at least the minimum, or give the stack an explicit " +
            "exception in policy/config/<stack>.json.",
    },
    types: [DATA_TYPES.docdbCluster],
    validate: (props, args, report) => {
        const min = exceptionOf(args.getConfig<PolicyConfig>(), DOCDB_MIN_BACKUP_DAYS, report).minimumDays!;
        const days = read(props, "backupRetentionPeriod");
        if (days === UNKNOWN) return;
        const n = typeof days === "number" ? days : 1; // AWS default is 1 day
        if (n < min)
            report(`backupRetentionPeriod is ${days === undefined ? "unset (1 day)" : `${n} days`}; this stack requires at least ${min}.`);
    },
});

export const docdbDeletionProtection = resourcePolicy({
    name: "docdb-deletion-protection",
    description:
        "DocumentDB clusters have deletion protection on and keep a final snapshot, unless the stack's policy config makes a reasoned " +
        "exception.",
    metadata: {
        control: "FSBP DocumentDB.5",
        severity: "high",
        area: "database",
        exceptions: true,
        remediation:
            "Set `deletionProtection: true`, `skipFinalSnapshot: false` and a `finalSnapshotIdentifier`, or give the stack an explicit " +
            "exception in policy/config/<stack>.json.",
    },
    types: [DATA_TYPES.docdbCluster],
    validate: (props, args, report) => {
        if (!exceptionOf(args.getConfig<PolicyConfig>(), undefined, report).required) return;
        if (read(props, "deletionProtection") !== true)
            report(
                "Deletion protection is off: set `deletionProtection: true`, or make a reasoned exception in the stack's policy config.",
            );
        if (read(props, "skipFinalSnapshot") === true)
            report("`skipFinalSnapshot` is true: set it to false and give a `finalSnapshotIdentifier`.");
    },
});

/**
 * DocumentDB exports each log type to `/aws/docdb/<cluster>/<type>`
 * (https://docs.aws.amazon.com/documentdb/latest/developerguide/event-auditing.html). Left to AWS, the
 * group is created on first export without retention or key; the stack must create it first (and the
 * log-group policies then require retention and a customer key on it).
 */
export const docdbLogGroups = stackPolicy({
    name: "docdb-log-groups",
    description:
        "Every log type a DocumentDB cluster exports goes to a log group the stack creates (`/aws/docdb/<cluster>/<type>`) before the " +
        "cluster.",
    metadata: {
        control: "FSBP CloudWatch.16, DocumentDB.4",
        severity: "medium",
        area: "logging",
        remediation:
            "Create an `aws.cloudwatch.LogGroup` named `/aws/docdb/<clusterIdentifier>/<type>` (retention, logs key) for each exported " +
            "type and add it to the cluster's `dependsOn`.",
    },
    validate: (args, report) => {
        const groups = ofTypes(args.resources, [DATA_TYPES.logGroup]);
        for (const cluster of ofTypes(args.resources, [DATA_TYPES.docdbCluster])) {
            const id = read(cluster.props, "clusterIdentifier");
            const exports = read(cluster.props, "enabledCloudwatchLogsExports");
            if (typeof id !== "string" || exports === UNKNOWN) continue;
            for (const type of list(exports)) {
                const name = `/aws/docdb/${id}/${type}`;
                const group = groups.find((g) => read(g.props, "name") === name);
                if (!group)
                    report(
                        `Cluster "${cluster.name}" exports ${type} logs but the stack creates no log group "${name}": AWS would create ` +
                        `it without retention or key.`,
                        cluster.urn,
                    );
                else if (!cluster.dependencies.some((d) => d.urn === group.urn))
                    report(
                        `Cluster "${cluster.name}" does not depend on its log group "${name}": add it to \`dependsOn\` so it exists ` +
                        `before the first export.`,
                        cluster.urn,
                    );
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// ElastiCache (Redis)
// ---------------------------------------------------------------------------------------------

function redisPolicy(
    name: string, description: string, control: string, severity: "low" | "medium" | "high",
    remediation: string, check: (props: Record<string, any>) => string | undefined,
) {
    return resourcePolicy({
        name, description,
        metadata: { control, severity, remediation, area: "cache" },
        types: [DATA_TYPES.replicationGroup],
        validate: (props, _args, report) => {
            const problem = check(props);
            if (problem) report(problem);
        },
    });
}

function isFalse(props: Record<string, any>, key: string): boolean {
    const v = read(props, key);
    return v !== true && v !== UNKNOWN;
}

export const elasticacheEncryptionAtRest = redisPolicy(
    "elasticache-encryption-at-rest", "Redis replication groups are encrypted at rest.", "FSBP ElastiCache.4", "high",
    "Set `atRestEncryptionEnabled: true` (and `kmsKeyId` for a customer key).",
    p => (isFalse(p, "atRestEncryptionEnabled") ? "Encryption at rest is off: set `atRestEncryptionEnabled: true`." : undefined),
);

export const elasticacheEncryptionInTransit = redisPolicy(
    "elasticache-encryption-in-transit", "Redis replication groups encrypt traffic in transit.", "FSBP ElastiCache.5", "high",
    "Set `transitEncryptionEnabled: true`.",
    p => (isFalse(p, "transitEncryptionEnabled") ? "Encryption in transit is off: set `transitEncryptionEnabled: true`." : undefined),
);

export const elasticacheAuth = redisPolicy(
    "elasticache-auth", "Redis requires authentication (AUTH token or RBAC user groups).", "FSBP ElastiCache.6", "high",
    "Set `authToken` from a generated secret (random.RandomPassword) or attach `userGroupIds`.",
    (p) =>
        isSet(p, "authToken") || isSet(p, "userGroupIds")
            ? undefined
            : "Redis accepts unauthenticated clients: set `authToken` (from Secrets Manager) or `userGroupIds`.",
);

export const elasticacheAutomaticFailover = redisPolicy(
    "elasticache-automatic-failover", "Redis replication groups fail over automatically.", "FSBP ElastiCache.3", "medium",
    "Set `automaticFailoverEnabled: true` and `multiAzEnabled: true` with at least two nodes.",
    (p) =>
        isFalse(p, "automaticFailoverEnabled")
            ? "Automatic failover is off: set `automaticFailoverEnabled: true` (and `multiAzEnabled: true`)."
            : undefined,
);

export const elasticacheSnapshots = redisPolicy(
    "elasticache-snapshots", "Redis keeps automatic snapshots (retention of at least one day).", "FSBP ElastiCache.1", "medium",
    "Set `snapshotRetentionLimit` to 1 or more and a `snapshotWindow` outside the maintenance slot.",
    p => {
        const n = read(p, "snapshotRetentionLimit");
        if (n === UNKNOWN) return undefined;
        return typeof n === "number" && n >= 1 ? undefined : `snapshotRetentionLimit is ${n ?? "unset (0)"}: set it to at least 1 day.`;
    },
);

export const elasticacheSubnetGroup = redisPolicy(
    "elasticache-subnet-group", "Redis runs in its own subnet group, not the default one.", "FSBP ElastiCache.7", "medium",
    "Create an `aws.elasticache.SubnetGroup` over the private data subnets and set `subnetGroupName`.",
    p => {
        const g = read(p, "subnetGroupName");
        if (g === UNKNOWN) return undefined;
        return g === undefined || g === "" || g === "default"
            ? "Redis uses the default subnet group: set `subnetGroupName` to a dedicated group of private subnets."
            : undefined;
    },
);

/**
 * ROTATE keeps the old AUTH token valid next to the new one, SET drops it; without a strategy a
 * replaced token is applied as the provider defaults, and the documented ROTATE-then-SET never happens
 * (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html#auth-modifyng-token).
 */
export const elasticacheAuthTokenUpdateStrategy = redisPolicy(
    "elasticache-auth-token-update-strategy",
    "Redis replication groups with an AUTH token say how a new token is applied (SET or ROTATE).",
    "FSBP ElastiCache.6",
    "medium",
    'Set `authTokenUpdateStrategy: "SET"` (tms:cache.authTokenUpdateStrategy); use ROTATE only during a rotation, then SET again.',
    (p) => {
        if (!isSet(p, "authToken")) return undefined;
        const s = read(p, "authTokenUpdateStrategy");
        if (s === UNKNOWN || s === "SET" || s === "ROTATE") return undefined;
        return `authTokenUpdateStrategy is ${s === undefined ? "unset" : `"${s}"`}: set it to "SET" (or "ROTATE" while rotating) so a ` +
            `new token replaces the old one deliberately.`;
    },
);

export const elasticacheAutoMinorVersionUpgrade = redisPolicy(
    "elasticache-auto-minor-version-upgrade",
    "Redis replication groups apply minor engine upgrades automatically.",
    "FSBP ElastiCache.2",
    "medium",
    "Set `autoMinorVersionUpgrade: true`.",
    (p) =>
        read(p, "autoMinorVersionUpgrade") === false
            ? "Automatic minor version upgrades are off: set `autoMinorVersionUpgrade: true`."
            : undefined,
);

export const dataPolicies = [
    docdbEncryptionCustomerKey,
    docdbTls,
    docdbAuditLogs,
    docdbBackupRetention,
    docdbDeletionProtection,
    elasticacheEncryptionAtRest,
    elasticacheEncryptionInTransit,
    elasticacheAuth,
    elasticacheAuthTokenUpdateStrategy,
    elasticacheAutomaticFailover,
    elasticacheSnapshots,
    elasticacheSubnetGroup,
    elasticacheAutoMinorVersionUpgrade,
];

export const dataStackPolicies = [docdbLogGroups];
