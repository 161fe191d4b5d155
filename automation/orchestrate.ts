/**
 * One rollout, start to finish, with every side effect behind an injected port:
 *
 *   preflight → lock → notify start → snapshot (staging, prod) → deploy candidate at 0% →
 *   migrations → candidate healthy → smoke tests → engine (shift, analyse, validate, finalise or
 *   roll back) → deployment record → notify outcome → release the lock.
 *
 * Nothing before the engine moves traffic, so every failure up to the smoke tests leaves 100% on
 * the live colour. Exit codes: 0 promoted (or dry run allowed), 1 error, 2 rolled back, 3 halted
 * for a human, 4 refused by preflight.
 */
import type { ReleaseWindow } from "./calendar";
import type { ChangeRequestResult } from "./change-request";
import { RolloutEngine, RolloutRefusedError, type RolloutEvent, type RolloutResult } from "./engine";
import type { CheckResult, MigrationPort, SmokePort } from "./adapters/checks";
import type { LockInspector } from "./adapters/dynamo-state";
import type { Notifier, NotificationKind } from "./adapters/sns-notifier";
import type { SnapshotPort } from "./adapters/docdb-snapshots";
import { runPreflight, type PreflightResult } from "./preflight";
import { isLease, otherColour, type Clock, type Colour, type Lease, type MetricsPort, type Release, type StackPort, type StateStore, type TrafficState } from "./ports";
import { RecordBuilder, type DeploymentRecord, type RecordOutcome, type StepRecord } from "./record";
import type { RolloutSettings } from "../config/rollout-settings";
import { isInFlight } from "./state";
import { EXIT as CODES } from "../cli/exit-codes";

/** Each outcome's code in the shared table (cli/exit-codes.ts). */
export const EXIT: Record<RecordOutcome | "ok", number> = {
    ok: CODES.ok, promoted: CODES.ok, unlocked: CODES.ok, scaled_down: CODES.ok,
    error: CODES.error, rolled_back: CODES.rolledBack, halted: CODES.halted, refused: CODES.refused,
};

export interface OrchestratorDeps {
    stack: StackPort;
    /** The metrics port; `criticalAlarms` (the CloudWatch adapter has it) feeds preflight. */
    metrics: MetricsPort & { criticalAlarms?: () => Promise<string[]> };
    store: StateStore & LockInspector;
    clock: Clock;
    /** null where no snapshot is taken (dev, dr). */
    snapshots: SnapshotPort | null;
    migrations: MigrationPort;
    /** null: no smoke tests (rolling stacks have no test listener). */
    smoke: SmokePort | null;
    notifier: Notifier;
    /** Persist the record; returns where it went. */
    writeRecord: (r: DeploymentRecord) => string[];
    onEvent?: (e: RolloutEvent) => void;
    /** Preflight verdict and plan, as soon as they are known (the CLI prints them before anything changes). */
    onPreflight?: (p: PreflightResult, plan: string[]) => void;
    /** Each step outside the engine (snapshot, deploy, migrations, smoke tests) as it completes. */
    onStep?: (s: StepRecord) => void;
    log?: (line: string) => void;
}

export interface RolloutRequest {
    stack: string;
    environment: string;
    owner: string;
    release: Release;
    settings: RolloutSettings;
    /** The stack file's traffic config: the dry-run fallback when the live stack cannot be read. */
    configTraffic: TrafficState;
    /** Per service, for the plan. */
    migrationCommands: { service: string; command: string[] }[];
    retentionDays: number;
    window?: ReleaseWindow;
    emergency?: { reason: string };
    changeRequest?: ChangeRequestResult;
    dryRun?: boolean;
    /** `--at`: the preflight clock (dry runs only). */
    atMs?: number;
    rolloutId?: string;
    /** Extra lease time for the steps before the engine (snapshot, migrations). Decision: 90 min. */
    preEngineLeaseMs?: number;
}

