/**
 * The offline plan: runs the real program under Pulumi's mock engine for one stack's config and
 * prints the resources it would create. No AWS account, no Pulumi CLI.
 *
 *   npm run plan -- --stack <dev|staging|prod|dr> [--config-file FILE] [--json] [--policy] [--flows | --access-paths]
 *
 * `--flows` prints the flow table instead of the resources: every flow the system needs and every flow
 * it must refuse, evaluated over the planned resources (tools/reachability), hop by hop where it
 * breaks; with `--json`, all of it as JSON.
 *
 * `--access-paths` prints the access-path table instead: every runtime call the system depends on and
 * every variant it must refuse, hop by hop (caller, request context, action, resource and its policy, each
 * key and its policy), judged by the IAM policy simulator (tools/access-paths). The simulator is a dev
 * dependency loaded only when installed (tools/access-paths/evaluator.ts); without it the command says so
 * and exits 1.
 *
 * Exit codes: 0 planned (and, with --policy, no mandatory violation; with --flows, every flow as
 * expected; with --access-paths, every path as expected); 1 bad input, bad config, a mandatory policy
 * violation, a broken flow, a broken access path or no evaluator installed.
 */
import { ConfigError, loadStackConfig, StackConfig } from "../config/stack-config";
import { policyReport } from "./plan-policy";
import { flowReport } from "./reachability/flows";
import { flowsJson, formatFlowTable } from "./reachability/format";
import { loadIamSimulator, SIMULATOR_PACKAGE } from "./access-paths/evaluator";
import { accessJson, accessReport, formatAccessTable } from "./access-paths/report";
import { planStack, RunResult } from "./mock-engine";
import type { PlanRecord, RecordedResource } from "./record";
import { readStackFile, StackFileError, stackFilePath } from "../cli/stack-file";
import { runMain } from "../cli/run-main";
import { readFlags, stackName, Stop, UsageError, type CommandSpec, type FlagValues } from "../cli/flags";

export interface PlanArgs {
    stack: string;
    configFile?: string;
    json: boolean;
    policy: boolean;
    flows: boolean;
    accessPaths: boolean;
}

export const PLAN_FLAGS = {
    command: "npm run plan --",
    synopsis: ["--stack <dev|staging|prod|dr> [--config-file FILE] [--json] [--policy] [--flows | --access-paths]"],
    summary: "The offline plan: runs index.ts under Pulumi's mock engine with the stack's config and prints what it would create. No AWS account, no Pulumi CLI.",
    flags: {
        stack: { type: "string", short: "s", value: "NAME", help: "stack whose Pulumi.<stack>.yaml to plan (dev, staging, prod, dr)" },
        "config-file": { type: "string", value: "FILE", help: "read this stack file instead (as Pulumi's own flag)" },
        json: { type: "boolean", help: "print the full record as JSON (secrets masked)" },
        policy: { type: "boolean", help: "also run every policy over the record; exit 1 on a mandatory violation" },
        flows: { type: "boolean", help: "print the table of required and refused network flows (hop by hop where one breaks); exit 1 on a broken flow" },
        "access-paths": { type: "boolean", help: "print the table of required and forbidden access paths judged by the IAM simulator (a dev dependency); exit 1 on a broken path" },
    },
    exitCodes: "0 planned (and with --policy no mandatory violation, with --flows or --access-paths nothing broken), 1 bad input, bad config, a mandatory violation, a broken flow or access path, or no simulator installed",
} satisfies CommandSpec;

/** The validated flags (throws UsageError, naming the flag). */
export function planArgs(v: FlagValues<typeof PLAN_FLAGS.flags>): PlanArgs {
    if (v.flows && v["access-paths"]) throw new UsageError("--flows and --access-paths print different tables: give one");
    return { stack: stackName("--stack", v.stack), configFile: v["config-file"], json: v.json, policy: v.policy, flows: v.flows, accessPaths: v["access-paths"] };
}

/** Children of each parent URN, in registration order. */
function childrenByParent(resources: RecordedResource[]): Map<string, RecordedResource[]> {
    const m = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        const p = r.parent ?? "";
        if (!m.has(p)) m.set(p, []);
        m.get(p)!.push(r);
    }
    return m;
}

