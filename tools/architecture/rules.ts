/**
 * The architecture as data: the layers (top-level folders), the imports each may make, and the few
 * rules that are not about layers. dependency-cruiser checks them (`check.ts`, run by `npm test`),
 * and the "Layout" paragraph and diagram of docs/architecture.md are generated from them
 * (`layout-docs.ts`), so the picture cannot drift from what is enforced.
 *
 * Paths are regular expressions over paths relative to the repository root, as dependency-cruiser
 * reports them (`components/cache.ts`, `node_modules/@pulumi/policy/index.js`).
 */
import type { IForbiddenRuleType } from "dependency-cruiser";

export type LayerName = "config" | "cli" | "components" | "policy" | "automation" | "program" | "tools" | "examples" | "test";

export interface Layer {
    name: LayerName;
    /** How docs/architecture.md names it. */
    label: string;
    path: string;
    /** What lives there, for the diagram. */
    holds: string;
    /** The other layers it may import (its own modules it always may). */
    mayImport: readonly LayerName[];
    /** Why the layer is fenced the way it is; printed with a violation. */
    why: string;
}

/** Bottom to top: a layer imports only layers listed before it. */
export const LAYERS: readonly Layer[] = [
    {
        name: "config", label: "config/", path: "^config/",
        holds: "stack-config schema and loader, AWS limits, names, rollout settings, dr mode, recovery objectives",
        mayImport: [],
        why: "the base layer: every other layer reads the stack config and the names through it, so it imports none of them",
    },
    {
        name: "cli", label: "cli/", path: "^cli/", holds: "command plumbing: entry point, stack files, flags",
        mayImport: [],
        why: "the plumbing every command shares (automation's and tools') knows nothing of what the commands do",
    },
    {
        name: "components", label: "components/", path: "^components/", holds: "one ComponentResource per file; the library entry",
        mayImport: ["config"],
        why: "the components are a library: they take typed args and never reach into the rollout, the policy pack, the tools or the tests",
    },
    {
        name: "policy", label: "policy/", path: "^policy/", holds: "the CrossGuard pack",
        mayImport: ["config"],
        why: "policies judge resources by type and properties, never by importing the components that made them",
    },
    {
        name: "automation", label: "automation/", path: "^automation/", holds: "rollout engine, analysis, ports, adapters, commands",
        mayImport: ["config", "cli"],
        why: "the rollout talks to stacks through the stack port and their outputs, and takes what it needs of the stack config from config/",
    },
    {
        name: "program", label: "index.ts", path: "^index\\.ts$", holds: "the stack program",
        mayImport: ["config", "components"],
        why: "the stack program loads the config and builds the components, nothing else",
    },
    {
        name: "tools", label: "tools/", path: "^tools/", holds: "offline plan, mock engine, sandbox, reachability, docs, benchmarks",
        mayImport: ["config", "cli", "components", "policy", "automation"],
        why: "tools sit on top of everything they use, but never on the tests or the examples",
    },
    {
        name: "examples", label: "examples/", path: "^examples/", holds: "programs that use the library by name",
        mayImport: ["components"],
        why: "an example uses the library as a user would: only what the package name exports",
    },
    {
        name: "test", label: "test/", path: "^test/", holds: "mocha tests and their harness",
        mayImport: ["config", "cli", "components", "policy", "automation", "program", "tools"],
        why: "tests may use everything; nothing but tests uses them",
    },
];

/**
 * The modules something outside the code starts, by path: each is a root of the import graph. Every other
 * module must be reached from one of them (rule `no-orphan-module`); code that ships must be reached from
 * a shipped one (rule `shipped-code-reached-from-shipped-entry`). test/architecture/rules.test.ts checks
 * that every `.ts` file package.json's scripts, Pulumi.yaml, bin/ and the mocha configs start is one.
 */
export interface EntryPoint {
    path: string;
    /** Who starts it. */
    startedBy: string;
    /** Whether it is part of what ships (the program, the library, the pack, the operator commands). */
    shipped: boolean;
}

