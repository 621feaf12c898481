//! The AWS CLI recipe of docs/worlds.md ("Building a world with the AWS CLI"): its two jq blocks,
//! taken from the document as written, turn canned outputs of the documented commands
//! (tests/data/cli-recipe/) into organization.json, resource-policies.json and
//! vpc-endpoints.json that match the schemas, load, and decide requests on each part.
//! Skipped, saying so, where jq is not installed.

mod common;
#[path = "support/schema.rs"]
mod support;

use common::*;
use iamwhy_engine::{Decision, Layer};
use iamwhy_world::{Question, World, load_dir};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{errors, repo, schema};

const ACCOUNT: &str = "111111111111";

/// The fenced block after `<!-- recipe:NAME`.
fn recipe_block(doc: &str, name: &str) -> String {
    let marker = format!("<!-- recipe:{name} ");
    let at = doc
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/worlds.md has no {marker}"));
    let rest = &doc[at..];
    let start = rest.find("```sh\n").expect("a sh block follows the marker") + 6;
    let end = rest[start..].find("\n```").expect("the block ends");
    rest[start..start + end].to_string()
}

fn run(dir: &Path, script: &str) {
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("ACCOUNT", ACCOUNT)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "the recipe failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The world the recipe makes (inside the scratch directory returned with it), or `None` when jq
/// is missing.
fn recipe_world() -> Option<(Scratch, PathBuf)> {
    if Command::new("jq").arg("--version").output().is_err() {
        eprintln!("skipped: jq is not installed, so the docs/worlds.md recipe cannot be run");
        return None;
    }
    let doc = std::fs::read_to_string(repo().join("docs/worlds.md")).unwrap();
    let fixture = repo().join("crates/world/tests/data/cli-recipe");
    let dir = temp_dir("cli-recipe");
    copy_dir(&fixture.join("cli"), &dir.join("cli"));
    run(&dir, &recipe_block(&doc, "organization"));
    run(&dir, &recipe_block(&doc, "account"));
    let world = dir.join("world");
    std::fs::copy(
        fixture.join(format!("authorization-details.{ACCOUNT}.json")),
        world.join(format!("accounts/{ACCOUNT}/authorization-details.json")),
    )
    .unwrap();
    Some((dir, world))
}

fn read(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ask(
    w: &World,
    principal: &str,
    action: &str,
    resource: &str,
    f: impl FnOnce(&mut Question),
) -> Answer {
    ask_with(w, principal, action, resource, f)
}

const ADMIN: &str = "arn:aws:iam::111111111111:user/admin";

#[test]
fn the_recipe_makes_files_that_match_the_schemas() {
    let Some((_dir, world)) = recipe_world() else {
        return;
    };
    let org = read(&world.join("organization.json"));
    let errs = errors(&schema("organization.schema.json"), &org);
    assert!(errs.is_empty(), "{errs:#?}\n{org:#}");
    let rp = read(&world.join(format!("accounts/{ACCOUNT}/resource-policies.json")));
    let errs = errors(&schema("resource-policies.schema.json"), &rp);
    assert!(errs.is_empty(), "{errs:#?}\n{rp:#}");
    assert_eq!(rp.as_array().unwrap().len(), 8, "{rp:#}");
}

#[test]
fn the_recipe_world_loads_with_its_tree_policies_and_resources() {
    let Some((_dir, world)) = recipe_world() else {
        return;
    };
    let w = load_dir(&world).unwrap_or_else(|e| panic!("{e}"));
    let org = w.organization.as_ref().unwrap();
    assert_eq!(org.management_account, "999999999999");
    assert_eq!(
        org.org_path(ACCOUNT).unwrap(),
        "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"
    );
    assert_eq!(org.policies.len(), 4);
    let a = &w.accounts[ACCOUNT];
    assert_eq!(
        a.resources["arn:aws:s3:::prod-data"].tags["classification"],
        "internal"
    );
    assert!(a.resources["arn:aws:s3:::empty-bucket"].policy.is_none());
    assert_eq!(a.endpoints.len(), 1);
}

#[test]
fn the_recipe_world_decides_on_each_part() {
    let Some((_dir, world)) = recipe_world() else {
        return;
    };
    let w = load_dir(&world).unwrap_or_else(|e| panic!("{e}"));
    // The SCP attached to the Prod OU (list-targets-for-policy).
    let r = ask(
        &w,
        ADMIN,
        "s3:DeleteBucket",
        "arn:aws:s3:::prod-data",
        |_| {},
    );
    assert_eq!(
        (r.decision, r.layer),
        (Decision::ExplicitDeny, Some(Layer::Scp))
    );
    // Every bucket is listed, so its owner is known even without policy or tags.
    let r = ask(
        &w,
        ADMIN,
        "s3:GetObject",
        "arn:aws:s3:::empty-bucket/x",
        |_| {},
    );
    assert_eq!(r.decision, Decision::Allowed);
    // The key policy (get-key-policy) denies disabling the key.
    let key = "arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-1111-2222-3333-444455556666";
    let r = ask(&w, ADMIN, "kms:DisableKey", key, |_| {});
    assert_eq!(
        (r.decision, r.layer),
        (Decision::ExplicitDeny, Some(Layer::Resource))
    );
    // The RCP at the root keeps callers outside the organization away from the queue.
    let queue = "arn:aws:sqs:eu-west-1:111111111111:orders";
    let r = ask(&w, "anonymous", "sqs:SendMessage", queue, |_| {});
    assert_eq!(
        (r.decision, r.layer),
        (Decision::ExplicitDeny, Some(Layer::Rcp))
    );
    // The topic policy (get-topic-attributes) lets EventBridge publish.
    let r = ask(
        &w,
        "events.amazonaws.com",
        "sns:Publish",
        "arn:aws:sns:eu-west-1:111111111111:alerts",
        |_| {},
    );
    assert_eq!(r.decision, Decision::Allowed);
    // The function policy (get-policy) lets S3 invoke it, from the bucket only.
    let f = "arn:aws:lambda:eu-west-1:111111111111:function:resize";
    let from = |arn: &str| {
        let arn = arn.to_string();
        ask(
            &w,
            "s3.amazonaws.com",
            "lambda:InvokeFunction",
            f,
            move |q| q.context.push(("aws:SourceArn".into(), arn)),
        )
        .decision
    };
    assert_eq!(from("arn:aws:s3:::prod-data"), Decision::Allowed);
    assert_eq!(from("arn:aws:s3:::logs-bucket"), Decision::ImplicitDeny);
    // The endpoint policy (describe-vpc-endpoints) allows prod-data only.
    let through = |resource: &str| {
        ask(&w, ADMIN, "s3:GetObject", resource, |q| {
            q.source_vpce = Some("vpce-0a1b2c3d4e5f60718".into())
        })
    };
    assert_eq!(
        through("arn:aws:s3:::prod-data/x").decision,
        Decision::Allowed
    );
    let r = through("arn:aws:s3:::logs-bucket/x");
    assert_eq!(
        (r.decision, r.layer),
        (Decision::ImplicitDeny, Some(Layer::VpcEndpoint))
    );
}

#[test]
fn the_recipe_world_infers_resource_tags_from_the_tag_commands() {
    let Some((_dir, world)) = recipe_world() else {
        return;
    };
    let w = load_dir(&world).unwrap();
    let p = w
        .prepare(&Question {
            principal: ADMIN.into(),
            action: "kms:Decrypt".into(),
            resource: "arn:aws:kms:eu-west-1:111111111111:key/0a1b2c3d-1111-2222-3333-444455556666"
                .into(),
            now: Some("2026-11-22T12:00:00Z".into()),
            ..Question::default()
        })
        .unwrap();
    assert!(
        p.context
            .inferred
            .iter()
            .any(|e| e.key == "aws:ResourceTag/app" && e.values == ["orders"]),
        "{:?}",
        p.context.inferred
    );
}
