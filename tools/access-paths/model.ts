/**
 * The authorization side of one planned stack as plain data, read from the plan record: every role with
 * its identity policies (inline, and the AWS-managed ones it attaches, modelled in
 * aws-managed-policies.ts), its permissions boundary and its trust policy; and the resource policies that
 * take part in a request (bucket, topic and key policies, a key's effective policy being its KeyPolicy
 * resource's). dr's paths reach resources its primary stack (prod) creates, so a model may hold the
 * primary's plan too. No evaluator here (evaluator.ts).
 */
import type { PlanRecord, RecordedResource } from "../record";
import { AWS_MANAGED_POLICIES } from "./aws-managed-policies";
import type { PolicyDoc } from "./evaluator";

export class AccessModelError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "AccessModelError";
    }
}

export interface RoleModel {
    arn: string;
    /** The role's IAM name. */
    roleName: string;
    /** Its logical name in the plan. */
    name: string;
    identity: PolicyDoc[];
    boundary?: PolicyDoc;
    trust: PolicyDoc;
}

const json = (v: unknown): any => (typeof v === "string" ? JSON.parse(v) : v);
const T = {
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policy: "aws:iam/policy:Policy",
    key: "aws:kms/key:Key",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
} as const;

/** The plans a stack's access paths read: its own and, for dr, its primary's. */
export class AccessModel {
    readonly records: PlanRecord[];
    readonly roles: RoleModel[];

    constructor(readonly record: PlanRecord, primary?: PlanRecord) {
        this.records = primary ? [record, primary] : [record];
        this.roles = this.ofType(T.role).map((r) => this.roleModel(r));
    }

    get stack(): string {
        return this.record.stack;
    }

    /** Resources of the stack's own plan of these types. */
    ofType(...types: string[]): RecordedResource[] {
        return this.record.resources.filter((r) => types.includes(r.type));
    }

    /** Resources of every plan the model holds (own first). */
    everywhere(...types: string[]): RecordedResource[] {
        return this.records.flatMap((rec) => rec.resources.filter((r) => types.includes(r.type)));
    }

    /** The one resource of `type` of the stack's plan whose logical name ends with `suffix`. */
    one(type: string, suffix = ""): RecordedResource {
        const found = this.ofType(type).filter((r) => r.name.endsWith(suffix));
        if (found.length !== 1) throw new AccessModelError(`${this.stack}: expected one ${type} named *${suffix}, found ${found.length}`);
        return found[0];
    }

    dependsOn(r: RecordedResource, prop: string, target: RecordedResource): boolean {
        return (r.propertyDependencies[prop] ?? []).includes(target.urn);
    }

    role(arn: string): RoleModel {
        const r = this.roles.find((x) => x.arn === arn);
        if (!r) throw new AccessModelError(`${this.stack}: no role ${arn} in the plan`);
        return r;
    }

    roleNamed(roleName: string): RoleModel {
        const r = this.roles.find((x) => x.roleName === roleName);
        if (!r) throw new AccessModelError(`${this.stack}: no role named ${roleName} in the plan`);
        return r;
    }

    /** A KMS key's effective policy: the KeyPolicy resource that writes it (the key ignores its own), else the key's. */
    keyPolicy(keyArn: string): PolicyDoc {
        for (const rec of this.records) {
            const key = rec.resources.find((r) => r.type === T.key && r.outputs.arn === keyArn);
            if (!key) continue;
            const owner = rec.resources.find((r) => r.type === T.keyPolicy && this.dependsOn(r, "keyId", key));
            return owner ? { name: owner.name, policy: json(owner.inputs.policy) } : { name: key.name, policy: json(key.inputs.policy) };
        }
        throw new AccessModelError(`${this.stack}: no KMS key ${keyArn} in the plan`);
    }

    /** A bucket (by ARN) and its policy, from whichever plan creates it. */
    bucket(bucketArn: string): { bucket: RecordedResource; policy?: PolicyDoc } {
        for (const rec of this.records) {
            const bucket = rec.resources.find((r) => (T.bucket as readonly string[]).includes(r.type) && r.outputs.arn === bucketArn);
            if (!bucket) continue;
            const policy = rec.resources.find((r) => r.type === T.bucketPolicy && this.dependsOn(r, "bucket", bucket));
            return { bucket, policy: policy && { name: policy.name, policy: json(policy.inputs.policy) } };
        }
        throw new AccessModelError(`${this.stack}: no bucket ${bucketArn} in the plan`);
    }

    /** The default SSE-KMS key of a bucket, when it has one. */
    bucketKey(bucket: RecordedResource): string | undefined {
        for (const rec of this.records) {
            const sse = rec.resources.find((r) => r.type === "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
                && this.dependsOn(r, "bucket", bucket));
            if (sse) return sse.inputs.rules?.[0]?.applyServerSideEncryptionByDefault?.kmsMasterKeyId;
        }
        return undefined;
    }

    topicPolicy(topicArn: string): PolicyDoc | undefined {
        const p = this.everywhere(T.topicPolicy).find((r) => r.inputs.arn === topicArn);
        return p && { name: p.name, policy: json(p.inputs.policy) };
    }

    private roleModel(role: RecordedResource): RoleModel {
        const inline = this.ofType(T.rolePolicy).filter((x) => this.dependsOn(x, "role", role)).map((x) => ({ name: x.name, policy: json(x.inputs.policy) }));
        const managed = this.ofType(T.attachment).filter((x) => this.dependsOn(x, "role", role)).map((x) => {
            const doc = AWS_MANAGED_POLICIES[x.inputs.policyArn];
            if (!doc) throw new AccessModelError(`${role.name} attaches ${x.inputs.policyArn}, which tools/access-paths/aws-managed-policies.ts does not model`);
            return { name: x.inputs.policyArn, policy: doc };
        });
        let boundary: PolicyDoc | undefined;
        if (role.inputs.permissionsBoundary) {
            const b = this.ofType(T.policy).find((x) => x.outputs.arn === role.inputs.permissionsBoundary);
            if (!b) throw new AccessModelError(`${role.name}'s boundary ${role.inputs.permissionsBoundary} is not a policy of the plan`);
            boundary = { name: b.name, policy: json(b.inputs.policy) };
        }
        return {
            arn: role.outputs.arn, roleName: role.outputs.name, name: role.name,
            identity: [...inline, ...managed], boundary,
            trust: { name: `${role.name} trust`, policy: json(role.inputs.assumeRolePolicy) },
        };
    }
}
