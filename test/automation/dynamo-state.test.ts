import { strict as assert } from "assert";
import {
    ConditionalCheckFailedException,
    DeleteItemCommand,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoStateStore } from "../../automation/adapters/dynamo-state";
import { isLease, LeaseLostError, type Lease } from "../../automation/ports";
import type { RolloutState } from "../../automation/state";

const ddb = mockClient(DynamoDBClient);
const conditionFailed = () => new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });

/**
 * A table that evaluates the store's three condition expressions, so that contention and expiry
 * are decided by the conditions the store sends, not by the test.
 */
function fakeTable() {
    const items = new Map<string, Record<string, any>>();
    const v = (vals: any, k: string) => vals[k].N !== undefined ? Number(vals[k].N) : vals[k].S;
    ddb.on(PutItemCommand).callsFake((input) => {
        const pk = input.Item.pk.S;
        const cur = items.get(pk);
        if (input.ConditionExpression) {
            assert.equal(input.ConditionExpression, "attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner");
            const vals = input.ExpressionAttributeValues;
            const ok = !cur || Number(cur.expiresAt.N) < v(vals, ":now") || cur.owner.S === v(vals, ":owner");
            if (!ok) throw conditionFailed();
        }
        items.set(pk, input.Item);
        return {};
    });
    ddb.on(UpdateItemCommand).callsFake((input) => {
        const cur = items.get(input.Key.pk.S);
        if (!cur || cur.owner.S !== input.ExpressionAttributeValues[":owner"].S) throw conditionFailed();
        cur.expiresAt = input.ExpressionAttributeValues[":exp"];
        cur.ttl = input.ExpressionAttributeValues[":ttl"];
        return {};
    });
    ddb.on(DeleteItemCommand).callsFake((input) => {
        const cur = items.get(input.Key.pk.S);
        const vals = input.ExpressionAttributeValues;
        if (!cur || cur.owner.S !== vals[":owner"].S) throw conditionFailed();
        // breakLock's condition also names the expiry it read.
        if (input.ConditionExpression.includes("expiresAt = :exp") && cur.expiresAt.N !== vals[":exp"].N) throw conditionFailed();
        items.delete(input.Key.pk.S);
        return {};
    });
    ddb.on(GetItemCommand).callsFake((input) => {
        assert.equal(input.ConsistentRead, true);
        return { Item: items.get(input.Key.pk.S) };
    });
    return items;
}

