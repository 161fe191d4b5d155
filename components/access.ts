import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BreakGlassAlert, breakGlassNames } from "./break-glass-alert";
import {
    deploymentBoundary, deploymentPermissions, deploymentPolicy, policyDocument,
    type DeploymentScope, type PolicyDocument, type Statement,
} from "./deployment-permissions";
import { globalName, serviceTags } from "../config/naming";

export {
    deploymentBoundary,
    deploymentPermissions,
    deploymentPolicy,
    predeploySnapshotPrefix,
    type DeploymentScope,
    type Statement,
} from "./deployment-permissions";
import type { DrRunbookScope } from "./deployment-permissions";

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

type Doc = PolicyDocument;
const doc = policyDocument;

/**
 * The `sub` of GitHub's OIDC token for the jobs that deploy a stack (docs.github.com, "OpenID Connect
 * reference", "Example subject claims"): `repo:<repo>:environment:<env>` for a job that names an
 * environment (a `:` in the name becomes `%3A`), else `repo:<repo>:ref:refs/heads/<branch>`. Pure.
 */
export function githubSubject(p: { repository: string; branch: string; environment?: string }): string {
    return p.environment !== undefined
        ? `repo:${p.repository}:environment:${p.environment.replace(/:/g, "%3A")}`
        : `repo:${p.repository}:ref:refs/heads/${p.branch}`;
}

