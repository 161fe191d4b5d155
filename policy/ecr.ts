/** ECR repository and registry policies. "Lifecycle policy present" joins resources and lives in `stack.ts`. */
import { containersOf, ECS_TYPES } from "./ecs";
import { list, ofTypes, parseJson, read, resourcePolicy, rulesFor, stackEnvironment, stackPolicy, str, UNKNOWN } from "./common";

export const ECR_TYPES = {
    repository: "aws:ecr/repository:Repository",
    lifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    registryScanning: "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    creationTemplate: "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    replication: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
} as const;

const IMMUTABLE = new Set(["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"]);

export const ecrScanOnPush = resourcePolicy({
    name: "ecr-scan-on-push",
    description: "ECR repositories scan images on push.",
    metadata: {
        control: "FSBP ECR.1",
        severity: "high",
        area: "ecr",
        remediation: "Set `imageScanningConfiguration: { scanOnPush: true }`.",
    },
    types: [ECR_TYPES.repository],
    validate: (props, _args, report) => {
        const v = read(read(props, "imageScanningConfiguration"), "scanOnPush");
        if (v !== true && v !== UNKNOWN) report("Images are not scanned on push: set `imageScanningConfiguration.scanOnPush: true`.");
    },
});

export const ecrTagImmutability = resourcePolicy({
    name: "ecr-tag-immutability",
    description: "ECR image tags are immutable (moving `latest-[env]` tags need an explicit exclusion filter).",
    metadata: {
        control: "FSBP ECR.2", severity: "medium", area: "ecr",
        remediation: "Set `imageTagMutability: \"IMMUTABLE\"`, or \"IMMUTABLE_WITH_EXCLUSION\" with a filter for `latest-*`.",
    },
    types: [ECR_TYPES.repository],
    validate: (props, _args, report) => {
        const m = read(props, "imageTagMutability");
        if (m !== UNKNOWN && !IMMUTABLE.has(m)) {
            report(`imageTagMutability is ${m === undefined ? "unset (MUTABLE)" : `"${m}"`}: set it to "IMMUTABLE".`);
        }
    },
});

export const ecrRepositoryCustomerKey = resourcePolicy({
    name: "ecr-repository-customer-key",
    description: "ECR repositories are encrypted with a customer-managed KMS key.",
    metadata: {
        control: "FSBP ECR.5",
        severity: "medium",
        area: "ecr",
        remediation: 'Set `encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <stack key ARN> }]`.',
    },
    types: [ECR_TYPES.repository],
    validate: (props, _args, report) => {
        const configs = read(props, "encryptionConfigurations");
        if (configs === UNKNOWN) return;
        const c = list(configs)[0];
        if (read(c, "encryptionType") !== "KMS" || !read(c, "kmsKey"))
            report("Images are not encrypted with a customer-managed key: set `encryptionConfigurations` to KMS with the stack's key.");
    },
});

