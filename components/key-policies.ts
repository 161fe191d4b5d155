import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_DOMAINS, type KeyDomain, type KmsKeys } from "./keys";

export interface KmsKeyPoliciesArgs {
    /** The keys whose policies this writes (every home key of the component). */
    keys: KmsKeys;
    /**
     * The roles that use each key, named in its policy (`NamedRolesUseKey`). KMS refuses a policy that
     * names a role that does not exist yet, so build this once the roles do.
     * @default no role for any domain: the key policy keeps the account and the domain's service statements
     */
    users?: Partial<Record<KeyDomain, pulumi.Input<string>[]>>;
}

/**
 * The policies of a `KmsKeys`' home keys, one KeyPolicy per key, each naming the roles that use the key.
 * Keys come first (everything that encrypts needs them), their users' roles after, so the policies are a
 * component of their own, built last, from its Args: there is no method to call in the right order.
 *
 * A key ignores changes to the policy it was created with (so that it and its KeyPolicy do not fight over
 * it); the KeyPolicy of a key with no users still exists, or a change of its service statements (CloudTrail's
 * on the logs key, say) would never reach a deployed stack.
 *
 * Its children were children of `KmsKeys` (`<keys>-<domain>-policy`) and declare that URN as an alias:
 * moving them here replaces nothing (the EnvironmentStack names this component like its keys, so the
 * names stay too).
 */
export class KmsKeyPolicies extends pulumi.ComponentResource {
    readonly policies: Record<KeyDomain, aws.kms.KeyPolicy>;

    constructor(name: string, args: KmsKeyPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:security:KmsKeyPolicies", name, {}, opts);
        const policies = {} as Record<KeyDomain, aws.kms.KeyPolicy>;
        for (const domain of KEY_DOMAINS) {
            policies[domain] = new aws.kms.KeyPolicy(`${name}-${domain}-policy`, {
                keyId: args.keys.keys[domain].keyId,
                policy: args.keys.policy(domain, args.users?.[domain] ?? []),
            }, { parent: this, aliases: [{ name: `${args.keys.name}-${domain}-policy`, parent: args.keys }] });
        }
        this.policies = policies;
        this.registerOutputs({});
    }
}
