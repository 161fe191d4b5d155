/**
 * In-memory state store for tests and the simulator. Shared between engines in one process,
 * it behaves like the real store: one lease per stack, deep copies in and out.
 */
import { isInFlight, type RolloutState } from "./state";
import { LEASE_SKEW_MARGIN_MS, leaseExpired, LeaseLostError, type Lease, type LeaseHeld, type StateStore } from "./ports";

export class MemoryStateStore implements StateStore {
    private readonly leases = new Map<string, Lease>();
    private readonly states = new Map<string, string>();
    private readonly tokens = new Map<string, number>();
    /** The fencing token of the last save with a lease, per stack. */
    private readonly fences = new Map<string, number>();
    /** Every saved state, in order, when constructed with keepHistory (tests inspect the persisted progression). */
    readonly history: RolloutState[] = [];

    /**
     * `skewMarginMs`: how long past its expiry a lease stays held for others (the stores' clock-skew margin; tests of lease timing may set
     * 0).
     */
    constructor(private readonly keepHistory = false, private readonly skewMarginMs = LEASE_SKEW_MARGIN_MS) {}

    async acquire(stack: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease | LeaseHeld> {
        const held = this.leases.get(stack);
        if (held && held.owner !== owner && !leaseExpired(held.expiresAtMs, nowMs, this.skewMarginMs))
            return { heldBy: held.owner, expiresAtMs: held.expiresAtMs };
        const token = (this.tokens.get(stack) ?? 0) + 1;
        this.tokens.set(stack, token);
        const lease = { stack, owner, expiresAtMs: nowMs + ttlMs, token };
        this.leases.set(stack, lease);
        return { ...lease };
    }

    async renew(lease: Lease, nowMs: number, ttlMs: number): Promise<Lease> {
        const held = this.leases.get(lease.stack);
        if (!held || held.owner !== lease.owner || held.token !== lease.token)
            throw new LeaseLostError(lease.stack, lease.owner, held?.owner ?? null);
        const next = { ...held, expiresAtMs: nowMs + ttlMs };
        this.leases.set(lease.stack, next);
        return { ...next };
    }

    /** Read-only look at the lock (see LockInspector), for preflight. */
    async lockHolder(stack: string, nowMs: number): Promise<LeaseHeld | null> {
        const held = this.leases.get(stack);
        return held && !leaseExpired(held.expiresAtMs, nowMs, this.skewMarginMs)
            ? { heldBy: held.owner, expiresAtMs: held.expiresAtMs }
            : null;
    }

    async readLock(stack: string): Promise<LeaseHeld | null> {
        const held = this.leases.get(stack);
        return held ? { heldBy: held.owner, expiresAtMs: held.expiresAtMs } : null;
    }

    async breakLock(stack: string, held: LeaseHeld): Promise<boolean> {
        const now = this.leases.get(stack);
        if (!now || now.owner !== held.heldBy || now.expiresAtMs !== held.expiresAtMs) return false;
        this.leases.delete(stack);
        return true;
    }

    async release(lease: Lease): Promise<void> {
        if (this.leases.get(lease.stack)?.owner === lease.owner) this.leases.delete(lease.stack);
    }

    async load(stack: string): Promise<RolloutState | undefined> {
        const json = this.states.get(stack);
        return json === undefined ? undefined : (JSON.parse(json) as RolloutState);
    }

    async save(state: RolloutState, lease?: Lease): Promise<void> {
        if (lease) {
            const fence = this.fences.get(state.stack) ?? 0;
            if (lease.token < fence) throw new LeaseLostError(state.stack, lease.owner, this.leases.get(state.stack)?.owner ?? null);
            this.fences.set(state.stack, lease.token);
        }
        const json = JSON.stringify(state);
        this.states.set(state.stack, json);
        if (this.keepHistory) this.history.push(JSON.parse(json) as RolloutState);
    }

    /** Test helper: the current lease holder, if any. */
    holder(stack: string): Lease | undefined {
        return this.leases.get(stack);
    }

    inFlight(stack: string): boolean {
        const json = this.states.get(stack);
        return isInFlight(json === undefined ? undefined : (JSON.parse(json) as RolloutState));
    }
}
