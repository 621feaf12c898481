//! With a world: rebuild the request AWS reported (with what the user added on the command
//! line), simulate it, compare with what AWS said, check the caller is who the user thinks, and
//! suggest verified fixes. When the world lacks the caller or the resource, say what is missing
//! and simulate the side that is there ([`crate::partial`]).

use crate::fix::{FixReport, suggest_with};
use crate::index::WorldIndex;
use crate::partial::{Partial, partial};
use crate::request::{Override, RequestOverrides, question_for, reading_note};
use iamwhy_engine::{Decision, Evaluation, EvaluationOptions, Layer, RequestResource};
use iamwhy_evidence::message::policy_kind_phrase;
use iamwhy_evidence::{DenyKind, Observed, PolicyKind, ResourceReading};
use iamwhy_world::{ContextReport, Question};
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
    /// The question simulated (for applying a fix: [`crate::fix::Fix::changed_question`]).
    #[serde(skip)]
    pub question: Question,
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
    /// What the command line changed in the request the evidence describes.
    pub overrides: Vec<Override>,
    /// How the request was read (a resource naming `*`: literal or pattern).
    pub notes: Vec<String>,
    /// One entry per action.
    pub actions: Vec<ActionDiagnosis>,
    /// What the world lacks (the caller's or the resource's account, the entity), and the
    /// side that could still be simulated.
    pub partial: Option<Partial>,
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
    if m.policy_type.is_none()
        && let Some(deny) = m.deny
    {
        let explicit = e.decision == Decision::ExplicitDeny;
        let said = if deny == DenyKind::Explicit {
            "an explicit deny"
        } else {
            "an implicit deny"
        };
        return if e.decision != Decision::Allowed && explicit == (deny == DenyKind::Explicit) {
            Agreement {
                verdict: "agrees",
                explanation: format!(
                    "AWS says {said} without naming the policy type; the simulation agrees: {}",
                    e.reason.summary
                ),
            }
        } else {
            Agreement {
                verdict: "differs",
                explanation: format!(
                    "AWS says {said}; the simulation says {}: {}. The snapshot may be stale or a request detail may differ",
                    e.decision.simulator_name(),
                    e.reason.summary
                ),
            }
        };
    }
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
                "AWS says {} {phrase} denied this, but the world allows it: the snapshot may be stale, or a layer is missing from it{missing}",
                if phrase.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                }
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
                match (m.deny, phrase.starts_with(['a', 'e', 'i', 'o', 'u'])) {
                    (Some(DenyKind::Explicit), true) => "an explicit deny in an",
                    (Some(DenyKind::Explicit), false) => "an explicit deny in a",
                    (_, true) => "no allow in an",
                    (_, false) => "no allow in a",
                },
                e.reason.summary
            ),
        }
    }
}

/// What the user adds to what AWS reported.
#[derive(Debug, Clone)]
pub struct DiagnoseOptions {
    /// Who the user expected the caller to be.
    pub expected_principal: Option<String>,
    /// The request flags (`--context`, `--session-policy`, `--region` ...): they win over the
    /// evidence, and each is reported.
    pub overrides: RequestOverrides,
    /// Whether to suggest fixes (batch mode suggests them once per group).
    pub fixes: bool,
}

impl Default for DiagnoseOptions {
    fn default() -> DiagnoseOptions {
        DiagnoseOptions {
            expected_principal: None,
            overrides: RequestOverrides::default(),
            fixes: true,
        }
    }
}

/// Diagnose an observed request against the world of `index`.
pub fn diagnose(
    index: &WorldIndex<'_>,
    observed: &Observed,
    options: &DiagnoseOptions,
) -> Diagnosis {
    let world = index.world;
    let expected_principal = options.expected_principal.as_deref();
    let mut d = Diagnosis {
        first: Vec::new(),
        overrides: Vec::new(),
        notes: reading_note(observed).into_iter().collect(),
        actions: Vec::new(),
        partial: None,
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
        let mut question = question_for(observed, principal, action);
        let overrides = options.overrides.apply_to_evidence(&mut question);
        if d.overrides.is_empty() {
            d.overrides = overrides;
        }
        let mut prepared = match world.prepare(&question) {
            Ok(p) => p,
            Err(e) => {
                match partial(world, &question) {
                    Some(p) => d.partial = Some(p),
                    None => d.error = Some(e.to_string()),
                }
                return d;
            }
        };
        if observed.resource_reading == ResourceReading::Pattern {
            prepared.request.resource = RequestResource::parse_pattern(&question.resource);
        }
        let evaluation = prepared
            .set
            .evaluate(&prepared.request, &EvaluationOptions::default());
        let agreement = compare(observed, &evaluation, world.organization.is_some());
        let fixes = if options.fixes {
            suggest_with(
                index,
                &question,
                &prepared,
                &evaluation,
                observed.resource_reading,
            )
        } else {
            FixReport::default()
        };
        d.actions.push(ActionDiagnosis {
            action: action.clone(),
            evaluation,
            context: prepared.context,
            notes: prepared.notes,
            agreement,
            fixes,
            question,
        });
    }
    d
}
