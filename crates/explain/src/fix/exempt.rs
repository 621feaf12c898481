//! Fixes for an explicit deny. First, who the denying statement already exempts (an
//! `ArnNotLike aws:PrincipalArn` list, a principal tag): making the call as such a principal
//! changes no policy. Then, last and labelled as weakening a guardrail, exempting the caller
//! from the denying statements with `ArnNotLike aws:PrincipalArn`.

use super::{
    Cost, Cx, Fix, FixReport, RequestChange, allowed, compile_edit, editable, find_policy,
    policy_fix, principal_arn, replace_policy, statement_actions,
};
use crate::edit;
use iamwhy_engine::{CompiledPolicy, ConditionResult, Decision, LayerStatus, MatchedStatement};
use iamwhy_policy::wildcard::Wildcard;
use iamwhy_policy::{Arn, Effect, is_account_id};
use iamwhy_world::Question;
use std::sync::Arc;

/// At most this many exempt principals are offered.
const MAX_EXEMPT: usize = 3;
/// An exemption whose role name has wildcards is searched for only in accounts with at most
/// this many roles (the search is linear in them).
const MAX_ROLES_SCANNED: usize = 1000;

/// The principal patterns a condition of a Deny statement exempts: `ArnNotLike` /
/// `ArnNotEquals` / `StringNotLike` / `StringNotEquals` on `aws:PrincipalArn`.
fn exempted_arns(c: &ConditionResult) -> Vec<&str> {
    let op = c.operator.to_ascii_lowercase();
    let op = op.strip_suffix("ifexists").unwrap_or(&op);
    let negated = matches!(
        op,
        "arnnotlike" | "arnnotequals" | "stringnotlike" | "stringnotequals"
    );
    if !negated || !c.key.eq_ignore_ascii_case("aws:PrincipalArn") {
        return Vec::new();
    }
    c.policy_values
        .iter()
        .map(String::as_str)
        .filter(|v| !v.contains("(unresolved)"))
        .collect()
}

/// `StringNotEquals aws:PrincipalTag/K V`: the tag that exempts.
fn exempting_tag(c: &ConditionResult) -> Option<(String, String)> {
    let op = c.operator.to_ascii_lowercase();
    let op = op.strip_suffix("ifexists").unwrap_or(&op);
    if !matches!(op, "stringnotequals" | "stringnotlike") {
        return None;
    }
    let tag = c.key.strip_prefix("aws:PrincipalTag/")?;
    let value = c.policy_values.first()?;
    (!value.contains(['*', '?']) && !value.contains("(unresolved)"))
        .then(|| (format!("aws:PrincipalTag/{tag}"), value.clone()))
}

/// The roles of the world an exemption pattern names, in the accounts that matter: the
/// caller's, the resource owner's and the one the pattern names.
fn roles_matching(cx: &Cx<'_, '_>, pattern: &str, out: &mut Vec<String>, report: &mut FixReport) {
    let Some(arn) = Arn::parse(pattern) else {
        return;
    };
    if arn.service != "iam" || !arn.resource.starts_with("role/") {
        return;
    }
    let name = arn.resource.rsplit('/').next().unwrap_or("");
    let mut accounts: Vec<&str> = Vec::new();
    for a in [
        cx.request.principal.account.as_deref(),
        cx.request.resource_account.as_deref(),
        Some(arn.account).filter(|a| is_account_id(a)),
    ]
    .into_iter()
    .flatten()
    {
        if !accounts.contains(&a) {
            accounts.push(a);
        }
    }
    let wanted = Wildcard::compile_folded(pattern);
    let before = out.len();
    let searched = accounts.join(", ");
    for id in accounts {
        let Some(account) = cx.index.world.accounts.get(id) else {
            continue;
        };
        let mut found: Vec<&str> = Vec::new();
        if !name.contains(['*', '?']) {
            if let Some(arn) = account.role_names.get(name) {
                found.push(arn);
            }
        } else if account.roles.len() <= MAX_ROLES_SCANNED {
            found.extend(account.roles.keys().map(String::as_str));
        } else {
            report.rejected.push(format!(
                "the roles of account {id} matching {pattern} were not searched: it has {} roles",
                account.roles.len()
            ));
        }
        for role in found {
            if wanted.matches(&role.to_lowercase()) && !out.iter().any(|r| r == role) {
                out.push(role.to_string());
            }
        }
    }
    if out.len() == before {
        report.rejected.push(format!(
            "the denying statement exempts {pattern}, but no such role is in account {searched} of the world"
        ));
    }
}

