/** CloudWatch Logs, alarms, SNS topics and WAF policies. */
import { dependsOn, isSet, list, ofTypes, parseJson, read, resourcePolicy, stackPolicy, str, UNKNOWN } from "./common";
import { anyone } from "./iam";
import { serviceStatementProblems } from "./service-principals";

export const LOGGING_TYPES = {
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
} as const;

export const logGroupRetention = resourcePolicy({
    name: "cloudwatch-log-group-retention",
    description: 'Log groups set a retention period (never "never expire").',
    metadata: {
        control: "FSBP CloudWatch.16",
        severity: "low",
        area: "logging",
        remediation: "Set `retentionInDays` (e.g. 30 in dev/staging, 365 in prod/dr).",
    },
    types: [LOGGING_TYPES.logGroup],
    validate: (props, _args, report) => {
        const days = read(props, "retentionInDays");
        if (days !== UNKNOWN && !(typeof days === "number" && days > 0)) {
            report(`retentionInDays is ${days === undefined ? "unset (logs never expire)" : String(days)}: set a retention period.`);
        }
    },
});

export const logGroupEncryption = resourcePolicy({
    name: "cloudwatch-log-group-encryption",
    description: "Log groups are encrypted with a customer-managed KMS key.",
    metadata: {
        control: "FSBP CloudWatch (log protection; NIST SC-28)",
        severity: "medium",
        area: "logging",
        remediation: "Set `kmsKeyId` to the stack's logs KMS key (its key policy must allow logs.<region>.amazonaws.com).",
    },
    types: [LOGGING_TYPES.logGroup],
    validate: (props, _args, report) => {
        if (!isSet(props, "kmsKeyId")) report("The log group is not encrypted with a customer key: set `kmsKeyId`.");
    },
});

export const alarmActions = resourcePolicy({
    name: "cloudwatch-alarm-actions",
    description: "Metric alarms have actions enabled and at least one alarm action.",
    metadata: {
        control: "FSBP CloudWatch.15, CloudWatch.17",
        severity: "medium",
        area: "logging",
        remediation: "Set `alarmActions: [<SNS topic ARN>]` and leave `actionsEnabled` true.",
    },
    types: [LOGGING_TYPES.metricAlarm],
    validate: (props, _args, report) => {
        if (read(props, "actionsEnabled") === false) report("Alarm actions are disabled: set `actionsEnabled: true`.");
        if (!isSet(props, "alarmActions")) report("The alarm notifies no one: set `alarmActions` to the on-call SNS topic.");
    },
});

export const wafWebAclRules = resourcePolicy({
    name: "wafv2-web-acl-has-rules",
    description: "WAFv2 web ACLs contain at least one rule or rule group.",
    metadata: {
        control: "FSBP WAF.10",
        severity: "medium",
        area: "waf",
        remediation: "Add managed rule groups (e.g. AWSManagedRulesCommonRuleSet) to `rules`.",
    },
    types: [LOGGING_TYPES.webAcl],
    validate: (props, _args, report) => {
        const rules = read(props, "rules");
        if (rules !== UNKNOWN && list(rules).length === 0 && !isSet(props, "ruleJson"))
            report("The web ACL has no rules: add managed rule groups to `rules`.");
    },
});

export const wafWebAclMetrics = resourcePolicy({
    name: "wafv2-web-acl-metrics",
    description: "WAFv2 web ACLs and their rules publish CloudWatch metrics.",
    metadata: {
        control: "FSBP WAF.12",
        severity: "low",
        area: "waf",
        remediation: "Set `visibilityConfig.cloudwatchMetricsEnabled: true` on the ACL and each rule.",
    },
    types: [LOGGING_TYPES.webAcl],
    validate: (props, _args, report) => {
        if (read(read(props, "visibilityConfig"), "cloudwatchMetricsEnabled") === false) {
            report("The web ACL does not publish metrics: set `visibilityConfig.cloudwatchMetricsEnabled: true`.");
        }
        list(read(props, "rules")).forEach((r, i) => {
            if (read(read(r, "visibilityConfig"), "cloudwatchMetricsEnabled") === false) {
                report(
                    `Rule "${str(read(r, "name")) ?? i}" does not publish metrics: set its \`visibilityConfig.cloudwatchMetricsEnabled: ` +
                    `true\`.`,
                );
            }
        });
    },
});

