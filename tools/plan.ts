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
 * Exit codes (the shared table, cli/exit-codes.ts): 0 planned (and, with --policy, no mandatory
 * violation; with --flows or --access-paths, everything as expected); 1 bad input, bad config, or no
 * simulator installed for --access-paths; 4 refused: a mandatory policy violation, a broken flow or a
 * broken access path.
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
import { EXIT } from "../cli/exit-codes";

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
        policy: { type: "boolean", help: "also run every policy over the record; exit 4 on a mandatory violation" },
        flows: { type: "boolean", help: "print the table of required and refused network flows (hop by hop where one breaks); exit 4 on a broken flow" },
        "access-paths": { type: "boolean", help: "print the table of required and forbidden access paths judged by the IAM simulator (a dev dependency); exit 4 on a broken path" },
    },
    exitCodes: {
        ok: "planned (with --policy: no mandatory violation; with --flows or --access-paths: everything as expected)",
        error: "bad input: a flag, the stack file, the stack config (one line per problem); --access-paths without the simulator installed",
        refused: "--policy: a mandatory policy is violated; --flows: a flow breaks; --access-paths: an access path breaks",
    },
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

const MASK = "[secret]";
const keysOf = (path: string) => path.match(/[^.[\]]+/g) ?? [];

/** The value at a recorded path (`a.b[0].c`), or undefined. */
function valueAt(root: any, path: string): unknown {
    let v = root;
    for (const k of keysOf(path)) {
        if (v === null || typeof v !== "object") return undefined;
        v = v[k];
    }
    return v;
}

/**
 * Mask what a secret path holds. A secret leaf is replaced by "[secret]". A secret object or array
 * (the SDK marks a whole input secret when a secret flowed into the Output that built it, e.g. the
 * CDN's `origins` because one origin header's value is secret) keeps its shape: only the string
 * leaves that contain a known secret value are replaced, so the policy pack still reads the rest
 * (origin protocols, timeouts) from `--json` as it does in a preview. When no leaf holds a known
 * secret, the whole value is masked: a secret whose source is unknown is never printed.
 */
function maskPath(root: any, path: string, known: string[]): void {
    const keys = keysOf(path);
    if (!keys.length) return;
    const parent = keys.length === 1 ? root : valueAt(root, keys.slice(0, -1).join("."));
    const last = keys[keys.length - 1];
    if (!parent || typeof parent !== "object" || !(last in parent)) return;
    const v = parent[last];
    if (v === null || typeof v !== "object") {
        parent[last] = MASK;
        return;
    }
    let masked = 0;
    const walk = (x: any): any => {
        if (typeof x === "string") {
            if (known.some((s) => x.includes(s))) {
                masked++;
                return MASK;
            }
            return x;
        }
        if (Array.isArray(x)) return x.map(walk);
        if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
        return x;
    };
    const leaves = walk(v);
    parent[last] = masked > 0 ? leaves : MASK;
}

/**
 * The secret values the plan generates (passwords and their hashes, outputs the provider marks
 * secret): the values a secret object's leaves are searched for. A scalar input marked secret does
 * not count: it is often a plain value that flowed through a secret Output (a URL next to a password).
 */
export function knownSecretValues(result: RunResult): string[] {
    const values = new Set<string>();
    for (const r of result.resources) {
        for (const p of SECRET_OUTPUTS[r.type] ?? []) {
            const v = valueAt(r.outputs, p);
            if (typeof v === "string" && v.length >= 8) values.add(v);
        }
    }
    return [...values];
}

/** The record as `--json` prints it: secret inputs and outputs masked, leaf by leaf, as `pulumi preview` shows them. */
export function publicRecord(result: RunResult): PlanRecord {
    const known = knownSecretValues(result);
    const resources = result.resources.map((r) => {
        // The provider marks a generated password's result as a secret output.
        const paths = [...(result.secretInputs[r.urn] ?? []), ...(SECRET_OUTPUTS[r.type] ?? [])];
        if (!paths.length) return r;
        const inputs = JSON.parse(JSON.stringify(r.inputs));
        const outputs = JSON.parse(JSON.stringify(r.outputs));
        for (const path of paths) {
            if (path === "(root)") return { ...r, inputs: {}, outputs: {} };
            maskPath(inputs, path, known);
            maskPath(outputs, path, known);
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
            return EXIT.error;
        }
        throw e;
    }
    // Without the (dev) simulator the access paths cannot be judged: say so before planning anything.
    const evaluator = args.accessPaths ? await loadIamSimulator() : undefined;
    if (args.accessPaths && !evaluator) {
        process.stderr.write(`--access-paths needs the IAM policy simulator (${SIMULATOR_PACKAGE}, a dev dependency): install the development dependencies (npm ci) and run it again\n`);
        return EXIT.error;
    }
    const result = await planStack(args.stack, args.configFile);
    let exitCode: number = EXIT.ok;
    let policyReport_: { text: string; json: unknown } | undefined;
    if (args.policy) {
        const report = policyReport(result, config);
        policyReport_ = { text: report.text, json: report.violations };
        if (report.mandatory) exitCode = EXIT.refused;
    }
    if (evaluator) {
        // dr reaches resources its primary creates (prod's replica bucket and its key): plan it too.
        const primary = config.primaryStack ? await planStack(config.primaryStack.split("/").pop()!) : undefined;
        const report = await accessReport(result, config, evaluator, primary);
        if (report.results.some((r) => !r.ok)) exitCode = EXIT.refused;
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
        if (results.some((r) => !r.ok)) exitCode = EXIT.refused;
        if (args.json) {
            const flows = flowsJson(args.stack, results);
            await writeOut(JSON.stringify(policyReport_ ? { ...flows, policy: policyReport_.json } : flows, null, 2) + "\n");
        } else {
            await writeOut(formatFlowTable(args.stack, results) + "\n" + (policyReport_ ? "\n" + policyReport_.text + "\n" : ""));
        }
    } else if (args.json) {
        const record = publicRecord(result);
        await writeOut(JSON.stringify(policyReport_ ? { ...record, policy: policyReport_.json } : record, null, 2) + "\n");
    } else {
        await writeOut(formatPlan(result) + "\n" + (policyReport_ ? "\n" + policyReport_.text + "\n" : ""));
    }
    return exitCode;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { errorPrefix: "plan failed: " });
