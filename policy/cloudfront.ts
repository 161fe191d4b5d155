/** CloudFront distribution policies. */
import { isSet, list, read, resourcePolicy, str, UNKNOWN } from "./common";

export const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const HTTPS_VIEWER = new Set(["redirect-to-https", "https-only"]);
export const ALLOWED_VIEWER_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
const WEAK_ORIGIN_PROTOCOLS = new Set(["SSLv3", "TLSv1", "TLSv1.1"]);

function behaviours(props: Record<string, any>): { where: string; b: any }[] {
    const out: { where: string; b: any }[] = [];
    const d = read(props, "defaultCacheBehavior");
    if (d) out.push({ where: "defaultCacheBehavior", b: d });
    list(read(props, "orderedCacheBehaviors")).forEach((b, i) => {
        out.push({ where: `orderedCacheBehaviors[${i}] (${read(b, "pathPattern")})`, b });
    });
    return out;
}

function origins(props: Record<string, any>) {
    return list(read(props, "origins")).map(o => ({ id: str(read(o, "originId")) ?? "?", o }));
}

export const cloudfrontViewerHttps = resourcePolicy({
    name: "cloudfront-viewer-https",
    description: "Every cache behaviour redirects viewers to HTTPS or accepts HTTPS only.",
    metadata: {
        control: "FSBP CloudFront.3",
        severity: "high",
        area: "cloudfront",
        remediation: 'Set `viewerProtocolPolicy: "redirect-to-https"` on the default and every ordered cache behaviour.',
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        for (const { where, b } of behaviours(props)) {
            const p = read(b, "viewerProtocolPolicy");
            if (p !== UNKNOWN && !HTTPS_VIEWER.has(p))
                report(`${where} allows viewerProtocolPolicy "${p}": set it to "redirect-to-https".`);
        }
    },
});

export const cloudfrontMinimumTls = resourcePolicy({
    name: "cloudfront-minimum-tls",
    description: `Distributions use a custom certificate, served with SNI, with viewer TLS ${ALLOWED_VIEWER_TLS[0]} or newer.`,
    metadata: {
        control: "FSBP CloudFront.7, CloudFront.8, CloudFront.15", severity: "medium", area: "cloudfront",
        remediation: `Set \`viewerCertificate: { acmCertificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: ` +
            `"${ALLOWED_VIEWER_TLS[0]}" }\`.`,
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        const vc = read(props, "viewerCertificate");
        if (read(vc, "cloudfrontDefaultCertificate") === true || !isSet(vc, "acmCertificateArn")) {
            report(
                "The distribution uses the default CloudFront certificate (TLSv1 allowed): attach an ACM certificate in " +
                "`viewerCertificate.acmCertificateArn`.",
            );
            return;
        }
        const v = read(vc, "minimumProtocolVersion");
        if (v !== UNKNOWN && !ALLOWED_VIEWER_TLS.includes(v)) {
            report(
                `viewerCertificate.minimumProtocolVersion is ${v === undefined ? "unset" : `"${v}"`}: set it to ` +
                `"${ALLOWED_VIEWER_TLS[0]}".`,
            );
        }
        // CloudFront.8: a dedicated IP per edge location (`vip`) instead of SNI.
        const method = read(vc, "sslSupportMethod");
        if (method !== UNKNOWN && method !== "sni-only") {
            report(`viewerCertificate.sslSupportMethod is ${method === undefined ? "unset" : `"${method}"`}: set it to "sni-only".`);
        }
    },
});

