/** Comparing two offline plans: which resources a config change would update. */
import type { RecordedResource } from "./record";

export interface PlanDiff {
    added: string[];
    removed: string[];
    /** Resources present in both whose inputs differ. */
    changed: RecordedResource[];
}

export function diffPlans(before: RecordedResource[], after: RecordedResource[]): PlanDiff {
    const a = new Map(before.map((r) => [r.urn, r]));
    const b = new Map(after.map((r) => [r.urn, r]));
    return {
        added: [...b.keys()].filter((u) => !a.has(u)),
        removed: [...a.keys()].filter((u) => !b.has(u)),
        changed: [...a.values()].filter((r) => b.has(r.urn) && JSON.stringify(r.inputs) !== JSON.stringify(b.get(r.urn)!.inputs)),
    };
}

/** Types a weight step may touch. */
export const LISTENER_TYPES = new Set([
    "aws:lb/listener:Listener", "aws:alb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule",
]);
