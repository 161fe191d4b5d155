/**
 * The migration task of one service: the task definition the rollout runs (RunTask) before traffic
 * moves, one per colour so it uses that colour's image. Its first container creates or rotates the
 * service's database users with the master credentials (components/database-users.ts); the second,
 * the service's own image with the rollout's migration command, runs once the first succeeded and
 * connects as the service's user. Only this task's execution role can read the master credentials.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fargateTaskSettings, type ServiceSettings } from "./colour-service";
import type { Colour } from "../config/vocabulary";
import type { SecretReference, ServiceDataAccess } from "./contracts";
import { userProvisioningScript } from "./database-users";
import { serviceTags } from "../config/naming";
import { IMAGE_CONTRACT, writableMounts } from "./image-contract";
import { executionPolicy, trustEcsTasks } from "./service-roles";

/** The name of the user-provisioning container. */
export const DB_USERS_CONTAINER = "db-users";

/** Family of a colour's migration task definition: `tms-<env>-<ecs service>-migrate`. */
export const migrationFamily = (environment: string, ecsServiceName: string) => `tms-${environment}-${ecsServiceName}-migrate`;

/** Container definitions of a migration task (pure). */
export function migrationContainerDefinitions(p: {
    service: ServiceSettings; image: string; region: string; logGroupName: string; colour: Colour;
    environment: Record<string, string>; secrets: { name: string; valueFrom: string }[];
    masterSecretArn: string; passwordsSecretArn: string; databaseName: string;
}): string {
    // The image contract, as for the service's own containers (components/image-contract.ts).
    const common = {
        image: p.image,
        readonlyRootFilesystem: true,
        user: IMAGE_CONTRACT.user,
        privileged: false,
        mountPoints: writableMounts(),
    };
    const logs = (prefix: string) => ({
        logDriver: "awslogs",
        options: { "awslogs-group": p.logGroupName, "awslogs-region": p.region, "awslogs-stream-prefix": prefix },
    });
    return JSON.stringify([
        {
            ...common,
            name: DB_USERS_CONTAINER,
            essential: false,
            command: [IMAGE_CONTRACT.python, "-c", userProvisioningScript()],
            environment: [{ name: "DB_NAME", value: p.databaseName }],
            secrets: [
                { name: "DB_USER_PASSWORDS", valueFrom: p.passwordsSecretArn },
                { name: "MONGODB_MASTER_URI", valueFrom: p.masterSecretArn },
            ],
            logConfiguration: logs(`migrate-${p.colour}-users`),
        },
        {
            ...common,
            name: p.service.name,
            essential: true,
            dependsOn: [{ containerName: DB_USERS_CONTAINER, condition: "SUCCESS" }],
            command: p.service.migrationCommand,
            environment: Object.entries(p.environment).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
            secrets: [...p.secrets].sort((a, b) => a.name.localeCompare(b.name)),
            logConfiguration: logs(`migrate-${p.colour}`),
        },
    ]);
}

export interface MigrationTasksArgs {
    /** Short environment id: the task families `tms-<env>-<ecs service>-migrate`. */
    environment: string;
    /** This stack's region (the log configuration, the execution policy). */
    region: string;
    /** The service whose migration this runs: its name, size and `migrationCommand`. */
    service: ServiceSettings;
    /** The account of the execution role's trust. */
    accountId: pulumi.Input<string>;
    /** Per colour: the ECS service name, the image and the container environment the colour runs with. */
    colours: Partial<Record<Colour, {
        /** The colour's ECS service name (the family is `tms-<env>-<ecsServiceName>-migrate`). */
        ecsServiceName: string;
        /** The image the colour runs. */
        image: pulumi.Input<string>;
        /** The colour's plain container environment. */
        environment: Record<string, pulumi.Input<string>>;
    }>>;
    /** The service's repository (the execution role pulls from it). */
    repositoryArn: pulumi.Input<string>;
    /** The service's log group (the migration logs there too). */
    logGroupName: pulumi.Input<string>;
    /** Its ARN (the execution role writes to it). */
    logGroupArn: pulumi.Input<string>;
    /** The service's task role: the migration runs with the service's own application permissions. */
    taskRoleArn: pulumi.Input<string>;
    /** The service's secrets (the migration runs with the same environment). */
    secrets: SecretReference[];
    /** The master and users' password secrets and the service's database (the migration provisions its user). */
    databaseUsers: NonNullable<ServiceDataAccess["databaseUsers"]>;
    /** The secrets key (the execution role decrypts with it). */
    secretsKeyArn: pulumi.Input<string>;
    /** The stack's workload boundary, carried by the execution role. */
    permissionsBoundaryArn: pulumi.Input<string>;
}

export class MigrationTasks extends pulumi.ComponentResource {
    readonly executionRoleArn: pulumi.Output<string>;
    /** Task definition family per colour. */
    readonly families: Partial<Record<Colour, string>> = {};

    constructor(name: string, args: MigrationTasksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:MigrationTasks", name, {}, opts);
        const svc = args.service;
        const tags = serviceTags(svc.name, { Purpose: "migration" });
        const u = args.databaseUsers;
        const execution = new aws.iam.Role(`${name}-execution`, {
            description: `ECS execution role of ${svc.name}'s migration task (reads the database master credentials)`,
            assumeRolePolicy: pulumi.output(args.accountId).apply(trustEcsTasks),
            permissionsBoundary: args.permissionsBoundaryArn,
            tags,
        }, { parent: this });
        new aws.iam.RolePolicy(`${name}-execution-policy`, {
            role: execution.id,
            policy: pulumi.all(
                [
                    args.repositoryArn,
                    args.logGroupArn,
                    pulumi.all(args.secrets.map((s) => s.valueFrom)),
                    u.masterSecretArn,
                    u.passwordsSecretArn,
                    args.secretsKeyArn,
                ]
            )
                // A service's execution policy, reading two more secrets: the master credentials and the users' passwords.
                .apply(([repositoryArn, logGroupArn, own, master, passwords, secretsKeyArn]) => executionPolicy({
                    region: args.region, repositoryArn, logGroupArn, secretArns: [...own, master, passwords], secretsKeyArn,
                })),
        }, { parent: this });

        for (const [colour, c] of Object.entries(args.colours) as [Colour, NonNullable<MigrationTasksArgs["colours"][Colour]>][]) {
            const family = migrationFamily(args.environment, c.ecsServiceName);
            new aws.ecs.TaskDefinition(`${name}-${colour}`, {
                family,
                ...fargateTaskSettings(svc),
                executionRoleArn: execution.arn,
                taskRoleArn: args.taskRoleArn,
                containerDefinitions: pulumi.all([
                    c.image, args.logGroupName, pulumi.all(c.environment),
                    pulumi.all(args.secrets.map((s) => pulumi.all([s.name, s.valueFrom]))), u.masterSecretArn, u.passwordsSecretArn,
                ]).apply(([image, logGroupName, environment, secrets, masterSecretArn, passwordsSecretArn]) =>
                    migrationContainerDefinitions({
                        service: svc, image, region: args.region, logGroupName, colour,
                        environment: environment as Record<string, string>,
                        secrets: secrets.map(([n, v]) => ({ name: n, valueFrom: v })),
                        masterSecretArn, passwordsSecretArn, databaseName: u.databaseName,
                    })),
                tags: { ...tags, Colour: colour },
            }, { parent: this });
            this.families[colour] = family;
        }
        this.executionRoleArn = execution.arn;
        this.registerOutputs({ executionRoleArn: this.executionRoleArn });
    }
}
