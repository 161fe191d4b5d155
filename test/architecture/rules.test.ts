/**
 * L1 (structure): the architecture rules of tools/architecture/rules.ts, checked by dependency-cruiser.
 * The repository keeps every rule; each rule fails on a small fixture tree that breaks it, and the
 * failure names the offending import; one import along every allowed arrow passes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import { checkArchitecture, formatViolation, layeredEntries, type CheckResult } from "../../tools/architecture/check";
import { ENTRY_POINTS, LAYERS, layerRuleName, type LayerName } from "../../tools/architecture/rules";

/** Fake packages of the fixture trees: name → whether package.json declares it as a dev dependency. */
const PACKAGES: Record<string, "dependencies" | "devDependencies"> = {
    "@pulumi/pulumi": "dependencies",
    "@pulumi/policy": "dependencies",
    "@aws-sdk/client-ecs": "dependencies",
    "luxon": "dependencies",
    "@cloud-copilot/iam-simulate": "devDependencies",
    "mocha": "devDependencies",
};

const roots: string[] = [];

/** A tree of source files (path → text) with the fake packages installed, in a temporary folder. */
function fixture(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "tms-architecture-"));
    roots.push(root);
    const manifest: Record<string, Record<string, string>> = { dependencies: {}, devDependencies: {} };
    for (const [name, kind] of Object.entries(PACKAGES)) {
        manifest[kind][name] = "1.0.0";
        const dir = path.join(root, "node_modules", name);
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
        fs.writeFileSync(path.join(dir, "index.js"), "exports.value = 1;\n");
    }
    fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ name: "fixture", version: "1.0.0", ...manifest }));
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
    return root;
}

/** `import { value } from "<spec>"` plus an export, so every file is a module that uses its import. */
const importing = (...specs: string[]) =>
    specs.map((s, i) => `import { value as v${i} } from "${s}";`).join("\n") + `\nexport const value = ${specs.map((_, i) => `v${i}`).join(" + ") || "1"};\n`;
const leaf = "export const value = 1;\n";

/** The rules about what reaches a module, which a fixture tree of a few files (no entry points) breaks everywhere. */
const REACH_RULES = ["no-orphan-module", "shipped-code-reached-from-shipped-entry"];
const importRulesOnly = (r: CheckResult): CheckResult => ({ ...r, violations: r.violations.filter((v) => !REACH_RULES.includes(v.rule)) });
const violationsOf = (r: CheckResult) => r.violations.map((v) => ({ rule: v.rule, from: v.from, to: v.to }));

