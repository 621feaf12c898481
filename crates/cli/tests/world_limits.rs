//! `--max-world-file-size`: a world file over the cap is refused with the limit and the flag
//! named, and the cap can be raised.

use assert_cmd::Command;
use predicates::prelude::*;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn demo_world() -> String {
    format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"))
}

fn check(max: &str) -> assert_cmd::assert::Assert {
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--max-world-file-size",
            max,
        ])
        .args(["--principal", "arn:aws:iam::222222222222:user/alice"])
        .args(["--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"])
        .assert()
}

#[test]
fn a_world_file_over_the_cap_is_refused_naming_the_limit_and_the_flag() {
    check("1K")
        .failure()
        .stderr(predicate::str::contains("more than 1 KiB"))
        .stderr(predicate::str::contains("--max-world-file-size"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn a_raised_cap_loads_the_world() {
    check("64M").stderr(predicate::str::contains("--max-world-file-size").not());
}

#[test]
fn a_cap_that_is_not_a_size_is_a_usage_error() {
    check("lots")
        .failure()
        .stderr(predicate::str::contains("--max-world-file-size"));
}
