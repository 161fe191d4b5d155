/**
 * A deployment record of a rolled-back prod canary, made by the real engine on a virtual clock with
 * a fake stack and seeded metrics (no AWS): the example chart in docs/ (rollouts.md, ci.md), and the chart
 * tests' subject. The candidate behaves like live through step 1 (10%), then at 30% its 5xx rate
 * climbs; the errors rule rolls it back.
 */
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine } from "../../automation/engine";
import type { MetricsSample, MetricsWindow } from "../../automation/ports";
import { RecordBuilder, recordOutcomeOf, type DeploymentRecord } from "../../automation/record";
import { resolveRolloutSettings } from "../../config/rollout-settings";
import { MemoryStateStore } from "../../automation/state-memory";
import { FakeStack } from "../../automation/sim/fake-stack";
import { prng } from "./generate";

const STARTED = Date.parse("2026-03-10T14:30:00Z");

export async function exampleRolledBackCanary(): Promise<DeploymentRecord> {
    const clock = new VirtualClock(STARTED);
    const stack = new FakeStack(clock);
    const rng = prng(7);
    const settings = resolveRolloutSettings("canary", {});
    const release = { id: "4f1c2ab-prod", images: { "api-gateway": "4f1c2ab-prod", "task-service": "4f1c2ab-prod" } };
    const rolloutId = "prod-4f1c2ab-prod-20260310T143000Z";
    const rec = new RecordBuilder({
        rolloutId,
        stack: "prod",
        environment: "prod",
        command: "rollout",
        strategy: "canary",
        release,
        ranBy: "github:org/tms#1234.1 (ana)",
        startedAtMs: STARTED,
        preflight: null,
        changeRequest: null,
        emergency: null,
    });
    let shiftAt: number | null = null;
    const metrics = {
        query: async (w: MetricsWindow): Promise<MetricsSample> => {
            const total = Math.round(5200 * (w.endMs - w.startMs) / 60_000 * (0.95 + 0.1 * rng()));
            const cand = Math.round((total * stack.traffic.weight) / 100);
            const sinceShift = shiftAt === null ? 0 : (w.endMs - shiftAt) / 60_000;
            // After six minutes of traffic (one into 30%) the candidate's errors climb.
            const candRate = sinceShift <= 6 ? 0.0004 + 0.0006 * rng() : sinceShift <= 7 ? 0.004 : 0.021;
            return {
                live: {
                    requests: total - cand,
                    errors5xx: Math.round((total - cand) * (0.0004 + 0.0004 * rng())),
                    p95Ms: Math.round(205 + 15 * rng()),
                },
                candidate: {
                    requests: cand,
                    errors5xx: Math.round(cand * candRate),
                    p95Ms: cand ? Math.round(225 + 25 * rng() + (sinceShift > 6 ? 40 : 0)) : null,
                },
                unhealthyTargets: 0,
                alarms: [],
            };
        },
    };
    const engine = new RolloutEngine({
        stack, clock, store: new MemoryStateStore(), metrics: rec.recordingMetrics(metrics),
        onEvent: (e) => {
            if (e.type === "weight" && shiftAt === null) shiftAt = e.atMs;
            rec.onEvent(e);
        },
    });
    const result = await engine.start({ stack: "prod", owner: "github:org/tms#1234.1 (ana)", release, settings, rolloutId });
    return rec.finish(recordOutcomeOf(result.outcome), result.reason, clock.now());
}
