/**
 * The boundary between the access-path table and whatever judges it.
 *
 * The table (paths.ts) is plain data built from the plan: who calls, with what request context, which
 * action on which resource, and every policy that takes part. An {@link AccessEvaluator} decides each
 * request. The one evaluator shipped is the IAM policy simulator `@cloud-copilot/iam-simulate`
 * (iam-simulator.ts), which is AGPL-3.0 and a dev dependency: nothing here imports it. The plan and docs
 * commands load it through {@link loadIamSimulator}, a dynamic import that happens only when the package
 * is installed (a development checkout; `npm ci --omit=dev` has no evaluator, and the commands say so and
 * exit 1). The architecture rules allow exactly that one module to import the simulator, and nothing but
 * this loader and the tests to import that module (tools/architecture/rules.ts).
 */

import type { AccessEvaluator } from "./request";

export type { AccessEvaluator, AccessRequest, Decision, PolicyDoc } from "./request";

export const SIMULATOR_PACKAGE = "@cloud-copilot/iam-simulate";

/**
 * The IAM simulator, when its (dev) package is installed; `undefined` otherwise. The only way code
 * outside test/ reaches the simulator.
 */
export async function loadIamSimulator(): Promise<AccessEvaluator | undefined> {
    try {
        require.resolve(SIMULATOR_PACKAGE);
    } catch {
        return undefined;
    }
    const adapter = await import("./iam-simulator");
    return adapter.iamSimulator();
}
