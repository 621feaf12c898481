//! `diff`: the requests whose decision flips between two worlds (change impact).
//!
//! The two worlds are compared policy by policy ([`changes`]). Each change bounds what it can
//! affect: the actions its statements (before and after) match, the principals it attaches to
//! or governs, the resources it governs. Only those requests are decided, on both sides,
//! through `World::prepare` (strict decisions, the context as given and inferred).
//!
//! The requests considered are (principal, action, resource) with a principal of either world
//! (users, roles, account roots), a catalog action, and a resource that is `*`, a resource
//! either world lists whose ARN is of the action's service, a literal ARN a changed statement
//! names (of the action's service), or one given with [`DiffQuery::resources`].

use crate::Analyzer;
use crate::index::statement_matches_action;
use iamwhy_diagnostic::{Diagnostic, Position};
use iamwhy_engine::{CompiledPolicy, Decision, EvaluationOptions, Layer};
use iamwhy_policy::document::Effect;
use iamwhy_policy::{Arn, PolicyDocument, PolicyType};
use iamwhy_world::{Question, World};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Which flips make `diff` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Access gained (denied before, allowed after).
    #[default]
    Gained,
    /// Access lost.
    Lost,
    /// Either.
    Any,
}

/// A diff question.
#[derive(Debug, Clone, Default)]
pub struct DiffQuery {
    /// Only these principals (ARNs); all when empty.
    pub principals: Vec<String>,
    /// Only these resources; when empty, the resources described in the module docs.
    pub resources: Vec<String>,
    /// Context shared by every request.
    pub template: Question,
}

/// What changed between the worlds.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What kind of policy: `managed policy`, `inline policy`, `trust policy`, ...
    pub kind: String,
    /// Its name, ARN or id.
    pub policy: String,
    /// One sentence.
    pub description: String,
    /// The policies before (kept for callers that render them).
    #[serde(skip)]
    pub old: Vec<Arc<CompiledPolicy>>,
    /// The policies after.
    #[serde(skip)]
    pub new: Vec<Arc<CompiledPolicy>>,
    #[serde(skip)]
    principals: Reach,
    #[serde(skip)]
    resources: Reach,
    /// Whether it is a guardrail (SCP, RCP, boundary): it can only take away.
    #[serde(skip)]
    guardrail: bool,
    /// The statements whose presence differs (all of both sides when the policy moved, or
    /// when tags changed).
    #[serde(skip)]
    relevant: Vec<(Arc<CompiledPolicy>, usize)>,
    /// How many statements differ.
    pub statements_changed: usize,
}

/// Which principals or resources a change reaches.
#[derive(Debug, Clone, Default)]
enum Reach {
    /// Every one.
    #[default]
    All,
    /// These ARNs.
    Only(BTreeSet<String>),
    /// Those of these accounts.
    Accounts(BTreeSet<String>),
}

impl Reach {
    fn covers(&self, arn: &str, account: Option<&str>) -> bool {
        match self {
            Reach::All => true,
            Reach::Only(s) => s.contains(arn),
            Reach::Accounts(a) => account.is_some_and(|x| a.contains(x)),
        }
    }
}

/// A statement that decided one side.
#[derive(Debug, Clone, Serialize)]
pub struct Decider {
    /// Its layer.
    pub layer: Layer,
    /// Policy name or id.
    pub policy: String,
    /// Sid, or `#n`.
    pub statement: String,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where the policy came from (file and JSON path).
    pub source: Option<String>,
    /// Its position in the document.
    pub start: Position,
}

/// One side of a flip.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// The decision.
    pub decision: Decision,
    /// The deciding statements (none for an implicit deny).
    pub deciding: Vec<Decider>,
}

/// A request whose decision flips.
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    /// The principal.
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// `gained` or `lost`.
    pub direction: &'static str,
    /// Before the change.
    pub before: Side,
    /// After it.
    pub after: Side,
    /// The changes (by `policy`) that reach this request.
    pub caused_by: Vec<String>,
}

/// The answer of diff.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// `iamwhy.diff/1`.
    pub schema: &'static str,
    /// What changed.
    pub changes: Vec<Change>,
    /// Every flip, by principal, action, resource.
    pub flips: Vec<Flip>,
    /// How many flips gain access.
    pub gained: usize,
    /// How many lose it.
    pub lost: usize,
    /// Flip indexes by principal.
    pub by_principal: BTreeMap<String, Vec<usize>>,
    /// Flip indexes by the change that caused them.
    pub by_policy: BTreeMap<String, Vec<usize>>,
    /// Requests decided on each side.
    pub requests_evaluated: usize,
    /// What was not analysed.
    pub notes: Vec<String>,
}

impl Diff {
    /// Whether the flips fail the gate.
    pub fn fails(&self, on: FailOn) -> bool {
        match on {
            FailOn::Gained => self.gained > 0,
            FailOn::Lost => self.lost > 0,
            FailOn::Any => !self.flips.is_empty(),
        }
    }
}

/// The document as JSON values: formatting and key order do not count as a change.
fn norm(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

fn same(a: &[Arc<CompiledPolicy>], b: &[Arc<CompiledPolicy>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.document.source == y.document.source
                || (norm(&x.document.source).is_some()
                    && norm(&x.document.source) == norm(&y.document.source))
        })
}

