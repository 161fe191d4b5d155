/**
 * Benchmarks, printed as a table and one JSON line (`BENCH {...}`):
 *  - per stack: offline plan wall time, peak RSS, resource count, and the per-resource cost of the
 *    plan divided by the per-resource cost of registering as many plain resources under the same mock
 *    engine in the same run (target: at most 1.3; above it, the program itself is slow);
 *  - scaling: plan time and resource count for 2, 8 and 32 services.
 *
 *   npm run bench [-- --runs N]   (flags: BENCH_FLAGS)
 */
import * as path from "path";
import { runProgram } from "./mock-engine";
import { readStackFile, stackFilePath } from "../cli/stack-file";
import { runMain } from "../cli/run-main";
import { readFlags, Stop, UsageError, type CommandSpec } from "../cli/flags";
import { parseConfigValue } from "../config/stack-config";
import { diffPlans, LISTENER_TYPES } from "./diff";
import { benchEngine } from "./bench-engine";
import { engineTimings, suiteRuns, suiteTimings, timingSummary } from "./sandbox/engine-bench";

const STACKS = ["dev", "staging", "prod", "dr"];
const BASELINE = path.join(__dirname, "bench-baseline-program.ts");

interface Measure { ms: number; resources: number; peakRssMb: number }

async function measure(run: () => Promise<{ resources: unknown[] }>): Promise<Measure> {
    let peak = process.memoryUsage().rss;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const t0 = process.hrtime.bigint();
    const r = await run();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { ms, resources: r.resources.length, peakRssMb: peak / 2 ** 20 };
}

async function median(runs: number, run: () => Promise<{ resources: unknown[] }>): Promise<Measure> {
    const all: Measure[] = [];
    for (let i = 0; i < runs; i++) all.push(await measure(run));
    all.sort((a, b) => a.ms - b.ms);
    const mid = all[Math.floor(all.length / 2)];
    return { ...mid, peakRssMb: Math.max(...all.map((m) => m.peakRssMb)) };
}

function stackConfig(stack: string): Record<string, string> {
    return readStackFile(stackFilePath(stack)).config;
}

/** Prod's config with `n` generated services (one public), for the scaling row. */
export function scaledConfig(n: number): Record<string, string> {
    const cfg = stackConfig("prod");
    const services: Record<string, any> = {};
    const images: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
        const name = i === 0 ? "api-gateway" : `service-${String(i).padStart(2, "0")}`;
        services[name] = { port: 5000 + i, public: i === 0, calls: i === 0 && n > 1 ? ["service-01"] : [] };
        images[name] = "latest-prod";
    }
    const deployment = parseConfigValue(cfg["tms:deployment"]) as any;
    deployment.blue.images = images;
    deployment.green.images = { ...images };
    const parameters = parseConfigValue(cfg["tms:parameters"]) as any;
    return {
        ...cfg,
        "tms:services": JSON.stringify(services),
        "tms:deployment": JSON.stringify(deployment),
        "tms:parameters": JSON.stringify({ "api-gateway": parameters["api-gateway"] }),
    };
}

export const BENCH_FLAGS = {
    command: "npm run bench --",
    synopsis: ["[--runs N] [--skip-engine]"],
    summary: "Benchmarks: offline plan time, memory and cost per resource per stack; scaling with the number of services; what each canary weight step updates; the rollout engine's detection delays.",
    flags: {
        runs: { type: "string", value: "N", help: "runs per measurement, the median is kept (default 3)" },
        "skip-engine": { type: "boolean", help: "skip the real-engine timings (preview and up per stack on the offline sandbox, a few minutes; builds the Pulumi CLI first if needed)" },
    },
    exitCodes: { ok: "measured", error: "bad input or a failed run" },
} satisfies CommandSpec;

