import { strict as assert } from "assert";
import { KEY_DOMAINS, keyPolicyDocument } from "../../components/keys";
import { aliasesOf } from "../../tools/urn-inventory";
import { json, plan, STACKS } from "../harness";

const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const SCOPE = { region: "us-east-1", accountId: "111122223333", trailArn: "arn:aws:cloudtrail:us-east-1:111122223333:trail/tms-prod-break-glass", alarmArns: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:tms-prod-*" };

describe("KMS key policies name the roles that use the keys", () => {
    for (const stack of STACKS) {
        it(stack, async () => {
            const p = await plan(stack);
            const roles = p.ofType("aws:iam/role:Role").filter((r) => p.byUrn(r.parent!).type === "tms:compute:ServiceRoles");
            const arns = (kind: string) => roles.filter((r) => r.name.endsWith(`-${kind}`)).map((r) => r.outputs.arn).sort();
            const named = (domain: string) => {
                const kp = p.ofType(KEY_POLICY).find((k) => k.name.endsWith(`-${domain}-policy`));
                assert.ok(kp, `${domain} key policy`);
                assert.ok(p.dependsOn(kp, "keyId", p.one("aws:kms/key:Key", `-keys-${domain}`)));
                return json(kp.inputs.policy).Statement.find((s: any) => s.Sid === "NamedRolesUseKey").Principal.AWS;
            };
            // The migration tasks' execution roles read the master credentials and the users' passwords (not in dr).
            const migration = p.ofType("aws:iam/role:Role").filter((r) => p.byUrn(r.parent!).type === "tms:compute:MigrationTasks").map((r) => r.outputs.arn);
            assert.equal(migration.length, stack === "dr" ? 0 : 2);
            assert.deepEqual(named("secrets"), [...arns("execution"), ...arns("task"), ...migration].sort());
            if (stack === "dr") {
                // dr's objects live in prod's replica bucket, under prod's replica key: its own storage key names no role.
                const kp = p.ofType(KEY_POLICY).find((k) => k.name.endsWith("-keys-storage-policy"))!;
                assert.ok(!json(kp.inputs.policy).Statement.some((s: any) => s.Sid === "NamedRolesUseKey"));
            } else {
                assert.deepEqual(named("storage"), arns("task"));
            }
            for (const key of p.ofType("aws:kms/key:Key")) assert.equal(key.inputs.enableKeyRotation, true, key.name);
        });
    }

    // The key resource ignores later changes to the policy it was created with; a KeyPolicy resource
    // owns every key's policy, so a changed statement (CloudTrail's on the logs key) reaches deployed stacks.
    for (const stack of STACKS) {
        it(`${stack}: every key's policy is owned by exactly one KeyPolicy, which keeps the key's service statements`, async () => {
            const p = await plan(stack);
            const keys = p.ofType("aws:kms/key:Key");
            assert.ok(keys.length >= 5);
            for (const key of keys) {
                assert.deepEqual(key.options.ignoreChanges ?? [], ["policy"], `${key.name} leaves its policy to the KeyPolicy`);
                const owners = p.ofType(KEY_POLICY).filter((kp) => p.dependsOn(kp, "keyId", key));
                assert.equal(owners.length, 1, `${key.name}: ${owners.map((o) => o.name)}`);
                const sids = (doc: string) => json(doc).Statement.map((s: any) => s.Sid).filter((sid: string) => sid !== "NamedRolesUseKey");
                assert.deepEqual(sids(owners[0].inputs.policy), sids(key.inputs.policy), key.name);
            }
        });
    }

    // The roles exist only after the keys: a component built last writes the policies from its Args (no
    // method to call in the right order), and its children answer to the URNs they had under KmsKeys.
    it("prod: KmsKeyPolicies, built last, writes every home key's policy; each keeps its former URN as an alias", async () => {
        const p = await plan("prod");
        const aliases = aliasesOf(p.result);
        for (const domain of KEY_DOMAINS) {
            const kp = p.one(KEY_POLICY, `-keys-${domain}-policy`);
            assert.equal(p.byUrn(kp.parent!).type, "tms:security:KmsKeyPolicies", domain);
            const real = [...aliases.keys()].find((u) => u.endsWith(`$aws:kms/keyPolicy:KeyPolicy::tms-keys-${domain}-policy`));
            assert.deepEqual(aliases.get(real!), [`urn:pulumi:prod::tms::tms:index:EnvironmentStack$tms:security:KmsKeys$aws:kms/keyPolicy:KeyPolicy::tms-keys-${domain}-policy`]);
        }
        // The replica region's key names no role: KmsKeys writes its policy with it.
        assert.equal(p.byUrn(p.one(KEY_POLICY, "-keys-storage-us-west-2-policy").parent!).type, "tms:security:KmsKeys");
    });

    it("lets CloudWatch Logs use only the logs key, for this account's log groups", () => {
        const logs = JSON.parse(keyPolicyDocument("logs", SCOPE, []));
        const cw = logs.Statement.find((s: any) => s.Sid === "CloudWatchLogs");
        assert.equal(cw.Principal.Service, "logs.us-east-1.amazonaws.com");
        assert.equal(cw.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"], "arn:aws:logs:us-east-1:111122223333:log-group:*");
        // Alarms and EventBridge publish to the alert topics through this key, each under what AWS sends.
        const alarms = logs.Statement.find((s: any) => s.Sid === "AlarmsPublishToAlertTopics");
        assert.deepEqual(alarms.Condition, { StringEquals: { "aws:SourceAccount": "111122223333" }, ArnLike: { "aws:SourceArn": SCOPE.alarmArns } });
        const rules = logs.Statement.find((s: any) => s.Sid === "EventRulesPublishToAlertTopics");
        assert.deepEqual([rules.Principal.Service, rules.Action, rules.Condition], ["events.amazonaws.com", ["kms:Decrypt", "kms:GenerateDataKey*"], undefined]);
        const secrets = JSON.parse(keyPolicyDocument("secrets", SCOPE, []));
        assert.ok(!secrets.Statement.some((s: any) => s.Sid === "CloudWatchLogs" || s.Sid === "NamedRolesUseKey"));
    });
});
