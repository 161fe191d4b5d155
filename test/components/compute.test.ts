import { strict as assert } from "assert";
import { lifecyclePolicy } from "../../components/registry";
import { json, plan, Plan, stackConfig, STACKS } from "../harness";

/**
 * What an image lifecycle policy keeps, read back from its JSON: rules in evaluation order (by
 * rulePriority), each as `<selection> <count type> <number>`, for comparison with the stack file.
 */
function lifecycleSummary(policy: string): string[] {
    const rules = JSON.parse(policy).rules as any[];
    const priorities = rules.map((r) => r.rulePriority);
    assert.deepEqual(priorities, [...priorities].sort((a, b) => a - b), "rules are listed in priority order");
    assert.equal(new Set(priorities).size, priorities.length, "rule priorities are unique");
    return rules.map((r) => {
        assert.equal(r.action.type, "expire");
        const what = r.selection.tagPatternList?.join(",") ?? r.selection.tagStatus;
        return `${what} ${r.selection.countType} ${r.selection.countNumber}`;
    });
}

/** The lifecycle the stack file asks for: the moving tags first, then untagged and per-environment ages. */
function expectedLifecycle(stack: string): string[] {
    const r = stackConfig(stack)["tms:registry"];
    return [
        "latest-* imageCountMoreThan 100",
        `untagged sinceImagePushed ${r.untaggedExpireDays}`,
        `*-dev sinceImagePushed ${r.retentionDays.dev}`,
        `*-staging sinceImagePushed ${r.retentionDays.staging}`,
        `*-prod sinceImagePushed ${r.retentionDays.prod}`,
    ];
}

const TASKDEF = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";

const EXPECTED = {
    dev: { colours: ["blue"], count: 2, cpu: "2048", memory: "4096", host: "dev.taskmanagement.example.com", region: "us-east-1" },
    staging: { colours: ["blue", "green"], count: 3, cpu: "2048", memory: "8192", host: "staging.taskmanagement.example.com", region: "us-east-1" },
    prod: { colours: ["blue", "green"], count: 6, cpu: "4096", memory: "16384", host: "taskmanagement.example.com", region: "us-east-1" },
    dr: { colours: ["blue", "green"], count: 4, cpu: "2048", memory: "8192", host: "dr.taskmanagement.example.com", region: "us-west-2" },
} as const;

function containers(p: Plan, svc: string, colour: string) {
    const td = p.ofType(TASKDEF).find((t) => t.name === `tms-${svc}-${colour}-task`);
    assert.ok(td, `task definition of ${svc}-${colour}`);
    return { td, container: json(td.inputs.containerDefinitions)[0] };
}

