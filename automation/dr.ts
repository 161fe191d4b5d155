/**
 * The DR runbook: move production to the dr stack (us-west-2) and back, under AWS's documented
 * semantics for DocumentDB global clusters, with DNS and the database always agreeing on who serves.
 *
 * Modes (docs/dr.md is the on-call page; AWS's pages are cited there and in the adapters):
 * - `failover`: an outage of the primary region. Managed failover (`FailoverGlobalCluster` with
 *   `AllowDataLoss`): dr's cluster becomes the writer and the global cluster keeps its topology; when the
 *   old primary's region returns, it rejoins as a secondary after a best-effort snapshot of what it had not
 *   replicated. Precondition: prod is unreachable (its region does not answer), or the operator overrides.
 * - `switchover`: a planned move to dr while both regions are healthy (`SwitchoverGlobalCluster`, RPO 0).
 * - `detach`: the last resort where managed failover cannot run (`RemoveFromGlobalCluster`: dr becomes a
 *   standalone writer and the old primary stays writable). Precondition: prod unreachable, or fenced on
 *   purpose with its writers stopped (attested by the operator); both are recorded before the promotion.
 * - failback ({@link failback}): a switchover back to prod once its cluster is a healthy secondary again.
 *
 * Who serves is decided by two switches that live in dr's region and act through Route 53's data plane
 * (health checks on CloudWatch alarms; Route 53's control plane is in us-east-1 and may be gone):
 * - the primary fence: while on, prod's PRIMARY record is unhealthy whatever its ALB says, so Route 53
 *   never fails back by itself to a stale writer;
 * - the dr gate: while closed, dr's SECONDARY record is unhealthy, and Route 53 answers with the primary
 *   (AWS: when the secondary is unhealthy, Route 53 responds with the primary). dr is opened only once its
 *   database is the writer and its services are healthy: traffic never reaches a read-only dr.
 *
 * Every step is recorded with its times before the next one runs, every AWS error stops the runbook at
 * that step (nothing is inferred from a failed call), and every step observes AWS first so a rerun after
 * a crash skips what is done. Plain TypeScript behind ports, like the rollout engine.
 */
import type { DrMode } from "../config/dr-mode";
import type { Clock, TargetHealth } from "./ports";

export type FailoverMode = "failover" | "switchover" | "detach";
export const FAILOVER_MODES: readonly FailoverMode[] = ["failover", "switchover", "detach"];

/** The global cluster as DescribeGlobalClusters returns it (only what the runbook reads). */
export interface GlobalClusterView {
    id: string;
    /** Global cluster status, e.g. `available`, `modifying`. */
    status: string;
    /** Present while a switchover or failover is pending or running (AWS FailoverState). */
    failoverState?: { status: string; fromArn?: string; toArn?: string; dataLossAllowed: boolean };
    /** `synchronization`: connected | pending-resync (a returning old primary resynchronises before it can be switched to). */
    members: { arn: string; writer: boolean; synchronization?: string }[];
}

/** A regional cluster as DescribeDBClusters returns it. */
export interface ClusterView {
    arn: string;
    status: string;
}

/** What a probe of the primary region found: an answer, or the error that says it is unreachable. */
export type PrimaryProbe = { reachable: true; cluster: ClusterView } | { reachable: false; error: string };

/** The DocumentDB side. Every method throws on any AWS error; none turns an error into a state. */
export interface GlobalDatabasePort {
    /** DescribeGlobalClusters for the global cluster, through dr's region. */
    global(): Promise<GlobalClusterView>;
    /** DescribeDBClusters for dr's cluster, in dr's region. */
    drCluster(): Promise<ClusterView>;
    /** DescribeDBClusters for prod's cluster in prod's region: the reachability of the primary region. */
    probePrimary(): Promise<PrimaryProbe>;
    /** FailoverGlobalCluster, AllowDataLoss: true, target dr. */
    failover(): Promise<void>;
    /** SwitchoverGlobalCluster to the given member. */
    switchover(targetArn: string): Promise<void>;
    /** RemoveFromGlobalCluster for dr's cluster. */
    detach(): Promise<void>;
}

/** The two traffic switches (CloudWatch metric + alarm in dr's region, read by Route 53 health checks). */
export interface TrafficSwitchPort {
    /** Publish the switch: fence on/off; gate open/closed. */
    setPrimaryFence(on: boolean): Promise<void>;
    setDrGate(open: boolean): Promise<void>;
    /** What the alarms say now (what Route 53's health checks read). */
    primaryFenced(): Promise<boolean>;
    drOpen(): Promise<boolean>;
}

