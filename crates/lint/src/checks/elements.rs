//! Document- and statement-level elements: `Version`, `Sid`, policy variables in every element,
//! and statements that repeat another.

use super::{Ctx, label};
use iamwhy_policy::PolicyVersion;
use iamwhy_policy::condition_operator::ConditionOperator;
use iamwhy_policy::document::{PrincipalValue, Spanned, Statement};
use std::collections::HashMap;

pub(super) fn document(ctx: &mut Ctx<'_>) {
    let doc = ctx.doc;
    if doc.version == PolicyVersion::Absent
        && !matches!(
            ctx.ty,
            iamwhy_policy::PolicyType::Scp | iamwhy_policy::PolicyType::Rcp
        )
    {
        ctx.push(
            "MISSING_VERSION",
            doc.span,
            None,
            "the policy has no Version, so it is read as the 2008-10-17 language: ${...} policy variables are plain text".to_string(),
            Some("add \"Version\": \"2012-10-17\" as the first element".to_string()),
        );
    }
    redundant_statements(ctx);
}

pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement) {
    if let Some(sid) = &s.sid
        && sid.value.is_empty()
    {
        ctx.push(
            "EMPTY_SID_VALUE",
            sid.span,
            Some(s.index),
            format!("{}: the Sid is an empty string", label(s)),
            Some("give the statement a name, or remove the Sid".to_string()),
        );
    }
    // Elements that never substitute variables.
    if ctx.variables {
        let mut unsupported: Vec<(&Spanned<String>, &str)> = Vec::new();
        for v in &s.action.values {
            unsupported.push((
                v,
                if s.action.negated {
                    "NotAction"
                } else {
                    "Action"
                },
            ));
        }
        if let Some(sid) = &s.sid {
            unsupported.push((sid, "Sid"));
        }
        if let Some(p) = &s.principal {
            let name = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            match &p.value {
                PrincipalValue::Map(entries) => {
                    for e in entries {
                        for v in &e.values {
                            unsupported.push((v, name));
                        }
                    }
                }
                PrincipalValue::BareString(v) => unsupported.push((v, name)),
                PrincipalValue::Everyone => {}
            }
        }
        for (v, element) in unsupported {
            if v.value.contains("${") {
                ctx.push(
                    "VARIABLE_UNSUPPORTED_IN_ELEMENT",
                    v.span,
                    Some(s.index),
                    format!(
                        "\"{}\": {element} does not substitute policy variables, so the text is used as written",
                        v.value
                    ),
                    Some("use variables in Resource or in Condition values; to test the caller, use a condition on aws:PrincipalArn".to_string()),
                );
            }
        }
    }
    // Elements that do.
    let mut substituted: Vec<&Spanned<String>> = Vec::new();
    if let Some(r) = &s.resource {
        substituted.extend(r.values.iter());
    }
    if let Some(c) = &s.condition {
        for b in &c.blocks {
            let string_like = ConditionOperator::parse(&b.operator.value)
                .is_ok_and(|op| op.base.substitutes_variables());
            if string_like {
                for e in &b.entries {
                    substituted.extend(e.values.iter());
                }
            }
        }
    }
    for v in substituted {
        if !v.value.contains("${") {
            continue;
        }
        if !ctx.variables {
            ctx.push(
                "VARIABLE_UNSUPPORTED_IN_VERSION",
                v.span,
                Some(s.index),
                format!(
                    "\"{}\": without \"Version\": \"2012-10-17\" the ${{...}} is plain text, not a policy variable",
                    v.value
                ),
                Some("add \"Version\": \"2012-10-17\" to the policy".to_string()),
            );
            continue;
        }
        for problem in variable_problems(&v.value) {
            let (code, details) = match problem {
                VarProblem::MissingBrace => (
                    "MISSING_BRACE_IN_VARIABLE",
                    "a policy variable starts with ${ but has no closing }",
                ),
                VarProblem::Empty => ("EMPTY_VARIABLE", "the policy variable ${} names no key"),
                VarProblem::Space => (
                    "UNSUPPORTED_SPACE_IN_VARIABLE",
                    "the name of a policy variable cannot contain spaces",
                ),
            };
            ctx.push(
                code,
                v.span,
                Some(s.index),
                format!("\"{}\": {details}", v.value),
                Some(
                    "write variables as ${aws:username} (a default value: ${aws:username, 'none'})"
                        .to_string(),
                ),
            );
        }
    }
}

