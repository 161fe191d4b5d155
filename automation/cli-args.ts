/**
 * Flags of `npm run rollout`, `rollback`, `rollout:status`, `rollout:unlock` and `rollout:cleanup`
 * (one spec each, parsed by the shared helper in cli/flags.ts). Pure: every bad flag becomes a
 * {@link UsageError} whose message names the flag.
 */
import { DateTime } from "luxon";
import { commonVersion, parseImageRef } from "../config/image-ref";
import { parseWindow, RELEASE_ZONE, type ReleaseWindow } from "./calendar";
import { readFlags, stackName, Stop, UsageError, type CommandSpec, type FlagIo, type FlagSpec, type FlagValues } from "../cli/flags";

export { UsageError, Stop };

const ERROR = "bad input (a flag, the stack file, an unreadable change request) or a failure (AWS, Pulumi, a step before traffic moved)";
const ROLLBACK_ERROR = "bad input (a flag, the stack file) or a failure (AWS, Pulumi)";

/** Flags every command on a stack's rollout shares: where the lock and topics are, who runs it. */
const COMMON = {
    stack: { type: "string", value: "NAME", help: "dev, staging, prod or dr (reads Pulumi.<stack>.yaml and selects the Pulumi stack)" },
    "record-dir": { type: "string", value: "DIR", help: "where the deployment record goes (default deployments/<stack>/)" },
    "lock-table": {
        type: "string",
        value: "NAME",
        help: "DynamoDB lock table (default: stack output rolloutTableName, else tms-<env>-rollouts)",
    },
    "topic-warning": {
        type: "string",
        value: "ARN",
        help: "SNS topic for start/promotion notices (default: stack output alertTopics.warning)",
    },
    "topic-critical": {
        type: "string",
        value: "ARN",
        help: "SNS topic for rollbacks, halts, errors (default: stack output alertTopics.critical)",
    },
    owner: { type: "string", value: "TEXT", help: 'lock owner and "run by" in the record (default: the CI run, else user@host:pid)' },
    verbose: { type: "boolean", help: "also print pulumi up output" },
    sandbox: {
        type: "boolean",
        help: "run against the offline sandbox (`npm run pulumi`'s stacks; the rollout table in dynalite, notifications to a file; see " +
            "docs/rollouts.md)",
    },
} satisfies Record<string, FlagSpec>;

const REASON = { type: "string", value: "TEXT", help: "why (recorded and announced)" } satisfies FlagSpec;

