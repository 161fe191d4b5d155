import { strict as assert } from "assert";
import { VirtualClock } from "../../automation/clock";
import { DatabaseFailoverPort, DatabaseState, DrStackPort, failover, FAILOVER_STEPS, formatStepLog } from "../../automation/dr";
import type { TargetHealth } from "../../automation/ports";

/** A dr world: the database promotes after `promoteMs`, targets turn healthy `healthyAfterMs` after scaling. */
function world(clock: VirtualClock, o: { promoteMs?: number; healthyAfterMs?: number; role?: DatabaseState["role"]; failScale?: boolean } = {}) {
    const calls: string[] = [];
    let detachedAt: number | undefined = o.role === "standalone" ? 0 : undefined;
    let scaledAt: number | undefined;
    const database: DatabaseFailoverPort = {
        async describe() {
            calls.push("describe");
            if (o.role === "primary") return { role: "primary", status: "available" };
            if (detachedAt === undefined) return { role: "secondary", status: "available" };
            return clock.now() - detachedAt >= (o.promoteMs ?? 120_000) ? { role: "standalone", status: "available" } : { role: "standalone", status: "modifying" };
        },
        async detachAndPromote() { calls.push("detach"); detachedAt = clock.now(); },
    };
    const stack: DrStackPort = {
        async scaleServices(count) {
            calls.push(`scale ${count}`);
            if (o.failScale) throw new Error("pulumi up failed: AccessDenied on ecs:UpdateService");
            scaledAt = clock.now();
        },
        async liveHealth(): Promise<TargetHealth> {
            calls.push("health");
            if (scaledAt === undefined || clock.now() - scaledAt < (o.healthyAfterMs ?? 180_000)) return { healthy: 4, unhealthy: 0, pending: 2 };
            return { healthy: 6, unhealthy: 0, pending: 0 };
        },
    };
    return { database, stack, calls };
}

describe("dr failover", () => {
    it("promotes in the guide's order: database, then capacity, then health, then the report", async () => {
        const clock = new VirtualClock(1_000_000);
        const w = world(clock);
        const report = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60, pollMs: 15_000 });
        assert.equal(report.outcome, "promoted");
        assert.deepEqual(report.steps.map((s) => s.step), [...FAILOVER_STEPS]);
        const firstScale = w.calls.indexOf("scale 6");
        assert.ok(w.calls.indexOf("detach") < firstScale, "database promoted before services scale");
        assert.ok(w.calls.lastIndexOf("describe") < firstScale, "scaling waits for the promoted cluster");
        assert.equal(w.calls.filter((c) => c === "detach").length, 1);
        assert.equal(report.totalMs, 120_000 + 180_000, "2 min promotion + 3 min to healthy");
        assert.equal(report.withinRto, true);
        const log = formatStepLog(report, 1_000_000);
        assert.match(log[1], /^\+ +0m00s  detach-and-promote-database +done +2m00s/);
        assert.match(log[4], /5m00s of the 60 min RTO$/);
    });

    it("stops at a failing step and reports it, without running later steps", async () => {
        const clock = new VirtualClock(0);
        const w = world(clock, { failScale: true });
        const report = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60 });
        assert.equal(report.outcome, "failed");
        assert.equal(report.failedStep, "scale-services");
        assert.match(report.error!, /AccessDenied on ecs:UpdateService/);
        assert.deepEqual(report.steps.map((s) => `${s.step}:${s.status}`), ["check-database:done", "detach-and-promote-database:done", "scale-services:failed"]);
        assert.ok(!w.calls.includes("health"));
    });

    it("times out waiting for health and says how far it got", async () => {
        const clock = new VirtualClock(0);
        const w = world(clock, { healthyAfterMs: 10 * 3600_000 });
        const report = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60, healthTimeoutMs: 600_000 });
        assert.equal(report.failedStep, "verify-health");
        assert.match(report.error!, /timed out after 600 s \(4\/6 healthy, 0 unhealthy, 2 pending\)/);
    });

    it("flags a promotion that overruns the RTO", async () => {
        const clock = new VirtualClock(0);
        const w = world(clock, { promoteMs: 50 * 60_000, healthyAfterMs: 15 * 60_000 });
        const report = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60, databaseTimeoutMs: 3600_000 });
        assert.equal(report.outcome, "promoted");
        assert.equal(report.withinRto, false);
        assert.match(report.steps[4].detail, /RTO EXCEEDED/);
    });

    it("is idempotent: a rerun after the database was promoted skips the detach", async () => {
        const clock = new VirtualClock(0);
        const w = world(clock, { role: "standalone", promoteMs: 0 });
        const report = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60 });
        assert.equal(report.outcome, "promoted");
        assert.equal(report.steps[1].status, "skipped");
        assert.ok(!w.calls.includes("detach"));
    });

    it("refuses to promote a primary, and a dry run touches nothing", async () => {
        const clock = new VirtualClock(0);
        const w = world(clock, { role: "primary" });
        const refused = await failover({ clock, database: w.database, stack: w.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60 });
        assert.equal(refused.failedStep, "check-database");
        assert.match(refused.error!, /primary already/);
        const w2 = world(clock);
        const dry = await failover({ clock, database: w2.database, stack: w2.stack, targetCount: 6, expectedHealthyTargets: 6, rtoMinutes: 60, dryRun: true });
        assert.equal(dry.outcome, "dry-run");
        assert.deepEqual(w2.calls, []);
        assert.deepEqual(dry.steps.map((s) => s.status), FAILOVER_STEPS.map(() => "planned"));
    });
});