/** `--runs`: a positive whole number (default 3). */
export function benchRuns(text: string | undefined): number {
    const runs = text === undefined ? 3 : Number(text);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs: "${text}" is not a positive whole number`);
    return runs;
}

export async function main(argv: string[]): Promise<number> {
    const parsed = readFlags(BENCH_FLAGS, argv, { out: console.log, err: console.error }, (v) => ({ runs: benchRuns(v.runs), engine: !v["skip-engine"] }));
    if (parsed instanceof Stop) return parsed.exitCode;
    const { runs } = parsed;

    // Warm the module caches (and dr's reference to prod's plan) so no stack pays for loading.
    for (const stack of STACKS) await runProgram({ stack, config: stackConfig(stack) });
    await runProgram({ stack: "bench", config: { "bench:count": "10" }, program: BASELINE });

    const rows: Record<string, any>[] = [];
    for (const stack of STACKS) {
        const config = stackConfig(stack);
        const planned = await median(runs, () => runProgram({ stack, config }));
        const baseline = await median(runs, () => runProgram({ stack: "bench", config: { "bench:count": String(planned.resources) }, program: BASELINE }));
        const perPlan = planned.ms / planned.resources;
        const perPlain = baseline.ms / baseline.resources;
        rows.push({
            stack,
            resources: planned.resources,
            planMs: Math.round(planned.ms),
            peakRssMb: Math.round(planned.peakRssMb),
            msPerResource: +perPlan.toFixed(2),
            plainMsPerResource: +perPlain.toFixed(2),
            ratio: +(perPlan / perPlain).toFixed(2),
        });
    }
    const scaling: Record<string, any>[] = [];
    for (const n of [2, 8, 32]) {
        const config = scaledConfig(n);
        const m = await median(runs, () => runProgram({ stack: "prod", config }));
        scaling.push({ services: n, resources: m.resources, planMs: Math.round(m.ms), msPerResource: +(m.ms / m.resources).toFixed(2) });
    }

    // What each canary weight step updates in prod (both colours running, as during a release).
    const atWeight = (weight: number) => {
        const cfg = stackConfig("prod");
        const d = parseConfigValue(cfg["tms:deployment"]) as any;
        d.weight = weight;
        d.green.running = true;
        return runProgram({ stack: "prod", config: { ...cfg, "tms:deployment": JSON.stringify(d) } });
    };
    const weightSteps: Record<string, any>[] = [];
    let previous = await atWeight(0);
    for (const weight of [10, 30, 50, 100]) {
        const next = await atWeight(weight);
        const d = diffPlans(previous.resources, next.resources);
        weightSteps.push({
            step: `${weightSteps.length ? weightSteps[weightSteps.length - 1].to : 0}→${weight}`,
            to: weight,
            updated: d.changed.length + d.added.length + d.removed.length,
            listeners: d.changed.filter((r) => LISTENER_TYPES.has(r.type)).length,
            other: d.changed.filter((r) => !LISTENER_TYPES.has(r.type)).length + d.added.length + d.removed.length,
        });
        previous = next;
    }
    const engine = await benchEngine(1000);

    const table = (title: string, data: Record<string, any>[]) => {
        const cols = Object.keys(data[0]);
        const widths = cols.map((c) => Math.max(c.length, ...data.map((r) => String(r[c]).length)));
        console.log(title);
        console.log("  " + cols.map((c, i) => c.padStart(widths[i])).join("  "));
        for (const r of data) console.log("  " + cols.map((c, i) => String(r[c]).padStart(widths[i])).join("  "));
        console.log("");
    };
    table(`Offline plan per stack (median of ${runs}; ratio = plan ms/resource ÷ plain ms/resource, target ≤ 1.3)`, rows);
    table("Scaling with the number of services (prod config)", scaling);
    table("Resources each canary weight step updates (prod; target: listeners only)", weightSteps.map(({ to: _to, ...r }) => r));
    console.log(engine.table);
    console.log("");
    const real = parsed.engine ? await engineTimings(undefined, (l) => console.error(l)) : null;
    if (real) {
        table(`Real Pulumi engine ${real.version} on the offline sandbox (fake providers), seconds`, real.rows as unknown as Record<string, any>[]);
        table("Sandbox compiles (fake plugins, program, policy pack): built now (cold) or up to date (warm)", real.builds);
    }
    const suite = suiteRuns();
    if (suite.length) {
        table("npm run test:engine, last cold and warm runs (target: warm ≤ 600 s on this machine)", suite.map((r) => ({
            kind: r.kind, at: r.at, seconds: r.seconds, minutes: (r.seconds / 60).toFixed(1), engineCommands: r.engineCommands, engineSeconds: r.engineSeconds, load: r.load.toFixed(1), failed: r.failed,
        })));
        for (const r of suite.filter((x) => x.files)) table(`npm run test:engine, ${r.kind} run of ${r.at}: seconds per test file`, Object.entries(r.files!).map(([file, seconds]) => ({ file, seconds })));
        const timed = timingSummary(suiteTimings());
        if (timed.length) table("npm run test:engine, last run: the timed engine commands per stack (seconds)", timed as unknown as Record<string, any>[]);
    } else console.log("npm run test:engine has not been run here yet (reports/engine-suite.json)\n");
    const { table: _t, ...engineFigures } = engine;
    console.log("BENCH " + JSON.stringify({ stacks: rows, scaling, weightSteps, engine: engineFigures, realEngine: real, engineSuite: suite }));
    return 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
