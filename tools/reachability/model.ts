/**
 * The network of one planned stack as plain data, read from the plan record (tools/record.ts): the
 * VPC's subnets, route tables and gateways, security groups and their rules, the load balancer with
 * its listeners, rules, certificates and target groups, ECS services, data stores, VPC endpoints,
 * Route53 records and health checks, and CloudFront distributions. The evaluator (evaluate.ts)
 * follows packets through this model; it never reads the engine or AWS.
 *
 * The VPC comes either from the `awsx:ec2:Vpc` component's outputs (subnets, routeTables, routes,
 * routeTableAssociations, natGateways, internetGateway: what the component created) or from plain
 * `aws:ec2/*` resources, whichever the plan holds; both are read the same way.
 */
import type { PlanRecord, RecordedResource } from "../record";

export interface SgRule {
    /** Logical name of the rule resource (or `<group>.ingress[i]` for inline rules). */
    name: string;
    direction: "ingress" | "egress";
    /** "tcp", "udp", "icmp" or "-1" (all). */
    protocol: string;
    fromPort: number;
    toPort: number;
    cidr?: string;
    /** Referenced security group id. */
    peer?: string;
    prefixList?: string;
    description?: string;
}

export interface SecurityGroup {
    id: string;
    /** Logical name, e.g. tms-network-alb-sg. */
    name: string;
    rules: SgRule[];
}

export interface Subnet {
    id: string;
    cidr: string;
    az: string;
    name: string;
    routeTableId?: string;
}

export type RouteTarget = { kind: "igw" | "nat" | "vpce"; id: string };

export interface Route {
    /** A CIDR, or `service:<endpoint service name>` for the prefix list a gateway endpoint adds. */
    destination: string;
    target: RouteTarget;
}

export interface RouteTable {
    id: string;
    routes: Route[];
}

export interface NatGateway {
    id: string;
    subnetId: string;
    publicIp?: string;
}

export interface Vpc {
    id: string;
    cidr: string;
    subnets: Subnet[];
    routeTables: RouteTable[];
    natGateways: NatGateway[];
    internetGatewayIds: string[];
}

export interface ListenerRule {
    name: string;
    priority: number;
    conditions: any[];
    actions: any[];
}

export interface Listener {
    name: string;
    arn: string;
    port: number;
    protocol: string;
    /** Names the certificate covers (domain name and alternative names). */
    certificateNames: string[];
    defaultActions: any[];
    rules: ListenerRule[];
}

export interface LoadBalancer {
    name: string;
    arn: string;
    dnsName: string;
    internal: boolean;
    subnetIds: string[];
    securityGroupIds: string[];
    listeners: Listener[];
}

export interface TargetGroup {
    name: string;
    arn: string;
    port: number;
    protocol: string;
}

export interface EcsService {
    /** ECS service name, e.g. api-gateway-blue. */
    name: string;
    logicalName: string;
    /** The `Service` tag: the application service it runs. */
    service: string;
    colour?: string;
    subnetIds: string[];
    securityGroupIds: string[];
    assignPublicIp: boolean;
    desiredCount: number;
    targetGroups: { arn: string; containerPort: number }[];
    /** Cloud Map names it registers under, e.g. api-gateway-blue.service.local. */
    discoveryNames: string[];
    containerPorts: number[];
    /** Plain container environment (never secrets). */
    environment: Record<string, string>;
    image: string;
}

export interface DataStore {
    kind: "DocumentDB" | "Redis";
    name: string;
    /** DNS names clients connect to. */
    endpoints: string[];
    port: number;
    subnetIds: string[];
    securityGroupIds: string[];
}

export interface InterfaceEndpoint {
    name: string;
    serviceName: string;
    subnetIds: string[];
    securityGroupIds: string[];
    /** Names that resolve to the endpoint inside the VPC (private DNS); `*.` is a wildcard label. */
    dnsNames: string[];
}

export interface DnsRecord {
    name: string;
    type: string;
    aliasTarget?: string;
    failover?: "PRIMARY" | "SECONDARY";
    resourceName: string;
}

export interface Origin {
    id: string;
    domainName: string;
    /** Absent for S3 origins. */
    custom?: { httpPort: number; httpsPort: number; protocolPolicy: string };
    /** Custom headers CloudFront adds to every request to this origin (values are secrets: never print them). */
    headers: Record<string, string>;
}

