/**
 * How the fake AWS answers for one resource, from the table of facts (facts.ts, provider-schema.json):
 *
 * - `checkInputs`: the inputs as the provider accepts them (its schema defaults filled in) or the
 *   reasons it refuses them (validations of the provider's schema, refusals of the table);
 * - `storedState`: what a read returns after a create or update with these inputs: ids, ARNs and
 *   endpoints (ids.ts), and what AWS stores instead of what it was sent (`stored` facts);
 * - `diffInputs`: what an update changes and which of those changes replace the resource, comparing the
 *   new inputs with the stored state as the provider does: a property left out that the provider marks
 *   Optional+Computed keeps its stored value; a change under a ForceNew path replaces.
 *
 * Pure functions of their arguments; the account's memory (names taken, revisions) is account.ts.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { factsOf } from "./facts";
import { mockResourceState, shortHash, type MockContext } from "./ids";
import { providerSchema, topLevel, valuesAt, type AttributeFacts, type TypeSchema } from "./schema";

/** One refused input: the property (a path) and the reason, naming the source of the rule. */
export interface CheckFailure {
    property: string;
    reason: string;
}

const isUnknown = (v: unknown): boolean =>
    v === unknownValue || (Array.isArray(v) ? v.some(isUnknown) : v !== null && typeof v === "object" && Object.values(v).some(isUnknown));

const schemaOf = (type: string): TypeSchema | undefined => providerSchema().types[type];

/** Set `value` at a path wherever its parent exists (each element of a list). Mutates `root`. */
function fillDefault(root: Record<string, any>, path: string, value: unknown): void {
    const segs = path.split(".");
    const walk = (node: any, i: number) => {
        if (node === null || typeof node !== "object" || Array.isArray(node) || node === unknownValue) return;
        const seg = segs[i];
        const list = seg.endsWith("[]");
        const key = list ? seg.slice(0, -2) : seg;
        if (i === segs.length - 1) {
            if (node[key] === undefined && !list) node[key] = value;
            return;
        }
        const next = node[key];
        if (list && Array.isArray(next)) next.forEach((x) => walk(x, i + 1));
        else if (!list) walk(next, i + 1);
    };
    walk(root, 0);
}

function clone<T>(v: T): T {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v, (_k, x) => (x === unknownValue ? "\u0000unknown" : x)), (_k, x) => (x === "\u0000unknown" ? unknownValue : x)) as T);
}

const present = (v: unknown) => v !== undefined && v !== null;

/**
 * The inputs as the provider accepts them, or its refusals. Defaults of the provider's schema are
 * filled in where the program left them out (the bridged provider's Check does the same), and every
 * validation the schema declares is applied to the values the program set. Unknown values (preview)
 * are not judged. Pure.
 */
export function checkInputs(type: string, inputs: Record<string, any>, name = "resource"): { inputs: Record<string, any>; failures: CheckFailure[] } {
    const schema = schemaOf(type);
    const out = clone(inputs) ?? {};
    const failures: CheckFailure[] = [];
    const facts = factsOf(type);
    if (schema) {
        const file = `${schema.file} (hashicorp/terraform-provider-aws@${providerSchema().provider.commit})`;
        for (const [path, f] of Object.entries(schema.attributes)) {
            if (f.default !== undefined) fillDefault(out, path, f.default);
            // Pulumi's autonaming: the resource name and a random suffix (7 characters).
            if (f.autoNamed && !present(out[path])) out[path] = `${name}-${shortHash(`${type}|${name}`, 7)}`;
        }
        for (const [path, f] of Object.entries(schema.attributes)) {
            const where = `${file} line ${f.line}`;
            const values = valuesAt(out, path).filter((v) => present(v) && !isUnknown(v));
            for (const v of values) {
                for (const rule of f.validations ?? []) {
                    const reason = violates(rule, v);
                    if (reason) failures.push({ property: path, reason: `${JSON.stringify(v)} ${reason} (${where})` });
                }
                if (Array.isArray(v) && f.maxItems && v.length > f.maxItems) failures.push({ property: path, reason: `${v.length} items, at most ${f.maxItems} allowed (${where})` });
                if (Array.isArray(v) && f.minItems && v.length < f.minItems) failures.push({ property: path, reason: `${v.length} items, at least ${f.minItems} required (${where})` });
            }
            // Fields that exclude each other are judged at the top level, where the provider's paths are unambiguous.
            if (!path.includes(".") && present(out[topLevel(path)])) {
                for (const other of f.conflictsWith ?? []) {
                    if (!other.includes(".") && present(out[topLevel(other)])) failures.push({ property: path, reason: `conflicts with ${other} (${where})` });
                }
            }
            if (f.required && !path.includes(".") && !present(out[topLevel(path)])) failures.push({ property: path, reason: `is required (${where})` });
        }
    }
    for (const r of facts?.refuses ?? []) {
        const reason = r.refuse(out);
        if (reason) failures.push({ property: "", reason: `${reason} (${[r.source].flat()[0]})` });
    }
    return { inputs: out, failures };
}

