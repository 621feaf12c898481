//! Who is asking (the request principal) and how `Principal` / `NotPrincipal` elements match
//! it (AWS: principal matching; NotPrincipal).

use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::document::{PrincipalElement, PrincipalType, PrincipalValue};
use iamwhy_policy::validate::{is_account_id, is_unique_id};
use serde::Serialize;

/// The kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PrincipalKind {
    /// The account root user (`arn:aws:iam::A:root`).
    Root,
    /// An IAM user.
    User,
    /// An IAM role named directly (simulators use this; real calls come from sessions).
    Role,
    /// A role session (`arn:aws:sts::A:assumed-role/Role/session`).
    AssumedRole,
    /// A `GetFederationToken` session (`arn:aws:sts::A:federated-user/name`).
    FederatedUser,
    /// An AWS service principal (`s3.amazonaws.com`).
    Service,
    /// An unauthenticated caller.
    Anonymous,
}

/// The request principal, normalised for matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// What kind of caller.
    pub kind: PrincipalKind,
    /// Its ARN as it signs requests (user, role, session, federated-user or root ARN).
    pub arn: Option<String>,
    /// Its account id.
    pub account: Option<String>,
    /// The partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: Option<String>,
    /// For sessions: the role's ARN including its path when known (session ARNs drop the path).
    pub role_arn: Option<String>,
    /// For federated-user sessions: the IAM user that called `GetFederationToken`.
    pub source_user_arn: Option<String>,
    /// For service principals: the service name.
    pub service: Option<String>,
    /// The unique id (`AIDA…`/`AROA…`), when known.
    pub unique_id: Option<String>,
    /// The S3 canonical user id of the account, when known.
    pub canonical_user: Option<String>,
    /// For web-identity / SAML callers: the identity provider.
    pub federated_provider: Option<String>,
}

impl Principal {
    fn empty(kind: PrincipalKind) -> Principal {
        Principal {
            kind,
            arn: None,
            account: None,
            partition: None,
            role_arn: None,
            source_user_arn: None,
            service: None,
            unique_id: None,
            canonical_user: None,
            federated_provider: None,
        }
    }

    /// An anonymous (unsigned) caller.
    pub fn anonymous() -> Principal {
        Principal::empty(PrincipalKind::Anonymous)
    }

    /// A service principal such as `cloudtrail.amazonaws.com`.
    pub fn service(name: &str) -> Principal {
        Principal {
            service: Some(name.to_string()),
            ..Principal::empty(PrincipalKind::Service)
        }
    }

    /// Read a principal from an ARN (user, role, assumed-role session, federated user, root),
    /// a 12-digit account id (the root user), or a service principal name.
    pub fn parse(text: &str) -> Result<Principal, Diagnostic> {
        if is_account_id(text) {
            return Ok(Principal {
                arn: Some(format!("arn:aws:iam::{text}:root")),
                account: Some(text.to_string()),
                partition: Some("aws".into()),
                ..Principal::empty(PrincipalKind::Root)
            });
        }
        if !text.starts_with("arn:") {
            if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                return Ok(Principal::service(text));
            }
            return Err(Diagnostic::error(
                "not-a-principal",
                format!("\"{text}\" is not a principal"),
            )
            .with_help("a principal is an IAM or STS ARN, an account id, or a service principal such as s3.amazonaws.com"));
        }
        let fields: Vec<&str> = text.splitn(6, ':').collect();
        let bad = || {
            Diagnostic::error(
                "not-a-principal-arn",
                format!(
                    "\"{text}\" is not a principal ARN (user, role, assumed-role, federated-user or root)"
                ),
            )
        };
        if fields.len() != 6 || !is_account_id(fields[4]) {
            return Err(bad());
        }
        let (partition, service, account, resource) = (fields[1], fields[2], fields[4], fields[5]);
        let base = |kind| Principal {
            arn: Some(text.to_string()),
            account: Some(account.to_string()),
            partition: Some(partition.to_string()),
            ..Principal::empty(kind)
        };
        match (service, resource.split_once('/')) {
            ("iam", None) if resource == "root" => Ok(base(PrincipalKind::Root)),
            ("iam", Some(("user", rest))) if !rest.is_empty() => Ok(base(PrincipalKind::User)),
            ("iam", Some(("role", rest))) if !rest.is_empty() => Ok(Principal {
                role_arn: Some(text.to_string()),
                ..base(PrincipalKind::Role)
            }),
            ("sts", Some(("assumed-role", rest))) => {
                let (role, session) = rest.split_once('/').ok_or_else(bad)?;
                if role.is_empty() || session.is_empty() {
                    return Err(bad());
                }
                Ok(Principal {
                    role_arn: Some(format!("arn:{partition}:iam::{account}:role/{role}")),
                    ..base(PrincipalKind::AssumedRole)
                })
            }
            ("sts", Some(("federated-user", name))) if !name.is_empty() => {
                Ok(base(PrincipalKind::FederatedUser))
            }
            _ => Err(bad()),
        }
    }

    /// The ARN of the account's root (`arn:aws:iam::A:root`), when the account is known.
    pub fn account_root_arn(&self) -> Option<String> {
        Some(format!(
            "arn:{}:iam::{}:root",
            self.partition.as_deref().unwrap_or("aws"),
            self.account.as_deref()?
        ))
    }

    /// The session name of a role session.
    pub fn session_name(&self) -> Option<&str> {
        if self.kind != PrincipalKind::AssumedRole {
            return None;
        }
        self.arn.as_deref()?.rsplit_once('/').map(|(_, s)| s)
    }

    /// For a role or a role session: the role's name (the last segment of its path).
    pub fn role_name(&self) -> Option<&str> {
        let arn = self.role_arn.as_deref()?;
        let (_, rest) = arn.split_once(":role/")?;
        rest.rsplit('/').next().filter(|n| !n.is_empty())
    }

    /// Is this an AWS-signed IAM identity (not a service principal or anonymous)?
    pub fn is_iam_identity(&self) -> bool {
        !matches!(self.kind, PrincipalKind::Service | PrincipalKind::Anonymous)
    }
}

