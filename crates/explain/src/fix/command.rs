//! The AWS CLI command that puts a fix in place, and the file it reads. Commands are written
//! with a placeholder for the file; [`super::FixReport::finish`] replaces it with the name
//! `--write-fix DIR` writes (`DIR/fix-1.json`), so that every `apply:` line can be run as it is.

use iamwhy_policy::Arn;
use iamwhy_world::PolicyOrigin;

/// Where a command reads the fix's document; replaced when the report is finished.
pub(super) const FILE: &str = "{FIX_FILE}";

/// The command that applies an edited document at `origin`.
pub(super) fn apply_command(origin: &PolicyOrigin) -> String {
    let doc = format!("file://{FILE}");
    match origin {
        PolicyOrigin::Inline {
            entity,
            entity_name,
            policy_name,
            ..
        } => format!(
            "aws iam put-{entity}-policy --{entity}-name {entity_name} --policy-name {policy_name} --policy-document {doc}"
        ),
        PolicyOrigin::Managed { arn, .. } => format!(
            "aws iam create-policy-version --policy-arn {arn} --policy-document {doc} --set-as-default"
        ),
        PolicyOrigin::Trust { role_name, .. } => {
            format!(
                "aws iam update-assume-role-policy --role-name {role_name} --policy-document {doc}"
            )
        }
        PolicyOrigin::Organization { policy_id, .. } => {
            format!("aws organizations update-policy --policy-id {policy_id} --content {doc}")
        }
        PolicyOrigin::Endpoint { id } => {
            format!("aws ec2 modify-vpc-endpoint --vpc-endpoint-id {id} --policy-document {doc}")
        }
        PolicyOrigin::Resource { arn, .. } => resource_policy_command(arn, &doc),
    }
}

/// Whether the command for `origin` reads the queue-attributes form of the document (SQS takes
/// the policy as a string inside `{"Policy": ...}`).
pub(super) fn needs_queue_attributes(origin: &PolicyOrigin) -> bool {
    matches!(origin, PolicyOrigin::Resource { arn, .. } if Arn::parse(arn).is_some_and(|a| a.service == "sqs"))
}

fn resource_policy_command(arn: &str, doc: &str) -> String {
    let Some(Arn {
        service,
        region,
        account,
        resource: res,
        ..
    }) = Arn::parse(arn)
    else {
        return format!("# set {FILE} as the resource policy of {arn}");
    };
    match service {
        "s3" => format!("aws s3api put-bucket-policy --bucket {res} --policy {doc}"),
        "kms" => format!(
            "aws kms put-key-policy --key-id {} --policy-name default --policy {doc}",
            res.trim_start_matches("key/")
        ),
        "sqs" => format!(
            "aws sqs set-queue-attributes --queue-url https://sqs.{region}.amazonaws.com/{account}/{res} --attributes file://{}",
            queue_attributes_file(FILE)
        ),
        "sns" => format!(
            "aws sns set-topic-attributes --topic-arn {arn} --attribute-name Policy --attribute-value {doc}"
        ),
        "secretsmanager" => {
            format!(
                "aws secretsmanager put-resource-policy --secret-id {arn} --resource-policy {doc}"
            )
        }
        "ecr" => format!(
            "aws ecr set-repository-policy --repository-name {} --policy-text {doc}",
            res.trim_start_matches("repository/")
        ),
        "lambda" => format!(
            "# Lambda function policies are edited statement by statement (aws lambda add-permission); {FILE} holds the whole policy of {arn}"
        ),
        _ => format!("# set {FILE} as the resource policy of {arn}"),
    }
}

/// The name of the queue-attributes file written next to a fix file.
pub(super) fn queue_attributes_file(file: &str) -> String {
    match file.strip_suffix(".json") {
        Some(stem) => format!("{stem}-queue-attributes.json"),
        None => format!("{file}-queue-attributes.json"),
    }
}
