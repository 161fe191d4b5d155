/** The simulate CLI as a user runs it: a spawned process, its exit code and its single JSON object. */
import { strict as assert } from "assert";
import * as path from "path";
import { main } from "../../automation/simulate";
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
    const inProcess = async (args: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const { log, error } = console;
        console.log = (...a: unknown[]) => void out.push(a.join(" "));
        console.error = (...a: unknown[]) => void err.push(a.join(" "));
        try {
            const code = await main(args);
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
        results.badArg = await inProcess(["--trace", fixture("healthy-canary.json"), "--strategy", "rolling"]);
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

    it("a trace that ends before a decision: incomplete (exit 4)", () => {
        assert.equal(results.short.code, 4, results.short.stderr);
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
        assert.match(results.badArg.stderr, /--strategy: expected canary or blue-green/);
    });
});
