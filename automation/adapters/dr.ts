/**
 * Real adapters of the DR runbook's ports (automation/dr.ts). Every call goes through `awsCall`, so a
 * failure names the call; none is turned into a state. The one place where a failure is an answer is
 * the probe of the primary region: a call that cannot reach the region (timeout, connection refused,
 * DNS, a 5xx) means "prod unreachable"; anything else (AccessDenied, throttling, a 4xx) is an error.
 *
 * - DocumentDB (API of RDS): DescribeGlobalClusters, DescribeDBClusters, FailoverGlobalCluster with
 *   AllowDataLoss (https://docs.aws.amazon.com/documentdb/latest/developerguide/API_FailoverGlobalCluster.html),
 *   SwitchoverGlobalCluster (…/API_SwitchoverGlobalCluster.html), RemoveFromGlobalCluster
 *   (…/API_RemoveFromGlobalCluster.html). FailoverState's statuses are pending, failing-over and
 *   cancelling (…/API_FailoverState.html); a member's SynchronizationStatus is connected or pending-resync
 *   (…/API_GlobalClusterMember.html).
 * - The traffic switches: PutMetricData on the switch metrics and DescribeAlarms on their alarms, in the
 *   dr region (config/naming.ts `drSwitches`). The alarm state is what the runbook can read without Route
 *   53's control plane (us-east-1); Route 53 itself reads the alarm's data stream (components/dns.ts).
 * - dr's capacity: its mode in SSM (PutParameter/GetParameter) and UpdateService on the live colour's
 *   ECS services, all in the dr region; target health read off the ALB (DescribeTargetHealth).
 */
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
    DescribeDBClustersCommand,
    DescribeGlobalClustersCommand,
    DocDBClient,
    FailoverGlobalClusterCommand,
    RemoveFromGlobalClusterCommand,
    SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-docdb";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { DR_SWITCH_NAMESPACE, drSwitches } from "../../config/naming";
import type { ClusterView, DrCapacityPort, DrMode, GlobalClusterView, GlobalDatabasePort, PrimaryProbe, TrafficSwitchPort } from "../dr";
import type { TargetHealth } from "../ports";
import { awsCall, AwsCallError, errorName } from "./aws-call";
import { targetHealthOf } from "./target-health";

const isParameterNotFound = (e: unknown) => errorName(e) === "ParameterNotFound";

/** Error names and codes that mean "the region did not answer", as opposed to "it answered no". */
const UNREACHABLE_NAMES = new Set([
    "TimeoutError",
    "RequestTimeout",
    "RequestTimeoutException",
    "NetworkingError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalServerError",
    "Timeout",
]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

/** Did this error come from a region that does not answer? Pure. */
export function isUnreachable(e: unknown): boolean {
    const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
    if (e instanceof AwsCallError) return e.code === "Timeout";
    if (!err) return false;
    if (UNREACHABLE_NAMES.has(err.name ?? "") || UNREACHABLE_CODES.has(err.code ?? "")) return true;
    return (err.$metadata?.httpStatusCode ?? 0) >= 500;
}

export interface DocDbIds {
    globalClusterId: string;
    /** dr's cluster identifier (stack output `databaseClusterId`). */
    drClusterId: string;
}

/** Region and identifier of a cluster ARN (`arn:aws:rds:<region>:<account>:cluster:<id>`). Pure. */
export function clusterArnParts(arn: string): { region: string; id: string } {
    const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):\d{12}:cluster:(.+)$/.exec(arn);
    if (!m) throw new Error(`not a DocumentDB cluster ARN: ${arn}`);
    return { region: m[1], id: m[2] };
}

export class DocDbGlobalCluster implements GlobalDatabasePort {
    constructor(
        /** A client in dr's region (every call but the probe). */
        private readonly dr: DocDBClient,
        /** A client in another region (the probe of prod's region, found from the global cluster's members). */
        private readonly clientIn: (region: string) => DocDBClient,
        private readonly ids: DocDbIds,
        private readonly timeoutMs?: number,
    ) {}

