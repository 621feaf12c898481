//! The API of `iamwhy serve`, request by request (tower's `oneshot`, no socket), plus one
//! server on a real socket at 127.0.0.1:0.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iamwhy_analyze::{Analyzer, WhatCanQuery, WhoCanQuery};
use iamwhy_server::{Limits, Options, app};
use serde_json::{Value, json};
use std::time::Duration;
use tower::ServiceExt;

const REGION_LOCK: &str = "User: arn:aws:iam::333333333333:user/bob is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:333333333333:instance/* with an explicit deny in a service control policy";

fn demo() -> iamwhy_world::World {
    iamwhy_world::load_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../world/demo-world"
    )))
    .expect("the demo world loads")
}

fn service(options: Options) -> Router {
    app(demo(), options)
}

fn default_service() -> Router {
    service(Options::default())
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let resp = app.clone().oneshot(req).await.expect("the service answers");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v, headers)
}

fn post(path: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// `v` with the clock's values (`aws:CurrentTime`, `aws:EpochTime`, which the world infers
/// from now) replaced, so that two answers computed a second apart compare equal.
fn without_clock(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let b = s.as_bytes();
            let iso =
                b.len() == 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[19] == b'Z';
            let epoch = b.len() == 10 && b.iter().all(u8::is_ascii_digit) && s.starts_with('1');
            if iso || epoch {
                Value::String("<clock>".into())
            } else {
                v.clone()
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(without_clock).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), without_clock(x)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// Two answers equal up to the clock.
fn assert_same_answer(a: &Value, b: &Value) {
    assert_eq!(without_clock(a), without_clock(b));
}

fn assert_error(v: &Value, code: &str) {
    assert_eq!(v["schema"], "iamwhy.error/1", "{v}");
    assert_eq!(v["error"]["code"], code, "{v}");
    assert_eq!(v["error"]["severity"], "error", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

/// The CLI's JSON for the same question, through the same library call (what
/// `iamwhy explain --world demo --output json` prints).
fn cli_explain_json(text: &str) -> Value {
    let world = demo();
    let index = iamwhy_explain::WorldIndex::new(&world);
    let e = iamwhy_explain::explain_sources(
        Some(&index),
        vec![iamwhy_evidence::input::Source::Text(text)],
        iamwhy_evidence::input::ReadOptions {
            all: false,
            limits: iamwhy_evidence::input::Limits {
                max_input_bytes: 1 << 20,
                flag: "--max-input-size",
            },
        },
        &iamwhy_explain::DiagnoseOptions {
            expected_principal: None,
            overrides: Default::default(),
            fixes: true,
        },
        None,
        &mut |_| {},
    )
    .unwrap();
    serde_json::to_value(e.into_report()).unwrap()
}

#[tokio::test]
async fn explain_answers_the_explain_report_of_the_cli() {
    let app = default_service();
    let (status, v, headers) = send(
        &app,
        post("/api/v1/explain", json!({"input": REGION_LOCK}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(v["schema"], "iamwhy.explain/1");
    let a = &v["diagnosis"]["actions"][0];
    assert_eq!(a["evaluation"]["decision"], "ExplicitDeny");
    assert_eq!(a["evaluation"]["reason"]["layer"], "scp");
    assert_eq!(a["evaluation"]["reason"]["level"], "ou-ab12-workload");
    assert_eq!(a["evaluation"]["deciding"][0]["sid"], "DenyAllOutsideEU");
    // Not a third rendering: the very document the CLI prints.
    assert_same_answer(&v, &cli_explain_json(REGION_LOCK));
}

#[tokio::test]
async fn explain_takes_request_details_like_the_cli_flags() {
    let app = default_service();
    let body = json!({"input": REGION_LOCK, "region": "eu-west-1", "context": ["aws:SecureTransport=true"]});
    let (status, v, _) = send(&app, post("/api/v1/explain", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let overrides = v["diagnosis"]["overrides"].as_array().unwrap();
    assert!(!overrides.is_empty(), "{v}");
}

#[tokio::test]
async fn explain_of_several_messages_is_the_many_items_shape() {
    let app = default_service();
    let two = format!(
        "{REGION_LOCK}\n\n{}",
        REGION_LOCK
            .replace("bob", "alice")
            .replace("333333333333", "222222222222")
    );
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", json!({"input": two}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["items"].as_array().map(Vec::len), Some(2), "{v}");
}

#[tokio::test]
async fn explain_of_an_empty_input_is_a_located_400() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", json!({"input": "  "}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "serve-empty-input");
    assert_eq!(v["error"]["json_path"], "input");
}

#[tokio::test]
async fn explain_of_text_that_is_no_evidence_is_the_evidence_readers_diagnostic() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        post(
            "/api/v1/explain",
            json!({"input": "hello world"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["schema"], "iamwhy.error/1");
}

#[tokio::test]
async fn bad_json_is_a_400_with_line_and_column() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", "{\n  \"input\": \"x\",\n  oops\n}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "serve-bad-json");
    assert_eq!(v["error"]["file"], "request body");
    assert_eq!(v["error"]["line"], 3);
    assert!(v["error"]["column"].as_u64().is_some());
}

#[tokio::test]
async fn an_unknown_field_is_a_400_naming_it() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        post(
            "/api/v1/check",
            json!({"principal": "p", "action": "s3:GetObject", "regoin": "x"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "serve-bad-request-field");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("regoin"),
        "{v}"
    );
}

#[tokio::test]
async fn an_oversized_body_is_a_413_diagnostic() {
    let app = service(Options {
        limits: Limits {
            max_body: 1024,
            timeout: Duration::from_secs(30),
        },
        ..Options::default()
    });
    let big = json!({"input": "x".repeat(4096)}).to_string();
    for path in [
        "/api/v1/explain",
        "/api/v1/check",
        "/api/v1/lint",
        "/api/v1/who-can",
        "/api/v1/what-can",
    ] {
        let (status, v, _) = send(&app, post(path, big.clone())).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_error(&v, "serve-body-too-large");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("1 KiB"),
            "{v}"
        );
    }
}

#[tokio::test]
async fn check_answers_the_check_report_of_the_cli() {
    let app = default_service();
    let body = json!({
        "principal": "arn:aws:iam::333333333333:user/bob",
        "action": "ec2:RunInstances",
        "resource": "arn:aws:ec2:us-east-1:333333333333:instance/*",
        "context": ["aws:RequestedRegion=us-east-1", "aws:SecureTransport=true"],
    });
    let (status, v, _) = send(&app, post("/api/v1/check", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["schema"], "iamwhy.check/1");
    assert_eq!(v["decision"], "ExplicitDeny");
    assert_eq!(v["question"]["action"], "ec2:RunInstances");
    assert_eq!(v["evaluation"]["deciding"][0]["policy"], "DenyOutsideEU");
    // The same document as the library call the CLI makes.
    let world = demo();
    let index = iamwhy_explain::WorldIndex::new(&world);
    let q = iamwhy_world::Question {
        principal: "arn:aws:iam::333333333333:user/bob".into(),
        action: "ec2:RunInstances".into(),
        resource: "arn:aws:ec2:us-east-1:333333333333:instance/*".into(),
        context: vec![
            ("aws:RequestedRegion".into(), "us-east-1".into()),
            ("aws:SecureTransport".into(), "true".into()),
        ],
        ..Default::default()
    };
    let (report, _) = iamwhy_explain::check(&index, &q, false, None).unwrap();
    assert_same_answer(&v, &serde_json::to_value(report).unwrap());
}

#[tokio::test]
async fn check_of_a_principal_the_world_lacks_is_a_422_diagnostic() {
    let app = default_service();
    let body = json!({"principal": "arn:aws:iam::999999999999:user/nobody", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"});
    let (status, v, _) = send(&app, post("/api/v1/check", body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["schema"], "iamwhy.error/1");
}

#[tokio::test]
async fn check_with_a_malformed_field_is_a_400() {
    let app = default_service();
    let body = json!({"principal": "arn:aws:iam::333333333333:user/bob", "action": "ec2:RunInstances", "resource_account": "12"});
    let (status, v, _) = send(&app, post("/api/v1/check", body.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "malformed-request-field");
}

#[tokio::test]
async fn lint_answers_the_access_analyzer_shape_of_lint_format_json() {
    let app = default_service();
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#;
    let (status, v, _) = send(
        &app,
        post("/api/v1/lint", json!({"policy": policy}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{v}");
    // The same value as the lint crate's report for that text.
    let file = std::sync::Arc::new(iamwhy_lint::SourceFile::new("policy", policy.to_string()));
    let source =
        iamwhy_lint::PolicySource::whole_file(file, iamwhy_policy::PolicyType::Identity, None);
    let run = iamwhy_lint::Linter::new().run(vec![source], &Default::default(), None);
    assert_eq!(v, run.to_json());
}

#[tokio::test]
async fn lint_of_an_unknown_type_is_a_400_naming_the_types() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        post(
            "/api/v1/lint",
            json!({"policy": "{}", "type": "bucket"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "serve-bad-request-field");
    assert!(v["error"]["help"].as_str().unwrap().contains("identity"));
}

#[tokio::test]
async fn world_overview_is_the_organization_tree() {
    let app = default_service();
    let (status, v, _) = send(&app, get("/api/v1/world")).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["schema"], "iamwhy.world/1");
    assert_eq!(v["organization"], "o-a1b2c3d4e5");
    let root = &v["tree"][0];
    assert_eq!(root["id"], "r-ab12");
    let text = v.to_string();
    for account in ["222222222222", "333333333333"] {
        assert!(text.contains(account), "{account} missing from the tree");
    }
}

#[tokio::test]
async fn world_search_finds_principals_resources_and_policies() {
    let app = default_service();
    let (status, v, _) = send(&app, get("/api/v1/world/search?q=bob")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "user" && h["id"] == "arn:aws:iam::333333333333:user/bob"),
        "{v}"
    );
    let (_, v, _) = send(&app, get("/api/v1/world/search?q=customer-data")).await;
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "resource"),
        "{v}"
    );
    let (_, v, _) = send(&app, get("/api/v1/world/search?q=DenyOutsideEU")).await;
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "scp"),
        "{v}"
    );
    let (_, v, _) = send(&app, get("/api/v1/world/search?q=no-such-thing-anywhere")).await;
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn world_principal_lists_its_effective_policies_with_their_text() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        get("/api/v1/world/principal?arn=arn:aws:iam::333333333333:user/bob"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(!v["identity"].as_array().unwrap().is_empty());
    assert!(
        v["identity"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Statement")
    );
    let scps: Vec<&str> = v["scp_levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["target"].as_str().unwrap())
        .collect();
    assert_eq!(scps.first(), Some(&"r-ab12"));
    assert_eq!(scps.last(), Some(&"333333333333"));
}

#[tokio::test]
async fn world_principal_unknown_is_a_404_diagnostic() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        get("/api/v1/world/principal?arn=arn:aws:iam::333333333333:user/nobody"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    assert_eq!(v["schema"], "iamwhy.error/1");
    let (status, v, _) = send(&app, get("/api/v1/world/principal")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&v, "serve-missing-parameter");
}

#[tokio::test]
async fn world_resource_shows_its_policy() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        get("/api/v1/world/resource?arn=arn:aws:s3:::prod-app-customer-data"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["account"], "222222222222");
    assert!(
        v["policy"]["text"]
            .as_str()
            .unwrap()
            .contains("DenyIfNotThroughProdVpce")
    );
    let (status, v, _) = send(&app, get("/api/v1/world/resource?arn=arn:aws:s3:::nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&v, "serve-unknown-resource");
}

#[tokio::test]
async fn world_policy_by_source_is_the_text_the_trace_positions_count() {
    let app = default_service();
    let (status, v, _) = send(
        &app,
        get("/api/v1/world/policy?source=organization.json%20policies.p-regionlock.content"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "DenyOutsideEU");
    assert_eq!(v["policy_type"], "scp");
    let line4 = v["text"].as_str().unwrap().lines().nth(3).unwrap();
    assert!(
        line4.trim_start().starts_with('{'),
        "statement 0 starts on line 4: {line4:?}"
    );
    let (status, v, _) = send(&app, get("/api/v1/world/policy?source=nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&v, "serve-unknown-policy");
}

#[tokio::test]
async fn unknown_api_paths_are_404_diagnostics() {
    let app = default_service();
    for path in ["/api/v1/nope", "/api/v2/explain", "/nope.html"] {
        let (status, v, _) = send(&app, get(path)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_error(&v, "serve-unknown-path");
    }
    let (status, v, _) = send(&app, get("/api/v1/explain")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&v, "serve-method-not-allowed");
}

const OBJECT: &str = "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

/// What `iamwhy who-can --world demo --output json` prints for `q`: the library call the CLI
/// makes, serialised.
fn cli_who_can_json(q: &WhoCanQuery) -> Value {
    let world = demo();
    serde_json::to_value(Analyzer::new(&world).who_can(q).unwrap()).unwrap()
}

/// What `iamwhy what-can --world demo --output json` prints for `q`.
fn cli_what_can_json(q: &WhatCanQuery) -> Value {
    let world = demo();
    serde_json::to_value(Analyzer::new(&world).what_can(q).unwrap()).unwrap()
}

#[tokio::test]
async fn who_can_answers_the_who_can_json_of_the_cli() {
    let app = default_service();
    let body = json!({"action": "s3:GetObject", "resource": OBJECT});
    let (status, v, headers) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(v["schema"], "iamwhy.who-can/1");
    let names: Vec<&str> = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["principal"].as_str().unwrap())
        .collect();
    // The principals crates/analyze/tests/demo.rs derives from the demo's stories.
    assert_eq!(
        names,
        [
            "arn:aws:iam::222222222222:role/OrgOps",
            "arn:aws:iam::222222222222:role/app/app-backend",
            "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_3f2a1b0c9d8e7f6a",
            "arn:aws:iam::222222222222:root",
            "arn:aws:iam::222222222222:user/alice",
        ]
    );
    assert_eq!(v["nobody_outside_organization"], true);
    let expected = cli_who_can_json(&WhoCanQuery {
        action: "s3:GetObject".into(),
        resource: OBJECT.into(),
        ..WhoCanQuery::default()
    });
    assert_same_answer(&v, &expected);
}

#[tokio::test]
async fn who_can_takes_the_cli_flags_account_via_assume_role_and_region() {
    let app = default_service();
    let body = json!({
        "action": "ecs:UpdateService",
        "account": "222222222222",
        "via_assume_role": true,
        "region": "eu-west-1",
    });
    let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v["resource"], "*",
        "the resource defaults to * as --resource does"
    );
    assert!(
        v["assume_paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["role"].as_str().unwrap().ends_with("role/DeployRole")
                && e["by"].as_str().unwrap().ends_with("role/CIRunner")),
        "{v}"
    );
    let expected = cli_who_can_json(&WhoCanQuery {
        action: "ecs:UpdateService".into(),
        resource: "*".into(),
        account: Some("222222222222".into()),
        via_assume_role: true,
        template: iamwhy_world::Question {
            context: vec![("aws:RequestedRegion".into(), "eu-west-1".into())],
            ..Default::default()
        },
        ..WhoCanQuery::default()
    });
    assert_same_answer(&v, &expected);
}

#[tokio::test]
async fn who_can_of_a_pattern_or_no_action_is_a_400_at_the_action_field() {
    let app = default_service();
    for action in ["s3:*", "s3", ""] {
        let body = json!({"action": action, "resource": OBJECT});
        let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{action}: {v}");
        assert_error(&v, "not-one-action");
        assert_eq!(v["error"]["json_path"], "action");
    }
}

#[tokio::test]
async fn who_can_in_an_account_the_world_lacks_is_a_422_at_the_account_field() {
    let app = default_service();
    let body = json!({"action": "s3:GetObject", "resource": OBJECT, "account": "999999999998"});
    let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_error(&v, "who-can-unknown-account");
    assert_eq!(v["error"]["json_path"], "account");
    assert!(
        v["error"]["help"]
            .as_str()
            .unwrap()
            .contains("222222222222"),
        "the help lists the accounts: {v}"
    );
    let body = json!({"action": "s3:GetObject", "ou": "ou-nope"});
    let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_error(&v, "who-can-unknown-ou");
    assert_eq!(v["error"]["json_path"], "ou");
}

#[tokio::test]
async fn who_can_with_both_account_and_ou_is_a_400_as_the_cli_refuses_both_flags() {
    let app = default_service();
    let body = json!({"action": "s3:GetObject", "account": "222222222222", "ou": "r-ab12"});
    let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_error(&v, "serve-bad-request-field");
    assert_eq!(v["error"]["json_path"], "ou");
}

#[tokio::test]
async fn who_can_and_what_can_refuse_unknown_fields_and_bad_request_flags() {
    let app = default_service();
    for (path, body) in [
        (
            "/api/v1/who-can",
            json!({"action": "s3:GetObject", "principal": "x"}),
        ),
        (
            "/api/v1/what-can",
            json!({"principal": "x", "action": "s3:GetObject"}),
        ),
        ("/api/v1/who-can", json!({"resource": OBJECT})),
        ("/api/v1/what-can", json!({"principal": 12})),
    ] {
        let (status, v, _) = send(&app, post(path, body.to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {v}");
        assert_error(&v, "serve-bad-request-field");
        assert_eq!(v["error"]["file"], "request body");
    }
    for path in ["/api/v1/who-can", "/api/v1/what-can"] {
        let body = json!({"action": "s3:GetObject", "principal": "arn:aws:iam::222222222222:user/alice", "context": ["no-equals-sign"]});
        let mut body = body.as_object().unwrap().clone();
        if path.ends_with("who-can") {
            body.remove("principal");
        } else {
            body.remove("action");
        }
        let (status, v, _) = send(&app, post(path, Value::Object(body).to_string())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {v}");
        assert_error(&v, "bad-context-flag");
    }
}

#[tokio::test]
async fn what_can_answers_the_what_can_json_of_the_cli() {
    let app = default_service();
    let backend = "arn:aws:iam::222222222222:role/app/app-backend";
    let resource = "arn:aws:s3:::prod-app-customer-data/orders/x.json";
    let body = json!({"principal": backend, "resource": resource});
    let (status, v, _) = send(&app, post("/api/v1/what-can", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["schema"], "iamwhy.what-can/1");
    // docs/analyze.md: s3:GetObject (Read) and s3:PutObject (Write), both conditional.
    assert_eq!(v["allowed"], 2, "{v}");
    let s3 = &v["services"][0];
    assert_eq!(s3["service"], "s3");
    let levels: Vec<(&str, &str)> = s3["levels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| {
            l["actions"].as_array().unwrap().iter().map(|a| {
                (
                    l["access_level"].as_str().unwrap(),
                    a["action"].as_str().unwrap(),
                )
            })
        })
        .collect();
    assert_eq!(
        levels,
        [("Read", "s3:GetObject"), ("Write", "s3:PutObject")]
    );
    let expected = cli_what_can_json(&WhatCanQuery {
        principal: backend.into(),
        resource: Some(resource.into()),
        ..WhatCanQuery::default()
    });
    assert_same_answer(&v, &expected);
}

#[tokio::test]
async fn what_can_with_a_service_and_context_is_the_cli_answer_for_those_flags() {
    let app = default_service();
    let alice = "arn:aws:iam::222222222222:user/alice";
    let body = json!({"principal": alice, "service": "s3", "context": ["aws:MultiFactorAuthPresent=true"]});
    let (status, v, _) = send(&app, post("/api/v1/what-can", body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["resource"], "*");
    assert!(
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["service"] == "s3"),
        "{v}"
    );
    let expected = cli_what_can_json(&WhatCanQuery {
        principal: alice.into(),
        service: Some("s3".into()),
        template: iamwhy_world::Question {
            context: vec![("aws:MultiFactorAuthPresent".into(), "true".into())],
            ..Default::default()
        },
        ..WhatCanQuery::default()
    });
    assert_same_answer(&v, &expected);
}

#[tokio::test]
async fn what_can_of_an_unknown_principal_or_service_is_a_located_422() {
    let app = default_service();
    let body =
        json!({"principal": "arn:aws:iam::222222222222:user/alice", "service": "nosuchservice"});
    let (status, v, _) = send(&app, post("/api/v1/what-can", body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_error(&v, "what-can-unknown-service");
    assert_eq!(v["error"]["json_path"], "service");
    let body = json!({"principal": "arn:aws:iam::999999999999:user/nobody"});
    let (status, v, _) = send(&app, post("/api/v1/what-can", body.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["schema"], "iamwhy.error/1");
}

#[tokio::test]
async fn who_can_over_its_deadline_is_a_503_diagnostic() {
    // A zero deadline: any answer is ready after it, and an answer ready after the deadline
    // is refused like one that never came. A 1 ms deadline was a timed test (on a quiet
    // machine the who-can finished within it), and so was relying on the timer being polled
    // before a fast who-can finished on another core.
    let app = service(Options {
        limits: Limits {
            max_body: 1 << 20,
            timeout: Duration::ZERO,
        },
        ..Options::default()
    });
    let body = json!({"action": "s3:GetObject", "via_assume_role": true});
    let (status, v, _) = send(&app, post("/api/v1/who-can", body.to_string())).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_error(&v, "serve-timeout");
}

#[tokio::test]
async fn who_can_and_what_can_take_post_only() {
    let app = default_service();
    for path in ["/api/v1/who-can", "/api/v1/what-can"] {
        let (status, v, _) = send(&app, get(path)).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_error(&v, "serve-method-not-allowed");
    }
}

#[tokio::test]
async fn with_a_token_the_api_needs_the_bearer_token() {
    let app = service(Options {
        token: Some("s3cret".into()),
        ..Options::default()
    });
    let (status, v, headers) = send(&app, get("/api/v1/world")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&v, "serve-unauthorized");
    assert_eq!(headers[header::WWW_AUTHENTICATE], "Bearer");
    let wrong = Request::get("/api/v1/world")
        .header(header::AUTHORIZATION, "Bearer guess")
        .body(Body::empty())
        .unwrap();
    let (status, v, _) = send(&app, wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not this server's")
    );
    let right = Request::get("/api/v1/world")
        .header(header::AUTHORIZATION, "Bearer s3cret")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&app, right).await;
    assert_eq!(status, StatusCode::OK);
    // The page itself loads without the token (it reads it from the address fragment).
    let resp = app.clone().oneshot(get("/")).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_are_embedded_with_a_strict_content_security_policy() {
    let app = default_service();
    for (path, ty) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
    ] {
        let resp = app.clone().oneshot(get(path)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert!(
            resp.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(ty)
        );
        let csp = resp.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
            "{csp}"
        );
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8(body.to_vec()).unwrap();
        // No external request of any kind: no absolute URL to another origin in the assets.
        for bad in ["http://", "https://", "//cdn", "<script>"] {
            assert!(!text.contains(bad), "{path} contains {bad}");
        }
    }
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_with_its_message() {
    let router = iamwhy_server::layered(Router::new().route(
        "/boom",
        axum::routing::get(|| async {
            panic!("the handler broke on purpose");
            #[allow(unreachable_code)]
            ""
        }),
    ));
    let (status, v, _) = send(&router, get("/boom")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_error(&v, "serve-internal-error");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("on purpose")
    );
}

#[tokio::test]
async fn a_request_over_its_deadline_is_a_503_diagnostic() {
    // A CloudTrail log big enough that explaining it takes longer than a 1 ms deadline.
    let app = service(Options {
        limits: Limits {
            max_body: 64 << 20,
            timeout: Duration::from_millis(1),
        },
        ..Options::default()
    });
    let mut records = Vec::new();
    for i in 0..3000 {
        records.push(json!({
            "eventVersion": "1.08", "eventID": format!("id-{i}"), "eventTime": "2026-11-30T10:00:00Z",
            "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "awsRegion": "us-east-1",
            "errorCode": "Client.UnauthorizedOperation",
            "errorMessage": "You are not authorized to perform this operation.",
            "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::333333333333:user/u{}", i % 50), "accountId": "333333333333"},
            "recipientAccountId": "333333333333"
        }));
    }
    let input = json!({"Records": records}).to_string();
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", json!({"input": input}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_error(&v, "serve-timeout");
}

#[tokio::test]
async fn a_request_for_a_foreign_host_name_is_refused_against_dns_rebinding() {
    let app = default_service();
    let foreign = Request::get("/api/v1/world")
        .header(header::HOST, "evil.example:7878")
        .body(Body::empty())
        .unwrap();
    let (status, v, _) = send(&app, foreign).await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    assert_error(&v, "serve-foreign-host");
    for host in [
        "127.0.0.1:7878",
        "localhost:7878",
        "[::1]:7878",
        "localhost",
    ] {
        let ok = Request::get("/api/v1/world")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let (status, _, _) = send(&app, ok).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
    let open = service(Options {
        any_host: true,
        ..Options::default()
    });
    let foreign = Request::get("/api/v1/world")
        .header(header::HOST, "evil.example:7878")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = send(&open, foreign).await;
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn a_non_loopback_address_needs_allow_remote_and_warns() {
    let local: std::net::SocketAddr = "127.0.0.1:7878".parse().unwrap();
    assert_eq!(iamwhy_server::check_bind(local, false).unwrap(), None);
    let v6: std::net::SocketAddr = "[::1]:7878".parse().unwrap();
    assert_eq!(iamwhy_server::check_bind(v6, false).unwrap(), None);
    let all: std::net::SocketAddr = "0.0.0.0:7878".parse().unwrap();
    let err = iamwhy_server::check_bind(all, false).unwrap_err();
    assert_eq!(err.code, "serve-remote-address");
    let warning = iamwhy_server::check_bind(all, true)
        .unwrap()
        .expect("a warning");
    assert!(warning.contains("not a loopback address"));
}

#[tokio::test]
async fn a_real_socket_serves_and_shuts_down_gracefully() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(iamwhy_server::serve(listener, default_service(), async {
        let _ = stopped.await;
    }));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<String>();
    let req = hyper::Request::post(format!("http://{addr}/api/v1/explain"))
        .header("content-type", "application/json")
        .body(json!({"input": REGION_LOCK}).to_string())
        .unwrap();
    let resp = client.request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["diagnosis"]["actions"][0]["evaluation"]["decision"],
        "ExplicitDeny"
    );
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after the shutdown signal")
        .unwrap()
        .unwrap();
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../evidence/tests/fixtures/cloudtrail/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("a CloudTrail fixture of the evidence crate")
}

#[tokio::test]
async fn explain_of_a_cloudtrail_event_is_the_cli_report() {
    let app = default_service();
    let event = fixture("iam_user_long_term.json");
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", json!({"input": event}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["input"], "cloud_trail");
    assert_same_answer(&v, &cli_explain_json(&event));
}

#[tokio::test]
async fn explain_of_a_cloudtrail_log_with_several_denials_is_grouped() {
    let app = default_service();
    let mut records = Vec::new();
    for name in [
        "iam_user_long_term.json",
        "assumed_role_mfa.json",
        "anonymous.json",
    ] {
        let v: Value = serde_json::from_str(&fixture(name)).unwrap();
        match v.get("Records") {
            Some(Value::Array(r)) => records.extend(r.iter().cloned()),
            _ => records.push(v),
        }
    }
    let log = json!({"Records": records}).to_string();
    let (status, v, _) = send(
        &app,
        post("/api/v1/explain", json!({"input": log}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["groups"].is_array(), "{v}");
    assert!(v["denied"].as_u64().unwrap() >= 2, "{v}");
    assert_same_answer(&v, &cli_explain_json(&log));
}

#[tokio::test]
async fn a_body_that_does_not_arrive_within_the_deadline_is_refused() {
    let app = service(Options {
        limits: Limits {
            max_body: 1 << 20,
            timeout: Duration::from_millis(200),
        },
        ..Options::default()
    });
    // The first half of a body, then nothing for longer than the deadline.
    let chunks = futures_util_stream();
    let req = Request::post("/api/v1/explain")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(chunks))
        .unwrap();
    let started = std::time::Instant::now();
    let (status, v, _) = send(&app, req).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the server waited for the body"
    );
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{v}");
    assert_error(&v, "serve-body-timeout");
}

/// `{"input": ` at once, then the rest after 3 s.
fn futures_util_stream()
-> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        let _ = tx
            .send(Ok(axum::body::Bytes::from_static(b"{\"input\": ")))
            .await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let _ = tx.send(Ok(axum::body::Bytes::from_static(b"\"x\"}"))).await;
    });
    tokio_stream_from(rx)
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<axum::body::Bytes, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
