/**
 * What `tms:protectStatefulResources` guards, in one place (docs/protection.md).
 *
 * A `pulumi destroy` of a protected stack deletes resources in dependency order until it reaches the
 * first protected one: protecting only the stateful resources let a refused destroy of prod delete 296
 * of its 364 resources first (secrets, random values, bucket controls, the replication configuration,
 * trails, log groups). So in a protected stack every resource is protected except the serving path:
 * resources the next `pulumi up` recreates as they were, with no data, audit record or identity lost
 * (the ECS services, their task definitions, scaling and Cloud Map entries, and the load balancer's
 * listeners, rules and target groups). A refused destroy can take the service down; it cannot lose
 * anything.
 *
 * Where deleting the AWS resource would lose data or an audit trail, it is also retained: Pulumi forgets
 * it instead of deleting it when the program stops declaring it or replaces it (a changed name or
 * another ForceNew change), and AWS keeps it.
 */
import * as pulumi from "@pulumi/pulumi";

/** The serving path: left unprotected, recreated by the next `up` (also replaced by every release: task definitions). */
export const SERVING_PATH_TYPES: readonly string[] = [
    "aws:ecs/service:Service",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy",
    "aws:servicediscovery/service:Service",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
];

/** Types whose deletion in AWS loses data or audit records: retained on delete and on replacement, with the reason. */
export const RETAINED_TYPES: Readonly<Record<string, string>> = {
    "aws:secretsmanager/secret:Secret": "the secret's values (a deleted secret is gone after its recovery window)",
    "aws:secretsmanager/secretVersion:SecretVersion": "deleting a version removes the secret's current value",
    "aws:ssm/parameter:Parameter": "the service's settings",
    "aws:cloudwatch/logGroup:LogGroup": "the logs",
    "aws:s3/bucket:Bucket": "the objects",
    "aws:s3/bucketVersioning:BucketVersioning": "deleting it suspends versioning: later overwrites and deletes lose the old versions",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "deleting it lifts the public-access blocks",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "deleting it drops SSE-KMS back to S3's default",
    "aws:s3/bucketPolicy:BucketPolicy": "deleting it drops the TLS-only rule and the log-delivery grants (logs are lost silently)",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "deleting it turns object ACLs back on",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "the retention the audit logs are kept for",
    "aws:s3/bucketLogging:BucketLogging": "deleting it stops the access logs",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "deleting it stops replication to the DR region (new objects have no copy)",
    "aws:cloudtrail/trail:Trail": "deleting it stops the audit trail",
    "aws:kms/key:Key": "deleting schedules the key's deletion: whatever it encrypted becomes unreadable",
    "aws:kms/keyPolicy:KeyPolicy": "deleting it resets the key policy: the roles and services it names lose access",
    "aws:dynamodb/table:Table": "the rollout state and lock",
    "aws:docdb/cluster:Cluster": "the database",
    "aws:docdb/clusterInstance:ClusterInstance": "the database's instances",
    "aws:docdb/globalCluster:GlobalCluster": "the cross-region replication of the database",
    "aws:elasticache/replicationGroup:ReplicationGroup": "the cache and its snapshots",
    "aws:ecr/repository:Repository": "the images",
    "aws:sns/topic:Topic": "the on-call subscriptions",
};

/** The options of a resource of `type` in a protected stack. Pure. */
export function protectionFor(type: string, custom: boolean): { protect?: true; retainOnDelete?: true } {
    if (!custom || SERVING_PATH_TYPES.includes(type) || type.startsWith("pulumi:")) return {};
    return type in RETAINED_TYPES ? { protect: true, retainOnDelete: true } : { protect: true };
}

/**
 * The transformation a protected EnvironmentStack applies to every resource it (and its components)
 * register. It runs in the program (an SDK `transformations` option), so the mock engine records it too.
 */
export const protectOutsideServingPath: pulumi.ResourceTransformation = (args) => {
    const extra = protectionFor(args.type, args.resource instanceof pulumi.CustomResource);
    if (!extra.protect) return undefined;
    return { props: args.props, opts: { ...args.opts, ...extra } };
};

/**
 * The same rule for the children of a packaged (remote) component, which only resource `transforms`
 * reach (the awsx VPC's subnets, route tables, NAT gateways).
 */
export const protectRemoteChildren: pulumi.ResourceTransform = (args) => {
    const extra = protectionFor(args.type, args.custom);
    if (!extra.protect) return undefined;
    return { props: args.props, opts: { ...args.opts, ...extra } };
};
