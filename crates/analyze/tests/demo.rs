//! The analyses on the demo organization (crates/world/demo-world), against what its stories
//! say.

use iamwhy_analyze::diff::{DiffQuery, diff};
use iamwhy_analyze::{Analyzer, PrincipalClass, WhatCanQuery, WhoCanQuery};
use iamwhy_world::Question;
use iamwhy_world::demo::demo_world;
use std::collections::BTreeSet;

const OBJECT: &str = "arn:aws:s3:::prod-app-customer-data/orders/2024/06/03/order-81723.json";

fn who(q: &WhoCanQuery) -> iamwhy_analyze::WhoCan {
    let world = demo_world().unwrap();
    Analyzer::new(&world).who_can(q).unwrap()
}

#[test]
fn who_can_read_customer_data_names_the_principals_the_stories_imply() {
    let answer = who(&WhoCanQuery {
        action: "s3:GetObject".into(),
        resource: OBJECT.into(),
        ..WhoCanQuery::default()
    });
    let names: BTreeSet<&str> = answer
        .principals
        .iter()
        .map(|g| g.principal.as_str())
        .collect();
    // app-backend (its data policy), OrgOps and the SSO admin (AdministratorAccess), alice
    // (ProdDeveloperReadOnly reads the app buckets, with MFA), and the account root.
    let expected: BTreeSet<&str> = [
        "arn:aws:iam::222222222222:role/OrgOps",
        "arn:aws:iam::222222222222:role/app/app-backend",
        "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_3f2a1b0c9d8e7f6a",
        "arn:aws:iam::222222222222:root",
        "arn:aws:iam::222222222222:user/alice",
    ]
    .into();
    assert_eq!(names, expected);
    // OrgOps is exempt from the endpoint condition; the others need the prod endpoint.
    let orgops = &answer.principals[0];
    assert!(orgops.grant.allowed_when.is_true());
    let backend = answer
        .principals
        .iter()
        .find(|g| g.principal.ends_with("app-backend"))
        .unwrap();
    let keys: Vec<String> = backend
        .grant
        .allowed_when
        .literals()
        .iter()
        .map(|l| match &*l.term {
            iamwhy_engine::Term::Condition(c) => c.key().to_string(),
            _ => String::new(),
        })
        .collect();
    assert!(keys.contains(&"aws:SourceVpce".to_string()), "{keys:?}");
    assert!(
        keys.contains(&"aws:RequestedRegion".to_string()),
        "{keys:?}"
    );
    // Nobody outside the organization: the data-perimeter RCP refuses them.
    assert!(answer.nobody_outside_organization);
    let outside = answer
        .classes
        .iter()
        .find(|c| c.class == PrincipalClass::OutsideOrganization)
        .unwrap();
    assert!(!outside.allowed);
    assert!(
        answer
            .classes
            .iter()
            .any(|c| c.class == PrincipalClass::Anonymous && !c.allowed)
    );
}

#[test]
fn who_can_use_the_customer_key_is_only_what_the_key_policy_names() {
    let answer = who(&WhoCanQuery {
        action: "kms:Decrypt".into(),
        resource: "arn:aws:kms:eu-west-1:222222222222:key/1f0c7c6e-3b7a-4d52-9a8e-0c6f2a9d7e11"
            .into(),
        ..WhoCanQuery::default()
    });
    let names: Vec<&str> = answer
        .principals
        .iter()
        .map(|g| g.principal.as_str())
        .collect();
    // The key policy has no "Enable IAM User Permissions": only app-backend may decrypt (the
    // SSO admin's AdministratorAccess does not count, story 4).
    assert_eq!(names, ["arn:aws:iam::222222222222:role/app/app-backend"]);
}

#[test]
fn who_can_via_assume_role_finds_the_ci_runner_behind_the_deploy_role() {
    let answer = who(&WhoCanQuery {
        action: "ecs:UpdateService".into(),
        resource: "*".into(),
        account: Some("222222222222".into()),
        via_assume_role: true,
        template: Question {
            context: vec![("aws:RequestedRegion".into(), "eu-west-1".into())],
            ..Question::default()
        },
        ..WhoCanQuery::default()
    });
    let edge = answer
        .assume_paths
        .iter()
        .find(|e| e.role.ends_with("role/DeployRole") && e.by.ends_with("role/CIRunner"))
        .expect("CIRunner may assume DeployRole");
    // ... only with the external id.
    let text = serde_json::to_string(&edge.allowed_when).unwrap();
    assert!(text.contains("sts:ExternalId"), "{text}");
}

#[test]
fn who_can_scope_to_an_unknown_account_is_a_diagnostic() {
    let world = demo_world().unwrap();
    let err = Analyzer::new(&world)
        .who_can(&WhoCanQuery {
            action: "s3:GetObject".into(),
            resource: OBJECT.into(),
            account: Some("123412341234".into()),
            ..WhoCanQuery::default()
        })
        .err()
        .unwrap();
    assert_eq!(err.code, "who-can-unknown-account");
}

