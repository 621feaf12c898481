//! Discovery: "under which condition values would this request be allowed?"
//!
//! A strict evaluation decides a request with the context it is given, applying the
//! missing-key rules to keys it lacks. Discovery instead treats some keys as *unknown* (by
//! default: the keys the request lacks, see [`Unknowns`]) and reports the conditions on them
//! as a [`Formula`]: the request is allowed exactly when the formula holds. Keys that are known
//! are evaluated as in a strict evaluation.
//!
//! How it works: every statement whose action, resource and principal match becomes a formula
//! over its unknown conditions (known conditions are evaluated; a failing one drops the
//! statement). Each layer's "an Allow applies" and "a Deny applies" are the disjunctions of
//! its statements' formulas. The decision rules are not re-implemented: the explicit-deny rule
//! and the guardrails are conjunctive (no Deny applies anywhere, every guardrail allows), and
//! the grant rules (resource-policy grant kinds, identity, boundary, session, same- and
//! cross-account) are read off [`crate::decision`]'s own rule function, called once for each
//! combination of the grant layers' verdicts that the unknowns leave open (at most 2⁷).

pub mod formula;
mod unknowns;

pub use formula::{ConditionTerm, Formula, Literal, Term, TermSource};
pub use unknowns::{KeyKnowledge, UnknownDefault, Unknowns};

use crate::compile::{CompiledPolicy, CompiledStatement};
use crate::condition::CompiledCondition;
use crate::context::Context;
use crate::decision::verdict::{OrgVerdict, Verdict, Verdicts};
use crate::decision::{Decision, Facts, Layer, PolicyList, PolicySet, decide_from_verdicts};
use crate::principal::{Principal, PrincipalKind, PrincipalMatch};
use crate::request::Request;
use crate::statement::EvaluationOptions;
use crate::tri::Tri;
use iamwhy_diagnostic::Position;
use iamwhy_policy::arn::ResourcePattern;
use iamwhy_policy::document::Effect;
use serde::Serialize;
use std::sync::Arc;

/// One statement that applies, or applies for some values of the unknowns.
#[derive(Debug, Clone, Serialize)]
pub struct StatementDiscovery {
    /// Its layer.
    pub layer: Layer,
    /// For SCPs and RCPs: the root, OU or account the policy is attached to.
    pub level: Option<String>,
    /// Policy name or id.
    pub policy: String,
    /// Where the policy came from (file and JSON path), when known.
    pub source: Option<String>,
    /// The Sid, if any.
    pub sid: Option<String>,
    /// 0-based index in the policy.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where it starts (its `{`).
    pub start: Position,
    /// Where it ends (just past its `}`).
    pub end: Position,
    /// How the principal element matched the caller whatever its session name (`Direct` when
    /// the statement has no principal element; `NoMatch` when it matches only through
    /// `session_names`).
    pub principal_match: PrincipalMatch,
    /// When the session name is unknown: the sessions of the caller's role that the principal
    /// element names; the statement names the caller directly if its session is one of them.
    pub session_names: Vec<String>,
    /// Its conditions on unknown values: the statement applies (given its principal match)
    /// exactly when this holds. `true` when none of its conditions depends on an unknown.
    pub conditions: Formula,
    /// The statement as the source of its terms.
    #[serde(skip)]
    term_source: Arc<TermSource>,
}

impl StatementDiscovery {
    /// The Sid, or `#n` (1-based) when there is none.
    pub fn label(&self) -> String {
        self.term_source.label()
    }

    /// The statement as the source of a term.
    pub fn source_ref(&self) -> &TermSource {
        &self.term_source
    }

    /// The session-name term, when the statement names sessions of the caller's role.
    fn session_term(&self) -> Option<Formula> {
        (!self.session_names.is_empty()).then(|| {
            Formula::term(
                Term::SessionName {
                    names: self.session_names.clone(),
                },
                self.term_source.clone(),
            )
        })
    }

