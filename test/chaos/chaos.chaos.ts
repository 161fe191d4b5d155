/**
 * L5+: the chaos suite (`npm run test:chaos`). The real rollout CLI (`npm run rollout -- --sandbox`, spawned
 * in its own process group so that a SIGKILL takes its `pulumi up` with it, as a dying runner does) on the
 * real engine in an offline sandbox of its own, with the rollout table in dynalite. Scenarios share one
 * deployed stack (`chaos`: prod's stack file with short bakes) and run in order; every job starts from a
 * fresh checkout (the stack file rewritten from its template, the state and the table kept).
 *
 * Asserted after every scenario: the resume (with the documented `pulumi cancel`/`refresh` where the
 * CLI names them) ends consistent: a terminal rollout whose saved weight is what every listener reads;
 * no traffic to a colour without healthy targets; a canary judged bad is never promoted; a promoted
 * release is not reverted by a later job (a stale preview is refused); the record is complete (change
 * request, approvals, preflight, snapshot, samples); someone is paged when a runner dies. A table of
 * scenario, outcome and time to consistency is printed at the end.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ElbFromState } from "../../tools/fake-aws/elb";
import { ensurePulumiCli } from "../../tools/sandbox/pulumi-cli";
import { prepareSandbox, type Sandbox } from "../../tools/sandbox/sandbox";

const ROOT = path.resolve(__dirname, "../..");
const STACK = "chaos";
const dir = process.env.TMS_CHAOS_SANDBOX ?? fs.mkdtempSync(path.join(os.tmpdir(), "tms-chaos-"));
/** The lease's clock-skew margin in the sandbox: short, so the watchdog fires within a scenario (production: 15 min). */
const MARGIN_MS = 2000;
const env: NodeJS.ProcessEnv = { ...process.env, TMS_SANDBOX_DIR: dir, TMS_SANDBOX_SKEW_MARGIN_MS: String(MARGIN_MS), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
const IMAGE = (tag: string) => `111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:${tag}`;
const table: { scenario: string; outcome: string; seconds: number }[] = [];
let sb: Sandbox;

/** The repository's copy of the chaos stack file: prod's, with bakes of seconds (the rollout's rules are unchanged). */
function template(): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    doc.config["tms:rollout"] = {
        intervalSeconds: 2, baselineSeconds: 2, validationSeconds: 4, healthPollSeconds: 1, healthTimeoutSeconds: 120,
        rollbackWindowSeconds: 5, leaseSeconds: 20, rollbackRetryMinutes: 0.3, analysis: { queryRetryBaseMs: 100, queryRetryMaxMs: 200 },
        steps: [{ weight: 10, bakeSeconds: 4 }, { weight: 30, bakeSeconds: 4 }, { weight: 50, bakeSeconds: 4 }, { weight: 100, bakeSeconds: 0 }],
    };
    return YAML.stringify(doc);
}
/** A new CI job: the repository's stack file, the backend and the rollout table as they are. */
const freshCheckout = () => fs.writeFileSync(sb.stackFile(STACK), template());

const good = { live: { requests: 5000, errors5xx: 3, p95Ms: 210 }, candidate: { requests: 560, errors5xx: 0, p95Ms: 205 }, unhealthyTargets: 0, alarms: [] };
const spike = { ...good, candidate: { requests: 560, errors5xx: 28, p95Ms: 205 } };
function trace(name: string, samples: unknown[]): string {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify({ intervalSeconds: 2, samples }));
    return file;
}
const CR = path.join(dir, "cr.yaml");

interface Job {
    child: ChildProcess;
    out: string[];
    done: Promise<number>;
    waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
}

