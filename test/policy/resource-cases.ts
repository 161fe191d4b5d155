/**
 * One or more (compliant, violating) pairs per resource policy. `resource-policies.test.ts` runs
 * them and checks that every resource policy has at least one pair.
 */
import type { PolicyConfig } from "../../policy/common";

export interface ResourceCase {
    policy: string;
    /** What the violating input gets wrong (test title). */
    title: string;
    type: string;
    compliant: Record<string, any>;
    violating: Record<string, any>;
    /** The violation message must match. */
    expect: RegExp;
    /** Logical names (default `test`). */
    name?: string;
    violatingName?: string;
    stack?: string;
    config?: PolicyConfig;
}

const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    sgIngress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
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
    kms: "aws:kms/key:Key",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    waf: "aws:wafv2/webAcl:WebAcl",
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    bucketAcl: "aws:s3/bucketAclV2:BucketAclV2",
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

const container = {
    name: "api-gateway",
    image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/tms/api-gateway:abc-dev",
    user: "1000:1000",
    readonlyRootFilesystem: true,
    privileged: false,
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/tms/dev/api-gateway" } },
    environment: [{ name: "LOG_LEVEL", value: "info" }, { name: "DB_SECRET_ARN", value: "arn:aws:secretsmanager:…" }],
    secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:1:secret:dev/api-gateway/db-password" }],
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
    desyncMitigationMode: "defensive", accessLogs: { bucket: "tms-prod-logs", enabled: true, prefix: "alb" }, ...x,
});

const httpsListener = (x: Record<string, any> = {}) => ({
    loadBalancerArn: "arn:lb", port: 443, protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    certificateArn: "arn:aws:acm:cert", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }], ...x,
});

const redirect = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };

const distribution = (x: Record<string, any> = {}) => ({
    enabled: true,
    defaultCacheBehavior: { targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https" },
    orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "https-only" }],
    origins: [
        { originId: "alb", domainName: "alb.example.com", customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], httpPort: 80, httpsPort: 443 } },
        { originId: "assets", domainName: "tms-assets.s3.us-east-1.amazonaws.com", originAccessControlId: "oac-1" },
    ],
    viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
    loggingConfig: { bucket: "tms-logs.s3.amazonaws.com", prefix: "cdn/" },
    webAclId: "arn:aws:wafv2:us-east-1:1:global/webacl/tms/1",
    ...x,
});

const docdb = (x: Record<string, any> = {}) => ({
    engine: "docdb", storageEncrypted: true, kmsKeyId: "arn:aws:kms:key/1", dbClusterParameterGroupName: "tms-prod-docdb",
    enabledCloudwatchLogsExports: ["audit", "profiler"], backupRetentionPeriod: 30, deletionProtection: true,
    skipFinalSnapshot: false, finalSnapshotIdentifier: "tms-prod-final",
    preferredMaintenanceWindow: "tue:07:00-tue:08:00", preferredBackupWindow: "05:00-06:00", ...x,
});

const docdbParams = (params: { name: string; value: string }[]) => ({ family: "docdb5.0", parameters: params });
const goodParams = [{ name: "tls", value: "enabled" }, { name: "audit_logs", value: "enabled" }];

const redis = (x: Record<string, any> = {}) => ({
    description: "tms cache", engine: "redis", nodeType: "cache.t3.small", numCacheClusters: 3,
    atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "s3cr3t-token-value-1234",
    automaticFailoverEnabled: true, multiAzEnabled: true, snapshotRetentionLimit: 5, snapshotWindow: "05:00-06:00",
    subnetGroupName: "tms-dev-cache", maintenanceWindow: "tue:07:00-tue:08:00", ...x,
});

const doc = (...statements: any[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ecsTrust = doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" });
const mfaTrust = doc({
    Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole",
    Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
});

const webAcl = (x: Record<string, any> = {}) => ({
    scope: "CLOUDFRONT", defaultAction: { allow: {} },
    visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "tms", sampledRequestsEnabled: true },
    rules: [{ name: "common", priority: 1, overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { name: "AWSManagedRulesCommonRuleSet", vendorName: "AWS" } }, visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: "common", sampledRequestsEnabled: true } }],
    ...x,
});

