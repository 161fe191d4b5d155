/**
 * S3 bucket policies. With @pulumi/aws v7 a bucket's settings live in companion resources
 * (public-access block, encryption, versioning, policy, ownership controls, logging), so these
 * are stack policies: a companion belongs to a bucket when its `bucket` property depends on the
 * bucket's URN (`propertyDependencies.bucket`). The ids themselves are unknown during preview and
 * are never compared; only a literal, known bucket *name* on both sides is accepted as a fallback.
 * Settings given inline on the bucket (deprecated inputs) also count.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { dependsOn, list, ofTypes, parseJson, read, resourcePolicy, stackPolicy, str, tagsOf, TYPES, UNKNOWN } from "./common";
import type { PolicyMetadata } from "./common";
import { anyone } from "./iam";

export const BUCKET_TYPES = {
    bucket: TYPES.bucket,
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    ownership: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    logging: ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
    lifecycle: [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ],
} as const;

/** Tag that exempts a bucket from SSE-KMS, with the reason as its value (explicit, never silent). */
export const ENCRYPTION_EXCEPTION_TAG = "EncryptionException";

/** Companions of `bucket` among `candidates`: joined through the `bucket` property dependency. */
export function companionsOf(bucket: PolicyResource, candidates: PolicyResource[], prop = "bucket"): PolicyResource[] {
    const name = str(read(bucket.props, "bucket"));
    return candidates.filter(c => dependsOn(c, prop, bucket) || (name !== undefined && str(read(c.props, prop)) === name));
}

interface BucketRule {
    name: string;
    description: string;
    metadata: PolicyMetadata;
    companions: readonly string[];
    /** Problem with the bucket's companions (undefined when compliant). */
    check: (bucket: PolicyResource, companions: PolicyResource[], all: PolicyResource[]) => string | undefined;
}

function bucketPolicy(rule: BucketRule) {
    return stackPolicy({
        name: rule.name,
        description: rule.description,
        metadata: rule.metadata,
        validate: (args: StackValidationArgs, report: ReportViolation) => {
            const companions = ofTypes(args.resources, rule.companions);
            for (const bucket of ofTypes(args.resources, BUCKET_TYPES.bucket)) {
                const problem = rule.check(bucket, companionsOf(bucket, companions), args.resources);
                if (problem) report(`Bucket "${bucket.name}": ${problem}`, bucket.urn);
            }
        },
    });
}

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlock = bucketPolicy({
    name: "s3-bucket-public-access-block",
    description: "Every bucket has a BucketPublicAccessBlock with all four settings true.",
    metadata: {
        control: "FSBP S3.2, S3.3, S3.8, CloudTrail.6",
        severity: "critical",
        area: "s3",
        remediation:
            "Add `aws.s3.BucketPublicAccessBlock` for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and " +
            "restrictPublicBuckets all true.",
    },
    companions: BUCKET_TYPES.publicAccessBlock,
    check: (_b, pabs) => {
        if (pabs.length === 0) return "no BucketPublicAccessBlock: add one with all four settings true.";
        const off = PAB_FLAGS.filter(f => !pabs.some(p => { const v = read(p.props, f); return v === true || v === UNKNOWN; }));
        return off.length ? `the public access block leaves ${off.join(", ")} off: set them to true.` : undefined;
    },
});

function inlineEncryption(bucket: PolicyResource): boolean {
    const legacy = read(bucket.props, "serverSideEncryptionConfiguration");
    const v2 = list(read(bucket.props, "serverSideEncryptionConfigurations"));
    return !!legacy || v2.length > 0;
}

