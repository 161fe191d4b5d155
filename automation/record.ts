/**
 * The deployment record: for every rollout a JSON file (everything, for tools), a Markdown summary
 * (for people and change logs; guide, "Change Record": "Results of change recorded
 * post-implementation") and an SVG chart of error rate and p95 per colour across the phases.
 * Built from the engine's events and a recording wrapper around the metrics port; rendering is
 * pure, writing is one small function.
 */
import * as fs from "fs";
import * as path from "path";
import type { RolloutEvent } from "./engine";
import type { ChangeRequest } from "./change-request";
import type { Colour, MetricsPort, MetricsSample, MetricsWindow, ServiceImages } from "./ports";
import type { CalendarRefusal } from "./calendar";

export type RecordOutcome = "promoted" | "rolled_back" | "halted" | "refused" | "error" | "unlocked" | "scaled_down";

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
    outcome: RecordOutcome | null;
    reason: string | null;
}

/** Collects a record as a rollout runs. */
export class RecordBuilder {
    readonly record: DeploymentRecord;

    constructor(init: Omit<DeploymentRecord, "steps" | "phases" | "samples" | "outcome" | "reason" | "finishedAtMs">) {
        this.record = { ...init, steps: [], phases: [], samples: [], outcome: null, reason: null, finishedAtMs: null };
    }

    step(s: StepRecord): void {
        this.record.steps.push(s);
    }

    private current(atMs: number): PhaseRecord {
        if (!this.record.phases.length) this.record.phases.push({ label: "start", status: "start", startedAtMs: atMs, weight: 0, analysis: [], decisions: [] });
        return this.record.phases[this.record.phases.length - 1];
    }