/// Who the deciding Deny statements already exempt, each verified: the request made as that
/// principal is allowed. Says whether the caller may assume the role today.
pub(super) fn exempt_principals(cx: &Cx<'_, '_>, report: &mut FixReport) {
    let caller = principal_arn(cx.request);
    let mut offered = 0;
    for m in cx.e.deciding.iter().filter(|m| m.effect == Effect::Deny) {
        let mut roles: Vec<String> = Vec::new();
        let mut tags: Vec<(String, String)> = Vec::new();
        for c in &m.detail.conditions {
            for pattern in exempted_arns(c) {
                roles_matching(cx, pattern, &mut roles, report);
            }
            tags.extend(exempting_tag(c));
        }
        roles.retain(|r| Some(r) != caller.as_ref());
        for role in roles {
            if offered >= MAX_EXEMPT {
                return;
            }
            if offer_role(cx, m, &role, report) {
                offered += 1;
            }
        }
        for (key, value) in tags {
            if offered >= MAX_EXEMPT {
                return;
            }
            if offer_tag(cx, m, &key, &value, report) {
                offered += 1;
            }
        }
    }
}

fn where_(m: &MatchedStatement) -> String {
    format!(
        "statement {} of {} ({})",
        m.label(),
        m.policy,
        m.layer.phrase()
    )
}

fn offer_role(cx: &Cx<'_, '_>, m: &MatchedStatement, role: &str, report: &mut FixReport) -> bool {
    let change = RequestChange {
        principal: Some(role.to_string()),
        ..RequestChange::default()
    };
    let q = change.apply(cx.question);
    let name = role.rsplit('/').next().unwrap_or(role);
    match cx.decide(&q) {
        Some((Decision::Allowed, _)) => {}
        Some((d, p)) => {
            let why = p
                .set
                .evaluate(&p.request, &Default::default())
                .reason
                .summary;
            report.rejected.push(format!(
                "{} exempts role {name}, but the request made as {role} is {}: {why}",
                where_(m),
                d.simulator_name()
            ));
            return false;
        }
        None => return false,
    }
    let assume = Question {
        principal: cx.question.principal.clone(),
        action: "sts:AssumeRole".into(),
        resource: role.to_string(),
        context: cx.question.context.clone(),
        session_policy: None,
        source_vpce: cx.question.source_vpce.clone(),
        resource_account: None,
        now: cx.question.now.clone(),
        federated_by: cx.question.federated_by.clone(),
    };
    let can_assume = match cx.index.world.prepare(&assume) {
        Ok(p) => {
            let e = p.set.evaluate(&p.request, &Default::default());
            if e.decision == Decision::Allowed {
                Ok(())
            } else {
                Err(e.reason.summary)
            }
        }
        Err(d) => Err(d.message),
    };
    let caller = &cx.question.principal;
    let mut f = Fix::new(
        format!(
            "Make the call as role {name} ({role}), which {} exempts",
            where_(m)
        ),
        "request",
        Cost::ExemptPrincipal,
    );
    f.also_allows = vec![
        format!(
            "no policy changes: the guardrail already exempts {role}, and the request made as {name} is allowed (re-simulated)"
        ),
        match &can_assume {
            Ok(()) => {
                format!("{caller} may assume {name} today (sts:AssumeRole re-simulated: allowed)")
            }
            Err(why) => format!(
                "{caller} cannot assume {name} today ({why}): the call is for someone who can, or for a process that runs as {name}"
            ),
        },
    ];
    if can_assume.is_ok() {
        f.command = Some(format!(
            "aws sts assume-role --role-arn {role} --role-session-name iamwhy-{name}"
        ));
    }
    f.request = Some(change);
    report.fixes.push(f);
    true
}

