/**
 * What each role must be able to do and what it must never do, as plain rows. The IAM simulator
 * tests (test/access/simulator.test.ts) judge every row against the planned policies of every stack,
 * and `npm run docs:access` renders the same rows (and the deployment role's permission list) into
 * docs/access-and-monitoring.md, so the doc and the proof cannot drift apart.
 *
 * No simulator here: this module is plain data and string rendering (the simulator, AGPL-3.0, is
 * used from test/ only).
 */
import { deploymentPermissions, type DeploymentScope } from "../components/deployment-permissions";

export type Principal = "deployment" | "operations" | "readonly" | "emergency" | "task" | "execution" | "migration";

/** Facts of one planned stack the rows name (ARNs as the plan has them). */
export interface AccessFacts {
    stack: string;
    environment: string;
    /** Long name used in secret and parameter paths (development, staging, production). */
    environmentName: string;
    region: string;
    accountId: string;
    /** `tms:access.nameSuffix` of this stack, and of the other stack sharing an account (prod ↔ dr). */
    suffix: string;
    otherSuffix: string;
    otherEnvironment: string;
    protectData: boolean;
    deploymentBoundaryArn: string;
    workloadBoundaryArn: string;
    /** The first service's task and execution roles; the second service's name. */
    service: string;
    otherService: string;
    taskRoleArn: string;
    executionRoleArn: string;
    clusterArn: string;
    taskDefinitionArn: string;
    /** A listener of the stack that no weight step touches (the HTTP → HTTPS redirect). */
    untouchedListenerArn: string;
    databaseClusterArn: string;
    secretsKeyArn: string;
    /** The logs key (it also encrypts ECS Exec sessions). */
    logsKeyArn: string;
    /** The ECS Exec log group when exec is on (dev, staging), else "". */
    execLogGroupArn: string;
    /** The first service's `mongodb-uri` secret and the second service's. */
    serviceSecretArn: string;
    otherServiceSecretArn: string;
    /** The database master credentials (only the migration tasks read them). */
    masterSecretArn: string;
    /** The first service's migration execution role ("" in dr: no migration tasks). */
    migrationRoleArn: string;
    bucketArn: string;
    otherServiceParameterArn: string;
    rolloutTableArn: string;
}

export interface AccessRow {
    principal: Principal;
    /** The job or the escalation, in plain words. */
    what: string;
    action: string;
    resource: (f: AccessFacts) => string;
    /** The resource as the doc shows it (placeholders, any stack). */
    resourceDoc: string;
    /** Request context a real call carries. */
    context?: (f: AccessFacts) => Record<string, string | string[]>;
    /** The resource policy that takes part in the decision (the break-glass trust policy, a key policy). */
    resourcePolicy?: "emergency-trust" | "secrets-key" | "logs-key";
    /** Stacks the row applies to (all when absent). */
    when?: (f: AccessFacts) => boolean;
}

const iam = (f: AccessFacts, r: string) => `arn:aws:iam::${f.accountId}:${r}`;
const arn = (f: AccessFacts, service: string, r: string) => `arn:aws:${service}:${f.region}:${f.accountId}:${r}`;
const mfa = () => ({ "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300" });

