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
 * leaves a core idle most of the time.
 */
import { strict as assert } from "assert";
import { diagnostics, pulumiAsync, upJson, type UpStep } from "./sandbox-fixture";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const LISTENERS = /^aws:(lb|alb)\/(listener|listenerRule):(Listener|ListenerRule)$/;
const SERVICES = /^aws:(ecs\/service:Service|appautoscaling\/target:Target)$/;
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

const outputs = async (stack: string) => JSON.parse((await pulumiAsync(["stack", "output", "--stack", stack, "--json"], { expect: 0 })).stdout);
const set = (stack: string, path: string, value: string | number | boolean) =>
    pulumiAsync(["config", "set", "--path", path, String(value), "--stack", stack], { expect: 0 });

/**
 * A change to the traffic section carries the next revision, as "Releasing by hand" in docs/traffic.md does: the
 * program refuses a traffic change without it (config/release.ts).
 */
async function setTraffic(stack: string, values: Record<string, string | number | boolean>): Promise<void> {
    const { revision } = (await outputs(stack)).release;
    for (const [p, v] of Object.entries(values)) await set(stack, p, v);
    await set(stack, "tms:deployment.revision", revision + 1);
}

/**
 * The steps of an up that change something, checked: replacements only of task definitions, no create
 * or delete of anything else, updates only of the types the step is about. Returns the changed steps.
 */
function onlyChanges(steps: UpStep[], updates: RegExp, what: string): UpStep[] {
    const changed = steps.filter((s) => !["same", "read", "refresh"].includes(s.op));
    const wrong = changed.filter((s) => (REPLACE_OPS.has(s.op) ? s.type !== TASK_DEFINITION : s.op !== "update" || !updates.test(s.type)));
    assert.deepEqual(wrong.map((s) => `${s.op} ${s.urn} ${JSON.stringify(s.diffs ?? [])}`), [], `${what}: only task-definition replacements and ${updates} updates`);
    return changed;
}

/** dev's rolling release: a new image replaces the task definitions and updates the services, nothing else. */
async function rollingRelease(stack: string, tag: string): Promise<void> {
    const o = await outputs(stack);
    await setTraffic(stack, Object.fromEntries(Object.keys(o.images.blue).map((service) => [`tms:deployment.blue.images["${service}"]`, tag])));
    const changed = onlyChanges((await upJson(stack)).steps, SERVICES, `${stack}: rolling release`);
    assert.ok(changed.some((s) => s.type === TASK_DEFINITION && REPLACE_OPS.has(s.op)), `${stack}: the task definitions are new revisions`);
    assert.equal((await outputs(stack)).images.blue["api-gateway"], tag);
}

/** A release by hand on a two-colour stack: candidate deploy, weight steps through targeted ups, finalise, scale down. */
async function releaseByHand(stack: string, tag: string, weights: number[]): Promise<void> {
    const o = await outputs(stack);
    const [live, candidate] = [o.liveColour, o.candidateColour];
    await setTraffic(stack, {
        ...Object.fromEntries(Object.keys(o.images[candidate]).map((service) => [`tms:deployment.${candidate}.images["${service}"]`, tag])),
        [`tms:deployment.${candidate}.running`]: true,
    });
    const deployed = await upJson(stack);
    assert.ok(onlyChanges(deployed.steps, SERVICES, `${stack}: candidate deploy`).some((s) => s.type === TASK_DEFINITION), diagnostics(deployed.ran));
    assert.equal((await outputs(stack)).running[candidate], true, `${stack}: the candidate runs`);

    for (const w of weights) {
        await setTraffic(stack, { "tms:deployment.weight": w });
        const targets = ((await outputs(stack)).weightListenerUrns as string[]).map((u) => `--target=${u}`);
        const changed = onlyChanges((await upJson(stack, targets)).steps, LISTENERS, `${stack}: weight ${w}`);
        assert.ok(changed.length > 0 && changed.length <= targets.length, `${stack}: ${changed.length} updates for ${targets.length} targets`);
        assert.equal((await outputs(stack)).weight, w, `${stack}: weight read back`);
    }

    await setTraffic(stack, { "tms:deployment.live": candidate, "tms:deployment.weight": 0 });
    onlyChanges((await upJson(stack)).steps, LISTENERS, `${stack}: finalise`);
    const finalised = await outputs(stack);
    assert.deepEqual([finalised.liveColour, finalised.weight], [candidate, 0], `${stack}: finalised`);

    await setTraffic(stack, { [`tms:deployment.${live}.running`]: false });
    onlyChanges((await upJson(stack)).steps, SERVICES, `${stack}: scale down`);
    assert.equal((await outputs(stack)).running[live], false, `${stack}: the previous colour is scaled down`);
}

/** Refreshed from the fake AWS, an up plans and changes nothing. */
async function convergesAfterRefresh(stack: string): Promise<void> {
    const { steps, ran } = await upJson(stack, ["--refresh", "--expect-no-changes"], { expect: undefined });
    const changed = steps.filter((s) => !["same", "read", "refresh"].includes(s.op));
    assert.deepEqual(changed.map((s) => `${s.op} ${s.urn} ${JSON.stringify(s.diffs ?? [])}`), [], `${stack}: ${diagnostics(ran)}`);
    assert.equal(ran.code, 0, `${stack}: ${diagnostics(ran)}`);
}

/** Run the stacks' chains at once; every chain finishes before the test ends, and every failure is reported. */
async function all(chains: Promise<void>[]): Promise<void> {
    const failed = (await Promise.allSettled(chains)).flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    assert.deepEqual(failed, []);
}

describe("day two on every stack (L5+)", () => {
    it("dev rolls a release out; staging (blue-green: 50 → 100%) and dr (canary: 10 → 100%) release by hand, finalise and scale down", async () => {
        await all([
            rollingRelease("dev", "4b1d2e3-dev"),
            releaseByHand("staging", "4b1d2e3-staging", [50, 100]),
            releaseByHand("dr", "4b1d2e3-prod", [10, 100]),
        ]);
    });

    it("refreshed from what AWS stored, up on every stack plans and changes nothing (no replacement, no perpetual diff)", async () => {
        await all(["dev", "staging", "prod", "dr"].map(convergesAfterRefresh));
    });
});
