/**
 * The AWS-managed policies the stacks attach, as data for the IAM simulator (level L3: what a role
 * can do, judged by an outside evaluator over the planned policies).
 *
 * Sources, AWS Managed Policy Reference:
 * - AdministratorAccess: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
 * - PowerUserAccess v12 (edited 2026-02-12): https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html
 * - ReadOnlyAccess: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/ReadOnlyAccess.html
 *
 * ReadOnlyAccess is one Allow statement of several thousand `service:Verb*` entries on `*`. It is
 * modelled here as the entries of the services the simulator tests ask about (copied from the
 * published document, version v90), not all of them: a test row on a service outside
 * {@link READONLY_MODELLED_SERVICES} fails (test/access/simulator.test.ts; an access path: tools/access-paths/model.ts) instead of being judged
 * against a policy that was never modelled.
 */

export const ADMINISTRATOR_ACCESS = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export const POWER_USER_ACCESS = {
    Version: "2012-10-17",
    Statement: [
        { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
        {
            Effect: "Allow",
            Action: [
                "account:GetAccountInformation", "account:GetGovCloudAccountInformation", "account:GetPrimaryEmail", "account:ListRegions",
                "iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                "organizations:DescribeEffectivePolicy", "organizations:DescribeOrganization",
            ],
            Resource: "*",
        },
    ],
};

/** ReadOnlyAccess entries of these services are modelled (all of each service's entries, none of the others'). */
export const READONLY_MODELLED_SERVICES = [
    "application-autoscaling", "cloudtrail", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs", "elasticloadbalancing", "events", "iam", "kms",
    "logs", "organizations", "rds", "route53", "s3", "secretsmanager", "sns", "ssm", "sts",
];

export const READ_ONLY_ACCESS = {
    Version: "2012-10-17",
    Statement: [{
        Effect: "Allow",
        Action: [
            "application-autoscaling:Describe*",
            "cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
            "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
            "dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:Query", "dynamodb:Scan",
            "ec2:Describe*", "ec2:Get*", "ec2:ListSnapshotsInRecycleBin", "ec2:SearchLocalGatewayRoutes", "ec2:SearchTransitGatewayRoutes",
            "ecr:BatchCheck*", "ecr:BatchGet*", "ecr:Describe*", "ecr:Get*", "ecr:List*",
            "ecs:Describe*", "ecs:List*",
            "elasticloadbalancing:Describe*",
            "events:Describe*", "events:List*", "events:Test*",
            "iam:Generate*", "iam:Get*", "iam:List*", "iam:Simulate*",
            "kms:Describe*", "kms:Get*", "kms:List*",
            "logs:Describe*", "logs:FilterLogEvents", "logs:Get*", "logs:ListTagsLogGroup", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter",
            "organizations:Describe*", "organizations:List*",
            "rds:Describe*", "rds:Download*", "rds:List*",
            "route53:Get*", "route53:List*", "route53:Test*",
            "s3:DescribeJob", "s3:Get*", "s3:List*",
            "secretsmanager:Describe*", "secretsmanager:GetResourcePolicy", "secretsmanager:List*",
            "sns:Check*", "sns:Get*", "sns:List*",
            "ssm:Describe*", "ssm:Get*", "ssm:List*",
            "sts:GetAccessKeyInfo", "sts:GetCallerIdentity", "sts:GetSessionToken",
        ],
        Resource: "*",
    }],
};

/** Managed policy ARN → its modelled document. */
export const AWS_MANAGED_POLICIES: Record<string, { Version: string; Statement: any[] }> = {
    "arn:aws:iam::aws:policy/AdministratorAccess": ADMINISTRATOR_ACCESS,
    "arn:aws:iam::aws:policy/PowerUserAccess": POWER_USER_ACCESS,
    "arn:aws:iam::aws:policy/ReadOnlyAccess": READ_ONLY_ACCESS,
};
