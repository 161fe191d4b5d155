/**
 * The product's words are declared once, in config/vocabulary.ts: no other module of the program, the rollout
 * or the CLI spells a union of them out (`"blue" | "green"`), so that a new word is added in one place and the
 * type checker finds every table that must learn it. The policy pack keeps its own copy on purpose (it judges
 * the program independently) and is not scanned.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { COLOURS, DR_MODES, DR_ROLES, ENVIRONMENTS, STRATEGIES } from "../../config/vocabulary";

const ROOT = path.resolve(__dirname, "../..");
const ROOMS = ["components", "config", "automation", "cli"];

function shipped(): string[] {
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith(".ts") ? [path.join(d, e.name)] : []));
    return [...ROOMS.flatMap((r) => walk(path.join(ROOT, r))), path.join(ROOT, "index.ts")];
}

/** Lines of `source` that spell a union of two words of one vocabulary (`"a" | "b"`). Pure. */
export function spelledUnions(source: string, words: readonly (readonly string[])[]): string[] {
    return source.split("\n").filter((line) => words.some((vocab) => {
        const word = `"(?:${vocab.join("|")})"`;
        return new RegExp(`${word}\\s*\\|\\s*${word}`).test(line);
    }));
}

describe("one vocabulary (config/vocabulary.ts)", () => {
    const vocabularies = [ENVIRONMENTS, COLOURS, STRATEGIES, DR_ROLES, DR_MODES];

    it("finds a spelled-out union, and only of one vocabulary's words", () => {
        assert.deepEqual(spelledUnions(`const c = x as "blue" | "green";\nconst y = "blue" || "dev";`, vocabularies), [`const c = x as "blue" | "green";`]);
        assert.equal(spelledUnions(`type M = "active" | "standby";`, vocabularies).length, 1);
        assert.equal(spelledUnions(`type S = "update" | "replace";`, vocabularies).length, 0);
    });

    it("no shipped module outside config/vocabulary.ts spells out a union of its words", () => {
        const found = shipped().filter((f) => !f.endsWith(path.join("config", "vocabulary.ts")))
            .flatMap((f) => spelledUnions(fs.readFileSync(f, "utf8"), vocabularies).map((l) => `${path.relative(ROOT, f)}: ${l.trim()}`));
        assert.deepEqual(found, []);
    });
});
