/** The rollout CLI: flags, exit codes through main() with faked ports, and the dry run as a spawned process. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseCliArgs, releaseIdOf, Stop, type CliArgs } from "../../automation/cli-args";
import { main, ownerOf, type CliEnvironment } from "../../automation/cli";
import { automationStack } from "../../automation/adapters/pulumi-stack";
import { firstMeaningfulLine, pulumiFailure } from "../../automation/adapters/pulumi-errors";
import type { PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import type { ReleasePreviewer, StepDiff } from "../../automation/step-diff";
import { contractOutputs, ny, world } from "./fakes";
import { errorSpike, good, lowTraffic, ROOT, spawnTs } from "./helpers";

const IMAGE = "api-gateway=123456789012.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:abc123-prod";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-cli-"));
const CR_FILE = path.join(dir, "cr.yaml");
fs.writeFileSync(CR_FILE, "id: CHG-42\nrisk: low\nrollbackPlan: weight to 0\napprovals:\n  - {role: technical-review, by: a}\n  - {role: qa, by: b}\n  - {role: product, by: c}\n");
const BAD_CR = path.join(dir, "bad.yaml");
fs.writeFileSync(BAD_CR, "id: CHG-43\nrisk: high\napprovals:\n  - {role: qa, by: b}\n");

/** Parse as the CLI does; a refusal fails the test with its message. */
function parseCliArgsOk(argv: string[], env: NodeJS.ProcessEnv = {}): CliArgs {
    const err: string[] = [];
    const r = parseCliArgs(argv, env, { out: () => undefined, err: (t) => err.push(t) });
    if (r instanceof Stop) assert.fail(`refused ${argv.join(" ")}: ${err.join("\n")}`);
    return r;
}

/** The message a refused command line prints (its first line; the usage follows), with exit code 1. */
const usage = (argv: string[]) => {
    const err: string[] = [];
    const r = parseCliArgs(argv, {}, { out: () => undefined, err: (t) => err.push(t) });
    if (!(r instanceof Stop)) assert.fail(`accepted ${argv.join(" ")}`);
    assert.equal(r.exitCode, 1);
    return err.join("\n");
};

