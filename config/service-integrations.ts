/**
 * What AWS sends in the request context when one of its services calls on this stack's resources:
 * which confused-deputy keys (`aws:SourceArn`, `aws:SourceAccount`), which encryption context, which
 * `kms:ViaService`. One row per integration, each with the AWS page that says so.
 *
 * Two judges read this table, so they cannot disagree with each other or with AWS:
 * - the policy pack's confused-deputy policies (`policy/service-principals.ts`) demand a guard only
 *   where AWS sends one, and refuse a condition on a key AWS documents it does not send (a statement
 *   whose condition can never match silently breaks the integration);
 * - the access paths (`tools/access-paths/`) build each service's request from the row, and the IAM
 *   simulator judges it against the planned policies.
 *
 * A key a row neither sends nor lists under `notSent` is undocumented: the pack neither demands nor
 * refuses it, and the access paths never send it (a policy that needs it shows up as a broken path).
 */

/** Where the service's permission is decided: a role's trust policy, a key policy, a topic policy, a bucket policy. */
export type IntegrationPolicy = "trust" | "kms-key" | "sns-topic" | "s3-bucket";

export interface ServiceIntegration {
    id: string;
    /** The service principal; `<region>` stands for the resource's region (CloudWatch Logs' principal is regional). */
    service: string;
    policy: IntegrationPolicy;
    /** What the service requests (as IAM actions; a key policy may name them with wildcards). */
    actions: string[];
    /** The integration in plain words. */
    what: string;
    /** Keys AWS sends, each with what its value is (request-context key → description). */
    sends: Partial<Record<"aws:SourceArn" | "aws:SourceAccount", string>>;
    /** Encryption context AWS passes to KMS (context key without the `kms:EncryptionContext:` prefix → value). */
    encryptionContext?: Record<string, string>;
    /** Keys AWS documents it does NOT send: a condition on them never matches. */
    notSent?: string[];
    /** AWS documents that no Condition block at all may be used for this integration. */
    noConditions?: boolean;
    /** The AWS page (or pages) that documents the row. */
    source: string;
}

/** A service acting for a caller (a role) with KMS: what `kms:ViaService` and the encryption context hold. */
export interface ViaServiceIntegration {
    id: string;
    /** The service's name in `kms:ViaService` (`<service>.<region>.amazonaws.com`). */
    service: string;
    what: string;
    /** KMS actions the service calls on the caller's behalf. */
    actions: string[];
    encryptionContext: Record<string, string>;
    source: string;
}

const SNS_KEY_MANAGEMENT = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services";

