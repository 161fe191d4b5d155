/**
 * The access-path evaluator on `@cloud-copilot/iam-simulate` (AGPL-3.0, a dev dependency): the only
 * module outside test/ that imports it, loaded only through evaluator.ts's `loadIamSimulator` (a dynamic
 * import when the package is installed) or by the tests. See evaluator.ts for why.
 *
 * Each request runs twice: through the validated engine, which refuses an unknown action, an ARN of the
 * wrong type or a malformed policy (an error here, not a silent denial), and through the unvalidated
 * engine, which gives the decision. The validated engine keeps only context keys of the `prefix/name`
 * form and drops `kms:EncryptionContext:<key>` whose key holds colons (`aws:dynamodb:tableName`), so a
 * condition on it could never match there; the unvalidated one evaluates the context as given. Every
 * policy goes in validated as its kind (identity, resource or trust policy).
 */
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation, runUnsafeSimulation } from "@cloud-copilot/iam-simulate";
import * as fs from "fs";
import * as path from "path";
import type { AccessEvaluator, AccessRequest, Decision } from "./request";

const DECISIONS: readonly string[] = ["Allowed", "ExplicitlyDenied", "ImplicitlyDenied"];

function validated(doc: any, kind: "identity" | "resource" | "trust", name: string): any {
    const fn = kind === "identity" ? validateIdentityPolicy : kind === "trust" ? validateTrustPolicy : validateResourcePolicy;
    return createValidatedPolicy(doc, fn, { name });
}

function describe(r: AccessRequest): string {
    return `${r.action} on ${r.resource} by ${r.principal}`;
}

export async function decideWithSimulator(r: AccessRequest): Promise<Decision> {
    const identityPolicies = r.identityPolicies.map((p) => ({ name: p.name, policy: validated(p.policy, "identity", p.name) }));
    const boundary = r.boundary ? [{ name: r.boundary.name, policy: validated(r.boundary.policy, "identity", r.boundary.name) }] : undefined;
    const resourcePolicy = r.resourcePolicy ? validated(r.resourcePolicy.policy, r.resourcePolicyKind ?? "resource", r.resourcePolicy.name) : undefined;
    const simulation = {
        request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: r.resourceAccount }, contextVariables: r.context },
        identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(boundary ? { permissionBoundaryPolicies: boundary } : {}),
        ...(resourcePolicy ? { resourcePolicy } : {}),
    };
    const checked = await runSimulation(simulation, {});
    if (checked.resultType === "error") throw new Error(`the IAM simulator refused the request ${describe(r)}: ${JSON.stringify(checked.errors)}`);
    const decision = runUnsafeSimulation(simulation, {}) as unknown;
    if (!DECISIONS.includes(decision as string)) throw new Error(`the IAM simulator gave no decision for ${describe(r)}: ${JSON.stringify(decision)}`);
    return decision as Decision;
}

export function iamSimulator(): AccessEvaluator {
    // The version from the package itself (its exports hide package.json), so the table names the judge that made it.
    let dir = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
    const isPackage = (d: string) => fs.existsSync(path.join(d, "package.json")) && JSON.parse(fs.readFileSync(path.join(d, "package.json"), "utf8")).name === "@cloud-copilot/iam-simulate";
    while (!isPackage(dir)) {
        if (path.dirname(dir) === dir) throw new Error("@cloud-copilot/iam-simulate: its package.json was not found above its entry point");
        dir = path.dirname(dir);
    }
    const version = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version as string;
    return { name: `@cloud-copilot/iam-simulate ${version}`, decide: decideWithSimulator };
}
