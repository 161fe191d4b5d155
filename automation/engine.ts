/**
 * The rollout engine: a loop over persisted phases, driven by the clock, acting only through the
 * ports. Strategies:
 *
 * - canary / blue-green: deploy the candidate colour at 0% → wait for healthy targets → measure
 *   the live baseline → each configured step (weight, bake) with analysis every interval →
 *   validation at 100% → finalise (candidate becomes live, weight 0; the old colour scales to 0
 *   after the rollback window);
 * - rolling: measure the baseline → new images on the single colour, ECS settles (its circuit
 *   breaker decides) → validation against the baseline.
 *
 * Every step is persisted before the next begins, so `resume` continues where a killed process
 * stopped (remaining bake, or the rollback it had started). One rollout per stack: the store's
 * lease refuses a second one.
 */
import {
    addToTotals,
    analyseInterval,
    analyseQueryFailure,
    formatRecord,
    judgeValidation,
    zeroCounters,
    zeroTotals,
    type AnalysisRecord,
    type IntervalContext,
    type RuleName,
    type Verdict,
} from "./analysis";
import type { DeploymentRecord, StepRecord } from "./deployment-record";
import {
    isLease,
    LeaseLostError,
    otherColour,
    type CheckResult,
    type Clock,
    type MigrationPort,
    type SmokePort,
    type SnapshotPort,
    type Lease,
    type MetricsPort,
    type MetricsSample,
    type MetricsWindow,
    type Release,
    StackBlockedError,
    type StackPort,
    type StateStore,
} from "./ports";
import type { RolloutSettings } from "../config/rollout-settings";
import {
    isInFlight,
    MAX_DECISIONS,
    STATE_VERSION,
    type Outcome,
    type RollbackRecord,
    type RolloutState,
    type RolloutStatus,
    type TimelineEntry,
} from "./state";

/** Progress notifications, for a CLI to print and a deployment record to keep. */
export type RolloutEvent =
    | { type: "phase"; atMs: number; status: RolloutStatus; label: string; weight: number; remainingSeconds: number | null }
    | { type: "weight"; atMs: number; weight: number }
    | { type: "analysis"; atMs: number; record: AnalysisRecord; line: string }
    | { type: "progress"; atMs: number; label: string; weight: number; remainingSeconds: number }
    | { type: "decision"; atMs: number; outcome: Outcome | "rolling_back"; reason: string | null }
    | { type: "step"; atMs: number; step: StepRecord }
    | { type: "info"; atMs: number; message: string };

export interface EngineDeps {
    stack: StackPort;
    metrics: MetricsPort;
    clock: Clock;
    store: StateStore;
    onEvent?: (event: RolloutEvent) => void;
    /** Pre-deployment snapshots (staging, prod); absent or null: no snapshot phase. */
    snapshots?: SnapshotPort | null;
    /** Predeploy snapshots older than this many days are pruned after the new one (housekeeping). */
    snapshotRetentionDays?: number;
    /** Database migrations with the candidate's task definition; absent: no migration phase. */
    migrations?: MigrationPort | null;
    /** Smoke tests through the test listener (blue-green, canary); absent or null: none. */
    smoke?: SmokePort | null;
    /** Called with the run's state as soon as it has one (start, resume, rollback): the CLI's signal handler saves it. */
    onState?: (state: RolloutState, lease: () => Lease) => void;
    /** Real milliseconds between lease renewals during a long port call (default: a third of the lease). */
    heartbeatMs?: number;
}

export interface StartRequest {
    /** Stack name (the lock and the persisted state are per stack). */
    stack: string;
    /** Who runs this (host:pid, CI job id): the lease owner. */
    owner: string;
    release: Release;
    /** From resolveRolloutSettings(strategy, config overrides). */
    settings: RolloutSettings;
    /** Defaults to `${stack}-${release.id}-${startTime}`. */
    rolloutId?: string;
    /** After promotion, wait out the rollback window and scale the old colour to 0 (else leave it pending). */
    waitForScaleDown?: boolean;
    /** The deployment record so far (preflight, change request…): saved with the state from the first save on. */
    record?: DeploymentRecord;
}

export interface RolloutResult {
    rolloutId: string;
    stack: string;
    strategy: RolloutSettings["strategy"];
    outcome: Outcome;
    reason: string | null;
    decidedAtMs: number;
    firstShiftAtMs: number | null;
    /** Candidate weight as last verified. */
    weight: number;
    timeline: TimelineEntry[];
    decisions: AnalysisRecord[];
    rollback: RollbackRecord | null;
    state: RolloutState;
}

/** A rollout that must not start (another in flight, traffic already split, nothing to resume). */
export class RolloutRefusedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RolloutRefusedError";
    }
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A failed state save is retried this many times, with backoff from SAVE_RETRY_BASE_MS (1 s, 2 s, 4 s, 8 s): about 15 s. */
export const SAVE_ATTEMPTS = 5;
export const SAVE_RETRY_BASE_MS = 1000;
/** The longest wait between two rollback attempts. */
export const ROLLBACK_RETRY_MAX_MS = 60_000;
/** Statuses in which no traffic is at stake for the error guard. */
const TERMINAL_OK: readonly RolloutStatus[] = ["promoted", "rolled_back", "aborted", "halted"];

export class RolloutEngine {
    constructor(private readonly deps: EngineDeps) {}