export const SERVICE_INTEGRATIONS: readonly ServiceIntegration[] = [
    // Roles AWS services assume.
    {
        id: "ecs-tasks-assume", service: "ecs-tasks.amazonaws.com", policy: "trust", actions: ["sts:AssumeRole"],
        what: "ECS tasks assume their task and execution roles",
        sends: {
            "aws:SourceAccount": "the account running the task",
            "aws:SourceArn": "an ECS ARN of that account (arn:aws:ecs:<region>:<account>:*)",
        },
        source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html#create_task_iam_policy_and_role",
    },
    {
        id: "flow-logs-assume", service: "vpc-flow-logs.amazonaws.com", policy: "trust", actions: ["sts:AssumeRole"],
        what: "VPC Flow Logs assumes its delivery role to write to CloudWatch Logs",
        sends: { "aws:SourceAccount": "the flow log's account", "aws:SourceArn": "the flow log's ARN" },
        source: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html",
    },
    {
        id: "cloudtrail-assume", service: "cloudtrail.amazonaws.com", policy: "trust", actions: ["sts:AssumeRole"],
        what: "CloudTrail assumes the role that delivers a trail to CloudWatch Logs",
        sends: { "aws:SourceAccount": "the trail's account", "aws:SourceArn": "the trail's ARN" },
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-prevention.html",
    },
    {
        id: "s3-replication-assume", service: "s3.amazonaws.com", policy: "trust", actions: ["sts:AssumeRole"],
        what: "S3 assumes the replication role of a source bucket",
        sends: { "aws:SourceAccount": "the source bucket's account", "aws:SourceArn": "the source bucket's ARN (it names no account)" },
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html",
    },
    // KMS key policies.
    {
        id: "logs-kms", service: "logs.<region>.amazonaws.com", policy: "kms-key",
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        what: "CloudWatch Logs encrypts and decrypts a log group's events",
        sends: {}, encryptionContext: { "aws:logs:arn": "the log group's ARN" },
        source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    },
    {
        id: "cloudtrail-kms-encrypt", service: "cloudtrail.amazonaws.com", policy: "kms-key", actions: ["kms:GenerateDataKey*"],
        what: "CloudTrail encrypts a trail's log files",
        sends: { "aws:SourceArn": "the trail's ARN" }, encryptionContext: { "aws:cloudtrail:arn": "the trail's ARN" },
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
    },
    {
        id: "cloudtrail-kms-describe", service: "cloudtrail.amazonaws.com", policy: "kms-key", actions: ["kms:DescribeKey"],
        what: "CloudTrail describes the key of a trail it creates or updates",
        sends: { "aws:SourceArn": "the trail's ARN" },
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
    },
    {
        id: "alarms-kms", service: "cloudwatch.amazonaws.com", policy: "kms-key", actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        what: "a CloudWatch alarm publishes to a KMS-encrypted SNS topic",
        sends: { "aws:SourceAccount": "the alarm's account", "aws:SourceArn": "the alarm's ARN" },
        source: SNS_KEY_MANAGEMENT,
    },
    {
        id: "events-kms", service: "events.amazonaws.com", policy: "kms-key", actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        what: "an EventBridge rule publishes to a KMS-encrypted SNS topic",
        sends: {}, notSent: ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID"],
        // "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not
        // supported for EventBridge-to-encrypted topics."
        source: SNS_KEY_MANAGEMENT,
    },
    // SNS topic policies.
    {
        id: "alarms-sns", service: "cloudwatch.amazonaws.com", policy: "sns-topic", actions: ["sns:Publish"],
        what: "a CloudWatch alarm publishes to an SNS topic",
        sends: { "aws:SourceAccount": "the alarm's account", "aws:SourceArn": "the alarm's ARN" },
        source: "https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger",
    },
    {
        id: "events-sns", service: "events.amazonaws.com", policy: "sns-topic", actions: ["sns:Publish"],
        what: "an EventBridge rule publishes to an SNS topic",
        sends: {}, noConditions: true,
        // "You can't use Condition blocks in Amazon SNS topic policies for EventBridge."
        source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions",
    },
    // S3 bucket policies.
    {
        id: "s3-access-logs", service: "logging.s3.amazonaws.com", policy: "s3-bucket", actions: ["s3:PutObject"],
        what: "S3 server access logging writes a source bucket's access logs",
        sends: { "aws:SourceAccount": "the source bucket's account", "aws:SourceArn": "the source bucket's ARN" },
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general",
    },
    {
        id: "cloudtrail-s3", service: "cloudtrail.amazonaws.com", policy: "s3-bucket", actions: ["s3:GetBucketAcl", "s3:PutObject"],
        what: "CloudTrail checks the bucket ACL and writes a trail's log files",
        sends: { "aws:SourceArn": "the trail's ARN" },
        source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
    },
    {
        id: "cloudfront-oac", service: "cloudfront.amazonaws.com", policy: "s3-bucket", actions: ["s3:GetObject"],
        what: "CloudFront reads an S3 origin through origin access control",
        sends: { "aws:SourceArn": "the distribution's ARN" },
        source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
    },
    {
        id: "alb-access-logs", service: "logdelivery.elasticloadbalancing.amazonaws.com", policy: "s3-bucket", actions: ["s3:PutObject"],
        what: "Elastic Load Balancing writes an ALB's access logs (regions launched after August 2022; older regions use the Region's " +
            "ELB account, e.g. 127311923021 in us-east-1)",
        sends: {},
        source: "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html#attach-bucket-policy",
    },
];

