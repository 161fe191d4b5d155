import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    FargateColourService,
    type AutoscalingSettings,
    type FargateColourServiceTransforms,
    type ServiceSettings,
} from "./colour-service";
import type { Colour } from "../config/vocabulary";
import type { ServiceDataAccess } from "./contracts";
import { CLOUD_MAP_NAMESPACE, discoveryName, serviceTags, serviceUrlVariable } from "../config/naming";
import { MigrationTasks } from "./migration-task";
import { ServiceRoles } from "./service-roles";

export interface ColourSettings {
    /** The image the colour runs. */
    image: pulumi.Input<string>;
    /** Whether the colour runs tasks (plain: an idle colour is scaled to 0). */
    running: boolean;
    /**
     * The colour's target group (public services only).
     * @default none (not behind the ALB)
     */
    targetGroupArn?: pulumi.Input<string>;
    /** The colour's services security group (colours cannot reach each other). */
    securityGroupId: pulumi.Input<string>;
}

export interface ApplicationServiceArgs {
    /** Short environment id: names (`/tms/<env>/<service>` log group, task families) and LOG_LEVEL. */
    environment: string;
    /** Long environment name: FLASK_ENV and the data paths derive from it. */
    environmentName: string;
    /** This stack's region. */
    region: string;
    /** The account the service runs in (its roles' trust and policies name it). */
    accountId: pulumi.Input<string>;
    /** The service: name, port, size, desired count, calls, health path, migration command. */
    service: ServiceSettings;
    /** Ports of the services this one calls, for their Cloud Map URLs. */
    servicePorts: Record<string, number>;
    /** The colours the strategy deploys (["blue"] for rolling) with their settings. */
    colours: Partial<Record<Colour, ColourSettings>>;
    /** The ECS cluster the colours run in. */
    clusterArn: pulumi.Input<string>;
    /** The cluster's name (scalable targets). */
    clusterName: pulumi.Input<string>;
    /** The Cloud Map namespace the colours register in. */
    namespaceId: pulumi.Input<string>;
    /** The service's ECR repository (the execution role pulls from it). */
    repositoryArn: pulumi.Input<string>;
    /** What the service may read from the data tier (`DataTier.forService`). */
    data: ServiceDataAccess;
    /** The key of the service's secrets (the execution role decrypts with it). */
    secretsKeyArn: pulumi.Input<string>;
    /** The key of the application bucket (the task role uses it). */
    storageKeyArn: pulumi.Input<string>;
    /** The key of the log groups (and of ECS Exec sessions). */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the service's log group, in days. */
    logRetentionDays: pulumi.Input<number>;
    /** Private subnets of the tasks. */
    subnetIds: pulumi.Input<string[]>;
    /**
     * Target tracking of each colour's task count.
     * @default no autoscaling: `service.desiredCount` tasks per running colour
     */
    autoscaling?: AutoscalingSettings;
    /** Allow ECS Exec into the tasks (plain: it decides the roles' exec permissions). */
    enableExecuteCommand: boolean;
    /**
     * The cluster's ECS Exec log group (the exec key is `logsKeyArn`); needed when `enableExecuteCommand`.
     * @default none (required with `enableExecuteCommand`)
     */
    execLogGroupArn?: pulumi.Input<string>;
    /** The stack's workload boundary, carried by the service's roles. */
    permissionsBoundaryArn: pulumi.Input<string>;
    /**
     * The API_VERSION the containers are told.
     * @default "v1"
     */
    apiVersion?: string;
    /**
     * Adjust the children of every colour (components/transform.ts); the function form gets the child's
     * name, e.g. `tms-api-gateway-blue-service`.
     * @default none: the children as computed here
     */
    transform?: {
        /**
         * Each colour's `FargateColourService` children.
         * @default none
         */
        colourService?: FargateColourServiceTransforms;
    };
}

/**
 * The container environment of one colour: the guide's settings plus the same-colour Cloud Map URL of
 * every service it calls, so blue only ever talks to blue.
 */
export function serviceEnvironment(p: {
    environment: string; environmentName: string; service: ServiceSettings; colour: Colour; colours: readonly Colour[];
    servicePorts: Record<string, number>; apiVersion: string;
}): Record<string, string> {
    const env: Record<string, string> = {
        // Flask knows only development and production; staging runs production settings.
        FLASK_ENV: p.environmentName === "development" ? "development" : "production",
        LOG_LEVEL: p.environment === "dev" ? "DEBUG" : "INFO",
        SERVICE_NAME: p.service.name,
        API_VERSION: p.apiVersion,
        DEPLOYMENT_COLOUR: p.colour,
    };
    for (const callee of p.service.calls) {
        env[
            serviceUrlVariable(callee)
        ] = `http://${discoveryName(callee, p.colour, p.colours)}.${CLOUD_MAP_NAMESPACE}:${p.servicePorts[callee]}`;
    }
    return env;
}

