/**
 * The deployment record's chart: two panels (5xx error rate, p95 latency) against minutes since the
 * first traffic shift. Per panel: one line per colour; the candidate's weight as a step line on its
 * own (right) axis; the rollback threshold the engine actually applied in each analysed window (the
 * errors rule: multiplier × max(live rate, floor); the latency rule: multiplier × live p95), drawn
 * only where it was in force; phase boundaries; the decision (promoted, rolled back, halted) marked
 * at its time with the rule that fired; minute ticks; a legend. Every label above the panels is
 * placed in lanes so that none overlaps another or the title (widths estimated generously; a test
 * measures the real ones with a renderer).
 *
 * Hand-written SVG: writing a record must not need a plotting library.
 */
import type { AnalysisRecord } from "./analysis";
import type { Colour } from "./ports";
import type { DeploymentRecord } from "./deployment-record";

const W = 900;
const LEFT = 64;
const RIGHT = 56;
const PLOT_W = W - LEFT - RIGHT;
const PANEL_H = 170;
const FONT = 11;
const LANE_H = 14;

const INK = "#24292f";
const MUTED = "#57606a";
const GRID = "#eaeef2";
const WEIGHT = "#6e7781";
const THRESHOLD = "#cf222e";
const COLOUR_STROKE: Record<Colour, string> = { blue: "#0969da", green: "#1a7f37" };
const DECISION_STROKE: Record<string, string> = { promoted: "#1a7f37", rolled_back: "#cf222e", rolling_back: "#cf222e", halted: "#bf8700" };
const TRAFFIC_PHASES = ["shifting", "validating", "rolling_back"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (n: number) => n.toFixed(1);

/** Generous width of a label in the chart's sans-serif (DejaVu Sans averages about 0.55 em). */
export function textWidth(text: string, size = FONT): number {
    return text.length * size * 0.62 + 2;
}

/** A label placed above the panels: x is where it starts, or ends when anchored at the end. */
interface Label {
    x: number;
    text: string;
    fill: string;
    anchor: "start" | "end";
    lane: number;
}

/** Greedy lanes: each label goes to the first lane where it clears the previous one by 8 px. */
function placeInLanes(items: { x: number; text: string; fill: string }[]): Label[] {
    const ends: number[] = [];
    return [...items].sort((a, b) => a.x - b.x).map((it) => {
        const w = textWidth(it.text);
        const anchor: Label["anchor"] = it.x + 3 + w > LEFT + PLOT_W ? "end" : "start";
        const from = anchor === "start" ? it.x + 3 : it.x - 3 - w;
        let lane = ends.findIndex((end) => end + 8 <= from);
        if (lane < 0) lane = ends.length;
        ends[lane] = from + w;
        return { x: anchor === "start" ? it.x + 3 : it.x - 3, text: it.text, fill: it.fill, anchor, lane };
    });
}

/** Minute tick step so that there are at most 15 ticks. */
function tickStepMinutes(spanMinutes: number): number {
    return [1, 2, 5, 10, 15, 30, 60, 120].find((s) => spanMinutes / s <= 15) ?? 240;
}

/** Round numbers for a value axis from 0 to at least `max` (three or four ticks). */
function valueTicks(max: number): number[] {
    const raw = max / 3;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
    const ticks: number[] = [];
    for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12));
    if (ticks[ticks.length - 1] < max) ticks.push(+(ticks[ticks.length - 1] + step).toPrecision(12));
    return ticks;
}

/** `errors 2.12% > 0.50%`, `latency 480ms > 315ms`: the rule that fired with its values, when its record has them. */
function ruleWithValues(r: DeploymentRecord, atMs: number, rule: string): string {
    const rec = r.analysis.find((a) => a.atMs === atMs && a.rule === rule && (a.verdict === "rollback" || a.verdict === "halt"));
    if (!rec || rec.candidate === null || rec.threshold === null) return rule;
    if (rule === "errors") return `errors ${(rec.candidate * 100).toFixed(2)}% > ${(rec.threshold * 100).toFixed(2)}%`;
    if (rule === "latency") return `latency ${Math.round(rec.candidate)}ms > ${Math.round(rec.threshold)}ms`;
    return rule;
}

