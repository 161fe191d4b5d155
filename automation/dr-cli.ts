/**
 * `npm run dr:failover -- --stack dr --mode failover|switchover|detach [--dry-run]` and
 * `npm run dr:failback -- --stack dr [--dry-run]`: the DR runbook (automation/dr.ts, docs/dr.md).
 *
 * Everything it needs is in dr's region: dr's stack outputs (read from dr's own state backend, no
 * program run), DocumentDB, CloudWatch, SSM, ECS and ELB in us-west-2. The only call to prod's region is
 * the probe that tells whether it answers. Exit codes (the shared table, cli/exit-codes.ts): 0 done (or
 * dry run), 1 bad input, a refused precondition or a failed step. A failure prints one line on stderr
 * (Pulumi's own words for a Pulumi failure) and where the full log is:
 * `deployments/<stack>/<stack>-<failover|failback>-<UTC time>.log`, with every step line and the whole error;
 * the run's record (every step with its times) is beside it as JSON.
 */
import type { Colour } from "../config/vocabulary";
import * as fs from "fs";
import * as path from "path";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DocDBClient } from "@aws-sdk/client-docdb";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";
import { drModeParameterName } from "../config/naming";
import { loadStackConfig, type StackConfig } from "../config/stack-config";
import { readStackFile, PROJECT_DIR } from "../cli/stack-file";
import { runMain } from "../cli/run-main";
import { readFlags, stackName, Stop, UsageError, type CommandSpec, type FlagValues } from "../cli/flags";
import { EXIT } from "../cli/exit-codes";
import { systemClock } from "./clock";
import {
    failback,
    failover,
    FAILOVER_MODES,
    formatDuration,
    formatStep,
    type FailoverMode,
    type RunbookOptions,
    type RunbookReport,
} from "./dr";
import { CloudWatchTrafficSwitches, DocDbGlobalCluster, EcsDrCapacity } from "./adapters/dr";
import { PulumiFailure, pulumiFailure, pulumiFailureDetail } from "./adapters/pulumi-errors";
import { automationStack } from "./adapters/pulumi-stack";
import type { Clock } from "./ports";

/** Where a run's full log goes when it fails: beside the deployment records (gitignored). */
export function drLogPath(projectDir: string, stack: string, command: "failover" | "failback", atMs: number): string {
    return path.join(
        projectDir,
        "deployments",
        stack,
        `${stack}-${command}-${new Date(atMs).toISOString().replace(/[-:]|\.\d+/g, "")}.log`,
    );
}

const COMMON = {
    stack: { type: "string", value: "NAME", help: "the dr stack (its Pulumi.<stack>.yaml must have tms:dr.role secondary)" },
    "dry-run": { type: "boolean", help: "print the steps; change nothing" },
} as const;

export const FAILOVER_FLAGS = {
    command: "npm run dr:failover --",
    synopsis: ["--stack <dr stack> --mode failover|switchover|detach [--override-reason TEXT [--writers-stopped TEXT]] [--dry-run]"],
    summary: "Move production to the dr stack: fence prod, promote dr's DocumentDB cluster, scale dr, open it to traffic (docs/dr.md).",
    flags: {
        ...COMMON,
        mode: {
            type: "string",
            value: "MODE",
            help: "failover (us-east-1 down: managed failover, may lose the last seconds), switchover (planned, both healthy, loses " +
                "nothing), detach (last resort)",
        },
        "override-reason": { type: "string", value: "TEXT", help: "fail over or detach although prod answers (recorded)" },
        "writers-stopped": { type: "string", value: "TEXT", help: "detach while prod answers: how prod's writers were stopped (recorded)" },
    },
    exitCodes: {
        ok: "promoted (or dry run)",
        error: "bad input, a refused precondition or a failed step (one line, and where the full log is)",
    },
} satisfies CommandSpec;

export const FAILBACK_FLAGS = {
    command: "npm run dr:failback --",
    synopsis: ["--stack <dr stack> [--dry-run]"],
    summary:
        "Move production back to prod by switchover (no data loss) once prod's cluster is a healthy secondary; lift the fence, close " +
        "dr, scale it back (docs/dr.md).",
    flags: { ...COMMON },
    exitCodes: {
        ok: "failed back (or dry run)",
        error: "bad input, a refused precondition or a failed step (one line, and where the full log is)",
    },
} satisfies CommandSpec;

export interface FailoverArgs { stack: string; mode: FailoverMode; dryRun: boolean; override?: { reason: string; writersStopped?: string } }

