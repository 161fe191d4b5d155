import { strict as assert } from "assert";
import {
    analyseInterval,
    analyseQueryFailure,
    addToTotals,
    formatRecord,
    judgeErrors,
    judgeHealth,
    judgeLatency,
    judgeValidation,
    zeroCounters,
    zeroTotals,
    type IntervalContext,
} from "../../automation/analysis";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import { good, LIVE } from "./helpers";

const t = defaultRolloutSettings("canary").analysis;
const ranges = defaultRolloutSettings("canary").validation;
const ctx: IntervalContext = { atMs: 60_000, phase: "step 1 (10%)", weight: 10, intervalSeconds: 60, baseline: { ...LIVE }, compareWithLive: true };
const live = (requests: number, errors5xx: number, p95Ms: number | null = 200) => ({ metrics: { requests, errors5xx, p95Ms }, name: "live" as const });

describe("analysis: error rule", () => {
    it("a live rate of 0 does not make a single candidate error fatal (floor and minimum count)", () => {
        const r = judgeErrors({ requests: 560, errors5xx: 1, p95Ms: 200 }, live(5000, 0), ctx, t);
        assert.equal(r.verdict, "ok");
        assert.equal(r.threshold, 0.005); // 5 × floor 0.1%
    });
    it("rolls back above 5 × the live rate with enough errors, recording values and threshold", () => {
        const r = judgeErrors({ requests: 560, errors5xx: 5, p95Ms: 200 }, live(5000, 0), ctx, t);
        assert.equal(r.verdict, "rollback");
        assert.ok(Math.abs(r.candidate! - 5 / 560) < 1e-12);
        assert.equal(r.reference, 0);
    });
    it("needs minErrors even when the rate is far above the threshold", () => {
        const r = judgeErrors({ requests: 60, errors5xx: 4, p95Ms: 200 }, live(5000, 0), ctx, t);
        assert.equal(r.verdict, "ok");
        assert.match(r.detail, /below 5 errors/);
    });
    it("scales with the live rate: 4× live is fine, 6× is not", () => {
        const liveRef = live(10_000, 100); // 1%
        assert.equal(judgeErrors({ requests: 1000, errors5xx: 40, p95Ms: 200 }, liveRef, ctx, t).verdict, "ok");
        assert.equal(judgeErrors({ requests: 1000, errors5xx: 60, p95Ms: 200 }, liveRef, ctx, t).verdict, "rollback");
    });
});

describe("analysis: latency rule", () => {
    it("counts consecutive breaching seconds and rolls back only past latencyBreachSeconds", () => {
        let breach = 0;
        const verdicts: string[] = [];
        for (let i = 0; i < 6; i++) {
            const r = judgeLatency({ requests: 560, errors5xx: 0, p95Ms: 336 }, live(5000, 0, 210), breach, ctx, t);
            breach = r.breachSeconds;
            verdicts.push(r.record.verdict);
        }
        assert.deepEqual(verdicts, ["breach", "breach", "breach", "breach", "breach", "rollback"]);
    });
    it("a good interval resets the streak", () => {
        const r = judgeLatency({ requests: 560, errors5xx: 0, p95Ms: 300 }, live(5000, 0, 210), 240, ctx, t);
        assert.equal(r.record.verdict, "ok");
        assert.equal(r.breachSeconds, 0);
    });
    it("is not applied without a reference p95", () => {
        const r = judgeLatency({ requests: 560, errors5xx: 0, p95Ms: 900 }, null, 240, ctx, t);
        assert.equal(r.record.verdict, "ok");
        assert.equal(r.breachSeconds, 240);
    });
});

describe("analysis: health rule", () => {
    it("tolerates one unhealthy interval, rolls back on the second in a row", () => {
        const a = judgeHealth(1, 0, ctx, t);
        assert.equal(a.record.verdict, "breach");
        const b = judgeHealth(2, a.streak, ctx, t);
        assert.equal(b.record.verdict, "rollback");
        assert.equal(judgeHealth(0, a.streak, ctx, t).streak, 0);
    });
});

