//! JSON text → [`PolicyDocument`], keeping spans, rejecting duplicate keys, and reporting every
//! structural problem with its location. Nothing is half-loaded: a document with any error is
//! returned as `Err` with all the errors found.
//!
//! The text is read once, by the crate's pull JSON reader (module `json`), straight into the typed
//! document: there is no intermediate JSON tree, and a string is copied only when the document
//! keeps it.

use crate::document::*;
use crate::json::{Key, Kind, Read, Reader};
use crate::lines::SourceLines;
use crate::source::decode_policy_text;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_diagnostic::{Position, Span};
use std::borrow::Cow;
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

/// Strict JSON for crates that read a whole JSON tree with spans through jsonc-parser (lint's
/// world files, explain's edits): no comments, trailing commas or other JSON5 extensions — what
/// [`PolicyDocument::parse`]'s own reader accepts.
pub fn strict_json_options() -> jsonc_parser::ParseOptions {
    jsonc_parser::ParseOptions {
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
        let mut doc = PolicyDocument::read(source, &lines, encoding)?;
        doc.lines = lines;
        Ok(doc)
    }

    /// Read decoded JSON text whose line index is `lines` (the returned document's own index
    /// is left empty for the caller to set). [`PolicyDocument::statements`] reads a released
    /// tree back with this, reusing the document's source and index.
    pub(crate) fn read(
        source: Arc<str>,
        lines: &SourceLines,
        encoding: crate::source::SourceEncoding,
    ) -> Result<PolicyDocument, ParseFailure> {
        let mut builder = Builder {
            text: &source,
            lines,
            errors: Vec::new(),
            // Room for a statement's members with its condition's operator and keys.
            keys: Vec::with_capacity(16),
            scratch: Scratch::default(),
        };
        let mut reader = Reader::new(&source);
        if reader.is_empty() {
            builder.error(
                "empty-document",
                Span::default(),
                "the policy document is empty".to_string(),
            );
            return Err(builder.finish_err());
        }
        let read = builder
            .document(&mut reader, source.clone(), encoding)
            .and_then(|doc| reader.finish().map(|()| doc));
        match read {
            Err(syntax) => {
                // A text that is not JSON gets that one error: what the builder found before
                // the syntax error is about a document that does not exist.
                builder.errors.clear();
                builder.error(
                    "invalid-json",
                    syntax.span,
                    format!("the policy is not valid JSON: {}", syntax.message),
                );
                Err(builder.finish_err())
            }
            Ok(Some(doc)) if builder.errors.is_empty() => Ok(doc),
            Ok(_) => Err(builder.finish_err()),
        }
    }
}

struct Builder<'t> {
    text: &'t str,
    lines: &'t SourceLines,
    errors: Vec<Diagnostic>,
    /// The keys of the objects being read, innermost last (see [`Members`]).
    keys: Vec<Cow<'t, str>>,
    scratch: Scratch,
}

/// Lists being read: an array's items are pushed here and moved into a vector of exactly their
/// number when the array ends (a list grown by pushing would keep up to twice its size for the
/// life of the world). Each list starts at a mark, so nested lists share one stack.
#[derive(Default)]
struct Scratch {
    statements: Vec<Statement>,
    strings: Vec<Spanned<String>>,
    principals: Vec<PrincipalEntry>,
    blocks: Vec<ConditionBlock>,
    entries: Vec<ConditionEntry>,
}

/// The items pushed on `stack` since `mark`, in a vector of exactly their number.
fn take<T>(stack: &mut Vec<T>, mark: usize) -> Vec<T> {
    stack.drain(mark..).collect()
}

/// The member bookkeeping of one object being read: where its keys start in
/// [`Builder::keys`], and past [`LINEAR_KEYS`] keys a set of them.
struct Members<'t> {
    mark: usize,
    set: Option<HashSet<Cow<'t, str>>>,
}

/// Up to this many keys an object's duplicates are found by a scan; beyond, by a set.
const LINEAR_KEYS: usize = 16;

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

/// The span of the value whose text starts at `start` and which the reader just finished.
fn value_span(r: &Reader, start: usize) -> Span {
    Span::new(start, r.last_end())
}

