/**
 * The fake provider plugins, compiled once instead of at every start. The engine starts one plugin
 * process per provider (the default aws provider, the explicit us-west-2 and us-east-1 ones, awsx,
 * random, docker…) for every preview, up and refresh; under ts-node each start compiled the plugin's
 * import graph again (about 3 s of CPU). `ensurePluginBuild` transpiles that graph (fake-provider.ts and
 * the project modules it imports, tools/fake-aws's JSON facts included) into `tools/sandbox/.build/`
 * (ignored), keeping the repository's layout there so Node resolves `node_modules` from the repository
 * as before. It rebuilds only when a source's content changes (a stamp holds their hash); the plugin
 * scripts run the compiled entry point, and fall back to ts-node when there is none.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../../cli/stack-file";

export const PLUGIN_BUILD_DIR = path.join(__dirname, ".build");
export const PLUGIN_ENTRY = path.join(__dirname, "fake-provider.ts");
const STAMP = path.join(PLUGIN_BUILD_DIR, ".stamp");

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

export interface PluginBuild {
    entry: string;
    files: number;
    /** Whether this call compiled (false: the build was up to date). */
    built: boolean;
    seconds: number;
}

/** Compile the fake provider plugins when their sources changed; returns the compiled entry point. */
export function ensurePluginBuild(): PluginBuild {
    const started = Date.now();
    const sources = importClosure(PLUGIN_ENTRY);
    const hash = createHash("sha256");
    for (const f of sources) hash.update(path.relative(PROJECT_DIR, f)).update(fs.readFileSync(f));
    const digest = hash.digest("hex");
    const out = (f: string) => path.join(PLUGIN_BUILD_DIR, path.relative(PROJECT_DIR, f)).replace(/\.ts$/, ".js");
    const entry = out(PLUGIN_ENTRY);
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8").trim() : "";
    if (stamp === digest && fs.existsSync(entry)) return { entry, files: sources.length, built: false, seconds: 0 };

    const compilerOptions: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, sourceMap: false };
    // Build in a fresh folder and swap it in, so a plugin starting meanwhile never sees half a build.
    const staging = `${PLUGIN_BUILD_DIR}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    for (const f of sources) {
        const target = path.join(staging, path.relative(PROJECT_DIR, f)).replace(/\.ts$/, ".js");
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (f.endsWith(".ts")) {
            const r = ts.transpileModule(fs.readFileSync(f, "utf8"), { compilerOptions, fileName: f, reportDiagnostics: false });
            fs.writeFileSync(target, r.outputText);
        } else fs.copyFileSync(f, target);
    }
    fs.writeFileSync(path.join(staging, ".stamp"), digest + "\n");
    fs.rmSync(PLUGIN_BUILD_DIR, { recursive: true, force: true });
    fs.renameSync(staging, PLUGIN_BUILD_DIR);
    return { entry, files: sources.length, built: true, seconds: (Date.now() - started) / 1000 };
}
