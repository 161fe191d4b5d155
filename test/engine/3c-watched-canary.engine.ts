/**
 * L5 in a pseudo-terminal: the offline canary of docs/sandbox.md ("Watch a canary offline"), run literally by the npm
 * scripts on the deployed prod stack of this suite's sandbox (TMS_SANDBOX_DIR), as an operator runs it:
 *
 * 1. `rollout --dry-run --show-diff`: the engine's own preview of the deploy and the first weight step; it
 *    names the weighted listener rules and the weights of step 1, and changes nothing (stack file, state).
 * 2. `rollout --sandbox --metrics-trace … --time-scale 60` in one tmux window and `rollout:status --sandbox
 *    --watch` in another: both on a real terminal (colour on), the live view read from tmux's screen.
 *
 * The watched canary is also the suite's one healthy canary on prod (3-rollout runs the rolled-back one): the
 * rollout's six real updates (deploy, four weight steps, finalise) are checked from the engine's history (four
 * of them update exactly the weighted listener resources), its load-balancer read-backs (rules and target
 * health), the stack file and the outputs. Runs after 3-rollout and 3b (which only reads prod): prod between
 * releases, green live at weight 0. Once both windows run, 4-day-two's releases of dev, staging and dr start beside
 * them (day-two.ts), using the minute the canary spends baking. The pseudo-terminal is tmux (`.ci/run` installs it); without tmux the
 * rollout runs without the status window, its own checks made, and the watched part is skipped, saying so.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { stripColour } from "../../cli/colour";
import { dayTwo } from "./day-two";
import { engineSandbox, pulumi } from "./sandbox-fixture";

const ROOT = path.resolve(__dirname, "../..");
const TRACE = "test/automation/fixtures/healthy-canary.json";
const CR = "examples/change-requests/CHG-1234.yaml";
const IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:7e5f6a1-prod";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "tms-engine-watch-"));

const outputs = () => JSON.parse(pulumi(["stack", "output", "--stack", "prod", "--json"], { expect: 0 }).stdout);
const exported = () => JSON.parse(pulumi(["stack", "export", "--stack", "prod"], { expect: 0 }).stdout).deployment.resources;
const updates = () => JSON.parse(pulumi(["stack", "history", "--stack", "prod", "--json"], { expect: 0 }).stdout) as any[];
const history = () => updates().length;

/** The environment of the npm scripts: the suite's sandbox, colour decided by the terminal alone. */
function scriptEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, TMS_SANDBOX_DIR: engineSandbox().dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    return env;
}

const ELB_CALLS = path.join(work, "elb-calls.txt");
/** The healthy canary as the README runs it offline; its load-balancer read-backs logged (tools/sandbox/rollout-env.ts). */
const ROLLOUT = `npm run rollout -- --stack prod --sandbox --metrics-trace ${TRACE} --time-scale 60 --image api-gateway=${IMAGE} --change-request ${CR} --emergency --reason "offline walkthrough"`;
const ROLLOUT_ENV = `TMS_SANDBOX_ELB_CALLS=${JSON.stringify(ELB_CALLS)}`;

/**
 * What the promoted healthy canary did, from the rollout's output, the engine's history and state: each weight
 * announced; deploy, four weight steps and finalise are six real updates, the four weight steps changing
 * exactly the weighted listener resources and nothing else; the weights and target health read back from the
 * load balancer; the candidate live with the new image at weight 0, the stack file's weight a number 0.
 */
