/**
 * Rollout settings: phases, bake times and analysis thresholds, with the deployment guide's
 * values as defaults. The stack config (`tms:rollout`) passes deep-partial overrides into
 * {@link resolveRolloutSettings}; nothing else in the engine has a hard-coded number.
 */

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
    /** Consecutive intervals with unhealthy candidate targets that trigger a rollback. Guide: "Health checks fail repeatedly"; decision: 2 (one blip is tolerated). */
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
    /** Candidate error rate over the validation window at most this × the pre-shift baseline. Guide: "not increase by more than 2x baseline". */
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
    /** Monitoring at 100% before finalising. Guide: "Monitor application metrics for 30 minutes" (1800 s); rolling: "Post-deployment: Monitor for 15+ minutes" (900 s). */
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

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Overrides as the stack config passes them (`strategy` is chosen separately). */
export type RolloutOverrides = DeepPartial<Omit<RolloutSettings, "strategy">>;

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

type NumberRule = "positive" | "nonNegative" | "positiveInt" | "nonNegativeInt" | "fraction" | "multiplier";

const TOP_NUMBERS: Record<string, NumberRule> = {
    validationSeconds: "nonNegativeInt",
    intervalSeconds: "positiveInt",
    baselineSeconds: "positiveInt",
    healthTimeoutSeconds: "positiveInt",
    healthPollSeconds: "positiveInt",
    rollbackWindowSeconds: "nonNegativeInt",
    leaseSeconds: "positiveInt",
    rollbackRetryMinutes: "positive",
};
const ANALYSIS_NUMBERS: Record<keyof AnalysisThresholds, NumberRule> = {
    errorRateMultiplier: "multiplier",
    errorRateFloor: "fraction",
    minErrors: "nonNegativeInt",
    latencyMultiplier: "multiplier",
    latencyBreachSeconds: "nonNegativeInt",
    unhealthyIntervals: "positiveInt",
    minRequests: "nonNegativeInt",
    maxInconclusiveIntervals: "positiveInt",
    maxQueryFailures: "positiveInt",
    queryAttempts: "positiveInt",
    queryRetryBaseMs: "nonNegativeInt",
    queryRetryMaxMs: "nonNegativeInt",
};
const VALIDATION_NUMBERS: Record<keyof ValidationRanges, NumberRule> = {
    errorRateMultiplier: "multiplier",
    p95IncreasePercent: "nonNegative",
    minSuccessRate: "fraction",
};

function checkNumber(value: unknown, rule: NumberRule): string | null {
    if (typeof value !== "number" || !Number.isFinite(value)) return "expected a number";
    switch (rule) {
        case "positive":
            return value > 0 ? null : "expected a number > 0";
        case "nonNegative":
            return value >= 0 ? null : "expected a number ≥ 0";
        case "positiveInt":
            return Number.isInteger(value) && value > 0 ? null : "expected an integer > 0";
        case "nonNegativeInt":
            return Number.isInteger(value) && value >= 0 ? null : "expected an integer ≥ 0";
        case "fraction":
            return value >= 0 && value <= 1 ? null : "expected a fraction between 0 and 1";
        case "multiplier":
            return value >= 1 ? null : "expected a multiplier ≥ 1";
    }
}

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
    return JSON.stringify(v) ?? String(v);
}

/** Copies the numeric keys of `src` onto `dst`, collecting one problem per bad or unknown key. */
function mergeNumbers<T extends object>(
    dst: T,
    src: unknown,
    rules: Record<string, NumberRule>,
    path: string,
    problems: string[],
): void {
    if (src === undefined) return;
    if (!isRecord(src)) {
        problems.push(`${path}: expected an object, got ${show(src)}`);
        return;
    }
    for (const [key, value] of Object.entries(src)) {
        const rule = rules[key];
        if (rule === undefined) {
            problems.push(`${path}.${key}: unknown setting (known: ${Object.keys(rules).join(", ")})`);
            continue;
        }
        const problem = checkNumber(value, rule);
        if (problem) problems.push(`${path}.${key}: ${problem}, got ${show(value)}`);
        else (dst as Record<string, unknown>)[key] = value;
    }
}

/**
 * Defaults for `strategy` with `overrides` applied key by key. Unknown keys, wrong types and
 * inconsistent combinations are all reported together, each naming its key under `path`
 * (e.g. `tms:rollout.analysis.minErrors: expected an integer ≥ 0, got -1`).
 * `steps`, when given, replaces the whole list.
 */
