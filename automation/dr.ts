/**
 * DR failover: promote the us-west-2 stack to serve production, in the order the guide implies —
 * the data first (detach the DocumentDB secondary from the global cluster, which promotes it to a
 * standalone writer), then capacity (scale dr's services to prod's minimum), then proof (targets
 * healthy), then a report timed against the RTO. Route53 already sends traffic to dr once prod fails
 * its health check; this script makes dr able to carry it.
 *
 * Plain TypeScript behind ports (like the rollout engine), so it runs the same against AWS and in
 * tests with fakes and a virtual clock.
 */
import type { Clock, TargetHealth } from "./ports";

/** The dr database as the failover sees it. */
export interface DatabaseState {
    /** `secondary` while attached to the global cluster; `standalone` once detached (promoted). */
    role: "primary" | "secondary" | "standalone";
    /** DocumentDB cluster status, e.g. `available`, `modifying`. */
    status: string;
}

/** DocumentDB side of the failover (real one: DescribeDBClusters, RemoveFromGlobalCluster). */
export interface DatabaseFailoverPort {
    describe(): Promise<DatabaseState>;
    /** Detach the dr cluster from the global cluster; it becomes a standalone, writable cluster. */
    detachAndPromote(): Promise<void>;
}

/** The dr stack (real one: Pulumi Automation API on the dr stack, ELB target health). */
export interface DrStackPort {
    /** Set every service's task count on the live colour and apply it. */
    scaleServices(count: number): Promise<void>;
    /** Health of the live colour's targets, summed over the public services. */
    liveHealth(): Promise<TargetHealth>;
}

export interface FailoverOptions {
    clock: Clock;
    database: DatabaseFailoverPort;
    stack: DrStackPort;
    /** Tasks per service after promotion: prod's minimum (6 in the shipped config). */
    targetCount: number;
    /** Healthy targets expected once scaled (public services × targetCount). */
    expectedHealthyTargets: number;
    rtoMinutes: number;
    /** How long the database may take to become available after detaching. */
    databaseTimeoutMs?: number;
    /** How long the services may take to be healthy. */
    healthTimeoutMs?: number;
    pollMs?: number;
    dryRun?: boolean;
    onStep?: (step: StepRecord) => void;
}

export const FAILOVER_STEPS = ["check-database", "detach-and-promote-database", "scale-services", "verify-health", "report"] as const;
export type FailoverStepName = (typeof FAILOVER_STEPS)[number];

export interface StepRecord {
    step: FailoverStepName;
    status: "done" | "skipped" | "failed" | "planned";
    startedAtMs: number;
    endedAtMs: number;
    detail: string;
}

export interface FailoverReport {
    outcome: "promoted" | "failed" | "dry-run";
    steps: StepRecord[];
    totalMs: number;
    rtoMinutes: number;
    withinRto: boolean;
    failedStep?: FailoverStepName;
    error?: string;
}

const STEP_DESCRIPTIONS: Record<FailoverStepName, string> = {
    "check-database": "read the dr DocumentDB cluster's role in the global cluster",
    "detach-and-promote-database": "detach the dr cluster from the global cluster (it becomes the writer) and wait until it is available",
    "scale-services": "scale every dr service to prod's minimum task count on the live colour",
    "verify-health": "wait until the live colour's targets are all healthy",
    "report": "report each step's time against the RTO",
};

class StepFailed extends Error {}

async function pollUntil(clock: Clock, timeoutMs: number, pollMs: number, check: () => Promise<string | undefined>, what: string): Promise<string> {
    const deadline = clock.now() + timeoutMs;
    for (;;) {
        const pending = await check();
        if (pending === undefined) return "ok";
        if (clock.now() >= deadline) throw new StepFailed(`${what} timed out after ${Math.round(timeoutMs / 1000)} s (${pending})`);
        await clock.sleep(pollMs);
    }
}