export interface Distribution {
    name: string;
    domainName: string;
    aliases: string[];
    enabled: boolean;
    origins: Origin[];
    defaultBehavior: { originId: string; viewerProtocolPolicy: string };
    behaviors: { pathPattern: string; originId: string; viewerProtocolPolicy: string }[];
}

export interface HealthCheck {
    name: string;
    type: string;
    fqdn: string;
    port: number;
    path: string;
}

export interface NetworkModel {
    stack: string;
    region: string;
    vpc: Vpc;
    securityGroups: SecurityGroup[];
    loadBalancers: LoadBalancer[];
    targetGroups: TargetGroup[];
    ecsServices: EcsService[];
    dataStores: DataStore[];
    interfaceEndpoints: InterfaceEndpoint[];
    records: DnsRecord[];
    distributions: Distribution[];
    healthChecks: HealthCheck[];
}

export class ModelError extends Error {}

const T = {
    awsxVpc: "awsx:ec2:Vpc",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    nat: "aws:ec2/natGateway:NatGateway",
    igw: "aws:ec2/internetGateway:InternetGateway",
    eip: "aws:ec2/eip:Eip",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    legacyRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    lb: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    rule: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
    targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    certificate: "aws:acm/certificate:Certificate",
    ecsService: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    discovery: "aws:servicediscovery/service:Service",
    namespace: "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace",
    docdb: "aws:docdb/cluster:Cluster",
    docdbSubnets: "aws:docdb/subnetGroup:SubnetGroup",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    redisSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    distribution: "aws:cloudfront/distribution:Distribution",
};

const list = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
/** A value as the provider would report it: computed outputs, else the input. */
const val = (r: RecordedResource, key: string): any => r.outputs?.[key] ?? r.inputs?.[key];
const idOf = (r: RecordedResource): string => String(r.id ?? r.outputs?.id ?? r.name);

/**
 * Interface endpoints' private DNS names. ECR's API answers at api.ecr.<region>.amazonaws.com and
 * its registry at <account>.dkr.ecr.<region>.amazonaws.com
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
 * https://docs.aws.amazon.com/general/latest/gr/ecr.html); other services at <service>.<region>.amazonaws.com.
 * With private DNS on, those names resolve inside the VPC to the endpoint's network interfaces
 * (PrivateDnsEnabled, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html).
 */
export function endpointDnsNames(serviceName: string): string[] {
    const m = /^com\.amazonaws\.([a-z0-9-]+)\.(.+)$/.exec(serviceName);
    if (!m) return [];
    const [, region, service] = m;
    if (service === "ecr.api") return [`api.ecr.${region}.amazonaws.com`];
    if (service === "ecr.dkr") return [`dkr.ecr.${region}.amazonaws.com`, `*.dkr.ecr.${region}.amazonaws.com`];
    return [`${service}.${region}.amazonaws.com`];
}

function vpcOf(of: (...types: string[]) => RecordedResource[]): Vpc {
    const awsx = of(T.awsxVpc);
    const raw = of(T.vpc);
    if (awsx.length + raw.length !== 1) throw new ModelError(`expected exactly one VPC in the plan, found ${awsx.length} awsx:ec2:Vpc and ${raw.length} aws:ec2/vpc:Vpc`);
    // awsx's outputs hold its children's state; plain resources hold their own.
    const fromAwsx = awsx[0]?.outputs ?? {};
    const states = (key: string, type: string) => [...list(fromAwsx[key]), ...of(type).map((r) => ({ id: idOf(r), ...r.inputs, ...r.outputs }))];
    const vpcId = String(fromAwsx.vpcId ?? (raw[0] && idOf(raw[0])));
    const cidr = String(awsx[0]?.inputs.cidrBlock ?? fromAwsx.vpc?.cidrBlock ?? val(raw[0], "cidrBlock"));
    const associations = states("routeTableAssociations", T.association);
    const eips = of(T.eip).map((r) => ({ allocationId: String(val(r, "allocationId") ?? idOf(r)), publicIp: val(r, "publicIp") as string | undefined }));
    const subnets: Subnet[] = states("subnets", T.subnet).map((s) => ({
        id: String(s.id),
        cidr: String(s.cidrBlock),
        az: String(s.availabilityZone ?? "?"),
        name: String(s.tags?.Name ?? s.id),
        routeTableId: associations.find((a) => a.subnetId === s.id)?.routeTableId,
    }));
    const tables = new Map<string, RouteTable>();
    for (const t of states("routeTables", T.routeTable)) {
        const routes: Route[] = list(t.routes).flatMap((r: any) => {
            const target = targetOf(r);
            return target && r.cidrBlock ? [{ destination: String(r.cidrBlock), target }] : [];
        });
        tables.set(String(t.id), { id: String(t.id), routes });
    }
    for (const r of states("routes", T.route)) {
        const table = tables.get(String(r.routeTableId));
        const target = targetOf(r);
        if (table && target && r.destinationCidrBlock) table.routes.push({ destination: String(r.destinationCidrBlock), target });
    }
    const natGateways = states("natGateways", T.nat).map((n) => ({
        id: String(n.id),
        subnetId: String(n.subnetId),
        publicIp: (n.publicIp as string | undefined) ?? eips.find((e) => e.allocationId === n.allocationId)?.publicIp,
    }));
    const igws = [fromAwsx.internetGateway?.id, ...of(T.igw).map(idOf)].filter((x): x is string => typeof x === "string");
    return { id: vpcId, cidr, subnets, routeTables: [...tables.values()], natGateways, internetGatewayIds: igws };
}

