/**
 * `npm run rollout:simulate -- --trace FILE [--stack NAME | --strategy canary|blue-green|rolling] [--json] [--verbose]`
 *
 * Replays a metrics trace (format in sim/trace.ts and docs/rollouts.md) through the real engine
 * with a virtual clock and a fake stack, and prints the timeline and the outcome. `--stack` replays
 * it with that stack's strategy and `tms:rollout` overrides (its Pulumi.<stack>.yaml), so an operator
 * tries what prod's settings would decide on a trace before prod does.
 * With --json, stdout is exactly one JSON object:
 *   {"outcome", "reason", "decidedAtSeconds", "timeline": [{"atSeconds", "weight"}]}
 * Exit codes (the shared table, cli/exit-codes.ts): 0 promoted, 1 bad input, 2 rolled back,
 * 3 halted, 5 not decided (the trace ended first).
 *
 * Times are seconds after the first traffic shift (rolling: after the deployment settled): the
 * virtual clock starts at 0, so a date it would print (1970-…) is shown as that offset instead.
 */
import * as fs from "fs";
import type { RolloutEvent } from "./engine";
import { RolloutSettingsError } from "../config/rollout-settings";
import { STRATEGIES, type Strategy } from "../config/vocabulary";
import { ConfigError, loadStackConfig } from "../config/stack-config";
import { readStackFile, stackFilePath, StackFileError } from "../cli/stack-file";
import { replayTrace, type ReplayOutcome } from "./sim/replay";
import { parseTrace, TraceError } from "./sim/trace";
import { runMain } from "../cli/run-main";
import { readFlags, stackName, Stop, UsageError, type CommandSpec, type FlagValues } from "../cli/flags";
import { EXIT } from "../cli/exit-codes";
import { colourEnabled, emphasise } from "../cli/colour";

export const EXIT_CODES: Record<ReplayOutcome, number> = {
    promoted: EXIT.ok,
    rolled_back: EXIT.rolledBack,
    halted: EXIT.halted,
    incomplete: EXIT.inFlight,
};

interface Args {
    trace: string;
    strategy?: Strategy;
    stack?: string;
    configFile?: string;
    json: boolean;
    verbose: boolean;
}

export const SIMULATE_FLAGS = {
    command: "npm run rollout:simulate --",
    synopsis: ["--trace FILE [--stack NAME [--config-file FILE] | --strategy canary|blue-green|rolling] [--json] [--verbose]"],
    summary:
        "Replays a metrics trace through the real rollout engine with a virtual clock and a fake stack, and prints the timeline and the " +
        "outcome.",
    flags: {
        trace: { type: "string", value: "FILE", help: "the trace (format in docs/rollouts.md)" },
        stack: {
            type: "string",
            value: "NAME",
            help: "replay with this stack's strategy and tms:rollout overrides (Pulumi.<stack>.yaml); the trace's interval stays the " +
                "trace's",
        },
        "config-file": {
            type: "string",
            value: "FILE",
            help: "--stack: read this stack file instead of Pulumi.<stack>.yaml (try an edit before committing it)",
        },
        strategy: {
            type: "string",
            value: "STRATEGY",
            help: `${STRATEGIES.join(", ")} with the guide's defaults (default canary; not with --stack)`,
        },
        json: { type: "boolean", help: "print exactly one JSON object: outcome, reason, decidedAtSeconds, timeline" },
        verbose: { type: "boolean", short: "v", help: "print every analysis line, not only the non-ok ones" },
    },
    exitCodes: {
        ok: "promoted",
        error: "bad input: a flag, the trace, the stack file",
        rolledBack: "rolled back",
        halted: "halted for a human",
        inFlight: "the trace ended before a decision",
    },
} satisfies CommandSpec;

function simulateArgs(v: FlagValues<typeof SIMULATE_FLAGS.flags>): Args {
    if (!v.trace) throw new UsageError("--trace FILE is required");
    if (v.stack !== undefined && v.strategy !== undefined)
        throw new UsageError("--strategy does not apply with --stack (the stack's tms:deployment.strategy is replayed)");
    if (v.strategy !== undefined && !STRATEGIES.includes(v.strategy as Strategy))
        throw new UsageError(`--strategy: expected ${STRATEGIES.join(", ")}, got "${v.strategy}"`);
    if (v["config-file"] !== undefined && v.stack === undefined)
        throw new UsageError("--config-file needs --stack (the stack whose settings it holds)");
    return {
        trace: v.trace,
        strategy: v.strategy as Strategy | undefined,
        stack: v.stack === undefined ? undefined : stackName("--stack", v.stack),
        configFile: v["config-file"],
        json: v.json,
        verbose: v.verbose,
    };
}

const ISO = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b/g;

/** A message of the engine with the virtual clock's dates shown as seconds after the origin (`+6300s`). Pure. */
export function virtualTimes(message: string, originMs: number): string {
    return message.replace(ISO, (d) => `+${Math.round((Date.parse(d) - originMs) / 1000)}s`);
}

