/**
 * `npm run pulumi -- <args>`: the real Pulumi CLI against the offline sandbox in `.pulumi-offline/`
 * (fake provider plugins, a local file backend, passphrase secrets; see tools/sandbox/sandbox.ts).
 * Any subcommand works, e.g. `stack init prod`, `config set --path …`, `preview --policy-pack policy
 * --policy-pack-config policy/config/prod.json`, `up --target …`, `destroy`, `stack output --json`.
 *
 * The sandbox keeps its own copies of the stack files, in step with the repository's before every
 * command (stack-files.ts): a copy the repository changed is refreshed, a copy changed on both sides
 * stops the command (exit 4) with the commands that reconcile. `npm run pulumi -- --reset` deletes the
 * sandbox (state, stacks and copies) so the next command starts from the repository's files;
 * `npm run pulumi -- --fresh-checkout [pulumi args…]` replaces only the copies with the repository's stack
 * files (as a new CI job's checkout has them), keeping the state and the rollout table.
 */
import * as fs from "fs";
import * as path from "path";
import { runMain } from "../../cli/run-main";
import { ensurePulumiCli } from "./pulumi-cli";
import { OFFLINE_DIR, prepareSandbox, StackFileDivergenceError } from "./sandbox";
import { stackOfArgs } from "./stack-files";
import { EXIT } from "../../cli/exit-codes";

export { OFFLINE_DIR };

export async function main(args: string[]): Promise<number> {
    if (args[0] === "--reset") {
        fs.rmSync(OFFLINE_DIR, { recursive: true, force: true });
        process.stdout.write(`removed ${path.relative(process.cwd(), OFFLINE_DIR) || OFFLINE_DIR}\n`);
        return 0;
    }
    if (args[0] === "--fresh-checkout") {
        // What the next CI job sees: the repository's stack files, with the state backend and the rollout
        // table (dynalite's data) as they are. A `pulumi preview`/`up` from a stale traffic section is then refused.
        const cli = ensurePulumiCli();
        const sandbox = prepareSandbox(OFFLINE_DIR, cli, { refreshStackFiles: true });
        process.stdout.write(`fresh checkout: the repository's stack files replaced the copies in ${path.relative(process.cwd(), sandbox.projectDir) || sandbox.projectDir}; state and rollout table kept\n`);
        if (args.length === 1) return 0;
        return sandbox.attach(args.slice(1));
    }
    const cli = ensurePulumiCli();
    if (cli.source === "built") process.stderr.write(`built Pulumi ${cli.version} in ${cli.buildSeconds!.toFixed(0)} s\n`);
    let sandbox;
    try {
        sandbox = prepareSandbox(OFFLINE_DIR, cli, { target: stackOfArgs(args), log: (l) => process.stderr.write(l + "\n") });
    } catch (e) {
        if (!(e instanceof StackFileDivergenceError)) throw e;
        process.stderr.write(e.message + "\n");
        return EXIT.refused;
    }
    return sandbox.attach(args);
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { messageOnly: true });
