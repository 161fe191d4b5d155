/**
 * A live countdown for long waits on a terminal (bakes, validation, waiting for healthy targets):
 * a clock wrapper that, while the engine or the orchestration sleeps, redraws one status line every
 * second and clears it before anything else prints. Without a terminal (CI) nothing changes: the CLI
 * prints one progress line per interval, as before.
 */
import type { RolloutEvent } from "./engine";
import type { Clock } from "./ports";
import { duration } from "./operate";

/** The one line a terminal redraws in place; `null` clears it. */
export type LiveLine = (text: string | null) => void;

/** Follows the engine's events and says what the current wait is for. */
export class WaitLabel {
    private phase: { label: string; status: string; atMs: number; remainingSeconds: number | null; weight: number } | null = null;

    constructor(private readonly healthTimeoutSeconds: number) {}

    onEvent(e: RolloutEvent): void {
        if (e.type === "phase")
            this.phase = { label: e.label, status: e.status, atMs: e.atMs, remainingSeconds: e.remainingSeconds, weight: e.weight };
        else if (e.type === "progress" && this.phase)
            this.phase = { ...this.phase, atMs: e.atMs, remainingSeconds: e.remainingSeconds, weight: e.weight };
        else if (e.type === "decision") this.phase = null;
    }

    /** E.g. `step 2 (30%) at 30%: bake 3m12s left · next analysis in 41s`. */
    text(nowMs: number, wakeMs: number): string {
        const next = duration((wakeMs - nowMs) / 1000);
        const p = this.phase;
        if (p && p.remainingSeconds !== null) {
            const left = Math.max(0, p.remainingSeconds - (nowMs - p.atMs) / 1000);
            return `${p.label} at ${p.weight}%: bake ${duration(left)} left · next analysis in ${next}`;
        }
        if (p && p.status === "waiting_healthy") {
            const left = Math.max(0, this.healthTimeoutSeconds - (nowMs - p.atMs) / 1000);
            return `waiting for healthy targets: gives up in ${duration(left)} · next check in ${next}`;
        }
        return `waiting · next check in ${next}`;
    }
}

/**
 * `inner` with a countdown drawn during every sleep of at least `minMs`, redrawn every `tickMs`
 * (the sleep itself is split into ticks of the inner clock, so virtual clocks work too).
 */
export function countdownClock(
    inner: Clock,
    draw: LiveLine,
    label: (nowMs: number, wakeMs: number) => string,
    opts: { tickMs?: number; minMs?: number } = {},
): Clock {
    const tickMs = opts.tickMs ?? 1000;
    const minMs = opts.minMs ?? 2000;
    return {
        now: () => inner.now(),
        async sleep(ms: number): Promise<void> {
            if (ms < minMs) return inner.sleep(ms);
            const wake = inner.now() + ms;
            try {
                for (let now = inner.now(); now < wake; now = inner.now()) {
                    draw(label(now, wake));
                    await inner.sleep(Math.min(tickMs, wake - now));
                }
            } finally {
                draw(null);
            }
        },
    };
}
