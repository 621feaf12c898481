//! Which records are authorization failures.

use crate::json::text;
use serde_json::Value;

/// Error codes that mean "not authorized" (compared case-insensitively, after dropping EC2's
/// `Client.` prefix).
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "VpceAccessDenied",
    "AuthorizationError",
    "AuthorizationErrorException",
    "AuthorizationFailure",
    "Forbidden",
    "ForbiddenException",
    "403",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "AccessDeniedFault",
];

/// Whether the record is an authorization failure: a known error code
/// (`AccessDenied`, `AccessDeniedException`, `Client.UnauthorizedOperation`,
/// `VpceAccessDenied`, `AuthorizationError`, `Forbidden`, `403` ...) or an error message in
/// the `is not authorized to perform` format.
pub fn is_denied(event: &Value) -> bool {
    if let Some(code) = text(event, "errorCode") {
        let code = code
            .strip_prefix("Client.")
            .or_else(|| code.strip_prefix("Server."))
            .unwrap_or(code);
        let lower = code.to_ascii_lowercase();
        if DENIED_CODES.iter().any(|c| c.eq_ignore_ascii_case(code))
            || lower.ends_with("accessdenied")
            || lower.ends_with("accessdeniedexception")
        {
            return true;
        }
    }
    text(event, "errorMessage").is_some_and(crate::message::states_denial)
}
