//! `iamwhy explain` and `iamwhy check` on what users really give them: wrapped and decorated
//! pastes, several messages at once, paths that do not exist, standard input, inputs past
//! their caps, request flags, batches with repeated events, `*` in resources, and principals
//! the world does not hold.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::io::Write;

fn iamwhy() -> Command {
    Command::cargo_bin("iamwhy").unwrap()
}

fn demo_world() -> String {
    format!("{}/../../examples/demo-world", env!("CARGO_MANIFEST_DIR"))
}

const MFA_MESSAGE: &str = "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:eu-west-1:222222222222:function:orders-api with an explicit deny in an identity-based policy";

#[test]
fn a_wrapped_and_quoted_paste_is_read() {
    let paste = "> An error occurred (AccessDenied) when calling the RunInstances operation: User:\n>   arn:aws:iam::333333333333:user/bob is not\n>   authorized to perform: ec2:RunInstances on resource:\n>   arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy";
    iamwhy()
        .args(["explain", "--output", "json", paste])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"action\": \"ec2:RunInstances\""))
        .stdout(predicate::str::contains("\"policy_type\": \"scp\""));
}

#[test]
fn each_message_of_a_paste_is_explained() {
    let paste = format!(
        "$ aws lambda get-function ...\n{MFA_MESSAGE}\n$ aws s3 cp s3://b/k .\nAn error occurred (AccessDenied) when calling the GetObject operation: Access Denied"
    );
    iamwhy()
        .args(["explain", &paste])
        .assert()
        .success()
        .stdout(predicate::str::contains("━━━ message 1 of 2 ━━━"))
        .stdout(predicate::str::contains("━━━ message 2 of 2 ━━━"))
        .stdout(predicate::str::contains(
            "explicit deny in an identity-based policy",
        ))
        .stdout(predicate::str::contains("S3 returns a bare Access Denied"));
}

#[test]
fn a_path_that_does_not_exist_is_no_such_file() {
    iamwhy()
        .args(["explain", "logs/2026-01-01/trail.json"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no such file or directory"))
        .stderr(predicate::str::contains("no-such-file"));
}

#[test]
fn standard_input_from_dev_zero_ends_at_the_cap_naming_the_flag() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    // The child reads /dev/zero itself (assert_cmd's pipe_stdin would read it all first).
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("iamwhy"))
        .args(["explain", "--max-input-size", "4M", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("input-too-large"), "{stderr}");
    assert!(
        stderr.contains("standard input holds more than 4 MiB"),
        "{stderr}"
    );
    assert!(stderr.contains("--max-input-size"), "{stderr}");
}

#[test]
fn dev_zero_as_a_file_ends_at_the_default_cap() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    iamwhy()
        .args(["explain", "/dev/zero"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("holds more than 256 MiB"))
        .stderr(predicate::str::contains("--max-input-size"));
}

#[test]
fn a_gzip_bomb_ends_at_the_cap() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let member = |prefix: &[u8]| {
        let mut enc = GzEncoder::new(Vec::new(), Compression::best());
        enc.write_all(prefix).unwrap();
        enc.write_all(&vec![b' '; (1 << 20) - prefix.len()])
            .unwrap();
        enc.finish().unwrap()
    };
    let mut bomb = member(b"{\"Records\": [");
    let rest = member(b"");
    for _ in 1..1024 {
        bomb.extend_from_slice(&rest);
    }
    assert!(bomb.len() < 2 << 20);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json.gz");
    std::fs::write(&path, bomb).unwrap();
    iamwhy()
        .args(["explain", "--max-input-size", "8M"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("decompressed-too-large"))
        .stderr(predicate::str::contains("decompresses to more than 8 MiB"));
}

#[test]
fn context_flags_change_the_answer_where_mfa_matters() {
    let world = demo_world();
    iamwhy()
        .args(["explain", "--world", &world, MFA_MESSAGE])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "EXPLICIT DENY — lambda:GetFunction",
        ));
    iamwhy()
        .args([
            "explain",
            "--world",
            &world,
            "--context",
            "aws:MultiFactorAuthPresent=true",
            MFA_MESSAGE,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "context aws:MultiFactorAuthPresent = true (given on the command line",
        ))
        .stdout(predicate::str::contains("ALLOWED — lambda:GetFunction"));
}