describe("rollout CLI flags", () => {
    it("parses a rollout and a rollback", () => {
        const a = parseCliArgsOk(["rollout", "--stack", "prod", "--image", IMAGE, "--image=task-service=repo/task:v2", "--dry-run", "--at", "2026-03-10T10:30", "--change-request", "cr.yaml"]);
        assert.equal(a.command, "rollout");
        if (a.command !== "rollout") return;
        assert.deepEqual(Object.keys(a.images), ["api-gateway", "task-service"]);
        assert.equal(a.atMs, ny("2026-03-10T10:30"));
        assert.equal(parseCliArgsOk(["rollout", "--stack", "prod", "--image", IMAGE, "--dry-run", "--at", "2026-03-10T14:30:00Z"]).command, "rollout");
        const r = parseCliArgsOk(["rollback", "--stack", "prod", "--reason", "p95 regression"]);
        assert.deepEqual([r.command, r.command === "rollback" && r.reason], ["rollback", "p95 regression"]);
    });

    it("names the flag in every complaint", () => {
        assert.match(usage(["rollout", "--image", IMAGE]), /^--stack NAME is required/);
        assert.match(usage(["rollout", "--stack", "prod"]), /^--image SERVICE=IMAGE-URI is required/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", "api-gateway"]), /^--image: "api-gateway" is not SERVICE=IMAGE-URI/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", "api-gateway=nginx:1.25"]), /^--image: api-gateway: "nginx:1.25" is not an image tag/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", "api-gateway=repo/API:v1"]), /^--image: api-gateway: "repo\/API:v1": "API" is not a repository path component/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--strict"]), /^--strict only applies with --dry-run/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--json"]), /^--json only applies with --dry-run/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--at", "2026-03-10T10:30"]), /^--at only applies with --dry-run/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--dry-run", "--at", "next tuesday"]), /^--at: "next tuesday" is not an ISO time/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--emergency"]), /^--emergency needs --reason/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--window", "08:00-12:00"]), /^--window: .*opens before 10:00/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--colour", "green"]), /^unknown flag "--colour"/);
        assert.match(usage(["rollout", "--stack", "prod", "--image"]), /^--image needs a value/);
        assert.match(usage(["rollout", "--stack", "prod", "--resume", "--image", IMAGE]), /^--image does not apply to --resume/);
        assert.match(usage(["rollback", "--stack", "prod"]), /^--reason TEXT is required for a rollback/);
        assert.match(usage(["rollback", "--stack", "prod", "--reason", "x", "--dry-run"]), /^unknown flag "--dry-run"\nusage: npm run rollback -- --stack NAME --reason TEXT/);
        assert.match(usage(["rollout", "--stack", "prod", "--stack", "dev", "--image", IMAGE]), /^--stack given 2 times/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--dry-run=yes"]), /^--dry-run takes no value/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--emergency", "--reason", " "]), /^--reason must not be empty/);
        assert.match(usage(["deploy", "--stack", "prod"]), /^unknown command "deploy"/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--show-diff"]), /^--show-diff only applies with --dry-run/);
        assert.match(usage(["rollout", "--stack", "prod", "--image", IMAGE, "--time-scale", "60"]), /^--time-scale only applies with --sandbox/);
        assert.match(usage(["rollout", "--stack", "prod", "--sandbox", "--resume", "--time-scale", "60"]), /^--time-scale does not apply to --resume/);
        for (const bad of ["0", "1.5", "fast", "3601"]) assert.match(usage(["rollout", "--stack", "prod", "--sandbox", "--image", IMAGE, "--time-scale", bad]), new RegExp(`^--time-scale: "${bad}" is not a whole number from 1 to 3600`));
        const scaled = parseCliArgsOk(["rollout", "--stack", "prod", "--sandbox", "--image", IMAGE, "--time-scale", "60", "--dry-run", "--show-diff"]);
        assert.deepEqual(scaled.command === "rollout" && [scaled.timeScale, scaled.showDiff], [60, true]);
    });

    it("the runner is inside the test-listener CIDRs only when told so (flag or TMS_RUNNER_IN_TEST_CIDRS)", () => {
        const args = (env: NodeJS.ProcessEnv, extra: string[] = []) => parseCliArgsOk(["rollout", "--stack", "prod", "--image", IMAGE, ...extra], env);
        assert.equal((args({}) as { runnerInTestCidrs: boolean }).runnerInTestCidrs, false);
        assert.equal((args({ TMS_RUNNER_IN_TEST_CIDRS: "1" }) as { runnerInTestCidrs: boolean }).runnerInTestCidrs, true);
        assert.equal((args({}, ["--runner-in-test-cidrs"]) as { runnerInTestCidrs: boolean }).runnerInTestCidrs, true);
    });

    it("derives the release id and the owner", () => {
        assert.equal(releaseIdOf({ a: "repo/a:1.4.2", b: "repo/b:1.4.2" }, undefined, 0), "1.4.2");
        assert.equal(releaseIdOf({ a: "repo/a:1", b: "repo/b:2" }, undefined, Date.parse("2026-03-10T15:00:00Z")), "release-20260310T150000Z");
        assert.equal(releaseIdOf({ a: "x:1" }, "v9", 0), "v9");
        // The README's form: bare tags of the services' own repositories.
        assert.equal(releaseIdOf({ "api-gateway": "4f1c2ab-prod", "task-service": "4f1c2ab-prod" }, undefined, 0), "4f1c2ab-prod");
        // Digests, bare or in a URI (with or without a tag before them: the tag names the release).
        const digest = "sha256:4f1c2ab9e0d3c7b1a2f4e6d8c0b2a4f6e8d0c2b4a6f8e0d2c4b6a8f0e2d4c6b8";
        assert.equal(releaseIdOf({ a: digest, b: `@${digest}` }, undefined, 0), "4f1c2ab9e0d3");
        assert.equal(releaseIdOf({ a: `123456789012.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway@${digest}` }, undefined, 0), "4f1c2ab9e0d3");
        assert.equal(releaseIdOf({ a: `registry.example.com:5000/tms/api:4f1c2ab-prod@${digest}` }, undefined, 0), "4f1c2ab-prod");
        // A tag and a full URI of the same version name the same release.
        assert.equal(releaseIdOf({ a: "4f1c2ab-prod", b: "123456789012.dkr.ecr.us-east-1.amazonaws.com/task-management-system/task-service:4f1c2ab-prod" }, undefined, 0), "4f1c2ab-prod");
        // No version to name: an untagged URI (a registry port is not a tag) or a moving tag.
        const stamp = Date.parse("2026-03-10T15:00:00Z");
        assert.equal(releaseIdOf({ a: "host:5000/repo/a" }, undefined, stamp), "release-20260310T150000Z");
        assert.equal(releaseIdOf({ a: "latest-prod", b: "latest-prod" }, undefined, stamp), "release-20260310T150000Z");
        assert.equal(releaseIdOf({ a: "repo/a:latest" }, undefined, stamp), "release-20260310T150000Z");
        assert.equal(ownerOf({ GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "org/tms", GITHUB_RUN_ID: "77", GITHUB_RUN_ATTEMPT: "2", GITHUB_ACTOR: "ana" }), "github:org/tms#77.2 (ana)");
    });
});

