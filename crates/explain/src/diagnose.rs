//! With a world: rebuild the request AWS reported, simulate it, compare with what AWS said,
//! check the caller is who the user thinks, and suggest verified fixes.

use crate::fix::{FixReport, suggest};
use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::{Decision, Evaluation, Layer};
use iamwhy_evidence::message::policy_kind_phrase;
use iamwhy_evidence::{DenyKind, Observed, PolicyKind};
use iamwhy_world::{ContextReport, Question, World};
use serde::Serialize;

/// The diagnosis of one action of one observed request.
#[derive(Debug, Clone, Serialize)]
pub struct ActionDiagnosis {
    /// The action simulated.
    pub action: String,
    /// The full trace.
    pub evaluation: Evaluation,
    /// Given and inferred context.
    pub context: ContextReport,
    /// Notes from preparing the request.
    pub notes: Vec<String>,
    /// How the simulation compares with what AWS said.
    pub agreement: Agreement,
    /// Verified fixes.
    pub fixes: FixReport,
}

/// Whether iamwhy's answer agrees with AWS's message.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    /// `agrees`, `differs`, or `unknown` (AWS named no policy type).
    pub verdict: &'static str,
    /// One or two sentences.
    pub explanation: String,
}

/// A diagnosis.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// Findings to read first (the caller is not who the user expected ...).
    pub first: Vec<String>,
    /// One entry per action.
    pub actions: Vec<ActionDiagnosis>,
    /// Why the request could not be rebuilt, when it could not.
    pub error: Option<String>,
}

fn layer_of(kind: PolicyKind) -> Layer {
    match kind {
        PolicyKind::Identity => Layer::Identity,
        PolicyKind::Resource => Layer::Resource,
        PolicyKind::PermissionsBoundary => Layer::PermissionsBoundary,
        PolicyKind::Scp => Layer::Scp,
        PolicyKind::Rcp => Layer::Rcp,
        PolicyKind::Session => Layer::Session,
        PolicyKind::VpcEndpoint => Layer::VpcEndpoint,
    }
}

/// Whether two principal ARNs are the same caller: equal, or a session and its role.
fn same_caller(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let role_of = |arn: &str| -> Option<(String, String)> {
        let a = iamwhy_policy::Arn::parse(arn)?;
        match a.resource_type()? {
            "assumed-role" => Some((
                a.account.into(),
                a.resource_path().split('/').next()?.into(),
            )),
            "role" => Some((a.account.into(), a.resource_name().into())),
            _ => None,
        }
    };
    matches!((role_of(a), role_of(b)), (Some(x), Some(y)) if x == y)
}

