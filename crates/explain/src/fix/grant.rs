//! Fixes for an implicit deny: add the missing allow to the layer that lacked it. An identity
//! policy or the resource's policy grants access; a trust policy is extended in the statement
//! that already trusts others for the action, so that its conditions (an `ExternalId`
//! requirement) stay; a permissions boundary, an SCP or an endpoint policy widened is a
//! guardrail weakened, and said so.

use super::request::candidate;
use super::{
    Cost, Cx, FixReport, RequestChange, allowed, compile_edit, editable, lists, policy_fix,
    principal_arn, replace_policy, sid_for,
};
use crate::edit::{self, Json};
use iamwhy_engine::{CompiledPolicy, EvaluationOptions, Layer, PolicyList, RequestResource};
use iamwhy_policy::{Arn, Effect, PolicyDocument, PolicyType};
use iamwhy_world::PolicyOrigin;
use std::sync::Arc;

fn new_policy(name: &str, ty: PolicyType, text: &str) -> Arc<CompiledPolicy> {
    let doc = PolicyDocument::parse(text).expect("generated policies parse");
    Arc::new(CompiledPolicy::compile(name, ty, Arc::new(doc)))
}

/// The implicit deny of `cx`: the layer that lacked an allow gets one.
pub(super) fn grant(cx: &Cx<'_, '_>, report: &mut FixReport) {
    let Some(layer) = cx.e.reason.layer else {
        return;
    };
    match layer {
        Layer::Identity => identity(cx, report),
        Layer::Resource
        | Layer::PermissionsBoundary
        | Layer::Session
        | Layer::VpcEndpoint
        | Layer::Scp => add_to_layer(cx, layer, report),
        Layer::Rcp => {
            report.rejected.push(
                "customer RCPs can only deny; an RCP allow gate cannot fail in a real organization"
                    .into(),
            );
        }
    }
}

fn resource_text(cx: &Cx<'_, '_>) -> String {
    match &cx.request.resource {
        RequestResource::Any => "*".to_string(),
        other => other.as_str().to_string(),
    }
}

/// A new inline policy for the caller's user or role.
fn identity(cx: &Cx<'_, '_>, report: &mut FixReport) {
    let action = &cx.request.action;
    let resource = resource_text(cx);
    let sid = sid_for(action);
    let doc = format!(
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"{sid}\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"{action}\",\n      \"Resource\": {}\n    }}\n  ]\n}}\n",
        serde_json::to_string(&resource).expect("strings serialize")
    );
    let new = new_policy("iamwhy-fix", PolicyType::Identity, &doc);
    let mut identity: Vec<Arc<CompiledPolicy>> = cx.set.identity.policies.clone();
    identity.push(new);
    let mut trial = cx.set.clone();
    trial.identity = PolicyList::new(identity);
    if !allowed(&trial, cx.request) {
        report.rejected.push(format!(
            "an identity policy allowing {action} on {resource} is not enough: another layer still refuses"
        ));
        return;
    }
    let (entity, name) = entity_of(cx);
    let account = cx.request.principal.account.clone().unwrap_or_default();
    let origin = PolicyOrigin::Inline {
        entity,
        entity_name: name.clone(),
        policy_name: "iamwhy-fix".into(),
        account,
    };
    let mut f = policy_fix(
        format!("Add an inline policy to {entity} {name} that allows {action} on {resource}"),
        Cost::Grant,
        "iamwhy-fix",
        Some(origin),
        "",
        doc,
        vec![format!(
            "exactly {action} on {resource} for {entity} {name}{}; nothing else",
            if entity == "role" {
                " (every session of the role)"
            } else {
                ""
            }
        )],
    );
    f.policy = Some("iamwhy-fix (new inline policy)".into());
    f.new_policy = true;
    report.fixes.push(f);
}

/// The IAM entity (`user` or `role`) and name whose identity policies govern the caller.
fn entity_of(cx: &Cx<'_, '_>) -> (&'static str, String) {
    // A federated user's identity policies are those of the IAM user that created the session.
    let arn = cx
        .request
        .principal
        .source_user_arn
        .clone()
        .or_else(|| principal_arn(cx.request))
        .unwrap_or_default();
    let parsed = Arn::parse(&arn);
    let name = parsed.map_or("", |a| a.resource_name()).to_string();
    if parsed.and_then(|a| a.resource_type()) == Some("role") {
        ("role", name)
    } else {
        ("user", name)
    }
}

