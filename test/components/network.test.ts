import { strict as assert } from "assert";
import { flowLogsTrustPolicy, noPublicIpOnLaunch } from "../../components/network";
import { json, plan, Plan, STACKS } from "../harness";

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
                assert.deepEqual(vpc.inputs.subnetSpecs.map((s: any) => s.type), ["Public", "Private", "Isolated"]);
                assert.equal(vpc.inputs.natGateways.strategy, stack === "prod" || stack === "dr" ? "OnePerAz" : "Single");
                assert.equal(vpc.inputs.cidrBlock, stack === "dr" ? "10.1.0.0/16" : "10.0.0.0/16");
                assert.equal(p.outputs.privateSubnetIds.length, stack === "dev" ? 2 : 3);
            });

            it("maps no public IP on launch in any subnet (a transform on the awsx VPC's children)", () => {
                assert.equal(p.one("awsx:ec2:Vpc").options.transforms, 1);
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
                assert.ok(eps.find((e) => e.inputs.vpcEndpointType === "Gateway")!.inputs.routeTableIds.length > 0);
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

            it("opens the test listener only to the VPC and the configured CIDRs", () => {
                const test = rules(p, INGRESS).filter((r) => r.port === 8443);
                assert.deepEqual(test.map((r) => [r.group, r.cidr]).sort(), [
                    ["alb", stack === "dr" ? "10.1.0.0/16" : "10.0.0.0/16"],
                    ["alb", "203.0.113.0/24"],
                ].sort());
            });

            it("allows only the flows the system needs between tiers", () => {
                const ing = rules(p, INGRESS).filter((r) => r.peer);
                assert.deepEqual(ing.filter((r) => r.group === "database").map((r) => [r.port, r.peer]), [[27017, "services"]]);
                assert.deepEqual(ing.filter((r) => r.group === "cache").map((r) => [r.port, r.peer]), [[6379, "services"]]);
                assert.deepEqual(ing.filter((r) => r.group === "services" && r.peer === "alb").map((r) => r.port), [5000]);
                assert.deepEqual(ing.filter((r) => r.group === "endpoints").map((r) => [r.port, r.peer]), [[443, "services"]]);
                const eg = rules(p, EGRESS);
                assert.deepEqual(eg.filter((r) => r.group === "alb").map((r) => [r.port, r.peer]), [[5000, "services"]]);
                assert.equal(eg.filter((r) => r.group === "database" || r.group === "cache").length, 0);
                for (const r of [...rules(p, INGRESS), ...eg]) assert.ok(r.description.length > 0);
                assert.equal(p.ofType(SG).length, 5);
                for (const g of p.ofType(SG)) {
                    assert.equal(g.inputs.ingress, undefined, "inline rules would fight the rule resources");
                    assert.ok(g.inputs.description);
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