describe("compute", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            const e = EXPECTED[stack];
            before(async () => { p = await plan(stack); });

            it("runs one ECS service per service and colour, the idle colour at 0 tasks", () => {
                const services = p.ofType(SERVICE);
                assert.equal(services.length, 2 * e.colours.length);
                for (const svc of ["api-gateway", "task-service"]) {
                    for (const colour of e.colours) {
                        const s = services.find((x) => x.name === `tms-${svc}-${colour}-service`)!;
                        assert.ok(s, `${svc}-${colour}`);
                        assert.equal(s.inputs.name, e.colours.length === 1 ? svc : `${svc}-${colour}`);
                        assert.equal(s.inputs.desiredCount, colour === "blue" ? e.count : 0, `${svc}-${colour} desired count`);
                    }
                }
            });

            it("deploys with the rolling settings and the circuit breaker, privately", () => {
                for (const s of p.ofType(SERVICE)) {
                    assert.equal(s.inputs.deploymentMaximumPercent, 200);
                    assert.equal(s.inputs.deploymentMinimumHealthyPercent, 100);
                    assert.deepEqual(s.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
                    assert.equal(s.inputs.launchType, "FARGATE");
                    assert.equal(s.inputs.networkConfiguration.assignPublicIp, false);
                    assert.deepEqual(s.inputs.networkConfiguration.subnets, p.outputs.privateSubnetIds);
                    assert.equal(s.inputs.enableExecuteCommand, stack === "dev" || stack === "staging");
                }
            });

            it("sizes tasks from config and hardens the container", () => {
                for (const svc of ["api-gateway", "task-service"]) {
                    const { td, container } = containers(p, svc, "blue");
                    assert.equal(td.inputs.cpu, e.cpu);
                    assert.equal(td.inputs.memory, e.memory);
                    assert.equal(td.inputs.networkMode, "awsvpc");
                    assert.deepEqual(td.inputs.requiresCompatibilities, ["FARGATE"]);
                    assert.equal(container.readonlyRootFilesystem, true);
                    assert.equal(container.privileged, false);
                    assert.match(container.user, /^[1-9]\d*:[1-9]\d*$/, "non-root user");
                    assert.deepEqual(container.healthCheck.command.slice(0, 2), ["CMD", "python3"], "exec form, the contract's python, no shell or curl");
                    assert.match(container.healthCheck.command[3], /\/health"/);
                    assert.equal(container.logConfiguration.logDriver, "awslogs");
                    assert.equal(container.logConfiguration.options["awslogs-group"], `/tms/${stack}/${svc}`);
                    assert.equal(container.logConfiguration.options["awslogs-region"], e.region);
                    const group = p.one("aws:cloudwatch/logGroup:LogGroup", `tms-${svc}-logs`);
                    assert.ok(p.dependsOn(group, "kmsKeyId", p.one("aws:kms/key:Key", "-logs")));
                    assert.ok(group.inputs.retentionInDays > 0);
                }
            });

            it("passes the guide's environment and same-colour service names, secrets only through `secrets`", () => {
                for (const colour of e.colours) {
                    const { container } = containers(p, "api-gateway", colour);
                    const env = Object.fromEntries(container.environment.map((x: any) => [x.name, x.value]));
                    assert.equal(env.FLASK_ENV, stack === "dev" ? "development" : "production");
                    assert.equal(env.LOG_LEVEL, stack === "dev" ? "DEBUG" : "INFO");
                    assert.equal(env.SERVICE_NAME, "api-gateway");
                    assert.equal(env.API_VERSION, "v1");
                    const callee = e.colours.length === 1 ? "task-service" : `task-service-${colour}`;
                    assert.equal(env.TASK_SERVICE_URL, `http://${callee}.service.local:5001`);
                    const secrets = container.secrets.map((s: any) => s.name).sort();
                    assert.deepEqual(secrets, ["MONGODB_URI", "REDIS_PASSWORD"]);
                    for (const s of container.secrets) assert.match(s.valueFrom, new RegExp(`^arn:aws:secretsmanager:${e.region}:\\d{12}:secret:[a-z]+/api-gateway/`));
                    const secretArns = container.secrets.map((s: any) => s.valueFrom);
                    for (const v of container.environment) {
                        assert.doesNotMatch(v.name, /PASSWORD|SECRET|TOKEN|MONGODB_URI|CREDENTIAL/i, `secret-looking ${v.name} in environment`);
                        assert.ok(!secretArns.includes(v.value), `${v.name} holds a secret reference`);
                    }
                }
            });

            it("scopes the execution role to its repository, logs and secrets, and the task role to its prefix and path", () => {
                for (const svc of ["api-gateway", "task-service"]) {
                    const exec = json(p.one("aws:iam/rolePolicy:RolePolicy", `tms-${svc}-roles-execution-policy`).inputs.policy);
                    const pull = exec.Statement.find((s: any) => s.Sid === "PullOwnImage");
                    assert.match(pull.Resource, new RegExp(`:repository/task-management-system/${svc}$`));
                    const secrets = exec.Statement.find((s: any) => s.Sid === "ReadOwnSecrets");
                    assert.ok(secrets.Resource.length > 0);
                    for (const arn of secrets.Resource) assert.match(arn, new RegExp(`:secret:[a-z]+/${svc}/`));
                    for (const st of exec.Statement) {
                        if (st.Resource === "*") assert.deepEqual(st.Action, "ecr:GetAuthorizationToken");
                    }
                    const task = json(p.one("aws:iam/rolePolicy:RolePolicy", `tms-${svc}-roles-task-policy`).inputs.policy);
                    const objects = task.Statement.find((s: any) => s.Sid === "OwnObjects");
                    assert.match(objects.Resource, new RegExp(`^arn:aws:s3:::[a-z0-9.-]+/${svc}/\\*$`));
                    const params = task.Statement.find((s: any) => s.Sid === "OwnParameters");
                    assert.ok(params.Resource.every((r: string) => new RegExp(`:parameter/[a-z]+/${svc}(/\\*)?$`).test(r)), params.Resource.join());
                    for (const st of task.Statement) {
                        assert.ok(!(st.Action === "*" || (Array.isArray(st.Action) && st.Action.includes("*"))));
                        if (st.Resource === "*") assert.equal(stack === "dev" || stack === "staging", true, "only ECS Exec channels are unscoped");
                    }
                }
            });

            it("registers each colour in Cloud Map service.local with the failure threshold AWS stores (1: any other value replaces the service on every up)", () => {
                const ns = p.one("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace");
                assert.equal(ns.inputs.name, "service.local");
                const names = p.ofType("aws:servicediscovery/service:Service").map((s) => s.inputs.name).sort();
                const expected = e.colours.length === 1 ? ["api-gateway", "task-service"] : ["api-gateway-blue", "api-gateway-green", "task-service-blue", "task-service-green"];
                assert.deepEqual(names, expected);
                for (const s of p.ofType("aws:servicediscovery/service:Service")) assert.equal(s.inputs.healthCheckCustomConfig.failureThreshold, 1);
            });

            it("names the cluster task-management-<env> with Container Insights", () => {
                const c = p.one("aws:ecs/cluster:Cluster");
                assert.equal(c.inputs.name, `task-management-${stack}`);
                assert.ok(c.inputs.settings.some((s: any) => s.name === "containerInsights" && s.value !== "disabled"));
                assert.equal(c.inputs.configuration.executeCommandConfiguration.logging, "OVERRIDE");
            });

            it(stack === "prod" ? "auto-scales the live colour on CPU and memory, 6 to 12 tasks" : "has no autoscaling", () => {
                const targets = p.ofType("aws:appautoscaling/target:Target");
                if (stack !== "prod") return assert.equal(targets.length, 0);
                assert.equal(targets.length, 4);
                for (const t of targets) {
                    const live = t.name.includes("-blue-");
                    assert.deepEqual([t.inputs.minCapacity, t.inputs.maxCapacity], live ? [6, 12] : [0, 0], t.name);
                }
                const metrics = p.ofType("aws:appautoscaling/policy:Policy").map((x) => x.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType);
                assert.equal(metrics.filter((m) => m === "ECSServiceAverageCPUUtilization").length, 4);
                assert.equal(metrics.filter((m) => m === "ECSServiceAverageMemoryUtilization").length, 4);
                for (const s of p.ofType(SERVICE)) assert.deepEqual(s.options.ignoreChanges, ["desiredCount"]);
            });

            it("keeps one ECR repository per service (dr uses prod's replicas)", () => {
                const repos = p.ofType("aws:ecr/repository:Repository");
                const image = containers(p, "api-gateway", "blue").container.image;
                const scanning = p.one("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration");
                assert.equal(scanning.inputs.scanType, "ENHANCED");
                assert.deepEqual(scanning.inputs.rules.map((r: any) => [r.scanFrequency, r.repositoryFilters]),
                    [["CONTINUOUS_SCAN", [{ filter: "task-management-system/*", filterType: "WILDCARD" }]]]);
                const templates = p.ofType("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate");
                if (stack === "dr") {
                    assert.equal(repos.length, 0);
                    assert.match(image, /^\d{12}\.dkr\.ecr\.us-west-2\.amazonaws\.com\/task-management-system\/api-gateway:latest-prod$/);
                    // prod, which replicates, creates the replicas' template (before its replication rule).
                    assert.equal(templates.length, 0);
                    return;
                }
                if (stack === "prod") {
                    // The replicas ECR creates in us-west-2 get the home repositories' settings from a template
                    // created there first: the replication rule waits for it.
                    assert.equal(templates.length, 1);
                    const t = templates[0];
                    assert.equal(p.byUrn(t.options.provider!).inputs.region, "us-west-2");
                    assert.equal(t.inputs.prefix, "task-management-system");
                    assert.deepEqual(t.inputs.appliedFors, ["REPLICATION"]);
                    assert.equal(t.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
                    assert.deepEqual(t.inputs.imageTagMutabilityExclusionFilters, [{ filter: "latest-*", filterType: "WILDCARD" }]);
                    assert.deepEqual(lifecycleSummary(t.inputs.lifecyclePolicy), expectedLifecycle(stack));
                    assert.ok(p.one("aws:ecr/replicationConfiguration:ReplicationConfiguration").options.dependsOn!.includes(t.urn));
                } else assert.equal(templates.length, 0);
                assert.deepEqual(repos.map((r) => r.inputs.name).sort(), ["task-management-system/api-gateway", "task-management-system/task-service"]);
                assert.match(image, new RegExp(`^\\d{12}\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/task-management-system/api-gateway:latest-${stack}$`));
                for (const r of repos) {
                    assert.equal(r.inputs.imageScanningConfiguration.scanOnPush, true);
                    assert.equal(r.inputs.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
                    assert.deepEqual(r.inputs.imageTagMutabilityExclusionFilters, [{ filter: "latest-*", filterType: "WILDCARD" }]);
                    assert.equal(r.inputs.encryptionConfigurations[0].encryptionType, "KMS");
                    assert.equal(r.options.protect, stack !== "dev");
                }
                // Each repository's own lifecycle policy, read back and compared with the stack file.
                const policies = p.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
                assert.equal(policies.length, repos.length);
                for (const r of repos) {
                    const mine = policies.filter((x) => p.dependsOn(x, "repository", r));
                    assert.equal(mine.length, 1, `${r.inputs.name} lifecycle policy`);
                    assert.deepEqual(lifecycleSummary(mine[0].inputs.policy), expectedLifecycle(stack), r.inputs.name);
                }
                // Rescanned continuously (the guide's daily rescans, checked above), critical findings page on-call.
                const findings = p.one("aws:cloudwatch/eventRule:EventRule", "critical-image-findings");
                const pattern = JSON.parse(findings.inputs.eventPattern);
                assert.deepEqual(pattern.detail.severity, ["CRITICAL"]);
                assert.deepEqual(pattern.detail.resources.details.awsEcrContainerImage.repositoryName.sort(), repos.map((r) => r.inputs.name).sort());
                const target = p.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => p.dependsOn(t, "rule", findings))!;
                assert.equal(target.inputs.arn, p.outputs.alertTopics.critical);
                const replication = p.ofType("aws:ecr/replicationConfiguration:ReplicationConfiguration");
                assert.equal(replication.length, stack === "prod" ? 1 : 0);
                if (stack === "prod") assert.equal(replication[0].inputs.replicationConfiguration.rules[0].destinations[0].region, "us-west-2");
            });
        });
    }

    it("expires images as the guide says and shelters the moving latest-<env> tags", () => {
        const rules = JSON.parse(lifecyclePolicy({ retentionDays: { dev: 14, staging: 30, prod: 90 }, untaggedExpireDays: 7 })).rules;
        const byPattern = Object.fromEntries(rules.map((r: any) => [r.selection.tagPatternList?.[0] ?? r.selection.tagStatus, r]));
        assert.equal(byPattern["*-dev"].selection.countNumber, 14);
        assert.equal(byPattern["*-staging"].selection.countNumber, 30);
        assert.equal(byPattern["*-prod"].selection.countNumber, 90);
        assert.equal(byPattern.untagged.selection.countNumber, 7);
        assert.equal(byPattern["latest-*"].rulePriority, 1);
        assert.equal(byPattern["latest-*"].selection.countType, "imageCountMoreThan");
        // ECR applies the lowest rulePriority first: the shelter must come before every age rule.
        assert.deepEqual(lifecycleSummary(lifecyclePolicy({ retentionDays: { dev: 14, staging: 30, prod: 90 }, untaggedExpireDays: 7 })),
            ["latest-* imageCountMoreThan 100", "untagged sinceImagePushed 7", "*-dev sinceImagePushed 14", "*-staging sinceImagePushed 30", "*-prod sinceImagePushed 90"]);
    });
});
