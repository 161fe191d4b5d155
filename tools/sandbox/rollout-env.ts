/**
 * `--sandbox` for the rollout commands (`npm run rollout|rollback|rollout:status|rollout:unlock|
 * rollout:cleanup|rollout:sync -- --stack prod --sandbox …`): the real rollout CLI, through the real
 * engine (LocalWorkspace with the sandbox's Pulumi CLI and the real PulumiStackPort), on the offline
 * sandbox of `npm run pulumi` (`.pulumi-offline/`, or TMS_SANDBOX_DIR). What AWS would answer:
 *
 * - the rollout table: dynalite (tools/sandbox/dynalite-server.ts), through the real DynamoDB adapter;
 * - load-balancer read-backs (weights, target health): computed from the engine's own state
 *   (`pulumi stack export`, tools/fake-aws/elb.ts);
 * - metrics: replayed from `--metrics-trace FILE`: sample i is what the i-th analysis interval after the
 *   first shift reads, counted from the rollout's saved analysis records (so a resume on another process
 *   continues the trace where the rollout stopped, a `pulumi up` that takes a minute skips no sample, and
 *   the rollout decides what `rollout:simulate` decides on the same trace, whatever `--time-scale`);
 * - notifications: JSON lines appended to `<sandbox>/notifications.jsonl`; records under `<sandbox>/deployments/`;
 * - the snapshot, migrations and smoke tests: succeed (their faults are the engine tests' business),
 *   each after TMS_SANDBOX_CHECK_MS (default 0: the chaos suite makes them last long enough to be killed in);
 * - faults of the rollout table (the chaos suite's): TMS_SANDBOX_SAVE_FAULTS=<file>, a JSON array
 *   `[{ "status": "rolling_back", "times": 1 }]`: a state save of a rollout in that status fails as
 *   DynamoDB's throttling does, `times` times (counted across processes in `<file>.hits`);
 * - the load-balancer read-backs made: TMS_SANDBOX_ELB_CALLS=<file> appends each call's name to it (a line
 *   each), for the engine suite's watched canary to check the rollout read the weights and target health back;
 * - a runner's clock ahead of the others: TMS_SANDBOX_CLOCK_SKEW_MS (the lease's skew margin,
 *   TMS_SANDBOX_SKEW_MARGIN_MS, shortens the production margin so that a watchdog fires within seconds).
 */
