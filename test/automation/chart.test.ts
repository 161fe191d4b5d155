/**
 * L4 with an outside judge: the record's chart rendered by a real SVG renderer (@resvg/resvg-js,
 * with the DejaVu Sans font from the dev dependencies, so every machine measures the same). Checks the
 * image's size, that each panel has its series, weight, threshold and decision drawn, that no label
 * overlaps another or leaves the image (measured by the renderer, not estimated), and that the
 * example in docs/ is what the code renders now.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { Resvg } from "@resvg/resvg-js";
import { RecordBuilder, renderSvg, type DeploymentRecord } from "../../automation/record";
import { exampleRolledBackCanary } from "../../tools/sim/example-record";
import { CHART_FONT, EXAMPLE_SVG, renderPng } from "../../tools/chart-example";
import { good } from "./helpers";

const FONT_OPTIONS = { font: { fontFiles: [CHART_FONT], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" } };

interface Box { x: number; y: number; width: number; height: number; text: string }

/** Every text of the chart, rendered alone (with its legend transform) and measured by resvg. */
function textBoxes(svg: string): Box[] {
    const root = /<svg [^>]*>/.exec(svg)![0];
    const wrap = (inner: string) => `${root}${inner}</svg>`;
    const pieces: string[] = [];
    const legendItem = /<g transform="translate\([^)]*\)">(?:(?!<\/g>).)*?<text[^>]*>[^<]*<\/text><\/g>/g;
    for (const m of svg.match(legendItem) ?? []) pieces.push(m.replace(/<(rect|path)[^>]*\/>/g, ""));
    for (const m of svg.replace(legendItem, "").match(/<text[^>]*>[^<]*<\/text>/g) ?? []) pieces.push(m);
    return pieces.map((p) => {
        const b = new Resvg(wrap(p), FONT_OPTIONS).getBBox();
        const text = /<text[^>]*>([^<]*)<\/text>/.exec(p)![1];
        assert.ok(b, `renderer drew nothing for "${text}" (font missing?)`);
        return { x: b.x, y: b.y, width: b.width, height: b.height, text };
    });
}

const overlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function assertLabelsApart(svg: string): Box[] {
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const boxes = textBoxes(svg);
    for (const b of boxes) assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= w && b.y + b.height <= h, `"${b.text}" leaves the image`);
    for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(boxes[i], boxes[j]), `"${boxes[i].text}" overlaps "${boxes[j].text}"`);
    }
    return boxes;
}

/** Pixels inside a panel's plot area close to a colour. */
function pixelsNear(img: { pixels: Buffer; width: number }, rect: number[], hex: string, tolerance = 60): number {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const [x0, y0, w, h] = rect;
    let n = 0;
    for (let y = Math.ceil(y0) + 1; y < y0 + h - 1; y++) {
        for (let x = Math.ceil(x0) + 1; x < x0 + w - 1; x++) {
            const i = (y * img.width + x) * 4;
            if (Math.abs(img.pixels[i] - r) + Math.abs(img.pixels[i + 1] - g) + Math.abs(img.pixels[i + 2] - b) <= tolerance) n++;
        }
    }
    return n;
}