/** dr's mode, as the runbook records it in SSM: one type with the program's (config/dr-mode.ts). */
export type { DrMode };

/** dr's capacity: the durable mode (SSM, read by the program) and the live colour's ECS services. */
export interface DrCapacityPort {
    readMode(): Promise<DrMode | undefined>;
    writeMode(mode: DrMode): Promise<void>;
    /** UpdateService desiredCount on every service of the live colour (regional: needs nothing of us-east-1). */
    scale(count: number): Promise<void>;
    liveHealth(): Promise<TargetHealth>;
}

export interface RunbookOptions {
    clock: Clock;
    database: GlobalDatabasePort;
    switches: TrafficSwitchPort;
    capacity: DrCapacityPort;
    /** Tasks per service when dr serves (prod's minimum) and when it stands by. */
    activeCount: number;
    standbyCount: number;
    /** Healthy targets expected once scaled (public services × activeCount). */
    expectedHealthyTargets: number;
    rtoMinutes: number;
    /** How long a database operation, the services' health and an alarm may take. */
    databaseTimeoutMs?: number;
    healthTimeoutMs?: number;
    switchTimeoutMs?: number;
    pollMs?: number;
    dryRun?: boolean;
    onStep?: (step: StepRecord) => void;
}

export interface FailoverOptions extends RunbookOptions {
    mode: FailoverMode;
    /**
     * Run `failover`/`detach` although prod answers (a drill, or prod broken above the database). For
     * `detach` the operator also attests how prod's writers were stopped; both are recorded.
     */
    override?: { reason: string; writersStopped?: string };
}

export const FAILOVER_STEPS = ["check", "fence-primary", "promote-database", "scale-dr", "verify-health", "open-dr", "report"] as const;
export const FAILBACK_STEPS = ["check", "switchover-database", "unfence-primary", "close-dr", "standby-dr", "report"] as const;
export type StepName = (typeof FAILOVER_STEPS)[number] | (typeof FAILBACK_STEPS)[number];

export interface StepRecord {
    step: StepName;
    status: "done" | "skipped" | "failed" | "planned";
    startedAtMs: number;
    endedAtMs: number;
    detail: string;
}

export interface RunbookReport {
    kind: "failover" | "failback";
    mode?: FailoverMode;
    outcome: "promoted" | "failed-back" | "failed" | "dry-run";
    steps: StepRecord[];
    /** Why the promotion was allowed, recorded before the promotion (failover/detach). */
    precondition?: string;
    totalMs: number;
    rtoMinutes: number;
    withinRto: boolean;
    failedStep?: StepName;
    error?: string;
}

const FAILOVER_DESCRIPTIONS: Record<(typeof FAILOVER_STEPS)[number], string> = {
    "check": "read the global cluster (dr's role), dr's cluster and whether prod's region answers; check the mode's precondition",
    "fence-primary":
        "turn the primary fence on (prod's PRIMARY record unhealthy whatever its ALB says; no automatic failback) and wait until its " +
        "alarm says so",
    "promote-database":
        "make dr's cluster the writer (failover: FailoverGlobalCluster --allow-data-loss; switchover: SwitchoverGlobalCluster; detach: " +
        "RemoveFromGlobalCluster) and wait until it is",
    "scale-dr": "record dr's mode `active` in SSM (the program keeps it on every later up) and scale the live colour to prod's minimum",
    "verify-health": "wait until the live colour's targets are all healthy",
    "open-dr": "open the dr gate (its SECONDARY record healthy: Route 53 answers with dr) and wait until its alarm says so",
    "report": "report each step's time against the RTO",
};

const FAILBACK_DESCRIPTIONS: Record<(typeof FAILBACK_STEPS)[number], string> = {
    "check": "dr must be the writer and prod's cluster an available secondary of the same global cluster, its region answering",
    "switchover-database": "SwitchoverGlobalCluster to prod's cluster (RPO 0) and wait until prod is the writer",
    "unfence-primary": "turn the primary fence off (prod's PRIMARY record follows its ALB again) and wait until its alarm says so",
    "close-dr": "close the dr gate (its SECONDARY record unhealthy) and wait until its alarm says so",
    "standby-dr": "record dr's mode `standby` in SSM and scale the live colour back to its standby count",
    "report": "report each step's time",
};

