/**
 * Seeded random traces for the fuzz test and the benchmark. Deterministic per seed, so a failing
 * fuzz case can be replayed exactly.
 */
import type { ColourMetrics, MetricsSample } from "../../automation/ports";
import type { AnalysisThresholds } from "../../config/rollout-settings";
import type { Trace, TraceSample } from "../../automation/sim/trace";

/** mulberry32: a small, fast, well-distributed 32-bit PRNG. Returns floats in [0, 1). */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export type Rng = () => number;
export const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
export const intBetween = (rng: Rng, lo: number, hi: number) => Math.floor(between(rng, lo, hi + 1));

/** Traffic profile of one trace: a live colour and a candidate that behaves like it. */
export interface Profile {
    liveRequests: number;
    liveErrorRate: number;
    liveP95: number;
    candidateRequests: number;
}

export function randomProfile(rng: Rng): Profile {
    return {
        liveRequests: intBetween(rng, 2000, 20000),
        liveErrorRate: between(rng, 0, 0.004),
        liveP95: intBetween(rng, 120, 400),
        candidateRequests: intBetween(rng, 200, 5000),
    };
}

/** A healthy interval: the candidate as good as live, give or take noise that no rule should catch. */
export function healthySample(rng: Rng, p: Profile): MetricsSample {
    const live: ColourMetrics = { requests: p.liveRequests, errors5xx: Math.round(p.liveRequests * p.liveErrorRate), p95Ms: p.liveP95 };
    const candErrors = Math.min(Math.round(p.candidateRequests * p.liveErrorRate * between(rng, 0, 1.5)), 4);
    return {
        live,
        candidate: { requests: p.candidateRequests, errors5xx: candErrors, p95Ms: Math.round(p.liveP95 * between(rng, 0.85, 1.15)) },
        unhealthyTargets: 0,
        alarms: [],
    };
}

export type BreachKind = "errors" | "latency" | "health" | "alarms" | "query";

/** An interval that breaches `kind` clearly (a factor 1.5–4 beyond its threshold). */
export function breachingSample(kind: BreachKind, rng: Rng, p: Profile, t: AnalysisThresholds): TraceSample {
    const s = healthySample(rng, p);
    switch (kind) {
        case "errors": {
            const threshold = t.errorRateMultiplier * Math.max(p.liveErrorRate, t.errorRateFloor);
            const rate = Math.min(1, threshold * between(rng, 1.5, 4));
            const errors = Math.max(t.minErrors, Math.ceil(p.candidateRequests * rate));
            return { ...s, candidate: { ...s.candidate, errors5xx: Math.min(errors, p.candidateRequests) } };
        }
        case "latency":
            return { ...s, candidate: { ...s.candidate, p95Ms: Math.round(p.liveP95 * between(rng, 1.6, 3)) } };
        case "health":
            return { ...s, unhealthyTargets: intBetween(rng, 1, 3) };
        case "alarms":
            return { ...s, alarms: ["tms-prod-critical"] };
        case "query":
            return { queryError: "ThrottlingException: Rate exceeded" };
    }
}

/** Healthy until `breachAt`, breaching `kind` from there to the end. */
export function breachTrace(kind: BreachKind, breachAt: number, length: number, rng: Rng, t: AnalysisThresholds): Trace {
    const p = randomProfile(rng);
    const samples = Array.from({ length }, (_, i) => (i < breachAt ? healthySample(rng, p) : breachingSample(kind, rng, p, t)));
    return { intervalSeconds: 60, samples };
}

/**
 * A trace of random mixed intervals, for invariant checks. Each trace has a temperament so that
 * every outcome occurs: clean (rare trouble), mixed, quiet (mostly low traffic) or hostile.
 */
export function randomTrace(rng: Rng, t: AnalysisThresholds): Trace {
    const p = randomProfile(rng);
    const length = intBetween(rng, 5, 70);
    const mode = rng();
    // Probability of trouble per interval, and the share of it that is low traffic.
    const [trouble, quiet] = mode < 0.35 ? [0.02, 0.3] : mode < 0.6 ? [0.15, 0.3] : mode < 0.8 ? [0.7, 0.9] : [0.4, 0.1];
    const samples: TraceSample[] = [];
    for (let i = 0; i < length; i++) {
        if (rng() >= trouble) {
            samples.push(healthySample(rng, p));
            continue;
        }
        if (rng() < quiet) {
            samples.push({
                ...healthySample(rng, p),
                candidate: { requests: intBetween(rng, 0, t.minRequests - 1), errors5xx: 0, p95Ms: p.liveP95 },
            });
            continue;
        }
        const x = rng();
        const kind: BreachKind = x < 0.3 ? "latency" : x < 0.55 ? "health" : x < 0.8 ? "query" : x < 0.95 ? "errors" : "alarms";
        samples.push(breachingSample(kind, rng, p, t));
    }
    return { intervalSeconds: 60, samples };
}
