/**
 * L5: every stack file through the real engine. For each stack: `pulumi preview` with the policy pack
 * and that stack's policy config passes, `pulumi up` succeeds, and a second preview shows no change.
 * dr reads prod through a StackReference in the same backend, and stops with the config error naming
 * the missing outputs while prod is not deployed. An insecure variant of a stack file is refused by
 * the pack in preview, (`pulumi destroy` on prod: 4-destroy).
 */
import { strict as assert } from "assert";
import { changes, ensureStack, engineSandbox, previewJson, pulumi, stackFile, writeStackFile } from "./sandbox-fixture";

const packArgs = (stack: string, policyConfig = stack) => ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${policyConfig}.json`];

function deploysCleanly(stack: string): void {
    describe(`stack ${stack}`, () => {
        before(() => ensureStack(stack));

        it("preview with the policy pack and its policy config passes", () => {
            const r = pulumi(["preview", "--stack", stack, ...packArgs(stack)], { expect: 0, time: stack });
            assert.match(r.stdout, /Policies:\s*\n\s*✅ tms@v[\d.]+ \(local: policy\)/, "the pack ran and passed");
            assert.doesNotMatch(r.stdout + r.stderr, /\[(mandatory|advisory)\]/, "no policy violation");
            assert.match(r.stdout, /\+ \d+ to create/);
        });

        it("up succeeds", () => {
            const r = pulumi(["up", "--stack", stack, "--yes", "--skip-preview"], { expect: 0, time: stack });
            assert.match(r.stdout, /\+ \d+ created/);
        });

        it("a second preview shows no changes", () => {
            const { steps, changeSummary } = previewJson(stack);
            assert.ok((changeSummary.same ?? 0) > 100, JSON.stringify(changeSummary));
            assert.deepEqual(Object.keys(changeSummary), ["same"]);
            assert.deepEqual(changes(steps).map((s) => `${s.op} ${s.urn} ${JSON.stringify(s.diffs ?? [])}`), []);
        });
    });
}

describe("every stack on the real engine (L5)", () => {
    before(() => engineSandbox());

    deploysCleanly("dev");
    deploysCleanly("staging");

    describe("dr before prod is deployed", () => {
        it("stops with the config error naming the outputs prod does not export yet", () => {
            ensureStack("prod");
            ensureStack("dr");
            const r = pulumi(["preview", "--stack", "dr"], { time: "dr" });
            assert.notEqual(r.code, 0);
            assert.match(r.stdout + r.stderr, /Pulumi\.dr\.yaml: tms:primaryStack: stack "organization\/tms\/prod" has no output "failoverName", "globalClusterId"/);
        });
    });

    deploysCleanly("prod");
    deploysCleanly("dr");

    describe("the policy pack refuses an insecure stack file in preview", () => {
        it("prod with DocumentDB deletion protection off: mandatory violation, non-zero exit, the policy named", () => {
            const doc = stackFile("prod");
            doc.config["tms:database"].deletionProtection = false;
            writeStackFile("prod-insecure", doc);
            ensureStack("prod-insecure");
            const r = pulumi(["preview", "--stack", "prod-insecure", ...packArgs("prod-insecure", "prod")], { time: "prod-insecure" });
            assert.notEqual(r.code, 0, r.stdout);
            assert.match(r.stdout + r.stderr, /\[mandatory\].*docdb-deletion-protection/);
        });
    });

});
