/**
 * A file-based state store for the tests: the CLI tests run the real rollout CLI in child processes
 * (fake-cli-world.ts), which share the state and the lock through a directory. Not shipped: the
 * rollout's store is DynamoDB, from CI or one operator's machine alike (docs/rollouts.md, "a lease in the
 * state store"). `<stack>.json` holds the state, `<stack>.lease.json` the lock.
 *
 * - State writes go to a temp file in the same directory, are fsynced, then renamed over the
 *   target: a reader (or a crash) sees the old or the new state, never half of one.
 * - A free lock is created with O_EXCL (`wx`), so of two racing processes exactly one wins.
 *   An expired lock is first renamed aside (only one rename of the same source can succeed),
 *   then created with `wx` as above.
 * This is only as good as the file system's rename/O_EXCL (fine locally, not on every network
 * file system); the shared store for CI is the DynamoDB one.
 */
import * as fs from "fs";
import * as path from "path";
import type { LockInspector } from "../../automation/adapters/dynamo-state";
import { leaseExpired, LeaseLostError, type Lease, type LeaseHeld, type StateStore } from "../../automation/ports";
import type { RolloutState } from "../../automation/state";

export class FileStateStore implements StateStore, LockInspector {
    constructor(readonly dir: string) {}

    private statePath(stack: string): string {
        return path.join(this.dir, `${safe(stack)}.json`);
    }

    private leasePath(stack: string): string {
        return path.join(this.dir, `${safe(stack)}.lease.json`);
    }

    async acquire(stack: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease | LeaseHeld> {
        fs.mkdirSync(this.dir, { recursive: true });
        const file = this.leasePath(stack);
        const held = readJson<Lease>(file);
        // The fencing token grows past both the lease read and the last save's (a released lock is deleted).
        const token = Math.max(held?.token ?? 0, readJson<{ fence?: number }>(this.statePath(stack))?.fence ?? 0) + 1;
        const lease: Lease = { stack, owner, expiresAtMs: nowMs + ttlMs, token };
        if (held) {
            if (held.owner === owner) {
                writeAtomic(file, lease);
                return lease;
            }
            if (!leaseExpired(held.expiresAtMs, nowMs)) return { heldBy: held.owner, expiresAtMs: held.expiresAtMs };
            try {
                fs.renameSync(file, `${file}.expired-${process.pid}-${nowMs}`);
            } catch {
                // Someone else moved it first; fall through and race on the exclusive create.
            }
        }
        try {
            const fd = fs.openSync(file, "wx");
            fs.writeSync(fd, JSON.stringify(lease));
            fs.fsyncSync(fd);
            fs.closeSync(fd);
            return lease;
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
            const winner = readJson<Lease>(file);
            return { heldBy: winner?.owner ?? "unknown", expiresAtMs: winner?.expiresAtMs ?? nowMs + ttlMs };
        }
    }

    async renew(lease: Lease, nowMs: number, ttlMs: number): Promise<Lease> {
        const file = this.leasePath(lease.stack);
        const held = readJson<Lease>(file);
        if (!held || held.owner !== lease.owner || (held.token ?? 0) !== lease.token)
            throw new LeaseLostError(lease.stack, lease.owner, held?.owner ?? null);
        const next = { ...lease, expiresAtMs: nowMs + ttlMs };
        writeAtomic(file, next);
        return next;
    }

    async release(lease: Lease): Promise<void> {
        const file = this.leasePath(lease.stack);
        if (readJson<Lease>(file)?.owner === lease.owner) fs.rmSync(file, { force: true });
    }

    async lockHolder(stack: string, nowMs: number): Promise<LeaseHeld | null> {
        const held = await this.readLock(stack);
        return held && !leaseExpired(held.expiresAtMs, nowMs) ? held : null;
    }

    async readLock(stack: string): Promise<LeaseHeld | null> {
        const held = readJson<Lease>(this.leasePath(stack));
        return held ? { heldBy: held.owner, expiresAtMs: held.expiresAtMs } : null;
    }

    /** Moved aside first (only one rename of the same file can succeed), then checked and deleted. */
    async breakLock(stack: string, held: LeaseHeld): Promise<boolean> {
        const file = this.leasePath(stack);
        const now = readJson<Lease>(file);
        if (!now || now.owner !== held.heldBy || now.expiresAtMs !== held.expiresAtMs) return false;
        const aside = `${file}.broken-${process.pid}-${Date.now()}`;
        try {
            fs.renameSync(file, aside);
        } catch {
            return false;
        }
        const moved = readJson<Lease>(aside);
        if (!moved || moved.owner !== held.heldBy || moved.expiresAtMs !== held.expiresAtMs) {
            // Someone renewed between the check and the rename: put their lease back.
            fs.renameSync(aside, file);
            return false;
        }
        fs.rmSync(aside, { force: true });
        return true;
    }

    async load(stack: string): Promise<RolloutState | undefined> {
        const saved = readJson<RolloutState & { fence?: number }>(this.statePath(stack));
        if (!saved) return undefined;
        const { fence: _fence, ...state } = saved;
        return state as RolloutState;
    }

    /** With a lease: refused once a higher fencing token saved (best effort locally: read, then rename over). */
    async save(state: RolloutState, lease?: Lease): Promise<void> {
        fs.mkdirSync(this.dir, { recursive: true });
        const file = this.statePath(state.stack);
        const fence = readJson<{ fence?: number }>(file)?.fence ?? 0;
        if (lease && lease.token < fence)
            throw new LeaseLostError(state.stack, lease.owner, (await this.readLock(state.stack))?.heldBy ?? null);
        writeAtomic(file, { ...state, fence: lease ? lease.token : fence });
    }
}

function safe(stack: string): string {
    return stack.replace(/[^A-Za-z0-9._-]/g, "_");
}

function readJson<T>(file: string): T | null {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as T;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw e;
    }
}

/** Temp file in the same directory (same file system), fsync, rename over the target. */
function writeAtomic(file: string, value: unknown): void {
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const fd = fs.openSync(tmp, "w");
    try {
        fs.writeSync(fd, JSON.stringify(value, null, 2));
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
}
