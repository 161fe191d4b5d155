// Level L2 support: the reachability evaluator on small hand-built networks (pure, no engine).
// Each case changes one thing from a network where the flow works and checks the hop that refuses it.
import { strict as assert } from "assert";
import { certificateCovers, evaluate, globMatch, type Request } from "../../tools/reachability/evaluate";
import { ModelError, type NetworkModel, type SgRule } from "../../tools/reachability/model";

const rule = (name: string, direction: "ingress" | "egress", port: number, target: Partial<SgRule>): SgRule =>
    ({ name, direction, protocol: "tcp", fromPort: port, toPort: port, ...target });

/** A VPC with one public, one private and one isolated subnet, an ALB in front of api tasks, a NAT gateway. */
function network(): NetworkModel {
    const tg = "arn:tg/api";
    return {
        stack: "unit",
        region: "us-east-1",
        vpc: {
            id: "vpc-1",
            cidr: "10.0.0.0/16",
            subnets: [
                { id: "pub", cidr: "10.0.1.0/24", az: "a", name: "public-a", routeTableId: "rt-pub" },
                { id: "prv", cidr: "10.0.2.0/24", az: "a", name: "private-a", routeTableId: "rt-prv" },
                { id: "iso", cidr: "10.0.3.0/24", az: "a", name: "isolated-a", routeTableId: "rt-iso" },
            ],
            routeTables: [
                { id: "rt-pub", routes: [{ destination: "0.0.0.0/0", target: { kind: "igw", id: "igw-1" } }] },
                { id: "rt-prv", routes: [{ destination: "0.0.0.0/0", target: { kind: "nat", id: "nat-1" } }, { destination: "service:com.amazonaws.us-east-1.s3", target: { kind: "vpce", id: "vpce-s3" } }] },
                { id: "rt-iso", routes: [] },
            ],
            natGateways: [{ id: "nat-1", subnetId: "pub", publicIp: "192.0.2.10" }],
            internetGatewayIds: ["igw-1"],
        },
        securityGroups: [
            { id: "sg-alb", name: "alb-sg", rules: [
                rule("alb-443", "ingress", 443, { cidr: "0.0.0.0/0" }),
                rule("alb-8443-ci", "ingress", 8443, { cidr: "203.0.113.0/24" }),
                rule("alb-8443-nat", "ingress", 8443, { cidr: "192.0.2.10/32" }),
                rule("alb-to-api", "egress", 5000, { peer: "sg-api" }),
            ] },
            { id: "sg-api", name: "api-sg", rules: [
                rule("api-from-alb", "ingress", 5000, { peer: "sg-alb" }),
                rule("api-8443-out", "egress", 8443, { cidr: "0.0.0.0/0" }),
                rule("api-443-out", "egress", 443, { cidr: "0.0.0.0/0" }),
                rule("api-to-db", "egress", 27017, { peer: "sg-db" }),
            ] },
            { id: "sg-db", name: "db-sg", rules: [rule("db-from-api", "ingress", 27017, { peer: "sg-api" })] },
        ],
        loadBalancers: [{
            name: "alb", arn: "arn:lb", dnsName: "alb-1.us-east-1.elb.amazonaws.com", internal: false, subnetIds: ["pub"], securityGroupIds: ["sg-alb"],
            listeners: [
                {
                    name: "https", arn: "arn:l443", port: 443, protocol: "HTTPS", certificateNames: ["app.example.com", "origin.example.com", "*.example.org"],
                    defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "403" } }],
                    rules: [
                        { name: "health", priority: 1, conditions: [{ pathPattern: { values: ["/health"] } }], actions: [{ type: "forward", targetGroupArn: tg }] },
                        { name: "origin", priority: 10, conditions: [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["s3cret"] } }], actions: [{ type: "forward", forward: { targetGroups: [{ arn: tg, weight: 100 }, { arn: "arn:tg/idle", weight: 0 }] } }] },
                    ],
                },
                { name: "test", arn: "arn:l8443", port: 8443, protocol: "HTTPS", certificateNames: ["app.example.com", "*.example.org"], defaultActions: [{ type: "forward", targetGroupArn: tg }], rules: [] },
            ],
        }],
        targetGroups: [{ name: "api", arn: tg, port: 5000, protocol: "HTTP" }, { name: "idle", arn: "arn:tg/idle", port: 5000, protocol: "HTTP" }],
        ecsServices: [{
            name: "api", logicalName: "api", service: "api", colour: "blue", subnetIds: ["prv"], securityGroupIds: ["sg-api"], assignPublicIp: false,
            desiredCount: 2, targetGroups: [{ arn: tg, containerPort: 5000 }], discoveryNames: ["api.service.local"], containerPorts: [5000], environment: {}, image: "x",
        }],
        dataStores: [{ kind: "DocumentDB", name: "db", endpoints: ["db.cluster.docdb.amazonaws.com"], port: 27017, subnetIds: ["iso"], securityGroupIds: ["sg-db"] }],
        interfaceEndpoints: [],
        records: [
            { name: "app.example.com", type: "A", aliasTarget: "d1.cloudfront.net", resourceName: "cdn-alias" },
            { name: "origin.example.com", type: "A", aliasTarget: "alb-1.us-east-1.elb.amazonaws.com", failover: "PRIMARY", resourceName: "primary" },
            { name: "origin.example.com", type: "A", aliasTarget: "elsewhere.us-west-2.elb.amazonaws.com", failover: "SECONDARY", resourceName: "secondary" },
            { name: "direct.example.org", type: "A", aliasTarget: "alb-1.us-east-1.elb.amazonaws.com", resourceName: "direct" },
        ],
        distributions: [{
            name: "cdn", domainName: "d1.cloudfront.net", aliases: ["app.example.com"], enabled: true,
            origins: [
                { id: "alb", domainName: "origin.example.com", custom: { httpPort: 80, httpsPort: 443, protocolPolicy: "https-only" }, headers: { "X-Origin-Verify": "s3cret" } },
                { id: "static", domainName: "assets.s3.us-east-1.amazonaws.com", headers: {} },
            ],
            defaultBehavior: { originId: "alb", viewerProtocolPolicy: "redirect-to-https" },
            behaviors: [{ pathPattern: "/static/*", originId: "static", viewerProtocolPolicy: "redirect-to-https" }],
        }],
        healthChecks: [],
    };
}

