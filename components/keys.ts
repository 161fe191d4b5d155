import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { breakGlassTrailArn } from "./break-glass-alert";
import { serviceTags, stackAlarmsArnPattern } from "../config/naming";
import type { Statement } from "./secure-bucket";

/** The data domains that each get their own customer-managed key. */
export const KEY_DOMAINS = ["database", "cache", "storage", "secrets", "logs"] as const;
export type KeyDomain = (typeof KEY_DOMAINS)[number];

export interface KmsKeysArgs {
    /** Short environment id used in aliases: alias/tms-<env>-<domain>. */
    environment: string;
    /** This stack's region (the key policies' `kms:ViaService` conditions). */
    region: string;
    /** The account whose root the key policies name. */
    accountId: pulumi.Input<string>;
    /** Keep keys on `pulumi destroy` mistakes (staging, prod, dr). */
    protect: boolean;
}

/** Where a key policy is used: the key's region, the account, and the stack's trail and alarms. */
export interface KeyPolicyScope {
    /** The key's region (CloudWatch Logs' principal is regional). */
    region: string;
    accountId: string;
    /** ARN of the one trail that may encrypt with the logs key (the stack's break-glass trail, in the stack's home region). */
    trailArn: string;
    /**
     * ARNs of the stack's alarms (`arn:aws:cloudwatch:<region>:<account>:alarm:tms-<env>-*`): the only alarms that may publish through the
     * key.
     */
    alarmArns: string;
}

/**
 * Statements that let the AWS service principal of a domain use its key. The logs key also encrypts the
 * alert topics: CloudWatch alarms and EventBridge rules publish to an encrypted topic only if the key
 * policy lets their service principals create data keys. Each statement tests exactly the
 * confused-deputy keys AWS sends for its integration (config/service-integrations.ts, policy
 * `kms-key-policy-confused-deputy`): none for EventBridge, which sends none.
 */
