/**
 * `npm run rollout -- --stack prod --image api-gateway=<uri> … [--dry-run] …` and
 * `npm run rollback -- --stack prod --reason TEXT` (flags in cli-args.ts, usage in docs/ci.md).
 *
 * Wires the real adapters (Pulumi Automation API, CloudWatch, DynamoDB, DocumentDB, ECS, SNS) into
 * the orchestration and prints progress. Exit codes: 0 promoted (or dry run allowed), 1 error,
 * 2 rolled back, 3 halted for a human, 4 refused by preflight.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DocDBClient } from "@aws-sdk/client-docdb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SNSClient } from "@aws-sdk/client-sns";
import * as os from "os";
import * as path from "path";
import { loadStackConfig, ConfigError, type StackConfig } from "../components/config";
import { PROJECT_DIR, readStackFile, stackFilePath, StackFileError } from "../tools/stack-file";
import { DirectSmokeTests, EcsMigrations, InVpcSmokeTests } from "./adapters/checks";
import { CloudWatchMetrics } from "./adapters/cloudwatch-metrics";
import { DEFAULT_SNAPSHOT_OPTIONS, DocDbSnapshots, SNAPSHOT_ENVIRONMENTS } from "./adapters/docdb-snapshots";
import { DynamoStateStore } from "./adapters/dynamo-state";
import { EcsOneOffTasks, waitForRollingDeployments } from "./adapters/ecs-tasks";
import { PulumiStackPort, trafficOf, type PulumiStackLike } from "./adapters/pulumi-stack";
import { SnsNotifier } from "./adapters/sns-notifier";
import { formatWindow, DEFAULT_WINDOW } from "./calendar";
import { readChangeRequest } from "./change-request";
import { parseCliArgs, releaseIdOf, USAGE, UsageError, type CliArgs, type RolloutArgs } from "./cli-args";
import { systemClock } from "./clock";
import type { RolloutEvent } from "./engine";
import { RolloutOrchestrator, type OrchestrationResult, type OrchestratorDeps } from "./orchestrate";
import type { PreflightResult } from "./preflight";
import { writeRecord, type StepRecord } from "./record";
import { runMain } from "../tools/run-main";

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
}

const realEnvironment: CliEnvironment = {
    async selectStack(stackName, workDir) {
        // Loaded lazily: the Automation API module is only needed when a stack is really used.
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        return LocalWorkspace.selectStack({ stackName, workDir });
    },
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    env: process.env,
};

/** Who runs this: the lease owner and the record's "run by". */
export function ownerOf(env: NodeJS.ProcessEnv, explicit?: string): string {
    if (explicit) return explicit;
    if (env.GITHUB_ACTIONS === "true") {
        return `github:${env.GITHUB_REPOSITORY ?? "?"}#${env.GITHUB_RUN_ID ?? "?"}.${env.GITHUB_RUN_ATTEMPT ?? "1"} (${env.GITHUB_ACTOR ?? "?"})`;
    }
    return `${os.userInfo().username}@${os.hostname()}:${process.pid}`;
}

