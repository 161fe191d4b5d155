/** L4: the chaos suite's fault plan (tools/fake-aws/faults.ts): which operation a fault hits, how often, and what it does. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { injectFault, matchFault, readFaultPlan, type Fault } from "../../tools/fake-aws";

describe("fault plan of the fake providers", () => {
    const plan: Fault[] = [
        { op: "update", type: "^aws:lb/listenerRule:", name: "-origin-rule$", action: "throttle", times: 2 },
        { op: "create", action: "fail", message: "boom" },
    ];

    it("matches by operation, type and name, until a fault's count is used up", () => {
        assert.equal(matchFault(plan, [], "update", "aws:lb/listenerRule:ListenerRule", "tms-traffic-origin-rule"), 0);
        assert.equal(matchFault(plan, [], "update", "aws:lb/listener:Listener", "tms-traffic-origin-rule"), null);
        assert.equal(matchFault(plan, [2], "update", "aws:lb/listenerRule:ListenerRule", "tms-traffic-origin-rule"), null, "used up");
        assert.equal(matchFault(plan, [2], "create", "aws:ecs/service:Service", "x"), 1);
    });

    it("counts hits across provider processes in a file beside the plan; throttles, fails, and lets the rest through", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "faults-"));
        const file = path.join(dir, "plan.json");
        fs.writeFileSync(file, JSON.stringify(plan));
        const env = { TMS_FAULT_PLAN: file };
        const hit = () => injectFault("update", "aws:lb/listenerRule:ListenerRule", "tms-traffic-origin-rule", env);
        await assert.rejects(hit(), /ThrottlingException: Rate exceeded/);
        await assert.rejects(hit(), /ThrottlingException/);
        await hit(); // the third passes
        await assert.rejects(injectFault("create", "aws:ecs/service:Service", "x", env), /^Error: boom$/);
        assert.equal(fs.readFileSync(`${file}.hits`, "utf8"), "0\n0\n1\n");
        fs.writeFileSync(file, JSON.stringify([{ op: "delete", action: "fail" }]));
        assert.throws(() => readFaultPlan(file), /\[0\]\.op: expected "create" or "update"/);
    });
});