export const ROLLOUT_FLAGS = {
    command: "npm run rollout --",
    synopsis: [
        "--stack NAME --image SERVICE=IMAGE [--image …] [--release ID] [--change-request FILE]",
        "  [--dry-run [--at ISO-TIME] [--strict] [--json] [--show-diff]] [--emergency --reason TEXT] [--window HH:MM-HH:MM] " +
        "[--runner-in-test-cidrs] …",
        "--stack NAME --resume",
    ],
    summary:
        "Roll a release out onto a stack: preflight, lock, snapshot, candidate at 0%, migrations, smoke tests, traffic steps with " +
        "automatic rollback, record, notifications.",
    flags: {
        ...COMMON,
        image: {
            type: "string",
            multiple: true,
            value: "SERVICE=IMAGE",
            help: "one per service to change: a tag (4f1c2ab-prod), a digest (sha256:…) or a full image URI; services not named keep " +
                "their images",
        },
        release: { type: "string", value: "ID", help: "release id in records and snapshot names (default: the images' common tag)" },
        "dry-run": { type: "boolean", help: "preflight and the plan of phases only; changes nothing, writes no record" },
        at: { type: "string", value: "ISO-TIME", help: "dry runs: the preflight clock (New York time without an offset)" },
        strict: {
            type: "boolean",
            help: "dry runs: exit 6 (not checked) when a fact could not be read (no credentials, no stack) instead of listing it and " +
                "exiting 0",
        },
        json: { type: "boolean", help: "dry runs: print the verdict and the plan as one JSON object on stdout, nothing else" },
        "show-diff": {
            type: "boolean",
            help: "dry runs: also print what the deploy and the first weight step would change, from the engine's own `pulumi preview` " +
                "of each (the weight step targeted as the rollout targets it; the checkout's stack file is not touched)",
        },
        emergency: { type: "boolean", help: "override the release calendar (needs --reason; recorded and announced)" },
        reason: { type: "string", value: "TEXT", help: "why the emergency" },
        "change-request": { type: "string", value: "FILE", help: "the change request (required for prod)" },
        window: { type: "string", value: "HH:MM-HH:MM", help: "prod release window, New York time (default 10:00-16:00)" },
        "runner-in-test-cidrs": {
            type: "boolean",
            help: "this runner may reach the test listener directly (also TMS_RUNNER_IN_TEST_CIDRS=1)",
        },
        resume: { type: "boolean", help: "continue the stack's halted or interrupted rollout" },
        "db-cluster": { type: "string", value: "ID", help: "DocumentDB cluster to snapshot (default: stack output databaseClusterId)" },
        "metrics-trace": {
            type: "string",
            value: "FILE",
            help: "--sandbox: the metrics the rollout judges, replayed from a trace (format: docs/rollouts.md)",
        },
        "time-scale": {
            type: "string",
            value: "N",
            help: "--sandbox: run the stack's rollout N times faster: its interval, baseline, bakes, validation, latency window and " +
                "rollback window divided by N (the steps and rules stay the stack's)",
        },
    },
    exitCodes: {
        ok: "promoted (or a dry run that found no reason to refuse)",
        error: ERROR,
        rolledBack: "rolled back: traffic is 100% on the previous live colour (or never moved: smoke tests or candidate health failed)",
        halted: "halted for a human: traffic stays where it was",
        refused: "refused by preflight: calendar, change request, live colour unhealthy, another rollout holds the lock",
        notChecked: "--dry-run --strict: a fact could not be checked",
    },
} satisfies CommandSpec;

export const ROLLBACK_FLAGS = {
    command: "npm run rollback --",
    synopsis: ["--stack NAME --reason TEXT"],
    summary: "Roll the stack's in-flight (or halted) rollout back now: weight 0 in one targeted update, read back from the load balancer.",
    flags: {
        ...COMMON,
        reason: REASON,
        "metrics-trace": { type: "string", value: "FILE", help: "--sandbox: metrics replayed from a trace" },
    },
    exitCodes: {
        ok: "rolled back: weight 0 (or the previous images) applied and read back",
        error: ROLLBACK_ERROR,
        halted: "the rollback could not be verified (the weight reads otherwise): look, then run it again",
        refused: "no rollout in flight, or another runner holds the lock",
    },
} satisfies CommandSpec;

export const STATUS_FLAGS = {
    command: "npm run rollout:status --",
    synopsis: ["--stack NAME [--watch [--interval SECONDS]] [--json]"],
    summary:
        "What the stack's rollout is doing (or how the last one ended): phase, weight stepped to and read back, bake left, the last " +
        "analysis per rule, the decision, the lock and the colours.",
    flags: {
        stack: COMMON.stack,
        "lock-table": COMMON["lock-table"],
        "record-dir": COMMON["record-dir"],
        sandbox: COMMON.sandbox,
        watch: { type: "boolean", help: "redraw every interval until the rollout ends" },
        interval: { type: "string", value: "SECONDS", help: "--watch: seconds between redraws (default: the rollout's analysis interval)" },
        json: { type: "boolean", help: "print the status as one JSON object (one per redraw with --watch)" },
    },
    exitCodes: {
        ok: "the last rollout was promoted (or none is recorded)",
        error: "bad input, or the state could not be read",
        rolledBack: "the last rollout was rolled back",
        halted: "the last rollout is halted for a human",
        inFlight: "a rollout is in flight",
    },
} satisfies CommandSpec;

