/**
 * Names and tags, in one place, so every component and the rollout scripts agree on them.
 * Patterns come from the deployment guide: `task-management-<env>` clusters,
 * `task-management-system/<service>` repositories, `[env]/[service]/[secret]` secrets and
 * `/[env]/[service]/[parameter]` parameters.
 */
import type { Colour, StackConfig } from "./stack-config";

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
export const stackAlarmsArnPattern = (env: string, region: string, accountId: string) => `arn:aws:cloudwatch:${region}:${accountId}:alarm:tms-${env}-*`;
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