import {
    DescribeListenersCommand,
    DescribeRulesCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "fs";
import * as path from "path";
import { DynamoStateStore } from "../../automation/adapters/dynamo-state";
import { stackLike, type PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import type { CliArgs } from "../../automation/cli-args";
import type { CliEnvironment } from "../../automation/cli";
import type { Clock, MetricsPort, MetricsWindow } from "../../automation/ports";
import { systemClock } from "../../automation/clock";
import { TraceMetrics } from "../../automation/sim/trace-metrics";
import { parseTrace } from "../../automation/sim/trace";
import { readStackFile } from "../../cli/stack-file";
import { rolloutTableName } from "../../config/naming";
import { dynaliteClient, ensureRolloutTable } from "./dynalite";
import { ensureDynaliteServer } from "./dynalite-server";
import { ElbFromState } from "../fake-aws/elb";
import { ensurePulumiCli } from "./pulumi-cli";
import { OFFLINE_DIR, prepareSandbox } from "./sandbox";

/** The sandbox folder the commands use. */
export const sandboxDir = (env: NodeJS.ProcessEnv = process.env) => env.TMS_SANDBOX_DIR ?? OFFLINE_DIR;

/** Analysis intervals recorded after `originMs` and before the window ending at `endMs` (each leaves records at its end). Pure. */
export function analysedIntervals(decisions: { atMs: number }[], originMs: number, endMs: number): number {
    return new Set(decisions.filter((d) => d.atMs > originMs && d.atMs < endMs).map((d) => d.atMs)).size;
}

/**
 * What identifies the version of a stack's checkpoint in the sandbox's file backend
 * (`<state>/.pulumi/stacks/<project>/<stack>.json`, written by a rename): its modification time and size. Without
 * the file (another backend layout), a stamp that changes every 3 seconds, so a view built from it is re-read as
 * often as that.
 */
export function checkpointStamp(stateDir: string, stack: string, nowMs: number): string {
    const stacks = path.join(stateDir, ".pulumi", "stacks");
    for (const project of fs.existsSync(stacks) ? fs.readdirSync(stacks) : []) {
        for (const name of [`${stack}.json`, `${stack}.json.gz`]) {
            const st = fs.statSync(path.join(stacks, project, name), { throwIfNoEntry: false });
            if (st?.isFile()) return `${project}/${name}@${st.mtimeMs}:${st.size}`;
        }
    }
    return `time:${Math.floor(nowMs / 3000)}`;
}

export async function sandboxEnvironment(args: CliArgs, base: CliEnvironment): Promise<CliEnvironment> {
    const dir = sandboxDir(base.env);
    const cli = ensurePulumiCli((l) => base.err(l));
    const sb = prepareSandbox(dir, cli);
    const environment = String(readStackFile(sb.stackFile(args.stack), `Pulumi.${args.stack}.yaml`).config["tms:environment"] ?? args.stack);
    const table = args.lockTable ?? rolloutTableName(environment);
    const endpoint = await ensureDynaliteServer(path.join(dir, "dynalite"));
    const ddb = dynaliteClient(endpoint);
    await ensureRolloutTable(ddb, table);
    // TMS_SANDBOX_SKEW_MARGIN_MS: the chaos suite shortens the lease's clock-skew margin so that its watchdog fires within a scenario.
    const margin = base.env.TMS_SANDBOX_SKEW_MARGIN_MS ? Number(base.env.TMS_SANDBOX_SKEW_MARGIN_MS) : undefined;
    const store = new DynamoStateStore(ddb, table, undefined, margin);
    const saveFaults = base.env.TMS_SANDBOX_SAVE_FAULTS;
    if (saveFaults) {
        const save = store.save.bind(store);
        store.save = async (state, lease) => {
            const plan = JSON.parse(fs.readFileSync(saveFaults, "utf8")) as { status: string; times?: number }[];
            const hitsFile = `${saveFaults}.hits`;
            const hits = fs.existsSync(hitsFile) ? fs.readFileSync(hitsFile, "utf8").split("\n").filter(Boolean).map(Number) : [];
            const i = plan.findIndex((f, k) => f.status === state.status && hits.filter((h) => h === k).length < (f.times ?? 1));
            if (i >= 0) {
                fs.appendFileSync(hitsFile, `${i}\n`);
                throw new Error("DynamoDB PutItem (save state) failed: ThrottlingException: Rate exceeded (sandbox fault plan)");
            }
            return save(state, lease);
        };
    }
    const skew = Number(base.env.TMS_SANDBOX_CLOCK_SKEW_MS ?? 0);
    const clock: Clock = { now: () => Date.now() + skew, sleep: (ms) => systemClock.sleep(ms) };
    const checkMs = Number(base.env.TMS_SANDBOX_CHECK_MS ?? 0);
    const slow = <T>(v: T) => new Promise<T>((resolve) => setTimeout(() => resolve(v), checkMs));

    // The load balancer as the engine's state describes it: exported again whenever the stack's checkpoint changed (an update
    // of this process or of another: status --watch follows the rollout's), else reused.
    let exported: { stamp: string; view: ElbFromState } | null = null;
    let stackRef: PulumiStackLike | null = null;
    const elb = async () => {
        const stamp = checkpointStamp(sb.stateDir, args.stack, Date.now());
        if (exported?.stamp !== stamp) exported = { stamp, view: new ElbFromState(((await stackRef!.exportStack()).deployment as any).resources ?? []) };
        return exported.view;
    };
    const callLog = base.env.TMS_SANDBOX_ELB_CALLS;
    const called = (name: string) => {
        if (callLog) fs.appendFileSync(callLog, name + "\n");
    };
    const mock = mockClient(ElasticLoadBalancingV2Client);
    mock.on(DescribeTargetGroupsCommand).callsFake(async (i) => (called("DescribeTargetGroups"), (await elb()).describeTargetGroups(i.TargetGroupArns ?? [])));
    mock.on(DescribeListenersCommand).callsFake(async (i) => (called("DescribeListeners"), (await elb()).describeListeners(i.LoadBalancerArn)));
    mock.on(DescribeRulesCommand).callsFake(async (i) => (called("DescribeRules"), (await elb()).describeRules(i.ListenerArn)));
    mock.on(DescribeTargetHealthCommand).callsFake(async (i) => (called("DescribeTargetHealth"), (await elb()).describeTargetHealth(i.TargetGroupArn)));

    // Metrics from the trace: the window's sample is the count of intervals the saved state has analysed since the first shift.
    const trace = args.metricsTrace ? parseTrace(fs.readFileSync(args.metricsTrace, "utf8"), args.metricsTrace) : null;
    const replay = trace ? new TraceMetrics(trace, () => null) : null;
    const metrics: MetricsPort & { criticalAlarms: () => Promise<string[]> } = {
        query: async (w: MetricsWindow) => {
            if (!replay) throw new Error("--sandbox: no --metrics-trace FILE to replay metrics from");
            const saved = await store.load(args.stack);
            const origin = saved?.firstShiftAtMs ?? null;
            if (origin === null || w.endMs <= origin) return replay.beforeShift();
            return replay.sampleAt(analysedIntervals(saved!.decisions, origin, w.endMs));
        },
        criticalAlarms: async () => [],
    };
    const notifications = path.join(dir, "notifications.jsonl");
    return {
        ...base,
        projectDir: sb.projectDir,
        recordRoot: path.join(dir, "deployments"),
        async selectStack(stackName, workDir) {
            stackRef = stackLike(await sb.selectStack(stackName, workDir), () => (exported = null));
            return stackRef;
        },
        adjustDeps: (deps) => ({
            ...deps,
            store,
            metrics,
            ...(skew ? { clock } : {}),
            snapshots: deps.snapshots && {
                snapshot: async (releaseId, _rolloutId, atMs) => slow(`tms-${environment}-predeploy-${releaseId}-${new Date(atMs).toISOString().replace(/[-:]|\.\d+/g, "")}`),
                prune: async () => [],
            },
            migrations: { migrate: async () => slow({ ok: true, lines: [{ name: "all services", ok: true, detail: "sandbox: migrations succeed" }] }) },
            smoke: deps.smoke && { mode: "sandbox", check: async () => slow({ ok: true, lines: [{ name: "/health", ok: true, detail: "sandbox: 200" }] }) },
            notifier: {
                notify: async (n) => {
                    fs.appendFileSync(notifications, JSON.stringify({ atMs: Date.now(), ...n }) + "\n");
                },
            },
        }),
    };
}
