//! The layered decision (AWS's policy evaluation logic): explicit deny anywhere wins; then the guardrails (RCPs on
//! the resource owner's path, SCPs on the principal's path, the VPC endpoint policy); then the
//! grants (resource policy, identity policies) limited by the permissions boundary and session
//! policies — with the same-account and cross-account rules, the resource-policy grant kinds,
//! and the service rules (role trust policies, KMS key policies, `sts:GetCallerIdentity`,
//! reserved roles and aliases).
//!
//! [`PolicySet::decide`] is the fast path (no explanation); [`PolicySet::evaluate`] returns the
//! same decision with the full [`Evaluation`]. Both share one private function, `decide_from_verdicts`.

pub mod action_class;
pub mod layer;
pub mod policy_set;
pub mod trace;
pub(crate) mod verdict;

use crate::principal::{PrincipalKind, PrincipalMatch};
use crate::request::{Request, RequestResource};
use crate::statement::EvaluationOptions;
pub use action_class::ActionClass;
pub use layer::{Decision, GrantKind, Layer};
pub use policy_set::{OrgLevel, PolicyList, PolicySet};
pub use trace::{
    Evaluation, LayerReport, LayerStatus, LevelReport, MatchedStatement, MissingKey, Reason,
    Unevaluable,
};
use verdict::Verdicts;

/// Facts about the request that decide which layers apply and how.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub same_account: bool,
    pub kind: PrincipalKind,
    pub scp_applies: bool,
    pub scp_exemption: Option<&'static str>,
    pub rcp_applies: bool,
    pub rcp_exemption: Option<String>,
    /// The resource policy must explicitly allow (trust policies, KMS key policies).
    pub resource_policy_required: Option<&'static str>,
    /// `sts:AssumeRole*`: a Direct trust grant does not bypass the boundary (AWS: permissions boundaries).
    pub assume_role: bool,
    /// A service rule that denies regardless of policies.
    pub service_rule_denial: Option<&'static str>,
    pub get_caller_identity: bool,
    pub assumed_resource_account: bool,
}

const TRUST_ACTIONS: &[&str] = &[
    "assumerole",
    "assumerolewithsaml",
    "assumerolewithwebidentity",
    "tagsession",
    "setsourceidentity",
    "setcontext",
];

impl Facts {
    pub(crate) fn of(req: &Request, set: &PolicySet) -> Facts {
        let p = &req.principal;
        let service = req.service();
        let name = req.action_name_lower();
        let resource_field = match &req.resource {
            RequestResource::Arn { target, .. } => Some(target),
            _ => None,
        };
        // `aws` in the account field (AWS managed policies, `arn:aws:iam::aws:policy/...`) is
        // not another account: AWS-owned resources are read through identity-based policies
        // alone, so they are evaluated as the principal's own (AWS: cross-account evaluation has no resource
        // policy for them to satisfy).
        let aws_owned = req.resource_account.is_none()
            && resource_field.is_some_and(|t| t.account().eq_ignore_ascii_case("aws"));
        let resource_account = req.resource_account.clone().or_else(|| {
            resource_field
                .map(|t| t.account().to_string())
                .filter(|a| !a.is_empty() && !aws_owned)
        });
        let assumed_resource_account = resource_account.is_none() && !aws_owned;
        let same_account = p.is_iam_identity()
            && match (&resource_account, &p.account) {
                (Some(r), Some(a)) => r == a,
                (None, Some(_)) => true,
                _ => false,
            };
        let slr = req.is_service_linked_role();
        let scp_exemption = if !p.is_iam_identity() {
            Some("SCPs do not apply to service principals or anonymous callers")
        } else if slr {
            Some("SCPs do not apply to service-linked roles")
        } else if req.principal_in_management_account {
            Some("SCPs do not apply to principals of the management account")
        } else {
            None
        };
        let scp_applies = !set.scp_levels.is_empty() && scp_exemption.is_none();
        let rcp_exemption = if slr {
            Some("RCPs do not apply to calls made by service-linked roles".to_string())
        } else if service == "kms" && name == "retiregrant" {
            Some("RCPs do not apply to kms:RetireGrant".to_string())
        } else if !iamwhy_catalog::supports_rcp(service) {
            Some(format!("the {service} service does not support RCPs"))
        } else {
            None
        };
        let rcp_applies = !set.rcp_levels.is_empty() && rcp_exemption.is_none();
        let is_role_resource = resource_field
            .is_some_and(|t| t.service() == "iam" && t.resource().starts_with("role/"));
        let assume_role = service == "sts" && TRUST_ACTIONS.contains(&name) && is_role_resource;
        let kms_key =
            service == "kms" && resource_field.is_some_and(|t| t.resource().starts_with("key/"));
        let resource_policy_required = if assume_role {
            Some("a role can only be assumed when its trust policy allows it")
        } else if kms_key {
            Some("a KMS key can only be used when its key policy allows it")
        } else {
            None
        };
        let service_rule_denial = service_rule(req);
        Facts {
            same_account,
            kind: p.kind,
            scp_applies,
            scp_exemption,
            rcp_applies,
            rcp_exemption,
            resource_policy_required,
            assume_role,
            service_rule_denial,
            // Any signed caller may call it; anonymous callers cannot sign, services do not.
            get_caller_identity: service == "sts"
                && name == "getcalleridentity"
                && req.principal.is_iam_identity(),
            assumed_resource_account,
        }
    }
}

