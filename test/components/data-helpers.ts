/** Shared expectations and helpers of the data-tier tests (not a test file itself). */
import type { Plan } from "../harness";
import type { RecordedResource } from "../../tools/record";

/** The deployment guide's data sizes per stack (guide tables + the stack files' documented decisions). */
export const GUIDE = {
    dev: { docdb: ["db.t3.medium", 3], redis: ["cache.t3.small", 3], backupDays: 3, protect: false, deletionProtection: false, finalSnapshot: false, expireCurrent: 7 },
    staging: { docdb: ["db.r6g.large", 3], redis: ["cache.t3.medium", 3], backupDays: 7, protect: true, deletionProtection: true, finalSnapshot: true, expireCurrent: 30 },
    prod: { docdb: ["db.r5.large", 5], redis: ["cache.m5.large", 5], backupDays: 30, protect: true, deletionProtection: true, finalSnapshot: true, expireCurrent: undefined },
    dr: { docdb: ["db.r5.large", 3], redis: ["cache.m5.large", 3], backupDays: 30, protect: true, deletionProtection: true, finalSnapshot: true, expireCurrent: undefined },
} as const;

export const KEY = "aws:kms/key:Key";
export const PASSWORD = "random:index/randomPassword:RandomPassword";

/** The home-region KMS key of a data domain (`tms-keys-<domain>`). */
export function key(p: Plan, domain: string): RecordedResource {
    return p.one(KEY, `-keys-${domain}`);
}

/** Minutes of the week [start, end) of "ddd:hh:mm-ddd:hh:mm". */
function weekly(w: string): [number, number] {
    const days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const m = /^(\w{3}):(\d\d):(\d\d)-(\w{3}):(\d\d):(\d\d)$/.exec(w)!;
    const at = (d: string, h: string, mm: string) => days.indexOf(d) * 1440 + Number(h) * 60 + Number(mm);
    const s = at(m[1], m[2], m[3]);
    let e = at(m[4], m[5], m[6]);
    if (e <= s) e += 7 * 1440;
    return [s, e];
}

/** Does a daily "hh:mm-hh:mm" window touch a weekly one on any day? */
export function overlaps(weeklyWindow: string, dailyWindow: string): boolean {
    const [ws, we] = weekly(weeklyWindow);
    const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(dailyWindow)!;
    const ds = Number(m[1]) * 60 + Number(m[2]);
    let de = Number(m[3]) * 60 + Number(m[4]);
    if (de <= ds) de += 1440;
    for (let day = -1; day <= 7; day++) {
        const s = day * 1440 + ds, e = day * 1440 + de;
        for (const shift of [0, 7 * 1440]) if (s < we + shift && ws + shift < e) return true;
    }
    return false;
}

/** Every path at which `needle` occurs inside a string of `v` ("a.b[0].c" style, as the recorder writes them). */
export function pathsOf(v: unknown, needle: string, at = ""): string[] {
    if (typeof v === "string") return v.includes(needle) ? [at || "(root)"] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => pathsOf(x, needle, `${at}[${i}]`));
    if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => pathsOf(x, needle, at ? `${at}.${k}` : k));
    return [];
}

/** Is `path` at or below one of the secret paths? */
export function underSecret(path: string, secretPaths: string[]): boolean {
    return secretPaths.some((s) => s === "(root)" || path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`));
}
