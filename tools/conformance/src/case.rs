//! One conformance case: reading it, building the engine inputs, running it, comparing.

use anyhow::{Context as _, Result, bail};
use iamwhy_engine::decision::{Decision, PolicySet};
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
};
use serde::Deserialize;
use serde_json::Value;

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

/// A case as read from a line of a case file ([`crate::read::case`]), its policies compiled.
pub struct Case {
    /// Stable id.
    pub id: String,
    pub(crate) name: String,
    /// `Strict` or `Discovery`.
    pub mode: String,
    /// Taken by [`build`], with the policies.
    pub(crate) request: Option<CaseRequest>,
    /// Taken by [`build`].
    pub(crate) policies: Option<CasePolicies>,
    pub(crate) expected: Expected,
    /// Discovery cases: what is known about some context keys (every other key is unknown).
    pub(crate) discovery_context_key_constraints: Vec<crate::discovery::KeyConstraint>,
}

/// A case's request, as read.
pub(crate) struct CaseRequest {
    pub(crate) principal: CasePrincipal,
    pub(crate) action: String,
    pub(crate) resource: String,
    pub(crate) resource_account: Option<String>,
    pub(crate) context: Context,
    pub(crate) wildcard_only_action: bool,
    /// How a `*` or `?` in `resource` is read: `pattern` (the default: the cases of the
    /// peer's suite ask "any resource matching this", as AWS's simulator does) or `literal`
    /// (a resource name containing the character, as a user or CloudTrail gives it).
    pub(crate) resource_reading: ResourceReading,
}

/// A case's principal: an ARN, or `{"type": "Anonymous"}`.
pub(crate) enum CasePrincipal {
    Arn(String),
    Anonymous,
}

/// How a case's resource is read.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ResourceReading {
    /// Wildcards are wildcards.
    #[default]
    Pattern,
    /// `*` and `?` are characters of the name.
    Literal,
}

/// One SCP or RCP level: the node's id and its policies.
pub(crate) struct Level {
    pub(crate) org_identifier: String,
    pub(crate) policies: Vec<CompiledPolicy>,
}

/// The policies of every layer, compiled as the case was read.
#[derive(Default)]
pub(crate) struct CasePolicies {
    pub(crate) identity: Vec<CompiledPolicy>,
    pub(crate) permission_boundaries: Option<Vec<CompiledPolicy>>,
    pub(crate) session: Option<CompiledPolicy>,
    pub(crate) scps: Vec<Level>,
    pub(crate) rcps: Vec<Level>,
    pub(crate) resource: Option<CompiledPolicy>,
    pub(crate) vpc_endpoint: Option<Vec<CompiledPolicy>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Expected {
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
    let mut case = crate::read::case(line)?;
    match case.mode.as_str() {
        "Strict" => run_strict(&mut case, divergences),
        "Discovery" => run_discovery(&mut case, divergences),
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

fn run_strict(case: &mut Case, divergences: &Divergences) -> Result<CaseResult> {
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
fn run_discovery(case: &mut Case, divergences: &Divergences) -> Result<CaseResult> {
    use crate::discovery as d;
    let (set, req) = build(case)?;
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

/// Build a request from the JSON text of a case's `request` object (what the harness
/// reads), for a principal with or without a permissions boundary.
pub fn request_from_json(text: &str, has_boundary: bool) -> Result<Request> {
    let mut req = build_request(crate::read::request(text)?)?;
    req.principal_has_boundary = has_boundary;
    Ok(req)
}

fn build_request(r: CaseRequest) -> Result<Request> {
    let principal = match &r.principal {
        CasePrincipal::Arn(s) => Principal::parse(s).map_err(|e| anyhow::anyhow!("{e}"))?,
        CasePrincipal::Anonymous => Principal::anonymous(),
    };
    let resource = if r.wildcard_only_action {
        RequestResource::Any
    } else {
        match r.resource_reading {
            ResourceReading::Pattern => RequestResource::parse_pattern(&r.resource),
            ResourceReading::Literal => RequestResource::parse(&r.resource),
        }
    };
    let mut req = Request::new(principal, &r.action, resource, r.context)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    req.resource_account = r.resource_account;
    Ok(req)
}

/// Build the policy set and the request of a case, taking its compiled policies (a second
/// call is an error).
pub fn build(case: &mut Case) -> Result<(PolicySet, Request)> {
    let r = case
        .request
        .take()
        .context("the case's request was taken by an earlier build")?;
    let mut req = build_request(r)?;
    let p = case
        .policies
        .take()
        .context("the case's policies were taken by an earlier build")?;
    let mut set = PolicySet::new().with_identity(p.identity);
    if let Some(b) = p.permission_boundaries {
        set = set.with_boundary(b);
        req.principal_has_boundary = true;
    }
    if let Some(s) = p.session {
        set = set.with_session(vec![s]);
    }
    for level in p.scps {
        set = set.with_scp_level(&level.org_identifier, level.policies);
    }
    for level in p.rcps {
        set = set.with_rcp_level(&level.org_identifier, level.policies);
    }
    if let Some(res) = p.resource {
        set = set.with_resource(res);
    }
    if let Some(e) = p.vpc_endpoint {
        set = set.with_endpoint(e);
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
