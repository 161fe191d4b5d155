/**
 * `npm run fake-aws:schema [-- --check]`: regenerate `provider-schema.json`, the part of the fake AWS's
 * facts read from the AWS provider's own source rather than written by hand. For every resource type of
 * the facts table (facts.ts) it records, per Pulumi input property path, what
 * hashicorp/terraform-provider-aws declares in `internal/service/<service>/<resource>.go`: ForceNew (a
 * change replaces the resource), Optional+Computed (left out, the stored value stays), defaults, and the
 * validations the provider refuses input with (ranges, lengths, literal choices, AWS SDK enumerations,
 * fields that exclude each other, block sizes). Each type keeps the file and each path its line, at the
 * pinned commit.
 *
 * How: the provider's Go module at PROVIDER.version is fetched with `go mod download` (the Go module
 * proxy; about 120 MB once, cached), `schema-reader/` (a standard-library Go program) parses the
 * schema out of the source without building it, the AWS SDK for Go's enumerations come from the
 * `aws-sdk-go-v2/service/*` modules at the versions the provider's go.mod pins, and the Terraform names
 * are mapped onto the Pulumi property names of `@pulumi/aws`'s own declarations (the .d.ts files in
 * node_modules: camelCase, lists pluralised, one-item blocks flattened to objects). A Terraform
 * attribute with no Pulumi property is listed under `unmapped` with its reason, never dropped silently.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { runMain } from "../../cli/run-main";
import { PROJECT_DIR } from "../../cli/stack-file";
import { generatedDocMain, type GeneratedDoc } from "../generated-doc";
import { FACTS } from "./facts";
import type { AttributeFacts, ProviderSchema, TypeSchema, Validation } from "./schema";

/** The provider source the table is read from (upstream 6.48.0, unreleased at this commit; @pulumi/aws 7.48 bridges 6.x). */
export const PROVIDER = {
    module: "github.com/hashicorp/terraform-provider-aws",
    /** The Go module proxy's pseudo-version of the commit (upstream tags v6.x are not valid Go module versions). */
    version: "v1.60.1-0.20260602190131-5f2286d6d836",
    commit: "5f2286d6d836",
    upstream: "6.48.0 (CHANGELOG: unreleased)",
};
export const SCHEMA_FILE = path.join(__dirname, "provider-schema.json");
const READER_DIR = path.join(__dirname, "schema-reader");

interface TfAttr {
    name: string;
    type?: string;
    required?: boolean;
    optional?: boolean;
    computed?: boolean;
    forceNew?: boolean;
    forceNewIf?: string;
    maxItems?: number;
    minItems?: number;
    default?: unknown;
    validations?: { kind: string; min?: number; max?: number; values?: string[]; enumType?: string; enumPackage?: string; pattern?: string }[];
    conflictsWith?: string[];
    exactlyOneOf?: string[];
    atLeastOneOf?: string[];
    deprecated?: boolean;
    sensitive?: boolean;
    children?: TfAttr[];
    unresolved?: string;
    line?: number;
}
interface TfResource {
    resource: string;
    file: string;
    kind: "sdk" | "framework";
    attrs: TfAttr[] | null;
    customizeDiffForceNew?: string[];
    unresolved?: string[];
}

function go(args: string[], cwd = process.cwd()): string {
    const goBin = ["/usr/local/go/bin/go", "go"].find((g) => g === "go" || fs.existsSync(g))!;
    const r = spawnSync(goBin, args, { cwd, encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, GOFLAGS: "-mod=mod" } });
    if (r.status !== 0) throw new Error(`go ${args.join(" ")} failed:\n${r.error?.message ?? ""}${r.stderr}`);
    return r.stdout;
}

function download(module: string, version: string): string {
    return JSON.parse(go(["mod", "download", "-json", `${module}@${version}`])).Dir;
}

// ---- @pulumi/aws declarations ---------------------------------------------------------------------

/** An object's fields are read on demand: input types can be recursive (WAF statements). */
type PulumiShape = { kind: "scalar" } | { kind: "object"; readonly fields: Map<string, PulumiProp> } | { kind: "map" };
interface PulumiProp {
    array: boolean;
    /** Declared optional (`name?:`) in the Args. */
    optional?: boolean;
    shape: PulumiShape;
}

class PulumiDeclarations {
    private readonly root = path.join(PROJECT_DIR, "node_modules", "@pulumi", "aws");
    private readonly inputs = new Map<string, ts.InterfaceDeclaration>();
    private readonly inputFile: ts.SourceFile;

