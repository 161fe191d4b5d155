/**
 * Day two by hand on dev, staging and dr, for 4-day-two (see there): dev's rolling release, and a whole release
 * by hand on each two-colour stack (candidate deploy, weight steps through targeted ups, finalise, scale down),
 * each step's changes checked; then each stack's refreshed `up`, which must plan nothing.
 *
 * The three releases touch neither prod nor what 3c-watched-canary reads (dr reads prod's outputs for the
 * failover name, the global cluster, the replica bucket and the shared secrets, which a rollout of prod does not
 * change), so they start beside 3c's canary, whose baseline, bakes and validation leave the machine idle for
 * about a minute (`dayTwo`, started once): 4-day-two awaits the same promises, and starts them itself when 3c
 * did not (run alone, or without tmux).
 */
import { strict as assert } from "assert";
import { diagnostics, pulumiAsync, upJson, type UpStep } from "./sandbox-fixture";

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const LISTENERS = /^aws:(lb|alb)\/(listener|listenerRule):(Listener|ListenerRule)$/;
const SERVICES = /^aws:(ecs\/service:Service|appautoscaling\/target:Target)$/;
const REPLACE_OPS = new Set(["replace", "create-replacement", "delete-replaced"]);

type Outputs = Record<string, any>;
const outputs = async (stack: string): Promise<Outputs> => JSON.parse((await pulumiAsync(["stack", "output", "--stack", stack, "--json"], { expect: 0 })).stdout);

/**
 * Change the traffic section in one `config set-all --path`, with the next revision, as "Releasing by hand" in
 * docs/traffic.md does with `config set --path` (the program refuses a traffic change without it,
 * config/release.ts). `current`: the outputs read back after the previous step (the deployed revision).
 */
async function setTraffic(stack: string, current: Outputs, values: Record<string, string | number | boolean>): Promise<void> {
    const leaves = { ...values, "tms:deployment.revision": current.release.revision + 1 };
    await pulumiAsync(["config", "set-all", "--path", ...Object.entries(leaves).flatMap(([p, v]) => ["--plaintext", `${p}=${v}`]), "--stack", stack], { expect: 0 });
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
    await setTraffic(stack, o, Object.fromEntries(Object.keys(o.images.blue).map((service) => [`tms:deployment.blue.images["${service}"]`, tag])));
    const changed = onlyChanges((await upJson(stack)).steps, SERVICES, `${stack}: rolling release`);
    assert.ok(changed.some((s) => s.type === TASK_DEFINITION && REPLACE_OPS.has(s.op)), `${stack}: the task definitions are new revisions`);
    assert.equal((await outputs(stack)).images.blue["api-gateway"], tag);
}

/**
 * A release by hand on a two-colour stack: candidate deploy, weight steps through targeted ups, finalise, scale down.
 * The outputs read back to check each step also give the next one its revision and targets.
 */
async function releaseByHand(stack: string, tag: string, weights: number[]): Promise<void> {
    let o = await outputs(stack);
    const [live, candidate] = [o.liveColour, o.candidateColour];
    await setTraffic(stack, o, {
        ...Object.fromEntries(Object.keys(o.images[candidate]).map((service) => [`tms:deployment.${candidate}.images["${service}"]`, tag])),
        [`tms:deployment.${candidate}.running`]: true,
    });
    const deployed = await upJson(stack);
    assert.ok(onlyChanges(deployed.steps, SERVICES, `${stack}: candidate deploy`).some((s) => s.type === TASK_DEFINITION), diagnostics(deployed.ran));
    o = await outputs(stack);
    assert.equal(o.running[candidate], true, `${stack}: the candidate runs`);

    for (const w of weights) {
        await setTraffic(stack, o, { "tms:deployment.weight": w });
        const targets = (o.weightListenerUrns as string[]).map((u) => `--target=${u}`);
        const changed = onlyChanges((await upJson(stack, targets)).steps, LISTENERS, `${stack}: weight ${w}`);
        assert.ok(changed.length > 0 && changed.length <= targets.length, `${stack}: ${changed.length} updates for ${targets.length} targets`);
        o = await outputs(stack);
        assert.equal(o.weight, w, `${stack}: weight read back`);
    }

    await setTraffic(stack, o, { "tms:deployment.live": candidate, "tms:deployment.weight": 0 });
    onlyChanges((await upJson(stack)).steps, LISTENERS, `${stack}: finalise`);
    o = await outputs(stack);
    assert.deepEqual([o.liveColour, o.weight], [candidate, 0], `${stack}: finalised`);

    await setTraffic(stack, o, { [`tms:deployment.${live}.running`]: false });
    onlyChanges((await upJson(stack)).steps, SERVICES, `${stack}: scale down`);
    assert.equal((await outputs(stack)).running[live], false, `${stack}: the previous colour is scaled down`);
}

/** Refreshed from the fake AWS, an up plans and changes nothing. */
export async function convergesAfterRefresh(stack: string): Promise<void> {
    const { steps, ran } = await upJson(stack, ["--refresh", "--expect-no-changes"], { expect: undefined });
    const changed = steps.filter((s) => !["same", "read", "refresh"].includes(s.op));
    assert.deepEqual(changed.map((s) => `${s.op} ${s.urn} ${JSON.stringify(s.diffs ?? [])}`), [], `${stack}: ${diagnostics(ran)}`);
    assert.equal(ran.code, 0, `${stack}: ${diagnostics(ran)}`);
}

/** Run the stacks' chains at once; every chain finishes before the test ends, and every failure is reported. */
export async function all(chains: Promise<void>[]): Promise<void> {
    const failed = (await Promise.allSettled(chains)).flatMap((r) => (r.status === "rejected" ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
    assert.deepEqual(failed, []);
}

/** One stack's day two: its release, then the refreshed `up` that must plan nothing. */
export interface DayTwo {
    released: Promise<void>;
    refreshed: Promise<void>;
}

let started: DayTwo[] | undefined;

/**
 * dev's rolling release and the releases by hand of staging (blue-green: 50 → 100%) and dr (canary: 10 → 100%),
 * at once, each stack refreshed as soon as its release is done; started once. prod's refreshed `up` is not here:
 * it waits for 3c's canary.
 */
export function dayTwo(): DayTwo[] {
    started ??= ([
        ["dev", () => rollingRelease("dev", "4b1d2e3-dev")],
        ["staging", () => releaseByHand("staging", "4b1d2e3-staging", [50, 100])],
        ["dr", () => releaseByHand("dr", "4b1d2e3-prod", [10, 100])],
    ] as const).map(([stack, release]) => {
        const released = release();
        const refreshed = released.then(() => convergesAfterRefresh(stack), () => Promise.reject(new Error(`${stack}: not refreshed, its release failed`)));
        // Awaited by 4-day-two's tests; not unhandled rejections meanwhile.
        released.catch(() => undefined);
        refreshed.catch(() => undefined);
        return { released, refreshed };
    });
    return started;
}
