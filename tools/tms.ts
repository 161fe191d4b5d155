/**
 * `tms <command> …`: the repository's commands without npm's banner (`> tms-infrastructure@0.1.0 plan`),
 * so their output pipes (`npx tms plan --stack prod --json | jq …`). Each name is the npm script's,
 * with the same flags and exit codes: `npx tms rollout --stack prod …` is `npm run rollout -- --stack prod …`.
 * bin/tms.js registers ts-node and runs this module from a checkout of the repository (the package
 * installed from npm holds the components library only, and its `tms` says so).
 *
 * Each command's module is loaded only when it runs, so `tms plan` never loads the AWS SDK.
 */
import { runMain } from "../cli/run-main";
import { invokedAs } from "../cli/flags";
import { EXIT } from "../cli/exit-codes";

type Main = (argv: string[]) => Promise<number>;

/** Command → what it does and how to start it. The names are the npm scripts'. */
export const TMS_COMMANDS: Record<string, { summary: string; load: () => Main; run?: Parameters<typeof runMain>[1] }> = {
    plan: { summary: "the offline plan of a stack (mock engine)", load: () => require("./plan").main, run: { errorPrefix: "plan failed: " } },
    policy: { summary: "the policy pack over a plan record (plan --json)", load: () => (argv) => require("./policy-runner").main(argv) },
    rollout: { summary: "roll a release out (or --dry-run, --resume)", load: () => (argv) => require("../automation/cli").main(["rollout", ...argv]) },
    rollback: { summary: "roll the stack's in-flight rollout back", load: () => (argv) => require("../automation/cli").main(["rollback", ...argv]) },
    "rollout:status": { summary: "what the stack's rollout is doing (--watch, --json)", load: () => (argv) => require("../automation/cli").main(["status", ...argv]) },
    "rollout:unlock": { summary: "clear a lock left by a runner that died", load: () => (argv) => require("../automation/cli").main(["unlock", ...argv]) },
    "rollout:cleanup": { summary: "scale the old colour down after the rollback window", load: () => (argv) => require("../automation/cli").main(["cleanup", ...argv]) },
    "rollout:simulate": { summary: "replay a metrics trace through the real engine", load: () => (argv) => require("../automation/simulate").main(argv) },
    "dr:failover": { summary: "move production to the dr stack (docs/dr.md)", load: () => (argv) => require("../automation/dr-cli").main(["failover", ...argv]), run: { messageOnly: true } },
    "dr:failback": { summary: "move production back to prod by switchover (docs/dr.md)", load: () => (argv) => require("../automation/dr-cli").main(["failback", ...argv]), run: { messageOnly: true } },
    pulumi: { summary: "the real Pulumi CLI on the offline sandbox", load: () => require("./sandbox/pulumi").main, run: { messageOnly: true } },
};

export function tmsHelp(): string {
    const width = Math.max(...Object.keys(TMS_COMMANDS).map((n) => n.length));
    return [
        "usage: tms <command> [flags]   (tms <command> --help for its flags and exit codes)",
        "",
        "The repository's commands, as `npm run <command> -- …` runs them, without npm's banner.",
        "",
        "commands:",
        ...Object.entries(TMS_COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    ].join("\n");
}

export async function main(argv: string[], io = { out: (t: string) => console.log(t), err: (t: string) => console.error(t) }): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h") {
        (name === undefined ? io.err : io.out)(tmsHelp());
        return name === undefined ? EXIT.error : EXIT.ok;
    }
    const command = TMS_COMMANDS[name];
    if (!command) {
        io.err(`tms: unknown command "${name}" (${Object.keys(TMS_COMMANDS).join(", ")})`);
        return EXIT.error;
    }
    invokedAs("tms");
    return command.load()(rest);
}

/** Run `tms …` as a process: each command with its own entry-point options (error prefix, message only). */
export function start(argv: string[]): void {
    runMain(() => main(argv), TMS_COMMANDS[argv[0] ?? ""]?.run);
}

if (require.main === module) start(process.argv.slice(2));
