/**
 * The stack configuration: one zod schema for everything under `tms:` plus `aws:region`,
 * and a loader that turns Pulumi's raw config map into a typed, defaulted `StackConfig`.
 *
 * Components never read `pulumi.Config`; `index.ts` loads this once and passes typed args.
 * Bad config fails before any resource is registered, one line per problem:
 *   Pulumi.prod.yaml: tms:database.instanceClass: "db.t3.large" is not a DocumentDB instance class (…)
 */
import { z } from "zod";
import {
    AWS_REGIONS,
    CLOUDWATCH_RETENTION_DAYS,
    DOCDB_INSTANCE_CLASSES,
    ELASTICACHE_NODE_TYPES,
    fargateMemoryChoices,
    isDnsName,
    isCidr,
    isValidFargateSize,
    parseWeeklyWindow,
    parseDailyWindow,
} from "./aws-limits";
import { applyRolloutOverrides, rolloutOverridesSchema, rolloutProblems, type RolloutSettings } from "./rollout-settings";
import { ImageRefError, parseImageRef } from "./image-ref";
import { problemLine, problemsFromZod, render, type ConfigProblem } from "./problems";
import { COLOURS, DR_ROLES, ENVIRONMENTS, otherColour, STRATEGIES, type Colour } from "./vocabulary";


// ---- small schema helpers: every message reads after the offending value ----

const int = (min: number, max: number) =>
    z.number({ error: `must be a whole number from ${min} to ${max}` })
        .int({ error: `must be a whole number from ${min} to ${max}` })
        .min(min, { error: `must be a whole number from ${min} to ${max}` })
        .max(max, { error: `must be a whole number from ${min} to ${max}` });
const num = (min: number, max: number) =>
    z.number({ error: `must be a number from ${min} to ${max}` })
        .min(min, { error: `must be a number from ${min} to ${max}` })
        .max(max, { error: `must be a number from ${min} to ${max}` });
const str = () => z.string({ error: "must be a string" }).min(1, { error: "must not be empty" });
const bool = () => z.boolean({ error: "must be true or false" });
const oneOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
    z.enum(values, { error: `is not ${what} (${values.join(", ")})` });
const listed = (values: readonly string[], what: string) =>
    str().refine((v) => values.includes(v), {
        error: `is not ${what} (${values.slice(0, 6).join(", ")}${values.length > 6 ? ", …" : ""})`,
    });
const dnsName = () => str().refine(isDnsName, { error: "is not a valid DNS name" });
const cidr = () => str().refine(isCidr, { error: "is not an IPv4 CIDR block (a.b.c.d/n)" });
/** An image as config/image-ref.ts reads it (tag, digest or full URI), with its parser's message. */
const imageRef = () => str().superRefine((v, ctx) => {
    try {
        parseImageRef(v);
    } catch (e) {
        ctx.addIssue({ code: "custom", message: e instanceof ImageRefError ? e.reason : String(e) });
    }
});
const retentionDays = () =>
    z.number({ error: "must be a CloudWatch Logs retention period" }).refine(
        (v) => CLOUDWATCH_RETENTION_DAYS.includes(v),
        { error: `is not a CloudWatch Logs retention period (${CLOUDWATCH_RETENTION_DAYS.slice(0, 12).join(", ")}, …)` },
    );
const weeklyWindow = (minMinutes: number) =>
    str().superRefine((v, ctx) => {
        const w = parseWeeklyWindow(v);
        if (!w) ctx.addIssue({ code: "custom", message: 'is not a weekly window "ddd:hh:mm-ddd:hh:mm" in UTC' });
        else if (w.minutes < minMinutes) ctx.addIssue({ code: "custom", message: `must last at least ${minMinutes} minutes` });
    });
const dailyWindow = (minMinutes: number) =>
    str().superRefine((v, ctx) => {
        const w = parseDailyWindow(v);
        if (!w) ctx.addIssue({ code: "custom", message: 'is not a daily window "hh:mm-hh:mm" in UTC' });
        else if (w.minutes < minMinutes) ctx.addIssue({ code: "custom", message: `must last at least ${minMinutes} minutes` });
    });
