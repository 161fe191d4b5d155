import { strict as assert } from "assert";
import {
    DescribeListenersCommand,
    DescribeRulesCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ConfigMap, ConfigValue, EngineEvent, OutputMap, PreviewOptions, PreviewResult, Stack, UpOptions, UpResult } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import { mockClient } from "aws-sdk-client-mock";
import {
    CHECKPOINT_SECRET_SIG,
    CHECKPOINT_SIG_KEY,
    deploymentPath,
    outputsOfCheckpoint,
    PulumiStackPort,
    stackLike,
    StackNeedsHumanError,
    summariseUpError,
    type PulumiStackLike,
} from "../../automation/adapters/pulumi-stack";

const elb = mockClient(ElasticLoadBalancingV2Client);
const URNS = ["urn:pulumi:prod::tms::tms:traffic:Traffic$aws:lb/listener:Listener::prod-https", "urn:pulumi:prod::tms::tms:traffic:Traffic$aws:lb/listener:Listener::prod-http"];
const TG = { blue: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/api-blue/1", green: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/api-green/2" };

/** Records every call; `up` fails when `failUp` is set. */
export class FakePulumiStack implements PulumiStackLike {
    readonly name = "prod";
    calls: { op: string; args: unknown }[] = [];
    failUp: string | null = null;
    pending: unknown[] = [];
    /** `deployment` is the deployed release: what the stack's `release` output says. */
    constructor(public deployment: Record<string, unknown>, public outs: Record<string, unknown>) {}
    async exportStack(): Promise<any> {
        return { version: 3, deployment: { resources: [], pending_operations: this.pending } };
    }
    async getConfig(key: string): Promise<ConfigValue> {
        this.calls.push({ op: "getConfig", args: key });
        return { value: JSON.stringify(this.deployment), secret: false };
    }
    async setAllConfig(config: ConfigMap, path?: boolean): Promise<void> {
        this.calls.push({ op: "setAllConfig", args: { config, path } });
    }
    async up(opts?: UpOptions): Promise<UpResult> {
        this.calls.push({ op: "up", args: { target: opts?.target } });
        if (this.failUp) throw new Error(this.failUp);
        return { summary: { result: "succeeded" } } as UpResult;
    }
    async outputs(): Promise<OutputMap> {
        this.calls.push({ op: "outputs", args: null });
        return Object.fromEntries(Object.entries({ ...this.outs, release: this.deployment }).map(([k, value]) => [k, { value, secret: false }]));
    }
    /** What each `preview` is answered with: the engine's events, and its change summary. */
    previews: { events: EngineEvent[]; summary: Record<string, number> }[] = [];
    async preview(opts?: PreviewOptions): Promise<PreviewResult> {
        // The config file exists only while the preview runs: keep its text.
        const configFile = opts?.configFile ? fs.readFileSync(opts.configFile, "utf8") : null;
        this.calls.push({ op: "preview", args: { target: opts?.target, configFile, path: opts?.configFile } });
        const answer = this.previews.shift() ?? { events: [], summary: { same: 1 } };
        for (const e of answer.events) opts?.onEvent?.(e);
        return { stdout: "", stderr: "", changeSummary: answer.summary } as PreviewResult;
    }
    ops() { return this.calls.filter((c) => c.op !== "getConfig" && c.op !== "outputs"); }
}

const deployment = () => ({ revision: 4, live: "blue", weight: 0,
    blue: { running: true, images: { "api-gateway": "1.0", "task-service": "1.0" } }, green: { running: false, images: {} } });
/** The traffic section as the deployed release (revision 4) writes it, before a change. */
const SECTION = {
    "tms:deployment.live": "blue", "tms:deployment.weight": "0", "tms:deployment.revision": "5",
    "tms:deployment.blue.running": "true", 'tms:deployment.blue.images["api-gateway"]': "1.0", 'tms:deployment.blue.images["task-service"]': "1.0",
    "tms:deployment.green.running": "false",
};
const outs = { weightListenerUrns: URNS, targetGroupArns: { "api-gateway": TG } };
const cfg = (values: Record<string, string>) => ({ config: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: v, secret: false }])), path: true });

