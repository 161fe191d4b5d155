import * as assert from "assert";
import { formatViolations, hasMandatoryViolations, policiesRun, recordToInputs, runPolicies } from "../../tools/policy-runner";
import type { PlanRecord, RecordedResource } from "../../tools/record";
import { policies } from "../../policy/policies";

function rec(stack: string, type: string, name: string, inputs: Record<string, any>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: `urn:pulumi:${stack}::tms::${type}::${name}`, type, name, custom: !type.startsWith("tms:"),
        parent: `urn:pulumi:${stack}::tms::pulumi:pulumi:Stack::tms-${stack}`,
        inputs, outputs: { ...inputs, id: `${name}-id` }, options: {}, propertyDependencies: {}, ...extra,
    };
}

/** A small recorded stack: an explicit provider with default tags, a component, a lonely bucket and a repo. */
function record(stack: string): PlanRecord {
    const provider = rec(stack, "pulumi:providers:aws", "aws", {
        region: "us-east-1", defaultTags: { tags: { Environment: stack, ManagedBy: "pulumi", CostCenter: "tms" } },
    });
    const component = rec(stack, "tms:storage:Buckets", "buckets", {}, { options: { provider: provider.urn } });
    const bucket = rec(stack, "aws:s3/bucketV2:BucketV2", "buckets-assets", { bucket: `tms-${stack}-assets`, tags: { Service: "assets" } }, { parent: component.urn });
    const key = rec(stack, "aws:kms/key:Key", "data-key", { enableKeyRotation: true, tags: { Service: "data" } });
    return { stack, project: "tms", resources: [provider, component, bucket, key], outputs: {} };
}

describe("offline policy runner", () => {
    it("builds providers from the record: explicit, inherited from a parent, and the default one", () => {
        const inputs = recordToInputs(record("prod"), { region: "us-east-1" });
        const bucket = inputs.find(i => i.name === "buckets-assets")!;
        const key = inputs.find(i => i.name === "data-key")!;
        assert.strictEqual(bucket.provider?.name, "aws");
        assert.strictEqual(key.provider?.name, "default");
        assert.strictEqual(key.provider?.props.region, "us-east-1");
        assert.ok(inputs.some(i => i.type === "pulumi:providers:aws" && i.name === "default"));
    });

    it("reports every bucket policy as mandatory in prod, with resource, level and message", () => {
        const violations = runPolicies(record("prod"), { environment: "prod", region: "us-east-1" });
        const bucket = violations.filter(v => v.name === "buckets-assets");
        assert.deepStrictEqual(bucket.map(v => v.policy).sort(), [
            "s3-bucket-encryption", "s3-bucket-lifecycle", "s3-bucket-logging", "s3-bucket-ownership-controls",
            "s3-bucket-public-access-block", "s3-bucket-tls-only", "s3-bucket-versioning",
        ]);
        assert.ok(bucket.every(v => v.enforcementLevel === "mandatory" && v.type === "aws:s3/bucketV2:BucketV2"));
        assert.ok(hasMandatoryViolations(violations));
        // Tags come from the inherited provider's defaultTags; the default provider has none.
        const tags = violations.filter(v => v.policy === "required-tags");
        assert.deepStrictEqual(tags.map(v => v.name), ["data-key"]);
        assert.match(tags[0].message, /missing tag\(s\) Environment, ManagedBy, CostCenter/);
    });

    it("uses the code levels in dev and honours an enforcement override", () => {
        const dev = runPolicies(record("dev"), { environment: "dev", region: "us-east-1" });
        const level = (vs: typeof dev, p: string) => vs.find(v => v.policy === p)?.enforcementLevel;
        assert.strictEqual(level(dev, "s3-bucket-versioning"), "advisory");
        assert.strictEqual(level(dev, "s3-bucket-public-access-block"), "mandatory");
        const relaxed = runPolicies(record("dev"), { environment: "dev", region: "us-east-1", enforcement: { all: "advisory", "s3-bucket-logging": "disabled" } });
        assert.ok(!hasMandatoryViolations(relaxed));
        assert.strictEqual(level(relaxed, "s3-bucket-logging"), undefined);
        assert.strictEqual(policiesRun({ environment: "dev", region: "us-east-1", enforcement: { "s3-bucket-logging": "disabled" } }), policies.length - 1);
    });

    it("checks the dr region against the default provider built from opts", () => {
        const wrong = runPolicies(record("dr"), { environment: "dr", region: "us-east-1" }).filter(v => v.policy === "dr-region");
        assert.deepStrictEqual(wrong.map(v => v.name).sort(), ["aws", "default"]);
        const inputs = record("dr");
        inputs.resources[0].inputs.region = "us-west-2";
        assert.deepStrictEqual(runPolicies(inputs, { environment: "dr", region: "us-west-2" }).filter(v => v.policy === "dr-region"), []);
    });

    it("formats a table with a summary line", () => {
        const violations = runPolicies(record("prod"), { environment: "prod", region: "us-east-1" });
        const text = formatViolations(violations, { policiesRun: policies.length });
        const lines = text.split("\n");
        assert.match(lines[0], /^LEVEL\s+SEVERITY\s+POLICY\s+RESOURCE\s+MESSAGE$/);
        assert.match(text, /mandatory\s+critical\s+s3-bucket-public-access-block\s+buckets-assets \(BucketV2\)\s+Bucket "buckets-assets": no BucketPublicAccessBlock/);
        assert.strictEqual(lines[lines.length - 1], `${policies.length} policies run: ${violations.length} violation(s): ${violations.length} mandatory, 0 advisory.`);
        assert.strictEqual(formatViolations([], { policiesRun: 3 }), "3 policies run: 0 violation(s): 0 mandatory, 0 advisory.");
    });
});
