//! Reports: SARIF validated against the SARIF 2.1.0 schema, Access Analyzer's JSON shape with
//! file positions (line from 1, column from 0, end exclusive, byte offsets), policies embedded
//! in world files as JSON strings and URL-encoded text located in the file and in the decoded
//! document, and suppressions by code, path and Sid.

use iamwhy_lint::source::read_file;
use iamwhy_lint::world::world_policies;
use iamwhy_lint::{Config, Linter, PolicySource};
use iamwhy_policy::PolicyType;
use serde_json::Value;
use std::path::Path;

const BAD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["s3:GetObjekt", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"
    },
    {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
  ]
}
"#;

/// A world whose role has an inline policy URL-encoded inside a JSON string (as the raw IAM
/// API returns it) and a trust policy as an escaped JSON string.
fn write_world(dir: &Path) {
    let inline = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObjekt%22%2C%22Resource%22%3A%22*%22%7D%5D%7D";
    let trust = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"444455556666\"},\"Action\":\"sts:AssumeRole\"}]}"#;
    let auth = format!(
        r#"{{
  "UserDetailList": [],
  "GroupDetailList": [],
  "RoleDetailList": [
    {{
      "RoleName": "app",
      "Arn": "arn:aws:iam::111122223333:role/app",
      "AssumeRolePolicyDocument": "{trust}",
      "RolePolicyList": [{{"PolicyName": "inline", "PolicyDocument": "{inline}"}}],
      "AttachedManagedPolicies": []
    }}
  ],
  "Policies": []
}}
"#
    );
    let acct = dir.join("accounts/111122223333");
    std::fs::create_dir_all(&acct).unwrap();
    std::fs::write(acct.join("authorization-details.json"), auth).unwrap();
}

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/sarif-schema-2.1.0.json"
    );
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(sarif: &Value) {
    let v = sarif_validator();
    let errors: Vec<String> = v
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output is not valid SARIF 2.1.0:\n{}",
        errors.join("\n")
    );
}

fn file_run(text: &str, name: &str) -> (tempfile::TempDir, iamwhy_lint::LintRun) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let file = read_file(&path).unwrap();
    let src = PolicySource::whole_file(file, PolicyType::Identity, None);
    let run = Linter::new().run(vec![src], &Config::default(), None);
    (dir, run)
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0_with_rules_levels_and_regions() {
    let (_dir, run) = file_run(BAD, "policy.json");
    let sarif = run.to_sarif();
    assert_valid_sarif(&sarif);
    let run0 = &sarif["runs"][0];
    assert_eq!(
        run0["tool"]["driver"]["rules"].as_array().unwrap().len(),
        iamwhy_lint::RULES.len()
    );
    let results = run0["results"].as_array().unwrap();
    let invalid = results
        .iter()
        .find(|r| r["ruleId"] == "INVALID_ACTION")
        .expect("INVALID_ACTION result");
    assert_eq!(invalid["level"], "error");
    let region = &invalid["locations"][0]["physicalLocation"]["region"];
    // "s3:GetObjekt" with its quotes: line 7, SARIF columns from 1.
    assert_eq!(region["startLine"], 7);
    assert_eq!(region["startColumn"], 18);
    assert_eq!(region["endColumn"], 32);
    let pass = results
        .iter()
        .find(|r| r["ruleId"] == "PASS_ROLE_WITH_STAR_IN_RESOURCE")
        .unwrap();
    assert_eq!(pass["level"], "warning");
    let rule_index = pass["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(
        run0["tool"]["driver"]["rules"][rule_index]["id"],
        "PASS_ROLE_WITH_STAR_IN_RESOURCE"
    );
}

#[test]
fn a_schema_violation_is_caught_by_the_validator() {
    // The validator is not a formality: a SARIF log without its version fails.
    let (_dir, run) = file_run(BAD, "policy.json");
    let mut sarif = run.to_sarif();
    sarif.as_object_mut().unwrap().remove("version");
    assert!(!sarif_validator().is_valid(&sarif));
}

#[test]
fn json_findings_have_access_analyzers_shape_and_file_positions() {
    let (_dir, run) = file_run(BAD, "policy.json");
    let json = run.to_json();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["issueCode"] == "INVALID_ACTION")
        .unwrap();
    assert_eq!(f["findingType"], "ERROR");
    assert!(
        f["findingDetails"]
            .as_str()
            .unwrap()
            .contains("s3:GetObjekt")
    );
    assert!(
        f["learnMoreLink"]
            .as_str()
            .unwrap()
            .ends_with("docs/lint.md#invalid_action")
    );
    assert_eq!(f["statement"]["sid"], "Read");
    let loc = &f["locations"][0];
    assert_eq!(
        loc["path"],
        serde_json::json!([{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 0}])
    );
    let start = &loc["span"]["start"];
    let end = &loc["span"]["end"];
    assert_eq!(
        (start["line"].as_u64(), start["column"].as_u64()),
        (Some(7), Some(17))
    );
    assert_eq!(
        (end["line"].as_u64(), end["column"].as_u64()),
        (Some(7), Some(31))
    );
    let (a, b) = (
        start["offset"].as_u64().unwrap() as usize,
        end["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&BAD[a..b], "\"s3:GetObjekt\"");
    assert!(
        loc.get("documentSpan").is_none(),
        "plain JSON has no separate document span"
    );
}

