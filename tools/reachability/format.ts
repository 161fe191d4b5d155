/**
 * The flow table as text (`npm run plan -- --flows`), as JSON (`--flows --json`) and as Markdown
 * (docs/network.md). Header values never appear: they can be secrets (the CDN's origin header).
 */
import { describe, type FlowResult } from "./flows";

const expected = (r: FlowResult) => (r.flow.kind === "required" ? "reachable" : "refused");

/** The readable table: one line per flow, the refusing hop under each refused flow, every hop of a broken one. */
export function formatFlowTable(stack: string, results: FlowResult[]): string {
    const required = results.filter((r) => r.flow.kind === "required").length;
    const broken = results.filter((r) => !r.ok);
    const lines = [
        `Flows of stack "${stack}" (reachability over the planned resources): ${required} required, ${results.length - required} refused, ${broken.length ? `${broken.length} BROKEN` : "all as expected"}`,
        "",
        `${"id".padEnd(4)} ${"expected".padEnd(10)} ${"result".padEnd(10)} flow`,
    ];
    for (const r of results) {
        const result = r.ok ? expected(r) : "BROKEN";
        lines.push(`${r.flow.id.padEnd(4)} ${expected(r).padEnd(10)} ${result.padEnd(10)} ${r.flow.title}`);
        const pad = " ".repeat(27);
        if (r.ok && r.decidingHop) lines.push(`${pad}refused at ${r.decidingHop.step}: ${r.decidingHop.detail}`);
        if (!r.ok) lines.push(...explainFlow(r).split("\n").map((l) => pad + l));
    }
    return lines.join("\n");
}

/** A broken flow's verdict and the hops of the placement where it broke. */
export function explainFlow(r: FlowResult): string {
    return [r.verdict, ...(r.failedPlacement?.hops ?? []).map((h) => `  ${h.ok ? "ok" : "NO"} ${h.step}: ${h.detail}`)].join("\n");
}

/** Everything the table says, hop by hop, as plain data. */
export function flowsJson(stack: string, results: FlowResult[]) {
    return {
        stack,
        ok: results.every((r) => r.ok),
        flows: results.map((r) => ({
            id: r.flow.id,
            kind: r.flow.kind,
            title: r.flow.title,
            ok: r.ok,
            verdict: r.verdict,
            decidingHop: r.decidingHop,
            requests: r.results.map((x) => ({
                request: { source: x.request.source, to: describe(x.request) },
                ok: x.ok,
                ...(x.problem ? { problem: x.problem } : {}),
                placements: x.evaluation.placements,
            })),
        })),
    };
}

function cell(s: string): string {
    return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The Markdown table of the docs page. */
export function flowMarkdown(results: FlowResult[]): string {
    const lines = ["| id | flow | expected | result | deciding hop |", "|---|---|---|---|---|"];
    for (const r of results) {
        const hop = r.decidingHop ? `${r.decidingHop.step}: ${r.decidingHop.detail}` : r.flow.kind === "required" ? "every hop allows it" : "";
        lines.push(`| ${r.flow.id} | ${cell(r.flow.title)} | ${expected(r)} | ${r.ok ? expected(r) : `**BROKEN**: ${cell(r.verdict)}`} | ${cell(hop)} |`);
    }
    return lines.join("\n");
}
