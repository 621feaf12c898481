//! `iamwhy lint`: exit codes (0 clean, 1 at or above --fail-on, 2 unreadable input or bad
//! arguments), compiler-style text with the source line and a caret, JSON and SARIF, worlds,
//! --ignore, --config.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

const CLEAN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}
  ]
}
"#;

const TYPO: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}
  ]
}
"#;

const SUGGESTION_ONLY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:Get*"], "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}
  ]
}
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_clean_policy_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "clean.json", CLEAN);
    iamwhy()
        .args(["lint", &f])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 findings in 1 policy"));
}

#[test]
fn an_error_is_shown_with_its_line_a_caret_the_code_help_and_link_and_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "typo.json", TYPO);
    let out = iamwhy()
        .args(["lint", &f])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("error[INVALID_ACTION]"), "{text}");
    assert!(text.contains("docs/lint.md#invalid_action"), "{text}");
    assert!(
        text.contains(&format!("{f}:4:35")),
        "file:line:column of the span: {text}"
    );
    assert!(
        text.contains(r#""Action": "s3:GetObjekt""#),
        "the source line: {text}"
    );
    assert!(
        text.contains("^^^^^^^^^^^^^^"),
        "a caret line under the span: {text}"
    );
    assert!(text.contains("did you mean s3:GetObject"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes when piped: {text:?}"
    );
}

#[test]
fn fail_on_sets_the_threshold_and_ignore_drops_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "s.json", SUGGESTION_ONLY);
    iamwhy().args(["lint", &f]).assert().success();
    iamwhy()
        .args(["lint", &f, "--fail-on", "suggestion"])
        .assert()
        .code(1);
    iamwhy()
        .args([
            "lint",
            &f,
            "--fail-on",
            "suggestion",
            "--ignore",
            "REDUNDANT_ACTION",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("(1 suppressed)"));
    iamwhy()
        .args(["lint", &f, "--ignore", "NOT_A_CODE"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a lint code"));
}

#[test]
fn unreadable_input_exits_two_but_the_rest_is_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "typo.json", TYPO);
    let missing = dir.path().join("missing.json").display().to_string();
    iamwhy()
        .args(["lint", &f, &missing])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("INVALID_ACTION"))
        .stderr(predicate::str::contains("error[no-such-file]: cannot read"))
        .stderr(predicate::str::contains("missing.json"));
    iamwhy().args(["lint"]).assert().code(2);
}

#[test]
fn a_directory_lints_every_json_file_in_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", CLEAN);
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write(&dir.path().join("sub"), "b.json", TYPO);
    write(dir.path(), "notes.txt", "not a policy");
    iamwhy()
        .args(["lint", &dir.path().display().to_string()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("1 finding in 2 policies"));
}

#[test]
fn json_and_sarif_formats() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "typo.json", TYPO);
    let out = iamwhy()
        .args(["lint", &f, "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["findings"][0]["issueCode"], "INVALID_ACTION");
    assert_eq!(
        json["findings"][0]["locations"][0]["span"]["start"]["column"],
        34
    );
    let out = iamwhy()
        .args(["lint", &f, "--format", "sarif"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "INVALID_ACTION");
}

#[test]
fn resource_type_and_type_flags() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bucket.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}"#,
    );
    iamwhy()
        .args([
            "lint",
            &f,
            "--type",
            "resource",
            "--resource-type",
            "AWS::S3::Bucket",
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("UNSUPPORTED_ACTION_IN_POLICY"));
    iamwhy()
        .args([
            "lint",
            &f,
            "--type",
            "resource",
            "--resource-type",
            "AWS::Nope::Thing",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("AWS::S3::Bucket"));
}

#[test]
fn a_config_file_suppresses_by_sid_and_sets_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "admin.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "BreakGlass", "Effect": "Allow", "Action": "*", "Resource": "*"}]}"#,
    );
    iamwhy()
        .args(["lint", &f])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("IAMWHY_ALLOW_ALL"));
    let cfg = write(
        dir.path(),
        "lint.json",
        r#"{"suppress": [{"sid": "BreakGlass", "reason": "break-glass role, every code"}]}"#,
    );
    iamwhy()
        .args(["lint", &f, "--config", &cfg])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 findings").and(predicate::str::contains("suppressed")));
    let strict = write(dir.path(), "strict.json", r#"{"fail-on": "suggestion"}"#);
    iamwhy()
        .args([
            "lint",
            &write(dir.path(), "s.json", SUGGESTION_ONLY),
            "--config",
            &strict,
        ])
        .assert()
        .code(1);
    let bad = write(dir.path(), "bad.json", r#"{"supress": []}"#);
    iamwhy()
        .args(["lint", &f, "--config", &bad])
        .assert()
        .code(2);
}

#[test]
fn the_demo_world_lints_every_policy_with_its_type() {
    let world = format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"));
    let out = iamwhy()
        .args([
            "lint",
            "--world",
            &world,
            "--format",
            "json",
            "--fail-on",
            "error",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let endpoint = findings
        .iter()
        .find(|f| f["policy"]["type"] == "endpoint")
        .expect("the VPC endpoint policy without Version is reported");
    assert_eq!(endpoint["issueCode"], "MISSING_VERSION");
    assert_eq!(endpoint["policy"]["embedding"], "json-string");
    assert!(endpoint["locations"][0]["documentSpan"].is_object());
}
