import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CLOUD_MAP_NAMESPACE, clusterName, serviceTags } from "../config/naming";

export interface EcsClusterArgs {
    /** Short environment id: the cluster `task-management-<env>`. */
    environment: string;
    /** The VPC of the Cloud Map namespace `service.local`. */
    vpcId: pulumi.Input<string>;
    /** Key that encrypts ECS Exec sessions and their log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the ECS Exec log group, in days. */
    logRetentionDays: pulumi.Input<number>;
}

/** The ECS cluster `task-management-<env>` with Container Insights and logged ECS Exec, and Cloud Map's `service.local`. */
export class EcsCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly clusterArn: pulumi.Output<string>;
    readonly namespaceId: pulumi.Output<string>;
    /** Log group of ECS Exec sessions (task roles that allow exec write to it). */
    readonly execLogGroupArn: pulumi.Output<string>;
    readonly namespaceName = CLOUD_MAP_NAMESPACE;

    constructor(name: string, args: EcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:EcsCluster", name, {}, opts);
        const execLogs = new aws.cloudwatch.LogGroup(`${name}-exec-logs`, {
            name: `/tms/${args.environment}/ecs-exec`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags: serviceTags("compute"),
        }, { parent: this });
        const cluster = new aws.ecs.Cluster(`${name}-cluster`, {
            name: clusterName(args.environment),
            settings: [{ name: "containerInsights", value: "enhanced" }],
            configuration: {
                executeCommandConfiguration: {
                    kmsKeyId: args.logsKeyArn,
                    logging: "OVERRIDE",
                    logConfiguration: {
                        cloudWatchLogGroupName: execLogs.name,
                        cloudWatchEncryptionEnabled: true,
                    },
                },
            },
            tags: serviceTags("compute"),
        }, { parent: this });
        new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, {
            clusterName: cluster.name,
            capacityProviders: ["FARGATE"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
        }, { parent: this });
        const namespace = new aws.servicediscovery.PrivateDnsNamespace(`${name}-namespace`, {
            name: CLOUD_MAP_NAMESPACE,
            vpc: args.vpcId,
            description: `tms ${args.environment} internal service names`,
            tags: serviceTags("compute"),
        }, { parent: this });
        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.namespaceId = namespace.id;
        this.execLogGroupArn = execLogs.arn;
        this.registerOutputs({ clusterName: this.clusterName, namespaceId: this.namespaceId });
    }
}
