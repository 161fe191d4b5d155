/**
 * Flags of `npm run rollout` and `npm run rollback`. Pure: every bad flag becomes a
 * {@link UsageError} whose message names the flag.
 */
import { DateTime } from "luxon";
import { parseWindow, RELEASE_ZONE, type ReleaseWindow } from "./calendar";

export const USAGE = [
    "usage: npm run rollout -- --stack NAME --image SERVICE=IMAGE-URI [--image …] [--release ID]",
    "           [--dry-run [--at ISO-TIME]] [--emergency --reason TEXT] [--change-request FILE]",
    "           [--window HH:MM-HH:MM] [--runner-in-test-cidrs] [--record-dir DIR]",
    "           [--lock-table NAME] [--db-cluster ID] [--topic-warning ARN] [--topic-critical ARN] [--owner TEXT] [--verbose]",
    "       npm run rollout -- --stack NAME --resume",
    "       npm run rollback -- --stack NAME --reason TEXT",
    "exit codes: 0 promoted (or dry run allowed), 1 error, 2 rolled back, 3 halted for a human, 4 refused by preflight",
].join("\n");

export class UsageError extends Error {}

export interface CommonArgs {
    stack: string;
    recordDir?: string;
    lockTable?: string;
    dbCluster?: string;
    topicWarning?: string;
    topicCritical?: string;
    owner?: string;
    verbose: boolean;
}

export interface RolloutArgs extends CommonArgs {
    command: "rollout";
    images: Record<string, string>;
    release?: string;
    dryRun: boolean;
    atMs?: number;
    emergency: boolean;
    reason?: string;
    changeRequest?: string;
    resume: boolean;
    window?: ReleaseWindow;
    runnerInTestCidrs: boolean;
}

export interface RollbackArgs extends CommonArgs {
    command: "rollback";
    reason: string;
}

export type CliArgs = RolloutArgs | RollbackArgs;

