/**
 * One service's secrets and parameters: Secrets Manager secrets `[env]/[service]/[secret-name]`
 * encrypted with the secrets key, and SSM parameters `/[env]/[service]/[name]` from `tms:parameters`.
 *
 * Each service gets its own copy of every secret it needs, so that its task role can be scoped to
 * its own path (`[env]/[service]/*`) and never reads another service's secrets.
 *
 * Rotation: neither secret is rotated by a Secrets Manager rotation function. The MONGODB_URI names
 * the service's own database user, rotated with alternating users by raising
 * `tms:database.credentialGeneration` (components/database-users.ts; the migration task sets the new
 * password); the Redis AUTH token needs a coordinated ModifyReplicationGroup (ROTATE then SET) and is
 * rotated by replacing the generated token in Pulumi. Each secret carries a `RotationExemption` tag
 * with that reason so audits (Security Hub SecretsManager.1) see a decision, not an omission.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parameterName, secretName, serviceTags } from "../config/naming";

/** The secrets every service receives: container variable → secret name and rotation exemption. */
export const SERVICE_SECRETS = {
    MONGODB_URI: {
        secret: "mongodb-uri",
        description: "DocumentDB connection string (TLS, replica set rs0)",
        rotationExemption: "Names the service's own database user; rotated with alternating users (tms:database.credentialGeneration), " +
            "the migration task sets the password",
    },
    REDIS_PASSWORD: {
        secret: "redis-password",
        description: "ElastiCache Redis AUTH token",
        rotationExemption:
            "Redis AUTH token rotation needs a coordinated ModifyReplicationGroup (ROTATE then SET); " +
            "done by replacing the generated token in Pulumi",
    },
} as const;
export type SecretVariable = keyof typeof SERVICE_SECRETS;

/** Parameter names that hold something sensitive are stored as SecureString. */
export const SENSITIVE_NAME = /password|secret|token|key|credential/i;

export interface ParameterSpec {
    name: string;
    type: "String" | "StringList" | "SecureString";
    value: string;
}

/** SSM parameter specs of one service from `tms:parameters.<service>` (pure, unit-tested). */
export function parameterSpecs(envName: string, service: string, values: Record<string, string | string[]>): ParameterSpec[] {
    return Object.entries(values).map(([key, v]) => {
        const list = Array.isArray(v);
        if (list && v.some((x) => x.includes(","))) {
            throw new Error(`tms:parameters.${service}.${key}: StringList items cannot contain commas`);
        }
        return {
            name: parameterName(envName, service, key),
            type: SENSITIVE_NAME.test(key) ? "SecureString" : list ? "StringList" : "String",
            value: list ? v.join(",") : v,
        };
    });
}

export interface ServiceSecretsArgs {
    /** Long environment name used in paths (development, staging, production). */
    environmentName: string;
    /** Service name (path segment and Service tag). */
    service: string;
    /** Secret values per container variable; generated credentials, passed as Pulumi secrets. */
    values: Record<SecretVariable, pulumi.Input<string>>;
    /** ARN of the secrets KMS key (Secrets Manager and SecureString parameters). */
    kmsKeyArn: pulumi.Input<string>;
    /** `tms:parameters.<service>`: parameter name → string or list of strings. */
    parameters: Record<string, string | string[]>;
    /** Days a deleted secret can still be restored: 7–30, or 0 to delete at once (a disposable stack). */
    recoveryWindowInDays: number;
}

export class ServiceSecrets extends pulumi.ComponentResource {
    /** Secret ARN per container variable. */
    readonly secretArns: Record<SecretVariable, pulumi.Output<string>>;
    /** Parameter ARNs by full name. */
    readonly parameterArns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ServiceSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:ServiceSecrets", name, {}, opts);
        const tags = serviceTags(args.service);
        const arns = {} as Record<SecretVariable, pulumi.Output<string>>;
        for (const variable of Object.keys(SERVICE_SECRETS) as SecretVariable[]) {
            const spec = SERVICE_SECRETS[variable];
            const secret = new aws.secretsmanager.Secret(`${name}-${spec.secret}`, {
                name: secretName(args.environmentName, args.service, spec.secret),
                description: spec.description,
                kmsKeyId: args.kmsKeyArn,
                recoveryWindowInDays: args.recoveryWindowInDays,
                tags: { ...tags, RotationExemption: spec.rotationExemption },
            }, { parent: this });
            new aws.secretsmanager.SecretVersion(`${name}-${spec.secret}-value`, {
                secretId: secret.id,
                secretString: pulumi.secret(args.values[variable]),
            }, { parent: this, additionalSecretOutputs: ["secretString"] });
            arns[variable] = secret.arn;
        }
        this.secretArns = arns;

        this.parameterArns = {};
        for (const p of parameterSpecs(args.environmentName, args.service, args.parameters)) {
            const secure = p.type === "SecureString";
            const param = new aws.ssm.Parameter(`${name}-param-${p.name.split("/").pop()}`, {
                name: p.name,
                type: p.type,
                value: secure ? pulumi.secret(p.value) : p.value,
                keyId: secure ? args.kmsKeyArn : undefined,
                tier: "Standard",
                tags,
            }, { parent: this });
            this.parameterArns[p.name] = param.arn;
        }
        this.registerOutputs({ secretArns: this.secretArns });
    }
}
