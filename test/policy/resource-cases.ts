/**
 * Resource-policy cases: one compliant resource per case, and faults that each change ONE thing from it
 * and list the exact violations (messages, in order) the policy must report: no more, no fewer.
 * Boundary values (the minimum and the minimum minus one), every form a value takes (a string and a
 * list, `Principal: "*"` and `{ AWS: "*" }`, each TLS value) and each separate check inside a policy
 * get their own fault. `resource-policies.test.ts` runs them and checks that every resource policy has
 * a case.
 */
import type { PolicyConfig } from "../../policy/common";

export interface Fault {
    /** What the fault changes (test title). */
    title: string;
    /** The compliant props with one thing changed. */
    props: Record<string, any>;
    /** Exactly the messages the policy reports, in order ([] for a variant that must pass). */
    expect: string[];
    name?: string;
    stack?: string;
    config?: PolicyConfig;
}

export interface ResourceCase {
    policy: string;
    type: string;
    compliant: Record<string, any>;
    faults: Fault[];
    /** Logical name (default `test`), stack (default `dev`) and policy config of the compliant input. */
    name?: string;
    stack?: string;
    config?: PolicyConfig;
}

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgEgress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    subnet: "aws:ec2/subnet:Subnet",
    task: "aws:ecs/taskDefinition:TaskDefinition",
    service: "aws:ecs/service:Service",
    cluster: "aws:ecs/cluster:Cluster",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    alb: "aws:alb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    cf: "aws:cloudfront/distribution:Distribution",
    docdb: "aws:docdb/cluster:Cluster",
    docdbInstance: "aws:docdb/clusterInstance:ClusterInstance",
    docdbParams: "aws:docdb/clusterParameterGroup:ClusterParameterGroup",
    docdbGlobal: "aws:docdb/globalCluster:GlobalCluster",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    ecr: "aws:ecr/repository:Repository",
    secret: "aws:secretsmanager/secret:Secret",
    param: "aws:ssm/parameter:Parameter",
    role: "aws:iam/role:Role",
    iamPolicy: "aws:iam/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    kms: "aws:kms/key:Key",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    waf: "aws:wafv2/webAcl:WebAcl",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketAcl: "aws:s3/bucketAclV2:BucketAclV2",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    cert: "aws:acm/certificate:Certificate",
    table: "aws:dynamodb/table:Table",
    trail: "aws:cloudtrail/trail:Trail",
};

// --- baselines -----------------------------------------------------------------------------

const albSg = {
    description: "ALB: HTTP/HTTPS from the internet",
    ingress: [
        { fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], description: "HTTPS" },
        { fromPort: 80, toPort: 80, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], description: "HTTP, redirected" },
    ],
    egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["10.0.0.0/16"], description: "to the VPC" }],
};
const ingress = (x: Record<string, any>) => ({ ...albSg, ingress: [{ ...albSg.ingress[0], ...x }, albSg.ingress[1]] });
const appRule = { securityGroupId: "sg-2", ipProtocol: "tcp", fromPort: 8000, toPort: 8000, referencedSecurityGroupId: "sg-1", description: "from the ALB" };

const container = {
    name: "api-gateway",
    image: "111122223333.dkr.ecr.us-east-1.amazonaws.com/task-management-system/api-gateway:abc-dev",
    user: "1000:1000",
    readonlyRootFilesystem: true,
    privileged: false,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/tms/dev/api-gateway" } },
    environment: [{ name: "LOG_LEVEL", value: "info" }, { name: "DB_SECRET_ARN", value: "arn:aws:secretsmanager:…" }],
    secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:111122223333:secret:dev/api-gateway/db-password" }],
};
const task = (c: Record<string, any> = {}, t: Record<string, any> = {}) => ({
    family: "api-gateway", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512",
    containerDefinitions: JSON.stringify([{ ...container, ...c }]), ...t,
});

const service = (x: Record<string, any> = {}) => ({
    launchType: "FARGATE", desiredCount: 2, platformVersion: "LATEST",
    networkConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: false }, ...x,
});

const lb = (x: Record<string, any> = {}) => ({
    loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: true,
    desyncMitigationMode: "defensive", accessLogs: { bucket: "tms-prod-logs", enabled: true, prefix: "alb" },
    subnets: ["subnet-a", "subnet-b"], ...x,
});

const httpsListener = (x: Record<string, any> = {}) => ({
    loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    certificateArn: "arn:aws:acm:cert", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }], ...x,
});

const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const httpListener = (x: Record<string, any> = {}) => ({ loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: [redirect], ...x });

const albOrigin = { originId: "alb", domainName: "alb.example.com", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], httpPort: 80, httpsPort: 443 } };
const s3Origin = { originId: "assets", domainName: "tms-assets.s3.us-east-1.amazonaws.com", originAccessControlId: "oac-1" };
const viewerCertificate = { acmCertificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/x", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" };
const distribution = (x: Record<string, any> = {}) => ({
    enabled: true,
    defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https" },
    orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "https-only" }],
    origins: [albOrigin, s3Origin],
    viewerCertificate,
    loggingConfig: { bucket: "tms-logs.s3.amazonaws.com", prefix: "cdn/" },
    webAclId: "arn:aws:wafv2:us-east-1:111122223333:global/webacl/tms/1",
    ...x,
});
const vc = (x: Record<string, any>) => distribution({ viewerCertificate: { ...viewerCertificate, ...x } });
const origin = (x: Record<string, any>) => distribution({ origins: [{ ...albOrigin, customOriginConfig: { ...albOrigin.customOriginConfig, ...x } }, s3Origin] });

const docdb = (x: Record<string, any> = {}) => ({
    engine: "docdb", clusterIdentifier: "tms-prod-docdb", storageEncrypted: true, kmsKeyId: "arn:aws:kms:key/1", dbClusterParameterGroupName: "tms-prod-docdb",
    enabledCloudwatchLogsExports: ["audit", "profiler"], backupRetentionPeriod: 30, deletionProtection: true,
    skipFinalSnapshot: false, finalSnapshotIdentifier: "tms-prod-final",
    preferredMaintenanceWindow: "tue:07:00-tue:08:00", preferredBackupWindow: "05:00-06:00", ...x,
});

const docdbParams = (params: { name: string; value: string }[]) => ({ family: "docdb5.0", parameters: params });
const params = (tls: string | undefined, audit = "enabled") =>
    docdbParams([...(tls === undefined ? [] : [{ name: "tls", value: tls }]), { name: "audit_logs", value: audit }]);

const redis = (x: Record<string, any> = {}) => ({
    description: "tms cache", engine: "redis", nodeType: "cache.t3.small", numCacheClusters: 3,
    atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "s3cr3t-token-value-1234", authTokenUpdateStrategy: "SET",
    automaticFailoverEnabled: true, multiAzEnabled: true, snapshotRetentionLimit: 5, snapshotWindow: "05:00-06:00",
    subnetGroupName: "tms-dev-cache", maintenanceWindow: "tue:07:00-tue:08:00", autoMinorVersionUpgrade: true, ...x,
});

const repo = (x: Record<string, any> = {}) => ({
    name: "task-management-system/api-gateway", imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE",
    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/1" }], ...x,
});

const doc = (...statements: any[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (x: Record<string, any>) => ({ Effect: "Allow", ...x });
const ecsTrust = doc(allow({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } }));
const mfaTrust = doc(allow({
    Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
}));
const accountAdmin = allow({ Sid: "AccountAdministers", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" });
const logsUse = allow({
    Sid: "CloudWatchLogs", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: ["kms:Encrypt*", "kms:Decrypt*"], Resource: "*",
    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111122223333:log-group:*" } },
});
const key = (...extra: any[]) => ({ description: "logs", enableKeyRotation: true, policy: doc(accountAdmin, logsUse, ...extra) });

const webAcl = (x: Record<string, any> = {}) => ({
    scope: "CLOUDFRONT", defaultAction: { allow: {} },
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "tms", sampledRequestsEnabled: true },
    rules: [{ name: "common", priority: 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "common", sampledRequestsEnabled: true } }],
    ...x,
});

const topicPolicy = (...extra: any[]) => ({
    arn: "arn:aws:sns:us-east-1:111122223333:tms-dev-critical-alerts",
    policy: doc(allow({ Sid: "AlarmsPublish", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } }), ...extra),
});