/** What the human roles and the service roles must be able to do (the deployment role's jobs are its permission list). */
export const ALLOWED_ROWS: AccessRow[] = [
    {
        principal: "operations", what: "create a service role that carries the workload boundary", action: "iam:CreateRole",
        resource: (f) => iam(f, "role/tms-api-gateway-roles-task-1234567"), resourceDoc: "role/tms-…",
        context: (f) => ({ "iam:PermissionsBoundary": f.workloadBoundaryArn }),
    },
    {
        principal: "operations", what: "change a service role's inline policy", action: "iam:PutRolePolicy",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: (f) => ({ "iam:PermissionsBoundary": f.workloadBoundaryArn }),
    },
    {
        principal: "operations", what: "update the deployment role's policy (pulumi up)", action: "iam:PutRolePolicy",
        resource: (f) => iam(f, `role/tms-deployment-role${f.suffix}`), resourceDoc: "role/tms-deployment-role<suffix>",
        context: (f) => ({ "iam:PermissionsBoundary": f.deploymentBoundaryArn }),
    },
    {
        principal: "operations", what: "hand a service role to ECS", action: "iam:PassRole",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: () => ({ "iam:PassedToService": "ecs-tasks.amazonaws.com" }),
    },
    {
        principal: "operations", what: "change an ECS service", action: "ecs:UpdateService",
        resource: (f) => `${f.clusterArn.replace(":cluster/", ":service/")}/${f.service}-blue`, resourceDoc: "service/<cluster>/<service>",
    },
    {
        principal: "operations", what: "snapshot the database", action: "rds:CreateDBClusterSnapshot",
        resource: (f) => f.databaseClusterArn, resourceDoc: "cluster:tms-<env>-docdb",
    },
    { principal: "readonly", what: "read an ECS service", action: "ecs:DescribeServices", resource: (f) => `${f.clusterArn.replace(":cluster/", ":service/")}/${f.service}-blue`, resourceDoc: "service/<cluster>/<service>" },
    { principal: "readonly", what: "read a role", action: "iam:GetRole", resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role" },
    { principal: "readonly", what: "read metrics", action: "cloudwatch:GetMetricData", resource: () => "*", resourceDoc: "*" },
    { principal: "emergency", what: "anything (break-glass): create a role", action: "iam:CreateRole", resource: (f) => iam(f, "role/incident-fix"), resourceDoc: "any role" },
    {
        principal: "task", what: "read its own parameters", action: "ssm:GetParameter",
        resource: (f) => arn(f, "ssm", `parameter/${f.environmentName}/${f.service}/x`),
        resourceDoc: "parameter/<env-name>/<service>/…",
    },
    {
        principal: "task", what: "open an ECS Exec session: decrypt it with the cluster's key (dev, staging)", action: "kms:Decrypt",
        resource: (f) => f.logsKeyArn, resourceDoc: "the logs key", resourcePolicy: "logs-key", when: (f) => f.execLogGroupArn !== "",
    },
    {
        principal: "task", what: "log an ECS Exec session (dev, staging)", action: "logs:PutLogEvents",
        resource: (f) => `${f.execLogGroupArn}:log-stream:ecs-execute-command-1`, resourceDoc: "log-group:/tms/<env>/ecs-exec", when: (f) => f.execLogGroupArn !== "",
    },
    {
        principal: "task", what: "find the ECS Exec log group (dev, staging)", action: "logs:DescribeLogGroups",
        resource: () => "*", resourceDoc: "*", when: (f) => f.execLogGroupArn !== "",
    },
    {
        principal: "migration", what: "read the master credentials to create and rotate the service's users", action: "secretsmanager:GetSecretValue",
        resource: (f) => f.masterSecretArn, resourceDoc: "secret:<env-name>/database/master-…", when: (f) => f.migrationRoleArn !== "",
    },
    {
        principal: "migration", what: "decrypt them through Secrets Manager", action: "kms:Decrypt", resource: (f) => f.secretsKeyArn, resourceDoc: "the secrets key",
        resourcePolicy: "secrets-key", context: (f) => ({ "kms:ViaService": `secretsmanager.${f.region}.amazonaws.com` }), when: (f) => f.migrationRoleArn !== "",
    },
    { principal: "execution", what: "read its own service's secret", action: "secretsmanager:GetSecretValue", resource: (f) => f.serviceSecretArn, resourceDoc: "secret:<env-name>/<service>/mongodb-uri-…" },
];

/** What no role but break-glass may ever do: escalations and destructive actions. */
export const DENIED_ROWS: AccessRow[] = [
    // operations: the delegation pattern
    {
        principal: "operations", what: "create a role without a permissions boundary", action: "iam:CreateRole",
        resource: (f) => iam(f, "role/tms-x"), resourceDoc: "role/tms-x",
    },
    {
        principal: "operations", what: "create a role whose boundary is a policy of its own", action: "iam:CreateRole",
        resource: (f) => iam(f, "role/tms-x"), resourceDoc: "role/tms-x", context: (f) => ({ "iam:PermissionsBoundary": iam(f, "policy/tms-x-boundary") }),
    },
    {
        principal: "operations", what: "create a policy named like a boundary", action: "iam:CreatePolicy",
        resource: (f) => iam(f, "policy/tms-workload-boundary-x"), resourceDoc: "policy/tms-workload-boundary-x",
    },
    {
        principal: "operations", what: "put a policy on a role without the project's boundary", action: "iam:PutRolePolicy",
        resource: (f) => iam(f, "role/tms-unbounded"), resourceDoc: "role/tms-unbounded",
    },
    {
        principal: "operations", what: "remove a service role's boundary", action: "iam:DeleteRolePermissionsBoundary",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: (f) => ({ "iam:PermissionsBoundary": f.workloadBoundaryArn }),
    },
    {
        principal: "operations", what: "swap a role's boundary for the deployment boundary", action: "iam:PutRolePermissionsBoundary",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: (f) => ({ "iam:PermissionsBoundary": f.deploymentBoundaryArn }),
    },
    {
        principal: "operations", what: "write a new version of the deployment boundary", action: "iam:CreatePolicyVersion",
        resource: (f) => f.deploymentBoundaryArn, resourceDoc: "policy/tms-deployment-boundary<suffix>",
    },
    {
        principal: "operations", what: "write a new version of the other stack's workload boundary", action: "iam:CreatePolicyVersion",
        resource: (f) => iam(f, `policy/tms-workload-boundary${f.otherSuffix}`), resourceDoc: "policy/tms-workload-boundary<other suffix>",
    },
    {
        principal: "operations", what: "re-trust this stack's break-glass role", action: "iam:UpdateAssumeRolePolicy",
        resource: (f) => iam(f, `role/tms-emergency-access${f.suffix}`), resourceDoc: "role/tms-emergency-access<suffix>",
    },
    {
        principal: "operations", what: "re-trust the other stack's break-glass role", action: "iam:UpdateAssumeRolePolicy",
        resource: (f) => iam(f, `role/tms-emergency-access${f.otherSuffix}`), resourceDoc: "role/tms-emergency-access<other suffix>",
    },
    {
        principal: "operations", what: "attach AdministratorAccess to itself", action: "iam:AttachRolePolicy",
        resource: (f) => iam(f, `role/tms-operations-role${f.suffix}`), resourceDoc: "role/tms-operations-role<suffix>",
        context: () => ({ "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" }),
    },
    {
        principal: "operations", what: "re-trust the deployment role (make CI's identity its own)", action: "iam:UpdateAssumeRolePolicy",
        resource: (f) => iam(f, `role/tms-deployment-role${f.suffix}`), resourceDoc: "role/tms-deployment-role<suffix>",
        context: (f) => ({ "iam:PermissionsBoundary": f.deploymentBoundaryArn }),
    },
    {
        principal: "operations", what: "pass a project role to Lambda", action: "iam:PassRole",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: () => ({ "iam:PassedToService": "lambda.amazonaws.com" }),
    },
    {
        principal: "operations", what: "pass the break-glass role to ECS", action: "iam:PassRole",
        resource: (f) => iam(f, `role/tms-emergency-access${f.suffix}`), resourceDoc: "role/tms-emergency-access<suffix>",
        context: () => ({ "iam:PassedToService": "ecs-tasks.amazonaws.com" }),
    },
    {
        principal: "operations", what: "assume the break-glass role (role chaining with its MFA session)", action: "sts:AssumeRole",
        resource: (f) => iam(f, `role/tms-emergency-access${f.suffix}`), resourceDoc: "role/tms-emergency-access<suffix>",
        resourcePolicy: "emergency-trust",
    },
    { principal: "operations", what: "create an IAM user", action: "iam:CreateUser", resource: (f) => iam(f, "user/backdoor"), resourceDoc: "user/…" },
    {
        principal: "operations", what: "stop the break-glass trail", action: "cloudtrail:StopLogging",
        resource: (f) => arn(f, "cloudtrail", `trail/tms-${f.environment}-break-glass`), resourceDoc: "trail/tms-<env>-break-glass",
    },
    {
        principal: "operations", what: "delete the other stack's break-glass trail", action: "cloudtrail:DeleteTrail",
        resource: (f) => `arn:aws:cloudtrail:us-west-2:${f.accountId}:trail/tms-${f.otherEnvironment}-break-glass`, resourceDoc: "trail/tms-<other env>-break-glass",
    },
    {
        principal: "operations", what: "delete the break-glass metric filter", action: "logs:DeleteMetricFilter",
        resource: (f) => arn(f, "logs", `log-group:/tms/${f.environment}/break-glass-trail`), resourceDoc: "log-group:/tms/<env>/break-glass-trail",
    },
    {
        principal: "operations", what: "silence the break-glass alarm", action: "cloudwatch:DisableAlarmActions",
        resource: (f) => arn(f, "cloudwatch", `alarm:tms-${f.environment}-security-break-glass-assumed`), resourceDoc: "alarm:tms-<env>-security-break-glass-assumed",
    },
    {
        principal: "operations", what: "delete the database (protected stacks)", action: "rds:DeleteDBCluster",
        resource: (f) => f.databaseClusterArn, resourceDoc: "cluster:tms-<env>-docdb", when: (f) => f.protectData,
    },
    {
        principal: "operations", what: "schedule the secrets key's deletion (protected stacks)", action: "kms:ScheduleKeyDeletion",
        resource: (f) => f.secretsKeyArn, resourceDoc: "the secrets key", when: (f) => f.protectData,
    },
    // deployment (CI)
    { principal: "deployment", what: "create a role", action: "iam:CreateRole", resource: (f) => iam(f, "role/tms-x"), resourceDoc: "role/tms-x" },
    {
        principal: "deployment", what: "remove its own boundary", action: "iam:DeleteRolePermissionsBoundary",
        resource: (f) => iam(f, `role/tms-deployment-role${f.suffix}`), resourceDoc: "role/tms-deployment-role<suffix>",
    },
    {
        principal: "deployment", what: "pass the break-glass role to ECS", action: "iam:PassRole",
        resource: (f) => iam(f, `role/tms-emergency-access${f.suffix}`), resourceDoc: "role/tms-emergency-access<suffix>",
        context: () => ({ "iam:PassedToService": "ecs-tasks.amazonaws.com" }),
    },
    {
        principal: "deployment", what: "pass a service role to Lambda", action: "iam:PassRole",
        resource: (f) => f.taskRoleArn, resourceDoc: "a service's task role", context: () => ({ "iam:PassedToService": "lambda.amazonaws.com" }),
    },
    { principal: "deployment", what: "delete the database", action: "rds:DeleteDBCluster", resource: (f) => f.databaseClusterArn, resourceDoc: "cluster:tms-<env>-docdb" },
    {
        principal: "deployment", what: "delete a snapshot that is not a pre-deploy one", action: "rds:DeleteDBClusterSnapshot",
        resource: (f) => arn(f, "rds", `cluster-snapshot:tms-${f.environment}-docdb-final`), resourceDoc: "cluster-snapshot:tms-<env>-docdb-final",
    },
    {
        principal: "deployment", what: "run the stack's task definition in another cluster", action: "ecs:RunTask",
        resource: (f) => f.taskDefinitionArn, resourceDoc: "task-definition/tms-<env>-…", context: (f) => ({ "ecs:cluster": arn(f, "ecs", "cluster/other") }),
    },
    {
        principal: "deployment", what: "modify a listener no weight step touches (HTTP redirect)", action: "elasticloadbalancing:ModifyListener",
        resource: (f) => f.untouchedListenerArn, resourceDoc: "the HTTP redirect listener",
    },
    { principal: "deployment", what: "stop CloudTrail", action: "cloudtrail:StopLogging", resource: (f) => arn(f, "cloudtrail", `trail/tms-${f.environment}-break-glass`), resourceDoc: "trail/tms-<env>-break-glass" },
    { principal: "deployment", what: "read the database master credentials", action: "secretsmanager:GetSecretValue", resource: (f) => f.masterSecretArn, resourceDoc: "secret:<env-name>/database/master-…" },
    {
        principal: "deployment", what: "decrypt with the secrets key", action: "kms:Decrypt", resource: (f) => f.secretsKeyArn, resourceDoc: "the secrets key",
        resourcePolicy: "secrets-key",
    },
    { principal: "deployment", what: "delete the rollout lock table", action: "dynamodb:DeleteTable", resource: (f) => f.rolloutTableArn, resourceDoc: "table/tms-<env>-rollouts" },
    // readonly (developers)
    { principal: "readonly", what: "read a service's secret", action: "secretsmanager:GetSecretValue", resource: (f) => f.serviceSecretArn, resourceDoc: "secret:<env-name>/<service>/mongodb-uri-…" },
    {
        principal: "readonly", what: "decrypt with the secrets key", action: "kms:Decrypt", resource: (f) => f.secretsKeyArn, resourceDoc: "the secrets key",
        resourcePolicy: "secrets-key",
    },
    { principal: "readonly", what: "write to the application bucket", action: "s3:PutObject", resource: (f) => `${f.bucketArn}/${f.service}/x`, resourceDoc: "<bucket>/<service>/…" },
    { principal: "readonly", what: "create a role", action: "iam:CreateRole", resource: (f) => iam(f, "role/tms-x"), resourceDoc: "role/tms-x" },
    { principal: "readonly", what: "delete the database", action: "rds:DeleteDBCluster", resource: (f) => f.databaseClusterArn, resourceDoc: "cluster:tms-<env>-docdb" },
    // the services' own roles
    {
        principal: "task", what: "read another service's objects", action: "s3:GetObject",
        resource: (f) => `${f.bucketArn}/${f.otherService}/x`, resourceDoc: "<bucket>/<other service>/…",
    },
    { principal: "task", what: "read another service's parameters", action: "ssm:GetParameter", resource: (f) => f.otherServiceParameterArn, resourceDoc: "parameter/<env-name>/<other service>/…" },
    {
        principal: "task", what: "open ECS Exec channels where exec is off (prod, dr)", action: "ssmmessages:CreateControlChannel",
        resource: () => "*", resourceDoc: "*", when: (f) => f.execLogGroupArn === "",
    },
    { principal: "task", what: "read the database master credentials", action: "secretsmanager:GetSecretValue", resource: (f) => f.masterSecretArn, resourceDoc: "secret:<env-name>/database/master-…" },
    { principal: "execution", what: "read another service's secret", action: "secretsmanager:GetSecretValue", resource: (f) => f.otherServiceSecretArn, resourceDoc: "secret:<env-name>/<other service>/mongodb-uri-…" },
    { principal: "execution", what: "read the database master credentials", action: "secretsmanager:GetSecretValue", resource: (f) => f.masterSecretArn, resourceDoc: "secret:<env-name>/database/master-…" },
];

/** Every human-role row carries an MFA session (their trust policies require one). */
export const rowContext = (row: AccessRow, f: AccessFacts): Record<string, string | string[]> => ({
    ...(["operations", "readonly", "emergency"].includes(row.principal) ? mfa() : {}),
    ...(row.context?.(f) ?? {}),
});

/** The deployment list with placeholders instead of one stack's ARNs (for the doc). */
export function documentedDeploymentPermissions() {
    const scope: DeploymentScope = {
        environment: "<env>", region: "<region>", accountId: "<account>",
        clusterArn: "<cluster ARN>", clusterName: "task-management-<env>",
        ecsServiceArns: ["<each ECS service (both colours)>"], taskDefinitionFamilies: ["<each family>"],
        listenerArns: ["<weighted and test listeners>"], listenerRuleArns: ["<their rules>"],
        passRoleArns: ["<task and execution roles of services and migrations>"], repositoryArns: ["<the stack's repositories>"],
        rolloutTableName: "tms-<env>-rollouts", rolloutTableKeyArn: "<the lock table's key (logs key)>", alertTopicArns: ["<critical and warning topics>"], alertKeyArn: "<logs key>",
        hostedZoneId: "<zone id>", oidcProviderArn: "<GitHub OIDC provider>", autoscaling: true,
        databaseClusterIdentifier: "tms-<env>-docdb", stateBucketArn: "<state bucket>", secretsProviderKeyArn: "<secrets-provider key>",
    };
    return deploymentPermissions(scope);
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The generated section of docs/access-and-monitoring.md. */
export function renderAccessTables(): string {
    const lines: string[] = [];
    lines.push("#### The deployment role's permissions (`components/deployment-permissions.ts`)", "");
    lines.push("| job | statement | actions | resources | condition | called by |", "|---|---|---|---|---|---|");
    for (const p of documentedDeploymentPermissions()) {
        const condition = p.condition ? Object.entries(p.condition).map(([op, kv]) => Object.entries(kv).map(([k, v]) => `${op} ${k} = ${[v].flat().join(", ")}`).join("; ")).join("; ") : "";
        lines.push(`| ${p.job} | \`${p.sid}\` | ${p.actions.map((a) => `\`${a}\``).join(", ")} | ${cell(p.resources.join(", "))} | ${cell(condition)} | ${cell(p.callers)} |`);
    }
    lines.push("", "Only in stacks with a database (snapshots), autoscaling (scalable targets), repositories (image push) or a self-managed state backend.", "");
    lines.push("#### Allowed jobs of the other roles", "", "| role | job | action | resource |", "|---|---|---|---|");
    for (const r of ALLOWED_ROWS) lines.push(`| ${r.principal} | ${cell(r.what)} | \`${r.action}\` | ${cell(r.resourceDoc)} |`);
    lines.push("", "#### Denied escalations and destructive actions", "", "| role | must not | action | resource |", "|---|---|---|---|");
    for (const r of DENIED_ROWS) lines.push(`| ${r.principal} | ${cell(r.what)} | \`${r.action}\` | ${cell(r.resourceDoc)} |`);
    return lines.join("\n");
}

export const GENERATED_BEGIN = "<!-- generated by `npm run docs:access` from tools/access-matrix.ts: do not edit -->";
export const GENERATED_END = "<!-- end of generated tables -->";

/** `doc` with its generated section replaced by the current tables. */
export function withAccessTables(doc: string): string {
    const i = doc.indexOf(GENERATED_BEGIN);
    const j = doc.indexOf(GENERATED_END);
    if (i < 0 || j < i) throw new Error(`docs/access-and-monitoring.md: the markers ${GENERATED_BEGIN} … ${GENERATED_END} are missing`);
    return `${doc.slice(0, i + GENERATED_BEGIN.length)}\n\n${renderAccessTables()}\n\n${doc.slice(j)}`;
}