/// The policies of `layer` a fix may edit: for SCPs those at the level that lacked an allow.
fn candidates(cx: &Cx<'_, '_>, layer: Layer) -> Vec<Arc<CompiledPolicy>> {
    match layer {
        Layer::Scp => {
            let level = cx.e.reason.level.as_deref();
            cx.set
                .scp_levels
                .iter()
                .filter(|l| Some(l.target.as_str()) == level)
                .flat_map(|l| l.policies.policies.iter().cloned())
                .collect()
        }
        _ => lists(cx.set)
            .into_iter()
            .filter(|(l, _)| *l == layer)
            .flat_map(|(_, list)| list.policies.iter().cloned())
            .collect(),
    }
}

fn principal_json(p: &str) -> Json {
    if p.contains(".amazonaws.com") && !p.starts_with("arn:") {
        Json::Object(vec![("Service".into(), Json::str(p))])
    } else {
        Json::Object(vec![("AWS".into(), Json::str(p))])
    }
}

/// Add an allow for the request to a policy of `layer`: the resource policy (naming the
/// principal; for a trust policy, in the statement that already trusts others), the boundary,
/// the session policy, the endpoint policy, or an SCP at the level that lacked an allow.
fn add_to_layer(cx: &Cx<'_, '_>, layer: Layer, report: &mut FixReport) {
    let action = cx.request.action.as_str();
    let resource = resource_text(cx);
    let principal = principal_arn(cx.request);
    let Some(old) = candidates(cx, layer).first().cloned() else {
        report
            .rejected
            .push(format!("there is no {} to edit", layer.phrase()));
        return;
    };
    if layer == Layer::Resource && old.policy_type == PolicyType::Trust {
        if let Some(p) = &principal {
            extend_trust(cx, &old, p, report);
        }
        return;
    }
    let Some((before, mut doc)) = editable(&old) else {
        return;
    };
    let sid = sid_for(action);
    let statement = match layer {
        Layer::Resource => {
            let Some(p) = &principal else { return };
            let res = if old
                .document
                .statements()
                .iter()
                .all(|s| s.resource.is_none())
            {
                None
            } else if resource.contains(":kms:") {
                Some("*")
            } else {
                Some(resource.as_str())
            };
            edit::allow_statement(&sid, Some(principal_json(p)), action, res)
        }
        Layer::VpcEndpoint => {
            edit::allow_statement(&sid, Some(Json::str("*")), action, Some(&resource))
        }
        Layer::Scp => edit::allow_statement(&sid, None, action, Some("*")),
        _ => edit::allow_statement(&sid, None, action, Some(&resource)),
    };
    if !edit::add_statement(&mut doc, statement) {
        return;
    }
    let after = doc.pretty();
    let Some(new) = compile_edit(&old, &after) else {
        return;
    };
    let trial = replace_policy(cx.set, &old, new);
    if !allowed(&trial, cx.request) {
        report.rejected.push(format!(
            "adding an allow for {action} to {} ({}) is not enough: another layer still refuses",
            old.name,
            layer.phrase()
        ));
        return;
    }
    let origin = cx.index.origin(&old);
    let who = principal.clone().unwrap_or_else(|| "the caller".into());
    let level = cx.e.reason.level.as_deref().unwrap_or("that level");
    let also = match layer {
        Layer::Resource => format!(
            "{who} may {action} on {resource} through this resource policy; nobody else gains anything"
        ),
        Layer::PermissionsBoundary => {
            let holders = match &origin {
                Some(PolicyOrigin::Managed { arn, .. }) => cx.index.boundary_holders(arn).to_vec(),
                _ => Vec::new(),
            };
            format!(
                "every principal with this boundary ({}) may now be granted {action} on {resource} by its identity policies; the boundary itself grants nothing",
                if holders.is_empty() {
                    "none besides this one".to_string()
                } else {
                    holders.join(", ")
                }
            )
        }
        Layer::Session => {
            format!("sessions created with the edited session policy may {action} on {resource}")
        }
        Layer::VpcEndpoint => format!(
            "any principal may now use the endpoint for {action} on {resource} (it still needs its own allow)"
        ),
        Layer::Scp => format!(
            "principals in every account under {level} may now be granted {action} by their own policies; the SCP itself grants nothing"
        ),
        _ => String::new(),
    };
    let (title, cost) = match layer {
        Layer::Resource => (
            format!("Add {who} to the resource policy of {resource} for {action}"),
            Cost::Grant,
        ),
        Layer::PermissionsBoundary => (
            format!("Extend the permissions boundary {} with {action}", old.name),
            Cost::WeakensGuardrail,
        ),
        Layer::Session => (
            format!("Create the session with a session policy that also allows {action}"),
            Cost::Grant,
        ),
        Layer::VpcEndpoint => (
            format!("Allow {action} in the VPC endpoint policy"),
            Cost::WeakensGuardrail,
        ),
        Layer::Scp => (
            format!("Extend the SCP {} at {level} with {action}", old.name),
            Cost::WeakensGuardrail,
        ),
        _ => (format!("Allow {action} in {}", old.name), Cost::Grant),
    };
    let mut f = policy_fix(
        title,
        cost,
        &old.name,
        origin,
        &before,
        after.clone(),
        vec![also],
    );
    if layer == Layer::Session {
        f.kind = "request";
        f.session_policy = Some(after);
        f.origin = None;
        // `arn:aws:sts::A:assumed-role/ROLE/SESSION` names the session; the role ARN (with
        // its path) comes from the world.
        let session = cx
            .request
            .principal
            .arn
            .as_deref()
            .and_then(|a| a.split_once(":assumed-role/"))
            .and_then(|(_, rest)| rest.split_once('/'))
            .map(|(_, session)| session.to_string());
        f.command_template = match (&cx.request.principal.role_arn, session) {
            (Some(role), Some(session)) => Some(format!(
                "aws sts assume-role --role-arn {role} --role-session-name {session} --policy file://{}",
                super::command::FILE
            )),
            _ => None,
        };
        if f.command_template.is_none() {
            f.also_allows.push(
                "pass the document as the session policy where the session is created (--policy of aws sts assume-role, or your SDK or SSO tooling)".into(),
            );
        }
    }
    report.fixes.push(f);
}