/** The component tree: every component with its children, resources folded per type. */
export function formatTree(resources: RecordedResource[]): string[] {
    const kids = childrenByParent(resources);
    const lines: string[] = [];
    const walk = (r: RecordedResource, prefix: string, last: boolean, depth: number) => {
        const branch = depth === 0 ? "" : last ? "└─ " : "├─ ";
        const all = kids.get(r.urn) ?? [];
        lines.push(`${prefix}${branch}${r.name} (${r.type})${all.length ? ` — ${countAll(r.urn, kids)} resources` : ""}`);
        const childPrefix = depth === 0 ? "" : prefix + (last ? "   " : "│  ");
        const components = all.filter((c) => !c.custom || (kids.get(c.urn)?.length ?? 0) > 0);
        const leaves = all.filter((c) => !components.includes(c));
        const byType = new Map<string, string[]>();
        for (const l of leaves) byType.set(l.type, [...(byType.get(l.type) ?? []), l.name]);
        const entries = [...byType.entries()];
        const total = entries.length + components.length;
        entries.forEach(([type, names], i) => {
            const shown = names.length > 4 ? `${names.slice(0, 3).join(", ")}, … (${names.length})` : names.join(", ");
            lines.push(`${childPrefix}${i === total - 1 ? "└─ " : "├─ "}${type} ×${names.length}: ${shown}`);
        });
        components.forEach((c, i) => walk(c, childPrefix, entries.length + i === total - 1, depth + 1));
    };
    for (const root of kids.get("") ?? []) walk(root, "", true, 0);
    return lines;
}

function countAll(urn: string, kids: Map<string, RecordedResource[]>): number {
    let n = 0;
    for (const c of kids.get(urn) ?? []) n += 1 + countAll(c.urn, kids);
    return n;
}

