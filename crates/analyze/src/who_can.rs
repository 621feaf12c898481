//! `who-can`: every principal that may make one request (action on resource).
//!
//! The IAM principals of the world (users, roles, account roots) are looked up in the
//! [`WorldIndex`](crate::WorldIndex): only the principals an identity-policy Allow statement or the resource
//! policy can let make the request are evaluated, each through `World::prepare` and Discovery.
//! Principals no snapshot lists are answered as classes, each decided for a representative
//! principal (see [`PrincipalClass`]).

use crate::Analyzer;
use crate::answer::{self, Grant, allows, class_unknowns, decide, default_unknowns};
use crate::index::PrincipalKind;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::document::{Effect, PrincipalType, PrincipalValue};
use iamwhy_policy::is_account_id;
use iamwhy_world::Question;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A who-can question.
#[derive(Debug, Clone, Default)]
pub struct WhoCanQuery {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN (or `*`).
    pub resource: String,
    /// Only principals of this account.
    pub account: Option<String>,
    /// Only principals of accounts under this OU (or root).
    pub ou: Option<String>,
    /// Also the principals that can assume the allowed roles (transitively).
    pub via_assume_role: bool,
    /// Context, VPC endpoint, time ... shared by every candidate (its principal, action and
    /// resource are ignored).
    pub template: Question,
}

/// A principal of the world that may make the request.
#[derive(Debug, Clone, Serialize)]
pub struct Grantee {
    /// Its ARN (a role stands for every session of it).
    pub principal: String,
    /// User, role or root.
    pub kind: &'static str,
    /// Its account.
    pub account: String,
    /// When and how.
    #[serde(flatten)]
    pub grant: Grant,
}

/// A class of principals no snapshot lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum PrincipalClass {
    /// Unauthenticated callers (a policy granting `"*"`).
    Anonymous,
    /// Any principal of an AWS account outside the organization (outside the world when it has
    /// no organization), assuming its own account's policies allow it.
    OutsideOrganization,
    /// Any principal of one account that the world holds no principals of.
    Account {
        /// The account id.
        account: String,
        /// Whether it is a member of the world's organization.
        in_organization: bool,
    },
    /// One principal of another account, named by ARN in a policy.
    Named {
        /// Its ARN.
        arn: String,
    },
    /// An AWS service principal named by the resource policy.
    Service {
        /// `s3.amazonaws.com` ...
        service: String,
    },
}

impl PrincipalClass {
    /// A phrase for people.
    pub fn describe(&self) -> String {
        match self {
            PrincipalClass::Anonymous => "anonymous (unauthenticated) callers".into(),
            PrincipalClass::OutsideOrganization => {
                "any principal of an AWS account outside the organization".into()
            }
            PrincipalClass::Account {
                account,
                in_organization: true,
            } => format!(
                "any principal of account {account} (in the organization; the snapshot lists none)"
            ),
            PrincipalClass::Account { account, .. } => {
                format!("any principal of account {account} (outside the world)")
            }
            PrincipalClass::Named { arn } => format!("{arn} (outside the world)"),
            PrincipalClass::Service { service } => format!("the AWS service {service}"),
        }
    }
}

/// A class's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ClassAnswer {
    /// Which class.
    pub class: PrincipalClass,
    /// The principal it was decided for.
    pub representative: String,
    /// Whether some member may make the request (for some values of the unknowns).
    pub allowed: bool,
    /// What was assumed about it.
    pub assumptions: Vec<String>,
    /// When and how (when allowed).
    #[serde(flatten)]
    pub grant: Option<Grant>,
}

/// One step of role assumption towards the allowed roles.
#[derive(Debug, Clone, Serialize)]
pub struct AssumeEdge {
    /// The role assumed.
    pub role: String,
    /// Who may assume it (`sts:AssumeRole` allowed by its trust policy and their policies).
    pub by: String,
    /// When.
    pub allowed_when: iamwhy_engine::Formula,
}