export const VIA_SERVICE_INTEGRATIONS: readonly ViaServiceIntegration[] = [
    {
        id: "dynamodb-table-key", service: "dynamodb", actions: ["kms:Decrypt"],
        what: "DynamoDB decrypts a table's table key with the table's KMS key on the caller's behalf on first access (and every 5 " +
            "minutes of activity)",
        encryptionContext: { "aws:dynamodb:tableName": "the table's name", "aws:dynamodb:subscriberId": "the table's account" },
        source: "https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html#dynamodb-authz",
    },
    {
        id: "secretsmanager-secret-key", service: "secretsmanager", actions: ["kms:Decrypt"],
        what: "Secrets Manager decrypts a secret's value with its KMS key on the caller's behalf (GetSecretValue)",
        encryptionContext: { SecretARN: "the secret's ARN", SecretVersionId: "the version's id" },
        source: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-encryption-context",
    },
    {
        id: "s3-object-key", service: "s3", actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        what: "S3 encrypts (GenerateDataKey) and decrypts (Decrypt) an SSE-KMS object on the caller's behalf; with S3 Bucket Keys the " +
            "context is the bucket's ARN",
        encryptionContext: { "aws:s3:arn": "the bucket's ARN (S3 Bucket Key)" },
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context",
    },
    {
        id: "s3-replication-keys", service: "s3", actions: ["kms:Decrypt", "kms:Encrypt"],
        what: "S3 replication decrypts the source object with the source key and encrypts the replica with the replica key as the " +
            "replication role; with an S3 Bucket Key on the destination it also calls kms:Decrypt on the replica key",
        encryptionContext: { "aws:s3:arn": "the source or destination bucket's ARN (S3 Bucket Key)" },
        source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication",
    },
    {
        id: "sns-topic-key", service: "sns", actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        what: "SNS encrypts a message published to an SSE-KMS topic with the topic's key, on the publisher's behalf",
        encryptionContext: {},
        source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html",
    },
];

/** Does `pattern` (a service principal of a row, `<region>` a wildcard) name `service`? */
function servicePattern(pattern: string): RegExp {
    return new RegExp(`^${pattern.split("<region>").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[a-z0-9-]+")}$`, "i");
}

/** Does an IAM action pattern (wildcards allowed, any case) match `action`? */
export function actionMatches(pattern: string, action: string): boolean {
    return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action);
}

/**
 * The rows for `service` under a policy of kind `policy`; with `actions`, only the rows whose actions
 * a statement naming `actions` covers (a statement's `kms:*` covers every KMS row).
 */
export function integrationsFor(service: string, policy: IntegrationPolicy, actions?: string[]): ServiceIntegration[] {
    return SERVICE_INTEGRATIONS.filter((r) => r.policy === policy && servicePattern(r.service).test(service)
        && (!actions || r.actions.some((a) => actions.some((s) => actionMatches(s, a) || actionMatches(a, s)))));
}

/** The one row `id` (throws naming it when absent: a path or a policy names a row that does not exist). */
export function integration(id: string): ServiceIntegration {
    const r = SERVICE_INTEGRATIONS.find((x) => x.id === id);
    if (!r) throw new Error(`config/service-integrations.ts: no integration "${id}"`);
    return r;
}

export function viaServiceIntegration(id: string): ViaServiceIntegration {
    const r = VIA_SERVICE_INTEGRATIONS.find((x) => x.id === id);
    if (!r) throw new Error(`config/service-integrations.ts: no via-service integration "${id}"`);
    return r;
}

/** Request-context keys a row sends, lower case (encryption context as `kms:encryptioncontext:<key>`). */
export function sentKeys(r: ServiceIntegration): string[] {
    return [
        ...Object.keys(r.sends),
        ...Object.keys(r.encryptionContext ?? {}).map((k) => `kms:EncryptionContext:${k}`),
    ].map((k) => k.toLowerCase());
}