    private async cluster(client: DocDBClient, id: string): Promise<ClusterView> {
        const out = await awsCall(
            "DocumentDB DescribeDBClusters",
            (o) => client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), o),
            { timeoutMs: this.timeoutMs },
        );
        const c = out.DBClusters?.[0];
        if (!c?.DBClusterArn) throw new Error(`DocumentDB cluster ${id} not found`);
        return { arn: c.DBClusterArn, status: c.Status ?? "unknown" };
    }

    async global(): Promise<GlobalClusterView> {
        const out = await awsCall(
            "DocumentDB DescribeGlobalClusters",
            (o) => this.dr.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: this.ids.globalClusterId }), o),
            { timeoutMs: this.timeoutMs },
        );
        const g = out.GlobalClusters?.[0];
        if (!g) throw new Error(`DocumentDB global cluster ${this.ids.globalClusterId} not found`);
        const f = g.FailoverState;
        return {
            id: g.GlobalClusterIdentifier ?? this.ids.globalClusterId,
            status: g.Status ?? "unknown",
            failoverState: f?.Status
                ? { status: f.Status, fromArn: f.FromDbClusterArn, toArn: f.ToDbClusterArn, dataLossAllowed: f.IsDataLossAllowed === true }
                : undefined,
            members: (g.GlobalClusterMembers ?? []).map((m) => ({
                arn: m.DBClusterArn ?? "",
                writer: m.IsWriter === true,
                ...(m.SynchronizationStatus ? { synchronization: m.SynchronizationStatus } : {}),
            })),
        };
    }

    drCluster(): Promise<ClusterView> {
        return this.cluster(this.dr, this.ids.drClusterId);
    }

    /** prod's cluster: the member of the global cluster that is not dr's (read through dr's region). */
    private async primaryArn(): Promise<string> {
        const [g, dr] = [await this.global(), await this.drCluster()];
        const others = g.members.filter((m) => m.arn !== dr.arn);
        if (others.length !== 1)
            throw new Error(`global cluster ${g.id} has ${others.length} members besides dr's cluster; expected prod's alone`);
        return others[0].arn;
    }

    async probePrimary(): Promise<PrimaryProbe> {
        const arn = await this.primaryArn();
        const { region, id } = clusterArnParts(arn);
        const call = `DocumentDB DescribeDBClusters (${region})`;
        try {
            // `pass` keeps the SDK's own error (its name, code and HTTP status say whether the region answered).
            const out = await awsCall(
                call,
                (o) => this.clientIn(region).send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), o),
                { timeoutMs: this.timeoutMs, pass: () => true },
            );
            const c = out.DBClusters?.[0];
            if (!c?.DBClusterArn) throw new Error(`DocumentDB cluster ${id} not found in ${region}`);
            return { reachable: true, cluster: { arn: c.DBClusterArn, status: c.Status ?? "unknown" } };
        } catch (e) {
            const err = e as { name?: string; code?: string; message?: string };
            if (isUnreachable(e))
                return { reachable: false, error: `${call}: ${err.code ?? err.name ?? "Error"}: ${err.message ?? String(e)}` };
            if (e instanceof AwsCallError || !err?.name || err.name === "Error") throw e;
            throw new AwsCallError(call, err.name, err.message ?? String(e));
        }
    }

    async failover(): Promise<void> {
        const dr = await this.drCluster();
        await awsCall("DocumentDB FailoverGlobalCluster", (o) => this.dr.send(new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: this.ids.globalClusterId, TargetDbClusterIdentifier: dr.arn, AllowDataLoss: true,
        }), o), { timeoutMs: this.timeoutMs });
    }

    async switchover(targetArn: string): Promise<void> {
        await awsCall("DocumentDB SwitchoverGlobalCluster", (o) => this.dr.send(new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: this.ids.globalClusterId, TargetDbClusterIdentifier: targetArn,
        }), o), { timeoutMs: this.timeoutMs });
    }

    async detach(): Promise<void> {
        const dr = await this.drCluster();
        await awsCall("DocumentDB RemoveFromGlobalCluster", (o) => this.dr.send(new RemoveFromGlobalClusterCommand({
            GlobalClusterIdentifier: this.ids.globalClusterId, DbClusterIdentifier: dr.arn,
        }), o), { timeoutMs: this.timeoutMs });
    }
}

export class CloudWatchTrafficSwitches implements TrafficSwitchPort {
    private readonly names: ReturnType<typeof drSwitches>;

