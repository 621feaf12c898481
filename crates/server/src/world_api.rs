//! The world browser's API: the organization tree with its accounts, search over principals,
//! resources and policies, a principal's effective policies, a resource's policy, and one
//! policy's source text (for the page's source view of a deciding statement).
//!
//! There is no CLI `--output json` for these views, so these types are this crate's own.

use crate::Shared;
use crate::error::{ApiError, not_in_world};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::CompiledPolicy;
use iamwhy_engine::decision::PolicyList;
use iamwhy_world::{Question, World};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Every compiled policy of the world that has a source (file and JSON path), by it.
pub(crate) fn policies_by_source(world: &World) -> HashMap<String, Arc<CompiledPolicy>> {
    let mut out = HashMap::new();
    let mut add = |p: &Arc<CompiledPolicy>| {
        if let Some(s) = &p.source {
            out.entry(s.clone()).or_insert_with(|| p.clone());
        }
    };
    for a in world.accounts.values() {
        for u in a.users.values() {
            u.inline.iter().for_each(&mut add);
        }
        for g in a.groups.values() {
            g.inline.iter().for_each(&mut add);
        }
        for r in a.roles.values() {
            r.inline.iter().for_each(&mut add);
            r.trust.iter().for_each(&mut add);
        }
        a.managed.values().for_each(&mut add);
        for r in a.resources.values() {
            r.policy.iter().for_each(&mut add);
        }
        for e in a.endpoints.values() {
            e.policy.iter().for_each(&mut add);
        }
    }
    if let Some(org) = &world.organization {
        for p in org.policies.values() {
            add(&p.policy);
        }
    }
    out
}

/// A policy as the page shows it.
#[derive(Debug, Serialize)]
pub struct PolicyView {
    /// Its name (policy name, ARN, SCP name ...).
    pub name: String,
    /// The type it is used as (`identity`, `scp`, ...).
    pub policy_type: iamwhy_policy::PolicyType,
    /// File and JSON path in the world, when known (the key of `/world/policy?source=`).
    pub source: Option<String>,
    /// The decoded document text, whose lines the trace's statement positions count.
    pub text: String,
}

impl PolicyView {
    fn of(p: &CompiledPolicy) -> PolicyView {
        PolicyView {
            name: p.name.clone(),
            policy_type: p.policy_type,
            source: p.source.clone(),
            text: p.document.source.to_string(),
        }
    }

    fn list(l: &PolicyList) -> Vec<PolicyView> {
        l.policies.iter().map(|p| PolicyView::of(p)).collect()
    }
}

/// One node of the organization tree: the root or an OU, with its children and accounts.
#[derive(Debug, Serialize)]
pub struct OrgTreeNode {
    /// `r-…` or `ou-…`.
    pub id: String,
    /// Its name, when the snapshot has one.
    pub name: Option<String>,
    /// Names of the SCPs and RCPs attached to it.
    pub policies: Vec<String>,
    /// Child OUs.
    pub children: Vec<OrgTreeNode>,
    /// Member accounts directly below it.
    pub accounts: Vec<AccountSummary>,
}

/// An account and what the world holds of it.
#[derive(Debug, Serialize)]
pub struct AccountSummary {
    /// The account id.
    pub id: String,
    /// Whether the world has its IAM snapshot.
    pub in_world: bool,
    /// Names of the SCPs and RCPs attached to the account itself.
    pub policies: Vec<String>,
    /// Number of users.
    pub users: usize,
    /// Number of groups.
    pub groups: usize,
    /// Number of roles.
    pub roles: usize,
    /// Number of resources with a policy or tags.
    pub resources: usize,
}

/// `GET /api/v1/world`.
#[derive(Debug, Serialize)]
pub struct WorldOverview {
    /// Always `iamwhy.world/1`.
    pub schema: &'static str,
    /// Where the world was loaded from.
    pub origin: String,
    /// The organization id, when the world has one.
    pub organization: Option<String>,
    /// The organization tree from its root (roots, when several).
    pub tree: Vec<OrgTreeNode>,
    /// Accounts of the world outside any organization.
    pub standalone: Vec<AccountSummary>,
}