    /// When the statement applies: its principal match (unconditional, or through the session
    /// name) and its conditions.
    pub fn applies_when(&self) -> Formula {
        let principal = if self.principal_match != PrincipalMatch::NoMatch {
            Formula::True
        } else {
            self.session_term().unwrap_or(Formula::False)
        };
        principal.and(self.conditions.clone())
    }

    /// The conditions of the statement that depend on unknown values (the terms of
    /// [`StatementDiscovery::conditions`]).
    pub fn unknown_conditions(&self) -> Vec<&ConditionTerm> {
        self.conditions
            .literals()
            .into_iter()
            .filter_map(|l| match &*l.term {
                Term::Condition(c) => Some(c),
                Term::SessionName { .. } => None,
            })
            .collect()
    }
}

/// The answer of a Discovery evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    /// `Allowed` when some values of the unknowns allow the request (`allowed_when` is not
    /// `false`); otherwise the denial that holds whatever they are: `ExplicitDeny` when a Deny
    /// applies for every value, `ImplicitDeny` otherwise.
    pub decision: Decision,
    /// One sentence.
    pub summary: String,
    /// The request is allowed exactly when this holds: `true` for "whatever the unknown values
    /// are", `false` for "never".
    pub allowed_when: Formula,
    /// For a denial: the guardrails that turn it down (as in a strict evaluation).
    pub blocked_by: Vec<Layer>,
    /// Every statement that applies or may apply, in evaluation order of the layers (RCP, SCP,
    /// VPC endpoint, resource, identity, boundary, session) and document order within each.
    pub statements: Vec<StatementDiscovery>,
    /// The context keys whose conditions became terms, as first written in a policy.
    pub unknown_keys: Vec<String>,
    /// Whether the caller's role session name was treated as unknown.
    pub session_name_unknown: bool,
    /// Whether some statement that may apply names a session of the caller's role, so that
    /// the answer depends on the session name.
    pub session_name_consulted: bool,
    /// What Discovery could not vary or evaluate, and other facts worth telling.
    pub notes: Vec<String>,
}

/// The per-layer formulas: "an Allow applies", "a Deny applies", and for the resource layer
/// "an Allow applies whose principal match is exactly this kind".
struct LayerFormulas {
    present: bool,
    allow: Formula,
    deny: Formula,
    /// Indexed by [`kind_index`]: Account, SessionRole, SessionUser, Direct.
    by_match: [Formula; 4],
}

const KINDS: [PrincipalMatch; 4] = [
    PrincipalMatch::Account,
    PrincipalMatch::SessionRole,
    PrincipalMatch::SessionUser,
    PrincipalMatch::Direct,
];

fn kind_index(m: PrincipalMatch) -> Option<usize> {
    KINDS.iter().position(|k| *k == m)
}

impl LayerFormulas {
    fn absent() -> LayerFormulas {
        LayerFormulas {
            present: false,
            allow: Formula::False,
            deny: Formula::False,
            by_match: [
                Formula::False,
                Formula::False,
                Formula::False,
                Formula::False,
            ],
        }
    }

    /// The verdict when every unknown is as favourable as it can be on its own.
    fn optimistic(&self) -> Verdict {
        let best_allow = (0..4)
            .rev()
            .find(|&i| !self.by_match[i].is_false())
            .map(|i| KINDS[i])
            .unwrap_or(PrincipalMatch::NoMatch);
        Verdict {
            present: self.present,
            allow: !self.allow.is_false(),
            deny: self.deny.is_true(),
            best_allow,
        }
    }
}

/// How a condition is treated.
enum Treatment {
    /// Evaluate it as in a strict evaluation.
    Evaluate,
    /// Report it as a term.
    Term,
}

struct Scanner<'a> {
    req: &'a Request,
    opts: &'a EvaluationOptions,
    unknowns: &'a Unknowns,
    session_unknown: bool,
    /// The caller as matched when its session name is unknown: a role session without its
    /// session ARN (so only its role, account and unique id can match unconditionally).
    matched_principal: std::borrow::Cow<'a, Principal>,
    statements: Vec<StatementDiscovery>,
    notes: Vec<String>,
}

