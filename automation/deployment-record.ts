/**
 * The deployment record's data: what `deployments/<stack>/<id>.json` holds. `record.ts` builds,
 * renders and writes it and `chart.ts` draws it; both import these types from here (re-exported by
 * `record.ts`), so neither has to import the other for them.
 */
import type { AnalysisRecord } from "./analysis";
import type { CalendarRefusal } from "./calendar";
import type { ChangeRequest } from "./change-request";
import type { Colour, MetricsSample, ServiceImages } from "./model";

export type RecordOutcome =
    "promoted" | "rolled_back" | "halted" | "refused" | "error" | "unlocked" | "scaled_down" | "interrupted" | "abandoned";

/** The record outcome of an engine outcome: a rollout aborted before any change is an error (exit 1). Pure. */
export const recordOutcomeOf = (o: "promoted" | "rolled_back" | "halted" | "aborted"): RecordOutcome => (o === "aborted" ? "error" : o);

/** A side-effect step outside the engine (snapshot, deploy, migrations, smoke tests…). */
export interface StepRecord {
    name: string;
    atMs: number;
    ok: boolean;
    detail: string;
    lines?: string[];
}

export interface PhaseRecord {
    label: string;
    status: string;
    startedAtMs: number;
    weight: number;
    /** Formatted analysis lines (candidate vs reference, threshold, verdict). */
    analysis: string[];
    decisions: string[];
}

export interface SampleRecord {
    startMs: number;
    endMs: number;
    live: Colour;
    candidate: Colour;
    sample: MetricsSample;
}

export interface DeploymentRecord {
    rolloutId: string;
    stack: string;
    environment: string;
    command: "rollout" | "resume" | "rollback" | "unlock" | "cleanup";
    strategy: string;
    release: { id: string; images: ServiceImages };
    /** Lease owner: who ran it (CI job, user@host). */
    ranBy: string;
    startedAtMs: number;
    finishedAtMs: number | null;
    preflight: { localTime: string; refusals: string[] } | null;
    changeRequest: ChangeRequest | null;
    emergency: { reason: string; overridden: CalendarRefusal[] } | null;
    steps: StepRecord[];
    phases: PhaseRecord[];
    samples: SampleRecord[];
    /** The candidate's weight as set and read back, in order (the chart's step line). */
    weights: { atMs: number; weight: number }[];
    /** Every analysis record, structured (the chart draws the thresholds applied from these). */
    analysis: AnalysisRecord[];
    /** The engine's decisions with the rules that decided them. */
    decisions: DecisionRecord[];
    outcome: RecordOutcome | null;
    reason: string | null;
}

export interface DecisionRecord {
    atMs: number;
    outcome: "promoted" | "rolling_back" | "rolled_back" | "halted" | "aborted";
    /** Rules whose records decided it (`errors`, `latency`…); empty for a promotion. */
    rules: string[];
    reason: string | null;
}
