/**
 * The engine's {@link StackPort} on a real stack: Pulumi Automation API for config and updates,
 * the ALB API for what the listener and target groups actually do.
 *
 * - The traffic state is the deployed release: the stack's `release` output (what its last update
 *   applied, config/release.ts), never this runner's stack file, which may be a fresh checkout behind
 *   it. A change writes the whole traffic section of `tms:deployment` (the deployed release, the change,
 *   `revision` + 1) as leaf paths with `setAllConfig(map, path = true)` (e.g. `tms:deployment.weight` =
 *   "30"): the Pulumi CLI stores path values that read as integers or booleans typed, so the stack file
 *   keeps `weight: 30`, and every other key is left as the user wrote it. The program accepts exactly
 *   that (a change on top of the deployed revision) and refuses a stale file.
 * - Before every `up` the stack's pending operations are checked (an update killed mid-create leaves
 *   one, which later updates would ignore), and a stack lock left by a killed update is named with its
 *   remedy: both need a human (docs/rollouts.md, "When an update was killed").
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
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type {
    ConfigMap,
    ConfigValue,
    Deployment,
    OutputMap,
    PreviewOptions,
    PreviewResult,
    Stack,
    UpOptions,
    UpResult,
} from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DeployedRelease } from "../../config/release";
import { deployedReleaseOf } from "../../config/stack-outputs";
import {
    otherColour,
    StackBlockedError,
    type Colour,
    type Release,
    type RollingResult,
    type StackPort,
    type TargetHealth,
    type TrafficState,
} from "../ports";
import { applyConfigLeaves, changesOf, type PreviewEvent, type ReleasePreviewer, type StepDiff } from "../step-diff";
import { awsCall } from "./aws-call";
import { isPulumiCommandError, PulumiFailure, withPulumiErrors } from "./pulumi-errors";
import { targetHealthOf } from "./target-health";

/** The part of `@pulumi/pulumi/automation`'s `Stack` this adapter uses. */
export interface PulumiStackLike {
    getConfig(key: string, path?: boolean): Promise<ConfigValue>;
    setAllConfig(config: ConfigMap, path?: boolean): Promise<void>;
    up(opts?: UpOptions): Promise<UpResult>;
    /** `pulumi preview` (`--show-diff`: with `configFile`, `target` and `onEvent`). */
    preview(opts?: PreviewOptions): Promise<PreviewResult>;
    outputs(): Promise<OutputMap>;
    /** `pulumi stack export`: the checkpoint, whose `pending_operations` an interrupted update leaves behind. */
    exportStack(): Promise<Deployment>;
    readonly name: string;
}

/**
 * The secret wrapper of a checkpoint value: `@pulumi/pulumi`'s `specialSigKey` and `specialSecretSig`
 * (runtime/rpc.ts); `pulumi stack export --show-secrets` puts the value's JSON in its `plaintext`.
 */
export const CHECKPOINT_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const CHECKPOINT_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const isCheckpointSecret = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[CHECKPOINT_SIG_KEY] === CHECKPOINT_SECRET_SIG;

/** A checkpoint value with every secret wrapper (at any depth) replaced by its plaintext value. Pure. */
function revealed(v: unknown, where: string): unknown {
    if (isCheckpointSecret(v)) {
        if (typeof v.plaintext !== "string") throw new Error(`${where} is encrypted in the checkpoint (export it with --show-secrets)`);
        return revealed(JSON.parse(v.plaintext), where);
    }
    if (Array.isArray(v)) return v.map((x) => revealed(x, where));
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealed(x, where)]));
    return v;
}

/**
 * A stack's outputs from its checkpoint (`pulumi stack export --show-secrets`): the root
 * `pulumi:pulumi:Stack` resource's outputs, the value `pulumi stack output` prints. As the Automation
 * API's `outputs()`: every value shown, `secret` when the output as a whole is secret. No root resource
 * (never deployed): no outputs. Pure.
 */
