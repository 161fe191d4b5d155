/**
 * The flows the system needs and the flows it must refuse, for one planned stack, and their verdicts
 * under the evaluator. The same table feeds `npm run plan -- --flows`, the tests of every stack and
 * docs/network.md.
 *
 * Requests are taken from what the plan actually configures wherever it says it: the smoke client's
 * URL is the stack's `testListenerUrl` output and its in-VPC task runs with the candidate ECS
 * service's subnets and security groups (as automation/adapters/ecs-tasks.ts starts it); a service's
 * Redis host, bucket and callee URLs come from its task definition's environment; the registry host
 * from its image.
 */
import { SMOKE_PATHS } from "../../automation/adapters/checks";
import type { StackConfig } from "../../config/stack-config";
import { Evaluator, type Evaluation, type Hop, type Placement, type Reached, type Request, type Source } from "./evaluate";
import type { PlanRecord } from "../record";
import { ModelError, networkModel, type NetworkModel } from "./model";

export interface Expectation {
    /** Exactly these ECS services answer (required flows through a load balancer or Cloud Map). */
    ecs?: string[];
    kind?: Reached["kind"];
    name?: string;
    via?: string;
}

export interface Flow {
    id: string;
    kind: "required" | "refused";
    /** One line: who → what. */
    title: string;
    /** Every request must meet the expectation (required) or reach nothing (refused). */
    requests: Request[];
    expect?: Expectation;
}

export interface RequestResult {
    request: Request;
    evaluation: Evaluation;
    ok: boolean;
    /** Why it failed (which placement, what it reached), when it did. */
    problem?: string;
}

export interface FlowResult {
    flow: Flow;
    ok: boolean;
    /** "reachable", "refused", or what went wrong. */
    verdict: string;
    /** The hop that decided: the refusing hop of a refused flow, the failing one of a broken flow. */
    decidingHop?: Hop;
    /** Where a broken flow broke: the placement whose hops explain it. */
    failedPlacement?: Placement;
    results: RequestResult[];
}

export interface FlowContext {
    /** The stack's outputs (testListenerUrl). */
    outputs: Record<string, any>;
    /** dr: the primary stack's network, whose CloudFront distribution sends dr its traffic after a failover. */
    primary?: NetworkModel;
}

/** A path the default public service answers (and the sample a non-default one is routed by). */
function samplePath(patterns: string[] | undefined, isDefault: boolean): string {
    if (isDefault || !patterns?.length) return "/api/tasks";
    return patterns[0].replace(/\*/g, "sample").replace(/\?/g, "x");
}

const ecsTarget = (m: NetworkModel, service: string, colour: string): string => {
    const svc = m.ecsServices.find((s) => s.service === service && (s.colour ?? "blue") === colour);
    if (!svc) throw new ModelError(`no ECS service for ${service}/${colour} in the plan of ${m.stack}`);
    return svc.name;
};

