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
use iamwhy_diagnostic::Position;
use iamwhy_policy::document::Effect;
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
        iamwhy_policy::statement_label(self.sid.as_deref(), self.index)
    }
}

/// A condition of a statement whose outcome depends on unknown context values. It shares the
/// compiled condition with its policy (no copy), and serializes as `operator`, `key`,
/// `values` and `unreadable_holds`.
#[derive(Debug, Clone)]
pub struct ConditionTerm {
    /// The statement's compiled conditions; this term is the one at `index`.
    conditions: Arc<[CompiledCondition]>,
    index: usize,
    /// The policy values; policy variables whose key is known are substituted, the others are
    /// shown as written.
    pub values: Vec<String>,
    /// How a value the operator cannot read (a request value that is not a number, a date, an
    /// IP address or a boolean) counts: `true` for a Deny's condition (the Deny applies, the
    /// conservative default), `false` for an Allow's (the Allow does not apply).
    pub unreadable_holds: bool,
}

impl ConditionTerm {
    pub(crate) fn new(
        conditions: &Arc<[CompiledCondition]>,
        index: usize,
        values: Vec<String>,
        unreadable_holds: bool,
    ) -> ConditionTerm {
        let compiled = &conditions[index];
        ConditionTerm {
            // Only operators that read typed request values can meet an unreadable one.
            unreadable_holds: unreadable_holds && compiled.can_meet_unreadable_value(),
            conditions: conditions.clone(),
            index,
            values,
        }
    }

    fn compiled(&self) -> &CompiledCondition {
        &self.conditions[self.index]
    }

    /// The operator as written, qualifiers and `IfExists` included
    /// (`ForAllValues:StringEqualsIfExists`).
    pub fn operator(&self) -> &str {
        &self.compiled().operator_text
    }

    /// The context key as written in the policy.
    pub fn key(&self) -> &str {
        &self.compiled().key
    }

    /// Does the condition hold in `ctx`?
    pub fn holds(&self, ctx: &Context) -> bool {
        match self.compiled().evaluate(ctx, false).0 {
            Tri::True => true,
            Tri::False => false,
            Tri::Unknown => self.unreadable_holds,
        }
    }

    fn same(&self, o: &ConditionTerm) -> bool {
        self.operator() == o.operator()
            && self.compiled().key_lower() == o.compiled().key_lower()
            && self.values == o.values
            && self.unreadable_holds == o.unreadable_holds
    }

    fn hash_into(&self, h: &mut impl Hasher) {
        self.operator().hash(h);
        self.compiled().key_lower().hash(h);
        self.values.hash(h);
        self.unreadable_holds.hash(h);
    }
}

impl Serialize for ConditionTerm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ConditionTerm", 4)?;
        st.serialize_field("operator", self.operator())?;
        st.serialize_field("key", self.key())?;
        st.serialize_field("values", &self.values)?;
        st.serialize_field("unreadable_holds", &self.unreadable_holds)?;
        st.end()
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
            Term::Condition(c) => {
                write!(f, "{} {} [{}]", c.operator(), c.key(), c.values.join(", "))
            }
            Term::SessionName { names } => {
                write!(f, "session name is one of [{}]", names.join(", "))
            }
        }
    }
}

/// A term or its negation, with the statements it comes from. Terms and sources are shared:
/// cloning a formula copies no strings.
#[derive(Debug, Clone, Serialize)]
pub struct Literal {
    /// True when the term must NOT hold (a Deny's condition).
    pub negated: bool,
    /// The term.
    pub term: Arc<Term>,
    /// The statements the term comes from (more than one when equal terms were merged).
    pub sources: Vec<Arc<TermSource>>,
}

impl Literal {
    /// Does the literal hold?
    pub fn holds(&self, ctx: &Context, session_name: Option<&str>) -> bool {
        self.term.holds(ctx, session_name) != self.negated
    }

    fn same_term(&self, o: &Literal) -> bool {
        self.term.same(&o.term)
    }

