/**
 * L4: the DR CLI's settings and flags, and the adapters' calls as AWS receives them (aws-sdk-client-mock).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, DocDBClient, FailoverGlobalClusterCommand, RemoveFromGlobalClusterCommand } from "@aws-sdk/client-docdb";
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { clusterArnParts, CloudWatchTrafficSwitches, DocDbGlobalCluster } from "../../automation/adapters/dr";
import { failoverArgs, main as drMain, realEnvironment, runbookSettings } from "../../automation/dr-cli";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, stackConfig } from "../harness";
import { spawnTs } from "./helpers";

const DR_ARN = "arn:aws:rds:us-west-2:111122223333:cluster:tms-dr-docdb";
const PROD_ARN = "arn:aws:rds:us-east-1:111122223333:cluster:tms-prod-docdb";

describe("DR adapters and CLI (L4)", () => {
    const docdb = mockClient(DocDBClient);
    const cloudwatch = mockClient(CloudWatchClient);
    beforeEach(() => { docdb.reset(); cloudwatch.reset(); });
    after(() => { docdb.restore(); cloudwatch.restore(); });
    const adapter = () => new DocDbGlobalCluster(new DocDBClient({ region: "us-west-2" }), (r) => new DocDBClient({ region: r }), { globalClusterId: "tms-global-docdb", drClusterId: "tms-dr-docdb" });

    it("sends FailoverGlobalCluster with AllowDataLoss and dr's ARN, and RemoveFromGlobalCluster by ARN", async () => {
        docdb.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterArn: DR_ARN, Status: "available" }] });
        await adapter().failover();
        await adapter().detach();
        assert.deepEqual(docdb.commandCalls(FailoverGlobalClusterCommand)[0].args[0].input, { GlobalClusterIdentifier: "tms-global-docdb", TargetDbClusterIdentifier: DR_ARN, AllowDataLoss: true });
        assert.deepEqual(docdb.commandCalls(RemoveFromGlobalClusterCommand)[0].args[0].input, { GlobalClusterIdentifier: "tms-global-docdb", DbClusterIdentifier: DR_ARN });
    });

    it("reads FailoverState and the members; a missing global cluster is an error, not 'standalone'", async () => {
        docdb.on(DescribeGlobalClustersCommand).resolvesOnce({ GlobalClusters: [{
            GlobalClusterIdentifier: "tms-global-docdb", Status: "available",
            GlobalClusterMembers: [{ DBClusterArn: PROD_ARN, IsWriter: true }, { DBClusterArn: DR_ARN, IsWriter: false }],
            FailoverState: { Status: "failing-over", FromDbClusterArn: PROD_ARN, ToDbClusterArn: DR_ARN, IsDataLossAllowed: true },
        }] }).resolvesOnce({ GlobalClusters: [] });
        assert.deepEqual(await adapter().global(), {
            id: "tms-global-docdb", status: "available",
            failoverState: { status: "failing-over", fromArn: PROD_ARN, toArn: DR_ARN, dataLossAllowed: true },
            members: [{ arn: PROD_ARN, writer: true }, { arn: DR_ARN, writer: false }],
        });
        await assert.rejects(adapter().global(), /global cluster tms-global-docdb not found/);
        assert.deepEqual(clusterArnParts(PROD_ARN), { region: "us-east-1", id: "tms-prod-docdb" });
    });

    it("the probe of prod's region: a refusal is an error, a timeout is 'unreachable'", async () => {
        docdb.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterMembers: [{ DBClusterArn: PROD_ARN, IsWriter: true }, { DBClusterArn: DR_ARN, IsWriter: false }] }] });
        docdb.on(DescribeDBClustersCommand, { DBClusterIdentifier: "tms-dr-docdb" }).resolves({ DBClusters: [{ DBClusterArn: DR_ARN, Status: "available" }] });
        docdb.on(DescribeDBClustersCommand, { DBClusterIdentifier: "tms-prod-docdb" }).rejectsOnce(Object.assign(new Error("not authorized"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }))
            .rejectsOnce(Object.assign(new Error("connect ETIMEDOUT 3.227.250.1:443"), { name: "TimeoutError", code: "ETIMEDOUT" }));
        await assert.rejects(adapter().probePrimary(), /DocumentDB DescribeDBClusters \(us-east-1\) failed: AccessDenied: not authorized/);
        assert.deepEqual(await adapter().probePrimary(), { reachable: false, error: "DocumentDB DescribeDBClusters (us-east-1): ETIMEDOUT: connect ETIMEDOUT 3.227.250.1:443" });
    });

    it("throws the switches with PutMetricData in the TMS/DR namespace (1 = on: fenced, open) and reads ALARM as on", async () => {
        cloudwatch.on(PutMetricDataCommand).resolves({});
        const sw = new CloudWatchTrafficSwitches(new CloudWatchClient({ region: "us-west-2" }), "prod", "dr");
        await sw.setPrimaryFence(true);
        await sw.setDrGate(true);
        await sw.setDrGate(false);
        const sent = cloudwatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
        assert.deepEqual(sent.map((i) => [i.Namespace, i.MetricData![0].MetricName, i.MetricData![0].Value, i.MetricData![0].Dimensions]), [
            ["TMS/DR", "PrimaryFenced", 1, [{ Name: "Environment", Value: "prod" }]],
            ["TMS/DR", "DrOpen", 1, [{ Name: "Environment", Value: "dr" }]],
            ["TMS/DR", "DrOpen", 0, [{ Name: "Environment", Value: "dr" }]],
        ]);
        cloudwatch.on(DescribeAlarmsCommand).resolvesOnce({ MetricAlarms: [{ AlarmName: "tms-dr-dr-gate", StateValue: "ALARM" }] })
            .resolvesOnce({ MetricAlarms: [{ AlarmName: "tms-dr-dr-gate", StateValue: "INSUFFICIENT_DATA" }] })
            .resolvesOnce({ MetricAlarms: [{ AlarmName: "tms-dr-prod-primary-fence", StateValue: "OK" }] })
            .resolvesOnce({ MetricAlarms: [] });
        assert.deepEqual([await sw.drOpen(), await sw.drOpen(), await sw.primaryFenced()], [true, false, false]);
        await assert.rejects(sw.primaryFenced(), /CloudWatch alarm tms-dr-prod-primary-fence not found \(is the prod stack deployed\?\)/);
    });

    it("takes its counts and the RTO from the dr stack file, refuses another stack, and wants --mode named", () => {
        const load = (s: string) => loadStackConfig(flattenConfig(stackConfig(s)), `Pulumi.${s}.yaml`, s);
        assert.deepEqual(runbookSettings(load("dr")), { activeCount: 6, standbyCount: 4, expectedHealthyTargets: 6, rtoMinutes: 60 });
        assert.throws(() => runbookSettings(load("prod")), /tms:dr\.role: "primary" is not the dr stack/);
        assert.throws(() => failoverArgs({ stack: "dr", mode: undefined, "dry-run": false, "override-reason": undefined, "writers-stopped": undefined }), /--mode is required/);
        assert.throws(() => failoverArgs({ stack: "dr", mode: "promote", "dry-run": false, "override-reason": undefined, "writers-stopped": undefined }), /"promote" is not one of failover, switchover, detach/);
    });

    it("`npm run dr:failover -- --stack dr --mode failover --dry-run` prints the plan and touches nothing", async function () {
        this.timeout(60_000);
        const r = await spawnTs("automation/dr-cli.ts", ["failover", "--stack", "dr", "--mode", "failover", "--dry-run"]);
        assert.equal(r.code, 0, r.stderr);
        const steps = r.stdout.split("\n").filter((l) => / planned /.test(l)).map((l) => l.trim().split(/\s+/)[2]);
        assert.deepEqual(steps, ["check", "fence-primary", "promote-database", "scale-dr", "verify-health", "open-dr", "report"]);
        assert.match(r.stdout, /DR failover \(failover\) of dr \(us-west-2\) from prod \(us-east-1\): 6 tasks per service when active, RTO 60 min/);
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
            code = await drMain(["failover", "--stack", "dr", "--mode", "failover"], { ...realEnvironment, projectDir: dir });
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
        assert.match(log, /^DR failover \(failover\) of dr \(us-west-2\) from prod \(us-east-1\): 6 tasks per service when active, RTO 60 min$/m);
        assert.match(log, /command: pulumi stack select --stack dr --non-interactive/);
        assert.match(log, /stdout:\nsome progress on stdout/);
        assert.ok(path.resolve(m[1]).startsWith(path.join(dir, "deployments", "dr")), m[1]);
    });
});
