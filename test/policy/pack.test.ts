import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ENVIRONMENTS, environmentOf, exceptionOf, rulesFor, stackFromUrn } from "../../policy/common";
import { enforcementLevelOf, loadPackConfig, policyConfigOf } from "../../tools/policy/pack-config";
import { policies, policyByName, policyInfo, resourcePolicies, stackPolicies } from "../../policy/policies";
import { insideWeeklySlot, overlapsSlotHour } from "../../policy/maintenance";
import { DOC_PATH, isStale, MARKER, renderDocument } from "../../tools/policy-docs";
import { resourceMessages } from "./helpers";

// The analyzer's own proxy: reading an unknown value throws UnknownValueError.
const proxy = require("@pulumi/policy/proxy");

describe("policy pack", () => {
    it("has at least 40 resource policies and the stack policies, with unique names", () => {
        assert.ok(resourcePolicies.length >= 40, `${resourcePolicies.length} resource policies`);
        assert.ok(stackPolicies.length >= 10, `${stackPolicies.length} stack policies`);
        assert.strictEqual(new Set(policies.map(p => p.name)).size, policies.length);
    });

    it("gives every policy a <resource>-<what> name, description, control, severity, remediation and level", () => {
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, p.name);
            assert.ok(p.description.length > 20, p.name);
            assert.match(p.metadata.control, /^(FSBP|CIS) /, p.name);
            assert.ok(["low", "medium", "high", "critical"].includes(p.metadata.severity), p.name);
            assert.strictEqual(p.severity, p.metadata.severity);
            assert.ok(p.metadata.remediation.length > 10 && p.remediationSteps === p.metadata.remediation, p.name);
            assert.ok(["advisory", "mandatory"].includes(p.enforcementLevel!), p.name);
            assert.ok(p.configSchema?.properties.environment, p.name);
        }
        assert.strictEqual(policyInfo.length, policies.length);
    });

    it("loads policies without the @pulumi/policy runtime (no gRPC server)", () => {
        const loaded = Object.keys(require.cache).filter(k => /@pulumi[\\/]policy[\\/](server|policy|index)\.js$/.test(k));
        assert.deepStrictEqual(loaded, []);
    });

    describe("environment", () => {
        it("reads the stack from the URN, config first, unknown stacks as prod", () => {
            assert.strictEqual(stackFromUrn("urn:pulumi:staging::tms::aws:s3/bucket:Bucket::b"), "staging");
            assert.strictEqual(environmentOf({}, "urn:pulumi:dr::tms::t::n"), "dr");
            assert.strictEqual(environmentOf({ environment: "dev" }, "urn:pulumi:prod::tms::t::n"), "dev");
            assert.strictEqual(environmentOf({}, "urn:pulumi:sandbox::tms::t::n"), undefined);
            assert.strictEqual(rulesFor(undefined).minimumTasksPerService, 6);
        });

        it("ALB deletion protection is required unless the stack's config makes a reasoned exception (dev, staging)", () => {
            const lb = { type: "aws:lb/loadBalancer:LoadBalancer", props: {} };
            for (const env of ["dev", "staging"] as const) {
                const config = policyConfigOf(policyByName("alb-deletion-protection")!, loadPackConfig(env));
                assert.deepStrictEqual(resourceMessages("alb-deletion-protection", { ...lb, stack: env }, config), [], env);
            }
            for (const env of ["prod", "dr", "sandbox"]) {
                assert.strictEqual(resourceMessages("alb-deletion-protection", { ...lb, stack: env }).length, 1, env);
            }
        });
    });

    describe("preview unknowns", () => {
        it("treats an unknown key ARN as set and an unknown container JSON as not checkable", () => {
            const props = proxy.unknownCheckingProxy({
                storageEncrypted: true, kmsKeyId: proxy.unknownStringValue, dbClusterParameterGroupName: proxy.unknownStringValue,
            });
            assert.deepStrictEqual(resourceMessages("docdb-encryption-customer-key", { type: "aws:docdb/cluster:Cluster", props }), []);
            assert.deepStrictEqual(resourceMessages("docdb-tls-version", { type: "aws:docdb/cluster:Cluster", props }), []);
            const task = proxy.unknownCheckingProxy({ networkMode: "awsvpc", containerDefinitions: proxy.unknownStringValue });
            assert.deepStrictEqual(resourceMessages("ecs-task-no-privileged", { type: "aws:ecs/taskDefinition:TaskDefinition", props: task }), []);
        });
        it("still reports known violations next to unknown values", () => {
            const props = proxy.unknownCheckingProxy({ storageEncrypted: false, kmsKeyId: proxy.unknownStringValue });
            assert.deepStrictEqual(resourceMessages("docdb-encryption-customer-key", { type: "aws:docdb/cluster:Cluster", props }), ["Storage is not encrypted: set `storageEncrypted: true`."]);
        });
    });

    describe("maintenance slot", () => {
        it("accepts windows inside Tuesday 07:00-08:00 UTC only", () => {
            for (const w of ["tue:07:00-tue:08:00", "tue:07:00-tue:07:30", "TUE:07:15-TUE:07:45"]) assert.ok(insideWeeklySlot(w), w);
            for (const w of ["tue:06:30-tue:07:30", "tue:07:30-tue:08:30", "wed:07:00-wed:08:00", "tue:08:00-tue:07:00", "garbage"]) assert.ok(!insideWeeklySlot(w), w);
        });
        it("detects daily windows overlapping 07:00-08:00, including over midnight", () => {
            for (const w of ["06:30-07:30", "07:59-08:30", "23:00-07:30"]) assert.ok(overlapsSlotHour(w), w);
            for (const w of ["05:00-06:00", "08:00-09:00", "06:00-07:00", "23:00-01:00"]) assert.ok(!overlapsSlotHour(w), w);
        });
    });

    describe("stack config files", () => {
        const envAware = policies.filter(p => p.metadata.environmentAware).map(p => p.name).sort();

        for (const env of ENVIRONMENTS) {
            it(`policy/config/${env}.json names only real policies, and sets environment=${env} on the environment-aware ones`, () => {
                const config = loadPackConfig(env);
                for (const [key, value] of Object.entries(config)) {
                    if (key === "all") continue;
                    assert.ok(policyByName(key), `unknown policy ${key}`);
                    if (typeof value !== "string" && value.enforcementLevel) assert.ok(["advisory", "mandatory", "disabled"].includes(value.enforcementLevel));
                }
                const withEnv = policies.filter(p => policyConfigOf(p, config).environment === env).map(p => p.name).sort();
                assert.deepStrictEqual(withEnv, envAware);
            });
        }

        it("makes every policy mandatory in prod and dr, and keeps code levels in dev", () => {
            for (const env of ["prod", "dr"] as const) {
                const config = loadPackConfig(env);
                assert.deepStrictEqual(policies.filter(p => enforcementLevelOf(p, config) !== "mandatory").map(p => p.name), []);
            }
            const dev = loadPackConfig("dev");
            assert.deepStrictEqual(policies.filter(p => enforcementLevelOf(p, dev) !== p.enforcementLevel).map(p => p.name), []);
        });

        it("relaxes a control only with a reason, only where the policy allows exceptions, never in prod or dr", () => {
            for (const env of ENVIRONMENTS) {
                const config = loadPackConfig(env);
                for (const p of policies) {
                    const c = policyConfigOf(p, config);
                    const relaxes = c.required === false || (typeof c.minimumDays === "number" && p.name === "docdb-backup-retention" && c.minimumDays < 7);
                    if (!relaxes) continue;
                    assert.ok(p.metadata.exceptions, `${env}: ${p.name} takes no exception`);
                    assert.ok((c.exceptionReason ?? "").trim().length > 20, `${env}: ${p.name} exception without a reason`);
                    assert.ok(env === "dev" || env === "staging", `${env} relaxes ${p.name}`);
                }
            }
            assert.equal(policyConfigOf(policyByName("docdb-backup-retention")!, loadPackConfig("prod")).minimumDays, 30);
            assert.equal(policyConfigOf(policyByName("docdb-backup-retention")!, loadPackConfig("dr")).minimumDays, 30);
        });

        it("applies an exception only with a reason (exceptionOf)", () => {
            const reports: string[] = [];
            const report = (m: string) => { reports.push(m); };
            assert.deepStrictEqual(exceptionOf({}, 7, report), { required: true, minimumDays: 7 });
            assert.deepStrictEqual(exceptionOf({ minimumDays: 30 }, 7, report), { required: true, minimumDays: 30 });
            assert.deepStrictEqual(exceptionOf({ minimumDays: 3, exceptionReason: " why " }, 7, report), { required: true, minimumDays: 3, reason: "why" });
            assert.deepStrictEqual(exceptionOf({ required: false, exceptionReason: "why" }, undefined, report), { required: false, minimumDays: undefined, reason: "why" });
            assert.deepStrictEqual(reports, []);
            assert.deepStrictEqual(exceptionOf({ required: false }, undefined, report), { required: true, minimumDays: undefined });
            assert.deepStrictEqual(exceptionOf({ minimumDays: 6, exceptionReason: "" }, 7, report), { required: true, minimumDays: 7 });
            assert.deepStrictEqual(exceptionOf({ minimumDays: 7 }, 7, report), { required: true, minimumDays: 7 });
            assert.deepStrictEqual(reports, [
                "The policy config relaxes this control (required: false) without an `exceptionReason`: give the reason or remove the exception.",
                "The policy config relaxes this control (minimumDays: 6) without an `exceptionReason`: give the reason or remove the exception.",
            ]);
        });

        it("resolves levels like the CLI: per-policy over all over code", () => {
            const p = policyByName("security-group-descriptions")!;
            assert.strictEqual(enforcementLevelOf(p, {}), "advisory");
            assert.strictEqual(enforcementLevelOf(p, { all: "mandatory" }), "mandatory");
            assert.strictEqual(enforcementLevelOf(p, { all: "mandatory", [p.name]: "disabled" }), "disabled");
            assert.strictEqual(enforcementLevelOf(p, { all: "disabled", [p.name]: { enforcementLevel: "advisory" } }), "advisory");
        });
    });

    describe("docs/policies.md", () => {
        it("is up to date with policies (run `npm run docs:policies`)", () => {
            const current = fs.readFileSync(DOC_PATH, "utf8");
            assert.ok(current.includes(MARKER), "the generated-table marker is missing");
            assert.ok(!isStale(current), "docs/policies.md is stale: run `npm run docs:policies`");
            for (const p of policies) assert.ok(current.includes(`| \`${p.name}\` |`), p.name);
        });
        it("detects a stale table", () => {
            const current = fs.readFileSync(DOC_PATH, "utf8");
            const edited = current.replace("| `kms-key-rotation` |", "| `kms-key-rotation-old` |");
            assert.ok(isStale(edited));
            assert.strictEqual(renderDocument(edited), current);
        });
        it("PulumiPolicy.yaml sits next to the pack", () => {
            assert.ok(fs.existsSync(path.join(__dirname, "..", "..", "policy", "PulumiPolicy.yaml")));
        });
    });
});
