//! `iamwhy actions`: wildcard expansion and action details from the embedded catalog. The human
//! output is compared with snapshots (tests/snapshots/actions__*.snap).

mod support;

use assert_cmd::Command;
use support::run;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").expect("binary built")
}

#[test]
fn s3_get_star_lists_get_actions_sorted() {
    let out = iamwhy().args(["actions", "s3:Get*"]).assert().success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.contains(&"s3:GetObject"));
    assert!(!lines.contains(&"s3:PutObject"));
    assert!(lines.iter().all(|l| l.starts_with("s3:Get")));
    let mut sorted = lines.clone();
    sorted.sort_by_key(|l| l.to_ascii_lowercase());
    sorted.dedup();
    assert_eq!(lines, sorted);
}

#[test]
fn several_patterns_are_merged_and_deduplicated() {
    let out = iamwhy()
        .args(["actions", "s3:getobject", "S3:GetObjec?", "kms:ListKeys"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&out.get_output().stdout),
        "kms:ListKeys\ns3:GetObject\n"
    );
}

#[test]
fn json_output_has_details() {
    let out = iamwhy()
        .args([
            "actions",
            "s3:GetObject",
            "kms:ListKeys",
            "--output",
            "json",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    let list = v.as_array().expect("array");
    assert_eq!(list.len(), 2);
    let kms = &list[0];
    assert_eq!(kms["action"], "kms:ListKeys");
    assert_eq!(kms["access_level"], "List");
    assert_eq!(kms["wildcard_only"], true);
    let s3 = &list[1];
    assert_eq!(s3["action"], "s3:GetObject");
    assert_eq!(s3["access_level"], "Read");
    let object = s3["resource_types"]
        .as_array()
        .expect("resource types")
        .iter()
        .find(|rt| rt["name"] == "object")
        .expect("object type");
    assert_eq!(
        object["arn_templates"][0],
        "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    );
    assert!(object["required"].is_boolean());
    let keys = s3["condition_keys"].as_array().expect("keys");
    assert!(
        keys.iter()
            .any(|k| k["name"] == "s3:ExistingObjectTag/<key>")
    );
}

#[test]
fn describe_prints_a_summary() {
    // Any case in, the catalog's spelling out.
    assert_run!(
        "describe_passrole",
        run(&["actions", "--describe", "iam:passrole"])
    );
}

#[test]
fn describe_wildcard_only_and_json() {
    assert_run!(
        "describe_wildcard_only",
        run(&["actions", "--describe", "kms:ListKeys"])
    );
    let out = iamwhy()
        .args(["actions", "--describe", "s3:ListBucket", "--output", "json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("json");
    assert_eq!(v["action"], "s3:ListBucket");
    let types = v["resource_types"].as_array().expect("resource types");
    assert!(types.iter().any(|rt| rt["name"] == "bucket"));
    assert_eq!(v["rcp_applies"], true);
}

#[test]
fn a_wildcard_in_the_name_lists_every_match() {
    assert_run!("wildcard_acl", run(&["actions", "s3:Get*Acl"]));
}

#[test]
fn unknown_action_suggests_and_exits_1() {
    assert_run!("unknown_action", run(&["actions", "s3:GetObjekt"]));
    assert_run!(
        "unknown_action_describe",
        run(&["actions", "--describe", "s3:GetObjekt"])
    );
}

#[test]
fn unknown_service_suggests_and_exits_1() {
    assert_run!("unknown_service", run(&["actions", "s4:Get*"]));
}

#[test]
fn pattern_matching_nothing_exits_1() {
    assert_run!("matches_nothing", run(&["actions", "s3:Zzz*"]));
}

#[test]
fn version_names_the_catalog() {
    assert_run!("version", run(&["--version"]));
}

#[test]
fn json_output_prints_failures_as_json_errors() {
    let out = iamwhy()
        .args(["actions", "s3:GetObjcts", "--output", "json"])
        .assert()
        .code(1);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).expect("utf-8");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("stdout is one JSON error");
    assert_eq!(v["schema"], "iamwhy.error/1");
    assert_eq!(v["error"]["code"], "unknown-action");
    let out = iamwhy()
        .args([
            "actions",
            "--describe",
            "nosuchservice:Get",
            "--output",
            "json",
        ])
        .assert()
        .code(1);
    let v: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).expect("stdout is one JSON error");
    assert_eq!(v["error"]["code"], "unknown-service");
}