/** Does a stack run containers from ECR (its own repositories or replicas)? Unknown definitions count as no. */
function runsEcrImages(resources: { type: string; props: Record<string, any> }[]): boolean {
    return ofTypes(resources as any, [ECS_TYPES.taskDefinition]).some(t =>
        containersOf(t.props).some(c => /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//.test(str(c.def.image) ?? "")));
}

/**
 * Continuous (enhanced) scanning is a per-registry, per-region setting
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html): a stack that
 * creates repositories, or runs images from ECR, configures the scanning of its region's registry.
 */
export const ecrRegistryScanning = stackPolicy({
    name: "ecr-registry-scanning",
    description:
        "A stack that creates ECR repositories or runs ECR images configures registry scanning (enhanced, continuous) in its region.",
    metadata: {
        control: "FSBP ECR.1",
        severity: "high",
        area: "ecr",
        remediation:
            'Add an `aws.ecr.RegistryScanningConfiguration` with `scanType: "ENHANCED"` and a CONTINUOUS_SCAN rule for the repositories.',
    },
    validate: (args, report) => {
        const repos = ofTypes(args.resources, [ECR_TYPES.repository]);
        if (repos.length === 0 && !runsEcrImages(args.resources)) return;
        const configs = ofTypes(args.resources, [ECR_TYPES.registryScanning]);
        const ok = configs.some(c => {
            const type = read(c.props, "scanType");
            const rules = list(read(c.props, "rules"));
            return (
                (type === "ENHANCED" || type === UNKNOWN) &&
                rules.some((r) => read(r, "scanFrequency") === "CONTINUOUS_SCAN" || read(r, "scanFrequency") === UNKNOWN)
            );
        });
        if (!ok)
            report(
                configs.length === 0
                    ? "The stack uses ECR images but configures no registry scanning: add an ENHANCED RegistryScanningConfiguration " +
                        "with a CONTINUOUS_SCAN rule."
                    : 'Registry scanning is not enhanced and continuous: set `scanType: "ENHANCED"` and a CONTINUOUS_SCAN rule.',
            );
    },
});

/**
 * Repositories ECR creates by replication get the controls of a REPLICATION creation template, or ECR's
 * defaults (mutable tags, no lifecycle policy) when none exists at the moment they are created
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html). So the
 * stack that replicates its registry creates the template and makes its replication rule wait for it; a
 * stack that runs replicas it does not create (dr) needs one too, unless its policy config says the
 * replicating stack owns it (`required: false` with the reason).
 */
export const ecrReplicaRepositoryTemplate = stackPolicy({
    name: "ecr-replica-repository-template",
    description:
        "Replicated repositories get a REPLICATION creation template (immutable tags, lifecycle rules) that exists before the " +
        "replication rule: created by the replicating stack, or by the stack that runs the replicas.",
    metadata: {
        control: "FSBP ECR.2, ECR.3",
        severity: "medium",
        area: "ecr",
        environmentAware: true,
        remediation:
            'Add an `aws.ecr.RepositoryCreationTemplate` (appliedFors ["REPLICATION"], imageTagMutability IMMUTABLE or ' +
            'IMMUTABLE_WITH_EXCLUSION, a lifecycle policy) for the repository prefix in the destination region, and `dependsOn` it from ' +
            'the replication configuration.',
    },
    validate: (args, report) => {
        const templates = ofTypes(args.resources, [ECR_TYPES.creationTemplate]).filter((t) =>
            list(read(t.props, "appliedFors")).includes("REPLICATION"),
        );
        const replications = ofTypes(args.resources, [ECR_TYPES.replication]);
        const checkTemplates = () => {
            for (const t of templates) {
                const m = read(t.props, "imageTagMutability");
                if (m !== UNKNOWN && !IMMUTABLE.has(m))
                    report(
                        `Creation template "${t.name}" gives replicas imageTagMutability ` +
                        `${m === undefined ? "unset (MUTABLE)" : `"${m}"`}: set "IMMUTABLE" or "IMMUTABLE_WITH_EXCLUSION".`,
                        t.urn,
                    );
                const lifecycle = read(t.props, "lifecyclePolicy");
                if (lifecycle !== UNKNOWN && list(parseJson(lifecycle)?.rules).length === 0)
                    report(`Creation template "${t.name}" gives replicas no lifecycle rules: set \`lifecyclePolicy\`.`, t.urn);
            }
        };
        if (replications.length > 0) {
            if (templates.length === 0) {
                report(
                    "The stack replicates its registry but creates no REPLICATION repository creation template: repositories replicated " +
                    "before the other region's stack creates one get mutable tags and no lifecycle policy.",
                );
                return;
            }
            for (const r of replications) {
                const waits = (r.dependencies ?? []).map((d) => d.urn);
                const missing = templates.filter((t) => !waits.includes(t.urn));
                if (missing.length)
                    report(
                        `Replication "${r.name}" does not wait for creation template${missing.length > 1 ? "s" : ""} ` +
                        `${missing.map((t) => `"${t.name}"`).join(", ")}: add ${missing.length > 1 ? "them" : "it"} to \`dependsOn\` so ` +
                        `no replica is created before ${missing.length > 1 ? "they exist" : "it exists"}.`,
                        r.urn,
                    );
            }
            checkTemplates();
            return;
        }
        if (ofTypes(args.resources, [ECR_TYPES.repository]).length > 0 || !runsEcrImages(args.resources)) return;
        if (rulesFor(stackEnvironment(args)).replicasFromPrimary) return;
        if (templates.length === 0) {
            report(
                "The stack runs ECR images from repositories it does not create (replicas) but has no REPLICATION repository creation " +
                "template: replicas get mutable tags and no lifecycle policy.",
            );
            return;
        }
        checkTemplates();
    },
});

export const ecrPolicies = [ecrScanOnPush, ecrTagImmutability, ecrRepositoryCustomerKey];
export const ecrStackPolicies = [ecrRegistryScanning, ecrReplicaRepositoryTemplate];