export function failoverArgs(v: FlagValues<typeof FAILOVER_FLAGS.flags>): FailoverArgs {
    const stack = stackName("--stack", v.stack);
    if (!v.mode) throw new UsageError(`--mode is required: ${FAILOVER_MODES.join(", ")} (docs/dr.md says which)`);
    if (!FAILOVER_MODES.includes(v.mode as FailoverMode))
        throw new UsageError(`--mode: "${v.mode}" is not one of ${FAILOVER_MODES.join(", ")}`);
    if (v["writers-stopped"] !== undefined && v["override-reason"] === undefined)
        throw new UsageError("--writers-stopped goes with --override-reason");
    const override =
        v["override-reason"] !== undefined ? { reason: v["override-reason"], writersStopped: v["writers-stopped"] } : undefined;
    return { stack, mode: v.mode as FailoverMode, dryRun: v["dry-run"], override };
}

/** The runbook's settings from the dr stack file. */
export function runbookSettings(cfg: StackConfig) {
    if (cfg.dr.role !== "secondary")
        throw new Error(
            `Pulumi.${cfg.stack}.yaml: tms:dr.role: "${cfg.dr.role}" is not the dr stack (secondary); refusing to run the DR runbook`,
        );
    const activeCount = cfg.dr.activeCount!;
    const publicServices = cfg.services.filter((s) => s.public).length;
    return {
        activeCount,
        standbyCount: cfg.compute.desiredCount,
        expectedHealthyTargets: publicServices * activeCount,
        rtoMinutes: cfg.dr.rtoMinutes,
    };
}

/** What the runbook touches, from dr's stack outputs. */
export function runbookTargets(outputs: Record<string, unknown>, cfg: StackConfig) {
    const need = (k: string) => {
        if (outputs[k] === undefined) throw new Error(`stack ${cfg.stack} has no output ${k} (run pulumi up on it first)`);
        return outputs[k];
    };
    const live = need("liveColour") as Colour;
    const ecs = need("ecsServices") as Record<string, Record<string, string>>;
    const tgs = need("targetGroupArns") as Record<string, Record<string, string>>;
    return {
        globalClusterId: need("globalClusterId") as string,
        drClusterId: need("databaseClusterId") as string,
        clusterName: need("clusterName") as string,
        serviceNames: Object.values(ecs).map((c) => c[live]),
        targetGroupArns: Object.values(tgs).map((c) => c[live]),
        modeParameter: drModeParameterName(cfg.environmentName),
    };
}

/** The SDK clients of one region (tests give their own). */
export interface RegionClients {
    docdb: DocDBClient;
    cloudwatch: CloudWatchClient;
    ssm: SSMClient;
    ecs: ECSClient;
    elb: ElasticLoadBalancingV2Client;
}

export interface DrEnvironment {
    /** dr's stack outputs from its own backend (one `pulumi stack export`, adapters/pulumi-stack.ts `automationStack`: no program run). */
    outputs(stack: string, projectDir: string): Promise<Record<string, unknown>>;
    clients(region: string): RegionClients;
    clock: Clock;
    out(line: string): void;
    err(line: string): void;
    projectDir?: string;
    /** Where the run's record is written (default `deployments/<stack>/`). */
    recordDir?: string;
}

export const realEnvironment: DrEnvironment = {
    async outputs(stack, workDir) {
        // Pulumi's failures in its own words (adapters/pulumi-errors.ts); the whole CLI output goes to the log.
        const s = await automationStack(stack, workDir);
        return Object.fromEntries(Object.entries(await s.outputs()).map(([k, v]) => [k, v.value]));
    },
    clients: (region) => ({
        docdb: new DocDBClient({ region }), cloudwatch: new CloudWatchClient({ region }), ssm: new SSMClient({ region }),
        ecs: new ECSClient({ region }), elb: new ElasticLoadBalancingV2Client({ region }),
    }),
    clock: systemClock,
    out: (l) => console.log(l),
    err: (l) => console.error(l),
};

export function summary(report: RunbookReport): string {
    if (report.outcome === "dry-run") return "dry run: nothing was changed";
    if (report.outcome === "failed") return `${report.kind} stopped at ${report.error} — after ${formatDuration(report.totalMs)}`;
    if (report.kind === "failback") return `failed back to prod — ${formatDuration(report.totalMs)}`;
    return `dr promoted (${report.mode}) — ${formatDuration(report.totalMs)} of the ${report.rtoMinutes} min ` +
        `RTO${report.withinRto ? "" : " (RTO exceeded)"}`;
}

