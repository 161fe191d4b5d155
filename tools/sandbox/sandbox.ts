/**
 * The offline sandbox: a Pulumi project folder that runs this repository's program (index.ts) with the
 * real Pulumi CLI against the fake provider plugins, a local file backend and passphrase secrets. It is
 * a test bed, never a deployment: its Pulumi.yaml is generated here and is the only one that registers
 * the fake plugins (`plugins.providers`); the repository's Pulumi.yaml, which users deploy with, has none.
 *
 * Layout of a sandbox folder:
 *   project/Pulumi.yaml            the repository's project, `main` pointing at the real index.ts, plus the fakes
 *   project/Pulumi.<stack>.yaml    copies of the repository's stack files (config set writes here, not the repo),
 *                                  kept in step with the repository's before every command (stack-files.ts)
 *   project/.repository/           what the sandbox last copied from the repository (to tell which side changed)
 *   project/policy                 link to the policy pack, compiled (plugin-build.ts; the repository's own
 *                                  with `typescriptProgram`), so `--policy-pack policy` works as documented
 *   state/                         the file backend (`PULUMI_BACKEND_URL=file://…`)
 *   home/                          PULUMI_HOME (no plugin downloads, no credentials)
 *   aws/                           the fake AWS accounts (tools/fake-aws/account.ts): what each resource
 *                                  stores, names taken and reserved; dr shares prod's account
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { PROJECT_DIR } from "../../cli/stack-file";
import { SHARED_ACCOUNTS } from "../fake-aws/account";
import { FAKE_PACKAGES, requiredVersion } from "./fake-provider";
import { ensurePluginBuild, ensurePolicyBuild, ensureProgramBuild, ensureRunnerBuild, POLICY_DIR, type Build } from "./plugin-build";
import type { PulumiCli } from "./pulumi-cli";
import { divergenceMessage, syncStackFiles, type StackFileSync } from "./stack-files";

export const PLUGIN_DIR = path.join(__dirname, "plugins");
/** The sandbox `npm run pulumi` and the rollout commands' `--sandbox` use (TMS_SANDBOX_DIR chooses another). */
export const OFFLINE_DIR = process.env.TMS_SANDBOX_DIR ?? path.join(PROJECT_DIR, ".pulumi-offline");
/** A fixed passphrase for the sandbox's own secrets provider: it protects nothing real. */
export const SANDBOX_PASSPHRASE = "offline-sandbox-not-a-secret";

export interface SandboxOptions {
    /** Copy these stack files now (default: every Pulumi.<stack>.yaml of the repository). */
    stacks?: string[];
    /** Overwrite stack files already in the sandbox (default: keep them; `config set` edits live there). */
    refreshStackFiles?: boolean;
    /** Run index.ts (and the policy pack) through TypeScript instead of the compiled program and pack (tools/sandbox/plugin-build.ts). */
    typescriptProgram?: boolean;
    /** The stack the command will run on (`--stack`); undefined: whichever is selected, so every stack counts. */
    target?: string;
    /** Told of each stack file refreshed from the repository (one line each). */
    log?: (line: string) => void;
    /** The repository whose stack files are the truth (default: this one; tests give another). */
    repoDir?: string;
}

/** A stack file changed both in the repository and in the sandbox: nothing runs until it is reconciled. */
export class StackFileDivergenceError extends Error {
    constructor(readonly sync: StackFileSync, lines: string[]) {
        super(lines.join("\n"));
        this.name = "StackFileDivergenceError";
    }
}

export class Sandbox {
    readonly projectDir: string;
    readonly env: NodeJS.ProcessEnv;
    /** What preparing it compiled (the fake plugins, the program, the policy pack): `built` false when up to date. */
    builds: Build[] = [];

    constructor(readonly dir: string, readonly cli: PulumiCli) {
        this.projectDir = path.join(dir, "project");
        this.env = sandboxEnv(dir, cli);
    }

    stackFile(stack: string): string {
        return path.join(this.projectDir, `Pulumi.${stack}.yaml`);
    }

    /** The file backend's folder (`PULUMI_BACKEND_URL`). */
    get stateDir(): string {
        return path.join(this.dir, "state");
    }

    /** A stack through the Automation API, run with the sandbox's CLI and environment. */
    async selectStack(stackName: string, workDir = this.projectDir): Promise<Stack> {
        const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
        const pulumiCommand = await PulumiCommand.get({ root: path.dirname(this.cli.binDir), skipVersionCheck: false });
        return LocalWorkspace.selectStack({ stackName, workDir }, { pulumiCommand, envVars: this.env as Record<string, string> });
    }