    /** `cloudwatch` is a client in dr's region, where both alarms live. */
    constructor(private readonly cloudwatch: CloudWatchClient, primaryEnv: string, drEnv: string, private readonly timeoutMs?: number) {
        this.names = drSwitches(primaryEnv, drEnv);
    }

    private async put(which: "fence" | "gate", value: number): Promise<void> {
        const s = this.names[which];
        await awsCall(
            "CloudWatch PutMetricData",
            (o) =>
                this.cloudwatch.send(
                    new PutMetricDataCommand({
                        Namespace: DR_SWITCH_NAMESPACE,
                        MetricData: [
                            {
                                MetricName: s.metricName,
                                Value: value,
                                Unit: "Count",
                                Dimensions: Object.entries(s.dimensions).map(([Name, Value]) => ({ Name, Value })),
                            },
                        ],
                    }),
                    o,
                ),
            { timeoutMs: this.timeoutMs },
        );
    }

    private async state(which: "fence" | "gate"): Promise<string> {
        const name = this.names[which].alarmName;
        const out = await awsCall(
            "CloudWatch DescribeAlarms",
            (o) => this.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }), o),
            { timeoutMs: this.timeoutMs },
        );
        const alarm = out.MetricAlarms?.find((a) => a.AlarmName === name);
        if (!alarm) throw new Error(`CloudWatch alarm ${name} not found (is the ${which === "fence" ? "prod" : "dr"} stack deployed?)`);
        return alarm.StateValue ?? "INSUFFICIENT_DATA";
    }

    setPrimaryFence(on: boolean): Promise<void> {
        return this.put("fence", on ? 1 : 0);
    }

    setDrGate(open: boolean): Promise<void> {
        return this.put("gate", open ? 1 : 0);
    }

    /** Both switches read the same way: on (fenced, open) exactly when the alarm is in ALARM; OK and no data are off. */
    async primaryFenced(): Promise<boolean> {
        return (await this.state("fence")) === "ALARM";
    }

    async drOpen(): Promise<boolean> {
        return (await this.state("gate")) === "ALARM";
    }
}

export interface DrCapacityTargets {
    /** dr's ECS cluster and the live colour's service names (stack outputs `clusterName`, `ecsServices`, `liveColour`). */
    clusterName: string;
    serviceNames: string[];
    /** The live colour's target groups of the public services (stack output `targetGroupArns`). */
    targetGroupArns: string[];
    /** SSM parameter of the mode (config/naming.ts `drModeParameterName`). */
    modeParameter: string;
}

export class EcsDrCapacity implements DrCapacityPort {
    constructor(
        private readonly ssm: SSMClient,
        private readonly ecs: ECSClient,
        private readonly elb: ElasticLoadBalancingV2Client,
        private readonly t: DrCapacityTargets,
        private readonly timeoutMs?: number,
    ) {}

    async readMode(): Promise<DrMode | undefined> {
        try {
            const out = await awsCall("SSM GetParameter", (o) => this.ssm.send(new GetParameterCommand({ Name: this.t.modeParameter }), o),
                { timeoutMs: this.timeoutMs, pass: isParameterNotFound });
            const v = out.Parameter?.Value;
            if (v !== "active" && v !== "standby")
                throw new Error(`SSM ${this.t.modeParameter} is ${JSON.stringify(v)}, not active or standby`);
            return v;
        } catch (e) {
            // The one answer that is not an error: no mode was ever recorded (a dr stack never failed over).
            if (isParameterNotFound(e)) return undefined;
            throw e;
        }
    }

    async writeMode(mode: DrMode): Promise<void> {
        await awsCall("SSM PutParameter", (o) => this.ssm.send(new PutParameterCommand({
            Name: this.t.modeParameter, Value: mode, Type: "String", Overwrite: true,
            Description: "tms dr mode (npm run dr:failover / dr:failback); the dr stack's program reads it",
        }), o), { timeoutMs: this.timeoutMs });
    }

    async scale(count: number): Promise<void> {
        for (const service of this.t.serviceNames) {
            await awsCall(
                "ECS UpdateService",
                (o) => this.ecs.send(new UpdateServiceCommand({ cluster: this.t.clusterName, service, desiredCount: count }), o),
                { timeoutMs: this.timeoutMs },
            );
        }
    }

    liveHealth(): Promise<TargetHealth> {
        return targetHealthOf(this.elb, this.t.targetGroupArns, this.timeoutMs);
    }
}
