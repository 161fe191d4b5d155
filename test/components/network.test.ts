import { strict as assert } from "assert";
import { flowLogsTrustPolicy, noPublicIpOnLaunch } from "../../components/network";
import { json, plan, Plan, STACKS } from "../harness";
import { contains } from "../../tools/reachability/cidr";

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const SG = "aws:ec2/securityGroup:SecurityGroup";

/** Security-group role (alb, services, …) of the group a rule or reference points at. */
function groupRole(p: Plan, urn: string): string {
    return p.byUrn(urn).name.replace(/^tms-network-/, "").replace(/-sg$/, "");
}

function rules(p: Plan, type: string) {
    return p.ofType(type).map((r) => ({
        group: groupRole(p, r.propertyDependencies.securityGroupId[0]),
        port: r.inputs.fromPort as number,
        toPort: r.inputs.toPort as number,
        cidr: (r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6) as string | undefined,
        peer: r.propertyDependencies.referencedSecurityGroupId ? groupRole(p, r.propertyDependencies.referencedSecurityGroupId[0]) : undefined,
        description: r.inputs.description as string,
    }));
}

describe("network", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            before(async () => { p = await plan(stack); });

            it("builds an awsx VPC with public, private and isolated subnets over the right AZs", () => {
                const vpc = p.one("awsx:ec2:Vpc");
                assert.equal(vpc.inputs.numberOfAvailabilityZones, stack === "dev" ? 2 : 3);
                // Largest first: awsx's "Auto" strategy aligns each spec to its size in the given order.
                assert.deepEqual(vpc.inputs.subnetSpecs.map((s: any) => [s.type, s.cidrMask]), [["Private", 19], ["Public", 24], ["Isolated", 24]]);
                // The mock lays the subnets out as awsx does and refuses overlaps; every subnet sits in the VPC.
                for (const s of vpc.outputs.subnets) assert.ok(contains(vpc.inputs.cidrBlock, s.cidrBlock), s.cidrBlock);
                assert.equal(vpc.inputs.natGateways.strategy, stack === "prod" || stack === "dr" ? "OnePerAz" : "Single");
                assert.equal(vpc.inputs.cidrBlock, stack === "dr" ? "10.1.0.0/16" : "10.0.0.0/16");
                assert.equal(p.outputs.privateSubnetIds.length, stack === "dev" ? 2 : 3);
            });

            it("maps no public IP on launch in any subnet, and protects the VPC's children in protected stacks (transforms on awsx's children)", () => {
                assert.equal(p.one("awsx:ec2:Vpc").options.transforms, stack === "dev" ? 1 : 2);
            });

            it("adopts the VPC's default security group with no rules at all", () => {
                const sg = p.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
                assert.ok(p.dependsOn(sg, "vpcId", p.one("awsx:ec2:Vpc")));
                assert.equal(sg.inputs.ingress, undefined);
                assert.equal(sg.inputs.egress, undefined);
            });

            it("lets only this account's flow logs in this region assume the flow-log role", () => {
                const region = stack === "dr" ? "us-west-2" : "us-east-1";
                const trust = json(p.one("aws:iam/role:Role", "flow-logs-role").inputs.assumeRolePolicy);
                assert.deepEqual(trust, flowLogsTrustPolicy(region, "111122223333"));
            });

            it("sends VPC flow logs to a KMS-encrypted log group", () => {
                const flow = p.one("aws:ec2/flowLog:FlowLog");
                const group = p.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs");
                const logsKey = p.one("aws:kms/key:Key", "-logs");
                assert.equal(flow.inputs.trafficType, "ALL");
                assert.ok(p.dependsOn(flow, "logDestination", group));
                assert.ok(p.dependsOn(group, "kmsKeyId", logsKey));
                assert.ok(group.inputs.retentionInDays > 0);
                const policy = JSON.parse(p.one("aws:iam/rolePolicy:RolePolicy", "flow-logs-policy").inputs.policy);
                assert.deepEqual(policy.Statement[0].Resource, [group.outputs.arn, `${group.outputs.arn}:*`]);
            });

            it("creates interface endpoints for ECR, logs, Secrets Manager and SSM and an S3 gateway endpoint", () => {
                const region = stack === "dr" ? "us-west-2" : "us-east-1";
                const eps = p.ofType("aws:ec2/vpcEndpoint:VpcEndpoint");
                const byService = Object.fromEntries(eps.map((e) => [e.inputs.serviceName, e.inputs.vpcEndpointType]));
                assert.deepEqual(byService, {
                    [`com.amazonaws.${region}.ecr.api`]: "Interface",
                    [`com.amazonaws.${region}.ecr.dkr`]: "Interface",
                    [`com.amazonaws.${region}.logs`]: "Interface",
                    [`com.amazonaws.${region}.secretsmanager`]: "Interface",
                    [`com.amazonaws.${region}.ssm`]: "Interface",
                    [`com.amazonaws.${region}.s3`]: "Gateway",
                });
                for (const e of eps.filter((x) => x.inputs.vpcEndpointType === "Interface")) {
                    assert.equal(e.inputs.privateDnsEnabled, true);
                    assert.deepEqual(e.inputs.subnetIds, p.outputs.privateSubnetIds);
                }
                // The S3 route goes into every route table awsx created, so every subnet reaches S3 through it.
                const vpc = p.one("awsx:ec2:Vpc");
                const gateway = eps.find((e) => e.inputs.vpcEndpointType === "Gateway")!;
                assert.deepEqual([...gateway.inputs.routeTableIds].sort(), vpc.outputs.routeTables.map((t: any) => t.id).sort());
                assert.equal(vpc.outputs.routeTables.length, vpc.outputs.subnets.length);
            });

            it("lets only the load balancer be reached from the internet, on 80 and 443", () => {
                const open = rules(p, INGRESS).filter((r) => r.cidr === "0.0.0.0/0" || r.cidr === "::/0");
                assert.ok(open.length > 0);
                for (const r of open) {
                    assert.equal(r.group, "alb", `internet ingress on ${r.group}`);
                    assert.ok([80, 443].includes(r.port) && r.port === r.toPort, `internet ingress on port ${r.port}`);
                }
                assert.deepEqual(new Set(open.map((r) => r.port)), new Set([80, 443]));
            });

            it("opens the test listener to the configured CIDRs and, where smoke tests run in the VPC, to its NAT gateways' Elastic IPs only", () => {
                const test = rules(p, INGRESS).filter((r) => r.port === 8443);
                const eips = p.ofType("aws:ec2/eip:Eip").map((e) => `${e.outputs.publicIp}/32`);
                assert.equal(eips.length, stack === "prod" || stack === "dr" ? 3 : 1, "one Elastic IP per NAT gateway");
                const expected = [["alb", "203.0.113.0/24"], ...(stack === "dev" ? [] : eips.map((e) => ["alb", e]))];
                assert.deepEqual(test.map((r) => [r.group, r.cidr]).sort(), expected.sort());
                // The VPC's own CIDR never reaches an internet-facing ALB: in-VPC clients arrive from the NAT's address.
                assert.ok(!test.some((r) => r.cidr === p.one("awsx:ec2:Vpc").inputs.cidrBlock));
                // awsx uses exactly these Elastic IPs for its NAT gateways.
                const vpc = p.one("awsx:ec2:Vpc");
                assert.deepEqual(vpc.inputs.natGateways.elasticIpAllocationIds, p.ofType("aws:ec2/eip:Eip").map((e) => e.outputs.allocationId));
                assert.deepEqual(vpc.outputs.natGateways.map((n: any) => `${n.publicIp}/32`), eips);
                assert.deepEqual(p.outputs.natPublicIps, eips.map((e) => e.replace("/32", "")));
            });

            it("gives each colour its own services group, reaching only its own colour, the ALB, the data tier and the endpoints", () => {
                const colours = stack === "dev" ? ["blue"] : ["blue", "green"];
                const groups = colours.map((c) => `services-${c}`);
                const ing = rules(p, INGRESS).filter((r) => r.peer);
                const eg = rules(p, EGRESS);
                assert.deepEqual(ing.filter((r) => r.group === "database").map((r) => [r.port, r.peer]), groups.map((g) => [27017, g]));
                assert.deepEqual(ing.filter((r) => r.group === "cache").map((r) => [r.port, r.peer]), groups.map((g) => [6379, g]));
                assert.deepEqual(ing.filter((r) => r.group === "endpoints").map((r) => [r.port, r.peer]), groups.map((g) => [443, g]));
                assert.deepEqual(eg.filter((r) => r.group === "alb").map((r) => [r.port, r.peer]), groups.map((g) => [5000, g]));
                for (const g of groups) {
                    assert.deepEqual(ing.filter((r) => r.group === g).map((r) => [r.port, r.peer]).sort(), [[5000, "alb"], [5001, g]].sort(), g);
                    // Calls stay within the colour: a services group names no other services group.
                    for (const r of [...ing, ...eg].filter((x) => x.group === g && x.peer?.startsWith("services-"))) assert.equal(r.peer, g);
                    const open = eg.filter((r) => r.group === g && r.cidr).map((r) => [r.port, r.cidr]);
                    assert.deepEqual(open.sort(), [[443, "0.0.0.0/0"], ...(stack === "dev" ? [] : [[8443, "0.0.0.0/0"]])].sort(), `${g} egress to addresses`);
                }
                assert.equal(eg.filter((r) => r.group === "database" || r.group === "cache").length, 0);
                for (const r of [...rules(p, INGRESS), ...eg]) assert.ok(r.description.length > 0);
                assert.equal(p.ofType(SG).length, 4 + colours.length);
                for (const g of p.ofType(SG)) {
                    assert.equal(g.inputs.ingress, undefined, "inline rules would fight the rule resources");
                    assert.ok(g.inputs.description);
                }
                // Each colour's ECS services run in their colour's group.
                for (const svc of p.ofType("aws:ecs/service:Service")) {
                    const sg = p.ofType(SG).find((x) => p.dependsOn(svc, "networkConfiguration", x))!;
                    assert.equal(groupRole(p, sg.urn), `services-${svc.inputs.tags.Colour}`, svc.name);
                }
            });
        });
    }

    it("turns mapPublicIpOnLaunch off on subnets and leaves every other resource alone", () => {
        const opts = { parent: undefined } as any;
        const subnet = noPublicIpOnLaunch({ type: "aws:ec2/subnet:Subnet", name: "public-1", props: { cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }, opts } as any);
        assert.deepEqual(subnet, { props: { cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false }, opts });
        assert.equal(noPublicIpOnLaunch({ type: "aws:ec2/vpc:Vpc", name: "vpc", props: { mapPublicIpOnLaunch: true }, opts } as any), undefined);
    });
});
