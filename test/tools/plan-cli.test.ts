import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import { plan as planInProcess, STACKS } from "../harness";

const TS_NODE = path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node");

function plan(args: string[], preload: string[] = []) {
    const r = spawnSync(TS_NODE, [...preload.flatMap((p) => ["-r", p]), "--transpile-only", path.join(PROJECT_DIR, "tools", "plan.ts"), ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: 60_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("plan CLI (spawned)", function () {
    this.timeout(120_000);

    for (const stack of STACKS) {
        it(`plans ${stack}: the tree, counts per type and outputs`, () => {
            const r = plan(["--stack", stack]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`^Offline plan of stack "${stack}"`));
            assert.match(r.stdout, /└─ tms \(tms:index:EnvironmentStack\) — \d+ resources/);
            assert.match(r.stdout, /tms-network \(tms:network:Network\)/);
            assert.match(r.stdout, /Resources by type:\n/);
            const total = /\n {2}total +(\d+)\n/.exec(r.stdout);
            assert.ok(total && Number(total[1]) > 40, "total line");
            assert.match(r.stdout, /\nOutputs:\n(.|\n)*vpcId: "vpc-/);
        });
    }

    it("--json prints the full record, secrets masked", async () => {
        const r = plan(["--stack", "dev", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const record = JSON.parse(r.stdout);
        assert.equal(record.stack, "dev");
        assert.ok(record.resources.some((x: any) => x.type === "awsx:ec2:Vpc" && x.inputs.numberOfAvailabilityZones === 2));
        assert.ok(record.resources.every((x: any) => x.urn && x.type && x.options && x.propertyDependencies));
        assert.equal(record.outputs.environment, "dev");
        // Generated credentials are masked, as pulumi preview shows them.
        const secret = record.resources.find((x: any) => x.type === "aws:secretsmanager/secretVersion:SecretVersion");
        assert.ok(secret, "a secret version in the record");
        assert.equal(secret.inputs.secretString, "[secret]");
        const passwords = (await planInProcess("dev")).ofType("random:index/randomPassword:RandomPassword").map((x) => x.outputs.result as string);
        // Master password, Redis AUTH token, two database-user passwords per service.
        assert.equal(passwords.length, 6);
        for (const pw of passwords) assert.ok(!r.stdout.includes(pw), "a generated password is printed");
    });

    it("--flows prints prod's flow table: every required flow reachable, every forbidden one refused at a named hop", () => {
        const r = plan(["--stack", "prod", "--flows"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Flows of stack "prod" \(reachability over the planned resources\): 14 required, 6 refused, all as expected\n/);
        const rows = r.stdout.split("\n").filter((l) => /^[RF]\d+ /.test(l));
        assert.equal(rows.length, 20);
        for (const row of rows) assert.match(row, /^(R\d+ +reachable +reachable|F\d+ +refused +refused) +\S/);
        assert.match(r.stdout, /\nR4 +reachable +reachable +smoke task in the VPC \(as api-gateway-green\) → test listener/);
        assert.match(r.stdout, /\nF5 +refused +refused +internet → test listener :8443\n +refused at ingress: no ingress rule of tms-network-alb-sg admits tcp\/8443 from an internet address\n/);
    });

    it("--flows --json prints every hop as data and never the CDN's origin header value", async () => {
        const r = plan(["--stack", "prod", "--flows", "--json"]);
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        assert.equal(out.ok, true);
        const smoke = out.flows.find((f: any) => f.title.startsWith("smoke task in the VPC"));
        assert.deepEqual(smoke.requests[0].placements[0].path, ["ecs:api-gateway-green", "nat:us-east-1a", "alb:8443", "ecs:api-gateway-green"]);
        const secret = (await planInProcess("prod")).one("aws:cloudfront/distribution:Distribution").inputs.origins[0].customHeaders[0].value;
        assert.ok(!r.stdout.includes(secret), "the origin header's value is printed");
    });

    it("--access-paths prints dev's access-path table, judged by the IAM simulator", () => {
        const r = plan(["--stack", "dev", "--access-paths"]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Access paths of stack "dev" \(judged by @cloud-copilot\/iam-simulate [\d.]+\): \d+ required, \d+ forbidden, all as expected, 1 known gap\n/);
        assert.match(r.stdout, /\nA1 +allowed +allowed +CI takes and keeps the rollout lock and state: DynamoDB, then the table's key through DynamoDB \(5 hops\)\n/);
        assert.match(r.stdout, /\n +refused at deployment role \(CI\) → kms:Decrypt on arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]+: ImplicitlyDenied\n/);
    });

    it("--access-paths without the simulator installed says so and exits 1; with --flows it is a usage error", () => {
        // A preload that makes the dev dependency unresolvable, as after `npm ci --omit=dev`.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-plan-"));
        const hide = path.join(dir, "hide-simulator.js");
        fs.writeFileSync(hide, `const M = require("module"); const r = M._resolveFilename;
M._resolveFilename = function (req, ...rest) { if (String(req).startsWith("@cloud-copilot/")) { const e = new Error("Cannot find module " + req); e.code = "MODULE_NOT_FOUND"; throw e; } return r.call(this, req, ...rest); };\n`);
        const r = plan(["--stack", "dev", "--access-paths"], [hide]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, "--access-paths needs the IAM policy simulator (@cloud-copilot/iam-simulate, a dev dependency): install the development dependencies (npm ci) and run it again\n");
        const both = plan(["--stack", "dev", "--flows", "--access-paths"]);
        assert.equal(both.code, 1);
        assert.match(both.stderr, /^--flows and --access-paths print different tables: give one\nusage: npm run plan -- /);
    });

    it("a bad config file exits 1 with one precise line per problem and nothing else", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-plan-"));
        const file = path.join(dir, "Pulumi.bad.yaml");
        const text = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8")
            .replace("instanceClass: db.r5.large", "instanceClass: db.t3.large")
            .replace("nodeType: cache.m5.large", "nodeType: cache.m5.huge");
        fs.writeFileSync(file, text);
        const r = plan(["--stack", "prod", "--config-file", file]);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, "");
        const lines = r.stderr.trim().split("\n");
        assert.deepEqual(lines, [
            `${file}: tms:database.instanceClass: "db.t3.large" is not a DocumentDB instance class (db.t3.medium, db.t4g.medium, db.r5.large, db.r5.xlarge, db.r5.2xlarge, db.r5.4xlarge, …)`,
            `${file}: tms:cache.nodeType: "cache.m5.huge" is not an ElastiCache node type (cache.t3.micro, cache.t3.small, cache.t3.medium, cache.t4g.micro, cache.t4g.small, cache.t4g.medium, …)`,
        ]);
    });

    it("rejects a missing config file and unknown flags with exit 1", () => {
        const missing = plan(["--stack", "prod", "--config-file", "/nonexistent/Pulumi.x.yaml"]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /^\/nonexistent\/Pulumi\.x\.yaml: cannot read the stack file \(ENOENT\)/);
        const flag = plan(["--stack", "prod", "--frobnicate"]);
        assert.equal(flag.code, 1);
        assert.match(flag.stderr, /^unknown flag "--frobnicate"\nusage: npm run plan -- --stack/);
    });
});
