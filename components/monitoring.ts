import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DOCDB_MAX_CONNECTIONS } from "../config/aws-limits";
import type { Colour } from "../config/vocabulary";
import { alarmPrefix, alertTopicName, serviceTags, stackAlarmsArnPattern } from "../config/naming";

export const SEVERITIES = ["critical", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `tms-<env>-<severity>-<what>`: the rollout CLI lists critical alarms by naming's `alarmPrefix`. */
export const alarmName = (environment: string, severity: Severity, what: string) => `${alarmPrefix(environment, severity)}${what}`;
export { alarmPrefix };

/** The alarm thresholds (plain: they are in the alarms' names and descriptions, and computed with). */
export interface Thresholds {
    /** CPU, in percent: of reserved for each ECS service (warning), of the hottest DocumentDB instance and of each Redis engine. */
    cpuPercent: number;
    /** Memory, in percent: of reserved for each ECS service, of maxmemory for each Redis node (warnings). */
    memoryPercent: number;
    /** A target group's success rate below which it pages (critical). */
    successRatePercent: number;
    /** A target group's 5xx rate, and the load balancer's own, above which it pages (critical). */
    errorRatePercent: number;
    /** A target group's p95 response time, in milliseconds, above which it warns. */
    p95LatencyMs: number;
    /** DocumentDB connections, in percent of one instance's limit for its class, above which it warns. */
    databaseConnectionsPercent: number;
}

type Dimensions = Record<string, pulumi.Input<string>>;
interface MetricRef { namespace: string; metricName: string; dimensions: Dimensions; stat: string }

/** One alarm as data: either one metric or a metric-math expression over named metrics. */
export interface AlarmSpec {
    what: string;
    severity: Severity;
    description: string;
    comparison: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    periodSeconds: number;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    /**
     * notBreaching for traffic and ECS metrics: an idle colour or a quiet minute emits nothing, and that
     * is healthy (the rollout CLI must not roll back because the idle colour has no requests).
     * missing for the data tier: it reports every minute while it runs, so a gap says nothing about load;
     * an outage shows up in the 5xx and unhealthy-host alarms instead.
     * breaching for "no healthy targets": a dead service (or load balancer) reports nothing at all, and
     * that silence is the outage
     * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data).
     */
    treatMissingData: "notBreaching" | "missing" | "breaching";
    metric?: MetricRef;
    expression?: { expression: string; label: string; metrics: Record<string, MetricRef> };
}

const ALB = "AWS/ApplicationELB";

/** One public service's colour as CloudWatch sees it. */
export interface TargetGroupMetrics {
    service: string;
    colour: Colour;
    /** ALB ARN suffix (`app/<name>/<id>`): the `LoadBalancer` dimension. */
    loadBalancer: pulumi.Input<string>;
    /** Target group ARN suffix (`targetgroup/<name>/<id>`): the `TargetGroup` dimension. */
    targetGroup: pulumi.Input<string>;
}

/** 5xx rate, success rate, p95 latency and unhealthy hosts of one target group. */
export function targetGroupAlarms(t: TargetGroupMetrics, th: Thresholds): AlarmSpec[] {
    const dimensions = { LoadBalancer: t.loadBalancer, TargetGroup: t.targetGroup };
    const m = (metricName: string, stat: string): MetricRef => ({ namespace: ALB, metricName, dimensions, stat });
    const counts = { requests: m("RequestCount", "Sum"), errors: m("HTTPCode_Target_5XX_Count", "Sum") };
    const id = `${t.service}-${t.colour}`;
    const traffic = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "notBreaching" as const };
    return [
        {
            what: `${id}-5xx-rate`, severity: "critical", ...traffic,
            description: `${id}: more than ${th.errorRatePercent}% of requests end in a target 5xx`,
            comparison: "GreaterThanThreshold", threshold: th.errorRatePercent,
            // FILL: the 5xx count is absent, not 0, in a minute without errors; IF: no requests is no error rate.
            expression: { expression: "IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)", label: "5xx %", metrics: counts },
        },
        {
            what: `${id}-success-rate`, severity: "critical", ...traffic,
            description: `${id}: success rate below ${th.successRatePercent}%`,
            comparison: "LessThanThreshold", threshold: th.successRatePercent,
            expression: {
                expression: "IF(requests > 0, 100 * (requests - FILL(errors, 0)) / requests, 100)",
                label: "success %",
                metrics: counts,
            },
        },
        {
            what: `${id}-unhealthy-hosts`, severity: "critical", ...traffic,
            description: `${id}: a target is failing its health check`,
            comparison: "GreaterThanThreshold", threshold: 0,
            metric: m("UnHealthyHostCount", "Maximum"),
        },
        {
            what: `${id}-p95-latency`, severity: "warning", ...traffic,
            description: `${id}: p95 response time above ${th.p95LatencyMs} ms`,
            comparison: "GreaterThanThreshold", threshold: th.p95LatencyMs / 1000, // TargetResponseTime is in seconds
            metric: m("TargetResponseTime", "p95"),
        },
    ];
}