describe("DynamoStateStore (lease and state in DynamoDB)", () => {
    let store: DynamoStateStore;
    beforeEach(() => {
        ddb.reset();
        store = new DynamoStateStore(new DynamoDBClient({ region: "us-east-1" }), "tms-prod-rollouts", 200);
    });

    it("one owner at a time; the lock is free again after expiry; renew and release check the owner", async () => {
        const items = fakeTable();
        const a = await store.acquire("prod", "ci:1", 1_000, 60_000);
        assert.ok(isLease(a));
        const item = items.get("lock#prod")!;
        assert.deepEqual(item.owner, { S: "ci:1" });
        assert.deepEqual(item.expiresAt, { N: "61000" });
        assert.deepEqual(item.ttl, { N: String(61 + 86400) });

        const b = await store.acquire("prod", "ci:2", 30_000, 60_000);
        assert.deepEqual(b, { heldBy: "ci:1", expiresAtMs: 61_000 });
        assert.deepEqual(await store.lockHolder("prod", 30_000), { heldBy: "ci:1", expiresAtMs: 61_000 });
        assert.ok(isLease(await store.acquire("prod", "ci:1", 30_000, 60_000)), "re-entrant for the same owner");

        const later = await store.acquire("prod", "ci:2", 91_000, 60_000);
        assert.ok(isLease(later), "expired lease is taken over");
        assert.equal(await store.lockHolder("staging", 0), null);

        await assert.rejects(store.renew(a as Lease, 92_000, 60_000), (e: unknown) => e instanceof LeaseLostError && /now held by ci:2/.test(e.message));
        await store.release(a as Lease); // not ours any more: must not delete ci:2's lease
        assert.equal(items.get("lock#prod")!.owner.S, "ci:2");
        const renewed = await store.renew(later as Lease, 100_000, 60_000);
        assert.equal(renewed.expiresAtMs, 160_000);
        await store.release(renewed);
        assert.equal(items.has("lock#prod"), false);
    });

    it("renew and release send the owner condition", async () => {
        fakeTable();
        const a = (await store.acquire("prod", "me", 0, 1000)) as Lease;
        await store.renew(a, 10, 1000);
        await store.release(a);
        const upd = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
        assert.equal(upd.ConditionExpression, "#owner = :owner");
        assert.deepEqual(upd.ExpressionAttributeNames, { "#owner": "owner", "#ttl": "ttl" });
        const del = ddb.commandCalls(DeleteItemCommand)[0].args[0].input;
        assert.equal(del.ConditionExpression, "#owner = :owner");
        assert.deepEqual(del.ExpressionAttributeValues, { ":owner": { S: "me" } });
    });

    it("rollout:unlock reads the lock expired or not, and deletes it only while it is still the one it read", async () => {
        const items = fakeTable();
        await store.acquire("prod", "ci:dead", 0, 60_000);
        const held = await store.readLock("prod");
        assert.deepEqual(held, { heldBy: "ci:dead", expiresAtMs: 60_000 });
        assert.equal(await store.lockHolder("prod", 90_000), null, "expired for preflight");
        assert.deepEqual(await store.readLock("prod"), held, "but still there for unlock");
        // The runner was alive after all and renewed: the stale read must not delete its lease.
        await store.renew({ stack: "prod", owner: "ci:dead", expiresAtMs: 60_000 }, 50_000, 60_000);
        assert.equal(await store.breakLock("prod", held!), false);
        assert.equal(items.get("lock#prod")!.expiresAt.N, "110000");
        assert.equal(await store.breakLock("prod", (await store.readLock("prod"))!), true);
        assert.equal(items.has("lock#prod"), false);
        const del = ddb.commandCalls(DeleteItemCommand).at(-1)!.args[0].input;
        assert.equal(del.ConditionExpression, "#owner = :owner AND expiresAt = :exp");
        assert.deepEqual(del.ExpressionAttributeValues, { ":owner": { S: "ci:dead" }, ":exp": { N: "110000" } });
    });

    it("saves the state compressed in one item and loads it back", async () => {
        fakeTable();
        const state = { stack: "prod", rolloutId: "r1", status: "shifting", updatedAtMs: 5, decisions: Array.from({ length: 2000 }, (_, i) => ({ detail: `record ${i} `.repeat(10) })) } as unknown as RolloutState;
        assert.equal(await store.load("prod"), undefined);
        await store.save(state);
        const put = ddb.commandCalls(PutItemCommand)[0].args[0].input;
        assert.deepEqual(put.Item!.pk, { S: "state#prod" });
        assert.deepEqual(put.Item!.status, { S: "shifting" });
        assert.ok(put.Item!.state.B!.length < 400_000, `item is ${put.Item!.state.B!.length} bytes`);
        assert.deepEqual(await store.load("prod"), state);
    });

    it("throttling, access denied and timeouts fail with the call named", async () => {
        ddb.on(PutItemCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
        await assert.rejects(store.acquire("prod", "me", 0, 1000), /: DynamoDB PutItem \(acquire lock\) failed: ThrottlingException: Rate exceeded$/);
        ddb.on(GetItemCommand).rejects(Object.assign(new Error("not authorized to perform: dynamodb:GetItem"), { name: "AccessDeniedException" }));
        await assert.rejects(store.load("prod"), /DynamoDB GetItem \(load state\) failed: AccessDeniedException: not authorized/);
        ddb.on(UpdateItemCommand).callsFake(() => new Promise(() => undefined));
        await assert.rejects(store.renew({ stack: "prod", owner: "me", expiresAtMs: 0 }, 0, 1000), /DynamoDB UpdateItem \(renew lock\) failed: Timeout: no answer within 200 ms/);
    });
});
