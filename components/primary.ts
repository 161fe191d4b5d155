/**
 * What the dr stack reads from prod through a StackReference (`tms:primaryStack`), checked before
 * anything else is registered so that planning dr without a reachable prod is a config error.
 */
import * as pulumi from "@pulumi/pulumi";

/** Outputs prod must export for dr, with what each is for. */
export const PRIMARY_OUTPUTS = {
    failoverName: "the Route53 failover name both stacks publish",
    globalClusterId: "the DocumentDB global cluster dr joins as a secondary",
    databaseUserCredentials: "the services' database users (they replicate from prod with the global cluster)",
    replicaBucketName: "the dr-region replica of prod's application bucket",
    replicaBucketArn: "the dr-region replica of prod's application bucket",
    replicaBucketKeyArn: "the key that encrypts the replica bucket",
    originVerifyHeader: "the secret header CloudFront sends and both ALBs require",
} as const;
export type PrimaryOutputName = keyof typeof PRIMARY_OUTPUTS;

export type PrimaryOutputs = Record<PrimaryOutputName, pulumi.Output<any>>;

export class PrimaryStackError extends Error {}

/**
 * Reference the primary stack and require every output dr needs. Throws PrimaryStackError naming
 * the config key, the stack and the missing outputs. Secret outputs stay secret (`getOutput`).
 */
export async function readPrimaryStack(source: string, stackName: string, required: readonly PrimaryOutputName[] = Object.keys(PRIMARY_OUTPUTS) as PrimaryOutputName[]): Promise<PrimaryOutputs> {
    const ref = new pulumi.StackReference(stackName);
    const missing: string[] = [];
    for (const name of required) {
        const details = await ref.getOutputDetails(name);
        if (details.value === undefined && details.secretValue === undefined) missing.push(name);
    }
    if (missing.length) {
        throw new PrimaryStackError(
            `${source}: tms:primaryStack: stack "${stackName}" has no output ${missing.map((m) => `"${m}"`).join(", ")} ` +
            `(deploy the prod stack first, or point tms:primaryStack at it)`,
        );
    }
    return Object.fromEntries(required.map((n) => [n, ref.getOutput(n)])) as PrimaryOutputs;
}
