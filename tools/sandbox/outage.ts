/**
 * The sandbox's regional outage, as the fake provider plugins see it: a folder (env `TMS_SANDBOX_WORLD`)
 * holding `outage.json` (the regions that do not answer) and `ssm.json` (SSM parameters per region that
 * something outside the engine wrote, e.g. the DR runbook's mode). tools/sandbox/dr-world.ts writes them;
 * `withSandboxWorld` wraps a fake provider so that every call that would reach AWS in an unreachable
 * region fails as a timeout would, and the program's SSM lookups read what was written.
 *
 * What calls AWS: create, read, update, delete and invoke. `check` and `diff` are the provider's own
 * computation (no AWS call), so a preview of unchanged resources still works during the outage, as with
 * the real provider.
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

/** The provider, refusing AWS calls in an unreachable region and answering SSM lookups from the world folder. */
export function withSandboxWorld(p: provider.Provider, region: () => string, dir = process.env[WORLD_ENV]): provider.Provider {
    if (!dir) return p;
    const refuse = (what: string) => {
        if (unreachableRegions(dir).includes(region())) {
            throw new Error(`${what}: dial tcp: i/o timeout (${region()} is unreachable: ${path.join(dir, OUTAGE_FILE)})`);
        }
    };
    const guard = <A extends any[], R>(name: string, fn: ((...a: A) => Promise<R>) | undefined) =>
        fn && (async (...a: A) => (refuse(name), fn(...a)));
    return {
        ...p,
        create: guard("create", p.create?.bind(p)),
        read: guard("read", p.read?.bind(p)),
        update: guard("update", p.update?.bind(p)),
        delete: guard("delete", p.delete?.bind(p)),
        invoke: async (token: string, inputs: any) => {
            refuse(`invoke ${token}`);
            if (token === GET_PARAMETERS_BY_PATH) {
                const found = worldParameters(dir, region(), String(inputs.path ?? ""));
                return { outputs: { id: inputs.path, path: inputs.path, names: found.map((x) => x.name), values: found.map((x) => x.value), types: found.map(() => "String"), arns: [] } };
            }
            return p.invoke!(token, inputs);
        },
    };
}
