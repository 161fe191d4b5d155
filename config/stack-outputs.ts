/**
 * The typed contract of the stack outputs the rollout automation reads: one zod schema. The
 * EnvironmentStack builds these outputs against it (`RolloutOutputInputs`, and `checkRolloutOutputs`
 * on the resolved values), and the rollout CLI parses `stack.outputs()` with it
 * (`parseRolloutOutputs`): a missing or malformed output is listed, all of them in one error, instead
 * of a guessed fallback name. dr's own contract with prod is `components/primary.ts`.
 */
import { z } from "zod";
import type { DeployedRelease } from "./release";
import { COLOURS, STRATEGIES } from "./vocabulary";

const name = () => z.string().min(1);
// Per colour (a rolling stack has blue only; the types of the components say Partial).
const colourMap = z.object({ blue: name().optional(), green: name().optional() });
const releaseColour = z.object({ running: z.boolean(), images: z.record(z.string(), z.string()) });

export const RELEASE_SCHEMA = z.object({
    revision: z.number().int().min(0),
    live: z.enum(COLOURS),
    weight: z.number().int().min(0).max(100),
    blue: releaseColour,
    green: releaseColour.optional(),
});

/** Output name → schema and what the automation reads it for. */
export const ROLLOUT_OUTPUTS = {
    release: {
        schema: RELEASE_SCHEMA,
        for: "the deployed release: live colour, weight, images, running, revision (the traffic the rollout changes)",
    },
    strategy: { schema: z.enum(STRATEGIES), for: "the stack's deployment strategy" },
    clusterName: { schema: name(), for: "the ECS cluster of migrations, smoke tasks and rolling deployments" },
    ecsServices: { schema: z.record(z.string(), colourMap), for: "ECS service names per service and colour" },
    migrationTaskFamilies: {
        schema: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        for: "the migration task family per service and colour (absent in dr)",
    },
    testListenerUrl: { schema: name(), for: "the smoke tests' URL (the test listener)" },
    loadBalancerArnSuffix: { schema: name(), for: "the CloudWatch dimension of the load balancer" },
    targetGroupArnSuffixes: { schema: z.record(z.string(), colourMap), for: "the CloudWatch dimensions of the target groups" },
    targetGroupArns: { schema: z.record(z.string(), colourMap), for: "target health and the weight read back from the load balancer" },
    weightListenerUrns: { schema: z.array(name()).min(1), for: "the targets of a weight step's `pulumi up --target`" },
    alertTopics: { schema: z.object({ critical: name(), warning: name() }), for: "the SNS topics the rollout pages and notifies" },
    rolloutTableName: { schema: name(), for: "the DynamoDB table of the rollout's lease, state and record" },
    databaseClusterId: { schema: name().optional(), for: "the DocumentDB cluster snapshotted before a release" },
} as const;

export type RolloutOutputName = keyof typeof ROLLOUT_OUTPUTS;
export const ROLLOUT_OUTPUT_SCHEMA = z.object(
    Object.fromEntries(Object.entries(ROLLOUT_OUTPUTS).map(([k, v]) => [k, v.schema])) as {
        [K in RolloutOutputName]: (typeof ROLLOUT_OUTPUTS)[K]["schema"];
    },
);
export type RolloutOutputs = z.infer<typeof ROLLOUT_OUTPUT_SCHEMA>;

/** `T` with a Pulumi-style input allowed at any depth (`Output<T>`, a promise, or plain), without importing Pulumi here. */
export type DeepInput<T> =
    | PromiseLike<T>
    | { apply: unknown; get?: unknown } // a pulumi.Output
    | (T extends (infer E)[] ? DeepInput<E>[] : T extends object ? { [K in keyof T]: DeepInput<T[K]> } : T);

/** What the EnvironmentStack must export for the automation, each as an input. */
export type RolloutOutputInputs = { [K in RolloutOutputName]: DeepInput<RolloutOutputs[K]> };

export class StackOutputsError extends Error {
    constructor(
        readonly problems: string[],
        stack: string,
    ) {
        super(
            `stack ${stack}: outputs the rollout needs are missing or malformed (run a full \`pulumi up --stack ${stack}\` first): ` +
            `${problems.join("; ")}`,
        );
        this.name = "StackOutputsError";
    }
}

/** Problems of a set of output values against the contract, one line each (empty when it holds). Pure. */
export function rolloutOutputProblems(values: Record<string, unknown>): string[] {
    const r = ROLLOUT_OUTPUT_SCHEMA.safeParse(values);
    if (r.success) return [];
    const missing = new Set<string>();
    const problems: string[] = [];
    for (const issue of r.error.issues) {
        const key = String(issue.path[0]);
        if (issue.path.length === 1 && values[key] === undefined) missing.add(key);
        else problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
    return [...(missing.size ? [`missing ${[...missing].join(", ")}`] : []), ...problems];
}

/** Parse `stack.outputs()` (`{ name: { value } }`) into the typed contract; one error lists every problem. Pure. */
export function parseRolloutOutputs(outputs: Record<string, { value: unknown } | undefined>, stack: string): RolloutOutputs {
    const values = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v?.value]));
    const problems = rolloutOutputProblems(values);
    if (problems.length) throw new StackOutputsError(problems, stack);
    return ROLLOUT_OUTPUT_SCHEMA.parse(values);
}

/** The deployed release from the `release` output, if the stack has one that parses. Pure. */
export function deployedReleaseOf(value: unknown): DeployedRelease | undefined {
    const r = RELEASE_SCHEMA.safeParse(value);
    return r.success ? r.data : undefined;
}
