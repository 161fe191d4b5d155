/**
 * Writes the generated tables of `docs/access-and-monitoring.md` (between its markers) from
 * tools/access-matrix.ts: the deployment role's permission list and the allowed and denied rows the
 * IAM simulator tests judge.
 *
 *   npm run docs:access            rewrite the tables
 *   npm run docs:access -- --check exit 1 when the doc is stale
 */
import * as fs from "fs";
import * as path from "path";
import { withAccessTables } from "./access-matrix";
import { runMain } from "../cli/run-main";

export const ACCESS_DOC_PATH = path.join(__dirname, "..", "docs", "access-and-monitoring.md");

export function main(argv: string[]): number {
    const doc = fs.readFileSync(ACCESS_DOC_PATH, "utf8");
    const next = withAccessTables(doc);
    if (argv.includes("--check")) {
        if (next === doc) return 0;
        process.stderr.write("docs/access-and-monitoring.md is stale: run `npm run docs:access`\n");
        return 1;
    }
    if (next !== doc) fs.writeFileSync(ACCESS_DOC_PATH, next);
    process.stdout.write(`docs/access-and-monitoring.md: ${next === doc ? "up to date" : "tables rewritten"}\n`);
    return 0;
}

if (require.main === module) runMain(async () => main(process.argv.slice(2)));
