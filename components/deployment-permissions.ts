/**
 * What the CI deployment role does, as one list: every AWS action its jobs call, who calls it, on
 * which ARNs and under which condition. The role's policy, its permissions boundary, the IAM
 * simulator tests and the table in docs/access-and-monitoring.md are all generated from this list,
 * so a call added to a job without its permission (or a permission no job needs) shows up in one place.
 *
 * The jobs:
 * - `program`: every `pulumi preview`/`up`, targeted or not, runs the whole program, data sources included.
 * - `weight-step`: `pulumi up --target <weightListenerUrns>` updates the weighted listeners and rules.
 * - `release`: the full `pulumi up` that deploys a candidate's images and counts (task definitions,
 *   ECS services, and their scalable targets where autoscaling is on).
 * - `rollout-cli`: the AWS SDK calls of `npm run rollout` (automation/adapters/*), each named by its command.
 * - `image-push`: `docker push` of the release images from CI.
 * - `state-backend`: a self-managed Pulumi backend (S3 state, KMS secrets provider), when configured.
 *
 * Actions and resource types: Service Authorization Reference,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 * (e.g. ECS https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html,
 * ELBv2 https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
 * `sts:GetCallerIdentity` (the program's `getCallerIdentity`) is not listed: it needs no permission
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). `elb.getServiceAccount`
 * makes no call (a table of ELB accounts per region in the provider).
 */
import {
    alarmPrefix,
    DR_SWITCH_NAMESPACE,
    drGateSwitch,
    drModeParameterName,
    drModeParameterPath,
    predeploySnapshotPrefix,
    primaryFenceSwitch,
} from "../config/naming";

/**
 * What each data source of the program calls when it runs (the provider's read of that data source),
 * keyed as the program writes it. A test scans the components for data sources and fails on one
 * missing here, or on an action here missing from the deployment list.
 */
export const DATA_SOURCE_ACTIONS: Record<string, string[]> = {
    // No permission: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    "getCallerIdentity": [],
    "route53.getZone": ["route53:GetHostedZone", "route53:ListHostedZones", "route53:ListTagsForResource"],
    "ec2.getRouteTables": ["ec2:DescribeRouteTables"],
    "iam.getOpenIdConnectProvider": ["iam:GetOpenIDConnectProvider", "iam:ListOpenIDConnectProviders"],
    // A table of ELB account ids per region inside the provider: no call.
    "elb.getServiceAccount": [],
    // dr reads its mode under a path; GetParametersByPath is authorized against the path
    // (https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-retrieval-authorization.html).
    "ssm.getParametersByPath": ["ssm:GetParametersByPath"],
    // awsx's Vpc component looks up the region's availability zones.
    "awsx.ec2.Vpc": ["ec2:DescribeAvailabilityZones"],
};

/** IAM service prefix of each AWS SDK client the rollout CLI uses (DocumentDB's API is RDS's). */
export const SDK_CLIENT_PREFIXES: Record<string, string> = {
    "@aws-sdk/client-cloudwatch": "cloudwatch",
    "@aws-sdk/client-docdb": "rds",
    "@aws-sdk/client-dynamodb": "dynamodb",
    "@aws-sdk/client-ecs": "ecs",
    "@aws-sdk/client-elastic-load-balancing-v2": "elasticloadbalancing",
    "@aws-sdk/client-sns": "sns",
    "@aws-sdk/client-ssm": "ssm",
};

export type DeploymentJob = "program" | "weight-step" | "release" | "rollout-cli" | "image-push" | "state-backend" | "dr-runbook";

/**
 * The dr stack's runbook (`npm run dr:failover`, `dr:failback`, automation/adapters/dr.ts): what it calls
 * besides the release job's ECS UpdateService and the ELB reads. Plain names, no outputs.
 */
export interface DrRunbookScope {
    /** prod's environment (`prod`): its cluster and its fence alarm are named after it. */
    primaryEnvironment: string;
    /** The long environment name of the SSM path (`production`). */
    environmentName: string;
    /** The DocumentDB global cluster the runbook fails over or switches over. */
    globalClusterIdentifier: string;
    /** dr's DocumentDB cluster (the secondary it promotes). */
    drClusterIdentifier: string;
    /** prod's DocumentDB cluster (the primary it demotes). */
    primaryClusterIdentifier: string;
}