export const UNLOCK_FLAGS = {
    command: "npm run rollout:unlock --",
    synopsis: ["--stack NAME --reason TEXT [--force]"],
    summary:
        "Clear the stack's rollout lock left by a runner that died (its lease has expired); --force clears a live one. Refused while a " +
        "rollback is in progress, unless --force. Recorded and announced.",
    flags: {
        ...COMMON,
        reason: REASON,
        force: { type: "boolean", help: "clear a lock whose lease is still live, or while a rollback is in progress" },
    },
    exitCodes: {
        ok: "cleared (or no lock)",
        error: "bad input or a failure",
        refused: "the lease is still live, or a rollback is in progress (--force overrides)",
    },
} satisfies CommandSpec;

export const CLEANUP_FLAGS = {
    command: "npm run rollout:cleanup --",
    synopsis: ["--stack NAME"],
    summary:
        "Scale the previous live colour to 0 once the last rollout's rollback window has passed (refused before). Recorded and announced.",
    flags: COMMON,
    exitCodes: {
        ok: "scaled down (or nothing pending)",
        error: "bad input or a failure",
        refused: "the rollback window is not over, or a rollout holds the lock",
    },
} satisfies CommandSpec;

export const SYNC_FLAGS = {
    command: "npm run rollout:sync --",
    synopsis: ["--stack NAME"],
    summary:
        "Write the deployed release (the stack's `release` output: live colour, weight, images, running, revision) into " +
        "Pulumi.<stack>.yaml, so that a fresh checkout's `pulumi preview`/`up` does not move traffic back (the program refuses a stale " +
        "file).",
    flags: { stack: COMMON.stack, sandbox: COMMON.sandbox, verbose: COMMON.verbose },
    exitCodes: { ok: "written (or already in sync)", error: "bad input or a failure (the stack's outputs could not be read)" },
} satisfies CommandSpec;

export const COMMANDS = {
    rollout: ROLLOUT_FLAGS,
    rollback: ROLLBACK_FLAGS,
    status: STATUS_FLAGS,
    unlock: UNLOCK_FLAGS,
    cleanup: CLEANUP_FLAGS,
    sync: SYNC_FLAGS,
};
export type CommandName = keyof typeof COMMANDS;

export interface CommonArgs {
    stack: string;
    recordDir?: string;
    lockTable?: string;
    dbCluster?: string;
    topicWarning?: string;
    topicCritical?: string;
    owner?: string;
    verbose: boolean;
    /** `--sandbox`: the offline sandbox instead of AWS (the entry point in tools/ supplies it). */
    sandbox: boolean;
    /** `--sandbox`: metrics replayed from this trace. */
    metricsTrace?: string;
}

