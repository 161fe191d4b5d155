/**
 * The fake AWS's table of facts: for every resource type the program registers, how AWS and the AWS
 * provider behave where day two depends on it. Each fact carries its source: an AWS documentation page,
 * a provider source file at a commit, or a provider issue.
 *
 * Two parts make the table:
 * - read from the provider's own source (`provider-schema.json`, `npm run fake-aws:schema`): which
 *   input properties force a replacement, which keep their stored value when left out, defaults, and
 *   the validations the provider refuses input with. A type joins that part by naming its Terraform
 *   resource here (`tfResource`);
 * - written here, one fact at a time with its source: what AWS stores back that differs from what it
 *   was sent (`stored`), what AWS refuses that no schema says (`refuses`), the names AWS keeps unique
 *   (`unique`) and keeps reserved after a delete (`reservedAfterDelete`), and replacements the schema
 *   does not say (`replaces`, for types whose provider is not hashicorp/terraform-provider-aws).
 *
 * The mock engine (`npm run plan`, the tests) and the fake provider plugins of the sandbox (the real
 * engine) both answer from this table and from `ids.ts` (ids, ARNs and endpoints): one fake AWS.
 */

/** A fact and where it comes from. */
export interface Sourced {
    /** What AWS (or the provider) does, in one sentence. */
    what: string;
    /** AWS documentation URL, provider source file at a commit (GitHub blob URL), or provider issue / pull request URL. */
    source: string | string[];
}

/** AWS stores something else than it was sent: the state a read returns, given the inputs sent. */
export interface StoredFact extends Sourced {
    store(state: Record<string, any>): Record<string, any>;
}

/** AWS refuses an input no schema validation catches: the reason, or undefined when accepted. */
export interface RefusalFact extends Sourced {
    refuse(inputs: Record<string, any>): string | undefined;
}

/** A name AWS keeps unique: the key (undefined when the inputs name nothing yet) and where it is unique. */
export interface UniqueFact extends Sourced {
    key(inputs: Record<string, any>): string | undefined;
    /** Region: unique per account and region; account: per account in every region; global: across AWS. */
    scope: "region" | "account" | "global";
    /** The error AWS answers a second create with. */
    error: string;
}

/** After a delete the name stays taken for some days (a secret's recovery window). */
export interface ReservationFact extends Sourced {
    days(state: Record<string, any>): number;
    error: string;
}

/** AWS refuses to delete the resource in this state (deletion protection): the reason, or undefined. */
export interface DeleteRefusalFact extends Sourced {
    refuse(state: Record<string, any>): string | undefined;
}

export interface TypeFacts {
    /** The hashicorp/terraform-provider-aws resource this Pulumi type bridges: its schema is read from the provider's source. */
    tfResource?: string;
    /** Input paths whose change replaces the resource, for types outside that provider (random), with the source. */
    replaces?: Sourced & { paths: string[] };
    stored?: StoredFact[];
    refuses?: RefusalFact[];
    unique?: UniqueFact;
    reservedAfterDelete?: ReservationFact;
    refusesDelete?: DeleteRefusalFact;
    /** Resources that are not custom resources of a provider (components, the engine's own). */
    component?: Sourced;
}

const DOCS = "https://docs.aws.amazon.com";
const ISSUE = (n: number) => `https://github.com/hashicorp/terraform-provider-aws/issues/${n}`;
const PULL = (n: number) => `https://github.com/hashicorp/terraform-provider-aws/pull/${n}`;

const named = (prop: string) => (i: Record<string, any>) => (typeof i[prop] === "string" ? i[prop] : undefined);

/** Types that exist only as their Terraform resource, with nothing more to say than the schema. */
const schemaOnly = (tfResource: string): TypeFacts => ({ tfResource });