/// Rules AWS enforces whatever the policies say.
fn service_rule(req: &Request) -> Option<&'static str> {
    // Root user credentials cannot assume roles (STS API reference, AssumeRole: "you cannot
    // call AssumeRole with the credentials of the AWS account root user").
    if req.principal.kind == PrincipalKind::Root
        && req.service() == "sts"
        && req.action_name_lower().starts_with("assumerole")
    {
        return Some(
            "the root user cannot assume roles: call sts:AssumeRole with IAM user or role credentials",
        );
    }
    // GetFederationToken sessions cannot call IAM APIs through the CLI or API, nor any STS API
    // except sts:GetCallerIdentity (decided before this point) (AWS: session policies, STS API reference).
    if req.principal.kind == PrincipalKind::FederatedUser && matches!(req.service(), "iam" | "sts")
    {
        return Some(
            "GetFederationToken sessions cannot call IAM APIs through the CLI or API (console sessions excepted), nor any STS API except sts:GetCallerIdentity",
        );
    }
    let RequestResource::Arn { target, .. } = &req.resource else {
        return None;
    };
    // Requests never cross partitions (cross-account evaluation; ARN partitions).
    if let Some(partition) = req.principal.partition.as_deref()
        && !target.partition().is_empty()
        && !target.partition().eq_ignore_ascii_case(partition)
    {
        return Some(
            "a principal can never access a resource in another partition (aws, aws-cn, aws-us-gov)",
        );
    }
    let name = req.action_name_lower();
    match req.service() {
        // Roles created by IAM Identity Center are managed by it: IAM refuses changes to them.
        "iam"
            if target
                .resource()
                .starts_with("role/aws-reserved/sso.amazonaws.com/")
                && !is_read_or_list(req) =>
        {
            Some(
                "roles under /aws-reserved/sso.amazonaws.com/ are managed by IAM Identity Center and cannot be changed or passed",
            )
        }
        // AWS managed policies belong to AWS: customers can read them but not change them.
        "iam"
            if target.account() == "aws"
                && target.resource().starts_with("policy/")
                && !is_read_or_list(req) =>
        {
            Some("AWS managed policies (arn:aws:iam::aws:policy/...) can be read but not changed")
        }
        // Aliases under alias/aws/ are reserved for AWS managed keys.
        "kms"
            if target.resource().starts_with("alias/aws/")
                && ["createalias", "updatealias", "deletealias"].contains(&name) =>
        {
            Some("aliases beginning with alias/aws/ are reserved for AWS managed keys")
        }
        _ => None,
    }
}

/// Whether the action only reads (access level Read or List in the service catalog; for an
/// action the catalog does not know, a name starting with Get, List, Describe, Generate or
/// Simulate).
fn is_read_or_list(req: &Request) -> bool {
    use iamwhy_catalog::AccessLevel;
    match iamwhy_catalog::catalog().action(&req.action) {
        Some(a) => matches!(a.access_level(), AccessLevel::Read | AccessLevel::List),
        None => ["get", "list", "describe", "generate", "simulate"]
            .iter()
            .any(|p| req.action_name_lower().starts_with(p)),
    }
}

