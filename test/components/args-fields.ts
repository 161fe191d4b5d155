/**
 * The fields of the exported `*Args` interfaces of components/, and of the interfaces their fields name
 * (`thresholds: Thresholds`, `drRunbook?: DrRunbookScope`, …, transitively), read with the TypeScript
 * compiler API from the source: name, optional, doc comment, `@default` tag. A type a field names only
 * inside a function type (a callback's return) is not part of the Args. Parsing only (no
 * type-checking), so it is cheap. Not a test file itself.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface ArgsField {
    file: string;
    iface: string;
    field: string;
    optional: boolean;
    documented: boolean;
    hasDefault: boolean;
    line: number;
    /**
     * Where the members of the field's object value are listed (their `iface`): `<iface>.<field>` for a type
     * literal, the interface's name for a field typed by one interface of components/ (`X`, `X | undefined`, `X[]`).
     */
    nested?: string;
}

/** The fields one Args interface (or nested type) has, its bases' included. */
export function fieldsOf(iface: string, dir = COMPONENTS): ArgsField[] {
    const own = argsFields(dir).filter((x) => x.iface === iface);
    return [...own, ...(bases(dir).get(iface) ?? []).flatMap((b) => fieldsOf(b, dir))];
}

const COMPONENTS = path.join(__dirname, "..", "..", "components");

const read = new Map<string, { fields: ArgsField[]; bases: Map<string, string[]> }>();

/** Every member of every exported `*Args` interface and of the interfaces they name, type literals included (read once per folder). */
export function argsFields(dir = COMPONENTS): ArgsField[] {
    if (!read.has(dir)) read.set(dir, readFields(dir));
    return read.get(dir)!.fields;
}

/** The interfaces each of those interfaces extends (`ServiceSettings` → `ContainerSettings`). */
function bases(dir: string): Map<string, string[]> {
    argsFields(dir);
    return read.get(dir)!.bases;
}

interface Declared { file: string; sf: ts.SourceFile; decl: ts.InterfaceDeclaration }

function readFields(dir: string): { fields: ArgsField[]; bases: Map<string, string[]> } {
    const declared = new Map<string, Declared[]>();
    const roots: Declared[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
        const sf = ts.createSourceFile(name, fs.readFileSync(path.join(dir, name), "utf8"), ts.ScriptTarget.Latest, true);
        for (const st of sf.statements) {
            if (!ts.isInterfaceDeclaration(st)) continue;
            const d = { file: name, sf, decl: st };
            declared.set(st.name.text, [...(declared.get(st.name.text) ?? []), d]);
            const exported = (ts.getModifiers(st) ?? []).some((x) => x.kind === ts.SyntaxKind.ExportKeyword);
            if (exported && /Args$/.test(st.name.text)) roots.push(d);
        }
    }
    // A name declared in the referring file wins; otherwise it must be declared once in the folder.
    const lookup = (name: string, from: string): Declared | undefined => {
        const all = declared.get(name) ?? [];
        return all.find((d) => d.file === from) ?? (all.length === 1 ? all[0] : undefined);
    };
    const out: ArgsField[] = [];
    const queue = [...roots];
    const seen = new Set(roots.map((d) => d.decl));
    const follow = (d: Declared | undefined) => {
        if (d && !seen.has(d.decl)) {
            seen.add(d.decl);
            queue.push(d);
        }
    };
    /** Every interface of the folder a type names, outside function types. */
    const referenced = (type: ts.TypeNode, from: string) => {
        const visit = (n: ts.Node): void => {
            if (ts.isFunctionTypeNode(n)) return;
            if (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName)) follow(lookup(n.typeName.text, from));
            ts.forEachChild(n, visit);
        };
        visit(type);
    };
    /** The interface a field is typed by: `X`, `X | undefined` or `X[]`. */
    const direct = (type: ts.TypeNode, from: string): string | undefined => {
        const parts = ts.isUnionTypeNode(type) ? type.types.filter((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword) : [type];
        const only = parts.length === 1 ? (ts.isArrayTypeNode(parts[0]) ? parts[0].elementType : parts[0]) : undefined;
        return only && ts.isTypeReferenceNode(only) && ts.isIdentifier(only.typeName) && lookup(only.typeName.text, from)
            ? only.typeName.text : undefined;
    };
    const visitMembers = (file: string, sf: ts.SourceFile, iface: string, members: ts.NodeArray<ts.TypeElement>) => {
        for (const m of members) {
            if (!ts.isPropertySignature(m) || !m.name) continue;
            const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
            const documented = docs.some((d) => (typeof d.comment === "string" ? d.comment : ts.getTextOfJSDocComment(d.comment) ?? "").trim().length > 0);
            const hasDefault = docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === "default"));
            const field = m.name.getText(sf);
            const literal = m.type && ts.isTypeLiteralNode(m.type) ? m.type : undefined;
            out.push({
                file, iface, field, optional: !!m.questionToken, documented, hasDefault,
                line: sf.getLineAndCharacterOfPosition(m.getStart(sf)).line + 1,
                nested: literal ? `${iface}.${field}` : m.type && direct(m.type, file),
            });
            // Nested object types (e.g. `stateBackend: { … }`) are Args fields too.
            if (literal) visitMembers(file, sf, `${iface}.${field}`, literal.members);
            else if (m.type) referenced(m.type, file);
        }
    };
    const bases = new Map<string, string[]>();
    for (let d = queue.shift(); d; d = queue.shift()) {
        // An interface's bases (`X extends DataTierTransforms`) hold its other fields.
        for (const h of d.decl.heritageClauses ?? []) {
            for (const t of h.types) {
                const base = ts.isIdentifier(t.expression) ? lookup(t.expression.text, d.file) : undefined;
                follow(base);
                if (base) bases.set(d.decl.name.text, [...(bases.get(d.decl.name.text) ?? []), base.decl.name.text]);
            }
        }
        visitMembers(d.file, d.sf, d.decl.name.text, d.decl.members);
    }
    return { fields: out, bases };
}

/**
 * The Args fields (as `argsFields` lists them) that no module of the folder reads by name: not as
 * `x.field`, `x["field"]` or `{ field }` in a module that declares or imports the field's interface.
 * `from-config.ts` does not count: it writes Args (reading the config's fields of the same names). A name
 * read for another object hides an unread field, so this finds the fields nothing reads at all.
 */
export function unreadFields(dir = COMPONENTS): ArgsField[] {
    const modules = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "from-config.ts").map((name) => {
        const sf = ts.createSourceFile(name, fs.readFileSync(path.join(dir, name), "utf8"), ts.ScriptTarget.Latest, true);
        const reads = new Set<string>();
        const imports = new Set<string>();
        const visit = (n: ts.Node): void => {
            if (ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
            if (ts.isImportSpecifier(n)) imports.add((n.propertyName ?? n.name).text);
            if (ts.isPropertyAccessExpression(n)) reads.add(n.name.text);
            if (ts.isBindingElement(n)) reads.add((n.propertyName ?? n.name).getText(sf));
            if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) reads.add(n.argumentExpression.text);
            ts.forEachChild(n, visit);
        };
        visit(sf);
        return { name, reads, imports };
    });
    return argsFields(dir).filter((f) => {
        const iface = f.iface.split(".")[0];
        return !modules.some((m) => (m.name === f.file || m.imports.has(iface)) && m.reads.has(f.field));
    });
}
