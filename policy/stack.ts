/**
 * Stack policies that look at several resources at once. Joins go through URNs and
 * `propertyDependencies` (values such as ARNs are unknown during preview); a known literal name
 * on both sides is the only value-based fallback.
 */
import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import {
    ENVIRONMENT_RULES, PolicyConfig, dependsOn, list, ofTypes, parseJson, providerProp, read, rulesFor,
    stackEnvironment, stackPolicy, str, tagsOf, TYPES, UNKNOWN,
} from "./common";
import { ECR_TYPES } from "./ecr";
import { SECRET_TYPES } from "./secrets";

export const albHttpsListener = stackPolicy({
    name: "alb-https-listener",
    description: "Every application load balancer has an HTTPS listener.",
    metadata: {
        control: "FSBP ELB.1",
        severity: "high",
        area: "alb",
        remediation: 'Add an `aws.lb.Listener` with `protocol: "HTTPS"`, port 443, a certificate and an allowed TLS policy.',
    },
    validate: (args, report) => {
        const listeners = ofTypes(args.resources, TYPES.listener);
        for (const lb of ofTypes(args.resources, TYPES.loadBalancer)) {
            const t = read(lb.props, "loadBalancerType");
            if (t !== undefined && t !== "application") continue;
            const https = listeners.some(l => dependsOn(l, "loadBalancerArn", lb) && read(l.props, "protocol") === "HTTPS");
            if (!https) report(`Load balancer "${lb.name}" has no HTTPS listener: add one on 443 with a certificate.`, lb.urn);
        }
    },
});

// ---------------------------------------------------------------------------------------------
// Required tags
// ---------------------------------------------------------------------------------------------

export const REQUIRED_TAGS = ["Environment", "Service", "ManagedBy", "CostCenter"];

/**
 * AWS resource types in (or likely in) this project that accept `tags`. Types not listed here
 * (rules, attachments, policies attached to other resources, DocumentDB global clusters, …)
 * take no tags and are not checked.
 */
export const TAGGABLE_TYPES = [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecs/service:Service",
    ...TYPES.loadBalancer,
    ...TYPES.listener,
    "aws:lb/targetGroup:TargetGroup",
    "aws:alb/targetGroup:TargetGroup",
    "aws:lb/listenerRule:ListenerRule",
    "aws:alb/listenerRule:ListenerRule",
    "aws:cloudfront/distribution:Distribution",
    "aws:wafv2/webAcl:WebAcl",
    "aws:acm/certificate:Certificate",
    "aws:docdb/cluster:Cluster",
    "aws:docdb/clusterInstance:ClusterInstance",
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    "aws:docdb/subnetGroup:SubnetGroup",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:ecr/repository:Repository",
    "aws:secretsmanager/secret:Secret",
    "aws:ssm/parameter:Parameter",
    "aws:iam/role:Role",
    "aws:iam/policy:Policy",
    "aws:kms/key:Key",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:sns/topic:Topic",
    "aws:cloudtrail/trail:Trail",
    ...TYPES.bucket,
    "aws:route53/zone:Zone",
    "aws:route53/healthCheck:HealthCheck",
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    "aws:servicediscovery/service:Service",
    "aws:appautoscaling/target:Target",
    "aws:lambda/function:Function",
    "aws:dynamodb/table:Table",
];

/** The provider's `defaultTags.tags` (provider inputs may arrive JSON-encoded). */
export function providerDefaultTags(provider: PolicyProviderResource | undefined): Record<string, string> {
    const dt = providerProp(provider?.props, "defaultTags");
    const tags = dt && typeof dt === "object" ? dt.tags : undefined;
    return tags && typeof tags === "object" ? { ...tags } : {};
}

export const requiredTags = stackPolicy({
    name: "required-tags",
    description: `Every taggable AWS resource carries ${REQUIRED_TAGS.join(", ")} (its own tags merged over the provider's defaultTags).`,
    metadata: {
        control: "FSBP (resource tagging; AWS Tagging Best Practices)",
        severity: "low",
        area: "stack",
        remediation:
            "Set Environment, ManagedBy and CostCenter in the AWS provider's `defaultTags` and `Service` on each resource's `tags`.",
    },
    validate: (args, report) => {
        for (const r of ofTypes(args.resources, TAGGABLE_TYPES)) {
            if (read(r.props, "tags") === UNKNOWN) continue;
            const tags = { ...providerDefaultTags(r.provider), ...tagsOf(r.props) };
            const missing = REQUIRED_TAGS.filter((t) => !tags[t]);
            if (missing.length)
                report(
                    `${r.type.split(":").pop()} "${r.name}" is missing tag(s) ${missing.join(", ")}: set them in the provider's ` +
                    `defaultTags or the resource's tags.`,
                    r.urn,
                );
        }
    },
});

