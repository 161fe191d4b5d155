/**
 * The fake provider plugins and the stack program, compiled once instead of at every start. The engine
 * starts one plugin process per provider (the default aws provider, the explicit us-west-2 and us-east-1
 * ones, awsx, random, docker…) and the program once, for every preview, up and refresh; under ts-node
 * each start compiled its import graph again (seconds of CPU each). `ensureBuild` transpiles a graph
 * (the entry point and the project modules it imports, JSON data read next to them included) into
 * `tools/sandbox/.build/<name>/` (ignored), keeping the repository's layout there so Node resolves
 * `node_modules` from the repository as before. It rebuilds only when a source's content changes (a
 * stamp holds their hash). The plugin scripts run the compiled plugin (falling back to ts-node when
 * there is none); the sandbox's Pulumi.yaml runs the compiled program; the sandbox's `policy` folder is the
 * compiled policy pack (its PulumiPolicy.yaml, a package.json whose `main` is the JavaScript, and its
 * `config/*.json` copied beside it). The SDK's policy-pack runner type-checks a TypeScript pack with
 * ts-node at every load (`@pulumi/pulumi/cmd/run-policy-pack/run.js`: `typeCheck: true`, not
 * configurable): about ten seconds of CPU per `--policy-pack` preview, measured, for a check `npm test`
 * already makes (`tsc --noEmit` over policy/).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../../cli/stack-file";

export const BUILD_ROOT = path.join(__dirname, ".build");
export const PLUGIN_ENTRY = path.join(__dirname, "fake-provider.ts");
export const PROGRAM_ENTRY = path.join(PROJECT_DIR, "index.ts");
export const RUNNER_ENTRY = path.join(__dirname, "program-runner.ts");
export const POLICY_DIR = path.join(PROJECT_DIR, "policy");

/** Project files a module imports (relative imports only: packages come from node_modules). Pure but for reading files. */
export function importClosure(entry: string): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) return;
        seen.add(file);
        if (!file.endsWith(".ts")) return;
        const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        for (const imp of info.importedFiles) {
            if (!imp.fileName.startsWith(".")) continue;
            const base = path.resolve(path.dirname(file), imp.fileName);
            const found = [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
            if (!found) throw new Error(`${path.relative(PROJECT_DIR, file)}: cannot resolve ${imp.fileName}`);
            visit(found);
        }
        // Data files read at run time next to the module (fs.readFileSync(path.join(__dirname, "x.json"))).
        for (const m of fs.readFileSync(file, "utf8").matchAll(/path\.join\(__dirname, "([^"]+\.json)"\)/g)) {
            const data = path.join(path.dirname(file), m[1]);
            if (fs.existsSync(data)) seen.add(data);
        }
    };
    visit(entry);
    return [...seen].sort();
}

export interface Build {
    /** `plugins` or `program`. */
    name: string;
    entry: string;
    files: number;
    /** Whether this call compiled (false: the build was up to date). */
    built: boolean;
    seconds: number;
}

/** Compile the fake provider plugins when their sources changed. */
export const ensurePluginBuild = () => ensureBuild("plugins", PLUGIN_ENTRY);
/** Compile the sandbox's program runner (program-runner.ts), which the language host starts in place of the SDK's. */
export const ensureRunnerBuild = () => ensureBuild("runner", RUNNER_ENTRY);
/** Compile the stack program (index.ts and what it imports) when its sources changed. */
export const ensureProgramBuild = () => ensureBuild("program", PROGRAM_ENTRY);

/**
 * Compile the policy pack when its sources, its PulumiPolicy.yaml, package.json or config changed; `packDir`
 * of the result is the folder to pass to `--policy-pack` (the sandbox links `project/policy` to it).
 */
export function ensurePolicyBuild(): Build & { packDir: string } {
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
    const entry = path.join(POLICY_DIR, String(pkg.main ?? "index.ts"));
    const config = fs.readdirSync(path.join(POLICY_DIR, "config")).filter((f) => f.endsWith(".json")).map((f) => path.join(POLICY_DIR, "config", f));
    const b = ensureBuild("policy", entry, [path.join(POLICY_DIR, "PulumiPolicy.yaml"), path.join(POLICY_DIR, "package.json"), ...config], (staging) => {
        // The runner loads the pack folder's package.json `main`: the compiled entry point.
        const out = path.join(staging, path.relative(PROJECT_DIR, POLICY_DIR), "package.json");
        fs.writeFileSync(out, JSON.stringify({ ...pkg, main: path.basename(entry).replace(/\.ts$/, ".js") }, null, 2) + "\n");
    });
    return { ...b, packDir: path.join(BUILD_ROOT, "policy", path.relative(PROJECT_DIR, POLICY_DIR)) };
}

/**
 * Compile the import graph of `entry` into `.build/<name>/` when a source changed; returns the compiled entry
 * point. `extra` files are copied as they are (and counted in the stamp); `finish` completes the staging
 * folder before it is swapped in.
 */
export function ensureBuild(name: string, entryPoint: string, extra: string[] = [], finish?: (staging: string) => void): Build {
    const started = Date.now();
    const dir = path.join(BUILD_ROOT, name);
    const STAMP = path.join(dir, ".stamp");
    const sources = [...new Set([...importClosure(entryPoint), ...extra])].sort();
    const hash = createHash("sha256");
    for (const f of sources) hash.update(path.relative(PROJECT_DIR, f)).update(fs.readFileSync(f));
    const digest = hash.digest("hex");
    const out = (f: string) => path.join(dir, path.relative(PROJECT_DIR, f)).replace(/\.ts$/, ".js");
    const entry = out(entryPoint);
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8").trim() : "";
    if (stamp === digest && fs.existsSync(entry)) return { name, entry, files: sources.length, built: false, seconds: 0 };

    const compilerOptions: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, sourceMap: false };
    // Build in a fresh folder and swap it in, so a plugin starting meanwhile never sees half a build.
    const staging = `${dir}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const f of sources) {
        const target = path.join(staging, path.relative(PROJECT_DIR, f)).replace(/\.ts$/, ".js");
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (f.endsWith(".ts")) {
            const r = ts.transpileModule(fs.readFileSync(f, "utf8"), { compilerOptions, fileName: f, reportDiagnostics: false });
            fs.writeFileSync(target, r.outputText);
        } else fs.copyFileSync(f, target);
    }
    finish?.(staging);
    fs.writeFileSync(path.join(staging, ".stamp"), digest + "\n");
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
    return { name, entry, files: sources.length, built: true, seconds: (Date.now() - started) / 1000 };
}
