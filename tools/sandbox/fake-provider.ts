/**
 * Fake provider plugins for the offline sandbox: `pulumi-resource-aws`, `-awsx`, `-random` (and inert
 * `-docker`, `-docker-build`, which @pulumi/awsx depends on and the program never uses), each served
 * through the SDK's own provider server (`@pulumi/pulumi/provider`'s `main`), so the real engine talks
 * to them over the real provider protocol.
 *
 * They answer from the fake AWS (tools/fake-aws): the same ids, ARNs and endpoints as the mock engine,
 * and the same table of facts. `check` fills in the provider schema's defaults and refuses what the
 * provider or AWS refuses; `diff` compares the new inputs with what AWS stored and asks for a
 * replacement where the provider's schema marks a changed path ForceNew; `create` and `update` return
 * what AWS stores (Cloud Map's threshold of 1, a task definition's next revision); `read` (refresh)
 * returns the stored state. With `TMS_FAKE_AWS_DIR` set (the sandbox sets it) the accounts remember
 * resources, unique names and reserved names across processes and runs (tools/fake-aws/account.ts).
 * Nothing here talks to AWS.
 *
 * Usage (from the plugin scripts in tools/sandbox/plugins): `fake-provider.js <package> <engine-address>`.
 */
import * as fs from "fs";
import * as path from "path";
import type * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { accountsFromEnv, AwsError, urnParts, type FakeAccounts } from "../fake-aws/account";
import { factsOf } from "../fake-aws/facts";
import { checkInputs, diffInputs, storedState, type ResourceDiff } from "../fake-aws/aws";
import type { AwsxVpcState } from "../fake-aws/awsx-vpc";
import { mockInvoke, mockResourceState } from "../fake-aws/ids";
import { injectFault } from "../fake-aws/faults";
import { withSandboxWorld } from "../fake-aws/outage";
import { deferCodePaths } from "./lazy-sdk";

/** The packages the sandbox serves; the program's npm dependencies decide their versions. */
export const FAKE_PACKAGES = ["aws", "awsx", "random", "docker", "docker-build"] as const;
export type FakePackage = (typeof FAKE_PACKAGES)[number];

/** The plugin version a package requires: the `pulumi.version` of its npm package (resolved from here, compiled or not). */
export function requiredVersion(pkg: FakePackage): string {
    const manifest = JSON.parse(fs.readFileSync(require.resolve(`@pulumi/${pkg}/package.json`), "utf8"));
    return String(manifest.pulumi?.version ?? manifest.version).replace(/^v/, "");
}

/** Type and name of a resource from its URN (`urn:pulumi:stack::project::parent$type::name`). Pure. */
export function parseUrn(urn: string): { type: string; name: string } {
    const { type, name } = urnParts(urn);
    return { type, name };
}

const isSecret = (v: any) => v !== null && typeof v === "object" && v[specialSigKey] === specialSecretSig;

/** The value with secret wrappers removed (the computations read plain values). Pure. */
export function reveal(v: any): any {
    if (isSecret(v)) return reveal(v.value);
    if (Array.isArray(v)) return v.map(reveal);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
}

function equal(a: any, b: any): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** Secret inputs stay secret in the state computed from them (the engine must never see them in plain text). Pure. */
function keepSecrets(state: Record<string, any>, inputs: Record<string, any>): Record<string, any> {
    const plain = reveal(inputs);
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(state)) out[k] = k in inputs && isSecret(inputs[k]) && equal(v, plain[k]) ? inputs[k] : v;
    return out;
}

/**
 * The state AWS stores for these inputs (the fake AWS's answer), with each input property that came in
 * as a secret kept secret. `generation` counts earlier creates of the resource (a replacement gets new
 * ids). Pure.
 */
export function plannedState(type: string, name: string, inputs: Record<string, any>, region: string, generation = 0, scope?: string): { id: string; state: Record<string, any> } {
    const { id, state } = storedState(type, name, reveal(inputs), { region, generation, scope, stackReference: () => undefined });
    return { id, state: keepSecrets(state, inputs) };
}

/** The diff of a resource: the new inputs against the stored state (tools/fake-aws/aws.ts). Pure. */
export function diffState(type: string, _name: string, olds: Record<string, any>, news: Record<string, any>, _region?: string): ResourceDiff {
    return diffInputs(type, reveal(olds), reveal(news));
}

/**
 * The SDK's index, loaded on first use: only the awsx plugin constructs components. Loading it at start
 * (it loads the SDK's automation API and TypeScript itself) cost every plugin process about a second of
 * CPU, and the engine starts three to six of them per preview; the provider server
 * (`@pulumi/pulumi/provider`) and `runtime/rpc` do not need it.
 */
const sdk = (): typeof pulumi => require("@pulumi/pulumi");

