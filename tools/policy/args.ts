/**
 * Builders for the argument bags @pulumi/policy passes to `validateResource` and `validateStack`
 * (in the style of pulumi-policy-aws's `createResourceValidationArgs`), plus a synchronous way to
 * run one policy and collect its messages. Shared by the tests and the offline runner
 * (`tools/policy-runner.ts`) so that both run the policies' own validation functions.
 *
 * Only type imports from @pulumi/policy: its runtime would load the gRPC server.
 */
import type {
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
} from "@pulumi/policy";
import type { PolicyConfig, TmsResourcePolicy, TmsStackPolicy } from "../../policy/common";

export interface ResourceInput {
    type: string;
    props: Record<string, any>;
    /** Logical name; defaults to `test`. */
    name?: string;
    /** Defaults to `urn:pulumi:<stack>::tms::<type>::<name>`. */
    urn?: string;
    /** Stack used to build the default URN (`dev` unless given). */
    stack?: string;
    parent?: string;
    opts?: Partial<PolicyResourceOptions>;
    provider?: PolicyProviderResource;
}

export interface StackResourceInput extends ResourceInput {
    /** URNs this resource depends on. */
    dependencies?: string[];
    /** For each input property, the URNs whose outputs flowed into it. */
    propertyDependencies?: Record<string, string[]>;
}

/** Thrown by `notApplicable()` in our argument bags; the runners treat it as "no violations". */
export class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

export function makeUrn(type: string, name: string, stack = "dev", project = "tms"): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export function awsProvider(props: Record<string, any>, name = "default", stack = "dev"): PolicyProviderResource {
    const type = "pulumi:providers:aws";
    return { type, name, urn: makeUrn(type, name, stack), props };
}

function options(input: ResourceInput): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(input.parent ? { parent: input.parent } : {}),
        ...input.opts,
    };
}

function typeOf(resourceClass: any): string | undefined {
    return resourceClass?.__pulumiType;
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

export function createResourceValidationArgs(
    input: ResourceInput,
    config: PolicyConfig = {},
    stackTags: ReadonlyMap<string, string> = new Map(),
): ResourceValidationArgs {
    const name = input.name ?? "test";
    const urn = input.urn ?? makeUrn(input.type, name, input.stack);
    const args: ResourceValidationArgs = {
        type: input.type,
        props: input.props,
        urn,
        name,
        opts: options(input),
        stackTags,
        isType: cls => typeOf(cls) === input.type,
        asType: (cls: any) => (typeOf(cls) === input.type ? input.props as any : undefined),
        getConfig: <T extends object>() => ({ ...config }) as T,
        notApplicable,
    };
    if (input.provider) args.provider = input.provider;
    return args;
}

/** Builds a stack's resources, resolving parents and (property) dependencies by URN. */
export function createStackValidationArgs(
    inputs: StackResourceInput[],
    config: PolicyConfig = {},
    stackTags: ReadonlyMap<string, string> = new Map(),
): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const resources: PolicyResource[] = inputs.map(input => {
        const name = input.name ?? "test";
        const urn = input.urn ?? makeUrn(input.type, name, input.stack);
        const r: PolicyResource = {
            type: input.type,
            props: input.props,
            urn,
            name,
            opts: options(input),
            dependencies: [],
            propertyDependencies: {},
            isType: cls => typeOf(cls) === input.type,
            asType: (cls: any) => (typeOf(cls) === input.type ? input.props as any : undefined),
        };
        if (input.provider) r.provider = input.provider;
        byUrn.set(urn, r);
        return r;
    });
    inputs.forEach((input, i) => {
        const r = resources[i];
        const resolve = (urns: string[] | undefined) =>
            (urns ?? []).map(u => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
        if (input.parent && byUrn.has(input.parent)) r.parent = byUrn.get(input.parent);
        r.dependencies = resolve(input.dependencies);
        for (const [prop, urns] of Object.entries(input.propertyDependencies ?? {})) {
            r.propertyDependencies[prop] = resolve(urns);
        }
    });
    return { resources, stackTags, getConfig: <T extends object>() => ({ ...config }) as T, notApplicable };
}

export interface Reported {
    message: string;
    urn?: string;
}

function mustBeSync(result: unknown, policy: string): void {
    if (result && typeof (result as Promise<void>).then === "function") {
        throw new Error(`policy ${policy} returned a promise; tms policies must be synchronous`);
    }
}

/** Runs every validation of a resource policy; returns the reported messages. */
export function runResourcePolicy(policy: TmsResourcePolicy, args: ResourceValidationArgs): Reported[] {
    const out: Reported[] = [];
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    for (const validate of validations) {
        if (!validate) continue;
        try {
            mustBeSync(validate(args, message => out.push({ message, urn: args.urn })), policy.name);
        } catch (e) {
            if (e instanceof NotApplicable) continue;
            throw new Error(`policy ${policy.name} failed on ${args.urn}: ${(e as Error).message}`, { cause: e });
        }
    }
    return out;
}

/** Runs a stack policy; returns the reported messages with the URN each names (if any). */
export function runStackPolicy(policy: TmsStackPolicy, args: StackValidationArgs): Reported[] {
    const out: Reported[] = [];
    try {
        mustBeSync(policy.validateStack(args, (message, urn) => out.push(urn ? { message, urn } : { message })), policy.name);
    } catch (e) {
        if (e instanceof NotApplicable) return out;
        throw new Error(`policy ${policy.name} failed: ${(e as Error).message}`, { cause: e });
    }
    return out;
}
