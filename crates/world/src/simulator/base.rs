//! What `simulate-principal-policy` takes from the world: the entity's policies (through the
//! principal step of [`World::prepare`]), the SCPs over its account, the context keys AWS's
//! simulator fills in itself, and AWS's ids for each policy.

use super::{Base, SimulatorError};
use crate::model::{Policy, World};
use crate::origin::PolicyOrigin;
use crate::prepare::{Entity, role_policies, user_policies};
use iamwhy_policy::Arn;
use std::collections::HashMap;
use std::sync::Arc;

/// Resource policies by (action, resource), as `simulate-principal-policy --world` includes
/// them.
pub type ResourcePolicies = HashMap<(String, String), Arc<iamwhy_engine::CompiledPolicy>>;

/// AWS's `SourcePolicyId` and `SourcePolicyType` (`user`, `group`, `role`, `aws-managed`,
/// `user-managed`) per compiled policy source.
pub type PolicyIds = HashMap<String, (String, &'static str)>;

const OPERATION: &str = "SimulatePrincipalPolicy";

fn not_found(arn: &str) -> SimulatorError {
    SimulatorError::service(
        "NoSuchEntity",
        OPERATION,
        format!("The entity {arn} does not exist in the world"),
    )
}

/// AWS's id and type for each of `policies`: managed policies by name (`aws-managed` or
/// `user-managed`), inline ones as `<entity>_<owner>_<policy>` typed by their entity.
fn record_ids(world: &World, ids: &mut PolicyIds, policies: &[Policy]) {
    for p in policies {
        let Some(source) = &p.source else { continue };
        match world.policy_origin(p) {
            Some(PolicyOrigin::Managed { arn, .. }) => {
                let kind = if Arn::parse(&arn).is_some_and(|a| a.account == "aws") {
                    "aws-managed"
                } else {
                    "user-managed"
                };
                ids.insert(source.clone(), (p.name.clone(), kind));
            }
            Some(PolicyOrigin::Inline {
                entity,
                entity_name,
                policy_name,
                ..
            }) => {
                ids.insert(
                    source.clone(),
                    (format!("{entity}_{entity_name}_{policy_name}"), entity),
                );
            }
            _ => {}
        }
    }
}

impl World {
    /// The simulation base of the user, group or role `arn`: its identity policies (a user's
    /// with its groups'), its boundary, the SCP levels over its account, the context keys the
    /// simulator fills in (`aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`,
    /// `aws:userid`, `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`) and AWS's policy ids.
    pub fn simulator_base(&self, arn: &str) -> Result<Base, SimulatorError> {
        let parsed = Arn::parse(arn).ok_or_else(|| not_found(arn))?;
        let account = self
            .accounts
            .get(parsed.account)
            .ok_or_else(|| not_found(arn))?;
        let mut base = Base::default();
        let mut context: Vec<(String, Vec<String>)> =
            vec![("aws:PrincipalAccount".into(), vec![account.id.clone()])];
        match parsed.resource_type() {
            Some("group") => {
                let group = account
                    .groups
                    .values()
                    .find(|g| g.arn == arn)
                    .ok_or_else(|| not_found(arn))?;
                base.identity = group.inline.clone();
                base.identity
                    .extend(group.attached.iter().map(|a| account.managed[a].clone()));
            }
            Some("user" | "role") => {
                let entity = self.find_entity(arn, None).map_err(|_| not_found(arn))?;
                match entity {
                    Entity::User(_, user) if user.arn == arn => {
                        let (identity, boundary) = user_policies(account, user);
                        base.identity = identity;
                        base.boundary = boundary.into_iter().collect();
                        base.caller = iamwhy_engine::Principal::parse(&user.arn).ok();
                        context.push(("aws:PrincipalType".into(), vec!["User".into()]));
                        context.push(("aws:username".into(), vec![user.name.clone()]));
                        if let Some(id) = &user.id {
                            context.push(("aws:userid".into(), vec![id.clone()]));
                        }
                    }
                    Entity::Role(_, role, None) if role.arn == arn => {
                        base.identity = role_policies(account, role);
                        base.boundary = role
                            .boundary
                            .iter()
                            .map(|b| account.managed[b].clone())
                            .collect();
                        base.caller =
                            iamwhy_engine::Principal::parse(&role.arn)
                                .ok()
                                .map(|mut p| {
                                    p.unique_id = role.id.clone();
                                    p
                                });
                        context.push(("aws:PrincipalType".into(), vec!["AssumedRole".into()]));
                        if let Some(id) = &role.id {
                            context.push(("aws:userid".into(), vec![id.clone()]));
                        }
                    }
                    _ => return Err(not_found(arn)),
                }
            }
            _ => {
                return Err(SimulatorError::service(
                    "InvalidInput",
                    OPERATION,
                    format!("PolicySourceArn {arn} must be an IAM user, group or role ARN"),
                ));
            }
        }
        record_ids(self, &mut base.policy_ids, &base.identity);
        let side = self.principal_organization(&account.id);
        for key in side.keys {
            context.push((key.key, key.values));
        }
        // SCPs do not restrict the management account.
        if !side.is_management_account {
            base.scp_levels = side
                .levels
                .into_iter()
                .map(|l| (l.target, l.policies))
                .collect();
        }
        base.context = context;
        Ok(base)
    }
}

impl World {
    /// The resource policies `simulate-principal-policy --world` includes when no
    /// `--resource-policy` is given: each resource's own policy from the world (the trust
    /// policy for `sts:AssumeRole` on a role), by (action, resource), as `--resource-policy`
    /// would apply it — and a note for each resource saying what was included or why nothing
    /// was (AWS's own command considers resource policies only when given one).
    pub fn simulator_resource_policies(
        &self,
        actions: &[String],
        resources: &[String],
        owner: Option<&str>,
        has_caller: bool,
    ) -> (ResourcePolicies, Vec<String>) {
        let mut policies = HashMap::new();
        let mut notes = Vec::new();
        let concrete: Vec<&String> = resources.iter().filter(|r| r.as_str() != "*").collect();
        if concrete.is_empty() {
            notes.push(
                "resource policies were not considered: no resource ARN was given (--resource-arns)"
                    .to_string(),
            );
            return (policies, notes);
        }
        if !has_caller {
            notes.push("resource policies were not considered: a group is not a caller (give --caller-arn)".to_string());
            return (policies, notes);
        }
        for resource in concrete {
            let mut included = false;
            let mut missing: Option<String> = None;
            for action in actions {
                match self.resolve_resource(action, resource, owner) {
                    Ok(r) => {
                        if let Some(p) = r.policy {
                            policies.insert((action.clone(), resource.clone()), p);
                            included = true;
                        }
                    }
                    Err(d) => missing = Some(d.message),
                }
            }
            notes.push(match (included, missing) {
                (true, _) => format!(
                    "the resource policy of {resource} from the world was included, as --resource-policy would include it; pass --resource-policy to simulate another"
                ),
                (false, Some(why)) => format!(
                    "the resource policy of {resource} was not considered: {why}"
                ),
                (false, None) => format!(
                    "{resource} has no resource policy in the world: none was considered"
                ),
            });
        }
        (policies, notes)
    }
}
