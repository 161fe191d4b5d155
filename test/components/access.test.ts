import { strict as assert } from "assert";
import {
    assumeRoleEventPattern,
    deploymentBoundary,
    deploymentPolicy,
    DeploymentScope,
    githubTrustPolicy,
    mfaTrustPolicy,
    operationsIamPolicy,
    predeploySnapshotPrefix,
    ROLE_BASE_NAMES,
} from "../../components/access";
import { runPolicies } from "../../tools/policy-runner";
import type { RecordedResource } from "../../tools/record";
import { loadStackConfig } from "../../components/config";
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
    listenerArns: ["arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/2"],
    passRoleArns: ["arn:aws:iam::111122223333:role/tms-api-task"],
    repositoryArns: ["arn:aws:ecr:us-east-1:111122223333:repository/task-management-system/api-gateway"],
    rolloutTableName: "tms-prod-rollouts",
    alertTopicArns: ["arn:aws:sns:us-east-1:111122223333:tms-prod-critical-alerts"],
    alertKeyArn: "arn:aws:kms:us-east-1:111122223333:key/k",
};

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
    });

    it("requires recent MFA for human roles", () => {
        const s = mfaTrustPolicy("123456789012", 900).Statement[0];
        assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::123456789012:root" });
        assert.deepEqual(s.Condition, { Bool: { "aws:MultiFactorAuthPresent": "true" }, NumericLessThan: { "aws:MultiFactorAuthAge": "900" } });
    });

    it("grants database snapshots only when the cluster is known, and deletes only pre-deploy snapshots", () => {
        const without = deploymentPolicy(SCOPE);
        assert.ok(!without.Statement.some((s) => list(s.Action).some((a) => a.startsWith("rds:"))));
        const withDb = deploymentPolicy({ ...SCOPE, databaseClusterIdentifier: "tms-prod-docdb" });
        const del = withDb.Statement.find((s) => s.Sid === "DeletePredeploySnapshots")!;
        assert.equal(del.Resource, `arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster-snapshot:${predeploySnapshotPrefix("prod")}*`);
        assert.deepEqual(withDb.Statement.find((s) => s.Sid === "SnapshotDatabase")!.Resource,
            [`arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster:tms-prod-docdb`, `arn:aws:rds:us-east-1:${MOCK_ACCOUNT}:cluster-snapshot:tms-prod-predeploy-*`]);
    });

    it("reaches the state backend only when its bucket and key are given", () => {
        assert.ok(!deploymentPolicy(SCOPE).Statement.some((s) => s.Sid.startsWith("State")));
        const p = deploymentPolicy({ ...SCOPE, stateBucketArn: "arn:aws:s3:::state", secretsProviderKeyArn: "arn:aws:kms:us-east-1:1:key/s" });
        assert.equal(p.Statement.find((s) => s.Sid === "StateObjects")!.Resource, "arn:aws:s3:::state/*");
        assert.equal(p.Statement.find((s) => s.Sid === "StateSecrets")!.Resource, "arn:aws:kms:us-east-1:1:key/s");
    });

    it("bounds the deployment role by exactly its policy's actions, with no wildcard action", () => {
        const policy = deploymentPolicy({ ...SCOPE, databaseClusterIdentifier: "db", stateBucketArn: "arn:aws:s3:::state" });
        const boundary = deploymentBoundary(policy);
        const allowed = list(boundary.Statement.find((s) => s.Effect === "Allow")!.Action);
        const used = new Set(policy.Statement.flatMap((s) => list(s.Action)));
        assert.deepEqual(new Set(allowed), used);
        assert.ok(allowed.every((a) => a !== "*" && !/:\*$/.test(a)), "no * or service:* in the boundary");
        assert.ok(list(boundary.Statement.find((s) => s.Effect === "Deny")!.Action).includes("iam:DeleteRolePermissionsBoundary"));
    });

    it("lets operations manage tms-* IAM but never the break-glass role, itself, or AdministratorAccess", () => {
        const p = operationsIamPolicy({ accountId: MOCK_ACCOUNT, emergencyRoleName: "tms-emergency-access-dr", operationsRoleName: "tms-operations-role-dr" });
        assert.deepEqual(statement(p, "ProjectRolesAndPolicies").Resource, [`arn:aws:iam::${MOCK_ACCOUNT}:role/tms-*`, `arn:aws:iam::${MOCK_ACCOUNT}:policy/tms-*`]);
        const deny = statement(p, "NeverTouchBreakGlassOrSelf");
        assert.equal(deny.Effect, "Deny");
        assert.deepEqual(deny.Resource, [`arn:aws:iam::${MOCK_ACCOUNT}:role/tms-emergency-access-dr`, `arn:aws:iam::${MOCK_ACCOUNT}:role/tms-operations-role-dr`]);
        assert.equal(statement(p, "NeverGrantAdministrator").Condition.ArnEquals["iam:PolicyARN"], "arn:aws:iam::aws:policy/AdministratorAccess");
    });

    it("matches CloudTrail's AssumeRole event of one role", () => {
        assert.deepEqual(assumeRoleEventPattern("arn:r").detail, { eventSource: ["sts.amazonaws.com"], eventName: ["AssumeRole"], requestParameters: { roleArn: ["arn:r"] } });
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

            it("lets only the configured repository and branch assume the deployment role, through GitHub OIDC", () => {
                const trust = json(role("tms-deployment-role").inputs.assumeRolePolicy).Statement;
                assert.equal(trust.length, 1);
                assert.equal(role("tms-deployment-role").inputs.maxSessionDuration, 7200);
                assert.deepEqual(trust[0].Condition.StringEquals, {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                    "token.actions.githubusercontent.com:sub": `repo:${access.githubRepository}:ref:refs/heads/${access.githubBranch}`,
                });
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
                const listenerArns = p.ofType("aws:lb/listener:Listener", "aws:lb/listenerRule:ListenerRule")
                    .filter((l) => touched.has(l.urn)).map((l) => l.outputs.arn).sort();
                assert.ok(listenerArns.length >= 2);
                assert.deepEqual(statement(doc, "ChangeOwnListeners").Resource, listenerArns);
                const serviceRoles = p.ofType(ROLE).filter((r) => p.byUrn(r.parent!).type === "tms:compute:ServiceRoles");
                assert.equal(serviceRoles.length, 4);
                const pass = statement(doc, "PassOnlyServiceRoles");
                assert.deepEqual(pass.Resource, serviceRoles.map((r) => r.outputs.arn).sort());
                assert.deepEqual(pass.Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
                const cluster = p.one("aws:ecs/cluster:Cluster");
                const services = p.ofType("aws:ecs/service:Service").map((s) => `${cluster.outputs.arn.replace(":cluster/", ":service/")}/${s.inputs.name}`).sort();
                assert.deepEqual(statement(doc, "UpdateOwnServices").Resource, services);
                assert.deepEqual(statement(doc, "RunMigrationTask").Condition, { ArnEquals: { "ecs:cluster": cluster.outputs.arn } });
                assert.deepEqual(statement(doc, "PublishAlerts").Resource, [p.outputs.alertTopics.critical, p.outputs.alertTopics.warning].sort());
                assert.equal(statement(doc, "RolloutLock").Resource, `arn:aws:dynamodb:${p.outputs.region}:${MOCK_ACCOUNT}:table/tms-${stack}-rollouts`);
                const repos = list(statement(doc, "PushOwnImages").Resource);
                assert.deepEqual(repos, Object.values(p.outputs.repositoryUrls).map((u: any) =>
                    `arn:aws:ecr:${p.outputs.region}:${MOCK_ACCOUNT}:repository/${u.split("/").slice(1).join("/")}`).sort());
                // Resource "*" only where IAM has no resource-level permission for the action.
                for (const s of json(doc).Statement) {
                    if (list(s.Resource).includes("*")) assert.equal(s.Sid, "ActionsWithoutResourceScope");
                }
            });

            it("attaches the permissions boundary to the deployment role", () => {
                const boundary = p.one(POLICY, "deployment-boundary");
                assert.equal(boundary.inputs.name, `tms-deployment-boundary${access.nameSuffix ?? ""}`);
                assert.equal(role("tms-deployment-role").inputs.permissionsBoundary, boundary.outputs.arn);
            });

            it("alerts the critical topic whenever the break-glass role is assumed", () => {
                const rule = p.one("aws:cloudwatch/eventRule:EventRule", "emergency-assumed");
                assert.deepEqual(json(rule.inputs.eventPattern), assumeRoleEventPattern(role("tms-emergency-access").outputs.arn));
                const target = p.one("aws:cloudwatch/eventTarget:EventTarget", "emergency-assumed-alert");
                assert.equal(target.inputs.arn, p.outputs.alertTopics.critical);
                assert.equal(target.inputs.rule, rule.outputs.name ?? rule.inputs.name);
                const topicPolicy = p.ofType("aws:sns/topicPolicy:TopicPolicy").find((t) => t.inputs.arn === p.outputs.alertTopics.critical)!;
                const publish = statement(topicPolicy.inputs.policy, "AlarmsAndRulesPublish");
                assert.ok(publish.Principal.Service.includes("events.amazonaws.com"));
                assert.deepEqual(publish.Condition, { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT } });
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