export interface OrchestrationResult {
    exitCode: number;
    outcome: RecordOutcome | "dry-run";
    reason: string | null;
    preflight: PreflightResult | null;
    plan: string[];
    record: DeploymentRecord | null;
    recordFiles: string[];
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The phases a rollout will go through, one line each, for `--dry-run`. Pure. */
export function planPhases(p: {
    stack: string;
    environment: string;
    release: Release;
    settings: RolloutSettings;
    traffic: TrafficState;
    migrationCommands: { service: string; command: string[] }[];
    snapshot: boolean;
    retentionDays: number;
    smokeMode: string | null;
}): string[] {
    const s = p.settings;
    const live = p.traffic.live;
    const rolling = s.strategy === "rolling";
    const candidate: Colour = rolling ? live : otherColour(live);
    const images = Object.entries(p.release.images).map(([k, v]) => `${k}=${v}`).join(", ");
    const lines: string[] = [];
    const add = (l: string) => lines.push(`${String(lines.length + 1).padStart(2)}. ${l}`);
    add(`lock: take the ${p.stack} rollout lock (lease ${s.leaseSeconds}s, renewed every step)`);
    add(`notify: start`);
    if (p.snapshot) add(`snapshot: tms-${p.environment}-predeploy-${p.release.id}-<timestamp>, wait until available; prune predeploy snapshots older than ${p.retentionDays} days`);
    const migrations = p.migrationCommands.map((m) => `${m.service}: ${m.command.join(" ")}`).join("; ");
    if (rolling) {
        add(`baseline: ${s.baselineSeconds}s of ${live} metrics`);
        add(`rolling deploy on ${live}: ${images} (ECS circuit breaker decides), then migrations (${migrations})`);
        add(`validation: ${s.validationSeconds}s against the baseline, analysed every ${s.intervalSeconds}s`);
        add(`promote (or roll back to the previous images)`);
    } else {
        add(`deploy ${candidate} at 0%: ${images}`);
        add(`migrations with ${candidate}'s task definition: ${migrations}`);
        add(`wait until ${candidate} targets are healthy (≤ ${s.healthTimeoutSeconds}s)`);
        add(`smoke tests through the test listener (${p.smokeMode ?? "none"}): /health, /health/readiness, /health/dependencies, /health/db`);
        add(`baseline: ${s.baselineSeconds}s of ${live} metrics`);
        for (const [i, step] of s.steps.entries()) add(`step ${i + 1}: ${step.weight}% to ${candidate}, bake ${step.bakeSeconds}s, analysed every ${s.intervalSeconds}s`);
        add(`validation: ${s.validationSeconds}s at ${s.steps[s.steps.length - 1]?.weight ?? 100}%`);
        add(`finalise: ${candidate} live at weight 0; ${live} scales to 0 after ${s.rollbackWindowSeconds}s`);
    }
    add(`record: deployments/${p.stack}/<rollout-id>.{json,md,svg}; notify the outcome`);
    return lines;
}

/** Wait until `colour`'s targets are all healthy (the test listener needs them for smoke tests). */
async function waitHealthy(stack: StackPort, clock: Clock, colour: Colour, settings: RolloutSettings): Promise<{ ok: boolean; detail: string }> {
    const deadline = clock.now() + settings.healthTimeoutSeconds * 1000;
    let last = "no answer yet";
    for (;;) {
        try {
            const h = await stack.candidateHealth(colour);
            last = `${h.healthy} healthy, ${h.unhealthy} unhealthy, ${h.pending} pending`;
            if (h.healthy > 0 && h.unhealthy === 0 && h.pending === 0) return { ok: true, detail: last };
        } catch (e) {
            last = `health query failed: ${errText(e)}`;
        }
        if (clock.now() >= deadline) return { ok: false, detail: `${colour} not healthy after ${settings.healthTimeoutSeconds}s (${last})` };
        await clock.sleep(Math.min(settings.healthPollSeconds * 1000, deadline - clock.now()));
    }
}

/** `stack` with some methods replaced (bound delegation, so the adapter's own state stays its own). */
function withOverrides(stack: StackPort, overrides: Partial<StackPort>): StackPort {
    return {
        readTraffic: () => stack.readTraffic(),
        deployCandidate: (c, r) => stack.deployCandidate(c, r),
        setWeight: (w) => stack.setWeight(w),
        readWeight: () => stack.readWeight(),
        candidateHealth: (c) => stack.candidateHealth(c),
        finalise: (c) => stack.finalise(c),
        scaleToZero: (c) => stack.scaleToZero(c),
        deployRolling: (r) => stack.deployRolling(r),
        ...overrides,
    };
}

const checkLines = (r: CheckResult) => r.lines.map((l) => `${l.ok ? "ok" : "FAILED"} ${l.name}: ${l.detail}`);

export class RolloutOrchestrator {
    constructor(private readonly deps: OrchestratorDeps) {}

