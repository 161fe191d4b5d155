/**
 * L5+: day two on every stack, on the real engine and the fake AWS. After the first `up` (1-stacks), each
 * stack goes through a whole release by hand: dev rolls a new image out; staging (blue-green) and dr
 * (canary) deploy the candidate colour, step its weight up with targeted `up`s of the weighted listeners,
 * finalise (the candidate becomes live at weight 0) and scale the old colour down; prod did the same in
 * 2-release-by-hand and 3-rollout. Every step replaces nothing but task definitions (a new revision per
 * changed container, as in AWS) and updates only what the step is about. Then `up --refresh
 * --expect-no-changes` on all four: refreshed from what the fake AWS stored (Cloud Map's threshold of 1,
 * task-definition revisions, defaults it fills in), the program plans nothing anywhere. With the old
 * Cloud Map value (failureThreshold 2) the refresh shows the discovery services to be replaced.
 */
import { strict as assert } from "assert";
import { diagnostics, pulumi, upJson, type UpStep } from "./sandbox-fixture";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const LISTENERS = /^aws:(lb|alb)\/(listener|listenerRule):(Listener|ListenerRule)$/;
const SERVICES = /^aws:(ecs\/service:Service|appautoscaling\/target:Target)$/;
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

const outputs = (stack: string) => JSON.parse(pulumi(["stack", "output", "--stack", stack, "--json"], { expect: 0 }).stdout);
const set = (stack: string, path: string, value: string | number | boolean) =>
    pulumi(["config", "set", "--path", path, String(value), "--stack", stack], { expect: 0 });

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

/** A release by hand on a two-colour stack: candidate deploy, weight steps through targeted ups, finalise, scale down. */
function releaseByHand(stack: string, tag: string, weights: number[]): void {
    describe(`${stack}: a whole release by hand (candidate, ${weights.join(" → ")}%, finalise, scale down)`, () => {
        let live = "", candidate = "";

        it("deploys the candidate colour at 0%: new task definitions, the services updated, nothing else", () => {
            const o = outputs(stack);
            [live, candidate] = [o.liveColour, o.candidateColour];
            for (const service of Object.keys(o.images[candidate])) set(stack, `tms:deployment.${candidate}.images["${service}"]`, tag);
            set(stack, `tms:deployment.${candidate}.running`, true);
            const { steps, ran } = upJson(stack);
            const changed = onlyChanges(steps, SERVICES, "candidate deploy");
            assert.ok(changed.some((s) => s.type === TASK_DEFINITION), diagnostics(ran));
            assert.equal(outputs(stack).running[candidate], true);
        });

        for (const w of weights) {
            it(`weight ${w}: the targeted up of the weighted listeners updates them and nothing else`, () => {
                set(stack, "tms:deployment.weight", w);
                const targets = (outputs(stack).weightListenerUrns as string[]).map((u) => `--target=${u}`);
                const changed = onlyChanges(upJson(stack, targets).steps, LISTENERS, `weight ${w}`);
                assert.ok(changed.length > 0 && changed.length <= targets.length, `${changed.length} updates for ${targets.length} targets`);
                assert.equal(outputs(stack).weight, w);
            });
        }

        it("finalises (the candidate live at weight 0): listeners only", () => {
            set(stack, "tms:deployment.live", candidate);
            set(stack, "tms:deployment.weight", 0);
            onlyChanges(upJson(stack).steps, LISTENERS, "finalise");
            const o = outputs(stack);
            assert.deepEqual([o.liveColour, o.weight], [candidate, 0]);
        });

        it("scales the previous colour down: its services only", () => {
            set(stack, `tms:deployment.${live}.running`, false);
            onlyChanges(upJson(stack).steps, SERVICES, "scale down");
            assert.equal(outputs(stack).running[live], false);
        });
    });
}

/** After everything: refreshed from the fake AWS, an up changes nothing. */
function convergesAfterRefresh(stack: string): void {
    it(`${stack}: up --refresh plans and changes nothing (no replacement, no perpetual diff)`, () => {
        const { steps, ran } = upJson(stack, ["--refresh", "--expect-no-changes"], { expect: undefined });
        const changed = steps.filter((s) => !["same", "read", "refresh"].includes(s.op));
        assert.deepEqual(changed.map((s) => `${s.op} ${s.urn} ${JSON.stringify(s.diffs ?? [])}`), [], diagnostics(ran));
        assert.equal(ran.code, 0, diagnostics(ran));
    });
}

describe("day two on every stack (L5+)", () => {
    describe("dev: a rolling release", () => {
        it("a new image replaces the task definitions and updates the services, nothing else", () => {
            const o = outputs("dev");
            for (const service of Object.keys(o.images.blue)) set("dev", `tms:deployment.blue.images["${service}"]`, "4b1d2e3-dev");
            const changed = onlyChanges(upJson("dev").steps, SERVICES, "rolling release");
            assert.ok(changed.some((s) => s.type === TASK_DEFINITION && REPLACE_OPS.has(s.op)));
            assert.equal(outputs("dev").images.blue["api-gateway"], "4b1d2e3-dev");
        });
    });

    releaseByHand("staging", "4b1d2e3-staging", [50, 100]);
    releaseByHand("dr", "4b1d2e3-prod", [10, 100]);

    describe("refreshed from what AWS stored, every stack converges", () => {
        for (const stack of ["dev", "staging", "prod", "dr"]) convergesAfterRefresh(stack);
    });
});