fn account_summary(world: &World, id: &str, policies: Vec<String>) -> AccountSummary {
    let a = world.accounts.get(id);
    AccountSummary {
        id: id.to_string(),
        in_world: a.is_some(),
        policies,
        users: a.map_or(0, |a| a.users.len()),
        groups: a.map_or(0, |a| a.groups.len()),
        roles: a.map_or(0, |a| a.roles.len()),
        resources: a.map_or(0, |a| a.resources.len()),
    }
}

pub(crate) async fn overview(State(state): State<Shared>) -> Response {
    let world = state.world;
    let mut tree = Vec::new();
    let mut standalone = Vec::new();
    if let Some(org) = &world.organization {
        let names = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|id| org.policies.get(id).map_or(id.clone(), |p| p.name.clone()))
                .collect()
        };
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); org.nodes.len()];
        let mut roots = Vec::new();
        for (i, n) in org.nodes.iter().enumerate() {
            match n.parent {
                Some(p) => children[p].push(i),
                None => roots.push(i),
            }
        }
        let mut accounts: Vec<Vec<AccountSummary>> =
            (0..org.nodes.len()).map(|_| Vec::new()).collect();
        for (id, (node, pols)) in &org.accounts {
            accounts[*node].push(account_summary(world, id, names(pols)));
        }
        fn build(
            i: usize,
            org: &iamwhy_world::model::Organization,
            children: &[Vec<usize>],
            accounts: &mut [Vec<AccountSummary>],
            names: &dyn Fn(&[String]) -> Vec<String>,
        ) -> OrgTreeNode {
            let kids = children[i]
                .iter()
                .map(|&c| build(c, org, children, accounts, names))
                .collect();
            OrgTreeNode {
                id: org.nodes[i].id.clone(),
                name: org.nodes[i].name.clone(),
                policies: names(&org.nodes[i].policies),
                children: kids,
                accounts: std::mem::take(&mut accounts[i]),
            }
        }
        for r in roots {
            tree.push(build(r, org, &children, &mut accounts, &names));
        }
        for id in world.accounts.keys() {
            if !org.accounts.contains_key(id) {
                standalone.push(account_summary(world, id, Vec::new()));
            }
        }
    } else {
        for id in world.accounts.keys() {
            standalone.push(account_summary(world, id, Vec::new()));
        }
    }
    Json(WorldOverview {
        schema: "iamwhy.world/1",
        origin: world.origin.clone(),
        organization: world.organization.as_ref().map(|o| o.id.clone()),
        tree,
        standalone,
    })
    .into_response()
}

/// A search hit.
#[derive(Debug, Serialize)]
pub struct Hit {
    /// `user`, `group`, `role`, `resource`, `policy`, `endpoint`, `scp` or `rcp`.
    pub kind: &'static str,
    /// ARN or id.
    pub id: String,
    /// The account, when it belongs to one.
    pub account: Option<String>,
}

/// `GET /api/v1/world/search?q=`.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    /// The query.
    pub q: String,
    /// Hits, in world order, at most [`MAX_HITS`].
    pub hits: Vec<Hit>,
    /// Whether more matched than were returned.
    pub truncated: bool,
}

/// The most hits one search returns.
pub const MAX_HITS: usize = 200;

/// `?q=`.
#[derive(Debug, Deserialize)]
pub(crate) struct Q {
    #[serde(default)]
    q: String,
}

pub(crate) async fn search(State(state): State<Shared>, Query(Q { q }): Query<Q>) -> Response {
    let needle = q.to_lowercase();
    let world = state.world;
    let mut hits = Vec::new();
    let mut truncated = false;
    let mut push = |kind: &'static str, id: &str, account: Option<&str>| {
        if !id.to_lowercase().contains(&needle) {
            return;
        }
        if hits.len() == MAX_HITS {
            truncated = true;
            return;
        }
        hits.push(Hit {
            kind,
            id: id.to_string(),
            account: account.map(str::to_string),
        });
    };
    for (id, a) in &world.accounts {
        let acct = Some(id.as_str());
        a.users.values().for_each(|u| push("user", &u.arn, acct));
        a.groups.values().for_each(|g| push("group", &g.arn, acct));
        a.roles.values().for_each(|r| push("role", &r.arn, acct));
        let mut managed: Vec<&String> = a.managed.keys().collect();
        managed.sort();
        managed.into_iter().for_each(|m| push("policy", m, acct));
        a.resources.keys().for_each(|r| push("resource", r, acct));
        a.endpoints.keys().for_each(|e| push("endpoint", e, acct));
    }
    if let Some(org) = &world.organization {
        for p in org.policies.values() {
            let kind = if p.is_rcp { "rcp" } else { "scp" };
            if p.name.to_lowercase().contains(&needle) || p.id.to_lowercase().contains(&needle) {
                push(kind, &format!("{} ({})", p.name, p.id), None);
            }
        }
    }
    Json(SearchResult { q, hits, truncated }).into_response()
}

