//! The typed policy document. Every element keeps the byte span of its JSON text, so that every
//! explanation can point at a line and column.

use crate::lines::SourceLines;
use crate::source::SourceEncoding;
use iamwhy_diagnostic::{Position, Span};
use std::sync::{Arc, OnceLock};

/// A value together with the span of the JSON text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where its JSON text is.
    pub span: Span,
}

/// The policy language version (`Version` element).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PolicyVersion {
    /// `"2012-10-17"`: the current language, with policy variables.
    V2012_10_17,
    /// `"2008-10-17"`: legacy; `${...}` is literal text.
    V2008_10_17,
    /// No `Version` element: behaves as 2008-10-17.
    Absent,
}

impl PolicyVersion {
    /// Whether `${...}` policy variables are substituted in this version (only 2012-10-17).
    pub fn supports_variables(self) -> bool {
        self == PolicyVersion::V2012_10_17
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Effect {
    /// The statement grants when it applies.
    Allow,
    /// The statement denies when it applies; an applicable Deny always wins.
    Deny,
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// A parsed policy document. Build one with [`PolicyDocument::parse`].
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    /// The decoded JSON text every span refers to.
    pub source: Arc<str>,
    /// The shape the text arrived in.
    pub encoding: SourceEncoding,
    pub(crate) lines: SourceLines,
    /// The `Version` element.
    pub version: PolicyVersion,
    /// Span of the `Version` value, if present.
    pub version_span: Option<Span>,
    /// The `Id` element.
    pub id: Option<Spanned<String>>,
    /// The statements, in document order; read again from `source` when released
    /// ([`PolicyDocument::release_statements`]).
    pub(crate) statements: OnceLock<Vec<Statement>>,
    /// Span of the `Statement` value.
    pub statement_span: Span,
    /// Span of the whole document object.
    pub span: Span,
}

impl PolicyDocument {
    /// The 1-based line/column of a byte offset in [`PolicyDocument::source`].
    pub fn position(&self, offset: u32) -> Position {
        self.lines.position(&self.source, offset as usize)
    }

    /// Start position (the opening `{`) and end position (just past the closing `}`) of a span.
    pub fn range(&self, span: Span) -> (Position, Position) {
        (self.position(span.start), self.position(span.end))
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        self.statements.get_or_init(|| self.read_statements())
    }

    /// Forget the statement tree, keeping the source text and its line index: the next
    /// [`PolicyDocument::statements`] reads it again from the source. A world calls this once
    /// a policy is compiled, so that it holds each policy once (its compiled form) rather than
    /// twice; explanations that need a statement's elements read them back on demand.
    pub fn release_statements(&mut self) {
        self.statements = OnceLock::new();
    }

    /// The source text of a span.
    pub fn text(&self, span: Span) -> &str {
        self.source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// One statement of a policy. Its strings are `S`: owned (`String`, the default) in a
/// document's tree, or borrowed from the text (`Cow<str>`) when a caller compiles straight from
/// the parse ([`PolicyDocument::parse_with_statements`]).
#[derive(Debug, Clone)]
pub struct Statement<S = String> {
    /// 0-based position in the `Statement` list.
    pub index: usize,
    /// The `Sid`, if any.
    pub sid: Option<Spanned<S>>,
    /// `Allow` or `Deny`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`.
    pub principal: Option<PrincipalElement<S>>,
    /// `Action` or `NotAction`.
    pub action: ActionElement<S>,
    /// `Resource` or `NotResource` (absent in trust policies).
    pub resource: Option<ResourceElement<S>>,
    /// The `Condition` block.
    pub condition: Option<ConditionElement<S>>,
    /// Span of the statement object.
    pub span: Span,
}

/// How explanations name a statement: its Sid, or `#<index>` (1-based, from the 0-based
/// `index`) when it has none.
pub fn statement_label(sid: Option<&str>, index: usize) -> String {
    match sid {
        Some(sid) if !sid.is_empty() => sid.to_string(),
        _ => format!("#{}", index + 1),
    }
}

impl<S: AsRef<str>> Statement<S> {
    /// The Sid, or `#<index>` (1-based) when there is none — how explanations name a statement.
    pub fn label(&self) -> String {
        statement_label(self.sid.as_ref().map(|s| s.value.as_ref()), self.index)
    }
}

/// `Principal` / `NotPrincipal`.
#[derive(Debug, Clone)]
pub struct PrincipalElement<S = String> {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// `"*"` or a map of principal types to values.
    pub value: PrincipalValue<S>,
    /// Span of the element's key (`"Principal"`).
    pub key_span: Span,
    /// Span of the element's value.
    pub span: Span,
}

/// The value of a principal element.
#[derive(Debug, Clone)]
pub enum PrincipalValue<S = String> {
    /// `"*"`: everyone, including anonymous callers.
    Everyone,
    /// `{"AWS": ..., "Service": ..., ...}`.
    Map(Vec<PrincipalEntry<S>>),
    /// A string other than `"*"` (`"Principal": "arn:aws:iam::1:root"`): AWS rejects this
    /// form when a policy is saved, but inventories and tests contain it; it is read as
    /// `{"AWS": value}` and validation reports it.
    BareString(Spanned<S>),
}

/// Which key of a principal map an entry sits under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, sessions, `*`.
    Aws,
    /// `Service`: service principals such as `s3.amazonaws.com`.
    Service,
    /// `Federated`: identity providers (trust policies).
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The key as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

/// All values under one principal-type key.
#[derive(Debug, Clone)]
pub struct PrincipalEntry<S = String> {
    /// The key.
    pub kind: PrincipalType,
    /// The values (a scalar is a one-element list).
    pub values: Vec<Spanned<S>>,
    /// Span of the key.
    pub key_span: Span,
}

/// `Action` / `NotAction`.
#[derive(Debug, Clone)]
pub struct ActionElement<S = String> {
    /// True for `NotAction`.
    pub negated: bool,
    /// The patterns (a scalar is a one-element list).
    pub values: Vec<Spanned<S>>,
    /// Span of the key.
    pub key_span: Span,
    /// Span of the value.
    pub span: Span,
}

/// `Resource` / `NotResource`.
#[derive(Debug, Clone)]
pub struct ResourceElement<S = String> {
    /// True for `NotResource`.
    pub negated: bool,
    /// The patterns (a scalar is a one-element list).
    pub values: Vec<Spanned<S>>,
    /// Span of the key.
    pub key_span: Span,
    /// Span of the value.
    pub span: Span,
}

/// The `Condition` element: operator blocks, AND-ed.
#[derive(Debug, Clone)]
pub struct ConditionElement<S = String> {
    /// The operator blocks in document order.
    pub blocks: Vec<ConditionBlock<S>>,
    /// Span of the value.
    pub span: Span,
}

/// One operator with its keys, e.g. `"StringEquals": {"aws:username": "bob"}`.
#[derive(Debug, Clone)]
pub struct ConditionBlock<S = String> {
    /// The operator name as written.
    pub operator: Spanned<S>,
    /// The keys under it, AND-ed.
    pub entries: Vec<ConditionEntry<S>>,
}

/// One key and its values under a condition operator.
#[derive(Debug, Clone)]
pub struct ConditionEntry<S = String> {
    /// The context key as written.
    pub key: Spanned<S>,
    /// The values, each normalised to its string form (`10` → `"10"`, `true` → `"true"`).
    pub values: Vec<Spanned<S>>,
    /// Span of the whole value (scalar or list).
    pub span: Span,
}
