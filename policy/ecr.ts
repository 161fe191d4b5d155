/** ECR repository policies. "Lifecycle policy present" joins resources and lives in `stack.ts`. */
import { read, resourcePolicy, UNKNOWN } from "./common";

export const ECR_TYPES = {
    repository: "aws:ecr/repository:Repository",
    lifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
} as const;

export const ecrScanOnPush = resourcePolicy({
    name: "ecr-scan-on-push",
    description: "ECR repositories scan images on push.",
    metadata: { control: "FSBP ECR.1", severity: "high", area: "ecr", remediation: "Set `imageScanningConfiguration: { scanOnPush: true }`." },
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
        if (m !== UNKNOWN && m !== "IMMUTABLE" && m !== "IMMUTABLE_WITH_EXCLUSION") {
            report(`imageTagMutability is ${m === undefined ? "unset (MUTABLE)" : `"${m}"`}: set it to "IMMUTABLE".`);
        }
    },
});

export const ecrPolicies = [ecrScanOnPush, ecrTagImmutability];
