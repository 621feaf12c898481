//! Fix suggestions: the smallest changes that would allow a denied request. Each candidate is
//! applied to a copy of the policy set (or of the request) and re-simulated; it is shown only
//! if it flips the decision to allowed, with the edited policy as a diff, the AWS CLI command
//! that applies it, and exactly what else it would newly allow.

use crate::edit::{self, Json};
use iamwhy_engine::condition::ConditionResult;
use iamwhy_engine::decision::{
    Decision, Evaluation, Layer, MatchedStatement, OrgLevel, PolicyList, PolicySet,
};
use iamwhy_engine::{CompiledPolicy, EvaluationOptions, Request, RequestResource, Tri};
use iamwhy_policy::{Arn, PolicyDocument, PolicyType};
use iamwhy_world::World;
use iamwhy_world::origin::PolicyOrigin;
use serde::Serialize;
use std::sync::Arc;

/// One verified suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// One line: what to change.
    pub title: String,
    /// `request` (change the call, no policy edit) or `policy` (edit a policy).
    pub kind: &'static str,
    /// The policy edited, when one is.
    pub policy: Option<String>,
    /// Where that policy lives.
    pub origin: Option<PolicyOrigin>,
    /// The edited policy as a unified diff.
    pub diff: Option<String>,
    /// The edited policy in full.
    pub document: Option<String>,
    /// The AWS CLI command that applies it (the document saved as fixed-policy.json).
    pub command: Option<String>,
    /// What else the change would allow, exactly.
    pub also_allows: Vec<String>,
    /// For request fixes: the context keys to set on the call.
    pub request_context: Vec<(String, String)>,
    /// For session-policy fixes: the session policy to create the session with.
    pub session_policy: Option<String>,
    /// Whether the fix creates a new policy (at `origin`) rather than editing one.
    pub new_policy: bool,
}

/// The suggestions for one denied request.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FixReport {
    /// Verified fixes, the least invasive first.
    pub fixes: Vec<Fix>,
    /// Why there is no safe fix, when there is none.
    pub no_safe_fix: Option<String>,
    /// Candidates that were tried and did not flip the decision (for transparency).
    pub rejected: Vec<String>,
}

/// Every list of a policy set with its layer (organization levels flattened).
fn lists(set: &PolicySet) -> Vec<(Layer, &PolicyList)> {
    let mut out = vec![(Layer::Identity, &set.identity)];
    for (layer, l) in [
        (Layer::PermissionsBoundary, &set.boundary),
        (Layer::Session, &set.session),
        (Layer::Resource, &set.resource),
        (Layer::VpcEndpoint, &set.endpoint),
    ] {
        if let Some(l) = l {
            out.push((layer, l));
        }
    }
    out.extend(set.scp_levels.iter().map(|l| (Layer::Scp, &l.policies)));
    out.extend(set.rcp_levels.iter().map(|l| (Layer::Rcp, &l.policies)));
    out
}

/// The compiled policy a matched statement belongs to.
fn find_policy(set: &PolicySet, m: &MatchedStatement) -> Option<Arc<CompiledPolicy>> {
    lists(set)
        .into_iter()
        .filter(|(l, _)| *l == m.layer)
        .flat_map(|(_, list)| list.policies.iter())
        .find(|p| p.name == m.policy && p.source == m.source)
        .cloned()
}

fn rebuild(list: &PolicyList, old: &Arc<CompiledPolicy>, new: &Arc<CompiledPolicy>) -> PolicyList {
    PolicyList::new(
        list.policies
            .iter()
            .map(|p| {
                if Arc::ptr_eq(p, old) {
                    new.clone()
                } else {
                    p.clone()
                }
            })
            .collect::<Vec<_>>(),
    )
}

