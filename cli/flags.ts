/**
 * The flag parser every command shares (plan, bench, rollout, rollback, rollout:simulate,
 * rollout:status, rollout:unlock, rollout:cleanup, dr:failover): `node:util`'s `parseArgs` in strict
 * mode behind one spec per command, so that all of them accept `--flag value` and `--flag=value`,
 * refuse unknown flags and repeated single-valued flags with the usage, and print `--help` in the
 * same layout. A command's own checks (a flag's format, flags that exclude each other) throw
 * {@link UsageError} from its `validate` function and are reported the same way.
 */
import { parseArgs } from "node:util";
import { EXIT, exitCodeLines, type ExitCodes } from "./exit-codes";

/** A bad command line. Printed as `<message>\n<usage>` on stderr; the command exits 1 (bad input). */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface FlagSpec {
    type: "string" | "boolean";
    /** May be given more than once (values collected in order). */
    multiple?: boolean;
    /** One-letter alias, e.g. `s` for `-s`. */
    short?: string;
    /** Placeholder of the value in the help, e.g. `NAME`, `FILE`. */
    value?: string;
    help: string;
}

export interface CommandSpec<F extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
    /** How it is run, e.g. `npm run plan --`. */
    command: string;
    /** One line per form, after the command, e.g. `--stack NAME [--json]`. */
    synopsis: string[];
    /** What the command does, one or two sentences. */
    summary: string;
    flags: F;
    /** The codes it can return from the shared table (cli/exit-codes.ts), in this command's words. */
    exitCodes: ExitCodes;
}

type ValueOf<S extends FlagSpec> = S["type"] extends "boolean" ? boolean : S["multiple"] extends true ? string[] : string;

/** Parsed flags: every flag present or `undefined` (booleans default to false, multiples to []). */
export type FlagValues<F extends Record<string, FlagSpec>> = {
    [K in keyof F]: F[K]["type"] extends "boolean" ? boolean : F[K]["multiple"] extends true ? string[] : ValueOf<F[K]> | undefined;
};

const HELP: FlagSpec = { type: "boolean", short: "h", help: "print this help and exit" };

/** How the command was started: `npm run plan --` (the default) or `tms plan` (bin/tms.js sets it). */
let invokedThrough: "npm" | "tms" = "npm";
export function invokedAs(how: "npm" | "tms"): void {
    invokedThrough = how;
}

/** The command as the user typed it: `npm run plan --`, or `tms plan` when run through the `tms` bin. */
export function commandName(spec: Pick<CommandSpec, "command">): string {
    return invokedThrough === "tms" ? spec.command.replace(/^npm run (\S+) --$/, "tms $1") : spec.command;
}

/** `usage: <command> <synopsis>` lines, continued forms indented under the first. */
export function usage(spec: CommandSpec): string {
    return spec.synopsis.map((s, i) => `${i === 0 ? "usage: " : "       "}${commandName(spec)} ${s}`).join("\n");
}

/** The `--help` text: usage, summary, one line per flag, exit codes. Same layout for every command. */
export function help(spec: CommandSpec): string {
    const entries = Object.entries({ ...spec.flags, help: HELP }).map(([name, f]) => {
        const names = f.short ? `-${f.short}, --${name}` : `    --${name}`;
        return [`${names}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}${f.multiple ? " …" : ""}`, f.help] as const;
    });
    const width = Math.max(...entries.map(([n]) => n.length));
    return [
        usage(spec),
        "",
        spec.summary,
        "",
        "flags:",
        ...entries.map(([n, h]) => `  ${n.padEnd(width)}  ${h}`),
        "",
        "exit codes (one table for every command, docs/ci.md):",
        ...exitCodeLines(spec.exitCodes),
    ].join("\n");
}

/** The flag a parseArgs error message names (`'-s, --stack <value>'` → `--stack`). */
function flagIn(message: string): string {
    return /--[A-Za-z0-9-]+/.exec(message)?.[0] ?? /'(-[^' ]+)/.exec(message)?.[1] ?? "?";
}

/** Translate parseArgs' errors into the same short messages every command prints. */
function usageErrorOf(e: unknown): UsageError {
    const { code, message } = e as { code?: string; message: string };
    switch (code) {
        case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
            return new UsageError(`unknown flag "${/'([^']*)'/.exec(message)?.[1] ?? "?"}"`);
        case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
            return new UsageError(`unexpected argument "${/'([^']*)'/.exec(message)?.[1] ?? "?"}"`);
        case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
            return new UsageError(
                /does not take an argument/.test(message) ? `${flagIn(message)} takes no value` : `${flagIn(message)} needs a value`,
            );
        default:
            throw e;
    }
}

/**
 * Parse `argv` against `spec`. Throws {@link UsageError} for an unknown flag, a missing value, a
 * positional argument or a single-valued flag given twice; returns `"help"` for `--help`/`-h`.
 */
export function parseFlags<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>, argv: string[]): FlagValues<F> | "help" {
    const options = Object.fromEntries(Object.entries({ ...spec.flags, help: HELP })
        .map(([name, f]) => [name, { type: f.type, ...(f.multiple ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) }]));
    let parsed: ReturnType<typeof parseArgs>;
    try {
        parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
    } catch (e) {
        throw usageErrorOf(e);
    }
    if (parsed.values.help) return "help";
    const counts = new Map<string, number>();
    for (const t of parsed.tokens ?? []) if (t.kind === "option") counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const out: Record<string, unknown> = {};
    for (const [name, f] of Object.entries(spec.flags)) {
        const n = counts.get(name) ?? 0;
        if (!f.multiple && n > 1) throw new UsageError(`--${name} given ${n} times`);
        const v = parsed.values[name];
        out[name] = f.type === "boolean" ? v === true : f.multiple ? ((v as string[] | undefined) ?? []) : v;
    }
    return out as FlagValues<F>;
}

/** The command stops here with this exit code (after `--help`, or a usage error). */
export class Stop {
    constructor(readonly exitCode: number) {}
}

export interface FlagIo {
    out(text: string): void;
    err(text: string): void;
}

/**
 * Parse and validate a command's flags, handling the outcomes every command handles alike: `--help`
 * prints the help on stdout (exit 0); a bad command line prints the message and the usage on
 * stderr (exit 1). Returns the validated arguments, or the exit code when the command must stop.
 */
export function readFlags<F extends Record<string, FlagSpec>, A>(
    spec: CommandSpec<F>,
    argv: string[],
    io: FlagIo,
    validate: (values: FlagValues<F>) => A,
): A | Stop {
    try {
        const values = parseFlags(spec, argv);
        if (values === "help") {
            io.out(help(spec));
            return new Stop(EXIT.ok);
        }
        return validate(values);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.err(`${e.message}\n${usage(spec)}\n(--help for every flag)`);
        return new Stop(EXIT.error);
    }
}

/** A stack name as Pulumi accepts it; every command taking `--stack` checks it the same way. */
export function stackName(flag: string, value: string | undefined): string {
    if (value === undefined) throw new UsageError(`${flag} NAME is required`);
    if (!/^[A-Za-z0-9_.-]+$/.test(value)) throw new UsageError(`${flag}: "${value}" is not a stack name`);
    return value;
}
