//! `Action` / `NotAction` against the service catalog: unknown services and actions (with
//! did-you-mean), wildcards that match nothing, redundant values, and actions of other
//! services in a resource-based policy of a known resource type.

use super::{ActionInfo, Ctx, expand, has_wildcard, join, join_or, label};
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::document::Statement;
use iamwhy_policy::wildcard::tokens;
use rustc_hash::FxHashMap;

/// Check the action values of one statement; returns what each stands for.
pub(super) fn statement(ctx: &mut Ctx<'_>, s: &Statement) -> Vec<ActionInfo> {
    let element = if s.action.negated {
        "NotAction"
    } else {
        "Action"
    };
    if s.action.values.is_empty() {
        ctx.push(
            "EMPTY_ARRAY_ACTION",
            s.action.span,
            Some(s.index),
            format!(
                "{}: {element} is an empty list, so the statement matches no action",
                label(s)
            ),
            Some("list the actions, or remove the statement".to_string()),
        );
    }
    let mut infos = Vec::with_capacity(s.action.values.len());
    // The engine compiled every value already: reuse its patterns.
    let compiled = ctx.compiled;
    let patterns = &compiled.statements[s.index].actions.patterns;
    for (v, pattern) in s.action.values.iter().zip(patterns) {
        let info = expand(ctx.idx, &v.value, pattern);
        if let ActionPattern::Service { .. } = pattern {
            let (prefix, name) = v.value.split_once(':').unwrap_or(("", ""));
            let known_service = match &info {
                ActionInfo::Known(a) => Some(a[0].service()),
                _ => ctx.idx.cat.service(prefix),
            };
            match known_service {
                None => {
                    let suggestions: Vec<String> = ctx
                        .idx
                        .cat
                        .suggest_services(prefix)
                        .into_iter()
                        .map(|svc| format!("{}:{name}", svc.prefix()))
                        .collect();
                    ctx.push(
                        "INVALID_SERVICE_IN_ACTION",
                        v.span,
                        Some(s.index),
                        format!(
                            "\"{}\": no AWS service has the prefix \"{prefix}\" (service catalog of {})",
                            v.value,
                            iamwhy_catalog::DATA_DATE
                        ),
                        did_you_mean(&suggestions),
                    );
                }
                Some(_) if !has_wildcard(name) && matches!(info, ActionInfo::Unknown) => {
                    let suggestions: Vec<String> = ctx
                        .idx
                        .cat
                        .suggest_actions(&v.value)
                        .into_iter()
                        .map(|a| a.to_string())
                        .collect();
                    let help = if v.value.contains(',') {
                        Some(
                            "list each action as its own string: [\"s3:GetObject\", \"s3:PutObject\"]"
                                .to_string(),
                        )
                    } else {
                        did_you_mean(&suggestions)
                    };
                    ctx.push(
                        "INVALID_ACTION",
                        v.span,
                        Some(s.index),
                        format!(
                            "\"{}\" is not an action of {prefix} (service catalog of {}), so it matches nothing",
                            v.value,
                            iamwhy_catalog::DATA_DATE
                        ),
                        help,
                    );
                }
                Some(_) if matches!(info, ActionInfo::Unknown) => ctx.push(
                    "IAMWHY_ACTION_MATCHES_NOTHING",
                    v.span,
                    Some(s.index),
                    format!(
                        "\"{}\" matches no action of {prefix} (service catalog of {})",
                        v.value,
                        iamwhy_catalog::DATA_DATE
                    ),
                    Some(format!(
                        "list {prefix}'s actions with `iamwhy actions '{prefix}:*'`"
                    )),
                ),
                Some(_) => {}
            }
        }
        infos.push(info);
    }
    redundant(ctx, s, patterns, &infos);
    other_services(ctx, s, patterns);
    infos
}

fn did_you_mean(suggestions: &[String]) -> Option<String> {
    (!suggestions.is_empty()).then(|| format!("did you mean {}?", join_or(suggestions)))
}