const bucketPolicy = (...extra: any[]) => ({
    bucket: "tms-dev-logs",
    policy: doc(
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        allow({ Sid: "ElbLogDelivery", Principal: { AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/alb/*" }),
        ...extra,
    ),
});

const trail = (x: Record<string, any> = {}) => ({
    name: "tms-dev-break-glass", s3BucketName: "tms-dev-trail", isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogFileValidation: true,
    kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k", cloudWatchLogsGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:/tms/dev/break-glass-trail:*",
    cloudWatchLogsRoleArn: "arn:aws:iam::111122223333:role/delivery", ...x,
});
const noManagement = "No event selector records every read and write management event: select management events with `readWriteType: \"All\"` and no excluded source (or leave the selectors unset).";
const management = { field: "eventCategory", equals: ["Management"] };

const table = (x: Record<string, any> = {}) => ({
    name: "tms-prod-rollouts", billingMode: "PAY_PER_REQUEST", hashKey: "pk", pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true }, deletionProtectionEnabled: true, ...x,
});

/** The exact text of the exception-without-reason violation for a relaxation. */
const noReason = (relaxation: string) =>
    `The policy config relaxes this control (${relaxation}) without an \`exceptionReason\`: give the reason or remove the exception.`;

// --- cases -----------------------------------------------------------------------------------

export const resourceCases: ResourceCase[] = [
    // Network
    { policy: "ec2-subnet-no-public-ip-on-launch", type: T.subnet, compliant: { cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: false }, faults: [
        { title: "maps a public IP on launch", props: { cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }, expect: ["The subnet gives every interface launched in it a public IP: set `mapPublicIpOnLaunch: false`."] },
        { title: "unset is AWS's default (off): passes", props: { cidrBlock: "10.0.0.0/24" }, expect: [] },
    ] },
    { policy: "security-group-no-internet-ingress", type: T.sg, name: "alb-sg", compliant: albSg, faults: [
        { title: "SSH from 0.0.0.0/0 on an app group", name: "app-sg", props: { ...albSg, ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], description: "ssh" }] },
            expect: ["ingress[0] allows tcp 22 from 0.0.0.0/0: only the ALB security group may accept internet traffic. Use a security-group or VPC-CIDR source instead."] },
        { title: "443 from ::/0 on an app group", name: "app-sg", props: { ...albSg, ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", ipv6CidrBlocks: ["::/0"], description: "https" }] },
            expect: ["ingress[0] allows tcp 443 from ::/0: only the ALB security group may accept internet traffic. Use a security-group or VPC-CIDR source instead."] },
        { title: "the ALB group opening 8443", props: ingress({ fromPort: 8443, toPort: 8443 }),
            expect: ["ingress[0] allows tcp 8443 from 0.0.0.0/0, ::/0: the ALB security group may only open TCP 80 and 443. Use a security-group or VPC-CIDR source instead."] },
        { title: "the ALB group opening the range 80-443", props: ingress({ fromPort: 80, toPort: 443 }),
            expect: ["ingress[0] allows tcp 80-443 from 0.0.0.0/0, ::/0: the ALB security group may only open TCP 80 and 443. Use a security-group or VPC-CIDR source instead."] },
        { title: "the ALB group opening all traffic", props: ingress({ protocol: "-1", fromPort: 0, toPort: 0 }),
            expect: ["ingress[0] allows all traffic from 0.0.0.0/0, ::/0: the ALB security group may only open TCP 80 and 443. Use a security-group or VPC-CIDR source instead."] },
        { title: "the ALB group on UDP 443", props: ingress({ protocol: "udp" }),
            expect: ["ingress[0] allows udp 443 from 0.0.0.0/0, ::/0: the ALB security group may only open TCP 80 and 443. Use a security-group or VPC-CIDR source instead."] },
        { title: "protocol number 6 is TCP: passes", props: ingress({ protocol: "6" }), expect: [] },
        { title: "a VPC CIDR is not the internet: passes", name: "app-sg", props: { ...albSg, ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"], description: "ssh" }] }, expect: [] },
    ] },
    { policy: "security-group-no-internet-ingress", type: T.sgIngress, name: "alb-https", compliant: { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS" }, faults: [
        { title: "the ALB opening 8080 to ::/0", name: "alb-test-listener", props: { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv6: "::/0", description: "test" },
            expect: ["this rule allows tcp 8080 from ::/0: the ALB security group may only open TCP 80 and 443. Use a security-group or VPC-CIDR source instead."] },
        { title: "an app rule from 0.0.0.0/0 on 443", name: "app-https", props: { securityGroupId: "sg-2", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "x" },
            expect: ["this rule allows tcp 443 from 0.0.0.0/0: only the ALB security group may accept internet traffic. Use a security-group or VPC-CIDR source instead."] },
    ] },
    { policy: "security-group-no-internet-ingress", type: T.sgRule, name: "app-from-alb", compliant: { type: "ingress", securityGroupId: "sg-2", protocol: "tcp", fromPort: 8000, toPort: 8000, sourceSecurityGroupId: "sg-1", description: "from ALB" }, faults: [
        { title: "all traffic from the internet (legacy rule)", name: "app-open", props: { type: "ingress", securityGroupId: "sg-2", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "oops" },
            expect: ["this rule allows all traffic from 0.0.0.0/0: only the ALB security group may accept internet traffic. Use a security-group or VPC-CIDR source instead."] },
        { title: "an egress rule to anywhere is not ingress: passes", name: "app-out", props: { type: "egress", securityGroupId: "sg-2", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "out" }, expect: [] },
    ] },
    { policy: "security-group-descriptions", type: T.sg, name: "alb-sg", compliant: albSg, faults: [
        { title: "the default description", props: { ...albSg, description: "Managed by Pulumi" }, expect: ["Security group has no description of its own (\"Managed by Pulumi\" is the default): set `description`."] },
        { title: "no description", props: { ...albSg, description: undefined }, expect: ["Security group has no description of its own (\"Managed by Pulumi\" is the default): set `description`."] },
        { title: "an ingress rule without description", props: ingress({ description: undefined }), expect: ["Rule ingress[0] has no description: set `description` to say what the rule allows and why."] },
        { title: "an egress rule without description", props: { ...albSg, egress: [{ ...albSg.egress[0], description: undefined }] }, expect: ["Rule egress[0] has no description: set `description` to say what the rule allows and why."] },
    ] },
    { policy: "security-group-descriptions", type: T.sgEgress, compliant: { ...appRule, description: "to the database" }, faults: [
        { title: "an egress rule resource without description", props: { ...appRule, description: undefined }, expect: ["Rule this rule has no description: set `description` to say what the rule allows and why."] },
    ] },
    { policy: "security-group-descriptions", type: T.sgRule, compliant: { type: "ingress", securityGroupId: "sg-2", protocol: "tcp", fromPort: 8000, toPort: 8000, description: "from ALB" }, faults: [
        { title: "a legacy rule without description", props: { type: "ingress", securityGroupId: "sg-2", protocol: "tcp", fromPort: 8000, toPort: 8000 }, expect: ["Rule this rule has no description: set `description` to say what the rule allows and why."] },
    ] },

    // ECS task definitions, services, clusters
    { policy: "ecs-task-no-privileged", type: T.task, compliant: task(), faults: [
        { title: "privileged container", props: task({ privileged: true }), expect: ["Container \"api-gateway\" runs privileged: remove `privileged: true`."] },
    ] },
    { policy: "ecs-task-readonly-root-filesystem", type: T.task, compliant: task(), faults: [
        { title: "writable root", props: task({ readonlyRootFilesystem: false }), expect: ["Container \"api-gateway\" has a writable root filesystem: set `readonlyRootFilesystem: true`."] },
        { title: "unset (writable)", props: task({ readonlyRootFilesystem: undefined }), expect: ["Container \"api-gateway\" has a writable root filesystem: set `readonlyRootFilesystem: true`."] },
    ] },
    { policy: "ecs-task-non-root-user", type: T.task, compliant: task(), faults: [
        { title: "no user (root)", props: task({ user: undefined }), expect: ["Container \"api-gateway\" has no `user` and runs as root: set `user` to a non-root UID such as \"1000:1000\"."] },
        { title: "an empty user", props: task({ user: "" }), expect: ["Container \"api-gateway\" has no `user` and runs as root: set `user` to a non-root UID such as \"1000:1000\"."] },
        { title: "user root", props: task({ user: "root" }), expect: ["Container \"api-gateway\" runs as \"root\": set `user` to a non-root UID."] },
        { title: "user 0", props: task({ user: "0" }), expect: ["Container \"api-gateway\" runs as \"0\": set `user` to a non-root UID."] },
        { title: "user 0:0", props: task({ user: "0:0" }), expect: ["Container \"api-gateway\" runs as \"0:0\": set `user` to a non-root UID."] },
        { title: "numeric 0", props: task({ user: 0 }), expect: ["Container \"api-gateway\" runs as \"0\": set `user` to a non-root UID."] },
        { title: "a named non-root user passes", props: task({ user: "app" }), expect: [] },
    ] },
    { policy: "ecs-task-no-secrets-in-environment", type: T.task, compliant: task(), faults: [
        { title: "a password and an API key in environment", props: task({ environment: [{ name: "LOG_LEVEL", value: "info" }, { name: "REDIS_PASSWORD", value: "hunter2" }, { name: "API_KEY", value: "k" }] }),
            expect: ["Container \"api-gateway\" passes REDIS_PASSWORD, API_KEY in `environment`: move them to `secrets` (valueFrom a Secrets Manager ARN)."] },
        { title: "AWS_SECRET_ACCESS_KEY (the control's own list)", props: task({ environment: [{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }] }),
            expect: ["Container \"api-gateway\" passes AWS_SECRET_ACCESS_KEY in `environment`: move them to `secrets` (valueFrom a Secrets Manager ARN)."] },
        { title: "references to a secret (…_ARN, …_NAME, …_URL) pass", props: task({ environment: [{ name: "TOKEN_URL", value: "https://x" }, { name: "SECRET_NAME", value: "n" }] }), expect: [] },
    ] },
    { policy: "ecs-task-log-configuration", type: T.task, compliant: task(), faults: [
        { title: "no log configuration", props: task({ logConfiguration: undefined }), expect: ["Container \"api-gateway\" has no `logConfiguration`: add one with `logDriver: \"awslogs\"`."] },
        { title: "a log configuration without driver", props: task({ logConfiguration: { options: {} } }), expect: ["Container \"api-gateway\" has no `logConfiguration`: add one with `logDriver: \"awslogs\"`."] },
    ] },
    { policy: "ecs-task-no-host-pid", type: T.task, compliant: task(), faults: [
        { title: "host PID namespace", props: task({}, { pidMode: "host" }), expect: ["Tasks share the host PID namespace: remove `pidMode: \"host\"`."] },
        { title: "task PID namespace passes", props: task({}, { pidMode: "task" }), expect: [] },
    ] },
    { policy: "ecs-task-awsvpc-network-mode", type: T.task, compliant: task(), faults: [
        { title: "bridge mode", props: task({}, { networkMode: "bridge" }), expect: ["networkMode is \"bridge\": set `networkMode: \"awsvpc\"`."] },
        { title: "host mode (ECS.17)", props: task({}, { networkMode: "host" }), expect: ["networkMode is \"host\": set `networkMode: \"awsvpc\"`."] },
        { title: "unset (bridge)", props: task({}, { networkMode: undefined }), expect: ["networkMode is unset (bridge): set `networkMode: \"awsvpc\"`."] },
    ] },
    { policy: "ecs-service-no-public-ip", type: T.service, compliant: service(), faults: [
        { title: "public IP", props: service({ networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } }), expect: ["Tasks get public IPs: set `networkConfiguration.assignPublicIp: false` and use private subnets."] },
    ] },
    { policy: "ecs-service-platform-version", type: T.service, compliant: service(), faults: [
        { title: "1.3.0, just below the floor", props: service({ platformVersion: "1.3.0" }), expect: ["platformVersion \"1.3.0\" is not current: set it to \"LATEST\" (or 1.4.0 or later)."] },
        { title: "1.4.0, the floor, passes", props: service({ platformVersion: "1.4.0" }), expect: [] },
        { title: "1.4 passes", props: service({ platformVersion: "1.4" }), expect: [] },
        { title: "2.0.0 passes", props: service({ platformVersion: "2.0.0" }), expect: [] },
        { title: "0.9.9", props: service({ platformVersion: "0.9.9" }), expect: ["platformVersion \"0.9.9\" is not current: set it to \"LATEST\" (or 1.4.0 or later)."] },
        { title: "not a version", props: service({ platformVersion: "newest" }), expect: ["platformVersion \"newest\" is not current: set it to \"LATEST\" (or 1.4.0 or later)."] },
        { title: "unset (LATEST) passes", props: service({ platformVersion: undefined }), expect: [] },
    ] },
    { policy: "ecs-cluster-container-insights", type: T.cluster, compliant: { settings: [{ name: "containerInsights", value: "enabled" }] }, faults: [
        { title: "insights disabled", props: { settings: [{ name: "containerInsights", value: "disabled" }] }, expect: ["Container Insights is off: add the cluster setting `containerInsights` = \"enabled\"."] },
        { title: "no settings", props: {}, expect: ["Container Insights is off: add the cluster setting `containerInsights` = \"enabled\"."] },
        { title: "enhanced passes", props: { settings: [{ name: "containerInsights", value: "enhanced" }] }, expect: [] },
    ] },

    // ALB and ACM
    { policy: "alb-http-redirects-to-https", type: T.listener, compliant: httpListener(), faults: [
        { title: "HTTP listener forwarding", props: httpListener({ defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] }),
            expect: ["HTTP listener on port 80 does not redirect to HTTPS: make its only default action a redirect with protocol \"HTTPS\"."] },
        { title: "redirect to HTTP", props: httpListener({ defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP", port: "8080" } }] }),
            expect: ["HTTP listener on port 80 does not redirect to HTTPS: make its only default action a redirect with protocol \"HTTPS\"."] },
        { title: "no default action", props: httpListener({ defaultActions: [] }),
            expect: ["HTTP listener on port 80 does not redirect to HTTPS: make its only default action a redirect with protocol \"HTTPS\"."] },
        { title: "an HTTPS listener is not checked here", props: httpsListener(), expect: [] },
    ] },
    { policy: "alb-https-tls-policy", type: T.albListener, compliant: httpsListener(), faults: [
        { title: "a TLS 1.0 policy", props: httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" }), expect: ["sslPolicy \"ELBSecurityPolicy-2016-08\" is not allowed: use \"ELBSecurityPolicy-TLS13-1-2-2021-06\" or another TLS 1.2+ forward-secrecy policy."] },
        { title: "unset (AWS default)", props: httpsListener({ sslPolicy: undefined }), expect: ["sslPolicy is unset (AWS default): use \"ELBSecurityPolicy-TLS13-1-2-2021-06\" or another TLS 1.2+ forward-secrecy policy."] },
        { title: "no certificate", props: httpsListener({ certificateArn: undefined }), expect: ["HTTPS listener has no `certificateArn`: attach the ACM certificate."] },
        { title: "an HTTP listener is not checked here", props: httpListener(), expect: [] },
    ] },
    { policy: "alb-drop-invalid-headers", type: T.lb, compliant: lb(), faults: [
        { title: "invalid headers forwarded", props: lb({ dropInvalidHeaderFields: false }), expect: ["Invalid header fields are forwarded: set `dropInvalidHeaderFields: true`."] },
        { title: "unset", props: lb({ dropInvalidHeaderFields: undefined }), expect: ["Invalid header fields are forwarded: set `dropInvalidHeaderFields: true`."] },
        { title: "a network load balancer is not checked", props: lb({ loadBalancerType: "network", dropInvalidHeaderFields: false }), expect: [] },
    ] },
    { policy: "alb-access-logs", type: T.alb, compliant: lb(), faults: [
        { title: "no access logs (aws:alb token)", props: lb({ accessLogs: undefined }), expect: ["Access logging is off: set `accessLogs: { bucket, enabled: true }`."] },
        { title: "disabled", props: lb({ accessLogs: { bucket: "b", enabled: false } }), expect: ["Access logging is off: set `accessLogs: { bucket, enabled: true }`."] },
        { title: "no bucket", props: lb({ accessLogs: { enabled: true } }), expect: ["Access logging is off: set `accessLogs: { bucket, enabled: true }`."] },
    ] },
    { policy: "alb-deletion-protection", type: T.lb, stack: "prod", compliant: lb(), faults: [
        { title: "off", props: lb({ enableDeletionProtection: false }), expect: ["Deletion protection is off: set `enableDeletionProtection: true`, or make a reasoned exception in the stack's policy config."] },
        { title: "unset", props: lb({ enableDeletionProtection: undefined }), expect: ["Deletion protection is off: set `enableDeletionProtection: true`, or make a reasoned exception in the stack's policy config."] },
        { title: "off with a reasoned exception passes", props: lb({ enableDeletionProtection: false }), config: { required: false, exceptionReason: "disposable dev stack" }, expect: [] },
        { title: "off with an exception but no reason", props: lb({ enableDeletionProtection: false }), config: { required: false, exceptionReason: " " },
            expect: [noReason("required: false"), "Deletion protection is off: set `enableDeletionProtection: true`, or make a reasoned exception in the stack's policy config."] },
    ] },
    { policy: "alb-multiple-azs", type: T.lb, compliant: lb(), faults: [
        { title: "one subnet", props: lb({ subnets: ["subnet-a"] }), expect: ["The load balancer has 1 subnet(s): give it subnets in at least two Availability Zones."] },
        { title: "the same subnet twice", props: lb({ subnets: ["subnet-a", "subnet-a"] }), expect: ["The load balancer has 1 subnet(s): give it subnets in at least two Availability Zones."] },
        { title: "no subnets", props: lb({ subnets: undefined }), expect: ["The load balancer has 0 subnet(s): give it subnets in at least two Availability Zones."] },
        { title: "two subnet mappings pass", props: lb({ subnets: undefined, subnetMappings: [{ subnetId: "a" }, { subnetId: "b" }] }), expect: [] },
        { title: "one subnet mapping", props: lb({ subnets: undefined, subnetMappings: [{ subnetId: "a" }] }), expect: ["The load balancer has 1 subnet(s): give it subnets in at least two Availability Zones."] },
    ] },
    { policy: "alb-desync-mitigation", type: T.lb, compliant: lb(), faults: [
        { title: "monitor mode", props: lb({ desyncMitigationMode: "monitor" }), expect: ["desyncMitigationMode is \"monitor\": set it to \"defensive\" or \"strictest\"."] },
        { title: "strictest passes", props: lb({ desyncMitigationMode: "strictest" }), expect: [] },
        { title: "unset (defensive) passes", props: lb({ desyncMitigationMode: undefined }), expect: [] },
    ] },
    { policy: "acm-certificate-managed-renewal", type: T.cert, compliant: { domainName: "tms.example.com", validationMethod: "DNS" }, faults: [
        { title: "e-mail validation", props: { domainName: "tms.example.com", validationMethod: "EMAIL" }, expect: ["validationMethod is \"EMAIL\": use \"DNS\" so ACM renews the certificate by itself."] },
        { title: "no validation method", props: { domainName: "tms.example.com" }, expect: ["validationMethod is unset: use \"DNS\" so ACM renews the certificate by itself."] },
        { title: "an RSA 1024 key", props: { domainName: "tms.example.com", validationMethod: "DNS", keyAlgorithm: "RSA_1024" }, expect: ["keyAlgorithm \"RSA_1024\" is shorter than 2,048 bits: use RSA_2048 or an EC key."] },
        { title: "RSA 2048 passes", props: { domainName: "tms.example.com", validationMethod: "DNS", keyAlgorithm: "RSA_2048" }, expect: [] },
        { title: "an imported certificate needs no validation", props: { certificateBody: "-----BEGIN", privateKey: "k" }, expect: [] },
    ] },

    // CloudFront
    { policy: "cloudfront-default-root-object", type: T.cf, compliant: distribution(), faults: [
        { title: "default behaviour on the S3 origin without a root object", props: distribution({ defaultCacheBehavior: { targetOriginId: "assets", viewerProtocolPolicy: "redirect-to-https" } }),
            expect: ["The default cache behaviour serves S3 origin \"assets\" without a `defaultRootObject`: set one so the root URL never lists the bucket."] },
        { title: "with a root object it passes", props: distribution({ defaultCacheBehavior: { targetOriginId: "assets", viewerProtocolPolicy: "redirect-to-https" }, defaultRootObject: "index.html" }), expect: [] },
    ] },
    { policy: "cloudfront-viewer-https", type: T.cf, compliant: distribution(), faults: [
        { title: "allow-all on an ordered behaviour", props: distribution({ orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "allow-all" }] }),
            expect: ["orderedCacheBehaviors[0] (/static/*) allows viewerProtocolPolicy \"allow-all\": set it to \"redirect-to-https\"."] },
        { title: "allow-all on the default behaviour", props: distribution({ defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "allow-all" } }),
            expect: ["defaultCacheBehavior allows viewerProtocolPolicy \"allow-all\": set it to \"redirect-to-https\"."] },
    ] },
    { policy: "cloudfront-minimum-tls", type: T.cf, compliant: distribution(), faults: [
        { title: "TLSv1 minimum", props: vc({ minimumProtocolVersion: "TLSv1" }), expect: ["viewerCertificate.minimumProtocolVersion is \"TLSv1\": set it to \"TLSv1.2_2021\"."] },
        { title: "TLSv1.2_2019 minimum", props: vc({ minimumProtocolVersion: "TLSv1.2_2019" }), expect: ["viewerCertificate.minimumProtocolVersion is \"TLSv1.2_2019\": set it to \"TLSv1.2_2021\"."] },
        { title: "TLSv1.2_2025 passes", props: vc({ minimumProtocolVersion: "TLSv1.2_2025" }), expect: [] },
        { title: "TLSv1.3_2025 passes", props: vc({ minimumProtocolVersion: "TLSv1.3_2025" }), expect: [] },
        { title: "no minimum", props: vc({ minimumProtocolVersion: undefined }), expect: ["viewerCertificate.minimumProtocolVersion is unset: set it to \"TLSv1.2_2021\"."] },
        { title: "the default certificate", props: distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }),
            expect: ["The distribution uses the default CloudFront certificate (TLSv1 allowed): attach an ACM certificate in `viewerCertificate.acmCertificateArn`."] },
        { title: "a dedicated IP instead of SNI (CloudFront.8)", props: vc({ sslSupportMethod: "vip" }), expect: ["viewerCertificate.sslSupportMethod is \"vip\": set it to \"sni-only\"."] },
        { title: "no SSL support method", props: vc({ sslSupportMethod: undefined }), expect: ["viewerCertificate.sslSupportMethod is unset: set it to \"sni-only\"."] },
    ] },
    { policy: "cloudfront-origin-https-only", type: T.cf, compliant: distribution(), faults: [
        { title: "match-viewer", props: origin({ originProtocolPolicy: "match-viewer" }), expect: ["Origin \"alb\" uses originProtocolPolicy \"match-viewer\": set it to \"https-only\"."] },
        { title: "http-only", props: origin({ originProtocolPolicy: "http-only" }), expect: ["Origin \"alb\" uses originProtocolPolicy \"http-only\": set it to \"https-only\"."] },
        { title: "TLSv1 allowed to the origin", props: origin({ originSslProtocols: ["TLSv1", "TLSv1.2"] }), expect: ["Origin \"alb\" allows TLSv1: set originSslProtocols to [\"TLSv1.2\"]."] },
        { title: "SSLv3 and TLSv1.1 allowed", props: origin({ originSslProtocols: ["SSLv3", "TLSv1.1"] }), expect: ["Origin \"alb\" allows SSLv3, TLSv1.1: set originSslProtocols to [\"TLSv1.2\"]."] },
    ] },
    { policy: "cloudfront-origin-access-control", type: T.cf, compliant: distribution(), faults: [
        { title: "S3 origin without OAC", props: distribution({ origins: [albOrigin, { originId: "assets", domainName: "tms-assets.s3.amazonaws.com" }] }),
            expect: ["S3 origin \"assets\" has no origin access control: set `originAccessControlId`."] },
    ] },
    { policy: "cloudfront-logging", type: T.cf, compliant: distribution(), faults: [
        { title: "no logging", props: distribution({ loggingConfig: undefined }), expect: ["Access logging is off: set `loggingConfig.bucket` to the log bucket's domain name."] },
        { title: "logging without bucket", props: distribution({ loggingConfig: { prefix: "cdn/" } }), expect: ["Access logging is off: set `loggingConfig.bucket` to the log bucket's domain name."] },
    ] },
    { policy: "cloudfront-waf", type: T.cf, compliant: distribution(), faults: [
        { title: "no web ACL", props: distribution({ webAclId: undefined }), expect: ["No web ACL is attached: set `webAclId` to a CLOUDFRONT-scope WAFv2 web ACL ARN."] },
    ] },

    // DocumentDB
    { policy: "docdb-encryption-customer-key", type: T.docdb, compliant: docdb(), faults: [
        { title: "the AWS-managed key", props: docdb({ kmsKeyId: undefined }), expect: ["No customer-managed key: set `kmsKeyId` to a KMS key ARN (the AWS-managed key is not allowed)."] },
        { title: "unencrypted", props: docdb({ storageEncrypted: false }), expect: ["Storage is not encrypted: set `storageEncrypted: true`."] },
    ] },
    { policy: "docdb-encryption-customer-key", type: T.docdbGlobal, compliant: { globalClusterIdentifier: "tms", storageEncrypted: true }, faults: [
        { title: "an unencrypted global cluster", props: { globalClusterIdentifier: "tms", storageEncrypted: false }, expect: ["Storage is not encrypted: set `storageEncrypted: true`."] },
    ] },
    { policy: "docdb-tls-version", type: T.docdbParams, compliant: params("tls1.2+"), faults: [
        { title: "tls enabled (TLS 1.0 through 1.3)", props: params("enabled"), expect: ["Parameter `tls` is \"enabled\", which accepts TLS 1.0 and 1.1: set it to \"tls1.2+\"."] },
        { title: "tls disabled", props: params("disabled"), expect: ["Parameter `tls` is \"disabled\", which accepts plaintext connections: set it to \"tls1.2+\"."] },
        { title: "an unknown value", props: params("tls1.1+"), expect: ["Parameter `tls` is \"tls1.1+\", which is not a TLS floor: set it to \"tls1.2+\"."] },
        { title: "tls1.3+ passes", props: params("tls1.3+"), expect: [] },
        { title: "fips-140-3 passes", props: params("fips-140-3"), expect: [] },
        { title: "tls not set", props: params(undefined), expect: ["Parameter `tls` is not set (the default accepts TLS 1.0): add `{ name: \"tls\", value: \"tls1.2+\" }`."] },
    ] },
    { policy: "docdb-tls-version", type: T.docdb, compliant: docdb(), faults: [
        { title: "the default parameter group", props: docdb({ dbClusterParameterGroupName: "default.docdb5.0" }), expect: ["The cluster uses the default parameter group: set `dbClusterParameterGroupName` to a group that sets `tls` to \"tls1.2+\"."] },
        { title: "no parameter group", props: docdb({ dbClusterParameterGroupName: undefined }), expect: ["The cluster uses the default parameter group: set `dbClusterParameterGroupName` to a group that sets `tls` to \"tls1.2+\"."] },
    ] },
    { policy: "docdb-audit-log-export", type: T.docdb, compliant: docdb(), faults: [
        { title: "no audit export", props: docdb({ enabledCloudwatchLogsExports: ["profiler"] }), expect: ["Audit logs are not exported: add \"audit\" to `enabledCloudwatchLogsExports`."] },
        { title: "no exports at all", props: docdb({ enabledCloudwatchLogsExports: undefined }), expect: ["Audit logs are not exported: add \"audit\" to `enabledCloudwatchLogsExports`."] },
    ] },
    { policy: "docdb-audit-log-export", type: T.docdbParams, compliant: params("tls1.2+"), faults: [
        { title: "audit_logs missing", props: docdbParams([{ name: "tls", value: "tls1.2+" }]), expect: ["Parameter `audit_logs` is not set: set it to \"enabled\"."] },
        { title: "audit_logs disabled", props: params("tls1.2+", "disabled"), expect: ["Parameter `audit_logs` is \"disabled\": set it to \"enabled\"."] },
        { title: "audit_logs none", props: params("tls1.2+", "none"), expect: ["Parameter `audit_logs` is \"none\": set it to \"enabled\"."] },
        { title: "audit_logs all passes", props: params("tls1.2+", "all"), expect: [] },
    ] },
    { policy: "docdb-backup-retention", type: T.docdb, compliant: docdb({ backupRetentionPeriod: 7 }), faults: [
        { title: "6 days, one below the control's 7", props: docdb({ backupRetentionPeriod: 6 }), expect: ["backupRetentionPeriod is 6 days; this stack requires at least 7."] },
        { title: "unset (1 day)", props: docdb({ backupRetentionPeriod: undefined }), expect: ["backupRetentionPeriod is unset (1 day); this stack requires at least 7."] },
        { title: "29 days where the config asks 30", props: docdb({ backupRetentionPeriod: 29 }), config: { minimumDays: 30 }, expect: ["backupRetentionPeriod is 29 days; this stack requires at least 30."] },
        { title: "30 days where the config asks 30 passes", props: docdb({ backupRetentionPeriod: 30 }), config: { minimumDays: 30 }, expect: [] },
        { title: "3 days with dev's reasoned exception passes", props: docdb({ backupRetentionPeriod: 3 }), config: { minimumDays: 3, exceptionReason: "disposable data" }, expect: [] },
        { title: "2 days under dev's exception of 3", props: docdb({ backupRetentionPeriod: 2 }), config: { minimumDays: 3, exceptionReason: "disposable data" }, expect: ["backupRetentionPeriod is 2 days; this stack requires at least 3."] },
        { title: "an exception without a reason keeps the control's 7", props: docdb({ backupRetentionPeriod: 3 }), config: { minimumDays: 3 },
            expect: [noReason("minimumDays: 3"), "backupRetentionPeriod is 3 days; this stack requires at least 7."] },
    ] },
    { policy: "docdb-deletion-protection", type: T.docdb, stack: "dr", compliant: docdb(), faults: [
        { title: "deletion protection off", props: docdb({ deletionProtection: false }), expect: ["Deletion protection is off: set `deletionProtection: true`, or make a reasoned exception in the stack's policy config."] },
        { title: "no final snapshot", props: docdb({ skipFinalSnapshot: true }), expect: ["`skipFinalSnapshot` is true: set it to false and give a `finalSnapshotIdentifier`."] },
        { title: "both off with dev's reasoned exception pass", props: docdb({ deletionProtection: false, skipFinalSnapshot: true }), config: { required: false, exceptionReason: "disposable dev cluster" }, expect: [] },
        { title: "an exception without a reason", props: docdb({ deletionProtection: false }), config: { required: false },
            expect: [noReason("required: false"), "Deletion protection is off: set `deletionProtection: true`, or make a reasoned exception in the stack's policy config."] },
    ] },

    // ElastiCache
    { policy: "elasticache-encryption-at-rest", type: T.redis, compliant: redis(), faults: [
        { title: "unencrypted at rest", props: redis({ atRestEncryptionEnabled: false }), expect: ["Encryption at rest is off: set `atRestEncryptionEnabled: true`."] },
    ] },
    { policy: "elasticache-encryption-in-transit", type: T.redis, compliant: redis(), faults: [
        { title: "plaintext in transit (unset)", props: redis({ transitEncryptionEnabled: undefined }), expect: ["Encryption in transit is off: set `transitEncryptionEnabled: true`."] },
    ] },
    { policy: "elasticache-auth", type: T.redis, compliant: redis(), faults: [
        { title: "no AUTH", props: redis({ authToken: undefined }), expect: ["Redis accepts unauthenticated clients: set `authToken` (from Secrets Manager) or `userGroupIds`."] },
        { title: "RBAC user groups instead pass", props: redis({ authToken: undefined, userGroupIds: ["tms"] }), expect: [] },
    ] },
    { policy: "elasticache-auth-token-update-strategy", type: T.redis, compliant: redis(), faults: [
        { title: "no strategy", props: redis({ authTokenUpdateStrategy: undefined }), expect: ["authTokenUpdateStrategy is unset: set it to \"SET\" (or \"ROTATE\" while rotating) so a new token replaces the old one deliberately."] },
        { title: "DELETE with a token", props: redis({ authTokenUpdateStrategy: "DELETE" }), expect: ["authTokenUpdateStrategy is \"DELETE\": set it to \"SET\" (or \"ROTATE\" while rotating) so a new token replaces the old one deliberately."] },
        { title: "ROTATE passes (during a rotation)", props: redis({ authTokenUpdateStrategy: "ROTATE" }), expect: [] },
        { title: "no token, no strategy needed", props: redis({ authToken: undefined, authTokenUpdateStrategy: undefined }), expect: [] },
    ] },
    { policy: "elasticache-automatic-failover", type: T.redis, compliant: redis(), faults: [
        { title: "no failover", props: redis({ automaticFailoverEnabled: false }), expect: ["Automatic failover is off: set `automaticFailoverEnabled: true` (and `multiAzEnabled: true`)."] },
    ] },
    { policy: "elasticache-snapshots", type: T.redis, compliant: redis({ snapshotRetentionLimit: 1 }), faults: [
        { title: "0 days, one below the minimum", props: redis({ snapshotRetentionLimit: 0 }), expect: ["snapshotRetentionLimit is 0: set it to at least 1 day."] },
        { title: "unset", props: redis({ snapshotRetentionLimit: undefined }), expect: ["snapshotRetentionLimit is unset (0): set it to at least 1 day."] },
    ] },
    { policy: "elasticache-subnet-group", type: T.redis, compliant: redis(), faults: [
        { title: "the default subnet group", props: redis({ subnetGroupName: "default" }), expect: ["Redis uses the default subnet group: set `subnetGroupName` to a dedicated group of private subnets."] },
        { title: "no subnet group", props: redis({ subnetGroupName: undefined }), expect: ["Redis uses the default subnet group: set `subnetGroupName` to a dedicated group of private subnets."] },
        { title: "an empty subnet group name", props: redis({ subnetGroupName: "" }), expect: ["Redis uses the default subnet group: set `subnetGroupName` to a dedicated group of private subnets."] },
    ] },
    { policy: "elasticache-auto-minor-version-upgrade", type: T.redis, compliant: redis(), faults: [
        { title: "minor upgrades off", props: redis({ autoMinorVersionUpgrade: false }), expect: ["Automatic minor version upgrades are off: set `autoMinorVersionUpgrade: true`."] },
        { title: "unset (AWS default: on) passes", props: redis({ autoMinorVersionUpgrade: undefined }), expect: [] },
    ] },

    // Maintenance windows
    { policy: "maintenance-window-weekly-slot", type: T.docdb, compliant: docdb(), faults: [
        { title: "a Sunday window", props: docdb({ preferredMaintenanceWindow: "sun:05:00-sun:06:00" }),
            expect: ["`preferredMaintenanceWindow` \"sun:05:00-sun:06:00\" is outside the weekly slot: use \"tue:07:00-tue:08:00\" (Tuesday 02:00–04:00 Eastern in both EST and EDT)."] },
        { title: "no window", props: docdb({ preferredMaintenanceWindow: undefined }), expect: ["`preferredMaintenanceWindow` is unset (AWS picks a random slot): set it to \"tue:07:00-tue:08:00\"."] },
        { title: "a backup window overlapping the slot", props: docdb({ preferredBackupWindow: "06:30-07:30" }),
            expect: ["`preferredBackupWindow` \"06:30-07:30\" overlaps the maintenance slot 07:00–08:00 UTC: move it, e.g. to \"05:00-06:00\"."] },
    ] },
    { policy: "maintenance-window-weekly-slot", type: T.redis, compliant: redis(), faults: [
        { title: "a window running past 08:00 UTC", props: redis({ maintenanceWindow: "tue:07:00-tue:09:00" }),
            expect: ["`maintenanceWindow` \"tue:07:00-tue:09:00\" is outside the weekly slot: use \"tue:07:00-tue:08:00\" (Tuesday 02:00–04:00 Eastern in both EST and EDT)."] },
        { title: "a snapshot window overlapping the slot", props: redis({ snapshotWindow: "07:30-08:30" }),
            expect: ["`snapshotWindow` \"07:30-08:30\" overlaps the maintenance slot 07:00–08:00 UTC: move it, e.g. to \"05:00-06:00\"."] },
    ] },
    { policy: "maintenance-window-weekly-slot", type: T.docdbInstance, compliant: { preferredMaintenanceWindow: "tue:07:00-tue:07:30" }, faults: [
        { title: "an instance without a window", props: {}, expect: ["`preferredMaintenanceWindow` is unset (AWS picks a random slot): set it to \"tue:07:00-tue:08:00\"."] },
        { title: "an instance window starting at 06:59", props: { preferredMaintenanceWindow: "tue:06:59-tue:07:30" },
            expect: ["`preferredMaintenanceWindow` \"tue:06:59-tue:07:30\" is outside the weekly slot: use \"tue:07:00-tue:08:00\" (Tuesday 02:00–04:00 Eastern in both EST and EDT)."] },
    ] },

    // ECR
    { policy: "ecr-scan-on-push", type: T.ecr, compliant: repo(), faults: [
        { title: "no scanning configuration", props: repo({ imageScanningConfiguration: undefined }), expect: ["Images are not scanned on push: set `imageScanningConfiguration.scanOnPush: true`."] },
        { title: "scan on push off", props: repo({ imageScanningConfiguration: { scanOnPush: false } }), expect: ["Images are not scanned on push: set `imageScanningConfiguration.scanOnPush: true`."] },
    ] },
    { policy: "ecr-tag-immutability", type: T.ecr, compliant: repo(), faults: [
        { title: "mutable tags", props: repo({ imageTagMutability: "MUTABLE" }), expect: ["imageTagMutability is \"MUTABLE\": set it to \"IMMUTABLE\"."] },
        { title: "unset (MUTABLE)", props: repo({ imageTagMutability: undefined }), expect: ["imageTagMutability is unset (MUTABLE): set it to \"IMMUTABLE\"."] },
        { title: "immutable with an exclusion passes", props: repo({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" }), expect: [] },
    ] },
    { policy: "ecr-repository-customer-key", type: T.ecr, compliant: repo(), faults: [
        { title: "AES256", props: repo({ encryptionConfigurations: [{ encryptionType: "AES256" }] }), expect: ["Images are not encrypted with a customer-managed key: set `encryptionConfigurations` to KMS with the stack's key."] },
        { title: "KMS with the AWS-managed key", props: repo({ encryptionConfigurations: [{ encryptionType: "KMS" }] }), expect: ["Images are not encrypted with a customer-managed key: set `encryptionConfigurations` to KMS with the stack's key."] },
        { title: "no encryption configuration", props: repo({ encryptionConfigurations: undefined }), expect: ["Images are not encrypted with a customer-managed key: set `encryptionConfigurations` to KMS with the stack's key."] },
    ] },

    // Secrets Manager, SSM
    { policy: "secretsmanager-customer-key", type: T.secret, compliant: { name: "development/api-gateway/db-password", kmsKeyId: "arn:kms" }, faults: [
        { title: "the AWS-managed key", props: { name: "development/api-gateway/db-password" }, expect: ["The secret uses the AWS-managed key: set `kmsKeyId` to a customer-managed KMS key."] },
    ] },
    { policy: "secretsmanager-name-pattern", type: T.secret, stack: "staging", compliant: { name: "staging/task-service/redis-auth" }, faults: [
        { title: "another environment's prefix", props: { name: "prod/task-service/redis-auth" }, expect: ["Secret name \"prod/task-service/redis-auth\" does not follow `staging/<service>/<secret-name>`."] },
        { title: "two segments", props: { name: "staging/redis-auth" }, expect: ["Secret name \"staging/redis-auth\" does not follow `staging/<service>/<secret-name>`."] },
        { title: "an empty segment", props: { name: "staging//redis-auth" }, expect: ["Secret name \"staging//redis-auth\" does not follow `staging/<service>/<secret-name>`."] },
        { title: "no name", props: {}, expect: ["The secret has no `name`: set it to `<env>/<service>/<secret-name>` so IAM can scope access by path."] },
        { title: "a namePrefix following the pattern passes", props: { namePrefix: "staging/task-service/redis-auth-" }, expect: [] },
    ] },
    { policy: "ssm-securestring-for-sensitive", type: T.param, compliant: { name: "/development/api-gateway/db-password", type: "SecureString", value: "x" }, faults: [
        { title: "a password as String", props: { name: "/development/api-gateway/db-password", type: "String", value: "x" }, expect: ["Parameter \"/development/api-gateway/db-password\" looks sensitive but is String: make it a SecureString or move it to Secrets Manager."] },
        { title: "a token as StringList", props: { name: "/development/api-gateway/auth-token", type: "StringList", value: "x" }, expect: ["Parameter \"/development/api-gateway/auth-token\" looks sensitive but is StringList: make it a SecureString or move it to Secrets Manager."] },
        { title: "an ARN reference is not sensitive", props: { name: "/development/api-gateway/db-secret-arn", type: "String", value: "arn" }, expect: [] },
        { title: "an untyped API key", props: { name: "/development/api-gateway/api_key", value: "x" }, expect: ["Parameter \"/development/api-gateway/api_key\" looks sensitive but is untyped: make it a SecureString or move it to Secrets Manager."] },
    ] },
    { policy: "ssm-parameter-name-pattern", type: T.param, stack: "prod", compliant: { name: "/production/api-gateway/allowed-origins", type: "String" }, faults: [
        { title: "a flat name", props: { name: "allowed-origins", type: "String" }, expect: ["Parameter name \"allowed-origins\" does not follow `/production/<service>/<parameter-name>`."] },
        { title: "another environment's long name", props: { name: "/development/api-gateway/allowed-origins", type: "String" }, expect: ["Parameter name \"/development/api-gateway/allowed-origins\" does not follow `/production/<service>/<parameter-name>`."] },
        { title: "the short prod name passes", props: { name: "/prod/api-gateway/allowed-origins", type: "String" }, expect: [] },
        { title: "no name", props: { type: "String" }, expect: ["Parameter name (unset) does not follow `/production/<service>/<parameter-name>`."] },
    ] },

    // IAM, KMS
    { policy: "iam-no-admin-wildcard", type: T.iamPolicy, compliant: { policy: doc(allow({ Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" })) }, faults: [
        { title: "* on * as strings", props: { policy: doc(allow({ Sid: "Admin", Action: "*", Resource: "*" })) }, expect: ["policy, statement \"Admin\" allows \"*\" on \"*\": grant only the actions and resources needed."] },
        { title: "* on * as lists", props: { policy: doc(allow({ Action: ["*"], Resource: ["*"] })) }, expect: ["policy, statement 0 allows \"*\" on \"*\": grant only the actions and resources needed."] },
        { title: "* on one resource passes", props: { policy: doc(allow({ Action: "*", Resource: "arn:aws:s3:::b" })) }, expect: [] },
        { title: "a Deny of * on * passes", props: { policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) }, expect: [] },
    ] },
    { policy: "iam-no-admin-wildcard", type: T.role, compliant: { assumeRolePolicy: ecsTrust, inlinePolicies: [{ name: "read", policy: doc(allow({ Action: "ssm:GetParameter", Resource: "*" })) }] }, faults: [
        { title: "* on * in a role's inline policy (object document)", props: { assumeRolePolicy: ecsTrust, inlinePolicies: [{ name: "all", policy: { Version: "2012-10-17", Statement: [allow({ Action: ["*"], Resource: ["*"] })] } }] },
            expect: ["inline policy all, statement 0 allows \"*\" on \"*\": grant only the actions and resources needed."] },
    ] },
    { policy: "iam-no-admin-wildcard", type: T.rolePolicy, name: "emergency-admin", compliant: { role: "tms-emergency-access", policy: doc(allow({ Action: "*", Resource: "*" })) }, faults: [
        { title: "another role may not have full access", name: "ops-admin", props: { role: "tms-operations-role", policy: doc(allow({ Action: "*", Resource: "*" })) },
            expect: ["policy, statement 0 allows \"*\" on \"*\": grant only the actions and resources needed."] },
        { title: "the break-glass role spelled break-glass passes", name: "ops-admin", props: { role: "tms-break-glass", policy: doc(allow({ Action: "*", Resource: "*" })) }, expect: [] },
    ] },
    { policy: "iam-no-service-wildcard", type: T.rolePolicy, compliant: { role: "r", policy: doc(allow({ Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" })) }, faults: [
        { title: "s3:* in a list", props: { role: "r", policy: doc(allow({ Action: ["s3:*", "logs:CreateLogStream"], Resource: "*" })) }, expect: ["policy, statement 0 allows s3:*: list the specific actions."] },
        { title: "ecs:* as a string", props: { role: "r", policy: doc(allow({ Sid: "Ecs", Action: "ecs:*", Resource: "*" })) }, expect: ["policy, statement \"Ecs\" allows ecs:*: list the specific actions."] },
        { title: "a prefix wildcard (s3:Get*) passes", props: { role: "r", policy: doc(allow({ Action: "s3:Get*", Resource: "*" })) }, expect: [] },
    ] },
    { policy: "iam-emergency-access-mfa", type: T.role, name: "tms-emergency-access", compliant: { name: "tms-emergency-access", assumeRolePolicy: mfaTrust }, faults: [
        { title: "without MFA", props: { name: "tms-emergency-access", assumeRolePolicy: doc(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" })) },
            expect: ["assumeRolePolicy statement 0 lets the emergency role be assumed without MFA: add the aws:MultiFactorAuthPresent condition."] },
        { title: "MFA false", props: { name: "tms-emergency-access", assumeRolePolicy: doc(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": "false" } } })) },
            expect: ["assumeRolePolicy statement 0 lets the emergency role be assumed without MFA: add the aws:MultiFactorAuthPresent condition."] },
        { title: "an MFA age condition passes", props: { name: "tms-emergency-access", assumeRolePolicy: doc(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole", Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } } })) }, expect: [] },
        { title: "no readable trust", props: { name: "tms-emergency-access", assumeRolePolicy: doc() }, expect: ["The emergency role has no readable trust policy: set `assumeRolePolicy` with an MFA condition."] },
        { title: "another role is not checked", name: "tms-readonly-role", props: { name: "tms-readonly-role", assumeRolePolicy: doc(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sts:AssumeRole" })) }, expect: [] },
    ] },
    { policy: "iam-no-public-trust", type: T.role, compliant: { assumeRolePolicy: ecsTrust }, faults: [
        { title: "Principal \"*\"", props: { assumeRolePolicy: doc(allow({ Principal: "*", Action: "sts:AssumeRole" })) }, expect: ["assumeRolePolicy statement 0 lets any AWS principal assume the role: name the trusted service or account."] },
        { title: "Principal { AWS: \"*\" }", props: { assumeRolePolicy: doc(allow({ Principal: { AWS: "*" }, Action: "sts:AssumeRole" })) }, expect: ["assumeRolePolicy statement 0 lets any AWS principal assume the role: name the trusted service or account."] },
        { title: "Principal { AWS: [\"*\"] }", props: { assumeRolePolicy: doc(allow({ Principal: { AWS: ["arn:aws:iam::111122223333:root", "*"] }, Action: "sts:AssumeRole" })) }, expect: ["assumeRolePolicy statement 0 lets any AWS principal assume the role: name the trusted service or account."] },
        { title: "with a condition it passes", props: { assumeRolePolicy: doc(allow({ Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } })) }, expect: [] },
    ] },
    { policy: "iam-service-trust-confused-deputy", type: T.role, compliant: { assumeRolePolicy: ecsTrust }, faults: [
        { title: "a service trust without condition", props: { assumeRolePolicy: doc(allow({ Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" })) },
            expect: ["assumeRolePolicy statement 0 trusts vpc-flow-logs.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when VPC Flow Logs assumes its delivery role to write to CloudWatch Logs): add the condition so the service acts only for this account's resources."] },
        { title: "two known services in a list, an unrelated condition: one message per service", props: { assumeRolePolicy: doc(allow({ Sid: "Both", Principal: { Service: ["s3.amazonaws.com", "cloudtrail.amazonaws.com"] }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:SecureTransport": "true" } } })) },
            expect: [
                "assumeRolePolicy statement \"Both\" trusts s3.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when S3 assumes the replication role of a source bucket): add the condition so the service acts only for this account's resources.",
                "assumeRolePolicy statement \"Both\" trusts cloudtrail.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when CloudTrail assumes the role that delivers a trail to CloudWatch Logs): add the condition so the service acts only for this account's resources.",
            ] },
        { title: "a service the table does not know, without condition", props: { assumeRolePolicy: doc(allow({ Principal: { Service: ["lambda.amazonaws.com", "events.amazonaws.com"] }, Action: "sts:AssumeRole" })) },
            expect: ["assumeRolePolicy statement 0 trusts lambda.amazonaws.com, events.amazonaws.com without aws:SourceAccount or aws:SourceArn: add the condition so the service acts only for this account's resources (if AWS sends neither for this integration, add it to config/service-integrations.ts with AWS's page)."] },
        { title: "an unknown service with aws:SourceAccount passes", props: { assumeRolePolicy: doc(allow({ Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } })) }, expect: [] },
        { title: "aws:SourceArn in any case passes", props: { assumeRolePolicy: doc(allow({ Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::b" } } })) }, expect: [] },
        { title: "an account principal is not a service", props: { assumeRolePolicy: mfaTrust }, expect: [] },
    ] },
    { policy: "iam-no-cloudshell-full-access", type: T.attachment, compliant: { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, faults: [
        { title: "AWSCloudShellFullAccess attached", props: { role: "r", policyArn: "arn:aws:iam::aws:policy/AWSCloudShellFullAccess" }, expect: ["AWSCloudShellFullAccess is attached: it allows file upload and download through CloudShell; remove it."] },
    ] },
    { policy: "iam-no-cloudshell-full-access", type: T.role, compliant: { assumeRolePolicy: ecsTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }, faults: [
        { title: "in a role's managedPolicyArns", props: { assumeRolePolicy: ecsTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/AWSCloudShellFullAccess"] }, expect: ["AWSCloudShellFullAccess is attached: it allows file upload and download through CloudShell; remove it."] },
    ] },
    { policy: "kms-key-rotation", type: T.kms, compliant: key(), faults: [
        { title: "no rotation", props: { ...key(), enableKeyRotation: undefined }, expect: ["Key rotation is off: set `enableKeyRotation: true`."] },
        { title: "rotation false", props: { ...key(), enableKeyRotation: false }, expect: ["Key rotation is off: set `enableKeyRotation: true`."] },
        { title: "an asymmetric key cannot rotate: passes", props: { ...key(), customerMasterKeySpec: "RSA_2048", enableKeyRotation: false }, expect: [] },
    ] },
    { policy: "kms-key-policy-not-public", type: T.kms, compliant: key(), faults: [
        { title: "Principal \"*\"", props: key(allow({ Sid: "Anyone", Principal: "*", Action: "kms:Decrypt", Resource: "*" })), expect: ["Key policy statement \"Anyone\" lets any principal use the key: name the principals."] },
        { title: "Principal { AWS: \"*\" }", props: key(allow({ Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" })), expect: ["Key policy statement 2 lets any principal use the key: name the principals."] },
        { title: "with a condition it passes", props: key(allow({ Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:CallerAccount": "111122223333" } } })), expect: [] },
    ] },
    { policy: "kms-key-policy-not-public", type: T.keyPolicy, compliant: { keyId: "k", policy: key().policy }, faults: [
        { title: "a KeyPolicy open to everyone", props: { keyId: "k", policy: key(allow({ Principal: { AWS: ["*"] }, Action: "kms:*", Resource: "*" })).policy }, expect: ["Key policy statement 2 lets any principal use the key: name the principals."] },
    ] },
    { policy: "kms-key-policy-confused-deputy", type: T.kms, compliant: key(), faults: [
        { title: "CloudWatch alarms without a condition", props: key(allow({ Sid: "Alarms", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" })),
            expect: ["Key policy statement \"Alarms\" trusts cloudwatch.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when a CloudWatch alarm publishes to a KMS-encrypted SNS topic): add the condition so the service acts only for this account's resources."] },
        { title: "CloudWatch alarms with aws:SourceAccount pass", props: key(allow({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } })), expect: [] },
        { title: "EventBridge without a condition passes (AWS sends no confused-deputy key for it)", props: key(allow({ Principal: { Service: "events.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" })), expect: [] },
        { title: "EventBridge under aws:SourceAccount (the review's defect 4)", props: key(allow({ Sid: "AlarmsAndEvents", Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } })),
            expect: ["Key policy statement \"AlarmsAndEvents\" grants events.amazonaws.com under aws:SourceAccount, which AWS does not send when an EventBridge rule publishes to a KMS-encrypted SNS topic (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services): the condition never matches and the service is refused. Put events.amazonaws.com in a statement of its own without that condition."] },
        { title: "EventBridge under aws:SourceArn with IfExists passes (absent, it matches)", props: key(allow({ Principal: { Service: "events.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*", Condition: { ArnLikeIfExists: { "aws:SourceArn": "arn:aws:events:*:111122223333:rule/*" } } })), expect: [] },
        { title: "CloudTrail's DescribeKey without aws:SourceArn", props: key(allow({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*" })),
            expect: ["Key policy statement 2 trusts cloudtrail.amazonaws.com without aws:SourceArn (AWS sends it when CloudTrail describes the key of a trail it creates or updates): add the condition so the service acts only for this account's resources."] },
    ] },
    { policy: "kms-key-policy-confused-deputy", type: T.keyPolicy, compliant: { keyId: "k", policy: key().policy }, faults: [
        { title: "a KeyPolicy with an unguarded service the table does not know", props: { keyId: "k", policy: key(allow({ Principal: { Service: "s3.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" })).policy },
            expect: ["Key policy statement 2 trusts s3.amazonaws.com without aws:SourceAccount or aws:SourceArn: add the condition so the service acts only for this account's resources (if AWS sends neither for this integration, add it to config/service-integrations.ts with AWS's page)."] },
    ] },

    // CloudTrail
    { policy: "cloudtrail-multi-region-management-events", type: T.trail, compliant: trail(), faults: [
        { title: "a single-region trail", props: trail({ isMultiRegionTrail: false }), expect: ["The trail logs one region only: set `isMultiRegionTrail: true` so every region's events reach it."] },
        { title: "isMultiRegionTrail unset (false)", props: trail({ isMultiRegionTrail: undefined }), expect: ["The trail logs one region only: set `isMultiRegionTrail: true` so every region's events reach it."] },
        { title: "logging stopped", props: trail({ enableLogging: false }), expect: ["Logging is stopped (`enableLogging: false`): the trail records nothing."] },
        { title: "enableLogging true passes", props: trail({ enableLogging: true }), expect: [] },
        { title: "a selector of write events only", props: trail({ eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }] }), expect: [noManagement] },
        { title: "a selector of read events only", props: trail({ eventSelectors: [{ readWriteType: "ReadOnly" }] }), expect: [noManagement] },
        { title: "a selector without management events", props: trail({ eventSelectors: [{ readWriteType: "All", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] }), expect: [noManagement] },
        { title: "a selector excluding KMS events", props: trail({ eventSelectors: [{ readWriteType: "All", excludeManagementEventSources: ["kms.amazonaws.com"] }] }), expect: [noManagement] },
        { title: "a default selector (All, management included) passes", props: trail({ eventSelectors: [{ dataResources: [] }] }), expect: [] },
        { title: "one full selector among narrower ones passes", props: trail({ eventSelectors: [{ readWriteType: "ReadOnly" }, { readWriteType: "All" }] }), expect: [] },
        { title: "an advanced selector of write management events", props: trail({ advancedEventSelectors: [{ name: "writes", fieldSelectors: [management, { field: "readOnly", equals: ["false"] }] }] }), expect: [noManagement] },
        { title: "an advanced selector of data events only", props: trail({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }, { field: "resources.type", equals: ["AWS::S3::Object"] }] }] }), expect: [noManagement] },
        { title: "an advanced selector of all management events passes", props: trail({ advancedEventSelectors: [{ name: "management", fieldSelectors: [management] }] }), expect: [] },
    ] },
    { policy: "cloudtrail-encryption-customer-key", type: T.trail, compliant: trail(), faults: [
        { title: "no KMS key", props: trail({ kmsKeyId: undefined }), expect: ["The trail's log files are not encrypted with a KMS key: set `kmsKeyId` to the stack's logs key."] },
        { title: "an empty KMS key", props: trail({ kmsKeyId: "" }), expect: ["The trail's log files are not encrypted with a KMS key: set `kmsKeyId` to the stack's logs key."] },
    ] },
    { policy: "cloudtrail-log-file-validation", type: T.trail, compliant: trail(), faults: [
        { title: "validation off", props: trail({ enableLogFileValidation: false }), expect: ["Log file validation is off: set `enableLogFileValidation: true` so a changed or deleted log file shows."] },
        { title: "validation unset (off)", props: trail({ enableLogFileValidation: undefined }), expect: ["Log file validation is off: set `enableLogFileValidation: true` so a changed or deleted log file shows."] },
    ] },
    { policy: "cloudtrail-cloudwatch-logs", type: T.trail, compliant: trail(), faults: [
        { title: "no log group", props: trail({ cloudWatchLogsGroupArn: undefined, cloudWatchLogsRoleArn: undefined }), expect: ["The trail does not deliver to CloudWatch Logs: set `cloudWatchLogsGroupArn` and `cloudWatchLogsRoleArn`."] },
        { title: "a role without log group", props: trail({ cloudWatchLogsGroupArn: undefined }), expect: ["The trail does not deliver to CloudWatch Logs: set `cloudWatchLogsGroupArn` and `cloudWatchLogsRoleArn`."] },
        { title: "a log group without role", props: trail({ cloudWatchLogsRoleArn: undefined }), expect: ["`cloudWatchLogsGroupArn` is set without `cloudWatchLogsRoleArn`: CloudTrail needs a role to write to the log group."] },
    ] },

    // Logging, alarms, SNS, WAF
    { policy: "cloudwatch-log-group-retention", type: T.logGroup, compliant: { name: "/tms/dev/api", retentionInDays: 1, kmsKeyId: "arn:kms" }, faults: [
        { title: "never expires (unset)", props: { name: "/tms/dev/api", kmsKeyId: "arn:kms" }, expect: ["retentionInDays is unset (logs never expire): set a retention period."] },
        { title: "0 (never expire)", props: { name: "/tms/dev/api", retentionInDays: 0, kmsKeyId: "arn:kms" }, expect: ["retentionInDays is 0: set a retention period."] },
    ] },
    { policy: "cloudwatch-log-group-encryption", type: T.logGroup, compliant: { name: "/tms/dev/api", retentionInDays: 30, kmsKeyId: "arn:kms" }, faults: [
        { title: "no KMS key", props: { name: "/tms/dev/api", retentionInDays: 30 }, expect: ["The log group is not encrypted with a customer key: set `kmsKeyId`."] },
    ] },
    { policy: "cloudwatch-alarm-actions", type: T.alarm, compliant: { alarmActions: ["arn:sns:oncall"], actionsEnabled: true }, faults: [
        { title: "actions disabled", props: { alarmActions: ["arn:sns:oncall"], actionsEnabled: false }, expect: ["Alarm actions are disabled: set `actionsEnabled: true`."] },
        { title: "no alarm action", props: { alarmActions: [], actionsEnabled: true }, expect: ["The alarm notifies no one: set `alarmActions` to the on-call SNS topic."] },
        { title: "actionsEnabled unset (default true) passes", props: { alarmActions: ["arn:sns:oncall"] }, expect: [] },
    ] },
    { policy: "sns-topic-encryption", type: T.topic, compliant: { name: "tms-dev-critical-alerts", kmsMasterKeyId: "arn:kms" }, faults: [
        { title: "unencrypted", props: { name: "tms-dev-critical-alerts" }, expect: ["The topic is not encrypted: set `kmsMasterKeyId`."] },
    ] },
    { policy: "s3-bucket-policy-not-public", type: T.bucketPolicy, compliant: { bucket: "b", policy: doc(
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } },
        allow({ Sid: "Oac", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/E1" } } }),
    ) }, faults: [
        { title: "Principal \"*\" (the string form) reads objects without a condition", props: { bucket: "b", policy: doc(allow({ Sid: "Public", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" })) },
            expect: ["Statement \"Public\" grants s3:GetObject to every principal without a condition: the bucket is public."] },
        { title: "Principal { AWS: \"*\" } writes objects", props: { bucket: "b", policy: doc(allow({ Principal: { AWS: "*" }, Action: ["s3:PutObject", "s3:GetObject"], Resource: "arn:aws:s3:::b/*" })) },
            expect: ["Statement 0 grants s3:PutObject, s3:GetObject to every principal without a condition: the bucket is public."] },
        { title: "Principal { AWS: [\"*\"] } as a list", props: { bucket: "b", policy: doc(allow({ Principal: { AWS: ["*"] }, Action: "s3:ListBucket", Resource: "arn:aws:s3:::b" })) },
            expect: ["Statement 0 grants s3:ListBucket to every principal without a condition: the bucket is public."] },
        { title: "with a condition it passes", props: { bucket: "b", policy: doc(allow({ Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } })) }, expect: [] },
        { title: "a Deny for everyone passes", props: { bucket: "b", policy: doc({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }) }, expect: [] },
    ] },
    { policy: "sns-topic-policy-not-public", type: T.topicPolicy, compliant: topicPolicy(), faults: [
        { title: "Principal \"*\" without condition", props: topicPolicy(allow({ Sid: "Public", Principal: "*", Action: "sns:Publish", Resource: "*" })), expect: ["Statement \"Public\" allows every principal: name the services or accounts that may publish."] },
        { title: "Principal { AWS: \"*\" } without condition", props: topicPolicy(allow({ Principal: { AWS: "*" }, Action: "sns:Subscribe", Resource: "*" })), expect: ["Statement 1 allows every principal: name the services or accounts that may publish."] },
        { title: "Principal \"*\" with a condition passes", props: topicPolicy(allow({ Principal: "*", Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } })), expect: [] },
    ] },
    { policy: "sns-topic-policy-confused-deputy", type: T.topicPolicy, compliant: topicPolicy(), faults: [
        { title: "CloudWatch alarms without a condition", props: topicPolicy(allow({ Sid: "Alarms", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: "*" })),
            expect: ["Topic policy statement \"Alarms\" trusts cloudwatch.amazonaws.com without aws:SourceAccount or aws:SourceArn (AWS sends them when a CloudWatch alarm publishes to an SNS topic): add the condition so the service acts only for this account's resources."] },
        { title: "EventBridge in a statement of its own without a condition passes", props: topicPolicy(allow({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: "*" })), expect: [] },
        { title: "EventBridge under aws:SourceAccount (the review's defect 4, topic half)", props: topicPolicy(allow({ Sid: "Rules", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "111122223333" } } })),
            expect: ["Topic policy statement \"Rules\" grants events.amazonaws.com with a Condition block: AWS supports none when an EventBridge rule publishes to an SNS topic (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions); the service is refused. Put events.amazonaws.com in a statement of its own without conditions."] },
        { title: "EventBridge with any other condition is refused too", props: topicPolicy(allow({ Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })),
            expect: ["Topic policy statement 1 grants events.amazonaws.com with a Condition block: AWS supports none when an EventBridge rule publishes to an SNS topic (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions); the service is refused. Put events.amazonaws.com in a statement of its own without conditions."] },
        { title: "an account principal is not judged", props: topicPolicy(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "sns:Publish", Resource: "*" })), expect: [] },
    ] },
    { policy: "wafv2-web-acl-has-rules", type: T.waf, compliant: webAcl(), faults: [
        { title: "an empty web ACL", props: webAcl({ rules: [] }), expect: ["The web ACL has no rules: add managed rule groups to `rules`."] },
        { title: "rules as JSON pass", props: webAcl({ rules: [], ruleJson: "[{\"Name\":\"x\"}]" }), expect: [] },
    ] },
    { policy: "wafv2-web-acl-metrics", type: T.waf, compliant: webAcl(), faults: [
        { title: "a rule without metrics", props: webAcl({ rules: [{ name: "common", priority: 1, visibilityConfig: { cloudwatchMetricsEnabled: false, metricName: "c", sampledRequestsEnabled: false } }] }),
            expect: ["Rule \"common\" does not publish metrics: set its `visibilityConfig.cloudwatchMetricsEnabled: true`."] },
        { title: "the ACL without metrics", props: webAcl({ visibilityConfig: { cloudwatchMetricsEnabled: false, metricName: "tms", sampledRequestsEnabled: true } }),
            expect: ["The web ACL does not publish metrics: set `visibilityConfig.cloudwatchMetricsEnabled: true`."] },
    ] },

    // S3 (resource-level)
    { policy: "s3-bucket-no-public-acl", type: T.bucketV2, compliant: { bucket: "tms-dev-assets" }, faults: [
        { title: "public-read bucket", props: { bucket: "tms-dev-assets", acl: "public-read" }, expect: ["The canned ACL \"public-read\" makes the bucket public: use \"private\"."] },
        { title: "authenticated-read bucket", props: { bucket: "tms-dev-assets", acl: "authenticated-read" }, expect: ["The canned ACL \"authenticated-read\" makes the bucket public: use \"private\"."] },
        { title: "log-delivery-write is not public", props: { bucket: "tms-dev-assets", acl: "log-delivery-write" }, expect: [] },
    ] },
    { policy: "s3-bucket-no-public-acl", type: T.bucketAcl, compliant: { bucket: "b", acl: "private" }, faults: [
        { title: "public-read-write BucketAclV2", props: { bucket: "b", acl: "public-read-write" }, expect: ["The canned ACL \"public-read-write\" makes the bucket public: use \"private\"."] },
    ] },
    { policy: "s3-bucket-policy-no-cross-account-admin", type: T.bucketPolicy, compliant: bucketPolicy(), faults: [
        { title: "PutBucketPolicy to another account", props: bucketPolicy(allow({ Sid: "Other", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: ["s3:GetObject", "s3:PutBucketPolicy"], Resource: "arn:aws:s3:::b" })),
            expect: ["Statement \"Other\" grants s3:PutBucketPolicy to arn:aws:iam::999999999999:root: grant other accounts object actions only."] },
        { title: "s3:* to Principal \"*\"", props: bucketPolicy(allow({ Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b" })),
            expect: ["Statement 2 grants s3:* to *: grant other accounts object actions only."] },
        { title: "PutObjectAcl to { AWS: [\"*\"] }", props: bucketPolicy(allow({ Principal: { AWS: ["*"] }, Action: "s3:putobjectacl", Resource: "arn:aws:s3:::b/*" })),
            expect: ["Statement 2 grants s3:putobjectacl to *: grant other accounts object actions only."] },
        { title: "to a service principal it passes", props: bucketPolicy(allow({ Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObjectAcl", Resource: "arn:aws:s3:::b/*" })), expect: [] },
    ] },

    // DynamoDB
    { policy: "dynamodb-table-resilience", type: T.table, compliant: table(), faults: [
        { title: "provisioned capacity", props: table({ billingMode: "PROVISIONED" }), expect: ["billingMode is \"PROVISIONED\": use \"PAY_PER_REQUEST\" so capacity follows demand."] },
        { title: "unset billing mode (PROVISIONED)", props: table({ billingMode: undefined }), expect: ["billingMode is unset (PROVISIONED): use \"PAY_PER_REQUEST\" so capacity follows demand."] },
        { title: "no point-in-time recovery", props: table({ pointInTimeRecovery: undefined }), expect: ["Point-in-time recovery is off: set `pointInTimeRecovery: { enabled: true }`."] },
        { title: "no deletion protection", props: table({ deletionProtectionEnabled: false }), expect: ["Deletion protection is off: set `deletionProtectionEnabled: true`, or make a reasoned exception in the stack's policy config."] },
        { title: "no deletion protection with dev's reasoned exception passes", props: table({ deletionProtectionEnabled: false }), config: { required: false, exceptionReason: "dev protects nothing" }, expect: [] },
    ] },
];
