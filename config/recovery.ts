/**
 * The recovery objectives the stack exports (`rpo`, `rto`): the guide's targets, and what each data store
 * achieves by AWS's published figures, so that the outputs say what is true rather than repeat a target.
 * Pure functions of the stack config. docs/dr.md explains each row; the DR game day prints the measured RTO
 * of the runbook against the target.
 */
import type { StackConfig } from "./stack-config";

export interface StoreObjective {
    /** The recovery point AWS publishes for this store's replication, in seconds (null: nothing is replicated). */
    rpoSeconds: number | null;
    /**
     * What kind of figure it is: `typical` (AWS's "typically", no bound: DocumentDB's replication lag) or
     * `bound` (a published bound: S3 RTC's 99.99% within 15 minutes, backed by its SLA).
     */
    kind: "typical" | "bound" | "none";
    /** What the bound is and where it comes from. */
    basis: string;
    source: string;
}

const DOCDB_DR = "https://docs.aws.amazon.com/documentdb/latest/developerguide/global-clusters-disaster-recovery.html";
const S3_RTC = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html";

/** Per data store, for a prod/dr pair (dev and staging have no DR: they export the targets only). Pure. */
export function storeObjectives(cfg: StackConfig): Record<string, StoreObjective> {
    if (cfg.dr.role === "none") return {};
    return {
        documentdb: {
            // AWS: replication "latency is typically under a second" (global-clusters.html); RPO "typically measured
            // in seconds" for a failover, no bound published; a switchover synchronises first (RPO 0).
            rpoSeconds: 1,
            kind: "typical",
            basis: "global cluster: replication lag typically under 1 s, RPO of a managed failover typically seconds (AWS publishes no " +
                "bound; the old primary snapshots what it had not replicated); a switchover loses nothing",
            source: DOCDB_DR,
        },
        applicationBucket: {
            // S3 Replication Time Control: 99.99% of objects within 15 minutes (the only value it accepts).
            rpoSeconds: 15 * 60,
            kind: "bound",
            basis: "S3 replication with Replication Time Control: most objects in seconds, 99.99% within 15 minutes",
            source: S3_RTC,
        },
        cache: {
            rpoSeconds: null,
            kind: "none",
            basis: "Redis is a cache and is not replicated across regions: dr's starts empty and refills from the database",
            source: "components/cache.ts",
        },
    };
}

/** The `rpo` output: the target, each store's bound, and whether every store meets the target. Pure. */
export function rpoOutput(cfg: StackConfig) {
    const stores = storeObjectives(cfg);
    const bounds = Object.values(stores).flatMap((s) => (s.rpoSeconds === null ? [] : [s.rpoSeconds]));
    const worst = bounds.length ? Math.max(...bounds) : null;
    return {
        targetMinutes: cfg.dr.rpoMinutes,
        worstCaseSeconds: worst,
        meetsTarget: worst === null ? null : worst <= cfg.dr.rpoMinutes * 60,
        stores,
    };
}

/** The `rto` output: the target and how it is met (the runbook; DocumentDB's own failover is "minutes"). Pure. */
export function rtoOutput(cfg: StackConfig) {
    return {
        targetMinutes: cfg.dr.rtoMinutes,
        ...(cfg.dr.role === "none" ? {} : {
            runbook: "npm run dr:failover -- --stack dr --mode failover (docs/dr.md)",
            basis: "DocumentDB managed failover: RTO in minutes (AWS); the runbook's measured time is printed by each run and by the DR " +
                "game day",
            source: DOCDB_DR,
        }),
    };
}
