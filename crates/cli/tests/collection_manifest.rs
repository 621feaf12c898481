//! A world collected with a failure (its `collection.json` manifest records a refused call)
//! makes `iamwhy check` say that the answer may be incomplete — for requests the failure could
//! affect, and only for those. A manifest of an unknown schema version stops loading.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn demo_world() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo-world")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The demo world plus a manifest whose collector was refused the bucket's policy, in a scratch
/// directory removed when dropped.
fn collected_world(tag: &str, schema: &str) -> tempfile::TempDir {
    let scratch = tempfile::Builder::new()
        .prefix(&format!("iamwhy-cli-manifest-{tag}-"))
        .tempdir()
        .unwrap();
    let dir = scratch.path();
    copy_dir(&demo_world(), dir);
    let manifest = format!(
        r#"{{
  "schema": "{schema}",
  "tool": "iamwhy 0.1.0",
  "startedAt": "2026-12-01T10:00:00Z",
  "finishedAt": "2026-12-01T10:02:13Z",
  "caller": "arn:aws:sts::999999999999:assumed-role/Admin/alice",
  "partition": "aws",
  "organization": "o-a1b2c3d4e5",
  "accounts": [
    {{"id": "222222222222", "via": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
      "regions": ["eu-west-1"], "services": ["iam", "s3", "lambda"]}}
  ],
  "failures": [
    {{"account": "222222222222", "region": null, "service": "s3", "operation": "GetBucketPolicy",
      "resource": "arn:aws:s3:::prod-app-customer-data", "errorCode": "AccessDenied",
      "message": "User is not authorized to perform: s3:GetBucketPolicy",
      "missing": "the policy of bucket prod-app-customer-data"}}
  ]
}}"#
    );
    std::fs::write(dir.join("collection.json"), manifest).unwrap();
    scratch
}

const BACKEND: &str =
    "arn:aws:sts::222222222222:assumed-role/app-backend/4f1c2b3a9d8e4c7fa1b2c3d4e5f60718";
const NOTE: &str = "the answer may be incomplete: the policy of bucket prod-app-customer-data was not collected (GetBucketPolicy: AccessDenied)";

#[test]
fn check_notes_a_collection_failure_that_could_affect_the_request() {
    let world = collected_world("affects", "iamwhy.collection/1");
    Command::cargo_bin("iamwhy")
        .unwrap()
        .args(["check", "--world"])
        .arg(world.path())
        .args([
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(NOTE));
}

#[test]
fn check_does_not_note_a_failure_that_cannot_affect_the_request() {
    let world = collected_world("unrelated", "iamwhy.collection/1");
    Command::cargo_bin("iamwhy")
        .unwrap()
        .args(["check", "--world"])
        .arg(world.path())
        .args([
            "--principal",
            "arn:aws:iam::222222222222:user/alice",
            "--action",
            "lambda:GetFunction",
            "--resource",
            "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("may be incomplete").not());
}

#[test]
fn check_json_output_carries_the_note() {
    let world = collected_world("json", "iamwhy.collection/1");
    let out = Command::cargo_bin("iamwhy")
        .unwrap()
        .args(["check", "--output", "json", "--world"])
        .arg(world.path())
        .args([
            "--principal",
            BACKEND,
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::prod-app-customer-data/orders/x.json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(notes.contains(&NOTE), "{notes:?}");
}

#[test]
fn an_unknown_manifest_schema_version_stops_loading_with_a_clear_error() {
    let world = collected_world("schema", "iamwhy.collection/9");
    Command::cargo_bin("iamwhy")
        .unwrap()
        .args(["check", "--world"])
        .arg(world.path())
        .args(["--principal", BACKEND, "--action", "s3:GetObject", "--resource", "*"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error[unknown-manifest-schema]: schema \"iamwhy.collection/9\" is not supported: this iamwhy reads \"iamwhy.collection/1\"",
        ))
        .stderr(predicate::str::contains("collection.json"));
}
