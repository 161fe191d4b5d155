/**
 * L5+: the chaos suite (`npm run test:chaos`, docs/rollouts.md "The chaos suite"). The real rollout CLI
 * (`tools/rollout.ts … --sandbox`, spawned in its own process group so that a kill takes its `pulumi up`
 * with it, as a dying runner's does) on the real engine in an offline sandbox of its own, with the rollout
 * table in dynalite, the fake providers taking a fault plan (tools/fake-aws/faults.ts: fail, hang or
 * throttle a matching create/update) and the rollout table a save-fault plan (tools/sandbox/rollout-env.ts).
 *
 * The stack (`chaos`) is deployed once and shared by the scenarios, which run in order, each release on top
 * of the previous one's outcome (a rollback leaves the live colour as it was, so the next rollout starts
 * from a consistent stack, which is what the invariants below check anyway). Its stack file is SMALLER than
 * prod's, to keep the suite within its time budget: prod's file (canary 10/30/50/100 → here 10/50/100, the
 * rules, CDN in front, snapshot, migrations, smoke tests) with one service instead of two, two AZs, one NAT
 * gateway, no DR replication and bakes of seconds. Every `pulumi up` runs the whole program (about 240
 * resources instead of 370), so this roughly halves the suite; the rollout's code paths are the same (one
 * service's target groups and both weighted listener rules behind the CDN are what readWeight reads).
 *
 * Every job starts from a fresh checkout (the stack file rewritten from the repository's copy, here the
 * template below; the state and the rollout table kept). Kills happen at phase boundaries seen in the CLI's
 * own output (never after a guessed sleep), and in the middle of an `up` held by a `hang` fault.
 *
 * Asserted in every scenario: the resume (with the remedies the CLI names: `pulumi cancel`, `pulumi refresh
 * [--clear-pending-creates]`) ends consistent: a terminal rollout whose saved weight every listener reads,
 * the lock free; no traffic to a colour without healthy targets (also after every kill); a canary judged bad
 * is never promoted; a promoted release is never reverted by a later job (the deployed live colour and
 * images are the last promoted release's); the record is complete (change request, approvals, preflight,
 * snapshot, samples); someone is paged when a runner dies (SIGTERM: the runner's own page; SIGKILL: the
 * watchdog's). A table of scenario, outcome and time to consistency is printed with the suite's duration
 * (and written to TMS_CHAOS_REPORT's file when set). The metrics-judged rollback (an error spike) on the
 * real engine is test/engine/3-rollout.engine.ts's.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { ElbFromState, type ExportedResource } from "../../tools/fake-aws";
import { ensurePulumiCli } from "../../tools/sandbox/pulumi-cli";
import { prepareSandbox, type Sandbox } from "../../tools/sandbox/sandbox";

const ROOT = path.resolve(__dirname, "../..");
const STACK = "chaos";
const dir = process.env.TMS_CHAOS_SANDBOX ?? fs.mkdtempSync(path.join(os.tmpdir(), "tms-chaos-"));
/** The lease's clock-skew margin in the sandbox: short, so the watchdog fires within a scenario (production: 15 min). */
const MARGIN_MS = 2000;
const LEASE_SECONDS = 8;
/** Release 2's rollback updates throttled in a row: one more than the 3 attempts the rollback used to give up after. */
const ROLLBACK_THROTTLES = 3;
const env: NodeJS.ProcessEnv = {
    ...process.env, TMS_SANDBOX_DIR: dir, TMS_SANDBOX_SKEW_MARGIN_MS: String(MARGIN_MS), TMS_SANDBOX_CHECK_MS: "3000",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};
const IMAGE = (tag: string) => `111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:${tag}`;
const table: { scenario: string; outcome: string; seconds: number; detail: string }[] = [];
const suiteStarted = Date.now();
let sb: Sandbox;
/** The last promoted release (live colour and api-gateway image): no later job may revert it. */
let promoted: { live: string; image: string } | null = null;

