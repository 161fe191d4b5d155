/**
 * Secrets Manager and SSM Parameter Store policies. Rotation joins a secret with its
 * `SecretRotation` and lives in `stack.ts`.
 */
import { ENVIRONMENT_RULES, isSet, read, resourceEnvironment, resourcePolicy, str, UNKNOWN } from "./common";

export const SECRET_TYPES = {
    secret: "aws:secretsmanager/secret:Secret",
    rotation: "aws:secretsmanager/secretRotation:SecretRotation",
    parameter: "aws:ssm/parameter:Parameter",
} as const;

/** Parameter names that hold something sensitive. */
const SENSITIVE = /(password|passwd|secret|token|credential|private|api[-_]?key|auth)/i;
/** …unless the name says it only references one (`db-secret-arn`, `token-name`). */
const REFERENCE = /[-_](arn|name|id|path)$/i;

export function looksSensitive(name: string): boolean {
    const last = name.split("/").pop() ?? name;
    return SENSITIVE.test(last) && !REFERENCE.test(last);
}

export const secretsmanagerCustomerKey = resourcePolicy({
    name: "secretsmanager-customer-key",
    description: "Secrets are encrypted with a customer-managed KMS key.",
    metadata: {
        control: "FSBP SecretsManager (CMK encryption; NIST SC-12)",
        severity: "medium",
        area: "secrets",
        remediation: "Set `kmsKeyId` to the stack's secrets KMS key.",
    },
    types: [SECRET_TYPES.secret],
    validate: (props, _args, report) => {
        if (!isSet(props, "kmsKeyId")) report("The secret uses the AWS-managed key: set `kmsKeyId` to a customer-managed KMS key.");
    },
});

export const secretsmanagerNamePattern = resourcePolicy({
    name: "secretsmanager-name-pattern",
    description: "Secret names follow `[env]/[service]/[secret-name]` with the stack's environment.",
    metadata: {
        control: "FSBP SecretsManager (least-privilege scoping; deployment guide naming)",
        severity: "low",
        area: "secrets",
        environmentAware: true,
        remediation: "Name the secret `<env>/<service>/<secret-name>`, e.g. `production/task-service/mongodb-uri`.",
    },
    types: [SECRET_TYPES.secret],
    validate: (props, args, report) => {
        const name = read(props, "name") ?? read(props, "namePrefix");
        if (name === UNKNOWN) return;
        if (typeof name !== "string") {
            report("The secret has no `name`: set it to `<env>/<service>/<secret-name>` so IAM can scope access by path.");
            return;
        }
        const env = resourceEnvironment(args);
        const allowed = env ? ENVIRONMENT_RULES[env].pathNames : undefined;
        const parts = name.split("/");
        if (parts.length < 3 || parts.some(p => p === "") || (allowed && !allowed.includes(parts[0]))) {
            report(`Secret name "${name}" does not follow \`${allowed?.[0] ?? "<env>"}/<service>/<secret-name>\`.`);
        }
    },
});

export const ssmSecureStringForSensitive = resourcePolicy({
    name: "ssm-securestring-for-sensitive",
    description: "SSM parameters whose names look sensitive (password, secret, token, key, …) are SecureString.",
    metadata: {
        control: "FSBP SSM (data protection; NIST SC-28)",
        severity: "high",
        area: "secrets",
        remediation: 'Set `type: "SecureString"` (with `keyId`), or move the value to Secrets Manager.',
    },
    types: [SECRET_TYPES.parameter],
    validate: (props, args, report) => {
        const name = str(read(props, "name")) ?? args.name;
        const type = read(props, "type");
        if (looksSensitive(name) && type !== "SecureString" && type !== UNKNOWN) {
            report(
                `Parameter "${name}" looks sensitive but is ${type ?? "untyped"}: make it a SecureString or move it to Secrets Manager.`,
            );
        }
    },
});

export const ssmParameterNamePattern = resourcePolicy({
    name: "ssm-parameter-name-pattern",
    description: "SSM parameter names follow `/[env]/[service]/[parameter-name]` with the stack's environment.",
    metadata: {
        control: "FSBP SSM (least-privilege scoping; deployment guide naming)",
        severity: "low",
        area: "secrets",
        environmentAware: true,
        remediation: "Name the parameter `/<env>/<service>/<parameter-name>`.",
    },
    types: [SECRET_TYPES.parameter],
    validate: (props, args, report) => {
        const name = read(props, "name");
        if (name === UNKNOWN) return;
        const env = resourceEnvironment(args);
        const allowed = env ? ENVIRONMENT_RULES[env].pathNames : undefined;
        const parts = typeof name === "string" ? name.split("/") : [];
        if (parts.length < 4 || parts[0] !== "" || parts.slice(1).some((p) => p === "") || (allowed && !allowed.includes(parts[1]))) {
            report(
                `Parameter name ${typeof name === "string" ? `"${name}"` : "(unset)"} does not follow ` +
                `\`/${allowed?.[0] ?? "<env>"}/<service>/<parameter-name>\`.`,
            );
        }
    },
});

export const secretsPolicies = [secretsmanagerCustomerKey, secretsmanagerNamePattern, ssmSecureStringForSensitive, ssmParameterNamePattern];
