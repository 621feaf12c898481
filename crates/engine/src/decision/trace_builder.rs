//! Building the [`Evaluation`] for a decided request: the recorded statements of every layer,
//! what could not be evaluated, and which context keys were missing.

use super::layer::{Decision, Layer};
use super::policy_set::{OrgLevel, PolicyList, PolicySet};
use super::trace::*;
use super::verdict::{OrgVerdict, Verdict, Verdicts};
use super::{Facts, Outcome};
use crate::request::Request;
use crate::statement::EvaluationOptions;
use crate::tri::Tri;
use iamwhy_policy::document::Effect;
use std::collections::BTreeMap;

struct Collector<'a> {
    req: &'a Request,
    opts: &'a EvaluationOptions,
    unevaluable: Vec<Unevaluable>,
    missing: BTreeMap<String, MissingKey>,
}

impl Collector<'_> {
    /// Record every statement of `list` whose action, resource and principal match.
    fn statements(
        &mut self,
        layer: Layer,
        list: &PolicyList,
        level: Option<&str>,
    ) -> (Vec<MatchedStatement>, Vec<MatchedStatement>) {
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        let mut refs: Vec<_> = list.candidates(self.req.service()).collect();
        refs.sort_by_key(|(r, _, _)| *r);
        for (_, policy, s) in refs {
            if !s.action_matches(self.req) || !s.resource_matches(self.req) {
                continue;
            }
            let detail = s.evaluate(self.req, self.opts);
            if detail.principal.as_ref().is_some_and(|p| !p.applies) {
                continue;
            }
            for c in &detail.conditions {
                if c.request_values.is_none() {
                    let entry =
                        self.missing
                            .entry(c.key.to_lowercase())
                            .or_insert_with(|| MissingKey {
                                key: c.key.clone(),
                                layers: Vec::new(),
                            });
                    if !entry.layers.contains(&layer) {
                        entry.layers.push(layer);
                    }
                }
            }
            if detail.applies == Tri::Unknown {
                let reason = detail
                    .conditions
                    .iter()
                    .filter(|c| c.outcome == Tri::Unknown)
                    .filter_map(|c| c.note.clone())
                    .next()
                    .unwrap_or_else(|| "a condition cannot be evaluated".into());
                self.unevaluable.push(Unevaluable {
                    layer,
                    policy: policy.name.clone(),
                    statement: s.label(),
                    start: s.start,
                    reason,
                    assumed: match s.effect {
                        Effect::Deny => "the Deny was applied (conservative default)".into(),
                        Effect::Allow => "the Allow was not applied (conservative default)".into(),
                    },
                });
            }
            if !detail.effective {
                continue;
            }
            let m = MatchedStatement {
                layer,
                policy: policy.name.clone(),
                source: policy.source.clone(),
                file_span: policy.file_span,
                level: level.map(str::to_string),
                sid: s.sid.clone(),
                index: s.index,
                effect: s.effect,
                start: s.start,
                end: s.end,
                detail,
            };
            match s.effect {
                Effect::Allow => allows.push(m),
                Effect::Deny => denies.push(m),
            }
        }
        (allows, denies)
    }
}

fn status(v: &Verdict) -> LayerStatus {
    if !v.present {
        LayerStatus::Absent
    } else if v.deny {
        LayerStatus::Deny
    } else if v.allow {
        LayerStatus::Allow
    } else {
        LayerStatus::NoAllow
    }
}

fn org_status(v: &OrgVerdict) -> LayerStatus {
    if v.levels.is_empty() {
        LayerStatus::Absent
    } else if v.first_deny().is_some() {
        LayerStatus::Deny
    } else if v.first_level_without_allow().is_some() {
        LayerStatus::NoAllow
    } else {
        LayerStatus::Allow
    }
}

