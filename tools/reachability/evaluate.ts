/**
 * Follows one request through a planned network (model.ts) and says what it reaches, hop by hop:
 * name resolution, routes, security groups in both directions, CloudFront, the load balancer's
 * listener, certificate and rules, target groups and their targets. Pure; no AWS.
 *
 * The AWS behaviour it relies on, with the page each rule comes from:
 * - Security groups are stateful: only the initiator's egress and the receiver's ingress are
 *   checked, replies are allowed (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
 *   A rule naming a security group admits traffic from the private addresses of network interfaces in
 *   that group, never from public or Elastic IP addresses
 *   (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html). A group with no
 *   egress rules allows no egress (the Pulumi/Terraform provider removes AWS's default allow-all rule).
 * - Every route table has a local route for the VPC CIDR
 *   (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html); other traffic follows
 *   the table's 0.0.0.0/0 route: an internet gateway needs a public address on the sender, a NAT
 *   gateway replaces the source address with its Elastic IP
 *   (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html). A gateway endpoint adds
 *   a route for its service's prefix list to the route tables it is associated with, and only
 *   subnets using those tables reach the service through it
 *   (https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html).
 * - An internet-facing load balancer's DNS name resolves to public addresses, so a client inside the
 *   VPC reaches it through its NAT gateway; an internal one's resolves to private addresses
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-internal-load-balancers.html).
 * - Cloud Map private DNS namespaces resolve only inside their VPC
 *   (https://docs.aws.amazon.com/cloud-map/latest/dg/creating-namespaces.html); interface endpoints
 *   with private DNS answer for the service's public name inside the VPC (see model.ts).
 * - CloudFront has no setting for the port viewers use: HTTP on 80, HTTPS on 443
 *   (https://repost.aws/knowledge-center/cloudfront-supported-protocols); the origin's HTTP/HTTPS
 *   ports and protocol policy say how it connects to the origin, adding the origin's custom headers
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html);
 *   cache behaviours match the path in order, the default one last
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html).
 *   Its origin-facing servers use the ranges of the managed prefix list
 *   com.amazonaws.global.cloudfront.origin-facing
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html).
 * - Route 53 health checkers come from the ROUTE53_HEALTHCHECKS ranges
 *   (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-ip-addresses.html), send no
 *   custom headers, and an HTTPS check passes on a 2xx/3xx answer without requiring the certificate
 *   to match the name (HealthCheckConfig Type and EnableSNI,
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
 * - Listener rules are evaluated by priority, lowest first, the default action last
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html);
 *   path patterns are case-sensitive with * and ?, header names case-insensitive
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
 * Addresses published only as ranges (the internet, CloudFront's and the health checkers' ranges)
 * match a rule only when the rule admits every IPv4 address (0.0.0.0/0); this is exact for the rules
 * this program writes and errs on the side of "refused" otherwise.
 */
import { ANYWHERE_V4, contains, isIpv6 } from "./cidr";
import { ModelError, type DataStore, type EcsService, type InterfaceEndpoint, type LoadBalancer, type NetworkModel, type SecurityGroup, type Subnet, type Distribution } from "./model";

export type Source =
    /**
     * Any address on the internet that no rule names. `insecure`: the client ignores certificate
     * names, as an attacker would (refused flows must not rely on TLS name checks).
     */
    | { kind: "internet"; insecure?: boolean }
    /** A public range, e.g. CI runners in tms:traffic.testListenerCidrs. */
    | { kind: "cidr"; cidr: string; label?: string }
    /** CloudFront's origin-facing servers (they send the distribution's origin requests). */
    | { kind: "cloudfront" }
    | { kind: "route53-health-checker" }
    /** A task started like this ECS service: its subnets and security groups. */
    | { kind: "ecs"; service: string };

export type Destination =
    /** An HTTP(S) request: the host is resolved through the plan's DNS. */
    | { kind: "url"; url: string; headers?: Record<string, string> }
    /** A TCP connection: `tcp://host:port`. */
    | { kind: "tcp"; host: string; port: number }
    /** Straight at the private address of an ECS service's tasks (no name needed). */
    | { kind: "ecs-task"; service: string; port: number }
    /** Straight at a data store's nodes. */
    | { kind: "data-store"; name: string; port: number };

export interface Request {
    source: Source;
    to: Destination;
}

export interface Hop {
    step: string;
    ok: boolean;
    detail: string;
}

export interface Reached {
    kind: "ecs" | "DocumentDB" | "Redis" | "interface endpoint" | "aws service" | "s3 origin";
    name: string;
    colour?: string;
    /** How the last network hop went: "local", "NAT gateway", "gateway endpoint", "internet". */
    via: string;
}

