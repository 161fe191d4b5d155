/**
 * Realistic computed outputs for the mock engine: ids, ARNs, endpoints and DNS names shaped like the
 * ones AWS returns, derived deterministically from the resource's type and name so that two plans of
 * the same config produce identical records.
 */
import { createHash } from "crypto";
import { awsxVpcState } from "./awsx-vpc";

/** AWS's documentation example account; never a real one. */
export const MOCK_ACCOUNT_ID = "111122223333";

export function shortHash(s: string, len = 8): string {
    return createHash("sha256").update(s).digest("hex").slice(0, len);
}

export interface MockContext {
    region: string;
    /**
     * How many times this resource was created before (the fake provider counts replacements): AWS gives
     * a replacement new ids, ARNs and generated names. 0 or absent under the mock engine.
     */
    generation?: number;
    /**
     * The stack the resource belongs to (the fake provider's URN): two stacks' resources of one logical
     * name get ids of their own, as in AWS (prod's and dr's keys share an account). Absent under the
     * mock engine, which plans one stack at a time.
     */
    scope?: string;
    /** Outputs per StackReference name. */
    stackReference(name: string): { outputs: Record<string, any>; secretOutputNames: string[] } | undefined;
}

/**
 * The public address of a mock Elastic IP: one of the documentation ranges 192.0.2.0/24 and
 * 198.51.100.0/24 (RFC 5737), derived from the allocation id so the Eip and the awsx VPC's NAT
 * gateways agree on it.
 */
export function mockEipAddress(allocationId: string): string {
    const n = parseInt(shortHash(allocationId, 6), 16) % 508;
    return n < 254 ? `192.0.2.${n + 1}` : `198.51.100.${n - 253}`;
}

const REGION_CODE: Record<string, string> = { "us-east-1": "use1", "us-west-2": "usw2" };

