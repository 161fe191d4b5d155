/**
 * L4: the flag parser every command shares (cli/flags.ts), and every command's entry point
 * answering `--help`, `--flag=value` and unknown flags the same way (in-process `main`; each entry
 * point is also spawned in its own test file).
 */
import { strict as assert } from "assert";
import { COMMANDS } from "../../automation/cli-args";
import { main as rolloutMain } from "../../automation/cli";
import { FAILBACK_FLAGS, FAILOVER_FLAGS, main as drMain } from "../../automation/dr-cli";
import { main as simulateMain, SIMULATE_FLAGS } from "../../automation/simulate";
import { BENCH_FLAGS, main as benchMain } from "../../tools/bench";
import { help, parseFlags, UsageError, usage, type CommandSpec } from "../../cli/flags";
import { main as planMain, PLAN_FLAGS } from "../../tools/plan";
import { main as chartMain } from "../../tools/chart-example";
import { generatedDocMain, type GeneratedDoc } from "../../tools/generated-doc";
import { ACCESS_DOC } from "../../tools/access-docs";
import { NETWORK_DOC } from "../../tools/network-docs";
import { ACCESS_PATHS_DOC } from "../../tools/access-paths-docs";
import { POLICY_DOC } from "../../tools/policy-docs";
import { main as architectureMain } from "../../tools/architecture/check";
import { LAYOUT_DOC } from "../../tools/architecture/layout-docs";
import { main as policyMain, POLICY_FLAGS } from "../../tools/policy-runner";
import { EXIT, EXIT_MEANING, PIPE_CLOSED_EXIT, type ExitName } from "../../cli/exit-codes";

const SPEC = {
    command: "npm run demo --",
    synopsis: ["--stack NAME [--image S=U …] [--json]"],
    summary: "A demo.",
    flags: {
        stack: { type: "string", short: "s", value: "NAME", help: "the stack" },
        image: { type: "string", multiple: true, value: "S=U", help: "an image" },
        json: { type: "boolean", help: "JSON" },
    },
    exitCodes: { ok: "ok", error: "bad input" },
} satisfies CommandSpec;

const refusal = (argv: string[]) => {
    try {
        parseFlags(SPEC, argv);
    } catch (e) {
        assert.ok(e instanceof UsageError, String(e));
        return e.message;
    }
    assert.fail(`accepted ${argv.join(" ")}`);
};

describe("shared flag parser (node:util parseArgs)", () => {
    it("--flag value, --flag=value and -s value are the same; booleans default false, multiples []", () => {
        const a = parseFlags(SPEC, ["--stack", "prod", "--image", "a=1", "--image=b=2", "--json"]);
        const b = parseFlags(SPEC, ["--stack=prod", "--image=a=1", "--image", "b=2", "--json"]);
        const c = parseFlags(SPEC, ["-s", "prod", "--image", "a=1", "--image", "b=2", "--json"]);
        assert.deepEqual(a, { stack: "prod", image: ["a=1", "b=2"], json: true });
        assert.deepEqual(b, a);
        assert.deepEqual(c, a);
        assert.deepEqual(parseFlags(SPEC, []), { stack: undefined, image: [], json: false });
        assert.equal(parseFlags(SPEC, ["--stack", "prod", "--help"]), "help");
        assert.equal(parseFlags(SPEC, ["-h"]), "help");
    });

    it("refuses unknown flags, missing values, values on booleans, positionals and repeated single flags", () => {
        assert.equal(refusal(["--stack", "prod", "--colour", "green"]), 'unknown flag "--colour"');
        assert.equal(refusal(["-x"]), 'unknown flag "-x"');
        assert.equal(refusal(["--stack"]), "--stack needs a value");
        assert.equal(refusal(["--stack", "--json"]), "--stack needs a value");
        assert.equal(refusal(["--json=yes"]), "--json takes no value");
        assert.equal(refusal(["prod"]), 'unexpected argument "prod"');
        assert.equal(refusal(["--stack", "prod", "-s", "dev"]), "--stack given 2 times");
    });

    it("every command's help has the same layout: usage, summary, one line per flag, --help, exit codes", () => {
        const specs: CommandSpec[] = [PLAN_FLAGS, POLICY_FLAGS, BENCH_FLAGS, SIMULATE_FLAGS, FAILOVER_FLAGS, FAILBACK_FLAGS, ...Object.values(COMMANDS)];
        assert.equal(specs.length, 12);
        for (const spec of specs) {
            const text = help(spec);
            const lines = text.split("\n");
            assert.match(lines[0], /^usage: npm run [a-z:]+ -- /, spec.command);
            assert.equal(text.indexOf(usage(spec)), 0);
            assert.ok(lines.includes("flags:"), spec.command);
            for (const name of Object.keys(spec.flags)) assert.ok(lines.some((l) => l.includes(`--${name}`)), `${spec.command}: --${name}`);
            assert.ok(lines.some((l) => /^ {2}-h, --help +print this help and exit$/.test(l)), spec.command);
            // The codes come from the one shared table, in order, each with this command's wording.
            const at = lines.indexOf("exit codes (one table for every command, docs/ci.md):");
            assert.ok(at > 0, spec.command);
            const codes = lines.slice(at + 1).map((l) => /^ {2}(\d) {2}([a-zA-Z]+) +(\S.*)$/.exec(l));
            assert.ok(codes.every((m) => m !== null), `${spec.command}: ${lines.slice(at + 1).join(" | ")}`);
            for (const m of codes) assert.equal(EXIT[m![2] as ExitName], Number(m![1]), `${spec.command}: ${m![0]}`);
            assert.deepEqual(codes.map((m) => m![2]).slice(0, 2), ["ok", "error"], spec.command);
            assert.deepEqual(codes.map((m) => Number(m![1])), [...codes.map((m) => Number(m![1]))].sort(), spec.command);
            // Flag descriptions start in one column.
            const helps = [...Object.values(spec.flags).map((f) => f.help), "print this help and exit"];
            const columns = helps.map((h) => lines.find((l) => l.endsWith(`  ${h}`))!.length - h.length);
            assert.equal(new Set(columns).size, 1, spec.command);
        }
    });
});

