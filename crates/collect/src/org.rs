//! Organizations: the roots, the OU tree, the accounts, and the SCPs and RCPs (content and
//! attachments) of the policy types enabled on the root → `organization.json`. Readable from
//! the management account or a delegated administrator. Any call that fails drops the whole
//! file (with the failure recorded): a tree or policy list with holes would look complete.

use crate::calls::*;
use crate::files::{self, OrgAccount, OrgNode, OrgPolicy, Organization};
use crate::run::{Run, Scope};
use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashMap};

/// What reading the organization gave.
pub enum OrgOutcome {
    /// The account is not in an organization (nothing is missing).
    NotInOrganization,
    /// The organization exists but could not be read completely (failures recorded).
    Unreadable {
        /// Its id, when DescribeOrganization worked.
        id: Option<String>,
    },
    /// The whole organization.
    Read(Box<OrgRead>),
}

/// A completely read organization.
pub struct OrgRead {
    /// `organization.json`.
    pub file: Organization,
    /// Every account: (id, whether it is ACTIVE).
    pub members: Vec<(String, bool)>,
}

fn missing() -> String {
    "the organization's OU tree, SCPs and RCPs (organization.json was not written)".into()
}

struct Parent {
    id: String,
    name: Option<String>,
    ous: Vec<String>,
    accounts: Vec<String>,
}

