/**
 * Security group policies. Rules can be inline (`ingress` of a SecurityGroup) or separate
 * resources (`SecurityGroupIngressRule`, legacy `SecurityGroupRule`); all are normalised first.
 *
 * The only internet-facing security group is the ALB's. It is recognised by name: the resource's
 * logical name (or its `name`/`namePrefix`/`Name` tag) contains `alb`, `lb` or `load-balancer`
 * as a dash/underscore-separated word, e.g. `tms-prod-alb-sg` or `alb-https-ingress`.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";
import { isSet, list, read, resourcePolicy, str, tagsOf, UNKNOWN } from "./common";

export const SG_TYPES = {
    group: "aws:ec2/securityGroup:SecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    rule: "aws:ec2/securityGroupRule:SecurityGroupRule",
} as const;

interface NormalRule {
    from?: number;
    to?: number;
    protocol: string;
    cidrs: string[];
    description?: string;
    /** Where the rule was found, for messages. */
    where: string;
}

const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);
const ALB_WORD = /(^|[-_.\s])(alb|lb|load-?balancer)([-_.\s]|$)/i;
const HTTP_PORTS = new Set([80, 443]);

function num(v: any): number | undefined {
    return typeof v === "number" ? v : undefined;
}

function strings(v: any): string[] {
    return list(v).filter((x): x is string => typeof x === "string");
}

/** Ingress rules of any of the three shapes. */
export function ingressRules(type: string, props: Record<string, any>): NormalRule[] {
    if (type === SG_TYPES.group) {
        return list(read(props, "ingress")).map((r, i) => ({
            from: num(read(r, "fromPort")),
            to: num(read(r, "toPort")),
            protocol: String(read(r, "protocol") ?? ""),
            cidrs: [...strings(read(r, "cidrBlocks")), ...strings(read(r, "ipv6CidrBlocks"))],
            description: str(read(r, "description")),
            where: `ingress[${i}]`,
        }));
    }
    if (type === SG_TYPES.ingressRule) {
        return [{
            from: num(read(props, "fromPort")),
            to: num(read(props, "toPort")),
            protocol: String(read(props, "ipProtocol") ?? ""),
            cidrs: [...strings(read(props, "cidrIpv4")), ...strings(read(props, "cidrIpv6"))],
            description: str(read(props, "description")),
            where: "this rule",
        }];
    }
    if (type === SG_TYPES.rule && read(props, "type") === "ingress") {
        return [{
            from: num(read(props, "fromPort")),
            to: num(read(props, "toPort")),
            protocol: String(read(props, "protocol") ?? ""),
            cidrs: [...strings(read(props, "cidrBlocks")), ...strings(read(props, "ipv6CidrBlocks"))],
            description: str(read(props, "description")),
            where: "this rule",
        }];
    }
    return [];
}

/** Egress rules, only for the description check. */
function egressRules(type: string, props: Record<string, any>): NormalRule[] {
    if (type === SG_TYPES.group) {
        return list(read(props, "egress")).map((r, i) => ({
            protocol: "", cidrs: [], description: str(read(r, "description")), where: `egress[${i}]`,
        }));
    }
    if (type === SG_TYPES.egressRule || (type === SG_TYPES.rule && read(props, "type") === "egress")) {
        return [{ protocol: "", cidrs: [], description: str(read(props, "description")), where: "this rule" }];
    }
    return [];
}

export function isAlbSecurityGroup(args: ResourceValidationArgs): boolean {
    const names = [args.name, str(read(args.props, "name")), str(read(args.props, "namePrefix")), tagsOf(args.props).Name];
    return names.some(n => n !== undefined && ALB_WORD.test(n));
}

function isHttpOrHttps(r: NormalRule): boolean {
    const tcp = r.protocol === "tcp" || r.protocol === "6";
    return tcp && r.from !== undefined && r.from === r.to && HTTP_PORTS.has(r.from);
}

function ports(r: NormalRule): string {
    if (r.protocol === "-1" || r.protocol === "all") return "all traffic";
    return r.from === r.to ? `${r.protocol} ${r.from}` : `${r.protocol} ${r.from}-${r.to}`;
}

const ALL_SG_TYPES = Object.values(SG_TYPES);

export const securityGroupNoInternetIngress = resourcePolicy({
    name: "security-group-no-internet-ingress",
    description: "Only the ALB security group may accept traffic from 0.0.0.0/0 or ::/0, and only on TCP 80 and 443.",
    metadata: {
        control: "FSBP EC2.13, EC2.14, EC2.18, EC2.19, EC2.53, EC2.54, CIS v1.4.0 5.2",
        severity: "critical",
        area: "network",
        remediation: "Restrict the rule's source to a security group or VPC CIDR; internet traffic enters only through the ALB on 80/443.",
    },
    types: ALL_SG_TYPES,
    validate: (props, args, report) => {
        const alb = isAlbSecurityGroup(args);
        for (const r of ingressRules(args.type, props)) {
            const open = r.cidrs.filter(c => OPEN_CIDRS.has(c));
            if (open.length === 0) continue;
            if (alb && isHttpOrHttps(r)) continue;
            const who = alb
                ? "the ALB security group may only open TCP 80 and 443"
                : "only the ALB security group may accept internet traffic";
            report(`${r.where} allows ${ports(r)} from ${open.join(", ")}: ${who}. Use a security-group or VPC-CIDR source instead.`);
        }
    },
});

export const securityGroupDescriptions = resourcePolicy({
    name: "security-group-descriptions",
    description: "Security groups and every ingress/egress rule carry a description that says why the rule exists.",
    metadata: {
        control: "CIS 5 (network hygiene; supports FSBP EC2.18 review)",
        severity: "low",
        area: "network",
        remediation: "Set `description` on the security group and on each rule (e.g. \"HTTPS from the internet to the ALB\").",
    },
    types: ALL_SG_TYPES,
    validate: (props, args, report) => {
        if (args.type === SG_TYPES.group) {
            const d = read(props, "description");
            if (d !== UNKNOWN && (!isSet(props, "description") || d === "Managed by Pulumi")) {
                report("Security group has no description of its own (\"Managed by Pulumi\" is the default): set `description`.");
            }
        }
        for (const r of [...ingressRules(args.type, props), ...egressRules(args.type, props)]) {
            if (!r.description) report(`Rule ${r.where} has no description: set \`description\` to say what the rule allows and why.`);
        }
    },
});

export const securityGroupPolicies = [securityGroupNoInternetIngress, securityGroupDescriptions];
