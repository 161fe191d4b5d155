import * as assert from "assert";
import { policies } from "../../policy/policies";
import { smoke } from "../../tools/policy-smoke";

// Starts policy/index.ts in a child process (as the Pulumi CLI does) and talks to it over gRPC.
describe("policy pack served over gRPC (as pulumi preview runs it)", function () {
    this.timeout(30000);

    it("serves every policy and reports violations with the prod config", async () => {
        const r = await smoke("prod");
        assert.strictEqual(r.packName, "tms");
        assert.strictEqual(r.version, "1.0.0");
        assert.strictEqual(r.policyCount, policies.length);
        // The unknown kmsKeyId does not fail docdb-encryption-customer-key; 7-day backups fail in prod.
        assert.deepStrictEqual(r.resource.map(d => [d.policy, d.level]), [["docdb-backup-retention", "mandatory"]]);
        assert.match(r.resource[0].message, /backupRetentionPeriod is 7 days; this stack requires at least 30\./);
        assert.ok(r.stack.length >= 6 && r.stack.every(d => d.level === "mandatory"), JSON.stringify(r.stack));
        assert.ok(r.stack.some(d => d.policy === "s3-bucket-public-access-block" && d.urn.endsWith("::assets")));
    });
});