/// A statement's text as a JSON value (its text when it does not parse alone).
fn statement_key(p: &CompiledPolicy, i: usize) -> String {
    let span = p.statements[i].span;
    let text = p
        .document
        .source
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    norm(text).map_or_else(|| text.to_string(), |v| v.to_string())
}

/// The statements that differ between `old` and `new` (as a multiset of statement texts), or
/// every statement of both when `all`.
fn relevant_statements(
    old: &[Arc<CompiledPolicy>],
    new: &[Arc<CompiledPolicy>],
    all: bool,
) -> Vec<(Arc<CompiledPolicy>, usize)> {
    let each = |ps: &[Arc<CompiledPolicy>]| -> Vec<(String, (Arc<CompiledPolicy>, usize))> {
        ps.iter()
            .flat_map(|p| {
                (0..p.statements.len()).map(move |i| (statement_key(p, i), (p.clone(), i)))
            })
            .collect()
    };
    let (a, b) = (each(old), each(new));
    if all {
        return a.into_iter().chain(b).map(|(_, s)| s).collect();
    }
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for (k, _) in &a {
        *counts.entry(k).or_default() += 1;
    }
    for (k, _) in &b {
        *counts.entry(k).or_default() -= 1;
    }
    let mut out = Vec::new();
    let mut left = counts.clone();
    for (k, s) in &a {
        let c = left.get_mut(k.as_str()).expect("counted");
        if *c > 0 {
            *c -= 1;
            out.push(s.clone());
        }
    }
    for (k, s) in &b {
        let c = left.get_mut(k.as_str()).expect("counted");
        if *c < 0 {
            *c += 1;
            out.push(s.clone());
        }
    }
    out
}

