/**
 * `npm run dr:failover -- --stack dr [--dry-run]`: promote the dr stack (see automation/dr.ts).
 * Exit codes: 0 promoted (or dry run), 1 bad input or a failed step.
 */
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

export async function main(argv: string[]): Promise<number> {
    const args = readFlags(DR_FLAGS, argv, { out: (t) => console.log(t), err: (t) => console.error(t) }, drArgs);
    if (args instanceof Stop) return args.exitCode;
    const load = (stack: string) => loadStackConfig(readStackFile(stackFilePath(stack)).config, `Pulumi.${stack}.yaml`, stack);
    const cfg = load(args.stack);
    // prod's minimum task count comes from prod's stack file (the last segment of tms:primaryStack).
    const primaryMinimum = cfg.primaryStack ? load(cfg.primaryStack.split("/").pop()!).compute.minimumCount : 0;
    const settings = failoverSettings(cfg, primaryMinimum);
    const t0 = systemClock.now();
    const onStep = (s: Parameters<typeof formatStep>[0]) => console.log(formatStep(s, t0));
    console.log(`DR failover of ${args.stack} (${cfg.region}): ${settings.targetCount} tasks per service, RTO ${settings.rtoMinutes} min${args.dryRun ? " — dry run" : ""}`);

    let report: FailoverReport;
    if (args.dryRun) {
        const none = () => { throw new Error("dry run"); };
        report = await failover({ clock: systemClock, database: { describe: none, detachAndPromote: none }, stack: { scaleServices: none, liveHealth: none }, ...settings, dryRun: true, onStep });
    } else {
        const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
        const stack = await LocalWorkspace.selectStack({ stackName: args.stack, workDir: PROJECT_DIR });
        const outputs = await stack.outputs();
        const need = (k: string) => {
            if (outputs[k] === undefined) throw new Error(`stack ${args.stack} has no output ${k} (run pulumi up on it first)`);
            return outputs[k].value;
        };
        const elb = new ElasticLoadBalancingV2Client({ region: cfg.region });
        const port = new PulumiStackPort(stack, elb, console.log);
        report = await failover({
            clock: systemClock,
            database: new DocDbFailover(new DocDBClient({ region: cfg.region }), need("databaseClusterId"), need("globalClusterId")),
            stack: new PulumiDrStack(stack, port, need("liveColour"), console.log),
            ...settings,
            onStep,
        });
    }
    console.log(summary(report));
    return report.outcome === "failed" ? 1 : 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), { messageOnly: true });
