/**
 * The GitHub Actions workflows (.github/workflows) against two outside judges:
 *
 * - actionlint (github.com/rhysd/actionlint, built from its Go module by tools/actionlint.ts; it runs
 *   shellcheck over every `run:` script when shellcheck is installed);
 * - the IAM policy simulator (L3 with an outside judge): each job's OIDC claims are computed from the
 *   workflow file as GitHub issues them (docs.github.com, "OpenID Connect reference", "Example subject
 *   claims": `repo:<repo>:environment:<name>` for a job that names an environment, else
 *   `repo:<repo>:pull_request` for a pull request, else `repo:<repo>:ref:refs/heads/<branch>`; `aud`
 *   `sts.amazonaws.com`, aws-actions/configure-aws-credentials' default), and
 *   `sts:AssumeRoleWithWebIdentity` with them is simulated against the trust policy of every role that
 *   every stack plans: the job may assume the role it names, and no other.
 *
 * Accounts: dev, staging and prod each have their own (DESIGN.md, "Stacks and accounts"); dr lives in
 * prod's. `vars.AWS_ACCOUNT_ID` is the GitHub environment's variable, so a job's named role resolves
 * in its environment's account.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { createValidatedPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import { githubTrustPolicy } from "../../components/access";
import { loadStackConfig, type StackConfig } from "../../config/stack-config";
import { PROJECT_DIR } from "../../cli/stack-file";
import { actionlint } from "../../tools/actionlint";
import { MOCK_ACCOUNT_ID } from "../../tools/fake-aws";
import { flattenConfig, json, plan, stackConfig, STACKS, type Plan } from "../harness";
import { evaluate, interpolate, type Contexts, type Value } from "./expressions";

const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const WORKFLOWS = fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const OIDC_HOST = "token.actions.githubusercontent.com";
/** One account per environment; dr shares prod's. */
const ACCOUNTS: Record<string, string> = { dev: "111111111111", staging: "222222222222", prod: "333333333333", dr: "333333333333" };
const AWS_STEP = "aws-actions/configure-aws-credentials@";

type Job = Record<string, any>;
interface Workflow { file: string; doc: Record<string, any>; events: string[] }

const workflows: Workflow[] = WORKFLOWS.map((file) => {
    const doc = YAML.parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8"));
    const on = doc.on;
    const events = typeof on === "string" ? [on] : Array.isArray(on) ? on : Object.keys(on);
    return { file, doc, events };
});

const steps = (job: Job): Record<string, any>[] => job.steps ?? [];
const awsStep = (job: Job) => steps(job).find((s) => typeof s.uses === "string" && s.uses.startsWith(AWS_STEP));
const idTokenWrite = (wf: Workflow, job: Job) => (job.permissions ?? wf.doc.permissions ?? {})["id-token"] === "write";

/** Every combination of a job's workflow_dispatch inputs (choices and booleans) and matrix entries. */
function expansions(wf: Workflow, job: Job): Contexts[] {
    const inputs = wf.doc.on?.workflow_dispatch?.inputs ?? {};
    let combos: Record<string, Value>[] = [{}];
    for (const [name, spec] of Object.entries<any>(inputs)) {
        const values: Value[] = spec.type === "choice" ? spec.options : spec.type === "boolean" ? [false, true] : [spec.default ?? `<${name}>`];
        combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
    }
    const m = job.strategy?.matrix;
    let matrices: Record<string, Value>[] = [{}];
    if (m) {
        const { include, exclude, ...axes } = m;
        for (const [k, vs] of Object.entries<Value[]>(axes)) matrices = matrices.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
        if (include) matrices = Object.keys(axes).length ? [...matrices, ...include] : include;
        if (exclude) throw new Error("matrix exclude is not modelled");
    }
    return combos.flatMap((i) => matrices.map((mx) => ({ inputs: i, matrix: mx, github: { ref: "refs/heads/main", run_id: "1" } })));
}

interface Stack { name: string; cfg: StackConfig; plan: Plan }

/** What a job expansion asks for, computed from the workflow file. */
interface Claim {
    where: string;
    environment: string | null;
    sub: string;
    aud: string;
    role: string;
    region: string;
    durationSeconds: number | null;
}

