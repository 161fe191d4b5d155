/**
 * `rollout --dry-run --show-diff`: what the rollout's next updates would change, read from the engine's own
 * preview, not guessed. The stack port runs a real `pulumi preview` (Automation API) with the stack file
 * the rollout would write (its traffic section as `PulumiStackPort.set` writes it: the deployed release,
 * the change, the next revision) in a temporary copy (`--config-file`), so nothing of the checkout changes,
 * and a weight step targeted at the weighted listener resources as the rollout targets it.
 *
 * This module is the pure part: the config file the preview reads, the changes read back from the
 * engine's events (`resourcePreEvent`), and the lines printed. Pure.
 */
import YAML from "yaml";

/** One property a step changes: a leaf path in the resource's inputs, shown before and after. */
export interface PropertyChange {
    path: string;
    before: string | null;
    after: string | null;
}

export interface ResourceChange {
    /** create, update, delete, replace (the engine's op; a replacement's three steps are one change). */
    op: string;
    type: string;
    name: string;
    urn: string;
    properties: PropertyChange[];
    /** Properties that force the replacement (replace only). */
    replaceKeys: string[];
}

/** The preview of one update the rollout would make. */
export interface StepDiff {
    /** `deploy green at 0%`, `step 1: 10% to green`. */
    step: string;
    /** The resources `--target` names (a weight step), or null (a full update). */
    target: string[] | null;
    changes: ResourceChange[];
    /** The engine's change summary: op → count (`same` included). */
    summary: Record<string, number>;
}

/** The part of an Automation API `EngineEvent` read here. */
export interface PreviewEvent {
    resourcePreEvent?: {
        metadata: {
            op: string;
            urn: string;
            type: string;
            old?: { inputs?: Record<string, unknown> } | null;
            new?: { inputs?: Record<string, unknown> } | null;
            keys?: string[];
            diffs?: string[];
            detailedDiff?: Record<string, unknown> | null;
        };
    };
}

