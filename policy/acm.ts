/** ACM certificate policies. */
import { read, resourcePolicy, UNKNOWN } from "./common";

export const ACM_CERTIFICATE = "aws:acm/certificate:Certificate";

/** RSA keys shorter than 2,048 bits (ACM.2). Other algorithms (RSA_2048+, EC_*) pass. */
const WEAK_KEYS = new Set(["RSA_1024"]);

/**
 * ACM renews a DNS-validated certificate by itself while its CNAME stays in place
 * (https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html); an e-mail-validated one waits
 * for someone to click. ACM.1 checks the expiry at runtime; the pack requires the setting that makes
 * renewal automatic, and ACM.2's key length.
 */
export const acmCertificateManagedRenewal = resourcePolicy({
    name: "acm-certificate-managed-renewal",
    description: "ACM certificates are DNS-validated (renewed by ACM) with keys of at least 2,048 bits.",
    metadata: {
        control: "FSBP ACM.1, ACM.2",
        severity: "medium",
        area: "alb",
        remediation: 'Set `validationMethod: "DNS"` with its validation record, and leave `keyAlgorithm` at RSA_2048 or stronger.',
    },
    types: [ACM_CERTIFICATE],
    validate: (props, _args, report) => {
        const method = read(props, "validationMethod");
        if (method !== UNKNOWN && read(props, "certificateBody") === undefined && method !== "DNS") {
            report(
                `validationMethod is ${method === undefined ? "unset" : `"${method}"`}: use "DNS" so ACM renews the certificate by itself.`,
            );
        }
        const key = read(props, "keyAlgorithm");
        if (typeof key === "string" && WEAK_KEYS.has(key))
            report(`keyAlgorithm "${key}" is shorter than 2,048 bits: use RSA_2048 or an EC key.`);
    },
});

export const acmPolicies = [acmCertificateManagedRenewal];
