/**
 * Level L5+ (see DESIGN.md): the real Pulumi CLI, Node language host and policy analyzer, offline, against
 * the fake provider plugins and the fake AWS (tools/fake-aws: what AWS stores back, refuses and replaces).
 * One sandbox (temp folder: file backend, PULUMI_HOME, copies of the stack files, the fake accounts) is
 * shared by the engine test files, which mocha runs in name order: 1-stacks creates and deploys every
 * stack, 2-release-by-hand and 3-rollout work on the deployed prod stack, 4-day-two releases the other
 * stacks (started beside 3c's canary, day-two.ts) and refreshes all four, 5-destroy ends with prod.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ensurePulumiCli } from "../../tools/sandbox/pulumi-cli";
import { prepareSandbox, type Sandbox } from "../../tools/sandbox/sandbox";
import { SUITE_RESULTS } from "../../tools/sandbox/engine-bench";

let shared: Sandbox | undefined;
const suiteStarted = Date.now();
/** Whether this run had to build something (the CLI, the plugins, the program): a cold run. */
let cold = false;

/** The sandbox of this test run (built on first use; the CLI may be built from Go modules then). */
export function engineSandbox(): Sandbox {
    if (!shared) {
        const cli = ensurePulumiCli((l) => process.stdout.write(`      ${l}\n`));
        if (cli.source === "built") process.stdout.write(`      built Pulumi ${cli.version} in ${cli.buildSeconds!.toFixed(0)} s\n`);
        cold ||= cli.source === "built";
        // TMS_ENGINE_SANDBOX=DIR keeps the sandbox between runs (to iterate on one test file); default: a new temp folder.
        const dir = process.env.TMS_ENGINE_SANDBOX ?? fs.mkdtempSync(path.join(os.tmpdir(), "tms-engine-"));
        shared = prepareSandbox(dir, cli);
        for (const b of shared.builds) if (b.built) process.stdout.write(`      compiled the ${b.name} (${b.files} files) in ${b.seconds.toFixed(1)} s\n`);
        cold ||= shared.builds.some((b) => b.built);
    }
    return shared;
}

export interface Ran {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** Timings of the heavy commands, printed at the end of the run and read by `npm run bench`. */
export const timings: { stack: string; command: string; seconds: number }[] = [];

/** TMS_ENGINE_TRACE=FILE: every CLI command of the suite, its arguments and seconds, one line each (to see where the time goes). */
function trace(args: string[], seconds: number): void {
    if (process.env.TMS_ENGINE_TRACE) fs.appendFileSync(process.env.TMS_ENGINE_TRACE, `${seconds.toFixed(1).padStart(6)} ${args.join(" ").slice(0, 160)}\n`);
}

/** A finished command: traced, timed when `time` names its stack, its exit code asserted when one is expected. */
function finished(args: string[], ran: Ran, opts: { expect?: number; time?: string }): Ran {
    trace(args, ran.seconds);
    if (opts.time) timings.push({ stack: opts.time, command: args[0], seconds: ran.seconds });
    if (opts.expect !== undefined) assert.equal(ran.code, opts.expect, `pulumi ${args.join(" ")} exited ${ran.code}\n${ran.stdout.slice(-6000)}\n${ran.stderr.slice(-4000)}`);
    return ran;
}

/** `pulumi <args>` in the sandbox; asserts the exit code when one is given. */
export function pulumi(args: string[], opts: { expect?: number; env?: NodeJS.ProcessEnv; time?: string } = {}): Ran {
    const started = Date.now();
    const r = engineSandbox().run(args, { env: opts.env });
    if (r.error) throw r.error;
    return finished(args, { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", seconds: (Date.now() - started) / 1000 }, opts);
}

/** `pulumi <args>` in the background, so that independent stacks run at once; asserts the exit code when one is given. */
export async function pulumiAsync(args: string[], opts: { expect?: number; time?: string } = {}): Promise<Ran> {
    const started = Date.now();
    const r = await engineSandbox().runAsync(args);
    return finished(args, { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (Date.now() - started) / 1000 }, opts);
}

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
    op: string;
    urn: string;
    type: string;
    diffs?: string[];
    replaceReasons?: string[];
}

/** The engine's own preview of a stack, as JSON: its steps and its change summary. */
export function previewJson(stack: string, extra: string[] = []): { steps: PreviewStep[]; changeSummary: Record<string, number>; ran: Ran } {
    const ran = pulumi(["preview", "--stack", stack, "--json", ...extra], { expect: 0, time: stack });
    const doc = JSON.parse(ran.stdout);
    const steps: PreviewStep[] = (doc.steps ?? []).map((s: any) => ({
        op: s.op, urn: s.urn, type: (s.newState ?? s.oldState)?.type ?? s.urn.split("::")[2].split("$").pop(), diffs: s.diffs, replaceReasons: s.replaceReasons,
    }));
    return { steps, changeSummary: doc.changeSummary ?? {}, ran };
}

/** One step of an `up --json` event stream (the resource's planned operation). */
export interface UpStep {
    op: string;
    urn: string;
    type: string;
    diffs?: string[];
}

/** `pulumi up --json` in the sandbox (in the background): the steps the engine ran (its event stream's pre-events), and the run. */
export async function upJson(stack: string, extra: string[] = [], opts: { expect?: number } = { expect: 0 }): Promise<{ steps: UpStep[]; ran: Ran }> {
    const ran = await pulumiAsync(["up", "--stack", stack, "--yes", "--skip-preview", "--json", ...extra], { expect: opts.expect, time: stack });
    const steps: UpStep[] = [];
    for (const line of ran.stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        const m = JSON.parse(line).resourcePreEvent?.metadata;
        if (m) steps.push({ op: m.op, urn: m.urn, type: m.type, diffs: m.diffs });
    }
    return { steps, ran };
}

/** The warnings and errors of an `up --json` run, for assertion messages. */
export function diagnostics(ran: Ran): string {
    return ran.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l).diagnosticEvent).filter((d) => d && d.severity !== "debug")
        .map((d) => `${d.severity}: ${d.message}`).join("").slice(-6000) + ran.stderr.slice(-2000);
}

