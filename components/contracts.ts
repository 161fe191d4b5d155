/**
 * What the data tier hands the compute tier, as plain interfaces, so each side is built and tested
 * against the same contract.
 */
import type * as pulumi from "@pulumi/pulumi";

/** One entry of a task definition's `secrets`: an environment variable filled from Secrets Manager. */
export interface SecretReference {
    /** Environment variable name inside the container, e.g. MONGODB_URI. */
    name: string;
    /** ARN of the Secrets Manager secret (`[env]/[service]/[secret-name]`). */
    valueFrom: pulumi.Output<string>;
}

/** Everything one service may read from the data tier, and nothing more. */
export interface ServiceDataAccess {
    /** Secrets the service's containers receive through task-definition `secrets`. */
    secrets: SecretReference[];
    /** Non-secret settings for the container `environment` (e.g. REDIS_HOST, S3_BUCKET, S3_PREFIX). */
    environment: Record<string, pulumi.Input<string>>;
    /** `/[env]/[service]/`: the SSM path the task role may read. */
    parameterPath: string;
    /** ARN pattern of that path, `arn:aws:ssm:<region>:<account>:parameter/[env]/[service]/*`. */
    parameterPathArn: pulumi.Output<string>;
    /** Application bucket and this service's prefix in it (`<service>/`). */
    bucketName: pulumi.Output<string>;
    bucketArn: pulumi.Output<string>;
    bucketPrefix: string;
    /**
     * What the service's migration task needs to create and rotate its database users: the master
     * credentials, the service's user passwords, its database. Absent in dr (users replicate from prod).
     */
    databaseUsers?: { masterSecretArn: pulumi.Output<string>; passwordsSecretArn: pulumi.Output<string>; databaseName: string };
}
