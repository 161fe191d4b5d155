/**
 * An in-memory stack for tests and the simulator: a listener weight, two colours, and failure
 * hooks. It records every call so tests can assert what the engine did, in order.
 */
import {
    otherColour,
    type Clock,
    type Colour,
    type Release,
    type RollingResult,
    type StackPort,
    type TargetHealth,
    type TrafficState,
} from "../ports";

export interface FakeCall {
    atMs: number;
    method: keyof StackPort;
    arg?: unknown;
}

/** A hook returns an Error to make the call fail, or undefined to let it succeed. */
export interface FakeStackHooks {
    /** `applied` = the update reached the listener before failing (a partial `up`). */
    setWeight?: (weight: number, callNo: number) => { error: Error; applied: boolean } | undefined;
    readWeight?: (callNo: number) => Error | undefined;
    deployCandidate?: (colour: Colour) => Error | undefined;
    candidateHealth?: (colour: Colour, atMs: number) => TargetHealth | Error;
    finalise?: () => Error | undefined;
    deployRolling?: (release: Release) => RollingResult | Error;
}

export class FakeStack implements StackPort {
    readonly traffic: TrafficState;
    readonly calls: FakeCall[] = [];
    hooks: FakeStackHooks;
    private setWeightCalls = 0;
    private readWeightCalls = 0;

    constructor(
        private readonly clock: Clock,
        init: Partial<TrafficState> = {},
        hooks: FakeStackHooks = {},
    ) {
        this.traffic = {
            live: init.live ?? "blue",
            weight: init.weight ?? 0,
            images: init.images ?? { blue: { "api-gateway": "1.0.0", "task-service": "1.0.0" }, green: {} },
            running: init.running ?? { blue: true, green: false },
        };
        this.hooks = hooks;
    }

    private log(method: keyof StackPort, arg?: unknown): void {
        this.calls.push({ atMs: this.clock.now(), method, arg });
    }

    /** Weights the listener was set to, in order (successful or partially applied updates). */
    weightHistory(): number[] {
        return this.calls
            .filter((c) => c.method === "setWeight" && (c.arg as { applied: boolean }).applied)
            .map((c) => (c.arg as { weight: number }).weight);
    }

    async readTraffic(): Promise<TrafficState> {
        this.log("readTraffic");
        return JSON.parse(JSON.stringify(this.traffic)) as TrafficState;
    }

    async deployCandidate(colour: Colour, release: Release): Promise<void> {
        this.log("deployCandidate", { colour, release: release.id });
        const err = this.hooks.deployCandidate?.(colour);
        if (err) throw err;
        this.traffic.images[colour] = { ...release.images };
        this.traffic.running[colour] = true;
    }

    async setWeight(weight: number): Promise<void> {
        this.setWeightCalls += 1;
        const failure = this.hooks.setWeight?.(weight, this.setWeightCalls);
        const applied = !failure || failure.applied;
        this.log("setWeight", { weight, applied });
        if (applied) this.traffic.weight = weight;
        if (failure) throw failure.error;
    }

    async readWeight(): Promise<number> {
        this.readWeightCalls += 1;
        this.log("readWeight");
        const err = this.hooks.readWeight?.(this.readWeightCalls);
        if (err) throw err;
        return this.traffic.weight;
    }

    async candidateHealth(colour: Colour): Promise<TargetHealth> {
        this.log("candidateHealth", colour);
        const h = this.hooks.candidateHealth?.(colour, this.clock.now()) ?? { healthy: 2, unhealthy: 0, pending: 0 };
        if (h instanceof Error) throw h;
        return h;
    }

    async finalise(candidate: Colour): Promise<void> {
        this.log("finalise", candidate);
        const err = this.hooks.finalise?.();
        if (err) throw err;
        this.traffic.live = candidate;
        this.traffic.weight = 0;
    }

    async scaleToZero(colour: Colour): Promise<void> {
        this.log("scaleToZero", colour);
        this.traffic.running[colour] = false;
    }

    async deployRolling(release: Release): Promise<RollingResult> {
        this.log("deployRolling", release.id);
        const r = this.hooks.deployRolling?.(release) ?? { settled: true, detail: "steady state" };
        if (r instanceof Error) throw r;
        if (r.settled) this.traffic.images[this.traffic.live] = { ...release.images };
        return r;
    }

    /** Percent of traffic each colour gets now. */
    shares(): Record<Colour, number> {
        const cand = otherColour(this.traffic.live);
        return { [this.traffic.live]: 100 - this.traffic.weight, [cand]: this.traffic.weight } as Record<Colour, number>;
    }
}
