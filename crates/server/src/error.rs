//! Failures as HTTP answers: a status and the `iamwhy.error/1` document the CLI prints with
//! `--output json`.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use iamwhy_diagnostic::{Diagnostic, ErrorReport};

/// A diagnostic with the HTTP status it is answered with.
#[derive(Debug)]
pub struct ApiError {
    /// The status.
    pub status: StatusCode,
    /// The problem (boxed: a `Result<T, ApiError>` stays small).
    pub diagnostic: Box<Diagnostic>,
}

impl ApiError {
    /// `diagnostic` answered with `status`.
    pub fn new(status: StatusCode, diagnostic: Diagnostic) -> ApiError {
        ApiError {
            status,
            diagnostic: Box::new(diagnostic),
        }
    }

    /// A 400: the request is wrong.
    pub fn bad_request(diagnostic: Diagnostic) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, diagnostic)
    }
}

impl From<Diagnostic> for ApiError {
    /// A diagnostic from the library crates is about the question asked: 422.
    fn from(d: Diagnostic) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, d)
    }
}

/// The JSON answer for `d` with `status`.
pub(crate) fn error_response(status: StatusCode, d: &Diagnostic) -> Response {
    let body = serde_json::to_vec_pretty(&ErrorReport::new(d)).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.diagnostic)
    }
}

/// What a panic in a handler is answered with (tower-http's CatchPanic): a 500 with the panic
/// message, never a dropped connection.
pub(crate) fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic_message(&*err);
    error_response(StatusCode::INTERNAL_SERVER_ERROR, &internal_error(&what))
}

/// The text of a panic payload.
pub(crate) fn panic_message(err: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "a panic without a message".to_string()
    }
}

/// The diagnostic of an internal failure.
pub(crate) fn internal_error(what: &str) -> Diagnostic {
    Diagnostic::error(
        "serve-internal-error",
        format!("iamwhy failed while answering this request: {what}"),
    )
    .with_help("this is a bug in iamwhy; the server keeps answering other requests")
}

/// A 404 for a thing the world does not hold.
pub(crate) fn not_in_world(code: &'static str, message: String) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Diagnostic::error(code, message))
}
