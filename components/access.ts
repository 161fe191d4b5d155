import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { globalName, serviceTags } from "./naming";

/** GitHub Actions' OIDC issuer (one provider per account, shared by prod and dr). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** How old an MFA sign-in may be when a human assumes a role (seconds). */
export const MFA_MAX_AGE_SECONDS = 3600;

/** The guide's four roles, by base name; `nameSuffix` is appended to each. */
export const ROLE_BASE_NAMES = {
    deployment: "tms-deployment-role",
    operations: "tms-operations-role",
    readonly: "tms-readonly-role",
    emergency: "tms-emergency-access",
} as const;
export type AccessRole = keyof typeof ROLE_BASE_NAMES;

type Doc = { Version: "2012-10-17"; Statement: Statement[] };
export interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Record<string, Record<string, string | string[]>>;
}

const doc = (statements: Statement[]): Doc => ({ Version: "2012-10-17", Statement: statements });

/** Trust policy of the deployment role: only workflows of one repository and branch, through GitHub's OIDC provider. */
export function githubTrustPolicy(p: { oidcProviderArn: string; repository: string; branch: string }): Doc {
    return doc([{
        Sid: "GitHubActionsOfOneBranch",
        Effect: "Allow",
        Principal: { Federated: p.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            // StringEquals (not StringLike): a pull request or another branch yields another `sub`.
            StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
                [`${GITHUB_OIDC_HOST}:sub`]: `repo:${p.repository}:ref:refs/heads/${p.branch}`,
            },
        },
    }]);
}

/** Trust policy of the human roles: principals of this account (granted sts:AssumeRole by their admins) signed in with recent MFA. */
export function mfaTrustPolicy(accountId: string, maxAgeSeconds = MFA_MAX_AGE_SECONDS): Doc {
    return doc([{
        Sid: "AccountPrincipalsWithMfa",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "sts:AssumeRole",
        Condition: {
            Bool: { "aws:MultiFactorAuthPresent": "true" },
            NumericLessThan: { "aws:MultiFactorAuthAge": String(maxAgeSeconds) },
        },
    }]);
}

/** What the deployment role acts on: ARNs of this stack only. */
export interface DeploymentScope {
    environment: string;
    region: string;
    accountId: string;
    clusterArn: string;
    /** ECS cluster name, for the ARNs of the migration tasks it starts. */
    clusterName: string;
    ecsServiceArns: string[];
    /** This stack's listeners and listener rules (public, test). */
    listenerArns: string[];
    /** Task and execution roles of the services: the only roles it may pass, and only to ECS tasks. */
    passRoleArns: string[];
    repositoryArns: string[];
    /** DynamoDB table of the rollout lock (`tms-<env>-rollouts`). */
    rolloutTableName: string;
    alertTopicArns: string[];
    /** Key that encrypts the alert topics (publishing to an encrypted topic needs it). */
    alertKeyArn: string;
    /** DocumentDB cluster identifier; without it the role has no database permissions. */
    databaseClusterIdentifier?: string;
    /** Pulumi state backend (S3) and secrets-provider KMS key, when CI runs `pulumi up` as this role. */
    stateBucketArn?: string;
    secretsProviderKeyArn?: string;
}

/** Pre-deploy snapshots are named `tms-<env>-predeploy-<release>`; the role may create, list and delete only these. */
export const predeploySnapshotPrefix = (environment: string) => `tms-${environment}-predeploy-`;

