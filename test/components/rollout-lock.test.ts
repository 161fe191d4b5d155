import { strict as assert } from "assert";
import * as path from "path";
import { runProgram } from "../../tools/mock-engine";

const program = path.join(__dirname, "fixtures/rollout-lock-program.ts");

describe("RolloutLockTable", () => {
    for (const protect of [true, false]) {
        it(`is an encrypted on-demand table keyed by pk with TTL and PITR (protect=${protect})`, async () => {
            const r = await runProgram({ stack: "prod", program, config: { "test:protect": String(protect) } });
            const comp = r.resources.find((x) => x.type === "tms:automation:RolloutLockTable");
            assert.ok(comp);
            const t = r.resources.find((x) => x.type === "aws:dynamodb/table:Table")!;
            assert.equal(t.parent, comp.urn);
            assert.equal(t.name, "lock-table");
            assert.equal(t.inputs.billingMode, "PAY_PER_REQUEST");
            assert.equal(t.inputs.hashKey, "pk");
            assert.deepEqual(t.inputs.attributes, [{ name: "pk", type: "S" }]);
            assert.deepEqual(t.inputs.ttl, { attributeName: "ttl", enabled: true });
            assert.deepEqual(t.inputs.pointInTimeRecovery, { enabled: true });
            assert.deepEqual(t.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/abc" });
            assert.equal(t.inputs.deletionProtectionEnabled, protect);
            assert.equal(t.options.protect ?? false, protect);
        });
    }
});