/// The outcome of the decision rules, before any explanation is built.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub decision: Decision,
    pub layer: Option<Layer>,
    /// For SCP/RCP reasons: the index of the deciding level.
    pub level: Option<usize>,
    pub summary: String,
    pub blocked_by: Vec<Layer>,
    pub grant: Option<GrantKind>,
    /// Layers whose allow was required for this request.
    pub required: Vec<Layer>,
    pub notes: Vec<String>,
}

fn grant_kind(m: PrincipalMatch) -> Option<GrantKind> {
    match m {
        PrincipalMatch::NoMatch => None,
        PrincipalMatch::Account => Some(GrantKind::Account),
        PrincipalMatch::SessionRole => Some(GrantKind::ViaRole),
        PrincipalMatch::SessionUser => Some(GrantKind::ViaUserForFederated),
        PrincipalMatch::Direct => Some(GrantKind::Direct),
    }
}

fn implicit(layer: Layer, summary: String) -> (Option<Layer>, String) {
    (Some(layer), summary)
}

/// Apply the decision rules to the layers' verdicts.
pub(crate) fn decide_from_verdicts(
    req: &Request,
    f: &Facts,
    v: &Verdicts,
    opts: &EvaluationOptions,
) -> Outcome {
    let mut notes = Vec::new();
    let mut out = Outcome {
        decision: Decision::Allowed,
        layer: None,
        level: None,
        summary: String::new(),
        blocked_by: Vec::new(),
        grant: grant_kind(v.resource.best_allow),
        required: Vec::new(),
        notes: Vec::new(),
    };
    if f.get_caller_identity {
        out.summary = "sts:GetCallerIdentity needs no permission and cannot be denied".into();
        out.notes.push(out.summary.clone());
        return out;
    }

    // 1. Explicit deny anywhere wins.
    let mut denies: Vec<(Layer, Option<usize>)> = Vec::new();
    if f.scp_applies
        && let Some(level) = v.scp.first_deny()
    {
        denies.push((Layer::Scp, Some(level)));
    }
    if f.rcp_applies
        && let Some(level) = v.rcp.first_deny()
    {
        denies.push((Layer::Rcp, Some(level)));
    }
    for (layer, verdict) in [
        (Layer::VpcEndpoint, &v.endpoint),
        (Layer::PermissionsBoundary, &v.boundary),
        (Layer::Session, &v.session),
        (Layer::Identity, &v.identity),
        (Layer::Resource, &v.resource),
    ] {
        if verdict.present && verdict.deny {
            denies.push((layer, None));
        }
    }
    if let Some(&(layer, level)) = denies.iter().min_by_key(|(l, _)| l.explicit_priority()) {
        out.decision = Decision::ExplicitDeny;
        out.layer = Some(layer);
        out.level = level;
        out.summary = format!("explicitly denied by {}", layer.with_article());
        out.blocked_by = denies.iter().map(|(l, _)| *l).collect();
        // Guardrails that would also have turned the request down.
        for (layer, failed) in [
            (
                Layer::Scp,
                f.scp_applies && v.scp.first_level_without_allow().is_some(),
            ),
            (
                Layer::Rcp,
                f.rcp_applies && v.rcp.first_level_without_allow().is_some(),
            ),
            (Layer::VpcEndpoint, v.endpoint.present && !v.endpoint.allow),
            (
                Layer::PermissionsBoundary,
                v.boundary.present && !v.boundary.allow,
            ),
        ] {
            if failed && !out.blocked_by.contains(&layer) {
                out.blocked_by.push(layer);
            }
        }
        return out;
    }

    // 2. Service rules that deny whatever the policies say.
    if let Some(rule) = f.service_rule_denial {
        out.decision = Decision::ImplicitDeny;
        out.summary = format!("denied by a service rule: {rule}");
        out.notes.push(out.summary.clone());
        return out;
    }

    // 3. Guardrails: RCPs, SCPs, VPC endpoint policy.
    let mut failed_guardrails: Vec<(Layer, Option<usize>, String)> = Vec::new();
    if f.rcp_applies {
        out.required.push(Layer::Rcp);
        if let Some(level) = v.rcp.first_level_without_allow() {
            failed_guardrails.push((
                Layer::Rcp,
                Some(level),
                "no resource control policy allows the action at one organization level".into(),
            ));
        }
    }
    if f.scp_applies {
        out.required.push(Layer::Scp);
        if let Some(level) = v.scp.first_level_without_allow() {
            failed_guardrails.push((
                Layer::Scp,
                Some(level),
                "no service control policy allows the action at one organization level".into(),
            ));
        }
    }
    if v.endpoint.present {
        out.required.push(Layer::VpcEndpoint);
        if !v.endpoint.allow {
            failed_guardrails.push((
                Layer::VpcEndpoint,
                None,
                "the VPC endpoint policy does not allow the request".into(),
            ));
        }
    }

    // 4. Grants: resource policy, identity, boundary, session.
    let (grant_failure, boundary_failed) =
        grant_side(req, f, v, opts, &mut out.required, &mut notes);

    out.notes = notes;
    if let Some((layer, level, summary)) = failed_guardrails.first().cloned() {
        out.decision = Decision::ImplicitDeny;
        out.layer = Some(layer);
        out.level = level;
        out.summary = summary;
        // Guardrails blocked it if the grants (ignoring the boundary) would have allowed it.
        if grant_failure.is_none() || boundary_failed {
            out.blocked_by = failed_guardrails.iter().map(|(l, _, _)| *l).collect();
            if boundary_failed {
                out.blocked_by.push(Layer::PermissionsBoundary);
            }
        }
        return out;
    }
    if let Some((layer, summary)) = grant_failure {
        out.decision = Decision::ImplicitDeny;
        out.layer = layer;
        out.summary = summary;
        if boundary_failed {
            out.blocked_by.push(Layer::PermissionsBoundary);
        }
        return out;
    }
    out.summary = match (out.grant, f.same_account) {
        (Some(GrantKind::Direct), _) if !v.identity.allow => {
            "allowed by the resource-based policy".to_string()
        }
        _ if v.identity.allow && out.grant.is_some() && !f.same_account => {
            "allowed by both the identity-based policy and the resource-based policy".to_string()
        }
        _ if v.identity.allow => "allowed by an identity-based policy".to_string(),
        _ if f.kind == PrincipalKind::Root => {
            "allowed: the root user has every permission of its account".to_string()
        }
        _ => "allowed by the resource-based policy".to_string(),
    };
    out
}

