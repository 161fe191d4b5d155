/**
 * L4: day-two faults (a kill, a failed save, a skewed clock, a stopped runner) on the engine and the orchestration, on a virtual clock with fakes for every
 * port (the chaos suite, `npm run test:chaos`, repeats them on the real engine). Each test names the
 * behaviour it pins.
 */
import { strict as assert } from "assert";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine, SAVE_ATTEMPTS, type RolloutEvent } from "../../automation/engine";
import { EXIT } from "../../automation/orchestrate";
import { isLease, LEASE_SKEW_MARGIN_MS, StackBlockedError } from "../../automation/ports";
import type { RolloutState } from "../../automation/state";
import { FakeStack } from "../../automation/sim/fake-stack";
import { MemoryStateStore } from "../../automation/state-memory";
import { defaultRolloutSettings } from "../../config/rollout-settings";
import { world } from "./fakes";
import { errorSpike, good } from "./helpers";

const release = { id: "2.0.0", images: { "api-gateway": "2.0.0" } };
const SPIKE_AT = 420_000; // the second interval of the 30% step

function engineWorld() {
    const clock = new VirtualClock(0);
    const stack = new FakeStack(clock);
    const store = new MemoryStateStore(true);
    const events: RolloutEvent[] = [];
    const metrics = { query: async (w: { endMs: number }) => (w.endMs === SPIKE_AT ? errorSpike() : good()) };
    const engine = (c: VirtualClock = clock, onEvent?: (e: RolloutEvent) => void) =>
        new RolloutEngine({ stack, clock: c, store, metrics, onEvent: (e) => (events.push(e), onEvent?.(e)) });
    return { clock, stack, store, events, engine };
}

describe("day two: decisions, saves and errors while traffic is split (issue 20 §2, §3)", () => {
    it("a rollback decision is saved before it is reported: a kill right after the DECISION line still ends in a rollback", async () => {
        const t = engineWorld();
        let atDecision: RolloutState | undefined;
        await t.engine(t.clock, (e) => {
            // What a resume would find if the process died right after printing this line.
            if (e.type === "decision" && e.outcome === "rolling_back") atDecision = structuredClone(t.store.history.at(-1));
        }).start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") });
        assert.equal(atDecision?.status, "rolling_back", "the decision was persisted before the line was printed");

        // The world as that kill left it: traffic still at 30%, the decision saved; another runner resumes.
        const clock = new VirtualClock(SPIKE_AT + 300_000 + LEASE_SKEW_MARGIN_MS + 1);
        const stack = new FakeStack(clock, { weight: 30, running: { blue: true, green: true } });
        const store = new MemoryStateStore();
        await store.save(atDecision!);
        const r = await new RolloutEngine({ stack, clock, store, metrics: { query: async () => good() } }).resume("prod", "ci-2");
        assert.equal(r.outcome, "rolled_back", "a canary judged bad is never promoted");
        assert.equal(stack.traffic.weight, 0);
    });

    it("a state save that fails (throttling) is retried with backoff; the rollout carries on and rolls back as decided", async () => {
        const t = engineWorld();
        const save = t.store.save.bind(t.store);
        let failures = 0;
        t.store.save = async (s, l) => {
            if (s.status === "rolling_back" && failures < SAVE_ATTEMPTS - 1) {
                failures++;
                throw Object.assign(new Error("DynamoDB PutItem (save state) failed: ThrottlingException: Rate exceeded"), { name: "AwsCallError" });
            }
            return save(s, l);
        };
        const r = await t.engine().start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") });
        assert.equal(failures, SAVE_ATTEMPTS - 1);
        assert.equal(r.outcome, "rolled_back");
        assert.equal(t.stack.traffic.weight, 0);
    });

    it("an unexpected error while traffic is split attempts weight 0 before the run ends, and says so", async () => {
        const t = engineWorld();
        const save = t.store.save.bind(t.store);
        t.store.save = async (s, l) => {
            if (s.status === "shifting" && s.stepIndex === 1 && s.weightApplied) throw new Error("DynamoDB unreachable");
            return save(s, l);
        };
        await assert.rejects(t.engine().start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") }),
            /DynamoDB unreachable; traffic was split \(30% to green\): weight 0 applied and read back/);
        assert.equal(t.stack.traffic.weight, 0, "no traffic left on an unjudged candidate");
        assert.equal(await t.store.lockHolder("prod", t.clock.now()), null, "the lock is given up");
    });
});