/** One place the source sends from (each subnet of an ECS service; one for outside sources). */
export interface Placement {
    label: string;
    reached: Reached[];
    hops: Hop[];
    /** Graph nodes the request went through, in order (for the network picture). */
    path: string[];
    /** The node of the last destination it tried to connect to (where a refused request was going). */
    target?: string;
}

export interface Evaluation {
    placements: Placement[];
}

/** Where a packet comes from at the network layer. */
type Sender =
    | { where: "outside"; label: string; node: string; cidr?: string; kind: Source["kind"]; insecure?: boolean }
    | { where: "vpc"; label: string; node: string; subnet: Subnet; securityGroupIds: string[]; publicIp: boolean };

type Resolved =
    | { kind: "alb"; lb: LoadBalancer }
    | { kind: "cloudfront"; dist: Distribution }
    | { kind: "ecs"; svc: EcsService }
    | { kind: "data-store"; store: DataStore }
    | { kind: "interface endpoint"; ep: InterfaceEndpoint }
    | { kind: "aws service"; service: string };

interface Http {
    scheme: "http" | "https";
    host: string;
    port: number;
    path: string;
    headers: Record<string, string>;
}

const CLOUDFRONT_VIEWER_PORTS: Record<string, number> = { http: 80, https: 443 };

class Trace {
    readonly hops: Hop[] = [];
    readonly path: string[] = [];
    target?: string;
    constructor(private readonly prefix = "") {}
    ok(step: string, detail: string): true {
        this.hops.push({ step: this.prefix + step, ok: true, detail });
        return true;
    }
    deny(step: string, detail: string): false {
        this.hops.push({ step: this.prefix + step, ok: false, detail });
        return false;
    }
    visit(node: string): void {
        if (this.path[this.path.length - 1] !== node) this.path.push(node);
    }
}

/** `*` any run, `?` one character; `caseSensitive` as the condition type says. */
export function globMatch(pattern: string, value: string, caseSensitive: boolean): boolean {
    const re = new RegExp(`^${pattern.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`, caseSensitive ? "" : "i");
    return re.test(value);
}

/** Does a certificate for `names` cover `host` (a `*.` name covers exactly one extra label)? */
export function certificateCovers(names: string[], host: string): boolean {
    const h = host.toLowerCase();
    return names.some((n) => {
        const name = n.toLowerCase();
        if (name.startsWith("*.")) return h.endsWith(name.slice(1)) && !h.slice(0, h.length - name.length + 1).includes(".");
        return name === h;
    });
}

function parseUrl(url: string, headers: Record<string, string> = {}): Http {
    const u = new URL(url);
    const scheme = u.protocol.replace(":", "");
    if (scheme !== "http" && scheme !== "https") throw new ModelError(`${url}: only http and https URLs are evaluated`);
    return { scheme, host: u.hostname.toLowerCase(), port: u.port ? Number(u.port) : scheme === "https" ? 443 : 80, path: u.pathname || "/", headers };
}

export class Evaluator {
    private readonly groups: Map<string, SecurityGroup>;

    constructor(readonly model: NetworkModel) {
        this.groups = new Map(model.securityGroups.map((g) => [g.id, g]));
    }

    evaluate(request: Request): Evaluation {
        return { placements: this.senders(request.source).map((sender) => this.fromSender(sender, request.to)) };
    }

    private fromSender(sender: Sender, to: Destination): Placement {
        const t = new Trace();
        t.visit(sender.node);
        let reached: Reached[] = [];
        if (to.kind === "url") {
            reached = this.http(sender, parseUrl(to.url, to.headers), t);
        } else if (to.kind === "tcp") {
            const dest = this.resolve(to.host, sender.where === "vpc", t);
            if (dest) reached = this.deliver(sender, dest, to.port, t);
        } else if (to.kind === "ecs-task") {
            const svc = this.ecs(to.service);
            t.ok("address", `the private addresses of ${svc.name}'s tasks`);
            reached = this.deliver(sender, { kind: "ecs", svc }, to.port, t);
        } else {
            const store = this.model.dataStores.find((s) => s.name === to.name);
            if (!store) throw new ModelError(`no data store ${to.name} in the plan of ${this.model.stack}`);
            t.ok("address", `the private addresses of ${store.kind} ${store.name}`);
            reached = this.deliver(sender, { kind: "data-store", store }, to.port, t);
        }
        return { label: sender.label, reached, hops: t.hops, path: t.path, ...(t.target ? { target: t.target } : {}) };
    }