export const s3Encryption = bucketPolicy({
    name: "s3-bucket-encryption",
    description: `Every bucket has default encryption with SSE-KMS; SSE-S3 only for log destinations (server access logging cannot ` +
        `deliver to SSE-KMS) or with an \`${ENCRYPTION_EXCEPTION_TAG}\` tag giving the reason.`,
    metadata: {
        control: "FSBP S3.17",
        severity: "high",
        area: "s3",
        remediation: 'Add `aws.s3.BucketServerSideEncryptionConfiguration` with `sseAlgorithm: "aws:kms"` and the stack\'s KMS key.',
    },
    companions: BUCKET_TYPES.encryption,
    check: (bucket, configs, all) => {
        if (inlineEncryption(bucket)) return undefined;
        const algorithms = configs.flatMap((c) =>
            list(read(c.props, "rules")).map((r) => read(read(r, "applyServerSideEncryptionByDefault"), "sseAlgorithm")),
        );
        if (!algorithms.some((a) => a === UNKNOWN || (typeof a === "string" && a.length > 0))) {
            return 'no default encryption: add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms".';
        }
        if (algorithms.some(a => a === UNKNOWN || (typeof a === "string" && a.startsWith("aws:kms")))) return undefined;
        const reason = tagsOf(bucket.props)[ENCRYPTION_EXCEPTION_TAG];
        if (isLogDestination(bucket, all) || (reason !== undefined && reason.trim() !== "")) return undefined;
        return `default encryption is ${algorithms.join(", ")}, not SSE-KMS: use "aws:kms" with the stack's key, or tag the bucket ` +
            `${ENCRYPTION_EXCEPTION_TAG} with the reason.`;
    },
});

export const s3Versioning = bucketPolicy({
    name: "s3-bucket-versioning",
    description: "Every bucket has versioning enabled.",
    metadata: {
        control: "FSBP S3.14",
        severity: "medium",
        area: "s3",
        remediation: 'Add `aws.s3.BucketVersioning` with `versioningConfiguration: { status: "Enabled" }`.',
    },
    companions: BUCKET_TYPES.versioning,
    check: (bucket, versionings) => {
        if (read(read(bucket.props, "versioning"), "enabled") === true) return undefined;
        if (list(read(bucket.props, "versionings")).some((v) => read(v, "enabled") === true)) return undefined;
        const ok = versionings.some((v) => {
            const s = read(read(v.props, "versioningConfiguration"), "status");
            return s === "Enabled" || s === UNKNOWN;
        });
        return ok ? undefined : 'versioning is not enabled: add a BucketVersioning with status "Enabled".';
    },
});

/** True when the bucket policy denies requests made without TLS. */
export function deniesInsecureTransport(policy: any): boolean {
    const doc = parseJson(policy);
    return list(doc?.Statement).some((s: any) => {
        if (s?.Effect !== "Deny") return false;
        const cond = s.Condition?.Bool?.["aws:SecureTransport"] ?? s.Condition?.BoolIfExists?.["aws:SecureTransport"];
        return String(cond).toLowerCase() === "false";
    });
}

export const s3TlsOnly = bucketPolicy({
    name: "s3-bucket-tls-only",
    description: "Every bucket policy denies requests that do not use TLS (aws:SecureTransport = false).",
    metadata: {
        control: "FSBP S3.5",
        severity: "high",
        area: "s3",
        remediation:
            'Add a BucketPolicy statement `{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], ' +
            'Condition: { Bool: { "aws:SecureTransport": "false" } } }`.',
    },
    companions: BUCKET_TYPES.policy,
    check: (bucket, policies) => {
        const docs = [read(bucket.props, "policy"), ...policies.map((p) => read(p.props, "policy"))];
        if (docs.some((d) => d === UNKNOWN)) return undefined;
        if (policies.length === 0 && !docs[0])
            return "no bucket policy: add a BucketPolicy that denies requests without aws:SecureTransport.";
        return docs.some(deniesInsecureTransport)
            ? undefined
            : 'the bucket policy does not deny non-TLS requests: add a Deny statement on aws:SecureTransport = "false".';
    },
});

export const s3OwnershipControls = bucketPolicy({
    name: "s3-bucket-ownership-controls",
    description: "Every bucket disables ACLs with ownership controls `BucketOwnerEnforced`.",
    metadata: {
        control: "FSBP S3.12",
        severity: "medium",
        area: "s3",
        remediation:
            'Add `aws.s3.BucketOwnershipControls` with `rule: { objectOwnership: "BucketOwnerEnforced" }` (log buckets receiving ' +
            'ALB/CloudFront logs may need "BucketOwnerPreferred").',
    },
    companions: BUCKET_TYPES.ownership,
    check: (_b, controls) => {
        if (controls.length === 0) return "no BucketOwnershipControls: add one with objectOwnership \"BucketOwnerEnforced\".";
        const ok = controls.some(c => {
            const o = read(read(c.props, "rule"), "objectOwnership");
            return o === UNKNOWN || o === "BucketOwnerEnforced" || o === "BucketOwnerPreferred";
        });
        return ok ? undefined : "ownership controls keep ObjectWriter ACLs: set objectOwnership to \"BucketOwnerEnforced\".";
    },
});

