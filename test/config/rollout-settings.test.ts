import { strict as assert } from "assert";
import { defaultRolloutSettings, resolveRolloutSettings, RolloutSettingsError } from "../../config/rollout-settings";

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
        assert.deepEqual(problems.map((p) => p.slice(0, p.indexOf(": "))), [
            "tms:rollout.colour",
            "tms:rollout.intervalSeconds",
            "tms:rollout.analysis.minErrors",
            "tms:rollout.analysis.bogus",
            "tms:rollout.validation.minSuccessRate",
        ]);
        assert.match(problems[2], /tms:rollout\.analysis\.minErrors: expected an integer ≥ 0, got -1/);
    });
    it("rejects steps that decrease, do not end at 100%, or are given for rolling", () => {
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { steps: [{ weight: 30, bakeSeconds: 60 }, { weight: 20, bakeSeconds: 60 }, { weight: 100, bakeSeconds: 0 }] }))[0],
            /steps\[1\]\.weight: weights must increase/);
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { steps: [{ weight: 50, bakeSeconds: 60 }] }))[0], /last step must send 100%/);
        assert.match(problemsOf(() => resolveRolloutSettings("rolling", { steps: [{ weight: 100, bakeSeconds: 0 }] }))[0], /rolling .* no traffic steps/);
    });
    it("rejects query retries that do not fit in one interval", () => {
        assert.match(problemsOf(() => resolveRolloutSettings("canary", { intervalSeconds: 10 }))[0], /queryRetryMaxMs/);
    });
});
