import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTags } from "../config/naming";

export interface ValidatedCertificateArgs {
    domainName: string;
    alternativeNames?: string[];
    /** Hosted zone receiving the DNS validation records. */
    hostedZoneId: pulumi.Input<string>;
    /** Tag `Service`. */
    service: string;
    /**
     * Provider of the certificate's region when it is not the stack's (CloudFront needs us-east-1).
     * The validation records are global and use the stack's provider.
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
        // One record per name; ACM returns the options in the order of the names.
        const records = names.map((_, i) => {
            const option = certificate.domainValidationOptions.apply((o) => o[i]);
            return new aws.route53.Record(`${name}-validation-${i}`, {
                zoneId: args.hostedZoneId,
                name: option.apply((o) => o.resourceRecordName!),
                type: option.apply((o) => o.resourceRecordType!),
                records: [option.apply((o) => o.resourceRecordValue!)],
                ttl: 300,
                allowOverwrite: true,
            }, { parent: this });
        });
        const validation = new aws.acm.CertificateValidation(`${name}-validated`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: records.map((r) => r.fqdn),
        }, { parent: this, ...inRegion });
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}
