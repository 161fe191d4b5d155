/**
 * The checks between deploying the candidate and moving traffic: database migrations and smoke
 * tests. Each is a small port so the orchestration is tested with fakes; the implementations here
 * use {@link EcsOneOffTasks} or plain HTTP.
 */
import type { CheckLine, CheckResult, Colour, MigrationPort, SmokePort } from "../ports";
import type { EcsOneOffTasks } from "./ecs-tasks";

// The ports are the engine's (automation/ports.ts); re-exported for the adapters' users.
export type { CheckLine, CheckResult, MigrationPort, SmokePort };

/** Guide, "Health Checks": liveness, readiness, dependencies, database. */
export const SMOKE_PATHS = ["/health", "/health/readiness", "/health/dependencies", "/health/db"];

export class EcsMigrations implements MigrationPort {
    constructor(
        private readonly tasks: EcsOneOffTasks,
        /** Migration command per service, in the order they run (config order). */
        private readonly commands: { service: string; command: string[] }[],
    ) {}

    async migrate(candidate: Colour, rolloutId: string): Promise<CheckResult> {
        const lines: CheckLine[] = [];
        for (const { service, command } of this.commands) {
            let line: CheckLine;
            try {
                const r = await this.tasks.run(service, candidate, command, `tms-migrate-${rolloutId}`, "migration");
                line = { name: service, ok: r.ok, detail: `${command.join(" ")}: ${r.detail}${r.taskArn ? ` [${r.taskArn}]` : ""}` };
            } catch (e) {
                line = { name: service, ok: false, detail: `${command.join(" ")}: failed to start: ${(e as Error).message}` };
            }
            lines.push(line);
            if (!line.ok) return { ok: false, lines };
        }
        return { ok: true, lines };
    }
}

/** Smoke tests from this runner, straight at the test listener (the runner is in `traffic.testListenerCidrs`). */
export class DirectSmokeTests implements SmokePort {
    readonly mode: string;

    constructor(
        /** The stack's `testListenerUrl`: the ALB's own name, never the CDN's (CloudFront serves 80/443 only). */
        readonly baseUrl: string,
        private readonly timeoutMs = 10_000,
        private readonly paths = SMOKE_PATHS,
    ) {
        this.mode = `direct from this runner to ${baseUrl}`;
    }

    async check(): Promise<CheckResult> {
        const lines: CheckLine[] = [];
        for (const p of this.paths) {
            const url = this.baseUrl.replace(/\/+$/, "") + p;
            try {
                const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs), redirect: "manual" });
                await res.arrayBuffer().catch(() => undefined);
                lines.push({ name: p, ok: res.status >= 200 && res.status < 300, detail: `GET ${url} → ${res.status}` });
            } catch (e) {
                const err = e as Error & { cause?: { code?: string; message?: string } };
                const why =
                    err.name === "TimeoutError"
                        ? `no answer within ${this.timeoutMs} ms`
                        : `${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}`;
                lines.push({ name: p, ok: false, detail: `GET ${url} failed: ${why}` });
            }
        }
        return { ok: lines.every((l) => l.ok), lines };
    }
}

/** The curl script the in-VPC task runs: each path in turn, naming the first that fails. Pure. */
export function curlScript(baseUrl: string, paths: string[], timeoutSeconds: number): string[] {
    const base = baseUrl.replace(/\/+$/, "");
    const checks = paths.map(
        (p) => `curl -fsS -o /dev/null --max-time ${timeoutSeconds} '${base}${p}' && echo 'ok ${p}' || { echo 'FAIL ${p}'; exit 1; }`,
    );
    return ["sh", "-c", checks.join("; ")];
}

/**
 * Smoke tests as a one-off ECS task inside the VPC (the runner cannot reach the test listener):
 * the candidate's own image runs curl (its container health check already relies on curl). The task
 * starts with the candidate service's subnets and security group; it reaches the internet-facing ALB
 * through its subnet's NAT gateway, whose Elastic IP the test listener admits.
 */
export class InVpcSmokeTests implements SmokePort {
    readonly mode: string;

    constructor(
        private readonly tasks: EcsOneOffTasks,
        readonly service: string,
        readonly baseUrl: string,
        private readonly timeoutSeconds = 10,
    ) {
        this.mode = `ECS task inside the VPC (candidate ${service}, through the NAT gateway) to ${baseUrl}`;
    }

    async check(candidate: Colour, rolloutId: string): Promise<CheckResult> {
        const command = curlScript(this.baseUrl, SMOKE_PATHS, this.timeoutSeconds);
        try {
            const r = await this.tasks.run(this.service, candidate, command, `tms-smoke-${rolloutId}`);
            return {
                ok: r.ok,
                lines: [{ name: SMOKE_PATHS.join(" "), ok: r.ok, detail: `curl task (${this.service}/${candidate}): ${r.detail}` }],
            };
        } catch (e) {
            return {
                ok: false,
                lines: [{ name: SMOKE_PATHS.join(" "), ok: false, detail: `curl task failed to start: ${(e as Error).message}` }],
            };
        }
    }
}
