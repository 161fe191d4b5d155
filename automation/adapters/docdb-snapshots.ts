/**
 * Pre-deployment database snapshots (guide, "Backup and Restore": "Full database snapshot created
 * pre-deployment", kept 3/7/30 days by environment). Taken before any staging or prod change;
 * the rollout waits until the snapshot is `available`, so a restore point exists before a
 * migration touches data.
 */
import {
    CreateDBClusterSnapshotCommand,
    DeleteDBClusterSnapshotCommand,
    DescribeDBClusterSnapshotsCommand,
    DocDBClient,
} from "@aws-sdk/client-docdb";
import { predeploySnapshotPrefix } from "../../config/naming";
import type { Clock, SnapshotPort } from "../ports";
import { awsCall, type AwsCallError } from "./aws-call";

/** Environments whose rollouts take a snapshot first. */
export const SNAPSHOT_ENVIRONMENTS = ["staging", "prod"];


/**
 * `tms-<env>-predeploy-<release-id>-<timestamp>`, made valid for DocumentDB (letters, digits and
 * single hyphens, at most 255 characters, ending in a letter or digit). Pure.
 */
export function snapshotName(environment: string, releaseId: string, atMs: number): string {
    const release = releaseId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "release";
    const stamp = new Date(atMs).toISOString().replace(/\.\d+Z$/, "z").replace(/[-:]/g, "").toLowerCase(); // 20260310t150000z
    return `${predeploySnapshotPrefix(environment)}${release}`.slice(0, 200).replace(/-+$/, "") + `-${stamp}`;
}

export interface SnapshotOptions {
    /** How long to wait for `available`. Decision: 30 min (snapshots are incremental; large clusters take minutes). */
    timeoutMs: number;
    pollMs: number;
    callTimeoutMs?: number;
}

export const DEFAULT_SNAPSHOT_OPTIONS: SnapshotOptions = { timeoutMs: 30 * 60_000, pollMs: 15_000 };

export type { SnapshotPort };

export class DocDbSnapshots implements SnapshotPort {
    constructor(
        private readonly client: DocDBClient,
        private readonly clusterId: string,
        private readonly environment: string,
        private readonly clock: Clock,
        private readonly opts: SnapshotOptions = DEFAULT_SNAPSHOT_OPTIONS,
    ) {}

    async snapshot(releaseId: string, rolloutId: string, atMs: number = this.clock.now()): Promise<string> {
        const id = snapshotName(this.environment, releaseId, atMs);
        // A resume asks for the same snapshot again: one that exists already (DBClusterSnapshotAlreadyExistsFault) is waited for.
        await awsCall("DocumentDB CreateDBClusterSnapshot", (o) => this.client.send(new CreateDBClusterSnapshotCommand({
            DBClusterIdentifier: this.clusterId,
            DBClusterSnapshotIdentifier: id,
            Tags: [
                { Key: "Environment", Value: this.environment },
                { Key: "ManagedBy", Value: "tms-rollout" },
                { Key: "Purpose", Value: "predeploy" },
                { Key: "Release", Value: releaseId },
                { Key: "RolloutId", Value: rolloutId },
            ],
        }), o), { timeoutMs: this.opts.callTimeoutMs }).catch((e: AwsCallError) => {
            if (e.code !== "DBClusterSnapshotAlreadyExistsFault") throw e;
        });
        const deadline = this.clock.now() + this.opts.timeoutMs;
        for (;;) {
            const out = await awsCall(
                "DocumentDB DescribeDBClusterSnapshots",
                (o) =>
                    this.client.send(
                        new DescribeDBClusterSnapshotsCommand({
                            DBClusterSnapshotIdentifier: id,
                        }),
                        o,
                    ),
                { timeoutMs: this.opts.callTimeoutMs },
            );
            const status = out.DBClusterSnapshots?.[0]?.Status ?? "missing";
            if (status === "available") return id;
            if (status === "failed" || status === "missing") throw new Error(`snapshot ${id} of ${this.clusterId} is ${status}`);
            if (this.clock.now() >= deadline) {
                throw new Error(
                    `snapshot ${id} of ${this.clusterId} not available after ${Math.round(this.opts.timeoutMs / 1000)}s (status ${status})`,
                );
            }
            await this.clock.sleep(Math.min(this.opts.pollMs, deadline - this.clock.now()));
        }
    }

    async prune(retentionDays: number): Promise<string[]> {
        const cutoff = this.clock.now() - retentionDays * 86_400_000;
        const prefix = predeploySnapshotPrefix(this.environment);
        const deleted: string[] = [];
        let marker: string | undefined;
        do {
            const out = await awsCall(
                "DocumentDB DescribeDBClusterSnapshots",
                (o) =>
                    this.client.send(
                        new DescribeDBClusterSnapshotsCommand({
                            DBClusterIdentifier: this.clusterId,
                            SnapshotType: "manual",
                            Marker: marker,
                        }),
                        o,
                    ),
                { timeoutMs: this.opts.callTimeoutMs },
            );
            for (const s of out.DBClusterSnapshots ?? []) {
                const id = s.DBClusterSnapshotIdentifier ?? "";
                // Only our own manual snapshots: automated backups and hand-made snapshots are never touched.
                if (s.SnapshotType !== "manual" || !id.startsWith(prefix) || !s.SnapshotCreateTime) continue;
                if (s.SnapshotCreateTime.getTime() >= cutoff || s.Status !== "available") continue;
                await awsCall("DocumentDB DeleteDBClusterSnapshot", (o) => this.client.send(new DeleteDBClusterSnapshotCommand({
                    DBClusterSnapshotIdentifier: id,
                }), o), { timeoutMs: this.opts.callTimeoutMs });
                deleted.push(id);
            }
            marker = out.Marker;
        } while (marker);
        return deleted;
    }
}
