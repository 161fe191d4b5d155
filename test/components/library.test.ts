/**
 * L2: the components as an installed package. `npm pack` makes the tarball a user installs (the build's
 * JS and .d.ts, package.json `files`); it is installed into a scratch project outside this repository
 * and examples/library/index.ts (the example docs/library.md shows) runs there: plain Node loads the package (no
 * ts-node: TypeScript shipped as `main` failed with `SyntaxError: Unexpected identifier`), the
 * compiler type-checks the example against the shipped .d.ts, and the mock engine runs it: it imports
 * the package by name and registers only what it constructs, never the stack program.
 *
 * Cost: the tarball is installed as npm would lay it out (extracted to node_modules/tms-infrastructure),
 * with the package's dependencies linked from this repository's node_modules instead of downloaded
 * (the mock engine must share the test's own @pulumi/pulumi anyway). The build is `npm run build`'s
 * (which `npm test` runs first); when dist/ is older than the sources, the package alone is built
 * (tsconfig.build.json). The PR workflow also installs the tarball with a real `npm install`.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram, type RunResult } from "../../tools/mock-engine";
import { PROJECT_DIR } from "../../cli/stack-file";

const EXAMPLE = path.join(PROJECT_DIR, "examples", "library", "index.ts");
const BIN = (name: string) => path.join(PROJECT_DIR, "node_modules", ".bin", name);

/** Newest modification time of the package's sources. */
function newestSource(): number {
    let newest = 0;
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (e.name.endsWith(".ts")) newest = Math.max(newest, fs.statSync(p).mtimeMs);
        }
    };
    walk(path.join(PROJECT_DIR, "components"));
    walk(path.join(PROJECT_DIR, "config"));
    return newest;
}

/** The build the package ships, rebuilt (package only) when older than the sources. */
function ensureBuilt(): void {
    const entry = path.join(PROJECT_DIR, "dist", "components", "index.js");
    if (fs.existsSync(entry) && fs.statSync(entry).mtimeMs >= newestSource()) return;
    const r = spawnSync(BIN("tsc"), ["-p", "tsconfig.build.json"], { cwd: PROJECT_DIR, encoding: "utf8" });
    assert.equal(r.status, 0, `tsc -p tsconfig.build.json:\n${r.stdout}${r.stderr}`);
}

interface Packed {
    filename: string;
    files: { path: string }[];
}

