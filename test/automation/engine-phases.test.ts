/**
 * L4: a healthy rollout of each strategy on a virtual clock, pinned event by event: phase labels and
 * remaining time, the log lines, the weight timeline, when it decides, and when the old colour may go.
 * These are the guide's schedules (canary 10/30/50/100 % every 5 minutes then 30 minutes of
 * validation; blue-green 50 % for 2 minutes then 100 %; rolling 15 minutes of validation; a one-hour
 * rollback window), so a changed label, step or duration fails here.
 */
import { strict as assert } from "assert";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine, RolloutRefusedError, type RolloutEvent } from "../../automation/engine";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import type { Strategy } from "../../config/vocabulary";
import { FakeStack } from "../../automation/sim/fake-stack";
import { MemoryStateStore } from "../../automation/state-memory";
import { good } from "./helpers";
/** These tests time resumes at the lease's own expiry; the clock-skew margin on top is tested with the stores (state-memory, dynamo-state). */
const NO_SKEW = 0;

async function healthyRollout(strategy: Strategy) {
    const clock = new VirtualClock(0);
    const stack = new FakeStack(clock, {}, {});
    const store = new MemoryStateStore(true, NO_SKEW);
    const events: RolloutEvent[] = [];
    const engine = new RolloutEngine({ stack, metrics: { query: async () => good() }, clock, store, onEvent: (e) => events.push(e) });
    const result = await engine.start({ stack: "prod", owner: "ci", release: { id: "2.0.0", images: { "api-gateway": "2.0.0" } }, settings: defaultRolloutSettings(strategy) });
    const s = (await store.load("prod"))!;
    return {
        result: { outcome: result.outcome, reason: result.reason },
        phases: events.filter((e) => e.type === "phase").map((e: any) => `${e.atMs / 1000}s ${e.status} ${e.label} ${e.weight}% ${e.remainingSeconds}`),
        info: events.filter((e) => e.type === "info").map((e: any) => e.message),
        decisions: events.filter((e) => e.type === "decision").map((e: any) => `${e.outcome} ${e.reason}`),
        progress: events.filter((e) => e.type === "progress").length,
        state: { timeline: s.timeline, firstShiftAtMs: s.firstShiftAtMs, decidedAtMs: s.decidedAtMs, pendingScaleDown: s.pendingScaleDown, baseline: s.baseline },
    };
}

