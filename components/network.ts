import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "./naming";

/** Interface endpoints the services need so image pulls, logs, secrets and parameters stay in the VPC. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"] as const;
export const MONGO_PORT = 27017;
export const REDIS_PORT = 6379;
const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

export interface NetworkArgs {
    environment: string;
    region: string;
    cidrBlock: string;
    availabilityZones: number;
    natGateways: "single" | "one-per-az";
    flowLogRetentionDays: number;
    /** KMS key that encrypts the flow-log group. */
    logsKeyArn: pulumi.Input<string>;
    /** The account, for the flow-log role's confused-deputy condition. */
    accountId: pulumi.Input<string>;
    /** Container ports of every service (service → port); public ones are reachable from the ALB. */
    servicePorts: Record<string, number>;
    publicServices: string[];
    /** Test listener: reachable only from the VPC and these CIDRs. */
    testListenerPort: number;
    testListenerCidrs: string[];
}

/** One security-group rule as plain data, so the rule set can be tested without the engine. */
export interface SgRule {
    group: SecurityGroupRole;
    direction: "ingress" | "egress";
    port: number;
    description: string;
    /** Exactly one of cidr / peer. */
    cidr?: string;
    peer?: SecurityGroupRole;
}
export const SECURITY_GROUP_ROLES = ["alb", "services", "database", "cache", "endpoints"] as const;
export type SecurityGroupRole = (typeof SECURITY_GROUP_ROLES)[number];

/**
 * The only flows the system needs. The internet reaches the ALB on 80 and 443 and nothing else;
 * the test listener is reachable from inside the VPC and the configured CIDRs only.
 */
export function securityGroupRules(a: Pick<NetworkArgs, "cidrBlock" | "servicePorts" | "publicServices" | "testListenerPort" | "testListenerCidrs">): SgRule[] {
    const rules: SgRule[] = [];
    for (const cidr of [ANYWHERE_V4, ANYWHERE_V6]) {
        rules.push({ group: "alb", direction: "ingress", port: 443, cidr, description: "HTTPS from the internet" });
        rules.push({ group: "alb", direction: "ingress", port: 80, cidr, description: "HTTP from the internet (redirected to HTTPS)" });
    }
    for (const cidr of [a.cidrBlock, ...a.testListenerCidrs]) {
        rules.push({ group: "alb", direction: "ingress", port: a.testListenerPort, cidr, description: "Test listener (candidate colour) from trusted networks" });
    }
    for (const [svc, port] of Object.entries(a.servicePorts)) {
        if (a.publicServices.includes(svc)) {
            rules.push({ group: "alb", direction: "egress", port, peer: "services", description: `ALB to ${svc}` });
            rules.push({ group: "services", direction: "ingress", port, peer: "alb", description: `${svc} from the ALB` });
        }
        rules.push({ group: "services", direction: "ingress", port, peer: "services", description: `${svc} from other services` });
        rules.push({ group: "services", direction: "egress", port, peer: "services", description: `Calls to ${svc}` });
    }
    rules.push({ group: "services", direction: "egress", port: MONGO_PORT, peer: "database", description: "DocumentDB" });
    rules.push({ group: "services", direction: "egress", port: REDIS_PORT, peer: "cache", description: "Redis" });
    rules.push({ group: "services", direction: "egress", port: 443, peer: "endpoints", description: "AWS APIs through interface endpoints" });
    rules.push({ group: "services", direction: "egress", port: 443, cidr: ANYWHERE_V4, description: "HTTPS egress through NAT (S3 gateway endpoint, external APIs)" });
    rules.push({ group: "database", direction: "ingress", port: MONGO_PORT, peer: "services", description: "DocumentDB from services" });
    rules.push({ group: "cache", direction: "ingress", port: REDIS_PORT, peer: "services", description: "Redis from services" });
    rules.push({ group: "endpoints", direction: "ingress", port: 443, peer: "services", description: "Interface endpoints from services" });
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
    readonly cidrBlock: string;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:network:Network", name, {}, opts);
        this.cidrBlock = args.cidrBlock;

        const vpc = new awsx.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.cidrBlock,
            numberOfAvailabilityZones: args.availabilityZones,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            natGateways: {
                strategy: args.natGateways === "one-per-az" ? awsx.ec2.NatGatewayStrategy.OnePerAz : awsx.ec2.NatGatewayStrategy.Single,
            },
            subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
            subnetSpecs: [
                { type: awsx.ec2.SubnetType.Public, cidrMask: 24 },
                { type: awsx.ec2.SubnetType.Private, cidrMask: 19 },
                { type: awsx.ec2.SubnetType.Isolated, cidrMask: 24 },
            ],
            tags: { ...serviceTags("network"), Name: `tms-${args.environment}` },
        }, { parent: this, transforms: [noPublicIpOnLaunch] });
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

        const groups = {} as Record<SecurityGroupRole, aws.ec2.SecurityGroup>;
        for (const role of SECURITY_GROUP_ROLES) {
            groups[role] = new aws.ec2.SecurityGroup(`${name}-${role}-sg`, {
                vpcId: this.vpcId,
                description: `tms ${args.environment} ${role}`,
                // No inline rules: the provider removes AWS's allow-all egress default and the
                // rules below are separate resources, so a group allows only what is listed.
                tags: serviceTags("network", { Name: `tms-${args.environment}-${role}` }),
            }, { parent: this });
        }
        this.securityGroupIds = Object.fromEntries(
            SECURITY_GROUP_ROLES.map((r) => [r, groups[r].id]),
        ) as Record<SecurityGroupRole, pulumi.Output<string>>;

        const rules = securityGroupRules(args);
        rules.forEach((r) => {
            const common = {
                securityGroupId: groups[r.group].id,
                ipProtocol: "tcp",
                fromPort: r.port,
                toPort: r.port,
                description: r.description,
                tags: serviceTags("network"),
                ...(r.cidr
                    ? (r.cidr.includes(":") ? { cidrIpv6: r.cidr } : { cidrIpv4: r.cidr })
                    : { referencedSecurityGroupId: groups[r.peer!].id }),
            };
            const ruleName = `${name}-${r.group}-${r.direction}-${r.port}-${r.peer ?? cidrSlug(r.cidr!)}`;
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
        const routeTables = aws.ec2.getRouteTablesOutput({ vpcId: this.vpcId }, { parent: this });
        new aws.ec2.VpcEndpoint(`${name}-s3-endpoint`, {
            vpcId: this.vpcId,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: routeTables.ids,
            tags: serviceTags("network"),
        }, { parent: this });

        this.registerOutputs({
            vpcId: this.vpcId,
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
