/**
 * `npm run rollout -- --stack prod --image api-gateway=<uri> … [--dry-run] …`,
 * `npm run rollback -- --stack prod --reason TEXT`, and the operator's commands
 * `npm run rollout:status|rollout:unlock|rollout:cleanup -- --stack prod …` (flags in cli-args.ts,
 * usage in docs/ci.md).
 *
 * Wires the real adapters (Pulumi Automation API, CloudWatch, DynamoDB, DocumentDB, ECS, SNS) into
 * the orchestration and prints progress. Exit codes: the shared table (cli/exit-codes.ts), each
 * command's subset in its `--help`.
 */
import type { Colour } from "../config/vocabulary";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DocDBClient } from "@aws-sdk/client-docdb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SNSClient } from "@aws-sdk/client-sns";
import * as os from "os";
import * as path from "path";
import { parseRolloutOutputs, type RolloutOutputs } from "../config/stack-outputs";
import { loadStackConfig, ConfigError, type StackConfig } from "../config/stack-config";
import { RolloutSettingsError, scaleRolloutTimes, type RolloutSettings } from "../config/rollout-settings";
import { PROJECT_DIR, readStackFile, stackFilePath, StackFileError } from "../cli/stack-file";
import { DirectSmokeTests, EcsMigrations, InVpcSmokeTests } from "./adapters/checks";
import { CloudWatchMetrics } from "./adapters/cloudwatch-metrics";
import { DEFAULT_SNAPSHOT_OPTIONS, DocDbSnapshots, SNAPSHOT_ENVIRONMENTS } from "./adapters/docdb-snapshots";
import { DynamoStateStore } from "./adapters/dynamo-state";
import { EcsOneOffTasks, waitForRollingDeployments } from "./adapters/ecs-tasks";
import { automationStack, PulumiStackPort, trafficOf, type PulumiStackLike } from "./adapters/pulumi-stack";
import { isPulumiCommandError, pulumiFailure } from "./adapters/pulumi-errors";
import { SnsNotifier } from "./adapters/sns-notifier";
import { formatWindow, DEFAULT_WINDOW } from "./calendar";
import { readChangeRequest, type ChangeRequestResult } from "./change-request";
import {
    parseCliArgs,
    releaseIdOf,
    Stop,
    type CliArgs,
    type RolloutArgs,
    type StatusArgs,
    type SyncArgs,
    type UnlockArgs,
} from "./cli-args";
import { systemClock } from "./clock";
import { countdownClock, WaitLabel, type LiveLine } from "./countdown";
import type { RolloutEvent } from "./engine";
import { cleanup, duration, formatStatus, readStatus, STATUS_EXIT, unlock, watchedEngine, type OperationResult } from "./operate";
import { RolloutOrchestrator, type OrchestrationResult, type OrchestratorDeps } from "./orchestrate";
import type { PreflightResult } from "./preflight";
import { writeRecord, type StepRecord } from "./record";
import { formatStepDiff, type StepDiff } from "./step-diff";
import * as fs from "fs";
import { runMain } from "../cli/run-main";
import { EXIT as CODES } from "../cli/exit-codes";
import { colourEnabled, emphasise } from "../cli/colour";

export { EXIT } from "./orchestrate";

