/**
 * L4: the offline sandbox's copies of the stack files (tools/sandbox/stack-files.ts) stay honest: the
 * repository's file is the truth, a stale copy is refreshed, a copy changed on both sides stops every
 * command before it runs, naming the keys and the commands that reconcile. On files, no Pulumi CLI.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../cli/stack-file";
import type { PulumiCli } from "../../tools/sandbox/pulumi-cli";
import { prepareSandbox, StackFileDivergenceError } from "../../tools/sandbox/sandbox";
import { changedKeys, judge, stackOfArgs } from "../../tools/sandbox/stack-files";

const PROD = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
const DEV = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
/** What `pulumi config set --path tms:deployment.weight 10` leaves: the value changed (and the file rewritten). */
const weight10 = (text: string) => text.replace(/^(\s+)weight: 0$/m, "$1weight: 10");
/** An edit of the repository's file: prod's desired count. */
const desired9 = (text: string) => text.replace(/^(\s+)desiredCount: (\d+)$/m, "$1desiredCount: 9");

/** A sandbox over a scratch "repository" holding prod's and dev's stack files. */
function world() {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-repo-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(repo, "Pulumi.yaml"));
    fs.writeFileSync(path.join(repo, "Pulumi.prod.yaml"), PROD);
    fs.writeFileSync(path.join(repo, "Pulumi.dev.yaml"), DEV);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-"));
    const cli: PulumiCli = { binDir: "/nonexistent", pulumi: "/nonexistent/pulumi", version: "v3.248.0", runtime: "nodejs", source: "path" };
    const logged: string[] = [];
    const prepare = (target?: string) => prepareSandbox(dir, cli, { repoDir: repo, target, log: (l) => logged.push(l) });
    const copy = (stack: string) => path.join(dir, "project", `Pulumi.${stack}.yaml`);
    const edit = (file: string, f: (t: string) => string) => fs.writeFileSync(file, f(fs.readFileSync(file, "utf8")));
    return { repo, dir, prepare, copy, edit, logged };
}

