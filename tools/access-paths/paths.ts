/**
 * The access paths of one planned stack: every runtime call the system depends on, hop by hop, with the
 * caller (a role of the plan with its identity policies and boundary, or an AWS service principal with
 * the request context AWS documents for that integration), the action, the resource with its resource
 * policy, and each KMS key the call reaches with its key policy; and the variants that must be refused
 * (another account's principal or source ARN, the wrong service, one role used for another's job).
 *
 * What a service sends comes from config/service-integrations.ts (the table the confused-deputy
 * policies read too), never from what the stack's policies happen to test. The requests are built from
 * the plan (task definitions, buckets, topics, keys, alarms), not from the roles' permission lists:
 * a call the list forgot (the rollout table's key) shows up as a refused hop.
 *
 * The same table feeds `npm run plan -- --access-paths`, the tests of every stack and docs/access-paths.md.
 */
import type { StackConfig } from "../../config/stack-config";
import { integration, viaServiceIntegration, type ServiceIntegration } from "../../config/service-integrations";
import { predeploySnapshotPrefix } from "../../config/naming";
import type { RecordedResource } from "../record";
import type { PolicyDoc } from "./evaluator";
import { AccessModel, AccessModelError, type RoleModel } from "./model";

/** An account that is not the stack's (AWS's documentation example). */
export const OTHER_ACCOUNT_ID = "444455556666";

export type Caller =
    | { kind: "role"; role: RoleModel; label: string }
    | { kind: "service"; principal: string }
    /** An AWS-owned account principal (the Region's ELB account): its own account authorizes it. */
    | { kind: "account"; arn: string; label: string };

export interface Hop {
    caller: Caller;
    action: string;
    resource: string;
    resourceAccount: string;
    context: Record<string, string | string[]>;
    resourcePolicy?: PolicyDoc;
    resourcePolicyKind?: "resource" | "trust";
    /** The row of config/service-integrations.ts that says what the request carries. */
    integration?: string;
    /** Why the hop happens, when it is not the caller's own call (a service using a key on its behalf). */
    note?: string;
    /** Not evaluated: authorized outside the plan (a bucket ACL, a service-linked role's AWS policy), and why. */
    outside?: string;
}

export interface AccessPath {
    id: string;
    kind: "required" | "forbidden";
    title: string;
    hops: Hop[];
    /** A forbidden variant AWS offers no condition to refuse: it stays allowed, with AWS's page. */
    gap?: { reason: string; source: string };
}