/** What the CLI needs from the outside world; tests replace it. */
export interface CliEnvironment {
    /** The Pulumi stack (`LocalWorkspace.selectStack`); throws when the Pulumi CLI or the stack is unavailable. */
    selectStack(stackName: string, workDir: string): Promise<PulumiStackLike>;
    /** Replace the real adapters (tests); receives the ones built from the stack. */
    adjustDeps?(deps: OrchestratorDeps): OrchestratorDeps;
    out(line: string): void;
    err(line: string): void;
    env: NodeJS.ProcessEnv;
    /**
     * Only on a terminal: the line redrawn in place (live countdowns), and `screen`, which replaces the whole
     * screen with one frame of `status --watch` in a single write, so a terminal never shows half a frame.
     */
    terminal?: { line: LiveLine; screen(lines: string[]): void };
    /**
     * The Pulumi project folder: its `Pulumi.<stack>.yaml` is the config the CLI reads, and the Automation
     * API works there. Default: this repository (the offline sandbox's engine tests give their own).
     */
    projectDir?: string;
    /**
     * `--sandbox`: the environment of the offline sandbox (built in tools/, which owns the sandbox and its
     * dev dependencies: `npm run rollout` goes through tools/rollout.ts). Absent: `--sandbox` is refused.
     */
    sandbox?: (args: CliArgs, base: CliEnvironment) => Promise<CliEnvironment>;
    /** Run `handler` on SIGTERM/SIGINT (a cancelled CI job); returns the unsubscribe. Default: the process's signals. */
    onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
    /** Where deployment records go when `--record-dir` is not given (the sandbox keeps its own). */
    recordRoot?: string;
}

/**
 * One frame of `status --watch` as a single terminal write: cursor home, each line drawn over the previous
 * frame's and the rest of its row erased, then everything below erased. Clearing the screen first and
 * printing line by line would show a blank or half-drawn screen between two frames.
 */