    private log(line: string): void {
        this.deps.log?.(line);
    }

    async rollout(req: RolloutRequest): Promise<OrchestrationResult> {
        const d = this.deps;
        const nowMs = req.dryRun && req.atMs !== undefined ? req.atMs : d.clock.now();
        const dry = req.dryRun ?? false;
        const unreadable: string[] = [];

        let traffic: TrafficState;
        try {
            traffic = await d.stack.readTraffic();
        } catch (e) {
            if (!dry) return this.failEarly(req, nowMs, `cannot read the stack's traffic config: ${errText(e)}`);
            unreadable.push(`stack: cannot read the live stack (${errText(e)}); the plan uses ${req.stack}'s stack file`);
            traffic = req.configTraffic;
        }
        // Services the release does not name keep the live colour's images: the candidate colour may
        // still hold images from an older release, and it must serve the same versions as live does.
        const release: Release = { ...req.release, images: { ...traffic.images[traffic.live], ...req.release.images } };
        const settle = <T,>(p: Promise<T>) => p.then((v) => ({ v }), (e) => ({ error: errText(e) }));
        const [health, alarms, lock, state] = await Promise.all([
            settle(d.stack.candidateHealth(traffic.live)),
            settle(d.metrics.criticalAlarms ? d.metrics.criticalAlarms() : Promise.resolve([] as string[])),
            settle(d.store.lockHolder(req.stack, nowMs)),
            settle(d.store.load(req.stack)),
        ]);
        if ("error" in lock) unreadable.push(`lock: cannot read the ${req.stack} lock: ${lock.error}`);
        if ("error" in state) unreadable.push(`lock: cannot read the ${req.stack} rollout state: ${state.error}`);
        const inFlightState = "v" in state && isInFlight(state.v) ? state.v! : null;
        const preflight = runPreflight({
            stack: req.stack,
            environment: req.environment,
            nowMs,
            window: req.window,
            emergency: req.emergency,
            changeRequest: req.changeRequest,
            live: traffic.live,
            liveHealth: "v" in health ? health.v : { error: health.error },
            alarms: "v" in alarms ? alarms.v : { error: alarms.error },
            lockHeld: "v" in lock ? lock.v : null,
            inFlight: inFlightState ? { rolloutId: inFlightState.rolloutId, status: inFlightState.status } : null,
            lenientUnreadable: dry,
            unreadable,
            candidateWeight: req.settings.strategy === "rolling" ? 0 : traffic.weight,
        });
        const plan = planPhases({
            stack: req.stack, environment: req.environment, release: release, settings: req.settings, traffic,
            migrationCommands: req.migrationCommands, snapshot: d.snapshots !== null, retentionDays: req.retentionDays,
            smokeMode: d.smoke?.mode ?? null,
        });
        d.onPreflight?.(preflight, plan);
        if (dry) {
            return { exitCode: preflight.ok ? EXIT.ok : EXIT.refused, outcome: preflight.ok ? "dry-run" : "refused",
                reason: preflight.ok ? null : preflight.refusals.join("; "), preflight, plan, record: null, recordFiles: [] };
        }

        const rolloutId = req.rolloutId ?? `${req.stack}-${release.id}-${new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, "")}`;
        const rec = new RecordBuilder({
            rolloutId, stack: req.stack, environment: req.environment, command: "rollout", strategy: req.settings.strategy,
            release: { id: release.id, images: release.images }, ranBy: req.owner, startedAtMs: nowMs,
            preflight: { localTime: preflight.localTime, refusals: preflight.refusals },
            changeRequest: preflight.changeRequest,
            emergency: preflight.emergency ? { reason: preflight.emergency.reason, overridden: preflight.overridden } : null,
        });
        if (!preflight.ok) return this.finish(rec, "refused", `preflight: ${preflight.refusals.join("; ")}`, null, preflight, plan, false);
        const step = (s: StepRecord) => {
            rec.step(s);
            d.onStep?.(s);
        };

        // Lock: held by this owner through the steps before the engine; the engine re-takes it (same owner).
        const leaseMs = req.settings.leaseSeconds * 1000 + (req.preEngineLeaseMs ?? 90 * 60_000);
        let lease: Lease;
        try {
            const got = await d.store.acquire(req.stack, req.owner, d.clock.now(), leaseMs);
            if (!isLease(got)) {
                return this.finish(rec, "refused", `lock: another rollout holds the ${req.stack} lock (${got.heldBy}, until ${new Date(got.expiresAtMs).toISOString()})`, null, preflight, plan, false);
            }
            lease = got;
        } catch (e) {
            return this.finish(rec, "error", `lock: ${errText(e)}`, null, preflight, plan, false);
        }
        const renew = async () => {
            lease = await d.store.renew(lease, d.clock.now(), leaseMs);
        };

        try {
            await this.notify("start", rec.record, `${req.stack}: rollout of ${release.id} started`,
                `${req.owner} started ${req.settings.strategy} rollout ${rolloutId} of ${release.id} on ${req.stack}` +
                (preflight.emergency ? ` (EMERGENCY: ${preflight.emergency.reason})` : "") +
                (preflight.changeRequest ? ` under ${preflight.changeRequest.id}` : ""));

            let snapshotId: string | null = null;
            if (d.snapshots) {
                try {
                    snapshotId = await d.snapshots.snapshot(release.id, rolloutId);
                    step({ name: "snapshot", atMs: d.clock.now(), ok: true, detail: snapshotId });
                } catch (e) {
                    step({ name: "snapshot", atMs: d.clock.now(), ok: false, detail: errText(e) });
                    return await this.finish(rec, "error", `snapshot failed before any change: ${errText(e)}`, lease, preflight, plan, true);
                }
                try {
                    const pruned = await d.snapshots.prune(req.retentionDays);
                    step({ name: "prune snapshots", atMs: d.clock.now(), ok: true, detail: pruned.length ? pruned.join(", ") : "nothing older than retention" });
                } catch (e) {
                    // Pruning is housekeeping: a failure is recorded, not a reason to stop.
                    step({ name: "prune snapshots", atMs: d.clock.now(), ok: false, detail: errText(e) });
                }
                await renew();
            }
            const restoreHint = snapshotId ? `; restore point ${snapshotId}` : "";
            const rolling = req.settings.strategy === "rolling";
            const candidate: Colour = rolling ? traffic.live : otherColour(traffic.live);
            let stackForEngine: StackPort = d.stack;

            if (!rolling) {
                try {
                    await d.stack.deployCandidate(candidate, release);
                    step({ name: `deploy ${candidate} at 0%`, atMs: d.clock.now(), ok: true, detail: Object.entries(release.images).map(([k, v]) => `${k}=${v}`).join(", ") });
                } catch (e) {
                    step({ name: `deploy ${candidate} at 0%`, atMs: d.clock.now(), ok: false, detail: errText(e) });
                    return await this.finish(rec, "error", `deploying ${candidate} failed (no traffic moved): ${errText(e)}`, lease, preflight, plan, true);
                }
                await renew();
                const migrated = await d.migrations.migrate(candidate, rolloutId);
                step({ name: "migrations", atMs: d.clock.now(), ok: migrated.ok, detail: migrated.ok ? "all services migrated" : "a migration failed", lines: checkLines(migrated) });
                if (!migrated.ok) {
                    // The database may be half-migrated: a human decides between fixing forward and restoring.
                    return await this.finish(rec, "halted", `migration failed before traffic moved: ${migrated.lines.find((l) => !l.ok)?.detail}${restoreHint}`, lease, preflight, plan, true);
                }
                await renew();
                if (d.smoke) {
                    const healthy = await waitHealthy(d.stack, d.clock, candidate, req.settings);
                    step({ name: `${candidate} healthy`, atMs: d.clock.now(), ok: healthy.ok, detail: healthy.detail });
                    if (!healthy.ok) return await this.finish(rec, "rolled_back", `candidate-health: ${healthy.detail}; no traffic moved`, lease, preflight, plan, true);
                    const smoke = await d.smoke.check(candidate, rolloutId);
                    step({ name: `smoke tests (${d.smoke.mode})`, atMs: d.clock.now(), ok: smoke.ok, detail: smoke.ok ? "all passed" : "failed", lines: checkLines(smoke) });
                    if (!smoke.ok) {
                        return await this.finish(rec, "rolled_back", `smoke tests failed (${smoke.lines.filter((l) => !l.ok).map((l) => l.name).join(", ")}); no traffic moved`, lease, preflight, plan, true);
                    }
                    await renew();
                }
                // The engine starts with "deploy candidate"; it was done above for this release, so skip it once.
                let skip = true;
                stackForEngine = withOverrides(d.stack, {
                    deployCandidate: async (colour: Colour, r: Release) => {
                        if (skip && colour === candidate && r.id === release.id) {
                            skip = false;
                            return;
                        }
                        return d.stack.deployCandidate(colour, r);
                    },
                });
            } else {
                // Rolling: the new task definitions exist only once ECS rolled them out, so migrations run
                // right after the deployment settles; a failure counts as not settled (roll back the images).
                stackForEngine = withOverrides(d.stack, {
                    deployRolling: async (r: Release) => {
                        const result = await d.stack.deployRolling(r);
                        if (!result.settled || r.id !== release.id) return result;
                        const migrated = await d.migrations.migrate(candidate, rolloutId);
                        step({ name: "migrations", atMs: d.clock.now(), ok: migrated.ok, detail: migrated.ok ? "all services migrated" : "a migration failed", lines: checkLines(migrated) });
                        return migrated.ok ? result : { settled: false, detail: `migration failed: ${migrated.lines.find((l) => !l.ok)?.detail}` };
                    },
                });
            }

            const result = await this.engine(stackForEngine, rec).start({
                stack: req.stack, owner: req.owner, release: release, settings: req.settings, rolloutId,
            });
            return await this.finishEngine(rec, result, lease, preflight, plan, restoreHint);
        } catch (e) {
            const outcome: RecordOutcome = e instanceof RolloutRefusedError ? "refused" : "error";
            return await this.finish(rec, outcome, errText(e), lease, preflight, plan, true);
        }
    }