    // ---- sources ---------------------------------------------------------------------------

    private senders(source: Source): Sender[] {
        switch (source.kind) {
            case "internet":
                return [{ where: "outside", kind: "internet", label: "an internet address", node: "internet", insecure: source.insecure }];
            case "cidr":
                if (isIpv6(source.cidr)) throw new ModelError(`source ${source.cidr}: IPv6 sources are not modelled`);
                return [{ where: "outside", kind: "cidr", cidr: source.cidr, label: source.label ?? source.cidr, node: `cidr:${source.cidr}` }];
            case "cloudfront":
                return [{ where: "outside", kind: "cloudfront", label: "CloudFront origin-facing servers", node: "cloudfront" }];
            case "route53-health-checker":
                return [{ where: "outside", kind: "route53-health-checker", label: "Route53 health checkers", node: "route53-health-checkers" }];
            case "ecs": {
                const svc = this.ecs(source.service);
                return svc.subnetIds.map((id) => {
                    const subnet = this.subnet(id);
                    return {
                        where: "vpc" as const,
                        label: `${svc.name} task in ${subnet.name} (${subnet.az})`,
                        node: `ecs:${svc.name}`,
                        subnet,
                        securityGroupIds: svc.securityGroupIds,
                        publicIp: svc.assignPublicIp && this.defaultRoute(subnet)?.kind === "igw",
                    };
                });
            }
        }
    }

    private ecs(name: string): EcsService {
        const svc = this.model.ecsServices.find((s) => s.name === name);
        if (!svc) throw new ModelError(`no ECS service ${name} in the plan of ${this.model.stack} (${this.model.ecsServices.map((s) => s.name).join(", ")})`);
        return svc;
    }

    private subnet(id: string): Subnet {
        const s = this.model.vpc.subnets.find((x) => x.id === id);
        if (!s) throw new ModelError(`subnet ${id} is not a subnet of the VPC in the plan of ${this.model.stack}`);
        return s;
    }

    private defaultRoute(subnet: Subnet) {
        const table = this.model.vpc.routeTables.find((r) => r.id === subnet.routeTableId);
        return table?.routes.find((r) => r.destination === ANYWHERE_V4)?.target;
    }

    // ---- names -----------------------------------------------------------------------------

    /** Resolve a name as a client `inVpc` (or on the internet) would, following Route53 aliases. */
    private resolve(host: string, inVpc: boolean, t: Trace, depth = 0): Resolved | undefined {
        const h = host.toLowerCase().replace(/\.$/, "");
        if (depth > 5) { t.deny("DNS", `${h}: alias chain too long`); return undefined; }
        const records = this.model.records.filter((r) => r.name.toLowerCase() === h && r.aliasTarget && (r.type === "A" || r.type === "AAAA"));
        if (records.length) {
            const primary = records.find((r) => r.failover === "PRIMARY");
            const record = primary ?? records.find((r) => r.failover === "SECONDARY") ?? records[0];
            const how = record.failover === "SECONDARY"
                ? "its SECONDARY failover record (Route53 answers with it while the PRIMARY's health check fails)"
                : record.failover === "PRIMARY" ? "its PRIMARY failover record" : "an alias record";
            t.ok("DNS", `${h} → ${record.aliasTarget} (${how}, ${record.resourceName})`);
            return this.resolve(record.aliasTarget!, inVpc, t, depth + 1);
        }
        const lb = this.model.loadBalancers.find((l) => l.dnsName.toLowerCase() === h);
        if (lb) {
            t.ok("DNS", `${h} is load balancer ${lb.name} (${lb.internal ? "internal: private addresses" : "internet-facing: public addresses"})`);
            return { kind: "alb", lb };
        }
        const dist = this.model.distributions.find((d) => d.domainName.toLowerCase() === h);
        if (dist) {
            t.ok("DNS", `${h} is CloudFront distribution ${dist.name}`);
            return { kind: "cloudfront", dist };
        }
        const svc = this.model.ecsServices.find((s) => s.discoveryNames.some((n) => n.toLowerCase() === h));
        if (svc) {
            if (!inVpc) { t.deny("DNS", `${h} is a Cloud Map private DNS name: it resolves only inside the VPC`); return undefined; }
            t.ok("DNS", `${h} → the tasks of ${svc.name} (Cloud Map private DNS, inside the VPC)`);
            return { kind: "ecs", svc };
        }
        const store = this.model.dataStores.find((s) => s.endpoints.some((e) => e.toLowerCase() === h));
        if (store) {
            t.ok("DNS", `${h} → ${store.kind} ${store.name} (private addresses in ${store.subnetIds.length} subnets)`);
            return { kind: "data-store", store };
        }
        const ep = inVpc ? this.model.interfaceEndpoints.find((e) => e.dnsNames.some((n) => globMatch(n, h, false))) : undefined;
        if (ep) {
            t.ok("DNS", `${h} → interface endpoint ${ep.serviceName} (private DNS, inside the VPC)`);
            return { kind: "interface endpoint", ep };
        }
        const aws = /(?:^|\.)(s3|[a-z0-9-]+(?:\.[a-z0-9-]+)?)\.([a-z]{2}-[a-z]+-\d)\.amazonaws\.com$/.exec(h);
        if (aws) {
            const service = /(^|\.)s3\./.test(h) ? "s3" : aws[1];
            t.ok("DNS", `${h} → the public endpoint of AWS service ${service} in ${aws[2]}`);
            return { kind: "aws service", service: `com.amazonaws.${aws[2]}.${service}` };
        }
        t.deny("DNS", `${h}: no record in the plan resolves this name`);
        return undefined;
    }