const serviceName = () =>
    str().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, {
        error: "is not a service name (lowercase letters, digits and dashes, 3–32 characters)",
    });

// ---- sections ----

const serviceSchema = z.strictObject({
    /** Container port the service listens on. */
    port: int(1024, 65535),
    /** Public services get blue/green target groups on the ALB; others are reached through Cloud Map only. */
    public: bool().default(false),
    /** Path patterns routed to this public service by a listener rule; the default public service has none. */
    pathPatterns: z.array(str()).optional(),
    /** Services this one calls; their same-colour Cloud Map names are injected into its environment. */
    calls: z.array(serviceName()).default([]),
    /** Per-service overrides of `tms:compute`. */
    cpu: z.number().optional(),
    memory: z.number().optional(),
    desiredCount: int(0, 1000).optional(),
    /** One-off migration command run before traffic moves (rollout CLI). */
    migrationCommand: z.array(str()).optional(),
    /** Container and target-group health check path (guide: /health). */
    healthCheckPath: str().default("/health"),
});
export type ServiceConfigInput = z.input<typeof serviceSchema>;

const autoscalingSchema = z.strictObject({
    minCount: int(1, 1000),
    maxCount: int(1, 1000),
    cpuTargetPercent: num(10, 95),
    memoryTargetPercent: num(10, 95),
});

const computeSchema = z.strictObject({
    /** Fargate task CPU units (256 = 0.25 vCPU). */
    cpu: int(256, 16384),
    /** Fargate task memory in MiB. */
    memory: int(512, 122880),
    /** Tasks per service in each running colour. */
    desiredCount: int(1, 1000),
    autoscaling: autoscalingSchema.optional(),
    /** Minimum tasks per service this environment must never go below (policy and rollout check). */
    minimumCount: int(1, 1000),
});

const colourSchema = z.strictObject({
    /** Whether this colour's ECS services run (false scales them to 0, keeping them defined). */
    running: bool(),
    /**
     * Image per service: an ECR tag (`<hash>-<env>`) or digest (`sha256:…`) of this stack's repository, or a full image URI
     * (config/image-ref.ts).
     */
    images: z.record(serviceName(), imageRef()).default({}),
});

const deploymentSchema = z.strictObject({
    strategy: oneOf(STRATEGIES, "a deployment strategy"),
    /** The colour serving production when no release is in flight. */
    live: oneOf(COLOURS, "a colour"),
    /** Percent of public traffic sent to the other (candidate) colour. */
    weight: int(0, 100),
    /**
     * The deployed release this traffic section describes (0 until traffic first changes); a change
     * to live, weight, images or running carries the deployed revision + 1 (config/release.ts).
     */
    revision: int(0, 1_000_000_000).default(0),
    blue: colourSchema,
    green: colourSchema.optional(),
});

const networkSchema = z.strictObject({
    cidrBlock: cidr(),
    availabilityZones: int(2, 6),
    natGateways: oneOf(["single", "one-per-az"] as const, "a NAT gateway strategy"),
    flowLogRetentionDays: retentionDays(),
});

const domainSchema = z.strictObject({
    /**
     * This stack's public hosted zone, looked up in the stack's own account, never created. prod (and dr,
     * in prod's account) use the product's zone; dev and staging, each in an account of its own, use a
     * sub-zone of it delegated from prod's account (docs/deploying.md, "DNS: one zone per account").
     */
    zoneName: dnsName(),
    /**
     * The zone `zoneName` is delegated from, in another account (prod's): its NS record there names this
     * zone's name servers. Required in dev and staging.
     */
    delegatedFrom: dnsName().optional(),
    /** The environment's public host name. */
    hostName: dnsName(),
    /** Failover name shared by prod (PRIMARY) and dr (SECONDARY); the CDN's origin. */
    originName: dnsName().optional(),
    /**
     * The load balancer's own name (an alias to the ALB, never to the CDN), which the test listener's
     * URL uses. Required behind the CDN, where the host name is CloudFront's; defaults to the host name.
     */
    albName: dnsName().optional(),
});