describe("analysis: interval verdicts", () => {
    it("a healthy interval continues and counts", () => {
        const v = analyseInterval(good(), zeroCounters(), ctx, t);
        assert.equal(v.decision, "continue");
        assert.equal(v.counted, true);
    });
    it("a critical alarm rolls back at once, even with low traffic", () => {
        const s = { ...good(), candidate: { requests: 3, errors5xx: 0, p95Ms: 100 }, alarms: ["db-cpu-critical"] };
        const v = analyseInterval(s, zeroCounters(), ctx, t);
        assert.equal(v.decision, "rollback");
        assert.match(v.reason!, /db-cpu-critical/);
    });
    it("low candidate traffic is inconclusive, then halts at the limit", () => {
        const s = { ...good(), candidate: { requests: 10, errors5xx: 10, p95Ms: 9000 } };
        let counters = zeroCounters();
        const decisions: string[] = [];
        for (let i = 0; i < t.maxInconclusiveIntervals; i++) {
            const v = analyseInterval(s, counters, ctx, t);
            counters = v.counters;
            decisions.push(v.decision);
        }
        assert.deepEqual(decisions, [...Array(t.maxInconclusiveIntervals - 1).fill("inconclusive"), "halt"]);
    });
    it("compares with the pre-shift baseline when the live colour has no traffic (100%)", () => {
        const s = { live: { requests: 0, errors5xx: 0, p95Ms: null }, candidate: { requests: 5000, errors5xx: 30, p95Ms: 200 }, unhealthyTargets: 0, alarms: [] };
        const v = analyseInterval(s, zeroCounters(), ctx, t);
        const errors = v.records.find((r) => r.rule === "errors")!;
        assert.equal(errors.reference, 3 / 5000);
        assert.equal(errors.verdict, "rollback"); // 0.6% > 5 × max(0.06%, 0.1%)
    });
    it("a failed query is inconclusive until maxQueryFailures in a row, then rolls back", () => {
        let counters = zeroCounters();
        const decisions: string[] = [];
        for (let i = 0; i < t.maxQueryFailures; i++) {
            const v = analyseQueryFailure("ThrottlingException", 3, counters, ctx, t);
            counters = v.counters;
            decisions.push(v.decision);
        }
        assert.deepEqual(decisions, ["inconclusive", "inconclusive", "rollback"]);
        assert.equal(analyseInterval(good(), counters, ctx, t).counters.queryFailureStreak, 0);
    });
});

describe("analysis: validation ranges", () => {
    const baseline = { requests: 50_000, errors5xx: 30, p95Ms: 200 };
    const totalsOf = (requests: number, errors5xx: number, p95Ms: number) =>
        addToTotals(zeroTotals(), { live: { requests: 0, errors5xx: 0, p95Ms: null }, candidate: { requests, errors5xx, p95Ms }, unhealthyTargets: 0, alarms: [] });
    it("passes within 2× error rate, +25% p95 and 99.5% success", () => {
        assert.equal(judgeValidation(totalsOf(100_000, 150, 240), baseline, ranges, t.errorRateFloor, ctx).ok, true);
    });
    it("halts above 2× the baseline error rate (with the floor)", () => {
        const v = judgeValidation(totalsOf(100_000, 250, 200), baseline, ranges, t.errorRateFloor, ctx);
        assert.equal(v.ok, false);
        assert.match(v.reason!, /validation\.errorRate/);
    });
    it("halts above +25% p95", () => {
        const v = judgeValidation(totalsOf(100_000, 0, 260), baseline, ranges, t.errorRateFloor, ctx);
        assert.equal(v.ok, false);
        assert.match(v.reason!, /validation\.p95/);
    });
    it("halts below 99.5% success even with a high baseline error rate", () => {
        const v = judgeValidation(totalsOf(100_000, 600, 200), { requests: 1000, errors5xx: 10, p95Ms: 200 }, ranges, t.errorRateFloor, ctx);
        assert.equal(v.ok, false);
        assert.match(v.reason!, /successRate/);
        assert.doesNotMatch(v.reason!, /validation\.errorRate/);
    });
});

describe("analysis: records", () => {
    it("format as one line with values, threshold and verdict", () => {
        const r = judgeErrors({ requests: 560, errors5xx: 9, p95Ms: 200 }, live(5000, 0), ctx, t);
        const line = formatRecord(r);
        assert.ok(!line.includes("\n"));
        assert.match(line, /errors\s+ROLLBACK\s+candidate=0\.01607 reference=0 threshold=0\.005/);
    });
});