export class StepFailed extends Error {}

async function pollUntil(
    clock: Clock,
    timeoutMs: number,
    pollMs: number,
    check: () => Promise<string | undefined>,
    what: string,
): Promise<void> {
    const deadline = clock.now() + timeoutMs;
    for (;;) {
        const pending = await check();
        if (pending === undefined) return;
        if (clock.now() >= deadline) throw new StepFailed(`${what} timed out after ${Math.round(timeoutMs / 1000)} s (${pending})`);
        await clock.sleep(pollMs);
    }
}

/**
 * An operation AWS is cancelling (FailoverState `cancelling`: "the primary cluster and the selected secondary
 * cluster are returning to their previous states", https://docs.aws.amazon.com/documentdb/latest/developerguide/API_FailoverState.html)
 * will not make dr the writer: stop instead of waiting for it until the timeout. Pure.
 */
function cancelled(g: GlobalClusterView): string | undefined {
    return g.failoverState?.status === "cancelling"
        ? `AWS is cancelling the ${g.failoverState.dataLossAllowed ? "failover" : "switchover"} (FailoverState cancelling): check the ` +
            `global cluster's events, then run the same command again`
        : undefined;
}

/** dr's role in the global cluster. Pure. */
export function roleOf(global: GlobalClusterView, arn: string): "writer" | "secondary" | "not-a-member" {
    const m = global.members.find((x) => x.arn === arn);
    return !m ? "not-a-member" : m.writer ? "writer" : "secondary";
}

/** The precondition of a failover mode, or the reason it is refused. Pure. */
export function checkPrecondition(
    mode: FailoverMode,
    probe: PrimaryProbe,
    override?: FailoverOptions["override"],
): { ok: true; precondition: string } | { ok: false; reason: string } {
    if (mode === "switchover") {
        return probe.reachable
            ? { ok: true, precondition: `planned: prod's cluster answers (${probe.cluster.status})` }
            : { ok: false, reason: `a switchover needs prod's region, which does not answer (${probe.error}); use --mode failover` };
    }
    if (!probe.reachable) return { ok: true, precondition: `prod unreachable: ${probe.error}` };
    if (!override) {
        return {
            ok: false,
            reason:
                `prod's cluster answers (${probe.cluster.status}): ` +
                `${mode === "failover" ? "a managed failover loses what is not replicated" : "detaching leaves two writers"}; ` +
                `use --mode switchover for a planned move, or --override-reason (and for detach --writers-stopped) if prod must be ` +
                `abandoned`,
        };
    }
    if (mode === "detach" && !override.writersStopped)
        return {
            ok: false,
            reason: "detach while prod answers needs --writers-stopped (how prod's writers were stopped): the old primary stays writable",
        };
    return {
        ok: true,
        precondition: `prod answers but fenced on purpose: ` +
            `${override.reason}${override.writersStopped ? `; writers stopped: ${override.writersStopped}` : ""}`,
    };
}

type StepBody = () => Promise<{ status: "done" | "skipped"; detail: string }>;

/** The step runner both runbooks share: records each step (with times) before the next one starts. */
function runner(o: RunbookOptions, steps: StepRecord[]) {
    return async (step: StepName, body: StepBody) => {
        const startedAtMs = o.clock.now();
        try {
            const { status, detail } = await body();
            const r: StepRecord = { step, status, startedAtMs, endedAtMs: o.clock.now(), detail };
            steps.push(r);
            o.onStep?.(r);
        } catch (e) {
            const detail = e instanceof Error ? e.message : String(e);
            const r: StepRecord = { step, status: "failed", startedAtMs, endedAtMs: o.clock.now(), detail };
            steps.push(r);
            o.onStep?.(r);
            throw new StepFailed(`${step}: ${r.detail}`);
        }
    };
}

function finish(
    o: RunbookOptions,
    t0: number,
    base: Pick<RunbookReport, "kind" | "mode" | "steps" | "precondition">,
    outcome: RunbookReport["outcome"],
    failed?: StepRecord,
): RunbookReport {
    const totalMs = o.clock.now() - t0;
    return {
        ...base,
        outcome,
        totalMs,
        rtoMinutes: o.rtoMinutes,
        withinRto: totalMs <= o.rtoMinutes * 60_000,
        failedStep: failed?.step,
        error: failed ? `${failed.step}: ${failed.detail}` : undefined,
    };
}

