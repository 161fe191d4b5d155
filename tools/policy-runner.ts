/**
 * Offline policy runner: runs every policy of the tms pack over a recorded plan (tools/record.ts),
 * calling the policies' own `validateResource` / `validateStack` with argument bags built from the
 * record (props = inputs; URNs, parents, providers and property dependencies from the record), so
 * the same code runs here and inside `pulumi preview --policy-pack policy`.
 *
 * Enforcement comes from `opts.enforcement` (policy name or `all` → level) or, when omitted, from
 * the shipped `policy/config/<environment>.json`, resolved as the Pulumi CLI does.
 *
 * CLI: ts-node tools/policy-runner.ts <record.json> --environment prod [--region us-east-1]
 *      prints the table and exits 1 when a mandatory policy is violated.
 */
import * as fs from "fs";
import type { PolicyProviderResource } from "@pulumi/policy";
import {
    createResourceValidationArgs, createStackValidationArgs, runResourcePolicy, runStackPolicy, StackResourceInput,
} from "../policy/args";
import type { Environment, PolicyConfig, TmsPolicy } from "../policy/common";
import { enforcementLevelOf, loadPackConfig, PackConfig, policyConfigOf } from "../policy/pack-config";
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

function main(argv: string[]): number {
    const file = argv.find(a => !a.startsWith("--"));
    const flag = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
    if (!file) {
        console.error("usage: policy-runner <record.json> --environment dev|staging|prod|dr [--region us-east-1]");
        return 2;
    }
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as PlanRecord;
    const environment = (flag("environment") ?? record.stack) as Environment;
    const opts: RunOptions = { environment, region: flag("region") ?? (environment === "dr" ? "us-west-2" : "us-east-1") };
    const violations = runPolicies(record, opts);
    console.log(formatViolations(violations, { policiesRun: policiesRun(opts) }));
    return hasMandatoryViolations(violations) ? 1 : 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
