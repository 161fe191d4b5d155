/**
 * Rollout settings: phases, bake times and analysis thresholds, with the deployment guide's
 * values as defaults. The stack config's `tms:rollout` holds deep-partial overrides, validated by
 * {@link rolloutOverridesSchema} inside the stack schema; nothing else in the engine has a hard-coded
 * number.
 */

import { z } from "zod";
import { problemLine, problemsFromZod, render, type ConfigProblem } from "./problems";
import { STRATEGIES, type Strategy } from "./vocabulary";

/** One traffic step: send `weight` percent to the candidate, then analyse for `bakeSeconds`. */
export interface RolloutStep {
    /** Percent of traffic for the candidate colour, 1–100. */
    weight: number;
    /** Analysed (conclusive) seconds the step must pass before the next one; 0 = move on at once. */
    bakeSeconds: number;
}

/** Rollback rules, judged every interval, candidate against the live colour over the same window. */
export interface AnalysisThresholds {
    /** Roll back when the candidate 5xx rate exceeds this × the live rate. Guide: "Error rate increases by 5x compared to baseline". */
    errorRateMultiplier: number;
    /**
     * Floor applied to the live (reference) error rate before multiplying, so that a live rate of 0
     * does not make a single candidate error fatal. Decision: 0.001 (0.1%), i.e. the candidate must
     * exceed 0.5% with the default multiplier.
     */
    errorRateFloor: number;
    /** Minimum candidate 5xx count in the interval for the error rule to fire. Decision: 5. */
    minErrors: number;
    /** Roll back when candidate p95 exceeds this × the live p95 ... Guide: "P95 latency increases by 50%". */
    latencyMultiplier: number;
    /** ... for more than this many consecutive seconds. Guide: "for more than 5 minutes". */
    latencyBreachSeconds: number;
    /**
     * Consecutive intervals with unhealthy candidate targets that trigger a rollback. Guide: "Health checks fail repeatedly"; decision: 2
     * (one blip is tolerated).
     */
    unhealthyIntervals: number;
    /** Candidate requests below which an interval is inconclusive for the rate rules. Decision: 50. */
    minRequests: number;
    /** Consecutive inconclusive intervals after which the rollout halts for a human, weight unchanged. Decision: 10. */
    maxInconclusiveIntervals: number;
    /** Consecutive intervals whose metrics query failed (after retries) that make the rollout roll back ("flying blind"). Decision: 3. */
    maxQueryFailures: number;
    /** Query attempts within one interval before the interval counts as failed. Decision: 3. */
    queryAttempts: number;
    /** First retry delay; doubles per attempt, capped by queryRetryMaxMs. Decision: 2000 ms. */
    queryRetryBaseMs: number;
    /** Cap of the retry delay. Decision: 8000 ms. */
    queryRetryMaxMs: number;
}

/** Deployment-health ranges of post-deployment validation (guide, "Deployment Metrics" → "Service Health"). */
export interface ValidationRanges {
    /**
     * Candidate error rate over the validation window at most this × the pre-shift baseline. Guide: "not increase by more than 2x
     * baseline".
     */
    errorRateMultiplier: number;
    /** Candidate p95 at most this percent above the baseline p95. Guide: "P95 should not increase by more than 25%". */
    p95IncreasePercent: number;
    /** Candidate success rate (1 − 5xx/requests) at least this. Guide: "Success rate: Should remain above 99.5%". */
    minSuccessRate: number;
}

export interface RolloutSettings {
    strategy: Strategy;
    /** Traffic steps (canary, blue-green). Empty for rolling, which has a single colour. */
    steps: RolloutStep[];
    /**
     * Monitoring at 100% before finalising. Guide: "Monitor application metrics for 30 minutes" (1800 s); rolling: "Post-deployment:
     * Monitor for 15+ minutes" (900 s).
     */
    validationSeconds: number;
    /** Analysis interval. Decision: 60 s (CloudWatch's standard ALB metric resolution). */
    intervalSeconds: number;
    /** Window of live-colour metrics measured just before the first shift, the baseline of the validation ranges. Decision: 900 s. */
    baselineSeconds: number;
    /** How long the candidate may take to have all targets healthy at 0%. Decision: 600 s. */
    healthTimeoutSeconds: number;
    /** Poll period while waiting for healthy targets. Decision: 15 s. */
    healthPollSeconds: number;
    /**
     * After finalising, the old colour keeps running this long so that switching back is one weight
     * update; then it scales to 0. Guide: "Maintain green for potential rollback"; decision: 3600 s.
     */
    rollbackWindowSeconds: number;
    /** Lease on the stack's rollout lock, renewed every step; a killed process's lease expires after this. Decision: 300 s. */
    leaseSeconds: number;
    /**
     * How long a rollback keeps retrying the weight-0 update (with backoff) before halting for a human.
     * Decision: 10 minutes: a concurrent `pulumi up` holding the stack lock, or an API throttle, usually
     * clears within that, and traffic split onto a bad colour is worth minutes of retrying, not seconds.
     */
    rollbackRetryMinutes: number;
    analysis: AnalysisThresholds;
    validation: ValidationRanges;
}


