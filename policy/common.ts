/**
 * Shared vocabulary of the tms policy pack: policy metadata, environment knowledge and small
 * readers that are safe against values that are unknown during `pulumi preview`.
 *
 * Only `import type` from `@pulumi/policy` here and in the policy modules: loading the package's
 * runtime pulls in its gRPC server, which tests and the offline runner do not need.
 *
 * ## How a policy learns the environment
 *
 * @pulumi/policy 1.21 hands a policy its inputs, URN, options, provider, stack tags and its policy
 * config. It does not expose the stack name (the CLI sends it in `ConfigureStack`, but the SDK only
 * keeps the stack *tags*, and `pulumi.getStack()` is not set inside the analyzer process). So:
 *
 * 1. policy config wins: every policy accepts `environment` (dev|staging|prod|dr) and `region`
 *    keys, set by `policy/config/<stack>.json` passed with `--policy-pack-config`;
 * 2. otherwise the stack name is read from the resource URN (`urn:pulumi:<stack>::<project>::…`),
 *    which the analyzer always sees; our stacks are named dev, staging, prod and dr;
 * 3. a stack with any other name gets the strictest (prod) thresholds, and no dr-only rule.
 *
 * The region comes from policy config `region`, else from the resource's AWS provider
 * (`region` input of the `pulumi:providers:aws` resource, explicit or default).
 */
import type {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ENVIRONMENTS, type Environment } from "../config/vocabulary";

// The environment names are the product's (config/vocabulary.ts): a new environment fails to compile until
// ENVIRONMENT_RULES below says what the pack requires of it.
export { ENVIRONMENTS, type Environment } from "../config/vocabulary";

/**
 * Facts from the deployment guide that policies enforce per environment. This table is the pack's own
 * copy, independent of the program on purpose: the stack config's `tms:compute.minimumCount`, region and
 * names are what the pack judges, so it must not read them back as its standard. Relaxations of an AWS
 * control (dev without deletion protection, shorter backups) are not here: they are explicit, with a
 * reason, in the stack's policy config (see {@link exceptionOf}).
 */
export const ENVIRONMENT_RULES: Record<Environment, {
    minimumTasksPerService: number;
    region?: string;
    /**
     * First segment accepted in secret and parameter names. The guide writes the long name
     * (`/production/api-gateway/...`); dr serves production after failover and shares its names.
     */
    pathNames: string[];
    /**
     * The stack's ECR repositories are replicas of the primary's registry: the primary creates their
     * creation template before it replicates (ecr-replica-repository-template checks it there).
     */
    replicasFromPrimary?: boolean;
}> = {
    dev: { minimumTasksPerService: 2, pathNames: ["development", "dev"] },
    staging: { minimumTasksPerService: 3, pathNames: ["staging"] },
    prod: { minimumTasksPerService: 6, pathNames: ["production", "prod"] },
    dr: { minimumTasksPerService: 4, region: "us-west-2", pathNames: ["production", "dr"], replicasFromPrimary: true },
};

export type Area =
    | "network" | "ecs" | "alb" | "cloudfront" | "database" | "cache" | "ecr"
    | "secrets" | "iam" | "kms" | "logging" | "cloudtrail" | "waf" | "s3" | "stack";

export interface PolicyMetadata {
    /** The control enforced, e.g. `FSBP ECS.5` or `CIS 5.2`. */
    control: string;
    severity: Severity;
    /** What to change in the program to comply. */
    remediation: string;
    area: Area;
    /** True when the rule's threshold depends on the environment. */
    environmentAware?: boolean;
    /** True when the stack's policy config may relax the rule, with an `exceptionReason`. */
    exceptions?: boolean;
}

export interface PolicyConfig {
    environment?: Environment;
    region?: string;
    /** Relaxations (policies with `exceptions`): the thing is not required in this stack… */
    required?: boolean;
    /** …or a lower minimum than the control's (days). */
    minimumDays?: number;
    /** Why the relaxation is acceptable in this stack; required with any relaxation. */
    exceptionReason?: string;
}

export type TmsResourcePolicy = ResourceValidationPolicy & { kind: "resource"; metadata: PolicyMetadata };
export type TmsStackPolicy = StackValidationPolicy & { kind: "stack"; metadata: PolicyMetadata };
export type TmsPolicy = TmsResourcePolicy | TmsStackPolicy;

