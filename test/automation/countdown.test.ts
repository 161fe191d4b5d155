/** L4: the live countdown on a terminal (and its absence without one), on a virtual clock. */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import { main, type CliEnvironment } from "../../automation/cli";
import { VirtualClock } from "../../automation/clock";
import { countdownClock, WaitLabel } from "../../automation/countdown";
import { contractOutputs, world } from "./fakes";

describe("live countdown", () => {
    it("redraws one line per second during a long sleep, clears it after, and leaves short sleeps alone", async () => {
        const inner = new VirtualClock(0);
        const frames: (string | null)[] = [];
        const label = new WaitLabel(600);
        label.onEvent({ type: "phase", atMs: 0, status: "shifting", label: "step 1 (10%)", weight: 10, remainingSeconds: 300 });
        const clock = countdownClock(inner, (t) => frames.push(t), (now, wake) => label.text(now, wake));
        await clock.sleep(500);
        assert.deepEqual(frames, [], "no countdown for a short sleep");
        await clock.sleep(60_000);
        assert.equal(inner.now(), 60_500);
        assert.equal(frames.length, 61);
        assert.equal(frames[0], "step 1 (10%) at 10%: bake 5m00s left · next analysis in 1m00s");
        assert.equal(frames[59], "step 1 (10%) at 10%: bake 4m01s left · next analysis in 1s");
        assert.equal(frames[60], null, "cleared before anything else prints");
        label.onEvent({ type: "phase", atMs: 60_500, status: "waiting_healthy", label: "waiting_healthy", weight: 0, remainingSeconds: null });
        assert.equal(label.text(75_500, 90_500), "waiting for healthy targets: gives up in 9m45s · next check in 15s");
    });

    async function rolloutOn(terminal: boolean) {
        const w = world();
        const out: string[] = [];
        const frames: (string | null)[] = [];
        const cr = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "countdown-")), "cr.yaml");
        fs.writeFileSync(cr, "id: CHG-42\nrisk: low\nrollbackPlan: weight to 0\napprovals:\n  - {role: technical-review, by: a}\n  - {role: qa, by: b}\n  - {role: product, by: c}\n");
        const env: CliEnvironment = {
            selectStack: async () => ({ name: "prod", outputs: async () => contractOutputs() }) as unknown as PulumiStackLike,
            adjustDeps: (deps) => ({ ...w.deps, onEvent: deps.onEvent, onPreflight: deps.onPreflight, onStep: deps.onStep }),
            out: (l) => out.push(l),
            err: (l) => out.push(l),
            env: {},
            terminal: terminal ? { line: (t) => frames.push(t), screen: () => undefined } : undefined,
        };
        const code = await main(["rollout", "--stack", "prod", "--image", "api-gateway=repo/api:v2", "--change-request", cr], env);
        return { code, out: out.join("\n"), frames };
    }

    it("a rollout on a terminal counts the bake down live instead of printing a progress line per interval; in CI it prints them", async () => {
        const tty = await rolloutOn(true);
        assert.equal(tty.code, 0, tty.out);
        assert.ok(tty.frames.includes("step 2 (30%) at 30%: bake 3m30s left · next analysis in 30s"), tty.frames.slice(0, 5).join("\n"));
        assert.ok(tty.frames.some((f) => f?.startsWith("validation (100%) at 100%: bake 29m")));
        assert.doesNotMatch(tty.out, / progress /);
        assert.match(tty.out, /phase {4}step 2 \(30%\)/);
        const ci = await rolloutOn(false);
        assert.equal(ci.code, 0);
        assert.deepEqual(ci.frames, []);
        assert.match(ci.out, /progress step 2 \(30%\) at 30%: 4m00s of bake left/);
    });
});
