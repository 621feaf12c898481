//! The one table of every AWS API call the collector makes, with the IAM action that
//! authorizes it. The collector names calls only through these constants (for failures and
//! progress), the SDK interceptor in [`crate::sdk`] checks every request it sees against the
//! table, and [`required_policy`] is generated from it — so the permission list cannot drift
//! from the code.

use serde_json::{Value, json};

/// One API operation and the permission it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call {
    /// The SDK's service name, as its operations report it (`IAM`, `S3`, `API Gateway`).
    pub sdk_service: &'static str,
    /// The API operation (`GetAccountAuthorizationDetails`).
    pub operation: &'static str,
    /// The IAM action that authorizes it (`iam:GetAccountAuthorizationDetails`).
    pub action: &'static str,
}

impl Call {
    /// The catalog's service prefix of the action (`iam`, `es`, `events`).
    pub fn service(&self) -> &'static str {
        self.action.split_once(':').map_or(self.action, |(s, _)| s)
    }
}

macro_rules! calls {
    ($($(#[$doc:meta])* $name:ident = ($svc:literal, $op:literal, $action:literal);)*) => {
        $(
            $(#[$doc])*
            pub const $name: Call = Call { sdk_service: $svc, operation: $op, action: $action };
        )*
        /// Every call the collector makes, in the order of the constants above.
        pub const CALLS: &[Call] = &[$($name),*];
    };
}

calls! {
    /// Who the credentials are (needs no permission, listed for completeness).
    STS_GET_CALLER_IDENTITY = ("STS", "GetCallerIdentity", "sts:GetCallerIdentity");
    /// `--org`: the member-account role (the only non-read action; see [`required_policy`]).
    STS_ASSUME_ROLE = ("STS", "AssumeRole", "sts:AssumeRole");
    /// Users, groups, roles and managed policies.
    IAM_GET_ACCOUNT_AUTHORIZATION_DETAILS = ("IAM", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails");
    /// The organization's id and management account.
    ORG_DESCRIBE_ORGANIZATION = ("Organizations", "DescribeOrganization", "organizations:DescribeOrganization");
    /// The roots and their enabled policy types.
    ORG_LIST_ROOTS = ("Organizations", "ListRoots", "organizations:ListRoots");
    /// The OU tree.
    ORG_LIST_OUS_FOR_PARENT = ("Organizations", "ListOrganizationalUnitsForParent", "organizations:ListOrganizationalUnitsForParent");
    /// The accounts under each root or OU.
    ORG_LIST_ACCOUNTS_FOR_PARENT = ("Organizations", "ListAccountsForParent", "organizations:ListAccountsForParent");
    /// `--org`: the member accounts and their status.
    ORG_LIST_ACCOUNTS = ("Organizations", "ListAccounts", "organizations:ListAccounts");
    /// The SCPs and RCPs.
    ORG_LIST_POLICIES = ("Organizations", "ListPolicies", "organizations:ListPolicies");
    /// The content of each SCP and RCP.
    ORG_DESCRIBE_POLICY = ("Organizations", "DescribePolicy", "organizations:DescribePolicy");
    /// Where each SCP and RCP is attached.
    ORG_LIST_TARGETS_FOR_POLICY = ("Organizations", "ListTargetsForPolicy", "organizations:ListTargetsForPolicy");
    /// The enabled regions.
    EC2_DESCRIBE_REGIONS = ("EC2", "DescribeRegions", "ec2:DescribeRegions");
    /// VPC endpoints and their policies.
    EC2_DESCRIBE_VPC_ENDPOINTS = ("EC2", "DescribeVpcEndpoints", "ec2:DescribeVpcEndpoints");
    /// The account's buckets (with their regions).
    S3_LIST_BUCKETS = ("S3", "ListBuckets", "s3:ListAllMyBuckets");
    /// A bucket's region, when the listing did not give it.
    S3_GET_BUCKET_LOCATION = ("S3", "GetBucketLocation", "s3:GetBucketLocation");
    /// A bucket's policy.
    S3_GET_BUCKET_POLICY = ("S3", "GetBucketPolicy", "s3:GetBucketPolicy");
    /// A bucket's tags.
    S3_GET_BUCKET_TAGGING = ("S3", "GetBucketTagging", "s3:GetBucketTagging");
    /// The region's KMS keys.
    KMS_LIST_KEYS = ("KMS", "ListKeys", "kms:ListKeys");
    /// A key's policy.
    KMS_GET_KEY_POLICY = ("KMS", "GetKeyPolicy", "kms:GetKeyPolicy");
    /// A key's tags.
    KMS_LIST_RESOURCE_TAGS = ("KMS", "ListResourceTags", "kms:ListResourceTags");
    /// The region's queues.
    SQS_LIST_QUEUES = ("SQS", "ListQueues", "sqs:ListQueues");
    /// A queue's ARN and policy.
    SQS_GET_QUEUE_ATTRIBUTES = ("SQS", "GetQueueAttributes", "sqs:GetQueueAttributes");
    /// A queue's tags.
    SQS_LIST_QUEUE_TAGS = ("SQS", "ListQueueTags", "sqs:ListQueueTags");
    /// The region's topics.
    SNS_LIST_TOPICS = ("SNS", "ListTopics", "sns:ListTopics");
    /// A topic's policy.
    SNS_GET_TOPIC_ATTRIBUTES = ("SNS", "GetTopicAttributes", "sns:GetTopicAttributes");
    /// A topic's tags.
    SNS_LIST_TAGS_FOR_RESOURCE = ("SNS", "ListTagsForResource", "sns:ListTagsForResource");
    /// The region's secrets (with their tags).
    SECRETS_LIST_SECRETS = ("Secrets Manager", "ListSecrets", "secretsmanager:ListSecrets");
    /// A secret's resource policy.
    SECRETS_GET_RESOURCE_POLICY = ("Secrets Manager", "GetResourcePolicy", "secretsmanager:GetResourcePolicy");
    /// The region's functions.
    LAMBDA_LIST_FUNCTIONS = ("Lambda", "ListFunctions", "lambda:ListFunctions");
    /// A function's published versions.
    LAMBDA_LIST_VERSIONS_BY_FUNCTION = ("Lambda", "ListVersionsByFunction", "lambda:ListVersionsByFunction");
    /// A function's aliases.
    LAMBDA_LIST_ALIASES = ("Lambda", "ListAliases", "lambda:ListAliases");
    /// The policy of a function, version or alias.
    LAMBDA_GET_POLICY = ("Lambda", "GetPolicy", "lambda:GetPolicy");
    /// A function's tags.
    LAMBDA_LIST_TAGS = ("Lambda", "ListTags", "lambda:ListTags");
    /// The region's ECR repositories.
    ECR_DESCRIBE_REPOSITORIES = ("ECR", "DescribeRepositories", "ecr:DescribeRepositories");
    /// A repository's policy.
    ECR_GET_REPOSITORY_POLICY = ("ECR", "GetRepositoryPolicy", "ecr:GetRepositoryPolicy");
    /// A repository's tags.
    ECR_LIST_TAGS_FOR_RESOURCE = ("ECR", "ListTagsForResource", "ecr:ListTagsForResource");
    /// The region's event buses (with their policies).
    EVENTS_LIST_EVENT_BUSES = ("EventBridge", "ListEventBuses", "events:ListEventBuses");
    /// An event bus's tags.
    EVENTS_LIST_TAGS_FOR_RESOURCE = ("EventBridge", "ListTagsForResource", "events:ListTagsForResource");
    /// The region's OpenSearch domains.
    ES_LIST_DOMAIN_NAMES = ("OpenSearch", "ListDomainNames", "es:ListDomainNames");
    /// Domains' access policies (five per call).
    ES_DESCRIBE_DOMAINS = ("OpenSearch", "DescribeDomains", "es:DescribeDomains");
    /// A domain's tags.
    ES_LIST_TAGS = ("OpenSearch", "ListTags", "es:ListTags");
    /// The region's REST APIs (with their policies and tags).
    APIGATEWAY_GET_REST_APIS = ("API Gateway", "GetRestApis", "apigateway:GET");
}

/// The call with this SDK service name and operation, if the collector makes it.
pub fn find(sdk_service: &str, operation: &str) -> Option<&'static Call> {
    CALLS
        .iter()
        .find(|c| c.sdk_service == sdk_service && c.operation == operation)
}

/// The default member-account role of `--org`.
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";

/// The IAM policy the collector needs: every read action of [`CALLS`] on `*`, and — with
/// `org_role` (`--org`) — `sts:AssumeRole` limited to `arn:aws:iam::*:role/<org_role>`.
pub fn required_policy(org_role: Option<&str>) -> Value {
    let mut read: Vec<&str> = CALLS
        .iter()
        .filter(|c| **c != STS_ASSUME_ROLE)
        .map(|c| c.action)
        .collect();
    read.sort_unstable();
    read.dedup();
    let mut statements = vec![json!({
        "Sid": "IamwhyCollectReadOnly",
        "Effect": "Allow",
        "Action": read,
        "Resource": "*"
    })];
    if let Some(role) = org_role {
        statements.push(json!({
            "Sid": "IamwhyCollectAssumeMemberAccountRole",
            "Effect": "Allow",
            "Action": STS_ASSUME_ROLE.action,
            "Resource": format!("arn:aws:iam::*:role/{role}")
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_listed_once() {
        for (i, c) in CALLS.iter().enumerate() {
            assert!(
                CALLS[..i]
                    .iter()
                    .all(|d| (d.sdk_service, d.operation) != (c.sdk_service, c.operation)),
                "{c:?} is listed twice"
            );
        }
    }

    #[test]
    fn assume_role_appears_only_with_a_role_name() {
        let text = required_policy(None).to_string();
        assert!(!text.contains("sts:AssumeRole"));
        let text = required_policy(Some("Audit")).to_string();
        assert!(text.contains("arn:aws:iam::*:role/Audit"));
    }
}
