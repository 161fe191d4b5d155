/**
 * Metrics traces for replay (`npm run rollout:simulate`). Sample `i` is what the metrics port
 * returns for the interval ending at (i + 1) × intervalSeconds after the first traffic shift.
 *
 *   {"intervalSeconds": 60,
 *    "baseline": {"requests": 50000, "errors5xx": 20, "p95Ms": 210},      optional
 *    "settings": {"analysis": {"minRequests": 100}},                       optional tms:rollout overrides
 *    "samples": [
 *      {"live": {"requests": 5000, "errors5xx": 3, "p95Ms": 210},
 *       "candidate": {"requests": 560, "errors5xx": 0, "p95Ms": 205},
 *       "unhealthyTargets": 0, "alarms": []},
 *      {"queryError": "ThrottlingException: Rate exceeded"}]}
 *
 * `baseline` is the live colour's metrics before the first shift; without it the first successful
 * sample's live metrics stand in. Parsing is strict: every problem names the sample and field.
 */
import type { ColourMetrics, MetricsSample } from "../ports";

export type TraceSample = MetricsSample | { queryError: string };

export interface Trace {
    intervalSeconds: number;
    samples: TraceSample[];
    baseline?: ColourMetrics;
    /** Rollout setting overrides, as under `tms:rollout`. */
    settings?: Record<string, unknown>;
}

export class TraceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TraceError";
    }
}

export function isQueryError(s: TraceSample): s is { queryError: string } {
    return (s as { queryError?: string }).queryError !== undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parse and validate; `name` prefixes every message (e.g. the file path). */
export function parseTrace(text: string, name: string): Trace {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new TraceError(`${name}: not valid JSON: ${(e as Error).message}`);
    }
    return validateTrace(raw, name);
}

export function validateTrace(raw: unknown, name: string): Trace {
    const fail = (path: string, msg: string): never => {
        throw new TraceError(`${name}: ${path}: ${msg}`);
    };
    if (!isObj(raw)) return fail("(root)", "expected an object with intervalSeconds and samples");
    for (const k of Object.keys(raw)) {
        if (!["intervalSeconds", "samples", "baseline", "settings"].includes(k))
            fail(k, "unknown field (expected intervalSeconds, samples, baseline, settings)");
    }
    const interval = raw.intervalSeconds ?? 60;
    if (typeof interval !== "number" || !Number.isInteger(interval) || interval <= 0)
        fail("intervalSeconds", "expected a positive integer");
    if (!Array.isArray(raw.samples)) return fail("samples", "expected a list");
    if (raw.settings !== undefined && !isObj(raw.settings)) fail("settings", "expected an object of rollout setting overrides");

    const samples = raw.samples.map((s: unknown, i: number): TraceSample => {
        const at = `samples[${i}]`;
        if (!isObj(s)) return fail(at, "expected an object");
        if ("queryError" in s) {
            if (typeof s.queryError !== "string" || s.queryError === "") fail(`${at}.queryError`, "expected a non-empty string");
            if (Object.keys(s).length > 1) fail(at, "a sample with queryError has no other fields");
            return { queryError: s.queryError as string };
        }
        for (const k of Object.keys(s)) {
            if (!["live", "candidate", "unhealthyTargets", "alarms"].includes(k))
                fail(`${at}.${k}`, "unknown field (expected live, candidate, unhealthyTargets, alarms or queryError)");
        }
        const unhealthy = s.unhealthyTargets ?? 0;
        if (typeof unhealthy !== "number" || !Number.isInteger(unhealthy) || unhealthy < 0)
            fail(`${at}.unhealthyTargets`, "expected a non-negative integer");
        const alarms = s.alarms ?? [];
        if (!Array.isArray(alarms) || alarms.some((a) => typeof a !== "string")) fail(`${at}.alarms`, "expected a list of alarm names");
        return {
            live: colourMetrics(s.live, `${at}.live`, fail),
            candidate: colourMetrics(s.candidate, `${at}.candidate`, fail),
            unhealthyTargets: unhealthy as number,
            alarms: alarms as string[],
        };
    });
    const trace: Trace = { intervalSeconds: interval as number, samples };
    if (raw.baseline !== undefined) trace.baseline = colourMetrics(raw.baseline, "baseline", fail);
    if (raw.settings !== undefined) trace.settings = raw.settings as Record<string, unknown>;
    return trace;
}

function colourMetrics(v: unknown, path: string, fail: (path: string, msg: string) => never): ColourMetrics {
    if (!isObj(v)) return fail(path, "expected {requests, errors5xx, p95Ms}");
    for (const k of Object.keys(v))
        if (!["requests", "errors5xx", "p95Ms"].includes(k)) fail(`${path}.${k}`, "unknown field (expected requests, errors5xx, p95Ms)");
    const count = (k: "requests" | "errors5xx"): number => {
        const x = v[k];
        if (typeof x !== "number" || !Number.isInteger(x) || x < 0) fail(`${path}.${k}`, "expected a non-negative integer");
        return x as number;
    };
    const requests = count("requests");
    const errors5xx = count("errors5xx");
    if (errors5xx > requests) fail(`${path}.errors5xx`, `more errors (${errors5xx}) than requests (${requests})`);
    const p95 = v.p95Ms;
    if (p95 !== null && (typeof p95 !== "number" || !Number.isFinite(p95) || p95 < 0))
        fail(`${path}.p95Ms`, "expected a non-negative number");
    return { requests, errors5xx, p95Ms: p95 as number | null };
}
