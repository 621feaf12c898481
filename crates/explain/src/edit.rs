//! Editing policy documents for fix suggestions: an order-preserving JSON model (so that a
//! diff shows only the change), the edits fixes need, and a unified diff.

use similar::TextDiff;

/// A JSON value that keeps object keys in their original order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true`/`false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys in order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parse strict JSON text.
    pub fn parse(text: &str) -> Option<Json> {
        let options = iamwhy_policy::parse::strict_json_options();
        let ast = jsonc_parser::parse_to_ast(text, &Default::default(), &options).ok()?;
        ast.value.as_ref().map(from_ast)
    }

    /// A string value.
    pub fn str(s: &str) -> Json {
        Json::String(s.to_string())
    }

    /// The value of `key` in an object.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        match self {
            Json::Object(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Pretty JSON text with two-space indentation.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        write(self, 0, &mut out);
        out.push('\n');
        out
    }
}

fn from_ast(v: &jsonc_parser::ast::Value) -> Json {
    use jsonc_parser::ast::Value as V;
    match v {
        V::NullKeyword(_) => Json::Null,
        V::BooleanLit(b) => Json::Bool(b.value),
        V::NumberLit(n) => Json::Number(n.value.to_string()),
        V::StringLit(s) => Json::String(s.value.to_string()),
        V::Array(a) => Json::Array(a.elements.iter().map(from_ast).collect()),
        V::Object(o) => Json::Object(
            o.properties
                .iter()
                .map(|p| (p.name.as_str().to_string(), from_ast(&p.value)))
                .collect(),
        ),
    }
}

fn write(v: &Json, indent: usize, out: &mut String) {
    let pad = |n: usize| "  ".repeat(n);
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => out.push_str(&serde_json::to_string(s).expect("strings serialize")),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write(item, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Json::Object(entries) if entries.is_empty() => out.push_str("{}"),
        Json::Object(entries) => {
            out.push_str("{\n");
            for (i, (k, val)) in entries.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(&serde_json::to_string(k).expect("strings serialize"));
                out.push_str(": ");
                write(val, indent + 1, out);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
    }
}

/// The statements of a policy document as a mutable list (a single statement object becomes
/// a one-element array).
fn statements(doc: &mut Json) -> Option<&mut Vec<Json>> {
    let st = doc.get_mut("Statement")?;
    if let Json::Object(_) = st {
        let one = std::mem::replace(st, Json::Null);
        *st = Json::Array(vec![one]);
    }
    match st {
        Json::Array(items) => Some(items),
        _ => None,
    }
}

/// Exempt `principal_arn` from statement `index`: add it to an existing
/// `ArnNotLike`/`ArnNotEquals` on `aws:PrincipalArn`, or add
/// `"ArnNotLike": {"aws:PrincipalArn": ARN}` to the statement's conditions.
pub fn exempt_principal(doc: &mut Json, index: usize, principal_arn: &str) -> bool {
    let Some(stmt) = statements(doc).and_then(|s| s.get_mut(index)) else {
        return false;
    };
    let Json::Object(entries) = stmt else {
        return false;
    };
    if !entries.iter().any(|(k, _)| k == "Condition") {
        entries.push(("Condition".into(), Json::Object(Vec::new())));
    }
    let Some(Json::Object(ops)) = stmt.get_mut("Condition") else {
        return false;
    };
    for (op, keys) in ops.iter_mut() {
        if !(op.eq_ignore_ascii_case("ArnNotLike") || op.eq_ignore_ascii_case("ArnNotEquals")) {
            continue;
        }
        let Json::Object(keys) = keys else { continue };
        if let Some((_, values)) = keys
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("aws:PrincipalArn"))
        {
            match values {
                Json::Array(list) => list.push(Json::str(principal_arn)),
                other => {
                    let old = std::mem::replace(other, Json::Null);
                    *other = Json::Array(vec![old, Json::str(principal_arn)]);
                }
            }
            return true;
        }
    }
    ops.push((
        "ArnNotLike".into(),
        Json::Object(vec![("aws:PrincipalArn".into(), Json::str(principal_arn))]),
    ));
    true
}