function targetOf(r: any): RouteTarget | undefined {
    if (r.natGatewayId) return { kind: "nat", id: String(r.natGatewayId) };
    if (r.vpcEndpointId) return { kind: "vpce", id: String(r.vpcEndpointId) };
    if (r.gatewayId) return { kind: "igw", id: String(r.gatewayId) };
    return undefined;
}

function securityGroupsOf(of: (...types: string[]) => RecordedResource[]): SecurityGroup[] {
    const groups = of(T.sg).map((g) => {
        const id = idOf(g);
        const inline = (direction: "ingress" | "egress") => list(g.inputs[direction]).flatMap((r: any, i: number) => [
            ...list(r.cidrBlocks).map((cidr: string) => ({ cidr })),
            ...list(r.ipv6CidrBlocks).map((cidr: string) => ({ cidr })),
            ...list(r.securityGroups).map((peer: string) => ({ peer })),
            ...(r.self ? [{ peer: id }] : []),
            ...list(r.prefixListIds).map((prefixList: string) => ({ prefixList })),
        ].map((target) => ({ name: `${g.name}.${direction}[${i}]`, direction, protocol: String(r.protocol), fromPort: r.fromPort, toPort: r.toPort, description: r.description, ...target })));
        return { id, name: g.name, rules: [...inline("ingress"), ...inline("egress")] as SgRule[] };
    });
    const byId = new Map(groups.map((g) => [g.id, g]));
    const attach = (groupId: string, rule: SgRule) => {
        const g = byId.get(groupId);
        if (!g) throw new ModelError(`security group rule ${rule.name} belongs to ${groupId}, which is not in the plan`);
        g.rules.push(rule);
    };
    for (const r of [...of(T.ingress), ...of(T.egress)]) {
        const i = r.inputs;
        attach(String(i.securityGroupId), {
            name: r.name,
            direction: r.type === T.ingress ? "ingress" : "egress",
            protocol: String(i.ipProtocol),
            fromPort: i.fromPort ?? 0,
            toPort: i.toPort ?? 65535,
            cidr: i.cidrIpv4 ?? i.cidrIpv6,
            peer: i.referencedSecurityGroupId,
            prefixList: i.prefixListId,
            description: i.description,
        });
    }
    for (const r of of(T.legacyRule)) {
        const i = r.inputs;
        const base = { name: r.name, direction: i.type, protocol: String(i.protocol), fromPort: i.fromPort, toPort: i.toPort, description: i.description };
        const targets = [
            ...list(i.cidrBlocks).map((cidr: string) => ({ cidr })),
            ...list(i.ipv6CidrBlocks).map((cidr: string) => ({ cidr })),
            ...(i.sourceSecurityGroupId ? [{ peer: i.sourceSecurityGroupId }] : []),
            ...(i.self ? [{ peer: i.securityGroupId }] : []),
            ...list(i.prefixListIds).map((prefixList: string) => ({ prefixList })),
        ];
        for (const t of targets) attach(String(i.securityGroupId), { ...base, ...t });
    }
    return groups;
}

