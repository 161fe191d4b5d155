import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DR_SWITCH_NAMESPACE, serviceTags } from "../config/naming";

/** The DR runbook's switch on a failover record: the metric the runbook publishes, and the alarm on it. */
export interface FailoverSwitchArgs {
    /** The alarm's name (config/naming.ts's `primaryFenceSwitch`, `drGateSwitch`): the runbook reads the switch by it. */
    alarmName: string;
    /** The metric the runbook publishes (namespace `TMS/DR`). */
    metricName: pulumi.Input<string>;
    /** The metric's dimensions. */
    dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The alarm's region: the dr region, for both sides. */
    region: pulumi.Input<string>;
    /**
     * A provider in `region`, when that is not the stack's region.
     * @default the component's own (the stack's region)
     */
    provider?: aws.Provider;
}

export interface RegionalFailoverArgs {
    /** PRIMARY (prod, with the health check) or SECONDARY (dr). */
    role: "PRIMARY" | "SECONDARY";
    /** This stack's region (the record's set identifier). */
    region: string;
    /** The hosted zone of the failover record. */
    hostedZoneId: pulumi.Input<string>;
    /** The shared failover name, e.g. origin.taskmanagement.example.com; the CDN's origin. */
    name: pulumi.Input<string>;
    /** The ALB the record aliases (and the health check probes). */
    loadBalancerDnsName: pulumi.Input<string>;
    /** The ALB's hosted zone id (the alias target's zone). */
    loadBalancerZoneId: pulumi.Input<string>;
    /** Path the health check probes. */
    healthCheckPath: pulumi.Input<string>;
    /**
     * The DR runbook's switch on this record (config/naming.ts): PRIMARY carries the primary fence, SECONDARY
     * the dr gate. Its alarm lives in the dr region: `region`, and for PRIMARY a provider for it.
     */
    drSwitch: FailoverSwitchArgs;
    /**
     * The topic the switch's alarm pages on every change (it must be in the alarm's region): dr's critical
     * topic, for both stacks (prod's fence alarm lives in the dr region, where prod has no topic).
     */
    alertTopicArn: pulumi.Input<string>;
}

/**
 * The alarm behind each DR switch: the metric's maximum over one minute, ALARM at ≥ 1 (the switch is on).
 * Missing data keeps the alarm's state (`ignore`), so the runbook's DescribeAlarms reads the position it
 * last published (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
 * Route 53 does NOT read that state: it reads the alarm's data stream (below).
 */
export const DR_SWITCH_ALARM = {
    statistic: "Maximum",
    period: 60,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "ignore",
} as const;

/**
 * The Route 53 health check on a switch's alarm. Route 53 "monitors the data stream for the corresponding
 * alarm instead of monitoring the alarm state"; when the stream "doesn't provide enough information", the
 * check takes `InsufficientDataHealthStatus`, and with LastKnownStatus the status "from the last time
 * CloudWatch had sufficient data", healthy for a new check; an inverted check is unhealthy until there is data
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-cloudwatch).
 * The runbook publishes a switch once, so a minute later the stream is insufficient: with `Healthy` the fence
 * would lift itself (and Route 53 fail back to a stale writer when us-east-1 returns), with `Unhealthy` the
 * gate would close itself a minute after dr opened. Hence LastKnownStatus for both: a switch stays where the
 * runbook last put it.
 * - fence: not inverted: ALARM (fenced) is unhealthy; a new check, before any datum, is healthy (not fenced).
 * - gate: inverted: ALARM (open) is healthy; OK (closed) and a new check with no datum are unhealthy.
 */
export function drSwitchHealthCheck(kind: "fence" | "gate") {
    return { insufficientDataHealthStatus: "LastKnownStatus", invertHealthcheck: kind === "gate" } as const;
}

/**
 * One side of the Route53 failover between regions, with the two switches of the DR runbook (docs/dr.md).
 *
 * - PRIMARY (prod): a calculated health check, healthy only when both its children are: the HTTPS check of
 *   the ALB's /health (3 × 30 s) and the primary fence, a check on a CloudWatch alarm in the dr region. The
 *   runbook turns the fence on before it promotes dr; while on, prod is unhealthy whatever its ALB says, so
 *   Route 53 never fails back by itself to a stale writer when us-east-1 recovers. (Disabling a health check
 *   would do the opposite: Route 53 then considers it healthy,
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html.)
 * - SECONDARY (dr): a check on the dr gate alarm, unhealthy until the runbook opens it (an inverted check:
 *   healthy only while the gate's alarm is in ALARM). While dr is closed, Route 53 keeps answering with the primary even
 *   when the primary is unhealthy ("when the secondary is unhealthy, Route 53 responds with the primary",
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html): traffic never
 *   reaches a dr whose database is still a read-only secondary.
 *
 * Both switches are health checks on alarms, evaluated by Route 53's data plane: the runbook throws them
 * with PutMetricData in the dr region, without Route 53's control plane (us-east-1).
 */