function claimsOf(wf: Workflow, jobName: string, job: Job, repo: string): Claim[] {
    const step = awsStep(job)!;
    return expansions(wf, job).map((ctx) => {
        const envSpec = job.environment;
        const envText = typeof envSpec === "object" && envSpec !== null ? envSpec.name : envSpec;
        const environment = envText === undefined ? null : interpolate(String(envText), ctx);
        const vars: Contexts = environment ? { AWS_ACCOUNT_ID: ACCOUNTS[environment] ?? null } : {};
        const full: Contexts = { ...ctx, vars, secrets: {} };
        const sub = environment
            ? `repo:${repo}:environment:${environment}`
            : wf.events.includes("pull_request") ? `repo:${repo}:pull_request` : `repo:${repo}:ref:refs/heads/main`;
        const w = step.with ?? {};
        return {
            where: `${wf.file} ${jobName} ${JSON.stringify({ ...ctx.inputs as object, ...ctx.matrix as object })}`,
            environment, sub,
            aud: w.audience ? interpolate(String(w.audience), full) : "sts.amazonaws.com",
            role: interpolate(String(w["role-to-assume"]), full),
            region: interpolate(String(w["aws-region"]), full),
            durationSeconds: w["role-duration-seconds"] === undefined ? null : Number(interpolate(String(w["role-duration-seconds"]), full)),
        };
    });
}

/** Every role every stack plans: its ARN in its stack's account and its trust policy there. */
interface PlannedRole { stack: string; arn: string; name: string; trust: any; maxSessionDuration: number }

function plannedRoles(stacks: Stack[]): PlannedRole[] {
    return stacks.flatMap((s) => s.plan.ofType("aws:iam/role:Role").map((r) => ({
        stack: s.name,
        name: r.inputs.name ?? r.name,
        arn: `arn:aws:iam::${ACCOUNTS[s.name]}:role/${r.inputs.name ?? r.name}`,
        // The plan's account is the mock's; each stack lives in its own.
        trust: JSON.parse(JSON.stringify(json(r.inputs.assumeRolePolicy)).split(MOCK_ACCOUNT_ID).join(ACCOUNTS[s.name])),
        maxSessionDuration: r.inputs.maxSessionDuration ?? 3600,
    })));
}

/** sts:AssumeRoleWithWebIdentity with these claims, judged by the role's trust policy (the token's issuer is the role account's GitHub provider). */
function assumes(role: PlannedRole, claims: { sub: string; aud: string }): boolean {
    const account = role.arn.split(":")[4];
    const d = runUnsafeSimulation({
        request: {
            principal: `arn:aws:iam::${account}:oidc-provider/${OIDC_HOST}`, action: "sts:AssumeRoleWithWebIdentity",
            resource: { resource: role.arn, accountId: account },
            contextVariables: { [`${OIDC_HOST}:sub`]: claims.sub, [`${OIDC_HOST}:aud`]: claims.aud },
        },
        identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [],
        resourcePolicy: createValidatedPolicy(role.trust, validateTrustPolicy, { name: `${role.name} trust` }),
    }, {});
    assert.ok(["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"].includes(d as string), `a decision, not ${JSON.stringify(d)}`);
    return d === "Allowed";
}

