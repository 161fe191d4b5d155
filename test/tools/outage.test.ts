/**
 * L4: the sandbox's regional outage as the fake provider plugins apply it (tools/fake-aws/outage.ts): which
 * calls a region that does not answer refuses (the provider's own region, and us-east-1 for the control
 * planes of Route 53, IAM and CloudFront from any region), and the SSM lookups answered from the world folder.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as provider from "@pulumi/pulumi/provider";
import { controlPlaneRegion, OUTAGE_FILE, SSM_FILE, urnType, withSandboxWorld } from "../../tools/fake-aws";

describe("sandbox outage hook (L4)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-outage-"));
    const calls: string[] = [];
    const inner: provider.Provider = {
        version: "7.0.0",
        create: async (urn) => (calls.push(`create ${urnType(urn)}`), { id: "x", outs: {} }),
        read: async (id, urn) => (calls.push(`read ${urnType(urn)}`), { id, props: {} }),
        update: async (_id, urn) => (calls.push(`update ${urnType(urn)}`), { outs: {} }),
        delete: async (_id, urn) => void calls.push(`delete ${urnType(urn)}`),
        invoke: async (token) => (calls.push(`invoke ${token}`), { outputs: {} }),
    };
    const urn = (type: string) => `urn:pulumi:dr::tms::tms:index:EnvironmentStack$tms:dns:RegionalFailover$${type}::tms-failover-record`;

    before(() => {
        fs.writeFileSync(path.join(dir, OUTAGE_FILE), JSON.stringify({ unreachable: ["us-east-1"] }));
        fs.writeFileSync(path.join(dir, SSM_FILE), JSON.stringify({ "us-west-2": { "/production/dr-runbook/mode": "active", "/production/other": "x" } }));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("global services' control planes are in us-east-1, whatever the provider's region", () => {
        assert.equal(controlPlaneRegion("aws:route53/record:Record", "us-west-2"), "us-east-1");
        assert.equal(controlPlaneRegion("aws:route53/getZone:getZone", "us-west-2"), "us-east-1");
        assert.equal(controlPlaneRegion("aws:iam/role:Role", "us-west-2"), "us-east-1");
        assert.equal(controlPlaneRegion("aws:cloudfront/distribution:Distribution", "us-west-2"), "us-east-1");
        assert.equal(controlPlaneRegion("aws:ecs/service:Service", "us-west-2"), "us-west-2");
        assert.equal(urnType(urn("aws:route53/record:Record")), "aws:route53/record:Record");
    });

    it("refuses every call in an unreachable region and Route 53 from us-west-2; regional calls in us-west-2 pass", async () => {
        const west = withSandboxWorld(inner, () => "us-west-2", dir);
        const east = withSandboxWorld(inner, () => "us-east-1", dir);
        await west.create!(urn("aws:ecs/service:Service"), {});
        await west.update!("id", urn("aws:ecs/service:Service"), {}, {});
        await assert.rejects(west.create!(urn("aws:route53/record:Record"), {}), /create aws:route53\/record:Record: dial tcp: i\/o timeout \(us-east-1 is unreachable/);
        await assert.rejects(west.invoke!("aws:route53/getZone:getZone", {}), /us-east-1 is unreachable/);
        await assert.rejects(west.read!("id", urn("aws:iam/role:Role"), {}), /us-east-1 is unreachable/);
        await assert.rejects(east.delete!("id", urn("aws:ecs/service:Service"), {}), /us-east-1 is unreachable/);
        assert.deepEqual(calls, ["create aws:ecs/service:Service", "update aws:ecs/service:Service"], "a refused call never reaches the provider");
    });

    it("answers dr's mode lookup from the world folder (what the runbook wrote), by path", async () => {
        const west = withSandboxWorld(inner, () => "us-west-2", dir);
        const r = await west.invoke!("aws:ssm/getParametersByPath:getParametersByPath", { path: "/production/dr-runbook" });
        assert.deepEqual([r.outputs.names, r.outputs.values], [["/production/dr-runbook/mode"], ["active"]]);
        assert.equal(withSandboxWorld(inner, () => "us-west-2", undefined), inner, "inert without a world folder");
    });
});
