/**
 * L4: the analysis functions' records, verdicts and details pinned exactly for representative and
 * boundary intervals (the minimum traffic and one below, a rate and a p95 exactly at the threshold, a
 * zero reference), so that a changed comparison or message is caught, not only a changed decision.
 */
import { strict as assert } from "assert";
import * as A from "../../automation/analysis";
import { defaultRolloutSettings } from "../../config/rollout-settings";

const t = defaultRolloutSettings("canary").analysis;
const ranges = defaultRolloutSettings("canary").validation;
const ctx: A.IntervalContext = { atMs: 60_000, phase: "step 1 (10%)", weight: 10, intervalSeconds: 60, baseline: { requests: 5000, errors5xx: 5, p95Ms: 200 }, compareWithLive: true };
const LIVE = { requests: 5000, errors5xx: 5, p95Ms: 200 };
const sample = (candidate: any, x: any = {}) => ({ live: LIVE, candidate, unhealthyTargets: 0, alarms: [] as string[], ...x });
const at = { atMs: 60_000, phase: "step 1 (10%)", weight: 10 };
const rec = (rule: string, verdict: string, candidate: number | null, reference: number | null, threshold: number | null, detail: string): A.AnalysisRecord =>
    ({ ...at, rule: rule as A.RuleName, candidate, reference, threshold, verdict: verdict as A.Verdict, detail });
const OK_ALARMS = rec("alarms", "ok", 0, null, 0, "no critical alarm in ALARM");
const OK_HEALTH = rec("health", "ok", 0, null, 2, "all candidate targets healthy");

