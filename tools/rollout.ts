/**
 * The entry point of `npm run rollout`, `rollback`, `rollout:status`, `rollout:unlock`, `rollout:cleanup`
 * and `rollout:sync`: automation/cli.ts against AWS, or with `--sandbox` against the offline sandbox
 * (tools/sandbox/rollout-env.ts; the sandbox and its dev dependencies live in tools/, which the shipped
 * automation never imports).
 */
import { main, realEnvironment } from "../automation/cli";
import { runMain } from "../cli/run-main";

if (require.main === module) {
    runMain(() => main(process.argv.slice(2), {
        ...realEnvironment,
        sandbox: async (args, base) => (await import("./sandbox/rollout-env")).sandboxEnvironment(args, base),
    }));
}