describe("architecture rules (dependency-cruiser)", function () {
    this.timeout(60_000);
    after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

    it("hold for the repository, whose every layer the cruise saw", async () => {
        const started = Date.now();
        const result = await checkArchitecture();
        const seconds = (Date.now() - started) / 1000;
        assert.deepEqual(result.violations.map(formatViolation), [], "imports that break the architecture rules");
        assert.ok(result.modules > 150, `only ${result.modules} modules cruised`);
        // A vacuous cruise (nothing resolved) would pass too: the arrows the layout is made of are there.
        for (const arrow of [
            "components/from-config.ts → config/stack-config.ts",
            "automation/cli.ts → cli/run-main.ts",
            "tools/plan.ts → cli/flags.ts",
            "index.ts → components/environment.ts",
            "examples/library/index.ts → components/index.ts",
            "policy/index.ts → node_modules/@pulumi/policy/index.js",
        ]) assert.ok(result.imports.includes(arrow), `the cruise did not see ${arrow}`);
        assert.ok(result.imports.some((i) => /^test\/access\/simulate\.ts → node_modules\/@cloud-copilot\/iam-simulate\//.test(i)), "the IAM simulator did not resolve");
        assert.ok(seconds < 30, `the check took ${seconds} s`);
    });

    it("leave no TypeScript source outside the layers (what is not cruised cannot break a rule)", () => {
        const hasTs = (p: string): boolean => fs.statSync(p).isDirectory()
            ? fs.readdirSync(p).some((e) => e !== "node_modules" && hasTs(path.join(p, e)))
            : p.endsWith(".ts");
        const layered = new Set(layeredEntries(PROJECT_DIR));
        const outside = fs.readdirSync(PROJECT_DIR).filter((e) => !e.startsWith(".") && !["node_modules", "dist"].includes(e) && hasTs(path.join(PROJECT_DIR, e)) && !layered.has(e));
        assert.deepEqual(outside, [], "give these a layer in tools/architecture/rules.ts");
        assert.ok(layered.has("config") && layered.has("index.ts") && layered.has("test"), [...layered].join(", "));
    });

    it("list as entry points every module something outside the code starts, and no entry point that matches nothing", () => {
        const skip = new Set(["node_modules", "dist", ".git", ".pulumi-offline", ".build", "pulumi-cli", ".stryker-tmp", "reports"]);
        const walk = (dir: string): string[] => fs.readdirSync(path.join(PROJECT_DIR, dir), { withFileTypes: true })
            .filter((e) => !skip.has(e.name))
            .flatMap((e) => (e.isDirectory() ? walk(path.posix.join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path.posix.join(dir, e.name)] : []));
        const sources = fs.readdirSync(PROJECT_DIR).filter((e) => !skip.has(e) && !e.startsWith(".")).flatMap((e) =>
            fs.statSync(path.join(PROJECT_DIR, e)).isDirectory() ? walk(e) : e.endsWith(".ts") ? [e] : []);
        const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
        const started = new Map<string, string>();
        const scripts: Record<string, string> = JSON.parse(read("package.json")).scripts;
        for (const [name, command] of Object.entries(scripts)) for (const m of command.matchAll(/[\w./-]+\.ts\b/g)) started.set(m[0], `npm script ${name}`);
        started.set(/^main:\s*(\S+)/m.exec(read("Pulumi.yaml"))![1], "Pulumi.yaml main");
        const tmsEntry = /path\.join\(root, "tools", "([\w-]+\.ts)"\)/.exec(read("bin/tms.js"));
        assert.ok(tmsEntry, "bin/tms.js no longer names its entry as path.join(root, \"tools\", …)");
        started.set(`tools/${tmsEntry[1]}`, "bin/tms.js");
        for (const config of [".mocharc.json", "test/engine/.mocharc.json", "test/chaos/.mocharc.json"]) {
            for (const r of JSON.parse(read(config)).require as string[]) if (r.endsWith(".ts")) started.set(r, `${config} require`);
        }
        for (const f of sources) if (read(f).includes("require.main === module")) started.set(f, "runs as a command (require.main === module)");
        assert.ok(started.size > 20, `only ${started.size} started modules found`);
        const isEntry = (f: string) => ENTRY_POINTS.some((e) => new RegExp(e.path).test(f));
        const missing = [...started].filter(([f]) => !isEntry(f)).map(([f, by]) => `${f} (${by})`);
        assert.deepEqual(missing, [], "started from outside the code but not in ENTRY_POINTS (tools/architecture/rules.ts)");
        const stale = ENTRY_POINTS.filter((e) => !sources.some((f) => new RegExp(e.path).test(f))).map((e) => e.path);
        assert.deepEqual(stale, [], "entry points that match no source file");
    });

    it("report a module nothing reaches, and shipped code only tests or tools reach, naming the module and what imports it", async () => {
        const result = await checkArchitecture(fixture({
            "index.ts": importing("./components/index"),
            "components/index.ts": importing("./network"),
            "components/network.ts": importing("../config/naming"),
            "config/naming.ts": leaf,
            "policy/index.ts": importing("./rules"),
            "policy/rules.ts": importing("../config/naming"),
            "automation/cli.ts": importing("../cli/flags"),
            "cli/flags.ts": leaf,
            "examples/library/index.ts": importing("../../components/index"),
            // shipped, but only a test or a tool imports it
            "config/test-only.ts": leaf,
            "test/config/x.test.ts": importing("../../config/test-only", "./helpers"),
            "test/config/helpers.ts": leaf,
            "automation/bench.ts": leaf,
            "tools/bench.ts": importing("../automation/bench"),
            // nothing imports them (a dead chain counts whole)
            "automation/dead.ts": leaf,
            "tools/unused-helper.ts": importing("./unused-leaf"),
            "tools/unused-leaf.ts": leaf,
            "test/unused-fake.ts": leaf,
        }));
        const lines = result.violations.map(formatViolation).sort();
        const shipped = "shipped-code-reached-from-shipped-entry", orphan = "no-orphan-module";
        const why = (rule: string) => result.violations.find((v) => v.rule === rule)?.why ?? "";
        assert.deepEqual(lines, [
            `automation/bench.ts (imported only by tools/bench.ts): ${shipped}: ${why(shipped)}`,
            `automation/dead.ts (imported by nothing): ${orphan}: ${why(orphan)}`,
            `config/test-only.ts (imported only by test/config/x.test.ts): ${shipped}: ${why(shipped)}`,
            `test/unused-fake.ts (imported by nothing): ${orphan}: ${why(orphan)}`,
            `tools/unused-helper.ts (imported by nothing): ${orphan}: ${why(orphan)}`,
            `tools/unused-leaf.ts (imported only by tools/unused-helper.ts): ${orphan}: ${why(orphan)}`,
        ]);
        assert.ok(why(shipped).includes("move it under tools/") && why(orphan).includes("ENTRY_POINTS"), `${why(shipped)} / ${why(orphan)}`);
    });

    it("ignore what builds leave in the checkout (the sandbox's compiled copies in tools/sandbox/.build/, dist/)", async () => {
        const result = await checkArchitecture(fixture({
            "index.ts": importing("./components/index"),
            "components/index.ts": leaf,
            "tools/sandbox/.build/plugins/tools/sandbox/fake-provider.js": "module.exports = require('./ids');\n",
            "tools/sandbox/.build/plugins/tools/sandbox/ids.js": "module.exports = 1;\n",
            "dist/components/index.js": "module.exports = {};\n",
        }));
        assert.deepEqual(result.violations.map(formatViolation), []);
    });

    // Each case breaks one rule with the fewest files; the expected violation is exact.
    const cases: { title: string; files: Record<string, string>; expected: { rule: string; from: string; to: string }[] }[] = [
        ...(["automation", "policy", "tools"] as const).map((other) => ({
            title: `components/ never imports ${other}/`,
            files: { "components/cache.ts": importing(`../${other}/x`), [`${other}/x.ts`]: leaf },
            expected: [{ rule: "components-layer", from: "components/cache.ts", to: `${other}/x.ts` }],
        })),
        {
            title: "policy/ never imports components/",
            files: { "policy/buckets.ts": importing("../components/secure-bucket"), "components/secure-bucket.ts": leaf },
            expected: [{ rule: "policy-layer", from: "policy/buckets.ts", to: "components/secure-bucket.ts" }],
        },
        {
            title: "policy/ loads @pulumi/policy's runtime only in policy/index.ts (its types anywhere)",
            files: {
                "policy/ecs.ts": importing("@pulumi/policy"),
                "policy/common.ts": 'import type { value } from "@pulumi/policy";\nexport type T = typeof value;\n',
                "policy/index.ts": importing("@pulumi/policy"),
            },
            expected: [{ rule: "policy-runtime-only-in-the-pack", from: "policy/ecs.ts", to: "node_modules/@pulumi/policy/index.js" }],
        },
        {
            title: "automation/ never imports components/ (it reads the stack config from config/)",
            files: { "automation/cli.ts": importing("../components/config", "../config/stack-config"), "components/config.ts": leaf, "config/stack-config.ts": leaf },
            expected: [{ rule: "automation-layer", from: "automation/cli.ts", to: "components/config.ts" }],
        },
        {
            title: "the config schema never imports automation/ (today's wrong arrow, fixed)",
            files: { "config/stack-config.ts": importing("../automation/settings"), "automation/settings.ts": leaf },
            expected: [{ rule: "config-layer", from: "config/stack-config.ts", to: "automation/settings.ts" }],
        },
        {
            title: "commands in automation/ never import tools/ (their plumbing is in cli/)",
            files: { "automation/dr-cli.ts": importing("../tools/run-main", "../cli/flags"), "tools/run-main.ts": leaf, "cli/flags.ts": leaf },
            expected: [{ rule: "automation-layer", from: "automation/dr-cli.ts", to: "tools/run-main.ts" }],
        },
        {
            title: "the engine, analysis and calendar import no AWS SDK or Pulumi module, even through a helper (adapters may)",
            files: {
                "automation/engine.ts": importing("@aws-sdk/client-ecs"),
                "automation/analysis.ts": importing("./helper"),
                "automation/helper.ts": importing("@pulumi/pulumi"),
                "automation/calendar.ts": importing("luxon"),
                "automation/adapters/ecs-tasks.ts": importing("@aws-sdk/client-ecs", "@pulumi/pulumi"),
            },
            expected: [
                { rule: "engine-stays-plain", from: "automation/analysis.ts", to: "node_modules/@pulumi/pulumi/index.js" },
                { rule: "engine-stays-plain", from: "automation/engine.ts", to: "node_modules/@aws-sdk/client-ecs/index.js" },
            ],
        },
        ...(["components", "policy", "automation"] as const).map((layer) => ({
            title: `nothing under ${layer}/ imports test/`,
            files: { [`${layer}/x.ts`]: importing("../test/harness"), "test/harness.ts": leaf },
            expected: [{ rule: `${layer}-layer`, from: `${layer}/x.ts`, to: "test/harness.ts" }],
        })),
        {
            title: "no circular imports, type-only ones included",
            files: {
                "automation/ports.ts": 'import type { State } from "./state";\nexport type Port = { load(): State };\n',
                "automation/state.ts": 'import type { Port } from "./ports";\nexport type State = { port: Port };\n',
            },
            // dependency-cruiser reports a cycle once, with its modules in `via`.
            expected: [{ rule: "no-cycle", from: "automation/ports.ts", to: "automation/state.ts" }],
        },
        {
            title: "nothing imports policy/index.ts (the pack starts a server)",
            files: { "test/policy/pack.test.ts": importing("../../policy/index"), "policy/index.ts": leaf },
            expected: [{ rule: "no-import-of-the-pack", from: "test/policy/pack.test.ts", to: "policy/index.ts" }],
        },
        {
            title: "the AGPL IAM simulator is imported by tests and its one adapter only",
            files: {
                "tools/access-docs.ts": importing("@cloud-copilot/iam-simulate"),
                "test/access/simulate.ts": importing("@cloud-copilot/iam-simulate"),
                "tools/access-paths/iam-simulator.ts": importing("@cloud-copilot/iam-simulate"),
            },
            expected: [{ rule: "agpl-simulator-only-in-tests-and-its-adapter", from: "tools/access-docs.ts", to: "node_modules/@cloud-copilot/iam-simulate/index.js" }],
        },
        {
            title: "outside the tests only the evaluator loads the adapter, and only with a dynamic import()",
            files: {
                "tools/access-paths/iam-simulator.ts": leaf,
                "tools/access-paths/evaluator.ts": 'export async function load() { return import("./iam-simulator"); }\n',
                "tools/plan.ts": importing("./access-paths/iam-simulator"),
                "tools/access-paths-docs.ts": 'export async function load() { return import("./access-paths/iam-simulator"); }\n',
                "test/access/paths.test.ts": importing("../../tools/access-paths/iam-simulator"),
            },
            expected: [
                { rule: "agpl-adapter-loaded-dynamically", from: "tools/plan.ts", to: "tools/access-paths/iam-simulator.ts" },
                { rule: "agpl-adapter-loaded-dynamically", from: "tools/access-paths-docs.ts", to: "tools/access-paths/iam-simulator.ts" },
            ],
        },
        {
            title: "the evaluator never imports the adapter statically",
            files: { "tools/access-paths/iam-simulator.ts": leaf, "tools/access-paths/evaluator.ts": importing("./iam-simulator") },
            expected: [{ rule: "agpl-adapter-never-static", from: "tools/access-paths/evaluator.ts", to: "tools/access-paths/iam-simulator.ts" }],
        },
        {
            title: "shipped code imports no dev dependency (tools/ and test/ may)",
            files: { "automation/record.ts": importing("mocha"), "tools/bench.ts": importing("mocha"), "cli/flags.ts": importing("luxon") },
            expected: [{ rule: "shipped-code-has-no-dev-dependency", from: "automation/record.ts", to: "node_modules/mocha/index.js" }],
        },
        {
            title: "an import that does not resolve, or reaches a folder of no layer, is refused",
            files: { "tools/plan.ts": importing("../scripts/helper", "./missing"), "scripts/helper.ts": leaf },
            expected: [
                { rule: "no-unlayered-or-unresolved-import", from: "tools/plan.ts", to: "./missing" },
                { rule: "no-unlayered-or-unresolved-import", from: "tools/plan.ts", to: "scripts/helper.ts" },
            ],
        },
    ];

    describe("each rule fails on a fixture that breaks it, naming the import", () => {
        for (const c of cases) {
            it(c.title, async () => {
                const result = importRulesOnly(await checkArchitecture(fixture(c.files)));
                const sort = (xs: { rule: string; from: string; to: string }[]) => [...xs].sort((a, b) => `${a.from}${a.to}${a.rule}`.localeCompare(`${b.from}${b.to}${b.rule}`));
                assert.deepEqual(sort(violationsOf(result)), sort(c.expected));
                for (const v of result.violations) {
                    const line = formatViolation(v);
                    assert.ok(line.startsWith(`${v.from} → `) && line.includes(v.to) && line.endsWith(`: ${v.rule}: ${v.why}`) && v.why.length > 20, line);
                }
            });
        }
    });

    const file = (l: LayerName) => (l === "program" ? "index.ts" : `${l}/m.ts`);
    const spec = (from: LayerName, to: LayerName) => path.posix.relative(path.posix.dirname(file(from)), file(to)).replace(/\.ts$/, "").replace(/^(?!\.)/, "./");

    it("pass one import along every allowed arrow", async () => {
        const files: Record<string, string> = {};
        for (const l of LAYERS) files[file(l.name)] = importing(...l.mayImport.map((to) => spec(l.name, to)));
        const result = importRulesOnly(await checkArchitecture(fixture(files)));
        assert.deepEqual(result.violations.map(formatViolation), []);
        assert.equal(result.imports.length, LAYERS.reduce((n, l) => n + l.mayImport.length, 0), "an allowed import was not seen");
    });

    it("refuse an import along every arrow that is not allowed, under the importing layer's rule", async () => {
        const files: Record<string, string> = {};
        const expected: { rule: string; from: string; to: string }[] = [];
        for (const from of LAYERS) {
            for (const to of LAYERS.filter((o) => o !== from && !from.mayImport.includes(o.name))) {
                const name = from.name === "program" ? `index.ts` : `${from.name}/to-${to.name}.ts`;
                // index.ts is one file: it imports every layer it may not at once.
                const target = file(to.name);
                files[target] ??= leaf;
                if (from.name === "program") continue;
                files[name] = importing(path.posix.relative(from.name, target).replace(/\.ts$/, ""));
                expected.push({ rule: layerRuleName(from), from: name, to: target });
            }
        }
        const programForbidden = LAYERS.filter((o) => o.name !== "program" && !LAYERS.find((l) => l.name === "program")!.mayImport.includes(o.name));
        files["index.ts"] = importing(...programForbidden.map((o) => `./${file(o.name).replace(/\.ts$/, "")}`));
        for (const o of programForbidden) expected.push({ rule: "program-layer", from: "index.ts", to: file(o.name) });
        const result = importRulesOnly(await checkArchitecture(fixture(files)));
        const key = (v: { rule: string; from: string; to: string }) => `${v.rule} ${v.from} → ${v.to}`;
        assert.deepEqual(violationsOf(result).map(key).sort(), expected.map(key).sort());
    });
});
