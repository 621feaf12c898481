//! The indexes the analyses look candidates up in, built once per world:
//!
//! - every IAM principal (users and roles of every account) with its identity policies and
//!   boundary, as `World::resolve_principal` gathers them;
//! - from an action to the identity-policy **Allow** statements that can match it (by service
//!   prefix, plus the statements that match any service: `Action: "*"`, `NotAction`), and from
//!   each of those policies to the principals that hold it.
//!
//! A principal none of whose identity statements allows an action can be allowed that action
//! only by a resource policy that grants it directly (same account); such principals are found
//! from the resource policy's principal element ([`WorldIndex::resource_candidates`]).

use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::Arn;
use iamwhy_policy::action::split_request_action;
use iamwhy_policy::document::{Effect, PrincipalType, PrincipalValue};
use iamwhy_world::World;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// What kind of IAM principal an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role (its sessions inherit its permissions).
    Role,
}

/// One IAM principal of the world.
#[derive(Debug, Clone)]
pub struct IndexedPrincipal {
    /// Its ARN.
    pub arn: String,
    /// Its account.
    pub account: String,
    /// User or role.
    pub kind: PrincipalKind,
    /// Its unique id, when the snapshot has it.
    pub unique_id: Option<String>,
    /// Identity-based policies (its own, then its groups').
    pub identity: Vec<Arc<CompiledPolicy>>,
    /// Its permissions boundary.
    pub boundary: Option<Arc<CompiledPolicy>>,
}

/// A statement of an identity policy: (policy number in [`WorldIndex`], statement index).
type StatementRef = (u32, u32);

/// The per-world indexes.
#[derive(Debug, Default)]
pub struct WorldIndex {
    /// Every IAM principal, users then roles, account by account.
    pub principals: Vec<IndexedPrincipal>,
    by_arn: HashMap<String, usize>,
    by_account: BTreeMap<String, Vec<usize>>,
    /// Role ARN by (account, role name): principal elements may omit the path.
    role_by_name: HashMap<(String, String), usize>,
    by_unique_id: HashMap<String, usize>,
    /// Distinct identity policies (one entry per compiled policy).
    policies: Vec<Arc<CompiledPolicy>>,
    /// For each policy, the principals that hold it.
    holders: Vec<Vec<u32>>,
    /// Allow statements by lowercased service prefix.
    allow_by_service: HashMap<Box<str>, Vec<StatementRef>>,
    /// Allow statements that can match an action of any service.
    allow_any_service: Vec<StatementRef>,
}

impl WorldIndex {
    /// Build the indexes of `world`.
    pub fn new(world: &World) -> WorldIndex {
        let mut ix = WorldIndex::default();
        let mut policy_number: HashMap<*const CompiledPolicy, u32> = HashMap::new();
        for account in world.accounts.values() {
            let arns = account
                .users
                .keys()
                .map(|a| (a, PrincipalKind::User))
                .chain(account.roles.keys().map(|a| (a, PrincipalKind::Role)));
            for (arn, kind) in arns {
                let Ok(resolved) = world.resolve_principal(arn, None) else {
                    continue;
                };
                let unique_id = match kind {
                    PrincipalKind::User => account.users[arn].id.clone(),
                    PrincipalKind::Role => account.roles[arn].id.clone(),
                };
                let n = ix.principals.len();
                for p in &resolved.identity {
                    let key = Arc::as_ptr(p);
                    let pn = *policy_number.entry(key).or_insert_with(|| {
                        ix.policies.push(p.clone());
                        ix.holders.push(Vec::new());
                        (ix.policies.len() - 1) as u32
                    });
                    let holders = &mut ix.holders[pn as usize];
                    if holders.last() != Some(&(n as u32)) {
                        holders.push(n as u32);
                    }
                }
                ix.by_arn.insert(arn.clone(), n);
                ix.by_account.entry(account.id.clone()).or_default().push(n);
                if kind == PrincipalKind::Role {
                    let name = account.roles[arn].name.clone();
                    ix.role_by_name.insert((account.id.clone(), name), n);
                }
                if let Some(id) = &unique_id {
                    ix.by_unique_id.insert(id.clone(), n);
                }
                ix.principals.push(IndexedPrincipal {
                    arn: arn.clone(),
                    account: account.id.clone(),
                    kind,
                    unique_id,
                    identity: resolved.identity,
                    boundary: resolved.boundary,
                });
            }
        }
        for (pn, p) in ix.policies.iter().enumerate() {
            for (si, s) in p.statements.iter().enumerate() {
                if s.effect != Effect::Allow {
                    continue;
                }
                let r = (pn as u32, si as u32);
                let any = s.actions.negated
                    || s.actions
                        .patterns
                        .iter()
                        .any(|a| matches!(a, iamwhy_policy::action::ActionPattern::All));
                if any {
                    ix.allow_any_service.push(r);
                    continue;
                }
                let mut services: Vec<&str> = s
                    .actions
                    .patterns
                    .iter()
                    .filter_map(|a| a.service())
                    .collect();
                services.sort_unstable();
                services.dedup();
                for svc in services {
                    ix.allow_by_service.entry(svc.into()).or_default().push(r);
                }
            }
        }
        ix
    }

    /// The principal with this ARN.
    pub fn principal(&self, arn: &str) -> Option<&IndexedPrincipal> {
        self.by_arn.get(arn).map(|&i| &self.principals[i])
    }

    /// The principals of one account.
    pub fn account_principals(&self, account: &str) -> &[usize] {
        self.by_account.get(account).map_or(&[], |v| v.as_slice())
    }

    /// How many distinct identity policies the index holds.
    pub fn policy_count(&self) -> usize {
        self.policies.len()
    }

