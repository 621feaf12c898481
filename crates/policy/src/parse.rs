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
use std::sync::{Arc, OnceLock};

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
        let (source, encoding) = decoded(text)?;
        let lines = SourceLines::new(&source);
        let (head, statements) = read_owned(&source, &lines)?;
        let doc = PolicyDocument::assemble(source.clone(), lines, encoding, head);
        let _ = doc.statements.set(statements);
        Ok(doc)
    }

    /// Parse as [`PolicyDocument::parse`] does, but hand the statements to `f` with their
    /// strings borrowed from the text (a string is copied only where it had an escape)
    /// instead of keeping an owned tree: for a caller that compiles the statements and does
    /// not need them again, such as a world. Returns the document, whose tree is released
    /// ([`PolicyDocument::statements`] reads it again from the source on demand), and what
    /// `f` returned.
    ///
    /// ```
    /// use iamwhy_policy::PolicyDocument;
    /// let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    /// let (doc, actions) = PolicyDocument::parse_with_statements(text, |_, statements| {
    ///     statements[0].action.values.iter().map(|v| v.value.len()).sum::<usize>()
    /// })?;
    /// assert_eq!(actions, "s3:GetObject".len());
    /// assert_eq!(doc.statements().len(), 1); // read again from the source
    /// # Ok::<(), iamwhy_policy::ParseFailure>(())
    /// ```
    pub fn parse_with_statements<R>(
        text: &str,
        f: impl for<'a> FnOnce(&PolicyDocument, &[Statement<Cow<'a, str>>]) -> R,
    ) -> Result<(PolicyDocument, R), ParseFailure> {
        let (source, encoding) = decoded(text)?;
        let lines = SourceLines::new(&source);
        let (head, statements) = read_whole::<Cow<'_, str>>(&source, &lines)?;
        let doc = PolicyDocument::assemble(source.clone(), lines, encoding, head);
        let out = f(&doc, &statements);
        Ok((doc, out))
    }

    /// Read the policy document that is the next value of `reader`: a document embedded in
    /// a larger JSON text (a case file's line, an inventory), read in place, once, instead of
    /// being validated by one reader and parsed again by another. The value is an object,
    /// or a JSON string holding the document's text (then read as [`PolicyDocument::parse`]
    /// reads text). The statements go to `f` as in [`PolicyDocument::parse_with_statements`];
    /// the document's source is the value's text, and positions in its errors count from the
    /// value's first character. On success the reader is past the value.
    ///
    /// ```
    /// use iamwhy_policy::PolicyDocument;
    /// use iamwhy_policy::json::Reader;
    /// let line = r#"{"name":"p","policy":{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}}"#;
    /// let mut r = Reader::new(line);
    /// r.begin_object()?;
    /// let mut statements = 0;
    /// while let Some(key) = r.next_key()? {
    ///     if key.name == "policy" {
    ///         let (doc, n) = PolicyDocument::read_with_statements(&mut r, |_, s| s.len())
    ///             .expect("a policy");
    ///         assert!(doc.source.starts_with("{\"Statement\""));
    ///         statements = n;
    ///     } else {
    ///         r.skip_value()?;
    ///     }
    /// }
    /// r.finish()?;
    /// assert_eq!(statements, 1);
    /// # Ok::<(), Box<iamwhy_policy::json::SyntaxError>>(())
    /// ```
    pub fn read_with_statements<'t, R>(
        reader: &mut Reader<'t>,
        f: impl for<'a> FnOnce(&PolicyDocument, &[Statement<Cow<'a, str>>]) -> R,
    ) -> Result<(PolicyDocument, R), ParseFailure> {
        let start = reader.value_start();
        let rest = reader.text_from(start);
        if rest.starts_with('"') {
            let (text, _) = reader.string().map_err(|e| {
                let lines = SourceLines::new(rest);
                let shifted = Span::new(
                    (e.span.start as usize).saturating_sub(start),
                    (e.span.end as usize).saturating_sub(start),
                );
                locate(vec![syntax_error(shifted, &e.message)], &lines, rest)
            })?;
            return PolicyDocument::parse_with_statements(&text, f);
        }
        let mut sub = Reader::new(rest);
        let (head, statements) = match read_value::<Cow<'t, str>>(&mut sub, false) {
            Ok(read) => read,
            Err(pending) => return Err(locate(pending, &SourceLines::new(rest), rest)),
        };
        let end = sub.last_end();
        reader.skip_to(start + end);
        let text = &rest[..end];
        let doc = PolicyDocument::assemble(
            Arc::from(text),
            SourceLines::new(text),
            crate::source::SourceEncoding::Json,
            head,
        );
        let out = f(&doc, &statements);
        Ok((doc, out))
    }

    /// A document from its parts, with no statement tree yet.
    fn assemble(
        source: Arc<str>,
        lines: SourceLines,
        encoding: crate::source::SourceEncoding,
        head: Head,
    ) -> PolicyDocument {
        PolicyDocument {
            source,
            encoding,
            lines,
            version: head.version,
            version_span: head.version_span,
            id: head.id,
            statements: OnceLock::new(),
            statement_span: head.statement_span,
            span: head.span,
        }
    }

    /// The statements of this document's source, read again (it parsed once, so it parses
    /// again, to the same statements and spans).
    pub(crate) fn read_statements(&self) -> Vec<Statement> {
        read_owned(&self.source, &self.lines)
            .map(|(_, statements)| statements)
            .expect("a document's own source parses again")
    }
}