describe("GitHub Actions workflows", function () {
    this.timeout(180_000);
    let stacks: Stack[];
    let roles: PlannedRole[];
    let repo: string;
    before(async () => {
        stacks = await Promise.all(STACKS.map(async (name) => ({
            name, cfg: loadStackConfig(flattenConfig(stackConfig(name)), `Pulumi.${name}.yaml`, name), plan: await plan(name),
        })));
        roles = plannedRoles(stacks);
        const repos = new Set(stacks.map((s) => s.cfg.access.githubRepository));
        assert.equal(repos.size, 1, "one repository deploys every stack");
        repo = [...repos][0];
    });

    it("there are the four workflows the docs describe: preview, release, operate (watchdog and cleanup), dr-drill", () => {
        assert.deepEqual(WORKFLOWS, ["dr-drill.yml", "operate.yml", "preview.yml", "release.yml"]);
        const page = fs.readFileSync(path.join(PROJECT_DIR, "docs", "ci.md"), "utf8");
        for (const f of WORKFLOWS) assert.ok(page.includes(`(../.github/workflows/${f})`), `docs/ci.md links .github/workflows/${f}`);
    });

    it("actionlint finds nothing (and finds what it should in a broken copy)", () => {
        assert.deepEqual(actionlint(WORKFLOWS.map((f) => path.join(".github", "workflows", f)), PROJECT_DIR), []);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "actionlint-"));
        const broken = path.join(dir, "release.yml");
        fs.writeFileSync(broken, fs.readFileSync(path.join(WORKFLOW_DIR, "release.yml"), "utf8").replace("${{ inputs.stack }}", "${{ inputs.stak }}"));
        assert.match(actionlint([broken], dir).join("\n"), /property "stak" is not defined/);
    });

    it("each job that takes AWS credentials can assume the role it names, and no other role of any stack", () => {
        const checked: string[] = [];
        for (const wf of workflows) {
            for (const [name, job] of Object.entries<Job>(wf.doc.jobs)) {
                if (!awsStep(job)) continue;
                assert.ok(idTokenWrite(wf, job), `${wf.file} ${name}: configure-aws-credentials needs id-token: write`);
                for (const c of claimsOf(wf, name, job, repo)) {
                    assert.ok(c.environment, `${c.where}: names no environment, so its role would trust a branch every job shares`);
                    const stack = stacks.find((s) => s.cfg.access.githubEnvironment === c.environment);
                    assert.ok(stack, `${c.where}: no stack's tms:access.githubEnvironment is "${c.environment}"`);
                    const deployment = roles.find((r) => r.stack === stack.name && r.name === `tms-deployment-role${stack.cfg.access.nameSuffix}`)!;
                    assert.equal(c.role, deployment.arn, `${c.where}: names the deployment role of ${stack.name}`);
                    assert.equal(c.region, stack.cfg.region, `${c.where}: runs in ${stack.name}'s region`);
                    if (c.durationSeconds !== null) assert.ok(c.durationSeconds <= deployment.maxSessionDuration, `${c.where}: ${c.durationSeconds}s > the role's ${deployment.maxSessionDuration}s`);
                    const allowed = roles.filter((r) => assumes(r, c)).map((r) => r.arn);
                    assert.deepEqual(allowed, [deployment.arn], `${c.where} (${c.sub})`);
                    checked.push(`${c.where} → ${stack.name}`);
                }
            }
        }
        // release (plan and rollout, every stack, resume or not), operate (staging, prod, dr), the dr drill.
        assert.ok(checked.length >= 20, checked.join("\n"));
        for (const s of STACKS) assert.ok(checked.some((c) => c.startsWith("release.yml rollout") && c.endsWith(`→ ${s}`)), `the release reaches ${s}`);
    });

    it("pull requests get no credentials: no token can be asked for, and no role trusts a pull request's sub", () => {
        for (const wf of workflows.filter((w) => w.events.includes("pull_request"))) {
            for (const [name, job] of Object.entries<Job>(wf.doc.jobs)) {
                assert.ok(!idTokenWrite(wf, job), `${wf.file} ${name}: id-token: write on a pull request`);
                assert.ok(!awsStep(job), `${wf.file} ${name}: assumes an AWS role on a pull request`);
            }
        }
        for (const sub of [`repo:${repo}:pull_request`, `repo:${repo}:ref:refs/heads/main`, `repo:${repo}:ref:refs/heads/feature`]) {
            assert.deepEqual(roles.filter((r) => assumes(r, { sub, aud: "sts.amazonaws.com" })).map((r) => r.arn), [], sub);
        }
    });

    it("the trust the program made before (the branch, `ref:refs/heads/main`) refused every one of these jobs", () => {
        const before = githubTrustPolicy({ oidcProviderArn: `arn:aws:iam::${ACCOUNTS.prod}:oidc-provider/${OIDC_HOST}`, repository: repo, branch: "main" });
        const role: PlannedRole = { stack: "prod", name: "tms-deployment-role", arn: `arn:aws:iam::${ACCOUNTS.prod}:role/tms-deployment-role`, trust: before, maxSessionDuration: 7200 };
        assert.equal(assumes(role, { sub: `repo:${repo}:environment:prod`, aud: "sts.amazonaws.com" }), false);
        assert.equal(assumes(role, { sub: `repo:${repo}:ref:refs/heads/main`, aud: "sts.amazonaws.com" }), true);
    });

    it("jobs without AWS credentials ask for no token", () => {
        for (const wf of workflows) {
            for (const [name, job] of Object.entries<Job>(wf.doc.jobs)) if (!awsStep(job)) assert.ok(!idTokenWrite(wf, job), `${wf.file} ${name}`);
        }
    });

    it("inputs reach scripts through env, never inlined: no `${{` in any run script", () => {
        for (const wf of workflows) {
            for (const [name, job] of Object.entries<Job>(wf.doc.jobs)) {
                for (const s of steps(job)) if (typeof s.run === "string") assert.ok(!s.run.includes("${{"), `${wf.file} ${name}: ${s.run}`);
            }
        }
    });

    it("a job that runs the Pulumi CLI installs it and logs in to the backend (S3 or Pulumi Cloud) after taking its credentials", () => {
        for (const wf of workflows) {
            for (const [name, job] of Object.entries<Job>(wf.doc.jobs)) {
                const all = steps(job);
                const runs = all.map((s, i) => ({ i, run: String(s.run ?? "") }));
                // The real CLI on a real backend (not `tms pulumi`, the offline sandbox).
                const usesPulumi = runs.filter((r) => /\btms (rollout|rollback|rollout:\w+|dr:failover|dr:failback)\b|(?<!tms )\bpulumi (preview|up|login)\b/.test(r.run));
                if (!usesPulumi.length) continue;
                const install = all.findIndex((s) => String(s.uses ?? "").startsWith("pulumi/actions@"));
                const creds = all.findIndex((s) => String(s.uses ?? "").startsWith(AWS_STEP));
                const login = runs.find((r) => /\bpulumi login\b/.test(r.run));
                assert.ok(install >= 0 && creds > install && login && login.i > creds, `${wf.file} ${name}: install the CLI, take credentials, log in, in that order`);
                assert.match(login!.run, /PULUMI_BACKEND_URL/, `${wf.file} ${name}: the S3 backend from vars.PULUMI_BACKEND_URL`);
                const loginStep = all[login!.i];
                assert.equal(loginStep.env?.PULUMI_ACCESS_TOKEN, "${{ secrets.PULUMI_ACCESS_TOKEN }}", `${wf.file} ${name}: Pulumi Cloud's token`);
                assert.ok(usesPulumi.every((r) => r.i > login!.i || r.i === login!.i), `${wf.file} ${name}: a Pulumi command before the login`);
            }
        }
    });

    it("dry runs are gates: --strict, so a dry run that could not check something fails the job", () => {
        const dry = workflows.flatMap((wf) => Object.values<Job>(wf.doc.jobs).flatMap((j) => steps(j).map((s) => String(s.run ?? "")))).filter((r) => /--dry-run\b/.test(r) && /\btms rollout\b/.test(r));
        assert.ok(dry.length > 0);
        for (const r of dry) assert.match(r, /--dry-run --strict/);
    });

    it("the release names every service of every stack it can target", () => {
        const release = workflows.find((w) => w.file === "release.yml")!;
        const options: string[] = release.doc.on.workflow_dispatch.inputs.stack.options;
        assert.deepEqual([...options].sort(), [...STACKS].sort());
        const scripts = Object.values<Job>(release.doc.jobs).flatMap((j) => steps(j).map((s) => String(s.run ?? ""))).filter((r) => /tms rollout/.test(r) && /--image/.test(r));
        for (const s of stacks) for (const svc of s.cfg.services) for (const r of scripts) assert.ok(r.includes(`--image "${svc.name}=$TAG"`), `${s.name}: ${svc.name}`);
    });

    it("evaluates expressions as GitHub does (the model the claims rest on)", () => {
        const ctx: Contexts = { inputs: { stack: "dr", flag: false }, matrix: {} };
        assert.equal(evaluate("inputs.stack == 'dr' && '-dr' || ''", ctx), "-dr");
        assert.equal(evaluate("inputs.stack == 'prod' && '-dr' || ''", ctx), "");
        assert.equal(evaluate("inputs.stack == 'DR'", ctx), true, "strings compare without case");
        assert.equal(evaluate("!inputs.flag", ctx), true);
        assert.equal(evaluate("inputs.nothing", ctx), null);
        assert.equal(interpolate("a${{ inputs.stack }}b${{ 'it''s' }}", ctx), "adrbit's");
        assert.throws(() => evaluate("always()", ctx), /not modelled/);
    });
});