export function watchFrame(lines: string[]): string {
    return `\x1b[H${lines.map((l) => `${l}\x1b[K`).join("\n")}\n\x1b[J`;
}

export const realEnvironment: CliEnvironment = {
    selectStack: (stackName, workDir) => automationStack(stackName, workDir),
    // Colour on a terminal only (cli/colour.ts: NO_COLOR, TERM=dumb, FORCE_COLOR); the printers stay plain text.
    out: (l) => console.log(emphasise(l, colourEnabled(process.stdout, process.env))),
    err: (l) => console.error(emphasise(l, colourEnabled(process.stderr, process.env))),
    env: process.env,
    onSignal: (handler) => {
        const on = (sig: NodeJS.Signals) => handler(sig);
        process.once("SIGTERM", on);
        process.once("SIGINT", on);
        return () => {
            process.removeListener("SIGTERM", on);
            process.removeListener("SIGINT", on);
        };
    },
    terminal: process.stdout.isTTY
        ? {
              line: (t) => void process.stdout.write(`\r\x1b[K${t ?? ""}`),
              // Home, each line over the last frame's (erasing its rest), then erase below: no blank screen in between.
              screen: (lines) =>
                  void process.stdout.write(watchFrame(lines.map((l) => emphasise(l, colourEnabled(process.stdout, process.env))))),
          }
        : undefined,
};

/** Who runs this: the lease owner and the record's "run by". */
export function ownerOf(env: NodeJS.ProcessEnv, explicit?: string): string {
    if (explicit) return explicit;
    if (env.GITHUB_ACTIONS === "true") {
        return `github:${env.GITHUB_REPOSITORY ?? "?"}#${env.GITHUB_RUN_ID ?? "?"}.${env.GITHUB_RUN_ATTEMPT ?? "1"} ` +
            `(${env.GITHUB_ACTOR ?? "?"})`;
    }
    return `${os.userInfo().username}@${os.hostname()}:${process.pid}`;
}

/** Prints the engine's events; on a terminal the live countdown replaces the per-interval progress line. */
function printer(out: (l: string) => void, verbose: boolean, live: boolean): (e: RolloutEvent) => void {
    return (e) => {
        const at = new Date(e.atMs).toISOString().slice(11, 19);
        switch (e.type) {
            case "phase":
                out(
                    `${at} phase    ${e.label} — candidate weight ` +
                    `${e.weight}%${e.remainingSeconds !== null ? `, bake ${duration(e.remainingSeconds)}` : ""}`,
                );
                break;
            case "weight":
                out(`${at} weight   candidate now takes ${e.weight}%`);
                break;
            case "analysis":
                // Every analysis line: candidate vs live, threshold, verdict.
                out(`         ${e.line}`);
                break;
            case "progress":
                if (!live) out(`${at} progress ${e.label} at ${e.weight}%: ${duration(e.remainingSeconds)} of bake left`);
                break;
            case "decision":
                out(`${at} DECISION ${e.outcome}${e.reason ? `: ${e.reason}` : ""}`);
                break;
            case "info":
                if (verbose || !e.message.startsWith("pulumi")) out(`${at} info     ${e.message}`);
                break;
        }
    };
}

/** A stack port stand-in for dry runs that cannot reach the stack: every read fails with the reason. */
function unavailable<T extends object>(why: string): T {
    return new Proxy({} as T, { get: (_t, prop) => (prop === "then" ? undefined : async () => { throw new Error(why); }) });
}

interface Built {
    deps: OrchestratorDeps;
    /** Why the live stack could not be used (dry runs go on without it). */
    offline: string | null;
}

async function buildDeps(args: CliArgs, cfg: StackConfig, env: CliEnvironment, dryRun: boolean): Promise<Built> {
    // `rollout --dry-run --json`: stdout is the one JSON object, nothing else.
    const quiet = args.command === "rollout" && args.json;
    const log = (l: string) => (args.verbose ? env.out(`         ${l}`) : undefined);
    let pulumiStack: PulumiStackLike | null = null;
    // The outputs the automation reads, parsed by their contract (config/stack-outputs.ts): a missing one is an error listing them all.
    let outputs: Partial<RolloutOutputs> = {};
    let offline: string | null = null;
    try {
        pulumiStack = await env.selectStack(args.stack, env.projectDir ?? PROJECT_DIR);
        outputs = parseRolloutOutputs(await pulumiStack.outputs(), args.stack);
    } catch (e) {
        // Pulumi's own words (its first meaningful stderr line), never a guessed cause.
        offline = `Pulumi stack ${args.stack} unavailable: ${pulumiFailure(e)}`;
        if (!dryRun) throw new Error(offline, { cause: e });
    }
    const region = cfg.region;
    // Dry runs must not hang on unreachable AWS endpoints; real calls get the default timeout.
    const callTimeoutMs = dryRun ? 10_000 : undefined;
    const placeholder = (name: string) => `(${name} from the stack outputs)`;
    const ecs = new ECSClient({ region });
    const tasks = new EcsOneOffTasks(ecs, {
        clusterName: outputs.clusterName ?? placeholder("clusterName"),
        ecsServices: (outputs.ecsServices ?? {}) as Record<string, Record<Colour, string>>,
        migrationTaskFamilies: outputs.migrationTaskFamilies,
    }, systemClock, { timeoutMs: 30 * 60_000, pollMs: 10_000, callTimeoutMs });
    const testUrl: string = outputs.testListenerUrl ?? placeholder("testListenerUrl");
    const defaultService = cfg.services.find((s) => s.isDefaultRoute)?.name ?? cfg.services[0].name;
    const rolloutArgs = args.command === "rollout" ? args : null;
    const direct = (rolloutArgs?.runnerInTestCidrs ?? false) && cfg.traffic.testListenerCidrs.length > 0;
    const lockTable: string | undefined = args.lockTable ?? outputs.rolloutTableName;
    const clusterId: string | undefined = args.dbCluster ?? outputs.databaseClusterId;
    const needsSnapshot = SNAPSHOT_ENVIRONMENTS.includes(cfg.environment);
    if (args.command === "rollout" && !dryRun && needsSnapshot && !clusterId)
        throw new Error("no database cluster id: the stack exports none (databaseClusterId); pass --db-cluster ID");

    const waitRolling = (release: { images: Record<string, string> }) =>
        waitForRollingDeployments(
            ecs,
            outputs.clusterName!,
            Object.keys(release.images).map((svc) => outputs.ecsServices?.[svc]?.blue ?? svc),
            systemClock,
            { timeoutMs: 30 * 60_000, pollMs: 15_000, callTimeoutMs },
        );
    const port = pulumiStack
        ? new PulumiStackPort(pulumiStack, new ElasticLoadBalancingV2Client({ region }), log, callTimeoutMs, waitRolling)
        : null;
    const deps: OrchestratorDeps = {
        stack: port ?? unavailable(offline!),
        previewer: port ?? undefined,
        metrics: pulumiStack
            ? new CloudWatchMetrics(new CloudWatchClient({ region }), {
                environment: cfg.environment,
                loadBalancerArnSuffix: outputs.loadBalancerArnSuffix!,
                targetGroupArnSuffixes: (outputs.targetGroupArnSuffixes ?? {}) as Record<string, Record<Colour, string>>,
            }, callTimeoutMs)
            : unavailable(offline!),
        store:
            lockTable && pulumiStack
                ? new DynamoStateStore(new DynamoDBClient({ region }), lockTable, callTimeoutMs)
                : unavailable(offline ?? "no lock table"),
        clock: systemClock,
        snapshots: needsSnapshot
            ? new DocDbSnapshots(new DocDBClient({ region }), clusterId ?? placeholder("databaseClusterId"), cfg.environment, systemClock, {
                  ...DEFAULT_SNAPSHOT_OPTIONS,
                  callTimeoutMs,
              })
            : null,
        migrations: new EcsMigrations(
            tasks,
            cfg.services.map((s) => ({ service: s.name, command: s.migrationCommand })),
        ),
        smoke:
            cfg.deployment.strategy === "rolling"
                ? null
                : direct
                  ? new DirectSmokeTests(testUrl)
                  : new InVpcSmokeTests(tasks, defaultService, testUrl),
        notifier: new SnsNotifier(
            new SNSClient({ region }),
            {
                warning: args.topicWarning ?? outputs.alertTopics?.warning,
                critical: args.topicCritical ?? outputs.alertTopics?.critical,
            },
            callTimeoutMs,
        ),
        writeRecord: (r) => Object.values(writeRecord(recordDirOf(args, env), r)),
        onEvent: printer(env.out, args.verbose, env.terminal !== undefined),
        onPreflight: (p, plan) => (quiet ? undefined : printPreflight(p, plan, dryRun, env.out)),
        onStep: (s) => printStep(s, env.out),
        log,
    };
    const adjusted = env.adjustDeps ? env.adjustDeps(deps) : deps;
    if (env.terminal) {
        // Long waits count down on the terminal line; the label follows the engine's events.
        const label = new WaitLabel(cfg.rolloutSettings.healthTimeoutSeconds);
        const onEvent = adjusted.onEvent;
        adjusted.onEvent = (e) => {
            label.onEvent(e);
            onEvent?.(e);
        };
        adjusted.clock = countdownClock(adjusted.clock, env.terminal.line, (now, wake) => label.text(now, wake));
    }
    return { deps: adjusted, offline };
}

function printPreflight(p: PreflightResult, plan: string[], dryRun: boolean, out: (l: string) => void): void {
    if (dryRun) {
        out("plan:");
        for (const l of plan) out(`  ${l}`);
    }
    out(`preflight at ${p.localTime}: ${p.ok ? "allowed" : "REFUSED"}`);
    for (const r of p.refusals) out(`  refused: ${r}`);
    for (const w of p.warnings) out(`  not checked: ${w}`);
    for (const o of p.overridden) out(`  EMERGENCY override (${p.emergency?.reason}): ${o.message}`);
    if (p.changeRequest)
        out(
            `  change request ${p.changeRequest.id} (risk ${p.changeRequest.risk}): ` +
            `${p.changeRequest.approvals.map((a) => `${a.role}=${a.by}`).join(", ")}`,
        );
}

function printStep(s: StepRecord, out: (l: string) => void): void {
    out(`${new Date(s.atMs).toISOString().slice(11, 19)} step     ${s.name}: ${s.ok ? "ok" : "FAILED"} — ${s.detail}`);
    for (const l of s.lines ?? []) out(`           ${l}`);
}

function report(result: OrchestrationResult, env: CliEnvironment, exitCode = result.exitCode): number {
    for (const f of result.recordFiles) env.out(`record: ${f}`);
    env.out(`outcome: ${result.outcome}${result.reason ? ` — ${result.reason}` : ""} (exit ${exitCode})`);
    return exitCode;
}

/**
 * A dry run's exit code: the preflight's verdict (0 or 4), and under `--strict` 6 (not checked) when
 * it allowed the rollout without checking everything. A refusal wins over what was not checked.
 */
export function dryRunExit(result: OrchestrationResult, strict: boolean, alsoNotChecked = 0): number {
    if (result.exitCode !== CODES.ok) return result.exitCode;
    return strict && (result.preflight?.warnings.length ?? 0) + alsoNotChecked > 0 ? CODES.notChecked : CODES.ok;
}

/** `--show-diff`: the engine's preview of the deploy and the first weight step, or why it could not be had (a fact not checked). */
type DiffResult = { steps: StepDiff[] } | { notChecked: string };

async function previewDiff(args: RolloutArgs, cfg: StackConfig, built: Built, env: CliEnvironment): Promise<DiffResult> {
    const previewer = built.deps.previewer;
    if (!previewer || built.offline) return { notChecked: `diff: ${built.offline ?? "the stack cannot be previewed"}` };
    try {
        const rolling = cfg.rolloutSettings.strategy === "rolling";
        const steps = await previewer.previewRelease({
            images: args.images, rolling, firstWeight: rolling ? null : cfg.rolloutSettings.steps[0]?.weight ?? null,
            stackFile: path.join(env.projectDir ?? PROJECT_DIR, `Pulumi.${args.stack}.yaml`),
        });
        return { steps };
    } catch (e) {
        return { notChecked: `diff: the engine's preview failed: ${pulumiFailure(e)}` };
    }
}

/** `rollout --dry-run --json`: the verdict and the plan, one object. */
function dryRunJson(
    args: RolloutArgs,
    cfg: StackConfig,
    release: { id: string; images: Record<string, string> },
    offline: string | null,
    result: OrchestrationResult,
    exitCode: number,
    diff: DiffResult | null,
) {
    const p = result.preflight;
    return {
        stack: args.stack,
        environment: cfg.environment,
        strategy: cfg.rolloutSettings.strategy,
        release,
        at: p?.localTime ?? null,
        exitCode,
        outcome: exitCode === CODES.notChecked ? "not-checked" : result.outcome,
        preflight: p && {
            allowed: p.ok,
            refusals: p.refusals,
            notChecked: p.warnings,
            emergencyOverrides: p.overridden.map((o) => o.message),
            changeRequest: p.changeRequest,
        },
        stackUnavailable: offline,
        plan: result.plan,
        ...(diff ? { diff: "steps" in diff ? diff.steps : null, diffNotChecked: "notChecked" in diff ? diff.notChecked : null } : {}),
    };
}

async function rollout(args: RolloutArgs, cfg: StackConfig, env: CliEnvironment, owner: string): Promise<number> {
    // Checked before anything reaches Pulumi or AWS: bad input exits 1, whatever the calendar says.
    const unknown = Object.keys(args.images).filter((s) => !cfg.services.some((c) => c.name === s));
    if (unknown.length) {
        env.err(`--image: ${unknown.join(", ")} not a service of ${args.stack} (${cfg.services.map((s) => s.name).join(", ")})`);
        return CODES.error;
    }
    let changeRequest: ChangeRequestResult | undefined;
    if (args.changeRequest) {
        changeRequest = readChangeRequest(args.changeRequest);
        // A file that cannot be read or parsed is bad input; a readable one that lacks approvals is preflight's to refuse.
        if (!changeRequest.ok && changeRequest.unreadable) {
            env.err(`--change-request: ${changeRequest.problems.join("; ")}`);
            return CODES.error;
        }
    }
    const built = await buildDeps(args, cfg, env, args.dryRun);
    const orchestrator = new RolloutOrchestrator(built.deps);
    if (args.resume) {
        return withSignals(env, orchestrator, async () =>
            report(
                await orchestrator.continueRollout("resume", {
                    stack: args.stack,
                    environment: cfg.environment,
                    owner,
                    retentionDays: cfg.database.backupRetentionDays,
                }),
                env,
            ),
        );
    }
    const nowMs = args.atMs ?? Date.now();
    const release = { id: releaseIdOf(args.images, args.release, nowMs), images: args.images };
    const say = args.json ? () => undefined : env.out;
    say(
        `${args.dryRun ? "dry run" : "rollout"}: ${args.stack} (${cfg.environment}, ${cfg.rolloutSettings.strategy}), release ` +
        `${release.id}, ` +
            (cfg.environment === "prod" ? `window ${formatWindow(args.window ?? DEFAULT_WINDOW)} New York, ` : "") +
            `run by ${owner}`,
    );
    if (built.offline) say(`  (${built.offline}; plan from Pulumi.${args.stack}.yaml)`);
    return withSignals(env, orchestrator, async () => {
        const result = await orchestrator.rollout({
        stack: args.stack,
        environment: cfg.environment,
        owner,
        release,
        settings: cfg.rolloutSettings,
        configTraffic: trafficOf(cfg.deployment),
        migrationCommands: cfg.services.map((s) => ({ service: s.name, command: s.migrationCommand })),
        retentionDays: cfg.database.backupRetentionDays,
        window: args.window,
        emergency: args.emergency ? { reason: args.reason! } : undefined,
        changeRequest,
        dryRun: args.dryRun,
        atMs: args.atMs,
        });
        if (!args.dryRun) return report(result, env);
        let diff: DiffResult | null = null;
        if (args.showDiff) {
            say(
                `diff: the engine previews the deploy${cfg.rolloutSettings.strategy === "rolling" ? "" : " and step 1"} (pulumi ` +
                `preview, as long as one)…`,
            );
            diff = await previewDiff(args, cfg, built, env);
            if ("steps" in diff) for (const d of diff.steps) for (const l of formatStepDiff(d, args.stack)) say(l);
            else say(`  not checked: ${diff.notChecked}`);
        }
        const code = dryRunExit(result, args.strict, diff && "notChecked" in diff ? 1 : 0);
        if (args.json) {
            env.out(JSON.stringify(dryRunJson(args, cfg, release, built.offline, result, code, diff)));
            return code;
        }
        if (code === CODES.notChecked) {
            const n = (result.preflight?.warnings.length ?? 0) + (diff && "notChecked" in diff ? 1 : 0);
            env.out(`outcome: not checked — ${n} fact(s) above could not be checked, and --strict makes that a failure (exit ${code})`);
            return code;
        }
        return report(result, env, code);
    });
}

/** `analysis every 1s, baseline 15s, steps 10%/5s 30%/5s 50%/5s 100%, validation 30s, rollback window 1m00s`. */
function scaledTimes(s: RolloutSettings): string {
    const steps = s.steps.map((x) => `${x.weight}%${x.bakeSeconds ? `/${duration(x.bakeSeconds)}` : ""}`).join(" ");
    return (
        `analysis every ${duration(s.intervalSeconds)}, baseline ${duration(s.baselineSeconds)}${steps ? `, steps ${steps}` : ""}, ` +
        `validation ${duration(s.validationSeconds)}, ` +
        `rollback window ${duration(s.rollbackWindowSeconds)}`
    );
}

/** Where this command writes deployment records. */
function recordDirOf(args: CliArgs, env: CliEnvironment): string {
    return args.recordDir ?? path.join(env.recordRoot ?? path.join(PROJECT_DIR, "deployments"), args.stack);
}

/**
 * While `run` runs, SIGTERM/SIGINT (a cancelled CI job, a Ctrl-C) save the rollout's state, write its
 * record, page with where traffic is and how to resume, free the lock, and end the process with 128 + n.
 */
async function withSignals(env: CliEnvironment, orchestrator: RolloutOrchestrator, run: () => Promise<number>): Promise<number> {
    let interrupted!: (code: number) => void;
    const stopped = new Promise<number>((resolve) => (interrupted = resolve));
    const off = (env.onSignal ?? realEnvironment.onSignal!)((signal) => {
        env.err(`${signal}: saving the rollout's state and paging before exiting`);
        void orchestrator.interrupt(signal).then((r) => {
            if (r) report(r, env);
            interrupted(128 + (signal === "SIGINT" ? 2 : 15));
        });
    });
    try {
        return await Promise.race([run(), stopped]);
    } finally {
        off();
    }
}

/** `rollout:sync`: the deployed release into this checkout's stack file. */
async function sync(args: SyncArgs, env: CliEnvironment): Promise<number> {
    const stack = await env.selectStack(args.stack, env.projectDir ?? PROJECT_DIR);
    const port = new PulumiStackPort(stack, new ElasticLoadBalancingV2Client({}));
    const release = await port.sync();
    env.out(
        `Pulumi.${args.stack}.yaml: tms:deployment now holds the deployed release: revision ${release.revision}, live ${release.live}, ` +
        `weight ${release.weight}` +
            `; a change to it is revision ${release.revision + 1}`,
    );
    return CODES.ok;
}

/** The local deployment record of a rollout, if this machine wrote one. */
function recordOf(args: CliArgs, env: CliEnvironment): (rolloutId: string) => string | null {
    return (id) => {
        const file = path.join(recordDirOf(args, env), `${id.replace(/[^A-Za-z0-9._-]+/g, "-")}.json`);
        return fs.existsSync(file) ? file : null;
    };
}

/** `status --watch` before a starting rollout's first save: how often to look again (its interval is not known yet). */
const STARTING_POLL_SECONDS = 2;
/** `status --watch`: failed reads in a row before the watch gives up (exit 1). */
const WATCH_READ_ATTEMPTS = 5;

async function status(args: StatusArgs, cfg: StackConfig, env: CliEnvironment): Promise<number> {
    const { deps } = await buildDeps(args, cfg, env, false);
    let sawInFlight = false;
    let failures = 0;
    const engine = args.watch ? watchedEngine(deps.stack, deps.clock) : null;
    for (;;) {
        let view: Awaited<ReturnType<typeof readStatus>>;
        let saved: Awaited<ReturnType<typeof deps.store.load>>;
        try {
            saved = engine ? await deps.store.load(args.stack) : undefined;
            engine?.frame(saved);
            view = await readStatus(args.stack, {
                store: deps.store, stack: engine ?? deps.stack, clock: deps.clock, recordOf: recordOf(args, env),
            }, engine ? { saved } : undefined);
            failures = 0;
        } catch (e) {
            // A watch outlives one failed read (a dropped connection, a throttled call): it says so and looks again.
            if (!args.watch || ++failures >= WATCH_READ_ATTEMPTS) throw e;
            const again = args.intervalSeconds ?? STARTING_POLL_SECONDS;
            env.err(
                `watch: could not read the status (${e instanceof Error ? e.message : String(e)}); again in ${again}s (failure ` +
                `${failures} of ${WATCH_READ_ATTEMPTS} in a row)`,
            );
            await deps.clock.sleep(again * 1000);
            continue;
        }
        sawInFlight ||= view.state === "in_flight";
        // Started beside `rollout`, the watch may come before the rollout's first save: its live lock says a
        // rollout is starting (preflight, lock, snapshot), so the watch waits for it instead of ending on the
        // previous rollout's outcome. Once it has seen a rollout in flight, that rollout's end ends the watch.
        const starting = args.watch && !sawInFlight && view.state !== "in_flight" && view.lock !== null && !view.lock.expired;
        const lines = formatStatus(view);
        if (starting) lines.push(`watch        the lock is held: waiting for the rollout it guards to save its first state`);
        if (args.json) env.out(JSON.stringify(view));
        else if (args.watch && env.terminal) env.terminal.screen(lines);
        else for (const l of lines) env.out(l);
        if (!args.watch || (view.state !== "in_flight" && !starting)) return view.exitCode;
        if (!args.json && !env.terminal) env.out("");
        const interval =
            args.intervalSeconds ??
            (starting ? STARTING_POLL_SECONDS : (saved?.settings.intervalSeconds ?? cfg.rolloutSettings.intervalSeconds));
        await deps.clock.sleep(interval * 1000);
    }
}

function printOperation(r: OperationResult, env: CliEnvironment): number {
    (r.exitCode === 0 ? env.out : env.err)(r.message);
    for (const h of r.hints) env.out(`next: ${h}`);
    for (const f of r.recordFiles) env.out(`record: ${f}`);
    return r.exitCode;
}

async function unlockCommand(args: UnlockArgs, cfg: StackConfig, env: CliEnvironment, owner: string): Promise<number> {
    const { deps } = await buildDeps(args, cfg, env, false);
    return printOperation(
        await unlock(deps, { stack: args.stack, environment: cfg.environment, owner, reason: args.reason, force: args.force }),
        env,
    );
}

export async function main(argv: string[], env: CliEnvironment = realEnvironment): Promise<number> {
    const args = parseCliArgs(argv, env.env, { out: env.out, err: env.err });
    if (args instanceof Stop) return args.exitCode;
    if (args.sandbox) {
        if (!env.sandbox) {
            env.err("--sandbox: run the command through `npm run` (tools/rollout.ts sets up the offline sandbox)");
            return 1;
        }
        env = await env.sandbox(args, env);
    }
    let cfg: StackConfig;
    try {
        const file = readStackFile(
            env.projectDir ? path.join(env.projectDir, `Pulumi.${args.stack}.yaml`) : stackFilePath(args.stack),
            `Pulumi.${args.stack}.yaml`,
        );
        cfg = loadStackConfig(file.config, file.source, args.stack);
    } catch (e) {
        if (e instanceof StackFileError || e instanceof ConfigError) {
            env.err(`--stack ${args.stack}: ${e.message}`);
            return CODES.error;
        }
        throw e;
    }
    if (args.command === "rollout" && args.timeScale !== undefined) {
        try {
            cfg = { ...cfg, rolloutSettings: scaleRolloutTimes(cfg.rolloutSettings, args.timeScale) };
        } catch (e) {
            if (!(e instanceof RolloutSettingsError)) throw e;
            env.err(`--time-scale: ${e.message}`);
            return CODES.error;
        }
        if (!args.json)
            env.out(
                `sandbox: --time-scale ${args.timeScale}: ${scaledTimes(cfg.rolloutSettings)} (the steps and rules are ` +
                `Pulumi.${args.stack}.yaml's)`,
            );
    }
    const owner = ownerOf(env.env, args.owner);
    try {
        switch (args.command) {
            case "rollback": {
                const built = await buildDeps(args, cfg, env, false);
                const orchestrator = new RolloutOrchestrator(built.deps);
                return await withSignals(env, orchestrator, async () => {
                    const result = await orchestrator.continueRollout("rollback", {
                        stack: args.stack,
                        environment: cfg.environment,
                        owner,
                        reason: args.reason,
                        retentionDays: cfg.database.backupRetentionDays,
                    });
                    // The rollback command did what it was asked: 0, not the rollout's "rolled back" (2).
                    return report(result, env, result.outcome === "rolled_back" ? CODES.ok : result.exitCode);
                });
            }
            case "sync":
                return await sync(args, env);
            case "status":
                return await status(args, cfg, env);
            case "unlock":
                return await unlockCommand(args, cfg, env, owner);
            case "cleanup": {
                const { deps } = await buildDeps(args, cfg, env, false);
                return printOperation(await cleanup(deps, { stack: args.stack, environment: cfg.environment, owner }), env);
            }
            case "rollout":
                return await rollout(args, cfg, env, owner);
        }
    } catch (e) {
        env.err(`error: ${isPulumiCommandError(e) ? pulumiFailure(e) : (e as Error).message}`);
        return args.command === "status" ? STATUS_EXIT.error : CODES.error;
    }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