export class RegionalFailover extends pulumi.ComponentResource {
    /** The check the record uses (PRIMARY: the calculated one). */
    readonly healthCheckId: pulumi.Output<string>;
    /** PRIMARY only: the ALB's own endpoint check. */
    readonly endpointHealthCheckId?: pulumi.Output<string>;
    readonly switchAlarmName: string;
    readonly recordFqdn: pulumi.Output<string>;

    constructor(name: string, args: RegionalFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:dns:RegionalFailover", name, {}, opts);
        const primary = args.role === "PRIMARY";
        const sw = args.drSwitch;
        const alarm = new aws.cloudwatch.MetricAlarm(`${name}-${primary ? "fence" : "gate"}-alarm`, {
            name: sw.alarmName,
            alarmDescription: primary
                ? "DR primary fence: in ALARM, prod's PRIMARY failover record is unhealthy (npm run dr:failover sets it, dr:failback " +
                    "clears it)"
                : "DR gate: in ALARM, dr is open and its SECONDARY failover record healthy; otherwise closed (npm run dr:failover opens " +
                    "it, dr:failback closes it)",
            namespace: DR_SWITCH_NAMESPACE,
            metricName: sw.metricName,
            dimensions: sw.dimensions,
            ...DR_SWITCH_ALARM,
            // Every throw of a switch pages on call, both ways.
            alarmActions: [args.alertTopicArn],
            okActions: [args.alertTopicArn],
            tags: serviceTags("dns"),
        }, { parent: this, ...(sw.provider ? { provider: sw.provider } : {}) });
        this.switchAlarmName = sw.alarmName;
        const switchCheck = new aws.route53.HealthCheck(`${name}-${primary ? "fence" : "gate"}`, {
            type: "CLOUDWATCH_METRIC",
            cloudwatchAlarmName: alarm.name,
            cloudwatchAlarmRegion: sw.region,
            ...drSwitchHealthCheck(primary ? "fence" : "gate"),
            // A replaced check starts again with no last known status (the fence reads "not fenced"): never
            // replace it while dr serves. AWS also asks that the check be updated when its alarm's settings
            // change (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-updating-cloudwatch-alarm-settings.html).
            tags: serviceTags("dns", { Name: primary ? `tms-primary-fence-${args.region}` : `tms-dr-gate-${args.region}` }),
        }, { parent: this });

        let recordCheck: aws.route53.HealthCheck = switchCheck;
        if (primary) {
            const endpoint = new aws.route53.HealthCheck(`${name}-health`, {
                type: "HTTPS",
                fqdn: args.loadBalancerDnsName,
                port: 443,
                resourcePath: args.healthCheckPath,
                // The guide's cadence: every 30 s; three misses (90 s) before Route53 fails over.
                requestInterval: 30,
                failureThreshold: 3,
                measureLatency: true,
                tags: serviceTags("dns", { Name: `tms-primary-${args.region}` }),
            }, { parent: this });
            this.endpointHealthCheckId = endpoint.id;
            recordCheck = new aws.route53.HealthCheck(`${name}-primary`, {
                type: "CALCULATED",
                childHealthchecks: [endpoint.id, switchCheck.id],
                childHealthThreshold: 2,
                tags: serviceTags("dns", { Name: `tms-primary-and-not-fenced-${args.region}` }),
            }, { parent: this });
        }
        this.healthCheckId = recordCheck.id;
        const record = new aws.route53.Record(`${name}-record`, {
            zoneId: args.hostedZoneId,
            name: args.name,
            type: "A",
            setIdentifier: `${args.role.toLowerCase()}-${args.region}`,
            failoverRoutingPolicies: [{ type: args.role }],
            healthCheckId: recordCheck.id,
            aliases: [{ name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true }],
        }, { parent: this });
        this.recordFqdn = record.fqdn;
        this.registerOutputs({ recordFqdn: this.recordFqdn, healthCheckId: this.healthCheckId });
    }
}