export async function main(argv: string[], env: DrEnvironment = realEnvironment): Promise<number> {
    const [command, ...rest] = argv;
    if (command !== "failover" && command !== "failback") {
        env.err(`usage: dr-cli.ts failover|failback … (npm run dr:failover -- --help, npm run dr:failback -- --help)`);
        return EXIT.error;
    }
    const io = { out: env.out, err: env.err };
    const args =
        command === "failover"
            ? readFlags(FAILOVER_FLAGS, rest, io, failoverArgs)
            : readFlags(FAILBACK_FLAGS, rest, io, (v) => ({
                  stack: stackName("--stack", v.stack),
                  dryRun: v["dry-run"],
                  mode: undefined,
                  override: undefined,
              }));
    if (args instanceof Stop) return args.exitCode;
    const projectDir = env.projectDir ?? PROJECT_DIR;
    const lines: string[] = [];
    const say = (l: string) => { lines.push(l); env.out(l); };
    const t0 = env.clock.now();
    try {
        return await runbook(command, args, projectDir, t0, env, say);
    } catch (e) {
        // One line on the terminal; everything (each step line, the CLI's stdout and stderr, the stack) in the log.
        const log = drLogPath(projectDir, args.stack, command, t0);
        let where = `full log: ${path.relative(process.cwd(), log) || log}`;
        try {
            fs.mkdirSync(path.dirname(log), { recursive: true });
            fs.writeFileSync(log, [...lines, "", pulumiFailureDetail(e instanceof PulumiFailure ? e.original : e), ""].join("\n"));
        } catch (w) {
            where = `no log written: ${(w as Error).message}`;
        }
        env.err(`dr:${command}: ${pulumiFailure(e)} (${where})`);
        return EXIT.error;
    }
}

async function runbook(
    command: "failover" | "failback",
    args: FailoverArgs | { stack: string; dryRun: boolean; mode: undefined; override: undefined },
    projectDir: string,
    t0: number,
    env: DrEnvironment,
    say: (l: string) => void,
): Promise<number> {
    const load = (stack: string) =>
        loadStackConfig(
            readStackFile(path.join(projectDir, `Pulumi.${stack}.yaml`), `Pulumi.${stack}.yaml`).config,
            `Pulumi.${stack}.yaml`,
            stack,
        );
    const cfg = load(args.stack);
    const settings = runbookSettings(cfg);
    // prod's environment name and region come from its stack file in this checkout (no call to prod).
    const primaryStack = cfg.primaryStack!.split("/").pop()!;
    const primaryCfg = load(primaryStack);
    // The record is rewritten after every step, so a run that dies (killed, lost terminal) leaves what it did, with times.
    const dir = env.recordDir ?? path.join(projectDir, "deployments", args.stack);
    const file = path.join(dir, `dr-${command}-${new Date(t0).toISOString().replace(/[:.]/g, "-")}.json`);
    const write = (record: object) => {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(file, JSON.stringify({ ...record, startedAt: new Date(t0).toISOString() }, null, 2) + "\n");
    };
    const done: Parameters<typeof formatStep>[0][] = [];
    const onStep = (s: Parameters<typeof formatStep>[0]) => {
        if (!args.dryRun) {
            done.push(s);
            write({ kind: command, mode: args.mode, outcome: "in-progress", steps: done });
        }
        say(formatStep(s, t0));
    };
    say(
        `DR ${command}${args.mode ? ` (${args.mode})` : ""} of ${args.stack} (${cfg.region}) from ${primaryStack} ` +
        `(${primaryCfg.region}): ` +
            `${settings.activeCount} tasks per service when active, RTO ${settings.rtoMinutes} min${args.dryRun ? " — dry run" : ""}`,
    );

    let ports: Pick<RunbookOptions, "database" | "switches" | "capacity">;
    if (args.dryRun) {
        const none = () => { throw new Error("dry run"); };
        ports = { database: none as never, switches: none as never, capacity: none as never };
    } else {
        const t = runbookTargets(await env.outputs(args.stack, projectDir), cfg);
        const dr = env.clients(cfg.region);
        ports = {
            database: new DocDbGlobalCluster(dr.docdb, (region) => env.clients(region).docdb, {
                globalClusterId: t.globalClusterId,
                drClusterId: t.drClusterId,
            }),
            switches: new CloudWatchTrafficSwitches(dr.cloudwatch, primaryCfg.environment, cfg.environment),
            capacity: new EcsDrCapacity(dr.ssm, dr.ecs, dr.elb, t),
        };
    }
    const options: RunbookOptions = { clock: env.clock, ...ports, ...settings, dryRun: args.dryRun, onStep };
    const report =
        command === "failover" ? await failover({ ...options, mode: args.mode!, override: args.override }) : await failback(options);
    if (!args.dryRun) {
        write(report);
        say(`record: ${path.relative(projectDir, file)}`);
    }
    // A failed step is said once, on stderr with the log's path (main's catch).
    if (report.outcome === "failed") throw new Error(summary(report));
    say(summary(report));
    return EXIT.ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { messageOnly: true });
