/**
 * Target health as the engine counts it, read from ELBv2 `DescribeTargetHealth`: one definition for the
 * rollout's candidate check and the DR runbook's live check. States other than healthy and unhealthy
 * (initial, draining, unused, unavailable) are pending: neither serving nor failed
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).
 */
import {
    DescribeTargetHealthCommand,
    type ElasticLoadBalancingV2Client,
    type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetHealth } from "../ports";
import { awsCall } from "./aws-call";

/** Add the descriptions' states to `into`. Pure. */
export function countTargetHealth(
    descriptions: TargetHealthDescription[],
    into: TargetHealth = { healthy: 0, unhealthy: 0, pending: 0 },
): TargetHealth {
    for (const d of descriptions) {
        const state = d.TargetHealth?.State;
        if (state === "healthy") into.healthy++;
        else if (state === "unhealthy") into.unhealthy++;
        else into.pending++;
    }
    return into;
}

/** The summed health of the targets of every target group in `arns`, one call each. */
export async function targetHealthOf(elb: ElasticLoadBalancingV2Client, arns: string[], timeoutMs?: number): Promise<TargetHealth> {
    const h: TargetHealth = { healthy: 0, unhealthy: 0, pending: 0 };
    for (const arn of arns) {
        const out = await awsCall(
            "ELBv2 DescribeTargetHealth",
            (o) => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), o),
            { timeoutMs },
        );
        countTargetHealth(out.TargetHealthDescriptions ?? [], h);
    }
    return h;
}
