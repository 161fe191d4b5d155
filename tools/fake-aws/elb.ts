/**
 * The load balancer as the engine's own state describes it: answers to the ELBv2 read calls the rollout
 * makes (DescribeTargetGroups, DescribeListeners, DescribeRules, DescribeTargetHealth), computed from a
 * `pulumi stack export` of the sandbox. The engine tests answer the rollout's AWS read-backs with it, so
 * the weight the rollout reads back is the weight the engine really applied, not a value the test chose.
 *
 * Target health: the fake AWS has every task an ECS service wants running and healthy, so a target group
 * has as many healthy targets as the services attached to it run: their desired count, held within the
 * bounds of their Application Auto Scaling target as AWS does (the program lets autoscaling own the
 * count in prod: `ignoreChanges: ["desiredCount"]`).
 */
import type {
    Action,
    DescribeListenersCommandOutput,
    DescribeRulesCommandOutput,
    DescribeTargetGroupsCommandOutput,
    DescribeTargetHealthCommandOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";

/** A resource of `pulumi stack export`'s `deployment.resources`. */
export interface ExportedResource {
    urn: string;
    type: string;
    outputs?: Record<string, any>;
}

const isType = (r: ExportedResource, kind: "listener" | "listenerRule" | "targetGroup") =>
    new RegExp(`^aws:(lb|alb)/${kind}:`).test(r.type);

/** A Pulumi listener action (`defaultActions`/`actions` element) in the ELBv2 API's shape. Pure. */
export function toApiAction(a: Record<string, any>): Action {
    const out: Action = { Type: a.type, Order: a.order };
    if (a.targetGroupArn) out.TargetGroupArn = a.targetGroupArn;
    if (a.forward) {
        out.ForwardConfig = { TargetGroups: (a.forward.targetGroups ?? []).map((g: any) => ({ TargetGroupArn: g.arn, Weight: g.weight ?? 1 })) };
    }
    if (a.fixedResponse) out.FixedResponseConfig = { StatusCode: a.fixedResponse.statusCode, ContentType: a.fixedResponse.contentType, MessageBody: a.fixedResponse.messageBody };
    if (a.redirect) out.RedirectConfig = { StatusCode: a.redirect.statusCode, Protocol: a.redirect.protocol, Port: a.redirect.port, Host: a.redirect.host, Path: a.redirect.path, Query: a.redirect.query };
    return out;
}

const forwardsTo = (actions: Record<string, any>[] | undefined, tg: string) =>
    (actions ?? []).some((a) => a.targetGroupArn === tg || (a.forward?.targetGroups ?? []).some((g: any) => g.arn === tg));

export class ElbFromState {
    constructor(private readonly resources: ExportedResource[]) {}

    private of(kind: "listener" | "listenerRule" | "targetGroup") {
        return this.resources.filter((r) => isType(r, kind) && r.outputs);
    }

    describeTargetGroups(arns: string[]): DescribeTargetGroupsCommandOutput {
        const listeners = this.of("listener");
        const rules = this.of("listenerRule");
        const groups = arns.map((arn) => {
            const tg = this.of("targetGroup").find((r) => r.outputs!.arn === arn);
            if (!tg) throw Object.assign(new Error(`One or more target groups not found: ${arn}`), { name: "TargetGroupNotFoundException" });
            // AWS lists the load balancers whose listeners route to the group.
            const lbs = new Set<string>();
            for (const l of listeners) {
                const viaRule = rules.some((r) => r.outputs!.listenerArn === l.outputs!.arn && forwardsTo(r.outputs!.actions, arn));
                if (forwardsTo(l.outputs!.defaultActions, arn) || viaRule) lbs.add(l.outputs!.loadBalancerArn);
            }
            return { TargetGroupArn: arn, TargetGroupName: tg.outputs!.name, Port: tg.outputs!.port, Protocol: tg.outputs!.protocol, LoadBalancerArns: [...lbs] };
        });
        return { TargetGroups: groups, $metadata: {} };
    }

    describeListeners(loadBalancerArn: string): DescribeListenersCommandOutput {
        const listeners = this.of("listener").filter((l) => l.outputs!.loadBalancerArn === loadBalancerArn);
        return {
            Listeners: listeners.map((l) => ({
                ListenerArn: l.outputs!.arn,
                LoadBalancerArn: loadBalancerArn,
                Port: l.outputs!.port,
                Protocol: l.outputs!.protocol,
                DefaultActions: (l.outputs!.defaultActions ?? []).map(toApiAction),
            })),
            $metadata: {},
        };
    }

    describeRules(listenerArn: string): DescribeRulesCommandOutput {
        const rules = this.of("listenerRule").filter((r) => r.outputs!.listenerArn === listenerArn);
        return {
            Rules: rules.map((r) => ({ RuleArn: r.outputs!.arn, Priority: String(r.outputs!.priority), Actions: (r.outputs!.actions ?? []).map(toApiAction), IsDefault: false })),
            $metadata: {},
        };
    }

    describeTargetHealth(targetGroupArn: string): DescribeTargetHealthCommandOutput {
        const services = this.resources.filter((r) => r.type === "aws:ecs/service:Service" && r.outputs);
        const scaling = this.resources.filter((r) => r.type === "aws:appautoscaling/target:Target" && r.outputs);
        const running = (s: ExportedResource) => {
            const cluster = String(s.outputs!.cluster ?? "").split("/").pop();
            const target = scaling.find((t) => t.outputs!.resourceId === `service/${cluster}/${s.outputs!.name}`);
            const desired = s.outputs!.desiredCount ?? 0;
            return target ? Math.min(Math.max(desired, target.outputs!.minCapacity), target.outputs!.maxCapacity) : desired;
        };
        const desired = services
            .filter((s) => (s.outputs!.loadBalancers ?? []).some((lb: any) => lb.targetGroupArn === targetGroupArn))
            .reduce((n, s) => n + running(s), 0);
        return {
            TargetHealthDescriptions: Array.from({ length: desired }, (_, i) => ({ Target: { Id: `10.0.${Math.floor(i / 250)}.${(i % 250) + 4}`, Port: 0 }, TargetHealth: { State: "healthy" } })),
            $metadata: {},
        };
    }
}
