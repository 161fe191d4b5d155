/**
 * Clocks: the real one, and a virtual one for tests and the simulator. The virtual clock advances
 * instantly on `sleep`, so a 45-minute canary runs in milliseconds and deterministically.
 */
import type { Clock } from "./ports";

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * `sleep(ms)` moves time forward by `ms` and resolves on the next microtask.
 *
 * `freezeAt(ms)` simulates a process that stops there: a sleep that would reach or pass that time
 * never resolves (nothing after it runs, as after a `kill -9`), and `frozen` resolves with the
 * time the sleep asked for. The simulator uses it to stop at the end of a trace; tests use it to
 * kill an engine mid-phase.
 */
export class VirtualClock implements Clock {
    private t: number;
    private freezeAtMs = Infinity;
    private onFrozen: (atMs: number) => void = () => undefined;
    /** Resolves (with the requested wake-up time) when a sleep hits the freeze point. */
    readonly frozen: Promise<number>;
    /** Total virtual time slept, for assertions. */
    slept = 0;

    constructor(startMs = 0) {
        this.t = startMs;
        this.frozen = new Promise<number>((resolve) => (this.onFrozen = resolve));
    }

    now(): number {
        return this.t;
    }

    sleep(ms: number): Promise<void> {
        const wake = this.t + Math.max(0, ms);
        if (wake >= this.freezeAtMs) {
            this.onFrozen(wake);
            return new Promise<void>(() => undefined);
        }
        this.slept += Math.max(0, ms);
        this.t = wake;
        return Promise.resolve();
    }

    /** Jump forward without anyone sleeping (e.g. the time a killed process stayed dead). */
    advance(ms: number): void {
        this.t += ms;
    }

    freezeAt(ms: number): void {
        this.freezeAtMs = ms;
    }
}
