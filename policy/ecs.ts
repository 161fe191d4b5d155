/**
 * ECS policies. `containerDefinitions` is a JSON string input; when it is unknown during preview
 * (it embeds an image URI computed by ECR), the container checks cannot run and stay silent
 * there; the offline plan always sees the resolved string.
 */
import { list, parseJson, read, resourcePolicy, str, UNKNOWN } from "./common";

export const ECS_TYPES = {
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    cluster: "aws:ecs/cluster:Cluster",
} as const;

interface Container {
    name: string;
    def: Record<string, any>;
}

export function containersOf(props: Record<string, any>): Container[] {
    const defs = parseJson(read(props, "containerDefinitions"));
    return list(defs).filter(d => d && typeof d === "object").map((def, i) => ({ name: str(def.name) ?? `#${i}`, def }));
}

/** Environment variable names that look like secrets (ARN/name/id/path references are fine). */
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH)/i;
const REFERENCE_SUFFIX = /_(ARN|NAME|ID|PATH|FILE|REGION|URL|ENDPOINT)$/i;

export function looksSecret(name: string): boolean {
    return SECRET_NAME.test(name) && !REFERENCE_SUFFIX.test(name);
}

function containerPolicy(
    name: string, description: string, control: string, severity: "low" | "medium" | "high" | "critical",
    remediation: string, check: (c: Container) => string | undefined,
) {
    return resourcePolicy({
        name, description,
        metadata: { control, severity, remediation, area: "ecs" },
        types: [ECS_TYPES.taskDefinition],
        validate: (props, _args, report) => {
            for (const c of containersOf(props)) {
                const problem = check(c);
                if (problem) report(`Container "${c.name}" ${problem}`);
            }
        },
    });
}

export const ecsTaskNoPrivileged = containerPolicy(
    "ecs-task-no-privileged",
    "ECS containers must not run privileged.",
    "FSBP ECS.4", "high",
    "Remove `privileged: true` from the container definition.",
    c => (c.def.privileged === true ? "runs privileged: remove `privileged: true`." : undefined),
);

export const ecsTaskReadonlyRoot = containerPolicy(
    "ecs-task-readonly-root-filesystem",
    "ECS containers mount their root filesystem read-only.",
    "FSBP ECS.5", "medium",
    "Set `readonlyRootFilesystem: true`; mount a volume for paths the app writes (e.g. /tmp).",
    c => (c.def.readonlyRootFilesystem === true ? undefined : "has a writable root filesystem: set `readonlyRootFilesystem: true`."),
);

export const ecsTaskNonRootUser = containerPolicy(
    "ecs-task-non-root-user",
    "ECS containers run as a non-root user.",
    "FSBP ECS.20", "medium",
    "Set `user` to a non-root UID (e.g. \"1000:1000\") in the container definition and the image.",
    c => {
        const user = c.def.user === undefined ? undefined : String(c.def.user);
        if (user === undefined || user === "") return "has no `user` and runs as root: set `user` to a non-root UID such as \"1000:1000\".";
        const uid = user.split(":")[0];
        return uid === "root" || uid === "0" ? `runs as "${user}": set \`user\` to a non-root UID.` : undefined;
    },
);

export const ecsTaskNoSecretsInEnvironment = containerPolicy(
    "ecs-task-no-secrets-in-environment",
    "Secret-looking variables (PASSWORD, SECRET, TOKEN, API_KEY, …) come through `secrets`, never `environment`.",
    "FSBP ECS.8", "high",
    "Store the value in Secrets Manager (`[env]/[service]/[name]`) and reference it in the container's `secrets` with `valueFrom`.",
    (c) => {
        const names = list(c.def.environment)
            .map((e) => str(e?.name))
            .filter((n): n is string => !!n && looksSecret(n));
        return names.length
            ? `passes ${names.join(", ")} in \`environment\`: move them to \`secrets\` (valueFrom a Secrets Manager ARN).`
            : undefined;
    },
);

export const ecsTaskLogConfiguration = containerPolicy(
    "ecs-task-log-configuration",
    "ECS containers have a log configuration.",
    "FSBP ECS.9", "medium",
    "Add `logConfiguration` with the awslogs driver and the service's log group.",
    c => (c.def.logConfiguration?.logDriver ? undefined : "has no `logConfiguration`: add one with `logDriver: \"awslogs\"`."),
);

