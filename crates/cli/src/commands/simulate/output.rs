//! Rendering a simulation: AWS's `EvaluationResults` JSON shape and a text form
//! for people.

use iamwhy_engine::decision::{Decision, Layer, LayerStatus, MatchedStatement};
use iamwhy_world::simulator::{ActionResult, ResourceResult, Simulation};
use serde::Serialize;
use serde_json::{Map, Value, json};

fn decision_rank(d: Decision) -> u8 {
    match d {
        Decision::Allowed => 0,
        Decision::ImplicitDeny => 1,
        Decision::ExplicitDeny => 2,
    }
}

/// `SourcePolicyType` for a statement (AWS: the policy simulator's output: `user | group | role | aws-managed |
/// user-managed | resource | none`; submitted identity and boundary documents are `none`).
fn source_policy_type(layer: Layer) -> &'static str {
    match layer {
        Layer::Resource => "resource",
        _ => "none",
    }
}

/// `{Line, Column}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Position {
    line: u32,
    column: u32,
}

/// AWS's `Statement` shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StatementRef {
    source_policy_id: String,
    source_policy_type: &'static str,
    start_position: Position,
    end_position: Position,
}

/// A statement whose condition could not be evaluated, and what was assumed — iamwhy's
/// addition to AWS's shape (`IamwhyUnevaluable`), present only when there is one, so that a
/// conservative decision is never unmarked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UnevaluableRef {
    source_policy_id: String,
    statement: String,
    reason: String,
    assumed: String,
}

fn unevaluable(r: &ResourceResult) -> Vec<UnevaluableRef> {
    r.evaluation
        .unevaluable
        .iter()
        .map(|u| UnevaluableRef {
            source_policy_id: u.policy.clone(),
            statement: u.statement.clone(),
            reason: u.reason.clone(),
            assumed: u.assumed.clone(),
        })
        .collect()
}

/// AWS's `ResourceSpecificResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceSpecificResult {
    eval_resource_name: String,
    eval_resource_decision: &'static str,
    matched_statements: Vec<StatementRef>,
    missing_context_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eval_decision_details: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary_decision_detail: Option<BoundaryDetail>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    iamwhy_unevaluable: Vec<UnevaluableRef>,
}

/// AWS's `PermissionsBoundaryDecisionDetail`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BoundaryDetail {
    allowed_by_permissions_boundary: bool,
}

/// AWS's `OrganizationsDecisionDetail`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationsDetail {
    allowed_by_organizations: bool,
}

/// AWS's `EvaluationResult`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EvaluationResult {
    eval_action_name: String,
    eval_resource_name: String,
    eval_decision: &'static str,
    matched_statements: Vec<StatementRef>,
    missing_context_values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organizations_decision_detail: Option<OrganizationsDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions_boundary_decision_detail: Option<BoundaryDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eval_decision_details: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_specific_results: Option<Vec<ResourceSpecificResult>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    iamwhy_unevaluable: Vec<UnevaluableRef>,
}

/// The whole response.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    evaluation_results: Vec<EvaluationResult>,
    is_truncated: bool,
}

fn statement_ref(sim: &Simulation, m: &MatchedStatement) -> StatementRef {
    let known = m.source.as_ref().and_then(|s| sim.policy_ids.get(s));
    StatementRef {
        source_policy_id: known.map_or_else(|| m.policy.clone(), |(id, _)| id.clone()),
        source_policy_type: known.map_or_else(|| source_policy_type(m.layer), |(_, t)| t),
        start_position: Position {
            line: m.start.line,
            column: m.start.column,
        },
        end_position: Position {
            line: m.end.line,
            column: m.end.column,
        },
    }
}

/// The statements AWS lists: identity- and resource-based statements that decided (never
/// SCPs, RCPs or boundaries).
fn matched_statements(sim: &Simulation, r: &ResourceResult) -> Vec<StatementRef> {
    r.evaluation
        .deciding
        .iter()
        .filter(|m| matches!(m.layer, Layer::Identity | Layer::Resource))
        .map(|m| statement_ref(sim, m))
        .collect()
}

fn missing_keys(r: &ResourceResult) -> Vec<String> {
    r.evaluation
        .missing_context_keys
        .iter()
        .filter(|k| {
            k.layers.iter().any(|l| {
                matches!(
                    l,
                    Layer::Identity | Layer::Resource | Layer::PermissionsBoundary
                )
            })
        })
        .map(|k| k.key.clone())
        .collect()
}

fn layer_decision(r: &ResourceResult, layer: Layer) -> &'static str {
    match r
        .evaluation
        .layers
        .iter()
        .find(|l| l.layer == layer)
        .map(|l| l.status)
    {
        Some(LayerStatus::Allow) => "allowed",
        Some(LayerStatus::Deny) => "explicitDeny",
        _ => "implicitDeny",
    }
}

/// `EvalDecisionDetails`: content only for cross-account simulations, empty for same-account
/// ones with a concrete resource, absent for `*` (AWS: the policy simulator's output).
fn decision_details(r: &ResourceResult, has_resource_policy: bool) -> Option<Map<String, Value>> {
    if r.resource == "*" {
        return None;
    }
    let mut details = Map::new();
    if !r.cross_account {
        return Some(details);
    }
    details.insert(
        "IAM Policy".into(),
        json!(layer_decision(r, Layer::Identity)),
    );
    if has_resource_policy || r.resource_policy {
        details.insert(
            "Resource Policy".into(),
            json!(layer_decision(r, Layer::Resource)),
        );
    }
    if r.evaluation
        .layers
        .iter()
        .any(|l| l.layer == Layer::PermissionsBoundary)
    {
        details.insert(
            "Permissions Boundary Policy".into(),
            json!(layer_decision(r, Layer::PermissionsBoundary)),
        );
    }
    Some(details)
}

