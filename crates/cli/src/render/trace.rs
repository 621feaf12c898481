//! Human rendering of an [`Evaluation`]: the decision first, then why, the deciding statements
//! with their conditions, every layer in evaluation order, and what could not be evaluated or
//! was missing. The text carries ANSI styles; print it through `anstream`, which strips them
//! when colour is off (pipes, `NO_COLOR`, `--color never`).

use iamwhy_engine::Tri;
use iamwhy_engine::condition::ConditionResult;
use iamwhy_engine::decision::{Decision, Evaluation, LayerReport, LayerStatus, MatchedStatement};
use iamwhy_world::ContextReport;
use iamwhy_world::position::{FilePosition, statement_position};
use owo_colors::OwoColorize;
use std::fmt::Write as _;

/// A layer verdict in its colour: red for a deny, yellow for a missing allow, green for an
/// allow, dimmed for layers that do not apply. The styles are ANSI codes that `anstream`
/// strips when colour is off.
fn painted_status(s: LayerStatus) -> String {
    let word = status_word(s);
    match s {
        LayerStatus::Deny => word.red().bold().to_string(),
        LayerStatus::NoAllow => word.yellow().to_string(),
        LayerStatus::Allow => word.green().to_string(),
        _ => word.dimmed().to_string(),
    }
}

/// The decision in its colour.
fn painted_decision(d: Decision) -> String {
    match d {
        Decision::Allowed => d.to_string().green().bold().to_string(),
        _ => d.to_string().red().bold().to_string(),
    }
}

fn status_word(s: LayerStatus) -> &'static str {
    match s {
        LayerStatus::Allow => "allows",
        LayerStatus::Deny => "DENIES",
        LayerStatus::NoAllow => "does not allow",
        LayerStatus::Absent => "none",
        LayerStatus::NotApplicable => "does not apply",
    }
}

fn condition_line(c: &ConditionResult) -> String {
    let request = match &c.request_values {
        Some(v) => format!("request has {}", v.join(", ")),
        None => "key missing from the request".to_string(),
    };
    let outcome = match c.outcome {
        Tri::True => "true",
        Tri::False => "false",
        Tri::Unknown => "cannot be evaluated",
    };
    let mut s = format!(
        "{} {} [{}] — {request} → {outcome}",
        c.operator,
        c.key,
        c.policy_values.join(", ")
    );
    if let Some(note) = &c.note {
        let _ = write!(s, " ({note})");
    }
    s
}

/// How a deciding statement's position in the file on disk is found (world policies), when
/// it can be.
pub type Locate<'a> = &'a dyn Fn(&MatchedStatement) -> Option<FilePosition>;

fn statement_block(out: &mut String, m: &MatchedStatement, indent: &str, locate: Locate<'_>) {
    let level = m
        .level
        .as_deref()
        .map(|l| format!(" attached at {l}"))
        .unwrap_or_default();
    let what = format!(
        "{} statement {} of {} ({}{level})",
        m.effect,
        m.label(),
        m.policy,
        m.layer.phrase()
    );
    match locate(m) {
        Some(fp) => {
            let _ = writeln!(
                out,
                "{indent}{}",
                format!("{what}, {}", fp.describe()).bold()
            );
            let path = m
                .source
                .as_deref()
                .and_then(|s| s.split_once(' '))
                .map(|(_, p)| format!("{p}, "))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{indent}    in {path}lines {}-{} of the document",
                m.start.line, m.end.line
            );
        }
        None => {
            let header = format!(
                "{what}, lines {}-{} (line {}, column {})",
                m.start.line, m.end.line, m.start.line, m.start.column
            );
            let _ = writeln!(out, "{indent}{}", header.bold());
            if let Some(source) = &m.source {
                let _ = writeln!(out, "{indent}    in {source}");
            }
        }
    }
    for c in &m.detail.conditions {
        let _ = writeln!(out, "{indent}    {}", condition_line(c));
    }
    if let Some(note) = m.detail.principal.as_ref().and_then(|p| p.note.as_ref()) {
        let _ = writeln!(out, "{indent}    note: {note}");
    }
}