    /** Run the CLI and capture its output (for tests and tools). */
    run(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
        return spawnSync(this.cli.pulumi, args, {
            cwd: this.projectDir,
            env: { ...this.env, ...opts.env },
            encoding: "utf8",
            input: opts.input,
            timeout: opts.timeoutMs ?? 600_000,
            maxBuffer: 256 * 1024 * 1024,
        });
    }

    /** Run the CLI in the background (several stacks at once) and capture its output. */
    runAsync(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
        return new Promise((resolve, reject) => {
            const child = spawn(this.cli.pulumi, args, { cwd: this.projectDir, env: { ...this.env, ...opts.env } });
            const out: Buffer[] = [];
            const err: Buffer[] = [];
            child.stdout.on("data", (b: Buffer) => out.push(b));
            child.stderr.on("data", (b: Buffer) => err.push(b));
            child.on("error", reject);
            child.on("close", (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
        });
    }

    /** Run the CLI attached to this terminal; resolves with its exit code. */
    attach(args: string[]): Promise<number> {
        return new Promise((resolve, reject) => {
            const child = spawn(this.cli.pulumi, args, { cwd: this.projectDir, env: this.env, stdio: "inherit" });
            child.on("error", reject);
            child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
        });
    }
}

/** The environment every sandbox command runs with. Pure. */
export function sandboxEnv(dir: string, cli: PulumiCli, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...base };
    // Never reach a real account or the Pulumi Cloud from the sandbox.
    for (const k of Object.keys(env)) if (/^(AWS_|PULUMI_)/.test(k)) delete env[k];
    return {
        ...env,
        PATH: [cli.binDir, env.PATH ?? ""].join(path.delimiter),
        PULUMI_HOME: path.join(dir, "home"),
        PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: SANDBOX_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // `npm test` type-checks the program; the sandbox transpiles it only, as `npm run plan` does.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        PULUMI_NODEJS_TSCONFIG_PATH: path.join(PROJECT_DIR, "tsconfig.json"),
        AWS_REGION: "us-east-1",
        TMS_FAKE_AWS_DIR: path.join(dir, "aws"),
        TMS_FAKE_AWS_ACCOUNTS: SHARED_ACCOUNTS,
    };
}

/**
 * Node flags of the program process: a larger young generation. The program allocates briefly for every
 * resource it registers; with Node's default semi-space, scavenges took about 1.1 s of a 9.5 s preview
 * (measured with a CPU profile of the program process), 0.6 s with 64 MiB.
 */
export const PROGRAM_NODE_ARGS = "--max-semi-space-size=64";

/**
 * The script the sandbox installs as the built language host (`pulumi-language-<runtime>` in
 * `<sandbox>/host/`): the v3.68 host reads its options only from flags. The v3.248 engine sends Pulumi.yaml's
 * runtime options in the RunRequest's ProgramInfo (sdk/go/common/resource/plugin/langruntime.go `Marshal`),
 * which that host predates: without this the compiled program ran with ts-node and the TypeScript compiler
 * loaded, about a second of CPU per run. Pure.
 */
export function hostScript(binDir: string, runtime: string, typescript: boolean): string {
    const host = path.join(binDir, `pulumi-language-${runtime}`);
    return "#!/bin/sh\n# Generated by tools/sandbox/sandbox.ts: the built language host takes its runtime options as flags.\n" +
        `exec ${JSON.stringify(host)} -typescript=${typescript} -nodeargs=${JSON.stringify(PROGRAM_NODE_ARGS)} "$@"\n`;
}

/**
 * The sandbox's Pulumi.yaml: the repository's project, its real program, the fake plugins, and the runtime
 * name of the CLI's Node language host (`nodejs68` for the built CLI, see pulumi-cli.ts). With
 * `compiledMain` (the program transpiled by plugin-build.ts) the host runs that JavaScript and skips
 * TypeScript. Pure.
 *
 * `host`: where the built CLI's language host (the sandbox's host script, hostScript) and policy-analyzer
 * fallback live. They are declared as project plugins, which the engine looks up before anything on $PATH (sdk/go/common/workspace/plugins.go
 * `getPluginInfoAndPath`@v3.248.0): found on $PATH instead, a plugin that is not one of the CLI's bundled
 * ones draws "warning: using pulumi-language-nodejs68 from $PATH at …" on every load (three to four times
 * per preview), which buried the preview's own warnings.
 */
export function sandboxProject(repoProject: Record<string, any>, versions: Record<string, string>, runtime = "nodejs",
    host?: { language: string; analyzer: string }, compiledMain?: string): Record<string, any> {
    const { main: _main, plugins: _plugins, ...rest } = repoProject;
    const repoOptions = typeof repoProject.runtime === "object" ? repoProject.runtime.options : undefined;
    // A current host reads these options; the built v3.68 host gets them as flags (hostScript).
    const options = { ...repoOptions, ...(compiledMain ? { typescript: false } : {}), nodeargs: [repoOptions?.nodeargs, PROGRAM_NODE_ARGS].filter(Boolean).join(" ") };
    return {
        ...rest,
        runtime: { name: runtime, options },
        main: compiledMain ?? path.join(PROJECT_DIR, String(repoProject.main ?? "index.ts")),
        plugins: {
            providers: Object.entries(versions).map(([name, version]) => ({ name, version, path: PLUGIN_DIR })),
            ...(host ? { languages: [{ name: runtime, path: host.language }], analyzers: [{ name: "policy-nodejs", path: host.analyzer }] } : {}),
        },
    };
}

/**
 * Write a file the sandbox generates only when its content changes, and then by a rename: commands of one sandbox
 * run at once (a rollout's `pulumi up` beside its `rollout:status --watch`, which prepares the sandbox again),
 * and a rewrite in place could be read half written.
 */
function writeIfChanged(file: string, content: string, mode?: number): void {
    if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, file);
}