export function outputsOfCheckpoint(exported: Deployment, stack: string): OutputMap {
    const resources = (exported.deployment?.resources ?? []) as { type: string; outputs?: Record<string, unknown> }[];
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return Object.fromEntries(
        Object.entries(root?.outputs ?? {}).map(([k, v]) => [
            k,
            { value: revealed(v, `stack ${stack}: output ${k}`), secret: isCheckpointSecret(v) },
        ]),
    );
}

/**
 * The part of an Automation API `Stack` the port uses. Its outputs are read from one `pulumi stack export
 * --show-secrets` (`outputsOfCheckpoint`) instead of `Stack.outputs()`'s two `pulumi stack output` runs (one
 * to learn which are secret, one to show them): the port reads them at every step, the status view at every
 * engine read, and each run loads the whole checkpoint anyway. `afterUp` runs when an update ends, however.
 */
export function stackLike(stack: Stack, afterUp: () => void = () => undefined): PulumiStackLike {
    return {
        name: stack.name,
        getConfig: (k, p) => stack.getConfig(k, p),
        setAllConfig: (c, p) => stack.setAllConfig(c, p),
        outputs: async () => outputsOfCheckpoint(await stack.exportStack(), stack.name),
        exportStack: () => stack.exportStack(),
        preview: (o) => stack.preview(o),
        up: async (o) => {
            try {
                return await stack.up(o);
            } finally {
                afterUp();
            }
        },
    };
}

/**
 * The stack through the Automation API (`LocalWorkspace.selectStack`), its failures and every later
 * call's in Pulumi's own words (pulumi-errors.ts). `pulumiRoot`: a folder whose `bin/pulumi`
 * to run instead of the one on PATH (tests).
 */
export async function automationStack(stackName: string, workDir: string, pulumiRoot?: string): Promise<PulumiStackLike> {
    // Loaded lazily: the Automation API module is only needed when a stack is really used.
    const { LocalWorkspace, PulumiCommand } = await import("@pulumi/pulumi/automation");
    try {
        const pulumiCommand = pulumiRoot ? await PulumiCommand.get({ root: pulumiRoot, skipVersionCheck: true }) : undefined;
        const stack = await LocalWorkspace.selectStack({ stackName, workDir }, pulumiCommand ? { pulumiCommand } : undefined);
        return withPulumiErrors(stackLike(stack));
    } catch (e) {
        throw isPulumiCommandError(e) ? new PulumiFailure(e) : e;
    }
}

/** An update that cannot run until a human acts: the stack is locked, or has pending operations (the engine halts on it). */
export class StackNeedsHumanError extends StackBlockedError {
    constructor(message: string) {
        super(message);
        this.name = "StackNeedsHumanError";
    }
}

/** The remedy lines of a stuck stack, named in the CLI's message and docs/rollouts.md. Pure. */
export function lockedStackMessage(stack: string): string {
    return `the Pulumi stack ${stack} is locked by another update (or one that was killed): if no \`pulumi up\` is running on it, ` +
        `run \`pulumi cancel --stack ${stack} --yes\`, then resume`;
}

export function pendingOperationsMessage(stack: string, pending: { type: string; urn: string }[]): string {
    const creates = pending.filter((p) => p.type === "creating");
    return `the Pulumi stack ${stack} has ${pending.length} pending operation(s) from an interrupted update ` +
        `(${pending.slice(0, 3).map((p) => `${p.type} ${p.urn.split("::").pop()}`).join(", ")}${pending.length > 3 ? ", …" : ""}): ` +
        (creates.length
            ? `check in AWS whether they exist, then run \`pulumi refresh --stack ${stack} --clear-pending-creates\` (not created) or ` +
                `\`pulumi refresh --stack ${stack} --import-pending-creates <urn>,<id>\` (created), then resume`
            : `run \`pulumi refresh --stack ${stack}\`, then resume`);
}