export type Condition = Record<string, Record<string, string | string[]>>;

/** What the deployment role acts on: ARNs of this stack only. */
export interface DeploymentScope {
    environment: string;
    region: string;
    accountId: string;
    clusterArn: string;
    /** ECS cluster name, for the ARNs of the one-off tasks it starts. */
    clusterName: string;
    ecsServiceArns: string[];
    /** Task definition families the stack registers (colour services and migration tasks), `tms-<env>-…`. */
    taskDefinitionFamilies: string[];
    /** The weighted and test listeners a weight step modifies. */
    listenerArns: string[];
    /** Their listener rules (behind the CDN the weighted forward lives in rules). */
    listenerRuleArns: string[];
    /** Roles ECS tasks run as: the only roles it may pass, and only to ECS tasks. */
    passRoleArns: string[];
    repositoryArns: string[];
    /** DynamoDB table of the rollout lock (`tms-<env>-rollouts`). */
    rolloutTableName: string;
    /** The customer-managed key the rollout table is encrypted with (DynamoDB uses it on the caller's behalf). */
    rolloutTableKeyArn: string;
    alertTopicArns: string[];
    /** Key that encrypts the alert topics (publishing to an encrypted topic needs it). */
    alertKeyArn: string;
    /** The public hosted zone the program looks up (`route53.getZone`). */
    hostedZoneId: string;
    /** The account's GitHub OIDC provider (looked up by dr, created by the others). */
    oidcProviderArn: string;
    /** Target-tracking autoscaling on the ECS services (a release moves their scalable targets' bounds). */
    autoscaling: boolean;
    /** DocumentDB cluster identifier; without it the role has no database permissions. */
    databaseClusterIdentifier?: string;
    /** Pulumi state backend (S3) and secrets-provider KMS key, when CI runs `pulumi up` as this role. */
    stateBucketArn?: string;
    secretsProviderKeyArn?: string;
    /** dr only: the DR runbook's calls (the role CI's DR workflow and on-call assume for it). */
    drRunbook?: DrRunbookScope;
}

/** One statement of the deployment role, with who calls it and what a real call names. */
export interface DeploymentPermission {
    sid: string;
    job: DeploymentJob;
    /** The data source, provider operation or SDK command that calls these actions. */
    callers: string;
    actions: string[];
    /** ARNs (patterns) the statement names; `*` only for actions IAM cannot scope to a resource. */
    resources: string[];
    condition?: Condition;
    /** Concrete ARNs a real call names (one per pattern); the simulator tests request these. */
    examples: string[];
    /** Request context a real call carries (the values the condition checks). */
    context?: Record<string, string>;
}

export { predeploySnapshotPrefix };

const sorted = (xs: string[]) => [...xs].sort();

