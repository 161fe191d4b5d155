import { strict as assert } from "assert";
import { appLifecycleRules, replicationPolicy, RTC_MINUTES, validateStorageArgs } from "../../components/storage";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, json, plan, Plan, stackConfig, STACKS } from "../harness";
import type { RecordedResource } from "../../tools/record";
import { aliasesOf } from "../../tools/urn-inventory";
import { GUIDE, key, KEY } from "./data-helpers";

const BUCKET = "aws:s3/bucket:Bucket";
const S3 = (t: string) => `aws:s3/${t[0].toLowerCase()}${t.slice(1)}:${t}`;
const PROVIDER = "pulumi:providers:aws";

/** The one companion resource of `type` attached to `bucket` (through its `bucket` input). */
function companion(p: Plan, type: string, bucket: RecordedResource): RecordedResource {
    const found = p.ofType(S3(type)).filter((r) => p.dependsOn(r, "bucket", bucket));
    assert.equal(found.length, 1, `${type} of ${bucket.name}: ${found.length}`);
    return found[0];
}

/** Every control a bucket must carry, whatever its role. */
function assertControls(p: Plan, bucket: RecordedResource, protect: boolean, ownership = "BucketOwnerEnforced"): void {
    assert.equal(companion(p, "BucketVersioning", bucket).inputs.versioningConfiguration.status, "Enabled");
    const pab = companion(p, "BucketPublicAccessBlock", bucket).inputs;
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[flag], true, flag);
    assert.equal(companion(p, "BucketOwnershipControls", bucket).inputs.rule.objectOwnership, ownership, `${bucket.name} ownership`);
    const policy = json(companion(p, "BucketPolicy", bucket).inputs.policy);
    const deny = policy.Statement.find((s: any) => s.Effect === "Deny");
    assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.deepEqual(deny.Resource, [bucket.outputs.arn, `${bucket.outputs.arn}/*`]);
    assert.equal(deny.Action, "s3:*");
    assert.ok(companion(p, "BucketLifecycleConfiguration", bucket).inputs.rules.length > 0);
    assert.equal(bucket.options.protect, protect, `${bucket.name} protect`);
    assert.equal(bucket.options.retainOnDelete, protect, `${bucket.name} retainOnDelete`);
    // Protected buckets refuse to be emptied; a disposable stack's destroy empties them (S3 deletes only empty buckets).
    assert.equal(bucket.inputs.forceDestroy, !protect, `${bucket.name} forceDestroy`);
}

function encryption(p: Plan, bucket: RecordedResource) {
    const e = companion(p, "BucketServerSideEncryptionConfiguration", bucket);
    return { resource: e, rule: e.inputs.rules[0] };
}

/** Buckets that `r` writes logs into, through any of the three ways AWS delivers logs to S3. */
function logTargets(p: Plan, r: RecordedResource): RecordedResource[] {
    const buckets = p.ofType(BUCKET);
    if (r.type === S3("BucketLogging")) return buckets.filter((b) => p.dependsOn(r, "targetBucket", b));
    if (r.type === "aws:lb/loadBalancer:LoadBalancer") return buckets.filter((b) => p.dependsOn(r, "accessLogs", b));
    if (r.type === "aws:cloudfront/distribution:Distribution") return buckets.filter((b) => p.dependsOn(r, "loggingConfig", b));
    return [];
}

