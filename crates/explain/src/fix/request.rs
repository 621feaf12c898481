//! Request-side fixes: context keys the caller controls, missing from the request or set to
//! the wrong value, that a condition needs (an `sts:ExternalId`, MFA, the region, the VPC
//! endpoint, HTTPS...). Candidate values come from the policies themselves; each candidate is
//! re-prepared in the world (so that an endpoint's own policy is evaluated too) and kept only
//! if the request is then allowed.

use super::{Cost, Cx, Fix, FixReport, RequestChange, lists};
use iamwhy_engine::{ConditionResult, Decision, EvaluationOptions, Layer, Tri};
use iamwhy_policy::Arn;

/// Context keys a caller sets by how it calls (lowercased).
const CALLER_KEYS: &[&str] = &[
    "aws:requestedregion",
    "sts:externalid",
    "aws:multifactorauthpresent",
    "aws:sourcevpce",
    "aws:securetransport",
    "sts:sourceidentity",
    "sts:rolesessionname",
];

/// Verbs of actions that create the resource they name: the resource then lives in the
/// region of the call.
const CREATING_VERBS: &[&str] = &[
    "Create", "Run", "Launch", "Allocate", "Import", "Copy", "Register", "Request", "Publish",
];

/// The value that would meet (for an Allow) or lift (for a Deny) a condition on a caller key.
pub(super) fn candidate(c: &ConditionResult, wants_true: bool) -> Option<(String, String)> {
    if !CALLER_KEYS.contains(&c.key.to_lowercase().as_str()) {
        return None;
    }
    let base = c.operator.to_lowercase();
    let literal = |v: &String| !v.contains(['*', '?']) && !v.contains("(unresolved)");
    let value = if base.starts_with("bool") {
        // A Deny on `false` is lifted by `true`; an Allow on `true` is met by `true`.
        let v = c.policy_values.first().map(|v| v.to_lowercase());
        match (wants_true, v.as_deref()) {
            (true, Some(v)) => v.to_string(),
            (false, Some("false")) => "true".into(),
            (false, _) => "false".into(),
            _ => return None,
        }
    } else if (wants_true && (base.starts_with("stringequals") || base.starts_with("stringlike")))
        || (!wants_true
            && (base.starts_with("stringnotequals") || base.starts_with("stringnotlike")))
    {
        match c.policy_values.first() {
            Some(v) if literal(v) => v.clone(),
            _ => return None,
        }
    } else {
        return None;
    };
    Some((c.key.clone(), value))
}

/// Every request-side fix for the denied request of `cx`.
pub(super) fn request_side(cx: &Cx<'_, '_>, report: &mut FixReport) {
    let mut candidates: Vec<(String, String)> = Vec::new();
    for m in &cx.e.deciding {
        candidates.extend(
            m.detail
                .conditions
                .iter()
                .filter_map(|c| candidate(c, false)),
        );
    }
    // Allow statements of the layer that refused, which failed only on their conditions.
    if let Some(layer) = cx.e.reason.layer {
        for_failing_allows(cx, layer, |c| candidates.extend(candidate(c, true)));
    }
    candidates.sort();
    candidates.dedup();
    for (key, value) in candidates {
        try_candidate(cx, key, value, report);
    }
}

