/**
 * L2: one public zone per account. dev and staging put every name in their own sub-zone (delegated from
 * prod's account), prod and dr in the product's zone; and every name of every certificate is validated
 * by exactly one DNS record in its account, so no two resources own one record (destroying one would
 * delete the record the other's renewal needs).
 */
import { strict as assert } from "assert";
import { mockInvoke } from "../../tools/fake-aws";
import { plan, type Plan } from "../harness";

const RECORD = "aws:route53/record:Record";
const CERTIFICATE = "aws:acm/certificate:Certificate";
const zoneId = (name: string) => mockInvoke("aws:route53/getZone:getZone", { name }, "us-east-1").zoneId as string;

/** Accounts: dev and staging each their own, dr in prod's (DESIGN.md). */
const ACCOUNTS: Record<string, string[]> = { dev: ["dev"], staging: ["staging"], prod: ["prod", "dr"] };

describe("DNS: one zone per account (L2)", () => {
    for (const [stack, zone, parent] of [["dev", "dev.taskmanagement.example.com", "taskmanagement.example.com"], ["staging", "staging.taskmanagement.example.com", "taskmanagement.example.com"]]) {
        it(`${stack}: every record is in its own sub-zone, which it exports with its name servers for the delegation`, async () => {
            const p = await plan(stack);
            const records = p.ofType(RECORD);
            assert.ok(records.length >= 2, `${records.length} records`);
            assert.deepEqual([...new Set(records.map((r) => r.inputs.zoneId))], [zoneId(zone)]);
            assert.ok(records.every((r) => String(r.inputs.name).replace(/\.$/, "").endsWith(zone)), records.map((r) => r.inputs.name).join(", "));
            assert.deepEqual(p.outputs.hostedZone.name, zone);
            assert.equal(p.outputs.hostedZone.delegatedFrom, parent);
            assert.equal(p.outputs.hostedZone.nameServers.length, 4);
            assert.ok(p.ofType("aws:route53/zone:Zone").length === 0, "looked up, never created");
        });
    }

    it("prod and dr: the product's zone, not delegated", async () => {
        for (const stack of ["prod", "dr"]) {
            const p = await plan(stack);
            assert.deepEqual([...new Set(p.ofType(RECORD).map((r) => r.inputs.zoneId))], [zoneId("taskmanagement.example.com")], stack);
            assert.equal(p.outputs.hostedZone.delegatedFrom, undefined);
        }
    });

    for (const [account, stacks] of Object.entries(ACCOUNTS)) {
        it(`${account}'s account: each certificate name is validated by exactly one record, owned by one resource`, async () => {
            const plans: Plan[] = await Promise.all(stacks.map((s) => plan(s)));
            const owners = new Map<string, string[]>();
            for (const p of plans) {
                for (const r of p.ofType(RECORD).filter((x) => x.inputs.type === "CNAME")) {
                    const key = `${r.inputs.zoneId} ${String(r.inputs.name).toLowerCase()}`;
                    owners.set(key, [...(owners.get(key) ?? []), r.urn]);
                    assert.ok(!r.inputs.allowOverwrite, `${r.urn} overwrites a record it may not own`);
                }
            }
            assert.deepEqual([...owners].filter(([, o]) => o.length > 1), [], "records with two owners");
            for (const p of plans) {
                for (const cert of p.ofType(CERTIFICATE)) {
                    for (const option of cert.outputs.domainValidationOptions) {
                        const key = `${zoneId(plans[0].outputs.hostedZone.name)} ${option.resourceRecordName.toLowerCase()}`;
                        assert.equal(owners.get(key)?.length, 1, `${cert.urn}: ${option.domainName} has no validation record in the account`);
                    }
                }
            }
        });
    }
});