describe("engine: the phases of a healthy rollout, event by event", () => {
    it("canary: 10, 30, 50, 100 % five minutes each, 30 minutes of validation, blue kept for an hour", async () => {
        assert.deepEqual(await healthyRollout("canary"), {
            result: { outcome: "promoted", reason: null },
            phases: [
                "0s deploying deploy green at 0% 0% null", "0s waiting_healthy waiting_healthy 0% null",
                "0s shifting step 1 (10%) 10% 300", "300s shifting step 2 (30%) 30% 300", "600s shifting step 3 (50%) 50% 300",
                "900s shifting step 4 (100%) 100% 0", "900s validating validation (100%) 100% 1800",
            ],
            info: [
                "rollout prod-2.0.0-0: canary of 2.0.0 onto green (live blue)",
                "green healthy (2 healthy, 0 unhealthy, 0 pending)",
                "green is live; blue stays up until 1970-01-01T01:45:00.000Z for rollback",
            ],
            decisions: ["promoted null"],
            progress: 15 + 30,
            state: {
                timeline: [{ atMs: 0, weight: 10 }, { atMs: 300_000, weight: 30 }, { atMs: 600_000, weight: 50 }, { atMs: 900_000, weight: 100 }],
                firstShiftAtMs: 0, decidedAtMs: 2_700_000, pendingScaleDown: { colour: "blue", notBeforeMs: 6_300_000 },
                baseline: { requests: 5000, errors5xx: 3, p95Ms: 210 },
            },
        });
    });

    it("blue-green: 50 % for two minutes, then 100 % and 30 minutes of validation", async () => {
        assert.deepEqual(await healthyRollout("blue-green"), {
            result: { outcome: "promoted", reason: null },
            phases: [
                "0s deploying deploy green at 0% 0% null", "0s waiting_healthy waiting_healthy 0% null",
                "0s shifting step 1 (50%) 50% 120", "120s shifting step 2 (100%) 100% 0", "120s validating validation (100%) 100% 1800",
            ],
            info: [
                "rollout prod-2.0.0-0: blue-green of 2.0.0 onto green (live blue)",
                "green healthy (2 healthy, 0 unhealthy, 0 pending)",
                "green is live; blue stays up until 1970-01-01T01:32:00.000Z for rollback",
            ],
            decisions: ["promoted null"],
            progress: 2 + 30,
            state: {
                timeline: [{ atMs: 0, weight: 50 }, { atMs: 120_000, weight: 100 }],
                firstShiftAtMs: 0, decidedAtMs: 1_920_000, pendingScaleDown: { colour: "blue", notBeforeMs: 5_520_000 },
                baseline: { requests: 5000, errors5xx: 3, p95Ms: 210 },
            },
        });
    });

    it("rolling: the live colour updated in place, 15 minutes of validation, no colour to scale down", async () => {
        assert.deepEqual(await healthyRollout("rolling"), {
            result: { outcome: "promoted", reason: null },
            phases: ["0s deploying rolling 2.0.0 onto blue 0% null", "0s validating validation 0% 900"],
            info: ["rollout prod-2.0.0-0: rolling of 2.0.0 onto blue (live blue)"],
            decisions: ["promoted null"],
            progress: 15,
            state: { timeline: [], firstShiftAtMs: 0, decidedAtMs: 900_000, pendingScaleDown: null, baseline: { requests: 5000, errors5xx: 3, p95Ms: 210 } },
        });
    });
});