/** A component the provider constructs for the program (registerOutputs is protected); a class made on first use, see `sdk`. */
interface ConstructedComponent extends pulumi.ComponentResource {
    publish(outputs: pulumi.Inputs): void;
}
let constructedComponent: (new (type: string, name: string, opts: pulumi.ComponentResourceOptions) => ConstructedComponent) | undefined;
function newComponent(type: string, name: string, opts: pulumi.ComponentResourceOptions): ConstructedComponent {
    constructedComponent ??= class extends sdk().ComponentResource {
        constructor(t: string, n: string, o: pulumi.ComponentResourceOptions) {
            super(t, n, {}, o);
        }
        publish(outputs: pulumi.Inputs): void {
            this.registerOutputs(outputs);
        }
    };
    return new constructedComponent(type, name, opts);
}

/** Every output of the fake awsx VPC (a record, so the compiler insists on each field of the state). */
const VPC_OUTPUTS: Record<keyof AwsxVpcState, true> = {
    vpcId: true, vpc: true, subnets: true, publicSubnetIds: true, privateSubnetIds: true, isolatedSubnetIds: true,
    routeTables: true, routeTableAssociations: true, routes: true, natGateways: true, eips: true, internetGateway: true,
};

/** The provider for one package; `region()` is the region the engine configured this instance with. */
export function fakeProvider(pkg: FakePackage, version: string, region: () => string, awsAccounts: FakeAccounts | undefined = accountsFromEnv()): provider.Provider {
    // Only AWS is an account: random's values live in the state alone (its ids are all "none").
    const accountOf = (urn: string) => (pkg === "aws" && parseUrn(urn).type.startsWith("aws:") ? awsAccounts : undefined);
    const base: provider.Provider = {
        version,
        check: async (urn, _olds, news) => {
            const { type, name } = parseUrn(urn);
            const { inputs, failures } = checkInputs(type, news, name);
            return { inputs: keepSecrets(inputs, news), failures };
        },
        diff: async (_id, urn, olds, news) => {
            const { type, name } = parseUrn(urn);
            const { changed, replaces } = diffState(type, name, olds, news, region());
            return { changes: changed.length > 0, replaces };
        },
        create: async (urn, inputs) => {
            const { type, name } = parseUrn(urn);
            await injectFault("create", type, name); // the chaos suite's fault plan (TMS_FAULT_PLAN), if any
            const accounts = accountOf(urn);
            const plain = reveal(inputs);
            accounts?.claim(urn, region(), plain);
            const generation = accounts?.nextGeneration(urn) ?? 0;
            let { id, state } = plannedState(type, name, inputs, region(), generation, urnParts(urn).stack);
            if (type === "aws:ecs/taskDefinition:TaskDefinition" && accounts) {
                // Each registration is the family's next revision; the id names the revision, as its ARN does.
                const revision = accounts.nextRevision(urn, region(), String(plain.family));
                state = { ...state, revision, arn: String(state.arn).replace(/:\d+$/, `:${revision}`) };
                id = state.arn;
            }
            // Some types have no natural id in the mock (""): the engine needs one for a custom resource.
            id ||= `${name}-id`;
            accounts?.store(urn, region(), id, reveal(state));
            return { id, outs: state };
        },
        read: async (id, urn, props) => {
            const accounts = accountOf(urn);
            if (!accounts) return { id, props };
            const stored = accounts.read(urn, region(), id);
            // Gone from the account (deleted out of band, or by another stack): the engine drops it.
            if (stored === undefined) return { id: "", props: {} };
            return { id, props: keepSecrets(stored, props) };
        },
        update: async (id, urn, _olds, news) => {
            const { type, name } = parseUrn(urn);
            await injectFault("update", type, name);
            const accounts = accountOf(urn);
            const previous = accounts?.read(urn, region(), id);
            // An update keeps the resource: its generated ids and ARNs stay those of its create.
            const kept = previous ? Object.fromEntries(Object.entries(previous).filter(([k]) => !(k in news))) : {};
            const { state } = plannedState(type, name, news, region(), 0, urnParts(urn).stack);
            const outs = { ...state, ...kept, ...Object.fromEntries(Object.entries(state).filter(([k]) => k in news)) };
            accounts?.store(urn, region(), id, reveal(outs));
            return { outs };
        },
        delete: async (id, urn, props) => {
            const accounts = accountOf(urn);
            const refused = factsOf(parseUrn(urn).type)?.refusesDelete?.refuse(reveal(props));
            if (refused) throw new AwsError(refused);
            accounts?.release(urn, region(), reveal(props));
            accounts?.forget(urn, region(), id);
        },
        invoke: async (token, inputs) => {
            try {
                return { outputs: mockInvoke(token, reveal(inputs), region()) };
            } catch (e) {
                return { failures: [{ property: "", reason: (e as Error).message }] };
            }
        },
    };
    if (pkg !== "awsx") return base;
    return {
        ...base,
        // awsx components are remote: the engine asks the provider to construct them. As under the mock
        // engine, the VPC is one component whose outputs are the fake's computed ids.
        construct: async (name, type, inputs, options) => {
            if (type !== "awsx:ec2:Vpc") throw new Error(`the fake awsx provider constructs only awsx:ec2:Vpc, not ${type}`);
            const component = newComponent(type, name, options);
            const state = sdk().output(inputs).apply((i) => mockResourceState(type, name, i, { region: region(), stackReference: () => undefined }).state);
            const outputs = Object.fromEntries(Object.keys(VPC_OUTPUTS).map((k) => [k, state.apply((s) => s[k])]));
            component.publish(outputs);
            return { urn: component.urn, state: outputs };
        },
    };
}

