import { strict as assert } from "assert";
import { DateTime } from "luxon";
import { validateChangeRequest } from "../../automation/change-request";
import { runPreflight, type PreflightFacts } from "../../automation/preflight";

const ny = (iso: string) => DateTime.fromISO(iso, { zone: "America/New_York" }).toMillis();
const cr = validateChangeRequest({ id: "CHG-1", risk: "low", rollbackPlan: "weight 0", approvals: [
    { role: "technical-review", by: "a" }, { role: "qa", by: "b" }, { role: "product", by: "c" }] }, "cr.yaml");

const facts = (over: Partial<PreflightFacts> = {}): PreflightFacts => ({
    stack: "prod", environment: "prod", nowMs: ny("2026-03-10T10:30"), changeRequest: cr, live: "blue",
    liveHealth: { healthy: 6, unhealthy: 0, pending: 0 }, alarms: [], lockHeld: null, ...over,
});

describe("preflight", () => {
    it("allows a prod rollout in the window with an approved change request and a healthy live colour", () => {
        const r = runPreflight(facts());
        assert.deepEqual(r.refusals, []);
        assert.ok(r.ok);
        assert.equal(r.changeRequest?.id, "CHG-1");
    });

    it("refuses outside the calendar, naming the rule and New York time", () => {
        const r = runPreflight(facts({ nowMs: ny("2026-03-10T09:59") }));
        assert.ok(!r.ok);
        assert.equal(r.refusals.length, 1);
        assert.match(r.refusals[0], /^release-window: .*09:59 EDT/);
    });

    it("an emergency with a reason overrides the calendar only, and records what it overrode", () => {
        const r = runPreflight(facts({ nowMs: ny("2026-12-24T03:00"), emergency: { reason: "CVE-2026-1" } }));
        assert.ok(r.ok, r.refusals.join("\n"));
        assert.deepEqual(r.overridden.map((o) => o.rule), ["holiday-freeze", "release-day", "release-window"]);
        assert.equal(r.emergency?.reason, "CVE-2026-1");
        const noCr = runPreflight(facts({ nowMs: ny("2026-12-24T03:00"), emergency: { reason: "CVE" }, changeRequest: undefined }));
        assert.deepEqual(noCr.refusals, ["change-request: prod rollouts need --change-request FILE (id, risk, rollbackPlan, approvals)"]);
        const blank = runPreflight(facts({ nowMs: ny("2026-12-24T03:00"), emergency: { reason: "  " } }));
        assert.ok(!blank.ok, "an emergency without a reason overrides nothing");
    });

    it("prod needs a change request; staging does not; invalid ones list their problems", () => {
        assert.ok(!runPreflight(facts({ changeRequest: undefined })).ok);
        assert.ok(runPreflight(facts({ stack: "staging", environment: "staging", changeRequest: undefined })).ok);
        const bad = validateChangeRequest({ id: "x" }, "cr.yaml");
        const r = runPreflight(facts({ changeRequest: bad }));
        assert.ok(r.refusals.length >= 3 && r.refusals.every((l) => l.startsWith("cr.yaml: ")));
    });

    it("refuses when the live colour is unhealthy, unreadable, or a critical alarm fires", () => {
        assert.match(runPreflight(facts({ liveHealth: { healthy: 5, unhealthy: 1, pending: 0 } })).refusals[0], /live colour blue is not healthy/);
        assert.match(runPreflight(facts({ liveHealth: { healthy: 0, unhealthy: 0, pending: 2 } })).refusals[0], /not healthy/);
        assert.match(runPreflight(facts({ liveHealth: { error: "AccessDenied" } })).refusals[0], /cannot read.*AccessDenied/);
        assert.match(runPreflight(facts({ alarms: ["tms-prod-critical-5xx"] })).refusals[0], /tms-prod-critical-5xx/);
    });

    it("refuses when traffic is already split with no rollout in flight", () => {
        assert.deepEqual(runPreflight(facts({ candidateWeight: 30 })).refusals,
            ["traffic: 30% of traffic already goes to the candidate with no rollout in flight; set tms:deployment.weight to 0 first"]);
        assert.ok(runPreflight(facts({ candidateWeight: 0 })).ok);
    });

    it("refuses while another rollout holds the lock or is in flight", () => {
        const r = runPreflight(facts({ lockHeld: { heldBy: "ci:42", expiresAtMs: Date.parse("2026-03-10T15:00:00Z") } }));
        assert.match(r.refusals[0], /^lock: another rollout holds the prod lock \(ci:42, until 2026-03-10T15:00:00.000Z\)/);
        assert.match(runPreflight(facts({ inFlight: { rolloutId: "r1", status: "halted" } })).refusals[0], /r1 .* halted/);
    });
});

describe("preflight in dry runs", () => {
    it("turns facts it could not read into warnings, never the calendar or the change request", () => {
        const r = runPreflight(facts({ lenientUnreadable: true, liveHealth: { error: "pulumi: not found" }, alarms: { error: "no credentials" }, unreadable: ["lock: cannot read the lock: no credentials"] }));
        assert.ok(r.ok);
        assert.equal(r.warnings.length, 3);
        const strict = runPreflight(facts({ liveHealth: { error: "pulumi: not found" }, alarms: { error: "no credentials" }, unreadable: ["lock: cannot read"] }));
        assert.equal(strict.refusals.length, 3);
        const outside = runPreflight(facts({ lenientUnreadable: true, nowMs: ny("2026-03-10T16:00"), liveHealth: { error: "x" } }));
        assert.ok(!outside.ok);
    });
});
