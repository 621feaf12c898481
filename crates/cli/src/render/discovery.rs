//! Human rendering of a [`Discovery`]: under which values of the unknown context keys the
//! request would be allowed — the formula as an indented tree of terms, each with the
//! statements it comes from (policy, Sid, layer, line and column), then every statement that
//! may apply, per layer, with its own conditions.

use iamwhy_engine::{
    Discovery, Formula, Literal, PrincipalMatch, StatementDiscovery, Term, TermSource,
};
use std::fmt::Write as _;

fn literal_text(l: &Literal) -> String {
    match (&*l.term, l.negated) {
        (Term::Condition(c), negated) => format!(
            "{}{} {} [{}]",
            if negated { "NOT " } else { "" },
            c.operator(),
            c.key(),
            c.values.join(", ")
        ),
        (Term::SessionName { names }, false) => {
            format!("the session name is one of [{}]", names.join(", "))
        }
        (Term::SessionName { names }, true) => {
            format!("the session name is NOT one of [{}]", names.join(", "))
        }
    }
}

fn source_text(s: &TermSource) -> String {
    let level = s
        .level
        .as_deref()
        .map(|l| format!(" attached at {l}"))
        .unwrap_or_default();
    format!(
        "{} statement {} of {} ({}{level}), line {}, column {}",
        s.effect,
        s.label(),
        s.policy,
        s.layer.phrase(),
        s.start.line,
        s.start.column
    )
}

fn formula_tree(out: &mut String, f: &Formula, indent: &str) {
    match f {
        Formula::True => {
            let _ = writeln!(out, "{indent}- whatever values the unknowns take");
        }
        Formula::False => {
            let _ = writeln!(out, "{indent}- never");
        }
        Formula::Term(l) => {
            let _ = writeln!(out, "{indent}- {}", literal_text(l));
            for s in &l.sources {
                let _ = writeln!(out, "{indent}    from {}", source_text(s));
            }
        }
        Formula::All { of } | Formula::Any { of } => {
            let word = if matches!(f, Formula::All { .. }) {
                "all of"
            } else {
                "any of"
            };
            let _ = writeln!(out, "{indent}- {word}:");
            let deeper = format!("{indent}  ");
            for part in of {
                formula_tree(out, part, &deeper);
            }
        }
    }
}

/// A formula on one line (for a statement's own conditions).
fn formula_line(f: &Formula) -> String {
    match f {
        Formula::True => "always".into(),
        Formula::False => "never".into(),
        Formula::Term(l) => literal_text(l),
        Formula::All { of } | Formula::Any { of } => {
            let sep = if matches!(f, Formula::All { .. }) {
                " AND "
            } else {
                " OR "
            };
            let parts: Vec<String> = of
                .iter()
                .map(|p| match p {
                    Formula::All { .. } | Formula::Any { .. } => format!("({})", formula_line(p)),
                    _ => formula_line(p),
                })
                .collect();
            parts.join(sep)
        }
    }
}

fn statement_line(out: &mut String, s: &StatementDiscovery) {
    let _ = writeln!(
        out,
        "      {} statement {} of {}, lines {}-{} (line {}, column {})",
        s.effect,
        s.label(),
        s.policy,
        s.start.line,
        s.end.line,
        s.start.line,
        s.start.column
    );
    if let Some(source) = &s.source {
        let _ = writeln!(out, "        in {source}");
    }
    if !s.session_names.is_empty() {
        let whom = match s.principal_match {
            PrincipalMatch::NoMatch | PrincipalMatch::Direct => "",
            PrincipalMatch::Account => "; whatever the session, it names the caller's account",
            PrincipalMatch::SessionRole => "; whatever the session, it names the caller's role",
            PrincipalMatch::SessionUser => {
                "; whatever the session, it names the IAM user behind the caller"
            }
        };
        let _ = writeln!(
            out,
            "        names the caller directly if its session name is one of [{}]{whom}",
            s.session_names.join(", ")
        );
    }
    let _ = writeln!(out, "        applies when: {}", formula_line(&s.conditions));
}

/// The statements whose conditions depend on unknowns, per layer (and organization level);
/// the others are counted.
fn statements(out: &mut String, d: &Discovery) {
    let (open, settled): (Vec<&StatementDiscovery>, Vec<&StatementDiscovery>) = d
        .statements
        .iter()
        .partition(|s| !s.conditions.is_true() || !s.session_names.is_empty());
    if !open.is_empty() {
        let _ = writeln!(
            out,
            "  statements whose conditions depend on the unknowns, per layer:"
        );
        let mut current: Option<(iamwhy_engine::Layer, Option<&str>)> = None;
        for s in open {
            let here = (s.layer, s.level.as_deref());
            if current != Some(here) {
                let level = s
                    .level
                    .as_deref()
                    .map(|l| format!(" at {l}"))
                    .unwrap_or_default();
                let _ = writeln!(out, "    {}{level}:", s.layer.phrase());
                current = Some(here);
            }
            statement_line(out, s);
        }
    }
    if !settled.is_empty() {
        let _ = writeln!(
            out,
            "  {} more statement{} apply whatever the unknowns are (all of them: --output json)",
            settled.len(),
            if settled.len() == 1 { "" } else { "s" }
        );
    }
}

/// Render a Discovery answer for people.
pub fn render(d: &Discovery) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "DISCOVERY — under which values of the unknowns would this be allowed?"
    );
    let nothing_unknown = d.unknown_keys.is_empty() && !d.session_name_consulted;
    if nothing_unknown {
        let _ = writeln!(
            out,
            "  nothing unknown: no condition of a statement that may apply consults a key the request lacks"
        );
    } else {
        let mut unknowns: Vec<String> = d.unknown_keys.clone();
        if d.session_name_consulted {
            unknowns.push("the role session name".into());
        }
        let _ = writeln!(out, "  unknown: {}", unknowns.join(", "));
    }
    let whatever = if nothing_unknown {
        ""
    } else {
        " whatever values the unknowns take"
    };
    match (&d.allowed_when, d.decision.is_denied()) {
        (Formula::True, _) => {
            let _ = writeln!(out, "  {}{whatever} ({})", d.decision, d.summary);
        }
        (_, true) => {
            let _ = writeln!(out, "  {}{whatever} ({})", d.decision, d.summary);
            if !d.blocked_by.is_empty() {
                let names: Vec<&str> = d.blocked_by.iter().map(|l| l.phrase()).collect();
                let _ = writeln!(out, "  blocked by: {}", names.join(", "));
            }
        }
        (f, false) => {
            let _ = writeln!(out, "  ALLOWED when:");
            formula_tree(&mut out, f, "    ");
        }
    }
    statements(&mut out, d);
    for n in &d.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