/**
 * What the fake plans for an update during preview, as the bridged AWS provider plans it: the new
 * inputs, and every computed output kept at its stored value (an update keeps the resource's ids and
 * ARNs; a change that would give new ones replaces it instead). Pure.
 */
export function previewUpdateState(_type: string, _name: string, olds: Record<string, any>, news: Record<string, any>, _region?: string): Record<string, any> {
    return { ...Object.fromEntries(Object.entries(olds).filter(([k]) => !(k in news))), ...news };
}

/**
 * The SDK's provider server answers `Configure` itself (dropping the provider's configuration and
 * declining preview) and ignores the `preview` flag of Create and Update. The fake wraps it: it reads
 * the region each provider instance is configured with, declares preview support, and answers
 * preview-time Create (inputs only: every computed output is unknown until applied) and Update
 * (`previewUpdateState`) itself, as the real AWS provider does.
 */
function interceptServer(onConfigure: (args: Record<string, any>, variables: Record<string, string>) => void, region: () => string): void {
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
    const provproto = require(path.join(sdkDir, "proto", "provider_pb"));
    const structproto = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
    const addService = grpc.Server.prototype.addService;
    grpc.Server.prototype.addService = function (service: any, impl: any) {
        const wrapped = Object.create(impl);
        wrapped.configure = (call: any, callback: any) => {
            const variables: Record<string, string> = {};
            call.request.getVariablesMap().forEach((v: string, k: string) => (variables[k] = v));
            onConfigure(call.request.getArgs()?.toJavaScript() ?? {}, variables);
            return impl.configure(call, (err: any, resp: any) => {
                resp?.setSupportspreview(true);
                callback(err, resp);
            });
        };
        wrapped.create = (call: any, callback: any) => {
            if (!call.request.getPreview()) return impl.create(call, callback);
            const resp = new provproto.CreateResponse();
            resp.setId("");
            resp.setProperties(call.request.getProperties());
            callback(undefined, resp);
        };
        // The SDK's diff has no field for the changed properties; the engine shows them (`diffs`) when given.
        wrapped.diff = (call: any, callback: any) => {
            try {
                const { type, name } = parseUrn(call.request.getUrn());
                const d = diffState(type, name, call.request.getOlds().toJavaScript(), call.request.getNews().toJavaScript(), region());
                const resp = new provproto.DiffResponse();
                resp.setChanges(d.changed.length ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
                resp.setDiffsList(d.changed);
                if (d.replaces.length) resp.setReplacesList(d.replaces);
                callback(undefined, resp);
            } catch (e) {
                callback(e, undefined);
            }
        };
        wrapped.update = (call: any, callback: any) => {
            if (!call.request.getPreview()) return impl.update(call, callback);
            try {
                const { type, name } = parseUrn(call.request.getUrn());
                const outs = previewUpdateState(type, name, call.request.getOlds().toJavaScript(), call.request.getNews().toJavaScript(), region());
                const resp = new provproto.UpdateResponse();
                resp.setProperties(structproto.Struct.fromJavaScript(outs));
                callback(undefined, resp);
            } catch (e) {
                callback(e, undefined);
            }
        };
        return addService.call(this, service, wrapped);
    };
}

/** The region of a configured aws provider: its `region` argument, else `aws:region` as a variable. Pure. */
export function regionFromConfig(args: Record<string, any>, variables: Record<string, string>): string | undefined {
    const r = reveal(args.region) ?? variables["aws:region"] ?? variables["aws:config:region"];
    return typeof r === "string" && r !== unknownValue ? r : undefined;
}

if (require.main === module) {
    const pkg = process.argv[2] as FakePackage;
    if (!FAKE_PACKAGES.includes(pkg)) {
        process.stderr.write(`fake-provider: unknown package ${JSON.stringify(pkg)} (one of ${FAKE_PACKAGES.join(", ")})\n`);
        process.exit(1);
    }
    // awsx loads the SDK's index to construct its component: without the closure-serialisation module (lazy-sdk.ts).
    deferCodePaths(__dirname);
    let region = process.env.AWS_REGION ?? "us-east-1";
    interceptServer((args, variables) => (region = regionFromConfig(args, variables) ?? region), () => region);
    const { main } = require("@pulumi/pulumi/provider") as typeof provider;
    // The DR game day's outage and SSM (tools/fake-aws/outage.ts); inert without TMS_SANDBOX_WORLD.
    main(withSandboxWorld(fakeProvider(pkg, requiredVersion(pkg), () => region), () => region), process.argv.slice(3));
}
