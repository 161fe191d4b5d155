import { strict as assert } from "assert";
import {
    deploymentBoundary,
    deploymentPermissions,
    deploymentPolicy,
    DeploymentScope,
    githubTrustPolicy,
    mfaTrustPolicy,
    operationsIamPolicy,
    predeploySnapshotPrefix,
    ROLE_BASE_NAMES,
} from "../../components/access";
import { breakGlassFilterPattern, breakGlassNames } from "../../components/break-glass-alert";
import { runPolicies } from "../../tools/policy-runner";
import type { RecordedResource } from "../../tools/record";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, json, plan, Plan, planWith, stackConfig, STACKS } from "../harness";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const MOCK_ACCOUNT = "111122223333";

const list = (v: unknown): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statement = (doc: any, sid: string) => {
    const s = json(doc).Statement.find((x: any) => x.Sid === sid);
    assert.ok(s, `statement ${sid}`);
    return s;
};

const SCOPE: DeploymentScope = {
    environment: "prod",
    region: "us-east-1",
    accountId: MOCK_ACCOUNT,
    clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/task-management-prod",
    clusterName: "task-management-prod",
    ecsServiceArns: ["arn:aws:ecs:us-east-1:111122223333:service/task-management-prod/api-gateway-blue"],
    taskDefinitionFamilies: ["tms-prod-api-gateway-blue"],
    listenerArns: ["arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/2"],
    listenerRuleArns: [],
    passRoleArns: ["arn:aws:iam::111122223333:role/tms-api-task"],
    repositoryArns: ["arn:aws:ecr:us-east-1:111122223333:repository/task-management-system/api-gateway"],
    rolloutTableName: "tms-prod-rollouts",
    rolloutTableKeyArn: "arn:aws:kms:us-east-1:111122223333:key/logs",
    alertTopicArns: ["arn:aws:sns:us-east-1:111122223333:tms-prod-critical-alerts"],
    alertKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k",
    hostedZoneId: "Z0123456789ABC",
    oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
    autoscaling: false,
};
const policyOf = (scope: DeploymentScope) => deploymentPolicy(deploymentPermissions(scope));