/**
 * WAF.11: a web ACL logs the requests it judges to CloudWatch Logs, S3 or Firehose
 * (https://docs.aws.amazon.com/waf/latest/developerguide/logging.html); joined through the logging
 * configuration's `resourceArn`.
 */
export const wafWebAclLogging = stackPolicy({
    name: "wafv2-web-acl-logging",
    description: "Every WAFv2 web ACL has a logging configuration.",
    metadata: {
        control: "FSBP WAF.11",
        severity: "medium",
        area: "waf",
        remediation:
            "Add an `aws.wafv2.WebAclLoggingConfiguration` with `resourceArn: webAcl.arn` and an `aws-waf-logs-` log group as destination.",
    },
    validate: (args, report) => {
        const configs = ofTypes(args.resources, [LOGGING_TYPES.webAclLogging]);
        for (const acl of ofTypes(args.resources, [LOGGING_TYPES.webAcl])) {
            if (!configs.some((c) => dependsOn(c, "resourceArn", acl)))
                report(`Web ACL "${acl.name}" does not log: add a WebAclLoggingConfiguration for it.`, acl.urn);
        }
    },
});

export const snsTopicEncryption = resourcePolicy({
    name: "sns-topic-encryption",
    description: "SNS topics are encrypted at rest with a KMS key.",
    metadata: {
        control: "FSBP SNS.1",
        severity: "medium",
        area: "logging",
        remediation: "Set `kmsMasterKeyId` to the stack's logs key (its policy lets CloudWatch and EventBridge publish).",
    },
    types: [LOGGING_TYPES.topic],
    validate: (props, _args, report) => {
        if (!isSet(props, "kmsMasterKeyId")) report("The topic is not encrypted: set `kmsMasterKeyId`.");
    },
});

export const snsTopicPolicyNotPublic = resourcePolicy({
    name: "sns-topic-policy-not-public",
    description: "SNS topic policies grant nothing to every principal (`*`) without a condition.",
    metadata: {
        control: "FSBP SNS.4",
        severity: "high",
        area: "logging",
        remediation: "Name the publishing services or accounts in `Principal`, or add a condition such as `aws:SourceAccount`.",
    },
    types: [LOGGING_TYPES.topicPolicy],
    validate: (props, _args, report) => {
        const doc = parseJson(read(props, "policy"));
        list(doc?.Statement).forEach((st: any, i: number) => {
            if (st?.Effect === "Allow" && anyone(st.Principal) && !st.Condition) {
                report(`Statement ${st.Sid ? `"${st.Sid}"` : i} allows every principal: name the services or accounts that may publish.`);
            }
        });
    },
});

export const snsTopicPolicyConfusedDeputy = resourcePolicy({
    name: "sns-topic-policy-confused-deputy",
    description:
        "SNS topic policy statements for AWS service principals limit the service to this account's resources with the keys AWS sends " +
        "for that integration, and put no condition where AWS supports none (EventBridge; config/service-integrations.ts).",
    metadata: {
        control: "FSBP SNS (confused deputy; review decision)",
        severity: "high",
        area: "logging",
        remediation:
            "CloudWatch alarms: add `aws:SourceAccount` and `aws:SourceArn` (the alarms' ARNs); EventBridge: grant it in a statement of " +
            "its own without any condition.",
    },
    types: [LOGGING_TYPES.topicPolicy],
    validate: (props, _args, report) => {
        const doc = read(props, "policy");
        if (doc === UNKNOWN) return;
        for (const m of serviceStatementProblems(
            list(parseJson(doc)?.Statement).filter((s) => s && typeof s === "object"),
            "sns-topic",
            "Topic policy",
        ))
            report(m);
    },
});

export const loggingPolicies = [
    logGroupRetention,
    logGroupEncryption,
    alarmActions,
    wafWebAclRules,
    wafWebAclMetrics,
    snsTopicEncryption,
    snsTopicPolicyNotPublic,
    snsTopicPolicyConfusedDeputy,
];
export const loggingStackPolicies = [wafWebAclLogging];
