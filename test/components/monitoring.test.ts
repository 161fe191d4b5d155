import { strict as assert } from "assert";
import * as path from "path";
import {
    alarmPrefix,
    cacheAlarms,
    dashboardBody,
    databaseAlarms,
    targetGroupAlarms,
    Thresholds,
} from "../../components/monitoring";
import { runProgram } from "../../tools/mock-engine";
import type { RecordedResource } from "../../tools/record";
import { flattenConfig, json, plan, Plan, stackConfig, STACKS } from "../harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const TH: Thresholds = { cpuPercent: 80, memoryPercent: 80, successRatePercent: 99.5, errorRatePercent: 1, p95LatencyMs: 1000, databaseConnectionsPercent: 80 };

/** Every metric an alarm reads: its single metric or the metrics of its metric-math queries. */
function alarmMetrics(a: RecordedResource): { namespace: string; metricName: string; dimensions: Record<string, string> }[] {
    if (a.inputs.metricName) return [{ namespace: a.inputs.namespace, metricName: a.inputs.metricName, dimensions: a.inputs.dimensions }];
    return a.inputs.metricQueries.filter((q: any) => q.metric).map((q: any) => q.metric);
}

/** Dashboard metric rows as { namespace, metricName, dimensions } (expression rows skipped). */
function dashboardMetrics(body: string): { namespace: string; metricName: string; dimensions: Record<string, string> }[] {
    const out: { namespace: string; metricName: string; dimensions: Record<string, string> }[] = [];
    for (const w of JSON.parse(body).widgets) {
        for (const row of w.properties.metrics) {
            if (typeof row[0] !== "string") continue;
            const plain = row.filter((x: unknown) => typeof x === "string") as string[];
            const [namespace, metricName, ...dims] = plain;
            assert.equal(dims.length % 2, 0, `dimension pairs of ${metricName}`);
            const dimensions: Record<string, string> = {};
            for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
            out.push({ namespace, metricName, dimensions });
        }
    }
    return out;
}

describe("monitoring (pure)", () => {
    it("turns the guide's thresholds into target-group alarms, p95 in seconds", () => {
        const specs = targetGroupAlarms({ service: "api", colour: "green", loadBalancer: "app/x/1", targetGroup: "targetgroup/y/2" }, { ...TH, p95LatencyMs: 750 });
        const by = Object.fromEntries(specs.map((s) => [s.what, s]));
        assert.deepEqual(Object.keys(by).sort(), ["api-green-5xx-rate", "api-green-p95-latency", "api-green-success-rate", "api-green-unhealthy-hosts"]);
        assert.equal(by["api-green-p95-latency"].threshold, 0.75);
        assert.equal(by["api-green-success-rate"].threshold, 99.5);
        assert.equal(by["api-green-success-rate"].comparison, "LessThanThreshold");
        assert.match(by["api-green-5xx-rate"].expression!.expression, /FILL\(errors, 0\) \/ requests/);
        assert.ok(specs.every((s) => s.treatMissingData === "notBreaching"));
    });

    it("alarms on DocumentDB connections at 80% of one instance's limit, hottest instance first", () => {
        const [connections, cpu] = databaseAlarms({ clusterIdentifier: "c", instanceClass: "db.r5.large" }, TH);
        assert.equal(connections.threshold, 1360); // 80% of 1700, not of 3 × 1700
        assert.equal(connections.metric!.stat, "Maximum");
        assert.equal(cpu.metric!.metricName, "CPUUtilization");
        assert.equal(databaseAlarms({ clusterIdentifier: "c", instanceClass: "db.t3.medium" }, { ...TH, databaseConnectionsPercent: 50 })[0].threshold, 250);
        assert.throws(() => databaseAlarms({ clusterIdentifier: "c", instanceClass: "db.t3.large" }, TH), /db\.t3\.large/);
    });

    it("alarms on each Redis node's engine CPU, memory and evictions", () => {
        const specs = cacheAlarms({ replicationGroupId: "g", nodes: 2 }, TH);
        assert.deepEqual(specs.map((s) => `${s.what}:${s.metric!.metricName}:${s.threshold}`), [
            "cache-node-1-engine-cpu:EngineCPUUtilization:80", "cache-node-1-memory:DatabaseMemoryUsagePercentage:80", "cache-node-1-evictions:Evictions:0",
            "cache-node-2-engine-cpu:EngineCPUUtilization:80", "cache-node-2-memory:DatabaseMemoryUsagePercentage:80", "cache-node-2-evictions:Evictions:0",
        ]);
    });

    it("lays the dashboard out as valid JSON, with data-tier widgets only when given", () => {
        const base = {
            environment: "prod", region: "us-east-1", loadBalancer: "app/x/1", clusterName: "c",
            targetGroups: [{ service: "api", colour: "blue" as const, targetGroup: "targetgroup/b/1" }],
            ecsServices: [{ service: "api", colour: "blue" as const, serviceName: "api-blue" }],
        };
        const titles = (b: string) => JSON.parse(b).widgets.map((w: any) => w.properties.title);
        assert.ok(!titles(dashboardBody(base)).some((t: string) => /DocumentDB|Redis/.test(t)));
        const full = dashboardBody({ ...base, databaseClusterIdentifier: "db", cacheNodeIds: ["g-001"] });
        assert.ok(titles(full).includes("DocumentDB") && titles(full).includes("Redis"));
        assert.deepEqual(dashboardMetrics(full).find((m) => m.metricName === "Evictions")!.dimensions, { CacheClusterId: "g-001" });
    });
});