/** An `up` failure in one line: the stack lock named with its remedy, else the first `error:` line (not 20 KB of output). Pure. */
export function summariseUpError(stack: string, text: string): string {
    if (/the stack is currently locked/i.test(text)) return lockedStackMessage(stack);
    const lines = text
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
    const first =
        lines.find((l) => /^error:/i.test(l) && !/^error: update failed$/i.test(l)) ??
        lines.find((l) => /error/i.test(l)) ??
        lines[0] ??
        text;
    return first.length > 400 ? `${first.slice(0, 400)}…` : first;
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

/**
 * The leaf paths of `tms:deployment`'s traffic section for `release` with `change` applied: the revision
 * is the deployed one for a plain sync (`change` null), its successor for a change. Pure.
 */
export function trafficSection(release: DeployedRelease, change: Record<string, string> | null): Record<string, string> {
    const out: Record<string, string> = {
        [deploymentPath("live")]: release.live,
        [deploymentPath("weight")]: String(release.weight),
        [deploymentPath("revision")]: String(change ? release.revision + 1 : release.revision),
    };
    for (const c of ["blue", "green"] as const) {
        const col = release[c];
        if (!col) continue;
        out[deploymentPath(c, "running")] = String(col.running);
        for (const [svc, image] of Object.entries(col.images)) out[deploymentPath(c, "images", svc)] = image;
    }
    return { ...out, ...(change ?? {}) };
}

export class PulumiStackPort implements StackPort, ReleasePreviewer {
    private outputsCache: OutputMap | null = null;

    constructor(
        private readonly stack: PulumiStackLike,
        private readonly elb: ElasticLoadBalancingV2Client,
        private readonly log: (line: string) => void = () => undefined,
        private readonly callTimeoutMs?: number,
        /** Rolling: waits for the ECS deployments after the update (see waitForRollingDeployments). */
        private readonly waitRolling?: (release: Release) => Promise<RollingResult>,
    ) {}

    /** The deployed release, read fresh from the stack's outputs (another runner or a person may have changed it). */
    async release(): Promise<DeployedRelease> {
        this.outputsCache = null;
        const raw = (await this.outputs()).release?.value;
        const release = deployedReleaseOf(raw);
        if (!release)
            throw new Error(
                `stack ${this.stack.name} has no valid \`release\` output (run a full \`pulumi up --stack ${this.stack.name}\` with ` +
                `this version of the program first)`,
            );
        return release;
    }

    private async deployment(): Promise<DeploymentConfig> {
        return this.release();
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

    /** Write the deployed release's traffic section with `change` on top, as the next revision. */
    private async set(change: Record<string, string>): Promise<void> {
        await this.stack.setAllConfig(
            Object.fromEntries(Object.entries(trafficSection(await this.release(), change)).map(([k, v]) => [k, plain(v)])),
            true,
        );
    }

    /** `rollout:sync`: write the deployed release into the stack file as it is (no change, same revision). */
    async sync(): Promise<DeployedRelease> {
        const release = await this.release();
        await this.stack.setAllConfig(
            Object.fromEntries(Object.entries(trafficSection(release, null)).map(([k, v]) => [k, plain(v)])),
            true,
        );
        return release;
    }

    private async up(what: string, target?: string[]): Promise<void> {
        const pending = ((await this.stack.exportStack()).deployment?.pending_operations ?? []) as {
            type: string;
            resource: { urn: string };
        }[];
        if (pending.length)
            throw new StackNeedsHumanError(
                pendingOperationsMessage(
                    this.stack.name,
                    pending.map((p) => ({ type: p.type, urn: p.resource?.urn ?? "?" })),
                ),
            );
        this.log(`pulumi up${target ? ` --target (${target.length} listener(s))` : ""}: ${what}`);
        let r: UpResult;
        try {
            r = await this.stack.up({ ...(target ? { target } : {}), onOutput: (line: string) => this.log(line.trimEnd()) });
        } catch (e) {
            this.outputsCache = null;
            const text = e instanceof Error ? e.message : String(e);
            const summary = summariseUpError(this.stack.name, text);
            throw /is locked/.test(summary) ? new StackNeedsHumanError(summary) : new Error(`pulumi up (${what}) failed: ${summary}`);
        }
        this.outputsCache = null;
        if (r.summary.result !== "succeeded")
            throw new Error(`pulumi up (${what}) ended ${r.summary.result}: ${r.summary.message ?? ""}`.trim());
    }

    /**
     * `rollout --dry-run --show-diff`: the engine's preview of the deploy the rollout would make, and of its
     * first weight step (targeted at `weightListenerUrns`), each with the stack file the rollout would write
     * (step-diff.ts): a temporary copy of `stackFile` with the traffic section on top of the deployed
     * release, read through `--config-file`, so that the checkout's stack file is never touched. The weight
     * step's file carries the deploy too: the listener diff is the same before and after it (the target
     * groups of both colours always exist), and the program accepts one change on the deployed revision.
     */
    async previewRelease(p: {
        images: Record<string, string>;
        rolling: boolean;
        firstWeight: number | null;
        stackFile: string;
    }): Promise<StepDiff[]> {
        const deployed = await this.release();
        const colour: Colour = p.rolling ? "blue" : otherColour(deployed.live);
        const deploy: Record<string, string> = p.rolling ? {} : { [deploymentPath(colour, "running")]: "true" };
        // Services the release does not name keep the live colour's images, as the orchestration deploys them.
        for (const [svc, image] of Object.entries({ ...deployed[deployed.live]?.images, ...p.images }))
            deploy[deploymentPath(colour, "images", svc)] = image;
        const steps: { step: string; change: Record<string, string>; target: string[] | null }[] = [
            { step: p.rolling ? `the rolling deploy on ${colour}` : `deploy ${colour} at 0%`, change: deploy, target: null },
        ];
        if (!p.rolling && p.firstWeight !== null) {
            const urns = await this.output<string[]>("weightListenerUrns");
            steps.push({
                step: `step 1: ${p.firstWeight}% to ${colour}`,
                change: { ...deploy, [deploymentPath("weight")]: String(p.firstWeight) },
                target: urns,
            });
        }
        const base = fs.readFileSync(p.stackFile, "utf8");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tms-show-diff-"));
        try {
            const out: StepDiff[] = [];
            for (const [i, s] of steps.entries()) {
                const configFile = path.join(dir, `${i}-${path.basename(p.stackFile)}`);
                fs.writeFileSync(configFile, applyConfigLeaves(base, trafficSection(deployed, s.change)));
                const events: PreviewEvent[] = [];
                this.log(`pulumi preview${s.target ? ` --target (${s.target.length})` : ""}: ${s.step}`);
                const r = await this.stack.preview({
                    configFile,
                    ...(s.target ? { target: s.target } : {}),
                    onEvent: (e) => void events.push(e as PreviewEvent),
                });
                out.push({
                    step: s.step,
                    target: s.target,
                    changes: changesOf(events),
                    summary: { ...r.changeSummary } as Record<string, number>,
                });
            }
            return out;
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
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
            const described = await awsCall(
                "ELBv2 DescribeTargetGroups",
                (o) => this.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arns.blue, arns.green] }), o),
                { timeoutMs: this.callTimeoutMs },
            );
            const lbArn = described.TargetGroups?.[0]?.LoadBalancerArns?.[0];
            if (!lbArn) throw new Error(`target groups of ${svc} are not attached to a load balancer`);
            const listeners = await awsCall(
                "ELBv2 DescribeListeners",
                (o) => this.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }), o),
                { timeoutMs: this.callTimeoutMs },
            );
            for (const l of listeners.Listeners ?? []) {
                // Behind the CDN the listener's default action is a 403 and the weighted forward sits in
                // its rules (the origin-header and health rules), so rules count as well.
                const rules = l.ListenerArn
                    ? await awsCall(
                          "ELBv2 DescribeRules",
                          (o) => this.elb.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }), o),
                          { timeoutMs: this.callTimeoutMs },
                      )
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
        return targetHealthOf(this.elb, Object.values(tgs).map((arns) => arns[colour]), this.callTimeoutMs);
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
