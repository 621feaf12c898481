//! The analysis commands end to end: `test` (exit codes, failures explained, JUnit XML that a
//! parser reads back, located errors), `diff` of the demo world against a copy without the
//! region-lock SCP, `who-can` and `what-can` JSON.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../world/demo-world")
}

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

const OBJECT: &str = "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

fn tests_file(dir: &Path, failing: bool) -> PathBuf {
    let mut text = format!(
        "tests:
  - name: backend reads orders through the prod endpoint
    principal: arn:aws:iam::222222222222:role/app/app-backend
    action: s3:GetObject
    resource: {OBJECT}
    context:
      aws:SourceVpce: vpce-0a1b2c3d4e5f60718
      aws:RequestedRegion: eu-west-1
    expect: allowed
  - name: nobody outside the organization reads customer data
    who-can:
      action: s3:GetObject
      resource: {OBJECT}
      expect:
        nobody-outside-org: true
"
    );
    if failing {
        text.push_str(&format!(
            "  - name: alice reads customer data from her laptop
    principal: arn:aws:iam::222222222222:user/alice
    action: s3:GetObject
    resource: {OBJECT}
    context:
      aws:MultiFactorAuthPresent: \"true\"
      aws:RequestedRegion: eu-west-1
    expect: allowed
  - name: only the backend may decrypt
    who-can:
      action: kms:Decrypt
      resource: arn:aws:kms:eu-west-1:222222222222:key/1f0c7c6e-3b7a-4d52-9a8e-0c6f2a9d7e11
      expect:
        only: [arn:aws:iam::222222222222:role/OrgOps]
"
        ));
    }
    let p = dir.join(if failing {
        "failing.yaml"
    } else {
        "passing.yaml"
    });
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn test_command_passes_when_every_assertion_holds() {
    let dir = tempfile::tempdir().unwrap();
    let f = tests_file(dir.path(), false);
    let out = iamwhy()
        .arg("test")
        .arg(&f)
        .arg("--world")
        .arg(demo())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("2 passed, 0 failed"), "{stdout}");
}

#[test]
fn test_command_fails_and_explains_with_the_deciding_statement_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let f = tests_file(dir.path(), true);
    let junit = dir.path().join("junit.xml");
    let out = iamwhy()
        .arg("test")
        .arg(&f)
        .arg("--world")
        .arg(demo())
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("2 passed, 2 failed"), "{stdout}");
    // The deciding statement, with the world file and line it is on.
    assert!(
        stdout.contains("deciding statement: arn:aws:s3:::prod-app-customer-data / DenyIfNotThroughProdVpce (resource) at "),
        "{stdout}"
    );
    assert!(
        stdout.contains("accounts/222222222222/resource-policies.json:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("arn:aws:iam::222222222222:role/app/app-backend may also make the request"),
        "{stdout}"
    );
    // JUnit XML a parser reads back: 4 cases, 2 failures with messages.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 4);
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(
        failures[0]
            .attribute("message")
            .unwrap()
            .contains("expected allowed, got explicitDeny")
    );
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("2"));
}

#[test]
fn test_command_reports_a_malformed_file_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(
        &f,
        "tests:\n  - name: x\n    principal: arn:aws:iam::222222222222:user/alice\n    action: s3:GetObject\n    expect: maybe\n",
    )
    .unwrap();
    let out = iamwhy()
        .arg("test")
        .arg(&f)
        .arg("--world")
        .arg(demo())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("test-file-invalid"), "{stderr}");
    assert!(stderr.contains("bad.yaml:5"), "{stderr}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn diff_against_a_copy_without_the_region_lock_lists_the_gains_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let after = dir.path().join("after");
    copy_dir(&demo(), &after);
    let org = after.join("organization.json");
    let text = std::fs::read_to_string(&org).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    fn strip(n: &mut serde_json::Value) {
        if let Some(p) = n.get_mut("policies").and_then(|p| p.as_array_mut()) {
            p.retain(|x| x != "p-regionlock");
        }
        if let Some(c) = n.get_mut("children").and_then(|c| c.as_array_mut()) {
            c.iter_mut().for_each(strip);
        }
    }
    v["roots"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .for_each(strip);
    std::fs::write(&org, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let out = iamwhy()
        .args(["diff", "--before"])
        .arg(demo())
        .arg("--after")
        .arg(&after)
        .args([
            "--principal",
            "arn:aws:iam::333333333333:user/bob",
            "--resource",
            "*",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Reformatting organization.json is not a change; only the lock's detachment is.
    assert_eq!(
        d["changes"].as_array().unwrap().len(),
        1,
        "{}",
        d["changes"]
    );
    assert_eq!(d["lost"], 0);
    let flips = d["flips"].as_array().unwrap();
    let run = flips
        .iter()
        .find(|f| f["action"] == "ec2:RunInstances")
        .unwrap();
    assert_eq!(run["direction"], "gained");
    assert_eq!(run["before"]["decision"], "ExplicitDeny");
    assert_eq!(
        run["before"]["deciding"][0]["statement"],
        "DenyAllOutsideEU"
    );
    assert_eq!(run["after"]["decision"], "Allowed");
    // --fail-on lost: the same diff passes.
    let out = iamwhy()
        .args(["diff", "--before"])
        .arg(demo())
        .arg("--after")
        .arg(&after)
        .args([
            "--principal",
            "arn:aws:iam::333333333333:user/bob",
            "--resource",
            "*",
            "--region",
            "us-east-1",
            "--fail-on",
            "lost",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn diff_replace_of_a_bucket_policy_shows_the_lost_access() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("deny.json");
    std::fs::write(
        &policy,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::dev-sandbox-scratch","arn:aws:s3:::dev-sandbox-scratch/*"]}]}"#,
    )
    .unwrap();
    let out = iamwhy()
        .args(["diff", "--before"])
        .arg(demo())
        .arg("--replace")
        .arg(format!(
            "arn:aws:s3:::dev-sandbox-scratch={}",
            policy.display()
        ))
        .args(["--region", "eu-west-1", "--output", "json"])
        .output()
        .unwrap();
    // Only access is lost: the default --fail-on gained passes.
    assert_eq!(out.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["gained"], 0);
    assert!(d["lost"].as_u64().unwrap() > 0);
    let f = &d["flips"][0];
    assert_eq!(f["after"]["deciding"][0]["statement"], "DenyAll");
}

#[test]
fn who_can_json_says_nobody_outside_the_organization() {
    let out = iamwhy()
        .args(["who-can", "--world"])
        .arg(demo())
        .args([
            "--action",
            "s3:GetObject",
            "--resource",
            OBJECT,
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "iamwhy.who-can/1");
    assert_eq!(v["nobody_outside_organization"], true);
    assert_eq!(v["principals"].as_array().unwrap().len(), 5);
}

#[test]
fn what_can_with_an_unknown_service_is_a_diagnostic() {
    let out = iamwhy()
        .args(["what-can", "--world"])
        .arg(demo())
        .args([
            "--principal",
            "arn:aws:iam::333333333333:user/bob",
            "--service",
            "nosuchservice",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("what-can-unknown-service"));
}