/// How a principal element entry matched the caller (AWS: principal matching), best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub enum PrincipalMatch {
    /// No entry matches.
    #[default]
    NoMatch,
    /// The caller's account is named (account id or root ARN): delegation to the account.
    Account,
    /// The role of a role session is named: all its sessions.
    SessionRole,
    /// The IAM user that created a federated-user session is named.
    SessionUser,
    /// The caller itself is named (or `*`, or its service, or its identity provider).
    Direct,
}

/// How `NotPrincipal` decides whether the caller is exempt (AWS: principal matching; docs/spec-notes.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum NotPrincipalMode {
    /// The documented reading for `Deny` (strict) and, for the unsupported `Allow` +
    /// `NotPrincipal`, the reading that grants less (lenient).
    #[default]
    Conservative,
    /// The caller is exempt only if every identity in its chain (account, role, session or
    /// account, user) is listed — AWS: "you must also specify the account ARN ... otherwise
    /// the policy denies access to the entire account".
    Strict,
    /// The caller is exempt if any entry covers it (an account entry covers everyone in it).
    Lenient,
}

#[derive(Debug, Clone)]
enum AwsEntry {
    Everyone,
    Account {
        account: Box<str>,
    },
    Arn(Box<str>),
    UniqueId(Box<str>),
    /// A value that can match nothing (malformed).
    Never,
}

/// A compiled `Principal`/`NotPrincipal` element.
#[derive(Debug, Clone)]
pub struct CompiledPrincipal {
    /// True for `NotPrincipal`.
    pub negated: bool,
    aws: Vec<AwsEntry>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
    canonical: Vec<Box<str>>,
}

fn root_account(arn: &str) -> Option<&str> {
    let mut fields = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    (service == "iam" && resource == "root" && is_account_id(account)).then_some(account)
}

impl CompiledPrincipal {
    /// Compile a principal element (with owned or borrowed strings).
    pub fn compile<S: AsRef<str>>(el: &PrincipalElement<S>) -> CompiledPrincipal {
        let mut out = CompiledPrincipal {
            negated: el.negated,
            aws: Vec::new(),
            services: Vec::new(),
            federated: Vec::new(),
            canonical: Vec::new(),
        };
        match &el.value {
            PrincipalValue::Everyone => out.aws.push(AwsEntry::Everyone),
            // `"Principal": "arn:..."` is read as `{"AWS": "arn:..."}`.
            PrincipalValue::BareString(v) => out.add(PrincipalType::Aws, v.value.as_ref()),
            PrincipalValue::Map(entries) => {
                for e in entries {
                    for v in &e.values {
                        out.add(e.kind, v.value.as_ref());
                    }
                }
            }
        }
        out
    }

    /// Add one value given under the principal type `kind`.
    fn add(&mut self, kind: PrincipalType, text: &str) {
        match kind {
            PrincipalType::Aws => self.aws.push(if text == "*" {
                AwsEntry::Everyone
            } else if is_account_id(text) {
                AwsEntry::Account {
                    account: text.into(),
                }
            } else if let Some(acct) = root_account(text) {
                AwsEntry::Account {
                    account: acct.into(),
                }
            } else if text.starts_with("arn:") {
                AwsEntry::Arn(text.into())
            } else if is_unique_id(text) {
                AwsEntry::UniqueId(text.into())
            } else {
                AwsEntry::Never
            }),
            PrincipalType::Service => self.services.push(text.into()),
            PrincipalType::Federated => self.federated.push(text.into()),
            PrincipalType::CanonicalUser => self.canonical.push(text.into()),
        }
    }

