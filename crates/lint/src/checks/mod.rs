//! The checks beyond the grammar, one module per part of a statement, sharing a per-document
//! [`Ctx`]: where findings go, and what was worked out once per statement (the catalog
//! expansion of each action value, the engine's compiled statement).

mod actions;
mod conditions;
mod elements;
mod principals;
mod resources;
mod security;

use crate::finding::Finding;
use crate::index::CatalogIndex;
use crate::linter::{Linter, PolicyContext};
use crate::rules::must;
use iamwhy_catalog::Action;
use iamwhy_diagnostic::Span;
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::PolicyType;
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::document::{PolicyDocument, Statement};
use iamwhy_policy::wildcard::Token;
use std::sync::Arc;

/// What one `Action`/`NotAction` value stands for in the catalog.
#[derive(Debug, Clone)]
pub(crate) enum ActionInfo {
    /// `*`.
    All,
    /// The actions it matches (never empty).
    Known(Vec<Action<'static>>),
    /// Malformed, or a service or action the catalog does not have, or a wildcard matching
    /// nothing: already reported, and unknown to the checks that need the catalog.
    Unknown,
}

/// The per-statement facts several checks use.
pub(crate) struct StatementFacts {
    /// One entry per action value, in order.
    pub(crate) actions: Vec<ActionInfo>,
}

/// The per-document state of the checks.
pub(crate) struct Ctx<'a> {
    pub(crate) idx: &'a CatalogIndex,
    pub(crate) doc: &'a PolicyDocument,
    pub(crate) pc: PolicyContext<'a>,
    pub(crate) ty: PolicyType,
    /// Whether `${...}` is a variable (Version 2012-10-17).
    pub(crate) variables: bool,
    /// The document compiled by the engine, statement for statement.
    pub(crate) compiled: &'a CompiledPolicy,
    pub(crate) out: &'a mut Vec<Finding>,
}

impl Ctx<'_> {
    /// Report a finding.
    pub(crate) fn push(
        &mut self,
        code: &'static str,
        span: Span,
        statement: Option<usize>,
        details: String,
        help: Option<String>,
    ) {
        self.out.push(Finding {
            rule: must(code),
            details,
            help,
            span,
            statement,
        });
    }
}

/// Run every check on a parsed document.
pub(crate) fn run(
    linter: &Linter,
    doc: &Arc<PolicyDocument>,
    pc: PolicyContext<'_>,
    out: &mut Vec<Finding>,
) {
    let compiled = CompiledPolicy::compile("lint", pc.policy_type, doc.clone());
    let mut ctx = Ctx {
        idx: &linter.index,
        doc,
        pc,
        ty: pc.policy_type,
        variables: doc.version.supports_variables(),
        compiled: &compiled,
        out,
    };
    elements::document(&mut ctx);
    let mut facts = Vec::with_capacity(doc.statements().len());
    for s in doc.statements() {
        let f = StatementFacts {
            actions: actions::statement(&mut ctx, s),
        };
        elements::statement(&mut ctx, s);
        resources::statement(&mut ctx, s, &f);
        conditions::statement(&mut ctx, s, &f);
        principals::statement(&mut ctx, s);
        security::statement(&mut ctx, s, &f);
        facts.push(f);
    }
    security::document(&mut ctx, &facts);
}

/// The label messages use for a statement: `statement "Sid"` or `statement 2`.
pub(crate) fn label(s: &Statement) -> String {
    match &s.sid {
        Some(sid) if !sid.value.is_empty() => format!("statement \"{}\"", sid.value),
        _ => format!("statement {}", s.index + 1),
    }
}

/// The catalog expansion of one action value, given its compiled pattern.
pub(crate) fn expand(idx: &CatalogIndex, text: &str, pattern: &ActionPattern) -> ActionInfo {
    match pattern {
        ActionPattern::All => ActionInfo::All,
        ActionPattern::Never { .. } => ActionInfo::Unknown,
        ActionPattern::Service { .. } if !has_wildcard(text) => match idx.cat.action(text) {
            Some(a) => ActionInfo::Known(vec![a]),
            None => ActionInfo::Unknown,
        },
        ActionPattern::Service { .. } => {
            let v = idx.cat.expand(text);
            if v.is_empty() {
                ActionInfo::Unknown
            } else {
                ActionInfo::Known(v)
            }
        }
    }
}

/// Whether wildcard pattern `a` covers pattern `b` (every text `b` matches, `a` matches): a
/// cheap test of the literal heads and tails first (every text of `b` starts with `b`'s head,
/// so `a`'s head must be a prefix of it; likewise the tails), then the full relation.
pub(crate) fn pattern_covers(a: &[Token], b: &[Token]) -> bool {
    let head = |t: &[Token]| t.iter().take_while(|x| matches!(x, Token::Char(_))).count();
    let tail = |t: &[Token]| {
        t.iter()
            .rev()
            .take_while(|x| matches!(x, Token::Char(_)))
            .count()
    };
    let (ha, hb) = (head(a), head(b));
    if ha > hb || a[..ha] != b[..ha] {
        return false;
    }
    let (ta, tb) = (tail(a), tail(b));
    if ta > tb || a[a.len() - ta..] != b[b.len() - ta..] {
        return false;
    }
    iamwhy_policy::relation::covers(a, b)
}

/// Whether `text` has an IAM wildcard.
pub(crate) fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// Join alternatives: `a, b or c`.
pub(crate) fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Join names for a message: `a, b and c`.
pub(crate) fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
