/** The simulate CLI as a user runs it: a spawned process, its exit code and its single JSON object. */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, virtualTimes } from "../../automation/simulate";
import { colourEnabled, emphasise, stripColour } from "../../cli/colour";
import { PROJECT_DIR } from "../../cli/stack-file";
import { spawnTs } from "./helpers";

const fixture = (name: string) => path.join("test/automation/fixtures", name);

const run = (args: string[]) => spawnTs("automation/simulate.ts", args);

/** stdout must be exactly one JSON object (one line) and nothing else. */
function single(stdout: string): Record<string, unknown> {
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 1, `expected one line, got:\n${stdout}`);
    const obj = JSON.parse(lines[0]) as Record<string, unknown>;
    assert.deepEqual(Object.keys(obj).sort(), ["decidedAtSeconds", "outcome", "reason", "timeline"]);
    return obj;
}

describe("rollout:simulate CLI (3 spawned processes, the rest in-process)", function () {
    this.timeout(60_000);
    // Spawned together: each ts-node start costs about a second.
    let results: Record<string, { code: number | null; stdout: string; stderr: string }>;
    // The other cases run main() in-process (same code path, no process start).
    const inProcess = async (args: string[], tty: { isTTY?: boolean } = { isTTY: false }, env: NodeJS.ProcessEnv = {}) => {
        const out: string[] = [];
        const err: string[] = [];
        const { log, error } = console;
        console.log = (...a: unknown[]) => void out.push(a.join(" "));
        console.error = (...a: unknown[]) => void err.push(a.join(" "));
        try {
            const code = await main(args, tty, env);
            return { code, stdout: out.length ? out.join("\n") + "\n" : "", stderr: err.join("\n") };
        } finally {
            console.log = log;
            console.error = error;
        }
    };
    before(async () => {
        const cases: Record<string, string[]> = {
            healthy: ["--trace", fixture("healthy-canary.json"), "--json"],
            spike: ["--trace", fixture("error-spike.json"), "--json"],
            malformed: ["--trace", fixture("malformed.json"), "--json"],
        };
        const entries = await Promise.all(Object.entries(cases).map(async ([k, args]) => [k, await run(args)] as const));
        results = Object.fromEntries(entries);
        results.low = await inProcess(["--trace", fixture("low-traffic.json"), "--json"]);
        results.short = await inProcess(["--trace", fixture("short.json"), "--json"]);
        results.blueGreen = await inProcess(["--trace", fixture("healthy-canary.json"), "--strategy", "blue-green", "--json"]);
        results.human = await inProcess(["--trace", fixture("error-spike.json")]);
        results.badArg = await inProcess(["--trace", fixture("healthy-canary.json"), "--strategy", "linear"]);
        results.rolling = await inProcess(["--trace", fixture("error-spike.json"), "--strategy", "rolling"]);
        results.rollingHealthy = await inProcess(["--trace", fixture("healthy-canary.json"), "--strategy", "rolling", "--json"]);
        results.prod = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "prod"]);
        results.dev = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "dev", "--json"]);
        // prod's stack file with a shorter canary in tms:rollout: the stack's own settings decide.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "simulate-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8").replace(/^config:\n/m,
            "config:\n  tms:rollout:\n    steps: [{weight: 20, bakeSeconds: 120}, {weight: 100, bakeSeconds: 0}]\n    validationSeconds: 600\n"));
        results.override = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "prod", "--config-file", file, "--json"]);
        results.overrideHuman = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "prod", "--config-file", file]);
        results.both = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "prod", "--strategy", "canary"]);
        results.noStack = await inProcess(["--trace", fixture("healthy-canary.json"), "--stack", "qa"]);
        results.coloured = await inProcess(["--trace", fixture("error-spike.json")], { isTTY: true }, {});
        results.noColour = await inProcess(["--trace", fixture("error-spike.json")], { isTTY: true }, { NO_COLOR: "1" });
    });

    it("healthy trace: exit 0, promoted at 2700 s with the four steps", () => {
        const r = results.healthy;
        assert.equal(r.code, 0, r.stderr);
        const o = single(r.stdout);
        assert.equal(o.outcome, "promoted");
        assert.equal(o.reason, null);
        assert.equal(o.decidedAtSeconds, 2700);
        assert.deepEqual(o.timeline, [{ atSeconds: 0, weight: 10 }, { atSeconds: 300, weight: 30 }, { atSeconds: 600, weight: 50 }, { atSeconds: 900, weight: 100 }]);
    });

    it("error spike in sample 7: exit 2, rolled back at 480 s with the reason", () => {
        const r = results.spike;
        assert.equal(r.code, 2, r.stderr);
        const o = single(r.stdout);
        assert.equal(o.outcome, "rolled_back");
        assert.equal(o.decidedAtSeconds, 480);
        assert.match(String(o.reason), /^errors: candidate 5xx 5\.00% \(28\/560\)/);
        assert.deepEqual((o.timeline as unknown[]).at(-1), { atSeconds: 480, weight: 0 });
    });

    it("low traffic: exit 3, halted", () => {
        assert.equal(results.low.code, 3, results.low.stderr);
        assert.equal(single(results.low.stdout).outcome, "halted");
    });

    it("a trace that ends before a decision: not decided yet (exit 5, the shared table's in-flight code)", () => {
        assert.equal(results.short.code, 5, results.short.stderr);
        assert.equal(single(results.short.stdout).outcome, "incomplete");
    });

    it("blue-green on the same trace promotes earlier", () => {
        assert.equal(results.blueGreen.code, 0);
        assert.equal(single(results.blueGreen.stdout).decidedAtSeconds, 1920);
    });

    it("malformed trace: exit 1, message naming the sample and field, nothing on stdout", () => {
        const r = results.malformed;
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr.trim(), "test/automation/fixtures/malformed.json: samples[3].candidate.p95Ms: expected a non-negative number");
    });

    it("human output prints the timeline and the outcome", () => {
        const r = results.human;
        assert.equal(r.code, 2);
        assert.match(r.stdout, /timeline: 10%@0s → 30%@300s → 0%@480s/);
        assert.match(r.stdout, /outcome: {2}rolled_back at 480s/);
    });

    it("bad arguments: exit 1 with usage", () => {
        assert.equal(results.badArg.code, 1);
        assert.match(results.badArg.stderr, /^--strategy: expected rolling, blue-green, canary, got "linear"/);
        assert.equal(results.both.code, 1);
        assert.match(results.both.stderr, /^--strategy does not apply with --stack/);
        assert.equal(results.noStack.code, 1);
        assert.match(results.noStack.stderr, /^--stack qa: Pulumi\.qa\.yaml: cannot read the stack file \(ENOENT\)/);
    });

    it("rolling: one colour, validated against the baseline from the settled deployment; a spike rolls the images back", () => {
        assert.equal(results.rolling.code, 2, results.rolling.stderr);
        assert.match(results.rolling.stdout, /validation +errors +ROLLBACK .* vs baseline 0\.06%/);
        assert.match(results.rolling.stdout, /timeline: \(rolling: one colour, no traffic split\)/);
        assert.match(results.rolling.stdout, /outcome: {2}rolled_back at 480s/);
        const o = single(results.rollingHealthy.stdout);
        assert.deepEqual([results.rollingHealthy.code, o.outcome, o.decidedAtSeconds, o.timeline], [0, "promoted", 900, []]);
    });

    it("--stack replays with the stack's strategy and tms:rollout: prod's canary, dev's rolling, an edited stack file's steps", () => {
        assert.equal(results.prod.code, 0, results.prod.stderr);
        assert.match(results.prod.stdout, /^replaying with prod's settings: canary, no tms:rollout overrides in Pulumi\.prod\.yaml/);
        assert.match(results.prod.stdout, /timeline: 10%@0s → 30%@300s → 50%@600s → 100%@900s/);
        assert.deepEqual(single(results.dev.stdout).timeline, [], "dev rolls one colour");
        const o = single(results.override.stdout);
        assert.deepEqual(o.timeline, [{ atSeconds: 0, weight: 20 }, { atSeconds: 120, weight: 100 }]);
        assert.equal(o.decidedAtSeconds, 720);
        assert.match(results.overrideHuman.stdout, /^replaying with prod's settings: canary, its tms:rollout \(steps, validationSeconds\) over the trace's settings/);
    });

    it("no date of the virtual clock leaks: the rollback window's end is an offset", () => {
        assert.match(results.prod.stdout, /blue stays up until \+6300s for rollback/);
        for (const r of Object.values(results)) assert.doesNotMatch(r.stdout + r.stderr, /19[67]\d-\d\d-\d\dT/);
        assert.equal(virtualTimes("until 1970-01-01T01:45:00.000Z, then 1970-01-01T00:00:10Z", 0), "until +6300s, then +10s");
    });

    it("colour only on a terminal, never with NO_COLOR, never in --json: ROLLBACK stands out", () => {
        assert.ok(results.coloured.stdout.includes("\x1b[1;31mROLLBACK\x1b[0m"), results.coloured.stdout);
        assert.ok(results.coloured.stdout.includes("\x1b[1;31mrolled_back\x1b[0m"));
        assert.equal(stripColour(results.coloured.stdout), results.human.stdout, "colour changes no text");
        assert.ok(!results.noColour.stdout.includes("\x1b["));
        for (const k of ["human", "spike", "healthy", "rolling"]) assert.ok(!results[k].stdout.includes("\x1b["), k);
        assert.equal(colourEnabled({ isTTY: true }, {}), true);
        assert.equal(colourEnabled({ isTTY: false }, {}), false);
        assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: "" }), true, "an empty NO_COLOR does not count (no-color.org)");
        assert.equal(colourEnabled({ isTTY: true }, { NO_COLOR: "0" }), false, "any non-empty NO_COLOR does");
        assert.equal(colourEnabled({ isTTY: true }, { TERM: "dumb" }), false);
        assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: "1" }), true);
        assert.equal(colourEnabled({ isTTY: true }, { FORCE_COLOR: "0" }), false);
        assert.equal(colourEnabled({ isTTY: false }, { FORCE_COLOR: "1", NO_COLOR: "1" }), false, "NO_COLOR wins");
        assert.equal(emphasise('{"outcome":"refused","allowed":false}', true), '{"outcome":"refused","allowed":false}', "JSON is never coloured");
        assert.equal(stripColour(emphasise("prod: HALTED (waiting for a human) — weight DIFFERS", true)), "prod: HALTED (waiting for a human) — weight DIFFERS");
        assert.match(emphasise("prod: HALTED", true), /\x1b\[1;33mHALTED\x1b\[0m/);
    });

    it("in a real pseudo-terminal (script(1)) the spawned command colours; piped, it does not", function () {
        const script = spawnSync("script", ["--version"], { encoding: "utf8" });
        if (script.status !== 0) this.skip();
        const cmd = `${path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node")} --transpile-only automation/simulate.ts --trace ${fixture("error-spike.json")}`;
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.NO_COLOR;
        delete env.FORCE_COLOR;
        const tty = spawnSync("script", ["-qec", cmd, "/dev/null"], { cwd: PROJECT_DIR, encoding: "utf8", env, timeout: 60_000 });
        assert.equal(tty.status, 2, tty.stderr);
        assert.ok(tty.stdout.includes("\x1b[1;31mROLLBACK\x1b[0m"), tty.stdout);
        // The same command piped (spawned above without a terminal) prints no colour; NO_COLOR is checked in-process.
        assert.ok(!results.spike.stdout.includes("\x1b["), "piped");
    });
});
