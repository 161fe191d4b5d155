/**
 * The `npm run docs:*` commands that keep a generated part of a document in step with its source:
 * rewrite it, or with `--check` change nothing and exit 4 (refused) when it is stale. One flag spec, one set of
 * messages and one rule (write only what changed) for all of them; each command supplies the render.
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../cli/exit-codes";
import { readFlags, Stop, type CommandSpec, type FlagIo } from "../cli/flags";

export interface GeneratedDoc {
    /** How to run it, e.g. `npm run docs:policies`. */
    command: string;
    /** The document's path. */
    file: string;
    /** One line for `--help`: what is generated, from what. */
    summary: string;
    /** The whole document with its generated part replaced; `current` is undefined when the file does not exist yet. */
    render(current: string | undefined): string | Promise<string>;
}

export function generatedDocSpec(doc: GeneratedDoc) {
    const rel = path.relative(process.cwd(), doc.file);
    return {
        command: `${doc.command} --`,
        synopsis: ["[--check]"],
        summary: doc.summary,
        flags: { check: { type: "boolean" as const, help: `change nothing; exit 4 when ${rel} is stale` } },
        exitCodes: { ok: "written (or up to date)", error: "bad input", refused: "--check: the document is stale" },
    } satisfies CommandSpec;
}

export async function generatedDocMain(
    doc: GeneratedDoc,
    argv: string[],
    io: FlagIo = { out: console.log, err: console.error },
): Promise<number> {
    const args = readFlags(generatedDocSpec(doc), argv, io, (v) => v);
    if (args instanceof Stop) return args.exitCode;
    const rel = path.relative(process.cwd(), doc.file);
    const current = fs.existsSync(doc.file) ? fs.readFileSync(doc.file, "utf8") : undefined;
    const next = await doc.render(current);
    if (next === current) {
        io.out(`${rel} is up to date.`);
        return 0;
    }
    if (args.check) {
        io.err(`${rel} is stale: run \`${doc.command}\`.`);
        return EXIT.refused;
    }
    fs.mkdirSync(path.dirname(doc.file), { recursive: true });
    fs.writeFileSync(doc.file, next);
    io.out(`wrote ${rel}`);
    return 0;
}