fn compare(observed: &Observed, e: &Evaluation, has_org: bool) -> Agreement {
    let Some(m) = &observed.message else {
        return match observed.allowed {
            Some(true) if e.decision == Decision::Allowed => Agreement {
                verdict: "agrees",
                explanation: "AWS allowed the request and so does the simulation".into(),
            },
            Some(false) if e.decision != Decision::Allowed => Agreement {
                verdict: "agrees",
                explanation: "AWS denied the request and so does the simulation".into(),
            },
            Some(_) => Agreement {
                verdict: "differs",
                explanation: format!(
                    "AWS {} the request but the simulation says {}: the snapshot may be stale",
                    if observed.allowed == Some(true) {
                        "allowed"
                    } else {
                        "denied"
                    },
                    e.decision.simulator_name()
                ),
            },
            None => Agreement {
                verdict: "unknown",
                explanation: "AWS's record does not say which policy type decided".into(),
            },
        };
    };
    let Some(kind) = m.policy_type else {
        return Agreement {
            verdict: if e.decision == Decision::Allowed {
                "differs"
            } else {
                "unknown"
            },
            explanation: if e.decision == Decision::Allowed {
                "AWS denied the request, but the world allows it: the snapshot may be stale, or a layer AWS applied is missing from it (SCPs, RCPs, a resource or endpoint policy)".into()
            } else {
                format!(
                    "AWS's message names no policy type (it does so across organizations and for some services); the simulation says: {}",
                    e.reason.summary
                )
            },
        };
    };
    let layer = layer_of(kind);
    let phrase = policy_kind_phrase(kind);
    if e.decision == Decision::Allowed {
        let missing = match layer {
            Layer::Scp | Layer::Rcp if !has_org => {
                " — the world has no organization.json, so it cannot see SCPs or RCPs"
            }
            Layer::Session => {
                " — session policies are never in a snapshot: pass the one the session was created with (--session-policy FILE)"
            }
            _ => "",
        };
        return Agreement {
            verdict: "differs",
            explanation: format!(
                "AWS says a {phrase} denied this, but the world allows it: the snapshot may be stale, or a layer is missing from it{missing}"
            ),
        };
    }
    let explicit = e.decision == Decision::ExplicitDeny;
    let kind_ok = match m.deny {
        Some(DenyKind::Explicit) => explicit,
        Some(DenyKind::Implicit) => !explicit,
        None => true,
    };
    let layer_ok = e.reason.layer == Some(layer) || e.blocked_by.contains(&layer);
    if kind_ok && layer_ok {
        Agreement {
            verdict: "agrees",
            explanation: format!("AWS and the simulation agree: {}", e.reason.summary),
        }
    } else {
        Agreement {
            verdict: "differs",
            explanation: format!(
                "AWS says {} {phrase}; the simulation says: {}. The snapshot may be stale, a request detail (context key, VPC endpoint, session policy) may differ from the real call, or AWS named one of several refusing layers",
                match m.deny {
                    Some(DenyKind::Explicit) => "an explicit deny in a",
                    _ => "no allow in a",
                },
                e.reason.summary
            ),
        }
    }
}

/// What the user adds to what AWS reported.
#[derive(Debug, Clone, Default)]
pub struct DiagnoseOptions {
    /// Who the user expected the caller to be.
    pub expected_principal: Option<String>,
    /// The session policy the session was created with (JSON text).
    pub session_policy: Option<String>,
    /// For federated-user sessions: the IAM user that created them.
    pub federated_by: Option<String>,
}

/// Diagnose an observed request against a world.
pub fn diagnose(world: &World, observed: &Observed, options: &DiagnoseOptions) -> Diagnosis {
    let expected_principal = options.expected_principal.as_deref();
    let mut d = Diagnosis {
        first: Vec::new(),
        actions: Vec::new(),
        error: None,
    };
    if let (Some(expected), Some(actual)) = (expected_principal, &observed.principal)
        && !same_caller(expected, actual)
    {
        d.first.push(format!(
            "The request was made by {actual}, not by {expected}. Check which credentials the caller used (aws sts get-caller-identity; AWS_PROFILE, environment variables, the instance or task role) before changing any policy."
        ));
    }
    let Some(principal) = &observed.principal else {
        d.error =
            Some("the record does not say who made the request, so it cannot be simulated".into());
        return d;
    };
    if observed.actions.is_empty() {
        d.error = Some(
            "the record does not say which action was denied, so it cannot be simulated".into(),
        );
        return d;
    }
    for action in &observed.actions {
        let question = Question {
            principal: principal.clone(),
            action: action.clone(),
            resource: observed.resource.clone().unwrap_or_else(|| "*".into()),
            context: observed.context.clone(),
            session_policy: options.session_policy.clone(),
            source_vpce: observed.vpce.clone(),
            resource_account: observed.resource_account.clone(),
            now: None,
            federated_by: options.federated_by.clone(),
        };
        let prepared = match world.prepare(&question) {
            Ok(p) => p,
            Err(e) => {
                d.error = Some(e.to_string());
                return d;
            }
        };
        let evaluation = prepared
            .set
            .evaluate(&prepared.request, &EvaluationOptions::default());
        let agreement = compare(observed, &evaluation, world.organization.is_some());
        let fixes = suggest(world, &prepared.set, &prepared.request, &evaluation);
        d.actions.push(ActionDiagnosis {
            action: action.clone(),
            evaluation,
            context: prepared.context,
            notes: prepared.notes,
            agreement,
            fixes,
        });
    }
    d
}
