import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RecordBuilder, renderMarkdown, renderSvg, writeRecord } from "../../automation/record";
import { good } from "./helpers";

const T0 = Date.parse("2026-03-10T14:30:00Z");

function sampleRecord() {
    const b = new RecordBuilder({
        rolloutId: "prod-v2-20260310T143000Z", stack: "prod", environment: "prod", command: "rollout", strategy: "canary",
        release: { id: "v2", images: { "api-gateway": "repo/api:v2" } }, ranBy: "ci <bot>", startedAtMs: T0,
        preflight: { localTime: "Tue 2026-03-10 10:30 EDT", refusals: [] }, changeRequest: null, emergency: null,
    });
    b.onEvent({ type: "phase", atMs: T0 + 60_000, status: "shifting", label: "step 1 (10%)", weight: 10, remainingSeconds: 300 });
    b.onEvent({ type: "analysis", atMs: T0 + 120_000, line: "+60s step 1 (10%) errors OK candidate=0 reference=0.0006 threshold=0.005 — fine", record: {} as never });
    b.onEvent({ type: "decision", atMs: T0 + 180_000, outcome: "rolling_back", reason: "errors: 5% > 0.5%" });
    const metrics = b.recordingMetrics({ query: async () => good() });
    return { b, metrics };
}

describe("deployment record", () => {
    it("collects phases, analysis lines and samples, and writes JSON, Markdown and SVG", async () => {
        const { b, metrics } = sampleRecord();
        await metrics.query({ startMs: T0 + 60_000, endMs: T0 + 120_000, live: "blue", candidate: "green" });
        await metrics.query({ startMs: T0 + 120_000, endMs: T0 + 180_000, live: "blue", candidate: "green" });
        const rec = b.finish("rolled_back", "errors: 5% > 0.5%", T0 + 240_000);
        assert.equal(rec.phases[0].analysis.length, 1);
        assert.deepEqual(rec.phases[0].decisions, ["rolling_back: errors: 5% > 0.5%"]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "record-"));
        const files = writeRecord(path.join(dir, "deployments", "prod"), rec);
        assert.deepEqual(JSON.parse(fs.readFileSync(files.json, "utf8")), JSON.parse(JSON.stringify(rec)));
        const md = fs.readFileSync(files.md, "utf8");
        assert.match(md, /^# Deployment prod-v2-20260310T143000Z/);
        assert.match(md, /\*\*Outcome:\*\* rolled_back — errors: 5% > 0.5%/);
        assert.match(md, /```\n\+60s step 1 \(10%\) errors OK/);
        assert.match(md, /!\[error rate and p95 per colour\]\(prod-v2-20260310T143000Z.svg\)/);
        const svg = fs.readFileSync(files.svg!, "utf8");
        assert.match(svg, /<text class="title" [^>]*>prod v2 — rolled back \(errors\)<\/text>/);
        assert.match(svg, /<text class="label" [^>]*>step 1 \(10%\)<\/text>/, "phase boundaries are labelled");
        assert.match(svg, /<line [^>]*stroke-dasharray="4 3"\/>/, "and drawn");
        assert.deepEqual(rec.decisions, [{ atMs: T0 + 180_000, outcome: "rolling_back", rules: ["errors"], reason: "errors: 5% > 0.5%" }]);
        // Two samples → two points per colour per panel; blue's error rate is 3/5000 = 0.06%.
        const blueRate = /data-metric="error-rate"[\s\S]*?data-colour="blue"[^>]*points="([^"]+)"/.exec(svg)![1].split(" ");
        assert.equal(blueRate.length, 2);
        assert.ok(path.basename(files.svg!) === "prod-v2-20260310T143000Z.svg");
    });

    it("renders a record without samples (refused before any traffic)", () => {
        const { b } = sampleRecord();
        const rec = b.finish("refused", "release-window", T0);
        const svg = renderSvg(rec);
        assert.ok(!svg.includes("<polyline"));
        assert.ok(!renderMarkdown(rec).includes("## Chart"));
        const files = writeRecord(fs.mkdtempSync(path.join(os.tmpdir(), "record-")), rec);
        assert.equal(files.svg, undefined, "no chart file without traffic");
    });
});
