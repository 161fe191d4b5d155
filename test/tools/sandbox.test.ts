/**
 * The offline sandbox's pure parts (L2/L4): the fake providers' state, diff and preview answers, the
 * replacement table, the generated project, the CLI build's version handling, and the load balancer read
 * from the engine's state. The sandbox itself runs on the real engine in `npm run test:engine` (L5).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { diffState, parseUrn, plannedState, previewUpdateState, regionFromConfig, reveal } from "../../tools/sandbox/fake-provider";
import { ElbFromState, toApiAction, type ExportedResource } from "../../tools/sandbox/elb-state";
import { HOST_WRAPPER_DIR, ldflags, versionAtLeast, WRAPPER_DIR, wrapperVersion } from "../../tools/sandbox/pulumi-cli";
import { REPLACE_ON_CHANGE, replacedProperties } from "../../tools/sandbox/replacements";
import { PROJECT_DIR } from "../../cli/stack-file";
import { PLUGIN_DIR, sandboxEnv, sandboxProject } from "../../tools/sandbox/sandbox";
import { mockInvoke } from "../../tools/mock-state";

const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });
const URN = "urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:data:DataTier$aws:kms/key:Key::tms-keys-data";

describe("fake provider plugins (shared fake-AWS truth)", () => {
    it("reads type and name from a URN with parents", () => {
        assert.deepEqual(parseUrn(URN), { type: "aws:kms/key:Key", name: "tms-keys-data" });
        assert.throws(() => parseUrn("tms-keys-data"), /not a resource URN/);
    });

    it("computes the mock engine's outputs and keeps secret inputs secret", () => {
        const { id, state } = plannedState("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretString: secret("hunter2-long-password") }, "us-east-1");
        assert.ok(id);
        assert.deepEqual(state.secretString, secret("hunter2-long-password"));
        const key = plannedState("aws:kms/key:Key", "tms-keys-data", { description: "data" }, "us-west-2").state;
        assert.match(key.arn, /^arn:aws:kms:us-west-2:111122223333:key\/[0-9a-f-]+$/);
        assert.deepEqual(reveal({ a: [secret(1)], b: secret({ c: secret("x") }) }), { a: [1], b: { c: "x" } });
    });

    it("diffs the planned state against the old: same inputs no change; a changed, removed or unknown input is a change", () => {
        const olds = plannedState("aws:kms/key:Key", "k", { description: "data", enableKeyRotation: true }, "us-east-1").state;
        assert.deepEqual(diffState("aws:kms/key:Key", "k", olds, { description: "data", enableKeyRotation: true }, "us-east-1"), { changed: [], replaces: [] });
        assert.deepEqual(diffState("aws:kms/key:Key", "k", olds, { description: "other", enableKeyRotation: true }, "us-east-1"), { changed: ["description"], replaces: [] });
        assert.deepEqual(diffState("aws:kms/key:Key", "k", olds, { description: "data" }, "us-east-1").changed, ["enableKeyRotation"]);
        assert.deepEqual(diffState("aws:kms/key:Key", "k", olds, { description: unknownValue, enableKeyRotation: true }, "us-east-1").changed, ["description"]);
    });

    it("asks for a replacement for every property of the table, on every stateful type, and for nothing else", () => {
        for (const [type, rule] of Object.entries(REPLACE_ON_CHANGE)) {
            assert.match(rule.source, /^https:\/\/docs\.aws\.amazon\.com\//, `${type} cites AWS's documentation`);
            for (const prop of rule.properties) {
                const olds = plannedState(type, "r", { [prop]: "a", tags: { A: "1" } }, "us-east-1").state;
                const d = diffState(type, "r", olds, { [prop]: "b", tags: { A: "1" } }, "us-east-1");
                assert.ok(d.replaces.includes(prop), `${type}.${prop}: ${d.replaces}`);
                assert.deepEqual(diffState(type, "r", olds, { [prop]: "a", tags: { A: "2" } }, "us-east-1").replaces, [], `${type}: tags change in place`);
            }
        }
        assert.deepEqual(replacedProperties("aws:lb/listenerRule:ListenerRule", ["actions", "priority"]), []);
        assert.ok(["aws:docdb/cluster:Cluster", "aws:docdb/clusterInstance:ClusterInstance", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:s3/bucket:Bucket",
            "aws:kms/key:Key", "aws:ecr/repository:Repository", "aws:dynamodb/table:Table"].every((t) => t in REPLACE_ON_CHANGE));
    });

    it("previews an update as the AWS provider plans it: computed outputs kept when unchanged, unknown otherwise", () => {
        const type = "aws:lb/listenerRule:ListenerRule";
        const listenerArn = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/tms-alb/0123456789abcdef/fedcba9876543210";
        const olds = plannedState(type, "tms-traffic-origin", { listenerArn, priority: 10, actions: [{ type: "forward", forward: { targetGroups: [{ arn: "b", weight: 100 }] } }] }, "us-east-1").state;
        const weighted = { listenerArn, priority: 10, actions: [{ type: "forward", forward: { targetGroups: [{ arn: "b", weight: 90 }, { arn: "g", weight: 10 }] } }] };
        const p = previewUpdateState(type, "tms-traffic-origin", olds, weighted, "us-east-1");
        assert.equal(p.arn, olds.arn, "a weight change keeps the rule's ARN");
        assert.deepEqual(p.actions, weighted.actions);
        const moved = previewUpdateState(type, "tms-traffic-origin", olds, { ...weighted, listenerArn: listenerArn.replace("fedcba", "abcdef") }, "us-east-1");
        assert.equal(moved.arn, unknownValue, "an ARN that would change is known only after apply");
    });

    it("takes the region from the provider's configuration", () => {
        assert.equal(regionFromConfig({ region: "us-west-2" }, {}), "us-west-2");
        assert.equal(regionFromConfig({}, { "aws:region": "eu-west-1" }), "eu-west-1");
        assert.equal(regionFromConfig({ region: unknownValue }, {}), undefined);
    });

    it("fails loudly on a data source the fake AWS does not know", () => {
        assert.equal(mockInvoke("aws:index/getRegion:getRegion", {}, "us-west-2").name, "us-west-2");
        assert.throws(() => mockInvoke("aws:ec2/getVpc:getVpc", {}, "us-east-1"), /no answer for the data source aws:ec2\/getVpc:getVpc/);
    });
});

describe("the sandbox project", () => {
    it("registers the fake plugins only in the generated Pulumi.yaml, never in the repository's", () => {
        const repo = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        assert.equal(repo.plugins, undefined, "the Pulumi.yaml users deploy with has no plugins section");
        const p = sandboxProject(repo, { aws: "7.48.0", random: "4.21.2" }, "nodejs68");
        assert.equal(p.name, "tms");
        assert.deepEqual(p.runtime, { name: "nodejs68", options: { typescript: true } }, "the built CLI's language host, with the project's options");
        assert.equal(sandboxProject(repo, {}).runtime.name, "nodejs");
        assert.equal(p.main, path.join(PROJECT_DIR, "index.ts"));
        assert.deepEqual(p.plugins.providers, [{ name: "aws", version: "7.48.0", path: PLUGIN_DIR }, { name: "random", version: "4.21.2", path: PLUGIN_DIR }]);
        for (const name of ["aws", "awsx", "random"]) {
            const file = path.join(PLUGIN_DIR, `pulumi-resource-${name}`);
            assert.ok(fs.statSync(file).mode & 0o100, `${file} is executable`);
        }
    });

    it("runs with its own backend, home and passphrase, and never with the caller's AWS or Pulumi settings", () => {
        const env = sandboxEnv("/tmp/sb", { binDir: "/opt/pulumi/bin", pulumi: "/opt/pulumi/bin/pulumi", version: "v3.248.0", runtime: "nodejs", source: "path" },
            { PATH: "/usr/bin", AWS_PROFILE: "prod-admin", AWS_SECRET_ACCESS_KEY: "x", PULUMI_ACCESS_TOKEN: "pul-123", HOME: "/root" });
        assert.equal(env.PATH, "/opt/pulumi/bin:/usr/bin");
        assert.equal(env.PULUMI_BACKEND_URL, "file:///tmp/sb/state");
        assert.equal(env.PULUMI_HOME, "/tmp/sb/home");
        assert.equal(env.AWS_PROFILE, undefined);
        assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
        assert.equal(env.PULUMI_ACCESS_TOKEN, undefined);
        assert.equal(env.HOME, "/root");
    });

    it("builds the CLI at @pulumi/pulumi's release and the language host at the newest release that has one, versions stamped in", () => {
        const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8"));
        const sdk = `v${lock.packages["node_modules/@pulumi/pulumi"].version}`;
        assert.equal(wrapperVersion(fs.readFileSync(path.join(WRAPPER_DIR, "go.mod"), "utf8")), sdk, "the CLI is the release of the Node SDK the program uses");
        assert.equal(wrapperVersion(fs.readFileSync(path.join(HOST_WRAPPER_DIR, "go.mod"), "utf8"), "sdk"), "v3.68.0");
        assert.throws(() => wrapperVersion("module x\n"), /no requirement on github.com\/pulumi\/pulumi\/pkg\/v3/);
        assert.equal(ldflags("v3.248.0"), "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.248.0");
        assert.match(ldflags("v3.68.0", true), /^-checklinkname=0 -X github.com\/pulumi\/pulumi\/pkg\/v3\/version.Version=v3.68.0 -X github.com\/pulumi\/pulumi\/sdk\/v3\/go\/common\/version.Version=v3.68.0$/);
        assert.ok(versionAtLeast("v3.248.0", "v3.68.0") && versionAtLeast("v3.68.0", "v3.68.0") && !versionAtLeast("v3.67.1", "v3.68.0") && !versionAtLeast("v3.99.0", "v3.248.0"));
        assert.deepEqual(fs.readdirSync(WRAPPER_DIR).filter((f) => f !== "bin").sort(), ["go.mod", "go.sum", "language-host"], "the wrappers commit nothing else");
        assert.deepEqual(fs.readdirSync(HOST_WRAPPER_DIR).sort(), ["go.mod", "go.sum"]);
    });
});

describe("the load balancer read from the engine's state", () => {
    const lb = "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/tms/0123456789abcdef";
    const listener = lb.replace(":loadbalancer/", ":listener/") + "/1111111111111111";
    const forward = (b: number, g: number) => [{ type: "forward", forward: { targetGroups: [{ arn: "tg-blue", weight: b }, { arn: "tg-green", weight: g }] } }];
    const state: ExportedResource[] = [
        { urn: "l", type: "aws:lb/listener:Listener", outputs: { arn: listener, loadBalancerArn: lb, port: 443, protocol: "HTTPS", defaultActions: [{ type: "fixed-response", fixedResponse: { statusCode: "403", contentType: "text/plain" } }] } },
        { urn: "r", type: "aws:lb/listenerRule:ListenerRule", outputs: { arn: listener + "/r1", listenerArn: listener, priority: 10, actions: forward(70, 30) } },
        { urn: "tb", type: "aws:lb/targetGroup:TargetGroup", outputs: { arn: "tg-blue", name: "blue", port: 5000, protocol: "HTTP" } },
        { urn: "tg", type: "aws:lb/targetGroup:TargetGroup", outputs: { arn: "tg-green", name: "green", port: 5000, protocol: "HTTP" } },
        { urn: "sb", type: "aws:ecs/service:Service", outputs: { name: "api-blue", cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/c", desiredCount: 6, loadBalancers: [{ targetGroupArn: "tg-blue" }] } },
        { urn: "sg", type: "aws:ecs/service:Service", outputs: { name: "api-green", cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/c", desiredCount: 0, loadBalancers: [{ targetGroupArn: "tg-green" }] } },
        { urn: "ag", type: "aws:appautoscaling/target:Target", outputs: { resourceId: "service/c/api-green", minCapacity: 6, maxCapacity: 12 } },
    ];
    const elb = new ElbFromState(state);

    it("answers listeners, rules and target groups in the ELBv2 API's shape", () => {
        assert.deepEqual(elb.describeTargetGroups(["tg-green"]).TargetGroups![0].LoadBalancerArns, [lb], "attached through a rule");
        const rules = elb.describeRules(listener).Rules!;
        assert.deepEqual(rules[0].Actions![0].ForwardConfig!.TargetGroups, [{ TargetGroupArn: "tg-blue", Weight: 70 }, { TargetGroupArn: "tg-green", Weight: 30 }]);
        assert.equal(elb.describeListeners(lb).Listeners![0].DefaultActions![0].FixedResponseConfig!.StatusCode, "403");
        assert.deepEqual(toApiAction({ type: "forward", targetGroupArn: "x", order: 1 }), { Type: "forward", Order: 1, TargetGroupArn: "x" });
        assert.throws(() => elb.describeTargetGroups(["tg-red"]), /not found: tg-red/);
    });

    it("counts healthy targets as the services run them, autoscaling bounds included", () => {
        assert.equal(elb.describeTargetHealth("tg-blue").TargetHealthDescriptions!.length, 6);
        assert.equal(elb.describeTargetHealth("tg-green").TargetHealthDescriptions!.length, 6, "min capacity 6 overrides a desired count of 0");
        assert.ok(elb.describeTargetHealth("tg-blue").TargetHealthDescriptions!.every((d) => d.TargetHealth!.State === "healthy"));
    });
});
