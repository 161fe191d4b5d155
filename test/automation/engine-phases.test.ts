/**
 * L4: a healthy rollout of each strategy on a virtual clock, pinned event by event: phase labels and
 * remaining time, the log lines, the weight timeline, when it decides, and when the old colour may go.
 * These are the guide's schedules (canary 10/30/50/100 % every 5 minutes then 30 minutes of
 * validation; blue-green 50 % for 2 minutes then 100 %; rolling 15 minutes of validation; a one-hour
 * rollback window), so a changed label, step or duration fails here.
 */
import { strict as assert } from "assert";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine, type RolloutEvent } from "../../automation/engine";
import { defaultRolloutSettings, type Strategy } from "../../automation/settings";
import { FakeStack } from "../../automation/sim/fake-stack";
import { MemoryStateStore } from "../../automation/state-memory";
import { good } from "./helpers";

async function healthyRollout(strategy: Strategy) {
    const clock = new VirtualClock(0);
    const stack = new FakeStack(clock, {}, {});
    const store = new MemoryStateStore(true);
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