/// A trust policy's fix: the caller added to the principals of the Allow statement that
/// already trusts others for this action, so that its conditions stay. When those
/// conditions need a value the caller sets (an `ExternalId`), the fix says to pass it too.
fn extend_trust(
    cx: &Cx<'_, '_>,
    old: &Arc<CompiledPolicy>,
    principal: &str,
    report: &mut FixReport,
) {
    let opts = EvaluationOptions::default();
    let action = &cx.request.action;
    let Some((index, result)) = old
        .statements
        .iter()
        .map(|s| s.evaluate(cx.request, &opts))
        .enumerate()
        .find(|(_, r)| r.effect == Effect::Allow && r.action_matched)
    else {
        report.rejected.push(format!(
            "the trust policy of {} has no statement allowing {action} to extend (a new one would be a new trust relationship: write it yourself)",
            cx.request.resource.as_str()
        ));
        return;
    };
    let label = iamwhy_policy::statement_label(result.sid.as_deref(), index);
    let keys: Vec<String> = result.conditions.iter().map(|c| c.key.clone()).collect();
    let kept = if keys.is_empty() {
        String::new()
    } else {
        format!(" (its conditions stay: {})", keys.join(", "))
    };
    if result.principal.as_ref().is_some_and(|p| p.applies) {
        report.rejected.push(format!(
            "statement {label} of the trust policy already trusts {principal}{kept}: no trust-policy change is needed, the request must meet its conditions"
        ));
        return;
    }
    let Some((before, mut doc)) = editable(old) else {
        return;
    };
    if !edit::add_principal(&mut doc, index, principal) {
        return;
    }
    let after = doc.pretty();
    let Some(new) = compile_edit(old, &after) else {
        return;
    };
    let trial = replace_policy(cx.set, old, new.clone());
    let mut change: Option<RequestChange> = None;
    if !allowed(&trial, cx.request) {
        // The statement's conditions: what the caller would have to pass as well.
        let needed: Vec<(String, String)> = new
            .statements
            .get(index)
            .map(|s| s.evaluate(cx.request, &opts).conditions)
            .unwrap_or_default()
            .iter()
            .filter(|c| c.outcome != iamwhy_engine::Tri::True)
            .filter_map(|c| candidate(c, true))
            .collect();
        let mut r = cx.request.clone();
        for (k, v) in &needed {
            r.context.set(k, v.clone());
        }
        if needed.is_empty() || !allowed(&trial, &r) {
            report.rejected.push(format!(
                "adding {principal} to statement {label} of the trust policy is not enough: its conditions are not met{kept}"
            ));
            return;
        }
        change = Some(RequestChange {
            context: needed,
            ..RequestChange::default()
        });
    }
    let role = cx.request.resource.as_str().to_string();
    let pass = change
        .as_ref()
        .map(|c| {
            let parts: Vec<String> = c
                .context
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            format!(", and make the call with {}", parts.join(", "))
        })
        .unwrap_or_default();
    let mut f = policy_fix(
        format!("Add {principal} to statement {label} of the trust policy of {role}{kept}{pass}"),
        Cost::Grant,
        &old.name,
        cx.index.origin(old),
        &before,
        after,
        vec![format!(
            "{principal} may assume {role} under the same conditions as the principals the statement already trusts; nobody else gains anything"
        )],
    );
    f.request = change;
    report.fixes.push(f);
}
