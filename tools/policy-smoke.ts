/**
 * End-to-end smoke test of the real pack without a Pulumi CLI: starts `policy/index.ts` as the
 * CLI would (a child process that prints its gRPC port), then plays the CLI's part over gRPC:
 * GetAnalyzerInfo, Configure (with `policy/config/<env>.json`), Analyze and AnalyzeStack.
 *
 *   npx ts-node --transpile-only tools/policy-smoke.ts [prod]
 *
 * `smoke()` is also used by test/policy/pack-server.test.ts.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import type { Environment } from "../policy/common";
import { enforcementLevelOf, loadPackConfig, policyConfigOf } from "./policy/pack-config";
import { policies } from "../policy/policies";

const grpc = require("@grpc/grpc-js");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const POLICY_DIR = path.join(__dirname, "..", "policy");
const LEVELS: Record<number, string> = { 0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate" };
const LEVEL_CODES: Record<string, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

export interface SmokeDiagnostic {
    policy: string;
    level: string;
    message: string;
    urn: string;
}

export interface SmokeResult {
    packName: string;
    version: string;
    policyCount: number;
    resource: SmokeDiagnostic[];
    stack: SmokeDiagnostic[];
}

function startPack(): Promise<{ child: ChildProcess; port: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "", err = "";
        const timer = setTimeout(() => { child.kill(); reject(new Error(`pack did not start: ${err}`)); }, 20000);
        child.stdout!.on("data", d => {
            out += d;
            const m = /^(\d+)\s*$/m.exec(out);
            if (m) { clearTimeout(timer); resolve({ child, port: m[1] }); }
        });
        child.stderr!.on("data", d => { err += d; });
        child.on("exit", code => { clearTimeout(timer); reject(new Error(`pack exited ${code}: ${err}`)); });
    });
}

function call<T>(client: any, method: string, req: any): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))));
}

function options(): any {
    const o = new pb.AnalyzerResourceOptions();
    o.setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

function diagnostics(resp: any): SmokeDiagnostic[] {
    return resp.getDiagnosticsList().map((d: any) => ({
        policy: d.getPolicyname(), level: LEVELS[d.getEnforcementlevel()], message: d.getMessage(), urn: d.getUrn(),
    }));
}

/** Runs the pack in a child process for `env` and analyzes a few resources; always stops the child. */
export async function smoke(env: Environment = "prod"): Promise<SmokeResult> {
    const { child, port } = await startPack();
    const client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
        const info: any = await call(client, "getAnalyzerInfo", new Empty());

        // Like the CLI: resolve `all` and per-policy entries into one level (and config) per policy.
        const packConfig = loadPackConfig(env);
        const configure = new pb.ConfigureAnalyzerRequest();
        for (const p of policies) {
            const c = new pb.PolicyConfig();
            c.setEnforcementlevel(LEVEL_CODES[enforcementLevelOf(p, packConfig)]);
            c.setProperties(Struct.fromJavaScript(policyConfigOf(p, packConfig)));
            configure.getPolicyconfigMap().set(p.name, c);
        }
        await call(client, "configure", configure);

        // A DocumentDB cluster with 7-day backups; its key ARN is unknown, as in a preview.
        const urn = `urn:pulumi:${env}::tms::aws:docdb/cluster:Cluster::db`;
        const req = new pb.AnalyzeRequest();
        req.setType("aws:docdb/cluster:Cluster");
        req.setUrn(urn);
        req.setName("db");
        req.setOptions(options());
        req.setProperties(Struct.fromJavaScript({
            storageEncrypted: true, kmsKeyId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", backupRetentionPeriod: 7,
            dbClusterParameterGroupName: "tms-docdb", enabledCloudwatchLogsExports: ["audit"], deletionProtection: true,
            preferredMaintenanceWindow: "tue:07:00-tue:08:00", preferredBackupWindow: "05:00-06:00",
        }));
        const resource = diagnostics(await call(client, "analyze", req));

        // A bucket without companions, in a stack.
        const bucket = new pb.AnalyzerResource();
        bucket.setType("aws:s3/bucketV2:BucketV2");
        bucket.setUrn(`urn:pulumi:${env}::tms::aws:s3/bucketV2:BucketV2::assets`);
        bucket.setName("assets");
        bucket.setOptions(options());
        bucket.setProperties(Struct.fromJavaScript({ bucket: "tms-assets", tags: { Service: "assets" } }));
        const stackReq = new pb.AnalyzeStackRequest();
        stackReq.setResourcesList([bucket]);
        const stack = diagnostics(await call(client, "analyzeStack", stackReq));

        return { packName: info.getName(), version: info.getVersion(), policyCount: info.getPoliciesList().length, resource, stack };
    } finally {
        client.close();
        child.kill();
    }
}

if (require.main === module) {
    smoke((process.argv[2] ?? "prod") as Environment).then(
        r => { console.log(JSON.stringify(r, null, 2)); },
        e => { console.error(e); process.exitCode = 1; },
    );
}
