/**
 * L4: the DR runbook (automation/dr.ts) through its real AWS adapters (automation/adapters/dr.ts) against
 * the fake AWS of tools/fake-aws/dr-world.ts (DocumentDB global cluster, CloudWatch switches, Route 53's
 * failover answer, SSM, ECS, ELB), on a virtual clock. The world records every moment a stale or second
 * writer serves; the tests assert it never does, and pin three ways an earlier runbook failed (the tests name
 * them): finding 1, an AWS error or an IAM refusal read as prod being unreachable; finding 2, a promotion
 * while prod is healthy or not fenced; finding 3, Route 53 sending traffic to a read-only dr before the runbook.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeGlobalClustersCommand, DocDBClient, FailoverGlobalClusterCommand, RemoveFromGlobalClusterCommand } from "@aws-sdk/client-docdb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { VirtualClock } from "../../automation/clock";
import { failback, failover, FAILBACK_STEPS, FAILOVER_STEPS, type FailoverMode, type RunbookOptions } from "../../automation/dr";
import { CloudWatchTrafficSwitches, DocDbGlobalCluster, EcsDrCapacity, isUnreachable } from "../../automation/adapters/dr";
import { AwsCallError } from "../../automation/adapters/aws-call";
import { main as cliMain, type DrEnvironment } from "../../automation/dr-cli";
import { DrWorld, shippedSwitch, TIMINGS, type SwitchCheck } from "../../tools/fake-aws";

const ACCOUNT = "111122223333";
const TG = `arn:aws:elasticloadbalancing:us-west-2:${ACCOUNT}:targetgroup/tms-dr-api-blue/0123456789abcdef`;

/** The Route 53 checks as shipped (components/dns.ts); `false`: the record has no such check (main's design). */
function setup(o: { gate?: SwitchCheck | false; fence?: SwitchCheck | false } = {}) {
    const clock = new VirtualClock(Date.UTC(2026, 0, 6, 3, 0));
    const world = new DrWorld({
        clock, accountId: ACCOUNT, globalClusterId: "tms-global-docdb",
        primary: { region: "us-east-1", env: "prod", clusterId: "tms-prod-docdb" },
        dr: { region: "us-west-2", env: "dr", clusterId: "tms-dr-docdb", envName: "production" },
        route53: {
            ...(o.fence === false ? {} : { fence: o.fence ?? shippedSwitch("fence") }),
            ...(o.gate === false ? {} : { gate: o.gate ?? shippedSwitch("gate") }),
        },
        drServices: [{ cluster: "task-management-dr", service: "api-gateway-blue", targetGroupArn: TG, running: 4 }, { cluster: "task-management-dr", service: "task-service-blue", running: 4 }],
    });
    const mocks = world.install();
    const client = <T>(C: new (c: any) => T, region: string) => new C({ region, credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" } });
    const options: RunbookOptions = {
        clock,
        database: new DocDbGlobalCluster(client(DocDBClient, "us-west-2"), (r) => client(DocDBClient, r), { globalClusterId: "tms-global-docdb", drClusterId: "tms-dr-docdb" }),
        switches: new CloudWatchTrafficSwitches(client(CloudWatchClient, "us-west-2"), "prod", "dr"),
        capacity: new EcsDrCapacity(client(SSMClient, "us-west-2"), client(ECSClient, "us-west-2"), client(ElasticLoadBalancingV2Client, "us-west-2"), {
            clusterName: "task-management-dr", serviceNames: ["api-gateway-blue", "task-service-blue"], targetGroupArns: [TG], modeParameter: "/production/dr-runbook/mode",
        }),
        activeCount: 6, standbyCount: 4, expectedHealthyTargets: 6, rtoMinutes: 60, pollMs: 15_000,
    };
    /** An outage: us-east-1 gone, and Route 53 has had time to see it. */
    const outage = () => {
        world.setReachable("us-east-1", false);
        clock.advance(TIMINGS.endpointFlipMs + 30_000);
        world.tick();
    };
    return { clock, world, options, outage, restore: mocks.restore };
}

describe("DR runbook against AWS's documented semantics (L4)", () => {
    let s: ReturnType<typeof setup>;
    afterEach(() => s?.restore());

    it("outage: managed failover with the fence first and dr opened last; Route 53 never sends traffic to a read-only dr", async () => {
        s = setup();
        s.outage();
        // Before the runbook: prod is gone, dr is closed, so Route 53 keeps answering with the primary (finding 3).
        assert.equal(s.world.dnsAnswer(), "us-east-1");
        const answers: string[] = [];
        const r = await failover({ ...s.options, mode: "failover", onStep: () => answers.push(s.world.dnsAnswer()) });
        assert.equal(r.outcome, "promoted", r.error);
        assert.deepEqual(r.steps.map((x) => `${x.step}:${x.status}`), FAILOVER_STEPS.map((x) => `${x}:done`));
        assert.match(r.precondition!, /^prod unreachable: DocumentDB DescribeDBClusters \(us-east-1\): ETIMEDOUT/);
        // Only after open-dr does Route 53 answer dr, whose cluster writes by then.
        assert.deepEqual(answers, ["us-east-1", "us-east-1", "us-east-1", "us-east-1", "us-east-1", "us-west-2", "us-west-2"]);
        assert.ok(s.world.events.some((e) => /FailoverGlobalCluster \(AllowDataLoss\) to tms-dr-docdb/.test(e.what)));
        assert.equal(s.world.ssmValue("/production/dr-runbook/mode"), "active");
        assert.equal(s.world.desiredCount("api-gateway-blue"), 6);
        assert.deepEqual(s.world.violations, []);
        assert.ok(r.withinRto && r.totalMs < 10 * 60_000, `${r.totalMs} ms`);
    });

    it("finding 1: an AWS error reading the global cluster is an error, never a promotion", async () => {
        s = setup();
        s.outage();
        s.restore();
        // The same world, but DescribeGlobalClusters refused (the deployment role used to lack it).
        const docdb = mockClient(DocDBClient);
        docdb.on(DescribeGlobalClustersCommand).rejects(Object.assign(new Error("User is not authorized to perform: rds:DescribeGlobalClusters"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
        const r = await failover({ ...s.options, mode: "failover" });
        docdb.restore();
        assert.equal(r.outcome, "failed");
        assert.equal(r.failedStep, "check");
        assert.match(r.error!, /DocumentDB DescribeGlobalClusters failed: AccessDenied/);
        assert.equal(docdb.commandCalls(FailoverGlobalClusterCommand).length + docdb.commandCalls(RemoveFromGlobalClusterCommand).length, 0);
    });

    it("finding 1: refused by IAM in prod's region is not 'unreachable' (the precondition would pass on a lie)", () => {
        assert.equal(isUnreachable(Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } })), false);
        assert.equal(isUnreachable(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } })), false);
        assert.equal(isUnreachable(Object.assign(new Error("connect ETIMEDOUT"), { name: "TimeoutError", code: "ETIMEDOUT" })), true);
        assert.equal(isUnreachable(Object.assign(new Error("getaddrinfo ENOTFOUND"), { name: "Error", code: "ENOTFOUND" })), true);
        assert.equal(isUnreachable(new AwsCallError("DocumentDB DescribeDBClusters", "Timeout", "no answer within 30000 ms")), true);
        assert.equal(isUnreachable(new AwsCallError("DocumentDB DescribeDBClusters", "AccessDenied", "no")), false);
    });

    it("finding 2: no promotion while prod is healthy, unless overridden on purpose (and detach needs prod's writers stopped)", async () => {
        s = setup();
        for (const mode of ["failover", "detach"] as FailoverMode[]) {
            const r = await failover({ ...s.options, mode });
            assert.equal(r.failedStep, "check", mode);
            assert.match(r.error!, /prod's cluster answers \(available\).*--mode switchover/, mode);
        }
        const noWriters = await failover({ ...s.options, mode: "detach", override: { reason: "drill" } });
        assert.match(noWriters.error!, /needs --writers-stopped/);
        assert.ok(!s.world.events.some((e) => /FailoverGlobalCluster|RemoveFromGlobalCluster|PutMetricData/.test(e.what)), "nothing was changed");
    });

    it("finding 2: prod is fenced before the promotion, and it stays out when us-east-1 recovers (no automatic failback)", async () => {
        s = setup();
        s.outage();
        const r = await failover({ ...s.options, mode: "failover" });
        assert.equal(r.outcome, "promoted", r.error);
        const fence = r.steps.find((x) => x.step === "fence-primary")!;
        const promote = r.steps.find((x) => x.step === "promote-database")!;
        assert.ok(fence.endedAtMs <= promote.startedAtMs, "fence recorded before the promotion starts");
        // us-east-1 back: prod's ALB is healthy again, its old cluster rejoins as a secondary; Route 53 stays on dr.
        s.world.setReachable("us-east-1", true);
        for (let i = 0; i < 60; i++) { s.clock.advance(15_000); s.world.tick(); }
        assert.equal(s.world.dnsAnswer(), "us-west-2");
        assert.ok(s.world.events.some((e) => /tms-prod-docdb: rejoined as a secondary/.test(e.what)));
        assert.deepEqual(s.world.violations, []);
    });

    it("the switches hold for hours without new data: Route 53 reads the alarm's data stream, not its state", async () => {
        // The runbook publishes each switch once. A minute later the stream has no data, and Route 53 falls back to
        // the check's InsufficientDataHealthStatus: it must be LastKnownStatus (components/dns.ts).
        const hold = async (fence: SwitchCheck, gate: SwitchCheck) => {
            s?.restore();
            s = setup({ fence, gate });
            s.outage();
            const r = await failover({ ...s.options, mode: "failover" });
            assert.equal(r.outcome, "promoted", r.error);
            const answers = new Set<string>();
            for (let i = 0; i < 4 * 60; i++) { s.clock.advance(60_000); s.world.tick(); answers.add(s.world.dnsAnswer()); }
            s.world.setReachable("us-east-1", true);
            for (let i = 0; i < 2 * 60; i++) { s.clock.advance(60_000); s.world.tick(); answers.add(s.world.dnsAnswer()); }
            const gaps = s.world.writeGaps.filter((g) => (g.toMs ?? Infinity) > r.steps[r.steps.length - 1].endedAtMs).map((g) => g.region);
            return { answers: [...answers], violations: s.world.violations, gaps, gateAlarm: s.world.alarmState(gate.alarmName) };
        };
        const shipped = await hold(shippedSwitch("fence"), shippedSwitch("gate"));
        assert.deepEqual(shipped.answers, ["us-west-2"], "6 hours on dr, us-east-1 back for the last 2");
        assert.deepEqual([shipped.violations, shipped.gaps], [[], []], "no stale writer, and not one failed write after dr opened");
        // What each other setting does (the first version of this runbook shipped Healthy / Unhealthy):
        const fenceHealthy = await hold({ ...shippedSwitch("fence"), insufficient: "Healthy" }, shippedSwitch("gate"));
        assert.deepEqual([fenceHealthy.answers, fenceHealthy.gaps], [["us-west-2", "us-east-1"], ["us-east-1"]],
            "the fence lifts itself: once us-east-1 is back, Route 53 fails back by itself to prod, whose cluster is now a read-only secondary");
        // A gate that reads "closed" without data (the first version: not inverted, Unhealthy; here inverted, Healthy).
        const gateClosedWithoutData = await hold(shippedSwitch("fence"), { ...shippedSwitch("gate"), insufficient: "Healthy" });
        assert.deepEqual([gateClosedWithoutData.answers, gateClosedWithoutData.gaps, gateClosedWithoutData.gateAlarm], [["us-east-1"], ["us-east-1"], "ALARM"],
            "the gate closes itself a minute after it opened, although its alarm still says open: Route 53 answers the dead primary");
    });

    it("finding 2 (what the fence prevents): without it, a recovered prod serves again and dr's writes are lost to it", async () => {
        s = setup({ fence: false, gate: false });
        s.outage();
        await s.options.database.detach();
        for (let i = 0; i < 20; i++) { s.clock.advance(15_000); s.world.tick(); }
        s.world.setReachable("us-east-1", true);
        for (let i = 0; i < 20; i++) { s.clock.advance(15_000); s.world.tick(); }
        assert.equal(s.world.dnsAnswer(), "us-east-1");
        assert.match(s.world.violations.join("\n"), /stale writer served: tms-prod-docdb/);
    });

    it("finding 3: without the gate, Route 53 sends traffic to a read-only dr for the whole gap before the runbook", () => {
        s = setup({ gate: false });
        s.outage();
        assert.equal(s.world.dnsAnswer(), "us-west-2");
        assert.equal(s.world.writable(s.world.cluster("us-west-2")), false, "dr is still a read-only secondary");
        s = (s.restore(), setup());
        s.outage();
        assert.equal(s.world.dnsAnswer(), "us-east-1", "the gate keeps traffic off dr until it can write");
    });

    it("a rerun after a crash at any step continues from AWS's state and promotes once", async () => {
        s = setup();
        s.outage();
        // Crash just after FailoverGlobalCluster was sent.
        const crashing = { ...s.options, database: Object.create(s.options.database, { failover: { value: async () => { await s.options.database.failover(); throw new Error("runner killed"); } } }) };
        const first = await failover({ ...crashing, mode: "failover" });
        assert.equal(first.failedStep, "promote-database");
        const second = await failover({ ...s.options, mode: "failover" });
        assert.equal(second.outcome, "promoted", second.error);
        assert.equal(second.steps.find((x) => x.step === "fence-primary")!.status, "skipped");
        assert.equal(s.world.events.filter((e) => /FailoverGlobalCluster/.test(e.what)).length, 1);
        assert.deepEqual(s.world.violations, []);
    });

    it("an operation AWS cancels stops the runbook with a clear message (dr stays closed); the same command then promotes", async () => {
        s = setup();
        s.outage();
        const db = s.options.database;
        const cancelling = Object.create(db, { failover: { value: async () => { await db.failover(); s.world.cancelOperation(); } } });
        const first = await failover({ ...s.options, database: cancelling, mode: "failover" });
        assert.equal(first.failedStep, "promote-database");
        assert.match(first.error!, /AWS is cancelling the failover \(FailoverState cancelling\)/);
        assert.ok(first.steps.find((x) => x.step === "promote-database")!.endedAtMs - first.steps[0].startedAtMs < 5 * 60_000, "stopped at once, not at the 30-minute timeout");
        assert.equal(s.world.dnsAnswer(), "us-east-1", "dr was never opened");
        s.clock.advance(TIMINGS.pendingMs);
        const second = await failover({ ...s.options, mode: "failover" });
        assert.equal(second.outcome, "promoted", second.error);
        assert.deepEqual(s.world.violations, []);
    });

    it("failback waits for prod's member to be connected (pending-resync refused), whatever its cluster status says", async () => {
        const arn = (r: string, id: string) => `arn:aws:rds:${r}:${ACCOUNT}:cluster:${id}`;
        const none = () => { throw new Error("must not be called"); };
        const database = {
            global: async () => ({ id: "tms-global-docdb", status: "available", members: [
                { arn: arn("us-west-2", "tms-dr-docdb"), writer: true, synchronization: "connected" },
                { arn: arn("us-east-1", "tms-prod-docdb"), writer: false, synchronization: "pending-resync" }] }),
            drCluster: async () => ({ arn: arn("us-west-2", "tms-dr-docdb"), status: "available" }),
            probePrimary: async () => ({ reachable: true as const, cluster: { arn: arn("us-east-1", "tms-prod-docdb"), status: "available" } }),
            failover: none, switchover: none, detach: none,
        };
        const r = await failback({ ...setup().options, database });
        s = undefined as any;
        assert.equal(r.failedStep, "check");
        assert.match(r.error!, /prod's cluster is pending-resync in global cluster tms-global-docdb/);
    });

    it("failback is a switchover (no data loss): refused while prod is away or rejoining, then prod writes before its fence is lifted", async () => {
        s = setup();
        s.outage();
        assert.equal((await failover({ ...s.options, mode: "failover" })).outcome, "promoted");
        const early = await failback(s.options);
        assert.match(early.error!, /prod's region does not answer/);
        s.world.setReachable("us-east-1", true);
        const rejoining = await failback(s.options);
        assert.match(rejoining.error!, /prod's cluster is modifying, not available|not a secondary/);
        s.clock.advance(TIMINGS.rejoinMs);
        s.world.tick();
        const r = await failback(s.options);
        assert.equal(r.outcome, "failed-back", r.error);
        assert.deepEqual(r.steps.map((x) => x.step), [...FAILBACK_STEPS]);
        assert.ok(s.world.events.some((e) => /SwitchoverGlobalCluster to tms-prod-docdb/.test(e.what)));
        assert.equal(s.world.dnsAnswer(), "us-east-1");
        assert.equal(s.world.ssmValue("/production/dr-runbook/mode"), "standby");
        assert.equal(s.world.desiredCount("api-gateway-blue"), 4);
        assert.deepEqual(s.world.violations, []);
    });

    it("a planned switchover needs prod answering; detach is the recorded last resort", async () => {
        s = setup();
        const r = await failover({ ...s.options, mode: "switchover" });
        assert.equal(r.outcome, "promoted", r.error);
        assert.match(r.precondition!, /^planned/);
        assert.deepEqual(s.world.violations, []);
        s.restore();
        s = setup();
        s.outage();
        const sw = await failover({ ...s.options, mode: "switchover" });
        assert.match(sw.error!, /a switchover needs prod's region/);
        const d = await failover({ ...s.options, mode: "detach" });
        assert.equal(d.outcome, "promoted", d.error);
        assert.ok(s.world.events.some((e) => /RemoveFromGlobalCluster tms-dr-docdb/.test(e.what)));
        assert.match(d.steps.find((x) => x.step === "promote-database")!.detail, /prod's old cluster stays writable: stop prod's services as soon as us-east-1 answers/);
        const back = await failback(s.options);
        assert.match(back.error!, /prod's region does not answer/);
        // us-east-1 back later than one DNS TTL: a detached old primary still writes, and only the fence keeps it unserved.
        s.clock.advance(TIMINGS.dnsTtlMs * 2);
        s.world.setReachable("us-east-1", true);
        for (let i = 0; i < 20; i++) { s.clock.advance(15_000); s.world.tick(); }
        assert.equal(s.world.writable(s.world.cluster("us-east-1")), true, "detach leaves the old primary writable");
        assert.equal(s.world.dnsAnswer(), "us-west-2");
        const back2 = await failback(s.options);
        assert.match(back2.error!, /not a member of global cluster .*rebuild the global cluster first/);
        assert.deepEqual(s.world.violations, [], "the fence keeps the detached old primary from serving");
    });

    it("`dr:failover` (the CLI): one timed line per step, the record rewritten after each step (a killed run leaves what it did)", async () => {
        s = setup();
        s.outage();
        const recordDir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-dr-record-"));
        const lines: string[] = [];
        const seen: number[] = [];
        const region = (r: string) => ({ region: r, credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "example" } });
        const env: DrEnvironment = {
            outputs: async () => ({
                liveColour: "blue", globalClusterId: "tms-global-docdb", databaseClusterId: "tms-dr-docdb", clusterName: "task-management-dr",
                ecsServices: { "api-gateway": { blue: "api-gateway-blue" }, "task-service": { blue: "task-service-blue" } },
                targetGroupArns: { "api-gateway": { blue: TG } },
            }),
            clients: (r) => ({ docdb: new DocDBClient(region(r)), cloudwatch: new CloudWatchClient(region(r)), ssm: new SSMClient(region(r)), ecs: new ECSClient(region(r)), elb: new ElasticLoadBalancingV2Client(region(r)) }),
            clock: s.clock,
            out: (l) => {
                lines.push(l);
                const files = fs.readdirSync(recordDir);
                if (/^\+/.test(l.trim())) seen.push(files.length ? JSON.parse(fs.readFileSync(path.join(recordDir, files[0]), "utf8")).steps.length : 0);
            },
            err: (l) => lines.push(l),
            recordDir,
        };
        assert.equal(await cliMain(["failover", "--stack", "dr", "--mode", "failover"], env), 0, lines.join("\n"));
        assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7], "on disk after each step, before the next one starts");
        const record = JSON.parse(fs.readFileSync(path.join(recordDir, fs.readdirSync(recordDir)[0]), "utf8"));
        assert.equal(record.outcome, "promoted");
        assert.match(lines[lines.length - 1], /^dr promoted \(failover\) — \d+m\d\ds of the 60 min RTO$/);
        fs.rmSync(recordDir, { recursive: true, force: true });
    });

    it("a dry run calls nothing and lists every step", async () => {
        s = setup();
        const none = new Proxy({}, { get: () => () => { throw new Error("called"); } }) as any;
        const r = await failover({ ...s.options, database: none, switches: none, capacity: none, mode: "failover", dryRun: true });
        assert.deepEqual(r.steps.map((x) => x.status), FAILOVER_STEPS.map(() => "planned"));
        const b = await failback({ ...s.options, database: none, switches: none, capacity: none, dryRun: true });
        assert.equal(b.outcome, "dry-run");
    });
});
