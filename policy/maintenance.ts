/**
 * Maintenance windows. The deployment guide's weekly slot is Tuesday 02:00–04:00 Eastern. In UTC
 * that is 07:00–09:00 under EST and 06:00–08:00 under EDT; the part inside the slot all year is
 * **Tuesday 07:00–08:00 UTC**, so a window must start at or after `tue:07:00` and end at or before
 * `tue:08:00` (AWS wants at least 30 minutes for DocumentDB; `tue:07:00-tue:08:00` is the one
 * we ship). Backup/snapshot windows are daily `hh:mm-hh:mm` ranges; they must not overlap
 * 07:00–08:00 UTC (AWS rejects a backup window overlapping the maintenance window, and a
 * snapshot on other days at that hour is harmless but we keep one rule for every day).
 */
import { read, resourcePolicy, str, UNKNOWN } from "./common";

export const MAINTENANCE_TYPES = {
    docdbCluster: "aws:docdb/cluster:Cluster",
    docdbInstance: "aws:docdb/clusterInstance:ClusterInstance",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
} as const;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
export const SLOT = { start: 2 * 1440 + 7 * 60, end: 2 * 1440 + 8 * 60, text: "tue:07:00-tue:08:00" };

/** `tue:07:00` → minutes since Sunday 00:00. */
function weekMinute(s: string): number | undefined {
    const m = /^([a-z]{3}):(\d{2}):(\d{2})$/i.exec(s.trim());
    if (!m) return undefined;
    const day = DAYS.indexOf(m[1].toLowerCase());
    const h = Number(m[2]), min = Number(m[3]);
    if (day < 0 || h > 23 || min > 59) return undefined;
    return day * 1440 + h * 60 + min;
}

/** True when `ddd:hh:mm-ddd:hh:mm` lies inside the weekly slot. */
export function insideWeeklySlot(window: string): boolean {
    const [a, b] = window.split("-");
    if (!a || !b) return false;
    const start = weekMinute(a), end = weekMinute(b);
    if (start === undefined || end === undefined) return false;
    return start >= SLOT.start && end <= SLOT.end && end > start;
}

function dayMinute(s: string): number | undefined {
    const m = /^(\d{2}):(\d{2})$/.exec(s.trim());
    return m && Number(m[1]) < 24 && Number(m[2]) < 60 ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** True when the daily `hh:mm-hh:mm` window overlaps 07:00–08:00 UTC (handles windows over midnight). */
export function overlapsSlotHour(window: string): boolean {
    const [a, b] = window.split("-");
    const start = a ? dayMinute(a) : undefined, end = b ? dayMinute(b) : undefined;
    if (start === undefined || end === undefined) return false;
    const ranges = end > start ? [[start, end]] : [[start, 1440], [0, end]];
    const s = SLOT.start % 1440, e = SLOT.end % 1440;
    return ranges.some(([x, y]) => x < e && s < y);
}

export const maintenanceWindowWeeklySlot = resourcePolicy({
    name: "maintenance-window-weekly-slot",
    description: `DocumentDB and ElastiCache maintenance windows fall inside the weekly slot (Tuesday 02:00–04:00 Eastern, i.e. ` +
        `${SLOT.text} UTC all year) and backup/snapshot windows do not overlap it.`,
    metadata: {
        control: "FSBP DocumentDB/ElastiCache (change management; deployment guide weekly window)",
        severity: "low", area: "database",
        remediation: `Set \`preferredMaintenanceWindow\` / \`maintenanceWindow\` to "${SLOT.text}" and a backup/snapshot window such as ` +
            `"05:00-06:00".`,
    },
    types: Object.values(MAINTENANCE_TYPES),
    validate: (props, args, report) => {
        const key = args.type === MAINTENANCE_TYPES.replicationGroup ? "maintenanceWindow" : "preferredMaintenanceWindow";
        const w = read(props, key);
        if (w !== UNKNOWN) {
            if (typeof w !== "string") report(`\`${key}\` is unset (AWS picks a random slot): set it to "${SLOT.text}".`);
            else if (!insideWeeklySlot(w))
                report(
                    `\`${key}\` "${w}" is outside the weekly slot: use "${SLOT.text}" (Tuesday 02:00–04:00 Eastern in both EST and EDT).`,
                );
        }
        const backupKey = args.type === MAINTENANCE_TYPES.docdbCluster ? "preferredBackupWindow"
            : args.type === MAINTENANCE_TYPES.replicationGroup ? "snapshotWindow" : undefined;
        const bw = backupKey ? str(read(props, backupKey)) : undefined;
        if (backupKey && bw && overlapsSlotHour(bw)) {
            report(`\`${backupKey}\` "${bw}" overlaps the maintenance slot 07:00–08:00 UTC: move it, e.g. to "05:00-06:00".`);
        }
    },
});
