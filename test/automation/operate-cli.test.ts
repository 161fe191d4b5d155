/**
 * L4: `rollout:status`, `rollout:unlock` and `rollout:cleanup` against a fake world (state and lock
 * in files, a fake stack and notifier), each spawned once as the real entry point, the other cases
 * through main() in-process with the same world. The persisted states are made by running the real
 * engine on a virtual clock that stops mid-rollout (a runner that died) or runs to an outcome.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main, watchFrame } from "../../automation/cli";
import { VirtualClock } from "../../automation/clock";
import { RolloutEngine } from "../../automation/engine";
import type { MetricsSample } from "../../automation/ports";
import { resolveRolloutSettings } from "../../config/rollout-settings";
import type { RolloutState } from "../../automation/state";
import { FakeStack, type FakeStackHooks } from "../../automation/sim/fake-stack";
import { FileStateStore } from "./state-file";
import { fakeEnvironment, notifications, worldPaths, writeWorld } from "./fake-cli-world";
import { errorSpike, good, ROOT, spawnTs, type Spawned } from "./helpers";

const MIN = 60_000;
const IMAGES = { "api-gateway": "repo/api:v2", "task-service": "repo/task:v2" };

/** A fresh world folder with the traffic the fake stack reports. */
function world(name: string, readWeight: number | string = 30): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `operate-${name}-`));
    writeWorld(dir, {
        traffic: { live: "blue", weight: 30, images: { blue: { "api-gateway": "repo/api:v1", "task-service": "repo/task:v1" }, green: IMAGES }, running: { blue: true, green: true } },
        readWeight,
    });
    return dir;
}

/**
 * Run the real engine on prod's default canary settings from `startedAgo` minutes ago, on a virtual
 * clock stopped after `runMinutes` (the runner dies there: its lease stays), or until an outcome.
 */
async function persist(dir: string, o: { startedAgo: number; runMinutes?: number; sample?: (i: number) => MetricsSample; hooks?: FakeStackHooks }): Promise<RolloutState> {
    const t0 = Date.now() - o.startedAgo * MIN;
    const clock = new VirtualClock(t0);
    if (o.runMinutes !== undefined) clock.freezeAt(t0 + o.runMinutes * MIN);
    const store = new FileStateStore(worldPaths(dir).state);
    let i = 0;
    const engine = new RolloutEngine({ stack: new FakeStack(clock, {}, o.hooks), metrics: { query: async () => (o.sample ?? good)(i++) }, clock, store });
    const run = engine.start({ stack: "prod", owner: "github:org/tms#77.1 (ana)", release: { id: "v2", images: IMAGES }, settings: resolveRolloutSettings("canary", {}), rolloutId: "prod-v2-20260310T143000Z" });
    await Promise.race([run, clock.frozen]);
    return (await store.load("prod"))!;
}

async function inProcess(dir: string, argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, fakeEnvironment(dir, { out: (l) => out.push(l), err: (l) => err.push(l) }));
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

const spawnCli = (dir: string, argv: string[]) => spawnTs("test/automation/fixtures/cli-with-fakes.ts", argv, { ...process.env, TMS_FAKE_WORLD: dir });

