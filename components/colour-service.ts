import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceConfig } from "../config/stack-config";
import type { Colour } from "../config/vocabulary";
import type { SecretReference } from "./contracts";
import { serviceTags } from "../config/naming";
import { healthCheckCommand, IMAGE_CONTRACT, writableMounts, writableVolumes } from "./image-contract";

export interface AutoscalingSettings {
    minCount: number;
    maxCount: number;
    cpuTargetPercent: number;
    memoryTargetPercent: number;
}

export interface FargateColourServiceArgs {
    environment: string;
    region: string;
    service: ServiceConfig;
    colour: Colour;
    /** ECS service name, e.g. `api-gateway-blue` (or `api-gateway` with one colour). */
    serviceName: string;
    /** Cloud Map name this colour registers as (`api-gateway-blue` → api-gateway-blue.service.local). */
    discoveryName: string;
    clusterArn: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    namespaceId: pulumi.Input<string>;
    image: pulumi.Input<string>;
    executionRoleArn: pulumi.Input<string>;
    taskRoleArn: pulumi.Input<string>;
    logGroupName: pulumi.Input<string>;
    /** Plain settings for the container environment (never secrets). */
    environmentVariables: Record<string, pulumi.Input<string>>;
    secrets: SecretReference[];
    subnetIds: pulumi.Input<string[]>;
    securityGroupId: pulumi.Input<string>;
    /** This colour's target group, for public services. */
    targetGroupArn?: pulumi.Input<string>;
    /** Tasks while running; 0 when the colour is idle. */
    desiredCount: number;
    /** Target tracking on CPU and memory (prod); bounds collapse to 0 when the colour is idle. */
    autoscaling?: AutoscalingSettings;
    running: boolean;
    enableExecuteCommand: boolean;
}

/** The container definition: the image contract (read-only root, its user and writable paths, its health check), awslogs, secrets by reference. */
export function containerDefinitions(p: {
    service: ServiceConfig; image: string; colour: Colour; region: string; logGroupName: string;
    environment: Record<string, string>; secrets: { name: string; valueFrom: string }[];
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
        user: IMAGE_CONTRACT.user,
        privileged: false,
        linuxParameters: { initProcessEnabled: true },
        mountPoints: writableMounts(),
        healthCheck: {
            command: healthCheckCommand(p.service.port, p.service.healthCheckPath),
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
export function fargateTaskSettings(svc: ServiceConfig) {
    return {
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        // Bind mounts of the image contract's writable paths (the root filesystem is read-only).
        volumes: writableVolumes(),
    };
}

/** One colour of one service: a Fargate task definition, its ECS service, Cloud Map entry and scaling. */
export class FargateColourService extends pulumi.ComponentResource {
    readonly serviceName: pulumi.Output<string>;
    readonly taskDefinitionArn: pulumi.Output<string>;

    constructor(name: string, args: FargateColourServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:FargateColourService", name, {}, opts);
        const svc = args.service;
        const tags = serviceTags(svc.name, { Colour: args.colour });

        const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
            family: `tms-${args.environment}-${args.serviceName}`,
            ...fargateTaskSettings(svc),
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
            })),
            tags,
        }, { parent: this });

        const registry = new aws.servicediscovery.Service(`${name}-discovery`, {
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
        }, { parent: this });

        const service = new aws.ecs.Service(`${name}-service`, {
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
        });

        if (args.autoscaling) {
            const min = args.running ? args.autoscaling.minCount : 0;
            const max = args.running ? args.autoscaling.maxCount : 0;
            const target = new aws.appautoscaling.Target(`${name}-scaling`, {
                serviceNamespace: "ecs",
                scalableDimension: "ecs:service:DesiredCount",
                resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
                minCapacity: min,
                maxCapacity: max,
                tags,
            }, { parent: this });
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
        this.taskDefinitionArn = taskDefinition.arn;
        this.registerOutputs({ serviceName: this.serviceName, taskDefinitionArn: this.taskDefinitionArn });
    }
}