fn boundary_detail(r: &ResourceResult) -> BoundaryDetail {
    BoundaryDetail {
        allowed_by_permissions_boundary: r
            .evaluation
            .layers
            .iter()
            .find(|l| l.layer == Layer::PermissionsBoundary)
            .is_some_and(|l| l.status == LayerStatus::Allow),
    }
}

/// The ARN template AWS reports as the top-level `EvalResourceName`: the resource type's
/// template from the service catalog, `*` for actions without resource types, or the
/// resource itself when the catalog cannot tell.
fn resource_template(action: &str, resources: &[ResourceResult]) -> String {
    let catalog = iamwhy_catalog::catalog();
    let Some(a) = catalog.action(action) else {
        return resources
            .first()
            .map(|r| r.resource.clone())
            .unwrap_or_else(|| "*".into());
    };
    if a.is_wildcard_only() {
        return "*".into();
    }
    for r in resources {
        if let Some(rt) = a.resource_types_for_arn(&r.resource).first()
            && let Some(t) = rt.resource_type().arn_templates().next()
        {
            return t.to_string();
        }
    }
    a.arn_templates()
        .first()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "*".into())
}

fn evaluation_result(
    sim: &Simulation,
    a: &ActionResult,
    has_resource_policy: bool,
) -> EvaluationResult {
    let worst = a
        .resources
        .iter()
        .max_by_key(|r| decision_rank(r.evaluation.decision))
        .expect("at least one resource");
    let mut matched: Vec<StatementRef> = Vec::new();
    let mut missing: Vec<String> = Vec::new();
    for r in &a.resources {
        for m in matched_statements(sim, r) {
            if !matched.contains(&m) {
                matched.push(m);
            }
        }
        for k in missing_keys(r) {
            if !missing.contains(&k) {
                missing.push(k);
            }
        }
    }
    let organizations_decision_detail = sim.has_organization.then(|| OrganizationsDetail {
        allowed_by_organizations: a.resources.iter().all(|r| {
            r.evaluation
                .layers
                .iter()
                .find(|l| l.layer == Layer::Scp)
                .is_none_or(|l| matches!(l.status, LayerStatus::Allow | LayerStatus::NotApplicable))
        }),
    });
    let only_star = a.resources.len() == 1 && a.resources[0].resource == "*";
    let mut all_unevaluable: Vec<UnevaluableRef> = Vec::new();
    for r in &a.resources {
        for u in unevaluable(r) {
            if !all_unevaluable.contains(&u) {
                all_unevaluable.push(u);
            }
        }
    }
    EvaluationResult {
        eval_action_name: a.action.clone(),
        eval_resource_name: resource_template(&a.action, &a.resources),
        eval_decision: worst.evaluation.decision.simulator_name(),
        matched_statements: matched,
        missing_context_values: missing,
        organizations_decision_detail,
        permissions_boundary_decision_detail: sim.has_boundary.then(|| boundary_detail(worst)),
        eval_decision_details: decision_details(worst, has_resource_policy),
        resource_specific_results: (!only_star).then(|| {
            a.resources
                .iter()
                .map(|r| ResourceSpecificResult {
                    eval_resource_name: r.resource.clone(),
                    eval_resource_decision: r.evaluation.decision.simulator_name(),
                    matched_statements: matched_statements(sim, r),
                    missing_context_values: missing_keys(r),
                    eval_decision_details: decision_details(r, has_resource_policy),
                    permissions_boundary_decision_detail: sim
                        .has_boundary
                        .then(|| boundary_detail(r)),
                    iamwhy_unevaluable: unevaluable(r),
                })
                .collect()
        }),
        iamwhy_unevaluable: all_unevaluable,
    }
}

/// AWS's JSON output.
pub fn to_response(sim: &Simulation, has_resource_policy: bool) -> Response {
    Response {
        evaluation_results: sim
            .results
            .iter()
            .map(|a| evaluation_result(sim, a, has_resource_policy))
            .collect(),
        is_truncated: false,
    }
}

/// One line per conservative assumption of the simulation, for stderr: the AWS-shaped JSON
/// on stdout carries them as `IamwhyUnevaluable`.
pub fn conservative_notes(sim: &Simulation) -> Vec<String> {
    let mut out = Vec::new();
    for a in &sim.results {
        for r in &a.resources {
            for u in &r.evaluation.unevaluable {
                out.push(format!(
                    "{} on {}: {} statement {} could not be evaluated ({}); {}",
                    a.action, r.resource, u.policy, u.statement, u.reason, u.assumed
                ));
            }
        }
    }
    out
}

/// A text rendering for people: the full explanation of every (action, resource).
pub fn to_text(sim: &Simulation) -> String {
    let mut out = String::new();
    for a in &sim.results {
        for r in &a.resources {
            out.push_str(&crate::render::trace::render(
                &r.evaluation,
                &a.action,
                &r.resource,
            ));
            out.push('\n');
        }
    }
    for n in &sim.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

/// iamwhy's own trace (docs/trace-schema.md) for every (action, resource).
pub fn to_trace(sim: &Simulation) -> Value {
    json!({
        "schema": "iamwhy.trace/1",
        "results": sim.results.iter().flat_map(|a| a.resources.iter().map(move |r| json!({
            "action": a.action,
            "resource": r.resource,
            "evaluation": r.evaluation,
        }))).collect::<Vec<_>>(),
        "notes": sim.notes,
    })
}
