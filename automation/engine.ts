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
import {
    isLease,
    otherColour,
    type Clock,
    type Lease,
    type MetricsPort,
    type MetricsSample,
    type MetricsWindow,
    type Release,
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
    | { type: "info"; atMs: number; message: string };

export interface EngineDeps {
    stack: StackPort;
    metrics: MetricsPort;
    clock: Clock;
    store: StateStore;
    onEvent?: (event: RolloutEvent) => void;
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
                    `stack ${req.stack}: ${traffic.weight}% of traffic already goes to ${otherColour(traffic.live)} with no rollout in flight; set the weight by hand first`,
                );
            }
            const candidate = strategy === "rolling" ? traffic.live : otherColour(traffic.live);
            const now = clock.now();
            // A due scale-down left by the previous rollout happens first, unless that colour is
            // this rollout's candidate (the usual case): deploying onto it makes it moot.
            if (existing?.pendingScaleDown && existing.pendingScaleDown.colour !== candidate && existing.pendingScaleDown.notBeforeMs <= now) {
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
                status: "deploying",
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
            };
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
                    await run.beginRollback(`traffic-update: on resume the weight reads ${actual ?? "unknown"}% instead of the saved ${s.weight}%`, []);
                    return run.drive(opts.waitForScaleDown ?? false);
                }
            }
            if (s.status === "waiting_healthy") s.phaseStartedAtMs = now;
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

    /** Runs `body`, then gives the lease up (unless it was lost: then it is not ours to release). */
    async guard<T>(body: () => Promise<T>): Promise<T> {
        try {
            return await body();
        } finally {
            await this.deps.store.release(this.lease).catch(() => undefined);
        }
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
        this.lease = await this.deps.store.renew(this.lease, this.now(), this.settings.leaseSeconds * 1000);
        this.s.updatedAtMs = this.now();
        await this.deps.store.save(this.s);
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

    private record(rule: RuleName, verdict: Verdict, detail: string, values: Partial<Pick<AnalysisRecord, "candidate" | "reference" | "threshold">> = {}): AnalysisRecord {
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
                case "deploying":
                    await (this.s.strategy === "rolling" ? this.deployRolling() : this.deployCandidate());
                    break;
                case "waiting_healthy":
                    await this.waitHealthy();
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
        const remaining = status === "shifting" || status === "validating" ? this.phaseTarget() : null;
        this.emit({ type: "phase", atMs: this.now(), status, label: this.label(), weight: s.weight, remainingSeconds: remaining });
    }

    /** Decide to roll back: persisted first, so a crash from here on still ends in a rollback. */
    async beginRollback(reason: string, records: AnalysisRecord[]): Promise<void> {
        const s = this.s;
        s.rollback = { reason, atMs: this.now(), records, weightReadBack: null, verified: false };
        s.reason = reason;
        s.decidedAtMs = this.now();
        s.status = "rolling_back";
        s.haltedFrom = null;
        this.emit({ type: "decision", atMs: this.now(), outcome: "rolling_back", reason });
        await this.persist();
    }

    private async halt(reason: string, from: RolloutStatus): Promise<void> {
        const s = this.s;
        s.status = "halted";
        s.haltedFrom = from;
        s.outcome = "halted";
        s.reason = reason;
        s.decidedAtMs = this.now();
        this.emit({ type: "decision", atMs: this.now(), outcome: "halted", reason });
        await this.persist();
    }

    private async deployCandidate(): Promise<void> {
        const s = this.s;
        this.emit({ type: "phase", atMs: this.now(), status: "deploying", label: `deploy ${s.candidate} at 0%`, weight: s.weight, remainingSeconds: null });
        try {
            await this.deps.stack.deployCandidate(s.candidate, s.release);
        } catch (e) {
            const rec = this.record("deploy", "rollback", `deploying ${s.release.id} to ${s.candidate} failed: ${errText(e)}`);
            this.addRecords([rec]);
            return this.beginRollback(`deploy: ${rec.detail}`, [rec]);
        }
        this.enterPhase("waiting_healthy");
        await this.persist();
    }

    private async waitHealthy(): Promise<void> {
        const s = this.s;
        const deadline = s.phaseStartedAtMs + this.settings.healthTimeoutSeconds * 1000;
        let last = "no answer yet";
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
        const baseline = await this.measureBaseline();
        if (baseline && baseline.alarms.length > 0) {
            return this.halt(`critical alarm(s) already in ALARM before the first shift: ${baseline.alarms.join(", ")}`, "waiting_healthy");
        }
        s.stepIndex = 0;
        s.targetWeight = this.settings.steps[0].weight;
        s.weightApplied = false;
        s.status = "shifting"; // the phase starts (and is announced) once its weight is applied
        await this.persist();
    }

    /** Live-colour metrics over the baselineSeconds before now: the reference of the validation ranges. */
    private async measureBaseline(): Promise<MetricsSample | null> {
        const s = this.s;
        const now = this.now();
        const window: MetricsWindow = { startMs: now - this.settings.baselineSeconds * 1000, endMs: now, live: s.live, candidate: s.candidate };
        const q = await this.query(window);
        let rec: AnalysisRecord;
        if (!q.ok) {
            s.baseline = null;
            rec = this.record("baseline", "inconclusive", `baseline query failed after ${q.attempts} attempt(s): ${q.error}; ranges fall back to the error-rate floor`);
        } else if (q.sample.live.requests < this.settings.analysis.minRequests) {
            s.baseline = null;
            rec = this.record("baseline", "inconclusive", `live colour had ${q.sample.live.requests} requests before the shift; too few for a baseline`,
                { reference: q.sample.live.requests, threshold: this.settings.analysis.minRequests });
        } else {
            s.baseline = q.sample.live;
            const rate = q.sample.live.requests > 0 ? q.sample.live.errors5xx / q.sample.live.requests : 0;
            rec = this.record("baseline", "ok",
                `baseline ${s.live}: ${q.sample.live.requests} requests, 5xx ${(rate * 100).toFixed(2)}%, p95 ${q.sample.live.p95Ms ?? "n/a"}ms`,
                { reference: rate });
        }
        this.addRecords([rec]);
        await this.persist();
        return q.ok ? q.sample : null;
    }

    private async query(window: MetricsWindow): Promise<{ ok: true; sample: MetricsSample } | { ok: false; error: string; attempts: number }> {
        const a = this.settings.analysis;
        let error = "";
        for (let attempt = 1; attempt <= a.queryAttempts; attempt++) {
            try {
                return { ok: true, sample: await this.deps.metrics.query(window) };
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
    private async applyWeight(weight: number): Promise<{ ok: true } | { ok: false; error: string; readBack: number | null }> {
        let error: string | null = null;
        try {
            await this.deps.stack.setWeight(weight);
        } catch (e) {
            error = errText(e);
        }
        let readBack: number | null = null;
        try {
            readBack = await this.deps.stack.readWeight();
        } catch (e) {
            error = error ?? `reading the weight back failed: ${errText(e)}`;
        }
        if (error === null && readBack !== weight) error = `weight reads back ${readBack}% instead of ${weight}%`;
        return error === null ? { ok: true } : { ok: false, error, readBack };
    }

    private async shift(): Promise<void> {
        const s = this.s;
        const step = this.settings.steps[s.stepIndex];
        if (!s.weightApplied) {
            const applied = await this.applyWeight(step.weight);
            if (!applied.ok) {
                if (applied.readBack !== null) s.weight = applied.readBack;
                const rec = this.record("traffic-update", "rollback", `update to ${step.weight}% failed: ${applied.error}`,
                    { candidate: applied.readBack, threshold: step.weight });
                this.addRecords([rec]);
                return this.beginRollback(`traffic-update: ${rec.detail}`, [rec]);
            }
            s.weightApplied = true;
            s.weight = step.weight;
            s.firstShiftAtMs ??= this.now();
            s.timeline.push({ atMs: this.now(), weight: step.weight });
            this.emit({ type: "weight", atMs: this.now(), weight: step.weight });
            this.enterPhase("shifting");
            await this.persist();
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
            const verdict = q.ok ? analyseInterval(q.sample, s.counters, ctx, t) : analyseQueryFailure(q.error, q.attempts, s.counters, ctx, t);
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
            this.emit({ type: "decision", atMs: this.now(), outcome: "promoted", reason: null });
        } else {
            s.status = "finalising";
        }
        await this.persist();
    }

    private async finalise(): Promise<void> {
        const s = this.s;
        try {
            await this.deps.stack.finalise(s.candidate);
        } catch (e) {
            return this.halt(`finalise failed (${s.candidate} still takes ${s.weight}% as candidate): ${errText(e)}`, "finalising");
        }
        s.decidedAtMs ??= this.now();
        s.status = "promoted";
        s.outcome = "promoted";
        s.reason = null;
        s.pendingScaleDown = { colour: s.live, notBeforeMs: this.now() + this.settings.rollbackWindowSeconds * 1000 };
        this.info(`${s.candidate} is live; ${s.live} stays up until ${new Date(s.pendingScaleDown.notBeforeMs).toISOString()} for rollback`);
        this.emit({ type: "decision", atMs: this.now(), outcome: "promoted", reason: null });
        await this.persist();
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
        await this.deps.stack.scaleToZero(pending.colour);
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
                const r = await this.deps.stack.deployRolling({ id: `${s.release.id}-rollback`, images: s.previousImages });
                rb.verified = r.settled;
                detail = r.detail;
            } catch (e) {
                detail = errText(e);
            }
            if (!rb.verified) return this.halt(`rollback to the previous images did not settle: ${detail} (after: ${rb.reason})`, "rolling_back");
        } else {
            let lastError = "";
            for (let attempt = 1; attempt <= this.settings.rollbackAttempts; attempt++) {
                const applied = await this.applyWeight(0);
                rb.weightReadBack = applied.ok ? 0 : applied.readBack;
                if (applied.ok) {
                    rb.verified = true;
                    break;
                }
                lastError = applied.error;
                if (attempt < this.settings.rollbackAttempts) await this.deps.clock.sleep(this.settings.analysis.queryRetryBaseMs * 2 ** (attempt - 1));
            }
            if (rb.weightReadBack !== null) s.weight = rb.weightReadBack;
            if (!rb.verified) {
                return this.halt(`rollback not verified after ${this.settings.rollbackAttempts} attempt(s): ${lastError}; weight reads ${rb.weightReadBack ?? "unknown"} (after: ${rb.reason})`, "rolling_back");
            }
            // Steps are 1–100%, so a timeline never ends at 0 before this; an empty one means no traffic ever moved.
            if (s.timeline.length > 0) s.timeline.push({ atMs: this.now(), weight: 0 });
            this.emit({ type: "weight", atMs: this.now(), weight: 0 });
        }
        s.status = "rolled_back";
        s.outcome = "rolled_back";
        s.reason = rb.reason;
        s.decidedAtMs = rb.atMs;
        this.emit({ type: "decision", atMs: this.now(), outcome: "rolled_back", reason: rb.reason });
        await this.persist();
    }

    private async deployRolling(): Promise<void> {
        const s = this.s;
        this.emit({ type: "phase", atMs: this.now(), status: "deploying", label: `rolling ${s.release.id} onto ${s.live}`, weight: 0, remainingSeconds: null });
        const baseline = await this.measureBaseline();
        if (baseline && baseline.alarms.length > 0) {
            return this.halt(`critical alarm(s) already in ALARM before the deployment: ${baseline.alarms.join(", ")}`, "deploying");
        }
        let result: { settled: boolean; detail: string };
        try {
            result = await this.deps.stack.deployRolling(s.release);
        } catch (e) {
            result = { settled: false, detail: `update failed: ${errText(e)}` };
        }
        if (!result.settled) {
            const rec = this.record("circuit-breaker", "rollback", `ECS deployment of ${s.release.id} did not settle: ${result.detail}`);
            this.addRecords([rec]);
            return this.beginRollback(`circuit-breaker: ${rec.detail}`, [rec]);
        }
        s.firstShiftAtMs = this.now();
        s.validationTotals = zeroTotals();
        this.enterPhase("validating");
        await this.persist();
    }
}
