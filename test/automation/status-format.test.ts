/** L4: `rollout:status`'s text (operate.ts formatStatus), pure: what the live view of `--watch` shows mid-step. */
import { strict as assert } from "assert";
import { formatStatus, type StatusView } from "../../automation/operate";

const T0 = Date.parse("2026-12-01T15:30:00Z");
function view(weight: StatusView["rollout"] extends infer R ? R extends { weight: infer W } ? W : never : never, status = "shifting", state: StatusView["state"] = "in_flight"): StatusView {
    return {
        stack: "prod", atMs: T0 + 10 * 60_000, state, exitCode: 5, lock: null,
        colours: { live: "blue", candidate: "green", weight: 10, images: { blue: {}, green: {} }, running: { blue: true, green: true } },
        rollout: {
            id: "prod-v2", release: { id: "v2", images: { api: "v2" } }, strategy: "canary", status, phase: "step 2 (30%)",
            startedAtMs: T0, phaseStartedAtMs: T0 + 8 * 60_000, savedAtMs: T0 + 10 * 60_000 - 5000, weight,
            bake: null, analysis: [], decision: null, rollback: null, pendingScaleDown: null, record: null,
        },
    };
}
const line = (v: StatusView, head: string) => formatStatus(v).find((l) => l.trimStart().startsWith(head))!;

describe("rollout:status text", () => {
    it("the phase line says how long the phase has run and when the rollout started", () => {
        assert.equal(line(view({ steppedTo: 10, target: 30, readBack: 10, readBackError: null }), "phase"),
            "  phase      step 2 (30%) for 2m00s — rollout started 2026-12-01T15:30:00Z, last saved 5s ago");
        assert.doesNotMatch(line(view({ steppedTo: 30, target: 30, readBack: 30, readBackError: null }, "promoted", "promoted"), "phase"), / for /);
    });

    it("a step whose update is being applied (the listeners already read its target) is not flagged as a divergence", () => {
        assert.equal(line(view({ steppedTo: 10, target: 30, readBack: 30, readBackError: null }), "weight"),
            "  weight     stepped to 10% (next 30%); load balancer reads 30% (its update is being applied)");
        assert.equal(line(view({ steppedTo: 30, target: 0, readBack: 0, readBackError: null }, "rolling_back"), "weight"),
            "  weight     stepped to 30%; load balancer reads 0% (its update is being applied)");
        assert.equal(line(view({ steppedTo: 100, target: 100, readBack: 0, readBackError: null }, "finalising"), "weight"),
            "  weight     stepped to 100%; load balancer reads 0% (its update is being applied)");
        // Anything else is a divergence, and says so.
        assert.equal(line(view({ steppedTo: 10, target: 30, readBack: 50, readBackError: null }), "weight"),
            "  weight     stepped to 10% (next 30%); load balancer reads 50% (DIFFERS)");
        assert.match(line(view({ steppedTo: 10, target: 30, readBack: 30, readBackError: null }, "halted", "halted"), "weight"), /reads 30% \(DIFFERS\)$/);
        assert.equal(line(view({ steppedTo: 30, target: 30, readBack: 30, readBackError: null }), "weight"), "  weight     stepped to 30%; load balancer reads 30%");
    });

    it("a promoted rollout was finalised: the listeners read 0% toward the new candidate, which is right, not a divergence", () => {
        assert.equal(line(view({ steppedTo: 100, target: 100, readBack: 0, readBackError: null }, "promoted", "promoted"), "weight"),
            "  weight     stepped to 100%, then finalised (the candidate became live at weight 0); load balancer reads 0%");
        // Still at 100% after the promotion: the finalise did not stick.
        assert.match(line(view({ steppedTo: 100, target: 100, readBack: 100, readBackError: null }, "promoted", "promoted"), "weight"), /reads 100% \(DIFFERS\)$/);
    });
});