/**
 * Availability of one public service, whatever the colours and the weight: the sum of healthy targets
 * over both colours' target groups (HealthyHostCount,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html).
 * Below 1 for 3 minutes, or no data at all (missing is breaching), pages: the live colour is down and
 * nothing else serves. Both colours are always in the sum, so flipping the live colour changes nothing here.
 */
export function serviceAvailabilityAlarm(
    p: { service: string; loadBalancer: pulumi.Input<string>; targetGroups: Partial<Record<Colour, pulumi.Input<string>>> }
): AlarmSpec {
    const metrics = Object.fromEntries(Object.entries(p.targetGroups).map(([colour, targetGroup]) => [colour, {
        namespace: ALB,
        metricName: "HealthyHostCount",
        dimensions: { LoadBalancer: p.loadBalancer, TargetGroup: targetGroup! },
        stat: "Maximum",
    }]));
    return {
        what: `${p.service}-no-healthy-targets`, severity: "critical",
        description: `${p.service}: no healthy target in any colour (or no data: the service or its load balancer is gone)`,
        comparison: "LessThanThreshold", threshold: 1,
        periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "breaching",
        expression: { expression: Object.keys(metrics).map((c) => `FILL(${c}, 0)`).join(" + "), label: "healthy targets", metrics },
    };
}

/**
 * Errors the load balancer answers itself (HTTPCode_ELB_5XX_Count: 502/503/504 when no target can
 * answer), as a percentage of all requests: RequestCount counts only requests routed to a target, so
 * the ELB's own 5xx are added to it. Missing data is a quiet minute; a dead load balancer is caught by
 * the no-healthy-targets alarm.
 */
export function loadBalancerAlarms(loadBalancer: pulumi.Input<string>, th: Thresholds): AlarmSpec[] {
    const m = (metricName: string): MetricRef => ({ namespace: ALB, metricName, dimensions: { LoadBalancer: loadBalancer }, stat: "Sum" });
    const total = "(FILL(requests, 0) + FILL(elb5xx, 0))";
    return [{
        what: "alb-5xx-rate", severity: "critical",
        description: `The load balancer itself answers more than ${th.errorRatePercent}% of requests with a 5xx`,
        comparison: "GreaterThanThreshold", threshold: th.errorRatePercent,
        periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "notBreaching",
        expression: {
            expression: `IF(${total} > 0, 100 * FILL(elb5xx, 0) / ${total}, 0)`, label: "ELB 5xx %",
            metrics: { requests: m("RequestCount"), elb5xx: m("HTTPCode_ELB_5XX_Count") },
        },
    }];
}

