/** Every rollback rule, end to end through the real engine on a virtual clock (via trace replay). */
import { strict as assert } from "assert";
import { replayTrace } from "../../automation/sim/replay";
import { alarm, CANARY_PROMOTED_AT, CANARY_SAMPLES, errorSpike, good, lowTraffic, queryError, slow, traceOf, unhealthy } from "./helpers";

describe("engine rules (canary replay)", () => {
    it("a healthy trace promotes at 10/30/50/100% and finalises after 30 min of validation", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES));
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtSeconds, CANARY_PROMOTED_AT);
        assert.deepEqual(r.timeline, [
            { atSeconds: 0, weight: 10 },
            { atSeconds: 300, weight: 30 },
            { atSeconds: 600, weight: 50 },
            { atSeconds: 900, weight: 100 },
        ]);
        assert.equal(r.stack.traffic.live, "green");
        assert.equal(r.stack.traffic.weight, 0);
        assert.equal(r.result!.state.pendingScaleDown?.colour, "blue");
        assert.equal(r.stack.calls.filter((c) => c.method === "finalise").length, 1);
    });

    it("a healthy trace one sample short is incomplete, not promoted", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES - 1));
        assert.equal(r.outcome, "incomplete");
        assert.equal(r.stack.calls.filter((c) => c.method === "finalise").length, 0);
    });

    // One spike sample in each phase: first interval of each step, mid-step, validation start and end.
    for (const i of [0, 2, 5, 9, 10, 14, 15, 30, 44]) {
        it(`an error spike in sample ${i} rolls back within that interval`, async () => {
            const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j === i ? errorSpike() : undefined)));
            assert.equal(r.outcome, "rolled_back");
            assert.equal(r.decidedAtSeconds, (i + 1) * 60);
            assert.match(r.reason!, /^errors: candidate 5xx 5\.00%/);
            assert.deepEqual(r.timeline.at(-1), { atSeconds: (i + 1) * 60, weight: 0 });
            assert.equal(r.stack.traffic.weight, 0);
            const rb = r.result!.rollback!;
            assert.equal(rb.verified, true);
            assert.equal(rb.weightReadBack, 0);
            assert.equal(rb.records[0].rule, "errors");
            assert.equal(rb.records[0].candidate, 28 / 560);
            assert.equal(rb.records[0].threshold, 0.005);
            assert.equal(r.stack.calls.filter((c) => c.method === "finalise").length, 0);
        });
    }

    it("p95 +60% for 4 minutes does not roll back", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 2 && j < 6 ? slow() : undefined)));
        assert.equal(r.outcome, "promoted");
        const breaches = r.result!.decisions.filter((d) => d.rule === "latency" && d.verdict === "breach");
        assert.equal(breaches.length, 4);
    });

    it("p95 +60% for 7 minutes rolls back once the breach exceeds 5 minutes", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 2 && j < 9 ? slow() : undefined)));
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtSeconds, 8 * 60); // 6th breaching interval (samples 2..7): 360 s > 300 s
        assert.match(r.reason!, /^latency: candidate p95 336ms > 1.5 × live 210ms = 315ms for 360s/);
    });

    it("one unhealthy blip does not roll back", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j === 3 ? unhealthy() : undefined)));
        assert.equal(r.outcome, "promoted");
        assert.equal(r.result!.decisions.filter((d) => d.rule === "health" && d.verdict === "breach").length, 1);
    });

    it("unhealthy targets three intervals in a row roll back on the second", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 3 && j < 6 ? unhealthy() : undefined)));
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtSeconds, 5 * 60);
        assert.match(r.reason!, /^health: 1 unhealthy candidate target\(s\), 2 consecutive/);
    });

    it("two separate blips are not consecutive", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j === 3 || j === 5 ? unhealthy() : undefined)));
        assert.equal(r.outcome, "promoted");
    });

    it("a critical alarm rolls back at once", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j === 20 ? alarm() : undefined)));
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtSeconds, 21 * 60);
        assert.match(r.reason!, /tms-prod-api-gateway-5xx-critical/);
    });

    it("low traffic holds the phase (extends it) and the rollout still promotes later", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES + 3, (j) => (j >= 2 && j < 5 ? lowTraffic() : undefined)));
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtSeconds, CANARY_PROMOTED_AT + 3 * 60);
        assert.equal(r.timeline[1].atSeconds, 300 + 3 * 60, "the 10% step was extended by three intervals");
    });

    it("low traffic past the limit halts with the weight unchanged", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 6 ? lowTraffic() : undefined)));
        assert.equal(r.outcome, "halted");
        assert.equal(r.decidedAtSeconds, (6 + 10) * 60);
        assert.match(r.reason!, /^traffic: candidate had 12 requests/);
        assert.equal(r.stack.traffic.weight, 30);
        assert.equal(r.timeline.at(-1)!.weight, 30);
        assert.equal(r.result!.state.haltedFrom, "shifting");
    });

    it("query errors are retried and extend the phase; two in a row do not roll back", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES + 2, (j) => (j === 7 || j === 8 ? queryError() : undefined)));
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtSeconds, CANARY_PROMOTED_AT + 2 * 60);
        // 3 attempts per failed interval
        const failedWindows = r.metrics.queries.filter((q) => q.endMs === 8 * 60_000 || q.endMs === 9 * 60_000);
        assert.equal(failedWindows.length, 6);
    });

    it("query errors past the limit roll back: flying blind", async () => {
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 7 && j < 10 ? queryError() : undefined)));
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtSeconds, 10 * 60 + 2 + 4); // the 3rd failed interval, after its two retries
        assert.match(r.reason!, /^query: .*ThrottlingException.*flying blind/);
    });

    it("validation that ends outside the deployment-health ranges halts instead of finalising", async () => {
        // +40% p95 at 100%: under the 1.5× rollback rule, over the +25% validation range.
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 15 ? { ...good(), candidate: { requests: 5600, errors5xx: 0, p95Ms: 294 } } : undefined)));
        assert.equal(r.outcome, "halted");
        assert.equal(r.decidedAtSeconds, CANARY_PROMOTED_AT);
        assert.match(r.reason!, /validation\.p95: validation p95 294ms vs baseline 210ms \+ 25% = 263ms/);
        assert.equal(r.stack.calls.filter((c) => c.method === "finalise").length, 0);
        assert.equal(r.stack.traffic.weight, 100);
    });

    it("validation error rate above 2× baseline halts even though under the 5× rollback rule", async () => {
        const v = { live: { requests: 0, errors5xx: 0, p95Ms: null }, candidate: { requests: 5600, errors5xx: 17, p95Ms: 205 }, unhealthyTargets: 0, alarms: [] };
        const r = await replayTrace(traceOf(CANARY_SAMPLES, (j) => (j >= 15 ? v : undefined)));
        assert.equal(r.outcome, "halted");
        assert.match(r.reason!, /validation\.errorRate/);
    });

    it("blue-green: 50% for two intervals, then 100%, validation, promoted", async () => {
        const r = await replayTrace(traceOf(32), { strategy: "blue-green" });
        assert.equal(r.outcome, "promoted");
        assert.deepEqual(r.timeline, [{ atSeconds: 0, weight: 50 }, { atSeconds: 120, weight: 100 }]);
        assert.equal(r.decidedAtSeconds, 120 + 1800);
    });

    it("blue-green: an error spike at 100% rolls back within the interval", async () => {
        const r = await replayTrace(traceOf(32, (j) => (j === 10 ? errorSpike() : undefined)), { strategy: "blue-green" });
        assert.equal(r.outcome, "rolled_back");
        assert.equal(r.decidedAtSeconds, 11 * 60);
        assert.equal(r.stack.traffic.weight, 0);
    });

    it("settings from the trace override the defaults (a shorter canary)", async () => {
        const trace = traceOf(6, undefined, { settings: { steps: [{ weight: 20, bakeSeconds: 120 }, { weight: 100, bakeSeconds: 0 }], validationSeconds: 240 } });
        const r = await replayTrace(trace);
        assert.equal(r.outcome, "promoted");
        assert.equal(r.decidedAtSeconds, 360);
    });
});