    /** Feed every engine event here. */
    onEvent(e: RolloutEvent): void {
        switch (e.type) {
            case "phase":
                this.record.phases.push({ label: e.label, status: e.status, startedAtMs: e.atMs, weight: e.weight, analysis: [], decisions: [] });
                break;
            case "analysis":
                this.current(e.atMs).analysis.push(e.line);
                break;
            case "decision":
                this.current(e.atMs).decisions.push(`${e.outcome}${e.reason ? `: ${e.reason}` : ""}`);
                break;
            case "weight":
                this.current(e.atMs).decisions.push(`weight now ${e.weight}%`);
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
    out.push(`- **Started:** ${iso(r.startedAtMs)}${r.preflight ? ` (${r.preflight.localTime})` : ""}; **finished:** ${iso(r.finishedAtMs)}`);
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

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const TRAFFIC_PHASES = ["shifting", "validating", "rolling_back"];
const COLOUR_STROKE: Record<Colour, string> = { blue: "#1f6feb", green: "#2da44e" };

/**
 * Two panels (5xx rate %, p95 ms) against minutes since the start; one line per colour, dashed
 * vertical lines where phases begin. Hand-written SVG: the record must not need a plotting library.
 */
export function renderSvg(r: DeploymentRecord): string {
    const W = 800, panelH = 180, left = 60, right = 20, top = 30, gap = 50;
    const plotW = W - left - right;
    const H = top + 2 * panelH + gap + 40;
    const t0 = r.startedAtMs;
    const tEnd = Math.max(t0 + 60_000, r.finishedAtMs ?? 0, ...r.samples.map((s) => s.endMs));
    const x = (ms: number) => left + ((ms - t0) / (tEnd - t0)) * plotW;
    type Point = { t: number; v: number };
    const series = (metric: "rate" | "p95") => {
        const byColour: Record<Colour, Point[]> = { blue: [], green: [] };
        for (const s of r.samples) {
            for (const role of ["live", "candidate"] as const) {
                const m = s.sample[role];
                const v = metric === "rate" ? (m.requests > 0 ? (m.errors5xx / m.requests) * 100 : null) : m.p95Ms;
                if (v === null) continue;
                const colour = s[role];
                // Rolling: live and candidate are one colour; keep one point per window.
                if (role === "candidate" && s.live === s.candidate) continue;
                byColour[colour].push({ t: s.endMs, v });
            }
        }
        return byColour;
    };
    const parts: string[] = [];
    parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
    parts.push(`<title>${esc(`${r.rolloutId}: ${r.outcome ?? "unfinished"}`)}</title>`);
    parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
    parts.push(`<text x="${left}" y="18" font-size="13">${esc(`${r.stack} ${r.release.id} — ${r.outcome ?? "unfinished"}`)}</text>`);
    const panels: { title: string; unit: string; data: Record<Colour, Point[]> }[] = [
        { title: "5xx error rate", unit: "%", data: series("rate") },
        { title: "p95 latency", unit: "ms", data: series("p95") },
    ];
    panels.forEach((p, i) => {
        const y0 = top + i * (panelH + gap);
        const all = [...p.data.blue, ...p.data.green].map((d) => d.v);
        const max = Math.max(p.unit === "%" ? 1 : 100, ...all) * 1.1;
        const y = (v: number) => y0 + panelH - (v / max) * panelH;
        parts.push(`<g class="panel" data-metric="${p.unit === "%" ? "error-rate" : "p95"}">`);
        parts.push(`<rect x="${left}" y="${y0}" width="${plotW}" height="${panelH}" fill="none" stroke="#999"/>`);
        parts.push(`<text x="${left}" y="${y0 - 6}">${esc(`${p.title} (${p.unit})`)}</text>`);
        for (const f of [0, 0.5, 1]) {
            parts.push(`<text x="${left - 6}" y="${(y(max * f / 1.1) + 4).toFixed(1)}" text-anchor="end">${(max * f / 1.1).toFixed(p.unit === "%" ? 2 : 0)}</text>`);
        }
        // Only traffic phases get a boundary (deploy and health waits carry no traffic); labels are
        // staggered over three rows so that phases starting close together stay readable.
        r.phases.filter((ph) => TRAFFIC_PHASES.includes(ph.status) && ph.startedAtMs >= t0 && ph.startedAtMs <= tEnd).forEach((ph, k) => {
            const px = x(ph.startedAtMs).toFixed(1);
            parts.push(`<line x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + panelH}" stroke="#bbb" stroke-dasharray="4 3"/>`);
            if (i === 0) parts.push(`<text x="${(Number(px) + 3).toFixed(1)}" y="${y0 + 12 + (k % 3) * 12}" fill="#555">${esc(ph.label)}</text>`);
        });
        for (const c of ["blue", "green"] as const) {
            const pts = p.data[c];
            if (!pts.length) continue;
            const d = pts.map((pt) => `${x(pt.t).toFixed(1)},${y(pt.v).toFixed(1)}`).join(" ");
            parts.push(`<polyline class="series" data-colour="${c}" fill="none" stroke="${COLOUR_STROKE[c]}" stroke-width="2" points="${d}"/>`);
        }
        parts.push(`</g>`);
    });
    const axisY = top + 2 * panelH + gap + 15;
    const minutes = Math.round((tEnd - t0) / 60_000);
    parts.push(`<text x="${left}" y="${axisY}">0 min</text><text x="${left + plotW}" y="${axisY}" text-anchor="end">${minutes} min</text>`);
    parts.push(`<text x="${left + plotW / 2}" y="${axisY + 15}" text-anchor="middle">` +
        `<tspan fill="${COLOUR_STROKE.blue}">■ blue</tspan> <tspan fill="${COLOUR_STROKE.green}">■ green</tspan> (live ${esc(r.samples[0]?.live ?? "-")})</text>`);
    parts.push(`</svg>`);
    return parts.join("\n") + "\n";
}

/** Write `<dir>/<rollout-id>.{json,md,svg}`; returns the three paths. */
export function writeRecord(dir: string, r: DeploymentRecord): { json: string; md: string; svg: string } {
    fs.mkdirSync(dir, { recursive: true });
    const base = path.join(dir, r.rolloutId.replace(/[^A-Za-z0-9._-]+/g, "-"));
    const files = { json: `${base}.json`, md: `${base}.md`, svg: `${base}.svg` };
    fs.writeFileSync(files.json, JSON.stringify(r, null, 2) + "\n");
    fs.writeFileSync(files.md, renderMarkdown(r));
    fs.writeFileSync(files.svg, renderSvg(r));
    return files;
}
