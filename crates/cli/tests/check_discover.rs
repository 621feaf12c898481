//! `iamwhy check --discover` on the demo world: under which values of the keys the request
//! lacks it would be allowed, as text (terms with their statements' policy, Sid, line and
//! column) and in `--output json`.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn demo_world() -> String {
    format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"))
}

const BACKEND: &str =
    "arn:aws:sts::222222222222:assumed-role/app-backend/4f1c2b3a9d8e4c7fa1b2c3d4e5f60718";
const ORDER: &str = "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

fn check(extra: &[&str]) -> Command {
    let mut c = Command::cargo_bin("iamwhy").unwrap();
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
    ]);
    c.args(extra);
    c
}

#[test]
fn discover_names_the_region_and_endpoint_the_denied_request_needs() {
    // Strictly the request is denied (the keys are missing); Discovery says what would allow it.
    check(&["--discover", "--expect", "explicitDeny"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "DISCOVERY — under which values of the unknowns would this be allowed?",
        ))
        .stdout(predicate::str::contains(
            "unknown: aws:RequestedRegion, aws:SourceVpce",
        ))
        .stdout(predicate::str::contains("ALLOWED when:\n    - all of:"))
        .stdout(predicate::str::contains(
            "- NOT StringNotEquals aws:RequestedRegion [eu-west-1, eu-central-1]\n          from Deny statement DenyAllOutsideEU of DenyOutsideEU (service control policy attached at ou-ab12-workload), line 4, column 5",
        ))
        .stdout(predicate::str::contains(
            "- NOT StringNotEquals aws:SourceVpce [vpce-0a1b2c3d4e5f60718]\n          from Deny statement DenyIfNotThroughProdVpce of arn:aws:s3:::prod-app-customer-data (resource-based policy), line 5, column 9",
        ))
        .stdout(predicate::str::contains(
            "    service control policy at ou-ab12-workload:\n      Deny statement DenyAllOutsideEU of DenyOutsideEU, lines 4-19 (line 4, column 5)\n        in organization.json policies.p-regionlock.content\n        applies when: StringNotEquals aws:RequestedRegion [eu-west-1, eu-central-1]",
        ));
}

#[test]
fn discover_with_every_key_given_has_nothing_unknown() {
    check(&[
        "--discover",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--source-vpce",
        "vpce-0a1b2c3d4e5f60718",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(
        "nothing unknown: no condition of a statement that may apply consults a key the request lacks",
    ))
    .stdout(predicate::str::contains(
        "  ALLOWED (allowed by an identity-based policy)",
    ));
}

#[test]
fn discover_is_in_the_json_output_and_absent_without_the_flag() {
    let out = check(&["--discover", "--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    let d = &v["discovery"];
    assert_eq!(d["decision"], "Allowed");
    assert_eq!(
        v["decision"], "ExplicitDeny",
        "the strict decision is unchanged"
    );
    assert_eq!(d["allowed_when"]["kind"], "all");
    let terms = d["allowed_when"]["of"].as_array().unwrap();
    assert_eq!(terms.len(), 2);
    assert_eq!(terms[0]["negated"], true);
    assert_eq!(terms[0]["term"]["key"], "aws:RequestedRegion");
    assert_eq!(terms[0]["sources"][0]["sid"], "DenyAllOutsideEU");
    assert_eq!(terms[0]["sources"][0]["level"], "ou-ab12-workload");
    assert_eq!(terms[0]["sources"][0]["start"]["line"], 4);
    assert_eq!(d["unknown_keys"][1], "aws:SourceVpce");

    let out = check(&["--output", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert!(v["discovery"].is_null());
}