/// The changes between two worlds.
pub fn changes(before: &World, after: &World) -> (Vec<Change>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let ids: BTreeSet<&String> = before
        .accounts
        .keys()
        .chain(after.accounts.keys())
        .collect();
    let empty = iamwhy_world::model::Account::default();
    let change = |kind: &str,
                  policy: String,
                  description: String,
                  old: Vec<Arc<CompiledPolicy>>,
                  new: Vec<Arc<CompiledPolicy>>,
                  principals: Reach,
                  resources: Reach,
                  guardrail: bool,
                  all: bool| {
        let relevant = relevant_statements(&old, &new, all);
        Change {
            kind: kind.into(),
            policy,
            description,
            statements_changed: relevant.len(),
            relevant,
            old,
            new,
            principals,
            resources,
            guardrail,
        }
    };
    for id in ids {
        let a = before.accounts.get(id).unwrap_or(&empty);
        let b = after.accounts.get(id).unwrap_or(&empty);
        // Managed policies: whoever attaches them (directly, through a group, as boundary).
        let arns: BTreeSet<&String> = a.managed.keys().chain(b.managed.keys()).collect();
        for arn in arns {
            let old: Vec<_> = a.managed.get(arn).cloned().into_iter().collect();
            let new: Vec<_> = b.managed.get(arn).cloned().into_iter().collect();
            if same(&old, &new) {
                continue;
            }
            let holders: BTreeSet<String> = [a, b]
                .iter()
                .flat_map(|acct| holders_of(acct, arn))
                .collect();
            let boundary = [a, b].iter().any(|acct| {
                acct.users
                    .values()
                    .any(|u| u.boundary.as_deref() == Some(arn))
                    || acct
                        .roles
                        .values()
                        .any(|r| r.boundary.as_deref() == Some(arn))
            });
            out.push(change(
                "managed policy",
                arn.clone(),
                format!("{arn} changed; {} principals hold it", holders.len()),
                old,
                new,
                Reach::Only(holders),
                Reach::All,
                boundary,
                false,
            ));
        }
        // Users and roles: their own policies, attachments, groups, boundary, tags.
        let users: BTreeSet<&String> = a.users.keys().chain(b.users.keys()).collect();
        for arn in users {
            let (ou, nu) = (a.users.get(arn), b.users.get(arn));
            let tags_changed = ou.map(|u| &u.tags) != nu.map(|u| &u.tags);
            let changed = match (ou, nu) {
                (Some(x), Some(y)) => {
                    !same(&x.inline, &y.inline)
                        || x.attached != y.attached
                        || x.groups != y.groups
                        || x.boundary != y.boundary
                        || tags_changed
                }
                _ => true,
            };
            if changed {
                let old = ou.map(|u| user_policies(a, u)).unwrap_or_default();
                let new = nu.map(|u| user_policies(b, u)).unwrap_or_default();
                out.push(change(
                    "user",
                    arn.clone(),
                    format!("user {arn}: its policies, groups, boundary or tags changed"),
                    old,
                    new,
                    Reach::Only([arn.clone()].into()),
                    Reach::All,
                    false,
                    tags_changed
                        || ou.is_none()
                        || nu.is_none()
                        || ou.map(|u| &u.boundary) != nu.map(|u| &u.boundary),
                ));
            }
        }
        let roles: BTreeSet<&String> = a.roles.keys().chain(b.roles.keys()).collect();
        for arn in roles {
            let (or, nr) = (a.roles.get(arn), b.roles.get(arn));
            let tags_changed = or.map(|r| &r.tags) != nr.map(|r| &r.tags);
            let own_changed = match (or, nr) {
                (Some(x), Some(y)) => {
                    !same(&x.inline, &y.inline)
                        || x.attached != y.attached
                        || x.boundary != y.boundary
                        || tags_changed
                }
                _ => true,
            };
            if own_changed {
                let old = or.map(|r| role_policies(a, r)).unwrap_or_default();
                let new = nr.map(|r| role_policies(b, r)).unwrap_or_default();
                out.push(change(
                    "role",
                    arn.clone(),
                    format!("role {arn}: its policies, boundary or tags changed"),
                    old,
                    new,
                    Reach::Only([arn.clone()].into()),
                    Reach::All,
                    false,
                    tags_changed
                        || or.is_none()
                        || nr.is_none()
                        || or.map(|r| &r.boundary) != nr.map(|r| &r.boundary),
                ));
            }
            let ot: Vec<_> = or.and_then(|r| r.trust.clone()).into_iter().collect();
            let nt: Vec<_> = nr.and_then(|r| r.trust.clone()).into_iter().collect();
            if !same(&ot, &nt) {
                out.push(change(
                    "trust policy",
                    format!("{arn} trust policy"),
                    format!("the trust policy of {arn} changed"),
                    ot,
                    nt,
                    Reach::All,
                    Reach::Only([arn.clone()].into()),
                    false,
                    false,
                ));
            }
        }
        // Groups: their members.
        let groups: BTreeSet<&String> = a.groups.keys().chain(b.groups.keys()).collect();
        for name in groups {
            let (og, ng) = (a.groups.get(name), b.groups.get(name));
            let changed = match (og, ng) {
                (Some(x), Some(y)) => !same(&x.inline, &y.inline) || x.attached != y.attached,
                _ => true,
            };
            if changed {
                let members: BTreeSet<String> = [a, b]
                    .iter()
                    .flat_map(|acct| {
                        acct.users
                            .values()
                            .filter(|u| u.groups.contains(name))
                            .map(|u| u.arn.clone())
                    })
                    .collect();
                let pols = |acct: &iamwhy_world::model::Account, g: &iamwhy_world::model::Group| {
                    let mut v = g.inline.clone();
                    v.extend(
                        g.attached
                            .iter()
                            .filter_map(|m| acct.managed.get(m).cloned()),
                    );
                    v
                };
                out.push(change(
                    "group",
                    format!("group {name} of {id}"),
                    format!("group {name} of account {id} changed"),
                    og.map(|g| pols(a, g)).unwrap_or_default(),
                    ng.map(|g| pols(b, g)).unwrap_or_default(),
                    Reach::Only(members),
                    Reach::All,
                    false,
                    false,
                ));
            }
        }
        // Resource policies and tags.
        let resources: BTreeSet<&String> = a.resources.keys().chain(b.resources.keys()).collect();
        for arn in resources {
            let (orr, nrr) = (a.resources.get(arn), b.resources.get(arn));
            let old: Vec<_> = orr.and_then(|r| r.policy.clone()).into_iter().collect();
            let new: Vec<_> = nrr.and_then(|r| r.policy.clone()).into_iter().collect();
            let tags_changed = orr.map(|r| &r.tags) != nrr.map(|r| &r.tags);
            if !same(&old, &new) || tags_changed {
                out.push(change(
                    "resource policy",
                    arn.clone(),
                    format!("the policy or tags of {arn} changed"),
                    old,
                    new,
                    Reach::All,
                    Reach::Only([arn.clone()].into()),
                    false,
                    tags_changed,
                ));
            }
        }
        let endpoints_a: Vec<_> = a
            .endpoints
            .values()
            .filter_map(|e| e.policy.clone())
            .collect();
        let endpoints_b: Vec<_> = b
            .endpoints
            .values()
            .filter_map(|e| e.policy.clone())
            .collect();
        if a.endpoints.keys().ne(b.endpoints.keys()) || !same(&endpoints_a, &endpoints_b) {
            notes.push(format!(
                "the VPC endpoints of account {id} changed; diff does not vary the endpoint a request goes through (give --context aws:SourceVpce=... to decide requests through one)"
            ));
        }
    }
    out.extend(org_changes(before, after));
    (out, notes)
}

