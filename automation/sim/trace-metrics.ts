/**
 * A metrics port that answers from a trace. Windows are placed relative to the first traffic
 * shift (`originMs()`): a window ending at or before it gets the baseline, the window ending
 * at origin + (i + 1) × interval gets sample i.
 */
import type { ColourMetrics, MetricsPort, MetricsSample, MetricsWindow } from "../ports";
import { isQueryError, type Trace } from "./trace";

export class TraceExhaustedError extends Error {}

export class TraceMetrics implements MetricsPort {
    readonly queries: MetricsWindow[] = [];

    constructor(
        private readonly trace: Trace,
        private readonly originMs: () => number | null,
    ) {}

    baseline(): ColourMetrics {
        if (this.trace.baseline) return this.trace.baseline;
        const first = this.trace.samples.find((s) => !isQueryError(s));
        return first && !isQueryError(first) ? first.live : { requests: 0, errors5xx: 0, p95Ms: null };
    }

    async query(window: MetricsWindow): Promise<MetricsSample> {
        this.queries.push(window);
        const origin = this.originMs();
        if (origin === null || window.endMs <= origin) return this.beforeShift();
        return this.sampleAt(Math.round((window.endMs - origin) / (this.trace.intervalSeconds * 1000)) - 1);
    }

    /** What the live colour alone reads before the first shift. */
    beforeShift(): MetricsSample {
        return { live: this.baseline(), candidate: { requests: 0, errors5xx: 0, p95Ms: null }, unhealthyTargets: 0, alarms: [] };
    }

    /** Sample `index` (a negative index reads sample 0); a `queryError` sample throws it, as a failed query does. */
    sampleAt(index: number): MetricsSample {
        const sample = this.trace.samples[Math.max(0, index)];
        if (!sample) throw new TraceExhaustedError(`trace has no sample ${index}`);
        if (isQueryError(sample)) throw new Error(sample.queryError);
        return sample;
    }
}
