/**
 * Fake provider plugins for the offline sandbox: `pulumi-resource-aws`, `-awsx`, `-random` (and inert
 * `-docker`, `-docker-build`, which @pulumi/awsx depends on and the program never uses), each served
 * through the SDK's own provider server (`@pulumi/pulumi/provider`'s `main`), so the real engine talks
 * to them over the real provider protocol.
 *
 * They compute outputs with the same functions as the mock engine (`tools/mock-state.ts`): one source of
 * fake-AWS truth. `diff` recomputes the state the new inputs would produce and compares it with the old
 * state; a changed property listed in `replacements.ts` asks for a replacement. Nothing here talks to AWS.
 *
 * Usage (from the plugin scripts in tools/sandbox/plugins): `fake-provider.ts <package> <engine-address>`.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { AwsxVpcState } from "../awsx-vpc-layout";
import { mockInvoke, mockResourceState } from "../mock-state";
import { replacedProperties } from "./replacements";
import { injectFault } from "./faults";
import { withSandboxWorld } from "./outage";

/** The packages the sandbox serves; the program's npm dependencies decide their versions. */
export const FAKE_PACKAGES = ["aws", "awsx", "random", "docker", "docker-build"] as const;
export type FakePackage = (typeof FAKE_PACKAGES)[number];

/** The plugin version a package requires: the `pulumi.version` of its npm package. */
export function requiredVersion(pkg: FakePackage, root = path.resolve(__dirname, "..", "..")): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "node_modules", "@pulumi", pkg, "package.json"), "utf8"));
    return String(manifest.pulumi?.version ?? manifest.version).replace(/^v/, "");
}

/** Type and name of a resource from its URN (`urn:pulumi:stack::project::parent$type::name`). Pure. */
export function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    if (parts.length < 4) throw new Error(`not a resource URN: ${urn}`);
    const type = parts[2].split("$").pop()!;
    return { type, name: parts.slice(3).join("::") };
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

/**
 * The state AWS would report for these inputs: the mock engine's answer, with each input property that
 * came in as a secret kept secret (the engine must never see it in plain text). Pure.
 */
export function plannedState(type: string, name: string, inputs: Record<string, any>, region: string): { id: string; state: Record<string, any> } {
    const plain = reveal(inputs);
    const { id, state } = mockResourceState(type, name, plain, { region, stackReference: () => undefined });
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(state)) out[k] = k in inputs && equal(v, plain[k]) ? inputs[k] : v;
    return { id, state: out };
}

/**
 * The diff of a resource: top-level properties whose planned state differs from the old state (an input
 * that is unknown during preview counts as changed), and those of them AWS cannot change in place. Pure.
 */
export function diffState(type: string, name: string, olds: Record<string, any>, news: Record<string, any>, region: string): { changed: string[]; replaces: string[] } {
    const { state } = plannedState(type, name, news, region);
    const keys = new Set([...Object.keys(state), ...Object.keys(olds)]);
    const unknown = (v: any): boolean => v === unknownValue || (Array.isArray(v) ? v.some(unknown) : v !== null && typeof v === "object" && Object.values(v).some(unknown));
    const changed = [...keys].filter((k) => unknown(state[k]) || !equal(reveal(state[k]), reveal(olds[k]))).sort();
    return { changed, replaces: replacedProperties(type, changed) };
}

/** A component the provider constructs for the program (registerOutputs is protected). */
class ConstructedComponent extends pulumi.ComponentResource {
    constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
        super(type, name, {}, opts);
    }
    publish(outputs: pulumi.Inputs): void {
        this.registerOutputs(outputs);
    }
}

/** Every output of the fake awsx VPC (a record, so the compiler insists on each field of the state). */
const VPC_OUTPUTS: Record<keyof AwsxVpcState, true> = {
    vpcId: true, vpc: true, subnets: true, publicSubnetIds: true, privateSubnetIds: true, isolatedSubnetIds: true,
    routeTables: true, routeTableAssociations: true, routes: true, natGateways: true, eips: true, internetGateway: true,
};

/** The provider for one package; `region()` is the region the engine configured this instance with. */
export function fakeProvider(pkg: FakePackage, version: string, region: () => string): provider.Provider {
    const base: provider.Provider = {
        version,
        check: async (_urn, _olds, news) => ({ inputs: news }),
        diff: async (_id, urn, olds, news) => {
            const { type, name } = parseUrn(urn);
            const { changed, replaces } = diffState(type, name, olds, news, region());
            return { changes: changed.length > 0, replaces };
        },
        create: async (urn, inputs) => {
            const { type, name } = parseUrn(urn);
            await injectFault("create", type, name); // the chaos suite's fault plan (TMS_FAULT_PLAN), if any
            const { id, state } = plannedState(type, name, inputs, region());
            // Some types have no natural id in the mock (""): the engine needs one for a custom resource.
            return { id: id || `${name}-id`, outs: state };
        },
        read: async (id, _urn, props) => ({ id, props }),
        update: async (_id, urn, _olds, news) => {
            const { type, name } = parseUrn(urn);
            await injectFault("update", type, name);
            return { outs: plannedState(type, name, news, region()).state };
        },
        delete: async () => undefined,
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
            const component = new ConstructedComponent(type, name, options);
            const state = pulumi.output(inputs).apply((i) => mockResourceState(type, name, i, { region: region(), stackReference: () => undefined }).state);
            const outputs = Object.fromEntries(Object.keys(VPC_OUTPUTS).map((k) => [k, state.apply((s) => s[k])]));
            component.publish(outputs);
            return { urn: component.urn, state: outputs };
        },
    };
}

/**
 * What the fake plans for an update during preview, as a provider that supports preview does (the
 * bridged AWS provider's plan): inputs as given, and each computed output kept at its old value when
 * the new inputs would produce the same value (an ARN survives a weight change), unknown otherwise
 * ("known after apply"). Pure.
 */
export function previewUpdateState(type: string, name: string, olds: Record<string, any>, news: Record<string, any>, region: string): Record<string, any> {
    const { state } = plannedState(type, name, news, region);
    const out: Record<string, any> = { ...news };
    for (const [k, v] of Object.entries(state)) {
        if (k in news) continue;
        out[k] = k in olds && equal(reveal(v), reveal(olds[k])) ? olds[k] : unknownValue;
    }
    return out;
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
    let region = process.env.AWS_REGION ?? "us-east-1";
    interceptServer((args, variables) => (region = regionFromConfig(args, variables) ?? region), () => region);
    const { main } = require("@pulumi/pulumi/provider") as typeof provider;
    // The DR game day's outage and SSM (tools/sandbox/outage.ts); inert without TMS_SANDBOX_WORLD.
    main(withSandboxWorld(fakeProvider(pkg, requiredVersion(pkg), () => region), () => region), process.argv.slice(3));
}
