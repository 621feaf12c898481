//! `iamwhy demo`, `iamwhy check` and `iamwhy simulate-principal-policy` on the demo world.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn demo_world() -> String {
    format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"))
}

const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const BACKEND: &str =
    "arn:aws:sts::222222222222:assumed-role/app-backend/4f1c2b3a9d8e4c7fa1b2c3d4e5f60718";
const ORDER: &str = "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

#[test]
fn demo_explains_every_scenario_and_succeeds() {
    iamwhy()
        .arg("demo")
        .assert()
        .success()
        .stdout(predicate::str::contains("━━━ 1/12"))
        .stdout(predicate::str::contains("━━━ 12/12"))
        .stdout(predicate::str::contains("EXPLICIT DENY"))
        .stdout(predicate::str::contains("IMPLICIT DENY"))
        .stdout(predicate::str::contains("ALLOWED"))
        .stdout(predicate::str::contains("12 requests explained"))
        .stdout(predicate::str::contains("!!").not());
}

#[test]
fn demo_filter_shows_matching_scenarios_only() {
    iamwhy()
        .args(["demo", "scp"])
        .assert()
        .success()
        .stdout(predicate::str::contains("━━━ 1/2"))
        .stdout(predicate::str::contains("2 requests explained"));
}

#[test]
fn check_names_the_deciding_statement_with_file_and_line() {
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            ALICE,
            "--action",
            "lambda:GetFunction",
            "--resource",
            "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
            "--context",
            "aws:RequestedRegion=eu-west-1",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "EXPLICIT DENY — lambda:GetFunction",
        ))
        .stdout(predicate::str::contains(
            "Deny statement DenyAllExceptListedIfNoMFA of RequireMFA",
        ))
        // The line and column in the file on disk (the statement is at line 249 of it, line
        // 33 of its document).
        .stdout(predicate::str::contains(
            "of RequireMFA (identity-based policy), accounts/222222222222/authorization-details.json:249:15",
        ))
        .stdout(predicate::str::contains(
            "in Policies[1].PolicyVersionList[0].Document, lines 33-48 of the document",
        ))
        .stdout(predicate::str::contains(
            "BoolIfExists aws:MultiFactorAuthPresent [false] — key missing from the request → true",
        ))
        .stdout(predicate::str::contains(
            "given     aws:RequestedRegion = eu-west-1",
        ))
        .stdout(predicate::str::contains(
            "inferred  aws:PrincipalOrgID = o-a1b2c3d4e5  (from organization.json)",
        ))
        .stdout(predicate::str::contains(
            "missing   aws:MultiFactorAuthPresent",
        ));
}

#[test]
fn check_expect_is_a_ci_assertion() {
    let base = |expect: &str| {
        let mut c = iamwhy();
        c.args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            ORDER,
            "--source-vpce",
            "vpce-0a1b2c3d4e5f60718",
            "--context",
            "aws:RequestedRegion=eu-west-1",
            "--expect",
            expect,
        ]);
        c
    };
    base("allowed").assert().success();
    base("denied")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "expected Denied, but the decision is allowed",
        ));
    base("implicitDeny").assert().code(1);
}

#[test]
fn check_reports_a_missing_key_that_decided() {
    // An S3 object ARN carries no region, so aws:RequestedRegion cannot be inferred; the
    // region-lock SCP's StringNotEquals then holds on the missing key and denies.
    iamwhy()
        .args([
            "check", "--world", &demo_world(), "--principal", BACKEND,
            "--action", "s3:GetObject", "--resource", ORDER,
            "--source-vpce", "vpce-0a1b2c3d4e5f60718",
            "--expect", "explicitDeny",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("StringNotEquals aws:RequestedRegion [eu-west-1, eu-central-1] — key missing from the request → true"))
        .stdout(predicate::str::contains("missing   aws:RequestedRegion"));
}

#[test]
fn check_without_the_endpoint_is_denied_by_the_bucket_policy() {
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            ORDER,
            "--expect",
            "explicitDeny",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("DenyIfNotThroughProdVpce"));
}

