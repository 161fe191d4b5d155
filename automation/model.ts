/**
 * The rollout's vocabulary, shared by the ports, the analysis and the persisted state (it imports only
 * the product's words, config/vocabulary.ts, so none of them has to import another for a type).
 *
 * Each service runs as two ECS services, `blue` and `green` (config/vocabulary.ts). `weight` is the
 * percent of public traffic the listener sends to the candidate (the live colour gets 100 − weight).
 */
export { COLOURS, otherColour, type Colour } from "../config/vocabulary";

/** Image tag per service name, e.g. `{ "api-gateway": "1.4.2", "task-service": "1.4.2" }`. */
export type ServiceImages = Record<string, string>;

/** What a rollout deploys. */
export interface Release {
    /** Human-readable id (git tag, build number); recorded with every decision. */
    id: string;
    images: ServiceImages;
    /** Desired task count per service for the candidate colour; the adapter's stack default when omitted. */
    desiredCounts?: Record<string, number>;
}

/** Traffic counters of one colour over a window. */
export interface ColourMetrics {
    requests: number;
    /** 5xx responses (target and load-balancer generated). */
    errors5xx: number;
    /** p95 target response time in ms; null when there were no requests. */
    p95Ms: number | null;
}

/** What the metrics port returns for one window. For rolling, live and candidate are the same colour. */
export interface MetricsSample {
    live: ColourMetrics;
    candidate: ColourMetrics;
    /** Candidate targets reported unhealthy in the window (max over the window). */
    unhealthyTargets: number;
    /** Names of critical alarms in ALARM at the end of the window. */
    alarms: string[];
}
