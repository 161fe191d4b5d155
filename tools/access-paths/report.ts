/**
 * The access paths of a planned stack judged by an evaluator, and their renderings: the text table of
 * `npm run plan -- --access-paths`, its `--json`, and the Markdown of docs/access-paths.md.
 */
import type { StackConfig } from "../../config/stack-config";
import type { PlanRecord } from "../record";
import type { AccessEvaluator, Decision } from "./evaluator";
import { AccessModel } from "./model";
import { accessPaths, callerName, type AccessPath, type Hop } from "./paths";

export interface HopResult {
    hop: Hop;
    /** Absent for a hop authorized outside the plan (not evaluated). */
    decision?: Decision;
}

export interface PathResult {
    path: AccessPath;
    ok: boolean;
    /** `allowed`, `refused`, `allowed (known gap)`, or what is wrong. */
    verdict: string;
    /** The hop that refuses a forbidden path, or the first that refuses a required one. */
    decidingHop?: number;
    hops: HopResult[];
}

export interface AccessReport {
    stack: string;
    evaluator: string;
    results: PathResult[];
}

/** Judge every hop of every path (required paths in full, to list every refused hop). */
export async function evaluatePaths(paths: AccessPath[], evaluator: AccessEvaluator): Promise<PathResult[]> {
    const results: PathResult[] = [];
    for (const path of paths) {
        const hops: HopResult[] = [];
        for (const hop of path.hops) {
            if (hop.outside) {
                hops.push({ hop });
                continue;
            }
            const c = hop.caller;
            const decision = await evaluator.decide({
                principal: c.kind === "role" ? c.role.arn : c.kind === "service" ? c.principal : c.arn,
                action: hop.action,
                resource: hop.resource,
                resourceAccount: hop.resourceAccount,
                context: hop.context,
                identityPolicies: c.kind === "role" ? c.role.identity
                    // An AWS-owned account authorizes its own service on its side; only our resource policy is ours to judge.
                    : c.kind === "account" ? [{ name: `${c.label} (AWS's side)`, policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: hop.action, Resource: "*" }] } }]
                        : [],
                boundary: c.kind === "role" ? c.role.boundary : undefined,
                resourcePolicy: hop.resourcePolicy,
                resourcePolicyKind: hop.resourcePolicyKind,
            });
            hops.push({ hop, decision });
            if (path.kind === "forbidden" && decision !== "Allowed") break;
        }
        const refused = hops.findIndex((h) => h.decision !== undefined && h.decision !== "Allowed");
        if (path.kind === "required") {
            const ok = refused < 0;
            results.push({ path, ok, hops, ...(ok ? { verdict: "allowed" } : { verdict: `refused at hop ${refused + 1}: ${describeHop(hops[refused].hop)} (${hops[refused].decision})`, decidingHop: refused }) });
        } else if (refused >= 0) {
            results.push({ path, ok: true, verdict: "refused", decidingHop: refused, hops });
        } else {
            results.push({ path, ok: !!path.gap, verdict: path.gap ? "allowed (known gap)" : "ALLOWED: every hop lets it through", hops });
        }
    }
    return results;
}

/** Plan → model → paths → verdicts; `primary` is the primary stack's plan (dr reaches prod's replica bucket). */
export async function accessReport(record: PlanRecord, cfg: StackConfig, evaluator: AccessEvaluator, primary?: PlanRecord): Promise<AccessReport> {
    const model = new AccessModel(record, primary);
    const paths = accessPaths(model, cfg, record.outputs);
    return { stack: record.stack, evaluator: evaluator.name, results: await evaluatePaths(paths, evaluator) };
}

export function describeHop(h: Hop): string {
    return `${callerName(h.caller)} → ${h.action} on ${h.resource}`;
}

const expected = (r: PathResult) => (r.path.kind === "required" ? "allowed" : "refused");

function contextText(h: Hop): string {
    const keys = Object.entries(h.context).filter(([k]) => k !== "aws:SecureTransport" && !k.startsWith("aws:MultiFactorAuth"));
    return keys.length ? ` [${keys.map(([k, v]) => `${k}=${[v].flat().join(",")}`).join(" ")}]` : "";
}

function hopLine(h: HopResult, i: number): string {
    const d = h.hop.outside ? "outside the plan" : h.decision ?? "not reached";
    const policy = h.hop.resourcePolicy ? ` under ${h.hop.resourcePolicy.name}` : "";
    return `${String(i + 1).padStart(2)}. ${d.padEnd(16)} ${describeHop(h.hop)}${contextText(h.hop)}${policy}${h.hop.outside ? ` (${h.hop.outside})` : ""}`;
}