fn layer_line(out: &mut String, l: &LayerReport) {
    let required = if l.required || l.status == LayerStatus::Deny {
        ""
    } else {
        " (not required)"
    };
    let _ = write!(
        out,
        "  {:<24} {}{required}",
        l.layer.phrase(),
        painted_status(l.status)
    );
    if !l.levels.is_empty() {
        let levels: Vec<String> = l
            .levels
            .iter()
            .map(|lv| format!("{}: {}", lv.target, painted_status(lv.status)))
            .collect();
        let _ = write!(out, " — {}", levels.join("; "));
    }
    if let Some(note) = &l.note {
        let _ = write!(out, " — {note}");
    }
    out.push('\n');
}

/// Render an evaluation for people.
pub fn render(e: &Evaluation, action: &str, resource: &str) -> String {
    render_located(e, action, resource, &|_| None)
}

/// Render an evaluation for people, naming each deciding statement's line and column in the
/// file on disk where `locate` finds it.
pub fn render_located(e: &Evaluation, action: &str, resource: &str, locate: Locate<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {action} on {resource}",
        painted_decision(e.decision)
    );
    let _ = write!(out, "  why: {}", e.reason.summary);
    if let Some(level) = &e.reason.level {
        let _ = write!(out, " (at {level})");
    }
    out.push('\n');
    if !e.deciding.is_empty() {
        let _ = writeln!(out, "  deciding statements:");
        for m in &e.deciding {
            statement_block(&mut out, m, "    ", locate);
        }
    }
    if !e.blocked_by.is_empty() {
        let names: Vec<&str> = e.blocked_by.iter().map(|l| l.phrase()).collect();
        let _ = writeln!(out, "  blocked by: {}", names.join(", "));
    }
    let _ = writeln!(out, "  layers, in evaluation order:");
    for l in &e.layers {
        layer_line(&mut out, l);
    }
    for u in &e.unevaluable {
        let _ = writeln!(
            out,
            "  cannot evaluate: {} statement {} ({}, line {}): {}; {}",
            u.policy,
            u.statement,
            u.layer.phrase(),
            u.start.line,
            u.reason,
            u.assumed
        );
    }
    if !e.missing_context_keys.is_empty() {
        let keys: Vec<&str> = e
            .missing_context_keys
            .iter()
            .map(|k| k.key.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  context keys consulted but missing: {}",
            keys.join(", ")
        );
    }
    for n in &e.notes {
        // A rule already shown on its layer's line is not repeated.
        if !e
            .layers
            .iter()
            .any(|l| l.note.as_deref() == Some(n.as_str()))
        {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    out
}

/// Render which context keys were given, which were inferred and from what, and which were
/// missing while a condition consulted them.
pub fn render_context(c: &ContextReport, e: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  context:");
    if c.given.is_empty() {
        let _ = writeln!(out, "    given: none");
    }
    for g in &c.given {
        let _ = writeln!(out, "    given     {} = {}", g.key, g.values.join(", "));
    }
    for i in &c.inferred {
        let _ = writeln!(
            out,
            "    inferred  {} = {}  (from {})",
            i.key,
            i.values.join(", "),
            i.source
        );
    }
    for m in &e.missing_context_keys {
        let layers: Vec<&str> = m.layers.iter().map(|l| l.phrase()).collect();
        let _ = writeln!(
            out,
            "    missing   {}  (consulted by a condition in the {}; pass it with --context {}=VALUE if the real request carries it)",
            m.key,
            layers.join(", "),
            m.key
        );
    }
    out
}

/// A [`Locate`] for the world loaded from `dir`: each file is read when a statement in it is
/// asked for.
pub fn locate_in_dir(
    dir: &std::path::Path,
) -> impl Fn(&MatchedStatement) -> Option<FilePosition> + '_ {
    move |m: &MatchedStatement| {
        let source = m.source.as_deref()?;
        statement_position(source, m.file_span.as_ref(), m.start, &|file, span| {
            iamwhy_world::position::read_world_file(dir, file, span)
        })
    }
}
