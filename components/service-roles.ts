import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceDataAccess } from "./contracts";
import { serviceTags } from "../config/naming";

export interface ServiceRolesArgs {
    /** The service: the roles' names and descriptions. */
    service: string;
    /** This stack's region (the policies' ARNs). */
    region: string;
    /** The account of the roles' trust (confused-deputy condition). */
    accountId: pulumi.Input<string>;
    /** The only repository the execution role may pull from. */
    repositoryArn: pulumi.Input<string>;
    /** The service's log group (both colours write to it). */
    logGroupArn: pulumi.Input<string>;
    /** What the service may read from the data tier: its secrets, parameter path and bucket prefix. */
    data: ServiceDataAccess;
    /** The secrets key (the execution role decrypts the service's secrets with it). */
    secretsKeyArn: pulumi.Input<string>;
    /** The application bucket's key (the task role reads and writes its prefix with it). */
    storageKeyArn: pulumi.Input<string>;
    /**
     * ECS Exec (off in prod and dr): the cluster encrypts sessions with this key and logs them to this
     * log group, so the task role needs the SSM message channels, `kms:Decrypt` on the key and the
     * CloudWatch Logs calls of the session logger.
     * @default none: no ECS Exec permissions
     */
    exec?: {
        /** The key ECS Exec sessions are encrypted with. */
        keyArn: pulumi.Input<string>;
        /** The log group sessions are logged to. */
        logGroupArn: pulumi.Input<string>;
    };
    /** The stack's workload boundary: every role here carries it (see components/workload-boundary.ts). */
    permissionsBoundaryArn: pulumi.Input<string>;
}

/** Trust of the roles ECS tasks run as: ECS tasks of this account only. */
export function trustEcsTasks(accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only ECS tasks of this account may assume it (confused-deputy guard).
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        }],
    });
}

/** Execution role: pull its own repository, write its own logs, read its own secrets. */
export function executionPolicy(p: {
    region: string; repositoryArn: string; logGroupArn: string; secretArns: string[]; secretsKeyArn: string;
}): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            // GetAuthorizationToken has no resource-level permissions; it only yields a registry login.
            { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            {
                Sid: "PullOwnImage",
                Effect: "Allow",
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                Resource: p.repositoryArn,
            },
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${p.logGroupArn}:*` },
            ...(
                p.secretArns.length ? [
                    { Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [...p.secretArns].sort() }
                ] : []
            ),
            {
                Sid: "DecryptOwnSecrets",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: p.secretsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.amazonaws.com` } },
            },
        ],
    });
}

/**
 * What ECS Exec needs of the task role when the cluster encrypts and logs sessions: the four SSM
 * message channels (no resource-level permission), `kms:Decrypt` on the cluster's exec key, and
 * `logs:DescribeLogGroups` (no resource-level permission) plus `CreateLogStream`, `DescribeLogStreams`,
 * `PutLogEvents` on the exec log group
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, "IAM permissions required for ECS Exec").
 */
export function execStatements(e: { keyArn: string; logGroupArn: string }): Record<string, unknown>[] {
    return [
        {
            Sid: "EcsExecChannels",
            Effect: "Allow",
            Action: [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            Resource: "*",
        },
        { Sid: "EcsExecSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: e.keyArn },
        { Sid: "EcsExecFindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
        {
            Sid: "EcsExecSessionLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            Resource: [e.logGroupArn, `${e.logGroupArn}:log-stream:*`],
        },
    ];
}

/** Task role: its own bucket prefix and SSM path, and the keys behind them. */
export function taskPolicy(p: {
    region: string; bucketArn: string; bucketPrefix: string; parameterPathArn: string; storageKeyArn: string; secretsKeyArn: string;
    exec?: { keyArn: string; logGroupArn: string };
}): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "OwnObjects",
                Effect: "Allow",
                Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                Resource: `${p.bucketArn}/${p.bucketPrefix}*`,
            },
            {
                Sid: "ListOwnPrefix",
                Effect: "Allow",
                Action: "s3:ListBucket",
                Resource: p.bucketArn,
                Condition: { StringLike: { "s3:prefix": [`${p.bucketPrefix}*`] } },
            },
            {
                Sid: "OwnParameters",
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                Resource: [p.parameterPathArn, p.parameterPathArn.replace(/\/\*$/, "")],
            },
            {
                Sid: "StorageKeyThroughS3",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: p.storageKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` } },
            },
            {
                Sid: "SecureStringThroughSsm",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: p.secretsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `ssm.${p.region}.amazonaws.com` } },
            },
            ...(p.exec ? execStatements(p.exec) : []),
        ],
    });
}

/** The execution role and the task role of one service, shared by its colours. */
export class ServiceRoles extends pulumi.ComponentResource {
    readonly executionRoleArn: pulumi.Output<string>;
    readonly taskRoleArn: pulumi.Output<string>;

    constructor(name: string, args: ServiceRolesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:ServiceRoles", name, {}, opts);
        const trust = pulumi.output(args.accountId).apply(trustEcsTasks);
        const execution = new aws.iam.Role(`${name}-execution`, {
            description: `ECS execution role of ${args.service}`,
            assumeRolePolicy: trust,
            permissionsBoundary: args.permissionsBoundaryArn,
            tags: serviceTags(args.service),
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-execution-policy`, {
            role: execution.id,
            policy: pulumi.all(
                [args.repositoryArn, args.logGroupArn, pulumi.all(args.data.secrets.map((s) => s.valueFrom)), args.secretsKeyArn]
            )
                .apply(([repositoryArn, logGroupArn, secretArns, secretsKeyArn]) =>
                    executionPolicy({ region: args.region, repositoryArn, logGroupArn, secretArns, secretsKeyArn })),
        }, { parent: this });
        const task = new aws.iam.Role(`${name}-task`, {
            description: `ECS task role of ${args.service}`,
            assumeRolePolicy: trust,
            permissionsBoundary: args.permissionsBoundaryArn,
            tags: serviceTags(args.service),
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-task-policy`, {
            role: task.id,
            policy: pulumi.all(
                [
                    args.data.bucketArn,
                    args.data.parameterPathArn,
                    args.storageKeyArn,
                    args.secretsKeyArn,
                    args.exec?.keyArn,
                    args.exec?.logGroupArn,
                ]
            )
                .apply(([bucketArn, parameterPathArn, storageKeyArn, secretsKeyArn, keyArn, logGroupArn]) => taskPolicy({
                    region: args.region, bucketArn, bucketPrefix: args.data.bucketPrefix, parameterPathArn, storageKeyArn, secretsKeyArn,
                    exec: keyArn && logGroupArn ? { keyArn, logGroupArn } : undefined,
                })),
        }, { parent: this });
        this.executionRoleArn = execution.arn;
        this.taskRoleArn = task.arn;
        this.registerOutputs({ executionRoleArn: this.executionRoleArn, taskRoleArn: this.taskRoleArn });
    }
}
