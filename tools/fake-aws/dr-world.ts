/**
 * A fake of the AWS the DR runbook talks to, with the semantics AWS documents, for the runbook's tests
 * (L4) and the DR game day (L5+). It answers the real SDK clients the adapters build (through
 * aws-sdk-client-mock), on a clock, and refuses every call to a region made unreachable.
 *
 * Modelled, with the AWS page each behaviour comes from:
 * - DocumentDB global cluster (https://docs.aws.amazon.com/documentdb/latest/developerguide/global-clusters-disaster-recovery.html):
 *   managed failover (`FailoverGlobalCluster` + `AllowDataLoss`) promotes the chosen secondary and keeps the
 *   topology; it runs while the primary's region is gone; the old primary, once its region is back, takes a
 *   best-effort snapshot and rejoins as a secondary (what it had not replicated is lost to the global cluster).
 *   Switchover (`SwitchoverGlobalCluster`) needs every cluster healthy and loses nothing (RPO 0,
 *   https://docs.aws.amazon.com/r53recovery/latest/dg/documentdb-global-cluster-block.html). `RemoveFromGlobalCluster`
 *   makes the removed cluster a standalone writer and leaves the old primary writing
 *   (…/global-clusters-disaster-recovery.html). While an operation runs, `FailoverState` carries
 *   pending / failing-over with From/To and IsDataLossAllowed (…/API_FailoverState.html); a second one is
 *   refused with InvalidGlobalClusterStateFault. Replication is storage-level with lag under a second
 *   (CreateGlobalCluster: "latencies less than one second"): secondaries here copy the writer at every tick.
 * - CloudWatch alarms with `treatMissingData: ignore` keep their state without data; with no data at all they
 *   are INSUFFICIENT_DATA (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
 *   That state is what DescribeAlarms (the runbook) reads.
 * - Route 53 failover records: the primary answers while healthy; else the secondary when healthy; when the
 *   secondary is unhealthy too, the primary; a secondary without a health check always answers when the
 *   primary is unhealthy (ResourceRecordSet Failover, https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html).
 * - A Route 53 check on an alarm reads the alarm's data stream, not its state: while the last evaluation
 *   window holds a datum, ALARM is unhealthy and OK healthy; otherwise the check takes its
 *   `InsufficientDataHealthStatus` (LastKnownStatus: the status from the last datum, healthy for a new check);
 *   an inverted check reports the opposite, and a new inverted one is unhealthy
 *   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
 *   The settings come from what is deployed (the game day reads them off the engine's state) or from
 *   components/dns.ts; a calculated check here is healthy when all its children are.
 *
 * Durations AWS does not publish are ASSUMPTIONS, named below; the game day prints them with the RTO.
 * Writes: every tick, the cluster Route 53 sends traffic to accepts writes if it can (its data version
 * grows); the world records a violation when a cluster serves writes without the newest data (a stale
 * writer) or when two writable clusters are served within one DNS TTL.
 */