function loadBalancersOf(of: (...types: string[]) => RecordedResource[]): LoadBalancer[] {
    const certificates = of(T.certificate).map((c) => ({ arn: String(val(c, "arn")), names: [c.inputs.domainName, ...list(c.inputs.subjectAlternativeNames)].filter(Boolean) as string[] }));
    const rules = of(...T.rule);
    const listeners = of(...T.listener).map((l) => ({
        name: l.name,
        arn: String(val(l, "arn")),
        lbArn: String(l.inputs.loadBalancerArn),
        port: Number(l.inputs.port),
        protocol: String(l.inputs.protocol ?? "HTTP"),
        certificateNames: certificates.find((c) => c.arn === l.inputs.certificateArn)?.names ?? [],
        defaultActions: list(l.inputs.defaultActions),
        rules: rules.filter((r) => r.inputs.listenerArn === val(l, "arn")).map((r) => ({
            name: r.name,
            priority: Number(r.inputs.priority),
            conditions: list(r.inputs.conditions),
            actions: list(r.inputs.actions),
        })).sort((a, b) => a.priority - b.priority),
    }));
    return of(...T.lb).map((lb) => ({
        name: lb.name,
        arn: String(val(lb, "arn")),
        dnsName: String(val(lb, "dnsName")),
        internal: lb.inputs.internal === true,
        subnetIds: list(lb.inputs.subnets).map(String),
        securityGroupIds: list(lb.inputs.securityGroups).map(String),
        listeners: listeners.filter((l) => l.lbArn === val(lb, "arn")).map(({ lbArn: _lb, ...l }) => l),
    }));
}

function ecsServicesOf(of: (...types: string[]) => RecordedResource[]): EcsService[] {
    const namespaces = new Map(of(T.namespace).map((n) => [idOf(n), String(n.inputs.name)]));
    const discovery = new Map(of(T.discovery).map((d) => [String(val(d, "arn")), `${d.inputs.name}.${namespaces.get(String(d.inputs.dnsConfig?.namespaceId)) ?? "?"}`]));
    const taskDefinitions = new Map(of(T.taskDefinition).map((t) => [String(val(t, "arn")), t]));
    return of(T.ecsService).map((s) => {
        const net = s.inputs.networkConfiguration ?? {};
        const td = taskDefinitions.get(String(s.inputs.taskDefinition));
        const containers: any[] = td ? JSON.parse(td.inputs.containerDefinitions) : [];
        const main = containers[0] ?? {};
        return {
            name: String(s.inputs.name ?? s.name),
            logicalName: s.name,
            service: String(s.inputs.tags?.Service ?? s.inputs.name),
            colour: s.inputs.tags?.Colour,
            subnetIds: list(net.subnets).map(String),
            securityGroupIds: list(net.securityGroups).map(String),
            assignPublicIp: net.assignPublicIp === true,
            desiredCount: Number(s.inputs.desiredCount ?? 0),
            targetGroups: list(s.inputs.loadBalancers).map((l: any) => ({ arn: String(l.targetGroupArn), containerPort: Number(l.containerPort) })),
            discoveryNames: list(s.inputs.serviceRegistries).map((r: any) => discovery.get(String(r.registryArn))).filter((n): n is string => !!n),
            containerPorts: containers.flatMap((c) => list(c.portMappings).map((p: any) => Number(p.containerPort))),
            environment: Object.fromEntries(list(main.environment).map((e: any) => [e.name, String(e.value)])),
            image: String(main.image ?? ""),
        };
    });
}

/** Where each data store type keeps what a client needs (the provider's field names). */
const DATA_STORES = [
    { kind: "DocumentDB" as const, type: T.docdb, subnetGroups: T.docdbSubnets, id: "clusterIdentifier", endpoints: ["endpoint", "readerEndpoint"], port: 27017, subnetGroup: "dbSubnetGroupName", groups: "vpcSecurityGroupIds" },
    { kind: "Redis" as const, type: T.redis, subnetGroups: T.redisSubnets, id: "replicationGroupId", endpoints: ["primaryEndpointAddress", "readerEndpointAddress"], port: 6379, subnetGroup: "subnetGroupName", groups: "securityGroupIds" },
];

