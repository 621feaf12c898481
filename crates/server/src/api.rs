//! The JSON API under `/api/v1/`: the route table, the bearer-token guard, and the handlers
//! of explain, check, lint, who-can and what-can. The world browser is in
//! [`crate::world_api`].

use crate::error::{ApiError, error_response, internal_error};
use crate::{Shared, State as AppState, world_api};
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use iamwhy_analyze::{Analyzer, WhatCanQuery, WhoCanQuery};
use iamwhy_diagnostic::{Diagnostic, Position};
use iamwhy_evidence::input::{Limits, ReadOptions, Source};
use iamwhy_explain::request::check_request_fields;
use iamwhy_explain::{DiagnoseOptions, FieldNames, RawOverrides, check, explain_sources};
use iamwhy_lint::{Config, Linter, PolicySource, SourceFile};
use iamwhy_policy::PolicyType;
use iamwhy_world::Question;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The route table of `/api/v1/`.
pub(crate) fn routes(state: Shared) -> Router {
    Router::new()
        .route("/explain", post(explain))
        .route("/check", post(check_handler))
        .route("/lint", post(lint))
        .route("/world", get(world_api::overview))
        .route("/world/search", get(world_api::search))
        .route("/world/principal", get(world_api::principal))
        .route("/world/resource", get(world_api::resource))
        .route("/world/policy", get(world_api::policy))
        .route("/who-can", post(who_can))
        .route("/what-can", post(what_can))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
        .with_state(state)
}

/// The bearer-token guard: with `--token`, a request without `Authorization: Bearer <token>`
/// (or with another token) is answered 401.
async fn require_token(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let Some(expected) = state.options.token.as_deref() else {
        return next.run(req).await;
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let problem = match given {
        None => "this server requires a bearer token and the request has none",
        Some(t) if constant_time_eq(t.as_bytes(), expected.as_bytes()) => {
            return next.run(req).await;
        }
        Some(_) => "the bearer token of the request is not this server's",
    };
    let mut resp = error_response(
        StatusCode::UNAUTHORIZED,
        &Diagnostic::error("serve-unauthorized", problem).with_help(
            "send `Authorization: Bearer <token>` with the token given to `iamwhy serve --token`; the page reads it from the #token=... part of the address iamwhy serve printed",
        ),
    );
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        axum::http::HeaderValue::from_static("Bearer"),
    );
    resp
}

/// Refuse a request whose `Host` header is not a loopback name unless `any_host` (DNS
/// rebinding: a page on another site whose name resolves to 127.0.0.1 would otherwise be
/// same-origin with this server). A request without `Host` (HTTP/1.0) passes.
pub(crate) async fn loopback_host(any_host: bool, req: Request, next: Next) -> Response {
    if any_host {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_string());
    let Some(host) = host else {
        return next.run(req).await;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host.as_str(), |(n, _)| n)
    };
    if matches!(name, "127.0.0.1" | "localhost" | "::1") {
        return next.run(req).await;
    }
    error_response(
        StatusCode::MISDIRECTED_REQUEST,
        &Diagnostic::error(
            "serve-foreign-host",
            format!("the request is addressed to host {host:?}, not to this machine's loopback address"),
        )
        .with_help(
            "open the page as http://127.0.0.1:PORT/ or http://localhost:PORT/; iamwhy serve --allow-remote answers any host name",
        ),
    )
}

/// Compare without stopping at the first difference (the time taken does not tell how much
/// of a guessed token was right).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 404 for a path the API does not have (and for pages that do not exist).
pub(crate) async fn not_found(OriginalUri(uri): OriginalUri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        &Diagnostic::error(
            "serve-unknown-path",
            format!("{} is not a path of iamwhy serve", uri.path()),
        )
        .with_help(
            "the API is under /api/v1/: explain, check, lint, who-can, what-can, world (docs/serve.md)",
        ),
    )
}

async fn method_not_allowed(OriginalUri(uri): OriginalUri, req: Request) -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &Diagnostic::error(
            "serve-method-not-allowed",
            format!("{} does not answer {}", uri.path(), req.method()),
        )
        .with_help(
            "explain, check, lint, who-can and what-can take POST with a JSON body; world takes GET",
        ),
    )
}