    constructor() {
        const file = path.join(this.root, "types", "input.d.ts");
        const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
        this.inputFile = sf;
        const visit = (node: ts.Node, ns: string[]) => {
            if (ts.isModuleDeclaration(node) && node.body && ts.isModuleBlock(node.body)) {
                for (const s of node.body.statements) visit(s, [...ns, node.name.getText(sf)]);
            } else if (ts.isInterfaceDeclaration(node)) {
                this.inputs.set([...ns, node.name.text].join("."), node);
            }
        };
        sf.statements.forEach((s) => visit(s, []));
    }

    /** The Args interface of a resource token (`aws:servicediscovery/service:Service` → servicediscovery/service.d.ts ServiceArgs). */
    args(token: string): Map<string, PulumiProp> {
        const [, module, file, name] = token.match(/^aws:([^/]+)\/([^:]+):(.+)$/)!;
        const dts = path.join(this.root, module, `${file}.d.ts`);
        const sf = ts.createSourceFile(dts, fs.readFileSync(dts, "utf8"), ts.ScriptTarget.Latest, false);
        const decl = sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `${name}Args`);
        if (!decl) throw new Error(`${dts}: no interface ${name}Args`);
        return this.fields(decl, sf);
    }

    private fields(decl: ts.InterfaceDeclaration, sf: ts.SourceFile): Map<string, PulumiProp> {
        const out = new Map<string, PulumiProp>();
        for (const m of decl.members) {
            if (!ts.isPropertySignature(m) || !m.type) continue;
            out.set(ts.isIdentifier(m.name) ? m.name.text : m.name.getText(sf), { ...this.prop(m.type, sf), optional: m.questionToken !== undefined });
        }
        return out;
    }

    private readonly objectFields = new Map<string, Map<string, PulumiProp>>();
    private fieldsOf(key: string, decl: ts.InterfaceDeclaration): Map<string, PulumiProp> {
        if (!this.objectFields.has(key)) this.objectFields.set(key, this.fields(decl, this.inputFile));
        return this.objectFields.get(key)!;
    }

    private prop(t: ts.TypeNode, sf: ts.SourceFile): PulumiProp {
        // pulumi.Input<X>, X | undefined, X[] and inputs.ns.Name, in any nesting.
        if (ts.isTypeReferenceNode(t) && t.typeName.getText(sf) === "pulumi.Input" && t.typeArguments?.length === 1) return this.prop(t.typeArguments[0], sf);
        if (ts.isUnionTypeNode(t)) {
            const members = t.types.filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.NullKeyword));
            return this.prop(members[0], sf);
        }
        if (ts.isParenthesizedTypeNode(t)) return this.prop(t.type, sf);
        if (ts.isArrayTypeNode(t)) return { array: true, shape: this.prop(t.elementType, sf).shape };
        if (ts.isTypeLiteralNode(t)) return { array: false, shape: { kind: "map" } };
        if (ts.isTypeReferenceNode(t)) {
            const name = t.typeName.getText(sf);
            if (name.startsWith("inputs.")) {
                const key = name.slice("inputs.".length);
                const decl = this.inputs.get(key);
                if (!decl) return { array: false, shape: { kind: "scalar" } };
                const fieldsOf = () => this.fieldsOf(key, decl);
                return { array: false, shape: { kind: "object", get fields() { return fieldsOf(); } } };
            }
        }
        return { array: false, shape: { kind: "scalar" } };
    }
}

// ---- names ---------------------------------------------------------------------------------------

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
function plurals(s: string): string[] {
    if (/(s|x|ch|sh)$/.test(s)) return [`${s}es`, s];
    if (/[^aeiou]y$/.test(s)) return [`${s.slice(0, -1)}ies`, `${s}s`];
    return [`${s}s`];
}

/** The Pulumi property a Terraform attribute became: camelCase, or its plural for a list. */
function pulumiName(tf: string, fields: Map<string, PulumiProp>): string | undefined {
    const c = camel(tf);
    if (fields.has(c)) return c;
    return plurals(c).find((p) => fields.has(p));
}

// ---- enumerations ---------------------------------------------------------------------------------

class Enums {
    private readonly versions = new Map<string, string>();
    private readonly cache = new Map<string, Map<string, string[]>>();
    private readonly constants = new Map<string, Map<string, string>>();
    constructor(providerDir: string) {
        const goMod = fs.readFileSync(path.join(providerDir, "go.mod"), "utf8");
        for (const m of goMod.matchAll(/^\s*(github\.com\/aws\/aws-sdk-go-v2\/service\/[a-z0-9]+) (v[0-9.]+)/gm)) this.versions.set(m[1], m[2]);
    }
    /** The values of an AWS SDK for Go enumeration type (`types.RecordType.Values()`). */
    values(pkg: string, goType: string): { values: string[]; source: string } | undefined {
        const module = this.load(pkg);
        if (!module) return undefined;
        const type = goType.split(".").pop()!;
        const values = this.cache.get(module)!.get(type);
        return values && { values, source: `${module}@${this.versions.get(module)}/types/enums.go (${type}.Values)` };
    }

