//! `iamwhy explain`: messages, CloudTrail and decoded messages, with and without a world.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn demo_world() -> String {
    format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> String {
    format!(
        "{}/../evidence/tests/fixtures/{rel}",
        env!("CARGO_MANIFEST_DIR")
    )
}

const TRUST: &str = "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::444444444444:assumed-role/CIRunner/build-1 is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/DeployRole";
const SCP: &str = "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock";

#[test]
fn json_output_puts_the_message_fields_under_parsed() {
    let out = iamwhy()
        .args(["explain", "--output", "json", SCP])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "iamwhy.explain/1");
    assert_eq!(v["input"], "message");
    let p = &v["parsed"];
    assert_eq!(p["principal"], "arn:aws:iam::333333333333:user/bob");
    assert_eq!(p["action"], "ec2:RunInstances");
    assert_eq!(
        p["resource"],
        "arn:aws:ec2:us-east-1:333333333333:instance/*"
    );
    assert_eq!(p["policy_type"], "scp");
    assert_eq!(p["deny"], "explicit");
    assert_eq!(
        p["policy_arn"],
        "arn:aws:organizations::999999999999:policy/o-a1b2c3d4e5/service_control_policy/p-regionlock"
    );
    assert!(v["guide"]["steps"].as_array().unwrap().len() > 3);
}

#[test]
fn without_a_world_it_says_what_the_message_proves_and_where_to_look() {
    iamwhy()
        .args(["explain", SCP])
        .assert()
        .success()
        .stdout(predicate::str::contains("A Deny statement in a service control policy matched the request"))
        .stdout(predicate::str::contains("$ aws organizations describe-policy --policy-id p-regionlock"))
        .stdout(predicate::str::contains("$ aws organizations list-policies-for-target --target-id 333333333333 --filter SERVICE_CONTROL_POLICY"));
}

#[test]
fn with_a_world_it_finds_the_deciding_statement_and_a_verified_fix() {
    iamwhy()
        .args(["explain", "--world", &demo_world(), SCP])
        .assert()
        .success()
        .stdout(predicate::str::contains("EXPLICIT DENY — ec2:RunInstances"))
        .stdout(predicate::str::contains(
            "Deny statement DenyAllOutsideEU of DenyOutsideEU",
        ))
        .stdout(predicate::str::contains("Compared with AWS (agrees)"))
        .stdout(predicate::str::contains(
            "Fixes, least invasive first (each re-simulated: it allows this request):",
        ));
}

#[test]
fn trust_policy_denial_suggests_the_external_id_first() {
    iamwhy()
        .args(["explain", "--world", &demo_world(), TRUST])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "no role trust policy allows the sts:AssumeRole action",
        ))
        .stdout(predicate::str::contains(
            "1. Change the request: pass --external-id deploy-prod-7f3a9c",
        ))
        // The trust policy already trusts CIRunner when the ExternalId is passed: no
        // trust-policy fix drops that requirement.
        .stdout(predicate::str::contains("update-assume-role-policy").not());
}

#[test]
fn an_unexpected_caller_is_reported_first() {
    iamwhy()
        .args([
            "explain", "--world", &demo_world(),
            "--expected-principal", "arn:aws:iam::222222222222:role/DeployRole",
            TRUST,
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("What AWS said"))
        .stdout(predicate::str::contains("FIRST: The request was made by arn:aws:sts::444444444444:assumed-role/CIRunner/build-1, not by arn:aws:iam::222222222222:role/DeployRole"));
}

#[test]
fn a_message_is_read_from_standard_input() {
    iamwhy()
        .args(["explain", "-"])
        .write_stdin(SCP)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "explicit deny in a service control policy",
        ));
}

#[test]
fn a_cloudtrail_event_file_is_explained() {
    iamwhy()
        .args(["explain", &fixture("cloudtrail/assumed_role_mfa.json")])
        .assert()
        .success()
        .stdout(predicate::str::contains("What AWS said (CloudTrail event"));
}

#[test]
fn a_cloudtrail_log_is_grouped_by_cause() {
    iamwhy()
        .args(["explain", &fixture("cloudtrail/trail_log.json")])
        .assert()
        .success()
        .stdout(predicate::str::contains("grouped by cause"));
}

#[test]
fn a_directory_of_logs_is_read_as_a_batch_with_json_groups() {
    let out = iamwhy()
        .args([
            "explain",
            "--output",
            "json",
            "--all",
            &fixture("cloudtrail/logdir"),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["input"], "cloud_trail");
    assert!(v["records"].as_u64().unwrap() >= 2);
}

#[test]
fn a_decoded_authorization_message_is_explained() {
    iamwhy()
        .args(["explain", &fixture("decoded/cli_output.json")])
        .assert()
        .success()
        .stdout(predicate::str::contains("decoded authorization message"));
}

#[test]
fn text_that_is_no_denial_exits_2_with_a_clear_sentence() {
    iamwhy()
        .args(["explain", "hello world"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no access-denied message found"));
}

#[test]
fn a_truncated_event_exits_2_and_does_not_panic() {
    iamwhy()
        .args(["explain", &fixture("cloudtrail/truncated.json")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("truncated.json"));
}

#[test]
fn several_log_files_are_read_together() {
    let out = iamwhy()
        .args([
            "explain",
            "--output",
            "json",
            "--all",
            &fixture("cloudtrail/trail_log.json"),
            &fixture("cloudtrail/root.json"),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["records"], 4, "3 records in the log and 1 event");
}
