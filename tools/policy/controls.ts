/**
 * The pack's specification: AWS Security Hub controls (AWS Foundational Security Best Practices and
 * the CIS AWS Foundations Benchmark, which Security Hub runs under the same control ids) for every
 * service whose resources this program creates, each mapped to the policy that enforces it or to the
 * written reason it does not apply or is left to someone else.
 *
 * Ids and titles are AWS's, from the Security Hub controls reference, one page per service:
 * `https://docs.aws.amazon.com/securityhub/latest/userguide/<page>-controls.html` (see
 * {@link controlsPage}). Retired controls are left out. Checked for completeness against
 * the standards' own lists as read on 2026-12-04: every control of an in-scope service in the AWS
 * Foundational Security Best Practices standard v1.0.0
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html) and in the AWS
 * Resource Tagging standard v1.0.0 (https://docs.aws.amazon.com/securityhub/latest/userguide/standards-tagging.html),
 * whose resources the program creates or not; the CIS ids come from the per-service pages. Controls that
 * belong only to other standards (NIST SP 800-53, PCI DSS) are listed where the per-service page was
 * read (ECR.5, DynamoDB.4, …), not searched for exhaustively. `docs/policies.md` is generated from this table
 * (`npm run docs:policies`), and `test/policy/controls.test.ts` fails when a control of an applicable
 * service is unmapped, names a policy that does not exist, or a policy names a control the table does
 * not map to it.
 *
 * Plain data only: no @pulumi/policy runtime.
 */

/** Services whose resources the program creates (or, for account-level controls, relies on). */
export const SERVICES = {
    ACM: "acm",
    CloudFront: "cloudfront",
    CloudTrail: "cloudtrail",
    CloudWatch: "cloudwatch",
    DocumentDB: "documentdb",
    DynamoDB: "dynamodb",
    EC2: "ec2",
    ECR: "ecr",
    ECS: "ecs",
    ELB: "elb",
    ElastiCache: "elasticache",
    EventBridge: "eventbridge",
    IAM: "iam",
    KMS: "kms",
    Route53: "route53",
    S3: "s3",
    SecretsManager: "secretsmanager",
    SNS: "sns",
    SSM: "ssm",
    WAF: "waf",
} as const;
export type Service = keyof typeof SERVICES;

/**
 * Which services' controls apply to each AWS provider module the program registers resources of, so
 * a test can check that a new kind of resource never arrives without its controls in the table.
 */
export const MODULE_SERVICES: Record<string, Service[]> = {
    acm: ["ACM"], cloudfront: ["CloudFront"], cloudtrail: ["CloudTrail"], cloudwatch: ["CloudWatch", "EventBridge"], docdb: ["DocumentDB"],
    dynamodb: ["DynamoDB"], ec2: ["EC2"], vpc: ["EC2"], ecr: ["ECR"], ecs: ["ECS"], lb: ["ELB"], alb: ["ELB"],
    elasticache: ["ElastiCache"], iam: ["IAM"], kms: ["KMS"], route53: ["Route53"], s3: ["S3"],
    secretsmanager: ["SecretsManager"], sns: ["SNS"], ssm: ["SSM"], wafv2: ["WAF"],
};

/** Modules whose service has no page in the Security Hub controls reference. */
export const MODULES_WITHOUT_CONTROLS: Record<string, string> = {
    appautoscaling: "Application Auto Scaling: no Security Hub controls page",
    servicediscovery: "AWS Cloud Map: no Security Hub controls page",
};

/** The Security Hub controls reference page of a service. */
export function controlsPage(service: Service): string {
    return `https://docs.aws.amazon.com/securityhub/latest/userguide/${SERVICES[service]}-controls.html`;
}

/** How the pack answers a control. */
export type Mapping =
    /** Enforced before deployment by these policies of the pack. */
    | { kind: "policy"; policies: string[]; note?: string }
    /** The control's resource is not created by this program, or the feature is not used. */
    | { kind: "not-applicable"; reason: string }
    /** Applies, but is checked elsewhere (account baseline, Security Hub at runtime), or accepted with a reason. */
    | { kind: "delegated"; reason: string };

export interface Control {
    /** Security Hub control id, e.g. `EC2.2`. */
    id: string;
    /** AWS's title of the control. */
    title: string;
    /** CIS AWS Foundations Benchmark requirements AWS lists for the control (where the page names them). */
    cis?: string[];
    mapping: Mapping;
}

const policy = (...policies: string[]): Mapping => ({ kind: "policy", policies });
const policyNote = (note: string, ...policies: string[]): Mapping => ({ kind: "policy", policies, note });
const na = (reason: string): Mapping => ({ kind: "not-applicable", reason });
const delegated = (reason: string): Mapping => ({ kind: "delegated", reason });

// Stryker disable all: the table below is data, checked whole by test/policy/controls.test.ts (every
// mapping, id, title and reason) and by the docs staleness test (every rendered string); mutating its
// ~1,500 literals one by one would only measure those two tests again, at a cost of an hour.
const NO_VPN = "no Site-to-Site VPN, VPN gateway, customer gateway or Client VPN: the stacks reach AWS over the internet and VPC endpoints";
const NO_EC2_INSTANCES = "no EC2 instances, launch templates or EBS volumes: the services run on Fargate";
const ACCOUNT_BASELINE =
    "account-level setting, not a resource of this program: part of each account's baseline, checked by Security Hub at runtime";
const NO_USERS = "the program creates roles only, no IAM users (people assume roles with MFA)";
const CLASSIC_ELB = "no Classic Load Balancer: the program uses an Application Load Balancer";
const CIS_METRIC_FILTER =
    "CIS log metric filter and alarm on the account's audit trail: account baseline, checked by Security Hub at runtime (the stack's " +
    "own trail feeds only the break-glass alarm)";
const S3_DATA_EVENTS =
    "S3 data events are not recorded: the stack's trail logs management events for the break-glass alarm; object-level logging is the " +
    "account baseline's decision (it is billed per event), checked by Security Hub at runtime";
const TAGS = "required-tags";
const NO_OWN_ENIS =
    "the program creates no network interface itself: the ones of the tasks, the load balancer, the VPC endpoints and the NAT gateways " +
    "are made and managed by those AWS services; Security Hub checks them at runtime";
const WAF_CLASSIC = "WAF Classic is not used: the web ACL is AWS WAF (wafv2), whose controls are WAF.10 to WAF.12";

