/**
 * The deployed release: the traffic section of `tms:deployment` (live colour, weight, images, running)
 * that the stack's last successful update applied, with a revision that grows by one with every change.
 *
 * Where it lives (docs/rollouts.md, "Where the release lives", says why): in the stack's own state. The
 * program exports it as the `release` output and, before it registers anything, reads the previous
 * value back through a StackReference to its own stack; every runner and person that can run
 * `pulumi up` reaches that state. A stack file whose traffic differs from the deployed release is
 * applied only when it says which release it changes (`revision` = deployed + 1); a stale file (an
 * older revision, e.g. the repository's copy after a rollout promoted) is refused with one line
 * naming the fix, so no `pulumi up` silently moves traffic back. Pure.
 */
import { COLOURS, type Colour } from "./vocabulary";

export interface ReleaseColour {
    running: boolean;
    images: Record<string, string>;
}

/** What `tms:deployment` says about traffic, and what the `release` output records. */
export interface DeployedRelease {
    /** 0 for a stack file that never changed traffic; deployed + 1 for every change. */
    revision: number;
    live: Colour;
    weight: number;
    blue: ReleaseColour;
    /** Absent with the rolling strategy (one colour). */
    green?: ReleaseColour;
}

/** The traffic part of a `tms:deployment` value. Pure. */
export function releaseOf(d: {
    revision?: number;
    live: Colour;
    weight: number;
    blue: ReleaseColour;
    green?: ReleaseColour;
}): DeployedRelease {
    const colour = (c: ReleaseColour) => ({ running: c.running, images: { ...c.images } });
    return {
        revision: d.revision ?? 0,
        live: d.live,
        weight: d.weight,
        blue: colour(d.blue),
        ...(d.green ? { green: colour(d.green) } : {}),
    };
}

const sorted = (images: Record<string, string>) => Object.fromEntries(Object.entries(images).sort(([a], [b]) => a.localeCompare(b)));
const trafficKey = (r: DeployedRelease) =>
    JSON.stringify([r.live, r.weight, ...COLOURS.map((c) => (r[c] ? [r[c]!.running, sorted(r[c]!.images)] : null))]);

/** Same live colour, weight, images and running flags (the revision aside). Pure. */
export function sameTraffic(a: DeployedRelease, b: DeployedRelease): boolean {
    return trafficKey(a) === trafficKey(b);
}

/** `live blue, weight 30, blue running api-gateway=…, green running …`: the words of a drift message. Pure. */
export function describeRelease(r: DeployedRelease): string {
    const colour = (c: Colour) => {
        const x = r[c];
        if (!x) return [];
        const images = Object.entries(sorted(x.images)).map(([k, v]) => `${k}=${v.replace(/^.*\//, "")}`).join(" ");
        return [`${c} ${x.running ? "running" : "at 0"}${images ? ` ${images}` : ""}`];
    };
    return [`revision ${r.revision}`, `live ${r.live}`, `weight ${r.weight}`, ...colour("blue"), ...colour("green")].join(", ");
}

/** The fix a drift message names (the sandbox adds `--sandbox`). */
export const syncCommand = (stack: string) => `npm run rollout:sync -- --stack ${stack}`;

/**
 * Judge the stack file's traffic against the deployed release. Returns the release this update
 * records (its revision never goes down), or the one-line reason to refuse. Pure.
 */
export function judgeRelease(
    source: string,
    stack: string,
    file: DeployedRelease,
    deployed: DeployedRelease | undefined,
): { ok: true; release: DeployedRelease } | { ok: false; message: string } {
    if (!deployed) return { ok: true, release: file };
    if (sameTraffic(file, deployed)) return { ok: true, release: { ...file, revision: Math.max(file.revision, deployed.revision) } };
    if (file.revision === deployed.revision + 1) return { ok: true, release: file };
    const why = file.revision <= deployed.revision
        ? file.revision === deployed.revision
            ? `changes the deployed release without a new revision (set tms:deployment.revision to ${deployed.revision + 1} to apply it)`
            : "is older than the deployed release (a stale copy)"
        : `skips revisions (the next one is ${deployed.revision + 1})`;
    return {
        ok: false,
        message: `${source}: tms:deployment ${why}: the file has ${describeRelease(file)}; ` +
            `the stack runs ${describeRelease(deployed)}. Refusing to move traffic; run \`${syncCommand(stack)}\` to write the deployed ` +
            `release into ${source}`,
    };
}
