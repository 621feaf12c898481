//! A world that says two contradictory things is an error naming both places — never "the
//! last one wins" (docs/worlds.md, "Contradictions"). Two identical entries are refused too:
//! a repeat means two snapshots were merged, and the loader does not guess which is whole.
//! A reference repeated in one list (a policy attached twice) says nothing new and counts once.

mod common;

use common::*;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_world::load_dir;

const GAAD: &str = "accounts/111111111111/authorization-details.json";
const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const DENY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

fn world(files: &[(&str, &str)]) -> Scratch {
    let dir = temp_dir("contradiction");
    for (rel, text) in files {
        write(&dir, rel, text);
    }
    dir
}

fn refused(files: &[(&str, &str)]) -> Diagnostic {
    match load_dir(&world(files)) {
        Ok(_) => panic!("the world loaded"),
        Err(e) => e,
    }
}

fn role(name: &str, extra: &str) -> String {
    format!(
        r#"{{"RoleName":"{name}","Arn":"arn:aws:iam::111111111111:role/{name}","AssumeRolePolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}}]}}{extra}}}"#
    )
}

fn policy(arn_name: &str, versions: &str) -> String {
    format!(
        r#"{{"PolicyName":"{arn_name}","Arn":"arn:aws:iam::111111111111:policy/{arn_name}","PolicyVersionList":[{versions}]}}"#
    )
}

