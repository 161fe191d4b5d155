// Level L2 support: the awsx VPC layout the mock engine answers with (pure, no engine).
import { strict as assert } from "assert";
import { awsxSubnetLayout, type AwsxVpcInputs, awsxVpcState, mockEipAddress, shortHash } from "../../tools/fake-aws";
import { contains } from "../../tools/reachability/cidr";

const specs = (...s: [string, number][]) => s.map(([type, cidrMask]) => ({ type: type as "Public", cidrMask }));
const ids = (azs = 3) => ({ hash: shortHash, eipAddress: mockEipAddress, azNames: ["us-east-1a", "us-east-1b", "us-east-1c"].slice(0, azs) });

describe("awsx VPC layout (the mock's model of awsx.ec2.Vpc)", () => {
    it("refuses a public /24 before a private /19 in 3 AZs, as awsx does: the layout overlaps the next AZ", () => {
        const inputs: AwsxVpcInputs = { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 3, subnetStrategy: "Auto", subnetSpecs: specs(["Public", 24], ["Private", 19], ["Isolated", 24]) };
        assert.throws(() => awsxSubnetLayout("v", inputs), /subnets overlap.*v-isolated-1: 10\.0\.64\.0\/24.*v-public-2: 10\.0\.64\.0\/24/);
    });

    it("lays out private /19, public /24, isolated /24 inside each AZ's /18 without overlap", () => {
        const layout = awsxSubnetLayout("v", { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 3, subnetStrategy: "Auto", subnetSpecs: specs(["Private", 19], ["Public", 24], ["Isolated", 24]) });
        assert.deepEqual(layout.map((s) => [s.name, s.cidrBlock]), [
            ["v-private-1", "10.0.0.0/19"], ["v-public-1", "10.0.32.0/24"], ["v-isolated-1", "10.0.33.0/24"],
            ["v-private-2", "10.0.64.0/19"], ["v-public-2", "10.0.96.0/24"], ["v-isolated-2", "10.0.97.0/24"],
            ["v-private-3", "10.0.128.0/19"], ["v-public-3", "10.0.160.0/24"], ["v-isolated-3", "10.0.161.0/24"],
        ]);
        for (const s of layout) assert.ok(contains(`10.0.${s.azIndex * 64}.0/18`, s.cidrBlock), `${s.name} outside its AZ block`);
    });

    it("refuses subnets larger than an AZ's share of the VPC", () => {
        assert.throws(() => awsxSubnetLayout("v", { cidrBlock: "10.0.0.0/20", numberOfAvailabilityZones: 2, subnetStrategy: "Auto", subnetSpecs: specs(["Private", 19]) }), /Subnets are too large/);
    });

    it("routes private subnets to the NAT gateway of their AZ (OnePerAz) or the first one (Single), public ones to the internet gateway", () => {
        for (const strategy of ["OnePerAz", "Single"]) {
            const st = awsxVpcState("v", { cidrBlock: "10.0.0.0/16", numberOfAvailabilityZones: 3, subnetStrategy: "Auto", subnetSpecs: specs(["Private", 19], ["Public", 24], ["Isolated", 24]), natGateways: { strategy } }, ids());
            assert.equal(st.natGateways.length, strategy === "Single" ? 1 : 3);
            const az = (subnetId: string) => st.subnets.find((s) => s.id === subnetId)!.availabilityZone;
            const tableOf = (subnetId: string) => st.routeTableAssociations.find((a) => a.subnetId === subnetId)!.routeTableId;
            for (const id of st.privateSubnetIds) {
                const routes = st.routes.filter((r) => r.routeTableId === tableOf(id));
                assert.equal(routes.length, 1);
                const nat = st.natGateways.find((n) => n.id === routes[0].natGatewayId)!;
                assert.equal(az(nat.subnetId), strategy === "Single" ? "us-east-1a" : az(id));
            }
            for (const id of st.publicSubnetIds) assert.deepEqual(st.routes.filter((r) => r.routeTableId === tableOf(id)).map((r) => r.gatewayId), [st.internetGateway.id]);
            for (const id of st.isolatedSubnetIds) assert.equal(st.routes.filter((r) => r.routeTableId === tableOf(id)).length, 0);
            for (const n of st.natGateways) assert.ok(st.publicSubnetIds.includes(n.subnetId));
        }
    });

    it("uses the Elastic IPs it is given for its NAT gateways, and refuses a count that does not match the strategy", () => {
        const base: AwsxVpcInputs = { cidrBlock: "10.1.0.0/16", numberOfAvailabilityZones: 2, subnetStrategy: "Auto", subnetSpecs: specs(["Private", 19], ["Public", 24]) };
        const st = awsxVpcState("v", { ...base, natGateways: { strategy: "OnePerAz", elasticIpAllocationIds: ["eipalloc-a", "eipalloc-b"] } }, ids(2));
        assert.deepEqual(st.natGateways.map((n) => [n.allocationId, n.publicIp]), [["eipalloc-a", mockEipAddress("eipalloc-a")], ["eipalloc-b", mockEipAddress("eipalloc-b")]]);
        assert.equal(st.eips.length, 0);
        assert.throws(() => awsxVpcState("v", { ...base, natGateways: { strategy: "Single", elasticIpAllocationIds: ["a", "b"] } }, ids(2)), /2 Elastic IP allocation ids for 1 NAT gateway/);
    });
});
