/**
 * The break-glass alert, CIS style: a multi-region CloudTrail trail delivers every region's
 * management events into one CloudWatch Logs group, a metric filter counts assumptions of the
 * break-glass role (an API `AssumeRole` served by any STS endpoint, or a console role switch), and an
 * alarm pages the critical topic on the first one. An EventBridge rule would see only its own
 * region's STS endpoint.
 *
 * AWS references:
 * - multi-region trails and global service events:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html
 * - the bucket policy CloudTrail needs:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
 * - the role CloudTrail assumes to write to CloudWatch Logs:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
 * - metric filter and alarm, the CIS pattern:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html
 * - console role switches are sign-in events (`signin.amazonaws.com`, `SwitchRole`):
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
 * - filter pattern syntax (JSON terms, `&&`, `||`, trailing `*`):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";
import { SecureBucket, type Statement } from "./secure-bucket";
import { allowServerAccessLogs } from "./storage";

/** Names of the alert's account-visible resources, per environment (prod and dr share an account). */
export const breakGlassNames = (environment: string) => ({
    trail: `tms-${environment}-break-glass`,
    logGroup: `/tms/${environment}/break-glass-trail`,
    metricFilter: `tms-${environment}-break-glass-assumed`,
    // Not under `tms-<env>-critical-`: the rollout engine rolls back on those, and breaking glass is no reason to.
    alarm: `tms-${environment}-security-break-glass-assumed`,
    metricNamespace: `tms/${environment}/security`,
    metricName: "BreakGlassAssumed",
});

/**
 * ARN of an environment's break-glass trail: `trail/<name>` in its home region
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html#awscloudtrail-resources-for-iam-policies).
 * Pure.
 */
export function breakGlassTrailArn(environment: string, region: string, accountId: string): string {
    return `arn:aws:cloudtrail:${region}:${accountId}:trail/${breakGlassNames(environment).trail}`;
}

/** Days the trail's log files are kept in S3 (CIS keeps audit logs at least a year). */
export const TRAIL_RETENTION_DAYS = 365;

/**
 * The metric filter: an `AssumeRole` of `roleArn` through any STS endpoint, or a console switch into
 * it (the sign-in event's identity is the assumed-role session of the role). Pure.
 */
export function breakGlassFilterPattern(accountId: string, roleName: string): string {
    const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
    const session = `arn:aws:sts::${accountId}:assumed-role/${roleName}/*`;
    return `{ (($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "${roleArn}")) || ` +
        `(($.eventSource = "signin.amazonaws.com") && ($.eventName = "SwitchRole") && ($.userIdentity.arn = "${session}")) }`;
}

/** The trail bucket's grants to CloudTrail, limited to this trail by `aws:SourceArn`. Pure. */
export function trailBucketStatements(bucketArn: string, accountId: string, trailArn: string): Statement[] {
    return [
        {
            Sid: "CloudTrailAclCheck",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
            Sid: "CloudTrailWrite",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        },
    ];
}

