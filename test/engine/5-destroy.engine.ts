/**
 * L5+: `pulumi destroy` on prod, last. A protected stack protects everything but the serving path
 * (components/protection.ts), so the refused destroy may delete only the serving path's resources that
 * nothing protected depends on, and deletes nothing else: no secret, random value, bucket control,
 * replication, trail, log group, key, database or registry.
 */
import { strict as assert } from "assert";
import { SERVING_PATH_TYPES } from "../../components/protection";
import { pulumi } from "./sandbox-fixture";

interface StateResource { urn: string; type: string; protect?: boolean; dependencies?: string[]; parent?: string; custom?: boolean; provider?: string; propertyDependencies?: Record<string, string[]> }

const state = () => (JSON.parse(pulumi(["stack", "export", "--stack", "prod"], { expect: 0 }).stdout).deployment.resources as StateResource[]);

/**
 * What a destroy can delete before protect stops it: resources that are not protected and on which no
 * protected resource depends, directly or through other resources (dependents are deleted first). Pure.
 */
export function deletableBeforeProtect(resources: StateResource[]): string[] {
    const dependents = new Map<string, Set<string>>();
    for (const r of resources) {
        // A provider reference is `<provider urn>::<id>`: the provider is deleted after what it manages.
        const provider = r.provider ? [r.provider.slice(0, r.provider.lastIndexOf("::"))] : [];
        const deps = new Set([...(r.dependencies ?? []), ...Object.values(r.propertyDependencies ?? {}).flat(), ...(r.parent ? [r.parent] : []), ...provider]);
        for (const d of deps) dependents.set(d, new Set([...(dependents.get(d) ?? []), r.urn]));
    }
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const blocked = new Set<string>();
    const visit = (urn: string): boolean => {
        if (blocked.has(urn)) return true;
        const r = byUrn.get(urn);
        const isBlocked = !!r?.protect || [...(dependents.get(urn) ?? [])].some((d) => d !== urn && visit(d));
        if (isBlocked) blocked.add(urn);
        return isBlocked;
    };
    // Providers count too: the engine deletes a provider nothing uses any more (it recreates it on the next up);
    // so does the program's read of its own stack (a StackReference deletes nothing in AWS).
    const engineOnly = (t: string) => t.startsWith("pulumi:pulumi:") && t !== "pulumi:pulumi:StackReference";
    return resources.filter((r) => r.custom && !engineOnly(r.type) && !visit(r.urn)).map((r) => r.urn).sort();
}

describe("pulumi destroy on prod (L5+)", () => {
    it("is refused by protect after deleting only serving-path resources that nothing protected needs", () => {
        const before = state();
        const unprotected = before.filter((r) => r.custom && !r.type.startsWith("pulumi:") && !r.protect);
        // (Providers are the engine's: unprotected, recreated by the next up; only AWS resources count here.)
        assert.deepEqual([...new Set(unprotected.map((r) => r.type))].filter((t) => !SERVING_PATH_TYPES.includes(t)), [], "only the serving path is unprotected");
        const deletable = deletableBeforeProtect(before);

        const r = pulumi(["destroy", "--stack", "prod", "--yes", "--skip-preview"], { time: "prod" });
        assert.notEqual(r.code, 0, "destroy must fail");
        assert.match(r.stdout + r.stderr, /protected/);

        const after = new Set(state().map((x) => x.urn));
        const deleted = before.filter((x) => !after.has(x.urn)).map((x) => x.urn).sort();
        process.stdout.write(`      the refused destroy deleted ${deleted.length} of ${before.length} resources:\n${deleted.map((u) => `        ${u}\n`).join("")}`);
        assert.deepEqual(deleted.filter((u) => !deletable.includes(u)), [], "deleted something outside the deletable serving path");
        assert.deepEqual(deleted, deletable, "the exact list: every serving-path resource nothing protected depends on");
    });
});