/// Add `principal_arn` to the `Principal` of statement `index` (its `AWS` entry, made a list
/// when it held one value), leaving everything else of the statement — its conditions — as
/// it is. False when the statement has no `Principal` object to extend (`"*"` already trusts
/// everyone).
pub fn add_principal(doc: &mut Json, index: usize, principal_arn: &str) -> bool {
    let Some(stmt) = statements(doc).and_then(|s| s.get_mut(index)) else {
        return false;
    };
    let Some(Json::Object(entries)) = stmt.get_mut("Principal") else {
        return false;
    };
    let new = Json::str(principal_arn);
    match entries.iter_mut().find(|(k, _)| k == "AWS") {
        Some((_, Json::Array(list))) => list.push(new),
        Some((_, other)) => {
            let old = std::mem::replace(other, Json::Null);
            *other = Json::Array(vec![old, new]);
        }
        None => entries.push(("AWS".into(), new)),
    }
    true
}

/// Append a statement.
pub fn add_statement(doc: &mut Json, statement: Json) -> bool {
    match statements(doc) {
        Some(list) => {
            list.push(statement);
            true
        }
        None => false,
    }
}

/// A new statement `{"Sid", "Effect": "Allow", ["Principal"], "Action", "Resource"}`.
pub fn allow_statement(
    sid: &str,
    principal: Option<Json>,
    action: &str,
    resource: Option<&str>,
) -> Json {
    let mut entries = vec![
        ("Sid".to_string(), Json::str(sid)),
        ("Effect".to_string(), Json::str("Allow")),
    ];
    if let Some(p) = principal {
        entries.push(("Principal".into(), p));
    }
    entries.push(("Action".into(), Json::str(action)));
    if let Some(r) = resource {
        entries.push(("Resource".into(), Json::str(r)));
    }
    Json::Object(entries)
}

/// A unified diff of two texts, labelled with the policy's name.
pub fn unified_diff(before: &str, after: &str, name: &str) -> String {
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (current)"), &format!("{name} (suggested)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_order_and_edits_show_as_a_small_diff() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Sid":"D","Effect":"Deny","Action":"s3:*","Resource":"*"}}"#;
        let mut doc = Json::parse(text).unwrap();
        let before = doc.pretty();
        assert!(before.find("Version").unwrap() < before.find("Statement").unwrap());
        assert!(exempt_principal(&mut doc, 0, "arn:aws:iam::1:role/R"));
        let after = doc.pretty();
        assert!(after.contains(
            "\"ArnNotLike\": {\n          \"aws:PrincipalArn\": \"arn:aws:iam::1:role/R\""
        ));
        let diff = unified_diff(&before, &after, "p");
        assert!(diff.contains("+      \"Condition\""), "{diff}");
    }

    #[test]
    fn a_principal_is_added_to_a_statement_and_its_condition_stays() {
        let text = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:role/A"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}]}"#;
        let mut doc = Json::parse(text).unwrap();
        assert!(add_principal(&mut doc, 0, "arn:aws:iam::2:role/B"));
        let out = doc.pretty();
        assert!(out.contains("\"arn:aws:iam::1:role/A\",\n"), "{out}");
        assert!(out.contains("\"arn:aws:iam::2:role/B\""), "{out}");
        assert!(out.contains("\"sts:ExternalId\": \"x\""), "{out}");
        let mut star =
            Json::parse(r#"{"Statement":[{"Effect":"Allow","Principal":"*"}]}"#).unwrap();
        assert!(!add_principal(&mut star, 0, "arn:aws:iam::2:role/B"));
    }

    #[test]
    fn an_existing_principal_exemption_is_extended() {
        let text = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/Ops"}}}]}"#;
        let mut doc = Json::parse(text).unwrap();
        assert!(exempt_principal(&mut doc, 0, "arn:aws:iam::1:role/R"));
        let out = doc.pretty();
        assert!(out.contains("\"arn:aws:iam::*:role/Ops\",\n"), "{out}");
        assert!(out.contains("\"arn:aws:iam::1:role/R\""), "{out}");
        assert_eq!(out.matches("ArnNotLike").count(), 1);
    }
}