/** Every permission of the deployment role for one stack (pure). */
export function deploymentPermissions(s: DeploymentScope): DeploymentPermission[] {
    const arn = (service: string, resource: string) => `arn:aws:${service}:${s.region}:${s.accountId}:${resource}`;
    const families = arn("ecs", `task-definition/tms-${s.environment}-*`);
    const familyExamples = sorted(s.taskDefinitionFamilies).map((f) => arn("ecs", `task-definition/${f}:1`));
    const p: DeploymentPermission[] = [
        {
            sid: "ProgramLookups", job: "program",
            callers: "aws.ec2.getRouteTables (network), awsx.ec2.Vpc's availability-zone lookup, route53.getZone (ListHostedZones), " +
                "iam.getOpenIdConnectProvider by URL (dr)",
            actions: [
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeRouteTables",
                "iam:ListOpenIDConnectProviders",
                "route53:ListHostedZones",
            ],
            resources: ["*"], examples: ["*"],
        },
        {
            sid: "ProgramHostedZone", job: "program", callers: "aws.route53.getZone (zone details and its tags)",
            actions: ["route53:GetHostedZone", "route53:ListTagsForResource"],
            resources: [`arn:aws:route53:::hostedzone/${s.hostedZoneId}`], examples: [`arn:aws:route53:::hostedzone/${s.hostedZoneId}`],
        },
        {
            sid: "ProgramOidcProvider",
            job: "program",
            callers: "aws.iam.getOpenIdConnectProvider (dr) and the provider read of the OIDC provider",
            actions: ["iam:GetOpenIDConnectProvider"], resources: [s.oidcProviderArn], examples: [s.oidcProviderArn],
        },
        {
            sid: "WeightStepListeners", job: "weight-step", callers: "aws.lb.Listener update (targeted up of weightListenerUrns)",
            actions: ["elasticloadbalancing:ModifyListener"], resources: sorted(s.listenerArns), examples: sorted(s.listenerArns),
        },
        ...(s.listenerRuleArns.length ? [{
            sid: "WeightStepRules", job: "weight-step" as const, callers: "aws.lb.ListenerRule update (targeted up of weightListenerUrns)",
            actions: ["elasticloadbalancing:ModifyRule"], resources: sorted(s.listenerRuleArns), examples: sorted(s.listenerRuleArns),
        }] : []),
        {
            sid: "ReadLoadBalancing", job: "weight-step",
            callers: "listener and rule reads after the update; rollout CLI DescribeTargetGroups, DescribeListeners, DescribeRules, " +
                "DescribeTargetHealth (weight and health read-back)",
            actions: [
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            resources: ["*"], examples: ["*"],
        },
        {
            sid: "ReleaseTaskDefinitions", job: "release", callers: "aws.ecs.TaskDefinition create (a new revision per image)",
            actions: ["ecs:RegisterTaskDefinition"], resources: [families], examples: familyExamples,
        },
        {
            // Pulumi tags a task definition as it registers it; only this environment's families, only then.
            sid: "TagTaskDefinitionsOnRegister", job: "release", callers: "aws.ecs.TaskDefinition create (tags in the same call)",
            actions: ["ecs:TagResource"],
            resources: [families],
            condition: { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } },
            examples: familyExamples, context: { "ecs:CreateAction": "RegisterTaskDefinition" },
        },
        {
            sid: "ReleaseTaskDefinitionReads",
            job: "release",
            callers: "aws.ecs.TaskDefinition read and delete (the old revision is deregistered)",
            actions: ["ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"], resources: ["*"], examples: ["*"],
        },
        {
            sid: "ReleaseServices",
            job: "release",
            callers: "aws.ecs.Service update; rollout CLI DescribeServices (migration network settings, rolling deployments)",
            actions: ["ecs:DescribeServices", "ecs:UpdateService"], resources: sorted(s.ecsServiceArns), examples: sorted(s.ecsServiceArns),
        },
        {
            sid: "PassTaskRoles",
            job: "release",
            callers: "aws.ecs.TaskDefinition create and rollout CLI RunTask (task and execution roles)",
            actions: ["iam:PassRole"],
            resources: sorted(s.passRoleArns),
            condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            examples: sorted(s.passRoleArns), context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
        },
        ...(s.autoscaling ? [
            {
                sid: "ReleaseScalableTargets",
                job: "release" as const,
                callers: "aws.appautoscaling.Target update (a colour's bounds go to 0 when idle)",
                actions: ["application-autoscaling:RegisterScalableTarget"],
                // Scalable-target ARNs carry an id AWS assigns; the condition keeps the role to ECS services.
                resources: [arn("application-autoscaling", "scalable-target/*")],
                condition: { StringEquals: { "application-autoscaling:service-namespace": "ecs" } },
                examples: [arn("application-autoscaling", "scalable-target/0123456789abcdef0123456789abcdef")],
                context: {
                    "application-autoscaling:service-namespace": "ecs",
                    "application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
                },
            },
            {
                sid: "ReadScalableTargets", job: "release" as const, callers: "aws.appautoscaling.Target read",
                actions: ["application-autoscaling:DescribeScalableTargets"], resources: ["*"], examples: ["*"],
            },
        ] : []),
        {
            sid: "RunMigrationTasks", job: "rollout-cli", callers: "RunTaskCommand (migrations and in-VPC smoke tests, ecs-tasks.ts)",
            actions: ["ecs:RunTask"], resources: [families], condition: { ArnEquals: { "ecs:cluster": s.clusterArn } },
            examples: familyExamples, context: { "ecs:cluster": s.clusterArn },
        },
        {
            sid: "WatchMigrationTasks", job: "rollout-cli", callers: "DescribeTasksCommand (ecs-tasks.ts)",
            actions: ["ecs:DescribeTasks"], resources: [arn("ecs", `task/${s.clusterName}/*`)],
            examples: [arn("ecs", `task/${s.clusterName}/0123456789abcdef0123456789abcdef`)],
        },
        {
            sid: "ReadMetrics", job: "rollout-cli", callers: "GetMetricDataCommand (cloudwatch-metrics.ts)",
            actions: ["cloudwatch:GetMetricData"], resources: ["*"], examples: ["*"],
        },
        {
            sid: "ReadCriticalAlarms", job: "rollout-cli", callers: "DescribeAlarmsCommand with AlarmNamePrefix (cloudwatch-metrics.ts)",
            actions: ["cloudwatch:DescribeAlarms"], resources: [arn("cloudwatch", `alarm:${alarmPrefix(s.environment, "critical")}*`)],
            examples: [arn("cloudwatch", `alarm:${alarmPrefix(s.environment, "critical")}api-gateway-blue-5xx-rate`)],
        },
        {
            sid: "RolloutLock", job: "rollout-cli", callers: "GetItem, PutItem, UpdateItem, DeleteItem commands (dynamo-state.ts)",
            actions: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources: [arn("dynamodb", `table/${s.rolloutTableName}`)], examples: [arn("dynamodb", `table/${s.rolloutTableName}`)],
        },
        {
            // DynamoDB decrypts the table key with the table's customer-managed key on the caller's behalf,
            // on first access and again after five minutes without one
            // (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html#dynamodb-authz):
            // without kms:Decrypt through DynamoDB the first GetItem is AccessDenied. Only through DynamoDB,
            // only for this table of this account (its encryption context).
            sid: "RolloutLockKeyThroughDynamoDb", job: "rollout-cli",
            callers: "every command on the KMS-encrypted lock table (DynamoDB asks KMS to decrypt the table key as the caller)",
            actions: ["kms:Decrypt"], resources: [s.rolloutTableKeyArn],
            condition: {
                StringEquals: {
                    "kms:ViaService": `dynamodb.${s.region}.amazonaws.com`,
                    "kms:EncryptionContext:aws:dynamodb:tableName": s.rolloutTableName,
                    "kms:EncryptionContext:aws:dynamodb:subscriberId": s.accountId,
                },
            },
            examples: [s.rolloutTableKeyArn],
            context: {
                "kms:ViaService": `dynamodb.${s.region}.amazonaws.com`,
                "kms:EncryptionContext:aws:dynamodb:tableName": s.rolloutTableName,
                "kms:EncryptionContext:aws:dynamodb:subscriberId": s.accountId,
            },
        },
        {
            sid: "PublishAlerts", job: "rollout-cli", callers: "PublishCommand (sns-notifier.ts)",
            actions: ["sns:Publish"], resources: sorted(s.alertTopicArns), examples: sorted(s.alertTopicArns),
        },
        {
            sid: "AlertKeyThroughSns",
            job: "rollout-cli",
            callers: "PublishCommand to the KMS-encrypted topics (SNS asks KMS on the caller's behalf)",
            actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [s.alertKeyArn],
            condition: { StringEquals: { "kms:ViaService": `sns.${s.region}.amazonaws.com` } },
            examples: [s.alertKeyArn], context: { "kms:ViaService": `sns.${s.region}.amazonaws.com` },
        },
    ];
    // dr runs prod's images from the registry's replicas in its region: it pushes nothing.
    if (s.repositoryArns.length) {
        p.push(
            {
                // The push set of https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
                sid: "PushImages", job: "image-push", callers: "docker push to the stack's repositories (layer upload, manifest)",
                actions: [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                resources: sorted(s.repositoryArns), examples: sorted(s.repositoryArns),
            },
            {
                sid: "RegistryLogin", job: "image-push", callers: "ecr get-login-password (GetAuthorizationToken)",
                actions: ["ecr:GetAuthorizationToken"], resources: ["*"], examples: ["*"],
            },
        );
    }
    if (s.databaseClusterIdentifier) {
        const cluster = arn("rds", `cluster:${s.databaseClusterIdentifier}`);
        const snapshots = arn("rds", `cluster-snapshot:${predeploySnapshotPrefix(s.environment)}*`);
        const snapshot = arn("rds", `cluster-snapshot:${predeploySnapshotPrefix(s.environment)}20260101t0000z`);
        p.push(
            {
                sid: "SnapshotDatabase", job: "rollout-cli", callers: "CreateDBClusterSnapshotCommand with Tags (docdb-snapshots.ts)",
                actions: ["rds:AddTagsToResource", "rds:CreateDBClusterSnapshot"],
                resources: [cluster, snapshots],
                examples: [cluster, snapshot],
            },
            {
                sid: "ListSnapshots", job: "rollout-cli", callers: "DescribeDBClusterSnapshotsCommand (docdb-snapshots.ts)",
                actions: ["rds:DescribeDBClusterSnapshots"], resources: [cluster, snapshots], examples: [cluster, snapshot],
            },
            {
                sid: "DeletePredeploySnapshots",
                job: "rollout-cli",
                callers: "DeleteDBClusterSnapshotCommand, pruning old pre-deploy snapshots (docdb-snapshots.ts)",
                actions: ["rds:DeleteDBClusterSnapshot"], resources: [snapshots], examples: [snapshot],
            },
        );
    }
    if (s.drRunbook) {
        const d = s.drRunbook;
        const global = `arn:aws:rds::${s.accountId}:global-cluster:${d.globalClusterIdentifier}`;
        const drCluster = arn("rds", `cluster:${d.drClusterIdentifier}`);
        // dr's config does not name prod's region: the name and the account scope prod's cluster.
        const primaryCluster = `arn:aws:rds:*:${s.accountId}:cluster:${d.primaryClusterIdentifier}`;
        const primaryExample = `arn:aws:rds:us-east-1:${s.accountId}:cluster:${d.primaryClusterIdentifier}`;
        const alarms = [
            primaryFenceSwitch(d.primaryEnvironment, s.environment),
            drGateSwitch(s.environment),
        ].map((w) => arn("cloudwatch", `alarm:${w.alarmName}`));
        const mode = arn("ssm", `parameter${drModeParameterName(d.environmentName)}`);
        p.push(
            {
                sid: "ProgramDrMode", job: "program", callers: "aws.ssm.getParametersByPath (dr reads the mode the runbook recorded)",
                actions: ["ssm:GetParametersByPath"], resources: [arn("ssm", `parameter${drModeParameterPath(d.environmentName)}`)],
                examples: [arn("ssm", `parameter${drModeParameterPath(d.environmentName)}`)],
            },
            {
                sid: "DrReadGlobalCluster", job: "dr-runbook", callers: "DescribeGlobalClustersCommand (adapters/dr.ts)",
                actions: ["rds:DescribeGlobalClusters"], resources: [global], examples: [global],
            },
            {
                sid: "DrReadClusters",
                job: "dr-runbook",
                callers: "DescribeDBClustersCommand: dr's cluster, and prod's as the probe of its region",
                actions: ["rds:DescribeDBClusters"], resources: [drCluster, primaryCluster], examples: [drCluster, primaryExample],
            },
            {
                sid: "DrPromote", job: "dr-runbook",
                callers: "FailoverGlobalClusterCommand (AllowDataLoss), SwitchoverGlobalClusterCommand (to dr, and back to prod), " +
                    "RemoveFromGlobalClusterCommand (dr)",
                actions: ["rds:FailoverGlobalCluster", "rds:RemoveFromGlobalCluster", "rds:SwitchoverGlobalCluster"],
                resources: [global, drCluster, primaryCluster], examples: [global, drCluster, primaryExample],
            },
            {
                sid: "DrSwitches", job: "dr-runbook", callers: "PutMetricDataCommand: the primary fence and the dr gate",
                actions: ["cloudwatch:PutMetricData"], resources: ["*"],
                condition: { StringEquals: { "cloudwatch:namespace": DR_SWITCH_NAMESPACE } },
                examples: ["*"], context: { "cloudwatch:namespace": DR_SWITCH_NAMESPACE },
            },
            {
                sid: "DrSwitchAlarms", job: "dr-runbook", callers: "DescribeAlarmsCommand: the switches' alarms",
                actions: ["cloudwatch:DescribeAlarms"], resources: alarms, examples: alarms,
            },
            {
                sid: "DrMode", job: "dr-runbook", callers: "GetParameterCommand, PutParameterCommand: dr's mode",
                actions: ["ssm:GetParameter", "ssm:PutParameter"], resources: [mode], examples: [mode],
            },
        );
    }
    if (s.stateBucketArn) {
        p.push(
            {
                sid: "StateObjects", job: "state-backend", callers: "pulumi (S3 backend): read and write the stack's state and its lock",
                actions: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], resources: [`${s.stateBucketArn}/*`],
                examples: [`${s.stateBucketArn}/.pulumi/stacks/tms/${s.environment}.json`],
            },
            {
                sid: "StateBucket", job: "state-backend", callers: "pulumi (S3 backend): list the stack's state and its history",
                actions: ["s3:GetBucketLocation", "s3:ListBucket"], resources: [s.stateBucketArn], examples: [s.stateBucketArn],
            },
        );
    }
    if (s.secretsProviderKeyArn) {
        p.push({
            sid: "StateSecrets", job: "state-backend", callers: "pulumi (awskms secrets provider): encrypt and decrypt the stack's secrets",
            actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            resources: [s.secretsProviderKeyArn],
            examples: [s.secretsProviderKeyArn],
        });
    }
    return p;
}