/// What a document has besides its statements, as the builder reads it.
struct Head {
    version: PolicyVersion,
    version_span: Option<Span>,
    id: Option<Spanned<String>>,
    statement_span: Span,
    span: Span,
}

/// An error found while reading, with its span: it is located (line and column) only when
/// the read ends, so that an embedded document's line index is built only if it has one.
struct Pending {
    span: Span,
    diagnostic: Diagnostic,
}

fn syntax_error(span: Span, message: &str) -> Pending {
    Pending {
        span,
        diagnostic: Diagnostic::error(
            "invalid-json",
            format!("the policy is not valid JSON: {message}"),
        ),
    }
}

/// The errors, in document order, with their positions in `text` (indexed by `lines`).
fn locate(mut pending: Vec<Pending>, lines: &SourceLines, text: &str) -> ParseFailure {
    pending.sort_by_key(|p| p.span.start);
    ParseFailure {
        diagnostics: pending
            .into_iter()
            .map(|p| {
                let position = lines.position(text, p.span.start as usize);
                p.diagnostic.at_located_span(position, p.span)
            })
            .collect(),
    }
}

/// Read decoded JSON text, all of it one document, whose line index is `lines`.
fn read_whole<'t, S: From<Cow<'t, str>> + AsRef<str>>(
    text: &'t str,
    lines: &SourceLines,
) -> Result<(Head, Vec<Statement<S>>), ParseFailure> {
    let mut reader = Reader::new(text);
    if reader.is_empty() {
        let empty = Pending {
            span: Span::default(),
            diagnostic: Diagnostic::error("empty-document", "the policy document is empty"),
        };
        return Err(locate(vec![empty], lines, text));
    }
    read_value(&mut reader, true).map_err(|pending| locate(pending, lines, text))
}

/// [`read_whole`] with owned strings, for a tree kept for the document's life: its statement
/// list (the builder's stack, grown by pushing) without spare room.
fn read_owned(text: &str, lines: &SourceLines) -> Result<(Head, Vec<Statement>), ParseFailure> {
    let (head, mut statements) = read_whole::<String>(text, lines)?;
    statements.shrink_to_fit();
    Ok((head, statements))
}

/// Read the document value at `reader`'s position, its strings as `S`; with `whole`, nothing
/// but whitespace may follow it. Errors come back unlocated.
fn read_value<'t, S: From<Cow<'t, str>> + AsRef<str>>(
    reader: &mut Reader<'t>,
    whole: bool,
) -> Result<(Head, Vec<Statement<S>>), Vec<Pending>> {
    let mut builder = Builder {
        errors: Vec::new(),
        // Room for a statement's members with its condition's operator and keys.
        keys: Vec::with_capacity(16),
        scratch: Scratch::default(),
    };
    let read = builder.document(reader).and_then(|doc| {
        if whole {
            reader.finish()?;
        }
        Ok(doc)
    });
    match read {
        // A text that is not JSON gets that one error: what the builder found before the
        // syntax error is about a document that does not exist.
        Err(syntax) => Err(vec![syntax_error(syntax.span, &syntax.message)]),
        Ok(Some(doc)) if builder.errors.is_empty() => Ok(doc),
        Ok(_) => Err(builder.errors),
    }
}

/// The text a policy was given as, decoded to JSON text (see [`decode_policy_text`]).
fn decoded(text: &str) -> Result<(Arc<str>, crate::source::SourceEncoding), ParseFailure> {
    match decode_policy_text(text) {
        Ok((decoded, encoding)) => Ok((Arc::from(decoded.as_ref()), encoding)),
        Err(message) => Err(ParseFailure {
            diagnostics: vec![
                Diagnostic::error("invalid-encoding", message)
                    .at_located_span(Position { line: 1, column: 1 }, Span::default()),
            ],
        }),
    }
}