describe("analysis records (exact)", () => {
    it("the minimum traffic counts the interval; one request less holds it as inconclusive", () => {
        const v = A.analyseInterval(sample({ requests: 50, errors5xx: 0, p95Ms: 200 }), A.zeroCounters(), ctx, t);
        assert.deepEqual(v, {
            decision: "continue", counted: true, reason: null, counters: A.zeroCounters(),
            records: [OK_ALARMS, OK_HEALTH,
                rec("errors", "ok", 0, 0.001, 0.005, "candidate 5xx 0.00% (0/50) vs live 0.10%; threshold 5 × max(0.10%, floor 0.10%) = 0.50%"),
                rec("latency", "ok", 200, 200, 300, "candidate p95 200ms ≤ 1.5 × live 200ms = 300ms")],
        });
        const low = A.analyseInterval(sample({ requests: 49, errors5xx: 0, p95Ms: 200 }), A.zeroCounters(), ctx, t);
        assert.deepEqual(low, {
            decision: "inconclusive", counted: false, reason: null, counters: { ...A.zeroCounters(), inconclusiveStreak: 1 },
            records: [OK_ALARMS, OK_HEALTH, rec("traffic", "inconclusive", 49, null, 50, "candidate had 49 requests (< 50); 1 inconclusive interval(s) in a row of 10 allowed")],
        });
    });

    it("alarms roll back at once, naming them; unhealthy targets count a streak", () => {
        const v = A.analyseInterval(sample({ requests: 500, errors5xx: 0, p95Ms: 200 }, { alarms: ["a", "b"] }), A.zeroCounters(), ctx, t);
        assert.equal(v.decision, "rollback");
        assert.equal(v.counted, false);
        assert.deepEqual(v.records[0], rec("alarms", "rollback", 2, null, 0, "critical alarm(s) in ALARM: a, b"));
        assert.equal(v.reason, "alarms: critical alarm(s) in ALARM: a, b");
        const u = A.analyseInterval(sample({ requests: 500, errors5xx: 0, p95Ms: 200 }, { unhealthyTargets: 2 }), A.zeroCounters(), ctx, t);
        assert.deepEqual([u.decision, u.counters.unhealthyStreak, u.records[1]],
            ["continue", 1, rec("health", "breach", 2, null, 2, "2 unhealthy candidate target(s), 1 consecutive interval(s) of 2 allowed before rollback")]);
    });

    it("a rate exactly at the threshold passes; no reference uses the floor", () => {
        assert.deepEqual(A.judgeErrors({ requests: 1000, errors5xx: 5, p95Ms: 200 }, { metrics: { requests: 1000, errors5xx: 1, p95Ms: 200 }, name: "live" }, ctx, t),
            rec("errors", "ok", 0.005, 0.001, 0.005, "candidate 5xx 0.50% (5/1000) vs live 0.10%; threshold 5 × max(0.10%, floor 0.10%) = 0.50%"));
        assert.deepEqual(A.judgeErrors({ requests: 1000, errors5xx: 6, p95Ms: 200 }, null, ctx, t),
            rec("errors", "rollback", 0.006, null, 0.005, "candidate 5xx 0.60% (6/1000) vs no reference; threshold 5 × max(0.00%, floor 0.10%) = 0.50%"));
        assert.deepEqual(A.judgeErrors({ requests: 60, errors5xx: 4, p95Ms: 200 }, null, ctx, t).detail,
            "candidate 5xx 6.67% (4/60) vs no reference; threshold 5 × max(0.00%, floor 0.10%) = 0.50%, below 5 errors");
    });

    it("a p95 exactly at the threshold passes; a zero or missing reference p95 does not judge", () => {
        const ref = (p95Ms: number | null) => ({ metrics: { requests: 5000, errors5xx: 0, p95Ms }, name: "live" as const });
        assert.deepEqual(A.judgeLatency({ requests: 500, errors5xx: 0, p95Ms: 300 }, ref(200), 0, ctx, t),
            { record: rec("latency", "ok", 300, 200, 300, "candidate p95 300ms ≤ 1.5 × live 200ms = 300ms"), breachSeconds: 0 });
        for (const p of [0, null]) {
            assert.deepEqual(A.judgeLatency({ requests: 500, errors5xx: 0, p95Ms: 300 }, ref(p), 0, ctx, t),
                { record: rec("latency", "ok", 300, p, null, "no reference p95 to compare with; rule not applied"), breachSeconds: 0 });
        }
    });

    it("the live colour is the reference from the minimum traffic on; an empty colour has a rate of 0", () => {
        const s = (requests: number) => sample({ requests: 1, errors5xx: 0, p95Ms: 1 }, { live: { requests, errors5xx: 0, p95Ms: 1 } });
        assert.equal(A.chooseReference(s(50), ctx, t)?.name, "live");
        assert.equal(A.chooseReference(s(49), ctx, t)?.name, "baseline");
        assert.equal(A.chooseReference(s(49), { ...ctx, baseline: null }, t), null);
        assert.equal(A.errorRate({ requests: 0, errors5xx: 3, p95Ms: null }), 0);
        assert.equal(A.errorRate({ requests: 4, errors5xx: 1, p95Ms: null }), 0.25);
    });

    it("a failed query records the error and the streak", () => {
        assert.deepEqual(A.analyseQueryFailure("Throttling", 3, A.zeroCounters(), ctx, t), {
            decision: "inconclusive", counted: false, reason: null, counters: { ...A.zeroCounters(), queryFailureStreak: 1 },
            records: [rec("query", "inconclusive", 1, null, 3, "metrics query failed after 3 attempt(s): Throttling; 1 failed interval(s) in a row of 3 allowed")],
        });
    });

    it("validation totals weigh p95 by requests, skip empty intervals and collect each alarm once", () => {
        let tot = A.zeroTotals();
        tot = A.addToTotals(tot, sample({ requests: 1000, errors5xx: 2, p95Ms: 210 }, { alarms: ["x"] }));
        tot = A.addToTotals(tot, sample({ requests: 0, errors5xx: 0, p95Ms: 999 }, { alarms: ["x", "y"] }));
        tot = A.addToTotals(tot, sample({ requests: 1000, errors5xx: 0, p95Ms: null }));
        assert.deepEqual(tot, { requests: 2000, errors5xx: 2, p95WeightedSum: 210000, p95Requests: 1000, alarmsSeen: ["x", "y"] });
        assert.deepEqual(A.judgeValidation(tot, ctx.baseline, ranges, t.errorRateFloor, ctx), {
            ok: false, reason: "validation.alarms: alarms during validation: x, y",
            records: [
                rec("validation.errorRate", "ok", 0.001, 0.001, 0.002, "validation 5xx rate 0.10% (2/2000) vs 2 × max(baseline 0.10%, floor 0.10%) = 0.20%"),
                rec("validation.p95", "ok", 210, 200, 250, "validation p95 210ms vs baseline 200ms + 25% = 250ms"),
                rec("validation.successRate", "ok", 0.999, null, 0.995, "validation success rate 99.90% vs minimum 99.50%"),
                rec("validation.alarms", "halt", 2, null, 0, "alarms during validation: x, y"),
            ],
        });
    });

    it("validation passes exactly at each range and with no data at all", () => {
        const edge = { requests: 1000, errors5xx: 2, p95WeightedSum: 250 * 1000, p95Requests: 1000, alarmsSeen: [] };
        const v = A.judgeValidation(edge, ctx.baseline, ranges, t.errorRateFloor, ctx);
        assert.deepEqual(v.records.map((r) => [r.rule, r.verdict]), [["validation.errorRate", "ok"], ["validation.p95", "ok"], ["validation.successRate", "ok"], ["validation.alarms", "ok"]]);
        const worse = A.judgeValidation({ ...edge, errors5xx: 5, p95WeightedSum: 251 * 1000 }, ctx.baseline, ranges, t.errorRateFloor, ctx);
        assert.deepEqual(worse.records.map((r) => r.verdict), ["halt", "halt", "ok", "ok"], "0.5% > 0.2%, 251 > 250 ms, success exactly 99.5%");
        const none = A.judgeValidation(A.zeroTotals(), null, ranges, t.errorRateFloor, ctx);
        assert.deepEqual(none, {
            ok: true, reason: null, records: [
                rec("validation.errorRate", "ok", 0, null, 0.002, "validation 5xx rate 0.00% (0/0) vs 2 × max(baseline 0.00%, floor 0.10%) = 0.20%"),
                rec("validation.p95", "ok", null, null, null, "no baseline p95 or no candidate p95; range not applied"),
                rec("validation.successRate", "ok", 1, null, 0.995, "validation success rate 100.00% vs minimum 99.50%"),
                rec("validation.alarms", "ok", 0, null, 0, "no critical alarm during validation"),
            ],
        });
    });

    it("formats a record with its offset, rule, verdict and values", () => {
        assert.equal(A.formatRecord(OK_ALARMS, 30_000), "   +30s step 1 (10%)   alarms                 OK           candidate=0 reference=- threshold=0 — no critical alarm in ALARM");
        assert.equal(A.formatRecord({ ...OK_ALARMS, candidate: 0.123456 }), "   +60s step 1 (10%)   alarms                 OK           candidate=0.1235 reference=- threshold=0 — no critical alarm in ALARM");
        // Before the first shift (the baseline, as rollout:status shows it): a minus sign, not "+-45s".
        assert.equal(A.formatRecord(OK_ALARMS, 105_000).slice(0, 7), "   -45s");
        assert.equal(A.formatRecord(OK_ALARMS, 60_400).slice(0, 7), "    +0s");
    });

    it("a p95 breach says how long it has lasted and when it rolls back (more than 300 s)", () => {
        const ref = { metrics: { requests: 5000, errors5xx: 0, p95Ms: 200 }, name: "live" as const };
        const slow = { requests: 500, errors5xx: 0, p95Ms: 301 };
        assert.deepEqual(A.judgeLatency(slow, ref, 240, ctx, t), {
            record: rec("latency", "breach", 301, 200, 300, "candidate p95 301ms > 1.5 × live 200ms = 300ms for 300s (rollback after more than 300s)"), breachSeconds: 300,
        });
        assert.equal(A.judgeLatency(slow, ref, 300, ctx, t).record.verdict, "rollback");
    });

    it("joins every deciding rule into the reason; an unhealthy streak reaches rollback at its limit", () => {
        const v = A.analyseInterval(sample({ requests: 560, errors5xx: 28, p95Ms: 200 }, { alarms: ["a"] }), A.zeroCounters(), ctx, t);
        assert.equal(v.reason, "alarms: critical alarm(s) in ALARM: a; errors: candidate 5xx 5.00% (28/560) vs live 0.10%; threshold 5 × max(0.10%, floor 0.10%) = 0.50%");
        const h = A.judgeHealth(1, 1, ctx, t);
        assert.deepEqual([h.streak, h.record.verdict], [2, "rollback"]);
        assert.deepEqual([A.judgeHealth(0, 1, ctx, t).streak, A.judgeHealth(0, 1, ctx, t).record.verdict], [0, "ok"]);
    });

    it("halts at the tenth inconclusive interval, uncounted; rolls back at the third failed query, flying blind", () => {
        const v = A.analyseInterval(sample({ requests: 3, errors5xx: 0, p95Ms: 200 }), { ...A.zeroCounters(), inconclusiveStreak: 9 }, ctx, t);
        assert.deepEqual([v.decision, v.counted, v.reason], ["halt", false,
            "traffic: candidate had 3 requests (< 50); 10 inconclusive interval(s) in a row of 10 allowed"]);
        const q = A.analyseQueryFailure("Throttling", 3, { ...A.zeroCounters(), queryFailureStreak: 2 }, ctx, t);
        assert.deepEqual([q.decision, q.counted, q.reason], ["rollback", false,
            "query: metrics query failed after 3 attempt(s): Throttling; 3 failed interval(s) in a row, flying blind"]);
        // Without holding on low traffic, a quiet interval counts.
        const quiet = A.analyseInterval(sample({ requests: 3, errors5xx: 0, p95Ms: 200 }), A.zeroCounters(), { ...ctx, holdOnLowTraffic: false }, t);
        assert.deepEqual([quiet.decision, quiet.counted], ["continue", true]);
    });
});