export const cloudfrontOriginHttpsOnly = resourcePolicy({
    name: "cloudfront-origin-https-only",
    description: "Custom origins are reached over HTTPS only, with TLS 1.2.",
    metadata: {
        control: "FSBP CloudFront.9, CloudFront.10",
        severity: "high",
        area: "cloudfront",
        remediation: 'Set `customOriginConfig.originProtocolPolicy: "https-only"` and `originSslProtocols: ["TLSv1.2"]`.',
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        for (const { id, o } of origins(props)) {
            const c = read(o, "customOriginConfig");
            if (!c) continue;
            const p = read(c, "originProtocolPolicy");
            if (p !== UNKNOWN && p !== "https-only") report(`Origin "${id}" uses originProtocolPolicy "${p}": set it to "https-only".`);
            const weak = list(read(c, "originSslProtocols")).filter(x => WEAK_ORIGIN_PROTOCOLS.has(x));
            if (weak.length) report(`Origin "${id}" allows ${weak.join(", ")}: set originSslProtocols to ["TLSv1.2"].`);
        }
    },
});

export const cloudfrontOriginAccessControl = resourcePolicy({
    name: "cloudfront-origin-access-control",
    description: "S3 origins are reached through an origin access control (the bucket is never public).",
    metadata: {
        control: "FSBP CloudFront.13",
        severity: "high",
        area: "cloudfront",
        remediation: "Create an `aws.cloudfront.OriginAccessControl` and set `originAccessControlId` on the S3 origin.",
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        for (const { id, o } of origins(props)) {
            if (read(o, "customOriginConfig")) continue; // not an S3 origin
            if (!isSet(o, "originAccessControlId"))
                report(`S3 origin "${id}" has no origin access control: set \`originAccessControlId\`.`);
        }
    },
});

export const cloudfrontLogging = resourcePolicy({
    name: "cloudfront-logging",
    description: "Distributions write standard logs to S3.",
    metadata: {
        control: "FSBP CloudFront.5",
        severity: "medium",
        area: "cloudfront",
        remediation: "Set `loggingConfig: { bucket: <log bucket domain name> }`.",
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        if (!isSet(read(props, "loggingConfig"), "bucket"))
            report("Access logging is off: set `loggingConfig.bucket` to the log bucket's domain name.");
    },
});

export const cloudfrontWaf = resourcePolicy({
    name: "cloudfront-waf",
    description: "Distributions are associated with a WAFv2 web ACL.",
    metadata: {
        control: "FSBP CloudFront.6",
        severity: "medium",
        area: "cloudfront",
        remediation: "Create a CLOUDFRONT-scope `aws.wafv2.WebAcl` (us-east-1) and set its ARN as `webAclId`.",
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        if (!isSet(props, "webAclId")) report("No web ACL is attached: set `webAclId` to a CLOUDFRONT-scope WAFv2 web ACL ARN.");
    },
});

/**
 * CloudFront.1 guards against listing an S3 origin's content at the root URL
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-1). It
 * applies when the default cache behaviour serves an S3 origin; a custom origin (our ALB) answers `/`
 * itself.
 */
export const cloudfrontDefaultRootObject = resourcePolicy({
    name: "cloudfront-default-root-object",
    description: "A distribution whose default cache behaviour serves an S3 origin has a default root object.",
    metadata: {
        control: "FSBP CloudFront.1",
        severity: "medium",
        area: "cloudfront",
        remediation: 'Set `defaultRootObject: "index.html"` (or route `/` to a custom origin).',
    },
    types: [DISTRIBUTION],
    validate: (props, _args, report) => {
        const target = read(read(props, "defaultCacheBehavior"), "targetOriginId");
        const origin = origins(props).find(o => o.id === target);
        if (!origin || read(origin.o, "customOriginConfig")) return;
        if (!isSet(props, "defaultRootObject"))
            report(
                `The default cache behaviour serves S3 origin "${origin.id}" without a \`defaultRootObject\`: set one so the root URL ` +
                `never lists the bucket.`,
            );
    },
});

export const cloudfrontPolicies = [
    cloudfrontDefaultRootObject,
    cloudfrontViewerHttps, cloudfrontMinimumTls, cloudfrontOriginHttpsOnly, cloudfrontOriginAccessControl, cloudfrontLogging, cloudfrontWaf,
];
