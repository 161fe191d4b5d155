/**
 * Every field of an exported `*Args` interface in components/ has a doc comment, and an optional one
 * names its `@default` (docs/library.md): the Args are the library's reference. Parses the sources with
 * the TypeScript compiler API (test/components/args-fields.ts), no type-checking: well under a second.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { argsFields } from "./args-fields";

const where = (x: { file: string; line: number; iface: string; field: string }) => `components/${x.file}:${x.line} ${x.iface}.${x.field}`;

describe("component Args: documented, defaults stated", () => {
    const fields = argsFields();

    it("finds the Args of the components (the reader works)", () => {
        assert.ok(fields.length > 250, `${fields.length} fields`);
        for (const f of ["DocumentDbClusterArgs.transform", "FargateColourServiceArgs.cpuArchitecture", "EnvironmentStackArgs.stateBackend.bucketArn"]) {
            assert.ok(fields.some((x) => `${x.iface}.${x.field}` === f), f);
        }
    });

    it("every Args field has a doc comment", () => {
        assert.deepEqual(fields.filter((x) => !x.documented).map(where), []);
    });

    it("every optional Args field says its @default", () => {
        assert.deepEqual(fields.filter((x) => x.optional && !x.hasDefault).map(where), []);
    });

    it("tells an undocumented field and an optional field without @default from documented ones", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "args-docs-"));
        try {
            fs.writeFileSync(path.join(dir, "x.ts"), [
                "export interface XArgs {",
                "    /** Documented. */",
                "    a: string;",
                "    b: number;",
                "    /** Optional, no default. */",
                "    c?: string;",
                "    /**",
                "     * Optional with a default.",
                "     * @default 1",
                "     */",
                "    d?: number;",
                "}",
                "interface NotExportedArgs { e: string }",
                "export interface Other { f: string }",
            ].join("\n"));
            const found = argsFields(dir).map((x) => [x.field, x.documented, x.optional, x.hasDefault]);
            assert.deepEqual(found, [["a", true, false, false], ["b", false, false, false], ["c", true, true, false], ["d", true, true, true]]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
