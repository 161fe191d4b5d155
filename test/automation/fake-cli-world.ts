/**
 * A fake world on disk for the rollout CLI (L4): the state and the lock in a {@link FileStateStore}
 * (the same O_EXCL/rename semantics a spawned process and the test can share), a stack whose traffic
 * config and listener weight come from `world.json`, notifications appended to `notifications.jsonl`,
 * stack changes to `calls.log`, records written by the real record writer under `records/`.
 *
 * Used in-process (`fakeEnvironment`) and by `fixtures/cli-with-fakes.ts`, the CLI's real entry
 * point spawned as a process with this world instead of AWS and Pulumi.
 */
import { contractOutputs } from "./fakes";
import * as fs from "fs";
import * as path from "path";
import type { PulumiStackLike } from "../../automation/adapters/pulumi-stack";
import type { CliEnvironment } from "../../automation/cli";
import { systemClock } from "../../automation/clock";
import type { Clock, Colour, StackPort, TrafficState } from "../../automation/ports";
import { writeRecord } from "../../automation/record";
import { FileStateStore } from "./state-file";

export interface WorldFile {
    traffic: TrafficState;
    /** What the load balancer reads, or an error message. */
    readWeight: number | string;
}

export const worldPaths = (dir: string) => ({
    world: path.join(dir, "world.json"),
    state: path.join(dir, "state"),
    records: path.join(dir, "records"),
    notifications: path.join(dir, "notifications.jsonl"),
    calls: path.join(dir, "calls.log"),
});

export function writeWorld(dir: string, world: WorldFile): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(worldPaths(dir).world, JSON.stringify(world, null, 2));
}

const readWorld = (dir: string): WorldFile => JSON.parse(fs.readFileSync(worldPaths(dir).world, "utf8"));

/** The stack port over world.json: reads, and the one change cleanup makes (scale a colour to 0). */
export function fakeStack(dir: string): StackPort {
    const p = worldPaths(dir);
    const call = (line: string) => fs.appendFileSync(p.calls, line + "\n");
    const notHere = (what: string) => async () => { throw new Error(`${what}: not part of this fake`); };
    return {
        readTraffic: async () => readWorld(dir).traffic,
        readWeight: async () => {
            const w = readWorld(dir).readWeight;
            if (typeof w === "string") throw new Error(w);
            return w;
        },
        scaleToZero: async (c: Colour) => {
            const w = readWorld(dir);
            w.traffic.running[c] = false;
            writeWorld(dir, w);
            call(`scaleToZero ${c}`);
        },
        deployCandidate: notHere("deployCandidate"),
        setWeight: notHere("setWeight"),
        candidateHealth: notHere("candidateHealth"),
        finalise: notHere("finalise"),
        deployRolling: notHere("deployRolling"),
    };
}

/** A CliEnvironment whose ports are the fake world in `dir`; output goes to `out`/`err`. */
export function fakeEnvironment(dir: string, io: { out(l: string): void; err(l: string): void }, clock: Clock = systemClock): CliEnvironment {
    const p = worldPaths(dir);
    return {
        // The Pulumi stack exists but exports nothing this fake needs: every port is replaced below.
        selectStack: async () => ({ name: "prod", outputs: async () => contractOutputs() }) as unknown as PulumiStackLike,
        adjustDeps: (deps) => ({
            ...deps,
            stack: fakeStack(dir),
            store: new FileStateStore(p.state),
            clock,
            notifier: { notify: async (n) => fs.appendFileSync(p.notifications, JSON.stringify(n) + "\n") },
            writeRecord: (r) => Object.values(writeRecord(p.records, r)),
        }),
        out: io.out,
        err: io.err,
        env: { TMS_TEST: "1" },
    };
}

export function notifications(dir: string): { kind: string; subject: string; message: string }[] {
    const file = worldPaths(dir).notifications;
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
}