describe("data: every bucket of the plan", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            before(async () => { p = await plan(stack); });

            it("carries every control, protect and retainOnDelete as the stack says, default encryption", () => {
                const buckets = p.ofType(BUCKET);
                assert.ok(buckets.length >= 1);
                for (const b of buckets) {
                    // CloudFront standard logging still writes with ACLs: its log bucket alone keeps BucketOwnerPreferred.
                    assertControls(p, b, GUIDE[stack].protect, b.inputs.tags.BucketRole === "cdn-logs" ? "BucketOwnerPreferred" : "BucketOwnerEnforced");
                    const alg = encryption(p, b).rule.applyServerSideEncryptionByDefault.sseAlgorithm;
                    assert.ok(alg === "aws:kms" || alg === "AES256", `${b.name}: ${alg}`);
                }
            });

            it("logs every bucket's accesses, except log destinations, into a bucket whose policy grants exactly its sources", () => {
                const buckets = p.ofType(BUCKET);
                const writers = p.resources.filter((r) => logTargets(p, r).length > 0);
                const destinations = new Set(writers.flatMap((r) => logTargets(p, r)).map((b) => b.urn));
                for (const b of buckets) {
                    const logging = p.ofType(S3("BucketLogging")).filter((l) => p.dependsOn(l, "bucket", b));
                    if (destinations.has(b.urn)) {
                        assert.equal(logging.length, 0, `${b.name} receives logs and does not log itself`);
                        continue;
                    }
                    assert.equal(logging.length, 1, `${b.name} has server access logging`);
                }
                // A server-access-log target admits the S3 logging service for exactly the buckets that log into it.
                for (const target of buckets) {
                    const sources = p.ofType(S3("BucketLogging")).filter((l) => p.dependsOn(l, "targetBucket", target))
                        .map((l) => buckets.find((b) => p.dependsOn(l, "bucket", b))!);
                    if (sources.length === 0) continue;
                    const allow = json(companion(p, "BucketPolicy", target).inputs.policy).Statement
                        .filter((s: any) => s.Effect === "Allow" && s.Principal?.Service === "logging.s3.amazonaws.com");
                    assert.equal(allow.length, 1, `${target.name} grants the logging service once`);
                    assert.deepEqual([...allow[0].Condition.ArnLike["aws:SourceArn"]].sort(), sources.map((x) => x.outputs.arn).sort(), `${target.name} sources`);
                    assert.equal(allow[0].Condition.StringEquals["aws:SourceAccount"], "111122223333");
                }
            });
        });
    }
});

