// A Pulumi program of its own that uses two of this library's components (docs/library.md).
import * as pulumi from "@pulumi/pulumi";
import { FargateColourService, RedisReplicationGroup, type ContainerSettings } from "tms-infrastructure";

const net = { subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], securityGroupId: "sg-0123456789abcdef0" };
const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const redis = new RedisReplicationGroup("demo-cache", {
    environment: "demo", nodeType: "cache.t3.small", nodes: 2, snapshotRetentionDays: 3,
    snapshotWindow: "05:00-06:00", maintenanceWindow: "tue:07:00-tue:08:00",
    ...net, kmsKeyArn: key, logsKeyArn: key, logRetentionDays: 7, protect: false,
    // A transform adjusts a child the component builds: here the replication group's snapshot name.
    transform: { replicationGroup: { finalSnapshotIdentifier: "tms-demo-redis-final" } },
});
const container: ContainerSettings = { name: "api", port: 5000, cpu: 512, memory: 1024, healthCheckPath: "/health" };
const api = new FargateColourService("demo-api-blue", {
    environment: "demo", region: "us-east-1", service: container, colour: "blue", serviceName: "api-blue", discoveryName: "api-blue",
    image: "public.ecr.aws/nginx/nginx:1.27", clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/demo", clusterName: "demo",
    namespaceId: "ns-abcdefgh12345678", executionRoleArn: "arn:aws:iam::111122223333:role/demo-exec",
    taskRoleArn: "arn:aws:iam::111122223333:role/demo-task", logGroupName: "/ecs/demo/api",
    environmentVariables: { REDIS_HOST: redis.primaryEndpoint }, secrets: [],
    ...net, desiredCount: 2, running: true, enableExecuteCommand: false,
    // The image is built for Graviton, and its health check is its own.
    cpuArchitecture: "ARM64", healthCheckCommand: ["CMD", "/app/healthcheck"],
});
export const redisEndpoint = redis.primaryEndpoint;
export const serviceName: pulumi.Output<string> = api.serviceName;
