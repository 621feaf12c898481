//! The explanation of a decision: one plain data type rendered as text by the CLI and as JSON
//! (schema: docs/trace-schema.md).

use super::layer::{Decision, GrantKind, Layer};
use crate::statement::StatementResult;
use iamwhy_diagnostic::Position;
use iamwhy_policy::document::Effect;
use serde::Serialize;

/// A decision and everything that explains it.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// The answer.
    pub decision: Decision,
    /// The one reason AWS would name (its error message names one policy type).
    pub reason: Reason,
    /// Each layer in evaluation order with its verdict.
    pub layers: Vec<LayerReport>,
    /// Guardrails that turned down an otherwise-allowed request, or every layer with an
    /// explicit deny.
    pub blocked_by: Vec<Layer>,
    /// The statements that decided: the denying statements for an explicit deny, the allowing
    /// statements for an allow, and none for an implicit deny (nothing matched).
    pub deciding: Vec<MatchedStatement>,
    /// How the resource policy granted access, when it did.
    pub grant: Option<GrantKind>,
    /// Statements whose conditions could not be evaluated faithfully, and what was assumed.
    pub unevaluable: Vec<Unevaluable>,
    /// Context keys that conditions consulted but the request did not carry.
    pub missing_context_keys: Vec<MissingKey>,
    /// Other facts worth telling: service rules, exemptions, documented ambiguities.
    pub notes: Vec<String>,
}

/// The primary reason, in AWS's terms.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// The layer AWS would name; `None` for an allow or a service rule.
    pub layer: Option<Layer>,
    /// For SCPs and RCPs: the organization level (root, OU or account id) that decided.
    pub level: Option<String>,
    /// One sentence.
    pub summary: String,
}

/// A layer's verdict for the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerStatus {
    /// At least one applicable Allow, no applicable Deny (for SCPs/RCPs: an Allow at every
    /// level).
    Allow,
    /// An applicable Deny.
    Deny,
    /// Present, but nothing allows: an implicit deny in this layer.
    NoAllow,
    /// The request has no policy of this kind.
    Absent,
    /// Present but does not apply to this request (for example SCPs for a service principal).
    NotApplicable,
}

/// One layer's part in the decision.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Which layer.
    pub layer: Layer,
    /// Its verdict.
    pub status: LayerStatus,
    /// Whether this layer had to allow for the request to be allowed.
    pub required: bool,
    /// For SCPs/RCPs: each level's verdict, root first.
    pub levels: Vec<LevelReport>,
    /// Applicable Allow statements.
    pub allows: Vec<MatchedStatement>,
    /// Applicable Deny statements.
    pub denies: Vec<MatchedStatement>,
    /// Why a layer is not applicable or not required, or how it was bypassed.
    pub note: Option<String>,
}

/// One organization level's verdict.
#[derive(Debug, Clone, Serialize)]
pub struct LevelReport {
    /// Root, OU or account id.
    pub target: String,
    /// Allow, Deny or NoAllow.
    pub status: LayerStatus,
}

/// A statement that applied, with where it is and what its conditions saw.
#[derive(Debug, Clone, Serialize)]
pub struct MatchedStatement {
    /// Its layer.
    pub layer: Layer,
    /// Policy name or id.
    pub policy: String,
    /// Where the policy came from (file and JSON path), when known.
    pub source: Option<String>,
    /// Where the policy's document is in that file, when the loader recorded it.
    pub file_span: Option<iamwhy_diagnostic::FileSpan>,
    /// For SCPs/RCPs: the level the policy is attached to.
    pub level: Option<String>,
    /// The Sid, if any.
    pub sid: Option<String>,
    /// 0-based index in the policy.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where it starts.
    pub start: Position,
    /// Where it ends.
    pub end: Position,
    /// Every test of the statement, with condition values.
    pub detail: StatementResult,
}

impl MatchedStatement {
    /// The Sid, or `#n` (1-based).
    pub fn label(&self) -> String {
        iamwhy_policy::statement_label(self.sid.as_deref(), self.index)
    }
}

/// A statement whose conditions could not be evaluated faithfully.
#[derive(Debug, Clone, Serialize)]
pub struct Unevaluable {
    /// Its layer.
    pub layer: Layer,
    /// Policy name.
    pub policy: String,
    /// Sid or `#n`.
    pub statement: String,
    /// Where it starts.
    pub start: Position,
    /// Why.
    pub reason: String,
    /// What was assumed: "the Deny was applied" or "the Allow was not applied".
    pub assumed: String,
}

/// A context key consulted by some condition but absent from the request.
#[derive(Debug, Clone, Serialize)]
pub struct MissingKey {
    /// The key as written in the policy.
    pub key: String,
    /// The layers whose conditions consulted it.
    pub layers: Vec<Layer>,
}
