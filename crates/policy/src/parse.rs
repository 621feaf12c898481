//! JSON text → [`PolicyDocument`], keeping spans, rejecting duplicate keys, and reporting every
//! structural problem with its location. Nothing is half-loaded: a document with any error is
//! returned as `Err` with all the errors found.

use crate::document::*;
use crate::lines::SourceLines;
use crate::source::decode_policy_text;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_diagnostic::{Position, Span};
use jsonc_parser::ast::{Array, Object, ObjectProp, Value};
use jsonc_parser::{CollectOptions, ParseOptions};
use std::collections::HashSet;
use std::sync::Arc;

/// Why a document could not be loaded: every error found, each located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// The errors (never empty) in document order.
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.diagnostics.first() {
            Some(first) => write!(f, "{first}")?,
            None => write!(f, "invalid policy document")?,
        }
        if self.diagnostics.len() > 1 {
            write!(f, " (and {} more)", self.diagnostics.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseFailure {}

/// Strict JSON: no comments, trailing commas or other JSON5 extensions.
pub fn strict_json_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

impl PolicyDocument {
    /// Parse a policy document given as JSON text, a JSON string containing JSON text, or
    /// URL-encoded JSON text.
    pub fn parse(text: &str) -> Result<PolicyDocument, ParseFailure> {
        let (decoded, encoding) = match decode_policy_text(text) {
            Ok(ok) => ok,
            Err(message) => {
                return Err(ParseFailure {
                    diagnostics: vec![
                        Diagnostic::error("invalid-encoding", message)
                            .at_located_span(Position { line: 1, column: 1 }, Span::default()),
                    ],
                });
            }
        };
        let source: Arc<str> = Arc::from(decoded.as_ref());
        let lines = SourceLines::new(&source);
        let mut builder = Builder {
            text: &source,
            lines: &lines,
            errors: Vec::new(),
        };
        let parsed =
            jsonc_parser::parse_to_ast(&source, &CollectOptions::default(), &strict_json_options());
        let root = match parsed {
            Ok(result) => result.value,
            Err(err) => {
                let range = err.range();
                builder.error(
                    "invalid-json",
                    Span::new(range.start, range.end),
                    format!("the policy is not valid JSON: {}", err.kind()),
                );
                return Err(builder.finish_err());
            }
        };
        let Some(root) = root else {
            builder.error(
                "empty-document",
                Span::default(),
                "the policy document is empty".to_string(),
            );
            return Err(builder.finish_err());
        };
        let doc = builder.document(&root, source.clone(), encoding);
        match doc {
            Some(mut doc) if builder.errors.is_empty() => {
                doc.lines = lines;
                Ok(doc)
            }
            _ => Err(builder.finish_err()),
        }
    }
}

struct Builder<'t> {
    text: &'t str,
    lines: &'t SourceLines,
    errors: Vec<Diagnostic>,
}

const TOP_LEVEL: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

fn span_of(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn value_span(v: &Value) -> Span {
    use jsonc_parser::common::Ranged;
    span_of(v.range())
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::StringLit(_) => "a string",
        Value::NumberLit(_) => "a number",
        Value::BooleanLit(_) => "a boolean",
        Value::Object(_) => "an object",
        Value::Array(_) => "an array",
        Value::NullKeyword(_) => "null",
    }
}

impl<'t> Builder<'t> {
    fn error(&mut self, code: &'static str, span: Span, message: String) {
        let position = self.lines.position(self.text, span.start as usize);
        self.errors
            .push(Diagnostic::error(code, message).at_located_span(position, span));
    }

    fn finish_err(&mut self) -> ParseFailure {
        self.errors.sort_by_key(|d| d.span().map_or(0, |s| s.start));
        ParseFailure {
            diagnostics: std::mem::take(&mut self.errors),
        }
    }

    /// Report keys that appear twice in one object (IAM rejects them; a JSON reader that keeps
    /// the last one would silently change the policy).
    fn check_duplicates(&mut self, obj: &Object, what: &str) {
        let mut seen: HashSet<&str> = HashSet::new();
        for prop in &obj.properties {
            let name = prop.name.as_str();
            if !seen.insert(name) {
                self.error(
                    "duplicate-key",
                    span_of(prop.range),
                    format!(
                        "\"{name}\" appears more than once in {what}; IAM rejects duplicate keys"
                    ),
                );
            }
        }
    }

    fn document(
        &mut self,
        root: &Value,
        source: Arc<str>,
        encoding: crate::source::SourceEncoding,
    ) -> Option<PolicyDocument> {
        let Value::Object(obj) = root else {
            self.error(
                "not-an-object",
                value_span(root),
                format!(
                    "a policy document must be a JSON object, not {}",
                    kind_name(root)
                ),
            );
            return None;
        };
        self.check_duplicates(obj, "the policy document");
        let mut version = PolicyVersion::Absent;
        let mut version_span = None;
        let mut id = None;
        let mut statements = Vec::new();
        let mut statement_span = None;
        for prop in &obj.properties {
            let name = prop.name.as_str();
            match name {
                "Version" => {
                    if let Some(s) = self.string(prop, "Version") {
                        version_span = Some(s.span);
                        version = match s.value.as_str() {
                            "2012-10-17" => PolicyVersion::V2012_10_17,
                            "2008-10-17" => PolicyVersion::V2008_10_17,
                            other => {
                                self.error(
                                    "invalid-version",
                                    s.span,
                                    format!("Version must be \"2012-10-17\" or \"2008-10-17\", not \"{other}\""),
                                );
                                PolicyVersion::Absent
                            }
                        };
                    }
                }
                "Id" => id = self.string(prop, "Id"),
                "Statement" => {
                    statement_span = Some(value_span(&prop.value));
                    statements = self.statements(&prop.value);
                }
                other => self.unknown_element(prop, other, TOP_LEVEL, "the policy document"),
            }
        }
        let Some(statement_span) = statement_span else {
            self.error(
                "missing-statement",
                span_of(obj.range),
                "the policy document has no Statement element".to_string(),
            );
            return None;
        };
        Some(PolicyDocument {
            source,
            encoding,
            lines: SourceLines::default(),
            version,
            version_span,
            id,
            statements,
            statement_span,
            span: span_of(obj.range),
        })
    }

    fn unknown_element(&mut self, prop: &ObjectProp, name: &str, known: &[&str], place: &str) {
        let hint = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(|k| format!(" (element names are case-sensitive: did you mean \"{k}\"?)"))
            .unwrap_or_default();
        self.error(
            "unknown-element",
            span_of(prop.range),
            format!("\"{name}\" is not a valid element in {place}{hint}"),
        );
    }

    fn string(&mut self, prop: &ObjectProp, what: &str) -> Option<Spanned<String>> {
        match &prop.value {
            Value::StringLit(s) => Some(Spanned {
                value: s.value.to_string(),
                span: span_of(s.range),
            }),
            other => {
                self.error(
                    "wrong-type",
                    value_span(other),
                    format!("{what} must be a string, not {}", kind_name(other)),
                );
                None
            }
        }
    }

    fn statements(&mut self, value: &Value) -> Vec<Statement> {
        let items: Vec<&Value> = match value {
            Value::Object(_) => vec![value],
            Value::Array(arr) => arr.elements.iter().collect(),
            other => {
                self.error(
                    "wrong-type",
                    value_span(other),
                    format!(
                        "Statement must be an object or an array of objects, not {}",
                        kind_name(other)
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            if let Some(stmt) = self.statement(index, item) {
                out.push(stmt);
            }
        }
        out
    }

    fn statement(&mut self, index: usize, value: &Value) -> Option<Statement> {
        let Value::Object(obj) = value else {
            self.error(
                "wrong-type",
                value_span(value),
                format!(
                    "statement {} must be an object, not {}",
                    index + 1,
                    kind_name(value)
                ),
            );
            return None;
        };
        let stmt_span = span_of(obj.range);
        self.check_duplicates(obj, "a statement");
        let errors_before = self.errors.len();
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<PrincipalElement> = None;
        let mut action: Option<ActionElement> = None;
        let mut resource: Option<ResourceElement> = None;
        let mut condition = None;
        for prop in &obj.properties {
            let name = prop.name.as_str();
            let key_span = span_of(prop.range);
            match name {
                "Sid" => sid = self.string(prop, "Sid"),
                "Effect" => {
                    if let Some(s) = self.string(prop, "Effect") {
                        match s.value.as_str() {
                            "Allow" => effect = Some(Spanned { value: Effect::Allow, span: s.span }),
                            "Deny" => effect = Some(Spanned { value: Effect::Deny, span: s.span }),
                            other => self.error(
                                "invalid-effect",
                                s.span,
                                format!("Effect must be \"Allow\" or \"Deny\" (case-sensitive), not \"{other}\""),
                            ),
                        }
                    }
                }
                "Principal" | "NotPrincipal" => {
                    let negated = name == "NotPrincipal";
                    if let Some(prev) = &principal {
                        self.exclusive(
                            prev.negated,
                            negated,
                            "Principal",
                            "NotPrincipal",
                            key_span,
                        );
                    } else if let Some(value) = self.principal(&prop.value, name) {
                        principal = Some(PrincipalElement {
                            negated,
                            value,
                            key_span,
                            span: value_span(&prop.value),
                        });
                    }
                }
                "Action" | "NotAction" => {
                    let negated = name == "NotAction";
                    if let Some(prev) = &action {
                        self.exclusive(prev.negated, negated, "Action", "NotAction", key_span);
                    } else if let Some(values) = self.string_list(&prop.value, name) {
                        action = Some(ActionElement {
                            negated,
                            values,
                            key_span,
                            span: value_span(&prop.value),
                        });
                    }
                }
                "Resource" | "NotResource" => {
                    let negated = name == "NotResource";
                    if let Some(prev) = &resource {
                        self.exclusive(prev.negated, negated, "Resource", "NotResource", key_span);
                    } else if let Some(values) = self.string_list(&prop.value, name) {
                        resource = Some(ResourceElement {
                            negated,
                            values,
                            key_span,
                            span: value_span(&prop.value),
                        });
                    }
                }
                "Condition" => condition = self.condition(&prop.value),
                other => self.unknown_element(prop, other, STATEMENT_ELEMENTS, "a statement"),
            }
        }
        let label = match &sid {
            Some(s) => format!("statement \"{}\"", s.value),
            None => format!("statement {}", index + 1),
        };
        if effect.is_none() && self.errors.len() == errors_before {
            self.error(
                "missing-effect",
                stmt_span,
                format!("{label} has no Effect element"),
            );
        }
        if action.is_none() && self.errors.len() == errors_before {
            self.error(
                "missing-action",
                stmt_span,
                format!("{label} has neither Action nor NotAction"),
            );
        }
        if self.errors.len() != errors_before {
            return None;
        }
        Some(Statement {
            index,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            condition,
            span: stmt_span,
        })
    }

    fn exclusive(&mut self, prev_negated: bool, negated: bool, a: &str, not_a: &str, span: Span) {
        if prev_negated != negated {
            self.error(
                "conflicting-elements",
                span,
                format!("a statement cannot contain both {a} and {not_a}"),
            );
        }
        // An exact duplicate was already reported by check_duplicates.
    }

    fn string_list(&mut self, value: &Value, what: &str) -> Option<Vec<Spanned<String>>> {
        match value {
            Value::StringLit(s) => Some(vec![Spanned {
                value: s.value.to_string(),
                span: span_of(s.range),
            }]),
            Value::Array(arr) => self.string_array(arr, what),
            other => {
                self.error(
                    "wrong-type",
                    value_span(other),
                    format!(
                        "{what} must be a string or an array of strings, not {}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn string_array(&mut self, arr: &Array, what: &str) -> Option<Vec<Spanned<String>>> {
        let mut out = Vec::with_capacity(arr.elements.len());
        let mut ok = true;
        for el in &arr.elements {
            match el {
                Value::StringLit(s) => out.push(Spanned {
                    value: s.value.to_string(),
                    span: span_of(s.range),
                }),
                other => {
                    ok = false;
                    self.error(
                        "wrong-type",
                        value_span(other),
                        format!(
                            "every value of {what} must be a string, not {}",
                            kind_name(other)
                        ),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    fn principal(&mut self, value: &Value, what: &str) -> Option<PrincipalValue> {
        match value {
            Value::StringLit(s) if s.value == "*" => Some(PrincipalValue::Everyone),
            Value::StringLit(s) => Some(PrincipalValue::BareString(Spanned {
                value: s.value.to_string(),
                span: span_of(s.range),
            })),
            Value::Object(obj) => {
                self.check_duplicates(obj, what);
                let mut entries = Vec::new();
                let mut ok = true;
                for prop in &obj.properties {
                    let kind = match prop.name.as_str() {
                        "AWS" => PrincipalType::Aws,
                        "Service" => PrincipalType::Service,
                        "Federated" => PrincipalType::Federated,
                        "CanonicalUser" => PrincipalType::CanonicalUser,
                        other => {
                            ok = false;
                            self.error(
                                "invalid-principal",
                                span_of(prop.range),
                                format!("\"{other}\" is not a principal type; use AWS, Service, Federated or CanonicalUser"),
                            );
                            continue;
                        }
                    };
                    match self.string_list(&prop.value, &format!("{what}.{}", kind.as_str())) {
                        Some(values) => entries.push(PrincipalEntry {
                            kind,
                            values,
                            key_span: span_of(prop.range),
                        }),
                        None => ok = false,
                    }
                }
                ok.then_some(PrincipalValue::Map(entries))
            }
            other => {
                self.error(
                    "wrong-type",
                    value_span(other),
                    format!(
                        "{what} must be \"*\" or an object, not {}",
                        kind_name(other)
                    ),
                );
                None
            }
        }
    }

    fn condition(&mut self, value: &Value) -> Option<ConditionElement> {
        let Value::Object(obj) = value else {
            self.error(
                "wrong-type",
                value_span(value),
                format!("Condition must be an object, not {}", kind_name(value)),
            );
            return None;
        };
        self.check_duplicates(obj, "the Condition element");
        let mut blocks = Vec::with_capacity(obj.properties.len());
        for prop in &obj.properties {
            let operator = Spanned {
                value: prop.name.as_str().to_string(),
                span: span_of(prop.range),
            };
            let Value::Object(keys) = &prop.value else {
                self.error(
                    "wrong-type",
                    value_span(&prop.value),
                    format!(
                        "the value of condition operator \"{}\" must be an object of context keys, not {}",
                        operator.value,
                        kind_name(&prop.value)
                    ),
                );
                continue;
            };
            self.check_duplicates(keys, &format!("condition operator \"{}\"", operator.value));
            let mut entries = Vec::with_capacity(keys.properties.len());
            for key_prop in &keys.properties {
                let key = Spanned {
                    value: key_prop.name.as_str().to_string(),
                    span: span_of(key_prop.range),
                };
                if let Some(values) = self.condition_values(&key_prop.value, &key.value) {
                    entries.push(ConditionEntry {
                        key,
                        values,
                        span: value_span(&key_prop.value),
                    });
                }
            }
            blocks.push(ConditionBlock { operator, entries });
        }
        Some(ConditionElement {
            blocks,
            span: span_of(obj.range),
        })
    }

    fn condition_values(&mut self, value: &Value, key: &str) -> Option<Vec<Spanned<String>>> {
        let scalar = |this: &mut Self, v: &Value| -> Option<Spanned<String>> {
            let text = match v {
                Value::StringLit(s) => s.value.to_string(),
                Value::NumberLit(n) => n.value.to_string(),
                Value::BooleanLit(b) => b.value.to_string(),
                other => {
                    this.error(
                        "wrong-type",
                        value_span(other),
                        format!(
                            "condition values for \"{key}\" must be strings, numbers or booleans, not {}",
                            kind_name(other)
                        ),
                    );
                    return None;
                }
            };
            Some(Spanned {
                value: text,
                span: value_span(v),
            })
        };
        match value {
            Value::Array(arr) => {
                let mut out = Vec::with_capacity(arr.elements.len());
                let mut ok = true;
                for el in &arr.elements {
                    match scalar(self, el) {
                        Some(s) => out.push(s),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => scalar(self, other).map(|s| vec![s]),
        }
    }
}

#[cfg(test)]
mod depth_tests {
    use super::*;

    /// The JSON reader stops at 512 levels (a policy needs 6) instead of recursing until the
    /// stack overflows.
    #[test]
    fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
        let n = 1_000_000;
        let text = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"*","Condition":{{"StringEquals":{{"k":{}1{}}}}}}}]}}"#,
            "[".repeat(n),
            "]".repeat(n)
        );
        let e = PolicyDocument::parse(&text).unwrap_err();
        assert_eq!(e.diagnostics[0].code, "invalid-json");
        assert!(e.to_string().contains("nesting depth"), "{e}");
    }
}
