import { strict as assert } from "assert";
import { DateTime } from "luxon";
import { checkCalendar, formatWindow, parseWindow, RELEASE_ZONE } from "../../automation/calendar";

/** An instant given as New York wall-clock time. */
const ny = (iso: string) => DateTime.fromISO(iso, { zone: RELEASE_ZONE }).toMillis();
const rules = (env: string, iso: string, window?: string) => checkCalendar(env, ny(iso), window ? parseWindow(window) : undefined).map((r) => r.rule);

describe("release calendar (America/New_York)", () => {
    it("accepts a prod Tuesday 10:30 in March after the DST switch and in November after it ends", () => {
        // 2026-03-08 clocks go forward; 2026-11-01 they go back.
        assert.deepEqual(rules("prod", "2026-03-10T10:30"), []);
        assert.equal(DateTime.fromMillis(ny("2026-03-10T10:30"), { zone: "utc" }).hour, 14, "EDT: 10:30 is 14:30 UTC");
        assert.deepEqual(rules("prod", "2026-11-03T10:30"), []);
        assert.equal(DateTime.fromMillis(ny("2026-11-03T10:30"), { zone: "utc" }).hour, 15, "EST: 10:30 is 15:30 UTC");
    });

    it("judges the same UTC instant by New York's offset on each side of the switch", () => {
        // 14:30 UTC is 09:30 EST on the Tuesday before the switch (refused) and 10:30 EDT after it.
        assert.deepEqual(checkCalendar("prod", Date.parse("2026-03-03T14:30:00Z")).map((r) => r.rule), ["release-window"]);
        assert.deepEqual(checkCalendar("prod", Date.parse("2026-03-10T14:30:00Z")), []);
    });

    it("refuses 09:59 and 16:00 (window end is exclusive), accepts 10:00 and 15:59", () => {
        assert.deepEqual(rules("prod", "2026-03-10T09:59"), ["release-window"]);
        assert.deepEqual(rules("prod", "2026-03-10T10:00"), []);
        assert.deepEqual(rules("prod", "2026-03-10T15:59"), []);
        assert.deepEqual(rules("prod", "2026-03-10T16:00"), ["release-window"]);
    });

    it("the window end is configurable", () => {
        assert.deepEqual(rules("prod", "2026-03-10T12:30", "10:00-12:00"), ["release-window"]);
        assert.deepEqual(rules("prod", "2026-03-10T11:59", "10:00-12:00"), []);
        assert.throws(() => parseWindow("09:00-12:00"), /opens before 10:00/);
        assert.throws(() => parseWindow("12:00-11:00"), /closes before it opens/);
        assert.throws(() => parseWindow("10-16"), /HH:MM-HH:MM/);
    });

    it("prod only on Tuesdays", () => {
        assert.deepEqual(rules("prod", "2026-03-11T10:30"), ["release-day"]);
        assert.deepEqual(rules("prod", "2026-03-09T10:30"), ["release-day"]);
    });

    it("freezes the last 7 days of each quarter for prod and dr", () => {
        for (const [last, first, before] of [["03-31", "03-25", "03-24"], ["06-30", "06-24", "06-23"], ["09-30", "09-24", "09-23"]]) {
            for (const env of ["prod", "dr"]) {
                assert.ok(rules(env, `2026-${first}T10:30`).includes("quarter-end-freeze"), `${env} ${first}`);
                assert.ok(rules(env, `2026-${last}T10:30`).includes("quarter-end-freeze"), `${env} ${last}`);
                assert.ok(!rules(env, `2026-${before}T10:30`).includes("quarter-end-freeze"), `${env} ${before}`);
            }
        }
        assert.deepEqual(rules("prod", "2026-03-24T10:30"), [], "Tuesday Mar 24 is the last open day of Q1");
        assert.deepEqual(rules("prod", "2026-03-31T10:30"), ["quarter-end-freeze"], "Tuesday Mar 31 is frozen");
        assert.ok(rules("dr", "2026-12-25T03:00").includes("quarter-end-freeze"));
    });

    it("holiday freeze from December 15 to January 5 inclusive", () => {
        assert.ok(rules("prod", "2026-12-15T10:30").includes("holiday-freeze"), "Dec 15 (a Tuesday)");
        assert.deepEqual(rules("prod", "2026-12-08T10:30"), [], "Tuesday Dec 8 is open");
        assert.ok(rules("dr", "2027-01-05T23:59").includes("holiday-freeze"), "Jan 5 23:59");
        assert.deepEqual(rules("dr", "2027-01-06T00:00"), [], "Jan 6 00:00 is open for dr");
        assert.ok(rules("dr", "2026-12-14T23:59").length === 0, "Dec 14 for dr");
        // The freeze is New York's date: 2027-01-06 03:00 UTC is still Jan 5 in New York.
        assert.ok(checkCalendar("dr", Date.parse("2027-01-06T03:00:00Z")).some((r) => r.rule === "holiday-freeze"));
    });

    it("staging and dev roll out any time, freezes included", () => {
        for (const env of ["staging", "dev"]) {
            assert.deepEqual(rules(env, "2026-12-25T03:00"), []);
            assert.deepEqual(rules(env, "2026-03-28T23:00"), []);
        }
    });

    it("each refusal names the rule and the New York local time", () => {
        const [r] = checkCalendar("prod", ny("2026-03-10T09:59"));
        assert.match(r.message, /^release-window: .*10:00–16:00.*Tue 2026-03-10 09:59 EDT \(America\/New_York\)/);
        const [w] = checkCalendar("prod", ny("2026-11-10T16:00"));
        assert.match(w.message, /Tue 2026-11-10 16:00 EST/);
    });

    it("parses windows to minutes, at the bounds of hours and minutes", () => {
        assert.deepEqual(parseWindow("10:15-16:45"), { startMinutes: 615, endMinutes: 1005 });
        assert.deepEqual(parseWindow("23:59-24:00"), { startMinutes: 1439, endMinutes: 1440 });
        assert.deepEqual(parseWindow("10:00-10:01"), { startMinutes: 600, endMinutes: 601 });
        assert.deepEqual(parseWindow("10:59-11:59"), { startMinutes: 659, endMinutes: 719 });
        for (const bad of ["24:00-24:30", "10:00-25:00", "10:60-11:00", "10:00-11:60", "x10:00-11:00", "10:00-11:00x", "10:00-11:00\n"]) {
            assert.throws(() => parseWindow(bad), new RegExp(`^Error: "${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}" is not a window HH:MM-HH:MM$`), bad);
        }
        assert.throws(() => parseWindow("12:00-12:00"), /^Error: "12:00-12:00" closes before it opens$/);
        assert.equal(formatWindow({ startMinutes: 605, endMinutes: 1439 }), "10:05–23:59");
    });

    it("quotes each freeze with its dates and quarter", () => {
        assert.deepEqual(checkCalendar("dr", ny("2026-06-26T10:30")).map((r) => r.message),
            ["quarter-end-freeze: no dr rollout in the last 7 days of Q2 (from Jun 24); it is Fri 2026-06-26 10:30 EDT (America/New_York)"]);
        assert.deepEqual(checkCalendar("dr", ny("2026-12-29T10:30")).map((r) => r.message), [
            "holiday-freeze: no dr rollout from December 15 to January 5 inclusive; it is Tue 2026-12-29 10:30 EST (America/New_York)",
            "quarter-end-freeze: no dr rollout in the last 7 days of Q4 (from Dec 25); it is Tue 2026-12-29 10:30 EST (America/New_York)",
        ]);
        assert.deepEqual(checkCalendar("prod", ny("2026-03-11T10:30")).map((r) => r.message),
            ["release-day: prod rollouts start only on Tuesdays; it is Wed 2026-03-11 10:30 EDT (America/New_York)"]);
        // Months that end a quarter only: the last days of February, April and May are open.
        for (const d of ["2026-02-27", "2026-04-29", "2026-05-29"]) assert.deepEqual(rules("dr", `${d}T10:30`), [], d);
    });
});
