/**
 * A small program for the monitoring test: `Monitoring` alone, given a DocumentDB cluster and a Redis
 * replication group as the data tier will pass them (the data tier is not in this branch yet).
 */
import * as aws from "@pulumi/aws";
import { Monitoring } from "../../../components/monitoring";

const provider = new aws.Provider("aws", { region: "us-east-1" });

new Monitoring("tms-monitoring", {
    environment: "prod",
    region: "us-east-1",
    thresholds: { cpuPercent: 80, memoryPercent: 80, successRatePercent: 99.5, errorRatePercent: 1, p95LatencyMs: 1000, databaseConnectionsPercent: 80 },
    topicKeyArn: "arn:aws:kms:us-east-1:111122223333:key/logs",
    accountId: "111122223333",
    loadBalancerArnSuffix: "app/tms-alb/1234",
    clusterName: "task-management-prod",
    targetGroupArnSuffixes: { "api-gateway": { blue: "targetgroup/prod-api-gateway-blue/1", green: "targetgroup/prod-api-gateway-green/2" } },
    ecsServiceNames: { "api-gateway": { blue: "api-gateway-blue", green: "api-gateway-green" } },
    database: { clusterIdentifier: "tms-prod-docdb", instanceClass: "db.r5.large" },
    cache: { replicationGroupId: "tms-prod-redis", nodes: 3 },
}, { providers: { aws: provider } });

module.exports = {};
