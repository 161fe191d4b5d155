/**
 * The sandbox's regional outage, as the fake provider plugins see it: a folder (env `TMS_SANDBOX_WORLD`)
 * holding `outage.json` (the regions that do not answer) and `ssm.json` (SSM parameters per region that
 * something outside the engine wrote, e.g. the DR runbook's mode). tools/fake-aws/dr-world.ts writes them;
 * `withSandboxWorld` wraps a fake provider so that every call that would reach AWS in an unreachable
 * region fails as a timeout would, and the program's SSM lookups read what was written.
 *
 * What calls AWS: create, read, update, delete and invoke. `check` and `diff` are the provider's own
 * computation (no AWS call), so a preview of unchanged resources still works during the outage, as with
 * the real provider.
 *
 * Route 53, IAM and CloudFront are global services whose control planes (every API the provider calls: the
 * zone lookup, OIDC-provider reads, record and role changes) are in us-east-1, whatever the provider's
 * region; only their data planes (DNS answers, health checks, signing in) are spread over regions
 * (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html).
 * So an outage of us-east-1 refuses them from every provider: a `pulumi up --stack dr` cannot run then.
 */
import * as fs from "fs";
import * as path from "path";
import type * as provider from "@pulumi/pulumi/provider";

export const WORLD_ENV = "TMS_SANDBOX_WORLD";
export const OUTAGE_FILE = "outage.json";
export const SSM_FILE = "ssm.json";

const readJson = (dir: string, file: string): any => {
    const p = path.join(dir, file);
    return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, "utf8")) : undefined;
};

/** The regions the world folder says are unreachable (none without a folder). */
export function unreachableRegions(dir: string | undefined): string[] {
    return dir ? (readJson(dir, OUTAGE_FILE)?.unreachable ?? []) : [];
}

/** SSM parameters under `prefix` in `region`, as the world folder has them. */
export function worldParameters(dir: string | undefined, region: string, prefix: string): { name: string; value: string }[] {
    const all: Record<string, string> = (dir ? readJson(dir, SSM_FILE)?.[region] : undefined) ?? {};
    return Object.entries(all).filter(([n]) => n.startsWith(prefix)).map(([name, value]) => ({ name, value }));
}

const GET_PARAMETERS_BY_PATH = "aws:ssm/getParametersByPath:getParametersByPath";

/** The region a call is served from: us-east-1 for the global services' control planes, else the provider's. Pure. */
export function controlPlaneRegion(typeOrToken: string, providerRegion: string): string {
    return /^aws:(route53|iam|cloudfront)\//.test(typeOrToken) ? "us-east-1" : providerRegion;
}

/** `urn:pulumi:stack::project::parent$type::name` → `type`. Pure. */
export function urnType(urn: string): string {
    const parts = String(urn).split("::");
    return (parts[2] ?? "").split("$").pop() ?? "";
}

/** The provider, refusing AWS calls in an unreachable region and answering SSM lookups from the world folder. */
export function withSandboxWorld(p: provider.Provider, region: () => string, dir = process.env[WORLD_ENV]): provider.Provider {
    if (!dir) return p;
    const refuse = (what: string, typeOrToken: string) => {
        const r = controlPlaneRegion(typeOrToken, region());
        if (unreachableRegions(dir).includes(r)) {
            throw new Error(`${what}: dial tcp: i/o timeout (${r} is unreachable: ${path.join(dir, OUTAGE_FILE)})`);
        }
    };
    // create(urn, …), read(id, urn, …), update(id, urn, …), delete(id, urn, …): the URN names the type.
    const guard = <A extends any[], R>(name: string, urnAt: number, fn: ((...a: A) => Promise<R>) | undefined) =>
        fn && (async (...a: A) => (refuse(`${name} ${urnType(String(a[urnAt]))}`, urnType(String(a[urnAt]))), fn(...a)));
    return {
        ...p,
        create: guard("create", 0, p.create?.bind(p)),
        read: guard("read", 1, p.read?.bind(p)),
        update: guard("update", 1, p.update?.bind(p)),
        delete: guard("delete", 1, p.delete?.bind(p)),
        invoke: async (token: string, inputs: any) => {
            refuse(`invoke ${token}`, token);
            if (token === GET_PARAMETERS_BY_PATH) {
                const found = worldParameters(dir, region(), String(inputs.path ?? ""));
                return { outputs: { id: inputs.path, path: inputs.path, names: found.map((x) => x.name), values: found.map((x) => x.value), types: found.map(() => "String"), arns: [] } };
            }
            return p.invoke!(token, inputs);
        },
    };
}