function dataStoresOf(of: (...types: string[]) => RecordedResource[]): DataStore[] {
    return DATA_STORES.flatMap((d) => {
        const subnets = new Map(of(d.subnetGroups).map((g) => [String(val(g, "name") ?? idOf(g)), list(g.inputs.subnetIds).map(String)]));
        return of(d.type).map((r) => ({
            kind: d.kind,
            name: String(val(r, d.id) ?? r.name),
            endpoints: d.endpoints.map((k) => val(r, k)).filter(Boolean).map(String),
            port: Number(val(r, "port") ?? d.port),
            subnetIds: subnets.get(String(r.inputs[d.subnetGroup])) ?? [],
            securityGroupIds: list(r.inputs[d.groups]).map(String),
        }));
    });
}

function distributionsOf(of: (...types: string[]) => RecordedResource[]): Distribution[] {
    return of(T.distribution).map((d) => {
        const i = d.inputs;
        return {
            name: d.name,
            domainName: String(val(d, "domainName")),
            aliases: list(i.aliases).map(String),
            enabled: i.enabled !== false,
            origins: list(i.origins).map((o: any) => ({
                id: String(o.originId),
                domainName: String(o.domainName),
                custom: o.customOriginConfig ? {
                    httpPort: Number(o.customOriginConfig.httpPort ?? 80),
                    httpsPort: Number(o.customOriginConfig.httpsPort ?? 443),
                    protocolPolicy: String(o.customOriginConfig.originProtocolPolicy),
                } : undefined,
                headers: Object.fromEntries(list(o.customHeaders).map((h: any) => [String(h.name), String(h.value)])),
            })),
            defaultBehavior: { originId: String(i.defaultCacheBehavior?.targetOriginId), viewerProtocolPolicy: String(i.defaultCacheBehavior?.viewerProtocolPolicy ?? "allow-all") },
            behaviors: list(i.orderedCacheBehaviors).map((b: any) => ({ pathPattern: String(b.pathPattern), originId: String(b.targetOriginId), viewerProtocolPolicy: String(b.viewerProtocolPolicy ?? "allow-all") })),
        };
    });
}

/** Read the network of a planned stack. Throws {@link ModelError} naming what the plan lacks. */
export function networkModel(record: PlanRecord): NetworkModel {
    const of = (...types: string[]) => record.resources.filter((r) => types.includes(r.type));
    const vpc = vpcOf(of);
    const region = String(record.outputs.region ?? "");
    const endpoints = of(T.endpoint);
    // A gateway endpoint is a route in each table it is given (destination: the service's prefix list).
    for (const e of endpoints.filter((x) => x.inputs.vpcEndpointType === "Gateway")) {
        for (const tableId of list(e.inputs.routeTableIds)) {
            vpc.routeTables.find((t) => t.id === tableId)?.routes.push({ destination: `service:${e.inputs.serviceName}`, target: { kind: "vpce", id: idOf(e) } });
        }
    }
    return {
        stack: record.stack,
        region,
        vpc,
        securityGroups: securityGroupsOf(of),
        loadBalancers: loadBalancersOf(of),
        targetGroups: of(...T.targetGroup).map((t) => ({ name: String(val(t, "name") ?? t.name), arn: String(val(t, "arn")), port: Number(t.inputs.port), protocol: String(t.inputs.protocol ?? "HTTP") })),
        ecsServices: ecsServicesOf(of),
        dataStores: dataStoresOf(of),
        interfaceEndpoints: endpoints.filter((e) => (e.inputs.vpcEndpointType ?? "Gateway") === "Interface").map((e) => ({
            name: e.name,
            serviceName: String(e.inputs.serviceName),
            subnetIds: list(e.inputs.subnetIds).map(String),
            securityGroupIds: list(e.inputs.securityGroupIds).map(String),
            dnsNames: e.inputs.privateDnsEnabled ? endpointDnsNames(String(e.inputs.serviceName)) : [],
        })),
        records: of(T.record).map((r) => ({
            name: String(r.inputs.name).replace(/\.$/, ""),
            type: String(r.inputs.type),
            aliasTarget: list(r.inputs.aliases)[0]?.name?.replace(/\.$/, ""),
            failover: list(r.inputs.failoverRoutingPolicies)[0]?.type,
            resourceName: r.name,
        })),
        distributions: distributionsOf(of),
        healthChecks: of(T.healthCheck).filter((h) => ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"].includes(h.inputs.type)).map((h) => ({
            name: h.name,
            type: String(h.inputs.type),
            fqdn: String(h.inputs.fqdn),
            port: Number(h.inputs.port ?? (String(h.inputs.type).startsWith("HTTPS") ? 443 : 80)),
            path: String(h.inputs.resourcePath ?? "/"),
        })),
    };
}
