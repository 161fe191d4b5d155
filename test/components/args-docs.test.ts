/**
 * Every field of an exported `*Args` interface in components/ (and of the interfaces its fields name) has
 * a doc comment, an optional one names its `@default` (docs/library.md): the Args are the library's
 * reference. And every field is read by some component: an input nothing reads is ignored. Parses the
 * sources with the TypeScript compiler API (test/components/args-fields.ts), no type-checking: well under a
 * second.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { argsFields, unreadFields } from "./args-fields";

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

    it("every Args field is read by the components (an input nothing reads is ignored)", () => {
        assert.deepEqual(unreadFields().map(where), []);
    });

    it("tells an undocumented field and an optional field without @default from documented ones, and follows named types", () => {
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
                "    /** A named type: its fields are Args fields too. */",
                "    e: Nested[];",
                "    /** A callback: what it returns is not. */",
                "    f: () => Returned;",
                "}",
                "interface Nested { g: string }",
                "interface Returned { h: string }",
                "interface NotExportedArgs { i: string }",
                "export interface Other { j: string }",
                "export const use = (x: XArgs) => [x.a, x.c, x.e.map((n) => n.g)];",
            ].join("\n"));
            // What from-config.ts writes is no read; what another module reads of an interface it imports is.
            fs.writeFileSync(path.join(dir, "from-config.ts"), "export const b = (cfg: { b: number; f: 1 }) => ({ b: cfg.b, f: cfg.f });");
            fs.writeFileSync(path.join(dir, "y.ts"), "import type { XArgs } from \"./x\";\nexport const d = ({ d }: XArgs) => d;");
            const found = argsFields(dir).map((x) => [x.iface, x.field, x.documented, x.optional, x.hasDefault, x.nested ?? ""]);
            assert.deepEqual(found, [
                ["XArgs", "a", true, false, false, ""], ["XArgs", "b", false, false, false, ""], ["XArgs", "c", true, true, false, ""],
                ["XArgs", "d", true, true, true, ""], ["XArgs", "e", true, false, false, "Nested"], ["XArgs", "f", true, false, false, ""],
                ["Nested", "g", false, false, false, ""],
            ]);
            assert.deepEqual(unreadFields(dir).map((x) => `${x.iface}.${x.field}`), ["XArgs.b", "XArgs.f"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