export function resolveRolloutSettings(
    strategy: Strategy,
    overrides: unknown = {},
    path = "tms:rollout",
): RolloutSettings {
    const problems: string[] = [];
    if (!STRATEGIES.includes(strategy)) {
        throw new RolloutSettingsError([`${path}: unknown strategy ${show(strategy)} (expected ${STRATEGIES.join(", ")})`]);
    }
    const s = defaultRolloutSettings(strategy);
    if (overrides === undefined || overrides === null) return s;
    if (!isRecord(overrides)) throw new RolloutSettingsError([`${path}: expected an object, got ${show(overrides)}`]);

    const known = new Set([...Object.keys(TOP_NUMBERS), "steps", "analysis", "validation"]);
    for (const key of Object.keys(overrides)) {
        if (!known.has(key)) problems.push(`${path}.${key}: unknown setting (known: ${[...known].join(", ")})`);
    }
    const topOnly: Record<string, unknown> = {};
    for (const key of Object.keys(TOP_NUMBERS)) if (key in overrides) topOnly[key] = overrides[key];
    mergeNumbers(s, topOnly, TOP_NUMBERS, path, problems);
    mergeNumbers(s.analysis, overrides.analysis, ANALYSIS_NUMBERS, `${path}.analysis`, problems);
    mergeNumbers(s.validation, overrides.validation, VALIDATION_NUMBERS, `${path}.validation`, problems);

    if (overrides.steps !== undefined) {
        const steps = parseSteps(overrides.steps, `${path}.steps`, problems);
        if (steps) {
            if (strategy === "rolling" && steps.length > 0) {
                problems.push(`${path}.steps: rolling uses a single colour and has no traffic steps`);
            } else s.steps = steps;
        }
    }
    if (strategy !== "rolling") {
        if (s.steps.length === 0) problems.push(`${path}.steps: ${strategy} needs at least one step`);
        else if (s.steps[s.steps.length - 1].weight !== 100) {
            problems.push(`${path}.steps: the last step must send 100% to the candidate, got ${s.steps[s.steps.length - 1].weight}%`);
        }
    }
    // Retries of a failed query must fit inside one interval, or analysis would drift behind the clock.
    const retryBudget = s.analysis.queryRetryMaxMs * (s.analysis.queryAttempts - 1);
    if (retryBudget >= s.intervalSeconds * 1000) {
        problems.push(
            `${path}.analysis.queryRetryMaxMs: ${s.analysis.queryAttempts - 1} retries of up to ${s.analysis.queryRetryMaxMs} ms do not fit in the ${s.intervalSeconds} s interval`,
        );
    }
    if (s.analysis.queryRetryBaseMs > s.analysis.queryRetryMaxMs) {
        problems.push(`${path}.analysis.queryRetryBaseMs: must not exceed queryRetryMaxMs (${s.analysis.queryRetryMaxMs})`);
    }
    if (problems.length > 0) throw new RolloutSettingsError(problems);
    return s;
}

function parseSteps(value: unknown, path: string, problems: string[]): RolloutStep[] | null {
    if (!Array.isArray(value)) {
        problems.push(`${path}: expected a list of {weight, bakeSeconds}, got ${show(value)}`);
        return null;
    }
    const steps: RolloutStep[] = [];
    let ok = true;
    value.forEach((raw: unknown, i) => {
        const at = `${path}[${i}]`;
        if (!isRecord(raw)) {
            problems.push(`${at}: expected {weight, bakeSeconds}, got ${show(raw)}`);
            ok = false;
            return;
        }
        for (const key of Object.keys(raw)) {
            if (key !== "weight" && key !== "bakeSeconds") {
                problems.push(`${at}.${key}: unknown field (expected weight, bakeSeconds)`);
                ok = false;
            }
        }
        const { weight, bakeSeconds } = raw;
        if (typeof weight !== "number" || !Number.isInteger(weight) || weight < 1 || weight > 100) {
            problems.push(`${at}.weight: expected an integer percent 1–100, got ${show(weight)}`);
            ok = false;
        } else if (steps.length > 0 && weight <= steps[steps.length - 1].weight) {
            problems.push(`${at}.weight: weights must increase, got ${weight} after ${steps[steps.length - 1].weight}`);
            ok = false;
        }
        const bake = bakeSeconds ?? 0;
        const problem = checkNumber(bake, "nonNegativeInt");
        if (problem) {
            problems.push(`${at}.bakeSeconds: ${problem}, got ${show(bakeSeconds)}`);
            ok = false;
        }
        if (ok) steps.push({ weight: weight as number, bakeSeconds: bake as number });
    });
    return ok ? steps : null;
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
    if (!Number.isInteger(factor) || factor < 1) throw new RolloutSettingsError([`time scale: expected a whole number ≥ 1, got ${show(factor)}`]);
    if (settings.intervalSeconds / factor < 1) {
        throw new RolloutSettingsError([`time scale ${factor}: the ${settings.intervalSeconds} s analysis interval would be shorter than a second (at most ${settings.intervalSeconds})`]);
    }
    const scale = (v: number) => (v === 0 ? 0 : Math.max(1, Math.round(v / factor)));
    const s: RolloutSettings = { ...settings, analysis: { ...settings.analysis }, validation: { ...settings.validation }, steps: settings.steps.map((x) => ({ ...x, bakeSeconds: scale(x.bakeSeconds) })) };
    for (const k of SCALED_DURATIONS.top) s[k] = scale(settings[k]);
    for (const k of SCALED_DURATIONS.analysis) s.analysis[k] = scale(settings.analysis[k]);
    if (s.analysis.queryRetryMaxMs * (s.analysis.queryAttempts - 1) >= s.intervalSeconds * 1000) {
        throw new RolloutSettingsError([`time scale ${factor}: ${s.analysis.queryAttempts - 1} query retries of up to ${s.analysis.queryRetryMaxMs} ms would not fit in the ${s.intervalSeconds} s interval`]);
    }
    return s;
}
