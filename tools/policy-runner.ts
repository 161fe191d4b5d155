/**
 * Offline policy runner: runs every policy of the tms pack over a recorded plan (tools/record.ts),
 * calling the policies' own `validateResource` / `validateStack` with argument bags built from the
 * record (props = inputs; URNs, parents, providers and property dependencies from the record), so
 * the same code runs here and inside `pulumi preview --policy-pack policy`.
 *
 * Enforcement comes from `opts.enforcement` (policy name or `all` → level) or, when omitted, from
 * the shipped `policy/config/<environment>.json`, resolved as the Pulumi CLI does.
 *
 * CLI: `npm run policy -- --record plan.json [--environment prod] [--region us-east-1]` (`--record -`
 * reads stdin, e.g. `tms plan --stack prod --json | tms policy --record -`): prints the table and
 * exits 4 (refused) when a mandatory policy is violated, 1 on bad input.
 */
import * as fs from "fs";
import { EXIT } from "../cli/exit-codes";
import { readFlags, Stop, UsageError, type CommandSpec, type FlagIo, type FlagValues } from "../cli/flags";
import { runMain } from "../cli/run-main";
import type { PolicyProviderResource } from "@pulumi/policy";
import {
    createResourceValidationArgs, createStackValidationArgs, runResourcePolicy, runStackPolicy, StackResourceInput,
} from "./policy/args";
import { ENVIRONMENTS, type Environment, type PolicyConfig, type TmsPolicy } from "../policy/common";
import { enforcementLevelOf, loadPackConfig, PackConfig, policyConfigOf } from "./policy/pack-config";
import { policies as allPolicies } from "../policy/policies";
import type { PlanRecord, RecordedResource } from "./record";

export type Level = "advisory" | "mandatory" | "disabled";

export interface Violation {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    severity: string;
    urn: string;
    name: string;
    type: string;
    message: string;
}

export interface RunOptions {
    environment: Environment;
    region: string;
    /** Policy name or `all` → level; defaults to `policy/config/<environment>.json`. */
    enforcement?: Record<string, Level>;
    /** Extra inputs of the default AWS provider (e.g. `defaultTags` from `aws:defaultTags`). */
    defaultProvider?: Record<string, any>;
    /** Policies to run; defaults to every policy of the pack. */
    policies?: TmsPolicy[];
}

const AWS_PROVIDER = "pulumi:providers:aws";

function packConfig(opts: RunOptions): PackConfig {
    return opts.enforcement ? { ...opts.enforcement } : loadPackConfig(opts.environment);
}

function levelOf(policy: TmsPolicy, config: PackConfig): Level {
    const l = enforcementLevelOf(policy, config);
    return l === "remediate" ? "mandatory" : l; // as the analyzer does for validations
}

/** Number of policies that would run (not disabled) for these options. */
export function policiesRun(opts: RunOptions): number {
    const config = packConfig(opts);
    return (opts.policies ?? allPolicies).filter(p => levelOf(p, config) !== "disabled").length;
}

/**
 * Turns the record into policy inputs: each resource with its AWS provider (explicit, inherited
 * from an ancestor's `provider` option, or the stack's default provider built from `opts`).
 */
export function recordToInputs(record: PlanRecord, opts: Pick<RunOptions, "region" | "defaultProvider">): StackResourceInput[] {
    const byUrn = new Map(record.resources.map(r => [r.urn, r]));
    const defaultUrn = `urn:pulumi:${record.stack}::${record.project}::${AWS_PROVIDER}::default`;
    const defaultProvider: PolicyProviderResource = {
        type: AWS_PROVIDER, name: "default", urn: defaultUrn, props: { region: opts.region, ...opts.defaultProvider },
    };
    let usesDefault = false;
    const providerOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        if (r.type.startsWith("pulumi:providers:")) return undefined;
        for (let cur: RecordedResource | undefined = r; cur; cur = cur.parent ? byUrn.get(cur.parent) : undefined) {
            const p = cur.options.provider ? byUrn.get(cur.options.provider) : undefined;
            if (p && p.type === AWS_PROVIDER) return { type: p.type, name: p.name, urn: p.urn, props: p.inputs };
        }
        if (!r.type.startsWith("aws:")) return undefined;
        usesDefault = true;
        return defaultProvider;
    };
    const inputs: StackResourceInput[] = record.resources.map(r => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.inputs,
        parent: r.parent,
        provider: providerOf(r),
        opts: {
            protect: r.options.protect ?? false,
            ignoreChanges: r.options.ignoreChanges ?? [],
            ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
        },
        dependencies: [...new Set([...(r.options.dependsOn ?? []), ...Object.values(r.propertyDependencies).flat()])],
        propertyDependencies: r.propertyDependencies,
    }));
    if (usesDefault && !byUrn.has(defaultUrn)) {
        inputs.push({ type: AWS_PROVIDER, name: "default", urn: defaultUrn, props: defaultProvider.props });
    }
    return inputs;
}

