//! The JSON Schemas of docs/schemas/ describe what the loader accepts: every world in the
//! repository validates, the files iamwhy makes from an iam-collect store validate, and for a
//! set of good and deliberately wrong files the schema and the loader agree — a file the schema
//! rejects does not load, a file it accepts does.

mod common;
#[path = "support/schema.rs"]
mod support;

use common::*;
use iamwhy_world::{StoreFiles, WorldFiles, load_dir};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::{errors, repo, schema};

/// World roots in the repository: directories whose accounts/<12 digits>/ hold authorization
/// details (an iam-collect store's accounts/ does not).
fn worlds(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if !p.is_dir() || name == "target" || name.starts_with('.') {
            continue;
        }
        if name == "accounts" {
            let is_world = std::fs::read_dir(&p)
                .into_iter()
                .flatten()
                .flatten()
                .any(|a| a.path().join("authorization-details.json").is_file());
            if is_world {
                out.push(dir.to_path_buf());
            }
        }
        worlds(&p, out);
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_world_in_the_repository_validates_against_the_schemas() {
    let (org, rp, col) = (
        schema("organization.schema.json"),
        schema("resource-policies.schema.json"),
        schema("collection.schema.json"),
    );
    let mut found = Vec::new();
    worlds(&repo(), &mut found);
    found.sort();
    assert!(
        found.iter().any(|w| w.ends_with("examples/demo-world")),
        "{found:?}"
    );
    let mut checked = 0;
    for w in &found {
        for (file, v) in [("organization.json", &org), ("collection.json", &col)] {
            let p = w.join(file);
            if p.is_file() {
                let errs = errors(v, &read_json(&p));
                assert!(errs.is_empty(), "{}: {errs:#?}", p.display());
                checked += 1;
            }
        }
        for a in std::fs::read_dir(w.join("accounts")).unwrap().flatten() {
            let p = a.path().join("resource-policies.json");
            if p.is_file() {
                let errs = errors(&rp, &read_json(&p));
                assert!(errs.is_empty(), "{}: {errs:#?}", p.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} files checked in {found:?}");
}

#[test]
fn the_files_made_from_an_iam_collect_store_validate() {
    let store = repo().join("crates/world/tests/data/iam-collect-store");
    let files = StoreFiles::read_store(&store).unwrap_or_else(|e| panic!("{e}"));
    let org = files
        .read("organization.json")
        .unwrap()
        .expect("the store has an organization");
    let errs = errors(
        &schema("organization.schema.json"),
        &serde_json::from_str(&org).unwrap(),
    );
    assert!(errs.is_empty(), "{errs:#?}");
    let rp = schema("resource-policies.schema.json");
    let mut n = 0;
    for id in files.account_dirs().unwrap() {
        if let Some(text) = files
            .read(&format!("accounts/{id}/resource-policies.json"))
            .unwrap()
        {
            let errs = errors(&rp, &serde_json::from_str(&text).unwrap());
            assert!(errs.is_empty(), "{id}: {errs:#?}");
            n += 1;
        }
    }
    assert_eq!(n, 1);
}

const GAAD: &str =
    r#"{"UserDetailList":[{"UserName":"u","Arn":"arn:aws:iam::111111111111:user/u"}]}"#;

/// Whether a world with `file` = `text` (and otherwise valid) loads.
fn loads(file: &str, value: &Value) -> Result<(), String> {
    let dir = temp_dir("schema-agree");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        GAAD,
    );
    write(&dir, file, &value.to_string());
    load_dir(&dir).map(|_| ()).map_err(|e| e.to_string())
}

fn agree(schema_name: &str, file: &str, good: &[Value], bad: &[Value]) {
    let v = schema(schema_name);
    for g in good {
        let errs = errors(&v, g);
        assert!(
            errs.is_empty(),
            "{schema_name} rejects a good file {g}: {errs:?}"
        );
        assert_eq!(loads(file, g), Ok(()), "the loader rejects a good file {g}");
    }
    for b in bad {
        assert!(!v.is_valid(b), "{schema_name} accepts a wrong file: {b}");
        assert!(
            loads(file, b).is_err(),
            "the loader accepts a wrong file: {b}"
        );
    }
}

fn organization() -> Value {
    json!({
        "id": "o-a1b2c3d4e5",
        "managementAccountId": "999999999999",
        "roots": [{
            "id": "r-ab12",
            "name": "Root",
            "policies": ["p-FullAWSAccess"],
            "children": [{"id": "ou-ab12-11111111", "name": null, "policies": ["p-region", "p-rcp"], "accounts": ["111111111111"]}],
            "accounts": ["999999999999"]
        }],
        "accounts": {
            "111111111111": {"name": "prod", "policies": ["p-FullAWSAccess"]},
            "999999999999": {}
        },
        "policies": {
            "p-FullAWSAccess": {"name": "FullAWSAccess", "type": "SERVICE_CONTROL_POLICY", "content": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
            "p-region": {"type": "SERVICE_CONTROL_POLICY", "content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":\"eu-west-1\"}}}]}"},
            "p-rcp": {"name": null, "type": "RESOURCE_CONTROL_POLICY", "content": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"}
        }
    })
}

/// `v` with the value at `pointer` set (added, when its parent is an object without it).
fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match v.pointer_mut(parent).unwrap_or_else(|| panic!("{pointer}")) {
        Value::Object(m) => {
            m.insert(key.to_string(), new);
        }
        other => *other.get_mut(key.parse::<usize>().unwrap()).unwrap() = new,
    }
    v
}

fn without(mut v: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    v.pointer_mut(parent)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
    v
}

#[test]
fn the_organization_schema_and_the_loader_agree() {
    let o = organization();
    agree(
        "organization.schema.json",
        "organization.json",
        &[
            o.clone(),
            without(without(o.clone(), "/roots/0/policies"), "/roots/0/name"),
        ],
        &[
            with(o.clone(), "/extra", json!(1)),
            without(o.clone(), "/roots"),
            with(o.clone(), "/managementAccountId", json!("9999")),
            with(o.clone(), "/managementAccountId", json!(999999999999u64)),
            with(o.clone(), "/policies/p-region/type", json!("TAG_POLICY")),
            with(o.clone(), "/policies/p-region/content", json!(5)),
            with(o.clone(), "/policies/p-region/content", Value::Null),
            without(o.clone(), "/policies/p-region/content"),
            with(o.clone(), "/roots/0/ou", json!("x")),
            with(o.clone(), "/accounts/111111111111/policies", Value::Null),
            with(o.clone(), "/accounts/111111111111/name", json!(5)),
            with(o.clone(), "/accounts/111111111111/extra", json!(true)),
            with(o.clone(), "/roots/0/children/0/accounts", json!(["1111"])),
        ],
    );
}

#[test]
fn the_resource_policies_schema_and_the_loader_agree() {
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
    let good = json!([
        {"arn": "arn:aws:s3:::b", "policy": doc.clone(), "tags": {"k": "v"}},
        {"arn": "arn:aws:sqs:eu-west-1:111111111111:q", "policy": doc.to_string().replace("s3:GetObject", "sqs:SendMessage").replace("arn:aws:s3:::b/*", "*")},
        {"arn": "arn:aws:sns:eu-west-1:111111111111:t", "policy": null},
        {"arn": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:s"}
    ]);
    agree(
        "resource-policies.schema.json",
        "accounts/111111111111/resource-policies.json",
        &[good.clone(), json!([])],
        &[
            json!({}),
            json!([{"policy": doc.clone()}]),
            json!([{"arn": "arn:aws:s3:::b", "policy": []}]),
            json!([{"arn": "arn:aws:s3:::b", "policy": 7}]),
            json!([{"arn": "arn:aws:s3:::b", "tags": {"k": 1}}]),
            json!([{"arn": "arn:aws:s3:::b", "tags": null}]),
            json!([{"arn": "arn:aws:s3:::b", "Policy": doc}]),
            json!([{"arn": 5}]),
        ],
    );
}

fn manifest() -> Value {
    json!({
        "schema": "iamwhy.collection/1",
        "tool": "iamwhy 0.1.0",
        "startedAt": "2026-12-01T10:00:00Z",
        "finishedAt": "2026-12-01T10:02:13Z",
        "caller": "arn:aws:sts::999999999999:assumed-role/Admin/alice",
        "partition": "aws",
        "organization": null,
        "accounts": [{"id": "111111111111", "via": null, "regions": ["eu-west-1"], "services": ["iam", "sqs"]}],
        "failures": [{
            "account": "111111111111", "region": "eu-west-1", "service": "sqs",
            "operation": "GetQueueAttributes", "resource": "arn:aws:sqs:eu-west-1:111111111111:orders",
            "errorCode": "AccessDenied", "message": "User ... is not authorized", "missing": "the policy of queue orders"
        }]
    })
}

#[test]
fn the_collection_schema_and_the_loader_agree() {
    let m = manifest();
    agree(
        "collection.schema.json",
        "collection.json",
        &[
            m.clone(),
            json!({"schema": "iamwhy.collection/1", "accounts": [], "failures": []}),
            without(
                without(m.clone(), "/failures/0/region"),
                "/failures/0/message",
            ),
        ],
        &[
            with(m.clone(), "/schema", json!("iamwhy.collection/2")),
            without(m.clone(), "/schema"),
            without(m.clone(), "/failures"),
            without(m.clone(), "/failures/0/missing"),
            with(m.clone(), "/failures/0/missing", json!("  ")),
            with(m.clone(), "/failures/0/service", json!("")),
            with(m.clone(), "/failures/0/account", json!("1111")),
            with(m.clone(), "/accounts/0/id", json!("x")),
            with(m.clone(), "/accounts/0/regions", Value::Null),
            with(m.clone(), "/failure", json!([])),
            with(m.clone(), "/failures/0/errorcode", json!("x")),
        ],
    );
}