fn version(id: &str, default: bool, doc: &str) -> String {
    format!(r#"{{"VersionId":"{id}","IsDefaultVersion":{default},"Document":{doc}}}"#)
}

/// Both JSON paths are named, the error is at the second, with its line and column.
fn names_both(e: &Diagnostic, code: &str, first: &str, second: &str) {
    assert_eq!(e.code, code, "{e}");
    assert!(e.message.contains(first), "{e}");
    assert!(e.message.contains(second), "{e}");
    assert_eq!(e.json_path.as_deref(), Some(second), "{e}");
    assert!(e.position().is_some(), "no line and column: {e}");
}

#[test]
fn two_default_versions_of_one_policy_are_an_error() {
    let versions = format!("{},{}", version("v1", true, DOC), version("v2", true, DENY));
    let gaad = format!(r#"{{"Policies":[{}]}}"#, policy("p", &versions));
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "two-default-versions",
        "Policies[0].PolicyVersionList[0]",
        "Policies[0].PolicyVersionList[1]",
    );
    assert_eq!(e.file.as_deref(), Some(GAAD));
}

#[test]
fn a_default_version_id_that_disagrees_with_the_marked_default_is_an_error() {
    let versions = format!(
        "{},{}",
        version("v1", true, DOC),
        version("v2", false, DENY)
    );
    let gaad = format!(
        r#"{{"Policies":[{{"Arn":"arn:aws:iam::111111111111:policy/p","DefaultVersionId":"v2","PolicyVersionList":[{versions}]}}]}}"#
    );
    let e = refused(&[(GAAD, &gaad)]);
    assert_eq!(e.code, "default-version-mismatch", "{e}");
    assert!(e.message.contains("DefaultVersionId is v2"), "{e}");
}

#[test]
fn one_policy_arn_twice_is_an_error() {
    let p1 = policy("p", &version("v1", true, DOC));
    let p2 = policy("p", &version("v1", true, DENY));
    let gaad = format!(r#"{{"Policies":[{p1},{p2}]}}"#);
    let e = refused(&[(GAAD, &gaad)]);
    names_both(&e, "duplicate-entry", "Policies[0]", "Policies[1]");
    assert!(
        e.message
            .contains("managed policy arn:aws:iam::111111111111:policy/p is given twice"),
        "{e}"
    );
}

#[test]
fn one_policy_arn_on_two_pages_is_an_error() {
    let p1 = policy("p", &version("v1", true, DOC));
    let p2 = policy("p", &version("v1", true, DENY));
    let gaad = format!("[{{\"Policies\":[{p1}]}},\n{{\"Policies\":[{p2}]}}]");
    let e = refused(&[(GAAD, &gaad)]);
    names_both(&e, "duplicate-entry", "[0].Policies[0]", "[1].Policies[0]");
    assert_eq!(e.position().unwrap().line, 2, "{e}");
}

#[test]
fn identical_duplicates_are_an_error_too() {
    let p = policy("p", &version("v1", true, DOC));
    let gaad = format!(r#"{{"Policies":[{p},{p}]}}"#);
    let e = refused(&[(GAAD, &gaad)]);
    names_both(&e, "duplicate-entry", "Policies[0]", "Policies[1]");
}

#[test]
fn one_role_name_twice_is_an_error() {
    let gaad = format!(
        "{{\"RoleDetailList\":[\n{},\n{}]}}",
        role("app", ""),
        role("app", "")
    );
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "RoleDetailList[0] (line 2, column 1)",
        "RoleDetailList[1]",
    );
    assert_eq!(e.position().unwrap().line, 3);
}

#[test]
fn one_role_name_under_two_paths_is_an_error() {
    let other = role("app", "").replace("role/app", "role/team/app");
    let gaad = format!(r#"{{"RoleDetailList":[{},{other}]}}"#, role("app", ""));
    let e = refused(&[(GAAD, &gaad)]);
    assert_eq!(e.code, "duplicate-entry");
    assert!(e.message.contains("role app is given twice"), "{e}");
}

#[test]
fn one_user_name_twice_is_an_error() {
    let user = r#"{"UserName":"bob","Arn":"arn:aws:iam::111111111111:user/bob"}"#;
    let gaad = format!(r#"{{"UserDetailList":[{user},{user}]}}"#);
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "UserDetailList[0]",
        "UserDetailList[1]",
    );
}

#[test]
fn one_group_name_twice_is_an_error() {
    let g = |p: &str| {
        format!(
            r#"{{"GroupName":"devs","Arn":"arn:aws:iam::111111111111:group/devs","GroupPolicyList":[{{"PolicyName":"x","PolicyDocument":{p}}}]}}"#
        )
    };
    let gaad = format!(r#"{{"GroupDetailList":[{},{}]}}"#, g(DOC), g(DENY));
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "GroupDetailList[0]",
        "GroupDetailList[1]",
    );
}

#[test]
fn one_inline_policy_name_twice_in_one_role_is_an_error() {
    let extra = format!(
        r#","RolePolicyList":[{{"PolicyName":"x","PolicyDocument":{DOC}}},{{"PolicyName":"x","PolicyDocument":{DENY}}}]"#
    );
    let gaad = format!(r#"{{"RoleDetailList":[{}]}}"#, role("app", &extra));
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "RoleDetailList[0].RolePolicyList[0]",
        "RoleDetailList[0].RolePolicyList[1]",
    );
}

#[test]
fn one_tag_key_twice_is_an_error() {
    let extra = r#","Tags":[{"Key":"team","Value":"a"},{"Key":"team","Value":"b"}]"#;
    let gaad = format!(r#"{{"RoleDetailList":[{}]}}"#, role("app", extra));
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "RoleDetailList[0].Tags[0]",
        "RoleDetailList[0].Tags[1]",
    );
}

#[test]
fn a_policy_attached_twice_counts_once() {
    let p = policy("p", &version("v1", true, DOC));
    let extra = r#","AttachedManagedPolicies":[{"PolicyArn":"arn:aws:iam::111111111111:policy/p"},{"PolicyArn":"arn:aws:iam::111111111111:policy/p"}]"#;
    let gaad = format!(
        r#"{{"Policies":[{p}],"RoleDetailList":[{}]}}"#,
        role("app", extra)
    );
    let w = load_dir(&world(&[(GAAD, &gaad)])).unwrap();
    let r = &w.accounts["111111111111"].roles["arn:aws:iam::111111111111:role/app"];
    assert_eq!(r.attached, vec!["arn:aws:iam::111111111111:policy/p"]);
}

#[test]
fn a_resource_policy_for_one_arn_twice_is_an_error() {
    let rp = format!(
        r#"[{{"arn":"arn:aws:s3:::b","policy":{DOC}}},
{{"arn":"arn:aws:s3:::b","policy":{DENY}}}]"#
    );
    let e = refused(&[
        (GAAD, "{}"),
        ("accounts/111111111111/resource-policies.json", &rp),
    ]);
    names_both(&e, "duplicate-entry", "[0]", "[1]");
    assert_eq!(
        e.file.as_deref(),
        Some("accounts/111111111111/resource-policies.json")
    );
    assert_eq!(e.position().unwrap().line, 2);
}

#[test]
fn one_tag_key_twice_on_a_resource_is_an_error() {
    let rp = r#"[{"arn":"arn:aws:s3:::b","tags":{"team":"a","team":"b"}}]"#;
    let e = refused(&[
        (GAAD, "{}"),
        ("accounts/111111111111/resource-policies.json", rp),
    ]);
    assert_eq!(e.code, "duplicate-entry", "{e}");
    assert!(e.message.contains("\"team\" is given twice"), "{e}");
    assert!(e.position().is_some(), "{e}");
}

#[test]
fn one_vpc_endpoint_twice_is_an_error() {
    let ep = r#"{"VpcEndpoints":[{"VpcEndpointId":"vpce-1"},{"VpcEndpointId":"vpce-1"}]}"#;
    let e = refused(&[
        (GAAD, "{}"),
        ("accounts/111111111111/vpc-endpoints.json", ep),
    ]);
    names_both(&e, "duplicate-entry", "VpcEndpoints[0]", "VpcEndpoints[1]");
}

fn org(policies: &str, accounts: &str, children: &str) -> String {
    format!(
        r#"{{"id":"o-1","managementAccountId":"111111111111","roots":[{{"id":"r-1","policies":["p-1"],"accounts":["111111111111"],"children":[{children}]}}],"accounts":{{{accounts}}},"policies":{{{policies}}}}}"#
    )
}

#[test]
fn one_scp_id_defined_twice_with_different_contents_is_an_error() {
    let policies = format!(
        r#""p-1":{{"type":"SERVICE_CONTROL_POLICY","content":{DOC}}},
"p-1":{{"type":"SERVICE_CONTROL_POLICY","content":{DENY}}}"#
    );
    let text = org(&policies, r#""111111111111":{}"#, "");
    let e = refused(&[(GAAD, "{}"), ("organization.json", &text)]);
    assert_eq!(e.code, "duplicate-entry", "{e}");
    assert_eq!(e.file.as_deref(), Some("organization.json"));
    assert!(e.message.contains("\"p-1\" is given twice"), "{e}");
    assert_eq!(e.position().unwrap().line, 2, "{e}");
}

#[test]
fn one_account_listed_twice_in_the_organization_is_an_error() {
    let policies = format!(r#""p-1":{{"type":"SERVICE_CONTROL_POLICY","content":{DOC}}}"#);
    let text = org(
        &policies,
        r#""111111111111":{},"111111111111":{"policies":["p-1"]}"#,
        "",
    );
    let e = refused(&[(GAAD, "{}"), ("organization.json", &text)]);
    assert_eq!(e.code, "duplicate-entry", "{e}");
    assert!(e.message.contains("\"111111111111\" is given twice"), "{e}");
}

#[test]
fn one_ou_id_twice_in_the_tree_is_an_error() {
    let policies = format!(r#""p-1":{{"type":"SERVICE_CONTROL_POLICY","content":{DOC}}}"#);
    let text = org(
        &policies,
        r#""111111111111":{}"#,
        r#"{"id":"ou-1","policies":[]},{"id":"ou-1","policies":["p-1"]}"#,
    );
    let e = refused(&[(GAAD, "{}"), ("organization.json", &text)]);
    assert_eq!(e.code, "duplicate-entry", "{e}");
    assert!(e.message.contains("roots[0].children[0]"), "{e}");
    assert_eq!(e.json_path.as_deref(), Some("roots[0].children[1]"));
}

#[test]
fn a_snapshot_of_another_account_in_an_account_directory_is_an_error() {
    let gaad =
        r#"{"UserDetailList":[{"UserName":"bob","Arn":"arn:aws:iam::222222222222:user/bob"}]}"#;
    let e = refused(&[(GAAD, gaad)]);
    assert_eq!(e.code, "account-mismatch", "{e}");
    assert_eq!(e.json_path.as_deref(), Some("UserDetailList[0]"));
    assert!(e.message.contains("belongs to account 222222222222"), "{e}");
    assert!(
        e.help
            .as_deref()
            .unwrap()
            .contains("accounts/222222222222/")
    );
}

#[test]
fn a_file_in_the_accounts_directory_is_an_error() {
    let e = refused(&[(GAAD, "{}"), ("accounts/notes.txt", "hello")]);
    assert_eq!(e.code, "account-entry-not-a-directory", "{e}");
    assert_eq!(e.file.as_deref(), Some("accounts/notes.txt"));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_the_accounts_directory_is_an_error() {
    let dir = world(&[(GAAD, "{}")]);
    let link = dir.join("accounts/222222222222");
    std::os::unix::fs::symlink(&link, &link).unwrap();
    let e = load_dir(&dir).unwrap_err();
    assert_eq!(e.code, "account-entry-not-a-directory", "{e}");
    assert!(e.message.contains("symlink"), "{e}");
}

/// Documents compile on several threads before the entities are checked in file order: the
/// error reported is still the first in the file (a repeated role early on), not a document
/// further down that does not parse.
#[test]
fn the_first_error_in_the_file_is_reported_whatever_compiles_first() {
    let mut roles: Vec<String> = (0..200).map(|i| role(&format!("r{i}"), "")).collect();
    roles[5] = role("r4", "");
    roles[150] = r#"{"RoleName":"bad","Arn":"arn:aws:iam::111111111111:role/bad","AssumeRolePolicyDocument":{"Statement":[{"Effect":"Maybe","Action":"sts:AssumeRole"}]}}"#.to_string();
    let gaad = format!(r#"{{"RoleDetailList":[{}]}}"#, roles.join(","));
    let e = refused(&[(GAAD, &gaad)]);
    names_both(
        &e,
        "duplicate-entry",
        "RoleDetailList[4]",
        "RoleDetailList[5]",
    );
    // Without the repeat, the document that does not parse is the error.
    roles[5] = role("r5", "");
    let gaad = format!(r#"{{"RoleDetailList":[{}]}}"#, roles.join(","));
    let e = refused(&[(GAAD, &gaad)]);
    assert_eq!(e.code, "invalid-policy-document", "{e}");
    assert_eq!(
        e.json_path.as_deref(),
        Some("RoleDetailList[150].AssumeRolePolicyDocument")
    );
}