export function countsByType(resources: RecordedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Outputs a provider always returns as secrets. */
const SECRET_OUTPUTS: Record<string, string[]> = {
    "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
};

/** Replace the value at a recorded secret path (`a.b[0].c`) with "[secret]". */
function maskPath(root: any, path: string): void {
    const keys = path.match(/[^.[\]]+/g) ?? [];
    let v = root;
    for (let i = 0; i < keys.length - 1; i++) {
        if (v === null || typeof v !== "object") return;
        v = v[keys[i]];
    }
    if (v && typeof v === "object" && keys.length) v[keys[keys.length - 1]] = "[secret]";
}

/** The record as `--json` prints it: secret inputs and outputs masked, as `pulumi preview` shows them. */
export function publicRecord(result: RunResult): PlanRecord {
    const resources = result.resources.map((r) => {
        // The provider marks a generated password's result as a secret output.
        const paths = [...(result.secretInputs[r.urn] ?? []), ...(SECRET_OUTPUTS[r.type] ?? [])];
        if (!paths.length) return r;
        const inputs = JSON.parse(JSON.stringify(r.inputs));
        const outputs = JSON.parse(JSON.stringify(r.outputs));
        for (const path of paths) {
            if (path === "(root)") return { ...r, inputs: {}, outputs: {} };
            maskPath(inputs, path);
            maskPath(outputs, path);
        }
        return { ...r, inputs, outputs };
    });
    const outputs = { ...result.outputs };
    for (const name of result.secretOutputs) outputs[name] = "[secret]";
    return { stack: result.stack, project: result.project, resources, outputs };
}

export function formatPlan(result: RunResult): string {
    const lines: string[] = [];
    lines.push(`Offline plan of stack "${result.stack}" (project ${result.project}, mock engine)`, "");
    lines.push(...formatTree(result.resources), "");
    const counts = countsByType(result.resources);
    const width = Math.max(...counts.map(([t]) => t.length));
    lines.push("Resources by type:");
    for (const [t, n] of counts) lines.push(`  ${t.padEnd(width)}  ${n}`);
    lines.push(`  ${"total".padEnd(width)}  ${result.resources.length}`, "");
    lines.push("Outputs:");
    for (const [k, v] of Object.entries(result.outputs).sort(([a], [b]) => a.localeCompare(b))) {
        const shown = result.secretOutputs.includes(k) ? "[secret]" : JSON.stringify(v);
        lines.push(`  ${k}: ${shown.length > 160 ? shown.slice(0, 157) + "…" : shown}`);
    }
    return lines.join("\n");
}

/** Validate the stack file first so that bad config prints its problems and nothing else. */
export function validateStackFile(args: PlanArgs): StackConfig {
    const source = args.configFile ?? `Pulumi.${args.stack}.yaml`;
    const file = readStackFile(args.configFile ?? stackFilePath(args.stack), source);
    return loadStackConfig(file.config, source, args.stack);
}

/**
 * Write to stdout and wait until it is flushed: stdout to a pipe is asynchronous, and the
 * `process.exit` that follows `main` would otherwise cut a large `--json` record at 64 KiB.
 */
function writeOut(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

export async function main(argv: string[]): Promise<number> {
    const args = readFlags(PLAN_FLAGS, argv, { out: (t) => process.stdout.write(t + "\n"), err: (t) => process.stderr.write(t + "\n") }, planArgs);
    if (args instanceof Stop) return args.exitCode;
    let config: StackConfig;
    try {
        config = validateStackFile(args);
    } catch (e) {
        if (e instanceof StackFileError || e instanceof ConfigError) {
            process.stderr.write(e.message + "\n");
            return 1;
        }
        throw e;
    }
    // Without the (dev) simulator the access paths cannot be judged: say so before planning anything.
    const evaluator = args.accessPaths ? await loadIamSimulator() : undefined;
    if (args.accessPaths && !evaluator) {
        process.stderr.write(`--access-paths needs the IAM policy simulator (${SIMULATOR_PACKAGE}, a dev dependency): install the development dependencies (npm ci) and run it again\n`);
        return 1;
    }
    const result = await planStack(args.stack, args.configFile);
    let exitCode = 0;
    let policyReport_: { text: string; json: unknown } | undefined;
    if (args.policy) {
        const report = policyReport(result, config);
        policyReport_ = { text: report.text, json: report.violations };
        if (report.mandatory) exitCode = 1;
    }
    if (evaluator) {
        // dr reaches resources its primary creates (prod's replica bucket and its key): plan it too.
        const primary = config.primaryStack ? await planStack(config.primaryStack.split("/").pop()!) : undefined;
        const report = await accessReport(result, config, evaluator, primary);
        if (report.results.some((r) => !r.ok)) exitCode = 1;
        if (args.json) {
            const paths = accessJson(report);
            await writeOut(JSON.stringify(policyReport_ ? { ...paths, policy: policyReport_.json } : paths, null, 2) + "\n");
        } else {
            await writeOut(formatAccessTable(report) + "\n" + (policyReport_ ? "\n" + policyReport_.text + "\n" : ""));
        }
    } else if (args.flows) {
        // dr's CloudFront flow comes from the primary stack's distribution: plan it too.
        const primary = config.primaryStack ? await planStack(config.primaryStack.split("/").pop()!) : undefined;
        const { results } = flowReport(result, config, primary);
        if (results.some((r) => !r.ok)) exitCode = 1;
        if (args.json) {
            const flows = flowsJson(args.stack, results);
            await writeOut(JSON.stringify(policyReport_ ? { ...flows, policy: policyReport_.json } : flows, null, 2) + "\n");
        } else {
            await writeOut(formatFlowTable(args.stack, results) + "\n" + (policyReport_ ? "\n" + policyReport_.text + "\n" : ""));
        }
    } else if (args.json) {
        const record = publicRecord(result);
        process.stdout.write(JSON.stringify(policyReport_ ? { ...record, policy: policyReport_.json } : record, null, 2) + "\n");
    } else {
        process.stdout.write(formatPlan(result) + "\n");
        if (policyReport_) process.stdout.write("\n" + policyReport_.text + "\n");
    }
    return exitCode;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { errorPrefix: "plan failed: " });
