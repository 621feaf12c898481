//! Typed, located problems found while parsing or validating a policy.

use crate::location::{Position, Span};
use serde::Serialize;

/// How serious a diagnostic is: an error makes the document invalid for its policy type; a
/// warning is accepted by AWS but is probably a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// AWS would reject the document (or it cannot be read at all).
    Error,
    /// AWS accepts it, but it likely does not do what the author meant.
    Warning,
}

/// One problem in one policy document, with where it is and one sentence saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable machine-readable code, e.g. `duplicate-key` or `missing-resource`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// One clear sentence.
    pub message: String,
    /// Byte span in the decoded policy text.
    #[serde(skip)]
    pub span: Span,
    /// Where the problem starts.
    #[serde(flatten)]
    pub position: Position,
}

impl Diagnostic {
    /// True when this diagnostic makes the document invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "{}: {}", self.position, self.message),
            Severity::Warning => write!(f, "{}: warning: {}", self.position, self.message),
        }
    }
}
