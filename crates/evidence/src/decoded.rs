//! The output of `aws sts decode-authorization-message` into an [`Observed`]
//! request.
//!
//! Accepts the CLI's `{"DecodedMessage": "<JSON text>"}` or the decoded JSON itself, and reads
//! it tolerantly: every list may be `{"items": [...]}`, a plain array, a list of
//! `{"item": {...}}` wrappers (the shape of the API reference example) or absent, and
//! booleans may be strings.
//!
//! ```
//! let o = iamwhy_evidence::decoded::parse_decoded(r#"{
//!   "allowed": false, "explicitDeny": true,
//!   "matchedStatements": {"items": [{"statementId": "DenyBig", "effect": "DENY"}]},
//!   "context": {
//!     "principal": {"id": "AROAEXAMPLE:alice", "arn": "arn:aws:sts::123456789012:assumed-role/Dev/alice"},
//!     "action": "ec2:RunInstances",
//!     "resource": "arn:aws:ec2:us-east-1:123456789012:instance/*",
//!     "conditions": {"items": [
//!       {"key": "ec2:InstanceType", "values": {"items": [{"value": "m5.24xlarge"}]}},
//!       {"key": "aws:Region", "values": {"items": [{"value": "us-east-1"}]}}]}}}"#).unwrap();
//! assert_eq!(o.actions, ["ec2:RunInstances"]);
//! assert_eq!(o.reported_statements, ["DenyBig (DENY)"]);
//! assert!(o.context.contains(&("aws:RequestedRegion".into(), "us-east-1".into())));
//! ```

use crate::json::{arn_account, kind_of};
use serde_json::Value;

use crate::error::{json_error, read_error};
use crate::observed::{Observed, Origin};
use iamwhy_diagnostic::Diagnostic;

/// The elements of a list in any of the shapes AWS uses: a plain array, `{"items": [...]}`,
/// each element possibly wrapped as `{"item": {...}}`. Anything else (absent, `""`, null) is
/// empty.
fn items(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(list)) => list.iter().map(unwrap_item).collect(),
        Some(Value::Object(map)) => {
            if let Some(inner) = map.get("items") {
                items(Some(inner))
            } else if let Some(inner) = map.get("item") {
                match inner {
                    Value::Array(_) => items(Some(inner)),
                    other => vec![other],
                }
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// `{"item": X}` (the API reference example's wrapper) as `X`.
fn unwrap_item(e: &Value) -> &Value {
    match e.get("item") {
        Some(inner) if e.as_object().is_some_and(|m| m.len() == 1) => inner,
        _ => e,
    }
}

/// A value as text: strings, numbers and booleans, or `{"value": ...}`.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(m) => m.get("value").or_else(|| m.get("Value")).and_then(scalar),
        _ => None,
    }
}

fn field<'a>(v: &'a Value, names: &[&str]) -> Option<&'a Value> {
    names.iter().find_map(|n| v.get(*n))
}

fn text_field(v: &Value, names: &[&str]) -> Option<String> {
    field(v, names)
        .and_then(scalar)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Values of a condition entry: `values` in any list shape, or a single `value`.
fn values(entry: &Value) -> Vec<String> {
    let list = field(entry, &["values", "Values"]);
    let mut out: Vec<String> = match list {
        Some(Value::Array(_)) | Some(Value::Object(_)) => {
            let found = items(list);
            if found.is_empty() && list.is_some_and(|l| l.is_object() && l.get("value").is_some()) {
                list.and_then(scalar).into_iter().collect()
            } else {
                found.into_iter().filter_map(scalar).collect()
            }
        }
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    };
    if out.is_empty()
        && let Some(v) = field(entry, &["value", "Value"]).and_then(scalar)
    {
        out.push(v);
    }
    out
}

/// Parse the output of `aws sts decode-authorization-message` (or the decoded message
/// itself) into the request it describes.
pub fn parse_decoded(text: &str) -> Result<Observed, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(read_error(
            "empty-input",
            "the input is empty: expected the output of aws sts decode-authorization-message",
            None,
        ));
    }
    let outer: Value = serde_json::from_str(text).map_err(|e| json_error(&e, None))?;
    let decoded = match outer.get("DecodedMessage") {
        Some(Value::String(inner)) => serde_json::from_str::<Value>(inner).map_err(|e| {
            read_error("invalid-json",
                format!(
                    "DecodedMessage does not hold valid JSON ({} at line {}, column {} of that string)",
                    e.to_string()
                        .split(" at line ")
                        .next()
                        .unwrap_or("syntax error"),
                    e.line(),
                    e.column()
                ),
                None,
            )
        })?,
        Some(Value::Object(_)) => outer["DecodedMessage"].clone(),
        Some(other) => {
            return Err(read_error("not-a-decoded-message", 
                format!(
                    "DecodedMessage is a {}, not the decoded message's JSON text",
                    kind_of(other)
                ),
                None,
            ));
        }
        None => outer,
    };
    observe_decoded(&decoded)
}

