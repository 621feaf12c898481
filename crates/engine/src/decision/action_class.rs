//! Action classes: which requests that differ only in their action the engine decides alike.
//!
//! A decision depends on the action through three things only: the statements whose `Action`
//! or `NotAction` match it (layer by layer), the service (which layers apply: RCP support, the
//! service rules), and the few rules that name actions — the trust actions and
//! `sts:GetCallerIdentity`, `kms:RetireGrant` and the KMS alias actions, and the read-only
//! exemption of IAM's reserved roles and AWS managed policies. [`PolicySet::action_class`]
//! captures exactly these, so an analysis over thousands of actions decides one request per
//! class and reuses the answer for the rest.

use super::{PolicyList, PolicySet, is_read_or_list};
use crate::request::Request;

/// Everything about a request's action that its decision (strict, traced or Discovery, but
/// for the notes that name the action) depends on. Two requests that are equal but for their
/// action and have equal classes under one [`PolicySet`] are decided alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActionClass {
    service: Box<str>,
    /// The action's own name, for the services whose rules name actions (STS, KMS).
    name: Option<Box<str>>,
    read_or_list: bool,
    /// For each list in evaluation order, the matching statements as (policy, statement)
    /// pairs, each list closed by `u32::MAX`.
    statements: Vec<u32>,
}

/// Services with rules that name single actions: their actions are never grouped.
const NAMED_BY_RULES: &[&str] = &["sts", "kms"];

impl PolicySet {
    /// The class of `req`'s action under this set (see the module docs).
    ///
    /// ```
    /// use iamwhy_engine::{CompiledPolicy, Context, PolicySet, Principal, Request, RequestResource};
    /// use iamwhy_policy::{PolicyDocument, PolicyType};
    /// use std::sync::Arc;
    ///
    /// let doc = PolicyDocument::parse(
    ///     r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#,
    /// ).unwrap();
    /// let policy = CompiledPolicy::compile("read", PolicyType::Identity, Arc::new(doc));
    /// let set = PolicySet::new().with_identity(vec![policy]);
    /// let request = |action: &str| {
    ///     let who = Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap();
    ///     Request::new(who, action, RequestResource::parse("*"), Context::default()).unwrap()
    /// };
    /// let get = set.action_class(&request("s3:GetObject"));
    /// assert_eq!(get, set.action_class(&request("s3:GetBucketPolicy")));
    /// assert_ne!(get, set.action_class(&request("s3:PutObject")));
    /// ```
    pub fn action_class(&self, req: &Request) -> ActionClass {
        let service = req.service();
        let mut statements = Vec::new();
        let mut push = |list: &PolicyList| {
            for ((pi, si), _, s) in list.candidates(service) {
                if s.action_matches(req) {
                    statements.extend([pi, si]);
                }
            }
            statements.push(u32::MAX);
        };
        push(&self.identity);
        self.boundary.iter().for_each(&mut push);
        self.session.iter().for_each(&mut push);
        for level in self.scp_levels.iter().chain(&self.rcp_levels) {
            push(&level.policies);
        }
        self.resource.iter().for_each(&mut push);
        self.endpoint.iter().for_each(&mut push);
        ActionClass {
            service: service.into(),
            name: NAMED_BY_RULES
                .contains(&service)
                .then(|| req.action_name_lower().into()),
            read_or_list: is_read_or_list(req),
            statements,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        CompiledPolicy, Context, Decision, EvaluationOptions, PolicySet, Principal, Request,
        RequestResource,
    };
    use iamwhy_policy::{PolicyDocument, PolicyType};
    use std::sync::Arc;

    fn policy(json: &str, kind: PolicyType) -> CompiledPolicy {
        CompiledPolicy::compile("p", kind, Arc::new(PolicyDocument::parse(json).unwrap()))
    }

    fn request(principal: &str, action: &str, resource: &str) -> Request {
        let who = Principal::parse(principal).unwrap();
        Request::new(
            who,
            action,
            RequestResource::parse(resource),
            Context::default(),
        )
        .unwrap()
    }

    const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

    fn admin_set() -> PolicySet {
        PolicySet::new().with_identity(vec![policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            PolicyType::Identity,
        )])
    }

    #[test]
    fn actions_matched_by_the_same_statements_share_a_class() {
        let set = admin_set();
        assert_eq!(
            set.action_class(&request(ALICE, "ec2:RunInstances", "*")),
            set.action_class(&request(ALICE, "ec2:TerminateInstances", "*"))
        );
    }

    #[test]
    fn a_statement_matching_one_action_only_splits_the_class() {
        let set = admin_set().with_scp_level(
            "r-root",
            vec![policy(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}"#,
                PolicyType::Scp,
            )],
        );
        let run = request(ALICE, "ec2:RunInstances", "*");
        let terminate = request(ALICE, "ec2:TerminateInstances", "*");
        assert_ne!(set.action_class(&run), set.action_class(&terminate));
        let opts = EvaluationOptions::default();
        assert_eq!(set.decide(&run, &opts), Decision::Allowed);
        assert_eq!(set.decide(&terminate, &opts), Decision::ExplicitDeny);
    }

    #[test]
    fn services_never_share_a_class() {
        let set = admin_set();
        assert_ne!(
            set.action_class(&request(ALICE, "s3:GetObject", "*")),
            set.action_class(&request(ALICE, "ec2:GetConsoleOutput", "*"))
        );
    }

    #[test]
    fn actions_named_by_sts_and_kms_rules_are_their_own_class() {
        let set = admin_set();
        let root = "arn:aws:iam::111122223333:root";
        let role = "arn:aws:iam::111122223333:role/r";
        let assume = request(root, "sts:AssumeRole", role);
        let tag = request(root, "sts:GetSessionToken", role);
        assert_ne!(set.action_class(&assume), set.action_class(&tag));
        assert_ne!(
            set.action_class(&request(ALICE, "kms:RetireGrant", "*")),
            set.action_class(&request(ALICE, "kms:RevokeGrant", "*"))
        );
    }

    #[test]
    fn read_and_write_iam_actions_are_apart_for_the_reserved_role_rule() {
        let set = admin_set();
        let reserved =
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_x";
        let get = request(ALICE, "iam:GetRole", reserved);
        let delete = request(ALICE, "iam:DeleteRole", reserved);
        assert_ne!(set.action_class(&get), set.action_class(&delete));
        let opts = EvaluationOptions::default();
        assert_eq!(set.decide(&get, &opts), Decision::Allowed);
        assert_ne!(set.decide(&delete, &opts), Decision::Allowed);
    }
}