    /** Start a new rollout. Refused while another one is in flight (running, or halted awaiting a human). */
    async start(req: StartRequest): Promise<RolloutResult> {
        const { store, clock, stack: stackPort } = this.deps;
        const lease = await this.acquire(req.stack, req.owner, req.settings.leaseSeconds);
        const run = new Run(this.deps, lease);
        return run.guard(async () => {
            const existing = await store.load(req.stack);
            if (isInFlight(existing)) {
                throw new RolloutRefusedError(
                    `stack ${req.stack}: rollout ${existing!.rolloutId} is ${existing!.status}; resume it or roll it back first`,
                );
            }
            const traffic = await stackPort.readTraffic();
            const strategy = req.settings.strategy;
            if (strategy !== "rolling" && traffic.weight !== 0) {
                throw new RolloutRefusedError(
                    `stack ${req.stack}: ${traffic.weight}% of traffic already goes to ${otherColour(traffic.live)} with no rollout in ` +
                    `flight; set the weight by hand first`,
                );
            }
            const candidate = strategy === "rolling" ? traffic.live : otherColour(traffic.live);
            const now = clock.now();
            // A due scale-down left by the previous rollout happens first, unless that colour is
            // this rollout's candidate (the usual case): deploying onto it makes it moot.
            if (
                existing?.pendingScaleDown &&
                existing.pendingScaleDown.colour !== candidate &&
                existing.pendingScaleDown.notBeforeMs <= now
            ) {
                await stackPort.scaleToZero(existing.pendingScaleDown.colour);
            }
            run.state = {
                version: STATE_VERSION,
                stack: req.stack,
                rolloutId: req.rolloutId ?? `${req.stack}-${req.release.id}-${now}`,
                strategy,
                settings: req.settings,
                release: req.release,
                live: traffic.live,
                candidate,
                previousImages: traffic.images[traffic.live],
                status: this.deps.snapshots ? "snapshotting" : "deploying",
                haltedFrom: null,
                startedAtMs: now,
                updatedAtMs: now,
                stepIndex: 0,
                targetWeight: 0,
                weightApplied: false,
                // A blue/green rollout starts only from 0% (refused above otherwise); a rolling one moves no traffic between colours.
                weight: 0,
                phaseStartedAtMs: now,
                analysedSeconds: 0,
                cursorMs: now,
                firstShiftAtMs: null,
                baseline: null,
                counters: zeroCounters(),
                validationTotals: zeroTotals(),
                decisions: [],
                timeline: [],
                outcome: null,
                reason: null,
                decidedAtMs: null,
                rollback: null,
                pendingScaleDown: null,
                snapshot: this.deps.snapshots ? { atMs: now, id: null } : null,
                record: req.record ?? null,
            };
            run.attached();
            await run.persist();
            run.info(`rollout ${run.state.rolloutId}: ${strategy} of ${req.release.id} onto ${candidate} (live ${traffic.live})`);
            return run.drive(req.waitForScaleDown ?? false);
        });
    }

    /**
     * Continue the stack's in-flight rollout after a crash, or a halted one after a human looked:
     * the current step continues with its remaining bake time; a rollback in progress completes.
     */
    async resume(stack: string, owner: string, opts: { waitForScaleDown?: boolean } = {}): Promise<RolloutResult> {
        const existing = await this.deps.store.load(stack);
        if (!existing || !isInFlight(existing)) throw new RolloutRefusedError(`stack ${stack}: no rollout in flight to resume`);
        const lease = await this.acquire(stack, owner, existing.settings.leaseSeconds);
        const run = new Run(this.deps, lease);
        return run.guard(async () => {
            const s = (await this.deps.store.load(stack))!;
            run.state = s;
            run.attached();
            if (s.status === "halted") {
                s.status = s.haltedFrom ?? "rolling_back";
                s.haltedFrom = null;
                s.outcome = null;
                s.decidedAtMs = null;
                s.reason = s.status === "rolling_back" ? s.reason : null;
                s.counters.inconclusiveStreak = 0;
                // A validation that ended outside the ranges runs again in full.
                if (s.status === "validating" && s.analysedSeconds >= s.settings.validationSeconds) {
                    s.analysedSeconds = 0;
                    s.validationTotals = zeroTotals();
                }
            }
            const now = this.deps.clock.now();
            s.cursorMs = now; // windows while nobody watched are not counted: the remaining bake restarts from now
            if ((s.status === "shifting" && s.weightApplied) || s.status === "validating") {
                // Traffic must be where we left it; anything else changed it while nobody watched.
                const actual = await this.deps.stack.readWeight().catch(() => null);
                if (actual !== s.weight) {
                    run.info(`resuming ${s.rolloutId}: weight reads ${actual ?? "unknown"}%, saved ${s.weight}%`);
                    await run.beginRollback(
                        `traffic-update: on resume the weight reads ${actual ?? "unknown"}% instead of the saved ${s.weight}%`,
                        [],
                    );
                    return run.drive(opts.waitForScaleDown ?? false);
                }
            }
            if (s.status === "waiting_healthy") s.phaseStartedAtMs = now;
            if (s.status === "shifting" && !s.weightApplied) {
                // A step whose update was cut off may have moved some listeners (a killed `up`): it is applied again.
                run.info(`resuming ${s.rolloutId}: the update to ${s.targetWeight}% had not been verified; applying it again`);
            }
            run.info(`resuming ${s.rolloutId} in ${s.status}` + (s.status === "shifting" || s.status === "validating"
                ? ` (${run.label()}, ${Math.max(0, run.phaseTarget() - s.analysedSeconds)}s left)` : ""));
            await run.persist();
            return run.drive(opts.waitForScaleDown ?? false);
        });
    }

