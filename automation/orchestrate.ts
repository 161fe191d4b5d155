/**
 * One rollout, start to finish, with every side effect behind an injected port:
 *
 *   preflight → notify start → the engine's persisted phases (lock, snapshot, deploy candidate at
 *   0%, migrations, candidate healthy, smoke tests, baseline, steps, validation, finalise or roll
 *   back) → deployment record → notify outcome.
 *
 * The orchestrator keeps what is not the release itself: preflight, the deployment record (saved
 * with the engine's state as it grows, so a resume on another runner completes it), notifications,
 * and what to do when the runner is told to stop (`interrupt`: save, record, page). Exit codes:
 * 0 promoted (or dry run allowed), 1 error, 2 rolled back, 3 halted for a human, 4 refused by
 * preflight; an interrupted run exits 1 too.
 */
import type { ReleaseWindow } from "./calendar";
import type { ChangeRequestResult } from "./change-request";
import { RolloutEngine, RolloutRefusedError, type RolloutEvent, type RolloutResult } from "./engine";
import type { MigrationPort, SmokePort } from "./adapters/checks";
import type { LockInspector } from "./adapters/dynamo-state";
import type { Notifier, NotificationKind } from "./adapters/sns-notifier";
import type { SnapshotPort } from "./adapters/docdb-snapshots";
import { runPreflight, type PreflightResult } from "./preflight";
import {
    otherColour,
    type Clock,
    type Colour,
    type Lease,
    type MetricsPort,
    type Release,
    type StackPort,
    type StateStore,
    type TrafficState,
} from "./ports";
import { RecordBuilder, recordOutcomeOf, type DeploymentRecord, type RecordOutcome, type StepRecord } from "./record";
import type { RolloutSettings } from "../config/rollout-settings";
import { isInFlight, type RolloutState } from "./state";
import type { ReleasePreviewer } from "./step-diff";
import { EXIT as CODES } from "../cli/exit-codes";