    /** The value of an enumeration constant (`types.RoutingPolicyMultivalue` → "MULTIVALUE"). */
    constant(pkg: string, name: string): string | undefined {
        const module = this.load(pkg);
        return module ? this.constants.get(module)!.get(name.split(".").pop()!) : undefined;
    }

    private load(pkg: string): string | undefined {
        const module = pkg.replace(/\/types$/, "");
        const version = this.versions.get(module);
        if (!version) return undefined;
        if (!this.cache.has(module)) {
            const dir = download(module, version);
            const text = fs.readFileSync(path.join(dir, "types", "enums.go"), "utf8");
            const byType = new Map<string, string[]>();
            for (const m of text.matchAll(/func \((\w+)\) Values\(\) \[\]\w+ \{\s*return \[\]\w+\{([^}]*)\}/g)) {
                byType.set(m[1], [...m[2].matchAll(/"([^"]*)"/g)].map((x) => x[1]));
            }
            const consts = new Map<string, string>();
            for (const m of text.matchAll(/^\s*(\w+)\s+\w+\s*=\s*"([^"]*)"/gm)) consts.set(m[1], m[2]);
            this.cache.set(module, byType);
            this.constants.set(module, consts);
        }
        return module;
    }
}

// ---- mapping ------------------------------------------------------------------------------------

const SKIPPED = new Set(["tags_all", "timeouts", "id", "region"]);

/**
 * Terraform attributes @pulumi/aws renames (pulumi/pulumi-aws provider/resources.go), per type: the
 * generator refuses any other attribute it cannot find, so this list is complete for the table's types.
 */
const RENAMED: Record<string, Record<string, string>> = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": { alarm_name: "name" },
};

function mapResource(tf: TfResource, args: Map<string, PulumiProp>, enums: Enums, renamed: Record<string, string> = {}): Omit<TypeSchema, "tfResource"> {
    const attributes: Record<string, AttributeFacts> = {};
    const unmapped: string[] = [];
    const tfToPulumi = new Map<string, string>();

    const walk = (attrs: TfAttr[], fields: Map<string, PulumiProp>, pulumiAt: string, tfAt: string, depth: number) => {
        for (const a of attrs) {
            if (SKIPPED.has(a.name) && !tfAt) continue;
            const isInput = a.required || a.optional;
            const name = !tfAt && renamed[a.name] ? renamed[a.name] : pulumiName(a.name, fields);
            const tfPath = tfAt ? `${tfAt}.${a.name}` : a.name;
            if (!name) {
                if (isInput) unmapped.push(`${tfPath}: no property in @pulumi/aws's Args`);
                continue;
            }
            const prop = fields.get(name)!;
            const p = `${pulumiAt}${name}${prop.array ? "[]" : ""}`;
            tfToPulumi.set(tfPath, p);
            if (!isInput) continue;
            const facts: AttributeFacts = { tf: tfPath, line: a.line ?? 0 };
            // Required by Terraform but optional in @pulumi/aws: the bridge names it (`<resource name>-<random>`).
            if (a.required && !tfAt && prop.optional && name === "name") facts.autoNamed = true;
            else if (a.required) facts.required = true;
            if (a.optional && a.computed) facts.optionalComputed = true;
            if (a.forceNew) facts.forceNew = true;
            if (a.forceNewIf) facts.forceNewIf = a.forceNewIf;
            if (a.deprecated) facts.deprecated = true;
            if (a.maxItems && prop.array) facts.maxItems = a.maxItems;
            if (a.minItems && prop.array) facts.minItems = a.minItems;
            if (a.default !== undefined) {
                const d = a.default as AttributeFacts["default"] | { enumConstant: string; package: string };
                if (d !== null && typeof d === "object") {
                    const v = enums.constant(d.package, d.enumConstant);
                    if (v !== undefined) facts.default = v;
                    else unmapped.push(`${tfPath}: default ${d.enumConstant} not found`);
                } else facts.default = d;
            }
            const validations: Validation[] = [];
            for (const v of a.validations ?? []) {
                if (v.kind === "enum") {
                    const e = enums.values(v.enumPackage ?? "", v.enumType ?? "");
                    if (e) validations.push({ kind: "oneOf", values: e.values, source: e.source });
                    else unmapped.push(`${tfPath}: enumeration ${v.enumType} (${v.enumPackage}) not found`);
                } else if (v.kind === "between" || v.kind === "length") validations.push({ kind: v.kind, min: v.min, max: v.max });
                else if (v.kind === "oneOf") validations.push({ kind: "oneOf", values: v.values ?? [] });
                else if (v.kind === "pattern") validations.push({ kind: "pattern", pattern: v.pattern! });
            }
            if (validations.length) facts.validations = validations;
            for (const k of ["conflictsWith", "exactlyOneOf", "atLeastOneOf"] as const) if (a[k]?.length) facts[k] = a[k]!.map((x) => x.replace(/\.\d+\./g, "."));
            // An object path stays in the table when it carries a fact; its children follow.
            const interesting = facts.required || facts.autoNamed || facts.optionalComputed || facts.forceNew || facts.forceNewIf || facts.deprecated || facts.maxItems || facts.minItems
                || facts.default !== undefined || facts.validations || facts.conflictsWith || facts.exactlyOneOf || facts.atLeastOneOf;
            if (interesting) attributes[p] = facts;
            if (a.unresolved) unmapped.push(`${tfPath}: not read (${a.unresolved})`);
            if (a.children?.length && prop.shape.kind === "object" && depth < 6) walk(a.children, prop.shape.fields, `${p}.`, tfPath, depth + 1);
        }
    };
    walk(tf.attrs ?? [], args, "", "", 0);

    // Paths named by the provider in Terraform syntax (conflicts) become Pulumi paths.
    const toPulumi = (tfPath: string) => tfToPulumi.get(tfPath) ?? tfToPulumi.get(tfPath.replace(/\.\d+/g, "")) ?? tfPath;
    for (const f of Object.values(attributes)) {
        for (const k of ["conflictsWith", "exactlyOneOf", "atLeastOneOf"] as const) if (f[k]) f[k] = f[k]!.map(toPulumi);
    }
    const customizeDiffForceNew = [...new Set((tf.customizeDiffForceNew ?? []).map((c) => {
        const [tfPath, how] = c.split(" (");
        return `${toPulumi(tfPath.replace(/\.\d+/g, ""))} (${how}`;
    }))];
    return {
        file: tf.file,
        kind: tf.kind,
        inputs: [...args.keys()].sort(),
        attributes,
        ...(customizeDiffForceNew.length ? { customizeDiffForceNew } : {}),
        ...(unmapped.length || tf.unresolved?.length ? { unmapped: [...(tf.unresolved ?? []), ...unmapped] } : {}),
    };
}

