/**
 * The shape of one resource as the offline plan (tools/plan.ts, test/harness.ts) records it
 * under Pulumi's mock engine. Policies, tests and tools read this plain data, never the engine.
 */
export interface RecordedOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** URN of the explicit provider, when one was passed. */
    provider?: string;
    /** URNs named in `dependsOn`. */
    dependsOn?: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    /** How many `transforms` callbacks the resource was registered with (the engine runs them). */
    transforms?: number;
    /**
     * `aliases`: a URN, or a spec (`{ name, type, parent URN, noParent }`) the engine resolves against
     * the resource's own URN.
     */
    aliases?: (string | { name?: string; type?: string; parentUrn?: string; noParent?: boolean })[];
}

export interface RecordedResource {
    urn: string;
    /** The physical id the (mock) provider returned, for custom resources; other resources' inputs hold it. */
    id?: string;
    /** Type token, e.g. `aws:ecs/service:Service` or `tms:compute:EcsService`. */
    type: string;
    /** Logical name as registered. */
    name: string;
    /** True for provider (custom) resources, false for components. */
    custom: boolean;
    /** Parent URN; the stack's URN for top-level resources. */
    parent?: string;
    /** Inputs as the program passed them, with Outputs resolved to their mock values. */
    inputs: Record<string, any>;
    /** State the mock returned (inputs plus computed ids, ARNs, endpoints). */
    outputs: Record<string, any>;
    options: RecordedOptions;
    /**
     * For each input property, the URNs of the resources whose outputs flowed into it,
     * derived by matching values against other resources' computed outputs.
     */
    propertyDependencies: Record<string, string[]>;
}

export interface PlanRecord {
    stack: string;
    project: string;
    resources: RecordedResource[];
    outputs: Record<string, any>;
}
