/**
 * IAM and KMS policies. Policy documents are JSON strings (or objects) in `policy` of
 * `Policy`/`RolePolicy`/`UserPolicy`/`GroupPolicy`, in `inlinePolicies[].policy` of `Role`, and
 * the trust policy in `assumeRolePolicy`.
 *
 * The break-glass role (`tms-emergency-access` in the guide) is recognised by `emergency` in its
 * logical name or `name`.
 */
import { dependsOn, list, ofTypes, parseJson, read, resourcePolicy, stackPolicy, str, UNKNOWN } from "./common";
import { serviceStatementProblems } from "./service-principals";

export const IAM_TYPES = {
    role: "aws:iam/role:Role",
    policy: "aws:iam/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    userPolicy: "aws:iam/userPolicy:UserPolicy",
    groupPolicy: "aws:iam/groupPolicy:GroupPolicy",
    kmsKey: "aws:kms/key:Key",
    kmsKeyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
} as const;

interface Statement {
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
    Principal?: any;
    Condition?: Record<string, Record<string, any>>;
    Sid?: string;
}

function statements(doc: any): Statement[] {
    const d = parseJson(doc);
    return list(d?.Statement).filter(s => s && typeof s === "object");
}

/** Permission documents of an IAM resource, labelled for messages. */
export function permissionDocuments(type: string, props: Record<string, any>): { where: string; doc: any }[] {
    if (type === IAM_TYPES.role) {
        return list(read(props, "inlinePolicies")).map((p, i) => ({
            where: `inline policy ${str(read(p, "name")) ?? i}`,
            doc: read(p, "policy"),
        }));
    }
    const doc = read(props, "policy");
    return doc === undefined || doc === UNKNOWN ? [] : [{ where: "policy", doc }];
}

function label(s: Statement, i: number): string {
    return s.Sid ? `statement "${s.Sid}"` : `statement ${i}`;
}

const PERMISSION_TYPES = [IAM_TYPES.role, IAM_TYPES.policy, IAM_TYPES.rolePolicy, IAM_TYPES.userPolicy, IAM_TYPES.groupPolicy];

/**
 * The break-glass role is meant to have full access (the guide's `tms-emergency-access`); its
 * own documents are exempt from the admin-wildcard rule because `iam-emergency-access-mfa`
 * requires MFA to assume it. Recognised by `emergency`/`break-glass` in the role's logical name
 * or `name`, a RolePolicy's `role` (when a known literal) or logical name, or a Policy's name.
 */
function isEmergencyDocument(type: string, name: string, props: Record<string, any>): boolean {
    if (isEmergencyRole(name, props)) return true;
    const role = str(read(props, "role"));
    return type === IAM_TYPES.rolePolicy && role !== undefined && /emergency|break-?glass/i.test(role);
}

export const iamNoAdminWildcard = resourcePolicy({
    name: "iam-no-admin-wildcard",
    description: "No IAM policy allows action `*` on resource `*` (full administrator), except the MFA-guarded break-glass role's.",
    metadata: {
        control: "FSBP IAM.1, CIS 1.16",
        severity: "critical",
        area: "iam",
        remediation: "List the actions and resource ARNs the role needs instead of `*` on `*`.",
    },
    types: PERMISSION_TYPES,
    validate: (props, args, report) => {
        if (isEmergencyDocument(args.type, args.name, props)) return;
        for (const { where, doc } of permissionDocuments(args.type, props)) {
            statements(doc).forEach((s, i) => {
                if (s.Effect === "Allow" && list(s.Action).includes("*") && list(s.Resource).includes("*")) {
                    report(`${where}, ${label(s, i)} allows "*" on "*": grant only the actions and resources needed.`);
                }
            });
        }
    },
});

export const iamNoServiceWildcard = resourcePolicy({
    name: "iam-no-service-wildcard",
    description: "IAM policies do not allow every action of a service (`s3:*`, `ecs:*`, …).",
    metadata: {
        control: "FSBP IAM.21",
        severity: "high",
        area: "iam",
        remediation: "Replace `service:*` with the specific actions (e.g. `s3:GetObject`, `s3:PutObject`).",
    },
    types: PERMISSION_TYPES,
    validate: (props, args, report) => {
        for (const { where, doc } of permissionDocuments(args.type, props)) {
            statements(doc).forEach((s, i) => {
                const wild = list(s.Action).filter((a) => typeof a === "string" && /^[a-z0-9-]+:\*$/i.test(a));
                if (s.Effect === "Allow" && wild.length)
                    report(`${where}, ${label(s, i)} allows ${wild.join(", ")}: list the specific actions.`);
            });
        }
    },
});

