/**
 * The engine's bookkeeping, pinned on a virtual clock: what a resume keeps and what it resets, the
 * previous rollout's colour when the next one starts, the lease while the rollback window is waited
 * out, the cap on stored decisions, and the records a rollback leaves behind.
 */
import { strict as assert } from "assert";
import { zeroCounters, zeroTotals } from "../../automation/analysis";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine, type RolloutEvent } from "../../automation/engine";
import type { Colour, MetricsSample, MetricsWindow } from "../../automation/ports";
import { FakeStack, type FakeStackHooks } from "../../automation/sim/fake-stack";
import { MAX_DECISIONS, STATE_VERSION, type RolloutState } from "../../automation/state";
import { MemoryStateStore } from "../../automation/state-memory";
import { defaultRolloutSettings, type RolloutSettings } from "../../config/rollout-settings";
import type { Strategy } from "../../config/vocabulary";
import { errorSpike, good, lowTraffic } from "./helpers";
/** These tests time resumes at the lease's own expiry; the clock-skew margin on top is tested with the stores (state-memory, dynamo-state). */
const NO_SKEW = 0;

const release = { id: "2.0.0", images: { "api-gateway": "2.0.0" } };
/** The canary's error spike at 2 minutes (10% step) and the reason it rolls back with. */
const spikeAt120 = (w: MetricsWindow) => (w.endMs === 120_000 ? errorSpike() : good());
const SPIKE_REASON = "errors: candidate 5xx 5.00% (28/560) vs live 0.06%; threshold 5 × max(0.06%, floor 0.10%) = 0.50%";
/** Default canary: promoted when 30 minutes of validation end, 45 minutes in. */
const CANARY_DECIDED = 2_700_000;

function setup(hooks: FakeStackHooks = {}, settings: RolloutSettings = defaultRolloutSettings("canary")) {
    const clock = new VirtualClock(0);
    const stack = new FakeStack(clock, {}, hooks);
    const store = new MemoryStateStore(true, NO_SKEW);
    const events: RolloutEvent[] = [];
    let sample: (w: MetricsWindow) => MetricsSample = () => good();
    const metrics = { query: async (w: MetricsWindow) => sample(w) };
    const engine = (c: VirtualClock = clock) => new RolloutEngine({ stack, metrics, clock: c, store, onEvent: (e) => events.push(e) });
    const start = (opts: { owner?: string; settings?: RolloutSettings; waitForScaleDown?: boolean; clock?: VirtualClock } = {}) =>
        engine(opts.clock).start({ stack: "prod", owner: opts.owner ?? "ci", release, settings: opts.settings ?? settings, waitForScaleDown: opts.waitForScaleDown });
    const info = () => events.flatMap((e) => (e.type === "info" ? [e.message] : []));
    const calls = (method: string) => stack.calls.filter((c) => c.method === method);
    return { clock, stack, store, events, engine, start, info, calls, metrics: (f: (w: MetricsWindow) => MetricsSample) => (sample = f) };
}

describe("engine: the previous rollout's colour when the next one starts", () => {
    /** A promoted canary leaves blue pending until 3600 s after its decision; the clock then moves on by `afterMs`. */
    async function promotedThen(afterMs: number) {
        const t = setup();
        assert.equal((await t.start()).outcome, "promoted");
        t.clock.advance(afterMs);
        return t;
    }

    it("a rolling rollout scales the old colour down first once its window has passed, not a millisecond before", async () => {
        const due = await promotedThen(3_600_000);
        const before = due.stack.calls.length;
        const r = await due.start({ settings: defaultRolloutSettings("rolling") });
        assert.equal(r.outcome, "promoted");
        assert.deepEqual(due.stack.calls.slice(before, before + 3).map((c) => [c.method, c.arg ?? null, c.atMs]),
            [["readTraffic", null, CANARY_DECIDED + 3_600_000], ["scaleToZero", "blue", CANARY_DECIDED + 3_600_000], ["deployRolling", "2.0.0", CANARY_DECIDED + 3_600_000]]);
        assert.equal(due.stack.traffic.running.blue, false);

        const early = await promotedThen(3_600_000 - 1);
        assert.equal((await early.start({ settings: defaultRolloutSettings("rolling") })).outcome, "promoted");
        assert.deepEqual(early.calls("scaleToZero"), []);
        assert.equal(early.stack.traffic.running.blue, true);
    });

    it("a canary deploying onto the colour awaiting scale-down does not scale it down first", async () => {
        const t = await promotedThen(3_600_000);
        const r = await t.start();
        assert.equal(r.outcome, "promoted");
        assert.equal(r.state.candidate, "blue");
        assert.deepEqual(t.calls("scaleToZero"), []);
        assert.deepEqual(t.calls("deployCandidate").map((c) => (c.arg as { colour: Colour }).colour), ["green", "blue"]);
    });
});