/// Changes of the organization: policies and their attachments.
fn org_changes(before: &World, after: &World) -> Vec<Change> {
    let mut out = Vec::new();
    let (oa, ob) = (before.organization.as_ref(), after.organization.as_ref());
    if oa.is_none() && ob.is_none() {
        return out;
    }
    let ids: BTreeSet<String> = oa
        .iter()
        .chain(ob.iter())
        .flat_map(|o| o.policies.keys().cloned())
        .collect();
    // Where each policy is attached, as the accounts below it.
    let reach = |o: Option<&iamwhy_world::model::Organization>, id: &str| -> BTreeSet<String> {
        let Some(o) = o else { return BTreeSet::new() };
        o.accounts
            .iter()
            .filter(|(acct, (_, own))| {
                own.iter().any(|p| p == id)
                    || o.path_nodes(acct)
                        .unwrap_or_default()
                        .iter()
                        .any(|&n| o.nodes[n].policies.iter().any(|p| p == id))
            })
            .map(|(acct, _)| acct.clone())
            .collect()
    };
    for id in ids {
        let pa = oa.and_then(|o| o.policies.get(&id));
        let pb = ob.and_then(|o| o.policies.get(&id));
        let old: Vec<_> = pa.map(|p| p.policy.clone()).into_iter().collect();
        let new: Vec<_> = pb.map(|p| p.policy.clone()).into_iter().collect();
        let (ra, rb) = (reach(oa, &id), reach(ob, &id));
        if same(&old, &new) && ra == rb {
            continue;
        }
        let moved = ra != rb;
        let is_rcp = pa.or(pb).is_some_and(|p| p.is_rcp);
        let name = pa.or(pb).map(|p| p.name.clone()).unwrap_or_default();
        let accounts: BTreeSet<String> = ra.union(&rb).cloned().collect();
        let (principals, resources) = if is_rcp {
            (Reach::All, Reach::Accounts(accounts.clone()))
        } else {
            (Reach::Accounts(accounts.clone()), Reach::All)
        };
        let relevant = relevant_statements(&old, &new, moved);
        out.push(Change {
            statements_changed: relevant.len(),
            relevant,
            kind: if is_rcp { "RCP" } else { "SCP" }.into(),
            policy: format!("{id} ({name})"),
            description: format!(
                "{} {id} ({name}) or where it is attached changed; it is over {} accounts",
                if is_rcp { "RCP" } else { "SCP" },
                accounts.len()
            ),
            old,
            new,
            principals,
            resources,
            guardrail: true,
        });
    }
    out
}

fn holders_of(acct: &iamwhy_world::model::Account, arn: &str) -> Vec<String> {
    let groups: BTreeSet<&String> = acct
        .groups
        .iter()
        .filter(|(_, g)| g.attached.iter().any(|a| a == arn))
        .map(|(n, _)| n)
        .collect();
    let users = acct.users.values().filter(|u| {
        u.attached.iter().any(|a| a == arn)
            || u.boundary.as_deref() == Some(arn)
            || u.groups.iter().any(|g| groups.contains(g))
    });
    let roles = acct
        .roles
        .values()
        .filter(|r| r.attached.iter().any(|a| a == arn) || r.boundary.as_deref() == Some(arn));
    users
        .map(|u| u.arn.clone())
        .chain(roles.map(|r| r.arn.clone()))
        .collect()
}

fn user_policies(
    acct: &iamwhy_world::model::Account,
    u: &iamwhy_world::model::User,
) -> Vec<Arc<CompiledPolicy>> {
    let mut v = u.inline.clone();
    v.extend(
        u.attached
            .iter()
            .filter_map(|m| acct.managed.get(m).cloned()),
    );
    v.extend(
        u.boundary
            .iter()
            .filter_map(|m| acct.managed.get(m).cloned()),
    );
    for g in &u.groups {
        if let Some(g) = acct.groups.get(g) {
            v.extend(g.inline.iter().cloned());
            v.extend(
                g.attached
                    .iter()
                    .filter_map(|m| acct.managed.get(m).cloned()),
            );
        }
    }
    v
}

fn role_policies(
    acct: &iamwhy_world::model::Account,
    r: &iamwhy_world::model::Role,
) -> Vec<Arc<CompiledPolicy>> {
    let mut v = r.inline.clone();
    v.extend(
        r.attached
            .iter()
            .filter_map(|m| acct.managed.get(m).cloned()),
    );
    v.extend(
        r.boundary
            .iter()
            .filter_map(|m| acct.managed.get(m).cloned()),
    );
    v
}

/// A copy of `world` with the policy `target` replaced by the document `text`: a managed
/// policy ARN, a resource ARN (its resource policy), a role ARN (its trust policy) or an
/// organization policy id (`p-...`).
pub fn replace_policy(world: &World, target: &str, text: &str) -> Result<World, Diagnostic> {
    let doc = PolicyDocument::parse(text).map_err(|e| {
        let d = &e.diagnostics[0];
        let mut out = Diagnostic::error(
            "replace-invalid-policy",
            format!("the policy for {target} does not parse: {}", d.message),
        );
        if let Some(p) = d.position() {
            out = out.at_position(p);
        }
        out
    })?;
    let doc = Arc::new(doc);
    let mut w = world.clone();
    let recompile = |old: &CompiledPolicy, ty: PolicyType| {
        let mut c = CompiledPolicy::compile(old.name.clone(), ty, doc.clone());
        c.source = old.source.clone().map(|s| format!("{s} (replaced)"));
        Arc::new(c)
    };
    if let Some(o) = w.organization.as_mut()
        && let Some(p) = o.policies.get_mut(target)
    {
        let ty = if p.is_rcp {
            PolicyType::Rcp
        } else {
            PolicyType::Scp
        };
        p.policy = recompile(&p.policy, ty);
        return Ok(w);
    }
    for acct in w.accounts.values_mut() {
        if let Some(p) = acct.managed.get_mut(target) {
            let ty = p.policy_type;
            *p = recompile(p, ty);
            return Ok(w);
        }
        if let Some(r) = acct.resources.get_mut(target) {
            let fresh = match &r.policy {
                Some(p) => recompile(p, p.policy_type),
                None => {
                    let mut c = CompiledPolicy::compile(
                        target.to_string(),
                        PolicyType::Resource,
                        doc.clone(),
                    );
                    c.source = None;
                    Arc::new(c)
                }
            };
            r.policy = Some(fresh);
            return Ok(w);
        }
        if let Some(r) = acct.roles.get_mut(target) {
            let fresh = match &r.trust {
                Some(p) => recompile(p, PolicyType::Trust),
                None => Arc::new(CompiledPolicy::compile(
                    format!("{} trust policy", r.name),
                    PolicyType::Trust,
                    doc.clone(),
                )),
            };
            r.trust = Some(fresh);
            return Ok(w);
        }
    }
    Err(Diagnostic::error(
        "replace-unknown-target",
        format!("--replace {target}: the world has no managed policy, resource, role or organization policy {target}"),
    )
    .with_help("give a customer managed policy ARN, a resource ARN with a policy, a role ARN (its trust policy) or an SCP/RCP id p-..."))
}

