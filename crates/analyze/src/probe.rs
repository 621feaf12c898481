//! Representative principals for the classes no snapshot lists: a copy of the world's
//! organization and resources with, per class, one principal whose identity policy allows
//! everything ("its own account allows it"). The classes are decided on this copy through the
//! same `World::prepare` as every other principal.

use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::document::{PrincipalType, PrincipalValue};
use iamwhy_policy::{Arn, PolicyDocument, PolicyType, is_account_id};
use iamwhy_world::World;
use iamwhy_world::model::{Account, Role, User};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The role name of a probe principal.
pub(crate) const PROBE_ROLE: &str = "iamwhy-any-principal";

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// The probe world and what it holds.
#[derive(Debug, Default)]
pub(crate) struct Probes {
    pub world: World,
    /// An account id outside the world and the organization.
    pub outsider: String,
    /// Accounts of the organization of which the world lists no user or role.
    pub org_accounts_without_principals: Vec<String>,
    /// Accounts outside the world that its resource and trust policies name.
    pub external: BTreeSet<String>,
    /// User and role ARNs of such accounts that the policies name.
    pub named: BTreeSet<String>,
}

fn allow_all() -> Arc<CompiledPolicy> {
    let doc = PolicyDocument::parse(ALLOW_ALL).expect("the allow-all policy parses");
    Arc::new(CompiledPolicy::compile(
        "iamwhy: its own identity-based policies (assumed to allow)",
        PolicyType::Identity,
        Arc::new(doc),
    ))
}

impl Probes {
    pub(crate) fn new(world: &World) -> Probes {
        let mut external = BTreeSet::new();
        let mut named = BTreeSet::new();
        let policies = world.accounts.values().flat_map(|a| {
            a.resources
                .values()
                .filter_map(|r| r.policy.clone())
                .chain(a.roles.values().filter_map(|r| r.trust.clone()))
        });
        for p in policies {
            for s in p.document.statements() {
                let Some(el) = &s.principal else { continue };
                let values: Vec<&str> = match &el.value {
                    PrincipalValue::Everyone => continue,
                    PrincipalValue::BareString(v) => vec![v.value.as_str()],
                    PrincipalValue::Map(entries) => entries
                        .iter()
                        .filter(|e| e.kind == PrincipalType::Aws)
                        .flat_map(|e| e.values.iter().map(|v| v.value.as_str()))
                        .collect(),
                };
                for v in values {
                    if v.contains(['*', '?']) {
                        continue;
                    }
                    let Some(account) = crate::who_can::account_of_principal(v) else {
                        continue;
                    };
                    if world.accounts.contains_key(&account) {
                        continue;
                    }
                    external.insert(account);
                    if let Some(arn) = Arn::parse(v)
                        && arn.service == "iam"
                        && (arn.resource.starts_with("role/") || arn.resource.starts_with("user/"))
                    {
                        named.insert(v.to_string());
                    }
                }
            }
        }
        let org_ids: BTreeSet<String> = world
            .organization
            .as_ref()
            .map(|o| o.accounts.keys().cloned().collect())
            .unwrap_or_default();
        let org_accounts_without_principals: Vec<String> = org_ids
            .iter()
            .filter(|id| {
                world
                    .accounts
                    .get(*id)
                    .is_none_or(|a| a.users.is_empty() && a.roles.is_empty())
            })
            .cloned()
            .collect();
        let mut n: u64 = 100_000_000_000;
        let outsider = loop {
            let id = n.to_string();
            if !world.accounts.contains_key(&id)
                && !org_ids.contains(&id)
                && !external.contains(&id)
            {
                break id;
            }
            n += 1;
        };
        // World implements Drop (it can leave its memory to the OS at exit), so no struct
        // update syntax: start from the default and set the two fields.
        let mut w = World::default();
        w.origin.clone_from(&world.origin);
        w.organization.clone_from(&world.organization);
        for (id, a) in &world.accounts {
            w.accounts.insert(
                id.clone(),
                Account {
                    id: id.clone(),
                    resources: a.resources.clone(),
                    endpoints: a.endpoints.clone(),
                    // Roles are resources too: their trust policies govern sts:AssumeRole.
                    roles: a.roles.clone(),
                    role_names: a.role_names.clone(),
                    managed: a.managed.clone(),
                    ..Account::default()
                },
            );
        }
        let policy = allow_all();
        let generic = std::iter::once(outsider.clone())
            .chain(org_accounts_without_principals.iter().cloned())
            .chain(external.iter().cloned());
        for id in generic {
            add_role(&mut w, &id, PROBE_ROLE, "/", &policy);
        }
        for v in &named {
            let Some(arn) = Arn::parse(v) else { continue };
            if !is_account_id(arn.account) {
                continue;
            }
            let name = arn.resource_name().to_string();
            if arn.resource.starts_with("role/") {
                let path = role_path(arn.resource);
                add_role(&mut w, arn.account, &name, &path, &policy);
                // Keep the ARN exactly as the policy names it.
                let acct = w.accounts.get_mut(arn.account).expect("added");
                let generated = acct.role_names[&name].clone();
                if generated != *v {
                    let mut role = acct.roles.remove(&generated).expect("added");
                    role.arn = v.clone();
                    acct.roles.insert(v.clone(), role);
                    acct.role_names.insert(name, v.clone());
                }
            } else {
                let acct = account_mut(&mut w, arn.account);
                acct.users.insert(
                    v.clone(),
                    User {
                        arn: v.clone(),
                        name: name.clone(),
                        id: None,
                        inline: vec![policy.clone()],
                        attached: Vec::new(),
                        groups: Vec::new(),
                        boundary: None,
                        tags: Default::default(),
                    },
                );
                acct.user_names.insert(name, v.clone());
            }
        }
        Probes {
            world: w,
            outsider,
            org_accounts_without_principals,
            external,
            named,
        }
    }
}

fn account_mut<'a>(w: &'a mut World, id: &str) -> &'a mut Account {
    w.accounts.entry(id.to_string()).or_insert_with(|| Account {
        id: id.to_string(),
        ..Account::default()
    })
}

fn role_path(resource: &str) -> String {
    let rest = resource.strip_prefix("role").unwrap_or("/");
    match rest.rfind('/') {
        Some(i) => rest[..=i].to_string(),
        None => "/".into(),
    }
}

fn add_role(w: &mut World, account: &str, name: &str, path: &str, policy: &Arc<CompiledPolicy>) {
    let acct = account_mut(w, account);
    let arn = format!("arn:aws:iam::{account}:role{path}{name}");
    acct.roles.insert(
        arn.clone(),
        Role {
            arn: arn.clone(),
            name: name.to_string(),
            path: path.to_string(),
            id: None,
            trust: None,
            inline: vec![policy.clone()],
            attached: Vec::new(),
            boundary: None,
            tags: Default::default(),
        },
    );
    acct.role_names.insert(name.to_string(), arn);
}