    // ---- network ---------------------------------------------------------------------------

    /** Open a TCP connection to `dest` on `port` and report what is reached (without HTTP routing). */
    private deliver(sender: Sender, dest: Resolved, port: number, t: Trace): Reached[] {
        const via = this.connect(sender, dest, port, t);
        if (via === undefined) return [];
        switch (dest.kind) {
            case "ecs":
                if (!dest.svc.containerPorts.includes(port)) { t.deny("port", `${dest.svc.name}'s containers listen on ${dest.svc.containerPorts.join(", ")}, not ${port}`); return []; }
                t.visit(`ecs:${dest.svc.name}`);
                return [{ kind: "ecs", name: dest.svc.name, colour: dest.svc.colour, via: via.how }];
            case "data-store":
                if (port !== dest.store.port) { t.deny("port", `${dest.store.kind} ${dest.store.name} listens on ${dest.store.port}, not ${port}`); return []; }
                t.visit(`${dest.store.kind}:${dest.store.name}`);
                return [{ kind: dest.store.kind, name: dest.store.name, via: via.how }];
            case "interface endpoint":
                if (port !== 443) { t.deny("port", `interface endpoints answer on 443, not ${port}`); return []; }
                t.visit(`endpoint:${dest.ep.serviceName}`);
                return [{ kind: "interface endpoint", name: dest.ep.serviceName, via: via.how }];
            case "aws service":
                t.visit(`aws:${dest.service}`);
                return [{ kind: "aws service", name: dest.service, via: via.how }];
            default:
                throw new ModelError(`a ${dest.kind} is reached over HTTP(S); use a url destination`);
        }
    }