export interface RolloutArgs extends CommonArgs {
    command: "rollout";
    images: Record<string, string>;
    release?: string;
    dryRun: boolean;
    /** Dry runs: a fact that could not be checked exits 6 instead of 0. */
    strict: boolean;
    /** Dry runs: one JSON object on stdout. */
    json: boolean;
    /** Dry runs: the engine's preview of the deploy and the first weight step. */
    showDiff: boolean;
    /** `--sandbox`: the stack's rollout durations divided by this. */
    timeScale?: number;
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

export interface StatusArgs extends CommonArgs {
    command: "status";
    watch: boolean;
    json: boolean;
    /** --watch period; default: the rollout's analysis interval. */
    intervalSeconds?: number;
}

export interface UnlockArgs extends CommonArgs {
    command: "unlock";
    reason: string;
    force: boolean;
}

export interface CleanupArgs extends CommonArgs {
    command: "cleanup";
}

export interface SyncArgs extends CommonArgs {
    command: "sync";
}

export type CliArgs = RolloutArgs | RollbackArgs | StatusArgs | UnlockArgs | CleanupArgs | SyncArgs;

/** `--at`: an ISO time; without an offset it is New York local time (the calendar's zone). */
export function parseAt(text: string): number {
    const t = DateTime.fromISO(text, { zone: RELEASE_ZONE, setZone: true });
    if (!t.isValid)
        throw new UsageError(`--at: "${text}" is not an ISO time (e.g. 2026-03-10T10:30-04:00 or 2026-03-10T10:30 for New York time)`);
    return t.toMillis();
}

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/** Values of the flags in COMMON, whichever command's spec they came from. */
type CommonValues = Partial<FlagValues<typeof COMMON>> & { stack?: string; "metrics-trace"?: string };

function common(v: CommonValues): CommonArgs {
    return {
        stack: stackName("--stack", v.stack),
        recordDir: v["record-dir"],
        lockTable: v["lock-table"],
        topicWarning: v["topic-warning"],
        topicCritical: v["topic-critical"],
        owner: v.owner,
        verbose: v.verbose ?? false,
        sandbox: v.sandbox ?? false,
        metricsTrace: v["metrics-trace"],
    };
}

/** `--reason`: present and not blank. */
function reasonOf(text: string | undefined, why: string): string {
    if (text === undefined) throw new UsageError(`--reason TEXT is required ${why}`);
    if (text.trim() === "") throw new UsageError("--reason must not be empty");
    return text;
}

export function rolloutArgs(v: FlagValues<typeof ROLLOUT_FLAGS.flags>, env: NodeJS.ProcessEnv = {}): RolloutArgs {
    const base = { ...common(v), dbCluster: v["db-cluster"] };
    if (base.metricsTrace !== undefined && !base.sandbox)
        throw new UsageError("--metrics-trace only applies with --sandbox (a real rollout reads CloudWatch)");
    const images: Record<string, string> = {};
    for (const spec of v.image) {
        const eq = spec.indexOf("=");
        const svc = spec.slice(0, eq);
        const uri = spec.slice(eq + 1);
        if (eq <= 0 || !SERVICE_NAME.test(svc) || !uri || /\s/.test(uri))
            throw new UsageError(`--image: "${spec}" is not SERVICE=IMAGE-URI`);
        if (images[svc]) throw new UsageError(`--image: ${svc} given twice`);
        try {
            parseImageRef(uri);
        } catch (e) {
            throw new UsageError(`--image: ${svc}: ${(e as Error).message}`);
        }
        images[svc] = uri;
    }
    if (v.resume) {
        if (Object.keys(images).length) throw new UsageError("--image does not apply to --resume (the saved rollout's images are used)");
        if (v["dry-run"]) throw new UsageError("--dry-run does not apply to --resume");
    } else if (!Object.keys(images).length) throw new UsageError("--image SERVICE=IMAGE-URI is required (once per service to change)");
    if (v.at !== undefined && !v["dry-run"]) throw new UsageError("--at only applies with --dry-run (a real rollout uses the real clock)");
    if (v.strict && !v["dry-run"])
        throw new UsageError("--strict only applies with --dry-run (a real rollout refuses what it cannot check)");
    if (v.json && !v["dry-run"]) throw new UsageError("--json only applies with --dry-run (a rollout prints its progress)");
    if (v["show-diff"] && !v["dry-run"])
        throw new UsageError(
            "--show-diff only applies with --dry-run (a rollout makes the changes; --verbose prints its pulumi up output)",
        );
    let timeScale: number | undefined;
    if (v["time-scale"] !== undefined) {
        if (!base.sandbox) throw new UsageError("--time-scale only applies with --sandbox (a real rollout takes the stack's own times)");
        if (v.resume) throw new UsageError("--time-scale does not apply to --resume (the saved rollout keeps the times it started with)");
        timeScale = Number(v["time-scale"]);
        if (!/^\d+$/.test(v["time-scale"]) || timeScale < 1 || timeScale > 3600)
            throw new UsageError(`--time-scale: "${v["time-scale"]}" is not a whole number from 1 to 3600`);
    }
    const reason = v.reason === undefined ? undefined : reasonOf(v.reason, "");
    if (v.emergency && !reason) throw new UsageError("--emergency needs --reason TEXT (it is recorded)");
    if (reason && !v.emergency) throw new UsageError("--reason applies to --emergency (or to rollback)");
    let window: ReleaseWindow | undefined;
    if (v.window !== undefined) {
        try {
            window = parseWindow(v.window);
        } catch (e) {
            throw new UsageError(`--window: ${(e as Error).message}`);
        }
    }
    if (v.release !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._+-]*$/.test(v.release))
        throw new UsageError(`--release: "${v.release}" is not a release id (letters, digits, . _ + -)`);
    return {
        ...base,
        command: "rollout",
        images,
        release: v.release,
        dryRun: v["dry-run"],
        strict: v.strict,
        json: v.json,
        showDiff: v["show-diff"],
        timeScale,
        atMs: v.at === undefined ? undefined : parseAt(v.at),
        emergency: v.emergency,
        reason,
        changeRequest: v["change-request"],
        resume: v.resume,
        window,
        // How the runner knows it may reach the test listener: it is told (flag or env), see docs/ci.md.
        runnerInTestCidrs: v["runner-in-test-cidrs"] || env.TMS_RUNNER_IN_TEST_CIDRS === "1" || env.TMS_RUNNER_IN_TEST_CIDRS === "true",
    };
}

