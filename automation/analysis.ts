/**
 * Pure analysis: one metrics window (plus the running counters) → a verdict and the structured
 * records that justify it. No clock, no I/O; the engine feeds it and acts on the verdict.
 *
 * The reference for comparisons is the live colour over the same window (a concurrent baseline).
 * When the live colour has too little traffic to compare against (at 100%, or for rolling where
 * live and candidate are the same colour), the pre-shift baseline is the reference instead.
 */
import type { ColourMetrics, MetricsSample } from "./model";
import type { AnalysisThresholds, ValidationRanges } from "../config/rollout-settings";

export type RuleName =
    | "alarms"
    | "health"
    | "errors"
    | "latency"
    | "traffic"
    | "query"
    | "validation.errorRate"
    | "validation.p95"
    | "validation.successRate"
    | "validation.alarms"
    | "baseline"
    | "candidate-health"
    | "traffic-update"
    | "deploy"
    | "smoke"
    | "circuit-breaker";

/**
 * - ok: within threshold;
 * - breach: outside threshold but not (yet) decisive (one unhealthy blip, latency for 3 minutes);
 * - rollback: decisive, the rollout rolls back;
 * - inconclusive: not enough data to judge (low traffic, failed query);
 * - halt: stop for a human.
 */
export type Verdict = "ok" | "breach" | "rollback" | "inconclusive" | "halt";

/** One decision, printable as one line and storable in a deployment record. */
export interface AnalysisRecord {
    atMs: number;
    /** e.g. "step 2 (30%)", "validation", "rolling". */
    phase: string;
    weight: number;
    rule: RuleName;
    /** The candidate's value (rate as a fraction, ms, count); null when not measurable. */
    candidate: number | null;
    /** The reference value (live colour, or the pre-shift baseline); null when none applies. */
    reference: number | null;
    /** The threshold the candidate was held to; null when the rule has none. */
    threshold: number | null;
    verdict: Verdict;
    /** Why, in words, with the numbers. */
    detail: string;
}

/** Counters carried from interval to interval (persisted with the rollout state). */
export interface AnalysisCounters {
    unhealthyStreak: number;
    latencyBreachSeconds: number;
    inconclusiveStreak: number;
    queryFailureStreak: number;
}

export function zeroCounters(): AnalysisCounters {
    return { unhealthyStreak: 0, latencyBreachSeconds: 0, inconclusiveStreak: 0, queryFailureStreak: 0 };
}

export interface IntervalContext {
    atMs: number;
    phase: string;
    weight: number;
    intervalSeconds: number;
    /** Live-colour metrics measured before the first shift; null if unavailable. */
    baseline: ColourMetrics | null;
    /** False for rolling, where the "live" entry is the candidate itself. */
    compareWithLive: boolean;
    /**
     * True (canary, blue-green): a low-traffic interval extends the phase and, past the limit,
     * halts. False (rolling): the new version already takes all traffic and ECS has decided, so
     * there is nothing to wait for; a low-traffic interval is recorded and counted.
     */
    holdOnLowTraffic?: boolean;
}

export type IntervalDecision = "continue" | "inconclusive" | "rollback" | "halt";

export interface IntervalVerdict {
    decision: IntervalDecision;
    /** Whether the interval counts towards the phase's bake time. */
    counted: boolean;
    records: AnalysisRecord[];
    counters: AnalysisCounters;
    /** Set for rollback and halt: the deciding record(s) in words. */
    reason: string | null;
}

