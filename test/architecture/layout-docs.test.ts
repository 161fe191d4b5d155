/**
 * L1 (structure): the "Layout" paragraph and Mermaid diagram of docs/architecture.md say what the
 * architecture rules enforce: generated from tools/architecture/rules.ts, and a test fails when the page is stale.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import { LAYOUT_BEGIN, LAYOUT_DOC_PATH, LAYOUT_END, renderLayout, withLayout, wrap } from "../../tools/architecture/layout-docs";
import { LAYERS, SPECIAL_RULES } from "../../tools/architecture/rules";

const page = () => fs.readFileSync(LAYOUT_DOC_PATH, "utf8");

describe("docs/architecture.md layout (generated from the architecture rules)", () => {
    it("is up to date with the rules (run `npm run docs:layout`)", () => {
        const current = page();
        assert.equal(withLayout(current), current, "docs/architecture.md's layout is stale: run `npm run docs:layout`");
        const layout = current.slice(current.indexOf("## Layout"), current.indexOf("\n## ", current.indexOf("## Layout") + 1));
        assert.ok(layout.includes(LAYOUT_BEGIN) && layout.includes(LAYOUT_END), "the generated layout is not in the Layout section");
    });

    it("draws exactly the allowed arrows, one node per layer, and states every other rule", () => {
        const section = page().slice(page().indexOf(LAYOUT_BEGIN), page().indexOf(LAYOUT_END));
        const ids = new Map(LAYERS.map((l) => [`L_${l.name}`, l.name]));
        const drawn = [...section.matchAll(/^ {4}(\w+) --> (\w+)$/gm)].map((m) => `${ids.get(m[1])} → ${ids.get(m[2])}`);
        const allowed = LAYERS.flatMap((l) => l.mayImport.map((to) => `${l.name} → ${to}`));
        assert.deepEqual(drawn.sort(), allowed.sort());
        for (const l of LAYERS) assert.match(section, new RegExp(`^ {4}L_${l.name}\\["${l.label.replace(/\./g, "\\.")}<br/>`, "m"), `no node for ${l.label}`);
        const text = section.replace(/\s+/g, " ");
        for (const r of SPECIAL_RULES) assert.ok(text.includes(r.statement), `docs/architecture.md does not say: ${r.statement}`);
    });

    it("notices a stale or hand-edited diagram, and missing markers", () => {
        const current = page();
        const edited = current.replace("    L_components --> L_config\n", "    L_components --> L_config\n    L_components --> L_automation\n");
        assert.notEqual(edited, current);
        assert.notEqual(withLayout(edited), edited);
        assert.equal(withLayout(edited), current);
        assert.throws(() => withLayout(current.replace(LAYOUT_END, "")), /docs\/architecture\.md: the markers .* are missing/);
        assert.ok(renderLayout().startsWith("Each top-level folder is a layer"));
    });

    it("wraps the paragraph without splitting a code span", () => {
        assert.equal(wrap("aa bb `c d e` ff", 8), "aa bb\n`c d e`\nff");
        for (const line of renderLayout().split("```mermaid")[0].trim().split("\n")) {
            assert.ok(line.length <= 110 || !line.includes(" "), `line too long: ${line}`);
            assert.equal((line.match(/`/g) ?? []).length % 2, 0, `a code span is split: ${line}`);
        }
    });
});
