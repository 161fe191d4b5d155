/** L1: the `docs:*` commands' shared write-or-check behaviour (tools/generated-doc.ts), on a scratch file. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generatedDocMain, type GeneratedDoc } from "../../tools/generated-doc";

describe("generated documents: write, or check and change nothing", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-doc-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const run = async (doc: GeneratedDoc, argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await generatedDocMain(doc, argv, { out: (l) => void out.push(l), err: (l) => void err.push(l) });
        return { code, out, err };
    };
    const docAt = (file: string): GeneratedDoc => ({
        command: "npm run docs:demo",
        file,
        summary: "A demo.",
        render: (current) => `${(current ?? "# Demo\n").split("<!-- gen -->")[0]}<!-- gen -->\ngenerated\n`,
    });

    it("--check on a stale document exits 4 (refused) naming the file and the command, and leaves it untouched", async () => {
        const file = path.join(dir, "demo.md");
        fs.writeFileSync(file, "# Demo\nprose\n<!-- gen -->\nold\n");
        const rel = path.relative(process.cwd(), file);
        const r = await run(docAt(file), ["--check"]);
        assert.deepEqual(r, { code: 4, out: [], err: [`${rel} is stale: run \`npm run docs:demo\`.`] });
        assert.equal(fs.readFileSync(file, "utf8"), "# Demo\nprose\n<!-- gen -->\nold\n");
    });

    it("writes the generated part, keeps the prose, and then reports the document up to date (with or without --check)", async () => {
        const file = path.join(dir, "demo.md");
        fs.writeFileSync(file, "# Demo\nprose\n<!-- gen -->\nold\n");
        const rel = path.relative(process.cwd(), file);
        assert.deepEqual(await run(docAt(file), []), { code: 0, out: [`wrote ${rel}`], err: [] });
        assert.equal(fs.readFileSync(file, "utf8"), "# Demo\nprose\n<!-- gen -->\ngenerated\n");
        const mtime = fs.statSync(file).mtimeMs;
        assert.deepEqual(await run(docAt(file), []), { code: 0, out: [`${rel} is up to date.`], err: [] });
        assert.deepEqual(await run(docAt(file), ["--check"]), { code: 0, out: [`${rel} is up to date.`], err: [] });
        assert.equal(fs.statSync(file).mtimeMs, mtime, "an up-to-date document is not rewritten");
    });

    it("creates a missing document (and its folder) from the render's default; --check calls a missing one stale", async () => {
        const file = path.join(dir, "sub", "demo.md");
        assert.equal((await run(docAt(file), ["--check"])).code, 4);
        assert.equal(fs.existsSync(file), false);
        assert.equal((await run(docAt(file), [])).code, 0);
        assert.equal(fs.readFileSync(file, "utf8"), "# Demo\n<!-- gen -->\ngenerated\n");
    });
});