const databaseSchema = z.strictObject({
    instanceClass: listed(DOCDB_INSTANCE_CLASSES, "a DocumentDB instance class"),
    instances: int(1, 16),
    engineVersion: str().default("5.0.0"),
    backupRetentionDays: int(1, 35),
    preferredBackupWindow: dailyWindow(30),
    preferredMaintenanceWindow: weeklyWindow(30),
    deletionProtection: bool(),
    /**
     * Take a final snapshot when the cluster is deleted or replaced. Independent of
     * deletionProtection on purpose: turning protection off to remove a cluster must not also
     * drop its last snapshot. Only dev (disposable data) sets false.
     */
    finalSnapshot: bool().default(true),
    /** primary: this stack creates the global cluster; secondary: joins the primary's (dr). */
    globalCluster: oneOf(DR_ROLES, "a global cluster role"),
    /**
     * Generation of the services' database credentials: raise it by one to rotate them (alternating
     * users, components/database-users.ts). dr takes prod's credentials and ignores it.
     */
    credentialGeneration: int(1, 1_000_000).default(1),
});

const cacheSchema = z.strictObject({
    nodeType: listed(ELASTICACHE_NODE_TYPES, "an ElastiCache node type"),
    nodes: int(2, 6),
    engineVersion: str().default("7.1"),
    snapshotRetentionDays: int(1, 35),
    snapshotWindow: dailyWindow(60),
    maintenanceWindow: weeklyWindow(60),
    /**
     * How a changed AUTH token is applied (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html#auth-modifyng-token):
     * ROTATE adds the new token and keeps the old one valid, SET makes the given token the only one.
     * Steady state is SET; a rotation is ROTATE + new token, roll the services, then SET.
     */
    authTokenUpdateStrategy: oneOf(["SET", "ROTATE"] as const, "an AUTH token update strategy").default("SET"),
});

const storageSchema = z.strictObject({
    /** Expire current object versions after N days (dev/staging); omit to keep them (prod). */
    expireCurrentAfterDays: int(1, 3650).optional(),
    /** Move noncurrent versions to STANDARD_IA after N days (min 30, an S3 rule). */
    noncurrentTransitionDays: int(30, 3650).optional(),
    /** Delete noncurrent versions after N days. */
    noncurrentExpireAfterDays: int(1, 3650),
    /** Access-log objects are deleted after N days. */
    logExpireAfterDays: int(1, 3650),
    /** Cross-region replication of the application bucket (prod → us-west-2). */
    replicationRegion: listed(AWS_REGIONS, "an AWS region").optional(),
});

const registrySchema = z.strictObject({
    /** Days an image tagged `*-<env>` is kept, for each environment's suffix. */
    retentionDays: z.strictObject({ dev: int(1, 3650), staging: int(1, 3650), prod: int(1, 3650) }),
    untaggedExpireDays: int(1, 3650),
    /** Regions this stack's registry replicates to (prod → us-west-2 for dr). */
    replicationRegions: z.array(listed(AWS_REGIONS, "an AWS region")).default([]),
});

const trafficSchema = z.strictObject({
    /** Port of the test listener that sends 100% to the candidate (never public). */
    testListenerPort: int(1024, 65535),
    /** CIDRs besides the VPC allowed to reach the test listener (e.g. CI runners). */
    testListenerCidrs: z.array(cidr()).default([]),
    sslPolicy: str().regex(/^ELBSecurityPolicy-TLS13-/, { error: "must be a TLS 1.3 ELB security policy (ELBSecurityPolicy-TLS13-…)" }),
    deletionProtection: bool(),
    idleTimeoutSeconds: int(1, 4000).default(60),
});

