import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, DocDBClient, RemoveFromGlobalClusterCommand } from "@aws-sdk/client-docdb";
import { mockClient } from "aws-sdk-client-mock";
import { DocDbFailover, PulumiDrStack } from "../../automation/adapters/dr";
import type { PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import { failoverSettings, main as drMain } from "../../automation/dr-cli";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, stackConfig } from "../harness";
import { spawnTs } from "./helpers";

const docdb = mockClient(DocDBClient);
const DR_ARN = "arn:aws:rds:us-west-2:111122223333:cluster:tms-dr-docdb";
const PROD_ARN = "arn:aws:rds:us-east-1:111122223333:cluster:tms-prod-docdb";

describe("DR failover adapters and CLI", () => {
    beforeEach(() => docdb.reset());
    const adapter = () => new DocDbFailover(new DocDBClient({ region: "us-west-2" }), "tms-dr-docdb", "tms-global-docdb");

    it("reads the dr cluster's role from the global cluster's members", async () => {
        docdb.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterArn: DR_ARN, Status: "available" }] });
        docdb.on(DescribeGlobalClustersCommand).resolvesOnce({
            GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: PROD_ARN, IsWriter: true }, { DBClusterArn: DR_ARN, IsWriter: false }] }],
        }).resolvesOnce({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: PROD_ARN, IsWriter: true }] }] });
        assert.deepEqual(await adapter().describe(), { role: "secondary", status: "available" });
        assert.deepEqual(await adapter().describe(), { role: "standalone", status: "available" });
        assert.equal(docdb.commandCalls(DescribeGlobalClustersCommand)[0].args[0].input.GlobalClusterIdentifier, "tms-global-docdb");
    });

    it("detaches the dr cluster by ARN from the global cluster", async () => {
        docdb.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterArn: DR_ARN, Status: "available" }] });
        docdb.on(RemoveFromGlobalClusterCommand).resolves({});
        await adapter().detachAndPromote();
        assert.deepEqual(docdb.commandCalls(RemoveFromGlobalClusterCommand)[0].args[0].input, { GlobalClusterIdentifier: "tms-global-docdb", DbClusterIdentifier: DR_ARN });
    });

    it("names the call when AWS refuses it", async () => {
        docdb.on(DescribeDBClustersCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
        await assert.rejects(adapter().detachAndPromote(), /DocumentDB DescribeDBClusters failed: AccessDeniedException: User is not authorized/);
    });

    it("scales dr through tms:compute.desiredCount and one up, and fails on a failed up", async () => {
        const calls: any[] = [];
        let result = "succeeded";
        const stack = {
            async setAllConfig(config: any, path?: boolean) { calls.push(["config", config, path]); },
            async up() { calls.push(["up"]); return { summary: { result } }; },
        } as unknown as PulumiStackLike;
        const dr = new PulumiDrStack(stack, { candidateHealth: async (c) => ({ healthy: c === "blue" ? 6 : 0, unhealthy: 0, pending: 0 }) }, "blue");
        await dr.scaleServices(6);
        assert.deepEqual(calls, [["config", { "tms:compute.desiredCount": { value: "6", secret: false } }, true], ["up"]]);
        assert.deepEqual(await dr.liveHealth(), { healthy: 6, unhealthy: 0, pending: 0 });
        result = "failed";
        await assert.rejects(dr.scaleServices(6), /pulumi up ended failed/);
    });

    it("takes prod's minimum and the RTO from the stack files, and refuses a non-dr stack", () => {
        const load = (s: string) => loadStackConfig(flattenConfig(stackConfig(s)), `Pulumi.${s}.yaml`, s);
        assert.deepEqual(failoverSettings(load("dr"), load("prod").compute.minimumCount), { targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60 });
        assert.throws(() => failoverSettings(load("prod"), 6), /tms:dr\.role: "primary" is not the dr stack/);
    });

    it("`npm run dr:failover -- --stack dr --dry-run` prints the plan of steps and touches nothing", async function () {
        this.timeout(60_000);
        const r = await spawnTs("automation/dr-cli.ts", ["--stack", "dr", "--dry-run"]);
        assert.equal(r.code, 0, r.stderr);
        const steps = r.stdout.split("\n").filter((l) => / planned /.test(l)).map((l) => l.trim().split(/\s+/)[2]);
        assert.deepEqual(steps, ["check-database", "detach-and-promote-database", "scale-services", "verify-health", "report"]);
        assert.match(r.stdout, /6 tasks per service, RTO 60 min/);
        assert.match(r.stdout, /dry run: nothing was changed/);
    });

    it("a failure prints one line in Pulumi's words and where the full log is; the log holds the CLI's whole output", async function () {
        this.timeout(60_000);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-cli-"));
        for (const f of ["Pulumi.yaml", "Pulumi.dr.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(dir, f));
        // A `pulumi` that fails as v3.248.0 does when not logged in (see rollout-cli.test.ts).
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\nif [ \"$1\" = version ]; then echo v3.248.0; exit 0; fi\n" +
            "echo 'some progress on stdout'\necho 'error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions' >&2\nexit 3\n", { mode: 0o755 });
        const saved = { path: process.env.PATH, log: console.log, error: console.error };
        const out: string[] = [];
        const err: string[] = [];
        process.env.PATH = `${bin}:${saved.path}`;
        console.log = (...a: unknown[]) => void out.push(a.join(" "));
        console.error = (...a: unknown[]) => void err.push(a.join(" "));
        let code: number;
        try {
            code = await drMain(["--stack", "dr"], dir);
        } finally {
            process.env.PATH = saved.path;
            console.log = saved.log;
            console.error = saved.error;
        }
        assert.equal(code, 1);
        assert.equal(err.length, 1, err.join("\n"));
        const m = /^dr:failover: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions \(pulumi stack select\) \(full log: (.+)\)$/.exec(err[0]);
        assert.ok(m, err[0]);
        assert.doesNotMatch(err[0], /code: -2|stdout:|stderr:/);
        const log = fs.readFileSync(path.resolve(m[1]), "utf8");
        assert.match(log, /^DR failover of dr \(us-west-2\): 6 tasks per service, RTO 60 min$/m);
        assert.match(log, /command: pulumi stack select --stack dr --non-interactive/);
        assert.match(log, /stdout:\nsome progress on stdout/);
        assert.ok(path.resolve(m[1]).startsWith(path.join(dir, "deployments", "dr")), m[1]);
    });
});
