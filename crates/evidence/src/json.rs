//! Small helpers for reading fields of JSON records.

use iamwhy_policy::values::Instant;
use serde_json::Value;
use std::net::IpAddr;

/// A non-empty, trimmed string field.
pub(crate) fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A field rendered as text: strings as they are, numbers and booleans printed.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// The account field of an ARN, when it is an account id.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    iamwhy_policy::Arn::parse(arn)?.account_id()
}

/// The partition field of an ARN, when it has one.
pub(crate) fn arn_partition(arn: &str) -> Option<&str> {
    Some(iamwhy_policy::Arn::parse(arn)?.partition).filter(|p| !p.is_empty())
}

/// Normalise a token issue time: ISO 8601 extended form as is, the basic form
/// (`20131102T010628Z`) rewritten to the extended one. `None` when it is neither.
pub(crate) fn iso_time(s: &str) -> Option<String> {
    if Instant::parse(s).is_some() && s.contains('T') {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() >= 15 && digits(0..8) && matches!(b[8], b'T' | b't') && digits(9..15) {
        let zone = &s[15..];
        let zone = match zone {
            "" | "Z" | "z" => "Z".to_string(),
            z if z.len() == 5 && z.is_ascii() && (z.starts_with('+') || z.starts_with('-')) => {
                format!("{}:{}", &z[..3], &z[3..])
            }
            _ => return None,
        };
        let out = format!(
            "{}-{}-{}T{}:{}:{}{}",
            &s[0..4],
            &s[4..6],
            &s[6..8],
            &s[9..11],
            &s[11..13],
            &s[13..15],
            zone
        );
        return Instant::parse(&out).map(|_| out);
    }
    None
}

/// The JSON kind of a value, as error messages name it.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}