describe("PulumiStackPort (stack port on the Automation API)", () => {
    let fake: FakePulumiStack;
    let port: PulumiStackPort;
    beforeEach(() => {
        elb.reset();
        fake = new FakePulumiStack(deployment(), outs);
        port = new PulumiStackPort(fake, new ElasticLoadBalancingV2Client({ region: "us-east-1" }), () => undefined, 200);
    });

    it("quotes service names in config paths", () => {
        assert.equal(deploymentPath("green", "images", "api-gateway"), 'tms:deployment.green.images["api-gateway"]');
        assert.equal(deploymentPath("weight"), "tms:deployment.weight");
    });

    it("reads the traffic state from the deployed release (the stack's `release` output), not the runner's stack file", async () => {
        assert.deepEqual(await port.readTraffic(), {
            live: "blue", weight: 0,
            images: { blue: { "api-gateway": "1.0", "task-service": "1.0" }, green: {} },
            running: { blue: true, green: false },
        });
        assert.deepEqual(fake.calls.map((c) => c.op), ["outputs"]);
    });

    it("rollout:sync writes the deployed release into the stack file as it is, same revision", async () => {
        await port.sync();
        assert.deepEqual(fake.ops(), [{ op: "setAllConfig", args: cfg({ ...SECTION, "tms:deployment.revision": "4" }) }]);
    });

    it("an update is refused, naming the remedy, while the stack has pending operations or is locked; other failures are one line", async () => {
        fake.pending = [{ type: "creating", resource: { urn: "urn:pulumi:prod::tms::aws:ecs/service:Service::api-green" } }];
        await assert.rejects(port.setWeight(30), (e: Error) => e instanceof StackNeedsHumanError &&
            /^the Pulumi stack prod has 1 pending operation\(s\) from an interrupted update \(creating api-green\): check in AWS whether they exist, then run `pulumi refresh --stack prod --clear-pending-creates` \(not created\) or `pulumi refresh --stack prod --import-pending-creates <urn>,<id>` \(created\), then resume$/.test(e.message));
        assert.equal(fake.ops().filter((c) => c.op === "up").length, 0, "no up over pending operations");
        fake.pending = [];
        fake.failUp = "code: 255\n stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.";
        await assert.rejects(port.setWeight(30), (e: Error) => e instanceof StackNeedsHumanError && /pulumi cancel --stack prod --yes/.test(e.message));
        const noise = Array.from({ length: 400 }, (_, i) => `    +  aws:ecs/service:Service api-${i} creating (1s)`).join("\n");
        fake.failUp = `${noise}\nerror: update failed\n  aws:ecs/service:Service (api-green):\nerror: 1 error occurred: creating ECS Service (api-green): ThrottlingException: Rate exceeded\n${noise}`;
        await assert.rejects(port.setWeight(30), (e: Error) => e.message === "pulumi up (weight 30%) failed: error: 1 error occurred: creating ECS Service (api-green): ThrottlingException: Rate exceeded");
        assert.equal(summariseUpError("prod", "x".repeat(2000)).length, 401);
    });

    it("deploys the candidate: its images and running=true by path, then one full up", async () => {
        await port.deployCandidate("green", { id: "v2", images: { "api-gateway": "repo/api:v2", "task-service": "repo/task:v2" } });
        // The whole traffic section (the deployed release at revision 4) with the change, as revision 5.
        assert.deepEqual(fake.ops(), [
            { op: "setAllConfig", args: cfg({
                ...SECTION,
                "tms:deployment.green.running": "true",
                'tms:deployment.green.images["api-gateway"]': "repo/api:v2",
                'tms:deployment.green.images["task-service"]': "repo/task:v2",
            }) },
            { op: "up", args: { target: undefined } },
        ]);
    });

    it("a weight step sets tms:deployment.weight and runs up targeted at the weight listeners only", async () => {
        await port.setWeight(30);
        assert.deepEqual(fake.ops(), [
            { op: "setAllConfig", args: cfg({ ...SECTION, "tms:deployment.weight": "30" }) },
            { op: "up", args: { target: URNS } },
        ]);
    });

    it("finalise makes the candidate live at weight 0; scale-down sets running=false", async () => {
        await port.finalise("green");
        await port.scaleToZero("blue");
        assert.deepEqual(fake.ops(), [
            { op: "setAllConfig", args: cfg({ ...SECTION, "tms:deployment.live": "green", "tms:deployment.weight": "0" }) },
            { op: "up", args: { target: undefined } },
            { op: "setAllConfig", args: cfg({ ...SECTION, "tms:deployment.blue.running": "false" }) },
            { op: "up", args: { target: undefined } },
        ]);
    });

    it("--show-diff previews the deploy, then step 1 targeted at the weight listeners, from temporary stack files that carry the rollout's traffic section; nothing is set or updated", async () => {
        const dir = fs.mkdtempSync(require("path").join(require("os").tmpdir(), "tms-preview-test-"));
        const stackFile = require("path").join(dir, "Pulumi.prod.yaml");
        const text = "# prod\nencryptionsalt: v1:abc\nconfig:\n  aws:region: us-east-1 # keep me\n  tms:deployment:\n    live: blue\n    weight: 0\n    revision: 1\n";
        fs.writeFileSync(stackFile, text);
        const listener = { resourcePreEvent: { metadata: { op: "update", urn: URNS[0], type: "aws:lb/listener:Listener", provider: "",
            old: { inputs: { defaultActions: [{ forward: { targetGroups: [{ arn: TG.blue, weight: 100 }, { arn: TG.green, weight: 0 }] } }] } },
            new: { inputs: { defaultActions: [{ forward: { targetGroups: [{ arn: TG.blue, weight: 90 }, { arn: TG.green, weight: 10 }] } }] } } } } };
        fake.previews = [{ events: [], summary: { same: 40, update: 3 } }, { events: [listener as unknown as EngineEvent], summary: { same: 42, update: 1 } }];
        const diffs = await port.previewRelease({ images: { "api-gateway": "repo/api:v2" }, rolling: false, firstWeight: 10, stackFile });
        const previews = fake.calls.filter((c) => c.op === "preview").map((c) => c.args as { target?: string[]; configFile: string; path: string });
        assert.deepEqual(previews.map((p) => p.target), [undefined, URNS]);
        const YAML = require("yaml");
        const read = previews.map((p) => YAML.parse(p.configFile));
        // Revision 5 on the deployed 4; green runs the named image and live's others; the weight only in step 1's file.
        const deploy = { revision: 5, live: "blue", weight: 0, blue: { running: true, images: { "api-gateway": "1.0", "task-service": "1.0" } },
            green: { running: true, images: { "api-gateway": "repo/api:v2", "task-service": "1.0" } } };
        assert.deepEqual(read[0].config["tms:deployment"], deploy);
        assert.deepEqual(read[1].config["tms:deployment"], { ...deploy, weight: 10 });
        assert.equal(read[0].encryptionsalt, "v1:abc", "the stack's secrets settings travel with the copy");
        assert.match(previews[0].configFile, /aws:region: us-east-1 # keep me/);
        assert.equal(fs.readFileSync(stackFile, "utf8"), text, "the checkout's stack file is untouched");
        assert.ok(previews.every((p) => !fs.existsSync(p.path)), "the temporary files are removed");
        assert.deepEqual(fake.ops().filter((c) => c.op !== "preview"), [], "no setAllConfig, no up");
        assert.deepEqual(diffs.map((d) => [d.step, d.summary]), [["deploy green at 0%", { same: 40, update: 3 }], ["step 1: 10% to green", { same: 42, update: 1 }]]);
        assert.deepEqual(diffs[1].changes[0].properties, [
            { path: "defaultActions[0].forward.targetGroups[0].weight", before: "100", after: "90" },
            { path: "defaultActions[0].forward.targetGroups[1].weight", before: "0", after: "10" },
        ]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a failed up throws (deploy) or reports not settled (rolling)", async () => {
        fake.failUp = "update failed: circuit breaker";
        await assert.rejects(port.setWeight(10), /circuit breaker/);
        const r = await port.deployRolling({ id: "v2", images: { "api-gateway": "v2" } });
        assert.deepEqual(r, { settled: false, detail: "pulumi up (rolling v2) failed: update failed: circuit breaker" });
    });

    it("reads the weight back from the ALB listeners that forward to both colours", async () => {
        elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ LoadBalancerArns: ["arn:lb/app/tms-prod/1"] }] });
        elb.on(DescribeListenersCommand).resolves({ Listeners: [
            { DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.blue, Weight: 70 }, { TargetGroupArn: TG.green, Weight: 30 }] } }] },
            { DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.green, Weight: 1 }] } }] }, // test listener
        ] });
        assert.equal(await port.readWeight(), 30);
        assert.deepEqual(elb.commandCalls(DescribeTargetGroupsCommand)[0].args[0].input, { TargetGroupArns: [TG.blue, TG.green] });
        assert.deepEqual(elb.commandCalls(DescribeListenersCommand)[0].args[0].input, { LoadBalancerArn: "arn:lb/app/tms-prod/1" });

        elb.on(DescribeListenersCommand).resolves({ Listeners: [
            { DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.blue, Weight: 70 }, { TargetGroupArn: TG.green, Weight: 30 }] } }] },
            { DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.blue, Weight: 100 }, { TargetGroupArn: TG.green, Weight: 0 }] } }] },
        ] });
        await assert.rejects(port.readWeight(), /listeners disagree on the candidate weight: 30%, 0%/);
    });

    it("reads the weight from the rules when the listener itself answers 403 (behind the CDN)", async () => {
        elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ LoadBalancerArns: ["arn:lb/app/tms-prod/1"] }] });
        elb.on(DescribeListenersCommand).resolves({ Listeners: [
            { ListenerArn: "arn:listener/https", DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "403" } }] },
            { ListenerArn: "arn:listener/test", DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.green, Weight: 1 }] } }] },
        ] });
        const weighted = { Type: "forward" as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.blue, Weight: 50 }, { TargetGroupArn: TG.green, Weight: 50 }] } };
        elb.on(DescribeRulesCommand, { ListenerArn: "arn:listener/https" }).resolves({ Rules: [{ Actions: [weighted] }, { Actions: [weighted] }] });
        elb.on(DescribeRulesCommand, { ListenerArn: "arn:listener/test" }).resolves({ Rules: [] });
        assert.equal(await port.readWeight(), 50);
        assert.deepEqual(elb.commandCalls(DescribeRulesCommand).map((c) => c.args[0].input.ListenerArn), ["arn:listener/https", "arn:listener/test"]);
    });

    it("finds the weighted listener through whichever service is the default route", async () => {
        const TASK = { blue: "arn:tg/task-blue", green: "arn:tg/task-green" };
        const two = new FakePulumiStack(deployment(), { ...outs, targetGroupArns: { "task-service": TASK, "api-gateway": TG } });
        const p = new PulumiStackPort(two, new ElasticLoadBalancingV2Client({ region: "us-east-1" }), () => undefined, 200);
        elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ LoadBalancerArns: ["arn:lb/app/tms-prod/1"] }] });
        elb.on(DescribeListenersCommand).resolves({ Listeners: [
            { DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG.blue, Weight: 90 }, { TargetGroupArn: TG.green, Weight: 10 }] } }] }] });
        assert.equal(await p.readWeight(), 10);
        assert.equal(elb.commandCalls(DescribeListenersCommand).length, 2, "task-service's groups are not a default action; api-gateway's are");
    });

    it("counts target health of a colour; ALB errors name the call", async () => {
        elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [
            { TargetHealth: { State: "healthy" } }, { TargetHealth: { State: "healthy" } }, { TargetHealth: { State: "initial" } }, { TargetHealth: { State: "unhealthy" } }] });
        assert.deepEqual(await port.candidateHealth("green"), { healthy: 2, unhealthy: 1, pending: 1 });
        assert.deepEqual(elb.commandCalls(DescribeTargetHealthCommand)[0].args[0].input, { TargetGroupArn: TG.green });
        elb.on(DescribeTargetHealthCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
        await assert.rejects(port.candidateHealth("green"), /ELBv2 DescribeTargetHealth failed: Throttling: Rate exceeded/);
        elb.on(DescribeTargetHealthCommand).callsFake(() => new Promise(() => undefined));
        await assert.rejects(port.candidateHealth("green"), /ELBv2 DescribeTargetHealth failed: Timeout/);
    });
});