describe("engine: the baseline and the wait for healthy targets, recorded exactly", () => {
    function run(metrics: (w: { startMs: number; endMs: number }) => any, hooks: ConstructorParameters<typeof FakeStack>[2] = {}) {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, {}, hooks);
        const events: RolloutEvent[] = [];
        const engine = new RolloutEngine({
            stack, clock, store: new MemoryStateStore(true, NO_SKEW), onEvent: (e) => events.push(e),
            metrics: { query: async (w) => { const r = metrics(w); if (r instanceof Error) throw r; return r; } },
        });
        const result = engine.start({ stack: "prod", owner: "ci", release: { id: "2.0.0", images: { "api-gateway": "2.0.0" } }, settings: defaultRolloutSettings("canary") });
        const baseline = () => events.filter((e) => e.type === "analysis" && e.record.rule === "baseline").map((e: any) => {
            const { rule, verdict, candidate, reference, threshold, detail } = e.record;
            return { rule, verdict, candidate, reference, threshold, detail };
        });
        return { result, baseline, events };
    }
    const before = (w: { endMs: number }) => w.endMs === 0;

    it("measures the live colour before the first shift", async () => {
        const t = run(() => good());
        await t.result;
        assert.deepEqual(t.baseline(), [{ rule: "baseline", verdict: "ok", candidate: null, reference: 3 / 5000, threshold: null, detail: "baseline blue: 5000 requests, 5xx 0.06%, p95 210ms" }]);
    });

    it("needs the minimum traffic for a baseline (49 is too few, 50 is enough)", async () => {
        const few = run((w) => (before(w) ? { ...good(), live: { requests: 49, errors5xx: 0, p95Ms: null } } : good()));
        assert.equal((await few.result).state.baseline, null);
        assert.deepEqual(few.baseline(), [{ rule: "baseline", verdict: "inconclusive", candidate: null, reference: 49, threshold: 50, detail: "live colour had 49 requests before the shift; too few for a baseline" }]);
        const enough = run((w) => (before(w) ? { ...good(), live: { requests: 50, errors5xx: 1, p95Ms: null } } : good()));
        assert.deepEqual((await enough.result).state.baseline, { requests: 50, errors5xx: 1, p95Ms: null });
        assert.equal(enough.baseline()[0].detail, "baseline blue: 50 requests, 5xx 2.00%, p95 n/ams");
    });

    it("falls back to the floor when the baseline query fails, and halts on alarms already firing", async () => {
        const failed = run((w) => (before(w) ? new Error("ThrottlingException") : good()));
        await failed.result;
        assert.deepEqual(failed.baseline().map((b) => [b.verdict, b.detail]),
            [["inconclusive", "baseline query failed after 3 attempt(s): ThrottlingException; ranges fall back to the error-rate floor"]]);
        const alarmed = run((w) => (before(w) ? { ...good(), alarms: ["tms-prod-critical-x", "tms-prod-critical-y"] } : good()));
        const r = await alarmed.result;
        assert.equal(r.outcome, "halted");
        assert.equal(r.reason, "critical alarm(s) already in ALARM before the first shift: tms-prod-critical-x, tms-prod-critical-y");
    });

    it("rolls back when the candidate is not healthy by the deadline, quoting its last answer", async () => {
        const pending = run(() => good(), { candidateHealth: () => ({ healthy: 1, unhealthy: 0, pending: 1 }) });
        let r = await pending.result;
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "candidate-health: green targets not healthy after 600s (1 healthy, 0 unhealthy, 1 pending)");
        assert.equal(r.decidedAtMs, 600_000, "polled up to the deadline, not beyond");
        const failing = run(() => good(), { candidateHealth: () => new Error("DescribeTargetHealth denied") });
        r = await failing.result;
        assert.equal(r.reason, "candidate-health: green targets not healthy after 600s (health query failed: DescribeTargetHealth denied)");
        const unhealthy = run(() => good(), { candidateHealth: (_c, at) => (at < 120_000 ? { healthy: 2, unhealthy: 1, pending: 0 } : { healthy: 2, unhealthy: 0, pending: 0 }) });
        assert.equal((await unhealthy.result).outcome, "promoted");
        assert.ok(unhealthy.events.some((e) => e.type === "info" && e.message === "green healthy (2 healthy, 0 unhealthy, 0 pending)"));
        const none = run(() => good(), { candidateHealth: () => ({ healthy: 0, unhealthy: 0, pending: 0 }) });
        assert.equal((await none.result).outcome, "rolled_back", "no healthy target at all is not healthy");
    });
});