export interface Statement {
    Sid: string;
    Effect: "Allow" | "Deny";
    Action: string | string[];
    Resource?: string | string[];
    Principal?: Record<string, string | string[]>;
    Condition?: Condition;
}
export type PolicyDocument = { Version: "2012-10-17"; Statement: Statement[] };
export const policyDocument = (statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0] : xs);

/** The deployment role's policy: one statement per permission of the list. */
export function deploymentPolicy(permissions: DeploymentPermission[]): PolicyDocument {
    return policyDocument(permissions.map((p) => ({
        Sid: p.sid,
        Effect: "Allow" as const,
        Action: one(p.actions),
        Resource: one(p.resources),
        ...(p.condition ? { Condition: p.condition } : {}),
    })));
}

/** IAM calls that would lift or widen a boundary from inside; denied in every boundary of the project. */
export const BOUNDARY_ESCAPE_ACTIONS = [
    "iam:AttachRolePolicy", "iam:CreatePolicyVersion", "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy", "iam:SetDefaultPolicyVersion",
];

/**
 * The deployment role's permissions boundary: the same actions under the same conditions, on any
 * resource. It caps the role even if a broader policy is attached to it later; the identity policy
 * does the scoping to this stack's ARNs.
 */
export function deploymentBoundary(permissions: DeploymentPermission[]): PolicyDocument {
    return policyDocument([
        ...permissions.map((p) => ({
            Sid: `Bound${p.sid}`,
            Effect: "Allow" as const,
            Action: one(p.actions),
            Resource: "*",
            ...(p.condition ? { Condition: p.condition } : {}),
        })),
        { Sid: "NoBoundaryEscape", Effect: "Deny", Action: BOUNDARY_ESCAPE_ACTIONS, Resource: "*" },
    ]);
}
