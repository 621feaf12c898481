//! The indexed answers equal brute force: worlds are generated from the demo organization by
//! adding random inline policies to random principals and a random bucket policy; who-can,
//! what-can and diff are compared with their brute-force twins (every principal, every action,
//! decided through `World::prepare`).

use iamwhy_analyze::diff::{DiffQuery, diff, diff_brute_force};
use iamwhy_analyze::{Analyzer, WhatCanQuery, WhoCanQuery};
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::{PolicyDocument, PolicyType};
use iamwhy_world::World;
use iamwhy_world::demo::demo_world;
use proptest::prelude::*;
use std::sync::Arc;

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
];
const PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "*",
    "sqs:SendMessage",
    "s3:Put*",
];
const RESOURCES: &[&str] = &[
    "*",
    "arn:aws:s3:::dev-sandbox-scratch/*",
    "arn:aws:s3:::dev-sandbox-scratch",
    "arn:aws:s3:::prod-app-customer-data/*",
    "arn:aws:sqs:eu-west-1:222222222222:orders",
];
const PRINCIPALS: &[&str] = &[
    "\"*\"",
    "{\"AWS\": \"arn:aws:iam::333333333333:user/bob\"}",
    "{\"AWS\": \"333333333333\"}",
    "{\"AWS\": \"arn:aws:iam::555555555555:role/partner\"}",
    "{\"Service\": \"lambda.amazonaws.com\"}",
    "{\"AWS\": \"arn:aws:iam::222222222222:role/app/app-backend\"}",
    "{\"AWS\": \"arn:aws:iam::333333333333:role/gen-empty\"}",
    "{\"AWS\": \"arn:aws:sts::333333333333:assumed-role/gen-empty/s1\"}",
];
const CONDITIONS: &[&str] = &[
    "",
    ", \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": \"vpce-1\"}}",
    ", \"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-a1b2c3d4e5\"}}",
    ", \"Condition\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}",
];

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    action: usize,
    resource: usize,
    condition: usize,
    principal: usize,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        prop::bool::weighted(0.75),
        0..PATTERNS.len(),
        0..RESOURCES.len(),
        0..CONDITIONS.len(),
        0..PRINCIPALS.len(),
    )
        .prop_map(|(allow, action, resource, condition, principal)| Stmt {
            allow,
            action,
            resource,
            condition,
            principal,
        })
}

fn doc(stmts: &[Stmt], with_principal: bool) -> String {
    let body: Vec<String> = stmts
        .iter()
        .map(|s| {
            let principal = if with_principal {
                format!("\"Principal\": {}, ", PRINCIPALS[s.principal])
            } else {
                String::new()
            };
            format!(
                "{{\"Effect\": \"{}\", {principal}\"Action\": \"{}\", \"Resource\": \"{}\"{}}}",
                if s.allow { "Allow" } else { "Deny" },
                PATTERNS[s.action],
                RESOURCES[s.resource],
                CONDITIONS[s.condition]
            )
        })
        .collect();
    format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{}]}}",
        body.join(", ")
    )
}

fn compiled(text: &str, ty: PolicyType) -> Arc<CompiledPolicy> {
    Arc::new(CompiledPolicy::compile(
        "generated",
        ty,
        Arc::new(PolicyDocument::parse(text).unwrap()),
    ))
}

/// The demo world with generated inline policies on some principals and a generated policy on
/// the scratch bucket.
fn world(identity: &[(usize, Vec<Stmt>)], bucket: &[Stmt]) -> World {
    let mut w = demo_world().unwrap();
    // A role with no policy at all, in the bucket's account: only the bucket policy can let it.
    {
        let acct = w.accounts.get_mut("333333333333").unwrap();
        let arn = "arn:aws:iam::333333333333:role/gen-empty".to_string();
        acct.roles.insert(
            arn.clone(),
            iamwhy_world::model::Role {
                arn: arn.clone(),
                name: "gen-empty".into(),
                path: "/".into(),
                id: Some("AROAGENEMPTY00000001".into()),
                trust: None,
                inline: Vec::new(),
                attached: Vec::new(),
                boundary: None,
                tags: Default::default(),
            },
        );
        acct.role_names.insert("gen-empty".into(), arn);
    }
    let mut arns: Vec<(String, String, bool)> = Vec::new();
    for (id, a) in &w.accounts {
        arns.extend(a.users.keys().map(|k| (id.clone(), k.clone(), true)));
        arns.extend(a.roles.keys().map(|k| (id.clone(), k.clone(), false)));
    }
    for (who, stmts) in identity {
        let (account, arn, user) = &arns[who % arns.len()];
        let p = compiled(&doc(stmts, false), PolicyType::Identity);
        let acct = w.accounts.get_mut(account).unwrap();
        if *user {
            acct.users.get_mut(arn).unwrap().inline.push(p);
        } else {
            acct.roles.get_mut(arn).unwrap().inline.push(p);
        }
    }
    if !bucket.is_empty() {
        let p = compiled(&doc(bucket, true), PolicyType::Resource);
        let acct = w.accounts.get_mut("333333333333").unwrap();
        acct.resources
            .get_mut("arn:aws:s3:::dev-sandbox-scratch")
            .unwrap()
            .policy = Some(p);
    }
    w
}