function requiresMfa(s: Statement): boolean {
    const c = s.Condition ?? {};
    const present = ["Bool", "BoolIfExists"].some((op) => String(c[op]?.["aws:MultiFactorAuthPresent"]).toLowerCase() === "true");
    const age =
        c.NumericLessThan?.["aws:MultiFactorAuthAge"] !== undefined || c.NumericLessThanEquals?.["aws:MultiFactorAuthAge"] !== undefined;
    return present || age;
}

export function isEmergencyRole(name: string, props: Record<string, any>): boolean {
    return [name, str(read(props, "name")), str(read(props, "namePrefix"))].some(n => n !== undefined && /emergency|break-?glass/i.test(n));
}

export const iamEmergencyAccessMfa = resourcePolicy({
    name: "iam-emergency-access-mfa",
    description: "The break-glass role (tms-emergency-access) can only be assumed with MFA.",
    metadata: {
        control: "CIS 1.10, FSBP IAM.5",
        severity: "critical",
        area: "iam",
        remediation:
            'Add `Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } }` to every Allow statement of the role\'s ' +
            '`assumeRolePolicy`.',
    },
    types: [IAM_TYPES.role],
    validate: (props, args, report) => {
        if (!isEmergencyRole(args.name, props)) return;
        const trust = read(props, "assumeRolePolicy");
        if (trust === UNKNOWN) return;
        const allows = statements(trust).filter(s => s.Effect === "Allow");
        if (allows.length === 0) report("The emergency role has no readable trust policy: set `assumeRolePolicy` with an MFA condition.");
        allows.forEach((s, i) => {
            if (!requiresMfa(s))
                report(
                    `assumeRolePolicy ${label(s, i)} lets the emergency role be assumed without MFA: add the aws:MultiFactorAuthPresent ` +
                    `condition.`,
                );
        });
    },
});

/** `Principal: "*"`, or `{ AWS: "*" }` (as a string or in a list): every AWS principal. */
export function anyone(principal: any): boolean {
    if (principal === "*") return true;
    return !!principal && typeof principal === "object" && list(principal.AWS).includes("*");
}

export const iamNoPublicTrust = resourcePolicy({
    name: "iam-no-public-trust",
    description: 'No role trusts every AWS principal (`Principal: "*"`) without a condition.',
    metadata: {
        control: "FSBP IAM (least privilege; CIS 1.16)",
        severity: "critical",
        area: "iam",
        remediation: "Name the service (`ecs-tasks.amazonaws.com`) or account ARN in `Principal`, or add a restricting Condition.",
    },
    types: [IAM_TYPES.role],
    validate: (props, _args, report) => {
        const trust = read(props, "assumeRolePolicy");
        if (trust === UNKNOWN) return;
        statements(trust).forEach((s, i) => {
            if (s.Effect === "Allow" && anyone(s.Principal) && !s.Condition) {
                report(`assumeRolePolicy ${label(s, i)} lets any AWS principal assume the role: name the trusted service or account.`);
            }
        });
    },
});

export const kmsKeyRotation = resourcePolicy({
    name: "kms-key-rotation",
    description: "Symmetric customer-managed KMS keys rotate automatically.",
    metadata: { control: "FSBP KMS.4, CIS 3.6", severity: "medium", area: "kms", remediation: "Set `enableKeyRotation: true` on the key." },
    types: [IAM_TYPES.kmsKey],
    validate: (props, _args, report) => {
        const spec = read(props, "customerMasterKeySpec") ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") return;
        const r = read(props, "enableKeyRotation");
        if (r !== true && r !== UNKNOWN) report("Key rotation is off: set `enableKeyRotation: true`.");
    },
});