    /** Roll the in-flight (or halted) rollout back now, e.g. on a human's request. */
    async rollback(stack: string, owner: string, reason: string): Promise<RolloutResult> {
        const existing = await this.deps.store.load(stack);
        if (!existing || !isInFlight(existing)) throw new RolloutRefusedError(`stack ${stack}: no rollout in flight to roll back`);
        const lease = await this.acquire(stack, owner, existing.settings.leaseSeconds);
        const run = new Run(this.deps, lease);
        return run.guard(async () => {
            run.state = (await this.deps.store.load(stack))!;
            run.attached();
            await run.beginRollback(`manual: ${reason}`, []);
            return run.drive(false);
        });
    }

    /** Scale the previous live colour to 0 if the last rollout's rollback window has passed. */
    async scaleDownIfDue(stack: string, owner: string): Promise<boolean> {
        const s = await this.deps.store.load(stack);
        if (!s?.pendingScaleDown || s.pendingScaleDown.notBeforeMs > this.deps.clock.now()) return false;
        const lease = await this.acquire(stack, owner, s.settings.leaseSeconds);
        const run = new Run(this.deps, lease);
        return run.guard(async () => {
            run.state = (await this.deps.store.load(stack))!;
            run.attached();
            return run.scaleDown();
        });
    }

    private async acquire(stack: string, owner: string, leaseSeconds: number): Promise<Lease> {
        const got = await this.deps.store.acquire(stack, owner, this.deps.clock.now(), leaseSeconds * 1000);
        if (!isLease(got)) {
            throw new RolloutRefusedError(
                `stack ${stack}: a rollout is in flight (lock held by ${got.heldBy} until ${new Date(got.expiresAtMs).toISOString()})`,
            );
        }
        return got;
    }
}

/** The phase as the CLI, the record and `rollout:status` name it: `step 2 (30%)`, `validation (100%)`, or the status. Pure. */
export function phaseLabel(s: RolloutState): string {
    if (s.status === "shifting") return `step ${s.stepIndex + 1} (${s.targetWeight}%)`;
    if (s.status === "validating") return s.strategy === "rolling" ? "validation" : `validation (${s.weight}%)`;
    return s.status;
}

/** Seconds of analysis the current phase needs: the step's bake, or the validation (meaningful while shifting or validating). Pure. */
export function phaseTargetSeconds(s: RolloutState): number {
    return s.status === "shifting" ? s.settings.steps[s.stepIndex].bakeSeconds : s.settings.validationSeconds;
}

/** One engine invocation holding the lease; all state transitions live here. */
class Run {
    state!: RolloutState;

    constructor(
        private readonly deps: EngineDeps,
        private lease: Lease,
    ) {}

    /**
     * Runs `body`, then gives the lease up (unless it was lost: then it is not ours to release). An
     * unexpected error while traffic is split (a save that kept failing, a port that threw) first
     * attempts weight 0, so a dying runner does not leave traffic on an unjudged candidate; the state
     * (as last saved) then says the rollout is in flight, and a resume finds the weight changed and
     * finishes the rollback.
     */
    async guard<T>(body: () => Promise<T>): Promise<T> {
        try {
            return await body();
        } catch (e) {
            const s = this.state as RolloutState | undefined;
            if (
                s &&
                s.strategy !== "rolling" &&
                !(e instanceof LeaseLostError) &&
                !TERMINAL_OK.includes(s.status) &&
                s.firstShiftAtMs !== null
            ) {
                const applied = await this.applyWeight(0).catch((x) => ({ ok: false as const, error: errText(x), readBack: null }));
                const where = applied.ok ? "weight 0 applied and read back" : `weight 0 NOT applied (${applied.error})`;
                (e as Error).message = `${errText(e)}; traffic was split (${s.weight}% to ${s.candidate}): ${where}`;
            }
            throw e;
        } finally {
            this.stopHeartbeat();
            await this.deps.store.release(this.lease).catch(() => undefined);
        }
    }

    /** The run has its state: tell the CLI (its signal handler saves it). */
    attached(): void {
        this.deps.onState?.(this.state, () => this.lease);
    }

    private heartbeat: NodeJS.Timeout | null = null;

    /** Renew the lease on real time while a long port call runs (a snapshot, a migration, a `pulumi up`). */
    private async withHeartbeat<T>(call: () => Promise<T>): Promise<T> {
        this.stopHeartbeat();
        const every = this.deps.heartbeatMs ?? (this.settings.leaseSeconds * 1000) / 3;
        this.heartbeat = setInterval(() => {
            this.deps.store.renew(this.lease, this.now(), this.settings.leaseSeconds * 1000).then((l) => (this.lease = l), () => undefined);
        }, every);
        this.heartbeat.unref?.();
        try {
            return await call();
        } finally {
            this.stopHeartbeat();
        }
    }

    private stopHeartbeat(): void {
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
    }

    /** Fencing check before every change to the stack: the lease must still be ours, with our token. */
    private async fence<T>(what: () => Promise<T>): Promise<T> {
        this.lease = await this.deps.store.renew(this.lease, this.now(), this.settings.leaseSeconds * 1000);
        return this.withHeartbeat(what);
    }

    private get s(): RolloutState {
        return this.state;
    }

    private get settings(): RolloutSettings {
        return this.state.settings;
    }

    private now(): number {
        return this.deps.clock.now();
    }

    private emit(event: RolloutEvent): void {
        this.deps.onEvent?.(event);
    }

    info(message: string): void {
        this.emit({ type: "info", atMs: this.now(), message });
    }