fn identity_policies() -> impl Strategy<Value = Vec<(usize, Vec<Stmt>)>> {
    prop::collection::vec((0usize..64, prop::collection::vec(stmt(), 1..3)), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn who_can_equals_brute_force(
        identity in identity_policies(),
        bucket in prop::collection::vec(stmt(), 0..3),
        action in 0..ACTIONS.len(),
        object in prop::bool::ANY,
    ) {
        let w = world(&identity, &bucket);
        let a = Analyzer::new(&w);
        let resource = if ACTIONS[action].starts_with("sqs") {
            "arn:aws:sqs:eu-west-1:222222222222:orders"
        } else if object {
            "arn:aws:s3:::dev-sandbox-scratch/notebooks/a.ipynb"
        } else {
            "arn:aws:s3:::dev-sandbox-scratch"
        };
        let q = WhoCanQuery {
            action: ACTIONS[action].into(),
            resource: resource.into(),
            via_assume_role: false,
            ..WhoCanQuery::default()
        };
        let fast = a.who_can(&q).unwrap();
        let slow = a.who_can_brute_force(&q).unwrap();
        prop_assert!(fast.candidates_evaluated <= slow.candidates_evaluated);
        prop_assert_eq!(
            serde_json::to_value(&fast.principals).unwrap(),
            serde_json::to_value(&slow.principals).unwrap()
        );
        prop_assert_eq!(
            serde_json::to_value(&fast.classes).unwrap(),
            serde_json::to_value(&slow.classes).unwrap()
        );
    }

    #[test]
    fn what_can_equals_brute_force(
        identity in identity_policies(),
        bucket in prop::collection::vec(stmt(), 0..3),
        who in 0usize..64,
        object in prop::bool::ANY,
        service in prop::sample::select(vec!["s3", "sqs"]),
    ) {
        let w = world(&identity, &bucket);
        let a = Analyzer::new(&w);
        let principal = a.index.principals[who % a.index.principals.len()].arn.clone();
        let resource = if object {
            "arn:aws:s3:::dev-sandbox-scratch/x"
        } else {
            "arn:aws:s3:::dev-sandbox-scratch"
        };
        let q = WhatCanQuery {
            principal,
            resource: Some(resource.into()),
            service: Some(service.into()),
            ..WhatCanQuery::default()
        };
        let fast = a.what_can(&q).unwrap();
        let slow = a.what_can_brute_force(&q).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&fast.services).unwrap(),
            serde_json::to_value(&slow.services).unwrap()
        );
    }
}

proptest! {
    // Brute force decides every principal x action x resource on both sides: fewer cases.
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn diff_equals_brute_force(
        identity in identity_policies(),
        changed in identity_policies(),
        bucket in prop::collection::vec(stmt(), 0..3),
        bucket_after in prop::collection::vec(stmt(), 0..3),
        scp in prop::collection::vec(stmt(), 0..3),
        scp_at in 0usize..8,
    ) {
        let before = world(&identity, &bucket);
        let mut all = identity.clone();
        all.extend(changed);
        let mut after = world(&all, &bucket_after);
        if !scp.is_empty() {
            // A new SCP attached at one node of the organization.
            let org = after.organization.as_mut().unwrap();
            let node = scp_at % org.nodes.len();
            org.policies.insert(
                "p-generated".into(),
                iamwhy_world::model::OrgPolicy {
                    id: "p-generated".into(),
                    name: "Generated".into(),
                    is_rcp: false,
                    policy: compiled(&doc(&scp, false), PolicyType::Scp),
                },
            );
            org.nodes[node].policies.push("p-generated".into());
        }
        let q = DiffQuery::default();
        let fast = diff(&before, &after, &q).unwrap();
        let slow = diff_brute_force(&before, &after, &q, ACTIONS).unwrap();
        let key = |d: &iamwhy_analyze::Diff| -> Vec<(String, String, String, &'static str)> {
            d.flips
                .iter()
                .filter(|f| ACTIONS.contains(&f.action.as_str()))
                .map(|f| (f.principal.clone(), f.action.clone(), f.resource.clone(), f.direction))
                .collect()
        };
        prop_assert_eq!(key(&fast), key(&slow));
    }
}