/**
 * Buckets that receive logs (the target of a BucketLogging, an ALB's `accessLogs`, or a
 * distribution's `loggingConfig`) are exempt from the logging rule: logging a log bucket
 * into itself loops, and into another bucket only moves the problem.
 */
export function isLogDestination(bucket: PolicyResource, all: PolicyResource[]): boolean {
    const refs: [readonly string[], string][] = [
        [BUCKET_TYPES.logging, "targetBucket"],
        [TYPES.loadBalancer, "accessLogs"],
        [["aws:cloudfront/distribution:Distribution"], "loggingConfig"],
    ];
    return refs.some(([types, prop]) => ofTypes(all, types).some(r => dependsOn(r, prop, bucket)));
}

export const s3Logging = bucketPolicy({
    name: "s3-bucket-logging",
    description: "Every bucket has server access logging (buckets that receive logs are exempt).",
    metadata: {
        control: "FSBP S3.9, CloudTrail.7",
        severity: "medium",
        area: "s3",
        remediation: "Add `aws.s3.BucketLogging` targeting the stack's log bucket.",
    },
    companions: BUCKET_TYPES.logging,
    check: (bucket, loggings, all) => {
        if (loggings.length > 0 || read(bucket.props, "logging") || list(read(bucket.props, "loggings")).length > 0) return undefined;
        if (isLogDestination(bucket, all)) return undefined;
        return "server access logging is off: add a BucketLogging that targets the log bucket.";
    },
});

export const s3Lifecycle = bucketPolicy({
    name: "s3-bucket-lifecycle",
    description: "Every bucket has a lifecycle configuration with at least one enabled rule.",
    metadata: {
        control: "FSBP S3.10, S3.13",
        severity: "low",
        area: "s3",
        remediation: "Add `aws.s3.BucketLifecycleConfiguration` with rules for noncurrent versions (and expiry of logs).",
    },
    companions: BUCKET_TYPES.lifecycle,
    check: (bucket, configs) => {
        if (list(read(bucket.props, "lifecycleRules")).length > 0) return undefined;
        const ok = configs.some((c) => {
            const rules = read(c.props, "rules");
            return rules === UNKNOWN || list(rules).some((r) => read(r, "status") === "Enabled");
        });
        return ok ? undefined : "no lifecycle configuration with an enabled rule: add a BucketLifecycleConfiguration.";
    },
});

/**
 * A bucket that is the target of server access logging must let the S3 logging service
 * (`logging.s3.amazonaws.com`) write for every source bucket, or the source's logs are dropped
 * silently (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
 * Joined through URNs: the target's policy document must have been computed from each source bucket
 * (`propertyDependencies.policy`), and, when known, contain an Allow for the logging service.
 */
export const s3LogTargetGrantsEverySource = stackPolicy({
    name: "s3-log-target-grants-every-source",
    description: "A server-access-log target bucket's policy lets logging.s3.amazonaws.com write for every bucket that logs into it.",
    metadata: {
        control: "FSBP S3.9",
        severity: "high",
        area: "s3",
        remediation:
            "Build the target's bucket policy with a `logging.s3.amazonaws.com` s3:PutObject grant whose aws:SourceArn lists every " +
            "source bucket.",
    },
    validate: (args, report) => {
        const buckets = ofTypes(args.resources, BUCKET_TYPES.bucket);
        const policies = ofTypes(args.resources, BUCKET_TYPES.policy);
        for (const logging of ofTypes(args.resources, BUCKET_TYPES.logging)) {
            const target = buckets.find(b => dependsOn(logging, "targetBucket", b));
            const source = buckets.find(b => dependsOn(logging, "bucket", b));
            if (!target || !source) continue;
            const mine = companionsOf(target, policies);
            const grants = mine.filter(p => {
                const doc = read(p.props, "policy");
                const allows = doc === UNKNOWN || list(parseJson(doc)?.Statement).some((s: any) =>
                    s?.Effect === "Allow" && list(s.Principal?.Service).includes("logging.s3.amazonaws.com"));
                return allows && dependsOn(p, "policy", source);
            });
            if (grants.length === 0) {
                report(
                    `Bucket "${target.name}" receives server access logs from "${source.name}" but its policy does not let ` +
                    `logging.s3.amazonaws.com write for it: the logs are dropped.`,
                    target.urn,
                );
            }
        }
    },
});

