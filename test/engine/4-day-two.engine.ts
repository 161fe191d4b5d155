/**
 * L5+: day two on every stack, on the real engine and the fake AWS. After the first `up` (1-stacks), each
 * stack goes through a whole release by hand: dev rolls a new image out; staging (blue-green) and dr
 * (canary) deploy the candidate colour, step its weight up with targeted `up`s of the weighted listeners,
 * finalise (the candidate becomes live at weight 0) and scale the old colour down; prod did the same in
 * 2-release-by-hand and 3-rollout. Every step replaces nothing but task definitions (a new revision per
 * changed container, as in AWS) and updates only what the step is about. Then `up --refresh
 * --expect-no-changes` on all four: refreshed from what the fake AWS stored (Cloud Map's threshold of 1,
 * task-definition revisions, defaults it fills in), the program plans nothing anywhere. With the old
 * Cloud Map value (failureThreshold 2) the refresh finds every discovery service to replace.
 *
 * The stacks are independent here (dr only reads prod's outputs), so they run at once: one engine run
 * leaves a core idle most of the time. The releases (day-two.ts) start beside 3c's canary, in its idle
 * minute of bakes, each stack's refreshed `up` right after its release; the tests here await them, and
 * prod's refreshed `up` runs here, after 3c.
 */
import { all, convergesAfterRefresh, dayTwo } from "./day-two";

describe("day two on every stack (L5+)", () => {
    it("dev rolls a release out; staging (blue-green: 50 → 100%) and dr (canary: 10 → 100%) release by hand, finalise and scale down", async () => {
        // Started beside 3c's canary when it ran (day-two.ts); started here otherwise.
        await all(dayTwo().map((d) => d.released));
    });

    it("refreshed from what AWS stored, up on every stack plans and changes nothing (no replacement, no perpetual diff)", async () => {
        // dev, staging and dr were refreshed as soon as their releases were done; prod's canary ended in 3c.
        await all([...dayTwo().map((d) => d.refreshed), convergesAfterRefresh("prod")]);
    });
});
