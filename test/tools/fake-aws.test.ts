/**
 * L2 (the program under the mock engine) judged by the fake AWS (tools/fake-aws): its table of facts
 * covers every type the four stacks register, each fact with its source; the provider's schema read
 * from its own source (ForceNew, defaults, validations); what AWS stores back; the day-two diff; the
 * accounts' memory (unique and reserved names, revisions). And, over the real plans of every stack: a
 * second `up` against what AWS stored changes nothing (the Cloud Map threshold would replace every
 * discovery service).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { accountOf, AwsError, checkInputs, diffInputs, ElbFromState, type ExportedResource, FACTS, FakeAccounts, providerSchema, storedState, toApiAction } from "../../tools/fake-aws";
import { plan, STACKS } from "../harness";

const CLOUD_MAP = "aws:servicediscovery/service:Service";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ctx = { region: "us-east-1", stackReference: () => undefined };
const SOURCE = /^(https:\/\/docs\.aws\.amazon\.com\/|https:\/\/github\.com\/hashicorp\/terraform-provider-(aws|random)\/(issues|pull|blob)\/|https:\/\/www\.pulumi\.com\/docs\/)/;

/** Every fact's sources, flattened. */
function sourcesOf(facts: (typeof FACTS)[string]): string[] {
    const all = [facts.refusesDelete, facts.replaces, facts.unique, facts.reservedAfterDelete, facts.component, ...(facts.stored ?? []), ...(facts.refuses ?? [])];
    return all.flatMap((f) => (f ? [f.source].flat() : []));
}

describe("the fake AWS's table of facts", () => {
    it("has an entry for every resource type the four stacks register, each fact with its source", async () => {
        const registered = new Set<string>();
        for (const stack of STACKS) for (const r of (await plan(stack)).resources) if (r.custom && !r.type.startsWith("pulumi:")) registered.add(r.type);
        registered.add("awsx:ec2:Vpc");
        const missing = [...registered].filter((t) => !FACTS[t]).sort();
        assert.deepEqual(missing, [], "types with no facts");
        const schema = providerSchema();
        for (const t of registered) {
            const f = FACTS[t];
            if (f.tfResource) {
                const s = schema.types[t];
                assert.ok(s, `${t}: no schema read from the provider (run npm run fake-aws:schema)`);
                assert.equal(s.tfResource, f.tfResource);
                assert.match(s.file, /^internal\/service\/[a-z0-9]+\/[a-z0-9_]+\.go$/, t);
                assert.deepEqual(s.unmapped ?? [], [], `${t}: attributes not mapped onto @pulumi/aws`);
            } else {
                assert.ok(f.replaces || f.component, `${t}: neither a provider schema nor a sourced replacement rule`);
            }
            for (const src of sourcesOf(f)) assert.match(src, SOURCE, `${t}: ${src}`);
        }
        assert.match(schema.provider.commit, /^[0-9a-f]{12}$/);
        assert.ok(registered.size >= 70, `${registered.size} types`);
    });

    it("holds no schema the table does not ask for (the generated file and the table agree)", () => {
        const asked = new Set(Object.entries(FACTS).filter(([, f]) => f.tfResource).map(([t]) => t));
        assert.deepEqual(Object.keys(providerSchema().types).filter((t) => !asked.has(t)), []);
    });

    it("reads ForceNew from the provider's source: Cloud Map's health-check block, every task-definition argument but its tags, nothing of a listener rule's actions", () => {
        const t = providerSchema().types;
        assert.equal(t[CLOUD_MAP].file, "internal/service/servicediscovery/service.go");
        assert.ok(t[CLOUD_MAP].attributes["healthCheckCustomConfig"].forceNew);
        assert.ok(t[CLOUD_MAP].attributes["healthCheckCustomConfig.failureThreshold"].forceNew);
        assert.ok(t[CLOUD_MAP].attributes["healthCheckCustomConfig.failureThreshold"].deprecated);
        const td = t[TASK_DEFINITION];
        const inPlace = td.inputs.filter((p) => !Object.entries(td.attributes).some(([path, f]) => f.forceNew && path.split(".")[0].replace("[]", "") === p));
        assert.deepEqual(inPlace.sort(), ["region", "skipDestroy", "tags", "trackLatest"], "a task definition is replaced on every change but its tags (and the provider's own flags)");
        const rule = t["aws:lb/listenerRule:ListenerRule"];
        assert.deepEqual(Object.entries(rule.attributes).filter(([, f]) => f.forceNew).map(([p]) => p), ["listenerArn"]);
    });
});

