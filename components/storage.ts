/**
 * The environment's S3 buckets: the application bucket (each service writes under `<service>/`)
 * and the access-log bucket; in prod also the cross-region replica of the application bucket (and
 * its own log bucket) in the DR region, written by S3 replication with Replication Time Control.
 *
 * Every bucket gets the same controls: versioning, default encryption, all four public-access
 * blocks, BucketOwnerEnforced ownership (ACLs off), a policy denying non-TLS requests, and a
 * lifecycle configuration. Application and replica buckets log their accesses to a log bucket in
 * their region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";
import { SecureBucket, Statement } from "./secure-bucket";
import { transform, type Transform } from "./transform";

/** The lifecycle fields of the args (what `tms:storage` sets, components/from-config.ts). */
export type StorageLifecycleArgs = Pick<StorageBucketsArgs,
    "expireCurrentAfterDays" | "noncurrentTransitionDays" | "noncurrentExpireAfterDays" | "logExpireAfterDays">;

/** Replication Time Control: S3 replicates 99.99% of objects within 15 minutes (and reports on it). */
export const RTC_MINUTES = 15;

type Lifecycle = aws.types.input.s3.BucketLifecycleConfigurationRule;

/**
 * Lifecycle of the application (and replica) bucket: dev/staging expire current versions after
 * N days; prod keeps current versions, moves noncurrent ones to STANDARD_IA, then deletes them.
 */
export function appLifecycleRules(s: StorageLifecycleArgs): Lifecycle[] {
    const rule: Lifecycle = {
        id: "versions",
        status: "Enabled",
        filter: {},
        // When current versions never expire, clean up delete markers left without versions.
        expiration: s.expireCurrentAfterDays !== undefined ? { days: s.expireCurrentAfterDays } : { expiredObjectDeleteMarker: true },
        noncurrentVersionTransitions: s.noncurrentTransitionDays !== undefined
            ? [{ noncurrentDays: s.noncurrentTransitionDays, storageClass: "STANDARD_IA" }]
            : undefined,
        noncurrentVersionExpiration: { noncurrentDays: s.noncurrentExpireAfterDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    };
    return [rule];
}

/** Lifecycle of a log bucket: access logs are deleted after N days. */
export function logLifecycleRules(s: StorageLifecycleArgs): Lifecycle[] {
    return [{
        id: "expire-logs",
        status: "Enabled",
        filter: {},
        expiration: { days: s.logExpireAfterDays },
        noncurrentVersionExpiration: { noncurrentDays: 1 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    }];
}

/** Let the S3 logging service write access logs from this account's given source buckets. */
export function allowServerAccessLogs(logBucketArn: string, accountId: string, sourceBucketArns: string[]): Statement {
    return {
        Sid: "S3ServerAccessLogs",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${logBucketArn}/*`,
        Condition: {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": sourceBucketArns },
        },
    };
}

/** Trust of the replication role: S3, for this account's source bucket only. */
export function replicationTrustPolicy(accountId: string, sourceBucketArn: string): Statement {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": sourceBucketArn } },
        }],
    };
}

/**
 * The replication role's policy, least privilege: read the source's replication config and list it,
 * read object versions of the source, replicate into the destination, decrypt with the source key
 * only through S3 in the source region, encrypt with the replica key (and decrypt with it, which S3
 * Bucket Keys require) only through S3 in the destination region.
 */
export function replicationPolicy(p: {
    sourceArn: string; destinationArn: string; sourceKeyArn: string; replicaKeyArn: string;
    sourceRegion: string; destinationRegion: string;
}): Statement {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "SourceBucket", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: p.sourceArn },
            {
                Sid: "SourceObjects", Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                Resource: `${p.sourceArn}/*`,
            },
            {
                Sid: "DestinationObjects", Effect: "Allow",
                Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                Resource: `${p.destinationArn}/*`,
            },
            {
                Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: p.sourceKeyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": `s3.${p.sourceRegion}.amazonaws.com` },
                    // With S3 Bucket Keys the context is the bucket ARN; objects written before them carry their own ARN.
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": [p.sourceArn, `${p.sourceArn}/*`] },
                },
            },
            {
                // The replica bucket uses an S3 Bucket Key: S3 then also calls kms:Decrypt on the replica key as
                // the replication role, to verify the bucket key before using it
                // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication).
                Sid: "EncryptReplica", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt"], Resource: p.replicaKeyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": `s3.${p.destinationRegion}.amazonaws.com` },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": [p.destinationArn, `${p.destinationArn}/*`] },
                },
            },
        ],
    };
}