/// The request body as `T`: a body over the cap is a 413, JSON that does not parse or does
/// not fit a located 400 (line and column in the body).
fn parse_body<T: DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
    max: usize,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Diagnostic::error(
                    "serve-body-too-large",
                    format!(
                        "the request body holds more than {}, the limit of this server",
                        iamwhy_evidence::input::human_size(max as u64)
                    ),
                )
                .with_help("start iamwhy serve with a larger --max-body, or send less"),
            )
        } else if r.body_text().contains("not received within") {
            // tower-http's RequestBodyTimeout: the client stopped sending.
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                Diagnostic::error(
                    "serve-body-timeout",
                    "the request body did not arrive within the deadline of this server",
                )
                .with_help("send the whole body at once; iamwhy serve --timeout sets the deadline"),
            )
        } else {
            ApiError::bad_request(Diagnostic::error(
                "serve-unreadable-body",
                format!("the request body cannot be read: {}", r.body_text()),
            ))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let code = if e.is_data() {
            "serve-bad-request-field"
        } else {
            "serve-bad-json"
        };
        let mut d = Diagnostic::error(code, format!("the request body is not valid: {e}"))
            .in_file("request body")
            .with_help(
                "the body is a JSON object; docs/serve.md lists the fields of each endpoint",
            );
        if e.line() > 0 {
            d = d.at_position(Position {
                line: e.line() as u32,
                column: e.column() as u32,
            });
        }
        ApiError::bad_request(d)
    })
}

/// Run `f` on the blocking pool under the request deadline: the work is CPU-bound, so it
/// must not hold a runtime thread, and a request over its deadline is answered 503 (the
/// computation runs to its end on its thread and is dropped). An answer that is ready only
/// after the deadline is refused the same way: the timer and the work race, and which of the
/// two is polled first must not decide the status. A panic in `f` is a 500.
async fn run_blocking<T: Send + 'static>(
    state: &Shared,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let timeout = state.options.limits.timeout;
    let started = tokio::time::Instant::now();
    let done = tokio::time::timeout(timeout, tokio::task::spawn_blocking(f)).await;
    let finished = match done {
        Ok(finished) if started.elapsed() <= timeout => finished,
        _ => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                Diagnostic::error(
                    "serve-timeout",
                    format!(
                        "the request took longer than {:.1} s, the deadline of this server",
                        timeout.as_secs_f64()
                    ),
                )
                .with_help("start iamwhy serve with a longer --timeout, or ask a smaller question"),
            ));
        }
    };
    match finished {
        Ok(r) => r,
        Err(join) => {
            let what = match join.try_into_panic() {
                Ok(p) => crate::error::panic_message(&*p),
                Err(e) => e.to_string(),
            };
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                internal_error(&what),
            ))
        }
    }
}

/// JSON out.
fn json<T: serde::Serialize>(v: &T) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(v).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            internal_error(&e.to_string()),
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The request details `explain`, `check`, `who-can` and `what-can` share (the CLI's
/// request flags), checked by the explain crate as the CLI's are.
type RequestFields = RawOverrides;

/// The body of `POST /api/v1/explain`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainBody {
    /// What AWS said: error message(s), a CloudTrail event or log, a decoded message.
    input: String,
    /// Who the caller was expected to be.
    expected_principal: Option<String>,
    /// CloudTrail: explain every record, not only the denied ones.
    #[serde(default)]
    all: bool,
    #[serde(default)]
    context: Vec<String>,
    session_policy: Option<String>,
    source_vpce: Option<String>,
    federated_by: Option<String>,
    resource_account: Option<String>,
    region: Option<String>,
}

/// The request fields of a body, as [`RequestFields`].
macro_rules! request_fields {
    ($b:expr) => {
        RequestFields {
            context: $b.context,
            session_policy: $b.session_policy,
            source_vpce: $b.source_vpce,
            federated_by: $b.federated_by,
            resource_account: $b.resource_account,
            region: $b.region,
        }
    };
}