impl Scanner<'_> {
    fn treatment(&self, c: &CompiledCondition) -> Treatment {
        let ctx = &self.req.context;
        if c.operator().is_err() {
            // An operator iamwhy cannot read cannot be evaluated for any value.
            return Treatment::Evaluate;
        }
        if c.variable_keys()
            .any(|k| self.unknowns.knowledge(k, ctx) != KeyKnowledge::Known)
        {
            return Treatment::Term;
        }
        let is_null = c
            .operator()
            .is_ok_and(|o| o.base == iamwhy_policy::condition_operator::BaseOperator::Null);
        match self.unknowns.knowledge(c.key_lower(), ctx) {
            KeyKnowledge::Known => Treatment::Evaluate,
            KeyKnowledge::PresenceOnly if is_null || ctx.get_lower(c.key_lower()).is_none() => {
                Treatment::Evaluate
            }
            KeyKnowledge::PresenceOnly | KeyKnowledge::Unknown => Treatment::Term,
        }
    }

    /// Note a Resource element whose policy variables name keys Discovery does not vary.
    fn note_resource_variables(&mut self, policy: &CompiledPolicy, s: &CompiledStatement) {
        let Some(r) = &s.resources else { return };
        let ctx = &self.req.context;
        for p in &r.patterns {
            if let ResourcePattern::Arn(a) = p {
                for k in a.variable_keys() {
                    if self.unknowns.knowledge(k, ctx) != KeyKnowledge::Known {
                        let note = format!(
                            "statement {} of {} uses ${{{k}}} in its Resource element: Discovery resolves it from the context as given ({}), it does not vary it",
                            s.label(),
                            policy.name,
                            match ctx.single_lower(k) {
                                Some(v) => format!("\"{v}\""),
                                None => "absent, so the pattern does not match".to_string(),
                            }
                        );
                        if !self.notes.contains(&note) {
                            self.notes.push(note);
                        }
                    }
                }
            }
        }
    }

    /// One statement: `None` when it cannot apply whatever the unknowns are.
    fn statement(
        &mut self,
        layer: Layer,
        level: Option<&str>,
        policy: &CompiledPolicy,
        s: &CompiledStatement,
    ) -> Option<StatementDiscovery> {
        let req = self.req;
        if !s.action_matches(req) {
            return None;
        }
        self.note_resource_variables(policy, s);
        if !s.resource_matches(req) {
            return None;
        }
        let (principal_match, session_names) = match &s.principal {
            None if s.requires_principal => return None,
            None => (PrincipalMatch::Direct, Vec::new()),
            Some(p) if p.negated => {
                if self.session_unknown {
                    self.note_once(
                        "NotPrincipal is evaluated with the caller as given: Discovery does not vary the session name for it",
                    );
                }
                match s.principal_outcome(req, self.opts) {
                    Some(o) if o.applies => (PrincipalMatch::Direct, Vec::new()),
                    _ => return None,
                }
            }
            Some(p) => {
                let m = p.best_match(&self.matched_principal);
                let sessions = if self.session_unknown && m != PrincipalMatch::Direct {
                    p.sessions_of_role(&req.principal)
                } else {
                    Vec::new()
                };
                if m == PrincipalMatch::NoMatch && sessions.is_empty() {
                    return None;
                }
                (m, sessions)
            }
        };
        let source = Arc::new(TermSource {
            layer,
            level: level.map(str::to_string),
            policy: policy.name.clone(),
            sid: s.sid.clone(),
            index: s.index,
            effect: s.effect,
            start: s.start,
        });
        let ctx: &Context = &req.context;
        let mut known = Tri::True;
        let mut terms = Vec::new();
        for (i, c) in s.conditions.iter().enumerate() {
            match self.treatment(c) {
                Treatment::Evaluate => {
                    let t = c.evaluate(ctx, false).0;
                    if t == Tri::Unknown {
                        self.notes.push(format!(
                            "statement {} of {}: {} {} cannot be evaluated; as in a strict evaluation {}",
                            s.label(),
                            policy.name,
                            c.operator_text,
                            c.key,
                            match s.effect {
                                Effect::Deny => "the Deny is applied",
                                Effect::Allow => "the Allow is not applied",
                            }
                        ));
                    }
                    known = known.and(t);
                    if known == Tri::False {
                        return None;
                    }
                }
                Treatment::Term => terms.push(Formula::term(
                    Term::Condition(ConditionTerm::new(
                        &s.conditions,
                        i,
                        c.display_values(ctx),
                        s.effect == Effect::Deny,
                    )),
                    source.clone(),
                )),
            }
        }
        // An Allow applies only when its conditions hold; a Deny unless one of them fails
        // (a condition that cannot be evaluated counts as holding).
        if s.effect == Effect::Allow && known != Tri::True {
            return None;
        }
        Some(StatementDiscovery {
            layer,
            level: source.level.clone(),
            policy: policy.name.clone(),
            source: policy.source.clone(),
            sid: s.sid.clone(),
            index: s.index,
            effect: s.effect,
            start: s.start,
            end: s.end,
            principal_match,
            session_names,
            conditions: Formula::all(terms),
            term_source: source,
        })
    }

    fn note_once(&mut self, note: &str) {
        if !self.notes.iter().any(|n| n == note) {
            self.notes.push(note.to_string());
        }
    }

    /// Every statement of a list that may apply, and the layer's formulas.
    fn layer(&mut self, layer: Layer, list: &PolicyList, level: Option<&str>) -> LayerFormulas {
        let mut refs: Vec<_> = list.candidates(self.req.service()).collect();
        refs.sort_unstable_by_key(|(r, _, _)| *r);
        let mut allows = Vec::new();
        let mut denies = Vec::new();
        let mut by_match: [Vec<Formula>; 4] = Default::default();
        for (_, policy, s) in refs {
            let Some(d) = self.statement(layer, level, policy, s) else {
                continue;
            };
            let applies = d.applies_when();
            match d.effect {
                Effect::Deny => denies.push(applies),
                Effect::Allow => {
                    if let Some(i) = kind_index(d.principal_match) {
                        by_match[i].push(d.conditions.clone());
                    }
                    if let Some(sn) = d.session_term() {
                        by_match[3].push(sn.and(d.conditions.clone()));
                    }
                    allows.push(applies);
                }
            }
            self.statements.push(d);
        }
        LayerFormulas {
            present: true,
            allow: Formula::any(allows),
            deny: Formula::any(denies),
            by_match: by_match.map(Formula::any),
        }
    }

    fn optional(&mut self, layer: Layer, list: Option<&PolicyList>) -> LayerFormulas {
        match list {
            Some(l) => self.layer(layer, l, None),
            None => LayerFormulas::absent(),
        }
    }
}

