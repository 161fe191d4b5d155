/**
 * The entry point every command shares: run `main`, then exit with its code once stdout has
 * drained (stdout to a pipe is asynchronous; exiting at once would cut a large output short). An
 * unexpected error is printed (its stack, unless `messageOnly`) and exits 1.
 */
export function runMain(main: () => Promise<number>, opts: { errorPrefix?: string; messageOnly?: boolean } = {}): void {
    quietSdkNodeWarning(process.env);
    main().then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (e: unknown) => {
            const text = e instanceof Error ? (opts.messageOnly ? e.message : e.stack ?? e.message) : String(e);
            process.stderr.write(`${opts.errorPrefix ?? ""}${text}\n`, () => process.exit(1));
        },
    );
}

/**
 * The AWS SDK for JavaScript v3 prints a nine-line `NodeVersionSupportWarning` on Node 20 from the
 * first client it constructs ("versions published after the first week of January 2027 will require
 * node >=22"). It is true but says nothing about this run, and it buried every command's output, so
 * the commands turn it off with the switch AWS documents for that
 * (https://github.com/aws/aws-sdk-js-v3/issues/7983: `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`).
 * The supported Node versions, and why, are in package.json `engines` and the README. A value the
 * caller set is kept.
 */
export function quietSdkNodeWarning(env: NodeJS.ProcessEnv): void {
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