    /**
     * Extend the lease, then save: every step is durable before the next begins, and a runner
     * whose lease was taken over stops (LeaseLostError) before it overwrites the new owner's state.
     */
    async persist(): Promise<void> {
        let attempt = 0;
        for (;;) {
            try {
                this.lease = await this.deps.store.renew(this.lease, this.now(), this.settings.leaseSeconds * 1000);
                this.s.updatedAtMs = this.now();
                await this.deps.store.save(this.s, this.lease);
                return;
            } catch (e) {
                // A lost lease is final; anything else (throttling, a network blip) is retried with backoff.
                if (e instanceof LeaseLostError || ++attempt >= SAVE_ATTEMPTS) throw e;
                await this.deps.clock.sleep(SAVE_RETRY_BASE_MS * 2 ** (attempt - 1));
            }
        }
    }

    label(): string {
        return phaseLabel(this.s);
    }

    phaseTarget(): number {
        return phaseTargetSeconds(this.s);
    }

    private addRecords(records: AnalysisRecord[]): void {
        const origin = this.s.firstShiftAtMs ?? this.s.startedAtMs;
        for (const r of records) {
            this.s.decisions.push(r);
            this.emit({ type: "analysis", atMs: r.atMs, record: r, line: formatRecord(r, origin) });
        }
        if (this.s.decisions.length > MAX_DECISIONS) this.s.decisions.splice(0, this.s.decisions.length - MAX_DECISIONS);
    }

    private record(
        rule: RuleName,
        verdict: Verdict,
        detail: string,
        values: Partial<Pick<AnalysisRecord, "candidate" | "reference" | "threshold">> = {},
    ): AnalysisRecord {
        return {
            atMs: this.now(),
            phase: this.label(),
            weight: this.s.weight,
            rule,
            candidate: values.candidate ?? null,
            reference: values.reference ?? null,
            threshold: values.threshold ?? null,
            verdict,
            detail,
        };
    }

    /** The state machine. Returns when the rollout is promoted, rolled back or halted. */
    async drive(waitForScaleDown: boolean): Promise<RolloutResult> {
        for (;;) {
            switch (this.s.status) {
                case "snapshotting":
                    await this.snapshot();
                    break;
                case "deploying":
                    await (this.s.strategy === "rolling" ? this.deployRolling() : this.deployCandidate());
                    break;
                case "migrating":
                    await this.migrate();
                    break;
                case "waiting_healthy":
                    await this.waitHealthy();
                    break;
                case "smoke_testing":
                    await this.smokeTest();
                    break;
                case "shifting":
                    await this.shift();
                    break;
                case "validating":
                    await this.validate();
                    break;
                case "finalising":
                    await this.finalise();
                    break;
                case "rolling_back":
                    await this.rollBack();
                    break;
                case "promoted":
                    if (waitForScaleDown && this.s.pendingScaleDown) await this.waitAndScaleDown();
                    return this.result();
                case "rolled_back":
                case "halted":
                case "aborted":
                    return this.result();
            }
        }
    }

    private result(): RolloutResult {
        const s = this.s;
        return {
            rolloutId: s.rolloutId,
            stack: s.stack,
            strategy: s.strategy,
            outcome: s.outcome ?? "halted",
            reason: s.reason,
            decidedAtMs: s.decidedAtMs ?? this.now(),
            firstShiftAtMs: s.firstShiftAtMs,
            weight: s.weight,
            timeline: s.timeline,
            decisions: s.decisions,
            rollback: s.rollback,
            state: s,
        };
    }

    private enterPhase(status: RolloutStatus): void {
        const s = this.s;
        s.status = status;
        s.phaseStartedAtMs = this.now();
        s.cursorMs = this.now();
        s.analysedSeconds = 0;
    }

    /** Announce the phase the state is in (after it was saved). */
    private emitPhase(label = this.label()): void {
        const s = this.s;
        const remaining = s.status === "shifting" || s.status === "validating" ? this.phaseTarget() : null;
        this.emit({ type: "phase", atMs: this.now(), status: s.status, label, weight: s.weight, remainingSeconds: remaining });
    }

    /** A step outside the traffic phases (snapshot, migrations, smoke tests), for the record. */
    private step(step: Omit<StepRecord, "atMs">): void {
        const full = { ...step, atMs: this.now() };
        this.emit({ type: "step", atMs: full.atMs, step: full });
    }

    /** Decide to roll back: persisted first, so a crash from here on still ends in a rollback. */
    async beginRollback(reason: string, records: AnalysisRecord[]): Promise<void> {
        const s = this.s;
        s.rollback = { reason, atMs: this.now(), records, weightReadBack: null, verified: false };
        s.reason = reason;
        s.decidedAtMs = this.now();
        s.status = "rolling_back";
        s.haltedFrom = null;
        // Persisted before it is reported: a kill after the line was printed still ends in a rollback.
        await this.persist();
        this.emit({ type: "decision", atMs: this.now(), outcome: "rolling_back", reason });
    }

    private async halt(reason: string, from: RolloutStatus): Promise<void> {
        const s = this.s;
        s.status = "halted";
        s.haltedFrom = from;
        s.outcome = "halted";
        s.reason = reason;
        s.decidedAtMs = this.now();
        await this.persist();
        this.emit({ type: "decision", atMs: this.now(), outcome: "halted", reason });
    }

    /** Nothing changed, and nothing will: the rollout ends before its first change (the snapshot failed). */
    private async abort(reason: string): Promise<void> {
        const s = this.s;
        s.status = "aborted";
        s.outcome = "aborted";
        s.reason = reason;
        s.decidedAtMs = this.now();
        await this.persist();
        this.emit({ type: "decision", atMs: this.now(), outcome: "aborted", reason });
    }

