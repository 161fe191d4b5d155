/**
 * A small program for the transform test: the five components whose children a library user adjusts
 * (database, cache, colour service, traffic, buckets), built alone with fixed inputs. Config
 * `transforms:mode` chooses the transforms: `none` (no `transform` arg), `noop` (every hook given, as an
 * empty object or a function that changes nothing), `on` (each hook changes one arg, in both forms).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    DocumentDbCluster, FargateColourService, PublicTraffic, RedisReplicationGroup, StorageBuckets,
    type DocumentDbClusterTransforms, type FargateColourServiceTransforms, type PublicTrafficTransforms,
    type RedisReplicationGroupTransforms, type StorageBucketsTransforms,
} from "../../../components";

const mode = new pulumi.Config("transforms").require("mode") as "none" | "noop" | "on";
const provider = new aws.Provider("aws", { region: "us-east-1" });
const west = new aws.Provider("west", { region: "us-west-2" });
const opts = { providers: { aws: provider } };
const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const net = { subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"], securityGroupId: "sg-0123456789abcdef0" };
const noop = () => undefined;
/** `on`: the hook; `noop`: the given no-op (an empty object or a function changing nothing); `none`: absent. */
const pick = <T>(on: T, idle: T): T | undefined => (mode === "on" ? on : mode === "noop" ? idle : undefined);

new DocumentDbCluster("t-database", {
    environment: "t", instanceClass: "db.r5.large", instances: 2, backupRetentionDays: 7, preferredBackupWindow: "03:00-04:00",
    preferredMaintenanceWindow: "sun:05:00-sun:06:00", deletionProtection: false, globalCluster: "none",
    ...net, kmsKeyArn: key, logsKeyArn: key, logRetentionDays: 30, protect: false,
    transform: pick<DocumentDbClusterTransforms>({
        cluster: { backupRetentionPeriod: 35 },
        instance: (args, _opts, name) => { if (name.endsWith("-2")) args.instanceClass = "db.r6g.large"; },
        parameterGroup: {},
    }, { cluster: {}, instance: noop, subnetGroup: {}, parameterGroup: noop }),
}, opts);

new RedisReplicationGroup("t-cache", {
    environment: "t", nodeType: "cache.t3.small", nodes: 2, snapshotRetentionDays: 3, snapshotWindow: "05:00-06:00",
    maintenanceWindow: "tue:07:00-tue:08:00", ...net, kmsKeyArn: key, logsKeyArn: key, logRetentionDays: 30, protect: false,
    transform: pick<RedisReplicationGroupTransforms>({ replicationGroup: { numCacheClusters: 3 }, subnetGroup: (args) => { args.description = "mine"; } },
        { replicationGroup: {}, subnetGroup: noop, parameterGroup: {} }),
}, opts);

new FargateColourService("t-api-blue", {
    environment: "t", region: "us-east-1", service: { name: "api", port: 5000, cpu: 512, memory: 1024, healthCheckPath: "/health" },
    colour: "blue", serviceName: "api-blue", discoveryName: "api-blue", image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/api:1",
    clusterArn: "arn:aws:ecs:us-east-1:111122223333:cluster/t", clusterName: "t", namespaceId: "ns-abcdefgh12345678",
    executionRoleArn: "arn:aws:iam::111122223333:role/t-exec", taskRoleArn: "arn:aws:iam::111122223333:role/t-task",
    logGroupName: "/tms/t/api", environmentVariables: {}, secrets: [], ...net, desiredCount: 2,
    autoscaling: { minCount: 2, maxCount: 4, cpuTargetPercent: 70, memoryTargetPercent: 70 }, running: true, enableExecuteCommand: false,
    transform: pick<FargateColourServiceTransforms>({
        service: { deploymentMinimumHealthyPercent: 50 },
        taskDefinition: (args) => { args.memory = "2048"; },
        scalingTarget: { maxCapacity: 8 },
    }, { service: {}, taskDefinition: noop, discoveryService: {}, scalingTarget: noop }),
}, opts);

new PublicTraffic("t-traffic", {
    environment: "t", hostName: "t.example.com", loadBalancerName: "t.example.com", alternativeNames: [], zoneName: "example.com",
    vpcId: "vpc-0123456789abcdef0", publicSubnetIds: net.subnetIds, securityGroupId: net.securityGroupId, accountId: "111122223333",
    accessLogRetentionDays: 30, protect: false, createAlias: true,
    services: [{
        name: "api", port: 5000, isDefaultRoute: true, pathPatterns: [], calls: [], cpu: 512, memory: 1024,
        desiredCount: 2, healthCheckPath: "/health", migrationCommand: [],
    }],
    colours: ["blue", "green"], live: "blue", weight: 0, testListenerPort: 8443,
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", deletionProtection: false, idleTimeoutSeconds: 60,
    transform: pick<PublicTrafficTransforms>({
        loadBalancer: { idleTimeout: 120 },
        targetGroup: (args, _opts, name) => { if (name.endsWith("-green")) args.deregistrationDelay = 5; },
        listener: (args, _opts, name) => { if (name.endsWith("-http")) args.tags = { Service: "traffic", Extra: "yes" }; },
    }, { loadBalancer: {}, targetGroup: noop, listener: {} }),
}, opts);

new StorageBuckets("t-storage", {
    noncurrentExpireAfterDays: 30, logExpireAfterDays: 30, replicationRegion: "us-west-2", region: "us-east-1",
    accountId: "111122223333", kmsKeyArn: key, replica: { provider: west, kmsKeyArn: key }, protect: false,
    transform: pick<StorageBucketsTransforms>({
        bucket: (args, _opts, name) => { if (name.endsWith("-app")) args.objectLockEnabled = true; },
        replication: (args) => { args.token = "token"; },
    }, { bucket: noop, replication: {} }),
}, opts);

module.exports = {};