    /**
     * The network hop: route from the sender to the destination's address, the sender's egress
     * rules, the destination's ingress rules. Returns how the packet arrived (its source as the
     * destination sees it), or undefined when refused.
     */
    private connect(sender: Sender, dest: Resolved, port: number, t: Trace): { how: string; arrivesAs: Sender } | undefined {
        const placement = this.placementOf(dest);
        t.target = { alb: `alb:${port}`, cloudfront: "cloudfront" }[dest.kind as string]
            ?? (dest.kind === "ecs" ? `ecs:${dest.svc.name}` : dest.kind === "data-store" ? `${dest.store.kind}:${dest.store.name}`
                : dest.kind === "interface endpoint" ? `endpoint:${dest.ep.serviceName}` : `aws:${(dest as { service: string }).service}`);
        if (sender.where === "outside") {
            if (!placement.public) return void t.deny("address", `${placement.label}: no public address (${placement.why}); ${sender.label} cannot reach it`);
            t.ok("address", `${placement.label}: public addresses`);
            return this.admit(sender, placement, port, t) ? { how: "internet", arrivesAs: sender } : undefined;
        }
        // From inside the VPC.
        if (placement.private) {
            t.ok("route", `${sender.subnet.name} → ${placement.label}: local route (${this.model.vpc.cidr})`);
            if (!this.egress(sender, placement, port, "private", t)) return undefined;
            return this.admit(sender, placement, port, t) ? { how: "local", arrivesAs: sender } : undefined;
        }
        const table = this.model.vpc.routeTables.find((r) => r.id === sender.subnet.routeTableId);
        if (dest.kind === "aws service") {
            const viaEndpoint = table?.routes.find((r) => r.destination === `service:${dest.service}`);
            if (viaEndpoint) {
                t.ok("route", `${sender.subnet.name}'s route table sends ${dest.service}'s prefix list to gateway endpoint ${viaEndpoint.target.id}`);
                t.visit(`gateway-endpoint:${dest.service}`);
                return this.egress(sender, placement, port, "public", t) ? { how: "gateway endpoint", arrivesAs: sender } : undefined;
            }
        }
        const route = table?.routes.find((r) => r.destination === ANYWHERE_V4);
        if (!route) return void t.deny("route", `${sender.subnet.name}'s route table has no route to ${placement.label}'s public addresses (no 0.0.0.0/0 route)`);
        if (route.target.kind === "nat") {
            const nat = this.model.vpc.natGateways.find((n) => n.id === route.target.id);
            if (!nat) return void t.deny("route", `${sender.subnet.name} routes 0.0.0.0/0 to NAT gateway ${route.target.id}, which is not in the plan`);
            const natSubnet = this.subnet(nat.subnetId);
            if (this.defaultRoute(natSubnet)?.kind !== "igw") return void t.deny("route", `NAT gateway ${nat.id} sits in ${natSubnet.name}, which has no route to an internet gateway`);
            if (!this.egress(sender, placement, port, "public", t)) return undefined;
            if (!nat.publicIp) return void t.deny("route", `NAT gateway ${nat.id} has no Elastic IP in the plan`);
            t.ok("route", `${sender.subnet.name} → NAT gateway in ${natSubnet.name} (${natSubnet.az}); the packet now comes from its Elastic IP ${nat.publicIp}`);
            const translated: Sender = { where: "outside", kind: "cidr", cidr: `${nat.publicIp}/32`, label: `the NAT gateway's address ${nat.publicIp}`, node: `nat:${natSubnet.az}` };
            t.visit(translated.node);
            return this.admit(translated, placement, port, t) ? { how: "NAT gateway", arrivesAs: translated } : undefined;
        }
        if (route.target.kind === "igw") {
            if (!sender.publicIp) return void t.deny("route", `${sender.subnet.name} routes to the internet gateway, but ${sender.label} has no public IP`);
            if (!this.egress(sender, placement, port, "public", t)) return undefined;
            t.ok("route", `${sender.subnet.name} → internet gateway with the task's public IP`);
            const outside: Sender = { where: "outside", kind: "internet", label: `${sender.label}'s public IP`, node: sender.node };
            return this.admit(outside, placement, port, t) ? { how: "internet", arrivesAs: outside } : undefined;
        }
        return void t.deny("route", `${sender.subnet.name}'s default route goes to ${route.target.kind} ${route.target.id}`);
    }

    private placementOf(dest: Resolved): { label: string; public: boolean; private: boolean; why?: string; securityGroupIds: string[]; subnetIds: string[] } {
        switch (dest.kind) {
            case "alb": {
                const lb = dest.lb;
                const publicSubnets = lb.subnetIds.every((id) => this.defaultRoute(this.subnet(id))?.kind === "igw");
                return {
                    label: `load balancer ${lb.name}`,
                    public: !lb.internal && publicSubnets,
                    private: lb.internal,
                    why: lb.internal ? "internal load balancer" : "its subnets have no internet gateway route",
                    securityGroupIds: lb.securityGroupIds,
                    subnetIds: lb.subnetIds,
                };
            }
            case "ecs": {
                const pub = dest.svc.assignPublicIp && dest.svc.subnetIds.every((id) => this.defaultRoute(this.subnet(id))?.kind === "igw");
                return { label: `${dest.svc.name}'s tasks`, public: pub, private: true, why: "tasks get no public IP (assignPublicIp false) and sit in subnets without an internet gateway route", securityGroupIds: dest.svc.securityGroupIds, subnetIds: dest.svc.subnetIds };
            }
            case "data-store":
                return { label: `${dest.store.kind} ${dest.store.name}`, public: false, private: true, why: "its nodes have private addresses in subnets without an internet route", securityGroupIds: dest.store.securityGroupIds, subnetIds: dest.store.subnetIds };
            case "interface endpoint":
                return { label: `interface endpoint ${dest.ep.serviceName}`, public: false, private: true, why: "endpoint network interfaces have private addresses only", securityGroupIds: dest.ep.securityGroupIds, subnetIds: dest.ep.subnetIds };
            case "cloudfront":
                return { label: `CloudFront distribution ${dest.dist.name}`, public: true, private: false, securityGroupIds: [], subnetIds: [] };
            case "aws service":
                return { label: `AWS service ${dest.service}`, public: true, private: false, securityGroupIds: [], subnetIds: [] };
        }
    }

