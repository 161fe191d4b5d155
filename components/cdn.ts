import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ValidatedCertificate } from "./certificate";
import { serviceTags } from "../config/naming";
import { SecureBucket } from "./secure-bucket";
import { regionalProvider } from "./aws-provider";

/** Header CloudFront adds to every origin request; the ALBs answer 403 without it. */
export const ORIGIN_VERIFY_HEADER = "X-Origin-Verify";
/** AWS managed cache and origin-request policies (ids are fixed by AWS). */
export const MANAGED = {
    cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
};
/** AWS managed WAF rule groups in front of the application. */
export const MANAGED_RULE_GROUPS = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
];

export interface ContentDeliveryArgs {
    /** Short environment id: the distribution's, WAF's and static bucket's names. */
    environment: string;
    /** The stack's region (the CDN's own resources live in us-east-1, through a provider there). */
    region: string;
    /** Viewer host name (the distribution's alias; its DNS record points here). Plain: its certificate checks its names. */
    hostName: string;
    /** The hosted zone of the host name's alias and validation records. */
    hostedZoneId: pulumi.Input<string>;
    /**
     * The host name's validation record is owned by another certificate of the stack (the ALB's, which
     * covers the same name): the CDN's certificate creates none of its own.
     * @default false
     */
    hostNameValidatedElsewhere?: boolean;
    /** The failover name (PRIMARY prod / SECONDARY dr) the distribution uses as its ALB origin. */
    originName: pulumi.Input<string>;
    /** WAF rate-based rule: requests per 5 minutes per client IP before blocking (plain: checked against WAF's minimum). */
    rateLimitPer5Minutes: number;
    /** CloudFront price class, e.g. `PriceClass_100`. */
    priceClass: pulumi.Input<string>;
    /** Bucket receiving the static bucket's server access logs. */
    accessLogBucket: pulumi.Input<string>;
    /** The logs key (of us-east-1, where the CDN's stack runs) and the retention of the WAF log group. */
    logsKeyArn: pulumi.Input<string>;
    /** Retention of the WAF log group, in days. */
    logRetentionDays: pulumi.Input<number>;
    /** `protect`/`retainOnDelete` the static and log buckets (plain: resource options). */
    protect: boolean;
}

/**
 * WAF logging to CloudWatch Logs needs a log group whose name starts with `aws-waf-logs-`, in us-east-1
 * for a CLOUDFRONT web ACL (https://docs.aws.amazon.com/waf/latest/developerguide/logging-cw-logs.html).
 */
export const wafLogGroupName = (environment: string) => `aws-waf-logs-tms-${environment}`;

/**
 * Managed rules counted instead of blocking, per group, with the reason. The Core rule set's
 * SizeRestrictions_BODY blocks every request body over 8 KB
 * (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html); only prod
 * has a WAF, so prod alone would refuse task payloads dev and staging accept. The API bounds its own
 * request size; the rule still counts (logged, with its metric) what it would have blocked.
 */
export const COUNTED_MANAGED_RULES: Readonly<Record<string, { rule: string; why: string }[]>> = {
    AWSManagedRulesCommonRuleSet: [
        {
            rule: "SizeRestrictions_BODY",
            why: "API bodies over 8 KB are valid; blocking them in prod only would make prod refuse what staging accepts",
        }
    ],
};

