/**
 * `plan --policy`: every policy of the pack over the offline plan's record, with the stack's shipped
 * enforcement (policy/config/<environment>.json). Mandatory violations fail the plan.
 */
import type { Environment } from "../policy/common";
import type { StackConfig } from "../config/stack-config";
import { formatViolations, hasMandatoryViolations, policiesRun, runPolicies, Violation } from "./policy-runner";
import type { PlanRecord } from "./record";

export interface PolicyReport {
    violations: Violation[];
    mandatory: boolean;
    text: string;
}

export function policyReport(record: PlanRecord, config: Pick<StackConfig, "environment" | "region">): PolicyReport {
    const opts = { environment: config.environment as Environment, region: config.region };
    const violations = runPolicies(record, opts);
    return {
        violations,
        mandatory: hasMandatoryViolations(violations),
        text: formatViolations(violations, { policiesRun: policiesRun(opts) }),
    };
}
