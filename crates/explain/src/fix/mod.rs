//! Fix suggestions: the changes that would allow a denied request, in the order a careful
//! engineer would try them, each labelled with what it costs.
//!
//! 1. **Change the request** ([`Cost::RequestChange`]): the region, MFA, the `ExternalId`, the
//!    VPC endpoint, HTTPS — no policy changes.
//! 2. **Use a principal the guardrail already exempts** ([`Cost::ExemptPrincipal`]): "assume
//!    role OrgOps, which this SCP exempts".
//! 3. **Grant access** ([`Cost::Grant`]): an identity policy, the resource's policy (a trust
//!    policy keeps the conditions of the statement it extends), a session policy.
//! 4. **Weaken a guardrail** ([`Cost::WeakensGuardrail`]): exempt the principal from an SCP,
//!    RCP, permissions boundary or explicit Deny, or widen a boundary, an SCP or an endpoint
//!    policy — always said, always last.
//!
//! Every candidate is applied to a copy of the policy set (or of the request, re-prepared in
//! the world) and re-simulated; it is shown only if it turns this request into an allow, with
//! the edited policy as a diff, the AWS CLI command that applies it (reading the file
//! `--write-fix DIR` writes) and exactly what else it would allow. When nothing can be
//! verified, [`FixReport::no_safe_fix`] gives the true reason.

mod command;
mod exempt;
mod grant;
mod request;
mod write;

use crate::edit::Json;
use crate::index::WorldIndex;
use iamwhy_engine::{
    CompiledPolicy, Decision, Evaluation, EvaluationOptions, Layer, LayerStatus, MatchedStatement,
    OrgLevel, PolicyList, PolicySet, Request, RequestResource,
};
use iamwhy_evidence::ResourceReading;
use iamwhy_policy::PolicyDocument;
use iamwhy_world::{PolicyOrigin, Prepared, Question};
use serde::Serialize;
use std::sync::Arc;

/// What a fix costs, in the order fixes are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    /// Change the call (region, MFA, ExternalId, endpoint, HTTPS): no policy changes.
    RequestChange,
    /// Make the call as a principal the denying guardrail already exempts.
    ExemptPrincipal,
    /// Grant access: an identity policy, the resource's policy, a session policy.
    Grant,
    /// Exempt the caller from, or widen, a guardrail: an SCP, an RCP, a permissions boundary,
    /// an endpoint policy or an explicit Deny.
    WeakensGuardrail,
}

impl Cost {
    /// The label shown before the fix, when it needs one.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Cost::WeakensGuardrail => Some("weakens a guardrail"),
            Cost::ExemptPrincipal => Some("uses a principal the guardrail exempts"),
            Cost::RequestChange | Cost::Grant => None,
        }
    }
}

/// How the request changes for a request-side fix (or an exempt principal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestChange {
    /// Context keys the call sets (each replaces the key's values).
    pub context: Vec<(String, String)>,
    /// Context keys the call no longer carries (`aws:SourceIp` through a VPC endpoint).
    pub remove: Vec<String>,
    /// The principal to make the call as.
    pub principal: Option<String>,
    /// The resource the call then acts on (created in another region).
    pub resource: Option<String>,
    /// The VPC endpoint the call goes through.
    pub source_vpce: Option<String>,
}

impl RequestChange {
    /// `question` with this change made.
    pub fn apply(&self, question: &Question) -> Question {
        let mut q = question.clone();
        for k in self
            .remove
            .iter()
            .chain(self.context.iter().map(|(k, _)| k))
        {
            q.context.retain(|(x, _)| !x.eq_ignore_ascii_case(k));
        }
        q.context.extend(self.context.iter().cloned());
        if let Some(p) = &self.principal {
            q.principal = p.clone();
            q.context.retain(|(k, _)| !describes_principal(k));
        }
        if let Some(r) = &self.resource {
            q.resource = r.clone();
        }
        if let Some(v) = &self.source_vpce {
            q.source_vpce = Some(v.clone());
        }
        q
    }
}

/// Whether a context key describes the caller (and so does not carry over to another one).
fn describes_principal(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:principal")
        || matches!(
            k.as_str(),
            "aws:userid" | "aws:username" | "aws:sourceidentity"
        )
}

/// One verified suggestion.
#[derive(Debug, Clone, Serialize)]
pub struct Fix {
    /// One line: what to change.
    pub title: String,
    /// `request` (change the call, no policy edit) or `policy` (edit a policy).
    pub kind: &'static str,
    /// What it costs; fixes are ordered by it.
    pub cost: Cost,
    /// The policy edited, when one is.
    pub policy: Option<String>,
    /// Where that policy lives.
    pub origin: Option<PolicyOrigin>,
    /// The edited policy as a unified diff.
    pub diff: Option<String>,
    /// The edited policy in full.
    pub document: Option<String>,
    /// The file the command reads (`fix-1.json`, or `DIR/fix-1.json` with `--write-fix DIR`),
    /// when the fix has a document.
    pub file: Option<String>,
    /// The AWS CLI command that applies it.
    pub command: Option<String>,
    /// What else the change would allow, exactly.
    pub also_allows: Vec<String>,
    /// For request fixes: how the call changes.
    pub request: Option<RequestChange>,
    /// For session-policy fixes: the session policy to create the session with.
    pub session_policy: Option<String>,
    /// Whether the fix creates a new policy (at `origin`) rather than editing one.
    pub new_policy: bool,
    /// The command with the file still a placeholder.
    #[serde(skip)]
    command_template: Option<String>,
}

