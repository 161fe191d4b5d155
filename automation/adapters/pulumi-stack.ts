/**
 * The engine's {@link StackPort} on a real stack: Pulumi Automation API for config and updates,
 * the ALB API for what the listener and target groups actually do.
 *
 * - Config: the traffic state is the structured `tms:deployment` value. Changes are written as
 *   leaf paths with `setAllConfig(map, path = true)` (e.g. `tms:deployment.weight` = "30"): the
 *   Pulumi CLI stores path values that read as integers or booleans typed, so the stack file keeps
 *   `weight: 30`, not `weight: "30"`, and every other key of the object is left as the user wrote it.
 * - Weight steps: `up({ target: weightListenerUrns })`, so only the listeners change (the
 *   weight-only property the traffic component guarantees); other changes run a full `up`.
 * - Read-back: the weight and target health come from the ALB itself (DescribeListeners,
 *   DescribeTargetHealth), not from stack outputs, which a targeted update does not refresh.
 *
 * The Pulumi stack object is injected (`PulumiStackLike`): `LocalWorkspace.selectStack` in the CLI,
 * a recording fake in tests (there is no Pulumi CLI here).
 */
import {
    DescribeListenersCommand,
    DescribeRulesCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ConfigMap, ConfigValue, OutputMap, UpOptions, UpResult } from "@pulumi/pulumi/automation";
import { otherColour, type Colour, type Release, type RollingResult, type StackPort, type TargetHealth, type TrafficState } from "../ports";
import { awsCall } from "./aws-call";

/** The part of `@pulumi/pulumi/automation`'s `Stack` this adapter uses. */
export interface PulumiStackLike {
    getConfig(key: string, path?: boolean): Promise<ConfigValue>;
    setAllConfig(config: ConfigMap, path?: boolean): Promise<void>;
    up(opts?: UpOptions): Promise<UpResult>;
    outputs(): Promise<OutputMap>;
}

export const DEPLOYMENT_KEY = "tms:deployment";

/** Config path of a leaf under `tms:deployment`; service names carry dashes, hence the brackets. */
export const deploymentPath = (...parts: string[]) =>
    DEPLOYMENT_KEY + parts.map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `["${p}"]`)).join("");

const plain = (value: string): ConfigValue => ({ value, secret: false });

/** The `tms:deployment` value, as far as the traffic state goes (the stack file and `StackConfig` share its shape). */
export interface DeploymentConfig {
    live: Colour;
    weight: number;
    blue: { running: boolean; images: Record<string, string> };
    green?: { running: boolean; images: Record<string, string> };
}

/** The engine's traffic state from a `tms:deployment` value (a rolling stack has no green: it never runs). Pure. */
export function trafficOf(d: DeploymentConfig): TrafficState {
    const colour = (c: Colour) => d[c] ?? { running: false, images: {} };
    return {
        live: d.live,
        weight: d.weight,
        images: { blue: colour("blue").images, green: colour("green").images },
        running: { blue: colour("blue").running, green: colour("green").running },
    };
}

export class PulumiStackPort implements StackPort {
    private outputsCache: OutputMap | null = null;

    constructor(
        private readonly stack: PulumiStackLike,
        private readonly elb: ElasticLoadBalancingV2Client,
        private readonly log: (line: string) => void = () => undefined,
        private readonly callTimeoutMs?: number,
        /** Rolling: waits for the ECS deployments after the update (see waitForRollingDeployments). */
        private readonly waitRolling?: (release: Release) => Promise<RollingResult>,
    ) {}

    private async deployment(): Promise<DeploymentConfig> {
        const v = await this.stack.getConfig(DEPLOYMENT_KEY);
        return JSON.parse(v.value) as DeploymentConfig;
    }

    async outputs(): Promise<OutputMap> {
        this.outputsCache ??= await this.stack.outputs();
        return this.outputsCache;
    }

    private async output<T>(name: string): Promise<T> {
        const o = (await this.outputs())[name];
        if (o === undefined) throw new Error(`stack output ${name} is missing (run a full pulumi up first)`);
        return o.value as T;
    }

