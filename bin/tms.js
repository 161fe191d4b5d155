#!/usr/bin/env node
/**
 * `tms <command> …` (package.json `bin`): the repository's commands without npm's banner, so their
 * output pipes: `npx tms plan --stack prod --json | jq …`. The commands live in tools/tms.ts and run
 * from a checkout of the repository through ts-node, as the npm scripts do (the sources are the truth;
 * nothing is built first). The package installed from npm holds the components library only: there,
 * `tms` says so and exits 1.
 */
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const entry = path.join(root, "tools", "tms.ts");
if (!fs.existsSync(entry)) {
    process.stderr.write(
        "tms: the operator commands (plan, rollout, rollout:status, …) run from a checkout of the infrastructure repository; " +
            "this installed package holds the components library only (require it, or see its README).\n",
    );
    process.exit(1);
}
require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
require(entry).start(process.argv.slice(2));
