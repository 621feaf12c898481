//! Every policy that takes part in one principal's requests, compiled once and indexed by
//! service prefix so that evaluation touches only the statements that can match the action.

use crate::compile::{CompiledPolicy, CompiledStatement};
use iamwhy_policy::action::ActionPattern;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A statement's address in a [`PolicyList`]: (policy index, statement index).
pub(crate) type StatementRef = (u32, u32);

/// Policies of one layer (or one organization level) with a service index.
#[derive(Debug, Clone, Default)]
pub struct PolicyList {
    /// The policies in order (shared: a world compiles each policy once).
    pub policies: Vec<Arc<CompiledPolicy>>,
    by_service: FxHashMap<Box<str>, Vec<StatementRef>>,
    /// Statements that can match any service: `Action: "*"` or `NotAction`.
    any_service: Vec<StatementRef>,
}

impl PolicyList {
    /// Index a list of compiled policies.
    pub fn new<P: Into<Arc<CompiledPolicy>>>(policies: impl IntoIterator<Item = P>) -> PolicyList {
        let mut list = PolicyList {
            policies: policies.into_iter().map(Into::into).collect(),
            ..PolicyList::default()
        };
        for (pi, p) in list.policies.iter().enumerate() {
            for (si, s) in p.statements.iter().enumerate() {
                let r = (pi as u32, si as u32);
                let acts = &s.actions;
                if acts.negated
                    || acts
                        .patterns
                        .iter()
                        .any(|a| matches!(a, ActionPattern::All))
                {
                    list.any_service.push(r);
                    continue;
                }
                // A statement is listed once per service: its own entry is the last one
                // pushed for that service, so a repeat is seen without sorting. A key is
                // allocated only for a service the list has not seen.
                for svc in acts.patterns.iter().filter_map(|a| a.service()) {
                    match list.by_service.get_mut(svc) {
                        Some(refs) if refs.last() == Some(&r) => {}
                        Some(refs) => refs.push(r),
                        None => {
                            list.by_service.insert(svc.into(), vec![r]);
                        }
                    }
                }
            }
        }
        list
    }

    /// True when the list holds no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The statements that may match an action of `service` (lowercased), in no set order.
    pub(crate) fn candidates<'a>(
        &'a self,
        service: &str,
    ) -> impl Iterator<Item = (StatementRef, &'a CompiledPolicy, &'a CompiledStatement)> + 'a {
        self.by_service
            .get(service)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .chain(self.any_service.iter())
            .map(move |&(pi, si)| {
                let p: &CompiledPolicy = &self.policies[pi as usize];
                ((pi, si), p, &p.statements[si as usize])
            })
    }
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
}
