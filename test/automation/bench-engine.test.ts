import { strict as assert } from "assert";
import { benchEngine } from "../../tools/bench-engine";

describe("bench-engine", () => {
    it("catches every injected breach with the expected rule and within its target", async () => {
        const b = await benchEngine(100);
        const by = Object.fromEntries(b.rules.map((r) => [r.rule, r]));
        assert.equal(by.errors.maxIntervals, 0);
        assert.equal(by.alarms.maxIntervals, 0);
        assert.equal(by["health (from 2nd)"].maxIntervals, 0);
        assert.equal(by["health (from 1st)"].maxIntervals, 1);
        assert.equal(by.latency.maxIntervals, 5);
        assert.equal(by.query.maxIntervals, 2);
        assert.ok(b.rules.every((r) => r.met && r.missed === 0), b.table);
        assert.match(b.table, /^Rollout engine: intervals from the first breaching sample/);
    });
});