export const ENTRY_POINTS: readonly EntryPoint[] = [
    { path: "^index\\.ts$", startedBy: "Pulumi.yaml `main`: the stack program", shipped: true },
    { path: "^components/index\\.ts$", startedBy: "package.json `main`/`exports`: the library", shipped: true },
    { path: "^policy/index\\.ts$", startedBy: "`--policy-pack policy` (policy/package.json `main`): the pack", shipped: true },
    {
        path: "^automation/(cli|simulate|dr-cli)\\.ts$", shipped: true,
        startedBy: "the operator commands (npm scripts rollout*, rollout:simulate, dr:*; tools/rollout.ts and tools/tms.ts start them)",
    },
    {
        path: "^tools/(tms|rollout|plan|policy-runner|policy-smoke|bench|bench-engine|chart-example|urn-inventory|(access|access-paths|network|policy)-docs)\\.ts$",
        startedBy: "`tms` (bin/tms.js), the npm scripts and the documented `npx ts-node` commands", shipped: false,
    },
    { path: "^tools/(architecture/(check|layout-docs)|fake-aws/provider-schema|sandbox/pulumi)\\.ts$", startedBy: "npm scripts (architecture, docs:layout, fake-aws:schema, pulumi)", shipped: false },
    { path: "^tools/bench-baseline-program\\.ts$", startedBy: "`npm run bench`, as the Pulumi program of its baseline", shipped: false },
    {
        path: "^tools/sandbox/(fake-provider|dynalite-server|program-runner)\\.ts$",
        startedBy: "the sandbox, as processes: the plugin scripts of tools/sandbox/plugins/, the rollout table's server, the language host's program runner",
        shipped: false,
    },
    { path: "^test/.+\\.(test|engine|chaos)\\.ts$", startedBy: "mocha (.mocharc.json, test/engine/ and test/chaos/ configs)", shipped: false },
    { path: "^test/engine/setup\\.ts$", startedBy: "the engine and chaos suites' mocha `require`", shipped: false },
    { path: "^test/(programs|[^/]+/(programs|fixtures))/[^/]+\\.ts$", startedBy: "tests, as a program or process of its own (a Pulumi program, a CLI with fakes)", shipped: false },
    { path: "^examples/[^/]+/index\\.ts$", startedBy: "`pulumi up` in the example's folder", shipped: false },
];

/** The layers that ship (what a user installs or runs): everything but tools/, test/ and examples/. */
export const SHIPPED_PATH = "^(index\\.ts$|config/|cli/|components/|policy/|automation/)";

/** A rule that is not about layers: a sentence for docs/architecture.md and the rule itself. */
export interface SpecialRule {
    /** One sentence for docs/architecture.md, in the present tense. */
    statement: string;
    rule: IForbiddenRuleType & { name: string; comment: string };
}

/** Modules outside the repository, by the path dependency-cruiser resolves them to. */
const pkg = (name: string) => `(^|/)node_modules/${name}/`;

