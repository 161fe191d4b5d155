import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";
import { transform, type Transform } from "./transform";

/** One IAM policy statement. */
export type Statement = Record<string, unknown>;

/** Deny every request that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): Statement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** A bucket's one policy: TLS only, plus `statements`. Pure. */
export function bucketPolicyDocument(bucketArn: string, statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(bucketArn), ...statements] });
}

export interface SecureBucketArgs {
    /** What the bucket is for (tag `BucketRole`). */
    role: string;
    /** Tag `Service`. */
    service: string;
    /**
     * SSE-KMS with this key and bucket keys (log buckets: log delivery cannot write SSE-KMS).
     * @default SSE-S3 (AES256)
     */
    kmsKeyArn?: pulumi.Input<string>;
    /** The bucket's lifecycle rules. */
    lifecycle: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
    /**
     * Server access logs of this bucket go to `logTo.bucket` under `logTo.prefix`; absent for log buckets themselves.
     * @default no access logging
     */
    logTo?: {
        /** The log bucket's name. */
        bucket: pulumi.Input<string>;
        /** The key prefix of this bucket's logs, e.g. `app/`. */
        prefix: pulumi.Input<string>;
    };
    /**
     * Statements added to the TLS-only policy, given the bucket's ARN (log delivery grants).
     * S3 allows one policy per bucket, so every grant on the bucket goes through here.
     * @default none: TLS only
     */
    statements?: (bucketArn: pulumi.Output<string>) => pulumi.Input<Statement[]>;
    /**
     * Leave the policy to a later `attachPolicy` call, for grants that name a resource created after
     * the bucket (CloudFront's origin access names the distribution, which names the bucket).
     * @default false
     */
    deferPolicy?: boolean;
    /**
     * Object ownership. CloudFront standard logging still writes with ACLs, so its log bucket uses
     * BucketOwnerPreferred.
     * @default "BucketOwnerEnforced" (ACLs off)
     */
    objectOwnership?: pulumi.Input<"BucketOwnerEnforced" | "BucketOwnerPreferred">;
    /**
     * Why the bucket is SSE-S3 rather than SSE-KMS when it is not a log destination (tag
     * `EncryptionException`): the policy `s3-bucket-encryption` (FSBP S3.17) accepts only a stated reason.
     * @default none (no tag)
     */
    encryptionException?: string;
    /**
     * `protect` and `retainOnDelete` the bucket (staging, prod, dr). Unprotected buckets are disposable:
     * `pulumi destroy` empties them (`forceDestroy`).
     */
    protect: boolean;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: {
        /**
         * The `aws.s3.Bucket` (its name is the component's).
         * @default none
         */
        bucket?: Transform<aws.s3.BucketArgs>;
    };
}

/**
 * An S3 bucket with every control the policy pack asks for: versioning, default encryption, all four
 * public-access-block flags, ownership controls, a TLS-only policy, lifecycle and access logging.
 */
export class SecureBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    readonly bucketName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    readonly regionalDomainName: pulumi.Output<string>;
    readonly domainName: pulumi.Output<string>;
    /** The component's name (its policy is `<name>-policy`). */
    readonly name: string;
    /** The bucket's public-access block; the bucket's policy is created after it. */
    readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:storage:SecureBucket", name, {}, opts);
        const child = { parent: this };
        this.bucket = new aws.s3.Bucket(...transform(args.transform?.bucket, name, {
            // Autonamed: bucket names are global across every AWS account. An unprotected (disposable) stack's
            // destroy empties its buckets, every version included; S3 refuses to delete a bucket that is not
            // empty (https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).
            forceDestroy: !args.protect,
            tags: serviceTags(
                args.service,
                { BucketRole: args.role, ...(args.encryptionException ? { EncryptionException: args.encryptionException } : {}) }
            ),
        }, { ...child, protect: args.protect, retainOnDelete: args.protect }));
        const bucket = this.bucket;

        this.versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, child);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: args.kmsKeyArn
                ? [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                        bucketKeyEnabled: true,
                    }
                ]
                : [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }, child);
        const publicBlock = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, child);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucket.id,
            rule: { objectOwnership: args.objectOwnership ?? "BucketOwnerEnforced" },
        }, child);
        this.name = name;
        this.publicAccessBlock = publicBlock;
        if (!args.deferPolicy) this.attachPolicy(args.statements ? args.statements(bucket.arn) : []);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.id,
            rules: args.lifecycle,
        }, { ...child, dependsOn: [this.versioning] });
        if (args.logTo) {
            new aws.s3.BucketLogging(`${name}-logging`, {
                bucket: bucket.id,
                targetBucket: args.logTo.bucket,
                targetPrefix: args.logTo.prefix,
            }, child);
        }
        this.bucketName = bucket.bucket;
        this.arn = bucket.arn;
        this.regionalDomainName = bucket.bucketRegionalDomainName;
        this.domainName = bucket.bucketDomainName;
        this.registerOutputs({ bucketName: this.bucketName, arn: this.arn });
    }

    /** The bucket's one policy: TLS only, plus `statements`. Called once (by the constructor unless deferred). */
    attachPolicy(statements: pulumi.Input<Statement[]>): aws.s3.BucketPolicy {
        return new aws.s3.BucketPolicy(`${this.name}-policy`, {
            bucket: this.bucket.id,
            policy: pulumi.all([this.bucket.arn, statements]).apply(([arn, extra]) => bucketPolicyDocument(arn, extra as Statement[])),
        }, { parent: this, dependsOn: [this.publicAccessBlock] });
    }
}
