/**
 * One-off ECS tasks run from the candidate colour's task definition (for migrations, the colour's
 * migration task definition), inside the VPC: database migrations (guide, "Schema Migrations") and, when the runner cannot reach the test
 * listener, the
 * smoke tests. The network settings (private subnets, the services security group) are read from
 * the candidate ECS service itself, so they are exactly what the service runs with, and no public
 * IP is assigned.
 */
import { DescribeServicesCommand, DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import type { Clock, Colour } from "../ports";
import { awsCall } from "./aws-call";

export interface EcsTargets {
    clusterName: string;
    /** ECS service names per service and colour (`ecsServices` stack output). */
    ecsServices: Record<string, Record<Colour, string>>;
    /**
     * Migration task definition families per service and colour (`migrationTaskFamilies` stack
     * output): they create and rotate the service's database users before the migration command.
     * Absent (dr), migrations run with the colour's own task definition.
     */
    migrationTaskFamilies?: Record<string, Partial<Record<Colour, string>>>;
}

export interface TaskOptions {
    /** How long a task may run before the rollout gives up on it. Decision: 30 min for migrations. */
    timeoutMs: number;
    pollMs: number;
    callTimeoutMs?: number;
}

export interface TaskOutcome {
    ok: boolean;
    /** e.g. "exit code 0", "exit code 3 (Essential container in task exited)", "failed to start: RESOURCE:MEMORY". */
    detail: string;
    taskArn: string | null;
}

export class EcsOneOffTasks {
    constructor(
        private readonly client: ECSClient,
        private readonly targets: EcsTargets,
        private readonly clock: Clock,
        private readonly opts: TaskOptions,
    ) {}

    /**
     * Run `command` in `service`'s container with the task definition `colour` runs now, and wait
     * until the task stops. Never throws for a task that failed: the outcome says why.
     */
    async run(
        service: string,
        colour: Colour,
        command: string[],
        startedBy: string,
        kind: "service" | "migration" = "service",
    ): Promise<TaskOutcome> {
        const ecsService = this.targets.ecsServices[service]?.[colour];
        if (!ecsService) return { ok: false, detail: `no ECS service for ${service}/${colour} in the stack outputs`, taskArn: null };
        const described = await awsCall("ECS DescribeServices", (o) => this.client.send(new DescribeServicesCommand({
            cluster: this.targets.clusterName, services: [ecsService],
        }), o), { timeoutMs: this.opts.callTimeoutMs });
        const svc = described.services?.[0];
        const vpc = svc?.networkConfiguration?.awsvpcConfiguration;
        if (!svc?.taskDefinition || !vpc?.subnets?.length) {
            return { ok: false, detail: `ECS service ${ecsService} not found or has no awsvpc network configuration`, taskArn: null };
        }
        const migrationFamily = kind === "migration" ? this.targets.migrationTaskFamilies?.[service]?.[colour] : undefined;
        const started = await awsCall(
            "ECS RunTask",
            (o) =>
                this.client.send(
                    new RunTaskCommand({
                        cluster: this.targets.clusterName,
                        // A family runs its latest revision: the one the last `pulumi up` registered with the colour's image.
                        taskDefinition: migrationFamily ?? svc.taskDefinition,
                        launchType: "FARGATE",
                        count: 1,
                        startedBy: startedBy.slice(0, 128),
                        networkConfiguration: {
                            awsvpcConfiguration: { subnets: vpc.subnets, securityGroups: vpc.securityGroups, assignPublicIp: "DISABLED" },
                        },
                        overrides: { containerOverrides: [{ name: service, command }] },
                    }),
                    o,
                ),
            { timeoutMs: this.opts.callTimeoutMs },
        );
        const taskArn = started.tasks?.[0]?.taskArn;
        if (!taskArn) {
            const why =
                (started.failures ?? []).map((f) => `${f.reason ?? "unknown"}${f.detail ? ` (${f.detail})` : ""}`).join("; ") ||
                "no task returned";
            return { ok: false, detail: `failed to start: ${why}`, taskArn: null };
        }
        const deadline = this.clock.now() + this.opts.timeoutMs;
        for (;;) {
            const out = await awsCall("ECS DescribeTasks", (o) => this.client.send(new DescribeTasksCommand({
                cluster: this.targets.clusterName, tasks: [taskArn],
            }), o), { timeoutMs: this.opts.callTimeoutMs });
            const task = out.tasks?.[0];
            if (task?.lastStatus === "STOPPED") {
                const container = task.containers?.find((c) => c.name === service);
                const code = container?.exitCode;
                if (code === 0) return { ok: true, detail: "exit code 0", taskArn };
                const reason = container?.reason ?? task.stoppedReason ?? task.stopCode ?? "stopped";
                return {
                    ok: false,
                    detail: code === undefined ? `stopped without an exit code (${reason})` : `exit code ${code} (${reason})`,
                    taskArn,
                };
            }
            if (this.clock.now() >= deadline) {
                return {
                    ok: false,
                    detail: `still ${task?.lastStatus ?? "unknown"} after ${Math.round(this.opts.timeoutMs / 1000)}s`,
                    taskArn,
                };
            }
            await this.clock.sleep(Math.min(this.opts.pollMs, deadline - this.clock.now()));
        }
    }
}

/**
 * Rolling deployments (dev): the ECS services are created with `waitForSteadyState: false`, so a
 * successful `pulumi up` only means ECS accepted the new task definitions. This waits until each
 * service's PRIMARY deployment is COMPLETED, or reports FAILED (the circuit breaker rolled it back).
 */
export async function waitForRollingDeployments(
    client: ECSClient,
    clusterName: string,
    services: string[],
    clock: Clock,
    opts: TaskOptions,
): Promise<{ settled: boolean; detail: string }> {
    const deadline = clock.now() + opts.timeoutMs;
    for (;;) {
        const out = await awsCall(
            "ECS DescribeServices",
            (o) => client.send(new DescribeServicesCommand({ cluster: clusterName, services }), o),
            { timeoutMs: opts.callTimeoutMs },
        );
        const states = services.map((name) => {
            const primary = out.services?.find((s) => s.serviceName === name)?.deployments?.find((d) => d.status === "PRIMARY");
            return { name, state: primary?.rolloutState ?? "MISSING", reason: primary?.rolloutStateReason ?? "" };
        });
        const failed = states.filter((s) => s.state === "FAILED" || s.state === "MISSING");
        if (failed.length)
            return { settled: false, detail: failed.map((s) => `${s.name}: ${s.state}${s.reason ? ` (${s.reason})` : ""}`).join("; ") };
        if (states.every((s) => s.state === "COMPLETED")) return { settled: true, detail: `${services.join(", ")} reached steady state` };
        if (clock.now() >= deadline) {
            return {
                settled: false,
                detail: `not settled after ${Math.round(opts.timeoutMs / 1000)}s: ${states.map((s) => `${s.name} ${s.state}`).join(", ")}`,
            };
        }
        await clock.sleep(Math.min(opts.pollMs, deadline - clock.now()));
    }
}