/// A diff over one resource, with the requests made in eu-west-1 (inside the demo's region
/// lock).
fn in_eu_west_1(resource: &str) -> DiffQuery {
    DiffQuery {
        resources: vec![resource.into()],
        principals: Vec::new(),
        template: iamwhy_world::Question {
            context: vec![("aws:RequestedRegion".into(), "eu-west-1".into())],
            ..iamwhy_world::Question::default()
        },
    }
}

/// A guardrail change reaches a principal that only the resource policy allows (no identity
/// statement): the candidates of a guardrail change include the resource policy's principals.
#[test]
fn diff_of_a_guardrail_reaches_principals_only_a_resource_policy_allows() {
    let grant = Stmt {
        allow: true,
        action: 0,   // s3:GetObject
        resource: 1, // the scratch bucket's objects
        condition: 0,
        principal: 6, // gen-empty
    };
    let before = world(&[], std::slice::from_ref(&grant));
    let mut after = world(&[], &[grant]);
    let org = after.organization.as_mut().unwrap();
    org.policies.insert(
        "p-generated".into(),
        iamwhy_world::model::OrgPolicy {
            id: "p-generated".into(),
            name: "Generated".into(),
            is_rcp: false,
            policy: compiled(
                &doc(
                    &[Stmt {
                        allow: false,
                        action: 0,
                        resource: 0,
                        condition: 0,
                        principal: 0,
                    }],
                    false,
                ),
                PolicyType::Scp,
            ),
        },
    );
    org.nodes[0].policies.push("p-generated".into());
    let q = in_eu_west_1("arn:aws:s3:::dev-sandbox-scratch/notebooks/a.ipynb");
    let fast = diff(&before, &after, &q).unwrap();
    let lost: Vec<&str> = fast
        .flips
        .iter()
        .filter(|f| f.direction == "lost")
        .map(|f| f.principal.as_str())
        .collect();
    assert!(
        lost.contains(&"arn:aws:iam::333333333333:role/gen-empty"),
        "{lost:?}"
    );
    let slow = diff_brute_force(&before, &after, &q, &["s3:GetObject"]).unwrap();
    let key = |d: &iamwhy_analyze::Diff| -> Vec<(String, String)> {
        d.flips
            .iter()
            .filter(|f| f.action == "s3:GetObject")
            .map(|f| (f.principal.clone(), f.direction.to_string()))
            .collect()
    };
    assert_eq!(key(&fast), key(&slow));
}

/// Two actions of one service in one (principal, resource) group that different statements
/// match: the change allows both, an unchanged Deny keeps one. The indexed diff decides once
/// per action class and must still tell them apart, as brute force (which decides each
/// request on its own) does.
#[test]
fn diff_tells_apart_actions_of_one_group_that_different_statements_match() {
    let st = |allow: bool, action: usize| Stmt {
        allow,
        action,
        resource: 0, // "*"
        condition: 0,
        principal: 0,
    };
    let deny_put = (2usize, vec![st(false, 5)]); // Deny s3:Put*
    let before = world(std::slice::from_ref(&deny_put), &[]);
    let after = world(&[deny_put, (2, vec![st(true, 2)])], &[]); // + Allow s3:*
    let q = in_eu_west_1("*");
    let actions = ["s3:GetObject", "s3:PutObject"];
    let key = |d: &iamwhy_analyze::Diff| -> Vec<(String, String, String)> {
        d.flips
            .iter()
            .filter(|f| actions.contains(&f.action.as_str()))
            .map(|f| {
                (
                    f.principal.clone(),
                    f.action.clone(),
                    f.direction.to_string(),
                )
            })
            .collect()
    };
    let fast = key(&diff(&before, &after, &q).unwrap());
    let slow = key(&diff_brute_force(&before, &after, &q, &actions).unwrap());
    assert!(
        fast.iter()
            .any(|(_, a, d)| a == "s3:GetObject" && d == "gained"),
        "{fast:?}"
    );
    assert!(
        !fast.iter().any(|(_, a, _)| a == "s3:PutObject"),
        "{fast:?}"
    );
    assert_eq!(fast, slow);
}