describe("access policies (pure)", () => {
    it("trusts GitHub's OIDC provider for one repository and branch only", () => {
        const s = githubTrustPolicy({ oidcProviderArn: "arn:oidc", repository: "o/r", branch: "release" }).Statement;
        assert.equal(s.length, 1);
        assert.deepEqual(s[0].Principal, { Federated: "arn:oidc" });
        assert.equal(s[0].Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(s[0].Condition, {
            StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/release",
            },
        });
        // With an environment, the `sub` GitHub gives a job that names it (a colon in the name is escaped as %3A).
        const e = githubTrustPolicy({ oidcProviderArn: "arn:oidc", repository: "o@1/r@2", branch: "main", environment: "prod:eu" }).Statement[0];
        assert.equal(e.Condition!.StringEquals!["token.actions.githubusercontent.com:sub"], "repo:o@1/r@2:environment:prod%3Aeu");
        assert.equal(e.Sid, "GitHubActionsOfOneEnvironment");
    });

    it("requires recent MFA for human roles", () => {
        const s = mfaTrustPolicy("123456789012", 900).Statement[0];
        assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::123456789012:root" });
        assert.deepEqual(s.Condition, { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "900" } });
    });

    it("grants database snapshots only when the cluster is known, and deletes only pre-deploy snapshots", () => {
        const without = policyOf(SCOPE);
        assert.ok(!without.Statement.some((s) => list(s.Action).some((a) => a.startsWith("rds:"))));
        const withDb = policyOf({ ...SCOPE, databaseClusterIdentifier: "tms-prod-docdb" });
        const del = withDb.Statement.find((s) => s.Sid === "DeletePredeploySnapshots")!;
        assert.equal(del.Resource, `arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster-snapshot:${predeploySnapshotPrefix("prod")}*`);
        assert.deepEqual(withDb.Statement.find((s) => s.Sid === "SnapshotDatabase")!.Resource,
            [`arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster:tms-prod-docdb`, `arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster-snapshot:tms-prod-predeploy-*`]);
    });

    it("reaches the state backend only when its bucket and key are given", () => {
        assert.ok(!policyOf(SCOPE).Statement.some((s) => s.Sid.startsWith("State")));
        const p = policyOf({ ...SCOPE, stateBucketArn: "arn:aws:s3:::state", secretsProviderKeyArn: "arn:aws:kms:us-east-1:1:key/s" });
        assert.equal(p.Statement.find((s) => s.Sid === "StateObjects")!.Resource, "arn:aws:s3:::state/*");
        assert.equal(p.Statement.find((s) => s.Sid === "StateSecrets")!.Resource, "arn:aws:kms:us-east-1:1:key/s");
    });

    it("bounds the deployment role by exactly its policy's actions and conditions, with no wildcard action", () => {
        const permissions = deploymentPermissions({ ...SCOPE, databaseClusterIdentifier: "db", stateBucketArn: "arn:aws:s3:::state", autoscaling: true });
        const policy = deploymentPolicy(permissions);
        const boundary = deploymentBoundary(permissions);
        const allows = boundary.Statement.filter((s) => s.Effect === "Allow");
        const allowed = allows.flatMap((s) => list(s.Action));
        const used = policy.Statement.flatMap((s) => list(s.Action));
        assert.deepEqual(new Set(allowed), new Set(used));
        assert.ok(allowed.every((a) => a !== "*" && !/:\*$/.test(a)), "no * or service:* in the boundary");
        // Conditions travel with their actions: a boundary without them would let PassRole reach any service.
        for (const s of policy.Statement.filter((x) => x.Condition)) {
            assert.deepEqual(allows.find((b) => b.Sid === `Bound${s.Sid}`)!.Condition, s.Condition, s.Sid);
        }
        assert.ok(list(boundary.Statement.find((s) => s.Effect === "Deny")!.Action).includes("iam:DeleteRolePermissionsBoundary"));
    });

    it("lets operations change only bounded tms-* roles, and never boundaries, human roles or break-glass of any stack", () => {
        const boundaries = [`arn:aws:iam::${MOCK_ACCOUNT}:policy/tms-workload-boundary-dr`, `arn:aws:iam::${MOCK_ACCOUNT}:policy/tms-deployment-boundary-dr`];
        const p = operationsIamPolicy({ accountId: MOCK_ACCOUNT, boundaryArns: boundaries, protectData: true });
        const bounded = statement(p, "BoundedProjectRoles");
        assert.equal(bounded.Resource, `arn:aws:iam::${MOCK_ACCOUNT}:role/tms-*`);
        assert.deepEqual(bounded.Condition, { StringEquals: { "iam:PermissionsBoundary": [...boundaries].sort() } });
        assert.ok(list(bounded.Action).includes("iam:CreateRole"));
        const human = statement(p, "NeverTouchHumanRoles");
        assert.equal(human.Effect, "Deny");
        // Patterns, not this stack's names: prod's operations role must not reach dr's break-glass role either.
        assert.deepEqual(human.Resource, ["emergency-access", "operations-role", "readonly-role"].map((r) => `arn:aws:iam::${MOCK_ACCOUNT}:role/tms-${r}*`));
        assert.deepEqual(statement(p, "PassProjectRolesToNamedServices").Condition.StringEquals["iam:PassedToService"],
            ["cloudtrail.amazonaws.com", "ecs-tasks.amazonaws.com", "s3.amazonaws.com", "vpc-flow-logs.amazonaws.com"]);
        assert.ok(statement(p, "NeverDestroyData"));
        assert.ok(!operationsIamPolicy({ accountId: MOCK_ACCOUNT, boundaryArns: boundaries, protectData: false }).Statement.some((s) => s.Sid === "NeverDestroyData"));
    });

    it("counts API assumptions and console switches of the break-glass role", () => {
        const pattern = breakGlassFilterPattern(MOCK_ACCOUNT, "tms-emergency-access-dr");
        assert.match(pattern, /\(\$\.eventSource = "sts\.amazonaws\.com"\) && \(\$\.eventName = "AssumeRole"\) && \(\$\.requestParameters\.roleArn = "arn:aws:iam::111122223333:role\/tms-emergency-access-dr"\)/);
        assert.match(pattern, /\(\$\.eventSource = "signin\.amazonaws\.com"\) && \(\$\.eventName = "SwitchRole"\) && \(\$\.userIdentity\.arn = "arn:aws:sts::111122223333:assumed-role\/tms-emergency-access-dr\/\*"\)/);
        assert.ok(pattern.startsWith("{ ") && pattern.endsWith(" }") && pattern.includes(" || "));
    });
});

