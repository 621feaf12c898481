//! The formula Discovery reports: terms over the request's unknown values (a condition such as
//! `StringEquals aws:SourceVpc [vpc-1]`, or "the session name is one of ..."), combined with
//! `all` (and), `any` (or) and negation, in negation normal form (only terms are negated).
//!
//! Every constructor simplifies: `true`/`false` are absorbed, nested `all`/`any` are flattened,
//! duplicate terms are merged (their sources joined), a term next to its own negation decides the
//! group, and `a and (a or b)` / `a or (a and b)` keep only `a`. A formula can be evaluated
//! against a concrete context ([`Formula::holds`]): that is its meaning, and the property tests
//! check it against the strict decision.

use crate::condition::CompiledCondition;
use crate::context::Context;
use crate::decision::Layer;
use crate::tri::Tri;
use iamwhy_policy::document::Effect;
use iamwhy_policy::location::Position;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Where a term comes from: one statement of one policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TermSource {
    /// The statement's layer.
    pub layer: Layer,
    /// For SCPs and RCPs: the root, OU or account the policy is attached to.
    pub level: Option<String>,
    /// Policy name or id.
    pub policy: String,
    /// The statement's Sid, if any.
    pub sid: Option<String>,
    /// 0-based statement index in the policy.
    pub index: usize,
    /// The statement's effect: an Allow's terms must hold, a Deny's must not.
    pub effect: Effect,
    /// Where the statement starts (its `{`).
    pub start: Position,
}

impl TermSource {
    /// The Sid, or `#n` (1-based) when there is none.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }
}

/// A condition of a statement whose outcome depends on unknown context values.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionTerm {
    /// The operator as written, qualifiers and `IfExists` included
    /// (`ForAllValues:StringEqualsIfExists`).
    pub operator: String,
    /// The context key as written in the policy.
    pub key: String,
    /// The policy values; policy variables whose key is known are substituted, the others are
    /// shown as written.
    pub values: Vec<String>,
    /// How a value the operator cannot read (a request value that is not a number, a date, an
    /// IP address or a boolean) counts: `true` for a Deny's condition (the Deny applies, the
    /// conservative default), `false` for an Allow's (the Allow does not apply).
    pub unreadable_holds: bool,
    #[serde(skip)]
    compiled: Arc<CompiledCondition>,
}

impl ConditionTerm {
    pub(crate) fn new(
        compiled: &CompiledCondition,
        values: Vec<String>,
        unreadable_holds: bool,
    ) -> ConditionTerm {
        ConditionTerm {
            operator: compiled.operator_text.clone(),
            key: compiled.key.clone(),
            values,
            // Only operators that read typed request values can meet an unreadable one.
            unreadable_holds: unreadable_holds && compiled.can_meet_unreadable_value(),
            compiled: Arc::new(compiled.clone()),
        }
    }

    /// Does the condition hold in `ctx`?
    pub fn holds(&self, ctx: &Context) -> bool {
        match self.compiled.evaluate(ctx, false).0 {
            Tri::True => true,
            Tri::False => false,
            Tri::Unknown => self.unreadable_holds,
        }
    }

    fn same(&self, o: &ConditionTerm) -> bool {
        self.operator == o.operator
            && self.compiled.key_lower() == o.compiled.key_lower()
            && self.values == o.values
            && self.unreadable_holds == o.unreadable_holds
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        self.operator.hash(h);
        self.compiled.key_lower().hash(h);
        self.values.hash(h);
        self.unreadable_holds.hash(h);
    }
}

/// One unknown fact the decision depends on.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Term {
    /// A condition over context keys whose values are not known.
    Condition(ConditionTerm),
    /// The caller's role session name is one of `names` (a principal element named sessions
    /// of the caller's role while the session name was unknown).
    SessionName {
        /// The session names, as written in the principal element.
        names: Vec<String>,
    },
}

impl Term {
    /// Does the term hold for a request with this context and session name?
    pub fn holds(&self, ctx: &Context, session_name: Option<&str>) -> bool {
        match self {
            Term::Condition(c) => c.holds(ctx),
            Term::SessionName { names } => {
                session_name.is_some_and(|s| names.iter().any(|n| n == s))
            }
        }
    }

    fn same(&self, o: &Term) -> bool {
        match (self, o) {
            (Term::Condition(a), Term::Condition(b)) => a.same(b),
            (Term::SessionName { names: a }, Term::SessionName { names: b }) => a == b,
            _ => false,
        }
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        match self {
            Term::Condition(c) => {
                0u8.hash(h);
                c.hash_into(h);
            }
            Term::SessionName { names } => {
                1u8.hash(h);
                names.hash(h);
            }
        }
    }
}

