/** components/ (the library users read) keeps its lines at most 140 characters, comments included. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const DIR = path.join(__dirname, "..", "..", "components");
const MAX = 140;

describe("components/: lines of at most 140 characters", () => {
    it("has no longer line", () => {
        const long = fs.readdirSync(DIR).filter((f) => f.endsWith(".ts")).sort().flatMap((f) =>
            fs.readFileSync(path.join(DIR, f), "utf8").split("\n").flatMap((line, i) => (line.length > MAX ? [`components/${f}:${i + 1} (${line.length})`] : [])));
        assert.deepEqual(long, []);
    });
});