const DEFAULT_ANALYSIS: AnalysisThresholds = {
    errorRateMultiplier: 5,
    errorRateFloor: 0.001,
    minErrors: 5,
    latencyMultiplier: 1.5,
    latencyBreachSeconds: 300,
    unhealthyIntervals: 2,
    minRequests: 50,
    maxInconclusiveIntervals: 10,
    maxQueryFailures: 3,
    queryAttempts: 3,
    queryRetryBaseMs: 2000,
    queryRetryMaxMs: 8000,
};

const DEFAULT_VALIDATION: ValidationRanges = {
    errorRateMultiplier: 2,
    p95IncreasePercent: 25,
    minSuccessRate: 0.995,
};

/**
 * The guide's values per strategy:
 * - canary (prod): 10% → 30% → 50% for 5 min each, then 100% (guide, "Production Deployment" step 5);
 * - blue-green (staging): 50% for 2 min, then 100%. The guide says both "switch traffic" and
 *   "gradually shift traffic ... monitor for errors during transition"; one short half-way step is
 *   our decision (half the blast radius for two intervals);
 * - rolling (dev): no steps; ECS replaces tasks, its circuit breaker decides.
 */
export function defaultRolloutSettings(strategy: Strategy): RolloutSettings {
    const steps: RolloutStep[] =
        strategy === "canary"
            ? [
                  { weight: 10, bakeSeconds: 300 },
                  { weight: 30, bakeSeconds: 300 },
                  { weight: 50, bakeSeconds: 300 },
                  { weight: 100, bakeSeconds: 0 },
              ]
            : strategy === "blue-green"
              ? [
                    { weight: 50, bakeSeconds: 120 },
                    { weight: 100, bakeSeconds: 0 },
                ]
              : [];
    return {
        strategy,
        steps,
        validationSeconds: strategy === "rolling" ? 900 : 1800,
        intervalSeconds: 60,
        baselineSeconds: 900,
        healthTimeoutSeconds: 600,
        healthPollSeconds: 15,
        rollbackWindowSeconds: 3600,
        leaseSeconds: 300,
        rollbackRetryMinutes: 10,
        analysis: { ...DEFAULT_ANALYSIS },
        validation: { ...DEFAULT_VALIDATION },
    };
}

/** Thrown by {@link resolveRolloutSettings}; one problem per line, each naming its key. */
export class RolloutSettingsError extends Error {
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "RolloutSettingsError";
    }
}

// ---- the schema of the overrides (`tms:rollout`): every message reads after the offending value ----

const ruled = (message: string, ok: (v: number) => boolean) =>
    z.number({ error: message }).refine(ok, { error: message });
const positive = () => ruled("must be a number above 0", (v) => v > 0);
const nonNegative = () => ruled("must be a number ≥ 0", (v) => v >= 0);
const positiveInt = () => ruled("must be a whole number above 0", (v) => Number.isInteger(v) && v > 0);
const nonNegativeInt = () => ruled("must be a whole number ≥ 0", (v) => Number.isInteger(v) && v >= 0);
const fraction = () => ruled("must be a fraction from 0 to 1", (v) => v >= 0 && v <= 1);
const multiplier = () => ruled("must be a multiplier ≥ 1", (v) => v >= 1);

