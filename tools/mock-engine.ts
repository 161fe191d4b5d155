/**
 * Runs the real stack program (index.ts) under Pulumi's mock engine and records every registered
 * resource: type, name, parent, inputs, the resource options the engine received (protect,
 * retainOnDelete, provider, dependsOn) and the SDK's own property dependencies.
 *
 * It wraps the mock monitor's `registerResource` rather than using stack transformations, so it sees
 * exactly what the engine would: options of every resource, including remote components' children's
 * parents, and secrets as secrets. The program can run many times in one process (runs are queued).
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { deserializeProperties, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { PlanRecord, RecordedResource } from "./record";
import { checkInputs, storedState } from "./fake-aws/aws";
import { mockInvoke } from "./fake-aws/ids";
import { PROJECT_DIR, readStackFile, stackFilePath } from "../cli/stack-file";

export interface RunOptions {
    stack: string;
    /** Flat config map as a stack file gives it (`tms:database` → JSON text). */
    config: Record<string, string>;
    secretKeys?: string[];
    project?: string;
    organization?: string;
    /**
     * Outputs for each StackReference name. When absent, a reference `org/tms/<stack>` is answered by
     * planning `Pulumi.<stack>.yaml` first and using that plan's real outputs.
     */
    stackReferences?: Record<string, Record<string, any> | undefined>;
    /** Answers for data sources ahead of the fake AWS (e.g. what the DR runbook left in SSM); undefined: the fake's. */
    invoke?: (token: string, inputs: any, region: string) => Record<string, any> | undefined;
    /** The program module; defaults to the project's index.ts. */
    program?: string;
}

export interface RunResult extends PlanRecord {
    /** For each resource URN, the input paths that were marked secret. */
    secretInputs: Record<string, string[]>;
    /** Stack output names whose values are secret. */
    secretOutputs: string[];
}

/** The program failed; `resources` holds what it had registered before failing. */
export class ProgramError extends Error {
    constructor(message: string, readonly resources: RecordedResource[]) {
        super(message);
        this.name = "ProgramError";
    }
}

const DEFAULT_PROGRAM = path.join(PROJECT_DIR, "index.ts");

let queue: Promise<unknown> = Promise.resolve();

/** Run the program once; runs are serialised because the Pulumi runtime is process-global. */
export function runProgram(opts: RunOptions): Promise<RunResult> {
    const run = queue.then(() => withPlainStackTraces(() => runOnce(opts)));
    queue = run.catch(() => undefined);
    return run;
}

/** What a referenced stack exports: its outputs and which of them are secret. */
export interface ReferencedStack {
    outputs: Record<string, any>;
    secretOutputNames: string[];
}

const referenceCache = new Map<string, ReferencedStack | undefined>();

/** Outputs of the stack a StackReference names, from the plan of its stack file when one exists. */
async function referencedOutputs(name: string, opts: RunOptions): Promise<ReferencedStack | undefined> {
    if (opts.stackReferences && name in opts.stackReferences) {
        const given = opts.stackReferences[name];
        return given && { outputs: given, secretOutputNames: [] };
    }
    if (referenceCache.has(name)) return referenceCache.get(name);
    const stack = name.split("/").pop()!;
    let referenced: ReferencedStack | undefined;
    try {
        const file = readStackFile(stackFilePath(stack));
        const planned = await runOnce({ stack, config: file.config, secretKeys: file.secretKeys, program: opts.program });
        referenced = { outputs: planned.outputs, secretOutputNames: planned.secretOutputs };
    } catch {
        referenced = undefined;
    }
    referenceCache.set(name, referenced);
    return referenced;
}

/** Strip secret wrappers, remembering the paths that held secrets. */
function unwrapSecrets(v: any, at: string, secrets: string[]): any {
    if (v && typeof v === "object") {
        if (v[specialSigKey] === specialSecretSig) {
            secrets.push(at || "(root)");
            return unwrapSecrets(v.value, at, []);
        }
        if (Array.isArray(v)) return v.map((x, i) => unwrapSecrets(x, `${at}[${i}]`, secrets));
        const out: Record<string, any> = {};
        for (const [k, x] of Object.entries(v)) out[k] = unwrapSecrets(x, at ? `${at}.${k}` : k, secrets);
        return out;
    }
    return v;
}