export interface StorageBucketsArgs {
    /**
     * Expire current object versions after N days (dev, staging). Plain, as are the other lifecycle days:
     * whether it is set decides the shape of the lifecycle rule.
     * @default never: current versions are kept and expired delete markers cleaned up (prod)
     */
    expireCurrentAfterDays?: number;
    /**
     * Move noncurrent versions to STANDARD_IA after N days (at least 30, an S3 rule).
     * @default no transition
     */
    noncurrentTransitionDays?: number;
    /** Delete noncurrent versions after N days. */
    noncurrentExpireAfterDays: number;
    /** Access-log objects are deleted after N days. */
    logExpireAfterDays: number;
    /**
     * Replicate the application bucket to this region (prod → us-west-2), with `replica`'s provider and key.
     * Plain: it decides whether the replica buckets exist.
     * @default no replication
     */
    replicationRegion?: string;
    /** This stack's region (the source of replication; plain: checked against `replicationRegion`). */
    region: string;
    /** The account the buckets live in (the log-delivery and replication grants name it). */
    accountId: pulumi.Input<string>;
    /** ARN of the storage KMS key in this region (application bucket SSE-KMS). */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * When `replicationRegion` is set: that region's explicit provider and the storage key
     * created there (S3 encrypts replicas with a key of the destination region).
     * @default none (required with `replicationRegion`)
     */
    replica?: {
        /** A provider of `replicationRegion`. */
        provider: pulumi.ProviderResource;
        /** The storage key in `replicationRegion`. */
        kmsKeyArn: pulumi.Input<string>;
    };
    /** `protect` and `retainOnDelete` the buckets (plain: resource options). */
    protect: boolean;
    /**
     * The stack's workload boundary, carried by the replication role.
     * @default no permissions boundary
     */
    permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * Leave the log bucket's policy to a `LogBucketPolicy` built once every bucket logging into `logBucket`
     * exists (the CDN's static bucket is created after this component: it needs `logBucketName`). Its
     * sources are then `bucketArn` and those buckets.
     * @default false: the log bucket's policy grants the application bucket only, written here
     */
    deferLogPolicy?: boolean;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: StorageBucketsTransforms;
}

/** The children of `StorageBuckets` a user can adjust. */
export interface StorageBucketsTransforms {
    /**
     * Each `aws.s3.Bucket` (application, logs, and in prod the replica and its logs); the function form gets
     * the bucket's name, `<name>-app`, `<name>-logs`, `<name>-replica`, `<name>-replica-logs`.
     * @default none (the args as computed)
     */
    bucket?: Transform<aws.s3.BucketArgs>;
    /**
     * The `aws.s3.BucketReplicationConfig` (prod).
     * @default none (the args as computed)
     */
    replication?: Transform<aws.s3.BucketReplicationConfigArgs>;
}

/** Validate args that depend on each other (replication needs its provider and key). */
export function validateStorageArgs(a: Pick<StorageBucketsArgs, "replicationRegion" | "region" | "replica">): void {
    if (a.replicationRegion && !a.replica) {
        throw new Error(`StorageBuckets: replicationRegion ${a.replicationRegion} needs replica.provider and replica.kmsKeyArn`);
    }
    if (a.replicationRegion === a.region) {
        throw new Error(`StorageBuckets: replicationRegion must differ from the bucket's region ${a.region}`);
    }
}

export class StorageBuckets extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly logBucketName: pulumi.Output<string>;
    readonly replicaBucketName?: pulumi.Output<string>;
    readonly replicaBucketArn?: pulumi.Output<string>;
    /** The access-log bucket of the application bucket (and of other buckets: `deferLogPolicy`). */
    readonly logBucket: SecureBucket;
    private readonly name: string;
    private readonly args: StorageBucketsArgs;

