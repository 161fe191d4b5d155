/**
 * The fields of the exported `*Args` interfaces of components/ (and the interfaces they nest), read with
 * the TypeScript compiler API from the source: name, optional, doc comment, `@default` tag. Parsing
 * only (no type-checking), so it is cheap. Not a test file itself.
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
}

const COMPONENTS = path.join(__dirname, "..", "..", "components");

const read = new Map<string, ArgsField[]>();

/** Every member of every exported interface whose name ends in `Args`, with nested type-literal members (read once per folder). */
export function argsFields(dir = COMPONENTS): ArgsField[] {
    if (!read.has(dir)) read.set(dir, readFields(dir));
    return read.get(dir)!;
}

function readFields(dir: string): ArgsField[] {
    const out: ArgsField[] = [];
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
        const text = fs.readFileSync(path.join(dir, name), "utf8");
        const sf = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true);
        const visitMembers = (iface: string, members: ts.NodeArray<ts.TypeElement>) => {
            for (const m of members) {
                if (!ts.isPropertySignature(m) || !m.name) continue;
                const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
                const documented = docs.some((d) => (typeof d.comment === "string" ? d.comment : ts.getTextOfJSDocComment(d.comment) ?? "").trim().length > 0);
                const hasDefault = docs.some((d) => (d.tags ?? []).some((t) => t.tagName.text === "default"));
                out.push({
                    file: name, iface, field: m.name.getText(sf), optional: !!m.questionToken, documented, hasDefault,
                    line: sf.getLineAndCharacterOfPosition(m.getStart(sf)).line + 1,
                });
                // Nested object types (e.g. `stateBackend: { … }`) are Args fields too.
                if (m.type && ts.isTypeLiteralNode(m.type)) visitMembers(`${iface}.${m.name.getText(sf)}`, m.type.members);
            }
        };
        for (const st of sf.statements) {
            const exported = ts.canHaveModifiers(st) && (ts.getModifiers(st) ?? []).some((x) => x.kind === ts.SyntaxKind.ExportKeyword);
            if (exported && ts.isInterfaceDeclaration(st) && /Args$/.test(st.name.text)) visitMembers(st.name.text, st.members);
        }
    }
    return out;
}