/** Trust policy of the deployment role: only jobs of one repository and environment (or branch), through GitHub's OIDC provider. */
export function githubTrustPolicy(p: { oidcProviderArn: string; repository: string; branch: string; environment?: string }): Doc {
    return doc([{
        Sid: p.environment !== undefined ? "GitHubActionsOfOneEnvironment" : "GitHubActionsOfOneBranch",
        Effect: "Allow",
        Principal: { Federated: p.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
            // StringEquals (not StringLike): a pull request, another branch or another environment yields another `sub`.
            StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
                [`${GITHUB_OIDC_HOST}:sub`]: githubSubject(p),
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

/** Services the operations role may hand the project's roles to (ECS tasks, flow logs, S3 replication, the trail's delivery). */
export const OPERATIONS_PASS_ROLE_SERVICES = [
    "cloudtrail.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "s3.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
];

/** Role-changing IAM actions that IAM lets a policy condition on `iam:PermissionsBoundary`. */
const BOUNDED_ROLE_ACTIONS = [
    "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
    "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
];

/** Patterns of the project's roles and policies the operations role never changes, in any stack of the account (any suffix). */
export const protectedIamPatterns = (accountId: string) => {
    const iam = (resource: string) => `arn:aws:iam::${accountId}:${resource}`;
    return {
        humanRoles: [ROLE_BASE_NAMES.emergency, ROLE_BASE_NAMES.operations, ROLE_BASE_NAMES.readonly].map((b) => iam(`role/${b}*`)),
        deploymentRoles: [iam(`role/${ROLE_BASE_NAMES.deployment}*`)],
        boundaryPolicies: [iam("policy/tms-*boundary*")],
        breakGlassRoles: [iam(`role/${ROLE_BASE_NAMES.emergency}*`)],
    };
};

/**
 * The operations role's own statements, on top of PowerUserAccess (which has no IAM). AWS's
 * delegation pattern
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate):
 * it creates and changes the project's `tms-*` roles only when they carry one of this stack's
 * permissions boundaries (condition `iam:PermissionsBoundary`), never sets, changes or removes a
 * boundary nor edits a boundary policy, never touches the human roles (itself, read-only,
 * break-glass) or re-trusts a deployment role in any stack of the account, never assumes the
 * break-glass role (PowerUserAccess allows `sts:AssumeRole`, and its MFA session satisfies the
 * break-glass trust), and passes roles only to {@link OPERATIONS_PASS_ROLE_SERVICES}. It cannot switch
 * off the break-glass alert of any stack; in protected environments it cannot delete the database or
 * schedule a key's deletion either.
 */
export function operationsIamPolicy(p: { accountId: string; boundaryArns: string[]; protectData: boolean }): Doc {
    const iam = (resource: string) => `arn:aws:iam::${p.accountId}:${resource}`;
    const any = (service: string, resource: string) => `arn:aws:${service}:*:${p.accountId}:${resource}`;
    const guarded = protectedIamPatterns(p.accountId);
    const bt = breakGlassPatterns();
    const statements: Statement[] = [
        {
            Sid: "ReadIam",
            Effect: "Allow",
            Action: [
                "iam:GetOpenIDConnectProvider", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListPolicyVersions",
                "iam:ListRolePolicies",
                "iam:ListRoleTags",
            ],
            Resource: [iam("oidc-provider/*"), iam("policy/*"), iam("role/*"), "arn:aws:iam::aws:policy/*"],
        },
        // No resource-level permission for these lists.
        { Sid: "ListIam", Effect: "Allow", Action: ["iam:ListOpenIDConnectProviders", "iam:ListPolicies", "iam:ListRoles"], Resource: "*" },
        {
            Sid: "BoundedProjectRoles",
            Effect: "Allow",
            Action: BOUNDED_ROLE_ACTIONS,
            Resource: iam("role/tms-*"),
            Condition: { StringEquals: { "iam:PermissionsBoundary": [...p.boundaryArns].sort() } },
        },
        { Sid: "TagProjectRoles", Effect: "Allow", Action: ["iam:TagRole", "iam:UntagRole"], Resource: iam("role/tms-*") },
        {
            Sid: "PassProjectRolesToNamedServices",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: iam("role/tms-*"),
            Condition: { StringEquals: { "iam:PassedToService": OPERATIONS_PASS_ROLE_SERVICES } },
        },
        {
            Sid: "GitHubOidcProvider",
            Effect: "Allow",
            Action: [
                "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
            ],
            Resource: iam(`oidc-provider/${GITHUB_OIDC_HOST}`),
        },
        {
            Sid: "NeverTouchHumanRoles",
            Effect: "Deny",
            Action: [
                ...BOUNDED_ROLE_ACTIONS,
                "iam:DeleteRolePermissionsBoundary",
                "iam:PassRole",
                "iam:PutRolePermissionsBoundary",
                "iam:TagRole",
                "iam:UntagRole",
            ],
            Resource: guarded.humanRoles,
        },
        {
            Sid: "NeverRetrustDeploymentRoles",
            Effect: "Deny",
            Action: ["iam:AttachRolePolicy", "iam:DeleteRole", "iam:PassRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"],
            Resource: guarded.deploymentRoles,
        },
        {
            Sid: "NeverSetOrRemoveBoundaries",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"],
            Resource: "*",
        },
        {
            Sid: "NeverEditBoundaryPolicies",
            Effect: "Deny",
            Action: [
                "iam:CreatePolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            Resource: guarded.boundaryPolicies,
        },
        { Sid: "NeverAssumeBreakGlass", Effect: "Deny", Action: "sts:AssumeRole", Resource: guarded.breakGlassRoles },
        {
            Sid: "NeverSilenceBreakGlassAlert",
            Effect: "Deny",
            Action: [
                "cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
                "logs:DeleteLogGroup",
                "logs:DeleteMetricFilter",
                "logs:DeleteRetentionPolicy",
                "logs:DisassociateKmsKey",
                "logs:PutMetricFilter",
                "logs:PutRetentionPolicy",
                "cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState",
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:PutBucketPolicy",
                "s3:PutLifecycleConfiguration",
                "sns:DeleteTopic", "sns:SetTopicAttributes",
            ],
            Resource: [any("cloudtrail", bt.trail), any("logs", bt.logGroup), any("logs", `${bt.logGroup}:*`), any("cloudwatch", bt.alarm),
                bt.bucket, `${bt.bucket}/*`, any("sns", bt.topic)],
        },
    ];
    if (p.protectData) {
        statements.push({
            Sid: "NeverDestroyData",
            Effect: "Deny",
            Action: ["kms:DisableKey", "kms:ScheduleKeyDeletion", "rds:DeleteDBCluster", "rds:DeleteGlobalCluster"],
            Resource: [any("kms", "key/*"), any("rds", "cluster:tms-*"), `arn:aws:rds::${p.accountId}:global-cluster:tms-*`],
        });
    }
    return doc(statements);
}

/** ARN patterns of every stack's break-glass alert in an account (names from {@link breakGlassNames}). */
export function breakGlassPatterns() {
    const n = breakGlassNames("*");
    return {
        trail: `trail/${n.trail}`,
        logGroup: `log-group:${n.logGroup}`,
        alarm: `alarm:${n.alarm}`,
        // SecureBucket names are generated from the component's name (`tms-access-audit-trail-<random>`).
        bucket: "arn:aws:s3:::*-audit-trail-*",
        topic: "tms-*-critical-alerts",
    };
}

/** Base name of the deployment role's boundary (`tms:access.nameSuffix` appended). */
export const DEPLOYMENT_BOUNDARY_BASE_NAME = "tms-deployment-boundary";

export interface AccessRolesArgs {
    /** Short environment id: the roles' names and the resources their policies are scoped to. */
    environment: string;
    /** This stack's region (the ARNs the policies name). */
    region: string;
    /** The account the roles live in. */
    accountId: pulumi.Input<string>;
    /** `tms:access`: the GitHub repository, branch and environment CI deploys from, the OIDC provider mode, the name suffix. */
    access: {
        /** `owner/name` of the repository whose workflows may assume the deployment role. */
        githubRepository: string;
        /** The branch whose workflows may assume it (when no `githubEnvironment` is given). */
        githubBranch: string;
        /**
         * The GitHub environment whose jobs may assume it, instead of the branch.
         * @default none: the branch decides
         */
        githubEnvironment?: string;
        /** `create` the account's GitHub OIDC provider here, or use the `existing` one. */
        oidcProvider: "create" | "existing";
        /** Appended to the roles' names (several stacks in one account). */
        nameSuffix: string;
    };
    /** The ECS cluster the deployment role updates services in. */
    clusterArn: pulumi.Input<string>;
    /** The cluster's name (scalable-target resource ids). */
    clusterName: pulumi.Input<string>;
    /** The ECS services a rollout updates, by name (in `clusterName`, in this account and region). */
    ecsServiceNames: pulumi.Input<string>[];
    /** Task definition families of the stack (colour services and migration tasks). */
    taskDefinitionFamilies: pulumi.Input<string>[];
    /** The weighted and test listeners, and their rules (what a weight step modifies). */
    listenerArns: pulumi.Input<string>[];
    /** The weighted and test listeners' rules. */
    listenerRuleArns: pulumi.Input<string>[];
    /** Roles ECS tasks run as (services and migrations). */
    passRoleArns: pulumi.Input<string>[];
    /** Repositories CI pushes to (none in dr: it runs prod's replicated images). */
    repositoryArns: pulumi.Input<string>[];
    /** The rollout lock table, `tms-<env>-rollouts`. */
    rolloutTableName: string;
    /** The key the rollout lock table is encrypted with (the role decrypts its table key through DynamoDB). */
    rolloutTableKeyArn: pulumi.Input<string>;
    /** The alert topics the rollout publishes to. */
    alertTopicArns: {
        /** The topic that pages. */
        critical: pulumi.Input<string>;
        /** The topic that notifies. */
        warning: pulumi.Input<string>;
    };
    /** The logs key: it encrypts the alert topics, the break-glass trail and its log group. */
    alertKeyArn: pulumi.Input<string>;
    /** The stack's hosted zone (the deployment role changes its records). */
    hostedZoneId: pulumi.Input<string>;
    /** The services scale with target tracking (plain: it adds the scaling permissions). */
    autoscaling: boolean;
    /**
     * The DocumentDB cluster the deployment role snapshots before a migration.
     * @default none: the role has no database permissions
     */
    databaseClusterIdentifier?: pulumi.Input<string>;
    /**
     * dr only: what the DR runbook acts on (components/deployment-permissions.ts).
     * @default none: no runbook permissions
     */
    drRunbook?: DrRunbookScope;
    /**
     * Pulumi state bucket, when CI runs `pulumi up` as the deployment role.
     * @default none: no state-backend access
     */
    stateBucketArn?: pulumi.Input<string>;
    /**
     * Pulumi secrets-provider KMS key, when CI runs `pulumi up` as the deployment role.
     * @default none: no access to a secrets-provider key
     */
    secretsProviderKeyArn?: pulumi.Input<string>;
    /** The stack's workload boundary (operations may create and change roles that carry it). */
    workloadBoundaryArn: pulumi.Input<string>;
    /** Retention of the break-glass trail's log group, in days. */
    logRetentionDays: pulumi.Input<number>;
    /** Staging, prod, dr: keep the trail's buckets, and deny operations the destruction of data. */
    protect: boolean;
}

const roleTags = (role: AccessRole) => serviceTags("access", { AccessRole: role });
const inputs = (xs: pulumi.Input<string>[]) => pulumi.all(xs);

/**
 * The guide's four roles: `tms-deployment-role` (CI through GitHub OIDC, scoped to this stack and
 * bounded), `tms-operations-role` (DevOps, MFA, delegated IAM), `tms-readonly-role` (developers, MFA)
 * and `tms-emergency-access` (break-glass, MFA, one-hour sessions, pages on-call when assumed in any
 * region or switched to in the console).
 */
export class AccessRoles extends pulumi.ComponentResource {
    readonly deploymentRoleArn: pulumi.Output<string>;
    readonly operationsRoleArn: pulumi.Output<string>;
    readonly readonlyRoleArn: pulumi.Output<string>;
    readonly emergencyRoleArn: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly deploymentBoundaryArn: pulumi.Output<string>;
    readonly breakGlassAlert: BreakGlassAlert;

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
            pulumi.all([acct, args.clusterArn, args.clusterName, args.alertKeyArn, args.hostedZoneId, this.oidcProviderArn]),
            pulumi.all([
                inputs(args.ecsServiceNames), inputs(args.taskDefinitionFamilies), inputs(args.listenerArns), inputs(args.listenerRuleArns),
                inputs(args.passRoleArns), inputs(args.repositoryArns),
                pulumi.all([args.alertTopicArns.critical, args.alertTopicArns.warning]),
            ]),
            pulumi.all([
                pulumi.output(args.databaseClusterIdentifier), pulumi.output(args.stateBucketArn),
                pulumi.output(args.secretsProviderKeyArn), args.rolloutTableKeyArn,
            ]),
        ]).apply(([[accountId, clusterArn, clusterName, alertKeyArn, hostedZoneId, oidcProviderArn],
            [ecsServiceNames, taskDefinitionFamilies, listenerArns, listenerRuleArns, passRoleArns, repositoryArns, alertTopicArns],
            [databaseClusterIdentifier, stateBucketArn, secretsProviderKeyArn, rolloutTableKeyArn]]): DeploymentScope => ({
            environment: args.environment,
            region: args.region,
            rolloutTableName: args.rolloutTableName,
            rolloutTableKeyArn,
            autoscaling: args.autoscaling,
            accountId, clusterArn, clusterName, alertKeyArn, hostedZoneId, oidcProviderArn,
            ecsServiceArns: ecsServiceNames.map((n) => `arn:aws:ecs:${args.region}:${accountId}:service/${clusterName}/${n}`),
            taskDefinitionFamilies, listenerArns, listenerRuleArns, passRoleArns, repositoryArns, alertTopicArns,
            databaseClusterIdentifier, stateBucketArn, secretsProviderKeyArn,
            ...(args.drRunbook ? { drRunbook: args.drRunbook } : {}),
        }));
        const permissions = scope.apply(deploymentPermissions);

        const boundary = new aws.iam.Policy(`${name}-deployment-boundary`, {
            name: globalName(DEPLOYMENT_BOUNDARY_BASE_NAME, a.nameSuffix),
            description: "Permissions boundary of the CI deployment role: the only actions it may ever have",
            policy: permissions.apply((p) => JSON.stringify(deploymentBoundary(p))),
            tags: roleTags("deployment"),
        }, { parent: this });
        this.deploymentBoundaryArn = boundary.arn;
        const deployment = new aws.iam.Role(`${name}-deployment`, {
            name: roleName("deployment"),
            description: `CI deployments of ${args.environment} from ${a.githubRepository}` +
                (a.githubEnvironment !== undefined ? ` (environment ${a.githubEnvironment})` : `@${a.githubBranch}`),
            assumeRolePolicy: this.oidcProviderArn.apply((oidcProviderArn) =>
                JSON.stringify(
                    githubTrustPolicy(
                        { oidcProviderArn, repository: a.githubRepository, branch: a.githubBranch, environment: a.githubEnvironment }
                    )
                )),
            permissionsBoundary: boundary.arn,
            // A prod canary (baseline, three steps, 30 min validation) outlasts one hour; CI asks for
            // `role-duration-seconds: 7200` so one session covers a whole rollout.
            maxSessionDuration: 7200,
            tags: roleTags("deployment"),
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-deployment-policy`, {
            role: deployment.id,
            policy: permissions.apply((p) => JSON.stringify(deploymentPolicy(p))),
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

        // PowerUserAccess is everything but IAM, Organizations and Account; the inline policy adds delegated IAM.
        const operations = human("operations", "DevOps infrastructure changes (MFA)", "PowerUserAccess", 4 * 3600);
        new aws.iam.RolePolicy(`${name}-operations-iam`, {
            role: operations.id,
            policy: pulumi.all([acct, args.workloadBoundaryArn, boundary.arn]).apply(([accountId, workload, deploymentBoundaryArn]) =>
                JSON.stringify(
                    operationsIamPolicy({ accountId, boundaryArns: [workload, deploymentBoundaryArn], protectData: args.protect })
                )),
        }, { parent: this });
        const readonly = human("readonly", "Developers: read-only access (MFA)", "ReadOnlyAccess", 12 * 3600);
        const emergency = human("emergency", "Break-glass full access (MFA, pages on-call when assumed)", "AdministratorAccess", 3600);

        this.breakGlassAlert = new BreakGlassAlert(`${name}-audit`, {
            environment: args.environment,
            region: args.region,
            accountId: args.accountId,
            roleName: roleName("emergency"),
            alarmTopicArn: args.alertTopicArns.critical,
            logsKeyArn: args.alertKeyArn,
            logRetentionDays: args.logRetentionDays,
            permissionsBoundaryArn: args.workloadBoundaryArn,
            protect: args.protect,
        }, { parent: this, dependsOn: [emergency] });

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