/// The grant layers whose verdicts the grant rules read.
struct Grants<'a> {
    identity: &'a LayerFormulas,
    identity_present: bool,
    boundary: &'a LayerFormulas,
    session: &'a LayerFormulas,
    resource: &'a LayerFormulas,
}

impl Grants<'_> {
    /// The seven verdict bits the grant rules read: a resource Allow by each principal-match
    /// kind (bits 0-3, in [`KINDS`] order), and identity, boundary and session allow (4-6).
    fn bits(&self) -> [&Formula; 7] {
        [
            &self.resource.by_match[0],
            &self.resource.by_match[1],
            &self.resource.by_match[2],
            &self.resource.by_match[3],
            &self.identity.allow,
            &self.boundary.allow,
            &self.session.allow,
        ]
    }

    /// The verdicts for one assignment of the bits; guardrails pass and nothing denies.
    fn verdicts(&self, set: &PolicySet, bit: impl Fn(usize) -> bool) -> Verdicts {
        let passing = |levels: usize| OrgVerdict {
            levels: vec![
                Verdict {
                    present: true,
                    allow: true,
                    deny: false,
                    best_allow: PrincipalMatch::NoMatch,
                };
                levels
            ],
        };
        let best_allow = (0..4)
            .rev()
            .find(|&i| bit(i))
            .map(|i| KINDS[i])
            .unwrap_or(PrincipalMatch::NoMatch);
        let plain = |present: bool, allow: bool| Verdict {
            present,
            allow,
            deny: false,
            best_allow: PrincipalMatch::NoMatch,
        };
        Verdicts {
            identity: plain(self.identity_present, bit(4)),
            boundary: plain(self.boundary.present, bit(5)),
            session: plain(self.session.present, bit(6)),
            resource: Verdict {
                present: self.resource.present,
                allow: best_allow != PrincipalMatch::NoMatch,
                deny: false,
                best_allow,
            },
            endpoint: plain(set.endpoint.is_some(), true),
            scp: passing(set.scp_levels.len()),
            rcp: passing(set.rcp_levels.len()),
        }
    }

    /// "The grant rules allow", as a formula over the bits' formulas.
    fn formula(
        &self,
        set: &PolicySet,
        req: &Request,
        facts: &Facts,
        opts: &EvaluationOptions,
    ) -> Formula {
        let bits = self.bits();
        let open: Vec<usize> = (0..7)
            .filter(|&i| !bits[i].is_true() && !bits[i].is_false())
            .collect();
        let k = open.len();
        let allowed: Vec<bool> = (0..1usize << k)
            .map(|mask| {
                let bit = |i: usize| match open.iter().position(|&o| o == i) {
                    Some(j) => mask & (1 << j) != 0,
                    None => bits[i].is_true(),
                };
                let v = self.verdicts(set, bit);
                decide_from_verdicts(req, facts, &v, opts).decision == Decision::Allowed
            })
            .collect();
        let monotone = (0..1usize << k)
            .filter(|&m| allowed[m])
            .all(|m| (0..k).all(|j| allowed[m | (1 << j)]));
        let literal = |j: usize, on: bool| {
            let f = bits[open[j]].clone();
            if on { f } else { f.negate() }
        };
        let mut terms: Vec<(u32, usize, Formula)> = Vec::new();
        for m in (0..1usize << k).filter(|&m| allowed[m]) {
            if monotone {
                // Keep only the minimal allowing sets: a positive formula.
                if (0..k).any(|j| m & (1 << j) != 0 && allowed[m & !(1 << j)]) {
                    continue;
                }
                let parts = (0..k)
                    .filter(|j| m & (1 << j) != 0)
                    .map(|j| literal(j, true))
                    .collect();
                terms.push((m.count_ones(), m, Formula::all(parts)));
            } else {
                let parts = (0..k).map(|j| literal(j, m & (1 << j) != 0)).collect();
                terms.push((m.count_ones(), m, Formula::all(parts)));
            }
        }
        terms.sort_by_key(|(n, m, _)| (*n, *m));
        Formula::any(terms.into_iter().map(|(_, _, f)| f).collect())
    }
}