    /// The best match of any entry for the caller.
    pub fn best_match(&self, p: &Principal) -> PrincipalMatch {
        let mut best = PrincipalMatch::NoMatch;
        for e in &self.aws {
            let m = match e {
                AwsEntry::Everyone => PrincipalMatch::Direct,
                AwsEntry::Account { account } => {
                    if p.is_iam_identity() && p.account.as_deref() == Some(&**account) {
                        PrincipalMatch::Account
                    } else {
                        PrincipalMatch::NoMatch
                    }
                }
                AwsEntry::Arn(arn) => {
                    if p.kind == PrincipalKind::Role && p.arn.as_deref() == Some(&**arn) {
                        // A role acts through its sessions: naming the role is a role grant.
                        PrincipalMatch::SessionRole
                    } else if p.arn.as_deref() == Some(&**arn) {
                        PrincipalMatch::Direct
                    } else if p.kind == PrincipalKind::AssumedRole
                        && p.role_arn.as_deref() == Some(&**arn)
                    {
                        PrincipalMatch::SessionRole
                    } else if p.kind == PrincipalKind::FederatedUser
                        && p.source_user_arn.as_deref() == Some(&**arn)
                    {
                        PrincipalMatch::SessionUser
                    } else {
                        PrincipalMatch::NoMatch
                    }
                }
                AwsEntry::UniqueId(id) => {
                    if p.unique_id.as_deref() != Some(&**id) {
                        PrincipalMatch::NoMatch
                    } else if matches!(p.kind, PrincipalKind::Role | PrincipalKind::AssumedRole) {
                        // A role's unique id stands for the role, exactly as its ARN does.
                        PrincipalMatch::SessionRole
                    } else if p.kind == PrincipalKind::User {
                        PrincipalMatch::Direct
                    } else {
                        PrincipalMatch::NoMatch
                    }
                }
                AwsEntry::Never => PrincipalMatch::NoMatch,
            };
            best = best.max(m);
        }
        if p.kind == PrincipalKind::Service
            && let Some(s) = &p.service
            && self.services.iter().any(|x| **x == **s)
        {
            best = best.max(PrincipalMatch::Direct);
        }
        if let Some(f) = &p.federated_provider
            && self.federated.iter().any(|x| **x == **f)
        {
            best = best.max(PrincipalMatch::Direct);
        }
        if let Some(c) = &p.canonical_user
            && self.canonical.iter().any(|x| **x == **c)
        {
            best = best.max(PrincipalMatch::Account);
        }
        best
    }

    /// The session names of the entries that name a session of the caller's role
    /// (`arn:<partition>:sts::<account>:assumed-role/<role name>/<session>`), for a caller that
    /// is a role or a role session; empty otherwise.
    pub fn sessions_of_role(&self, p: &Principal) -> Vec<String> {
        let (Some(name), Some(account)) = (p.role_name(), p.account.as_deref()) else {
            return Vec::new();
        };
        let prefix = format!(
            "arn:{}:sts::{account}:assumed-role/{name}/",
            p.partition.as_deref().unwrap_or("aws")
        );
        let mut names: Vec<String> = Vec::new();
        for e in &self.aws {
            if let AwsEntry::Arn(arn) = e
                && let Some(session) = arn.strip_prefix(prefix.as_str())
                && !session.is_empty()
                && !session.contains('/')
                && !names.iter().any(|n| n == session)
            {
                names.push(session.to_string());
            }
        }
        names
    }

    /// For `NotPrincipal`: is the caller exempt (listed) under `mode`?
    pub fn exempts(&self, p: &Principal, mode: NotPrincipalMode) -> bool {
        match mode {
            NotPrincipalMode::Lenient => self.best_match(p) != PrincipalMatch::NoMatch,
            NotPrincipalMode::Conservative => unreachable!("resolved by the caller"),
            NotPrincipalMode::Strict => {
                if self.aws.iter().any(|e| matches!(e, AwsEntry::Everyone)) {
                    return true;
                }
                let account_listed = || {
                    p.account.as_deref().is_some_and(|a| {
                        self.aws
                            .iter()
                            .any(|e| matches!(e, AwsEntry::Account { account } if **account == *a))
                    })
                };
                let arn_listed = |arn: Option<&str>| {
                    arn.is_some_and(|a| {
                        self.aws
                            .iter()
                            .any(|e| matches!(e, AwsEntry::Arn(x) if **x == *a))
                    })
                };
                match p.kind {
                    PrincipalKind::Root => account_listed(),
                    PrincipalKind::User | PrincipalKind::FederatedUser | PrincipalKind::Role => {
                        account_listed() && arn_listed(p.arn.as_deref())
                    }
                    PrincipalKind::AssumedRole => {
                        account_listed()
                            && arn_listed(p.role_arn.as_deref())
                            && arn_listed(p.arn.as_deref())
                    }
                    PrincipalKind::Service | PrincipalKind::Anonymous => {
                        self.best_match(p) != PrincipalMatch::NoMatch
                    }
                }
            }
        }
    }
}
