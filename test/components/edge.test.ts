import { strict as assert } from "assert";
import { MANAGED_RULE_GROUPS } from "../../components/cdn";
import { ProgramError, runProgram } from "../../tools/mock-engine";
import { flattenConfig, json, plan, Plan, planWith, stackConfig } from "../harness";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const RECORD = "aws:route53/record:Record";
const HEALTH = "aws:route53/healthCheck:HealthCheck";

describe("edge: CDN, DNS failover and the dr stack", () => {
    let prod: Plan, dr: Plan;
    before(async () => { [prod, dr] = await Promise.all([plan("prod"), plan("dr")]); });

    describe("CloudFront (prod)", () => {
        it("exists only in prod", async () => {
            assert.equal(prod.ofType(DISTRIBUTION).length, 1);
            for (const stack of ["dev", "staging", "dr"]) assert.equal((await plan(stack)).ofType(DISTRIBUTION).length, 0, stack);
        });

        it("serves viewers over HTTPS only, TLS 1.2+, with a us-east-1 ACM certificate for the host name", () => {
            const d = prod.one(DISTRIBUTION).inputs;
            assert.deepEqual(d.aliases, ["taskmanagement.example.com"]);
            for (const b of [d.defaultCacheBehavior, ...d.orderedCacheBehaviors]) assert.equal(b.viewerProtocolPolicy, "redirect-to-https");
            assert.equal(d.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
            assert.equal(d.viewerCertificate.sslSupportMethod, "sni-only");
            const cert = prod.one("aws:acm/certificate:Certificate", "tms-cdn-certificate");
            assert.equal(cert.inputs.domainName, "taskmanagement.example.com");
            assert.match(cert.outputs.arn, /^arn:aws:acm:us-east-1:/);
            assert.ok(prod.dependsOn(prod.one(DISTRIBUTION), "viewerCertificate", prod.one("aws:acm/certificateValidation:CertificateValidation", "tms-cdn-certificate-validated")));
        });

        it("reaches the ALB through the failover name, HTTPS only, with the secret header the ALB requires", () => {
            const d = prod.one(DISTRIBUTION).inputs;
            const alb = d.origins.find((o: any) => o.originId === "alb");
            assert.equal(alb.domainName, "origin.taskmanagement.example.com");
            assert.equal(alb.customOriginConfig.originProtocolPolicy, "https-only");
            assert.deepEqual(alb.customOriginConfig.originSslProtocols, ["TLSv1.2"]);
            const header = alb.customHeaders.find((h: any) => h.name === "X-Origin-Verify");
            const rule = prod.one("aws:lb/listenerRule:ListenerRule", "-origin-rule");
            assert.equal(header.value, rule.inputs.conditions[0].httpHeader.values[0]);
            assert.ok(prod.result.secretInputs[prod.one(DISTRIBUTION).urn]?.some((p) => p.startsWith("origins")), "the header is a secret in the distribution");
            assert.ok(prod.result.secretOutputs.includes("originVerifyHeader"));
        });

        it("serves /static/* from a private bucket through origin access control", () => {
            const d = prod.one(DISTRIBUTION);
            const origin = d.inputs.origins.find((o: any) => o.originId === "static");
            const oac = prod.one("aws:cloudfront/originAccessControl:OriginAccessControl");
            assert.equal(origin.originAccessControlId, oac.outputs.id ?? oac.inputs.id ?? origin.originAccessControlId);
            assert.ok(prod.dependsOn(d, "origins", oac));
            assert.equal(oac.inputs.signingBehavior, "always");
            assert.equal(d.inputs.orderedCacheBehaviors[0].pathPattern, "/static/*");
            const bucket = prod.ofType("aws:s3/bucket:Bucket").find((b) => b.inputs.tags.BucketRole === "static-assets")!;
            const block = prod.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").find((b) => prod.dependsOn(b, "bucket", bucket))!;
            assert.equal(block.inputs.restrictPublicBuckets, true);
            const policy = json(prod.ofType("aws:s3/bucketPolicy:BucketPolicy").find((b) => prod.dependsOn(b, "bucket", bucket))!.inputs.policy);
            const grant = policy.Statement.find((s: any) => s.Sid === "CloudFrontReadsThroughOac");
            assert.deepEqual(grant.Principal, { Service: "cloudfront.amazonaws.com" });
            assert.equal(grant.Condition.StringEquals["AWS:SourceArn"], d.outputs.arn);
        });

        it("logs to a dedicated bucket and is protected by a WAF whose rate limit comes from config", async () => {
            const d = prod.one(DISTRIBUTION);
            const logs = prod.ofType("aws:s3/bucket:Bucket").find((b) => b.inputs.tags.BucketRole === "cdn-logs")!;
            assert.equal(d.inputs.loggingConfig.bucket, logs.outputs.bucketDomainName);
            const waf = prod.one("aws:wafv2/webAcl:WebAcl");
            assert.equal(waf.inputs.scope, "CLOUDFRONT");
            assert.equal(d.inputs.webAclId, waf.outputs.arn);
            // WAF evaluates rules by priority, not by their place in the list: the managed groups first, then the rate limit.
            const byPriority = [...waf.inputs.rules].sort((a: any, b: any) => a.priority - b.priority);
            assert.equal(new Set(byPriority.map((r: any) => r.priority)).size, byPriority.length, "priorities are unique");
            assert.deepEqual(byPriority.map((r: any) => r.statement.managedRuleGroupStatement?.name ?? "rate-limit"), [...MANAGED_RULE_GROUPS, "rate-limit"]);
            // Decision: the Core rule set counts bodies over 8 KB instead of blocking them (prod alone has a WAF).
            assert.deepEqual(byPriority.map((r: any) => r.statement.managedRuleGroupStatement?.ruleActionOverrides ?? []),
                [[{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }], [], [], []]);
            // WAF.11: every request the ACL judges is logged to an aws-waf-logs- group, kept and encrypted like the other logs.
            const logging = prod.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
            const wafLogs = prod.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === "aws-waf-logs-tms-prod")!;
            assert.ok(prod.dependsOn(logging, "resourceArn", waf));
            assert.deepEqual(logging.inputs.logDestinationConfigs, [wafLogs.outputs.arn]);
            assert.equal(wafLogs.inputs.retentionInDays, 90);
            assert.ok(prod.dependsOn(wafLogs, "kmsKeyId", prod.one("aws:kms/key:Key", "-logs")));
            const rate = waf.inputs.rules.find((r: any) => r.statement.rateBasedStatement);
            assert.deepEqual([rate.statement.rateBasedStatement.limit, rate.action], [2000, { block: {} }]);
            const changed = await planWith("prod", (c) => { c["tms:cdn"].rateLimitPer5Minutes = 5000; });
            assert.equal(changed.one("aws:wafv2/webAcl:WebAcl").inputs.rules.find((r: any) => r.statement.rateBasedStatement).statement.rateBasedStatement.limit, 5000);
        });

        it("points the public host name at the distribution", () => {
            const alias = prod.one(RECORD, "tms-cdn-alias");
            assert.equal(alias.inputs.name, "taskmanagement.example.com");
            assert.equal(alias.inputs.aliases[0].name, prod.one(DISTRIBUTION).outputs.domainName);
        });
    });

    describe("Route53 failover", () => {
        it("prod publishes the PRIMARY record on a calculated check: its ALB's /health AND the DR fence (an alarm in us-west-2)", () => {
            const hc = prod.one(HEALTH, "tms-failover-health");
            const alb = prod.one("aws:lb/loadBalancer:LoadBalancer");
            assert.deepEqual([hc.inputs.type, hc.inputs.port, hc.inputs.resourcePath, hc.inputs.fqdn], ["HTTPS", 443, "/health", alb.outputs.dnsName]);
            const fence = prod.one(HEALTH, "tms-failover-fence");
            const alarm = prod.one("aws:cloudwatch/metricAlarm:MetricAlarm", "tms-failover-fence-alarm");
            // Route 53 reads the alarm's data stream; the runbook publishes once: without data, the last known status holds.
            assert.deepEqual([fence.inputs.type, fence.inputs.cloudwatchAlarmName, fence.inputs.cloudwatchAlarmRegion, fence.inputs.insufficientDataHealthStatus, fence.inputs.invertHealthcheck],
                ["CLOUDWATCH_METRIC", "tms-dr-prod-primary-fence", "us-west-2", "LastKnownStatus", false]);
            assert.deepEqual([alarm.inputs.namespace, alarm.inputs.metricName, alarm.inputs.dimensions, alarm.inputs.threshold, alarm.inputs.comparisonOperator, alarm.inputs.treatMissingData],
                ["TMS/DR", "PrimaryFenced", { Environment: "prod" }, 1, "GreaterThanOrEqualToThreshold", "ignore"]);
            assert.match(alarm.outputs.arn, /^arn:aws:cloudwatch:us-west-2:/, "the fence alarm lives in the dr region (prod's provider there)");
            assert.deepEqual(alarm.inputs.alarmActions, ["arn:aws:sns:us-west-2:111122223333:tms-dr-critical-alerts"]);
            // dr's critical topic and its key admit only dr's own alarms (aws:SourceArn ArnLike): the fence's name is in dr's namespace.
            const arnLike = (pattern: string, value: string) => new RegExp(`^${pattern.split("*").map((x) => x.replace(/[.?+^$()[\]{}|\\]/g, "\\$&")).join(".*")}$`).test(value);
            const drTopic = dr.ofType("aws:sns/topic:Topic").find((x) => x.inputs.name === "tms-dr-critical-alerts")!;
            const topicPolicy = json(dr.ofType("aws:sns/topicPolicy:TopicPolicy").find((x) => x.inputs.arn === drTopic.outputs.arn)!.inputs.policy).Statement;
            const keyPolicy = json(dr.ofType("aws:kms/keyPolicy:KeyPolicy").find((k) => dr.dependsOn(k, "keyId", dr.one("aws:kms/key:Key", "-logs")))!.inputs.policy).Statement;
            for (const statement of [topicPolicy.find((x: any) => x.Sid === "AlarmsPublish"), keyPolicy.find((x: any) => x.Sid === "AlarmsPublishToAlertTopics")]) {
                assert.ok(arnLike(statement.Condition.ArnLike["aws:SourceArn"], alarm.outputs.arn), `${statement.Sid} admits ${alarm.outputs.arn}`);
            }
            const calculated = prod.one(HEALTH, "tms-failover-primary");
            assert.equal(calculated.inputs.type, "CALCULATED");
            assert.equal(calculated.inputs.childHealthThreshold, 2, "healthy only when both children are");
            assert.ok(prod.dependsOn(calculated, "childHealthchecks", hc) && prod.dependsOn(calculated, "childHealthchecks", fence));
            const record = prod.one(RECORD, "tms-failover-record");
            assert.equal(record.inputs.name, "origin.taskmanagement.example.com");
            assert.deepEqual(record.inputs.failoverRoutingPolicies, [{ type: "PRIMARY" }]);
            assert.ok(prod.dependsOn(record, "healthCheckId", calculated));
            assert.equal(record.inputs.aliases[0].name, alb.outputs.dnsName);
        });

        it("dr publishes the SECONDARY record for the same name, gated: unhealthy until the runbook opens it (an inverted check, closed before any datum)", () => {
            const gate = dr.one(HEALTH, "tms-failover-gate");
            assert.deepEqual([gate.inputs.type, gate.inputs.cloudwatchAlarmName, gate.inputs.cloudwatchAlarmRegion, gate.inputs.insufficientDataHealthStatus, gate.inputs.invertHealthcheck],
                ["CLOUDWATCH_METRIC", "tms-dr-dr-gate", "us-west-2", "LastKnownStatus", true]);
            const alarm = dr.one("aws:cloudwatch/metricAlarm:MetricAlarm", "tms-failover-gate-alarm");
            assert.deepEqual([alarm.inputs.metricName, alarm.inputs.dimensions, alarm.inputs.threshold, alarm.inputs.comparisonOperator, alarm.inputs.treatMissingData],
                ["DrOpen", { Environment: "dr" }, 1, "GreaterThanOrEqualToThreshold", "ignore"]);
            const record = dr.one(RECORD, "tms-failover-record");
            assert.ok(dr.dependsOn(record, "healthCheckId", gate));
            const primary = prod.one(RECORD, "tms-failover-record");
            assert.equal(record.inputs.name, primary.inputs.name);
            assert.equal(record.inputs.zoneId, primary.inputs.zoneId);
            assert.deepEqual(record.inputs.failoverRoutingPolicies, [{ type: "SECONDARY" }]);
            assert.notEqual(record.inputs.setIdentifier, primary.inputs.setIdentifier);
            assert.equal(record.inputs.aliases[0].name, dr.one("aws:lb/loadBalancer:LoadBalancer").outputs.dnsName);
            assert.match(record.inputs.aliases[0].name, /\.us-west-2\.elb\.amazonaws\.com$/);
        });

        it("the rpo/rto outputs say what each data store achieves by AWS's figures, not the target alone", () => {
            for (const p of [prod, dr]) {
                assert.equal(p.outputs.rpo.targetMinutes, 5);
                assert.deepEqual([p.outputs.rpo.stores.documentdb.rpoSeconds, p.outputs.rpo.stores.documentdb.kind], [1, "typical"], "AWS: typically under a second, no bound");
                assert.deepEqual([p.outputs.rpo.stores.applicationBucket.rpoSeconds, p.outputs.rpo.stores.applicationBucket.kind], [900, "bound"], "S3 RTC: 99.99% within 15 minutes");
                assert.equal(p.outputs.rpo.worstCaseSeconds, 900);
                assert.equal(p.outputs.rpo.meetsTarget, false);
                assert.equal(p.outputs.rto.targetMinutes, 60);
                assert.match(p.outputs.rto.runbook, /dr:failover/);
            }
        });

        it("dr's program reads the mode the runbook recorded in SSM: active keeps prod's minimum (6) on every ECS service, from any checkout", async function () {
            this.timeout(300_000);
            const asked: string[] = [];
            const active = new Plan(await runProgram({
                stack: "dr", config: flattenConfig(stackConfig("dr")),
                invoke: (token, inputs, region) => {
                    if (token !== "aws:ssm/getParametersByPath:getParametersByPath") return undefined;
                    asked.push(`${region} ${inputs.path}`);
                    return { id: inputs.path, path: inputs.path, names: ["/production/dr-runbook/mode"], values: ["active"], types: ["String"], arns: [] };
                },
            }));
            const counts = (p: Plan) => p.ofType("aws:ecs/service:Service").filter((x) => x.inputs.desiredCount > 0).map((x) => x.inputs.desiredCount);
            assert.deepEqual(counts(active), [6, 6], "the live colour of each service at prod's minimum");
            assert.deepEqual(counts(dr), [4, 4], "no mode recorded: the stack file's standby count");
            assert.deepEqual(asked, ["us-west-2 /production/dr-runbook"], "read in dr's own region");
        });

        it("dev and staging have no failover", async () => {
            for (const stack of ["dev", "staging"]) assert.equal((await plan(stack)).ofType(HEALTH, RECORD).filter((r) => r.name.includes("failover")).length, 0);
        });
    });

    describe("the dr stack reads prod", () => {
        it("through a StackReference named by tms:primaryStack, wiring prod's outputs in", () => {
            // Two references: prod, and dr's own (its deployed release, config/release.ts).
            assert.deepEqual(dr.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name).sort(), ["organization/tms/dr", "organization/tms/prod"]);
            const cluster = dr.one("aws:docdb/cluster:Cluster");
            assert.equal(cluster.inputs.globalClusterIdentifier, prod.outputs.globalClusterId);
            // dr:failover reads the global cluster and dr's cluster from dr's own outputs.
            assert.equal(dr.outputs.globalClusterId, prod.outputs.globalClusterId);
            assert.equal(dr.outputs.databaseClusterId, cluster.outputs.clusterIdentifier);
            assert.equal(dr.outputs.liveColour, "blue");
            assert.equal(dr.outputs.bucketName, prod.outputs.replicaBucketName);
            const header = dr.one("aws:lb/listenerRule:ListenerRule", "-origin-rule").inputs.conditions[0].httpHeader.values[0];
            assert.equal(header, prod.outputs.originVerifyHeader);
            const tasks = dr.ofType("aws:ecs/service:Service").filter((s) => s.inputs.desiredCount > 0);
            assert.deepEqual(tasks.map((s) => s.inputs.desiredCount), [4, 4]);
        });

        const planDr = (refs: Record<string, any> | undefined) =>
            runProgram({ stack: "dr", config: flattenConfig(stackConfig("dr")), stackReferences: { "organization/tms/prod": refs } });

        it("is a config error naming every missing output when prod is not reachable", async () => {
            await assert.rejects(planDr(undefined), (e: any) => {
                assert.ok(e instanceof ProgramError);
                assert.match(e.message, /^Pulumi\.dr\.yaml: tms:primaryStack: stack "organization\/tms\/prod" has no output "failoverName", "globalClusterId", .*"originVerifyHeader" \(deploy the prod stack first/);
                assert.deepEqual(e.resources.map((r: any) => r.type).filter((t: string) => !t.startsWith("pulumi:pulumi:")), [], "nothing but the stack and the reference is registered");
                return true;
            });
        });

        it("names only what is missing when prod is an older shape", async () => {
            const { globalClusterId: _omitted, ...rest } = prod.outputs;
            await assert.rejects(planDr(rest), /has no output "globalClusterId" \(deploy/);
        });
    });
});
