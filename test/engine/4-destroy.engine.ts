/** L5: `pulumi destroy` on prod, last (it may delete what is not protected): `protect` refuses it. */
import { strict as assert } from "assert";
import { pulumi } from "./sandbox-fixture";

/** The stateful types DESIGN.md asks to protect in staging and prod. */
const STATEFUL = /^aws:(docdb\/(cluster|clusterInstance|globalCluster)|elasticache\/replicationGroup|s3\/bucketV?2?|kms\/key|ecr\/repository|dynamodb\/table):/;

describe("pulumi destroy on prod (L5)", () => {
    it("is refused by protect and deletes nothing stateful", () => {
        const stateful = () => (JSON.parse(pulumi(["stack", "export", "--stack", "prod"], { expect: 0 }).stdout).deployment.resources as any[])
            .filter((r) => STATEFUL.test(r.type))
            .map((r) => `${r.urn}${r.protect ? "" : " (NOT protected)"}`)
            .sort();
        const before = stateful();
        assert.ok(before.length >= 10, `${before.length} stateful resources`);
        assert.deepEqual(before.filter((u) => u.endsWith("(NOT protected)")), [], "every stateful resource of prod is protected");
        const r = pulumi(["destroy", "--stack", "prod", "--yes", "--skip-preview"], { time: "prod" });
        assert.notEqual(r.code, 0, "destroy must fail");
        assert.match(r.stdout + r.stderr, /protected/);
        assert.deepEqual(stateful(), before);
    });
});