    /** `--resume` and `rollback`: the engine continues (or reverses) the stack's in-flight rollout. */
    async continueRollout(kind: "resume" | "rollback", p: { stack: string; environment: string; owner: string; reason?: string }): Promise<OrchestrationResult> {
        const d = this.deps;
        const saved = await d.store.load(p.stack).catch(() => undefined);
        const rec = new RecordBuilder({
            rolloutId: `${saved?.rolloutId ?? `${p.stack}-none`}-${kind}-${new Date(d.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`,
            stack: p.stack, environment: p.environment, command: kind, strategy: saved?.strategy ?? "unknown",
            release: saved ? { id: saved.release.id, images: saved.release.images } : { id: "-", images: {} },
            ranBy: p.owner, startedAtMs: d.clock.now(), preflight: null, changeRequest: null, emergency: null,
        });
        try {
            const engine = this.engine(d.stack, rec);
            const result = kind === "resume" ? await engine.resume(p.stack, p.owner) : await engine.rollback(p.stack, p.owner, p.reason ?? "requested");
            return await this.finishEngine(rec, result, null, null, [], "");
        } catch (e) {
            return await this.finish(rec, e instanceof RolloutRefusedError ? "refused" : "error", errText(e), null, null, [], e instanceof RolloutRefusedError ? false : true);
        }
    }