describe("deployment record chart (rendered by resvg)", function () {
    this.timeout(30_000);
    let record: DeploymentRecord;
    let svg: string;
    before(async () => {
        record = await exampleRolledBackCanary();
        svg = renderSvg(record);
    });

    it("docs/images/rolled-back-canary.svg is what the code renders now (npm run docs:chart)", () => {
        assert.equal(fs.readFileSync(EXAMPLE_SVG, "utf8"), svg);
    });

    it("renders at its size, and each panel shows both colours, the candidate weight, the threshold applied and the decision", () => {
        const img = renderPng(svg);
        const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
        assert.deepEqual([img.width, img.height], [w, h]);
        assert.equal(img.png.subarray(1, 4).toString(), "PNG");
        const panels = [...svg.matchAll(/data-metric="([^"]+)" data-plot="([^"]+)"/g)].map((m) => ({ metric: m[1], rect: m[2].split(",").map(Number) }));
        assert.deepEqual(panels.map((p) => p.metric), ["error-rate", "p95"]);
        for (const p of panels) {
            for (const [what, hex] of [["blue", "#0969da"], ["green", "#1a7f37"], ["weight", "#6e7781"], ["threshold/decision", "#cf222e"]] as const) {
                assert.ok(pixelsNear(img, p.rect, hex) > 40, `${p.metric}: ${what} not drawn`);
            }
        }
    });

    it("draws the thresholds the engine applied, where they were in force, and marks the decision with the rule that fired", () => {
        const errorsApplied = record.analysis.filter((a) => a.rule === "errors" && a.threshold !== null).length;
        const errorsPath = /data-metric="error-rate"[\s\S]*?<path class="threshold" d="([^"]+)"/.exec(svg)![1];
        assert.equal(errorsPath.match(/H/g)!.length, errorsApplied, "one segment per analysed window");
        assert.ok(errorsApplied >= 8);
        assert.match(svg, /<text class="label"[^>]*>rolled back: errors 2\.\d\d% &gt; 0\.50%<\/text>/);
        assert.match(svg, /<text class="title"[^>]*>prod 4f1c2ab-prod — rolled back \(errors\)<\/text>/);
        assert.equal((svg.match(/<line class="decision"/g) ?? []).length, 2, "on both panels");
        // Weight: 10% from the first shift, 30% at step 2, back to 0 at the rollback.
        assert.deepEqual(record.weights.map((w) => w.weight), [10, 30, 0]);
        const minuteLabels = [...svg.matchAll(/<text class="tick" x="[\d.]+" y="\d+" text-anchor="middle">(\d+)<\/text>/g)].map((m) => Number(m[1]));
        assert.deepEqual(minuteLabels, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    });

    it("no label overlaps another or the title, measured by the renderer; also with phases seconds apart", () => {
        const boxes = assertLabelsApart(svg);
        assert.ok(boxes.length > 30, `${boxes.length} labels`);
        // Blue-green style: steps and the decision within half a minute, three labels on one spot.
        const t0 = Date.parse("2026-03-10T14:30:00Z");
        const b = new RecordBuilder({ rolloutId: "staging-v3-x", stack: "staging", environment: "staging", command: "rollout", strategy: "blue-green",
            release: { id: "v3", images: {} }, ranBy: "me", startedAtMs: t0, preflight: null, changeRequest: null, emergency: null });
        const w = { live: "blue" as const, candidate: "green" as const };
        b.onEvent({ type: "weight", atMs: t0, weight: 50 });
        b.onEvent({ type: "phase", atMs: t0, status: "shifting", label: "step 1 (50%)", weight: 50, remainingSeconds: 10 });
        b.onEvent({ type: "weight", atMs: t0 + 10_000, weight: 100 });
        b.onEvent({ type: "phase", atMs: t0 + 10_000, status: "shifting", label: "step 2 (100%)", weight: 100, remainingSeconds: 0 });
        b.onEvent({ type: "phase", atMs: t0 + 12_000, status: "validating", label: "validation (100%)", weight: 100, remainingSeconds: 1800 });
        b.onEvent({ type: "decision", atMs: t0 + 20_000, outcome: "halted", reason: "traffic: candidate had 3 requests (< 50)" });
        b.record.samples.push({ startMs: t0 - 60_000, endMs: t0 + 20_000, ...w, sample: good() });
        const crowded = renderSvg(b.finish("halted", "traffic", t0 + 20_000));
        const labels = assertLabelsApart(crowded).filter((x) => /^(step|validation|halted)/.test(x.text));
        assert.equal(labels.length, 4);
        assert.ok(new Set(labels.map((l) => Math.round(l.y))).size >= 3, "stacked in lanes");
    });
});