impl std::fmt::Display for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Term::Condition(c) => write!(f, "{} {} [{}]", c.operator, c.key, c.values.join(", ")),
            Term::SessionName { names } => {
                write!(f, "session name is one of [{}]", names.join(", "))
            }
        }
    }
}

/// A term or its negation, with the statements it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Literal {
    /// True when the term must NOT hold (a Deny's condition).
    pub negated: bool,
    /// The term.
    pub term: Term,
    /// The statements the term comes from (more than one when equal terms were merged).
    pub sources: Vec<TermSource>,
}

impl Literal {
    /// Does the literal hold?
    pub fn holds(&self, ctx: &Context, session_name: Option<&str>) -> bool {
        self.term.holds(ctx, session_name) != self.negated
    }

    fn same_term(&self, o: &Literal) -> bool {
        self.term.same(&o.term)
    }

    fn merge_sources(&mut self, other: Vec<TermSource>) {
        for s in other {
            if !self.sources.contains(&s) {
                self.sources.push(s);
            }
        }
    }
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.negated {
            write!(f, "not {}", self.term)
        } else {
            write!(f, "{}", self.term)
        }
    }
}

/// A formula over unknown terms, in negation normal form.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Formula {
    /// Holds whatever the unknown values are.
    True,
    /// Never holds.
    False,
    /// One term or its negation.
    Term(Literal),
    /// Every part holds (at least two parts).
    All {
        /// The parts.
        of: Vec<Formula>,
    },
    /// At least one part holds (at least two parts).
    Any {
        /// The parts.
        of: Vec<Formula>,
    },
}

impl Formula {
    /// A term that must hold.
    pub fn term(term: Term, source: TermSource) -> Formula {
        Formula::Term(Literal {
            negated: false,
            term,
            sources: vec![source],
        })
    }

    /// From a boolean.
    pub fn constant(b: bool) -> Formula {
        if b { Formula::True } else { Formula::False }
    }

    /// True when the formula is the constant `true`.
    pub fn is_true(&self) -> bool {
        matches!(self, Formula::True)
    }

    /// True when the formula is the constant `false`.
    pub fn is_false(&self) -> bool {
        matches!(self, Formula::False)
    }

    /// Does the formula hold for a request with this context and (role) session name?
    pub fn holds(&self, ctx: &Context, session_name: Option<&str>) -> bool {
        match self {
            Formula::True => true,
            Formula::False => false,
            Formula::Term(l) => l.holds(ctx, session_name),
            Formula::All { of } => of.iter().all(|f| f.holds(ctx, session_name)),
            Formula::Any { of } => of.iter().any(|f| f.holds(ctx, session_name)),
        }
    }

    /// Every literal, depth first, in order.
    pub fn literals(&self) -> Vec<&Literal> {
        let mut out = Vec::new();
        self.collect_literals(&mut out);
        out
    }

    fn collect_literals<'a>(&'a self, out: &mut Vec<&'a Literal>) {
        match self {
            Formula::Term(l) => out.push(l),
            Formula::All { of } | Formula::Any { of } => {
                for f in of {
                    f.collect_literals(out);
                }
            }
            Formula::True | Formula::False => {}
        }
    }

    /// The negation, pushed down to the terms.
    pub fn negate(self) -> Formula {
        match self {
            Formula::True => Formula::False,
            Formula::False => Formula::True,
            Formula::Term(mut l) => {
                l.negated = !l.negated;
                Formula::Term(l)
            }
            Formula::All { of } => Formula::any(of.into_iter().map(Formula::negate).collect()),
            Formula::Any { of } => Formula::all(of.into_iter().map(Formula::negate).collect()),
        }
    }

    /// Every part holds, simplified.
    pub fn all(parts: Vec<Formula>) -> Formula {
        combine(parts, true)
    }

    /// At least one part holds, simplified.
    pub fn any(parts: Vec<Formula>) -> Formula {
        combine(parts, false)
    }

    /// Both hold.
    pub fn and(self, other: Formula) -> Formula {
        Formula::all(vec![self, other])
    }

    /// Either holds.
    pub fn or(self, other: Formula) -> Formula {
        Formula::any(vec![self, other])
    }

    /// The number of literals.
    pub fn size(&self) -> usize {
        match self {
            Formula::Term(_) => 1,
            Formula::All { of } | Formula::Any { of } => of.iter().map(Formula::size).sum(),
            _ => 0,
        }
    }

    /// Structural equality, ignoring sources.
    fn same(&self, o: &Formula) -> bool {
        match (self, o) {
            (Formula::True, Formula::True) | (Formula::False, Formula::False) => true,
            (Formula::Term(a), Formula::Term(b)) => a.negated == b.negated && a.same_term(b),
            (Formula::All { of: a }, Formula::All { of: b })
            | (Formula::Any { of: a }, Formula::Any { of: b }) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            _ => false,
        }
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        match self {
            Formula::True => 0u8.hash(h),
            Formula::False => 1u8.hash(h),
            Formula::Term(l) => {
                2u8.hash(h);
                l.negated.hash(h);
                l.term.hash_into(h);
            }
            Formula::All { of } | Formula::Any { of } => {
                (if matches!(self, Formula::All { .. }) {
                    3u8
                } else {
                    4u8
                })
                .hash(h);
                of.len().hash(h);
                for f in of {
                    f.hash_into(h);
                }
            }
        }
    }

    /// Join the sources of a structurally equal formula into this one.
    fn merge_sources(&mut self, other: Formula) {
        match (self, other) {
            (Formula::Term(a), Formula::Term(b)) => a.merge_sources(b.sources),
            (Formula::All { of: a }, Formula::All { of: b })
            | (Formula::Any { of: a }, Formula::Any { of: b }) => {
                for (x, y) in a.iter_mut().zip(b) {
                    x.merge_sources(y);
                }
            }
            _ => {}
        }
    }
}

