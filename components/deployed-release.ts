/**
 * The release the stack's last update deployed, read back by the program before it registers anything:
 * a StackReference to the stack itself returns the outputs of its last successful update, including the
 * `release` output (config/release.ts says what it is and why it lives there). A stack never deployed
 * has none. Verified on the real engine with the file backend: the read is fresh in `preview`, `up` and
 * `up --target`, and a concurrent update does not block it (docs/rollouts.md, "Where the release lives").
 */
import * as pulumi from "@pulumi/pulumi";
import type { DeployedRelease } from "../config/release";
import { deployedReleaseOf } from "../config/stack-outputs";

/** The `release` output of this stack's last update, or undefined before the first one. */
export async function readDeployedRelease(): Promise<DeployedRelease | undefined> {
    const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
    const details = await self.getOutputDetails("release");
    return deployedReleaseOf(details.value);
}
