/**
 * The DynamoDB table behind the rollout lock and the persisted rollout state
 * (`automation/adapters/dynamo-state.ts`): one lease item and one state item per stack.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface RolloutLockTableArgs {
    /** Table name: `tms-<env>-rollouts` (naming's `rolloutTableName`; the deployment role is scoped to it). */
    tableName: pulumi.Input<string>;
    /** Customer-managed KMS key for server-side encryption. */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Deletion protection and Pulumi `protect` (staging, prod): losing it mid-rollout loses the rollback state.
     * @default false
     */
    protect?: boolean;
    /**
     * Tags of the table.
     * @default none
     */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class RolloutLockTable extends pulumi.ComponentResource {
    readonly tableName: pulumi.Output<string>;
    readonly tableArn: pulumi.Output<string>;

    constructor(name: string, args: RolloutLockTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:automation:RolloutLockTable", name, {}, opts);
        const table = new aws.dynamodb.Table(`${name}-table`, {
            name: args.tableName,
            // A handful of writes per minute during a rollout, nothing otherwise.
            billingMode: "PAY_PER_REQUEST",
            hashKey: "pk",
            attributes: [{ name: "pk", type: "S" }],
            // Abandoned leases carry `ttl` (a day after expiry) and are swept by DynamoDB.
            ttl: { attributeName: "ttl", enabled: true },
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true, kmsKeyArn: args.kmsKeyArn },
            deletionProtectionEnabled: args.protect ?? false,
            tags: args.tags,
        }, { parent: this, protect: args.protect ?? false });
        this.tableName = table.name;
        this.tableArn = table.arn;
        this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
    }
}
