import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { imageUri } from "../config/image-ref";
import { repositoryName, serviceTags } from "../config/naming";
import { regionalProvider } from "./aws-provider";

export interface ContainerRegistryArgs {
    /** The services (plain: one repository each). */
    services: string[];
    /** This stack's region (the repositories' URLs). */
    region: string;
    /** The account of the repositories' URLs and policies. */
    accountId: pulumi.Input<string>;
    /**
     * false in dr: the repositories there are prod's replicas (same names, us-west-2), created by
     * ECR replication, so this stack only computes their addresses.
     */
    createRepositories: boolean;
    /** Days an image tagged `*-<env>` is kept, per environment suffix. */
    retentionDays: {
        /** Days a `*-dev` image is kept. */
        dev: number;
        /** Days a `*-staging` image is kept. */
        staging: number;
        /** Days a `*-prod` image is kept. */
        prod: number;
    };
    /** Days an untagged image is kept. */
    untaggedExpireDays: number;
    /** Regions to replicate the repositories to (prod → us-west-2). */
    replicationRegions: string[];
    /** KMS key that encrypts the images. */
    kmsKeyArn: pulumi.Input<string>;
    /** `protect` the repositories (plain: a resource option). */
    protect: boolean;
}

/** The namespace of every repository (`task-management-system/<service>`). */
export const REPOSITORY_PREFIX = "task-management-system";
/** The only tags that may move: `latest-<env>`. */
export const MOVING_TAG_FILTER = "latest-*";

/**
 * The guide's image lifecycle as an ECR lifecycle policy. An image is judged by the highest-priority
 * rule it matches, so the first rule shelters images carrying a moving `latest-*` tag (at most one per
 * environment) from the age rules below it.
 */
export function lifecyclePolicy(a: Pick<ContainerRegistryArgs, "retentionDays" | "untaggedExpireDays">): string {
    const age = (priority: number, description: string, tagStatus: "tagged" | "untagged", days: number, pattern?: string) => ({
        rulePriority: priority,
        description,
        selection: {
            tagStatus,
            ...(pattern ? { tagPatternList: [pattern] } : {}),
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: days,
        },
        action: { type: "expire" },
    });
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: "Keep the images the moving latest-<env> tags point at",
                selection: { tagStatus: "tagged", tagPatternList: ["latest-*"], countType: "imageCountMoreThan", countNumber: 100 },
                action: { type: "expire" },
            },
            age(2, `Untagged images: ${a.untaggedExpireDays} days`, "untagged", a.untaggedExpireDays),
            age(3, `Development images: ${a.retentionDays.dev} days`, "tagged", a.retentionDays.dev, "*-dev"),
            age(4, `Staging images: ${a.retentionDays.staging} days`, "tagged", a.retentionDays.staging, "*-staging"),
            age(5, `Production images: ${a.retentionDays.prod} days`, "tagged", a.retentionDays.prod, "*-prod"),
        ],
    });
}