/** The WAF rules: AWS managed groups, then the rate limit. */
export function wafRules(rateLimit: number, metricPrefix: string): aws.types.input.wafv2.WebAclRule[] {
    const visibility = (metric: string) => (
        { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${metricPrefix}-${metric}` }
    );
    return [
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
            name: group,
            priority: i + 1,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    ...(
                        COUNTED_MANAGED_RULES[group] ? {
                            ruleActionOverrides: COUNTED_MANAGED_RULES[group].map((c) => ({ name: c.rule, actionToUse: { count: {} } }))
                        } : {}
                    ),
                },
            },
            visibilityConfig: visibility(group),
        })),
        {
            name: "rate-limit-per-ip",
            priority: MANAGED_RULE_GROUPS.length + 1,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP" } },
            visibilityConfig: visibility("rate-limit"),
        },
    ];
}

/**
 * CloudFront in front of the ALB (through the failover name, HTTPS only, a secret origin header) and
 * of the static-asset bucket (origin access control), with a us-east-1 certificate, TLS 1.2+ for
 * viewers, logging and a WAF web ACL. Prod only.
 */
export class ContentDelivery extends pulumi.ComponentResource {
    readonly distributionId: pulumi.Output<string>;
    readonly distributionArn: pulumi.Output<string>;
    readonly domainName: pulumi.Output<string>;
    /** The header value the ALBs require; a Pulumi secret. */
    readonly originVerifyHeader: pulumi.Output<string>;
    readonly staticBucketName: pulumi.Output<string>;
    /** The static-asset bucket's ARN: it logs into `accessLogBucket`, whose policy must grant it. */
    readonly staticBucketArn: pulumi.Output<string>;

    constructor(name: string, args: ContentDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:edge:ContentDelivery", name, {}, opts);
        if (args.rateLimitPer5Minutes < 100) throw new Error(
            `ContentDelivery ${name}: rateLimitPer5Minutes ${args.rateLimitPer5Minutes} is below WAF's minimum of 100`
        );
        // CloudFront's certificate and web ACL must live in us-east-1, whatever the stack's region.
        const useEast1: { provider?: aws.Provider } = args.region === "us-east-1"
            ? {}
            : { provider: regionalProvider(`${name}-us-east-1`, "us-east-1", this) };

        const secret = new random.RandomPassword(`${name}-origin-secret`, { length: 48, special: false }, { parent: this });
        this.originVerifyHeader = pulumi.secret(secret.result);

        const certificate = new ValidatedCertificate(`${name}-certificate`, {
            domainName: args.hostName,
            hostedZoneId: args.hostedZoneId,
            validatedElsewhere: args.hostNameValidatedElsewhere ? [args.hostName] : [],
            service: "edge",
            certificateProvider: useEast1.provider,
        }, { parent: this });

        const waf = new aws.wafv2.WebAcl(`${name}-waf`, {
            scope: "CLOUDFRONT",
            description: `tms ${args.environment} edge protection`,
            defaultAction: { allow: {} },
            rules: wafRules(args.rateLimitPer5Minutes, `tms-${args.environment}`),
            visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `tms-${args.environment}-waf` },
            tags: serviceTags("edge"),
        }, { parent: this, ...useEast1 });

        // FSBP WAF.11 (web ACL logging): every request the ACL judges, with the matching rule, for
        // incident response; encrypted with the logs key, kept like the other logs.
        const wafLogs = new aws.cloudwatch.LogGroup(`${name}-waf-logs`, {
            name: wafLogGroupName(args.environment),
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
            tags: serviceTags("edge"),
        }, { parent: this, ...useEast1 });
        new aws.wafv2.WebAclLoggingConfiguration(`${name}-waf-logging`, {
            resourceArn: waf.arn,
            logDestinationConfigs: [wafLogs.arn],
        }, { parent: this, ...useEast1 });

        // Standard logging writes with ACLs, hence BucketOwnerPreferred on this bucket alone.
        const logs = new SecureBucket(`${name}-logs`, {
            role: "cdn-logs",
            service: "edge",
            lifecycle: [
                {
                    id: "expire-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: 365 },
                    noncurrentVersionExpiration: { noncurrentDays: 30 },
                }
            ],
            objectOwnership: "BucketOwnerPreferred",
            protect: args.protect,
        }, { parent: this });
        // Static assets are public content behind CloudFront; SSE-S3 avoids granting CloudFront a KMS key.
        const assets = new SecureBucket(`${name}-static`, {
            role: "static-assets",
            service: "edge",
            encryptionException: "public web assets served through CloudFront; SSE-S3 avoids a KMS grant to CloudFront",
            lifecycle: [{ id: "age-noncurrent", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } }],
            logTo: { bucket: args.accessLogBucket, prefix: "static/" },
            deferPolicy: true,
            protect: args.protect,
        }, { parent: this });
        const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
            name: `tms-${args.environment}-static`,
            description: "CloudFront reads the static-asset bucket; the bucket stays private",
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        }, { parent: this });

        const distribution = new aws.cloudfront.Distribution(`${name}-distribution`, {
            enabled: true,
            isIpv6Enabled: true,
            httpVersion: "http2and3",
            comment: `tms ${args.environment}`,
            aliases: [args.hostName],
            priceClass: args.priceClass,
            webAclId: waf.arn,
            origins: [
                {
                    originId: "alb",
                    domainName: args.originName,
                    customOriginConfig: {
                        httpPort: 80,
                        httpsPort: 443,
                        originProtocolPolicy: "https-only",
                        originSslProtocols: ["TLSv1.2"],
                        originReadTimeout: 30,
                        originKeepaliveTimeout: 5,
                    },
                    customHeaders: [{ name: ORIGIN_VERIFY_HEADER, value: this.originVerifyHeader }],
                },
                { originId: "static", domainName: assets.regionalDomainName, originAccessControlId: oac.id },
            ],
            defaultCacheBehavior: {
                targetOriginId: "alb",
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                cachedMethods: ["GET", "HEAD"],
                cachePolicyId: MANAGED.cachingDisabled,
                originRequestPolicyId: MANAGED.allViewerExceptHostHeader,
                compress: true,
            },
            orderedCacheBehaviors: [{
                pathPattern: "/static/*",
                targetOriginId: "static",
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD"],
                cachedMethods: ["GET", "HEAD"],
                cachePolicyId: MANAGED.cachingOptimized,
                compress: true,
            }],
            viewerCertificate: {
                acmCertificateArn: certificate.certificateArn,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            },
            loggingConfig: { bucket: logs.domainName, prefix: `cloudfront/${args.environment}/`, includeCookies: false },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            tags: serviceTags("edge"),
        }, { parent: this });

        assets.attachPolicy(pulumi.all([assets.arn, distribution.arn]).apply(([bucketArn, distributionArn]) => [{
            Sid: "CloudFrontReadsThroughOac",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${bucketArn}/*`,
            Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
        }]));

        new aws.route53.Record(`${name}-alias`, {
            zoneId: args.hostedZoneId,
            name: args.hostName,
            type: "A",
            aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
        }, { parent: this });

        this.distributionId = distribution.id;
        this.distributionArn = distribution.arn;
        this.domainName = distribution.domainName;
        this.staticBucketName = assets.bucketName;
        this.staticBucketArn = assets.arn;
        this.registerOutputs({ distributionId: this.distributionId, domainName: this.domainName });
    }
}
