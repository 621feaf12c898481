//! `aws sts decode-authorization-message` output: the CLI wrapper, the decoded JSON itself,
//! the observed `{"items": [...]}` shape, plain arrays, the API reference's looser shape, and
//! malformed inputs.

use std::fs;
use std::path::Path;

use iamwhy_evidence::decoded::parse_decoded;
use iamwhy_evidence::{Observed, Origin};
use serde_json::Value;

fn fixture(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/decoded")
            .join(name),
    )
    .unwrap()
}

fn ctx<'a>(o: &'a Observed, key: &str) -> Vec<&'a str> {
    o.context
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn has_note(o: &Observed, needle: &str) -> bool {
    o.notes.iter().any(|n| n.contains(needle))
}

#[test]
fn cli_output_with_decoded_message_string() {
    let o = parse_decoded(&fixture("cli_output.json")).unwrap();
    assert_eq!(o.origin, Origin::DecodedMessage);
    assert_eq!(
        o.principal.as_deref(),
        Some("arn:aws:sts::111122223333:assumed-role/WebServerRole/i-0abc1234def567890")
    );
    assert_eq!(o.actions, ["ec2:RunInstances"]);
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:ec2:us-east-1:111122223333:instance/*")
    );
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
    assert_eq!(o.allowed, Some(false));
    assert_eq!(o.reported_statements, ["DenyBigInstances (DENY)"]);
    assert!(has_note(&o, "explicitDeny"));
    assert!(has_note(
        &o,
        "matched statement DenyBigInstances (DENY): actions ec2:RunInstances; resources *"
    ));
    // Policy keys pass through; multi-item values become repeated keys.
    assert_eq!(ctx(&o, "ec2:InstanceType"), ["m5.24xlarge"]);
    assert_eq!(ctx(&o, "ec2:InstanceMarketType"), ["on-demand"]);
    assert_eq!(ctx(&o, "ec2:AvailabilityZone"), ["us-east-1a"]);
    assert_eq!(ctx(&o, "aws:RequestTag/Env"), ["prod"]);
    assert_eq!(ctx(&o, "aws:TagKeys"), ["Env", "Team"]);
    // Internal keys: aws:Region maps, the others become notes.
    assert_eq!(ctx(&o, "aws:RequestedRegion"), ["us-east-1"]);
    assert_eq!(o.region.as_deref(), Some("us-east-1"));
    for internal in [
        "aws:Region",
        "aws:Service",
        "aws:Resource",
        "aws:Type",
        "aws:Account",
        "aws:ARN",
    ] {
        assert!(
            ctx(&o, internal).is_empty(),
            "{internal} is not a policy key"
        );
    }
    assert!(has_note(&o, "aws:Service = ec2 is internal"));
    assert!(has_note(&o, "aws:Type = instance is internal"));
    assert!(has_note(
        &o,
        "resource account 111122223333 from the internal key aws:Account"
    ));
    // The principal's ID as aws:userid.
    assert_eq!(
        ctx(&o, "aws:userid"),
        ["AROAEXAMPLEWEBSERVER:i-0abc1234def567890"]
    );
    assert!(ctx(&o, "aws:username").is_empty());
    assert_eq!(o.message, None);
}

#[test]
fn the_decoded_json_itself_reads_the_same() {
    let wrapper: Value = serde_json::from_str(&fixture("cli_output.json")).unwrap();
    let inner = wrapper["DecodedMessage"].as_str().unwrap();
    assert_eq!(
        parse_decoded(inner).unwrap(),
        parse_decoded(&fixture("cli_output.json")).unwrap()
    );
    // DecodedMessage already parsed into an object is accepted too.
    let object =
        serde_json::json!({"DecodedMessage": serde_json::from_str::<Value>(inner).unwrap()});
    assert_eq!(
        parse_decoded(&object.to_string()).unwrap(),
        parse_decoded(inner).unwrap()
    );
}

#[test]
fn plain_arrays_and_an_implicit_deny_for_an_iam_user() {
    let o = parse_decoded(&fixture("plain_arrays.json")).unwrap();
    assert_eq!(
        o.principal.as_deref(),
        Some("arn:aws:iam::111122223333:user/bob")
    );
    assert_eq!(o.actions, ["ec2:AttachVolume"]);
    assert_eq!(o.allowed, Some(false));
    assert!(o.reported_statements.is_empty());
    assert!(has_note(&o, "implicitly denied"));
    assert_eq!(ctx(&o, "ec2:ResourceTag/Owner"), ["alice"]);
    assert_eq!(ctx(&o, "ec2:Encrypted"), ["true"]);
    assert_eq!(ctx(&o, "aws:RequestedRegion"), ["eu-west-1"]);
    assert_eq!(ctx(&o, "aws:username"), ["bob"]);
    assert_eq!(ctx(&o, "aws:userid"), ["AIDAEXAMPLEBOB000001"]);
    // No aws:Account: the resource ARN gives the account.
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
}

#[test]
fn api_reference_shape_with_item_wrappers_and_string_booleans() {
    let o = parse_decoded(&fixture("api_reference_shape.json")).unwrap();
    assert_eq!(o.allowed, Some(false));
    assert!(has_note(&o, "implicitly denied"));
    // No principal ARN in this shape.
    assert_eq!(o.principal, None);
    assert!(has_note(&o, "its ID is AIDAEXAMPLEERIN00001"));
    assert_eq!(ctx(&o, "aws:username"), ["erin"]);
    assert_eq!(o.actions, ["ec2:StopInstances"]);
    assert_eq!(ctx(&o, "ec2:Tenancy"), ["default"]);
    assert_eq!(ctx(&o, "ec2:ResourceTag/Project"), ["apollo", "gemini"]);
    assert_eq!(
        ctx(&o, "ec2:InstanceProfile"),
        ["arn:aws:iam::111122223333:instance-profile/Web"]
    );
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
    assert!(o.reported_statements.is_empty());
}

#[test]
fn missing_resource_comes_from_the_internal_arn_key() {
    let text = r#"{"allowed": true, "explicitDeny": false,
        "matchedStatements": {"items": [{"statementId": "AllowStop", "effect": "ALLOW"},
                                        {"effect": "Allow"}]},
        "context": {"principal": {"arn": "arn:aws:iam::111122223333:user/ann"},
                    "action": "ec2:StopInstances",
                    "conditions": {"items": [
                        {"key": "aws:ARN", "values": {"items": [{"value": "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"}]}},
                        {"key": "aws:Account", "values": {"items": [{"value": "111122223333"}]}},
                        {"key": "aws:CurrentTime", "value": "2026-03-01T10:00:00Z"}]}}}"#;
    let o = parse_decoded(text).unwrap();
    assert_eq!(o.allowed, Some(true));
    assert_eq!(
        o.resource.as_deref(),
        Some("arn:aws:ec2:eu-west-1:111122223333:instance/i-1")
    );
    assert!(has_note(&o, "from the internal key aws:ARN"));
    assert_eq!(o.resource_account.as_deref(), Some("111122223333"));
    assert_eq!(
        o.reported_statements,
        ["AllowStop (ALLOW)", "statement without an id (ALLOW)"]
    );
    assert_eq!(ctx(&o, "aws:CurrentTime"), ["2026-03-01T10:00:00Z"]);
}

#[test]
fn absent_lists_are_tolerated() {
    let o = parse_decoded(r#"{"allowed": false, "context": {"action": "s3:GetObject"}}"#).unwrap();
    assert_eq!(o.actions, ["s3:GetObject"]);
    assert!(o.context.is_empty());
    assert!(o.reported_statements.is_empty());
    assert!(has_note(&o, "context.principal has no arn"));
    let o = parse_decoded(r#"{"allowed": true}"#).unwrap();
    assert_eq!(o.allowed, Some(true));
    assert!(has_note(&o, "the message has no context"));
}

#[test]
fn malformed_inputs_are_errors() {
    let err = parse_decoded("{\"allowed\": false,\n \"context\": {").unwrap_err();
    assert_eq!(err.position().map(|p| p.line), Some(2));
    assert_eq!(err.code, "truncated-json");
    assert!(err.message.contains("truncated"), "{err}");
    let err = parse_decoded("Encoded authorization failure message: abc").unwrap_err();
    assert!(err.message.contains("not valid JSON"), "{err}");
    let err = parse_decoded(r#"{"DecodedMessage": "{\"allowed\": fal"}"#).unwrap_err();
    assert!(
        err.message
            .contains("DecodedMessage does not hold valid JSON"),
        "{err}"
    );
    let err = parse_decoded(r#"{"DecodedMessage": 5}"#).unwrap_err();
    assert!(err.message.contains("number"), "{err}");
    let err = parse_decoded(r#"{"Records": []}"#).unwrap_err();
    assert!(
        err.message.contains("not a decoded authorization message"),
        "{err}"
    );
    let err = parse_decoded("[1, 2]").unwrap_err();
    assert!(err.message.contains("list"), "{err}");
    let err = parse_decoded("  ").unwrap_err();
    assert!(err.message.contains("empty"), "{err}");
    // Odd values inside a well-formed message do not panic.
    let o = parse_decoded(
        r#"{"allowed": 3, "matchedStatements": {"items": 7}, "failures": [null, {"x": 1}],
            "context": {"principal": 5, "action": ["x"], "conditions": {"items": [{"key": 1}, {"values": []}, 9]}}}"#,
    )
    .unwrap();
    assert_eq!(o.allowed, None);
    assert!(o.actions.is_empty());
}