    /// The principals holding an identity-policy Allow statement whose `Action` (or
    /// `NotAction`) matches `action`: the only principals an identity policy can let make the
    /// request. Indexes into [`WorldIndex::principals`], sorted.
    pub fn identity_candidates(&self, action: &str) -> BTreeSet<usize> {
        self.identity_candidates_on(action, None)
    }

    /// [`WorldIndex::identity_candidates`] limited to the statements whose `Resource` (or
    /// `NotResource`) may match `resource` (a pattern with a policy variable may: its value
    /// comes from the request).
    pub fn identity_candidates_on(&self, action: &str, resource: Option<&str>) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let probe = resource.and_then(|r| probe_request(action, r));
        let Some((svc, name)) = split_request_action(action) else {
            return out;
        };
        let by_service = self.allow_by_service.get(svc.as_str());
        for &(pn, si) in by_service
            .into_iter()
            .flatten()
            .chain(self.allow_any_service.iter())
        {
            let policy = &self.policies[pn as usize];
            let s = &policy.statements[si as usize];
            if !statement_matches_action(s, &svc, &name) {
                continue;
            }
            if let Some(req) = &probe
                && !may_match_resource(policy, si as usize, req)
            {
                continue;
            }
            out.extend(self.holders[pn as usize].iter().map(|&i| i as usize));
        }
        out
    }

    /// The principals of the world that a resource policy's Allow statements matching `action`
    /// can name directly. A statement whose principal element is `"*"`, a wildcard, or
    /// `NotPrincipal` may name every principal of the resource owner's account (`owner`); one
    /// that lists ARNs names those (a role session's ARN names its role, a unique id its
    /// principal). An account (`"123456789012"`, `:root`) delegates to that account's identity
    /// policies, so it names nobody directly: those principals are identity candidates.
    pub fn resource_candidates(
        &self,
        policy: &CompiledPolicy,
        action: &str,
        owner: Option<&str>,
    ) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let Some((svc, name)) = split_request_action(action) else {
            return out;
        };
        let all_of_owner = |out: &mut BTreeSet<usize>| {
            if let Some(o) = owner {
                out.extend(self.account_principals(o).iter().copied());
            }
        };
        for (si, s) in policy.statements.iter().enumerate() {
            if s.effect != Effect::Allow || !statement_matches_action(s, &svc, &name) {
                continue;
            }
            let Some(el) = policy.document.statements()[si].principal.as_ref() else {
                // No principal element (an endpoint policy): applies to every caller.
                all_of_owner(&mut out);
                continue;
            };
            if el.negated {
                all_of_owner(&mut out);
                continue;
            }
            let values: Vec<&str> = match &el.value {
                PrincipalValue::Everyone => {
                    all_of_owner(&mut out);
                    continue;
                }
                PrincipalValue::BareString(v) => vec![v.value.as_str()],
                PrincipalValue::Map(entries) => entries
                    .iter()
                    .filter(|e| e.kind == PrincipalType::Aws)
                    .flat_map(|e| e.values.iter().map(|v| v.value.as_str()))
                    .collect(),
            };
            for v in values {
                if v.contains(['*', '?']) {
                    all_of_owner(&mut out);
                } else if let Some(i) = self.named(v) {
                    out.insert(i);
                }
            }
        }
        out
    }

    /// The principal a principal-element value names: a user or role ARN (with or without
    /// the role's path), a role session ARN (its role), or a unique id.
    fn named(&self, value: &str) -> Option<usize> {
        if let Some(&i) = self.by_arn.get(value) {
            return Some(i);
        }
        if let Some(&i) = self.by_unique_id.get(value) {
            return Some(i);
        }
        if let Some((id, _session)) = value.split_once(':')
            && let Some(&i) = self.by_unique_id.get(id)
        {
            return Some(i);
        }
        let arn = Arn::parse(value)?;
        let resource = arn.resource;
        let role_name = if let Some(rest) = resource.strip_prefix("assumed-role/") {
            rest.split('/').next()?
        } else if resource.starts_with("role/") {
            arn.resource_name()
        } else {
            return None;
        };
        self.role_by_name
            .get(&(arn.account.to_string(), role_name.to_string()))
            .copied()
    }
}

/// Whether a statement's `Action`/`NotAction` matches the action (lowercased parts).
pub(crate) fn statement_matches_action(
    s: &iamwhy_engine::CompiledStatement,
    service_lower: &str,
    name_lower: &str,
) -> bool {
    let any = s
        .actions
        .patterns
        .iter()
        .any(|p| p.matches(service_lower, name_lower));
    any != s.actions.negated
}

/// A request carrying only the action and the resource, to test statements' resource patterns.
pub(crate) fn probe_request(action: &str, resource: &str) -> Option<iamwhy_engine::Request> {
    let principal = iamwhy_engine::Principal::parse("arn:aws:iam::000000000000:root").ok()?;
    iamwhy_engine::Request::new(
        principal,
        action,
        iamwhy_engine::RequestResource::parse(resource),
        iamwhy_engine::Context::default(),
    )
    .ok()
}

/// Whether statement `i` of `policy` may match the request's resource: its `Resource` or
/// `NotResource` matches, or it holds a policy variable (resolved from the real request).
pub(crate) fn may_match_resource(
    policy: &CompiledPolicy,
    i: usize,
    req: &iamwhy_engine::Request,
) -> bool {
    let variables = policy.document.statements()[i]
        .resource
        .as_ref()
        .is_some_and(|r| r.values.iter().any(|v| v.value.contains("${")));
    variables || policy.statements[i].resource_matches(req)
}