#[test]
fn check_and_explain_print_the_same_fixes() {
    let world = demo_world();
    let check = iamwhy()
        .args([
            "check",
            "--world",
            &world,
            "--principal",
            "arn:aws:iam::333333333333:user/bob",
            "--action",
            "ec2:RunInstances",
            "--resource",
            "arn:aws:ec2:us-east-1:333333333333:instance/*",
            "--region",
            "us-east-1",
            "--output",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let check: Value = serde_json::from_slice(&check).unwrap();
    let explain = iamwhy()
        .args([
            "explain",
            "--world",
            &world,
            "--output",
            "json",
            "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let explain: Value = serde_json::from_slice(&explain).unwrap();
    let titles = |fixes: &Value| -> Vec<String> {
        fixes["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["title"].as_str().unwrap().to_string())
            .collect()
    };
    let from_check = titles(&check["fixes"]);
    let from_explain = titles(&explain["diagnosis"]["actions"][0]["fixes"]);
    assert!(!from_check.is_empty());
    assert_eq!(from_check, from_explain);
    assert!(
        from_check[0].contains("make the call in region eu-west-1"),
        "{from_check:?}"
    );
    assert_eq!(
        check["fixes"]["fixes"].as_array().unwrap().last().unwrap()["cost"],
        "weakens_guardrail"
    );
}

#[test]
fn write_fix_writes_the_files_the_apply_commands_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fixes");
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            "arn:aws:iam::222222222222:user/alice",
            "--action",
            "lambda:UpdateFunctionCode",
            "--resource",
            "arn:aws:lambda:eu-west-1:222222222222:function:orders-api",
            "--context",
            "aws:MultiFactorAuthPresent=true",
            "--write-fix",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "--policy-document file://{}/fix-1.json",
            out.display()
        )))
        .stdout(predicate::str::contains(format!(
            "written: {}/fix-1.json",
            out.display()
        )));
    let written = std::fs::read_to_string(out.join("fix-1.json")).unwrap();
    assert!(written.contains("lambda:UpdateFunctionCode"), "{written}");
}

#[test]
fn empty_and_malformed_request_fields_are_errors() {
    for (resource, code) in [
        ("", "empty-request-field"),
        ("bucket/key", "malformed-resource"),
    ] {
        iamwhy()
            .args([
                "check",
                "--world",
                &demo_world(),
                "--principal",
                "arn:aws:iam::222222222222:user/alice",
                "--action",
                "s3:GetObject",
                "--resource",
                resource,
            ])
            .assert()
            .failure()
            .stderr(predicate::str::contains(code));
    }
}

#[test]
fn an_event_in_two_files_is_counted_once_and_groups_keep_their_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let event = |id: &str, action: &str| {
        serde_json::json!({
            "eventVersion": "1.09", "eventID": id, "eventTime": "2026-03-01T09:30:00Z",
            "eventSource": "lambda.amazonaws.com", "eventName": action,
            "awsRegion": "eu-west-1", "recipientAccountId": "222222222222",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAALICE",
                "arn": "arn:aws:iam::222222222222:user/alice", "accountId": "222222222222",
                "accessKeyId": "AKIAALICE", "userName": "alice"},
            "errorCode": "AccessDeniedException",
            "errorMessage": format!("User: arn:aws:iam::222222222222:user/alice is not authorized to perform: lambda:{action} on resource: arn:aws:lambda:eu-west-1:222222222222:function:orders-api with an explicit deny in an identity-based policy"),
            "requestParameters": {"functionName": "orders-api"}
        })
    };
    let a = serde_json::json!({"Records": [event("e-1", "GetFunction"), event("e-2", "GetFunction"), event("e-3", "UpdateFunctionCode")]});
    let b = serde_json::json!({"Records": [event("e-2", "GetFunction")]});
    std::fs::write(dir.path().join("a.json"), a.to_string()).unwrap();
    std::fs::write(dir.path().join("b.json"), b.to_string()).unwrap();
    let out = iamwhy()
        .args(["explain", "--world", &demo_world(), "--output", "json"])
        .arg(dir.path().join("a.json"))
        .arg(dir.path().join("b.json"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["records"], 3, "{v:#}");
    assert_eq!(v["duplicates"], 1);
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups[0]["count"], 2, "the most frequent group first");
    assert_eq!(groups[0]["action"], "lambda:GetFunction");
    for g in groups {
        assert!(
            matches!(
                g["verdict"].as_str(),
                Some("agrees" | "differs" | "unknown")
            ),
            "{g:#}"
        );
    }
    assert_eq!(groups[0]["verdict"], "agrees");
    // The text keeps the verdict too.
    iamwhy()
        .args(["explain", "--world", &demo_world()])
        .arg(dir.path().join("a.json"))
        .arg(dir.path().join("b.json"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 duplicate event(s) with the same eventID skipped",
        ))
        .stdout(predicate::str::contains("[agrees with AWS]"));
}

