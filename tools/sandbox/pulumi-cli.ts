/**
 * The real Pulumi CLI for the offline sandbox, built from Pulumi's Go modules by two wrapper modules:
 *
 * - `tools/pulumi-cli/` builds the CLI (engine, backends, policy analyzer host) at the release of
 *   `@pulumi/pulumi` in package-lock.json (v3.248.0);
 * - `tools/pulumi-cli/language-host/` builds the Node language host, which that release no longer
 *   publishes in a module the Go proxy here serves; it comes from v3.68.0 (its go.mod says why). It is
 *   installed as the `nodejs68` runtime (`pulumi-language-nodejs68`), which the sandbox's generated
 *   Pulumi.yaml names. With no `pulumi-language-nodejs` installed, the engine loads the Node policy pack
 *   through its analyzer fallback, `pulumi-analyzer-policy-nodejs`: the v3.68 release's script that runs
 *   `@pulumi/pulumi/cmd/run-policy-pack` of the v3.248 SDK in node_modules. (That host has no RunPlugin,
 *   which the engine would otherwise use for a Node policy pack.)
 *
 * A `pulumi` already on PATH is used instead when its version is at least v3.248.0 and its own
 * `pulumi-language-nodejs` sits beside it (a user's installation: runtime `nodejs`). Otherwise the
 * binaries are built into `tools/pulumi-cli/bin/` (ignored), and rebuilt only when a wrapper's go.sum
 * (or the build flags) change: a stamp file holds their hash.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const WRAPPER_DIR = path.resolve(__dirname, "..", "pulumi-cli");
export const HOST_WRAPPER_DIR = path.join(WRAPPER_DIR, "language-host");
export const BUILD_DIR = path.join(WRAPPER_DIR, "bin");
const STAMP = path.join(BUILD_DIR, ".stamp");

const PKG = "github.com/pulumi/pulumi/pkg/v3";
const SDK = "github.com/pulumi/pulumi/sdk/v3";
/** The runtime name under which the built language host is installed (see above). */
export const BUILT_RUNTIME = "nodejs68";

export interface PulumiCli {
    /** Folder holding `pulumi`, the language host and, for a built CLI, the policy analyzer script. */
    binDir: string;
    pulumi: string;
    version: string;
    /** The runtime name a project must use with this CLI: `nodejs`, or `nodejs68` for the built one. */
    runtime: string;
    /** How it was found: built now, reused from a previous build, or a `pulumi` on PATH. */
    source: "built" | "cached" | "path";
    buildSeconds?: number;
}

/** The Pulumi release a wrapper module requires (`github.com/pulumi/pulumi/<pkg|sdk>/v3 vX.Y.Z`). Pure. */
export function wrapperVersion(goMod: string, module: "pkg" | "sdk" = "pkg"): string {
    const m = goMod.match(new RegExp(`github\\.com/pulumi/pulumi/${module}/v3 (v3\\.\\d+\\.\\d+)\\b`));
    if (!m) throw new Error(`go.mod: no requirement on github.com/pulumi/pulumi/${module}/v3 (vX.Y.Z)`);
    return m[1];
}

/**
 * The linker flags: the release's version stamped in (without it `pulumi version` prints nothing and
 * the Automation API refuses the CLI). v3.68's dependency github.com/pgavlin/text links to
 * internal/bytealg, which Go ≥ 1.23 refuses by default ("invalid reference to
 * internal/bytealg.MaxLen"): -checklinkname=0 for that build.
 */
export function ldflags(version: string, legacy = false): string {
    const stamp = [`-X ${SDK}/go/common/version.Version=${version}`];
    return legacy ? [`-checklinkname=0`, `-X ${PKG}/version.Version=${version}`, ...stamp].join(" ") : stamp.join(" ");
}

/** "v3.248.0" ≥ "v3.68.0"? Pure. */
export function versionAtLeast(have: string, want: string): boolean {
    const parse = (v: string) => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
    const [a, b] = [parse(have), parse(want)];
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return true;
}

/** What a build depends on: both go.sum files (every module and version) and the linker flags. */
function wrapperHash(cliVersion: string, hostVersion: string): string {
    return createHash("sha256")
        .update(fs.readFileSync(path.join(WRAPPER_DIR, "go.sum")))
        .update(fs.readFileSync(path.join(HOST_WRAPPER_DIR, "go.sum")))
        .update(ldflags(cliVersion) + ldflags(hostVersion, true))
        .digest("hex");
}