function planned(o: RunbookOptions, t0: number, steps: StepRecord[], descriptions: Record<string, string>) {
    for (const [step, detail] of Object.entries(descriptions)) {
        const r: StepRecord = { step: step as StepName, status: "planned", startedAtMs: t0, endedAtMs: t0, detail };
        steps.push(r);
        o.onStep?.(r);
    }
}

/** Wait for an alarm-backed switch to read as wanted. */
const switchWait = (o: RunbookOptions, read: () => Promise<boolean>, want: boolean, what: string) =>
    pollUntil(
        o.clock,
        o.switchTimeoutMs ?? 5 * 60_000,
        o.pollMs ?? 15_000,
        async () => ((await read()) === want ? undefined : `${what} not yet`),
        `waiting for ${what}`,
    );

/** Scale the live colour and record the durable mode first (a crash between the two leaves the mode, which the program applies). */
async function setCapacity(o: RunbookOptions, mode: DrMode): Promise<{ status: "done" | "skipped"; detail: string }> {
    const count = mode === "active" ? o.activeCount : o.standbyCount;
    const before = await o.capacity.readMode();
    await o.capacity.writeMode(mode);
    await o.capacity.scale(count);
    return { status: "done", detail: `mode ${mode} recorded (was ${before ?? "unset"}); ${count} tasks per service on the live colour` };
}

/** Move production to dr (see the module comment for the modes and the order). */
export async function failover(o: FailoverOptions): Promise<RunbookReport> {
    const clock = o.clock;
    const t0 = clock.now();
    const steps: StepRecord[] = [];
    const base: Pick<RunbookReport, "kind" | "mode" | "steps" | "precondition"> = { kind: "failover", mode: o.mode, steps };
    if (o.dryRun) {
        planned(o, t0, steps, FAILOVER_DESCRIPTIONS);
        return finish(o, t0, base, "dry-run");
    }
    const run = runner(o, steps);
    const pollMs = o.pollMs ?? 15_000;
    const dbTimeout = o.databaseTimeoutMs ?? 30 * 60_000;
    try {
        let drArn = "";
        let alreadyWriter = false;
        await run("check", async () => {
            const [global, dr] = [await o.database.global(), await o.database.drCluster()];
            drArn = dr.arn;
            const role = roleOf(global, dr.arn);
            const probe = await o.database.probePrimary();
            const where = probe.reachable ? `prod answers (${probe.cluster.status})` : `prod unreachable (${probe.error})`;
            // A rerun after the promotion: dr already writes (managed failover or switchover), or was detached on purpose.
            alreadyWriter = (role === "writer" && !global.failoverState) || (o.mode === "detach" && role === "not-a-member");
            if (alreadyWriter) {
                base.precondition = `already promoted (dr ${role === "writer" ? "is the global cluster's writer" : "detached"})`;
                return { status: "done", detail: `dr ${role}, ${dr.status}; ${where}; promotion already done` };
            }
            if (global.failoverState && global.failoverState.toArn !== dr.arn) {
                throw new Error(
                    `a ${global.failoverState.dataLossAllowed ? "failover" : "switchover"} to ` +
                    `${global.failoverState.toArn ?? "another cluster"} is ${global.failoverState.status}; wait for it to end`,
                );
            }
            if (role === "not-a-member")
                throw new Error(
                    `dr's cluster ${dr.arn} is not a member of global cluster ${global.id} (detached earlier? run with --mode detach to ` +
                    `finish that promotion)`,
                );
            if (role === "secondary" && global.members.length < 2)
                throw new Error(`global cluster ${global.id} has no primary to fail over from`);
            const pre = checkPrecondition(o.mode, probe, o.override);
            if (!pre.ok) throw new Error(pre.reason);
            base.precondition = pre.precondition;
            return { status: "done", detail: `dr ${role}, ${dr.status}; ${pre.precondition}` };
        });
        await run("fence-primary", async () => {
            if (await o.switches.primaryFenced()) return { status: "skipped", detail: "the primary fence is already on" };
            await o.switches.setPrimaryFence(true);
            await switchWait(o, () => o.switches.primaryFenced(), true, "the primary fence alarm");
            return { status: "done", detail: "prod's PRIMARY record is unhealthy until the fence is lifted (dr:failback)" };
        });
        await run("promote-database", async () => {
            if (alreadyWriter) return { status: "skipped", detail: "dr's cluster already writes" };
            const global = await o.database.global();
            // Idempotent: a crash after the call finds the operation under way and only waits.
            if (!global.failoverState) {
                if (o.mode === "failover") await o.database.failover();
                else if (o.mode === "switchover") await o.database.switchover(drArn);
                else await o.database.detach();
            }
            await pollUntil(
                clock,
                dbTimeout,
                pollMs,
                async () => {
                    const [g, dr] = [await o.database.global(), await o.database.drCluster()];
                    const stop = cancelled(g);
                    if (stop) throw new StepFailed(stop);
                    const role = roleOf(g, drArn);
                    const done = o.mode === "detach" ? role === "not-a-member" : role === "writer" && !g.failoverState;
                    return done && dr.status === "available"
                        ? undefined
                        : `dr ${role}, ${dr.status}${g.failoverState ? `, ${g.failoverState.status}` : ""}`;
                },
                "waiting for dr's cluster to write",
            );
            const how = {
                failover: "managed failover (FailoverGlobalCluster, AllowDataLoss)",
                switchover: "switchover (SwitchoverGlobalCluster)",
                detach: "detached (RemoveFromGlobalCluster)",
            }[o.mode];
            // The runbook does not stop prod's writers itself: the old primary stays writable after a detach.
            const after =
                o.mode === "detach"
                    ? o.override?.writersStopped
                        ? `; prod's writers stopped: ${o.override.writersStopped}`
                        : "; prod's old cluster stays writable: stop prod's services as soon as us-east-1 answers (docs/dr.md §4)"
                    : "";
            return { status: "done", detail: `${how}: dr's cluster writes and is available${after}` };
        });
        await run("scale-dr", () => setCapacity(o, "active"));
        await run("verify-health", async () => {
            await pollUntil(
                clock,
                o.healthTimeoutMs ?? 20 * 60_000,
                pollMs,
                async () => {
                    const h = await o.capacity.liveHealth();
                    return h.healthy >= o.expectedHealthyTargets && h.unhealthy === 0
                        ? undefined
                        : `${h.healthy}/${o.expectedHealthyTargets} healthy, ${h.unhealthy} unhealthy, ${h.pending} pending`;
                },
                "waiting for healthy targets",
            );
            return { status: "done", detail: `${o.expectedHealthyTargets} targets healthy` };
        });
        await run("open-dr", async () => {
            if (await o.switches.drOpen()) return { status: "skipped", detail: "the dr gate is already open" };
            await o.switches.setDrGate(true);
            await switchWait(o, () => o.switches.drOpen(), true, "the dr gate alarm");
            return { status: "done", detail: "dr's SECONDARY record is healthy: Route 53 answers with dr" };
        });
    } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        return finish(o, t0, base, "failed", steps.find((s) => s.status === "failed"));
    }
    return report(o, finish(o, t0, base, "promoted"));
}

