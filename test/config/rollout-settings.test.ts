import { strict as assert } from "assert";
import { defaultRolloutSettings, resolveRolloutSettings, RolloutSettingsError, SCALED_DURATIONS, scaleRolloutTimes } from "../../config/rollout-settings";
import { ConfigError, loadStackConfig } from "../../config/stack-config";
import { flattenConfig, stackConfig } from "../harness";

function problemsOf(fn: () => unknown): string[] {
    try {
        fn();
    } catch (e) {
        assert.ok(e instanceof RolloutSettingsError, String(e));
        return e.problems;
    }
    assert.fail("expected a RolloutSettingsError");
}

describe("rollout settings", () => {
    it("canary defaults follow the guide: 10/30/50% for 5 min, 100%, 30 min validation", () => {
        const s = defaultRolloutSettings("canary");
        assert.deepEqual(s.steps.map((x) => [x.weight, x.bakeSeconds]), [[10, 300], [30, 300], [50, 300], [100, 0]]);
        assert.equal(s.validationSeconds, 1800);
        assert.equal(s.intervalSeconds, 60);
        assert.equal(s.analysis.errorRateMultiplier, 5);
        assert.equal(s.analysis.latencyMultiplier, 1.5);
        assert.equal(s.analysis.latencyBreachSeconds, 300);
        assert.equal(s.analysis.unhealthyIntervals, 2);
        assert.deepEqual(s.validation, { errorRateMultiplier: 2, p95IncreasePercent: 25, minSuccessRate: 0.995 });
    });
    it("blue-green ends at 100%, rolling has no steps", () => {
        assert.equal(defaultRolloutSettings("blue-green").steps.at(-1)!.weight, 100);
        assert.deepEqual(defaultRolloutSettings("rolling").steps, []);
    });
    it("applies deep-partial overrides without touching the rest", () => {
        const s = resolveRolloutSettings("canary", { analysis: { minRequests: 200 }, steps: [{ weight: 25, bakeSeconds: 60 }, { weight: 100, bakeSeconds: 0 }] });
        assert.equal(s.analysis.minRequests, 200);
        assert.equal(s.analysis.minErrors, 5);
        assert.deepEqual(s.steps, [{ weight: 25, bakeSeconds: 60 }, { weight: 100, bakeSeconds: 0 }]);
        assert.equal(defaultRolloutSettings("canary").analysis.minRequests, 50, "defaults are not mutated");
    });
    it("reports every problem, each naming its key", () => {
        const problems = problemsOf(() =>
            resolveRolloutSettings("canary", { intervalSeconds: 0, analysis: { minErrors: -1, bogus: 1 }, validation: { minSuccessRate: 2 }, colour: "x" }),
        );
        assert.deepEqual(problems, [
            "tms:rollout.intervalSeconds: 0 must be a whole number above 0",
            "tms:rollout.analysis.minErrors: -1 must be a whole number ≥ 0",
            "tms:rollout.analysis.bogus: is not a known setting (known: errorRateMultiplier, errorRateFloor, minErrors, latencyMultiplier, "
                + "latencyBreachSeconds, unhealthyIntervals, minRequests, maxInconclusiveIntervals, maxQueryFailures, queryAttempts, queryRetryBaseMs, queryRetryMaxMs)",
            "tms:rollout.validation.minSuccessRate: 2 must be a fraction from 0 to 1",
            "tms:rollout.colour: is not a known setting (known: validationSeconds, intervalSeconds, baselineSeconds, healthTimeoutSeconds, "
                + "healthPollSeconds, rollbackWindowSeconds, leaseSeconds, rollbackRetryMinutes, steps, analysis, validation)",
        ]);
        // The same problems, in the same form, from the stack schema that holds tms:rollout (nothing re-split).
        const raw = { ...flattenConfig(stackConfig("prod")), "tms:rollout": JSON.stringify({ analysis: { minErrors: -1 }, steps: [{ weight: 50, bakeSeconds: "x" }] }) };
        assert.throws(() => loadStackConfig(raw, "Pulumi.prod.yaml", "prod"), (e: any) => {
            assert.ok(e instanceof ConfigError);
            assert.deepEqual(e.lines, [
                'Pulumi.prod.yaml: tms:rollout.steps[0].bakeSeconds: "x" must be a whole number ≥ 0',
                "Pulumi.prod.yaml: tms:rollout.analysis.minErrors: -1 must be a whole number ≥ 0",
            ]);
            return true;
        });
    });
    it("rejects steps that decrease, do not end at 100%, or are given for rolling", () => {
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { steps: [{ weight: 30, bakeSeconds: 60 }, { weight: 20, bakeSeconds: 60 }, { weight: 100, bakeSeconds: 0 }] }))[0],
            /steps\[1\]\.weight: 20 must be above the previous step's weight \(30\): weights increase/);
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { steps: [{ weight: 50, bakeSeconds: 60 }] }))[0], /last step must send 100%/);
        assert.match(problemsOf(() => resolveRolloutSettings("rolling", { steps: [{ weight: 100, bakeSeconds: 0 }] }))[0], /rolling .* no traffic steps/);
    });
    it("rejects query retries that do not fit in one interval", () => {
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { intervalSeconds: 10 }))[0], /queryRetryMaxMs/);
    });
    describe("--time-scale (the offline sandbox)", () => {
        it("divides the release's durations: prod at 60 analyses every second, bakes 5 s, validates 30 s; steps, rules and real-process waits unchanged", () => {
            const prod = defaultRolloutSettings("canary");
            const s = scaleRolloutTimes(prod, 60);
            assert.deepEqual(s.steps, [{ weight: 10, bakeSeconds: 5 }, { weight: 30, bakeSeconds: 5 }, { weight: 50, bakeSeconds: 5 }, { weight: 100, bakeSeconds: 0 }]);
            assert.deepEqual([s.intervalSeconds, s.baselineSeconds, s.validationSeconds, s.rollbackWindowSeconds], [1, 15, 30, 60]);
            assert.deepEqual([s.analysis.latencyBreachSeconds, s.analysis.queryRetryBaseMs, s.analysis.queryRetryMaxMs], [5, 33, 133]);
            assert.deepEqual([s.healthTimeoutSeconds, s.healthPollSeconds, s.leaseSeconds, s.rollbackRetryMinutes], [600, 15, 300, 10]);
            assert.deepEqual({ ...s.analysis, latencyBreachSeconds: 0, queryRetryBaseMs: 0, queryRetryMaxMs: 0 }, { ...prod.analysis, latencyBreachSeconds: 0, queryRetryBaseMs: 0, queryRetryMaxMs: 0 });
            assert.deepEqual(s.validation, prod.validation);
            assert.equal(prod.intervalSeconds, 60, "the input is not mutated");
            // The latency rule still needs the same number of intervals: more than 300 s at 60 s is more than 5 s at 1 s.
            assert.equal(s.analysis.latencyBreachSeconds / s.intervalSeconds, prod.analysis.latencyBreachSeconds / prod.intervalSeconds);
            assert.deepEqual(scaleRolloutTimes(prod, 1), prod);
        });
        it("every duration setting is either scaled or kept on purpose (a new one must choose)", () => {
            const named = [...SCALED_DURATIONS.top, ...SCALED_DURATIONS.kept, ...SCALED_DURATIONS.analysis].sort();
            const s = defaultRolloutSettings("canary");
            const durations = [...Object.keys(s), ...Object.keys(s.analysis)].filter((k) => /(Seconds|Ms|Minutes)$/.test(k)).sort();
            assert.deepEqual(named, durations);
        });
        it("refuses a scale that makes the interval shorter than a second, or the retries longer than it", () => {
            assert.match(problemsOf(() => scaleRolloutTimes(defaultRolloutSettings("canary"), 61))[0], /time scale 61: the 60 s analysis interval would be shorter than a second \(at most 60\)/);
            assert.match(problemsOf(() => scaleRolloutTimes(defaultRolloutSettings("canary"), 1.5))[0], /whole number/);
            const tight = resolveRolloutSettings("canary", { intervalSeconds: 4, analysis: { queryRetryMaxMs: 1900, queryRetryBaseMs: 100 } }); // 3800 ms of retries fit in 4 s; 1266 ms do not in round(4 / 3) = 1 s
            assert.match(problemsOf(() => scaleRolloutTimes(tight, 3))[0], /time scale 3: 2 query retries of up to 633 ms would not fit in the 1 s interval/);
        });
    });
});
