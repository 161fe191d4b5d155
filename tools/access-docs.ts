/**
 * Writes the generated tables of `docs/access-and-monitoring.md` (between its markers) from
 * tools/access-matrix.ts: the deployment role's permission list and the allowed and denied rows the
 * IAM simulator tests judge.
 *
 *   npm run docs:access            rewrite the tables
 *   npm run docs:access -- --check exit 1 when the doc is stale
 */
import * as path from "path";
import { withAccessTables } from "./access-matrix";
import { generatedDocMain, type GeneratedDoc } from "./generated-doc";
import { runMain } from "../cli/run-main";

export const ACCESS_DOC_PATH = path.join(__dirname, "..", "docs", "access-and-monitoring.md");

export const ACCESS_DOC: GeneratedDoc = {
    command: "npm run docs:access",
    file: ACCESS_DOC_PATH,
    summary: "Regenerate the tables of docs/access-and-monitoring.md from tools/access-matrix.ts.",
    render: (current) => {
        if (current === undefined) throw new Error(`${ACCESS_DOC_PATH}: missing (its prose and markers are written by hand)`);
        return withAccessTables(current);
    },
};

if (require.main === module) runMain(() => generatedDocMain(ACCESS_DOC, process.argv.slice(2)));
