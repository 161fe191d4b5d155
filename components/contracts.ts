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
    /** ARN pattern of the SSM path the task role may read, `arn:aws:ssm:<region>:<account>:parameter/[env]/[service]/*`. */
    parameterPathArn: pulumi.Output<string>;
    /** The application bucket's name. */
    bucketName: pulumi.Output<string>;
    /** The application bucket's ARN (the task role's S3 grants). */
    bucketArn: pulumi.Output<string>;
    /** This service's prefix in the bucket (`<service>/`): the only keys its task role may touch. */
    bucketPrefix: string;
    /**
     * What the service's migration task needs to create and rotate its database users.
     * @default none: no migration task (dr, whose users replicate from prod)
     */
    databaseUsers?: {
        /** The cluster's master credentials (the migration task creates the users with them). */
        masterSecretArn: pulumi.Output<string>;
        /** The service's user passwords. */
        passwordsSecretArn: pulumi.Output<string>;
        /** The service's database. */
        databaseName: string;
    };
}
