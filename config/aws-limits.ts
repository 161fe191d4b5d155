/**
 * What AWS accepts, as plain data, so config validation can say "not a DocumentDB instance class"
 * before anything is sent to AWS. Lists follow the AWS documentation of each service.
 */

export const AWS_REGIONS: readonly string[] = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "ca-west-1", "sa-east-1", "mx-central-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-east-1",
    "me-south-1", "me-central-1", "il-central-1", "af-south-1",
];

/** Amazon DocumentDB instance classes (there is no db.t3.large). */
export const DOCDB_INSTANCE_CLASSES: readonly string[] = [
    "db.t3.medium", "db.t4g.medium",
    "db.r5.large", "db.r5.xlarge", "db.r5.2xlarge", "db.r5.4xlarge", "db.r5.12xlarge", "db.r5.24xlarge",
    "db.r6g.large", "db.r6g.xlarge", "db.r6g.2xlarge", "db.r6g.4xlarge", "db.r6g.8xlarge", "db.r6g.12xlarge", "db.r6g.16xlarge",
    "db.r6gd.xlarge", "db.r6gd.2xlarge", "db.r6gd.4xlarge", "db.r6gd.8xlarge", "db.r6gd.12xlarge", "db.r6gd.16xlarge",
    "db.r8g.large", "db.r8g.xlarge", "db.r8g.2xlarge", "db.r8g.4xlarge", "db.r8g.8xlarge", "db.r8g.12xlarge", "db.r8g.16xlarge",
];

/**
 * Maximum connections per DocumentDB instance class (AWS "Instance limits"), used for the
 * "connections above 80% of the limit" alarm.
 */
export const DOCDB_MAX_CONNECTIONS: Readonly<Record<string, number>> = {
    "db.t3.medium": 500,
    "db.t4g.medium": 500,
    "db.r5.large": 1700,
    "db.r5.xlarge": 3500,
    "db.r5.2xlarge": 7000,
    "db.r5.4xlarge": 14200,
    "db.r5.12xlarge": 30000,
    "db.r5.24xlarge": 30000,
    "db.r6g.large": 1700,
    "db.r6g.xlarge": 3500,
    "db.r6g.2xlarge": 7000,
    "db.r6g.4xlarge": 14200,
    "db.r6g.8xlarge": 28400,
    "db.r6g.12xlarge": 30000,
    "db.r6g.16xlarge": 30000,
    "db.r6gd.xlarge": 3500,
    "db.r6gd.2xlarge": 7000,
    "db.r6gd.4xlarge": 14200,
    "db.r6gd.8xlarge": 28400,
    "db.r6gd.12xlarge": 30000,
    "db.r6gd.16xlarge": 30000,
    "db.r8g.large": 1700,
    "db.r8g.xlarge": 3500,
    "db.r8g.2xlarge": 7000,
    "db.r8g.4xlarge": 14200,
    "db.r8g.8xlarge": 28400,
    "db.r8g.12xlarge": 30000,
    "db.r8g.16xlarge": 30000,
};

/** ElastiCache (Redis OSS / Valkey) node types of current generations. */
export const ELASTICACHE_NODE_TYPES: readonly string[] = [
    "cache.t3.micro",
    "cache.t3.small",
    "cache.t3.medium",
    "cache.t4g.micro",
    "cache.t4g.small",
    "cache.t4g.medium",
    "cache.m5.large",
    "cache.m5.xlarge",
    "cache.m5.2xlarge",
    "cache.m5.4xlarge",
    "cache.m5.12xlarge",
    "cache.m5.24xlarge",
    "cache.m6g.large",
    "cache.m6g.xlarge",
    "cache.m6g.2xlarge",
    "cache.m6g.4xlarge",
    "cache.m6g.8xlarge",
    "cache.m6g.12xlarge",
    "cache.m6g.16xlarge",
    "cache.m7g.large",
    "cache.m7g.xlarge",
    "cache.m7g.2xlarge",
    "cache.m7g.4xlarge",
    "cache.m7g.8xlarge",
    "cache.m7g.12xlarge",
    "cache.m7g.16xlarge",
    "cache.r5.large",
    "cache.r5.xlarge",
    "cache.r5.2xlarge",
    "cache.r5.4xlarge",
    "cache.r5.12xlarge",
    "cache.r5.24xlarge",
    "cache.r6g.large",
    "cache.r6g.xlarge",
    "cache.r6g.2xlarge",
    "cache.r6g.4xlarge",
    "cache.r6g.8xlarge",
    "cache.r6g.12xlarge",
    "cache.r6g.16xlarge",
    "cache.r7g.large",
    "cache.r7g.xlarge",
    "cache.r7g.2xlarge",
    "cache.r7g.4xlarge",
    "cache.r7g.8xlarge",
    "cache.r7g.12xlarge",
    "cache.r7g.16xlarge",
];

/** Fargate task sizes: CPU units → allowed memory (MiB) range and step. */
const FARGATE: Readonly<Record<number, { min: number; max: number; step: number; extra?: number[] }>> = {
    256: { min: 1024, max: 2048, step: 1024, extra: [512] },
    512: { min: 1024, max: 4096, step: 1024 },
    1024: { min: 2048, max: 8192, step: 1024 },
    2048: { min: 4096, max: 16384, step: 1024 },
    4096: { min: 8192, max: 30720, step: 1024 },
    8192: { min: 16384, max: 61440, step: 4096 },
    16384: { min: 32768, max: 122880, step: 8192 },
};

export function fargateMemoryChoices(cpu: number): number[] {
    const f = FARGATE[cpu];
    if (!f) return [];
    const out = [...(f.extra ?? [])];
    for (let m = f.min; m <= f.max; m += f.step) out.push(m);
    return out;
}

export function isValidFargateSize(cpu: number, memory: number): boolean {
    return fargateMemoryChoices(cpu).includes(memory);
}

/** CloudWatch Logs accepted retention periods, in days. */
export const CLOUDWATCH_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function isDnsName(v: string): boolean {
    if (v.length > 253 || !v.includes(".")) return false;
    return v.split(".").every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
}

export function isCidr(v: string): boolean {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const bits = Number(m[5]);
    return octets.every((o) => o <= 255) && bits <= 32;
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function hhmm(s: string): number | undefined {
    const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
    return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** "tue:07:00-tue:08:00" → minutes from Sunday 00:00 UTC and duration. */
export function parseWeeklyWindow(v: string): { start: number; minutes: number } | undefined {
    const m = /^([a-z]{3}):(\d\d:\d\d)-([a-z]{3}):(\d\d:\d\d)$/.exec(v);
    if (!m) return undefined;
    const d1 = DAYS.indexOf(m[1]), d2 = DAYS.indexOf(m[3]);
    const t1 = hhmm(m[2]), t2 = hhmm(m[4]);
    if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
    const start = d1 * 1440 + t1;
    let end = d2 * 1440 + t2;
    if (end <= start) end += 7 * 1440;
    return { start, minutes: end - start };
}

/** "04:00-05:00" → minutes from 00:00 UTC and duration. */
export function parseDailyWindow(v: string): { start: number; minutes: number } | undefined {
    const m = /^(\d\d:\d\d)-(\d\d:\d\d)$/.exec(v);
    if (!m) return undefined;
    const t1 = hhmm(m[1]), t2 = hhmm(m[2]);
    if (t1 === undefined || t2 === undefined) return undefined;
    let end = t2;
    if (end <= t1) end += 1440;
    return { start: t1, minutes: end - t1 };
}
