//! # iamwhy-engine — requests, conditions and statement evaluation
//!
//! Policies are compiled once ([`compile::CompiledPolicy`]); a [`request::Request`] is then
//! evaluated statement by statement ([`compile::CompiledStatement::applicability`] for the fast
//! path, [`compile::CompiledStatement::evaluate`] for the recorded [`statement::StatementResult`]
//! that explanations are built from). Conditions that cannot be evaluated faithfully come out
//! as [`tri::Tri::Unknown`] with a reason, and the documented conservative default applies: a
//! Deny applies, an Allow does not.
//!
//! [`PolicySet::discover`] is the Discovery mode: instead of applying the missing-key rules to
//! keys the request lacks, it reports the conditions on them under which the request would be
//! allowed, as a [`Formula`] (see [`discovery`]).

pub mod compile;
pub mod condition;
pub mod context;
pub mod decision;
pub mod discovery;
pub mod principal;
pub mod request;
pub mod statement;
pub mod tri;

pub use compile::{CompiledPolicy, CompiledStatement};
pub use condition::ConditionResult;
pub use context::Context;
pub use decision::{
    ActionClass, Decision, Evaluation, Layer, LayerReport, LayerStatus, MatchedStatement, OrgLevel,
    PolicyList, PolicySet, Unevaluable,
};
pub use discovery::{
    ConditionTerm, Discovery, Formula, KeyKnowledge, Literal, StatementDiscovery, Term, TermSource,
    UnknownDefault, Unknowns,
};
pub use principal::{NotPrincipalMode, Principal, PrincipalKind, PrincipalMatch};
pub use request::{Request, RequestResource};
pub use statement::{EvaluationOptions, StatementResult};
pub use tri::Tri;