export function errorRate(m: ColourMetrics): number {
    return m.requests > 0 ? m.errors5xx / m.requests : 0;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const ms = (x: number | null) => (x === null ? "n/a" : `${Math.round(x)}ms`);

interface Reference {
    metrics: ColourMetrics;
    name: "live" | "baseline";
}

/** The live colour in the same window when it has enough traffic, else the pre-shift baseline. */
export function chooseReference(
    sample: MetricsSample,
    ctx: Pick<IntervalContext, "baseline" | "compareWithLive">,
    t: AnalysisThresholds,
): Reference | null {
    if (ctx.compareWithLive && sample.live.requests >= t.minRequests) return { metrics: sample.live, name: "live" };
    if (ctx.baseline) return { metrics: ctx.baseline, name: "baseline" };
    return null;
}

function record(
    ctx: IntervalContext,
    rule: RuleName,
    verdict: Verdict,
    candidate: number | null,
    reference: number | null,
    threshold: number | null,
    detail: string,
): AnalysisRecord {
    return { atMs: ctx.atMs, phase: ctx.phase, weight: ctx.weight, rule, candidate, reference, threshold, verdict, detail };
}

/** Rule: any critical alarm in ALARM rolls back at once. */
export function judgeAlarms(alarms: string[], ctx: IntervalContext): AnalysisRecord {
    return alarms.length > 0
        ? record(ctx, "alarms", "rollback", alarms.length, null, 0, `critical alarm(s) in ALARM: ${alarms.join(", ")}`)
        : record(ctx, "alarms", "ok", 0, null, 0, "no critical alarm in ALARM");
}

/** Rule: unhealthy candidate targets in `unhealthyIntervals` consecutive intervals roll back. */
export function judgeHealth(
    unhealthyTargets: number,
    streak: number,
    ctx: IntervalContext,
    t: AnalysisThresholds,
): { record: AnalysisRecord; streak: number } {
    const next = unhealthyTargets > 0 ? streak + 1 : 0;
    const verdict: Verdict = next >= t.unhealthyIntervals ? "rollback" : next > 0 ? "breach" : "ok";
    const detail =
        next > 0
            ? `${unhealthyTargets} unhealthy candidate target(s), ${next} consecutive interval(s) of ${t.unhealthyIntervals} allowed ` +
                `before rollback`
            : "all candidate targets healthy";
    return { record: record(ctx, "health", verdict, unhealthyTargets, null, t.unhealthyIntervals, detail), streak: next };
}

/**
 * Rule: candidate 5xx rate > multiplier × max(reference rate, floor), with at least minErrors errors.
 * Only judged when the candidate had minRequests requests (the caller checks).
 */
export function judgeErrors(
    candidate: ColourMetrics,
    ref: Reference | null,
    ctx: IntervalContext,
    t: AnalysisThresholds,
): AnalysisRecord {
    const candRate = errorRate(candidate);
    const refRate = ref ? errorRate(ref.metrics) : 0;
    const threshold = t.errorRateMultiplier * Math.max(refRate, t.errorRateFloor);
    const breach = candRate > threshold && candidate.errors5xx >= t.minErrors;
    const refName = ref ? `${ref.name} ${pct(refRate)}` : "no reference";
    const detail =
        `candidate 5xx ${pct(candRate)} (${candidate.errors5xx}/${candidate.requests}) vs ${refName}; ` +
        `threshold ${t.errorRateMultiplier} × max(${pct(refRate)}, floor ${pct(t.errorRateFloor)}) = ${pct(threshold)}` +
        (candRate > threshold && !breach ? `, below ${t.minErrors} errors` : "");
    return record(ctx, "errors", breach ? "rollback" : "ok", candRate, ref ? refRate : null, threshold, detail);
}

/**
 * Rule: candidate p95 > multiplier × reference p95 for more than latencyBreachSeconds in a row.
 * Each breaching interval adds intervalSeconds to the streak; a good one resets it.
 */
export function judgeLatency(
    candidate: ColourMetrics,
    ref: Reference | null,
    breachSeconds: number,
    ctx: IntervalContext,
    t: AnalysisThresholds,
): { record: AnalysisRecord; breachSeconds: number } {
    const refP95 = ref?.metrics.p95Ms ?? null;
    if (candidate.p95Ms === null || refP95 === null || refP95 <= 0) {
        return {
            record: record(ctx, "latency", "ok", candidate.p95Ms, refP95, null, "no reference p95 to compare with; rule not applied"),
            breachSeconds,
        };
    }
    const threshold = t.latencyMultiplier * refP95;
    if (candidate.p95Ms <= threshold) {
        return {
            record: record(ctx, "latency", "ok", candidate.p95Ms, refP95, threshold,
                `candidate p95 ${ms(candidate.p95Ms)} ≤ ${t.latencyMultiplier} × ${ref!.name} ${ms(refP95)} = ${ms(threshold)}`),
            breachSeconds: 0,
        };
    }
    const next = breachSeconds + ctx.intervalSeconds;
    const verdict: Verdict = next > t.latencyBreachSeconds ? "rollback" : "breach";
    return {
        record: record(ctx, "latency", verdict, candidate.p95Ms, refP95, threshold,
            `candidate p95 ${ms(candidate.p95Ms)} > ${t.latencyMultiplier} × ${ref!.name} ${ms(refP95)} = ${ms(threshold)} for ${next}s ` +
                `(rollback after more than ${t.latencyBreachSeconds}s)`),
        breachSeconds: next,
    };
}

/** Joins the deciding records into a reason. */
function reasonOf(records: AnalysisRecord[], verdict: Verdict): string | null {
    const deciding = records.filter((r) => r.verdict === verdict);
    return deciding.length > 0 ? deciding.map((r) => `${r.rule}: ${r.detail}`).join("; ") : null;
}

/**
 * One successful metrics window → verdict. Alarms and health are judged whatever the traffic;
 * the rate rules (errors, latency) need `minRequests` candidate requests, else the interval is
 * inconclusive (not counted towards the bake) and after `maxInconclusiveIntervals` in a row the
 * rollout halts. Rollback wins over everything else.
 */
export function analyseInterval(
    sample: MetricsSample,
    counters: AnalysisCounters,
    ctx: IntervalContext,
    t: AnalysisThresholds,
): IntervalVerdict {
    const next: AnalysisCounters = { ...counters, queryFailureStreak: 0 };
    const records: AnalysisRecord[] = [judgeAlarms(sample.alarms, ctx)];
    const health = judgeHealth(sample.unhealthyTargets, counters.unhealthyStreak, ctx, t);
    records.push(health.record);
    next.unhealthyStreak = health.streak;

    const enoughTraffic = sample.candidate.requests >= t.minRequests;
    if (enoughTraffic) {
        const ref = chooseReference(sample, ctx, t);
        records.push(judgeErrors(sample.candidate, ref, ctx, t));
        const latency = judgeLatency(sample.candidate, ref, counters.latencyBreachSeconds, ctx, t);
        records.push(latency.record);
        next.latencyBreachSeconds = latency.breachSeconds;
        next.inconclusiveStreak = 0;
    } else if (ctx.holdOnLowTraffic === false) {
        records.push(
            record(
                ctx,
                "traffic",
                "inconclusive",
                sample.candidate.requests,
                null,
                t.minRequests,
                `candidate had ${sample.candidate.requests} requests (< ${t.minRequests}); rate rules not applied, interval counted ` +
                `(rolling)`,
            ),
        );
    } else {
        next.inconclusiveStreak = counters.inconclusiveStreak + 1;
        const halting = next.inconclusiveStreak >= t.maxInconclusiveIntervals;
        records.push(
            record(ctx, "traffic", halting ? "halt" : "inconclusive", sample.candidate.requests, null, t.minRequests,
                `candidate had ${sample.candidate.requests} requests (< ${t.minRequests}); ` +
                    `${next.inconclusiveStreak} inconclusive interval(s) in a row of ${t.maxInconclusiveIntervals} allowed`),
        );
    }

    const rollback = reasonOf(records, "rollback");
    if (rollback) return { decision: "rollback", counted: false, records, counters: next, reason: rollback };
    const halt = reasonOf(records, "halt");
    if (halt) return { decision: "halt", counted: false, records, counters: next, reason: halt };
    if (!enoughTraffic && ctx.holdOnLowTraffic !== false)
        return { decision: "inconclusive", counted: false, records, counters: next, reason: null };
    return { decision: "continue", counted: true, records, counters: next, reason: null };
}

/**
 * A window whose query failed on every attempt: not a bad metric, but no evidence either. The
 * interval is not counted; `maxQueryFailures` such intervals in a row roll back (flying blind).
 */
export function analyseQueryFailure(
    error: string,
    attempts: number,
    counters: AnalysisCounters,
    ctx: IntervalContext,
    t: AnalysisThresholds,
): IntervalVerdict {
    const next = { ...counters, queryFailureStreak: counters.queryFailureStreak + 1 };
    const fatal = next.queryFailureStreak >= t.maxQueryFailures;
    const rec = record(ctx, "query", fatal ? "rollback" : "inconclusive", next.queryFailureStreak, null, t.maxQueryFailures,
        `metrics query failed after ${attempts} attempt(s): ${error}; ${next.queryFailureStreak} failed interval(s) in a row` +
            (fatal ? ", flying blind" : ` of ${t.maxQueryFailures} allowed`));
    return {
        decision: fatal ? "rollback" : "inconclusive",
        counted: false,
        records: [rec],
        counters: next,
        reason: fatal ? `query: ${rec.detail}` : null,
    };
}

/** Candidate totals over the validation window. */
export interface ValidationTotals {
    requests: number;
    errors5xx: number;
    /** Σ p95 × requests over intervals with a p95, for a request-weighted p95 (an approximation: percentiles do not add). */
    p95WeightedSum: number;
    p95Requests: number;
    alarmsSeen: string[];
}

export function zeroTotals(): ValidationTotals {
    return { requests: 0, errors5xx: 0, p95WeightedSum: 0, p95Requests: 0, alarmsSeen: [] };
}

export function addToTotals(totals: ValidationTotals, sample: MetricsSample): ValidationTotals {
    const c = sample.candidate;
    const withP95 = c.p95Ms !== null && c.requests > 0;
    return {
        requests: totals.requests + c.requests,
        errors5xx: totals.errors5xx + c.errors5xx,
        p95WeightedSum: totals.p95WeightedSum + (withP95 ? c.p95Ms! * c.requests : 0),
        p95Requests: totals.p95Requests + (withP95 ? c.requests : 0),
        alarmsSeen: [...new Set([...totals.alarmsSeen, ...sample.alarms])],
    };
}

/**
 * The guide's deployment-health ranges over the whole validation window, against the pre-shift
 * baseline: error rate ≤ 2 × baseline (with the same floor as the error rule), p95 ≤ baseline
 * + 25%, success rate ≥ 99.5%, no alarm. Any "halt" record means: do not finalise, ask a human.
 */
export function judgeValidation(
    totals: ValidationTotals,
    baseline: ColourMetrics | null,
    ranges: ValidationRanges,
    errorRateFloor: number,
    ctx: IntervalContext,
): { ok: boolean; records: AnalysisRecord[]; reason: string | null } {
    const records: AnalysisRecord[] = [];
    const rate = totals.requests > 0 ? totals.errors5xx / totals.requests : 0;
    const baseRate = baseline ? errorRate(baseline) : 0;
    const rateMax = ranges.errorRateMultiplier * Math.max(baseRate, errorRateFloor);
    records.push(
        record(
            ctx,
            "validation.errorRate",
            rate <= rateMax ? "ok" : "halt",
            rate,
            baseline ? baseRate : null,
            rateMax,
            `validation 5xx rate ${pct(rate)} (${totals.errors5xx}/${totals.requests}) vs ${ranges.errorRateMultiplier} × max(baseline ` +
            `${pct(baseRate)}, floor ${pct(errorRateFloor)}) = ${pct(rateMax)}`,
        ),
    );

    const p95 = totals.p95Requests > 0 ? totals.p95WeightedSum / totals.p95Requests : null;
    const baseP95 = baseline?.p95Ms ?? null;
    if (p95 === null || baseP95 === null) {
        records.push(record(ctx, "validation.p95", "ok", p95, baseP95, null, "no baseline p95 or no candidate p95; range not applied"));
    } else {
        const p95Max = baseP95 * (1 + ranges.p95IncreasePercent / 100);
        records.push(record(ctx, "validation.p95", p95 <= p95Max ? "ok" : "halt", p95, baseP95, p95Max,
            `validation p95 ${ms(p95)} vs baseline ${ms(baseP95)} + ${ranges.p95IncreasePercent}% = ${ms(p95Max)}`));
    }

    const success = 1 - rate;
    records.push(
        record(
            ctx,
            "validation.successRate",
            success >= ranges.minSuccessRate ? "ok" : "halt",
            success,
            null,
            ranges.minSuccessRate,
            `validation success rate ${pct(success)} vs minimum ${pct(ranges.minSuccessRate)}`,
        ),
    );

    records.push(
        record(
            ctx,
            "validation.alarms",
            totals.alarmsSeen.length === 0 ? "ok" : "halt",
            totals.alarmsSeen.length,
            null,
            0,
            totals.alarmsSeen.length === 0
                ? "no critical alarm during validation"
                : `alarms during validation: ${totals.alarmsSeen.join(", ")}`,
        ),
    );

    const reason = reasonOf(records, "halt");
    return { ok: reason === null, records, reason };
}

/** One line per record, e.g. for a CLI: `+600s step 2 (30%) errors ROLLBACK candidate=… live=… threshold=… — detail`. */
export function formatRecord(r: AnalysisRecord, originMs = 0): string {
    const offset = Math.round((r.atMs - originMs) / 1000);
    // Before the first shift (the baseline) the offset is negative: `-45s`, never `+-45s`.
    const at = `${offset < 0 ? "-" : "+"}${Math.abs(offset)}s`;
    const v = (x: number | null) => (x === null ? "-" : Number.isInteger(x) ? String(x) : x.toPrecision(4));
    return `${at.padStart(7)} ${r.phase.padEnd(14)} ${r.rule.padEnd(22)} ${r.verdict.toUpperCase().padEnd(12)} ` +
        `candidate=${v(r.candidate)} reference=${v(r.reference)} threshold=${v(r.threshold)} — ${r.detail}`;
}