/** A StackReference's secret outputs are shown as such in the record, as the engine does. */
function maskReferencedSecrets(state: Record<string, any>): Record<string, any> {
    const names: string[] = state.secretOutputNames ?? [];
    if (!names.length || !state.outputs) return state;
    const outputs = { ...state.outputs };
    for (const n of names) if (n in outputs) outputs[n] = "[secret]";
    return { ...state, outputs };
}

/** "urn:…::name::id" → "urn:…::name" (provider references carry the provider's id). */
function providerUrn(ref: string): string | undefined {
    if (!ref) return undefined;
    const i = ref.lastIndexOf("::");
    return i > 0 ? ref.slice(0, i) : ref;
}

/**
 * Forget the program module so the next `require` runs it again. Component modules hold no state
 * of their own, so they stay loaded (re-compiling them would dominate the cost of a plan).
 */
function clearProgramCache(program: string): void {
    delete require.cache[require.resolve(program)];
}

/**
 * The SDK records `new Error().stack` for every promise and resource. Under ts-node each of those
 * goes through source-map-support, which costs more than everything else in a plan; V8's own
 * formatter (no source maps) is used while the program runs and restored afterwards.
 */
async function withPlainStackTraces<T>(run: () => Promise<T>): Promise<T> {
    const saved = Error.prepareStackTrace;
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
    try {
        return await run();
    } finally {
        Error.prepareStackTrace = saved;
    }
}

