//! Malformed worlds and impossible questions: each gives one clear error naming the file, the
//! JSON path and the position where there is one — never a panic, never a half-loaded world.

mod common;

use common::*;
use iamwhy_world::{Question, load_dir};

const USER: &str = r#"{"UserName":"alice","UserId":"AIDAEXAMPLEALICE0001","Arn":"arn:aws:iam::111111111111:user/alice","GroupList":[],"AttachedManagedPolicies":[],"UserPolicyList":[]}"#;

fn world_with(gaad: &str) -> Scratch {
    let dir = temp_dir("bad");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        gaad,
    );
    dir
}

fn error(dir: &std::path::Path) -> String {
    match load_dir(dir) {
        Ok(_) => panic!("the world loaded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn truncated_json_names_the_file_and_position() {
    let dir = world_with(r#"{"UserDetailList": [{"UserName": "alice","#);
    let e = error(&dir);
    assert!(
        e.starts_with("accounts/111111111111/authorization-details.json:1:"),
        "{e}"
    );
    assert!(e.contains("ends too early"), "{e}");
}

#[test]
fn a_policy_that_does_not_parse_names_file_path_and_document_position() {
    let dir = world_with(&format!(
        r#"{{"UserDetailList":[{}],"RoleDetailList":[{{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","RolePolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"allow","Action":"*","Resource":"*"}}]}}}}]}}]}}"#,
        USER
    ));
    let e = error(&dir);
    assert!(
        e.contains("accounts/111111111111/authorization-details.json"),
        "{e}"
    );
    assert!(
        e.contains("RoleDetailList[0].RolePolicyList[0].PolicyDocument"),
        "{e}"
    );
    assert!(
        e.contains("policy \"r/p\" does not parse (line 1, column"),
        "{e}"
    );
    assert!(e.contains("Effect must be \"Allow\" or \"Deny\""), "{e}");
}

#[test]
fn a_url_encoded_policy_that_does_not_parse_is_reported_too() {
    let dir = world_with(
        r#"{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","AssumeRolePolicyDocument":"%7B%22Statement%22%3A"}]}"#,
    );
    let e = error(&dir);
    assert!(e.contains("AssumeRolePolicyDocument"), "{e}");
    assert!(e.contains("does not parse"), "{e}");
}

#[test]
fn a_group_that_does_not_exist_is_an_error() {
    let dir = world_with(
        r#"{"UserDetailList":[{"UserName":"bob","Arn":"arn:aws:iam::111111111111:user/bob","GroupList":["admins"]}]}"#,
    );
    let e = error(&dir);
    assert!(
        e.contains("user bob is in group \"admins\", which is not in GroupDetailList"),
        "{e}"
    );
}

#[test]
fn a_managed_policy_that_is_not_in_the_snapshot_is_an_error() {
    let dir = world_with(
        r#"{"RoleDetailList":[{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","AttachedManagedPolicies":[{"PolicyName":"Gone","PolicyArn":"arn:aws:iam::111111111111:policy/Gone"}]}]}"#,
    );
    let e = error(&dir);
    assert!(e.contains("role r uses managed policy arn:aws:iam::111111111111:policy/Gone, which is not in the file's Policies list"), "{e}");
}

#[test]
fn a_managed_policy_without_a_default_version_is_an_error() {
    let dir = world_with(
        r#"{"Policies":[{"PolicyName":"P","Arn":"arn:aws:iam::111111111111:policy/P","PolicyVersionList":[{"Document":{"Statement":[]},"VersionId":"v1","IsDefaultVersion":false}]}]}"#,
    );
    let e = error(&dir);
    assert!(e.contains("at Policies[0]: managed policy arn:aws:iam::111111111111:policy/P has no default version"), "{e}");
}

#[test]
fn a_wrongly_typed_field_names_its_json_path() {
    let dir = world_with(r#"{"RoleDetailList": {"RoleName": "r"}}"#);
    let e = error(&dir);
    assert!(e.contains("at RoleDetailList: invalid type"), "{e}");
}

fn org(accounts_in_tree: &str, accounts_map: &str, policies: &str) -> String {
    format!(
        r#"{{"id":"o-abc","managementAccountId":"999999999999","roots":[{{"id":"r-ab12","policies":["p-FullAWSAccess"],"children":[],"accounts":[{accounts_in_tree}]}}],"accounts":{{{accounts_map}}},"policies":{{{policies}}}}}"#
    )
}

const FULL: &str = r#""p-FullAWSAccess":{"name":"FullAWSAccess","type":"SERVICE_CONTROL_POLICY","content":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}}"#;

#[test]
fn an_unknown_account_in_the_organization_tree_is_an_error() {
    let dir = world_with(&format!(r#"{{"UserDetailList":[{USER}]}}"#));
    write(
        &dir,
        "organization.json",
        &org(
            r#""999999999999","111111111111","222222222222""#,
            r#""999999999999":{"policies":["p-FullAWSAccess"]},"111111111111":{"policies":["p-FullAWSAccess"]}"#,
            FULL,
        ),
    );
    let e = error(&dir);
    assert!(e.contains("organization.json: account 222222222222 is placed in the tree but missing from \"accounts\""), "{e}");
}

#[test]
fn an_account_snapshot_outside_the_organization_is_an_error() {
    let dir = world_with(&format!(r#"{{"UserDetailList":[{USER}]}}"#));
    write(
        &dir,
        "organization.json",
        &org(
            r#""999999999999""#,
            r#""999999999999":{"policies":["p-FullAWSAccess"]}"#,
            FULL,
        ),
    );
    let e = error(&dir);
    assert!(e.contains("account 111111111111 has a snapshot under accounts/ but is not in the organization tree"), "{e}");
}

#[test]
fn an_undefined_organization_policy_is_an_error() {
    let dir = world_with(&format!(r#"{{"UserDetailList":[{USER}]}}"#));
    write(
        &dir,
        "organization.json",
        &org(
            r#""999999999999","111111111111""#,
            r#""999999999999":{"policies":["p-FullAWSAccess"]},"111111111111":{"policies":["p-FullAWSAccess","p-missing1"]}"#,
            FULL,
        ),
    );
    let e = error(&dir);
    assert!(
        e.contains("111111111111 attaches policy \"p-missing1\", which is not defined"),
        "{e}"
    );
}

#[test]
fn an_unknown_field_in_organization_json_is_an_error() {
    let dir = world_with(&format!(r#"{{"UserDetailList":[{USER}]}}"#));
    write(
        &dir,
        "organization.json",
        r#"{"id":"o-x","managementAccountId":"999999999999","roots":[],"rootz":[]}"#,
    );
    let e = error(&dir);
    assert!(e.contains("organization.json"), "{e}");
    assert!(e.contains("rootz"), "{e}");
}

#[test]
fn a_directory_without_accounts_is_an_error() {
    let dir = temp_dir("empty");
    let e = error(&dir);
    assert!(e.contains("has no accounts/ directory"), "{e}");
}

#[test]
fn an_account_directory_must_be_an_account_id() {
    let dir = temp_dir("name");
    write(&dir, "accounts/prod/authorization-details.json", "{}");
    let e = error(&dir);
    assert!(
        e.contains("accounts/prod: account directories must be named by the 12-digit account id"),
        "{e}"
    );
}

fn ask_error(q: Question) -> String {
    let dir = world_with(&format!(r#"{{"UserDetailList":[{USER}]}}"#));
    let w = load_dir(&dir).unwrap();
    match w.prepare(&q) {
        Ok(_) => panic!("prepared"),
        Err(e) => match &e.help {
            Some(help) => format!("{e}\nhelp: {help}"),
            None => e.to_string(),
        },
    }
}

#[test]
fn an_unknown_principal_is_an_error_with_a_suggestion() {
    let e = ask_error(Question {
        principal: "arn:aws:iam::111111111111:user/alicia".into(),
        action: "s3:GetObject".into(),
        resource: "*".into(),
        ..Question::default()
    });
    assert!(
        e.contains("account 111111111111 has no user named \"alicia\""),
        "{e}"
    );
    assert!(e.contains("help: did you mean alice?"), "{e}");
}

#[test]
fn a_principal_in_an_account_outside_the_world_is_an_error() {
    let e = ask_error(Question {
        principal: "arn:aws:iam::222222222222:user/alice".into(),
        action: "s3:GetObject".into(),
        resource: "*".into(),
        ..Question::default()
    });
    assert!(
        e.contains("is in account 222222222222, which is not in the world"),
        "{e}"
    );
}

#[test]
fn a_bucket_the_world_cannot_place_is_an_error() {
    let e = ask_error(Question {
        principal: "arn:aws:iam::111111111111:user/alice".into(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::nowhere/k".into(),
        ..Question::default()
    });
    assert!(
        e.contains("bucket nowhere is not in any account's resource-policies.json"),
        "{e}"
    );
}