/** Steps that change something: everything but `same` and `read` (a StackReference is read on every run). */
export const changes = (steps: PreviewStep[]) => steps.filter((s) => s.op !== "same" && s.op !== "read");

/** The sandbox's stack file, parsed. */
export function stackFile(stack: string): any {
    return YAML.parse(fs.readFileSync(engineSandbox().stackFile(stack), "utf8"));
}

/** Write a stack file into the sandbox (a variant of a shipped one). */
export function writeStackFile(stack: string, doc: any): void {
    fs.writeFileSync(engineSandbox().stackFile(stack), YAML.stringify(doc));
}

/** Make sure a stack exists in the sandbox's backend. */
export function ensureStack(stack: string): void {
    const ls = pulumi(["stack", "ls", "--json"], { expect: 0 });
    if (!JSON.parse(ls.stdout).some((s: any) => s.name === stack || s.name.endsWith(`/${stack}`))) pulumi(["stack", "init", stack], { expect: 0 });
}


let anyFailed = false;
/** Seconds spent in each test file (its tests and their hooks' engine runs), in run order. */
const files = new Map<string, number>();
let lastEnded = Date.now();
afterEach(function () {
    if (this.currentTest?.state === "failed") anyFailed = true;
    const file = path.basename(this.currentTest?.file ?? "?");
    files.set(file, (files.get(file) ?? 0) + (Date.now() - lastEnded) / 1000);
    lastEnded = Date.now();
});

after(() => {
    if (!timings.length) return;
    process.stdout.write("\n      real-engine timings (s):\n");
    for (const t of timings) process.stdout.write(`        ${t.stack.padEnd(10)} ${t.command.padEnd(8)} ${t.seconds.toFixed(1)}\n`);
    process.stdout.write("      per test file (s, hooks included):\n");
    for (const [f, sec] of files) process.stdout.write(`        ${f.padEnd(34)} ${sec.toFixed(0)}\n`);
    process.stdout.write(`      load average at the end: ${require("os").loadavg().map((l: number) => l.toFixed(1)).join(" ")}\n`);
    const out = process.env.TMS_ENGINE_TIMINGS;
    if (out) fs.writeFileSync(out, JSON.stringify(timings, null, 2));
    const failed = anyFailed;
    const run = { at: new Date().toISOString(), kind: cold ? "cold" : "warm", seconds: Math.round((Date.now() - suiteStarted) / 1000), engineCommands: timings.length,
        engineSeconds: Math.round(timings.reduce((n, t) => n + t.seconds, 0)), failed, load: require("os").loadavg()[0],
        files: Object.fromEntries([...files].map(([f, sec]) => [f, Math.round(sec)])) };
    const previous = fs.existsSync(SUITE_RESULTS) ? JSON.parse(fs.readFileSync(SUITE_RESULTS, "utf8")) : {};
    fs.mkdirSync(path.dirname(SUITE_RESULTS), { recursive: true });
    fs.writeFileSync(SUITE_RESULTS, JSON.stringify({ ...previous, [run.kind]: run, timings }, null, 2) + "\n");
});