/** `tms:deployment.green.images["api-gateway"]` → `["tms:deployment", "green", "images", "api-gateway"]` (Pulumi's `--path` syntax). */
export function parseConfigPath(p: string): string[] {
    const out: string[] = [];
    const first = /^[^.[]+/.exec(p);
    if (!first) throw new Error(`config path "${p}": no key`);
    out.push(first[0]);
    let rest = p.slice(first[0].length);
    while (rest) {
        const m = /^\.([^.[]+)/.exec(rest) ?? /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest) ?? /^\[(\d+)\]/.exec(rest);
        if (!m) throw new Error(`config path "${p}": cannot read "${rest}"`);
        out.push(m[1].replace(/\\(.)/g, "$1"));
        rest = rest.slice(m[0].length);
    }
    return out;
}

/**
 * A value as `pulumi config set --path` stores it: a string that reads as an integer or a boolean is
 * stored typed (`weight: 30`, `running: true`), as `PulumiStackPort` relies on (pulumi-stack.ts).
 */
export function typedConfigValue(v: string): string | number | boolean {
    if (v === "true" || v === "false") return v === "true";
    if (/^-?(0|[1-9]\d{0,14})$/.test(v)) return Number(v);
    return v;
}

/**
 * The stack file's text with `leaves` (config path → value) written in, comments and every other key
 * kept: the file a preview reads to see what the rollout's `setAllConfig(…, path = true)` then `up` would do.
 */
export function applyConfigLeaves(stackFileText: string, leaves: Record<string, string>): string {
    const doc = YAML.parseDocument(stackFileText);
    if (doc.errors.length) throw new Error(`not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
    if (!doc.has("config")) doc.set("config", doc.createNode({}));
    for (const [p, v] of Object.entries(leaves)) doc.setIn(["config", ...parseConfigPath(p)], typedConfigValue(v));
    return doc.toString();
}

/** The engine's marker for a value not known until the update (sdk/go/common/resource/plugin: UnknownStringValue). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function show(v: unknown): string | null {
    if (v === undefined) return null;
    if (v === UNKNOWN) return "(known after the update)";
    const text = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
    return text.length > 90 ? `${text.slice(0, 60)}…${text.slice(-25)}` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
/** A string input holding JSON (a task definition's containerDefinitions, a policy document): diffed inside. */
function asJson(v: unknown): unknown {
    if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
    try {
        return JSON.parse(v);
    } catch {
        return undefined;
    }
}

/** Leaf-level differences between two input trees, as `a.b[0].c` paths (JSON strings are looked into). */
export function leafDiff(before: unknown, after: unknown, at = ""): PropertyChange[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const jb = asJson(before);
    const ja = asJson(after);
    if (jb !== undefined && ja !== undefined) return leafDiff(jb, ja, at);
    if (Array.isArray(before) && Array.isArray(after)) {
        const out: PropertyChange[] = [];
        for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...leafDiff(before[i], after[i], `${at}[${i}]`));
        return out;
    }
    if (isObject(before) && isObject(after) && !Array.isArray(before) && !Array.isArray(after)) {
        const out: PropertyChange[] = [];
        for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
            const key = /^[A-Za-z_$][\w$-]*$/.test(k) ? k : JSON.stringify(k);
            out.push(...leafDiff(before[k], after[k], at ? `${at}.${key}` : key));
        }
        return out;
    }
    if (typeof before === "string" && typeof after === "string") {
        // Two long strings that differ at the end (an image URI's tag): the shared start elided to its last separator.
        let common = 0;
        while (common < before.length && before[common] === after[common]) common++;
        const cut = Math.max(before.lastIndexOf("/", common - 1), before.lastIndexOf(":", common - 1));
        if (cut > 24)
            return [
                {
                    path: at || "(value)",
                    before: show(before.slice(cut))!.replace(/^"/, '"…'),
                    after: show(after.slice(cut))!.replace(/^"/, '"…'),
                },
            ];
    }
    return [{ path: at || "(value)", before: show(before), after: show(after) }];
}

/** Ops that change nothing; a replacement's create and delete halves fold into its `replace`. */
const QUIET = new Set(["same", "read", "refresh", "discard"]);
const REPLACEMENT_HALVES = new Set(["create-replacement", "delete-replaced"]);

/** The changes of a preview, one per resource, from the engine's `resourcePreEvent`s, in the order the engine planned them. */
export function changesOf(events: PreviewEvent[]): ResourceChange[] {
    const byUrn = new Map<string, ResourceChange>();
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || QUIET.has(m.op)) continue;
        const op = REPLACEMENT_HALVES.has(m.op) ? "replace" : m.op;
        const known = byUrn.get(m.urn);
        if (known && (known.op === "replace" || op !== "replace")) continue;
        const properties = op === "update" || op === "replace" ? leafDiff(m.old?.inputs ?? {}, m.new?.inputs ?? {}) : [];
        // Output-only differences (the inputs equal): the provider's own list of changed properties.
        if (!properties.length && (op === "update" || op === "replace")) {
            for (const k of Object.keys(m.detailedDiff ?? {}).length ? Object.keys(m.detailedDiff!) : (m.diffs ?? []))
                properties.push({ path: k, before: null, after: null });
        }
        byUrn.set(m.urn, {
            op, type: m.type, name: m.urn.split("::").pop() ?? m.urn, urn: m.urn, properties,
            replaceKeys: op === "replace" ? [...(m.keys ?? [])] : [],
        });
    }
    return [...byUrn.values()];
}

const SYMBOL: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "+-" };
const SUMMARY_WORDS: [string, string][] = [
    ["create", "to create"],
    ["update", "to update"],
    ["replace", "to replace"],
    ["delete", "to delete"],
    ["same", "unchanged"],
];

/** `2 to update, 362 unchanged`. */
export function formatSummary(summary: Record<string, number>): string {
    const parts = SUMMARY_WORDS.filter(([op]) => (summary[op] ?? 0) > 0).map(([op, words]) => `${summary[op]} ${words}`);
    return parts.length ? parts.join(", ") : "no change";
}

/** The lines `--show-diff` prints for one step; at most `maxProperties` property lines per resource. */
export function formatStepDiff(d: StepDiff, stack: string, maxProperties = 6): string[] {
    const how = d.target
        ? `pulumi preview --stack ${stack} --target (${d.target.length} weighted listener resource${d.target.length === 1 ? "" : "s"})`
        : `pulumi preview --stack ${stack}`;
    const out = [`diff of ${d.step}: ${formatSummary(d.summary)} (the engine's ${how}, with the config the rollout writes)`];
    for (const c of d.changes) {
        out.push(
            `  ${(SYMBOL[c.op] ?? c.op).padEnd(2)} ${c.op.padEnd(7)} ${c.type} ` +
            `${c.name}${c.replaceKeys.length ? ` (replaced: ${c.replaceKeys.join(", ")} cannot change in place)` : ""}`,
        );
        for (const p of c.properties.slice(0, maxProperties)) {
            out.push(
                `        ${p.path}${p.before !== null || p.after !== null ? `: ${p.before ?? "(none)"} → ${p.after ?? "(none)"}` : ""}`,
            );
        }
        if (c.properties.length > maxProperties) out.push(`        … ${c.properties.length - maxProperties} more`);
    }
    return out;
}

/** Runs the previews of a rollout's next updates (`PulumiStackPort` on a real or sandbox stack). */
export interface ReleasePreviewer {
    /**
     * The deploy of `images` onto the candidate colour (rolling: onto blue) at weight 0, then, when
     * `firstWeight` is given, the first weight step targeted as the rollout targets it. `stackFile`: the
     * runner's stack file, whose other keys the previews keep.
     */
    previewRelease(p: {
        images: Record<string, string>;
        rolling: boolean;
        firstWeight: number | null;
        stackFile: string;
    }): Promise<StepDiff[]>;
}