    private engine(stack: StackPort, rec: RecordBuilder): RolloutEngine {
        const d = this.deps;
        return new RolloutEngine({
            stack,
            metrics: rec.recordingMetrics(d.metrics),
            clock: d.clock,
            store: d.store,
            onEvent: (e) => {
                rec.onEvent(e);
                d.onEvent?.(e);
            },
        });
    }

    private async finishEngine(rec: RecordBuilder, r: RolloutResult, lease: Lease | null, preflight: PreflightResult | null, plan: string[], restoreHint: string) {
        const reason = r.outcome === "promoted" ? null : `${r.reason ?? r.outcome}${r.outcome === "halted" ? restoreHint : ""}`;
        return this.finish(rec, r.outcome, reason, lease, preflight, plan, true);
    }

    private async failEarly(req: RolloutRequest, nowMs: number, reason: string): Promise<OrchestrationResult> {
        const rec = new RecordBuilder({
            rolloutId: `${req.stack}-${req.release.id}-${new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, "")}`,
            stack: req.stack, environment: req.environment, command: "rollout", strategy: req.settings.strategy,
            release: { id: req.release.id, images: req.release.images }, ranBy: req.owner, startedAtMs: nowMs,
            preflight: null, changeRequest: null, emergency: null,
        });
        return this.finish(rec, "error", reason, null, null, [], false);
    }

