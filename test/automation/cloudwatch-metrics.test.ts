import { strict as assert } from "assert";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { CloudWatchMetrics, type MetricsTargets } from "../../automation/adapters/cloudwatch-metrics";

const cw = mockClient(CloudWatchClient);
const targets: MetricsTargets = {
    environment: "prod",
    loadBalancerArnSuffix: "app/tms-prod/abc",
    targetGroupArnSuffixes: { "api-gateway": { blue: "targetgroup/api-blue/1", green: "targetgroup/api-green/2" } },
};
const window = { startMs: Date.parse("2026-03-10T15:00:00Z"), endMs: Date.parse("2026-03-10T15:01:00Z"), live: "blue" as const, candidate: "green" as const };

describe("CloudWatchMetrics (metrics port)", () => {
    beforeEach(() => cw.reset());

    it("asks for both colours side by side in one GetMetricData and folds the answer", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [
            { Id: "live_requests_0", Values: [5000] }, { Id: "live_errors_0", Values: [3] }, { Id: "live_p95_0", Values: [0.21] },
            { Id: "candidate_requests_0", Values: [560] }, { Id: "candidate_errors_0", Values: [2] }, { Id: "candidate_p95_0", Values: [0.205] },
            { Id: "candidate_unhealthy_0", Values: [1] }, { Id: "live_unhealthy_0", Values: [4] },
            { Id: "lb_elb5xx", Values: [7] },
        ] });
        cw.on(DescribeAlarmsCommand)
            .resolvesOnce({ MetricAlarms: [{ AlarmName: "tms-prod-critical-5xx" }], NextToken: "t" })
            .resolvesOnce({ CompositeAlarms: [{ AlarmName: "tms-prod-critical-db" }] });
        const sample = await new CloudWatchMetrics(new CloudWatchClient({ region: "us-east-1" }), targets).query(window);
        assert.deepEqual(sample, {
            live: { requests: 5000, errors5xx: 3, p95Ms: 210 },
            // 2 target 5xx plus the load balancer's own 7 (no TargetGroup dimension exists for them: charged to the candidate).
            candidate: { requests: 560, errors5xx: 9, p95Ms: 205 },
            unhealthyTargets: 1,
            alarms: ["tms-prod-critical-5xx", "tms-prod-critical-db"],
        });
        const calls = cw.commandCalls(GetMetricDataCommand);
        assert.equal(calls.length, 1);
        const input = calls[0].args[0].input;
        // Read two minutes behind: ALB metrics arrive late, and a half-published window looks like low traffic.
        assert.deepEqual(input.StartTime, new Date(Date.parse("2026-03-10T14:58:00Z")));
        assert.deepEqual(input.EndTime, new Date(Date.parse("2026-03-10T14:59:00Z")));
        const q = (id: string) => input.MetricDataQueries!.find((x) => x.Id === id)!.MetricStat!;
        assert.equal(input.MetricDataQueries!.length, 9);
        assert.deepEqual(q("lb_elb5xx").Metric, { Namespace: "AWS/ApplicationELB", MetricName: "HTTPCode_ELB_5XX_Count", Dimensions: [{ Name: "LoadBalancer", Value: "app/tms-prod/abc" }] });
        assert.deepEqual(q("candidate_requests_0").Metric!.Dimensions, [
            { Name: "LoadBalancer", Value: "app/tms-prod/abc" }, { Name: "TargetGroup", Value: "targetgroup/api-green/2" }]);
        assert.deepEqual(q("live_errors_0").Metric!.Dimensions![1], { Name: "TargetGroup", Value: "targetgroup/api-blue/1" });
        assert.equal(q("live_errors_0").Metric!.MetricName, "HTTPCode_Target_5XX_Count");
        assert.equal(q("live_p95_0").Stat, "p95");
        assert.equal(q("candidate_unhealthy_0").Metric!.MetricName, "UnHealthyHostCount");
        assert.equal(q("candidate_unhealthy_0").Stat, "Maximum");
        assert.equal(q("live_requests_0").Period, 60);
        const alarmInput = cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input;
        assert.equal(alarmInput.AlarmNamePrefix, "tms-prod-critical-");
        assert.equal(alarmInput.StateValue, "ALARM");
        assert.equal(cw.commandCalls(DescribeAlarmsCommand)[1].args[0].input.NextToken, "t");
    });

    it("no requests means no p95 (null), not zero", async () => {
        cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
        cw.on(DescribeAlarmsCommand).resolves({});
        const s = await new CloudWatchMetrics(new CloudWatchClient({ region: "us-east-1" }), targets).query(window);
        assert.deepEqual(s.candidate, { requests: 0, errors5xx: 0, p95Ms: null });
    });

    it("throttling, access denied and timeouts throw errors naming the call (the engine retries them)", async () => {
        const m = new CloudWatchMetrics(new CloudWatchClient({ region: "us-east-1" }), targets, 100);
        cw.on(GetMetricDataCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
        await assert.rejects(m.query(window), /CloudWatch GetMetricData failed: Throttling: Rate exceeded/);
        cw.on(GetMetricDataCommand).resolves({});
        cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDenied" }));
        await assert.rejects(m.query(window), /CloudWatch DescribeAlarms failed: AccessDenied: User is not authorized/);
        cw.on(GetMetricDataCommand).callsFake(() => new Promise(() => undefined));
        await assert.rejects(m.query(window), /CloudWatch GetMetricData failed: Timeout: no answer within 100 ms/);
    });
});
