/** DocumentDB and ElastiCache (Redis) policies. */
import { isSet, list, read, resourceEnvironment, resourcePolicy, rulesFor, str, UNKNOWN } from "./common";

export const DATA_TYPES = {
    docdbCluster: "aws:docdb/cluster:Cluster",
    docdbParameterGroup: "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    docdbGlobalCluster: "aws:docdb/globalCluster:GlobalCluster",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
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
    metadata: { control: "FSBP DocumentDB.1", severity: "high", area: "database", remediation: "Set `storageEncrypted: true` and `kmsKeyId` to the stack's data KMS key ARN." },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbGlobalCluster],
    validate: (props, args, report) => {
        const enc = read(props, "storageEncrypted");
        if (enc !== true && enc !== UNKNOWN) report("Storage is not encrypted: set `storageEncrypted: true`.");
        if (args.type === DATA_TYPES.docdbCluster && !isSet(props, "kmsKeyId")) {
            report("No customer-managed key: set `kmsKeyId` to a KMS key ARN (the AWS-managed key is not allowed).");
        }
    },
});

export const docdbTls = resourcePolicy({
    name: "docdb-tls-enabled",
    description: "DocumentDB clusters use a custom cluster parameter group, and parameter groups keep `tls` enabled.",
    metadata: {
        control: "FSBP DocumentDB (encryption in transit; NIST SC-8)", severity: "high", area: "database",
        remediation: "Create an `aws.docdb.ClusterParameterGroup` with parameter `tls` = \"enabled\" (or tls1.2+/tls1.3+) and set `dbClusterParameterGroupName` on the cluster.",
    },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbParameterGroup],
    validate: (props, args, report) => {
        if (args.type === DATA_TYPES.docdbCluster) {
            const group = read(props, "dbClusterParameterGroupName");
            if (group === undefined || (typeof group === "string" && group.startsWith("default."))) {
                report("The cluster uses the default parameter group: set `dbClusterParameterGroupName` to a group that enforces `tls`.");
            }
            return;
        }
        const tls = parameter(props, "tls");
        if (tls === undefined) report("Parameter `tls` is not set: add `{ name: \"tls\", value: \"enabled\" }`.");
        else if (tls === "disabled") report("Parameter `tls` is \"disabled\": set it to \"enabled\" (or \"tls1.2+\").");
    },
});

export const docdbAuditLogs = resourcePolicy({
    name: "docdb-audit-log-export",
    description: "DocumentDB clusters export audit logs to CloudWatch, and parameter groups turn `audit_logs` on.",
    metadata: { control: "FSBP DocumentDB.4", severity: "medium", area: "database", remediation: "Set `enabledCloudwatchLogsExports: [\"audit\", \"profiler\"]` on the cluster and parameter `audit_logs` = \"enabled\" in its parameter group." },
    types: [DATA_TYPES.docdbCluster, DATA_TYPES.docdbParameterGroup],
    validate: (props, args, report) => {
        if (args.type === DATA_TYPES.docdbCluster) {
            const exports = read(props, "enabledCloudwatchLogsExports");
            if (exports !== UNKNOWN && !list(exports).includes("audit")) report("Audit logs are not exported: add \"audit\" to `enabledCloudwatchLogsExports`.");
            return;
        }
        const audit = parameter(props, "audit_logs");
        if (audit === undefined || audit === "disabled" || audit === "none") {
            report(`Parameter \`audit_logs\` is ${audit === undefined ? "not set" : `"${audit}"`}: set it to "enabled".`);
        }
    },
});

export const docdbBackupRetention = resourcePolicy({
    name: "docdb-backup-retention",
    description: "DocumentDB backup retention is at least the environment's minimum (dev 3, staging 7, prod 30, dr 30 days).",
    metadata: {
        control: "FSBP DocumentDB.2", severity: "high", area: "database", environmentAware: true,
        remediation: "Set `backupRetentionPeriod` to at least the environment's minimum in the stack config.",
    },
    types: [DATA_TYPES.docdbCluster],
    validate: (props, args, report) => {
        const env = resourceEnvironment(args);
        const min = rulesFor(env).backupRetentionDays;
        const days = read(props, "backupRetentionPeriod");
        if (days === UNKNOWN) return;
        const n = typeof days === "number" ? days : 1; // AWS default is 1 day
        if (n < min) report(`backupRetentionPeriod is ${days === undefined ? "unset (1 day)" : `${n} days`}; ${env ?? "this stack (treated as prod)"} requires at least ${min}.`);
    },
});

export const docdbDeletionProtection = resourcePolicy({
    name: "docdb-deletion-protection",
    description: "DocumentDB clusters in prod and dr have deletion protection on and keep a final snapshot.",
    metadata: {
        control: "FSBP DocumentDB.5", severity: "high", area: "database", environmentAware: true,
        remediation: "Set `deletionProtection: true`, `skipFinalSnapshot: false` and a `finalSnapshotIdentifier`.",
    },
    types: [DATA_TYPES.docdbCluster],
    validate: (props, args, report) => {
        const env = resourceEnvironment(args);
        if (!rulesFor(env).deletionProtection) return;
        if (read(props, "deletionProtection") !== true) report(`Deletion protection is off in ${env ?? "an unrecognised (treated as prod) stack"}: set \`deletionProtection: true\`.`);
        if (read(props, "skipFinalSnapshot") === true) report("`skipFinalSnapshot` is true: set it to false and give a `finalSnapshotIdentifier`.");
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
    p => (isSet(p, "authToken") || isSet(p, "userGroupIds") ? undefined : "Redis accepts unauthenticated clients: set `authToken` (from Secrets Manager) or `userGroupIds`."),
);

export const elasticacheAutomaticFailover = redisPolicy(
    "elasticache-automatic-failover", "Redis replication groups fail over automatically.", "FSBP ElastiCache.3", "medium",
    "Set `automaticFailoverEnabled: true` and `multiAzEnabled: true` with at least two nodes.",
    p => (isFalse(p, "automaticFailoverEnabled") ? "Automatic failover is off: set `automaticFailoverEnabled: true` (and `multiAzEnabled: true`)." : undefined),
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
        return g === undefined || g === "" || g === "default" ? "Redis uses the default subnet group: set `subnetGroupName` to a dedicated group of private subnets." : undefined;
    },
);

export const dataPolicies = [
    docdbEncryptionCustomerKey, docdbTls, docdbAuditLogs, docdbBackupRetention, docdbDeletionProtection,
    elasticacheEncryptionAtRest, elasticacheEncryptionInTransit, elasticacheAuth, elasticacheAutomaticFailover,
    elasticacheSnapshots, elasticacheSubnetGroup,
];