/** The table of flows for a stack. */
export function flowsOf(model: NetworkModel, cfg: StackConfig, ctx: FlowContext): Flow[] {
    const d = cfg.deployment;
    const candidate = d.colours.length > 1 ? d.candidate : d.live;
    const publicServices = cfg.services.filter((s) => s.public);
    const defaultService = publicServices.find((s) => s.isDefaultRoute)!;
    const region = model.region;
    const flows: Flow[] = [];
    let r = 0;
    let f = 0;
    const required = (title: string, requests: Request[], expect: Expectation) => flows.push({ id: `R${++r}`, kind: "required", title, requests, expect });
    const refused = (title: string, requests: Request[]) => flows.push({ id: `F${++f}`, kind: "refused", title, requests });
    const lb = model.loadBalancers[0];
    if (!lb) throw new ModelError(`no load balancer in the plan of ${model.stack}`);
    const originHeaderRequired = lb.listeners.some((l) => l.port === 443 && l.defaultActions.some((a) => a.type === "fixed-response"));

    // Public entry, per public service, to the live colour.
    for (const svc of publicServices) {
        const path = samplePath(svc.pathPatterns, svc.isDefaultRoute);
        const live = ecsTarget(model, svc.name, d.live);
        const dist = model.distributions[0];
        if (dist) {
            required(`internet → CloudFront → ALB (origin header) → ${svc.name} (live ${d.live})`,
                [{ source: { kind: "internet" }, to: { kind: "url", url: `https://${dist.aliases[0]}${path}` } }], { ecs: [live] });
        } else if (cfg.dr.role === "secondary") {
            const primaryDist = ctx.primary?.distributions[0];
            if (!primaryDist) throw new ModelError(`${model.stack}: the CloudFront flow needs the primary stack's plan (its distribution sends this stack traffic after a failover)`);
            const origin = primaryDist.origins.find((o) => o.id === primaryDist.defaultBehavior.originId)!;
            required(`CloudFront (primary's distribution, after failover) → ALB (origin header) → ${svc.name} (live ${d.live})`,
                [{ source: { kind: "cloudfront" }, to: { kind: "url", url: `https://${origin.domainName}${path}`, headers: origin.headers } }], { ecs: [live] });
        } else {
            required(`internet → ALB → ${svc.name} (live ${d.live})`,
                [{ source: { kind: "internet" }, to: { kind: "url", url: `https://${cfg.domain.hostName}${path}` } }], { ecs: [live] });
        }
    }
    for (const hc of model.healthChecks) {
        const scheme = hc.type.startsWith("HTTPS") ? "https" : "http";
        required(`Route53 health checks → ${hc.path} (no origin header) → ${defaultService.name} (live ${d.live})`,
            [{ source: { kind: "route53-health-checker" }, to: { kind: "url", url: `${scheme}://${hc.fqdn}:${hc.port}${hc.path}` } }], { ecs: [ecsTarget(model, defaultService.name, d.live)] });
    }
    if (d.strategy !== "rolling") {
        const url = String(ctx.outputs.testListenerUrl ?? "");
        if (!url) throw new ModelError(`${model.stack}: the plan exports no testListenerUrl`);
        const target = ecsTarget(model, defaultService.name, candidate);
        const smoke = (source: Source): Request[] => SMOKE_PATHS.map((p) => ({ source, to: { kind: "url", url: `${url.replace(/\/+$/, "")}${p}` } }));
        for (const cidr of cfg.traffic.testListenerCidrs) {
            required(`smoke client in ${cidr} → test listener → ${defaultService.name} (candidate ${candidate})`, smoke({ kind: "cidr", cidr, label: `a runner in ${cidr}` }), { ecs: [target] });
        }
        required(`smoke task in the VPC (as ${target}) → test listener → ${defaultService.name} (candidate ${candidate})`, smoke({ kind: "ecs", service: target }), { ecs: [target] });
    }

    const services = model.ecsServices;
    const each = (to: (s: typeof services[number]) => Request["to"] | undefined) =>
        services.flatMap((s) => { const t = to(s); return t ? [{ source: { kind: "ecs" as const, service: s.name }, to: t }] : []; });
    for (const store of model.dataStores.filter((x) => x.kind === "DocumentDB")) {
        required(`services → DocumentDB ${store.name}`, each(() => ({ kind: "tcp", host: store.endpoints[0], port: store.port })), { kind: "DocumentDB", name: store.name });
    }
    for (const store of model.dataStores.filter((x) => x.kind === "Redis")) {
        required(`services → Redis ${store.name} (REDIS_HOST)`, each((s) => ({ kind: "tcp", host: s.environment.REDIS_HOST ?? store.endpoints[0], port: Number(s.environment.REDIS_PORT ?? store.port) })), { kind: "Redis", name: store.name });
    }
    const endpoint = (label: string, service: string, host: (s: typeof services[number]) => string) =>
        required(`services → ${label} (interface endpoint)`, each((s) => ({ kind: "url", url: `https://${host(s)}/` })), { kind: "interface endpoint", name: `com.amazonaws.${region}.${service}` });
    endpoint("Secrets Manager", "secretsmanager", () => `secretsmanager.${region}.amazonaws.com`);
    endpoint("SSM Parameter Store", "ssm", () => `ssm.${region}.amazonaws.com`);
    endpoint("ECR API", "ecr.api", () => `api.ecr.${region}.amazonaws.com`);
    endpoint("ECR registry (image pulls)", "ecr.dkr", (s) => s.image.split("/")[0]);
    endpoint("CloudWatch Logs", "logs", () => `logs.${region}.amazonaws.com`);
    required("services → S3 bucket (S3_BUCKET) through the gateway endpoint",
        each((s) => ({ kind: "url", url: `https://${s.environment.S3_BUCKET ?? "bucket"}.s3.${region}.amazonaws.com/` })), { kind: "aws service", name: `com.amazonaws.${region}.s3`, via: "gateway endpoint" });
    // Calls between services, by the URLs their task definitions carry.
    for (const s of services) {
        for (const [name, value] of Object.entries(s.environment).filter(([k, v]) => k.endsWith("_URL") && /^https?:\/\//.test(v))) {
            const callee = services.find((x) => x.discoveryNames.some((n) => new URL(value).hostname === n));
            if (!callee) throw new ModelError(`${s.name}: ${name}=${value} names no ECS service of the plan`);
            required(`${s.service} → ${callee.service} within the ${s.colour ?? "one"} colour (${name})`, [{ source: { kind: "ecs", service: s.name }, to: { kind: "url", url: value } }], { ecs: [callee.name] });
        }
    }

    // Refused.
    refused("internet → services' tasks directly", services.flatMap((s) => s.containerPorts.map((port) => ({ source: { kind: "internet" as const, insecure: true }, to: { kind: "ecs-task" as const, service: s.name, port } }))));
    for (const store of model.dataStores) {
        refused(`internet → ${store.kind} ${store.name}`, [{ source: { kind: "internet", insecure: true }, to: { kind: "data-store", name: store.name, port: store.port } }]);
    }
    if (originHeaderRequired) {
        const names = [lb.dnsName, ...model.records.filter((x) => x.aliasTarget === lb.dnsName).map((x) => x.name)];
        refused("internet → ALB without the origin header (any path but /health)",
            names.map((n) => ({ source: { kind: "internet", insecure: true }, to: { kind: "url", url: `https://${n}/api/tasks` } })));
    }
    refused(`internet → test listener :${cfg.traffic.testListenerPort}`, [
        ...(ctx.outputs.testListenerUrl ? [{ source: { kind: "internet" as const, insecure: true }, to: { kind: "url" as const, url: `${String(ctx.outputs.testListenerUrl).replace(/\/+$/, "")}/health` } }] : []),
        { source: { kind: "internet", insecure: true }, to: { kind: "url", url: `https://${lb.dnsName}:${cfg.traffic.testListenerPort}/health` } },
    ]);
    if (d.colours.length > 1) {
        const cross = services.flatMap((s) => services.filter((o) => o.colour && s.colour && o.colour !== s.colour)
            .flatMap((o) => o.containerPorts.map((port) => ({ source: { kind: "ecs" as const, service: s.name }, to: { kind: "ecs-task" as const, service: o.name, port } }))));
        refused("one colour's services → the other colour's services", cross);
    }
    return flows;
}

function meets(reached: Reached[], expect: Expectation): string | undefined {
    if (expect.ecs) {
        const got = reached.filter((x) => x.kind === "ecs").map((x) => x.name).sort();
        const want = [...expect.ecs].sort();
        if (got.join(",") !== want.join(",")) return got.length ? `reached ${got.join(", ")}, expected ${want.join(", ")}` : "reached nothing";
        return undefined;
    }
    const hit = reached.find((x) => (!expect.kind || x.kind === expect.kind) && (!expect.name || x.name === expect.name));
    if (!hit) return reached.length ? `reached ${reached.map((x) => `${x.kind} ${x.name}`).join(", ")}, expected ${expect.kind} ${expect.name ?? ""}`.trim() : "reached nothing";
    if (expect.via && hit.via !== expect.via) return `reached ${hit.name} through the ${hit.via}, expected through the ${expect.via}`;
    return undefined;
}

/** Evaluate every flow of the table. */
export function checkFlows(model: NetworkModel, flows: Flow[]): FlowResult[] {
    const evaluator = new Evaluator(model);
    return flows.map((flow) => {
        const results = flow.requests.map((request): RequestResult => {
            const evaluation = evaluator.evaluate(request);
            for (const p of evaluation.placements) {
                const problem = flow.kind === "required"
                    ? meets(p.reached, flow.expect ?? {})
                    : p.reached.length ? `reached ${p.reached.map((x) => x.name).join(", ")}` : undefined;
                if (problem) return { request, evaluation, ok: false, problem: `${describe(request)} from ${p.label}: ${problem}` };
            }
            return { request, evaluation, ok: true };
        });
        const failed = results.find((x) => !x.ok);
        const first = (failed ?? results[0])?.evaluation.placements[0];
        const denial = first?.hops.find((h) => !h.ok);
        if (failed) {
            const placement = failed.evaluation.placements.find((p) => failed.problem!.includes(p.label)) ?? first;
            return { flow, ok: false, verdict: failed.problem!, decidingHop: placement?.hops.find((h) => !h.ok) ?? placement?.hops[placement.hops.length - 1], failedPlacement: placement, results };
        }
        return { flow, ok: true, verdict: flow.kind === "required" ? "reachable" : "refused", decidingHop: flow.kind === "refused" ? denial : undefined, results };
    });
}

/** A request in a few words (never a header value: they can be secrets). */
export function describe(request: Request): string {
    const to = request.to;
    const dest = to.kind === "url" ? to.url + (to.headers && Object.keys(to.headers).length ? ` [+${Object.keys(to.headers).join(", ")}]` : "")
        : to.kind === "tcp" ? `tcp://${to.host}:${to.port}`
            : to.kind === "ecs-task" ? `${to.service} tasks :${to.port}` : `${to.name} :${to.port}`;
    return dest;
}

/** The flows of a planned stack and their verdicts; `primary` is the primary stack's plan (dr). */
export function flowReport(record: PlanRecord, cfg: StackConfig, primary?: PlanRecord): { model: NetworkModel; results: FlowResult[] } {
    const model = networkModel(record);
    const flows = flowsOf(model, cfg, { outputs: record.outputs, primary: primary && networkModel(primary) });
    return { model, results: checkFlows(model, flows) };
}