/** Read the provider's schema for every type of the facts table. */
export function generate(log: (l: string) => void = () => undefined): ProviderSchema {
    log(`provider source ${PROVIDER.module}@${PROVIDER.version} (go mod download)…`);
    const providerDir = download(PROVIDER.module, PROVIDER.version);
    const wanted = Object.entries(FACTS).filter(([, f]) => f.tfResource).map(([token, f]) => [token, f.tfResource!] as const);
    const reader = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "schema-reader-")), "schema-reader");
    go(["build", "-o", reader, "."], READER_DIR);
    const r = spawnSync(reader, ["-root", providerDir, ...new Set(wanted.map(([, tf]) => tf))], { encoding: "utf8", maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`schema-reader failed:\n${r.stderr}`);
    const read = new Map((JSON.parse(r.stdout) as TfResource[]).map((x) => [x.resource, x]));
    const decls = new PulumiDeclarations();
    const enums = new Enums(providerDir);
    const types: Record<string, TypeSchema> = {};
    for (const [token, tfName] of wanted.sort(([a], [b]) => a.localeCompare(b))) {
        log(`  ${token} ← ${tfName}`);
        types[token] = { tfResource: tfName, ...mapResource(read.get(tfName)!, decls.args(token), enums, RENAMED[token]) };
    }
    return { provider: PROVIDER, types };
}

/** The file's text: one line per attribute, so a regenerated file diffs line by line. Pure. */
export function renderSchema(schema: ProviderSchema): string {
    const types = Object.entries(schema.types).map(([token, t]) => {
        const { attributes, ...head } = t;
        const attrs = Object.entries(attributes).map(([p, f]) => `      ${JSON.stringify(p)}: ${JSON.stringify(f)}`).join(",\n");
        const headText = Object.entries(head).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(",\n");
        return `  ${JSON.stringify(token)}: {\n${headText},\n    "attributes": {\n${attrs}\n    }\n  }`;
    });
    return `{\n "provider": ${JSON.stringify(schema.provider)},\n "types": {\n${types.join(",\n")}\n }\n}\n`;
}

export const PROVIDER_SCHEMA_DOC: GeneratedDoc = {
    command: "npm run fake-aws:schema",
    file: SCHEMA_FILE,
    summary: "Regenerate tools/fake-aws/provider-schema.json from the AWS provider's Go source (ForceNew, defaults, validations per property of every type in tools/fake-aws/facts.ts).",
    render: () => renderSchema(generate((l) => process.stderr.write(l + "\n"))),
};

if (require.main === module) runMain(() => generatedDocMain(PROVIDER_SCHEMA_DOC, process.argv.slice(2)));
