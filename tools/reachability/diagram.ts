/**
 * The network picture of one stack as a Mermaid flowchart, drawn from the flow table's own results:
 * an arrow for every hop a required flow took, a dotted one for each refused flow. Nothing is drawn
 * by hand, so the picture cannot disagree with what the evaluator found.
 */
import type { FlowResult } from "./flows";
import type { NetworkModel } from "./model";

interface Node {
    id: string;
    label: string;
    /** "outside" or the subnet tier it sits in. */
    zone: "outside" | "public" | "private" | "isolated" | "vpc";
    shape: "round" | "box" | "db";
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9]/g, "_");

/** The node a path step stands for (NAT gateways and interface endpoints are drawn as one node each). */
function nodeOf(step: string, model: NetworkModel): Node {
    const [kind, ...rest] = step.split(":");
    const name = rest.join(":");
    switch (kind) {
        case "internet": return { id: "internet", label: "Internet", zone: "outside", shape: "round" };
        case "cidr": return { id: safe(`cidr ${name}`), label: `CI runners ${name}`, zone: "outside", shape: "round" };
        case "route53-health-checkers": return { id: "r53", label: "Route53 health checkers", zone: "outside", shape: "round" };
        case "cloudfront": return { id: "cloudfront", label: "CloudFront (origin header added)", zone: "outside", shape: "box" };
        case "nat": return { id: "nat", label: "NAT gateways (Elastic IPs)", zone: "public", shape: "box" };
        case "alb": return { id: safe(`alb ${name}`), label: name === "443" ? "ALB :443 (origin header or /health)" : name === "80" ? "ALB :80" : `ALB :${name} test listener`, zone: "public", shape: "box" };
        case "ecs": return { id: safe(`ecs ${name}`), label: name, zone: "private", shape: "box" };
        case "endpoint": return { id: "endpoints", label: "interface endpoints (ECR, Logs, Secrets Manager, SSM)", zone: "private", shape: "db" };
        case "gateway-endpoint": return { id: "s3gw", label: "S3 gateway endpoint", zone: "vpc", shape: "box" };
        case "aws": return { id: safe(`aws ${name}`), label: name.replace(/^com\.amazonaws\.[a-z0-9-]+\./, "").toUpperCase(), zone: "outside", shape: "db" };
        case "DocumentDB":
        case "Redis": return { id: safe(`${kind} ${name}`), label: `${kind} ${name}`, zone: "isolated", shape: "db" };
        default: throw new Error(`diagram: no node for path step ${step} (stack ${model.stack})`);
    }
}

const shaped = (n: Node) => (n.shape === "round" ? `${n.id}(["${n.label}"])` : n.shape === "db" ? `${n.id}[("${n.label}")]` : `${n.id}["${n.label}"]`);

/** The Mermaid source (without the fence). */
export function networkDiagram(model: NetworkModel, results: FlowResult[]): string {
    const nodes = new Map<string, Node>();
    const edges = new Map<string, string>();
    const add = (n: Node) => nodes.set(n.id, n);
    for (const r of results.filter((x) => x.ok && x.flow.kind === "required")) {
        for (const req of r.results) {
            for (const p of req.evaluation.placements) {
                const path = p.path.map((s) => nodeOf(s, model));
                path.forEach(add);
                for (let i = 1; i < path.length; i++) {
                    if (path[i - 1].id === path[i].id) continue;
                    edges.set(`${path[i - 1].id} --> ${path[i].id}`, `${path[i - 1].id} --> ${path[i].id}`);
                }
            }
        }
    }
    const refused: string[] = [];
    for (const r of results.filter((x) => x.ok && x.flow.kind === "refused")) {
        const p = r.results[0].evaluation.placements[0];
        const from = nodeOf(p.path[0], model);
        const dest = nodeOf(p.target ?? p.path[p.path.length - 1], model);
        add(from);
        add(dest);
        refused.push(`${from.id} -.->|"✗ ${r.flow.id}"| ${dest.id}`);
    }
    const zone = (z: Node["zone"]) => [...nodes.values()].filter((n) => n.zone === z).sort((a, b) => a.id.localeCompare(b.id)).map((n) => `      ${shaped(n)}`);
    const lines = ["flowchart LR"];
    lines.push(...[...nodes.values()].filter((n) => n.zone === "outside").sort((a, b) => a.id.localeCompare(b.id)).map((n) => `  ${shaped(n)}`));
    lines.push(`  subgraph vpc["VPC ${model.vpc.cidr} (${model.region})"]`);
    for (const [z, title] of [["public", "public subnets"], ["private", "private subnets"], ["isolated", "isolated subnets"]] as const) {
        const inner = zone(z);
        if (inner.length) lines.push(`    subgraph ${z}["${title}"]`, ...inner, "    end");
    }
    lines.push(...zone("vpc").map((l) => l.slice(2)));
    lines.push("  end");
    lines.push(...[...edges.values()].sort().map((e) => `  ${e}`));
    lines.push(...refused.map((e) => `  ${e}`));
    return lines.join("\n");
}