/** The mock's answer to `newResource`: an id and the state (inputs plus computed outputs). */
export function mockResourceState(type: string, logicalName: string, inputs: any, ctx: MockContext): { id: string; state: Record<string, any> } {
    // Every generated value derives from this seed; a replacement (generation > 0) gets new ones.
    const name = `${logicalName}${ctx.scope ? `@${ctx.scope}` : ""}${ctx.generation ? `#${ctx.generation}` : ""}`;
    const h = shortHash(`${type}|${name}`);
    const region = ctx.region;
    const acct = MOCK_ACCOUNT_ID;
    const base = { ...inputs };
    const arn = (service: string, resource: string, r = region) => `arn:aws:${service}:${r}:${acct}:${resource}`;
    const physical = (inputs.name as string | undefined) ?? `${logicalName}-${h.slice(0, 7)}`;

    switch (type) {
        case "pulumi:pulumi:StackReference": {
            const ref = ctx.stackReference(inputs.name);
            return { id: inputs.name, state: { name: inputs.name, outputs: ref?.outputs ?? {}, secretOutputNames: ref?.secretOutputNames ?? [] } };
        }
        case "awsx:ec2:Vpc": {
            const azNames = Array.from({ length: inputs.numberOfAvailabilityZones ?? 3 }, (_, i) => `${region}${"abcdef"[i]}`);
            return { id: "", state: awsxVpcState(logicalName, inputs, { hash: shortHash, eipAddress: mockEipAddress, azNames }) as unknown as Record<string, any> };
        }
        case "aws:ec2/eip:Eip": {
            const allocationId = `eipalloc-${shortHash(name, 17)}`;
            return { id: allocationId, state: { ...base, allocationId, publicIp: mockEipAddress(allocationId), domain: inputs.domain ?? "vpc" } };
        }
        case "aws:lb/loadBalancer:LoadBalancer":
        case "aws:alb/loadBalancer:LoadBalancer": {
            const suffix = `app/${physical.slice(0, 32)}/${shortHash(name, 16)}`;
            return {
                id: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                state: {
                    ...base,
                    arn: arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arnSuffix: suffix,
                    dnsName: `${physical.slice(0, 32)}-${shortHash(name, 10)}.${region}.elb.amazonaws.com`,
                    zoneId: region === "us-west-2" ? "Z1H1FL5HABSF5" : "Z35SXDOTRQ7X7K",
                    name: physical.slice(0, 32),
                },
            };
        }
        case "aws:lb/targetGroup:TargetGroup":
        case "aws:alb/targetGroup:TargetGroup": {
            const tgName = (inputs.name as string | undefined) ?? `${logicalName.slice(0, 24)}-${h.slice(0, 7)}`;
            const suffix = `targetgroup/${tgName}/${shortHash(name, 16)}`;
            return { id: arn("elasticloadbalancing", suffix), state: { ...base, name: tgName, arn: arn("elasticloadbalancing", suffix), arnSuffix: suffix } };
        }
        // listener/app/<lb-name>/<lb-id>/<listener-id> and listener-rule/app/<lb-name>/<lb-id>/<listener-id>/<rule-id>:
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html#awselasticloadbalancingv2-resources-for-iam-policies
        case "aws:lb/listener:Listener":
        case "aws:alb/listener:Listener": {
            const lb = typeof inputs.loadBalancerArn === "string" && inputs.loadBalancerArn.includes(":loadbalancer/app/")
                ? inputs.loadBalancerArn
                : arn("elasticloadbalancing", `loadbalancer/app/${logicalName.slice(0, 32)}/${shortHash(name + "lb", 16)}`);
            const a = `${lb.replace(":loadbalancer/app/", ":listener/app/")}/${shortHash(name, 16)}`;
            return { id: a, state: { ...base, arn: a } };
        }
        case "aws:lb/listenerRule:ListenerRule":
        case "aws:alb/listenerRule:ListenerRule": {
            const listener = typeof inputs.listenerArn === "string" && inputs.listenerArn.includes(":listener/app/")
                ? inputs.listenerArn
                : arn("elasticloadbalancing", `listener/app/${logicalName.slice(0, 32)}/${shortHash(name + "lb", 16)}/${shortHash(name + "listener", 16)}`);
            const a = `${listener.replace(":listener/app/", ":listener-rule/app/")}/${shortHash(name, 16)}`;
            return { id: a, state: { ...base, arn: a } };
        }
        case "aws:kms/key:Key": {
            const keyId = `${h}-${shortHash(name + "1", 4)}-${shortHash(name + "2", 4)}-${shortHash(name + "3", 4)}-${shortHash(name + "4", 12)}`;
            return { id: keyId, state: { ...base, keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:kms/replicaKey:ReplicaKey": {
            const keyId = `mrk-${shortHash(name, 32)}`;
            return { id: keyId, state: { ...base, keyId, arn: arn("kms", `key/${keyId}`) } };
        }
        case "aws:iam/role:Role":
            return { id: physical, state: { ...base, name: physical, arn: `arn:aws:iam::${acct}:role/${physical}`, uniqueId: `AROA${h.toUpperCase()}` } };
        case "aws:iam/policy:Policy":
            return { id: `arn:aws:iam::${acct}:policy/${physical}`, state: { ...base, name: physical, arn: `arn:aws:iam::${acct}:policy/${physical}` } };
        case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
            const a = `arn:aws:iam::${acct}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`;
            return { id: a, state: { ...base, arn: a } };
        }
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2": {
            const bucket = (inputs.bucket as string | undefined) ?? `${(inputs.bucketPrefix as string | undefined) ?? logicalName}-${shortHash(name, 12)}`.slice(0, 63);
            return {
                id: bucket,
                state: { ...base, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`, region },
            };
        }
        case "aws:ecr/repository:Repository":
            return { id: physical, state: { ...base, name: physical, arn: arn("ecr", `repository/${physical}`), repositoryUrl: `${acct}.dkr.ecr.${region}.amazonaws.com/${physical}`, registryId: acct } };
        case "aws:ecs/cluster:Cluster":
            return { id: arn("ecs", `cluster/${physical}`), state: { ...base, name: physical, arn: arn("ecs", `cluster/${physical}`) } };
        // service/<cluster-name>/<service-name> (the long ARN format, default since 2021):
        // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html#amazonelasticcontainerservice-resources-for-iam-policies
        case "aws:ecs/service:Service": {
            const cluster = String(inputs.cluster ?? "default").split("/").pop();
            const a = arn("ecs", `service/${cluster}/${physical}`);
            return { id: a, state: { ...base, name: physical, arn: a } };
        }
        case "aws:ecs/taskDefinition:TaskDefinition":
            return { id: physical, state: { ...base, arn: arn("ecs", `task-definition/${inputs.family ?? physical}:1`), revision: 1 } };
        case "aws:docdb/cluster:Cluster": {
            const id = (inputs.clusterIdentifier as string | undefined) ?? physical;
            const code = shortHash(name, 12);
            return {
                id,
                state: {
                    ...base,
                    clusterIdentifier: id,
                    arn: arn("rds", `cluster:${id}`),
                    endpoint: `${id}.cluster-${code}.${region}.docdb.amazonaws.com`,
                    readerEndpoint: `${id}.cluster-ro-${code}.${region}.docdb.amazonaws.com`,
                    port: inputs.port ?? 27017,
                    clusterResourceId: `cluster-${h.toUpperCase()}`,
                },
            };
        }
        case "aws:docdb/globalCluster:GlobalCluster":
            return { id: inputs.globalClusterIdentifier ?? physical, state: { ...base, arn: `arn:aws:rds::${acct}:global-cluster:${inputs.globalClusterIdentifier ?? physical}`, globalClusterResourceId: `cluster-${h}` } };
        case "aws:docdb/clusterInstance:ClusterInstance":
            return { id: inputs.identifier ?? physical, state: { ...base, arn: arn("rds", `db:${inputs.identifier ?? physical}`), endpoint: `${inputs.identifier ?? physical}.${shortHash(name, 12)}.${region}.docdb.amazonaws.com` } };
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const id = (inputs.replicationGroupId as string | undefined) ?? physical;
            const rc = REGION_CODE[region] ?? region;
            return {
                id,
                state: {
                    ...base,
                    arn: arn("elasticache", `replicationgroup:${id}`),
                    primaryEndpointAddress: `master.${id}.${shortHash(name, 6)}.${rc}.cache.amazonaws.com`,
                    readerEndpointAddress: `replica.${id}.${shortHash(name, 6)}.${rc}.cache.amazonaws.com`,
                    port: inputs.port ?? 6379,
                },
            };
        }
        case "aws:secretsmanager/secret:Secret": {
            const a = arn("secretsmanager", `secret:${physical}-${shortHash(name, 6)}`);
            return { id: a, state: { ...base, name: physical, arn: a } };
        }
        case "aws:ssm/parameter:Parameter":
            return { id: physical, state: { ...base, arn: arn("ssm", `parameter${physical.startsWith("/") ? "" : "/"}${physical}`) } };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { id: physical, state: { ...base, name: physical, arn: arn("logs", `log-group:${physical}`) } };
        case "aws:sns/topic:Topic":
            return { id: arn("sns", physical), state: { ...base, name: physical, arn: arn("sns", physical) } };
        case "aws:acm/certificate:Certificate": {
            const domain = inputs.domainName as string;
            return {
                id: arn("acm", `certificate/${h}`),
                state: {
                    ...base,
                    arn: arn("acm", `certificate/${h}`),
                    domainValidationOptions: [domain, ...((inputs.subjectAlternativeNames as string[] | undefined) ?? [])].map((d) => ({
                        domainName: d,
                        resourceRecordName: `_${shortHash(d, 32)}.${d}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${shortHash(d + "v", 32)}.acm-validations.aws.`,
                    })),
                },
            };
        }
        case "aws:cloudfront/distribution:Distribution":
            return { id: `E${h.toUpperCase()}`, state: { ...base, arn: `arn:aws:cloudfront::${acct}:distribution/E${h.toUpperCase()}`, domainName: `d${shortHash(name, 13)}.cloudfront.net`, hostedZoneId: "Z2FDTNDATAQYW2" } };
        case "aws:wafv2/webAcl:WebAcl":
            return { id: h, state: { ...base, arn: `arn:aws:wafv2:us-east-1:${acct}:global/webacl/${inputs.name ?? logicalName}/${h}` } };
        case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
            return { id: `ns-${h}`, state: { ...base, arn: arn("servicediscovery", `namespace/ns-${h}`), hostedZone: `Z${h.toUpperCase()}` } };
        case "aws:servicediscovery/service:Service":
            return { id: `srv-${h}`, state: { ...base, arn: arn("servicediscovery", `service/srv-${h}`) } };
        case "aws:route53/record:Record": {
            // The provider computes the record's FQDN: the name, lower case, without the trailing dot
            // (a name already inside the zone is kept as it is).
            const fqdn = String(inputs.name ?? logicalName).replace(/\.$/, "").toLowerCase();
            return { id: `${inputs.zoneId ?? "Z"}_${fqdn}_${inputs.type ?? "A"}${inputs.setIdentifier ? `_${inputs.setIdentifier}` : ""}`, state: { ...base, fqdn } };
        }
        case "aws:route53/healthCheck:HealthCheck":
            return { id: `${h}-${shortHash(name + "hc", 4)}`, state: { ...base } };
        case "aws:dynamodb/table:Table":
            return { id: physical, state: { ...base, arn: arn("dynamodb", `table/${physical}`) } };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { id: physical, state: { ...base, arn: arn("cloudwatch", `alarm:${physical}`) } };
        // trail/<name>: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html#awscloudtrail-resources-for-iam-policies
        case "aws:cloudtrail/trail:Trail":
            return { id: physical, state: { ...base, name: physical, arn: arn("cloudtrail", `trail/${physical}`), homeRegion: region } };
        // vpc-flow-log/<fl-id>, the aws:SourceArn VPC Flow Logs sends when it assumes its delivery role:
        // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
        case "aws:ec2/flowLog:FlowLog": {
            const id = `fl-${shortHash(name, 17)}`;
            return { id, state: { ...base, arn: arn("ec2", `vpc-flow-log/${id}`) } };
        }
        case "aws:cloudwatch/eventRule:EventRule":
            return { id: physical, state: { ...base, arn: arn("events", `rule/${physical}`) } };
        case "random:index/randomPassword:RandomPassword": {
            // A value that looks generated; tests check it never appears unencrypted.
            const result = `Gp${shortHash("pw|" + name, 30)}x9`;
            return { id: `none`, state: { ...base, result, bcryptHash: `$2a$10$${shortHash(result, 53)}` } };
        }
        default: {
            const service = type.split(":")[1]?.split("/")[0] ?? "unknown";
            // An input named `arn` (a topic policy's topic, an event target's target) is kept: it is not the resource's own.
            return { id: `${logicalName}-${h}`, state: { arn: arn(service, `${logicalName}`), ...base } };
        }
    }
}

/** The mock's answer to data-source invokes. */
export function mockInvoke(token: string, inputs: any, region: string): Record<string, any> {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com`, description: region };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: ["a", "b", "c"].map((z) => `${region}${z}`), zoneIds: ["1", "2", "3"].map((z) => `${REGION_CODE[region] ?? region}-az${z}`), id: region };
        case "aws:route53/getZone:getZone": {
            const name = String(inputs.name ?? "example.com").replace(/\.$/, "");
            // Four name servers of Route 53's shape (ns-<n>.awsdns-<nn>.<tld>), one per top-level domain.
            const n = parseInt(shortHash(name, 4), 16);
            const nameServers = ["com", "net", "org", "co.uk"].map((tld, i) => `ns-${(n + i * 509) % 2048}.awsdns-${String((n + i * 7) % 64).padStart(2, "0")}.${tld}`);
            return { zoneId: `Z${shortHash(name, 13).toUpperCase()}`, name, id: `Z${shortHash(name, 13).toUpperCase()}`, nameServers };
        }
        case "aws:ec2/getRouteTables:getRouteTables":
            return { ids: ["a", "b", "c", "d"].map((x) => `rtb-${shortHash(String(inputs.vpcId) + x, 17)}`), id: String(inputs.vpcId) };
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList":
            return { id: `pl-${shortHash(String(inputs.name), 8)}`, name: inputs.name };
        case "aws:elb/getServiceAccount:getServiceAccount":
            return { arn: "arn:aws:iam::127311923021:root", id: "127311923021" };
        // The SDK's token spells it OpenId; the older spelling is kept for callers of the old SDK.
        case "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider":
        case "aws:iam/getOpenidConnectProvider:getOpenidConnectProvider":
            return { arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`, url: inputs.url, id: "oidc" };
        // The dr stack's mode (config/naming.ts drModeParameterPath): none recorded unless the sandbox's world
        // folder says otherwise (tools/fake-aws/outage.ts answers it there).
        case "aws:ssm/getParametersByPath:getParametersByPath":
            return { id: inputs.path, path: inputs.path, names: [], values: [], types: [], arns: [] };
        default:
            // Fail loudly: a data source the fake does not know would otherwise read as empty.
            throw new Error(`the fake AWS (tools/fake-aws) has no answer for the data source ${token}`);
    }
}
