//! The resource types a resource-based policy can be attached to (`--resource-type`), named as
//! CloudFormation and Access Analyzer name them, with the services whose actions and ARNs
//! belong in such a policy.

/// One resource type that carries a resource-based policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceTypeSpec {
    /// `AWS::S3::Bucket`.
    pub name: &'static str,
    /// Service prefixes whose actions the policy may name.
    pub action_services: &'static [&'static str],
    /// ARN services the policy's `Resource` may name (empty: the policy has no `Resource`).
    pub arn_services: &'static [&'static str],
}

const fn spec(
    name: &'static str,
    action_services: &'static [&'static str],
    arn_services: &'static [&'static str],
) -> ResourceTypeSpec {
    ResourceTypeSpec {
        name,
        action_services,
        arn_services,
    }
}

/// Every resource type `--resource-type` accepts.
pub static RESOURCE_TYPES: &[ResourceTypeSpec] = &[
    spec(
        "AWS::ApiGateway::RestApi",
        &["execute-api"],
        &["execute-api"],
    ),
    spec("AWS::Backup::BackupVault", &["backup"], &["backup"]),
    spec(
        "AWS::CodeArtifact::Domain",
        &["codeartifact"],
        &["codeartifact"],
    ),
    spec("AWS::DynamoDB::Stream", &["dynamodb"], &["dynamodb"]),
    spec("AWS::DynamoDB::Table", &["dynamodb"], &["dynamodb"]),
    spec("AWS::ECR::Repository", &["ecr"], &["ecr"]),
    spec(
        "AWS::EFS::FileSystem",
        &["elasticfilesystem"],
        &["elasticfilesystem"],
    ),
    spec("AWS::Events::EventBus", &["events"], &["events"]),
    spec("AWS::Glacier::Vault", &["glacier"], &["glacier"]),
    spec("AWS::IAM::AssumeRolePolicyDocument", &["sts"], &[]),
    spec("AWS::KMS::Key", &["kms"], &["kms"]),
    spec("AWS::Kinesis::Stream", &["kinesis"], &["kinesis"]),
    spec("AWS::Lambda::Function", &["lambda"], &["lambda"]),
    spec("AWS::OpenSearchService::Domain", &["es"], &["es"]),
    spec("AWS::S3::AccessPoint", &["s3"], &["s3"]),
    spec("AWS::S3::Bucket", &["s3"], &["s3"]),
    spec("AWS::S3::MultiRegionAccessPoint", &["s3"], &["s3"]),
    spec(
        "AWS::S3Express::DirectoryBucket",
        &["s3express"],
        &["s3express"],
    ),
    spec(
        "AWS::S3ObjectLambda::AccessPoint",
        &["s3-object-lambda"],
        &["s3-object-lambda"],
    ),
    spec("AWS::S3Tables::TableBucket", &["s3tables"], &["s3tables"]),
    spec("AWS::SNS::Topic", &["sns"], &["sns"]),
    spec("AWS::SQS::Queue", &["sqs"], &["sqs"]),
    spec(
        "AWS::SecretsManager::Secret",
        &["secretsmanager"],
        &["secretsmanager"],
    ),
];

/// The resource type named `name` (exact, as CloudFormation spells it; ASCII case ignored).
pub fn resource_type(name: &str) -> Option<&'static ResourceTypeSpec> {
    RESOURCE_TYPES
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

/// The resource type of the resource an ARN names, for the policies a world lists under
/// `resource-policies.json`.
pub fn resource_type_for_arn(arn: &str) -> Option<&'static ResourceTypeSpec> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    if fields.len() != 6 {
        return None;
    }
    let (service, resource) = (fields[2], fields[5]);
    let name = match service {
        "s3" if resource.starts_with("accesspoint/") => "AWS::S3::AccessPoint",
        "s3" if !resource.contains('/') => "AWS::S3::Bucket",
        "kms" => "AWS::KMS::Key",
        "sqs" => "AWS::SQS::Queue",
        "sns" => "AWS::SNS::Topic",
        "lambda" => "AWS::Lambda::Function",
        "secretsmanager" => "AWS::SecretsManager::Secret",
        "ecr" => "AWS::ECR::Repository",
        "dynamodb" if resource.contains("/stream/") => "AWS::DynamoDB::Stream",
        "dynamodb" => "AWS::DynamoDB::Table",
        "execute-api" => "AWS::ApiGateway::RestApi",
        "backup" => "AWS::Backup::BackupVault",
        "codeartifact" => "AWS::CodeArtifact::Domain",
        "elasticfilesystem" => "AWS::EFS::FileSystem",
        "events" => "AWS::Events::EventBus",
        "glacier" => "AWS::Glacier::Vault",
        "kinesis" => "AWS::Kinesis::Stream",
        "es" => "AWS::OpenSearchService::Domain",
        "s3express" => "AWS::S3Express::DirectoryBucket",
        "s3tables" => "AWS::S3Tables::TableBucket",
        _ => return None,
    };
    resource_type(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(
            resource_type("aws::s3::bucket").unwrap().name,
            "AWS::S3::Bucket"
        );
        assert!(resource_type("AWS::Nope::Thing").is_none());
        assert_eq!(
            resource_type_for_arn("arn:aws:s3:::b").unwrap().name,
            "AWS::S3::Bucket"
        );
        assert_eq!(
            resource_type_for_arn("arn:aws:sqs:eu-west-1:111122223333:q")
                .unwrap()
                .name,
            "AWS::SQS::Queue"
        );
        assert!(resource_type_for_arn("arn:aws:s3:::b/k").is_none());
    }

    #[test]
    fn names_are_sorted_and_unique() {
        assert!(RESOURCE_TYPES.windows(2).all(|w| w[0].name < w[1].name));
    }
}
