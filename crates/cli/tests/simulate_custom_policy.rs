//! `iamwhy simulate-custom-policy`: AWS's parameters, output shape and exit codes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn run_json(args: &[&str]) -> Value {
    let out = iamwhy()
        .arg("simulate-custom-policy")
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

const READ: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;

#[test]
fn one_result_per_action_with_aws_field_names() {
    let v = run_json(&[
        "--policy-input-list",
        READ,
        "--action-names",
        "s3:GetObject",
        "s3:PutObject",
        "--resource-arns",
        "arn:aws:s3:::b/k",
    ]);
    let results = v["EvaluationResults"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["EvalActionName"], "s3:GetObject");
    assert_eq!(results[0]["EvalDecision"], "allowed");
    assert_eq!(
        results[0]["EvalResourceName"],
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    );
    assert_eq!(
        results[0]["MatchedStatements"][0]["SourcePolicyId"],
        "PolicyInputList.1"
    );
    assert_eq!(
        results[0]["MatchedStatements"][0]["StartPosition"]["Line"],
        1
    );
    assert_eq!(
        results[0]["MatchedStatements"][0]["StartPosition"]["Column"],
        38
    );
    assert_eq!(
        results[0]["ResourceSpecificResults"][0]["EvalResourceName"],
        "arn:aws:s3:::b/k"
    );
    assert_eq!(results[1]["EvalDecision"], "implicitDeny");
    assert_eq!(results[1]["MatchedStatements"].as_array().unwrap().len(), 0);
    assert_eq!(v["IsTruncated"], false);
}

#[test]
fn context_entries_in_shorthand_and_missing_context_values() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"aws:PrincipalTag/team":"red"}}}]}"#;
    let v = run_json(&[
        "--policy-input-list",
        policy,
        "--action-names",
        "s3:GetObject",
        "--context-entries",
        "ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.9,ContextKeyType=ip",
    ]);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "implicitDeny");
    assert_eq!(r["MissingContextValues"][0], "aws:PrincipalTag/team");
}

#[test]
fn scp_levels_and_organizations_decision_detail() {
    let org = r#"[{"ServiceControlPolicyInputList":["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"]},{"ServiceControlPolicyInputList":["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}"]}]"#;
    let v = run_json(&[
        "--policy-input-list",
        READ,
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        "arn:aws:s3:::b/k",
        "--ordered-organization-policy-input-list",
        org,
    ]);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "implicitDeny");
    assert_eq!(
        r["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        false
    );
}

#[test]
fn boundary_decision_detail() {
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#;
    let v = run_json(&[
        "--policy-input-list",
        READ,
        "--permissions-boundary-policy-input-list",
        boundary,
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        "arn:aws:s3:::b/k",
    ]);
    let r = &v["EvaluationResults"][0];
    assert_eq!(r["EvalDecision"], "implicitDeny");
    assert_eq!(
        r["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"],
        false
    );
}

