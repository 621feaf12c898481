//! `collection.json` is optional, kept in the world when present, and its failures become
//! notes on the requests they could affect; a malformed manifest is a located error.

mod common;

use common::*;
use iamwhy_world::{Question, load_dir};

const GAAD: &str =
    r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111111111111:user/u"}]}"#;

fn manifest(failures: &str) -> String {
    format!(
        r#"{{"schema":"iamwhy.collection/1","accounts":[{{"id":"111111111111","regions":["eu-west-1"],"services":["iam","sqs"]}}],"failures":[{failures}]}}"#
    )
}

fn notes(dir: &std::path::Path, action: &str, resource: &str) -> Vec<String> {
    let w = load_dir(dir).unwrap_or_else(|e| panic!("{e}"));
    w.prepare(&Question {
        principal: "arn:aws:iam::111111111111:user/u".into(),
        action: action.into(),
        resource: resource.into(),
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    })
    .unwrap()
    .notes
}

#[test]
fn a_world_without_a_manifest_has_no_collection_and_no_gaps() {
    let dir = temp_dir("nomanifest");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        GAAD,
    );
    let w = load_dir(&dir).unwrap();
    assert!(w.collection.is_none() && w.gaps.is_empty());
}

#[test]
fn a_listing_failure_notes_requests_of_its_service_account_and_region() {
    let dir = temp_dir("listing");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        GAAD,
    );
    write(
        &dir,
        "collection.json",
        &manifest(
            r#"{"account":"111111111111","region":"eu-west-1","service":"sqs","operation":"ListQueues","resource":null,"errorCode":"AccessDenied","missing":"the queue policies of eu-west-1"}"#,
        ),
    );
    let w = load_dir(&dir).unwrap();
    assert_eq!(w.collection.as_ref().unwrap().failures.len(), 1);
    assert_eq!(w.gaps.len(), 1);
    let note = "the answer may be incomplete: the queue policies of eu-west-1 was not collected (ListQueues: AccessDenied)";
    assert_eq!(
        notes(
            &dir,
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:111111111111:orders"
        ),
        [note]
    );
    assert!(
        notes(
            &dir,
            "sqs:SendMessage",
            "arn:aws:sqs:us-east-1:111111111111:orders"
        )
        .is_empty()
    );
    assert!(notes(&dir, "sns:Publish", "arn:aws:sns:eu-west-1:111111111111:t").is_empty());
}

#[test]
fn an_iam_failure_notes_every_request_of_the_principals_account() {
    let dir = temp_dir("iamfail");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        GAAD,
    );
    write(
        &dir,
        "collection.json",
        &manifest(
            r#"{"account":"111111111111","region":null,"service":"iam","operation":"GetAccountAuthorizationDetails","resource":null,"errorCode":"Throttled","missing":"some IAM policies"}"#,
        ),
    );
    let n = notes(&dir, "sns:Publish", "arn:aws:sns:eu-west-1:111111111111:t");
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("(GetAccountAuthorizationDetails: Throttled)"));
}

#[test]
fn a_malformed_manifest_is_a_located_error() {
    let dir = temp_dir("badmanifest");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        GAAD,
    );
    write(
        &dir,
        "collection.json",
        "{\"schema\":\"iamwhy.collection/1\",\n\"accounts\":[],\n\"failures\":[{\"account\":\"111111111111\"}]}",
    );
    let e = load_dir(&dir).unwrap_err().to_string();
    assert!(e.starts_with("collection.json:3:"), "{e}");
    assert!(e.contains("missing field"), "{e}");
}
