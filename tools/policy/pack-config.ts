/**
 * Policy pack config (`policy/config/<stack>.json`, passed with `--policy-pack-config`) and the
 * enforcement level it gives each policy, resolved the way the Pulumi CLI does: a per-policy
 * `enforcementLevel` (or a bare level string) wins over `all`, which wins over the level in code.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel } from "@pulumi/policy";
import type { Environment, PolicyConfig, TmsPolicy } from "../../policy/common";

export type PackConfigEntry = EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & PolicyConfig);
export type PackConfig = Record<string, PackConfigEntry>;

/** The pack's own config files, beside the pack (this module is the offline runner's, in tools/). */
export const CONFIG_DIR = path.join(__dirname, "..", "..", "policy", "config");

export function packConfigPath(environment: Environment): string {
    return path.join(CONFIG_DIR, `${environment}.json`);
}

/** The shipped config for an environment (`policy/config/<env>.json`). */
export function loadPackConfig(environment: Environment): PackConfig {
    return JSON.parse(fs.readFileSync(packConfigPath(environment), "utf8")) as PackConfig;
}

export function enforcementLevelOf(policy: TmsPolicy, config: PackConfig): EnforcementLevel {
    const own = config[policy.name];
    if (typeof own === "string") return own;
    if (own?.enforcementLevel) return own.enforcementLevel;
    const all = config.all;
    if (typeof all === "string") return all;
    return policy.enforcementLevel ?? "advisory";
}

/** The policy's config properties (everything except `enforcementLevel`). */
export function policyConfigOf(policy: TmsPolicy, config: PackConfig): PolicyConfig {
    const own = config[policy.name];
    if (!own || typeof own === "string") return {};
    const { enforcementLevel: _ignored, ...rest } = own;
    return rest;
}
