/**
 * L4 against a real judge: the DynamoDB store's conditions, updates and reads run on dynalite (a DynamoDB
 * implementation we did not write) through the real SDK client, so contention, expiry, fencing and
 * compression are decided by DynamoDB semantics, not by a fake that evaluates our own expressions.
 * SDK failures (throttling, access denied, timeouts) are injected with aws-sdk-client-mock.
 */
import { strict as assert } from "assert";
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { DynamoStateStore } from "../../automation/adapters/dynamo-state";
import { isLease, LEASE_SKEW_MARGIN_MS, LeaseLostError, type Lease } from "../../automation/ports";
import type { RolloutState } from "../../automation/state";
import { ensureRolloutTable, startDynalite, type Dynalite } from "../../tools/sandbox/dynalite";

const TABLE = "tms-prod-rollouts";
const MIN = 60_000;

describe("DynamoStateStore on dynalite (lease, fencing and state in DynamoDB)", function () {
    this.timeout(20_000);
    let db: Dynalite;
    let store: DynamoStateStore;
    before(async () => {
        db = await startDynalite();
        await ensureRolloutTable(db.client, TABLE);
    });
    after(() => db.close());
    let n = 0;
    let stack: string;
    beforeEach(() => {
        store = new DynamoStateStore(db.client, TABLE, 5000);
        stack = `prod-${++n}`;
    });

    it("one owner at a time; another takes it only after expiry plus the clock-skew margin; each acquisition gets a higher token", async () => {
        const a = await store.acquire(stack, "ci:1", 0, 5 * MIN);
        assert.ok(isLease(a) && a.token === 1);
        assert.deepEqual(await store.acquire(stack, "ci:2", MIN, 5 * MIN), { heldBy: "ci:1", expiresAtMs: 5 * MIN });
        // A runner whose clock is 6 minutes ahead reads 11 min while the holder's lease runs to 5 min (+15 margin): still held.
        assert.ok(!isLease(await store.acquire(stack, "ci:fast", 11 * MIN, 5 * MIN)));
        const b = await store.acquire(stack, "ci:2", 5 * MIN + LEASE_SKEW_MARGIN_MS + 1, 5 * MIN);
        assert.ok(isLease(b) && b.token === 2, JSON.stringify(b));
        // The first owner lost it: its renewal (the check before every save and up) fails.
        await assert.rejects(store.renew(a as Lease, 21 * MIN, 5 * MIN), LeaseLostError);
        const again = await store.acquire(stack, "ci:2", 22 * MIN, 5 * MIN);
        assert.ok(isLease(again) && again.token === 3, "re-acquiring by the same owner bumps the token too");
        await assert.rejects(store.renew(b as Lease, 22 * MIN, 5 * MIN), LeaseLostError, "an older token of the same owner is fenced off");
        await store.release(again as Lease);
        assert.equal(await store.readLock(stack), null);
    });

    it("a save from a lower fencing token than the last save is refused", async () => {
        const state = { stack, rolloutId: "r1", status: "shifting", updatedAtMs: 5 } as unknown as RolloutState;
        const old = await store.acquire(stack, "ci:1", 0, MIN) as Lease;
        await store.save(state, old);
        const taken = await store.acquire(stack, "ci:2", 2 * MIN + LEASE_SKEW_MARGIN_MS, MIN) as Lease;
        await store.save({ ...state, status: "rolling_back" } as RolloutState, taken);
        await assert.rejects(store.save({ ...state, status: "promoted" } as RolloutState, old), LeaseLostError);
        assert.equal((await store.load(stack))!.status, "rolling_back");
        // Released, the lock keeps its token: the next rollout's token is above the last save's, so it can save.
        await store.release(taken);
        assert.equal(await store.readLock(stack), null);
        const next = await store.acquire(stack, "ci:3", 3 * MIN + LEASE_SKEW_MARGIN_MS, MIN) as Lease;
        assert.ok(next.token > taken.token, `${next.token} > ${taken.token}`);
        await store.save({ ...state, status: "deploying" } as RolloutState, next);
        // A lock item swept by DynamoDB's TTL (or deleted by hand) restarts its counter: the token is raised past the state's fence.
        await db.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: `lock#${stack}` } } }));
        const swept = await store.acquire(stack, "ci:4", 4 * MIN + LEASE_SKEW_MARGIN_MS, MIN) as Lease;
        assert.equal(swept.token, next.token + 1);
        await store.save({ ...state, status: "deploying" } as RolloutState, swept);
        await store.renew(swept, 4 * MIN + LEASE_SKEW_MARGIN_MS, MIN);
    });

    it("rollout:unlock reads the lock expired or not, and deletes it only while it is still the one it read", async () => {
        await store.acquire(stack, "ci:1", 0, MIN);
        const held = (await store.readLock(stack))!;
        assert.deepEqual(held, { heldBy: "ci:1", expiresAtMs: MIN });
        assert.equal(await store.lockHolder(stack, MIN + LEASE_SKEW_MARGIN_MS + 1), null, "expired past the margin");
        assert.deepEqual(await store.lockHolder(stack, 2 * MIN), held, "within the margin it still counts as held");
        assert.equal(await store.breakLock(stack, { ...held, expiresAtMs: 1 }), false, "not the lock it read");
        assert.equal(await store.breakLock(stack, held), true);
        assert.equal(await store.readLock(stack), null);
    });

    it("saves the state compressed in one item and loads it back", async () => {
        const state = { stack, rolloutId: "r1", status: "shifting", updatedAtMs: 5, decisions: Array.from({ length: 2000 }, (_, i) => ({ detail: `record ${i} `.repeat(10) })) } as unknown as RolloutState;
        assert.equal(await store.load(stack), undefined);
        await store.save(state);
        assert.deepEqual(await store.load(stack), state);
    });
});

describe("DynamoStateStore: SDK failures", () => {
    // Created here, not at load time: mockClient patches every DynamoDBClient (dynalite's included).
    let ddb: ReturnType<typeof mockClient>;
    before(() => (ddb = mockClient(DynamoDBClient)));
    after(() => ddb.restore());
    it("throttling, access denied and timeouts fail with the call named", async () => {
        const store = new DynamoStateStore(new DynamoDBClient({ region: "us-east-1" }), TABLE, 200);
        ddb.on(UpdateItemCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
        await assert.rejects(store.acquire("prod", "me", 0, 1000), /DynamoDB UpdateItem \(acquire lock\) failed: ThrottlingException: Rate exceeded$/);
        ddb.on(GetItemCommand).rejects(Object.assign(new Error("not authorized to perform: dynamodb:GetItem"), { name: "AccessDeniedException" }));
        await assert.rejects(store.load("prod"), /DynamoDB GetItem \(load state\) failed: AccessDeniedException: not authorized/);
        ddb.on(UpdateItemCommand).callsFake(() => new Promise(() => undefined));
        await assert.rejects(store.renew({ stack: "prod", owner: "me", expiresAtMs: 0, token: 1 }, 0, 1000), /DynamoDB UpdateItem \(renew lock\) failed: Timeout: no answer within 200 ms/);
    });
});
