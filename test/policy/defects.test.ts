/**
 * L3: past defects of the program, put back one at a time into the real plan of a stack, are refused by the
 * pack, with exactly the violations expected and nothing else. Each case edits the L2 record (what the
 * program registers) the way the defect looked, then runs every policy with the stack's shipped config.
 */
import { strict as assert } from "assert";
import { MODULE_SERVICES, MODULES_WITHOUT_CONTROLS } from "../../tools/policy/controls";
import { runPolicies } from "../../tools/policy-runner";
import type { PlanRecord, RecordedResource } from "../../tools/record";
import { plan, StackName, STACKS } from "../harness";

const REGIONS = { dev: "us-east-1", staging: "us-east-1", prod: "us-east-1", dr: "us-west-2" } as const;

/** A deep copy of a stack's plan, to edit. */
async function record(stack: StackName): Promise<PlanRecord> {
    return JSON.parse(JSON.stringify((await plan(stack)).result)) as PlanRecord;
}

function find(r: PlanRecord, type: string, suffix = ""): RecordedResource {
    const found = r.resources.filter((x) => x.type === type && x.name.endsWith(suffix));
    assert.equal(found.length, 1, `${type} *${suffix}: ${found.map((x) => x.name)}`);
    return found[0];
}

function without(r: PlanRecord, pred: (x: RecordedResource) => boolean): PlanRecord {
    const before = r.resources.length;
    const resources = r.resources.filter((x) => !pred(x));
    assert.ok(resources.length < before, "the edit removed nothing");
    return { ...r, resources };
}

/** Every violation as `policy: resource name: message`. */
function violations(r: PlanRecord, stack: StackName): string[] {
    return runPolicies(r, { environment: stack, region: REGIONS[stack] }).map((v) => `${v.policy}: ${v.name}: ${v.message}`);
}