describe("engine: the state a rollout starts from", () => {
    it("saves a fresh rollout before doing anything: nothing applied, measured or decided yet", async () => {
        const t = setup();
        await t.start();
        const { settings, release: saved, ...first } = t.store.history[0];
        assert.deepEqual(saved, release);
        assert.deepEqual(settings, defaultRolloutSettings("canary"));
        const expected: Omit<RolloutState, "settings" | "release"> = {
            version: STATE_VERSION, stack: "prod", rolloutId: "prod-2.0.0-0", strategy: "canary", live: "blue", candidate: "green",
            previousImages: { "api-gateway": "1.0.0", "task-service": "1.0.0" }, status: "deploying", haltedFrom: null,
            startedAtMs: 0, updatedAtMs: 0, stepIndex: 0, targetWeight: 0, weightApplied: false, weight: 0, phaseStartedAtMs: 0,
            analysedSeconds: 0, cursorMs: 0, firstShiftAtMs: null, baseline: null, counters: zeroCounters(), validationTotals: zeroTotals(),
            decisions: [], timeline: [], outcome: null, reason: null, decidedAtMs: null, rollback: null, pendingScaleDown: null, snapshot: null, record: null,
        };
        assert.deepEqual(first, expected);
    });

    it("measures a baseline of no requests as a 0% error rate when the minimum allows it", async () => {
        const settings = defaultRolloutSettings("canary");
        settings.analysis.minRequests = 0;
        const t = setup({}, settings);
        t.metrics((w) => (w.endMs === 0 ? { ...good(), live: { requests: 0, errors5xx: 0, p95Ms: null } } : good()));
        const r = await t.start();
        const baseline = r.decisions.find((d) => d.rule === "baseline")!;
        assert.deepEqual([baseline.verdict, baseline.reference, baseline.detail], ["ok", 0, "baseline blue: 0 requests, 5xx 0.00%, p95 n/ams"]);
    });
});

