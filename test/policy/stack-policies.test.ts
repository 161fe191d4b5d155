import * as assert from "assert";
import type { StackResourceInput } from "../../tools/policy/args";
import { awsProvider } from "../../tools/policy/args";
import { stackPolicies } from "../../policy/policies";
import { res, stackViolations } from "./helpers";

const violated = new Set<string>();

/** Runs a stack policy and records that a violating set was exercised when it reports. */
function check(policy: string, resources: StackResourceInput[], config = {}) {
    const v = stackViolations(policy, resources, config);
    if (v.length) violated.add(policy);
    return v;
}

/** The policy reports exactly these violations (URN and full message), in order. */
function expectExactly(policy: string, resources: StackResourceInput[], expected: [string, string][], config = {}) {
    const v = check(policy, resources, config);
    assert.deepStrictEqual(v.map(x => [x.urn, x.message]), expected);
}

function expectOne(policy: string, resources: StackResourceInput[], urn: string, message: string, config = {}) {
    expectExactly(policy, resources, [[urn, message]], config);
}

const urnOf = (rs: StackResourceInput[], name: string) => rs.find(r => r.name === name)!.urn!;

const S3 = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    logging: "aws:s3/bucketLogging:BucketLogging",
    loggingV2: "aws:s3/bucketLoggingV2:BucketLoggingV2",
};

const tlsOnly = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
});

/** A bucket with every companion, joined through `propertyDependencies.bucket`. */
function fullBucket(name: string, type = S3.bucket, v2 = false, logTarget?: StackResourceInput): StackResourceInput[] {
    const b = res(type, name, { bucket: `tms-dev-${name}` });
    const dep = { bucket: [b.urn!] };
    const companion = (t: string, role: string, props: Record<string, any>, extraDeps: Record<string, string[]> = {}) =>
        res(t, `${name}-${role}`, { bucket: "<unknown id>", ...props }, { propertyDependencies: { ...dep, ...extraDeps } });
    const logging = logTarget
        ? [companion(v2 ? S3.loggingV2 : S3.logging, "logging", { targetBucket: "<unknown>", targetPrefix: `${name}/` }, { targetBucket: [logTarget.urn!] })]
        : [];
    return [
        b,
        companion(S3.pab, "pab", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
        companion(v2 ? S3.sseV2 : S3.sse, "sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:kms" } }] }),
        companion(v2 ? S3.versioningV2 : S3.versioning, "versioning", { versioningConfiguration: { status: "Enabled" } }),
        companion(S3.policy, "policy", { policy: tlsOnly }),
        companion(S3.ownership, "ownership", { rule: { objectOwnership: "BucketOwnerEnforced" } }),
        companion(S3.lifecycle, "lifecycle", { rules: [{ id: "versions", status: "Enabled", noncurrentVersionExpiration: { noncurrentDays: 30 } }] }),
        ...logging,
    ];
}

const logDelivery = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        JSON.parse(tlsOnly).Statement[0],
        { Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: "arn:aws:s3:::logs/*", Condition: { ArnLike: { "aws:SourceArn": ["arn:aws:s3:::assets"] } } },
    ],
});

/**
 * A log bucket (exempt from logging) and an assets bucket that logs into it; the log bucket's policy
 * grants the S3 logging service and was computed from the assets bucket (its `policy` dependency).
 */
function compliantBuckets(type = S3.bucket, v2 = false): StackResourceInput[] {
    const logs = fullBucket("logs", type, v2);
    const assets = fullBucket("assets", type, v2, logs[0]);
    const grant = (r: StackResourceInput) => r.name !== "logs-policy" ? r
        : { ...r, props: { ...r.props, policy: logDelivery }, propertyDependencies: { ...r.propertyDependencies, policy: [logs[0].urn!, assets[0].urn!] } };
    return [...logs.map(grant), ...assets];
}

const without = (rs: StackResourceInput[], name: string) => rs.filter(r => r.name !== name);
const replace = (rs: StackResourceInput[], name: string, props: Record<string, any>) =>
    rs.map(r => (r.name === name ? { ...r, props: { ...r.props, ...props } } : r));

