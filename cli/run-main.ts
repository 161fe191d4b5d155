import { EXIT, PIPE_CLOSED_EXIT } from "./exit-codes";

/**
 * The entry point every command shares: run `main`, then exit with its code once stdout has
 * drained (stdout to a pipe is asynchronous; exiting at once would cut a large output short). An
 * unexpected error is printed (its stack, unless `messageOnly`) and exits 1. When the reader of
 * stdout or stderr goes away (`tms plan --json | head -1`), the command stops at once and quietly
 * with 141, as a Unix tool killed by SIGPIPE would (Node ignores SIGPIPE and reports EPIPE as an
 * error event instead, which would otherwise crash with a stack trace).
 */
export function runMain(main: () => Promise<number>, opts: { errorPrefix?: string; messageOnly?: boolean } = {}): void {
    quietSdkNodeWarning(process.env);
    quietOnClosedPipe(process.stdout, process.exit);
    quietOnClosedPipe(process.stderr, process.exit);
    main().then(
        // The write's callback gets the pipe's error too: a reader gone before the last byte is a closed pipe.
        (code) =>
            process.stdout.write("", (e) =>
                process.exit((e as NodeJS.ErrnoException | null | undefined)?.code === "EPIPE" ? PIPE_CLOSED_EXIT : code),
            ),
        (e: unknown) => {
            if ((e as NodeJS.ErrnoException)?.code === "EPIPE") return process.exit(PIPE_CLOSED_EXIT);
            const text = e instanceof Error ? (opts.messageOnly ? e.message : e.stack ?? e.message) : String(e);
            process.stderr.write(`${opts.errorPrefix ?? ""}${text}\n`, () => process.exit(EXIT.error));
        },
    );
}

/**
 * The AWS SDK for JavaScript v3 prints a nine-line `NodeVersionSupportWarning` on Node 20 from the
 * first client it constructs ("versions published after the first week of January 2027 will require
 * node >=22"). It is true but says nothing about this run, and it buried every command's output, so
 * the commands turn it off with the switch AWS documents for that
 * (https://github.com/aws/aws-sdk-js-v3/issues/7983: `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true`).
 * The supported Node versions, and why, are in package.json `engines` and docs/commands.md. A value the
 * caller set is kept.
 */
export function quietSdkNodeWarning(env: NodeJS.ProcessEnv): void {
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

/** On EPIPE from `stream`, exit with {@link PIPE_CLOSED_EXIT} and print nothing; any other stream error is rethrown. */
export function quietOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => never | void): void {
    stream.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EPIPE") exit(PIPE_CLOSED_EXIT);
        else throw e;
    });
}
