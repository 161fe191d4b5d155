/**
 * Application Load Balancer and listener policies (both `aws:lb/…` and `aws:alb/…` tokens).
 * "Every ALB has an HTTPS listener" joins resources and lives in `stack.ts`.
 */
import { isSet, list, read, resourceEnvironment, resourcePolicy, rulesFor, TYPES, UNKNOWN } from "./common";

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
        control: "FSBP ELB.1", severity: "high", area: "alb",
        remediation: "Give the HTTP listener a single default action `{ type: \"redirect\", redirect: { protocol: \"HTTPS\", port: \"443\", statusCode: \"HTTP_301\" } }`; serve test traffic on an HTTPS listener.",
    },
    types: TYPES.listener,
    validate: (props, _args, report) => {
        if (read(props, "protocol") !== "HTTP") return;
        const actions = list(read(props, "defaultActions"));
        const ok = actions.length > 0 && actions.every(a => read(a, "type") === "redirect" && read(read(a, "redirect"), "protocol") === "HTTPS");
        if (!ok) report(`HTTP listener on port ${read(props, "port")} does not redirect to HTTPS: make its only default action a redirect with protocol "HTTPS".`);
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
            report(`sslPolicy ${policy === undefined ? "is unset (AWS default)" : `"${policy}" is not allowed`}: use "${ALLOWED_TLS_POLICIES[0]}" or another TLS 1.2+ forward-secrecy policy.`);
        }
        if (!isSet(props, "certificateArn")) report("HTTPS listener has no `certificateArn`: attach the ACM certificate.");
    },
});

export const albDropInvalidHeaders = resourcePolicy({
    name: "alb-drop-invalid-headers",
    description: "Application load balancers drop invalid HTTP header fields.",
    metadata: { control: "FSBP ELB.4", severity: "medium", area: "alb", remediation: "Set `dropInvalidHeaderFields: true` on the load balancer." },
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
    metadata: { control: "FSBP ELB.5", severity: "medium", area: "alb", remediation: "Set `accessLogs: { bucket: <log bucket>, enabled: true }`." },
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
    description: "Load balancers in prod and dr have deletion protection enabled.",
    metadata: {
        control: "FSBP ELB.6", severity: "medium", area: "alb", environmentAware: true,
        remediation: "Set `enableDeletionProtection: true` on the load balancer in prod and dr.",
    },
    types: TYPES.loadBalancer,
    validate: (props, args, report) => {
        const env = resourceEnvironment(args);
        if (!rulesFor(env).deletionProtection) return;
        if (read(props, "enableDeletionProtection") !== true) {
            report(`Deletion protection is off in ${env ?? "an unrecognised (treated as prod) stack"}: set \`enableDeletionProtection: true\`.`);
        }
    },
});

export const albDesyncMitigation = resourcePolicy({
    name: "alb-desync-mitigation",
    description: "Application load balancers use defensive or strictest HTTP desync mitigation.",
    metadata: { control: "FSBP ELB.12", severity: "medium", area: "alb", remediation: "Leave `desyncMitigationMode` unset (defensive) or set \"defensive\"/\"strictest\"." },
    types: TYPES.loadBalancer,
    validate: (props, _args, report) => {
        const mode = read(props, "desyncMitigationMode");
        if (isApplication(props) && mode === "monitor") {
            report("desyncMitigationMode is \"monitor\": set it to \"defensive\" or \"strictest\".");
        }
    },
});

export const albPolicies = [
    albHttpRedirectsToHttps, albHttpsTlsPolicy, albDropInvalidHeaders, albAccessLogs, albDeletionProtection, albDesyncMitigation,
];
