/**
 * The sandbox's DynamoDB: dynalite as a small background server (`dynalite-server.ts <dir>`), its LevelDB
 * data under `<dir>/data`, its port and pid in `<dir>/server.json`. A server, not an in-process store,
 * because several commands use the rollout table at once (a rollout and `rollout:status --watch`, a
 * killed runner and its resume). `ensureDynaliteServer` starts it when none answers.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";

export interface ServerInfo {
    port: number;
    pid: number;
}

const infoFile = (dir: string) => path.join(dir, "server.json");

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

function answers(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect(port, "127.0.0.1");
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
    });
}

/**
 * Node's HTTP server closes a keep-alive connection idle for 5 s (`keepAliveTimeout`); the AWS SDK's client
 * keeps its sockets and may send on one just as the server closes it: ECONNRESET, "socket hang up" (a
 * `rollout:status --watch` whose redraws take longer than 5 s died of it in the walkthrough of docs/sandbox.md).
 * Against AWS the SDK retries that error (ECONNRESET is in NODEJS_TIMEOUT_ERROR_CODES, retried as transient:
 * aws/aws-sdk-js-v3 packages/service-error-classification/src/constants.ts), but the sandbox's client makes
 * one attempt (`dynaliteClient`, so that a fault is seen, not retried away); so the stand-in keeps idle
 * connections for 10 minutes instead of racing the client.
 */
export function keepConnections(server: import("http").Server): void {
    server.keepAliveTimeout = 10 * 60_000;
    server.headersTimeout = server.keepAliveTimeout + 1000;
}

/** The endpoint of the sandbox's dynalite under `dir`, starting it if needed. */
export async function ensureDynaliteServer(dir: string): Promise<string> {
    fs.mkdirSync(dir, { recursive: true });
    const read = (): ServerInfo | null => {
        try {
            return JSON.parse(fs.readFileSync(infoFile(dir), "utf8")) as ServerInfo;
        } catch {
            return null;
        }
    };
    const running = read();
    if (running && alive(running.pid) && (await answers(running.port))) return `http://127.0.0.1:${running.port}`;
    fs.rmSync(infoFile(dir), { force: true });
    const root = path.resolve(__dirname, "..", "..");
    const child = spawn(process.execPath, ["-r", path.join(root, "node_modules/ts-node/register/transpile-only"), __filename, dir], {
        detached: true, stdio: "ignore", env: { ...process.env, TS_NODE_PROJECT: path.join(root, "tsconfig.json") },
    });
    child.unref();
    for (let i = 0; i < 200; i++) {
        const info = read();
        if (info && (await answers(info.port))) return `http://127.0.0.1:${info.port}`;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`dynalite did not start under ${dir} within 20 s`);
}

if (require.main === module) {
    const dir = process.argv[2];
    const dynalite = require("dynalite") as (o: Record<string, unknown>) => import("http").Server;
    const server = dynalite({ path: path.join(dir, "data"), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    keepConnections(server);
    server.listen(0, "127.0.0.1", () => {
        const info: ServerInfo = { port: (server.address() as net.AddressInfo).port, pid: process.pid };
        fs.writeFileSync(infoFile(dir), JSON.stringify(info));
    });
}
