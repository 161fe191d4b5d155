/**
 * Every policy of the tms pack, for the pack itself (`index.ts`), the offline runner
 * (`tools/policy-runner.ts`), the docs generator and the tests. Importing this module has no side
 * effects: it never loads the @pulumi/policy runtime.
 */
import { albPolicies } from "./alb";
import { bucketResourcePolicies, bucketStackPolicies } from "./buckets";
import { cloudfrontPolicies } from "./cloudfront";
import type { PolicyMetadata, TmsPolicy, TmsResourcePolicy, TmsStackPolicy } from "./common";
import { dataPolicies } from "./data";
import { ecrPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { iamPolicies } from "./iam";
import { loggingPolicies } from "./logging";
import { maintenanceWindowWeeklySlot } from "./maintenance";
import { secretsPolicies } from "./secrets";
import { securityGroupPolicies } from "./security-groups";
import { crossResourcePolicies } from "./stack";

export type { Environment, PolicyMetadata, TmsPolicy, TmsResourcePolicy, TmsStackPolicy } from "./common";
export { ENVIRONMENT_RULES, ENVIRONMENTS } from "./common";

export const resourcePolicies: TmsResourcePolicy[] = [
    ...securityGroupPolicies,
    ...ecsPolicies,
    ...albPolicies,
    ...cloudfrontPolicies,
    ...dataPolicies,
    maintenanceWindowWeeklySlot,
    ...ecrPolicies,
    ...secretsPolicies,
    ...iamPolicies,
    ...loggingPolicies,
    ...bucketResourcePolicies,
];

export const stackPolicies: TmsStackPolicy[] = [...bucketStackPolicies, ...crossResourcePolicies];

/** All policies, resource policies first. */
export const policies: TmsPolicy[] = [...resourcePolicies, ...stackPolicies];

/** Name, kind, description, default enforcement and metadata of every policy (for docs and tools). */
export interface PolicyInfo extends PolicyMetadata {
    name: string;
    kind: "resource" | "stack";
    description: string;
    enforcementLevel: string;
}

export const policyInfo: PolicyInfo[] = policies.map(p => ({
    ...p.metadata,
    name: p.name,
    kind: p.kind,
    description: p.description,
    enforcementLevel: p.enforcementLevel ?? "advisory",
}));

export function policyByName(name: string): TmsPolicy | undefined {
    return policies.find(p => p.name === name);
}
