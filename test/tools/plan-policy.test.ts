import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyReport } from "../../tools/plan-policy";
import { knownSecretValues, publicRecord } from "../../tools/plan";
import { main as policyMain } from "../../tools/policy-runner";
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

    it("the policy runner passes on every stack's unmodified `plan --json` (secrets masked leaf by leaf, the rest kept)", async () => {
        for (const stack of STACKS) {
            const p = await plan(stack);
            const text = JSON.stringify(publicRecord(p.result));
            for (const secret of knownSecretValues(p.result)) assert.ok(!text.includes(secret), `${stack}: a secret value is printed`);
            const out: string[] = [];
            const err: string[] = [];
            const code = await policyMain(["--record", "-"], { out: (t) => out.push(t), err: (t) => err.push(t) }, () => text);
            assert.equal(code, 0, `${stack}: ${out.join("\n")}${err.join("\n")}`);
            assert.match(out.join("\n"), /policies run: \d+ violation\(s\): 0 mandatory/);
        }
        // The CDN's origins stay readable; only the origin-verify header's value is masked.
        const prod = JSON.parse(JSON.stringify(publicRecord((await plan("prod")).result)));
        const cdn = prod.resources.find((r: any) => r.type === "aws:cloudfront/distribution:Distribution");
        assert.equal(cdn.inputs.origins[0].customOriginConfig.originProtocolPolicy, "https-only");
        assert.deepEqual(cdn.inputs.origins[0].customHeaders, [{ name: "X-Origin-Verify", value: "[secret]" }]);
    });

    it("the policy runner refuses a record it cannot read, and a mandatory violation exits 4", async () => {
        const run = async (argv: string[], stdin = "") => {
            const lines: string[] = [];
            const code = await policyMain(argv, { out: (t) => lines.push(t), err: (t) => lines.push(t) }, () => stdin);
            return { code, text: lines.join("\n") };
        };
        assert.deepEqual(await run(["--record", "/nonexistent/plan.json"]), { code: 1, text: "/nonexistent/plan.json: cannot read the plan record: ENOENT" });
        assert.deepEqual(await run(["--record", "-"], "{}"), { code: 1, text: "stdin: not a plan record (expected `plan --json` output: stack, project, resources, outputs)" });
        assert.match((await run(["--record", "-", "--environment", "qa"])).text, /^--environment: "qa" is not one of dev, staging, prod, dr/);
        const prod = publicRecord((await plan("prod")).result);
        const alb = prod.resources.find((r) => r.type === "aws:lb/loadBalancer:LoadBalancer")!;
        alb.inputs.enableDeletionProtection = false;
        const r = await run(["--record", "-"], JSON.stringify(prod));
        assert.equal(r.code, 4);
        assert.match(r.text, /^mandatory\s+\S+\s+alb-deletion-protection\s+/m);
    });

    it("an insecure config file makes `plan --policy` exit 4 (refused) naming the policies it breaks", function () {
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
        assert.equal(r.status, 4, r.stderr);
        assert.match(r.stdout, /^mandatory\s+\S+\s+security-group-no-internet-ingress\s+tms-network-alb-ingress-8443-anywhere-v4/m);
        assert.match(r.stdout, /^mandatory\s+\S+\s+alb-deletion-protection\s+tms-traffic-alb/m);
        assert.match(r.stdout, /policies run: \d+ violation\(s\): [1-9]\d* mandatory/);
    });
});
