//! Batch mode: many denials (a day of CloudTrail) grouped by cause and counted. With a world
//! a group is the principal, the action, the decision with its deciding statement, and
//! whether that agrees with what AWS said; without one, what AWS said. Events are added one
//! at a time (the reader streams them), so memory grows with the number of groups, not of
//! events; fixes are suggested once per group, for its first event.

use crate::diagnose::{DiagnoseOptions, diagnose};
use crate::fix::FixReport;
use crate::index::WorldIndex;
use iamwhy_evidence::Observed;
use iamwhy_evidence::input::event_id;
use serde::Serialize;
use std::collections::HashMap;

/// How many example event ids a group keeps.
const EXAMPLES: usize = 3;

/// One cause and how often it was seen.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// The caller (`(unknown principal)` when the record does not say).
    pub principal: String,
    /// The action(s), `+`-joined.
    pub action: String,
    /// The cause: the decision and deciding statement with a world, what AWS said without.
    pub cause: String,
    /// With a world: `agrees`, `differs` or `unknown` — how the simulation compares with
    /// what AWS said.
    pub verdict: Option<&'static str>,
    /// Why, in a sentence.
    pub verdict_explanation: Option<String>,
    /// Events in the group.
    pub count: usize,
    /// Up to three event ids.
    pub examples: Vec<String>,
    /// The decision and reason (with a world), or the parsed message (without).
    pub detail: serde_json::Value,
    /// With a world: the fixes for the group's first event.
    pub fixes: Option<FixReport>,
}

/// The groups of a batch, the most frequent first.
#[derive(Debug, Clone, Serialize)]
pub struct BatchReport {
    /// Events added.
    pub events: usize,
    /// The groups, by count (descending), then by principal, action and cause.
    pub groups: Vec<Group>,
}

/// Groups events as they come.
pub struct Batch<'i, 'w> {
    index: Option<&'i WorldIndex<'w>>,
    options: DiagnoseOptions,
    groups: HashMap<String, Group>,
    events: usize,
}

impl<'i, 'w> Batch<'i, 'w> {
    /// A batch explained against `index`'s world, or from what AWS said when there is none.
    pub fn new(index: Option<&'i WorldIndex<'w>>, options: DiagnoseOptions) -> Batch<'i, 'w> {
        Batch {
            index,
            options: DiagnoseOptions {
                fixes: false,
                ..options
            },
            groups: HashMap::new(),
            events: 0,
        }
    }

    /// Add one event.
    pub fn add(&mut self, o: &Observed) {
        self.events += 1;
        let principal = o
            .principal
            .clone()
            .unwrap_or_else(|| "(unknown principal)".into());
        let action = o.actions.join("+");
        let (cause, verdict, explanation, detail) = match self.index {
            Some(index) => self.simulated_cause(index, o),
            None => {
                let claim = o
                    .message
                    .as_ref()
                    .map(|m| m.claim().unwrap_or_else(|| "no reason given".into()))
                    .unwrap_or_else(|| "no message".into());
                (
                    claim,
                    None,
                    None,
                    serde_json::to_value(&o.message).unwrap_or_default(),
                )
            }
        };
        let key = format!(
            "{principal}\u{0}{action}\u{0}{cause}\u{0}{}",
            verdict.unwrap_or("")
        );
        let is_new = !self.groups.contains_key(&key);
        let group = self.groups.entry(key).or_insert_with(|| Group {
            principal,
            action,
            cause,
            verdict,
            verdict_explanation: explanation,
            count: 0,
            examples: Vec::new(),
            detail,
            fixes: None,
        });
        group.count += 1;
        if group.examples.len() < EXAMPLES
            && let Some(id) = event_id(o)
        {
            group.examples.push(id.to_string());
        }
        if is_new && let Some(index) = self.index {
            let options = DiagnoseOptions {
                fixes: true,
                ..self.options.clone()
            };
            let d = diagnose(index, o, &options);
            group.fixes = d.actions.into_iter().next().map(|a| a.fixes);
        }
    }

    fn simulated_cause(
        &self,
        index: &WorldIndex<'_>,
        o: &Observed,
    ) -> (
        String,
        Option<&'static str>,
        Option<String>,
        serde_json::Value,
    ) {
        let d = diagnose(index, o, &self.options);
        if let Some(p) = &d.partial {
            let cause = format!("not in the world: {}", p.missing.join("; "));
            return (
                cause,
                Some("unknown"),
                None,
                serde_json::json!({ "missing": p.missing }),
            );
        }
        match (&d.error, d.actions.first()) {
            (Some(e), _) => (
                format!("cannot simulate: {e}"),
                None,
                None,
                serde_json::json!({ "error": e }),
            ),
            (None, Some(a)) => {
                let stmt = a
                    .evaluation
                    .deciding
                    .first()
                    .map(|m| {
                        format!(
                            " — {} statement {} ({})",
                            m.policy,
                            m.label(),
                            m.layer.phrase()
                        )
                    })
                    .unwrap_or_default();
                (
                    format!(
                        "{}: {}{stmt}",
                        a.evaluation.decision.simulator_name(),
                        a.evaluation.reason.summary
                    ),
                    Some(a.agreement.verdict),
                    Some(a.agreement.explanation.clone()),
                    serde_json::json!({
                        "decision": a.evaluation.decision,
                        "reason": a.evaluation.reason,
                    }),
                )
            }
            (None, None) => (
                "nothing to simulate".into(),
                None,
                None,
                serde_json::Value::Null,
            ),
        }
    }

    /// The groups, the most frequent first.
    pub fn finish(self) -> BatchReport {
        let mut groups: Vec<Group> = self.groups.into_values().collect();
        groups.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.principal.cmp(&b.principal))
                .then_with(|| a.action.cmp(&b.action))
                .then_with(|| a.cause.cmp(&b.cause))
        });
        BatchReport {
            events: self.events,
            groups,
        }
    }
}
