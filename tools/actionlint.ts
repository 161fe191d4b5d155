/**
 * actionlint (github.com/rhysd/actionlint), the linter of GitHub Actions workflows, for `npm test`
 * (test/ci/workflows.test.ts): built from its Go module by the wrapper module in tools/actionlint/
 * (go.mod's `tool` directive pins the version the Go module proxy serves, v1.7.12) into
 * tools/actionlint/bin/ (ignored), and rebuilt only when that module's go.mod or go.sum changes (a
 * stamp holds their hash), as the sandbox builds the Pulumi CLI. Warm, finding it costs nothing; a
 * cold build takes about 30 s of CPU. An `actionlint` on PATH at that version is used instead.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const ACTIONLINT_DIR = path.resolve(__dirname, "actionlint");
const BIN = path.join(ACTIONLINT_DIR, "bin", "actionlint");
const STAMP = path.join(ACTIONLINT_DIR, "bin", ".stamp");
const MODULE = "github.com/rhysd/actionlint";

/** The version go.mod pins (`github.com/rhysd/actionlint vX.Y.Z`). Pure. */
export function pinnedVersion(goMod: string): string {
    const m = new RegExp(`${MODULE.replace(/\./g, "\\.")} (v\\d+\\.\\d+\\.\\d+)\\b`).exec(goMod);
    if (!m) throw new Error(`tools/actionlint/go.mod: no requirement on ${MODULE}`);
    return m[1];
}

function versionOf(bin: string): string | undefined {
    const r = spawnSync(bin, ["-version"], { encoding: "utf8" });
    return r.status === 0 ? /^v?(\d+\.\d+\.\d+)/m.exec(r.stdout)?.[1] : undefined;
}

function onPath(name: string): string | undefined {
    for (const dir of [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/go/bin"]) {
        const p = dir && path.join(dir, name);
        if (p && fs.existsSync(p)) return p;
    }
    return undefined;
}

/** The path of an actionlint at the pinned version: on PATH, already built, or built now. */
export function ensureActionlint(log: (line: string) => void = (l) => process.stderr.write(l + "\n")): { bin: string; version: string; built: boolean } {
    const goMod = fs.readFileSync(path.join(ACTIONLINT_DIR, "go.mod"), "utf8");
    const version = pinnedVersion(goMod);
    const ambient = onPath("actionlint");
    if (ambient && `v${versionOf(ambient)}` === version) return { bin: ambient, version, built: false };
    const hash = createHash("sha256").update(goMod).update(fs.readFileSync(path.join(ACTIONLINT_DIR, "go.sum"))).digest("hex");
    if (fs.existsSync(BIN) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, "utf8").trim() === hash) return { bin: BIN, version, built: false };
    const go = onPath("go");
    if (!go) throw new Error(`actionlint ${version} is built from its Go module: install Go 1.24 or newer (or put actionlint ${version} on PATH)`);
    log(`building actionlint ${version} from its Go module in tools/actionlint…`);
    const r = spawnSync(go, ["build", "-trimpath", "-o", BIN, `${MODULE}/cmd/actionlint`], {
        cwd: ACTIONLINT_DIR, encoding: "utf8", env: { ...process.env, GOFLAGS: "-mod=readonly" }, maxBuffer: 16 << 20,
    });
    if (r.status !== 0) throw new Error(`go build ${MODULE}/cmd/actionlint failed:\n${r.error?.message ?? ""}${r.stderr}`);
    const built = versionOf(BIN);
    if (`v${built}` !== version) throw new Error(`built ${BIN}, but it says ${built} instead of ${version}`);
    fs.writeFileSync(STAMP, hash + "\n");
    return { bin: BIN, version, built: true };
}

/** Lint workflow files; returns actionlint's findings, one line each (`file:line:col: message [rule]`), empty when clean. */
export function actionlint(files: string[], cwd: string): string[] {
    const { bin } = ensureActionlint();
    // actionlint also runs shellcheck over every `run:` script when shellcheck is on PATH (GitHub's
    // ubuntu runners have it; Debian: apt-get install shellcheck); without it, those checks are skipped.
    const r = spawnSync(bin, ["-no-color", "-oneline", ...files], { cwd, encoding: "utf8" });
    if (r.status !== 0 && r.status !== 1) throw new Error(`actionlint failed (exit ${r.status}): ${r.error?.message ?? ""}${r.stderr}`);
    return r.stdout.split("\n").filter((l) => l.trim() !== "");
}
