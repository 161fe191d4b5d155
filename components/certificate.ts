import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";

export interface ValidatedCertificateArgs {
    /** The certificate's main name. */
    domainName: string;
    /**
     * More names the certificate covers (plain: one validation record each).
     * @default []
     */
    alternativeNames?: string[];
    /** Hosted zone receiving the DNS validation records. */
    hostedZoneId: pulumi.Input<string>;
    /**
     * Names whose validation record another certificate of the account already owns: ACM asks for the
     * same CNAME for a name in every certificate of one account, so a second record would be a second
     * owner of one DNS record, and destroying either would delete the record the other's renewal needs.
     * No record is created for them; the validation waits for ACM to see the existing one.
     * @default []
     */
    validatedElsewhere?: string[];
    /** Tag `Service`. */
    service: string;
    /**
     * Provider of the certificate's region when it is not the stack's (CloudFront needs us-east-1).
     * The validation records are global and use the stack's provider.
     * @default the parent's provider (the stack's region)
     */
    certificateProvider?: pulumi.ProviderResource;
}

/** An ACM certificate validated through DNS records in the stack's hosted zone. */
export class ValidatedCertificate extends pulumi.ComponentResource {
    /** ARN of the certificate once validated: listeners and distributions wait for it. */
    readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: ValidatedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:traffic:ValidatedCertificate", name, {}, opts);
        const inRegion = args.certificateProvider ? { provider: args.certificateProvider } : {};
        const names = [args.domainName, ...(args.alternativeNames ?? [])];
        const certificate = new aws.acm.Certificate(name, {
            domainName: args.domainName,
            subjectAlternativeNames: args.alternativeNames ?? [],
            validationMethod: "DNS",
            tags: serviceTags(args.service),
        }, { parent: this, ...inRegion });
        const elsewhere = new Set(args.validatedElsewhere ?? []);
        for (const n of elsewhere) if (!names.includes(n)) throw new Error(
            `ValidatedCertificate ${name}: validatedElsewhere names ${n}, which the certificate does not cover (${names.join(", ")})`
        );
        // One record per name this certificate owns; ACM returns the options in the order of the names.
        // No allowOverwrite: a record another resource already owns fails the create instead of being
        // shared silently (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
        const records = names.flatMap((n, i) => {
            if (elsewhere.has(n)) return [];
            const option = certificate.domainValidationOptions.apply((o) => o[i]);
            return [new aws.route53.Record(`${name}-validation-${i}`, {
                zoneId: args.hostedZoneId,
                name: option.apply((o) => o.resourceRecordName!),
                type: option.apply((o) => o.resourceRecordType!),
                records: [option.apply((o) => o.resourceRecordValue!)],
                ttl: 300,
            }, { parent: this })];
        });
        const validation = new aws.acm.CertificateValidation(`${name}-validated`, {
            certificateArn: certificate.arn,
            // Only the records created here: the provider checks each one is a validation record of the certificate.
            validationRecordFqdns: records.length ? records.map((r) => r.fqdn) : undefined,
        }, { parent: this, ...inRegion });
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}
