//! Each step of `World::prepare` on its own, on the embedded demo organization.

use iamwhy_world::World;
use iamwhy_world::demo::demo_world;
use iamwhy_world::prepare::{Entity, Question};

fn world() -> World {
    demo_world().expect("the demo world loads")
}

fn key<'a>(keys: &'a [iamwhy_world::prepare::InferredKey], name: &str) -> Option<&'a [String]> {
    keys.iter()
        .find(|k| k.key == name)
        .map(|k| k.values.as_slice())
}

#[test]
fn principal_step_finds_a_role_session_with_its_path_policies_and_boundary() {
    let w = world();
    let p = w
        .resolve_principal(
            "arn:aws:sts::222222222222:assumed-role/app-backend/s1",
            None,
        )
        .unwrap();
    assert!(matches!(p.entity, Entity::Role(_, r, Some("s1")) if r.name == "app-backend"));
    assert_eq!(p.account, "222222222222");
    assert_eq!(
        p.principal.role_arn.as_deref(),
        Some("arn:aws:iam::222222222222:role/app/app-backend")
    );
    assert!(!p.identity.is_empty());
    assert!(
        p.boundary.is_some(),
        "app-backend has a permissions boundary"
    );
    assert_eq!(
        key(&p.keys, "aws:PrincipalArn"),
        Some(&["arn:aws:iam::222222222222:role/app/app-backend".to_string()][..])
    );
    assert_eq!(
        key(&p.keys, "aws:PrincipalType"),
        Some(&["AssumedRole".to_string()][..])
    );
    assert_eq!(
        key(&p.keys, "aws:PrincipalAccount"),
        Some(&["222222222222".to_string()][..])
    );
    assert!(
        p.notes.iter().any(|n| n.contains("path /app/")),
        "{:?}",
        p.notes
    );
}

#[test]
fn principal_step_gives_a_user_its_groups_policies() {
    let w = world();
    let p = w
        .resolve_principal("arn:aws:iam::222222222222:user/alice", None)
        .unwrap();
    let Entity::User(account, user) = p.entity else {
        panic!("alice is a user")
    };
    let own = user.inline.len() + user.attached.len();
    let groups: usize = user
        .groups
        .iter()
        .map(|g| account.groups[g].inline.len() + account.groups[g].attached.len())
        .sum();
    assert!(groups > 0, "alice is in the developers group");
    assert_eq!(p.identity.len(), own + groups);
    assert_eq!(
        key(&p.keys, "aws:username"),
        Some(&["alice".to_string()][..])
    );
}

#[test]
fn principal_step_refuses_an_unknown_role_with_a_suggestion() {
    let w = world();
    let e = w
        .resolve_principal("arn:aws:iam::222222222222:role/app-backnd", None)
        .unwrap_err();
    assert_eq!(e.code, "unknown-role");
    assert!(
        e.help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean app-backend"),
        "{e:?}"
    );
}

#[test]
fn principal_step_reads_root_services_and_anonymous_callers() {
    let w = world();
    let root = w.resolve_principal("222222222222", None).unwrap();
    assert_eq!(
        key(&root.keys, "aws:PrincipalType"),
        Some(&["Account".to_string()][..])
    );
    let svc = w.resolve_principal("lambda.amazonaws.com", None).unwrap();
    assert_eq!(
        key(&svc.keys, "aws:PrincipalIsAWSService"),
        Some(&["true".to_string()][..])
    );
    assert!(svc.account.is_empty());
    let anon = w.resolve_principal("anonymous", None).unwrap();
    assert_eq!(
        key(&anon.keys, "aws:PrincipalType"),
        Some(&["Anonymous".to_string()][..])
    );
}

#[test]
fn resource_step_places_an_s3_object_under_its_bucket_policy_and_tags() {
    let w = world();
    let r = w
        .resolve_resource(
            "s3:GetObject",
            "arn:aws:s3:::prod-app-customer-data/orders/x.csv",
            None,
        )
        .unwrap();
    assert_eq!(r.owner.as_deref(), Some("222222222222"));
    assert!(
        r.policy.is_some(),
        "the bucket's policy governs its objects"
    );
    assert_eq!(
        key(&r.keys, "aws:ResourceTag/data-classification"),
        Some(&["confidential".to_string()][..])
    );
}

#[test]
fn resource_step_uses_the_trust_policy_for_role_assumption() {
    let w = world();
    let r = w
        .resolve_resource(
            "sts:AssumeRole",
            "arn:aws:iam::222222222222:role/DeployRole",
            None,
        )
        .unwrap();
    let trust = r.policy.expect("DeployRole has a trust policy");
    assert_eq!(trust.policy_type, iamwhy_policy::PolicyType::Trust);
}