/// Reads one document; its strings are kept as `S` (see [`Statement`]).
struct Builder<'t, S> {
    errors: Vec<Pending>,
    /// The keys of the objects being read, innermost last (see [`Members`]).
    keys: Vec<Cow<'t, str>>,
    scratch: Scratch<S>,
}

/// Lists being read: an array's items are pushed here and moved into a vector of exactly their
/// number when the array ends (a list grown by pushing would keep up to twice its size for the
/// life of the world). Each list starts at a mark, so nested lists share one stack.
struct Scratch<S> {
    statements: Vec<Statement<S>>,
    strings: Vec<Spanned<S>>,
    principals: Vec<PrincipalEntry<S>>,
    blocks: Vec<ConditionBlock<S>>,
    entries: Vec<ConditionEntry<S>>,
}

impl<S> Default for Scratch<S> {
    fn default() -> Self {
        Scratch {
            statements: Vec::new(),
            strings: Vec::new(),
            principals: Vec::new(),
            blocks: Vec::new(),
            entries: Vec::new(),
        }
    }
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

impl<'t, S: From<Cow<'t, str>> + AsRef<str>> Builder<'t, S> {
    fn error(&mut self, code: &'static str, span: Span, message: String) {
        self.errors.push(Pending {
            span,
            diagnostic: Diagnostic::error(code, message),
        });
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

    fn document(&mut self, r: &mut Reader<'t>) -> Read<Option<(Head, Vec<Statement<S>>)>> {
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
                "Id" => {
                    id = this.str_value(r, "Id")?.map(|(value, span)| Spanned {
                        value: value.into_owned(),
                        span,
                    })
                }
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
        let head = Head {
            version,
            version_span,
            id,
            statement_span,
            span,
        };
        Ok(Some((head, statements)))
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

    fn string(&mut self, r: &mut Reader<'t>, what: &str) -> Read<Option<Spanned<S>>> {
        Ok(self.str_value(r, what)?.map(|(value, span)| Spanned {
            value: S::from(value),
            span,
        }))
    }

    fn statements(&mut self, r: &mut Reader<'t>) -> Read<Vec<Statement<S>>> {
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
        Ok(if mark == 0 {
            // The document's one list (statements do not nest): the stack itself, rather
            // than a copy of it.
            std::mem::take(&mut self.scratch.statements)
        } else {
            take(&mut self.scratch.statements, mark)
        })
    }

    fn statement(&mut self, r: &mut Reader<'t>, index: usize) -> Read<Option<Statement<S>>> {
        let kind = r.peek()?;
        if kind != Kind::Object {
            self.wrong_type(r, kind, &format!("statement {}", index + 1), "an object")?;
            return Ok(None);
        }
        let start = r.begin_object()?;
        let errors_before = self.errors.len();
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<PrincipalElement<S>> = None;
        let mut action: Option<ActionElement<S>> = None;
        let mut resource: Option<ResourceElement<S>> = None;
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
            Some(s) => format!("statement \"{}\"", s.value.as_ref()),
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
    ) -> Read<Option<Vec<Spanned<S>>>> {
        let name = || match sub {
            Some(sub) => format!("{what}.{sub}"),
            None => what.to_string(),
        };
        match r.peek()? {
            Kind::String => {
                let (value, span) = r.string()?;
                Ok(Some(vec![Spanned {
                    value: S::from(value),
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
                                value: S::from(value),
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

    fn principal(&mut self, r: &mut Reader<'t>, what: &str) -> Read<Option<PrincipalValue<S>>> {
        match r.peek()? {
            Kind::String => {
                let (value, span) = r.string()?;
                Ok(Some(if value == "*" {
                    PrincipalValue::Everyone
                } else {
                    PrincipalValue::BareString(Spanned {
                        value: S::from(value),
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

    fn condition(&mut self, r: &mut Reader<'t>) -> Read<Option<ConditionElement<S>>> {
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
                            value: S::from(key.name.clone()),
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
                    value: S::from(op.name.clone()),
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
    fn condition_values(&mut self, r: &mut Reader<'t>, key: &str) -> Read<Option<Vec<Spanned<S>>>> {
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

    fn condition_scalar(&mut self, r: &mut Reader<'t>, key: &str) -> Read<Option<Spanned<S>>> {
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
            value: S::from(value),
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