impl Fix {
    fn new(title: String, kind: &'static str, cost: Cost) -> Fix {
        Fix {
            title,
            kind,
            cost,
            policy: None,
            origin: None,
            diff: None,
            document: None,
            file: None,
            command: None,
            also_allows: Vec::new(),
            request: None,
            session_policy: None,
            new_policy: false,
            command_template: None,
        }
    }

    /// The question the fix makes allowed: `question` with the request change and the
    /// session policy of the fix.
    pub fn changed_question(&self, question: &Question) -> Question {
        let mut q = match &self.request {
            Some(r) => r.apply(question),
            None => question.clone(),
        };
        if let Some(sp) = &self.session_policy {
            q.session_policy = Some(sp.clone());
        }
        q
    }
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
    /// The layers that still refuse once the caller is exempted from every deciding Deny.
    #[serde(skip)]
    refusing_after_exemption: Vec<Layer>,
}

impl FixReport {
    /// Name the file of every fix with a document `STEM-N.json` (in `dir` when given, as
    /// `--write-fix DIR` writes them) and point the commands at it.
    pub fn place_files(&mut self, dir: Option<&str>, stem: &str) {
        let mut n = 0;
        for f in &mut self.fixes {
            if f.document.is_none() {
                continue;
            }
            n += 1;
            let name = format!("{stem}-{n}.json");
            let path = match dir {
                Some(d) => format!("{}/{name}", d.trim_end_matches('/')),
                None => name,
            };
            f.command = f
                .command_template
                .as_ref()
                .map(|t| t.replace(command::FILE, &path));
            f.file = Some(path);
        }
    }

    /// Write the document of every fix to its file (see [`FixReport::place_files`]); SQS
    /// fixes also get their queue-attributes file. Returns the files written.
    pub fn write_files(&self) -> Result<Vec<String>, iamwhy_diagnostic::Diagnostic> {
        write::write_files(self)
    }
}

/// Everything a candidate is checked against.
pub(crate) struct Cx<'a, 'w> {
    pub(crate) index: &'a WorldIndex<'w>,
    pub(crate) question: &'a Question,
    pub(crate) set: &'a PolicySet,
    pub(crate) request: &'a Request,
    pub(crate) e: &'a Evaluation,
    pub(crate) reading: ResourceReading,
}

impl Cx<'_, '_> {
    /// Prepare `q` in the world (reading its resource as this request's was) and decide it.
    fn decide(&self, q: &Question) -> Option<(Decision, Prepared)> {
        let mut p = self.index.world.prepare(q).ok()?;
        if self.reading == ResourceReading::Pattern {
            p.request.resource = RequestResource::parse_pattern(&q.resource);
        }
        let d = p.set.decide(&p.request, &EvaluationOptions::default());
        Some((d, p))
    }
}

/// Suggest verified fixes for a denied request: `question` as prepared into `prepared` and
/// evaluated into `evaluation`. The same function serves `check`, `explain` and the demo.
pub fn suggest(
    index: &WorldIndex<'_>,
    question: &Question,
    prepared: &Prepared,
    evaluation: &Evaluation,
) -> FixReport {
    suggest_with(
        index,
        question,
        prepared,
        evaluation,
        ResourceReading::Literal,
    )
}

/// [`suggest`] for a request whose resource is read as `reading` (an AWS-written pattern is
/// re-read as one when the request is changed).
pub fn suggest_with(
    index: &WorldIndex<'_>,
    question: &Question,
    prepared: &Prepared,
    evaluation: &Evaluation,
    reading: ResourceReading,
) -> FixReport {
    let e = evaluation;
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
    let cx = Cx {
        index,
        question,
        set: &prepared.set,
        request: &prepared.request,
        e,
        reading,
    };
    request::request_side(&cx, &mut report);
    match e.decision {
        Decision::ExplicitDeny => {
            exempt::exempt_principals(&cx, &mut report);
            exempt::exempt_from_denies(&cx, &mut report);
        }
        Decision::ImplicitDeny => grant::grant(&cx, &mut report),
        Decision::Allowed => {}
    }
    report.fixes.sort_by_key(|f| f.cost);
    if report.fixes.is_empty() {
        report.no_safe_fix = Some(no_fix_reason(e, &report.refusing_after_exemption));
    }
    report.place_files(None, "fix");
    report
}

