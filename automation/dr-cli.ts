/**
 * `npm run dr:failover -- --stack dr [--dry-run]`: promote the dr stack (see automation/dr.ts).
 * Exit codes (the shared table, cli/exit-codes.ts): 0 promoted (or dry run), 1 bad input or a failed
 * step. A failure prints one line (Pulumi's own words for a Pulumi failure) and where the full log
 * is: `deployments/<stack>/<stack>-failover-<UTC time>.log`, with every step line and the whole error.
 */
import * as fs from "fs";
import * as path from "path";
import { DocDBClient } from "@aws-sdk/client-docdb";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadStackConfig, StackConfig } from "../config/stack-config";
import { readStackFile, stackFilePath, PROJECT_DIR } from "../cli/stack-file";
import { runMain } from "../cli/run-main";
import { readFlags, stackName, Stop, type CommandSpec, type FlagValues } from "../cli/flags";
import { systemClock } from "./clock";
import { failover, FailoverReport, formatDuration, formatStep } from "./dr";
import { DocDbFailover, PulumiDrStack } from "./adapters/dr";
import { PulumiStackPort } from "./adapters/pulumi-stack";
import { isPulumiCommandError, PulumiFailure, pulumiFailure, pulumiFailureDetail, withPulumiErrors } from "./adapters/pulumi-errors";
import { EXIT } from "../cli/exit-codes";

/** Where a failover's full log goes: beside the deployment records (gitignored). */
export function failoverLogPath(projectDir: string, stack: string, atMs: number): string {
    return path.join(projectDir, "deployments", stack, `${stack}-failover-${new Date(atMs).toISOString().replace(/[-:]|\.\d+/g, "")}.log`);
}

export interface DrArgs { stack: string; dryRun: boolean }

export const DR_FLAGS = {
    command: "npm run dr:failover --",
    synopsis: ["--stack <dr stack> [--dry-run]"],
    summary: "Promote the dr stack: detach its DocumentDB cluster from the global cluster, scale its services to prod's minimum, wait for healthy targets, report against the RTO.",
    flags: {
        stack: { type: "string", value: "NAME", help: "the dr stack (its Pulumi.<stack>.yaml must have tms:dr.role secondary)" },
        "dry-run": { type: "boolean", help: "print the steps; change nothing" },
    },
    exitCodes: { ok: "promoted (or dry run)", error: "bad input, or a failed step (one line, and where the full log is)" },
} satisfies CommandSpec;

export function drArgs(v: FlagValues<typeof DR_FLAGS.flags>): DrArgs {
    return { stack: stackName("--stack", v.stack), dryRun: v["dry-run"] };
}

/** The failover's settings from the dr stack file: prod's minimum task count, the RTO, the public services. */
export function failoverSettings(cfg: StackConfig, primaryMinimum: number) {
    if (cfg.dr.role !== "secondary") throw new Error(`Pulumi.${cfg.stack}.yaml: tms:dr.role: "${cfg.dr.role}" is not the dr stack (secondary); refusing to fail over`);
    const publicServices = cfg.services.filter((s) => s.public).length;
    return { targetCount: primaryMinimum, expectedHealthyTargets: publicServices * primaryMinimum, rtoMinutes: cfg.dr.rtoMinutes };
}

export function summary(report: FailoverReport): string {
    if (report.outcome === "dry-run") return "dry run: nothing was changed";
    const head = report.outcome === "promoted" ? "dr promoted" : `failover stopped at ${report.failedStep}: ${report.error}`;
    return `${head} — ${formatDuration(report.totalMs)} of the ${report.rtoMinutes} min RTO${report.withinRto ? "" : " (RTO exceeded)"}`;
}

export async function main(argv: string[], projectDir = PROJECT_DIR): Promise<number> {
    const args = readFlags(DR_FLAGS, argv, { out: (t) => console.log(t), err: (t) => console.error(t) }, drArgs);
    if (args instanceof Stop) return args.exitCode;
    const lines: string[] = [];
    const log: FailoverLog = {
        say: (l) => {
            lines.push(l);
            console.log(l);
        },
        note: (l) => void lines.push(l),
    };
    const t0 = systemClock.now();
    try {
        return await failoverCommand(args, projectDir, t0, log);
    } catch (e) {
        // One line on the terminal; everything (each step line, the CLI's stdout and stderr, the stack) in the log.
        const log = failoverLogPath(projectDir, args.stack, t0);
        let where = `full log: ${path.relative(process.cwd(), log) || log}`;
        try {
            fs.mkdirSync(path.dirname(log), { recursive: true });
            fs.writeFileSync(log, [...lines, "", pulumiFailureDetail(e instanceof PulumiFailure ? e.original : e), ""].join("\n"));
        } catch (w) {
            where = `no log written: ${(w as Error).message}`;
        }
        console.error(`dr:failover: ${pulumiFailure(e)} (${where})`);
        return EXIT.error;
    }
}

/** What a failover prints (`say`, also logged) and what only its log keeps (`note`: the Pulumi CLI's whole output of a failed call). */
interface FailoverLog {
    say(line: string): void;
    note(line: string): void;
}

async function failoverCommand(args: DrArgs, projectDir: string, t0: number, log: FailoverLog): Promise<number> {
    const say = log.say;
    const load = (stack: string) => loadStackConfig(readStackFile(path.join(projectDir, `Pulumi.${stack}.yaml`), `Pulumi.${stack}.yaml`).config, `Pulumi.${stack}.yaml`, stack);
    const cfg = load(args.stack);
    // prod's minimum task count comes from prod's stack file (the last segment of tms:primaryStack).
    const primaryMinimum = cfg.primaryStack ? load(cfg.primaryStack.split("/").pop()!).compute.minimumCount : 0;
    const settings = failoverSettings(cfg, primaryMinimum);
    const onStep = (s: Parameters<typeof formatStep>[0]) => say(formatStep(s, t0));
    say(`DR failover of ${args.stack} (${cfg.region}): ${settings.targetCount} tasks per service, RTO ${settings.rtoMinutes} min${args.dryRun ? " — dry run" : ""}`);

    let report: FailoverReport;
    if (args.dryRun) {
        const none = () => { throw new Error("dry run"); };
        report = await failover({ clock: systemClock, database: { describe: none, detachAndPromote: none }, stack: { scaleServices: none, liveHealth: none }, ...settings, dryRun: true, onStep });
    } else {
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        // Pulumi's failures, here and in every later call, in its own words (adapters/pulumi-errors.ts).
        const stack = withPulumiErrors(await LocalWorkspace.selectStack({ stackName: args.stack, workDir: projectDir }).catch((e: unknown) => {
            throw isPulumiCommandError(e) ? new PulumiFailure(e) : e;
        }), (f) => log.note(pulumiFailureDetail(f.original)));
        const outputs = await stack.outputs();
        const need = (k: string) => {
            if (outputs[k] === undefined) throw new Error(`stack ${args.stack} has no output ${k} (run pulumi up on it first)`);
            return outputs[k].value;
        };
        const elb = new ElasticLoadBalancingV2Client({ region: cfg.region });
        const port = new PulumiStackPort(stack, elb, say);
        report = await failover({
            clock: systemClock,
            database: new DocDbFailover(new DocDBClient({ region: cfg.region }), need("databaseClusterId"), need("globalClusterId")),
            stack: new PulumiDrStack(stack, port, need("liveColour"), say),
            ...settings,
            onStep,
        });
    }
    // A failed step is said once, on stderr with the log's path (main's catch).
    if (report.outcome === "failed") throw new Error(summary(report));
    say(summary(report));
    return EXIT.ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { messageOnly: true });
