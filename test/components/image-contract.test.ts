/**
 * L2: every task definition and every MongoDB URI of the four stacks keep the image contract
 * (components/image-contract.ts), and docs/image-contract.md states the same values. What only the
 * image can keep (the bundle file exists, /tmp is prepared under VOLUME) the document asks of it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { healthCheckCommand, IMAGE_CONTRACT, volumeName } from "../../components/image-contract";
import { PROJECT_DIR } from "../../cli/stack-file";
import { json, plan, STACKS } from "../harness";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

describe("the image contract (L2)", () => {
    for (const stack of STACKS) {
        describe(`stack ${stack}`, () => {
            it("every container of every task definition runs as the contract's user on a read-only root, writable only at the contract's paths", async () => {
                const p = await plan(stack);
                const tds = p.ofType(TASK_DEFINITION);
                assert.ok(tds.length >= 2, `${tds.length} task definitions`);
                for (const td of tds) {
                    assert.deepEqual(td.inputs.volumes, IMAGE_CONTRACT.writablePaths.map((x) => ({ name: volumeName(x) })), td.name);
                    for (const c of json(td.inputs.containerDefinitions)) {
                        const where = `${td.name}/${c.name}`;
                        assert.equal(c.user, IMAGE_CONTRACT.user, where);
                        assert.equal(c.readonlyRootFilesystem, true, where);
                        assert.deepEqual(c.mountPoints.map((m: any) => m.containerPath), [...IMAGE_CONTRACT.writablePaths], where);
                        assert.ok(c.mountPoints.every((m: any) => m.readOnly === false && td.inputs.volumes.some((v: any) => v.name === m.sourceVolume)), where);
                    }
                }
            });

            it("every service container checks its health with the contract's command (no shell, no curl)", async () => {
                const p = await plan(stack);
                const cfg = p.outputs;
                for (const td of p.ofType(TASK_DEFINITION).filter((t) => !t.inputs.family.endsWith("-migrate"))) {
                    const [c] = json(td.inputs.containerDefinitions);
                    const port = c.portMappings[0].containerPort;
                    assert.deepEqual(c.healthCheck.command, healthCheckCommand(port, "/health"), td.name);
                    assert.ok(!JSON.stringify(c.healthCheck).includes("curl"), td.name);
                }
                assert.ok(cfg.clusterName);
            });

            it("every MongoDB URI verifies DocumentDB's certificate with the contract's CA bundle, the migration task's master URI included", async () => {
                const p = await plan(stack);
                const uris = p.ofType(SECRET)
                    .map((s) => ({ name: s.inputs.name as string, value: String(p.ofType(VERSION).find((v) => p.dependsOn(v, "secretId", s))!.inputs.secretString) }))
                    .filter((v) => v.value.startsWith("mongodb://"));
                const expected = stack === "dr" ? 2 : 3;
                assert.equal(uris.length, expected, uris.map((u) => u.name).join(", "));
                for (const u of uris) {
                    const options = new URLSearchParams(u.value.split("?")[1]);
                    assert.equal(options.get("tls"), "true", u.name);
                    assert.equal(options.get("tlsCAFile"), IMAGE_CONTRACT.caBundlePath, u.name);
                }
                if (stack !== "dr") assert.ok(uris.some((u) => u.name.endsWith("/database/master-credentials")), "the migration task's master URI is checked too");
            });
        });
    }

    it("docs/image-contract.md states every value of the contract", () => {
        const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "image-contract.md"), "utf8");
        for (const v of [IMAGE_CONTRACT.user, IMAGE_CONTRACT.caBundlePath, ...IMAGE_CONTRACT.writablePaths, IMAGE_CONTRACT.python, `VOLUME ["${IMAGE_CONTRACT.writablePaths[0]}"]`]) {
            assert.ok(doc.includes(v), `the page does not state ${v}`);
        }
        const [, , , script] = healthCheckCommand(5000, "/health");
        assert.ok(doc.includes(script.replace('"http://127.0.0.1:5000/health"', '\\"http://127.0.0.1:<port><health path>\\"')), "the page shows the health command");
    });
});
