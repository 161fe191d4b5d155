/**
 * The IAM policy simulator over a planned stack (level L3 with an outside judge): every role's
 * identity policies as the plan has them (inline policies, and the AWS-managed ones it attaches,
 * modelled in tools/access-paths/aws-managed-policies.ts), its permissions boundary from the plan, and the resource
 * policy that takes part (trust or key policy). `@cloud-copilot/iam-simulate` is AGPL-3.0: it is a
 * dev dependency used from test/ only, never by code users run.
 */
import { createValidatedPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { decideWithSimulator } from "../../tools/access-paths/iam-simulator";
import { loadStackConfig } from "../../config/stack-config";
import { MOCK_ACCOUNT_ID } from "../../tools/fake-aws";
import type { AccessFacts, Principal } from "../../tools/access-matrix";
import type { RecordedResource } from "../../tools/record";
import { flattenConfig, json, Plan, stackConfig } from "../harness";
import { AWS_MANAGED_POLICIES } from "../../tools/access-paths/aws-managed-policies";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface RoleModel {
    arn: string;
    name: string;
    identity: { name: string; policy: any }[];
    boundary?: any;
}

const ROLE = "aws:iam/role:Role";

/** A role of the plan with its planned identity policies and boundary. */
export function roleModel(p: Plan, role: RecordedResource): RoleModel {
    const inline = p.ofType("aws:iam/rolePolicy:RolePolicy").filter((x) => p.dependsOn(x, "role", role))
        .map((x) => ({ name: x.name, policy: json(x.inputs.policy) }));
    const managed = p.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((x) => p.dependsOn(x, "role", role)).map((x) => {
        const doc = AWS_MANAGED_POLICIES[x.inputs.policyArn];
        if (!doc) throw new Error(`${role.name} attaches ${x.inputs.policyArn}, which tools/access-paths/aws-managed-policies.ts does not model`);
        return { name: x.inputs.policyArn, policy: doc };
    });
    let boundary: any;
    if (role.inputs.permissionsBoundary) {
        const b = p.ofType("aws:iam/policy:Policy").find((x) => x.outputs.arn === role.inputs.permissionsBoundary);
        if (!b) throw new Error(`${role.name}'s boundary ${role.inputs.permissionsBoundary} is not a policy of the plan`);
        boundary = json(b.inputs.policy);
    }
    return { arn: role.outputs.arn, name: role.outputs.name, identity: [...inline, ...managed], boundary };
}

/**
 * Ask the simulator through the access-path adapter (tools/access-paths/iam-simulator.ts): a validation
 * error (unknown action, ARN of the wrong type, bad policy) throws, and the decision comes from the
 * engine that keeps `kms:EncryptionContext:<key>` context keys (the validated one drops them).
 */
export async function decide(model: RoleModel, action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: any): Promise<Decision> {
    const accountId = /^arn:aws:[^:]+:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? MOCK_ACCOUNT_ID;
    const trust = resourcePolicy && resource.startsWith("arn:aws:iam::") && resource.includes(":role/");
    return decideWithSimulator({
        principal: model.arn, action, resource, resourceAccount: accountId, context,
        identityPolicies: model.identity,
        ...(model.boundary ? { boundary: { name: "boundary", policy: model.boundary } } : {}),
        ...(resourcePolicy ? { resourcePolicy: { name: "resource policy", policy: resourcePolicy }, resourcePolicyKind: trust ? "trust" as const : "resource" as const } : {}),
    });
}

/**
 * An AWS service principal's request judged by a resource policy alone, through the simulator's
 * unvalidated engine: the validated one keeps only variable context keys of the `prefix/name` form
 * and silently drops `kms:EncryptionContext:<key>` (a key whose variable part holds colons), so a
 * condition on it could never match. The request is built by the test, the policy goes in validated.
 */
export function decideServiceRequest(service: string, action: string, resource: string, context: Record<string, string>, resourcePolicy: any): Decision {
    const accountId = /^arn:aws:[^:]+:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? MOCK_ACCOUNT_ID;
    const d = runUnsafeSimulation({
        request: { principal: service, action, resource: { resource, accountId }, contextVariables: context },
        identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [],
        resourcePolicy: createValidatedPolicy(resourcePolicy, validateResourcePolicy, { name: "resource policy" }),
    }, {});
    if (!["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"].includes(d as string)) throw new Error(`simulator refused ${action} on ${resource} by ${service}: ${JSON.stringify(d)}`);
    return d as Decision;
}

/** The planned stack's facts the access rows name. */
export function accessFacts(stack: string, p: Plan): AccessFacts {
    const raw = stackConfig(stack);
    const cfg = loadStackConfig(flattenConfig(raw), `Pulumi.${stack}.yaml`, stack);
    const suffix = cfg.access.nameSuffix;
    const [service, otherService] = cfg.services.map((s) => s.name);
    const serviceRole = (kind: "task" | "execution") => p.ofType(ROLE).find((r) => r.name.endsWith(`-${service}-roles-${kind}`))!.outputs.arn;
    const touched = new Set([...p.outputs.weightListenerUrns, ...p.outputs.testListenerUrns]);
    const untouched = p.ofType("aws:lb/listener:Listener").find((l) => !touched.has(l.urn));
    const secretNamed = (name: string) => p.ofType("aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === name)?.outputs.arn;
    const masterName = `${cfg.environmentName}/database/master-credentials`;
    return {
        stack,
        environment: cfg.environment,
        environmentName: cfg.environmentName,
        region: cfg.region,
        accountId: MOCK_ACCOUNT_ID,
        suffix,
        otherSuffix: suffix ? "" : "-dr",
        otherEnvironment: stack === "dr" ? "prod" : "dr",
        protectData: cfg.protectStatefulResources,
        deploymentBoundaryArn: p.one("aws:iam/policy:Policy", "deployment-boundary").outputs.arn,
        workloadBoundaryArn: p.one("aws:iam/policy:Policy", "workload-boundary-policy").outputs.arn,
        service,
        otherService,
        taskRoleArn: serviceRole("task"),
        executionRoleArn: serviceRole("execution"),
        clusterArn: p.one("aws:ecs/cluster:Cluster").outputs.arn,
        taskDefinitionArn: p.ofType("aws:ecs/taskDefinition:TaskDefinition").find((t) => t.inputs.family.startsWith(`tms-${cfg.environment}-${service}`))!.outputs.arn,
        untouchedListenerArn: untouched?.outputs.arn ?? "",
        databaseClusterArn: p.one("aws:docdb/cluster:Cluster").outputs.arn,
        secretsKeyArn: p.one("aws:kms/key:Key", "-secrets").outputs.arn,
        logsKeyArn: p.one("aws:kms/key:Key", "-logs").outputs.arn,
        execLogGroupArn: p.ofType("aws:ecs/service:Service").some((s) => s.inputs.enableExecuteCommand)
            ? p.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === `/tms/${cfg.environment}/ecs-exec`)!.outputs.arn : "",
        serviceSecretArn: p.outputs.secretArns[service].MONGODB_URI,
        otherServiceSecretArn: p.outputs.secretArns[otherService].MONGODB_URI,
        // dr has no master secret of its own: the row asks about the name it would have.
        masterSecretArn: secretNamed(masterName) ?? `arn:aws:secretsmanager:${cfg.region}:${MOCK_ACCOUNT_ID}:secret:${masterName}-AbCdEf`,
        migrationRoleArn: p.ofType(ROLE).find((r) => r.name.endsWith(`-${service}-migrations-execution`))?.outputs.arn ?? "",
        bucketArn: p.outputs.bucketArn,
        otherServiceParameterArn: `arn:aws:ssm:${cfg.region}:${MOCK_ACCOUNT_ID}:parameter/${cfg.environmentName}/${otherService}/x`,
        rolloutTableArn: p.ofType("aws:dynamodb/table:Table").find((t) => t.inputs.name === p.outputs.rolloutTableName)!.outputs.arn,
    };
}

/** The role each row's principal stands for. */
export function principalRole(p: Plan, f: AccessFacts, principal: Principal): RecordedResource {
    const named = (base: string) => {
        const r = p.ofType(ROLE).find((x) => x.inputs.name === `${base}${f.suffix}`);
        if (!r) throw new Error(`no role ${base}${f.suffix}`);
        return r;
    };
    switch (principal) {
        case "deployment": return named("tms-deployment-role");
        case "operations": return named("tms-operations-role");
        case "readonly": return named("tms-readonly-role");
        case "emergency": return named("tms-emergency-access");
        case "task": return p.ofType(ROLE).find((r) => r.outputs.arn === f.taskRoleArn)!;
        case "execution": return p.ofType(ROLE).find((r) => r.outputs.arn === f.executionRoleArn)!;
        case "migration": return p.ofType(ROLE).find((r) => r.outputs.arn === f.migrationRoleArn)!;
    }
}

/** A key's effective policy: its KeyPolicy resource when it names users, else the key's own. */
export function keyPolicy(p: Plan, domain: string): any {
    const named = p.ofType("aws:kms/keyPolicy:KeyPolicy").find((k) => k.name.endsWith(`-${domain}-policy`));
    return json((named ?? p.one("aws:kms/key:Key", `-${domain}`)).inputs.policy);
}

/**
 * Where each service that assumes a role of the plan acts from: the resource of the plan that hands
 * it the role, and the `aws:SourceArn` AWS sends for it when it assumes the role (the confused-deputy
 * keys, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html):
 * - VPC Flow Logs: the flow log's ARN (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html);
 * - CloudTrail delivering to CloudWatch Logs: the trail's ARN
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-prevention.html);
 * - S3 replication: the source bucket's ARN, which names no account, so the trust needs aws:SourceAccount too
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html,
 *   https://docs.aws.amazon.com/config/latest/developerguide/cross-service-confused-deputy-prevention.html).
 */
const SERVICE_SOURCES: Record<string, { type: string; roleProp: string; source: (p: Plan, user: RecordedResource) => string }> = {
    "vpc-flow-logs.amazonaws.com": { type: "aws:ec2/flowLog:FlowLog", roleProp: "iamRoleArn", source: (_p, u) => u.outputs.arn },
    "cloudtrail.amazonaws.com": { type: "aws:cloudtrail/trail:Trail", roleProp: "cloudWatchLogsRoleArn", source: (_p, u) => u.outputs.arn },
    "s3.amazonaws.com": {
        type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig", roleProp: "role",
        source: (p, u) => p.ofType("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2").find((b) => p.dependsOn(u, "bucket", b))!.outputs.arn,
    },
};

/** The ARN of the resource `service` acts for when it assumes `role`; throws naming what is missing. */
export function serviceSourceArn(p: Plan, role: RecordedResource, service: string): string {
    const known = SERVICE_SOURCES[service];
    if (!known) throw new Error(`${role.name}: test/access/simulate.ts does not know where ${service} acts from (add it to SERVICE_SOURCES)`);
    const users = p.ofType(known.type).filter((u) => p.dependsOn(u, known.roleProp, role));
    if (users.length !== 1) throw new Error(`${role.name}: expected one ${known.type} whose ${known.roleProp} is this role, found ${users.length}`);
    return known.source(p, users[0]);
}
