//! What fix generation looks up in a world, indexed once: where each compiled policy lives
//! (the entity, managed policy, resource or organization policy that holds it) and who holds
//! each permissions boundary. Built in one pass over the world the first time a fix needs it
//! (an allowed request never does), so that explaining an event costs the same in a world of a
//! hundred roles as in one of thirty thousand.

use iamwhy_engine::CompiledPolicy;
use iamwhy_world::{PolicyOrigin, World};
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled policy of the world.
type Policy = Arc<CompiledPolicy>;

/// A world with the lookups fix generation needs.
pub struct WorldIndex<'w> {
    /// The world.
    pub world: &'w World,
    /// The lookups, built on first use.
    tables: std::sync::OnceLock<Tables>,
}

/// The lookups of a [`WorldIndex`].
struct Tables {
    /// Policy origin by the address of the compiled policy.
    origins: HashMap<usize, PolicyOrigin>,
    /// User and role ARNs by the ARN of their boundary policy.
    boundary_holders: HashMap<String, Vec<String>>,
}

fn address(p: &Policy) -> usize {
    Arc::as_ptr(p) as usize
}

impl<'w> WorldIndex<'w> {
    /// An index of `world`; the pass over it is made when a lookup first needs it.
    pub fn new(world: &'w World) -> WorldIndex<'w> {
        WorldIndex {
            world,
            tables: std::sync::OnceLock::new(),
        }
    }

    fn tables(&self) -> &Tables {
        self.tables.get_or_init(|| Tables::build(self.world))
    }

    /// Where `policy` (a compiled policy of this world) lives; the same answer as
    /// [`World::policy_origin`], in constant time once the index is built.
    pub fn origin(&self, policy: &Policy) -> Option<PolicyOrigin> {
        self.tables().origins.get(&address(policy)).cloned()
    }

    /// The users and roles whose permissions boundary is the managed policy `arn`.
    pub fn boundary_holders(&self, arn: &str) -> &[String] {
        self.tables()
            .boundary_holders
            .get(arn)
            .map_or(&[], Vec::as_slice)
    }
}

impl Tables {
    /// One pass over every account and the organization.
    fn build(world: &World) -> Tables {
        let mut origins: HashMap<usize, PolicyOrigin> = HashMap::new();
        let mut boundary_holders: HashMap<String, Vec<String>> = HashMap::new();
        // The first home found wins, in the order `World::policy_origin` looks.
        let mut put = |p: &Policy, o: &dyn Fn() -> PolicyOrigin| {
            origins.entry(address(p)).or_insert_with(o);
        };
        for (id, a) in &world.accounts {
            for (arn, p) in &a.managed {
                put(p, &|| PolicyOrigin::Managed {
                    arn: arn.clone(),
                    account: id.clone(),
                });
            }
            let inline = |entity: &'static str, name: &str, p: &Policy| PolicyOrigin::Inline {
                entity,
                entity_name: name.to_string(),
                policy_name: p.name.rsplit('/').next().unwrap_or(&p.name).to_string(),
                account: id.clone(),
            };
            for u in a.users.values() {
                for p in &u.inline {
                    put(p, &|| inline("user", &u.name, p));
                }
                if let Some(b) = &u.boundary {
                    boundary_holders
                        .entry(b.clone())
                        .or_default()
                        .push(u.arn.clone());
                }
            }
            for g in a.groups.values() {
                for p in &g.inline {
                    put(p, &|| inline("group", &g.name, p));
                }
            }
            for r in a.roles.values() {
                for p in &r.inline {
                    put(p, &|| inline("role", &r.name, p));
                }
                if let Some(t) = &r.trust {
                    put(t, &|| PolicyOrigin::Trust {
                        role_name: r.name.clone(),
                        account: id.clone(),
                    });
                }
                if let Some(b) = &r.boundary {
                    boundary_holders
                        .entry(b.clone())
                        .or_default()
                        .push(r.arn.clone());
                }
            }
            for r in a.resources.values() {
                if let Some(p) = &r.policy {
                    put(p, &|| PolicyOrigin::Resource {
                        arn: r.arn.clone(),
                        account: id.clone(),
                    });
                }
            }
            for e in a.endpoints.values() {
                if let Some(p) = &e.policy {
                    put(p, &|| PolicyOrigin::Endpoint { id: e.id.clone() });
                }
            }
        }
        if let Some(org) = &world.organization {
            for p in org.policies.values() {
                put(&p.policy, &|| PolicyOrigin::Organization {
                    policy_id: p.id.clone(),
                    name: p.name.clone(),
                    rcp: p.is_rcp,
                });
            }
        }
        Tables {
            origins,
            boundary_holders,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_of_the_demo_world_has_the_origin_the_world_scan_finds() {
        let world = iamwhy_world::demo::demo_world().unwrap();
        let index = WorldIndex::new(&world);
        let mut policies: Vec<Policy> = Vec::new();
        for a in world.accounts.values() {
            policies.extend(a.managed.values().cloned());
            for u in a.users.values() {
                policies.extend(u.inline.iter().cloned());
            }
            for r in a.roles.values() {
                policies.extend(r.inline.iter().cloned());
                policies.extend(r.trust.iter().cloned());
            }
            for r in a.resources.values() {
                policies.extend(r.policy.iter().cloned());
            }
        }
        for p in world.organization.iter().flat_map(|o| o.policies.values()) {
            policies.push(p.policy.clone());
        }
        assert!(policies.len() > 20);
        for p in &policies {
            assert_eq!(index.origin(p), world.policy_origin(p), "{}", p.name);
        }
    }

    #[test]
    fn boundary_holders_of_the_demo_boundary() {
        let world = iamwhy_world::demo::demo_world().unwrap();
        let index = WorldIndex::new(&world);
        assert_eq!(
            index.boundary_holders("arn:aws:iam::222222222222:policy/AppWorkloadBoundary"),
            ["arn:aws:iam::222222222222:role/app/app-backend"]
        );
        assert!(
            index
                .boundary_holders("arn:aws:iam::1:policy/None")
                .is_empty()
        );
    }
}