describe("stack policies", () => {
    describe("buckets", () => {
        const bucketPolicies = ["s3-bucket-public-access-block", "s3-bucket-encryption", "s3-bucket-versioning", "s3-bucket-tls-only", "s3-bucket-ownership-controls", "s3-bucket-logging", "s3-bucket-lifecycle"];

        for (const [label, type, v2] of [["Bucket", S3.bucket, false], ["BucketV2 (with V2 companion)", S3.bucketV2, true]] as const) {
            it(`accepts fully configured ${label}s on every bucket policy`, () => {
                const rs = compliantBuckets(type, v2);
                for (const p of bucketPolicies) assert.deepStrictEqual(check(p, rs), [], p);
            });
        }

        it("reports a bucket with no companions on every bucket policy", () => {
            const lonely = res(S3.bucketV2, "lonely", { bucket: "tms-dev-lonely" });
            for (const p of bucketPolicies) {
                const v = check(p, [...compliantBuckets(), lonely]);
                assert.strictEqual(v.length, 1, `${p}: ${JSON.stringify(v)}`);
                assert.strictEqual(v[0].urn, lonely.urn);
                assert.match(v[0].message, /^Bucket "lonely": /);
            }
        });

        it("does not count another bucket's companions", () => {
            const rs = compliantBuckets();
            const other = res(S3.bucket, "other", { bucket: "tms-dev-other" });
            expectOne("s3-bucket-public-access-block", [...rs, other], other.urn!, 'Bucket "other": no BucketPublicAccessBlock: add one with all four settings true.');
        });

        it("joins on a literal bucket name known on both sides", () => {
            const rs = replace(without(compliantBuckets(), "assets-pab"), "assets-pab", {});
            const pab = res(S3.pab, "assets-pab-by-name", { bucket: "tms-dev-assets", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            assert.deepStrictEqual(check("s3-bucket-public-access-block", [...rs, pab]), []);
        });

        it("s3-bucket-public-access-block: a flag left off", () => {
            const rs = replace(compliantBuckets(), "assets-pab", { restrictPublicBuckets: false });
            expectOne("s3-bucket-public-access-block", rs, urnOf(rs, "assets"), 'Bucket "assets": the public access block leaves restrictPublicBuckets off: set them to true.');
        });

        it("s3-bucket-encryption: no encryption configuration", () => {
            const rs = without(compliantBuckets(), "assets-sse");
            expectOne("s3-bucket-encryption", rs, urnOf(rs, "assets"), 'Bucket "assets": no default encryption: add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms".');
        });

        it("s3-bucket-versioning: suspended", () => {
            const rs = replace(compliantBuckets(), "logs-versioning", { versioningConfiguration: { status: "Suspended" } });
            expectOne("s3-bucket-versioning", rs, urnOf(rs, "logs"), 'Bucket "logs": versioning is not enabled: add a BucketVersioning with status "Enabled".');
        });

        it("s3-bucket-tls-only: a policy without the SecureTransport deny", () => {
            const allowOnly = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" }] });
            const rs = replace(compliantBuckets(), "logs-policy", { policy: allowOnly });
            expectOne("s3-bucket-tls-only", rs, urnOf(rs, "logs"), 'Bucket "logs": the bucket policy does not deny non-TLS requests: add a Deny statement on aws:SecureTransport = "false".');
        });

        it("s3-bucket-ownership-controls: ObjectWriter", () => {
            const rs = replace(compliantBuckets(), "assets-ownership", { rule: { objectOwnership: "ObjectWriter" } });
            expectOne("s3-bucket-ownership-controls", rs, urnOf(rs, "assets"), 'Bucket "assets": ownership controls keep ObjectWriter ACLs: set objectOwnership to "BucketOwnerEnforced".');
        });

        it("s3-bucket-logging: a non-log bucket without logging; log destinations are exempt", () => {
            const rs = without(compliantBuckets(), "assets-logging");
            // Without the assets → logs logging, "logs" is no longer a log destination either.
            const v = check("s3-bucket-logging", rs);
            assert.deepStrictEqual(v.map(x => x.urn).sort(), [rs.find(r => r.name === "assets")!.urn!, rs.find(r => r.name === "logs")!.urn!].sort());
            // An ALB writing access logs into "logs" makes it a destination again.
            const lb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { accessLogs: { bucket: "x", enabled: true } }, { propertyDependencies: { accessLogs: [rs[0].urn!] } });
            expectOne("s3-bucket-logging", [...rs, lb], urnOf(rs, "assets"), 'Bucket "assets": server access logging is off: add a BucketLogging that targets the log bucket.');
        });
    });

    describe("alb-https-listener", () => {
        const lb = res("aws:alb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" });
        const listener = (name: string, protocol: string, target = lb) =>
            res("aws:lb/listener:Listener", name, { protocol, port: protocol === "HTTPS" ? 443 : 80, loadBalancerArn: "<unknown>" }, { propertyDependencies: { loadBalancerArn: [target.urn!] } });

        it("accepts an ALB with an HTTPS listener", () => {
            assert.deepStrictEqual(check("alb-https-listener", [lb, listener("http", "HTTP"), listener("https", "HTTPS")]), []);
        });
        it("reports an ALB whose only HTTPS listener belongs to another ALB", () => {
            const other = res("aws:lb/loadBalancer:LoadBalancer", "other", {});
            expectOne("alb-https-listener", [lb, other, listener("http", "HTTP"), listener("https", "HTTPS", other)], lb.urn!, 'Load balancer "alb" has no HTTPS listener: add one on 443 with a certificate.');
        });
    });

    describe("required-tags", () => {
        const tags = { Environment: "dev", ManagedBy: "pulumi", CostCenter: "tms-1234" };
        // The engine passes non-string provider inputs JSON-encoded.
        const provider = awsProvider({ region: "us-east-1", defaultTags: JSON.stringify({ tags }) }, "aws-dev");

        it("merges the provider's defaultTags with the resource's tags", () => {
            const r = res("aws:ecs/cluster:Cluster", "cluster", { tags: { Service: "platform" } }, { provider });
            const untaggable = res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "rule", { tags: { Service: "platform" } }, { provider });
            const companion = res("aws:s3/bucketVersioning:BucketVersioning", "v", {});
            assert.deepStrictEqual(check("required-tags", [r, untaggable, companion]), []);
        });
        it("reports the missing tags", () => {
            const noService = res("aws:ecr/repository:Repository", "repo", { name: "tms/api" }, { provider });
            const noProvider = res("aws:kms/key:Key", "key", { tags: { Service: "data", Environment: "dev" } });
            const v = check("required-tags", [noService, noProvider]);
            assert.deepStrictEqual(v.map(x => x.urn), [noService.urn, noProvider.urn]);
            assert.deepStrictEqual(v.map(x => x.message), [
                'Repository "repo" is missing tag(s) Service: set them in the provider\'s defaultTags or the resource\'s tags.',
                'Key "key" is missing tag(s) ManagedBy, CostCenter: set them in the provider\'s defaultTags or the resource\'s tags.',
            ]);
        });
    });

    describe("ecs-service-minimum-tasks", () => {
        const svc = (name: string, desiredCount: number, stack: string, service?: string) =>
            res("aws:ecs/service:Service", name, { desiredCount, ...(service ? { tags: { Service: service } } : {}) }, {}, stack);

        it("accepts a prod service whose live colour runs 6 tasks and idle colour 0", () => {
            assert.deepStrictEqual(check("ecs-service-minimum-tasks", [svc("api-gateway-blue", 6, "prod"), svc("api-gateway-green", 0, "prod")]), []);
        });
        it("reports a prod service split 3 + 3", () => {
            const blue = svc("ts-blue-svc", 3, "prod", "task-service");
            expectOne("ecs-service-minimum-tasks", [blue, svc("ts-green-svc", 3, "prod", "task-service")], blue.urn!,
                'Service "task-service" runs at most 3 task(s) in any colour; prod requires at least 6: raise desiredCount.');
            // 5, one below prod's 6, in the best colour.
            const five = svc("ts-blue-svc", 5, "prod", "task-service");
            expectOne("ecs-service-minimum-tasks", [five], five.urn!, 'Service "task-service" runs at most 5 task(s) in any colour; prod requires at least 6: raise desiredCount.');
        });
        it("uses the dr minimum (4) from config", () => {
            const s = svc("api-gateway-blue", 3, "dev");
            expectOne("ecs-service-minimum-tasks", [s], s.urn!, 'Service "api-gateway" runs at most 3 task(s) in any colour; dr requires at least 4: raise desiredCount.', { environment: "dr" });
            assert.deepStrictEqual(check("ecs-service-minimum-tasks", [s]), []); // dev: 2
        });
    });

    describe("dr-region", () => {
        const lb = (stack: string, provider = awsProvider({ region: "us-east-1" }, "default_7_48_0", stack)) =>
            [res("aws:lb/loadBalancer:LoadBalancer", "alb", {}, { provider }, stack)];

        it("accepts dr in us-west-2 and ignores other stacks", () => {
            assert.deepStrictEqual(check("dr-region", lb("dr", awsProvider({ region: "us-west-2" }, "default_7_48_0", "dr"))), []);
            assert.deepStrictEqual(check("dr-region", lb("prod")), []);
        });
        it("reports a dr provider in us-east-1", () => {
            const rs = lb("dr");
            expectOne("dr-region", rs, rs[0].provider!.urn, 'AWS provider "default_7_48_0" targets us-east-1; the dr stack must run in us-west-2.');
        });
    });

    describe("ecr-repository-lifecycle-policy", () => {
        const repo = res("aws:ecr/repository:Repository", "api-repo", { name: "tms/api-gateway" });
        const lifecycle = (policy: string) => res("aws:ecr/lifecyclePolicy:LifecyclePolicy", "api-lifecycle", { repository: "<unknown>", policy }, { propertyDependencies: { repository: [repo.urn!] } });
        const rules = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }] });

        it("accepts a repository with a lifecycle policy", () => {
            assert.deepStrictEqual(check("ecr-repository-lifecycle-policy", [repo, lifecycle(rules)]), []);
        });
        it("reports a repository without one, and an empty policy", () => {
            expectOne("ecr-repository-lifecycle-policy", [repo], repo.urn!, 'Repository "api-repo" has no lifecycle policy: add an aws.ecr.LifecyclePolicy.');
            expectOne("ecr-repository-lifecycle-policy", [repo, lifecycle(JSON.stringify({ rules: [] }))], repo.urn!, 'Repository "api-repo": its lifecycle policy has no rules.');
            // A lifecycle policy attached to another repository does not count.
            const other = res("aws:ecr/repository:Repository", "other-repo", { name: "tms/other" });
            expectOne("ecr-repository-lifecycle-policy", [repo, other, lifecycle(rules)], other.urn!, 'Repository "other-repo" has no lifecycle policy: add an aws.ecr.LifecyclePolicy.');
        });
    });

    describe("secretsmanager-rotation", () => {
        const secret = (name: string, tags?: Record<string, string>) => res("aws:secretsmanager/secret:Secret", name, { name: `dev/api/${name}`, ...(tags ? { tags } : {}) });
        const rotation = (s: StackResourceInput) => res("aws:secretsmanager/secretRotation:SecretRotation", `${s.name}-rotation`, { secretId: "<unknown>", rotationRules: { automaticallyAfterDays: 30 } }, { propertyDependencies: { secretId: [s.urn!] } });

        it("accepts a rotated secret and one with a documented exemption", () => {
            const a = secret("db-password");
            assert.deepStrictEqual(check("secretsmanager-rotation", [a, rotation(a), secret("vendor-key", { RotationExemption: "rotated by the vendor" })]), []);
        });
        it("reports a secret without rotation or with an empty exemption", () => {
            const a = secret("db-password"), b = secret("jwt", { RotationExemption: " " });
            const v = check("secretsmanager-rotation", [a, b]);
            assert.deepStrictEqual(v.map(x => x.urn), [a.urn, b.urn]);
            assert.deepStrictEqual(v.map(x => x.message), ["db-password", "jwt"].map(n => `Secret "${n}" does not rotate: add a SecretRotation or tag it RotationExemption with the reason.`));
        });
    });

    describe("s3-bucket-lifecycle", () => {
        it("a bucket without lifecycle configuration, one with only disabled rules, one attached to another bucket", () => {
            let rs = without(compliantBuckets(), "assets-lifecycle");
            expectOne("s3-bucket-lifecycle", rs, urnOf(rs, "assets"), 'Bucket "assets": no lifecycle configuration with an enabled rule: add a BucketLifecycleConfiguration.');
            rs = replace(compliantBuckets(), "logs-lifecycle", { rules: [{ id: "x", status: "Disabled" }] });
            expectOne("s3-bucket-lifecycle", rs, urnOf(rs, "logs"), 'Bucket "logs": no lifecycle configuration with an enabled rule: add a BucketLifecycleConfiguration.');
            // The assets bucket's configuration moved to the logs bucket: assets has none.
            rs = compliantBuckets().map(r => r.name === "assets-lifecycle" ? { ...r, propertyDependencies: { bucket: [urnOf(compliantBuckets(), "logs")] } } : r);
            expectOne("s3-bucket-lifecycle", rs, urnOf(rs, "assets"), 'Bucket "assets": no lifecycle configuration with an enabled rule: add a BucketLifecycleConfiguration.');
        });
    });

    describe("s3-log-target-grants-every-source", () => {
        const message = 'Bucket "logs" receives server access logs from "assets" but its policy does not let logging.s3.amazonaws.com write for it: the logs are dropped.';
        it("accepts a log target whose policy grants its source", () => {
            assert.deepStrictEqual(check("s3-log-target-grants-every-source", compliantBuckets()), []);
        });
        it("a policy computed without the source (the static-bucket defect)", () => {
            const rs = compliantBuckets().map(r => r.name === "logs-policy" ? { ...r, propertyDependencies: { bucket: [urnOf(compliantBuckets(), "logs")], policy: [urnOf(compliantBuckets(), "logs")] } } : r);
            expectOne("s3-log-target-grants-every-source", rs, urnOf(rs, "logs"), message);
        });
        it("a policy naming the source but without a grant to the logging service", () => {
            const rs = replace(compliantBuckets(), "logs-policy", { policy: tlsOnly });
            expectOne("s3-log-target-grants-every-source", rs, urnOf(rs, "logs"), message);
        });
        it("no policy on the target, or the granting policy attached to another bucket", () => {
            let rs = without(compliantBuckets(), "logs-policy");
            expectOne("s3-log-target-grants-every-source", rs, urnOf(rs, "logs"), message);
            rs = compliantBuckets().map(r => r.name === "logs-policy" ? { ...r, propertyDependencies: { ...r.propertyDependencies, bucket: [urnOf(compliantBuckets(), "assets")] } } : r);
            expectOne("s3-log-target-grants-every-source", rs, urnOf(rs, "logs"), message);
        });
    });

    describe("s3-bucket-encryption (SSE-KMS and its exceptions)", () => {
        const sseS3 = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
        it("SSE-S3 on a bucket that is not a log destination", () => {
            const rs = replace(compliantBuckets(), "assets-sse", sseS3);
            expectOne("s3-bucket-encryption", rs, urnOf(rs, "assets"), 'Bucket "assets": default encryption is AES256, not SSE-KMS: use "aws:kms" with the stack\'s key, or tag the bucket EncryptionException with the reason.');
        });
        it("accepts SSE-S3 on a log destination, or with a reasoned EncryptionException tag, but not an empty one", () => {
            assert.deepStrictEqual(check("s3-bucket-encryption", replace(compliantBuckets(), "logs-sse", sseS3)), []);
            const tagged = (reason: string) => replace(replace(compliantBuckets(), "assets-sse", sseS3), "assets", { bucket: "tms-dev-assets", tags: { EncryptionException: reason } });
            assert.deepStrictEqual(check("s3-bucket-encryption", tagged("public web assets")), []);
            const rs = tagged(" ");
            expectOne("s3-bucket-encryption", rs, urnOf(rs, "assets"), 'Bucket "assets": default encryption is AES256, not SSE-KMS: use "aws:kms" with the stack\'s key, or tag the bucket EncryptionException with the reason.');
        });
    });

    describe("network: default security group, flow logs, interface endpoints", () => {
        const vpc = res("awsx:ec2:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
        const dep = { propertyDependencies: { vpcId: [vpc.urn!] } };
        const defaultSg = (props: Record<string, any> = {}) => res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", { vpcId: "vpc-1", ...props }, dep);
        const flowLog = (trafficType = "ALL") => res("aws:ec2/flowLog:FlowLog", "flow-log", { vpcId: "vpc-1", trafficType }, dep);
        const endpoint = (svc: string, type = "Interface") => res("aws:ec2/vpcEndpoint:VpcEndpoint", `ep-${svc}`, { vpcId: "vpc-1", serviceName: `com.amazonaws.us-east-1.${svc}`, vpcEndpointType: type }, dep);
        const endpoints = ["ecr.api", "ecr.dkr", "ssm", "logs"].map(x => endpoint(x));

        it("accepts a VPC with a closed default group, a flow log and the endpoints", () => {
            for (const p of ["vpc-default-security-group-closed", "vpc-flow-logs", "vpc-interface-endpoints"]) {
                assert.deepStrictEqual(check(p, [vpc, defaultSg(), flowLog(), ...endpoints]), [], p);
            }
            assert.deepStrictEqual(check("vpc-flow-logs", [vpc, flowLog("REJECT")]), []);
        });
        it("vpc-default-security-group-closed: missing, with ingress, with egress, on another VPC", () => {
            expectOne("vpc-default-security-group-closed", [vpc], vpc.urn!, 'VPC "vpc" leaves its default security group with AWS\'s default rules: adopt it with an aws.ec2.DefaultSecurityGroup without rules.');
            const open = defaultSg({ ingress: [{ protocol: "-1", self: true, fromPort: 0, toPort: 0 }] });
            expectOne("vpc-default-security-group-closed", [vpc, open], open.urn!, 'Default security group "default-sg" of VPC "vpc" has ingress rules: remove them (nothing should use the default group).');
            const both = defaultSg({ ingress: [{ protocol: "-1" }], egress: [{ protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }] });
            expectOne("vpc-default-security-group-closed", [vpc, both], both.urn!, 'Default security group "default-sg" of VPC "vpc" has ingress and egress rules: remove them (nothing should use the default group).');
            const other = res("aws:ec2/vpc:Vpc", "other", {});
            expectOne("vpc-default-security-group-closed", [vpc, other, defaultSg()], other.urn!, 'VPC "other" leaves its default security group with AWS\'s default rules: adopt it with an aws.ec2.DefaultSecurityGroup without rules.');
        });
        it("vpc-flow-logs: none, only ACCEPT traffic", () => {
            const msg = 'VPC "vpc" has no flow log of ALL or REJECT traffic: add an aws.ec2.FlowLog for it.';
            expectOne("vpc-flow-logs", [vpc], vpc.urn!, msg);
            expectOne("vpc-flow-logs", [vpc, flowLog("ACCEPT")], vpc.urn!, msg);
        });
        it("vpc-interface-endpoints: missing ones, and a Gateway endpoint does not count", () => {
            expectOne("vpc-interface-endpoints", [vpc, endpoint("ecr.api")], vpc.urn!, 'VPC "vpc" has no interface endpoint for ecr.dkr, ssm: add them.');
            expectOne("vpc-interface-endpoints", [vpc, endpoint("ecr.api"), endpoint("ecr.dkr"), endpoint("ssm", "Gateway")], vpc.urn!, 'VPC "vpc" has no interface endpoint for ssm: add them.');
        });
    });

    describe("ECR registry scanning and replica template", () => {
        const taskDef = (image: string) => res("aws:ecs/taskDefinition:TaskDefinition", "task", { containerDefinitions: JSON.stringify([{ name: "api", image }]) });
        const ecrImage = taskDef("111122223333.dkr.ecr.us-west-2.amazonaws.com/task-management-system/api-gateway:latest-prod");
        const scanning = (props: Record<string, any> = {}) => res("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "scanning", { scanType: "ENHANCED", rules: [{ scanFrequency: "CONTINUOUS_SCAN" }], ...props });
        const template = (props: Record<string, any> = {}) => res("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate", "template",
            { prefix: "task-management-system", appliedFors: ["REPLICATION"], imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", lifecyclePolicy: JSON.stringify({ rules: [{ rulePriority: 1 }] }), ...props });
        const stack = "aws:ecr/repository:Repository";

        it("ecr-registry-scanning: images from ECR without scanning, basic scanning, scan on push only", () => {
            const missing = "The stack uses ECR images but configures no registry scanning: add an ENHANCED RegistryScanningConfiguration with a CONTINUOUS_SCAN rule.";
            const weak = "Registry scanning is not enhanced and continuous: set `scanType: \"ENHANCED\"` and a CONTINUOUS_SCAN rule.";
            assert.deepStrictEqual(check("ecr-registry-scanning", [ecrImage, scanning()]), []);
            assert.deepStrictEqual(check("ecr-registry-scanning", [taskDef("nginx:1.27")]), [], "no ECR image, no registry: nothing to scan");
            assert.deepStrictEqual(check("ecr-registry-scanning", [ecrImage]).map(v => v.message), [missing]);
            assert.deepStrictEqual(check("ecr-registry-scanning", [ecrImage, scanning({ scanType: "BASIC" })]).map(v => v.message), [weak]);
            assert.deepStrictEqual(check("ecr-registry-scanning", [ecrImage, scanning({ rules: [{ scanFrequency: "SCAN_ON_PUSH" }] })]).map(v => v.message), [weak]);
            assert.deepStrictEqual(check("ecr-registry-scanning", [res(stack, "repo", { name: "r" })]).map(v => v.message), [missing], "a stack creating repositories");
        });
        it("ecr-replica-repository-template: missing, mutable, without rules, applied to pull-through only", () => {
            assert.deepStrictEqual(check("ecr-replica-repository-template", [ecrImage, template()]), []);
            assert.deepStrictEqual(check("ecr-replica-repository-template", [ecrImage, res(stack, "repo", { name: "r" })]), [], "a stack with its own repositories");
            const none = "The stack runs ECR images from repositories it does not create (replicas) but has no REPLICATION repository creation template: replicas get mutable tags and no lifecycle policy.";
            assert.deepStrictEqual(check("ecr-replica-repository-template", [ecrImage]).map(v => v.message), [none]);
            assert.deepStrictEqual(check("ecr-replica-repository-template", [ecrImage, template({ appliedFors: ["PULL_THROUGH_CACHE"] })]).map(v => v.message), [none]);
            const t = template({ imageTagMutability: "MUTABLE", lifecyclePolicy: JSON.stringify({ rules: [] }) });
            expectExactly("ecr-replica-repository-template", [ecrImage, t], [
                [t.urn!, 'Creation template "template" gives replicas imageTagMutability "MUTABLE": set "IMMUTABLE" or "IMMUTABLE_WITH_EXCLUSION".'],
                [t.urn!, 'Creation template "template" gives replicas no lifecycle rules: set `lifecyclePolicy`.'],
            ]);
        });
        it("ecr-replica-repository-template: the replicating stack creates the template and its replication waits for it; dr's replicas are the primary's", () => {
            const P = "ecr-replica-repository-template";
            const repo = res(stack, "repo", { name: "r" });
            const replication = (deps: StackResourceInput[]) => res("aws:ecr/replicationConfiguration:ReplicationConfiguration", "replication", { replicationConfiguration: { rules: [] } }, { dependencies: deps.map(d => d.urn!) });
            const t = template();
            assert.deepStrictEqual(check(P, [repo, t, replication([t])]), []);
            const early = replication([]);
            expectOne(P, [repo, t, early], early.urn!, 'Replication "replication" does not wait for creation template "template": add it to `dependsOn` so no replica is created before it exists.');
            assert.deepStrictEqual(check(P, [repo, replication([])]).map(v => v.message),
                ["The stack replicates its registry but creates no REPLICATION repository creation template: repositories replicated before the other region's stack creates one get mutable tags and no lifecycle policy."]);
            const mutable = template({ imageTagMutability: "MUTABLE" });
            expectOne(P, [repo, mutable, replication([mutable])], mutable.urn!, 'Creation template "template" gives replicas imageTagMutability "MUTABLE": set "IMMUTABLE" or "IMMUTABLE_WITH_EXCLUSION".');
            assert.deepStrictEqual(check(P, [ecrImage], { environment: "dr" }), [], "dr runs the primary's replicas: prod holds their template");
        });
    });

    describe("docdb-log-groups", () => {
        const group = (type: string) => res("aws:cloudwatch/logGroup:LogGroup", `${type}-log`, { name: `/aws/docdb/tms-prod-docdb/${type}`, retentionInDays: 90 });
        const cluster = (deps: StackResourceInput[], exports = ["audit", "profiler"]) => res("aws:docdb/cluster:Cluster", "cluster",
            { clusterIdentifier: "tms-prod-docdb", enabledCloudwatchLogsExports: exports }, { dependencies: deps.map(d => d.urn!) });
        it("accepts both groups created first", () => {
            const [a, p] = [group("audit"), group("profiler")];
            assert.deepStrictEqual(check("docdb-log-groups", [a, p, cluster([a, p])]), []);
        });
        it("a group missing, a group not waited for, a group for another cluster", () => {
            const [a, p] = [group("audit"), group("profiler")];
            let c = cluster([a]);
            expectOne("docdb-log-groups", [a, c], c.urn!, 'Cluster "cluster" exports profiler logs but the stack creates no log group "/aws/docdb/tms-prod-docdb/profiler": AWS would create it without retention or key.');
            c = cluster([a]);
            expectOne("docdb-log-groups", [a, p, c], c.urn!, 'Cluster "cluster" does not depend on its log group "/aws/docdb/tms-prod-docdb/profiler": add it to `dependsOn` so it exists before the first export.');
            const elsewhere = res("aws:cloudwatch/logGroup:LogGroup", "x", { name: "/aws/docdb/tms-dev-docdb/audit" });
            c = cluster([elsewhere], ["audit"]);
            expectOne("docdb-log-groups", [elsewhere, c], c.urn!, 'Cluster "cluster" exports audit logs but the stack creates no log group "/aws/docdb/tms-prod-docdb/audit": AWS would create it without retention or key.');
        });
    });

    describe("wafv2-web-acl-logging", () => {
        const acl = res("aws:wafv2/webAcl:WebAcl", "waf", { scope: "CLOUDFRONT" });
        const logging = (target: StackResourceInput) => res("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging", { resourceArn: "<unknown>" }, { propertyDependencies: { resourceArn: [target.urn!] } });
        it("accepts a logged ACL; reports an unlogged one and one whose logging belongs to another ACL", () => {
            assert.deepStrictEqual(check("wafv2-web-acl-logging", [acl, logging(acl)]), []);
            const other = res("aws:wafv2/webAcl:WebAcl", "other", {});
            expectOne("wafv2-web-acl-logging", [acl, other, logging(other)], acl.urn!, 'Web ACL "waf" does not log: add a WebAclLoggingConfiguration for it.');
        });
    });

    describe("iam-no-kms-decrypt-on-all-keys", () => {
        const decryptAll = JSON.stringify({ Statement: [{ Sid: "All", Effect: "Allow", Action: ["kms:Decrypt"], Resource: "*" }] });
        it("a managed policy, an inline role policy; a permissions boundary and the break-glass role are exempt", () => {
            const policy = res("aws:iam/policy:Policy", "boundary", { policy: decryptAll });
            const role = res("aws:iam/role:Role", "deploy", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "keys", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:ReEncryptFrom", Resource: ["*"] }] }) }] });
            expectExactly("iam-no-kms-decrypt-on-all-keys", [policy, role], [
                [policy.urn!, 'Policy "boundary": policy, statement "All" allows kms:Decrypt on every key: name the key ARNs.'],
                [role.urn!, 'Role "deploy": inline policy keys, statement 0 allows kms:ReEncryptFrom on every key: name the key ARNs.'],
            ]);
            const bounded = res("aws:iam/role:Role", "bounded", { assumeRolePolicy: "{}", permissionsBoundary: "<unknown>" }, { propertyDependencies: { permissionsBoundary: [policy.urn!] } });
            const emergency = res("aws:iam/rolePolicy:RolePolicy", "emergency-admin", { role: "tms-emergency-access", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
            assert.deepStrictEqual(check("iam-no-kms-decrypt-on-all-keys", [policy, bounded, emergency]), []);
            const named = res("aws:iam/policy:Policy", "named", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/1" }] }) });
            assert.deepStrictEqual(check("iam-no-kms-decrypt-on-all-keys", [named]), []);
        });
    });

    describe("iam-no-privilege-escalation", () => {
        const doc = (...statements: any[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
        const rolePolicy = (name: string, ...statements: any[]) => res("aws:iam/rolePolicy:RolePolicy", name, { role: "tms-deployment-role", policy: doc(...statements) });
        const msgRole = (n: string, w: string, actions: string) => `RolePolicy "${n}": policy, ${w} allows ${actions} on every role without an iam:PermissionsBoundary condition: whoever holds it can give a role, and so itself, any permission.`;
        const msgPass = (n: string, w: string) => `RolePolicy "${n}": policy, ${w} allows iam:PassRole on every role: name the roles it may pass (and the services, iam:PassedToService).`;
        it("each escalation action on every role, one fault at a time", () => {
            for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"]) {
                const p = rolePolicy("ci", { Sid: "Esc", Effect: "Allow", Action: action, Resource: "*" });
                expectOne("iam-no-privilege-escalation", [p], p.urn!, msgRole("ci", 'statement "Esc"', action));
            }
            const pass = rolePolicy("ci", { Effect: "Allow", Action: "iam:PassRole", Resource: "*" });
            expectOne("iam-no-privilege-escalation", [pass], pass.urn!, msgPass("ci", "statement 0"));
        });
        it("every form of 'every role' and of the actions: wildcards, NotAction, account-wide ARNs, an IfExists condition", () => {
            const all = rolePolicy("ci", { Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::111122223333:role/*" });
            expectExactly("iam-no-privilege-escalation", [all], [[all.urn!, msgRole("ci", "statement 0", "iam:CreateRole, iam:PutRolePolicy, iam:AttachRolePolicy")], [all.urn!, msgPass("ci", "statement 0")]]);
            const put = rolePolicy("ci", { Effect: "Allow", Action: ["iam:Put*"], Resource: ["arn:aws:iam::*:*"] });
            expectOne("iam-no-privilege-escalation", [put], put.urn!, msgRole("ci", "statement 0", "iam:PutRolePolicy"));
            const notAction = rolePolicy("ci", { Effect: "Allow", NotAction: ["s3:*", "iam:PassRole"], Resource: "*" });
            expectOne("iam-no-privilege-escalation", [notAction], notAction.urn!, msgRole("ci", "statement 0", "iam:CreateRole, iam:PutRolePolicy, iam:AttachRolePolicy"));
            const ifExists = rolePolicy("ci", { Effect: "Allow", Action: "iam:CreateRole", Resource: "*", Condition: { StringEqualsIfExists: { "iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/b" } } });
            expectOne("iam-no-privilege-escalation", [ifExists], ifExists.urn!, msgRole("ci", "statement 0", "iam:CreateRole"));
        });
        it("passes: a boundary condition, named roles, a Deny, a permissions boundary, the break-glass role", () => {
            const bounded = rolePolicy("ops", { Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"], Resource: "*", Condition: { StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::111122223333:policy/b" } } });
            const named = rolePolicy("ci", { Effect: "Allow", Action: ["iam:PassRole", "iam:PutRolePolicy"], Resource: "arn:aws:iam::111122223333:role/tms-*" });
            const deny = rolePolicy("ci", { Effect: "Deny", Action: "iam:*", Resource: "*" });
            const boundary = res("aws:iam/policy:Policy", "deployment-boundary", { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }) });
            const role = res("aws:iam/role:Role", "ci-role", { assumeRolePolicy: "{}", permissionsBoundary: "<unknown>" }, { propertyDependencies: { permissionsBoundary: [boundary.urn!] } });
            const emergency = res("aws:iam/rolePolicy:RolePolicy", "emergency-admin", { role: "tms-emergency-access", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) });
            assert.deepStrictEqual(check("iam-no-privilege-escalation", [bounded, named, deny, boundary, role, emergency]), []);
            // The same managed policy, not used as a boundary, is judged.
            expectOne("iam-no-privilege-escalation", [boundary], boundary.urn!, 'Policy "deployment-boundary": policy, statement 0 allows iam:PassRole on every role: name the roles it may pass (and the services, iam:PassedToService).');
        });
    });

    describe("kms-key-policy-owned", () => {
        const ignoring = { opts: { ignoreChanges: ["policy"] } } as any;
        it("a key that ignores its policy needs a KeyPolicy joined through keyId: present, missing, on another key", () => {
            const key = res("aws:kms/key:Key", "logs", { policy: "{}" }, ignoring);
            const other = res("aws:kms/key:Key", "data", { policy: "{}" }, ignoring);
            const owner = res("aws:kms/keyPolicy:KeyPolicy", "logs-policy", { keyId: "<unknown>", policy: "{}" }, { propertyDependencies: { keyId: [key.urn!] } });
            assert.deepStrictEqual(check("kms-key-policy-owned", [key, owner]), []);
            const msg = (n: string) => `Key "${n}" ignores changes to its policy and no KeyPolicy writes it: later policy changes never reach AWS.`;
            expectOne("kms-key-policy-owned", [key], key.urn!, msg("logs"));
            expectExactly("kms-key-policy-owned", [key, other, owner], [[other.urn!, msg("data")]]);
            // A key that owns its policy needs no KeyPolicy.
            assert.deepStrictEqual(check("kms-key-policy-owned", [res("aws:kms/key:Key", "own", { policy: "{}" })]), []);
        });
    });

    describe("alb-availability-alarms", () => {
        const alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" });
        const tg = (name: string) => res("aws:lb/targetGroup:TargetGroup", name, { port: 8000 });
        const [blue, green] = [tg("blue-tg"), tg("green-tg")];
        const query = (metricName: string) => ({ id: metricName.toLowerCase(), metric: { metricName, namespace: "AWS/ApplicationELB" } });
        const alarm = (name: string, metric: string, deps: StackResourceInput[], treatMissingData = "breaching") =>
            res("aws:cloudwatch/metricAlarm:MetricAlarm", name, { metricQueries: [query(metric)], treatMissingData }, { propertyDependencies: { metricQueries: deps.map(d => d.urn!) } });
        const elb5xx = alarm("elb-5xx", "HTTPCode_ELB_5XX_Count", [alb], "notBreaching");
        const healthy = alarm("no-healthy", "HealthyHostCount", [alb, blue, green]);

        it("accepts an ELB 5xx alarm and a breaching healthy-host alarm over both colours", () => {
            assert.deepStrictEqual(check("alb-availability-alarms", [alb, blue, green, elb5xx, healthy]), []);
            // A single-metric alarm (metricName + dimensions) counts as well.
            const single = res("aws:cloudwatch/metricAlarm:MetricAlarm", "single", { metricName: "HTTPCode_ELB_5XX_Count", dimensions: {} }, { propertyDependencies: { dimensions: [alb.urn!] } });
            assert.deepStrictEqual(check("alb-availability-alarms", [alb, blue, green, single, healthy]), []);
        });
        it("no ELB 5xx alarm; an ELB 5xx alarm on another load balancer", () => {
            const msg = 'Load balancer "alb" has no alarm on HTTPCode_ELB_5XX_Count: the 5xx it answers itself go unnoticed.';
            expectOne("alb-availability-alarms", [alb, blue, green, healthy], alb.urn!, msg);
            const other = res("aws:lb/loadBalancer:LoadBalancer", "other", {});
            expectExactly("alb-availability-alarms", [alb, other, blue, green, alarm("elb-5xx", "HTTPCode_ELB_5XX_Count", [other]), healthy], [[alb.urn!, msg]]);
        });
        it("a target group without healthy-host alarm, and one whose alarm treats missing data as fine", () => {
            expectOne("alb-availability-alarms", [alb, blue, green, elb5xx, alarm("no-healthy", "HealthyHostCount", [alb, blue])], green.urn!,
                'Target group "green-tg" has no HealthyHostCount alarm: no alarm fires when it has no healthy target.');
            expectExactly("alb-availability-alarms", [alb, blue, green, elb5xx, alarm("no-healthy", "HealthyHostCount", [alb, blue, green], "notBreaching")], [blue, green].map(t => [t.urn!,
                `Target group "${t.name}": its HealthyHostCount alarm treats missing data as not breaching, so a service that reports nothing raises nothing: set \`treatMissingData: "breaching"\`.`] as [string, string]));
            // An UnHealthyHostCount alarm is not a healthy-host alarm.
            expectOne("alb-availability-alarms", [alb, blue, elb5xx, alarm("unhealthy", "UnHealthyHostCount", [alb, blue])], blue.urn!,
                'Target group "blue-tg" has no HealthyHostCount alarm: no alarm fires when it has no healthy target.');
        });
        it("network load balancers are not checked for ELB 5xx", () => {
            assert.deepStrictEqual(check("alb-availability-alarms", [res("aws:lb/loadBalancer:LoadBalancer", "nlb", { loadBalancerType: "network" })]), []);
        });
    });

    describe("cloudtrail-bucket-in-stack (CloudTrail.6, CloudTrail.7 through the bucket policies)", () => {
        const bucket = res(S3.bucket, "trail-bucket", { bucket: "tms-dev-trail" });
        const other = res(S3.bucket, "other-bucket", { bucket: "tms-dev-other" });
        const trail = (s3BucketName: string, deps: string[] = []) =>
            res("aws:cloudtrail/trail:Trail", "trail", { name: "tms-dev-break-glass", s3BucketName }, { propertyDependencies: { s3BucketName: deps } });
        it("accepts a trail whose bucket the stack creates, joined by dependency or by a literal name", () => {
            assert.deepStrictEqual(check("cloudtrail-bucket-in-stack", [bucket, trail("<unknown>", [bucket.urn!])]), []);
            assert.deepStrictEqual(check("cloudtrail-bucket-in-stack", [bucket, trail("tms-dev-trail")]), []);
        });
        it("a bucket the stack does not create; a dependency on another bucket that is not in the stack", () => {
            const outside = trail("tms-shared-audit");
            expectOne("cloudtrail-bucket-in-stack", [bucket, outside], outside.urn!,
                'Trail "trail" writes to bucket "tms-shared-audit" that this stack does not create: its public access block and access logging go unchecked.');
            const wrong = trail("<unknown>", [other.urn!]);
            expectOne("cloudtrail-bucket-in-stack", [bucket, wrong], wrong.urn!,
                'Trail "trail" writes to bucket "<unknown>" that this stack does not create: its public access block and access logging go unchecked.');
            const nameless = res("aws:cloudtrail/trail:Trail", "trail", { name: "tms-dev-break-glass" });
            expectOne("cloudtrail-bucket-in-stack", [bucket, nameless], nameless.urn!,
                'Trail "trail" writes to a bucket that this stack does not create: its public access block and access logging go unchecked.');
        });
        it("the bucket policies then judge the trail's bucket like any other (CloudTrail.6, CloudTrail.7)", () => {
            const companions = fullBucket("trail-bucket");
            const rs = [...companions, trail("<unknown>", [companions[0].urn!])];
            assert.deepStrictEqual(check("cloudtrail-bucket-in-stack", rs), []);
            expectOne("s3-bucket-logging", rs, rs[0].urn!, 'Bucket "trail-bucket": server access logging is off: add a BucketLogging that targets the log bucket.');
            const open = rs.filter(r => r.name !== "trail-bucket-pab");
            expectOne("s3-bucket-public-access-block", open, rs[0].urn!, 'Bucket "trail-bucket": no BucketPublicAccessBlock: add one with all four settings true.');
        });
    });

    describe("coverage (runs after the scenarios above)", () => {
        it("every stack policy was exercised with a violating resource set", () => {
            assert.deepStrictEqual(stackPolicies.map(p => p.name).filter(n => !violated.has(n)), []);
        });
    });
});
