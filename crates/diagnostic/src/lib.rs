//! # iamwhy-diagnostic — one model for every problem iamwhy reports
//!
//! Policy grammar, world loading, reading error messages and CloudTrail, request flags: every
//! error and warning a user can see is a [`Diagnostic`] — a stable [`code`](Diagnostic::code),
//! a [`Severity`], one sentence of [`message`](Diagnostic::message), [`help`](Diagnostic::help)
//! kept apart from it, and a [`Label`] locating it in a file (line and column, and the byte
//! span for rendering the source line with a caret). `--output json` serialises the same
//! fields; the CLI renders them the way rustc and ruff do.
//!
//! ```
//! use iamwhy_diagnostic::{Diagnostic, Position};
//! let d = Diagnostic::error("unknown-role", "account 111122223333 has no role named \"deploy\"")
//!     .with_help("roles of the account: deployer, reader")
//!     .in_file("accounts/111122223333/authorization-details.json")
//!     .at_position(Position { line: 3, column: 7 });
//! assert_eq!(
//!     d.to_string(),
//!     "accounts/111122223333/authorization-details.json:3:7: account 111122223333 has no role named \"deploy\""
//! );
//! assert_eq!(d.help.as_deref(), Some("roles of the account: deployer, reader"));
//! ```

#![warn(missing_docs)]

mod location;

pub use location::{FileSpan, LineIndex, Position, Span};

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The input cannot be used as it is (AWS would reject the policy, the world cannot load,
    /// the request cannot be asked).
    Error,
    /// The input is accepted, but it likely does not do what its author meant.
    Warning,
}

/// Where a diagnostic points: a position (and, when known, the byte span of the source text it
/// covers), with an optional short text shown under the caret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where the problem starts (line from 1, column in characters from 1).
    #[serde(flatten)]
    pub start: Position,
    /// Byte span in [`Diagnostic::source`], when the text is known.
    #[serde(skip)]
    pub span: Option<Span>,
    /// A few words shown under the caret.
    #[serde(rename = "label", skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// For a policy embedded in a file as an escaped JSON string or URL-encoded text: the
    /// position inside the decoded document (the `start` is then in the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_document: Option<Position>,
}

/// What a command run with `--output json` prints when it fails, and what `iamwhy serve`
/// answers with an error status: schema `iamwhy.error/1` and the diagnostic.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport<'a> {
    /// The problem.
    pub error: &'a Diagnostic,
    /// Always [`ERROR_SCHEMA`].
    pub schema: &'static str,
}

/// The schema name of [`ErrorReport`].
pub const ERROR_SCHEMA: &str = "iamwhy.error/1";

impl<'a> ErrorReport<'a> {
    /// The report of `error`.
    pub fn new(error: &'a Diagnostic) -> ErrorReport<'a> {
        ErrorReport {
            error,
            schema: ERROR_SCHEMA,
        }
    }
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable machine-readable code in kebab case, unique across iamwhy (`duplicate-key`,
    /// `unknown-role`, `not-json`, `empty-resource`); docs/diagnostics.md lists them.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// What to do about it, kept apart from the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Box<str>>,
    /// The file, when the problem is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Box<str>>,
    /// The JSON path inside the file (`RoleDetailList[3].RolePolicyList[0]`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<Box<str>>,
    /// Where in the file (or text) the problem is; serialised inline (`line`, `column`,
    /// `label`, `in_document`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub label: Option<Box<Label>>,
    /// The text the label's span points into, when the reporter had it at hand (for rendering
    /// the source line); renderers may also read [`Diagnostic::file`].
    #[serde(skip)]
    pub source: Option<Arc<str>>,
}

impl Diagnostic {
    /// A diagnostic of `severity`.
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            help: None,
            file: None,
            json_path: None,
            label: None,
            source: None,
        }
    }

