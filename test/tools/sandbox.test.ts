/**
 * The offline sandbox's pure parts (L2/L4): the fake provider plugins' answers over the provider protocol
 * (state, diff, preview), the generated project, the plugin and CLI builds. The fake AWS behind the
 * plugins has its own tests (test/tools/fake-aws.test.ts); the sandbox itself runs on the real engine in
 * `npm run test:engine` (L5).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { diffState, parseUrn, plannedState, previewUpdateState, regionFromConfig, reveal } from "../../tools/sandbox/fake-provider";
import { HOST_WRAPPER_DIR, ldflags, versionAtLeast, WRAPPER_DIR, wrapperVersion } from "../../tools/sandbox/pulumi-cli";
import { PROJECT_DIR } from "../../cli/stack-file";
import { hostScript, PLUGIN_DIR, PROGRAM_NODE_ARGS, sandboxEnv, sandboxProject } from "../../tools/sandbox/sandbox";
import { programOf, runnerProblem } from "../../tools/sandbox/program-runner";
import { CODE_PATHS_EXPORTS, codePathsFile } from "../../tools/sandbox/lazy-sdk";
import { spawnSync } from "child_process";
import { mockInvoke } from "../../tools/fake-aws";
import { checkpointStamp } from "../../tools/sandbox/rollout-env";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const URN = "urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$aws:kms/key:Key::tms-keys-data";

describe("fake provider plugins (the fake AWS behind the real provider protocol)", () => {
    it("reads type and name from a URN with parents", () => {
        assert.deepEqual(parseUrn(URN), { type: "aws:kms/key:Key", name: "tms-keys-data" });
        assert.throws(() => parseUrn("tms-keys-data"), /not a resource URN/);
    });

    it("computes the mock engine's outputs and keeps secret inputs secret", () => {
        const { id, state } = plannedState("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretString: secret("hunter2-long-password") }, "us-east-1");
        assert.ok(id);
        assert.deepEqual(state.secretString, secret("hunter2-long-password"));
        const key = plannedState("aws:kms/key:Key", "tms-keys-data", { description: "data" }, "us-west-2").state;
        assert.match(key.arn, /^arn:aws:kms:us-west-2:111122223333:key\/[0-9a-f-]+$/);
        assert.deepEqual(reveal({ a: [secret(1)], b: secret({ c: secret("x") }) }), { a: [1], b: { c: "x" } });
    });

    it("gives a replacement new ids and ARNs; a name-based id stays the name", () => {
        const first = plannedState("aws:servicediscovery/service:Service", "tms-api-blue-discovery", { name: "api-blue" }, "us-east-1");
        const second = plannedState("aws:servicediscovery/service:Service", "tms-api-blue-discovery", { name: "api-blue" }, "us-east-1", 1);
        assert.notEqual(first.id, second.id);
        assert.notEqual(first.state.arn, second.state.arn);
        assert.equal(plannedState("aws:cloudwatch/logGroup:LogGroup", "l", { name: "/tms/x" }, "us-east-1", 3).id, "/tms/x");
        // prod's and dr's resources of one logical name share an account: each stack's get ids of their own.
        assert.notEqual(plannedState("aws:kms/key:Key", "tms-keys-logs", {}, "us-east-1", 0, "prod").id, plannedState("aws:kms/key:Key", "tms-keys-logs", {}, "us-east-1", 0, "dr").id);
    });

    it("diffs as the provider would: secrets compared by value", () => {
        const type = "aws:secretsmanager/secretVersion:SecretVersion";
        const olds = plannedState(type, "v", { secretId: "s", secretString: secret("a") }, "us-east-1").state;
        assert.deepEqual(diffState(type, "v", olds, { secretId: "s", secretString: secret("a") }).changed, []);
        assert.deepEqual(diffState(type, "v", olds, { secretId: "s", secretString: secret("b") }).changed, ["secretString"]);
    });

    it("previews an update as the AWS provider plans it: the new inputs, every computed output kept", () => {
        const type = "aws:lb/listenerRule:ListenerRule";
        const listenerArn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/tms-alb/0123456789abcdef/fedcba9876543210";
        const olds = plannedState(type, "tms-traffic-origin", { listenerArn, priority: 10, actions: [{ type: "forward", forward: { targetGroups: [{ arn: "b", weight: 100 }] } }] }, "us-east-1").state;
        const weighted = { listenerArn, priority: 10, actions: [{ type: "forward", forward: { targetGroups: [{ arn: "b", weight: 90 }, { arn: "g", weight: 10 }] } }] };
        const p = previewUpdateState(type, "tms-traffic-origin", olds, weighted, "us-east-1");
        assert.equal(p.arn, olds.arn, "a weight change keeps the rule's ARN");
        assert.deepEqual(p.actions, weighted.actions);
        assert.deepEqual(diffState(type, "tms-traffic-origin", olds, weighted), { changed: ["actions"], replaces: [], replaceReasons: [] }, "and replaces nothing");
    });

    it("takes the region from the provider's configuration", () => {
        assert.equal(regionFromConfig({ region: "us-west-2" }, {}), "us-west-2");
        assert.equal(regionFromConfig({}, { "aws:region": "eu-west-1" }), "eu-west-1");
        assert.equal(regionFromConfig({ region: unknownValue }, {}), undefined);
    });

    it("fails loudly on a data source the fake AWS does not know", () => {
        assert.equal(mockInvoke("aws:index/getRegion:getRegion", {}, "us-west-2").name, "us-west-2");
        assert.throws(() => mockInvoke("aws:ec2/getVpc:getVpc", {}, "us-east-1"), /no answer for the data source aws:ec2\/getVpc:getVpc/);
    });
});

describe("the sandbox project", () => {
    it("registers the fake plugins only in the generated Pulumi.yaml, never in the repository's", () => {
        const repo = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        assert.equal(repo.plugins, undefined, "the Pulumi.yaml users deploy with has no plugins section");
        const p = sandboxProject(repo, { aws: "7.48.0", random: "4.21.2" }, "nodejs68");
        assert.equal(p.name, "tms");
        assert.deepEqual(p.runtime, { name: "nodejs68", options: { typescript: true, nodeargs: PROGRAM_NODE_ARGS } }, "the built CLI's language host, with the project's options");
        assert.equal(sandboxProject(repo, {}).runtime.name, "nodejs");
        assert.equal(p.main, path.join(PROJECT_DIR, "index.ts"));
        const compiled = sandboxProject(repo, {}, "nodejs68", undefined, "/build/program/index.js");
        assert.deepEqual([compiled.main, compiled.runtime], ["/build/program/index.js", { name: "nodejs68", options: { typescript: false, nodeargs: PROGRAM_NODE_ARGS } }],
            "the compiled program runs without TypeScript");
        const hosted = sandboxProject(repo, {}, "nodejs68", { language: "/sb/host", analyzer: "/cli/bin" });
        assert.deepEqual([hosted.plugins.languages, hosted.plugins.analyzers], [[{ name: "nodejs68", path: "/sb/host" }], [{ name: "policy-nodejs", path: "/cli/bin" }]]);
        assert.deepEqual(p.plugins.providers, [{ name: "aws", version: "7.48.0", path: PLUGIN_DIR }, { name: "random", version: "4.21.2", path: PLUGIN_DIR }]);
        for (const name of ["aws", "awsx", "random"]) {
            const file = path.join(PLUGIN_DIR, `pulumi-resource-${name}`);
            assert.ok(fs.statSync(file).mode & 0o100, `${file} is executable`);
        }
    });

    it("hands the built language host its runtime options as the flags it reads (it ignores Pulumi.yaml's options)", () => {
        const script = hostScript("/cli/bin", "nodejs68", false);
        assert.match(script, /^#!\/bin\/sh\n/);
        assert.match(script, /\nexec "\/cli\/bin\/pulumi-language-nodejs68" -typescript=false -nodeargs="--max-semi-space-size=64" "\$@"\n$/);
        assert.match(hostScript("/cli/bin", "nodejs68", true), / -typescript=true /);
    });

    it("the program runner refuses a compiled program started with TypeScript on, and finds the program in the host's arguments", () => {
        const argv = ["--monitor", "127.0.0.1:1", "--stack", "dev", "--pwd", "/sb/project", "--parallel", "48", "index.js"];
        assert.equal(programOf(argv), "index.js");
        assert.equal(programOf(["--monitor", "x", "/repo/index.ts"]), "/repo/index.ts");
        assert.match(runnerProblem("index.js", { PULUMI_NODEJS_TYPESCRIPT: "true" }) ?? "", /compiled program index\.js was started with TypeScript on .*-typescript=false/);
        assert.equal(runnerProblem("index.js", {}), undefined);
        assert.equal(runnerProblem("/repo/index.ts", { PULUMI_NODEJS_TYPESCRIPT: "true" }), undefined, "the TypeScript program needs it");
    });

    it("the runner's stand-in for the SDK's codePaths has the installed module's functions, loads none of arborist, and calls the real one", () => {
        const real = require(codePathsFile(PROJECT_DIR)) as Record<string, unknown>;
        assert.deepEqual(Object.keys(real).filter((k) => typeof real[k] === "function").sort(), [...CODE_PATHS_EXPORTS].sort(),
            "the SDK's runtime/closure/codePaths changed its exports: update CODE_PATHS_EXPORTS (tools/sandbox/lazy-sdk.ts)");
        // A fresh process: the SDK's index without arborist, then the real module on the first call.
        const script = [
            `const { deferCodePaths } = require(${JSON.stringify(path.join(PROJECT_DIR, "tools/sandbox/lazy-sdk.ts"))});`,
            `const installed = deferCodePaths(${JSON.stringify(PROJECT_DIR)});`,
            `const runtime = require("@pulumi/pulumi").runtime;`,
            `const arborist = () => Object.keys(require.cache).some((f) => f.includes("/@npmcli/arborist/"));`,
            `const before = arborist();`,
            `runtime.computeCodePaths({ extraIncludePaths: [], extraIncludePackages: [], extraExcludePackages: ["@pulumi/pulumi"] }).then((paths) =>`,
            `  console.log(JSON.stringify({ installed, before, after: arborist(), paths: paths.size })));`,
        ].join("\n");
        const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        const seen = JSON.parse(r.stdout.trim().split("\n").pop()!);
        assert.deepEqual({ ...seen, paths: seen.paths > 0 }, { installed: true, before: false, after: true, paths: true });
    });

    it("runs with its own backend, home and passphrase, and never with the caller's AWS or Pulumi settings", () => {
        const env = sandboxEnv("/tmp/sb", { binDir: "/opt/pulumi/bin", pulumi: "/opt/pulumi/bin/pulumi", version: "v3.248.0", runtime: "nodejs", source: "path" },
            { PATH: "/usr/bin", AWS_PROFILE: "prod-admin", AWS_SECRET_ACCESS_KEY: "x", PULUMI_ACCESS_TOKEN: "pul-123", HOME: "/root" });
        assert.equal(env.PATH, "/opt/pulumi/bin:/usr/bin");
        assert.equal(env.PULUMI_BACKEND_URL, "file:///tmp/sb/state");
        assert.equal(env.PULUMI_HOME, "/tmp/sb/home");
        assert.equal(env.AWS_PROFILE, undefined);
        assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
        assert.equal(env.PULUMI_ACCESS_TOKEN, undefined);
        assert.equal(env.HOME, "/root");
    });

    it("builds the CLI at @pulumi/pulumi's release and the language host at the newest release that has one, versions stamped in", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8"));
        const sdk = `v${lock.packages["node_modules/@pulumi/pulumi"].version}`;
        assert.equal(wrapperVersion(fs.readFileSync(path.join(WRAPPER_DIR, "go.mod"), "utf8")), sdk, "the CLI is the release of the Node SDK the program uses");
        assert.equal(wrapperVersion(fs.readFileSync(path.join(HOST_WRAPPER_DIR, "go.mod"), "utf8"), "sdk"), "v3.68.0");
        assert.throws(() => wrapperVersion("module x\n"), /no requirement on github.com\/pulumi\/pulumi\/pkg\/v3/);
        assert.equal(ldflags("v3.248.0"), "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0");
        assert.match(ldflags("v3.68.0", true), /^-checklinkname=0 -X github.com\/pulumi\/pulumi\/pkg\/v3\/version.Version=v3.68.0 -X github.com\/pulumi\/pulumi\/sdk\/v3\/go\/common\/version.Version=v3.68.0$/);
        assert.ok(versionAtLeast("v3.248.0", "v3.68.0") && versionAtLeast("v3.68.0", "v3.68.0") && !versionAtLeast("v3.67.1", "v3.68.0") && !versionAtLeast("v3.99.0", "v3.248.0"));
        assert.deepEqual(fs.readdirSync(WRAPPER_DIR).filter((f) => f !== "bin").sort(), ["go.mod", "go.sum", "language-host"], "the wrappers commit nothing else");
        assert.deepEqual(fs.readdirSync(HOST_WRAPPER_DIR).sort(), ["go.mod", "go.sum"]);
    });
});

describe("the sandbox's load-balancer view: exported again when the stack's checkpoint changed (rollout-env.ts checkpointStamp)", () => {
    it("changes with each write of the checkpoint (a rename, as the file backend writes), not with time; without the file, every 3 s", () => {
        const state = fs.mkdtempSync(path.join(require("os").tmpdir(), "stamp-"));
        const dir = path.join(state, ".pulumi", "stacks", "tms");
        fs.mkdirSync(dir, { recursive: true });
        assert.equal(checkpointStamp(state, "prod", 1000), "time:0");
        assert.equal(checkpointStamp(state, "prod", 2999), "time:0");
        assert.equal(checkpointStamp(state, "prod", 3000), "time:1");
        const write = (body: string, mtime: number) => {
            fs.writeFileSync(path.join(dir, ".tmp"), body);
            fs.utimesSync(path.join(dir, ".tmp"), mtime, mtime);
            fs.renameSync(path.join(dir, ".tmp"), path.join(dir, "prod.json"));
        };
        write('{"version":3}', 1_800_000_000);
        const first = checkpointStamp(state, "prod", 1000);
        assert.match(first, /^tms\/prod\.json@/);
        assert.equal(checkpointStamp(state, "prod", 60_000), first, "the same checkpoint minutes later: reused");
        write('{"version":3,"x":1}', 1_800_000_000);
        assert.notEqual(checkpointStamp(state, "prod", 60_000), first, "same second, another size: read again");
        const second = checkpointStamp(state, "prod", 60_000);
        write('{"version":3,"y":1}', 1_800_000_001);
        assert.notEqual(checkpointStamp(state, "prod", 60_000), second, "same size, a later write: read again");
        assert.equal(checkpointStamp(state, "dr", 60_000), "time:20", "another stack's file is not this one's");
        fs.rmSync(state, { recursive: true, force: true });
    });
});