#[test]
fn check_json_output_has_question_decision_context_and_trace() {
    let out = iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            ALICE,
            "--action",
            "lambda:UpdateFunctionCode",
            "--resource",
            "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--output",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "iamwhy.check/1");
    assert_eq!(v["decision"], "ImplicitDeny");
    assert_eq!(v["evaluation"]["reason"]["layer"], "identity");
    assert_eq!(
        v["context"]["given"][0]["key"],
        "aws:MultiFactorAuthPresent"
    );
    assert!(
        v["context"]["inferred"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["key"] == "aws:PrincipalArn")
    );
}

#[test]
fn check_repeated_context_keys_are_multivalued() {
    let out = iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            ALICE,
            "--action",
            "lambda:TagResource",
            "--resource",
            "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
            "--context",
            "aws:TagKeys=team",
            "--context",
            "aws:TagKeys=env",
            "--output",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["context"]["given"][0]["values"],
        serde_json::json!(["team", "env"])
    );
}

#[test]
fn check_session_policy_from_a_file_limits_the_session() {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().to_path_buf();
    let sp = dir.join("sp.json");
    std::fs::write(&sp, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}"#).unwrap();
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            ORDER,
            "--source-vpce",
            "vpce-0a1b2c3d4e5f60718",
            "--session-policy",
            sp.to_str().unwrap(),
            "--context",
            "aws:RequestedRegion=eu-west-1",
            "--expect",
            "implicitDeny",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "no session policy allows the s3:GetObject action",
        ));
}

#[test]
fn check_unknown_principal_exits_2_with_a_suggestion() {
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            "arn:aws:iam::222222222222:user/alicee",
            "--action",
            "s3:GetObject",
            "--resource",
            ORDER,
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean alice?"));
}

#[test]
fn check_on_a_missing_world_exits_2() {
    iamwhy()
        .args([
            "check",
            "--world",
            "/nonexistent",
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot load the world"));
}

#[test]
fn simulate_principal_policy_uses_the_worlds_policies_and_aws_ids() {
    let out = iamwhy()
        .args([
            "simulate-principal-policy", "--world", &demo_world(),
            "--policy-source-arn", ALICE,
            "--action-names", "lambda:GetFunction", "lambda:UpdateFunctionCode",
            "--resource-arns", "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
            "--context-entries",
            "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean",
            "ContextKeyName=aws:RequestedRegion,ContextKeyValues=eu-west-1,ContextKeyType=string",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let r = &v["EvaluationResults"];
    assert_eq!(r[0]["EvalDecision"], "allowed");
    assert_eq!(
        r[0]["MatchedStatements"][0]["SourcePolicyType"],
        "user-managed"
    );
    assert_eq!(r[1]["EvalDecision"], "implicitDeny");
    assert_eq!(
        r[0]["OrganizationsDecisionDetail"]["AllowedByOrganizations"],
        true
    );
}

#[test]
fn simulate_principal_policy_unknown_entity_is_no_such_entity() {
    iamwhy()
        .args([
            "simulate-principal-policy",
            "--world",
            &demo_world(),
            "--policy-source-arn",
            "arn:aws:iam::222222222222:user/nobody",
            "--action-names",
            "s3:GetObject",
        ])
        .assert()
        .code(254)
        .stderr(predicate::str::contains("(NoSuchEntity)"));
}

#[test]
fn simulate_principal_policy_includes_the_resources_policy_from_the_world_and_says_so() {
    let out = iamwhy()
        .args([
            "simulate-principal-policy",
            "--world",
            &demo_world(),
            "--policy-source-arn",
            "arn:aws:iam::222222222222:user/alice",
            "--action-names",
            "s3:GetObject",
            "--resource-arns",
            "arn:aws:s3:::prod-app-customer-data/orders/x.csv",
            "--context-entries",
            "ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "the resource policy of arn:aws:s3:::prod-app-customer-data/orders/x.csv from the world was included",
        ))
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let r = &v["EvaluationResults"][0];
    // The bucket policy denies requests that do not come through the prod VPC endpoint.
    assert_eq!(r["EvalDecision"], "explicitDeny", "{r:#}");
    assert_eq!(r["MatchedStatements"][0]["SourcePolicyType"], "resource");
    // Without a resource ARN, the output says resource policies were not considered.
    iamwhy()
        .args([
            "simulate-principal-policy",
            "--world",
            &demo_world(),
            "--policy-source-arn",
            "arn:aws:iam::222222222222:user/alice",
            "--action-names",
            "s3:ListAllMyBuckets",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "resource policies were not considered",
        ));
}
