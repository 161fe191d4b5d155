/**
 * L2: refactor safety. Each stack's plan, by real-engine URN, matches its committed inventory
 * (test/inventory/<stack>.urns, `npm run inventory`); a changed URN of a protected or physically named
 * resource fails with the alias to add (tools/urn-inventory.ts). The real engine's own URNs are compared
 * with the same files in test/engine/1-stacks.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { aliasesOf, checkInventory, engineUrn, inventoryFile, inventoryOf, parseInventory, renderInventory, type InventoryEntry } from "../../tools/urn-inventory";
import { plan, STACKS } from "../harness";

describe("the URN inventory (L2)", () => {
    for (const stack of STACKS) {
        it(`${stack}: the plan matches test/inventory/${stack}.urns`, async () => {
            const p = await plan(stack);
            const committed = parseInventory(fs.readFileSync(inventoryFile(stack), "utf8"));
            const problems = checkInventory(stack, committed, inventoryOf(p.result), aliasesOf(p.result));
            assert.deepEqual(problems.map((x) => x.message), []);
        });
    }

    it("names every ancestor component's type in a URN, as the real engine does (the mock names the parent's only)", async () => {
        const p = await plan("prod");
        const cluster = p.one("aws:docdb/cluster:Cluster");
        assert.equal(cluster.urn, "urn:pulumi:prod::tms::tms:data:DocumentDbCluster$aws:docdb/cluster:Cluster::tms-data-database-cluster");
        assert.equal(engineUrn(cluster, new Map(p.resources.map((r) => [r.urn, r])), "prod", "tms"),
            "urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$tms:data:DocumentDbCluster$aws:docdb/cluster:Cluster::tms-data-database-cluster");
    });

    it("renaming the data tier fails on every protected or named resource it would replace, with the alias to add", async () => {
        const p = await plan("prod");
        const committed = inventoryOf(p.result);
        const renamed: InventoryEntry[] = committed.map((e) => ({ ...e, urn: e.urn.replace(/::tms-data(-|$)/, "::tms-storage$1") }));
        const problems = checkInventory("prod", committed, renamed);
        const blocking = problems.filter((x) => x.blocking);
        // Everything named after the data tier: its children, and the storage log bucket's policy (built by the stack, named after the bucket).
        const dataTier = committed.filter((e) => /::tms-data(-|$)/.test(e.urn) && (e.protect || e.physicalName));
        assert.equal(blocking.length, dataTier.length);
        assert.ok(blocking.length > 50, `${blocking.length} blocked`);
        const cluster = blocking.find((x) => x.urn.endsWith("::tms-data-database-cluster"))!;
        assert.equal(cluster.message, "prod: urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$tms:data:DocumentDbCluster$aws:docdb/cluster:Cluster::tms-data-database-cluster (protected, named tms-prod-docdb in AWS) would be deleted and urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$tms:data:DocumentDbCluster$aws:docdb/cluster:Cluster::tms-storage-database-cluster created in its place; if it is the same resource, give the new one `aliases: [\"urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$tms:data:DocumentDbCluster$aws:docdb/cluster:Cluster::tms-data-database-cluster\"]`");
        // With the aliases declared, the rename is accepted (only the inventory needs rewriting).
        const aliases = new Map(committed.flatMap((c, i) => (renamed[i].urn === c.urn ? [] : [[renamed[i].urn, [c.urn]] as [string, string[]]])));
        assert.deepEqual(checkInventory("prod", committed, renamed, aliases).filter((x) => x.blocking), []);
    });

    it("an unprotected, unnamed change only asks for the inventory to be rewritten", () => {
        const committed: InventoryEntry[] = [{ urn: "urn:pulumi:prod::tms::tms:index:EnvironmentStack$aws:lb/listenerRule:ListenerRule::tms-traffic-origin-rule", protect: false }];
        const problems = checkInventory("prod", committed, []);
        assert.deepEqual(problems.map((x) => [x.blocking, x.message]), [[false, "prod: urn:pulumi:prod::tms::tms:index:EnvironmentStack$aws:lb/listenerRule:ListenerRule::tms-traffic-origin-rule is no longer planned (run `npm run inventory` to record it)"]]);
        assert.deepEqual(parseInventory(renderInventory([{ urn: "u::a::t::n", protect: true, physicalName: "a b" }])), [{ urn: "u::a::t::n", protect: true, physicalName: "a b" }]);
    });
});