/// The catalog actions a change's statements (before and after, either effect) match.
fn change_actions(c: &Change) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let statements: Vec<_> = c.relevant.iter().map(|(p, i)| &p.statements[*i]).collect();
    for a in iamwhy_catalog::catalog().actions() {
        let (svc, name) = (
            a.service().prefix().to_ascii_lowercase(),
            a.name().to_ascii_lowercase(),
        );
        if statements
            .iter()
            .any(|s| statement_matches_action(s, &svc, &name))
        {
            out.insert(intern(a.full_name()));
        }
    }
    out
}

fn intern(s: String) -> &'static str {
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    if let Some(&x) = set.get(s.as_str()) {
        return x;
    }
    let leaked: &'static str = Box::leak(s.into_boxed_str());
    set.insert(leaked);
    leaked
}

/// Literal resource ARNs the statements of a change name.
fn change_resources(c: &Change) -> BTreeSet<String> {
    c.relevant
        .iter()
        .map(|(p, i)| &p.document.statements()[*i])
        .filter_map(|s| s.resource.as_ref())
        .filter(|r| !r.negated)
        .flat_map(|r| r.values.iter().map(|v| v.value.clone()))
        .filter(|v| v.starts_with("arn:") && !v.contains(['*', '?', '$']))
        .collect()
}

fn service_of(arn: &str) -> Option<String> {
    Arn::parse(arn).map(|a| a.service.to_ascii_lowercase())
}

/// The universe of diff requests: principals (ARN, account) of both worlds, and resources.
struct Universe {
    /// (ARN, account), sorted.
    principals: Vec<(String, String)>,
    /// Sorted.
    resources: Vec<String>,
}

fn universe(before: &World, after: &World, changes: &[Change], q: &DiffQuery) -> Universe {
    let mut principals = BTreeSet::new();
    let mut resources: BTreeSet<String> = BTreeSet::new();
    for w in [before, after] {
        for (id, a) in &w.accounts {
            for arn in a.users.keys().chain(a.roles.keys()) {
                principals.insert((arn.clone(), id.clone()));
            }
            principals.insert((format!("arn:aws:iam::{id}:root"), id.clone()));
            resources.extend(a.resources.keys().cloned());
            resources.extend(a.roles.keys().cloned());
        }
    }
    for c in changes {
        resources.extend(change_resources(c));
    }
    resources.insert("*".into());
    if !q.resources.is_empty() {
        resources = q.resources.iter().cloned().collect();
    }
    let principals = principals
        .into_iter()
        .filter(|(arn, _)| q.principals.is_empty() || q.principals.contains(arn))
        .collect();
    Universe {
        principals,
        resources: resources.into_iter().collect(),
    }
}

/// Whether a resource is in the universe for this action: `*`, or of its service (or given
/// explicitly).
fn resource_fits(resource: &str, service: &str, explicit: bool) -> bool {
    explicit || resource == "*" || service_of(resource).as_deref() == Some(service)
}

/// Whether a statement's `Resource`/`NotResource` may match `resource` for `action` (a
/// pattern with a policy variable may: its value comes from the request).
fn may_match_resource(s: &iamwhy_engine::CompiledStatement, action: &str, resource: &str) -> bool {
    if s.resources.is_none() {
        return true;
    }
    let Ok(principal) = iamwhy_engine::Principal::parse("arn:aws:iam::000000000000:root") else {
        return true;
    };
    match iamwhy_engine::Request::new(
        principal,
        action,
        iamwhy_engine::RequestResource::parse(resource),
        iamwhy_engine::Context::default(),
    ) {
        Ok(req) => s.resource_matches(&req),
        Err(_) => true,
    }
}

/// The owner account a resource has in either world (for RCP reach).
fn owner_of(before: &World, after: &World, resource: &str) -> Option<String> {
    before
        .resource_owner(resource, None)
        .ok()
        .flatten()
        .or_else(|| after.resource_owner(resource, None).ok().flatten())
}