import * as fs from "fs";
import * as path from "path";
import {
    DescribeDBClustersCommand,
    DescribeGlobalClustersCommand,
    DocDBClient,
    FailoverGlobalClusterCommand,
    RemoveFromGlobalClusterCommand,
    SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-docdb";
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import type { Clock } from "../../automation/ports";
import { DR_SWITCH_NAMESPACE, drSwitches } from "../../config/naming";
import { DR_SWITCH_ALARM, drSwitchHealthCheck } from "../../components/dns";
import { OUTAGE_FILE, SSM_FILE } from "./outage";

/** ASSUMPTIONS (AWS publishes "RTO in minutes" and "unavailable for a short time", not these numbers). */
export const TIMINGS = {
    /** FailoverState `pending` before `failing-over`. */
    pendingMs: 10_000,
    /** A managed failover, from the call to the new writer. */
    failoverMs: 120_000,
    /** A switchover (it first waits for the secondary to catch up). */
    switchoverMs: 90_000,
    /** A detached cluster's `modifying` before it is available as a standalone writer. */
    detachMs: 60_000,
    /** The old primary, back, snapshotting and resynchronising before it is an available secondary. */
    rejoinMs: 180_000,
    /** New ECS tasks registered and passing the target group's health check. */
    taskStartMs: 90_000,
    /** Route 53 endpoint check: every 30 s, 3 failures/successes to flip (the stack's health check). */
    endpointFlipMs: 90_000,
    /** Alarm: 1 period of 60 s; a datum is evaluated at the end of its period. */
    alarmPeriodMs: 60_000,
    /** TTL of the answer (alias to an ALB: 60 s). */
    dnsTtlMs: 60_000,
} as const;

export interface WorldOptions {
    clock: Clock;
    accountId: string;
    primary: { region: string; env: string; clusterId: string };
    dr: { region: string; env: string; clusterId: string; envName: string };
    globalClusterId: string;
    /**
     * What the deployed stacks' Route 53 records carry: the fence on the PRIMARY (a child of its calculated
     * check, beside the endpoint check), the gate on the SECONDARY. Absent: the record has no such check.
     */
    route53: { fence?: SwitchCheck; gate?: SwitchCheck };
    /** dr's live services behind the public target groups, and their standing task count. */
    drServices: { cluster: string; service: string; targetGroupArn?: string; running: number }[];
    /** Where the fake provider plugins read the outage and SSM (the sandbox's world folder). */
    dir?: string;
}

/** A Route 53 health check on a switch's CloudWatch alarm, with the alarm's own settings. */
export interface SwitchCheck {
    alarmName: string;
    metricName: string;
    /** ALARM when a period's statistic is ≥ threshold (the only comparison the switches use). */
    threshold: number;
    periodMs: number;
    evaluationPeriods: number;
    treatMissingData: string;
    insufficient: "Healthy" | "Unhealthy" | "LastKnownStatus";
    inverted: boolean;
}

/** The shipped switch (components/dns.ts settings, config/naming.ts names) as the world models it. */
export function shippedSwitch(kind: "fence" | "gate", primaryEnv = "prod", drEnv = "dr"): SwitchCheck {
    const names = drSwitches(primaryEnv, drEnv)[kind];
    const check = drSwitchHealthCheck(kind);
    return {
        alarmName: names.alarmName, metricName: names.metricName, threshold: DR_SWITCH_ALARM.threshold,
        periodMs: DR_SWITCH_ALARM.period * 1000, evaluationPeriods: DR_SWITCH_ALARM.evaluationPeriods,
        treatMissingData: DR_SWITCH_ALARM.treatMissingData, insufficient: check.insufficientDataHealthStatus, inverted: check.invertHealthcheck,
    };
}

interface Cluster { id: string; arn: string; region: string; status: string; member: boolean; version: number; availableAt?: number; rejoin?: boolean }
interface Operation { kind: "failover" | "switchover"; from: string; to: string; startedAt: number; doneAt: number; cancelling?: boolean }
interface Datum { atMs: number; value: number }

export interface WorldEvent { atMs: number; what: string }
/** One SDK call the world answered or refused (`ok: false`: refused, e.g. its region was unreachable). */
export interface WorldCall { atMs: number; region: string; service: string; command: string; ok: boolean }

function awsError(name: string, message: string, status = 400): Error {
    return Object.assign(new Error(message), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}

export class DrWorld {
    readonly events: WorldEvent[] = [];
    readonly calls: WorldCall[] = [];
    readonly violations: string[] = [];
    readonly unreachable = new Set<string>();
    private readonly clusters: Cluster[];
    private writerArn: string;
    private op?: Operation;
    private readonly metrics = new Map<string, Datum[]>();
    private readonly ssm = new Map<string, string>();
    private readonly ecs = new Map<string, { count: number; changedAt: number }>();
    private regionFlip = new Map<string, number>();
    private lastAnswer?: { region: string; atMs: number; writable: boolean };
    private maxVersion = 0;
    private lastTick: number;
    readonly servedWriters: { atMs: number; region: string }[] = [];
    /** Spans when Route 53 answered a region whose cluster could not take writes (every write failed). */
    readonly writeGaps: { fromMs: number; toMs?: number; region: string }[] = [];

    constructor(readonly o: WorldOptions) {
        const arn = (region: string, id: string) => `arn:aws:rds:${region}:${o.accountId}:cluster:${id}`;
        this.clusters = [
            { id: o.primary.clusterId, arn: arn(o.primary.region, o.primary.clusterId), region: o.primary.region, status: "available", member: true, version: 0 },
            { id: o.dr.clusterId, arn: arn(o.dr.region, o.dr.clusterId), region: o.dr.region, status: "available", member: true, version: 0 },
        ];
        this.writerArn = this.clusters[0].arn;
        for (const s of o.drServices) this.ecs.set(s.service, { count: s.running, changedAt: -Infinity });
        this.lastTick = o.clock.now();
        this.persist();
    }

    /** The instant being observed (a tick walks through past instants), else the clock's. */
    private at?: number;
    private ttlWindow?: { region: string; untilMs: number };

    private now(): number {
        return this.at ?? this.o.clock.now();
    }

    private log(what: string): void {
        this.events.push({ atMs: this.now(), what });
    }

    cluster(region: string): Cluster {
        return this.clusters.find((c) => c.region === region)!;
    }

    // ----- regions -------------------------------------------------------------------------------------

    setReachable(region: string, reachable: boolean): void {
        this.tick();
        if (reachable ? !this.unreachable.has(region) : this.unreachable.has(region)) return;
        if (reachable) this.unreachable.delete(region);
        else this.unreachable.add(region);
        this.regionFlip.set(region, this.now());
        this.log(`${region} ${reachable ? "reachable again" : "unreachable"}`);
        const old = this.clusters.find((c) => c.region === region && c.rejoin);
        if (reachable && old) {
            old.status = "modifying";
            old.availableAt = this.now() + TIMINGS.rejoinMs;
            this.log(`${old.id}: back; best-effort snapshot of what it had not replicated, then it resynchronises as a secondary`);
        }
        this.persist();
    }

    private reach(region: string): void {
        if (this.unreachable.has(region)) {
            throw Object.assign(new Error(`connect ETIMEDOUT (${region} is unreachable in this game day)`), { name: "TimeoutError", code: "ETIMEDOUT" });
        }
    }

    /** The files the fake provider plugins read (tools/fake-aws/outage.ts). */
    private persist(): void {
        if (!this.o.dir) return;
        fs.mkdirSync(this.o.dir, { recursive: true });
        fs.writeFileSync(path.join(this.o.dir, OUTAGE_FILE), JSON.stringify({ unreachable: [...this.unreachable].sort() }));
        fs.writeFileSync(path.join(this.o.dir, SSM_FILE), JSON.stringify({ [this.o.dr.region]: Object.fromEntries(this.ssm) }));
    }

    // ----- DocumentDB ----------------------------------------------------------------------------------

    private settle(): void {
        const now = this.now();
        if (this.op?.cancelling && now >= this.op.doneAt) {
            this.log(`${this.op.kind} cancelled: the clusters are back in their previous roles`);
            this.op = undefined;
        }
        if (this.op && now >= this.op.doneAt) {
            const op = this.op;
            this.op = undefined;
            this.writerArn = op.to;
            const from = this.clusters.find((c) => c.arn === op.from)!;
            const to = this.clusters.find((c) => c.arn === op.to)!;
            if (op.kind === "switchover") to.version = Math.max(to.version, from.version);
            if (op.kind === "failover" && this.unreachable.has(from.region)) from.rejoin = true;
            this.log(`${op.kind} done: ${to.id} is the global cluster's writer`);
        }
        for (const c of this.clusters) {
            if (c.availableAt !== undefined && now >= c.availableAt && !this.unreachable.has(c.region)) {
                c.availableAt = undefined;
                c.status = "available";
                if (c.rejoin) {
                    c.rejoin = false;
                    this.log(`${c.id}: rejoined as a secondary`);
                }
            }
        }
    }

    /** Is this cluster accepting writes right now? */
    writable(c: Cluster): boolean {
        if (this.unreachable.has(c.region) || c.status !== "available" || c.rejoin) return false;
        if (!c.member) return true;
        return c.arn === this.writerArn && !this.op;
    }

    private replicate(): void {
        const writer = this.clusters.find((c) => c.arn === this.writerArn)!;
        if (this.unreachable.has(writer.region) || writer.rejoin) return;
        for (const c of this.clusters) {
            // A member that is back and resynchronised copies the writer (its own newer writes are lost: the snapshot keeps them).
            if (c.member && c !== writer && !this.unreachable.has(c.region) && !c.rejoin && c.status === "available") c.version = writer.version;
        }
    }

    private globalView() {
        this.settle();
        const op = this.op;
        return {
            GlobalClusterIdentifier: this.o.globalClusterId,
            GlobalClusterArn: `arn:aws:rds::${this.o.accountId}:global-cluster:${this.o.globalClusterId}`,
            Status: "available",
            Engine: "docdb",
            // SynchronizationStatus: connected | pending-resync (API_GlobalClusterMember.html); a returning old primary resynchronises.
            GlobalClusterMembers: this.clusters.filter((c) => c.member).map((c) => ({
                DBClusterArn: c.arn, IsWriter: c.arn === this.writerArn,
                SynchronizationStatus: c.rejoin || (c.arn !== this.writerArn && c.status !== "available") ? "pending-resync" : "connected",
            })),
            ...(op ? { FailoverState: { Status: op.cancelling ? "cancelling" : this.now() - op.startedAt < TIMINGS.pendingMs ? "pending" : "failing-over", FromDbClusterArn: op.from, ToDbClusterArn: op.to, IsDataLossAllowed: op.kind === "failover" } } : {}),
        };
    }

    private target(id: string | undefined): Cluster {
        const c = this.clusters.find((x) => x.arn === id || x.id === id);
        if (!c) throw awsError("DBClusterNotFoundFault", `DBCluster ${id} not found.`, 404);
        return c;
    }

    private checkGlobal(id: string | undefined): void {
        if (id !== this.o.globalClusterId) throw awsError("GlobalClusterNotFoundFault", `Global cluster ${id} not found.`, 404);
        if (this.op) throw awsError("InvalidGlobalClusterStateFault", `Global cluster ${id} is ${this.op.kind === "failover" ? "failing over" : "switching over"}.`);
    }

    failoverGlobal(input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string; AllowDataLoss?: boolean; Switchover?: boolean }): void {
        this.settle();
        this.checkGlobal(input.GlobalClusterIdentifier);
        const to = this.target(input.TargetDbClusterIdentifier);
        if (!to.member || to.arn === this.writerArn) throw awsError("InvalidDBClusterStateFault", `DBCluster ${to.id} is not a secondary of ${this.o.globalClusterId}.`);
        // Without AllowDataLoss the operation is a switchover (the API's documented default).
        if (!input.AllowDataLoss) return this.switchoverGlobal(input);
        this.op = { kind: "failover", from: this.writerArn, to: to.arn, startedAt: this.now(), doneAt: this.now() + TIMINGS.failoverMs };
        this.log(`FailoverGlobalCluster (AllowDataLoss) to ${to.id}`);
    }

    switchoverGlobal(input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string }): void {
        this.settle();
        this.checkGlobal(input.GlobalClusterIdentifier);
        const to = this.target(input.TargetDbClusterIdentifier);
        if (!to.member || to.arn === this.writerArn) throw awsError("InvalidDBClusterStateFault", `DBCluster ${to.id} is not a secondary of ${this.o.globalClusterId}.`);
        const sick = this.clusters.filter((c) => c.member && (this.unreachable.has(c.region) || c.status !== "available" || c.rejoin));
        if (sick.length) throw awsError("InvalidGlobalClusterStateFault", `A switchover needs every cluster of ${this.o.globalClusterId} available (${sick.map((c) => c.id).join(", ")} is not).`);
        this.op = { kind: "switchover", from: this.writerArn, to: to.arn, startedAt: this.now(), doneAt: this.now() + TIMINGS.switchoverMs };
        this.log(`SwitchoverGlobalCluster to ${to.id}`);
    }

    /** AWS cancels the running operation (FailoverState `cancelling`): the clusters return to their roles a while later. */
    cancelOperation(): void {
        this.settle();
        if (!this.op) throw new Error("no operation to cancel");
        this.op.cancelling = true;
        this.op.doneAt = this.now() + TIMINGS.pendingMs;
        this.log(`${this.op.kind} to ${this.target(this.op.to).id}: cancelling`);
    }

    removeFromGlobal(input: { GlobalClusterIdentifier?: string; DbClusterIdentifier?: string }): void {
        this.settle();
        if (input.GlobalClusterIdentifier !== this.o.globalClusterId) throw awsError("GlobalClusterNotFoundFault", `Global cluster ${input.GlobalClusterIdentifier} not found.`, 404);
        const c = this.target(input.DbClusterIdentifier);
        if (!c.member) throw awsError("DBClusterNotFoundFault", `DBCluster ${c.id} is not a member of ${this.o.globalClusterId}.`, 404);
        if (c.arn === this.writerArn) throw awsError("InvalidGlobalClusterStateFault", `${c.id} is the writer of ${this.o.globalClusterId}.`);
        c.member = false;
        c.status = "modifying";
        c.availableAt = this.now() + TIMINGS.detachMs;
        this.log(`RemoveFromGlobalCluster ${c.id}: it becomes a standalone writer; the old primary keeps writing`);
    }

    // ----- CloudWatch switches ------------------------------------------------------------------------

    private switchFor(alarmName: string): SwitchCheck | undefined {
        return [this.o.route53.fence, this.o.route53.gate].find((c) => c?.alarmName === alarmName);
    }

    /** Data of a switch's metric evaluated by now (a datum counts at the end of its period). */
    private evaluated(sw: SwitchCheck): (Datum & { periodEnd: number })[] {
        return (this.metrics.get(sw.metricName) ?? [])
            .map((d) => ({ ...d, periodEnd: (Math.floor(d.atMs / sw.periodMs) + 1) * sw.periodMs }))
            .filter((d) => d.periodEnd <= this.now());
    }

    /** The alarm's state, as DescribeAlarms returns it (missing data ignored: the last state stays). */
    alarmState(alarmName: string): "OK" | "ALARM" | "INSUFFICIENT_DATA" {
        const sw = this.switchFor(alarmName);
        if (!sw) throw new Error(`no alarm ${alarmName}`);
        const data = this.evaluated(sw);
        const last = data[data.length - 1];
        if (!last) return "INSUFFICIENT_DATA";
        const current = this.now() < last.periodEnd + sw.evaluationPeriods * sw.periodMs;
        if (!current && sw.treatMissingData !== "ignore") return "INSUFFICIENT_DATA";
        return last.value >= sw.threshold ? "ALARM" : "OK";
    }

    /** What Route 53 makes of the check: the alarm's data stream, not its state (see the module comment). */
    checkHealthy(sw: SwitchCheck): boolean {
        const data = this.evaluated(sw);
        const last = data[data.length - 1];
        let healthy: boolean;
        if (last && this.now() < last.periodEnd + sw.evaluationPeriods * sw.periodMs) healthy = last.value < sw.threshold;
        else if (sw.insufficient === "Healthy") healthy = true;
        else if (sw.insufficient === "Unhealthy") healthy = false;
        else healthy = last ? last.value < sw.threshold : true;
        return sw.inverted ? !healthy : healthy;
    }

    private putMetric(input: { Namespace?: string; MetricData?: { MetricName?: string; Value?: number }[] }): void {
        if (input.Namespace !== DR_SWITCH_NAMESPACE) throw awsError("InvalidParameterValue", `unexpected namespace ${input.Namespace}`);
        for (const d of input.MetricData ?? []) {
            const list = this.metrics.get(d.MetricName!) ?? [];
            list.push({ atMs: this.now(), value: d.Value ?? 0 });
            this.metrics.set(d.MetricName!, list);
            this.log(`PutMetricData ${d.MetricName}=${d.Value}`);
        }
    }

    // ----- Route 53 ----------------------------------------------------------------------------------

    /** The primary's endpoint check: it flips 3 × 30 s after its region does. */
    private endpointHealthy(): boolean {
        const dark = this.unreachable.has(this.o.primary.region);
        const since = this.regionFlip.get(this.o.primary.region);
        const settled = since === undefined || this.now() - since >= TIMINGS.endpointFlipMs;
        return settled ? !dark : dark;
    }

    /** The region Route 53 answers with for the failover name. */
    dnsAnswer(): string {
        const { fence, gate } = this.o.route53;
        const primaryHealthy = this.endpointHealthy() && (!fence || this.checkHealthy(fence));
        if (primaryHealthy) return this.o.primary.region;
        const secondaryHealthy = !gate || this.checkHealthy(gate);
        return secondaryHealthy ? this.o.dr.region : this.o.primary.region;
    }

    // ----- time ------------------------------------------------------------------------------------------

    /** Let time pass in steps of 5 s (writes, replication, Route 53 and the invariants at each step). */
    tick(): void {
        const now = this.now();
        const step = 5_000;
        for (let t = Math.min(this.lastTick + step, now); t <= now; t += step) this.observe(t);
        this.lastTick = now;
        this.observe(now);
    }

    private observe(atMs: number): void {
        this.at = atMs;
        try {
            this.settle();
            this.replicate();
            const region = this.dnsAnswer();
            const c = this.cluster(region);
            const writable = this.writable(c);
            const gap = this.writeGaps[this.writeGaps.length - 1];
            const open = gap && gap.toMs === undefined ? gap : undefined;
            if (!writable && (!open || open.region !== region)) {
                if (open) open.toMs = atMs;
                this.writeGaps.push({ fromMs: atMs, region });
            } else if (writable && open) open.toMs = atMs;
            if (writable) {
                if (c.version < this.maxVersion) this.violation(`stale writer served: ${c.id} (data version ${c.version} < ${this.maxVersion}) took writes at ${this.stamp(atMs)}`);
                c.version = ++this.maxVersion;
                const last = this.servedWriters[this.servedWriters.length - 1];
                if (!last || last.region !== region) this.servedWriters.push({ atMs, region });
            }
            const prev = this.lastAnswer;
            if (prev && prev.region !== region) {
                this.log(`Route 53 answers ${region} (was ${prev.region})`);
                // Clients keep the previous answer for one TTL.
                this.ttlWindow = { region: prev.region, untilMs: atMs + TIMINGS.dnsTtlMs };
            }
            this.lastAnswer = { region, atMs, writable };
            if (this.ttlWindow && atMs <= this.ttlWindow.untilMs && this.ttlWindow.region !== region) {
                const old = this.cluster(this.ttlWindow.region);
                if (writable && this.writable(old)) this.violation(`two writers served within one DNS TTL: ${old.id} and ${c.id} at ${this.stamp(atMs)}`);
            }
            this.replicate();
        } finally {
            this.at = undefined;
        }
    }

    private stamp(atMs: number): string {
        return new Date(atMs).toISOString();
    }

    private violation(what: string): void {
        if (!this.violations.includes(what)) this.violations.push(what);
        this.log(`VIOLATION ${what}`);
    }

    // ----- ECS / ELB / SSM ------------------------------------------------------------------------------

    private targetHealth(tg: string) {
        const svc = this.o.drServices.find((s) => s.targetGroupArn === tg);
        if (!svc) throw awsError("TargetGroupNotFound", `Target groups '${tg}' not found`);
        const e = this.ecs.get(svc.service)!;
        const started = this.now() - e.changedAt >= TIMINGS.taskStartMs;
        return Array.from({ length: e.count }, (_, i) => ({
            Target: { Id: `10.1.${i}.10`, Port: 5000 },
            TargetHealth: { State: i < svc.running || started ? "healthy" : "initial" },
        }));
    }

    desiredCount(service: string): number {
        return this.ecs.get(service)!.count;
    }

    ssmValue(name: string): string | undefined {
        return this.ssm.get(name);
    }

    /** Answer the real SDK clients the adapters build (aws-sdk-client-mock); returns the mocks to restore. */
    install() {
        const region = async (getClient: () => any): Promise<string> => getClient().config.region();
        const guard = <I, O>(command: string, fn: (input: I, region: string) => O) => async (input: I, getClient: () => any) => {
            const r = await region(getClient);
            const call: WorldCall = { atMs: this.now(), region: r, service: String(getClient().constructor.name).replace(/Client$/, ""), command, ok: false };
            this.calls.push(call);
            this.tick();
            this.reach(r);
            const out = fn(input, r);
            call.ok = true;
            this.tick();
            this.persist();
            return out;
        };
        const docdb = mockClient(DocDBClient);
        docdb.on(DescribeGlobalClustersCommand).callsFake(guard("DescribeGlobalClusters", (i: any) => {
            if (i.GlobalClusterIdentifier !== this.o.globalClusterId) throw awsError("GlobalClusterNotFoundFault", `Global cluster ${i.GlobalClusterIdentifier} not found.`, 404);
            return { GlobalClusters: [this.globalView()] };
        }));
        docdb.on(DescribeDBClustersCommand).callsFake(guard("DescribeDBClusters", (i: any, r) => {
            this.settle();
            const c = this.clusters.find((x) => x.region === r && (x.id === i.DBClusterIdentifier || x.arn === i.DBClusterIdentifier));
            if (!c) throw awsError("DBClusterNotFoundFault", `DBCluster ${i.DBClusterIdentifier} not found.`, 404);
            return { DBClusters: [{ DBClusterIdentifier: c.id, DBClusterArn: c.arn, Status: c.status, Engine: "docdb" }] };
        }));
        docdb.on(FailoverGlobalClusterCommand).callsFake(guard("FailoverGlobalCluster", (i: any) => (this.failoverGlobal(i), { GlobalCluster: this.globalView() })));
        docdb.on(SwitchoverGlobalClusterCommand).callsFake(guard("SwitchoverGlobalCluster", (i: any) => (this.switchoverGlobal(i), { GlobalCluster: this.globalView() })));
        docdb.on(RemoveFromGlobalClusterCommand).callsFake(guard("RemoveFromGlobalCluster", (i: any) => (this.removeFromGlobal(i), { GlobalCluster: this.globalView() })));
        const cloudwatch = mockClient(CloudWatchClient);
        cloudwatch.on(PutMetricDataCommand).callsFake(guard("PutMetricData", (i: any, r) => {
            if (r !== this.o.dr.region) throw awsError("InvalidParameterValue", `the switches live in ${this.o.dr.region}, not ${r}`);
            this.putMetric(i);
            return {};
        }));
        cloudwatch.on(DescribeAlarmsCommand).callsFake(guard("DescribeAlarms", (i: any, r) => ({
            MetricAlarms: r !== this.o.dr.region ? [] : (i.AlarmNames ?? []).filter((n: string) => this.switchFor(n)).map((n: string) => ({ AlarmName: n, StateValue: this.alarmState(n) })),
        })));
        const ssm = mockClient(SSMClient);
        ssm.on(GetParameterCommand).callsFake(guard("GetParameter", (i: any) => {
            const v = this.ssm.get(i.Name);
            if (v === undefined) throw awsError("ParameterNotFound", "", 400);
            return { Parameter: { Name: i.Name, Value: v, Type: "String" } };
        }));
        ssm.on(PutParameterCommand).callsFake(guard("PutParameter", (i: any) => {
            this.ssm.set(i.Name, i.Value);
            this.log(`SSM ${i.Name} = ${i.Value}`);
            return { Version: 1 };
        }));
        const ecs = mockClient(ECSClient);
        ecs.on(UpdateServiceCommand).callsFake(guard("UpdateService", (i: any) => {
            const e = this.ecs.get(i.service);
            if (!e) throw awsError("ServiceNotFoundException", `Service not found: ${i.service}`);
            if (i.desiredCount !== e.count) this.ecs.set(i.service, { count: i.desiredCount, changedAt: this.now() });
            this.log(`ECS ${i.service} desiredCount ${i.desiredCount}`);
            return { service: { serviceName: i.service, desiredCount: i.desiredCount } };
        }));
        const elb = mockClient(ElasticLoadBalancingV2Client);
        elb.on(DescribeTargetHealthCommand).callsFake(guard("DescribeTargetHealth", (i: any) => ({ TargetHealthDescriptions: this.targetHealth(i.TargetGroupArn) })));
        return { restore: () => [docdb, cloudwatch, ssm, ecs, elb].forEach((m) => m.restore()) };
    }
}

/**
 * A clock for the game day: real time passes for real work (the engine), and sleeps skip ahead (the
 * waits on AWS), so the measured RTO is the real time of the runbook's work plus the modelled waits.
 */
export class FastForwardClock implements Clock {
    private skipped = 0;
    constructor(private readonly base = () => Date.now()) {}
    now(): number {
        return this.base() + this.skipped;
    }
    async sleep(ms: number): Promise<void> {
        this.skipped += Math.max(0, ms);
    }
    /** Time skipped so far (modelled waits). */
    get skippedMs(): number {
        return this.skipped;
    }
}