fn try_candidate(cx: &Cx<'_, '_>, key: String, value: String, report: &mut FixReport) {
    let lower = key.to_lowercase();
    let mut change = RequestChange {
        context: vec![(key.clone(), value.clone())],
        ..RequestChange::default()
    };
    let mut also_allows = vec!["no policy changes: only this call differs".to_string()];
    if lower == "aws:requestedregion"
        && let Some(home) = resource_region(&cx.question.resource)
        && !home.eq_ignore_ascii_case(&value)
    {
        if !creates_its_resource(&cx.question.action, &cx.question.resource) {
            report.rejected.push(format!(
                "calling from region {value} cannot reach a resource that lives in {home}"
            ));
            return;
        }
        let moved = with_region(&cx.question.resource, &value);
        also_allows.push(format!(
            "the resource is then created in {value} ({moved}), not in {home}"
        ));
        change.resource = Some(moved);
    }
    if lower == "aws:sourcevpce" {
        // Through a VPC endpoint the request carries no public source address.
        change.remove.push("aws:SourceIp".into());
        change.source_vpce = Some(value.clone());
        also_allows.push(format!(
            "the request then carries no aws:SourceIp, and the policy of endpoint {value} must allow it too (iamwhy check --source-vpce {value} evaluates it)"
        ));
    }
    let q = change.apply(cx.question);
    let verdict = match cx.decide(&q) {
        Some((d, _)) => d,
        None if lower == "aws:sourcevpce" => {
            // The endpoint is not in the world: decide with the key alone.
            let mut r = cx.request.clone();
            r.context.set(&key, value.clone());
            r.context.remove("aws:SourceIp");
            cx.set.decide(&r, &EvaluationOptions::default())
        }
        None => {
            report.rejected.push(format!(
                "setting {key} = {value}: the request cannot be prepared"
            ));
            return;
        }
    };
    if verdict != Decision::Allowed {
        report.rejected.push(format!(
            "setting {key} = {value} does not allow the request"
        ));
        return;
    }
    let how = match lower.as_str() {
        "aws:requestedregion" => format!("make the call in region {value}"),
        "sts:externalid" => format!("pass --external-id {value} when assuming the role"),
        "aws:multifactorauthpresent" => "sign in or get a session with MFA (aws sts get-session-token with --serial-number and --token-code)".to_string(),
        "aws:sourcevpce" => format!("send the request through the VPC endpoint {value}"),
        "aws:securetransport" => "use HTTPS".to_string(),
        "sts:sourceidentity" => format!("set the source identity {value} when assuming the role"),
        "sts:rolesessionname" => format!("name the role session {value}"),
        _ => format!("make the request with {key} = {value}"),
    };
    let mut f = Fix::new(
        format!("Change the request: {how}"),
        "request",
        Cost::RequestChange,
    );
    f.also_allows = also_allows;
    f.request = Some(change);
    report.fixes.push(f);
}

/// The region a resource ARN names.
fn resource_region(resource: &str) -> Option<String> {
    Arn::parse(resource)
        .and_then(|a| a.named_region())
        .map(str::to_string)
}

/// Whether the call creates the resource it names (so that calling from another region
/// creates it there): a creating verb, or a resource whose name is `*` or a pattern.
fn creates_its_resource(action: &str, resource: &str) -> bool {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    let creates = CREATING_VERBS.iter().any(|v| name.starts_with(v));
    let unnamed = Arn::parse(resource).is_some_and(|a| a.resource_name().contains('*'));
    creates || unnamed
}

/// `resource` with its region replaced.
fn with_region(resource: &str, region: &str) -> String {
    let mut parts: Vec<&str> = resource.splitn(6, ':').collect();
    if parts.len() == 6 {
        parts[3] = region;
    }
    parts.join(":")
}

/// Call `f` on the conditions of the Allow statements of `layer` whose action, resource and
/// principal matched but whose conditions failed.
pub(super) fn for_failing_allows(
    cx: &Cx<'_, '_>,
    layer: Layer,
    mut f: impl FnMut(&ConditionResult),
) {
    let opts = EvaluationOptions::default();
    for (l, list) in lists(cx.set) {
        if l != layer {
            continue;
        }
        for p in &list.policies {
            for s in &p.statements {
                if s.effect != iamwhy_policy::Effect::Allow {
                    continue;
                }
                let r = s.evaluate(cx.request, &opts);
                let principal_ok = r.principal.as_ref().is_none_or(|p| p.applies);
                if r.action_matched
                    && r.resource_matched
                    && principal_ok
                    && r.condition_outcome != Tri::True
                {
                    for c in r.conditions.iter().filter(|c| c.outcome != Tri::True) {
                        f(c);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creating_call_moves_its_resource_with_the_region() {
        assert!(creates_its_resource(
            "ec2:RunInstances",
            "arn:aws:ec2:us-east-1:1:instance/*"
        ));
        assert!(!creates_its_resource(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:eu-west-1:1:table/orders"
        ));
        assert_eq!(
            with_region("arn:aws:ec2:us-east-1:1:instance/*", "eu-west-1"),
            "arn:aws:ec2:eu-west-1:1:instance/*"
        );
    }
}