describe("monitoring", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            let alarms: RecordedResource[];
            let topics: Record<string, string>;
            let cfg: Record<string, any>;
            before(async () => {
                p = await plan(stack);
                // The break-glass alarm belongs to AccessRoles (test/components/access.test.ts).
                alarms = p.ofType(ALARM).filter((a) => p.byUrn(a.parent!).type === "tms:observability:Monitoring");
                cfg = stackConfig(stack);
                topics = p.outputs.alertTopics;
            });

            it("publishes to KMS-encrypted critical and warning topics, exported", () => {
                const logsKey = p.one("aws:kms/key:Key", "-logs");
                for (const severity of ["critical", "warning"]) {
                    const t = p.ofType(TOPIC).find((x) => x.inputs.name === `tms-${stack}-${severity}-alerts`)!;
                    assert.ok(t, `${severity} topic`);
                    assert.equal(topics[severity], t.outputs.arn);
                    assert.ok(p.dependsOn(t, "kmsMasterKeyId", logsKey));
                }
                // The key lets CloudWatch alarms and EventBridge encrypt what they publish, each under what AWS sends
                // (config/service-integrations.ts): the stack's alarms by account and ARN; EventBridge sends neither.
                const statements = json(p.ofType("aws:kms/keyPolicy:KeyPolicy").find((k) => p.dependsOn(k, "keyId", logsKey))!.inputs.policy).Statement;
                const alarms = statements.find((s: any) => s.Sid === "AlarmsPublishToAlertTopics");
                assert.equal(alarms.Principal.Service, "cloudwatch.amazonaws.com");
                assert.deepEqual(alarms.Condition, {
                    StringEquals: { "aws:SourceAccount": "111122223333" },
                    ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${cfg["aws:region"]}:111122223333:alarm:tms-${stack}-*` },
                });
                const rules = statements.find((s: any) => s.Sid === "EventRulesPublishToAlertTopics");
                assert.equal(rules.Principal.Service, "events.amazonaws.com");
                assert.equal(rules.Condition, undefined, "AWS sends no aws:SourceAccount/SourceArn for EventBridge to an encrypted topic");
                // The topics' policies say the same.
                for (const severity of ["critical", "warning"]) {
                    const tp = json(p.ofType("aws:sns/topicPolicy:TopicPolicy").find((x) => x.inputs.arn === topics[severity])!.inputs.policy).Statement;
                    assert.deepEqual(tp.find((s: any) => s.Sid === "AlarmsPublish").Condition, alarms.Condition);
                    assert.equal(tp.find((s: any) => s.Sid === "EventRulesPublish").Condition, undefined);
                }
            });

            it("watches every public service and colour on the ALB with the configured thresholds", () => {
                const alb = p.one("aws:lb/loadBalancer:LoadBalancer");
                const tgs = p.ofType("aws:lb/targetGroup:TargetGroup");
                assert.ok(tgs.length > 0);
                const m = cfg["tms:monitoring"];
                for (const tg of tgs) {
                    const id = `${tg.inputs.tags.Service}-${tg.inputs.tags.Colour}`;
                    const expected: Record<string, [string, number]> = {
                        "5xx-rate": ["critical", m.errorRatePercent ?? 1],
                        "success-rate": ["critical", m.successRatePercent ?? 99.5],
                        "unhealthy-hosts": ["critical", 0],
                        "p95-latency": ["warning", (m.p95LatencyMs ?? 1000) / 1000],
                    };
                    for (const [what, [severity, threshold]] of Object.entries(expected)) {
                        const a = alarms.find((x) => x.inputs.name === `tms-${stack}-${severity}-${id}-${what}`);
                        assert.ok(a, `${id} ${what}`);
                        assert.equal(a.inputs.threshold, threshold, `${id} ${what} threshold`);
                        for (const metric of alarmMetrics(a)) {
                            assert.equal(metric.namespace, "AWS/ApplicationELB");
                            assert.deepEqual(metric.dimensions, { LoadBalancer: alb.outputs.arnSuffix, TargetGroup: tg.outputs.arnSuffix });
                        }
                    }
                }
            });

            it("pages when a public service has no healthy target in any colour, or reports nothing at all", () => {
                const alb = p.one("aws:lb/loadBalancer:LoadBalancer");
                const byService = new Map<string, any[]>();
                for (const tg of p.ofType("aws:lb/targetGroup:TargetGroup")) byService.set(tg.inputs.tags.Service, [...(byService.get(tg.inputs.tags.Service) ?? []), tg]);
                assert.ok(byService.size > 0);
                for (const [service, tgs] of byService) {
                    const a = alarms.find((x) => x.inputs.name === `tms-${stack}-critical-${service}-no-healthy-targets`);
                    assert.ok(a, `${service} availability alarm`);
                    assert.deepEqual([a.inputs.comparisonOperator, a.inputs.threshold, a.inputs.treatMissingData], ["LessThanThreshold", 1, "breaching"]);
                    const metrics = alarmMetrics(a);
                    assert.deepEqual(metrics.map((m) => m.metricName), tgs.map(() => "HealthyHostCount"));
                    assert.deepEqual(metrics.map((m) => m.dimensions.TargetGroup).sort(), tgs.map((t) => t.outputs.arnSuffix).sort());
                    for (const m of metrics) assert.equal(m.dimensions.LoadBalancer, alb.outputs.arnSuffix);
                    const expression = a.inputs.metricQueries.find((q: any) => q.returnData).expression;
                    assert.equal(expression, tgs.map((t) => `FILL(${t.inputs.tags.Colour}, 0)`).join(" + "), "every colour counts, gaps as 0");
                    assert.ok(p.outputs.criticalAlarmNames.includes(a.inputs.name));
                }
            });

            it("pages when the load balancer itself answers 5xx above the error-rate threshold", () => {
                const alb = p.one("aws:lb/loadBalancer:LoadBalancer");
                const a = alarms.find((x) => x.inputs.name === `tms-${stack}-critical-alb-5xx-rate`);
                assert.ok(a, "ELB 5xx alarm");
                assert.equal(a.inputs.threshold, cfg["tms:monitoring"].errorRatePercent ?? 1);
                assert.deepEqual(alarmMetrics(a).map((m) => [m.metricName, m.dimensions]).sort(),
                    [["HTTPCode_ELB_5XX_Count", { LoadBalancer: alb.outputs.arnSuffix }], ["RequestCount", { LoadBalancer: alb.outputs.arnSuffix }]]);
                assert.ok(p.dependsOn(a, "metricQueries", alb));
            });

            it("watches CPU and memory of every ECS service and colour through Container Insights", () => {
                const cluster = p.one("aws:ecs/cluster:Cluster");
                const services = p.ofType("aws:ecs/service:Service");
                for (const s of services) {
                    const [service, colour] = [s.inputs.tags.Service, s.inputs.tags.Colour];
                    for (const what of ["cpu", "memory"]) {
                        const a = alarms.find((x) => x.inputs.name === `tms-${stack}-warning-${service}-${colour}-${what}`);
                        assert.ok(a, `${service}-${colour} ${what}`);
                        assert.equal(a.inputs.threshold, 80);
                        for (const metric of alarmMetrics(a)) {
                            assert.equal(metric.namespace, "ECS/ContainerInsights");
                            assert.deepEqual(metric.dimensions, { ClusterName: cluster.inputs.name, ServiceName: s.inputs.name });
                        }
                    }
                }
                const tgs = p.ofType("aws:lb/targetGroup:TargetGroup").length;
                const data = alarms.filter((a) => /-(database|cache-node-\d+)-/.test(a.inputs.name)).length;
                // Data tier: connections and CPU of the cluster, engine CPU, memory and evictions per cache node.
                assert.equal(data, 2 + 3 * p.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs.numCacheClusters);
                // Availability: one no-healthy-targets alarm per public service, one ELB 5xx alarm per load balancer.
                const publicServices = new Set(p.ofType("aws:lb/targetGroup:TargetGroup").map((t) => t.inputs.tags.Service)).size;
                assert.equal(alarms.length, tgs * 4 + services.length * 2 + data + publicServices + 1, "no other alarms");
            });

            it("names, tags and routes every alarm by severity, on ALARM and OK, with missing data decided", () => {
                for (const a of alarms) {
                    const severity = a.inputs.tags.Severity;
                    assert.ok(a.inputs.name.startsWith(alarmPrefix(stack, severity)), a.inputs.name);
                    assert.deepEqual(a.inputs.alarmActions, [topics[severity]], `${a.inputs.name} alarm actions`);
                    assert.deepEqual(a.inputs.okActions, [topics[severity]], `${a.inputs.name} OK actions`);
                    assert.equal(a.inputs.actionsEnabled, true);
                    // Silence breaches only where silence is the outage: no healthy target anywhere.
                    assert.equal(a.inputs.treatMissingData, /-no-healthy-targets$/.test(a.inputs.name) ? "breaching"
                        : /-(database|cache-node-\d+)-/.test(a.inputs.name) ? "missing" : "notBreaching", a.inputs.name);
                    assert.ok(a.inputs.datapointsToAlarm <= a.inputs.evaluationPeriods);
                }
                const critical = alarms.filter((a) => a.inputs.name.startsWith(alarmPrefix(stack, "critical"))).map((a) => a.inputs.name);
                assert.deepEqual([...p.outputs.criticalAlarmNames].sort(), critical.sort());
                assert.ok(critical.length > 0);
            });

            it("draws a dashboard whose every metric uses dimensions present in the record", () => {
                const d = p.one("aws:cloudwatch/dashboard:Dashboard");
                assert.equal(p.outputs.dashboardName, d.inputs.dashboardName);
                const known: Record<string, Set<string>> = {
                    LoadBalancer: new Set(p.ofType("aws:lb/loadBalancer:LoadBalancer").map((x) => x.outputs.arnSuffix)),
                    TargetGroup: new Set(p.ofType("aws:lb/targetGroup:TargetGroup").map((x) => x.outputs.arnSuffix)),
                    ClusterName: new Set(p.ofType("aws:ecs/cluster:Cluster").map((x) => x.inputs.name)),
                    ServiceName: new Set(p.ofType("aws:ecs/service:Service").map((x) => x.inputs.name)),
                    DBClusterIdentifier: new Set(p.ofType("aws:docdb/cluster:Cluster").map((x) => x.outputs.clusterIdentifier)),
                    CacheClusterId: new Set(p.ofType("aws:elasticache/replicationGroup:ReplicationGroup").flatMap((x) =>
                        Array.from({ length: x.inputs.numCacheClusters }, (_, i) => `${x.outputs.id ?? x.inputs.replicationGroupId}-${String(i + 1).padStart(3, "0")}`))),
                };
                const metrics = dashboardMetrics(d.inputs.dashboardBody);
                assert.ok(metrics.length > 0);
                for (const m of metrics) {
                    for (const [dim, value] of Object.entries(m.dimensions)) {
                        assert.ok(known[dim]?.has(value), `${m.metricName}: ${dim}=${value} is not in the record`);
                    }
                }
                // Traffic split: one RequestCount line per target group, so the weight shows without being written down.
                const split = JSON.parse(d.inputs.dashboardBody).widgets[0];
                assert.match(split.properties.title, /traffic split/);
                assert.deepEqual(new Set(split.properties.metrics.map((row: any[]) => row[5])), known.TargetGroup);
            });

            it("keeps every log group for the configured retention, encrypted", () => {
                const groups = p.ofType("aws:cloudwatch/logGroup:LogGroup");
                assert.ok(groups.length >= 3);
                for (const g of groups) {
                    const expected = g.inputs.name.endsWith("/vpc-flow-logs") ? cfg["tms:network"].flowLogRetentionDays : cfg["tms:monitoring"].logRetentionDays;
                    assert.equal(g.inputs.retentionInDays, expected, g.inputs.name);
                    assert.ok(g.inputs.kmsKeyId, `${g.inputs.name} encrypted`);
                }
            });
        });
    }

    describe("with a data tier (small program)", () => {
        let alarms: RecordedResource[];
        let dashboard: RecordedResource;
        before(async () => {
            const r = await runProgram({
                stack: "prod",
                config: flattenConfig(stackConfig("prod")),
                program: path.join(__dirname, "programs", "monitoring-data-tier.ts"),
            });
            const p = new Plan(r);
            alarms = p.ofType(ALARM);
            dashboard = p.one("aws:cloudwatch/dashboard:Dashboard");
        });

        it("alarms on DocumentDB connections and CPU at cluster level", () => {
            const connections = alarms.find((a) => a.inputs.name === "tms-prod-warning-database-connections")!;
            assert.equal(connections.inputs.threshold, 1360);
            assert.deepEqual(connections.inputs.dimensions, { DBClusterIdentifier: "tms-prod-docdb" });
            assert.equal(connections.inputs.statistic, "Maximum");
            assert.equal(connections.inputs.treatMissingData, "missing");
            assert.ok(alarms.some((a) => a.inputs.name === "tms-prod-warning-database-cpu"));
        });

        it("alarms on every Redis node by its member cluster id", () => {
            const redis = alarms.filter((a) => a.inputs.namespace === "AWS/ElastiCache");
            assert.equal(redis.length, 9);
            assert.deepEqual([...new Set(redis.map((a) => a.inputs.dimensions.CacheClusterId))].sort(), ["tms-prod-redis-001", "tms-prod-redis-002", "tms-prod-redis-003"]);
            for (const a of redis) assert.deepEqual(a.inputs.alarmActions, ["arn:aws:sns:us-east-1:111122223333:tms-prod-warning-alerts"]);
        });

        it("shows the database and the cache on the dashboard", () => {
            const metrics = dashboardMetrics(dashboard.inputs.dashboardBody);
            assert.ok(metrics.some((m) => m.namespace === "AWS/DocDB" && m.dimensions.DBClusterIdentifier === "tms-prod-docdb"));
            assert.ok(metrics.some((m) => m.namespace === "AWS/ElastiCache" && m.dimensions.CacheClusterId === "tms-prod-redis-003"));
        });
    });
});
