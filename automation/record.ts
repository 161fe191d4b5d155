/**
 * The deployment record: for every rollout a JSON file (everything, for tools), a Markdown summary
 * (for people and change logs; guide, "Change Record": "Results of change recorded
 * post-implementation") and an SVG chart of error rate and p95 per colour across the phases.
 * Built from the engine's events and a recording wrapper around the metrics port; rendering is
 * pure, writing is one small function.
 */
import * as fs from "fs";
import * as path from "path";
import { renderChart } from "./chart";
import type { DeploymentRecord, PhaseRecord, RecordOutcome, StepRecord } from "./deployment-record";
import type { RolloutEvent } from "./engine";
import type { MetricsPort, MetricsWindow } from "./ports";

export type { DecisionRecord, DeploymentRecord, PhaseRecord, RecordOutcome, SampleRecord, StepRecord } from "./deployment-record";
export { recordOutcomeOf } from "./deployment-record";

/**
 * Collects a record as a rollout runs. The engine saves the record with its state (`RolloutState.record`
 * is this builder's `record`), and the engine itself appends the samples it judged; a resume continues the
 * saved record with {@link RecordBuilder.continue}.
 */
export class RecordBuilder {
    readonly record: DeploymentRecord;

    constructor(
        init:
            | Omit<
                  DeploymentRecord,
                  "steps" | "phases" | "samples" | "weights" | "analysis" | "decisions" | "outcome" | "reason" | "finishedAtMs"
              >
            | { existing: DeploymentRecord },
    ) {
        this.record =
            "existing" in init
                ? init.existing
                : {
                      ...init,
                      steps: [],
                      phases: [],
                      samples: [],
                      weights: [],
                      analysis: [],
                      decisions: [],
                      outcome: null,
                      reason: null,
                      finishedAtMs: null,
                  };
    }

    /** Go on with a record saved by an earlier run of the same rollout (the same object: the engine saves it). */
    static continue(record: DeploymentRecord): RecordBuilder {
        record.outcome = null;
        record.reason = null;
        record.finishedAtMs = null;
        return new RecordBuilder({ existing: record });
    }

    step(s: StepRecord): void {
        this.record.steps.push(s);
    }

    private current(atMs: number): PhaseRecord {
        if (!this.record.phases.length)
            this.record.phases.push({ label: "start", status: "start", startedAtMs: atMs, weight: 0, analysis: [], decisions: [] });
        return this.record.phases[this.record.phases.length - 1];
    }

    /** Feed every engine event here. */
    onEvent(e: RolloutEvent): void {
        switch (e.type) {
            case "phase":
                this.record.phases.push({
                    label: e.label,
                    status: e.status,
                    startedAtMs: e.atMs,
                    weight: e.weight,
                    analysis: [],
                    decisions: [],
                });
                break;
            case "analysis":
                this.current(e.atMs).analysis.push(e.line);
                this.record.analysis.push(e.record);
                break;
            case "decision": {
                this.current(e.atMs).decisions.push(`${e.outcome}${e.reason ? `: ${e.reason}` : ""}`);
                // The rules that decided: the records of this moment with a deciding verdict, else the reason's prefix (`errors: …`).
                const deciding = this.record.analysis
                    .filter((r) => r.atMs === e.atMs && (r.verdict === "rollback" || r.verdict === "halt"))
                    .map((r) => r.rule);
                const prefix = e.reason ? /^([a-z][a-z.-]*):/.exec(e.reason)?.[1] : undefined;
                const rules = e.outcome === "promoted" ? [] : [...new Set(deciding.length ? deciding : prefix ? [prefix] : [])];
                this.record.decisions.push({ atMs: e.atMs, outcome: e.outcome, rules, reason: e.reason });
                break;
            }
            case "step":
                this.record.steps.push(e.step);
                break;
            case "weight":
                this.current(e.atMs).decisions.push(`weight now ${e.weight}%`);
                this.record.weights.push({ atMs: e.atMs, weight: e.weight });
                break;
            default:
                break;
        }
    }