    private async snapshot(): Promise<void> {
        const s = this.s;
        const snapshots = this.deps.snapshots!;
        const at = s.snapshot ?? (s.snapshot = { atMs: this.now(), id: null });
        this.emitPhase("snapshot");
        try {
            at.id = await this.withHeartbeat(() => snapshots.snapshot(s.release.id, s.rolloutId, at.atMs));
        } catch (e) {
            this.step({ name: "snapshot", ok: false, detail: errText(e) });
            return this.abort(`snapshot failed before any change: ${errText(e)}`);
        }
        this.step({ name: "snapshot", ok: true, detail: at.id });
        try {
            const pruned = await this.withHeartbeat(() => snapshots.prune(this.deps.snapshotRetentionDays ?? 30));
            this.step({ name: "prune snapshots", ok: true, detail: pruned.length ? pruned.join(", ") : "nothing older than retention" });
        } catch (e) {
            // Pruning is housekeeping: a failure is recorded, not a reason to stop.
            this.step({ name: "prune snapshots", ok: false, detail: errText(e) });
        }
        s.status = "deploying";
        await this.persist();
    }

    /** Where to restore from, for a halt that may have touched data. */
    private restoreHint(): string {
        return this.s.snapshot?.id ? `; restore point ${this.s.snapshot.id}` : "";
    }

    private checkLines(r: CheckResult): string[] {
        return r.lines.map((l) => `${l.ok ? "ok" : "FAILED"} ${l.name}: ${l.detail}`);
    }

    /** Migrations with the candidate's task definition (again in full on a resume: they must be idempotent). */
    private async migrate(): Promise<void> {
        const s = this.s;
        this.emitPhase(`migrations (${s.candidate})`);
        const migrated = await this.withHeartbeat(() => this.deps.migrations!.migrate(s.candidate, s.rolloutId));
        this.step({
            name: "migrations",
            ok: migrated.ok,
            detail: migrated.ok ? "all services migrated" : "a migration failed",
            lines: this.checkLines(migrated),
        });
        const failed = migrated.lines.find((l) => !l.ok)?.detail;
        if (s.strategy === "rolling") {
            if (!migrated.ok) {
                const rec = this.record(
                    "circuit-breaker",
                    "rollback",
                    `migration failed after the rolling deployment of ${s.release.id}: ${failed}`,
                );
                this.addRecords([rec]);
                return this.beginRollback(`circuit-breaker: ${rec.detail}`, [rec]);
            }
            s.firstShiftAtMs = this.now();
            s.validationTotals = zeroTotals();
            this.enterPhase("validating");
            await this.persist();
            this.emitPhase();
            return;
        }
        // The database may be half-migrated: a human decides between fixing forward and restoring.
        if (!migrated.ok) return this.halt(`migration failed before traffic moved: ${failed}${this.restoreHint()}`, "migrating");
        this.enterPhase("waiting_healthy");
        await this.persist();
        this.emitPhase();
    }

    private async smokeTest(): Promise<void> {
        const s = this.s;
        const smoke = this.deps.smoke!;
        this.emitPhase(`smoke tests (${smoke.mode})`);
        const r = await this.withHeartbeat(() => smoke.check(s.candidate, s.rolloutId));
        this.step({ name: `smoke tests (${smoke.mode})`, ok: r.ok, detail: r.ok ? "all passed" : "failed", lines: this.checkLines(r) });
        if (!r.ok) {
            const rec = this.record(
                "smoke",
                "rollback",
                `smoke tests failed (${r.lines
                    .filter((l) => !l.ok)
                    .map((l) => l.name)
                    .join(", ")}); no traffic moved`,
            );
            this.addRecords([rec]);
            return this.beginRollback(`smoke: ${rec.detail}`, [rec]);
        }
        await this.startShifting();
    }

    /** Baseline, then the first step (the phase starts once its weight is applied). */
    private async startShifting(): Promise<void> {
        const s = this.s;
        const baseline = await this.measureBaseline();
        if (baseline && baseline.alarms.length > 0) {
            return this.halt(`critical alarm(s) already in ALARM before the first shift: ${baseline.alarms.join(", ")}`, s.status);
        }
        s.stepIndex = 0;
        s.targetWeight = this.settings.steps[0].weight;
        s.weightApplied = false;
        s.status = "shifting";
        await this.persist();
    }