// ---------------------------------------------------------------------------------------------
// ECS capacity
// ---------------------------------------------------------------------------------------------

/** The logical service of an ECS service: its `Service` tag, else its name without the colour. */
export function serviceKey(r: PolicyResource): string {
    return tagsOf(r.props).Service ?? r.name.replace(/-(blue|green)(?=-|$)/, "");
}

export const ecsServiceMinimumTasks = stackPolicy({
    name: "ecs-service-minimum-tasks",
    description: "Each service runs at least the environment's minimum tasks in one colour (dev 2, staging 3, prod 6, dr 4).",
    metadata: {
        control: "FSBP ECS (availability; deployment guide sizes)", severity: "high", area: "ecs", environmentAware: true,
        remediation: "Raise `desiredCount` of the live colour to the environment's minimum in the stack config.",
    },
    validate: (args, report) => {
        const env = stackEnvironment(args);
        const min = rulesFor(env).minimumTasksPerService;
        const groups = new Map<string, PolicyResource[]>();
        for (const s of ofTypes(args.resources, ["aws:ecs/service:Service"])) {
            if (read(s.props, "schedulingStrategy") === "DAEMON") continue;
            const key = serviceKey(s);
            groups.set(key, [...(groups.get(key) ?? []), s]);
        }
        for (const [key, services] of groups) {
            const counts = services.map(s => read(s.props, "desiredCount"));
            if (counts.includes(UNKNOWN)) continue;
            const best = Math.max(...counts.map(c => (typeof c === "number" ? c : 0)));
            if (best < min) {
                report(
                    `Service "${key}" runs at most ${best} task(s) in any colour; ${env ?? "this stack (treated as prod)"} requires at ` +
                    `least ${min}: raise desiredCount.`,
                    services[0].urn,
                );
            }
        }
    },
});

// ---------------------------------------------------------------------------------------------
// Region
// ---------------------------------------------------------------------------------------------

export const drRegion = stackPolicy({
    name: "dr-region",
    description: `The dr stack runs every AWS provider in ${ENVIRONMENT_RULES.dr.region}.`,
    metadata: {
        control: "FSBP (resilience; deployment guide DR region)", severity: "critical", area: "stack", environmentAware: true,
        remediation: `Set \`aws:region: ${ENVIRONMENT_RULES.dr.region}\` in Pulumi.dr.yaml and on every explicit provider of the dr stack.`,
    },
    validate: (args, report) => {
        const env = stackEnvironment(args);
        const want = env ? ENVIRONMENT_RULES[env].region : undefined;
        if (!want) return;
        const providers = new Map<string, PolicyProviderResource>();
        for (const r of args.resources) {
            if (r.type === TYPES.awsProvider) providers.set(r.urn, r);
            if (r.provider?.type === TYPES.awsProvider) providers.set(r.provider.urn, r.provider);
        }
        const configured = args.getConfig<PolicyConfig>().region;
        for (const p of providers.values()) {
            const region = str(providerProp(p.props, "region")) ?? (p.name.startsWith("default") ? configured : undefined);
            if (region !== want)
                report(`AWS provider "${p.name}" targets ${region ?? "no region"}; the ${env} stack must run in ${want}.`, p.urn);
        }
    },
});

// ---------------------------------------------------------------------------------------------
// Companions: ECR lifecycle, secret rotation
// ---------------------------------------------------------------------------------------------

export const ecrLifecyclePolicy = stackPolicy({
    name: "ecr-repository-lifecycle-policy",
    description: "Every ECR repository has a lifecycle policy with at least one rule.",
    metadata: {
        control: "FSBP ECR.3",
        severity: "medium",
        area: "ecr",
        remediation:
            "Add an `aws.ecr.LifecyclePolicy` for the repository (expire untagged images after 7 days, keep env images 14/30/90 days).",
    },
    validate: (args, report) => {
        const policies = ofTypes(args.resources, [ECR_TYPES.lifecyclePolicy]);
        for (const repo of ofTypes(args.resources, [ECR_TYPES.repository])) {
            const name = str(read(repo.props, "name"));
            const mine = policies.filter(
                (p) => dependsOn(p, "repository", repo) || (name !== undefined && read(p.props, "repository") === name),
            );
            if (mine.length === 0) {
                report(`Repository "${repo.name}" has no lifecycle policy: add an aws.ecr.LifecyclePolicy.`, repo.urn);
                continue;
            }
            const texts = mine.map(p => read(p.props, "policy"));
            if (texts.includes(UNKNOWN)) continue;
            if (!texts.some((t) => list(parseJson(t)?.rules).length > 0))
                report(`Repository "${repo.name}": its lifecycle policy has no rules.`, repo.urn);
        }
    },
});