const fmtSeconds = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`);

function printer(out: (l: string) => void, verbose: boolean): (e: RolloutEvent) => void {
    return (e) => {
        const at = new Date(e.atMs).toISOString().slice(11, 19);
        switch (e.type) {
            case "phase":
                out(`${at} phase    ${e.label} — candidate weight ${e.weight}%${e.remainingSeconds !== null ? `, bake ${fmtSeconds(e.remainingSeconds)}` : ""}`);
                break;
            case "weight":
                out(`${at} weight   candidate now takes ${e.weight}%`);
                break;
            case "analysis":
                // Every analysis line: candidate vs live, threshold, verdict.
                out(`         ${e.line}`);
                break;
            case "progress":
                out(`${at} progress ${e.label} at ${e.weight}%: ${fmtSeconds(e.remainingSeconds)} of bake left`);
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
    const log = (l: string) => (args.verbose ? env.out(`         ${l}`) : undefined);
    let pulumiStack: PulumiStackLike | null = null;
    let outputs: Record<string, any> = {};
    let offline: string | null = null;
    try {
        pulumiStack = await env.selectStack(args.stack, PROJECT_DIR);
        outputs = Object.fromEntries(Object.entries(await pulumiStack.outputs()).map(([k, v]) => [k, (v as { value: unknown }).value]));
    } catch (e) {
        const msg = (e as Error).message;
        // The Automation API reports a missing `pulumi` binary as a spawn failure with code -2 (ENOENT).
        const why = /ENOENT|code: -2\b/.test(msg) ? "the pulumi CLI is not installed or not on PATH" : msg.split("\n").find((l) => l.trim()) ?? msg;
        offline = `Pulumi stack ${args.stack} unavailable: ${why}`;
        if (!dryRun) throw new Error(offline);
    }
    const region = cfg.region;
    // Dry runs must not hang on unreachable AWS endpoints; real calls get the default timeout.
    const callTimeoutMs = dryRun ? 10_000 : undefined;
    const placeholder = (name: string) => `(${name} from the stack outputs)`;
    const ecs = new ECSClient({ region });
    const tasks = new EcsOneOffTasks(ecs, {
        clusterName: outputs.clusterName ?? placeholder("clusterName"),
        ecsServices: outputs.ecsServices ?? {},
        migrationTaskFamilies: outputs.migrationTaskFamilies,
    }, systemClock, { timeoutMs: 30 * 60_000, pollMs: 10_000, callTimeoutMs });
    const testUrl: string = outputs.testListenerUrl ?? placeholder("testListenerUrl");
    const defaultService = cfg.services.find((s) => s.isDefaultRoute)?.name ?? cfg.services[0].name;
    const rolloutArgs = args.command === "rollout" ? args : null;
    const direct = (rolloutArgs?.runnerInTestCidrs ?? false) && cfg.traffic.testListenerCidrs.length > 0;
    // Output names as the stack program exports them (`rolloutTableName`, the data tier's `databaseClusterId`);
    // the table's name is also fixed by convention (`tms-<env>-rollouts`, the deployment role's scope).
    const lockTable: string | undefined = args.lockTable ?? outputs.rolloutTableName ?? outputs.rolloutLockTable ?? (pulumiStack ? `tms-${cfg.environment}-rollouts` : undefined);
    const clusterId: string | undefined = args.dbCluster ?? outputs.databaseClusterId ?? outputs.databaseClusterIdentifier;
    const needsSnapshot = SNAPSHOT_ENVIRONMENTS.includes(cfg.environment);
    if (!dryRun && needsSnapshot && !clusterId) throw new Error("no database cluster id: the stack exports none (databaseClusterId); pass --db-cluster ID");

    const waitRolling = (release: { images: Record<string, string> }) => waitForRollingDeployments(ecs, outputs.clusterName,
        Object.keys(release.images).map((svc) => outputs.ecsServices?.[svc]?.blue ?? svc), systemClock, { timeoutMs: 30 * 60_000, pollMs: 15_000, callTimeoutMs });
    const deps: OrchestratorDeps = {
        stack: pulumiStack ? new PulumiStackPort(pulumiStack, new ElasticLoadBalancingV2Client({ region }), log, callTimeoutMs, waitRolling) : unavailable(offline!),
        metrics: pulumiStack
            ? new CloudWatchMetrics(new CloudWatchClient({ region }), {
                environment: cfg.environment,
                loadBalancerArnSuffix: outputs.loadBalancerArnSuffix,
                targetGroupArnSuffixes: outputs.targetGroupArnSuffixes ?? {},
            }, callTimeoutMs)
            : unavailable(offline!),
        store: lockTable && pulumiStack ? new DynamoStateStore(new DynamoDBClient({ region }), lockTable, callTimeoutMs) : unavailable(offline ?? "no lock table"),
        clock: systemClock,
        snapshots: needsSnapshot ? new DocDbSnapshots(new DocDBClient({ region }), clusterId ?? placeholder("databaseClusterId"), cfg.environment, systemClock, { ...DEFAULT_SNAPSHOT_OPTIONS, callTimeoutMs }) : null,
        migrations: new EcsMigrations(tasks, cfg.services.map((s) => ({ service: s.name, command: s.migrationCommand }))),
        smoke: cfg.deployment.strategy === "rolling" ? null : direct ? new DirectSmokeTests(testUrl) : new InVpcSmokeTests(tasks, defaultService, testUrl),
        notifier: new SnsNotifier(new SNSClient({ region }), {
            warning: args.topicWarning ?? outputs.alertTopics?.warning,
            critical: args.topicCritical ?? outputs.alertTopics?.critical,
        }, callTimeoutMs),
        writeRecord: (r) => Object.values(writeRecord(args.recordDir ?? path.join(PROJECT_DIR, "deployments", args.stack), r)),
        onEvent: printer(env.out, args.verbose),
        onPreflight: (p, plan) => printPreflight(p, plan, dryRun, env.out),
        onStep: (s) => printStep(s, env.out),
        log,
    };
    return { deps: env.adjustDeps ? env.adjustDeps(deps) : deps, offline };
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
    if (p.changeRequest) out(`  change request ${p.changeRequest.id} (risk ${p.changeRequest.risk}): ${p.changeRequest.approvals.map((a) => `${a.role}=${a.by}`).join(", ")}`);
}

function printStep(s: StepRecord, out: (l: string) => void): void {
    out(`${new Date(s.atMs).toISOString().slice(11, 19)} step     ${s.name}: ${s.ok ? "ok" : "FAILED"} — ${s.detail}`);
    for (const l of s.lines ?? []) out(`           ${l}`);
}

function report(result: OrchestrationResult, env: CliEnvironment): number {
    for (const f of result.recordFiles) env.out(`record: ${f}`);
    env.out(`outcome: ${result.outcome}${result.reason ? ` — ${result.reason}` : ""} (exit ${result.exitCode})`);
    return result.exitCode;
}

async function rollout(args: RolloutArgs, cfg: StackConfig, env: CliEnvironment, owner: string): Promise<number> {
    // Checked before anything reaches Pulumi or AWS.
    const unknown = Object.keys(args.images).filter((s) => !cfg.services.some((c) => c.name === s));
    if (unknown.length) {
        env.err(`--image: ${unknown.join(", ")} not a service of ${args.stack} (${cfg.services.map((s) => s.name).join(", ")})`);
        return 1;
    }
    const built = await buildDeps(args, cfg, env, args.dryRun);
    const orchestrator = new RolloutOrchestrator(built.deps);
    if (args.resume) return report(await orchestrator.continueRollout("resume", { stack: args.stack, environment: cfg.environment, owner }), env);
    const nowMs = args.atMs ?? Date.now();
    const release = { id: releaseIdOf(args.images, args.release, nowMs), images: args.images };
    env.out(`${args.dryRun ? "dry run" : "rollout"}: ${args.stack} (${cfg.environment}, ${cfg.rolloutSettings.strategy}), release ${release.id}, ` +
        (cfg.environment === "prod" ? `window ${formatWindow(args.window ?? DEFAULT_WINDOW)} New York, ` : "") + `run by ${owner}`);
    if (built.offline) env.out(`  (${built.offline}; plan from Pulumi.${args.stack}.yaml)`);
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
        changeRequest: args.changeRequest ? readChangeRequest(args.changeRequest) : undefined,
        dryRun: args.dryRun,
        atMs: args.atMs,
    });
    return report(result, env);
}

export async function main(argv: string[], env: CliEnvironment = realEnvironment): Promise<number> {
    let args: CliArgs;
    try {
        args = parseCliArgs(argv, env.env);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        env.err(e.message ? `${e.message}\n${USAGE}` : USAGE);
        return 1;
    }
    let cfg: StackConfig;
    try {
        const file = readStackFile(stackFilePath(args.stack), `Pulumi.${args.stack}.yaml`);
        cfg = loadStackConfig(file.config, file.source, args.stack);
    } catch (e) {
        if (e instanceof StackFileError || e instanceof ConfigError) {
            env.err(`--stack ${args.stack}: ${e.message}`);
            return 1;
        }
        throw e;
    }
    const owner = ownerOf(env.env, args.owner);
    try {
        if (args.command === "rollback") {
            const built = await buildDeps(args, cfg, env, false);
            return report(await new RolloutOrchestrator(built.deps).continueRollout("rollback", { stack: args.stack, environment: cfg.environment, owner, reason: args.reason }), env);
        }
        return await rollout(args, cfg, env, owner);
    } catch (e) {
        env.err(`error: ${(e as Error).message}`);
        return 1;
    }
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
