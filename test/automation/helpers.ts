/** Trace builders and a process runner shared by the automation tests. */
import { spawn } from "child_process";
import * as path from "path";
import type { ColourMetrics, MetricsSample } from "../../automation/ports";
import type { Trace, TraceSample } from "../../automation/sim/trace";

export const LIVE: ColourMetrics = { requests: 5000, errors5xx: 3, p95Ms: 210 };
export const CANDIDATE: ColourMetrics = { requests: 560, errors5xx: 0, p95Ms: 205 };

/** A healthy interval: candidate as good as live. */
export function good(): MetricsSample {
    return { live: { ...LIVE }, candidate: { ...CANDIDATE }, unhealthyTargets: 0, alarms: [] };
}

/** Candidate 5xx spike: 5% of its requests. */
export function errorSpike(): MetricsSample {
    return { ...good(), candidate: { ...CANDIDATE, errors5xx: 28 } };
}

/** Candidate p95 at +60% of live. */
export function slow(): MetricsSample {
    return { ...good(), candidate: { ...CANDIDATE, p95Ms: LIVE.p95Ms! * 1.6 } };
}

export function unhealthy(): MetricsSample {
    return { ...good(), unhealthyTargets: 1 };
}

export function alarm(): MetricsSample {
    return { ...good(), alarms: ["tms-prod-api-gateway-5xx-critical"] };
}

export function lowTraffic(): MetricsSample {
    return { ...good(), candidate: { requests: 12, errors5xx: 0, p95Ms: 200 } };
}

export function queryError(): TraceSample {
    return { queryError: "ThrottlingException: Rate exceeded" };
}

/** `n` samples, good unless `at(i)` returns another. */
export function traceOf(n: number, at: (i: number) => TraceSample | undefined = () => undefined, extra: Partial<Trace> = {}): Trace {
    return { intervalSeconds: 60, samples: Array.from({ length: n }, (_, i) => at(i) ?? good()), ...extra };
}

/** Canary with defaults: 15 samples of steps (3 × 5) + 30 of validation. */
export const CANARY_SAMPLES = 45;
export const CANARY_PROMOTED_AT = 2700;

export const ROOT = path.resolve(__dirname, "../..");

export interface Spawned {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Run a TypeScript entry point of this repo as a user would (ts-node, transpile-only), from the repo root. */
export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Spawned> {
    return new Promise((resolve, reject) => {
        const child = spawn(path.join(ROOT, "node_modules/.bin/ts-node"), ["--transpile-only", script, ...args], { cwd: ROOT, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}
