/**
 * VPC policies: default security group, flow logs, interface endpoints, subnets. VPCs are matched as
 * `aws:ec2/vpc:Vpc` and as the awsx component `awsx:ec2:Vpc` (whose `vpcId` output companions depend
 * on); joins go through the companion's `vpcId` property dependency.
 */
import type { PolicyResource } from "@pulumi/policy";
import { dependsOn, list, ofTypes, read, resourcePolicy, stackPolicy, str, UNKNOWN } from "./common";

export const NETWORK_TYPES = {
    vpc: ["aws:ec2/vpc:Vpc", "awsx:ec2:Vpc"],
    defaultSecurityGroup: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    flowLog: "aws:ec2/flowLog:FlowLog",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    subnet: "aws:ec2/subnet:Subnet",
} as const;

function companions(vpc: PolicyResource, all: PolicyResource[], type: string): PolicyResource[] {
    return ofTypes(all, [type]).filter(r => dependsOn(r, "vpcId", vpc));
}

/**
 * EC2.2: a VPC's default security group allows all traffic between its members and all egress until
 * its rules are removed (https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html).
 * The program adopts it with `aws.ec2.DefaultSecurityGroup` and no rules, which removes them.
 */
export const vpcDefaultSecurityGroupClosed = stackPolicy({
    name: "vpc-default-security-group-closed",
    description: "Every VPC's default security group is adopted with no ingress or egress rule.",
    metadata: {
        control: "FSBP EC2.2, CIS v1.4.0 5.3",
        severity: "high",
        area: "network",
        remediation: "Add `new aws.ec2.DefaultSecurityGroup(name, { vpcId })` with no `ingress` or `egress`.",
    },
    validate: (args, report) => {
        for (const vpc of ofTypes(args.resources, NETWORK_TYPES.vpc)) {
            const groups = companions(vpc, args.resources, NETWORK_TYPES.defaultSecurityGroup);
            if (groups.length === 0) {
                report(
                    `VPC "${vpc.name}" leaves its default security group with AWS's default rules: adopt it with an ` +
                    `aws.ec2.DefaultSecurityGroup without rules.`,
                    vpc.urn,
                );
                continue;
            }
            for (const g of groups) {
                const rules = ["ingress", "egress"].filter((k) => {
                    const v = read(g.props, k);
                    return v === UNKNOWN || list(v).length > 0;
                });
                if (rules.length)
                    report(
                        `Default security group "${g.name}" of VPC "${vpc.name}" has ${rules.join(" and ")} rules: remove them (nothing ` +
                        `should use the default group).`,
                        g.urn,
                    );
            }
        }
    },
});

/** EC2.6: every VPC has a flow log (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html). */
export const vpcFlowLogs = stackPolicy({
    name: "vpc-flow-logs",
    description: "Every VPC has a flow log capturing at least rejected traffic.",
    metadata: {
        control: "FSBP EC2.6, CIS v1.4.0 3.9",
        severity: "medium",
        area: "network",
        remediation: 'Add an `aws.ec2.FlowLog` with `vpcId`, `trafficType: "ALL"` and an encrypted log group as destination.',
    },
    validate: (args, report) => {
        for (const vpc of ofTypes(args.resources, NETWORK_TYPES.vpc)) {
            const logs = companions(vpc, args.resources, NETWORK_TYPES.flowLog);
            const ok = logs.some(l => { const t = read(l.props, "trafficType"); return t === "ALL" || t === "REJECT" || t === UNKNOWN; });
            if (!ok) report(`VPC "${vpc.name}" has no flow log of ALL or REJECT traffic: add an aws.ec2.FlowLog for it.`, vpc.urn);
        }
    },
});

/** The interface endpoints EC2.55–EC2.57 ask for, by the last part of their service name. */
export const REQUIRED_INTERFACE_ENDPOINTS: Record<string, string> = {
    "ecr.api": "FSBP EC2.55",
    "ecr.dkr": "FSBP EC2.56",
    ssm: "FSBP EC2.57",
};

export const vpcInterfaceEndpoints = stackPolicy({
    name: "vpc-interface-endpoints",
    description: `Every VPC has interface endpoints for ${Object.keys(REQUIRED_INTERFACE_ENDPOINTS).join(", ")} (image pulls and ` +
        `parameters stay in the VPC).`,
    metadata: {
        control: "FSBP EC2.55, EC2.56, EC2.57",
        severity: "medium",
        area: "network",
        remediation: "Add `aws.ec2.VpcEndpoint`s of type Interface with `serviceName: com.amazonaws.<region>.<service>` for the VPC.",
    },
    validate: (args, report) => {
        for (const vpc of ofTypes(args.resources, NETWORK_TYPES.vpc)) {
            const endpoints = companions(vpc, args.resources, NETWORK_TYPES.vpcEndpoint)
                .filter(e => read(e.props, "vpcEndpointType") === "Interface")
                .map(e => str(read(e.props, "serviceName")) ?? "");
            const missing = Object.keys(REQUIRED_INTERFACE_ENDPOINTS).filter(s => !endpoints.some(e => e.endsWith(`.${s}`)));
            if (missing.length) report(`VPC "${vpc.name}" has no interface endpoint for ${missing.join(", ")}: add them.`, vpc.urn);
        }
    },
});

/**
 * EC2.15 (https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-15). awsx
 * creates the subnets as children of its component: the preview analyses them (the `transforms` of
 * components/network.ts set the flag); the offline plan sees the component only.
 */
export const ec2SubnetNoPublicIpOnLaunch = resourcePolicy({
    name: "ec2-subnet-no-public-ip-on-launch",
    description: "Subnets do not assign a public IPv4 address to interfaces launched in them.",
    metadata: {
        control: "FSBP EC2.15",
        severity: "medium",
        area: "network",
        remediation: "Set `mapPublicIpOnLaunch: false` on the subnet (for awsx subnets: a `transforms` entry on the Vpc).",
    },
    types: [NETWORK_TYPES.subnet],
    validate: (props, _args, report) => {
        if (read(props, "mapPublicIpOnLaunch") === true)
            report("The subnet gives every interface launched in it a public IP: set `mapPublicIpOnLaunch: false`.");
    },
});

export const networkResourcePolicies = [ec2SubnetNoPublicIpOnLaunch];
export const networkStackPolicies = [vpcDefaultSecurityGroupClosed, vpcFlowLogs, vpcInterfaceEndpoints];