    private portMatch(rule: { protocol: string; fromPort: number; toPort: number }, port: number): boolean {
        if (rule.protocol === "-1" || rule.protocol === "all") return true;
        return (rule.protocol === "tcp" || rule.protocol === "6") && rule.fromPort <= port && port <= rule.toPort;
    }

    private group(id: string): SecurityGroup {
        const g = this.groups.get(id);
        if (!g) throw new ModelError(`security group ${id} is attached but not in the plan of ${this.model.stack}`);
        return g;
    }

    /** A prefix list's ranges are not in the plan: judging a flow such a rule could admit would be a guess. */
    private refusePrefixLists(groupIds: string[], direction: "ingress" | "egress", port: number): void {
        for (const g of groupIds.map((id) => this.group(id))) {
            const r = g.rules.find((x) => x.direction === direction && x.prefixList && this.portMatch(x, port));
            if (r) throw new ModelError(`security group rule ${r.name} of ${g.name} uses prefix list ${r.prefixList}: prefix-list rules are not modelled, so this flow cannot be judged`);
        }
    }

    /** The sender's egress rules towards the destination (private addresses, or "any public address"). */
    private egress(sender: Extract<Sender, { where: "vpc" }>, dest: { label: string; securityGroupIds: string[]; subnetIds: string[] }, port: number, addresses: "private" | "public", t: Trace): boolean {
        const destSubnets = dest.subnetIds.map((id) => this.subnet(id).cidr);
        this.refusePrefixLists(sender.securityGroupIds, "egress", port);
        for (const g of sender.securityGroupIds.map((id) => this.group(id))) {
            for (const r of g.rules.filter((x) => x.direction === "egress" && this.portMatch(x, port))) {
                const byGroup = addresses === "private" && r.peer !== undefined && dest.securityGroupIds.includes(r.peer);
                const byCidr = r.cidr !== undefined && !isIpv6(r.cidr) && (addresses === "public" ? r.cidr === ANYWHERE_V4 : destSubnets.length > 0 && destSubnets.every((c) => contains(r.cidr!, c)));
                if (byGroup || byCidr) return t.ok("egress", `${g.name} allows tcp/${port} to ${byGroup ? `group ${this.group(r.peer!).name}` : r.cidr} (${r.name})`);
            }
        }
        const to = addresses === "public" ? "a public address (needs 0.0.0.0/0: the destination's public addresses are not fixed)" : dest.label;
        return t.deny("egress", `no egress rule of ${sender.securityGroupIds.map((id) => this.group(id).name).join(", ")} allows tcp/${port} to ${to}`);
    }

    /** The destination's ingress rules for the packet's source as it arrives. */
    private admit(sender: Sender, dest: { label: string; securityGroupIds: string[] }, port: number, t: Trace): boolean {
        if (!dest.securityGroupIds.length) return true;
        this.refusePrefixLists(dest.securityGroupIds, "ingress", port);
        for (const g of dest.securityGroupIds.map((id) => this.group(id))) {
            for (const r of g.rules.filter((x) => x.direction === "ingress" && this.portMatch(x, port))) {
                let match = false;
                if (sender.where === "vpc") {
                    match = (r.peer !== undefined && sender.securityGroupIds.includes(r.peer)) || (r.cidr !== undefined && !isIpv6(r.cidr) && contains(r.cidr, sender.subnet.cidr));
                } else if (r.cidr !== undefined && !isIpv6(r.cidr)) {
                    match = sender.cidr ? contains(r.cidr, sender.cidr) : r.cidr === ANYWHERE_V4;
                }
                if (match) return t.ok("ingress", `${g.name} admits tcp/${port} from ${r.peer ? `group ${this.group(r.peer).name}` : r.cidr} (${r.name})`);
            }
        }
        return t.deny("ingress", `no ingress rule of ${dest.securityGroupIds.map((id) => this.group(id).name).join(", ")} admits tcp/${port} from ${sender.label}`);
    }

    // ---- HTTP ------------------------------------------------------------------------------

    private http(sender: Sender, req: Http, t: Trace): Reached[] {
        const dest = this.resolve(req.host, sender.where === "vpc", t);
        if (!dest) return [];
        switch (dest.kind) {
            case "cloudfront": return this.viaCloudFront(sender, dest.dist, req, t);
            case "alb": return this.viaLoadBalancer(sender, dest.lb, req, t);
            default: return this.deliver(sender, dest, req.port, t);
        }
    }

