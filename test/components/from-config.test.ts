/**
 * components/from-config.ts as plain data: the config-derived part of each component's Args, for the
 * shipped stack files, without the engine. What the program then registers is the plan tests' and the
 * URN inventory's business.
 */
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig, type StackConfig } from "../../config/stack-config";
import {
    accessSettings,
    cdnSettings,
    clusterSettings,
    colourReleases,
    configOutputs,
    dataTierSettings,
    failoverSettings,
    hostedZoneLookup,
    keysSettings,
    monitoringSettings,
    networkSettings,
    pushedRepositoryArns,
    registrySettings,
    rolloutLockSettings,
    serviceSettings,
    trafficSettings,
    workloadBoundarySettings,
} from "../../components/from-config";
import { fieldsOf } from "./args-fields";
import { flattenConfig, stackConfig, STACKS } from "../harness";

const load = (stack: string, change: (c: Record<string, any>) => void = () => {}) => {
    const c = stackConfig(stack);
    change(c);
    return loadStackConfig(flattenConfig(c), `Pulumi.${stack}.yaml`, stack);
};
/** The stack with the optional config a shipped file leaves out: a section passed whole would carry it into Args. */
const withOptionals = (stack: string) => load(stack, (c) => {
    c["tms:access"] = {
        ...c["tms:access"], stateBucketArn: "arn:aws:s3:::tms-state", secretsProviderKeyArn: "arn:aws:kms:us-east-1:111122223333:key/state",
    };
});
const ACCOUNT = "111122223333";
/** An output's value, outside the engine (known values only). */
const valueOf = <T>(o: pulumi.Input<T>) => new Promise<T>((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));

/** Each from-config function, as called for one stack, and the Args interface its result belongs to. */
const SETTINGS: [string, (cfg: StackConfig) => unknown, string][] = [
    ["keysSettings", keysSettings, "KmsKeysArgs"],
    ["workloadBoundarySettings", workloadBoundarySettings, "WorkloadBoundaryArgs"],
    ["networkSettings", networkSettings, "NetworkArgs"],
    ["dataTierSettings", dataTierSettings, "DataTierArgs"],
    ["registrySettings", registrySettings, "ContainerRegistryArgs"],
    ["clusterSettings", clusterSettings, "EcsClusterArgs"],
    ["trafficSettings", trafficSettings, "PublicTrafficArgs"],
    ["cdnSettings", cdnSettings, "ContentDeliveryArgs"],
    ["failoverSettings", (cfg) => failoverSettings(cfg, ACCOUNT), "RegionalFailoverArgs"],
    ["monitoringSettings", monitoringSettings, "MonitoringArgs"],
    ["rolloutLockSettings", rolloutLockSettings, "RolloutLockTableArgs"],
    ["accessSettings", accessSettings, "AccessRolesArgs"],
    ["serviceSettings", (cfg) => serviceSettings(cfg, cfg.services[0]), "ApplicationServiceArgs"],
];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** The keys of `value` its Args type has no field for, at any depth the type names (`iface` as args-fields.ts lists it). */
function unknownFields(value: unknown, iface: string, at: string): string[] {
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, iface, `${at}[${i}]`));
    if (!isPlainObject(value)) return [];
    const fields = fieldsOf(iface);
    return Object.keys(value).flatMap((key) => {
        const field = fields.find((f) => f.field === key);
        if (!field) return [`${at}.${key} (${iface} has no such field)`];
        return field.nested ? unknownFields(value[key], field.nested, `${at}.${key}`) : [];
    });
}

