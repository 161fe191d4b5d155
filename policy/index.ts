/**
 * The tms CrossGuard pack. This file only constructs the pack: `new PolicyPack` starts a gRPC
 * server, so nothing else (tests, tools) may import it; they import `./policies` instead.
 *
 *   pulumi preview --stack prod --policy-pack policy --policy-pack-config policy/config/prod.json
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("tms", {
    description: "Security and operations policies for the Task Management System stacks (AWS FSBP / CIS controls).",
    enforcementLevel: "advisory",
    provider: "aws",
    policies,
});
