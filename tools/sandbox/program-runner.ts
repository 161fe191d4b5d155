/**
 * The sandbox's program runner: the Node language host starts this module instead of the SDK's
 * `@pulumi/pulumi/cmd/run` when PULUMI_LANGUAGE_NODEJS_RUN_PATH names it (the host's documented override,
 * `defaultRunPath` in sdk/nodejs/cmd/pulumi-language-nodejs/main.go). It runs the SDK's own runner with three
 * differences, all about the sandbox's compiled program (tools/sandbox/plugin-build.ts):
 *
 * - no source-map-support: the SDK's runner registers it, and the SDK records a stack trace for every promise
 *   it creates (`debuggablePromise`, runtime/debuggable.js), each one rewritten through source maps: about a
 *   second of CPU per preview or up, measured with a CPU profile of the program process, for positions the
 *   compiled program has no map for anyway (it is built without source maps);
 * - the SDK's closure-serialisation module is loaded on first use, not at start (lazy-sdk.ts): half a second of
 *   CPU per run for a module the program never calls;
 * - a compiled program must not start TypeScript: the built language host (v3.68) does not read Pulumi.yaml's
 *   runtime options, so `typescript: false` reaches it only as its `-typescript=false` flag (the sandbox's
 *   host script, sandbox.ts). A JavaScript program started with PULUMI_NODEJS_TYPESCRIPT=true stops here,
 *   naming the cause, instead of paying for ts-node and the TypeScript compiler on every run.
 */
import * as path from "path";
import { cacheStandIn, deferCodePaths } from "./lazy-sdk";

const sdkRunner = require.resolve("@pulumi/pulumi/cmd/run");

/** The program the host asked for: the first argument after the runner's that names a module file. Pure. */
export function programOf(argv: string[]): string | undefined {
    return argv.find((a) => /\.(c?js|ts)$/.test(a));
}

/** Why this run must not start, or undefined. Pure. */
export function runnerProblem(program: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
    if (program?.endsWith(".js") && env.PULUMI_NODEJS_TYPESCRIPT === "true") {
        return `sandbox: the compiled program ${program} was started with TypeScript on (PULUMI_NODEJS_TYPESCRIPT=true): ` +
            "the language host did not get -typescript=false (see tools/sandbox/sandbox.ts, hostScript)";
    }
    return undefined;
}

if (require.main === module) {
    const program = programOf(process.argv.slice(2));
    const problem = runnerProblem(program, process.env);
    if (problem) {
        process.stderr.write(`${problem}\n`);
        process.exit(1);
    }
    // An empty module where the SDK's runner requires source-map-support/register.
    cacheStandIn(require.resolve("source-map-support/register", { paths: [sdkRunner] }), {});
    // The SDK the runner loads, and the one the program's folder resolves (the same file in the sandbox).
    deferCodePaths(path.dirname(sdkRunner));
    if (program) deferCodePaths(path.dirname(path.resolve(program)));
    require(sdkRunner);
}