/// A malformed `${...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VarProblem {
    MissingBrace,
    Empty,
    Space,
}

fn variable_problems(text: &str) -> Vec<VarProblem> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(close) = after.find('}') else {
            out.push(VarProblem::MissingBrace);
            break;
        };
        let inner = &after[..close];
        let name = inner.split(',').next().unwrap_or("");
        if inner.trim().is_empty() {
            out.push(VarProblem::Empty);
        } else if name.chars().any(char::is_whitespace) {
            out.push(VarProblem::Space);
        }
        rest = &after[close + 1..];
    }
    out
}

/// REDUNDANT_STATEMENT: two statements that say the same thing (Sid aside).
fn redundant_statements(ctx: &mut Ctx<'_>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in ctx.doc.statements() {
        let key = canonical(s);
        if let Some(&first) = seen.get(&key) {
            let other = &ctx.doc.statements()[first];
            ctx.push(
                "REDUNDANT_STATEMENT",
                s.span,
                Some(s.index),
                format!("{} says exactly what {} says", label(s), label(other)),
                Some(format!("remove {}", label(s))),
            );
        } else {
            seen.insert(key, s.index);
        }
    }
}

/// A text that two statements share exactly when they have the same meaning element by
/// element (lists as sets, action names and key names without case).
fn canonical(s: &Statement) -> String {
    let mut out = format!("{:?}|", s.effect.value);
    if let Some(p) = &s.principal {
        out.push_str(if p.negated { "NP:" } else { "P:" });
        match &p.value {
            PrincipalValue::Everyone => out.push('*'),
            PrincipalValue::BareString(v) => out.push_str(&v.value),
            PrincipalValue::Map(entries) => {
                let mut parts: Vec<String> = entries
                    .iter()
                    .flat_map(|e| {
                        e.values
                            .iter()
                            .map(move |v| format!("{}={}", e.kind.as_str(), v.value))
                    })
                    .collect();
                parts.sort();
                parts.dedup();
                out.push_str(&parts.join(","));
            }
        }
    }
    out.push('|');
    out.push_str(if s.action.negated { "NA:" } else { "A:" });
    let mut actions: Vec<String> = s
        .action
        .values
        .iter()
        .map(|v| v.value.to_ascii_lowercase())
        .collect();
    actions.sort();
    actions.dedup();
    out.push_str(&actions.join(","));
    out.push('|');
    if let Some(r) = &s.resource {
        out.push_str(if r.negated { "NR:" } else { "R:" });
        let mut rs: Vec<&str> = r.values.iter().map(|v| v.value.as_str()).collect();
        rs.sort();
        rs.dedup();
        out.push_str(&rs.join(","));
    }
    out.push('|');
    if let Some(c) = &s.condition {
        let mut blocks: Vec<String> = c
            .blocks
            .iter()
            .flat_map(|b| {
                b.entries.iter().map(move |e| {
                    let mut vals: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
                    vals.sort();
                    vals.dedup();
                    format!(
                        "{}:{}={}",
                        b.operator.value,
                        e.key.value.to_ascii_lowercase(),
                        vals.join(",")
                    )
                })
            })
            .collect();
        blocks.sort();
        out.push_str(&blocks.join(";"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_syntax() {
        assert!(variable_problems("${aws:username}").is_empty());
        assert!(variable_problems("${aws:username, 'none'}").is_empty());
        assert_eq!(
            variable_problems("${aws:username"),
            vec![VarProblem::MissingBrace]
        );
        assert_eq!(variable_problems("a/${}"), vec![VarProblem::Empty]);
        assert_eq!(
            variable_problems("${aws: username}"),
            vec![VarProblem::Space]
        );
    }
}
