//! The principal step: who asks, found in the world, with the policies that speak for it (its
//! own, its groups', its boundary) and the context keys AWS derives from it.

use super::context::InferredKey;
use crate::model::{Account, Policy, Role, User, World};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::Principal;
use iamwhy_policy::{Arn, is_account_id};

/// The principal, as the world knows it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Entity<'w> {
    /// An IAM user.
    User(&'w Account, &'w User),
    /// A GetFederationToken session of an IAM user, with the session's name.
    FederatedUser(&'w Account, &'w User, &'w str),
    /// An IAM role, or a session of it (with the session name).
    Role(&'w Account, &'w Role, Option<&'w str>),
    /// An account's root user: the account id and the partition.
    Root(&'w str, &'w str),
    /// An AWS service principal.
    Service(&'w str),
    /// An anonymous caller.
    Anonymous,
}

/// A principal resolved against the world.
#[derive(Debug, Clone)]
pub struct ResolvedPrincipal<'w> {
    /// Where the world keeps it.
    pub entity: Entity<'w>,
    /// The engine's view of the caller.
    pub principal: Principal,
    /// Its account (empty for services and anonymous callers).
    pub account: String,
    /// Identity-based policies: its own inline and attached ones, then each group's.
    pub identity: Vec<Policy>,
    /// Its permissions boundary.
    pub boundary: Option<Policy>,
    /// The context keys AWS derives from the principal, in the order they are reported.
    pub keys: Vec<InferredKey>,
    /// Facts about how the principal was read (role path recovered, inherited policies ...).
    pub notes: Vec<String>,
}

impl ResolvedPrincipal<'_> {
    /// Whether the principal is a service-linked role (exempt from SCPs and RCPs).
    pub fn is_service_linked_role(&self) -> bool {
        matches!(self.entity, Entity::Role(_, r, _) if r.is_service_linked())
    }
}

/// "did you mean a, b?" for names close to `wanted`.
pub(crate) fn suggestions<'a>(
    wanted: &str,
    names: impl Iterator<Item = &'a String>,
) -> Option<String> {
    let lower = wanted.to_lowercase();
    let mut close: Vec<&str> = names
        .map(String::as_str)
        .filter(|n| {
            let l = n.to_lowercase();
            l.contains(&lower)
                || lower.contains(&l)
                || iamwhy_policy::suggest::edit_distance(&l, &lower) <= 2
        })
        .collect();
    close.truncate(3);
    (!close.is_empty()).then(|| format!("did you mean {}?", close.join(", ")))
}

impl World {
    /// The account `id`, or an error saying that `what` lives outside the world.
    pub(crate) fn account(&self, id: &str, what: &str) -> Result<&Account, Diagnostic> {
        self.accounts.get(id).ok_or_else(|| {
            Diagnostic::error(
                "account-not-in-world",
                format!(
                    "{what} is in account {id}, which is not in the world (accounts: {})",
                    self.accounts.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
        })
    }

    /// The role named in `account` (by ARN, or by name for an ARN without the role's path).
    pub(crate) fn role_named<'w>(
        &self,
        account: &'w Account,
        arn: &str,
        name: &str,
    ) -> Result<&'w Role, Diagnostic> {
        account
            .roles
            .get(arn)
            .or_else(|| account.role_names.get(name).map(|a| &account.roles[a]))
            .ok_or_else(|| {
                let d = Diagnostic::error(
                    "unknown-role",
                    format!("account {} has no role named \"{name}\"", account.id),
                );
                match suggestions(name, account.role_names.keys()) {
                    Some(help) => d.with_help(help),
                    None => d,
                }
            })
    }