    /** Wrap a metrics port so every sample the engine judged is kept for the chart. */
    recordingMetrics(inner: MetricsPort): MetricsPort {
        return {
            query: async (w: MetricsWindow) => {
                const sample = await inner.query(w);
                this.record.samples.push({ ...w, sample });
                return sample;
            },
        };
    }

    finish(outcome: RecordOutcome, reason: string | null, atMs: number): DeploymentRecord {
        this.record.outcome = outcome;
        this.record.reason = reason;
        this.record.finishedAtMs = atMs;
        return this.record;
    }
}

const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());

export function renderMarkdown(r: DeploymentRecord): string {
    const out: string[] = [];
    out.push(`# Deployment ${r.rolloutId}`, "");
    out.push(`- **Outcome:** ${r.outcome ?? "unfinished"}${r.reason ? ` — ${r.reason}` : ""}`);
    out.push(`- **Stack:** ${r.stack} (${r.environment}), ${r.strategy}, command \`${r.command}\``);
    out.push(`- **Release:** ${r.release.id}`);
    out.push(`- **Run by:** ${r.ranBy}`);
    out.push(
        `- **Started:** ${iso(r.startedAtMs)}${r.preflight ? ` (${r.preflight.localTime})` : ""}; **finished:** ${iso(r.finishedAtMs)}`,
    );
    if (r.changeRequest) {
        const cr = r.changeRequest;
        out.push(`- **Change request:** ${cr.id}, risk ${cr.risk}; rollback plan: ${cr.rollbackPlan}`);
        out.push(`- **Approvals:** ${cr.approvals.map((a) => `${a.role} (${a.by})`).join(", ")}`);
    } else out.push("- **Change request:** none");
    if (r.emergency) {
        out.push(`- **EMERGENCY override:** ${r.emergency.reason}`);
        for (const o of r.emergency.overridden) out.push(`  - overrode ${o.message}`);
    }
    out.push("", "## Images", "", "| service | image |", "| --- | --- |");
    for (const [svc, image] of Object.entries(r.release.images)) out.push(`| ${svc} | \`${image}\` |`);
    if (r.preflight?.refusals.length) {
        out.push("", "## Preflight refusals", "");
        for (const l of r.preflight.refusals) out.push(`- ${l}`);
    }
    out.push("", "## Steps", "");
    for (const s of r.steps) {
        out.push(`- ${iso(s.atMs)} **${s.name}**: ${s.ok ? "ok" : "FAILED"} — ${s.detail}`);
        for (const l of s.lines ?? []) out.push(`  - ${l}`);
    }
    out.push("", "## Phases", "");
    for (const p of r.phases) {
        out.push(`### ${p.label} (${p.weight}%, from ${iso(p.startedAtMs)})`, "");
        for (const d of p.decisions) out.push(`- ${d}`);
        if (p.analysis.length) out.push("", "```", ...p.analysis, "```");
        out.push("");
    }
    if (r.samples.length) out.push("## Chart", "", `![error rate and p95 per colour](${r.rolloutId}.svg)`, "");
    return out.join("\n");
}

/** The record's SVG chart (automation/chart.ts). */
export const renderSvg = (r: DeploymentRecord): string => renderChart(r);

/** Write `<dir>/<rollout-id>.{json,md}` and, when traffic was measured, `.svg`; returns the paths written. */
export function writeRecord(dir: string, r: DeploymentRecord): { json: string; md: string; svg?: string } {
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, r.rolloutId.replace(/[^A-Za-z0-9._-]+/g, "-"));
    const files: { json: string; md: string; svg?: string } = { json: `${base}.json`, md: `${base}.md` };
    fs.writeFileSync(files.json, JSON.stringify(r, null, 2) + "\n");
    fs.writeFileSync(files.md, renderMarkdown(r));
    if (r.samples.length) {
        files.svg = `${base}.svg`;
        fs.writeFileSync(files.svg, renderSvg(r));
    }
    return files;
}
