/**
 * The product's words, declared once: environments, colours, deployment strategies and DR roles. The
 * stack schema, the components, the rollout and the policy pack import them from here (a leaf module: it
 * imports nothing), so that a new word is added in one place and the type checker finds every table
 * that must learn it.
 */

/** The environments of the deployment guide; each is one stack of the same name. */
export const ENVIRONMENTS = ["dev", "staging", "prod", "dr"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Each service runs as two ECS services, `blue` and `green` (rolling deploys `blue` only). The *live*
 * colour serves production when no release is in flight; the *candidate* is the other one.
 */
export const COLOURS = ["blue", "green"] as const;
export type Colour = (typeof COLOURS)[number];

/** The colour that is not `c`. */
export function otherColour(c: Colour): Colour {
    return c === "blue" ? "green" : "blue";
}

/** Deployment strategy per environment (guide, "Deployment Strategies"). */
export const STRATEGIES = ["rolling", "blue-green", "canary"] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A stack's part in disaster recovery: prod is the primary, dr the secondary, the others none. */
export const DR_ROLES = ["none", "primary", "secondary"] as const;
export type DrRole = (typeof DR_ROLES)[number];

/** dr's mode, which the DR runbook records in SSM: `active` while dr serves (after a failover), else `standby`. */
export const DR_MODES = ["active", "standby"] as const;
export type DrMode = (typeof DR_MODES)[number];
