import * as assert from "assert";
import type { StackResourceInput } from "../../policy/args";
import { awsProvider } from "../../policy/args";
import { stackPolicies } from "../../policy/policies";
import { res, stackViolations } from "./helpers";

const violated = new Set<string>();

/** Runs a stack policy and records that a violating set was exercised when it reports. */
function check(policy: string, resources: StackResourceInput[], config = {}) {
    const v = stackViolations(policy, resources, config);
    if (v.length) violated.add(policy);
    return v;
}

function expectOne(policy: string, resources: StackResourceInput[], urn: string, message: RegExp, config = {}) {
    const v = check(policy, resources, config);
    assert.strictEqual(v.length, 1, JSON.stringify(v));
    assert.strictEqual(v[0].urn, urn);
    assert.match(v[0].message, message);
}

const S3 = {
    bucket: "aws:s3/bucket:Bucket",
    bucketV2: "aws:s3/bucketV2:BucketV2",
    pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    sseV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    versioningV2: "aws:s3/bucketVersioningV2:BucketVersioningV2",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
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
        ...logging,
    ];
}

/** A log bucket (exempt from logging) and an assets bucket that logs into it. */
function compliantBuckets(type = S3.bucket, v2 = false): StackResourceInput[] {
    const logs = fullBucket("logs", type, v2);
    return [...logs, ...fullBucket("assets", type, v2, logs[0])];
}

const without = (rs: StackResourceInput[], name: string) => rs.filter(r => r.name !== name);
const replace = (rs: StackResourceInput[], name: string, props: Record<string, any>) =>
    rs.map(r => (r.name === name ? { ...r, props: { ...r.props, ...props } } : r));

describe("stack policies", () => {
    describe("buckets", () => {
        const bucketPolicies = ["s3-bucket-public-access-block", "s3-bucket-encryption", "s3-bucket-versioning", "s3-bucket-tls-only", "s3-bucket-ownership-controls", "s3-bucket-logging"];

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
            expectOne("s3-bucket-public-access-block", [...rs, other], other.urn!, /no BucketPublicAccessBlock/);
        });

        it("joins on a literal bucket name known on both sides", () => {
            const rs = replace(without(compliantBuckets(), "assets-pab"), "assets-pab", {});
            const pab = res(S3.pab, "assets-pab-by-name", { bucket: "tms-dev-assets", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            assert.deepStrictEqual(check("s3-bucket-public-access-block", [...rs, pab]), []);
        });

        it("s3-bucket-public-access-block: a flag left off", () => {
            const rs = replace(compliantBuckets(), "assets-pab", { restrictPublicBuckets: false });
            expectOne("s3-bucket-public-access-block", rs, rs.find(r => r.name === "assets")!.urn!, /leaves restrictPublicBuckets off/);
        });

        it("s3-bucket-encryption: no encryption configuration", () => {
            const rs = without(compliantBuckets(), "assets-sse");
            expectOne("s3-bucket-encryption", rs, rs.find(r => r.name === "assets")!.urn!, /no default encryption/);
        });

        it("s3-bucket-versioning: suspended", () => {
            const rs = replace(compliantBuckets(), "logs-versioning", { versioningConfiguration: { status: "Suspended" } });
            expectOne("s3-bucket-versioning", rs, rs.find(r => r.name === "logs")!.urn!, /versioning is not enabled/);
        });

        it("s3-bucket-tls-only: a policy without the SecureTransport deny", () => {
            const allowOnly = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "delivery.logs.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" }] });
            const rs = replace(compliantBuckets(), "logs-policy", { policy: allowOnly });
            expectOne("s3-bucket-tls-only", rs, rs.find(r => r.name === "logs")!.urn!, /does not deny non-TLS requests/);
        });

        it("s3-bucket-ownership-controls: ObjectWriter", () => {
            const rs = replace(compliantBuckets(), "assets-ownership", { rule: { objectOwnership: "ObjectWriter" } });
            expectOne("s3-bucket-ownership-controls", rs, rs.find(r => r.name === "assets")!.urn!, /ObjectWriter ACLs/);
        });

        it("s3-bucket-logging: a non-log bucket without logging; log destinations are exempt", () => {
            const rs = without(compliantBuckets(), "assets-logging");
            // Without the assets → logs logging, "logs" is no longer a log destination either.
            const v = check("s3-bucket-logging", rs);
            assert.deepStrictEqual(v.map(x => x.urn).sort(), [rs.find(r => r.name === "assets")!.urn!, rs.find(r => r.name === "logs")!.urn!].sort());
            // An ALB writing access logs into "logs" makes it a destination again.
            const lb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { accessLogs: { bucket: "x", enabled: true } }, { propertyDependencies: { accessLogs: [rs[0].urn!] } });
            expectOne("s3-bucket-logging", [...rs, lb], rs.find(r => r.name === "assets")!.urn!, /server access logging is off/);
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
            expectOne("alb-https-listener", [lb, other, listener("http", "HTTP"), listener("https", "HTTPS", other)], lb.urn!, /"alb" has no HTTPS listener/);
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
            assert.match(v[0].message, /Repository "repo" is missing tag\(s\) Service:/);
            assert.match(v[1].message, /Key "key" is missing tag\(s\) ManagedBy, CostCenter:/);
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
                /Service "task-service" runs at most 3 task\(s\) in any colour; prod requires at least 6/);
        });
        it("uses the dr minimum (4) from config", () => {
            const s = svc("api-gateway-blue", 3, "dev");
            expectOne("ecs-service-minimum-tasks", [s], s.urn!, /dr requires at least 4/, { environment: "dr" });
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
            expectOne("dr-region", rs, rs[0].provider!.urn, /AWS provider "default_7_48_0" targets us-east-1; the dr stack must run in us-west-2/);
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
            expectOne("ecr-repository-lifecycle-policy", [repo], repo.urn!, /has no lifecycle policy/);
            expectOne("ecr-repository-lifecycle-policy", [repo, lifecycle(JSON.stringify({ rules: [] }))], repo.urn!, /lifecycle policy has no rules/);
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
            assert.match(v[0].message, /Secret "db-password" does not rotate: add a SecretRotation or tag it RotationExemption/);
        });
    });

    describe("coverage (runs after the scenarios above)", () => {
        it("every stack policy was exercised with a violating resource set", () => {
            assert.deepStrictEqual(stackPolicies.map(p => p.name).filter(n => !violated.has(n)), []);
        });
    });
});