/**
 * The key policy document of a Key (`policy`) or KeyPolicy (`policy`). A Key that ignores changes to
 * its `policy` leaves the document to a KeyPolicy resource, which is judged instead: the engine hands
 * policies the key's stored creation document (ignoreChanges substitutes the old value), not what AWS
 * holds, so judging it would report a document that no longer applies (`kms-key-policy-owned` checks
 * that such a key has its KeyPolicy).
 */
function keyPolicyStatements(props: Record<string, any>, args?: { type: string; opts?: { ignoreChanges?: string[] } }): Statement[] {
    if (args?.type === IAM_TYPES.kmsKey && policyLeftToKeyPolicy(args.opts)) return [];
    const doc = read(props, "policy");
    return doc === UNKNOWN ? [] : statements(doc);
}

const policyLeftToKeyPolicy = (opts?: { ignoreChanges?: string[] }) => (opts?.ignoreChanges ?? []).includes("policy");

/**
 * A key whose own `policy` is ignored must have its policy written by a KeyPolicy resource of the stack
 * (joined through `keyId`): otherwise nothing the program says about the key's policy reaches AWS.
 */
export const kmsKeyPolicyOwned = stackPolicy({
    name: "kms-key-policy-owned",
    description: "A KMS key that ignores changes to its own policy has a KeyPolicy resource in the stack that writes it.",
    metadata: {
        control: "FSBP KMS (key policy managed; review decision)", severity: "high", area: "kms",
        remediation: "Create an `aws.kms.KeyPolicy` for the key (`keyId: key.keyId`), or stop ignoring `policy` on the key.",
    },
    validate: (args, report) => {
        const owners = ofTypes(args.resources, [IAM_TYPES.kmsKeyPolicy]);
        for (const key of ofTypes(args.resources, [IAM_TYPES.kmsKey])) {
            if (!policyLeftToKeyPolicy(key.opts) || owners.some((kp) => dependsOn(kp, "keyId", key))) continue;
            report(
                `Key "${key.name}" ignores changes to its policy and no KeyPolicy writes it: later policy changes never reach AWS.`,
                key.urn,
            );
        }
    },
});

export const kmsKeyPolicyNotPublic = resourcePolicy({
    name: "kms-key-policy-not-public",
    description: "No KMS key policy allows every principal (`*`) without a condition.",
    metadata: {
        control: "FSBP KMS.5",
        severity: "critical",
        area: "kms",
        remediation: "Name the account root, roles or services in `Principal`; never `*` without a condition.",
    },
    types: [IAM_TYPES.kmsKey, IAM_TYPES.kmsKeyPolicy],
    validate: (props, args, report) => {
        keyPolicyStatements(props, args).forEach((s, i) => {
            if (s.Effect === "Allow" && anyone(s.Principal) && !s.Condition)
                report(`Key policy ${label(s, i)} lets any principal use the key: name the principals.`);
        });
    },
});

export const iamServiceTrustConfusedDeputy = resourcePolicy({
    name: "iam-service-trust-confused-deputy",
    description:
        "Roles that AWS services assume limit the service to this account's resources with the keys AWS sends for that integration " +
        "(aws:SourceAccount / aws:SourceArn, config/service-integrations.ts).",
    metadata: {
        control: "FSBP IAM (confused deputy; review decision)",
        severity: "high",
        area: "iam",
        remediation:
            'Add `Condition: { StringEquals: { "aws:SourceAccount": <account> }, ArnLike: { "aws:SourceArn": <resource ARN pattern> } ' +
            '}` to the trust statement.',
    },
    types: [IAM_TYPES.role],
    validate: (props, _args, report) => {
        const trust = read(props, "assumeRolePolicy");
        if (trust === UNKNOWN) return;
        for (const m of serviceStatementProblems(statements(trust), "trust", "assumeRolePolicy")) report(m);
    },
});