/// The change impact between two worlds, evaluating only what the changes can affect.
pub fn diff(before: &World, after: &World, q: &DiffQuery) -> Result<Diff, Diagnostic> {
    diff_with(before, after, q, None)
}

/// The same answer by brute force over `actions`: every principal, every action of the list
/// and every resource of the universe is decided on both sides. The reference the property
/// tests compare [`diff`] with (restricted to the same actions).
pub fn diff_brute_force(
    before: &World,
    after: &World,
    q: &DiffQuery,
    actions: &[&str],
) -> Result<Diff, Diagnostic> {
    diff_with(before, after, q, Some(actions))
}

fn diff_with(
    before: &World,
    after: &World,
    q: &DiffQuery,
    brute: Option<&[&str]>,
) -> Result<Diff, Diagnostic> {
    let (changes, mut notes) = changes(before, after);
    let u = universe(before, after, &changes, q);
    let explicit = !q.resources.is_empty();
    // The indexes are read only for guardrail changes (which principals a grant can let):
    // built on first use.
    let (ia, ib) = (std::cell::OnceCell::new(), std::cell::OnceCell::new());
    let ia = || ia.get_or_init(|| Analyzer::new_index_only(before));
    let ib = || ib.get_or_init(|| Analyzer::new_index_only(after));
    // (principal, action, resource) → the changes reaching it; principals and resources by
    // their index in the (sorted) universe, so the order is the ARNs'.
    let mut todo: BTreeMap<(usize, &'static str, usize), BTreeSet<usize>> = BTreeMap::new();
    match brute {
        Some(actions) => {
            for pi in 0..u.principals.len() {
                for &a in actions {
                    let svc = a.split(':').next().unwrap_or("").to_ascii_lowercase();
                    for (ri, r) in u.resources.iter().enumerate() {
                        if resource_fits(r, &svc, explicit) {
                            todo.entry((pi, intern(a.to_string()), ri)).or_default();
                        }
                    }
                }
            }
        }
        None => {
            let owners: Vec<Option<String>> = u
                .resources
                .iter()
                .map(|r| owner_of(before, after, r))
                .collect();
            for (ci, c) in changes.iter().enumerate() {
                let actions = change_actions(c);
                // The principals this change reaches, looked up once (not per action and
                // resource).
                let reached: Vec<usize> = u
                    .principals
                    .iter()
                    .enumerate()
                    .filter(|(_, (p, acct))| c.principals.covers(p, Some(acct)))
                    .map(|(pi, _)| pi)
                    .collect();
                for a in actions {
                    let svc = a.split(':').next().unwrap_or("").to_ascii_lowercase();
                    // A guardrail only takes away: it can flip only requests some grant
                    // allows on one side — principals an identity or resource policy can let.
                    let grant_candidates = if c.guardrail {
                        let mut s = ia().identity_candidates_arns(a);
                        s.extend(ib().identity_candidates_arns(a));
                        Some(s)
                    } else {
                        None
                    };
                    let (asvc, aname) =
                        iamwhy_policy::action::split_request_action(a).unwrap_or_default();
                    let matching: Vec<(&iamwhy_engine::CompiledStatement, bool)> = c
                        .relevant
                        .iter()
                        .map(|(p, i)| {
                            let vars = p.document.statements()[*i]
                                .resource
                                .as_ref()
                                .is_some_and(|r| r.values.iter().any(|v| v.value.contains("${")));
                            (&p.statements[*i], vars)
                        })
                        .filter(|(s, _)| statement_matches_action(s, &asvc, &aname))
                        .collect();
                    for (ri, r) in u.resources.iter().enumerate() {
                        if !resource_fits(r, &svc, explicit)
                            || !c.resources.covers(r, owners[ri].as_deref())
                            || !matching
                                .iter()
                                .any(|&(s, vars)| vars || may_match_resource(s, a, r))
                        {
                            continue;
                        }
                        let resource_named = grant_candidates.as_ref().map(|_| {
                            let mut s = ia().resource_candidates_arns(before, a, r);
                            s.extend(ib().resource_candidates_arns(after, a, r));
                            s
                        });
                        for &pi in &reached {
                            let p = &u.principals[pi].0;
                            if let (Some(g), Some(rn)) = (&grant_candidates, &resource_named)
                                && !g.contains(p)
                                && !rn.contains(p)
                                && !p.ends_with(":root")
                            {
                                continue;
                            }
                            todo.entry((pi, a, ri)).or_default().insert(ci);
                        }
                    }
                }
            }
        }
    }
    let opts = EvaluationOptions::default();
    // The preparation depends on the action only through its service and whether a trust
    // policy governs it: prepare once per (principal, resource, service, trust) and side.
    type GroupKey = (usize, usize, String, bool);
    type Actions = Vec<(&'static str, BTreeSet<usize>)>;
    let mut groups: BTreeMap<GroupKey, Actions> = BTreeMap::new();
    let evaluated = todo.len();
    for ((p, a, r), causes) in todo {
        let svc = a.split(':').next().unwrap_or("").to_ascii_lowercase();
        let trust = iamwhy_world::prepare::is_trust_action(a);
        groups
            .entry((p, r, svc, trust))
            .or_default()
            .push((a, causes));
    }
    // Groups of one principal are contiguous (the key starts with it): its principal steps
    // are prepared once per side (`World::prepare_principal`) and every group of it is
    // prepared from them, which gives what `World::prepare` gives.
    let mut by_principal: Vec<(usize, Vec<(GroupKey, Actions)>)> = Vec::new();
    for (key, actions) in groups {
        match by_principal.last_mut() {
            Some((p, list)) if *p == key.0 => list.push((key, actions)),
            _ => by_principal.push((key.0, vec![(key, actions)])),
        }
    }
    // The principal or the resource does not exist on this side: nothing is allowed.
    fn absent<T>(r: Result<T, Diagnostic>) -> Result<Option<T>, Diagnostic> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(d)
                if matches!(
                    d.code,
                    "account-not-in-world"
                        | "unknown-role"
                        | "unknown-user"
                        | "bucket-owner-unknown"
                ) =>
            {
                Ok(None)
            }
            Err(d) => Err(d),
        }
    }
    let prepare = |w: &World,
                   principal: Option<&iamwhy_world::prepare::PreparedPrincipal<'_>>,
                   question: &Question|
     -> Result<Option<iamwhy_world::Prepared>, Diagnostic> {
        match principal {
            Some(pp) => absent(w.prepare_with_principal(question, pp)),
            None => Ok(None),
        }
    };
    let side =
        |set: &Option<iamwhy_engine::PolicySet>, req: &Option<iamwhy_engine::Request>| -> Side {
            let (Some(set), Some(req)) = (set, req) else {
                return Side {
                    decision: Decision::ImplicitDeny,
                    deciding: Vec::new(),
                };
            };
            let e = set.evaluate(req, &opts);
            Side {
                decision: e.decision,
                deciding: e
                    .deciding
                    .iter()
                    .filter(|m| {
                        e.decision != Decision::Allowed
                            || matches!(m.layer, Layer::Identity | Layer::Resource | Layer::Session)
                    })
                    .map(|m| Decider {
                        layer: m.layer,
                        policy: m.policy.clone(),
                        statement: m.label(),
                        effect: m.effect,
                        source: m.source.clone(),
                        start: m.start,
                    })
                    .collect(),
            }
        };
    // One side's preparation split into its policy set and the action-independent parts of
    // its request, which each action's request is built from by moving them in and out
    // (the request `World::prepare` would build for that action, without a context clone).
    type SideParts = (
        Option<iamwhy_engine::PolicySet>,
        Option<crate::answer::RequestParts>,
    );
    let split = |p: Option<iamwhy_world::Prepared>| -> SideParts {
        match p {
            Some(p) => (
                Some(p.set),
                Some(crate::answer::RequestParts::from_request(p.request)),
            ),
            None => (None, None),
        }
    };
    let request = |parts: &mut Option<crate::answer::RequestParts>,
                   a: &str|
     -> Result<Option<iamwhy_engine::Request>, Diagnostic> {
        parts.take().map(|x| x.into_request(a)).transpose()
    };
    let decide = |set: &Option<iamwhy_engine::PolicySet>,
                  req: &Option<iamwhy_engine::Request>|
     -> Decision {
        match (set, req) {
            (Some(set), Some(req)) => set.decide(req, &opts),
            _ => Decision::ImplicitDeny,
        }
    };
    // Actions of one class (`PolicySet::action_class`) are decided alike: each class is
    // decided and explained once per side and group. Brute force decides and explains every
    // request on its own: the reference the memo is compared with.
    let memo = brute.is_none();
    // Both worlds' requests are decided at one instant.
    let template = crate::pinned_now(&q.template);
    let per_group = crate::par_map(
        &by_principal,
        |&(pi, ref list)| -> Result<Vec<Flip>, Diagnostic> {
            let p = &u.principals[pi].0;
            let base = Question {
                principal: p.clone(),
                ..template.clone()
            };
            let (once_a, once_b) = (
                absent(before.prepare_principal(&base))?,
                absent(after.prepare_principal(&base))?,
            );
            let mut out = Vec::new();
            for ((_, ri, _, _), actions) in list {
                let r = &u.resources[*ri];
                let question = Question {
                    action: actions[0].0.to_string(),
                    resource: r.clone(),
                    ..base.clone()
                };
                let (sa, mut parts_a) = split(prepare(before, once_a.as_ref(), &question)?);
                let (sb, mut parts_b) = split(prepare(after, once_b.as_ref(), &question)?);
                let (mut memo_a, mut memo_b) = (Memo::new(memo), Memo::new(memo));
                for (a, causes) in actions {
                    let (ra, rb) = (request(&mut parts_a, a)?, request(&mut parts_b, a)?);
                    let ka = memo_a.class(&sa, &ra, &decide);
                    let kb = memo_b.class(&sb, &rb, &decide);
                    let (was, now) = (memo_a.allowed(ka), memo_b.allowed(kb));
                    if was != now {
                        let caused_by = if causes.is_empty() {
                            changes
                                .iter()
                                .filter(|c| {
                                    c.principals.covers(p, p.split(':').nth(4))
                                        && c.resources
                                            .covers(r, owner_of(before, after, r).as_deref())
                                })
                                .map(|c| c.policy.clone())
                                .collect()
                        } else {
                            causes.iter().map(|&i| changes[i].policy.clone()).collect()
                        };
                        out.push(Flip {
                            principal: p.clone(),
                            action: a.to_string(),
                            resource: r.clone(),
                            direction: if now { "gained" } else { "lost" },
                            before: memo_a.side(ka, || side(&sa, &ra)),
                            after: memo_b.side(kb, || side(&sb, &rb)),
                            caused_by,
                        });
                    }
                    parts_a = ra.map(crate::answer::RequestParts::from_request);
                    parts_b = rb.map(crate::answer::RequestParts::from_request);
                }
            }
            Ok(out)
        },
    );
    let mut flips = Vec::new();
    for g in per_group {
        flips.extend(g?);
    }
    flips.sort_by(|x, y| {
        (&x.principal, &x.action, &x.resource).cmp(&(&y.principal, &y.action, &y.resource))
    });
    let mut by_principal: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut by_policy: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, f) in flips.iter().enumerate() {
        by_principal.entry(f.principal.clone()).or_default().push(i);
        for c in &f.caused_by {
            by_policy.entry(c.clone()).or_default().push(i);
        }
    }
    notes.push("flips are of allowed versus denied (strict decisions with the context as given and inferred); a change between an explicit and an implicit deny is not listed".into());
    notes.push("only catalog actions are considered; requests are on \"*\", on the resources either world lists (of the action's service) and on the literal ARNs the changed statements name".into());
    Ok(Diff {
        schema: "iamwhy.diff/1",
        gained: flips.iter().filter(|f| f.direction == "gained").count(),
        lost: flips.iter().filter(|f| f.direction == "lost").count(),
        changes,
        flips,
        by_principal,
        by_policy,
        requests_evaluated: evaluated,
        notes,
    })
}