export function runPolicies(record: PlanRecord, opts: RunOptions): Violation[] {
    const config = packConfig(opts);
    const inputs = recordToInputs(record, opts);
    const stackUrn = `urn:pulumi:${record.stack}::${record.project}::pulumi:pulumi:Stack::${record.project}-${record.stack}`;
    const byUrn = new Map(inputs.map(i => [i.urn!, i]));
    const violations: Violation[] = [];

    for (const policy of opts.policies ?? allPolicies) {
        const level = levelOf(policy, config);
        if (level === "disabled") continue;
        const policyConfig: PolicyConfig = { ...policyConfigOf(policy, config), environment: opts.environment, region: opts.region };
        const push = (urn: string | undefined, message: string) => {
            const r = urn ? byUrn.get(urn) : undefined;
            violations.push({
                policy: policy.name,
                enforcementLevel: level,
                severity: policy.severity ?? "medium",
                urn: urn ?? stackUrn,
                name: r?.name ?? (urn ? urn.split("::").pop()! : record.stack),
                type: r?.type ?? "pulumi:pulumi:Stack",
                message,
            });
        };
        if (policy.kind === "resource") {
            for (const input of inputs) {
                const args = createResourceValidationArgs(input, policyConfig);
                for (const v of runResourcePolicy(policy, args)) push(input.urn, v.message);
            }
        } else {
            const args = createStackValidationArgs(inputs, policyConfig);
            for (const v of runStackPolicy(policy, args)) push(v.urn, v.message);
        }
    }
    return violations;
}

export function hasMandatoryViolations(violations: Violation[]): boolean {
    return violations.some(v => v.enforcementLevel === "mandatory");
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low"];

function pad(s: string, n: number): string {
    return s.length >= n ? s : s + " ".repeat(n - s.length);
}

/** A readable table of violations plus a summary line. */
export function formatViolations(violations: Violation[], summary: { policiesRun?: number } = {}): string {
    const sorted = [...violations].sort((a, b) =>
        (a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1)
        || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity)
        || a.policy.localeCompare(b.policy) || a.name.localeCompare(b.name));
    const rows = sorted.map(v => [v.enforcementLevel, v.severity, v.policy, `${v.name} (${v.type.split(":").pop()})`, v.message]);
    const header = ["LEVEL", "SEVERITY", "POLICY", "RESOURCE", "MESSAGE"];
    const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map(r => r[i].length))));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]))).join("  ");
    const mandatory = violations.filter(v => v.enforcementLevel === "mandatory").length;
    const advisory = violations.length - mandatory;
    const ran = summary.policiesRun !== undefined ? `${summary.policiesRun} policies run: ` : "";
    const summaryLine = `${ran}${violations.length} violation(s): ${mandatory} mandatory, ${advisory} advisory.`;
    if (violations.length === 0) return summaryLine;
    return [line(header), ...rows.map(line), "", summaryLine].join("\n");
}


export const POLICY_FLAGS = {
    command: "npm run policy --",
    synopsis: ["--record FILE|- [--environment dev|staging|prod|dr] [--region REGION]"],
    summary: "Run every policy of the pack over a recorded plan (`npm run plan -- --stack prod --json`) with the environment's policy/config/<env>.json enforcement, and print the violations.",
    flags: {
        record: { type: "string", value: "FILE|-", help: "the plan record (`plan --json`); - reads stdin" },
        environment: { type: "string", value: "ENV", help: "whose policy config applies (default: the record's stack)" },
        region: { type: "string", value: "REGION", help: "the default provider's region (default us-east-1, us-west-2 for dr)" },
    },
    exitCodes: { ok: "no mandatory violation", error: "bad input: a flag, an unreadable or malformed record", refused: "a mandatory policy is violated" },
} satisfies CommandSpec;

export async function main(argv: string[], io: FlagIo = { out: (t) => console.log(t), err: (t) => console.error(t) }, stdin: () => string = () => fs.readFileSync(0, "utf8")): Promise<number> {
    const args = readFlags(POLICY_FLAGS, argv, io, (v: FlagValues<typeof POLICY_FLAGS.flags>) => {
        if (!v.record) throw new UsageError("--record FILE|- is required");
        if (v.environment !== undefined && !ENVIRONMENTS.includes(v.environment as Environment)) {
            throw new UsageError(`--environment: "${v.environment}" is not one of ${ENVIRONMENTS.join(", ")}`);
        }
        return v;
    });
    if (args instanceof Stop) return args.exitCode;
    const source = args.record === "-" ? "stdin" : args.record!;
    let record: PlanRecord;
    try {
        record = JSON.parse(args.record === "-" ? stdin() : fs.readFileSync(args.record!, "utf8")) as PlanRecord;
    } catch (e) {
        io.err(`${source}: cannot read the plan record: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        return EXIT.error;
    }
    if (!record || !Array.isArray(record.resources) || typeof record.stack !== "string") {
        io.err(`${source}: not a plan record (expected \`plan --json\` output: stack, project, resources, outputs)`);
        return EXIT.error;
    }
    const environment = (args.environment ?? record.stack) as Environment;
    if (!ENVIRONMENTS.includes(environment)) {
        io.err(`${source}: stack "${record.stack}" is not an environment (${ENVIRONMENTS.join(", ")}): pass --environment`);
        return EXIT.error;
    }
    const opts: RunOptions = { environment, region: args.region ?? (environment === "dr" ? "us-west-2" : "us-east-1") };
    const violations = runPolicies(record, opts);
    io.out(formatViolations(violations, { policiesRun: policiesRun(opts) }));
    return hasMandatoryViolations(violations) ? EXIT.refused : EXIT.ok;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
