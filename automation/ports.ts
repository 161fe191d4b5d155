/**
 * The rollout engine's only contact with the world. The engine is plain TypeScript; the real
 * adapters (Pulumi Automation API, CloudWatch, DynamoDB) in `adapters/` implement these
 * interfaces, and tests and the simulator implement them with fakes and a virtual clock.
 * The vocabulary they speak (colours, releases, metric samples) is in `model.ts`, re-exported here.
 */
import type { Colour, MetricsSample, Release, ServiceImages } from "./model";
import type { RolloutState } from "./state";

export { COLOURS, otherColour, type Colour, type ColourMetrics, type MetricsSample, type Release, type ServiceImages } from "./model";

/** The traffic part of the stack config, as the stack port reads it. */
export interface TrafficState {
    live: Colour;
    /** Percent of traffic to the candidate (the non-live colour), 0–100. */
    weight: number;
    images: Record<Colour, ServiceImages>;
    /** Whether each colour runs tasks (the idle colour scales to 0 after its rollback window). */
    running: Record<Colour, boolean>;
}

/** Target-group health of a colour's targets (summed over its services). */
export interface TargetHealth {
    healthy: number;
    unhealthy: number;
    /** initial / draining / unused: neither healthy nor unhealthy yet. */
    pending: number;
}

/** Outcome of a rolling ECS deployment, as the deployment circuit breaker decided it. */
export interface RollingResult {
    /** True when the ECS deployment reached steady state with the new task definitions. */
    settled: boolean;
    /** e.g. "circuit breaker rolled back after 3 failed tasks". */
    detail: string;
}

/**
 * Stack port: reads and changes the stack config and applies it. Every method that changes
 * something runs exactly one `pulumi up` (targeted where noted) and resolves when it finished;
 * it throws when the update failed. Implementations must be idempotent: the engine repeats a
 * call after a crash when it cannot know whether the previous one completed.
 */
export interface StackPort {
    /** Current traffic config (stack config, not a guess from AWS). */
    readTraffic(): Promise<TrafficState>;
    /**
     * Set `colour`'s image tags and desired counts and run an `up` for that colour's services only,
     * leaving the weight unchanged (0 when the engine calls it).
     */
    deployCandidate(colour: Colour, release: Release): Promise<void>;
    /**
     * Set the candidate weight and apply it with one targeted `up` of the listener resources
     * (the listener and its rules; nothing is replaced).
     */
    setWeight(weight: number): Promise<void>;
    /** The candidate weight the listener actually has (read back from the stack outputs / the ALB). */
    readWeight(): Promise<number>;
    /** Health of `colour`'s targets in their target groups. */
    candidateHealth(colour: Colour): Promise<TargetHealth>;
    /** Make `candidate` the live colour with weight 0 (traffic stays 100% on it), in one update. */
    finalise(candidate: Colour): Promise<void>;
    /** Scale `colour`'s services to 0 tasks (after the rollback window). */
    scaleToZero(colour: Colour): Promise<void>;
    /**
     * Rolling strategy: set `release.images` on the single (live) colour, apply, and wait until the
     * ECS deployment settles or its circuit breaker rolls it back. Resolves either way; throws only
     * when the update itself could not run.
     */
    deployRolling(release: Release): Promise<RollingResult>;
}

/** A half-open window [startMs, endMs) and which colour plays which role in it. */
export interface MetricsWindow {
    startMs: number;
    endMs: number;
    live: Colour;
    candidate: Colour;
}

/**
 * Metrics port. The real one issues one CloudWatch `GetMetricData` for both target groups side by
 * side, plus `DescribeAlarms` for the critical alarms. It throws when the query fails (throttling,
 * network): the engine retries and never reads a failure as a bad metric.
 */
export interface MetricsPort {
    query(window: MetricsWindow): Promise<MetricsSample>;
}

/** Time source. Virtual in tests and in the simulator (see `clock.ts`). */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

/** An exclusive lease on a stack's rollout lock. */
export interface Lease {
    stack: string;
    owner: string;
    expiresAtMs: number;
    /**
     * Fencing token: grows by one with every acquisition of the stack's lock. A renewal (made before every
     * save and every `pulumi up`) succeeds only while the lock still carries this token, and a state save
     * is refused once a higher token has saved: a runner that lost its lease stops before it acts.
     */
    token: number;
}

