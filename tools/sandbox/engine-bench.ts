/**
 * Real-engine timings for `npm run bench`: in a new offline sandbox, for each stack (dr after prod, which
 * it references), the wall time of `pulumi preview`, `pulumi up` and a no-change `preview --refresh`; the
 * compile times of the fake plugins and the program (cold: compiled now; warm: up to date); and the last
 * cold and warm runs of `npm run test:engine` (reports/engine-suite.json, written by the suite).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensurePulumiCli } from "./pulumi-cli";
import { prepareSandbox } from "./sandbox";

export interface EngineTiming {
    stack: string;
    resources: number;
    previewS: number;
    upS: number;
    refreshPreviewS: number;
}

/** One recorded run of the engine suite. */
export interface SuiteRun {
    at: string;
    kind: "cold" | "warm";
    seconds: number;
    engineCommands: number;
    engineSeconds: number;
    failed: boolean;
    /** The machine's 1-minute load average when the run ended (other work on the cores). */
    load: number;
    /** Seconds per test file (its tests and hooks), when recorded. */
    files?: Record<string, number>;
}

/** The suite's timed engine commands summed by stack and command (count, total and mean seconds). Pure. */
export function timingSummary(timings: { stack: string; command: string; seconds: number }[]): { stack: string; command: string; runs: number; totalS: number; meanS: number }[] {
    const by = new Map<string, { stack: string; command: string; runs: number; totalS: number }>();
    for (const t of timings) {
        const k = `${t.stack} ${t.command}`;
        const row = by.get(k) ?? { stack: t.stack, command: t.command, runs: 0, totalS: 0 };
        row.runs += 1;
        row.totalS += t.seconds;
        by.set(k, row);
    }
    return [...by.values()].map((r) => ({ ...r, totalS: +r.totalS.toFixed(1), meanS: +(r.totalS / r.runs).toFixed(1) }));
}

/** The timed engine commands of the last recorded suite run. */
export function suiteTimings(file = SUITE_RESULTS): { stack: string; command: string; seconds: number }[] {
    if (!fs.existsSync(file)) return [];
    return JSON.parse(fs.readFileSync(file, "utf8")).timings ?? [];
}

export const SUITE_RESULTS = path.resolve(__dirname, "../../reports/engine-suite.json");

/** The last cold and warm engine-suite runs, if any were recorded. */
export function suiteRuns(file = SUITE_RESULTS): SuiteRun[] {
    if (!fs.existsSync(file)) return [];
    const d = JSON.parse(fs.readFileSync(file, "utf8"));
    return [d.cold, d.warm].filter(Boolean);
}

export async function engineTimings(stacks = ["dev", "staging", "prod", "dr"], log: (l: string) => void = () => undefined): Promise<{ version: string; rows: EngineTiming[]; builds: { name: string; files: number; built: boolean; seconds: number }[] }> {
    const cli = ensurePulumiCli(log);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-engine-bench-"));
    try {
        const sb = prepareSandbox(dir, cli);
        const builds = sb.builds.map(({ name, files, built, seconds }) => ({ name, files, built, seconds }));
        const timed = (args: string[]) => {
            const started = Date.now();
            const r = sb.run(args);
            if (r.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${r.status}:\n${(r.stdout + r.stderr).slice(-3000)}`);
            return { seconds: +((Date.now() - started) / 1000).toFixed(1), out: r.stdout };
        };
        const rows: EngineTiming[] = [];
        for (const stack of stacks) {
            log(`real engine: ${stack}`);
            timed(["stack", "init", stack]);
            const preview = timed(["preview", "--stack", stack]);
            const up = timed(["up", "--stack", stack, "--yes", "--skip-preview"]);
            const again = timed(["preview", "--stack", stack, "--refresh", "--expect-no-changes"]);
            rows.push({ stack, resources: Number(up.out.match(/\+ (\d+) created/)?.[1] ?? 0), previewS: preview.seconds, upS: up.seconds, refreshPreviewS: again.seconds });
        }
        return { version: cli.version, rows, builds };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