    constructor(name: string, args: StorageBucketsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:data:StorageBuckets", name, {}, opts);
        validateStorageArgs(args);
        this.name = name;
        this.args = args;
        const s = args;

        const [app, logs] = this.bucketWithLogs("app", "logs", args.kmsKeyArn);
        this.logBucket = logs;
        if (!args.deferLogPolicy) StorageBuckets.grantLogSources(logs, args.accountId, [app.arn]);
        this.bucketName = app.bucketName;
        this.bucketArn = app.arn;
        this.logBucketName = logs.bucketName;

        if (s.replicationRegion && args.replica) {
            const [replica, replicaLogs] = this.bucketWithLogs("replica", "replica-logs", args.replica.kmsKeyArn, args.replica.provider);
            // Only the replica logs into the replica-region log bucket.
            StorageBuckets.grantLogSources(replicaLogs, this.args.accountId, [replica.arn]);
            this.replicate(app, replica, s.replicationRegion, args.replica.kmsKeyArn);
            this.replicaBucketName = replica.bucketName;
            this.replicaBucketArn = replica.arn;
        }
        this.registerOutputs({
            bucketName: this.bucketName,
            logBucketName: this.logBucketName,
            replicaBucketName: this.replicaBucketName,
            replicaBucketArn: this.replicaBucketArn,
        });
    }

    private static grantLogSources(
        logs: SecureBucket,
        accountId: pulumi.Input<string>,
        sources: pulumi.Input<string>[]
    ): aws.s3.BucketPolicy {
        return logs.attachPolicy(pulumi.all([logs.arn, accountId, ...sources]).apply(([arn, acct, ...sourceArns]) =>
            [allowServerAccessLogs(arn, acct, sourceArns as string[])]));
    }

    /**
     * A data bucket (SSE-KMS) and the log bucket receiving its access logs (SSE-S3: S3 server access
     * logging cannot deliver to SSE-KMS buckets). The log bucket's grant names its sources, so its
     * policy is attached once they all exist.
     */
    private bucketWithLogs(
        role: string,
        logRole: string,
        kmsKeyArn: pulumi.Input<string>,
        provider?: pulumi.ProviderResource
    ): [SecureBucket, SecureBucket] {
        const s = this.args;
        const opts = { parent: this, ...(provider ? { providers: { aws: provider } } : {}) };
        const common = { service: "storage", protect: this.args.protect, transform: { bucket: this.args.transform?.bucket } };
        const logs = new SecureBucket(
            `${this.name}-${logRole}`,
            { ...common, role: logRole, lifecycle: logLifecycleRules(s), deferPolicy: true },
            opts
        );
        const data = new SecureBucket(`${this.name}-${role}`, {
            ...common,
            role,
            kmsKeyArn,
            lifecycle: appLifecycleRules(s),
            logTo: { bucket: logs.bucket.id, prefix: `${role}/` },
        }, opts);
        return [data, logs];
    }

    private replicate(
        source: SecureBucket,
        destination: SecureBucket,
        destinationRegion: string,
        replicaKeyArn: pulumi.Input<string>,
    ): void {
        const role = new aws.iam.Role(`${this.name}-replication-role`, {
            description: "S3 replication of the tms application bucket to the DR region",
            // Confused-deputy guard (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html):
            // S3 may assume the role only to replicate this account's source bucket.
            assumeRolePolicy: pulumi.all([this.args.accountId, source.bucket.arn]).apply(([acct, sourceArn]) =>
                JSON.stringify(replicationTrustPolicy(acct, sourceArn))),
            permissionsBoundary: this.args.permissionsBoundaryArn,
            tags: serviceTags("storage"),
        }, { parent: this });
        const policy = new aws.iam.RolePolicy(`${this.name}-replication-policy`, {
            role: role.id,
            policy: pulumi.all([source.bucket.arn, destination.bucket.arn, this.args.kmsKeyArn, replicaKeyArn]).apply(
                ([sourceArn, destinationArn, sourceKeyArn, replicaArn]) => JSON.stringify(replicationPolicy({
                    sourceArn, destinationArn, sourceKeyArn, replicaKeyArn: replicaArn,
                    sourceRegion: this.args.region, destinationRegion,
                }))),
        }, { parent: this });
        new aws.s3.BucketReplicationConfig(...transform(this.args.transform?.replication, `${this.name}-replication`, {
            bucket: source.bucket.id,
            role: role.arn,
            rules: [{
                id: "to-dr-region",
                status: "Enabled",
                priority: 1,
                filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: {
                    bucket: destination.bucket.arn,
                    storageClass: "STANDARD",
                    encryptionConfiguration: { replicaKmsKeyId: replicaKeyArn },
                    replicationTime: { status: "Enabled", time: { minutes: RTC_MINUTES } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } },
                },
            }],
        }, { parent: this, dependsOn: [source.versioning, destination.versioning, policy] }));
    }
}