#[test]
fn a_caller_outside_the_world_is_not_a_dead_end() {
    iamwhy()
        .args([
            "explain",
            "--world",
            &demo_world(),
            "User: arn:aws:iam::999988887777:user/outsider is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::prod-app-customer-data/orders/x.csv\" with an explicit deny in a resource-based policy",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("The world does not hold everything this request needs"))
        .stdout(predicate::str::contains("999988887777, which is not in the world"))
        .stdout(predicate::str::contains("the resource's policy denies a principal of account 999988887777"))
        .stdout(predicate::str::contains("Where to look, in order"));
}

/// A world where bucket `lit` denies the keys `a*b/...` only — `${*}` is a literal star.
fn star_world() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("accounts/111111111111");
    std::fs::create_dir_all(&account).unwrap();
    std::fs::write(
        account.join("authorization-details.json"),
        r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111111111111:user/u",
            "UserPolicyList":[{"PolicyName":"p","PolicyDocument":{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
              {"Sid":"DenyStarKeys","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::lit/a${*}b/*"}]}}]}]}"#,
    )
    .unwrap();
    std::fs::write(
        account.join("resource-policies.json"),
        r#"[{"arn":"arn:aws:s3:::lit"}]"#,
    )
    .unwrap();
    dir
}

#[test]
fn a_star_in_a_typed_resource_is_a_literal_character() {
    let world = star_world();
    let check = |resource: &str| {
        iamwhy()
            .args(["check", "--world"])
            .arg(world.path())
            .args([
                "--principal",
                "arn:aws:iam::111111111111:user/u",
                "--action",
                "s3:GetObject",
                "--resource",
                resource,
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    let literal = String::from_utf8(check("arn:aws:s3:::lit/a*b/x")).unwrap();
    assert!(literal.starts_with("EXPLICIT DENY"), "{literal}");
    assert!(literal.contains("DenyStarKeys"), "{literal}");
    let other = String::from_utf8(check("arn:aws:s3:::lit/aXb/x")).unwrap();
    assert!(other.starts_with("ALLOWED"), "{other}");
}

#[test]
fn a_star_aws_wrote_in_a_message_is_a_pattern_and_said_so() {
    let world = star_world();
    iamwhy()
        .args(["explain", "--world"])
        .arg(world.path())
        .arg("User: arn:aws:iam::111111111111:user/u is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::lit/* with an explicit deny in an identity-based policy")
        .assert()
        .success()
        .stdout(predicate::str::contains("is a pattern AWS wrote in its message"))
        // Read as a pattern, the Deny on a*b/* does not cover every key under lit/.
        .stdout(predicate::str::contains("ALLOWED — s3:GetObject"));
}

#[test]
fn policy_files_named_on_the_command_line_are_capped() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            "arn:aws:iam::222222222222:user/alice",
            "--action",
            "s3:GetObject",
            "--session-policy",
            "/dev/zero",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("input-too-large"))
        .stderr(predicate::str::contains("holds more than 16 MiB"));
    iamwhy()
        .args([
            "simulate-custom-policy",
            "--policy-input-list",
            "file:///dev/zero",
            "--action-names",
            "s3:GetObject",
        ])
        .assert()
        .code(252)
        .stderr(predicate::str::contains(
            "Unable to load paramfile file:///dev/zero",
        ))
        .stderr(predicate::str::contains("more than 16 MiB"));
}

#[test]
fn a_statement_in_a_policy_held_as_an_escaped_string_is_located_inside_it() {
    // The region-lock SCP's content is JSON text inside a string of organization.json.
    let out = iamwhy()
        .args([
            "check",
            "--world",
            &demo_world(),
            "--principal",
            "arn:aws:iam::222222222222:user/alice",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::prod-app-artifacts/x",
            "--context",
            "aws:MultiFactorAuthPresent=true",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    let line = out
        .lines()
        .find(|l| l.contains("Deny statement DenyAllOutsideEU"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains("(inside an escaped JSON string; line 4, column 5 of the decoded document)"),
        "{line}"
    );
    let at = line.split("organization.json:").nth(1).unwrap();
    let mut parts = at.split([':', ' ']);
    let (l, c): (usize, usize) = (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    );
    let file = std::fs::read_to_string(format!("{}/organization.json", demo_world())).unwrap();
    let text: String = file
        .lines()
        .nth(l - 1)
        .unwrap()
        .chars()
        .skip(c - 1)
        .collect();
    assert!(
        text.starts_with(r#"{\n      \"Sid\": \"DenyAllOutsideEU\""#),
        "{text}"
    );
}