describe("engine: what a resume keeps and what it resets", () => {
    /** Halted after the spike at 120 s: the weight-0 update failed three times, the listener still at 10%. */
    async function haltedRollback() {
        const t = setup({ setWeight: (w) => (w === 0 ? { error: new Error("Throttling"), applied: false } : undefined) });
        t.metrics(spikeAt120);
        const halted = await t.start();
        assert.equal(halted.state.haltedFrom, "rolling_back");
        assert.equal(t.stack.traffic.weight, 10);
        return t;
    }

    it("a resumed rollback still says why, in the state a kill leaves behind", async () => {
        const t = await haltedRollback();
        const later = new VirtualClock(1_000_000);
        later.freezeAt(1_000_000 + 1); // killed in the first retry's 2 s wait
        void t.engine(later).resume("prod", "human");
        await later.frozen;
        // The reason is the halt's, which names the rollback's own; the rollback record keeps the latter.
        const saved = (await t.store.load("prod"))!;
        assert.deepEqual([saved.status, saved.reason, saved.rollback!.reason], ["rolling_back", `10% of traffic still on green (the bad candidate), 90% on blue; run \`npm run rollout -- --stack prod --resume\` to finish the rollback. Rollback not verified after 15 attempt(s) over 10 min: Throttling (after: ${SPIKE_REASON})`, SPIKE_REASON]);
        assert.ok(t.info().includes("resuming prod-2.0.0-0 in rolling_back"), t.info().join("\n"));
    });

    it("a halted rollback whose weight a human already set to 0 completes with its own reason, without reading the weight first", async () => {
        const t = await haltedRollback();
        t.stack.traffic.weight = 0; // set by hand while it was halted
        t.stack.hooks = {};
        const reads = t.calls("readWeight").length;
        const r = await t.engine(new VirtualClock(1_000_000)).resume("prod", "human");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, SPIKE_REASON);
        assert.equal(t.calls("readWeight").length, reads + 1, "only the rollback's own read-back");
        assert.deepEqual(r.timeline, [{ atMs: 0, weight: 10 }, { atMs: 1_000_000, weight: 0 }]);
    });

    it("a validation halted part-way (low traffic) continues with what is left and keeps its totals", async () => {
        const t = setup();
        // Validation starts at 900 s: five good intervals (300 s counted), then ten without traffic halt it at 1800 s.
        t.metrics((w) => (w.endMs > 1_200_000 && w.endMs <= 1_800_000 ? lowTraffic() : good()));
        const halted = await t.start();
        assert.equal(halted.outcome, "halted");
        assert.deepEqual([halted.state.haltedFrom, halted.state.analysedSeconds, halted.decidedAtMs], ["validating", 300, 1_800_000]);
        assert.equal(halted.state.validationTotals.requests, 5 * 560 + 10 * 12);
        t.metrics(() => good());
        const r = await t.engine().resume("prod", "human");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtMs, 1_800_000 + 1_500_000, "the 1500 s left, not 1800 s again");
        assert.equal(r.state.validationTotals.requests, 5 * 560 + 10 * 12 + 25 * 560);
        assert.equal(t.info().find((m) => m.startsWith("resuming")), "resuming prod-2.0.0-0 in validating (validation (100%), 1500s left)");
    });

    it("a rolling validation halted outside the ranges, resumed and promoted, keeps no reason", async () => {
        const t = setup({}, defaultRolloutSettings("rolling"));
        let slow = true;
        t.metrics((w) => (slow && w.endMs > 0 ? { ...good(), candidate: { requests: 560, errors5xx: 0, p95Ms: 294 } } : good()));
        const halted = await t.start();
        assert.equal(halted.reason, "validation outside the deployment-health ranges: validation.p95: validation p95 294ms vs baseline 210ms + 25% = 263ms");
        slow = false;
        const r = await t.engine(new VirtualClock(5_000_000)).resume("prod", "human");
        assert.deepEqual([r.outcome, r.reason, r.decidedAtMs], ["promoted", null, 5_000_000 + 900_000]);
    });

    it("a process killed during validation whose weight was changed meanwhile rolls back on resume", async () => {
        const t = setup();
        t.clock.freezeAt(1_000_000); // killed in the second validation interval
        void t.start();
        await t.clock.frozen;
        assert.equal((await t.store.load("prod"))!.status, "validating");
        t.stack.traffic.weight = 50;
        const r = await t.engine(new VirtualClock(2_000_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "traffic-update: on resume the weight reads 50% instead of the saved 100%");
        assert.equal(t.stack.traffic.weight, 0);
    });

    it("a resume that cannot read the weight back rolls back, saying the weight is unknown", async () => {
        const t = setup();
        t.clock.freezeAt(1_000_000); // killed in the second validation interval
        void t.start();
        await t.clock.frozen;
        const failing = t.calls("readWeight").length + 1; // only the resume's own read fails
        t.stack.hooks = { readWeight: (n) => (n === failing ? new Error("Throttling") : undefined) };
        const r = await t.engine(new VirtualClock(2_000_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "traffic-update: on resume the weight reads unknown% instead of the saved 100%");
        assert.ok(t.info().includes("resuming prod-2.0.0-0: weight reads unknown%, saved 100%"), t.info().join("\n"));
    });

    it("a resumed validation keeps the time its phase began; only a health wait restarts its clock", async () => {
        const t = setup();
        t.clock.freezeAt(1_000_000);
        void t.start();
        await t.clock.frozen;
        const killed = (await t.store.load("prod"))!;
        assert.deepEqual([killed.status, killed.phaseStartedAtMs], ["validating", 900_000]);
        const r = await t.engine(new VirtualClock(2_000_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.state.phaseStartedAtMs, 900_000);
    });

    it("a failed finalise, resumed, promotes without waiting out the window and keeps the validation it passed", async () => {
        const t = setup({ finalise: () => new Error("listener conflict") });
        const halted = await t.start();
        assert.deepEqual([halted.state.haltedFrom, halted.state.analysedSeconds], ["finalising", 1800]);
        t.stack.hooks = {};
        const r = await t.engine(new VirtualClock(5_000_000)).resume("prod", "human");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.state.decidedAtMs, 5_000_000, "the saved decision is the finalise that succeeded");
        assert.deepEqual(r.state.pendingScaleDown, { colour: "blue", notBeforeMs: 5_000_000 + 3_600_000 });
        assert.deepEqual(t.calls("scaleToZero"), [], "a resume waits for the window only when asked to");
        assert.equal(r.state.analysedSeconds, 1800);
        assert.deepEqual(r.state.validationTotals, halted.state.validationTotals);
        assert.equal(t.info().find((m) => m.startsWith("resuming")), "resuming prod-2.0.0-0 in finalising");
    });

    it("a finalise that takes minutes keeps the decision time of the validation", async () => {
        const t = setup();
        const finalise = t.stack.finalise.bind(t.stack);
        t.stack.finalise = async (c) => {
            t.clock.advance(180_000); // a real `pulumi up`
            return finalise(c);
        };
        const r = await t.start();
        assert.equal(r.decidedAtMs, CANARY_DECIDED);
        assert.deepEqual(r.state.pendingScaleDown, { colour: "blue", notBeforeMs: CANARY_DECIDED + 180_000 + 3_600_000 });
    });

    it("a state that lost its rollback record still rolls back, and halts when the rollback is not verified", async () => {
        // A state edited by hand (or saved by an older version) that says rolling back without saying why.
        async function fromEditedState(hooks: FakeStackHooks) {
            const t = setup();
            t.clock.freezeAt(200_000);
            void t.start();
            await t.clock.frozen;
            const s = (await t.store.load("prod"))!;
            await t.store.save({ ...s, status: "rolling_back", reason: null, rollback: null });
            t.stack.hooks = hooks;
            return t.engine(new VirtualClock(1_000_000)).resume("prod", "human");
        }
        const done = await fromEditedState({});
        assert.deepEqual([done.outcome, done.reason, done.rollback!.verified, done.rollback!.records], ["rolled_back", "rollback", true, []]);
        const stuck = await fromEditedState({ setWeight: () => ({ error: new Error("AccessDenied"), applied: false }) });
        assert.equal(stuck.outcome, "halted");
        assert.equal(stuck.rollback!.verified, false);
    });
});