/// The grant side. Returns the first failing grant (layer and sentence), and whether the
/// boundary was the only thing missing (for `blocked_by`).
fn grant_side(
    req: &Request,
    f: &Facts,
    v: &Verdicts,
    opts: &EvaluationOptions,
    required: &mut Vec<Layer>,
    notes: &mut Vec<String>,
) -> (Option<(Option<Layer>, String)>, bool) {
    let action = &req.action;
    let grant = grant_kind(v.resource.best_allow);
    let no_allow = |layer: Layer| -> (Option<Layer>, String) {
        implicit(
            layer,
            format!("no {} allows the {action} action", layer.phrase()),
        )
    };
    // A missing trust-policy grant is named as such (AWS: role trust policies; access-denied messages), whoever the caller is.
    let no_resource_allow = || {
        if f.assume_role {
            implicit(
                Layer::Resource,
                format!("no role trust policy allows the {action} action"),
            )
        } else {
            no_allow(Layer::Resource)
        }
    };

    // Service principals and anonymous callers have no identity side: only a resource policy
    // can grant them anything.
    if matches!(f.kind, PrincipalKind::Service | PrincipalKind::Anonymous) {
        required.push(Layer::Resource);
        return if grant.is_some() {
            (None, false)
        } else {
            if let Some(rule) = f.resource_policy_required {
                notes.push(rule.to_string());
            }
            (Some(no_resource_allow()), false)
        };
    }

    if let Some(rule) = f.resource_policy_required {
        required.push(Layer::Resource);
        if grant.is_none() {
            notes.push(rule.to_string());
            // Across accounts the caller's side must allow too (AWS: cross-account evaluation), so it is
            // required even though the trust/key policy already refused.
            if !f.same_account && f.kind != PrincipalKind::Root {
                required.push(Layer::Identity);
                if v.boundary.present {
                    required.push(Layer::PermissionsBoundary);
                }
                if v.session.present {
                    required.push(Layer::Session);
                }
            }
            return (Some(no_resource_allow()), false);
        }
    }

    let is_root = f.kind == PrincipalKind::Root;
    let federated_without_session = f.kind == PrincipalKind::FederatedUser && !v.session.present;

    if !f.same_account {
        // Cross-account: both sides must allow, with no bypass (AWS: cross-account evaluation).
        required.push(Layer::Resource);
        if grant.is_none() {
            return (Some(no_allow(Layer::Resource)), false);
        }
        return principal_side(
            v,
            is_root,
            federated_without_session,
            true,
            required,
            no_allow,
        );
    }

    // Same account.
    if grant == Some(GrantKind::Direct) && !f.assume_role {
        let session_limits = opts.session_policy_limits_direct_session_grants
            && v.session.present
            && !v.session.allow;
        if !session_limits {
            if !v.identity.allow {
                notes.push(
                    "the resource policy names the caller directly, so no identity-based allow is needed and implicit denies in a boundary or session policy do not limit it".to_string(),
                );
            }
            return (None, false);
        }
        required.push(Layer::Session);
        return (Some(no_allow(Layer::Session)), false);
    }
    let identity_from_resource = matches!(
        grant,
        Some(GrantKind::ViaRole | GrantKind::ViaUserForFederated)
    ) || (f.assume_role && grant == Some(GrantKind::Direct));
    principal_side(
        v,
        is_root,
        federated_without_session,
        !identity_from_resource,
        required,
        no_allow,
    )
}