describe("rollout:status, rollout:unlock, rollout:cleanup (fake world)", function () {
    this.timeout(120_000);

    describe("spawned as the real entry point", () => {
        const dirs: Record<string, string> = {};
        const runs: Record<string, Spawned> = {};
        let watch: { run: Spawned; firstBlock: string };
        before(async () => {
            // A canary whose runner died 8 minutes in (step 2, 30%, two of its five minutes analysed) twelve
            // minutes ago: its lease (5 minutes from the last save) has expired.
            dirs.status = world("status");
            await persist(dirs.status, { startedAgo: 20, runMinutes: 8 });
            dirs.unlock = world("unlock");
            // The runner died 32 minutes ago: its 5-minute lease ran out 27 minutes ago, past the 15-minute clock-skew margin.
            await persist(dirs.unlock, { startedAgo: 40, runMinutes: 8 });
            // Promoted 75 minutes ago: blue's rollback window (60 min) is over.
            dirs.cleanup = world("cleanup", 0);
            await persist(dirs.cleanup, { startedAgo: 120 });
            dirs.watch = world("watch");
            await persist(dirs.watch, { startedAgo: 20, runMinutes: 8 });
            const watching = watchUntilDecided(dirs.watch);
            [runs.status, runs.unlock, runs.cleanup, watch] = await Promise.all([
                spawnCli(dirs.status, ["status", "--stack", "prod"]),
                spawnCli(dirs.unlock, ["unlock", "--stack", "prod", "--reason", "runner died (job 77 cancelled)"]),
                spawnCli(dirs.cleanup, ["cleanup", "--stack", "prod"]),
                watching,
            ]);
        });

        it("status: exit 5 in flight; phase, weight stepped to and read back, bake left, last line per rule, lock, colours", () => {
            const r = runs.status;
            assert.equal(r.code, 5, r.stdout + r.stderr);
            assert.match(r.stdout, /^prod: IN FLIGHT — rollout prod-v2-20260310T143000Z/);
            assert.match(r.stdout, /release {4}v2 \(canary\): api-gateway=repo\/api:v2, task-service=repo\/task:v2/);
            assert.match(r.stdout, /phase {6}step 2 \(30%\) for \d+m\d\ds — rollout started 20\d\d-/);
            assert.match(r.stdout, /bake {7}3m00s left of 5m00s/);
            assert.match(r.stdout, /weight {5}stepped to 30%; load balancer reads 30%/);
            for (const rule of ["baseline", "alarms", "health", "errors", "latency"]) assert.match(r.stdout, new RegExp(`\\n\\s+\\+\\d+s \\S.* ${rule} +OK `), rule);
            // The lease expired 8 minutes before the world was written; a slow spawn only adds to it.
            const expired = /lock {9}held by github:org\/tms#77\.1 \(ana\) — lease EXPIRED (\d+)m\d\ds ago/.exec(r.stdout);
            assert.ok(expired && Number(expired[1]) >= 8, r.stdout);
            assert.match(r.stdout, /colours {6}live blue \(running\), candidate green \(running\), weight 30% in the deployed release/);
            assert.doesNotMatch(r.stderr, /NodeVersionSupportWarning/);
        });

        it("status --watch redraws every interval and ends, with the outcome's exit code, when the rollout does", () => {
            assert.equal(watch.run.code, 2, watch.run.stdout + watch.run.stderr);
            assert.match(watch.firstBlock, /^prod: IN FLIGHT/);
            const blocks = watch.run.stdout.split(/\n\n(?=prod: )/);
            assert.ok(blocks.length >= 2, watch.run.stdout);
            assert.match(blocks[blocks.length - 1], /^prod: ROLLED BACK — rollout prod-v2-20260310T143000Z[\s\S]*decision {3}rolled_back at \S+: manual: on-call/);
        });

        it("unlock: clears the expired lease (exit 0), records it and notifies; the state stays for --resume", async () => {
            const r = runs.unlock;
            assert.equal(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, /^prod: cleared the lock held by github:org\/tms#77\.1 \(ana\) \(lease expired at \S+\)\n/);
            assert.match(r.stdout, /next: rollout prod-v2-20260310T143000Z is still shifting: continue it with `npm run rollout -- --stack prod --resume`/);
            const store = new FileStateStore(worldPaths(dirs.unlock).state);
            assert.equal(await store.readLock("prod"), null);
            assert.equal((await store.load("prod"))!.status, "shifting");
            const [n] = notifications(dirs.unlock);
            assert.equal(n.kind, "unlocked");
            const json = /record: (\S+\.json)/.exec(r.stdout)![1];
            const rec = JSON.parse(fs.readFileSync(json, "utf8"));
            assert.deepEqual([rec.command, rec.outcome, rec.reason], ["unlock", "unlocked", "runner died (job 77 cancelled)"]);
            assert.match(rec.steps[0].detail, /^cleared the lock held by github:org\/tms#77\.1 \(ana\)/);
        });

        it("cleanup: scales the old colour to 0 once its rollback window is over, records it and notifies", async () => {
            const r = runs.cleanup;
            assert.equal(r.code, 0, r.stdout + r.stderr);
            assert.match(r.stdout, /^prod: blue scaled to 0; its rollback window ended /);
            assert.equal(fs.readFileSync(worldPaths(dirs.cleanup).calls, "utf8"), "scaleToZero blue\n");
            assert.equal((await new FileStateStore(worldPaths(dirs.cleanup).state).load("prod"))!.pendingScaleDown, null);
            assert.deepEqual(notifications(dirs.cleanup).map((n) => n.kind), ["scaled_down"]);
            assert.match(r.stdout, /record: \S+prod-cleanup-\d{8}T\d{6}Z\.json/);
        });
    });

    describe("in-process, same world", () => {
        it("status --json: one object with the same facts; a promoted, rolled-back and halted rollout exit 0, 2, 3", async () => {
            const dir = world("json");
            await persist(dir, { startedAgo: 20, runMinutes: 8 });
            const r = await inProcess(dir, ["status", "--stack", "prod", "--json"]);
            assert.equal(r.code, 5);
            const v = JSON.parse(r.stdout);
            assert.deepEqual([v.state, v.rollout.phase, v.rollout.weight.steppedTo, v.rollout.weight.readBack, v.rollout.bake.leftSeconds, v.lock.expired], ["in_flight", "step 2 (30%)", 30, 30, 180, true]);

            const promoted = world("promoted", 0);
            await persist(promoted, { startedAgo: 50 });
            const p = await inProcess(promoted, ["status", "--stack", "prod"]);
            assert.equal(p.code, 0, p.stdout);
            assert.match(p.stdout, /^prod: promoted/);
            assert.match(p.stdout, /scale-down blue to 0 after \S+ \(in \d+m\d\ds\)/);
            assert.match(p.stdout, /lock {9}free/);

            const rolledBack = world("rolled-back", 0);
            await persist(rolledBack, { startedAgo: 30, sample: (i) => (i === 6 ? errorSpike() : good()) });
            const rb = await inProcess(rolledBack, ["status", "--stack", "prod"]);
            assert.equal(rb.code, 2, rb.stdout);
            assert.match(rb.stdout, /decision {3}rolled_back at \S+: errors: candidate 5xx 5\.00% \(28\/560\)/);
            assert.match(rb.stdout, /rollback {3}verified, weight read back 0%/);
            assert.match(rb.stdout, /\n\s+\+\d+s step 2 \(30%\) +errors +ROLLBACK /);

            const halted = world("halted");
            await persist(halted, { startedAgo: 30, sample: (i) => (i >= 3 ? { ...good(), candidate: { requests: 3, errors5xx: 0, p95Ms: 200 } } : good()) });
            assert.equal((await inProcess(halted, ["status", "--stack", "prod"])).code, 3);

            const none = world("none");
            const n = await inProcess(none, ["status", "--stack", "prod"]);
            assert.equal(n.code, 0);
            assert.match(n.stdout, /^prod: no rollout recorded/);
        });

        it("status --watch started before a rollout's first save waits while the lock is held, then follows that rollout to its end", async () => {
            // The previous rollout was promoted; a new runner holds the lock (preflight, snapshot) but has saved nothing yet.
            const dir = world("starting", 0);
            const previous = await persist(dir, { startedAgo: 50 });
            const store = new FileStateStore(worldPaths(dir).state);
            const lease = await store.acquire("prod", "github:org/tms#78.1 (bo)", Date.now(), 5 * MIN);
            if (!("token" in lease)) throw new Error(`lock not taken: ${JSON.stringify(lease)}`);
            const plain = await inProcess(dir, ["status", "--stack", "prod"]);
            assert.equal(plain.code, 0, "without --watch: the last rollout's outcome");
            assert.match(plain.stdout, /^prod: promoted — rollout prod-v2-/);

            const screens: string[] = [];
            let screen: string[] = [];
            const next = "prod-v3-20260310T160000Z";
            const saves = [
                () => store.save({ ...previous, rolloutId: next, status: "shifting", outcome: null, reason: null, decidedAtMs: null, weight: 10, targetWeight: 10, pendingScaleDown: null, updatedAtMs: Date.now() } as RolloutState),
                async () => {
                    await store.save({ ...(await store.load("prod"))!, status: "rolled_back", outcome: "rolled_back", reason: "errors: candidate 5xx", decidedAtMs: Date.now(), weight: 0 });
                    await store.release(lease);
                },
            ];
            const code = await main(["status", "--stack", "prod", "--watch", "--interval", "0.05"], fakeEnvironment(dir, {
                out: (l) => {
                    if (l !== "") return void screen.push(l);
                    screens.push(screen.join("\n"));
                    screen = [];
                    // Each screen ends with a blank line when not on a terminal: the next save happens between two screens.
                    if (screens.length === 2) void saves[0]();
                    if (screens.length === 4) void saves[1]();
                },
                err: (l) => screen.push(l),
            }));
            screens.push(screen.join("\n"));
            assert.equal(code, 2, screens.join("\n---\n"));
            assert.match(screens[0], /^prod: promoted — rollout prod-v2-[\s\S]*lock {9}held by github:org\/tms#78\.1 \(bo\)[\s\S]*\nwatch {8}the lock is held: waiting for the rollout it guards to save its first state$/);
            assert.ok(screens.some((x) => x.startsWith(`prod: IN FLIGHT — rollout ${next}`)), screens.join("\n---\n"));
            assert.match(screens[screens.length - 1], new RegExp(`^prod: ROLLED BACK — rollout ${next}`));
            assert.doesNotMatch(screens[screens.length - 1], /waiting for the rollout/);
        });

        it("status --watch on a terminal draws each screen as one frame in one write (never line by line), and ends with the rollout", async () => {
            const dir = world("frames");
            await persist(dir, { startedAgo: 20, runMinutes: 8 });
            const store = new FileStateStore(worldPaths(dir).state);
            const frames: string[][] = [];
            const out: string[] = [];
            const env = fakeEnvironment(dir, { out: (l) => out.push(l), err: (l) => out.push(l) });
            env.terminal = {
                line: () => undefined,
                screen: (lines) => {
                    frames.push(lines);
                    // A human's rollback once two frames are out: the watch draws it and ends.
                    if (frames.length === 2) void store.load("prod").then((s) => store.save({ ...s!, status: "rolled_back", outcome: "rolled_back", reason: "manual", decidedAtMs: Date.now(), weight: 0 }));
                },
            };
            const code = await main(["status", "--stack", "prod", "--watch", "--interval", "0.05"], env);
            assert.equal(code, 2, frames.map((f) => f.join("\n")).join("\n---\n"));
            assert.deepEqual(out, [], "nothing printed outside the frames");
            assert.ok(frames.length >= 3, `${frames.length} frames`);
            for (const f of frames) {
                assert.match(f[0], /^prod: /);
                assert.ok(f.some((l) => /^colours {6}live /.test(l)), f.join("\n"));
            }
            assert.match(frames[0][0], /^prod: IN FLIGHT/);
            assert.match(frames[frames.length - 1][0], /^prod: ROLLED BACK/);
            // The write: home, each line erasing the rest of its row, then everything below; no clear-screen (a blank flash).
            assert.equal(watchFrame(["a", "b"]), "\x1b[Ha\x1b[K\nb\x1b[K\n\x1b[J");
            assert.doesNotMatch(watchFrame(frames[0]), /\x1b\[2J/);
        });

        it("status --watch outlives a failed read (says so, looks again) and gives up after 5 in a row", async () => {
            const dir = world("flaky");
            await persist(dir, { startedAgo: 20, runMinutes: 8 });
            const store = new FileStateStore(worldPaths(dir).state);
            const hangUp = new Error("DynamoDB GetItem (load state) failed: TimeoutError: socket hang up");
            const run = async (failing: (call: number) => boolean) => {
                const out: string[] = [];
                const err: string[] = [];
                let calls = 0;
                const env = fakeEnvironment(dir, { out: (l) => out.push(l), err: (l) => err.push(l) });
                const adjust = env.adjustDeps!;
                env.adjustDeps = (deps) => {
                    const d = adjust(deps);
                    const real = d.store;
                    const load = real.load.bind(real);
                    d.store = Object.assign(Object.create(Object.getPrototypeOf(real)), real, {
                        load: async (stack: string) => {
                            calls++;
                            if (failing(calls)) throw hangUp;
                            // Once the watch has drawn a screen after the failure, a human's rollback ends the rollout.
                            if (calls === 4) await real.save({ ...(await load(stack))!, status: "rolled_back", outcome: "rolled_back", reason: "manual", decidedAtMs: Date.now(), weight: 0 });
                            return load(stack);
                        },
                    });
                    return d;
                };
                const code = await main(["status", "--stack", "prod", "--watch", "--interval", "0.02"], env);
                return { code, out: out.join("\n"), err: err.join("\n") };
            };
            const once = await run((n) => n === 3);
            assert.equal(once.code, 2, once.out + once.err);
            assert.equal(once.err, "watch: could not read the status (DynamoDB GetItem (load state) failed: TimeoutError: socket hang up); again in 0.02s (failure 1 of 5 in a row)");
            assert.match(once.out, /prod: ROLLED BACK/);

            await store.save({ ...(await store.load("prod"))!, status: "shifting", outcome: null, reason: null, decidedAtMs: null });
            const always = await run((n) => n >= 3);
            assert.equal(always.code, 1, always.out + always.err);
            const lines = always.err.split("\n");
            assert.deepEqual(lines.slice(0, 4).map((l) => /failure (\d) of 5/.exec(l)?.[1]), ["1", "2", "3", "4"], always.err);
            assert.match(lines.slice(4).join("\n"), /socket hang up/);
            assert.equal(lines.length, 5, always.err);
        });

        it("unlock refuses a live lease (exit 4) unless --force, which pages (critical)", async () => {
            const dir = world("live");
            await persist(dir, { startedAgo: 9, runMinutes: 8 });
            const refused = await inProcess(dir, ["unlock", "--stack", "prod", "--reason", "stuck?"]);
            assert.equal(refused.code, 4);
            assert.match(refused.stderr, /^prod: the lock is held by github:org\/tms#77\.1 \(ana\) until \S+ \(\d+m\d\ds left\): its runner may still be working/);
            assert.ok(await new FileStateStore(worldPaths(dir).state).readLock("prod"), "the lock is still there");
            assert.deepEqual(notifications(dir), [], "a refusal changes nothing and announces nothing");
            const forced = await inProcess(dir, ["unlock", "--stack", "prod", "--reason", "runner VM gone", "--force"]);
            assert.equal(forced.code, 0, forced.stderr);
            assert.match(forced.stdout, /lease live until \S+\) with --force/);
            assert.deepEqual(notifications(dir).map((x) => x.kind), ["unlock_forced"]);
        });

        it("unlock refuses while the saved state says a rollback is in progress, even with an expired lease, unless --force", async () => {
            const dir = world("rolling-back", "listener update failed");
            // The rollback's weight-0 update fails every attempt: the rollout halts, saved as rolling back.
            const state = await persist(dir, { startedAgo: 30, sample: (i) => (i === 6 ? errorSpike() : good()), hooks: { setWeight: (w) => (w === 0 ? { error: new Error("listener update failed"), applied: false } : undefined) } });
            assert.deepEqual([state.status, state.haltedFrom], ["halted", "rolling_back"]);
            const store = new FileStateStore(worldPaths(dir).state);
            await store.acquire("prod", "github:org/tms#78.1 (bo)", Date.now() - 10 * MIN, 5 * MIN); // a resume that died too
            const refused = await inProcess(dir, ["unlock", "--stack", "prod", "--reason", "x"]);
            assert.equal(refused.code, 4);
            assert.match(refused.stderr, /in the middle of a rollback \(halted: 30% of traffic still on green \(the bad candidate\), 70% on blue; run `npm run rollout -- --stack prod --resume`/);
            const forced = await inProcess(dir, ["unlock", "--stack", "prod", "--reason", "x", "--force"]);
            assert.equal(forced.code, 0, forced.stderr);
            assert.equal(await store.readLock("prod"), null);
            assert.deepEqual(notifications(dir).map((x) => x.kind), ["unlock_forced"]);
            assert.equal((await inProcess(dir, ["unlock", "--stack", "prod", "--reason", "x"])).stdout, "prod: the rollout lock is free; nothing to unlock");
        });

        it("cleanup refuses before the rollback window is over (exit 4) and does nothing without a pending scale-down", async () => {
            const dir = world("early", 0);
            await persist(dir, { startedAgo: 50 });
            const early = await inProcess(dir, ["cleanup", "--stack", "prod"]);
            assert.equal(early.code, 4);
            assert.match(early.stderr, /^prod: blue stays up for rollback until \S+ \(5\dm\d\ds left\); nothing changed/);
            assert.ok(!fs.existsSync(worldPaths(dir).calls), "nothing scaled");
            const none = world("nothing");
            await persist(none, { startedAgo: 10, runMinutes: 8 }); // in flight, its runner's lease still live
            const r = await inProcess(none, ["cleanup", "--stack", "prod"]);
            assert.deepEqual([r.code, r.stdout], [0, "prod: no colour waits to be scaled down"]);
            assert.deepEqual(notifications(none), []);
        });

        it("cleanup is the watchdog: a rollout in flight whose runner's lease ran out (past the margin) pages, saying where traffic is and what to run", async () => {
            const dir = world("abandoned");
            await persist(dir, { startedAgo: 40, runMinutes: 8 }); // died in the 30% step 32 minutes ago
            const r = await inProcess(dir, ["cleanup", "--stack", "prod"]);
            assert.equal(r.code, 1, r.stdout + r.stderr);
            const [page] = notifications(dir);
            assert.equal(page.kind, "abandoned");
            assert.match(page.message, /^prod: rollout prod-v2-20260310T143000Z abandoned: 30% of traffic on green \(candidate\), 70% on blue; rollout prod-v2-20260310T143000Z was abandoned in shifting \(its lease expired at \S+\); run `npm run rollout -- --stack prod --resume`/);
        });

        it("bad flags: exit 1 with the message and the usage; --help: exit 0", async () => {
            const dir = world("flags");
            const a = await inProcess(dir, ["unlock", "--stack", "prod"]);
            assert.equal(a.code, 1);
            assert.match(a.stderr, /^--reason TEXT is required to unlock \(it is recorded\)\nusage: npm run rollout:unlock -- --stack NAME --reason TEXT \[--force\]/);
            const b = await inProcess(dir, ["status", "--stack", "prod", "--interval", "5"]);
            assert.match(b.stderr, /^--interval only applies with --watch/);
            const h = await inProcess(dir, ["cleanup", "--help"]);
            assert.equal(h.code, 0);
            assert.match(h.stdout, /^usage: npm run rollout:cleanup -- --stack NAME\n\nScale the previous live colour/);
        });
    });
});

/**
 * `status --watch --interval 0.3` on a rollout in flight; once the first screen is out, a human's
 * rollback is saved (as the engine would) and the watcher must draw it and exit 2.
 */
function watchUntilDecided(dir: string): Promise<{ run: Spawned; firstBlock: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(ROOT, "node_modules/.bin/ts-node"), ["--transpile-only", "test/automation/fixtures/cli-with-fakes.ts", "status", "--stack", "prod", "--watch", "--interval", "0.3"],
            { cwd: ROOT, env: { ...process.env, TMS_FAKE_WORLD: dir } });
        let stdout = "";
        let stderr = "";
        let firstBlock = "";
        child.stdout.on("data", (d: Buffer) => {
            stdout += d.toString();
            if (!firstBlock && /\ncolours .*\n.*\n.*\n/.test(stdout)) {
                firstBlock = stdout;
                const store = new FileStateStore(worldPaths(dir).state);
                void store.load("prod").then((s) => store.save({ ...s!, status: "rolled_back", outcome: "rolled_back", reason: "manual: on-call saw p95", decidedAtMs: Date.now(), weight: 0 }));
            }
        });
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        const timer = setTimeout(() => child.kill(), 60_000);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ run: { code, stdout, stderr }, firstBlock });
        });
    });
}
