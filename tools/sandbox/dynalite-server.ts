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
    // Node closes an idle keep-alive connection after 5 s by default, while the SDK's agent keeps it to reuse:
    // a command idle longer than that between two calls (a `pulumi up`, the stack's outputs read before the
    // preflight) then had its next call fail with "socket hang up". DynamoDB's endpoints keep them far longer.
    server.keepAliveTimeout = 15 * 60_000;
    server.headersTimeout = 15 * 60_000 + 1000;
    server.listen(0, "127.0.0.1", () => {
        const info: ServerInfo = { port: (server.address() as net.AddressInfo).port, pid: process.pid };
        fs.writeFileSync(infoFile(dir), JSON.stringify(info));
    });
}