const analysisSchema = z.strictObject({
    errorRateMultiplier: multiplier().optional(),
    errorRateFloor: fraction().optional(),
    minErrors: nonNegativeInt().optional(),
    latencyMultiplier: multiplier().optional(),
    latencyBreachSeconds: nonNegativeInt().optional(),
    unhealthyIntervals: positiveInt().optional(),
    minRequests: nonNegativeInt().optional(),
    maxInconclusiveIntervals: positiveInt().optional(),
    maxQueryFailures: positiveInt().optional(),
    queryAttempts: positiveInt().optional(),
    queryRetryBaseMs: nonNegativeInt().optional(),
    queryRetryMaxMs: nonNegativeInt().optional(),
} satisfies Record<keyof AnalysisThresholds, z.ZodType>, { error: "must be an object of analysis thresholds" });

const validationSchema = z.strictObject({
    errorRateMultiplier: multiplier().optional(),
    p95IncreasePercent: nonNegative().optional(),
    minSuccessRate: fraction().optional(),
} satisfies Record<keyof ValidationRanges, z.ZodType>, { error: "must be an object of validation ranges" });

const stepSchema = z.strictObject({
    weight: ruled("must be a whole percent from 1 to 100", (v) => Number.isInteger(v) && v >= 1 && v <= 100),
    bakeSeconds: nonNegativeInt().default(0),
}, { error: "must be a step {weight, bakeSeconds}" });

const stepsSchema = z.array(stepSchema, { error: "must be a list of steps {weight, bakeSeconds}" }).superRefine((steps, ctx) => {
    steps.forEach((s, i) => {
        if (i > 0 && s.weight <= steps[i - 1].weight) {
            ctx.addIssue({
                code: "custom",
                path: [i, "weight"],
                message: `must be above the previous step's weight (${steps[i - 1].weight}): weights increase`,
            });
        }
    });
});

type Scalars = Omit<RolloutSettings, "strategy" | "steps" | "analysis" | "validation">;

/**
 * Overrides of the rollout settings, as `tms:rollout` (and a trace file's `settings`) gives them: every
 * key optional, unknown keys refused; `steps`, when given, replaces the whole list. Part of the stack
 * schema (config/stack-config.ts); the checks that depend on the strategy are {@link rolloutProblems}.
 */
export const rolloutOverridesSchema = z.strictObject({
    validationSeconds: nonNegativeInt().optional(),
    intervalSeconds: positiveInt().optional(),
    baselineSeconds: positiveInt().optional(),
    healthTimeoutSeconds: positiveInt().optional(),
    healthPollSeconds: positiveInt().optional(),
    rollbackWindowSeconds: nonNegativeInt().optional(),
    leaseSeconds: positiveInt().optional(),
    rollbackRetryMinutes: positive().optional(),
    steps: stepsSchema.optional(),
    analysis: analysisSchema.optional(),
    validation: validationSchema.optional(),
} satisfies Record<keyof Scalars | "steps" | "analysis" | "validation", z.ZodType>, { error: "must be an object of rollout settings" });

/** Overrides as the schema returns them. */
export type RolloutOverrides = z.output<typeof rolloutOverridesSchema>;

/** `strategy`'s defaults with validated `overrides` applied key by key. Pure. */
export function applyRolloutOverrides(strategy: Strategy, overrides: RolloutOverrides): RolloutSettings {
    const { steps, analysis, validation, ...top } = overrides;
    const d = defaultRolloutSettings(strategy);
    const defined = <T extends object>(o: T | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
    return {
        ...d,
        ...defined(top),
        steps: steps ?? d.steps,
        analysis: { ...d.analysis, ...defined(analysis) },
        validation: { ...d.validation, ...defined(validation) },
    };
}

/**
 * What the schema cannot judge alone: the steps against the strategy, and the retries against the
 * interval. Each problem names its key under `root`. Pure.
 */
export function rolloutProblems(strategy: Strategy, overrides: RolloutOverrides, root = "tms:rollout"): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string) => problems.push({ key: `${root}.${path}`, message });
    const s = applyRolloutOverrides(strategy, overrides);
    if (strategy === "rolling" && overrides.steps?.length) {
        add("steps", "must be empty: rolling uses a single colour and has no traffic steps");
    } else if (strategy !== "rolling") {
        if (s.steps.length === 0) add("steps", `must have at least one step: ${strategy} shifts traffic in steps`);
        else if (s.steps[s.steps.length - 1].weight !== 100) {
            add("steps", `the last step must send 100% to the candidate, got ${s.steps[s.steps.length - 1].weight}%`);
        }
    }
    // Retries of a failed query must fit inside one interval, or analysis would drift behind the clock.
    const retryBudget = s.analysis.queryRetryMaxMs * (s.analysis.queryAttempts - 1);
    if (retryBudget >= s.intervalSeconds * 1000) {
        add(
            "analysis.queryRetryMaxMs",
            `${s.analysis.queryAttempts - 1} retries of up to ${s.analysis.queryRetryMaxMs} ms do not fit in the ${s.intervalSeconds} s ` +
            `interval`,
        );
    }
    if (s.analysis.queryRetryBaseMs > s.analysis.queryRetryMaxMs) {
        add("analysis.queryRetryBaseMs", `must not exceed queryRetryMaxMs (${s.analysis.queryRetryMaxMs})`);
    }
    return problems;
}