    private viaCloudFront(sender: Sender, dist: Distribution, req: Http, t: Trace): Reached[] {
        if (CLOUDFRONT_VIEWER_PORTS[req.scheme] !== req.port) {
            t.deny("CloudFront", `${dist.name} accepts ${req.scheme.toUpperCase()} on port ${CLOUDFRONT_VIEWER_PORTS[req.scheme]} only, not ${req.port}`);
            return [];
        }
        if (this.connect(sender, { kind: "cloudfront", dist }, req.port, t) === undefined) return [];
        t.visit("cloudfront");
        if (!dist.enabled) { t.deny("CloudFront", `${dist.name} is disabled`); return []; }
        if (!dist.aliases.includes(req.host) && dist.domainName !== req.host) {
            t.deny("CloudFront", `${req.host} is not an alternate domain name of ${dist.name} (${dist.aliases.join(", ")})`);
            return [];
        }
        const behavior = dist.behaviors.find((b) => globMatch(b.pathPattern.startsWith("/") ? b.pathPattern : `/${b.pathPattern}`, req.path, true))
            ?? { pathPattern: "*", ...dist.defaultBehavior };
        if (req.scheme === "http" && behavior.viewerProtocolPolicy !== "allow-all") {
            t.deny("CloudFront", `behaviour ${behavior.pathPattern} answers HTTP with ${behavior.viewerProtocolPolicy === "redirect-to-https" ? "a redirect to HTTPS" : "403"}`);
            return [];
        }
        const origin = dist.origins.find((o) => o.id === behavior.originId);
        if (!origin) { t.deny("CloudFront", `behaviour ${behavior.pathPattern} names origin ${behavior.originId}, which the distribution lacks`); return []; }
        if (!origin.custom) {
            t.ok("CloudFront", `${req.path} matches behaviour ${behavior.pathPattern} → S3 origin ${origin.domainName}`);
            return [{ kind: "s3 origin", name: origin.domainName, via: "CloudFront" }];
        }
        const scheme = origin.custom.protocolPolicy === "https-only" ? "https" : origin.custom.protocolPolicy === "http-only" ? "http" : req.scheme;
        const port = scheme === "https" ? origin.custom.httpsPort : origin.custom.httpPort;
        const added = Object.keys(origin.headers);
        t.ok("CloudFront", `${req.path} matches behaviour ${behavior.pathPattern} → origin ${origin.id}: ${scheme.toUpperCase()} to ${origin.domainName}:${port}${added.length ? `, adding header ${added.join(", ")}` : ""}`);
        // The origin request: viewer headers (bar Host) plus the origin's custom headers.
        const { host: _host, Host: _Host, ...viewerHeaders } = req.headers;
        const originRequest: Http = { scheme, host: origin.domainName.toLowerCase(), port, path: req.path, headers: { ...viewerHeaders, ...origin.headers } };
        const edge: Sender = { where: "outside", kind: "cloudfront", label: "CloudFront origin-facing servers", node: "cloudfront" };
        return this.http(edge, originRequest, t);
    }

