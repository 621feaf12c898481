//! One finding in one policy document: which check, what is wrong, where (a byte span of the
//! decoded document), and the statement it belongs to.

use crate::rules::{FindingType, Rule};
use iamwhy_diagnostic::Span;
use serde::Serialize;

/// One step of a finding's path inside the policy document, as Access Analyzer writes it:
/// `[{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PathElement {
    /// An object key.
    Value(String),
    /// An array index (from 0).
    Index(usize),
}

/// A problem found by one check in one policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check.
    pub rule: &'static Rule,
    /// What is wrong, in one or two sentences (Access Analyzer's `findingDetails`).
    pub details: String,
    /// How to fix it, when there is something specific to say (a did-you-mean, the value to
    /// use). A fix that widens access says so.
    pub help: Option<String>,
    /// Where, as a byte span of the decoded document text.
    pub span: Span,
    /// The 0-based index of the statement the finding is about, if any.
    pub statement: Option<usize>,
}

impl Finding {
    /// The finding type (that of its rule).
    pub fn finding_type(&self) -> FindingType {
        self.rule.finding_type
    }

    /// The issue code (that of its rule).
    pub fn code(&self) -> &'static str {
        self.rule.code
    }
}