/** The repository's copy of the chaos stack file (see the docstring: prod's, smaller, with bakes of seconds). */
function template(): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    const c = doc.config;
    c["tms:network"] = { ...c["tms:network"], availabilityZones: 2, natGateways: "single" };
    c["tms:dr"] = { ...c["tms:dr"], role: "none" };
    c["tms:database"] = { ...c["tms:database"], globalCluster: "none", instances: 1 };
    c["tms:cache"] = { ...c["tms:cache"], nodes: 2 };
    delete c["tms:storage"].replicationRegion;
    c["tms:registry"] = { ...c["tms:registry"], replicationRegions: [] };
    delete c["tms:services"]["task-service"];
    delete c["tms:services"]["api-gateway"].calls;
    delete c["tms:parameters"]["task-service"];
    for (const col of ["blue", "green"]) delete c["tms:deployment"][col].images["task-service"];
    c["tms:rollout"] = {
        intervalSeconds: 2, baselineSeconds: 2, validationSeconds: 4, healthPollSeconds: 1, healthTimeoutSeconds: 120,
        rollbackWindowSeconds: 5, leaseSeconds: LEASE_SECONDS, rollbackRetryMinutes: 10, analysis: { queryRetryBaseMs: 100, queryRetryMaxMs: 200 },
        steps: [{ weight: 10, bakeSeconds: 4 }, { weight: 50, bakeSeconds: 4 }, { weight: 100, bakeSeconds: 0 }],
    };
    return YAML.stringify(doc);
}
/** A new CI job: the repository's stack file, the backend and the rollout table as they are. */
const freshCheckout = () => fs.writeFileSync(sb.stackFile(STACK), template());

const good = { live: { requests: 5000, errors5xx: 3, p95Ms: 210 }, candidate: { requests: 560, errors5xx: 0, p95Ms: 205 }, unhealthyTargets: 0, alarms: [] };
function trace(name: string, samples: unknown[]): string {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify({ intervalSeconds: 2, samples }));
    return file;
}
const CR = path.join(dir, "cr.yaml");
/** A fault plan for the fake providers; `hits()` counts the operations it hit. */
function faultPlan(name: string, faults: unknown[]): { file: string; hits: () => number } {
    const file = path.join(dir, `${name}.faults.json`);
    fs.writeFileSync(file, JSON.stringify(faults));
    fs.rmSync(`${file}.hits`, { force: true });
    return { file, hits: () => (fs.existsSync(`${file}.hits`) ? fs.readFileSync(`${file}.hits`, "utf8").split("\n").filter(Boolean).length : 0) };
}

interface Job {
    child: ChildProcess;
    out: string[];
    done: Promise<number>;
    text(): string;
    waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
    kill(signal: NodeJS.Signals): Promise<number>;
}