function promotedCanary(out: string, startedAt: number, candidate: string): void {
    for (const w of [10, 30, 50, 100]) assert.match(out, new RegExp(`weight {3}candidate now takes ${w}%`));
    assert.match(out, /outcome: promoted/);
    const after = outputs();
    assert.deepEqual([after.liveColour, after.weight, after.images[candidate]["api-gateway"]], [candidate, 0, IMAGE]);
    assert.strictEqual(YAML.parse(fs.readFileSync(engineSandbox().stackFile("prod"), "utf8")).config["tms:deployment"].weight, 0);
    // History lists the newest ten.
    const runs = updates().filter((h) => Date.parse(h.startTime) >= startedAt);
    assert.equal(runs.length, 6, JSON.stringify(runs.map((h) => h.resourceChanges)));
    const weighted = after.weightListenerUrns.length;
    const listenerOnly = runs.filter((h) => JSON.stringify(Object.keys(h.resourceChanges).filter((k) => k !== "same" && k !== "read").sort()) === '["update"]' && h.resourceChanges.update === weighted);
    assert.equal(listenerOnly.length, 4, JSON.stringify(runs.map((h) => h.resourceChanges)));
    const calls = fs.existsSync(ELB_CALLS) ? fs.readFileSync(ELB_CALLS, "utf8").split("\n") : [];
    assert.ok(calls.includes("DescribeRules") && calls.includes("DescribeTargetHealth"), `load-balancer read-backs: ${calls.join(",")}`);
}

/** tmux on a socket of this test's own, so that nobody else's sessions are touched and `kill-server` ends only ours. */
const SOCKET = `tms-watch-${process.pid}`;
const tmux = (args: string[]) => spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", env: scriptEnv() });
const tmuxAvailable = () => spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;

/** A shell script for one tmux window: the command as docs/sandbox.md gives it, its exit code saved for the test. */
function script(name: string, command: string): string {
    const file = path.join(work, `${name}.sh`);
    fs.writeFileSync(file, `cd ${JSON.stringify(ROOT)}\n${command}\necho $? > ${JSON.stringify(path.join(work, `${name}.code`))}\nsleep 600\n`);
    return file;
}
const exitCode = (name: string): number | null => {
    const f = path.join(work, `${name}.code`);
    return fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8").trim()) : null;
};

