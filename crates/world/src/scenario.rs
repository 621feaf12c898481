//! Scenarios: scripted questions about a world with the answer they should get — the demo's
//! script (`examples/demo-world/scenarios.json`) and a format for access assertions.

use crate::error::from_json;
use crate::prepare::Question;
use iamwhy_diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One scripted question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A one-line title.
    pub title: String,
    /// What happened, in plain words.
    pub story: String,
    /// The kind of denial (`missing-allow`, `explicit-deny`, `scp`, ... or `allowed`).
    pub cause: String,
    /// Who asks.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// Context keys the request carries (string or list of strings).
    #[serde(default)]
    pub context: BTreeMap<String, Value>,
    /// A session policy document.
    #[serde(default)]
    pub session_policy: Option<Value>,
    /// The VPC endpoint the request goes through.
    #[serde(default)]
    pub source_vpce: Option<String>,
    /// The expected answer.
    pub expected: Expected,
}

/// The expected answer of a scenario.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// `Allowed`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: String,
    /// The layer AWS would name (snake case, as in the trace), or null.
    pub layer: Option<String>,
    /// The deciding policy's name, or null.
    pub policy: Option<String>,
    /// The deciding statement's Sid, or null.
    pub sid: Option<String>,
}

impl Scenario {
    /// The question this scenario asks, at a fixed time so that answers are reproducible.
    pub fn question(&self) -> Question {
        let mut context = Vec::new();
        for (k, v) in &self.context {
            match v {
                Value::Array(items) => {
                    for i in items {
                        context.push((
                            k.clone(),
                            i.as_str().map_or_else(|| i.to_string(), str::to_string),
                        ));
                    }
                }
                Value::String(s) => context.push((k.clone(), s.clone())),
                other => context.push((k.clone(), other.to_string())),
            }
        }
        Question {
            principal: self.principal.clone(),
            action: self.action.clone(),
            resource: self.resource.clone(),
            context,
            session_policy: self.session_policy.as_ref().map(|p| p.to_string()),
            source_vpce: self.source_vpce.clone(),
            resource_account: None,
            now: Some("2026-11-22T10:00:00Z".into()),
            federated_by: None,
        }
    }
}

/// Parse a scenario list.
pub fn parse_scenarios(file: &str, text: &str) -> Result<Vec<Scenario>, Diagnostic> {
    from_json(file, text)
}