/// One side's decisions within a (principal, resource) group, by action class.
struct Memo {
    /// Off: every request is its own entry and every side is traced.
    enabled: bool,
    index: std::collections::HashMap<Option<iamwhy_engine::ActionClass>, usize>,
    classes: Vec<(Decision, Option<Side>)>,
}

impl Memo {
    fn new(enabled: bool) -> Memo {
        Memo {
            enabled,
            index: std::collections::HashMap::new(),
            classes: Vec::new(),
        }
    }

    /// The entry of the request's class, deciding it with `decide` when it is new. A side
    /// without a request (the principal or the resource is absent) is one class.
    fn class(
        &mut self,
        set: &Option<iamwhy_engine::PolicySet>,
        req: &Option<iamwhy_engine::Request>,
        decide: &impl Fn(&Option<iamwhy_engine::PolicySet>, &Option<iamwhy_engine::Request>) -> Decision,
    ) -> usize {
        if !self.enabled {
            self.classes.push((decide(set, req), None));
            return self.classes.len() - 1;
        }
        let class = match (set, req) {
            (Some(set), Some(req)) => Some(set.action_class(req)),
            _ => None,
        };
        if let Some(&i) = self.index.get(&class) {
            return i;
        }
        self.classes.push((decide(set, req), None));
        self.index.insert(class, self.classes.len() - 1);
        self.classes.len() - 1
    }

