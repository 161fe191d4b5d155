// Level L2 + reachability: the pre-traffic smoke tests reach the candidate colour, followed packet by
// packet through the planned resources (tools/reachability) from where the rollout CLI runs them.
import { strict as assert } from "assert";
import { DirectSmokeTests, InVpcSmokeTests, type SmokePort } from "../../automation/adapters/checks";
import type { PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import { main as rolloutCli } from "../../automation/cli";
import { evaluate } from "../../tools/reachability/evaluate";
import { flowReport, type FlowResult } from "../../tools/reachability/flows";
import { explainFlow } from "../../tools/reachability/format";
import { networkModel } from "../../tools/reachability/model";
import { stackConfigOf } from "../../tools/network-docs";
import { plan } from "../harness";

/** The stacks whose rollouts smoke-test the candidate (blue-green and canary). */
const SMOKE_STACKS = ["staging", "prod", "dr"] as const;


describe("smoke path: the smoke tests reach the candidate before any traffic moves", function () {
    this.timeout(180_000);
    for (const stack of SMOKE_STACKS) {
        describe(stack, () => {
            let results: FlowResult[];
            before(async () => {
                const cfg = stackConfigOf(stack);
                const p = await plan(stack);
                const primary = stack === "dr" ? (await plan("prod")).result : undefined;
                results = flowReport(p.result, cfg, primary).results.filter((r) => r.flow.title.startsWith("smoke "));
                // One flow per CI range in tms:traffic.testListenerCidrs, plus the in-VPC task.
                assert.equal(results.length, cfg.traffic.testListenerCidrs.length + 1);
            });

            it("from a runner in tms:traffic.testListenerCidrs, straight at testListenerUrl, reaching only the candidate", () => {
                for (const r of results.filter((x) => x.flow.title.startsWith("smoke client"))) if (!r.ok) assert.fail(`${r.flow.id} ${r.flow.title}: ${explainFlow(r)}`);
            });

            it("from a one-off task inside the VPC started like the candidate service, reaching only the candidate", () => {
                const inVpc = results.find((x) => x.flow.title.startsWith("smoke task in the VPC"))!;
                if (!inVpc.ok) assert.fail(`${inVpc.flow.title}: ${explainFlow(inVpc)}`);
                // Every subnet the task may start in (one per AZ) gets through, each through its NAT gateway.
                for (const request of inVpc.results) assert.ok(request.evaluation.placements.length >= 3);
            });
        });
    }

    /** The smoke port the rollout CLI builds for prod from these outputs (the run stops right after). */
    async function cliSmoke(outputs: Record<string, any>, extra: string[]): Promise<SmokePort | null> {
        let smoke: SmokePort | null = null;
        await rolloutCli(["rollout", "--stack", "prod", "--image", "api-gateway=repo/api-gateway:v2", "--dry-run", "--at", "2026-03-10T10:30", ...extra], {
            selectStack: async () => ({ outputs: async () => Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, secret: false }])) }) as unknown as PulumiStackLike,
            adjustDeps: (deps) => { smoke = deps.smoke; throw new Error("captured"); },
            out: () => undefined,
            err: () => undefined,
            env: {},
        });
        return smoke;
    }

    it("the rollout CLI smoke-tests prod's planned testListenerUrl, from where the flows prove it reachable", async () => {
        const p = await plan("prod");
        const model = networkModel(p.result);
        const candidate = "api-gateway-green";
        const inVpc = await cliSmoke(p.outputs, []);
        assert.ok(inVpc instanceof InVpcSmokeTests);
        assert.equal(inVpc.baseUrl, p.outputs.testListenerUrl);
        assert.equal(inVpc.service, "api-gateway");
        assert.match(inVpc.mode, /^ECS task inside the VPC \(candidate api-gateway, through the NAT gateway\) to https:\/\/alb\.taskmanagement\.example\.com:8443$/);
        // The task runs as the candidate's ECS service (ecs-tasks.ts reads its network configuration).
        for (const pl of evaluate(model, { source: { kind: "ecs", service: candidate }, to: { kind: "url", url: `${inVpc.baseUrl}/health/db` } }).placements) {
            assert.deepEqual(pl.reached.map((r) => r.name), [candidate], pl.hops.map((h) => `${h.step}: ${h.detail}`).join("\n"));
        }
        const direct = await cliSmoke(p.outputs, ["--runner-in-test-cidrs"]);
        assert.ok(direct instanceof DirectSmokeTests);
        assert.equal(direct.baseUrl, p.outputs.testListenerUrl);
        const fromRunner = evaluate(model, { source: { kind: "cidr", cidr: "203.0.113.0/24" }, to: { kind: "url", url: `${direct.baseUrl}/health` } }).placements[0];
        assert.deepEqual(fromRunner.reached.map((r) => r.name), [candidate], fromRunner.hops.map((h) => `${h.step}: ${h.detail}`).join("\n"));
    });
});
