//! Where a compiled policy of the world lives: which entity, which managed policy, which
//! resource or organization policy. Fix suggestions need it to name the AWS CLI command that
//! would apply an edit.

use crate::model::{Policy, World};
use serde::Serialize;
use std::sync::Arc;

/// The home of a policy document in the world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PolicyOrigin {
    /// An inline policy of a user, group or role.
    Inline {
        /// `user`, `group` or `role`.
        entity: &'static str,
        /// The entity's name.
        entity_name: String,
        /// The policy's name.
        policy_name: String,
        /// The account.
        account: String,
    },
    /// A managed policy (customer or AWS managed).
    Managed {
        /// Its ARN.
        arn: String,
        /// The account whose snapshot holds it.
        account: String,
    },
    /// A role's trust policy.
    Trust {
        /// The role's name.
        role_name: String,
        /// The account.
        account: String,
    },
    /// A resource-based policy from resource-policies.json.
    Resource {
        /// The resource ARN.
        arn: String,
        /// The account.
        account: String,
    },
    /// An SCP or RCP.
    Organization {
        /// `p-…`.
        policy_id: String,
        /// Its name.
        name: String,
        /// True for an RCP.
        rcp: bool,
    },
    /// A VPC endpoint policy.
    Endpoint {
        /// `vpce-…`.
        id: String,
    },
}

impl World {
    /// Find where `policy` (a compiled policy of this world) lives.
    pub fn policy_origin(&self, policy: &Policy) -> Option<PolicyOrigin> {
        let same = |p: &Policy| Arc::ptr_eq(p, policy);
        for (id, a) in &self.accounts {
            for (arn, p) in &a.managed {
                if same(p) {
                    return Some(PolicyOrigin::Managed {
                        arn: arn.clone(),
                        account: id.clone(),
                    });
                }
            }
            let inline = |entity: &'static str, name: &str, list: &[Policy]| {
                list.iter().find(|p| same(p)).map(|p| PolicyOrigin::Inline {
                    entity,
                    entity_name: name.to_string(),
                    policy_name: p.name.rsplit('/').next().unwrap_or(&p.name).to_string(),
                    account: id.clone(),
                })
            };
            for u in a.users.values() {
                if let Some(o) = inline("user", &u.name, &u.inline) {
                    return Some(o);
                }
            }
            for g in a.groups.values() {
                if let Some(o) = inline("group", &g.name, &g.inline) {
                    return Some(o);
                }
            }
            for r in a.roles.values() {
                if let Some(o) = inline("role", &r.name, &r.inline) {
                    return Some(o);
                }
                if r.trust.as_ref().is_some_and(same) {
                    return Some(PolicyOrigin::Trust {
                        role_name: r.name.clone(),
                        account: id.clone(),
                    });
                }
            }
            for r in a.resources.values() {
                if r.policy.as_ref().is_some_and(same) {
                    return Some(PolicyOrigin::Resource {
                        arn: r.arn.clone(),
                        account: id.clone(),
                    });
                }
            }
            for e in a.endpoints.values() {
                if e.policy.as_ref().is_some_and(same) {
                    return Some(PolicyOrigin::Endpoint { id: e.id.clone() });
                }
            }
        }
        let org = self.organization.as_ref()?;
        org.policies
            .values()
            .find(|p| same(&p.policy))
            .map(|p| PolicyOrigin::Organization {
                policy_id: p.id.clone(),
                name: p.name.clone(),
                rcp: p.is_rcp,
            })
    }
}
