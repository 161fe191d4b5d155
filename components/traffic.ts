import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Colour } from "../config/vocabulary";
import type { ServiceSettings } from "./colour-service";
import { ORIGIN_VERIFY_HEADER } from "./cdn";
import { ValidatedCertificate } from "./certificate";
import { serviceTags } from "../config/naming";
import { SecureBucket } from "./secure-bucket";
import { transform, type Transform } from "./transform";

/** The children of `PublicTraffic` a user can adjust. */
export interface PublicTrafficTransforms {
    /**
     * The `aws.lb.LoadBalancer`.
     * @default none (the args as computed)
     */
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    /**
     * Each `aws.lb.TargetGroup` (one per public service and colour; the function form gets `<name>-<service>-<colour>`).
     * @default none (the args as computed)
     */
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    /**
     * Each `aws.lb.Listener`: `<name>-http` (redirect), `<name>-https` (weighted) and `<name>-test` (candidate).
     * @default none (the args as computed)
     */
    listener?: Transform<aws.lb.ListenerArgs>;
}

export interface PublicTrafficArgs {
    /** Short environment id: target group names and the access-log prefix `alb/<env>`. */
    environment: string;
    /** Public host name of the environment (an alias to the ALB is created in `zoneName` unless the CDN owns it). */
    hostName: string;
    /**
     * A name that always points at this ALB (the host name itself when no CDN fronts it): the test
     * listener's URL. Never a CDN alias: CloudFront serves only ports 80 and 443.
     */
    loadBalancerName: string;
    /** Extra names the certificate covers (the failover origin name in prod and dr). */
    alternativeNames: string[];
    /**
     * Names of the certificate whose validation record another stack of the account owns (dr: prod's origin name).
     * @default [] (this stack validates every name)
     */
    validatedElsewhere?: string[];
    /** The public hosted zone the names live in (looked up, never created). */
    zoneName: string;
    /** The VPC of the target groups. */
    vpcId: pulumi.Input<string>;
    /** Public subnets of the ALB. */
    publicSubnetIds: pulumi.Input<string[]>;
    /** The ALB's security group. */
    securityGroupId: pulumi.Input<string>;
    /** The account the access logs are delivered for (the log bucket's grant names it). */
    accountId: pulumi.Input<string>;
    /** Days the ALB's access logs are kept (plain: a lifecycle rule of the log bucket). */
    accessLogRetentionDays: number;
    /** `protect`/`retainOnDelete` the access-log bucket (plain: resource options). */
    protect: boolean;
    /**
     * When set (stacks behind CloudFront), the HTTPS listener answers 403 unless the request carries
     * this secret in the X-Origin-Verify header, so the CDN and its WAF cannot be bypassed. `/health`
     * stays open for Route53's health checks, which cannot send headers. Plain presence: it decides the
     * listener's rules.
     * @default none (the listener forwards every request)
     */
    originVerifyHeader?: pulumi.Input<string>;
    /** Create the host name's alias to the ALB (false when the CDN owns the host name). */
    createAlias: boolean;
    /** Public services; exactly one has `isDefaultRoute` (plain: one target group per service and colour). */
    services: ServiceSettings[];
    /** Colours deployed (["blue"] for rolling; plain: one target group each). */
    colours: Colour[];
    /** The colour taking `100 - weight` percent of the traffic (plain: it orders the weighted forward). */
    live: Colour;
    /** Percent of traffic to the candidate colour, 0–100 (plain: checked here). */
    weight: number;
    /** Port of the test listener, which sends everything to the candidate colour. */
    testListenerPort: number;
    /** The HTTPS listeners' TLS policy, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06`. */
    sslPolicy: pulumi.Input<string>;
    /** AWS-side deletion protection of the ALB. */
    deletionProtection: pulumi.Input<boolean>;
    /** The ALB's idle timeout, in seconds. */
    idleTimeoutSeconds: pulumi.Input<number>;
    /**
     * Adjust the args of the children (components/transform.ts): an object merged over them or a function
     * that edits them.
     * @default none: the children as computed here
     */
    transform?: PublicTrafficTransforms;
}

export type TargetGroupArns = Partial<Record<Colour, pulumi.Input<string>>>;

/**
 * The public listener's action: forward to the live and candidate target groups with weights
 * `100 - weight` and `weight`, always listed blue then green so a colour flip changes only numbers.
 * With a single colour it is a plain forward.
 */
export function weightedForward(arns: TargetGroupArns, colours: readonly Colour[], live: Colour, weight: number) {
    if (colours.length === 1) return { type: "forward", targetGroupArn: arns[colours[0]]! };
    return {
        type: "forward",
        forward: {
            targetGroups: colours.map((c) => ({ arn: arns[c]!, weight: c === live ? 100 - weight : weight })),
            stickiness: { enabled: false, duration: 1 },
        },
    };
}