/**
 * How far apart two runners' clocks may be (documented bound: CI runners and workstations keep NTP time,
 * within seconds; this allows for a badly drifted one). A lease is free for another owner only
 * {@link LEASE_SKEW_MARGIN_MS} after the expiry its holder wrote, so a runner whose clock is up to that
 * much ahead still sees a live lease as live. The margin is larger than the bound.
 */
export const CLOCK_SKEW_BOUND_MS = 10 * 60_000;
export const LEASE_SKEW_MARGIN_MS = 15 * 60_000;

/** Has a lease that its holder set to expire at `expiresAtMs` expired for a caller whose clock reads `nowMs`? Pure. */
export function leaseExpired(expiresAtMs: number, nowMs: number, marginMs = LEASE_SKEW_MARGIN_MS): boolean {
    return nowMs > expiresAtMs + marginMs;
}

/** Who holds the lock when {@link StateStore.acquire} fails. */
export interface LeaseHeld {
    heldBy: string;
    expiresAtMs: number;
}

/** Thrown by {@link StateStore.renew} when another owner took the lease. */
export class LeaseLostError extends Error {
    constructor(stack: string, owner: string, heldBy: string | null) {
        super(`lease on ${stack} lost by ${owner}${heldBy ? ` (now held by ${heldBy})` : ""}`);
        this.name = "LeaseLostError";
    }
}

/**
 * Thrown by a {@link StackPort} change that did not start because the stack needs a human first: its
 * update lock is held (another update, or one that was killed), or it has pending operations from an
 * interrupted update. Nothing was changed by the call, and nothing says the release is bad: the engine
 * halts (naming the remedy) instead of deciding a rollback, and a resume after the remedy retries the phase.
 */
export class StackBlockedError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackBlockedError";
    }
}

/**
 * Persisted rollout progress plus the per-stack lock. The real store is a DynamoDB item with
 * conditional writes (adapters/dynamo-state.ts); `state-memory.ts` is the in-process one of the simulator and tests.
 * Times are passed in (from the engine's clock) so that leases work under a virtual clock.
 */
export interface StateStore {
    /**
     * Take the stack's lock for `ttlMs`. Succeeds when it is free, expired, or already held by
     * `owner`; otherwise returns who holds it. Only one caller can win a race.
     */
    acquire(stack: string, owner: string, nowMs: number, ttlMs: number): Promise<Lease | LeaseHeld>;
    /** Extend a held lease; throws {@link LeaseLostError} if it is no longer ours. */
    renew(lease: Lease, nowMs: number, ttlMs: number): Promise<Lease>;
    /** Give the lock up (no-op if someone else holds it now). */
    release(lease: Lease): Promise<void>;
    /** The last saved state of the stack's latest rollout, if any. */
    load(stack: string): Promise<RolloutState | undefined>;
    /**
     * Replace the stack's state (atomically: a reader sees the old or the new, never a mix). With a lease,
     * refused ({@link LeaseLostError}) once a holder with a higher fencing token has saved.
     */
    save(state: RolloutState, lease?: Lease): Promise<void>;
}

/** One line of a check (a service's migration, a smoke-tested path). */
export interface CheckLine {
    /** Service (migrations) or path (smoke tests). */
    name: string;
    ok: boolean;
    detail: string;
}

export interface CheckResult {
    ok: boolean;
    lines: CheckLine[];
}

/** Pre-deployment database snapshots (staging, prod). */
export interface SnapshotPort {
    /**
     * Create the pre-deployment snapshot named for `atMs` and wait until it is available; returns its
     * identifier. Idempotent: called again with the same `atMs` after a crash, it waits for the same snapshot.
     */
    snapshot(releaseId: string, rolloutId: string, atMs: number): Promise<string>;
    /** Delete pre-deployment snapshots older than the retention; returns the deleted identifiers. */
    prune(retentionDays: number): Promise<string[]>;
}

export interface MigrationPort {
    /**
     * Run every service's migration with the candidate's task definition; stops at the first failure. Migrations must be idempotent: a
     * resume runs them again.
     */
    migrate(candidate: Colour, rolloutId: string): Promise<CheckResult>;
}

export interface SmokePort {
    /** Check the health endpoints through the test listener (100% candidate). */
    check(candidate: Colour, rolloutId: string): Promise<CheckResult>;
    /** How and where, for the plan and the record. */
    readonly mode: string;
}

export function isLease(x: Lease | LeaseHeld): x is Lease {
    return (x as Lease).owner !== undefined;
}
