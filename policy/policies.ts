/**
 * Every policy of the tms pack, for the pack itself (`index.ts`), the offline runner
 * (`tools/policy-runner.ts`), the docs generator and the tests. Importing this module has no side
 * effects: it never loads the @pulumi/policy runtime.
 */
import { acmPolicies } from "./acm";
import { albPolicies } from "./alb";
import { bucketResourcePolicies, bucketStackPolicies } from "./buckets";
import { cloudfrontPolicies } from "./cloudfront";
import { cloudtrailPolicies, cloudtrailStackPolicies } from "./cloudtrail";
import type { PolicyMetadata, TmsPolicy, TmsResourcePolicy, TmsStackPolicy } from "./common";
import { dataPolicies, dataStackPolicies } from "./data";
import { dynamodbPolicies } from "./dynamodb";
import { ecrPolicies, ecrStackPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { iamPolicies, iamStackPolicies } from "./iam";
import { loggingPolicies, loggingStackPolicies } from "./logging";
import { maintenanceWindowWeeklySlot } from "./maintenance";
import { networkResourcePolicies, networkStackPolicies } from "./network";
import { secretsPolicies } from "./secrets";
import { securityGroupPolicies } from "./security-groups";
import { crossResourcePolicies } from "./stack";

export type { Environment, PolicyMetadata, TmsPolicy, TmsResourcePolicy, TmsStackPolicy } from "./common";
export { ENVIRONMENT_RULES, ENVIRONMENTS } from "./common";

export const resourcePolicies: TmsResourcePolicy[] = [
    ...networkResourcePolicies,
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
    ...cloudtrailPolicies,
    ...bucketResourcePolicies,
    ...acmPolicies,
    ...dynamodbPolicies,
];

export const stackPolicies: TmsStackPolicy[] = [
    ...bucketStackPolicies,
    ...networkStackPolicies,
    ...ecrStackPolicies,
    ...dataStackPolicies,
    ...loggingStackPolicies,
    ...cloudtrailStackPolicies,
    ...iamStackPolicies,
    ...crossResourcePolicies,
];

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
