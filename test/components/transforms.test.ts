/**
 * The `transform` hooks (components/transform.ts) through the mock engine: each component's hooks change
 * the args its children are registered with, and nothing else; a component given only no-op hooks (empty
 * objects, functions that change nothing) registers exactly what it registers without them. That the
 * stacks themselves register what they did before is the URN inventory's and the plan's business.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { runProgram, type RunResult } from "../../tools/mock-engine";
import { transform } from "../../components/transform";
import type { RecordedResource } from "../../tools/record";

const PROGRAM = path.join(__dirname, "programs", "transforms.ts");
const run = (mode: string) => runProgram({ stack: "t", project: "transforms", config: { "transforms:mode": mode }, program: PROGRAM });

/** The registered inputs by URN. */
const inputs = (r: RunResult) => new Map(r.resources.map((x) => [x.urn, x.inputs]));

/** For each resource whose inputs differ between `a` and `b`: its name and the top-level keys that differ. */
function differences(a: RunResult, b: RunResult): Record<string, string[]> {
    const bi = inputs(b);
    const out: Record<string, string[]> = {};
    for (const r of a.resources) {
        const other = bi.get(r.urn) ?? {};
        const keys = [...new Set([...Object.keys(r.inputs), ...Object.keys(other)])]
            .filter((k) => JSON.stringify(r.inputs[k]) !== JSON.stringify(other[k]));
        if (keys.length) out[`${r.name}${r.custom ? "" : " (component)"}`] = keys.sort();
    }
    return out;
}

/** Registration order depends on when outputs resolve: compare sets. */
const urns = (r: RunResult) => r.resources.map((x) => x.urn).sort();

/** The one custom resource (not a component) named `name`. */
const one = (r: RunResult, name: string): RecordedResource => {
    const found = r.resources.filter((x) => x.name === name && x.custom);
    assert.equal(found.length, 1, `${name}: ${found.length} found`);
    return found[0];
};

describe("transform hooks: database, cache, colour service, traffic, buckets (mock engine)", function () {
    this.timeout(120_000);
    let none: RunResult;
    let noop: RunResult;
    let on: RunResult;
    before(async () => {
        none = await run("none");
        noop = await run("noop");
        on = await run("on");
    });

    it("registers exactly the same resources, names, args and options with no-op hooks as without any", () => {
        assert.deepEqual(urns(noop), urns(none));
        assert.deepEqual(differences(none, noop), {});
        const options = (r: RunResult) => new Map(r.resources.map((x) => [x.urn, x.options]));
        assert.deepEqual(options(noop), options(none));
    });

    it("changes only the args the hooks change, on the children they name (object and function forms)", () => {
        assert.deepEqual(urns(on), urns(none));
        assert.deepEqual(differences(none, on), {
            "t-database-cluster": ["backupRetentionPeriod"],
            "t-database-instance-2": ["instanceClass"],
            "t-cache-group": ["numCacheClusters"],
            "t-cache-subnets": ["description"],
            "t-api-blue-service": ["deploymentMinimumHealthyPercent"],
            "t-api-blue-task": ["memory"],
            "t-api-blue-scaling": ["maxCapacity"],
            "t-traffic-alb": ["idleTimeout"],
            "t-traffic-api-green": ["deregistrationDelay"],
            "t-traffic-http": ["tags"],
            "t-storage-app": ["objectLockEnabled"],
            "t-storage-replication": ["token"],
        });
    });

    it("registers the transformed values", () => {
        assert.equal(one(none, "t-database-cluster").inputs.backupRetentionPeriod, 7);
        assert.equal(one(on, "t-database-cluster").inputs.backupRetentionPeriod, 35);
        assert.equal(one(on, "t-database-instance-1").inputs.instanceClass, "db.r5.large");
        assert.equal(one(on, "t-database-instance-2").inputs.instanceClass, "db.r6g.large");
        assert.equal(one(on, "t-cache-group").inputs.numCacheClusters, 3);
        assert.equal(one(on, "t-api-blue-service").inputs.deploymentMinimumHealthyPercent, 50);
        assert.equal(one(on, "t-api-blue-task").inputs.memory, "2048");
        assert.equal(one(on, "t-api-blue-scaling").inputs.maxCapacity, 8);
        assert.equal(one(on, "t-traffic-alb").inputs.idleTimeout, 120);
        assert.equal(one(on, "t-traffic-api-green").inputs.deregistrationDelay, 5);
        assert.deepEqual(one(on, "t-traffic-http").inputs.tags, { Service: "traffic", Extra: "yes" });
        assert.equal(one(on, "t-storage-app").inputs.objectLockEnabled, true);
    });

    it("keeps the resource options a hook does not touch (protect, ignoreChanges, dependsOn)", () => {
        assert.deepEqual(one(on, "t-api-blue-service").options, one(none, "t-api-blue-service").options);
        assert.deepEqual(one(on, "t-storage-replication").options, one(none, "t-storage-replication").options);
    });
});

describe("transform() (pure)", () => {
    it("returns the computed args themselves without a hook, merges an object over them, lets a function edit them", () => {
        const args = { a: 1, b: { c: 2 } };
        const opts = { protect: true };
        assert.equal(transform(undefined, "n", args, opts)[1], args);
        assert.deepEqual(transform({ b: { c: 3 } }, "n", args, opts), ["n", { a: 1, b: { c: 3 } }, opts]);
        assert.deepEqual(args, { a: 1, b: { c: 2 } }, "an object hook does not edit the computed args");
        const seen: string[] = [];
        const [, edited, editedOpts] = transform<typeof args>((x, o, name) => { x.a = 5; o.protect = false; seen.push(name); }, "n", { ...args }, { ...opts });
        assert.deepEqual([edited, editedOpts, seen], [{ a: 5, b: { c: 2 } }, { protect: false }, ["n"]]);
    });
});