function serviceStatements(domain: KeyDomain, { region, accountId, trailArn, alarmArns }: KeyPolicyScope): Statement[] {
    if (domain !== "logs") return [];
    return [{
        Sid: "CloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` } },
    }, {
        // The break-glass trail encrypts its log files with this key, and CloudTrail describes the key when
        // the trail is created or updated. AWS's key policy for CloudTrail limits both to the trail by
        // aws:SourceArn (its value is the ARN of the trail using the key), and encryption to this account's
        // trails by the encryption context:
        // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html
        Sid: "CloudTrailEncryptsLogFiles",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: {
            StringEquals: { "aws:SourceArn": trailArn },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${accountId}:trail/*` },
        },
    }, {
        Sid: "CloudTrailDescribesKey",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:DescribeKey",
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
    }, {
        // A CloudWatch alarm publishing to an encrypted topic sends the alarm's account and ARN
        // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services):
        // only this stack's alarms may use the key.
        Sid: "AlarmsPublishToAlertTopics",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": alarmArns } },
    }, {
        // EventBridge (the critical image-finding rule) sends neither aws:SourceAccount nor aws:SourceArn
        // here: "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a AWS KMS policy is not
        // supported for EventBridge-to-encrypted topics" (same page). A condition would refuse every
        // delivery, so this statement has none, and grants only the two actions SNS needs.
        Sid: "EventRulesPublishToAlertTopics",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
    }];
}

/**
 * The key policy of one domain: the account administers it (so IAM policies can grant use), the
 * domain's AWS service can use it where that service needs a key-policy grant, and the roles that
 * use it are named explicitly.
 */
export function keyPolicyDocument(domain: KeyDomain, scope: KeyPolicyScope, userRoleArns: string[]): string {
    const statements: Statement[] = [
        {
            Sid: "AccountAdministers",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${scope.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        ...serviceStatements(domain, scope),
    ];
    if (userRoleArns.length) {
        statements.push({
            Sid: "NamedRolesUseKey",
            Effect: "Allow",
            Principal: { AWS: [...userRoleArns].sort() },
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt", "kms:ReEncrypt*"],
            Resource: "*",
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * Customer-managed KMS keys, one per data domain, with rotation and aliases. Each key is created with
 * the policy of {@link keyPolicyDocument} naming no role, and ignores later changes to it: the roles that
 * use a key are created after it (by the components that encrypt with it), so a `KmsKeyPolicies` built
 * once they exist writes every home key's policy (components/key-policies.ts).
 */
export class KmsKeys extends pulumi.ComponentResource {
    readonly keys: Record<KeyDomain, aws.kms.Key>;
    /** The component's name: the keys are `<name>-<domain>`, their policies `<name>-<domain>-policy`. */
    readonly name: string;
    private readonly args: KmsKeysArgs;

    constructor(name: string, args: KmsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:security:KmsKeys", name, {}, opts);
        this.args = args;
        this.name = name;
        const keys = {} as Record<KeyDomain, aws.kms.Key>;
        for (const domain of KEY_DOMAINS) {
            keys[domain] = this.key(`${name}-${domain}`, domain, args.region, `tms ${args.environment} ${domain} key`);
        }
        this.keys = keys;
        this.registerOutputs({});
    }

    /** The policy of home key `domain` naming `roleArns` (what `KmsKeyPolicies` writes). */
    policy(domain: KeyDomain, roleArns: pulumi.Input<string>[]): pulumi.Output<string> {
        return pulumi.all([this.args.accountId, ...roleArns]).apply(([acct, ...arns]) =>
            keyPolicyDocument(domain, this.scope(this.args.region, acct), arns as string[]));
    }

    /**
     * A key for `domain` in another region, created through that region's explicit provider (prod's
     * S3 replica bucket in us-west-2 needs a key in us-west-2: S3 cannot encrypt with a key from
     * another region). Same rotation, deletion window, protection and policy shape as the home keys.
     * It names no role, so its KeyPolicy is written with it: nothing is left for a later call.
     */
    regionalKey(domain: KeyDomain, region: string, provider: pulumi.ProviderResource): aws.kms.Key {
        const resourceName = `${this.name}-${domain}-${region}`;
        const key = this.key(resourceName, domain, region, `tms ${this.args.environment} ${domain} key (${region})`, provider);
        // Owned by a KeyPolicy for the same reason as the home keys' (a changed service statement reaches
        // the deployed key); the key itself ignores its creation policy.
        new aws.kms.KeyPolicy(`${resourceName}-policy`, {
            keyId: key.keyId,
            policy: pulumi.output(this.args.accountId).apply((acct) => keyPolicyDocument(domain, this.scope(region, acct), [])),
        }, { parent: this, provider });
        return key;
    }

    /** One rotated, protected key and its alias `alias/tms-<env>-<domain>` (aliases are regional). */
    private key(
        resourceName: string,
        domain: KeyDomain,
        region: string,
        description: string,
        provider?: pulumi.ProviderResource
    ): aws.kms.Key {
        const key = new aws.kms.Key(resourceName, {
            description,
            enableKeyRotation: true,
            rotationPeriodInDays: 365,
            deletionWindowInDays: 30,
            policy: pulumi.output(this.args.accountId).apply((acct) => keyPolicyDocument(domain, this.scope(region, acct), [])),
            tags: serviceTags(domain),
        }, { parent: this, provider, protect: this.args.protect, ignoreChanges: ["policy"] });
        new aws.kms.Alias(`${resourceName}-alias`, {
            name: `alias/tms-${this.args.environment}-${domain}`,
            targetKeyId: key.keyId,
        }, { parent: this, provider });
        return key;
    }

    /** A key's policy scope: the trail is the stack's, in the stack's home region, whatever the key's region. */
    private scope(region: string, accountId: string): KeyPolicyScope {
        return {
            region, accountId,
            trailArn: breakGlassTrailArn(this.args.environment, this.args.region, accountId),
            alarmArns: stackAlarmsArnPattern(this.args.environment, this.args.region, accountId),
        };
    }

    arn(domain: KeyDomain): pulumi.Output<string> {
        return this.keys[domain].arn;
    }
}
