/**
 * What the dr stack reads from prod through a StackReference (`tms:primaryStack`), checked before
 * anything else is registered so that planning dr without a reachable prod is a config error.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { drModeParameterName, drModeParameterPath } from "../config/naming";
import type { DrMode } from "../config/dr-mode";
import type { DatabaseUserCredentials } from "./database-users";

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

/** What each of prod's outputs holds (as prod's EnvironmentStack exports it). */
interface PrimaryOutputValues {
    failoverName: string;
    globalClusterId: string;
    databaseUserCredentials: DatabaseUserCredentials;
    replicaBucketName: string;
    replicaBucketArn: string;
    replicaBucketKeyArn: string;
    originVerifyHeader: string;
}

export type PrimaryOutputs = { [K in PrimaryOutputName]: pulumi.Output<PrimaryOutputValues[K]> };

export class PrimaryStackError extends Error {}

/**
 * Reference the primary stack and require every output dr needs. Throws PrimaryStackError naming
 * the config key, the stack and the missing outputs. Secret outputs stay secret (`getOutput`).
 */
export async function readPrimaryStack(
    source: string,
    stackName: string,
    required: readonly PrimaryOutputName[] = Object.keys(PRIMARY_OUTPUTS) as PrimaryOutputName[]
): Promise<PrimaryOutputs> {
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

/**
 * Read dr's mode from SSM (`/<envName>/dr-runbook/mode`, config/naming.ts), in the stack's region. The
 * runbook writes it when it promotes dr and when it fails back, so that every later `pulumi up`, from any
 * checkout, keeps dr's capacity where the runbook put it instead of reverting it to the stack file's.
 */
export async function readDrMode(source: string, envName: string): Promise<DrMode> {
    const path = drModeParameterPath(envName);
    const found = await aws.ssm.getParametersByPath({ path, recursive: false });
    const i = (found.names ?? []).indexOf(drModeParameterName(envName));
    if (i < 0) return "standby";
    const v = found.values?.[i];
    if (v !== "active" && v !== "standby") throw new PrimaryStackError(
        `${source}: SSM ${drModeParameterName(envName)} is ${JSON.stringify(v)}, not "active" or "standby"`
    );
    return v;
}