    /// An error.
    ///
    /// The struct stays small (under 128 bytes, so `Result<T, Diagnostic>` is cheap to return):
    /// the optional parts are boxed.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, message)
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, message)
    }

    /// Add help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    /// Say which file the problem is in.
    pub fn in_file(mut self, file: impl Into<String>) -> Diagnostic {
        self.file = Some(file.into().into_boxed_str());
        self
    }

    /// Add the JSON path inside the file.
    pub fn at_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.json_path = Some(path.into().into_boxed_str());
        self
    }

    /// Point at a position (without a known span).
    pub fn at_position(mut self, start: Position) -> Diagnostic {
        self.label = Some(Box::new(Label {
            start,
            span: None,
            text: None,
            in_document: None,
        }));
        self
    }

    /// Point at `span`, which starts at `start`.
    pub fn at_located_span(mut self, start: Position, span: Span) -> Diagnostic {
        self.label = Some(Box::new(Label {
            start,
            span: Some(span),
            text: None,
            in_document: None,
        }));
        self
    }

    /// The byte span the label covers, when known.
    pub fn span(&self) -> Option<Span> {
        self.label.as_ref().and_then(|l| l.span)
    }

    /// Point at a byte span of `source`, computing its position with `lines`.
    pub fn at_span(mut self, source: &Arc<str>, lines: &LineIndex, span: Span) -> Diagnostic {
        self.label = Some(Box::new(Label {
            start: lines.position(source, span.start as usize),
            span: Some(span),
            text: None,
            in_document: None,
        }));
        self.source = Some(source.clone());
        self
    }

    /// Attach the source text the label points into.
    pub fn with_source(mut self, source: Arc<str>) -> Diagnostic {
        self.source = Some(source);
        self
    }

    /// Put a short text under the caret (no effect without a label).
    pub fn with_label_text(mut self, text: impl Into<String>) -> Diagnostic {
        if let Some(l) = &mut self.label {
            l.text = Some(text.into());
        }
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Where the problem starts, when it is located.
    pub fn position(&self) -> Option<Position> {
        self.label.as_ref().map(|l| l.start)
    }
}

/// The one-line form: `file:line:column: [warning: ]at PATH: message`, each part when known.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(l) = &self.label {
                write!(f, ":{}", l.start)?;
            }
            write!(f, ": ")?;
        } else if let Some(l) = &self.label {
            write!(f, "{}: ", l.start)?;
        }
        if self.severity == Severity::Warning {
            write!(f, "warning: ")?;
        }
        if let Some(path) = &self.json_path
            && !path.is_empty()
            && &**path != "."
        {
            write!(f, "at {path}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_line_form_names_what_is_known() {
        let d = Diagnostic::error("bad", "it is bad");
        assert_eq!(d.to_string(), "it is bad");
        let d = d.in_file("f.json").at_path("A[0]");
        assert_eq!(d.to_string(), "f.json: at A[0]: it is bad");
        let d = d.at_position(Position { line: 2, column: 5 });
        assert_eq!(d.to_string(), "f.json:2:5: at A[0]: it is bad");
        let w = Diagnostic::warning("odd", "odd").at_position(Position { line: 1, column: 1 });
        assert_eq!(w.to_string(), "1:1: warning: odd");
    }

    #[test]
    fn json_carries_the_same_fields_without_the_source_text() {
        let text: Arc<str> = Arc::from("{\n  \"a\": 1\n}");
        let lines = LineIndex::new(&text);
        let d = Diagnostic::error("bad-a", "bad a")
            .with_help("remove it")
            .in_file("p.json")
            .at_span(&text, &lines, Span::new(4, 7));
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["code"], "bad-a");
        assert_eq!(v["severity"], "error");
        assert_eq!(v["help"], "remove it");
        assert_eq!(v["file"], "p.json");
        assert_eq!(v["line"], 2);
        assert_eq!(v["column"], 3);
        assert!(v.get("source").is_none());
    }
}
