/**
 * Colour for the commands' human output, on a terminal only: what must stand out (a rollback, a
 * halt, a refusal, a failed step, a weight that differs) is coloured where the operator is looking,
 * and never where a program reads (a pipe, a file, CI logs, `--json`).
 *
 * Rules, in order: `NO_COLOR` present and not empty turns colour off (https://no-color.org: "when
 * present and not an empty string (regardless of its value), prevents the addition of ANSI color");
 * `TERM=dumb` too; `FORCE_COLOR` set to anything but `0`/`false` turns it on without a terminal (as
 * Node's own `FORCE_COLOR`, for `less -R`); otherwise colour when the stream is a TTY.
 *
 * Colouring is by words on whole lines (the words the commands already print in capitals for the
 * same reason), so every command's printer stays plain text and the sink decides. Pure.
 */

export interface Stream {
    isTTY?: boolean;
}

export function colourEnabled(stream: Stream, env: NodeJS.ProcessEnv): boolean {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
    if (env.TERM === "dumb") return false;
    const force = env.FORCE_COLOR;
    if (force !== undefined && force !== "") return force !== "0" && force.toLowerCase() !== "false";
    return stream.isTTY === true;
}

const SGR = (codes: string) => (s: string) => `\x1b[${codes}m${s}\x1b[0m`;
export const STYLE = {
    danger: SGR("1;31"),
    warning: SGR("1;33"),
    good: SGR("32"),
    strong: SGR("1"),
} as const;

/** Words and what they mean; longest first so `ROLLED BACK` wins over a shorter match inside it. */
const WORDS: [RegExp, (s: string) => string][] = [
    [/\b(?:ROLLED BACK|ROLLBACK|rolled_back|rolling_back|REFUSED|FAILED|DIFFERS|NOT verified|EXPIRED|RTO exceeded)\b/g, STYLE.danger],
    [/\b(?:HALTED|HALT|halted|not checked|NOT CHECKED|INCONCLUSIVE|IN FLIGHT)\b/g, STYLE.warning],
    [/\b(?:promoted|allowed)\b/g, STYLE.good],
    [/\b(?:DECISION|DECIDE|outcome:)/g, STYLE.strong],
];

/**
 * The line with its signal words coloured (when `on`); the text is otherwise unchanged. JSON (a line starting with `{` or `[`) never is.
 */
export function emphasise(line: string, on: boolean): string {
    if (!on || /^\s*[[{]/.test(line)) return line;
    let out = line;
    for (const [re, style] of WORDS) out = out.replace(re, (w) => style(w));
    return out;
}

/** Remove SGR colour codes (tests, widths). */
export const stripColour = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");