/** Move production back to prod by switchover (RPO 0), once prod's cluster is a healthy secondary again. */
export async function failback(o: RunbookOptions): Promise<RunbookReport> {
    const clock = o.clock;
    const t0 = clock.now();
    const steps: StepRecord[] = [];
    const base: Pick<RunbookReport, "kind" | "mode" | "steps" | "precondition"> = { kind: "failback", steps };
    if (o.dryRun) {
        planned(o, t0, steps, FAILBACK_DESCRIPTIONS);
        return finish(o, t0, base, "dry-run");
    }
    const run = runner(o, steps);
    const pollMs = o.pollMs ?? 15_000;
    try {
        let prodArn = "";
        let done = false;
        await run("check", async () => {
            const [global, dr] = [await o.database.global(), await o.database.drCluster()];
            const probe = await o.database.probePrimary();
            if (!probe.reachable) throw new Error(`prod's region does not answer (${probe.error}): fail back once it does`);
            prodArn = probe.cluster.arn;
            const drRole = roleOf(global, dr.arn);
            const prodRole = roleOf(global, prodArn);
            if (prodRole === "writer" && drRole === "secondary" && !global.failoverState) {
                done = true;
                return { status: "done", detail: "prod already writes; dr is a secondary" };
            }
            if (global.failoverState)
                throw new Error(
                    `a ${global.failoverState.dataLossAllowed ? "failover" : "switchover"} is ${global.failoverState.status}; wait for ` +
                    `it to end`,
                );
            if (drRole !== "writer")
                throw new Error(
                    `dr's cluster is ${drRole === "not-a-member" ? "not a member of" : "a secondary of"} global cluster ${global.id}: ` +
                    `nothing to switch back (after a detach, rebuild the global cluster first: docs/dr.md)`,
                );
            if (prodRole !== "secondary")
                throw new Error(
                    `prod's cluster ${prodArn} is not a secondary of global cluster ${global.id} yet (still rejoining after the ` +
                    `failover, or detached: docs/dr.md)`,
                );
            if (probe.cluster.status !== "available") throw new Error(`prod's cluster is ${probe.cluster.status}, not available`);
            const sync = global.members.find((m) => m.arn === prodArn)?.synchronization;
            if (sync && sync !== "connected")
                throw new Error(
                    `prod's cluster is ${sync} in global cluster ${global.id} (still resynchronising after the failover): fail back ` +
                    `once it is connected`,
                );
            base.precondition = `dr writes, prod's cluster is an available secondary`;
            return { status: "done", detail: base.precondition };
        });
        await run("switchover-database", async () => {
            if (done) return { status: "skipped", detail: "prod already writes" };
            if (!(await o.database.global()).failoverState) await o.database.switchover(prodArn);
            await pollUntil(
                clock,
                o.databaseTimeoutMs ?? 30 * 60_000,
                pollMs,
                async () => {
                    const g = await o.database.global();
                    const stop = cancelled(g);
                    if (stop) throw new StepFailed(stop);
                    const probe = await o.database.probePrimary();
                    const ready =
                        roleOf(g, prodArn) === "writer" && !g.failoverState && probe.reachable && probe.cluster.status === "available";
                    return ready ? undefined : `prod ${roleOf(g, prodArn)}${g.failoverState ? `, ${g.failoverState.status}` : ""}`;
                },
                "waiting for prod's cluster to write",
            );
            return { status: "done", detail: "switchover (SwitchoverGlobalCluster): prod's cluster writes, dr's is a secondary" };
        });
        await run("unfence-primary", async () => {
            if (!(await o.switches.primaryFenced())) return { status: "skipped", detail: "the primary fence is already off" };
            await o.switches.setPrimaryFence(false);
            await switchWait(o, () => o.switches.primaryFenced(), false, "the primary fence alarm to clear");
            return { status: "done", detail: "prod's PRIMARY record follows its ALB again: Route 53 answers with prod" };
        });
        await run("close-dr", async () => {
            if (!(await o.switches.drOpen())) return { status: "skipped", detail: "the dr gate is already closed" };
            await o.switches.setDrGate(false);
            await switchWait(o, () => o.switches.drOpen(), false, "the dr gate alarm to close");
            return { status: "done", detail: "dr's SECONDARY record is unhealthy until the next failover" };
        });
        await run("standby-dr", () => setCapacity(o, "standby"));
    } catch (e) {
        if (!(e instanceof StepFailed)) throw e;
        return finish(o, t0, base, "failed", steps.find((s) => s.status === "failed"));
    }
    return report(o, finish(o, t0, base, "failed-back"));
}