const OUTCOME_WORDS: Record<string, string> = {
    promoted: "promoted",
    rolling_back: "rolled back",
    rolled_back: "rolled back",
    halted: "halted",
};

export function renderChart(r: DeploymentRecord): string {
    // Time axis: from the first traffic shift (the baseline window ends there; without a shift, the
    // first analysed window) to a little after the last event, so that a step back to 0 stays visible.
    const windows = r.samples.map((s) => s.endMs - s.startMs);
    const shortest = windows.length ? Math.min(...windows) : 60_000;
    const t0 = r.weights.length
        ? r.weights[0].atMs
        : r.samples.length
          ? Math.min(...r.samples.map((s) => s.endMs - shortest))
          : r.startedAtMs;
    const last = Math.max(
        t0 + 60_000,
        ...r.samples.map((s) => s.endMs),
        ...r.weights.map((w) => w.atMs),
        ...r.decisions.map((d) => d.atMs),
    );
    const tEnd = last + Math.max(30_000, (last - t0) * 0.04);
    const x = (ms: number) => LEFT + ((Math.min(Math.max(ms, t0), tEnd) - t0) / (tEnd - t0)) * PLOT_W;

    // The decision that ended the traffic phase: the first rollback or halt decision, else the promotion.
    const decision =
        r.decisions.find((d) => d.outcome !== "promoted" && d.outcome !== "rolled_back") ??
        r.decisions.find((d) => d.outcome === "promoted") ??
        r.decisions.find((d) => d.outcome === "rolled_back");

    // Everything labelled above the panels goes through one lane allocator.
    const phases = r.phases.filter((p) => TRAFFIC_PHASES.includes(p.status) && p.startedAtMs >= t0 && p.startedAtMs <= tEnd);
    const top = [
        ...phases.filter((p) => p.status !== "rolling_back").map((p) => ({ x: x(p.startedAtMs), text: p.label, fill: MUTED })),
        ...(decision
            ? [
                  {
                      x: x(decision.atMs),
                      text:
                          `${OUTCOME_WORDS[decision.outcome]}` +
                          `${decision.rules.length
                              ? `: ${decision.rules.map((rule) => ruleWithValues(r, decision.atMs, rule)).join(", ")}`
                              : ""}`,
                      fill: DECISION_STROKE[decision.outcome],
                  },
              ]
            : []),
    ];
    const labels = placeInLanes(top);
    const lanes = Math.max(1, ...labels.map((l) => l.lane + 1));

    // Legend, wrapped to the width.
    const legendItems: { text: string; swatch: string }[] = [
        { text: "blue", swatch: `<rect width="12" height="4" y="-4" fill="${COLOUR_STROKE.blue}"/>` },
        { text: "green", swatch: `<rect width="12" height="4" y="-4" fill="${COLOUR_STROKE.green}"/>` },
        { text: "candidate weight (right axis)", swatch: `<path d="M0 0 h4 v-6 h8" fill="none" stroke="${WEIGHT}" stroke-width="1.5"/>` },
        {
            text: "rollback threshold applied",
            swatch: `<path d="M0 -2 h12" stroke="${THRESHOLD}" stroke-width="1.5" stroke-dasharray="3 2"/>`,
        },
        { text: "decision", swatch: `<path d="M6 -9 v10" stroke="${INK}" stroke-width="2"/>` },
    ];
    const legend: string[] = [];
    let lx = LEFT;
    let ly = 60;
    for (const it of legendItems) {
        const w = 16 + textWidth(it.text) + 16;
        if (lx + w > LEFT + PLOT_W) {
            lx = LEFT;
            ly += 16;
        }
        legend.push(`<g transform="translate(${f1(lx)} ${ly})">${it.swatch}<text x="16" y="0">${esc(it.text)}</text></g>`);
        lx += w;
    }

    const bandTop = ly + 16;
    const panel1Top = bandTop + lanes * LANE_H + 22;
    const panelGap = 42;
    const panels = [
        { key: "error-rate", title: "5xx error rate (%)", y0: panel1Top },
        { key: "p95", title: "p95 latency (ms)", y0: panel1Top + PANEL_H + panelGap },
    ] as const;
    const axisY = panels[1].y0 + PANEL_H;
    const H = axisY + 44;

    const parts: string[] = [];
    parts.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Verdana, sans-serif" font-size="${FONT}" fill="${INK}">`,
    );
    const headline = `${r.stack} ${r.release.id} — ` +
        `${OUTCOME_WORDS[r.outcome ?? ""] ?? r.outcome ?? "unfinished"}` +
        `${decision?.rules.length && r.outcome !== "promoted" ? ` (${decision.rules.join(", ")})` : ""}`;
    parts.push(`<title>${esc(`${r.rolloutId}: ${r.outcome ?? "unfinished"}`)}</title>`);
    parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
    parts.push(`<text class="title" x="${LEFT}" y="22" font-size="15" font-weight="bold">${esc(headline)}</text>`);
    parts.push(
        `<text class="subtitle" x="${LEFT}" y="40" ` +
        `fill="${MUTED}">` +
        `${esc(`${r.rolloutId} · ${r.strategy} · first traffic shift ${new Date(t0).toISOString().replace(/\.\d+Z$/, "Z")}`)}</text>`,
    );
    parts.push(`<g class="legend">${legend.join("")}</g>`);
    for (const l of labels) {
        parts.push(
            `<text class="label" x="${f1(l.x)}" y="${bandTop + (l.lane + 1) * LANE_H - 3}" ` +
            `fill="${l.fill}"${l.anchor === "end" ? ' text-anchor="end"' : ""}>${esc(l.text)}</text>`,
        );
    }

    // Minute ticks.
    const spanMin = (tEnd - t0) / 60_000;
    const step = tickStepMinutes(spanMin);
    const ticks: number[] = [];
    for (let m = 0; m <= spanMin + 1e-9; m += step) ticks.push(m);

    const intervalOf = new Map(r.samples.map((s) => [s.endMs, s.startMs]));
    const thresholdRule = { "error-rate": "errors", p95: "latency" } as const;

    panels.forEach((p) => {
        const y0 = p.y0;
        const points = (c: Colour) => {
            const pts: { t: number; v: number }[] = [];
            for (const s of r.samples) {
                if (s.endMs < t0) continue;
                for (const role of ["live", "candidate"] as const) {
                    // Rolling: live and candidate are one colour; keep one point per window.
                    if (s[role] !== c || (role === "candidate" && s.live === s.candidate)) continue;
                    const m = s.sample[role];
                    const v = p.key === "error-rate" ? (m.requests > 0 ? (m.errors5xx / m.requests) * 100 : null) : m.p95Ms;
                    if (v !== null) pts.push({ t: s.endMs, v });
                }
            }
            return pts;
        };
        const series = { blue: points("blue"), green: points("green") };
        // Thresholds as applied, per analysed window; the errors rule's is a fraction.
        const applied = r.analysis
            .filter(
                (a: AnalysisRecord) => a.rule === thresholdRule[p.key] && a.threshold !== null && intervalOf.has(a.atMs) && a.atMs >= t0,
            )
            .map((a) => ({ start: intervalOf.get(a.atMs)!, end: a.atMs, v: p.key === "error-rate" ? a.threshold! * 100 : a.threshold! }));
        const max =
            Math.max(
                p.key === "error-rate" ? 0.1 : 50,
                ...series.blue.map((d) => d.v),
                ...series.green.map((d) => d.v),
                ...applied.map((a) => a.v),
            ) * 1.08;
        const yTicks = valueTicks(max);
        const top = yTicks[yTicks.length - 1];
        const y = (v: number) => y0 + PANEL_H - (v / top) * PANEL_H;
        const yw = (w: number) => y0 + PANEL_H - (w / 100) * PANEL_H;

        parts.push(`<g class="panel" data-metric="${p.key}" data-plot="${LEFT},${y0},${PLOT_W},${PANEL_H}">`);
        parts.push(`<text class="panel-title" x="${LEFT}" y="${y0 - 7}" font-weight="bold">${esc(p.title)}</text>`);
        parts.push(
            `<text class="axis-title" x="${LEFT + PLOT_W}" y="${y0 - 7}" text-anchor="end" fill="${WEIGHT}">candidate weight (%)</text>`,
        );
        for (const m of ticks) {
            const px = f1(x(t0 + m * 60_000));
            parts.push(`<line x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + PANEL_H}" stroke="${GRID}"/>`);
        }
        for (const v of yTicks) {
            parts.push(`<line x1="${LEFT}" y1="${f1(y(v))}" x2="${LEFT + PLOT_W}" y2="${f1(y(v))}" stroke="${GRID}"/>`);
            const text = p.key === "error-rate" ? v.toFixed(v < 1 ? 2 : 1) : String(Math.round(v));
            parts.push(`<text class="tick" x="${LEFT - 6}" y="${f1(y(v) + 4)}" text-anchor="end">${text}</text>`);
        }
        for (const w of [0, 50, 100])
            parts.push(`<text class="tick" x="${LEFT + PLOT_W + 6}" y="${f1(yw(w) + 4)}" fill="${WEIGHT}">${w}%</text>`);
        parts.push(`<rect x="${LEFT}" y="${y0}" width="${PLOT_W}" height="${PANEL_H}" fill="none" stroke="#8c959f"/>`);

        // Candidate weight: a step line from 0 at the start, with a light area under it.
        const steps: string[] = [`M${f1(x(t0))} ${f1(yw(0))}`];
        for (const e of r.weights) {
            if (e.atMs > tEnd) break;
            steps.push(`H${f1(x(e.atMs))}`, `V${f1(yw(e.weight))}`);
        }
        steps.push(`H${f1(x(tEnd))}`);
        const line = steps.join(" ");
        parts.push(`<path class="weight" d="${line} V${f1(yw(0))} Z" fill="${WEIGHT}" fill-opacity="0.10" stroke="none"/>`);
        parts.push(`<path class="weight" d="${line}" fill="none" stroke="${WEIGHT}" stroke-width="2"/>`);

        // Phase boundaries (the rollback's is the decision marker).
        for (const ph of phases) {
            const px = f1(x(ph.startedAtMs));
            parts.push(`<line x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + PANEL_H}" stroke="#afb8c1" stroke-dasharray="4 3"/>`);
        }

        // The threshold in force, window by window; contiguous windows join into one step line.
        if (applied.length) {
            const d: string[] = [];
            let prevEnd: number | null = null;
            for (const a of applied.sort((m, n) => m.start - n.start)) {
                d.push(prevEnd === a.start ? `V${f1(y(a.v))} H${f1(x(a.end))}` : `M${f1(x(a.start))} ${f1(y(a.v))} H${f1(x(a.end))}`);
                prevEnd = a.end;
            }
            parts.push(
                `<path class="threshold" d="${d.join(" ")}" fill="none" stroke="${THRESHOLD}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
            );
        }

        for (const c of ["blue", "green"] as const) {
            if (!series[c].length) continue;
            const pts = series[c].map((pt) => `${f1(x(pt.t))},${f1(y(pt.v))}`).join(" ");
            parts.push(
                `<polyline class="series" data-colour="${c}" fill="none" stroke="${COLOUR_STROKE[c]}" stroke-width="2" points="${pts}"/>`,
            );
            for (const pt of series[c]) parts.push(`<circle cx="${f1(x(pt.t))}" cy="${f1(y(pt.v))}" r="2" fill="${COLOUR_STROKE[c]}"/>`);
        }

        if (decision) {
            const px = f1(x(decision.atMs));
            parts.push(
                `<line class="decision" x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + PANEL_H}" ` +
                `stroke="${DECISION_STROKE[decision.outcome]}" stroke-width="2"/>`,
            );
        }
        parts.push(`</g>`);
    });

    for (const m of ticks)
        parts.push(`<text class="tick" x="${f1(x(t0 + m * 60_000))}" y="${axisY + 15}" text-anchor="middle">${m}</text>`);
    parts.push(
        `<text class="axis-title" x="${LEFT + PLOT_W / 2}" y="${axisY + 33}" text-anchor="middle" fill="${MUTED}">minutes since the ` +
        `first traffic shift</text>`,
    );
    parts.push(`</svg>`);
    return parts.join("\n") + "\n";
}