/** The test listener's action: 100% to the candidate colour (the only colour when rolling). */
export function candidateForward(arns: TargetGroupArns, colours: readonly Colour[], live: Colour) {
    const candidate = colours.length === 1 ? colours[0] : colours.find((c) => c !== live)!;
    return { type: "forward", targetGroupArn: arns[candidate]! };
}

/**
 * The internet-facing ALB with its certificate, listeners (weighted HTTPS, HTTP redirect, test
 * listener), one target group per public service and colour, and the environment's DNS alias.
 * Changing `weight` or `live` changes only the listeners and listener rules.
 */
export class PublicTraffic extends pulumi.ComponentResource {
    readonly loadBalancerArn: pulumi.Output<string>;
    readonly loadBalancerArnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly zoneId: pulumi.Output<string>;
    readonly certificateArn: pulumi.Output<string>;
    readonly hostedZoneId: pulumi.Output<string>;
    /** Target group ARN per service and colour. */
    readonly targetGroupArns: Record<string, TargetGroupArns> = {};
    /** ARN suffixes (CloudWatch `TargetGroup` dimension) per service and colour. */
    readonly targetGroupArnSuffixes: Record<string, Partial<Record<Colour, pulumi.Output<string>>>> = {};
    /** The bucket receiving the ALB's access logs. */
    readonly accessLogBucketName: pulumi.Output<string>;
    /** The resources a weight change updates: the HTTPS listener and its rules. */
    readonly weightListeners: pulumi.CustomResource[] = [];
    /** The resources a colour flip also updates: the test listener and its rules. */
    readonly testListeners: pulumi.CustomResource[] = [];
    readonly httpsListenerArn: pulumi.Output<string>;
    readonly testListenerUrl: string;

