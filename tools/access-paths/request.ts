/**
 * What an access-path evaluator is asked and answers (plain types, shared by the table, the loader in
 * evaluator.ts and the simulator adapter).
 */

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** A policy document and where it comes from (a resource of the plan, or an AWS-managed policy). */
export interface PolicyDoc {
    name: string;
    policy: any;
}

/** One authorization request, with every policy AWS would evaluate for it. */
export interface AccessRequest {
    /** A role ARN, an AWS service principal (`events.amazonaws.com`) or an account principal. */
    principal: string;
    action: string;
    resource: string;
    /** The account that owns the resource. */
    resourceAccount: string;
    context: Record<string, string | string[]>;
    /** The principal's identity policies (none for a service principal). */
    identityPolicies: PolicyDoc[];
    /** The principal's permissions boundary, when it has one. */
    boundary?: PolicyDoc;
    /** The resource's policy (bucket, topic, key or trust policy), when one takes part. */
    resourcePolicy?: PolicyDoc;
    /** Which kind of document the resource policy is (a trust policy is validated as one). */
    resourcePolicyKind?: "resource" | "trust";
}

export interface AccessEvaluator {
    /** Name and version, printed with the table. */
    readonly name: string;
    /** Decide one request; throws when the request or a policy is malformed (an unknown action, a bad ARN). */
    decide(request: AccessRequest): Promise<Decision>;
}
