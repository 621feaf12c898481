//! The error code (`AccessDenied`, `UnauthorizedOperation` ...) and the API operation, from
//! whichever source the text carries: the AWS CLI prefix, the Go SDK's, the Java SDK's
//! `Error Code:`, an XML `<Code>`, a JSON `errorCode`, or a code standing alone.

use super::KNOWN_CODES;
use super::lex::{find_bounded, is_code};
use crate::observed::ParsedMessage;

/// The error code and operation, from the best source present; a known code standing alone is
/// looked for in `code_scope` only.
pub(super) fn error_code_and_operation(
    s: &str,
    start: usize,
    code_scope: &str,
    m: &mut ParsedMessage,
) {
    // AWS CLI / boto: `An error occurred (<code>) when calling the <Operation> operation: `.
    if let Some(i) = s.find("An error occurred (") {
        let rest = s.get(i + "An error occurred (".len()..).unwrap_or("");
        if let Some((code, after)) = rest.split_once(')') {
            if is_code(code) {
                m.error_code = Some(code.to_string());
            }
            if let Some(op) = after.strip_prefix(" when calling the ")
                && let Some((op, _)) = op.split_once(" operation")
                && is_code(op)
            {
                m.operation = Some(op.to_string());
            }
        }
    }
    // Go SDK v2: `operation error STS: AssumeRole, https response error ...`.
    if m.operation.is_none()
        && let Some(i) = s.find("operation error ")
        && let Some((_, after)) = s.get(i..).unwrap_or("").split_once(": ")
        && let Some((op, _)) = after.split_once(',')
        && is_code(op)
    {
        m.operation = Some(op.to_string());
    }
    if m.error_code.is_some() {
        return;
    }
    m.error_code = code_field(s, "Error Code: ")
        .or_else(|| json_code(s))
        .or_else(|| code_field(s, "<Code>"))
        .or_else(|| leading_code(s.get(..start).unwrap_or("")))
        .or_else(|| {
            KNOWN_CODES
                .iter()
                .filter_map(|c| find_bounded(code_scope, c).map(|p| (p, *c)))
                .min_by_key(|(p, _)| *p)
                .map(|(_, c)| c)
        })
        .map(str::to_string);
}

/// A code right after `key` (Java SDK's `Error Code: X;`, XML's `<Code>X</Code>`).
pub(super) fn code_field<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let rest = s.get(s.find(key)? + key.len()..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(rest.len());
    let code = rest.get(..end)?;
    is_code(code).then_some(code)
}

/// `"errorCode": "X"` in pasted JSON.
pub(super) fn json_code(s: &str) -> Option<&str> {
    let rest = s.get(s.find("\"errorCode\"")? + "\"errorCode\"".len()..)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let (code, _) = rest.strip_prefix('"')?.split_once('"')?;
    is_code(code).then_some(code)
}

/// A code the message is prefixed with: `AccessDeniedException: User: ...`.
pub(super) fn leading_code(before: &str) -> Option<&str> {
    let t = before.trim_end().strip_suffix(':')?.trim_end();
    let tok = t
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .next()?;
    let looks = ["Denied", "Unauthorized", "Authorization", "Forbidden"]
        .iter()
        .any(|w| tok.contains(w))
        || (tok.ends_with("Exception") && tok != "Exception");
    (looks && is_code(tok) && tok.starts_with(|c: char| c.is_ascii_uppercase())).then_some(tok)
}
