/**
 * Names and tags, in one place, so every component and the rollout scripts agree on them.
 * Patterns come from the deployment guide: `task-management-<env>` clusters,
 * `task-management-system/<service>` repositories, `[env]/[service]/[secret]` secrets and
 * `/[env]/[service]/[parameter]` parameters.
 */
import type { StackConfig } from "./stack-config";
import type { Colour } from "./vocabulary";

/** Tags applied to every taggable resource through the AWS provider's `defaultTags`. */
export function defaultTags(cfg: Pick<StackConfig, "environment" | "costCenter">): Record<string, string> {
    return {
        Environment: cfg.environment,
        ManagedBy: "pulumi",
        CostCenter: cfg.costCenter,
        Project: "task-management-system",
    };
}

/** The per-resource tag naming the service (or shared concern) a resource belongs to. */
export function serviceTags(service: string, extra: Record<string, string> = {}): Record<string, string> {
    return { Service: service, ...extra };
}

export const clusterName = (env: string) => `task-management-${env}`;
export const repositoryName = (service: string) => `task-management-system/${service}`;
export const secretName = (envName: string, service: string, secret: string) => `${envName}/${service}/${secret}`;
export const parameterName = (envName: string, service: string, parameter: string) => `/${envName}/${service}/${parameter}`;
/** Account-global names (IAM roles) carry the stack's suffix so prod and dr never collide. */
export const globalName = (base: string, suffix: string) => `${base}${suffix}`;
/**
 * Names shared by the stack program and the rollout CLI. Each is a contract between the two layers
 * (and the deployment role's IAM scope), so it is defined once, here.
 */
/** The rollout lock table: the CLI's DynamoDB lock; the deployment role is scoped to it. */
export const rolloutTableName = (env: string) => `tms-${env}-rollouts`;
/** Alarms are `tms-<env>-<severity>-<what>`; the rollout CLI lists the critical ones by this prefix (server-side filter). */
export const alarmPrefix = (env: string, severity: "critical" | "warning") => `tms-${env}-${severity}-`;
/** Every alarm of a stack is `tms-<env>-…` (monitoring's and the break-glass alarm): the ARNs its topics and key admit. */
export const stackAlarmsArnPattern = (env: string, region: string, accountId: string) =>
    `arn:aws:cloudwatch:${region}:${accountId}:alarm:tms-${env}-*`;
/** Pre-deploy DocumentDB snapshots are `tms-<env>-predeploy-<release>-<stamp>`; the role may create, list and delete only these. */
export const predeploySnapshotPrefix = (env: string) => `tms-${env}-predeploy-`;
export const CLOUD_MAP_NAMESPACE = "service.local";

/**
 * The Cloud Map service name of one colour of a service. Rolling stacks have a single colour and use the
 * guide's plain `[service-name].service.local`; blue/green stacks keep colours apart so that blue
 * api-gateway only ever calls blue task-service.
 */
export function discoveryName(service: string, colour: Colour, colours: readonly Colour[]): string {
    return colours.length === 1 ? service : `${service}-${colour}`;
}

/** Environment-variable name for the address of a called service: task-service → TASK_SERVICE_URL. */
export const serviceUrlVariable = (service: string) => `${service.toUpperCase().replace(/-/g, "_")}_URL`;

/**
 * The DR runbook's two traffic switches (docs/dr.md): a custom metric and an alarm on it in the dr region,
 * read by Route 53 health checks. Route 53 evaluates them in its data plane, so they can be thrown while
 * us-east-1 (Route 53's control plane) is gone. Both read the same way: the metric is 1 when the switch is
 * on, and the alarm is in ALARM exactly then (components/dns.ts holds the alarm and health-check settings).
 * - the primary fence (`PrimaryFenced` = 1): prod's PRIMARY record unhealthy whatever its ALB says;
 * - the dr gate (`DrOpen` = 1): dr's SECONDARY record healthy; closed (unhealthy) otherwise, and before the
 *   runbook ever published anything.
 */
export const DR_SWITCH_NAMESPACE = "TMS/DR";
/** The SNS topics alarms page (`tms-<env>-<severity>-alerts`, components/monitoring.ts). */
export const alertTopicName = (env: string, severity: "critical" | "warning") => `tms-${env}-${severity}-alerts`;
export interface DrSwitch { alarmName: string; metricName: string; dimensions: Record<string, string> }
/**
 * The fence's alarm is prod's resource (its PRIMARY record's check needs it) but lives in the dr region and pages
 * dr's critical topic, whose policy and key admit only `tms-<dr env>-*` alarms (stackAlarmsArnPattern): so its name
 * is in dr's namespace, `tms-dr-prod-primary-fence`.
 */
export const primaryFenceSwitch = (primaryEnv: string, drEnv: string): DrSwitch => ({
    alarmName: `tms-${drEnv}-${primaryEnv}-primary-fence`,
    metricName: "PrimaryFenced",
    dimensions: { Environment: primaryEnv },
});
export const drGateSwitch = (drEnv: string): DrSwitch => ({
    alarmName: `tms-${drEnv}-dr-gate`,
    metricName: "DrOpen",
    dimensions: { Environment: drEnv },
});
export const drSwitches = (primaryEnv: string, drEnv: string) => ({
    fence: primaryFenceSwitch(primaryEnv, drEnv),
    gate: drGateSwitch(drEnv),
});
/** The dr stack's durable mode (`active` after a failover, `standby` otherwise), written by the runbook, read by the program. */
export const drModeParameterPath = (envName: string) => `/${envName}/dr-runbook`;
export const drModeParameterName = (envName: string) => `${drModeParameterPath(envName)}/mode`;