/// `POST /api/v1/explain`: what `iamwhy explain --world DIR --output json` prints for the
/// text.
async fn explain(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let max = state.options.limits.max_body;
    let mut body: ExplainBody = parse_body(body, max)?;
    if body.input.trim().is_empty() {
        return Err(ApiError::bad_request(
            Diagnostic::error("serve-empty-input", "input is empty")
                .at_path("input")
                .with_help("paste an access-denied message, a CloudTrail event or log, or a decoded authorization message"),
        ));
    }
    let expected_principal = body.expected_principal.clone();
    let all = body.all;
    let input = std::mem::take(&mut body.input);
    let overrides = request_fields!(body)
        .check(FieldNames::Json)
        .map_err(ApiError::bad_request)?;
    let opts = DiagnoseOptions {
        expected_principal,
        overrides,
        fixes: true,
    };
    let st = state.clone();
    let report = run_blocking(&state, move || {
        let explanation = explain_sources(
            Some(&st.index),
            vec![Source::Text(&input)],
            ReadOptions {
                all,
                limits: Limits {
                    max_input_bytes: max as u64,
                    flag: "--max-body",
                },
            },
            &opts,
            None,
            &mut |_| {},
        )?;
        Ok(explanation.into_report())
    })
    .await?;
    json(&report)
}

/// The body of `POST /api/v1/check`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckBody {
    principal: String,
    action: String,
    #[serde(default = "star")]
    resource: String,
    /// Also run Discovery.
    #[serde(default)]
    discover: bool,
    #[serde(default)]
    context: Vec<String>,
    session_policy: Option<String>,
    source_vpce: Option<String>,
    federated_by: Option<String>,
    resource_account: Option<String>,
    region: Option<String>,
}

fn star() -> String {
    "*".to_string()
}

/// `POST /api/v1/check`: what `iamwhy check --world DIR --output json` prints.
async fn check_handler(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut body: CheckBody = parse_body(body, state.options.limits.max_body)?;
    check_request_fields(&body.principal, &body.action, &body.resource)
        .map_err(ApiError::bad_request)?;
    let mut question = Question {
        principal: std::mem::take(&mut body.principal),
        action: std::mem::take(&mut body.action),
        resource: std::mem::take(&mut body.resource),
        ..Question::default()
    };
    let discover = body.discover;
    let overrides = request_fields!(body)
        .check(FieldNames::Json)
        .map_err(ApiError::bad_request)?;
    overrides.apply_to_check(&mut question);
    let st = state.clone();
    let report = run_blocking(&state, move || {
        let (report, _) = check(&st.index, &question, discover, None)?;
        Ok(report)
    })
    .await?;
    json(&report)
}

/// The body of `POST /api/v1/lint`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintBody {
    /// The policy document.
    policy: String,
    /// Its type (`identity` when absent).
    #[serde(rename = "type", default)]
    policy_type: Option<String>,
    /// For a resource policy: the resource type (`AWS::S3::Bucket`).
    resource_type: Option<String>,
}

/// `POST /api/v1/lint`: what `iamwhy lint --format json` prints for the policy.
async fn lint(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body: LintBody = parse_body(body, state.options.limits.max_body)?;
    let mut ty = match body.policy_type.as_deref() {
        None => PolicyType::Identity,
        Some(t) => PolicyType::from_name(t).ok_or_else(|| {
            ApiError::bad_request(
                Diagnostic::error(
                    "serve-bad-request-field",
                    format!("type \"{t}\" is not a policy type"),
                )
                .at_path("type")
                .with_help(
                    "one of identity, resource, trust, boundary, session, scp, rcp, endpoint",
                ),
            )
        })?,
    };
    let resource_type = match body.resource_type.as_deref() {
        None => None,
        Some(name) => Some(iamwhy_lint::resource_type(name).ok_or_else(|| {
            let names: Vec<&str> = iamwhy_lint::RESOURCE_TYPES.iter().map(|r| r.name).collect();
            ApiError::bad_request(
                Diagnostic::error(
                    "serve-bad-request-field",
                    format!("resource_type \"{name}\" is not a resource type iamwhy knows"),
                )
                .at_path("resource_type")
                .with_help(format!("one of {}", names.join(", "))),
            )
        })?),
    };
    if resource_type.is_some_and(|rt| rt.name == "AWS::IAM::AssumeRolePolicyDocument") {
        ty = PolicyType::Trust;
    }
    let policy = body.policy;
    let st = state.clone();
    let report = run_blocking(&state, move || {
        let file = Arc::new(SourceFile::new("policy", policy));
        let source = PolicySource::whole_file(file, ty, resource_type);
        let run = st
            .linter
            .get_or_init(Linter::new)
            .run(vec![source], &Config::default(), None);
        Ok(run.to_json())
    })
    .await?;
    json(&report)
}

