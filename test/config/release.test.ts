/**
 * L1/L2: the deployed release and the refusal of a stale stack file. The rule is pure (config/release.ts);
 * the program applies it before registering anything (index.ts), which the mock engine shows by answering
 * the stack's StackReference to itself with a deployed release.
 */
import { strict as assert } from "assert";
import { describeRelease, judgeRelease, releaseOf, sameTraffic, type DeployedRelease } from "../../config/release";
import { parseRolloutOutputs, StackOutputsError } from "../../config/stack-outputs";
import { ProgramError, runProgram } from "../../tools/mock-engine";
import { flattenConfig, stackConfig } from "../harness";

const file: DeployedRelease = { revision: 0, live: "blue", weight: 0, blue: { running: true, images: { api: "r1" } }, green: { running: false, images: { api: "r1" } } };
/** What a promoted rollout leaves deployed: green live with r2, revision 4. */
const promoted: DeployedRelease = { revision: 4, live: "green", weight: 0, blue: { running: true, images: { api: "r1" } }, green: { running: true, images: { api: "r2" } } };

describe("the deployed release (config/release.ts)", () => {
    it("a stack never deployed takes the file as it is", () => {
        assert.deepEqual(judgeRelease("Pulumi.prod.yaml", "prod", file, undefined), { ok: true, release: file });
    });

    it("the same traffic is applied whatever its revision, and the recorded revision never goes down", () => {
        const same = { ...promoted, revision: 0 };
        assert.ok(sameTraffic(same, promoted));
        assert.deepEqual(judgeRelease("Pulumi.prod.yaml", "prod", same, promoted), { ok: true, release: promoted });
    });

    it("a change on top of the deployed release (its revision + 1) is applied", () => {
        const next = { ...promoted, revision: 5, weight: 10 };
        assert.deepEqual(judgeRelease("Pulumi.prod.yaml", "prod", next, promoted), { ok: true, release: next });
    });

    it("a stale file (the repository's copy after a promotion) is refused in one line naming the drift and the fix", () => {
        const r = judgeRelease("Pulumi.prod.yaml", "prod", file, promoted);
        assert.equal(r.ok, false);
        const message = (r as { message: string }).message;
        assert.doesNotMatch(message, /\n/);
        assert.match(message, /^Pulumi\.prod\.yaml: tms:deployment is older than the deployed release \(a stale copy\): the file has revision 0, live blue.*; the stack runs revision 4, live green, weight 0, blue running api=r1, green running api=r2\. Refusing to move traffic; run `npm run rollout:sync -- --stack prod`/);
    });

    it("an edit without a new revision, and one that skips revisions, are refused with the revision to use", () => {
        const edited = judgeRelease("Pulumi.prod.yaml", "prod", { ...promoted, weight: 30 }, promoted);
        assert.match((edited as { message: string }).message, /without a new revision \(set tms:deployment\.revision to 5 to apply it\)/);
        const skipped = judgeRelease("Pulumi.prod.yaml", "prod", { ...promoted, weight: 30, revision: 9 }, promoted);
        assert.match((skipped as { message: string }).message, /skips revisions \(the next one is 5\)/);
    });

    it("images are compared as a set and named without their registry", () => {
        const a = { ...file, blue: { running: true, images: { b: "x/y:1", a: "x/y:2" } } };
        const b = { ...file, blue: { running: true, images: { a: "x/y:2", b: "x/y:1" } } };
        assert.ok(sameTraffic(a, b));
        assert.match(describeRelease(a), /blue running a=y:2 b=y:1/);
        assert.equal(releaseOf({ live: "blue", weight: 0, blue: { running: true, images: {} } }).revision, 0);
    });
});

describe("the stack-output contract (config/stack-outputs.ts)", () => {
    it("lists every missing output in one error, and malformed ones by path", () => {
        assert.throws(() => parseRolloutOutputs({ strategy: { value: "canary" }, weightListenerUrns: { value: [] } }, "prod"), (e: any) => {
            assert.ok(e instanceof StackOutputsError);
            assert.match(e.message, /^stack prod: outputs the rollout needs are missing or malformed \(run a full `pulumi up --stack prod` first\): missing release, clusterName, ecsServices, testListenerUrl, loadBalancerArnSuffix, targetGroupArnSuffixes, targetGroupArns, alertTopics, rolloutTableName; weightListenerUrns: /);
            return true;
        });
    });
});

describe("the program and the deployed release (L2)", function () {
    this.timeout(120_000);
    const planDev = (deployed: DeployedRelease | undefined, change: (c: any) => void = () => undefined) => {
        const cfg = stackConfig("dev");
        change(cfg);
        return runProgram({ stack: "dev", config: flattenConfig(cfg), stackReferences: { "organization/tms/dev": deployed ? { release: deployed } : {} } });
    };
    const devFile = (c: any): DeployedRelease => releaseOf(c["tms:deployment"]);

    it("exports the release it applied, which the rollout's contract parses", async () => {
        const r = await planDev(undefined);
        const release = r.outputs.release as DeployedRelease;
        assert.deepEqual(release, devFile(stackConfig("dev")));
        const parsed = parseRolloutOutputs(Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, { value: v }])), "dev");
        assert.equal(parsed.release.live, "blue");
    });

    it("refuses a stack file behind the deployed release before registering anything", async () => {
        const deployed = { ...devFile(stackConfig("dev")), revision: 3, blue: { running: true, images: { "api-gateway": "9f9f9f9-dev", "task-service": "9f9f9f9-dev" } } };
        await assert.rejects(planDev(deployed), (e: any) => {
            assert.ok(e instanceof ProgramError, String(e));
            assert.match(e.message, /^Pulumi\.dev\.yaml: tms:deployment is older than the deployed release .*npm run rollout:sync -- --stack dev/);
            assert.deepEqual(e.resources.map((x: any) => x.type).filter((t: string) => !t.startsWith("pulumi:pulumi:")), []);
            return true;
        });
    });
});