    fn allowed(&self, i: usize) -> bool {
        self.classes[i].0 == Decision::Allowed
    }

    /// The deciding statements of class `i`, built by `make` the first time. An implicit
    /// deny has none (no statement decides it: the engine's trace lists none), so it needs
    /// no trace; `evaluate` decides as `decide` does, so the decision is the one memoised.
    fn side(&mut self, i: usize, make: impl FnOnce() -> Side) -> Side {
        let (decision, side) = &mut self.classes[i];
        if self.enabled && *decision == Decision::ImplicitDeny {
            return Side {
                decision: Decision::ImplicitDeny,
                deciding: Vec::new(),
            };
        }
        side.get_or_insert_with(make).clone()
    }
}

/// The index of one world, for the diff's candidate lookups.
pub(crate) struct IndexOnly<'w> {
    world: &'w World,
    index: crate::WorldIndex,
}

impl Analyzer<'_> {
    pub(crate) fn new_index_only(world: &World) -> IndexOnly<'_> {
        IndexOnly {
            world,
            index: crate::WorldIndex::new(world),
        }
    }
}

impl IndexOnly<'_> {
    fn identity_candidates_arns(&self, action: &str) -> BTreeSet<String> {
        self.index
            .identity_candidates(action)
            .into_iter()
            .map(|i| self.index.principals[i].arn.clone())
            .collect()
    }

    fn resource_candidates_arns(
        &self,
        _w: &World,
        action: &str,
        resource: &str,
    ) -> BTreeSet<String> {
        let Ok(r) = self.world.resolve_resource(action, resource, None) else {
            return BTreeSet::new();
        };
        let Some(p) = r.policy else {
            return BTreeSet::new();
        };
        self.index
            .resource_candidates(&p, action, r.owner.as_deref())
            .into_iter()
            .map(|i| self.index.principals[i].arn.clone())
            .collect()
    }
}
