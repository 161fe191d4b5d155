import { strict as assert } from "assert";
import { diffPlans, LISTENER_TYPES } from "../../tools/diff";
import { planWith, Plan, publicForward } from "../harness";

/** URNs whose inputs differ between two plans; fails if the resource sets differ. */
function changedUrns(a: Plan, b: Plan): string[] {
    const d = diffPlans(a.resources, b.resources);
    assert.deepEqual([d.added, d.removed], [[], []], "the set of resources changed");
    return d.changed.map((r) => r.urn);
}

/**
 * The canary's safety property: moving the weight (or flipping the live colour) changes only the
 * listener resources, so a weight step never replaces or touches a service, target group or anything
 * stateful. Both colours run in every variant, as they do during a release.
 */
for (const stack of ["prod", "staging"]) {
    describe(`weight changes touch only listeners (${stack})`, () => {
        const variant = (weight: number, live: "blue" | "green") => planWith(stack, (c) => {
            c["tms:deployment"].weight = weight;
            c["tms:deployment"].live = live;
            c["tms:deployment"].blue.running = true;
            c["tms:deployment"].green.running = true;
        });
        let base: Plan;
        before(async () => { base = await variant(0, "blue"); });

        for (const [weight, live] of [[10, "blue"], [30, "blue"], [50, "blue"], [100, "blue"], [0, "green"], [30, "green"]] as const) {
            it(`weight ${weight} with ${live} live`, async () => {
                const other = await variant(weight, live);
                const changed = changedUrns(base, other);
                assert.ok(changed.length > 0, "the weight did not reach the listener");
                for (const urn of changed) {
                    assert.ok(LISTENER_TYPES.has(base.byUrn(urn).type), `weight ${weight}/${live} changed ${urn}`);
                }
                const groups = publicForward(other).forward.targetGroups.map((g: any) => g.weight);
                assert.deepEqual(groups, live === "blue" ? [100 - weight, weight] : [weight, 100 - weight]);
                // Only the public listener's forwarding moves with the weight (behind the CDN: its origin and
                // health rules); the test listener moves only with the colour.
                const weighted = stack === "prod" ? ["health-rule", "origin-rule"] : ["https"];
                const expected = live === "blue" ? weighted : [...weighted, "test"];
                assert.deepEqual(changed.map((u) => u.split("::").pop()!.replace(/^tms-traffic-/, "")).sort(), expected.sort());
                assert.deepEqual([...base.outputs.weightListenerUrns].sort(), changed.filter((u) => !u.endsWith("-test")).sort());
            });
        }
    });
}
