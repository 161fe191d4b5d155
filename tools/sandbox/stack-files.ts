/**
 * The sandbox's copies of the repository's stack files, kept honest. The repository's
 * `Pulumi.<stack>.yaml` is the source of truth; the sandbox works on a copy so that `pulumi config set`
 * there never edits the repository. Three versions of each file decide what happens before any
 * command runs:
 *
 * - the repository's file (R), the sandbox's copy (S), and what the sandbox last copied (B, kept in
 *   `project/.repository/`), compared by their config as the program receives it (values flattened as
 *   the CLI passes them, so `pulumi config set` rewriting the file's layout, comments or a `false` as
 *   `"false"` is no change);
 * - R = S: in step (B is brought up to date);
 * - R = B, S ≠ B: only the sandbox changed (`config set` there): kept, that is what the copy is for;
 * - R ≠ B, S = B: only the repository changed (an edit, a pull): the copy is refreshed from it, and
 *   the command says so in one line, so a preview never runs on a stale copy;
 * - R ≠ B, S ≠ B: both changed: a divergence. Nothing runs; the message names the keys that differ on
 *   each side and the commands that reconcile (take the repository's file, or copy the sandbox's
 *   edits into it);
 * - no B (a sandbox made before this record existed) and R ≠ S: the same divergence, since nobody
 *   can tell which side changed.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

export const BASE_DIR_NAME = ".repository";

export interface Divergence {
    stack: string;
    /** Config keys whose value the repository changed (since the copy), the sandbox changed, or both (unknown base: every key that differs). */
    repositoryKeys: string[];
    sandboxKeys: string[];
    baseKnown: boolean;
}

export interface StackFileSync {
    /** Copied for the first time. */
    copied: string[];
    /** Refreshed from the repository (only the repository had changed). */
    refreshed: { stack: string; keys: string[] }[];
    diverged: Divergence[];
}

/** A config value as the CLI hands it to the program: a string as is, anything else as JSON (cli/stack-file.ts `flatten`). */
const flat = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** `config:` of a stack file as key → flattened value, or null when the text is not YAML. */
function configOf(text: string): Map<string, string> | null {
    try {
        const doc = YAML.parse(text) as { config?: Record<string, unknown> } | null;
        return new Map(Object.entries(doc?.config ?? {}).map(([k, v]) => [k, flat(v)]));
    } catch {
        return null;
    }
}

/** The config keys whose values differ between two stack-file texts; `(file)` when one cannot be read. Pure. */
export function changedKeys(a: string, b: string): string[] {
    if (a === b) return [];
    const [x, y] = [configOf(a), configOf(b)];
    if (!x || !y) return ["(file)"];
    return [...new Set([...x.keys(), ...y.keys()])].filter((k) => x.get(k) !== y.get(k)).sort();
}

/** Same config (what the program would receive)? Pure. */
const same = (a: string, b: string) => changedKeys(a, b).length === 0;

/** What to do with one stack file, from its three versions. Pure. */
export function judge(repo: string, sandbox: string | undefined, base: string | undefined):
    { action: "copy" | "in-step" | "keep-sandbox" | "refresh" } | { action: "diverged"; repositoryKeys: string[]; sandboxKeys: string[]; baseKnown: boolean } {
    if (sandbox === undefined) return { action: "copy" };
    if (same(sandbox, repo)) return { action: "in-step" };
    if (base === undefined) return { action: "diverged", repositoryKeys: changedKeys(sandbox, repo), sandboxKeys: changedKeys(repo, sandbox), baseKnown: false };
    if (same(repo, base)) return { action: "keep-sandbox" };
    if (same(sandbox, base)) return { action: "refresh" };
    return { action: "diverged", repositoryKeys: changedKeys(base, repo), sandboxKeys: changedKeys(base, sandbox), baseKnown: true };
}

/**
 * Bring the sandbox's copies of `stacks` in step with `repoDir` as above; nothing is written for a
 * diverged stack. Returns what was done and what diverged.
 */
export function syncStackFiles(repoDir: string, projectDir: string, stacks: string[]): StackFileSync {
    const baseDir = path.join(projectDir, BASE_DIR_NAME);
    fs.mkdirSync(baseDir, { recursive: true });
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
    const out: StackFileSync = { copied: [], refreshed: [], diverged: [] };
    for (const stack of stacks) {
        const name = `Pulumi.${stack}.yaml`;
        const repo = fs.readFileSync(path.join(repoDir, name), "utf8");
        const copy = path.join(projectDir, name);
        const baseFile = path.join(baseDir, name);
        const base = read(baseFile);
        const sandbox = read(copy);
        const j = judge(repo, sandbox, base);
        switch (j.action) {
            case "copy":
                fs.writeFileSync(copy, repo);
                out.copied.push(stack);
                break;
            case "refresh":
                fs.writeFileSync(copy, repo);
                out.refreshed.push({ stack, keys: changedKeys(base!, repo) });
                break;
            case "diverged":
                out.diverged.push({ stack, repositoryKeys: j.repositoryKeys, sandboxKeys: j.sandboxKeys, baseKnown: j.baseKnown });
                continue;
            case "in-step":
            case "keep-sandbox":
                break;
        }
        if (base !== repo) fs.writeFileSync(baseFile, repo);
    }
    return out;
}

/** The stack a `pulumi` command line names (`--stack x`, `-s x`, `--stack=x`), or undefined (the selected one). Pure. */
export function stackOfArgs(args: string[]): string | undefined {
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--stack" || a === "-s") return args[i + 1];
        const m = /^(?:--stack|-s)=(.+)$/.exec(a);
        if (m) return m[1];
    }
    return undefined;
}

/** The report of a divergence: what differs on each side, and the commands that reconcile. */
export function divergenceMessage(d: Divergence, sandboxCopy: string): string[] {
    const keys = (k: string[]) => k.join(", ");
    const file = `Pulumi.${d.stack}.yaml`;
    return [
        d.baseKnown
            ? `sandbox: ${file} has diverged: the repository's file changed since the sandbox copied it (${keys(d.repositoryKeys)}), and so did the sandbox's copy (${keys(d.sandboxKeys)}).`
            : `sandbox: ${file} differs from the sandbox's copy (${keys(d.sandboxKeys)}), and the sandbox predates the record of what it copied: which side changed is unknown.`,
        `Nothing was run. Compare them: diff ${file} ${sandboxCopy}`,
        `  take the repository's file (the source of truth; drops the sandbox's edits, keeps its state):  npm run pulumi -- --fresh-checkout`,
        `  or make the sandbox's copy the repository's (drops the repository's changes):                  cp ${sandboxCopy} ${file}`,
    ];
}
