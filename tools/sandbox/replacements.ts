/**
 * Properties of the stateful resource types that AWS cannot change in place: a change to one of
 * them makes the fake provider's `diff` ask the engine for a replacement, as the real AWS provider
 * does. One row per type, with the AWS page each fact comes from. The fake providers (and the engine
 * tests that check a weight step replaces nothing) read this table; nothing else decides replacement.
 */
import type * as aws from "@pulumi/aws";

export interface ReplaceRule<Args = Record<string, unknown>> {
    /** Pulumi input property names (top level); typed against the resource's Args, so a typo does not compile. */
    properties: (keyof Args & string)[];
    /** AWS documentation stating that these settings are fixed at creation. */
    source: string;
}

/** A rule checked against the Args type of its resource. */
const rule = <Args>(r: ReplaceRule<Args>): ReplaceRule => r as ReplaceRule;

const s3Bucket = rule<aws.s3.BucketArgs>({
    properties: ["bucket", "bucketPrefix"],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (a bucket cannot be renamed after creation)",
});

export const REPLACE_ON_CHANGE: Record<string, ReplaceRule> = {
    "aws:docdb/cluster:Cluster": rule<aws.docdb.ClusterArgs>({
        properties: ["engine", "storageEncrypted", "kmsKeyId", "dbSubnetGroupName", "masterUsername"],
        source: "https://docs.aws.amazon.com/documentdb/latest/developerguide/db-cluster-parameters.html (Engine, DBSubnetGroupName, KmsKeyId, MasterUsername and StorageEncrypted: Modifiable = No)",
    }),
    "aws:docdb/clusterInstance:ClusterInstance": rule<aws.docdb.ClusterInstanceArgs>({
        properties: ["clusterIdentifier", "availabilityZone", "engine"],
        source: "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-docdb-dbinstance.html (DBClusterIdentifier, AvailabilityZone: Update requires Replacement); ModifyDBInstance has no engine or cluster parameter",
    }),
    "aws:elasticache/replicationGroup:ReplicationGroup": rule<aws.elasticache.ReplicationGroupArgs>({
        properties: ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "port"],
        source:
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html (\"You cannot modify the value of AtRestEncryptionEnabled after the replication group is created\"); " +
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ModifyReplicationGroup.html (no parameter for the id, KMS key, subnet group or port)",
    }),
    "aws:s3/bucket:Bucket": s3Bucket,
    "aws:s3/bucketV2:BucketV2": s3Bucket,
    "aws:kms/key:Key": rule<aws.kms.KeyArgs>({
        properties: ["keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId"],
        source:
            "https://docs.aws.amazon.com/kms/latest/developerguide/create-keys.html (key type, key usage, key spec, origin and custom key store: \"You cannot change these properties after the KMS key is created\"); " +
            "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html (a single-Region key cannot become multi-Region)",
    }),
    "aws:ecr/repository:Repository": rule<aws.ecr.RepositoryArgs>({
        properties: ["name", "encryptionConfigurations"],
        source: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-edit.html (only tag mutability and scan settings can be edited; \"the encryption settings for a repository can't be changed once the repository is created\")",
    }),
    "aws:dynamodb/table:Table": rule<aws.dynamodb.TableArgs>({
        properties: ["name", "hashKey", "rangeKey", "localSecondaryIndexes"],
        source:
            "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html (UpdateTable cannot change the table name or key schema); " +
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html (local secondary indexes are created with the table)",
    }),
};

/** Of the changed top-level properties, those that force a replacement of a resource of this type. Pure. */
export function replacedProperties(type: string, changed: string[]): string[] {
    const rule = REPLACE_ON_CHANGE[type];
    return rule ? changed.filter((p) => rule.properties.includes(p)) : [];
}
