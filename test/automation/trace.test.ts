import { strict as assert } from "assert";
import { parseTrace, TraceError } from "../../automation/sim/trace";
import { good } from "./helpers";

const parse = (v: unknown) => parseTrace(typeof v === "string" ? v : JSON.stringify(v), "t.json");
const message = (v: unknown): string => {
    try {
        parse(v);
    } catch (e) {
        assert.ok(e instanceof TraceError, String(e));
        return e.message;
    }
    assert.fail("expected a TraceError");
};

describe("trace parsing", () => {
    it("accepts the documented format, with defaults for unhealthyTargets and alarms", () => {
        const t = parse({ intervalSeconds: 30, samples: [{ live: good().live, candidate: good().candidate }, { queryError: "Throttling" }] });
        assert.equal(t.intervalSeconds, 30);
        assert.deepEqual(t.samples[0], { ...good() });
        assert.deepEqual(t.samples[1], { queryError: "Throttling" });
    });
    it("names the sample and field of every kind of problem", () => {
        const s = good();
        assert.equal(message({ samples: [s, { ...s, candidate: { ...s.candidate, p95Ms: "fast" } }] }), "t.json: samples[1].candidate.p95Ms: expected a non-negative number");
        assert.equal(message({ samples: [{ ...s, live: { ...s.live, errors5xx: 6000 } }] }), "t.json: samples[0].live.errors5xx: more errors (6000) than requests (5000)");
        assert.equal(message({ samples: [{ ...s, unhealthy: 1 }] }), "t.json: samples[0].unhealthy: unknown field (expected live, candidate, unhealthyTargets, alarms or queryError)");
        assert.equal(message({ samples: [{ queryError: "x", live: s.live }] }), "t.json: samples[0]: a sample with queryError has no other fields");
        assert.equal(message({ samples: [{ ...s, alarms: "db" }] }), "t.json: samples[0].alarms: expected a list of alarm names");
        assert.equal(message({ intervalSeconds: -60, samples: [] }), "t.json: intervalSeconds: expected a positive integer");
        assert.match(message("{ nope"), /^t\.json: not valid JSON/);
    });
});
