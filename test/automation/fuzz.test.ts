/** Invariants over a few hundred seeded random traces, through the real engine. */
import { strict as assert } from "assert";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import { prng, randomTrace } from "../../tools/sim/generate";
import { replayTrace } from "../../automation/sim/replay";

const TRACES = 300;
const SEED = 7;

describe(`fuzz: ${TRACES} random traces (seed ${SEED})`, () => {
    it("keeps the weight on configured steps, never promotes after a rollback, explains every rollback", async () => {
        const rng = prng(SEED);
        const outcomes: Record<string, number> = {};
        for (let n = 0; n < TRACES; n++) {
            const strategy = rng() < 0.7 ? "canary" : "blue-green";
            const trace = randomTrace(rng, defaultRolloutSettings(strategy).analysis);
            const r = await replayTrace(trace, { strategy });
            const where = `trace #${n} (${strategy}, ${trace.samples.length} samples): ${r.outcome} ${r.reason ?? ""}`;
            outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
            const steps = r.settings.steps.map((s) => s.weight);

            // The weight moves only through the configured steps, in order, or to 0 (last).
            const weights = r.timeline.map((e) => e.weight);
            const zero = weights.indexOf(0);
            assert.ok(zero === -1 || zero === weights.length - 1, `${where}: 0 is only ever the last weight`);
            const shifts = zero === -1 ? weights : weights.slice(0, -1);
            assert.deepEqual(shifts, steps.slice(0, shifts.length), `${where}: weights follow the steps`);
            // What the fake listener saw is exactly the timeline.
            assert.deepEqual(r.stack.weightHistory(), weights, `${where}: listener history`);

            const finalised = r.stack.calls.filter((c) => c.method === "finalise").length;
            const rollbackDecided = r.events.findIndex((e) => e.type === "decision" && e.outcome === "rolling_back");
            if (rollbackDecided >= 0) {
                assert.equal(finalised, 0, `${where}: finalised after a rollback decision`);
                assert.ok(!r.events.slice(rollbackDecided).some((e) => e.type === "decision" && e.outcome === "promoted"), `${where}: promoted after rollback`);
                assert.ok(!r.events.slice(rollbackDecided).some((e) => e.type === "weight" && e.weight > 0), `${where}: weight raised after rollback`);
            }
            switch (r.outcome) {
                case "rolled_back":
                    assert.ok(r.reason && r.reason.length > 0, `${where}: rollback without reason`);
                    assert.equal(r.result!.rollback!.reason, r.reason);
                    assert.ok(r.result!.rollback!.records.length > 0, `${where}: rollback without the deciding records`);
                    assert.ok(r.result!.rollback!.records.every((rec) => rec.verdict === "rollback" && rec.detail.length > 0));
                    assert.equal(r.result!.rollback!.verified, true);
                    assert.equal(r.stack.traffic.weight, 0, `${where}: weight after rollback`);
                    break;
                case "promoted":
                    assert.equal(finalised, 1, `${where}: promoted without finalise`);
                    assert.equal(r.result!.rollback, null);
                    assert.equal(r.stack.traffic.live, "green");
                    assert.equal(r.stack.traffic.weight, 0);
                    assert.deepEqual(weights, steps);
                    break;
                case "halted":
                    assert.ok(r.reason && r.reason.length > 0, `${where}: halt without reason`);
                    assert.equal(r.stack.traffic.weight, weights.at(-1) ?? 0, `${where}: halt keeps the weight`);
                    break;
                case "incomplete":
                    assert.equal(finalised, 0);
                    break;
            }
            assert.ok(r.decidedAtSeconds <= trace.samples.length * trace.intervalSeconds + 60, `${where}: decided after the trace ended`);
        }
        // The generator must exercise every outcome, or the invariants above prove little.
        for (const o of ["promoted", "rolled_back", "halted", "incomplete"]) assert.ok((outcomes[o] ?? 0) > 0, `no ${o} among ${JSON.stringify(outcomes)}`);
    });
});