/// The answer of who-can.
#[derive(Debug, Clone, Serialize)]
pub struct WhoCan {
    /// `iamwhy.who-can/1`.
    pub schema: &'static str,
    /// The action.
    pub action: String,
    /// The resource.
    pub resource: String,
    /// The principals of the world that may make the request, by ARN.
    pub principals: Vec<Grantee>,
    /// Every class considered, allowed or not.
    pub classes: Vec<ClassAnswer>,
    /// True when no class outside the organization (anonymous, other accounts, named
    /// principals of other accounts) may make the request. Services are not counted.
    pub nobody_outside_organization: bool,
    /// With `via_assume_role`: who may assume the allowed roles, transitively.
    pub assume_paths: Vec<AssumeEdge>,
    /// IAM principals (users, roles, roots) in scope.
    pub principals_in_scope: usize,
    /// How many of them the index selected and were evaluated.
    pub candidates_evaluated: usize,
    /// Facts about the answer.
    pub notes: Vec<String>,
}

impl Analyzer<'_> {
    /// Who may make this request?
    pub fn who_can(&self, q: &WhoCanQuery) -> Result<WhoCan, Diagnostic> {
        self.who_can_with(q, false)
    }

    /// The same answer by brute force: every principal of the world is evaluated. The
    /// reference the property tests compare [`Analyzer::who_can`] with.
    pub fn who_can_brute_force(&self, q: &WhoCanQuery) -> Result<WhoCan, Diagnostic> {
        self.who_can_with(q, true)
    }

    fn who_can_with(&self, q: &WhoCanQuery, brute: bool) -> Result<WhoCan, Diagnostic> {
        crate::check_action(&q.action)?;
        let scope = self.scope(q)?;
        let resolved = self.world.resolve_resource(
            &q.action,
            &q.resource,
            q.template.resource_account.as_deref(),
        )?;
        let mut candidates: BTreeSet<usize> = if brute {
            (0..self.index.principals.len()).collect()
        } else {
            let mut c = self
                .index
                .identity_candidates_on(&q.action, Some(&q.resource));
            if let Some(p) = &resolved.policy {
                c.extend(
                    self.index
                        .resource_candidates(p, &q.action, resolved.owner.as_deref()),
                );
            }
            c
        };
        candidates.retain(|&i| scope.contains(&self.index.principals[i].account));
        let in_scope = self
            .index
            .principals
            .iter()
            .filter(|p| scope.contains(&p.account))
            .count()
            + scope.len();
        let mut out = WhoCan {
            schema: "iamwhy.who-can/1",
            action: q.action.clone(),
            resource: q.resource.clone(),
            principals: Vec::new(),
            classes: Vec::new(),
            nobody_outside_organization: true,
            assume_paths: Vec::new(),
            principals_in_scope: in_scope,
            candidates_evaluated: candidates.len() + scope.len(),
            notes: vec![
                "a role stands for its sessions: a session inherits the role's permissions (with no session policy)".into(),
            ],
        };
        let unknowns = default_unknowns();
        // Every candidate, and the root user of every account in scope (not governed by
        // identity policies).
        let mut todo: Vec<(String, &'static str, String)> = candidates
            .iter()
            .map(|&i| {
                let p = &self.index.principals[i];
                let kind = match p.kind {
                    PrincipalKind::User => "user",
                    PrincipalKind::Role => "role",
                };
                (p.arn.clone(), kind, p.account.clone())
            })
            .collect();
        todo.extend(
            scope
                .iter()
                .map(|a| (format!("arn:aws:iam::{a}:root"), "root", a.clone())),
        );
        let template = crate::pinned_now(&q.template);
        let answers = crate::par_map(&todo, |(arn, kind, account)| {
            let question = self.question(&template, arn, &q.action, &q.resource);
            let (d, strict, notes, layers) = decide(self.world, &question, &unknowns)?;
            Ok::<_, Diagnostic>(allows(&d).then(|| Grantee {
                principal: arn.clone(),
                kind,
                account: account.clone(),
                grant: answer::grant(d, strict, notes, layers),
            }))
        });
        for a in answers {
            out.principals.extend(a?);
        }
        out.principals.sort_by(|a, b| a.principal.cmp(&b.principal));
        out.classes = self.classes(q, resolved.policy.as_deref())?;
        out.nobody_outside_organization = !out.classes.iter().any(|c| {
            c.allowed
                && match &c.class {
                    PrincipalClass::Anonymous
                    | PrincipalClass::OutsideOrganization
                    | PrincipalClass::Named { .. } => true,
                    PrincipalClass::Account {
                        in_organization, ..
                    } => !in_organization,
                    PrincipalClass::Service { .. } => false,
                }
        });
        if q.via_assume_role {
            out.assume_paths = self.assume_paths(q, &out.principals, brute)?;
        }
        Ok(out)
    }

    /// The accounts in scope.
    fn scope(&self, q: &WhoCanQuery) -> Result<BTreeSet<String>, Diagnostic> {
        let all: BTreeSet<String> = self.world.accounts.keys().cloned().collect();
        if let Some(a) = &q.account {
            if !self.world.accounts.contains_key(a) {
                return Err(Diagnostic::error(
                    "who-can-unknown-account",
                    format!("--account {a}: the world has no account {a}"),
                )
                .with_help(format!(
                    "accounts: {}",
                    all.iter().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
            return Ok([a.clone()].into());
        }
        if let Some(ou) = &q.ou {
            let org = self.world.organization.as_ref().ok_or_else(|| {
                Diagnostic::error(
                    "who-can-unknown-ou",
                    format!("--ou {ou}: the world has no organization.json"),
                )
            })?;
            if !org.nodes.iter().any(|n| &n.id == ou) {
                return Err(Diagnostic::error(
                    "who-can-unknown-ou",
                    format!("--ou {ou}: the organization has no root or OU {ou}"),
                ));
            }
            return Ok(all
                .into_iter()
                .filter(|a| {
                    org.org_path(a)
                        .is_some_and(|p| p.split('/').any(|part| part == ou))
                })
                .collect());
        }
        Ok(all)
    }

    /// The classes to decide for this request, and their answers.
    fn classes(
        &self,
        q: &WhoCanQuery,
        policy: Option<&iamwhy_engine::CompiledPolicy>,
    ) -> Result<Vec<ClassAnswer>, Diagnostic> {
        let mut classes: BTreeMap<PrincipalClass, (String, Vec<String>)> = BTreeMap::new();
        classes.insert(PrincipalClass::Anonymous, ("anonymous".into(), Vec::new()));
        let own_policies = "its own account's identity-based policies allow the request (they are not in the world)".to_string();
        let outsider = self.probes.outsider.clone();
        classes.insert(
            PrincipalClass::OutsideOrganization,
            (
                probe_arn(&outsider),
                vec![
                    own_policies.clone(),
                    format!("decided for a principal of account {outsider}, which the world does not hold; its SCPs, if any, are not known"),
                ],
            ),
        );
        for account in &self.probes.org_accounts_without_principals {
            classes.insert(
                PrincipalClass::Account {
                    account: account.clone(),
                    in_organization: true,
                },
                (
                    probe_arn(account),
                    vec![
                        "its identity-based policies allow the request (the snapshot has none of this account)".into(),
                        "the organization's SCPs over the account apply".into(),
                    ],
                ),
            );
        }
        if let Some(p) = policy
            && let Some((svc, name)) = iamwhy_policy::action::split_request_action(&q.action)
        {
            for (si, s) in p.statements.iter().enumerate() {
                if s.effect != Effect::Allow
                    || !crate::index::statement_matches_action(s, &svc, &name)
                {
                    continue;
                }
                let Some(el) = p.document.statements()[si].principal.as_ref() else {
                    continue;
                };
                let PrincipalValue::Map(entries) = &el.value else {
                    continue;
                };
                for e in entries {
                    for v in &e.values {
                        let v = v.value.as_str();
                        match e.kind {
                            PrincipalType::Service => {
                                classes.insert(
                                    PrincipalClass::Service {
                                        service: v.to_string(),
                                    },
                                    (v.to_string(), Vec::new()),
                                );
                            }
                            PrincipalType::Aws => {
                                let account = account_of_principal(v);
                                let Some(account) = account else { continue };
                                if self.world.accounts.contains_key(&account)
                                    || !self.probes.external.contains(&account)
                                {
                                    continue;
                                }
                                if v == account || v.ends_with(":root") {
                                    classes.insert(
                                        PrincipalClass::Account {
                                            account: account.clone(),
                                            in_organization: false,
                                        },
                                        (probe_arn(&account), vec![own_policies.clone()]),
                                    );
                                } else if self.probes.named.contains(v) {
                                    classes.insert(
                                        PrincipalClass::Named { arn: v.to_string() },
                                        (v.to_string(), vec![own_policies.clone()]),
                                    );
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (class, (representative, assumptions)) in classes {
            let (world, unknowns) = match &class {
                PrincipalClass::Anonymous | PrincipalClass::Service { .. } => {
                    (self.world, default_unknowns())
                }
                PrincipalClass::Named { .. } => (&self.probes.world, class_unknowns(true)),
                _ => (&self.probes.world, class_unknowns(false)),
            };
            let question = self.question(&q.template, &representative, &q.action, &q.resource);
            let (d, strict, notes, layers) = decide(world, &question, &unknowns)?;
            let allowed = allows(&d);
            out.push(ClassAnswer {
                class,
                representative,
                allowed,
                assumptions,
                grant: allowed.then(|| answer::grant(d, strict, notes, layers)),
            });
        }
        Ok(out)
    }

    /// Who may assume the allowed roles, transitively (breadth first, each role once).
    fn assume_paths(
        &self,
        q: &WhoCanQuery,
        allowed: &[Grantee],
        brute: bool,
    ) -> Result<Vec<AssumeEdge>, Diagnostic> {
        let mut queue: Vec<String> = allowed
            .iter()
            .filter(|g| g.kind == "role")
            .map(|g| g.principal.clone())
            .collect();
        let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
        let mut edges = Vec::new();
        while let Some(role) = queue.pop() {
            let sub = WhoCanQuery {
                action: "sts:AssumeRole".into(),
                resource: role.clone(),
                account: None,
                ou: None,
                via_assume_role: false,
                template: q.template.clone(),
            };
            let answer = match self.who_can_with(&sub, brute) {
                Ok(a) => a,
                Err(d) => {
                    edges.push(AssumeEdge {
                        role: role.clone(),
                        by: format!("(not evaluated: {})", d.message),
                        allowed_when: iamwhy_engine::Formula::False,
                    });
                    continue;
                }
            };
            for g in answer.principals {
                if g.kind == "role" && seen.insert(g.principal.clone()) {
                    queue.push(g.principal.clone());
                }
                edges.push(AssumeEdge {
                    role: role.clone(),
                    by: g.principal,
                    allowed_when: g.grant.allowed_when,
                });
            }
            for c in answer.classes.into_iter().filter(|c| c.allowed) {
                edges.push(AssumeEdge {
                    role: role.clone(),
                    by: c.class.describe(),
                    allowed_when: c
                        .grant
                        .map_or(iamwhy_engine::Formula::True, |g| g.allowed_when),
                });
            }
        }
        edges.sort_by(|a, b| (&a.role, &a.by).cmp(&(&b.role, &b.by)));
        Ok(edges)
    }
}

/// The probe principal standing for "any principal of account `id`".
pub(crate) fn probe_arn(id: &str) -> String {
    format!("arn:aws:iam::{id}:role/{}", crate::probe::PROBE_ROLE)
}

/// The account a principal-element value names or belongs to.
pub(crate) fn account_of_principal(v: &str) -> Option<String> {
    if is_account_id(v) {
        return Some(v.to_string());
    }
    let arn = iamwhy_policy::Arn::parse(v)?;
    is_account_id(arn.account).then(|| arn.account.to_string())
}