function eventLine(e: RolloutEvent, originMs: number, verbose: boolean): string | null {
    const at = `${String(Math.round((e.atMs - originMs) / 1000)).padStart(6)}s`;
    switch (e.type) {
        case "phase":
            return `${at}  phase   ${e.label}${e.remainingSeconds !== null ? ` (${e.remainingSeconds}s to analyse)` : ""}`;
        case "weight":
            return `${at}  weight  candidate ${e.weight}%`;
        case "analysis":
            return verbose || e.record.verdict !== "ok" ? `        ${e.line}` : null;
        case "decision":
            return `${at}  DECIDE  ${e.outcome}${e.reason ? `: ${e.reason}` : ""}`;
        case "info":
            return `${at}  info    ${virtualTimes(e.message, originMs)}`;
        case "progress":
            return verbose ? `${at}  ...     ${e.label}: ${e.remainingSeconds}s left` : null;
        case "step":
            return verbose ? `${at}  step    ${e.step.name}: ${e.step.ok ? "ok" : "FAILED"} ${e.step.detail}` : null;
    }
}

/** The stack's strategy and raw `tms:rollout` overrides; throws StackFileError/ConfigError naming the file. */
function stackSettings(
    stack: string,
    configFile?: string,
): { strategy: Strategy; overrides: Record<string, unknown>; intervalSeconds: number } {
    const source = configFile ?? `Pulumi.${stack}.yaml`;
    const file = readStackFile(configFile ?? stackFilePath(stack), source);
    const cfg = loadStackConfig(file.config, source, stack);
    return { strategy: cfg.deployment.strategy, overrides: cfg.rollout, intervalSeconds: cfg.rolloutSettings.intervalSeconds };
}

export async function main(
    argv: string[],
    stdout: { isTTY?: boolean } = process.stdout,
    env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
    const args = readFlags(SIMULATE_FLAGS, argv, { out: (t) => console.log(t), err: (t) => console.error(t) }, simulateArgs);
    if (args instanceof Stop) return args.exitCode;
    const colour = !args.json && colourEnabled(stdout, env);
    const say = (line: string) => console.log(emphasise(line, colour));
    let text: string;
    try {
        text = fs.readFileSync(args.trace, "utf8");
    } catch (e) {
        console.error(`${args.trace}: cannot read: ${(e as Error).message}`);
        return EXIT.error;
    }
    let fromStack: ReturnType<typeof stackSettings> | undefined;
    if (args.stack) {
        try {
            fromStack = stackSettings(args.stack, args.configFile);
        } catch (e) {
            if (e instanceof StackFileError || e instanceof ConfigError) {
                console.error(`--stack ${args.stack}: ${e.message}`);
                return EXIT.error;
            }
            throw e;
        }
    }
    try {
        const trace = parseTrace(text, args.trace);
        const strategy = fromStack?.strategy ?? args.strategy ?? "canary";
        if (fromStack && !args.json) {
            const interval =
                fromStack.intervalSeconds === trace.intervalSeconds
                    ? ""
                    : `; the trace's interval (${trace.intervalSeconds}s) replaces ${args.stack}'s ${fromStack.intervalSeconds}s`;
            const keys = Object.keys(fromStack.overrides);
            const over = keys.length
                ? `its tms:rollout (${keys.join(", ")}) over the trace's settings`
                : `no tms:rollout overrides in Pulumi.${args.stack}.yaml (the guide's ${strategy} defaults)`;
            say(`replaying with ${args.stack}'s settings: ${strategy}, ${over}${interval}`);
        }
        // The origin (first shift, or the settled rolling deployment) is virtual time 0 of the report;
        // events before it print negative offsets, which says when they happened relative to it.
        let origin: number | null = null;
        const pending: RolloutEvent[] = [];
        const onEvent = (e: RolloutEvent) => {
            pending.push(e);
        };
        const report = await replayTrace(trace, {
            strategy,
            // The stack's overrides win over the trace's: the question is what this stack would decide.
            overrides: fromStack?.overrides,
            onEvent: args.json ? undefined : onEvent,
        });
        origin = report.originMs ?? 0;
        if (!args.json) for (const e of pending) {
            const line = eventLine(e, origin, args.verbose);
            if (line !== null) say(line);
        }
        if (args.json) {
            console.log(JSON.stringify({
                outcome: report.outcome,
                reason: report.reason,
                decidedAtSeconds: report.decidedAtSeconds,
                timeline: report.timeline,
            }));
        } else {
            say("");
            say(
                `timeline: ` +
                `${
                    report.timeline.map((t) => `${t.weight}%@${t.atSeconds}s`).join(" → ") ||
                    (strategy === "rolling" ? "(rolling: one colour, no traffic split)" : "(no traffic shift)")
                }`,
            );
            say(`outcome:  ${report.outcome} at ${report.decidedAtSeconds}s${report.reason ? `\nreason:   ${report.reason}` : ""}`);
            if (report.outcome === "incomplete") say(`(the trace's ${trace.samples.length} samples ended before a decision)`);
        }
        return EXIT_CODES[report.outcome];
    } catch (e) {
        if (e instanceof TraceError) {
            console.error(e.message);
            return EXIT.error;
        }
        if (e instanceof RolloutSettingsError) {
            console.error(e.problems.map((p) => `${args.stack ? `Pulumi.${args.stack}.yaml + ` : ""}${args.trace}: ${p}`).join("\n"));
            return EXIT.error;
        }
        throw e;
    }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
