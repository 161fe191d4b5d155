/**
 * S3 bucket policies. With @pulumi/aws v7 a bucket's settings live in companion resources
 * (public-access block, encryption, versioning, policy, ownership controls, logging), so these
 * are stack policies: a companion belongs to a bucket when its `bucket` property depends on the
 * bucket's URN (`propertyDependencies.bucket`). The ids themselves are unknown during preview and
 * are never compared; only a literal, known bucket *name* on both sides is accepted as a fallback.
 * Settings given inline on the bucket (deprecated inputs) also count.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { dependsOn, list, ofTypes, parseJson, read, resourcePolicy, stackPolicy, str, TYPES, UNKNOWN } from "./common";
import type { PolicyMetadata } from "./common";

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
} as const;

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
    metadata: { control: "FSBP S3.8", severity: "critical", area: "s3", remediation: "Add `aws.s3.BucketPublicAccessBlock` for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true." },
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
    description: "Every bucket has default server-side encryption (SSE-KMS or SSE-S3).",
    metadata: { control: "FSBP S3.17", severity: "high", area: "s3", remediation: "Add `aws.s3.BucketServerSideEncryptionConfiguration` with `sseAlgorithm: \"aws:kms\"` and the stack's KMS key." },
    companions: BUCKET_TYPES.encryption,
    check: (bucket, configs) => {
        if (inlineEncryption(bucket)) return undefined;
        const ok = configs.some(c => list(read(c.props, "rules")).some(r => {
            const alg = read(read(r, "applyServerSideEncryptionByDefault"), "sseAlgorithm");
            return alg === UNKNOWN || (typeof alg === "string" && alg.length > 0);
        }));
        return ok ? undefined : "no default encryption: add a BucketServerSideEncryptionConfiguration with sseAlgorithm \"aws:kms\".";
    },
});

export const s3Versioning = bucketPolicy({
    name: "s3-bucket-versioning",
    description: "Every bucket has versioning enabled.",
    metadata: { control: "FSBP S3.14", severity: "medium", area: "s3", remediation: "Add `aws.s3.BucketVersioning` with `versioningConfiguration: { status: \"Enabled\" }`." },
    companions: BUCKET_TYPES.versioning,
    check: (bucket, versionings) => {
        if (read(read(bucket.props, "versioning"), "enabled") === true) return undefined;
        if (list(read(bucket.props, "versionings")).some(v => read(v, "enabled") === true)) return undefined;
        const ok = versionings.some(v => { const s = read(read(v.props, "versioningConfiguration"), "status"); return s === "Enabled" || s === UNKNOWN; });
        return ok ? undefined : "versioning is not enabled: add a BucketVersioning with status \"Enabled\".";
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
    metadata: { control: "FSBP S3.5", severity: "high", area: "s3", remediation: "Add a BucketPolicy statement `{ Effect: \"Deny\", Principal: \"*\", Action: \"s3:*\", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { \"aws:SecureTransport\": \"false\" } } }`." },
    companions: BUCKET_TYPES.policy,
    check: (bucket, policies) => {
        const docs = [read(bucket.props, "policy"), ...policies.map(p => read(p.props, "policy"))];
        if (docs.some(d => d === UNKNOWN)) return undefined;
        if (policies.length === 0 && !docs[0]) return "no bucket policy: add a BucketPolicy that denies requests without aws:SecureTransport.";
        return docs.some(deniesInsecureTransport) ? undefined : "the bucket policy does not deny non-TLS requests: add a Deny statement on aws:SecureTransport = \"false\".";
    },
});

export const s3OwnershipControls = bucketPolicy({
    name: "s3-bucket-ownership-controls",
    description: "Every bucket disables ACLs with ownership controls `BucketOwnerEnforced`.",
    metadata: { control: "FSBP S3.12", severity: "medium", area: "s3", remediation: "Add `aws.s3.BucketOwnershipControls` with `rule: { objectOwnership: \"BucketOwnerEnforced\" }` (log buckets receiving ALB/CloudFront logs may need \"BucketOwnerPreferred\")." },
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
    metadata: { control: "FSBP S3.9", severity: "medium", area: "s3", remediation: "Add `aws.s3.BucketLogging` targeting the stack's log bucket." },
    companions: BUCKET_TYPES.logging,
    check: (bucket, loggings, all) => {
        if (loggings.length > 0 || read(bucket.props, "logging") || list(read(bucket.props, "loggings")).length > 0) return undefined;
        if (isLogDestination(bucket, all)) return undefined;
        return "server access logging is off: add a BucketLogging that targets the log bucket.";
    },
});

const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const s3NoPublicAcl = resourcePolicy({
    name: "s3-bucket-no-public-acl",
    description: "No bucket or bucket ACL grants public read or write.",
    metadata: { control: "FSBP S3.2, S3.3", severity: "critical", area: "s3", remediation: "Remove the canned ACL (use \"private\") and serve public content through CloudFront with origin access control." },
    types: [...BUCKET_TYPES.bucket, ...BUCKET_TYPES.acl],
    validate: (props, _args, report) => {
        const acl = read(props, "acl");
        if (typeof acl === "string" && PUBLIC_ACLS.has(acl)) report(`The canned ACL "${acl}" makes the bucket public: use "private".`);
    },
});

export const bucketStackPolicies = [s3PublicAccessBlock, s3Encryption, s3Versioning, s3TlsOnly, s3OwnershipControls, s3Logging];
export const bucketResourcePolicies = [s3NoPublicAcl];
