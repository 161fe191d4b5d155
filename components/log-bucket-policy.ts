import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketPolicyDocument, type SecureBucket } from "./secure-bucket";
import { allowServerAccessLogs } from "./storage";

export interface LogBucketPolicyArgs {
    /** The log bucket (created with `deferPolicy`, e.g. `StorageBuckets.logBucket` with `deferLogPolicy`). */
    bucket: SecureBucket;
    /** The account whose buckets may deliver logs (`aws:SourceAccount`). */
    accountId: pulumi.Input<string>;
    /** ARNs of every bucket whose server access logs go to `bucket`. */
    sources: pulumi.Input<string>[];
}

/**
 * A log bucket's one policy (S3 allows one per bucket): TLS only, and the S3 logging service may write the
 * access logs of `sources`, this account's only. A bucket logging into a target that does not grant it
 * loses its logs silently (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html),
 * which the policy `s3-log-target-grants-every-source` refuses. Some sources are created after the log
 * bucket, because they need its name (the CDN's static bucket): this component is built once they all
 * exist, from its Args, instead of a method of the bucket's owner to call at the right time.
 *
 * Its child was the log bucket's own `<bucket>-policy` and declares that URN as an alias: moving it here
 * replaces nothing (name this component like the bucket to keep the name too).
 */
export class LogBucketPolicy extends pulumi.ComponentResource {
    readonly policy: aws.s3.BucketPolicy;

    constructor(name: string, args: LogBucketPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:storage:LogBucketPolicy", name, {}, opts);
        const { bucket } = args;
        this.policy = new aws.s3.BucketPolicy(`${name}-policy`, {
            bucket: bucket.bucket.id,
            policy: pulumi.all([bucket.arn, args.accountId, ...args.sources]).apply(([arn, acct, ...sources]) =>
                bucketPolicyDocument(arn, [allowServerAccessLogs(arn, acct, sources as string[])])),
        }, { parent: this, dependsOn: [bucket.publicAccessBlock], aliases: [{ name: `${bucket.name}-policy`, parent: bucket }] });
        this.registerOutputs({});
    }
}
