/**
 * The engine's {@link MetricsPort} on CloudWatch: one `GetMetricData` per analysis interval with
 * both colours side by side (same window, same period, so the comparison is concurrent), plus
 * `DescribeAlarms` for the environment's critical alarms.
 *
 * Critical alarms are those whose name starts with `tms-<env>-critical-` (the naming contract with
 * the monitoring component; see docs/ci.md). A prefix lets CloudWatch filter server-side, where a
 * tag would need one ListTagsForResource per alarm.
 */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { alarmPrefix } from "../../config/naming";
import type { Colour, ColourMetrics, MetricsPort, MetricsSample, MetricsWindow } from "../ports";
import { awsCall } from "./aws-call";

export interface MetricsTargets {
    environment: string;
    /** `app/<name>/<id>`: the ALB's `LoadBalancer` dimension. */
    loadBalancerArnSuffix: string;
    /** Per public service, each colour's `targetgroup/<name>/<id>`. */
    targetGroupArnSuffixes: Record<string, Record<Colour, string>>;
}

export const criticalAlarmPrefix = (environment: string) => alarmPrefix(environment, "critical");

const METRICS = [
    { key: "requests", name: "RequestCount", stat: "Sum" },
    { key: "errors", name: "HTTPCode_Target_5XX_Count", stat: "Sum" },
    { key: "p95", name: "TargetResponseTime", stat: "p95" },
    { key: "unhealthy", name: "UnHealthyHostCount", stat: "Maximum" },
] as const;
type MetricKey = (typeof METRICS)[number]["key"];
type Role = "live" | "candidate";

/** CloudWatch query ids must start with a lowercase letter and hold only letters, digits and `_`. */
const queryId = (role: Role, key: MetricKey, serviceIndex: number) => `${role}_${key}_${serviceIndex}`;

/** The GetMetricData queries for one window: 4 metrics × 2 colours × each public service. Pure. */
export function buildQueries(targets: MetricsTargets, window: MetricsWindow): MetricDataQuery[] {
    const seconds = Math.max(60, Math.ceil((window.endMs - window.startMs) / 60_000) * 60);
    const queries: MetricDataQuery[] = [];
    Object.keys(targets.targetGroupArnSuffixes).forEach((service, i) => {
        for (const role of ["live", "candidate"] as const) {
            const colour = window[role];
            for (const m of METRICS) {
                queries.push({
                    Id: queryId(role, m.key, i),
                    Label: `${service} ${colour} ${m.name}`,
                    MetricStat: {
                        Metric: {
                            Namespace: "AWS/ApplicationELB",
                            MetricName: m.name,
                            Dimensions: [
                                { Name: "LoadBalancer", Value: targets.loadBalancerArnSuffix },
                                { Name: "TargetGroup", Value: targets.targetGroupArnSuffixes[service][colour] },
                            ],
                        },
                        Period: seconds,
                        Stat: m.stat,
                        // TargetResponseTime is in seconds; the engine compares milliseconds.
                        ...(m.key === "p95" ? { Unit: "Seconds" } : {}),
                    },
                    ReturnData: true,
                });
            }
        }
    });
    // The load balancer's own 5xx (a 503 when a target group has no healthy target, 502/504 from targets
    // that reset or time out). CloudWatch reports HTTPCode_ELB_5XX_Count per LoadBalancer (and AZ) only,
    // never per TargetGroup (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html),
    // so it cannot be split by colour: it is charged to the candidate, the side a rollback protects.
    queries.push({
        Id: "lb_elb5xx",
        Label: "load balancer HTTPCode_ELB_5XX_Count",
        MetricStat: {
            Metric: {
                Namespace: "AWS/ApplicationELB",
                MetricName: "HTTPCode_ELB_5XX_Count",
                Dimensions: [{ Name: "LoadBalancer", Value: targets.loadBalancerArnSuffix }],
            },
            Period: seconds,
            Stat: "Sum",
        },
        ReturnData: true,
    });
    return queries;
}

/** Fold the results into a sample: counts summed over services, p95 the worst service's. Pure. */
export function foldResults(serviceCount: number, values: Map<string, number[]>): Omit<MetricsSample, "alarms"> {
    const sum = (id: string) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
    const max = (id: string) => (values.get(id)?.length ? Math.max(...values.get(id)!) : null);
    const colour = (role: Role): ColourMetrics => {
        let requests = 0, errors5xx = 0, p95: number | null = null;
        for (let i = 0; i < serviceCount; i++) {
            requests += sum(queryId(role, "requests", i));
            errors5xx += sum(queryId(role, "errors", i));
            const p = max(queryId(role, "p95", i));
            if (p !== null) p95 = Math.max(p95 ?? 0, p);
        }
        return { requests, errors5xx, p95Ms: requests > 0 && p95 !== null ? Math.round(p95 * 1000) : null };
    };
    let unhealthyTargets = 0;
    for (let i = 0; i < serviceCount; i++) unhealthyTargets += max(queryId("candidate", "unhealthy", i)) ?? 0;
    const candidate = colour("candidate");
    // ELB-generated 5xx (see buildQueries): the candidate's, counted as errors of its requests.
    const elb5xx = sum("lb_elb5xx");
    return {
        live: colour("live"),
        candidate: {
            ...candidate,
            errors5xx: candidate.errors5xx + elb5xx,
            requests: Math.max(candidate.requests, candidate.errors5xx + elb5xx),
        },
        unhealthyTargets,
    };
}

/**
 * ALB metrics reach CloudWatch one to two minutes after the fact. Each window is read this much
 * behind (same length, same for both colours), so a window is complete when it is judged instead
 * of looking like low traffic. Decision: 120 s.
 */
export const DEFAULT_METRICS_LAG_MS = 120_000;

export class CloudWatchMetrics implements MetricsPort {
    constructor(
        private readonly client: CloudWatchClient,
        private readonly targets: MetricsTargets,
        private readonly callTimeoutMs?: number,
        private readonly lagMs = DEFAULT_METRICS_LAG_MS,
    ) {}

    async query(window: MetricsWindow): Promise<MetricsSample> {
        const queries = buildQueries(this.targets, window);
        const values = new Map<string, number[]>();
        let token: string | undefined;
        do {
            const out = await awsCall("CloudWatch GetMetricData", (o) => this.client.send(new GetMetricDataCommand({
                MetricDataQueries: queries,
                StartTime: new Date(window.startMs - this.lagMs),
                EndTime: new Date(window.endMs - this.lagMs),
                NextToken: token,
            }), o), { timeoutMs: this.callTimeoutMs });
            for (const r of out.MetricDataResults ?? []) values.set(r.Id!, [...(values.get(r.Id!) ?? []), ...(r.Values ?? [])]);
            token = out.NextToken;
        } while (token);
        const sample = foldResults(Object.keys(this.targets.targetGroupArnSuffixes).length, values);
        return { ...sample, alarms: await this.criticalAlarms() };
    }

    /** Names of the environment's critical alarms in ALARM now. */
    async criticalAlarms(): Promise<string[]> {
        const names: string[] = [];
        let token: string | undefined;
        do {
            const out = await awsCall("CloudWatch DescribeAlarms", (o) => this.client.send(new DescribeAlarmsCommand({
                AlarmNamePrefix: criticalAlarmPrefix(this.targets.environment),
                StateValue: "ALARM",
                AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
                NextToken: token,
            }), o), { timeoutMs: this.callTimeoutMs });
            for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) if (a.AlarmName) names.push(a.AlarmName);
            token = out.NextToken;
        } while (token);
        return names.sort();
    }
}