    /** Record, notify, release: the same ending for every path after preflight. */
    private async finish(rec: RecordBuilder, outcome: RecordOutcome, reason: string | null, lease: Lease | null,
        preflight: PreflightResult | null, plan: string[], notify: boolean): Promise<OrchestrationResult> {
        const d = this.deps;
        const record = rec.finish(outcome, reason, d.clock.now());
        let recordFiles: string[] = [];
        try {
            recordFiles = d.writeRecord(record);
        } catch (e) {
            this.log(`could not write the deployment record: ${errText(e)}`);
        }
        if (notify) {
            const subject = `${record.stack}: ${record.release.id} ${outcome.replace("_", " ")}`;
            await this.notify(outcome, record, subject, `${subject}${reason ? `: ${reason}` : ""} (rollout ${record.rolloutId}, run by ${record.ranBy})`);
        }
        if (lease) await d.store.release(lease).catch((e) => this.log(`could not release the lock: ${errText(e)}`));
        return { exitCode: EXIT[outcome], outcome, reason, preflight, plan, record, recordFiles };
    }

    /** A failed notification is logged, never fatal: the rollout's outcome does not depend on SNS. */
    private async notify(kind: NotificationKind, r: DeploymentRecord, subject: string, message: string): Promise<void> {
        try {
            await this.deps.notifier.notify({ kind, stack: r.stack, rolloutId: r.rolloutId, subject, message });
        } catch (e) {
            this.log(`notification (${kind}) failed: ${errText(e)}`);
        }
    }
}