function versionOf(pulumi: string): string | undefined {
    const r = spawnSync(pulumi, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

function onPath(name: string): string | undefined {
    for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/go/bin"]) {
        const p = path.join(dir, name);
        if (dir && fs.existsSync(p)) return p;
    }
    return undefined;
}

/** Find or build the CLI. `log` gets one progress line before a build. */
export function ensurePulumiCli(log: (line: string) => void = (l) => process.stderr.write(l + "\n")): PulumiCli {
    const version = wrapperVersion(fs.readFileSync(path.join(WRAPPER_DIR, "go.mod"), "utf8"));
    const hostVersion = wrapperVersion(fs.readFileSync(path.join(HOST_WRAPPER_DIR, "go.mod"), "utf8"), "sdk");

    if (process.env.TMS_OFFLINE_BUILD_CLI !== "1") {
        const ambient = onPath("pulumi");
        const ambientVersion = ambient && versionOf(ambient);
        if (ambient && ambientVersion && versionAtLeast(ambientVersion, version) && fs.existsSync(path.join(path.dirname(ambient), "pulumi-language-nodejs"))) {
            return { binDir: path.dirname(ambient), pulumi: ambient, version: ambientVersion, runtime: "nodejs", source: "path" };
        }
    }

    const pulumi = path.join(BUILD_DIR, "pulumi");
    const hash = wrapperHash(version, hostVersion);
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8").trim() : "";
    if (stamp === hash && fs.existsSync(pulumi)) return { binDir: BUILD_DIR, pulumi, version, runtime: BUILT_RUNTIME, source: "cached" };

    const go = onPath("go");
    if (!go) throw new Error(`the offline sandbox needs Go (1.24 or newer) to build the Pulumi CLI, or a \`pulumi\` ${version} or newer on PATH with its language host beside it`);
    log(`building the Pulumi CLI ${version} (and the Node language host of ${hostVersion}) from Go modules in tools/pulumi-cli; a few minutes the first time…`);
    const started = Date.now();
    fs.mkdirSync(BUILD_DIR, { recursive: true });
    fs.rmSync(STAMP, { force: true });
    // Go's own output (a line per module downloaded) is shown only when a step fails.
    const run = (cwd: string, args: string[]) => {
        const r = spawnSync(go, args, { cwd, encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, GOFLAGS: "-mod=readonly" } });
        if (r.status !== 0) throw new Error(`go ${args.join(" ")} (in ${path.relative(process.cwd(), cwd) || cwd}) failed:\n${r.error?.message ?? ""}${r.stderr}`);
        return r.stdout;
    };
    run(WRAPPER_DIR, ["build", "-trimpath", "-ldflags", ldflags(version), "-o", pulumi, `${PKG}/cmd/pulumi`]);
    run(HOST_WRAPPER_DIR, ["build", "-trimpath", "-ldflags", ldflags(hostVersion, true), "-o", path.join(BUILD_DIR, `pulumi-language-${BUILT_RUNTIME}`), `${SDK}/nodejs/cmd/pulumi-language-nodejs`]);
    // The analyzer fallback the engine looks for when no `nodejs` language host is installed: the
    // v3.68 release's own script (nodejs/dist/pulumi-analyzer-policy of its SDK module).
    const sdkDir = run(HOST_WRAPPER_DIR, ["list", "-m", "-f", "{{.Dir}}", SDK]).trim();
    const analyzer = path.join(BUILD_DIR, "pulumi-analyzer-policy-nodejs");
    fs.copyFileSync(path.join(sdkDir, "nodejs", "dist", "pulumi-analyzer-policy"), analyzer);
    fs.chmodSync(analyzer, 0o755);
    for (const stale of ["pulumi-language-nodejs", "pulumi-analyzer-policy"]) fs.rmSync(path.join(BUILD_DIR, stale), { force: true });
    const built = versionOf(pulumi);
    if (built !== version) throw new Error(`built ${pulumi}, but \`pulumi version\` says ${JSON.stringify(built)} instead of ${version}`);
    fs.writeFileSync(STAMP, hash + "\n");
    return { binDir: BUILD_DIR, pulumi, version, runtime: BUILT_RUNTIME, source: "built", buildSeconds: (Date.now() - started) / 1000 };
}
