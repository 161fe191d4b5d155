/**
 * Checks the architecture rules (`rules.ts`) with dependency-cruiser over a source tree: the
 * repository (`npm test` does, in test/architecture/) or a small fixture tree (the tests of each rule).
 *
 *   npm run architecture            exit 1 and one line per offending import when a rule is broken
 */
import * as fs from "fs";
import * as path from "path";
import type { ICruiseOptions, ICruiseResult, IViolation } from "dependency-cruiser";
import { readFlags, Stop, type CommandSpec } from "../../cli/flags";
import { runMain } from "../../cli/run-main";
import { EXIT } from "../../cli/exit-codes";
import { PROJECT_DIR } from "../../cli/stack-file";
import { forbiddenRules, LAYERS } from "./rules";


type DependencyCruiser = typeof import("dependency-cruiser");
/** dependency-cruiser/config-utl/extract-ts-config (its types resolve only under `node16` module resolution). */
type TsConfigExtractor = { default: (tsConfigFileName: string) => object };

/**
 * dependency-cruiser is ES modules only (its package exports `import` conditions alone, and its
 * modules use top-level await), so it is loaded with a real `import()`, which TypeScript's CommonJS
 * output would otherwise turn into `require`.
 */
const importEsm = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

/** One broken rule: the importing module, what it imports, the rule and why the rule exists. */
export interface Violation {
    rule: string;
    from: string;
    to: string;
    /** The modules of a cycle, or the path by which a forbidden module is reached. */
    via: string[];
    why: string;
    /** A rule about the module itself (`from` is `to`): `via` holds the modules that import it. */
    module?: true;
}

export interface CheckResult {
    violations: Violation[];
    modules: number;
    dependencies: number;
    /** Every import the cruise saw, `from → to` (resolved paths), to show it saw the tree whole. */
    imports: string[];
}

/** The top-level entries of `root` that belong to a layer (what is cruised). */
export function layeredEntries(root: string): string[] {
    return fs.readdirSync(root)
        .filter((e) => LAYERS.some((l) => new RegExp(l.path).test(fs.statSync(path.join(root, e)).isDirectory() ? `${e}/` : e)))
        .sort();
}

/**
 * Cruise `root` (relative imports, tsconfig `paths`, packages in its node_modules) and return every
 * broken rule.
 */
export async function checkArchitecture(root: string = PROJECT_DIR): Promise<CheckResult> {
    const { cruise } = await importEsm<DependencyCruiser>("dependency-cruiser");
    const tsConfigFile = path.join(root, "tsconfig.json");
    const tsConfig = fs.existsSync(tsConfigFile)
        ? (await importEsm<TsConfigExtractor>("dependency-cruiser/config-utl/extract-ts-config")).default(tsConfigFile)
        : undefined;
    const options: ICruiseOptions = {
        baseDir: root,
        validate: true,
        ruleSet: { forbidden: forbiddenRules() },
        doNotFollow: { path: "(^|/)node_modules/" },
        // A worktree whose node_modules is a symlink to another checkout's still reports packages under
        // its own node_modules/ (not ../<checkout>/node_modules/).
        preserveSymlinks: true,
        // Declarations, and what builds and runs leave in the checkout (git-ignored): the sandbox's compiled
        // plugins, program and pack, dist/, Stryker's sandbox. They are copies, not modules of the code.
        exclude: { path: "\\.d\\.ts$|^(dist|tools/sandbox/\\.build|\\.stryker-tmp|\\.pulumi-offline)/" },
        // Type-only imports count (for cycles and layers) and are marked `type-only`. ("specify", which
        // also finds imports that compile away, parses every file twice: ten times slower here.)
        tsPreCompilationDeps: true,
        ...(tsConfig ? { tsConfig: { fileName: tsConfigFile } } : {}),
        // ESM-only packages (the IAM simulator) resolve like Node resolves them for either loader.
        enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
        outputType: "json",
    };
    const entries = layeredEntries(root);
    if (!entries.length) throw new Error(`${root}: nothing to check (no folder or file of a layer: ${LAYERS.map((l) => l.label).join(", ")})`);
    const cwd = process.cwd();
    // `baseDir` places the entries, but tsconfig `paths` resolve from the working directory.
    process.chdir(root);
    let output: ICruiseResult;
    try {
        const reported = await cruise(entries, options, undefined, tsConfig ? { tsConfig } : undefined);
        output = typeof reported.output === "string" ? JSON.parse(reported.output) : reported.output;
    } finally {
        process.chdir(cwd);
    }
    const why = new Map(forbiddenRules().map((r) => [r.name, r.comment]));
    const importers = new Map<string, string[]>();
    for (const m of output.modules) for (const d of m.dependencies) importers.set(d.resolved, [...(importers.get(d.resolved) ?? []), m.source]);
    // A module nothing reaches breaks both reachability rules; the orphan rule says it once.
    const orphans = new Set(output.summary.violations.filter((v) => v.rule.name === "no-orphan-module").map((v) => v.from));
    return {
        violations: output.summary.violations.filter((v) => !(v.rule.name === "shipped-code-reached-from-shipped-entry" && orphans.has(v.from))).map((v: IViolation) => ({
            rule: v.rule.name,
            from: v.from,
            to: v.to,
            // A module-level rule (no-orphan-module, shipped-code-reached-from-shipped-entry) names the module
            // twice; what imports it is what the reader needs.
            via: v.type === "module" ? (importers.get(v.from) ?? []).sort() : (v.cycle ?? v.via ?? []).map((m) => m.name),
            why: why.get(v.rule.name) ?? "",
            ...(v.type === "module" ? { module: true } : {}),
        })),
        modules: output.summary.totalCruised,
        dependencies: output.summary.totalDependenciesCruised ?? 0,
        imports: output.modules.flatMap((m) => m.dependencies.map((d) => `${m.source} → ${d.resolved}`)),
    };
}

/**
 * `components/cache.ts → automation/engine.ts: components-layer: components/ may import only config/: …`;
 * a cycle or a module reached through others shows the whole path; a rule about a module itself shows
 * what imports it: `automation/x.ts (imported only by test/x.test.ts): shipped-code-reached-from-shipped-entry: …`.
 */
export function formatViolation(v: Violation): string {
    if (v.module) return `${v.from} (${v.via.length ? `imported only by ${v.via.join(", ")}` : "imported by nothing"}): ${v.rule}: ${v.why}`;
    return `${[v.from, ...(v.via.length ? v.via : [v.to])].join(" → ")}: ${v.rule}: ${v.why}`;
}

const ARCHITECTURE_FLAGS = {
    command: "npm run architecture --",
    synopsis: [""],
    summary: "Check the architecture rules of tools/architecture/rules.ts over the repository with dependency-cruiser.",
    flags: {},
    exitCodes: { ok: "every rule holds", error: "bad input", refused: "a rule is broken (one line per offending import)" },
} satisfies CommandSpec;

export async function main(argv: string[]): Promise<number> {
    const args = readFlags(ARCHITECTURE_FLAGS, argv, { out: console.log, err: console.error }, (v) => v);
    if (args instanceof Stop) return args.exitCode;
    const started = Date.now();
    const result = await checkArchitecture();
    for (const v of result.violations) console.error(formatViolation(v));
    const summary = `${result.modules} modules, ${result.dependencies} imports, ${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (result.violations.length) {
        console.error(`${result.violations.length} import(s) break the architecture rules (${summary}).`);
        return EXIT.refused;
    }
    console.log(`Every architecture rule holds (${summary}).`);
    return EXIT.ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