/// The request a decoded authorization message (already parsed) describes.
pub fn observe_decoded(decoded: &Value) -> Result<Observed, Diagnostic> {
    if !decoded.is_object() {
        return Err(read_error(
            "not-a-decoded-message",
            format!(
                "the decoded message is a {}, not an object",
                kind_of(decoded)
            ),
            None,
        ));
    }
    let context = decoded.get("context").filter(|c| c.is_object());
    if context.is_none()
        && decoded.get("allowed").is_none()
        && decoded.get("matchedStatements").is_none()
    {
        return Err(read_error(
            "not-a-decoded-message",
            "the JSON is not a decoded authorization message: it has no context, allowed or matchedStatements",
            None,
        ));
    }
    let mut o = Observed::new(Origin::DecodedMessage);

    o.allowed = boolean(decoded.get("allowed"));
    match (boolean(decoded.get("explicitDeny")), o.allowed) {
        (Some(true), _) => o.notes.push(
            "explicitDeny: AWS reports an explicit deny; the matched statements are the denying ones".into(),
        ),
        (Some(false), Some(false)) => o.notes.push(
            "explicitDeny is false: the request was implicitly denied (no statement allowed it)".into(),
        ),
        _ => {}
    }

    for st in items(decoded.get("matchedStatements")) {
        let sid = text_field(st, &["statementId", "sid", "Sid"]);
        let effect = text_field(st, &["effect", "Effect"]).map(|e| e.to_ascii_uppercase());
        let label = format!(
            "{} ({})",
            sid.as_deref().unwrap_or("statement without an id"),
            effect.as_deref().unwrap_or("effect not given")
        );
        let list = |name: &str| -> Vec<String> {
            items(st.get(name)).into_iter().filter_map(scalar).collect()
        };
        let mut detail = Vec::new();
        for (name, what) in [
            ("actions", "actions"),
            ("resources", "resources"),
            ("principals", "principals"),
        ] {
            let vals = list(name);
            if !vals.is_empty() {
                detail.push(format!("{what} {}", vals.join(", ")));
            }
        }
        let conditions = items(st.get("conditions")).len();
        if conditions > 0 {
            detail.push(format!("{conditions} condition(s)"));
        }
        o.notes.push(if detail.is_empty() {
            format!("matched statement {label}")
        } else {
            format!("matched statement {label}: {}", detail.join("; "))
        });
        o.reported_statements.push(label);
    }
    for f in items(decoded.get("failures")) {
        o.notes.push(format!(
            "failure reported: {}",
            scalar(f).unwrap_or_else(|| f.to_string())
        ));
    }

    let Some(ctx) = context else {
        o.notes
            .push("the message has no context: principal, action and resource are unknown".into());
        return Ok(o);
    };

    // Principal.
    let principal = ctx.get("principal");
    let principal_id = principal.and_then(|p| text_field(p, &["id", "Id"]));
    let principal_name = principal.and_then(|p| text_field(p, &["name", "Name"]));
    match principal.and_then(|p| text_field(p, &["arn", "Arn", "ARN"])) {
        Some(arn) => {
            if arn.contains(":assumed-role/") {
                o.notes.push(format!(
                    "principal {arn} from context.principal.arn (a role session: the role's path is not in the message)"
                ));
            } else {
                o.notes
                    .push(format!("principal {arn} from context.principal.arn"));
            }
            o.principal = Some(arn);
        }
        None => o.notes.push(format!(
            "context.principal has no arn: the principal is unknown{}",
            principal_id
                .as_deref()
                .map(|id| format!(" (its ID is {id})"))
                .unwrap_or_default()
        )),
    }

    if let Some(action) = text_field(ctx, &["action", "Action"]) {
        o.actions.push(action);
    } else {
        o.notes
            .push("context.action is missing: the action is unknown".into());
    }
    o.resource = text_field(ctx, &["resource", "Resource"]);

    // Conditions: the request context AWS evaluated.
    let mut internal_account = None;
    let mut internal_arn = None;
    for entry in items(field(ctx, &["conditions", "Conditions"])) {
        let Some(key) = text_field(entry, &["key", "Key"]) else {
            continue;
        };
        let vals = values(entry);
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "aws:region" => {
                if let Some(first) = vals.first() {
                    o.region = Some(first.clone());
                }
                for v in &vals {
                    push(&mut o, "aws:RequestedRegion", v);
                }
                o.notes
                    .push("aws:RequestedRegion from the internal key aws:Region".into());
            }
            "aws:service" | "aws:resource" | "aws:type" | "aws:account" | "aws:arn" => {
                o.notes.push(format!(
                    "{key} = {} is internal, not a policy condition key",
                    vals.join(", ")
                ));
                if lower == "aws:account" {
                    internal_account = vals.first().cloned();
                }
                if lower == "aws:arn" {
                    internal_arn = vals.first().cloned();
                }
            }
            _ => {
                for v in &vals {
                    push(&mut o, &key, v);
                }
            }
        }
    }
    if o.resource.is_none()
        && let Some(arn) = internal_arn
    {
        o.notes
            .push(format!("resource {arn} from the internal key aws:ARN"));
        o.resource = Some(arn);
    }
    if let Some(acct) = internal_account {
        o.notes.push(format!(
            "resource account {acct} from the internal key aws:Account"
        ));
        o.resource_account = Some(acct);
    } else if let Some(acct) = o.resource.as_deref().and_then(arn_account) {
        o.notes
            .push(format!("resource account {acct} from the resource ARN"));
        o.resource_account = Some(acct.to_string());
    }

    // The principal's own keys, when the conditions did not carry them.
    if let Some(id) = principal_id
        && !has(&o, "aws:userid")
    {
        push(&mut o, "aws:userid", &id);
        o.notes.push("aws:userid from context.principal.id".into());
    }
    if let Some(name) = principal_name
        && !has(&o, "aws:username")
        && o.principal.as_deref().is_none_or(|p| p.contains(":user/"))
    {
        push(&mut o, "aws:username", &name);
        o.notes
            .push("aws:username from context.principal.name (IAM user)".into());
    }
    Ok(o)
}

fn has(o: &Observed, key: &str) -> bool {
    o.context.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
}

fn push(o: &mut Observed, key: &str, value: &str) {
    if !o.context.iter().any(|(k, v)| k == key && v == value) {
        o.context.push((key.to_string(), value.to_string()));
    }
}
