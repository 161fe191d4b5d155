/**
 * The engine's {@link StateStore} in DynamoDB (table from `components/rollout-lock.ts`).
 *
 * Items, keyed by `pk` (string):
 * - `lock#<stack>`: the lease: `owner`, `expiresAt` (ms), `token` (the fencing token, +1 per
 *   acquisition) and `ttl` (epoch seconds, a day after expiry) so DynamoDB's TTL sweeps abandoned
 *   leases. Taken with a conditional update (`attribute_not_exists(pk) OR expiresAt < :now − margin OR
 *   owner = :owner`, the margin covering clock skew between runners): only one writer wins a race.
 *   Renewals are conditional on owner and token.
 * - `state#<stack>`: the rollout state (with its deployment record so far) as gzip-compressed JSON
 *   (`state`, binary), and `fence`, the token of its writer: a save from a lower token is refused.
 *   Compressed because a long rollout keeps up to 2000 analysis records and an item is capped at 400 KB.
 *
 * Every read is strongly consistent: a lease decision must not rest on a stale replica.
 */
import {
    ConditionalCheckFailedException,
    DynamoDBClient,
    GetItemCommand,
    PutItemCommand,
    UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { gunzipSync, gzipSync } from "zlib";
import { LEASE_SKEW_MARGIN_MS, leaseExpired, LeaseLostError, type Lease, type LeaseHeld, type StateStore } from "../ports";
import type { RolloutState } from "../state";
import { awsCall, errorName } from "./aws-call";

/** A look at the lock for preflight, dry runs and `rollout:status` (which must not take it), and `rollout:unlock`. */
export interface LockInspector {
    /** The unexpired lease on `stack`, if any. */
    lockHolder(stack: string, nowMs: number): Promise<LeaseHeld | null>;
    /** The lock as stored, expired or not (an expired lease stays until someone takes it or DynamoDB's TTL sweeps it). */
    readLock(stack: string): Promise<LeaseHeld | null>;
    /**
     * Delete the lock only if it is still exactly `held` (same owner, same expiry), for
     * `rollout:unlock`: a runner that renewed its lease, or a new owner, keeps it. False when it changed.
     */
    breakLock(stack: string, held: LeaseHeld): Promise<boolean>;
}

const TTL_GRACE_SECONDS = 24 * 3600;
/** The owner of a lock item that is free (released or broken; kept for its fencing token). */
const FREE = "-";
const lockKey = (stack: string) => ({ pk: { S: `lock#${stack}` } });
const stateKey = (stack: string) => ({ pk: { S: `state#${stack}` } });
const isConditionFailure = (e: unknown) =>
    e instanceof ConditionalCheckFailedException || errorName(e) === "ConditionalCheckFailedException";

export class DynamoStateStore implements StateStore, LockInspector {
    constructor(
        private readonly client: DynamoDBClient,
        private readonly tableName: string,
        private readonly callTimeoutMs?: number,
        /** How long past its expiry a lease stays held for others (ports.ts); only the offline sandbox's chaos suite shortens it. */
        private readonly skewMarginMs = LEASE_SKEW_MARGIN_MS,
    ) {}

    async acquire(stack: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease | LeaseHeld> {
        const expiresAtMs = nowMs + ttlMs;
        try {
            // One conditional UpdateItem takes the lock and bumps its fencing token; only one writer wins a race.
            // Expired means expired by more than the clock-skew margin on this caller's clock (ports.ts).
            const out = await awsCall("DynamoDB UpdateItem (acquire lock)", (o) => this.client.send(new UpdateItemCommand({
                TableName: this.tableName,
                Key: lockKey(stack),
                UpdateExpression: "SET #owner = :owner, expiresAt = :exp, #ttl = :ttl ADD #token :one",
                ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :expiredBefore OR #owner = :owner",
                ExpressionAttributeNames: { "#owner": "owner", "#ttl": "ttl", "#token": "token" },
                ExpressionAttributeValues: {
                    ":owner": { S: owner },
                    ":exp": { N: String(expiresAtMs) },
                    ":ttl": { N: String(Math.ceil(expiresAtMs / 1000) + TTL_GRACE_SECONDS) },
                    ":one": { N: "1" },
                    ":expiredBefore": { N: String(nowMs - this.skewMarginMs) },
                },
                ReturnValues: "ALL_NEW",
            }), o), { pass: isConditionFailure, timeoutMs: this.callTimeoutMs });
            let token = Number(out.Attributes?.token?.N ?? 1);
            // The token must pass the last state save's: a lock item swept by DynamoDB's TTL (a day after an
            // abandoned lease expired) or deleted by hand restarts at 1, so it is raised past the state's fence.
            const fence = await this.stateFence(stack);
            if (token <= fence) {
                await awsCall(
                    "DynamoDB UpdateItem (raise fencing token)",
                    (o) =>
                        this.client.send(
                            new UpdateItemCommand({
                                TableName: this.tableName,
                                Key: lockKey(stack),
                                UpdateExpression: "SET #token = :next",
                                ConditionExpression: "#owner = :owner AND #token = :token",
                                ExpressionAttributeNames: { "#owner": "owner", "#token": "token" },
                                ExpressionAttributeValues: {
                                    ":owner": { S: owner },
                                    ":token": { N: String(token) },
                                    ":next": { N: String(fence + 1) },
                                },
                            }),
                            o,
                        ),
                    { timeoutMs: this.callTimeoutMs },
                );
                token = fence + 1;
            }
            return { stack, owner, expiresAtMs, token };
        } catch (e) {
            if (!isConditionFailure(e)) throw e;
            const held = await this.readLock(stack);
            // Released between our write and our read: report it as held briefly rather than retry here.
            return held ?? { heldBy: "unknown (released during the attempt)", expiresAtMs: nowMs };
        }
    }

    /** Extend the lease; a fencing check too: it succeeds only while the lock is ours with our token. */
    async renew(lease: Lease, nowMs: number, ttlMs: number): Promise<Lease> {
        const expiresAtMs = nowMs + ttlMs;
        try {
            await awsCall("DynamoDB UpdateItem (renew lock)", (o) => this.client.send(new UpdateItemCommand({
                TableName: this.tableName,
                Key: lockKey(lease.stack),
                UpdateExpression: "SET expiresAt = :exp, #ttl = :ttl",
                ConditionExpression: "#owner = :owner AND #token = :token",
                ExpressionAttributeNames: { "#owner": "owner", "#ttl": "ttl", "#token": "token" },
                ExpressionAttributeValues: {
                    ":exp": { N: String(expiresAtMs) },
                    ":ttl": { N: String(Math.ceil(expiresAtMs / 1000) + TTL_GRACE_SECONDS) },
                    ":owner": { S: lease.owner },
                    ":token": { N: String(lease.token) },
                },
            }), o), { pass: isConditionFailure, timeoutMs: this.callTimeoutMs });
        } catch (e) {
            if (!isConditionFailure(e)) throw e;
            const held = await this.readLock(lease.stack);
            throw new LeaseLostError(lease.stack, lease.owner, held?.heldBy ?? null);
        }
        return { ...lease, expiresAtMs };
    }

    /**
     * Give the lock up. The item stays, marked free (no owner, expired), so that its fencing token keeps
     * growing: a deleted item would restart at 1, below the token of the last state save.
     */
    async release(lease: Lease): Promise<void> {
        try {
            await awsCall(
                "DynamoDB UpdateItem (release lock)",
                (o) =>
                    this.client.send(
                        new UpdateItemCommand({
                            TableName: this.tableName,
                            Key: lockKey(lease.stack),
                            UpdateExpression: "SET #owner = :free, expiresAt = :zero",
                            ConditionExpression: "#owner = :owner AND #token = :token",
                            ExpressionAttributeNames: { "#owner": "owner", "#token": "token" },
                            ExpressionAttributeValues: {
                                ":owner": { S: lease.owner },
                                ":token": { N: String(lease.token) },
                                ":free": { S: FREE },
                                ":zero": { N: "0" },
                            },
                        }),
                        o,
                    ),
                { pass: isConditionFailure, timeoutMs: this.callTimeoutMs },
            );
        } catch (e) {
            if (!isConditionFailure(e)) throw e; // someone else holds it now: not ours to give up
        }
    }

    async lockHolder(stack: string, nowMs: number): Promise<LeaseHeld | null> {
        const held = await this.readLock(stack);
        return held && !leaseExpired(held.expiresAtMs, nowMs, this.skewMarginMs) ? held : null;
    }

    async breakLock(stack: string, held: LeaseHeld): Promise<boolean> {
        try {
            // Marked free like release(), conditional on the owner and the expiry read (the token is kept).
            await awsCall(
                "DynamoDB UpdateItem (break lock)",
                (o) =>
                    this.client.send(
                        new UpdateItemCommand({
                            TableName: this.tableName,
                            Key: lockKey(stack),
                            UpdateExpression: "SET #owner = :free, expiresAt = :zero",
                            ConditionExpression: "#owner = :owner AND expiresAt = :exp",
                            ExpressionAttributeNames: { "#owner": "owner" },
                            ExpressionAttributeValues: {
                                ":owner": { S: held.heldBy },
                                ":exp": { N: String(held.expiresAtMs) },
                                ":free": { S: FREE },
                                ":zero": { N: "0" },
                            },
                        }),
                        o,
                    ),
                { pass: isConditionFailure, timeoutMs: this.callTimeoutMs },
            );
            return true;
        } catch (e) {
            if (!isConditionFailure(e)) throw e;
            return false;
        }
    }

    async readLock(stack: string): Promise<LeaseHeld | null> {
        const out = await awsCall("DynamoDB GetItem (read lock)", (o) => this.client.send(new GetItemCommand({
            TableName: this.tableName, Key: lockKey(stack), ConsistentRead: true,
        }), o), { timeoutMs: this.callTimeoutMs });
        if (!out.Item || out.Item.owner?.S === FREE) return null;
        return { heldBy: out.Item.owner?.S ?? "unknown", expiresAtMs: Number(out.Item.expiresAt?.N ?? 0) };
    }

    /** The fencing token of the last state save (0 if none). */
    private async stateFence(stack: string): Promise<number> {
        const out = await awsCall("DynamoDB GetItem (state fence)", (o) => this.client.send(new GetItemCommand({
            TableName: this.tableName, Key: stateKey(stack), ConsistentRead: true, ProjectionExpression: "fence",
        }), o), { timeoutMs: this.callTimeoutMs });
        return Number(out.Item?.fence?.N ?? 0);
    }

    async load(stack: string): Promise<RolloutState | undefined> {
        const out = await awsCall("DynamoDB GetItem (load state)", (o) => this.client.send(new GetItemCommand({
            TableName: this.tableName, Key: stateKey(stack), ConsistentRead: true,
        }), o), { timeoutMs: this.callTimeoutMs });
        const blob = out.Item?.state?.B;
        if (!blob) return undefined;
        return JSON.parse(gunzipSync(Buffer.from(blob)).toString("utf8")) as RolloutState;
    }

    async save(state: RolloutState, lease?: Lease): Promise<void> {
        // One PutItem replaces the item atomically: readers see the old state or the new one. With a lease
        // it carries the writer's fencing token, and is refused once a higher token has saved.
        try {
            await awsCall("DynamoDB PutItem (save state)", (o) => this.client.send(new PutItemCommand({
                TableName: this.tableName,
                Item: {
                    ...stateKey(state.stack),
                    rolloutId: { S: state.rolloutId },
                    status: { S: state.status },
                    updatedAt: { N: String(state.updatedAtMs) },
                    ...(lease ? { fence: { N: String(lease.token) } } : {}),
                    state: { B: gzipSync(JSON.stringify(state)) },
                },
                ...(lease ? {
                    ConditionExpression: "attribute_not_exists(fence) OR fence <= :token",
                    ExpressionAttributeValues: { ":token": { N: String(lease.token) } },
                } : {}),
            }), o), { pass: isConditionFailure, timeoutMs: this.callTimeoutMs });
        } catch (e) {
            if (!isConditionFailure(e)) throw e;
            throw new LeaseLostError(state.stack, lease!.owner, (await this.readLock(state.stack))?.heldBy ?? null);
        }
    }
}