/** Actions S3.6 forbids granting to other accounts (https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6). */
export const CROSS_ACCOUNT_DENIED_ACTIONS = [
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
];

export const s3PolicyNoCrossAccountAdmin = resourcePolicy({
    name: "s3-bucket-policy-no-cross-account-admin",
    description: `Bucket policies grant no AWS principal ${CROSS_ACCOUNT_DENIED_ACTIONS.join(", ")} (or s3:* / *).`,
    metadata: {
        control: "FSBP S3.6",
        severity: "high",
        area: "s3",
        remediation: "Grant other accounts only the object actions they need (e.g. s3:PutObject for log delivery).",
    },
    types: BUCKET_TYPES.policy,
    validate: (props, _args, report) => {
        const denied = new Set([...CROSS_ACCOUNT_DENIED_ACTIONS.map(a => a.toLowerCase()), "s3:*", "*"]);
        list(parseJson(read(props, "policy"))?.Statement).forEach((s: any, i: number) => {
            if (s?.Effect !== "Allow" || !s.Principal || typeof s.Principal !== "object" && s.Principal !== "*") return;
            const aws = s.Principal === "*" ? ["*"] : list(s.Principal.AWS);
            const actions = list(s.Action).filter((a: any) => typeof a === "string" && denied.has(a.toLowerCase()));
            if (aws.length && actions.length)
                report(
                    `Statement ${s.Sid ? `"${s.Sid}"` : i} grants ${actions.join(", ")} to ${aws.join(", ")}: grant other accounts ` +
                    `object actions only.`,
                );
        });
    },
});

/**
 * S3.2 and S3.3 (https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-2): a bucket policy must not
 * grant every principal (`Principal: "*"`, or `{ AWS: "*" }`) anything without a condition; a condition that limits who
 * the principal may be (aws:PrincipalOrgID, aws:SourceVpce, …) is the caller's to justify, as for SNS.4 and KMS.5.
 */
export const s3PolicyNotPublic = resourcePolicy({
    name: "s3-bucket-policy-not-public",
    description: "Bucket policies grant nothing to every principal (`*`) without a condition.",
    metadata: {
        control: "FSBP S3.2, S3.3",
        severity: "critical",
        area: "s3",
        remediation:
            "Name the principals (an account, a role, a service with aws:SourceArn) instead of `*`; serve public content through " +
            "CloudFront with origin access control.",
    },
    types: BUCKET_TYPES.policy,
    validate: (props, _args, report) => {
        const doc = read(props, "policy");
        if (doc === UNKNOWN) return;
        list(parseJson(doc)?.Statement).forEach((s: any, i: number) => {
            if (s?.Effect === "Allow" && anyone(s.Principal) && !s.Condition) {
                report(
                    `Statement ${s.Sid ? `"${s.Sid}"` : i} grants ${list(s.Action).join(", ")} to every principal without a condition: ` +
                    `the bucket is public.`,
                );
            }
        });
    },
});

const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const s3NoPublicAcl = resourcePolicy({
    name: "s3-bucket-no-public-acl",
    description: "No bucket or bucket ACL grants public read or write.",
    metadata: {
        control: "FSBP S3.2, S3.3",
        severity: "critical",
        area: "s3",
        remediation: 'Remove the canned ACL (use "private") and serve public content through CloudFront with origin access control.',
    },
    types: [...BUCKET_TYPES.bucket, ...BUCKET_TYPES.acl],
    validate: (props, _args, report) => {
        const acl = read(props, "acl");
        if (typeof acl === "string" && PUBLIC_ACLS.has(acl)) report(`The canned ACL "${acl}" makes the bucket public: use "private".`);
    },
});

export const bucketStackPolicies = [
    s3PublicAccessBlock, s3Encryption, s3Versioning, s3TlsOnly, s3OwnershipControls, s3Logging, s3Lifecycle, s3LogTargetGrantsEverySource,
];
export const bucketResourcePolicies = [s3NoPublicAcl, s3PolicyNoCrossAccountAdmin, s3PolicyNotPublic];
