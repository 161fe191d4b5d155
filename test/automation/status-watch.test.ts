/** `status --watch`: which frames read the engine again (automation/operate.ts, watchedEngine). */
import { strict as assert } from "assert";
import { ENGINE_REREAD_MS, watchedEngine } from "../../automation/operate";
import type { TrafficState } from "../../automation/ports";
import type { RolloutState } from "../../automation/state";

const TRAFFIC: TrafficState = { live: "blue", weight: 10, running: { blue: true, green: true } } as TrafficState;

const saved = (over: Partial<RolloutState> = {}): RolloutState =>
    ({ rolloutId: "prod-r1", strategy: "canary", status: "shifting", weight: 10, targetWeight: 10, weightApplied: true, live: "blue", candidate: "green", pendingScaleDown: null, ...over }) as unknown as RolloutState;

/** A stack whose reads are counted; the weight it reads back and whether it fails are set by the test. */
function world() {
    const w = { now: 0, traffic: 0, weights: 0, readBack: 10, fail: false, failOnly: null as "traffic" | "weight" | null };
    const stack = {
        readTraffic: async () => {
            w.traffic++;
            if (w.fail || w.failOnly === "traffic") throw new Error("stack export: exit 255");
            return TRAFFIC;
        },
        readWeight: async () => {
            w.weights++;
            if (w.fail || w.failOnly === "weight") throw new Error("ELBv2 DescribeRules failed");
            return w.readBack;
        },
    };
    const engine = watchedEngine(stack, { now: () => w.now, sleep: async () => undefined });
    /** One frame as the watch draws it: the saved state, then the reads of readStatus. */
    const frame = async (s: RolloutState | undefined) => {
        engine.frame(s);
        const [t, r] = await Promise.allSettled([engine.readTraffic(), s && s.strategy !== "rolling" ? engine.readWeight() : Promise.resolve(null)]);
        w.now += 1000;
        return { traffic: t, readBack: r };
    };
    return { w, frame };
}

describe("status --watch reads the engine again only when something asks for it", () => {
    it("a rollout baking at its step: one read, then none until ENGINE_REREAD_MS has passed", async () => {
        const { w, frame } = world();
        const first = await frame(saved());
        assert.deepEqual(first.readBack, { status: "fulfilled", value: 10 });
        for (let i = 0; i < 10; i++) await frame(saved());
        assert.deepEqual([w.traffic, w.weights], [1, 1], "ten frames of an unchanged rollout reuse the read");
        w.now += ENGINE_REREAD_MS;
        await frame(saved());
        assert.deepEqual([w.traffic, w.weights], [2, 2], "a person's pulumi up in between shows within ENGINE_REREAD_MS");
    });

    it("the rollout moving (a new target, a stepped weight, a decision) re-reads in that frame", async () => {
        const { w, frame } = world();
        await frame(saved());
        await frame(saved({ targetWeight: 30, weightApplied: false }));
        w.readBack = 30;
        await frame(saved({ targetWeight: 30, weight: 30 }));
        await frame(saved({ targetWeight: 30, weight: 30, status: "rolling_back" }));
        assert.equal(w.weights, 4);
    });

    it("a read-back that is not the stepped weight (an update being applied, a divergence) is read again every frame until it is; the stack outputs are not", async () => {
        const { w, frame } = world();
        w.readBack = 30;
        await frame(saved());
        await frame(saved());
        await frame(saved());
        assert.equal(w.weights, 3);
        w.readBack = 10;
        await frame(saved());
        await frame(saved());
        assert.equal(w.weights, 4, "the fourth frame reads agreement: the fifth reuses it");
        assert.equal(w.traffic, 1, "a targeted update does not change the stack outputs: one checkpoint read, not one per frame");
    });

    it("a failed read of one is read again without the other", async () => {
        const { w, frame } = world();
        w.failOnly = "traffic";
        await frame(saved());
        w.failOnly = null;
        await frame(saved());
        await frame(saved());
        assert.deepEqual([w.traffic, w.weights], [2, 1], "the traffic again, the weight kept");
        w.failOnly = "weight";
        w.now += ENGINE_REREAD_MS;
        await frame(saved());
        w.failOnly = null;
        await frame(saved());
        await frame(saved());
        assert.deepEqual([w.traffic, w.weights], [3, 3], "the weight again, the traffic kept");
    });

    it("a failed read is not kept: the next frame reads again", async () => {
        const { w, frame } = world();
        w.fail = true;
        const failed = await frame(saved());
        assert.equal(failed.traffic.status, "rejected");
        w.fail = false;
        const next = await frame(saved());
        assert.deepEqual(next.traffic, { status: "fulfilled", value: TRAFFIC });
        await frame(saved());
        assert.deepEqual([w.traffic, w.weights], [2, 2]);
    });

    it("rolling has no weight to read; no rollout saved reads the traffic only", async () => {
        const { w, frame } = world();
        await frame(saved({ strategy: "rolling" }));
        await frame(undefined);
        await frame(undefined);
        assert.deepEqual([w.traffic, w.weights], [2, 0]);
    });
});
