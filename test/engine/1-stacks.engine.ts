/**
 * L5+: every stack file through the real engine and the fake AWS. For each stack: `pulumi preview` with
 * the policy pack and that stack's policy config passes, `pulumi up` succeeds, and a preview that first
 * refreshes every resource from what the fake AWS stored (`--refresh --expect-no-changes`) plans nothing:
 * no value AWS normalises (Cloud Map's health-check threshold) comes back as a replacement. The URNs the
 * engine gave every resource are the committed inventory's (test/inventory). dr reads prod through a
 * StackReference in the same backend, and stops with the config error naming the missing outputs while
 * prod is not deployed. An insecure variant of a stack file is refused by the pack in preview. dev,
 * staging and prod, independent of each other, run at once; dr, which reads prod, after them, with the
 * insecure variant's preview beside it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { inventoryFile, parseInventory } from "../../tools/urn-inventory";
import { ensureStack, engineSandbox, pulumi, pulumiAsync, stackFile, writeStackFile, type Ran } from "./sandbox-fixture";

const packArgs = (stack: string, policyConfig = stack) => ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${policyConfig}.json`];

/** The URNs of a stack's state, as the inventory lists them (the stack itself and the engine's default providers left out). */
export function stateUrns(stack: string): string[] {
    const resources = JSON.parse(pulumi(["stack", "export", "--stack", stack], { expect: 0 }).stdout).deployment.resources as any[];
    return resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && r.type !== "pulumi:pulumi:StackReference" && !/::default(_[0-9_]+)?$/.test(r.urn))
        .map((r) => r.urn as string).sort();
}

/** Run a check on several independent stacks at once; every failure is reported. */
async function each(stacks: string[], check: (stack: string) => Promise<void>): Promise<void> {
    const failed = (await Promise.allSettled(stacks.map(check))).flatMap((r, i) => (r.status === "rejected" ? [`${stacks[i]}: ${r.reason instanceof Error ? r.reason.message : r.reason}`] : []));
    assert.deepEqual(failed, []);
}

/** Deploy stacks (at once when independent) and check that they converge; `alongside` starts independent work beside them. */
function deploysCleanly(stacks: string[], alongside?: () => void): void {
    describe(`stack${stacks.length > 1 ? "s" : ""} ${stacks.join(" and ")}`, () => {
        before(() => {
            stacks.forEach(ensureStack);
            alongside?.();
        });

        it("preview with the policy pack and its policy config passes", () => each(stacks, async (stack) => {
            const r = await pulumiAsync(["preview", "--stack", stack, ...packArgs(stack)], { expect: 0, time: stack });
            assert.match(r.stdout, /Policies:\s*\n\s*✅ tms@v[\d.]+ \(local: policy\)/, "the pack ran and passed");
            assert.doesNotMatch(r.stdout + r.stderr, /\[(mandatory|advisory)\]/, "no policy violation");
            assert.match(r.stdout, /\+ \d+ to create/);
        }));

        it("up succeeds", () => each(stacks, async (stack) => {
            const r = await pulumiAsync(["up", "--stack", stack, "--yes", "--skip-preview"], { expect: 0, time: stack });
            assert.match(r.stdout, /\+ \d+ created/);
        }));

        it("refreshed from what AWS stored, a preview plans nothing (no perpetual diff, no replacement)", () => each(stacks, async (stack) => {
            const r = await pulumiAsync(["preview", "--stack", stack, "--refresh", "--expect-no-changes", "--diff"], { time: stack });
            assert.equal(r.code, 0, `changes after a refresh:\n${r.stdout.split("\n").filter((l) => /^\s*[~+-]|replace|update/.test(l)).slice(0, 80).join("\n")}\n${r.stderr.slice(-2000)}`);
        }));

        it("the engine's URNs are the inventory's (test/inventory)", () => {
            for (const stack of stacks) {
                const inventory = parseInventory(fs.readFileSync(inventoryFile(stack), "utf8")).map((e) => e.urn).sort();
                assert.deepEqual(stateUrns(stack), inventory, stack);
            }
        });
    });
}

describe("every stack on the real engine (L5+)", () => {
    before(() => engineSandbox());

    describe("dr before prod is deployed", () => {
        it("stops with the config error naming the outputs prod does not export yet", () => {
            ensureStack("prod");
            ensureStack("dr");
            const r = pulumi(["preview", "--stack", "dr"], { time: "dr" });
            assert.notEqual(r.code, 0);
            assert.match(r.stdout + r.stderr, /Pulumi\.dr\.yaml: tms:primaryStack: stack "organization\/tms\/prod" has no output "failoverName", "globalClusterId"/);
        });
    });

    // dev, staging and prod are independent of each other: they run at once (a run leaves a core idle most of the time).
    deploysCleanly(["dev", "staging", "prod"]);
    // The insecure variant of prod's file is a stack of its own that nothing reads: its preview runs beside dr's chain.
    let insecure: Promise<Ran> | undefined;
    deploysCleanly(["dr"], () => {
        const doc = stackFile("prod");
        doc.config["tms:database"].deletionProtection = false;
        writeStackFile("prod-insecure", doc);
        ensureStack("prod-insecure");
        insecure = pulumiAsync(["preview", "--stack", "prod-insecure", ...packArgs("prod-insecure", "prod")], { time: "prod-insecure" });
        insecure.catch(() => undefined); // awaited by its test below; not an unhandled rejection meanwhile
    });

    describe("the policy pack refuses an insecure stack file in preview", () => {
        it("prod with DocumentDB deletion protection off: mandatory violation, non-zero exit, the policy named", async () => {
            assert.ok(insecure, "the insecure preview was started beside dr's chain");
            const r = await insecure;
            assert.notEqual(r.code, 0, r.stdout);
            assert.match(r.stdout + r.stderr, /\[mandatory\].*docdb-deletion-protection/);
        });
    });
});
