/**
 * The persisted progress of one rollout. Saved after every step so that a killed process resumes
 * with the remaining bake time (or finishes a rollback it had started) instead of starting over.
 * Plain JSON: the file store writes it as is, the DynamoDB store will write it as one item.
 */
import type { AnalysisCounters, AnalysisRecord, ValidationTotals } from "./analysis";
import type { DeploymentRecord } from "./deployment-record";
import type { Colour, ColourMetrics, Release, ServiceImages } from "./model";
import type { RolloutSettings } from "../config/rollout-settings";
import type { Strategy } from "../config/vocabulary";

export const STATE_VERSION = 2;

/**
 * In-flight statuses, in order: snapshotting (staging, prod) → deploying → migrating →
 * waiting_healthy → smoke_testing → shifting (one per step) → validating → finalising → promoted
 * (rolling: snapshotting → baseline and deploying → migrating → validating → promoted). Any of them
 * may go to rolling_back → rolled_back. halted waits for a human (resume or rollback); aborted ended
 * before anything changed (the snapshot failed).
 */
export type RolloutStatus =
    | "snapshotting"
    | "deploying"
    | "migrating"
    | "waiting_healthy"
    | "smoke_testing"
    | "shifting"
    | "validating"
    | "finalising"
    | "rolling_back"
    | "promoted"
    | "rolled_back"
    | "halted"
    | "aborted";

export type Outcome = "promoted" | "rolled_back" | "halted" | "aborted";

export const TERMINAL: readonly RolloutStatus[] = ["promoted", "rolled_back", "aborted"];

/** Why and how a rollback happened. */
export interface RollbackRecord {
    reason: string;
    /** When it was decided. */
    atMs: number;
    /** The analysis records that decided it (metric values and thresholds). */
    records: AnalysisRecord[];
    /** The weight read back after the weight-0 update; null if it could not be read. */
    weightReadBack: number | null;
    verified: boolean;
}

export interface TimelineEntry {
    atMs: number;
    weight: number;
}

export interface RolloutState {
    version: number;
    stack: string;
    rolloutId: string;
    strategy: Strategy;
    settings: RolloutSettings;
    release: Release;
    live: Colour;
    candidate: Colour;
    /** Images the live colour ran before (rolling rolls back to them). */
    previousImages: ServiceImages;
    status: RolloutStatus;
    /** For halted: the status to go back to on resume. */
    haltedFrom: RolloutStatus | null;
    startedAtMs: number;
    updatedAtMs: number;
    /** Index into settings.steps while shifting. */
    stepIndex: number;
    /** Target weight of the current step; `weightApplied` once the update succeeded and was read back. */
    targetWeight: number;
    weightApplied: boolean;
    /** The weight last verified on the listener. */
    weight: number;
    phaseStartedAtMs: number;
    /** Counted (conclusive) seconds analysed in the current phase; remaining bake = bake − this. */
    analysedSeconds: number;
    /** Start of the next analysis window. */
    cursorMs: number;
    firstShiftAtMs: number | null;
    baseline: ColourMetrics | null;
    counters: AnalysisCounters;
    validationTotals: ValidationTotals;
    /** Every analysis record, oldest first (capped at MAX_DECISIONS, oldest dropped). */
    decisions: AnalysisRecord[];
    timeline: TimelineEntry[];
    outcome: Outcome | null;
    reason: string | null;
    decidedAtMs: number | null;
    rollback: RollbackRecord | null;
    /** After promotion: the old colour scales to 0 once the rollback window has passed. */
    pendingScaleDown: { colour: Colour; notBeforeMs: number } | null;
    /** The pre-deployment snapshot: named for `atMs` (persisted before it is asked for), `id` once available. */
    snapshot?: { atMs: number; id: string | null } | null;
    /**
     * The deployment record as far as it goes (change request, approvals, preflight, steps, samples…),
     * saved with every step so that a killed rollout's record is complete after the resume.
     */
    record?: DeploymentRecord | null;
}

export const MAX_DECISIONS = 2000;

/** True when a rollout is still someone's business (running, or halted awaiting a human). */
export function isInFlight(s: RolloutState | undefined): boolean {
    return s !== undefined && !TERMINAL.includes(s.status);
}
