import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../config/vocabulary";
import type { SecretReference } from "./contracts";
import { serviceTags } from "../config/naming";
import { healthCheckCommand, IMAGE_CONTRACT, writableMounts, writableVolumes } from "./image-contract";
import { transform, type Transform } from "./transform";

/** Target tracking of a colour's task count (plain: it decides whether the scaling resources exist). */
export interface AutoscalingSettings {
    /** Fewest tasks while the colour runs. */
    minCount: number;
    /** Most tasks while the colour runs. */
    maxCount: number;
    /** Average CPU utilisation (percent) the scaling tracks. */
    cpuTargetPercent: number;
    /** Average memory utilisation (percent) the scaling tracks. */
    memoryTargetPercent: number;
}

/** The container one colour runs: its name, port, size and health path (a `ServiceConfig` satisfies it). */
export interface ContainerSettings {
    /** The service's name: the container's name and its port mapping's name. */
    name: string;
    /** The container port (the target group's and Cloud Map's port). */
    port: number;
    /** CPU units of the task and its container (a Fargate size, e.g. 512). */
    cpu: number;
    /** Memory (MiB) of the task and its container (a Fargate size for `cpu`). */
    memory: number;
    /** The HTTP path the container health check GETs on localhost. */
    healthCheckPath: string;
}

/**
 * One service of the product as `ApplicationService`, `MigrationTasks` and `PublicTraffic` build it: the
 * container plus its routing, calls, size and migration. from-config.ts's `serviceOf` makes one of a
 * `tms:services` entry; a library user builds one by hand. Whether the ALB routes to the service is no
 * field: `PublicTraffic` is given the public services, and their colours get its target groups.
 */
export interface ServiceSettings extends ContainerSettings {
    /** The one public service that receives the listener's default action. */
    isDefaultRoute: boolean;
    /** Path patterns of its listener rule (a public service that is not the default route). */
    pathPatterns: string[];
    /** The services it calls: their same-colour Cloud Map URLs are injected into its environment. */
    calls: string[];
    /** Tasks per running colour. */
    desiredCount: number;
    /** The one-off migration command run before traffic moves (empty: none). */
    migrationCommand: string[];
}

/** The CPU architecture when the args give none: the images are built for x86-64. */
export const DEFAULT_CPU_ARCHITECTURE = "X86_64";

/** The children of a `FargateColourService` a user can adjust. */
export interface FargateColourServiceTransforms {
    /**
     * The `aws.ecs.TaskDefinition`.
     * @default none (the args as computed)
     */
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    /**
     * The `aws.ecs.Service`.
     * @default none (the args as computed)
     */
    service?: Transform<aws.ecs.ServiceArgs>;
    /**
     * The Cloud Map `aws.servicediscovery.Service`.
     * @default none (the args as computed)
     */
    discoveryService?: Transform<aws.servicediscovery.ServiceArgs>;
    /**
     * The `aws.appautoscaling.Target` (with `autoscaling` only).
     * @default none (the args as computed)
     */
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
}