    fn user_named<'w>(
        &self,
        account: &'w Account,
        arn: &str,
        name: &str,
    ) -> Result<&'w User, Diagnostic> {
        account
            .users
            .get(arn)
            .or_else(|| account.user_names.get(name).map(|a| &account.users[a]))
            .ok_or_else(|| {
                let d = Diagnostic::error(
                    "unknown-user",
                    format!("account {} has no user named \"{name}\"", account.id),
                );
                match suggestions(name, account.user_names.keys()) {
                    Some(help) => d.with_help(help),
                    None => d,
                }
            })
    }

    /// Find the principal `text` names: a user, role, assumed-role session, federated user or
    /// root ARN, an account id (its root user), a service principal, or `anonymous`.
    pub fn find_entity<'w>(
        &'w self,
        text: &'w str,
        federated_by: Option<&'w str>,
    ) -> Result<Entity<'w>, Diagnostic> {
        if text == "anonymous" || text == "*" {
            return Ok(Entity::Anonymous);
        }
        if is_account_id(text) {
            self.account(text, "the root user")?;
            return Ok(Entity::Root(text, "aws"));
        }
        if !text.starts_with("arn:") && text.contains(".amazonaws.com") {
            return Ok(Entity::Service(text));
        }
        let Some(arn) = Arn::parse(text) else {
            return Err(Diagnostic::error(
                "not-a-principal",
                format!(
                    "\"{text}\" is not a principal: give a user, role, assumed-role or root ARN, an account id, a service principal or \"anonymous\""
                ),
            ));
        };
        let account = self.account(arn.account, &format!("principal {text}"))?;
        match (arn.service, arn.resource.split_once('/')) {
            ("iam", None) if arn.resource == "root" => Ok(Entity::Root(arn.account, arn.partition)),
            ("iam", Some(("user", _))) => {
                let user = self.user_named(account, text, arn.resource_name())?;
                Ok(Entity::User(account, user))
            }
            ("iam", Some(("role", _))) => {
                let role = self.role_named(account, text, arn.resource_name())?;
                Ok(Entity::Role(account, role, None))
            }
            ("sts", Some(("assumed-role", rest))) => {
                let Some((name, session)) = rest.split_once('/') else {
                    return Err(Diagnostic::error(
                        "not-a-session-arn",
                        format!(
                            "\"{text}\" is not a role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)"
                        ),
                    ));
                };
                let role = self.role_named(account, "", name)?;
                Ok(Entity::Role(account, role, Some(session)))
            }
            ("sts", Some(("federated-user", name))) => {
                let Some(user_arn) = federated_by else {
                    return Err(Diagnostic::error(
                        "federated-user-needs-creator",
                        format!(
                            "{text} is a GetFederationToken session: its permissions come from the IAM user that created it, which a snapshot does not record; name that user with --federated-by USER_ARN (and the session policy with --session-policy)"
                        ),
                    ));
                };
                match self.find_entity(user_arn, None)? {
                    Entity::User(a, u) if a.id == arn.account => {
                        Ok(Entity::FederatedUser(a, u, name))
                    }
                    Entity::User(..) => Err(Diagnostic::error(
                        "federated-by-other-account",
                        format!("{user_arn} is in another account than the federated user {text}"),
                    )),
                    _ => Err(Diagnostic::error(
                        "federated-by-not-a-user",
                        format!("--federated-by must name an IAM user, not {user_arn}"),
                    )),
                }
            }
            _ => Err(Diagnostic::error(
                "not-a-principal-arn",
                format!(
                    "\"{text}\" is not a principal ARN (user, role, assumed-role session or root)"
                ),
            )),
        }
    }

    /// The principal step of [`World::prepare`]: find the principal and gather its policies,
    /// its boundary and the context keys AWS derives from it.
    pub fn resolve_principal<'w>(
        &'w self,
        text: &'w str,
        federated_by: Option<&'w str>,
    ) -> Result<ResolvedPrincipal<'w>, Diagnostic> {
        let entity = self.find_entity(text, federated_by)?;
        let parse = |arn: &str| {
            Principal::parse(arn)
                .map_err(|e| Diagnostic::error("not-a-principal-arn", e.to_string()))
        };
        let mut keys = Vec::new();
        let mut notes = Vec::new();
        let (mut principal, account, identity, boundary) = match entity {
            Entity::User(account, u) => {
                let mut p = parse(&u.arn)?;
                p.unique_id = u.id.clone();
                user_keys(u, &mut keys);
                let (identity, boundary) = user_policies(account, u);
                (p, account.id.clone(), identity, boundary)
            }
            Entity::FederatedUser(account, u, name) => {
                let arn = format!(
                    "arn:{}:sts::{}:federated-user/{name}",
                    partition_of(&u.arn),
                    account.id
                );
                let mut p = parse(&arn)?;
                p.source_user_arn = Some(u.arn.clone());
                let from = format!("the federated session of user {}", u.name);
                keys.push(InferredKey::one("aws:PrincipalArn", arn, &from));
                keys.push(InferredKey::one(
                    "aws:PrincipalType",
                    "FederatedUser",
                    &from,
                ));
                keys.push(InferredKey::one(
                    "aws:userid",
                    format!("{}:{name}", account.id),
                    &from,
                ));
                notes.push(format!(
                    "the federated session inherits the policies of user {}; without a session policy it has no identity-based permissions",
                    u.name
                ));
                let (identity, boundary) = user_policies(account, u);
                (p, account.id.clone(), identity, boundary)
            }
            Entity::Role(account, r, session) => {
                let arn = match session {
                    Some(s) => format!(
                        "arn:{}:sts::{}:assumed-role/{}/{s}",
                        partition_of(&r.arn),
                        account.id,
                        r.name
                    ),
                    None => r.arn.clone(),
                };
                let mut p = parse(&arn)?;
                p.role_arn = Some(r.arn.clone());
                p.unique_id = r.id.clone();
                if session.is_some() && r.path != "/" {
                    notes.push(format!(
                        "the session ARN carries no path; the role's path {} comes from the snapshot",
                        r.path
                    ));
                }
                role_keys(r, session, &mut keys);
                (
                    p,
                    account.id.clone(),
                    role_policies(account, r),
                    boundary_of(account, r.boundary.as_deref()),
                )
            }
            Entity::Root(account, partition) => {
                let arn = format!("arn:{partition}:iam::{account}:root");
                let from = "the root user";
                keys.push(InferredKey::one("aws:PrincipalArn", &arn, from));
                keys.push(InferredKey::one("aws:PrincipalType", "Account", from));
                keys.push(InferredKey::one("aws:userid", account, from));
                (parse(&arn)?, account.to_string(), Vec::new(), None)
            }
            Entity::Service(name) => {
                let from = "a service principal";
                keys.push(InferredKey::one("aws:PrincipalIsAWSService", "true", from));
                keys.push(InferredKey::one("aws:PrincipalServiceName", name, from));
                (Principal::service(name), String::new(), Vec::new(), None)
            }
            Entity::Anonymous => {
                let from = "an anonymous caller";
                keys.push(InferredKey::one("aws:PrincipalAccount", "anonymous", from));
                keys.push(InferredKey::one("aws:PrincipalType", "Anonymous", from));
                keys.push(InferredKey::one("aws:userid", "anonymous", from));
                (Principal::anonymous(), String::new(), Vec::new(), None)
            }
        };
        if principal.is_iam_identity() {
            keys.push(InferredKey::one(
                "aws:PrincipalAccount",
                &account,
                "the principal's ARN",
            ));
            keys.push(InferredKey::one(
                "aws:PrincipalIsAWSService",
                "false",
                "an IAM principal",
            ));
            keys.push(InferredKey::one(
                "aws:ViaAWSService",
                "false",
                "a direct call (not through a service)",
            ));
        }
        if principal.account.is_none() && !account.is_empty() {
            principal.account = Some(account.clone());
        }
        Ok(ResolvedPrincipal {
            entity,
            principal,
            account,
            identity,
            boundary,
            keys,
            notes,
        })
    }
}

