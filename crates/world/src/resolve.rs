//! Turning a question about the world ("may this principal do this action on this resource?")
//! into the engine's inputs: the principal's policies (user, groups, role, boundary), the
//! resource's owner and policy, the organization levels on both sides, the VPC endpoint, and
//! the request context completed the way AWS completes it — with a record of which keys were
//! given, which were inferred and from what.

use crate::error::WorldError;
use crate::model::*;
use iamwhy_engine::decision::PolicySet;
use iamwhy_engine::{CompiledPolicy, Context, Principal, Request, RequestResource};
use iamwhy_policy::{PolicyDocument, PolicyType};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A question about the world.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// Principal: user, role, role-session or root ARN, an account id (root), a service
    /// principal (`s3.amazonaws.com`), or `anonymous`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// Resource ARN, or `*` for actions without resources.
    pub resource: String,
    /// Given context keys in order; a key given several times becomes multivalued.
    pub context: Vec<(String, String)>,
    /// A session policy document (JSON text).
    pub session_policy: Option<String>,
    /// The VPC endpoint the request goes through.
    pub source_vpce: Option<String>,
    /// The resource owner, for ARNs without an account that the world cannot place.
    pub resource_account: Option<String>,
    /// The time to use for `aws:CurrentTime`/`aws:EpochTime` (ISO 8601); now when absent.
    pub now: Option<String>,
    /// For a federated-user principal (GetFederationToken session): the IAM user that created
    /// it, whose policies the session inherits (no snapshot records which user it was).
    pub federated_by: Option<String>,
}

/// How a context key got its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key.
    pub key: String,
    /// Its values.
    pub values: Vec<String>,
    /// Where it came from: `given`, or what it was inferred from.
    pub source: String,
}

/// Which keys were given and which were inferred.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContextReport {
    /// Keys the question gave.
    pub given: Vec<ContextEntry>,
    /// Keys completed from the world, each with its source.
    pub inferred: Vec<ContextEntry>,
}

/// Everything the engine needs, plus what was assumed.
pub struct Prepared {
    /// The policies of every layer.
    pub set: PolicySet,
    /// The request.
    pub request: Request,
    /// Given and inferred context.
    pub context: ContextReport,
    /// Facts about how the question was read (role path recovered, exemptions ...).
    pub notes: Vec<String>,
}

/// The principal, found in the world.
enum Who<'w> {
    User(&'w Account, &'w User),
    Federated(&'w Account, &'w User, String),
    Role(&'w Account, &'w Role, Option<String>),
    Root(String, String),
    Service(String),
    Anonymous,
}