export const ROTATION_EXEMPTION_TAG = "RotationExemption";

export const secretRotation = stackPolicy({
    name: "secretsmanager-rotation",
    description: `Every secret rotates (has a SecretRotation), or carries a \`${ROTATION_EXEMPTION_TAG}\` tag whose value gives the ` +
        `reason.`,
    metadata: {
        control: "FSBP SecretsManager.1, SecretsManager.4", severity: "medium", area: "secrets",
        remediation: `Add an \`aws.secretsmanager.SecretRotation\` for the secret, or tag it \`${ROTATION_EXEMPTION_TAG}: "<why it ` +
            `cannot rotate>"\`.`,
    },
    validate: (args, report) => {
        const rotations = ofTypes(args.resources, [SECRET_TYPES.rotation]);
        for (const secret of ofTypes(args.resources, [SECRET_TYPES.secret])) {
            const name = str(read(secret.props, "name"));
            const rotated = rotations.some(
                (r) => dependsOn(r, "secretId", secret) || (name !== undefined && read(r.props, "secretId") === name),
            );
            if (rotated) continue;
            const reason = tagsOf(secret.props)[ROTATION_EXEMPTION_TAG];
            if (reason !== undefined && reason.trim() !== "") continue;
            report(
                `Secret "${secret.name}" does not rotate: add a SecretRotation or tag it ${ROTATION_EXEMPTION_TAG} with the reason.`,
                secret.urn,
            );
        }
    },
});

// ---------------------------------------------------------------------------------------------
// Availability alarms
// ---------------------------------------------------------------------------------------------

const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TARGET_GROUP = ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"];

/** Metric names an alarm reads: its own `metricName` or those of its `metricQueries`. */
function alarmMetricNames(alarm: PolicyResource): string[] {
    const own = str(read(alarm.props, "metricName"));
    const queries = list(read(alarm.props, "metricQueries")).map(q => str(read(read(q, "metric"), "metricName")));
    return [own, ...queries].filter((x): x is string => x !== undefined);
}

/** Does `alarm` take any input from `target` (dimensions or metric queries)? */
function watches(alarm: PolicyResource, target: PolicyResource): boolean {
    return ["dimensions", "metricQueries"].some(p => dependsOn(alarm, p, target));
}

/**
 * Review finding: a dead production raised nothing. Every application load balancer needs an alarm on
 * the 5xx it answers itself (HTTPCode_ELB_5XX_Count), and every target group one on HealthyHostCount
 * that treats missing data as breaching: a service with no target, or gone, reports nothing
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data).
 */
export const albAvailabilityAlarms = stackPolicy({
    name: "alb-availability-alarms",
    description:
        "Every ALB has an alarm on HTTPCode_ELB_5XX_Count, and every target group a HealthyHostCount alarm that treats missing data as " +
        "breaching.",
    metadata: {
        control: "FSBP CloudWatch.15 (review finding: availability alarms)",
        severity: "high",
        area: "logging",
        remediation:
            'Add a MetricAlarm on the load balancer\'s HTTPCode_ELB_5XX_Count and one on HealthyHostCount (summed over the colours) ' +
            'with `treatMissingData: "breaching"`.',
    },
    validate: (args, report) => {
        const alarms = ofTypes(args.resources, [METRIC_ALARM]);
        for (const lb of ofTypes(args.resources, TYPES.loadBalancer)) {
            const t = read(lb.props, "loadBalancerType");
            if (t !== undefined && t !== "application") continue;
            if (!alarms.some((a) => watches(a, lb) && alarmMetricNames(a).includes("HTTPCode_ELB_5XX_Count"))) {
                report(
                    `Load balancer "${lb.name}" has no alarm on HTTPCode_ELB_5XX_Count: the 5xx it answers itself go unnoticed.`,
                    lb.urn,
                );
            }
        }
        for (const tg of ofTypes(args.resources, TARGET_GROUP)) {
            const healthy = alarms.filter((a) => watches(a, tg) && alarmMetricNames(a).includes("HealthyHostCount"));
            if (healthy.length === 0)
                report(`Target group "${tg.name}" has no HealthyHostCount alarm: no alarm fires when it has no healthy target.`, tg.urn);
            else if (!healthy.some((a) => read(a.props, "treatMissingData") === "breaching")) {
                report(
                    `Target group "${tg.name}": its HealthyHostCount alarm treats missing data as not breaching, so a service that ` +
                    `reports nothing raises nothing: set \`treatMissingData: "breaching"\`.`,
                    tg.urn,
                );
            }
        }
    },
});

export const crossResourcePolicies = [
    albHttpsListener,
    requiredTags,
    ecsServiceMinimumTasks,
    drRegion,
    ecrLifecyclePolicy,
    secretRotation,
    albAvailabilityAlarms,
];
