import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";

export interface RegionalFailoverArgs {
    /** PRIMARY (prod, with the health check) or SECONDARY (dr). */
    role: "PRIMARY" | "SECONDARY";
    region: string;
    hostedZoneId: pulumi.Input<string>;
    /** The shared failover name, e.g. origin.taskmanagement.example.com; the CDN's origin. */
    name: string;
    loadBalancerDnsName: pulumi.Input<string>;
    loadBalancerZoneId: pulumi.Input<string>;
    /** Path the health check probes. */
    healthCheckPath: string;
}

/**
 * One side of the Route53 failover between regions. Prod publishes the PRIMARY record with a health
 * check on its ALB's /health; dr publishes the SECONDARY record for the same name. When the primary
 * fails its check, Route53 answers with dr, and the CDN (whose origin is this name) follows without
 * anyone editing DNS.
 */
export class RegionalFailover extends pulumi.ComponentResource {
    readonly healthCheckId?: pulumi.Output<string>;
    readonly recordFqdn: pulumi.Output<string>;

    constructor(name: string, args: RegionalFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:dns:RegionalFailover", name, {}, opts);
        let healthCheck: aws.route53.HealthCheck | undefined;
        if (args.role === "PRIMARY") {
            healthCheck = new aws.route53.HealthCheck(`${name}-health`, {
                type: "HTTPS",
                fqdn: args.loadBalancerDnsName,
                port: 443,
                resourcePath: args.healthCheckPath,
                // The guide's cadence: every 30 s; three misses (90 s) before Route53 fails over.
                requestInterval: 30,
                failureThreshold: 3,
                measureLatency: true,
                tags: serviceTags("dns", { Name: `tms-primary-${args.region}` }),
            }, { parent: this });
            this.healthCheckId = healthCheck.id;
        }
        const record = new aws.route53.Record(`${name}-record`, {
            zoneId: args.hostedZoneId,
            name: args.name,
            type: "A",
            setIdentifier: `${args.role.toLowerCase()}-${args.region}`,
            failoverRoutingPolicies: [{ type: args.role }],
            healthCheckId: healthCheck?.id,
            aliases: [{ name: args.loadBalancerDnsName, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true }],
        }, { parent: this });
        this.recordFqdn = record.fqdn;
        this.registerOutputs({ recordFqdn: this.recordFqdn });
    }
}
