/**
 * The real Pulumi CLI for the offline sandbox: the `pulumi` engine, the Node language host and the
 * Node policy-pack analyzer, built from Pulumi's Go modules by the wrapper module in
 * `tools/pulumi-cli/` (its go.mod says why the release is v3.68.0).
 *
 * - A `pulumi` already on PATH is used when its version is at least the wrapper's and its language
 *   host sits beside it (a user's own installation).
 * - Otherwise the binaries are built into `tools/pulumi-cli/bin/` (ignored) and rebuilt only when
 *   the wrapper's go.mod/go.sum (or the build flags) change: a stamp file holds their hash.
 */
import { execFileSync, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const WRAPPER_DIR = path.resolve(__dirname, "..", "pulumi-cli");
export const BUILD_DIR = path.join(WRAPPER_DIR, "bin");
const STAMP = path.join(BUILD_DIR, ".stamp");

const PKG = "github.com/pulumi/pulumi/pkg/v3";
const SDK = "github.com/pulumi/pulumi/sdk/v3";

export interface PulumiCli {
    /** Folder holding `pulumi`, `pulumi-language-nodejs` and `pulumi-analyzer-policy`. */
    binDir: string;
    pulumi: string;
    version: string;
    /** How it was found: built now, reused from a previous build, or a `pulumi` on PATH. */
    source: "built" | "cached" | "path";
    buildSeconds?: number;
}

/** The Pulumi release the wrapper module requires (`github.com/pulumi/pulumi/pkg/v3 vX.Y.Z`). Pure. */
export function wrapperVersion(goMod: string): string {
    const m = goMod.match(/github\.com\/pulumi\/pulumi\/pkg\/v3 (v3\.\d+\.\d+)\b/);
    if (!m) throw new Error(`tools/pulumi-cli/go.mod: no requirement on ${PKG} (vX.Y.Z)`);
    return m[1];
}

/**
 * The linker flags: the release's version stamped into both version packages (without it
 * `pulumi version` prints nothing and the Automation API refuses the CLI), and -checklinkname=0
 * because v3.68's dependency github.com/pgavlin/text links to internal/bytealg, which Go ≥ 1.23
 * refuses by default ("invalid reference to internal/bytealg.MaxLen").
 */
export function ldflags(version: string): string {
    return [`-checklinkname=0`, `-X ${PKG}/version.Version=${version}`, `-X ${SDK}/go/common/version.Version=${version}`].join(" ");
}

/** "v3.68.0" ≥ "v3.60.1"? Pure. */
export function versionAtLeast(have: string, want: string): boolean {
    const parse = (v: string) => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map((x) => parseInt(x, 10) || 0);
    const [a, b] = [parse(have), parse(want)];
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
    return true;
}

/** What a build depends on: go.sum (every module and version) and the linker flags (the release stamped in). */
function wrapperHash(version: string): string {
    return createHash("sha256").update(fs.readFileSync(path.join(WRAPPER_DIR, "go.sum"))).update(ldflags(version)).digest("hex");
}

function versionOf(pulumi: string): string | undefined {
    const r = spawnSync(pulumi, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } });
    return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

function onPath(name: string): string | undefined {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
        const p = path.join(dir, name);
        if (dir && fs.existsSync(p)) return p;
    }
    return undefined;
}

/** Find or build the CLI. `log` gets one progress line before a build. */
export function ensurePulumiCli(log: (line: string) => void = (l) => process.stderr.write(l + "\n")): PulumiCli {
    const goMod = fs.readFileSync(path.join(WRAPPER_DIR, "go.mod"), "utf8");
    const version = wrapperVersion(goMod);

    if (process.env.TMS_OFFLINE_BUILD_CLI !== "1") {
        const ambient = onPath("pulumi");
        const ambientVersion = ambient && versionOf(ambient);
        if (ambient && ambientVersion && versionAtLeast(ambientVersion, version) && fs.existsSync(path.join(path.dirname(ambient), "pulumi-language-nodejs"))) {
            return { binDir: path.dirname(ambient), pulumi: ambient, version: ambientVersion, source: "path" };
        }
    }

    const pulumi = path.join(BUILD_DIR, "pulumi");
    const hash = wrapperHash(version);
    const stamp = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, "utf8").trim() : "";
    if (stamp === hash && fs.existsSync(pulumi)) return { binDir: BUILD_DIR, pulumi, version, source: "cached" };

    if (!onPath("go")) {
        throw new Error("the offline sandbox needs Go (1.24 or newer) to build the Pulumi CLI, or a `pulumi` " + `${version} or newer on PATH with its language host beside it`);
    }
    log(`building the Pulumi CLI ${version} and its Node language host from Go modules (tools/pulumi-cli; a few minutes the first time)…`);
    const started = Date.now();
    fs.mkdirSync(BUILD_DIR, { recursive: true });
    fs.rmSync(STAMP, { force: true });
    const run = (args: string[]) =>
        execFileSync("go", args, { cwd: WRAPPER_DIR, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, GOFLAGS: "-mod=readonly" } });
    run(["build", "-trimpath", "-ldflags", ldflags(version), "-o", BUILD_DIR + path.sep, `${PKG}/cmd/pulumi`, `${SDK}/nodejs/cmd/pulumi-language-nodejs`]);
    // The policy-pack analyzer of this release is a script shipped in the SDK module (nodejs/dist).
    const sdkDir = run(["list", "-m", "-f", "{{.Dir}}", SDK]).trim();
    const analyzer = path.join(BUILD_DIR, "pulumi-analyzer-policy");
    fs.copyFileSync(path.join(sdkDir, "nodejs", "dist", "pulumi-analyzer-policy"), analyzer);
    fs.chmodSync(analyzer, 0o755);
    const built = versionOf(pulumi);
    if (built !== version) throw new Error(`built ${pulumi}, but \`pulumi version\` says ${JSON.stringify(built)} instead of ${version}`);
    fs.writeFileSync(STAMP, hash + "\n");
    return { binDir: BUILD_DIR, pulumi, version, source: "built", buildSeconds: (Date.now() - started) / 1000 };
}
