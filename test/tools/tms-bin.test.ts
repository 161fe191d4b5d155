/**
 * L4: the `tms` bin (package.json `bin`, bin/tms.js → tools/tms.ts): output that pipes. No npm banner
 * before a command's JSON, and a reader that goes away (`| head`) ends the command quietly with 141.
 * Two spawned processes (started together), the rest in-process.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import { invokedAs } from "../../cli/flags";
import { quietOnClosedPipe } from "../../cli/run-main";
import { main, TMS_COMMANDS } from "../../tools/tms";

function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", script], { cwd: PROJECT_DIR, env: { ...process.env, NO_COLOR: "1" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("tms: the commands without npm's banner", function () {
    this.timeout(120_000);
    let head: Awaited<ReturnType<typeof sh>>;
    let npx: Awaited<ReturnType<typeof sh>>;
    before(async () => {
        [head, npx] = await Promise.all([
            // The record of dev is far larger than a pipe's buffer: the writes after `head` exits fail with EPIPE.
            sh(`node bin/tms.js plan --stack dev --json | head -c 1; echo " \${PIPESTATUS[0]}"`),
            sh(`npx --no-install tms rollout:simulate --trace test/automation/fixtures/error-spike.json --json`),
        ]);
    });
    after(() => invokedAs("npm"));

    it("`tms plan --json | head -c 1`: the first byte is the JSON's, the command exits 141 and prints no stack trace", () => {
        assert.equal(head.stdout, "{ 141\n", head.stdout + head.stderr);
        assert.equal(head.stderr, "");
    });

    it("`npx tms …` is package.json's bin: stdout is the command's one JSON object, nothing before it", () => {
        assert.equal(npx.code, 2, npx.stderr);
        const lines = npx.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 1, npx.stdout);
        assert.equal(JSON.parse(lines[0]).outcome, "rolled_back");
        assert.doesNotMatch(npx.stdout + npx.stderr, /^> tms-infrastructure@/m);
    });

    it("lists its commands, refuses an unknown one with 1, and names itself in each command's usage", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
        assert.equal(await main(["--help"], io), 0);
        for (const name of Object.keys(TMS_COMMANDS)) assert.match(out.join("\n"), new RegExp(`^ {2}${name} +\\S`, "m"));
        assert.equal(await main(["deploy"], io), 1);
        assert.match(err.join("\n"), /^tms: unknown command "deploy" \(plan, policy, rollout, /m);
        const { log } = console;
        const help: string[] = [];
        console.log = (t: string) => void help.push(t);
        try {
            assert.equal(await main(["rollout:simulate", "--help"], io), 0);
        } finally {
            console.log = log;
        }
        assert.match(help.join("\n"), /^usage: tms rollout:simulate --trace FILE/);
    });

    it("every tms command is an npm script of the same name (one set of names)", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")).scripts as Record<string, string>;
        for (const name of Object.keys(TMS_COMMANDS)) assert.ok(scripts[name], `npm run ${name}`);
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.deepEqual(pkg.bin, { tms: "bin/tms.js" });
    });

    it("a closed pipe exits 141; any other stream error is not swallowed", () => {
        const stream = new EventEmitter() as unknown as NodeJS.WriteStream;
        const codes: number[] = [];
        quietOnClosedPipe(stream, (c) => void codes.push(c));
        stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        assert.deepEqual(codes, [141]);
        assert.throws(() => stream.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" })), /EIO/);
    });
});