export const ecsTaskNoHostPid = resourcePolicy({
    name: "ecs-task-no-host-pid",
    description: "ECS task definitions do not share the host's process namespace.",
    metadata: { control: "FSBP ECS.3", severity: "high", area: "ecs", remediation: "Remove `pidMode: \"host\"` from the task definition." },
    types: [ECS_TYPES.taskDefinition],
    validate: (props, _args, report) => {
        if (read(props, "pidMode") === "host") report("Tasks share the host PID namespace: remove `pidMode: \"host\"`.");
    },
});

export const ecsTaskAwsvpc = resourcePolicy({
    name: "ecs-task-awsvpc-network-mode",
    description: "ECS task definitions use the awsvpc network mode (one ENI and security group per task).",
    metadata: {
        control: "FSBP ECS.1, ECS.17",
        severity: "medium",
        area: "ecs",
        remediation: 'Set `networkMode: "awsvpc"` on the task definition.',
    },
    types: [ECS_TYPES.taskDefinition],
    validate: (props, _args, report) => {
        const mode = read(props, "networkMode");
        if (mode !== UNKNOWN && mode !== "awsvpc")
            report(`networkMode is ${mode === undefined ? "unset (bridge)" : `"${mode}"`}: set \`networkMode: "awsvpc"\`.`);
    },
});

export const ecsServiceNoPublicIp = resourcePolicy({
    name: "ecs-service-no-public-ip",
    description: "ECS services do not assign public IPs to tasks.",
    metadata: {
        control: "FSBP ECS.2",
        severity: "high",
        area: "ecs",
        remediation: "Set `networkConfiguration.assignPublicIp: false` and run tasks in private subnets.",
    },
    types: [ECS_TYPES.service],
    validate: (props, _args, report) => {
        if (read(read(props, "networkConfiguration"), "assignPublicIp") === true) {
            report("Tasks get public IPs: set `networkConfiguration.assignPublicIp: false` and use private subnets.");
        }
    },
});

function versionAtLeast(v: string, min: number[]): boolean {
    const parts = v.split(".").map(Number);
    for (let i = 0; i < min.length; i++) {
        const p = parts[i] ?? 0;
        if (p !== min[i]) return p > min[i];
    }
    return true;
}

export const ecsServicePlatformVersion = resourcePolicy({
    name: "ecs-service-platform-version",
    description: "Fargate services run the latest platform version (LATEST, or 1.4.0 or later).",
    metadata: { control: "FSBP ECS.10", severity: "medium", area: "ecs", remediation: "Omit `platformVersion` or set it to \"LATEST\"." },
    types: [ECS_TYPES.service],
    validate: (props, _args, report) => {
        const v = read(props, "platformVersion");
        if (typeof v !== "string" || v === "LATEST") return;
        if (!/^\d+(\.\d+)*$/.test(v) || !versionAtLeast(v, [1, 4, 0])) {
            report(`platformVersion "${v}" is not current: set it to "LATEST" (or 1.4.0 or later).`);
        }
    },
});

export const ecsClusterContainerInsights = resourcePolicy({
    name: "ecs-cluster-container-insights",
    description: "ECS clusters have Container Insights enabled.",
    metadata: {
        control: "FSBP ECS.12",
        severity: "low",
        area: "ecs",
        remediation: 'Add `settings: [{ name: "containerInsights", value: "enabled" }]` to the cluster.',
    },
    types: [ECS_TYPES.cluster],
    validate: (props, _args, report) => {
        const s = list(read(props, "settings")).find(x => read(x, "name") === "containerInsights");
        const value = s ? read(s, "value") : undefined;
        if (value !== "enabled" && value !== "enhanced" && value !== UNKNOWN) {
            report("Container Insights is off: add the cluster setting `containerInsights` = \"enabled\".");
        }
    },
});

export const ecsPolicies = [
    ecsTaskNoPrivileged, ecsTaskReadonlyRoot, ecsTaskNonRootUser, ecsTaskNoSecretsInEnvironment,
    ecsTaskLogConfiguration, ecsTaskNoHostPid, ecsTaskAwsvpc,
    ecsServiceNoPublicIp, ecsServicePlatformVersion, ecsClusterContainerInsights,
];
