//! A store written in iam-collect's documented layout (tests/data/iam-collect-store, built by
//! hand from its docs/Storage.md and docs/AgentInstructions.md) loads as a world; each part of
//! it decides a request; explanations name the store's files; what iamwhy does not read is a
//! note; broken parts are located errors.

mod common;

use common::*;
use iamwhy_engine::{Decision, Layer};
use iamwhy_world::{World, is_store, load_dir};
use std::path::{Path, PathBuf};

fn store() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/iam-collect-store")
}

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const BOB: &str = "arn:aws:iam::222222222222:user/bob";
const APP_SESSION: &str = "arn:aws:sts::111111111111:assumed-role/app/s1";
const A: &str = "aws/aws/accounts/111111111111";

fn ask(w: &World, principal: &str, action: &str, resource: &str) -> Answer {
    ask_with(w, principal, action, resource, |_| {})
}

fn world() -> World {
    load_dir(&store()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_store_is_detected_and_loads_every_part() {
    assert!(is_store(&store()));
    let w = world();
    assert!(w.origin.starts_with("the iam-collect store "));
    let a = &w.accounts["111111111111"];
    assert_eq!(a.users.len(), 1);
    assert_eq!(a.groups.len(), 1);
    assert_eq!(
        a.roles["arn:aws:iam::111111111111:role/service/app"].path,
        "/service/"
    );
    assert_eq!(a.users[ALICE].groups, ["ops"]);
    assert_eq!(a.users[ALICE].tags["team"], "data");
    assert_eq!(
        a.resources.len(),
        5,
        "{:?}",
        a.resources.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        a.endpoints["vpce-0123456789abcdef0"].vpc_id.as_deref(),
        Some("vpc-0aaaaaaaaaaaaaaaa")
    );
    let org = w.organization.as_ref().unwrap();
    assert_eq!(org.id, "o-exampleorg1");
    assert_eq!(org.management_account, "999999999999");
    assert_eq!(
        org.org_path("111111111111").unwrap(),
        "o-exampleorg1/r-ab12/ou-ab12-prod0001/"
    );
    assert!(org.scps_enabled && org.rcps_enabled);
    assert_eq!(w.accounts.len(), 2);
}

#[test]
fn inline_policies_decide_and_explanations_name_the_store_file() {
    let w = world();
    let r = ask_with(
        &w,
        ALICE,
        "s3:GetObject",
        "arn:aws:s3:::other-bucket/x",
        |q| q.resource_account = Some("111111111111".into()),
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert_eq!(
        r.sources[0],
        format!("{A}/iam/user/alice/inline-policies.json [0].PolicyDocument")
    );
    assert!(
        r.sources
            .contains(&format!("{A}/iam/policy/boundary/current-policy.json"))
    );
    assert!(
        r.sources
            .iter()
            .all(|s| !s.contains("authorization-details.json")
                && !s.starts_with("organization.json")),
        "{:?}",
        r.sources
    );
}

#[test]
fn every_compiled_policy_names_a_store_file_or_the_embedded_copy() {
    let w = world();
    let mut sources = Vec::new();
    for a in w.accounts.values() {
        sources.extend(a.managed.values().map(|p| p.source.clone().unwrap()));
        for u in a.users.values() {
            sources.extend(u.inline.iter().map(|p| p.source.clone().unwrap()));
        }
        for r in a.roles.values() {
            sources.extend(r.trust.iter().map(|p| p.source.clone().unwrap()));
        }
        for r in a.resources.values() {
            sources.extend(r.policy.iter().map(|p| p.source.clone().unwrap()));
        }
        for e in a.endpoints.values() {
            sources.extend(e.policy.iter().map(|p| p.source.clone().unwrap()));
        }
    }
    for p in w.organization.as_ref().unwrap().policies.values() {
        sources.push(p.policy.source.clone().unwrap());
    }
    assert!(sources.len() >= 14, "{sources:?}");
    for s in &sources {
        assert!(
            s.starts_with("aws/aws/") || s.starts_with("iamwhy's embedded copy"),
            "{s}"
        );
    }
}

#[test]
fn a_customer_managed_policy_from_iam_policy_decides() {
    let r = ask(
        &world(),
        ALICE,
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:111111111111:orders",
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert!(
        r.sources
            .iter()
            .any(|s| s == &format!("{A}/iam/policy/sqs-send/current-policy.json")),
        "{:?}",
        r.sources
    );
}

#[test]
fn group_membership_from_groups_json_brings_the_groups_policies() {
    let r = ask(
        &world(),
        ALICE,
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert!(
        r.sources
            .iter()
            .any(|s| s.contains("/iam/group/ops/inline-policies.json")),
        "{:?}",
        r.sources
    );
}

#[test]
fn the_stores_copy_of_an_aws_managed_policy_wins_over_the_embedded_copy() {
    // The store's AmazonSQSReadOnlyAccess allows GetQueueAttributes only; AWS's allows ListQueues too.
    let w = world();
    assert!(
        w.embedded_policies
            .iter()
            .all(|e| !e.arn.ends_with("AmazonSQSReadOnlyAccess"))
    );
    let r = ask(
        &w,
        ALICE,
        "sqs:GetQueueAttributes",
        "arn:aws:sqs:eu-west-1:111111111111:orders",
    );
    assert_eq!(r.decision, Decision::Allowed);
    let r = ask_with(&w, ALICE, "sqs:ListQueues", "*", |q| {
        q.context
            .push(("aws:RequestedRegion".into(), "eu-west-1".into()))
    });
    assert_eq!(r.decision, Decision::ImplicitDeny);
}

#[test]
fn an_aws_managed_policy_the_store_lacks_comes_from_the_embedded_copy() {
    let w = world();
    assert_eq!(w.embedded_policies.len(), 1);
    assert_eq!(
        w.embedded_policies[0].arn,
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    );
    let r = ask(
        &w,
        APP_SESSION,
        "s3:GetObject",
        "arn:aws:s3:::prod-reports/q1.csv",
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert!(
        r.sources[0]
            .starts_with("iamwhy's embedded copy of AWS managed policy AmazonS3ReadOnlyAccess")
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("AmazonS3ReadOnlyAccess comes from iamwhy's embedded copy")),
        "{:?}",
        r.notes
    );
}

#[test]
fn the_permissions_boundary_limits_the_user() {
    let r = ask_with(
        &world(),
        ALICE,
        "dynamodb:GetItem",
        "arn:aws:dynamodb:eu-west-1:111111111111:table/t",
        |_| {},
    );
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.layer, Some(Layer::PermissionsBoundary));
}

#[test]
fn user_tags_become_principal_tags() {
    let r = ask(
        &world(),
        ALICE,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db-AbCdEf",
    );
    assert_eq!(r.decision, Decision::Allowed);
}

#[test]
fn the_trust_policy_lets_the_other_account_assume_the_role() {
    let w = world();
    let r = ask(
        &w,
        BOB,
        "sts:AssumeRole",
        "arn:aws:iam::111111111111:role/service/app",
    );
    assert_eq!(r.decision, Decision::Allowed);
    assert!(
        r.sources
            .iter()
            .any(|s| s == &format!("{A}/iam/role/app/trust-policy.json")),
        "{:?}",
        r.sources
    );
    let r = ask(
        &w,
        ALICE,
        "sts:AssumeRole",
        "arn:aws:iam::111111111111:role/service/app",
    );
    assert_eq!(
        r.decision,
        Decision::ImplicitDeny,
        "alice's own policies do not allow sts:AssumeRole"
    );
}

#[test]
fn the_bucket_policy_and_the_bucket_tags_decide_a_cross_account_read() {
    let r = ask(
        &world(),
        BOB,
        "s3:GetObject",
        "arn:aws:s3:::prod-reports/q1.csv",
    );
    assert_eq!(
        r.decision,
        Decision::Allowed,
        "the bucket policy allows, on the bucket's classification tag"
    );
    assert!(
        r.sources
            .iter()
            .any(|s| s == &format!("{A}/s3/prod-reports/policy.json")),
        "{:?}",
        r.sources
    );
    // The bucket's Block Public Access settings are not modelled: the request says so.
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("S3 Block Public Access settings of arn:aws:s3:::prod-reports")),
        "{:?}",
        r.notes
    );
}

#[test]
fn a_bucket_without_policy_or_tags_still_has_its_owner() {
    let r = ask(&world(), BOB, "s3:GetObject", "arn:aws:s3:::empty-logs/x");
    assert_eq!(
        r.decision,
        Decision::ImplicitDeny,
        "no bucket policy lets the other account in"
    );
    assert_eq!(r.layer, Some(Layer::Resource));
}

#[test]
fn a_partition_directory_is_not_taken_for_a_world() {
    let e = load_dir(&store().join("aws/aws")).unwrap_err().to_string();
    assert!(
        e.contains("looks like one partition of an iam-collect store"),
        "{e}"
    );
}

#[test]
fn the_key_policy_denies_key_deletion() {
    let r = ask(
        &world(),
        ALICE,
        "kms:ScheduleKeyDeletion",
        "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.layer, Some(Layer::Resource));
}

#[test]
fn a_queue_policy_stored_as_a_json_string_allows_the_other_account() {
    let r = ask(
        &world(),
        BOB,
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:111111111111:orders",
    );
    assert_eq!(r.decision, Decision::Allowed);
}

#[test]
fn the_scp_of_the_prod_ou_denies_outside_the_region() {
    let r = ask(
        &world(),
        ALICE,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111111111111:orders",
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.layer, Some(Layer::Scp));
    assert!(
        r.sources
            .iter()
            .any(|s| s.ends_with("organizations/o-exampleorg1/scps/p-eu0only1/policy.json"))
    );
    // The dev OU has no such SCP.
    let r = ask(
        &world(),
        BOB,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:222222222222:q",
    );
    assert_eq!(r.decision, Decision::Allowed);
}

#[test]
fn the_rcp_at_the_root_denies_callers_outside_the_organization() {
    let r = ask(
        &world(),
        "anonymous",
        "s3:GetObject",
        "arn:aws:s3:::prod-reports/q1.csv",
    );
    assert_eq!(r.decision, Decision::ExplicitDeny);
    assert_eq!(r.layer, Some(Layer::Rcp));
}

#[test]
fn the_vpc_endpoint_policy_limits_requests_through_it() {
    let w = world();
    let through = |resource: &str| {
        ask_with(&w, ALICE, "s3:GetObject", resource, |q| {
            q.source_vpce = Some("vpce-0123456789abcdef0".into());
            q.resource_account = Some("111111111111".into());
        })
    };
    assert_eq!(
        through("arn:aws:s3:::prod-reports/q1.csv").decision,
        Decision::Allowed
    );
    let r = through("arn:aws:s3:::other-bucket/x");
    assert_eq!(r.decision, Decision::ImplicitDeny);
    assert_eq!(r.layer, Some(Layer::VpcEndpoint));
}

#[test]
fn unread_ram_shares_are_noted_for_the_accounts_resources_only() {
    let w = world();
    let r = ask(
        &w,
        BOB,
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:111111111111:orders",
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("RAM resource shares of account 111111111111")),
        "{:?}",
        r.notes
    );
    let r = ask(
        &w,
        BOB,
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:222222222222:q",
    );
    assert!(r.notes.iter().all(|n| !n.contains("RAM")), "{:?}", r.notes);
}

/// A copy of the store to break.
fn broken(tag: &str, f: impl FnOnce(&Path)) -> String {
    let dir = temp_dir(tag);
    copy_dir(&store(), &dir);
    f(&dir);
    load_dir(&dir)
        .expect_err("the broken store must not load")
        .to_string()
}

#[test]
fn malformed_json_in_a_store_file_is_located() {
    let e = broken("badjson", |d| {
        std::fs::write(
            d.join(format!("{A}/iam/user/alice/tags.json")),
            "{\n  \"team\": \n",
        )
        .unwrap()
    });
    assert!(
        e.starts_with(&format!("{A}/iam/user/alice/tags.json:3:")),
        "{e}"
    );
}

#[test]
fn a_policy_that_does_not_parse_names_the_store_file_and_entry() {
    let e = broken("badpolicy", |d| {
        let f = d.join(format!("{A}/iam/user/alice/inline-policies.json"));
        let text = std::fs::read_to_string(&f)
            .unwrap()
            .replacen("\"Allow\"", "\"Permit\"", 1);
        std::fs::write(f, text).unwrap();
    });
    assert!(e.starts_with(&format!("{A}/iam/user/alice/inline-policies.json: at [0].PolicyDocument: policy \"alice/read-anything\" does not parse")), "{e}");
}

#[test]
fn a_missing_customer_managed_policy_names_the_referring_file() {
    let e = broken("nopolicy", |d| {
        std::fs::remove_dir_all(d.join(format!("{A}/iam/policy/sqs-send"))).unwrap()
    });
    assert!(e.starts_with(&format!("{A}/iam/user/alice/managed-policies.json: at [0]: user alice attaches managed policy arn:aws:iam::111111111111:policy/sqs-send, which is not in the iam-collect store")), "{e}");
}

#[test]
fn metadata_without_an_arn_is_an_error() {
    let e = broken("noarn", |d| {
        std::fs::write(
            d.join(format!("{A}/iam/group/ops/metadata.json")),
            "{\"name\": \"ops\"}",
        )
        .unwrap()
    });
    assert!(
        e.starts_with(&format!("{A}/iam/group/ops/metadata.json:1:")),
        "{e}"
    );
    assert!(e.contains("missing field `arn`"), "{e}");
}

#[test]
fn an_arn_of_another_account_than_its_directory_is_a_contradiction() {
    let e = broken("wrongaccount", |d| {
        let f = d.join(format!("{A}/iam/group/ops/metadata.json"));
        let text = std::fs::read_to_string(&f)
            .unwrap()
            .replace("111111111111", "333333333333");
        std::fs::write(f, text).unwrap();
    });
    assert!(
        e.contains("names account 333333333333, but the file is under accounts/111111111111/"),
        "{e}"
    );
}

#[test]
fn a_user_in_a_group_the_store_lacks_is_an_error() {
    let e = broken("nogroup", |d| {
        std::fs::remove_dir_all(d.join(format!("{A}/iam/group/ops"))).unwrap()
    });
    assert!(
        e.starts_with(&format!(
            "{A}/iam/user/alice/groups.json: at [0]: user alice is in group \"ops\""
        )),
        "{e}"
    );
}

#[test]
fn unknown_root_attachments_are_an_error_when_the_organization_has_policies() {
    let e = broken("noroot", |d| {
        std::fs::remove_dir_all(d.join("aws/aws/organizations/o-exampleorg1/ous/r-ab12")).unwrap()
    });
    assert!(
        e.contains("does not say which policies are attached to the root r-ab12"),
        "{e}"
    );
}

fn set_dev_scps(store: &Path, scps: serde_json::Value) {
    let f = store.join("aws/aws/organizations/o-exampleorg1/ous/ou-ab12-dev00001/metadata.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
    v["scps"] = scps;
    std::fs::write(f, v.to_string()).unwrap();
}

#[test]
fn an_attachment_of_an_unknown_policy_is_located() {
    let e = broken("unknownscp", |d| {
        set_dev_scps(d, serde_json::json!(["p-FullAWSAccess", "p-missing"]));
    });
    assert!(
        e.contains(
            "ou-ab12-dev00001/metadata.json: at scps[1]: ou-ab12-dev00001 attaches policy p-missing"
        ),
        "{e}"
    );
}

#[test]
fn an_rcp_listed_as_an_scp_is_a_contradiction() {
    let e = broken("kinds", |d| {
        set_dev_scps(d, serde_json::json!(["p-perimeter1"]));
    });
    assert!(
        e.contains(
            "lists p-perimeter1 among its scps, but the store keeps it under the other kind"
        ),
        "{e}"
    );
}

#[test]
fn an_unknown_file_in_a_resource_directory_is_a_note_not_silence() {
    let dir = temp_dir("unknownfile");
    copy_dir(&store(), &dir);
    write(
        &dir,
        &format!("{A}/sqs/eu-west-1/queue/orders/redrive.json"),
        "{}",
    );
    let w = load_dir(&dir).unwrap();
    let r = ask(
        &w,
        BOB,
        "sqs:SendMessage",
        "arn:aws:sqs:eu-west-1:111111111111:orders",
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("orders/redrive.json of the iam-collect store was not read")),
        "{:?}",
        r.notes
    );
}

#[test]
fn the_store_reports_exactly_what_it_does_not_read() {
    let w = world();
    let mut notes: Vec<&str> = w.gaps.iter().map(|g| g.note.as_str()).collect();
    notes.sort();
    assert_eq!(
        notes,
        [
            "the answer may be incomplete: the RAM resource shares of account 111111111111 (aws/aws/accounts/111111111111/ram/ in the iam-collect store) were not read",
            "the answer may be incomplete: the S3 Block Public Access settings of arn:aws:s3:::prod-reports (aws/aws/accounts/111111111111/s3/prod-reports/bpa.json in the iam-collect store) are not modelled",
        ]
    );
}

#[test]
fn one_ou_described_by_two_directories_is_an_error() {
    let e = broken("dupou", |d| {
        let ous = d.join("aws/aws/organizations/o-exampleorg1/ous");
        copy_dir(&ous.join("ou-ab12-dev00001"), &ous.join("ou-ab12-dev-copy"));
        // The copy says the same id, with other SCPs: a world never picks one.
        let f = ous.join("ou-ab12-dev-copy/metadata.json");
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        v["scps"] = serde_json::json!([]);
        std::fs::write(f, v.to_string()).unwrap();
    });
    assert!(
        e.contains("OU ou-ab12-dev00001 is also described by"),
        "{e}"
    );
    assert!(e.contains("ou-ab12-dev-copy/metadata.json"), "{e}");
}