/// A copy of `set` with one policy replaced.
fn replace_policy(
    set: &PolicySet,
    old: &Arc<CompiledPolicy>,
    new: Arc<CompiledPolicy>,
) -> PolicySet {
    let opt = |l: &Option<PolicyList>| l.as_ref().map(|l| rebuild(l, old, &new));
    let levels = |ls: &[OrgLevel]| {
        ls.iter()
            .map(|l| OrgLevel {
                target: l.target.clone(),
                policies: rebuild(&l.policies, old, &new),
            })
            .collect()
    };
    PolicySet {
        identity: rebuild(&set.identity, old, &new),
        boundary: opt(&set.boundary),
        session: opt(&set.session),
        scp_levels: levels(&set.scp_levels),
        rcp_levels: levels(&set.rcp_levels),
        resource: opt(&set.resource),
        endpoint: opt(&set.endpoint),
    }
}

fn compile_edit(old: &CompiledPolicy, text: &str) -> Option<Arc<CompiledPolicy>> {
    let doc = PolicyDocument::parse(text).ok()?;
    let mut p = CompiledPolicy::compile(old.name.clone(), old.policy_type, Arc::new(doc));
    p.source = old.source.clone();
    Some(Arc::new(p))
}

fn new_policy(name: &str, ty: PolicyType, text: &str) -> Arc<CompiledPolicy> {
    let doc = PolicyDocument::parse(text).expect("generated policies parse");
    Arc::new(CompiledPolicy::compile(name, ty, Arc::new(doc)))
}

fn allowed(set: &PolicySet, req: &Request) -> bool {
    set.decide(req, &EvaluationOptions::default()) == Decision::Allowed
}

/// The ARN to exempt or grant: `aws:PrincipalArn` (the role ARN for sessions), else the
/// request principal's ARN.
fn principal_arn(req: &Request) -> Option<String> {
    req.context
        .get("aws:PrincipalArn")
        .and_then(|v| v.values.first().cloned())
        .or_else(|| req.principal.role_arn.clone())
        .or_else(|| req.principal.arn.clone())
}

/// The AWS CLI command that puts an edited document in place.
fn apply_command(origin: &PolicyOrigin) -> String {
    let doc = "file://fixed-policy.json";
    match origin {
        PolicyOrigin::Inline {
            entity,
            entity_name,
            policy_name,
            ..
        } => format!(
            "aws iam put-{entity}-policy --{entity}-name {entity_name} --policy-name {policy_name} --policy-document {doc}"
        ),
        PolicyOrigin::Managed { arn, .. } => format!(
            "aws iam create-policy-version --policy-arn {arn} --policy-document {doc} --set-as-default"
        ),
        PolicyOrigin::Trust { role_name, .. } => {
            format!(
                "aws iam update-assume-role-policy --role-name {role_name} --policy-document {doc}"
            )
        }
        PolicyOrigin::Organization { policy_id, .. } => {
            format!("aws organizations update-policy --policy-id {policy_id} --content {doc}")
        }
        PolicyOrigin::Endpoint { id } => {
            format!("aws ec2 modify-vpc-endpoint --vpc-endpoint-id {id} --policy-document {doc}")
        }
        PolicyOrigin::Resource { arn, .. } => resource_policy_command(arn, doc),
    }
}

fn resource_policy_command(arn: &str, doc: &str) -> String {
    let Some(Arn {
        service,
        region,
        account,
        resource: res,
        ..
    }) = Arn::parse(arn)
    else {
        return format!("# put the document in fixed-policy.json as the policy of {arn}");
    };
    match service {
        "s3" => format!("aws s3api put-bucket-policy --bucket {res} --policy {doc}"),
        "kms" => format!(
            "aws kms put-key-policy --key-id {} --policy-name default --policy {doc}",
            res.trim_start_matches("key/")
        ),
        "sqs" => format!(
            "aws sqs set-queue-attributes --queue-url https://sqs.{region}.amazonaws.com/{account}/{res} --attributes file://queue-attributes.json   # {{\"Policy\": <fixed-policy.json as a string>}}"
        ),
        "sns" => format!(
            "aws sns set-topic-attributes --topic-arn {arn} --attribute-name Policy --attribute-value {doc}"
        ),
        "secretsmanager" => {
            format!(
                "aws secretsmanager put-resource-policy --secret-id {arn} --resource-policy {doc}"
            )
        }
        "ecr" => format!(
            "aws ecr set-repository-policy --repository-name {} --policy-text {doc}",
            res.trim_start_matches("repository/")
        ),
        _ => format!("# put the document in fixed-policy.json as the resource policy of {arn}"),
    }
}

