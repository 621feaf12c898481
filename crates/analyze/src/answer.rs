//! One request decided through the shared preparation (`World::prepare`) with Discovery, and
//! the parts of the answer the analyses report about it.

use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::{
    Decision, Discovery, EvaluationOptions, Formula, KeyKnowledge, Layer, StatementDiscovery,
    Unknowns,
};
use iamwhy_policy::document::Effect;
use iamwhy_world::{Question, World};
use serde::Serialize;

/// The statements of an allowed request, split by their part in it.
#[derive(Debug, Clone, Serialize)]
pub struct Grant {
    /// Allowed for some values of the unknown keys: the conditions that must hold (Discovery;
    /// `true` = whatever they are).
    pub allowed_when: Formula,
    /// The strict decision with the context as given and inferred (missing keys treated as AWS
    /// treats them).
    pub strict_decision: Decision,
    /// The Allow statements of the grant layers (identity, resource, session) that apply or
    /// may apply.
    pub granting: Vec<StatementDiscovery>,
    /// What limits it: every Deny statement that may apply, and the guardrails' (SCP, RCP,
    /// boundary, VPC endpoint) Allow statements that must apply.
    pub guardrails: Vec<StatementDiscovery>,
    /// The guardrail layers present for this request.
    pub guardrail_layers: Vec<Layer>,
    /// Notes of the preparation and of Discovery.
    pub notes: Vec<String>,
}

/// The unknowns of the analyses: the keys the request lacks (and, for a role, its session
/// name) — as `check --discover`.
pub fn default_unknowns() -> Unknowns {
    Unknowns::missing_keys()
}

/// The unknowns for a principal class (any principal of an account): who exactly asks is not
/// known, so the keys that name the caller become terms.
pub(crate) fn class_unknowns(named: bool) -> Unknowns {
    let u = Unknowns::missing_keys();
    if named {
        return u;
    }
    [
        "aws:PrincipalArn",
        "aws:userid",
        "aws:username",
        "aws:PrincipalType",
        "aws:PrincipalTag/*",
        "aws:PrincipalIsAWSService",
    ]
    .iter()
    .fold(u, |u, k| u.with_key(k, KeyKnowledge::Unknown))
}

/// Whether a Discovery answer allows for some values.
pub(crate) fn allows(d: &Discovery) -> bool {
    d.decision == Decision::Allowed
}

/// Decide `question` on `world` with Discovery.
pub(crate) fn decide(
    world: &World,
    question: &Question,
    unknowns: &Unknowns,
) -> Result<(Discovery, Decision, Vec<String>, Vec<Layer>), Diagnostic> {
    let prepared = world.prepare(question)?;
    let opts = EvaluationOptions::default();
    let d = prepared.set.discover(&prepared.request, &opts, unknowns);
    let strict = prepared.set.decide(&prepared.request, &opts);
    Ok((d, strict, prepared.notes, guardrail_layers(&prepared.set)))
}

/// The guardrail layers a policy set has.
pub(crate) fn guardrail_layers(set: &iamwhy_engine::PolicySet) -> Vec<Layer> {
    let mut v = Vec::new();
    if !set.rcp_levels.is_empty() {
        v.push(Layer::Rcp);
    }
    if !set.scp_levels.is_empty() {
        v.push(Layer::Scp);
    }
    if set.endpoint.is_some() {
        v.push(Layer::VpcEndpoint);
    }
    if set.boundary.is_some() {
        v.push(Layer::PermissionsBoundary);
    }
    if set.session.is_some() {
        v.push(Layer::Session);
    }
    v
}

/// Split a Discovery answer into a [`Grant`].
pub(crate) fn grant(
    d: Discovery,
    strict: Decision,
    mut notes: Vec<String>,
    layers: Vec<Layer>,
) -> Grant {
    let mut granting = Vec::new();
    let mut guardrails = Vec::new();
    for s in d.statements {
        let grant_layer = matches!(s.layer, Layer::Identity | Layer::Resource | Layer::Session);
        match s.effect {
            Effect::Allow if grant_layer => granting.push(s),
            Effect::Allow => {
                if !s.conditions.is_true() {
                    guardrails.push(s)
                }
            }
            Effect::Deny => guardrails.push(s),
        }
    }
    notes.extend(d.notes);
    notes.sort();
    notes.dedup();
    Grant {
        allowed_when: d.allowed_when,
        strict_decision: strict,
        granting,
        guardrails,
        guardrail_layers: layers,
        notes,
    }
}

/// A statement as `policy / Sid (layer)`.
pub fn statement_label(s: &StatementDiscovery) -> String {
    let level = s
        .level
        .as_deref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    format!("{} / {} ({}{level})", s.policy, s.label(), s.layer.short())
}

/// The parts of a prepared request that do not depend on the action (principal, resource,
/// context and the preparation's flags), owned, so that the request for each action of a
/// group is built by moving them into [`iamwhy_engine::Request::new`] and back out again:
/// no clone of the context (dozens of strings) per action. The request built is the one
/// `World::prepare` builds for that action on the same preparation.
pub(crate) struct RequestParts {
    principal: iamwhy_engine::Principal,
    resource: iamwhy_engine::RequestResource,
    context: iamwhy_engine::Context,
    resource_account: Option<String>,
    principal_has_boundary: bool,
    principal_in_management_account: bool,
}

impl RequestParts {
    /// A copy of the action-independent parts of `base` (one clone per group).
    pub(crate) fn of(base: &iamwhy_engine::Request) -> RequestParts {
        RequestParts {
            principal: base.principal.clone(),
            resource: base.resource.clone(),
            context: base.context.clone(),
            resource_account: base.resource_account.clone(),
            principal_has_boundary: base.principal_has_boundary,
            principal_in_management_account: base.principal_in_management_account,
        }
    }

    /// The request for `action` made of these parts.
    pub(crate) fn into_request(self, action: &str) -> Result<iamwhy_engine::Request, Diagnostic> {
        let mut req =
            iamwhy_engine::Request::new(self.principal, action, self.resource, self.context)?;
        req.resource_account = self.resource_account;
        req.principal_has_boundary = self.principal_has_boundary;
        req.principal_in_management_account = self.principal_in_management_account;
        Ok(req)
    }

    /// The parts back out of a request built by [`RequestParts::into_request`].
    pub(crate) fn from_request(req: iamwhy_engine::Request) -> RequestParts {
        RequestParts {
            principal: req.principal,
            resource: req.resource,
            context: req.context,
            resource_account: req.resource_account,
            principal_has_boundary: req.principal_has_boundary,
            principal_in_management_account: req.principal_in_management_account,
        }
    }
}
