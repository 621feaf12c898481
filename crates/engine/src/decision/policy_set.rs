//! Every policy that takes part in one principal's requests, compiled once and indexed by
//! service prefix so that evaluation touches only the statements that can match the action.

use crate::compile::{CompiledPolicy, CompiledStatement};
use iamwhy_policy::action::ActionPattern;
use iamwhy_policy::inline::InlineStr;
use std::sync::Arc;

/// A statement's address in a [`PolicyList`]: (policy index, statement index).
pub(crate) type StatementRef = (u32, u32);

/// Policies of one layer (or one organization level) with a service index.
#[derive(Debug, Clone, Default)]
pub struct PolicyList {
    /// The policies in order (shared: a world compiles each policy once).
    pub policies: Vec<Arc<CompiledPolicy>>,
    /// (service prefix, statement) for every service a statement names, sorted, each pair
    /// once: the statements of one service are one run of it ([`PolicyList::named`]). One vector,
    /// its keys inline, rather than a map of vectors: a list is built for every principal a
    /// world answers for, and most lists name a handful of services.
    by_service: Vec<(InlineStr, StatementRef)>,
    /// Statements that can match any service: `Action: "*"` or `NotAction`.
    any_service: Vec<StatementRef>,
}

impl PolicyList {
    /// Index a list of compiled policies.
    pub fn new<P: Into<Arc<CompiledPolicy>>>(policies: impl IntoIterator<Item = P>) -> PolicyList {
        let policies: Vec<Arc<CompiledPolicy>> = policies.into_iter().map(Into::into).collect();
        let (mut named, mut any) = (0, 0);
        for s in policies.iter().flat_map(|p| &p.statements) {
            match matches_any_service(s) {
                true => any += 1,
                false => named += s.actions.patterns.len(),
            }
        }
        let mut by_service = Vec::with_capacity(named);
        let mut any_service = Vec::with_capacity(any);
        for (pi, p) in policies.iter().enumerate() {
            for (si, s) in p.statements.iter().enumerate() {
                let r = (pi as u32, si as u32);
                if matches_any_service(s) {
                    any_service.push(r);
                    continue;
                }
                for a in &s.actions.patterns {
                    if let ActionPattern::Service { service, .. } = a {
                        by_service.push((service.clone(), r));
                    }
                }
            }
        }
        // A statement naming a service twice is listed for it once.
        by_service.sort_unstable();
        by_service.dedup();
        PolicyList {
            policies,
            by_service,
            any_service,
        }
    }

    /// True when the list holds no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The statements that may match an action of `service` (lowercased): those naming the
    /// service in document order, then those that match any service.
    #[inline(always)]
    pub(crate) fn candidates<'a>(
        &'a self,
        service: &str,
    ) -> impl Iterator<Item = (StatementRef, &'a CompiledPolicy, &'a CompiledStatement)> + 'a {
        let named = self.named(service.as_bytes()).iter().map(|(_, r)| r);
        named.chain(self.any_service.iter()).map(move |&(pi, si)| {
            let p: &CompiledPolicy = &self.policies[pi as usize];
            ((pi, si), p, &p.statements[si as usize])
        })
    }

    /// The run of [`PolicyList::by_service`] for `service`: found by a scan in a short index
    /// (comparing lengths first, most services differ there), by binary search in a long one.
    #[inline(always)]
    fn named(&self, service: &[u8]) -> &[(InlineStr, StatementRef)] {
        // Service prefixes are a few bytes: compared in line, not by a call to `memcmp`.
        let same = |s: &InlineStr| {
            let s = s.as_bytes();
            s.len() == service.len() && s.iter().zip(service).all(|(a, b)| a == b)
        };
        let v = &self.by_service;
        let start = if v.len() <= 16 {
            v.iter().position(|(s, _)| same(s)).unwrap_or(v.len())
        } else {
            v.partition_point(|(s, _)| s.as_bytes() < service)
        };
        let len = v[start..].iter().take_while(|(s, _)| same(s)).count();
        &v[start..start + len]
    }
}

/// Whether a statement can match an action of any service (`Action: "*"`, or `NotAction`).
fn matches_any_service(s: &CompiledStatement) -> bool {
    s.actions.negated
        || s.actions
            .patterns
            .iter()
            .any(|a| matches!(a, ActionPattern::All))
}

/// One level of an organization (root, an OU, or the account) and its attached policies.
#[derive(Debug, Clone)]
pub struct OrgLevel {
    /// The root, OU or account id.
    pub target: String,
    /// The policies attached there.
    pub policies: PolicyList,
}

/// Everything that can take part in a decision.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// Identity-based policies of the principal (user, its groups, or role).
    pub identity: PolicyList,
    /// The permissions boundary, if the principal has one.
    pub boundary: Option<PolicyList>,
    /// Session policies, if the session was created with any.
    pub session: Option<PolicyList>,
    /// SCP levels of the principal's account, root first; empty when no SCPs apply.
    pub scp_levels: Vec<OrgLevel>,
    /// RCP levels of the resource owner's account, root first; empty when no RCPs apply.
    pub rcp_levels: Vec<OrgLevel>,
    /// The resource's policy (bucket, key, trust policy ...).
    pub resource: Option<PolicyList>,
    /// The VPC endpoint policy, when the request went through an endpoint.
    pub endpoint: Option<PolicyList>,
}

impl PolicySet {
    /// An empty set: builder methods add layers.
    pub fn new() -> PolicySet {
        PolicySet::default()
    }