    private async set(values: Record<string, string>): Promise<void> {
        await this.stack.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, plain(v)])), true);
    }

    private async up(what: string, target?: string[]): Promise<void> {
        this.log(`pulumi up${target ? ` --target (${target.length} listener(s))` : ""}: ${what}`);
        const r = await this.stack.up({ ...(target ? { target } : {}), onOutput: (line: string) => this.log(line.trimEnd()) });
        this.outputsCache = null;
        if (r.summary.result !== "succeeded") throw new Error(`pulumi up (${what}) ended ${r.summary.result}: ${r.summary.message ?? ""}`.trim());
    }

    async readTraffic(): Promise<TrafficState> {
        return trafficOf(await this.deployment());
    }

    async deployCandidate(colour: Colour, release: Release): Promise<void> {
        const values: Record<string, string> = { [deploymentPath(colour, "running")]: "true" };
        for (const [svc, image] of Object.entries(release.images)) values[deploymentPath(colour, "images", svc)] = image;
        await this.set(values);
        // A full update: the candidate's task definitions and services change; the weight does not.
        await this.up(`deploy ${release.id} to ${colour}`);
    }

    async setWeight(weight: number): Promise<void> {
        const urns = await this.output<string[]>("weightListenerUrns");
        if (!urns.length) throw new Error("stack output weightListenerUrns is empty");
        await this.set({ [deploymentPath("weight")]: String(weight) });
        await this.up(`weight ${weight}%`, urns);
    }

    async readWeight(): Promise<number> {
        const d = await this.deployment();
        const tgs = await this.output<Record<string, Record<Colour, string>>>("targetGroupArns");
        const candidate = otherColour(d.live);
        const weights = new Set<number>();
        for (const [svc, arns] of Object.entries(tgs)) {
            const described = await awsCall("ELBv2 DescribeTargetGroups", (o) => this.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arns.blue, arns.green] }), o), { timeoutMs: this.callTimeoutMs });
            const lbArn = described.TargetGroups?.[0]?.LoadBalancerArns?.[0];
            if (!lbArn) throw new Error(`target groups of ${svc} are not attached to a load balancer`);
            const listeners = await awsCall("ELBv2 DescribeListeners", (o) => this.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }), o), { timeoutMs: this.callTimeoutMs });
            for (const l of listeners.Listeners ?? []) {
                // Behind the CDN the listener's default action is a 403 and the weighted forward sits in
                // its rules (the origin-header and health rules), so rules count as well.
                const rules = l.ListenerArn
                    ? await awsCall("ELBv2 DescribeRules", (o) => this.elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }), o), { timeoutMs: this.callTimeoutMs })
                    : undefined;
                const actions = [...(l.DefaultActions ?? []), ...(rules?.Rules ?? []).flatMap((r) => r.Actions ?? [])];
                for (const a of actions) {
                    const groups = a.ForwardConfig?.TargetGroups ?? [];
                    const live = groups.find((g) => g.TargetGroupArn === arns[d.live]);
                    const cand = groups.find((g) => g.TargetGroupArn === arns[candidate]);
                    // Only the public (weighted) listeners forward to both colours; the test listener forwards to one.
                    if (!live || !cand) continue;
                    const total = (live.Weight ?? 0) + (cand.Weight ?? 0);
                    weights.add(total === 0 ? 0 : Math.round(((cand.Weight ?? 0) * 100) / total));
                }
            }
            if (weights.size) break; // found the default route's service: its target groups are the listeners' default action
        }
        if (weights.size === 0) throw new Error("no listener forwards to both colours");
        if (weights.size > 1) throw new Error(`listeners disagree on the candidate weight: ${[...weights].join("%, ")}%`);
        return [...weights][0];
    }

    async candidateHealth(colour: Colour): Promise<TargetHealth> {
        const tgs = await this.output<Record<string, Record<Colour, string>>>("targetGroupArns");
        const h: TargetHealth = { healthy: 0, unhealthy: 0, pending: 0 };
        for (const arns of Object.values(tgs)) {
            const out = await awsCall("ELBv2 DescribeTargetHealth", (o) => this.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arns[colour] }), o), { timeoutMs: this.callTimeoutMs });
            for (const d of out.TargetHealthDescriptions ?? []) {
                const state = d.TargetHealth?.State;
                if (state === "healthy") h.healthy++;
                else if (state === "unhealthy") h.unhealthy++;
                else h.pending++;
            }
        }
        return h;
    }

    async finalise(candidate: Colour): Promise<void> {
        await this.set({ [deploymentPath("live")]: candidate, [deploymentPath("weight")]: "0" });
        await this.up(`finalise: ${candidate} live, weight 0`);
    }

    async scaleToZero(colour: Colour): Promise<void> {
        await this.set({ [deploymentPath(colour, "running")]: "false" });
        await this.up(`scale ${colour} to 0`);
    }

    async deployRolling(release: Release): Promise<RollingResult> {
        const values: Record<string, string> = {};
        for (const [svc, image] of Object.entries(release.images)) values[deploymentPath("blue", "images", svc)] = image;
        await this.set(values);
        try {
            // The update registers the new task definitions; ECS then rolls them out (watched below).
            await this.up(`rolling ${release.id}`);
        } catch (e) {
            return { settled: false, detail: (e as Error).message };
        }
        if (!this.waitRolling) return { settled: true, detail: "update applied (ECS deployments not watched)" };
        try {
            return await this.waitRolling(release);
        } catch (e) {
            return { settled: false, detail: (e as Error).message };
        }
    }
}