describe("engine: rollback retries and the rollback window, timed exactly", () => {
    function setup(hooks: ConstructorParameters<typeof FakeStack>[2], at: (w: { endMs: number }) => any = () => good()) {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, {}, hooks);
        const store = new MemoryStateStore(true, NO_SKEW);
        const events: RolloutEvent[] = [];
        const engine = new RolloutEngine({ stack, clock, store, onEvent: (e) => events.push(e), metrics: { query: async (w) => at(w) } });
        const start = (waitForScaleDown = false) => engine.start({ stack: "prod", owner: "ci", release: { id: "2.0.0", images: { "api-gateway": "2.0.0" } }, settings: defaultRolloutSettings("canary"), waitForScaleDown });
        return { clock, stack, store, events, engine, start };
    }
    const spikeAt120 = (w: { endMs: number }) => (w.endMs === 120_000 ? { ...good(), candidate: { requests: 560, errors5xx: 28, p95Ms: 205 } } : good());

    it("retries the weight-0 update for 10 minutes (backoff 2 s doubling to 60 s, the last wait cut to the deadline), then halts saying where traffic is and what to run", async () => {
        const t = setup({ setWeight: (w) => (w === 0 ? { error: new Error("Throttling"), applied: false } : undefined) }, spikeAt120);
        const r = await t.start();
        assert.equal(r.outcome, "halted");
        const zeroes = t.stack.calls.filter((c) => c.method === "setWeight" && (c.arg as any).weight === 0).map((c) => c.atMs);
        assert.deepEqual(zeroes.map((ms) => ms / 1000), [120, 122, 126, 134, 150, 182, 242, 302, 362, 422, 482, 542, 602, 662, 720]);
        assert.equal(r.reason, "10% of traffic still on green (the bad candidate), 90% on blue; run `npm run rollout -- --stack prod --resume` to finish the rollback. Rollback not verified after 15 attempt(s) over 10 min: Throttling (after: errors: candidate 5xx 5.00% (28/560) vs live 0.06%; threshold 5 × max(0.06%, floor 0.10%) = 0.50%)");
    });

    it("a rollback that succeeds on the second attempt ends at 0, once in the timeline", async () => {
        const t = setup({ setWeight: (w, n) => (w === 0 && n === 2 ? { error: new Error("Throttling"), applied: false } : undefined) }, spikeAt120);
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.deepEqual(r.timeline, [{ atMs: 0, weight: 10 }, { atMs: 122_000, weight: 0 }]);
        assert.equal(r.decidedAtMs, 120_000);
        assert.equal(r.rollback!.verified, true);
    });

    it("waits out the one-hour rollback window in lease-sized chunks, then scales the old colour down once", async () => {
        const t = setup({});
        const r = await t.start(true);
        assert.equal(r.outcome, "promoted");
        const scale = t.stack.calls.filter((c) => c.method === "scaleToZero");
        assert.deepEqual(scale.map((c) => [c.atMs, c.arg]), [[2_700_000 + 3_600_000, "blue"]]);
        assert.ok(t.events.some((e) => e.type === "info" && e.message === "blue scaled to 0 after the rollback window"));
        assert.equal((await t.store.load("prod"))!.pendingScaleDown, null);
        // Not due yet: nothing to scale.
        const early = setup({});
        await early.start(false);
        assert.equal(await early.engine.scaleDownIfDue("prod", "ci"), false);
        early.clock.advance(3_600_000 - 1);
        assert.equal(await early.engine.scaleDownIfDue("prod", "ci"), false, "one millisecond before the window ends");
        early.clock.advance(1);
        assert.equal(await early.engine.scaleDownIfDue("prod", "ci"), true);
        assert.deepEqual(early.stack.calls.filter((c) => c.method === "scaleToZero").map((c) => c.arg), ["blue"]);
    });
});