async function runOnce(opts: RunOptions): Promise<RunResult> {
    const project = opts.project ?? "tms";
    const organization = opts.organization ?? "organization";
    const defaultRegion = opts.config["aws:region"] ?? "us-east-1";

    // StackReferences are resolved before the run so the mock can answer synchronously.
    const refNames = new Set<string>(Object.keys(opts.stackReferences ?? {}));
    const primary = opts.config["tms:primaryStack"];
    if (primary) refNames.add(primary);
    const references = new Map<string, ReferencedStack | undefined>();
    for (const n of refNames) references.set(n, await referencedOutputs(n, opts));

    const providerRegion = new Map<string, string>();
    const resources: RecordedResource[] = [];
    const secretInputs: Record<string, string[]> = {};
    let stackOutputs: Record<string, any> = {};
    let secretOutputs: string[] = [];
    let inflight = 0;

    const regionOf = (providerRef: string | undefined) => {
        const u = providerRef ? providerUrn(providerRef) : undefined;
        return (u && providerRegion.get(u)) ?? defaultRegion;
    };

    await pulumi.runtime.setMocks({
        newResource: (args) => {
            // The provider's own validations (its schema, tools/fake-aws): AWS would refuse the create.
            const { failures } = checkInputs(args.type, args.inputs, args.name);
            if (failures.length) throw new Error(`${args.type} ${args.name}: the AWS provider refuses ${failures.map((f) => `${f.property ? `${f.property}: ` : ""}${f.reason}`).join("; ")}`);
            return storedState(args.type, args.name, args.inputs, {
            region: args.type.startsWith("pulumi:providers:") ? (args.inputs.region ?? defaultRegion) : regionOf(args.provider),
                stackReference: (name) => references.get(name),
            });
        },
        call: (args) => opts.invoke?.(args.token, args.inputs, regionOf(args.provider)) ?? mockInvoke(args.token, args.inputs, regionOf(args.provider)),
    }, project, opts.stack, false, organization);
    pulumi.runtime.setAllConfig(opts.config, opts.secretKeys ?? []);

    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
        inflight++;
        register(req, (err: any, resp: any) => {
            try {
                if (!err) {
                    const urn: string = resp.getUrn();
                    const secrets: string[] = [];
                    const inputs = unwrapSecrets(deserializeProperties(req.getObject()), "", secrets);
                    const outputs = unwrapSecrets(deserializeProperties(resp.getObject()), "", []);
                    const propertyDependencies: Record<string, string[]> = {};
                    req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
                        const urns: string[] = deps.getUrnsList();
                        if (urns.length) propertyDependencies[key] = urns;
                    });
                    const type: string = req.getType();
                    if (type.startsWith("pulumi:providers:")) providerRegion.set(urn, inputs.region ?? defaultRegion);
                    resources.push({
                        urn,
                        ...(req.getCustom() && resp.getId() ? { id: resp.getId() as string } : {}),
                        type,
                        name: req.getName(),
                        custom: req.getCustom(),
                        parent: req.getParent() || undefined,
                        inputs,
                        outputs,
                        options: {
                            protect: req.getProtect() ?? false,
                            retainOnDelete: req.getRetainondelete() ?? false,
                            provider: providerUrn(req.getProvider()),
                            dependsOn: req.getDependenciesList(),
                            ignoreChanges: req.getIgnorechangesList(),
                            deleteBeforeReplace: req.getDeletebeforereplace(),
                            // The engine, not the mock, runs transforms; record that the program passed them.
                            transforms: req.getTransformsList().length,
                            aliases: req.getAliasesList().map((a: any) => {
                                if (a.getUrn()) return a.getUrn() as string;
                                const spec = a.getSpec();
                                return { name: spec.getName() || undefined, type: spec.getType() || undefined, parentUrn: spec.getParenturn() || undefined, noParent: spec.getNoparent() || undefined };
                            }),
                        },
                        propertyDependencies,
                    });
                    if (secrets.length) secretInputs[urn] = secrets;
                }
            } finally {
                inflight--;
                callback(err, resp);
            }
        });
    };
    // Reads (StackReference, `.get`) go through readResource; record them too, with no options.
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req: any, callback: (err: any, resp: any) => void) => {
        inflight++;
        read(req, (err: any, resp: any) => {
            try {
                if (!err) {
                    resources.push({
                        urn: resp.getUrn(),
                        type: req.getType(),
                        name: req.getName(),
                        custom: true,
                        parent: req.getParent() || undefined,
                        inputs: unwrapSecrets(deserializeProperties(req.getProperties()), "", []),
                        outputs: maskReferencedSecrets(unwrapSecrets(deserializeProperties(resp.getProperties()), "", [])),
                        options: { provider: providerUrn(req.getProvider()) },
                        propertyDependencies: {},
                    });
                }
            } finally {
                inflight--;
                callback(err, resp);
            }
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, callback: (err: any, resp: any) => void) => {
        if (String(req.getUrn()).includes("::pulumi:pulumi:Stack::")) {
            const secrets: string[] = [];
            stackOutputs = unwrapSecrets(deserializeProperties(req.getOutputs()), "", secrets);
            secretOutputs = secrets.map((s) => s.split(/[.[]/)[0]);
        }
        registerOutputs(req, callback);
    };

    const program = opts.program ?? DEFAULT_PROGRAM;
    clearProgramCache(program);
    let exported: unknown;
    try {
        exported = await pulumi.runtime.runInPulumiStack(async () => {
            // As the Pulumi runtime does: a program exporting a function is called and awaited.
            const mod = require(program);
            const main = mod?.default ?? mod;
            return typeof main === "function" ? await main() : main;
        });
    } catch (e: any) {
        throw new ProgramError(e?.message ?? String(e), resources);
    }
    // Registrations started inside applies may still be in flight; let them land.
    for (let idle = 0; idle < 3;) {
        await new Promise((r) => setImmediate(r));
        idle = inflight === 0 ? idle + 1 : 0;
    }
    if (Object.keys(stackOutputs).length === 0 && exported) stackOutputs = exported as Record<string, any>;
    return { stack: opts.stack, project, resources, outputs: stackOutputs, secretInputs, secretOutputs };
}

/** Plan a shipped stack by name, or a stack file given by path, with optional config overrides. */
export async function planStack(stack: string, configFile?: string, overrides: Record<string, string> = {}): Promise<RunResult> {
    const file = readStackFile(configFile ?? stackFilePath(stack), configFile ?? `Pulumi.${stack}.yaml`);
    return runProgram({ stack, config: { ...file.config, ...overrides }, secretKeys: file.secretKeys });
}