export const kmsKeyPolicyConfusedDeputy = resourcePolicy({
    name: "kms-key-policy-confused-deputy",
    description:
        "Key policy statements for AWS service principals limit the service to this account's resources with the keys AWS sends for " +
        "that integration (aws:SourceAccount, aws:SourceArn, the encryption context), and test none AWS documents it does not send " +
        "(config/service-integrations.ts).",
    metadata: {
        control: "FSBP KMS (confused deputy; review decision)",
        severity: "high",
        area: "kms",
        remediation:
            "Add the key AWS sends for the integration (`aws:SourceAccount`, `aws:SourceArn`, or for CloudWatch Logs " +
            "`kms:EncryptionContext:aws:logs:arn`); for EventBridge publishing to an encrypted topic, which sends none, grant it in a " +
            "statement of its own without condition.",
    },
    types: [IAM_TYPES.kmsKey, IAM_TYPES.kmsKeyPolicy],
    validate: (props, args, report) => {
        for (const m of serviceStatementProblems(keyPolicyStatements(props, args), "kms-key", "Key policy")) report(m);
    },
});

/** Actions that decrypt with a KMS key (KMS.1, KMS.2 check these on `Resource: "*"`). */
const DECRYPT_ACTIONS = ["kms:decrypt", "kms:reencryptfrom", "kms:*", "*"];

/**
 * KMS.1 and KMS.2 (https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-1):
 * customer managed and inline policies must not decrypt with every key. Like the control's
 * `excludePermissionBoundaryPolicy: true` parameter, a managed policy used only as a permissions
 * boundary (a ceiling that grants nothing) is not checked: a role's `permissionsBoundary` names it.
 */
export const iamNoKmsDecryptOnAllKeys = stackPolicy({
    name: "iam-no-kms-decrypt-on-all-keys",
    description:
        'IAM policies do not allow kms:Decrypt or kms:ReEncryptFrom on every key (`Resource: "*"`), except permissions boundaries and ' +
        'the MFA-guarded break-glass role\'s.',
    metadata: {
        control: "FSBP KMS.1, KMS.2",
        severity: "medium",
        area: "kms",
        remediation: "Name the key ARNs the role decrypts with in `Resource`.",
    },
    validate: (args, report) => {
        const roles = ofTypes(args.resources, [IAM_TYPES.role]);
        for (const r of ofTypes(args.resources, PERMISSION_TYPES)) {
            if (isEmergencyDocument(r.type, r.name, r.props)) continue;
            if (r.type === IAM_TYPES.policy && roles.some(role => dependsOn(role, "permissionsBoundary", r))) continue;
            for (const { where, doc } of permissionDocuments(r.type, r.props)) {
                statements(doc).forEach((s, i) => {
                    const actions = list(s.Action).filter(a => typeof a === "string" && DECRYPT_ACTIONS.includes(a.toLowerCase()));
                    if (s.Effect === "Allow" && actions.length && list(s.Resource).includes("*")) {
                        report(
                            `${r.type.split(":").pop()} "${r.name}": ${where}, ${label(s, i)} allows ${actions.join(", ")} on every ` +
                            `key: name the key ARNs.`,
                            r.urn,
                        );
                    }
                });
            }
        }
    },
});

/** Role-changing actions that escalate unless the role they touch must carry a permissions boundary. */
const BOUNDARY_GUARDED_ACTIONS = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"];

/** Does an IAM action pattern (`iam:Put*`, `*`) cover `action`? */
function covers(pattern: unknown, action: string): boolean {
    return typeof pattern === "string"
        && new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action);
}

/** The escalation actions a statement allows: by `Action`, or by `NotAction` that leaves them out. */
function allowedActions(s: Statement & { NotAction?: string | string[] }, actions: string[]): string[] {
    if (s.Action !== undefined) return actions.filter((a) => list(s.Action).some((p) => covers(p, a)));
    if (s.NotAction !== undefined) return actions.filter((a) => !list(s.NotAction).some((p) => covers(p, a)));
    return [];
}

/** `*`, or an IAM ARN pattern that names every role (`arn:aws:iam::*:role/*`, `arn:aws:iam::<account>:*`). */
const everyRole = (r: unknown) => r === "*" || (typeof r === "string" && /^arn:aws:iam::(\*|\d{12}):(\*|role\/\*)$/.test(r));

/** A condition that the role touched carries a given boundary (`iam:PermissionsBoundary`, not `…IfExists`, which passes without one). */
const requiresBoundary = (s: Statement) => Object.entries(s.Condition ?? {}).some(([op, block]) => !/ifexists$/i.test(op)
    && block && typeof block === "object" && Object.keys(block).some((k) => k.toLowerCase() === "iam:permissionsboundary"));