const SECURE = { "aws:SecureTransport": "true" };
const MFA = { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300" };
const json = (v: unknown): any => (typeof v === "string" ? JSON.parse(v) : v);
const accountOf = (arn: string, fallback: string) => /^arn:aws:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? fallback;
const roleCaller = (role: RoleModel, label: string): Caller => ({ kind: "role", role, label });
const service = (principal: string): Caller => ({ kind: "service", principal });
const callerName = (c: Caller) => (c.kind === "role" ? c.label : c.kind === "service" ? c.principal : c.label);

/** The request context a service sends for an integration row, with the values of this request. */
function sent(row: ServiceIntegration, values: { sourceArn?: string; sourceAccount?: string; encryptionContext?: Record<string, string> }): Record<string, string> {
    const ctx: Record<string, string> = { ...SECURE };
    if (row.sends["aws:SourceArn"] !== undefined) {
        if (!values.sourceArn) throw new AccessModelError(`integration ${row.id}: AWS sends aws:SourceArn, the path gives none`);
        ctx["aws:SourceArn"] = values.sourceArn;
    }
    if (row.sends["aws:SourceAccount"] !== undefined) {
        if (!values.sourceAccount) throw new AccessModelError(`integration ${row.id}: AWS sends aws:SourceAccount, the path gives none`);
        ctx["aws:SourceAccount"] = values.sourceAccount;
    }
    for (const k of Object.keys(row.encryptionContext ?? {})) {
        const v = values.encryptionContext?.[k];
        if (v === undefined) throw new AccessModelError(`integration ${row.id}: AWS sends the encryption context ${k}, the path gives none`);
        ctx[`kms:EncryptionContext:${k}`] = v;
    }
    return ctx;
}

/** The context a service acting for a role adds to a KMS request (kms:ViaService, kms:CallerAccount, encryption context). */
function viaService(id: string, region: string, account: string, encryptionContext: Record<string, string>): Record<string, string> {
    const row = viaServiceIntegration(id);
    const ctx: Record<string, string> = { ...SECURE, "kms:ViaService": `${row.service}.${region}.amazonaws.com`, "kms:CallerAccount": account };
    for (const k of Object.keys(row.encryptionContext)) {
        if (encryptionContext[k] === undefined) throw new AccessModelError(`integration ${id}: the encryption context ${k} is missing`);
        ctx[`kms:EncryptionContext:${k}`] = encryptionContext[k];
    }
    return ctx;
}

interface ContainerDefinition {
    name: string;
    image: string;
    secrets?: { name: string; valueFrom: string }[];
    environment?: { name: string; value: string }[];
    logConfiguration?: { options?: Record<string, string> };
}

/** The access paths of a stack. */
export function accessPaths(model: AccessModel, cfg: StackConfig, outputs: Record<string, any>): AccessPath[] {
    const region = cfg.region;
    const suffix = cfg.access.nameSuffix;
    const deployment = model.roleNamed(`tms-deployment-role${suffix}`);
    const account = accountOf(deployment.arn, "");
    const other = (arn: string) => arn.replace(`:${account}:`, `:${OTHER_ACCOUNT_ID}:`);
    const arn = (svc: string, resource: string, r = region) => `arn:aws:${svc}:${r}:${account}:${resource}`;
    const paths: AccessPath[] = [];
    let required = 0;
    let forbidden = 0;
    const need = (title: string, hops: Hop[]) => paths.push({ id: `A${++required}`, kind: "required", title, hops });
    const refuse = (title: string, hops: Hop[], gap?: AccessPath["gap"]) => paths.push({ id: `X${++forbidden}`, kind: "forbidden", title, hops, ...(gap ? { gap } : {}) });

    /** A role's own call. */
    const call = (caller: Caller, action: string, resource: string, extra: Partial<Hop> = {}): Hop => ({
        caller, action, resource, resourceAccount: accountOf(resource, account),
        context: { ...SECURE, ...(caller.kind === "role" && /tms-(operations|readonly)-role|tms-emergency-access/.test(caller.role.roleName) ? MFA : {}), ...(extra.context ?? {}) },
        ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "context")),
    });
    const keyHop = (caller: Caller, action: string, keyArn: string, context: Record<string, string>, note: string, integrationId?: string): Hop => ({
        caller, action, resource: keyArn, resourceAccount: accountOf(keyArn, account), context,
        resourcePolicy: model.keyPolicy(keyArn), resourcePolicyKind: "resource", note, ...(integrationId ? { integration: integrationId } : {}),
    });
    const assume = (principal: string, role: RoleModel, context: Record<string, string>, integrationId: string): Hop => ({
        caller: service(principal), action: "sts:AssumeRole", resource: role.arn, resourceAccount: account, context,
        resourcePolicy: role.trust, resourcePolicyKind: "trust", integration: integrationId,
    });

    // ---- the deployment role (CI) -------------------------------------------------------------------
    const ci = roleCaller(deployment, "deployment role (CI)");
    const table = model.ofType("aws:dynamodb/table:Table").find((t) => t.inputs.name === outputs.rolloutTableName);
    if (!table) throw new AccessModelError(`${model.stack}: the plan exports rolloutTableName ${outputs.rolloutTableName} but creates no such table`);
    const tableKey: string | undefined = table.inputs.serverSideEncryption?.kmsKeyArn;
    const tableKeyContext = (name: string, acct = account) => viaService("dynamodb-table-key", region, acct, { "aws:dynamodb:tableName": name, "aws:dynamodb:subscriberId": acct });
    const lockHops = (caller: Caller, actions: string[]) => [
        ...actions.map((a) => call(caller, a, table.outputs.arn)),
        ...(tableKey ? [keyHop(caller, "kms:Decrypt", tableKey, tableKeyContext(table.inputs.name), "DynamoDB decrypts the table key with the table's KMS key as the caller", "dynamodb-table-key")] : []),
    ];
    need("CI takes and keeps the rollout lock and state: DynamoDB, then the table's key through DynamoDB",
        lockHops(ci, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]));
    if (tableKey) {
        refuse("CI decrypts with the lock table's key directly (not through DynamoDB)", [keyHop(ci, "kms:Decrypt", tableKey, { ...SECURE, "kms:CallerAccount": account }, "a direct KMS call")]);
        refuse("CI decrypts another table's table key through DynamoDB", [keyHop(ci, "kms:Decrypt", tableKey, tableKeyContext("tms-other-table"), "DynamoDB for another table")]);
    }
    const criticalAlarms: string[] = outputs.criticalAlarmNames ?? [];
    need("CI reads the canary's metrics and the critical alarms (CloudWatch)", [
        call(ci, "cloudwatch:GetMetricData", "*"),
        ...criticalAlarms.slice(0, 1).map((n) => call(ci, "cloudwatch:DescribeAlarms", arn("cloudwatch", `alarm:${n}`))),
    ]);
    const topics = ["critical", "warning"].map((sev) => {
        const t = model.ofType("aws:sns/topic:Topic").find((x) => x.outputs.arn === outputs.alertTopics?.[sev]);
        if (!t) throw new AccessModelError(`${model.stack}: no ${sev} alert topic in the plan`);
        return { severity: sev, topic: t, policy: model.topicPolicy(t.outputs.arn), key: t.inputs.kmsMasterKeyId as string | undefined };
    });
    const publishHops = (caller: Caller, t: typeof topics[number]) => [
        call(caller, "sns:Publish", t.topic.outputs.arn, { resourcePolicy: t.policy, resourcePolicyKind: "resource" }),
        ...(t.key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => keyHop(caller, a, t.key!, viaService("sns-topic-key", region, account, {}), "SNS encrypts the message with the topic's key as the publisher", "sns-topic-key")) : []),
    ];
    for (const t of topics) need(`CI notifies the ${t.severity} topic (SNS), and its key through SNS`, publishHops(ci, t));
    const touched = new Set<string>([...(outputs.weightListenerUrns ?? []), ...(outputs.testListenerUrns ?? [])]);
    const moved = model.record.resources.filter((r) => touched.has(r.urn));
    need("CI moves traffic: the weighted and test listeners and their rules, and reads target health", [
        ...moved.map((r) => call(ci, r.type === "aws:lb/listenerRule:ListenerRule" ? "elasticloadbalancing:ModifyRule" : "elasticloadbalancing:ModifyListener", r.outputs.arn)),
        call(ci, "elasticloadbalancing:DescribeTargetHealth", "*"),
    ]);
    const untouched = model.ofType("aws:lb/listener:Listener").find((l) => !touched.has(l.urn));
    if (untouched) refuse("CI modifies a listener no weight step touches (the HTTP redirect)", [call(ci, "elasticloadbalancing:ModifyListener", untouched.outputs.arn)]);
    const cluster = model.one("aws:ecs/cluster:Cluster");
    const db = model.ofType("aws:docdb/cluster:Cluster")[0];
    if (db) {
        const snapshot = arn("rds", `cluster-snapshot:${predeploySnapshotPrefix(cfg.environment)}20260101t0000z`);
        need("CI snapshots the database before a deploy and prunes old pre-deploy snapshots (DocumentDB)", [
            call(ci, "rds:CreateDBClusterSnapshot", db.outputs.arn), call(ci, "rds:CreateDBClusterSnapshot", snapshot), call(ci, "rds:AddTagsToResource", snapshot),
            call(ci, "rds:DescribeDBClusterSnapshots", db.outputs.arn), call(ci, "rds:DeleteDBClusterSnapshot", snapshot),
        ]);
        refuse("CI deletes the database", [call(ci, "rds:DeleteDBCluster", db.outputs.arn)]);
    }
    const taskDefs = model.ofType("aws:ecs/taskDefinition:TaskDefinition");
    const ecsServices = Object.values(outputs.ecsServices ?? {}).flatMap((byColour: any) => Object.values(byColour) as string[]);
    const serviceArn = (name: string) => arn("ecs", `service/${cluster.outputs.name}/${name}`);
    const passed = [...new Set(taskDefs.flatMap((t) => [t.inputs.taskRoleArn, t.inputs.executionRoleArn].filter(Boolean) as string[]))].sort();
    need("CI releases: registers task definitions, updates the ECS services, hands their roles to ECS, runs migration tasks", [
        ...taskDefs.map((t) => call(ci, "ecs:RegisterTaskDefinition", arn("ecs", `task-definition/${t.inputs.family}:1`))),
        ...taskDefs.slice(0, 1).map((t) => call(ci, "ecs:TagResource", arn("ecs", `task-definition/${t.inputs.family}:1`), { context: { "ecs:CreateAction": "RegisterTaskDefinition" } })),
        ...ecsServices.map((n) => call(ci, "ecs:UpdateService", serviceArn(n))),
        ...passed.map((r) => call(ci, "iam:PassRole", r, { context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } })),
        ...taskDefs.filter((t) => /-migrate$/.test(t.inputs.family)).map((t) => call(ci, "ecs:RunTask", arn("ecs", `task-definition/${t.inputs.family}:1`), { context: { "ecs:cluster": cluster.outputs.arn } })),
        call(ci, "ecs:DescribeTasks", arn("ecs", `task/${cluster.outputs.name}/0123456789abcdef0123456789abcdef`)),
    ]);
    if (passed.length) refuse("CI hands a service's role to Lambda", [call(ci, "iam:PassRole", passed[0], { context: { "iam:PassedToService": "lambda.amazonaws.com" } })]);
    const repositories = model.ofType("aws:ecr/repository:Repository");
    if (repositories.length) {
        need("CI pushes the release images (ECR; the repositories' key is used through ECR's own grant)", [
            call(ci, "ecr:GetAuthorizationToken", "*"),
            ...repositories.flatMap((r) => ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"].map((a) => call(ci, a, r.outputs.arn))),
        ]);
    }

    // ---- the human roles ------------------------------------------------------------------------------
    const operations = roleCaller(model.roleNamed(`tms-operations-role${suffix}`), "operations role");
    const readonly = roleCaller(model.roleNamed(`tms-readonly-role${suffix}`), "readonly role");
    need("operations releases the lock of a dead rollout (npm run rollout:unlock): DynamoDB, then the table's key through DynamoDB",
        lockHops(operations, ["dynamodb:GetItem", "dynamodb:DeleteItem"]));
    need("operations changes an ECS service and snapshots the database by hand", [
        ...ecsServices.slice(0, 1).map((n) => call(operations, "ecs:UpdateService", serviceArn(n))),
        ...(db ? [call(operations, "rds:CreateDBClusterSnapshot", db.outputs.arn)] : []),
    ]);
    const serviceLogGroup = (svc: string) => model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === `/tms/${cfg.environment}/${svc}`);
    const firstLogGroup = serviceLogGroup(cfg.services[0].name);
    need("developers (readonly role) read the services, their metrics and their logs", [
        ...ecsServices.slice(0, 1).map((n) => call(readonly, "ecs:DescribeServices", serviceArn(n))),
        call(readonly, "cloudwatch:GetMetricData", "*"),
        ...(firstLogGroup ? [call(readonly, "logs:FilterLogEvents", firstLogGroup.outputs.arn, { note: "CloudWatch Logs decrypts with its own grant on the key: the reader needs no KMS permission" })] : []),
    ]);

    // ---- ECS execution and task roles, per service --------------------------------------------------
    const byFamily = (family: string) => taskDefs.find((t) => t.inputs.family === family);
    const containers = (t: RecordedResource): ContainerDefinition[] => json(t.inputs.containerDefinitions);
    const secretOf = (valueFrom: string) => {
        const secretArn = valueFrom.split(":").slice(0, 7).join(":");
        const s = model.everywhere("aws:secretsmanager/secret:Secret").find((x) => x.outputs.arn === secretArn);
        if (!s) throw new AccessModelError(`${model.stack}: a task definition reads ${secretArn}, which no plan creates`);
        return s;
    };
    const secretHops = (caller: Caller, secret: RecordedResource): Hop[] => [
        call(caller, "secretsmanager:GetSecretValue", secret.outputs.arn),
        ...(secret.inputs.kmsKeyId ? [keyHop(caller, "kms:Decrypt", secret.inputs.kmsKeyId, viaService("secretsmanager-secret-key", region, account,
            { SecretARN: secret.outputs.arn, SecretVersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1" }), "Secrets Manager decrypts the value with the secret's key as the caller", "secretsmanager-secret-key")] : []),
    ];
    const repositoryOf = (image: string) => {
        const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(image);
        return m ? `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}` : undefined;
    };
    const logsKeyHop = (group: RecordedResource): Hop[] => (group.inputs.kmsKeyId ? [keyHop(service(`logs.${region}.amazonaws.com`), "kms:GenerateDataKey", group.inputs.kmsKeyId,
        sent(integration("logs-kms"), { encryptionContext: { "aws:logs:arn": group.outputs.arn } }), "CloudWatch Logs encrypts the log group's events with its key", "logs-kms")] : []);
    const masterName = `${cfg.environmentName}/database/master-credentials`;
    const master = model.everywhere("aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === masterName);
    const svcInfo = cfg.services.map((svc) => {
        const live = outputs.ecsServices?.[svc.name]?.[cfg.deployment.live] as string | undefined;
        const td = live && byFamily(`tms-${cfg.environment}-${live}`);
        if (!td) throw new AccessModelError(`${model.stack}: no task definition for ${svc.name} (${live})`);
        const main = containers(td).find((c) => c.name === svc.name) ?? containers(td)[0];
        const env = Object.fromEntries((main.environment ?? []).map((e) => [e.name, e.value]));
        return {
            name: svc.name, td, main, env,
            execution: roleCaller(model.role(td.inputs.executionRoleArn), `${svc.name} execution role`),
            task: roleCaller(model.role(td.inputs.taskRoleArn), `${svc.name} task role`),
            secrets: (main.secrets ?? []).map((s) => secretOf(s.valueFrom)),
            repository: repositoryOf(main.image),
            logGroup: model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === main.logConfiguration?.options?.["awslogs-group"]),
            bucketArn: env.S3_BUCKET ? `arn:aws:s3:::${env.S3_BUCKET}` : undefined,
            prefix: env.S3_PREFIX ?? `${svc.name}/`,
            parameters: model.ofType("aws:ssm/parameter:Parameter").filter((p) => String(p.inputs.name).startsWith(`/${cfg.environmentName}/${svc.name}/`)),
        };
    });
    for (const s of svcInfo) {
        if (s.repository) {
            need(`ECS pulls ${s.name}'s image as its execution role (ECR; the repository's key is used through ECR's own grant)`, [
                call(s.execution, "ecr:GetAuthorizationToken", "*"),
                ...["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"].map((a) => call(s.execution, a, s.repository!)),
            ]);
        }
        need(`ECS reads ${s.name}'s secrets as its execution role (Secrets Manager), and their key through Secrets Manager`, s.secrets.flatMap((x) => secretHops(s.execution, x)));
        if (s.logGroup) {
            need(`ECS writes ${s.name}'s logs as its execution role (CloudWatch Logs), and CloudWatch Logs encrypts them with the group's key`, [
                call(s.execution, "logs:CreateLogStream", `${s.logGroup.outputs.arn}:log-stream:${s.name}/${s.name}/0123456789abcdef`),
                call(s.execution, "logs:PutLogEvents", `${s.logGroup.outputs.arn}:log-stream:${s.name}/${s.name}/0123456789abcdef`),
                ...logsKeyHop(s.logGroup),
            ]);
        }
        if (s.bucketArn) {
            const { policy } = model.bucket(s.bucketArn);
            const { bucket } = model.bucket(s.bucketArn);
            const key = model.bucketKey(bucket);
            const objectArn = `${s.bucketArn}/${s.prefix}example.json`;
            const keyRegion = key ? key.split(":")[3] : region;
            need(`${s.name} tasks (task role) write and read their objects (S3), and the bucket's key through S3`, [
                call(s.task, "s3:PutObject", objectArn, { resourcePolicy: policy, resourcePolicyKind: "resource" }),
                call(s.task, "s3:GetObject", objectArn, { resourcePolicy: policy, resourcePolicyKind: "resource" }),
                ...(key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => keyHop(s.task, a, key, viaService("s3-object-key", keyRegion, account, { "aws:s3:arn": s.bucketArn! }),
                    "S3 encrypts and decrypts the object with the bucket's key (S3 Bucket Key) as the caller", "s3-object-key")) : []),
            ]);
        }
        if (s.parameters.length) {
            need(`${s.name} tasks (task role) read their parameters (SSM)`, s.parameters.map((p) => call(s.task, "ssm:GetParameter", arn("ssm", `parameter${p.inputs.name}`))));
        }
    }
    // ECS Exec (dev, staging): the task role opens the session channels, decrypts with the cluster's exec
    // key and logs the session (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
    const exec = cluster.inputs.configuration?.executeCommandConfiguration;
    const execOn = model.ofType("aws:ecs/service:Service").some((x) => x.inputs.enableExecuteCommand);
    const execGroup = exec?.logConfiguration?.cloudWatchLogGroupName && model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === exec.logConfiguration.cloudWatchLogGroupName);
    const firstSvc = svcInfo[0];
    if (execOn && firstSvc) {
        need(`an ECS Exec session into ${firstSvc.name} (task role): the session channels, the cluster's exec key, the session log`, [
            call(firstSvc.task, "ssmmessages:CreateControlChannel", "*"),
            call(firstSvc.task, "ssmmessages:OpenDataChannel", "*"),
            ...(exec?.kmsKeyId ? [keyHop(firstSvc.task, "kms:Decrypt", exec.kmsKeyId, { ...SECURE, "kms:CallerAccount": account }, "the session is encrypted with the cluster's exec key")] : []),
            ...(execGroup ? [
                call(firstSvc.task, "logs:DescribeLogGroups", "*"),
                call(firstSvc.task, "logs:PutLogEvents", `${execGroup.outputs.arn}:log-stream:ecs-execute-command-0123456789abcdef`),
                ...logsKeyHop(execGroup),
            ] : []),
        ]);
    } else if (firstSvc) {
        refuse(`an ECS Exec session into ${firstSvc.name} where exec is off (no shell in ${cfg.environment})`, [call(firstSvc.task, "ssmmessages:CreateControlChannel", "*")]);
    }
    // Variants: one service's role for another's job, or for another service's data.
    const [a, b] = svcInfo;
    if (a && b) {
        if (b.secrets[0]) refuse(`${a.name}'s execution role reads ${b.name}'s secret`, [call(a.execution, "secretsmanager:GetSecretValue", b.secrets[0].outputs.arn)]);
        if (b.repository && a.repository !== b.repository) refuse(`${a.name}'s execution role pulls ${b.name}'s image`, [call(a.execution, "ecr:BatchGetImage", b.repository)]);
        if (a.bucketArn) refuse(`${a.name}'s task role reads ${b.name}'s objects`, [call(a.task, "s3:GetObject", `${a.bucketArn}/${b.prefix}example.json`, { resourcePolicy: model.bucket(a.bucketArn).policy, resourcePolicyKind: "resource" })]);
        if (b.parameters[0]) refuse(`${a.name}'s task role reads ${b.name}'s parameters`, [call(a.task, "ssm:GetParameter", arn("ssm", `parameter${b.parameters[0].inputs.name}`))]);
    }
    if (a) {
        if (a.bucketArn) refuse(`${a.name}'s execution role reads the service's objects (the task role's job)`, [call(a.execution, "s3:GetObject", `${a.bucketArn}/${a.prefix}example.json`, { resourcePolicy: model.bucket(a.bucketArn).policy, resourcePolicyKind: "resource" })]);
        if (a.secrets[0]) refuse(`${a.name}'s task role reads the service's secret (the execution role's job)`, [call(a.task, "secretsmanager:GetSecretValue", a.secrets[0].outputs.arn)]);
        refuse(`ECS tasks of another account assume ${a.name}'s task role`, [assume("ecs-tasks.amazonaws.com", a.task.kind === "role" ? a.task.role : deployment,
            sent(integration("ecs-tasks-assume"), { sourceAccount: OTHER_ACCOUNT_ID, sourceArn: `arn:aws:ecs:${region}:${OTHER_ACCOUNT_ID}:task/x/0123456789abcdef` }), "ecs-tasks-assume")]);
        refuse(`another service (Lambda) assumes ${a.name}'s execution role`, [assume("lambda.amazonaws.com", a.execution.kind === "role" ? a.execution.role : deployment,
            { ...SECURE, "aws:SourceAccount": account, "aws:SourceArn": arn("lambda", "function:x") }, "ecs-tasks-assume")]);
    }
    for (const s of svcInfo) {
        need(`ECS tasks of this account assume ${s.name}'s task and execution roles`, [s.task, s.execution].map((c) => assume("ecs-tasks.amazonaws.com", (c as { role: RoleModel }).role,
            sent(integration("ecs-tasks-assume"), { sourceAccount: account, sourceArn: arn("ecs", `task/${cluster.outputs.name}/0123456789abcdef`) }), "ecs-tasks-assume")));
    }
    // The master credentials: only the migration tasks.
    const migrationFamilies = Object.values(outputs.migrationTaskFamilies ?? {}).flatMap((byColour: any) => Object.values(byColour) as string[]);
    const migrationTd = migrationFamilies.map(byFamily).find(Boolean);
    if (migrationTd && master) {
        const migration = roleCaller(model.role(migrationTd.inputs.executionRoleArn), `migration task execution role (${migrationTd.inputs.family})`);
        need("the migration task reads the database master credentials (Secrets Manager), and their key through Secrets Manager", secretHops(migration, master));
    }
    if (master) {
        for (const s of svcInfo) {
            refuse(`${s.name}'s execution role reads the database master credentials`, [call(s.execution, "secretsmanager:GetSecretValue", master.outputs.arn)]);
            refuse(`${s.name}'s task role reads the database master credentials`, [call(s.task, "secretsmanager:GetSecretValue", master.outputs.arn)]);
        }
        refuse("CI reads the database master credentials", [call(ci, "secretsmanager:GetSecretValue", master.outputs.arn)]);
        if (master.inputs.kmsKeyId) refuse("CI decrypts with the secrets key through Secrets Manager", [keyHop(ci, "kms:Decrypt", master.inputs.kmsKeyId,
            viaService("secretsmanager-secret-key", region, account, { SecretARN: master.outputs.arn, SecretVersionId: "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1" }), "Secrets Manager for CI")]);
    }

    // ---- alarms and EventBridge → SNS ----------------------------------------------------------------
    const alarms = model.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    const critical = topics.find((t) => t.severity === "critical")!;
    const alarmHops = (alarmArn: string, acct: string, t: typeof topics[number]): Hop[] => {
        const ctx = sent(integration("alarms-sns"), { sourceArn: alarmArn, sourceAccount: acct });
        return [
            { caller: service("cloudwatch.amazonaws.com"), action: "sns:Publish", resource: t.topic.outputs.arn, resourceAccount: account, context: ctx, resourcePolicy: t.policy, resourcePolicyKind: "resource", integration: "alarms-sns" },
            ...(t.key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((x) => keyHop(service("cloudwatch.amazonaws.com"), x, t.key!,
                sent(integration("alarms-kms"), { sourceArn: alarmArn, sourceAccount: acct }), "SNS uses the topic's key for the alarm", "alarms-kms")) : []),
        ];
    };
    for (const t of topics) {
        const alarm = alarms.find((x) => (x.inputs.alarmActions ?? []).includes(t.topic.outputs.arn));
        if (!alarm) continue;
        need(`CloudWatch alarm ${alarm.inputs.name} → the ${t.severity} topic (SNS), and its key`, alarmHops(alarm.outputs.arn, account, t));
    }
    const otherAlarm = `arn:aws:cloudwatch:${region}:${OTHER_ACCOUNT_ID}:alarm:tms-${cfg.environment}-critical-x`;
    refuse("a CloudWatch alarm of another account publishes to the critical topic", alarmHops(otherAlarm, OTHER_ACCOUNT_ID, critical).slice(0, 1));
    if (critical.key) refuse("a CloudWatch alarm of another account uses the critical topic's key", alarmHops(otherAlarm, OTHER_ACCOUNT_ID, critical).slice(1, 2));
    // prod and dr share an account: each stack's topics admit only its own alarms (stackAlarmsArnPattern).
    if (cfg.dr.role !== "none") {
        const otherStackAlarm = arn("cloudwatch", `alarm:tms-${cfg.environment === "dr" ? "prod" : "dr"}-critical-x`);
        refuse(`a CloudWatch alarm of the ${cfg.environment === "dr" ? "prod" : "dr"} stack (same account) publishes to the critical topic`, alarmHops(otherStackAlarm, account, critical).slice(0, 1));
    }
    refuse("another service (S3 event notifications) publishes to the critical topic", [{
        caller: service("s3.amazonaws.com"), action: "sns:Publish", resource: critical.topic.outputs.arn, resourceAccount: account,
        context: { ...SECURE, "aws:SourceAccount": account, "aws:SourceArn": "arn:aws:s3:::tms-any-bucket" }, resourcePolicy: critical.policy, resourcePolicyKind: "resource",
    }]);
    const rule = model.ofType("aws:cloudwatch/eventRule:EventRule")[0];
    const eventsHops = (t: typeof topics[number]): Hop[] => [
        { caller: service("events.amazonaws.com"), action: "sns:Publish", resource: t.topic.outputs.arn, resourceAccount: account, context: sent(integration("events-sns"), {}),
            resourcePolicy: t.policy, resourcePolicyKind: "resource", integration: "events-sns" },
        ...(t.key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((x) => keyHop(service("events.amazonaws.com"), x, t.key!, sent(integration("events-kms"), {}),
            "SNS uses the topic's key for the rule (AWS sends no aws:SourceArn/SourceAccount here)", "events-kms")) : []),
    ];
    if (rule) {
        const target = model.ofType("aws:cloudwatch/eventTarget:EventTarget").find((x) => x.inputs.rule === rule.inputs.name);
        const t = topics.find((x) => x.topic.outputs.arn === target?.inputs.arn) ?? critical;
        need(`EventBridge rule ${rule.inputs.name} → the ${t.severity} topic (SNS), and its key`, eventsHops(t));
        const gap = { reason: "AWS supports no condition for EventBridge publishing to an SNS topic or using its key", source: `${integration("events-sns").source}; ${integration("events-kms").source}` };
        refuse("an EventBridge rule of another account publishes to the critical topic", eventsHops(critical).slice(0, 1), gap);
    }

    // ---- S3 replication (prod) ------------------------------------------------------------------------
    for (const rc of model.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
        const role = model.role(rc.inputs.role);
        const source = model.ofType("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2").find((x) => model.dependsOn(rc, "bucket", x));
        if (!source) throw new AccessModelError(`${model.stack}: ${rc.name} replicates a bucket the plan does not create`);
        const sourceKey = model.bucketKey(source);
        const replication = roleCaller(role, "S3 replication role");
        const assumeCtx = (acct: string, bucketArn: string) => sent(integration("s3-replication-assume"), { sourceAccount: acct, sourceArn: bucketArn });
        for (const rule of rc.inputs.rules ?? []) {
            const destArn: string = rule.destination.bucket;
            const dest = model.bucket(destArn);
            const replicaKey: string | undefined = rule.destination.encryptionConfiguration?.replicaKmsKeyId;
            const destRegion = replicaKey ? replicaKey.split(":")[3] : region;
            need(`S3 replicates ${source.name} to ${dest.bucket.name} as the replication role: the source, its key, the replica, its key`, [
                assume("s3.amazonaws.com", role, assumeCtx(account, source.outputs.arn), "s3-replication-assume"),
                call(replication, "s3:GetReplicationConfiguration", source.outputs.arn),
                call(replication, "s3:ListBucket", source.outputs.arn),
                call(replication, "s3:GetObjectVersionForReplication", `${source.outputs.arn}/app/example.json`),
                ...(sourceKey ? [keyHop(replication, "kms:Decrypt", sourceKey, viaService("s3-replication-keys", region, account, { "aws:s3:arn": source.outputs.arn }),
                    "S3 decrypts the source object with the source bucket's key", "s3-replication-keys")] : []),
                call(replication, "s3:ReplicateObject", `${destArn}/app/example.json`, { resourcePolicy: dest.policy, resourcePolicyKind: "resource" }),
                ...(replicaKey ? ["kms:Encrypt", "kms:Decrypt"].map((x) => keyHop(replication, x, replicaKey, viaService("s3-replication-keys", destRegion, account, { "aws:s3:arn": destArn }),
                    x === "kms:Decrypt" ? "S3 verifies the replica bucket's S3 Bucket Key with the replica key" : "S3 encrypts the replica with the replica key", "s3-replication-keys")) : []),
            ]);
        }
        refuse("S3 replication for another account's bucket assumes the replication role", [assume("s3.amazonaws.com", role, assumeCtx(OTHER_ACCOUNT_ID, "arn:aws:s3:::someone-elses-bucket"), "s3-replication-assume")]);
        refuse("ECS tasks assume the replication role (the wrong service)", [assume("ecs-tasks.amazonaws.com", role,
            { ...SECURE, "aws:SourceAccount": account, "aws:SourceArn": arn("ecs", "task/x/1") }, "ecs-tasks-assume")]);
    }

    // ---- log delivery -----------------------------------------------------------------------------------
    const trail = model.ofType("aws:cloudtrail/trail:Trail")[0];
    if (trail) {
        const trailBucketArn = `arn:aws:s3:::${trail.inputs.s3BucketName}`;
        const tb = model.bucket(trailBucketArn);
        const trailCtx = (trailArn: string, acct: string) => sent(integration("cloudtrail-s3"), { sourceArn: trailArn, sourceAccount: acct });
        const delivery = model.role(trail.inputs.cloudWatchLogsRoleArn);
        const groupArn = String(trail.inputs.cloudWatchLogsGroupArn).replace(/:\*$/, "");
        const group = model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.outputs.arn === groupArn);
        const keyHops = (trailArn: string, acct: string): Hop[] => (trail.inputs.kmsKeyId ? [
            keyHop(service("cloudtrail.amazonaws.com"), "kms:GenerateDataKey", trail.inputs.kmsKeyId,
                sent(integration("cloudtrail-kms-encrypt"), { sourceArn: trailArn, sourceAccount: acct, encryptionContext: { "aws:cloudtrail:arn": trailArn } }), "CloudTrail encrypts the log files", "cloudtrail-kms-encrypt"),
            keyHop(service("cloudtrail.amazonaws.com"), "kms:DescribeKey", trail.inputs.kmsKeyId, sent(integration("cloudtrail-kms-describe"), { sourceArn: trailArn }), "CloudTrail describes the trail's key", "cloudtrail-kms-describe"),
        ] : []);
        need("CloudTrail delivers the break-glass trail: its bucket, its key, and CloudWatch Logs through the delivery role", [
            { caller: service("cloudtrail.amazonaws.com"), action: "s3:GetBucketAcl", resource: trailBucketArn, resourceAccount: account, context: trailCtx(trail.outputs.arn, account), resourcePolicy: tb.policy, resourcePolicyKind: "resource", integration: "cloudtrail-s3" },
            { caller: service("cloudtrail.amazonaws.com"), action: "s3:PutObject", resource: `${trailBucketArn}/AWSLogs/${account}/CloudTrail/${region}/2026/01/01/x.json.gz`, resourceAccount: account,
                context: { ...trailCtx(trail.outputs.arn, account), "s3:x-amz-acl": "bucket-owner-full-control" }, resourcePolicy: tb.policy, resourcePolicyKind: "resource", integration: "cloudtrail-s3" },
            ...keyHops(trail.outputs.arn, account),
            assume("cloudtrail.amazonaws.com", delivery, sent(integration("cloudtrail-assume"), { sourceArn: trail.outputs.arn, sourceAccount: account }), "cloudtrail-assume"),
            call(roleCaller(delivery, "trail delivery role"), "logs:CreateLogStream", `${groupArn}:log-stream:${account}_CloudTrail_${region}`),
            call(roleCaller(delivery, "trail delivery role"), "logs:PutLogEvents", `${groupArn}:log-stream:${account}_CloudTrail_${region}`),
            ...(group ? logsKeyHop(group) : []),
        ]);
        const foreignTrail = other(trail.outputs.arn);
        refuse("another account's trail writes to the trail bucket", [
            { caller: service("cloudtrail.amazonaws.com"), action: "s3:PutObject", resource: `${trailBucketArn}/AWSLogs/${account}/CloudTrail/x.json.gz`, resourceAccount: account,
                context: { ...trailCtx(foreignTrail, OTHER_ACCOUNT_ID), "s3:x-amz-acl": "bucket-owner-full-control" }, resourcePolicy: tb.policy, resourcePolicyKind: "resource", integration: "cloudtrail-s3" },
        ]);
        if (trail.inputs.kmsKeyId) {
            refuse("another account's trail encrypts with the logs key", keyHops(foreignTrail, OTHER_ACCOUNT_ID).slice(0, 1));
            const siblingTrail = trail.outputs.arn.replace(`tms-${cfg.environment}-`, `tms-${cfg.environment === "dr" ? "prod" : "dr"}-`);
            refuse("another stack's trail in this account encrypts with this stack's logs key", keyHops(siblingTrail, account).slice(0, 1));
        }
        refuse("CloudTrail for another account's trail assumes the delivery role", [assume("cloudtrail.amazonaws.com", delivery,
            sent(integration("cloudtrail-assume"), { sourceArn: foreignTrail, sourceAccount: OTHER_ACCOUNT_ID }), "cloudtrail-assume")]);
    }
    for (const fl of model.ofType("aws:ec2/flowLog:FlowLog")) {
        const role = model.role(fl.inputs.iamRoleArn);
        const groupArn = String(fl.inputs.logDestination);
        const group = model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.outputs.arn === groupArn);
        const flowRole = roleCaller(role, "flow-logs role");
        const stream = `${groupArn}:log-stream:eni-0123456789abcdef0-all`;
        need("VPC Flow Logs delivers to CloudWatch Logs through its role, and CloudWatch Logs encrypts with the group's key", [
            assume("vpc-flow-logs.amazonaws.com", role, sent(integration("flow-logs-assume"), { sourceArn: fl.outputs.arn, sourceAccount: account }), "flow-logs-assume"),
            ...["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"].map((x) => call(flowRole, x, x === "logs:DescribeLogStreams" ? `${groupArn}:log-stream:*` : stream)),
            ...(group ? logsKeyHop(group) : []),
        ]);
        refuse("VPC Flow Logs of another account assumes the flow-logs role", [assume("vpc-flow-logs.amazonaws.com", role,
            sent(integration("flow-logs-assume"), { sourceArn: other(fl.outputs.arn), sourceAccount: OTHER_ACCOUNT_ID }), "flow-logs-assume")]);
    }
    // Log groups AWS services write through their own service-linked roles or vended-log policies: the key hop is ours to grant.
    const vended: [RegExp, string][] = [
        [/^\/aws\/docdb\//, "DocumentDB exports its logs through the RDS service-linked role (AWS's AmazonRDSServiceRolePolicy)"],
        [/^\/aws\/elasticache\//, "ElastiCache delivers its slow log as vended logs (delivery.logs.amazonaws.com, under the log-group resource policy AWS writes when the delivery is created)"],
        [/^aws-waf-logs-/, "WAF delivers its logs as vended logs (delivery.logs.amazonaws.com, under the log-group resource policy AWS writes when logging is enabled)"],
    ];
    for (const g of model.ofType("aws:cloudwatch/logGroup:LogGroup")) {
        const v = vended.find(([re]) => re.test(g.inputs.name));
        if (!v) continue;
        need(`${v[1].split(" ")[0]} → log group ${g.inputs.name}, encrypted with its key`, [
            { caller: service("delivery.logs.amazonaws.com"), action: "logs:PutLogEvents", resource: `${g.outputs.arn}:log-stream:x`, resourceAccount: account, context: {}, outside: v[1] },
            ...logsKeyHop(g),
        ]);
    }
    const anyGroup = model.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.kmsKeyId);
    if (anyGroup) {
        refuse("CloudWatch Logs encrypts another account's log group with this stack's key", [keyHop(service(`logs.${region}.amazonaws.com`), "kms:GenerateDataKey", anyGroup.inputs.kmsKeyId,
            sent(integration("logs-kms"), { encryptionContext: { "aws:logs:arn": other(anyGroup.outputs.arn) } }), "CloudWatch Logs for another account", "logs-kms")]);
    }
    // S3 server access logs.
    for (const bl of model.ofType("aws:s3/bucketLogging:BucketLogging")) {
        const sourceArn = `arn:aws:s3:::${bl.inputs.bucket}`;
        const targetArn = `arn:aws:s3:::${bl.inputs.targetBucket}`;
        const target = model.bucket(targetArn);
        const hop = (src: string, acct: string): Hop => ({
            caller: service("logging.s3.amazonaws.com"), action: "s3:PutObject", resource: `${targetArn}/${bl.inputs.targetPrefix ?? ""}2026-01-01-00-00-00-0123456789ABCDEF`, resourceAccount: account,
            context: sent(integration("s3-access-logs"), { sourceArn: src, sourceAccount: acct }), resourcePolicy: target.policy, resourcePolicyKind: "resource", integration: "s3-access-logs",
        });
        need(`S3 server access logging writes ${bl.inputs.bucket}'s access logs to ${bl.inputs.targetBucket}`, [hop(sourceArn, account)]);
        if (bl === model.ofType("aws:s3/bucketLogging:BucketLogging")[0]) refuse("S3 server access logging of another account's bucket writes to the log bucket", [hop("arn:aws:s3:::someone-elses-bucket", OTHER_ACCOUNT_ID)]);
    }
    // ALB access logs.
    for (const lb of model.ofType("aws:lb/loadBalancer:LoadBalancer").filter((x) => x.inputs.accessLogs?.enabled)) {
        const bucketArn = `arn:aws:s3:::${lb.inputs.accessLogs.bucket}`;
        const target = model.bucket(bucketArn);
        const statement = (target.policy?.policy.Statement ?? []).find((s: any) => s.Principal?.AWS && String(s.Principal.AWS).startsWith("arn:aws:iam::") && String(s.Principal.AWS).endsWith(":root"));
        const elbAccount: string | undefined = statement?.Principal.AWS;
        const prefix = lb.inputs.accessLogs.prefix ? `${lb.inputs.accessLogs.prefix}/` : "";
        const object = (acct: string) => `${bucketArn}/${prefix}AWSLogs/${acct}/elasticloadbalancing/${region}/2026/01/01/x.log.gz`;
        const callers: Caller[] = [service("logdelivery.elasticloadbalancing.amazonaws.com"), ...(elbAccount ? [{ kind: "account" as const, arn: elbAccount, label: `the Region's ELB account (${elbAccount.split(":")[4]})` }] : [])];
        need(`Elastic Load Balancing writes ${lb.name}'s access logs to ${lb.inputs.accessLogs.bucket} (SSE-S3: no key)`, callers.map((c) => ({
            caller: c, action: "s3:PutObject", resource: object(account), resourceAccount: account, context: { ...SECURE },
            resourcePolicy: target.policy, resourcePolicyKind: "resource" as const, integration: "alb-access-logs",
        })));
        refuse("Elastic Load Balancing writes another account's access logs into this bucket", [{
            caller: callers[0], action: "s3:PutObject", resource: object(OTHER_ACCOUNT_ID), resourceAccount: account, context: { ...SECURE },
            resourcePolicy: target.policy, resourcePolicyKind: "resource", integration: "alb-access-logs",
        }]);
    }
    // CloudFront: standard logs (ACL) and the static origin (OAC).
    for (const cf of model.ofType("aws:cloudfront/distribution:Distribution")) {
        if (cf.inputs.loggingConfig?.bucket) {
            const bucket = String(cf.inputs.loggingConfig.bucket).replace(/\.s3\.amazonaws\.com$/, "");
            need(`CloudFront writes ${cf.name}'s standard logs to ${bucket}`, [{
                caller: service("cloudfront.amazonaws.com"), action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${cf.inputs.loggingConfig.prefix ?? ""}x.gz`, resourceAccount: account, context: {},
                outside: "standard logging writes as the awslogsdelivery account under the bucket ACL (ownership BucketOwnerPreferred), not a policy: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html",
            }]);
        }
        for (const o of cf.inputs.origins ?? []) {
            if (!o.originAccessControlId) continue;
            const bucketName = String(o.domainName).split(".s3.")[0];
            const bucketArn = `arn:aws:s3:::${bucketName}`;
            const target = model.bucket(bucketArn);
            const read = (distributionArn: string): Hop => ({
                caller: service("cloudfront.amazonaws.com"), action: "s3:GetObject", resource: `${bucketArn}/index.html`, resourceAccount: account,
                context: sent(integration("cloudfront-oac"), { sourceArn: distributionArn }), resourcePolicy: target.policy, resourcePolicyKind: "resource", integration: "cloudfront-oac",
            });
            const key = model.bucketKey(target.bucket);
            need(`CloudFront reads the static origin ${bucketName} through origin access control${key ? "" : " (SSE-S3: no key)"}`, [read(cf.outputs.arn)]);
            refuse("another account's CloudFront distribution reads the static origin", [read(other(cf.outputs.arn))]);
        }
    }
    return paths;
}

/** A hop's caller in a few words. */
export { callerName };
