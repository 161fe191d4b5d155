import { strict as assert } from "assert";
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type Service } from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import * as http from "http";
import type { AddressInfo } from "net";
import { curlScript, DirectSmokeTests, EcsMigrations, InVpcSmokeTests, SMOKE_PATHS } from "../../automation/adapters/checks";
import { EcsOneOffTasks, waitForRollingDeployments } from "../../automation/adapters/ecs-tasks";
import { VirtualClock } from "../../automation/clock";

const ecs = mockClient(ECSClient);
const targets = {
    clusterName: "task-management-prod",
    ecsServices: {
        "api-gateway": { blue: "api-gateway-blue", green: "api-gateway-green" },
        "task-service": { blue: "task-service-blue", green: "task-service-green" },
    },
};
const opts = { timeoutMs: 120_000, pollMs: 10_000 };
const tasks = (clock = new VirtualClock(0)) => new EcsOneOffTasks(new ECSClient({ region: "us-east-1" }), targets, clock, opts);

function serviceExists() {
    ecs.on(DescribeServicesCommand).callsFake((input) => ({ services: [{
        serviceName: input.services[0],
        taskDefinition: `arn:aws:ecs:us-east-1:1:task-definition/${input.services[0]}:7`,
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-private-a", "subnet-private-b"], securityGroups: ["sg-services"], assignPublicIp: "DISABLED" } },
    }] }));
}
const stopped = (name: string, exitCode: number | undefined, reason?: string) =>
    ({ tasks: [{ lastStatus: "STOPPED", stoppedReason: reason, containers: [{ name, exitCode }] }] });

describe("one-off ECS tasks: migrations and in-VPC smoke tests", () => {
    beforeEach(() => ecs.reset());

    it("runs each service's migration with the candidate's task definition, private subnets, services SG, no public IP", async () => {
        serviceExists();
        ecs.on(RunTaskCommand).callsFake((input) => ({ tasks: [{ taskArn: `arn:task/${input.overrides.containerOverrides[0].name}` }] }));
        ecs.on(DescribeTasksCommand)
            .resolvesOnce({ tasks: [{ lastStatus: "RUNNING" }] })
            .resolvesOnce(stopped("api-gateway", 0))
            .resolvesOnce(stopped("task-service", 0));
        const clock = new VirtualClock(0);
        const m = new EcsMigrations(tasks(clock), [
            { service: "api-gateway", command: ["python", "manage.py", "migrate", "--database", "mongodb"] },
            { service: "task-service", command: ["./migrate.sh"] },
        ]);
        const r = await m.migrate("green", "prod-v2-1");
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.lines.map((l) => l.name), ["api-gateway", "task-service"]);
        const run = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
        assert.deepEqual(run, {
            cluster: "task-management-prod",
            taskDefinition: "arn:aws:ecs:us-east-1:1:task-definition/api-gateway-green:7",
            launchType: "FARGATE",
            count: 1,
            startedBy: "tms-migrate-prod-v2-1",
            networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-private-a", "subnet-private-b"], securityGroups: ["sg-services"], assignPublicIp: "DISABLED" } },
            overrides: { containerOverrides: [{ name: "api-gateway", command: ["python", "manage.py", "migrate", "--database", "mongodb"] }] },
        });
        assert.deepEqual(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input, { cluster: "task-management-prod", services: ["api-gateway-green"] });
        assert.equal(clock.slept, 10_000);
    });

    it("runs migrations with the colour's migration task definition (it creates and rotates the database users) when the stack exports one", async () => {
        serviceExists();
        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: "arn:task/1" }] });
        ecs.on(DescribeTasksCommand).resolves(stopped("api-gateway", 0));
        const withFamilies = { ...targets, migrationTaskFamilies: { "api-gateway": { blue: "tms-prod-api-gateway-blue-migrate", green: "tms-prod-api-gateway-green-migrate" } } };
        const t = new EcsOneOffTasks(new ECSClient({ region: "us-east-1" }), withFamilies, new VirtualClock(0), opts);
        const r = await new EcsMigrations(t, [{ service: "api-gateway", command: ["python", "manage.py", "migrate"] }]).migrate("green", "r1");
        assert.ok(r.ok, JSON.stringify(r));
        const run = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
        assert.equal(run.taskDefinition, "tms-prod-api-gateway-green-migrate");
        assert.deepEqual(run.overrides, { containerOverrides: [{ name: "api-gateway", command: ["python", "manage.py", "migrate"] }] });
        // Smoke tests keep the colour's own task definition.
        ecs.resetHistory();
        await t.run("api-gateway", "green", ["true"], "smoke");
        assert.equal(ecs.commandCalls(RunTaskCommand)[0].args[0].input.taskDefinition, "arn:aws:ecs:us-east-1:1:task-definition/api-gateway-green:7");
    });

    it("stops at a non-zero exit code, a task that fails to start, a timeout, or an AWS error", async () => {
        serviceExists();
        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: "arn:task/1" }] });
        ecs.on(DescribeTasksCommand).resolves(stopped("api-gateway", 3, "Essential container in task exited"));
        const cmds = [{ service: "api-gateway", command: ["migrate"] }, { service: "task-service", command: ["migrate"] }];
        let r = await new EcsMigrations(tasks(), cmds).migrate("green", "r");
        assert.ok(!r.ok);
        assert.equal(r.lines.length, 1, "the second service's migration does not run");
        assert.match(r.lines[0].detail, /exit code 3 \(Essential container in task exited\)/);

        ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: "RESOURCE:ENI", detail: "no ENI capacity" }] });
        r = await new EcsMigrations(tasks(), cmds).migrate("green", "r");
        assert.match(r.lines[0].detail, /failed to start: RESOURCE:ENI \(no ENI capacity\)/);

        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: "arn:task/2" }] });
        ecs.on(DescribeTasksCommand).resolves({ tasks: [{ lastStatus: "RUNNING" }] });
        r = await new EcsMigrations(tasks(), cmds).migrate("green", "r");
        assert.match(r.lines[0].detail, /still RUNNING after 120s/);

        ecs.on(RunTaskCommand).rejects(Object.assign(new Error("not authorized to perform: ecs:RunTask"), { name: "AccessDeniedException" }));
        r = await new EcsMigrations(tasks(), cmds).migrate("green", "r");
        assert.match(r.lines[0].detail, /failed to start: ECS RunTask failed: AccessDeniedException/);
    });

    it("in-VPC smoke tests run curl against each health path in the candidate's container", async () => {
        serviceExists();
        ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: "arn:task/s" }] });
        ecs.on(DescribeTasksCommand).resolves(stopped("api-gateway", 22));
        const smoke = new InVpcSmokeTests(tasks(), "api-gateway", "http://internal-alb:8443/");
        const r = await smoke.check("green", "r1");
        assert.ok(!r.ok);
        assert.match(r.lines[0].detail, /exit code 22/);
        const cmd = ecs.commandCalls(RunTaskCommand)[0].args[0].input.overrides!.containerOverrides![0].command!;
        assert.deepEqual(cmd, curlScript("http://internal-alb:8443", SMOKE_PATHS, 10));
        assert.equal(cmd[0], "sh");
        for (const p of SMOKE_PATHS) assert.ok(cmd[2].includes(`'http://internal-alb:8443${p}'`), p);
        assert.match(cmd[2], /curl -fsS -o \/dev\/null --max-time 10/);
    });
});

