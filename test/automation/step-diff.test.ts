/** L4: `--show-diff`'s pure part: the preview's config file, the changes read from the engine's events, the lines printed. */
import { strict as assert } from "assert";
import YAML from "yaml";
import { applyConfigLeaves, changesOf, formatStepDiff, formatSummary, leafDiff, parseConfigPath, typedConfigValue, type PreviewEvent } from "../../automation/step-diff";
import { deploymentPath, trafficSection } from "../../automation/adapters/pulumi-stack";

const event = (op: string, name: string, old?: Record<string, unknown>, neu?: Record<string, unknown>, extra: Record<string, unknown> = {}): PreviewEvent => ({
    resourcePreEvent: { metadata: { op, urn: `urn:pulumi:prod::tms::aws:ecs/service:Service::${name}`, type: "aws:ecs/service:Service", old: old && { inputs: old }, new: neu && { inputs: neu }, ...extra } },
});

describe("step diff (--show-diff)", () => {
    it("reads Pulumi's --path syntax, the one deploymentPath writes", () => {
        assert.deepEqual(parseConfigPath(deploymentPath("green", "images", "api-gateway")), ["tms:deployment", "green", "images", "api-gateway"]);
        assert.deepEqual(parseConfigPath("tms:rollout.steps[1].weight"), ["tms:rollout", "steps", "1", "weight"]);
        assert.deepEqual(parseConfigPath('a:b["x\\"y"]'), ["a:b", 'x"y']);
        assert.throws(() => parseConfigPath("a:b..c"), /cannot read "\.\.c"/);
    });

    it("types values as `config set --path` does: integers and booleans, nothing else", () => {
        assert.deepEqual(["30", "0", "true", "false", "-4", "3f9c2a1-prod", "1.5", "007", "True"].map(typedConfigValue), [30, 0, true, false, -4, "3f9c2a1-prod", "1.5", "007", "True"]);
    });

    it("writes the rollout's traffic section into a copy of the stack file, keeping comments and every other key", () => {
        const text = "encryptionsalt: v1:x\nconfig:\n  # the region\n  aws:region: us-east-1\n  tms:deployment:\n    strategy: canary # decision\n    live: blue\n    weight: 0\n";
        const release = { revision: 2, live: "blue" as const, weight: 0, blue: { running: true, images: { "api-gateway": "a:1" } }, green: { running: false, images: { "api-gateway": "a:1" } } };
        const out = applyConfigLeaves(text, trafficSection(release, { [deploymentPath("weight")]: "10", [deploymentPath("green", "running")]: "true" }));
        assert.match(out, /# the region\n {2}aws:region: us-east-1/);
        assert.match(out, /strategy: canary # decision/);
        assert.deepEqual(YAML.parse(out).config["tms:deployment"], {
            strategy: "canary", live: "blue", weight: 10, revision: 3,
            blue: { running: true, images: { "api-gateway": "a:1" } }, green: { running: true, images: { "api-gateway": "a:1" } },
        });
        assert.throws(() => applyConfigLeaves("config: [", {}), /not valid YAML/);
    });

    it("finds leaf changes, inside JSON strings too (a task definition's containers)", () => {
        const before = { desiredCount: 0, containerDefinitions: JSON.stringify([{ name: "api", image: "repo:1", cpu: 512 }]), tags: { a: "1" } };
        const after = { desiredCount: 6, containerDefinitions: JSON.stringify([{ name: "api", image: "repo:2", cpu: 512 }]), tags: { a: "1", "b-c": "2" } };
        assert.deepEqual(leafDiff(before, after), [
            { path: "containerDefinitions[0].image", before: '"repo:1"', after: '"repo:2"' },
            { path: "desiredCount", before: "0", after: "6" },
            { path: "tags.b-c", before: null, after: '"2"' },
        ]);
        assert.deepEqual(leafDiff({ x: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { x: "a".repeat(200) })[0].after!.length, 86);
        assert.equal(leafDiff({ x: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { x: 1 })[0].before, "(known after the update)");
        // An image URI's tag: the shared registry and repository are elided to the last separator.
        const repo = "111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway";
        assert.deepEqual(leafDiff({ image: `${repo}:latest-prod` }, { image: `${repo}:4b1d2e3-prod` }), [{ path: "image", before: '"…:latest-prod"', after: '"…:4b1d2e3-prod"' }]);
    });

    it("one change per resource: quiet ops dropped, a replacement's three steps folded, provider diffs when the inputs are equal", () => {
        const changes = changesOf([
            event("same", "a"),
            { resourcePreEvent: { metadata: { op: "read", urn: "urn:pulumi:prod::tms::pulumi:pulumi:StackReference::ref", type: "pulumi:pulumi:StackReference" } } },
            event("update", "svc", { desiredCount: 0 }, { desiredCount: 6 }),
            event("create-replacement", "td", { family: "a" }, { family: "b" }, { keys: ["family"] }),
            event("replace", "td", { family: "a" }, { family: "b" }, { keys: ["family"] }),
            event("delete-replaced", "td", { family: "a" }, { family: "b" }),
            event("update", "out", { x: 1 }, { x: 1 }, { diffs: ["arn"] }),
            event("create", "new", undefined, { x: 1 }),
            {},
        ]);
        assert.deepEqual(changes.map((c) => [c.op, c.name, c.properties.map((p) => p.path), c.replaceKeys]), [
            ["update", "svc", ["desiredCount"], []],
            ["replace", "td", ["family"], ["family"]],
            ["update", "out", ["arn"], []],
            ["create", "new", [], []],
        ]);
    });

    it("prints each step with the engine's summary, what it targeted and each property before → after", () => {
        assert.equal(formatSummary({ same: 360, update: 2, replace: 1 }), "2 to update, 1 to replace, 360 unchanged");
        assert.equal(formatSummary({}), "no change");
        const props = Array.from({ length: 8 }, (_, i) => ({ path: `p${i}`, before: "1", after: "2" }));
        const lines = formatStepDiff({ step: "step 1: 10% to green", target: ["u1", "u2"], summary: { same: 5, update: 1 },
            changes: [{ op: "update", type: "aws:lb/listenerRule:ListenerRule", name: "tms-traffic-origin-rule", urn: "u1", properties: props, replaceKeys: [] },
                { op: "replace", type: "aws:ecs/taskDefinition:TaskDefinition", name: "td", urn: "u3", properties: [{ path: "arn", before: null, after: null }], replaceKeys: ["family"] }] }, "prod");
        assert.deepEqual(lines, [
            "diff of step 1: 10% to green: 1 to update, 5 unchanged (the engine's pulumi preview --stack prod --target (2 weighted listener resources), with the config the rollout writes)",
            "  ~  update  aws:lb/listenerRule:ListenerRule tms-traffic-origin-rule",
            "        p0: 1 → 2", "        p1: 1 → 2", "        p2: 1 → 2", "        p3: 1 → 2", "        p4: 1 → 2", "        p5: 1 → 2",
            "        … 2 more",
            "  +- replace aws:ecs/taskDefinition:TaskDefinition td (replaced: family cannot change in place)",
            "        arn",
        ]);
    });
});