describe("engine: the lock while the rollback window is waited out", () => {
    it("renews the lease every half lease, ending exactly when the window does", async () => {
        const settings = { ...defaultRolloutSettings("canary"), rollbackWindowSeconds: 400 };
        const t = setup({}, settings);
        const renewals: [number, number][] = [];
        const renew = t.store.renew.bind(t.store);
        t.store.renew = async (lease, nowMs, ttlMs) => {
            renewals.push([nowMs, ttlMs]);
            return renew(lease, nowMs, ttlMs);
        };
        const r = await t.start({ waitForScaleDown: true });
        const after = renewals.filter(([at]) => at > CANARY_DECIDED).map(([at, ttl]) => [at - CANARY_DECIDED, ttl]);
        // 150 s chunks (half of the 300 s lease), the last one cut to the window; the fencing check before the
        // scale-down's update; then the scale-down is saved.
        assert.deepEqual(after, [[150_000, 300_000], [300_000, 300_000], [400_000, 300_000], [400_000, 300_000], [400_000, 300_000]]);
        assert.deepEqual(t.calls("scaleToZero").map((c) => [c.atMs, c.arg]), [[CANARY_DECIDED + 400_000, "blue"]]);
        assert.equal(r.state.pendingScaleDown, null);
    });

    it("nobody starts meanwhile, and the hourly cleanup leaves the lock alone while nothing is due", async () => {
        const t = setup();
        t.clock.freezeAt(CANARY_DECIDED + 1_000_000); // the runner waits in 150 s chunks: its last renewal was at +900 s
        void t.start({ waitForScaleDown: true });
        await t.clock.frozen;
        const meanwhile = new VirtualClock(CANARY_DECIDED + 1_000_000);
        assert.equal(await t.engine(meanwhile).scaleDownIfDue("prod", "cron"), false);
        await assert.rejects(t.start({ owner: "ci-2", clock: meanwhile }),
            (e: Error) => e.message === `stack prod: a rollout is in flight (lock held by ci until ${new Date(CANARY_DECIDED + 1_200_000).toISOString()})`);
        assert.deepEqual(t.calls("scaleToZero"), []);
    });

    it("the cleanup holds the lock for a whole lease from taking it, through a slow scale-down", async () => {
        const t = setup();
        await t.start();
        t.clock.advance(3_600_000);
        const taken = t.clock.now();
        const scaleToZero = t.stack.scaleToZero.bind(t.stack);
        let refused = "";
        t.stack.scaleToZero = async (c) => {
            t.clock.advance(120_000); // the `pulumi up` takes two minutes; a rollout tries to start meanwhile
            await t.start({ owner: "ci-2" }).catch((e: Error) => (refused = e.message));
            return scaleToZero(c);
        };
        assert.equal(await t.engine().scaleDownIfDue("prod", "cron"), true);
        assert.equal(refused, `stack prod: a rollout is in flight (lock held by cron until ${new Date(taken + 300_000).toISOString()})`);
    });

    it("the cleanup decides under the lock: a colour whose window a newer rollout just opened is left alone", async () => {
        const t = setup();
        await t.start();
        t.clock.advance(3_600_000);
        // Between the cleanup's first read and its lock, another rollout made blue live again (and released the lock as it ended).
        const acquire = t.store.acquire.bind(t.store);
        t.store.acquire = async (...a) => {
            const s = (await t.store.load("prod"))!;
            if (a[1] === "cron") await t.store.save({ ...s, rolloutId: "prod-3.0.0", live: "green", candidate: "blue", pendingScaleDown: { colour: "green", notBeforeMs: a[2] + 3_600_000 } });
            return acquire(...a);
        };
        assert.equal(await t.engine().scaleDownIfDue("prod", "cron"), false);
        assert.deepEqual(t.calls("scaleToZero"), []);
        assert.deepEqual((await t.store.load("prod"))!.pendingScaleDown, { colour: "green", notBeforeMs: t.clock.now() + 3_600_000 });
    });
});