/** Capture what a main() prints (console and process.stdout/stderr). */
async function capture(run: () => Promise<number>) {
    const out: string[] = [];
    const err: string[] = [];
    const { log, error } = console;
    const write = { out: process.stdout.write, err: process.stderr.write };
    console.log = (...a: unknown[]) => void out.push(a.join(" ") + "\n");
    console.error = (...a: unknown[]) => void err.push(a.join(" ") + "\n");
    process.stdout.write = ((t: string) => (out.push(String(t)), true)) as typeof process.stdout.write;
    process.stderr.write = ((t: string) => (err.push(String(t)), true)) as typeof process.stderr.write;
    try {
        const code = await run();
        return { code, stdout: out.join(""), stderr: err.join("") };
    } finally {
        Object.assign(console, { log, error });
        process.stdout.write = write.out;
        process.stderr.write = write.err;
    }
}

describe("every command: --help exits 0 on stdout, an unknown flag exits 1 with the usage", () => {
    const cliEnv = (out: string[], err: string[]) => ({
        selectStack: async () => { throw new Error("not reached"); },
        out: (l: string) => void out.push(l + "\n"),
        err: (l: string) => void err.push(l + "\n"),
        env: {},
    });
    const rollout = (command: string) => async (argv: string[]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await rolloutMain([command, ...argv], cliEnv(out, err));
        if (out.length) console.log(out.join("").trimEnd());
        if (err.length) console.error(err.join("").trimEnd());
        return code;
    };
    const docs = (doc: GeneratedDoc) => (argv: string[]) => generatedDocMain(doc, argv);
    const mains: Record<string, (argv: string[]) => Promise<number>> = {
        plan: planMain, policy: (argv) => policyMain(argv), bench: benchMain, "rollout:simulate": simulateMain, "dr:failover": (argv) => drMain(["failover", ...argv]), "dr:failback": (argv) => drMain(["failback", ...argv]),
        "docs:chart": chartMain, "docs:policies": docs(POLICY_DOC), "docs:layout": docs(LAYOUT_DOC), "docs:access": docs(ACCESS_DOC), "docs:network": docs(NETWORK_DOC), "docs:access-paths": docs(ACCESS_PATHS_DOC), architecture: architectureMain,
        rollout: rollout("rollout"), rollback: rollout("rollback"), "rollout:status": rollout("status"), "rollout:unlock": rollout("unlock"), "rollout:cleanup": rollout("cleanup"),
    };
    for (const [name, main] of Object.entries(mains)) {
        it(name, async () => {
            const h = await capture(() => main(["--help"]));
            assert.equal(h.code, 0, h.stderr);
            assert.ok(h.stdout.startsWith(`usage: npm run ${name} -- `), h.stdout);
            assert.equal(h.stderr, "");
            const bad = await capture(() => main(["--no-such-flag"]));
            assert.equal(bad.code, 1);
            assert.equal(bad.stdout, "");
            assert.ok(bad.stderr.startsWith(`unknown flag "--no-such-flag"\nusage: npm run ${name} -- `), bad.stderr);
        });
    }
});

describe("the exit-code table", () => {
    it("is the one docs/ci.md shows, code for code and meaning for meaning", () => {
        const doc = require("fs").readFileSync(require("path").join(__dirname, "..", "..", "docs", "ci.md"), "utf8") as string;
        const rows = [...doc.matchAll(/^\| (\d+) \| `([a-zA-Z]+)` \| ([^|]+) \|/gm)].map((m) => [Number(m[1]), m[2], m[3].trim()]);
        assert.deepEqual(rows, (Object.keys(EXIT) as ExitName[]).map((n) => [EXIT[n], n, EXIT_MEANING[n]]));
        assert.match(doc, new RegExp(`^\\| ${PIPE_CLOSED_EXIT} \\| — \\| the reader of stdout went away`, "m"), "docs/ci.md lists the closed-pipe code");
    });

    it("does not reuse a code: each outcome has its own", () => {
        assert.equal(new Set(Object.values(EXIT)).size, Object.keys(EXIT).length);
    });
});