export interface FargateColourServiceArgs {
    /** Short environment id: the task definition family `tms-<env>-<serviceName>`. */
    environment: string;
    /** The region of the log group (`awslogs-region`). */
    region: string;
    /** The container: name, port, CPU and memory, health path. */
    service: ContainerSettings;
    /** The colour this service runs (tag `Colour`, the log stream prefix). */
    colour: Colour;
    /** ECS service name, e.g. `api-gateway-blue` (or `api-gateway` with one colour). */
    serviceName: string;
    /** Cloud Map name this colour registers as (`api-gateway-blue` → api-gateway-blue.service.local). */
    discoveryName: string;
    /** The ECS cluster the service runs in. */
    clusterArn: pulumi.Input<string>;
    /** The cluster's name (the scalable target's resource id). */
    clusterName: pulumi.Input<string>;
    /** The Cloud Map namespace the colour registers in. */
    namespaceId: pulumi.Input<string>;
    /** The image the container runs (a digest or an immutable tag). */
    image: pulumi.Input<string>;
    /** The task execution role (pulls the image, reads the secrets, writes the logs). */
    executionRoleArn: pulumi.Input<string>;
    /** The task role (the application's own permissions). */
    taskRoleArn: pulumi.Input<string>;
    /** The log group the container logs to (awslogs). */
    logGroupName: pulumi.Input<string>;
    /** Plain settings for the container environment (never secrets). */
    environmentVariables: Record<string, pulumi.Input<string>>;
    /** Secrets injected by reference (`valueFrom`), never by value. */
    secrets: SecretReference[];
    /** Private subnets of the tasks (no public IP). */
    subnetIds: pulumi.Input<string[]>;
    /** This colour's services security group. */
    securityGroupId: pulumi.Input<string>;
    /**
     * This colour's target group, for public services (plain presence: it decides the load balancer block
     * and the health-check grace period).
     * @default none (a service reached through Cloud Map only)
     */
    targetGroupArn?: pulumi.Input<string>;
    /** Tasks while running; the service runs 0 when `running` is false. */
    desiredCount: pulumi.Input<number>;
    /**
     * Target tracking on CPU and memory (prod); bounds collapse to 0 when the colour is idle.
     * @default no autoscaling: `desiredCount` tasks
     */
    autoscaling?: AutoscalingSettings;
    /** Whether the colour runs tasks (plain: an idle colour is scaled to 0 here). */
    running: boolean;
    /** Allow ECS Exec into the tasks (dev and staging only). */
    enableExecuteCommand: pulumi.Input<boolean>;
    /**
     * The user the container runs as (uid:gid; never root).
     * @default "1000:1000" (the image contract's, components/image-contract.ts)
     */
    containerUser?: string;
    /**
     * The container health check's command (exec form).
     * @default `healthCheckCommand(service.port, service.healthCheckPath)`: python3's urllib, no curl in the image
     */
    healthCheckCommand?: string[];
    /**
     * The task's CPU architecture (`runtimePlatform.cpuArchitecture`): the images must be built for it.
     * @default "X86_64"
     */
    cpuArchitecture?: pulumi.Input<"X86_64" | "ARM64">;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: FargateColourServiceTransforms;
}

/**
 * The container definition: the image contract (read-only root, its user and writable paths, its health check), awslogs, secrets by
 * reference.
 */
export function containerDefinitions(p: {
    service: ContainerSettings; image: string; colour: Colour; region: string; logGroupName: string;
    environment: Record<string, string>; secrets: { name: string; valueFrom: string }[];
    /** Default: the image contract's user. */
    user?: string;
    /** Default: `healthCheckCommand(port, healthCheckPath)`. */
    healthCheckCommand?: string[];
}): string {
    const environment = Object.entries(p.environment)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value }));
    return JSON.stringify([{
        name: p.service.name,
        image: p.image,
        essential: true,
        cpu: p.service.cpu,
        memory: p.service.memory,
        portMappings: [{ containerPort: p.service.port, protocol: "tcp", name: p.service.name }],
        environment,
        secrets: [...p.secrets].sort((a, b) => a.name.localeCompare(b.name)),
        // The image contract (components/image-contract.ts, docs/image-contract.md): read-only root, the
        // contract's unprivileged user, writable only where the contract mounts, a health check with no curl.
        readonlyRootFilesystem: true,
        user: p.user ?? IMAGE_CONTRACT.user,
        privileged: false,
        linuxParameters: { initProcessEnabled: true },
        mountPoints: writableMounts(),
        healthCheck: {
            command: p.healthCheckCommand ?? healthCheckCommand(p.service.port, p.service.healthCheckPath),
            interval: 30,
            timeout: 5,
            retries: 2,
            startPeriod: 60,
        },
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": p.logGroupName,
                "awslogs-region": p.region,
                "awslogs-stream-prefix": p.colour,
            },
        },
    }]);
}

/** The Fargate settings every task definition of a service shares (its colours and its migration task). */
export function fargateTaskSettings(svc: Pick<ContainerSettings, "cpu" | "memory">,
    cpuArchitecture: pulumi.Input<string> = DEFAULT_CPU_ARCHITECTURE) {
    return {
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture },
        // Bind mounts of the image contract's writable paths (the root filesystem is read-only).
        volumes: writableVolumes(),
    };
}

/** The task definition family of one colour service: `tms-<env>-<ECS service name>`. */
const taskDefinitionFamily = (environment: string, serviceName: string) => `tms-${environment}-${serviceName}`;