describe("engine: rolling deployments and the edges of starting", () => {
    function rolling(hooks: ConstructorParameters<typeof FakeStack>[2], sample: () => any = () => good(), init = {}) {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, init, hooks);
        const store = new MemoryStateStore(true, NO_SKEW);
        const engine = new RolloutEngine({ stack, clock, store, metrics: { query: async () => sample() } });
        const start = (strategy: Strategy = "rolling") => engine.start({ stack: "dev", owner: "ci", release: { id: "2.0.0", images: { "api-gateway": "2.0.0" } }, settings: defaultRolloutSettings(strategy) });
        return { clock, stack, store, engine, start };
    }

    it("a rolling deployment that fails rolls back to the previous images, with the deciding record", async () => {
        const t = rolling({ deployRolling: (r) => (r.id === "2.0.0" ? new Error("service update rejected") : undefined as any) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "circuit-breaker: ECS deployment of 2.0.0 did not settle: update failed: service update rejected");
        assert.deepEqual(r.rollback!.records.map((x) => [x.rule, x.verdict]), [["circuit-breaker", "rollback"]]);
        assert.deepEqual(t.stack.calls.filter((c) => c.method === "deployRolling").map((c) => c.arg), ["2.0.0", "2.0.0-rollback"]);
    });

    it("a rolling rollback that does not settle halts, quoting both", async () => {
        const t = rolling({ deployRolling: () => new Error("cluster unreachable") });
        const r = await t.start();
        assert.equal(r.outcome, "halted");
        assert.equal(r.reason, "rollback to the previous images did not settle: cluster unreachable (after: circuit-breaker: ECS deployment of 2.0.0 did not settle: update failed: cluster unreachable)");
    });

    it("a rolling deployment halts on alarms already firing, before touching anything", async () => {
        const t = rolling({}, () => ({ ...good(), alarms: ["tms-dev-critical-x", "tms-dev-critical-y"] }));
        const r = await t.start();
        assert.equal(r.outcome, "halted");
        assert.equal(r.reason, "critical alarm(s) already in ALARM before the deployment: tms-dev-critical-x, tms-dev-critical-y");
        assert.equal(t.stack.calls.filter((c) => c.method === "deployRolling").length, 0);
    });

    it("rolling ignores a split weight (one colour); canary refuses it, naming the weight and colour", async () => {
        const r = await rolling({}, () => good(), { weight: 20 }).start("rolling");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.state.weight, 0, "a rolling rollout moves no traffic between colours");
        await assert.rejects(rolling({}, () => good(), { weight: 20 }).start("canary"),
            (e: Error) => e instanceof RolloutRefusedError && e.message === "stack dev: 20% of traffic already goes to green with no rollout in flight; set the weight by hand first");
    });

    it("a finalise that fails halts with the candidate still at its weight", async () => {
        const t = rolling({ finalise: () => new Error("listener conflict") });
        const r = await t.start("canary");
        assert.equal(r.outcome, "halted");
        assert.equal(r.reason, "finalise failed (green still takes 100% as candidate): listener conflict");
    });

    it("a refused lock names the holder and when the lease ends", async () => {
        // The first run took the lease at 0 s; a minute in, it has not been renewed yet.
        const LEASE_RENEWED_AT = 0;
        const t = rolling({});
        t.clock.freezeAt(60_000);
        void t.start("canary");
        await t.clock.frozen;
        const other = new RolloutEngine({ stack: t.stack, clock: new VirtualClock(61_000), store: t.store, metrics: { query: async () => good() } });
        const lease = defaultRolloutSettings("canary").leaseSeconds;
        await assert.rejects(other.start({ stack: "dev", owner: "ci-2", release: { id: "3.0.0", images: {} }, settings: defaultRolloutSettings("canary") }),
            (e: Error) => { assert.equal(e.message, `stack dev: a rollout is in flight (lock held by ci until ${new Date(LEASE_RENEWED_AT + lease * 1000).toISOString()})`); return true; });
    });
});

describe("engine: what a rolling deployment compares with", () => {
    it("judges the updated colour against the pre-deployment baseline, not against itself", async () => {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, {}, {});
        const bad = { requests: 560, errors5xx: 28, p95Ms: 205 };
        // After the update, live and candidate are the same colour: both report the spike.
        const engine = new RolloutEngine({ stack, clock, store: new MemoryStateStore(true, NO_SKEW), metrics: { query: async (w) => (w.endMs === 0 ? good() : { ...good(), live: bad, candidate: bad }) } });
        const r = await engine.start({ stack: "dev", owner: "ci", release: { id: "2.0.0", images: {} }, settings: defaultRolloutSettings("rolling") });
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "errors: candidate 5xx 5.00% (28/560) vs baseline 0.06%; threshold 5 × max(0.06%, floor 0.10%) = 0.50%");
    });
});

describe("engine: resuming a halted validation", () => {
    it("runs the whole validation again from the resume, and forgets the halt's reason", async () => {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, {}, {});
        const store = new MemoryStateStore(true, NO_SKEW);
        let slow = true;
        const metrics = { query: async (w: { endMs: number }) => (slow && w.endMs > 900_000 ? { ...good(), candidate: { requests: 560, errors5xx: 0, p95Ms: 280 } } : good()) };
        const halted = await new RolloutEngine({ stack, clock, store, metrics }).start({ stack: "prod", owner: "ci", release: { id: "2.0.0", images: {} }, settings: defaultRolloutSettings("canary") });
        assert.equal(halted.outcome, "halted");
        assert.equal(halted.reason, "validation outside the deployment-health ranges: validation.p95: validation p95 280ms vs baseline 210ms + 25% = 263ms");
        assert.equal(halted.state.analysedSeconds, 1800);
        slow = false;
        const later = new VirtualClock(10_000_000);
        const r = await new RolloutEngine({ stack, clock: later, store, metrics }).resume("prod", "human");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.reason, null);
        assert.equal(r.decidedAtMs, 10_000_000 + 1_800_000, "30 minutes of validation again, counted from the resume");
    });
});