impl PolicySet {
    /// Discovery: the conditions on unknown context values (and, for a role, the session name)
    /// under which the request would be allowed. Known keys are evaluated as in
    /// [`PolicySet::evaluate`]; see the module documentation of [`crate::discovery`].
    pub fn discover(
        &self,
        req: &Request,
        opts: &EvaluationOptions,
        unknowns: &Unknowns,
    ) -> Discovery {
        let req = &*self.with_boundary_flag(req);
        let facts = Facts::of(req, self);
        let session_unknown = unknowns.session_name_unknown(&req.principal);
        let matched_principal =
            if session_unknown && req.principal.kind == PrincipalKind::AssumedRole {
                std::borrow::Cow::Owned(Principal {
                    arn: None,
                    ..req.principal.clone()
                })
            } else {
                std::borrow::Cow::Borrowed(&req.principal)
            };
        let mut sc = Scanner {
            req,
            opts,
            unknowns,
            session_unknown,
            matched_principal,
            statements: Vec::new(),
            notes: Vec::new(),
        };

        let mut rcp: Vec<LayerFormulas> = if facts.rcp_applies {
            self.rcp_levels
                .iter()
                .map(|l| sc.layer(Layer::Rcp, &l.policies, Some(&l.target)))
                .collect()
        } else {
            Vec::new()
        };
        let mut scp: Vec<LayerFormulas> = if facts.scp_applies {
            self.scp_levels
                .iter()
                .map(|l| sc.layer(Layer::Scp, &l.policies, Some(&l.target)))
                .collect()
        } else {
            Vec::new()
        };
        let mut endpoint = sc.optional(Layer::VpcEndpoint, self.endpoint.as_ref());
        let mut resource = sc.optional(Layer::Resource, self.resource.as_ref());
        let mut identity = sc.layer(Layer::Identity, &self.identity, None);
        let mut boundary = sc.optional(Layer::PermissionsBoundary, self.boundary.as_ref());
        let mut session = sc.optional(Layer::Session, self.session.as_ref());

        // The strict rules on the most favourable verdicts name the reason and the blockers.
        let optimistic = Verdicts {
            identity: Verdict {
                present: !self.identity.is_empty(),
                ..identity.optimistic()
            },
            boundary: boundary.optimistic(),
            session: session.optimistic(),
            resource: resource.optimistic(),
            endpoint: endpoint.optimistic(),
            scp: OrgVerdict {
                levels: scp.iter().map(LayerFormulas::optimistic).collect(),
            },
            rcp: OrgVerdict {
                levels: rcp.iter().map(LayerFormulas::optimistic).collect(),
            },
        };

        // No Deny applies anywhere it counts.
        let mut escapes = Vec::new();
        for l in rcp.iter_mut().chain(scp.iter_mut()) {
            escapes.push(std::mem::replace(&mut l.deny, Formula::False).negate());
        }
        for l in [
            &mut endpoint,
            &mut resource,
            &mut identity,
            &mut boundary,
            &mut session,
        ] {
            escapes.push(std::mem::replace(&mut l.deny, Formula::False).negate());
        }
        let no_deny = Formula::all(escapes);

        let grants = Grants {
            identity: &identity,
            identity_present: !self.identity.is_empty(),
            boundary: &boundary,
            session: &session,
            resource: &resource,
        };
        let allowed_when = if facts.get_caller_identity {
            Formula::True
        } else if facts.service_rule_denial.is_some() {
            Formula::False
        } else {
            let mut parts = vec![no_deny.clone(), grants.formula(self, req, &facts, opts)];
            // Every guardrail allows: an Allow at every RCP and SCP level, the endpoint policy.
            for l in rcp.iter_mut().chain(scp.iter_mut()) {
                parts.push(std::mem::replace(&mut l.allow, Formula::False));
            }
            if endpoint.present {
                parts.push(endpoint.allow.clone());
            }
            Formula::all(parts)
        };

        let decision = if !allowed_when.is_false() {
            Decision::Allowed
        } else if no_deny.is_false() && !facts.get_caller_identity {
            Decision::ExplicitDeny
        } else {
            Decision::ImplicitDeny
        };
        let outcome = decide_from_verdicts(req, &facts, &optimistic, opts);
        let (summary, blocked_by) = if outcome.decision == decision
            && (decision != Decision::Allowed || allowed_when.is_true())
        {
            (outcome.summary, outcome.blocked_by)
        } else {
            let s = match decision {
                Decision::Allowed => "allowed when the conditions hold",
                Decision::ExplicitDeny => "explicitly denied whatever values the unknowns take",
                Decision::ImplicitDeny => "denied whatever values the unknowns take",
            };
            (s.to_string(), Vec::new())
        };

        let mut unknown_keys: Vec<String> = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut session_name_consulted = false;
        for s in &sc.statements {
            session_name_consulted |= !s.session_names.is_empty();
            for c in s.unknown_conditions() {
                if seen.insert(c.key().to_lowercase()) {
                    unknown_keys.push(c.key().to_string());
                }
            }
        }
        Discovery {
            decision,
            summary,
            allowed_when,
            blocked_by,
            statements: sc.statements,
            unknown_keys,
            session_name_unknown: session_unknown,
            session_name_consulted,
            notes: sc.notes,
        }
    }
}