/// Read the organization with the base credentials.
pub async fn read(run: &Run, scope: &Scope, org: &Client) -> OrgOutcome {
    let described = match run
        .call(
            &ORG_DESCRIBE_ORGANIZATION,
            org.describe_organization().send(),
        )
        .await
    {
        Ok(d) => d,
        Err(e) if e.is(&["AWSOrganizationsNotInUseException"]) => {
            return OrgOutcome::NotInOrganization;
        }
        Err(e) => {
            run.fail(scope, &ORG_DESCRIBE_ORGANIZATION, None, &e, missing());
            return OrgOutcome::Unreadable { id: None };
        }
    };
    let (org_id, management) = match described.organization() {
        Some(o) => (
            o.id().unwrap_or_default().to_string(),
            o.master_account_id().unwrap_or_default().to_string(),
        ),
        None => return OrgOutcome::NotInOrganization,
    };
    let unreadable = || OrgOutcome::Unreadable {
        id: Some(org_id.clone()),
    };

    let Some(roots) = run
        .pages(scope, &ORG_LIST_ROOTS, None, missing, |token| async move {
            let o = org.list_roots().set_next_token(token).send().await?;
            Ok((o.roots().to_vec(), o.next_token().map(str::to_string)))
        })
        .await
    else {
        return unreadable();
    };

    // The tree, one level at a time; siblings are read concurrently.
    let mut parents: HashMap<String, Parent> = HashMap::new();
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    let mut account_names: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    let mut level: Vec<String> = roots
        .iter()
        .filter_map(|r| r.id().map(str::to_string))
        .collect();
    for r in &roots {
        if let Some(id) = r.id() {
            names.insert(id.to_string(), r.name().map(str::to_string));
        }
    }
    while !level.is_empty() {
        let results: Vec<_> = futures_util::stream::iter(level.clone())
            .map(|parent| async move {
                let ous = run
                    .pages(
                        scope,
                        &ORG_LIST_OUS_FOR_PARENT,
                        Some(&parent),
                        missing,
                        |token| {
                            let parent = parent.clone();
                            async move {
                                let o = org
                                    .list_organizational_units_for_parent()
                                    .parent_id(parent)
                                    .set_next_token(token)
                                    .send()
                                    .await?;
                                Ok((
                                    o.organizational_units().to_vec(),
                                    o.next_token().map(str::to_string),
                                ))
                            }
                        },
                    )
                    .await;
                let accounts = run
                    .pages(
                        scope,
                        &ORG_LIST_ACCOUNTS_FOR_PARENT,
                        Some(&parent),
                        missing,
                        |token| {
                            let parent = parent.clone();
                            async move {
                                let o = org
                                    .list_accounts_for_parent()
                                    .parent_id(parent)
                                    .set_next_token(token)
                                    .send()
                                    .await?;
                                Ok((o.accounts().to_vec(), o.next_token().map(str::to_string)))
                            }
                        },
                    )
                    .await;
                (parent, ous, accounts)
            })
            .buffer_unordered(run.concurrency)
            .collect()
            .await;
        let mut next = Vec::new();
        for (parent, ous, accounts) in results {
            let (Some(ous), Some(accounts)) = (ous, accounts) else {
                return unreadable();
            };
            let mut p = Parent {
                id: parent.clone(),
                name: names.get(&parent).cloned().flatten(),
                ous: Vec::new(),
                accounts: Vec::new(),
            };
            for ou in ous {
                if let Some(id) = ou.id() {
                    names.insert(id.to_string(), ou.name().map(str::to_string));
                    p.ous.push(id.to_string());
                    next.push(id.to_string());
                }
            }
            for a in accounts {
                if let Some(id) = a.id() {
                    let active = a
                        .state()
                        .map(|s| s.as_str() == "ACTIVE")
                        .or_else(|| a.status().map(|s| s.as_str() == "ACTIVE"))
                        .unwrap_or(true);
                    account_names.insert(id.to_string(), (a.name().map(str::to_string), active));
                    p.accounts.push(id.to_string());
                }
            }
            parents.insert(parent, p);
        }
        level = next;
    }

    // The policy types in force are those enabled on the root.
    let mut types = Vec::new();
    for r in &roots {
        for t in r.policy_types() {
            if t.status() == Some(&PolicyTypeStatus::Enabled) {
                match t.r#type() {
                    Some(PolicyType::ServiceControlPolicy) => {
                        types.push(PolicyType::ServiceControlPolicy)
                    }
                    Some(PolicyType::ResourceControlPolicy) => {
                        types.push(PolicyType::ResourceControlPolicy)
                    }
                    _ => {}
                }
            }
        }
    }
    types.dedup();
    let mut summaries = Vec::new();
    for ty in types {
        let Some(list) = run
            .pages(scope, &ORG_LIST_POLICIES, None, missing, |token| {
                let ty = ty.clone();
                async move {
                    let o = org
                        .list_policies()
                        .filter(ty)
                        .set_next_token(token)
                        .send()
                        .await?;
                    Ok((o.policies().to_vec(), o.next_token().map(str::to_string)))
                }
            })
            .await
        else {
            return unreadable();
        };
        summaries.extend(list);
    }
    let details: Vec<_> = futures_util::stream::iter(summaries)
        .map(|s| async move {
            let id = s.id().unwrap_or_default().to_string();
            let content = run
                .call_or_fail(
                    scope,
                    &ORG_DESCRIBE_POLICY,
                    Some(&id),
                    missing,
                    org.describe_policy().policy_id(&id).send(),
                )
                .await
                .map(|d| {
                    d.policy()
                        .and_then(|p| p.content())
                        .unwrap_or_default()
                        .to_string()
                });
            let targets = run
                .pages(
                    scope,
                    &ORG_LIST_TARGETS_FOR_POLICY,
                    Some(&id),
                    missing,
                    |token| {
                        let id = id.clone();
                        async move {
                            let o = org
                                .list_targets_for_policy()
                                .policy_id(id)
                                .set_next_token(token)
                                .send()
                                .await?;
                            Ok((
                                o.targets()
                                    .iter()
                                    .filter_map(|t| t.target_id().map(str::to_string))
                                    .collect::<Vec<_>>(),
                                o.next_token().map(str::to_string),
                            ))
                        }
                    },
                )
                .await;
            (s, id, content, targets)
        })
        .buffer_unordered(run.concurrency)
        .collect()
        .await;

    let mut attached: HashMap<String, Vec<String>> = HashMap::new();
    let mut policies = BTreeMap::new();
    for (summary, id, content, targets) in details {
        let (Some(content), Some(targets)) = (content, targets) else {
            return unreadable();
        };
        for t in targets {
            attached.entry(t).or_default().push(id.clone());
        }
        policies.insert(
            id,
            OrgPolicy {
                name: summary.name().map(str::to_string),
                kind: summary
                    .r#type()
                    .map_or("SERVICE_CONTROL_POLICY", |t| t.as_str())
                    .to_string(),
                content: files::document(&content),
            },
        );
    }
    for list in attached.values_mut() {
        list.sort();
    }

    fn build(
        id: &str,
        parents: &HashMap<String, Parent>,
        attached: &HashMap<String, Vec<String>>,
    ) -> OrgNode {
        let p = &parents[id];
        OrgNode {
            id: p.id.clone(),
            name: p.name.clone(),
            policies: attached.get(id).cloned().unwrap_or_default(),
            children: p.ous.iter().map(|c| build(c, parents, attached)).collect(),
            accounts: p.accounts.clone(),
        }
    }
    let roots_out = roots
        .iter()
        .filter_map(|r| r.id())
        .map(|id| build(id, &parents, &attached))
        .collect();
    let accounts = account_names
        .iter()
        .map(|(id, (name, _))| {
            (
                id.clone(),
                OrgAccount {
                    name: name.clone(),
                    policies: attached.get(id).cloned().unwrap_or_default(),
                },
            )
        })
        .collect();
    let members = account_names
        .iter()
        .map(|(id, (_, active))| (id.clone(), *active))
        .collect();
    OrgOutcome::Read(Box::new(OrgRead {
        file: Organization {
            id: org_id,
            management_account_id: management,
            roots: roots_out,
            accounts,
            policies,
        },
        members,
    }))
}