/// REDUNDANT_ACTION: a value whose actions another value of the same element already covers.
/// Values are compared only within their service (and with `*`); a value without wildcards
/// is tested against the wildcard values by matching, so long lists stay linear in practice.
fn redundant(ctx: &mut Ctx<'_>, s: &Statement, patterns: &[ActionPattern], infos: &[ActionInfo]) {
    let values = &s.action.values;
    let star = patterns
        .iter()
        .position(|p| matches!(p, ActionPattern::All));
    let mut by_service: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, p) in patterns.iter().enumerate() {
        if let Some(svc) = p.service() {
            by_service.entry(svc).or_default().push(i);
        }
    }
    let mut seen_literal: FxHashMap<String, usize> = FxHashMap::default();
    // Tokens of the wildcard values, made once (compared pairwise within a service).
    let folded: Vec<Option<Vec<iamwhy_policy::wildcard::Token>>> = values
        .iter()
        .map(|v| has_wildcard(&v.value).then(|| tokens(&v.value.to_ascii_lowercase()).collect()))
        .collect();
    for (j, b) in values.iter().enumerate() {
        let cover = match &patterns[j] {
            ActionPattern::All => star.filter(|&i| i < j),
            ActionPattern::Never { .. } => None,
            ActionPattern::Service { service, .. } => {
                let same = &by_service[&**service];
                if !has_wildcard(&b.value) {
                    let lower = b.value.to_ascii_lowercase();
                    let name = lower.split_once(':').map(|(_, n)| n).unwrap_or("");
                    let dup = match seen_literal.get(&lower) {
                        Some(&i) => Some(i),
                        None => {
                            seen_literal.insert(lower.clone(), j);
                            None
                        }
                    };
                    dup.or(star).or_else(|| {
                        same.iter().copied().find(|&i| {
                            i != j
                                && has_wildcard(&values[i].value)
                                && patterns[i].matches(service, name)
                        })
                    })
                } else {
                    star.or_else(|| {
                        same.iter().copied().find(|&i| {
                            i != j
                                && has_wildcard(&values[i].value)
                                && wildcard_covers(
                                    folded[i].as_deref().unwrap_or(&[]),
                                    folded[j].as_deref().unwrap_or(&[]),
                                    &infos[i],
                                    &infos[j],
                                    i < j,
                                )
                        })
                    })
                }
            }
        };
        if let Some(i) = cover {
            ctx.push(
                "REDUNDANT_ACTION",
                b.span,
                Some(s.index),
                format!(
                    "\"{}\" is redundant: \"{}\" in the same statement already matches every action it matches",
                    b.value, values[i].value
                ),
                Some(format!("remove \"{}\"", b.value)),
            );
        }
    }
}

/// Whether wildcard value `a` matches every action wildcard value `b` matches: by the patterns
/// themselves, or by their catalog expansions (of two equal ones, only the later is redundant).
fn wildcard_covers(
    fa: &[iamwhy_policy::wildcard::Token],
    fb: &[iamwhy_policy::wildcard::Token],
    ia: &ActionInfo,
    ib: &ActionInfo,
    a_first: bool,
) -> bool {
    if fa == fb {
        return a_first;
    }
    if super::pattern_covers(fa, fb) {
        return true;
    }
    match (ia, ib) {
        (ActionInfo::Known(big), ActionInfo::Known(small)) => {
            small.iter().all(|x| big.binary_search(x).is_ok())
                && (small.len() < big.len() || a_first)
        }
        _ => false,
    }
}

/// UNSUPPORTED_ACTION_IN_POLICY: in a resource-based policy of a known resource type, an action
/// of a service that does not act on that resource type.
fn other_services(ctx: &mut Ctx<'_>, s: &Statement, patterns: &[ActionPattern]) {
    let Some(rt) = ctx.pc.resource_type else {
        return;
    };
    if s.action.negated {
        return;
    }
    for (v, pattern) in s.action.values.iter().zip(patterns) {
        let Some(prefix) = pattern.service().map(str::to_string) else {
            continue;
        };
        if ctx.idx.cat.service(&prefix).is_none() {
            continue;
        }
        if !rt.action_services.contains(&prefix.as_str()) {
            ctx.push(
                "UNSUPPORTED_ACTION_IN_POLICY",
                v.span,
                Some(s.index),
                format!(
                    "\"{}\" is a {prefix} action; a policy attached to {} only governs {} actions",
                    v.value,
                    rt.name,
                    join(
                        &rt.action_services
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                    )
                ),
                Some("move the action to a policy of the resource it acts on".to_string()),
            );
        }
    }
}