describe("rollout CLI exit codes (main() with faked ports)", () => {
    /** main() with every port replaced by the fakes of fakes.ts; the stack file is the real Pulumi.prod.yaml. */
    async function run(argv: string[], opts: Parameters<typeof world>[0] = {}) {
        const w = world(opts);
        const out: string[] = [];
        const err: string[] = [];
        const env: CliEnvironment = {
            selectStack: async () => ({ name: "prod", outputs: async () => contractOutputs() }) as unknown as PulumiStackLike,
            adjustDeps: (deps) => ({ ...w.deps, onEvent: deps.onEvent, onPreflight: deps.onPreflight, onStep: deps.onStep, writeRecord: (r) => [...w.deps.writeRecord(r), `${r.rolloutId}.json`] }),
            out: (l) => out.push(l),
            err: (l) => err.push(l),
            env: {},
        };
        const code = await main(argv, env);
        return { code, out: out.join("\n"), err: err.join("\n"), w };
    }
    const prod = ["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", CR_FILE];

    it("0 when promoted, printing phases, weights, bake time left and analysis lines", async () => {
        const r = await run(prod);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /phase {4}step 1 \(10%\) — candidate weight 10%, bake 5m00s/);
        assert.match(r.out, /progress step 1 \(10%\) at 10%: 4m00s of bake left/);
        assert.match(r.out, /errors\s+OK\s+candidate=\S+ reference=\S+ threshold=\S+/);
        assert.match(r.out, /preflight at Tue 2026-03-10 10:30 EDT \(America\/New_York\): allowed/);
        assert.match(r.out, /step {5}migrations: ok — all services migrated\n {11}ok api-gateway: exit code 0/);
        assert.ok(r.out.indexOf("step     smoke tests") < r.out.indexOf("weight   candidate now takes 10%"), "smoke tests print before traffic moves");
        assert.match(r.out, /outcome: promoted \(exit 0\)/);
    });

    it("2 when rolled back, 3 when halted, 1 on error, 4 when refused", async () => {
        assert.equal((await run(prod, { sample: () => errorSpike() })).code, 2);
        assert.equal((await run(prod, { migrationFails: true })).code, 3);
        assert.equal((await run(prod, { snapshotFails: true })).code, 1);
        const refused = await run(["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", BAD_CR]);
        assert.equal(refused.code, 4);
        assert.ok(refused.out.includes(`refused: ${BAD_CR}: rollbackPlan is missing`), refused.out);
        assert.ok(refused.out.includes(`refused: ${BAD_CR}: approval by operations is missing (required for high risk)`));
        assert.equal(refused.w.log.length, 1, "only the record was written");
    });

    it("1 for bad flags, unknown services and unknown stacks, naming what is wrong", async () => {
        const bad = await run(["rollout", "--stack", "prod", "--image", "api-gateway"]);
        assert.equal(bad.code, 1);
        assert.match(bad.err, /^--image: "api-gateway" is not SERVICE=IMAGE-URI/);
        const svc = await run(["rollout", "--stack", "prod", "--image", "billing=repo/b:1", "--change-request", CR_FILE]);
        assert.equal(svc.code, 1);
        assert.match(svc.err, /--image: billing not a service of prod \(api-gateway, task-service\)/);
        const stack = await run(["rollout", "--stack", "qa", "--image", IMAGE]);
        assert.equal(stack.code, 1);
        assert.match(stack.err, /--stack qa: Pulumi.qa.yaml: cannot read the stack file/);
    });

    it("rollback: 4 with nothing in flight", async () => {
        const r = await run(["rollback", "--stack", "prod", "--reason", "bad release"]);
        assert.equal(r.code, 4);
        assert.match(r.out, /no rollout in flight to roll back/);
    });

    it("rollback: 0 when it rolled the halted rollout back (the command did what it was asked)", async () => {
        const halted = await run(prod, { sample: (i) => (i >= 2 ? lowTraffic() : good()) });
        assert.equal(halted.code, 3, halted.out);
        const w = halted.w;
        const out: string[] = [];
        const code = await main(["rollback", "--stack", "prod", "--reason", "on-call"], {
            selectStack: async () => ({ outputs: async () => contractOutputs() }) as unknown as PulumiStackLike,
            adjustDeps: (deps) => ({ ...w.deps, onEvent: deps.onEvent }),
            out: (l) => out.push(l), err: (l) => out.push(l), env: {},
        });
        assert.equal(code, 0, out.join("\n"));
        assert.match(out.join("\n"), /outcome: rolled_back — .*\(exit 0\)/);
    });

    it("a change-request file that cannot be read is bad input (1) before anything runs; an incomplete one is refused (4)", async () => {
        const missing = await run(["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", path.join(dir, "nope.yaml")]);
        assert.equal(missing.code, 1);
        assert.equal(missing.err, `--change-request: ${path.join(dir, "nope.yaml")}: cannot read the change request (ENOENT)`);
        assert.equal(missing.out, "", "nothing ran");
        assert.equal(missing.w.log.length, 0, "no record, no lock, no notification");
        const notYaml = path.join(dir, "broken.yaml");
        fs.writeFileSync(notYaml, "id: [unclosed\n");
        const broken = await run(["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", notYaml, "--dry-run", "--at", "2026-03-10T10:30"]);
        assert.equal(broken.code, 1);
        assert.match(broken.err, /^--change-request: .*broken\.yaml: not valid YAML/);
    });
});

