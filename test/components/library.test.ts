/**
 * L2: the components as a library. A separate program (examples/library/index.ts, the README's
 * example) is copied to a folder outside this repository whose node_modules holds this package and
 * @pulumi as links (what `npm install <path-to-this-repo>` makes), then runs under the mock engine:
 * it imports the package by name, gets components/index.ts through package.json `exports`, and
 * registers only what it constructs, never the stack program.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runProgram, type RunResult } from "../../tools/mock-engine";
import { PROJECT_DIR } from "../../cli/stack-file";

const EXAMPLE = path.join(PROJECT_DIR, "examples", "library", "index.ts");

describe("the components as a library (a separate program importing the package by name)", function () {
    this.timeout(60_000);
    let dir: string;
    let result: RunResult;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-consumer-"));
        fs.mkdirSync(path.join(dir, "node_modules"));
        fs.symlinkSync(PROJECT_DIR, path.join(dir, "node_modules", "tms-infrastructure"), "dir");
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"), "dir");
        fs.copyFileSync(EXAMPLE, path.join(dir, "index.ts"));
        result = await runProgram({ stack: "demo", project: "tms-library-example", config: {}, program: path.join(dir, "index.ts") });
    });

    it("resolves the package name through `exports` to components/index.ts, not the stack program", () => {
        assert.equal(require.resolve("tms-infrastructure", { paths: [dir] }), path.join(PROJECT_DIR, "components", "index.ts"));
        assert.throws(() => require.resolve("tms-infrastructure/index.ts", { paths: [dir] }), /ERR_PACKAGE_PATH_NOT_EXPORTED|not defined by "exports"/);
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
        // The service reaches Redis through the group's endpoint, wired by the program.
        const task = result.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
        const env = JSON.parse(task.inputs.containerDefinitions)[0].environment;
        assert.deepEqual(env.find((e: { name: string }) => e.name === "REDIS_HOST"), { name: "REDIS_HOST", value: group.outputs.primaryEndpointAddress });
        assert.equal(result.outputs.redisEndpoint, group.outputs.primaryEndpointAddress);
        assert.equal(result.outputs.serviceName, "api-blue");
    });

    it("is the program the README shows", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        assert.ok(readme.includes("```ts\n" + fs.readFileSync(EXAMPLE, "utf8") + "```"), "README's library example differs from examples/library/index.ts");
    });
});
