import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyReport } from "../../tools/plan-policy";
import { PROJECT_DIR } from "../../cli/stack-file";
import { plan, STACKS } from "../harness";

const REGIONS = { dev: "us-east-1", staging: "us-east-1", prod: "us-east-1", dr: "us-west-2" } as const;

describe("policies over the shipped stacks (offline)", () => {
    for (const stack of STACKS) {
        it(`${stack} passes every mandatory policy`, async () => {
            const p = await plan(stack);
            const report = policyReport(p.result, { environment: stack, region: REGIONS[stack] });
            const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory.map((v) => `${v.policy}: ${v.name}: ${v.message}`), []);
            assert.match(report.text, /^\d+ policies run: /m);
            assert.ok(Number(/(\d+) policies run/.exec(report.text)![1]) >= 40);
        });
    }

    it("an insecure config file makes `plan --policy` exit 1 naming the policies it breaks", function () {
        this.timeout(60_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-policy-"));
        const file = path.join(dir, "Pulumi.insecure.yaml");
        const text = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")
            // The test listener opened to the internet and the ALB left deletable in prod.
            .replace("testListenerCidrs: [203.0.113.0/24]", "testListenerCidrs: [0.0.0.0/0]")
            .replace(/(tms:traffic:[\s\S]*?deletionProtection:) true/, "$1 false");
        assert.notEqual(text, fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8"));
        fs.writeFileSync(file, text);
        const r = spawnSync(path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node"),
            ["--transpile-only", path.join(PROJECT_DIR, "tools", "plan.ts"), "--stack", "prod", "--config-file", file, "--policy"],
            { cwd: PROJECT_DIR, encoding: "utf8" });
        assert.equal(r.status, 1, r.stderr);
        assert.match(r.stdout, /^mandatory\s+\S+\s+security-group-no-internet-ingress\s+tms-network-alb-ingress-8443-anywhere-v4/m);
        assert.match(r.stdout, /^mandatory\s+\S+\s+alb-deletion-protection\s+tms-traffic-alb/m);
        assert.match(r.stdout, /policies run: \d+ violation\(s\): [1-9]\d* mandatory/);
    });
});