/// Suggest verified fixes for a denied request.
pub fn suggest(world: &World, set: &PolicySet, req: &Request, e: &Evaluation) -> FixReport {
    let mut report = FixReport::default();
    if e.decision == Decision::Allowed {
        return report;
    }
    if e.reason.layer.is_none() {
        report.no_safe_fix = Some(format!(
            "{} — no policy change can allow this",
            e.reason.summary
        ));
        return report;
    }
    request_side(set, req, e, &mut report);
    match e.decision {
        Decision::ExplicitDeny => exempt_from_denies(world, set, req, e, &mut report),
        Decision::ImplicitDeny => grant(world, set, req, e, &mut report),
        Decision::Allowed => {}
    }
    if report.fixes.is_empty() {
        report.no_safe_fix = Some(match e.decision {
            Decision::ExplicitDeny => "no single change found that allows this request without removing the deny for others: the deny applies through more than one statement or layer".into(),
            _ => format!("no single change found: {}", e.reason.summary),
        });
    }
    report
}

/// Request-side fixes: context keys the caller controls, missing from the request, that a
/// condition needs (an `sts:ExternalId`, MFA, the VPC endpoint...). Candidate values come from
/// the policies themselves.
fn request_side(set: &PolicySet, req: &Request, e: &Evaluation, report: &mut FixReport) {
    const CALLER_KEYS: &[&str] = &[
        "aws:requestedregion",
        "sts:externalid",
        "aws:multifactorauthpresent",
        "aws:sourcevpce",
        "aws:securetransport",
        "sts:sourceidentity",
        "sts:rolesessionname",
    ];
    let mut candidates: Vec<(String, String)> = Vec::new();
    let mut consider = |c: &ConditionResult, wants_true: bool| {
        if !CALLER_KEYS.contains(&c.key.to_lowercase().as_str()) {
            return;
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
                _ => return,
            }
        } else if (wants_true
            && (base.starts_with("stringequals") || base.starts_with("stringlike")))
            || (!wants_true
                && (base.starts_with("stringnotequals") || base.starts_with("stringnotlike")))
        {
            match c.policy_values.first() {
                Some(v) if literal(v) => v.clone(),
                _ => return,
            }
        } else {
            return;
        };
        candidates.push((c.key.clone(), value));
    };
    for m in &e.deciding {
        for c in &m.detail.conditions {
            consider(c, false);
        }
    }
    // Allow statements of the layer that refused, which failed only on their conditions.
    if let Some(layer) = e.reason.layer {
        for_failing_allows(set, req, layer, |c| consider(c, true));
    }
    candidates.sort();
    candidates.dedup();
    let resource_region = match &req.resource {
        RequestResource::Any => None,
        other => Arn::parse(other.as_str())
            .map(|a| a.region)
            .filter(|r| !r.is_empty())
            .map(str::to_string),
    };
    for (key, value) in candidates {
        let lower = key.to_lowercase();
        if lower == "aws:requestedregion"
            && let Some(home) = &resource_region
            && !home.eq_ignore_ascii_case(&value)
        {
            report.rejected.push(format!(
                "calling from region {value} cannot reach a resource that lives in {home}"
            ));
            continue;
        }
        let mut r = req.clone();
        r.context.set(&key, value.clone());
        let through_endpoint = lower == "aws:sourcevpce";
        if through_endpoint {
            // Through a VPC endpoint the request carries no public source address.
            r.context.remove("aws:SourceIp");
        }
        if allowed(set, &r) {
            let mut also_allows = vec!["no policy changes: only this call differs".to_string()];
            if through_endpoint {
                also_allows.push(format!(
                    "the request then carries no aws:SourceIp, and the policy of endpoint {value} must allow it too (iamwhy check --source-vpce {value} evaluates it)"
                ));
            }
            let how = match key.to_lowercase().as_str() {
                "aws:requestedregion" => format!("make the call in region {value}"),
                "sts:externalid" => format!("pass --external-id {value} when assuming the role"),
                "aws:multifactorauthpresent" => "sign in or get a session with MFA (aws sts get-session-token --serial-number ... --token-code ...)".to_string(),
                "aws:sourcevpce" => format!("send the request through the VPC endpoint {value}"),
                "aws:securetransport" => "use HTTPS".to_string(),
                _ => format!("make the request with {key} = {value}"),
            };
            report.fixes.push(Fix {
                title: format!("Change the request: {how}"),
                kind: "request",
                policy: None,
                origin: None,
                diff: None,
                document: None,
                command: None,
                also_allows,
                request_context: vec![(key.clone(), value.clone())],
                session_policy: None,
                new_policy: false,
            });
        } else {
            report.rejected.push(format!(
                "setting {key} = {value} does not allow the request"
            ));
        }
    }
}