export function summary(r: AccessReport): { required: number; forbidden: number; broken: number; gaps: number } {
    const required = r.results.filter((x) => x.path.kind === "required").length;
    return {
        required,
        forbidden: r.results.length - required,
        broken: r.results.filter((x) => !x.ok).length,
        gaps: r.results.filter((x) => x.ok && x.verdict === "allowed (known gap)").length,
    };
}

/** The readable table: one line per path, the deciding hop of each refused one, every hop of a broken one. */
export function formatAccessTable(r: AccessReport): string {
    const s = summary(r);
    const lines = [
        `Access paths of stack "${r.stack}" (judged by ${r.evaluator}): ${s.required} required, ${s.forbidden} forbidden, ${s.broken ? `${s.broken} BROKEN` : "all as expected"}${s.gaps ? `, ${s.gaps} known gap${s.gaps > 1 ? "s" : ""}` : ""}`,
        "",
        `${"id".padEnd(4)} ${"expected".padEnd(9)} ${"result".padEnd(20)} path`,
    ];
    const pad = " ".repeat(36);
    for (const x of r.results) {
        lines.push(`${x.path.id.padEnd(4)} ${expected(x).padEnd(9)} ${(x.ok ? x.verdict : "BROKEN").padEnd(20)} ${x.path.title} (${x.path.hops.length} hop${x.path.hops.length > 1 ? "s" : ""})`);
        if (!x.ok) lines.push(...x.hops.map((h, i) => pad + hopLine(h, i)));
        else if (x.path.kind === "forbidden" && x.decidingHop !== undefined) lines.push(`${pad}refused at ${describeHop(x.hops[x.decidingHop].hop)}: ${x.hops[x.decidingHop].decision}`);
        if (x.path.gap) lines.push(`${pad}gap: ${x.path.gap.reason} (${x.path.gap.source})`);
    }
    return lines.join("\n");
}

/** Everything, hop by hop, as plain data (policies by name, never their text). */
export function accessJson(r: AccessReport) {
    return {
        stack: r.stack,
        evaluator: r.evaluator,
        ok: r.results.every((x) => x.ok),
        ...summary(r),
        paths: r.results.map((x) => ({
            id: x.path.id,
            kind: x.path.kind,
            title: x.path.title,
            ok: x.ok,
            verdict: x.verdict,
            ...(x.decidingHop !== undefined ? { decidingHop: x.decidingHop + 1 } : {}),
            ...(x.path.gap ? { gap: x.path.gap } : {}),
            hops: x.hops.map((h) => ({
                caller: callerName(h.hop.caller),
                ...(h.hop.caller.kind === "role" ? { roleArn: h.hop.caller.role.arn, boundary: h.hop.caller.role.boundary?.name ?? null } : {}),
                action: h.hop.action,
                resource: h.hop.resource,
                context: h.hop.context,
                resourcePolicy: h.hop.resourcePolicy?.name ?? null,
                ...(h.hop.integration ? { integration: h.hop.integration } : {}),
                ...(h.hop.note ? { note: h.hop.note } : {}),
                ...(h.hop.outside ? { outside: h.hop.outside } : {}),
                decision: h.hop.outside ? "outside the plan" : h.decision ?? "not reached",
            })),
        })),
    };
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown table of the docs page: one row per path, its hops in a cell. */
export function accessMarkdown(r: AccessReport): string {
    const lines = ["| id | path | expected | result | hops (caller → action on resource, decision) |", "|---|---|---|---|---|"];
    for (const x of r.results) {
        const hops = x.hops.map((h, i) => {
            const d = h.hop.outside ? "outside the plan" : h.decision ?? "not reached";
            return `${i + 1}. ${callerName(h.hop.caller)} → \`${h.hop.action}\`${h.hop.resourcePolicy ? ` (${h.hop.resourcePolicy.name})` : ""}: ${d}`;
        }).join("<br>");
        const result = x.ok ? x.verdict : `**BROKEN**: ${x.verdict}`;
        lines.push(`| ${x.path.id} | ${cell(x.path.title)}${x.path.gap ? `<br>gap: ${cell(x.path.gap.reason)} (${cell(x.path.gap.source)})` : ""} | ${expected(x)} | ${cell(result)} | ${cell(hops)} |`);
    }
    return lines.join("\n");
}
