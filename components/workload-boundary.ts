import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BOUNDARY_ESCAPE_ACTIONS, policyDocument, type PolicyDocument } from "./deployment-permissions";
import { globalName, serviceTags } from "../config/naming";

/** Base name of the boundary every workload role of a stack carries (`tms:access.nameSuffix` appended). */
export const WORKLOAD_BOUNDARY_BASE_NAME = "tms-workload-boundary";

/**
 * What the roles AWS services assume for the stack may ever do, by who needs it. A role created
 * with this boundary gets at most these actions, whatever policy is put on it: this is what lets the
 * operations role create and change the stack's roles without being able to create an administrator
 * (AWS's delegation pattern,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-delegate).
 */
export const WORKLOAD_ACTIONS: Record<string, string[]> = {
    "ECS execution roles: pull the image, write logs, read the service's secrets": [
        "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
        "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "kms:Decrypt",
    ],
    "ECS task roles: the service's objects and parameters, their keys, ECS Exec": [
        "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject",
        "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "kms:GenerateDataKey",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        "logs:DescribeLogGroups", "logs:DescribeLogStreams",
    ],
    "VPC flow logs and CloudTrail delivery to CloudWatch Logs": ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
    "S3 replication to the DR region": [
        "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging", "s3:GetReplicationConfiguration",
        "s3:ListBucket", "s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags", "kms:Decrypt", "kms:Encrypt",
    ],
};

/** Every action of {@link WORKLOAD_ACTIONS}, sorted and once. */
export const workloadActions = (): string[] => [...new Set(Object.values(WORKLOAD_ACTIONS).flat())].sort();

/** The workload boundary's document: the workload actions on any resource, no IAM at all (pure). */
export function workloadBoundaryDocument(): PolicyDocument {
    return policyDocument([
        { Sid: "WorkloadActionsOnly", Effect: "Allow", Action: workloadActions(), Resource: "*" },
        { Sid: "NoBoundaryEscape", Effect: "Deny", Action: BOUNDARY_ESCAPE_ACTIONS, Resource: "*" },
    ]);
}

export interface WorkloadBoundaryArgs {
    /** Appended to the policy's account-global name (`""` or `-<suffix>`), so stacks sharing an account never collide. */
    nameSuffix: string;
}

/** The managed policy `tms-workload-boundary<suffix>`, created before any role that carries it. */
export class WorkloadBoundary extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly name: string;

    constructor(name: string, args: WorkloadBoundaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:security:WorkloadBoundary", name, {}, opts);
        this.name = globalName(WORKLOAD_BOUNDARY_BASE_NAME, args.nameSuffix);
        const policy = new aws.iam.Policy(`${name}-policy`, {
            name: this.name,
            description: "Permissions boundary of every role AWS services assume for this stack",
            policy: JSON.stringify(workloadBoundaryDocument()),
            tags: serviceTags("access"),
        }, { parent: this });
        this.arn = policy.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