const cdnSchema = z.strictObject({
    enabled: bool(),
    /** WAF rate-based rule: requests per 5 minutes per client IP. */
    rateLimitPer5Minutes: int(100, 2_000_000_000),
    priceClass: oneOf(["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const, "a CloudFront price class").default(
        "PriceClass_100",
    ),
});

const drSchema = z.strictObject({
    /** primary: prod (creates the global cluster and replicas); secondary: dr; none: dev/staging. */
    role: oneOf(DR_ROLES, "a DR role"),
    region: listed(AWS_REGIONS, "an AWS region"),
    /** The guide's targets (1 hour, 5 minutes); what each data store achieves is in the `rpo`/`rto` outputs (config/recovery.ts). */
    rtoMinutes: int(1, 1440),
    rpoMinutes: int(1, 1440),
    /**
     * dr only: tasks per service while dr serves production (prod's minimum). The runbook scales the live
     * colour to it and records the mode in SSM; the program keeps it on every later `pulumi up` (docs/dr.md).
     */
    activeCount: int(1, 1000).optional(),
});

const accessSchema = z.strictObject({
    /**
     * GitHub `owner/repo` whose workflows may assume the deployment role through OIDC, as the token's
     * `sub` names it: `owner/repo`, or `owner@<id>/repo@<id>` for a repository on immutable subject
     * claims (GitHub's default for repositories created after July 15, 2026; docs.github.com, "OpenID
     * Connect reference", "Immutable subject claims").
     */
    githubRepository: str().regex(/^[A-Za-z0-9_.-]+(@\d+)?\/[A-Za-z0-9_.-]+(@\d+)?$/, {
        error: 'is not a GitHub "owner/repo" (or "owner@id/repo@id")',
    }),
    githubBranch: str(),
    /**
     * The GitHub environment of the jobs that deploy this stack. Set, the deployment role trusts
     * `repo:<repo>:environment:<name>` only (the `sub` GitHub issues to a job that names an
     * `environment:`), and the environment's deployment-branch rule keeps it to `githubBranch`; unset,
     * it trusts `repo:<repo>:ref:refs/heads/<githubBranch>` (a job with no `environment:`).
     */
    githubEnvironment: str().regex(/^[^\s,'"`]+$/, { error: "is not a GitHub environment name" }).optional(),
    /** create: this stack creates the account's GitHub OIDC provider; existing: another stack did (dr shares prod's account). */
    oidcProvider: oneOf(["create", "existing"] as const, "an OIDC provider mode"),
    /**
     * The self-managed Pulumi state backend CI uses as the deployment role (S3 state bucket, secrets
     * provider key). Leave both out with Pulumi Cloud. Set them in your stack file; none is shipped.
     */
    stateBucketArn: str()
        .regex(/^arn:aws:s3:::[a-z0-9.-]{3,63}$/, { error: "is not an S3 bucket ARN (arn:aws:s3:::name)" })
        .optional(),
    secretsProviderKeyArn: str()
        .regex(/^arn:aws:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, { error: "is not a KMS key or alias ARN" })
        .optional(),
    /** Appended to account-global names (IAM roles) so stacks sharing an account never collide. */
    nameSuffix: z.string().regex(/^(-[a-z0-9]+)?$/, { error: 'must be empty or "-suffix"' }).default(""),
});

const monitoringSchema = z.strictObject({
    cpuPercent: num(1, 100).default(80),
    memoryPercent: num(1, 100).default(80),
    successRatePercent: num(50, 100).default(99.5),
    errorRatePercent: num(0, 100).default(1),
    p95LatencyMs: int(1, 60000).default(1000),
    databaseConnectionsPercent: num(1, 100).default(80),
    logRetentionDays: retentionDays(),
});

const parametersSchema = z.record(serviceName(), z.record(
    str().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "is not a parameter name (lowercase, digits, dashes)" }),
    z.union([z.string(), z.array(z.string())], { error: "must be a string or a list of strings" }),
));

/** Everything under `tms:`. Keys are the top-level config keys. */
const tmsSchema = z.strictObject({
    environment: oneOf(ENVIRONMENTS, "an environment"),
    /** Long name used in secret and parameter paths and FLASK_ENV (development, staging, production). */
    environmentName: str().regex(/^[a-z]+$/, { error: "must be lowercase letters" }),
    costCenter: str(),
    protectStatefulResources: bool(),
    primaryStack: str().optional(),
    domain: domainSchema,
    network: networkSchema,
    compute: computeSchema,
    services: z.record(serviceName(), serviceSchema),
    deployment: deploymentSchema,
    database: databaseSchema,
    cache: cacheSchema,
    storage: storageSchema,
    registry: registrySchema,
    traffic: trafficSchema,
    cdn: cdnSchema,
    dr: drSchema,
    access: accessSchema,
    monitoring: monitoringSchema,
    parameters: parametersSchema.default({}),
    /** Overrides of the rollout engine's settings (phases, bake times, thresholds): config/rollout-settings.ts. */
    rollout: rolloutOverridesSchema.default({}),
});

type TmsParsed = z.output<typeof tmsSchema>;

export interface ServiceConfig {
    name: string;
    port: number;
    public: boolean;
    /** True for the public service that receives the listener's default action. */
    isDefaultRoute: boolean;
    pathPatterns: string[];
    calls: string[];
    cpu: number;
    memory: number;
    desiredCount: number;
    healthCheckPath: string;
    migrationCommand: string[];
}

export type StackConfig = Omit<TmsParsed, "services" | "deployment"> & {
    /** Stack name as Pulumi knows it. */
    stack: string;
    region: string;
    services: ServiceConfig[];
    /** `tms:rollout` applied over the guide's defaults for this stack's strategy. */
    rolloutSettings: RolloutSettings;
    deployment: TmsParsed["deployment"] & {
        /** Colours this strategy deploys: ["blue"] for rolling, both otherwise. */
        colours: Colour[];
        /** The colour that is not live. */
        candidate: Colour;
    };
};

export type { ConfigProblem } from "./problems";

export class ConfigError extends Error {
    constructor(readonly source: string, readonly problems: ConfigProblem[]) {
        super(problems.map((p) => problemLine(p, source)).join("\n"));
        this.name = "ConfigError";
    }
    /** One line per problem, as printed by the plan and by `pulumi up`. */
    get lines(): string[] {
        return this.message.split("\n");
    }
}

const DEFAULT_MIGRATION = ["python", "manage.py", "migrate", "--database", "mongodb"];

/** Parse one raw Pulumi config value: structured values arrive as JSON, scalars as strings. */
export function parseConfigValue(raw: string): unknown {
    const t = raw.trim();
    if (/^[[{"]/.test(t) || /^(true|false|null|-?\d+(\.\d+)?)$/.test(t)) {
        try {
            return JSON.parse(t);
        } catch {
            return raw;
        }
    }
    return raw;
}

/** Cross-field rules zod cannot express per field. */
function crossChecks(t: TmsParsed, region: string): ConfigProblem[] {
    const p: ConfigProblem[] = [];
    const names = Object.keys(t.services);
    const add = (key: string, message: string) => p.push({ key, message });

    if (names.length === 0) add("tms:services", "must define at least one service");
    const publics = names.filter((n) => t.services[n].public);
    if (names.length > 0 && publics.length === 0) add("tms:services", "must have at least one public service (public: true)");
    const defaults = publics.filter((n) => !t.services[n].pathPatterns?.length);
    if (publics.length > 0 && defaults.length !== 1) {
        add(
            "tms:services",
            `exactly one public service must have no pathPatterns (the listener's default route); found ${defaults.length}`,
        );
    }
    const ports = new Map<number, string>();
    for (const n of names) {
        const s = t.services[n];
        for (const c of s.calls) {
            if (!t.services[c]) add(`tms:services.${n}.calls`, `${render(c)} is not a service defined in tms:services`);
            if (c === n) add(`tms:services.${n}.calls`, `${render(c)} is the service itself`);
        }
        if (s.pathPatterns && !s.public) add(`tms:services.${n}.pathPatterns`, "is only valid on a public service");
        const other = ports.get(s.port);
        if (other) add(`tms:services.${n}.port`, `${s.port} is already used by ${other}`);
        ports.set(s.port, n);
        const cpu = s.cpu ?? t.compute.cpu;
        const mem = s.memory ?? t.compute.memory;
        if (!isValidFargateSize(cpu, mem)) {
            const where = s.cpu !== undefined || s.memory !== undefined ? `tms:services.${n}` : "tms:compute";
            const choices = fargateMemoryChoices(cpu);
            add(
                `${where}.memory`,
                choices.length
                    ? `${mem} is not a valid Fargate memory size for ${cpu} CPU units ` +
                        `(${choices[0]}–${choices[choices.length - 1]} MiB ` +
                        `in steps of ${choices[1] - choices[0]})`
                    : `${cpu} CPU units is not a Fargate CPU size (256, 512, 1024, 2048, 4096, 8192, 16384)`,
            );
        }
        if (s.port === t.traffic.testListenerPort) add(`tms:services.${n}.port`, `${s.port} clashes with tms:traffic.testListenerPort`);
    }

    const d = t.deployment;
    const colours: Colour[] = d.strategy === "rolling" ? ["blue"] : [...COLOURS];
    if (d.strategy === "rolling") {
        if (d.live !== "blue") add("tms:deployment.live", `${render(d.live)} must be "blue" with the rolling strategy (one colour)`);
        if (d.weight !== 0) add("tms:deployment.weight", `${d.weight} must be 0 with the rolling strategy (one colour)`);
        if (d.green) add("tms:deployment.green", "must be omitted with the rolling strategy (one colour)");
    } else if (!d.green) {
        add("tms:deployment.green", `is required with the ${d.strategy} strategy`);
    }
    const candidate = otherColour(d.live);
    if (d.strategy !== "rolling") {
        if (!d[d.live]?.running) add(`tms:deployment.${d.live}.running`, "must be true: it is the live colour");
        if (d.weight > 0 && d[candidate] && !d[candidate]!.running) {
            add(`tms:deployment.${candidate}.running`, `must be true while tms:deployment.weight (${d.weight}) sends it traffic`);
        }
    }
    for (const c of colours) {
        const col = d[c];
        if (!col) continue;
        for (const svc of Object.keys(col.images)) {
            if (!t.services[svc]) add(`tms:deployment.${c}.images.${svc}`, "names a service not defined in tms:services");
        }
        if (col.running) {
            for (const n of names) if (!col.images[n]) add(`tms:deployment.${c}.images.${n}`, `is required: colour ${c} is running`);
        }
    }

    const a = t.compute.autoscaling;
    if (a) {
        if (a.minCount > a.maxCount) add("tms:compute.autoscaling.minCount", `${a.minCount} is above maxCount ${a.maxCount}`);
        if (a.minCount < t.compute.minimumCount)
            add("tms:compute.autoscaling.minCount", `${a.minCount} is below tms:compute.minimumCount ${t.compute.minimumCount}`);
    }
    for (const n of names) {
        const count = t.services[n].desiredCount ?? t.compute.desiredCount;
        if (count < t.compute.minimumCount) {
            const key = t.services[n].desiredCount !== undefined ? `tms:services.${n}.desiredCount` : "tms:compute.desiredCount";
            add(key, `${count} is below tms:compute.minimumCount ${t.compute.minimumCount}`);
        }
    }

    if (t.storage.noncurrentTransitionDays !== undefined && t.storage.noncurrentTransitionDays >= t.storage.noncurrentExpireAfterDays) {
        add(
            "tms:storage.noncurrentTransitionDays",
            `${t.storage.noncurrentTransitionDays} must be less than noncurrentExpireAfterDays (${t.storage.noncurrentExpireAfterDays})`,
        );
    }
    const mw = parseWeeklyWindow(t.database.preferredMaintenanceWindow);
    const bw = parseDailyWindow(t.database.preferredBackupWindow);
    if (mw && bw && windowsOverlap(mw, bw)) {
        add(
            "tms:database.preferredBackupWindow",
            `${render(t.database.preferredBackupWindow)} overlaps the maintenance window ${t.database.preferredMaintenanceWindow}`,
        );
    }
    const cw = parseWeeklyWindow(t.cache.maintenanceWindow);
    const sw = parseDailyWindow(t.cache.snapshotWindow);
    if (cw && sw && windowsOverlap(cw, sw)) {
        add("tms:cache.snapshotWindow", `${render(t.cache.snapshotWindow)} overlaps the maintenance window ${t.cache.maintenanceWindow}`);
    }

    if (t.dr.role === "secondary") {
        if (t.dr.activeCount === undefined)
            add("tms:dr.activeCount", "is required when tms:dr.role is secondary (tasks per service once dr serves: prod's minimum)");
        else if (t.dr.activeCount < t.compute.minimumCount)
            add("tms:dr.activeCount", `${t.dr.activeCount} is below tms:compute.minimumCount ${t.compute.minimumCount}`);
        if (!t.primaryStack)
            add("tms:primaryStack", "is required when tms:dr.role is secondary (the prod stack this dr stack reads, e.g. my-org/tms/prod)");
        if (t.database.globalCluster !== "secondary")
            add("tms:database.globalCluster", `${render(t.database.globalCluster)} must be "secondary" when tms:dr.role is secondary`);
        if (region !== t.dr.region) add("aws:region", `${render(region)} must equal tms:dr.region (${t.dr.region}) for the dr stack`);
    }
    if (t.dr.role !== "secondary" && t.dr.activeCount !== undefined)
        add("tms:dr.activeCount", "applies to the dr stack only (tms:dr.role secondary)");
    if (t.dr.role === "primary") {
        if (t.database.globalCluster !== "primary")
            add("tms:database.globalCluster", `${render(t.database.globalCluster)} must be "primary" when tms:dr.role is primary`);
        if (t.dr.region === region) add("tms:dr.region", `${render(t.dr.region)} must differ from aws:region`);
        if (!t.domain.originName) add("tms:domain.originName", "is required when tms:dr.role is primary (the failover record name)");
    }
    if (t.dr.role === "secondary" && !t.domain.originName)
        add("tms:domain.originName", "is required when tms:dr.role is secondary (the failover record name)");
    if (t.dr.role !== "secondary" && t.database.globalCluster === "secondary") {
        add("tms:database.globalCluster", `"secondary" requires tms:dr.role secondary`);
    }
    if (t.cdn.enabled) {
        if (!t.domain.originName)
            add("tms:cdn.enabled", "needs tms:domain.originName (the failover name the distribution uses as its origin)");
        if (t.dr.role === "secondary")
            add("tms:cdn.enabled", "must be false in the dr stack: prod's distribution reaches dr through the failover name");
    }
    const own = t.environment === "dev" || t.environment === "staging";
    if (own && !t.domain.delegatedFrom) {
        add(
            "tms:domain.delegatedFrom",
            `is required: ${t.environment} runs in an AWS account of its own, where ${render(t.domain.zoneName)} cannot be the ` +
            `product's zone (only prod's account can hold the delegated one); use a sub-zone such as ` +
            `"${t.environment}.${t.domain.zoneName.replace(/^(dev|staging)\./, "")}" delegated from it`,
        );
    }
    if (t.domain.delegatedFrom && !isSubdomain(t.domain.zoneName, t.domain.delegatedFrom)) {
        add(
            "tms:domain.zoneName",
            `${render(t.domain.zoneName)} is not a sub-zone of tms:domain.delegatedFrom (${t.domain.delegatedFrom})`,
        );
    }
    if (!t.domain.hostName.endsWith(t.domain.zoneName))
        add("tms:domain.hostName", `${render(t.domain.hostName)} is not inside zone ${t.domain.zoneName}`);
    if (t.domain.originName && !t.domain.originName.endsWith(t.domain.zoneName))
        add("tms:domain.originName", `${render(t.domain.originName)} is not inside zone ${t.domain.zoneName}`);
    if (t.domain.albName && !t.domain.albName.endsWith(t.domain.zoneName))
        add("tms:domain.albName", `${render(t.domain.albName)} is not inside zone ${t.domain.zoneName}`);
    if (t.cdn.enabled && !t.domain.albName) {
        add(
            "tms:domain.albName",
            "is required when tms:cdn.enabled is true: the host name points at CloudFront, which serves ports 80 and 443 only, so the " +
            "test listener needs a name of the ALB's own",
        );
    }
    for (const taken of [t.cdn.enabled ? t.domain.hostName : undefined, t.domain.originName]) {
        if (t.domain.albName && taken === t.domain.albName)
            add(
                "tms:domain.albName",
                `${render(t.domain.albName)} is already the ` +
                `${taken === t.domain.originName ? "failover (origin) name" : "CDN's host name"}; the ALB needs a name of its own`,
            );
    }
    for (const svc of Object.keys(t.parameters)) {
        if (!t.services[svc]) add(`tms:parameters.${svc}`, "names a service not defined in tms:services");
    }
    return p;
}

/** `dev.example.com` is a sub-zone of `example.com`; a zone is not its own sub-zone. Pure. */
export function isSubdomain(name: string, parent: string): boolean {
    const [n, p] = [name.toLowerCase().replace(/\.$/, ""), parent.toLowerCase().replace(/\.$/, "")];
    return n.endsWith(`.${p}`);
}

type Window = { start: number; minutes: number };
/** Overlap of a weekly window with a daily one, in minutes of the week. */
function windowsOverlap(weekly: Window, daily: Window): boolean {
    const WEEK = 7 * 24 * 60;
    for (let day = 0; day < 7; day++) {
        const ds = day * 24 * 60 + daily.start;
        for (const shift of [-WEEK, 0, WEEK]) {
            const ws = weekly.start + shift;
            if (ds < ws + weekly.minutes && ws < ds + daily.minutes) return true;
        }
    }
    return false;
}

/** `value` with the keys `like` has first, in `like`'s order (`like` being what `value` was parsed from). Pure. */
function inKeyOrder<T extends object>(value: T, like: unknown): T {
    if (like === null || typeof like !== "object") return value;
    const first = Object.keys(like).filter((k) => k in value);
    const keys = [...first, ...Object.keys(value).filter((k) => !first.includes(k))];
    return Object.fromEntries(keys.map((k) => [k, (value as Record<string, unknown>)[k]])) as T;
}

/**
 * Validate and default a stack's raw config.
 * @param raw    Pulumi's config map (`tms:database` → JSON text), as `pulumi.runtime.allConfig()` returns it.
 * @param source Name printed before each problem, normally `Pulumi.<stack>.yaml`.
 * @param stack  The stack name.
 * @throws ConfigError listing every problem, one per line.
 */
export function loadStackConfig(raw: Record<string, string>, source: string, stack: string): StackConfig {
    const tms: Record<string, unknown> = {};
    const problems: ConfigProblem[] = [];
    for (const [k, v] of Object.entries(raw)) {
        if (k.startsWith("tms:")) tms[k.slice(4)] = parseConfigValue(v);
    }
    const region = raw["aws:region"];
    if (region === undefined) problems.push({ key: "aws:region", message: "is required" });
    else if (!AWS_REGIONS.includes(region)) problems.push({ key: "aws:region", message: `${render(region)} is not an AWS region` });

    const parsed = tmsSchema.safeParse(tms);
    if (!parsed.success) problems.push(...problemsFromZod(tmsSchema, parsed.error, tms, "tms", ":"));
    else {
        problems.push(...crossChecks(parsed.data, region ?? ""));
        problems.push(...rolloutProblems(parsed.data.deployment.strategy, parsed.data.rollout));
    }
    if (problems.length) throw new ConfigError(source, problems);

    // zod returns an object's keys in the schema's order; tms:rollout keeps the stack file's (the
    // simulator names the overrides it replays as the operator wrote them).
    const t = { ...parsed.data!, rollout: inKeyOrder(parsed.data!.rollout, tms.rollout) };
    const names = Object.keys(t.services);
    const services: ServiceConfig[] = names.map((name) => {
        const s = t.services[name];
        return {
            name,
            port: s.port,
            public: s.public,
            isDefaultRoute: s.public && !s.pathPatterns?.length,
            pathPatterns: s.pathPatterns ?? [],
            calls: s.calls,
            cpu: s.cpu ?? t.compute.cpu,
            memory: s.memory ?? t.compute.memory,
            desiredCount: s.desiredCount ?? t.compute.desiredCount,
            healthCheckPath: s.healthCheckPath,
            migrationCommand: s.migrationCommand ?? DEFAULT_MIGRATION,
        };
    });
    const colours: Colour[] = t.deployment.strategy === "rolling" ? ["blue"] : [...COLOURS];
    const candidate = otherColour(t.deployment.live);
    return {
        ...t,
        stack,
        region: region!,
        rolloutSettings: applyRolloutOverrides(t.deployment.strategy, t.rollout),
        services,
        deployment: { ...t.deployment, colours, candidate },
    };
}

/**
 * The zod schema of everything under `tms:` (keys without the prefix, values as parsed JSON), for
 * programs that use the components as a library and validate their own config with it.
 * `loadStackConfig` adds the cross-field checks and the defaults derived from other keys.
 */
export const configSchema = tmsSchema;