/// `?arn=`.
#[derive(Debug, Deserialize)]
pub(crate) struct Arn {
    arn: Option<String>,
}

fn required_arn(a: Arn) -> Result<String, ApiError> {
    match a.arn {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(ApiError::bad_request(
            Diagnostic::error("serve-missing-parameter", "the query string has no arn=")
                .at_path("arn"),
        )),
    }
}

/// An organization level with its policies.
#[derive(Debug, Serialize)]
pub struct LevelView {
    /// Root, OU or account id.
    pub target: String,
    /// The policies attached there.
    pub policies: Vec<PolicyView>,
}

/// `GET /api/v1/world/principal?arn=`: the policies that apply to a principal's requests.
#[derive(Debug, Serialize)]
pub struct PrincipalView {
    /// The principal, as asked.
    pub arn: String,
    /// Identity-based policies (its own, its groups').
    pub identity: Vec<PolicyView>,
    /// Its permissions boundary, if any.
    pub boundary: Option<Vec<PolicyView>>,
    /// SCPs, root first.
    pub scp_levels: Vec<LevelView>,
    /// What preparing assumed.
    pub notes: Vec<String>,
}

pub(crate) async fn principal(
    State(state): State<Shared>,
    Query(a): Query<Arn>,
) -> Result<Response, ApiError> {
    let arn = required_arn(a)?;
    // The identity side of a request does not depend on the action: prepare one that every
    // principal can make.
    let q = Question {
        principal: arn.clone(),
        action: "iam:GetUser".into(),
        resource: "*".into(),
        ..Question::default()
    };
    let prepared = state
        .world
        .prepare(&q)
        .map_err(|d| ApiError::new(StatusCode::NOT_FOUND, d))?;
    let set = &prepared.set;
    Ok(Json(PrincipalView {
        arn,
        identity: PolicyView::list(&set.identity),
        boundary: set.boundary.as_ref().map(PolicyView::list),
        scp_levels: set
            .scp_levels
            .iter()
            .map(|l| LevelView {
                target: l.target.clone(),
                policies: PolicyView::list(&l.policies),
            })
            .collect(),
        notes: prepared.notes,
    })
    .into_response())
}

/// `GET /api/v1/world/resource?arn=`.
#[derive(Debug, Serialize)]
pub struct ResourceView {
    /// The resource.
    pub arn: String,
    /// The account whose snapshot holds it.
    pub account: String,
    /// Its policy, if it has one.
    pub policy: Option<PolicyView>,
    /// Its tags.
    pub tags: std::collections::BTreeMap<String, String>,
}

pub(crate) async fn resource(
    State(state): State<Shared>,
    Query(a): Query<Arn>,
) -> Result<Response, ApiError> {
    let arn = required_arn(a)?;
    for (id, acct) in &state.world.accounts {
        if let Some(r) = acct.resources.get(&arn) {
            return Ok(Json(ResourceView {
                arn: arn.clone(),
                account: id.clone(),
                policy: r.policy.as_deref().map(PolicyView::of),
                tags: r.tags.clone(),
            })
            .into_response());
        }
    }
    Err(not_in_world(
        "serve-unknown-resource",
        format!("the world holds no resource {arn}"),
    ))
}

/// `?source=`.
#[derive(Debug, Deserialize)]
pub(crate) struct SourceQ {
    source: Option<String>,
}

pub(crate) async fn policy(
    State(state): State<Shared>,
    Query(s): Query<SourceQ>,
) -> Result<Response, ApiError> {
    let Some(source) = s.source.filter(|s| !s.is_empty()) else {
        return Err(ApiError::bad_request(
            Diagnostic::error("serve-missing-parameter", "the query string has no source=")
                .at_path("source"),
        ));
    };
    match state.by_source.get(&source) {
        Some(p) => Ok(Json(PolicyView::of(p)).into_response()),
        None => Err(not_in_world(
            "serve-unknown-policy",
            format!("the world holds no policy from {source}"),
        )),
    }
}