    private async deployCandidate(): Promise<void> {
        const s = this.s;
        this.emitPhase(`deploy ${s.candidate} at 0%`);
        try {
            await this.fence(() => this.deps.stack.deployCandidate(s.candidate, s.release));
        } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            this.step({ name: `deploy ${s.candidate} at 0%`, ok: false, detail: errText(e) });
            // Not the release's fault: the update could not start. No traffic moved; the resume deploys again.
            if (e instanceof StackBlockedError)
                return this.halt(`no traffic on ${s.candidate} (weight 0); the deploy did not start: ${errText(e)}`, "deploying");
            const rec = this.record("deploy", "rollback", `deploying ${s.release.id} to ${s.candidate} failed: ${errText(e)}`);
            this.addRecords([rec]);
            return this.beginRollback(`deploy: ${rec.detail}`, [rec]);
        }
        this.step({
            name: `deploy ${s.candidate} at 0%`,
            ok: true,
            detail: Object.entries(s.release.images)
                .map(([k, v]) => `${k}=${v}`)
                .join(", "),
        });
        this.enterPhase(this.deps.migrations ? "migrating" : "waiting_healthy");
        await this.persist();
        if (s.status === "waiting_healthy") this.emitPhase();
    }

    private async waitHealthy(): Promise<void> {
        const s = this.s;
        const deadline = s.phaseStartedAtMs + this.settings.healthTimeoutSeconds * 1000;
        let last: string;
        for (;;) {
            try {
                const h = await this.deps.stack.candidateHealth(s.candidate);
                last = `${h.healthy} healthy, ${h.unhealthy} unhealthy, ${h.pending} pending`;
                if (h.healthy > 0 && h.unhealthy === 0 && h.pending === 0) break;
            } catch (e) {
                last = `health query failed: ${errText(e)}`;
            }
            if (this.now() >= deadline) {
                const rec = this.record("candidate-health", "rollback",
                    `${s.candidate} targets not healthy after ${this.settings.healthTimeoutSeconds}s (${last})`,
                    { threshold: this.settings.healthTimeoutSeconds });
                this.addRecords([rec]);
                return this.beginRollback(`candidate-health: ${rec.detail}`, [rec]);
            }
            await this.deps.clock.sleep(Math.min(this.settings.healthPollSeconds * 1000, deadline - this.now()));
            await this.persist();
        }
        this.info(`${s.candidate} healthy (${last})`);
        this.step({ name: `${s.candidate} healthy`, ok: true, detail: last });
        if (this.deps.smoke) {
            s.status = "smoke_testing";
            await this.persist();
            return;
        }
        await this.startShifting();
    }

    /** Live-colour metrics over the baselineSeconds before now: the reference of the validation ranges. */
    private async measureBaseline(): Promise<MetricsSample | null> {
        const s = this.s;
        const now = this.now();
        const window: MetricsWindow = {
            startMs: now - this.settings.baselineSeconds * 1000,
            endMs: now,
            live: s.live,
            candidate: s.candidate,
        };
        const q = await this.query(window);
        let rec: AnalysisRecord;
        if (!q.ok) {
            s.baseline = null;
            rec = this.record(
                "baseline",
                "inconclusive",
                `baseline query failed after ${q.attempts} attempt(s): ${q.error}; ranges fall back to the error-rate floor`,
            );
        } else if (q.sample.live.requests < this.settings.analysis.minRequests) {
            s.baseline = null;
            rec = this.record(
                "baseline",
                "inconclusive",
                `live colour had ${q.sample.live.requests} requests before the shift; too few for a baseline`,
                { reference: q.sample.live.requests, threshold: this.settings.analysis.minRequests },
            );
        } else {
            s.baseline = q.sample.live;
            const rate = q.sample.live.requests > 0 ? q.sample.live.errors5xx / q.sample.live.requests : 0;
            rec = this.record("baseline", "ok",
                `baseline ${s.live}: ${q.sample.live.requests} requests, 5xx ${(rate * 100).toFixed(2)}%, p95 ` +
                `${q.sample.live.p95Ms ?? "n/a"}ms`,
                { reference: rate });
        }
        this.addRecords([rec]);
        await this.persist();
        return q.ok ? q.sample : null;
    }

    private async query(
        window: MetricsWindow,
    ): Promise<{ ok: true; sample: MetricsSample } | { ok: false; error: string; attempts: number }> {
        const a = this.settings.analysis;
        let error = "";
        for (let attempt = 1; attempt <= a.queryAttempts; attempt++) {
            try {
                const sample = await this.deps.metrics.query(window);
                const samples = this.s.record?.samples;
                if (samples) {
                    samples.push({ ...window, sample });
                    if (samples.length > MAX_DECISIONS) samples.splice(0, samples.length - MAX_DECISIONS);
                }
                return { ok: true, sample };
            } catch (e) {
                error = errText(e);
                if (attempt < a.queryAttempts) {
                    await this.deps.clock.sleep(Math.min(a.queryRetryBaseMs * 2 ** (attempt - 1), a.queryRetryMaxMs));
                }
            }
        }
        return { ok: false, error, attempts: a.queryAttempts };
    }

    /** Set the weight in one targeted update and read it back. */
    private async applyWeight(
        weight: number,
    ): Promise<{ ok: true } | { ok: false; error: string; readBack: number | null; blocked: boolean }> {
        let error: string | null = null;
        let blocked = false;
        try {
            await this.fence(() => this.deps.stack.setWeight(weight));
        } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            error = errText(e);
            blocked = e instanceof StackBlockedError;
        }
        let readBack: number | null = null;
        try {
            readBack = await this.deps.stack.readWeight();
        } catch (e) {
            error = error ?? `reading the weight back failed: ${errText(e)}`;
        }
        if (error === null && readBack !== weight) error = `weight reads back ${readBack}% instead of ${weight}%`;
        return error === null ? { ok: true } : { ok: false, error, readBack, blocked };
    }

    private async shift(): Promise<void> {
        const s = this.s;
        const step = this.settings.steps[s.stepIndex];
        if (!s.weightApplied) {
            // Traffic goes only to a colour with healthy registered targets: an empty target group has no
            // unhealthy host either, and the load balancer's own 503s are not the targets' 5xx.
            const h = await this.deps.stack.candidateHealth(s.candidate).catch((e) => ({ error: errText(e) }));
            if ("error" in h || h.healthy === 0 || h.unhealthy > 0) {
                const words =
                    "error" in h
                        ? `health query failed: ${h.error}`
                        : `${h.healthy} healthy, ${h.unhealthy} unhealthy, ${h.pending} pending`;
                const rec = this.record(
                    "candidate-health",
                    "rollback",
                    `${s.candidate} has no healthy registered targets to take ${step.weight}% (${words})`,
                    { candidate: "error" in h ? null : h.healthy, threshold: 1 },
                );
                this.addRecords([rec]);
                return this.beginRollback(`candidate-health: ${rec.detail}`, [rec]);
            }
            const applied = await this.applyWeight(step.weight);
            if (!applied.ok) {
                if (applied.readBack !== null) s.weight = applied.readBack;
                if (applied.blocked) {
                    // The update never started (a stack lock or pending operations left by a killed update):
                    // nothing judged the candidate, so a human clears the stack and the resume applies the step again.
                    const where =
                        applied.readBack === null
                            ? "the listeners' weight could not be read (a killed update may have split them)"
                            : `${applied.readBack}% of traffic on ${s.candidate}`;
                    return this.halt(`${where}; step ${s.stepIndex + 1} (${step.weight}%) not applied: ${applied.error}`, "shifting");
                }
                const rec = this.record("traffic-update", "rollback", `update to ${step.weight}% failed: ${applied.error}`,
                    { candidate: applied.readBack, threshold: step.weight });
                this.addRecords([rec]);
                return this.beginRollback(`traffic-update: ${rec.detail}`, [rec]);
            }
            s.weightApplied = true;
            s.weight = step.weight;
            s.firstShiftAtMs ??= this.now();
            s.timeline.push({ atMs: this.now(), weight: step.weight });
            this.enterPhase("shifting");
            await this.persist();
            this.emit({ type: "weight", atMs: this.now(), weight: step.weight });
            this.emitPhase();
        }
        if (!(await this.analysePhase(step.bakeSeconds, false))) return;
        if (s.stepIndex + 1 < this.settings.steps.length) {
            s.stepIndex += 1;
            s.targetWeight = this.settings.steps[s.stepIndex].weight;
            s.weightApplied = false;
        } else {
            s.validationTotals = zeroTotals();
            this.enterPhase("validating");
        }
        await this.persist();
        if (s.status === "validating") this.emitPhase();
    }

    /**
     * Analyse interval after interval until `targetSeconds` of counted time have passed. Returns
     * false when a rollback or halt was decided (the state says which).
     */
    private async analysePhase(targetSeconds: number, validation: boolean): Promise<boolean> {
        const s = this.s;
        const t = this.settings.analysis;
        const intervalMs = this.settings.intervalSeconds * 1000;
        while (s.analysedSeconds < targetSeconds) {
            const end = s.cursorMs + intervalMs;
            if (end > this.now()) await this.deps.clock.sleep(end - this.now());
            const window: MetricsWindow = { startMs: s.cursorMs, endMs: end, live: s.live, candidate: s.candidate };
            const q = await this.query(window);
            s.cursorMs = end;
            const ctx: IntervalContext = {
                atMs: end,
                phase: this.label(),
                weight: s.weight,
                intervalSeconds: this.settings.intervalSeconds,
                baseline: s.baseline,
                compareWithLive: s.strategy !== "rolling",
                holdOnLowTraffic: s.strategy !== "rolling",
            };
            const verdict = q.ok
                ? analyseInterval(q.sample, s.counters, ctx, t)
                : analyseQueryFailure(q.error, q.attempts, s.counters, ctx, t);
            s.counters = verdict.counters;
            this.addRecords(verdict.records);
            if (q.ok && validation) s.validationTotals = addToTotals(s.validationTotals, q.sample);
            if (verdict.decision === "rollback") {
                await this.beginRollback(verdict.reason!, verdict.records.filter((r) => r.verdict === "rollback"));
                return false;
            }
            if (verdict.decision === "halt") {
                await this.halt(verdict.reason!, s.status);
                return false;
            }
            if (verdict.counted) s.analysedSeconds += this.settings.intervalSeconds;
            await this.persist();
            this.emit({
                type: "progress",
                atMs: this.now(),
                label: this.label(),
                weight: s.weight,
                remainingSeconds: Math.max(0, targetSeconds - s.analysedSeconds),
            });
        }
        return true;
    }

    private async validate(): Promise<void> {
        const s = this.s;
        if (!(await this.analysePhase(this.settings.validationSeconds, true))) return;
        const ctx: IntervalContext = {
            atMs: this.now(),
            phase: this.label(),
            weight: s.weight,
            intervalSeconds: this.settings.intervalSeconds,
            baseline: s.baseline,
            compareWithLive: s.strategy !== "rolling",
        };
        const v = judgeValidation(s.validationTotals, s.baseline, this.settings.validation, this.settings.analysis.errorRateFloor, ctx);
        this.addRecords(v.records);
        if (!v.ok) return this.halt(`validation outside the deployment-health ranges: ${v.reason}`, "validating");
        s.decidedAtMs = this.now();
        if (s.strategy === "rolling") {
            s.status = "promoted";
            s.outcome = "promoted";
        } else {
            s.status = "finalising";
        }
        await this.persist();
        if (s.status === "promoted") this.emit({ type: "decision", atMs: this.now(), outcome: "promoted", reason: null });
    }

    private async finalise(): Promise<void> {
        const s = this.s;
        try {
            await this.fence(() => this.deps.stack.finalise(s.candidate));
        } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            return this.halt(`finalise failed (${s.candidate} still takes ${s.weight}% as candidate): ${errText(e)}`, "finalising");
        }
        s.decidedAtMs ??= this.now();
        s.status = "promoted";
        s.outcome = "promoted";
        s.reason = null;
        s.pendingScaleDown = { colour: s.live, notBeforeMs: this.now() + this.settings.rollbackWindowSeconds * 1000 };
        await this.persist();
        this.info(
            `${s.candidate} is live; ${s.live} stays up until ${new Date(s.pendingScaleDown.notBeforeMs).toISOString()} for rollback`,
        );
        this.emit({ type: "decision", atMs: this.now(), outcome: "promoted", reason: null });
    }

    /** Wait out the rollback window in lease-sized chunks (renewing, so nobody starts meanwhile), then scale down. */
    private async waitAndScaleDown(): Promise<void> {
        const pending = this.s.pendingScaleDown!;
        const chunk = Math.max(1000, (this.settings.leaseSeconds * 1000) / 2);
        while (this.now() < pending.notBeforeMs) {
            await this.deps.clock.sleep(Math.min(chunk, pending.notBeforeMs - this.now()));
            this.lease = await this.deps.store.renew(this.lease, this.now(), this.settings.leaseSeconds * 1000);
        }
        await this.scaleDown();
    }

    async scaleDown(): Promise<boolean> {
        const pending = this.s.pendingScaleDown;
        if (!pending || pending.notBeforeMs > this.now()) return false;
        await this.fence(() => this.deps.stack.scaleToZero(pending.colour));
        this.info(`${pending.colour} scaled to 0 after the rollback window`);
        this.s.pendingScaleDown = null;
        await this.persist();
        return true;
    }

    private async rollBack(): Promise<void> {
        const s = this.s;
        const rb = s.rollback ?? { reason: s.reason ?? "rollback", atMs: this.now(), records: [], weightReadBack: null, verified: false };
        s.rollback = rb;
        this.emit({ type: "phase", atMs: this.now(), status: "rolling_back", label: "rollback", weight: s.weight, remainingSeconds: null });
        if (s.strategy === "rolling") {
            let detail: string;
            try {
                const r = await this.fence(() =>
                    this.deps.stack.deployRolling({ id: `${s.release.id}-rollback`, images: s.previousImages }),
                );
                rb.verified = r.settled;
                detail = r.detail;
            } catch (e) {
                detail = errText(e);
            }
            if (!rb.verified)
                return this.halt(`rollback to the previous images did not settle: ${detail} (after: ${rb.reason})`, "rolling_back");
        } else if (s.firstShiftAtMs === null && (await this.deps.stack.readWeight().catch(() => null)) === 0) {
            // No step was ever applied and the listeners read 0%: nothing to undo.
            rb.weightReadBack = 0;
            rb.verified = true;
        } else {
            // Keep trying for rollbackRetryMinutes (a concurrent update holding the stack lock, a throttle),
            // with backoff, renewing the lease (and saving) between attempts.
            const deadline = this.now() + this.settings.rollbackRetryMinutes * 60_000;
            let lastError = "";
            let attempts = 0;
            for (;;) {
                attempts++;
                const applied = await this.applyWeight(0);
                rb.weightReadBack = applied.ok ? 0 : applied.readBack;
                if (applied.ok) {
                    rb.verified = true;
                    break;
                }
                lastError = applied.error;
                if (this.now() >= deadline) break;
                this.info(`rollback attempt ${attempts} failed: ${lastError}; retrying until ${new Date(deadline).toISOString()}`);
                await this.deps.clock.sleep(
                    Math.min(
                        this.settings.analysis.queryRetryBaseMs * 2 ** Math.min(attempts - 1, 10),
                        ROLLBACK_RETRY_MAX_MS,
                        Math.max(0, deadline - this.now()),
                    ),
                );
                await this.persist();
            }
            if (rb.weightReadBack !== null) s.weight = rb.weightReadBack;
            if (!rb.verified) {
                const w = rb.weightReadBack;
                // The page's first line: where traffic is, and what to run.
                const where =
                    w === null
                        ? `traffic split unknown (the weight could not be read; last set ${s.weight}% to ${s.candidate})`
                        : `${w}% of traffic still on ${s.candidate} (the bad candidate), ${100 - w}% on ${s.live}`;
                return this.halt(
                    `${where}; run \`npm run rollout -- --stack ${s.stack} --resume\` to finish the rollback. ` +
                        `Rollback not verified after ${attempts} attempt(s) over ${this.settings.rollbackRetryMinutes} min: ` +
                        `${lastError} (after: ${rb.reason})`,
                    "rolling_back",
                );
            }
            // Steps are 1–100%, so a timeline never ends at 0 before this; an empty one means no traffic ever moved.
            if (s.timeline.length > 0) s.timeline.push({ atMs: this.now(), weight: 0 });
        }
        s.status = "rolled_back";
        s.outcome = "rolled_back";
        s.reason = rb.reason;
        s.decidedAtMs = rb.atMs;
        await this.persist();
        if (s.strategy !== "rolling") this.emit({ type: "weight", atMs: this.now(), weight: 0 });
        this.emit({ type: "decision", atMs: this.now(), outcome: "rolled_back", reason: rb.reason });
    }

    private async deployRolling(): Promise<void> {
        const s = this.s;
        this.emitPhase(`rolling ${s.release.id} onto ${s.live}`);
        const baseline = s.baseline ? null : await this.measureBaseline();
        if (baseline && baseline.alarms.length > 0) {
            return this.halt(`critical alarm(s) already in ALARM before the deployment: ${baseline.alarms.join(", ")}`, "deploying");
        }
        let result: { settled: boolean; detail: string };
        try {
            result = await this.fence(() => this.deps.stack.deployRolling(s.release));
        } catch (e) {
            if (e instanceof LeaseLostError) throw e;
            result = { settled: false, detail: `update failed: ${errText(e)}` };
        }
        if (!result.settled) {
            const rec = this.record("circuit-breaker", "rollback", `ECS deployment of ${s.release.id} did not settle: ${result.detail}`);
            this.addRecords([rec]);
            return this.beginRollback(`circuit-breaker: ${rec.detail}`, [rec]);
        }
        if (this.deps.migrations) {
            // The new task definitions exist once ECS rolled them out: migrations run now.
            s.status = "migrating";
            await this.persist();
            return;
        }
        s.firstShiftAtMs = this.now();
        s.validationTotals = zeroTotals();
        this.enterPhase("validating");
        await this.persist();
        this.emitPhase();
    }
}