fn offer_tag(
    cx: &Cx<'_, '_>,
    m: &MatchedStatement,
    key: &str,
    value: &str,
    report: &mut FixReport,
) -> bool {
    let change = RequestChange {
        context: vec![(key.to_string(), value.to_string())],
        ..RequestChange::default()
    };
    let q = change.apply(cx.question);
    if !matches!(cx.decide(&q), Some((Decision::Allowed, _))) {
        report.rejected.push(format!(
            "{} exempts principals with {key} = {value}, but that alone does not allow the request",
            where_(m)
        ));
        return false;
    }
    let tag = key.strip_prefix("aws:PrincipalTag/").unwrap_or(key);
    let mut f = Fix::new(
        format!(
            "Make the call as a principal tagged {tag}={value}, which {} exempts",
            where_(m)
        ),
        "request",
        Cost::ExemptPrincipal,
    );
    f.also_allows = vec![format!(
        "no policy changes: re-simulated with the caller tagged {tag}={value}, the request is allowed; tagging the caller itself (iam:TagRole / iam:TagUser) is a change to the guardrail's scope"
    )];
    f.request = Some(change);
    report.fixes.push(f);
    true
}

/// Exempt the caller from each deciding Deny statement with `ArnNotLike aws:PrincipalArn`:
/// verified with every exemption in place, labelled as weakening a guardrail.
pub(super) fn exempt_from_denies(cx: &Cx<'_, '_>, report: &mut FixReport) {
    let Some(arn) = principal_arn(cx.request) else {
        return;
    };
    struct Edit<'e> {
        old: Arc<CompiledPolicy>,
        before: String,
        after: String,
        statement: &'e MatchedStatement,
    }
    let mut current = cx.set.clone();
    let mut edits: Vec<Edit> = Vec::new();
    for m in &cx.e.deciding {
        let Some(old) = find_policy(&current, m) else {
            continue;
        };
        let Some((before, mut doc)) = editable(&old) else {
            continue;
        };
        if !edit::exempt_principal(&mut doc, m.index, &arn) {
            continue;
        }
        let after = doc.pretty();
        let Some(new) = compile_edit(&old, &after) else {
            continue;
        };
        current = replace_policy(&current, &old, new);
        edits.push(Edit {
            old,
            before,
            after,
            statement: m,
        });
    }
    if edits.is_empty() {
        return;
    }
    if !allowed(&current, cx.request) {
        let after = current.evaluate(cx.request, &Default::default());
        report.rejected.push(format!(
            "exempting {arn} from the denying statement(s) is not enough: {}",
            after.reason.summary
        ));
        report.refusing_after_exemption = after
            .layers
            .iter()
            .filter(|l| matches!(l.status, LayerStatus::NoAllow | LayerStatus::Deny))
            .filter(|l| {
                l.required || l.status == LayerStatus::Deny || Some(l.layer) == after.reason.layer
            })
            .map(|l| l.layer)
            .collect();
        return;
    }
    let together = edits.len() > 1;
    for Edit {
        old,
        before,
        after,
        statement: m,
    } in edits
    {
        let origin = cx.index.origin(&old);
        let actions = statement_actions(&old, m.index);
        let mut also = vec![format!(
            "{arn} is no longer denied by this statement for any of {actions}, on any resource it covers; every other principal is still denied"
        )];
        if together {
            also.push(
                "needed together with the other exemption(s) of this list: one alone does not allow the request"
                    .into(),
            );
        }
        report.fixes.push(policy_fix(
            format!(
                "Exempt {arn} from {} with a condition ArnNotLike aws:PrincipalArn",
                where_(m)
            ),
            Cost::WeakensGuardrail,
            &m.policy,
            origin,
            &before,
            after,
            also,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_engine::Tri;

    fn cond(op: &str, key: &str, values: &[&str]) -> ConditionResult {
        ConditionResult {
            operator: op.into(),
            key: key.into(),
            policy_values: values.iter().map(|v| v.to_string()).collect(),
            request_values: None,
            outcome: Tri::True,
            note: None,
        }
    }

    #[test]
    fn negated_principal_arn_conditions_name_the_exempt() {
        let c = cond(
            "ArnNotLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::*:role/OrgOps"],
        );
        assert_eq!(exempted_arns(&c), ["arn:aws:iam::*:role/OrgOps"]);
        let c = cond(
            "ArnLike",
            "aws:PrincipalArn",
            &["arn:aws:iam::*:role/OrgOps"],
        );
        assert!(exempted_arns(&c).is_empty());
        let c = cond(
            "StringNotEqualsIfExists",
            "aws:PrincipalTag/team",
            &["admins"],
        );
        assert_eq!(
            exempting_tag(&c),
            Some(("aws:PrincipalTag/team".into(), "admins".into()))
        );
    }
}
