//! `iamwhy collect`: the printed policy and the argument checks (no AWS; the collection
//! itself is tested against moto in crates/collect).

#![cfg(feature = "collect")]

use assert_cmd::Command;
use predicates::prelude::*;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").expect("binary built")
}

fn printed(args: &[&str]) -> serde_json::Value {
    let out = iamwhy().args(args).assert().success();
    serde_json::from_slice(&out.get_output().stdout).expect("the policy is JSON")
}

#[test]
fn print_policy_is_the_collectors_read_only_policy() {
    let p = printed(&["collect", "--print-policy"]);
    assert_eq!(p, iamwhy_collect::required_policy(None));
    let text = p.to_string();
    assert!(text.contains("iam:GetAccountAuthorizationDetails"));
    assert!(!text.contains("sts:AssumeRole"));
}

#[test]
fn print_policy_with_org_limits_assume_role_to_the_role_name() {
    let p = printed(&["collect", "--print-policy", "--org", "--role-name", "Audit"]);
    assert_eq!(p, iamwhy_collect::required_policy(Some("Audit")));
    assert!(p.to_string().contains("arn:aws:iam::*:role/Audit"));
}

#[test]
fn collect_needs_an_output_directory() {
    iamwhy()
        .arg("collect")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
}

#[test]
fn accounts_need_org_and_twelve_digits() {
    iamwhy()
        .args(["collect", "--out", "w", "--accounts", "111111111111"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--org"));
    iamwhy()
        .args(["collect", "--out", "w", "--org", "--accounts", "12345"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a 12-digit account id"));
}