    private viaLoadBalancer(sender: Sender, lb: LoadBalancer, req: Http, t: Trace): Reached[] {
        const listener = lb.listeners.find((l) => l.port === req.port);
        if (this.connect(sender, { kind: "alb", lb }, req.port, t) === undefined) return [];
        t.visit(`alb:${req.port}`);
        if (!listener) { t.deny("listener", `${lb.name} has no listener on port ${req.port} (${lb.listeners.map((l) => l.port).join(", ")})`); return []; }
        if ((listener.protocol === "HTTPS") !== (req.scheme === "https")) {
            t.deny("listener", `${listener.name} on ${req.port} speaks ${listener.protocol}, the request ${req.scheme.toUpperCase()}`);
            return [];
        }
        if (listener.protocol === "HTTPS") {
            if (sender.where === "outside" && sender.kind === "route53-health-checker") {
                t.ok("TLS", `${listener.name}: Route53 health checks do not require the certificate to match ${req.host}`);
            } else if (sender.where === "outside" && sender.insecure) {
                t.ok("TLS", `${sender.label} ignores the certificate's names (as an attacker would)`);
            } else if (!certificateCovers(listener.certificateNames, req.host)) {
                t.deny("TLS", `${listener.name}'s certificate covers ${listener.certificateNames.join(", ") || "nothing"}, not ${req.host}: the client refuses the connection`);
                return [];
            } else {
                t.ok("TLS", `${listener.name}'s certificate covers ${req.host}`);
            }
        }
        const rule = listener.rules.find((r) => this.conditionsMatch(r.conditions, req, sender, r.name));
        const actions = rule ? rule.actions : listener.defaultActions;
        const by = rule ? `rule ${rule.name} (priority ${rule.priority})` : `${listener.name}'s default action`;
        const action = actions[actions.length - 1];
        if (!action) { t.deny("rule", `${by} has no action`); return []; }
        if (action.type === "fixed-response") {
            t.deny("rule", `${by} answers ${action.fixedResponse?.statusCode ?? "a fixed response"}${rule ? "" : " (no rule matched)"}`);
            return [];
        }
        if (action.type === "redirect") {
            t.deny("rule", `${by} redirects (${action.redirect?.statusCode ?? "3xx"}) to ${action.redirect?.protocol ?? req.scheme}:${action.redirect?.port ?? req.port}`);
            return [];
        }
        if (action.type !== "forward") throw new ModelError(`${by}: action ${action.type} is not modelled`);
        const groups: { arn: string; weight: number }[] = action.forward?.targetGroups
            ? action.forward.targetGroups.map((g: any) => ({ arn: String(g.arn), weight: Number(g.weight ?? 1) }))
            : [{ arn: String(action.targetGroupArn), weight: 1 }];
        const live = groups.filter((g) => g.weight > 0);
        const tgName = (arn: string) => this.model.targetGroups.find((g) => g.arn === arn)?.name ?? arn;
        t.ok("rule", `${by} forwards to ${groups.map((g) => `${tgName(g.arn)}${groups.length > 1 ? ` (weight ${g.weight})` : ""}`).join(", ")}`);
        if (!live.length) { t.deny("rule", `${by}: every target group has weight 0`); return []; }
        const reached: Reached[] = [];
        for (const g of live) {
            const targets = this.model.ecsServices.filter((s) => s.targetGroups.some((x) => x.arn === g.arn));
            if (!targets.length) { t.deny("targets", `target group ${tgName(g.arn)} has no ECS service registered`); continue; }
            for (const svc of targets) {
                const port = svc.targetGroups.find((x) => x.arn === g.arn)!.containerPort;
                // The load balancer's nodes sit in each of its subnets: every one must reach the task.
                const ok = lb.subnetIds.every((id) => {
                    const node: Sender = { where: "vpc", label: `${lb.name} node in ${this.subnet(id).name}`, node: `alb:${req.port}`, subnet: this.subnet(id), securityGroupIds: lb.securityGroupIds, publicIp: false };
                    const sub = new Trace(`${tgName(g.arn)} → ${svc.name}: `);
                    const done = this.connect(node, { kind: "ecs", svc }, port, sub) !== undefined;
                    // One subnet's hops are enough to explain a success; a failure is shown in full.
                    if (!done || id === lb.subnetIds[0]) t.hops.push(...sub.hops);
                    return done;
                });
                if (!ok) continue;
                if (!svc.containerPorts.includes(port)) { t.deny("targets", `${svc.name} registers port ${port}, but its containers listen on ${svc.containerPorts.join(", ")}`); continue; }
                if (svc.desiredCount === 0) t.ok("targets", `${svc.name} runs 0 tasks in this config (a rollout starts it before the smoke tests)`);
                t.visit(`ecs:${svc.name}`);
                reached.push({ kind: "ecs", name: svc.name, colour: svc.colour, via: "load balancer" });
            }
        }
        return reached;
    }

    private conditionsMatch(conditions: any[], req: Http, sender: Sender, rule: string): boolean {
        return conditions.every((c) => {
            if (c.pathPattern) return c.pathPattern.values.some((v: string) => globMatch(v, req.path, true));
            if (c.hostHeader) return c.hostHeader.values.some((v: string) => globMatch(v, req.host, false));
            if (c.httpHeader) {
                const name = String(c.httpHeader.httpHeaderName).toLowerCase();
                const value = Object.entries(req.headers).find(([k]) => k.toLowerCase() === name)?.[1];
                return value !== undefined && c.httpHeader.values.some((v: string) => globMatch(v, value, false));
            }
            if (c.sourceIp) {
                if (sender.where !== "outside" || !sender.cidr) return c.sourceIp.values.includes(ANYWHERE_V4);
                return c.sourceIp.values.some((v: string) => contains(v, sender.cidr!));
            }
            throw new ModelError(`listener rule ${rule}: condition ${Object.keys(c).join(", ")} is not modelled`);
        });
    }
}

/** Evaluate one request over a model. */
export function evaluate(model: NetworkModel, request: Request): Evaluation {
    return new Evaluator(model).evaluate(request);
}