describe("the components as an installed package (npm pack → a scratch project outside the repository)", function () {
    this.timeout(180_000);
    let scratch: string;
    let out: string;
    let packed: Packed;
    let result: RunResult;
    before(async () => {
        ensureBuilt();
        out = fs.mkdtempSync(path.join(os.tmpdir(), "tms-pack-"));
        const pack = spawnSync("npm", ["pack", "--json", "--pack-destination", out], { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(pack.status, 0, pack.stderr);
        packed = JSON.parse(pack.stdout)[0];
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tms-consumer-"));
        const installed = path.join(scratch, "node_modules", "tms-infrastructure");
        fs.mkdirSync(installed, { recursive: true });
        const tar = spawnSync("tar", ["-xzf", path.join(out, packed.filename), "-C", installed, "--strip-components=1"], { encoding: "utf8" });
        assert.equal(tar.status, 0, tar.stderr);
        // The installed package's dependencies, from this repository's node_modules.
        const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
        for (const dep of Object.keys(pkg.dependencies)) {
            const link = path.join(scratch, "node_modules", dep);
            fs.mkdirSync(path.dirname(link), { recursive: true });
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", dep), link, "dir");
        }
        fs.copyFileSync(EXAMPLE, path.join(scratch, "index.ts"));
        fs.copyFileSync(path.join(PROJECT_DIR, "examples", "library", "package.json"), path.join(scratch, "package.json"));
        result = await runProgram({ stack: "demo", project: "tms-library-example", config: {}, program: path.join(scratch, "index.ts") });
    });

    after(() => {
        for (const d of [scratch, out]) if (d) fs.rmSync(d, { recursive: true, force: true });
    });

    it("declares the names the example imports in the shipped index.d.ts, which `types` and `exports` name", () => {
        const installed = path.join(scratch, "node_modules", "tms-infrastructure");
        const pkg = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
        assert.equal(pkg.types, "dist/components/index.d.ts");
        assert.equal(pkg.exports["."].types, "./dist/components/index.d.ts");
        const dts = fs.readFileSync(path.join(installed, pkg.types), "utf8");
        for (const name of ["RedisReplicationGroup", "FargateColourService", "configSchema", "type ServiceConfig"]) assert.ok(dts.includes(name), name);
        assert.ok(fs.existsSync(path.join(installed, "dist", "config", "stack-config.d.ts")), "the config types it re-exports ship too");
    });

    it("packs the build and nothing else: JS and .d.ts of the components and their config, the bin, the README", () => {
        const paths = packed.files.map((f) => f.path);
        const outside = paths.filter((p) => !/^dist\/(components|config)\/[a-z-]+\.(js|d\.ts)$/.test(p) && !["package.json", "README.md", "bin/tms.js"].includes(p));
        assert.deepEqual(outside, []);
        assert.ok(paths.includes("dist/components/index.js") && paths.includes("dist/components/index.d.ts"));
        assert.ok(paths.length < 110, `${paths.length} files`);
    });

    it("plain Node loads it by name (no ts-node), through `exports` to the build; the installed `tms` says it is the library", () => {
        const r = spawnSync("node", ["-e", "const t = require('tms-infrastructure'); console.log(require.resolve('tms-infrastructure'), typeof t.RedisReplicationGroup, typeof t.loadStackConfig)"],
            { cwd: scratch, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout.trim(), /\/node_modules\/tms-infrastructure\/dist\/components\/index\.js function function$/);
        assert.throws(() => require.resolve("tms-infrastructure/components/index.ts", { paths: [scratch] }), /ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"/);
        const bin = spawnSync("node", [path.join(scratch, "node_modules", "tms-infrastructure", "bin", "tms.js"), "plan"], { cwd: scratch, encoding: "utf8" });
        assert.equal(bin.status, 1);
        assert.match(bin.stderr, /^tms: the operator commands .* run from a checkout of the infrastructure repository; this installed package holds the components library only/);
    });

    it("the example type-checks against the shipped .d.ts (strict; about 7 s of CPU: with TMS_PACK_TYPECHECK=1, as the PR workflow runs it)", function () {
        if (process.env.TMS_PACK_TYPECHECK !== "1") this.skip();
        fs.writeFileSync(path.join(scratch, "tsconfig.json"), JSON.stringify({
            compilerOptions: { strict: true, noEmit: true, module: "node16", moduleResolution: "node16", target: "ES2022", skipLibCheck: true, types: [] },
            files: ["index.ts"],
        }));
        const r = spawnSync(BIN("tsc"), ["-p", "tsconfig.json"], { cwd: scratch, encoding: "utf8" });
        assert.equal(r.status, 0, r.stdout + r.stderr);
    });

    it("registers the Redis group and the colour service it composes, and nothing of the stack program", () => {
        const types = new Set(result.resources.map((r) => r.type));
        assert.ok(types.has("tms:data:RedisReplicationGroup"));
        assert.ok(types.has("tms:compute:FargateColourService"));
        assert.ok(types.has("aws:elasticache/replicationGroup:ReplicationGroup"));
        assert.ok(types.has("aws:ecs/service:Service"));
        for (const t of ["tms:index:EnvironmentStack", "tms:network:Network", "pulumi:providers:aws"]) assert.ok(!types.has(t), `${t} registered`);
        const group = result.resources.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
        assert.equal(group.inputs.replicationGroupId, "tms-demo-redis");
        assert.equal(group.inputs.nodeType, "cache.t3.small");
        // The example's transform and its overrides of the colour service's hard-coded defaults reach AWS.
        assert.equal(group.inputs.finalSnapshotIdentifier, "tms-demo-redis-final");
        // The service reaches Redis through the group's endpoint, wired by the program.
        const task = result.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
        assert.equal(task.inputs.runtimePlatform.cpuArchitecture, "ARM64");
        assert.deepEqual(JSON.parse(task.inputs.containerDefinitions)[0].healthCheck.command, ["CMD", "/app/healthcheck"]);
        const env = JSON.parse(task.inputs.containerDefinitions)[0].environment;
        assert.deepEqual(env.find((e: { name: string }) => e.name === "REDIS_HOST"), { name: "REDIS_HOST", value: group.outputs.primaryEndpointAddress });
        assert.equal(result.outputs.redisEndpoint, group.outputs.primaryEndpointAddress);
        assert.equal(result.outputs.serviceName, "api-blue");
    });

    it("is the program docs/library.md shows", () => {
        const page = fs.readFileSync(path.join(PROJECT_DIR, "docs", "library.md"), "utf8");
        assert.ok(page.includes("```ts\n" + fs.readFileSync(EXAMPLE, "utf8") + "```"), "docs/library.md's example differs from examples/library/index.ts");
    });
});
