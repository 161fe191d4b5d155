/**
 * `npm run rollout:simulate -- --trace FILE [--strategy canary|blue-green] [--json] [--verbose]`
 *
 * Replays a metrics trace (format in sim/trace.ts and docs/rollouts.md) through the real engine
 * with a virtual clock and a fake stack, and prints the timeline and the outcome.
 * With --json, stdout is exactly one JSON object:
 *   {"outcome", "reason", "decidedAtSeconds", "timeline": [{"atSeconds", "weight"}]}
 * Exit codes: 0 promoted, 2 rolled back, 3 halted, 4 incomplete (trace ended first), 1 bad input.
 */
import * as fs from "fs";
import type { RolloutEvent } from "./engine";
import { RolloutSettingsError } from "../config/rollout-settings";
import { replayTrace, type ReplayOutcome } from "./sim/replay";
import { parseTrace, TraceError } from "./sim/trace";
import { runMain } from "../cli/run-main";
import { readFlags, Stop, UsageError, type CommandSpec, type FlagValues } from "../cli/flags";

export const EXIT_CODES: Record<ReplayOutcome, number> = { promoted: 0, rolled_back: 2, halted: 3, incomplete: 4 };

interface Args {
    trace: string;
    strategy: "canary" | "blue-green";
    json: boolean;
    verbose: boolean;
}

export const SIMULATE_FLAGS = {
    command: "npm run rollout:simulate --",
    synopsis: ["--trace FILE [--strategy canary|blue-green] [--json] [--verbose]"],
    summary: "Replays a metrics trace through the real rollout engine with a virtual clock and a fake stack, and prints the timeline and the outcome.",
    flags: {
        trace: { type: "string", value: "FILE", help: "the trace (format in docs/rollouts.md)" },
        strategy: { type: "string", value: "canary|blue-green", help: "strategy to replay (default canary)" },
        json: { type: "boolean", help: "print exactly one JSON object: outcome, reason, decidedAtSeconds, timeline" },
        verbose: { type: "boolean", short: "v", help: "print every analysis line, not only the non-ok ones" },
    },
    exitCodes: "0 promoted, 1 bad input, 2 rolled back, 3 halted, 4 incomplete (the trace ended first)",
} satisfies CommandSpec;

function simulateArgs(v: FlagValues<typeof SIMULATE_FLAGS.flags>): Args {
    if (!v.trace) throw new UsageError("--trace FILE is required");
    const strategy = v.strategy ?? "canary";
    if (strategy !== "canary" && strategy !== "blue-green") throw new UsageError(`--strategy: expected canary or blue-green, got "${strategy}"`);
    return { trace: v.trace, strategy, json: v.json, verbose: v.verbose };
}

function printEvent(e: RolloutEvent, originMs: number, verbose: boolean): void {
    const at = `${String(Math.round((e.atMs - originMs) / 1000)).padStart(6)}s`;
    switch (e.type) {
        case "phase":
            console.log(`${at}  phase   ${e.label}${e.remainingSeconds !== null ? ` (${e.remainingSeconds}s to analyse)` : ""}`);
            break;
        case "weight":
            console.log(`${at}  weight  candidate ${e.weight}%`);
            break;
        case "analysis":
            if (verbose || e.record.verdict !== "ok") console.log(`        ${e.line}`);
            break;
        case "decision":
            console.log(`${at}  DECIDE  ${e.outcome}${e.reason ? `: ${e.reason}` : ""}`);
            break;
        case "info":
            console.log(`${at}  info    ${e.message}`);
            break;
        case "progress":
            if (verbose) console.log(`${at}  ...     ${e.label}: ${e.remainingSeconds}s left`);
            break;
    }
}

export async function main(argv: string[]): Promise<number> {
    const args = readFlags(SIMULATE_FLAGS, argv, { out: (t) => console.log(t), err: (t) => console.error(t) }, simulateArgs);
    if (args instanceof Stop) return args.exitCode;
    let text: string;
    try {
        text = fs.readFileSync(args.trace, "utf8");
    } catch (e) {
        console.error(`${args.trace}: cannot read: ${(e as Error).message}`);
        return 1;
    }
    try {
        const trace = parseTrace(text, args.trace);
        // Origin is the first shift; the fake stack shifts at virtual time 0 (healthy at once).
        const report = await replayTrace(trace, {
            strategy: args.strategy,
            onEvent: args.json ? undefined : (e) => printEvent(e, 0, args.verbose),
        });
        if (args.json) {
            console.log(JSON.stringify({
                outcome: report.outcome,
                reason: report.reason,
                decidedAtSeconds: report.decidedAtSeconds,
                timeline: report.timeline,
            }));
        } else {
            console.log("");
            console.log(`timeline: ${report.timeline.map((t) => `${t.weight}%@${t.atSeconds}s`).join(" → ") || "(no traffic shift)"}`);
            console.log(`outcome:  ${report.outcome} at ${report.decidedAtSeconds}s${report.reason ? `\nreason:   ${report.reason}` : ""}`);
            if (report.outcome === "incomplete") console.log(`(the trace's ${trace.samples.length} samples ended before a decision)`);
        }
        return EXIT_CODES[report.outcome];
    } catch (e) {
        if (e instanceof TraceError) {
            console.error(e.message);
            return 1;
        }
        if (e instanceof RolloutSettingsError) {
            console.error(e.problems.map((p) => `${args.trace}: ${p}`).join("\n"));
            return 1;
        }
        throw e;
    }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
