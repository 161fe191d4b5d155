/**
 * The release calendar (guide, "Release Management" → "Release Calendar"), judged in New York
 * time. Pure: the caller passes the instant, so tests and `--dry-run --at` use any date.
 *
 * - prod and dr: no rollout from December 15 to January 5 inclusive (holiday freeze), nor in the
 *   last 7 days of a calendar quarter (Mar 25–31, Jun 24–30, Sep 24–30, Dec 25–31);
 * - prod: rollouts start only on Tuesdays, inside a window opening at 10:00 (default 10:00–16:00,
 *   end exclusive). The guide says "10:00 AM EST"; we read that as New York wall-clock time all
 *   year (EDT in summer), which is what the team means by it. luxon applies the IANA zone's
 *   daylight-saving rules, so no offset is written here;
 * - staging and dev: any time.
 */
import { DateTime } from "luxon";

export const RELEASE_ZONE = "America/New_York";

export type CalendarRule = "holiday-freeze" | "quarter-end-freeze" | "release-day" | "release-window";

export interface CalendarRefusal {
    rule: CalendarRule;
    /** One line naming the rule and the New York local time. */
    message: string;
}

/** Local wall-clock window, minutes after midnight; `end` exclusive. */
export interface ReleaseWindow {
    startMinutes: number;
    endMinutes: number;
}

export const DEFAULT_WINDOW: ReleaseWindow = { startMinutes: 10 * 60, endMinutes: 16 * 60 };

/** Environments whose rollouts the freezes apply to. */
const FROZEN_ENVIRONMENTS = ["prod", "dr"];
/** Days at the end of each quarter that are frozen. */
const QUARTER_END_DAYS = 7;

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** Parse `HH:MM-HH:MM` (the `--window` flag). The window must open at 10:00 or later and close after it opens. */
export function parseWindow(text: string): ReleaseWindow {
    const m = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text);
    if (!m) throw new Error(`"${text}" is not a window HH:MM-HH:MM`);
    const [sh, sm, eh, em] = m.slice(1).map(Number);
    if (sh > 23 || eh > 24 || sm > 59 || em > 59) throw new Error(`"${text}" is not a window HH:MM-HH:MM`);
    const w = { startMinutes: sh * 60 + sm, endMinutes: eh * 60 + em };
    if (w.startMinutes < DEFAULT_WINDOW.startMinutes) throw new Error(`"${text}" opens before 10:00, the guide's release time`);
    if (w.endMinutes <= w.startMinutes) throw new Error(`"${text}" closes before it opens`);
    return w;
}

export function formatWindow(w: ReleaseWindow): string {
    return `${hhmm(w.startMinutes)}–${hhmm(w.endMinutes)}`;
}

/** `Tue 2026-03-10 10:30 EDT (America/New_York)`: the time every refusal quotes. */
export function newYorkTime(atMs: number): string {
    return DateTime.fromMillis(atMs, { zone: RELEASE_ZONE }).toFormat("ccc yyyy-LL-dd HH:mm ZZZZ") + ` (${RELEASE_ZONE})`;
}

/** True in the last {@link QUARTER_END_DAYS} days of March, June, September and December. */
function inQuarterEnd(t: DateTime): boolean {
    return t.month % 3 === 0 && t.day > t.daysInMonth! - QUARTER_END_DAYS;
}

function inHolidayFreeze(t: DateTime): boolean {
    return (t.month === 12 && t.day >= 15) || (t.month === 1 && t.day <= 5);
}

/** Every calendar rule a rollout of `environment` starting at `atMs` breaks (empty: allowed). */
export function checkCalendar(environment: string, atMs: number, window: ReleaseWindow = DEFAULT_WINDOW): CalendarRefusal[] {
    const t = DateTime.fromMillis(atMs, { zone: RELEASE_ZONE });
    const local = newYorkTime(atMs);
    const out: CalendarRefusal[] = [];
    if (FROZEN_ENVIRONMENTS.includes(environment)) {
        if (inHolidayFreeze(t)) {
            out.push({
                rule: "holiday-freeze",
                message: `holiday-freeze: no ${environment} rollout from December 15 to January 5 inclusive; it is ${local}`,
            });
        }
        if (inQuarterEnd(t)) {
            const quarter = Math.ceil(t.month / 3);
            out.push({
                rule: "quarter-end-freeze",
                message: `quarter-end-freeze: no ${environment} rollout in the last ${QUARTER_END_DAYS} days of Q${quarter} (from ` +
                    `${t.monthShort} ${t.daysInMonth! - QUARTER_END_DAYS + 1}); it is ${local}`,
            });
        }
    }
    if (environment === "prod") {
        if (t.weekday !== 2)
            out.push({ rule: "release-day", message: `release-day: prod rollouts start only on Tuesdays; it is ${local}` });
        const minutes = t.hour * 60 + t.minute;
        if (minutes < window.startMinutes || minutes >= window.endMinutes) {
            out.push({
                rule: "release-window",
                message: `release-window: prod rollouts start only between ${formatWindow(window)} New York time; it is ${local}`,
            });
        }
    }
    return out;
}