/**
 * Privilege escalation through IAM (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html): a principal that may create a role, or put or
 * attach a policy on one, for every role and without requiring the role's permissions boundary can give itself anything;
 * one that may pass every role can hand an AWS service a role stronger than itself. Permissions boundaries (they grant
 * nothing) and the MFA-guarded break-glass role's documents are exempt, as for KMS.1.
 */
export const iamNoPrivilegeEscalation = stackPolicy({
    name: "iam-no-privilege-escalation",
    description:
        "No IAM policy allows iam:CreateRole, iam:PutRolePolicy or iam:AttachRolePolicy on every role without an " +
        "iam:PermissionsBoundary condition, nor iam:PassRole on every role; permissions boundaries and the MFA-guarded break-glass " +
        "role's are exempt.",
    metadata: {
        control: "FSBP IAM (privilege escalation; review decision)",
        severity: "critical",
        area: "iam",
        remediation:
            'Scope the role actions to the project\'s roles (`role/tms-*`) under `StringEquals: { "iam:PermissionsBoundary": <boundary ' +
            'ARNs> }`, and iam:PassRole to named roles (with `iam:PassedToService`).',
    },
    validate: (args, report) => {
        const roles = ofTypes(args.resources, [IAM_TYPES.role]);
        for (const r of ofTypes(args.resources, PERMISSION_TYPES)) {
            if (isEmergencyDocument(r.type, r.name, r.props)) continue;
            if (r.type === IAM_TYPES.policy && roles.some(role => dependsOn(role, "permissionsBoundary", r))) continue;
            const kind = r.type.split(":").pop();
            for (const { where, doc } of permissionDocuments(r.type, r.props)) {
                statements(doc).forEach((s, i) => {
                    if (s.Effect !== "Allow" || !list(s.Resource).some(everyRole)) return;
                    const unbounded = requiresBoundary(s) ? [] : allowedActions(s, BOUNDARY_GUARDED_ACTIONS);
                    if (unbounded.length)
                        report(
                            `${kind} "${r.name}": ${where}, ${label(s, i)} allows ${unbounded.join(", ")} on every role without an ` +
                            `iam:PermissionsBoundary condition: whoever holds it can give a role, and so itself, any permission.`,
                            r.urn,
                        );
                    if (allowedActions(s, ["iam:PassRole"]).length)
                        report(
                            `${kind} "${r.name}": ${where}, ${label(s, i)} allows iam:PassRole on every role: name the roles it may ` +
                            `pass (and the services, iam:PassedToService).`,
                            r.urn,
                        );
                });
            }
        }
    },
});

/** IAM.27 (https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-27). */
export const CLOUDSHELL_FULL_ACCESS = "arn:aws:iam::aws:policy/AWSCloudShellFullAccess";

export const iamNoCloudShellFullAccess = resourcePolicy({
    name: "iam-no-cloudshell-full-access",
    description: "No role has the AWSCloudShellFullAccess managed policy attached.",
    metadata: {
        control: "FSBP IAM.27",
        severity: "medium",
        area: "iam",
        remediation: "Detach AWSCloudShellFullAccess; grant the specific actions needed instead.",
    },
    types: [IAM_TYPES.rolePolicyAttachment, IAM_TYPES.role],
    validate: (props, args, report) => {
        const arns = args.type === IAM_TYPES.role ? list(read(props, "managedPolicyArns")) : [read(props, "policyArn")];
        if (arns.includes(CLOUDSHELL_FULL_ACCESS))
            report("AWSCloudShellFullAccess is attached: it allows file upload and download through CloudShell; remove it.");
    },
});

export const iamPolicies = [
    iamNoAdminWildcard, iamNoServiceWildcard, iamEmergencyAccessMfa, iamNoPublicTrust, iamServiceTrustConfusedDeputy,
    iamNoCloudShellFullAccess, kmsKeyRotation, kmsKeyPolicyNotPublic, kmsKeyPolicyConfusedDeputy,
];
export const iamStackPolicies = [iamNoKmsDecryptOnAllKeys, kmsKeyPolicyOwned, iamNoPrivilegeEscalation];