describe("day two: traffic only to healthy registered targets (issue 20 §1)", () => {
    it("a candidate scaled to 0 during a bake (an empty target group has no unhealthy host) is not stepped up: rollback", async () => {
        const t = engineWorld();
        t.stack.hooks = { candidateHealth: () => (t.stack.traffic.weight >= 10 ? { healthy: 0, unhealthy: 0, pending: 0 } : { healthy: 2, unhealthy: 0, pending: 0 }) };
        const quiet = { query: async () => good() };
        const engine = new RolloutEngine({ stack: t.stack, clock: t.clock, store: t.store, metrics: quiet });
        const r = await engine.start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") });
        assert.equal(r.outcome, "rolled_back");
        assert.match(r.reason!, /^candidate-health: green has no healthy registered targets to take 30% \(0 healthy, 0 unhealthy, 0 pending\)/);
        assert.deepEqual(t.stack.weightHistory(), [10, 0], "never 30%");
    });
});

describe("day two: leases under clock skew (issue 20 §6)", () => {
    it("a runner whose clock is 6 minutes ahead does not take a live lease; one past expiry plus the margin does, with a higher fencing token", async () => {
        const store = new MemoryStateStore();
        const held = await store.acquire("prod", "ci-1", 0, 300_000);
        assert.ok(isLease(held));
        assert.ok(!isLease(await store.acquire("prod", "ci-fast", 300_000 + 6 * 60_000, 300_000)), "6 minutes ahead: still held");
        const taken = await store.acquire("prod", "ci-2", 300_000 + LEASE_SKEW_MARGIN_MS + 1, 300_000);
        assert.ok(isLease(taken) && taken.token === held.token + 1);
        // The old holder is fenced off: its renewal (made before every save and up) and its saves fail.
        await assert.rejects(store.renew(held, 0, 300_000), /lease on prod lost by ci-1/);
        await store.save({ stack: "prod" } as RolloutState, taken);
        await assert.rejects(store.save({ stack: "prod" } as RolloutState, held), /lease on prod lost/);
    });
});

describe("day two: the whole release is one persisted state machine (issue 20 §5, §7)", () => {
    it("a kill during the migrations is resumed on another runner: the snapshot is not taken twice, migrations run again, the record is complete", async () => {
        const w = world();
        const migrate = w.deps.migrations.migrate.bind(w.deps.migrations);
        let killed = false;
        w.deps.migrations = {
            migrate: async (c, id) => {
                if (!killed) {
                    killed = true;
                    w.clock.freezeAt(w.clock.now() + 1);
                    await w.clock.sleep(60_000); // the runner dies inside the migration task
                }
                return migrate(c, id);
            },
        };
        void w.orchestrator.rollout(w.request);
        await w.clock.frozen;
        const saved = (await w.store.load("prod"))!;
        assert.equal(saved.status, "migrating");
        assert.equal(saved.record?.changeRequest?.id, "CHG-7", "the record is saved with the state from the start");

        // Another runner, after the lease (and the skew margin) ran out.
        const next = world();
        Object.assign(next.deps, { store: w.store, stack: w.deps.stack, snapshots: w.deps.snapshots, migrations: { migrate } });
        next.clock.advance(w.clock.now() - next.clock.now() + 300_000 + LEASE_SKEW_MARGIN_MS + 1);
        const { RolloutOrchestrator } = await import("../../automation/orchestrate");
        const r = await new RolloutOrchestrator(next.deps).continueRollout("resume", { stack: "prod", environment: "prod", owner: "ci:run-2" });
        assert.equal(r.outcome, "promoted", r.reason ?? "");
        assert.equal(w.log.filter((l) => l === "snapshot").length, 1, "one snapshot: its name was saved before it was taken");
        const rec = next.records.at(-1)!;
        assert.equal(rec.rolloutId, saved.rolloutId);
        assert.equal(rec.changeRequest?.id, "CHG-7");
        assert.ok(rec.preflight);
        assert.match(rec.steps.find((s) => s.name === "snapshot")!.detail, /^tms-prod-predeploy-v2\.0\.0/);
        assert.ok(rec.steps.some((s) => s.name === "resume" && /resumed by ci:run-2 in migrating/.test(s.detail)));
        assert.ok(rec.samples.length >= 45, `${rec.samples.length} samples`);
    });

    it("SIGTERM mid-step saves the state, writes the record, pages where traffic is and how to resume, and frees the lock", async () => {
        const w = world();
        w.clock.freezeAt(w.clock.now() + 600_000); // in the 30% step
        void w.orchestrator.rollout(w.request);
        await w.clock.frozen;
        const r = (await w.orchestrator.interrupt("SIGTERM"))!;
        assert.equal(r.exitCode, EXIT.interrupted);
        const page = w.notes.at(-1)!;
        assert.equal(page.kind, "interrupted");
        assert.match(page.message.split("\n")[0], /^prod: v2\.0\.0 interrupted: 30% of traffic on green \(candidate\), 70% on blue; the runner was stopped by SIGTERM in shifting; run `npm run rollout -- --stack prod --resume`/);
        assert.equal(w.records.at(-1)!.outcome, "interrupted");
        assert.equal(w.records.at(-1)!.changeRequest?.id, "CHG-7");
        assert.equal(await w.store.lockHolder("prod", w.clock.now()), null, "a resume need not wait for the lease");
        assert.equal((await w.store.load("prod"))!.status, "shifting");
    });
});