/** `npm run <script> -- --stack chaos --sandbox …`, in its own process group. */
function job(command: string, args: string[]): Job {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools/rollout.ts"), command, "--stack", STACK, "--sandbox", ...args],
        { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: string[] = [];
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const onData = (b: Buffer) => {
        out.push(b.toString());
        const text = out.join("");
        for (const w of [...waiters]) if (w.re.test(text)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const done = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 128))));
    return {
        child, out, done,
        waitFor: (re, timeoutMs = 600_000) => new Promise<void>((resolve, reject) => {
            if (re.test(out.join(""))) return resolve();
            const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}:\n${out.join("").slice(-3000)}`)), timeoutMs);
            waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
            void done.then(() => setTimeout(() => reject(new Error(`exited before ${re}:\n${out.join("").slice(-3000)}`)), 100));
        }),
    };
}

async function run(command: string, args: string[] = []): Promise<{ code: number; out: string }> {
    const j = job(command, args);
    const code = await j.done;
    return { code, out: j.out.join("") };
}

const pulumi = (args: string[]) => sb.run([...args, "--stack", STACK], { env: { TMS_FAULT_PLAN: "" } });
const notifications = () => (fs.existsSync(path.join(dir, "notifications.jsonl")) ? fs.readFileSync(path.join(dir, "notifications.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

/** Resume until the rollout ends, running the remedy the CLI names for a stuck stack (as docs/rollouts.md tells an operator). */
async function resumeUntilDone(trace: string): Promise<{ code: number; out: string; remedies: string[] }> {
    const remedies: string[] = [];
    for (let i = 0; i < 4; i++) {
        // The resuming job replays the same metrics (without them it would be flying blind, and roll back).
        const r = await run("rollout", ["--resume", "--metrics-trace", trace]);
        const all = r.out;
        if (/pulumi cancel --stack chaos --yes/.test(all) && !remedies.includes("cancel")) {
            remedies.push("cancel");
            pulumi(["cancel", "--yes"]);
        } else if (/pulumi refresh --stack chaos/.test(all) && !remedies.includes("refresh")) {
            remedies.push("refresh");
            pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
        }
        if (r.code === 0 || r.code === 2) return { ...r, remedies };
        if (r.code === 3 && /no rollout in flight/.test(all)) return { ...r, remedies };
    }
    throw new Error("the rollout did not end after 4 resumes");
}

/** The invariants every scenario ends with. */
function consistent(expect: { outcome: "promoted" | "rolled_back"; notPromoted?: boolean }) {
    const status = JSON.parse(spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/rollout.ts", "status", "--stack", STACK, "--sandbox", "--json"],
        { cwd: ROOT, env, encoding: "utf8" }).stdout.trim().split("\n").pop()!);
    assert.equal(status.rollout.status, expect.outcome, JSON.stringify(status.rollout));
    // Every listener reads the saved weight (no split left by a killed update): 0 after a rollback and after a finalise.
    assert.equal(status.rollout.weight.readBack, 0, JSON.stringify(status.rollout.weight));
    assert.equal(status.lock, null, "the lock is free");
    // No traffic to a colour without healthy targets.
    const resources = JSON.parse(pulumi(["stack", "export"]).stdout).deployment.resources;
    const elb = new ElbFromState(resources);
    const live = status.colours.live;
    const tgs = JSON.parse(pulumi(["stack", "output", "--json"]).stdout).targetGroupArns;
    for (const arns of Object.values(tgs) as Record<string, string>[]) {
        assert.ok((elb.describeTargetHealth(arns[live]).TargetHealthDescriptions ?? []).length > 0, `live ${live} has healthy targets`);
    }
    // The record is complete.
    const rec = JSON.parse(fs.readFileSync(status.rollout.record, "utf8"));
    assert.equal(rec.changeRequest?.id, "CHG-301");
    assert.ok(rec.preflight && rec.changeRequest.approvals.length === 3);
    assert.match(rec.steps.find((s: any) => s.name === "snapshot")?.detail ?? "", /^tms-prod-predeploy-/);
    assert.ok(rec.samples.length > 0);
    if (expect.notPromoted) assert.ok(!rec.decisions.some((d: any) => d.outcome === "promoted"), "a canary judged bad is never promoted");
    return status;
}

describe("chaos: the rollout on the real engine, killed and faulted (L5+)", () => {
    before(function () {
        this.timeout(1_200_000);
        const cli = ensurePulumiCli((l) => process.stdout.write(`      ${l}\n`));
        sb = prepareSandbox(dir, cli, { stacks: [] });
        fs.writeFileSync(CR, "id: CHG-301\nrisk: low\nrollbackPlan: weight to 0 in one targeted update\napprovals:\n  - {role: technical-review, by: ana}\n  - {role: qa, by: bo}\n  - {role: product, by: cy}\n");
        freshCheckout();
        const ls = sb.run(["stack", "ls", "--json"]);
        if (!JSON.parse(ls.stdout || "[]").some((s: any) => s.name === STACK)) assert.equal(sb.run(["stack", "init", STACK]).status, 0);
        const up = pulumi(["up", "--yes", "--skip-preview"]);
        assert.equal(up.status, 0, up.stdout.slice(-3000) + up.stderr);
    });

    it("kill -9 right after DECISION rolling_back (mid the weight-0 update), fresh checkout: paged by the watchdog; the resume finishes the rollback", async () => {
        const spikeAt30 = trace("spike", [good, good, good, ...Array(300).fill(spike)]);
        const j = job("rollout", ["--image", `api-gateway=${IMAGE("bad1-prod")}`, "--change-request", CR, "--emergency", "--reason", "chaos", "--metrics-trace", spikeAt30]);
        await j.waitFor(/DECISION rolling_back/);
        await new Promise((r) => setTimeout(r, 4000)); // inside the weight-0 `pulumi up`
        process.kill(-j.child.pid!, "SIGKILL");
        await j.done;
        const killed = Date.now();
        freshCheckout();
        // The runner died without paging: the scheduled cleanup (the watchdog) pages once its lease ran out.
        await new Promise((r) => setTimeout(r, 20_000 + MARGIN_MS + 1000));
        const watchdog = await run("cleanup");
        assert.equal(watchdog.code, 1, watchdog.out);
        const page = notifications().at(-1);
        assert.equal(page.kind, "abandoned", JSON.stringify(page));
        assert.match(page.message, /abandoned in rolling_back/);
        const r = await resumeUntilDone(spikeAt30);
        assert.equal(r.code, 2, r.out.slice(-3000));
        consistent({ outcome: "rolled_back", notPromoted: true });
        table.push({ scenario: `kill -9 mid rollback update${r.remedies.length ? ` (+ pulumi ${r.remedies.join(", ")})` : ""}`, outcome: "rolled_back", seconds: (Date.now() - killed) / 1000 });
    });

    it("SIGTERM during the 10% bake: paged with where traffic is; a resume on a fresh checkout promotes; the next job's stale preview is refused", async () => {
        const healthy = trace("healthy", Array(400).fill(good));
        const j = job("rollout", ["--image", `api-gateway=${IMAGE("good2-prod")}`, "--change-request", CR, "--emergency", "--reason", "chaos", "--metrics-trace", healthy]);
        await j.waitFor(/candidate now takes 10%/);
        process.kill(-j.child.pid!, "SIGTERM");
        const code = await j.done;
        const stopped = Date.now();
        assert.equal(code, 143, j.out.join("").slice(-2000));
        const page = notifications().at(-1);
        assert.equal(page.kind, "interrupted");
        assert.match(page.message, /interrupted: 10% of traffic on \w+ \(candidate\), 90% on \w+; the runner was stopped by SIGTERM in shifting; run `npm run rollout -- --stack chaos --resume`/);
        freshCheckout();
        const r = await resumeUntilDone(healthy);
        assert.equal(r.code, 0, r.out.slice(-3000));
        const status = consistent({ outcome: "promoted" });
        assert.match(status.colours.images[status.colours.live]["api-gateway"], /good2-prod$/);
        // The next job, on a fresh checkout, runs a plain preview: refused, naming the drift and the fix.
        freshCheckout();
        const preview = pulumi(["preview"]);
        assert.notEqual(preview.status, 0);
        assert.match(preview.stdout + preview.stderr, /Pulumi\.chaos\.yaml: tms:deployment is older than the deployed release \(a stale copy\).*Refusing to move traffic; run `npm run rollout:sync -- --stack chaos`/);
        table.push({ scenario: "SIGTERM mid-bake, resume on a fresh checkout", outcome: "promoted", seconds: (Date.now() - stopped) / 1000 });
    });

    after(() => {
        process.stdout.write("\n      chaos: scenario | outcome | time to consistency (s)\n");
        for (const t of table) process.stdout.write(`        ${t.scenario.padEnd(60)} ${t.outcome.padEnd(12)} ${t.seconds.toFixed(0)}\n`);
        // The sandbox's dynalite server is a background process of this suite: stop it.
        try {
            const info = JSON.parse(fs.readFileSync(path.join(dir, "dynalite", "server.json"), "utf8"));
            process.kill(info.pid);
        } catch {
            // not started
        }
    });
});