#[test]
fn resource_policy_direct_user_grant_beats_boundary_in_same_account() {
    // Spec §7.5 example: identity empty, boundary only iam:*, bucket policy names the user.
    let identity = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;
    let boundary = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#;
    let bucket = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/mateo"},"Action":"s3:Put*","Resource":"arn:aws:s3:::b/*"}]}"#;
    let v = run_json(&[
        "--policy-input-list",
        identity,
        "--permissions-boundary-policy-input-list",
        boundary,
        "--resource-policy",
        bucket,
        "--caller-arn",
        "arn:aws:iam::111122223333:user/mateo",
        "--resource-owner",
        "arn:aws:iam::111122223333:root",
        "--action-names",
        "s3:PutObject",
        "--resource-arns",
        "arn:aws:s3:::b/k",
    ]);
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "allowed");
    assert_eq!(
        v["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyType"],
        "resource"
    );
}

#[test]
fn cli_input_json_and_file_references() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().to_path_buf();
    let policy = dir.join("p.json");
    std::fs::write(&policy, READ).unwrap();
    let input = dir.join("input.json");
    std::fs::write(
        &input,
        serde_json::json!({
            "PolicyInputList": [READ],
            "ActionNames": ["s3:GetObject"],
            "ResourceArns": ["arn:aws:s3:::b/x"]
        })
        .to_string(),
    )
    .unwrap();
    let v = run_json(&["--cli-input-json", &format!("file://{}", input.display())]);
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "allowed");
    let v = run_json(&[
        "--policy-input-list",
        &format!("file://{}", policy.display()),
        "--action-names",
        "s3:GetObject",
        "--resource-arns",
        "arn:aws:s3:::b/x",
    ]);
    assert_eq!(v["EvaluationResults"][0]["EvalDecision"], "allowed");
}

#[test]
fn malformed_policy_exits_254_naming_line_and_column() {
    iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": }]\n}",
            "--action-names",
            "s3:GetObject",
        ])
        .assert()
        .code(254)
        .stderr(predicate::str::contains("MalformedPolicyDocument"))
        .stderr(predicate::str::contains("PolicyInputList.1: line 3, column"));
}

#[test]
fn missing_required_parameter_exits_252() {
    iamwhy()
        .args(["simulate-custom-policy", "--policy-input-list", READ])
        .assert()
        .code(252)
        .stderr(predicate::str::contains("--action-names"));
}

#[test]
fn unknown_flag_exits_252() {
    iamwhy()
        .args(["simulate-custom-policy", "--no-such-flag"])
        .assert()
        .code(252);
}

#[test]
fn wildcard_action_is_invalid_input_254() {
    iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            READ,
            "--action-names",
            "s3:*",
        ])
        .assert()
        .code(254)
        .stderr(predicate::str::contains("(InvalidInput)"));
}

#[test]
fn text_output_explains_the_decision() {
    iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            READ,
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            "arn:aws:s3:::b/k",
            "--output",
            "text",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ALLOWED — s3:GetObject on arn:aws:s3:::b/k",
        ))
        .stdout(predicate::str::contains(
            "Allow statement Read of PolicyInputList.1",
        ));
}

#[test]
fn trace_output_follows_the_documented_schema() {
    let out = iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            READ,
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            "arn:aws:s3:::b/k",
            "--output",
            "trace",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "iamwhy.trace/1");
    let e = &v["results"][0]["evaluation"];
    assert_eq!(e["decision"], "Allowed");
    assert_eq!(e["deciding"][0]["sid"], "Read");
    assert_eq!(e["deciding"][0]["layer"], "identity");
    assert_eq!(e["layers"][0]["layer"], "identity");
    assert_eq!(e["layers"][0]["status"], "allow");
}

#[test]
fn a_deny_applied_only_because_a_value_could_not_be_evaluated_is_marked() {
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"FewKeys","Effect":"Deny","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"10"}}}]}"#;
    let out = iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            policy,
            "--action-names",
            "s3:ListBucket",
            "--resource-arns",
            "arn:aws:s3:::b",
            "--context-entries",
            "ContextKeyName=s3:max-keys,ContextKeyValues=many,ContextKeyType=string",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "PolicyInputList.1 statement FewKeys could not be evaluated",
        ))
        .stderr(predicate::str::contains(
            "the Deny was applied (conservative default)",
        ))
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    // AWS's fields as AWS writes them, and iamwhy's addition beside them.
    assert_eq!(r["EvalDecision"], "explicitDeny");
    assert_eq!(r["IamwhyUnevaluable"][0]["Statement"], "FewKeys");
    assert_eq!(
        r["ResourceSpecificResults"][0]["IamwhyUnevaluable"][0]["Assumed"],
        "the Deny was applied (conservative default)"
    );
    // A readable value: nothing conservative, no added field.
    let v = run_json(&[
        "--policy-input-list",
        policy,
        "--action-names",
        "s3:ListBucket",
        "--context-entries",
        "ContextKeyName=s3:max-keys,ContextKeyValues=50,ContextKeyType=numeric",
    ]);
    assert!(v["EvaluationResults"][0].get("IamwhyUnevaluable").is_none());
}