/** One ECR repository per service, `task-management-system/<service>`, and registry replication. */
export class ContainerRegistry extends pulumi.ComponentResource {
    /** Repository URL per service (`<account>.dkr.ecr.<region>.amazonaws.com/task-management-system/<svc>`). */
    readonly repositoryUrls: Record<string, pulumi.Output<string>>;
    readonly repositoryArns: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tms:compute:ContainerRegistry", name, {}, opts);
        this.repositoryUrls = {};
        this.repositoryArns = {};
        for (const svc of args.services) {
            const repoName = repositoryName(svc);
            if (!args.createRepositories) {
                this.repositoryUrls[svc] = pulumi.interpolate`${args.accountId}.dkr.ecr.${args.region}.amazonaws.com/${repoName}`;
                this.repositoryArns[svc] = pulumi.interpolate`arn:aws:ecr:${args.region}:${args.accountId}:repository/${repoName}`;
                continue;
            }
            const repo = new aws.ecr.Repository(`${name}-${svc}`, {
                name: repoName,
                imageScanningConfiguration: { scanOnPush: true },
                // Release tags (<hash>-<env>) are immutable; only the moving latest-<env> tag may move.
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                imageTagMutabilityExclusionFilters: [{ filter: MOVING_TAG_FILTER, filterType: "WILDCARD" }],
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                // A disposable (unprotected) stack's destroy deletes the images too: ECR refuses to delete a
                // repository that holds images (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DeleteRepository.html).
                forceDelete: !args.protect,
                tags: serviceTags(svc),
            }, { parent: this, protect: args.protect });
            new aws.ecr.LifecyclePolicy(`${name}-${svc}-lifecycle`, {
                repository: repo.name,
                policy: lifecyclePolicy(args),
            }, { parent: this });
            this.repositoryUrls[svc] = repo.repositoryUrl;
            this.repositoryArns[svc] = repo.arn;
        }
        // Both the home registry and dr's (where prod's images arrive by replication) scan continuously.
        this.registryScanning(name);
        if (args.createRepositories && args.replicationRegions.length) {
            // The replicating stack creates the destination regions' creation templates, and the replication
            // rule waits for them: a repository replicated before its template exists keeps ECR's defaults
            // for good (templates apply at creation only). dr, which runs the replicas, creates none: its
            // stack comes after prod's, and a second template for the prefix would be refused.
            const templates = args.replicationRegions.map((region) => this.replicaTemplate(name, region, args));
            new aws.ecr.ReplicationConfiguration(`${name}-replication`, {
                replicationConfiguration: {
                    rules: [{
                        destinations: args.replicationRegions.map((region) => ({ region, registryId: args.accountId })),
                        repositoryFilters: [{ filter: `${REPOSITORY_PREFIX}/`, filterType: "PREFIX_MATCH" }],
                    }],
                },
            }, { parent: this, dependsOn: templates });
        }
        this.registerOutputs({ repositoryUrls: this.repositoryUrls });
    }

    /**
     * Guide: "Daily rescanning of deployed images". Enhanced scanning (Amazon Inspector) rescans
     * continuously as new vulnerabilities are published; it is a registry (per-region) setting, so dr
     * needs its own for the replicas it runs
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-enhanced.html).
     */
    private registryScanning(name: string): aws.ecr.RegistryScanningConfiguration {
        return new aws.ecr.RegistryScanningConfiguration(`${name}-scanning`, {
            scanType: "ENHANCED",
            rules: [{
                scanFrequency: "CONTINUOUS_SCAN",
                repositoryFilters: [{ filter: `${REPOSITORY_PREFIX}/*`, filterType: "WILDCARD" }],
            }],
        }, { parent: this });
    }

    /**
     * dr runs prod's images from repositories that ECR replication creates in its region. Without a
     * template they get ECR's defaults: mutable tags and no lifecycle policy. The template applied to
     * REPLICATION gives them the home repositories' settings
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html); it is
     * created in the destination region through that region's provider. Encryption is AES256: a KMS key
     * (or resource tags) in a template needs a custom role for ECR to assume
     * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html).
     */
    private replicaTemplate(name: string, region: string, args: ContainerRegistryArgs): aws.ecr.RepositoryCreationTemplate {
        const provider = regionalProvider(`${name}-${region}`, region, this);
        return new aws.ecr.RepositoryCreationTemplate(`${name}-replica-template-${region}`, {
            prefix: REPOSITORY_PREFIX,
            description: "tms: repositories created in this region by replication of prod's registry",
            appliedFors: ["REPLICATION"],
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: MOVING_TAG_FILTER, filterType: "WILDCARD" }],
            lifecyclePolicy: lifecyclePolicy(args),
            encryptionConfigurations: [{ encryptionType: "AES256" }],
        }, { parent: this, provider });
    }

    /** The image of a service: a full URI as given, or a tag (`repo:tag`) or digest (`repo@sha256:…`) in this stack's repository. */
    image(service: string, imageOrTag: string): pulumi.Output<string> {
        if (imageOrTag.includes("/")) return pulumi.output(imageOrTag);
        return pulumi.output(this.repositoryUrls[service]).apply((url) => imageUri(url, imageOrTag));
    }
}
