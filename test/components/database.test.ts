import { strict as assert } from "assert";
import {
    clusterParameters, DOCDB_PASSWORD_SPECIALS, lifecycleSettings, MASTER_USERNAME, mongodbUri, validateDatabaseArgs,
} from "../../components/database";
import { loadStackConfig } from "../../config/stack-config";
import { flattenConfig, plan, Plan, stackConfig, STACKS } from "../harness";
import { GUIDE, key, KEY, overlaps, PASSWORD } from "./data-helpers";

const CLUSTER = "aws:docdb/cluster:Cluster";
const INSTANCE = "aws:docdb/clusterInstance:ClusterInstance";
const GLOBAL = "aws:docdb/globalCluster:GlobalCluster";
const PARAMS = "aws:docdb/clusterParameterGroup:ClusterParameterGroup";

describe("data: DocumentDB", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            const g = GUIDE[stack];
            before(async () => { p = await plan(stack); });

            it("runs the guide's instance count and class, all in the cluster", () => {
                const cluster = p.one(CLUSTER);
                const instances = p.ofType(INSTANCE);
                assert.equal(instances.length, g.docdb[1]);
                for (const i of instances) {
                    assert.equal(i.inputs.instanceClass, g.docdb[0]);
                    assert.equal(i.inputs.engine, "docdb");
                    assert.ok(p.dependsOn(i, "clusterIdentifier", cluster));
                }
                assert.equal(new Set(instances.map((i) => i.inputs.identifier)).size, instances.length);
            });

            it("encrypts storage with this region's database key and sits on the isolated subnets", () => {
                const cluster = p.one(CLUSTER);
                assert.equal(cluster.inputs.storageEncrypted, true);
                assert.ok(p.dependsOn(cluster, "kmsKeyId", key(p, "database")));
                assert.ok(!p.dependsOn(cluster, "kmsKeyId", key(p, "storage")));
                assert.match(cluster.inputs.kmsKeyId, new RegExp(`^arn:aws:kms:${stack === "dr" ? "us-west-2" : "us-east-1"}:`));
                const subnets = p.one("aws:docdb/subnetGroup:SubnetGroup");
                assert.deepEqual(subnets.inputs.subnetIds, p.outputs.isolatedSubnetIds);
                assert.ok(p.dependsOn(cluster, "dbSubnetGroupName", subnets));
                const sg = p.one("aws:ec2/securityGroup:SecurityGroup", "-database-sg");
                assert.ok(p.dependsOn(cluster, "vpcSecurityGroupIds", sg));
            });

            it("enforces TLS and turns on audit logs and the profiler, exported to CloudWatch", () => {
                const cluster = p.one(CLUSTER);
                const group = p.one(PARAMS);
                assert.equal(group.inputs.family, "docdb5.0");
                const params = Object.fromEntries(group.inputs.parameters.map((x: any) => [x.name, x.value]));
                // `enabled` would accept TLS 1.0 and 1.1 as well.
                assert.equal(params.tls, "tls1.2+");
                assert.equal(params.audit_logs, "enabled");
                assert.equal(params.profiler, "enabled");
                assert.ok(p.dependsOn(cluster, "dbClusterParameterGroupName", group));
                assert.deepEqual([...cluster.inputs.enabledCloudwatchLogsExports].sort(), ["audit", "profiler"]);
            });

            it("creates the audit and profiler log groups before the cluster, with retention and the logs key", () => {
                const cluster = p.one(CLUSTER);
                const retention = stackConfig(stack)["tms:monitoring"].logRetentionDays;
                for (const type of ["audit", "profiler"]) {
                    const group = p.ofType("aws:cloudwatch/logGroup:LogGroup").find((g) => g.inputs.name === `/aws/docdb/tms-${stack}-docdb/${type}`);
                    assert.ok(group, `${type} log group`);
                    assert.equal(group.inputs.retentionInDays, retention);
                    assert.ok(p.dependsOn(group, "kmsKeyId", key(p, "logs")), `${type} log group key`);
                    assert.ok(cluster.options.dependsOn!.includes(group.urn), `the cluster waits for the ${type} log group`);
                }
            });

            it("keeps backups for the guide's retention in windows that do not overlap maintenance", () => {
                const c = p.one(CLUSTER).inputs;
                assert.equal(c.backupRetentionPeriod, g.backupDays);
                assert.match(c.preferredBackupWindow, /^\d\d:\d\d-\d\d:\d\d$/);
                assert.match(c.preferredMaintenanceWindow, /^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$/);
                assert.equal(overlaps(c.preferredMaintenanceWindow, c.preferredBackupWindow), false);
                for (const i of p.ofType(INSTANCE)) assert.equal(i.inputs.preferredMaintenanceWindow, c.preferredMaintenanceWindow);
            });

            it("has deletion protection and a final snapshot everywhere but dev", () => {
                const c = p.one(CLUSTER).inputs;
                assert.equal(c.deletionProtection, g.deletionProtection);
                assert.equal(c.skipFinalSnapshot, !g.finalSnapshot);
                if (g.finalSnapshot) assert.equal(c.finalSnapshotIdentifier, `tms-${stack}-docdb-final`);
                else assert.equal(c.finalSnapshotIdentifier, undefined);
            });

            it(`${GUIDE[stack].protect ? "protects" : "does not protect"} the cluster, its instances and every KMS key`, () => {
                for (const r of [p.one(CLUSTER), ...p.ofType(INSTANCE), ...p.ofType(GLOBAL), ...p.ofType(KEY)]) {
                    assert.equal(r.options.protect, g.protect, `${r.name} protect`);
                }
            });
        });
    }

    describe("global cluster", () => {
        let prod: Plan, dr: Plan;
        before(async () => { [prod, dr] = await Promise.all([plan("prod"), plan("dr")]); });

        it("prod creates an encrypted global cluster and joins it as primary with generated credentials", () => {
            const global = prod.one(GLOBAL);
            const cluster = prod.one(CLUSTER);
            assert.equal(global.inputs.engine, "docdb");
            assert.equal(global.inputs.engineVersion, cluster.inputs.engineVersion);
            assert.equal(global.inputs.storageEncrypted, true);
            assert.ok(prod.dependsOn(cluster, "globalClusterIdentifier", global));
            assert.equal(cluster.inputs.masterUsername, MASTER_USERNAME);
            const pw = prod.one(PASSWORD, "database-master-password");
            assert.ok(prod.dependsOn(cluster, "masterPassword", pw));
            assert.equal(prod.outputs.globalClusterId, global.outputs.id ?? global.inputs.globalClusterIdentifier);
            assert.ok(prod.result.secretOutputs.includes("databaseUserCredentials"));
            assert.equal(prod.outputs.databaseMasterPassword, undefined, "the master password stays in its secret, for the migration tasks");
        });

        it("dr joins prod's global cluster as a secondary with no master credentials, encrypted with its own key", () => {
            const cluster = dr.one(CLUSTER);
            assert.equal(dr.ofType(GLOBAL).length, 0);
            assert.equal(cluster.inputs.globalClusterIdentifier, prod.outputs.globalClusterId);
            assert.equal(cluster.inputs.masterUsername, undefined);
            assert.equal(cluster.inputs.masterPassword, undefined);
            assert.equal(dr.ofType(PASSWORD).filter((r) => r.name.includes("database")).length, 0);
            assert.ok(dr.dependsOn(cluster, "kmsKeyId", key(dr, "database")));
            assert.match(cluster.inputs.kmsKeyId, /^arn:aws:kms:us-west-2:/);
            assert.ok(cluster.options.ignoreChanges?.includes("globalClusterIdentifier"));
            // dr names the global cluster it belongs to (for dr:failover) but never exports prod's credentials.
            assert.equal(dr.outputs.globalClusterId, prod.outputs.globalClusterId);
            assert.equal(dr.outputs.databaseMasterPassword, undefined);
            assert.equal(dr.outputs.databaseUserCredentials, undefined);
        });

        it("dev and staging are standalone clusters", async () => {
            for (const s of ["dev", "staging"]) {
                const p = await plan(s);
                assert.equal(p.ofType(GLOBAL).length, 0);
                assert.equal(p.one(CLUSTER).inputs.globalClusterIdentifier, undefined);
            }
        });
    });

    describe("pure settings", () => {
        it("generates master passwords DocumentDB accepts", () => {
            for (const bad of ["/", '"', "@", " "]) assert.ok(!DOCDB_PASSWORD_SPECIALS.includes(bad), bad);
        });

        it("uses the generated-password settings in the plan", async () => {
            const pw = (await plan("prod")).one(PASSWORD, "database-master-password").inputs;
            assert.equal(pw.overrideSpecial, DOCDB_PASSWORD_SPECIALS);
            assert.ok(pw.length >= 16 && pw.length <= 100, "DocumentDB master passwords are 8–100 characters");
        });

        it("puts TLS first among the cluster parameters, TLS 1.2+ only, applied at reboot (static parameter)", () => {
            const params = clusterParameters();
            assert.deepEqual(params[0], { name: "tls", value: "tls1.2+", applyMethod: "pending-reboot" });
            assert.deepEqual(params.map((x) => x.name), ["tls", "audit_logs", "profiler", "profiler_threshold_ms"]);
        });

        it("skips the final snapshot only when finalSnapshot is false, whatever deletionProtection says", () => {
            const db = loadStackConfig(flattenConfig(stackConfig("prod")), "Pulumi.prod.yaml", "prod").database;
            assert.equal(lifecycleSettings("prod", { ...db, deletionProtection: false }).skipFinalSnapshot, false);
            assert.equal(lifecycleSettings("prod", { ...db, finalSnapshot: false }).skipFinalSnapshot, true);
            assert.equal(lifecycleSettings("prod", { ...db, finalSnapshot: false }).finalSnapshotIdentifier, undefined);
        });

        it("defaults database.finalSnapshot to true and rejects non-booleans", () => {
            const cfg = stackConfig("staging");
            assert.equal(loadStackConfig(flattenConfig(cfg), "Pulumi.staging.yaml", "staging").database.finalSnapshot, true);
            cfg["tms:database"].finalSnapshot = "yes";
            assert.throws(() => loadStackConfig(flattenConfig(cfg), "Pulumi.staging.yaml", "staging"),
                /Pulumi\.staging\.yaml: tms:database\.finalSnapshot: "yes" must be true or false/);
        });

        it("refuses a secondary without the global cluster to join", () => {
            const db = loadStackConfig(flattenConfig(stackConfig("dr")), "Pulumi.dr.yaml", "dr").database;
            assert.throws(() => validateDatabaseArgs({ globalCluster: db.globalCluster }), /needs globalClusterIdentifier/);
            assert.doesNotThrow(() => validateDatabaseArgs({ globalCluster: db.globalCluster, globalClusterIdentifier: "tms-global-docdb" }));
        });

        it("builds the MONGODB_URI with TLS, rs0, secondaryPreferred and no retryable writes, password encoded", () => {
            const uri = mongodbUri("tmsadmin", "a#b?c%d", "h.docdb.amazonaws.com", 27017);
            assert.equal(uri, "mongodb://tmsadmin:a%23b%3Fc%25d@h.docdb.amazonaws.com:27017/?tls=true&tlsCAFile=/etc/ssl/certs/rds-global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false");
        });
    });
});
