//! The collector's own least privilege, checked with iamwhy's engine and catalog (no AWS):
//! the policy `iamwhy collect --print-policy` prints allows every call in the collector's
//! table, every action in it is of the List or Read access level, and the one exception,
//! `sts:AssumeRole` for `--org`, is limited to the member-account role.

use iamwhy_catalog::{AccessLevel, catalog};
use iamwhy_collect::{CALLS, DEFAULT_ROLE_NAME, required_policy};
use iamwhy_diagnostic::Severity;
use iamwhy_engine::{
    CompiledPolicy, Context, Decision, EvaluationOptions, PolicySet, Principal, Request,
    RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::sync::Arc;

const COLLECTOR: &str = "arn:aws:iam::111122223333:role/iamwhy-collector";

fn compiled(policy: &serde_json::Value) -> PolicySet {
    let text = serde_json::to_string_pretty(policy).unwrap();
    let problems: Vec<_> = iamwhy_policy::validate::check(&text, PolicyType::Identity)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(
        problems.is_empty(),
        "the printed policy is invalid: {problems:?}"
    );
    let doc = PolicyDocument::parse(&text).expect("the printed policy parses");
    let policy = CompiledPolicy::compile("iamwhy-collect", PolicyType::Identity, Arc::new(doc));
    PolicySet::new().with_identity(vec![policy])
}

/// The resource policies AWS puts in place by default where one is required, so that the
/// decision rests on the identity policy: the member-account role's trust policy as AWS
/// Organizations creates it (trusting the management account, the collector's), and a KMS
/// key's default key policy (delegating to the account's IAM policies).
fn default_resource_policy(action: &str) -> Option<CompiledPolicy> {
    let (ty, text) = match action.split(':').next() {
        Some("sts") if action == "sts:AssumeRole" => (
            PolicyType::Trust,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#,
        ),
        Some("kms") => (
            PolicyType::Resource,
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#,
        ),
        _ => return None,
    };
    let doc = PolicyDocument::parse(text).unwrap();
    Some(CompiledPolicy::compile(
        "default resource policy",
        ty,
        Arc::new(doc),
    ))
}

fn decide(set: &PolicySet, action: &str, resource: &str) -> Decision {
    let mut req = Request::new(
        Principal::parse(COLLECTOR).unwrap(),
        action,
        RequestResource::parse(resource),
        Context::new(),
    )
    .unwrap();
    if action == "sts:AssumeRole" {
        req.resource_account = Some("444455556666".into());
    }
    let set = match default_resource_policy(action) {
        Some(p) => set.clone().with_resource(p),
        None => set.clone(),
    };
    set.evaluate(&req, &EvaluationOptions::default()).decision
}

/// A resource each call acts on, from the catalog: its first ARN template with every
/// `${...}` filled in (`*` for actions without resource types, which is what they are
/// evaluated against), so the check is not only against `*`.
fn sample_resource(action: &str) -> String {
    let known = catalog().action(action).expect("a catalog action");
    let Some(template) = known.arn_templates().first().copied() else {
        return "*".into();
    };
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closed placeholder") + start;
        out.push_str(match &rest[start + 2..end] {
            "Partition" => "aws",
            "Region" => "eu-west-1",
            "Account" => "111122223333",
            _ => "example1",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn the_printed_policy_allows_every_call_the_collector_makes() {
    let set = compiled(&required_policy(Some(DEFAULT_ROLE_NAME)));
    for call in CALLS {
        let resource = if call.action == "sts:AssumeRole" {
            "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole".to_string()
        } else {
            sample_resource(call.action)
        };
        assert_eq!(
            decide(&set, call.action, &resource),
            Decision::Allowed,
            "{} ({} {}) on {resource}",
            call.action,
            call.sdk_service,
            call.operation
        );
    }
}

#[test]
fn every_action_of_the_printed_policy_is_list_or_read_except_the_org_role() {
    let policy = required_policy(Some(DEFAULT_ROLE_NAME));
    let statements = policy["Statement"].as_array().unwrap();
    let mut seen = 0;
    for st in statements {
        let actions: Vec<&str> = match &st["Action"] {
            serde_json::Value::String(a) => vec![a.as_str()],
            serde_json::Value::Array(v) => v.iter().map(|a| a.as_str().unwrap()).collect(),
            other => panic!("unexpected Action {other}"),
        };
        assert_eq!(st["Effect"], "Allow");
        for a in actions {
            assert!(
                !a.contains(['*', '?']),
                "{a}: the policy names exact actions"
            );
            let known = catalog()
                .action(a)
                .unwrap_or_else(|| panic!("{a} is not in the service catalog"));
            seen += 1;
            if a == "sts:AssumeRole" {
                assert_eq!(
                    st["Resource"],
                    format!("arn:aws:iam::*:role/{DEFAULT_ROLE_NAME}"),
                    "AssumeRole is limited to the member-account role"
                );
                continue;
            }
            assert!(
                matches!(known.access_level(), AccessLevel::List | AccessLevel::Read),
                "{a} is {}, not List or Read",
                known.access_level().as_str()
            );
        }
    }
    assert_eq!(seen, {
        let mut a: Vec<&str> = CALLS.iter().map(|c| c.action).collect();
        a.sort();
        a.dedup();
        a.len()
    });
}

#[test]
fn assume_role_is_limited_to_the_member_account_role() {
    let set = compiled(&required_policy(Some("AuditRole")));
    assert_eq!(
        decide(
            &set,
            "sts:AssumeRole",
            "arn:aws:iam::444455556666:role/AuditRole"
        ),
        Decision::Allowed
    );
    assert_eq!(
        decide(
            &set,
            "sts:AssumeRole",
            "arn:aws:iam::444455556666:role/Admin"
        ),
        Decision::ImplicitDeny
    );
    // Without --org the policy grants no role assumption at all.
    let single = compiled(&required_policy(None));
    assert_eq!(
        decide(
            &single,
            "sts:AssumeRole",
            "arn:aws:iam::444455556666:role/AuditRole"
        ),
        Decision::ImplicitDeny
    );
    assert_eq!(
        decide(&single, "iam:GetAccountAuthorizationDetails", "*"),
        Decision::Allowed
    );
}

#[test]
fn the_printed_policy_grants_nothing_beyond_the_table() {
    let set = compiled(&required_policy(Some(DEFAULT_ROLE_NAME)));
    for action in [
        "s3:GetObject",
        "kms:Decrypt",
        "secretsmanager:GetSecretValue",
        "iam:PassRole",
        "sqs:ReceiveMessage",
        "organizations:LeaveOrganization",
    ] {
        assert_eq!(
            decide(&set, action, &sample_resource(action)),
            Decision::ImplicitDeny,
            "{action}"
        );
    }
}
