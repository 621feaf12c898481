//! `iamwhy validate`: located errors, exit codes, JSON output. The human output is compared with
//! snapshots (tests/snapshots/validate__*.snap).

mod support;

use assert_cmd::Command;
use support::{run, run_in};

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

/// A scratch directory holding one file `name` with `text`, removed when dropped.
fn scratch_with(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    dir
}

#[test]
fn valid_policy_exits_zero_and_prints_no_errors() {
    assert_run!(
        "valid",
        run(&["validate", "examples/policies/reports-by-team.json"])
    );
}

#[test]
fn each_error_is_printed_with_its_file_line_column_source_and_exit_is_one() {
    assert_run!(
        "broken_as_identity_policy",
        run(&["validate", "examples/policies/broken.json"])
    );
}

#[test]
fn the_same_document_is_valid_as_a_resource_policy_except_the_bad_parts() {
    // A resource policy may have a Principal: only the action and the operator are reported.
    assert_run!(
        "broken_as_resource_policy",
        run(&[
            "validate",
            "--type",
            "resource",
            "examples/policies/broken.json"
        ])
    );
}

#[test]
fn json_output_is_a_list_with_positions_and_codes() {
    let out = iamwhy()
        .current_dir(support::repo())
        .args([
            "validate",
            "--output",
            "json",
            "examples/policies/broken.json",
        ])
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
    let dir = scratch_with(
        "truncated.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n",
    );
    assert_run!(
        "truncated_json",
        run_in(dir.path(), &["validate", "truncated.json"])
    );
}

#[test]
fn duplicate_keys_are_rejected_with_their_position() {
    let dir = scratch_with(
        "dup.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}"#,
    );
    assert_run!(
        "duplicate_key",
        run_in(dir.path(), &["validate", "dup.json"])
    );
}

#[test]
fn missing_file_is_an_error() {
    assert_run!(
        "missing_file",
        run(&["validate", "/nonexistent/policy.json"])
    );
}