/// The body of `POST /api/v1/who-can`: `iamwhy who-can`'s flags.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhoCanBody {
    /// `service:Action`.
    action: String,
    /// The resource ARN (`*` when absent).
    #[serde(default = "star")]
    resource: String,
    /// Only principals of this account.
    account: Option<String>,
    /// Only principals of accounts under this OU (or root) id.
    ou: Option<String>,
    /// Also who may assume the allowed roles, transitively.
    #[serde(default)]
    via_assume_role: bool,
    #[serde(default)]
    context: Vec<String>,
    session_policy: Option<String>,
    source_vpce: Option<String>,
    federated_by: Option<String>,
    resource_account: Option<String>,
    region: Option<String>,
}

/// The body of `POST /api/v1/what-can`: `iamwhy what-can`'s flags.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WhatCanBody {
    /// The principal (any form `check` accepts).
    principal: String,
    /// The resource (`*` when absent).
    resource: Option<String>,
    /// Only actions of this service prefix.
    service: Option<String>,
    #[serde(default)]
    context: Vec<String>,
    session_policy: Option<String>,
    source_vpce: Option<String>,
    federated_by: Option<String>,
    resource_account: Option<String>,
    region: Option<String>,
}

/// The analyses' indexes, built by the first request that needs them.
fn analyzer(state: &AppState) -> &Analyzer<'static> {
    state.analyzer.get_or_init(|| Analyzer::new(state.world))
}

/// A diagnostic of the analyses, located at the body field it is about: the action that is
/// not one action is a bad field (400, as a malformed `check` field is); an account, OU or
/// service the world or the catalog lacks is a question that cannot be answered (422, as
/// every library diagnostic).
fn analysis_error(d: Diagnostic) -> ApiError {
    let (field, status) = match d.code {
        "not-one-action" => ("action", StatusCode::BAD_REQUEST),
        "who-can-unknown-account" => ("account", StatusCode::UNPROCESSABLE_ENTITY),
        "who-can-unknown-ou" => ("ou", StatusCode::UNPROCESSABLE_ENTITY),
        "what-can-unknown-service" => ("service", StatusCode::UNPROCESSABLE_ENTITY),
        _ => return ApiError::from(d),
    };
    let d = if d.json_path.is_none() {
        d.at_path(field)
    } else {
        d
    };
    ApiError::new(status, d)
}

/// `POST /api/v1/who-can`: what `iamwhy who-can --world DIR --output json` prints
/// ([`iamwhy_analyze::WhoCan`]).
async fn who_can(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut body: WhoCanBody = parse_body(body, state.options.limits.max_body)?;
    if body.account.is_some() && body.ou.is_some() {
        // `--account` and `--ou` exclude each other on the command line too.
        return Err(ApiError::bad_request(
            Diagnostic::error(
                "serve-bad-request-field",
                "account and ou exclude each other: give one of them",
            )
            .at_path("ou")
            .with_help(
                "account keeps the principals of one account, ou those of the accounts under an OU",
            ),
        ));
    }
    let mut template = Question::default();
    let action = std::mem::take(&mut body.action);
    let resource = std::mem::take(&mut body.resource);
    let (account, ou, via_assume_role) =
        (body.account.take(), body.ou.take(), body.via_assume_role);
    request_fields!(body)
        .check(FieldNames::Json)
        .map_err(ApiError::bad_request)?
        .apply_to_check(&mut template);
    let query = WhoCanQuery {
        action,
        resource,
        account,
        ou,
        via_assume_role,
        template,
    };
    let st = state.clone();
    let answer = run_blocking(&state, move || {
        analyzer(&st).who_can(&query).map_err(analysis_error)
    })
    .await?;
    json(&answer)
}

/// `POST /api/v1/what-can`: what `iamwhy what-can --world DIR --output json` prints
/// ([`iamwhy_analyze::WhatCan`]).
async fn what_can(
    State(state): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let mut body: WhatCanBody = parse_body(body, state.options.limits.max_body)?;
    let mut template = Question::default();
    let principal = std::mem::take(&mut body.principal);
    let (resource, service) = (body.resource.take(), body.service.take());
    request_fields!(body)
        .check(FieldNames::Json)
        .map_err(ApiError::bad_request)?
        .apply_to_check(&mut template);
    let query = WhatCanQuery {
        principal,
        resource,
        service,
        template,
    };
    let st = state.clone();
    let answer = run_blocking(&state, move || {
        analyzer(&st).what_can(&query).map_err(analysis_error)
    })
    .await?;
    json(&answer)
}
