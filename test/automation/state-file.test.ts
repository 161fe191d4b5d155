import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine } from "../../automation/engine";
import { isLease, LEASE_SKEW_MARGIN_MS, LeaseLostError, type Lease } from "../../automation/ports";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import { FakeStack } from "../../automation/sim/fake-stack";
import { FileStateStore } from "./state-file";
import { good } from "./helpers";

describe("file state store", () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "rollout-state-"))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("gives the lease to one owner until it expires (plus the clock-skew margin), then to the next, with a higher fencing token", async () => {
        const a = new FileStateStore(dir);
        const b = new FileStateStore(dir); // another process, same directory
        const la = await a.acquire("prod", "ci-1", 0, 300_000);
        assert.ok(isLease(la));
        const lb = await b.acquire("prod", "ci-2", 100_000, 300_000);
        assert.deepEqual(lb, { heldBy: "ci-1", expiresAtMs: 300_000 });
        assert.ok(isLease(await a.acquire("prod", "ci-1", 100_000, 300_000)), "the holder may re-acquire");
        // Expired at 400 s by the holder's clock, but within the margin a runner whose clock runs ahead still sees it held.
        assert.ok(!isLease(await b.acquire("prod", "ci-2", 500_000, 300_000)));
        const t = 400_000 + LEASE_SKEW_MARGIN_MS + 1;
        const later = await b.acquire("prod", "ci-2", t, 300_000);
        assert.ok(isLease(later) && later.token > (la as Lease).token);
        await assert.rejects(a.renew(la as Lease, t, 300_000), LeaseLostError);
        await a.release(la as Lease); // not ours any more: no effect
        assert.ok(!isLease(await a.acquire("prod", "ci-1", t + 100_000, 300_000)));
        await b.release(later as Lease);
        assert.ok(isLease(await a.acquire("prod", "ci-1", t + 100_000, 300_000)));
    });

    it("writes state atomically (no temp files left) and a full rollout can run on it", async () => {
        const clock = new VirtualClock(0);
        const stack = new FakeStack(clock);
        const store = new FileStateStore(dir);
        const engine = new RolloutEngine({ stack, clock, store, metrics: { query: async () => good() } });
        const r = await engine.start({ stack: "prod", owner: "ci-1", release: { id: "2.0.0", images: {} }, settings: defaultRolloutSettings("canary") });
        assert.equal(r.outcome, "promoted");
        assert.deepEqual(fs.readdirSync(dir).sort(), ["prod.json"], "lease released, no temp files");
        const saved = await store.load("prod");
        assert.equal(saved!.status, "promoted");
        assert.equal(saved!.timeline.length, 4);
    });

    it("a corrupt state file is an error, not an empty state", async () => {
        fs.writeFileSync(path.join(dir, "prod.json"), "{ half");
        await assert.rejects(new FileStateStore(dir).load("prod"), SyntaxError);
    });
});