/** `--at`: an ISO time; without an offset it is New York local time (the calendar's zone). */
export function parseAt(text: string): number {
    const t = DateTime.fromISO(text, { zone: RELEASE_ZONE, setZone: true });
    if (!t.isValid) throw new UsageError(`--at: "${text}" is not an ISO time (e.g. 2026-03-10T10:30-04:00 or 2026-03-10T10:30 for New York time)`);
    return t.toMillis();
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = {}): CliArgs {
    const [command, ...rest] = argv;
    if (command !== "rollout" && command !== "rollback") throw new UsageError(`unknown command "${command ?? ""}" (rollout or rollback)`);
    const values: Record<string, string[]> = {};
    const flags = new Set<string>();
    const withValue = ["--stack", "--image", "--release", "--at", "--reason", "--change-request", "--window", "--record-dir", "--lock-table", "--db-cluster", "--topic-warning", "--topic-critical", "--owner"];
    const booleans = ["--dry-run", "--emergency", "--resume", "--runner-in-test-cidrs", "--verbose"];
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        const eq = a.indexOf("=");
        const name = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
        if (withValue.includes(name)) {
            const v = eq > 0 && name !== a ? a.slice(eq + 1) : rest[++i];
            if (v === undefined || (v.startsWith("--") && eq < 0)) throw new UsageError(`${name} needs a value`);
            (values[name] ??= []).push(v);
        } else if (booleans.includes(a)) flags.add(a);
        else if (a === "--help" || a === "-h") throw new UsageError("");
        else throw new UsageError(`unknown flag "${a}"`);
    }
    const one = (name: string): string | undefined => {
        const v = values[name];
        if (v && v.length > 1) throw new UsageError(`${name} given ${v.length} times`);
        return v?.[0];
    };
    const stack = one("--stack");
    if (!stack) throw new UsageError("--stack NAME is required");
    if (!STACK_NAME.test(stack)) throw new UsageError(`--stack: "${stack}" is not a stack name`);
    const common: CommonArgs = {
        stack,
        recordDir: one("--record-dir"),
        lockTable: one("--lock-table"),
        dbCluster: one("--db-cluster"),
        topicWarning: one("--topic-warning"),
        topicCritical: one("--topic-critical"),
        owner: one("--owner"),
        verbose: flags.has("--verbose"),
    };
    const reason = one("--reason");
    if (reason !== undefined && reason.trim() === "") throw new UsageError("--reason must not be empty");
    if (command === "rollback") {
        for (const f of ["--image", "--release", "--at", "--change-request", "--window"]) if (values[f]) throw new UsageError(`${f} does not apply to rollback`);
        for (const f of ["--dry-run", "--emergency", "--resume", "--runner-in-test-cidrs"]) if (flags.has(f)) throw new UsageError(`${f} does not apply to rollback`);
        if (!reason) throw new UsageError("--reason TEXT is required for a rollback");
        return { ...common, command, reason };
    }

    const resume = flags.has("--resume");
    const images: Record<string, string> = {};
    for (const spec of values["--image"] ?? []) {
        const eq = spec.indexOf("=");
        const svc = spec.slice(0, eq);
        const uri = spec.slice(eq + 1);
        if (eq <= 0 || !SERVICE_NAME.test(svc) || !uri || /\s/.test(uri)) throw new UsageError(`--image: "${spec}" is not SERVICE=IMAGE-URI`);
        if (images[svc]) throw new UsageError(`--image: ${svc} given twice`);
        images[svc] = uri;
    }
    if (resume) {
        if (Object.keys(images).length) throw new UsageError("--image does not apply to --resume (the saved rollout's images are used)");
        if (flags.has("--dry-run")) throw new UsageError("--dry-run does not apply to --resume");
    } else if (!Object.keys(images).length) throw new UsageError("--image SERVICE=IMAGE-URI is required (once per service to change)");
    const at = one("--at");
    if (at !== undefined && !flags.has("--dry-run")) throw new UsageError("--at only applies with --dry-run (a real rollout uses the real clock)");
    if (flags.has("--emergency") && !reason) throw new UsageError("--emergency needs --reason TEXT (it is recorded)");
    if (reason && !flags.has("--emergency")) throw new UsageError("--reason applies to --emergency (or to rollback)");
    const windowText = one("--window");
    let window: ReleaseWindow | undefined;
    if (windowText !== undefined) {
        try {
            window = parseWindow(windowText);
        } catch (e) {
            throw new UsageError(`--window: ${(e as Error).message}`);
        }
    }
    const release = one("--release");
    if (release !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(release)) throw new UsageError(`--release: "${release}" is not a release id (letters, digits, . _ + -)`);
    return {
        ...common,
        command,
        images,
        release,
        dryRun: flags.has("--dry-run"),
        atMs: at === undefined ? undefined : parseAt(at),
        emergency: flags.has("--emergency"),
        reason,
        changeRequest: one("--change-request"),
        resume,
        window,
        // How the runner knows it may reach the test listener: it is told (flag or env), see docs/ci.md.
        runnerInTestCidrs: flags.has("--runner-in-test-cidrs") || env.TMS_RUNNER_IN_TEST_CIDRS === "1" || env.TMS_RUNNER_IN_TEST_CIDRS === "true",
    };
}

/** The release id: `--release`, else the images' common tag, else a timestamp. Pure. */
export function releaseIdOf(images: Record<string, string>, explicit: string | undefined, nowMs: number): string {
    if (explicit) return explicit;
    const tags = new Set(Object.values(images).map((u) => {
        const at = u.indexOf("@");
        if (at >= 0) return u.slice(at + 1).replace(/^sha256:/, "").slice(0, 12);
        const slash = u.lastIndexOf("/");
        const colon = u.lastIndexOf(":");
        return colon > slash ? u.slice(colon + 1) : "latest";
    }));
    return tags.size === 1 ? [...tags][0] : `release-${new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, "")}`;
}
