/**
 * Benchmark: over generated traces, how many intervals pass between the first breaching sample
 * and the rollback decision, per rule. `tools/bench.ts` imports {@link benchEngine}; run alone
 * with `npx ts-node --transpile-only tools/bench-engine.ts [traces]`.
 *
 * Latency is counted in samples: 0 = decided on the first breaching sample itself (at the end
 * of that interval). Targets: at most 1 for errors, health and alarms. Health needs 2
 * consecutive unhealthy intervals by definition, so it is reported both from the first
 * unhealthy sample (expected 1) and from the second (expected 0). Latency needs more than 5
 * minutes of breach (6 intervals: expected 5), query failures 3 failed intervals (expected 2).
 */
import { defaultRolloutSettings } from "../config/rollout-settings";
import { breachTrace, intBetween, prng, type BreachKind } from "./sim/generate";
import { replayTrace } from "../automation/sim/replay";

export interface RuleFigures {
    rule: string;
    traces: number;
    /** Rolled back, with the expected rule as (first) reason. */
    caught: number;
    /** Rolled back for another reason, or not at all. */
    missed: number;
    meanIntervals: number;
    p50Intervals: number;
    maxIntervals: number;
    /** null when the rule has no interval target (it waits by definition). */
    targetIntervals: number | null;
    met: boolean;
}

export interface EngineBench {
    traces: number;
    seed: number;
    elapsedMs: number;
    rules: RuleFigures[];
    table: string;
}

const KINDS: BreachKind[] = ["errors", "health", "alarms", "latency", "query"];
const TARGETS: Record<string, number | null> = {
    errors: 1,
    "health (from 1st)": null,
    "health (from 2nd)": 1,
    alarms: 1,
    latency: null,
    query: null,
};

function figures(rule: string, values: number[], traces: number, caught: number): RuleFigures {
    const sorted = [...values].sort((a, b) => a - b);
    const target = TARGETS[rule] ?? null;
    const max = sorted.length ? sorted[sorted.length - 1] : NaN;
    return {
        rule,
        traces,
        caught,
        missed: traces - caught,
        meanIntervals: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
        p50Intervals: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN,
        maxIntervals: max,
        targetIntervals: target,
        met: traces === caught && (target === null || max <= target),
    };
}

/**
 * Runs `traces` generated traces (a fifth per rule) through the real engine and returns the
 * figures and a printable table. Async because the engine's ports are: `await benchEngine()`.
 */
export async function benchEngine(traces = 1000, seed = 20261127): Promise<EngineBench> {
    const rng = prng(seed);
    const t = defaultRolloutSettings("canary").analysis;
    const started = process.hrtime.bigint();
    const lat: Record<string, number[]> = {};
    const caught: Record<string, number> = {};
    const count: Record<string, number> = {};
    for (let n = 0; n < traces; n++) {
        const kind = KINDS[n % KINDS.length];
        const breachAt = intBetween(rng, 0, 38);
        const trace = breachTrace(kind, breachAt, 45, rng, t);
        const r = await replayTrace(trace);
        const decidedSample = Math.floor(r.decidedAtSeconds / trace.intervalSeconds) - 1;
        const rules = kind === "health" ? ["health (from 1st)", "health (from 2nd)"] : [kind];
        const ok = r.outcome === "rolled_back" && r.reason !== null && r.reason.startsWith(`${kind}:`);
        for (const [i, rule] of rules.entries()) {
            count[rule] = (count[rule] ?? 0) + 1;
            if (!ok) continue;
            caught[rule] = (caught[rule] ?? 0) + 1;
            (lat[rule] ??= []).push(decidedSample - (breachAt + i));
        }
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const order = ["errors", "health (from 1st)", "health (from 2nd)", "alarms", "latency", "query"];
    const rules = order.filter((r) => count[r]).map((r) => figures(r, lat[r] ?? [], count[r], caught[r] ?? 0));
    return { traces, seed, elapsedMs, rules, table: formatTable(rules, traces, elapsedMs) };
}

function formatTable(rules: RuleFigures[], traces: number, elapsedMs: number): string {
    const header = ["rule", "traces", "caught", "mean", "p50", "max", "target", "met"];
    const rows = rules.map((r) => [
        r.rule,
        String(r.traces),
        String(r.caught),
        r.meanIntervals.toFixed(2),
        String(r.p50Intervals),
        String(r.maxIntervals),
        r.targetIntervals === null ? "by definition" : `≤ ${r.targetIntervals}`,
        r.met ? "yes" : "NO",
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
    return [
        `Rollout engine: intervals from the first breaching sample to the rollback decision (${traces} traces, ${elapsedMs.toFixed(0)} ms)`,
        line(header),
        line(widths.map((w) => "-".repeat(w))),
        ...rows.map(line),
        "health needs 2 consecutive unhealthy intervals, latency > 300 s (6 intervals), query 3 failed intervals: their delays are by " +
        "definition.",
    ].join("\n");
}

if (require.main === module) {
    const n = Number(process.argv[2] ?? 1000);
    benchEngine(Number.isFinite(n) && n > 0 ? n : 1000).then(
        (b) => {
            console.log(b.table);
            process.exit(b.rules.every((r) => r.met) ? 0 : 1);
        },
        (e: unknown) => {
            console.error(e);
            process.exit(1);
        },
    );
}