/// A hashable view of a formula that ignores sources.
struct Shape<'a>(&'a Formula);

impl Hash for Shape<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.hash_into(h);
    }
}

impl PartialEq for Shape<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.0.same(o.0)
    }
}

impl Eq for Shape<'_> {}

/// Build `all` (conjunction) or `any` from parts, simplifying.
fn combine(parts: Vec<Formula>, conjunction: bool) -> Formula {
    // The absorbing constant (false for all, true for any) and the neutral one.
    let absorbing = |f: &Formula| {
        if conjunction {
            f.is_false()
        } else {
            f.is_true()
        }
    };
    let neutral = |f: &Formula| {
        if conjunction {
            f.is_true()
        } else {
            f.is_false()
        }
    };
    let same_kind = |f: &Formula| {
        if conjunction {
            matches!(f, Formula::All { .. })
        } else {
            matches!(f, Formula::Any { .. })
        }
    };
    // Flatten.
    let mut flat: Vec<Formula> = Vec::with_capacity(parts.len());
    let mut stack: Vec<Formula> = parts.into_iter().rev().collect();
    while let Some(f) = stack.pop() {
        if absorbing(&f) {
            return Formula::constant(!conjunction);
        }
        if neutral(&f) {
            continue;
        }
        if same_kind(&f) {
            let (Formula::All { of } | Formula::Any { of }) = f else {
                unreachable!("checked by same_kind")
            };
            stack.extend(of.into_iter().rev());
            continue;
        }
        flat.push(f);
    }
    // Merge duplicates (joining their sources), keeping the first occurrence's place.
    let mut kept: Vec<Formula> = Vec::with_capacity(flat.len());
    {
        let mut seen: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        for f in flat {
            let mut h = rustc_hash::FxHasher::default();
            Shape(&f).hash(&mut h);
            let key = h.finish();
            let slot = seen.entry(key).or_default();
            if let Some(&i) = slot.iter().find(|&&i| kept[i].same(&f)) {
                kept[i].merge_sources(f);
            } else {
                slot.push(kept.len());
                kept.push(f);
            }
        }
    }
    // A term next to its own negation decides the group; `a and (a or b)` is `a`.
    let term_hash = |t: &Term| {
        let mut h = rustc_hash::FxHasher::default();
        t.hash_into(&mut h);
        h.finish()
    };
    let mut literals: FxHashMap<u64, Vec<&Literal>> = FxHashMap::default();
    for f in &kept {
        if let Formula::Term(l) = f {
            literals.entry(term_hash(&l.term)).or_default().push(l);
        }
    }
    let sibling = |l: &Literal, negated: bool| {
        literals
            .get(&term_hash(&l.term))
            .is_some_and(|v| v.iter().any(|m| m.negated == negated && m.same_term(l)))
    };
    let mut contradiction = false;
    let mut absorbed = vec![false; kept.len()];
    for (i, f) in kept.iter().enumerate() {
        match f {
            Formula::Term(l) if sibling(l, !l.negated) => {
                contradiction = true;
                break;
            }
            Formula::All { of } | Formula::Any { of } => {
                absorbed[i] = of
                    .iter()
                    .any(|g| matches!(g, Formula::Term(l) if sibling(l, l.negated)));
            }
            _ => {}
        }
    }
    drop(literals);
    if contradiction {
        return Formula::constant(!conjunction);
    }
    let mut out: Vec<Formula> = kept
        .into_iter()
        .zip(absorbed)
        .filter(|(_, a)| !a)
        .map(|(f, _)| f)
        .collect();
    match out.len() {
        0 => Formula::constant(conjunction),
        1 => out.pop().expect("one part"),
        _ if conjunction => Formula::All { of: out },
        _ => Formula::Any { of: out },
    }
}

