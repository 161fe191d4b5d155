/**
 * L5+: the "Releasing by hand" commands of docs/traffic.md, run literally by bash against the deployed prod stack
 * (`pulumi` is the sandbox's CLI; PULUMI_SKIP_CONFIRMATIONS=true stands for answering "yes" at the
 * prompts). The weight pair of lines is run for the first step and the last, 10 and 100: the steps between (30, 50)
 * change the same numbers of the same listener rules, and 3c-watched-canary steps through all four with the
 * rollout CLI; each pair is two program runs of the real engine (the targeted `up` previews first). After each
 * `config set`, the engine's own `preview --json` must show updates of listener resources only and
 * no replacement; the stack file must hold the weight as a number; after the last targeted `up`, a full
 * preview must show nothing left to do (the targets covered every change). The finalised release is
 * checked against what the fake AWS stored in 4-day-two (`up --refresh --expect-no-changes`).
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { changes, engineSandbox, previewJson, pulumi, stackFile } from "./sandbox-fixture";

const LISTENER_TYPES = /^aws:(lb|alb)\/(listener|listenerRule):(Listener|ListenerRule)$/;

export const RELEASE_DOC = path.resolve(__dirname, "../../docs/traffic.md");

/** The bash lines of the first fenced block under a heading of a docs page (comments and blank lines dropped). */
export function docCommands(heading: string, page = fs.readFileSync(RELEASE_DOC, "utf8")): string[] {
    const at = page.indexOf(`\n${heading}\n`);
    assert.ok(at >= 0, `docs/traffic.md has no section "${heading}"`);
    const block = page.slice(at).match(/```bash\n([\s\S]*?)```/);
    assert.ok(block, `no bash block under "${heading}"`);
    return block[1].split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

function bash(line: string): { code: number; out: string } {
    const sb = engineSandbox();
    const r = spawnSync("bash", ["-o", "pipefail", "-c", line], { cwd: sb.projectDir, env: { ...sb.env, PULUMI_SKIP_CONFIRMATIONS: "true" }, encoding: "utf8", maxBuffer: 64 << 20 });
    return { code: r.status ?? 1, out: `${r.stdout}\n${r.stderr}` };
}

function run(line: string): string {
    const r = bash(line);
    assert.equal(r.code, 0, `docs/traffic.md command failed: ${line}\n${r.out.slice(-5000)}`);
    return r.out;
}

const outputs = () => JSON.parse(pulumi(["stack", "output", "--stack", "prod", "--json"], { expect: 0 }).stdout);

describe("docs/traffic.md: releasing by hand, literally, on prod (L5+)", () => {
    const lines = docCommands("## Releasing by hand");
    const weightAt = lines.findIndex((l) => /tms:deployment\.weight' 10 /.test(l));
    const [deploy, weightPair, finalise] = [lines.slice(0, weightAt), lines.slice(weightAt, weightAt + 2), lines.slice(weightAt + 2)];

    it("the section has the candidate deploy, one weight step and the finalise", () => {
        assert.ok(weightAt > 0, lines.join("\n"));
        assert.match(weightPair[1], /pulumi up --stack prod .*weightListenerUrns/);
        assert.ok(finalise.some((l) => /tms:deployment\.live' green/.test(l)));
    });

    it("deploys the candidate colour at 0%", () => {
        for (const l of deploy) run(l);
        const o = outputs();
        assert.deepEqual([o.liveColour, o.candidateColour, o.weight, o.running.green], ["blue", "green", 0, true]);
        assert.equal(o.images.green["api-gateway"], "3f9c2a1-prod");
    });

    for (const w of [10, 100]) {
        it(`weight ${w}: a listener-only update, the stack file holds a number, the targeted up covers it`, () => {
            run(weightPair[0].replace(/ 10 /, ` ${w} `));
            assert.strictEqual(stackFile("prod").config["tms:deployment"].weight, w);

            // The engine's own plan of the step.
            const planned = changes(previewJson("prod").steps);
            assert.ok(planned.length > 0, "the weight change plans an update");
            assert.deepEqual(planned.filter((s) => s.op !== "update" || !LISTENER_TYPES.test(s.type)).map((s) => `${s.op} ${s.urn}`), []);

            run(weightPair[1]);
            assert.equal(outputs().weight, w, "the program read the weight back");
            // Each step's preview above would show what an earlier targeted up left behind; after the last, one more.
            if (w === 100) assert.deepEqual(changes(previewJson("prod").steps).map((s) => `${s.op} ${s.urn}`), [], "nothing left after the targeted up");
        });
    }

    it("finalises (green live at weight 0) and scales blue down", () => {
        for (const l of finalise) run(l);
        const o = outputs();
        assert.deepEqual([o.liveColour, o.candidateColour, o.weight, o.running.blue, o.running.green], ["green", "blue", 0, false, true]);
    });
});
