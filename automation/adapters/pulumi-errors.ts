/**
 * What went wrong when the Pulumi CLI, driven by the Automation API, failed: in the CLI's own words.
 *
 * The Automation API (`@pulumi/pulumi/automation` cmd.js, v3.248) runs the CLI with execa and wraps
 * every failure, a non-zero exit and a binary that cannot be spawned alike, into a `CommandError`
 * whose `commandResult` has `code: -2` and whose message is the whole result:
 * `code: -2\n stdout: …\n stderr: Command failed with exit code 255: pulumi stack select …\nerror: …\n err?: …`.
 * The code says nothing (it is -2 for every failure) and the text buries the cause, so the commands
 * print instead the first meaningful line of the CLI's stderr (the `error:` line Pulumi writes, e.g.
 * `PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions`), and say that the
 * CLI could not be run only when the spawn itself failed (execa's `code: ENOENT`). Pure.
 */

interface ExecaLike {
    code?: string;
    stdout?: string;
    stderr?: string;
    command?: string;
    shortMessage?: string;
    originalMessage?: string;
    message?: string;
}

interface CommandErrorLike {
    commandResult: { code?: number; stdout?: string; stderr?: string; err?: ExecaLike };
}

export const isPulumiCommandError = (e: unknown): e is Error & CommandErrorLike =>
    e instanceof Error &&
    typeof (e as Partial<CommandErrorLike>).commandResult === "object" &&
    (e as Partial<CommandErrorLike>).commandResult !== null;

/**
 * `pulumi stack select` from execa's `command` (`pulumi stack select --stack prod …`): never the arguments, which may hold config values.
 */
function subcommand(command: string | undefined): string | null {
    if (!command) return null;
    const [bin, ...args] = command.split(/\s+/);
    const words = [];
    for (const a of args) {
        if (a.startsWith("-") || words.length === 2) break;
        words.push(a);
    }
    return [bin.split("/").pop(), ...words].join(" ");
}

/** The first meaningful line of the CLI's stderr: its `error:` line, else the first line that is not execa's or a warning. */
export function firstMeaningfulLine(stderr: string): string | null {
    const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !/^Command failed with /.test(l));
    const error = lines.find((l) => /^error:/i.test(l));
    if (error) return error.replace(/^error:\s*/i, "");
    return lines.find((l) => !/^warning:/i.test(l)) ?? lines[0] ?? null;
}

/** One line: what Pulumi said, and which command said it; any other error's first line. */
export function pulumiFailure(e: unknown): string {
    if (isPulumiCommandError(e)) {
        const r = e.commandResult;
        const err = r.err;
        const cmd = subcommand(err?.command);
        if (err?.code === "ENOENT")
            return `cannot run ${cmd?.split(" ")[0] ?? "pulumi"}: not found on PATH (install the Pulumi CLI, README "Deploy for real")`;
        const said =
            firstMeaningfulLine(err?.stderr ?? r.stderr ?? "") ??
            firstMeaningfulLine(err?.stdout ?? r.stdout ?? "") ??
            err?.shortMessage ??
            `exit code ${r.code}`;
        return cmd ? `${said} (${cmd})` : said;
    }
    const message = e instanceof Error ? e.message : String(e);
    return message.split("\n").find((l) => l.trim() !== "")?.trim() ?? message;
}

/** The whole text of an error, for a log file: the message, the CLI's stdout and stderr, the stack. */
export function pulumiFailureDetail(e: unknown): string {
    if (!(e instanceof Error)) return String(e);
    const parts = [e.stack ?? e.message];
    if (isPulumiCommandError(e)) {
        const r = e.commandResult;
        const err = r.err;
        parts.push(
            `command: ${r.err?.command ?? "?"}`,
            `stdout:\n${err?.stdout || r.stdout || ""}`,
            `stderr:\n${err?.stderr ?? r.stderr ?? ""}`,
        );
    }
    return parts.join("\n");
}

/** An error that carries Pulumi's own one-line cause as its message, and the original as `cause`. */
export class PulumiFailure extends Error {
    constructor(readonly original: unknown) {
        super(pulumiFailure(original), { cause: original });
        this.name = "PulumiFailure";
    }
}

/**
 * `target` with every method's rejection replaced by a {@link PulumiFailure}, so that whatever prints
 * or records the error (the orchestrator's reasons, the deployment record) gets Pulumi's one line
 * instead of the Automation API's dump. Values and successful calls pass through unchanged.
 */
export function withPulumiErrors<T extends object>(target: T, onFailure?: (e: PulumiFailure) => void): T {
    const wrap = (e: unknown) => {
        if (!isPulumiCommandError(e)) return e;
        const f = new PulumiFailure(e);
        onFailure?.(f);
        return f;
    };
    return new Proxy(target, {
        get(t, prop, receiver) {
            const v = Reflect.get(t, prop, receiver);
            if (typeof v !== "function") return v;
            return (...args: unknown[]) => {
                let out: unknown;
                try {
                    out = v.apply(t, args);
                } catch (e) {
                    throw wrap(e);
                }
                return out instanceof Promise ? out.catch((e: unknown) => { throw wrap(e); }) : out;
            };
        },
    });
}
