//! `iamwhy validate`: located errors, exit codes, JSON output.

use assert_cmd::Command;
use predicates::prelude::*;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn examples(name: &str) -> String {
    format!(
        "{}/../../examples/policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn valid_policy_exits_zero_and_prints_no_errors() {
    iamwhy()
        .args(["validate", &examples("reports-by-team.json")])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn each_error_is_printed_as_file_line_column_message_and_exit_is_one() {
    let file = examples("broken.json");
    iamwhy()
        .args(["validate", &file])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[principal-not-allowed]: statement 1 has Principal, which an identity-based policy cannot contain"
        ))
        .stdout(predicate::str::contains(format!("--> {file}:6:7")))
        .stdout(predicate::str::contains(
            "\"s3*:GetObject\": wildcards are not allowed in the service prefix of an action"
        ))
        .stdout(predicate::str::contains(format!("--> {file}:7:17")))
        .stdout(predicate::str::contains(
            "\"StringEqualz\" is not a condition operator"
        ))
        .stdout(predicate::str::contains(format!("--> {file}:9:21")));
}

#[test]
fn the_same_document_is_valid_as_a_resource_policy_except_the_bad_parts() {
    iamwhy()
        .args(["validate", "--type", "resource", &examples("broken.json")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Principal").not())
        .stdout(predicate::str::contains("StringEqualz"));
}

#[test]
fn json_output_is_a_list_with_positions_and_codes() {
    let out = iamwhy()
        .args(["validate", "--output", "json", &examples("broken.json")])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["line"], 6);
    assert_eq!(list[0]["column"], 7);
    assert_eq!(list[0]["code"], "principal-not-allowed");
    assert_eq!(list[0]["severity"], "error");
}

#[test]
fn truncated_json_is_a_located_error_not_a_panic() {
    let dir = tempdir();
    let path = dir.join("truncated.json");
    std::fs::write(
        &path,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n",
    )
    .unwrap();
    iamwhy()
        .args(["validate", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(
            predicate::str::is_match(
                r"(?s)the policy is not valid JSON.*--> .*truncated\.json:\d+:\d+",
            )
            .unwrap(),
        );
}

#[test]
fn duplicate_keys_are_rejected_with_their_position() {
    let dir = tempdir();
    let path = dir.join("dup.json");
    std::fs::write(
        &path,
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}"#,
    )
    .unwrap();
    iamwhy()
        .args(["validate", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "\"Effect\" appears more than once",
        ))
        .stdout(predicate::str::contains("dup.json:1:55"));
}

#[test]
fn missing_file_is_an_error() {
    iamwhy()
        .args(["validate", "/nonexistent/policy.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("cannot read the file"));
}

#[test]
fn version_is_printed() {
    iamwhy()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("iamwhy "));
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "iamwhy-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