/// The true reason nothing single can be verified: which layers deny, which lack an allow
/// (for an explicit deny: the layers that still refuse once the Deny is lifted).
fn no_fix_reason(e: &Evaluation, refusing_after_exemption: &[Layer]) -> String {
    let denies: Vec<&str> = e
        .layers
        .iter()
        .filter(|l| l.status == LayerStatus::Deny)
        .map(|l| l.layer.phrase())
        .collect();
    let mut missing: Vec<&str> = e
        .layers
        .iter()
        .filter(|l| l.required && l.status == LayerStatus::NoAllow)
        .map(|l| l.layer.phrase())
        .collect();
    for l in refusing_after_exemption {
        if !missing.contains(&l.phrase()) && !denies.contains(&l.phrase()) {
            missing.push(l.phrase());
        }
    }
    let count = |n: usize, one: &str, many: &str| match n {
        1 => format!("one {one}"),
        2 => format!("two {many}"),
        n => format!("{n} {many}"),
    };
    let within = |layers: &[&str]| format!("(in the {})", layers.join(" and the "));
    match (denies.len(), missing.len()) {
        (0, 0) => format!("no single change found: {}", e.reason.summary),
        (d, 0) if d > 1 => format!(
            "{} {}: each must change, and no single change lifts them all",
            count(d, "Deny", "Denies"),
            within(&denies)
        ),
        (0, m) if m > 1 => format!(
            "{} {}: each must change",
            count(m, "missing Allow", "missing Allows"),
            within(&missing)
        ),
        (d, m) if d > 0 && m > 0 => format!(
            "{} {} and {} {}: {} must change",
            count(d, "Deny", "Denies"),
            within(&denies),
            count(m, "missing Allow", "missing Allows"),
            within(&missing),
            if d + m == 2 { "both" } else { "all" }
        ),
        (1, 0) => format!(
            "the Deny {} cannot be lifted for this principal alone: it applies through more than one statement, or its exemption is not enough",
            within(&denies)
        ),
        _ => format!(
            "no {} allows it, and no statement iamwhy could add was enough",
            missing.first().copied().unwrap_or("policy")
        ),
    }
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

/// The pretty text of a policy's document, and its order-preserving model for editing.
fn editable(p: &CompiledPolicy) -> Option<(String, Json)> {
    let doc = Json::parse(&p.document.source)?;
    Some((doc.pretty(), doc))
}

/// The actions a statement covers, for "also allows" texts.
fn statement_actions(p: &CompiledPolicy, index: usize) -> String {
    let Some(s) = p.document.statements().get(index) else {
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

/// A policy fix: `title`, the edit from `before` to `after` of `policy` (at `origin`).
#[allow(clippy::too_many_arguments)]
fn policy_fix(
    title: String,
    cost: Cost,
    policy_name: &str,
    origin: Option<PolicyOrigin>,
    before: &str,
    after: String,
    also_allows: Vec<String>,
) -> Fix {
    let mut f = Fix::new(title, "policy", cost);
    f.command_template = origin.as_ref().map(command::apply_command);
    f.diff = Some(crate::edit::unified_diff(before, &after, policy_name));
    f.document = Some(after);
    f.policy = Some(policy_name.to_string());
    f.origin = origin;
    f.also_allows = also_allows;
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_order_request_changes_first_and_guardrails_last() {
        let mut v = [
            Cost::WeakensGuardrail,
            Cost::Grant,
            Cost::RequestChange,
            Cost::ExemptPrincipal,
        ];
        v.sort();
        assert_eq!(
            v,
            [
                Cost::RequestChange,
                Cost::ExemptPrincipal,
                Cost::Grant,
                Cost::WeakensGuardrail
            ]
        );
        assert_eq!(Cost::WeakensGuardrail.label(), Some("weakens a guardrail"));
    }

    #[test]
    fn a_request_change_replaces_keys_and_drops_the_callers_keys_for_another_principal() {
        let q = Question {
            principal: "arn:aws:iam::1:user/a".into(),
            context: vec![
                ("aws:SourceIp".into(), "1.2.3.4".into()),
                ("aws:PrincipalTag/team".into(), "x".into()),
                ("aws:MultiFactorAuthPresent".into(), "false".into()),
            ],
            ..Question::default()
        };
        let change = RequestChange {
            context: vec![("aws:MultiFactorAuthPresent".into(), "true".into())],
            remove: vec!["aws:SourceIp".into()],
            principal: Some("arn:aws:iam::1:role/Ops".into()),
            ..RequestChange::default()
        };
        let q2 = change.apply(&q);
        assert_eq!(q2.principal, "arn:aws:iam::1:role/Ops");
        assert_eq!(
            q2.context,
            vec![("aws:MultiFactorAuthPresent".to_string(), "true".to_string())]
        );
    }
}