/// Identity ∩ boundary ∩ session for IAM principals.
fn principal_side(
    v: &Verdicts,
    is_root: bool,
    federated_without_session: bool,
    identity_needed: bool,
    required: &mut Vec<Layer>,
    no_allow: impl Fn(Layer) -> (Option<Layer>, String),
) -> (Option<(Option<Layer>, String)>, bool) {
    if is_root {
        // The root user has every permission of its account and cannot have a boundary.
        return (None, false);
    }
    if identity_needed {
        required.push(Layer::Identity);
        if !v.identity.allow {
            return (Some(no_allow(Layer::Identity)), false);
        }
    }
    if v.boundary.present {
        required.push(Layer::PermissionsBoundary);
        if !v.boundary.allow {
            return (Some(no_allow(Layer::PermissionsBoundary)), true);
        }
    }
    if federated_without_session {
        required.push(Layer::Session);
        return (
            Some((
                Some(Layer::Session),
                "a GetFederationToken session without a session policy has no identity-based permissions".into(),
            )),
            false,
        );
    }
    if v.session.present {
        required.push(Layer::Session);
        if !v.session.allow {
            return (Some(no_allow(Layer::Session)), false);
        }
    }
    (None, false)
}

impl PolicySet {
    /// A principal whose policy set has a boundary has one, whatever the request says (the
    /// NotPrincipal rule depends on it).
    pub(crate) fn with_boundary_flag<'r>(&self, req: &'r Request) -> std::borrow::Cow<'r, Request> {
        if self.boundary.is_some() && !req.principal_has_boundary {
            let mut r = req.clone();
            r.principal_has_boundary = true;
            std::borrow::Cow::Owned(r)
        } else {
            std::borrow::Cow::Borrowed(req)
        }
    }

    /// The decision alone: the fast path (no explanation is built).
    pub fn decide(&self, req: &Request, opts: &EvaluationOptions) -> Decision {
        let req = &*self.with_boundary_flag(req);
        let facts = Facts::of(req, self);
        let verdicts = Verdicts::compute(self, req, opts);
        decide_from_verdicts(req, &facts, &verdicts, opts).decision
    }

    /// The decision with its full explanation.
    pub fn evaluate(&self, req: &Request, opts: &EvaluationOptions) -> Evaluation {
        let req = &*self.with_boundary_flag(req);
        let facts = Facts::of(req, self);
        let verdicts = Verdicts::compute(self, req, opts);
        let outcome = decide_from_verdicts(req, &facts, &verdicts, opts);
        trace_builder::build(self, req, opts, &facts, &verdicts, outcome)
    }
}

mod trace_builder;
