//! Statement-level evaluation: does one statement apply to one request, and why.
//!
//! [`StatementResult`] is the plain data type every explanation is built from: for each
//! element whether it matched, for each condition the key, operator, policy values after
//! substitution, request values and outcome.

use crate::compile::{CompiledResources, CompiledStatement};
use crate::condition::ConditionResult;
use crate::principal::{NotPrincipalMode, PrincipalMatch};
use crate::request::{Request, RequestResource};
use crate::tri::Tri;
use iamwhy_diagnostic::Position;
use iamwhy_policy::document::Effect;
use serde::Serialize;

/// Settings that choose between documented readings where AWS's documentation is ambiguous.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct EvaluationOptions {
    /// How `NotPrincipal` exemptions are read (docs/spec-notes.md).
    pub not_principal: NotPrincipalMode,
    /// Whether an implicit deny in a session policy limits a same-account resource policy
    /// that names the session directly (docs/spec-notes.md). AWS's documentation says it does not
    /// (the default, `false`); one empirical engine says it does.
    pub session_policy_limits_direct_session_grants: bool,
}

/// How the principal element of a statement related to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalOutcome {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// For `Principal`: the best match of any entry.
    pub matched: PrincipalMatch,
    /// Whether the principal test passed (for `NotPrincipal`: the caller is not exempt).
    pub applies: bool,
    /// Ambiguities and special rules worth telling the user.
    pub note: Option<String>,
}

/// What one statement did for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementResult {
    /// 0-based statement index.
    pub index: usize,
    /// The Sid, if any.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where the statement starts (its `{`).
    pub start: Position,
    /// Where it ends (just past its `}`).
    pub end: Position,
    /// The principal test; `None` when the statement has no principal element.
    pub principal: Option<PrincipalOutcome>,
    /// Whether Action/NotAction matched the request action.
    pub action_matched: bool,
    /// Whether Resource/NotResource matched (true when the statement has none, as in trust
    /// policies).
    pub resource_matched: bool,
    /// Each condition (recorded only in detailed evaluations).
    pub conditions: Vec<ConditionResult>,
    /// All conditions AND-ed.
    pub condition_outcome: Tri,
    /// Every test together.
    pub applies: Tri,
    /// Whether the statement takes effect, after the conservative default for conditions
    /// that cannot be evaluated: a Deny applies, an Allow does not.
    pub effective: bool,
}

/// The fast answer for one statement: does it take effect, and how did the principal match?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicability {
    /// Whether the statement takes effect (after the conservative default).
    pub effective: bool,
    /// The raw outcome.
    pub applies: Tri,
    /// The principal match (`Direct` when the statement has no principal element).
    pub principal_match: PrincipalMatch,
}

impl CompiledStatement {
    /// Does the statement's Action/NotAction match the request?
    pub fn action_matches(&self, req: &Request) -> bool {
        let any = self
            .actions
            .patterns
            .iter()
            .any(|p| p.matches(req.service(), req.action_name_lower()));
        any != self.actions.negated
    }

    /// Does the statement's Resource/NotResource match the request?
    pub fn resource_matches(&self, req: &Request) -> bool {
        match &self.resources {
            None => true,
            Some(r) => resources_match(r, req, self.effect),
        }
    }

    pub(crate) fn principal_outcome(
        &self,
        req: &Request,
        opts: &EvaluationOptions,
    ) -> Option<PrincipalOutcome> {
        let Some(p) = self.principal.as_ref() else {
            return self.requires_principal.then(|| {
                PrincipalOutcome {
                negated: false,
                matched: PrincipalMatch::NoMatch,
                applies: false,
                note: Some(
                    "the statement has no Principal, so in this kind of policy it applies to nobody"
                        .to_string(),
                ),
            }
            });
        };
        if !p.negated {
            let matched = p.best_match(&req.principal);
            return Some(PrincipalOutcome {
                negated: false,
                matched,
                applies: matched != PrincipalMatch::NoMatch,
                note: None,
            });
        }
        if self.effect == Effect::Deny && req.principal_has_boundary {
            return Some(PrincipalOutcome {
                negated: true,
                matched: PrincipalMatch::NoMatch,
                applies: true,
                note: Some(
                    "a Deny with NotPrincipal always applies to a principal that has a permissions boundary"
                        .to_string(),
                ),
            });
        }
        let strict = p.exempts(&req.principal, NotPrincipalMode::Strict);
        let lenient = p.exempts(&req.principal, NotPrincipalMode::Lenient);
        let mode = match (opts.not_principal, self.effect) {
            (NotPrincipalMode::Conservative, Effect::Deny) => NotPrincipalMode::Strict,
            (NotPrincipalMode::Conservative, Effect::Allow) => NotPrincipalMode::Lenient,
            (m, _) => m,
        };
        let exempt = if mode == NotPrincipalMode::Strict {
            strict
        } else {
            lenient
        };
        let note = (strict != lenient).then(|| {
            format!(
                "ambiguous NotPrincipal: the caller is {} only if listing part of its identity chain is enough (AWS advises listing the account, the role and the session); evaluated as {}",
                if lenient { "exempt" } else { "not exempt" },
                if mode == NotPrincipalMode::Strict { "strict" } else { "lenient" }
            )
        });
        Some(PrincipalOutcome {
            negated: true,
            matched: PrincipalMatch::NoMatch,
            applies: !exempt,
            note,
        })
    }