function run(model: NetworkModel, request: Request) {
    const p = evaluate(model, request).placements[0];
    const denied = p.hops.find((h) => !h.ok);
    return { reached: p.reached.map((r) => r.name), denied: denied && `${denied.step}: ${denied.detail}`, p };
}

const viaCdn = (path = "/api", port = ""): Request => ({ source: { kind: "internet" }, to: { kind: "url", url: `https://app.example.com${port}${path}` } });
const smokeInVpc: Request = { source: { kind: "ecs", service: "api" }, to: { kind: "url", url: "https://direct.example.org:8443/health" } };

describe("reachability evaluator", () => {
    it("follows internet → CloudFront → origin (failover PRIMARY) → ALB with the origin header → task", () => {
        const r = run(network(), viaCdn());
        assert.deepEqual(r.reached, ["api"]);
        assert.equal(r.denied, undefined);
        assert.deepEqual(r.p.path, ["internet", "cloudfront", "alb:443", "ecs:api"]);
        assert.ok(r.p.hops.some((h) => /PRIMARY failover record/.test(h.detail)));
        assert.ok(r.p.hops.some((h) => h.step === "rule" && /rule origin .* forwards to api \(weight 100\), idle \(weight 0\)/.test(h.detail)));
        // Header values are secrets: hops name the header only.
        assert.ok(r.p.hops.every((h) => !h.detail.includes("s3cret")));
    });

    it("refuses a port CloudFront does not serve, with the reason", () => {
        assert.match(run(network(), viaCdn("/health", ":8443")).denied!, /^CloudFront: cdn accepts HTTPS on port 443 only, not 8443/);
    });

    it("sends /static/* to the S3 origin and never to the load balancer", () => {
        const r = run(network(), viaCdn("/static/app.js"));
        assert.deepEqual(r.reached, ["assets.s3.us-east-1.amazonaws.com"]);
        assert.ok(!r.p.path.some((n) => n.startsWith("alb")));
    });

    it("answers 403 to a request without the origin header, and forwards /health without it", () => {
        const direct = (path: string): Request => ({ source: { kind: "internet" }, to: { kind: "url", url: `https://direct.example.org${path}` } });
        assert.match(run(network(), direct("/api")).denied!, /^rule: https's default action answers 403/);
        assert.deepEqual(run(network(), direct("/health")).reached, ["api"]);
        // Header names are case-insensitive, values must match; a wrong value is refused.
        const withHeader = (v: string): Request => ({ source: { kind: "internet" }, to: { kind: "url", url: "https://direct.example.org/api", headers: { "x-origin-verify": v } } });
        assert.deepEqual(run(network(), withHeader("s3cret")).reached, ["api"]);
        assert.match(run(network(), withHeader("guess")).denied!, /answers 403/);
        // Path patterns are case-sensitive.
        assert.match(run(network(), direct("/HEALTH")).denied!, /answers 403/);
    });

    it("checks the certificate for clients that verify it, not for an attacker or Route53's health checkers", () => {
        const alb = "https://alb-1.us-east-1.elb.amazonaws.com/health";
        assert.match(run(network(), { source: { kind: "internet" }, to: { kind: "url", url: alb } }).denied!, /^TLS: https's certificate covers app\.example\.com, origin\.example\.com, \*\.example\.org, not alb-1/);
        assert.deepEqual(run(network(), { source: { kind: "internet", insecure: true }, to: { kind: "url", url: alb } }).reached, ["api"]);
        assert.deepEqual(run(network(), { source: { kind: "route53-health-checker" }, to: { kind: "url", url: alb } }).reached, ["api"]);
    });

    it("admits the test listener from the configured CIDR and refuses the rest of the internet at the security group", () => {
        const test = (source: Request["source"]) => run(network(), { source, to: { kind: "url", url: "https://direct.example.org:8443/health" } });
        assert.deepEqual(test({ kind: "cidr", cidr: "203.0.113.0/24" }).reached, ["api"]);
        assert.deepEqual(test({ kind: "cidr", cidr: "203.0.113.128/25" }).reached, ["api"], "a narrower range inside the rule");
        assert.match(test({ kind: "cidr", cidr: "203.0.112.0/23" }).denied!, /^ingress: no ingress rule of alb-sg admits tcp\/8443 from 203\.0\.112\.0\/23/);
        assert.match(test({ kind: "internet", insecure: true }).denied!, /^ingress: .*from an internet address/);
    });

    it("translates a task's address to the NAT gateway's Elastic IP on the way to an internet-facing ALB", () => {
        const ok = run(network(), smokeInVpc);
        assert.deepEqual(ok.reached, ["api"]);
        assert.ok(ok.p.hops.some((h) => /now comes from its Elastic IP 192\.0\.2\.10/.test(h.detail)));
        assert.ok(ok.p.hops.some((h) => h.step === "ingress" && /from 192\.0\.2\.10\/32 \(alb-8443-nat\)/.test(h.detail)));
        assert.deepEqual(ok.p.path, ["ecs:api", "nat:a", "alb:8443", "ecs:api"]);
        // A rule for the VPC's own CIDR does not admit it: the packet arrives from the NAT's address.
        const vpcOnly = network();
        vpcOnly.securityGroups[0].rules = vpcOnly.securityGroups[0].rules.map((r) => (r.name === "alb-8443-nat" ? { ...r, cidr: "10.0.0.0/16" } : r));
        assert.match(run(vpcOnly, smokeInVpc).denied!, /^ingress: no ingress rule of alb-sg admits tcp\/8443 from the NAT gateway's address 192\.0\.2\.10/);
    });

    it("needs the sender's egress rule as well as the receiver's ingress rule (both directions of each hop)", () => {
        const noEgress = network();
        noEgress.securityGroups[1].rules = noEgress.securityGroups[1].rules.filter((r) => r.name !== "api-8443-out");
        assert.match(run(noEgress, smokeInVpc).denied!, /^egress: no egress rule of api-sg allows tcp\/8443 to a public address/);
        const noAlbEgress = network();
        noAlbEgress.securityGroups[0].rules = noAlbEgress.securityGroups[0].rules.filter((r) => r.name !== "alb-to-api");
        assert.match(run(noAlbEgress, viaCdn()).denied!, /^api → api: egress: no egress rule of alb-sg allows tcp\/5000 to api's tasks/);
        const noDbIngress = network();
        noDbIngress.securityGroups[2].rules = [];
        assert.match(run(noDbIngress, { source: { kind: "ecs", service: "api" }, to: { kind: "tcp", host: "db.cluster.docdb.amazonaws.com", port: 27017 } }).denied!, /^ingress: no ingress rule of db-sg admits tcp\/27017 from api task/);
    });

    it("reaches a data store over the local route and refuses it from the internet and on another port", () => {
        const fromTask = (port: number): Request => ({ source: { kind: "ecs", service: "api" }, to: { kind: "tcp", host: "db.cluster.docdb.amazonaws.com", port } });
        const ok = run(network(), fromTask(27017));
        assert.deepEqual(ok.reached, ["db"]);
        assert.ok(ok.p.hops.some((h) => h.step === "route" && /local route \(10\.0\.0\.0\/16\)/.test(h.detail)));
        assert.match(run(network(), fromTask(5432)).denied!, /^egress: no egress rule of api-sg allows tcp\/5432/);
        assert.match(run(network(), { source: { kind: "internet", insecure: true }, to: { kind: "data-store", name: "db", port: 27017 } }).denied!, /^address: DocumentDB db: no public address/);
    });

    it("uses the S3 gateway endpoint where the subnet's route table has it, the NAT gateway otherwise", () => {
        const s3: Request = { source: { kind: "ecs", service: "api" }, to: { kind: "url", url: "https://bucket.s3.us-east-1.amazonaws.com/" } };
        assert.equal(evaluate(network(), s3).placements[0].reached[0].via, "gateway endpoint");
        const noEndpoint = network();
        noEndpoint.vpc.routeTables[1].routes = noEndpoint.vpc.routeTables[1].routes.filter((r) => r.target.kind !== "vpce");
        assert.equal(evaluate(noEndpoint, s3).placements[0].reached[0].via, "NAT gateway");
    });

    it("refuses the internet from an isolated subnet (no default route) and a task without a public IP behind an internet gateway", () => {
        const isolated = network();
        isolated.ecsServices[0].subnetIds = ["iso"];
        assert.match(run(isolated, smokeInVpc).denied!, /^route: isolated-a's route table has no route/);
        const publicSubnet = network();
        publicSubnet.ecsServices[0].subnetIds = ["pub"];
        assert.match(run(publicSubnet, smokeInVpc).denied!, /^route: public-a routes to the internet gateway, but .* has no public IP/);
    });

    it("resolves Cloud Map names inside the VPC only, and refuses a port the containers do not listen on", () => {
        assert.deepEqual(run(network(), { source: { kind: "ecs", service: "api" }, to: { kind: "tcp", host: "api.service.local", port: 5000 } }).reached, []);
        const inside = network();
        inside.securityGroups[1].rules.push(rule("self", "ingress", 5000, { peer: "sg-api" }), rule("self-out", "egress", 5000, { peer: "sg-api" }));
        assert.deepEqual(run(inside, { source: { kind: "ecs", service: "api" }, to: { kind: "tcp", host: "api.service.local", port: 5000 } }).reached, ["api"]);
        assert.match(run(inside, { source: { kind: "internet" }, to: { kind: "tcp", host: "api.service.local", port: 5000 } }).denied!, /^DNS: api\.service\.local is a Cloud Map private DNS name/);
        inside.securityGroups[1].rules.push(rule("self-6000", "ingress", 6000, { peer: "sg-api" }), rule("self-out-6000", "egress", 6000, { peer: "sg-api" }));
        assert.match(run(inside, { source: { kind: "ecs", service: "api" }, to: { kind: "ecs-task", service: "api", port: 6000 } }).denied!, /^port: api's containers listen on 5000, not 6000/);
    });

    it("follows the SECONDARY failover record when the plan holds no PRIMARY (the dr side)", () => {
        const dr = network();
        dr.records = dr.records.filter((r) => r.failover !== "PRIMARY").map((r) => (r.failover ? { ...r, aliasTarget: "alb-1.us-east-1.elb.amazonaws.com" } : r));
        const r = run(dr, { source: { kind: "cloudfront" }, to: { kind: "url", url: "https://origin.example.com/api", headers: { "X-Origin-Verify": "s3cret" } } });
        assert.deepEqual(r.reached, ["api"]);
        assert.ok(r.p.hops.some((h) => /SECONDARY failover record \(Route53 answers with it while the PRIMARY's health check fails\)/.test(h.detail)));
    });

    it("refuses to judge rules it does not model rather than guess", () => {
        const withPrefixList = network();
        withPrefixList.securityGroups[0].rules.push(rule("pl", "ingress", 443, { prefixList: "pl-123" }));
        assert.throws(() => evaluate(withPrefixList, viaCdn()), (e: Error) => e instanceof ModelError && /rule pl of alb-sg uses prefix list pl-123: prefix-list rules are not modelled/.test(e.message));
        const m = network();
        m.loadBalancers[0].listeners[0].rules[0].conditions = [{ queryString: { values: [{ key: "a", value: "b" }] } }];
        assert.throws(() => evaluate(m, viaCdn()), /condition queryString is not modelled/);
    });

    it("matches globs and certificate names as ALB and TLS clients do", () => {
        assert.ok(globMatch("/api/*", "/api/tasks/1", true));
        assert.ok(!globMatch("/api/*", "/API/tasks", true));
        assert.ok(globMatch("S?CRET", "secret", false));
        assert.ok(certificateCovers(["*.example.org"], "direct.example.org"));
        assert.ok(!certificateCovers(["*.example.org"], "a.b.example.org"));
        assert.ok(!certificateCovers(["*.example.org"], "example.org"));
        assert.ok(certificateCovers(["App.Example.com"], "app.example.com"));
    });
});
