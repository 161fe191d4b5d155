/** DynamoDB table policies (the rollout lock table). */
import { exceptionOf, read, resourcePolicy, UNKNOWN } from "./common";
import type { PolicyConfig } from "./common";

export const DYNAMODB_TABLE = "aws:dynamodb/table:Table";

/**
 * DynamoDB.1 (capacity follows demand: on-demand billing), DynamoDB.2 (point-in-time recovery) and
 * DynamoDB.6 (deletion protection), https://docs.aws.amazon.com/securityhub/latest/userguide/dynamodb-controls.html.
 * Deletion protection may be relaxed per stack, with a reason, like every other stateful resource's.
 */
export const dynamodbTableResilience = resourcePolicy({
    name: "dynamodb-table-resilience",
    description:
        "DynamoDB tables bill on demand, keep point-in-time recovery, and have deletion protection unless the stack's policy config " +
        "makes a reasoned exception.",
    metadata: {
        control: "FSBP DynamoDB.1, DynamoDB.2, DynamoDB.6",
        severity: "medium",
        area: "stack",
        exceptions: true,
        remediation:
            'Set `billingMode: "PAY_PER_REQUEST"`, `pointInTimeRecovery: { enabled: true }` and `deletionProtectionEnabled: true`.',
    },
    types: [DYNAMODB_TABLE],
    validate: (props, args, report) => {
        const billing = read(props, "billingMode");
        if (billing !== UNKNOWN && billing !== "PAY_PER_REQUEST")
            report(
                `billingMode is ${billing === undefined ? "unset (PROVISIONED)" : `"${billing}"`}: use "PAY_PER_REQUEST" so capacity ` +
                `follows demand.`,
            );
        const pitr = read(read(props, "pointInTimeRecovery"), "enabled");
        if (pitr !== true && pitr !== UNKNOWN) report("Point-in-time recovery is off: set `pointInTimeRecovery: { enabled: true }`.");
        if (!exceptionOf(args.getConfig<PolicyConfig>(), undefined, report).required) return;
        const protection = read(props, "deletionProtectionEnabled");
        if (protection !== true && protection !== UNKNOWN)
            report(
                "Deletion protection is off: set `deletionProtectionEnabled: true`, or make a reasoned exception in the stack's policy " +
                "config.",
            );
    },
});

export const dynamodbPolicies = [dynamodbTableResilience];