/** Create (or update) a sandbox in `dir`, ready for any `pulumi` subcommand. */
export function prepareSandbox(dir: string, cli: PulumiCli, opts: SandboxOptions = {}): Sandbox {
    const sandbox = new Sandbox(path.resolve(dir), cli);
    for (const d of [sandbox.projectDir, sandbox.stateDir, path.join(sandbox.dir, "home"), path.join(sandbox.dir, "aws")]) fs.mkdirSync(d, { recursive: true });

    const repoProject = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    const versions = Object.fromEntries(FAKE_PACKAGES.map((p) => [p, requiredVersion(p)]));
    const policy = opts.typescriptProgram ? undefined : ensurePolicyBuild();
    const programBuild = opts.typescriptProgram ? undefined : ensureProgramBuild();
    const runner = ensureRunnerBuild();
    sandbox.builds = [ensurePluginBuild(), ...(programBuild ? [programBuild, policy!] : []), runner];
    const program = programBuild?.entry;
    // The language host starts the sandbox's runner in place of the SDK's (program-runner.ts).
    sandbox.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH = runner.entry;
    let host: { language: string; analyzer: string } | undefined;
    if (cli.source !== "path") {
        host = { language: path.join(sandbox.dir, "host"), analyzer: cli.binDir };
        fs.mkdirSync(host.language, { recursive: true });
        writeIfChanged(path.join(host.language, `pulumi-language-${cli.runtime}`), hostScript(cli.binDir, cli.runtime, !program), 0o755);
    }
    const header = "# Generated by tools/sandbox/sandbox.ts for the OFFLINE SANDBOX only: fake provider plugins, never a deployment.\n";
    writeIfChanged(path.join(sandbox.projectDir, "Pulumi.yaml"), header + YAML.stringify(sandboxProject(repoProject, versions, cli.runtime, host, program)));

    const repoDir = opts.repoDir ?? PROJECT_DIR;
    const stacks = opts.stacks ?? fs.readdirSync(repoDir).flatMap((f) => f.match(/^Pulumi\.(.+)\.yaml$/)?.[1] ?? []);
    if (opts.refreshStackFiles) for (const s of stacks) fs.copyFileSync(path.join(repoDir, `Pulumi.${s}.yaml`), sandbox.stackFile(s));
    // The repository's stack files are the truth: refresh stale copies, refuse to run on a divergence.
    const sync = syncStackFiles(repoDir, sandbox.projectDir, stacks);
    for (const r of sync.refreshed) opts.log?.(`sandbox: Pulumi.${r.stack}.yaml refreshed from the repository's (changed there: ${r.keys.join(", ")})`);
    const blocking = sync.diverged.filter((d) => opts.target === undefined || d.stack === opts.target);
    for (const d of sync.diverged.filter((x) => !blocking.includes(x))) {
        opts.log?.(`sandbox: Pulumi.${d.stack}.yaml has diverged from the repository's (not used by this command; run it with --stack ${d.stack} to see how to reconcile)`);
    }
    if (blocking.length) {
        const rel = (d: string) => path.relative(process.cwd(), d) || d;
        throw new StackFileDivergenceError(sync, blocking.flatMap((d) => divergenceMessage(d, rel(sandbox.stackFile(d.stack)))));
    }
    const link = path.join(sandbox.projectDir, "policy");
    const packDir = policy?.packDir ?? POLICY_DIR;
    const current = fs.lstatSync(link, { throwIfNoEntry: false });
    if (current && !(current.isSymbolicLink() && fs.readlinkSync(link) === packDir)) fs.rmSync(link, { recursive: true, force: true });
    if (!current || !fs.existsSync(link)) fs.symlinkSync(packDir, link, "dir");
    return sandbox;
}