#[test]
fn world_policies_embedded_as_strings_are_located_in_the_file_and_the_document() {
    let dir = tempfile::tempdir().unwrap();
    write_world(dir.path());
    let w = world_policies(dir.path());
    assert!(w.errors.is_empty(), "{:?}", w.errors);
    assert_eq!(w.sources.len(), 2);
    let run = Linter::new().run(w.sources, &Config::default(), Some(&w.accounts));
    let json = run.to_json();
    let findings = json["findings"].as_array().unwrap();
    let file = std::fs::read_to_string(
        dir.path()
            .join("accounts/111122223333/authorization-details.json"),
    )
    .unwrap();

    // The URL-encoded inline policy: the file span covers the encoded characters.
    let invalid = findings
        .iter()
        .find(|f| f["issueCode"] == "INVALID_ACTION")
        .unwrap();
    assert_eq!(invalid["policy"]["embedding"], "json-string-url-encoded");
    assert_eq!(
        invalid["policy"]["jsonPath"],
        "RoleDetailList[0].RolePolicyList[0].PolicyDocument"
    );
    let span = &invalid["locations"][0]["span"];
    let (a, b) = (
        span["start"]["offset"].as_u64().unwrap() as usize,
        span["end"]["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&file[a..b], "%22s3%3AGetObjekt%22");
    assert_eq!(
        span["start"]["line"], 9,
        "the line of RolePolicyList in the file"
    );
    let doc = &invalid["locations"][0]["documentSpan"];
    assert_eq!(doc["start"]["line"], 1);
    assert_eq!(
        doc["start"]["column"], 64,
        "column from 0 in the decoded one-line document"
    );

    // The escaped trust policy: a grant to an account outside the world.
    let ext = findings
        .iter()
        .find(|f| f["issueCode"] == "IAMWHY_EXTERNAL_ACCOUNT_ACCESS")
        .unwrap();
    assert_eq!(ext["policy"]["embedding"], "json-string");
    assert_eq!(ext["policy"]["type"], "trust");
    let span = &ext["locations"][0]["span"];
    let (a, b) = (
        span["start"]["offset"].as_u64().unwrap() as usize,
        span["end"]["offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&file[a..b], "\\\"444455556666\\\"");

    assert_valid_sarif(&run.to_sarif());
}

#[test]
fn suppressions_by_code_path_and_sid_drop_only_what_they_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("legacy.json");
    std::fs::write(&path, BAD).unwrap();
    let file = read_file(&path).unwrap();
    let src = PolicySource::whole_file(file, PolicyType::Identity, None);
    let glob = format!("{}/*", dir.path().display());
    let config = Config::parse(
        "test",
        &format!(
            r#"{{"suppress": [{{"path": "{glob}", "sid": "Pass", "codes": ["PASS_ROLE_WITH_STAR_IN_RESOURCE"], "reason": "reviewed"}},
                              {{"sid": "Read", "codes": ["PASS_ROLE_WITH_STAR_IN_RESOURCE"], "reason": "wrong statement: suppresses nothing"}}],
                 "ignore": ["IAMWHY_RESOURCE_MISMATCH"]}}"#
        ),
    )
    .unwrap();
    let run = Linter::new().run(vec![src], &config, None);
    let codes: Vec<&str> = run.policies[0].findings.iter().map(|f| f.code()).collect();
    assert!(codes.contains(&"INVALID_ACTION"));
    assert!(!codes.contains(&"PASS_ROLE_WITH_STAR_IN_RESOURCE"));
    assert!(!codes.contains(&"IAMWHY_RESOURCE_MISMATCH"));
    assert_eq!(run.policies[0].suppressed, 2);
}

#[test]
fn an_unreadable_world_file_is_an_input_error_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let acct = dir.path().join("accounts/111122223333");
    std::fs::create_dir_all(&acct).unwrap();
    std::fs::write(
        acct.join("authorization-details.json"),
        "{\n  \"RoleDetailList\": [,]\n}",
    )
    .unwrap();
    let w = world_policies(dir.path());
    assert_eq!(w.errors.len(), 1);
    let e = &w.errors[0];
    assert!(
        e.file
            .as_deref()
            .unwrap()
            .ends_with("authorization-details.json")
    );
    assert_eq!(e.position().map(|p| p.line), Some(2));
    assert_eq!(e.code, "invalid-json");
}
