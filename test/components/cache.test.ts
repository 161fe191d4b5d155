import { strict as assert } from "assert";
import { isValidAuthToken, REDIS_TOKEN_SPECIALS, replicationSettings } from "../../components/cache";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, plan, Plan, stackConfig, STACKS } from "../harness";
import { GUIDE, key, overlaps, PASSWORD } from "./data-helpers";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

describe("data: Redis", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            const g = GUIDE[stack];
            before(async () => { p = await plan(stack); });

            it("runs the guide's node count and type, Multi-AZ with automatic failover", () => {
                const r = p.one(GROUP).inputs;
                assert.equal(r.nodeType, g.redis[0]);
                assert.equal(r.numCacheClusters, g.redis[1]);
                assert.equal(r.multiAzEnabled, true);
                assert.equal(r.automaticFailoverEnabled, true);
                assert.equal(r.engine, "redis");
            });

            it("encrypts at rest with the cache key and in transit, behind a generated AUTH token", () => {
                const r = p.one(GROUP);
                assert.equal(r.inputs.atRestEncryptionEnabled, true);
                assert.equal(r.inputs.transitEncryptionEnabled, true);
                assert.ok(p.dependsOn(r, "kmsKeyId", key(p, "cache")));
                const token = p.one(PASSWORD, "cache-auth-token");
                assert.ok(p.dependsOn(r, "authToken", token));
                assert.ok(p.result.secretInputs[r.urn]?.includes("authToken"), "authToken is sent as a secret");
                assert.ok(isValidAuthToken(token.outputs.result));
                assert.ok(token.inputs.length >= 16 && token.inputs.length <= 128);
                // A replaced token is applied with SET: the old one stops working (ROTATE would keep it valid).
                assert.equal(r.inputs.authTokenUpdateStrategy, "SET");
            });

            it("uses its own subnet group on the isolated subnets, a redis7 parameter group and the cache security group", () => {
                const r = p.one(GROUP);
                const subnets = p.one("aws:elasticache/subnetGroup:SubnetGroup");
                const params = p.one("aws:elasticache/parameterGroup:ParameterGroup");
                assert.deepEqual(subnets.inputs.subnetIds, p.outputs.isolatedSubnetIds);
                assert.ok(p.dependsOn(r, "subnetGroupName", subnets));
                assert.equal(params.inputs.family, "redis7");
                assert.ok(p.dependsOn(r, "parameterGroupName", params));
                assert.notEqual(r.inputs.parameterGroupName, "default.redis7");
                assert.ok(p.dependsOn(r, "securityGroupIds", p.one("aws:ec2/securityGroup:SecurityGroup", "-cache-sg")));
                assert.equal(r.inputs.securityGroupIds.length, 1);
            });

            it("keeps snapshots in a window clear of maintenance", () => {
                const r = p.one(GROUP).inputs;
                const c = stackConfig(stack)["tms:cache"];
                assert.equal(r.snapshotRetentionLimit, c.snapshotRetentionDays);
                assert.ok(r.snapshotRetentionLimit >= 1);
                assert.equal(r.snapshotWindow, c.snapshotWindow);
                assert.equal(r.maintenanceWindow, c.maintenanceWindow);
                assert.equal(overlaps(r.maintenanceWindow, r.snapshotWindow), false);
            });

            it("delivers the slow log to a log group encrypted with the logs key", () => {
                const r = p.one(GROUP);
                const group = p.one("aws:cloudwatch/logGroup:LogGroup", "slow-log");
                assert.deepEqual(r.inputs.logDeliveryConfigurations.map((l: any) => [l.logType, l.destinationType, l.destination]),
                    [["slow-log", "cloudwatch-logs", group.inputs.name]]);
                assert.ok(p.dependsOn(group, "kmsKeyId", key(p, "logs")));
                assert.ok(group.inputs.retentionInDays > 0);
            });

            it(`${g.protect ? "protects" : "does not protect"} the replication group`, () => {
                assert.equal(p.one(GROUP).options.protect, g.protect);
            });
        });
    }

    describe("pure settings", () => {
        it("accepts only ElastiCache-valid AUTH tokens", () => {
            assert.ok(isValidAuthToken("a".repeat(16)));
            assert.ok(!isValidAuthToken("a".repeat(15)));
            assert.ok(!isValidAuthToken("a".repeat(129)));
            for (const bad of ["@", '"', "/", " "]) {
                assert.ok(!isValidAuthToken("a".repeat(20) + bad), bad);
                assert.ok(!REDIS_TOKEN_SPECIALS.includes(bad), bad);
            }
        });

        it("derives the replication settings from tms:cache", () => {
            const cache = loadStackConfig(flattenConfig(stackConfig("staging")), "Pulumi.staging.yaml", "staging").cache;
            const s = replicationSettings({ ...cache, nodes: 4, snapshotRetentionDays: 9 });
            assert.equal(s.numCacheClusters, 4);
            assert.equal(s.snapshotRetentionLimit, 9);
            assert.equal(s.transitEncryptionEnabled, true);
            assert.equal(s.authTokenUpdateStrategy, "SET");
            assert.equal(replicationSettings({ ...cache, authTokenUpdateStrategy: "ROTATE" }).authTokenUpdateStrategy, "ROTATE");
        });

        it("defaults the AUTH token update strategy to SET and accepts only SET or ROTATE", () => {
            const cfg = stackConfig("staging");
            cfg["tms:cache"].authTokenUpdateStrategy = "DELETE";
            assert.throws(() => loadStackConfig(flattenConfig(cfg), "Pulumi.staging.yaml", "staging"),
                /Pulumi\.staging\.yaml: tms:cache\.authTokenUpdateStrategy: "DELETE" is not an AUTH token update strategy/);
        });
    });
});
