import { strict as assert } from "assert";
import * as path from "path";
import { parameterSpecs, SENSITIVE_NAME } from "../../components/secrets";
import { runProgram, RunResult } from "../../tools/mock-engine";
import { readStackFile, stackFilePath } from "../../cli/stack-file";
import { plan, Plan, planWith, STACKS } from "../harness";
import { GUIDE, key, PASSWORD, pathsOf, underSecret } from "./data-helpers";

const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PARAM = "aws:ssm/parameter:Parameter";
const ENV_NAME = { dev: "development", staging: "staging", prod: "production", dr: "production" } as const;
const SERVICES = ["api-gateway", "task-service"];

describe("data: secrets and parameters", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let p: Plan;
            const env = ENV_NAME[stack];
            before(async () => { p = await plan(stack); });

            it("gives each service its own mongodb-uri and redis-password secrets, encrypted with the secrets key", () => {
                const names = p.ofType(SECRET).map((s) => s.inputs.name).sort();
                // Outside dr the migration tasks also get the master credentials and each service's user passwords.
                const migration = stack === "dr" ? [] : [`${env}/database/master-credentials`, ...SERVICES.map((s) => `${env}/${s}/database-users`)];
                assert.deepEqual(names, [...SERVICES.flatMap((s) => [`${env}/${s}/mongodb-uri`, `${env}/${s}/redis-password`]), ...migration].sort());
                for (const s of p.ofType(SECRET)) {
                    assert.ok(p.dependsOn(s, "kmsKeyId", key(p, "secrets")), s.name);
                    assert.ok(s.inputs.tags.RotationExemption?.length > 20, `${s.name} says why it is not rotated by AWS`);
                    assert.equal(s.inputs.tags.Service, s.inputs.name.split("/")[1]);
                    // 0 in a disposable stack: a secret in its recovery window keeps its name and fails the next up after a destroy.
                    assert.equal(s.inputs.recoveryWindowInDays, GUIDE[stack].protect ? 30 : 0);
                }
            });

            it("stores the connection string and the AUTH token as secret values", () => {
                const cluster = p.one("aws:docdb/cluster:Cluster");
                const token = p.one(PASSWORD, "cache-auth-token").outputs.result;
                for (const s of p.ofType(SECRET)) {
                    const version = p.ofType(VERSION).find((v) => p.dependsOn(v, "secretId", s))!;
                    assert.ok(p.result.secretInputs[version.urn]?.includes("secretString"), `${s.name} value is secret`);
                    const value: string = version.inputs.secretString;
                    const service = s.inputs.name.split("/")[1];
                    if (s.inputs.name.endsWith("/redis-password")) assert.equal(value, token);
                    else if (s.inputs.name.endsWith("/mongodb-uri")) {
                        // Its own user (generation 1 → slot a) on its own database, never the master user.
                        const db = service.replace(/-/g, "_");
                        assert.ok(value.startsWith(`mongodb://${db}_a:`), `${s.inputs.name} names ${db}_a`);
                        assert.ok(value.includes(`@${cluster.outputs.endpoint}:27017/${db}?`));
                        assert.ok(value.endsWith("?tls=true&tlsCAFile=/etc/ssl/certs/rds-global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin"));
                    }
                }
            });

            it("writes the guide's parameters under /<env>/<service>/ with String and StringList types", () => {
                const params = Object.fromEntries(p.ofType(PARAM).map((x) => [x.inputs.name, x.inputs]));
                assert.equal(params[`/${env}/api-gateway/allowed-origins`].type, "StringList");
                assert.equal(params[`/${env}/api-gateway/rate-limits`].type, "String");
                assert.equal(params[`/${env}/task-service/default-pagination`].type, "String");
                assert.equal(params[`/${env}/task-service/default-pagination`].value, "50");
                assert.equal(Object.keys(params).length, 3);
            });

            it("never lets a generated credential appear unencrypted in an input or a stack output", () => {
                // Master password, AUTH token and two user passwords per service; dr generates only the AUTH token
                // (prod's user passwords in dr are checked below); prod also generates the CDN's origin-verify secret.
                const values = p.ofType(PASSWORD).map((r) => r.outputs.result as string);
                assert.equal(values.length, { dev: 6, staging: 6, prod: 7, dr: 1 }[stack]);
                let occurrences = 0;
                for (const value of values) {
                    assert.ok(value.length >= 16);
                    for (const r of p.resources) {
                        if (r.type === PASSWORD) continue;
                        for (const at of pathsOf(r.inputs, value)) {
                            occurrences++;
                            assert.ok(underSecret(at, p.result.secretInputs[r.urn] ?? []), `${r.name}.${at} holds a credential but is not secret`);
                        }
                    }
                    for (const [name, v] of Object.entries(p.outputs)) {
                        if (pathsOf(v, value).length) assert.ok(p.result.secretOutputs.includes(name), `stack output ${name} holds a credential but is not secret`);
                    }
                }
                assert.ok(occurrences > 0, "the check saw the credentials in use");
            });
        });
    }

    it("dr's connection strings carry prod's current service-user passwords (users replicate), as secrets only, and never the master's", async () => {
        const [prod, dr] = await Promise.all([plan("prod"), plan("dr")]);
        const master = prod.one(PASSWORD, "database-master-password").outputs.result as string;
        for (const service of SERVICES) {
            const password = prod.one(PASSWORD, `users-${service}-a`).outputs.result as string;
            let seen = 0;
            for (const r of dr.resources) {
                for (const at of pathsOf(r.inputs, password)) {
                    seen++;
                    assert.ok(underSecret(at, dr.result.secretInputs[r.urn] ?? []), `${r.name}.${at}`);
                }
            }
            assert.equal(seen, 1, `${service}: one MONGODB_URI`);
            for (const v of Object.values(dr.outputs)) assert.equal(pathsOf(v, password).length, 0);
        }
        assert.ok(dr.resources.every((r) => pathsOf(r.inputs, master).length === 0), "dr never holds the master password");
    });

    it("stores sensitive-looking parameters as SecureString with the secrets key, value secret", async () => {
        const p = await planWith("dev", (c) => { c["tms:parameters"]["task-service"]["webhook-token"] = "abc"; });
        const param = p.ofType(PARAM).find((x) => x.inputs.name === "/development/task-service/webhook-token")!;
        assert.equal(param.inputs.type, "SecureString");
        assert.ok(p.dependsOn(param, "keyId", key(p, "secrets")));
        assert.ok(p.result.secretInputs[param.urn]?.includes("value"));
        for (const other of p.ofType(PARAM).filter((x) => x !== param)) assert.equal(other.inputs.keyId, undefined);
    });

    describe("parameter specs", () => {
        it("types values: lists become StringList, sensitive names SecureString", () => {
            assert.deepEqual(parameterSpecs("production", "api-gateway", { "allowed-origins": ["https://a", "https://b"], "rate-limits": "1000/minute", "api-key": "k" }), [
                { name: "/production/api-gateway/allowed-origins", type: "StringList", value: "https://a,https://b" },
                { name: "/production/api-gateway/rate-limits", type: "String", value: "1000/minute" },
                { name: "/production/api-gateway/api-key", type: "SecureString", value: "k" },
            ]);
            for (const n of ["db-password", "client-secret", "auth-token", "signing-key", "credentials"]) assert.ok(SENSITIVE_NAME.test(n), n);
            assert.ok(!SENSITIVE_NAME.test("default-pagination"));
        });

        it("refuses StringList items that contain commas", () => {
            assert.throws(() => parameterSpecs("production", "api-gateway", { origins: ["a,b"] }), /cannot contain commas/);
        });
    });

    describe("forService: the contract the compute tier consumes", () => {
        const program = path.join(__dirname, "..", "programs", "data-access.ts");
        const run = (stack: string): Promise<RunResult> => {
            const file = readStackFile(stackFilePath(stack));
            return runProgram({ stack, config: file.config, secretKeys: file.secretKeys, program });
        };
        let prod: RunResult, dr: RunResult, plain: Plan;
        before(async () => { [prod, dr, plain] = await Promise.all([run("prod"), run("dr"), plan("prod")]); });

        it("returns each service's own secrets, settings, parameter path and bucket prefix", () => {
            for (const svc of SERVICES) {
                const a = prod.outputs.access[svc];
                assert.deepEqual(a.secrets.map((s: any) => s.name), ["MONGODB_URI", "REDIS_PASSWORD"]);
                assert.equal(a.secrets[0].valueFrom, plain.outputs.secretArns[svc].MONGODB_URI);
                assert.equal(a.secrets[1].valueFrom, plain.outputs.secretArns[svc].REDIS_PASSWORD);
                for (const s of a.secrets) assert.match(s.valueFrom, new RegExp(`:secret:production/${svc}/`));
                assert.equal(a.parameterPathArn, `arn:aws:ssm:us-east-1:111122223333:parameter/production/${svc}/*`);
                assert.equal(a.bucketPrefix, `${svc}/`);
                assert.equal(a.bucketName, plain.outputs.bucketName);
                assert.equal(a.bucketArn, plain.outputs.bucketArn);
                assert.deepEqual(a.environment, {
                    REDIS_HOST: plain.outputs.cacheEndpoint,
                    REDIS_PORT: "6379",
                    REDIS_TLS: "true",
                    S3_BUCKET: plain.outputs.bucketName,
                    S3_PREFIX: `${svc}/`,
                    PARAMETER_PATH: `/production/${svc}/`,
                });
            }
        });

        it("puts no secret in the environment", () => {
            const credentials = prod.resources.filter((r) => r.type === PASSWORD).map((r) => r.outputs.result as string);
            for (const svc of SERVICES) for (const c of credentials) assert.equal(pathsOf(prod.outputs.access[svc].environment, c).length, 0);
        });

        it("points dr's services at prod's replica bucket and dr's own secrets", () => {
            const a = dr.outputs.access["api-gateway"];
            assert.equal(a.bucketName, plain.outputs.replicaBucketName);
            assert.match(a.secrets[0].valueFrom, /^arn:aws:secretsmanager:us-west-2:.*:secret:production\/api-gateway\/mongodb-uri/);
            assert.match(a.parameterPathArn, /^arn:aws:ssm:us-west-2:/);
        });

        it("refuses an unknown service", () => {
            assert.match(prod.outputs.unknownService, /"no-such-service" is not a service of this stack \(api-gateway, task-service\)/);
        });
    });
});