/** Each outcome's code in the shared table (cli/exit-codes.ts); a runner stopped by a signal exits 128 + n instead (the CLI). */
export const EXIT: Record<RecordOutcome | "ok", number> = {
    ok: CODES.ok,
    promoted: CODES.ok,
    unlocked: CODES.ok,
    scaled_down: CODES.ok,
    error: CODES.error,
    interrupted: CODES.error,
    abandoned: CODES.error,
    rolled_back: CODES.rolledBack,
    halted: CODES.halted,
    refused: CODES.refused,
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
    /** `rollout --dry-run --show-diff` (the CLI's, not the orchestration's): the engine's preview of the next updates. */
    previewer?: ReleasePreviewer;
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
    if (p.snapshot)
        add(
            `snapshot: tms-${p.environment}-predeploy-${p.release.id}-<timestamp>, wait until available; prune predeploy snapshots ` +
            `older than ${p.retentionDays} days`,
        );
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
        add(
            `smoke tests through the test listener (${p.smokeMode ?? "none"}): /health, /health/readiness, /health/dependencies, ` +
            `/health/db`,
        );
        add(`baseline: ${s.baselineSeconds}s of ${live} metrics`);
        for (const [i, step] of s.steps.entries())
            add(`step ${i + 1}: ${step.weight}% to ${candidate}, bake ${step.bakeSeconds}s, analysed every ${s.intervalSeconds}s`);
        add(`validation: ${s.validationSeconds}s at ${s.steps[s.steps.length - 1]?.weight ?? 100}%`);
        add(`finalise: ${candidate} live at weight 0; ${live} scales to 0 after ${s.rollbackWindowSeconds}s`);
    }
    add(`record: deployments/${p.stack}/<rollout-id>.{json,md,svg}; notify the outcome`);
    return lines;
}

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
        if (!preflight.ok) return this.finish(rec, "refused", `preflight: ${preflight.refusals.join("; ")}`, preflight, plan, false);

        // The start is announced once the engine holds the lock and has saved the rollout (a refusal announces nothing).
        let started: Promise<void> | null = null;
        const announce = () => started ??= this.notify("start", rec.record, `${req.stack}: rollout of ${release.id} started`,
            `${req.owner} started ${req.settings.strategy} rollout ${rolloutId} of ${release.id} on ${req.stack}` +
            (preflight.emergency ? ` (EMERGENCY: ${preflight.emergency.reason})` : "") +
            (preflight.changeRequest ? ` under ${preflight.changeRequest.id}` : ""));
        try {
            const result = await this.engine({ rec, retentionDays: req.retentionDays, onAttached: announce }).start({
                stack: req.stack, owner: req.owner, release, settings: req.settings, rolloutId, record: rec.record,
            });
            await started;
            return await this.finishEngine(rec, result, preflight, plan);
        } catch (e) {
            await started;
            const outcome: RecordOutcome = e instanceof RolloutRefusedError ? "refused" : "error";
            return await this.finish(rec, outcome, errText(e), preflight, plan, outcome !== "refused");
        }
    }

    /**
     * `--resume` and `rollback`: the engine continues (or reverses) the stack's in-flight rollout. The
     * rollout's own record, saved with its state, is continued and written complete under its id.
     */
    async continueRollout(
        kind: "resume" | "rollback",
        p: { stack: string; environment: string; owner: string; reason?: string; retentionDays?: number },
    ): Promise<OrchestrationResult> {
        const d = this.deps;
        const saved = await d.store.load(p.stack).catch(() => undefined);
        const holder: { rec: RecordBuilder } = {
            rec: new RecordBuilder({
                rolloutId:
                    `${saved?.rolloutId ?? `${p.stack}-none`}-${kind}-` +
                    `${new Date(d.clock.now()).toISOString().replace(/[-:]|\.\d+/g, "")}`,
                stack: p.stack, environment: p.environment, command: kind, strategy: saved?.strategy ?? "unknown",
                release: saved ? { id: saved.release.id, images: saved.release.images } : { id: "-", images: {} },
                ranBy: p.owner, startedAtMs: d.clock.now(), preflight: null, changeRequest: null, emergency: null,
            }),
        };
        try {
            const engine = this.engine({
                rec: holder, retentionDays: p.retentionDays ?? 30,
                onAttached: (s) => {
                    // Continue the rollout's own record (a state saved before records were kept has none).
                    s.record ??= holder.rec.record;
                    holder.rec = RecordBuilder.continue(s.record);
                    holder.rec.step({
                        name: kind,
                        atMs: d.clock.now(),
                        ok: true,
                        detail: `${kind === "resume" ? "resumed" : "rollback requested"} by ${p.owner} in ` +
                            `${s.status}${p.reason ? `: ${p.reason}` : ""}`,
                    });
                },
            });
            const result =
                kind === "resume"
                    ? await engine.resume(p.stack, p.owner)
                    : await engine.rollback(p.stack, p.owner, p.reason ?? "requested");
            return await this.finishEngine(holder.rec, result, null, []);
        } catch (e) {
            return await this.finish(
                holder.rec,
                e instanceof RolloutRefusedError ? "refused" : "error",
                errText(e),
                null,
                [],
                !(e instanceof RolloutRefusedError),
            );
        }
    }

    /** The run in progress (its state and lease), for `interrupt`. */
    private current: { state: RolloutState; lease: () => Lease; rec: () => RecordBuilder } | null = null;

    /**
     * The runner was told to stop (SIGTERM, SIGINT: a cancelled CI job): save the state as it is, write
     * the record, page with where traffic is and how to resume, and give the lock up so that the resume
     * need not wait for the lease. The engine's next step never comes (the process exits).
     */
    async interrupt(signal: string): Promise<OrchestrationResult | null> {
        const c = this.current;
        if (!c) return null;
        const d = this.deps;
        const s = c.state;
        const where =
            s.strategy === "rolling" || s.weight === 0
                ? `no traffic on ${s.candidate} (weight 0)`
                : `${s.weight}% of traffic on ${s.candidate} (candidate), ${100 - s.weight}% on ${s.live}`;
        const reason = `${where}; the runner was stopped by ${signal} in ${s.status}; run \`npm run rollout -- --stack ${s.stack} ` +
            `--resume\``;
        c.rec().step({ name: "interrupted", atMs: d.clock.now(), ok: false, detail: `${signal} in ${s.status}` });
        await d.store.save(s, c.lease()).catch((e) => this.log(`could not save the state on ${signal}: ${errText(e)}`));
        const result = await this.finish(c.rec(), "interrupted", reason, null, [], true);
        await d.store.release(c.lease()).catch(() => undefined);
        return result;
    }

    private engine(p: {
        rec: RecordBuilder | { rec: RecordBuilder };
        retentionDays: number;
        onAttached?: (s: RolloutState) => void;
    }): RolloutEngine {
        const d = this.deps;
        const rec = () => (p.rec instanceof RecordBuilder ? p.rec : p.rec.rec);
        return new RolloutEngine({
            stack: d.stack,
            metrics: d.metrics,
            clock: d.clock,
            store: d.store,
            snapshots: d.snapshots,
            snapshotRetentionDays: p.retentionDays,
            migrations: d.migrations,
            smoke: d.smoke,
            onState: (state, lease) => {
                p.onAttached?.(state);
                this.current = { state, lease, rec };
            },
            onEvent: (e) => {
                rec().onEvent(e);
                if (e.type === "step") d.onStep?.(e.step);
                d.onEvent?.(e);
            },
        });
    }

    private async finishEngine(rec: RecordBuilder, r: RolloutResult, preflight: PreflightResult | null, plan: string[]) {
        this.current = null;
        const reason = r.outcome === "promoted" ? null : r.reason ?? r.outcome;
        return this.finish(rec, recordOutcomeOf(r.outcome), reason, preflight, plan, true);
    }

    private async failEarly(req: RolloutRequest, nowMs: number, reason: string): Promise<OrchestrationResult> {
        const rec = new RecordBuilder({
            rolloutId: `${req.stack}-${req.release.id}-${new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, "")}`,
            stack: req.stack, environment: req.environment, command: "rollout", strategy: req.settings.strategy,
            release: { id: req.release.id, images: req.release.images }, ranBy: req.owner, startedAtMs: nowMs,
            preflight: null, changeRequest: null, emergency: null,
        });
        return this.finish(rec, "error", reason, null, [], false);
    }

    /** Record and notify: the same ending for every path after preflight (the engine gave its lease up). */
    private async finish(rec: RecordBuilder, outcome: RecordOutcome, reason: string | null,
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
            await this.notify(
                outcome,
                record,
                subject,
                `${subject}${reason ? `: ${reason}` : ""} (rollout ${record.rolloutId}, run by ${record.ranBy})`,
            );
        }
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

