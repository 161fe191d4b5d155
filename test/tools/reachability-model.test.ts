// Level L2 support: reading the network out of a plan record (tools/reachability/model.ts).
import { strict as assert } from "assert";
import { endpointDnsNames, networkModel } from "../../tools/reachability/model";
import type { PlanRecord, RecordedResource } from "../../tools/record";
import { plan } from "../harness";

let n = 0;
const res = (type: string, name: string, inputs: Record<string, any>, outputs: Record<string, any> = {}, id?: string): RecordedResource =>
    ({ urn: `urn:${++n}`, id, type, name, custom: true, inputs, outputs: { ...inputs, ...outputs }, options: {}, propertyDependencies: {} });

describe("network model read from a plan", function () {
    this.timeout(120_000);

    it("reads a VPC made of plain aws:ec2 resources as it reads awsx's (routes inline and separate, NAT address from its EIP)", () => {
        const record: PlanRecord = {
            stack: "raw", project: "p", outputs: { region: "us-east-1" },
            resources: [
                res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.9.0.0/16" }, {}, "vpc-9"),
                res("aws:ec2/internetGateway:InternetGateway", "igw", { vpcId: "vpc-9" }, {}, "igw-9"),
                res("aws:ec2/subnet:Subnet", "pub", { vpcId: "vpc-9", cidrBlock: "10.9.0.0/24", availabilityZone: "us-east-1a" }, {}, "subnet-pub"),
                res("aws:ec2/subnet:Subnet", "prv", { vpcId: "vpc-9", cidrBlock: "10.9.1.0/24", availabilityZone: "us-east-1a" }, {}, "subnet-prv"),
                res("aws:ec2/routeTable:RouteTable", "rt-pub", { vpcId: "vpc-9", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-9" }] }, {}, "rtb-pub"),
                res("aws:ec2/routeTable:RouteTable", "rt-prv", { vpcId: "vpc-9" }, {}, "rtb-prv"),
                res("aws:ec2/route:Route", "to-nat", { routeTableId: "rtb-prv", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-9" }, {}, "r-1"),
                res("aws:ec2/routeTableAssociation:RouteTableAssociation", "a-pub", { routeTableId: "rtb-pub", subnetId: "subnet-pub" }, {}, "a-1"),
                res("aws:ec2/routeTableAssociation:RouteTableAssociation", "a-prv", { routeTableId: "rtb-prv", subnetId: "subnet-prv" }, {}, "a-2"),
                res("aws:ec2/eip:Eip", "eip", { domain: "vpc" }, { allocationId: "eipalloc-9", publicIp: "192.0.2.99" }, "eipalloc-9"),
                res("aws:ec2/natGateway:NatGateway", "nat", { subnetId: "subnet-pub", allocationId: "eipalloc-9" }, {}, "nat-9"),
            ],
        };
        const m = networkModel(record);
        assert.equal(m.vpc.cidr, "10.9.0.0/16");
        assert.deepEqual(m.vpc.subnets.map((s) => [s.id, s.routeTableId]), [["subnet-pub", "rtb-pub"], ["subnet-prv", "rtb-prv"]]);
        assert.deepEqual(m.vpc.routeTables.find((t) => t.id === "rtb-pub")!.routes, [{ destination: "0.0.0.0/0", target: { kind: "igw", id: "igw-9" } }]);
        assert.deepEqual(m.vpc.routeTables.find((t) => t.id === "rtb-prv")!.routes, [{ destination: "0.0.0.0/0", target: { kind: "nat", id: "nat-9" } }]);
        assert.deepEqual(m.vpc.natGateways, [{ id: "nat-9", subnetId: "subnet-pub", publicIp: "192.0.2.99" }]);
    });

    it("refuses a plan with no VPC, naming what it looked for", () => {
        assert.throws(() => networkModel({ stack: "x", project: "p", outputs: {}, resources: [] }), /expected exactly one VPC in the plan, found 0 awsx:ec2:Vpc and 0 aws:ec2\/vpc:Vpc/);
    });

    it("names the private DNS of the endpoints the services use (ECR's API and registry names differ from the service name)", () => {
        assert.deepEqual(endpointDnsNames("com.amazonaws.us-west-2.ecr.api"), ["api.ecr.us-west-2.amazonaws.com"]);
        assert.deepEqual(endpointDnsNames("com.amazonaws.us-west-2.ecr.dkr"), ["dkr.ecr.us-west-2.amazonaws.com", "*.dkr.ecr.us-west-2.amazonaws.com"]);
        assert.deepEqual(endpointDnsNames("com.amazonaws.us-east-1.secretsmanager"), ["secretsmanager.us-east-1.amazonaws.com"]);
    });

    it("reads prod's plan: the S3 gateway endpoint is a route in every route table, each listener knows its certificate's names", async () => {
        const m = networkModel((await plan("prod")).result);
        assert.equal(m.vpc.subnets.length, 9);
        for (const t of m.vpc.routeTables) assert.ok(t.routes.some((r) => r.destination === "service:com.amazonaws.us-east-1.s3" && r.target.kind === "vpce"), t.id);
        for (const s of m.vpc.subnets) assert.ok(m.vpc.routeTables.some((t) => t.id === s.routeTableId), s.name);
        const https = m.loadBalancers[0].listeners.find((l) => l.port === 443)!;
        assert.ok(https.certificateNames.includes("origin.taskmanagement.example.com"));
        assert.deepEqual(https.rules.map((r) => r.priority), [...https.rules.map((r) => r.priority)].sort((a, b) => a - b));
        assert.equal(m.ecsServices.length, 4);
        for (const s of m.ecsServices) assert.ok(s.discoveryNames[0].endsWith(".service.local") && s.containerPorts.length === 1 && s.environment.REDIS_HOST, s.name);
    });
});