#[test]
fn what_can_the_backend_do_on_customer_data_is_read_and_write_through_the_endpoint() {
    let world = demo_world().unwrap();
    let answer = Analyzer::new(&world)
        .what_can(&WhatCanQuery {
            principal: "arn:aws:iam::222222222222:role/app/app-backend".into(),
            resource: Some(OBJECT.into()),
            ..WhatCanQuery::default()
        })
        .unwrap();
    let actions: Vec<(&str, &str)> = answer
        .services
        .iter()
        .flat_map(|s| {
            s.levels.iter().flat_map(|l| {
                l.actions
                    .iter()
                    .map(move |a| (l.access_level.as_str(), a.action.as_str()))
            })
        })
        .collect();
    assert_eq!(
        actions,
        [("Read", "s3:GetObject"), ("Write", "s3:PutObject")]
    );
    assert!(
        answer.candidates_evaluated < 50,
        "indexed: {}",
        answer.candidates_evaluated
    );
}

#[test]
fn diff_without_the_region_lock_gains_bobs_us_east_1_access() {
    let before = demo_world().unwrap();
    let mut after = before.clone();
    let org = after.organization.as_mut().unwrap();
    for n in &mut org.nodes {
        n.policies.retain(|p| p != "p-regionlock");
    }
    let answer = diff(
        &before,
        &after,
        &DiffQuery {
            principals: vec!["arn:aws:iam::333333333333:user/bob".into()],
            resources: vec!["*".into()],
            template: Question {
                context: vec![("aws:RequestedRegion".into(), "us-east-1".into())],
                ..Question::default()
            },
        },
    )
    .unwrap();
    assert_eq!(answer.changes.len(), 1, "{:?}", answer.changes);
    assert_eq!(answer.lost, 0);
    let run = answer
        .flips
        .iter()
        .find(|f| f.action == "ec2:RunInstances")
        .expect("story 5: bob may run instances in us-east-1 once the lock is gone");
    assert_eq!(run.direction, "gained");
    assert_eq!(run.before.deciding[0].statement, "DenyAllOutsideEU");
    assert!(run.caused_by[0].starts_with("p-regionlock"));
    assert!(answer.fails(iamwhy_analyze::FailOn::Gained));
    assert!(!answer.fails(iamwhy_analyze::FailOn::Lost));
    // Global services are outside the lock's NotAction: nothing flips for them.
    assert!(!answer.flips.iter().any(|f| f.action.starts_with("iam:")));
}

#[test]
fn diff_of_identical_worlds_is_empty() {
    let before = demo_world().unwrap();
    let answer = diff(&before, &before.clone(), &DiffQuery::default()).unwrap();
    assert!(answer.changes.is_empty());
    assert!(answer.flips.is_empty());
    assert_eq!(answer.requests_evaluated, 0);
}

#[test]
fn who_can_scoped_to_an_ou_lists_only_principals_of_its_accounts() {
    let answer = who(&WhoCanQuery {
        action: "s3:PutObject".into(),
        resource: "arn:aws:s3:::dev-sandbox-scratch/notebooks/a.ipynb".into(),
        ou: Some("ou-ab12-dev00001".into()),
        ..WhoCanQuery::default()
    });
    assert!(!answer.principals.is_empty());
    assert!(
        answer
            .principals
            .iter()
            .all(|g| g.account == "333333333333"),
        "{:?}",
        answer
            .principals
            .iter()
            .map(|g| &g.principal)
            .collect::<Vec<_>>()
    );
    // bob's SandboxPowerUser allows s3:* in the sandbox.
    assert!(
        answer
            .principals
            .iter()
            .any(|g| g.principal == "arn:aws:iam::333333333333:user/bob")
    );
}

#[test]
fn diff_replace_of_the_region_lock_content_gains_and_names_the_scp() {
    let before = demo_world().unwrap();
    let after = iamwhy_analyze::diff::replace_policy(
        &before,
        "p-regionlock",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .unwrap();
    let answer = diff(
        &before,
        &after,
        &DiffQuery {
            principals: vec!["arn:aws:iam::333333333333:user/bob".into()],
            resources: vec!["*".into()],
            template: Question {
                context: vec![("aws:RequestedRegion".into(), "us-east-1".into())],
                ..Question::default()
            },
        },
    )
    .unwrap();
    assert_eq!(answer.changes.len(), 1);
    assert!(answer.changes[0].policy.starts_with("p-regionlock"));
    assert!(
        answer
            .flips
            .iter()
            .any(|f| f.action == "ec2:RunInstances" && f.direction == "gained")
    );
}

#[test]
fn diff_replace_of_an_unknown_target_is_a_diagnostic() {
    let before = demo_world().unwrap();
    let err = iamwhy_analyze::diff::replace_policy(
        &before,
        "p-nosuch",
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    )
    .err()
    .unwrap();
    assert_eq!(err.code, "replace-unknown-target");
}