describe("the offline canary of docs/sandbox.md, watched (L5, pseudo-terminal)", () => {
    after(() => {
        if (tmuxAvailable()) tmux(["kill-server"]);
        // The sandbox's dynalite server was started by the `--sandbox` commands of this file: stop it.
        try {
            process.kill(JSON.parse(fs.readFileSync(path.join(engineSandbox().dir, "dynalite", "server.json"), "utf8")).pid);
        } catch {
            // not started
        }
    });

    it("rollout --dry-run --show-diff prints the engine's diff of the deploy and of step 1 (the weighted listener rules, 0 → 10) and changes nothing", () => {
        const before = { file: fs.readFileSync(engineSandbox().stackFile("prod"), "utf8"), project: fs.readdirSync(engineSandbox().projectDir).sort(), state: exported(), history: history() };
        const o = outputs();
        const [live, candidate] = [o.liveColour, o.candidateColour];
        assert.equal(o.weight, 0, "prod between releases (3-rollout's rolled-back canary leaves green live at weight 0)");
        const r = spawnSync("npm", ["run", "-s", "rollout", "--", "--stack", "prod", "--sandbox", "--dry-run", "--show-diff", "--at", "2026-12-01T10:30",
            "--change-request", CR, "--image", `api-gateway=${IMAGE}`], { cwd: ROOT, env: scriptEnv(), encoding: "utf8", timeout: 600_000 });
        const out = r.stdout + r.stderr;
        assert.equal(r.status, 0, out);
        assert.match(out, /preflight at Tue 2026-12-01 10:30 EST \(America\/New_York\): allowed/);

        // The deploy: the candidate's task definition takes the image (a new revision: the provider replaces a task
        // definition on any change, as AWS registers a new one); nothing of the live colour changes.
        const deploy = out.slice(out.indexOf(`diff of deploy ${candidate} at 0%`), out.indexOf("diff of step 1"));
        assert.match(deploy, new RegExp(`\\+- replace aws:ecs/taskDefinition:TaskDefinition tms-api-gateway-${candidate}-task \\(replaced: containerDefinitions cannot change in place\\)\\n\\s+containerDefinitions\\[0\\]\\.image: "…:\\S+" → "…:7e5f6a1-prod"`));
        assert.match(deploy, new RegExp(`~ {2}update {2}aws:ecs/service:Service tms-api-gateway-${candidate}-service\\n\\s+taskDefinition: `));
        assert.doesNotMatch(deploy, new RegExp(`tms-\\S+-${live}-`), "the live colour is not touched");

        // Step 1: exactly the weighted listener resources the stack exports, each from 100/0 to 90/10, as a targeted preview.
        const step = out.slice(out.indexOf(`diff of step 1: 10% to ${candidate}`), out.indexOf("outcome:"));
        const names = (o.weightListenerUrns as string[]).map((u) => u.split("::").pop()!);
        assert.match(step, new RegExp(`^diff of step 1: 10% to ${candidate}: ${names.length} to update, \\d+ unchanged \\(the engine's pulumi preview --stack prod --target \\(${names.length} weighted listener resources\\)`));
        const blocks = step.split(/\n {2}(?=~)/).slice(1);
        assert.deepEqual(blocks.map((b) => /^~ {2}update {2}\S+ (\S+)/.exec(b)?.[1]).sort(), [...names].sort(), step);
        for (const b of blocks) {
            assert.match(b, /^~ {2}update {2}aws:lb\/listenerRule:ListenerRule /, b);
            const weights = [...b.matchAll(/targetGroups\[\d\]\.weight: (\d+) → (\d+)/g)].map((m) => `${m[1]}→${m[2]}`).sort();
            assert.deepEqual(weights, ["0→10", "100→90"], b);
        }
        assert.match(out, /outcome: dry-run \(exit 0\)/);

        // Nothing changed: the sandbox's stack file, the project folder (no temporary copy left), the state, the history.
        assert.equal(fs.readFileSync(engineSandbox().stackFile("prod"), "utf8"), before.file);
        assert.deepEqual(fs.readdirSync(engineSandbox().projectDir).sort(), before.project);
        assert.deepEqual(exported(), before.state);
        assert.equal(history(), before.history);
    });

    it("rollout beside rollout:status --watch in tmux: the live view steps 10 → 30 → 50 → 100, the live colour flips, promoted, in colour", async function () {
        // Six real `pulumi up`s: 4–5 minutes alone, 15 on two cores shared with other suites (load 20).
        this.timeout(30 * 60_000);
        if (!tmuxAvailable()) {
            // The healthy canary's own checks still run (the rollout without a terminal); only the watching is skipped.
            const o = outputs();
            const startedAt = Date.now() - 1000;
            const r = spawnSync("bash", ["-c", `${ROLLOUT_ENV} ${ROLLOUT}`], { cwd: ROOT, env: scriptEnv(), encoding: "utf8", timeout: 28 * 60_000 });
            assert.equal(r.status, 0, (r.stdout + r.stderr).slice(-6000));
            promotedCanary(r.stdout + r.stderr, startedAt, o.candidateColour);
            process.stdout.write("      SKIPPED the watching: tmux is not installed (apt-get install -y tmux; .ci/run installs it): the watched canary needs a pseudo-terminal\n");
            this.skip();
        }
        const o = outputs();
        const [live, candidate] = [o.liveColour, o.candidateColour];
        const startedAt = Date.now() - 1000;
        const rollout = script("rollout", `${ROLLOUT_ENV} ${ROLLOUT}`);
        const status = script("status", "npm run rollout:status -- --stack prod --sandbox --watch");
        // Two windows of one detached session, each a terminal of 200 × 60 (no wrapping), scrollback kept for the rollout.
        assert.equal(tmux(["-f", "/dev/null", "new-session", "-d", "-s", "walk", "-x", "200", "-y", "60", "-n", "idle"]).status, 0, "tmux new-session");
        tmux(["set-option", "-g", "history-limit", "100000"]);
        tmux(["new-window", "-d", "-t", "walk", "-n", "rollout", `bash ${rollout}`]);
        const started = Date.now();
        const pane = (w: string, all = false) => tmux(["capture-pane", "-p", "-e", "-J", "-t", `walk:${w}`, ...(all ? ["-S", "-"] : [])]).stdout;
        // The second terminal is opened once the rollout has taken the lock (its preflight is out), as a person would.
        while (!/preflight at/.test(pane("rollout"))) {
            assert.ok(Date.now() - started < 180_000, `the rollout did not start:\n${pane("rollout")}`);
            await new Promise((r) => setTimeout(r, 500));
        }
        tmux(["new-window", "-d", "-t", "walk", "-n", "status", `bash ${status}`]);
        // 4-day-two's releases of dev, staging and dr use the minute this canary spends baking: they start now (both
        // windows have prepared the sandbox, so nothing reads a stack file they rewrite), 4-day-two awaits them.
        dayTwo();

        const screens: string[] = [];
        while (exitCode("rollout") === null || exitCode("status") === null) {
            assert.ok(Date.now() - started < 28 * 60_000, `not done in 28 minutes:\n${pane("rollout", true).slice(-4000)}\n---\n${pane("status")}`);
            const s = pane("status");
            if (/^prod: /m.test(s) && s !== screens[screens.length - 1]) screens.push(s);
            await new Promise((r) => setTimeout(r, 700));
        }
        screens.push(pane("status"));
        const plain = screens.map(stripColour);
        const log = pane("rollout", true);
        const seen = plain.join("\n=====\n");
        assert.equal(exitCode("rollout"), 0, stripColour(log).slice(-6000));
        assert.equal(exitCode("status"), 0, seen.slice(-6000));

        // The live view: the weight stepped to, read back from the engine's state, in order; never a divergence.
        const stepped = plain.map((s) => /weight {5}stepped to (\d+)%/.exec(s)?.[1]).filter((w): w is string => !!w).map(Number);
        const steps = stepped.filter((w, i) => w !== 0 && w !== stepped[i - 1]);
        assert.deepEqual(steps, [10, 30, 50, 100], seen.slice(-8000));
        assert.deepEqual(plain.filter((x) => /DIFFERS/.test(x)), [], "no screen shows a divergence");
        for (const w of [10, 30, 50, 100]) assert.match(seen, new RegExp(`load balancer reads ${w}%`));
        // The colours: blue live while the canary runs, green live at weight 0 at the end.
        const inFlight = plain.filter((s) => /^prod: IN FLIGHT/m.test(s));
        assert.ok(inFlight.length >= 4, `${inFlight.length} screens in flight`);
        assert.match(inFlight[0], new RegExp(`colours {6}live ${live} \\(running\\), candidate ${candidate}`));
        const last = plain[plain.length - 1];
        assert.match(last, /^prod: promoted — rollout prod-7e5f6a1-prod-\d{8}T\d{6}Z/m);
        assert.match(last, new RegExp(`colours {6}live ${candidate} \\(running\\), candidate ${live} \\(running\\), weight 0% in the deployed release`));
        assert.match(last, new RegExp(`^ {2}${candidate} +api-gateway=${IMAGE.replace(/[.]/g, "\\.")}`, "m"));
        const record = /record {5}(\S+\.json)/.exec(last)?.[1];
        assert.ok(record && fs.existsSync(record.replace(/\.json$/, ".svg")), `the record and its chart: ${last}`);

        // A terminal gets colour: IN FLIGHT in yellow while it runs, promoted in green at the end (cli/colour.ts), in both windows.
        assert.ok(screens.some((s) => /\x1b\[[0-9;]*33m(?:\x1b\[[0-9;]*m)*IN FLIGHT/.test(s)), "IN FLIGHT coloured");
        assert.match(screens[screens.length - 1], /\x1b\[[0-9;]*32m(?:\x1b\[[0-9;]*m)*promoted/);
        assert.match(log, /outcome:(?:\x1b\[[0-9;]*m)* (?:\x1b\[[0-9;]*m)*promoted/);
        assert.equal(outputs().liveColour, candidate);
        promotedCanary(stripColour(log), startedAt, candidate);
    });
});
