//! `iamwhy check --world` on an iam-collect store: the deciding statement is named by the
//! store's own file.

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn check_reads_an_iam_collect_store_and_names_its_files() {
    let store = format!(
        "{}/../world/tests/data/iam-collect-store",
        env!("CARGO_MANIFEST_DIR")
    );
    Command::cargo_bin("iamwhy")
        .unwrap()
        .args([
            "check",
            "--world",
            &store,
            "--principal",
            "arn:aws:iam::222222222222:user/bob",
            "--action",
            "sts:AssumeRole",
            "--resource",
            "arn:aws:iam::111111111111:role/service/app",
            "--expect",
            "allowed",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "aws/aws/accounts/111111111111/iam/role/app/trust-policy.json",
        ));
}
