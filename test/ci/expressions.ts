/**
 * GitHub Actions expressions (`${{ … }}`), as far as the workflows here use them in what decides a
 * job's credentials (`environment:`, `role-to-assume`, `aws-region`): literals, context paths,
 * `!`, `==`, `!=`, `&&`, `||` and parentheses, with GitHub's semantics (docs.github.com, "Evaluate
 * expressions in workflows and actions"): `&&` and `||` return an operand, falsy values are false,
 * 0, -0, "", null; `==` is loose (different types compare as numbers) and ignores case for strings.
 * Anything else (a function call, an index) throws, so the test never guesses.
 */

export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
export type Contexts = Record<string, Value>;

const truthy = (v: Value) => !(v === false || v === 0 || v === "" || v === null || (typeof v === "number" && Number.isNaN(v)));

function toNumber(v: Value): number {
    if (v === null) return 0;
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (typeof v === "string") return v.trim() === "" ? 0 : Number(v);
    return NaN;
}

function looseEquals(a: Value, b: Value): boolean {
    if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
    if (typeof a === typeof b && typeof a !== "object") return a === b;
    if (a === null && b === null) return true;
    return toNumber(a) === toNumber(b);
}

type Token = { kind: "op" | "str" | "num" | "ident" | "end"; text: string };

function tokens(src: string): Token[] {
    const out: Token[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) { i++; continue; }
        const two = src.slice(i, i + 2);
        if (["==", "!=", "&&", "||"].includes(two)) { out.push({ kind: "op", text: two }); i += 2; continue; }
        if ("!()".includes(c)) { out.push({ kind: "op", text: c }); i++; continue; }
        if (c === "'") {
            let s = "";
            i++;
            for (;;) {
                if (i >= src.length) throw new Error(`unterminated string in ${src}`);
                if (src[i] === "'" && src[i + 1] === "'") { s += "'"; i += 2; continue; }
                if (src[i] === "'") { i++; break; }
                s += src[i++];
            }
            out.push({ kind: "str", text: s });
            continue;
        }
        const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
        if (num) { out.push({ kind: "num", text: num[0] }); i += num[0].length; continue; }
        const id = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(src.slice(i));
        if (id) { out.push({ kind: "ident", text: id[0] }); i += id[0].length; continue; }
        throw new Error(`unsupported expression syntax at "${src.slice(i)}" in ${src}`);
    }
    out.push({ kind: "end", text: "" });
    return out;
}

/** Evaluate one expression (the text inside `${{ }}`). */
export function evaluate(src: string, ctx: Contexts): Value {
    const ts = tokens(src);
    let p = 0;
    const peek = () => ts[p];
    const take = (text?: string) => {
        const t = ts[p++];
        if (text !== undefined && t.text !== text) throw new Error(`expected ${text}, got "${t.text}" in ${src}`);
        return t;
    };
    const or = (): Value => {
        let v = and();
        while (peek().text === "||") { take(); const r = and(); v = truthy(v) ? v : r; }
        return v;
    };
    const and = (): Value => {
        let v = not();
        while (peek().text === "&&") { take(); const r = not(); v = truthy(v) ? r : v; }
        return v;
    };
    const not = (): Value => {
        if (peek().text === "!") { take(); return !truthy(not()); }
        return cmp();
    };
    const cmp = (): Value => {
        const l = primary();
        if (peek().text === "==" || peek().text === "!=") {
            const op = take().text;
            const r = primary();
            return op === "==" ? looseEquals(l, r) : !looseEquals(l, r);
        }
        return l;
    };
    const primary = (): Value => {
        const t = take();
        if (t.kind === "str") return t.text;
        if (t.kind === "num") return Number(t.text);
        if (t.text === "(") { const v = or(); take(")"); return v; }
        if (t.kind === "ident") {
            if (peek().text === "(") throw new Error(`function ${t.text}() is not modelled (in ${src})`);
            if (t.text === "true") return true;
            if (t.text === "false") return false;
            if (t.text === "null") return null;
            let v: Value = ctx;
            for (const part of t.text.split(".")) {
                if (v === null || typeof v !== "object" || Array.isArray(v) || !(part in v)) return null;
                v = (v as { [k: string]: Value })[part];
            }
            return v;
        }
        throw new Error(`unexpected "${t.text}" in ${src}`);
    };
    const v = or();
    if (peek().kind !== "end") throw new Error(`trailing "${peek().text}" in ${src}`);
    return v;
}

/** A workflow string with its `${{ … }}` parts evaluated and joined as GitHub does (null → "", booleans as words). */
export function interpolate(text: string, ctx: Contexts): string {
    return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => {
        const v = evaluate(expr, ctx);
        return v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    });
}