/** Run the failover, step by step; the first failing step stops it and is reported. */
export async function failover(o: FailoverOptions): Promise<FailoverReport> {
    const clock = o.clock;
    const t0 = clock.now();
    const steps: StepRecord[] = [];
    const pollMs = o.pollMs ?? 15_000;

    const finish = (outcome: FailoverReport["outcome"], failed?: { step: FailoverStepName; error: string }): FailoverReport => {
        const totalMs = clock.now() - t0;
        return {
            outcome,
            steps,
            totalMs,
            rtoMinutes: o.rtoMinutes,
            withinRto: totalMs <= o.rtoMinutes * 60_000,
            failedStep: failed?.step,
            error: failed?.error,
        };
    };

    if (o.dryRun) {
        for (const step of FAILOVER_STEPS) {
            const r: StepRecord = { step, status: "planned", startedAtMs: t0, endedAtMs: t0, detail: STEP_DESCRIPTIONS[step] };
            steps.push(r);
            o.onStep?.(r);
        }
        return finish("dry-run");
    }

    const run = async (step: FailoverStepName, body: () => Promise<{ status: "done" | "skipped"; detail: string }>) => {
        const startedAtMs = clock.now();
        try {
            const { status, detail } = await body();
            const r = { step, status, startedAtMs, endedAtMs: clock.now(), detail };
            steps.push(r);
            o.onStep?.(r);
        } catch (e: any) {
            const r: StepRecord = { step, status: "failed", startedAtMs, endedAtMs: clock.now(), detail: e?.message ?? String(e) };
            steps.push(r);
            o.onStep?.(r);
            throw new StepFailed(`${step}: ${r.detail}`);
        }
    };

    try {
        let db: DatabaseState | undefined;
        await run("check-database", async () => {
            db = await o.database.describe();
            if (db.role === "primary") throw new Error("the dr cluster is the global cluster's primary already: nothing to promote (is this the prod stack?)");
            return { status: "done", detail: `role ${db.role}, status ${db.status}` };
        });
        await run("detach-and-promote-database", async () => {
            // Idempotent: a rerun after a crash finds the cluster already standalone.
            if (db!.role === "secondary") await o.database.detachAndPromote();
            await pollUntil(clock, o.databaseTimeoutMs ?? 30 * 60_000, pollMs, async () => {
                const s = await o.database.describe();
                return s.role === "standalone" && s.status === "available" ? undefined : `role ${s.role}, status ${s.status}`;
            }, "waiting for the promoted cluster");
            return db!.role === "secondary"
                ? { status: "done", detail: "detached from the global cluster; standalone and available" }
                : { status: "skipped", detail: "already standalone and available" };
        });
        await run("scale-services", async () => {
            await o.stack.scaleServices(o.targetCount);
            return { status: "done", detail: `${o.targetCount} tasks per service` };
        });
        await run("verify-health", async () => {
            await pollUntil(clock, o.healthTimeoutMs ?? 20 * 60_000, pollMs, async () => {
                const h = await o.stack.liveHealth();
                return h.healthy >= o.expectedHealthyTargets && h.unhealthy === 0
                    ? undefined
                    : `${h.healthy}/${o.expectedHealthyTargets} healthy, ${h.unhealthy} unhealthy, ${h.pending} pending`;
            }, "waiting for healthy targets");
            return { status: "done", detail: `${o.expectedHealthyTargets} targets healthy` };
        });
    } catch (e: any) {
        const failed = steps.find((s) => s.status === "failed")!;
        return finish("failed", { step: failed.step, error: e.message });
    }
    const report = finish("promoted");
    const r: StepRecord = {
        step: "report",
        status: "done",
        startedAtMs: clock.now(),
        endedAtMs: clock.now(),
        detail: `${formatDuration(report.totalMs)} of the ${o.rtoMinutes} min RTO${report.withinRto ? "" : " — RTO EXCEEDED"}`,
    };
    steps.push(r);
    o.onStep?.(r);
    return report;
}

export function formatDuration(ms: number): string {
    const s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h ? `${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s` : `${m}m${String(sec).padStart(2, "0")}s`;
}

/** One line of the timed step log: offset from the start, step, status, duration and detail. */
export function formatStep(s: StepRecord, t0: number): string {
    return `+${formatDuration(s.startedAtMs - t0).padStart(8)}  ${s.step.padEnd(28)} ${s.status.padEnd(8)} ${formatDuration(s.endedAtMs - s.startedAtMs).padStart(8)}  ${s.detail}`;
}

/** The timed step log of a whole failover. */
export function formatStepLog(report: FailoverReport, t0: number): string[] {
    return report.steps.map((s) => formatStep(s, t0));
}