/** Every policy accepts the same two config keys. */
export const CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        environment: { type: "string", enum: [...ENVIRONMENTS], description: "Stack environment; defaults to the stack name in the URN." },
        region: { type: "string", description: "AWS region; defaults to the provider's region." },
        required: { type: "boolean", description: "Exception: false when this stack does not need the control (needs exceptionReason)." },
        minimumDays: { type: "number", description: "Minimum in days for this stack (below the control's needs exceptionReason)." },
        exceptionReason: { type: "string", description: "Why this stack's exception is acceptable." },
    },
};

/** Default enforcement in code: blocking for high and critical findings, advisory otherwise. */
function defaultLevel(severity: Severity): EnforcementLevel {
    return severity === "high" || severity === "critical" ? "mandatory" : "advisory";
}

function framework(control: string) {
    const cis = control.startsWith("CIS");
    return {
        name: cis ? "CIS AWS Foundations Benchmark" : "AWS Foundational Security Best Practices",
        version: cis ? "3.0.0" : "1.0.0",
        reference: control,
        specification: control,
    };
}

export interface ResourcePolicySpec {
    name: string;
    description: string;
    metadata: PolicyMetadata;
    /** Type tokens the policy applies to. */
    types: readonly string[];
    enforcementLevel?: EnforcementLevel;
    validate: (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void;
}

/** What every policy carries, from its spec: name, description, level, severity, control, remediation. */
function policyBase(spec: { name: string; description: string; metadata: PolicyMetadata; enforcementLevel?: EnforcementLevel }) {
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel ?? defaultLevel(spec.metadata.severity),
        severity: spec.metadata.severity,
        remediationSteps: spec.metadata.remediation,
        framework: framework(spec.metadata.control),
        tags: [spec.metadata.area],
        configSchema: CONFIG_SCHEMA,
        metadata: spec.metadata,
    };
}

export function resourcePolicy(spec: ResourcePolicySpec): TmsResourcePolicy {
    const types = new Set(spec.types);
    return {
        kind: "resource",
        ...policyBase(spec),
        validateResource: (args, report) => {
            if (!types.has(args.type)) return;
            spec.validate(args.props, args, report);
        },
    };
}

export interface StackPolicySpec {
    name: string;
    description: string;
    metadata: PolicyMetadata;
    enforcementLevel?: EnforcementLevel;
    validate: (args: StackValidationArgs, report: ReportViolation) => void;
}

export function stackPolicy(spec: StackPolicySpec): TmsStackPolicy {
    return {
        kind: "stack",
        ...policyBase(spec),
        validateStack: (args, report) => spec.validate(args, report),
    };
}

// ---------------------------------------------------------------------------------------------
// Environment and region
// ---------------------------------------------------------------------------------------------

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → `<stack>`. */
export function stackFromUrn(urn: string | undefined): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn ?? "");
    return m ? m[1] : undefined;
}

function asEnvironment(v: unknown): Environment | undefined {
    return typeof v === "string" && (ENVIRONMENTS as readonly string[]).includes(v) ? v as Environment : undefined;
}

/** The environment from policy config, else from the stack name in the URN. */
export function environmentOf(config: PolicyConfig, urn: string | undefined): Environment | undefined {
    return asEnvironment(config.environment) ?? asEnvironment(stackFromUrn(urn));
}

/**
 * A stack's explicit exception to a control, read from policy config: `{ required: false }` or a
 * `minimumDays` below the control's `strictDays`. An exception counts only with a non-empty
 * `exceptionReason`; without one the violation says so and the control's value applies. Returns the
 * rule to apply: whether the thing is required and the minimum in days.
 */
