/**
 * The SDK's closure-serialisation module loaded on first use instead of at start, in the sandbox's program runner
 * and its fake awsx provider (the two processes that load the SDK's index on every preview and up).
 *
 * `@pulumi/pulumi/runtime/index.js` requires `runtime/closure/codePaths` eagerly, and that module requires
 * `@npmcli/arborist` (with pacote, sigstore, tuf, cacache and their own copies of semver): 823 of the 1117
 * modules the SDK's index loads, about half a second of CPU per process (measured: `require("@pulumi/pulumi")`
 * 1.2 s of CPU, 0.67 s with the module deferred). Only `aws.lambda.CallbackFunction`-style closure
 * serialisation calls it, which the program does not use; if it ever does, the first call loads the real module
 * and behaves as before.
 */
import Module = require("module");

/** The functions `runtime/closure/codePaths` exports (SDK 3.248); test/tools/sandbox.test.ts checks them against the installed SDK. */
export const CODE_PATHS_EXPORTS = ["computeCodePaths", "findWorkspaceRoot"] as const;

/** The module file `runtime/closure/codePaths` of the SDK that a module in `fromDir` would load. */
export const codePathsFile = (fromDir: string) => require.resolve("@pulumi/pulumi/runtime/closure/codePaths", { paths: [fromDir] });

interface ModuleInternals {
    load(filename: string): void;
}

/** Put `exports` in the require cache as the module `file`: every later `require` of it gets them. */
export function cacheStandIn(file: string, exports: object): void {
    const stand = new Module(file);
    stand.filename = file;
    stand.loaded = true;
    stand.exports = exports;
    require.cache[file] = stand;
}

/**
 * Put a stand-in for the module `file` in the require cache: each of `functions` loads the real module (once,
 * outside the cache) on its first call and delegates to it. A module already loaded is left alone. Returns
 * whether the stand-in was installed.
 */
export function deferModule(file: string, functions: readonly string[]): boolean {
    if (require.cache[file]) return false;
    let real: Record<string, (...args: unknown[]) => unknown> | undefined;
    const load = () => {
        if (!real) {
            const m = new Module(file);
            (m as unknown as ModuleInternals).load(file);
            real = m.exports;
        }
        return real!;
    };
    cacheStandIn(file, Object.fromEntries(functions.map((f) => [f, (...args: unknown[]) => load()[f](...args)])));
    return true;
}

/** Defer the SDK's `codePaths` module as seen from `fromDir` (see the file's comment). */
export const deferCodePaths = (fromDir: string): boolean => deferModule(codePathsFile(fromDir), CODE_PATHS_EXPORTS);