// --- cases -----------------------------------------------------------------------------------

export const resourceCases: ResourceCase[] = [
    // Security groups
    { policy: "security-group-no-internet-ingress", title: "SSH open to the world on an app SG", type: T.sg, name: "alb-sg", violatingName: "app-sg",
        compliant: albSg, violating: { ...albSg, ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], description: "ssh" }] },
        expect: /ingress\[0\] allows tcp 22 from 0\.0\.0\.0\/0: only the ALB security group/ },
    { policy: "security-group-no-internet-ingress", title: "the ALB SG opening 8080 (ingress-rule resource)", type: T.sgIngress, name: "alb-https", violatingName: "alb-test-listener",
        compliant: { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "HTTPS" },
        violating: { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, cidrIpv6: "::/0", description: "test" },
        expect: /allows tcp 8080 from ::\/0: the ALB security group may only open TCP 80 and 443/ },
    { policy: "security-group-no-internet-ingress", title: "all traffic from the internet (legacy rule)", type: T.sgRule, name: "app-from-alb", violatingName: "app-open",
        compliant: { type: "ingress", securityGroupId: "sg-2", protocol: "tcp", fromPort: 8000, toPort: 8000, sourceSecurityGroupId: "sg-1", description: "from ALB" },
        violating: { type: "ingress", securityGroupId: "sg-2", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "oops" },
        expect: /allows all traffic from 0\.0\.0\.0\/0/ },
    { policy: "security-group-descriptions", title: "default description and an undescribed rule", type: T.sg, name: "alb-sg",
        compliant: albSg, violating: { ...albSg, description: "Managed by Pulumi", ingress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }] },
        expect: /Rule ingress\[0\] has no description/ },

    // ECS task definitions, services, clusters
    { policy: "ecs-task-no-privileged", title: "privileged container", type: T.task, compliant: task(), violating: task({ privileged: true }), expect: /Container "api-gateway" runs privileged/ },
    { policy: "ecs-task-readonly-root-filesystem", title: "writable root", type: T.task, compliant: task(), violating: task({ readonlyRootFilesystem: false }), expect: /writable root filesystem: set `readonlyRootFilesystem: true`/ },
    { policy: "ecs-task-non-root-user", title: "no user (root)", type: T.task, compliant: task(), violating: task({ user: undefined }), expect: /has no `user` and runs as root/ },
    { policy: "ecs-task-non-root-user", title: "user 0:0", type: T.task, compliant: task({ user: "app" }), violating: task({ user: "0:0" }), expect: /runs as "0:0"/ },
    { policy: "ecs-task-no-secrets-in-environment", title: "password in environment", type: T.task, compliant: task(),
        violating: task({ environment: [{ name: "LOG_LEVEL", value: "info" }, { name: "REDIS_PASSWORD", value: "hunter2" }, { name: "API_KEY", value: "k" }] }),
        expect: /passes REDIS_PASSWORD, API_KEY in `environment`: move them to `secrets`/ },
    { policy: "ecs-task-log-configuration", title: "no log configuration", type: T.task, compliant: task(), violating: task({ logConfiguration: undefined }), expect: /has no `logConfiguration`/ },
    { policy: "ecs-task-no-host-pid", title: "host PID namespace", type: T.task, compliant: task(), violating: task({}, { pidMode: "host" }), expect: /host PID namespace/ },
    { policy: "ecs-task-awsvpc-network-mode", title: "bridge mode", type: T.task, compliant: task(), violating: task({}, { networkMode: "bridge" }), expect: /networkMode is "bridge": set `networkMode: "awsvpc"`/ },
    { policy: "ecs-service-no-public-ip", title: "public IP", type: T.service, compliant: service(),
        violating: service({ networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } }), expect: /Tasks get public IPs/ },
    { policy: "ecs-service-platform-version", title: "platform 1.3.0", type: T.service, compliant: service({ platformVersion: "1.4.0" }), violating: service({ platformVersion: "1.3.0" }), expect: /platformVersion "1\.3\.0" is not current/ },
    { policy: "ecs-cluster-container-insights", title: "insights off", type: T.cluster, compliant: { settings: [{ name: "containerInsights", value: "enabled" }] },
        violating: { settings: [{ name: "containerInsights", value: "disabled" }] }, expect: /Container Insights is off/ },

    // ALB
    { policy: "alb-http-redirects-to-https", title: "HTTP listener forwarding", type: T.listener,
        compliant: { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: [redirect] },
        violating: { loadBalancerArn: "arn:lb", port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] },
        expect: /HTTP listener on port 80 does not redirect to HTTPS/ },
    { policy: "alb-https-tls-policy", title: "old TLS policy (aws:alb token)", type: T.albListener, compliant: httpsListener(),
        violating: httpsListener({ sslPolicy: "ELBSecurityPolicy-2016-08" }), expect: /sslPolicy "ELBSecurityPolicy-2016-08" is not allowed/ },
    { policy: "alb-https-tls-policy", title: "no certificate, default policy", type: T.listener, compliant: httpsListener(),
        violating: httpsListener({ sslPolicy: undefined, certificateArn: undefined }), expect: /no `certificateArn`/ },
    { policy: "alb-drop-invalid-headers", title: "invalid headers forwarded", type: T.lb, compliant: lb(), violating: lb({ dropInvalidHeaderFields: false }), expect: /set `dropInvalidHeaderFields: true`/ },
    { policy: "alb-access-logs", title: "no access logs (aws:alb token)", type: T.alb, compliant: lb(), violating: lb({ accessLogs: undefined }), expect: /Access logging is off/ },
    { policy: "alb-deletion-protection", title: "prod without deletion protection", type: T.lb, stack: "prod", compliant: lb(),
        violating: lb({ enableDeletionProtection: false }), expect: /Deletion protection is off in prod/ },
    { policy: "alb-deletion-protection", title: "dr (from config) without deletion protection", type: T.lb, stack: "dev", config: { environment: "dr" },
        compliant: lb(), violating: lb({ enableDeletionProtection: undefined }), expect: /Deletion protection is off in dr/ },
    { policy: "alb-desync-mitigation", title: "monitor mode", type: T.lb, compliant: lb(), violating: lb({ desyncMitigationMode: "monitor" }), expect: /desyncMitigationMode is "monitor"/ },

    // CloudFront
    { policy: "cloudfront-viewer-https", title: "allow-all on an ordered behaviour", type: T.cf, compliant: distribution(),
        violating: distribution({ orderedCacheBehaviors: [{ pathPattern: "/static/*", targetOriginId: "assets", viewerProtocolPolicy: "allow-all" }] }),
        expect: /orderedCacheBehaviors\[0\] \(\/static\/\*\) allows viewerProtocolPolicy "allow-all"/ },
    { policy: "cloudfront-minimum-tls", title: "TLSv1 minimum", type: T.cf, compliant: distribution(),
        violating: distribution({ viewerCertificate: { acmCertificateArn: "arn:cert", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1" } }),
        expect: /minimumProtocolVersion is "TLSv1": set it to "TLSv1\.2_2021"/ },
    { policy: "cloudfront-minimum-tls", title: "default certificate", type: T.cf, compliant: distribution(),
        violating: distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }), expect: /default CloudFront certificate/ },
    { policy: "cloudfront-origin-https-only", title: "match-viewer origin with TLSv1", type: T.cf, compliant: distribution(),
        violating: distribution({ origins: [{ originId: "alb", domainName: "alb.example.com", customOriginConfig: { originProtocolPolicy: "match-viewer", originSslProtocols: ["TLSv1", "TLSv1.2"] } }] }),
        expect: /Origin "alb" uses originProtocolPolicy "match-viewer"/ },
    { policy: "cloudfront-origin-access-control", title: "S3 origin without OAC", type: T.cf, compliant: distribution(),
        violating: distribution({ origins: [{ originId: "assets", domainName: "tms-assets.s3.amazonaws.com" }] }), expect: /S3 origin "assets" has no origin access control/ },
    { policy: "cloudfront-logging", title: "no logging", type: T.cf, compliant: distribution(), violating: distribution({ loggingConfig: undefined }), expect: /set `loggingConfig\.bucket`/ },
    { policy: "cloudfront-waf", title: "no web ACL", type: T.cf, compliant: distribution(), violating: distribution({ webAclId: undefined }), expect: /No web ACL is attached/ },

    // DocumentDB
    { policy: "docdb-encryption-customer-key", title: "AWS-managed key", type: T.docdb, compliant: docdb(), violating: docdb({ kmsKeyId: undefined }), expect: /No customer-managed key: set `kmsKeyId`/ },
    { policy: "docdb-encryption-customer-key", title: "unencrypted global cluster", type: T.docdbGlobal, compliant: { globalClusterIdentifier: "tms", storageEncrypted: true },
        violating: { globalClusterIdentifier: "tms", storageEncrypted: false }, expect: /Storage is not encrypted/ },
    { policy: "docdb-tls-enabled", title: "tls disabled in the parameter group", type: T.docdbParams, compliant: docdbParams(goodParams),
        violating: docdbParams([{ name: "tls", value: "disabled" }, { name: "audit_logs", value: "enabled" }]), expect: /Parameter `tls` is "disabled"/ },
    { policy: "docdb-tls-enabled", title: "cluster on the default parameter group", type: T.docdb, compliant: docdb(),
        violating: docdb({ dbClusterParameterGroupName: "default.docdb5.0" }), expect: /uses the default parameter group/ },
    { policy: "docdb-audit-log-export", title: "no audit export", type: T.docdb, compliant: docdb(), violating: docdb({ enabledCloudwatchLogsExports: ["profiler"] }), expect: /add "audit" to `enabledCloudwatchLogsExports`/ },
    { policy: "docdb-audit-log-export", title: "audit_logs parameter missing", type: T.docdbParams, compliant: docdbParams(goodParams),
        violating: docdbParams([{ name: "tls", value: "enabled" }]), expect: /Parameter `audit_logs` is not set/ },
    { policy: "docdb-backup-retention", title: "7 days in prod", type: T.docdb, stack: "prod", compliant: docdb({ backupRetentionPeriod: 30 }),
        violating: docdb({ backupRetentionPeriod: 7 }), expect: /backupRetentionPeriod is 7 days; prod requires at least 30/ },
    { policy: "docdb-backup-retention", title: "unset in dev", type: T.docdb, stack: "dev", compliant: docdb({ backupRetentionPeriod: 3 }),
        violating: docdb({ backupRetentionPeriod: undefined }), expect: /unset \(1 day\); dev requires at least 3/ },
    { policy: "docdb-deletion-protection", title: "dr without deletion protection", type: T.docdb, stack: "dr", compliant: docdb(),
        violating: docdb({ deletionProtection: false, skipFinalSnapshot: true }), expect: /Deletion protection is off in dr/ },

    // ElastiCache
    { policy: "elasticache-encryption-at-rest", title: "unencrypted at rest", type: T.redis, compliant: redis(), violating: redis({ atRestEncryptionEnabled: false }), expect: /Encryption at rest is off/ },
    { policy: "elasticache-encryption-in-transit", title: "plaintext in transit", type: T.redis, compliant: redis(), violating: redis({ transitEncryptionEnabled: undefined }), expect: /Encryption in transit is off/ },
    { policy: "elasticache-auth", title: "no AUTH", type: T.redis, compliant: redis(), violating: redis({ authToken: undefined }), expect: /unauthenticated clients/ },
    { policy: "elasticache-automatic-failover", title: "no failover", type: T.redis, compliant: redis(), violating: redis({ automaticFailoverEnabled: false }), expect: /Automatic failover is off/ },
    { policy: "elasticache-snapshots", title: "no snapshots", type: T.redis, compliant: redis(), violating: redis({ snapshotRetentionLimit: 0 }), expect: /snapshotRetentionLimit is 0/ },
    { policy: "elasticache-subnet-group", title: "default subnet group", type: T.redis, compliant: redis(), violating: redis({ subnetGroupName: "default" }), expect: /uses the default subnet group/ },

    // Maintenance windows
    { policy: "maintenance-window-weekly-slot", title: "Sunday window on DocumentDB", type: T.docdb, compliant: docdb(),
        violating: docdb({ preferredMaintenanceWindow: "sun:05:00-sun:06:00" }), expect: /"sun:05:00-sun:06:00" is outside the weekly slot/ },
    { policy: "maintenance-window-weekly-slot", title: "Redis window running past 08:00 UTC", type: T.redis, compliant: redis(),
        violating: redis({ maintenanceWindow: "tue:07:00-tue:09:00" }), expect: /`maintenanceWindow` "tue:07:00-tue:09:00" is outside the weekly slot/ },
    { policy: "maintenance-window-weekly-slot", title: "instance without a window", type: T.docdbInstance, compliant: { preferredMaintenanceWindow: "tue:07:00-tue:07:30" },
        violating: {}, expect: /`preferredMaintenanceWindow` is unset/ },
    { policy: "maintenance-window-weekly-slot", title: "backup window overlapping the slot", type: T.docdb, compliant: docdb(),
        violating: docdb({ preferredBackupWindow: "06:30-07:30" }), expect: /`preferredBackupWindow` "06:30-07:30" overlaps the maintenance slot/ },

    // ECR
    { policy: "ecr-scan-on-push", title: "no scan on push", type: T.ecr, compliant: { name: "tms/api-gateway", imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE" },
        violating: { name: "tms/api-gateway", imageTagMutability: "IMMUTABLE" }, expect: /not scanned on push/ },
    { policy: "ecr-tag-immutability", title: "mutable tags", type: T.ecr, compliant: { name: "tms/api-gateway", imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" },
        violating: { name: "tms/api-gateway", imageTagMutability: "MUTABLE" }, expect: /imageTagMutability is "MUTABLE"/ },

    // Secrets Manager, SSM
    { policy: "secretsmanager-customer-key", title: "AWS-managed key", type: T.secret, compliant: { name: "dev/api-gateway/db-password", kmsKeyId: "arn:kms" },
        violating: { name: "dev/api-gateway/db-password" }, expect: /uses the AWS-managed key/ },
    { policy: "secretsmanager-name-pattern", title: "another environment's prefix", type: T.secret, stack: "staging", compliant: { name: "staging/task-service/redis-auth" },
        violating: { name: "prod/task-service/redis-auth" }, expect: /"prod\/task-service\/redis-auth" does not follow `staging\/<service>\/<secret-name>`/ },
    { policy: "ssm-securestring-for-sensitive", title: "password as String", type: T.param,
        compliant: { name: "/dev/api-gateway/db-password", type: "SecureString", value: "x" },
        violating: { name: "/dev/api-gateway/db-password", type: "String", value: "x" }, expect: /"\/dev\/api-gateway\/db-password" looks sensitive but is String/ },
    { policy: "ssm-securestring-for-sensitive", title: "an ARN reference is not sensitive, a token is", type: T.param,
        compliant: { name: "/dev/api-gateway/db-secret-arn", type: "String", value: "arn" },
        violating: { name: "/dev/api-gateway/auth-token", type: "StringList", value: "x" }, expect: /looks sensitive but is StringList/ },
    { policy: "ssm-parameter-name-pattern", title: "flat name", type: T.param, stack: "prod", compliant: { name: "/production/api-gateway/allowed-origins", type: "String" },
        violating: { name: "allowed-origins", type: "String" }, expect: /does not follow `\/production\/<service>\/<parameter-name>`/ },
    { policy: "ssm-parameter-name-pattern", title: "another environment's long name", type: T.param, stack: "prod", compliant: { name: "/prod/api-gateway/allowed-origins", type: "String" },
        violating: { name: "/development/api-gateway/allowed-origins", type: "String" }, expect: /"\/development\/api-gateway\/allowed-origins" does not follow/ },

    // IAM, KMS
    { policy: "iam-no-admin-wildcard", title: "* on *", type: T.iamPolicy, compliant: { policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }) },
        violating: { policy: doc({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) }, expect: /statement "Admin" allows "\*" on "\*"/ },
    { policy: "iam-no-admin-wildcard", title: "* on * in a role's inline policy", type: T.role,
        compliant: { assumeRolePolicy: ecsTrust, inlinePolicies: [{ name: "read", policy: doc({ Effect: "Allow", Action: "ssm:GetParameter", Resource: "*" }) }] },
        violating: { assumeRolePolicy: ecsTrust, inlinePolicies: [{ name: "all", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["*"], Resource: ["*"] }] } }] },
        expect: /inline policy all, statement 0 allows "\*" on "\*"/ },
    { policy: "iam-no-admin-wildcard", title: "the break-glass role may have full access, other roles may not", type: T.rolePolicy,
        name: "emergency-admin", violatingName: "ops-admin",
        compliant: { role: "tms-emergency-access", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
        violating: { role: "tms-operations-role", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) },
        expect: /statement 0 allows "\*" on "\*"/ },
    { policy: "iam-no-service-wildcard", title: "s3:*", type: T.rolePolicy, compliant: { role: "r", policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }) },
        violating: { role: "r", policy: doc({ Effect: "Allow", Action: ["s3:*", "logs:CreateLogStream"], Resource: "*" }) }, expect: /allows s3:\*: list the specific actions/ },
    { policy: "iam-emergency-access-mfa", title: "break-glass role without MFA", type: T.role, name: "tms-emergency-access", violatingName: "tms-emergency-access",
        compliant: { name: "tms-emergency-access", assumeRolePolicy: mfaTrust },
        violating: { name: "tms-emergency-access", assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "sts:AssumeRole" }) },
        expect: /emergency role be assumed without MFA/ },
    { policy: "iam-no-public-trust", title: "Principal *", type: T.role, compliant: { assumeRolePolicy: ecsTrust },
        violating: { assumeRolePolicy: doc({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) }, expect: /lets any AWS principal assume the role/ },
    { policy: "kms-key-rotation", title: "no rotation", type: T.kms, compliant: { description: "data", enableKeyRotation: true },
        violating: { description: "data" }, expect: /Key rotation is off/ },

    // Logging, alarms, WAF
    { policy: "cloudwatch-log-group-retention", title: "never expires", type: T.logGroup, compliant: { name: "/tms/dev/api", retentionInDays: 30, kmsKeyId: "arn:kms" },
        violating: { name: "/tms/dev/api", kmsKeyId: "arn:kms" }, expect: /retentionInDays is unset \(logs never expire\)/ },
    { policy: "cloudwatch-log-group-encryption", title: "no KMS key", type: T.logGroup, compliant: { name: "/tms/dev/api", retentionInDays: 30, kmsKeyId: "arn:kms" },
        violating: { name: "/tms/dev/api", retentionInDays: 30 }, expect: /not encrypted with a customer key/ },
    { policy: "cloudwatch-alarm-actions", title: "alarm without actions", type: T.alarm, compliant: { alarmActions: ["arn:sns:oncall"], actionsEnabled: true },
        violating: { alarmActions: [], actionsEnabled: false }, expect: /Alarm actions are disabled/ },
    { policy: "wafv2-web-acl-has-rules", title: "empty web ACL", type: T.waf, compliant: webAcl(), violating: webAcl({ rules: [] }), expect: /The web ACL has no rules/ },
    { policy: "wafv2-web-acl-metrics", title: "rule without metrics", type: T.waf, compliant: webAcl(),
        violating: webAcl({ rules: [{ name: "common", priority: 1, visibilityConfig: { cloudwatchMetricsEnabled: false, metricName: "c", sampledRequestsEnabled: false } }] }),
        expect: /Rule "common" does not publish metrics/ },

    // S3 (resource-level)
    { policy: "s3-bucket-no-public-acl", title: "public-read bucket", type: T.bucketV2, compliant: { bucket: "tms-dev-assets" },
        violating: { bucket: "tms-dev-assets", acl: "public-read" }, expect: /canned ACL "public-read" makes the bucket public/ },
    { policy: "s3-bucket-no-public-acl", title: "public-read-write BucketAclV2", type: T.bucketAcl, compliant: { bucket: "b", acl: "private" },
        violating: { bucket: "b", acl: "public-read-write" }, expect: /"public-read-write"/ },
];