/** The deployment role's permissions: every statement names this stack's resources unless the action has no resource-level permission. */
export function deploymentPolicy(s: DeploymentScope): Doc {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
    const statements: Statement[] = [
        // These actions have no resource-level permissions in IAM; they read or register, never change a running service.
        {
            Sid: "ActionsWithoutResourceScope",
            Effect: "Allow",
            Action: [
                "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition", "ecs:ListTaskDefinitions",
                "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeLoadBalancers",
                "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms",
                "ecr:GetAuthorizationToken",
                // The stack program's data sources run on every preview and targeted `up`.
                "route53:ListHostedZones", "route53:GetHostedZone", "iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider",
                "ec2:DescribeAvailabilityZones",
            ],
            Resource: "*",
        },
        {
            // Pulumi tags a task definition as it registers it; only this environment's families, only then.
            Sid: "TagOwnTaskDefinitions",
            Effect: "Allow",
            Action: "ecs:TagResource",
            Resource: arn("ecs", `task-definition/tms-${s.environment}-*`),
            Condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
        },
        { Sid: "UpdateOwnServices", Effect: "Allow", Action: ["ecs:UpdateService", "ecs:DescribeServices"], Resource: [...s.ecsServiceArns].sort() },
        {
            Sid: "RunMigrationTask",
            Effect: "Allow",
            Action: "ecs:RunTask",
            Resource: arn("ecs", `task-definition/tms-${s.environment}-*`),
            Condition: { ArnEquals: { "ecs:cluster": s.clusterArn } },
        },
        { Sid: "WatchMigrationTask", Effect: "Allow", Action: ["ecs:DescribeTasks", "ecs:StopTask"], Resource: arn("ecs", `task/${s.clusterName}/*`) },
        { Sid: "ChangeOwnListeners", Effect: "Allow", Action: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"], Resource: [...s.listenerArns].sort() },
        {
            Sid: "PassOnlyServiceRoles",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: [...s.passRoleArns].sort(),
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
        {
            Sid: "PushOwnImages",
            Effect: "Allow",
            Action: [
                "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:DescribeImageScanFindings",
            ],
            Resource: [...s.repositoryArns].sort(),
        },
        {
            Sid: "RolloutLock",
            Effect: "Allow",
            Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
            Resource: arn("dynamodb", `table/${s.rolloutTableName}`),
        },
        { Sid: "PublishAlerts", Effect: "Allow", Action: "sns:Publish", Resource: [...s.alertTopicArns].sort() },
        {
            Sid: "AlertKeyThroughSns",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: s.alertKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `sns.${s.region}.amazonaws.com` } },
        },
    ];
    if (s.databaseClusterIdentifier) {
        const snapshots = arn("rds", `cluster-snapshot:${predeploySnapshotPrefix(s.environment)}*`);
        statements.push(
            { Sid: "SnapshotDatabase", Effect: "Allow", Action: ["rds:CreateDBClusterSnapshot", "rds:AddTagsToResource"], Resource: [arn("rds", `cluster:${s.databaseClusterIdentifier}`), snapshots] },
            { Sid: "ListSnapshots", Effect: "Allow", Action: "rds:DescribeDBClusterSnapshots", Resource: [arn("rds", `cluster:${s.databaseClusterIdentifier}`), snapshots] },
            { Sid: "DeletePredeploySnapshots", Effect: "Allow", Action: "rds:DeleteDBClusterSnapshot", Resource: snapshots },
        );
    }
    if (s.stateBucketArn) {
        statements.push(
            { Sid: "StateObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `${s.stateBucketArn}/*` },
            { Sid: "StateBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: s.stateBucketArn },
        );
    }
    if (s.secretsProviderKeyArn) {
        statements.push({ Sid: "StateSecrets", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: s.secretsProviderKeyArn });
    }
    return doc(statements);
}

/**
 * The deployment role's permissions boundary: the actions of its policy, and nothing else, on any
 * resource. It caps the role even if a broader policy is attached to it later; the identity policy
 * does the scoping to this stack's ARNs.
 */
export function deploymentBoundary(policy: Doc): Doc {
    const actions = new Set<string>();
    for (const s of policy.Statement) if (s.Effect === "Allow") for (const a of [s.Action].flat()) actions.add(a);
    return doc([
        { Sid: "DeploymentActionsOnly", Effect: "Allow", Action: [...actions].sort(), Resource: "*" },
        // Belt and braces: the boundary itself cannot be lifted from inside.
        {
            Sid: "NoBoundaryEscape",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:AttachRolePolicy", "iam:PutRolePolicy"],
            Resource: "*",
        },
    ]);
}

/**
 * The operations role's own IAM statements (on top of PowerUserAccess, which has no IAM): manage the
 * project's `tms-*` roles and policies, but never the break-glass role, never this role itself, and
 * never hand out AdministratorAccess.
 */
export function operationsIamPolicy(p: { accountId: string; emergencyRoleName: string; operationsRoleName: string }): Doc {
    const iam = (resource: string) => `arn:aws:iam::${p.accountId}:${resource}`;
    const protectedRoles = [iam(`role/${p.emergencyRoleName}`), iam(`role/${p.operationsRoleName}`)];
    return doc([
        {
            Sid: "ProjectRolesAndPolicies",
            Effect: "Allow",
            Action: [
                "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
                "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary", "iam:PassRole", "iam:GetRole", "iam:GetRolePolicy",
                "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
                "iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:GetPolicy",
                "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:TagPolicy", "iam:UntagPolicy",
            ],
            Resource: [iam("role/tms-*"), iam("policy/tms-*")],
        },
        {
            Sid: "GitHubOidcProvider",
            Effect: "Allow",
            Action: [
                "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:GetOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
            ],
            Resource: iam(`oidc-provider/${GITHUB_OIDC_HOST}`),
        },
        { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: "iam:CreateServiceLinkedRole", Resource: iam("role/aws-service-role/*") },
        { Sid: "ReadIam", Effect: "Allow", Action: ["iam:ListRoles", "iam:ListPolicies", "iam:ListOpenIDConnectProviders"], Resource: "*" },
        {
            Sid: "NeverTouchBreakGlassOrSelf",
            Effect: "Deny",
            Action: [
                "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
            ],
            Resource: protectedRoles,
        },
        {
            Sid: "NeverGrantAdministrator",
            Effect: "Deny",
            Action: "iam:AttachRolePolicy",
            Resource: "*",
            Condition: { ArnEquals: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } },
        },
    ]);
}

/** EventBridge pattern that matches CloudTrail's record of anyone assuming `roleArn`. */
export function assumeRoleEventPattern(roleArn: string) {
    return {
        source: ["aws.sts"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["sts.amazonaws.com"], eventName: ["AssumeRole"], requestParameters: { roleArn: [roleArn] } },
    };
}

export interface AccessRolesArgs {
    environment: string;
    region: string;
    accountId: pulumi.Input<string>;
    /** `tms:access`: the GitHub repository and branch CI deploys from, the OIDC provider mode, the name suffix. */
    access: { githubRepository: string; githubBranch: string; oidcProvider: "create" | "existing"; nameSuffix: string };
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    ecsServiceArns: pulumi.Input<string>[];
    listenerArns: pulumi.Input<string>[];
    /** Task and execution roles of the services. */
    passRoleArns: pulumi.Input<string>[];
    repositoryArns: pulumi.Input<string>[];
    /** The rollout lock table, `tms-<env>-rollouts`. */
    rolloutTableName: string;
    alertTopicArns: { critical: pulumi.Input<string>; warning: pulumi.Input<string> };
    alertKeyArn: pulumi.Input<string>;
    databaseClusterIdentifier?: pulumi.Input<string>;
    /** Pulumi state bucket and secrets-provider key, when CI runs `pulumi up` as the deployment role. */
    stateBucketArn?: pulumi.Input<string>;
    secretsProviderKeyArn?: pulumi.Input<string>;
}

const roleTags = (role: AccessRole) => serviceTags("access", { AccessRole: role });

/**
 * The guide's four roles: `tms-deployment-role` (CI through GitHub OIDC, scoped to this stack and
 * bounded), `tms-operations-role` (DevOps, MFA), `tms-readonly-role` (developers, MFA) and
 * `tms-emergency-access` (break-glass, MFA, one-hour sessions, alerts the critical topic when assumed).
 */
export class AccessRoles extends pulumi.ComponentResource {
    readonly deploymentRoleArn: pulumi.Output<string>;
    readonly operationsRoleArn: pulumi.Output<string>;
    readonly readonlyRoleArn: pulumi.Output<string>;
    readonly emergencyRoleArn: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;

    constructor(name: string, args: AccessRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:security:AccessRoles", name, {}, opts);
        const a = args.access;
        const roleName = (role: AccessRole) => globalName(ROLE_BASE_NAMES[role], a.nameSuffix);
        const acct = pulumi.output(args.accountId);

        this.oidcProviderArn = a.oidcProvider === "create"
            ? new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, {
                url: `https://${GITHUB_OIDC_HOST}`,
                clientIdLists: ["sts.amazonaws.com"],
                tags: serviceTags("access"),
            }, { parent: this }).arn
            : aws.iam.getOpenIdConnectProviderOutput({ url: `https://${GITHUB_OIDC_HOST}` }, { parent: this }).arn;

        // pulumi.all's tuple typing stops at 8 elements: group the inputs.
        const scope = pulumi.all([
            pulumi.all([acct, args.clusterArn, args.clusterName, args.alertKeyArn]),
            pulumi.all([pulumi.all(args.ecsServiceArns), pulumi.all(args.listenerArns), pulumi.all(args.passRoleArns), pulumi.all(args.repositoryArns),
                pulumi.all([args.alertTopicArns.critical, args.alertTopicArns.warning])]),
            pulumi.all([pulumi.output(args.databaseClusterIdentifier), pulumi.output(args.stateBucketArn), pulumi.output(args.secretsProviderKeyArn)]),
        ]).apply(([[accountId, clusterArn, clusterName, alertKeyArn], [ecsServiceArns, listenerArns, passRoleArns, repositoryArns, alertTopicArns],
            [databaseClusterIdentifier, stateBucketArn, secretsProviderKeyArn]]): DeploymentScope => ({
            environment: args.environment, region: args.region, rolloutTableName: args.rolloutTableName,
            accountId, clusterArn, clusterName, ecsServiceArns, listenerArns, passRoleArns, repositoryArns, alertTopicArns, alertKeyArn,
            databaseClusterIdentifier, stateBucketArn, secretsProviderKeyArn,
        }));
        const permissions = scope.apply(deploymentPolicy);

        const boundary = new aws.iam.Policy(`${name}-deployment-boundary`, {
            name: globalName("tms-deployment-boundary", a.nameSuffix),
            description: "Permissions boundary of the CI deployment role: the only actions it may ever have",
            policy: permissions.apply((p) => JSON.stringify(deploymentBoundary(p))),
            tags: roleTags("deployment"),
        }, { parent: this });
        const deployment = new aws.iam.Role(`${name}-deployment`, {
            name: roleName("deployment"),
            description: `CI deployments of ${args.environment} from ${a.githubRepository}@${a.githubBranch}`,
            assumeRolePolicy: this.oidcProviderArn.apply((oidcProviderArn) =>
                JSON.stringify(githubTrustPolicy({ oidcProviderArn, repository: a.githubRepository, branch: a.githubBranch }))),
            permissionsBoundary: boundary.arn,
            // A prod canary (baseline, three steps, 30 min validation) outlasts one hour; CI asks for
            // `role-duration-seconds: 7200` so one session covers a whole rollout.
            maxSessionDuration: 7200,
            tags: roleTags("deployment"),
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-deployment-policy`, {
            role: deployment.id,
            policy: permissions.apply((p) => JSON.stringify(p)),
        }, { parent: this });

        const humanRole = (role: Exclude<AccessRole, "deployment">, description: string, maxSessionDuration: number) =>
            new aws.iam.Role(`${name}-${role}`, {
                name: roleName(role),
                description,
                assumeRolePolicy: acct.apply((id) => JSON.stringify(mfaTrustPolicy(id))),
                maxSessionDuration,
                tags: roleTags(role),
            }, { parent: this });
        const human = (role: Exclude<AccessRole, "deployment">, description: string, managedPolicy: string, maxSessionDuration: number) => {
            const r = humanRole(role, description, maxSessionDuration);
            new aws.iam.RolePolicyAttachment(`${name}-${role}-${managedPolicy.toLowerCase()}`, {
                role: r.name,
                policyArn: `arn:aws:iam::aws:policy/${managedPolicy}`,
            }, { parent: this });
            return r;
        };

        // PowerUserAccess is everything but IAM and Organizations; the inline policy adds IAM for the project's own roles.
        const operations = human("operations", "DevOps infrastructure changes (MFA)", "PowerUserAccess", 4 * 3600);
        new aws.iam.RolePolicy(`${name}-operations-iam`, {
            role: operations.id,
            policy: acct.apply((accountId) => JSON.stringify(operationsIamPolicy({
                accountId, emergencyRoleName: roleName("emergency"), operationsRoleName: roleName("operations"),
            }))),
        }, { parent: this });
        const readonly = human("readonly", "Developers: read-only access (MFA)", "ReadOnlyAccess", 12 * 3600);
        const emergency = human("emergency", "Break-glass full access (MFA, alerts on-call when assumed)", "AdministratorAccess", 3600);

        // Every assumption of the break-glass role pages the critical topic (CloudTrail → EventBridge → SNS).
        const assumed = new aws.cloudwatch.EventRule(`${name}-emergency-assumed`, {
            name: `tms-${args.environment}-emergency-access-assumed`,
            description: `${roleName("emergency")} was assumed`,
            eventPattern: emergency.arn.apply((arn) => JSON.stringify(assumeRoleEventPattern(arn))),
            tags: roleTags("emergency"),
        }, { parent: this });
        new aws.cloudwatch.EventTarget(`${name}-emergency-assumed-alert`, {
            rule: assumed.name,
            arn: args.alertTopicArns.critical,
        }, { parent: this });

        this.deploymentRoleArn = deployment.arn;
        this.operationsRoleArn = operations.arn;
        this.readonlyRoleArn = readonly.arn;
        this.emergencyRoleArn = emergency.arn;
        this.registerOutputs({
            deploymentRoleArn: this.deploymentRoleArn,
            operationsRoleArn: this.operationsRoleArn,
            readonlyRoleArn: this.readonlyRoleArn,
            emergencyRoleArn: this.emergencyRoleArn,
        });
    }
}
