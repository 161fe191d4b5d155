/**
 * Application Load Balancer and listener policies (both `aws:lb/…` and `aws:alb/…` tokens).
 * "Every ALB has an HTTPS listener" joins resources and lives in `stack.ts`.
 */
import { exceptionOf, isSet, list, read, resourcePolicy, TYPES, UNKNOWN } from "./common";
import type { PolicyConfig } from "./common";

/** TLS 1.2+ policies with forward secrecy that the listener may use. */
export const ALLOWED_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
];

function isApplication(props: Record<string, any>): boolean {
    const t = read(props, "loadBalancerType");
    return t === undefined || t === "application";
}

export const albHttpRedirectsToHttps = resourcePolicy({
    name: "alb-http-redirects-to-https",
    description: "HTTP listeners only redirect to HTTPS; they never forward or answer requests.",
    metadata: {
        control: "FSBP ELB.1",
        severity: "high",
        area: "alb",
        remediation:
            'Give the HTTP listener a single default action `{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", ' +
            'statusCode: "HTTP_301" } }`; serve test traffic on an HTTPS listener.',
    },
    types: TYPES.listener,
    validate: (props, _args, report) => {
        if (read(props, "protocol") !== "HTTP") return;
        const actions = list(read(props, "defaultActions"));
        const ok =
            actions.length > 0 && actions.every((a) => read(a, "type") === "redirect" && read(read(a, "redirect"), "protocol") === "HTTPS");
        if (!ok)
            report(
                `HTTP listener on port ${read(props, "port")} does not redirect to HTTPS: make its only default action a redirect with ` +
                `protocol "HTTPS".`,
            );
    },
});

export const albHttpsTlsPolicy = resourcePolicy({
    name: "alb-https-tls-policy",
    description: `HTTPS listeners use a certificate and one of the allowed TLS 1.2+ security policies (${ALLOWED_TLS_POLICIES[0]}, …).`,
    metadata: {
        control: "FSBP ELB.17", severity: "high", area: "alb",
        remediation: `Set \`sslPolicy: "${ALLOWED_TLS_POLICIES[0]}"\` and \`certificateArn\` on the HTTPS listener.`,
    },
    types: TYPES.listener,
    validate: (props, _args, report) => {
        if (read(props, "protocol") !== "HTTPS") return;
        const policy = read(props, "sslPolicy");
        if (policy !== UNKNOWN && !ALLOWED_TLS_POLICIES.includes(policy)) {
            report(
                `sslPolicy ${policy === undefined ? "is unset (AWS default)" : `"${policy}" is not allowed`}: use ` +
                `"${ALLOWED_TLS_POLICIES[0]}" or another TLS 1.2+ forward-secrecy policy.`,
            );
        }
        if (!isSet(props, "certificateArn")) report("HTTPS listener has no `certificateArn`: attach the ACM certificate.");
    },
});

export const albDropInvalidHeaders = resourcePolicy({
    name: "alb-drop-invalid-headers",
    description: "Application load balancers drop invalid HTTP header fields.",
    metadata: {
        control: "FSBP ELB.4",
        severity: "medium",
        area: "alb",
        remediation: "Set `dropInvalidHeaderFields: true` on the load balancer.",
    },
    types: TYPES.loadBalancer,
    validate: (props, _args, report) => {
        if (isApplication(props) && read(props, "dropInvalidHeaderFields") !== true) {
            report("Invalid header fields are forwarded: set `dropInvalidHeaderFields: true`.");
        }
    },
});

export const albAccessLogs = resourcePolicy({
    name: "alb-access-logs",
    description: "Load balancers write access logs to S3.",
    metadata: {
        control: "FSBP ELB.5",
        severity: "medium",
        area: "alb",
        remediation: "Set `accessLogs: { bucket: <log bucket>, enabled: true }`.",
    },
    types: TYPES.loadBalancer,
    validate: (props, _args, report) => {
        const logs = read(props, "accessLogs");
        if (read(logs, "enabled") !== true || !isSet(logs, "bucket")) {
            report("Access logging is off: set `accessLogs: { bucket, enabled: true }`.");
        }
    },
});

export const albDeletionProtection = resourcePolicy({
    name: "alb-deletion-protection",
    description:
        "Load balancers have deletion protection enabled, unless the stack's policy config makes a reasoned exception (`required: " +
        "false` with `exceptionReason`).",
    metadata: {
        control: "FSBP ELB.6",
        severity: "medium",
        area: "alb",
        exceptions: true,
        remediation:
            "Set `enableDeletionProtection: true` (tms:traffic.deletionProtection), or give the stack an explicit exception in " +
            "policy/config/<stack>.json.",
    },
    types: TYPES.loadBalancer,
    validate: (props, args, report) => {
        if (!exceptionOf(args.getConfig<PolicyConfig>(), undefined, report).required) return;
        if (read(props, "enableDeletionProtection") !== true) {
            report(
                "Deletion protection is off: set `enableDeletionProtection: true`, or make a reasoned exception in the stack's policy " +
                "config.",
            );
        }
    },
});

/** Subnets of a load balancer: `subnets`, or the subnets of `subnetMappings`. */
function subnetsOf(props: Record<string, any>): any[] | typeof UNKNOWN {
    const subnets = read(props, "subnets");
    if (subnets === UNKNOWN) return UNKNOWN;
    if (subnets !== undefined) return list(subnets);
    const mappings = read(props, "subnetMappings");
    if (mappings === UNKNOWN) return UNKNOWN;
    return list(mappings).map(m => read(m, "subnetId"));
}

export const albMultipleAzs = resourcePolicy({
    name: "alb-multiple-azs",
    description: "Load balancers span at least two subnets (one per Availability Zone).",
    metadata: {
        control: "FSBP ELB.13", severity: "medium", area: "alb",
        remediation: "Give the load balancer the public subnets of at least two Availability Zones (`subnets`).",
    },
    types: TYPES.loadBalancer,
    validate: (props, _args, report) => {
        const subnets = subnetsOf(props);
        if (subnets === UNKNOWN || subnets.includes(UNKNOWN)) return;
        if (new Set(subnets).size < 2)
            report(`The load balancer has ${new Set(subnets).size} subnet(s): give it subnets in at least two Availability Zones.`);
    },
});

export const albDesyncMitigation = resourcePolicy({
    name: "alb-desync-mitigation",
    description: "Application load balancers use defensive or strictest HTTP desync mitigation.",
    metadata: {
        control: "FSBP ELB.12",
        severity: "medium",
        area: "alb",
        remediation: 'Leave `desyncMitigationMode` unset (defensive) or set "defensive"/"strictest".',
    },
    types: TYPES.loadBalancer,
    validate: (props, _args, report) => {
        const mode = read(props, "desyncMitigationMode");
        if (isApplication(props) && mode === "monitor") {
            report("desyncMitigationMode is \"monitor\": set it to \"defensive\" or \"strictest\".");
        }
    },
});

export const albPolicies = [
    albHttpRedirectsToHttps,
    albHttpsTlsPolicy,
    albDropInvalidHeaders,
    albAccessLogs,
    albDeletionProtection,
    albMultipleAzs,
    albDesyncMitigation,
];