/** One colour of one service: a Fargate task definition, its ECS service, Cloud Map entry and scaling. */
export class FargateColourService extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;
    /**
     * The task definition's family (`taskDefinitionFamily`), resolved with the ECS service: the deployment role
     * registers its revisions, and its policy waits for the service.
     */
    readonly taskDefinitionFamily: pulumi.Output<string>;

    constructor(name: string, args: FargateColourServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:FargateColourService", name, {}, opts);
        const svc = args.service;
        const tags = serviceTags(svc.name, { Colour: args.colour });

        const t = args.transform;

        const taskDefinition = new aws.ecs.TaskDefinition(...transform(t?.taskDefinition, `${name}-task`, {
            family: taskDefinitionFamily(args.environment, args.serviceName),
            ...fargateTaskSettings(svc, args.cpuArchitecture),
            executionRoleArn: args.executionRoleArn,
            taskRoleArn: args.taskRoleArn,
            containerDefinitions: pulumi.all([
                args.image,
                args.logGroupName,
                pulumi.all(args.environmentVariables),
                pulumi.all(args.secrets.map((s) => pulumi.all([s.name, s.valueFrom]))),
            ]).apply(([image, logGroupName, environment, secrets]) => containerDefinitions({
                service: svc,
                image,
                colour: args.colour,
                region: args.region,
                logGroupName,
                environment: environment as Record<string, string>,
                secrets: secrets.map(([n, v]) => ({ name: n, valueFrom: v })),
                user: args.containerUser,
                healthCheckCommand: args.healthCheckCommand,
            })),
            tags,
        }, { parent: this }));

        const registry = new aws.servicediscovery.Service(...transform(t?.discoveryService, `${name}-discovery`, {
            name: args.discoveryName,
            dnsConfig: {
                namespaceId: args.namespaceId,
                dnsRecords: [{ type: "A", ttl: 10 }],
                routingPolicy: "MULTIVALUE",
            },
            // ECS reports task health to Cloud Map through the custom health check. Cloud Map ignores the
            // threshold and stores 1, and the provider marks the block ForceNew: any other value (or an empty
            // block) plans a replacement on every later `up` that cannot be carried out (the name is taken,
            // instances are registered). https://docs.aws.amazon.com/cloud-map/latest/api/API_HealthCheckCustomConfig.html,
            // hashicorp/terraform-provider-aws#35559, #44285, PR #40777 (tools/fake-aws/facts.ts holds the fact).
            healthCheckCustomConfig: { failureThreshold: 1 },
            tags,
        }, { parent: this }));

        const service = new aws.ecs.Service(...transform(t?.service, `${name}-service`, {
            name: args.serviceName,
            cluster: args.clusterArn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.running ? args.desiredCount : 0,
            launchType: "FARGATE",
            platformVersion: "LATEST",
            networkConfiguration: {
                subnets: args.subnetIds,
                securityGroups: [args.securityGroupId],
                assignPublicIp: false,
            },
            loadBalancers: args.targetGroupArn
                ? [{ targetGroupArn: args.targetGroupArn, containerName: svc.name, containerPort: svc.port }]
                : [],
            healthCheckGracePeriodSeconds: args.targetGroupArn ? 60 : undefined,
            deploymentMaximumPercent: 200,
            deploymentMinimumHealthyPercent: 100,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            serviceRegistries: { registryArn: registry.arn },
            enableExecuteCommand: args.enableExecuteCommand,
            enableEcsManagedTags: true,
            propagateTags: "SERVICE",
            waitForSteadyState: false,
            tags,
        }, {
            parent: this,
            // With autoscaling, the scalable target owns the task count; Pulumi must not reset it.
            ignoreChanges: args.autoscaling ? ["desiredCount"] : [],
        }));

        if (args.autoscaling) {
            const min = args.running ? args.autoscaling.minCount : 0;
            const max = args.running ? args.autoscaling.maxCount : 0;
            const target = new aws.appautoscaling.Target(...transform(t?.scalingTarget, `${name}-scaling`, {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
                minCapacity: min,
                maxCapacity: max,
                tags,
            }, { parent: this }));
            const track = (metric: "CPU" | "Memory", predefined: string, value: number) =>
                new aws.appautoscaling.Policy(`${name}-scale-${metric.toLowerCase()}`, {
                    policyType: "TargetTrackingScaling",
                    serviceNamespace: target.serviceNamespace,
                    scalableDimension: target.scalableDimension,
                    resourceId: target.resourceId,
                    targetTrackingScalingPolicyConfiguration: {
                        predefinedMetricSpecification: { predefinedMetricType: predefined },
                        targetValue: value,
                        scaleInCooldown: 300,
                        scaleOutCooldown: 60,
                    },
                }, { parent: this });
            track("CPU", "ECSServiceAverageCPUUtilization", args.autoscaling.cpuTargetPercent);
            track("Memory", "ECSServiceAverageMemoryUtilization", args.autoscaling.memoryTargetPercent);
        }

        this.serviceName = service.name;
        // taskDefinitionFamily's name, as an output of the service.
        this.taskDefinitionFamily = pulumi.interpolate`tms-${args.environment}-${service.name}`;
        this.taskDefinitionArn = taskDefinition.arn;
        this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinitionArn });
    }
}