describe("from-config: stack config → component Args (plain data)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            const cfg = load(stack);

            it("passes only fields the components' Args have, at every level (no ignored input)", () => {
                for (const c of [cfg, withOptionals(stack)]) {
                    for (const [fn, settings, iface] of SETTINGS) {
                        assert.ok(fieldsOf(iface).length > 0, `${iface} is read`);
                        assert.deepEqual(unknownFields(settings(c), iface, fn), []);
                    }
                }
            });

            it("passes the database, cache and storage only fields their components take (no ignored input)", () => {
                const d = dataTierSettings(cfg);
                const accepted = (iface: string) => new Set(fieldsOf(iface).map((f) => f.field));
                for (const [part, iface] of [["database", "DocumentDbClusterArgs"], ["cache", "RedisReplicationGroupArgs"], ["storage", "StorageBucketsArgs"]] as const) {
                    const extra = Object.keys(d[part]).filter((k) => !accepted(iface).has(k));
                    assert.deepEqual(extra, [], `${part}: fields ${iface} does not have`);
                }
                assert.equal(d.credentialGeneration, cfg.database.credentialGeneration);
                assert.ok(!("credentialGeneration" in d.database), "the cluster does not take the users' generation");
            });

            it("maps the data tier's names, protection and retention from the config", () => {
                const d = dataTierSettings(cfg);
                assert.equal(d.environment, cfg.environment);
                assert.deepEqual(d.services, cfg.services.map((s) => s.name));
                assert.equal(d.protect, cfg.protectStatefulResources);
                assert.equal(d.logRetentionDays, cfg.monitoring.logRetentionDays);
                assert.equal(d.deferStorageLogPolicy, cfg.cdn.enabled);
                assert.equal(d.cache.nodes, cfg.cache.nodes);
                assert.equal(d.database.instances, cfg.database.instances);
            });

            it("gives the ALB the public services, the CDN's alias rule and the origin name's certificate", () => {
                const t = trafficSettings(cfg);
                assert.deepEqual(t.services.map((s) => s.name), cfg.services.filter((s) => s.public).map((s) => s.name));
                assert.equal(t.createAlias, !cfg.cdn.enabled);
                assert.deepEqual(t.alternativeNames, cfg.domain.originName ? [cfg.domain.originName] : []);
                assert.equal(t.validatedElsewhere.length > 0, stack === "dr");
                assert.equal(t.loadBalancerName, cfg.domain.albName ?? cfg.domain.hostName);
            });

            it("lets the services of dev and staging only be exec'd into, and smoke-tests from the VPC unless rolling", () => {
                for (const svc of cfg.services) {
                    assert.equal(serviceSettings(cfg, svc).enableExecuteCommand, stack === "dev" || stack === "staging");
                }
                assert.equal(networkSettings(cfg).smokeTestsFromVpc, cfg.deployment.strategy !== "rolling");
            });
        });
    }

    describe("the shipped stack files' values", () => {
        const dev = load("dev");
        const prod = load("prod");
        const dr = load("dr");

        it("keys and the workload boundary: protected in prod; dr's account-global names suffixed", () => {
            assert.deepEqual(keysSettings(dev), { environment: "dev", region: "us-east-1", protect: false });
            assert.deepEqual(keysSettings(prod), { environment: "prod", region: "us-east-1", protect: true });
            assert.deepEqual(workloadBoundarySettings(prod), { nameSuffix: "" });
            assert.deepEqual(workloadBoundarySettings(dr), { nameSuffix: "-dr" });
        });

        it("looks the zone up by its public name (dev's own subdomain zone, prod's apex)", () => {
            assert.deepEqual(hostedZoneLookup(dev), { name: "dev.taskmanagement.example.com", privateZone: false });
            assert.deepEqual(hostedZoneLookup(prod), { name: "taskmanagement.example.com", privateZone: false });
        });

        it("builds the CDN in prod only, on the origin name, with prod's WAF limit, price class and retention", () => {
            assert.equal(cdnSettings(dev), undefined);
            assert.equal(cdnSettings(dr), undefined);
            assert.deepEqual(cdnSettings(prod), {
                environment: "prod",
                region: "us-east-1",
                hostName: "taskmanagement.example.com",
                hostNameValidatedElsewhere: true,
                originName: "origin.taskmanagement.example.com",
                rateLimitPer5Minutes: 2000,
                priceClass: "PriceClass_100",
                logRetentionDays: 90,
                protect: true,
            });
        });

        it("puts prod's failover record behind the fence in us-west-2 and dr's behind the gate; none in dev", async () => {
            assert.equal(failoverSettings(dev, ACCOUNT), undefined);
            const { alertTopicArn: prodTopic, ...primary } = failoverSettings(prod, ACCOUNT)!;
            assert.deepEqual(primary, {
                role: "PRIMARY",
                region: "us-east-1",
                name: "origin.taskmanagement.example.com",
                healthCheckPath: "/health",
                drSwitch: {
                    alarmName: "tms-dr-prod-primary-fence", metricName: "PrimaryFenced", dimensions: { Environment: "prod" }, region: "us-west-2",
                },
            });
            const { alertTopicArn: drTopic, ...secondary } = failoverSettings(dr, ACCOUNT)!;
            assert.deepEqual(secondary, {
                role: "SECONDARY",
                region: "us-west-2",
                name: "origin.taskmanagement.example.com",
                healthCheckPath: "/health",
                drSwitch: { alarmName: "tms-dr-dr-gate", metricName: "DrOpen", dimensions: { Environment: "dr" }, region: "us-west-2" },
            });
            // Both switches page dr's critical topic, in the dr region.
            for (const topic of [prodTopic, drTopic]) {
                assert.equal(await valueOf(topic), "arn:aws:sns:us-west-2:111122223333:tms-dr-critical-alerts");
            }
        });

        it("gives the alarms the guide's thresholds and sizes the data tier's alarms from each stack's database and cache", () => {
            const thresholds = {
                cpuPercent: 80, memoryPercent: 80, successRatePercent: 99.5, errorRatePercent: 1, p95LatencyMs: 1000, databaseConnectionsPercent: 80,
            };
            assert.deepEqual(monitoringSettings(dev), {
                environment: "dev", region: "us-east-1", thresholds, database: { instanceClass: "db.t3.medium" }, cache: { nodes: 3 },
            });
            assert.deepEqual(monitoringSettings(prod), {
                environment: "prod", region: "us-east-1", thresholds, database: { instanceClass: "db.r5.large" }, cache: { nodes: 5 },
            });
        });

        it("lets CI push to (and watches the findings of) prod's and dev's repositories, none in dr", () => {
            const arns = { "api-gateway": "arn:api", "task-service": "arn:task" };
            assert.deepEqual(pushedRepositoryArns(dev, arns), ["arn:api", "arn:task"]);
            assert.deepEqual(pushedRepositoryArns(prod, arns), ["arn:api", "arn:task"]);
            assert.deepEqual(pushedRepositoryArns(dr, arns), []);
        });

        it("names the rollout lock after the environment and protects prod's", () => {
            assert.deepEqual(rolloutLockSettings(dev), { tableName: "tms-dev-rollouts", protect: false, tags: { Service: "automation" } });
            assert.deepEqual(rolloutLockSettings(prod), { tableName: "tms-prod-rollouts", protect: true, tags: { Service: "automation" } });
        });

        it("scopes the roles to each stack's GitHub environment, adds the scaling and runbook permissions where they apply", () => {
            const ci = (environment: string, oidcProvider: string, nameSuffix: string) => ({
                githubRepository: "example-org/task-management-system", githubBranch: "main", githubEnvironment: environment, oidcProvider, nameSuffix,
            });
            assert.deepEqual(accessSettings(dev), {
                environment: "dev", region: "us-east-1", access: ci("dev", "create", ""), rolloutTableName: "tms-dev-rollouts",
                autoscaling: false, stateBucketArn: undefined, secretsProviderKeyArn: undefined, logRetentionDays: 14, protect: false,
            });
            assert.deepEqual(accessSettings(prod), {
                environment: "prod", region: "us-east-1", access: ci("prod", "create", ""), rolloutTableName: "tms-prod-rollouts",
                autoscaling: true, stateBucketArn: undefined, secretsProviderKeyArn: undefined, logRetentionDays: 90, protect: true,
            });
            assert.deepEqual(accessSettings(dr).access, ci("dr", "existing", "-dr"));
            assert.deepEqual(accessSettings(dr).drRunbook, {
                primaryEnvironment: "prod", environmentName: "production", globalClusterIdentifier: "tms-global-docdb",
                drClusterIdentifier: "tms-dr-docdb", primaryClusterIdentifier: "tms-prod-docdb",
            });
        });

        it("runs each colour's image of the traffic section: dev's one colour, prod's idle green", () => {
            const [devApi] = dev.services;
            assert.deepEqual(colourReleases(dev, devApi), { blue: { image: "latest-dev", running: true } });
            const [prodApi] = prod.services;
            assert.deepEqual(colourReleases(prod, prodApi), {
                blue: { image: "latest-prod", running: true }, green: { image: "latest-prod", running: false },
            });
        });

        it("exports the release, names and recovery objectives of the config: targets only in dev, per store in prod", () => {
            const devOut = configOutputs(dev);
            assert.deepEqual({ ...devOut, release: undefined, rto: undefined, rpo: undefined }, {
                environment: "dev", region: "us-east-1", release: undefined, strategy: "rolling", liveColour: "blue", candidateColour: "blue",
                weight: 0, images: { blue: { "api-gateway": "latest-dev", "task-service": "latest-dev" } }, running: { blue: true },
                hostName: "dev.taskmanagement.example.com",
                hostedZone: { name: "dev.taskmanagement.example.com", delegatedFrom: "taskmanagement.example.com" },
                rto: undefined, rpo: undefined, minimumTasksPerService: 2,
            });
            assert.deepEqual(devOut.rto, { targetMinutes: 60 });
            assert.deepEqual(devOut.rpo, { targetMinutes: 5, worstCaseSeconds: null, meetsTarget: null, stores: {} });
            const prodOut = configOutputs(prod);
            assert.equal(prodOut.strategy, "canary");
            assert.equal(prodOut.candidateColour, "green");
            assert.deepEqual(prodOut.running, { blue: true, green: false });
            assert.equal(prodOut.failoverName, "origin.taskmanagement.example.com");
            assert.deepEqual(prodOut.hostedZone, { name: "taskmanagement.example.com" });
            assert.equal(prodOut.minimumTasksPerService, 6);
            assert.deepEqual([prodOut.rpo.worstCaseSeconds, prodOut.rpo.meetsTarget], [900, false], "S3 RTC's 15 minutes bound the RPO");
            assert.deepEqual(Object.keys(prodOut.rpo.stores), ["documentdb", "applicationBucket", "cache"]);
        });
    });
});
