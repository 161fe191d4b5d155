/**
 * L1 (docs): the README stays a quick start (at most 150 lines; the rest lives in docs/), and every
 * relative link in README.md and docs/*.md reaches a file that exists and, when it names one, a heading
 * of that file (GitHub's anchor for it). Cheap: reads a few dozen Markdown files, runs nothing.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const README_MAX_LINES = 150;

/** The lines outside fenced code blocks (numbers kept): raw, and with inline code spans blanked. */
function prose(markdown: string): { line: number; raw: string; text: string }[] {
    const out: { line: number; raw: string; text: string }[] = [];
    let fence: string | null = null;
    markdown.split("\n").forEach((raw, i) => {
        const m = /^\s*(```+|~~~+)/.exec(raw);
        if (m) {
            if (fence === null) fence = m[1];
            else if (m[1].startsWith(fence)) fence = null;
            return;
        }
        if (fence === null) out.push({ line: i + 1, raw, text: raw.replace(/`[^`]*`/g, "``") });
    });
    return out;
}

/** GitHub's anchor for a heading: the rendered text lower-cased, punctuation dropped, spaces → hyphens. */
export function slug(heading: string): string {
    const rendered = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    return rendered.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every anchor a Markdown file defines: its headings (repeats get -1, -2, …, as GitHub does) and explicit ids. */
export function anchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const { raw, text } of prose(markdown)) {
        const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(raw);
        if (h) {
            const base = slug(h[1]);
            const n = seen.get(base) ?? 0;
            seen.set(base, n + 1);
            out.add(n === 0 ? base : `${base}-${n}`);
        }
        for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(m[1]);
    }
    return out;
}

export interface BrokenLink {
    file: string;
    line: number;
    target: string;
    why: string;
}

/** The relative links of one Markdown file (`[text](target)`, `![alt](target)`) that reach nothing. */
export function brokenLinks(file: string, read: (p: string) => string | undefined): BrokenLink[] {
    const markdown = read(file);
    if (markdown === undefined) return [{ file, line: 0, target: file, why: "file not found" }];
    const broken: BrokenLink[] = [];
    for (const { line, text } of prose(markdown)) {
        for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
            const target = m[1];
            if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
            const [rawPath, anchor] = target.split("#", 2);
            const resolved = rawPath === "" ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(rawPath)));
            const content = read(resolved);
            if (content === undefined) {
                broken.push({ file, line, target, why: `${resolved} does not exist` });
                continue;
            }
            if (anchor !== undefined && resolved.endsWith(".md") && !anchors(content).has(anchor)) {
                broken.push({ file, line, target, why: `${resolved} has no heading with the anchor #${anchor}` });
            }
        }
    }
    return broken;
}

/** Reads a repository path: its text for a file, "" for a directory, undefined when it does not exist. */
const readRepo = (p: string): string | undefined => {
    const abs = path.join(ROOT, p);
    if (!fs.existsSync(abs)) return undefined;
    return fs.statSync(abs).isDirectory() ? "" : fs.readFileSync(abs, "utf8");
};

const MARKDOWN = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("README and docs/ (a quick start, and links that lead somewhere)", () => {
    it(`README.md is a quick start of at most ${README_MAX_LINES} lines (the rest lives in docs/)`, () => {
        const lines = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\n$/, "").split("\n").length;
        assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move detail into a docs/ page and link it`);
    });

    it("every docs/ page is listed in the README's table of contents", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const unlisted = MARKDOWN.filter((f) => f.startsWith("docs/") && !readme.includes(`](${f})`));
        assert.deepEqual(unlisted, []);
    });

    it("every relative link in README.md and docs/*.md reaches an existing file and heading", () => {
        const broken = MARKDOWN.flatMap((f) => brokenLinks(f, readRepo));
        assert.deepEqual(broken.map((b) => `${b.file}:${b.line}: (${b.target}) ${b.why}`), []);
    });

    it("finds a missing file, a missing anchor and a renamed heading; ignores URLs and code", () => {
        const files: Record<string, string> = {
            "README.md": [
                "[ok](docs/a.md#the-set-up-in-detail) [gone](docs/missing.md) [bad anchor](docs/a.md#nowhere)",
                "[web](https://example.com/x.md) `[code](docs/missing.md)` [self](#title)",
                "```", "[fenced](docs/missing.md)", "```", "# Title",
            ].join("\n"),
            "docs/a.md": "# A\n\n## The set-up, in detail\n\n```\n## not a heading\n```\n",
        };
        const broken = brokenLinks("README.md", (p) => files[p]);
        assert.deepEqual(broken.map((b) => b.target), ["docs/missing.md", "docs/a.md#nowhere"]);
        files["docs/a.md"] = files["docs/a.md"].replace("The set-up, in detail", "Set-up");
        assert.deepEqual(brokenLinks("README.md", (p) => files[p]).map((b) => b.target), ["docs/a.md#the-set-up-in-detail", "docs/missing.md", "docs/a.md#nowhere"]);
    });

    it("computes GitHub's anchors: punctuation dropped, code and link text kept, repeats numbered", () => {
        assert.equal(slug("Edge, DNS failover and the DR runbook in brief"), "edge-dns-failover-and-the-dr-runbook-in-brief");
        assert.equal(slug("Trying it offline: the sandbox"), "trying-it-offline-the-sandbox");
        assert.equal(slug("ACM ([controls reference](https://docs.aws.amazon.com/x.html))"), "acm-controls-reference");
        assert.deepEqual([...anchors("## What `dr:failover` does\n## Usage\n## Usage\n")], ["what-drfailover-does", "usage", "usage-1"]);
    });
});
