//! One conformance case: reading it, building the engine inputs, running it, comparing.

use anyhow::{Context as _, Result, bail};
use iamwhy_engine::decision::{Decision, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::sync::Arc;

/// A case's result.
pub enum Outcome {
    /// Matches the expectation.
    Pass,
    /// Differs from the expectation.
    Fail,
    /// Not run, with why.
    Skip(&'static str),
}

/// What running one case gave.
pub struct CaseResult {
    /// The case's stable id.
    pub id: String,
    /// Its one-line description.
    pub name: String,
    /// The expected answer as the case file states it.
    pub expected: String,
    /// iamwhy's answer, in the same form.
    pub actual: String,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// For a case listed in `divergences.json` (where iamwhy knowingly answers otherwise than
    /// the case file): the reason and its documentation.
    pub divergence: Option<String>,
}

impl CaseResult {
    /// One paragraph for the verbose listing.
    pub fn describe(&self) -> String {
        let tag = match &self.outcome {
            Outcome::Pass if self.divergence.is_some() => "PASS (known divergence)".to_string(),
            Outcome::Pass => "PASS".to_string(),
            Outcome::Fail => "FAIL".to_string(),
            Outcome::Skip(why) => format!("SKIP ({why})"),
        };
        let mut s = format!(
            "{tag} {} — {}\n    expected {}; actual {}",
            self.id, self.name, self.expected, self.actual
        );
        if let Some(d) = &self.divergence {
            s.push_str(&format!("\n    divergence: {d}"));
        }
        s
    }
}

#[derive(Deserialize)]
struct Divergence {
    id: String,
    decision: String,
    /// For Discovery cases: iamwhy's allowed-when conditions, normalized as the runner prints
    /// them (the case passes only when iamwhy gives exactly this answer).
    #[serde(default)]
    conditions: Option<String>,
    reason: String,
    documentation: String,
}

/// The known-divergence list.
pub struct Divergences(Vec<Divergence>);

impl Divergences {
    /// The committed list.
    pub fn load() -> Result<Divergences> {
        let list: Vec<Divergence> = serde_json::from_str(include_str!("../divergences.json"))
            .context("divergences.json")?;
        Ok(Divergences(list))
    }
}

/// A case as read from a line of a case file.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Case {
    /// Stable id.
    pub id: String,
    name: String,
    /// `Strict` or `Discovery`.
    pub mode: String,
    request: CaseRequest,
    policies: CasePolicies,
    expected: Expected,
    /// Discovery cases: what is known about some context keys (every other key is unknown).
    #[serde(default)]
    discovery_context_key_constraints: Vec<crate::discovery::KeyConstraint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaseRequest {
    principal: Value,
    action: String,
    resource: String,
    resource_account: Option<String>,
    #[serde(default)]
    context: serde_json::Map<String, Value>,
    #[serde(default)]
    wildcard_only_action: bool,
    /// How a `*` or `?` in `resource` is read: `pattern` (the default: the cases of the
    /// peer's suite ask "any resource matching this", as AWS's simulator does) or `literal`
    /// (a resource name containing the character, as a user or CloudTrail gives it).
    #[serde(default)]
    resource_reading: ResourceReading,
}

/// How a case's resource is read.
#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum ResourceReading {
    /// Wildcards are wildcards.
    #[default]
    Pattern,
    /// `*` and `?` are characters of the name.
    Literal,
}

#[derive(Deserialize)]
struct Named {
    name: String,
    /// The document's text as the case file has it: parsed by iamwhy as given.
    policy: Box<RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Level {
    org_identifier: String,
    policies: Vec<Named>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CasePolicies {
    #[serde(default)]
    identity: Vec<Named>,
    permission_boundaries: Option<Vec<Named>>,
    session: Option<Box<RawValue>>,
    #[serde(default)]
    scps: Vec<Level>,
    #[serde(default)]
    rcps: Vec<Level>,
    resource: Option<Box<RawValue>>,
    vpc_endpoint: Option<Vec<Named>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Expected {
    decision: String,
    blocked_by: Option<Vec<String>>,
    /// Discovery: the conditions under which the request is allowed.
    #[serde(default)]
    conditions: Option<Value>,
    /// Discovery: the conditions that were not evaluated, per layer and effect.
    #[serde(default)]
    ignored_conditions: Option<Value>,
    /// Discovery: whether the caller's role session name was treated as unknown.
    #[serde(default)]
    ignored_role_session_name: Option<bool>,
}

fn compile(name: &str, ty: PolicyType, doc: &RawValue) -> Result<CompiledPolicy> {
    let parsed =
        PolicyDocument::parse(doc.get()).map_err(|e| anyhow::anyhow!("policy {name}: {e}"))?;
    Ok(CompiledPolicy::compile(name, ty, Arc::new(parsed)))
}

fn compile_all(list: &[Named], ty: PolicyType) -> Result<Vec<CompiledPolicy>> {
    list.iter()
        .map(|n| compile(&n.name, ty, &n.policy))
        .collect()
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allowed => "Allowed",
        Decision::ExplicitDeny => "ExplicitlyDenied",
        Decision::ImplicitDeny => "ImplicitlyDenied",
    }
}

fn blocked_text(blocked_by: &[iamwhy_engine::Layer]) -> Vec<String> {
    let mut blocked: Vec<String> = blocked_by.iter().map(|l| l.short().to_string()).collect();
    blocked.sort();
    blocked.dedup();
    blocked
}

fn blocked_ok(expected: &Option<Vec<String>>, actual: &[String]) -> bool {
    match expected {
        Some(exp) => {
            let mut e = exp.clone();
            e.sort();
            e.dedup();
            e == actual
        }
        None => true,
    }
}

/// Run one line of a case file.
pub fn run_line(line: &str, divergences: &Divergences) -> Result<CaseResult> {
    let case: Case = serde_json::from_str(line)?;
    match case.mode.as_str() {
        "Strict" => run_strict(&case, divergences),
        "Discovery" => run_discovery(&case, divergences),
        _ => Ok(CaseResult {
            id: case.id.clone(),
            name: case.name.clone(),
            expected: case.expected.decision.clone(),
            actual: "-".into(),
            outcome: Outcome::Skip("this runner knows only the Strict and Discovery modes"),
            divergence: None,
        }),
    }
}

fn run_strict(case: &Case, divergences: &Divergences) -> Result<CaseResult> {
    let expected_text = match &case.expected.blocked_by {
        Some(b) => format!("{} blockedBy {:?}", case.expected.decision, b),
        None => case.expected.decision.clone(),
    };
    let mut result = CaseResult {
        id: case.id.clone(),
        name: case.name.clone(),
        expected: expected_text,
        actual: String::new(),
        outcome: Outcome::Fail,
        divergence: None,
    };
    let (set, req) = build(case)?;
    let opts = EvaluationOptions::default();
    let eval = set.evaluate(&req, &opts);
    let fast = set.decide(&req, &opts);
    if fast != eval.decision {
        bail!(
            "fast path and explained path disagree: {fast:?} vs {:?}",
            eval.decision
        );
    }
    let blocked = blocked_text(&eval.blocked_by);
    result.actual = format!(
        "{} blockedBy {:?} ({})",
        decision_name(eval.decision),
        blocked,
        eval.reason.summary
    );
    let decision_ok = decision_name(eval.decision) == case.expected.decision;
    result.outcome = if decision_ok && blocked_ok(&case.expected.blocked_by, &blocked) {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    if let Some(d) = divergences.0.iter().find(|d| d.id == case.id) {
        result.divergence = Some(format!("{} ({})", d.reason, d.documentation));
        result.outcome = if decision_name(eval.decision) == d.decision {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
    }
    Ok(result)
}

/// A Discovery case: the decision, the allowed-when conditions, the ignored conditions and
/// the session-name flag must all match (see [`crate::discovery`] for the normalization).
fn run_discovery(case: &Case, divergences: &Divergences) -> Result<CaseResult> {
    use crate::discovery as d;
    let e = &case.expected;
    let expected_conditions = d::expected_conditions(e.conditions.as_ref())?;
    let expected_ignored = d::expected_ignored(e.ignored_conditions.as_ref())?;
    let expected_session = e.ignored_role_session_name.unwrap_or(false);
    let mut expected = format!(
        "{} when {expected_conditions}; ignored {expected_ignored}; session name unknown {expected_session}",
        e.decision
    );
    if let Some(b) = &e.blocked_by {
        expected = format!("{expected}; blockedBy {b:?}");
    }
    let (set, req) = build(case)?;
    let unknowns = d::unknowns(&case.discovery_context_key_constraints)?;
    let answer = set.discover(&req, &EvaluationOptions::default(), &unknowns);
    let conditions = d::actual_conditions(&answer);
    let ignored = d::actual_ignored(&answer);
    let blocked = blocked_text(&answer.blocked_by);
    let actual = format!(
        "{} when {conditions}; ignored {ignored}; session name unknown {}; blockedBy {blocked:?} ({})",
        decision_name(answer.decision),
        answer.session_name_consulted,
        answer.summary
    );
    let decision = decision_name(answer.decision);
    let mut outcome = if decision == e.decision
        && conditions == expected_conditions
        && ignored == expected_ignored
        && answer.session_name_consulted == expected_session
        && blocked_ok(&e.blocked_by, &blocked)
    {
        Outcome::Pass
    } else {
        Outcome::Fail
    };
    let mut divergence = None;
    if let Some(dv) = divergences.0.iter().find(|dv| dv.id == case.id) {
        divergence = Some(format!("{} ({})", dv.reason, dv.documentation));
        outcome = if decision == dv.decision && dv.conditions.as_deref() == Some(&conditions) {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
    }
    Ok(CaseResult {
        id: case.id.clone(),
        name: case.name.clone(),
        expected,
        actual,
        outcome,
        divergence,
    })
}

/// Build a request from the JSON of a case's `request` object (what the harness reads), for
/// a principal with or without a permissions boundary.
pub fn request_from_json(r: &Value, has_boundary: bool) -> Result<Request> {
    let r = CaseRequest::deserialize(r).context("request")?;
    let mut req = build_request(&r)?;
    req.principal_has_boundary = has_boundary;
    Ok(req)
}

fn build_request(r: &CaseRequest) -> Result<Request> {
    let principal = match &r.principal {
        Value::String(s) => Principal::parse(s).map_err(|e| anyhow::anyhow!("{e}"))?,
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("Anonymous") => {
            Principal::anonymous()
        }
        other => bail!("unsupported principal {other}"),
    };
    let mut ctx = Context::new();
    for (k, v) in &r.context {
        match v {
            Value::String(s) => ctx.set(k, s.clone()),
            Value::Array(items) => ctx.set_multi(
                k,
                items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect(),
            ),
            other => ctx.set(k, other.to_string()),
        }
    }
    let resource = if r.wildcard_only_action {
        RequestResource::Any
    } else {
        match r.resource_reading {
            ResourceReading::Pattern => RequestResource::parse_pattern(&r.resource),
            ResourceReading::Literal => RequestResource::parse(&r.resource),
        }
    };
    let mut req =
        Request::new(principal, &r.action, resource, ctx).map_err(|e| anyhow::anyhow!("{e}"))?;
    req.resource_account = r.resource_account.clone();
    Ok(req)
}

/// Build the policy set and the request of a case.
pub fn build(case: &Case) -> Result<(PolicySet, Request)> {
    let r = &case.request;
    let mut req = build_request(r)?;
    let p = &case.policies;
    let mut set = PolicySet::new().with_identity(compile_all(&p.identity, PolicyType::Identity)?);
    if let Some(b) = &p.permission_boundaries {
        set = set.with_boundary(compile_all(b, PolicyType::Boundary)?);
        req.principal_has_boundary = true;
    }
    if let Some(s) = &p.session {
        set = set.with_session(vec![compile("session", PolicyType::Session, s)?]);
    }
    for level in &p.scps {
        set = set.with_scp_level(
            &level.org_identifier,
            compile_all(&level.policies, PolicyType::Scp)?,
        );
    }
    for level in &p.rcps {
        set = set.with_rcp_level(
            &level.org_identifier,
            compile_all(&level.policies, PolicyType::Rcp)?,
        );
    }
    if let Some(res) = &p.resource {
        let ty = if r.action.to_ascii_lowercase().starts_with("sts:") {
            PolicyType::Trust
        } else {
            PolicyType::Resource
        };
        set = set.with_resource(compile("resource", ty, res)?);
    }
    if let Some(e) = &p.vpc_endpoint {
        set = set.with_endpoint(compile_all(e, PolicyType::Endpoint)?);
    }
    Ok((set, req))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vendored cases of `cases/resource-readings.jsonl`: one resource read literally and
    /// as a pattern.
    #[test]
    fn resource_readings_literal_and_pattern() {
        let divergences = Divergences::load().unwrap();
        let text = include_str!("../cases/resource-readings.jsonl");
        let mut n = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let r = run_line(line, &divergences).unwrap();
            assert!(matches!(r.outcome, Outcome::Pass), "{}", r.describe());
            n += 1;
        }
        assert_eq!(n, 4);
    }

    #[test]
    fn an_unknown_resource_reading_is_a_malformed_case() {
        let line = include_str!("../cases/resource-readings.jsonl")
            .lines()
            .next()
            .unwrap()
            .replace("\"literal\"", "\"fuzzy\"");
        assert!(run_line(&line, &Divergences::load().unwrap()).is_err());
    }
}