describe("the review's defects, put back, are refused by the pack", function () {
    this.timeout(120_000);
    it("the shipped prod and dr plans pass every policy (the baseline of the cases below)", async () => {
        assert.deepEqual(violations(await record("prod"), "prod"), []);
        assert.deepEqual(violations(await record("dr"), "dr"), []);
    });

    it("1. DocumentDB tls = enabled (accepts TLS 1.0)", async () => {
        const r = await record("prod");
        const params = find(r, "aws:docdb/clusterParameterGroup:ClusterParameterGroup");
        params.inputs.parameters.find((p: any) => p.name === "tls").value = "enabled";
        assert.deepEqual(violations(r, "prod"), [
            'docdb-tls-version: tms-data-database-params: Parameter `tls` is "enabled", which accepts TLS 1.0 and 1.1: set it to "tls1.2+".',
        ]);
    });

    it("2. the static bucket logs into the storage log bucket, whose policy grants only the app bucket", async () => {
        const r = await record("prod");
        const logsPolicy = find(r, "aws:s3/bucketPolicy:BucketPolicy", "storage-logs-policy");
        const staticBucket = find(r, "aws:s3/bucket:Bucket", "cdn-static");
        logsPolicy.propertyDependencies.policy = logsPolicy.propertyDependencies.policy.filter((u) => u !== staticBucket.urn);
        assert.deepEqual(violations(r, "prod"), [
            's3-log-target-grants-every-source: tms-data-storage-logs: Bucket "tms-data-storage-logs" receives server access logs from "tms-cdn-static" but its policy does not let logging.s3.amazonaws.com write for it: the logs are dropped.',
        ]);
    });

    it("3. dr runs replicas with no registry scanning", async () => {
        const r = without(await record("dr"), (x) => x.type === "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
        assert.deepEqual(violations(r, "dr"), [
            "ecr-registry-scanning: dr: The stack uses ECR images but configures no registry scanning: add an ENHANCED RegistryScanningConfiguration with a CONTINUOUS_SCAN rule.",
        ]);
    });

    it("3b. prod replicates its registry before the replicas' creation template exists", async () => {
        const r = await record("prod");
        const replication = find(r, "aws:ecr/replicationConfiguration:ReplicationConfiguration");
        replication.options.dependsOn = [];
        assert.deepEqual(violations(r, "prod"), [
            'ecr-replica-repository-template: tms-registry-replication: Replication "tms-registry-replication" does not wait for creation template "tms-registry-replica-template-us-west-2": add it to `dependsOn` so no replica is created before it exists.',
        ]);
        const none = without(await record("prod"), (x) => x.type === "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate");
        assert.deepEqual(violations(none, "prod"), [
            "ecr-replica-repository-template: prod: The stack replicates its registry but creates no REPLICATION repository creation template: repositories replicated before the other region's stack creates one get mutable tags and no lifecycle policy.",
        ]);
    });

    it("4. Redis without an AUTH token update strategy", async () => {
        const r = await record("prod");
        delete find(r, "aws:elasticache/replicationGroup:ReplicationGroup").inputs.authTokenUpdateStrategy;
        assert.deepEqual(violations(r, "prod"), [
            'elasticache-auth-token-update-strategy: tms-data-cache-group: authTokenUpdateStrategy is unset: set it to "SET" (or "ROTATE" while rotating) so a new token replaces the old one deliberately.',
        ]);
    });

    it("5. the VPC's default security group left as AWS made it", async () => {
        const r = without(await record("prod"), (x) => x.type === "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
        assert.deepEqual(violations(r, "prod"), [
            `vpc-default-security-group-closed: tms-network-vpc: VPC "tms-network-vpc" leaves its default security group with AWS's default rules: adopt it with an aws.ec2.DefaultSecurityGroup without rules.`,
        ]);
    });

    it("6. no HealthyHostCount or ELB 5xx alarm, and a healthy-host alarm that treats missing data as fine", async () => {
        let r = without(await record("prod"), (x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && /-alb-5xx-rate$/.test(x.name));
        assert.deepEqual(violations(r, "prod"), [
            'alb-availability-alarms: tms-traffic-alb: Load balancer "tms-traffic-alb" has no alarm on HTTPCode_ELB_5XX_Count: the 5xx it answers itself go unnoticed.',
        ]);
        r = await record("prod");
        find(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "api-gateway-no-healthy-targets").inputs.treatMissingData = "notBreaching";
        const v = violations(r, "prod");
        assert.deepEqual(v, ["blue", "green"].map((c) => `alb-availability-alarms: tms-traffic-api-gateway-${c}: Target group "tms-traffic-api-gateway-${c}": its HealthyHostCount alarm treats missing data as not breaching, so a service that reports nothing raises nothing: set \`treatMissingData: "breaching"\`.`));
    });

    it("7. DocumentDB's audit and profiler log groups left for AWS to create", async () => {
        const r = without(await record("prod"), (x) => x.type === "aws:cloudwatch/logGroup:LogGroup" && x.inputs.name?.startsWith("/aws/docdb/"));
        assert.deepEqual(violations(r, "prod"), ["audit", "profiler"].map((t) =>
            `docdb-log-groups: tms-data-database-cluster: Cluster "tms-data-database-cluster" exports ${t} logs but the stack creates no log group "/aws/docdb/tms-prod-docdb/${t}": AWS would create it without retention or key.`));
    });

    it("decisions: WAF without logging, a service trust without confused-deputy condition", async () => {
        let r = without(await record("prod"), (x) => x.type === "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
        assert.deepEqual(violations(r, "prod"), ['wafv2-web-acl-logging: tms-cdn-waf: Web ACL "tms-cdn-waf" does not log: add a WebAclLoggingConfiguration for it.']);
        r = await record("prod");
        const role = find(r, "aws:iam/role:Role", "flow-logs-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        delete trust.Statement[0].Condition;
        role.inputs.assumeRolePolicy = JSON.stringify(trust);
        assert.deepEqual(violations(r, "prod"), [
            "iam-service-trust-confused-deputy: tms-network-flow-logs-role: assumeRolePolicy statement 0 trusts vpc-flow-logs.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when VPC Flow Logs assumes its delivery role to write to CloudWatch Logs): add the condition so the service acts only for this account's resources.",
        ]);
    });
});

describe("issue 23's pack gaps, found by mutating the prod plan, are refused", function () {
    this.timeout(120_000);
    it("a role policy granting the role-changing actions and iam:PassRole on * without a boundary condition (privilege escalation)", async () => {
        const r = await record("prod");
        const rp = find(r, "aws:iam/rolePolicy:RolePolicy", "access-deployment-policy");
        const doc = JSON.parse(rp.inputs.policy);
        doc.Statement.push({ Sid: "Escalate", Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PassRole"], Resource: "*" });
        rp.inputs.policy = JSON.stringify(doc);
        assert.deepEqual(violations(r, "prod"), [
            'iam-no-privilege-escalation: tms-access-deployment-policy: RolePolicy "tms-access-deployment-policy": policy, statement "Escalate" allows iam:CreateRole, iam:PutRolePolicy, iam:AttachRolePolicy on every role without an iam:PermissionsBoundary condition: whoever holds it can give a role, and so itself, any permission.',
            'iam-no-privilege-escalation: tms-access-deployment-policy: RolePolicy "tms-access-deployment-policy": policy, statement "Escalate" allows iam:PassRole on every role: name the roles it may pass (and the services, iam:PassedToService).',
        ]);
    });

    it("a bucket policy granting Principal \"*\" (the string form) an object action without a condition", async () => {
        const r = await record("prod");
        const bp = find(r, "aws:s3/bucketPolicy:BucketPolicy", "storage-app-policy");
        const doc = JSON.parse(bp.inputs.policy);
        doc.Statement.push({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `${doc.Statement[0].Resource[0]}/*` });
        bp.inputs.policy = JSON.stringify(doc);
        assert.deepEqual(violations(r, "prod"), [
            's3-bucket-policy-not-public: tms-data-storage-app-policy: Statement "Public" grants s3:GetObject to every principal without a condition: the bucket is public.',
        ]);
    });
});

describe("issue 21, defect 4: EventBridge publishing to the encrypted alert topic under a condition AWS does not send", function () {
    this.timeout(120_000);
    const SNS_KMS = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services";
    const EB_SNS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions";
    /** The old shape: alarms and EventBridge in one statement under aws:SourceAccount, in the logs key's and a topic's policy. */
    function putBack(r: PlanRecord, stack: StackName): void {
        const kp = find(r, "aws:kms/keyPolicy:KeyPolicy", "keys-logs-policy");
        const key = JSON.parse(kp.inputs.policy);
        const acct = key.Statement[0].Principal.AWS.split(":")[4];
        key.Statement = key.Statement.filter((x: any) => !["AlarmsPublishToAlertTopics", "EventRulesPublishToAlertTopics"].includes(x.Sid)).concat([{
            Sid: "AlarmsAndEventsPublishToAlertTopics", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": acct } },
        }]);
        kp.inputs.policy = JSON.stringify(key);
        const tp = find(r, "aws:sns/topicPolicy:TopicPolicy", "monitoring-critical-policy");
        const topic = JSON.parse(tp.inputs.policy);
        topic.Statement = topic.Statement.filter((x: any) => !["AlarmsPublish", "EventRulesPublish"].includes(x.Sid)).concat([{
            Sid: "AlarmsAndRulesPublish", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
            Action: "sns:Publish", Resource: topic.Statement[0].Resource, Condition: { StringEquals: { "aws:SourceAccount": acct } },
        }]);
        tp.inputs.policy = JSON.stringify(topic);
        void stack;
    }
    for (const stack of ["prod", "dev"] as const) {
        it(`${stack}: the pack refuses the key and topic statements it used to demand`, async () => {
            const r = await record(stack);
            putBack(r, stack);
            assert.deepEqual(violations(r, stack), [
                `kms-key-policy-confused-deputy: tms-keys-logs-policy: Key policy statement "AlarmsAndEventsPublishToAlertTopics" grants events.amazonaws.com under aws:SourceAccount, which AWS does not send when an EventBridge rule publishes to a KMS-encrypted SNS topic (${SNS_KMS}): the condition never matches and the service is refused. Put events.amazonaws.com in a statement of its own without that condition.`,
                `sns-topic-policy-confused-deputy: tms-monitoring-critical-policy: Topic policy statement "AlarmsAndRulesPublish" grants events.amazonaws.com with a Condition block: AWS supports none when an EventBridge rule publishes to an SNS topic (${EB_SNS}); the service is refused. Put events.amazonaws.com in a statement of its own without conditions.`,
            ]);
        });
    }
});

describe("the break-glass trail answers the CloudTrail controls, and each one undone is refused", function () {
    this.timeout(120_000);
    const TRAIL = "aws:cloudtrail/trail:Trail";
    const cases: [string, (r: PlanRecord) => void, string][] = [
        ["CloudTrail.1: a single-region trail", (r) => { find(r, TRAIL).inputs.isMultiRegionTrail = false; },
            "cloudtrail-multi-region-management-events: tms-access-audit-trail: The trail logs one region only: set `isMultiRegionTrail: true` so every region's events reach it."],
        ["CloudTrail.2: no KMS key", (r) => { delete find(r, TRAIL).inputs.kmsKeyId; },
            "cloudtrail-encryption-customer-key: tms-access-audit-trail: The trail's log files are not encrypted with a KMS key: set `kmsKeyId` to the stack's logs key."],
        ["CloudTrail.4: no log file validation", (r) => { find(r, TRAIL).inputs.enableLogFileValidation = false; },
            "cloudtrail-log-file-validation: tms-access-audit-trail: Log file validation is off: set `enableLogFileValidation: true` so a changed or deleted log file shows."],
        ["CloudTrail.5: no CloudWatch Logs delivery", (r) => { const t = find(r, TRAIL); delete t.inputs.cloudWatchLogsGroupArn; delete t.inputs.cloudWatchLogsRoleArn; },
            "cloudtrail-cloudwatch-logs: tms-access-audit-trail: The trail does not deliver to CloudWatch Logs: set `cloudWatchLogsGroupArn` and `cloudWatchLogsRoleArn`."],
        ["CloudTrail.6/7: a bucket from outside the stack", (r) => { const t = find(r, TRAIL); t.inputs.s3BucketName = "tms-shared-audit"; t.propertyDependencies.s3BucketName = []; },
            'cloudtrail-bucket-in-stack: tms-access-audit-trail: Trail "tms-access-audit-trail" writes to bucket "tms-shared-audit" that this stack does not create: its public access block and access logging go unchecked.'],
        ["the logs key lets CloudTrail describe it for any trail", (r) => {
            const kp = find(r, "aws:kms/keyPolicy:KeyPolicy", "keys-logs-policy");
            const doc = JSON.parse(kp.inputs.policy);
            delete doc.Statement.find((x: any) => x.Sid === "CloudTrailDescribesKey").Condition;
            kp.inputs.policy = JSON.stringify(doc);
        }, `kms-key-policy-confused-deputy: tms-keys-logs-policy: Key policy statement "CloudTrailDescribesKey" trusts cloudtrail.amazonaws.com without aws:SourceArn (AWS sends it when CloudTrail describes the key of a trail it creates or updates): add the condition so the service acts only for this account's resources.`],
    ];
    for (const stack of ["prod", "dr"] as const) {
        for (const [title, edit, expected] of cases) {
            it(`${stack}: ${title}`, async () => {
                const r = await record(stack);
                edit(r);
                assert.deepEqual(violations(r, stack), [expected]);
            });
        }
    }
});

describe("controls table coverage of what the program creates", function () {
    this.timeout(120_000);
    it("every AWS module registered by any stack has its services in the table, or no controls at all", async () => {
        const modules = new Set<string>();
        for (const stack of STACKS) {
            for (const r of (await plan(stack)).resources) if (r.type.startsWith("aws:")) modules.add(r.type.split(":")[1].split("/")[0]);
        }
        const unknown = [...modules].filter((m) => !MODULE_SERVICES[m] && !MODULES_WITHOUT_CONTROLS[m]);
        assert.deepEqual(unknown, []);
        assert.ok(modules.size >= 15, [...modules].join(" "));
    });
});