    fn merge_sources(&mut self, other: Vec<Arc<TermSource>>) {
        for s in other {
            if !self.sources.iter().any(|x| Arc::ptr_eq(x, &s) || **x == *s) {
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
    pub fn term(term: Term, source: Arc<TermSource>) -> Formula {
        Formula::Term(Literal {
            negated: false,
            term: Arc::new(term),
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

/// Groups up to this size are simplified by direct comparison; larger ones through hashing.
const SMALL: usize = 16;

fn term_hash(t: &Term) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    t.hash_into(&mut h);
    h.finish()
}

/// Move `parts` into `out`, flattening groups of the same kind and dropping the neutral
/// constant. Returns true when a part is the absorbing constant (the whole group is decided).
fn flatten_into(parts: Vec<Formula>, conjunction: bool, out: &mut Vec<Formula>) -> bool {
    for f in parts {
        match f {
            Formula::False if conjunction => return true,
            Formula::True if !conjunction => return true,
            Formula::True | Formula::False => {}
            Formula::All { of } if conjunction => {
                if flatten_into(of, conjunction, out) {
                    return true;
                }
            }
            Formula::Any { of } if !conjunction => {
                if flatten_into(of, conjunction, out) {
                    return true;
                }
            }
            other => out.push(other),
        }
    }
    false
}

/// Merge structurally equal parts (joining their sources), keeping first occurrences in place.
fn dedupe(flat: Vec<Formula>) -> Vec<Formula> {
    let mut kept: Vec<Formula> = Vec::with_capacity(flat.len());
    if flat.len() <= SMALL {
        for f in flat {
            match kept.iter_mut().find(|k| k.same(&f)) {
                Some(k) => k.merge_sources(f),
                None => kept.push(f),
            }
        }
        return kept;
    }
    let mut seen: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for f in flat {
        let mut h = rustc_hash::FxHasher::default();
        Shape(&f).hash(&mut h);
        let slot = seen.entry(h.finish()).or_default();
        if let Some(&i) = slot.iter().find(|&&i| kept[i].same(&f)) {
            kept[i].merge_sources(f);
        } else {
            slot.push(kept.len());
            kept.push(f);
        }
    }
    kept
}

/// Build `all` (conjunction) or `any` from parts, simplifying.
fn combine(parts: Vec<Formula>, conjunction: bool) -> Formula {
    let mut flat: Vec<Formula> = Vec::with_capacity(parts.len());
    if flatten_into(parts, conjunction, &mut flat) {
        return Formula::constant(!conjunction);
    }
    let kept = if flat.len() > 1 { dedupe(flat) } else { flat };
    // A term next to its own negation decides the group; `a and (a or b)` is `a`.
    let (contradiction, absorbed) = if kept.len() <= 1 {
        (false, Vec::new())
    } else if kept.len() <= SMALL {
        let sibling = |l: &Literal, negated: bool| {
            kept.iter()
                .any(|k| matches!(k, Formula::Term(m) if m.negated == negated && m.same_term(l)))
        };
        scan_group(&kept, sibling)
    } else {
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
        scan_group(&kept, sibling)
    };
    if contradiction {
        return Formula::constant(!conjunction);
    }
    let mut out: Vec<Formula> = if absorbed.iter().any(|a| *a) {
        kept.into_iter()
            .zip(absorbed)
            .filter(|(_, a)| !a)
            .map(|(f, _)| f)
            .collect()
    } else {
        kept
    };
    match out.len() {
        0 => Formula::constant(conjunction),
        1 => out.pop().expect("one part"),
        _ if conjunction => Formula::All { of: out },
        _ => Formula::Any { of: out },
    }
}

/// Whether a literal of the group meets its negation, and which compound parts are absorbed
/// by a literal of the group. `sibling(l, negated)`: does the group hold `l`'s term with
/// this negation?
fn scan_group(kept: &[Formula], sibling: impl Fn(&Literal, bool) -> bool) -> (bool, Vec<bool>) {
    let mut absorbed = vec![false; kept.len()];
    for (i, f) in kept.iter().enumerate() {
        match f {
            Formula::Term(l) if sibling(l, !l.negated) => return (true, absorbed),
            Formula::All { of } | Formula::Any { of } => {
                absorbed[i] = of
                    .iter()
                    .any(|g| matches!(g, Formula::Term(l) if sibling(l, l.negated)));
            }
            _ => {}
        }
    }
    (false, absorbed)
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

    fn src(index: usize) -> Arc<TermSource> {
        Arc::new(TermSource {
            layer: Layer::Identity,
            level: None,
            policy: "p".into(),
            sid: None,
            index,
            effect: Effect::Allow,
            start: Position { line: 1, column: 1 },
        })
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