function execLogGroup(args: ApplicationServiceArgs): pulumi.Input<string> {
    if (!args.execLogGroupArn) throw new Error(
        `ApplicationService ${args.service.name}: enableExecuteCommand needs execLogGroupArn (the cluster's ECS Exec log group)`
    );
    return args.execLogGroupArn;
}

/** One service: its log group, its roles, and one Fargate service per colour. */
export class ApplicationService extends pulumi.ComponentResource {
    readonly roles: ServiceRoles;
    readonly logGroupName: pulumi.Output<string>;
    /** ECS service name per colour. */
    readonly serviceNames: Partial<Record<Colour, pulumi.Output<string>>> = {};
    /** Task definition family per colour (`FargateColourService.taskDefinitionFamily`). */
    readonly taskDefinitionFamilies: Partial<Record<Colour, pulumi.Output<string>>> = {};
    /** The migration task (absent in dr, whose database users replicate from prod). */
    readonly migrations?: MigrationTasks;

    constructor(name: string, args: ApplicationServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:ApplicationService", name, {}, opts);
        const svc = args.service;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, {
            name: `/tms/${args.environment}/${svc.name}`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags: serviceTags(svc.name),
        }, { parent: this });
        this.logGroupName = logGroup.name;

        this.roles = new ServiceRoles(`${name}-roles`, {
            service: svc.name,
            region: args.region,
            accountId: args.accountId,
            repositoryArn: args.repositoryArn,
            logGroupArn: logGroup.arn,
            data: args.data,
            secretsKeyArn: args.secretsKeyArn,
            storageKeyArn: args.storageKeyArn,
            exec: args.enableExecuteCommand ? { keyArn: args.logsKeyArn, logGroupArn: execLogGroup(args) } : undefined,
            permissionsBoundaryArn: args.permissionsBoundaryArn,
        }, { parent: this });

        const colours = Object.keys(args.colours) as Colour[];
        const migrationColours: NonNullable<ConstructorParameters<typeof MigrationTasks>[1]>["colours"] = {};
        for (const colour of colours) {
            const c = args.colours[colour]!;
            const ecsName = colours.length === 1 ? svc.name : `${svc.name}-${colour}`;
            const plain = serviceEnvironment({
                environment: args.environment,
                environmentName: args.environmentName,
                service: svc,
                colour,
                colours,
                servicePorts: args.servicePorts,
                apiVersion: args.apiVersion ?? "v1",
            });
            const deployed = new FargateColourService(`${name}-${colour}`, {
                environment: args.environment,
                region: args.region,
                service: svc,
                colour,
                serviceName: ecsName,
                discoveryName: discoveryName(svc.name, colour, colours),
                clusterArn: args.clusterArn,
                clusterName: args.clusterName,
                namespaceId: args.namespaceId,
                image: c.image,
                executionRoleArn: this.roles.executionRoleArn,
                taskRoleArn: this.roles.taskRoleArn,
                logGroupName: logGroup.name,
                environmentVariables: { ...args.data.environment, ...plain },
                secrets: args.data.secrets,
                subnetIds: args.subnetIds,
                securityGroupId: c.securityGroupId,
                targetGroupArn: c.targetGroupArn,
                desiredCount: svc.desiredCount,
                autoscaling: args.autoscaling,
                running: c.running,
                enableExecuteCommand: args.enableExecuteCommand,
                transform: args.transform?.colourService,
            }, { parent: this });
            this.serviceNames[colour] = deployed.serviceName;
            this.taskDefinitionFamilies[colour] = deployed.taskDefinitionFamily;
            migrationColours[colour] = { ecsServiceName: ecsName, image: c.image, environment: { ...args.data.environment, ...plain } };
        }
        if (args.data.databaseUsers) {
            this.migrations = new MigrationTasks(`${name}-migrations`, {
                environment: args.environment,
                region: args.region,
                service: svc,
                accountId: args.accountId,
                colours: migrationColours,
                repositoryArn: args.repositoryArn,
                logGroupName: logGroup.name,
                logGroupArn: logGroup.arn,
                taskRoleArn: this.roles.taskRoleArn,
                secrets: args.data.secrets,
                databaseUsers: args.data.databaseUsers,
                secretsKeyArn: args.secretsKeyArn,
                permissionsBoundaryArn: args.permissionsBoundaryArn,
            }, { parent: this });
        }
        this.registerOutputs({ logGroupName: this.logGroupName });
    }
}