/**
 * Defaults for `strategy` with `overrides` (not yet validated: a trace file's, say) applied key by key.
 * Unknown keys, wrong types and inconsistent combinations are reported together, one line per problem,
 * each naming its key under `root` (e.g. `tms:rollout.analysis.minErrors: -1 must be a whole number ≥ 0`).
 */
export function resolveRolloutSettings(strategy: Strategy, overrides: unknown = {}, root = "tms:rollout"): RolloutSettings {
    if (!STRATEGIES.includes(strategy)) {
        throw new RolloutSettingsError([`${root}: unknown strategy ${render(strategy)} (expected ${STRATEGIES.join(", ")})`]);
    }
    const input = overrides ?? {};
    const parsed = rolloutOverridesSchema.safeParse(input);
    const problems = parsed.success
        ? rolloutProblems(strategy, parsed.data, root)
        : problemsFromZod(rolloutOverridesSchema, parsed.error, input, root);
    if (problems.length > 0) throw new RolloutSettingsError(problems.map((p) => problemLine(p)));
    return applyRolloutOverrides(strategy, parsed.data!);
}

/**
 * What `--time-scale N` (the offline sandbox only) divides by N: the durations that set the pace of the
 * release itself. Kept as they are: `healthTimeoutSeconds`/`healthPollSeconds`, `leaseSeconds` and
 * `rollbackRetryMinutes`, which bound waits on real processes (a `pulumi up`, another runner), whose
 * speed a time scale does not change.
 */
export const SCALED_DURATIONS = {
    top: ["intervalSeconds", "baselineSeconds", "validationSeconds", "rollbackWindowSeconds"],
    analysis: ["latencyBreachSeconds", "queryRetryBaseMs", "queryRetryMaxMs"],
    kept: ["healthTimeoutSeconds", "healthPollSeconds", "leaseSeconds", "rollbackRetryMinutes"],
} as const;

/**
 * `settings` with the release's durations divided by `factor` (`--time-scale`), so that an operator can
 * watch the stack's own rollout (its steps, rules and thresholds) in minutes: prod's at 60 analyses every
 * second, bakes each step 5 s and validates 30 s. Whole seconds, rounded, at least 1 where the value was
 * positive; refused when the analysis interval would be shorter than a second. Pure.
 */
export function scaleRolloutTimes(settings: RolloutSettings, factor: number): RolloutSettings {
    if (!Number.isInteger(factor) || factor < 1)
        throw new RolloutSettingsError([`time scale: expected a whole number ≥ 1, got ${render(factor)}`]);
    if (settings.intervalSeconds / factor < 1) {
        throw new RolloutSettingsError([
            `time scale ${factor}: the ${settings.intervalSeconds} s analysis interval would be shorter than a second (at most ` +
            `${settings.intervalSeconds})`,
        ]);
    }
    const scale = (v: number) => (v === 0 ? 0 : Math.max(1, Math.round(v / factor)));
    const s: RolloutSettings = {
        ...settings,
        analysis: { ...settings.analysis },
        validation: { ...settings.validation },
        steps: settings.steps.map((x) => ({ ...x, bakeSeconds: scale(x.bakeSeconds) })),
    };
    for (const k of SCALED_DURATIONS.top) s[k] = scale(settings[k]);
    for (const k of SCALED_DURATIONS.analysis) s.analysis[k] = scale(settings.analysis[k]);
    if (s.analysis.queryRetryMaxMs * (s.analysis.queryAttempts - 1) >= s.intervalSeconds * 1000) {
        throw new RolloutSettingsError([
            `time scale ${factor}: ${s.analysis.queryAttempts - 1} query retries of up to ${s.analysis.queryRetryMaxMs} ms would not ` +
            `fit in the ${s.intervalSeconds} s interval`,
        ]);
    }
    return s;
}