describe("day two: a stack left locked by a killed update is not a reason to roll back (issue 20 §3, found by the chaos suite)", () => {
    const locked = () => new StackBlockedError("the Pulumi stack prod is locked by another update (or one that was killed): if no `pulumi up` is running on it, run `pulumi cancel --stack prod --yes`, then resume");

    it("the candidate deploy cannot start: halted naming the remedy (no rollback of a release nobody judged); the resume deploys and promotes", async () => {
        const t = engineWorld();
        let blocked = true;
        t.stack.hooks = { deployCandidate: () => (blocked ? locked() : undefined) };
        const quiet = { query: async () => good() };
        const r = await new RolloutEngine({ stack: t.stack, clock: t.clock, store: t.store, metrics: quiet }).start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") });
        assert.equal(r.outcome, "halted", r.reason ?? "");
        assert.match(r.reason!, /^no traffic on green \(weight 0\); the deploy did not start: .*pulumi cancel --stack prod --yes/);
        assert.equal(r.state.haltedFrom, "deploying");
        blocked = false; // a human ran `pulumi cancel`
        const resumed = await new RolloutEngine({ stack: t.stack, clock: t.clock, store: t.store, metrics: quiet }).resume("prod", "ci-2");
        assert.equal(resumed.outcome, "promoted", resumed.reason ?? "");
    });

    it("a weight step cannot start: halted with where traffic is; the resume applies the step again and promotes", async () => {
        const t = engineWorld();
        let blocked = true;
        t.stack.hooks = { setWeight: (w) => (w === 30 && blocked ? { error: locked(), applied: false } : undefined) };
        const quiet = { query: async () => good() };
        const r = await new RolloutEngine({ stack: t.stack, clock: t.clock, store: t.store, metrics: quiet }).start({ stack: "prod", owner: "ci-1", release, settings: defaultRolloutSettings("canary") });
        assert.equal(r.outcome, "halted", r.reason ?? "");
        assert.match(r.reason!, /^10% of traffic on green; step 2 \(30%\) not applied: .*pulumi cancel --stack prod --yes/);
        assert.equal(t.stack.traffic.weight, 10);
        blocked = false;
        const resumed = await new RolloutEngine({ stack: t.stack, clock: t.clock, store: t.store, metrics: quiet }).resume("prod", "ci-2");
        assert.equal(resumed.outcome, "promoted", resumed.reason ?? "");
        assert.deepEqual(t.stack.weightHistory().slice(0, 4), [10, 30, 50, 100]);
    });
});