/** `npm run <command> -- --stack chaos --sandbox …`, in its own process group (a CI job's runner). */
function job(command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Job {
    freshCheckout();
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", path.join(ROOT, "tools/rollout.ts"), command, "--stack", STACK, "--sandbox", ...args],
        { cwd: ROOT, env: { ...env, ...extraEnv }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const out: string[] = [];
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const onData = (b: Buffer) => {
        out.push(b.toString());
        const text = out.join("");
        for (const w of [...waiters]) {
            if (w.re.test(text)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve();
            }
        }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const done = new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGKILL" ? 137 : 128))));
    const j: Job = {
        child, out, done,
        text: () => out.join(""),
        waitFor: (re, timeoutMs = 300_000) => new Promise<void>((resolve, reject) => {
            if (re.test(out.join(""))) return resolve();
            const t = setTimeout(() => reject(new Error(`timed out waiting for ${re}:\n${out.join("").slice(-3000)}`)), timeoutMs);
            waiters.push({ re, resolve: () => (clearTimeout(t), resolve()) });
            // Cleared on exit too: a pending timer would keep mocha alive for minutes after the last test.
            void done.then(() => setTimeout(() => (clearTimeout(t), reject(new Error(`exited before ${re}:\n${out.join("").slice(-3000)}`))), 200));
        }),
        kill: async (signal) => {
            // Pulumi starts its plugins and language host in process groups of their own: a SIGKILL of the
            // runner's group alone leaves them running (a dead VM takes them all), so its whole tree goes.
            const tree = signal === "SIGKILL" ? descendants(child.pid!) : [];
            for (const pid of [-child.pid!, ...tree]) {
                try {
                    process.kill(pid, signal);
                } catch {
                    // already gone
                }
            }
            return done;
        },
    };
    return j;
}

/** The processes below `root` (children, grandchildren…), from /proc (Linux). */
function descendants(root: number): number[] {
    const children = new Map<number, number[]>();
    for (const d of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(d)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
        } catch {
            // exited meanwhile
        }
    }
    const out: number[] = [];
    const queue = [root];
    while (queue.length) {
        for (const c of children.get(queue.shift()!) ?? []) {
            out.push(c);
            queue.push(c);
        }
    }
    return out;
}

async function run(command: string, args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
    const j = job(command, args, extraEnv);
    const code = await j.done;
    return { code, out: j.text() };
}

/** Wait until `cond()` holds (a fault was hit: an `up` is inside the hung call). */
async function until(cond: () => boolean, what: string, timeoutMs = 300_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

const pulumi = (args: string[]) => sb.run([...args, "--stack", STACK], { env: { TMS_FAULT_PLAN: "" } });
const notifications = () => (fs.existsSync(path.join(dir, "notifications.jsonl")) ? fs.readFileSync(path.join(dir, "notifications.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
const exported = (): ExportedResource[] => JSON.parse(pulumi(["stack", "export"]).stdout).deployment.resources;
const outputs = () => JSON.parse(pulumi(["stack", "output", "--json"]).stdout);
/** The rollout's saved state, as `rollout:status --json` shows it. */
async function status(): Promise<any> {
    const r = await run("status", ["--json"]);
    return JSON.parse(r.out.trim().split("\n").pop()!);
}

/** No listener or rule sends traffic (weight > 0) to a target group without healthy targets: checked on the engine's state. */
function trafficOnlyToHealthy(when: string): void {
    const resources = exported();
    const elb = new ElbFromState(resources);
    for (const r of resources.filter((x) => /^aws:(lb|alb)\/(listener|listenerRule):/.test(x.type) && x.outputs)) {
        for (const a of [...(r.outputs!.defaultActions ?? []), ...(r.outputs!.actions ?? [])]) {
            for (const g of a.forward?.targetGroups ?? []) {
                if ((g.weight ?? 1) === 0) continue;
                const healthy = (elb.describeTargetHealth(g.arn).TargetHealthDescriptions ?? []).length;
                assert.ok(healthy > 0, `${when}: ${r.urn.split("::").pop()} sends weight ${g.weight} to ${g.arn} with no healthy target`);
            }
        }
    }
}

/** The remedy the CLI named for a stuck stack, run as docs/rollouts.md ("When an update was killed") tells an operator. */
function remedy(out: string, remedies: string[]): boolean {
    const run = (name: string, args: string[]) => {
        let r = pulumi(args);
        if (r.status !== 0 && /currently locked/.test(r.stdout + r.stderr)) {
            // The killed update also left the stack lock: nobody else runs `pulumi up` here, so cancel it first.
            remedies.push("cancel");
            assert.equal(pulumi(["cancel", "--yes"]).status, 0);
            r = pulumi(args);
        }
        assert.equal(r.status, 0, `${args.join(" ")}: ${r.stdout.slice(-2000)}${r.stderr}`);
        remedies.push(name);
    };
    if (/pulumi cancel --stack chaos --yes/.test(out)) run("cancel", ["cancel", "--yes"]);
    else if (/pulumi refresh --stack chaos --clear-pending-creates/.test(out)) run("refresh --clear-pending-creates", ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    else if (/pulumi refresh --stack chaos`/.test(out)) run("refresh", ["refresh", "--yes", "--skip-preview"]);
    else return false;
    return true;
}

/**
 * A new job resumes the rollout; when it halts on a stuck stack, the named remedy is run and the next job
 * resumes again. Returns the job that got past the remedies (still running, or ended), and the remedies.
 */
async function resume(traceFile: string, until?: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ job: Job; remedies: string[] }> {
    const remedies: string[] = [];
    for (let i = 0; i < 8; i++) {
        const j = job("rollout", ["--resume", "--verbose", "--metrics-trace", traceFile], extraEnv);
        const ended = j.done.then(() => "ended" as const);
        const seen = until ? j.waitFor(until, 600_000).then(() => "seen" as const, () => "ended" as const) : ended;
        const first = await Promise.race([seen, ended]);
        if (first === "seen") return { job: j, remedies };
        const code = await j.done;
        if (code === 3 && remedy(j.text(), remedies)) continue;
        // The killed runner's lease is still live (a fast machine resumes within it): the job is refused, as a
        // real next job would be, and the one after it runs once the lease has run out.
        const live = code === 4 ? /a rollout is in flight \(lock held by \S+ until (\S+)\)/.exec(j.text()) : null;
        if (live) {
            await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(live[1]) - Date.now()) + MARGIN_MS + 500));
            continue;
        }
        return { job: j, remedies };
    }
    throw new Error(`the rollout did not get past the stuck stack: ${remedies.join(", ")}`);
}

const elapsed = () => ((Date.now() - suiteStarted) / 1000).toFixed(0);

/** SIGKILL at a boundary: the saved phase, and no traffic to a colour without healthy targets. */
async function killAt(j: Job, re: RegExp, kills: string[], label: string): Promise<void> {
    await j.waitFor(re);
    await j.kill("SIGKILL");
    trafficOnlyToHealthy(`after the kill at ${label}`);
    kills.push(`${label} @${elapsed()}s`);
}

/** The watchdog (the scheduled `rollout:cleanup`) pages for a runner that died without paging, once its lease ran out. */
async function watchdogPages(inStatus: string): Promise<void> {
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + MARGIN_MS + 500));
    const w = await run("cleanup");
    assert.equal(w.code, 1, w.out);
    const page = notifications().at(-1);
    assert.equal(page.kind, "abandoned", JSON.stringify(page));
    assert.match(page.message, new RegExp(`abandoned in ${inStatus}`));
}

/** The invariants every scenario ends with. */
async function consistent(expect: { outcome: "promoted" | "rolled_back"; notPromoted?: boolean; pages: string[] }) {
    const st = await status();
    assert.equal(st.rollout.status, expect.outcome, JSON.stringify(st.rollout));
    // Every listener reads the saved weight (no split left by a killed update): 0 after a rollback and after a finalise.
    assert.equal(st.rollout.weight.readBack, 0, JSON.stringify(st.rollout.weight));
    assert.equal(st.lock, null, "the lock is free");
    trafficOnlyToHealthy("at the end");
    const o = outputs();
    assert.equal(o.liveColour, st.colours.live);
    // A promoted release is never reverted by a later job.
    if (promoted) {
        const now = { live: o.liveColour, image: o.images[o.liveColour]["api-gateway"] };
        if (expect.outcome === "promoted") assert.notDeepEqual(now, promoted, "this release became live");
        else assert.deepEqual(now, promoted, "the last promoted release is still live");
    }
    if (expect.outcome === "promoted") promoted = { live: o.liveColour, image: o.images[o.liveColour]["api-gateway"] };
    // The record is complete.
    const rec = JSON.parse(fs.readFileSync(st.rollout.record, "utf8"));
    assert.equal(rec.outcome, expect.outcome);
    assert.equal(rec.changeRequest?.id, "CHG-301");
    assert.ok(rec.preflight && rec.changeRequest.approvals.length === 3, "preflight and approvals");
    assert.match(rec.steps.find((s: any) => s.name === "snapshot")?.detail ?? "", /^tms-prod-predeploy-/);
    assert.ok(rec.samples.length > 0, "samples");
    // A canary judged bad is never promoted.
    if (expect.notPromoted) assert.ok(!rec.decisions.some((d: any) => d.outcome === "promoted") && st.rollout.status !== "promoted", "a canary judged bad is never promoted");
    // Someone was paged for every runner that died (and the outcome was announced).
    // (The watchdog's page is its own record's, `chaos-cleanup-…`, and names the rollout in its message.)
    const kinds = notifications().filter((n) => n.rolloutId === st.rollout.id || String(n.message).includes(st.rollout.id)).map((n) => n.kind);
    for (const k of [...expect.pages, expect.outcome]) assert.ok(kinds.includes(k), `paged ${k}: ${kinds.join(", ")}`);
    return { st, rec };
}


describe("chaos: the rollout on the real engine, killed and faulted (L5+)", () => {
    before(function () {
        this.timeout(1_200_000);
        const cli = ensurePulumiCli((l) => process.stdout.write(`      ${l}\n`));
        sb = prepareSandbox(dir, cli, { stacks: [] });
        fs.writeFileSync(CR, "id: CHG-301\nrisk: low\nrollbackPlan: weight to 0 in one targeted update\napprovals:\n  - {role: technical-review, by: ana}\n  - {role: qa, by: bo}\n  - {role: product, by: cy}\n");
        freshCheckout();
        const ls = sb.run(["stack", "ls", "--json"]);
        // TMS_CHAOS_SANDBOX kept from an earlier run (to iterate on one scenario): the stack is deployed already.
        if (JSON.parse(ls.stdout || "[]").some((s: any) => s.name === STACK)) return;
        assert.equal(sb.run(["stack", "init", STACK]).status, 0);
        const started = Date.now();
        const up = pulumi(["up", "--yes", "--skip-preview"]);
        assert.equal(up.status, 0, up.stdout.slice(-3000) + up.stderr);
        table.push({ scenario: "deploy the shared chaos stack (first `pulumi up`)", outcome: "deployed", seconds: (Date.now() - started) / 1000, detail: "" });
    });

    it("release 1, killed at every phase boundary and in the middle of two `up`s, every job a fresh checkout: promoted; a stale `pulumi up` during the bake and a runner 6 min ahead are refused", async function () {
        // Not a speed assertion (the suite's time is reported): room for a machine shared by several engine runs.
        this.timeout(3_600_000);
        const healthy = trace("healthy", Array(400).fill(good));
        const kills: string[] = [];
        const remedies: string[] = [];
        // The candidate deploy hangs in a task definition's create: the kill leaves the stack lock and a pending CREATE.
        const hangCreate = faultPlan("r1-deploy", [{ op: "create", type: "^aws:ecs/taskDefinition:TaskDefinition$", action: "hang" }]);
        const first = job("rollout", ["--image", `api-gateway=${IMAGE("good1-prod")}`, "--change-request", CR, "--emergency", "--reason", "chaos", "--verbose", "--metrics-trace", healthy],
            { TMS_FAULT_PLAN: hangCreate.file });
        await killAt(first, /phase\s+snapshot/, kills, "snapshot");
        const killed = Date.now();
        await watchdogPages("snapshotting");

        const deploy = await resume(healthy, /phase\s+deploy \w+ at 0%/, { TMS_FAULT_PLAN: hangCreate.file });
        await until(() => hangCreate.hits() > 0, "the hung create");
        await deploy.job.kill("SIGKILL");
        kills.push(`candidate deploy (mid-\`up\`, in a create) @${elapsed()}s`);
        trafficOnlyToHealthy("after the kill mid-deploy");
        const pending = JSON.parse(pulumi(["stack", "export"]).stdout).deployment.pending_operations ?? [];
        assert.ok(pending.some((p: any) => p.type === "creating"), `a pending CREATE: ${JSON.stringify(pending).slice(0, 500)}`);

        // A boundary is the phase's line, or the resume's own line when the kill landed just past it.
        const at = (phase: string, status: string) => new RegExp(`phase\\s+${phase}|resuming \\S+ in ${status}`);
        let r = await resume(healthy, at("migrations", "migrating"));
        remedies.push(...r.remedies);
        assert.ok(r.remedies.includes("refresh --clear-pending-creates"), `the CLI named the pending create's remedy: ${r.remedies}\n${r.job.text().slice(-1500)}`);
        await killAt(r.job, at("migrations", "migrating"), kills, "migrations");
        r = await resume(healthy, at("waiting_healthy", "waiting_healthy"));
        await killAt(r.job, at("waiting_healthy", "waiting_healthy"), kills, "health wait");
        r = await resume(healthy, at("smoke tests", "smoke_testing"));
        await killAt(r.job, at("smoke tests", "smoke_testing"), kills, "smoke tests");

        // Step 1 applied: SIGTERM (a cancelled CI job): the runner pages where traffic is, and exits 143.
        r = await resume(healthy, /candidate now takes 10%/);
        const code = await r.job.kill("SIGTERM");
        assert.equal(code, 143, r.job.text().slice(-2000));
        kills.push(`step 1 (10%), SIGTERM @${elapsed()}s`);
        const page = notifications().at(-1);
        assert.equal(page.kind, "interrupted");
        assert.match(page.message, /interrupted: 10% of traffic on \w+ \(candidate\), 90% on \w+; the runner was stopped by SIGTERM in shifting; run `npm run rollout -- --stack chaos --resume`/);
        // During the bake, a person runs `pulumi up` from a fresh checkout: refused, naming the drift and the fix; nothing moved.
        freshCheckout();
        const human = pulumi(["up", "--yes", "--skip-preview"]);
        assert.notEqual(human.status, 0);
        assert.match(human.stdout + human.stderr, /Pulumi\.chaos\.yaml: tms:deployment is older than the deployed release \(a stale copy\).*Refusing to move traffic; run `npm run rollout:sync -- --stack chaos`/);
        trafficOnlyToHealthy("after the refused human `up`");

        // Step 2's update hangs in the origin rule (the health rule may be updated: listeners split) while a runner
        // whose clock is 6 minutes ahead tries to resume: the live lease holds (production skew margin).
        const hangRule = faultPlan("r1-step2", [{ op: "update", type: "^aws:lb/listenerRule:ListenerRule$", name: "-origin-rule$", action: "hang" }]);
        r = await resume(healthy, /resuming .* in shifting/, { TMS_FAULT_PLAN: hangRule.file });
        const skewed = await run("rollout", ["--resume", "--metrics-trace", healthy], { TMS_SANDBOX_CLOCK_SKEW_MS: String(6 * 60_000), TMS_SANDBOX_SKEW_MARGIN_MS: "" });
        assert.equal(skewed.code, 4, skewed.out.slice(-2000));
        assert.match(skewed.out, /a rollout is in flight \(lock held by /);
        await until(() => hangRule.hits() > 0, "the hung listener rule update");
        await r.job.kill("SIGKILL");
        kills.push(`step 2 (50%, mid-\`up\`) @${elapsed()}s`);
        trafficOnlyToHealthy("after the kill mid-step-2");

        const step3 = /candidate now takes 100%|resuming \S+ in (validating|finalising)/;
        const validation = /phase\s+validation|resuming \S+ in (validating|finalising)/;
        r = await resume(healthy, step3);
        remedies.push(...r.remedies);
        await killAt(r.job, step3, kills, "step 3 (100%)");
        r = await resume(healthy, validation);
        await killAt(r.job, validation, kills, "validation");
        r = await resume(healthy, /pulumi up: finalise/);
        await killAt(r.job, /pulumi up: finalise/, kills, "finalise");
        r = await resume(healthy);
        remedies.push(...r.remedies);
        assert.equal(await r.job.done, 0, r.job.text().slice(-3000));
        const { st } = await consistent({ outcome: "promoted", pages: ["interrupted", "abandoned"] });
        assert.match(st.colours.images[st.colours.live]["api-gateway"], /good1-prod$/);
        table.push({ scenario: "release 1: killed at every boundary, mid-`up` twice", outcome: "promoted", seconds: (Date.now() - killed) / 1000,
            detail: `${kills.length} kills (${kills.join("; ")}); remedies: ${[...new Set(remedies)].join(", ")}` });
    });

    it("release 2, a partial failure at a weight step (one listener rule fails): judged bad, the save at the decision throttled once, SIGKILL right after the DECISION line; the watchdog pages; the resume's first three rollback updates are throttled and it keeps trying: rolled back, never promoted", async function () {
        this.timeout(1_800_000);
        // The resume replays healthy metrics: only the saved decision stands between it and a promotion.
        const healthy = trace("healthy", Array(400).fill(good));
        const saveFaults = path.join(dir, "r2-save.faults.json");
        fs.writeFileSync(saveFaults, JSON.stringify([{ status: "rolling_back", times: 1 }]));
        fs.rmSync(`${saveFaults}.hits`, { force: true });
        const failRule = faultPlan("r2-step", [{ op: "update", type: "^aws:lb/listenerRule:ListenerRule$", name: "-origin-rule$", action: "fail", message: "ValidationError: injected (chaos)" }]);
        const j = job("rollout", ["--image", `api-gateway=${IMAGE("bad2-prod")}`, "--change-request", CR, "--emergency", "--reason", "chaos", "--verbose", "--metrics-trace", healthy],
            { TMS_FAULT_PLAN: failRule.file, TMS_SANDBOX_SAVE_FAULTS: saveFaults });
        await j.waitFor(/DECISION rolling_back/);
        await j.kill("SIGKILL");
        const killed = Date.now();
        assert.match(j.text(), /DECISION rolling_back: traffic-update: update to 10% failed/);
        trafficOnlyToHealthy("after the kill right after the decision");
        // The decision was saved before its line was printed: the abandoned rollout is rolling back.
        await watchdogPages("rolling_back");
        assert.equal(fs.readFileSync(`${saveFaults}.hits`, "utf8").trim().split("\n").length, 1, "the save at the decision failed once, and was retried");
        // The resume's first three rollback updates are throttled (one hit per `up`: the health rule, the one step 1
        // moved; the origin rule's update failed, it reads 0 %): the rollback keeps trying for rollbackRetryMinutes
        // and the fourth lands (a rollback that gave up after 3 attempts, ~6 s, would halt here).
        const throttle = faultPlan("r2-rollback", [{ op: "update", type: "^aws:lb/listenerRule:ListenerRule$", name: "-health-rule$", action: "throttle", times: ROLLBACK_THROTTLES }]);
        const r = await resume(healthy, undefined, { TMS_FAULT_PLAN: throttle.file });
        assert.equal(await r.job.done, 2, r.job.text().slice(-3000));
        assert.equal(throttle.hits(), ROLLBACK_THROTTLES);
        assert.match(r.job.text(), new RegExp(`rollback attempt ${ROLLBACK_THROTTLES} failed: .*ThrottlingException: Rate exceeded; retrying until`));
        await consistent({ outcome: "rolled_back", notPromoted: true, pages: ["abandoned"] });
        table.push({ scenario: "release 2: partial weight-step failure, save fault, kill after DECISION", outcome: "rolled_back", seconds: (Date.now() - killed) / 1000,
            detail: `save at the decision failed once; rollback throttled ${ROLLBACK_THROTTLES} times${r.remedies.length ? `; remedies: ${r.remedies.join(", ")}` : ""}` });
    });

    after(() => {
        const total = (Date.now() - suiteStarted) / 1000;
        const lines = [
            "| scenario | outcome | time to consistency (s) | detail |",
            "|---|---|---|---|",
            ...table.map((t) => `| ${t.scenario} | ${t.outcome} | ${t.seconds.toFixed(0)} | ${t.detail} |`),
        ];
        process.stdout.write(`\n      chaos suite: ${total.toFixed(0)} s\n${lines.map((l) => `      ${l}`).join("\n")}\n`);
        if (process.env.TMS_CHAOS_REPORT) {
            fs.mkdirSync(path.dirname(process.env.TMS_CHAOS_REPORT), { recursive: true });
            fs.writeFileSync(process.env.TMS_CHAOS_REPORT, `# Chaos suite run (${new Date().toISOString()})\n\nDuration: ${total.toFixed(0)} s.\n\n${lines.join("\n")}\n`);
        }
        // The sandbox's dynalite server is a background process of this suite: stop it.
        try {
            const info = JSON.parse(fs.readFileSync(path.join(dir, "dynalite", "server.json"), "utf8"));
            process.kill(info.pid);
        } catch {
            // not started
        }
    });
});