#[test]
fn resource_step_refuses_a_bucket_no_account_lists() {
    let w = world();
    let e = w
        .resolve_resource("s3:GetObject", "arn:aws:s3:::nobody-has-this/x", None)
        .unwrap_err();
    assert!(e.to_string().contains("--resource-account"), "{e}");
    let given = w
        .resolve_resource(
            "s3:GetObject",
            "arn:aws:s3:::nobody-has-this/x",
            Some("222222222222"),
        )
        .unwrap();
    assert_eq!(given.owner.as_deref(), Some("222222222222"));
}

#[test]
fn organization_steps_give_scp_levels_to_principals_and_rcp_levels_to_resources() {
    let w = world();
    let prod = w.principal_organization("222222222222");
    // root → Workloads → Prod → account
    assert_eq!(
        prod.levels.len(),
        4,
        "{:?}",
        prod.levels.iter().map(|l| &l.target).collect::<Vec<_>>()
    );
    assert_eq!(
        key(&prod.keys, "aws:PrincipalOrgID"),
        Some(&["o-a1b2c3d4e5".to_string()][..])
    );
    assert!(!prod.is_management_account);
    let management = w.resource_organization("999999999999");
    assert!(management.is_management_account);
    assert!(
        management.levels.is_empty(),
        "RCPs do not apply to the management account's resources"
    );
}

#[test]
fn endpoint_step_finds_an_endpoint_and_its_keys() {
    let w = world();
    let e = w.resolve_endpoint("vpce-0a1b2c3d4e5f60718").unwrap();
    assert_eq!(
        key(&e.keys, "aws:SourceVpce"),
        Some(&["vpce-0a1b2c3d4e5f60718".to_string()][..])
    );
    assert!(w.resolve_endpoint("vpce-unknown").is_err());
}

#[test]
fn prepare_lets_given_keys_win_over_inferred_ones() {
    let w = world();
    let q = Question {
        principal: "arn:aws:iam::222222222222:user/alice".into(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::prod-app-customer-data/a".into(),
        context: vec![("aws:PrincipalOrgID".into(), "o-other".into())],
        ..Question::default()
    };
    let p = w.prepare(&q).unwrap();
    assert_eq!(
        p.request.context.get("aws:PrincipalOrgID").unwrap().values,
        ["o-other"]
    );
    assert!(
        p.context
            .inferred
            .iter()
            .all(|e| e.key != "aws:PrincipalOrgID")
    );
    assert!(
        p.context
            .inferred
            .iter()
            .any(|e| e.key == "aws:ResourceAccount")
    );
}

/// What a preparation produced, in a form to compare (the context's keys sorted).
fn summary(p: &iamwhy_world::Prepared) -> String {
    let mut keys: Vec<String> = p.request.context.iter().map(|v| format!("{v:?}")).collect();
    keys.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{} {} {:?}\n{keys:?}\n{:?}\n{:?}",
        p.set,
        p.request.principal,
        p.request.action,
        p.request.resource,
        p.request.resource_account,
        p.request.principal_has_boundary,
        p.request.principal_in_management_account,
        p.request.service(),
        p.context,
        p.notes,
    )
}

#[test]
fn preparing_from_a_principal_prepared_once_gives_what_prepare_gives() {
    let w = world();
    let principals = [
        "arn:aws:iam::222222222222:role/app/app-backend",
        "arn:aws:sts::222222222222:assumed-role/app-backend/s1",
        "arn:aws:iam::222222222222:user/alice",
        "arn:aws:iam::333333333333:user/bob",
        "222222222222",
        "anonymous",
        "s3.amazonaws.com",
    ];
    let requests = [
        (
            "s3:GetObject",
            "arn:aws:s3:::prod-app-customer-data/orders/x.json",
        ),
        ("s3:ListAllMyBuckets", "*"),
        (
            "sts:AssumeRole",
            "arn:aws:iam::222222222222:role/app/app-backend",
        ),
        (
            "iam:PassRole",
            "arn:aws:iam::222222222222:role/app/app-backend",
        ),
        (
            "sqs:SendMessage",
            "arn:aws:sqs:eu-west-1:222222222222:orders",
        ),
    ];
    let mut compared = 0;
    for principal in principals {
        let base = Question {
            principal: principal.into(),
            context: vec![("aws:SourceVpce".into(), "vpce-0a1b2c3d4e5f60718".into())],
            now: Some("2026-01-01T00:00:00Z".into()),
            ..Question::default()
        };
        let once = w.prepare_principal(&base).expect("the principal prepares");
        for (action, resource) in requests {
            let q = Question {
                action: action.into(),
                resource: resource.into(),
                ..base.clone()
            };
            match (w.prepare(&q), w.prepare_with_principal(&q, &once)) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(summary(&a), summary(&b), "{principal} {action} {resource}");
                    compared += 1;
                }
                (Err(a), Err(b)) => assert_eq!(a.code, b.code),
                (a, b) => panic!(
                    "{principal} {action} {resource}: {:?} vs {:?}",
                    a.err().map(|d| d.code),
                    b.err().map(|d| d.code)
                ),
            }
        }
    }
    assert!(compared > 20, "only {compared} preparations compared");
}