/** CPU and memory of one ECS service, from Container Insights (utilised over reserved). */
export function ecsServiceAlarms(
    p: { service: string; colour: Colour; clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string> },
    th: Thresholds
): AlarmSpec[] {
    const dimensions = { ClusterName: p.clusterName, ServiceName: p.serviceName };
    const m = (metricName: string): MetricRef => ({ namespace: "ECS/ContainerInsights", metricName, dimensions, stat: "Average" });
    const id = `${p.service}-${p.colour}`;
    const common = {
        severity: "warning" as const,
        comparison: "GreaterThanThreshold" as const,
        periodSeconds: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        treatMissingData: "notBreaching" as const,
    };
    return [
        {
            ...common, what: `${id}-cpu`, description: `${id}: CPU above ${th.cpuPercent}% of reserved`, threshold: th.cpuPercent,
            expression: {
                expression: "100 * used / reserved",
                label: "CPU %",
                metrics: { used: m("CpuUtilized"), reserved: m("CpuReserved") },
            },
        },
        {
            ...common,
            what: `${id}-memory`,
            description: `${id}: memory above ${th.memoryPercent}% of reserved`,
            threshold: th.memoryPercent,
            expression: {
                expression: "100 * used / reserved",
                label: "memory %",
                metrics: { used: m("MemoryUtilized"), reserved: m("MemoryReserved") },
            },
        },
    ];
}

/** Data-tier alarms: warnings over three 5-minute periods; a gap in data keeps the last state (see `treatMissingData`). */
const DATA_TIER = {
    severity: "warning",
    comparison: "GreaterThanThreshold",
    periodSeconds: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: "missing",
} as const;

/** The DocumentDB cluster the alarms watch (from the data tier). */
export interface DatabaseMetrics {
    /** The cluster (CloudWatch `DBClusterIdentifier` dimension). */
    clusterIdentifier: pulumi.Input<string>;
    /** Its instances' class: it sets the connection limit (config/aws-limits.ts) the connections alarm compares against. */
    instanceClass: string;
}

/**
 * DocumentDB connections and CPU at cluster level with the Maximum statistic: the hottest instance
 * decides. The connection limit is per instance, and the primary takes every write, so the alarm
 * compares against 80% of ONE instance's limit rather than limit × instances (a sum would hide a
 * saturated primary behind idle replicas).
 */
export function databaseAlarms(db: DatabaseMetrics, th: Thresholds): AlarmSpec[] {
    const limit = DOCDB_MAX_CONNECTIONS[db.instanceClass];
    if (limit === undefined) throw new Error(`no connection limit known for DocumentDB instance class ${db.instanceClass}`);
    const dimensions = { DBClusterIdentifier: db.clusterIdentifier };
    const common = DATA_TIER;
    return [
        {
            ...common, what: "database-connections",
            description: `DocumentDB connections above ${th.databaseConnectionsPercent}% of the ${db.instanceClass} limit (${limit} per ` +
                `instance)`,
            threshold: Math.floor((limit * th.databaseConnectionsPercent) / 100),
            metric: { namespace: "AWS/DocDB", metricName: "DatabaseConnections", dimensions, stat: "Maximum" },
        },
        {
            ...common, what: "database-cpu", description: `DocumentDB CPU above ${th.cpuPercent}%`, threshold: th.cpuPercent,
            metric: { namespace: "AWS/DocDB", metricName: "CPUUtilization", dimensions, stat: "Maximum" },
        },
    ];
}

/** The Redis replication group the alarms watch (from the data tier). */
export interface CacheMetrics {
    /** The replication group: its nodes are `<id>-001`, `-002`, … (CloudWatch `CacheClusterId`). */
    replicationGroupId: pulumi.Input<string>;
    /** How many nodes it has: one set of alarms per node. */
    nodes: number;
}

/** ElastiCache reports per node (`CacheClusterId` = `<group>-001`, `-002`, … with cluster mode off). */
export const cacheNodeIds = (groupId: pulumi.Input<string>, nodes: number): pulumi.Output<string>[] =>
    Array.from({ length: nodes }, (_, i) => pulumi.interpolate`${groupId}-${String(i + 1).padStart(3, "0")}`);

