/**
 * Replay: the real engine with a virtual clock, a fake stack and a trace's metrics. Shared by
 * the simulate CLI, the tests and the benchmark.
 */
import { VirtualClock } from "../clock";
import { RolloutEngine, type RolloutEvent, type RolloutResult } from "../engine";
import { resolveRolloutSettings, type RolloutSettings } from "../../config/rollout-settings";
import type { Strategy } from "../../config/vocabulary";
import { MemoryStateStore } from "../state-memory";
import { FakeStack, type FakeStackHooks } from "./fake-stack";
import type { Trace } from "./trace";
import { TraceMetrics } from "./trace-metrics";

export type ReplayOutcome = "promoted" | "rolled_back" | "halted" | "incomplete";

export interface ReplayOptions {
    strategy?: Strategy;
    /** Extra `tms:rollout` overrides, applied over the trace's own `settings`. */
    overrides?: Record<string, unknown>;
    hooks?: FakeStackHooks;
    onEvent?: (e: RolloutEvent) => void;
}

export interface ReplayReport {
    outcome: ReplayOutcome;
    reason: string | null;
    /** Seconds after the first traffic shift (rolling: after the deployment settled). */
    decidedAtSeconds: number;
    /** Virtual time of that origin (null when it never came: no shift, or a rolling deployment that did not settle). */
    originMs: number | null;
    timeline: { atSeconds: number; weight: number }[];
    settings: RolloutSettings;
    /** The engine's result; undefined when the trace ended first. */
    result?: RolloutResult;
    events: RolloutEvent[];
    stack: FakeStack;
    metrics: TraceMetrics;
}

function merge(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
        const prev = out[k];
        out[k] = isPlain(prev) && isPlain(v) ? merge(prev, v) : v;
    }
    return out;
}
const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Settings for a replay: strategy defaults ← trace.settings ← options.overrides, interval from the trace. */
export function replaySettings(trace: Trace, opts: ReplayOptions = {}): RolloutSettings {
    const overrides = merge(merge(trace.settings, opts.overrides), { intervalSeconds: trace.intervalSeconds });
    return resolveRolloutSettings(opts.strategy ?? "canary", overrides, "trace.settings");
}

export async function replayTrace(trace: Trace, opts: ReplayOptions = {}): Promise<ReplayReport> {
    const settings = replaySettings(trace, opts);
    const clock = new VirtualClock(0);
    // The process "stops" at the first wait beyond the trace's last interval: the trace is over.
    clock.freezeAt((trace.samples.length + 1) * trace.intervalSeconds * 1000);
    const stack = new FakeStack(clock, {}, opts.hooks);
    const store = new MemoryStateStore();
    let origin: number | null = null;
    const events: RolloutEvent[] = [];
    const metrics = new TraceMetrics(trace, () => origin);
    const engine = new RolloutEngine({
        stack,
        metrics,
        clock,
        store,
        onEvent: (e) => {
            // The trace's sample 0 is the first interval after the first shift; a rolling deployment
            // shifts nothing, so its samples start when ECS settled and validation began.
            if (
                origin === null &&
                ((e.type === "weight" && e.weight > 0) ||
                    (settings.strategy === "rolling" && e.type === "phase" && e.status === "validating"))
            )
                origin = e.atMs;
            events.push(e);
            opts.onEvent?.(e);
        },
    });
    const run = engine.start({
        stack: "sim",
        owner: "simulator",
        release: { id: "candidate", images: { "api-gateway": "2.0.0", "task-service": "2.0.0" } },
        settings,
    });
    const raced = await Promise.race([
        run.then((r) => ({ kind: "done" as const, r })),
        clock.frozen.then((atMs) => ({ kind: "frozen" as const, atMs })),
    ]);
    const base = origin ?? 0;
    const toSeconds = (ms: number) => (ms - base) / 1000;
    if (raced.kind === "frozen") {
        const state = await store.load("sim");
        return {
            outcome: "incomplete",
            reason: null,
            decidedAtSeconds: toSeconds(clock.now()),
            originMs: origin,
            timeline: (state?.timeline ?? []).map((t) => ({ atSeconds: toSeconds(t.atMs), weight: t.weight })),
            settings,
            events,
            stack,
            metrics,
        };
    }
    const r = raced.r;
    return {
        // The replay has no snapshot phase, so it never aborts.
        outcome: r.outcome === "aborted" ? "halted" : r.outcome,
        reason: r.reason,
        decidedAtSeconds: toSeconds(r.decidedAtMs),
        originMs: origin,
        timeline: r.timeline.map((t) => ({ atSeconds: toSeconds(t.atMs), weight: t.weight })),
        settings,
        result: r,
        events,
        stack,
        metrics,
    };
}