describe("offline sandbox: the repository's stack files are the truth", () => {
    it("judges each file by the config the program would receive, from three versions", () => {
        assert.equal(judge(PROD, undefined, undefined).action, "copy");
        assert.equal(judge(PROD, PROD, PROD).action, "in-step");
        // `config set` rewrites layout and writes `false` as "false": no change to what the program gets.
        assert.equal(judge(PROD, PROD.replace(/# .*$/gm, "").replace("protectStatefulResources: true", 'protectStatefulResources: "true"'), PROD).action, "in-step");
        assert.equal(judge(PROD, weight10(PROD), PROD).action, "keep-sandbox");
        assert.equal(judge(desired9(PROD), PROD, PROD).action, "refresh");
        assert.deepEqual(judge(desired9(PROD), weight10(PROD), PROD), { action: "diverged", repositoryKeys: ["tms:compute"], sandboxKeys: ["tms:deployment"], baseKnown: true });
        assert.equal(judge(desired9(PROD), weight10(PROD), undefined).action, "diverged");
        assert.deepEqual(changedKeys(PROD, "not: [yaml"), ["(file)"]);
    });

    it("a second prepare leaves the generated Pulumi.yaml alone (a command beside it may be reading it); a stale one is replaced whole", () => {
        const w = world();
        w.prepare();
        const project = path.join(w.dir, "project", "Pulumi.yaml");
        const first = fs.statSync(project);
        w.prepare();
        assert.equal(fs.statSync(project).ino, first.ino, "not rewritten");
        assert.equal(fs.statSync(project).mtimeMs, first.mtimeMs, "not rewritten");
        const generated = fs.readFileSync(project, "utf8");
        // Stale (an older version of the generator wrote it): replaced by a new file, not rewritten in place.
        fs.writeFileSync(project, generated.replace(/^description: .*$/m, "description: stale"));
        const stale = fs.statSync(project).ino;
        w.prepare();
        assert.notEqual(fs.statSync(project).ino, stale, "a new file renamed into place, never a rewrite in place");
        assert.equal(fs.readFileSync(project, "utf8"), generated);
        assert.deepEqual(fs.readdirSync(path.join(w.dir, "project")).filter((f) => f.endsWith(".tmp")), []);
    });

    it("copies on first use; keeps the sandbox's own edits; refreshes a copy only the repository changed, saying so", () => {
        const w = world();
        w.prepare("prod");
        assert.equal(fs.readFileSync(w.copy("prod"), "utf8"), PROD);
        w.edit(w.copy("prod"), weight10);
        w.prepare("prod");
        assert.equal(fs.readFileSync(w.copy("prod"), "utf8"), weight10(PROD), "config set in the sandbox is kept");
        // Back in step, then the repository's file is edited (a pull, an edit): the copy follows it.
        fs.writeFileSync(w.copy("prod"), PROD);
        w.prepare("prod");
        w.edit(path.join(w.repo, "Pulumi.prod.yaml"), desired9);
        w.prepare("prod");
        assert.equal(fs.readFileSync(w.copy("prod"), "utf8"), desired9(PROD), "a preview never runs on the stale copy");
        assert.deepEqual(w.logged, ["sandbox: Pulumi.prod.yaml refreshed from the repository's (changed there: tms:compute)"]);
    });

    it("a file changed on both sides stops the command before it runs, naming the keys and the commands that reconcile", () => {
        const w = world();
        w.prepare();
        w.edit(w.copy("prod"), weight10); // npm run pulumi -- config set --path tms:deployment.weight 10 --stack prod
        w.edit(path.join(w.repo, "Pulumi.prod.yaml"), desired9); // someone edits the repository's file
        const before = fs.readFileSync(w.copy("prod"), "utf8");
        assert.throws(() => w.prepare("prod"), (e: unknown) => {
            assert.ok(e instanceof StackFileDivergenceError);
            const lines = e.message.split("\n");
            assert.match(lines[0], /^sandbox: Pulumi\.prod\.yaml has diverged: the repository's file changed since the sandbox copied it \(tms:compute\), and so did the sandbox's copy \(tms:deployment\)\.$/);
            assert.match(lines[1], /^Nothing was run\. Compare them: diff Pulumi\.prod\.yaml .*Pulumi\.prod\.yaml$/);
            assert.match(e.message, /npm run pulumi -- --fresh-checkout/);
            assert.match(e.message, /cp .*project\/Pulumi\.prod\.yaml Pulumi\.prod\.yaml/);
            return true;
        });
        assert.equal(fs.readFileSync(w.copy("prod"), "utf8"), before, "nothing was overwritten");
        // A command on another stack runs, with one line about prod.
        w.prepare("dev");
        assert.deepEqual(w.logged.filter((l) => l.includes("prod")), ["sandbox: Pulumi.prod.yaml has diverged from the repository's (not used by this command; run it with --stack prod to see how to reconcile)"]);
        // Once the sandbox's copy is the repository's again, commands run.
        fs.copyFileSync(path.join(w.repo, "Pulumi.prod.yaml"), w.copy("prod"));
        w.prepare("prod");
    });

    it("reads the stack a pulumi command line names", () => {
        assert.equal(stackOfArgs(["preview", "--stack", "prod", "--policy-pack", "policy"]), "prod");
        assert.equal(stackOfArgs(["up", "-s", "dev"]), "dev");
        assert.equal(stackOfArgs(["config", "set", "x", "1", "--stack=dr"]), "dr");
        assert.equal(stackOfArgs(["stack", "ls"]), undefined);
    });

    it("declares the built CLI's language host and analyzer as project plugins (no 'from $PATH' warning on every load)", () => {
        const w = world();
        const cli: PulumiCli = { binDir: "/opt/pulumi-built", pulumi: "/opt/pulumi-built/pulumi", version: "v3.248.0", runtime: "nodejs68", source: "built" };
        prepareSandbox(w.dir, cli, { repoDir: w.repo });
        const project = fs.readFileSync(path.join(w.dir, "project", "Pulumi.yaml"), "utf8");
        // The language host is the sandbox's script, which passes the built host its options as flags (sandbox.ts hostScript).
        assert.match(project, new RegExp(`languages:\\n\\s+- name: nodejs68\\n\\s+path: ${path.join(w.dir, "host")}\\n`));
        assert.match(fs.readFileSync(path.join(w.dir, "host", "pulumi-language-nodejs68"), "utf8"), /exec "\/opt\/pulumi-built\/pulumi-language-nodejs68" -typescript=false /);
        assert.match(project, /analyzers:\n\s+- name: policy-nodejs\n\s+path: \/opt\/pulumi-built/);
        w.prepare();
        assert.doesNotMatch(fs.readFileSync(path.join(w.dir, "project", "Pulumi.yaml"), "utf8"), /languages:/, "a user's own CLI brings its bundled host");
    });
});