/** Engine CPU, memory use and evictions per Redis node. */
export function cacheAlarms(c: CacheMetrics, th: Thresholds): AlarmSpec[] {
    const common = DATA_TIER;
    return cacheNodeIds(c.replicationGroupId, c.nodes).flatMap((node, i) => {
        const n = `cache-node-${i + 1}`;
        const m = (metricName: string, stat: string): MetricRef => (
            { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: node }, stat }
        );
        return [
            {
                ...common,
                what: `${n}-engine-cpu`,
                description: `Redis node ${i + 1}: engine CPU above ${th.cpuPercent}%`,
                threshold: th.cpuPercent,
                metric: m("EngineCPUUtilization", "Average"),
            },
            {
                ...common,
                what: `${n}-memory`,
                description: `Redis node ${i + 1}: memory above ${th.memoryPercent}% of maxmemory`,
                threshold: th.memoryPercent,
                metric: m("DatabaseMemoryUsagePercentage", "Average"),
            },
            // Any sustained eviction means the cache is too small for its working set.
            {
                ...common,
                what: `${n}-evictions`,
                description: `Redis node ${i + 1}: keys are being evicted`,
                threshold: 0,
                metric: m("Evictions", "Sum"),
            },
        ];
    });
}

// ---- dashboard ----

/** Resolved names the dashboard shows (plain strings: the body is JSON). */
export interface DashboardInputs {
    environment: string;
    region: string;
    loadBalancer: string;
    clusterName: string;
    /** Public services: target group suffix per colour. */
    targetGroups: { service: string; colour: Colour; targetGroup: string }[];
    /** Every service: ECS service name per colour. */
    ecsServices: { service: string; colour: Colour; serviceName: string }[];
    databaseClusterIdentifier?: string;
    cacheNodeIds?: string[];
}

type WidgetMetric = (string | Record<string, unknown>)[];
const widget = (title: string, metrics: WidgetMetric[], region: string, extra: Record<string, unknown> = {}) => ({
    type: "metric", width: 12, height: 6,
    properties: { title, region, metrics, view: "timeSeries", stacked: false, period: 60, ...extra },
});

/**
 * The environment's dashboard. Traffic split is RequestCount per target group (it shows the weight
 * without naming it, so a weight step never changes the dashboard); error rate and p95 per colour;
 * ECS CPU and memory per service and colour; database and cache health when they are given.
 */
