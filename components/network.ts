import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../config/vocabulary";
import { serviceTags } from "../config/naming";
import { protectRemoteChildren } from "./protection";

/** Interface endpoints the services need so image pulls, logs, secrets and parameters stay in the VPC. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"] as const;
export const MONGO_PORT = 27017;
export const REDIS_PORT = 6379;
const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

export interface NetworkArgs {
    /** Short environment id: the VPC's and groups' names. */
    environment: string;
    /** This stack's region (the VPC endpoints' service names). */
    region: string;
    /** The VPC's CIDR block (plain: awsx divides it into the subnets). */
    cidrBlock: string;
    /** Availability zones (plain: one subnet of each tier per zone). */
    availabilityZones: number;
    /** One NAT gateway for the VPC, or one per zone (plain: how many gateways exist). */
    natGateways: "single" | "one-per-az";
    /** Retention of the flow-log group, in days. */
    flowLogRetentionDays: number;
    /** KMS key that encrypts the flow-log group. */
    logsKeyArn: pulumi.Input<string>;
    /** The account, for the flow-log role's confused-deputy condition. */
    accountId: pulumi.Input<string>;
    /** Container ports of every service (service → port); public ones are reachable from the ALB. */
    servicePorts: Record<string, number>;
    /** Services the ALB forwards to. */
    publicServices: string[];
    /** Services another service calls (within its colour). */
    calledServices: string[];
    /** Deployment colours; each gets its own services security group, so colours cannot call each other. */
    colours: Colour[];
    /** Test listener: reachable only from these CIDRs (and, with `smokeTestsFromVpc`, the NAT gateways). */
    testListenerPort: number;
    /** The CIDRs the test listener admits. */
    testListenerCidrs: string[];
    /**
     * The rollout's smoke tests may run as a task inside the VPC: it reaches the internet-facing ALB
     * through a NAT gateway, so the test listener admits the NAT gateways' addresses and the services
     * may open connections to the test listener's port.
     */
    smokeTestsFromVpc: boolean;
    /**
     * The stack's workload boundary, carried by the flow-logs role.
     * @default no permissions boundary
     */
    permissionsBoundaryArn?: pulumi.Input<string>;
    /**
     * Protect the VPC's own resources (awsx creates them in its provider: only `transforms` reach them).
     * @default false
     */
    protect?: boolean;
}

/** Security-group roles: one services group per colour (`services-blue`, `services-green`). */
export type SecurityGroupRole = "alb" | "database" | "cache" | "endpoints" | `services-${Colour}`;
export const servicesRole = (colour: Colour): SecurityGroupRole => `services-${colour}`;

/** One security-group rule as plain data, so the rule set can be tested without the engine. */
export interface SgRule {
    group: SecurityGroupRole;
    direction: "ingress" | "egress";
    port: number;
    description: string;
    /** Exactly one of cidr / peer / nat (the Elastic IP of NAT gateway `nat`, counted from 0). */
    cidr?: string;
    peer?: SecurityGroupRole;
    nat?: number;
}

/** NAT gateways awsx creates for a strategy: one, or one per AZ. */
export const natGatewayCount = (
    a: Pick<NetworkArgs,
    "natGateways" | "availabilityZones">
) => (a.natGateways === "single" ? 1 : a.availabilityZones);

/**
 * The only flows the system needs. The internet reaches the ALB on 80 and 443 and nothing else; the
 * test listener admits the configured CIDRs and, for in-VPC smoke tests, the NAT gateways' Elastic IPs
 * (a task reaching the internet-facing ALB arrives from its NAT gateway's address, never from the
 * VPC's CIDR: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html). Each colour's
 * services reach the called services' ports within their own colour only, the data tier and the
 * endpoints. tools/reachability proves these rules give every required flow and refuse the rest.
 */
