// Level L2 + reachability: docs/network.md is generated from the plans, and a test fails when it is stale.
import { strict as assert } from "assert";
import * as fs from "fs";
import { DOC_PATH, DOC_STACKS, MARKER, renderDocument, stackConfigOf, type StackPlan } from "../../tools/network-docs";
import { plan } from "../harness";

describe("docs/network.md (the network picture and flow table of prod)", function () {
    this.timeout(180_000);
    let plans: StackPlan[];
    before(async () => {
        plans = [];
        for (const stack of DOC_STACKS) plans.push({ stack, record: (await plan(stack)).result, config: stackConfigOf(stack) });
    });

    it("is up to date with the plans (run `npm run docs:network`)", () => {
        const current = fs.readFileSync(DOC_PATH, "utf8");
        assert.ok(current.includes(MARKER));
        assert.ok(renderDocument(current, plans) === current, "docs/network.md is stale: run `npm run docs:network`");
    });

    it("draws the picture and the table from the same evaluation: every flow of the table, every hop drawn", () => {
        const current = fs.readFileSync(DOC_PATH, "utf8");
        const generated = current.slice(current.indexOf(MARKER));
        const rows = generated.split("\n").filter((l) => /^\| [RF]\d+ \|/.test(l));
        assert.equal(rows.length, 20);
        const refusedRows = rows.filter((r) => r.startsWith("| F"));
        for (const r of refusedRows) assert.match(r, /\| refused \| refused \| (address|ingress|egress|rule|route|DNS|TLS|CloudFront|port): /);
        const mermaid = generated.slice(generated.indexOf("```mermaid"), generated.indexOf("```", generated.indexOf("```mermaid") + 3));
        for (const edge of ["internet --> cloudfront", "cloudfront --> alb_443", "r53 --> alb_443", "ecs_api_gateway_green --> nat", "nat --> alb_8443", "alb_8443 --> ecs_api_gateway_green", "s3gw --> aws_com_amazonaws_us_east_1_s3"]) {
            assert.ok(mermaid.includes(`  ${edge}\n`), `missing edge ${edge}`);
        }
        // No cross-colour arrow among the solid ones; the dotted ✗ arrow shows the refusal.
        assert.ok(!/ecs_\w+_blue --> ecs_\w+_green|ecs_\w+_green --> ecs_\w+_blue/.test(mermaid));
        assert.match(mermaid, /ecs_task_service_blue -\.->\|"✗ F6"\| ecs_task_service_green/);
        for (const stack of DOC_STACKS) assert.match(generated, new RegExp(`- \\*\\*${stack}\\*\\*: \\d+ required flows, \\d+ refused flows, all as expected\\.`));
    });

    it("notices an edit below the marker", () => {
        const current = fs.readFileSync(DOC_PATH, "utf8");
        const edited = current.replace("| reachable | reachable |", "| reachable | refused |");
        assert.notEqual(edited, current);
        assert.notEqual(renderDocument(edited, plans), edited);
        assert.equal(renderDocument(edited, plans), current);
    });
});