/** The policy of the role CloudTrail assumes: create and write its own streams in the trail's log group. Pure. */
export function trailDeliveryPolicy(logGroupArn: string, accountId: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Sid: "CloudTrailStreams",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroupArn}:log-stream:${accountId}_CloudTrail_${region}*`,
        }],
    });
}

export interface BreakGlassAlertArgs {
    /** Short environment id: the trail's, rule's and alarm's names. */
    environment: string;
    /** This stack's region (the trail's home region). */
    region: string;
    /** The account whose role use is watched. */
    accountId: pulumi.Input<string>;
    /** Name of the break-glass role (`tms-emergency-access<suffix>`). */
    roleName: string;
    /** The topic that pages on-call. */
    alarmTopicArn: pulumi.Input<string>;
    /** KMS key of the trail's log files and its log group (its key policy lets CloudTrail and CloudWatch Logs use it). */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the trail's log group, in days. */
    logRetentionDays: pulumi.Input<number>;
    /** The stack's workload boundary, carried by the delivery role. */
    permissionsBoundaryArn: pulumi.Input<string>;
    /** `protect` the trail's buckets (staging, prod, dr). */
    protect: boolean;
}

export class BreakGlassAlert extends pulumi.ComponentResource {
    readonly trailArn: pulumi.Output<string>;
    readonly alarmName: string;
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: BreakGlassAlertArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:security:BreakGlassAlert", name, {}, opts);
        const n = breakGlassNames(args.environment);
        const tags = serviceTags("security");
        const acct = pulumi.output(args.accountId);
        const trailArn = acct.apply((id) => breakGlassTrailArn(args.environment, args.region, id));
        const lifecycle = (days: number) => [{
            id: "expire",
            status: "Enabled",
            filter: {},
            expiration: { days },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        }];

        // The trail bucket's own access logs (CIS asks for access logging on the CloudTrail bucket).
        const accessLogs = new SecureBucket(`${name}-access-logs`, {
            role: "trail-access-logs",
            service: "security",
            lifecycle: lifecycle(TRAIL_RETENTION_DAYS),
            deferPolicy: true,
            protect: args.protect,
        }, { parent: this });
        const bucket = new SecureBucket(`${name}-trail`, {
            role: "audit-trail",
            service: "security",
            kmsKeyArn: args.logsKeyArn,
            lifecycle: lifecycle(TRAIL_RETENTION_DAYS),
            logTo: { bucket: accessLogs.bucket.id, prefix: "trail/" },
            statements: (arn) => pulumi.all([arn, acct, trailArn]).apply(([a, id, t]) => trailBucketStatements(a, id, t)),
            protect: args.protect,
        }, { parent: this });
        accessLogs.attachPolicy(
            pulumi.all([accessLogs.arn, acct, bucket.arn]).apply(([arn, id, source]) => [allowServerAccessLogs(arn, id, [source])])
        );

        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: n.logGroup,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags,
        }, { parent: this });
        const delivery = new aws.iam.Role(`${name}-delivery`, {
            description: "CloudTrail delivers the break-glass trail to CloudWatch Logs",
            assumeRolePolicy: pulumi.all([acct, trailArn]).apply(([id, t]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": id, "aws:SourceArn": t } },
                }],
            })),
            permissionsBoundary: args.permissionsBoundaryArn,
            tags,
        }, { parent: this });
        const deliveryPolicy = new aws.iam.RolePolicy(`${name}-delivery-policy`, {
            role: delivery.id,
            policy: pulumi.all([logGroup.arn, acct]).apply(([arn, id]) => trailDeliveryPolicy(arn, id, args.region)),
        }, { parent: this });

        const trail = new aws.cloudtrail.Trail(`${name}-trail`, {
            name: n.trail,
            s3BucketName: bucket.bucketName,
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogFileValidation: true,
            kmsKeyId: args.logsKeyArn,
            cloudWatchLogsGroupArn: pulumi.interpolate`${logGroup.arn}:*`,
            cloudWatchLogsRoleArn: delivery.arn,
            tags,
        }, { parent: this, dependsOn: [bucket, deliveryPolicy] });

        new aws.cloudwatch.LogMetricFilter(`${name}-filter`, {
            name: n.metricFilter,
            logGroupName: logGroup.name,
            pattern: acct.apply((id) => breakGlassFilterPattern(id, args.roleName)),
            metricTransformation: { name: n.metricName, namespace: n.metricNamespace, value: "1" },
        }, { parent: this });
        new aws.cloudwatch.MetricAlarm(`${name}-alarm`, {
            name: n.alarm,
            alarmDescription: `${args.roleName} was assumed (API or console, any region): check who broke glass and why`,
            namespace: n.metricNamespace,
            metricName: n.metricName,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [args.alarmTopicArn],
            okActions: [args.alarmTopicArn],
            tags: { ...tags, Severity: "critical" },
        }, { parent: this });

        this.trailArn = trail.arn;
        this.alarmName = n.alarm;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ trailArn: this.trailArn });
    }
}