describe("direct smoke tests (local HTTP server on 127.0.0.1)", () => {
    let server: http.Server;
    let base: string;
    const status: Record<string, number | "hang"> = {};
    before(async () => {
        server = http.createServer((req, res) => {
            const s = status[req.url!] ?? 200;
            if (s === "hang") return; // never answers
            res.writeHead(s).end("{}");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => { server.closeAllConnections(); server.close(); });

    it("passes when every health path answers 2xx", async () => {
        const r = await new DirectSmokeTests(base, 1000).check();
        assert.ok(r.ok);
        assert.deepEqual(r.lines.map((l) => l.name), ["/health", "/health/readiness", "/health/dependencies", "/health/db"]);
    });

    it("fails on a 503, a timeout, or a refused connection, naming the path", async () => {
        status["/health/db"] = 503;
        status["/health/dependencies"] = "hang";
        const r = await new DirectSmokeTests(base, 200).check();
        delete status["/health/db"];
        delete status["/health/dependencies"];
        assert.ok(!r.ok);
        assert.deepEqual(r.lines.filter((l) => !l.ok).map((l) => l.name), ["/health/dependencies", "/health/db"]);
        assert.match(r.lines[2].detail, /no answer within 200 ms/);
        assert.match(r.lines[3].detail, /→ 503/);
        const closed = http.createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((r) => closed.close(r));
        const refused = await new DirectSmokeTests(`http://127.0.0.1:${port}`, 500).check();
        assert.ok(!refused.ok && /ECONNREFUSED/.test(refused.lines[0].detail), refused.lines[0].detail);
    });
});

describe("rolling deployments: waiting for ECS", () => {
    beforeEach(() => ecs.reset());
    const dep = (name: string, rolloutState: "COMPLETED" | "FAILED" | "IN_PROGRESS", reason = ""): Service =>
        ({ serviceName: name, deployments: [{ status: "ACTIVE", rolloutState: "COMPLETED" }, { status: "PRIMARY", rolloutState, rolloutStateReason: reason }] });

    it("settles when every PRIMARY deployment is COMPLETED; reports the circuit breaker's FAILED", async () => {
        const client = new ECSClient({ region: "us-east-1" });
        ecs.on(DescribeServicesCommand)
            .resolvesOnce({ services: [dep("api", "IN_PROGRESS"), dep("task", "COMPLETED")] })
            .resolvesOnce({ services: [dep("api", "COMPLETED"), dep("task", "COMPLETED")] });
        const clock = new VirtualClock(0);
        assert.deepEqual(await waitForRollingDeployments(client, "c", ["api", "task"], clock, opts), { settled: true, detail: "api, task reached steady state" });
        assert.equal(clock.slept, 10_000);
        ecs.on(DescribeServicesCommand).resolves({ services: [dep("api", "FAILED", "ECS deployment circuit breaker: tasks failed to start."), dep("task", "COMPLETED")] });
        const failed = await waitForRollingDeployments(client, "c", ["api", "task"], new VirtualClock(0), opts);
        assert.deepEqual(failed, { settled: false, detail: "api: FAILED (ECS deployment circuit breaker: tasks failed to start.)" });
        ecs.on(DescribeServicesCommand).resolves({ services: [dep("api", "IN_PROGRESS"), dep("task", "COMPLETED")] });
        assert.match((await waitForRollingDeployments(client, "c", ["api", "task"], new VirtualClock(0), opts)).detail, /not settled after 120s: api IN_PROGRESS/);
    });
});