describe("data: S3 buckets", () => {
    for (const stack of ["dev", "staging", "prod"] as const) {
        describe(stack, () => {
            let p: Plan;
            const g = GUIDE[stack];
            before(async () => { p = await plan(stack); });

            it("encrypts the application bucket with the storage key (bucket key on) and the log bucket with SSE-S3", () => {
                const app = encryption(p, p.one(BUCKET, "storage-app"));
                assert.equal(app.rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                assert.equal(app.rule.bucketKeyEnabled, true);
                assert.ok(p.dependsOn(app.resource, "rules", key(p, "storage")));
                const logs = encryption(p, p.one(BUCKET, "storage-logs"));
                assert.equal(logs.rule.applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            });

            it("logs application-bucket access into the log bucket, which admits the S3 logging service for this account's sources", () => {
                const app = p.one(BUCKET, "storage-app");
                const logs = p.one(BUCKET, "storage-logs");
                const logging = companion(p, "BucketLogging", app);
                assert.ok(p.dependsOn(logging, "targetBucket", logs));
                assert.equal(logging.inputs.targetPrefix, "app/");
                const allow = json(companion(p, "BucketPolicy", logs).inputs.policy).Statement.find((s: any) => s.Effect === "Allow");
                assert.deepEqual(allow.Principal, { Service: "logging.s3.amazonaws.com" });
                assert.equal(allow.Action, "s3:PutObject");
                // prod: the CDN's static bucket logs here too, so the grant names it as well.
                const sources = stack === "prod" ? [app.outputs.arn, p.one(BUCKET, "cdn-static").outputs.arn] : [app.outputs.arn];
                assert.deepEqual(allow.Condition.ArnLike["aws:SourceArn"], sources);
                assert.equal(allow.Condition.StringEquals["aws:SourceAccount"], "111122223333");
            });

            it("writes the log bucket's one policy once every source exists, under its former URN", () => {
                const policy = companion(p, "BucketPolicy", p.one(BUCKET, "storage-logs"));
                const bucketUrn = "urn:pulumi:" + stack + "::tms::tms:index:EnvironmentStack$tms:data:DataTier$tms:data:StorageBuckets$tms:storage:SecureBucket";
                if (stack === "prod") {
                    // The CDN's static bucket is created after the storage (it needs the log bucket's name): a
                    // LogBucketPolicy built after it grants both, aliased to the policy the log bucket owned.
                    assert.equal(p.byUrn(policy.parent!).type, "tms:storage:LogBucketPolicy");
                    const real = [...aliasesOf(p.result).entries()].find(([u]) => u.endsWith("::tms-data-storage-logs-policy"))!;
                    assert.deepEqual(real[1], [`${bucketUrn}$aws:s3/bucketPolicy:BucketPolicy::tms-data-storage-logs-policy`]);
                } else {
                    assert.equal(p.byUrn(policy.parent!).type, "tms:storage:SecureBucket");
                    assert.deepEqual(policy.options.aliases ?? [], []);
                }
            });

            it("applies the guide's lifecycle", () => {
                const [app] = companion(p, "BucketLifecycleConfiguration", p.one(BUCKET, "storage-app")).inputs.rules;
                const cfg = stackConfig(stack)["tms:storage"];
                assert.equal(app.status, "Enabled");
                if (g.expireCurrent !== undefined) {
                    assert.equal(app.expiration.days, g.expireCurrent);
                } else {
                    assert.equal(app.expiration.days, undefined, "prod keeps current versions");
                    assert.equal(app.expiration.expiredObjectDeleteMarker, true);
                    assert.deepEqual(app.noncurrentVersionTransitions, [{ noncurrentDays: 30, storageClass: "STANDARD_IA" }]);
                    assert.ok(app.noncurrentVersionExpiration.noncurrentDays > 30);
                }
                assert.equal(app.noncurrentVersionExpiration.noncurrentDays, cfg.noncurrentExpireAfterDays);
                const [logs] = companion(p, "BucketLifecycleConfiguration", p.one(BUCKET, "storage-logs")).inputs.rules;
                assert.equal(logs.expiration.days, cfg.logExpireAfterDays);
            });

            it("exports the bucket names", () => {
                assert.equal(p.outputs.bucketName, p.one(BUCKET, "storage-app").outputs.bucket);
                assert.equal(p.outputs.logBucketName, p.one(BUCKET, "storage-logs").outputs.bucket);
            });

            if (stack !== "prod") {
                it("does not replicate", () => {
                    assert.equal(p.ofType(S3("BucketReplicationConfig")).length, 0);
                    assert.equal(p.outputs.replicaBucketName, undefined);
                });
            }
        });
    }

    describe("prod cross-region replication", () => {
        let p: Plan;
        let provider: RecordedResource, replica: RecordedResource, replicaKey: RecordedResource;
        before(async () => {
            p = await plan("prod");
            provider = p.ofType(PROVIDER).find((r) => r.inputs.region === "us-west-2" && r.name.startsWith("tms-data-"))!;
            replica = p.one(BUCKET, "storage-replica");
            replicaKey = p.one(KEY, "storage-us-west-2");
        });

        it("creates the replica bucket, its log bucket and key in us-west-2 through the explicit provider", () => {
            assert.ok(provider, "a us-west-2 provider");
            const home = p.ofType(PROVIDER).find((r) => r.name === "aws")!;
            assert.deepEqual(json(provider.inputs.defaultTags), json(home.inputs.defaultTags), "same default tags as the home provider");
            for (const r of [replica, p.one(BUCKET, "replica-logs"), replicaKey]) {
                assert.equal(r.options.provider, provider.urn, r.name);
            }
            assert.equal(replica.outputs.region, "us-west-2");
            assert.match(replicaKey.outputs.arn, /^arn:aws:kms:us-west-2:/);
            assert.equal(replicaKey.inputs.enableKeyRotation, true);
            assert.equal(replicaKey.options.protect, true);
            // Every AWS resource of the replica and its log bucket (children of their SecureBucket components).
            const replicaParts = p.childrenOf(p.one("tms:data:StorageBuckets"))
                .filter((x) => /-storage-replica(-logs)?$/.test(x.name))
                .flatMap((c) => (c.custom ? [c] : p.childrenOf(c)));
            assert.ok(replicaParts.length >= 14, `${replicaParts.length} replica resources`);
            for (const r of replicaParts) {
                assert.equal(r.options.provider, provider.urn, `${r.name} goes through the us-west-2 provider`);
            }
        });

        it("gives the replica the same controls, encrypted with the us-west-2 key", () => {
            assertControls(p, replica, true);
            assertControls(p, p.one(BUCKET, "replica-logs"), true);
            const e = encryption(p, replica);
            assert.equal(e.rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            assert.ok(p.dependsOn(e.resource, "rules", replicaKey));
            assert.ok(p.dependsOn(companion(p, "BucketLogging", replica), "targetBucket", p.one(BUCKET, "replica-logs")));
        });

        it("replicates every object with RTC (15 minutes), metrics and delete markers, re-encrypting with the replica key", () => {
            const rc = p.one(S3("BucketReplicationConfig"));
            const app = p.one(BUCKET, "storage-app");
            assert.ok(p.dependsOn(rc, "bucket", app));
            assert.equal(rc.inputs.rules.length, 1);
            const [rule] = rc.inputs.rules;
            assert.equal(rule.status, "Enabled");
            assert.deepEqual(rule.filter, {});
            assert.equal(rule.deleteMarkerReplication.status, "Enabled");
            assert.equal(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled");
            assert.equal(rule.destination.bucket, replica.outputs.arn);
            assert.equal(rule.destination.encryptionConfiguration.replicaKmsKeyId, replicaKey.outputs.arn);
            assert.deepEqual(rule.destination.replicationTime, { status: "Enabled", time: { minutes: RTC_MINUTES } });
            assert.deepEqual(rule.destination.metrics, { status: "Enabled", eventThreshold: { minutes: RTC_MINUTES } });
            // Replication needs versioning on both sides first.
            const versionings = p.ofType(S3("BucketVersioning")).filter((v) => p.dependsOn(v, "bucket", app) || p.dependsOn(v, "bucket", replica));
            for (const v of versionings) assert.ok(rc.options.dependsOn?.includes(v.urn), `waits for ${v.name}`);
            assert.equal(rc.options.provider === provider.urn, false, "configured on the source bucket's (default) provider");
        });

        it("uses its own least-privilege replication role", () => {
            const rc = p.one(S3("BucketReplicationConfig"));
            const role = p.one("aws:iam/role:Role", "replication-role");
            assert.ok(p.dependsOn(rc, "role", role));
            assert.deepEqual(json(role.inputs.assumeRolePolicy).Statement.map((s: any) => s.Principal.Service), ["s3.amazonaws.com"]);
            const app = p.one(BUCKET, "storage-app").outputs.arn;
            const policy = json(p.one("aws:iam/rolePolicy:RolePolicy", "replication-policy").inputs.policy);
            const byAction = new Map<string, any[]>();
            for (const s of policy.Statement) {
                assert.equal(s.Effect, "Allow");
                for (const a of [s.Action].flat()) byAction.set(a, [...(byAction.get(a) ?? []), s]);
            }
            assert.deepEqual([...byAction.keys()].sort(), [
                "kms:Decrypt", "kms:Encrypt",
                "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging",
                "s3:GetReplicationConfiguration", "s3:ListBucket",
                "s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags",
            ]);
            assert.equal(byAction.get("s3:ListBucket")![0].Resource, app);
            assert.equal(byAction.get("s3:GetObjectVersionForReplication")![0].Resource, `${app}/*`);
            assert.equal(byAction.get("s3:ReplicateObject")![0].Resource, `${replica.outputs.arn}/*`);
            const decrypt = byAction.get("kms:Decrypt")![0];
            assert.equal(decrypt.Resource, key(p, "storage").outputs.arn);
            assert.equal(decrypt.Condition.StringEquals["kms:ViaService"], "s3.us-east-1.amazonaws.com");
            // Bucket keys are on: the encryption context is the bucket ARN (object ARNs for older objects).
            assert.deepEqual(decrypt.Condition.StringLike["kms:EncryptionContext:aws:s3:arn"], [app, `${app}/*`]);
            const encrypt = byAction.get("kms:Encrypt")![0];
            assert.equal(encrypt.Resource, replicaKey.outputs.arn);
            assert.equal(encrypt.Condition.StringEquals["kms:ViaService"], "s3.us-west-2.amazonaws.com");
            assert.deepEqual(encrypt.Condition.StringLike["kms:EncryptionContext:aws:s3:arn"], [replica.outputs.arn, `${replica.outputs.arn}/*`]);
            for (const s of policy.Statement) assert.notEqual(s.Resource, "*");
            // Confused-deputy guard: S3 assumes the role only for this account's source bucket.
            const trust = json(p.one("aws:iam/role:Role", "replication-role").inputs.assumeRolePolicy).Statement;
            assert.deepEqual(trust, [{
                Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": "111122223333" }, ArnLike: { "aws:SourceArn": app } },
            }]);
        });

        it("exports the replica bucket and its key for dr", () => {
            assert.equal(p.outputs.replicaBucketName, replica.outputs.bucket);
            assert.equal(p.outputs.replicaBucketArn, replica.outputs.arn);
            assert.equal(p.outputs.replicaBucketKeyArn, replicaKey.outputs.arn);
        });
    });

    describe("dr", () => {
        it("uses prod's replica bucket instead of creating its own", async () => {
            const [prod, dr] = await Promise.all([plan("prod"), plan("dr")]);
            // dr's only data-path bucket is its ALB's access-log bucket (the audit trail's buckets are the security component's).
            assert.deepEqual(dr.ofType(BUCKET).filter((b) => b.inputs.tags.Service !== "security").map((b) => b.inputs.tags.BucketRole), ["alb-access-logs"]);
            assert.equal(dr.outputs.bucketName, prod.outputs.replicaBucketName);
            assert.equal(dr.outputs.bucketArn, prod.outputs.replicaBucketArn);
        });
    });

    describe("pure settings", () => {
        const storage = (stack: string) => loadStackConfig(flattenConfig(stackConfig(stack)), `Pulumi.${stack}.yaml`, stack).storage;

        it("expires current versions only when configured", () => {
            assert.deepEqual(appLifecycleRules(storage("dev"))[0].expiration, { days: 7 });
            assert.deepEqual(appLifecycleRules(storage("prod"))[0].expiration, { expiredObjectDeleteMarker: true });
            assert.equal(appLifecycleRules(storage("dev"))[0].noncurrentVersionTransitions, undefined);
        });

        it("refuses replication without a provider and key, or to its own region", () => {
            assert.throws(() => validateStorageArgs({ ...storage("prod"), region: "us-east-1" }), /needs replica\.provider/);
            assert.throws(() => validateStorageArgs({ ...storage("prod"), region: "us-west-2", replica: {} as any }), /must differ/);
        });

        it("scopes the replication policy to the given buckets and keys", () => {
            const doc = replicationPolicy({
                sourceArn: "arn:aws:s3:::src", destinationArn: "arn:aws:s3:::dst", sourceKeyArn: "k1", replicaKeyArn: "k2",
                sourceRegion: "us-east-1", destinationRegion: "us-west-2",
            }) as any;
            const resources = doc.Statement.map((s: any) => s.Resource);
            assert.deepEqual(resources, ["arn:aws:s3:::src", "arn:aws:s3:::src/*", "arn:aws:s3:::dst/*", "k1", "k2"]);
            // The replica bucket has an S3 Bucket Key: S3 also calls kms:Decrypt on the replica key as the role
            // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication).
            const replica = doc.Statement.find((s: any) => s.Sid === "EncryptReplica");
            assert.deepEqual([replica.Action, replica.Condition.StringEquals["kms:ViaService"]], [["kms:Decrypt", "kms:Encrypt"], "s3.us-west-2.amazonaws.com"]);
        });
    });
});
