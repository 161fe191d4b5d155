/**
 * L1 + L2: every AWS provider of a stack carries the stack's `aws:*` settings and default tags, with
 * only its region changed (config/aws-provider.ts, components/aws-provider.ts).
 */
import { strict as assert } from "assert";
import { awsProviderArgs, awsSettingsOf } from "../../config/aws-provider";
import { json, planWith, stackConfig, type Plan } from "../harness";

const PROVIDER = "pulumi:providers:aws";

/** AWS's documentation account ids (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html). */
const SETTINGS = {
    "aws:profile": "tms-deploy",
    "aws:assumeRoles": [{ roleArn: "arn:aws:iam::111122223333:role/tms-deployer", sessionName: "tms" }],
    "aws:allowedAccountIds": ["111122223333"],
    "aws:defaultTags": { tags: { Owner: "platform", Environment: "overridden by the program" } },
    "aws:skipMetadataApiCheck": false,
    "aws:accessKey": "AKIAIOSFODNN7EXAMPLE",
};

/** A provider's inputs as the engine records them (pulumi-aws JSON-encodes its structured arguments). */
function settingsOf(provider: { inputs: Record<string, any> }): Record<string, unknown> {
    const i = provider.inputs;
    return {
        profile: i.profile,
        assumeRoles: json(i.assumeRoles),
        allowedAccountIds: json(i.allowedAccountIds),
        defaultTags: json(i.defaultTags),
        skipMetadataApiCheck: json(i.skipMetadataApiCheck),
        accessKey: i.accessKey,
    };
}

describe("AWS providers", () => {
    describe("config/aws-provider.ts (pure)", () => {
        it("reads the aws: namespace as the default provider would: structured values parsed, strings kept, region left out", () => {
            const s = awsSettingsOf({
                "aws:region": "us-east-1", "aws:profile": "123", "aws:maxRetries": "5", "aws:insecure": "false",
                "aws:allowedAccountIds": '["111122223333"]', "tms:environment": "prod",
            });
            assert.deepEqual(s, { profile: "123", maxRetries: 5, insecure: false, allowedAccountIds: ["111122223333"] });
        });
        it("changes only the region, and puts the program's tags over the stack file's", () => {
            const root = awsProviderArgs({ profile: "p", defaultTags: { tags: { A: "1", B: "2" } }, region: "x" }, "us-east-1", { B: "program" });
            assert.deepEqual(root, { profile: "p", region: "us-east-1", defaultTags: { tags: { A: "1", B: "program" } } });
            assert.deepEqual(awsProviderArgs(root, "us-west-2"), { ...root, region: "us-west-2" });
            assert.deepEqual(awsProviderArgs({}, "eu-west-1"), { region: "eu-west-1" });
        });
    });

    // prod has the DR fence's, the replica region's and the registry's providers besides the root; moved
    // to eu-west-1 (one plan, to keep the suite fast) it also needs the CDN's us-east-1 one.
    const cases: [string, string, Record<string, any>, number][] = [
        ["prod", "eu-west-1", { "aws:region": "eu-west-1" }, 5],
    ];
    for (const [stack, region, extra, count] of cases) {
        describe(`${stack} in ${region} (mock engine)`, () => {
            let p: Plan;
            before(async () => {
                p = await planWith(stack, (c) => Object.assign(c, SETTINGS, extra));
            });
            it(`registers ${count} AWS providers, each with the root's aws:* settings and default tags`, () => {
                const providers = p.ofType(PROVIDER);
                assert.equal(providers.length, count, providers.map((r) => r.name).join(", "));
                const root = providers.find((r) => r.name === "aws")!;
                assert.equal(root.inputs.region, region);
                const expected = settingsOf(root);
                assert.deepEqual(expected.defaultTags, {
                    tags: { Owner: "platform", Environment: stack, ManagedBy: "pulumi", CostCenter: stackConfig(stack)["tms:costCenter"], Project: "task-management-system" },
                });
                assert.equal(expected.profile, "tms-deploy");
                for (const r of providers) {
                    assert.deepEqual(settingsOf(r), expected, r.name);
                    assert.deepEqual(p.result.secretInputs[r.urn] ?? [], ["accessKey"], `${r.name}: the access key is a secret`);
                }
            });
            if (count > 1) {
                it("each extra provider is in another region than the root", () => {
                    const regions = p.ofType(PROVIDER).filter((r) => r.name !== "aws").map((r) => r.inputs.region);
                    assert.ok(regions.every((r) => r !== region), regions.join(", "));
                    if (region !== "us-east-1") assert.ok(regions.includes("us-east-1"), "the CDN's us-east-1 provider");
                });
            }
        });
    }
});
