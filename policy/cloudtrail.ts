/**
 * CloudTrail policies: the Security Hub controls for CloudTrail
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html) on the trails the
 * program creates (the break-glass trail of components/break-glass-alert.ts).
 *
 * AWS facts used:
 * - a trail without event selectors logs every management event, read and write; basic selectors
 *   default to `readWriteType: "All"` and `includeManagementEvents: true`
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html);
 * - CloudTrail.1 asks for a multi-Region trail with read and write management events and no excluded
 *   management event source; CloudTrail.2 for a `KmsKeyId`; CloudTrail.4 for log file validation;
 *   CloudTrail.5 for a CloudWatch Logs log group (the page above);
 * - delivery to CloudWatch Logs needs the log group and the role CloudTrail assumes to write to it
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
 */
import { dependsOn, isSet, list, ofTypes, read, resourcePolicy, stackPolicy, str, UNKNOWN } from "./common";
import { BUCKET_TYPES } from "./buckets";

export const CLOUDTRAIL_TYPES = { trail: "aws:cloudtrail/trail:Trail" } as const;

/** True when a basic event selector records every read and write management event. */
function basicSelectorLogsAllManagement(s: any): boolean {
    const rw = read(s, "readWriteType");
    const include = read(s, "includeManagementEvents");
    const excluded = read(s, "excludeManagementEventSources");
    return (rw === undefined || rw === "All" || rw === UNKNOWN) && include !== false
        && (excluded === UNKNOWN || list(excluded).length === 0);
}

/** True when an advanced selector records management events with no other filter (no readOnly, no event source). */
function advancedSelectorLogsAllManagement(s: any): boolean {
    const fields = read(s, "fieldSelectors");
    if (fields === UNKNOWN) return true;
    const selectors = list(fields);
    return selectors.length === 1 && read(selectors[0], "field") === "eventCategory"
        && list(read(selectors[0], "equals")).includes("Management");
}

export const cloudtrailMultiRegionManagementEvents = resourcePolicy({
    name: "cloudtrail-multi-region-management-events",
    description: "Trails log in every region, are logging, and record all read and write management events (no selector narrows them).",
    metadata: {
        control: "FSBP CloudTrail.1, CloudTrail.3",
        severity: "high",
        area: "cloudtrail",
        remediation:
            'Set `isMultiRegionTrail: true`, leave `enableLogging` true, and leave the event selectors unset (or select management ' +
            'events with `readWriteType: "All"` and nothing excluded).',
    },
    types: [CLOUDTRAIL_TYPES.trail],
    validate: (props, _args, report) => {
        const multi = read(props, "isMultiRegionTrail");
        if (multi !== true && multi !== UNKNOWN)
            report("The trail logs one region only: set `isMultiRegionTrail: true` so every region's events reach it.");
        if (read(props, "enableLogging") === false) report("Logging is stopped (`enableLogging: false`): the trail records nothing.");
        const basic = read(props, "eventSelectors");
        const advanced = read(props, "advancedEventSelectors");
        const narrowed =
            (basic !== UNKNOWN && list(basic).length > 0 && !list(basic).some(basicSelectorLogsAllManagement)) ||
            (advanced !== UNKNOWN && list(advanced).length > 0 && !list(advanced).some(advancedSelectorLogsAllManagement));
        if (narrowed)
            report(
                'No event selector records every read and write management event: select management events with `readWriteType: "All"` ' +
                'and no excluded source (or leave the selectors unset).',
            );
    },
});

export const cloudtrailEncryption = resourcePolicy({
    name: "cloudtrail-encryption-customer-key",
    description: "Trails encrypt their log files with a KMS key (SSE-KMS).",
    metadata: {
        control: "FSBP CloudTrail.2",
        severity: "medium",
        area: "cloudtrail",
        remediation: "Set `kmsKeyId` to the stack's logs key (its key policy lets CloudTrail encrypt for this trail).",
    },
    types: [CLOUDTRAIL_TYPES.trail],
    validate: (props, _args, report) => {
        if (!isSet(props, "kmsKeyId"))
            report("The trail's log files are not encrypted with a KMS key: set `kmsKeyId` to the stack's logs key.");
    },
});