fn account_id_of(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

fn suggestions<'a>(wanted: &str, names: impl Iterator<Item = &'a String>) -> String {
    let lower = wanted.to_lowercase();
    let mut close: Vec<&String> = names
        .filter(|n| {
            let l = n.to_lowercase();
            l.contains(&lower) || lower.contains(&l) || edit_distance(&l, &lower) <= 2
        })
        .collect();
    close.truncate(3);
    if close.is_empty() {
        String::new()
    } else {
        format!(
            "; did you mean {}?",
            close
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl World {
    fn account(&self, id: &str, what: &str) -> Result<&Account, WorldError> {
        self.accounts.get(id).ok_or_else(|| {
            WorldError::new(format!(
                "{what} is in account {id}, which is not in the world (accounts: {})",
                self.accounts.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })
    }

    fn find_principal(
        &self,
        text: &str,
        federated_by: Option<&str>,
    ) -> Result<Who<'_>, WorldError> {
        if text == "anonymous" || text == "*" {
            return Ok(Who::Anonymous);
        }
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            self.account(text, "the root user")?;
            return Ok(Who::Root(text.to_string(), "aws".to_string()));
        }
        if !text.starts_with("arn:") && text.contains(".amazonaws.com") {
            return Ok(Who::Service(text.to_string()));
        }
        let fields: Vec<&str> = text.splitn(6, ':').collect();
        if fields.len() != 6 {
            return Err(WorldError::new(format!(
                "\"{text}\" is not a principal: give a user, role, assumed-role or root ARN, an account id, a service principal or \"anonymous\""
            )));
        }
        let (service, account_id, res) = (fields[2], fields[4], fields[5]);
        let account = self.account(account_id, &format!("principal {text}"))?;
        match (service, res.split_once('/')) {
            ("iam", None) if res == "root" => {
                Ok(Who::Root(account_id.to_string(), fields[1].to_string()))
            }
            ("iam", Some(("user", rest))) => {
                if let Some(u) = account.users.get(text) {
                    return Ok(Who::User(account, u));
                }
                let name = rest.rsplit('/').next().unwrap_or(rest);
                match account.user_names.get(name) {
                    Some(arn) => Ok(Who::User(account, &account.users[arn])),
                    None => Err(WorldError::new(format!(
                        "account {account_id} has no user named \"{name}\"{}",
                        suggestions(name, account.user_names.keys())
                    ))),
                }
            }
            ("iam", Some(("role", rest))) => {
                if let Some(r) = account.roles.get(text) {
                    return Ok(Who::Role(account, r, None));
                }
                let name = rest.rsplit('/').next().unwrap_or(rest);
                match account.role_names.get(name) {
                    Some(arn) => Ok(Who::Role(account, &account.roles[arn], None)),
                    None => Err(WorldError::new(format!(
                        "account {account_id} has no role named \"{name}\"{}",
                        suggestions(name, account.role_names.keys())
                    ))),
                }
            }
            ("sts", Some(("assumed-role", rest))) => {
                let Some((name, session)) = rest.split_once('/') else {
                    return Err(WorldError::new(format!(
                        "\"{text}\" is not a role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)"
                    )));
                };
                match account.role_names.get(name) {
                    Some(arn) => Ok(Who::Role(
                        account,
                        &account.roles[arn],
                        Some(session.to_string()),
                    )),
                    None => Err(WorldError::new(format!(
                        "account {account_id} has no role named \"{name}\"{}",
                        suggestions(name, account.role_names.keys())
                    ))),
                }
            }
            ("sts", Some(("federated-user", name))) => {
                let Some(user_arn) = federated_by else {
                    return Err(WorldError::new(format!(
                        "{text} is a GetFederationToken session: its permissions come from the IAM user that created it, which a snapshot does not record; name that user with --federated-by USER_ARN (and the session policy with --session-policy)"
                    )));
                };
                match self.find_principal(user_arn, None)? {
                    Who::User(a, u) if a.id == account_id => {
                        Ok(Who::Federated(a, u, name.to_string()))
                    }
                    Who::User(..) => Err(WorldError::new(format!(
                        "{user_arn} is in another account than the federated user {text}"
                    ))),
                    _ => Err(WorldError::new(format!(
                        "--federated-by must name an IAM user, not {user_arn}"
                    ))),
                }
            }
            _ => Err(WorldError::new(format!(
                "\"{text}\" is not a principal ARN (user, role, assumed-role session or root)"
            ))),
        }
    }

    /// The owner account of a resource.
    fn resource_owner(&self, arn: &str, q: &Question) -> Result<Option<String>, WorldError> {
        if arn == "*" {
            return Ok(None);
        }
        if let Some(a) = &q.resource_account {
            return Ok(Some(a.clone()));
        }
        // AWS managed policies (arn:aws:iam::aws:policy/...) belong to AWS, not to an account
        // of the world; the engine knows how to treat them.
        if account_id_of(arn) == Some("aws") {
            return Ok(None);
        }
        if let Some(a) = account_id_of(arn) {
            return Ok(Some(a.to_string()));
        }
        // S3 ARNs carry no account: find the bucket in resource-policies.json.
        if let Some((partition, bucket)) = s3_bucket(arn) {
            let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
            for (id, acct) in &self.accounts {
                if acct.resources.contains_key(&bucket_arn) {
                    return Ok(Some(id.clone()));
                }
            }
            return Err(WorldError::new(format!(
                "bucket {bucket} is not in any account's resource-policies.json, so its owner is unknown; add it there or pass --resource-account"
            )));
        }
        Ok(None)
    }

    /// Answer the preparatory part of a question: who, which policies, which context.
    pub fn prepare(&self, q: &Question) -> Result<Prepared, WorldError> {
        let mut notes = Vec::new();
        let who = self.find_principal(&q.principal, q.federated_by.as_deref())?;
        let mut set = PolicySet::new();
        let mut given_keys: Vec<String> = Vec::new();
        let mut ctx = Context::new();
        let mut report = ContextReport::default();
        // Given context: repeated keys become multivalued.
        let mut given: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for (k, v) in &q.context {
            given
                .entry(k.to_lowercase())
                .or_insert_with(|| (k.clone(), Vec::new()))
                .1
                .push(v.clone());
        }
        for (lower, (key, values)) in &given {
            if values.len() > 1 || is_multivalued(key) {
                ctx.set_multi(key, values.clone());
            } else {
                ctx.set(key, values[0].clone());
            }
            given_keys.push(lower.clone());
            report.given.push(ContextEntry {
                key: key.clone(),
                values: values.clone(),
                source: "given".into(),
            });
        }
        let mut infer = |ctx: &mut Context, key: &str, values: Vec<String>, source: &str| {
            if given_keys.contains(&key.to_lowercase()) {
                return;
            }
            if is_multivalued(key) {
                ctx.set_multi(key, values.clone());
            } else {
                ctx.set(key, values[0].clone());
            }
            report.inferred.push(ContextEntry {
                key: key.to_string(),
                values,
                source: source.to_string(),
            });
        };

        // The principal.
        let (mut principal, principal_account) = match &who {
            Who::User(account, u) => {
                set = with_user_policies(set, account, u);
                let mut p = Principal::parse(&u.arn).map_err(|e| WorldError::new(e.to_string()))?;
                p.unique_id = u.id.clone();
                let from = format!("user {} in the snapshot", u.name);
                infer(&mut ctx, "aws:PrincipalArn", vec![u.arn.clone()], &from);
                infer(&mut ctx, "aws:PrincipalType", vec!["User".into()], &from);
                infer(&mut ctx, "aws:username", vec![u.name.clone()], &from);
                if let Some(id) = &u.id {
                    infer(&mut ctx, "aws:userid", vec![id.clone()], &from);
                }
                for (k, v) in &u.tags {
                    infer(
                        &mut ctx,
                        &format!("aws:PrincipalTag/{k}"),
                        vec![v.clone()],
                        &format!("tags of user {}", u.name),
                    );
                }
                (p, account.id.clone())
            }
            Who::Federated(account, u, name) => {
                set = with_user_policies(set, account, u);
                let arn = format!(
                    "arn:{}:sts::{}:federated-user/{name}",
                    partition_of(&u.arn),
                    account.id
                );
                let mut p = Principal::parse(&arn).map_err(|e| WorldError::new(e.to_string()))?;
                p.source_user_arn = Some(u.arn.clone());
                let from = format!("the federated session of user {}", u.name);
                infer(&mut ctx, "aws:PrincipalArn", vec![arn.clone()], &from);
                infer(
                    &mut ctx,
                    "aws:PrincipalType",
                    vec!["FederatedUser".into()],
                    &from,
                );
                infer(
                    &mut ctx,
                    "aws:userid",
                    vec![format!("{}:{name}", account.id)],
                    &from,
                );
                notes.push(format!(
                    "the federated session inherits the policies of user {}; without a session policy it has no identity-based permissions",
                    u.name
                ));
                (p, account.id.clone())
            }
            Who::Role(account, r, session) => {
                let mut identity: Vec<Policy> = r.inline.clone();
                identity.extend(r.attached.iter().map(|a| account.managed[a].clone()));
                set = set.with_identity(identity);
                if let Some(b) = &r.boundary {
                    set = set.with_boundary(vec![account.managed[b].clone()]);
                }
                let arn = match session {
                    Some(s) => format!(
                        "arn:{}:sts::{}:assumed-role/{}/{s}",
                        partition_of(&r.arn),
                        account.id,
                        r.name
                    ),
                    None => r.arn.clone(),
                };
                let mut p = Principal::parse(&arn).map_err(|e| WorldError::new(e.to_string()))?;
                p.role_arn = Some(r.arn.clone());
                p.unique_id = r.id.clone();
                if session.is_some() && r.path != "/" {
                    notes.push(format!("the session ARN carries no path; the role's path {} comes from the snapshot", r.path));
                }
                let from = format!("role {} in the snapshot", r.name);
                infer(&mut ctx, "aws:PrincipalArn", vec![r.arn.clone()], &from);
                infer(
                    &mut ctx,
                    "aws:PrincipalType",
                    vec!["AssumedRole".into()],
                    &from,
                );
                if let Some(id) = &r.id {
                    let userid = match session {
                        Some(s) => format!("{id}:{s}"),
                        None => id.clone(),
                    };
                    infer(&mut ctx, "aws:userid", vec![userid], &from);
                }
                for (k, v) in &r.tags {
                    infer(
                        &mut ctx,
                        &format!("aws:PrincipalTag/{k}"),
                        vec![v.clone()],
                        &format!("tags of role {}", r.name),
                    );
                }
                (p, account.id.clone())
            }
            Who::Root(account, partition) => {
                let arn = format!("arn:{partition}:iam::{account}:root");
                let from = "the root user".to_string();
                infer(&mut ctx, "aws:PrincipalArn", vec![arn.clone()], &from);
                infer(&mut ctx, "aws:PrincipalType", vec!["Account".into()], &from);
                infer(&mut ctx, "aws:userid", vec![account.clone()], &from);
                (
                    Principal::parse(&arn).map_err(|e| WorldError::new(e.to_string()))?,
                    account.clone(),
                )
            }
            Who::Service(name) => {
                infer(
                    &mut ctx,
                    "aws:PrincipalIsAWSService",
                    vec!["true".into()],
                    "a service principal",
                );
                infer(
                    &mut ctx,
                    "aws:PrincipalServiceName",
                    vec![name.clone()],
                    "a service principal",
                );
                (Principal::service(name), String::new())
            }
            Who::Anonymous => {
                infer(
                    &mut ctx,
                    "aws:PrincipalAccount",
                    vec!["anonymous".into()],
                    "an anonymous caller",
                );
                infer(
                    &mut ctx,
                    "aws:PrincipalType",
                    vec!["Anonymous".into()],
                    "an anonymous caller",
                );
                infer(
                    &mut ctx,
                    "aws:userid",
                    vec!["anonymous".into()],
                    "an anonymous caller",
                );
                (Principal::anonymous(), String::new())
            }
        };
        if principal.is_iam_identity() {
            infer(
                &mut ctx,
                "aws:PrincipalAccount",
                vec![principal_account.clone()],
                "the principal's ARN",
            );
            infer(
                &mut ctx,
                "aws:PrincipalIsAWSService",
                vec!["false".into()],
                "an IAM principal",
            );
            infer(
                &mut ctx,
                "aws:ViaAWSService",
                vec!["false".into()],
                "a direct call (not through a service)",
            );
        }

        // The organization on the principal's side.
        let mut principal_in_management = false;
        if let (Some(org), true) = (&self.organization, principal.is_iam_identity())
            && let Some(path) = org.org_path(&principal_account)
        {
            infer(
                &mut ctx,
                "aws:PrincipalOrgID",
                vec![org.id.clone()],
                "organization.json",
            );
            infer(
                &mut ctx,
                "aws:PrincipalOrgPaths",
                vec![path],
                "organization.json",
            );
            principal_in_management = principal_account == org.management_account;
            if org.scps_enabled
                && let Some(levels) = org.levels(&principal_account, false)
            {
                for l in levels {
                    set = set.with_scp_level(l.target, l.policies);
                }
            }
        }

        // The resource.
        let owner = self.resource_owner(&q.resource, q)?;
        let trust_action = {
            let a = q.action.to_lowercase();
            [
                "sts:assumerole",
                "sts:assumerolewithsaml",
                "sts:assumerolewithwebidentity",
                "sts:tagsession",
                "sts:setsourceidentity",
                "sts:setcontext",
            ]
            .contains(&a.as_str())
        };
        if let Some(owner) = &owner {
            let account = self.account(owner, &format!("resource {}", q.resource))?;
            infer(
                &mut ctx,
                "aws:ResourceAccount",
                vec![owner.clone()],
                "the resource's owner",
            );
            let mut tags = BTreeMap::new();
            if trust_action && q.resource.contains(":role/") {
                let name = q.resource.rsplit('/').next().unwrap_or(&q.resource);
                let role = account
                    .roles
                    .get(&q.resource)
                    .or_else(|| account.role_names.get(name).map(|a| &account.roles[a]))
                    .ok_or_else(|| {
                        WorldError::new(format!(
                            "account {owner} has no role named \"{name}\"{}",
                            suggestions(name, account.role_names.keys())
                        ))
                    })?;
                match &role.trust {
                    Some(t) => set = set.with_resource(t.clone()),
                    None => notes.push(format!(
                        "role {} has no trust policy in the snapshot",
                        role.name
                    )),
                }
                tags = role.tags.clone();
                for (k, v) in &tags {
                    infer(
                        &mut ctx,
                        &format!("iam:ResourceTag/{k}"),
                        vec![v.clone()],
                        &format!("tags of role {}", role.name),
                    );
                }
            } else if let Some(entry) = lookup_resource(account, &q.resource) {
                if let Some(p) = &entry.policy {
                    set = set.with_resource(p.clone());
                }
                tags = entry.tags.clone();
            } else if q.resource.contains(":role/") || q.resource.contains(":user/") {
                let entity_tags = account
                    .roles
                    .get(&q.resource)
                    .map(|r| r.tags.clone())
                    .or_else(|| account.users.get(&q.resource).map(|u| u.tags.clone()));
                if let Some(t) = entity_tags {
                    tags = t;
                    for (k, v) in &tags {
                        infer(
                            &mut ctx,
                            &format!("iam:ResourceTag/{k}"),
                            vec![v.clone()],
                            "tags in the snapshot",
                        );
                    }
                }
            }
            for (k, v) in &tags {
                infer(
                    &mut ctx,
                    &format!("aws:ResourceTag/{k}"),
                    vec![v.clone()],
                    &format!("tags of {}", q.resource),
                );
            }
            if let Some(org) = &self.organization
                && let Some(path) = org.org_path(owner)
            {
                infer(
                    &mut ctx,
                    "aws:ResourceOrgID",
                    vec![org.id.clone()],
                    "organization.json",
                );
                infer(
                    &mut ctx,
                    "aws:ResourceOrgPaths",
                    vec![path],
                    "organization.json",
                );
                if org.rcps_enabled {
                    if *owner == org.management_account {
                        notes.push(
                            "RCPs do not apply to resources of the management account".into(),
                        );
                    } else if let Some(levels) = org.levels(owner, true) {
                        for l in levels {
                            set = set.with_rcp_level(l.target, l.policies);
                        }
                    }
                }
            }
        }

        // Region, time, transport.
        if let Some(region) = q
            .resource
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty() && *r != "*")
        {
            infer(
                &mut ctx,
                "aws:RequestedRegion",
                vec![region.to_string()],
                "the resource ARN's region",
            );
        }
        let now = q.now.clone().unwrap_or_else(now_iso8601);
        if let Some(instant) = iamwhy_policy::values::Instant::parse(&now) {
            infer(
                &mut ctx,
                "aws:CurrentTime",
                vec![now.clone()],
                "the current time",
            );
            infer(
                &mut ctx,
                "aws:EpochTime",
                vec![instant.seconds.to_string()],
                "the current time",
            );
        }
        infer(
            &mut ctx,
            "aws:SecureTransport",
            vec!["true".into()],
            "assumed: AWS API calls use TLS",
        );

        // The VPC endpoint.
        let vpce = q
            .source_vpce
            .clone()
            .or_else(|| ctx.get("aws:SourceVpce").map(|v| v.values[0].clone()));
        if let Some(id) = vpce {
            let endpoint = self
                .accounts
                .values()
                .find_map(|a| a.endpoints.get(&id))
                .ok_or_else(|| {
                    WorldError::new(format!(
                        "VPC endpoint {id} is not in any account's vpc-endpoints.json"
                    ))
                })?;
            let policy = match &endpoint.policy {
                Some(p) => p.clone(),
                None => default_endpoint_policy(),
            };
            set = set.with_endpoint(vec![policy]);
            let from = format!("VPC endpoint {id}");
            infer(&mut ctx, "aws:SourceVpce", vec![id.clone()], &from);
            if let Some(vpc) = &endpoint.vpc_id {
                infer(&mut ctx, "aws:SourceVpc", vec![vpc.clone()], &from);
            }
            infer(
                &mut ctx,
                "aws:VpceAccount",
                vec![endpoint.owner.clone()],
                &from,
            );
            if ctx.get("aws:SourceIp").is_some() {
                notes.push("aws:SourceIp was given, but requests through a VPC endpoint carry no aws:SourceIp (AWS sets aws:VpcSourceIp instead)".into());
            }
        }

        if let Some(text) = &q.session_policy {
            let doc = PolicyDocument::parse(text)
                .map_err(|e| WorldError::new(format!("the session policy does not parse: {e}")))?;
            set = set.with_session(vec![CompiledPolicy::compile(
                "session policy",
                PolicyType::Session,
                Arc::new(doc),
            )]);
        }

        let has_boundary = set.boundary.is_some();
        if let Who::Role(_, r, _) = &who
            && r.is_service_linked()
        {
            notes.push(format!(
                "{} is a service-linked role: SCPs and RCPs do not apply to it",
                r.name
            ));
        }
        principal.account = principal
            .account
            .or_else(|| (!principal_account.is_empty()).then(|| principal_account.clone()));
        let mut request = Request::new(
            principal,
            &q.action,
            RequestResource::parse(&q.resource),
            ctx,
        )
        .map_err(|e| WorldError::new(e.to_string()))?;
        request.resource_account = owner;
        request.principal_has_boundary = has_boundary;
        request.principal_in_management_account = principal_in_management;
        notes.extend(self.completeness_notes(&set, &request));
        Ok(Prepared {
            set,
            request,
            context: report,
            notes,
        })
    }
}

/// The identity policies of an IAM user (its own and its groups') and its boundary.
fn with_user_policies(set: PolicySet, account: &Account, u: &User) -> PolicySet {
    let mut identity: Vec<Policy> = u.inline.clone();
    identity.extend(u.attached.iter().map(|a| account.managed[a].clone()));
    for g in &u.groups {
        let group = &account.groups[g];
        identity.extend(group.inline.iter().cloned());
        identity.extend(group.attached.iter().map(|a| account.managed[a].clone()));
    }
    let set = set.with_identity(identity);
    match &u.boundary {
        Some(b) => set.with_boundary(vec![account.managed[b].clone()]),
        None => set,
    }
}

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`).
fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws")
}

/// For an S3 bucket or object ARN (any partition): the partition and the bucket name.
fn s3_bucket(arn: &str) -> Option<(&str, &str)> {
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    match f.as_slice() {
        ["arn", partition, "s3", "", "", rest] => {
            Some((partition, rest.split('/').next().unwrap_or(rest)))
        }
        _ => None,
    }
}

/// The resource policy entry that governs an ARN: exact entry, the bucket of an object, or the
/// unqualified function of a Lambda version/alias.
fn lookup_resource<'a>(account: &'a Account, arn: &str) -> Option<&'a Resource> {
    if let Some(r) = account.resources.get(arn) {
        return Some(r);
    }
    if let Some((partition, bucket)) = s3_bucket(arn)
        && arn
            .split_once(":::")
            .is_some_and(|(_, rest)| rest.len() > bucket.len())
    {
        return account
            .resources
            .get(&format!("arn:{partition}:s3:::{bucket}"));
    }
    if arn.contains(":lambda:") && arn.contains(":function:") {
        let fields: Vec<&str> = arn.split(':').collect();
        if fields.len() == 8 {
            return account.resources.get(&fields[..7].join(":"));
        }
    }
    None
}

fn default_endpoint_policy() -> Policy {
    let text = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
    let doc = PolicyDocument::parse(text).expect("the default endpoint policy parses");
    Arc::new(CompiledPolicy::compile(
        "default endpoint policy",
        PolicyType::Endpoint,
        Arc::new(doc),
    ))
}

/// Keys that are multivalued whatever the number of values given.
fn is_multivalued(key: &str) -> bool {
    let k = key.to_lowercase();
    [
        "aws:tagkeys",
        "aws:principalorgpaths",
        "aws:resourceorgpaths",
        "aws:calledvia",
        "aws:principalservicenameslist",
        "aws:sourceorgpaths",
        "aws:vpceorgpaths",
        "sts:transitivetagkeys",
    ]
    .contains(&k.as_str())
}

fn now_iso8601() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip_with_the_policy_date_parser() {
        for secs in [0i64, 951_782_400, 1_700_000_000, 4_102_444_800] {
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            let text = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
            let back = iamwhy_policy::values::Instant::parse(&text)
                .unwrap()
                .seconds;
            assert_eq!(back, secs - secs.rem_euclid(86_400), "{text}");
        }
    }
}