/// Call `f` on the conditions of the Allow statements of `layer` whose action, resource and
/// principal matched but whose conditions failed.
fn for_failing_allows(
    set: &PolicySet,
    req: &Request,
    layer: Layer,
    mut f: impl FnMut(&ConditionResult),
) {
    let opts = EvaluationOptions::default();
    for (l, list) in lists(set) {
        if l != layer {
            continue;
        }
        for p in &list.policies {
            for s in &p.statements {
                if s.effect != iamwhy_policy::Effect::Allow {
                    continue;
                }
                let r = s.evaluate(req, &opts);
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

/// For an explicit deny: exempt the principal from each deciding Deny statement.
fn exempt_from_denies(
    world: &World,
    set: &PolicySet,
    req: &Request,
    e: &Evaluation,
    report: &mut FixReport,
) {
    let Some(arn) = principal_arn(req) else {
        return;
    };
    // Exempt from every deciding statement at once (they all deny).
    let mut current = set.clone();
    struct Edit<'e> {
        old: Arc<CompiledPolicy>,
        before: String,
        after: String,
        statement: &'e MatchedStatement,
    }
    let mut edits: Vec<Edit> = Vec::new();
    for m in &e.deciding {
        let Some(old) = find_policy(&current, m) else {
            continue;
        };
        let before_text = old.document.source.to_string();
        let Some(mut doc) = Json::parse(&before_text) else {
            continue;
        };
        let before = doc.pretty();
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
    if !allowed(&current, req) {
        report.rejected.push(format!(
            "exempting {arn} from the denying statement(s) is not enough: another layer still refuses"
        ));
        return;
    }
    for Edit {
        old,
        before,
        after,
        statement: m,
    } in edits
    {
        let origin = world.policy_origin(&old);
        let actions = statement_actions(&old, m.index);
        report.fixes.push(Fix {
            title: format!(
                "Exempt {arn} from statement {} of {} ({}) with a condition ArnNotLike aws:PrincipalArn",
                m.label(),
                m.policy,
                m.layer.phrase()
            ),
            kind: "policy",
            policy: Some(m.policy.clone()),
            diff: Some(edit::unified_diff(&before, &after, &m.policy)),
            document: Some(after),
            command: origin.as_ref().map(apply_command),
            origin,
            also_allows: vec![format!(
                "{arn} is no longer denied by this statement for any of {actions}, on any resource it covers; every other principal is still denied"
            )],
            request_context: Vec::new(),
            session_policy: None,
            new_policy: false,
        });
    }
}

fn statement_actions(p: &CompiledPolicy, index: usize) -> String {
    let Some(s) = p.document.statements.get(index) else {
        return "its actions".into();
    };
    let list: Vec<String> = s.action.values.iter().map(|v| v.value.clone()).collect();
    if s.action.negated {
        format!("all actions except {}", list.join(", "))
    } else {
        list.join(", ")
    }
}

fn sid_for(action: &str) -> String {
    let mut sid = String::from("IamwhyAllow");
    for c in action.chars().filter(|c| c.is_ascii_alphanumeric()) {
        sid.push(c);
    }
    sid
}

/// For an implicit deny: add the missing allow to the layer that lacked it.
fn grant(world: &World, set: &PolicySet, req: &Request, e: &Evaluation, report: &mut FixReport) {
    let Some(layer) = e.reason.layer else { return };
    let action = req.action.clone();
    let resource = match &req.resource {
        RequestResource::Any => "*".to_string(),
        other => other.as_str().to_string(),
    };
    match layer {
        Layer::Identity => {
            let sid = sid_for(&action);
            let doc = format!(
                "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"{sid}\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"{action}\",\n      \"Resource\": \"{resource}\"\n    }}\n  ]\n}}\n"
            );
            let new = new_policy("iamwhy-fix", PolicyType::Identity, &doc);
            let mut identity: Vec<Arc<CompiledPolicy>> = set.identity.policies.clone();
            identity.push(new);
            let mut trial = set.clone();
            trial.identity = PolicyList::new(identity);
            if !allowed(&trial, req) {
                report.rejected.push(format!(
                    "an identity policy allowing {action} on {resource} is not enough: another layer still refuses"
                ));
                return;
            }
            let (entity, name) = entity_of(req);
            let account = req.principal.account.clone().unwrap_or_default();
            report.fixes.push(Fix {
                title: format!("Add an inline policy to {entity} {name} that allows {action} on {resource}"),
                kind: "policy",
                policy: Some("iamwhy-fix (new inline policy)".into()),
                origin: Some(PolicyOrigin::Inline {
                    entity,
                    entity_name: name.clone(),
                    policy_name: "iamwhy-fix".into(),
                    account,
                }),
                diff: Some(edit::unified_diff("", &doc, "iamwhy-fix")),
                document: Some(doc),
                command: Some(format!(
                    "aws iam put-{entity}-policy --{entity}-name {name} --policy-name iamwhy-fix --policy-document file://fixed-policy.json"
                )),
                also_allows: vec![format!(
                    "exactly {action} on {resource} for {entity} {name}{}; nothing else",
                    if entity == "role" { " (every session of the role)" } else { "" }
                )],
                request_context: Vec::new(),
                session_policy: None,
                new_policy: true,
            });
        }
        Layer::Resource
        | Layer::PermissionsBoundary
        | Layer::Session
        | Layer::VpcEndpoint
        | Layer::Scp => add_to_layer(world, set, req, e, layer, &action, &resource, report),
        Layer::Rcp => {
            report.rejected.push(
                "customer RCPs can only deny; an RCP allow gate cannot fail in a real organization"
                    .into(),
            );
        }
    }
}

/// The IAM entity (`user` or `role`) and name whose identity policies govern the caller.
fn entity_of(req: &Request) -> (&'static str, String) {
    // A federated user's identity policies are those of the IAM user that created the session.
    let arn = req
        .principal
        .source_user_arn
        .clone()
        .or_else(|| principal_arn(req))
        .unwrap_or_default();
    let parsed = Arn::parse(&arn);
    let name = parsed.map_or("", |a| a.resource_name()).to_string();
    if parsed.and_then(|a| a.resource_type()) == Some("role") {
        ("role", name)
    } else {
        ("user", name)
    }
}

/// Add an allow for the request to a policy of `layer`: the resource policy (naming the
/// principal), the boundary, the session policy, the endpoint policy, or an SCP at the level
/// that lacked an allow.
#[allow(clippy::too_many_arguments)]
fn add_to_layer(
    world: &World,
    set: &PolicySet,
    req: &Request,
    e: &Evaluation,
    layer: Layer,
    action: &str,
    resource: &str,
    report: &mut FixReport,
) {
    let principal = principal_arn(req);
    let candidates: Vec<Arc<CompiledPolicy>> = match layer {
        Layer::Scp => {
            let level = e.reason.level.as_deref();
            set.scp_levels
                .iter()
                .filter(|l| Some(l.target.as_str()) == level)
                .flat_map(|l| l.policies.policies.iter().cloned())
                .collect()
        }
        _ => lists(set)
            .into_iter()
            .filter(|(l, _)| *l == layer)
            .flat_map(|(_, list)| list.policies.iter().cloned())
            .collect(),
    };
    let Some(old) = candidates.first().cloned() else {
        report
            .rejected
            .push(format!("there is no {} to edit", layer.phrase()));
        return;
    };
    let Some(mut doc) = Json::parse(&old.document.source) else {
        return;
    };
    let before = doc.pretty();
    let sid = sid_for(action);
    let statement = match layer {
        Layer::Resource => {
            let Some(p) = &principal else { return };
            let principal_json = if p.contains(".amazonaws.com") && !p.starts_with("arn:") {
                Json::Object(vec![("Service".into(), Json::str(p))])
            } else {
                Json::Object(vec![("AWS".into(), Json::str(p))])
            };
            let res = if old.document.statements.iter().all(|s| s.resource.is_none()) {
                None
            } else if resource.contains(":kms:") {
                Some("*")
            } else {
                Some(resource)
            };
            edit::allow_statement(&sid, Some(principal_json), action, res)
        }
        Layer::VpcEndpoint => {
            edit::allow_statement(&sid, Some(Json::str("*")), action, Some(resource))
        }
        Layer::Scp => edit::allow_statement(&sid, None, action, Some("*")),
        _ => edit::allow_statement(&sid, None, action, Some(resource)),
    };
    if !edit::add_statement(&mut doc, statement) {
        return;
    }
    let after = doc.pretty();
    let Some(new) = compile_edit(&old, &after) else {
        return;
    };
    let trial = replace_policy(set, &old, new);
    if !allowed(&trial, req) {
        report.rejected.push(format!(
            "adding an allow for {action} to {} ({}) is not enough: another layer still refuses",
            old.name,
            layer.phrase()
        ));
        return;
    }
    let origin = world.policy_origin(&old);
    let who = principal.clone().unwrap_or_else(|| "the caller".into());
    let also = match layer {
        Layer::Resource => format!(
            "{who} may {action} on {resource} through this resource policy; nobody else gains anything"
        ),
        Layer::PermissionsBoundary => {
            let holders = boundary_holders(world, &old);
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
            "principals in every account under {} may now be granted {action} by their own policies; the SCP itself grants nothing",
            e.reason.level.as_deref().unwrap_or("that level")
        ),
        _ => String::new(),
    };
    let title = match layer {
        Layer::Resource => format!("Add {who} to the resource policy of {resource} for {action}"),
        Layer::PermissionsBoundary => {
            format!("Extend the permissions boundary {} with {action}", old.name)
        }
        Layer::Session => {
            format!("Create the session with a session policy that also allows {action}")
        }
        Layer::VpcEndpoint => format!("Allow {action} in the VPC endpoint policy"),
        Layer::Scp => format!(
            "Extend the SCP {} at {} with {action}",
            old.name,
            e.reason.level.as_deref().unwrap_or("?")
        ),
        _ => format!("Allow {action} in {}", old.name),
    };
    let session_policy = (layer == Layer::Session).then(|| after.clone());
    report.fixes.push(Fix {
        title,
        kind: if layer == Layer::Session {
            "request"
        } else {
            "policy"
        },
        policy: Some(old.name.clone()),
        diff: Some(edit::unified_diff(&before, &after, &old.name)),
        document: Some(after),
        command: match layer {
            Layer::Session => {
                Some("aws sts assume-role ... --policy file://fixed-policy.json".into())
            }
            _ => origin.as_ref().map(apply_command),
        },
        session_policy,
        origin,
        also_allows: vec![also],
        request_context: Vec::new(),
        new_policy: false,
    });
}

/// The users and roles whose boundary is this managed policy.
fn boundary_holders(world: &World, policy: &Arc<CompiledPolicy>) -> Vec<String> {
    let Some(PolicyOrigin::Managed { arn, .. }) = world.policy_origin(policy) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in world.accounts.values() {
        out.extend(
            a.users
                .values()
                .filter(|u| u.boundary.as_deref() == Some(&arn))
                .map(|u| u.arn.clone()),
        );
        out.extend(
            a.roles
                .values()
                .filter(|r| r.boundary.as_deref() == Some(&arn))
                .map(|r| r.arn.clone()),
        );
    }
    out
}