    /// Evaluate quickly: stop at the first failing test, record nothing.
    pub fn applicability(&self, req: &Request, opts: &EvaluationOptions) -> Applicability {
        let no = Applicability {
            effective: false,
            applies: Tri::False,
            principal_match: PrincipalMatch::NoMatch,
        };
        if !self.action_matches(req) || !self.resource_matches(req) {
            return no;
        }
        let principal_match = match self.principal_outcome(req, opts) {
            None => PrincipalMatch::Direct,
            Some(o) if !o.applies => return no,
            Some(o) if o.negated => PrincipalMatch::Direct,
            Some(o) => o.matched,
        };
        let mut applies = Tri::True;
        for c in self.conditions.iter() {
            applies = applies.and(c.evaluate(&req.context, false).0);
            if applies == Tri::False {
                return no;
            }
        }
        Applicability {
            effective: effective(self.effect, applies),
            applies,
            principal_match,
        }
    }

    /// Evaluate every test and record what happened.
    pub fn evaluate(&self, req: &Request, opts: &EvaluationOptions) -> StatementResult {
        let action_matched = self.action_matches(req);
        let resource_matched = self.resource_matches(req);
        let principal = self.principal_outcome(req, opts);
        let mut conditions = Vec::with_capacity(self.conditions.len());
        let mut condition_outcome = Tri::True;
        for c in self.conditions.iter() {
            let (t, r) = c.evaluate(&req.context, true);
            condition_outcome = condition_outcome.and(t);
            conditions.extend(r);
        }
        let elements =
            action_matched && resource_matched && principal.as_ref().is_none_or(|p| p.applies);
        let applies = Tri::from_bool(elements).and(condition_outcome);
        StatementResult {
            index: self.index,
            sid: self.sid.clone(),
            effect: self.effect,
            start: self.start,
            end: self.end,
            principal,
            action_matched,
            resource_matched,
            conditions,
            condition_outcome,
            applies,
            effective: effective(self.effect, applies),
        }
    }
}

fn effective(effect: Effect, applies: Tri) -> bool {
    match applies {
        Tri::True => true,
        Tri::False => false,
        Tri::Unknown => effect == Effect::Deny,
    }
}

fn resources_match(r: &CompiledResources, req: &Request, effect: Effect) -> bool {
    let resolve = |k: &str| req.context.single_lower(k);
    if let RequestResource::Pattern { fields, .. } = &req.resource {
        return pattern_resources_match(r, fields, effect, req);
    }
    let any = match &req.resource {
        RequestResource::Any => r
            .patterns
            .iter()
            .any(|p| matches!(p, iamwhy_policy::arn::ResourcePattern::All)),
        RequestResource::Arn { target, .. } => {
            r.patterns.iter().any(|p| p.matches(target, resolve))
        }
        RequestResource::Other(_) => r
            .patterns
            .iter()
            .any(|p| matches!(p, iamwhy_policy::arn::ResourcePattern::All)),
        RequestResource::Pattern { .. } => unreachable!("handled above"),
    };
    any != r.negated
}

/// Resource patterns in requests: against a wildcard request, `Resource` in an Allow needs an overlap and in a
/// Deny needs to cover the pattern; `NotResource` uses the opposite relation (an Allow's
/// NotResource excludes the request only if it covers it, a Deny's NotResource excludes it
/// if it overlaps).
fn pattern_resources_match(
    r: &CompiledResources,
    fields: &[Vec<iamwhy_policy::wildcard::Token>; 6],
    effect: Effect,
    req: &Request,
) -> bool {
    use iamwhy_policy::arn::ResourcePattern;
    use iamwhy_policy::relation::{covers, overlaps};
    let use_cover = (effect == Effect::Deny) != r.negated;
    let any = r.patterns.iter().any(|p| match p {
        ResourcePattern::All => true,
        ResourcePattern::Never { .. } => false,
        ResourcePattern::Arn(arn) => {
            (0..6).all(
                |i| match arn.field_tokens(i, |k| req.context.single_lower(k)) {
                    Some(policy) => {
                        if use_cover {
                            covers(&policy, &fields[i])
                        } else {
                            overlaps(&policy, &fields[i])
                        }
                    }
                    None => false,
                },
            )
        }
    });
    any != r.negated
}
