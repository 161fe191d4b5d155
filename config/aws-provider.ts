/**
 * The settings of the stack's AWS providers, as plain data. The stack's provider is explicit (index.ts),
 * and an explicit provider reads nothing from the `aws:` config namespace by itself (only the default
 * provider does: https://www.pulumi.com/docs/iac/concepts/resources/providers/#explicit-provider-configuration),
 * so the program reads that namespace here, the way the default provider would, and every provider of the
 * stack (the root one and each regional one: the CDN's us-east-1, the replica region's, the registry's, the
 * DR fence's) is built from the result with only `region` changed.
 */
import { parseConfigValue } from "./stack-config";

/** `aws:<key>` settings of the stack, by provider argument name (`profile`, `assumeRoles`, `defaultTags`, …). */
export type AwsProviderSettings = Readonly<Record<string, unknown>>;

/**
 * Provider arguments whose values are plain strings even when they look like JSON, a number or a
 * boolean (a profile named "123"); every other argument is structured (lists, objects, booleans,
 * numbers) and arrives from the stack file as JSON text (pulumi-aws's ProviderArgs, provider.d.ts).
 */
const STRING_SETTINGS = new Set([
    "accessKey", "customCaBundle", "httpProxy", "httpsProxy", "noProxy", "profile", "region", "retryMode",
    "secretKey", "stsRegion", "tagPolicyCompliance", "token",
]);

/** Credentials: stored in the state as secrets whatever the stack file says. */
export const CREDENTIAL_SETTINGS: readonly string[] = ["accessKey", "secretKey", "token"];

/**
 * The `aws:*` keys of a stack's raw config (Pulumi's map, `aws:assumeRoles` → JSON text), parsed into
 * provider arguments. `region` is left out: each provider sets its own. Pure.
 */
export function awsSettingsOf(raw: Readonly<Record<string, string>>): AwsProviderSettings {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        if (!key.startsWith("aws:")) continue;
        const name = key.slice(4);
        if (name === "region") continue;
        out[name] = STRING_SETTINGS.has(name) ? value : parseConfigValue(value);
    }
    return out;
}

/**
 * The arguments of one AWS provider of the stack: the stack's `aws:*` settings, `region`, and the stack's
 * default tags over any `aws:defaultTags` of the stack file (the program's tags win: the policy pack
 * requires them). The one function every provider of the stack is built with. Pure.
 */
export function awsProviderArgs(
    settings: AwsProviderSettings,
    region: string,
    tags?: Readonly<Record<string, string>>,
): Record<string, unknown> {
    const { region: _ignored, ...rest } = settings;
    const own = rest.defaultTags as { tags?: Record<string, string> } | undefined;
    const defaultTags = tags || own ? { ...own, tags: { ...own?.tags, ...tags } } : undefined;
    return { ...rest, region, ...(defaultTags ? { defaultTags } : {}) };
}
