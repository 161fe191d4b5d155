/**
 * L5: the rollout CLI end to end on the deployed prod stack, through the Automation API (`LocalWorkspace`
 * with the sandbox's CLI) and the real `PulumiStackPort`: every config change and `up` is the real
 * engine's. The AWS read-backs the port makes (listener weights, target health) are answered from the
 * engine's own state (`pulumi stack export`, tools/fake-aws/elb.ts). What has no engine behind it
 * is faked: metrics (a trace), the clock (virtual: bakes take no time), the lock store, the snapshot,
 * the migration and smoke tasks, notifications.
 *
 * Runs after 2-release-by-hand: prod has green live at weight 0, so the candidate is blue. A canary that is
 * rolled back runs here; the healthy canary that is promoted (six real updates: deploy, four weight steps,
 * finalise) runs once, in 3c-watched-canary, through the same CLI, port and ELB read-backs (`--sandbox`),
 * where its assertions moved (history, listener-only weight steps, read-backs, stack file): running the
 * same six updates twice cost about three minutes of the suite.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    DescribeListenersCommand,
    DescribeRulesCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { DateTime } from "luxon";
import { main, type CliEnvironment } from "../../automation/cli";
import { VirtualClock } from "../../automation/clock";
import { TraceMetrics } from "../../automation/sim/trace-metrics";
import { parseTrace } from "../../automation/sim/trace";
import { MemoryStateStore } from "../../automation/state-memory";
import { stackLike } from "../../automation/adapters/pulumi-stack";
import { ElbFromState } from "../../tools/fake-aws";
import { engineSandbox, pulumi } from "./sandbox-fixture";

const FIXTURES = path.resolve(__dirname, "../automation/fixtures");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-engine-rollout-"));
const CR = path.join(dir, "cr.yaml");
fs.writeFileSync(CR, "id: CHG-101\nrisk: low\nrollbackPlan: weight to 0 in one targeted update\napprovals:\n  - {role: technical-review, by: ana}\n  - {role: qa, by: bo}\n  - {role: product, by: cy}\n");
/** A Tuesday 10:30 in New York, inside prod's release window and outside every freeze. */
const START = DateTime.fromISO("2026-12-01T10:30", { zone: "America/New_York" }).toMillis();

const exportState = () => JSON.parse(pulumi(["stack", "export", "--stack", "prod"], { expect: 0 }).stdout).deployment.resources;
const outputs = () => JSON.parse(pulumi(["stack", "output", "--stack", "prod", "--json"], { expect: 0 }).stdout);

interface Run {
    code: number;
    out: string;
    elbCalls: string[];
}

/** `npm run rollout -- --stack prod …` in-process, wired to the sandbox. */
async function rollout(argv: string[], traceFile: string): Promise<Run> {
    const sb = engineSandbox();
    const out: string[] = [];
    // The ELBv2 client the CLI builds answers from the engine's state, re-read after every `up`.
    let view: ElbFromState | null = null;
    const elb = () => (view ??= new ElbFromState(exportState()));
    const elbCalls: string[] = [];
    const mock = mockClient(ElasticLoadBalancingV2Client);
    mock.on(DescribeTargetGroupsCommand).callsFake((i) => (elbCalls.push("DescribeTargetGroups"), elb().describeTargetGroups(i.TargetGroupArns ?? [])));
    mock.on(DescribeListenersCommand).callsFake((i) => (elbCalls.push("DescribeListeners"), elb().describeListeners(i.LoadBalancerArn)));
    mock.on(DescribeRulesCommand).callsFake((i) => (elbCalls.push("DescribeRules"), elb().describeRules(i.ListenerArn)));
    mock.on(DescribeTargetHealthCommand).callsFake((i) => (elbCalls.push("DescribeTargetHealth"), elb().describeTargetHealth(i.TargetGroupArn)));

    const trace = parseTrace(fs.readFileSync(traceFile, "utf8"), traceFile);
    const clock = new VirtualClock(START);
    let origin: number | null = null;
    const env: CliEnvironment = {
        projectDir: sb.projectDir,
        async selectStack(stackName, workDir) {
            // The port's view of the stack, as the CLI builds it; the ELB view is re-read after every `up`.
            return stackLike(await sb.selectStack(stackName, workDir), () => (view = null));
        },
        adjustDeps: (deps) => ({
            ...deps,
            metrics: new TraceMetrics(trace, () => origin),
            store: new MemoryStateStore(),
            clock,
            snapshots: { snapshot: async (id) => `tms-prod-predeploy-${id}`, prune: async () => [] },
            migrations: { migrate: async () => ({ ok: true, lines: [{ name: "api-gateway", ok: true, detail: "exit code 0" }] }) },
            smoke: { mode: "fake", check: async () => ({ ok: true, lines: [{ name: "/health", ok: true, detail: "200" }] }) },
            notifier: { notify: async () => undefined },
            writeRecord: () => [],
            onEvent: (e) => {
                if (e.type === "weight" && e.weight > 0 && origin === null) origin = e.atMs;
                deps.onEvent?.(e);
            },
        }),
        out: (l) => out.push(l),
        err: (l) => out.push(l),
        env: {},
    };
    try {
        const code = await main(["rollout", "--stack", "prod", ...argv, "--change-request", CR], env);
        return { code, out: out.join("\n"), elbCalls };
    } finally {
        mock.restore();
    }
}

describe("rollout CLI on the real engine through the Automation API (L5)", () => {
    it("the port's outputs, from one `pulumi stack export --show-secrets`, are the Automation API's `outputs()` (two `stack output` runs), secrets included", async () => {
        const stack = await engineSandbox().selectStack("prod");
        const fromCheckpoint = await stackLike(stack).outputs();
        assert.deepEqual(fromCheckpoint, await stack.outputs());
        assert.deepEqual(Object.keys(fromCheckpoint).filter((k) => fromCheckpoint[k].secret).sort(), ["databaseUserCredentials", "originVerifyHeader"]);
    });

    const image = "111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:5c2e3f4-prod";

    it("a canary whose 5xx rate spikes is rolled back: weight 0 read back from the engine's state, green stays live", async () => {
        const before = outputs();
        assert.deepEqual([before.liveColour, before.weight], ["green", 0], "starts where releasing by hand left prod");
        const liveImage = before.images.green["api-gateway"];
        const r = await rollout(["--image", `api-gateway=${image}`], path.join(FIXTURES, "error-spike.json"));
        assert.equal(r.code, 2, r.out);
        assert.match(r.out, /weight {3}candidate now takes 10%/);
        assert.match(r.out, /outcome: rolled_back/);
        const after = outputs();
        assert.deepEqual([after.liveColour, after.weight, after.images.green["api-gateway"], after.images.blue["api-gateway"]], ["green", 0, liveImage, image]);
        // The listener state the engine holds forwards 100% to blue again.
        const view = new ElbFromState(exportState());
        const weights = exportState()
            .filter((x: any) => /listenerRule:ListenerRule$/.test(x.type) && x.outputs?.actions?.some((a: any) => a.forward))
            .flatMap((x: any) => x.outputs.actions.flatMap((a: any) => a.forward?.targetGroups ?? []));
        assert.ok(weights.length > 0 && view, "weighted rules found");
        const tgs = outputs().targetGroupArns["api-gateway"];
        assert.ok(weights.every((g: any) => (g.arn === tgs.blue ? g.weight === 0 : g.weight === 100)), JSON.stringify(weights));
    });
});