export const SPECIAL_RULES: readonly SpecialRule[] = [
    {
        statement: "There is no import cycle anywhere, type-only imports included.",
        rule: {
            name: "no-cycle", severity: "error",
            comment: "an import cycle makes load order matter and layers meaningless: move the shared types to a module both sides import",
            from: {}, to: { circular: true },
        },
    },
    {
        statement: "Only `policy/index.ts` loads `@pulumi/policy`'s runtime; the other policy modules import its types only (`import type`).",
        rule: {
            name: "policy-runtime-only-in-the-pack", severity: "error",
            comment: "the policy modules are run by tests and tools over any set of resources; only the pack (policy/index.ts) may load @pulumi/policy's runtime: write `import type`",
            from: { path: "^policy/", pathNot: "^policy/index\\.ts$" },
            to: { path: pkg("@pulumi/policy"), dependencyTypesNot: ["type-only"] },
        },
    },
    {
        statement: "Nothing imports `policy/index.ts` (constructing the pack starts a server).",
        rule: {
            name: "no-import-of-the-pack", severity: "error",
            comment: "constructing the PolicyPack starts a gRPC server and can exit the process: import policy/policies.ts instead",
            from: {}, to: { path: "^policy/index\\.ts$" },
        },
    },
    {
        statement: "The rollout engine, the analysis and the calendar reach no AWS SDK or Pulumi module, directly or through what they import (the adapters do).",
        rule: {
            name: "engine-stays-plain", severity: "error",
            comment: "the engine runs the same against AWS and in tests because it only talks to ports; AWS SDK and Pulumi calls belong in automation/adapters/",
            from: { path: "^automation/(engine|analysis|calendar)\\.ts$" },
            to: { path: [pkg("@aws-sdk/[^/]+"), pkg("@pulumi/[^/]+")], reachable: true },
        },
    },
    {
        statement: "The AGPL-licensed IAM simulator (`@cloud-copilot/*`, a dev dependency) is imported by tests and by one adapter, `tools/access-paths/iam-simulator.ts`, only.",
        rule: {
            name: "agpl-simulator-only-in-tests-and-its-adapter", severity: "error",
            comment: "@cloud-copilot/iam-simulate is AGPL-3.0 and a dev dependency: no code a user runs may import it; tools reach it only through tools/access-paths/iam-simulator.ts (docs/access-paths.md, the evaluator boundary)",
            from: { pathNot: ["^test/", "^tools/access-paths/iam-simulator\\.ts$"] }, to: { path: pkg("@cloud-copilot/[^/]+") },
        },
    },
    {
        statement: "Outside the tests, only `tools/access-paths/evaluator.ts` loads that adapter,",
        rule: {
            name: "agpl-adapter-loaded-dynamically", severity: "error",
            comment: "the simulator adapter is the one boundary to AGPL code: tools and commands call evaluator.ts's loadIamSimulator(), which imports the adapter dynamically and only when @cloud-copilot/iam-simulate is installed",
            from: { pathNot: ["^test/", "^tools/access-paths/evaluator\\.ts$"] }, to: { path: "^tools/access-paths/iam-simulator\\.ts$" },
        },
    },
    {
        statement: "and only through a dynamic `import()`, run when the dev dependency is installed.",
        rule: {
            name: "agpl-adapter-never-static", severity: "error",
            comment: "evaluator.ts must load the simulator adapter with a dynamic import(), so that a checkout without dev dependencies never loads it",
            from: { path: "^tools/access-paths/evaluator\\.ts$" }, to: { path: "^tools/access-paths/iam-simulator\\.ts$", dynamic: false },
        },
    },
    {
        statement: "Code that ships (the program, `config/`, `cli/`, `components/`, `policy/`, `automation/`) imports no dev dependency.",
        rule: {
            name: "shipped-code-has-no-dev-dependency", severity: "error",
            comment: "a dev dependency is absent from a production install (npm ci --omit=dev): declare it under dependencies, or keep the import in tools/ or test/",
            from: { path: SHIPPED_PATH }, to: { dependencyTypes: ["npm-dev"] },
        },
    },
    {
        statement: "Every module is an entry point (a program, a command, a test; `ENTRY_POINTS` in the rules) or is imported, directly or not, by one: no orphan or dead module.",
        rule: {
            name: "no-orphan-module", severity: "error",
            comment: "nothing starts or imports this module: delete it, import it where it is used, or (when something outside the code starts it) list it in ENTRY_POINTS of tools/architecture/rules.ts",
            from: { path: ENTRY_POINTS.map((e) => e.path) },
            to: { pathNot: [...ENTRY_POINTS.map((e) => e.path), "(^|/)node_modules/"], reachable: false },
        },
    },
    {
        statement: "Code that ships is reached from a shipped entry point (the program, the library, the pack, an operator command), not only from tests or tools.",
        rule: {
            name: "shipped-code-reached-from-shipped-entry", severity: "error",
            comment: "only tests or tools use this module, yet it sits in a layer that ships: move it under tools/ (or test/ when only tests use it), or import it from the shipped code that needs it",
            from: { path: ENTRY_POINTS.filter((e) => e.shipped).map((e) => e.path) },
            to: { path: SHIPPED_PATH, pathNot: ENTRY_POINTS.filter((e) => e.shipped).map((e) => e.path), reachable: false },
        },
    },
    {
        statement: "Every import resolves, and every project module it reaches belongs to a layer.",
        rule: {
            name: "no-unlayered-or-unresolved-import", severity: "error",
            comment: "an import that does not resolve, or that reaches a project file outside every layer, escapes the layer rules: fix the path or give the folder a layer in tools/architecture/rules.ts",
            from: {}, to: { pathNot: [...LAYERS.map((l) => l.path), "(^|/)node_modules/"], dependencyTypesNot: ["core"] },
        },
    },
];

export const layerRuleName = (l: Layer) => `${l.name}-layer`;

function layerByName(name: LayerName): Layer {
    const l = LAYERS.find((x) => x.name === name);
    if (!l) throw new Error(`tools/architecture/rules.ts: no layer named "${name}"`);
    return l;
}

/** "config/ and cli/" (each label between `quote`s) */
export function listLabels(names: readonly LayerName[], quote = ""): string {
    const labels = names.map((n) => `${quote}${layerByName(n).label}${quote}`);
    return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels[labels.length - 1]}`;
}

/** One rule per layer: its modules import no other layer than the ones it may. */
export function layerRules(): (IForbiddenRuleType & { name: string; comment: string })[] {
    return LAYERS.map((l) => {
        for (const n of l.mayImport) layerByName(n);
        const forbidden = LAYERS.filter((o) => o !== l && !l.mayImport.includes(o.name));
        const may = l.mayImport.length ? `may import only ${listLabels(l.mayImport)}` : "imports no other layer";
        return {
            name: layerRuleName(l), severity: "error" as const,
            comment: `${l.label} ${may}: ${l.why}`,
            from: { path: l.path }, to: { path: forbidden.map((o) => o.path) },
        };
    });
}

/** Every rule dependency-cruiser applies, layers first. */
export function forbiddenRules(): (IForbiddenRuleType & { name: string; comment: string })[] {
    return [...layerRules(), ...SPECIAL_RULES.map((s) => s.rule)];
}