describe("the fake AWS's answers", () => {
    it("check: fills the provider's defaults, refuses what its schema refuses, names what Pulumi autonames", () => {
        const ok = checkInputs(CLOUD_MAP, { name: "api-blue", dnsConfig: { namespaceId: "ns-1", dnsRecords: [{ type: "A", ttl: 10 }] } });
        assert.deepEqual(ok.failures, []);
        assert.equal(ok.inputs.dnsConfig.routingPolicy, "MULTIVALUE", "the schema's default");
        const bad = checkInputs(CLOUD_MAP, { name: "api-blue", dnsConfig: { namespaceId: "ns-1", dnsRecords: [{ type: "MX", ttl: 10 }] } });
        assert.match(bad.failures.map((f) => `${f.property}: ${f.reason}`).join("\n"), /dnsConfig\.dnsRecords\[\]\.type: "MX" is not one of SRV, A, AAAA, CNAME \(internal\/service\/servicediscovery\/service\.go .* line \d+\)/);
        const long = checkInputs("aws:cloudwatch/metricAlarm:MetricAlarm", { name: "x".repeat(256), comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 });
        assert.ok(long.failures.some((f) => f.property === "name" && /length 256, outside 1–255/.test(f.reason)), JSON.stringify(long.failures));
        const named = checkInputs("aws:appautoscaling/policy:Policy", { resourceId: "service/c/s", scalableDimension: "ecs:service:DesiredCount", serviceNamespace: "ecs" }, "tms-scale-cpu");
        assert.match(named.inputs.name, /^tms-scale-cpu-[0-9a-f]{7}$/);
        assert.deepEqual(named.failures, []);
    });

    it("stores 1 for Cloud Map's failure threshold whatever it was sent, and no block for an empty one", () => {
        const sent = (c: object | undefined) => storedState(CLOUD_MAP, "d", { name: "api-blue", healthCheckCustomConfig: c }, ctx).state.healthCheckCustomConfig;
        assert.deepEqual(sent({ failureThreshold: 2 }), { failureThreshold: 1 });
        assert.deepEqual(sent({ failureThreshold: 1 }), { failureThreshold: 1 });
        assert.equal(sent({}), undefined);
        assert.equal(sent(undefined), undefined);
    });

    it("diff: the old Cloud Map value replaces the service on every later up; 1 converges; an empty block loops (#44285)", () => {
        const dayTwo = (c: object | undefined) => {
            const inputs = checkInputs(CLOUD_MAP, { name: "api-blue", dnsConfig: { namespaceId: "ns-1", dnsRecords: [{ type: "A", ttl: 10 }] }, healthCheckCustomConfig: c }).inputs;
            return diffInputs(CLOUD_MAP, storedState(CLOUD_MAP, "d", inputs, ctx).state, inputs);
        };
        assert.deepEqual(dayTwo({ failureThreshold: 2 }), {
            changed: ["healthCheckCustomConfig"], replaces: ["healthCheckCustomConfig"],
            replaceReasons: ["healthCheckCustomConfig", "healthCheckCustomConfig.failureThreshold"],
        });
        assert.deepEqual(dayTwo({ failureThreshold: 1 }), { changed: [], replaces: [], replaceReasons: [] });
        assert.deepEqual(dayTwo({}).replaces, ["healthCheckCustomConfig"]);
    });

    it("diff: a property the provider marks Optional+Computed, left out, keeps its stored value; a tag changes in place", () => {
        const inputs = checkInputs(CLOUD_MAP, { name: "a", dnsConfig: { namespaceId: "ns-1", dnsRecords: [{ type: "A", ttl: 10 }] }, tags: { A: "1" } }).inputs;
        const stored = { ...storedState(CLOUD_MAP, "d", inputs, ctx).state, namespaceId: "ns-1", type: "DNS_HTTP" };
        assert.deepEqual(diffInputs(CLOUD_MAP, stored, inputs).changed, []);
        assert.deepEqual(diffInputs(CLOUD_MAP, stored, { ...inputs, tags: { A: "2" } }), { changed: ["tags"], replaces: [], replaceReasons: [] });
        assert.deepEqual(diffInputs(CLOUD_MAP, stored, { ...inputs, name: "b" }).replaces, ["name"]);
    });

    it("diff: any change of a task definition's containers is a replacement (a new revision)", () => {
        const inputs = { family: "tms-prod-api-blue", containerDefinitions: JSON.stringify([{ name: "api", image: "a:1" }]), cpu: "1024", memory: "2048" };
        const stored = storedState(TASK_DEFINITION, "t", inputs, ctx).state;
        assert.deepEqual(diffInputs(TASK_DEFINITION, stored, { ...inputs, containerDefinitions: JSON.stringify([{ name: "api", image: "a:2" }]) }).replaces, ["containerDefinitions"]);
        assert.deepEqual(diffInputs(TASK_DEFINITION, stored, { ...inputs, tags: { Colour: "blue" } }).replaces, []);
    });
});