export const cloudtrailLogFileValidation = resourcePolicy({
    name: "cloudtrail-log-file-validation",
    description: "Trails have log file integrity validation enabled.",
    metadata: { control: "FSBP CloudTrail.4", severity: "low", area: "cloudtrail", remediation: "Set `enableLogFileValidation: true`." },
    types: [CLOUDTRAIL_TYPES.trail],
    validate: (props, _args, report) => {
        const v = read(props, "enableLogFileValidation");
        if (v !== true && v !== UNKNOWN)
            report("Log file validation is off: set `enableLogFileValidation: true` so a changed or deleted log file shows.");
    },
});

export const cloudtrailCloudWatchLogs = resourcePolicy({
    name: "cloudtrail-cloudwatch-logs",
    description: "Trails deliver to a CloudWatch Logs log group, through a role CloudTrail assumes.",
    metadata: {
        control: "FSBP CloudTrail.5",
        severity: "medium",
        area: "cloudtrail",
        remediation:
            "Set `cloudWatchLogsGroupArn` (`<log group ARN>:*`) and `cloudWatchLogsRoleArn` (a role cloudtrail.amazonaws.com assumes, " +
            "allowed logs:CreateLogStream and logs:PutLogEvents).",
    },
    types: [CLOUDTRAIL_TYPES.trail],
    validate: (props, _args, report) => {
        if (!isSet(props, "cloudWatchLogsGroupArn"))
            report("The trail does not deliver to CloudWatch Logs: set `cloudWatchLogsGroupArn` and `cloudWatchLogsRoleArn`.");
        else if (!isSet(props, "cloudWatchLogsRoleArn"))
            report("`cloudWatchLogsGroupArn` is set without `cloudWatchLogsRoleArn`: CloudTrail needs a role to write to the log group.");
    },
});

/**
 * CloudTrail.6 and CloudTrail.7 are about the trail's bucket: not public, and logging its access. The
 * bucket policies check those on every bucket of the stack (`s3-bucket-public-access-block`,
 * `s3-bucket-logging`); this one makes sure the trail's bucket is one of them, joined through the
 * trail's `s3BucketName` dependency (or a literal bucket name on both sides).
 */
export const cloudtrailBucketInStack = stackPolicy({
    name: "cloudtrail-bucket-in-stack",
    description: "Every trail writes to a bucket the stack creates, so the bucket policies judge it (public access block, access logging).",
    metadata: {
        control: "FSBP CloudTrail.6, CloudTrail.7",
        severity: "critical",
        area: "cloudtrail",
        remediation: "Create the trail's bucket in the stack (components/secure-bucket.ts) and pass its name as `s3BucketName`.",
    },
    validate: (args, report) => {
        const buckets = ofTypes(args.resources, BUCKET_TYPES.bucket);
        for (const trail of ofTypes(args.resources, [CLOUDTRAIL_TYPES.trail])) {
            const name = str(read(trail.props, "s3BucketName"));
            const mine = buckets.some(
                (b) => dependsOn(trail, "s3BucketName", b) || (name !== undefined && str(read(b.props, "bucket")) === name),
            );
            if (!mine)
                report(
                    `Trail "${trail.name}" writes to ${name ? `bucket "${name}"` : "a bucket"} that this stack does not create: its ` +
                    `public access block and access logging go unchecked.`,
                    trail.urn,
                );
        }
    },
});

export const cloudtrailPolicies = [
    cloudtrailMultiRegionManagementEvents,
    cloudtrailEncryption,
    cloudtrailLogFileValidation,
    cloudtrailCloudWatchLogs,
];
export const cloudtrailStackPolicies = [cloudtrailBucketInStack];