describe("rollout --dry-run: --strict and --json (main() with faked ports)", () => {
    const unavailable = (out: string[]): CliEnvironment => ({
        // As LocalWorkspace fails when the CLI is not logged in (see the Automation API test below).
        selectStack: async () => { throw new Error("PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions (pulumi stack select)"); },
        out: (l) => out.push(l), err: (l) => out.push(l), env: {},
    });
    const dry = ["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", CR_FILE, "--dry-run", "--at", "2026-03-10T10:30"];

    it("without --strict, facts it could not read are listed and the dry run exits 0; with --strict it exits 6", async () => {
        const out: string[] = [];
        assert.equal(await main(dry, unavailable(out)), 0, out.join("\n"));
        assert.match(out.join("\n"), /not checked: stack: cannot read the live stack \(Pulumi stack prod unavailable: PULUMI_ACCESS_TOKEN must be set/);
        const strict: string[] = [];
        assert.equal(await main([...dry, "--strict"], unavailable(strict)), 6, strict.join("\n"));
        assert.match(strict.join("\n"), /outcome: not checked — \d+ fact\(s\) above could not be checked, and --strict makes that a failure \(exit 6\)/);
        // A refusal wins over what could not be checked.
        const outside: string[] = [];
        assert.equal(await main([...dry.slice(0, -1), "2026-03-10T16:00", "--strict"], unavailable(outside)), 4);
    });

    it("--json prints one object: verdict, what was not checked, the plan; nothing else on stdout", async () => {
        const out: string[] = [];
        const code = await main([...dry, "--json", "--strict"], unavailable(out));
        assert.equal(code, 6);
        assert.equal(out.length, 1, out.join("\n"));
        const o = JSON.parse(out[0]);
        assert.equal(o.outcome, "not-checked");
        assert.equal(o.exitCode, 6);
        assert.deepEqual([o.stack, o.environment, o.strategy, o.release.id], ["prod", "prod", "canary", "abc123-prod"]);
        assert.equal(o.preflight.allowed, true);
        assert.ok(o.preflight.notChecked.length >= 3, o.preflight.notChecked);
        assert.equal(o.preflight.changeRequest.id, "CHG-42");
        assert.match(o.stackUnavailable, /PULUMI_ACCESS_TOKEN must be set/);
        assert.match(o.plan.find((l: string) => l.includes("step 1")), /10% to green/);
        assert.match(o.at, /^Tue 2026-03-10 10:30 EDT/);
    });
});

describe("rollout --dry-run --show-diff (main() with a faked previewer)", () => {
    const dry = ["rollout", "--stack", "prod", "--image", IMAGE, "--change-request", CR_FILE, "--dry-run", "--at", "2026-03-10T10:30", "--show-diff"];
    const diffs: StepDiff[] = [
        { step: "deploy green at 0%", target: null, summary: { same: 350, update: 2 }, changes: [
            { op: "update", type: "aws:ecs/service:Service", name: "tms-api-gateway-green", urn: "u1", replaceKeys: [], properties: [{ path: "desiredCount", before: "0", after: "6" }] }] },
        { step: "step 1: 10% to green", target: ["l1", "l2"], summary: { same: 360, update: 2 }, changes: [] },
    ];
    async function run(previewRelease: ReleasePreviewer["previewRelease"], extra: string[] = []) {
        const w = world({});
        const out: string[] = [];
        const asked: unknown[] = [];
        const code = await main([...dry, ...extra], {
            selectStack: async () => ({ name: "prod", outputs: async () => contractOutputs() }) as unknown as PulumiStackLike,
            adjustDeps: (deps) => ({ ...w.deps, onPreflight: deps.onPreflight, previewer: { previewRelease: async (p) => (asked.push(p), previewRelease(p)) } }),
            out: (l) => out.push(l), err: (l) => out.push(l), env: {},
        });
        return { code, out: out.join("\n"), lines: out, asked };
    }

    it("prints what the deploy and the first step would change, in the engine's words, after the preflight; the previews get the rollout's images and first weight", async () => {
        const r = await run(async () => diffs);
        assert.equal(r.code, 0, r.out);
        assert.deepEqual(r.asked, [{ images: { "api-gateway": IMAGE.split("=")[1] }, rolling: false, firstWeight: 10, stackFile: path.join(ROOT, "Pulumi.prod.yaml") }]);
        assert.match(r.out, /preflight at [^\n]*allowed[\s\S]*diff of deploy green at 0%: 2 to update, 350 unchanged \(the engine's pulumi preview --stack prod, with the config the rollout writes\)\n {2}~ {2}update {2}aws:ecs\/service:Service tms-api-gateway-green\n {8}desiredCount: 0 → 6\n/);
        assert.match(r.out, /diff of step 1: 10% to green: 2 to update, 360 unchanged \(the engine's pulumi preview --stack prod --target \(2 weighted listener resources\)/);
        const json = await run(async () => diffs, ["--json"]);
        const o = JSON.parse(json.lines[0]);
        assert.equal(json.lines.length, 1, json.out);
        assert.deepEqual([o.diff.map((d: StepDiff) => d.step), o.diffNotChecked], [["deploy green at 0%", "step 1: 10% to green"], null]);
    });

    it("a preview that fails is a fact not checked: listed, and exit 6 under --strict", async () => {
        const fail = async (): Promise<StepDiff[]> => { throw new Error("error: program failed: tms:deployment is older than the deployed release"); };
        const r = await run(fail);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /not checked: diff: the engine's preview failed: error: program failed: tms:deployment is older/);
        const strict = await run(fail, ["--strict"]);
        assert.equal(strict.code, 6, strict.out);
        assert.match(strict.out, /outcome: not checked — 1 fact\(s\) above could not be checked/);
    });
});

describe("Pulumi failures in Pulumi's words (the real Automation API driving a stand-in CLI)", function () {
    this.timeout(60_000);
    /**
     * A `pulumi` that answers `version` as v3.248.0 does and fails every other command the way the real
     * v3.248.0 does when not logged in: exit 3 and this stderr line (recorded from the CLI built in
     * tools/pulumi-cli by `pulumi stack select --stack prod --non-interactive` with no backend and no token).
     */
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
    fs.mkdirSync(path.join(root, "bin"));
    fs.writeFileSync(path.join(root, "bin", "pulumi"), "#!/bin/sh\nif [ \"$1\" = version ]; then echo v3.248.0; exit 0; fi\n" +
        "echo 'warning: A new version of Pulumi is available.' >&2\necho 'error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions' >&2\nexit 3\n", { mode: 0o755 });

    it("selecting a stack the CLI cannot reach says why, in one line, and names the command", async () => {
        await assert.rejects(automationStack("prod", ROOT, root), (e: Error) => {
            assert.equal(e.message, "PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions (pulumi stack select)");
            assert.ok(!/code: -2|stdout:|err\?:/.test(e.message), e.message);
            return true;
        });
    });

    it("the rollout's status reports that line, never a guessed cause", async () => {
        const out: string[] = [];
        const code = await main(["status", "--stack", "prod"], {
            selectStack: (s, d) => automationStack(s, d, root), out: (l) => out.push(l), err: (l) => out.push(l), env: {},
        });
        assert.equal(code, 1);
        assert.deepEqual(out, ["error: Pulumi stack prod unavailable: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions (pulumi stack select)"]);
    });

    it("a CLI that cannot be run at all is named as such (execa's ENOENT), and only then", async () => {
        await assert.rejects(automationStack("prod", ROOT, path.join(root, "nowhere")), /^Error: cannot run pulumi: not found on PATH|cannot run pulumi: not found on PATH/);
        assert.equal(firstMeaningfulLine("Command failed with exit code 255: pulumi up\nwarning: x\nerror: update failed\n"), "update failed");
        assert.equal(firstMeaningfulLine("\n\nsomething odd\n"), "something odd");
        assert.equal(pulumiFailure(new Error("first\nsecond")), "first");
    });

    it("names the subcommand, never its arguments (config values may be secrets)", () => {
        const e = Object.assign(new Error("code: -2\n stdout: \n stderr: …"), {
            commandResult: { code: -2, stdout: "", stderr: "Command failed with exit code 255: …", err: {
                command: "pulumi config set-all --path --secret tms:database.password=hunter2-long --stack prod",
                stderr: "warning: something\nerror: could not save the stack's configuration\n",
            } },
        });
        const text = pulumiFailure(e);
        assert.equal(text, "could not save the stack's configuration (pulumi config set-all)");
        assert.ok(!text.includes("hunter2"));
    });
});

describe("rollout CLI dry run (spawned, no AWS and no Pulumi CLI)", function () {
    this.timeout(60_000);
    // PATH without pulumi: the dry run must work on a machine with neither AWS access nor the Pulumi CLI.
    const spawnCli = (args: string[]) => spawnTs("automation/cli.ts", args, { ...process.env, PATH: `/nonexistent:${process.env.PATH}` });
    let inWindow: Awaited<ReturnType<typeof spawnCli>>;
    let outside: Awaited<ReturnType<typeof spawnCli>>;
    before(async () => {
        // Both at once: each ts-node start costs about a second.
        [inWindow, outside] = await Promise.all([
            spawnCli(["rollout", "--stack", "prod", "--dry-run", "--at", "2026-03-10T10:30", "--change-request", CR_FILE, "--image", IMAGE]),
            spawnCli(["rollout", "--stack", "prod", "--dry-run", "--at", "2026-03-10T16:00", "--change-request", CR_FILE, "--image", IMAGE]),
        ]);
    });

    it("a Tuesday 10:30 New York prints the plan and exits 0", () => {
        assert.equal(inWindow.code, 0, inWindow.stdout + inWindow.stderr);
        assert.match(inWindow.stdout, /plan:\n {3}1\. lock: take the prod rollout lock/);
        assert.match(inWindow.stdout, /deploy green at 0%: api-gateway=123456789012\.dkr\.ecr/);
        assert.match(inWindow.stdout, /step 3: 50% to green/);
        assert.match(inWindow.stdout, /preflight at Tue 2026-03-10 10:30 EDT \(America\/New_York\): allowed/);
        assert.match(inWindow.stdout, /outcome: dry-run \(exit 0\)/);
        // The dry run constructs AWS SDK clients; the SDK's nine-line Node-version warning stays off.
        assert.ok(!process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, "the test must not switch the warning off itself");
        assert.doesNotMatch(inWindow.stderr, /NodeVersionSupportWarning/);
        assert.ok(!fs.existsSync(path.join(ROOT, "deployments/prod")) || fs.readdirSync(path.join(ROOT, "deployments/prod")).length === 0, "a dry run writes no record");
    });

    it("16:00 is outside the window: exit 4 naming the rule and the New York time", () => {
        assert.equal(outside.code, 4, outside.stdout + outside.stderr);
        assert.match(outside.stdout, /refused: release-window: .* it is Tue 2026-03-10 16:00 EDT/);
    });
});
