/**
 * The stack's AWS providers. The root one carries the stack's `aws:*` settings (profile, assumeRoles,
 * allowedAccountIds, …), region and default tags; every regional provider a component creates for its
 * children (the CDN's us-east-1, the replica region's, the registry's replication regions', the DR
 * fence's) copies the settings of the provider its parent uses, with only `region` changed
 * (config/aws-provider.ts builds both). Without it, a second region would run with other credentials or
 * in another account than the stack, and its resources would lack the default tags.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsProviderArgs, awsSettingsOf, CREDENTIAL_SETTINGS, type AwsProviderSettings } from "../config/aws-provider";

/** The arguments each provider made here was built with (a ProviderResource does not expose its own). */
const argsOf = new WeakMap<pulumi.ProviderResource, AwsProviderSettings>();

function create(name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions): aws.Provider {
    const inputs: Record<string, unknown> = { ...args };
    for (const key of CREDENTIAL_SETTINGS) if (inputs[key] !== undefined) inputs[key] = pulumi.secret(inputs[key]);
    const provider = new aws.Provider(name, inputs as aws.ProviderArgs, opts);
    argsOf.set(provider, args);
    return provider;
}

export interface StackAwsProviderArgs {
    /** The stack's region (`aws:region`). */
    region: string;
    /**
     * Default tags of every taggable resource, over any `aws:defaultTags` of the stack file.
     * @default none beyond the stack file's
     */
    tags?: Record<string, string>;
    /**
     * `aws:*` settings as the default provider would read them from the stack config.
     * @default the running stack's `aws:` config namespace
     */
    settings?: AwsProviderSettings;
}

/** The stack's root AWS provider. Regional providers created under it copy its settings. */
export function stackAwsProvider(name: string, args: StackAwsProviderArgs, opts?: pulumi.CustomResourceOptions): aws.Provider {
    return create(name, awsProviderArgs(args.settings ?? awsSettingsOf(pulumi.runtime.allConfig()), args.region, args.tags), opts);
}

/**
 * A provider in `region` for `parent`'s children, with the settings of the AWS provider `parent` uses:
 * the one `stackAwsProvider` made, or, under the default provider (or one made elsewhere), the stack's
 * `aws:` config namespace, which is what the default provider reads.
 */
export function regionalProvider(name: string, region: string, parent: pulumi.Resource): aws.Provider {
    const inherited = parent.getProvider("aws:index:Provider");
    const root = (inherited && argsOf.get(inherited)) ?? awsSettingsOf(pulumi.runtime.allConfig());
    return create(name, awsProviderArgs(root, region), { parent });
}