export const CONTROLS: Record<Service, Control[]> = {
    ACM: [
        {
            id: "ACM.1",
            title: "Imported and ACM-issued certificates should be renewed after a specified time period",
            mapping: policyNote("DNS validation lets ACM renew on its own", "acm-certificate-managed-renewal"),
        },
        {
            id: "ACM.2",
            title: "RSA certificates managed by ACM should use a key length of at least 2,048 bits",
            mapping: policy("acm-certificate-managed-renewal"),
        },
        { id: "ACM.3", title: "ACM certificates should be tagged", mapping: policy(TAGS) },
    ],
    CloudFront: [
        {
            id: "CloudFront.1",
            title: "CloudFront distributions should have a default root object configured",
            mapping: policyNote(
                "required when the default behaviour serves an S3 origin; ours forwards to the ALB, whose application answers `/`",
                "cloudfront-default-root-object",
            ),
        },
        {
            id: "CloudFront.3",
            title: "CloudFront distributions should require encryption in transit",
            mapping: policy("cloudfront-viewer-https"),
        },
        {
            id: "CloudFront.4",
            title: "CloudFront distributions should have origin failover configured",
            mapping: delegated(
                "failover happens in DNS: the ALB origin is the Route53 failover name (PRIMARY prod, SECONDARY dr), so one origin " +
                "already fails over; an origin group would duplicate it",
            ),
        },
        { id: "CloudFront.5", title: "CloudFront distributions should have logging enabled", mapping: policy("cloudfront-logging") },
        { id: "CloudFront.6", title: "CloudFront distributions should have WAF enabled", mapping: policy("cloudfront-waf") },
        {
            id: "CloudFront.7",
            title: "CloudFront distributions should use custom SSL/TLS certificates",
            mapping: policy("cloudfront-minimum-tls"),
        },
        {
            id: "CloudFront.8",
            title: "CloudFront distributions should use SNI to serve HTTPS requests",
            mapping: policy("cloudfront-minimum-tls"),
        },
        {
            id: "CloudFront.9",
            title: "CloudFront distributions should encrypt traffic to custom origins",
            mapping: policy("cloudfront-origin-https-only"),
        },
        {
            id: "CloudFront.10",
            title: "CloudFront distributions should not use deprecated SSL protocols between edge locations and custom origins",
            mapping: policy("cloudfront-origin-https-only"),
        },
        {
            id: "CloudFront.12",
            title: "CloudFront distributions should not point to non-existent S3 origins",
            mapping: delegated(
                "the S3 origin is the stack's own bucket, referenced by its output (it cannot be planned without it); existence at " +
                "runtime is Security Hub's check",
            ),
        },
        {
            id: "CloudFront.13",
            title: "CloudFront distributions should use origin access control",
            mapping: policy("cloudfront-origin-access-control"),
        },
        { id: "CloudFront.14", title: "CloudFront distributions should be tagged", mapping: policy(TAGS) },
        {
            id: "CloudFront.15",
            title: "CloudFront distributions should use the recommended TLS security policy",
            mapping: policyNote(
                "the control's policies (TLSv1.2_2021, TLSv1.2_2025, TLSv1.3_2025) are the ones the pack allows",
                "cloudfront-minimum-tls",
            ),
        },
        {
            id: "CloudFront.16",
            title: "CloudFront distributions should use origin access control for Lambda function URL origins",
            mapping: na("no Lambda function URL origins: the origins are the ALB and the static bucket (CloudFront.13)"),
        },
    ],
    // Ids and titles as AWS lists them today (CloudTrail.1 to .7, .9, .10; there is no .8):
    // https://docs.aws.amazon.com/securityhub/latest/userguide/cloudtrail-controls.html. The CIS
    // requirements are the v1.2.0 and v1.4.0 numbers that page gives each control (CloudTrail.1's read
    // on today's page, which adds v3.0.0 and v5.0.0 3.1; the others' from the page's copy in
    // awsdocs/aws-security-hub-user-guide).
    CloudTrail: [
        {
            id: "CloudTrail.1",
            title: "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write " +
                "management events",
            cis: ["CIS v1.2.0 2.1", "CIS v1.4.0 3.1"],
            mapping: policyNote(
                "each stack's break-glass trail is one; prod's and dr's share an account",
                "cloudtrail-multi-region-management-events",
            ),
        },
        {
            id: "CloudTrail.2",
            title: "CloudTrail should have encryption at-rest enabled",
            cis: ["CIS v1.2.0 2.7", "CIS v1.4.0 3.7"],
            mapping: policy("cloudtrail-encryption-customer-key"),
        },
        {
            id: "CloudTrail.3",
            title: "At least one CloudTrail trail should be enabled",
            mapping: policy("cloudtrail-multi-region-management-events"),
        },
        {
            id: "CloudTrail.4",
            title: "CloudTrail log file validation should be enabled",
            cis: ["CIS v1.2.0 2.2", "CIS v1.4.0 3.2"],
            mapping: policy("cloudtrail-log-file-validation"),
        },
        {
            id: "CloudTrail.5",
            title: "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
            cis: ["CIS v1.2.0 2.4", "CIS v1.4.0 3.4"],
            mapping: policy("cloudtrail-cloudwatch-logs"),
        },
        {
            id: "CloudTrail.6",
            title: "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
            cis: ["CIS v1.2.0 2.3", "CIS v1.4.0 3.3"],
            mapping: policyNote(
                "the trail's bucket is the stack's, and every bucket of the stack has a full public access block",
                "cloudtrail-bucket-in-stack",
                "s3-bucket-public-access-block",
            ),
        },
        {
            id: "CloudTrail.7",
            title: "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
            cis: ["CIS v1.2.0 2.6", "CIS v1.4.0 3.6"],
            mapping: policyNote(
                "the trail's bucket is the stack's, and every bucket of the stack that is not a log destination logs its access",
                "cloudtrail-bucket-in-stack",
                "s3-bucket-logging",
            ),
        },
        { id: "CloudTrail.9", title: "CloudTrail trails should be tagged", mapping: policy(TAGS) },
        {
            id: "CloudTrail.10",
            title: "CloudTrail Lake event data stores should be encrypted with customer managed AWS KMS keys",
            mapping: na("no CloudTrail Lake event data store is created"),
        },
    ],
    CloudWatch: [
        {
            id: "CloudWatch.1",
            title: 'A log metric filter and alarm should exist for usage of the "root" user',
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.2",
            title: "Ensure a log metric filter and alarm exist for unauthorized API calls",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.3",
            title: "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.4",
            title: "Ensure a log metric filter and alarm exist for IAM policy changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.5",
            title: "Ensure a log metric filter and alarm exist for CloudTrail configuration changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.6",
            title: "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.7",
            title: "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer created CMKs",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.8",
            title: "Ensure a log metric filter and alarm exist for S3 bucket policy changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.9",
            title: "Ensure a log metric filter and alarm exist for AWS Config configuration changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.10",
            title: "Ensure a log metric filter and alarm exist for security group changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.11",
            title: "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.12",
            title: "Ensure a log metric filter and alarm exist for changes to network gateways",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        {
            id: "CloudWatch.13",
            title: "Ensure a log metric filter and alarm exist for route table changes",
            mapping: delegated(CIS_METRIC_FILTER),
        },
        { id: "CloudWatch.14", title: "Ensure a log metric filter and alarm exist for VPC changes", mapping: delegated(CIS_METRIC_FILTER) },
        {
            id: "CloudWatch.15",
            title: "CloudWatch alarms should have specified actions configured",
            mapping: policy("cloudwatch-alarm-actions", "alb-availability-alarms"),
        },
        {
            id: "CloudWatch.16",
            title: "CloudWatch log groups should be retained for a specified time period",
            mapping: policyNote(
                "a retention is required everywhere; the periods are the stack files' (14 to 90 days), not the control's 365-day " +
                "default parameter",
                "cloudwatch-log-group-retention",
                "docdb-log-groups",
            ),
        },
        { id: "CloudWatch.17", title: "CloudWatch alarm actions should be activated", mapping: policy("cloudwatch-alarm-actions") },
    ],
    DocumentDB: [
        {
            id: "DocumentDB.1",
            title: "Amazon DocumentDB clusters should be encrypted at rest",
            mapping: policy("docdb-encryption-customer-key"),
        },
        {
            id: "DocumentDB.2",
            title: "Amazon DocumentDB clusters should have an adequate backup retention period",
            mapping: policyNote(
                "7 days by default as the control's parameter, 30 in prod and dr; dev's 3 days is an explicit exception in " +
                "policy/config/dev.json",
                "docdb-backup-retention",
            ),
        },
        {
            id: "DocumentDB.3",
            title: "Amazon DocumentDB manual cluster snapshots should not be public",
            mapping: delegated(
                "the program creates no manual snapshot; the rollout's pre-release snapshots are private (never shared), and Security " +
                "Hub checks snapshots at runtime",
            ),
        },
        {
            id: "DocumentDB.4",
            title: "Amazon DocumentDB clusters should publish audit logs to CloudWatch Logs",
            mapping: policy("docdb-audit-log-export", "docdb-log-groups"),
        },
        {
            id: "DocumentDB.5",
            title: "Amazon DocumentDB clusters should have deletion protection enabled",
            mapping: policyNote(
                "required by default; dev's disposable cluster is an explicit exception in policy/config/dev.json",
                "docdb-deletion-protection",
            ),
        },
        {
            id: "DocumentDB.6",
            title: "Amazon DocumentDB clusters should be encrypted in transit",
            mapping: policyNote(
                "`tls` = tls1.2+ in the cluster's own parameter group (stricter than the control, which accepts `enabled`)",
                "docdb-tls-version",
            ),
        },
    ],
    DynamoDB: [
        {
            id: "DynamoDB.1",
            title: "DynamoDB tables should automatically scale capacity with demand",
            mapping: policy("dynamodb-table-resilience"),
        },
        {
            id: "DynamoDB.2",
            title: "DynamoDB tables should have point-in-time recovery enabled",
            mapping: policy("dynamodb-table-resilience"),
        },
        {
            id: "DynamoDB.3",
            title: "DynamoDB Accelerator (DAX) clusters should be encrypted at rest",
            mapping: na("no DynamoDB Accelerator (DAX) cluster is created"),
        },
        {
            id: "DynamoDB.4",
            title: "DynamoDB tables should be present in a backup plan",
            mapping: delegated(
                "the rollout-lock table holds leases and progress only, rebuilt by the next rollout; point-in-time recovery " +
                "(DynamoDB.2) covers mistakes, no AWS Backup plan by decision",
            ),
        },
        { id: "DynamoDB.5", title: "DynamoDB tables should be tagged", mapping: policy(TAGS) },
        {
            id: "DynamoDB.6",
            title: "DynamoDB tables should have deletion protection enabled",
            mapping: policyNote("protected stacks only (staging, prod, dr), like every stateful resource", "dynamodb-table-resilience"),
        },
        {
            id: "DynamoDB.7",
            title: "DynamoDB Accelerator clusters should be encrypted in transit",
            mapping: na("no DynamoDB Accelerator (DAX) cluster is created"),
        },
    ],
    EC2: [
        { id: "EC2.1", title: "Amazon EBS snapshots should not be publicly restorable", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.2",
            title: "VPC default security groups should not allow inbound or outbound traffic",
            cis: ["CIS v1.2.0 4.3", "CIS v1.4.0 5.3"],
            mapping: policy("vpc-default-security-group-closed"),
        },
        { id: "EC2.3", title: "Attached Amazon EBS volumes should be encrypted at-rest", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.4",
            title: "Stopped Amazon EC2 instances should be removed after a specified time period",
            mapping: na(NO_EC2_INSTANCES),
        },
        {
            id: "EC2.6",
            title: "VPC flow logging should be enabled in all VPCs",
            cis: ["CIS v1.2.0 2.9", "CIS v1.4.0 3.9"],
            mapping: policy("vpc-flow-logs"),
        },
        { id: "EC2.7", title: "Amazon EBS default encryption should be enabled", mapping: delegated(ACCOUNT_BASELINE) },
        {
            id: "EC2.8",
            title: "Amazon EC2 instances should use Instance Metadata Service Version 2 (IMDSv2)",
            mapping: na(NO_EC2_INSTANCES),
        },
        { id: "EC2.9", title: "Amazon EC2 instances should not have a public IPv4 address", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.10",
            title: "Amazon EC2 should be configured to use VPC endpoints that are created for the Amazon EC2 service",
            mapping: na(
                "no workload calls the EC2 API; the VPC has endpoints for the APIs the tasks call (ECR, CloudWatch Logs, Secrets " +
                "Manager, SSM, S3)",
            ),
        },
        {
            id: "EC2.13",
            title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 22",
            mapping: policy("security-group-no-internet-ingress"),
        },
        {
            id: "EC2.14",
            title: "Security groups should not allow ingress from 0.0.0.0/0 or ::/0 to port 3389",
            mapping: policy("security-group-no-internet-ingress"),
        },
        {
            id: "EC2.15",
            title: "Amazon EC2 subnets should not automatically assign public IP addresses",
            mapping: policy("ec2-subnet-no-public-ip-on-launch"),
        },
        {
            id: "EC2.16",
            title: "Unused Network Access Control Lists should be removed",
            mapping: delegated(
                "the program creates no network ACL (each VPC has only its default one); unused ones are found by Security Hub at runtime",
            ),
        },
        { id: "EC2.17", title: "Amazon EC2 instances should not use multiple ENIs", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.18",
            title: "Security groups should only allow unrestricted incoming traffic for authorized ports",
            mapping: policyNote("authorized: TCP 80 and 443 on the ALB's group", "security-group-no-internet-ingress"),
        },
        {
            id: "EC2.19",
            title: "Security groups should not allow unrestricted access to ports with high risk",
            mapping: policy("security-group-no-internet-ingress"),
        },
        { id: "EC2.20", title: "Both VPN tunnels for an AWS Site-to-Site VPN connection should be up", mapping: na(NO_VPN) },
        {
            id: "EC2.21",
            title: "Network ACLs should not allow ingress from 0.0.0.0/0 to port 22 or port 3389",
            mapping: delegated(
                "awsx leaves each VPC's default network ACL (allow all) in place and the program does not manage it; security groups " +
                "are the filter (EC2.13, EC2.14, EC2.53, EC2.54 are enforced). Security Hub reports the default ACL at runtime: a known " +
                "finding, see the report of issue 14",
            ),
        },
        {
            id: "EC2.22",
            title: "Unused Amazon EC2 security groups should be removed",
            mapping: delegated(
                "every security group the program creates is attached (ALB, services, database, cache, endpoints); unused ones are " +
                "found by Security Hub at runtime",
            ),
        },
        {
            id: "EC2.23",
            title: "Amazon EC2 Transit Gateways should not automatically accept VPC attachment requests",
            mapping: na("no transit gateway: one VPC per stack"),
        },
        { id: "EC2.24", title: "Amazon EC2 paravirtual instance types should not be used", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.25",
            title: "Amazon EC2 launch templates should not assign public IPs to network interfaces",
            mapping: na(NO_EC2_INSTANCES),
        },
        { id: "EC2.28", title: "EBS volumes should be covered by a backup plan", mapping: na(NO_EC2_INSTANCES) },
        { id: "EC2.33", title: "EC2 transit gateway attachments should be tagged", mapping: na("no transit gateway: one VPC per stack") },
        { id: "EC2.34", title: "EC2 transit gateway route tables should be tagged", mapping: na("no transit gateway: one VPC per stack") },
        { id: "EC2.35", title: "EC2 network interfaces should be tagged", mapping: delegated(NO_OWN_ENIS) },
        { id: "EC2.36", title: "EC2 customer gateways should be tagged", mapping: na(NO_VPN) },
        { id: "EC2.37", title: "EC2 Elastic IP addresses should be tagged", mapping: policy(TAGS) },
        { id: "EC2.38", title: "EC2 instances should be tagged", mapping: na(NO_EC2_INSTANCES) },
        { id: "EC2.39", title: "EC2 internet gateways should be tagged", mapping: policy(TAGS) },
        { id: "EC2.40", title: "EC2 NAT gateways should be tagged", mapping: policy(TAGS) },
        {
            id: "EC2.41",
            title: "EC2 network ACLs should be tagged",
            mapping: delegated("the default network ACL is created by AWS with the VPC, not by the program (see EC2.21)"),
        },
        { id: "EC2.42", title: "EC2 route tables should be tagged", mapping: policy(TAGS) },
        { id: "EC2.43", title: "EC2 security groups should be tagged", mapping: policy(TAGS) },
        { id: "EC2.44", title: "EC2 subnets should be tagged", mapping: policy(TAGS) },
        { id: "EC2.45", title: "EC2 volumes should be tagged", mapping: na(NO_EC2_INSTANCES) },
        { id: "EC2.46", title: "Amazon VPCs should be tagged", mapping: policy(TAGS) },
        {
            id: "EC2.47",
            title: "Amazon VPC endpoint services should be tagged",
            mapping: na("the program creates VPC endpoints, not endpoint services (it provides no PrivateLink service)"),
        },
        { id: "EC2.48", title: "Amazon VPC flow logs should be tagged", mapping: policy(TAGS) },
        {
            id: "EC2.49",
            title: "Amazon VPC peering connections should be tagged",
            mapping: na("no VPC peering: each stack has one VPC of its own"),
        },
        { id: "EC2.50", title: "EC2 VPN gateways should be tagged", mapping: na(NO_VPN) },
        { id: "EC2.51", title: "EC2 Client VPN endpoints should have client connection logging enabled", mapping: na(NO_VPN) },
        { id: "EC2.52", title: "EC2 transit gateways should be tagged", mapping: na("no transit gateway: one VPC per stack") },
        {
            id: "EC2.53",
            title: "EC2 security groups should not allow ingress from 0.0.0.0/0 to remote server administration ports",
            mapping: policy("security-group-no-internet-ingress"),
        },
        {
            id: "EC2.54",
            title: "EC2 security groups should not allow ingress from ::/0 to remote server administration ports",
            mapping: policy("security-group-no-internet-ingress"),
        },
        {
            id: "EC2.55",
            title: "VPCs should be configured with an interface endpoint for ECR API",
            mapping: policy("vpc-interface-endpoints"),
        },
        {
            id: "EC2.56",
            title: "VPCs should be configured with an interface endpoint for Docker Registry",
            mapping: policy("vpc-interface-endpoints"),
        },
        {
            id: "EC2.57",
            title: "VPCs should be configured with an interface endpoint for Systems Manager",
            mapping: policy("vpc-interface-endpoints"),
        },
        {
            id: "EC2.58",
            title: "VPCs should be configured with an interface endpoint for Systems Manager Incident Manager Contacts",
            mapping: na("Incident Manager is not used"),
        },
        {
            id: "EC2.60",
            title: "VPCs should be configured with an interface endpoint for Systems Manager Incident Manager",
            mapping: na("Incident Manager is not used"),
        },
        {
            id: "EC2.170",
            title: "EC2 launch templates should use Instance Metadata Service Version 2 (IMDSv2)",
            mapping: na(NO_EC2_INSTANCES),
        },
        { id: "EC2.171", title: "EC2 VPN connections should have logging enabled", mapping: na(NO_VPN) },
        {
            id: "EC2.172",
            title: "EC2 VPC Block Public Access settings should block internet gateway traffic",
            mapping: delegated(
                `account-level VPC Block Public Access: ${ACCOUNT_BASELINE}; blocking internet-gateway traffic would cut the public ALB ` +
                `and the NAT gateways every stack needs, so its exclusions are the baseline's decision`,
            ),
        },
        {
            id: "EC2.173",
            title: "EC2 Spot Fleet requests with launch parameters should enable encryption for attached EBS volumes",
            mapping: na(NO_EC2_INSTANCES),
        },
        {
            id: "EC2.174",
            title: "EC2 DHCP option sets should be tagged",
            mapping: na("the VPCs use the Region's default DHCP option set; the program creates none"),
        },
        { id: "EC2.175", title: "EC2 launch templates should be tagged", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "EC2.176",
            title: "EC2 prefix lists should be tagged",
            mapping: na("no customer-managed prefix lists: rules use the AWS-managed S3 prefix list of the gateway endpoint"),
        },
        { id: "EC2.177", title: "EC2 traffic mirror sessions should be tagged", mapping: na("no traffic mirroring") },
        { id: "EC2.178", title: "EC2 traffic mirror filters should be tagged", mapping: na("no traffic mirroring") },
        { id: "EC2.179", title: "EC2 traffic mirror targets should be tagged", mapping: na("no traffic mirroring") },
        { id: "EC2.180", title: "EC2 network interfaces should have source/destination checking enabled", mapping: delegated(NO_OWN_ENIS) },
        { id: "EC2.181", title: "EC2 launch templates should enable encryption for attached EBS volumes", mapping: na(NO_EC2_INSTANCES) },
    ],
    ECR: [
        {
            id: "ECR.1",
            title: "ECR private repositories should have image scanning configured",
            mapping: policy("ecr-scan-on-push", "ecr-registry-scanning"),
        },
        {
            id: "ECR.2",
            title: "ECR private repositories should have tag immutability configured",
            mapping: policyNote(
                "release tags immutable, only `latest-<env>` excluded; dr's replicas get the same from a creation template",
                "ecr-tag-immutability",
                "ecr-replica-repository-template",
            ),
        },
        {
            id: "ECR.3",
            title: "ECR repositories should have at least one lifecycle policy configured",
            mapping: policy("ecr-repository-lifecycle-policy", "ecr-replica-repository-template"),
        },
        { id: "ECR.4", title: "ECR public repositories should be tagged", mapping: na("no public repository") },
        {
            id: "ECR.5",
            title: "ECR repositories should be encrypted with customer managed AWS KMS keys",
            mapping: policyNote(
                "home repositories use the storage key; dr's replicas are AES256 because a KMS key in a creation template needs a " +
                "custom role for ECR (explicit exception, see components/registry.ts)",
                "ecr-repository-customer-key",
            ),
        },
    ],
    ECS: [
        {
            id: "ECS.1",
            title: "Amazon ECS task definitions should have secure networking modes and user definitions",
            mapping: policyNote(
                "the control fails only task definitions in host network mode; the pack requires awsvpc (ECS.17) and a non-root user " +
                "(ECS.20)",
                "ecs-task-awsvpc-network-mode",
            ),
        },
        {
            id: "ECS.2",
            title: "ECS services should not have public IP addresses assigned to them automatically",
            mapping: policy("ecs-service-no-public-ip"),
        },
        {
            id: "ECS.3",
            title: "ECS task definitions should not share the host's process namespace",
            mapping: policy("ecs-task-no-host-pid"),
        },
        { id: "ECS.4", title: "ECS containers should run as non-privileged", mapping: policy("ecs-task-no-privileged") },
        {
            id: "ECS.5",
            title: "ECS containers should be limited to read-only access to root filesystems",
            mapping: policy("ecs-task-readonly-root-filesystem"),
        },
        {
            id: "ECS.8",
            title: "Secrets should not be passed as container environment variables",
            mapping: policy("ecs-task-no-secrets-in-environment"),
        },
        { id: "ECS.9", title: "ECS task definitions should have a logging configuration", mapping: policy("ecs-task-log-configuration") },
        {
            id: "ECS.10",
            title: "ECS Fargate services should run on the latest Fargate platform version",
            mapping: policy("ecs-service-platform-version"),
        },
        { id: "ECS.12", title: "ECS clusters should use Container Insights", mapping: policy("ecs-cluster-container-insights") },
        { id: "ECS.13", title: "ECS services should be tagged", mapping: policy(TAGS) },
        { id: "ECS.14", title: "ECS clusters should be tagged", mapping: policy(TAGS) },
        { id: "ECS.15", title: "ECS task definitions should be tagged", mapping: policy(TAGS) },
        {
            id: "ECS.16",
            title: "ECS task sets should not automatically assign public IP addresses",
            mapping: na("no task sets: services use the ECS deployment controller"),
        },
        { id: "ECS.17", title: "ECS task definitions should not use host network mode", mapping: policy("ecs-task-awsvpc-network-mode") },
        {
            id: "ECS.18",
            title: "ECS Task Definitions should use in-transit encryption for EFS volumes",
            mapping: na("no EFS volumes: tasks mount only ephemeral storage"),
        },
        {
            id: "ECS.19",
            title: "ECS capacity providers should have managed termination protection enabled",
            mapping: na("Fargate only: no Auto Scaling group capacity provider"),
        },
        {
            id: "ECS.20",
            title: "ECS Task Definitions should configure non-root users in Linux container definitions",
            mapping: policy("ecs-task-non-root-user"),
        },
        {
            id: "ECS.21",
            title: "ECS Task Definitions should configure non-administrator users in Windows container definitions",
            mapping: na("Linux containers only"),
        },
    ],
    ELB: [
        {
            id: "ELB.1",
            title: "Application Load Balancer should be configured to redirect all HTTP requests to HTTPS",
            mapping: policy("alb-http-redirects-to-https", "alb-https-listener"),
        },
        {
            id: "ELB.2",
            title: "Classic Load Balancers with SSL/HTTPS listeners should use a certificate provided by AWS Certificate Manager",
            mapping: na(CLASSIC_ELB),
        },
        {
            id: "ELB.3",
            title: "Classic Load Balancer listeners should be configured with HTTPS or TLS termination",
            mapping: na(CLASSIC_ELB),
        },
        {
            id: "ELB.4",
            title: "Application Load Balancer should be configured to drop invalid http headers",
            mapping: policy("alb-drop-invalid-headers"),
        },
        { id: "ELB.5", title: "Application and Classic Load Balancers logging should be enabled", mapping: policy("alb-access-logs") },
        {
            id: "ELB.6",
            title: "Application, Gateway, and Network Load Balancers should have deletion protection enabled",
            mapping: policyNote(
                "required by default; dev and staging are explicit exceptions in their policy config",
                "alb-deletion-protection",
            ),
        },
        { id: "ELB.7", title: "Classic Load Balancers should have connection draining enabled", mapping: na(CLASSIC_ELB) },
        {
            id: "ELB.8",
            title: "Classic Load Balancers with SSL listeners should use a predefined security policy that has strong AWS Configuration",
            mapping: na(CLASSIC_ELB),
        },
        { id: "ELB.9", title: "Classic Load Balancers should have cross-zone load balancing enabled", mapping: na(CLASSIC_ELB) },
        { id: "ELB.10", title: "Classic Load Balancer should span multiple Availability Zones", mapping: na(CLASSIC_ELB) },
        {
            id: "ELB.12",
            title: "Application Load Balancer should be configured with defensive or strictest desync mitigation mode",
            mapping: policy("alb-desync-mitigation"),
        },
        {
            id: "ELB.13",
            title: "Application, Network and Gateway Load Balancers should span multiple Availability Zones",
            mapping: policy("alb-multiple-azs"),
        },
        {
            id: "ELB.14",
            title: "Classic Load Balancer should be configured with defensive or strictest desync mitigation mode",
            mapping: na(CLASSIC_ELB),
        },
        {
            id: "ELB.16",
            title: "Application Load Balancers should be associated with an AWS WAF web ACL",
            mapping: delegated(
                "behind the CDN (prod, dr) the WAF is on CloudFront and the ALB answers 403 without CloudFront's secret header; dev and " +
                "staging have no WAF by decision (no production data)",
            ),
        },
        {
            id: "ELB.17",
            title: "Application and Network Load Balancers with listeners should use recommended security policies",
            mapping: policy("alb-https-tls-policy"),
        },
        {
            id: "ELB.18",
            title: "Application and Network Load Balancer listeners should use secure protocols to encrypt data in transit",
            mapping: delegated(
                "every listener that forwards is HTTPS (ELB.1, ELB.17); the HTTP listener on port 80 only redirects to HTTPS, " +
                    "and the control, which fails any listener that is not HTTPS, reports it at runtime: an accepted finding " +
                    "(removing it would break plain-http bookmarks)",
            ),
        },
    ],
    ElastiCache: [
        {
            id: "ElastiCache.1",
            title: "ElastiCache (Redis OSS) clusters should have automatic backups enabled",
            mapping: policy("elasticache-snapshots"),
        },
        {
            id: "ElastiCache.2",
            title: "ElastiCache clusters should have automatic minor version upgrades enabled",
            mapping: policy("elasticache-auto-minor-version-upgrade"),
        },
        {
            id: "ElastiCache.3",
            title: "ElastiCache replication groups should have automatic failover enabled",
            mapping: policy("elasticache-automatic-failover"),
        },
        {
            id: "ElastiCache.4",
            title: "ElastiCache replication groups should be encrypted at rest",
            mapping: policy("elasticache-encryption-at-rest"),
        },
        {
            id: "ElastiCache.5",
            title: "ElastiCache replication groups should be encrypted in transit",
            mapping: policy("elasticache-encryption-in-transit"),
        },
        {
            id: "ElastiCache.6",
            title: "ElastiCache (Redis OSS) replication groups of earlier versions should have Redis OSS AUTH enabled",
            mapping: policy("elasticache-auth", "elasticache-auth-token-update-strategy"),
        },
        {
            id: "ElastiCache.7",
            title: "ElastiCache clusters should not use the default subnet group",
            mapping: policy("elasticache-subnet-group"),
        },
    ],
    EventBridge: [
        {
            id: "EventBridge.2",
            title: "EventBridge event buses should be tagged",
            mapping: na("no custom event bus: the rules use the default bus"),
        },
        {
            id: "EventBridge.3",
            title: "EventBridge custom event buses should have a resource-based policy attached",
            mapping: na("no custom event bus: the rules use the default bus"),
        },
        {
            id: "EventBridge.4",
            title: "EventBridge global endpoints should have event replication enabled",
            mapping: na("no EventBridge global endpoint is created"),
        },
    ],
    IAM: [
        {
            id: "IAM.1",
            title: 'IAM policies should not allow full "*" administrative privileges',
            cis: ["CIS v1.2.0 1.22", "CIS v1.4.0 1.16"],
            mapping: policyNote("the MFA-guarded break-glass role excepted", "iam-no-admin-wildcard"),
        },
        { id: "IAM.2", title: "IAM users should not have IAM policies attached", mapping: na(NO_USERS) },
        { id: "IAM.3", title: "IAM users' access keys should be rotated every 90 days or less", mapping: na(NO_USERS) },
        { id: "IAM.4", title: "IAM root user access key should not exist", mapping: delegated(ACCOUNT_BASELINE) },
        {
            id: "IAM.5",
            title: "MFA should be enabled for all IAM users that have a console password",
            mapping: policyNote(
                "no users; the roles people assume require MFA, the break-glass role above all",
                "iam-emergency-access-mfa",
            ),
        },
        { id: "IAM.6", title: "Hardware MFA should be enabled for the root user", mapping: delegated(ACCOUNT_BASELINE) },
        { id: "IAM.7", title: "Password policies for IAM users should have strong configurations", mapping: delegated(ACCOUNT_BASELINE) },
        { id: "IAM.8", title: "Unused IAM user credentials should be removed", mapping: na(NO_USERS) },
        { id: "IAM.9", title: "MFA should be enabled for the root user", mapping: delegated(ACCOUNT_BASELINE) },
        {
            id: "IAM.18",
            title: "Ensure a support role has been created to manage incidents with AWS Support",
            mapping: delegated(ACCOUNT_BASELINE),
        },
        { id: "IAM.19", title: "MFA should be enabled for all IAM users", mapping: na(NO_USERS) },
        {
            id: "IAM.21",
            title: "IAM customer managed policies that you create should not allow wildcard actions for services",
            mapping: policy("iam-no-service-wildcard"),
        },
        { id: "IAM.22", title: "IAM user credentials unused for 45 days should be removed", mapping: na(NO_USERS) },
        {
            id: "IAM.23",
            title: "IAM Access Analyzer analyzers should be tagged",
            mapping: na("the program creates no Access Analyzer analyzer (IAM.28 is the account baseline's)"),
        },
        { id: "IAM.24", title: "IAM roles should be tagged", mapping: policy(TAGS) },
        { id: "IAM.25", title: "IAM users should be tagged", mapping: na(NO_USERS) },
        {
            id: "IAM.26",
            title: "Expired SSL/TLS certificates managed in IAM should be removed",
            mapping: na("certificates come from ACM, none are uploaded to IAM"),
        },
        {
            id: "IAM.27",
            title: "IAM identities should not have the AWSCloudShellFullAccess policy attached",
            mapping: policy("iam-no-cloudshell-full-access"),
        },
        { id: "IAM.28", title: "IAM Access Analyzer external access analyzer should be enabled", mapping: delegated(ACCOUNT_BASELINE) },
    ],
    KMS: [
        {
            id: "KMS.1",
            title: "IAM customer managed policies should not allow decryption actions on all KMS keys",
            mapping: policy("iam-no-kms-decrypt-on-all-keys"),
        },
        {
            id: "KMS.2",
            title: "IAM principals should not have IAM inline policies that allow decryption actions on all KMS keys",
            mapping: policy("iam-no-kms-decrypt-on-all-keys"),
        },
        {
            id: "KMS.3",
            title: "AWS KMS keys should not be deleted unintentionally",
            mapping: delegated(
                "keys carry Pulumi `protect` in staging, prod and dr and a 30-day deletion window; a key pending deletion is found by " +
                "Security Hub at runtime",
            ),
        },
        {
            id: "KMS.4",
            title: "AWS KMS key rotation should be enabled",
            cis: ["CIS v1.2.0 2.8", "CIS v1.4.0 3.8"],
            mapping: policy("kms-key-rotation"),
        },
        { id: "KMS.5", title: "KMS keys should not be publicly accessible", mapping: policy("kms-key-policy-not-public") },
    ],
    Route53: [
        { id: "Route53.1", title: "Route 53 health checks should be tagged", mapping: policy(TAGS) },
        {
            id: "Route53.2",
            title: "Route 53 public hosted zones should log DNS queries",
            mapping: na("the hosted zone is looked up, never created, by the program; its owner configures query logging"),
        },
    ],
    S3: [
        {
            id: "S3.1",
            title: "S3 general purpose buckets should have block public access settings enabled",
            mapping: delegated(`account-level block public access: ${ACCOUNT_BASELINE}; every bucket also has its own block (S3.8)`),
        },
        {
            id: "S3.2",
            title: "S3 general purpose buckets should block public read access",
            mapping: policy("s3-bucket-no-public-acl", "s3-bucket-policy-not-public", "s3-bucket-public-access-block"),
        },
        {
            id: "S3.3",
            title: "S3 general purpose buckets should block public write access",
            mapping: policy("s3-bucket-no-public-acl", "s3-bucket-policy-not-public", "s3-bucket-public-access-block"),
        },
        { id: "S3.5", title: "S3 general purpose buckets should require requests to use SSL", mapping: policy("s3-bucket-tls-only") },
        {
            id: "S3.6",
            title: "S3 general purpose bucket policies should restrict access to other AWS accounts",
            mapping: policy("s3-bucket-policy-no-cross-account-admin"),
        },
        {
            id: "S3.7",
            title: "S3 general purpose buckets should use cross-Region replication",
            mapping: delegated(
                "only prod's application bucket holds data of record that dr needs: it replicates with RTC; log buckets and dev/staging " +
                "buckets do not, by decision",
            ),
        },
        { id: "S3.8", title: "S3 general purpose buckets should block public access", mapping: policy("s3-bucket-public-access-block") },
        {
            id: "S3.9",
            title: "S3 general purpose buckets should have server access logging enabled",
            mapping: policy("s3-bucket-logging", "s3-log-target-grants-every-source"),
        },
        {
            id: "S3.10",
            title: "S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
            mapping: policy("s3-bucket-lifecycle"),
        },
        {
            id: "S3.11",
            title: "S3 general purpose buckets should have event notifications enabled",
            mapping: na("nothing consumes bucket events"),
        },
        {
            id: "S3.12",
            title: "ACLs should not be used to manage user access to S3 general purpose buckets",
            mapping: policyNote(
                "BucketOwnerEnforced; the CloudFront log bucket alone keeps BucketOwnerPreferred because standard logging writes with ACLs",
                "s3-bucket-ownership-controls",
            ),
        },
        { id: "S3.13", title: "S3 general purpose buckets should have Lifecycle configurations", mapping: policy("s3-bucket-lifecycle") },
        { id: "S3.14", title: "S3 general purpose buckets should have versioning enabled", mapping: policy("s3-bucket-versioning") },
        {
            id: "S3.15",
            title: "S3 general purpose buckets should have Object Lock enabled",
            mapping: delegated(
                "not used by decision: versioning, protect/retainOnDelete and (prod) replication guard the data, and Object Lock would " +
                "stop lifecycle expiry of logs",
            ),
        },
        {
            id: "S3.17",
            title: "S3 general purpose buckets should be encrypted at rest with AWS KMS keys",
            mapping: policyNote(
                "SSE-KMS required; log destinations (S3 server access logging cannot deliver to SSE-KMS) and buckets tagged with an " +
                "EncryptionException reason are exempt",
                "s3-bucket-encryption",
            ),
        },
        {
            id: "S3.19",
            title: "S3 access points should have block public access settings enabled",
            mapping: na("no S3 access points: services reach the bucket directly"),
        },
        {
            id: "S3.20",
            title: "S3 general purpose buckets should have MFA delete enabled",
            mapping: delegated(
                "MFA delete can only be set with the root user's credentials, outside any deployment; versioning and protect guard " +
                "deletions",
            ),
        },
        { id: "S3.22", title: "S3 general purpose buckets should log object-level write events", mapping: delegated(S3_DATA_EVENTS) },
        { id: "S3.23", title: "S3 general purpose buckets should log object-level read events", mapping: delegated(S3_DATA_EVENTS) },
        {
            id: "S3.24",
            title: "S3 Multi-Region Access Points should have block public access settings enabled",
            mapping: na("no Multi-Region Access Points: prod replicates to one bucket in the DR region"),
        },
        {
            id: "S3.25",
            title: "S3 directory buckets should have lifecycle configurations",
            mapping: na("no directory buckets: every bucket is a general purpose bucket"),
        },
    ],
    SecretsManager: [
        {
            id: "SecretsManager.1",
            title: "Secrets Manager secrets should have automatic rotation enabled",
            mapping: policyNote("or an explicit RotationExemption tag giving the reason", "secretsmanager-rotation"),
        },
        {
            id: "SecretsManager.2",
            title: "Secrets Manager secrets configured with automatic rotation should rotate successfully",
            mapping: delegated("a rotation's success is a runtime fact, checked by Security Hub"),
        },
        {
            id: "SecretsManager.3",
            title: "Remove unused Secrets Manager secrets",
            mapping: delegated("every secret is referenced by a task definition; use over time is a runtime fact, checked by Security Hub"),
        },
        {
            id: "SecretsManager.4",
            title: "Secrets Manager secrets should be rotated within a specified number of days",
            mapping: policy("secretsmanager-rotation"),
        },
        { id: "SecretsManager.5", title: "Secrets Manager secrets should be tagged", mapping: policy(TAGS) },
    ],
    SNS: [
        { id: "SNS.1", title: "SNS topics should be encrypted at-rest using AWS KMS", mapping: policy("sns-topic-encryption") },
        { id: "SNS.3", title: "SNS topics should be tagged", mapping: policy(TAGS) },
        { id: "SNS.4", title: "SNS topic access policies should not allow public access", mapping: policy("sns-topic-policy-not-public") },
    ],
    SSM: [
        { id: "SSM.1", title: "Amazon EC2 instances should be managed by AWS Systems Manager", mapping: na(NO_EC2_INSTANCES) },
        {
            id: "SSM.2",
            title: "Amazon EC2 instances managed by Systems Manager should have a patch compliance status of COMPLIANT after a patch " +
                "installation",
            mapping: na(NO_EC2_INSTANCES),
        },
        {
            id: "SSM.3",
            title: "Amazon EC2 instances managed by Systems Manager should have an association compliance status of COMPLIANT",
            mapping: na(NO_EC2_INSTANCES),
        },
        { id: "SSM.4", title: "SSM documents should not be public", mapping: na("no SSM documents: the program creates parameters only") },
        { id: "SSM.5", title: "SSM documents should be tagged", mapping: na("no SSM documents: the program creates parameters only") },
        { id: "SSM.6", title: "SSM Automation should have CloudWatch logging enabled", mapping: delegated(ACCOUNT_BASELINE) },
        { id: "SSM.7", title: "SSM documents should have the block public sharing setting enabled", mapping: delegated(ACCOUNT_BASELINE) },
    ],
    WAF: [
        { id: "WAF.1", title: "AWS WAF Classic Global Web ACL logging should be enabled", mapping: na(WAF_CLASSIC) },
        { id: "WAF.2", title: "AWS WAF Classic Regional rules should have at least one condition", mapping: na(WAF_CLASSIC) },
        { id: "WAF.3", title: "AWS WAF Classic Regional rule groups should have at least one rule", mapping: na(WAF_CLASSIC) },
        { id: "WAF.4", title: "AWS WAF Classic Regional web ACLs should have at least one rule or rule group", mapping: na(WAF_CLASSIC) },
        { id: "WAF.6", title: "AWS WAF Classic global rules should have at least one condition", mapping: na(WAF_CLASSIC) },
        { id: "WAF.7", title: "AWS WAF Classic global rule groups should have at least one rule", mapping: na(WAF_CLASSIC) },
        { id: "WAF.8", title: "AWS WAF Classic global web ACLs should have at least one rule or rule group", mapping: na(WAF_CLASSIC) },
        { id: "WAF.10", title: "AWS WAF web ACLs should have at least one rule or rule group", mapping: policy("wafv2-web-acl-has-rules") },
        { id: "WAF.11", title: "AWS WAF web ACL logging should be enabled", mapping: policy("wafv2-web-acl-logging") },
        { id: "WAF.12", title: "AWS WAF rules should have CloudWatch metrics enabled", mapping: policy("wafv2-web-acl-metrics") },
    ],
};
// Stryker restore all

/** Every control with its service, in table order. */
export function allControls(): (Control & { service: Service })[] {
    return (Object.keys(CONTROLS) as Service[]).flatMap((service) => CONTROLS[service].map((c) => ({ ...c, service })));
}

/**
 * Security Hub control ids a policy's `metadata.control` names: `FSBP EC2.2, EC2.15` → ["EC2.2",
 * "EC2.15"]. Only `<Service>.<n>` of a service of the table counts: CIS requirement numbers
 * (`CIS v1.4.0 5.3`) and text in parentheses do not.
 */
export function controlIds(control: string): string[] {
    const services = new Set(Object.keys(SERVICES));
    return [...control.replace(/\([^)]*\)/g, "").matchAll(/\b([A-Za-z0-9]+)\.(\d+)\b/g)]
        .filter((m) => services.has(m[1]))
        .map((m) => `${m[1]}.${m[2]}`);
}

/** Coverage counts for the docs: controls per kind of mapping. */
export function coverage(): Record<Mapping["kind"], number> & { total: number } {
    const out = { total: 0, policy: 0, "not-applicable": 0, delegated: 0 };
    for (const c of allControls()) {
        out.total++;
        out[c.mapping.kind]++;
    }
    return out;
}
