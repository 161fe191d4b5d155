/**
 * Per-service DocumentDB users and the migration tasks that create and rotate them: pure rules (L1)
 * and what each stack registers under the mock engine (L2). What the roles may read is judged by
 * the IAM simulator in test/access/simulator.test.ts.
 */
import { strict as assert } from "assert";
import { currentSlot, slotGeneration, userMongodbUri, userName, userProvisioningScript } from "../../components/database-users";
import { DB_USERS_CONTAINER, migrationFamily } from "../../components/migration-task";
import { json, plan, planWith } from "../harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

describe("database users (pure)", () => {
    it("alternates users: each generation renews only the slot it moves to", () => {
        assert.deepEqual([1, 2, 3, 4].map(currentSlot), ["a", "b", "a", "b"]);
        // Generation 1 → 2 renews b only; 2 → 3 renews a only.
        assert.deepEqual([1, 2, 3].map((g) => [slotGeneration(g, "a"), slotGeneration(g, "b")]), [[1, 0], [1, 2], [3, 2]]);
        assert.equal(userName("task-service", "b"), "task_service_b");
    });

    it("connects to the service's own database, authenticating against admin, over TLS", () => {
        assert.equal(userMongodbUri("api_gateway_a", "p@ss/", "h", 27017, "api_gateway"),
            "mongodb://api_gateway_a:p%40ss%2F@h:27017/api_gateway?tls=true&tlsCAFile=/etc/ssl/certs/rds-global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin");
    });

    it("creates or updates each user with readWrite on the service's database only", () => {
        const script = userProvisioningScript();
        assert.match(script, /roles = \[\{'role': 'readWrite', 'db': os\.environ\['DB_NAME'\]\}\]/);
        assert.match(script, /admin\.command\('updateUser' if exists else 'createUser', user, pwd=pwd, roles=roles\)/);
        assert.ok(!/AnyDatabase|root|dbOwner/.test(script));
    });
});

describe("database users and migration tasks (planned)", () => {
    it("prod: a two-container migration task per service and colour; only it reads the master credentials", async () => {
        const p = await plan("prod");
        const master = p.ofType("aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === "production/database/master-credentials")!;
        assert.ok(master, "the master credentials' secret");
        for (const service of ["api-gateway", "task-service"]) {
            for (const colour of ["blue", "green"]) {
                const td = p.ofType(TASK_DEFINITION).find((t) => t.inputs.family === migrationFamily("prod", `${service}-${colour}`))!;
                assert.ok(td, `${service} ${colour} migration task`);
                const [users, migrate] = json(td.inputs.containerDefinitions);
                assert.equal(users.name, DB_USERS_CONTAINER);
                assert.equal(users.essential, false);
                const passwords = p.ofType("aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === `production/${service}/database-users`)!;
                assert.deepEqual(users.secrets.map((x: any) => x.valueFrom).sort(), [master.outputs.arn, passwords.outputs.arn].sort());
                assert.equal(migrate.name, service);
                assert.deepEqual(migrate.dependsOn, [{ containerName: DB_USERS_CONTAINER, condition: "SUCCESS" }]);
                // The migration itself connects as the service's user, not as the master.
                assert.ok(!JSON.stringify(migrate.secrets).includes(master.outputs.arn));
                assert.equal(users.image, migrate.image);
            }
        }
        // The service's own task definitions never name the master credentials.
        for (const td of p.ofType(TASK_DEFINITION).filter((t) => !t.inputs.family.endsWith("-migrate"))) {
            assert.ok(!JSON.stringify(td.inputs.containerDefinitions).includes(master.outputs.arn), td.name);
        }
        assert.deepEqual(p.outputs.migrationTaskFamilies["api-gateway"], { blue: "tms-prod-api-gateway-blue-migrate", green: "tms-prod-api-gateway-green-migrate" });
    });

    it("dr has no users, master secret or migration tasks of its own", async () => {
        const p = await plan("dr");
        assert.equal(p.ofType(TASK_DEFINITION).filter((t) => t.inputs.family.endsWith("-migrate")).length, 0);
        assert.equal(p.outputs.migrationTaskFamilies, undefined);
        assert.equal(p.ofType(PASSWORD).filter((r) => r.name.includes("-users-")).length, 0);
    });

    it("rotating (credentialGeneration 1 → 2) renews only slot b and moves every service's URI to it", async () => {
        const [before, after] = [await plan("staging"), await planWith("staging", (c) => { c["tms:database"].credentialGeneration = 2; })];
        const keepers = (p: typeof before) => Object.fromEntries(p.ofType(PASSWORD).filter((r) => /-users-/.test(r.name)).map((r) => [r.name, r.inputs.keepers.generation]));
        const k1 = keepers(before);
        const k2 = keepers(after);
        for (const name of Object.keys(k1)) {
            if (name.endsWith("-a")) assert.equal(k2[name], k1[name], `${name} keeps its password`);
            else assert.notEqual(k2[name], k1[name], `${name} is renewed`);
        }
        const uri = after.ofType("aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.name.endsWith("api-gateway-mongodb-uri-value"))!.inputs.secretString as string;
        assert.ok(uri.startsWith("mongodb://api_gateway_b:"));
    });
});
