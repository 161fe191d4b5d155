/**
 * components/from-config.ts as plain data: the config-derived part of each component's Args, for the
 * shipped stack files, without the engine. What the program then registers is the plan tests' and the
 * URN inventory's business.
 */
import { strict as assert } from "assert";
import { loadStackConfig } from "../../config/stack-config";
import { dataTierSettings, networkSettings, serviceSettings, trafficSettings } from "../../components/from-config";
import { argsFields } from "./args-fields";
import { flattenConfig, stackConfig, STACKS } from "../harness";

const load = (stack: string) => loadStackConfig(flattenConfig(stackConfig(stack)), `Pulumi.${stack}.yaml`, stack);
/** The field names of one Args interface (or nested type) of components/. */
const fieldsOf = (iface: string) => argsFields().filter((x) => x.iface === iface).map((x) => x.field);

describe("from-config: stack config → component Args (plain data)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            const cfg = load(stack);

            it("passes the database, cache and storage only fields their components take (no ignored input)", () => {
                const d = dataTierSettings(cfg);
                const accepted = (iface: string) => new Set(fieldsOf(iface));
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
});