function report(o: RunbookOptions, r: RunbookReport): RunbookReport {
    const step: StepRecord = {
        step: "report",
        status: "done",
        startedAtMs: o.clock.now(),
        endedAtMs: o.clock.now(),
        detail: r.kind === "failover"
            ? `${formatDuration(r.totalMs)} of the ${o.rtoMinutes} min RTO${r.withinRto ? "" : " — RTO EXCEEDED"}`
            : `failed back in ${formatDuration(r.totalMs)}`,
    };
    r.steps.push(step);
    o.onStep?.(step);
    return r;
}

export function formatDuration(ms: number): string {
    const s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h ? `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s` : `${m}m${String(sec).padStart(2, "0")}s`;
}

/** One line of the timed step log: offset from the start, step, status, duration and detail. */
export function formatStep(s: StepRecord, t0: number): string {
    return `+${formatDuration(s.startedAtMs - t0).padStart(8)}  ${s.step.padEnd(20)} ${s.status.padEnd(8)} ` +
        `${formatDuration(s.endedAtMs - s.startedAtMs).padStart(8)}  ${s.detail}`;
}

/** The timed step log of a whole run. */
export function formatStepLog(report: RunbookReport, t0: number): string[] {
    return report.steps.map((s) => formatStep(s, t0));
}