pub(crate) fn build(
    set: &PolicySet,
    req: &Request,
    opts: &EvaluationOptions,
    facts: &Facts,
    v: &Verdicts,
    outcome: Outcome,
) -> Evaluation {
    let mut c = Collector {
        req,
        opts,
        unevaluable: Vec::new(),
        missing: BTreeMap::new(),
    };
    let mut layers = Vec::new();

    let mut org_layer = |c: &mut Collector,
                         layer: Layer,
                         levels: &[OrgLevel],
                         verdict: &OrgVerdict,
                         applies: bool,
                         exemption: Option<String>| {
        if levels.is_empty() {
            return;
        }
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        let mut level_reports = Vec::new();
        for (level, lv) in levels.iter().zip(&verdict.levels) {
            let (a, d) = c.statements(layer, &level.policies, Some(&level.target));
            allows.extend(a);
            denies.extend(d);
            level_reports.push(LevelReport {
                target: level.target.clone(),
                status: status(lv),
            });
        }
        layers.push(LayerReport {
            layer,
            status: if applies {
                org_status(verdict)
            } else {
                LayerStatus::NotApplicable
            },
            required: outcome.required.contains(&layer),
            levels: level_reports,
            allows,
            denies,
            note: exemption,
        });
    };
    org_layer(
        &mut c,
        Layer::Rcp,
        &set.rcp_levels,
        &v.rcp,
        facts.rcp_applies,
        facts.rcp_exemption.clone(),
    );
    org_layer(
        &mut c,
        Layer::Scp,
        &set.scp_levels,
        &v.scp,
        facts.scp_applies,
        facts.scp_exemption.map(str::to_string),
    );

    for (layer, list, verdict) in [
        (Layer::VpcEndpoint, set.endpoint.as_ref(), &v.endpoint),
        (Layer::Resource, set.resource.as_ref(), &v.resource),
        (Layer::Identity, Some(&set.identity), &v.identity),
        (
            Layer::PermissionsBoundary,
            set.boundary.as_ref(),
            &v.boundary,
        ),
        (Layer::Session, set.session.as_ref(), &v.session),
    ] {
        let Some(list) = list else {
            continue;
        };
        if layer == Layer::Identity && list.is_empty() && !req.principal.is_iam_identity() {
            continue;
        }
        let (allows, denies) = c.statements(layer, list, None);
        let note = match layer {
            Layer::Resource => facts.resource_policy_required.map(str::to_string),
            _ => None,
        };
        layers.push(LayerReport {
            layer,
            status: status(verdict),
            required: outcome.required.contains(&layer),
            levels: Vec::new(),
            allows,
            denies,
            note,
        });
    }

    let mut deciding: Vec<MatchedStatement> = match outcome.decision {
        Decision::ExplicitDeny => layers
            .iter()
            .filter(|l| outcome.blocked_by.contains(&l.layer))
            .flat_map(|l| l.denies.iter().cloned())
            .collect(),
        Decision::Allowed => layers
            .iter()
            .filter(|l| {
                outcome.required.contains(&l.layer)
                    || (l.layer == Layer::Resource && outcome.grant.is_some())
            })
            .flat_map(|l| l.allows.iter().cloned())
            .collect(),
        Decision::ImplicitDeny => Vec::new(),
    };
    // The grants first: identity and resource policies, then the limits that also allowed
    // (boundary, session policy), then the guardrails.
    if outcome.decision == Decision::Allowed {
        deciding.sort_by_key(|m| match m.layer {
            Layer::Identity | Layer::Resource => 0,
            Layer::PermissionsBoundary | Layer::Session => 1,
            Layer::VpcEndpoint | Layer::Scp | Layer::Rcp => 2,
        });
    }

    let level_name = |layer: Layer, i: usize| -> Option<String> {
        match layer {
            Layer::Scp => set.scp_levels.get(i).map(|l| l.target.clone()),
            Layer::Rcp => set.rcp_levels.get(i).map(|l| l.target.clone()),
            _ => None,
        }
    };
    let mut notes = outcome.notes;
    notes.extend(catalog_notes(req));
    if facts.assumed_resource_account {
        notes.push(
            "the resource's owner account is not known; it was taken to be the principal's account"
                .into(),
        );
    }
    Evaluation {
        decision: outcome.decision,
        reason: Reason {
            layer: outcome.layer,
            level: outcome
                .layer
                .zip(outcome.level)
                .and_then(|(l, i)| level_name(l, i)),
            summary: outcome.summary,
        },
        layers,
        blocked_by: outcome.blocked_by,
        deciding,
        grant: outcome.grant,
        unevaluable: c.unevaluable,
        missing_context_keys: c.missing.into_values().collect(),
        notes,
    }
}

/// What the service catalog says about the request that the reader should know: an action it
/// does not know (AWS would reject the call), or a resource that does not fit the action.
fn catalog_notes(req: &Request) -> Vec<String> {
    use crate::request::RequestResource;
    let catalog = iamwhy_catalog::catalog();
    let mut notes = Vec::new();
    let Some(action) = catalog.action(&req.action) else {
        let hint = catalog
            .suggest_actions(&req.action)
            .first()
            .map(|a| format!(" (did you mean {a}?)"))
            .unwrap_or_default();
        notes.push(format!(
            "the service catalog ({}) does not know the action {}{hint}; AWS rejects unknown actions, and no policy's wildcard can be checked against them faithfully",
            iamwhy_catalog::DATA_DATE,
            req.action
        ));
        return notes;
    };
    match (&req.resource, action.is_wildcard_only()) {
        (RequestResource::Arn { arn, .. }, true) => notes.push(format!(
            "{action} takes no resource: AWS authorizes it against \"*\", so statements that name {arn} or any other ARN do not apply to it"
        )),
        (RequestResource::Any, false) => notes.push(format!(
            "{action} acts on {}; with the resource \"*\" only statements whose Resource is \"*\" apply",
            action.arn_templates().join(", ")
        )),
        _ => {}
    }
    notes
}
