// Level L2 + reachability: the pre-traffic smoke tests reach the candidate colour, followed packet by
// packet through the planned resources (tools/reachability) from where the rollout CLI runs them.
import { strict as assert } from "assert";
import { loadStackConfig } from "../../components/config";
import { flowReport, type FlowResult } from "../../tools/reachability/flows";
import { readStackFile, stackFilePath } from "../../tools/stack-file";
import { plan } from "../harness";

/** The stacks whose rollouts smoke-test the candidate (blue-green and canary). */
const SMOKE_STACKS = ["staging", "prod", "dr"] as const;

function explain(r: FlowResult): string {
    const failed = r.results.find((x) => !x.ok)!;
    const placement = failed.evaluation.placements.find((p) => failed.problem!.includes(p.label))!;
    return `${r.flow.title}: ${r.verdict}\n${placement.hops.map((h) => `  ${h.ok ? "ok " : "NO "} ${h.step}: ${h.detail}`).join("\n")}`;
}

describe("smoke path: the smoke tests reach the candidate before any traffic moves", function () {
    this.timeout(180_000);
    for (const stack of SMOKE_STACKS) {
        describe(stack, () => {
            let results: FlowResult[];
            before(async () => {
                const file = readStackFile(stackFilePath(stack));
                const cfg = loadStackConfig(file.config, `Pulumi.${stack}.yaml`, stack);
                const p = await plan(stack);
                const primary = stack === "dr" ? (await plan("prod")).result : undefined;
                results = flowReport(p.result, cfg, primary).results.filter((r) => r.flow.title.startsWith("smoke "));
                // One flow per CI range in tms:traffic.testListenerCidrs, plus the in-VPC task.
                assert.equal(results.length, cfg.traffic.testListenerCidrs.length + 1);
            });

            it("from a runner in tms:traffic.testListenerCidrs, straight at testListenerUrl, reaching only the candidate", () => {
                for (const r of results.filter((x) => x.flow.title.startsWith("smoke client"))) if (!r.ok) assert.fail(explain(r));
            });

            it("from a one-off task inside the VPC started like the candidate service, reaching only the candidate", () => {
                const inVpc = results.find((x) => x.flow.title.startsWith("smoke task in the VPC"))!;
                if (!inVpc.ok) assert.fail(explain(inVpc));
                // Every subnet the task may start in (one per AZ) gets through, each through its NAT gateway.
                for (const request of inVpc.results) assert.ok(request.evaluation.placements.length >= 3);
            });
        });
    }
});