describe("engine: records and messages of the failure paths", () => {
    function setup(hooks: ConstructorParameters<typeof FakeStack>[2] = {}, settings = defaultRolloutSettings("canary")) {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock, {}, hooks);
        const store = new MemoryStateStore(true, NO_SKEW);
        const events: RolloutEvent[] = [];
        const windows: { startMs: number; endMs: number }[] = [];
        const deps = { stack, clock, store, onEvent: (e: RolloutEvent) => events.push(e), metrics: { query: async (w: any) => { windows.push(w); return good(); } } };
        const start = () => new RolloutEngine(deps).start({ stack: "prod", owner: "ci", release: { id: "2.0.0", images: {} }, settings });
        return { clock, stack, store, events, windows, deps, start };
    }

    it("names its refusals, and refuses to resume or roll back when nothing is in flight", async () => {
        const t = setup();
        const engine = new RolloutEngine(t.deps);
        await assert.rejects(engine.resume("prod", "ci"), (e: Error) => e.name === "RolloutRefusedError" && e.message === "stack prod: no rollout in flight to resume");
        await assert.rejects(engine.rollback("prod", "ci", "why"), (e: Error) => e instanceof RolloutRefusedError && e.message === "stack prod: no rollout in flight to roll back");
    });

    it("a failed deployment of the candidate rolls back with its record", async () => {
        const t = setup({ deployCandidate: () => new Error("image not found") });
        const r = await t.start();
        assert.equal(r.reason, "deploy: deploying 2.0.0 to green failed: image not found");
        assert.deepEqual(r.rollback!.records.map((x) => [x.rule, x.verdict, x.detail]), [["deploy", "rollback", "deploying 2.0.0 to green failed: image not found"]]);
        assert.ok(t.events.some((e) => e.type === "phase" && e.status === "rolling_back" && e.label === "rollback"));
    });

    it("a failed weight update records the weight it reads back and the one it wanted", async () => {
        const t = setup({ setWeight: (w) => (w === 30 ? { error: new Error("conflict"), applied: false } : undefined) });
        const r = await t.start();
        const [rec] = r.rollback!.records;
        assert.deepEqual([rec.rule, rec.candidate, rec.threshold, rec.detail], ["traffic-update", 10, 30, "update to 30% failed: conflict"]);
    });

    it("records the health deadline as the threshold; measures the baseline over the window before the first shift", async () => {
        const t = setup({ candidateHealth: () => ({ healthy: 0, unhealthy: 1, pending: 0 }) });
        const r = await t.start();
        assert.deepEqual(r.rollback!.records.map((x) => [x.rule, x.threshold]), [["candidate-health", 600]]);
        const ok = setup();
        await ok.start();
        const baselineSeconds = defaultRolloutSettings("canary").baselineSeconds;
        assert.deepEqual(ok.windows[0], { startMs: -baselineSeconds * 1000, endMs: 0, live: "blue", candidate: "green" });
    });

    it("a resumed wait for healthy targets gets a fresh deadline", async () => {
        const t = setup({ candidateHealth: () => ({ healthy: 1, unhealthy: 0, pending: 1 }) });
        t.clock.freezeAt(30_000);
        void t.start();
        await t.clock.frozen;
        const later = new VirtualClock(1_000_000);
        const r = await new RolloutEngine({ ...t.deps, clock: later }).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtMs, 1_000_000 + 600_000, "600 s from the resume, not from the first start");
    });
});