/// The span of a `"key": value` member whose value the reader just finished.
fn member_span(r: &Reader, key: &Key) -> Span {
    Span::new(key.start, r.last_end())
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

    /// Read the members of the object the reader has just opened, `read` taking each
    /// member's value. A key given twice is reported (as a key of `what`). Returns how many
    /// members repeated an earlier key.
    fn members(
        &mut self,
        r: &mut Reader<'t>,
        what: &dyn Fn() -> String,
        read: &mut dyn FnMut(&mut Self, &mut Reader<'t>, &Key<'t>) -> Read<()>,
    ) -> Read<usize> {
        let mut m = Members {
            mark: self.keys.len(),
            set: None,
        };
        let mut duplicates = 0;
        while let Some(key) = r.next_key()? {
            let dup = self.seen(&mut m, &key.name);
            let errors_before = self.errors.len();
            read(self, r, &key)?;
            if dup {
                self.duplicate(errors_before, &key.name, member_span(r, &key), &what());
                duplicates += 1;
            }
        }
        self.keys.truncate(m.mark);
        Ok(duplicates)
    }

    /// Record `name` as a key of the object `m`; true when it was already there.
    // The key is cloned as a `Cow`, so that a key borrowed from the text stays borrowed.
    #[allow(clippy::ptr_arg)]
    fn seen(&mut self, m: &mut Members<'t>, name: &Cow<'t, str>) -> bool {
        if let Some(set) = &mut m.set {
            return !set.insert(name.clone());
        }
        let earlier = &self.keys[m.mark..];
        let duplicate = earlier.iter().any(|k| k == name);
        if earlier.len() == LINEAR_KEYS {
            let mut set: HashSet<Cow<'t, str>> = self.keys.drain(m.mark..).collect();
            set.insert(name.clone());
            m.set = Some(set);
        } else {
            self.keys.push(name.clone());
        }
        duplicate
    }

    /// After a member whose key was a duplicate: report it (IAM rejects duplicate keys; a JSON
    /// reader that keeps the last one would silently change the policy), ahead of what reading
    /// its value reported (`errors_before`).
    fn duplicate(&mut self, errors_before: usize, name: &str, span: Span, what: &str) {
        self.error(
            "duplicate-key",
            span,
            format!("\"{name}\" appears more than once in {what}; IAM rejects duplicate keys"),
        );
        let dup = self.errors.pop().expect("just pushed");
        self.errors.insert(errors_before, dup);
    }

    /// Skip a value that is not of the expected type and report it: "`{what}` must be
    /// `{expected}`, not `{found}`".
    fn wrong_type(
        &mut self,
        r: &mut Reader<'t>,
        found: Kind,
        what: &str,
        expected: &str,
    ) -> Read<()> {
        let span = r.skip_value()?;
        self.error(
            "wrong-type",
            span,
            format!("{what} must be {expected}, not {}", found.name()),
        );
        Ok(())
    }

    fn document(
        &mut self,
        r: &mut Reader<'t>,
        source: Arc<str>,
        encoding: crate::source::SourceEncoding,
    ) -> Read<Option<PolicyDocument>> {
        let kind = r.peek()?;
        if kind != Kind::Object {
            let span = r.skip_value()?;
            self.error(
                "not-an-object",
                span,
                format!(
                    "a policy document must be a JSON object, not {}",
                    kind.name()
                ),
            );
            return Ok(None);
        }
        let start = r.begin_object()?;
        let mut version = PolicyVersion::Absent;
        let mut version_span = None;
        let mut id = None;
        let mut statements = Vec::new();
        let mut statement_span = None;
        self.members(r, &|| "the policy document".into(), &mut |this, r, key| {
            match &*key.name {
                "Version" => {
                    if let Some((text, span)) = this.str_value(r, "Version")? {
                        version_span = Some(span);
                        version = match &*text {
                            "2012-10-17" => PolicyVersion::V2012_10_17,
                            "2008-10-17" => PolicyVersion::V2008_10_17,
                            other => {
                                this.error(
                                    "invalid-version",
                                    span,
                                    format!("Version must be \"2012-10-17\" or \"2008-10-17\", not \"{other}\""),
                                );
                                PolicyVersion::Absent
                            }
                        };
                    }
                }
                "Id" => id = this.string(r, "Id")?,
                "Statement" => {
                    let value_start = r.value_start();
                    statements = this.statements(r)?;
                    statement_span = Some(value_span(r, value_start));
                }
                other => {
                    r.skip_value()?;
                    this.unknown_element(
                        member_span(r, key),
                        other,
                        TOP_LEVEL,
                        "the policy document",
                    );
                }
            }
            Ok(())
        })?;
        let span = value_span(r, start);
        let Some(statement_span) = statement_span else {
            self.error(
                "missing-statement",
                span,
                "the policy document has no Statement element".to_string(),
            );
            return Ok(None);
        };
        Ok(Some(PolicyDocument {
            source,
            encoding,
            lines: SourceLines::default(),
            version,
            version_span,
            id,
            statements: statements.into(),
            statement_span,
            span,
        }))
    }

    fn unknown_element(&mut self, span: Span, name: &str, known: &[&str], place: &str) {
        let hint = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(name))
            .map(|k| format!(" (element names are case-sensitive: did you mean \"{k}\"?)"))
            .unwrap_or_default();
        self.error(
            "unknown-element",
            span,
            format!("\"{name}\" is not a valid element in {place}{hint}"),
        );
    }

    /// A string value as read (borrowed from the text when it has no escape).
    fn str_value(&mut self, r: &mut Reader<'t>, what: &str) -> Read<Option<(Cow<'t, str>, Span)>> {
        match r.peek()? {
            Kind::String => r.string().map(Some),
            other => {
                self.wrong_type(r, other, what, "a string")?;
                Ok(None)
            }
        }
    }

    fn string(&mut self, r: &mut Reader<'t>, what: &str) -> Read<Option<Spanned<String>>> {
        Ok(self.str_value(r, what)?.map(|(value, span)| Spanned {
            value: value.into_owned(),
            span,
        }))
    }

    fn statements(&mut self, r: &mut Reader<'t>) -> Read<Vec<Statement>> {
        let mark = self.scratch.statements.len();
        match r.peek()? {
            Kind::Object => {
                if let Some(stmt) = self.statement(r, 0)? {
                    self.scratch.statements.push(stmt);
                }
            }
            Kind::Array => {
                r.begin_array()?;
                let mut index = 0;
                while r.next_element()? {
                    if let Some(stmt) = self.statement(r, index)? {
                        self.scratch.statements.push(stmt);
                    }
                    index += 1;
                }
            }
            other => {
                self.wrong_type(r, other, "Statement", "an object or an array of objects")?;
            }
        }
        Ok(take(&mut self.scratch.statements, mark))
    }

    fn statement(&mut self, r: &mut Reader<'t>, index: usize) -> Read<Option<Statement>> {
        let kind = r.peek()?;
        if kind != Kind::Object {
            self.wrong_type(r, kind, &format!("statement {}", index + 1), "an object")?;
            return Ok(None);
        }
        let start = r.begin_object()?;
        let errors_before = self.errors.len();
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<PrincipalElement> = None;
        let mut action: Option<ActionElement> = None;
        let mut resource: Option<ResourceElement> = None;
        let mut condition = None;
        let duplicates = self.members(r, &|| "a statement".into(), &mut |this, r, key| {
            let name: &str = &key.name;
            match name {
                "Sid" => sid = this.string(r, "Sid")?,
                "Effect" => {
                    if let Some((text, span)) = this.str_value(r, "Effect")? {
                        match &*text {
                            "Allow" => effect = Some(Spanned { value: Effect::Allow, span }),
                            "Deny" => effect = Some(Spanned { value: Effect::Deny, span }),
                            other => this.error(
                                "invalid-effect",
                                span,
                                format!("Effect must be \"Allow\" or \"Deny\" (case-sensitive), not \"{other}\""),
                            ),
                        }
                    }
                }
                "Principal" | "NotPrincipal" => {
                    let negated = name == "NotPrincipal";
                    let prev = principal.as_ref().map(|p| p.negated);
                    let read = |this: &mut Self, r: &mut Reader<'t>| this.principal(r, name);
                    if let Some((value, key_span, span)) =
                        this.exclusive(r, key, prev, negated, ["Principal", "NotPrincipal"], read)?
                    {
                        principal = Some(PrincipalElement { negated, value, key_span, span });
                    }
                }
                "Action" | "NotAction" => {
                    let negated = name == "NotAction";
                    let prev = action.as_ref().map(|a| a.negated);
                    let read = |this: &mut Self, r: &mut Reader<'t>| this.string_list(r, name, None);
                    if let Some((values, key_span, span)) =
                        this.exclusive(r, key, prev, negated, ["Action", "NotAction"], read)?
                    {
                        action = Some(ActionElement { negated, values, key_span, span });
                    }
                }
                "Resource" | "NotResource" => {
                    let negated = name == "NotResource";
                    let prev = resource.as_ref().map(|r| r.negated);
                    let read = |this: &mut Self, r: &mut Reader<'t>| this.string_list(r, name, None);
                    if let Some((values, key_span, span)) =
                        this.exclusive(r, key, prev, negated, ["Resource", "NotResource"], read)?
                    {
                        resource = Some(ResourceElement { negated, values, key_span, span });
                    }
                }
                "Condition" => condition = this.condition(r)?,
                other => {
                    r.skip_value()?;
                    this.unknown_element(member_span(r, key), other, STATEMENT_ELEMENTS, "a statement");
                }
            }
            Ok(())
        })?;
        let stmt_span = value_span(r, start);
        // Duplicate keys of the statement itself do not count as problems of its elements
        // (they do not stop the missing-Effect and missing-Action checks).
        let errors_before = errors_before + duplicates;
        // Formatted only for an error: most statements never need it.
        let label = || match &sid {
            Some(s) => format!("statement \"{}\"", s.value),
            None => format!("statement {}", index + 1),
        };
        if effect.is_none() && self.errors.len() == errors_before {
            self.error(
                "missing-effect",
                stmt_span,
                format!("{} has no Effect element", label()),
            );
        }
        if action.is_none() && self.errors.len() == errors_before {
            self.error(
                "missing-action",
                stmt_span,
                format!("{} has neither Action nor NotAction", label()),
            );
        }
        if self.errors.len() != errors_before - duplicates {
            return Ok(None);
        }
        let (Some(effect), Some(action)) = (effect, action) else {
            return Ok(None);
        };
        Ok(Some(Statement {
            index,
            sid,
            effect,
            principal,
            action,
            resource,
            condition,
            span: stmt_span,
        }))
    }

    /// One of two mutually exclusive elements (`Action`/`NotAction`, ...) at `key`: its value
    /// read by `read`, with the member's span and the value's. When the statement already has
    /// one of the pair (`prev`, whether it was the negated one), the value is skipped; having
    /// both of the pair is an error (the same one twice is reported as a duplicate key).
    #[allow(clippy::type_complexity)]
    fn exclusive<T>(
        &mut self,
        r: &mut Reader<'t>,
        key: &Key<'t>,
        prev: Option<bool>,
        negated: bool,
        [a, not_a]: [&str; 2],
        read: impl FnOnce(&mut Self, &mut Reader<'t>) -> Read<Option<T>>,
    ) -> Read<Option<(T, Span, Span)>> {
        let value_start = r.value_start();
        if let Some(prev_negated) = prev {
            r.skip_value()?;
            if prev_negated != negated {
                self.error(
                    "conflicting-elements",
                    member_span(r, key),
                    format!("a statement cannot contain both {a} and {not_a}"),
                );
            }
            return Ok(None);
        }
        Ok(read(self, r)?.map(|value| (value, member_span(r, key), value_span(r, value_start))))
    }

    /// A string or an array of strings. `what` (with `sub`, as `what.sub`) names the element.
    fn string_list(
        &mut self,
        r: &mut Reader<'t>,
        what: &str,
        sub: Option<&str>,
    ) -> Read<Option<Vec<Spanned<String>>>> {
        let name = || match sub {
            Some(sub) => format!("{what}.{sub}"),
            None => what.to_string(),
        };
        match r.peek()? {
            Kind::String => {
                let (value, span) = r.string()?;
                Ok(Some(vec![Spanned {
                    value: value.into_owned(),
                    span,
                }]))
            }
            Kind::Array => {
                r.begin_array()?;
                let mark = self.scratch.strings.len();
                let mut ok = true;
                while r.next_element()? {
                    match r.peek()? {
                        Kind::String => {
                            let (value, span) = r.string()?;
                            self.scratch.strings.push(Spanned {
                                value: value.into_owned(),
                                span,
                            });
                        }
                        other => {
                            ok = false;
                            let what = format!("every value of {}", name());
                            self.wrong_type(r, other, &what, "a string")?;
                        }
                    }
                }
                let out = take(&mut self.scratch.strings, mark);
                Ok(ok.then_some(out))
            }
            other => {
                self.wrong_type(r, other, &name(), "a string or an array of strings")?;
                Ok(None)
            }
        }
    }

    fn principal(&mut self, r: &mut Reader<'t>, what: &str) -> Read<Option<PrincipalValue>> {
        match r.peek()? {
            Kind::String => {
                let (value, span) = r.string()?;
                Ok(Some(if value == "*" {
                    PrincipalValue::Everyone
                } else {
                    PrincipalValue::BareString(Spanned {
                        value: value.into_owned(),
                        span,
                    })
                }))
            }
            Kind::Object => {
                r.begin_object()?;
                let mark = self.scratch.principals.len();
                let mut ok = true;
                self.members(r, &|| what.to_string(), &mut |this, r, key| {
                    let kind = match &*key.name {
                        "AWS" => PrincipalType::Aws,
                        "Service" => PrincipalType::Service,
                        "Federated" => PrincipalType::Federated,
                        "CanonicalUser" => PrincipalType::CanonicalUser,
                        _ => {
                            ok = false;
                            r.skip_value()?;
                            this.error(
                                "invalid-principal",
                                member_span(r, key),
                                format!("\"{}\" is not a principal type; use AWS, Service, Federated or CanonicalUser", key.name),
                            );
                            return Ok(());
                        }
                    };
                    match this.string_list(r, what, Some(kind.as_str()))? {
                        Some(values) => this.scratch.principals.push(PrincipalEntry {
                            kind,
                            values,
                            key_span: member_span(r, key),
                        }),
                        None => ok = false,
                    }
                    Ok(())
                })?;
                let entries = take(&mut self.scratch.principals, mark);
                Ok(ok.then_some(PrincipalValue::Map(entries)))
            }
            other => {
                self.wrong_type(r, other, what, "\"*\" or an object")?;
                Ok(None)
            }
        }
    }

    fn condition(&mut self, r: &mut Reader<'t>) -> Read<Option<ConditionElement>> {
        let kind = r.peek()?;
        if kind != Kind::Object {
            self.wrong_type(r, kind, "Condition", "an object")?;
            return Ok(None);
        }
        let start = r.begin_object()?;
        let blocks_mark = self.scratch.blocks.len();
        self.members(r, &|| "the Condition element".into(), &mut |this, r, op| {
            let kind = r.peek()?;
            if kind != Kind::Object {
                let what = format!("the value of condition operator \"{}\"", op.name);
                return this.wrong_type(r, kind, &what, "an object of context keys");
            }
            r.begin_object()?;
            let entries_mark = this.scratch.entries.len();
            let what = || format!("condition operator \"{}\"", op.name);
            this.members(r, &what, &mut |this, r, key| {
                let value_start = r.value_start();
                if let Some(values) = this.condition_values(r, &key.name)? {
                    this.scratch.entries.push(ConditionEntry {
                        key: Spanned {
                            value: key.name.to_string(),
                            span: member_span(r, key),
                        },
                        values,
                        span: value_span(r, value_start),
                    });
                }
                Ok(())
            })?;
            let entries = take(&mut this.scratch.entries, entries_mark);
            this.scratch.blocks.push(ConditionBlock {
                operator: Spanned {
                    value: op.name.to_string(),
                    span: member_span(r, op),
                },
                entries,
            });
            Ok(())
        })?;
        Ok(Some(ConditionElement {
            blocks: take(&mut self.scratch.blocks, blocks_mark),
            span: value_span(r, start),
        }))
    }

    /// One condition value (a string, number or boolean, kept as its text) or a list of them.
    fn condition_values(
        &mut self,
        r: &mut Reader<'t>,
        key: &str,
    ) -> Read<Option<Vec<Spanned<String>>>> {
        if r.peek()? == Kind::Array {
            r.begin_array()?;
            let mark = self.scratch.strings.len();
            let mut ok = true;
            while r.next_element()? {
                match self.condition_scalar(r, key)? {
                    Some(s) => self.scratch.strings.push(s),
                    None => ok = false,
                }
            }
            let out = take(&mut self.scratch.strings, mark);
            return Ok(ok.then_some(out));
        }
        Ok(self.condition_scalar(r, key)?.map(|s| vec![s]))
    }

    fn condition_scalar(&mut self, r: &mut Reader<'t>, key: &str) -> Read<Option<Spanned<String>>> {
        let (value, span) = match r.peek()? {
            Kind::String => r.string()?,
            Kind::Number | Kind::Boolean => {
                let (text, span) = r.scalar()?;
                (Cow::Borrowed(text), span)
            }
            other => {
                let what = format!("condition values for \"{key}\"");
                self.wrong_type(r, other, &what, "strings, numbers or booleans")?;
                return Ok(None);
            }
        };
        Ok(Some(Spanned {
            value: value.into_owned(),
            span,
        }))
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