export function securityGroupRules(
    a: Pick<NetworkArgs,
    "servicePorts" | "publicServices" | "calledServices" | "colours" | "testListenerPort" | "testListenerCidrs" | "smokeTestsFromVpc"
    | "natGateways" | "availabilityZones">
): SgRule[] {
    const rules: SgRule[] = [];
    for (const cidr of [ANYWHERE_V4, ANYWHERE_V6]) {
        rules.push({ group: "alb", direction: "ingress", port: 443, cidr, description: "HTTPS from the internet" });
        rules.push({ group: "alb", direction: "ingress", port: 80, cidr, description: "HTTP from the internet (redirected to HTTPS)" });
    }
    for (const cidr of a.testListenerCidrs) {
        rules.push(
            {
                group: "alb",
                direction: "ingress",
                port: a.testListenerPort,
                cidr,
                description: "Test listener (candidate colour) from trusted networks",
            }
        );
    }
    if (a.smokeTestsFromVpc) {
        for (let nat = 0; nat < natGatewayCount(a); nat++) {
            rules.push(
                {
                    group: "alb",
                    direction: "ingress",
                    port: a.testListenerPort,
                    nat,
                    description: `Test listener from NAT gateway ${nat + 1} (smoke tests run inside the VPC)`,
                }
            );
        }
    }
    for (const colour of a.colours) {
        const group = servicesRole(colour);
        for (const [svc, port] of Object.entries(a.servicePorts)) {
            if (a.publicServices.includes(svc)) {
                rules.push({ group: "alb", direction: "egress", port, peer: group, description: `ALB to ${svc} (${colour})` });
                rules.push({ group, direction: "ingress", port, peer: "alb", description: `${svc} from the ALB` });
            }
            if (a.calledServices.includes(svc)) {
                rules.push({ group, direction: "ingress", port, peer: group, description: `${svc} from ${colour} services` });
                rules.push({ group, direction: "egress", port, peer: group, description: `Calls to ${svc} (${colour})` });
            }
        }
        rules.push({ group, direction: "egress", port: MONGO_PORT, peer: "database", description: "DocumentDB" });
        rules.push({ group, direction: "egress", port: REDIS_PORT, peer: "cache", description: "Redis" });
        rules.push({ group, direction: "egress", port: 443, peer: "endpoints", description: "AWS APIs through interface endpoints" });
        rules.push(
            {
                group,
                direction: "egress",
                port: 443,
                cidr: ANYWHERE_V4,
                description: "HTTPS egress (S3 gateway endpoint, external APIs through NAT)",
            }
        );
        if (a.smokeTestsFromVpc) {
            // The ALB's public addresses are not fixed, hence anywhere; the ALB admits only its own NAT gateways.
            rules.push(
                {
                    group,
                    direction: "egress",
                    port: a.testListenerPort,
                    cidr: ANYWHERE_V4,
                    description: "In-VPC smoke tests to the test listener (through NAT)",
                }
            );
        }
        rules.push(
            { group: "database", direction: "ingress", port: MONGO_PORT, peer: group, description: `DocumentDB from ${colour} services` }
        );
        rules.push({ group: "cache", direction: "ingress", port: REDIS_PORT, peer: group, description: `Redis from ${colour} services` });
        rules.push(
            { group: "endpoints", direction: "ingress", port: 443, peer: group, description: `Interface endpoints from ${colour} services` }
        );
    }
    return rules;
}

/**
 * FSBP EC2.15 ("Amazon EC2 subnets should not automatically assign public IP addresses",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-15): awsx makes its
 * public subnets map a public IPv4 address to every interface launched in them. Nothing here needs one
 * (the ALB and the NAT gateways get theirs from AWS and from Elastic IPs), so every subnet of the VPC
 * is registered with `mapPublicIpOnLaunch: false`. awsx is a packaged component: only the `transforms`
 * option reaches its children (https://www.pulumi.com/docs/iac/concepts/resources/options/transforms/).
 */