    /// Identity-based policies.
    pub fn with_identity<P: Into<Arc<CompiledPolicy>>>(mut self, policies: Vec<P>) -> Self {
        self.identity = PolicyList::new(policies);
        self
    }

    /// A permissions boundary (one policy in practice). An empty list means no boundary.
    pub fn with_boundary<P: Into<Arc<CompiledPolicy>>>(mut self, policies: Vec<P>) -> Self {
        self.boundary = (!policies.is_empty()).then(|| PolicyList::new(policies));
        self
    }

    /// Session policies.
    pub fn with_session<P: Into<Arc<CompiledPolicy>>>(mut self, policies: Vec<P>) -> Self {
        self.session = Some(PolicyList::new(policies));
        self
    }

    /// Add an SCP level (call root first, the account last).
    pub fn with_scp_level<P: Into<Arc<CompiledPolicy>>>(
        mut self,
        target: impl Into<String>,
        policies: Vec<P>,
    ) -> Self {
        self.scp_levels.push(OrgLevel {
            target: target.into(),
            policies: PolicyList::new(policies),
        });
        self
    }

    /// Add an RCP level (call root first, the account last).
    pub fn with_rcp_level<P: Into<Arc<CompiledPolicy>>>(
        mut self,
        target: impl Into<String>,
        policies: Vec<P>,
    ) -> Self {
        self.rcp_levels.push(OrgLevel {
            target: target.into(),
            policies: PolicyList::new(policies),
        });
        self
    }

    /// The resource policy.
    pub fn with_resource(mut self, policy: impl Into<Arc<CompiledPolicy>>) -> Self {
        self.resource = Some(PolicyList::new(vec![policy]));
        self
    }

    /// A VPC endpoint policy.
    pub fn with_endpoint<P: Into<Arc<CompiledPolicy>>>(mut self, policies: Vec<P>) -> Self {
        self.endpoint = Some(PolicyList::new(policies));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_policy::{PolicyDocument, PolicyType};

    fn list(policy: &str) -> PolicyList {
        let doc = PolicyDocument::parse(policy).expect("a policy");
        PolicyList::new([CompiledPolicy::compile(
            "p",
            PolicyType::Identity,
            Arc::new(doc),
        )])
    }

    /// A statement naming a service more than once (around another service) is a candidate
    /// for that service once, and is not a candidate for a service it does not name.
    #[test]
    fn a_statement_is_indexed_once_per_service_it_names() {
        let l = list(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":["s3:GetObject","kms:Decrypt","S3:Put*","s3:GetObject"],"Resource":"*"},
                {"Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#,
        );
        let refs = |svc: &str| l.candidates(svc).map(|(r, _, _)| r).collect::<Vec<_>>();
        assert_eq!(refs("s3"), vec![(0, 0)]);
        assert_eq!(refs("kms"), vec![(0, 0), (0, 1)]);
        assert!(refs("ec2").is_empty());
    }

    /// `Action: "*"` and `NotAction` statements are candidates for every service.
    #[test]
    fn wildcard_and_not_action_statements_are_candidates_for_every_service() {
        let l = list(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}"#,
        );
        for svc in ["s3", "ec2"] {
            let refs: Vec<_> = l.candidates(svc).map(|(r, _, _)| r).collect();
            assert_eq!(refs, vec![(0, 0), (0, 1)], "{svc}");
        }
    }

    /// Past the short-index scan (more than 16 service entries, found by binary search),
    /// every service's candidates are exactly the statements naming it, in document order
    /// across policies, followed by those matching any service; a prefix of another service
    /// (`s3` and `s3express`, `ec` and `ec2`) is its own service.
    #[test]
    fn a_long_index_finds_each_service_in_document_order() {
        let services = [
            "s3",
            "s3express",
            "ec2",
            "ec",
            "kms",
            "iam",
            "sts",
            "sqs",
            "sns",
            "lambda",
            "dynamodb",
            "logs",
            "events",
            "ssm",
            "secretsmanager",
            "glue",
            "athena",
            "ecr",
        ];
        let policy = |offset: usize| {
            let statements: Vec<String> = services
                .iter()
                .enumerate()
                .map(|(i, svc)| {
                    let other = services[(i + offset) % services.len()];
                    format!(r#"{{"Effect":"Allow","Action":["{svc}:Get*","{other}:List*"],"Resource":"*"}}"#)
                })
                .chain([r#"{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}"#.to_string()])
                .collect();
            let text = format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                statements.join(",")
            );
            CompiledPolicy::compile(
                "p",
                PolicyType::Identity,
                Arc::new(PolicyDocument::parse(&text).expect("a policy")),
            )
        };
        let l = PolicyList::new([policy(1), policy(5)]);
        assert!(l.by_service.len() > 16, "the binary-search path is taken");
        let any = services.len() as u32;
        for svc in services.iter().chain(&["s3e", "e", "zzz", "a"]) {
            let got: Vec<_> = l.candidates(svc).map(|(r, _, _)| r).collect();
            let mut want: Vec<StatementRef> = Vec::new();
            for (pi, p) in l.policies.iter().enumerate() {
                for (si, st) in p.statements.iter().enumerate() {
                    let names = st.actions.patterns.iter().filter_map(|a| a.service());
                    if !st.actions.negated && names.clone().any(|n| n == *svc) {
                        want.push((pi as u32, si as u32));
                    }
                }
            }
            want.extend([(0, any), (1, any)]);
            assert_eq!(got, want, "{svc}");
        }
    }
}
