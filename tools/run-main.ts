/**
 * The entry point every command shares: run `main`, then exit with its code once stdout has
 * drained (stdout to a pipe is asynchronous; exiting at once would cut a large output short). An
 * unexpected error is printed (its stack, unless `messageOnly`) and exits 1.
 */
export function runMain(main: () => Promise<number>, opts: { errorPrefix?: string; messageOnly?: boolean } = {}): void {
    main().then(
        (code) => process.stdout.write("", () => process.exit(code)),
        (e: unknown) => {
            const text = e instanceof Error ? (opts.messageOnly ? e.message : e.stack ?? e.message) : String(e);
            process.stderr.write(`${opts.errorPrefix ?? ""}${text}\n`, () => process.exit(1));
        },
    );
}