    constructor(name: string, args: PublicTrafficArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:traffic:PublicTraffic", name, {}, opts);
        const defaults = args.services.filter((s) => s.isDefaultRoute);
        if (defaults.length !== 1) {
            throw new Error(`PublicTraffic ${name}: exactly one public service must be the default route, found ${defaults.length}`);
        }
        if (!Number.isInteger(args.weight) || args.weight < 0 || args.weight > 100) {
            throw new Error(`PublicTraffic ${name}: weight ${args.weight} is not 0–100`);
        }
        if (args.loadBalancerName === args.hostName && !args.createAlias) {
            throw new Error(
                `PublicTraffic ${name}: loadBalancerName ${args.loadBalancerName} is the host name, whose alias is not this ALB's ` +
                    `(createAlias false): the test listener would be unreachable`
            );
        }

        const zone = aws.route53.getZoneOutput({ name: args.zoneName, privateZone: false }, { parent: this });
        this.hostedZoneId = zone.zoneId;

        const elbAccount = aws.elb.getServiceAccountOutput({}, { parent: this });
        const accessLogs = new SecureBucket(`${name}-access-logs`, {
            role: "alb-access-logs",
            service: "traffic",
            // ELB log delivery writes SSE-S3 objects only.
            lifecycle: [
                {
                    id: "expire-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: args.accessLogRetentionDays },
                    noncurrentVersionExpiration: { noncurrentDays: 7 },
                }
            ],
            statements: (bucketArn) => pulumi.all([bucketArn, elbAccount.arn, args.accountId]).apply(([arn, elb, acct]) => [
                {
                    Sid: "ElbLogDelivery",
                    Effect: "Allow",
                    // The regional ELB account (regions before 2022) and the log-delivery service (newer ones).
                    Principal: { AWS: elb, Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: `${arn}/alb/${args.environment}/AWSLogs/${acct}/*`,
                },
            ]),
            protect: args.protect,
        }, { parent: this });
        this.accessLogBucketName = accessLogs.bucketName;

        const t = args.transform;
        const alb = new aws.lb.LoadBalancer(...transform(t?.loadBalancer, `${name}-alb`, {
            loadBalancerType: "application",
            internal: false,
            subnets: args.publicSubnetIds,
            securityGroups: [args.securityGroupId],
            dropInvalidHeaderFields: true,
            desyncMitigationMode: "defensive",
            enableDeletionProtection: args.deletionProtection,
            idleTimeout: args.idleTimeoutSeconds,
            accessLogs: { bucket: accessLogs.bucketName, prefix: `alb/${args.environment}`, enabled: true },
            tags: serviceTags("traffic"),
        }, { parent: this }));

        const certificate = new ValidatedCertificate(`${name}-certificate`, {
            domainName: args.hostName,
            // The test listener is reached by the ALB's own name: its certificate must cover it.
            alternativeNames: [...new Set([...args.alternativeNames, args.loadBalancerName])].filter((n) => n !== args.hostName),
            hostedZoneId: zone.zoneId,
            validatedElsewhere: args.validatedElsewhere,
            service: "traffic",
        }, { parent: this });

        for (const svc of args.services) {
            this.targetGroupArns[svc.name] = {};
            this.targetGroupArnSuffixes[svc.name] = {};
            for (const colour of args.colours) {
                const tg = new aws.lb.TargetGroup(...transform(t?.targetGroup, `${name}-${svc.name}-${colour}`, {
                    name: `${args.environment}-${svc.name}-${colour}`.slice(0, 32).replace(/-$/, ""),
                    targetType: "ip",
                    protocol: "HTTP",
                    port: svc.port,
                    vpcId: args.vpcId,
                    deregistrationDelay: 30,
                    // The guide's health check: /health every 30 s, 5 s timeout, 2 failures = unhealthy.
                    healthCheck: {
                        path: svc.healthCheckPath,
                        protocol: "HTTP",
                        interval: 30,
                        timeout: 5,
                        unhealthyThreshold: 2,
                        healthyThreshold: 3,
                        matcher: "200",
                    },
                    tags: serviceTags(svc.name, { Colour: colour }),
                }, { parent: this }));
                this.targetGroupArns[svc.name][colour] = tg.arn;
                this.targetGroupArnSuffixes[svc.name][colour] = tg.arnSuffix;
            }
        }

        new aws.lb.Listener(...transform(t?.listener, `${name}-http`, {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: "HTTP",
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            tags: serviceTags("traffic"),
        }, { parent: this }));

        const defaultForward = weightedForward(this.targetGroupArns[defaults[0].name], args.colours, args.live, args.weight);
        const https = new aws.lb.Listener(...transform(t?.listener, `${name}-https`, {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy,
            certificateArn: certificate.certificateArn,
            defaultActions: [args.originVerifyHeader
                ? { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "Forbidden" } }
                : defaultForward],
            tags: serviceTags("traffic"),
        }, { parent: this }));
        const originHeader = args.originVerifyHeader
            ? [{ httpHeader: { httpHeaderName: ORIGIN_VERIFY_HEADER, values: [args.originVerifyHeader] } }]
            : [];
        if (args.originVerifyHeader) {
            this.weightListeners.push(new aws.lb.ListenerRule(`${name}-health-rule`, {
                listenerArn: https.arn,
                priority: 1,
                conditions: [{ pathPattern: { values: [defaults[0].healthCheckPath] } }],
                actions: [defaultForward],
                tags: serviceTags("traffic"),
            }, { parent: this }));
            this.weightListeners.push(new aws.lb.ListenerRule(`${name}-origin-rule`, {
                listenerArn: https.arn,
                priority: 1000,
                conditions: originHeader,
                actions: [defaultForward],
                tags: serviceTags("traffic"),
            }, { parent: this }));
        } else {
            this.weightListeners.push(https);
        }

        const test = new aws.lb.Listener(...transform(t?.listener, `${name}-test`, {
            loadBalancerArn: alb.arn,
            port: args.testListenerPort,
            protocol: "HTTPS",
            sslPolicy: args.sslPolicy,
            certificateArn: certificate.certificateArn,
            defaultActions: [candidateForward(this.targetGroupArns[defaults[0].name], args.colours, args.live)],
            tags: serviceTags("traffic"),
        }, { parent: this }));
        this.testListeners.push(test);

        args.services.filter((s) => !s.isDefaultRoute).forEach((svc, i) => {
            const conditions = [{ pathPattern: { values: svc.pathPatterns } }];
            this.weightListeners.push(new aws.lb.ListenerRule(`${name}-${svc.name}-rule`, {
                listenerArn: https.arn,
                priority: 100 + i,
                conditions: [...conditions, ...originHeader],
                actions: [weightedForward(this.targetGroupArns[svc.name], args.colours, args.live, args.weight)],
                tags: serviceTags(svc.name),
            }, { parent: this }));
            this.testListeners.push(new aws.lb.ListenerRule(`${name}-${svc.name}-test-rule`, {
                listenerArn: test.arn,
                priority: 100 + i,
                conditions,
                actions: [candidateForward(this.targetGroupArns[svc.name], args.colours, args.live)],
                tags: serviceTags(svc.name),
            }, { parent: this }));
        });

        if (args.createAlias) {
            new aws.route53.Record(`${name}-alias`, {
                zoneId: zone.zoneId,
                name: args.hostName,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            }, { parent: this });
        }
        if (args.loadBalancerName !== args.hostName) {
            new aws.route53.Record(`${name}-alb-alias`, {
                zoneId: zone.zoneId,
                name: args.loadBalancerName,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            }, { parent: this });
        }

        this.loadBalancerArn = alb.arn;
        this.loadBalancerArnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.zoneId = alb.zoneId;
        this.certificateArn = certificate.certificateArn;
        this.httpsListenerArn = https.arn;
        this.testListenerUrl = `https://${args.loadBalancerName}:${args.testListenerPort}`;
        this.registerOutputs({ dnsName: this.dnsName, loadBalancerArnSuffix: this.loadBalancerArnSuffix });
    }
}