export function rollbackArgs(v: FlagValues<typeof ROLLBACK_FLAGS.flags>): RollbackArgs {
    return { ...common(v), command: "rollback", reason: reasonOf(v.reason, "for a rollback") };
}

export function statusArgs(v: FlagValues<typeof STATUS_FLAGS.flags>): StatusArgs {
    let intervalSeconds: number | undefined;
    if (v.interval !== undefined) {
        intervalSeconds = Number(v.interval);
        if (!Number.isFinite(intervalSeconds) || intervalSeconds <= 0)
            throw new UsageError(`--interval: "${v.interval}" is not a positive number of seconds`);
        if (!v.watch) throw new UsageError("--interval only applies with --watch");
    }
    return { ...common(v), command: "status", watch: v.watch, json: v.json, intervalSeconds };
}

export function unlockArgs(v: FlagValues<typeof UNLOCK_FLAGS.flags>): UnlockArgs {
    return { ...common(v), command: "unlock", reason: reasonOf(v.reason, "to unlock (it is recorded)"), force: v.force };
}

export function cleanupArgs(v: FlagValues<typeof CLEANUP_FLAGS.flags>): CleanupArgs {
    return { ...common(v), command: "cleanup" };
}

export function syncArgs(v: FlagValues<typeof SYNC_FLAGS.flags>): SyncArgs {
    return { ...common(v), command: "sync" };
}

/**
 * `argv` = `<command> …flags`. Returns the validated arguments, or a {@link Stop} after `--help`
 * (exit 0) or a bad command line (message and usage on stderr, exit 1).
 */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv, io: FlagIo): CliArgs | Stop {
    const [command, ...rest] = argv;
    switch (command) {
        case "rollout":
            return readFlags(ROLLOUT_FLAGS, rest, io, (v) => rolloutArgs(v, env));
        case "rollback":
            return readFlags(ROLLBACK_FLAGS, rest, io, rollbackArgs);
        case "status":
            return readFlags(STATUS_FLAGS, rest, io, statusArgs);
        case "unlock":
            return readFlags(UNLOCK_FLAGS, rest, io, unlockArgs);
        case "cleanup":
            return readFlags(CLEANUP_FLAGS, rest, io, cleanupArgs);
        case "sync":
            return readFlags(SYNC_FLAGS, rest, io, syncArgs);
        default:
            io.err(`unknown command "${command ?? ""}" (${Object.keys(COMMANDS).join(", ")})`);
            return new Stop(1);
    }
}

/**
 * The release id: `--release`, else what the images share (config/image-ref.ts `commonVersion`: the
 * tag, or the digest's first 12 hex, of a bare tag, a bare digest or a full URI alike), else
 * `release-<UTC time>` (different versions, untagged URIs, or a moving tag such as `latest`). Pure.
 */
export function releaseIdOf(images: Record<string, string>, explicit: string | undefined, nowMs: number): string {
    if (explicit) return explicit;
    return commonVersion(Object.values(images)) ?? `release-${new Date(nowMs).toISOString().replace(/[-:]|\.\d+/g, "")}`;
}
