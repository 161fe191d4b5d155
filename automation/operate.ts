/**
 * What an operator on call does besides rolling out: ask what a stack's rollout is doing
 * (`rollout:status`), clear a lock left by a runner that died (`rollout:unlock`), and scale the old
 * colour down once the rollback window has passed (`rollout:cleanup`). Every side effect goes
 * through the same ports as the rollout (state store and lock, stack, notifier, record writer), so
 * the CLI runs these against AWS and the tests against fakes.
 *
 * AWS calls (through the adapters): status reads the state and lock items (DynamoDB GetItem), the
 * stack config (Pulumi) and the listener weight (ELBv2 DescribeTargetGroups, DescribeListeners,
 * DescribeRules); unlock deletes the lock item with a condition on its owner and expiry (DynamoDB
 * DeleteItem, as a release does) and publishes on SNS; cleanup runs the engine's scale-down (one
 * `pulumi up`) under the lock and publishes on SNS.
 */
import type { LockInspector } from "./adapters/dynamo-state";
import type { Notifier, NotificationKind } from "./adapters/sns-notifier";
import { formatRecord } from "./analysis";
import { phaseLabel, phaseTargetSeconds, RolloutEngine, RolloutRefusedError } from "./engine";
import { EXIT } from "./orchestrate";
import { EXIT as CODES } from "../cli/exit-codes";
import { otherColour, type Clock, type Colour, type StackPort, type StateStore, type TrafficState } from "./ports";
import { RecordBuilder, type DeploymentRecord, type RecordOutcome } from "./record";
import { isInFlight, type RolloutState } from "./state";

/** `rollout:status` exit codes: the rollout's state, for scripts (codes of the shared table, cli/exit-codes.ts). */
export const STATUS_EXIT = {
    promoted: CODES.ok, none: CODES.ok, error: CODES.error, rolled_back: CODES.rolledBack, halted: CODES.halted, in_flight: CODES.inFlight,
} as const;
export type StatusState = Exclude<keyof typeof STATUS_EXIT, "error">;

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface StatusView {
    stack: string;
    atMs: number;
    state: StatusState;
    exitCode: number;
    rollout: {
        id: string;
        release: { id: string; images: Record<string, string> };
        strategy: string;
        status: string;
        /** `step 2 (30%)`, `validation (100%)`, or the status. */
        phase: string;
        startedAtMs: number;
        /** When the current phase began. */
        phaseStartedAtMs: number;
        /** When the runner last saved its progress. */
        savedAtMs: number;
        /** The weight the engine last set and verified; the target of the step in progress. */
        weight: { steppedTo: number; target: number; readBack: number | null; readBackError: string | null };
        /** Shifting or validating: analysed seconds still needed, as of the last save. */
        bake: { totalSeconds: number; leftSeconds: number } | null;
        /** The last analysis record of each rule, formatted as the CLI prints them. */
        analysis: { rule: string; verdict: string; line: string }[];
        decision: { outcome: string; reason: string | null; atMs: number | null } | null;
        rollback: { verified: boolean; weightReadBack: number | null } | null;
        pendingScaleDown: { colour: Colour; notBeforeMs: number } | null;
        /** The deployment record of this rollout on this machine, if there is one. */
        record: string | null;
    } | null;
    lock: { heldBy: string; expiresAtMs: number; expired: boolean } | null;
    colours: (TrafficState & { candidate: Colour }) | { error: string };
}

export interface StatusDeps {
    store: StateStore & LockInspector;
    stack: Pick<StackPort, "readTraffic" | "readWeight">;
    clock: Clock;
    /** Path of the local deployment record of a rollout id, or null. */
    recordOf?: (rolloutId: string) => string | null;
}

/** `status --watch`: the longest a frame shows an engine read (stack outputs, load balancer) that nothing prompted again. */
export const ENGINE_REREAD_MS = 30_000;

/** What of a saved rollout the engine's view follows: a change of any of these re-reads it. Pure. */
export function engineKey(s: RolloutState | undefined): string {
    if (!s) return "none";
    return JSON.stringify([s.rolloutId, s.status, s.weight, s.targetWeight, s.weightApplied, s.live, s.candidate, s.pendingScaleDown]);
}

