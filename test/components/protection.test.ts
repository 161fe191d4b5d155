/**
 * L2: what `protect` guards (components/protection.ts). In staging, prod and dr every resource is
 * protected except the serving path, and those whose deletion loses data or audit are also retained; a
 * refused `pulumi destroy` can then delete the serving path only (the real engine shows it:
 * test/engine/5-destroy). dev is disposable: nothing protected, buckets and repositories emptied by a
 * destroy, secrets deleted without a recovery window. docs/protection.md states the same lists.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { RETAINED_TYPES, SERVING_PATH_TYPES } from "../../components/protection";
import { PROJECT_DIR } from "../../cli/stack-file";
import { plan, type Plan } from "../harness";

const custom = (p: Plan) => p.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"));

/** What a refused destroy of prod deleted first in an earlier version: each must be protected. */
const MUST_HOLD = [
    "aws:secretsmanager/secret:Secret", "aws:secretsmanager/secretVersion:SecretVersion", "random:index/randomPassword:RandomPassword",
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:cloudtrail/trail:Trail", "aws:cloudwatch/logGroup:LogGroup", "aws:lb/loadBalancer:LoadBalancer", "aws:cloudfront/distribution:Distribution",
];

describe("what protect guards (L2)", () => {
    for (const stack of ["staging", "prod", "dr"]) {
        it(`${stack}: everything but the serving path is protected; what AWS would lose on delete is retained too`, async () => {
            const p = await plan(stack);
            const wrong = custom(p).filter((r) => {
                const serving = SERVING_PATH_TYPES.includes(r.type);
                return serving ? r.options.protect : !r.options.protect || (r.type in RETAINED_TYPES && !r.options.retainOnDelete);
            });
            assert.deepEqual(wrong.map((r) => `${r.urn} protect=${r.options.protect} retain=${r.options.retainOnDelete}`), []);
            const types = new Set(custom(p).map((r) => r.type));
            for (const t of MUST_HOLD) if (types.has(t)) assert.ok(custom(p).filter((r) => r.type === t).every((r) => r.options.protect), t);
            assert.ok(MUST_HOLD.filter((t) => types.has(t)).length >= (stack === "prod" ? MUST_HOLD.length : 10), "the review's types are planned here");
        });
    }

    it("prod's serving path, the only resources a refused destroy may delete: per service and colour its ECS service, task definitions, scaling and Cloud Map entry; the listeners, their rules and the target groups", async () => {
        const p = await plan("prod");
        const count = (t: string) => custom(p).filter((r) => r.type === t && !r.options.protect).length;
        assert.deepEqual(Object.fromEntries(SERVING_PATH_TYPES.map((t) => [t, count(t)])), {
            "aws:ecs/service:Service": 4, "aws:ecs/taskDefinition:TaskDefinition": 8, "aws:appautoscaling/target:Target": 4, "aws:appautoscaling/policy:Policy": 8,
            "aws:servicediscovery/service:Service": 4, "aws:lb/listener:Listener": 3, "aws:lb/listenerRule:ListenerRule": 2, "aws:lb/targetGroup:TargetGroup": 2,
        });
        assert.equal(custom(p).filter((r) => !r.options.protect).length, 35);
    });

    it("dev is disposable: nothing protected, buckets and repositories emptied by a destroy, secrets deleted at once", async () => {
        const p = await plan("dev");
        assert.deepEqual(custom(p).filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.urn), []);
        assert.ok(p.ofType("aws:s3/bucket:Bucket").every((b) => b.inputs.forceDestroy === true));
        assert.ok(p.ofType("aws:ecr/repository:Repository").every((r) => r.inputs.forceDelete === true));
        assert.ok(p.ofType("aws:secretsmanager/secret:Secret").every((s) => s.inputs.recoveryWindowInDays === 0));
        assert.ok(p.ofType("aws:docdb/cluster:Cluster").every((c) => c.inputs.deletionProtection === false && c.inputs.skipFinalSnapshot === true));
        assert.ok(p.ofType("aws:lb/loadBalancer:LoadBalancer").every((l) => l.inputs.enableDeletionProtection === false));
    });

    it("docs/protection.md states exactly what protect guards", () => {
        const page = fs.readFileSync(path.join(PROJECT_DIR, "docs", "protection.md"), "utf8");
        const at = page.indexOf("\n## What protect guards\n");
        assert.ok(at >= 0, "docs/protection.md has a section \"What protect guards\"");
        const section = page.slice(at, page.indexOf("\n## ", at + 1));
        for (const t of [...SERVING_PATH_TYPES, ...Object.keys(RETAINED_TYPES)]) assert.ok(section.includes(`\`${t}\``), `the section names ${t}`);
    });
});
