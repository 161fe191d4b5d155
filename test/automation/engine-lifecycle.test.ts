/** Engine behaviour around failures, crashes, locking and the other strategies. */
import { strict as assert } from "assert";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine, RolloutRefusedError, type RolloutEvent } from "../../automation/engine";
import { LeaseLostError, type MetricsPort, type MetricsSample, type MetricsWindow } from "../../automation/ports";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import type { Strategy } from "../../config/vocabulary";
import { FakeStack, type FakeStackHooks } from "../../automation/sim/fake-stack";
import { MemoryStateStore } from "../../automation/state-memory";
import { errorSpike, good } from "./helpers";
/** These tests time resumes at the lease's own expiry; the clock-skew margin on top is tested with the stores (state-memory, dynamo-state). */
const NO_SKEW = 0;

/** Metrics by time: `at(window)` may return a sample or an Error to throw. */
class ScriptedMetrics implements MetricsPort {
    readonly windows: MetricsWindow[] = [];
    constructor(public at: (w: MetricsWindow) => MetricsSample | Error = () => good()) {}
    async query(w: MetricsWindow): Promise<MetricsSample> {
        this.windows.push(w);
        const r = this.at(w);
        if (r instanceof Error) throw r;
        return r;
    }
}

const release = { id: "2.0.0", images: { "api-gateway": "2.0.0", "task-service": "2.0.0" } };

function setup(strategy: Strategy = "canary", hooks: FakeStackHooks = {}) {
    const clock = new VirtualClock(0);
    const stack = new FakeStack(clock, {}, hooks);
    const store = new MemoryStateStore(true, NO_SKEW);
    const metrics = new ScriptedMetrics();
    const events: RolloutEvent[] = [];
    const engine = (c: VirtualClock = clock) => new RolloutEngine({ stack, metrics, clock: c, store, onEvent: (e) => events.push(e) });
    const settings = defaultRolloutSettings(strategy);
    const start = (owner = "ci-1", c: VirtualClock = clock) => engine(c).start({ stack: "prod", owner, release, settings });
    return { clock, stack, store, metrics, events, engine, settings, start };
}

const weightsSet = (stack: FakeStack) => stack.calls.filter((c) => c.method === "setWeight").map((c) => (c.arg as { weight: number }).weight);