export function exceptionOf(
    config: PolicyConfig,
    strictDays: number | undefined,
    report: ReportViolation,
): { required: boolean; minimumDays: number | undefined; reason?: string } {
    const reason =
        typeof config.exceptionReason === "string" && config.exceptionReason.trim() !== "" ? config.exceptionReason.trim() : undefined;
    const relaxesRequired = config.required === false;
    const relaxesDays = typeof config.minimumDays === "number" && strictDays !== undefined && config.minimumDays < strictDays;
    if ((relaxesRequired || relaxesDays) && !reason) {
        report(
            `The policy config relaxes this control (${relaxesRequired ? "required: false" : `minimumDays: ${config.minimumDays}`}) ` +
            `without an \`exceptionReason\`: give the reason or remove the exception.`,
        );
        return { required: true, minimumDays: strictDays };
    }
    return {
        required: !relaxesRequired,
        minimumDays: typeof config.minimumDays === "number" ? config.minimumDays : strictDays,
        ...(reason ? { reason } : {}),
    };
}

/** Rules for the environment; an unrecognised stack gets the strictest (prod) thresholds. */
export function rulesFor(env: Environment | undefined) {
    return ENVIRONMENT_RULES[env ?? "prod"];
}

export function resourceEnvironment(args: ResourceValidationArgs): Environment | undefined {
    return environmentOf(args.getConfig<PolicyConfig>(), args.urn);
}

export function stackEnvironment(args: StackValidationArgs): Environment | undefined {
    return environmentOf(args.getConfig<PolicyConfig>(), args.resources.find(r => r.urn)?.urn);
}

/** Provider config values may arrive JSON-encoded (the engine encodes non-string provider inputs). */
export function providerProp(props: Record<string, any> | undefined, key: string): any {
    const v = read(props, key);
    if (typeof v === "string" && /^[[{]/.test(v.trim())) {
        try { return JSON.parse(v); } catch { return v; }
    }
    return v;
}

// ---------------------------------------------------------------------------------------------
// Unknown-safe readers
// ---------------------------------------------------------------------------------------------

/** Marker returned by {@link read} for values that are unknown during preview. */
export const UNKNOWN = Symbol("unknown");

function isUnknownError(e: unknown): boolean {
    return e instanceof Error && e.constructor?.name === "UnknownValueError";
}

/**
 * Reads `obj[key]`; returns {@link UNKNOWN} when the analyzer's proxy says the value is not known
 * yet (instead of letting the whole policy degrade to "can't run during preview").
 */
export function read(obj: any, key: string): any {
    if (obj === null || obj === undefined || typeof obj !== "object" || !(key in obj)) return undefined;
    try {
        return obj[key];
    } catch (e) {
        if (isUnknownError(e)) return UNKNOWN;
        throw e;
    }
}

/** True when the property is set: a non-empty value, or a value only known after deployment. */
export function isSet(obj: any, key: string): boolean {
    const v = read(obj, key);
    if (v === UNKNOWN) return true;
    if (v === undefined || v === null || v === "") return false;
    if (Array.isArray(v)) return v.length > 0;
    return true;
}

export function str(v: any): string | undefined {
    return typeof v === "string" ? v : undefined;
}

export function list(v: any): any[] {
    if (v === undefined || v === null || v === UNKNOWN) return [];
    return Array.isArray(v) ? Array.from(v) : [v];
}

/** Parses a JSON string input (policy documents, container definitions); objects pass through. */
export function parseJson(v: any): any {
    if (typeof v !== "string") return v === UNKNOWN ? undefined : v;
    try { return JSON.parse(v); } catch { return undefined; }
}

/** Tags of a resource as a plain object. */
export function tagsOf(props: Record<string, any>): Record<string, string> {
    const t = read(props, "tags");
    if (!t || t === UNKNOWN || typeof t !== "object") return {};
    const out: Record<string, string> = {};
    for (const k of Object.keys(t)) {
        const v = read(t, k);
        if (typeof v === "string") out[k] = v;
    }
    return out;
}

/** Resources of any of the given types. */
export function ofTypes(resources: PolicyResource[], types: readonly string[]): PolicyResource[] {
    return resources.filter(r => types.includes(r.type));
}

/** True when `companion.propertyDependencies[prop]` names `target`. */
export function dependsOn(companion: PolicyResource, prop: string, target: PolicyResource): boolean {
    return (companion.propertyDependencies[prop] ?? []).some(d => d.urn === target.urn);
}

/** Type tokens shared by several modules. */
export const TYPES = {
    loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    awsProvider: "pulumi:providers:aws",
} as const;
