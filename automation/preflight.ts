/**
 * Preflight: every reason not to start a rollout, decided before anything changes. Pure: the CLI
 * gathers the facts (clock, change request, live-colour health, lock holder) and this module
 * judges them, so every rule is tested without AWS.
 */
import { checkCalendar, DEFAULT_WINDOW, newYorkTime, type CalendarRefusal, type ReleaseWindow } from "./calendar";
import type { ChangeRequest, ChangeRequestResult } from "./change-request";
import type { Colour, LeaseHeld, TargetHealth } from "./ports";

/** Environments whose rollouts need an approved change request. */
export const CHANGE_REQUEST_ENVIRONMENTS = ["prod"];

export interface PreflightFacts {
    stack: string;
    environment: string;
    nowMs: number;
    window?: ReleaseWindow;
    /** `--emergency --reason`: overrides the calendar (only), and is recorded. */
    emergency?: { reason: string };
    /** Parsed `--change-request`; undefined when the flag was not given. */
    changeRequest?: ChangeRequestResult;
    live: Colour;
    /** Live colour's targets, or why they could not be read. */
    liveHealth: TargetHealth | { error: string };
    /** Critical alarms in ALARM now, or why they could not be read. */
    alarms: string[] | { error: string };
    /** Who holds the stack's rollout lock (unexpired), if anyone. */
    lockHeld: LeaseHeld | null;
    /** The id and status of a rollout still in flight (running or halted), if any. */
    inFlight?: { rolloutId: string; status: string } | null;
    /**
     * Dry runs: a fact that could not be read (no AWS credentials, no Pulumi CLI) becomes a warning
     * instead of a refusal, so the calendar and change request can be checked from anywhere.
     */
    lenientUnreadable?: boolean;
    /** canary / blue-green: the candidate weight now (must be 0 with no rollout in flight). */
    candidateWeight?: number;
    /** Other facts that could not be read, one line each (e.g. `lock: cannot read the lock: …`). */
    unreadable?: string[];
}

export interface PreflightResult {
    ok: boolean;
    /** One line each; empty when ok. */
    refusals: string[];
    /** Checks that could not be made (dry runs only; a real rollout refuses instead). */
    warnings: string[];
    /** Calendar rules an emergency overrode (kept for the deployment record). */
    overridden: CalendarRefusal[];
    /** The New York local time the calendar was judged at. */
    localTime: string;
    changeRequest: ChangeRequest | null;
    emergency: { reason: string } | null;
}

export function runPreflight(f: PreflightFacts): PreflightResult {
    const refusals: string[] = [];
    const warnings: string[] = [];
    const unreadable = (line: string) => (f.lenientUnreadable ? warnings : refusals).push(line);
    const calendar = checkCalendar(f.environment, f.nowMs, f.window ?? DEFAULT_WINDOW);
    const emergency = f.emergency && f.emergency.reason.trim() !== "" ? f.emergency : null;
    if (!emergency) refusals.push(...calendar.map((c) => c.message));

    let changeRequest: ChangeRequest | null = null;
    if (f.changeRequest?.ok) changeRequest = f.changeRequest.request;
    else if (f.changeRequest) refusals.push(...f.changeRequest.problems);
    else if (CHANGE_REQUEST_ENVIRONMENTS.includes(f.environment)) {
        refusals.push(`change-request: ${f.environment} rollouts need --change-request FILE (id, risk, rollbackPlan, approvals)`);
    }

    if ("error" in f.liveHealth) unreadable(`live-health: cannot read the health of the live colour ${f.live}: ${f.liveHealth.error}`);
    else {
        const h = f.liveHealth;
        if (h.healthy === 0 || h.unhealthy > 0) {
            refusals.push(
                `live-health: the live colour ${f.live} is not healthy (${h.healthy} healthy, ${h.unhealthy} unhealthy, ${h.pending} ` +
                `pending targets)`,
            );
        }
    }
    if (!Array.isArray(f.alarms)) unreadable(`live-health: cannot read the critical alarms: ${f.alarms.error}`);
    else if (f.alarms.length) refusals.push(`live-health: critical alarm(s) in ALARM: ${f.alarms.join(", ")}`);

    for (const line of f.unreadable ?? []) unreadable(line);
    if (f.lockHeld) {
        refusals.push(
            `lock: another rollout holds the ${f.stack} lock (${f.lockHeld.heldBy}, until ` +
            `${new Date(f.lockHeld.expiresAtMs).toISOString()})`,
        );
    }
    if (!f.inFlight && f.candidateWeight) {
        refusals.push(
            `traffic: ${f.candidateWeight}% of traffic already goes to the candidate with no rollout in flight; set ` +
            `tms:deployment.weight to 0 first`,
        );
    }
    if (f.inFlight)
        refusals.push(`lock: rollout ${f.inFlight.rolloutId} on ${f.stack} is ${f.inFlight.status}; resume it or roll it back first`);

    return {
        ok: refusals.length === 0,
        refusals,
        warnings,
        overridden: emergency ? calendar : [],
        localTime: newYorkTime(f.nowMs),
        changeRequest,
        emergency,
    };
}