fn user_keys(u: &User, keys: &mut Vec<InferredKey>) {
    let from = format!("user {} in the snapshot", u.name);
    keys.push(InferredKey::one("aws:PrincipalArn", &u.arn, &from));
    keys.push(InferredKey::one("aws:PrincipalType", "User", &from));
    keys.push(InferredKey::one("aws:username", &u.name, &from));
    if let Some(id) = &u.id {
        keys.push(InferredKey::one("aws:userid", id, &from));
    }
    let tags_from = format!("tags of user {}", u.name);
    for (k, v) in &u.tags {
        keys.push(InferredKey::one(
            format!("aws:PrincipalTag/{k}"),
            v,
            &tags_from,
        ));
    }
}

fn role_keys(r: &Role, session: Option<&str>, keys: &mut Vec<InferredKey>) {
    let from = format!("role {} in the snapshot", r.name);
    keys.push(InferredKey::one("aws:PrincipalArn", &r.arn, &from));
    keys.push(InferredKey::one("aws:PrincipalType", "AssumedRole", &from));
    if let Some(id) = &r.id {
        let userid = match session {
            Some(s) => format!("{id}:{s}"),
            None => id.clone(),
        };
        keys.push(InferredKey::one("aws:userid", userid, &from));
    }
    let tags_from = format!("tags of role {}", r.name);
    for (k, v) in &r.tags {
        keys.push(InferredKey::one(
            format!("aws:PrincipalTag/{k}"),
            v,
            &tags_from,
        ));
    }
}

/// The managed policy `arn` of `account` (load guarantees every attachment resolves).
fn managed(account: &Account, arn: &str) -> Policy {
    account.managed[arn].clone()
}

fn boundary_of(account: &Account, arn: Option<&str>) -> Option<Policy> {
    arn.map(|b| managed(account, b))
}

/// A role's identity-based policies: inline, then attached.
pub(crate) fn role_policies(account: &Account, r: &Role) -> Vec<Policy> {
    let mut identity: Vec<Policy> = r.inline.clone();
    identity.extend(r.attached.iter().map(|a| managed(account, a)));
    identity
}

/// A user's identity-based policies (its own inline and attached, then each group's) and its
/// boundary.
pub(crate) fn user_policies(account: &Account, u: &User) -> (Vec<Policy>, Option<Policy>) {
    let mut identity: Vec<Policy> = u.inline.clone();
    identity.extend(u.attached.iter().map(|a| managed(account, a)));
    for g in &u.groups {
        let group = &account.groups[g];
        identity.extend(group.inline.iter().cloned());
        identity.extend(group.attached.iter().map(|a| managed(account, a)));
    }
    (identity, boundary_of(account, u.boundary.as_deref()))
}

/// The partition of an ARN (`aws` when it has none).
pub(crate) fn partition_of(arn: &str) -> &str {
    Arn::parse(arn).map_or("aws", |a| a.partition_or_default())
}
