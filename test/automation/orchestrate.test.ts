/** The whole rollout composition with fakes for every port: outcomes, exit codes, and the order of side effects. */
import { strict as assert } from "assert";
import { EXIT } from "../../automation/orchestrate";
import { renderMarkdown, renderSvg } from "../../automation/record";
import { ny, TUESDAY, world } from "./fakes";
import { errorSpike, good } from "./helpers";

describe("rollout orchestration (all ports faked)", () => {
    it("promotes: preflight → lock → snapshot → deploy → migrations → smoke → steps → record → notify, all but preflight and the record phases of the engine", async () => {
        const w = world();
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.outcome, "promoted", r.reason ?? "");
        assert.equal(r.exitCode, 0);
        assert.deepEqual(w.log, [
            "lock ci:run-1", "notify start", "snapshot", "prune", "deploy green", "migrate green", "smoke green",
            "weight 10", "weight 30", "weight 50", "weight 100", "finalise green",
            "unlock", // the engine gives the lease up when it returns
            "record", "notify promoted",
        ]);
        // The exact order, with the weight steps in between:
        const i = (s: string) => w.log.indexOf(s);
        assert.ok(i("lock ci:run-1") < i("notify start") && i("notify start") < i("snapshot") && i("snapshot") < i("prune"));
        assert.ok(i("prune") < i("deploy green") && i("deploy green") < i("migrate green") && i("migrate green") < i("smoke green"));
        assert.ok(i("smoke green") < i("weight 10"), "no traffic before the smoke tests");
        assert.deepEqual(w.log.filter((l) => l.startsWith("weight")), ["weight 10", "weight 30", "weight 50", "weight 100"]);
        assert.ok(i("finalise green") < i("record") && i("record") < i("notify promoted"));
        assert.equal(w.log.filter((l) => l === "deploy green").length, 1, "the engine does not deploy the candidate a second time");
        assert.equal(await w.store.lockHolder("prod", w.clock.now()), null);

        const rec = w.records[0];
        assert.equal(rec.outcome, "promoted");
        assert.equal(rec.changeRequest?.id, "CHG-7");
        assert.deepEqual(rec.steps.map((s) => s.name), ["snapshot", "prune snapshots", "deploy green at 0%", "migrations", "green healthy", "smoke tests (fake)"]);
        assert.ok(rec.phases.some((p) => p.label === "step 1 (10%)" && p.analysis.length > 0));
        assert.ok(rec.samples.length >= 45);
        const md = renderMarkdown(rec);
        assert.match(md, /\*\*Outcome:\*\* promoted/);
        assert.match(md, /technical-review \(ana\), qa \(bo\), product \(cy\), operations \(di\)/);
        assert.match(md, /### step 2 \(30%\)/);
        const svg = renderSvg(rec);
        assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
        assert.equal((svg.match(/<polyline class="series" data-colour="blue"/g) ?? []).length, 2, "blue in both panels");
        assert.equal((svg.match(/<polyline class="series" data-colour="green"/g) ?? []).length, 2, "green in both panels");
    });

    it("services the release does not name keep the live colour's images on the candidate", async () => {
        const w = world();
        const r = await w.orchestrator.rollout({ ...w.request, release: { id: "v2.1", images: { "task-service": "repo/task:v2.1" } } });
        assert.equal(r.exitCode, 0, r.reason ?? "");
        assert.deepEqual(w.deployed.map((d) => d.images), [{ "api-gateway": "v1", "task-service": "repo/task:v2.1" }]);
        assert.deepEqual(w.records[0].release.images, { "api-gateway": "v1", "task-service": "repo/task:v2.1" });
    });

    it("reports preflight and each step as they happen (the CLI prints them)", async () => {
        const w = world();
        const seen: string[] = [];
        w.deps.onPreflight = (p, plan) => seen.push(`preflight ${p.ok} ${plan.length}`);
        w.deps.onStep = (s) => seen.push(`step ${s.name} ${s.ok}`);
        w.deps.onEvent = (e) => void (e.type === "weight" && seen.push(`weight ${e.weight}`));
        await w.orchestrator.rollout(w.request);
        assert.deepEqual(seen.slice(0, 8), ["preflight true 15", "step snapshot true", "step prune snapshots true", "step deploy green at 0% true",
            "step migrations true", "step green healthy true", "step smoke tests (fake) true", "weight 10"]);
    });

    it("a candidate error spike rolls back (exit 2) and the record keeps the analysis lines that decided it", async () => {
        const w = world({ sample: (i) => (i >= 3 ? errorSpike() : good()) });
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.rolled_back);
        assert.equal(r.outcome, "rolled_back");
        assert.ok(w.log.includes("weight 0"));
        assert.ok(!w.log.some((l) => l.startsWith("finalise")));
        assert.deepEqual(w.log.slice(-3), ["unlock", "record", "notify rolled_back"]);
        const rec = w.records[0];
        assert.ok(rec.phases.flatMap((p) => p.analysis).some((l) => /errors\s+ROLLBACK/.test(l)));
        assert.match(renderMarkdown(rec), /rolled_back: errors/);
    });

    it("a snapshot failure stops before any change (exit 1)", async () => {
        const w = world({ snapshotFails: true });
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.error);
        assert.match(r.reason!, /snapshot failed before any change: .*AccessDenied/);
        assert.deepEqual(w.log, ["lock ci:run-1", "notify start", "snapshot", "unlock", "record", "notify error"]);
    });

    it("a failed migration halts for a human before traffic moves (exit 3), naming the restore point", async () => {
        const w = world({ migrationFails: true });
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.halted);
        assert.match(r.reason!, /migration failed before traffic moved: exit code 1; restore point tms-prod-predeploy-v2.0.0/);
        assert.ok(!w.log.some((l) => l.startsWith("weight") || l.startsWith("smoke")));
        assert.deepEqual(w.log.slice(-3), ["unlock", "record", "notify halted"]);
    });

    it("failed smoke tests end the rollout with traffic never moved (exit 2)", async () => {
        const w = world({ smokeFails: true });
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.rolled_back);
        assert.match(r.reason!, /smoke tests failed \(\/health\/db\); no traffic moved/);
        assert.ok(!w.log.some((l) => l.startsWith("weight")));
    });

    it("preflight refusal (outside the window) changes nothing and exits 4, with a record", async () => {
        const w = world();
        w.clock.advance(6 * 3600_000); // 16:30
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.refused);
        assert.match(r.reason!, /release-window/);
        assert.deepEqual(w.log, ["record"]);
        assert.deepEqual(w.records[0].preflight!.refusals.length, 1);
    });

    it("another rollout holding the lock refuses (exit 4) without touching anything", async () => {
        const w = world();
        await w.store.acquire("prod", "ci:other", w.clock.now(), 600_000);
        w.log.length = 0;
        const r = await w.orchestrator.rollout(w.request);
        assert.equal(r.exitCode, EXIT.refused);
        assert.match(r.reason!, /lock: another rollout holds the prod lock \(ci:other/);
        assert.deepEqual(w.log, ["record"]);
    });

    it("an emergency outside the calendar is allowed and recorded", async () => {
        const w = world();
        w.clock.advance(ny("2026-12-24T03:00") - TUESDAY);
        const r = await w.orchestrator.rollout({ ...w.request, emergency: { reason: "CVE-2026-0001 hotfix" } });
        assert.equal(r.exitCode, 0, r.reason ?? "");
        assert.equal(w.records[0].emergency!.reason, "CVE-2026-0001 hotfix");
        assert.deepEqual(w.records[0].emergency!.overridden.map((o) => o.rule), ["holiday-freeze", "release-day", "release-window"]);
        assert.match(w.notes[0].message, /EMERGENCY: CVE-2026-0001 hotfix/);
        assert.match(renderMarkdown(w.records[0]), /EMERGENCY override:\*\* CVE-2026-0001 hotfix/);
    });

    it("a dry run prints the plan and touches nothing; --at sets the preflight clock", async () => {
        const w = world();
        const r = await w.orchestrator.rollout({ ...w.request, dryRun: true, atMs: ny("2026-11-03T10:30") });
        assert.equal(r.exitCode, 0);
        assert.deepEqual(w.log, []);
        assert.match(r.plan.join("\n"), /step 1: 10% to green, bake 300s/);
        assert.match(r.plan.join("\n"), /migrations with green's task definition: api-gateway: python manage.py migrate --database mongodb/);
        const late = await w.orchestrator.rollout({ ...w.request, dryRun: true, atMs: ny("2026-11-03T16:00") });
        assert.equal(late.exitCode, 4);
    });

    it("rolling (dev): migrations run once ECS settled; a failed migration rolls the images back", async () => {
        const w = world({ strategy: "rolling", migrationFails: true });
        w.deps.snapshots = null;
        w.deps.smoke = null;
        const r = await w.orchestrator.rollout({ ...w.request, stack: "dev", environment: "dev", changeRequest: undefined });
        assert.equal(r.exitCode, EXIT.rolled_back, r.reason ?? "");
        assert.deepEqual(w.log.filter((l) => l.startsWith("rolling") || l.startsWith("migrate")), ["rolling v2.0.0", "migrate blue", "rolling v2.0.0-rollback"]);
    });

    it("resume and rollback go through the engine with a record and a notification", async () => {
        const w = world();
        const none = await w.orchestrator.continueRollout("rollback", { stack: "prod", environment: "prod", owner: "me", reason: "bad" });
        assert.equal(none.exitCode, EXIT.refused);
        assert.match(none.reason!, /no rollout in flight/);
        // A rollout halted by a critical alarm before its first shift, then rolled back by a human.
        const h = world({ sample: () => ({ ...good(), alarms: ["tms-prod-critical-5xx"] }) });
        const halted = await h.orchestrator.rollout(h.request);
        assert.equal(halted.exitCode, EXIT.halted);
        const rb = await h.orchestrator.continueRollout("rollback", { stack: "prod", environment: "prod", owner: "ops", reason: "alarm is real" });
        assert.equal(rb.exitCode, EXIT.rolled_back);
        assert.match(rb.reason!, /manual: alarm is real/);
        // The rollback continues the rollout's own record: one record per rollout, complete.
        assert.equal(h.records[1].rolloutId, h.records[0].rolloutId);
        assert.equal(h.records[1].changeRequest?.id, "CHG-7");
        assert.ok(h.records[1].steps.some((s) => s.name === "rollback" && /rollback requested by ops in halted: alarm is real/.test(s.detail)));
        assert.equal(h.notes[h.notes.length - 1].kind, "rolled_back");
    });
});
