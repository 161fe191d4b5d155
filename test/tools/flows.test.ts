// Level L2 + reachability: the flow table of every stack, evaluated over its plan.
import { strict as assert } from "assert";
import { checkFlows, flowReport, flowsOf, type FlowResult } from "../../tools/reachability/flows";
import { explainFlow, formatFlowTable } from "../../tools/reachability/format";
import { networkModel } from "../../tools/reachability/model";
import { stackConfigOf as config } from "../../tools/network-docs";
import { plan, STACKS } from "../harness";

/** Flows every stack must have, by title; the table cannot pass by being empty. */
const EXPECTED: Record<string, { required: RegExp[]; refused: RegExp[] }> = {
    common: {
        required: [/^services → DocumentDB/, /^services → Redis/, /^services → Secrets Manager/, /^services → SSM/, /^services → ECR API/, /^services → ECR registry/, /^services → CloudWatch Logs/, /^services → S3 bucket .* gateway endpoint/, /^api-gateway → task-service within the blue colour/],
        refused: [/^internet → services' tasks/, /^internet → DocumentDB/, /^internet → Redis/, /^internet → test listener :8443/],
    },
    dev: { required: [/^internet → ALB → api-gateway \(live blue\)/], refused: [] },
    staging: {
        required: [/^internet → ALB → api-gateway/, /^smoke client in 203\.0\.113\.0\/24/, /^smoke task in the VPC/, /^api-gateway → task-service within the green colour/],
        refused: [/^one colour's services → the other colour's services/],
    },
    prod: {
        required: [/^internet → CloudFront → ALB \(origin header\)/, /^Route53 health checks → \/health/, /^smoke client/, /^smoke task in the VPC/, /within the green colour/],
        refused: [/^internet → ALB without the origin header/, /^one colour's services/],
    },
    dr: {
        required: [/^CloudFront \(primary's distribution, after failover\) → ALB \(origin header\)/, /^smoke client/, /^smoke task in the VPC/, /within the green colour/],
        refused: [/^internet → ALB without the origin header/, /^one colour's services/],
    },
};

describe("flow table: required flows reachable, forbidden ones refused, in every stack", function () {
    this.timeout(180_000);
    for (const stack of STACKS) {
        describe(stack, () => {
            let results: FlowResult[];
            before(async () => {
                const primary = stack === "dr" ? (await plan("prod")).result : undefined;
                results = flowReport((await plan(stack)).result, config(stack), primary).results;
            });

            it("holds the flows the system needs and those it must refuse", () => {
                for (const kind of ["required", "refused"] as const) {
                    const titles = results.filter((r) => r.flow.kind === kind).map((r) => r.flow.title);
                    for (const re of [...EXPECTED.common[kind], ...EXPECTED[stack][kind]]) assert.ok(titles.some((t) => re.test(t)), `${kind} flow ${re} missing from ${stack}: ${titles.join(" | ")}`);
                }
            });

            it("reaches every required flow's destination, and only it", () => {
                for (const r of results.filter((x) => x.flow.kind === "required")) if (!r.ok) assert.fail(`${r.flow.id} ${r.flow.title}: ${explainFlow(r)}`);
            });

            it("refuses every forbidden flow, naming the hop that refuses it", () => {
                for (const r of results.filter((x) => x.flow.kind === "refused")) {
                    if (!r.ok) assert.fail(`${r.flow.id} ${r.flow.title}: ${explainFlow(r)}`);
                    assert.ok(r.decidingHop && !r.decidingHop.ok, `${r.flow.title}: no refusing hop`);
                }
            });
        });
    }

    it("explains a flow the plan breaks, hop by hop (prod's in-VPC smoke path without the NAT gateways' rules)", async () => {
        const p = await plan("prod");
        const model = networkModel(p.result);
        const alb = model.securityGroups.find((g) => g.name === "tms-network-alb-sg")!;
        alb.rules = alb.rules.filter((r) => !/-nat-\d$/.test(r.name));
        const broken = checkFlows(model, flowsOf(model, config("prod"), { outputs: p.outputs })).find((r) => r.flow.title.startsWith("smoke task in the VPC"))!;
        assert.equal(broken.ok, false);
        assert.match(broken.verdict, /from api-gateway-green task in tms-network-vpc-private-1 \(us-east-1a\): reached nothing/);
        assert.equal(broken.decidingHop!.step, "ingress");
        assert.match(broken.decidingHop!.detail, /^no ingress rule of tms-network-alb-sg admits tcp\/8443 from the NAT gateway's address (192\.0\.2|198\.51\.100)\.\d+$/);
        const hops = broken.results[0].evaluation.placements[0].hops.map((h) => h.step);
        assert.deepEqual(hops, ["DNS", "DNS", "egress", "route", "ingress"]);
        // The printed table (npm run plan -- --flows) marks it BROKEN and lists its hops.
        const all = checkFlows(model, flowsOf(model, config("prod"), { outputs: p.outputs }));
        const table = formatFlowTable("prod", all);
        assert.match(table, /: 14 required, 6 refused, 1 BROKEN\n/);
        assert.match(table, /\nR4 +reachable +BROKEN +smoke task in the VPC \(as api-gateway-green\)/);
        assert.match(table, /\n +NO ingress: no ingress rule of tms-network-alb-sg admits tcp\/8443 from the NAT gateway's address/);
    });

    it("never puts the origin header's value in a verdict or a hop (it is a secret)", async () => {
        const p = await plan("prod");
        const secret = p.one("aws:cloudfront/distribution:Distribution").inputs.origins.find((o: any) => o.customHeaders?.length).customHeaders[0].value;
        assert.ok(secret.length >= 32);
        const text = JSON.stringify(flowReport(p.result, config("prod")).results.map((r) => [r.verdict, r.results.map((x) => x.evaluation.placements.map((pl) => pl.hops))]));
        assert.ok(!text.includes(secret));
    });
});
