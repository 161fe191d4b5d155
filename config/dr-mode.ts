/**
 * dr's mode and what it does to the stack config. The DR runbook records the mode in SSM when it promotes
 * dr and when it fails back (components/primary.ts's `readDrMode` reads it), so that every later
 * `pulumi up`, from any checkout, keeps dr's capacity where the runbook put it instead of reverting it to
 * the stack file's (docs/dr.md).
 */
import type { StackConfig } from "./stack-config";

/** The dr stack's mode: `active` after a failover, `standby` otherwise (and when none is recorded). */
import type { DrMode } from "./vocabulary";
export type { DrMode };

/** The config with dr's task counts for its mode: `tms:dr.activeCount` per service while active. Pure. */
export function applyDrMode(config: StackConfig, mode: DrMode): StackConfig {
    if (mode !== "active" || config.dr.role !== "secondary" || config.dr.activeCount === undefined) return config;
    const count = config.dr.activeCount;
    return {
        ...config,
        compute: { ...config.compute, desiredCount: count },
        services: config.services.map((s) => ({ ...s, desiredCount: Math.max(s.desiredCount, count) })),
    };
}
