/**
 * One form for every config problem, whichever schema found it: `<key>: <value> <message>`, one line per
 * problem, the key written as the user writes it (`tms:database.instanceClass`, `tms:rollout.steps[1].weight`).
 * The stack schema (config/stack-config.ts) and the rollout settings (config/rollout-settings.ts, which
 * the simulator also reads from a trace file) report through here.
 */
import type { z } from "zod";

/** One problem found in a config. */
export interface ConfigProblem {
    /** Full key, e.g. `tms:database.instanceClass`. */
    key: string;
    message: string;
}

/** A value as a problem quotes it: JSON, cut at 60 characters. Pure. */
export function render(v: unknown): string {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return s.length > 60 ? s.slice(0, 57) + "…" : s;
}

/**
 * `root` followed by `path`: `keyOf("tms", ["database", "instanceClass"], ":")` is
 * `tms:database.instanceClass`; `keyOf("tms:rollout", ["steps", 1, "weight"])` is `tms:rollout.steps[1].weight`.
 */
export function keyOf(root: string, path: readonly PropertyKey[], firstSeparator = "."): string {
    let key = root;
    path.forEach((p, i) => {
        key += typeof p === "number" ? `[${p}]` : `${i === 0 ? firstSeparator : "."}${String(p)}`;
    });
    return key;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let v: unknown = root;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<PropertyKey, unknown>)[p];
    }
    return v;
}

type Def = {
    type: string;
    innerType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    in?: z.ZodType;
};
const defOf = (s: z.ZodType | undefined): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The keys the object schema at `path` of `schema` knows (through optional, default, arrays and records). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    let s: z.ZodType | undefined = schema;
    const unwrap = () => {
        for (let d = defOf(s); d && (d.innerType || (d.type === "pipe" && d.in)); d = defOf(s)) s = d.innerType ?? d.in;
    };
    for (const p of path) {
        unwrap();
        const d = defOf(s);
        s = d?.type === "object" ? d.shape?.[String(p)] : d?.type === "array" ? d.element : d?.type === "record" ? d.valueType : undefined;
    }
    unwrap();
    const d = defOf(s);
    return d?.type === "object" ? Object.keys(d.shape ?? {}) : [];
}

/**
 * The problems of a failed parse of `input` by `schema`, one per issue (one per unknown key), keyed under
 * `root`. A missing value "is required"; an unknown key lists the known ones; any other message follows
 * the offending value. Pure.
 */
export function problemsFromZod(
    schema: z.ZodType, error: z.ZodError, input: unknown, root: string, firstSeparator = ".",
): ConfigProblem[] {
    const out: ConfigProblem[] = [];
    for (const issue of error.issues) {
        if (issue.code === "unrecognized_keys") {
            const known = knownKeys(schema, issue.path);
            for (const k of issue.keys) {
                out.push({
                    key: keyOf(root, [...issue.path, k], firstSeparator),
                    message: `is not a known setting (known: ${known.join(", ")})`,
                });
            }
            continue;
        }
        const value = valueAt(input, issue.path);
        const key = keyOf(root, issue.path, firstSeparator);
        out.push({ key, message: value === undefined ? "is required" : `${render(value)} ${issue.message}` });
    }
    return out;
}

/** `<key>: <message>` (and `<source>: ` before it when given): the line a problem prints as. */
export const problemLine = (p: ConfigProblem, source?: string) => `${source ? `${source}: ` : ""}${p.key}: ${p.message}`;
