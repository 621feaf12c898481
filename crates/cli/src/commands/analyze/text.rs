//! Compact text for formulas and statements.

use iamwhy_engine::{Formula, Literal, StatementDiscovery, Term};

fn literal(l: &Literal) -> String {
    let not = if l.negated { "NOT " } else { "" };
    match &*l.term {
        Term::Condition(c) => format!(
            "{not}{} {} [{}]",
            c.operator(),
            c.key(),
            c.values.join(", ")
        ),
        Term::SessionName { names } => format!("{not}session name in [{}]", names.join(", ")),
    }
}

/// A formula on one line: `a AND (b OR NOT c)`.
pub fn formula(f: &Formula) -> String {
    match f {
        Formula::True => "always".into(),
        Formula::False => "never".into(),
        Formula::Term(l) => literal(l),
        Formula::All { of } => of
            .iter()
            .map(|p| wrap(p, formula(p)))
            .collect::<Vec<_>>()
            .join(" AND "),
        Formula::Any { of } => of
            .iter()
            .map(|p| wrap(p, formula(p)))
            .collect::<Vec<_>>()
            .join(" OR "),
    }
}

fn wrap(f: &Formula, s: String) -> String {
    match f {
        Formula::All { .. } | Formula::Any { .. } => format!("({s})"),
        _ => s,
    }
}

/// `policy / Sid (layer), line L` for a statement.
pub fn statement(s: &StatementDiscovery) -> String {
    format!(
        "{}, line {}",
        iamwhy_analyze::answer::statement_label(s),
        s.start.line
    )
}