export function dashboardBody(d: DashboardInputs): string {
    const lb = ["LoadBalancer", d.loadBalancer];
    const widgets: Record<string, unknown>[] = [];
    widgets.push(widget("Requests per colour (traffic split)",
        d.targetGroups.map(
            (t) => [ALB, "RequestCount", ...lb, "TargetGroup", t.targetGroup, { stat: "Sum", label: `${t.service} ${t.colour}` }]
        ),
        d.region,
        { stacked: true }));
    const errorRate: WidgetMetric[] = [];
    d.targetGroups.forEach((t, i) => {
        errorRate.push(
            [{ expression: `IF(r${i} > 0, 100 * FILL(e${i}, 0) / r${i}, 0)`, label: `${t.service} ${t.colour} 5xx %`, id: `rate${i}` }]
        );
        errorRate.push([ALB, "RequestCount", ...lb, "TargetGroup", t.targetGroup, { id: `r${i}`, stat: "Sum", visible: false }]);
        errorRate.push(
            [ALB, "HTTPCode_Target_5XX_Count", ...lb, "TargetGroup", t.targetGroup, { id: `e${i}`, stat: "Sum", visible: false }]
        );
    });
    widgets.push(widget("5xx error rate per colour (%)", errorRate, d.region));
    widgets.push(widget("p95 response time per colour (s)",
        d.targetGroups.map(
            (t) => [ALB, "TargetResponseTime", ...lb, "TargetGroup", t.targetGroup, { stat: "p95", label: `${t.service} ${t.colour}` }]
        ),
        d.region));
    widgets.push(widget("Healthy / unhealthy targets",
        d.targetGroups.flatMap((t) => ["HealthyHostCount", "UnHealthyHostCount"].map((metric) =>
            [
                ALB,
                metric,
                ...lb,
                "TargetGroup",
                t.targetGroup,
                { stat: "Maximum", label: `${t.service} ${t.colour} ${metric === "HealthyHostCount" ? "healthy" : "unhealthy"}` },
            ])), d.region));
    for (
        const [title, used, reserved] of [
            ["ECS CPU (% of reserved)", "CpuUtilized", "CpuReserved"],
            ["ECS memory (% of reserved)", "MemoryUtilized", "MemoryReserved"],
        ]
    ) {
        const metrics: WidgetMetric[] = [];
        d.ecsServices.forEach((s, i) => {
            const dims = ["ClusterName", d.clusterName, "ServiceName", s.serviceName];
            metrics.push([{ expression: `100 * u${i} / c${i}`, label: `${s.service} ${s.colour}`, id: `p${i}` }]);
            metrics.push(["ECS/ContainerInsights", used, ...dims, { id: `u${i}`, stat: "Average", visible: false }]);
            metrics.push(["ECS/ContainerInsights", reserved, ...dims, { id: `c${i}`, stat: "Average", visible: false }]);
        });
        widgets.push(widget(title, metrics, d.region));
    }
    if (d.databaseClusterIdentifier) {
        const dims = ["DBClusterIdentifier", d.databaseClusterIdentifier];
        widgets.push(widget("DocumentDB", [
            ["AWS/DocDB", "DatabaseConnections", ...dims, { stat: "Maximum" }],
            ["AWS/DocDB", "CPUUtilization", ...dims, { stat: "Maximum", yAxis: "right" }],
        ], d.region, { period: 300 }));
    }
    if (d.cacheNodeIds?.length) {
        widgets.push(widget("Redis", d.cacheNodeIds.flatMap((node) => [
            ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", node, { stat: "Average" }],
            ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", node, { stat: "Average" }],
            ["AWS/ElastiCache", "Evictions", "CacheClusterId", node, { stat: "Sum", yAxis: "right" }],
        ]), d.region, { period: 300 }));
    }
    // Two columns, rows in order.
    widgets.forEach((w, i) => Object.assign(w, { x: (i % 2) * 12, y: Math.floor(i / 2) * 6 }));
    return JSON.stringify({ widgets });
}

// ---- component ----

export interface MonitoringArgs {
    /** Short environment id: alarm, topic and dashboard names. */
    environment: string;
    /** This stack's region (the dashboard's widgets). */
    region: string;
    /** The alarms' thresholds (`tms:monitoring`). */
    thresholds: Thresholds;
    /** Key that encrypts the alert topics (the logs key; its policy lets CloudWatch and EventBridge use it). */
    topicKeyArn: pulumi.Input<string>;
    /** The account whose services may publish to the topics. */
    accountId: pulumi.Input<string>;
    /** The ALB's ARN suffix (CloudWatch `LoadBalancer` dimension). */
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** The ECS cluster's name (CloudWatch `ClusterName` dimension). */
    clusterName: pulumi.Input<string>;
    /** Target group ARN suffix per public service and colour. */
    targetGroupArnSuffixes: Record<string, Partial<Record<Colour, pulumi.Input<string>>>>;
    /** ECS service name per service and colour. */
    ecsServiceNames: Record<string, Partial<Record<Colour, pulumi.Input<string>>>>;
    /**
     * Repositories whose critical image findings (Amazon Inspector) page the critical topic.
     * @default none: no finding rule
     */
    repositoryArns?: pulumi.Input<string>[];
    /**
     * The data tier's cluster; its alarms and widgets are created when given.
     * @default none: no database alarms
     */
    database?: DatabaseMetrics;
    /**
     * The data tier's replication group; its alarms and widgets are created when given.
     * @default none: no cache alarms
     */
    cache?: CacheMetrics;
}

/** EventBridge pattern: an active CRITICAL Inspector finding on an image of these repositories. */
export function criticalImageFindingPattern(repositoryArns: string[]): Record<string, unknown> {
    return {
        source: ["aws.inspector2"],
        "detail-type": ["Inspector2 Finding"],
        detail: {
            severity: ["CRITICAL"],
            status: ["ACTIVE"],
            resources: { details: { awsEcrContainerImage: { repositoryName: repositoryArns.map((a) => a.split(":repository/")[1]) } } },
        },
    };
}