export const noPublicIpOnLaunch: pulumi.ResourceTransform = (args) =>
    args.type === "aws:ec2/subnet:Subnet"
        ? { props: { ...args.props, mapPublicIpOnLaunch: false }, opts: args.opts }
        : undefined;

/** Trust of the flow-log role: VPC Flow Logs, for this account's flow logs in this region only. */
export function flowLogsTrustPolicy(region: string, accountId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": `arn:aws:ec2:${region}:${accountId}:vpc-flow-log/*` },
            },
        }],
    };
}

/** A name-safe form of a CIDR: 0.0.0.0/0 → anywhere-v4, 10.0.0.0/16 → 10-0-0-0-16. */
function cidrSlug(cidr: string): string {
    if (cidr === ANYWHERE_V4) return "anywhere-v4";
    if (cidr === ANYWHERE_V6) return "anywhere-v6";
    return cidr.replace(/[^0-9a-f]+/gi, "-");
}

/**
 * The VPC (public, private and isolated subnets through awsx), flow logs to an encrypted log group,
 * VPC endpoints and the security groups of every tier.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly isolatedSubnetIds: pulumi.Output<string[]>;
    readonly securityGroupIds: Record<SecurityGroupRole, pulumi.Output<string>>;
    /** The services security group of each colour. */
    readonly servicesSecurityGroupIds: Partial<Record<Colour, pulumi.Output<string>>> = {};
    /** The NAT gateways' Elastic IPs: what the VPC's outbound traffic comes from. */
    readonly natPublicIps: pulumi.Output<string>[];
    readonly cidrBlock: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:network:Network", name, {}, opts);
        this.cidrBlock = args.cidrBlock;

        // The NAT gateways' addresses are ours (not awsx's) so the test listener's rules can name them.
        const natEips = Array.from({ length: natGatewayCount(args) }, (_, i) => new aws.ec2.Eip(`${name}-nat-${i + 1}`, {
            domain: "vpc",
            tags: serviceTags("network", { Name: `tms-${args.environment}-nat-${i + 1}` }),
        }, { parent: this }));
        this.natPublicIps = natEips.map((e) => e.publicIp);

        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidrBlock,
            numberOfAvailabilityZones: args.availabilityZones,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            natGateways: {
                strategy: args.natGateways === "one-per-az" ? awsx.ec2.NatGatewayStrategy.OnePerAz : awsx.ec2.NatGatewayStrategy.Single,
                elasticIpAllocationIds: natEips.map((e) => e.allocationId),
            },
            // "Auto" lays the specs out in this order inside each AZ's block, each aligned to its own
            // size: the /19 goes first, or a /24 before it pushes it (and the next /24) past the AZ's
            // block into the next AZ's (see tools/fake-aws/awsx-vpc.ts).
            subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
            subnetSpecs: [
                { type: awsx.ec2.SubnetType.Private, cidrMask: 19 },
                { type: awsx.ec2.SubnetType.Public, cidrMask: 24 },
                { type: awsx.ec2.SubnetType.Isolated, cidrMask: 24 },
            ],
            tags: { ...serviceTags("network"), Name: `tms-${args.environment}` },
        }, { parent: this, transforms: args.protect ? [noPublicIpOnLaunch, protectRemoteChildren] : [noPublicIpOnLaunch] });
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;

        this.flowLogs(name, args);

        // FSBP EC2.2 ("VPC default security groups should not allow inbound or outbound traffic",
        // https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2): adopting the
        // default group with no rules makes the provider remove AWS's default allow rules
        // (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/defaultsecuritygroup/). Nothing uses it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, {
            vpcId: this.vpcId,
            tags: serviceTags("network", { Name: `tms-${args.environment}-default-unused` }),
        }, { parent: this });

        const roles: SecurityGroupRole[] = ["alb", ...args.colours.map(servicesRole), "database", "cache", "endpoints"];
        const groups = {} as Record<SecurityGroupRole, aws.ec2.SecurityGroup>;
        for (const role of roles) {
            groups[role] = new aws.ec2.SecurityGroup(`${name}-${role}-sg`, {
                vpcId: this.vpcId,
                description: `tms ${args.environment} ${role}`,
                // No inline rules: the provider removes AWS's allow-all egress default and the
                // rules below are separate resources, so a group allows only what is listed.
                tags: serviceTags("network", { Name: `tms-${args.environment}-${role}` }),
            }, { parent: this });
        }
        this.securityGroupIds = Object.fromEntries(roles.map((r) => [r, groups[r].id])) as Record<SecurityGroupRole, pulumi.Output<string>>;
        for (const colour of args.colours) this.servicesSecurityGroupIds[colour] = groups[servicesRole(colour)].id;

        const rules = securityGroupRules(args);
        rules.forEach((r) => {
            const common = {
                securityGroupId: groups[r.group].id,
                ipProtocol: "tcp",
                fromPort: r.port,
                toPort: r.port,
                description: r.description,
                tags: serviceTags("network"),
                ...(r.nat !== undefined ? { cidrIpv4: pulumi.interpolate`${natEips[r.nat].publicIp}/32` }
                    : r.cidr ? (r.cidr.includes(":") ? { cidrIpv6: r.cidr } : { cidrIpv4: r.cidr })
                        : { referencedSecurityGroupId: groups[r.peer!].id }),
            };
            const source = r.peer ?? (r.nat !== undefined ? `nat-${r.nat + 1}` : cidrSlug(r.cidr!));
            const ruleName = `${name}-${r.group}-${r.direction}-${r.port}-${source}`;
            if (r.direction === "ingress") new aws.vpc.SecurityGroupIngressRule(ruleName, common, { parent: this });
            else new aws.vpc.SecurityGroupEgressRule(ruleName, common, { parent: this });
        });

        for (const svc of INTERFACE_ENDPOINTS) {
            new aws.ec2.VpcEndpoint(`${name}-${svc.replace(".", "-")}-endpoint`, {
                vpcId: this.vpcId,
                serviceName: `com.amazonaws.${args.region}.${svc}`,
                vpcEndpointType: "Interface",
                privateDnsEnabled: true,
                subnetIds: this.privateSubnetIds,
                securityGroupIds: [groups.endpoints.id],
                tags: serviceTags("network"),
            }, { parent: this });
        }
        // The gateway endpoint adds its S3 route to the route tables it is given, and only subnets
        // using those tables reach S3 through it
        // (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html). The tables awsx
        // created, not a DescribeRouteTables lookup that can run before they exist on a first deploy.
        new aws.ec2.VpcEndpoint(`${name}-s3-endpoint`, {
            vpcId: this.vpcId,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: vpc.routeTables.apply((tables) => pulumi.all(tables.map((t) => t.id))),
            tags: serviceTags("network"),
        }, { parent: this });

        this.registerOutputs({
            vpcId: this.vpcId,
            natPublicIps: this.natPublicIps,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
        });
    }

    private flowLogs(name: string, args: NetworkArgs): void {
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            name: `/tms/${args.environment}/vpc-flow-logs`,
            retentionInDays: args.flowLogRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags: serviceTags("network"),
        }, { parent: this });
        const role = new aws.iam.Role(`${name}-flow-logs-role`, {
            // Confused-deputy guard: only flow logs of this account and region may use the role
            // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
            assumeRolePolicy: pulumi.output(args.accountId).apply((acct) => JSON.stringify(flowLogsTrustPolicy(args.region, acct))),
            permissionsBoundary: args.permissionsBoundaryArn,
            tags: serviceTags("network"),
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-flow-logs-policy`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                }],
            })),
        }, { parent: this });
        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId: this.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags: serviceTags("network"),
        }, { parent: this });
    }
}