export const FACTS: Record<string, TypeFacts> = {
    "aws:acm/certificate:Certificate": schemaOnly("aws_acm_certificate"),
    "aws:acm/certificateValidation:CertificateValidation": schemaOnly("aws_acm_certificate_validation"),
    "aws:appautoscaling/policy:Policy": schemaOnly("aws_appautoscaling_policy"),
    "aws:appautoscaling/target:Target": schemaOnly("aws_appautoscaling_target"),
    "aws:cloudfront/distribution:Distribution": schemaOnly("aws_cloudfront_distribution"),
    "aws:cloudfront/originAccessControl:OriginAccessControl": {
        tfResource: "aws_cloudfront_origin_access_control",
        unique: {
            what: "origin access control names are unique in the account",
            source: `${DOCS}/cloudfront/latest/APIReference/API_CreateOriginAccessControl.html`,
            key: named("name"), scope: "account", error: "OriginAccessControlAlreadyExists",
        },
    },
    "aws:cloudtrail/trail:Trail": {
        tfResource: "aws_cloudtrail",
        unique: {
            what: "trail names are unique in a region of the account",
            source: `${DOCS}/awscloudtrail/latest/APIReference/API_CreateTrail.html`,
            key: named("name"), scope: "region", error: "TrailAlreadyExistsException",
        },
    },
    "aws:cloudwatch/dashboard:Dashboard": schemaOnly("aws_cloudwatch_dashboard"),
    "aws:cloudwatch/eventRule:EventRule": schemaOnly("aws_cloudwatch_event_rule"),
    "aws:cloudwatch/eventTarget:EventTarget": schemaOnly("aws_cloudwatch_event_target"),
    "aws:cloudwatch/logGroup:LogGroup": {
        tfResource: "aws_cloudwatch_log_group",
        unique: {
            what: "log group names are unique in a region of the account",
            source: `${DOCS}/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html`,
            key: named("name"), scope: "region", error: "ResourceAlreadyExistsException: The specified log group already exists",
        },
    },
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": schemaOnly("aws_cloudwatch_log_metric_filter"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": schemaOnly("aws_cloudwatch_metric_alarm"),
    "aws:docdb/cluster:Cluster": {
        tfResource: "aws_docdb_cluster",
        refusesDelete: {
            what: "a cluster with deletion protection cannot be deleted",
            source: `${DOCS}/documentdb/latest/developerguide/db-cluster-delete.html`,
            refuse: (s) => (s.deletionProtection ? "InvalidParameterCombination: Cluster cannot be deleted while deletion protection is enabled" : undefined),
        },
        unique: {
            what: "cluster identifiers are unique in a region of the account",
            source: `${DOCS}/documentdb/latest/developerguide/API_CreateDBCluster.html`,
            key: named("clusterIdentifier"), scope: "region", error: "DBClusterAlreadyExistsFault",
        },
    },
    "aws:docdb/clusterInstance:ClusterInstance": {
        tfResource: "aws_docdb_cluster_instance",
        unique: {
            what: "instance identifiers are unique in a region of the account",
            source: `${DOCS}/documentdb/latest/developerguide/API_CreateDBInstance.html`,
            key: named("identifier"), scope: "region", error: "DBInstanceAlreadyExists",
        },
    },
    "aws:docdb/clusterParameterGroup:ClusterParameterGroup": schemaOnly("aws_docdb_cluster_parameter_group"),
    "aws:docdb/globalCluster:GlobalCluster": {
        tfResource: "aws_docdb_global_cluster",
        refusesDelete: {
            what: "a global cluster with deletion protection cannot be deleted",
            source: `${DOCS}/documentdb/latest/developerguide/API_DeleteGlobalCluster.html`,
            refuse: (s) => (s.deletionProtection ? "InvalidGlobalClusterStateFault: deletion protection is enabled" : undefined),
        },
        unique: {
            what: "global cluster identifiers are unique in the account (a global cluster spans regions)",
            source: `${DOCS}/documentdb/latest/developerguide/API_CreateGlobalCluster.html`,
            key: named("globalClusterIdentifier"), scope: "account", error: "GlobalClusterAlreadyExistsFault",
        },
    },
    "aws:docdb/subnetGroup:SubnetGroup": schemaOnly("aws_docdb_subnet_group"),
    "aws:dynamodb/table:Table": {
        tfResource: "aws_dynamodb_table",
        refusesDelete: {
            what: "a table with deletion protection cannot be deleted",
            source: `${DOCS}/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection`,
            refuse: (s) => (s.deletionProtectionEnabled ? "ValidationException: Resource cannot be deleted as it is currently protected against deletion" : undefined),
        },
        unique: {
            what: "table names are unique in a region of the account",
            source: `${DOCS}/amazondynamodb/latest/APIReference/API_CreateTable.html`,
            key: named("name"), scope: "region", error: "ResourceInUseException: Table already exists",
        },
    },
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": schemaOnly("aws_default_security_group"),
    "aws:ec2/eip:Eip": schemaOnly("aws_eip"),
    "aws:ec2/flowLog:FlowLog": schemaOnly("aws_flow_log"),
    "aws:ec2/securityGroup:SecurityGroup": schemaOnly("aws_security_group"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": schemaOnly("aws_vpc_endpoint"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": schemaOnly("aws_ecr_lifecycle_policy"),
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": schemaOnly("aws_ecr_registry_scanning_configuration"),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": schemaOnly("aws_ecr_replication_configuration"),
    "aws:ecr/repository:Repository": {
        tfResource: "aws_ecr_repository",
        unique: {
            what: "repository names are unique in a region's registry",
            source: `${DOCS}/AmazonECR/latest/APIReference/API_CreateRepository.html`,
            key: named("name"), scope: "region", error: "RepositoryAlreadyExistsException",
        },
    },
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": {
        tfResource: "aws_ecr_repository_creation_template",
        unique: {
            what: "one creation template per prefix in a region's registry",
            source: `${DOCS}/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html`,
            key: named("prefix"), scope: "region", error: "TemplateAlreadyExistsException",
        },
    },
    "aws:ecs/cluster:Cluster": schemaOnly("aws_ecs_cluster"),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": schemaOnly("aws_ecs_cluster_capacity_providers"),
    "aws:ecs/service:Service": {
        tfResource: "aws_ecs_service",
        unique: {
            what: "service names are unique in a cluster (a deleted service keeps its name while it drains)",
            source: `${DOCS}/AmazonECS/latest/APIReference/API_CreateService.html`,
            key: (i) => (typeof i.name === "string" && typeof i.cluster === "string" ? `${i.cluster}/${i.name}` : undefined),
            scope: "region", error: "InvalidParameterException: Creation of service was not idempotent",
        },
    },
    "aws:ecs/taskDefinition:TaskDefinition": {
        // The schema marks every argument but tags ForceNew: a changed task definition is a new revision.
        tfResource: "aws_ecs_task_definition",
        stored: [{
            what: "each registration of a family is a new revision, numbered one past the family's last (revisions are never reused)",
            source: `${DOCS}/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html`,
            // The revision itself is assigned by the account's state (aws.ts), which knows the family's last.
            store: (s) => s,
        }],
    },
    "aws:elasticache/parameterGroup:ParameterGroup": schemaOnly("aws_elasticache_parameter_group"),
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        tfResource: "aws_elasticache_replication_group",
        unique: {
            what: "replication group ids are unique in a region of the account",
            source: `${DOCS}/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html`,
            key: named("replicationGroupId"), scope: "region", error: "ReplicationGroupAlreadyExists",
        },
    },
    "aws:elasticache/subnetGroup:SubnetGroup": schemaOnly("aws_elasticache_subnet_group"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        tfResource: "aws_iam_openid_connect_provider",
        unique: {
            what: "one OIDC provider per URL in the account",
            source: `${DOCS}/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html`,
            key: named("url"), scope: "account", error: "EntityAlreadyExists",
        },
    },
    "aws:iam/policy:Policy": {
        tfResource: "aws_iam_policy",
        unique: {
            what: "managed policy names are unique in the account (IAM is global)",
            source: `${DOCS}/IAM/latest/APIReference/API_CreatePolicy.html`,
            key: named("name"), scope: "account", error: "EntityAlreadyExists",
        },
    },
    "aws:iam/role:Role": {
        tfResource: "aws_iam_role",
        unique: {
            what: "role names are unique in the account (IAM is global), case-insensitively",
            source: `${DOCS}/IAM/latest/APIReference/API_CreateRole.html`,
            key: (i) => (typeof i.name === "string" ? i.name.toLowerCase() : undefined), scope: "account", error: "EntityAlreadyExists",
        },
    },
    "aws:iam/rolePolicy:RolePolicy": schemaOnly("aws_iam_role_policy"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": schemaOnly("aws_iam_role_policy_attachment"),
    "aws:kms/alias:Alias": {
        tfResource: "aws_kms_alias",
        unique: {
            what: "alias names are unique in a region of the account",
            source: `${DOCS}/kms/latest/APIReference/API_CreateAlias.html`,
            key: named("name"), scope: "region", error: "AlreadyExistsException",
        },
    },
    "aws:kms/key:Key": schemaOnly("aws_kms_key"),
    "aws:kms/keyPolicy:KeyPolicy": schemaOnly("aws_kms_key_policy"),
    "aws:lb/listener:Listener": schemaOnly("aws_lb_listener"),
    "aws:lb/listenerRule:ListenerRule": schemaOnly("aws_lb_listener_rule"),
    "aws:lb/loadBalancer:LoadBalancer": {
        tfResource: "aws_lb",
        refusesDelete: {
            what: "a load balancer with deletion protection cannot be deleted",
            source: `${DOCS}/elasticloadbalancing/latest/application/application-load-balancers.html#deletion-protection`,
            refuse: (s) => (s.enableDeletionProtection ? "OperationNotPermitted: Load balancer cannot be deleted because deletion protection is enabled" : undefined),
        },
    },
    "aws:lb/targetGroup:TargetGroup": {
        tfResource: "aws_lb_target_group",
        unique: {
            what: "target group names are unique in a region of the account",
            source: `${DOCS}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html`,
            key: named("name"), scope: "region", error: "DuplicateTargetGroupName",
        },
    },
    "aws:route53/healthCheck:HealthCheck": schemaOnly("aws_route53_health_check"),
    "aws:route53/record:Record": {
        tfResource: "aws_route53_record",
        unique: {
            what: "a record set (zone, name, type, set identifier) exists once: CREATE fails when it exists; the provider's allow_overwrite sends UPSERT instead, making a second owner",
            source: [`${DOCS}/Route53/latest/APIReference/API_ChangeResourceRecordSets.html`, "https://github.com/hashicorp/terraform-provider-aws/blob/5f2286d6d836/internal/service/route53/record.go"],
            key: (i) => (typeof i.zoneId === "string" && typeof i.name === "string" && !i.allowOverwrite
                ? `${i.zoneId}/${i.name.toLowerCase().replace(/\.$/, "")}/${i.type}/${i.setIdentifier ?? ""}` : undefined),
            scope: "account", error: "InvalidChangeBatch: [Tried to create resource record set but it already exists]",
        },
    },
    "aws:s3/bucket:Bucket": {
        tfResource: "aws_s3_bucket",
        unique: {
            what: "bucket names are unique across all AWS accounts",
            source: `${DOCS}/AmazonS3/latest/userguide/bucketnamingrules.html`,
            key: named("bucket"), scope: "global", error: "BucketAlreadyExists",
        },
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": schemaOnly("aws_s3_bucket_lifecycle_configuration"),
    "aws:s3/bucketLogging:BucketLogging": schemaOnly("aws_s3_bucket_logging"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": schemaOnly("aws_s3_bucket_ownership_controls"),
    "aws:s3/bucketPolicy:BucketPolicy": schemaOnly("aws_s3_bucket_policy"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": schemaOnly("aws_s3_bucket_public_access_block"),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": schemaOnly("aws_s3_bucket_replication_configuration"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": schemaOnly("aws_s3_bucket_server_side_encryption_configuration"),
    "aws:s3/bucketVersioning:BucketVersioning": schemaOnly("aws_s3_bucket_versioning"),
    "aws:secretsmanager/secret:Secret": {
        tfResource: "aws_secretsmanager_secret",
        unique: {
            what: "secret names are unique in a region of the account",
            source: `${DOCS}/secretsmanager/latest/apireference/API_CreateSecret.html`,
            key: named("name"), scope: "region", error: "ResourceExistsException",
        },
        reservedAfterDelete: {
            what: "a deleted secret keeps its name for its recovery window (7–30 days; 0 deletes at once), and a create with that name fails meanwhile",
            source: [`${DOCS}/secretsmanager/latest/apireference/API_DeleteSecret.html`, `${DOCS}/secretsmanager/latest/apireference/API_CreateSecret.html`],
            // The provider's default recovery window is 30 days (schema default of recovery_window_in_days).
            days: (s) => (typeof s.recoveryWindowInDays === "number" ? s.recoveryWindowInDays : 30),
            error: "InvalidRequestException: You can't create this secret because a secret with this name is already scheduled for deletion.",
        },
    },
    "aws:secretsmanager/secretVersion:SecretVersion": schemaOnly("aws_secretsmanager_secret_version"),
    "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": schemaOnly("aws_service_discovery_private_dns_namespace"),
    "aws:servicediscovery/service:Service": {
        tfResource: "aws_service_discovery_service",
        stored: [{
            what: "Cloud Map ignores HealthCheckCustomConfig.FailureThreshold and stores 1; the provider keeps the block in its state only when the threshold it reads is not 0",
            source: [
                `${DOCS}/cloud-map/latest/api/API_HealthCheckCustomConfig.html`,
                ISSUE(35559), ISSUE(44285), PULL(40777),
            ],
            store: (s) => {
                const c = s.healthCheckCustomConfig;
                if (c === undefined || c === null) return s;
                const { healthCheckCustomConfig: _dropped, ...rest } = s;
                // Sent with a threshold: AWS answers 1. Sent empty (threshold 0 or unset): nothing is sent, nothing stored.
                return c.failureThreshold ? { ...rest, healthCheckCustomConfig: { ...c, failureThreshold: 1 } } : rest;
            },
        }],
        unique: {
            what: "service names are unique in a namespace",
            source: `${DOCS}/cloud-map/latest/api/API_CreateService.html`,
            key: (i) => (typeof i.name === "string" && typeof i.dnsConfig?.namespaceId === "string" ? `${i.dnsConfig.namespaceId}/${i.name}` : undefined),
            scope: "region", error: "ServiceAlreadyExists",
        },
    },
    "aws:sns/topic:Topic": schemaOnly("aws_sns_topic"),
    "aws:sns/topicPolicy:TopicPolicy": schemaOnly("aws_sns_topic_policy"),
    "aws:ssm/parameter:Parameter": {
        tfResource: "aws_ssm_parameter",
        unique: {
            what: "parameter names are unique in a region of the account (PutParameter without Overwrite refuses an existing name)",
            source: `${DOCS}/systems-manager/latest/APIReference/API_PutParameter.html`,
            key: named("name"), scope: "region", error: "ParameterAlreadyExists",
        },
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": schemaOnly("aws_vpc_security_group_egress_rule"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": schemaOnly("aws_vpc_security_group_ingress_rule"),
    "aws:wafv2/webAcl:WebAcl": schemaOnly("aws_wafv2_web_acl"),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": schemaOnly("aws_wafv2_web_acl_logging_configuration"),
    "random:index/randomPassword:RandomPassword": {
        replaces: {
            what: "every argument of a random password replaces it (a new value) when it changes; keepers only when a value is set",
            source: "https://github.com/hashicorp/terraform-provider-random/blob/e1092b0cfc07/internal/provider/resource_password.go#L569-L720",
            paths: ["keepers", "length", "special", "upper", "lower", "number", "numeric", "minNumeric", "minUpper", "minLower", "minSpecial", "overrideSpecial"],
        },
    },
    "awsx:ec2:Vpc": {
        component: {
            what: "a remote component: the awsx provider constructs it; its children are the resources (here: one component whose outputs are computed by awsx-vpc.ts)",
            source: "https://www.pulumi.com/docs/reference/pkg/awsx/ec2/vpc/",
        },
    },
};

/** The facts of a type, or undefined when the fake AWS has none. */
export const factsOf = (type: string): TypeFacts | undefined => FACTS[type];