/** Every permission statement of the record, with the resource it belongs to. */
function permissionStatements(p: Plan): { r: RecordedResource; s: any }[] {
    return [...p.ofType(ROLE_POLICY, POLICY)].flatMap((r) => json(r.inputs.policy).Statement.map((s: any) => ({ r, s })));
}

describe("access roles", () => {
    const plans: Partial<Record<string, Plan>> = {};
    before(async () => {
        for (const stack of STACKS) plans[stack] = await plan(stack);
    });

    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            let access: Record<string, any>;
            const role = (base: string) => {
                const r = p.ofType(ROLE).find((x) => x.inputs.name === `${base}${access.nameSuffix ?? ""}`);
                assert.ok(r, `role ${base}`);
                return r;
            };
            before(() => {
                p = plans[stack]!;
                access = stackConfig(stack)["tms:access"];
            });

            it("creates the guide's four roles under this stack's suffix and exports their ARNs", () => {
                assert.equal(access.nameSuffix ?? "", stack === "dr" ? "-dr" : "");
                for (const [key, base] of Object.entries(ROLE_BASE_NAMES)) {
                    const r = role(base);
                    assert.equal(p.outputs[`${key}RoleArn`], r.outputs.arn);
                }
            });

            it("lets only the configured repository and environment (or branch) assume the deployment role, through GitHub OIDC", () => {
                const trust = json(role("tms-deployment-role").inputs.assumeRolePolicy).Statement;
                assert.equal(trust.length, 1);
                assert.equal(role("tms-deployment-role").inputs.maxSessionDuration, 7200);
                assert.deepEqual(trust[0].Condition.StringEquals, {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": access.githubEnvironment !== undefined
                        ? `repo:${access.githubRepository}:environment:${access.githubEnvironment}`
                        : `repo:${access.githubRepository}:ref:refs/heads/${access.githubBranch}`,
                });
                assert.equal(access.githubEnvironment, stack, "each shipped stack's jobs run in the GitHub environment named after it");
                const providers = p.ofType(OIDC);
                if (access.oidcProvider === "create") {
                    assert.equal(providers.length, 1);
                    assert.equal(providers[0].inputs.url, "https://token.actions.githubusercontent.com");
                    assert.deepEqual(providers[0].inputs.clientIdLists, ["sts.amazonaws.com"]);
                    assert.equal(trust[0].Principal.Federated, providers[0].outputs.arn);
                } else {
                    assert.equal(providers.length, 0, "an existing provider is looked up, not created");
                    assert.equal(trust[0].Principal.Federated, `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
                }
            });

            it("requires MFA for the operations, read-only and break-glass roles; break-glass sessions last one hour", () => {
                for (const [base, managed] of [["tms-operations-role", "PowerUserAccess"], ["tms-readonly-role", "ReadOnlyAccess"], ["tms-emergency-access", "AdministratorAccess"]]) {
                    const r = role(base);
                    const trust = json(r.inputs.assumeRolePolicy).Statement;
                    assert.equal(trust.length, 1);
                    assert.deepEqual(trust[0].Principal, { AWS: `arn:aws:iam::${MOCK_ACCOUNT}:root` });
                    assert.equal(trust[0].Condition.Bool["aws:MultiFactorAuthPresent"], "true");
                    assert.ok(Number(trust[0].Condition.NumericLessThan["aws:MultiFactorAuthAge"]) <= 3600);
                    const attached = p.ofType(ATTACHMENT).filter((a) => p.dependsOn(a, "role", r)).map((a) => a.inputs.policyArn);
                    assert.deepEqual(attached, [`arn:aws:iam::aws:policy/${managed}`]);
                }
                assert.equal(role("tms-emergency-access").inputs.maxSessionDuration, 3600);
            });

            it("grants `*` on `*` nowhere but the break-glass role", () => {
                for (const { r, s } of permissionStatements(p)) {
                    const wild = s.Effect === "Allow" && list(s.Action).includes("*") && list(s.Resource).includes("*");
                    assert.ok(!wild, `${r.name} ${s.Sid} allows * on *`);
                }
                const admins = p.ofType(ATTACHMENT).filter((a) => a.inputs.policyArn.endsWith("/AdministratorAccess"));
                assert.deepEqual(admins.map((a) => a.inputs.role), [role("tms-emergency-access").outputs.name]);
            });

            it("scopes the deployment role to this stack's listeners, services, roles, repositories and topics", () => {
                const deployment = role("tms-deployment-role");
                const policy = p.ofType(ROLE_POLICY).find((x) => p.dependsOn(x, "role", deployment))!;
                assert.ok(policy, "inline policy of the deployment role");
                const doc = policy.inputs.policy;
                // What a rollout changes: the weighted listener resources and the test listener's.
                const touched = new Set([...p.outputs.weightListenerUrns, ...p.outputs.testListenerUrns]);
                const arnsOf = (type: string) => p.ofType(type).filter((l) => touched.has(l.urn)).map((l) => l.outputs.arn).sort();
                const listenerArns = arnsOf("aws:lb/listener:Listener");
                const ruleArns = arnsOf("aws:lb/listenerRule:ListenerRule");
                assert.ok(listenerArns.length + ruleArns.length >= 2);
                assert.deepEqual(list(statement(doc, "WeightStepListeners").Resource), listenerArns);
                if (ruleArns.length) assert.deepEqual(list(statement(doc, "WeightStepRules").Resource), ruleArns);
                const serviceRoles = p.ofType(ROLE).filter((r) => p.byUrn(r.parent!).type === "tms:compute:ServiceRoles");
                assert.equal(serviceRoles.length, 4);
                // The migration tasks run with their own execution role (not in dr: no migration tasks there).
                const migrationRoles = p.ofType(ROLE).filter((r) => p.byUrn(r.parent!).type === "tms:compute:MigrationTasks");
                assert.equal(migrationRoles.length, stack === "dr" ? 0 : 2);
                const pass = statement(doc, "PassTaskRoles");
                assert.deepEqual(pass.Resource, [...serviceRoles, ...migrationRoles].map((r) => r.outputs.arn).sort());
                assert.deepEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
                const cluster = p.one("aws:ecs/cluster:Cluster");
                const services = p.ofType("aws:ecs/service:Service").map((s) => s.outputs.arn).sort();
                assert.deepEqual(statement(doc, "ReleaseServices").Resource, services);
                assert.deepEqual(statement(doc, "RunMigrationTasks").Condition, { ArnEquals: { "ecs:cluster": cluster.outputs.arn } });
                assert.deepEqual(statement(doc, "PublishAlerts").Resource, [p.outputs.alertTopics.critical, p.outputs.alertTopics.warning].sort());
                assert.equal(statement(doc, "RolloutLock").Resource, `arn:aws:dynamodb:${p.outputs.region}:${MOCK_ACCOUNT}:table/tms-${stack}-rollouts`);
                if (stack === "dr") {
                    assert.ok(!json(doc).Statement.some((s: any) => s.Sid === "PushImages"), "dr runs prod's replicated images: nothing to push");
                } else {
                    assert.deepEqual(list(statement(doc, "PushImages").Resource), Object.values(p.outputs.repositoryUrls).map((u: any) =>
                        `arn:aws:ecr:${p.outputs.region}:${MOCK_ACCOUNT}:repository/${u.split("/").slice(1).join("/")}`).sort());
                }
            });

            it("attaches the permissions boundaries: the deployment boundary to CI, the workload boundary to every service-assumed role", () => {
                const boundary = p.one(POLICY, "deployment-boundary");
                assert.equal(boundary.inputs.name, `tms-deployment-boundary${access.nameSuffix ?? ""}`);
                assert.equal(role("tms-deployment-role").inputs.permissionsBoundary, boundary.outputs.arn);
                const workload = p.one(POLICY, "workload-boundary-policy");
                assert.equal(workload.inputs.name, `tms-workload-boundary${access.nameSuffix ?? ""}`);
                const human = new Set(["tms-operations-role", "tms-readonly-role", "tms-emergency-access"].map((b) => `${b}${access.nameSuffix ?? ""}`));
                for (const r of p.ofType(ROLE).filter((x) => !human.has(x.inputs.name) && x !== role("tms-deployment-role"))) {
                    assert.equal(r.inputs.permissionsBoundary, workload.outputs.arn, `${r.name} carries the workload boundary`);
                }
            });

            it("pages the critical topic when the break-glass role is assumed in any region or switched to in the console", () => {
                const n = breakGlassNames(stack);
                const trail = p.one("aws:cloudtrail/trail:Trail");
                assert.equal(trail.inputs.name, n.trail);
                assert.equal(trail.inputs.isMultiRegionTrail, true);
                assert.equal(trail.inputs.includeGlobalServiceEvents, true);
                assert.equal(trail.inputs.enableLogFileValidation, true);
                const group = p.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === n.logGroup)!;
                assert.equal(trail.inputs.cloudWatchLogsGroupArn, `${group.outputs.arn}:*`);
                const filter = p.one("aws:cloudwatch/logMetricFilter:LogMetricFilter", "audit-filter");
                assert.equal(filter.inputs.logGroupName, n.logGroup);
                assert.equal(filter.inputs.pattern, breakGlassFilterPattern(MOCK_ACCOUNT, `tms-emergency-access${access.nameSuffix ?? ""}`));
                const alarm = p.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.inputs.name === n.alarm)!;
                assert.equal(alarm.inputs.metricName, filter.inputs.metricTransformation.name);
                assert.equal(alarm.inputs.namespace, filter.inputs.metricTransformation.namespace);
                assert.deepEqual(alarm.inputs.alarmActions, [p.outputs.alertTopics.critical]);
                assert.equal(alarm.inputs.threshold, 1);
                assert.ok(!p.outputs.criticalAlarmNames.includes(n.alarm), "breaking glass must not roll a release back");
            });

            it("passes the IAM policies of the pack", () => {
                const environment = stack as "dev" | "staging" | "prod" | "dr";
                const violations = runPolicies(p.result, { environment, region: p.outputs.region, enforcement: { all: "mandatory" } })
                    .filter((v) => v.urn.includes("AccessRoles") || v.urn.includes("Monitoring"));
                assert.deepEqual(violations.map((v) => `${v.policy}: ${v.name}: ${v.message}`), []);
            });
        });
    }

    it("dr's account-global names differ from prod's (they share an account)", () => {
        // Explicit names only: auto-named roles get a random suffix from Pulumi (the mock's is deterministic).
        const names = (stack: string) => new Set(plans[stack]!.ofType(ROLE, POLICY).map((r) => r.inputs.name).filter(Boolean));
        const prod = names("prod");
        const clashes = [...names("dr")].filter((n) => prod.has(n));
        assert.deepEqual(clashes, []);
        for (const base of Object.values(ROLE_BASE_NAMES)) assert.ok(names("dr").has(`${base}-dr`), `${base}-dr`);
    });

    it("grants the state backend named in tms:access, and rejects what is not an ARN", async () => {
        const p = await planWith("prod", (c) => {
            c["tms:access"].stateBucketArn = "arn:aws:s3:::tms-pulumi-state";
            c["tms:access"].secretsProviderKeyArn = "arn:aws:kms:us-east-1:111122223333:alias/pulumi-secrets";
        });
        const deployment = p.ofType("aws:iam/role:Role").find((r) => r.inputs.name === "tms-deployment-role")!;
        const doc = json(p.ofType("aws:iam/rolePolicy:RolePolicy").find((x) => p.dependsOn(x, "role", deployment))!.inputs.policy);
        assert.equal(doc.Statement.find((s: any) => s.Sid === "StateObjects").Resource, "arn:aws:s3:::tms-pulumi-state/*");
        assert.equal(doc.Statement.find((s: any) => s.Sid === "StateSecrets").Resource, "arn:aws:kms:us-east-1:111122223333:alias/pulumi-secrets");
        const cfg = stackConfig("prod");
        cfg["tms:access"].stateBucketArn = "tms-pulumi-state";
        assert.throws(() => loadStackConfig(flattenConfig(cfg), "Pulumi.prod.yaml", "prod"),
            /Pulumi\.prod\.yaml: tms:access\.stateBucketArn: "tms-pulumi-state" is not an S3 bucket ARN/);
    });
});