/**
 * The engine's view for `status --watch`. Each read of it (the deployed release's outputs and the listeners) is a
 * few CLI runs and API calls, and a watch beside a sandbox rollout at --time-scale 60 redraws every second: so a
 * frame re-reads it only when the saved rollout moved (`engineKey`), and at least every ENGINE_REREAD_MS (a
 * person's `pulumi up` in between shows within that). A weight read back that is not the one the rollout stepped
 * to (a targeted update being applied, or a divergence) is followed frame by frame, by reading the listeners
 * again, not the stack outputs (one checkpoint download each), which a targeted update does not change; a failed
 * read is read again in the next frame. The saved state and the lock are still read every frame.
 */
export function watchedEngine(stack: StatusDeps["stack"], clock: Clock, rereadMs = ENGINE_REREAD_MS) {
    let key: string | null = null;
    let readAtMs = -Infinity;
    let trafficAgain = false;
    let weightAgain = false;
    let traffic: Promise<TrafficState> | null = null;
    let weight: Promise<number> | null = null;
    return {
        /** Before each frame: `saved` is the rollout state it will show. */
        frame(saved: RolloutState | undefined): void {
            const k = engineKey(saved);
            const due = k !== key || clock.now() - readAtMs >= rereadMs;
            if (due) [key, readAtMs] = [k, clock.now()];
            // Settled in the background so that the next frame knows whether to look again.
            if (due || trafficAgain) {
                trafficAgain = false;
                traffic = stack.readTraffic();
                traffic.catch(() => (trafficAgain = true));
            }
            if (!saved || saved.strategy === "rolling") weight = null;
            else if (due || weightAgain || weight === null) {
                const stepped = saved.weight;
                weightAgain = false;
                weight = stack.readWeight();
                weight.then((w) => (weightAgain ||= w !== stepped), () => (weightAgain = true));
            }
        },
        readTraffic: (): Promise<TrafficState> => traffic ?? stack.readTraffic(),
        readWeight: (): Promise<number> => weight ?? stack.readWeight(),
    };
}

function stateOf(s: RolloutState | undefined): StatusState {
    if (!s) return "none";
    if (s.status === "promoted" || s.status === "rolled_back" || s.status === "halted") return s.status;
    return "in_flight";
}

/**
 * Read everything `rollout:status` shows. Failures to read the traffic or the weight are shown, not fatal.
 * `loaded`: the saved state the caller has just read (a watch reads it before each frame), not read again.
 */