/**
 * Topic policy: the account administers the topic; the stack's CloudWatch alarms publish (they send their
 * account and ARN, https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger) and
 * EventBridge rules publish in a statement of their own without a condition: "You can't use Condition
 * blocks in Amazon SNS topic policies for EventBridge"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions).
 * Both follow config/service-integrations.ts (policy `sns-topic-policy-confused-deputy`).
 */
export function alertTopicPolicy(topicArn: string, accountId: string, alarmArns: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountManages",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: [
                    "sns:Publish",
                    "sns:Subscribe",
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:ListSubscriptionsByTopic",
                ],
                Resource: topicArn,
            },
            {
                Sid: "AlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": alarmArns } },
            },
            {
                Sid: "EventRulesPublish",
                Effect: "Allow",
                Principal: { Service: "events.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
            },
        ],
    });
}

const entries = <T>(r: Partial<Record<Colour, T>>) => Object.entries(r) as [Colour, T][];

/**
 * Alert topics, the alarms of the guide's deployment metrics, and the environment's dashboard.
 * Nothing here depends on the traffic weight or the live colour: both colours are always watched.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly criticalTopicArn: pulumi.Output<string>;
    readonly warningTopicArn: pulumi.Output<string>;
    readonly dashboardName: pulumi.Output<string>;
    /** Names of the critical alarms (the rollout CLI watches these). */
    readonly criticalAlarmNames: string[];
    readonly alarmNames: string[];

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:observability:Monitoring", name, {}, opts);
        const topics = {} as Record<Severity, aws.sns.Topic>;
        for (const severity of SEVERITIES) {
            const topic = new aws.sns.Topic(`${name}-${severity}`, {
                name: alertTopicName(args.environment, severity),
                kmsMasterKeyId: args.topicKeyArn,
                tags: serviceTags("monitoring", { Severity: severity }),
            }, { parent: this });
            new aws.sns.TopicPolicy(`${name}-${severity}-policy`, {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, args.accountId]).apply(
                    ([arn, acct]) => alertTopicPolicy(arn, acct, stackAlarmsArnPattern(args.environment, args.region, acct))
                ),
            }, { parent: this });
            topics[severity] = topic;
        }

        const specs: AlarmSpec[] = [...loadBalancerAlarms(args.loadBalancerArnSuffix, args.thresholds)];
        for (const [service, byColour] of Object.entries(args.targetGroupArnSuffixes)) {
            for (const [colour, targetGroup] of entries(byColour)) {
                specs.push(
                    ...targetGroupAlarms({ service, colour, loadBalancer: args.loadBalancerArnSuffix, targetGroup }, args.thresholds)
                );
            }
            specs.push(serviceAvailabilityAlarm({ service, loadBalancer: args.loadBalancerArnSuffix, targetGroups: byColour }));
        }
        for (const [service, byColour] of Object.entries(args.ecsServiceNames)) {
            for (const [colour, serviceName] of entries(byColour)) {
                specs.push(...ecsServiceAlarms({ service, colour, clusterName: args.clusterName, serviceName }, args.thresholds));
            }
        }
        if (args.database) specs.push(...databaseAlarms(args.database, args.thresholds));
        if (args.cache) specs.push(...cacheAlarms(args.cache, args.thresholds));

        for (const spec of specs) this.alarm(name, args.environment, spec, topics[spec.severity].arn);
        this.alarmNames = specs.map((s) => alarmName(args.environment, s.severity, s.what));
        this.criticalAlarmNames = specs.filter((s) => s.severity === "critical").map(
            (s) => alarmName(args.environment, s.severity, s.what)
        );

        const flat = <T>(r: Record<string, Partial<Record<Colour, T>>>) =>
            Object.entries(r).flatMap(([service, byColour]) => entries(byColour).map(([colour, v]) => ({ service, colour, v })));
        const tgs = flat(args.targetGroupArnSuffixes);
        const ecs = flat(args.ecsServiceNames);
        const dashboard = new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
            dashboardName: `tms-${args.environment}`,
            dashboardBody: pulumi.all([
                args.loadBalancerArnSuffix, args.clusterName, pulumi.all(tgs.map((t) => t.v)), pulumi.all(ecs.map((s) => s.v)),
                pulumi.output(args.database?.clusterIdentifier),
                args.cache ? pulumi.all(cacheNodeIds(args.cache.replicationGroupId, args.cache.nodes)) : pulumi.output(undefined),
            ]).apply(([loadBalancer, clusterName, targetGroups, serviceNames, database, cache]) => dashboardBody({
                environment: args.environment,
                region: args.region,
                loadBalancer,
                clusterName,
                targetGroups: tgs.map((t, i) => ({ service: t.service, colour: t.colour, targetGroup: targetGroups[i] })),
                ecsServices: ecs.map((s, i) => ({ service: s.service, colour: s.colour, serviceName: serviceNames[i] })),
                databaseClusterIdentifier: database,
                cacheNodeIds: cache,
            })),
        }, { parent: this });

        if (args.repositoryArns?.length) {
            // Guide: "Alerts for critical vulnerabilities" found by the registry's continuous scanning.
            const findings = new aws.cloudwatch.EventRule(`${name}-critical-image-findings`, {
                name: `tms-${args.environment}-critical-image-findings`,
                description: "Amazon Inspector found a CRITICAL vulnerability in a task-management-system image",
                eventPattern: pulumi.all(args.repositoryArns).apply((arns) => JSON.stringify(criticalImageFindingPattern(arns))),
                tags: serviceTags("monitoring", { Severity: "critical" }),
            }, { parent: this });
            new aws.cloudwatch.EventTarget(`${name}-critical-image-findings-alert`, {
                rule: findings.name,
                arn: topics.critical.arn,
            }, { parent: this });
        }

        this.criticalTopicArn = topics.critical.arn;
        this.warningTopicArn = topics.warning.arn;
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({
            criticalTopicArn: this.criticalTopicArn,
            warningTopicArn: this.warningTopicArn,
            dashboardName: this.dashboardName,
            criticalAlarmNames: this.criticalAlarmNames,
        });
    }

    /** One CloudWatch alarm from its spec; it notifies its severity's topic on ALARM and on OK. */
    private alarm(name: string, environment: string, s: AlarmSpec, topicArn: pulumi.Output<string>): aws.cloudwatch.MetricAlarm {
        const query = (id: string, m: MetricRef) => ({
            id,
            returnData: false,
            metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period: s.periodSeconds },
        });
        const source = s.metric
            ? {
                namespace: s.metric.namespace,
                metricName: s.metric.metricName,
                dimensions: s.metric.dimensions,
                period: s.periodSeconds,
                ...statistic(s.metric.stat)
            }
            : {
                metricQueries: [
                    { id: "result", expression: s.expression!.expression, label: s.expression!.label, returnData: true },
                    ...Object.entries(s.expression!.metrics).map(([id, m]) => query(id, m)),
                ],
            };
        return new aws.cloudwatch.MetricAlarm(`${name}-${s.severity}-${s.what}`, {
            name: alarmName(environment, s.severity, s.what),
            alarmDescription: s.description,
            comparisonOperator: s.comparison,
            threshold: s.threshold,
            evaluationPeriods: s.evaluationPeriods,
            datapointsToAlarm: s.datapointsToAlarm,
            treatMissingData: s.treatMissingData,
            actionsEnabled: true,
            alarmActions: [topicArn],
            okActions: [topicArn],
            ...source,
            tags: serviceTags("monitoring", { Severity: s.severity }),
        }, { parent: this });
    }
}

/** Percentiles go to `extendedStatistic`, the five basic statistics to `statistic`. */
function statistic(stat: string): { statistic?: string; extendedStatistic?: string } {
    return /^p\d/.test(stat) ? { extendedStatistic: stat } : { statistic: stat };
}
