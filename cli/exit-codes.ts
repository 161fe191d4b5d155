/**
 * The exit codes of every command (plan, rollout, rollback, rollout:*, dr:failover, the docs and
 * architecture checks): one table, so that a code means the same thing whichever command returned
 * it and a CI step can act on it without knowing the command. Each command's `--help` lists the
 * codes it can return, in the table's words refined for that command; docs/ci.md shows the table
 * (a test keeps it equal to this one).
 */

export const EXIT = {
    ok: 0,
    error: 1,
    rolledBack: 2,
    halted: 3,
    refused: 4,
    inFlight: 5,
    notChecked: 6,
} as const;

export type ExitName = keyof typeof EXIT;

/** What each code means, for every command. */
export const EXIT_MEANING: Record<ExitName, string> = {
    ok: "done: promoted, planned, cleared, written, nothing to do, or a dry run that found no reason to refuse",
    error: "bad input (a flag, a stack file, a change-request or trace file; nothing was attempted) or a failure (AWS, Pulumi, a step); " +
        "the message says which",
    rolledBack: "rolled back: traffic is 100% on the previous live colour (or never moved)",
    halted: "halted for a human: traffic stays where it was; look, then resume or roll back",
    refused:
        "refused: a check said no (preflight, a mandatory policy, a broken flow, a live lease, the rollback window, a stale document); " +
        "nothing changed",
    inFlight: "not decided yet: a rollout still in flight, or a replayed trace that ended before a decision",
    notChecked: "not checked (--strict): a dry run could not check everything it should (no credentials, no stack); nothing changed",
};

/**
 * When the reader of stdout goes away (`tms plan --json | head -1`), a command stops quietly with
 * this code, as a Unix tool killed by SIGPIPE does (128 + 13). Not an outcome: listed in docs/ci.md,
 * not in each `--help`.
 */
export const PIPE_CLOSED_EXIT = 141;

/** The codes a command can return, each with that command's wording (`ok` and `error` are always there). */
export type ExitCodes = { ok: string; error: string } & Partial<Record<ExitName, string>>;

/** `--help` lines for a command's codes, in code order: `  4 refused      preflight said no …`. */
export function exitCodeLines(codes: ExitCodes): string[] {
    const names = (Object.keys(EXIT) as ExitName[]).filter((n) => codes[n] !== undefined);
    const width = Math.max(...names.map((n) => n.length));
    return names.map((n) => `  ${EXIT[n]}  ${n.padEnd(width)}  ${codes[n]}`);
}

/** The name of a code, e.g. 4 → `refused`; undefined for a code outside the table. */
export function exitName(code: number): ExitName | undefined {
    return (Object.keys(EXIT) as ExitName[]).find((n) => EXIT[n] === code);
}