function violates(rule: NonNullable<AttributeFacts["validations"]>[number], v: unknown): string | undefined {
    switch (rule.kind) {
        case "between":
            if (typeof v !== "number") return undefined;
            if ((rule.min !== undefined && v < rule.min) || (rule.max !== undefined && v > rule.max)) return `is outside ${rule.min ?? "-∞"}–${rule.max ?? "∞"}`;
            return undefined;
        case "length":
            if (typeof v !== "string") return undefined;
            if ((rule.min !== undefined && v.length < rule.min) || (rule.max !== undefined && v.length > rule.max)) return `has length ${v.length}, outside ${rule.min ?? 0}–${rule.max ?? "∞"}`;
            return undefined;
        case "oneOf":
            if (typeof v !== "string" && typeof v !== "number") return undefined;
            return rule.values.includes(String(v)) ? undefined : `is not one of ${rule.values.join(", ")}`;
        case "pattern":
            if (typeof v !== "string") return undefined;
            return new RegExp(rule.pattern).test(v) ? undefined : `does not match ${rule.pattern}`;
    }
}

/** What AWS stores for these inputs: the computed outputs (ids.ts), then every `stored` fact of the type. Pure. */
export function storedState(type: string, name: string, inputs: Record<string, any>, ctx: MockContext): { id: string; state: Record<string, any> } {
    const { id, state } = mockResourceState(type, name, inputs, ctx);
    let stored = state;
    for (const f of factsOf(type)?.stored ?? []) stored = f.store(stored);
    return { id, state: stored };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Does the new value differ from the stored one under `path`? Properties the schema marks Optional and
 * Computed, left out of the new value, keep the stored one and do not count. Pure.
 */
function differs(schema: TypeSchema | undefined, path: string, next: unknown, stored: unknown): boolean {
    if (isUnknown(next)) return true;
    if (next === undefined || next === null) {
        if (schema?.attributes[path]?.optionalComputed) return false;
        return present(stored) && !(Array.isArray(stored) && stored.length === 0) && !(typeof stored === "object" && Object.keys(stored as object).length === 0);
    }
    if (Array.isArray(next)) {
        if (!Array.isArray(stored) || stored.length !== next.length) return true;
        return next.some((x, i) => differs(schema, `${path}[]`, x, stored[i]));
    }
    if (typeof next === "object") {
        if (stored === null || typeof stored !== "object" || Array.isArray(stored)) return true;
        const keys = new Set([...Object.keys(next as object), ...Object.keys(stored as object)]);
        return [...keys].some((k) => differs(schema, `${path}.${k}`, (next as any)[k], (stored as any)[k]));
    }
    return !same(next, stored);
}

export interface ResourceDiff {
    /** Top-level input properties whose new value differs from the stored one. */
    changed: string[];
    /** Of those, the ones whose change replaces the resource. */
    replaces: string[];
    /** The ForceNew paths behind each replacement, for messages. */
    replaceReasons: string[];
}

/**
 * The diff of an update: new inputs (after `checkInputs`) against the stored state. Pure.
 * For types the provider's schema knows, only its input properties are compared (outputs such as
 * `arn` are the provider's business); other types compare every property the new inputs or the old
 * inputs name.
 */
export function diffInputs(type: string, olds: Record<string, any>, news: Record<string, any>, oldInputs?: Record<string, any>): ResourceDiff {
    const schema = schemaOf(type);
    const facts = factsOf(type);
    const props = schema
        ? schema.inputs.filter((p) => p !== "region")
        : [...new Set([...Object.keys(news), ...Object.keys(oldInputs ?? {})])];
    const changed = props.filter((p) => (schema ? differs(schema, p, news[p], olds[p]) : differs(undefined, p, news[p], olds[p]))).sort();
    const reasons: string[] = [];
    if (schema) {
        for (const [path, f] of Object.entries(schema.attributes)) {
            if (!f.forceNew || !changed.includes(topLevel(path))) continue;
            const next = valuesAt(news, path);
            const stored = valuesAt(olds, path);
            const moved = next.length !== stored.length || next.some((v, i) => differs(schema, path, v, stored[i]));
            if (moved) reasons.push(path);
        }
    }
    for (const p of facts?.replaces?.paths ?? []) if (changed.includes(p)) reasons.push(p);
    const replaces = [...new Set(reasons.map(topLevel))].filter((p) => changed.includes(p)).sort();
    return { changed, replaces, replaceReasons: reasons.sort() };
}