impl std::fmt::Display for Formula {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Formula::True => f.write_str("true"),
            Formula::False => f.write_str("false"),
            Formula::Term(l) => write!(f, "{l}"),
            Formula::All { of } | Formula::Any { of } => {
                let sep = if matches!(self, Formula::All { .. }) {
                    " and "
                } else {
                    " or "
                };
                f.write_str("(")?;
                for (i, part) in of.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    write!(f, "{part}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(index: usize) -> TermSource {
        TermSource {
            layer: Layer::Identity,
            level: None,
            policy: "p".into(),
            sid: None,
            index,
            effect: Effect::Allow,
            start: Position { line: 1, column: 1 },
        }
    }

    fn t(name: &str, index: usize) -> Formula {
        Formula::term(
            Term::SessionName {
                names: vec![name.to_string()],
            },
            src(index),
        )
    }

    #[test]
    fn true_and_false_are_absorbed() {
        assert_eq!(
            Formula::all(vec![Formula::True, t("a", 0)]).to_string(),
            "session name is one of [a]"
        );
        assert!(Formula::all(vec![Formula::False, t("a", 0)]).is_false());
        assert!(Formula::any(vec![Formula::True, t("a", 0)]).is_true());
        assert_eq!(
            Formula::any(vec![Formula::False, t("a", 0)]).to_string(),
            "session name is one of [a]"
        );
        assert!(Formula::all(vec![]).is_true());
        assert!(Formula::any(vec![]).is_false());
    }

    #[test]
    fn nested_groups_of_the_same_kind_are_flattened() {
        let f = Formula::all(vec![t("a", 0), Formula::all(vec![t("b", 0), t("c", 0)])]);
        let Formula::All { of } = &f else {
            panic!("{f}")
        };
        assert_eq!(of.len(), 3);
    }

    #[test]
    fn duplicate_terms_are_merged_and_their_sources_joined() {
        let f = Formula::any(vec![t("a", 0), t("b", 1), t("a", 2)]);
        let Formula::Any { of } = &f else {
            panic!("{f}")
        };
        assert_eq!(of.len(), 2);
        let Formula::Term(l) = &of[0] else { panic!() };
        assert_eq!(
            l.sources.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![0, 2]
        );
    }

    #[test]
    fn duplicate_groups_are_merged_and_their_sources_joined() {
        let g = |i| Formula::all(vec![t("a", i), t("b", i)]);
        let f = Formula::any(vec![g(0), g(1)]);
        let Formula::All { of } = &f else {
            panic!("{f}")
        };
        let Formula::Term(l) = &of[0] else { panic!() };
        assert_eq!(l.sources.len(), 2);
    }

    #[test]
    fn a_term_next_to_its_negation_decides_the_group() {
        assert!(Formula::all(vec![t("a", 0), t("a", 1).negate(), t("b", 0)]).is_false());
        assert!(Formula::any(vec![t("a", 0), t("a", 1).negate()]).is_true());
    }

    #[test]
    fn absorption_keeps_the_shorter_formula() {
        let f = Formula::all(vec![t("a", 0), Formula::any(vec![t("a", 1), t("b", 0)])]);
        assert_eq!(f.to_string(), "session name is one of [a]");
        let f = Formula::any(vec![t("a", 0), Formula::all(vec![t("a", 1), t("b", 0)])]);
        assert_eq!(f.to_string(), "session name is one of [a]");
    }

    #[test]
    fn negation_is_pushed_down_to_the_terms() {
        let f = Formula::all(vec![t("a", 0), Formula::any(vec![t("b", 0), t("c", 0)])]).negate();
        assert_eq!(
            f.to_string(),
            "(not session name is one of [a] or (not session name is one of [b] and not session name is one of [c]))"
        );
    }

    #[test]
    fn a_formula_holds_as_its_terms_say() {
        let f = Formula::any(vec![
            t("a", 0),
            Formula::all(vec![t("b", 0).negate(), t("c", 0).negate()]),
        ]);
        let ctx = Context::new();
        assert!(f.holds(&ctx, Some("a")));
        assert!(!f.holds(&ctx, Some("b")));
        assert!(f.holds(&ctx, Some("z")));
        assert!(f.holds(&ctx, None));
    }
}