export async function readStatus(stack: string, deps: StatusDeps, loaded?: { saved: RolloutState | undefined }): Promise<StatusView> {
    const atMs = deps.clock.now();
    const [saved, held] = await Promise.all([loaded ? loaded.saved : deps.store.load(stack), deps.store.readLock(stack)]);
    const colours = await deps.stack.readTraffic().then(
        (t): StatusView["colours"] => ({ ...t, candidate: otherColour(t.live) }),
        (e): StatusView["colours"] => ({ error: errText(e) }),
    );
    const state = stateOf(saved);
    const view: StatusView = {
        stack, atMs, state, exitCode: STATUS_EXIT[state], rollout: null, colours,
        lock: held && { ...held, expired: held.expiresAtMs <= atMs },
    };
    if (!saved) return view;
    const s = saved;
    let readBack: number | null = null;
    let readBackError: string | null = null;
    if (s.strategy === "rolling") readBackError = "rolling: one colour, no weight";
    else {
        try {
            readBack = await deps.stack.readWeight();
        } catch (e) {
            readBackError = errText(e);
        }
    }
    const lastByRule = new Map<string, (typeof s.decisions)[number]>();
    for (const r of s.decisions) lastByRule.set(r.rule, r);
    const origin = s.firstShiftAtMs ?? s.startedAtMs;
    const analysing = s.status === "shifting" || s.status === "validating";
    const total = analysing ? phaseTargetSeconds(s) : 0;
    view.rollout = {
        id: s.rolloutId,
        release: { id: s.release.id, images: s.release.images },
        strategy: s.strategy,
        status: s.status,
        phase: phaseLabel(s),
        startedAtMs: s.startedAtMs,
        phaseStartedAtMs: s.phaseStartedAtMs,
        savedAtMs: s.updatedAtMs,
        weight: { steppedTo: s.weight, target: s.targetWeight, readBack, readBackError },
        bake: analysing ? { totalSeconds: total, leftSeconds: Math.max(0, total - s.analysedSeconds) } : null,
        analysis: [...lastByRule.values()].map((r) => ({ rule: r.rule, verdict: r.verdict, line: formatRecord(r, origin) })),
        decision:
            s.outcome || s.status === "rolling_back"
                ? { outcome: s.status === "rolling_back" ? "rolling_back" : s.outcome!, reason: s.reason, atMs: s.decidedAtMs }
                : null,
        rollback: s.rollback && { verified: s.rollback.verified, weightReadBack: s.rollback.weightReadBack },
        pendingScaleDown: s.pendingScaleDown,
        record: deps.recordOf?.(s.rolloutId) ?? null,
    };
    return view;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

/** `4m05s`, `2h03m`; negative durations are shown as their absolute value. */
export function duration(seconds: number): string {
    const s = Math.round(Math.abs(seconds));
    if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
    if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
    return `${s}s`;
}

const STATE_WORDS: Record<StatusState, string> = {
    none: "no rollout recorded",
    in_flight: "IN FLIGHT",
    promoted: "promoted",
    rolled_back: "ROLLED BACK",
    halted: "HALTED (waiting for a human)",
};

/** The status as lines of text. Pure. */
export function formatStatus(v: StatusView): string[] {
    const out: string[] = [];
    const ago = (ms: number) => duration((v.atMs - ms) / 1000);
    const r = v.rollout;
    out.push(`${v.stack}: ${STATE_WORDS[v.state]}${r ? ` — rollout ${r.id}` : ""} (as of ${iso(v.atMs)})`);
    if (r) {
        out.push(
            `  release    ${r.release.id} (${r.strategy}): ${Object.entries(r.release.images)
                .map(([k, x]) => `${k}=${x}`)
                .join(", ")}`,
        );
        const terminal = v.state !== "in_flight";
        out.push(
            `  phase      ${r.phase}${terminal ? "" : ` for ${ago(r.phaseStartedAtMs)}`} — rollout started ${iso(r.startedAtMs)}, last ` +
            `saved ${ago(r.savedAtMs)} ago`,
        );
        if (r.bake)
            out.push(
                `  bake       ${duration(r.bake.leftSeconds)} left of ${duration(r.bake.totalSeconds)} (analysed time; as of the last ` +
                `save)`,
            );
        const rb = r.weight.readBack;
        // A promoted rollout was finalised: the candidate became the live colour at weight 0, so the listeners
        // must read 0 (toward the new candidate), not the 100% the last step reached.
        const finalised = r.status === "promoted";
        const expected = finalised ? 0 : r.weight.steppedTo;
        // Between the save of a step's target and the save of its read-back, the listeners already read the target: an update in progress,
        // not a divergence. So do a rollback's 0 and a finalise's (the candidate made live at weight 0) before the rollout saves them.
        const applying =
            !terminal &&
            rb !== null &&
            rb !== r.weight.steppedTo &&
            (rb === r.weight.target || ((r.status === "rolling_back" || r.status === "finalising") && rb === 0));
        const wb =
            rb !== null
                ? `load balancer reads ${rb}%${rb === expected ? "" : applying ? " (its update is being applied)" : " (DIFFERS)"}`
                : `read-back: ${r.weight.readBackError}`;
        const then = finalised && r.weight.steppedTo !== 0 ? ", then finalised (the candidate became live at weight 0)" : "";
        out.push(
            `  weight     stepped to ` +
            `${r.weight.steppedTo}%` +
            `${r.weight.target !== r.weight.steppedTo && r.status === "shifting" ? ` (next ${r.weight.target}%)` : ""}${then}; ${wb}`,
        );
        if (r.analysis.length) {
            out.push("  analysis   last line per rule:");
            for (const a of r.analysis) out.push(`    ${a.line}`);
        }
        if (r.decision) {
            out.push(
                `  decision   ` +
                `${r.decision.outcome}${r.decision.atMs !== null ? ` at ${iso(r.decision.atMs)}` : ""}` +
                `${r.decision.reason ? `: ${r.decision.reason}` : ""}`,
            );
        }
        if (r.rollback)
            out.push(
                `  rollback   ${r.rollback.verified ? "verified" : "NOT verified"}, weight read back ` +
                `${r.rollback.weightReadBack ?? "unknown"}%`,
            );
        if (r.pendingScaleDown) {
            const due = r.pendingScaleDown.notBeforeMs <= v.atMs;
            out.push(
                `  scale-down ${r.pendingScaleDown.colour} to 0 ` +
                `${due
                    ? `due since ${iso(r.pendingScaleDown.notBeforeMs)} (npm run rollout:cleanup)`
                    : `after ${iso(r.pendingScaleDown.notBeforeMs)} (in ${ago(r.pendingScaleDown.notBeforeMs)})`}`,
            );
        }
        if (r.record) out.push(`  record     ${r.record}`);
    }
    const l = v.lock;
    out.push(
        `lock         ` +
        `${l
            ? `held by ${l.heldBy} ` +
              `${l.expired
                  ? `— lease EXPIRED ${ago(l.expiresAtMs)} ago at ${iso(l.expiresAtMs)} (npm run rollout:unlock)`
                  : `until ${iso(l.expiresAtMs)} (in ${ago(l.expiresAtMs)})`}`
            : "free"}`,
    );
    const c = v.colours;
    if ("error" in c) out.push(`colours      cannot read the stack config: ${c.error}`);
    else {
        const run = (x: Colour) => (c.running[x] ? "running" : "scaled to 0");
        out.push(
            `colours      live ${c.live} (${run(c.live)}), candidate ${c.candidate} (${run(c.candidate)}), weight ${c.weight}% in the ` +
            `deployed release`,
        );
        for (const x of [c.live, c.candidate]) {
            const images = Object.entries(c.images[x] ?? {});
            out.push(`  ${x.padEnd(10)} ${images.length ? images.map(([k, i]) => `${k}=${i}`).join(", ") : "(no images)"}`);
        }
    }
    return out;
}

/** What unlock and cleanup need besides the store. */
export interface OperationDeps {
    store: StateStore & LockInspector;
    stack: StackPort;
    clock: Clock;
    notifier: Notifier;
    writeRecord: (r: DeploymentRecord) => string[];
    log?: (line: string) => void;
}

export interface OperationRequest {
    stack: string;
    environment: string;
    owner: string;
}

export interface OperationResult {
    exitCode: number;
    outcome: RecordOutcome | "nothing";
    /** What happened, or why not, in words. */
    message: string;
    /** Next steps for the operator. */
    hints: string[];
    recordFiles: string[];
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, "");

/** A record entry for an operation, then its notification (a failed notification is logged, never fatal). */
async function recordAndNotify(d: OperationDeps, req: OperationRequest, p: {
    command: "unlock" | "cleanup"; saved: RolloutState | undefined; outcome: RecordOutcome; kind: NotificationKind;
    step: string; detail: string; reason: string; subject: string;
}): Promise<string[]> {
    const now = d.clock.now();
    const rec = new RecordBuilder({
        rolloutId: `${req.stack}-${p.command}-${stamp(now)}`,
        stack: req.stack,
        environment: req.environment,
        command: p.command,
        strategy: p.saved?.strategy ?? "-",
        release: p.saved ? { id: p.saved.release.id, images: p.saved.release.images } : { id: "-", images: {} },
        ranBy: req.owner,
        startedAtMs: now,
        preflight: null,
        changeRequest: null,
        emergency: null,
    });
    rec.step({ name: p.step, atMs: now, ok: p.outcome !== "error", detail: p.detail });
    const record = rec.finish(p.outcome, p.reason, d.clock.now());
    let files: string[] = [];
    try {
        files = d.writeRecord(record);
    } catch (e) {
        d.log?.(`could not write the deployment record: ${errText(e)}`);
    }
    try {
        await d.notifier.notify({
            kind: p.kind,
            stack: req.stack,
            rolloutId: record.rolloutId,
            subject: p.subject,
            message: `${p.subject}: ${p.detail} (run by ${req.owner}; reason: ${p.reason})`,
        });
    } catch (e) {
        d.log?.(`notification (${p.kind}) failed: ${errText(e)}`);
    }
    return files;
}

/** Is the persisted rollout in the middle of a rollback (rolling back, or halted because the rollback could not be verified)? */
export function rollbackInProgress(s: RolloutState | undefined): boolean {
    return !!s && (s.status === "rolling_back" || (s.status === "halted" && s.haltedFrom === "rolling_back"));
}

const resumeHint = (stack: string) => `npm run rollout -- --stack ${stack} --resume`;

/**
 * `rollout:unlock`: clear the stack's lock when its lease has expired, or a live one with `force`.
 * Refused while the persisted state says a rollback is in progress, unless `force`. The lock is only
 * deleted if it is still the one read (same owner and expiry), so a runner that renewed keeps it.
 */
export async function unlock(d: OperationDeps, req: OperationRequest & { reason: string; force: boolean }): Promise<OperationResult> {
    const [held, saved] = await Promise.all([d.store.readLock(req.stack), d.store.load(req.stack)]);
    const now = d.clock.now();
    const refuse = (message: string): OperationResult => ({
        exitCode: EXIT.refused,
        outcome: "refused",
        message,
        hints: [],
        recordFiles: [],
    });
    if (!held)
        return {
            exitCode: 0,
            outcome: "nothing",
            message: `${req.stack}: the rollout lock is free; nothing to unlock`,
            hints: [],
            recordFiles: [],
        };
    // Live until its expiry plus the clock-skew margin: the holder's clock may be behind ours.
    const live = (await d.store.lockHolder(req.stack, now)) !== null;
    if (rollbackInProgress(saved) && !req.force) {
        return refuse(
            `${req.stack}: rollout ${saved!.rolloutId} is in the middle of a rollback ` +
            `(${saved!.status}${saved!.reason ? `: ${saved!.reason}` : ""}); ` +
                `finish it with \`${resumeHint(req.stack)}\` once the lease has expired, or pass --force`,
        );
    }
    if (live && !req.force) {
        return refuse(
            `${req.stack}: the lock is held by ${held.heldBy} until ${iso(held.expiresAtMs)} ` +
            `(${duration((held.expiresAtMs - now) / 1000)} left): ` +
                "its runner may still be working; wait for the lease to expire, or pass --force if that runner is dead",
        );
    }
    const what = `the lock held by ${held.heldBy} (lease ` +
        `${live ? `live until ${iso(held.expiresAtMs)}` : `expired at ${iso(held.expiresAtMs)}`})`;
    if (!(await d.store.breakLock(req.stack, held))) {
        const now2 = await d.store.readLock(req.stack);
        return refuse(
            `${req.stack}: the lock changed while unlocking (now ` +
            `${now2 ? `held by ${now2.heldBy} until ${iso(now2.expiresAtMs)}` : "free"}); nothing cleared`,
        );
    }
    const forced = live || rollbackInProgress(saved);
    const detail = `cleared ${what}${forced ? " with --force" : ""}`;
    const files = await recordAndNotify(d, req, {
        command: "unlock",
        saved,
        outcome: "unlocked",
        kind: forced ? "unlock_forced" : "unlocked",
        step: "unlock",
        detail,
        reason: req.reason,
        subject: `${req.stack}: rollout lock cleared${forced ? " (forced)" : ""}`,
    });
    const hints: string[] = [];
    if (saved && saved.status !== "promoted" && saved.status !== "rolled_back") {
        hints.push(
            `rollout ${saved.rolloutId} is still ${saved.status}: continue it with \`${resumeHint(req.stack)}\` or reverse it with ` +
            `\`npm run rollback -- --stack ${req.stack} --reason …\``,
        );
    }
    return { exitCode: EXIT.unlocked, outcome: "unlocked", message: `${req.stack}: ${detail}`, hints, recordFiles: files };
}

/** The metrics port cleanup's engine never queries (it only scales down). */
const NO_METRICS = { query: async () => { throw new Error("rollout:cleanup reads no metrics"); } };

/**
 * `rollout:cleanup`: scale the previous live colour to 0 when the last rollout's rollback window has
 * passed (the engine's scale-down, under the lock); refused before, and while a rollout holds the lock.
 */
export async function cleanup(d: OperationDeps, req: OperationRequest): Promise<OperationResult> {
    const saved = await d.store.load(req.stack);
    const pending = saved?.pendingScaleDown;
    const now = d.clock.now();
    // The watchdog: a rollout in flight whose runner's lease ran out (past the clock-skew margin) was
    // abandoned (a runner killed without a chance to page). The scheduled cleanup pages for it, every run
    // until someone resumes it or rolls it back.
    if (saved && isInFlight(saved) && saved.status !== "halted") {
        const held = await d.store.readLock(req.stack);
        if (!(await d.store.lockHolder(req.stack, now))) {
            const since = held ? `its lease expired at ${iso(held.expiresAtMs)}` : "no runner holds its lock";
            const where =
                saved.strategy === "rolling" || saved.weight === 0
                    ? `no traffic on ${saved.candidate}`
                    : `${saved.weight}% of traffic on ${saved.candidate} (candidate), ${100 - saved.weight}% on ${saved.live}`;
            const detail = `${where}; rollout ${saved.rolloutId} was abandoned in ${saved.status} (${since}); run ` +
                `\`${resumeHint(req.stack)}\` ` +
                `(after \`npm run rollout:unlock -- --stack ${req.stack} --reason …\` if its lock is still ` +
                `there)`;
            const files = await recordAndNotify(d, req, {
                command: "cleanup", saved, outcome: "abandoned", kind: "abandoned", step: "watchdog", detail,
                reason: "a rollout in flight with no live runner", subject: `${req.stack}: rollout ${saved.rolloutId} abandoned`,
            });
            return { exitCode: EXIT.abandoned, outcome: "abandoned", message: `${req.stack}: ${detail}`, hints: [], recordFiles: files };
        }
    }
    if (!pending)
        return { exitCode: 0, outcome: "nothing", message: `${req.stack}: no colour waits to be scaled down`, hints: [], recordFiles: [] };
    if (pending.notBeforeMs > now) {
        return {
            exitCode: EXIT.refused, outcome: "refused", hints: [], recordFiles: [],
            message: `${req.stack}: ${pending.colour} stays up for rollback until ${iso(pending.notBeforeMs)} ` +
                `(${duration((pending.notBeforeMs - now) / 1000)} left); nothing changed`,
        };
    }
    const engine = new RolloutEngine({ stack: d.stack, metrics: NO_METRICS, clock: d.clock, store: d.store });
    let done: boolean;
    try {
        done = await engine.scaleDownIfDue(req.stack, req.owner);
    } catch (e) {
        if (e instanceof RolloutRefusedError)
            return { exitCode: EXIT.refused, outcome: "refused", message: e.message, hints: [], recordFiles: [] };
        const detail = `scaling ${pending.colour} to 0 failed: ${errText(e)}`;
        const files = await recordAndNotify(d, req, {
            command: "cleanup",
            saved,
            outcome: "error",
            kind: "error",
            step: `scale ${pending.colour} to 0`,
            detail,
            reason: "rollback window over",
            subject: `${req.stack}: cleanup failed`,
        });
        return { exitCode: EXIT.error, outcome: "error", message: `${req.stack}: ${detail}`, hints: [], recordFiles: files };
    }
    if (!done)
        return {
            exitCode: 0,
            outcome: "nothing",
            message: `${req.stack}: no colour waits to be scaled down (done meanwhile)`,
            hints: [],
            recordFiles: [],
        };
    const detail = `${pending.colour} scaled to 0; its rollback window ended ${iso(pending.notBeforeMs)}`;
    const files = await recordAndNotify(d, req, {
        command: "cleanup", saved, outcome: "scaled_down", kind: "scaled_down", step: `scale ${pending.colour} to 0`, detail,
        reason: "rollback window over", subject: `${req.stack}: ${pending.colour} scaled to 0`,
    });
    return { exitCode: EXIT.scaled_down, outcome: "scaled_down", message: `${req.stack}: ${detail}`, hints: [], recordFiles: files };
}