describe("PulumiStackPort rolling deployments", () => {
    it("waits for the ECS deployments after the update; a failed update is not settled", async () => {
        const fake = new FakePulumiStack(deployment(), outs);
        const seen: string[] = [];
        const port = new PulumiStackPort(fake, new ElasticLoadBalancingV2Client({ region: "us-east-1" }), () => undefined, 200,
            async (r) => { seen.push(r.id); return { settled: false, detail: "api: FAILED" }; });
        const r = await port.deployRolling({ id: "v2", images: { "api-gateway": "repo/api:v2" } });
        assert.deepEqual(r, { settled: false, detail: "api: FAILED" });
        assert.deepEqual(seen, ["v2"]);
        assert.deepEqual(fake.ops()[0], { op: "setAllConfig", args: cfg({ ...SECTION, 'tms:deployment.blue.images["api-gateway"]': "repo/api:v2" }) });
        fake.failUp = "update failed";
        assert.deepEqual(await port.deployRolling({ id: "v3", images: {} }), { settled: false, detail: "pulumi up (rolling v3) failed: update failed" });
        assert.deepEqual(seen, ["v2"], "not watched when the update itself failed");
    });
});

describe("outputsOfCheckpoint and stackLike (a stack's outputs from one `pulumi stack export --show-secrets`)", () => {
    const secret = (value: unknown) => ({ [CHECKPOINT_SIG_KEY]: CHECKPOINT_SECRET_SIG, plaintext: JSON.stringify(value) });
    const checkpoint = (outputs: Record<string, unknown> | undefined) => ({
        version: 3,
        deployment: { resources: [{ type: "pulumi:providers:aws", outputs: { region: "x" } }, ...(outputs ? [{ type: "pulumi:pulumi:Stack", outputs }] : [])] },
    });

    it("the secret wrapper is the SDK's (runtime/rpc.ts), so an SDK that changes it fails here", () => {
        const rpc = require("@pulumi/pulumi/runtime/rpc");
        assert.deepEqual([CHECKPOINT_SIG_KEY, CHECKPOINT_SECRET_SIG], [rpc.specialSigKey, rpc.specialSecretSig]);
    });

    it("reads the root stack resource's outputs as the Automation API does: every value shown, secret when the whole output is", () => {
        const out = outputsOfCheckpoint(checkpoint({
            weight: 10,
            release: { revision: 3, live: "blue" },
            originVerifyHeader: secret("h3ader"),
            databaseUserCredentials: secret({ api: { password: "p", username: "u" } }),
            nested: { a: secret("inner"), b: [1, secret(2)] },
        }), "prod");
        assert.deepEqual(out, {
            weight: { value: 10, secret: false },
            release: { value: { revision: 3, live: "blue" }, secret: false },
            originVerifyHeader: { value: "h3ader", secret: true },
            databaseUserCredentials: { value: { api: { password: "p", username: "u" } }, secret: true },
            // `pulumi stack output` masks a nested secret inside the value: the Automation API does not call the output secret.
            nested: { value: { a: "inner", b: [1, 2] }, secret: false },
        });
    });

    it("a stack never deployed has no outputs; a secret exported without --show-secrets is an error naming the stack and the output", () => {
        assert.deepEqual(outputsOfCheckpoint(checkpoint(undefined), "prod"), {});
        assert.deepEqual(outputsOfCheckpoint({ version: 3, deployment: {} }, "prod"), {});
        assert.throws(
            () => outputsOfCheckpoint(checkpoint({ header: { [CHECKPOINT_SIG_KEY]: CHECKPOINT_SECRET_SIG, ciphertext: "v1:abc" } }), "prod"),
            /^Error: stack prod: output header is encrypted in the checkpoint \(export it with --show-secrets\)$/,
        );
    });

    it("stackLike reads outputs with one export (never Stack.outputs()); afterUp runs when an update ends, failed or not", async () => {
        const calls: string[] = [];
        let failUp = false;
        const stack = {
            name: "prod",
            exportStack: async () => (calls.push("export"), checkpoint({ weight: 30 })),
            outputs: async () => { throw new Error("Stack.outputs() runs `pulumi stack output` twice"); },
            up: async () => {
                calls.push("up");
                if (failUp) throw new Error("boom");
                return { summary: { result: "succeeded" } };
            },
        };
        let ended = 0;
        const like = stackLike(stack as unknown as Stack, () => ended++);
        assert.equal(like.name, "prod");
        assert.deepEqual(await like.outputs(), { weight: { value: 30, secret: false } });
        await like.up();
        failUp = true;
        await assert.rejects(like.up(), /boom/);
        assert.deepEqual([calls, ended], [["export", "up", "up"], 2]);
    });
});