describe("engine: failed updates", () => {
    it("a failed up while moving to 30% rolls back to 0 and verifies it", async () => {
        const t = setup("canary", { setWeight: (w) => (w === 30 ? { error: new Error("pulumi up failed: listener update conflict"), applied: false } : undefined) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /^traffic-update: update to 30% failed: pulumi up failed/);
        assert.deepEqual(weightsSet(t.stack), [10, 30, 0]);
        assert.equal(t.stack.traffic.weight, 0);
        assert.equal(r.rollback!.verified, true);
    });

    it("a partially applied failed up (the listener did change) still ends at 0", async () => {
        const t = setup("canary", { setWeight: (w) => (w === 30 ? { error: new Error("up failed after listener update"), applied: true } : undefined) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.equal(t.stack.traffic.weight, 0);
    });

    it("when the rollback update keeps failing it halts, persisted as rolling back, and a resume finishes it", async () => {
        const t = setup("canary", { setWeight: (w) => (w >= 30 || w === 0 ? { error: new Error("AccessDenied"), applied: false } : undefined) });
        const r = await t.start();
        assert.equal(r.outcome, "halted");
        assert.match(r.reason!, /^10% of traffic still on green \(the bad candidate\), 90% on blue; run `npm run rollout -- --stack prod --resume` to finish the rollback\. Rollback not verified after \d+ attempt\(s\) over 10 min: AccessDenied/);
        assert.equal(t.stack.traffic.weight, 10, "the weight stays at the last verified step, never above");
        assert.equal(r.state.haltedFrom, "rolling_back");
        t.stack.hooks = {};
        const resumed = await t.engine().resume("prod", "human");
        assert.equal(resumed.outcome, "rolled_back");
        assert.match(resumed.reason!, /traffic-update: update to 30% failed/);
        assert.equal(t.stack.traffic.weight, 0);
        assert.equal(t.stack.calls.filter((c) => c.method === "finalise").length, 0);
    });

    it("a weight that reads back wrong is treated as a failed update", async () => {
        let n = 0;
        const t = setup("canary", { readWeight: () => (++n === 2 ? new Error("stack outputs unavailable") : undefined) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /update to 30% failed: reading the weight back failed/);
    });

    it("a failed candidate deploy rolls back without ever shifting traffic", async () => {
        const t = setup("canary", { deployCandidate: () => new Error("ECS service update failed") });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /^deploy: deploying 2\.0\.0 to green failed/);
        // No step was applied and the listeners read 0%: the rollback verifies that without another update.
        assert.deepEqual(weightsSet(t.stack), []);
        assert.deepEqual([r.rollback!.verified, r.rollback!.weightReadBack], [true, 0]);
    });

    it("a candidate that never becomes healthy rolls back after the health timeout", async () => {
        const t = setup("canary", { candidateHealth: () => ({ healthy: 1, unhealthy: 1, pending: 0 }) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtMs, t.settings.healthTimeoutSeconds * 1000);
        assert.match(r.reason!, /not healthy after 600s \(1 healthy, 1 unhealthy, 0 pending\)/);
    });

    it("finalise failing halts with the candidate still at 100% (no rollback after promotion decision)", async () => {
        const t = setup("canary", { finalise: () => new Error("up failed") });
        const r = await t.start();
        assert.equal(r.outcome, "halted");
        assert.equal(t.stack.traffic.weight, 100);
        assert.equal(r.state.haltedFrom, "finalising");
        t.stack.hooks = {};
        assert.equal((await t.engine().resume("prod", "human")).outcome, "promoted");
        assert.equal(t.stack.traffic.live, "green");
    });
});

describe("engine: query retries", () => {
    it("a query that fails once and then succeeds costs nothing", async () => {
        const t = setup();
        let failed = false;
        t.metrics.at = (w) => {
            if (!failed && w.endMs === 120_000) {
                failed = true;
                return new Error("ThrottlingException");
            }
            return good();
        };
        const r = await t.start();
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decisions.filter((d) => d.rule === "query").length, 0);
        assert.equal(t.metrics.windows.filter((w) => w.endMs === 120_000).length, 2, "retried the same window");
        assert.equal(r.decidedAtMs, 2700_000, "the 2 s backoff does not shift later windows");
    });
});

describe("engine: persistence and resume", () => {
    it("persists after every step with the phase, counters and decisions", async () => {
        const t = setup();
        await t.start();
        const statuses = t.store.history.map((s) => s.status);
        assert.deepEqual([...new Set(statuses)], ["deploying", "waiting_healthy", "shifting", "validating", "finalising", "promoted"]);
        const step2 = t.store.history.filter((s) => s.status === "shifting" && s.stepIndex === 1 && s.weightApplied).map((s) => s.analysedSeconds);
        assert.deepEqual(step2, [0, 60, 120, 180, 240, 300]);
        assert.ok(t.store.history.at(-1)!.decisions.length > 45 * 3);
    });

    it("a killed process resumes with the remaining bake time, without redoing steps", async () => {
        const t = setup();
        t.clock.freezeAt(450_000); // killed between the 2nd and 3rd interval of the 30% step
        void t.start("ci-1");
        await t.clock.frozen;
        const saved = (await t.store.load("prod"))!;
        assert.equal(saved.status, "shifting");
        assert.equal(saved.targetWeight, 30);
        assert.equal(saved.analysedSeconds, 120);

        // Another runner before the lease expired is refused.
        const early = new VirtualClock(450_000);
        await assert.rejects(t.engine(early).resume("prod", "ci-2"), RolloutRefusedError);

        const later = new VirtualClock(800_000); // the lease (300 s from 420 s) has expired
        const r = await t.engine(later).resume("prod", "ci-2");
        assert.equal(r.outcome, "promoted");
        assert.deepEqual(weightsSet(t.stack), [10, 30, 50, 100]);
        assert.deepEqual(r.timeline.map((e) => [e.atMs / 1000, e.weight]), [[0, 10], [300, 30], [980, 50], [1280, 100]]);
        assert.equal(r.decidedAtMs, 1280_000 + 1800_000);
        const resumedInfo = t.events.find((e) => e.type === "info" && e.message.startsWith("resuming"));
        assert.ok(resumedInfo && resumedInfo.type === "info" && /step 2 \(30%\), 180s left/.test(resumedInfo.message));
    });

    it("a resume that finds the weight changed behind its back rolls back", async () => {
        const t = setup();
        t.clock.freezeAt(450_000);
        void t.start("ci-1");
        await t.clock.frozen;
        t.stack.traffic.weight = 70; // someone ran an up by hand
        const r = await t.engine(new VirtualClock(800_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "traffic-update: on resume the weight reads 70% instead of the saved 30%");
        assert.ok(t.events.some((e) => e.type === "info" && e.message === "resuming prod-2.0.0-0: weight reads 70%, saved 30%"));
        assert.equal(t.stack.traffic.weight, 0);
    });

    it("a resume that cannot read the weight rolls back, saying so", async () => {
        const t = setup();
        t.clock.freezeAt(450_000);
        void t.start("ci-1");
        await t.clock.frozen;
        // Only the resume's own read fails; the rollback's read-back works.
        const before = t.stack.calls.filter((c) => c.method === "readWeight").length;
        t.stack.hooks = { readWeight: (n: number) => (n === before + 1 ? new Error("AccessDenied") : undefined) };
        const r = await t.engine(new VirtualClock(800_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "traffic-update: on resume the weight reads unknown% instead of the saved 30%");
    });

    it("a process killed while rolling back rolls back when resumed", async () => {
        const t = setup("canary", { setWeight: (w) => (w === 0 ? { error: new Error("throttled"), applied: false } : undefined) });
        t.metrics.at = (w) => (w.endMs === 420_000 ? errorSpike() : good());
        t.clock.freezeAt(421_000); // the first retry of the weight-0 update waits 2 s: killed there
        void t.start();
        await t.clock.frozen;
        assert.equal((await t.store.load("prod"))!.status, "rolling_back");
        t.stack.hooks = {};
        const r = await t.engine(new VirtualClock(2000_000)).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /^errors:/);
        assert.equal(r.decidedAtMs, 420_000, "the decision time is when it was decided, not when it completed");
        assert.equal(t.stack.traffic.weight, 0);
        assert.equal(t.stack.calls.filter((c) => c.method === "finalise").length, 0);
    });

    it("a halted rollout (low traffic) resumes the same step when a human says so", async () => {
        const t = setup();
        t.metrics.at = (w) => (w.endMs > 120_000 && w.endMs <= 720_000 ? { ...good(), candidate: { requests: 3, errors5xx: 0, p95Ms: 100 } } : good());
        const halted = await t.start();
        assert.equal(halted.outcome, "halted");
        assert.equal(t.stack.traffic.weight, 10);
        assert.equal(halted.state.analysedSeconds, 120);
        const r = await t.engine().resume("prod", "human");
        assert.equal(r.outcome, "promoted");
        assert.equal(r.timeline[1].atMs, 720_000 + 180_000);
    });

    it("a manual rollback of a halted rollout sets the weight to 0", async () => {
        const t = setup();
        t.metrics.at = (w) => (w.endMs > 120_000 ? { ...good(), candidate: { requests: 3, errors5xx: 0, p95Ms: 100 } } : good());
        await t.start();
        const r = await t.engine().rollback("prod", "human", "traffic too low tonight");
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.reason, "manual: traffic too low tonight");
        assert.equal(t.stack.traffic.weight, 0);
    });
});

describe("engine: one rollout per stack", () => {
    it("a second rollout while one is in flight is refused", async () => {
        const t = setup();
        t.clock.freezeAt(200_000);
        void t.start("ci-1");
        await t.clock.frozen;
        await assert.rejects(t.start("ci-2", new VirtualClock(200_000)), (e: Error) => e instanceof RolloutRefusedError && /lock held by ci-1/.test(e.message));
        // Even after the lease expired, the persisted in-flight rollout must be resumed or rolled back first.
        await assert.rejects(t.start("ci-2", new VirtualClock(10_000_000)), (e: Error) => e instanceof RolloutRefusedError && /is shifting; resume it or roll it back/.test(e.message));
        assert.deepEqual(weightsSet(t.stack), [10]);
    });

    it("a finished rollout releases the lock and the next one deploys to the other colour", async () => {
        const t = setup();
        assert.equal((await t.start()).outcome, "promoted");
        assert.equal(t.store.holder("prod"), undefined);
        const r = await t.engine().start({ stack: "prod", owner: "ci-3", release: { id: "3.0.0", images: {} }, settings: t.settings });
        assert.equal(r.outcome, "promoted");
        assert.equal(t.stack.traffic.live, "blue");
    });

    it("refuses to start when traffic is already split with nothing in flight", async () => {
        const t = setup();
        t.stack.traffic.weight = 20;
        await assert.rejects(t.start(), /20% of traffic already goes to green/);
    });

    it("scales the old colour to 0 after the rollback window when asked to wait", async () => {
        const t = setup();
        const r = await t.engine().start({ stack: "prod", owner: "ci-1", release, settings: t.settings, waitForScaleDown: true });
        assert.equal(r.outcome, "promoted");
        const down = t.stack.calls.find((c) => c.method === "scaleToZero")!;
        assert.equal(down.arg, "blue");
        assert.equal(down.atMs, r.decidedAtMs + 3600_000);
        assert.equal(t.stack.traffic.running.blue, false);
    });

    it("a deferred scale-down happens only once its window has passed", async () => {
        const t = setup();
        await t.start();
        assert.equal(await t.engine().scaleDownIfDue("prod", "cron"), false);
        t.clock.advance(3600_000);
        assert.equal(await t.engine().scaleDownIfDue("prod", "cron"), true);
        assert.equal(t.stack.traffic.running.blue, false);
    });
});

describe("engine: lease and events", () => {
    it("a runner whose lease was taken over stops before changing anything else", async () => {
        const t = setup();
        const renew = t.store.renew.bind(t.store);
        let renewals = 0;
        t.store.renew = async (lease, nowMs, ttlMs) => {
            if (++renewals === 12) {
                await t.store.acquire("prod", "ci-2", nowMs + 10_000_000, 300_000); // someone else took over
            }
            return renew(lease, nowMs, ttlMs);
        };
        await assert.rejects(t.start(), LeaseLostError);
        const weightsBefore = weightsSet(t.stack);
        assert.ok(weightsBefore.length >= 1 && weightsBefore.length < 4, String(weightsBefore));
        assert.equal(t.store.holder("prod")!.owner, "ci-2", "the new owner's lease is left alone");
        assert.equal(t.stack.calls.filter((c) => c.method === "finalise").length, 0);
    });

    it("reports phases, weights, one-line analysis records and the time left", async () => {
        const t = setup();
        await t.start();
        const weights = t.events.flatMap((e) => (e.type === "weight" ? [e.weight] : []));
        assert.deepEqual(weights, [10, 30, 50, 100]);
        const lines = t.events.flatMap((e) => (e.type === "analysis" ? [e.line] : []));
        assert.ok(lines.length > 100 && lines.every((l) => !l.includes("\n")));
        const left = t.events.flatMap((e) => (e.type === "progress" && e.label === "step 1 (10%)" ? [e.remainingSeconds] : []));
        assert.deepEqual(left, [240, 180, 120, 60, 0]);
        const last = t.events.at(-1)!;
        assert.ok(last.type === "decision" && last.outcome === "promoted");
    });
});

describe("engine: rolling (dev)", () => {
    it("settles, validates for 15 minutes against the baseline and promotes", async () => {
        const t = setup("rolling");
        const r = await t.start();
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtMs, 900_000);
        assert.deepEqual(t.stack.calls.filter((c) => c.method === "deployRolling").map((c) => c.arg), ["2.0.0"]);
        assert.equal(t.metrics.windows[1].live, t.metrics.windows[1].candidate);
    });

    it("low dev traffic neither holds nor halts a rolling validation", async () => {
        const t = setup("rolling");
        t.metrics.at = (w) => (w.endMs <= 0 ? good() : { ...good(), live: { requests: 8, errors5xx: 0, p95Ms: 90 }, candidate: { requests: 8, errors5xx: 0, p95Ms: 90 } });
        const r = await t.start();
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtMs, 900_000);
        assert.equal(r.decisions.filter((d) => d.rule === "traffic" && d.verdict === "inconclusive").length, 15);
    });

    it("a circuit-breaker failure is a rollback and re-applies the previous images", async () => {
        const t = setup("rolling", { deployRolling: (rel) => (rel.id === "2.0.0" ? { settled: false, detail: "circuit breaker: 3 tasks failed to start" } : { settled: true, detail: "ok" }) });
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /circuit-breaker: .*3 tasks failed to start/);
        assert.deepEqual(t.stack.calls.filter((c) => c.method === "deployRolling").map((c) => c.arg), ["2.0.0", "2.0.0-rollback"]);
        assert.equal(t.stack.traffic.images.blue["api-gateway"], "1.0.0");
    });

    it("an error spike after the deploy (vs the baseline) rolls back to the previous images", async () => {
        const t = setup("rolling");
        t.metrics.at = (w) => (w.endMs === 300_000 ? { ...errorSpike(), live: errorSpike().candidate } : good());
        const r = await t.start();
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtMs, 300_000);
        assert.match(r.reason!, /^errors: .* vs baseline 0\.06%/);
        assert.equal(t.stack.calls.filter((c) => c.method === "deployRolling").length, 2);
    });
});