describe("the fake AWS accounts (names, reservations, revisions)", () => {
    const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::tms::tms:index:EnvironmentStack$${type}::${name}`;
    let now = Date.parse("2026-12-01T10:00:00Z");
    const accounts = () => new FakeAccounts({ root: fs.mkdtempSync(path.join(os.tmpdir(), "fake-aws-")), now: () => now });

    it("refuses a second resource with a unique name, as AWS does; the same resource may claim it again", () => {
        const a = accounts();
        a.claim(urn("prod", CLOUD_MAP, "old"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-1" } });
        assert.throws(() => a.claim(urn("prod", CLOUD_MAP, "new"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-1" } }), (e: Error) => e instanceof AwsError && /^ServiceAlreadyExists: ns-1\/api-blue already exists/.test(e.message));
        a.claim(urn("prod", CLOUD_MAP, "old"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-1" } });
        a.claim(urn("prod", CLOUD_MAP, "other"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-2" } });
        a.release(urn("prod", CLOUD_MAP, "old"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-1" } });
        a.claim(urn("prod", CLOUD_MAP, "new"), "us-east-1", { name: "api-blue", dnsConfig: { namespaceId: "ns-1" } });
    });

    it("shares prod's account with dr (IAM role names collide) and gives dev and staging their own", () => {
        assert.equal(accountOf("dr"), "prod");
        assert.equal(accountOf("staging"), "staging");
        const a = accounts();
        const role = "aws:iam/role:Role";
        a.claim(urn("prod", role, "r"), "us-east-1", { name: "tms-deployment-role" });
        a.claim(urn("staging", role, "r"), "us-east-1", { name: "tms-deployment-role" });
        assert.throws(() => a.claim(urn("dr", role, "r"), "us-west-2", { name: "TMS-deployment-role" }), /EntityAlreadyExists/, "IAM is global and case-insensitive");
        a.claim(urn("dr", role, "r"), "us-west-2", { name: "tms-deployment-role-dr" });
    });

    it("keeps a deleted secret's name for its recovery window; a window of 0 frees it at once", () => {
        const a = accounts();
        const secret = "aws:secretsmanager/secret:Secret";
        a.claim(urn("dev", secret, "s"), "us-east-1", { name: "development/api/mongodb-uri" });
        a.release(urn("dev", secret, "s"), "us-east-1", { name: "development/api/mongodb-uri", recoveryWindowInDays: 7 });
        assert.throws(() => a.claim(urn("dev", secret, "s"), "us-east-1", { name: "development/api/mongodb-uri" }), /already scheduled for deletion.*reserved until 2026-12-08/);
        now += 8 * 86_400_000;
        a.claim(urn("dev", secret, "s"), "us-east-1", { name: "development/api/mongodb-uri" });
        a.release(urn("dev", secret, "s"), "us-east-1", { name: "development/api/mongodb-uri", recoveryWindowInDays: 0 });
        a.claim(urn("dev", secret, "s2"), "us-east-1", { name: "development/api/mongodb-uri" });
    });

    it("numbers task definition revisions per family and counts a resource's creates", () => {
        const a = accounts();
        const u = urn("prod", TASK_DEFINITION, "t");
        assert.deepEqual([a.nextRevision(u, "us-east-1", "f"), a.nextRevision(u, "us-east-1", "f"), a.nextRevision(u, "us-east-1", "g")], [1, 2, 1]);
        assert.deepEqual([a.nextGeneration(u), a.nextGeneration(u)], [0, 1]);
        a.store(u, "us-east-1", "arn:t:1", { family: "f" });
        assert.deepEqual(a.read(u, "us-east-1", "arn:t:1"), { family: "f" });
        assert.equal(a.read(u, "us-west-2", "arn:t:1"), undefined, "ids are per region");
        a.forget(u, "us-east-1", "arn:t:1");
        assert.equal(a.read(u, "us-east-1", "arn:t:1"), undefined);
    });
});

describe("day two against the fake AWS, every stack (L2)", () => {
    for (const stack of STACKS) {
        it(`${stack}: a second up against what AWS stored changes nothing`, async () => {
            const drift: string[] = [];
            for (const r of (await plan(stack)).resources) {
                if (!r.custom || !FACTS[r.type] || FACTS[r.type].component) continue;
                const { inputs, failures } = checkInputs(r.type, r.inputs, r.name);
                assert.deepEqual(failures, [], `${r.urn}`);
                const stored = storedState(r.type, r.name, inputs, { region: r.outputs.region ?? "us-east-1", stackReference: () => undefined }).state;
                const d = diffInputs(r.type, stored, inputs);
                if (d.changed.length) drift.push(`${r.urn}: ${d.replaces.length ? `replace (${d.replaceReasons.join(", ")})` : `update ${d.changed.join(", ")}`}`);
            }
            assert.deepEqual(drift, []);
        });
    }
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