describe("engine: the records a rollout keeps", () => {
    it(`keeps the last ${MAX_DECISIONS} analysis records, dropping the oldest (a 500-interval validation)`, async () => {
        const t = setup({}, { ...defaultRolloutSettings("blue-green"), steps: [{ weight: 100, bakeSeconds: 0 }], validationSeconds: 500 * 60 });
        // Kept by reference: copying up to 2,000 records at each of 500 saves would cost half a second.
        let saved: RolloutState | undefined;
        t.store.save = async (s) => void (saved = s);
        t.store.load = async () => saved;
        const r = await t.start();
        assert.equal(r.outcome, "promoted");
        const emitted = t.events.flatMap((e) => (e.type === "analysis" ? [e.record] : []));
        assert.equal(emitted.length, 1 + 500 * 4 + 4, "the baseline, four rules per interval, four validation ranges");
        assert.equal(r.decisions.length, MAX_DECISIONS);
        assert.deepEqual(r.decisions, emitted.slice(-MAX_DECISIONS));
    });

    it("the record that decides a rollback is kept with the decisions too, and no weight 0 is logged before any shift", async () => {
        const cases: [string, FakeStackHooks, Strategy, string, number[]][] = [
            ["deploy", { deployCandidate: () => new Error("image not found") }, "canary", "deploy", []],
            ["health", { candidateHealth: () => ({ healthy: 0, unhealthy: 1, pending: 0 }) }, "canary", "candidate-health", []],
            ["weight", { setWeight: (w) => (w === 30 ? { error: new Error("conflict"), applied: false } : undefined) }, "canary", "traffic-update", [10, 0]],
            ["rolling", { deployRolling: (rel) => (rel.id === "2.0.0" ? { settled: false, detail: "circuit breaker" } : { settled: true, detail: "ok" }) }, "rolling", "circuit-breaker", []],
        ];
        for (const [name, hooks, strategy, rule, weights] of cases) {
            const t = setup(hooks, defaultRolloutSettings(strategy));
            const r = await t.start();
            assert.equal(r.outcome, "rolled_back", name);
            assert.deepEqual(r.rollback!.records.map((x) => x.rule), [rule], name);
            assert.deepEqual(r.decisions.at(-1), r.rollback!.records[0], name);
            const analysed = t.events.flatMap((e) => (e.type === "analysis" ? [e.record] : []));
            assert.deepEqual(analysed.at(-1), r.rollback!.records[0], name);
            assert.deepEqual(r.timeline.map((e) => e.weight), weights, name);
        }
    });

    it("an unverified rollback retries with backoff, halts right after its last attempt, and says when the weight could not be read", async () => {
        let broken = false;
        const t = setup({
            setWeight: (w) => (w === 0 ? ((broken = true), { error: new Error("Throttling"), applied: false }) : undefined),
            readWeight: () => (broken ? new Error("timeout") : undefined),
        });
        t.metrics(spikeAt120);
        const r = await t.start({ settings: { ...defaultRolloutSettings("canary"), rollbackRetryMinutes: 0.1 } });
        assert.equal(r.outcome, "halted");
        // rollbackRetryMinutes 0.1 (6 s): attempts at 120 s, +2 s, +4 s more (queryRetryBaseMs doubling); the deadline then ends it.
        assert.deepEqual(t.calls("setWeight").filter((c) => (c.arg as { weight: number }).weight === 0).map((c) => c.atMs), [120_000, 122_000, 126_000]);
        assert.equal(r.decidedAtMs, 126_000);
        assert.equal(r.reason, `traffic split unknown (the weight could not be read; last set 10% to green); run \`npm run rollout -- --stack prod --resume\` to finish the rollback. Rollback not verified after 3 attempt(s) over 0.1 min: Throttling (after: ${SPIKE_REASON})`);
        assert.equal(r.state.weight, 10, "the saved weight stays the last one read");
    });

    it("a weight update that succeeds but reads back another weight is a failed update, naming both", async () => {
        const t = setup();
        const setWeight = t.stack.setWeight.bind(t.stack);
        t.stack.setWeight = async (w) => (w === 30 ? undefined : setWeight(w)); // the up "succeeds" without changing the listener
        const r = await t.start();
        assert.equal(r.reason, "traffic-update: update to 30% failed: weight reads back 10% instead of 30%");
        assert.deepEqual(r.rollback!.records.map((x) => [x.candidate, x.threshold]), [[10, 30]]);
    });

    it("polls a candidate's health every poll period, the last wait cut to the deadline", async () => {
        const settings = { ...defaultRolloutSettings("canary"), healthTimeoutSeconds: 45, healthPollSeconds: 20 };
        const never = setup({ candidateHealth: () => ({ healthy: 1, unhealthy: 0, pending: 1 }) }, settings);
        const r = await never.start();
        assert.deepEqual(never.calls("candidateHealth").map((c) => c.atMs), [0, 20_000, 40_000, 45_000]);
        assert.equal(r.decidedAtMs, 45_000);
        const late = setup({ candidateHealth: (_c, at) => (at >= 30_000 ? { healthy: 2, unhealthy: 0, pending: 0 } : { healthy: 0, unhealthy: 0, pending: 2 }) });
        assert.equal((await late.start()).firstShiftAtMs, 30_000, "healthy at the third 15 s poll");
    });
});
