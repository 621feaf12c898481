//! Failures are located diagnostics: rendered like a compiler on standard error, and as JSON
//! with the same fields when the command was asked for `--output json`.

use assert_cmd::Command;
use predicates::prelude::*;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

#[test]
fn a_failure_is_rendered_with_its_code_and_help_on_stderr() {
    iamwhy()
        .args([
            "check",
            "--world",
            "/nonexistent",
            "--principal",
            "x",
            "--action",
            "s3:GetObject",
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("error[world-not-a-directory]"))
        .stderr(predicate::str::contains(
            "= help: iamwhy cannot load the world /nonexistent",
        ));
}

#[test]
fn with_output_json_a_failure_is_also_json_on_stdout_with_the_same_fields() {
    let out = iamwhy()
        .args([
            "check",
            "--world",
            "/nonexistent",
            "--principal",
            "x",
            "--action",
            "s3:GetObject",
            "--output",
            "json",
        ])
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "iamwhy.error/1");
    assert_eq!(v["error"]["code"], "world-not-a-directory");
    assert_eq!(v["error"]["severity"], "error");
    assert!(
        v["error"]["help"]
            .as_str()
            .unwrap()
            .contains("docs/worlds.md")
    );
}

#[test]
fn a_bad_context_flag_is_a_diagnostic_with_help() {
    iamwhy()
        .args([
            "check",
            "--world",
            "examples/demo-world",
            "--principal",
            "arn:aws:iam::222222222222:user/alice",
            "--action",
            "s3:GetObject",
            "--context",
            "aws:MultiFactorAuthPresent",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error[bad-context-flag]"))
        .stderr(predicate::str::contains("help: for example --context"));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let args = [
        "check",
        "--world",
        "examples/demo-world",
        "--principal",
        "arn:aws:iam::222222222222:user/alice",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::prod-app-customer-data/x",
    ];
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    iamwhy()
        .args(["--color", "always"])
        .args(args)
        .current_dir(root)
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
    iamwhy()
        .args(args)
        .current_dir(root)
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
    iamwhy()
        .args(["--color", "auto"])
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(root)
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        iamwhy()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("explain"));
    }
    iamwhy()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH iamwhy"))
        .stdout(predicate::str::contains("simulate\\-custom\\-policy"));
}
