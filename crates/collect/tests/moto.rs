//! End to end against moto server on 127.0.0.1: seed an organization with two accounts,
//! collect it through the library, load the world with `iamwhy_world::load_dir` and check
//! decisions that each depend on one collected part. Refusals come from a loopback proxy in
//! front of moto that answers chosen calls with the service's own AccessDenied error.

mod common;

use common::*;
use iamwhy_engine::{Decision, Evaluation, EvaluationOptions, Layer};
use iamwhy_world::{Question, World, load_dir};
use std::time::Instant;

fn ask_with(
    world: &World,
    principal: &str,
    action: &str,
    resource: &str,
    owner: Option<&str>,
) -> Evaluation {
    let q = Question {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        resource_account: owner.map(str::to_string),
        now: Some("2026-12-01T12:00:00Z".into()),
        ..Question::default()
    };
    let p = world
        .prepare(&q)
        .unwrap_or_else(|e| panic!("{principal} {action} {resource}: {e}"));
    p.set.evaluate(&p.request, &EvaluationOptions::default())
}

fn ask(world: &World, principal: &str, action: &str, resource: &str) -> Evaluation {
    ask_with(world, principal, action, resource, None)
}

fn deciding(e: &Evaluation) -> Vec<String> {
    e.deciding.iter().map(|d| d.policy.clone()).collect()
}

#[test]
fn a_collected_organization_answers_like_the_seeded_one() {
    let moto = moto();
    let ids = seed(&moto.url);
    let s = |k: &str| ids[k].as_str().unwrap().to_string();
    let (mgmt, member) = (s("management"), s("member"));
    let out = out_dir("e2e");
    let mut opts = options(&moto.url, &out);
    opts.org = true;
    opts.regions = vec!["eu-west-1".into(), "us-east-1".into()];
    let started = Instant::now();
    let outcome = iamwhy_collect::collect_blocking(&opts).expect("collection succeeds");
    eprintln!(
        "collected the seeded organization (2 accounts, 2 regions) in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    // The manifest.
    let m = &outcome.manifest;
    assert!(
        m.failures.is_empty(),
        "unexpected failures: {:#?}",
        m.failures
    );
    assert_eq!(m.schema, "iamwhy.collection/1");
    assert_eq!(m.partition, "aws");
    assert!(
        m.caller.starts_with(&format!("arn:aws:sts::{mgmt}:")),
        "{}",
        m.caller
    );
    assert_eq!(m.organization.as_deref(), Some(s("organization").as_str()));
    let ids_collected: Vec<&str> = m.accounts.iter().map(|a| a.id.as_str()).collect();
    let mut expected = vec![mgmt.as_str(), member.as_str()];
    expected.sort();
    assert_eq!(ids_collected, expected);
    for a in &m.accounts {
        assert_eq!(a.regions, ["eu-west-1", "us-east-1"]);
        if a.id == mgmt {
            assert_eq!(a.via, None);
            assert!(a.services.iter().any(|s| s == "organizations"));
        } else {
            assert_eq!(
                a.via.as_deref(),
                Some(format!("arn:aws:iam::{member}:role/OrganizationAccountAccessRole").as_str())
            );
        }
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("collection.json")).unwrap())
            .unwrap();
    assert_eq!(written["failures"], serde_json::json!([]));
    let own = written["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == mgmt.as_str())
        .unwrap();
    assert_eq!(own["via"], serde_json::Value::Null);

    // Every call the collector made is in its table (so the printed policy covers it).
    assert!(
        outcome.unlisted_calls.is_empty(),
        "{:?}",
        outcome.unlisted_calls
    );
    for (svc, op) in &outcome.calls_made {
        assert!(iamwhy_collect::calls::find(svc, op).is_some(), "{svc} {op}");
    }
    assert!(
        outcome
            .calls_made
            .contains(&("STS".into(), "AssumeRole".into()))
    );

    let world = load_dir(&out).unwrap_or_else(|e| panic!("the collected world loads: {e}"));
    let alice = format!("arn:aws:iam::{mgmt}:user/alice");
    let bob = format!("arn:aws:iam::{member}:user/bob");
    let app = s("role");

    // Identity policy (managed ReadOrders attached to alice).
    let e = ask(
        &world,
        &alice,
        "s3:GetObject",
        "arn:aws:s3:::iamwhy-orders/2026/orders.csv",
    );
    assert_eq!(e.decision, Decision::Allowed);
    assert!(
        deciding(&e).contains(&"ReadOrders".to_string()),
        "{:?}",
        deciding(&e)
    );
    assert_eq!(
        ask(
            &world,
            &alice,
            "s3:PutObject",
            "arn:aws:s3:::iamwhy-orders/x"
        )
        .decision,
        Decision::ImplicitDeny
    );

    // Group policy (analysts' inline PublishAlerts).
    let e = ask(&world, &alice, "sns:Publish", &s("topic"));
    assert_eq!(e.decision, Decision::Allowed);
    assert!(
        deciding(&e).iter().any(|p| p.contains("PublishAlerts")),
        "{:?}",
        deciding(&e)
    );

    // Permissions boundary (AppBoundary allows only s3 and sqs).
    let e = ask(&world, &app, "kms:Decrypt", &s("key"));
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::PermissionsBoundary));
    assert_eq!(
        ask(&world, &app, "s3:GetObject", "arn:aws:s3:::iamwhy-orders/x").decision,
        Decision::Allowed
    );

    // SCP on the root (the member account is under it; bob may do everything).
    let e = ask_with(
        &world,
        &bob,
        "s3:DeleteBucket",
        "arn:aws:s3:::member-bucket",
        Some(&member),
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Scp));
    assert_eq!(
        ask_with(
            &world,
            &bob,
            "s3:ListBucket",
            "arn:aws:s3:::member-bucket",
            Some(&member)
        )
        .decision,
        Decision::Allowed
    );

    // RCP on the OU (the member's own queue).
    let e = ask(&world, &bob, "sqs:DeleteQueue", &s("member_queue"));
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Rcp));
    assert_eq!(
        ask(&world, &bob, "sqs:SendMessage", &s("member_queue")).decision,
        Decision::Allowed
    );

    // Bucket policy: explicit deny of secret/*, and the cross-account grant to bob.
    let e = ask(
        &world,
        &alice,
        "s3:GetObject",
        "arn:aws:s3:::iamwhy-orders/secret/key.pem",
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Resource));
    assert_eq!(
        ask(
            &world,
            &bob,
            "s3:GetObject",
            "arn:aws:s3:::iamwhy-orders/2026/orders.csv"
        )
        .decision,
        Decision::Allowed
    );

    // Key policy: deletion denied to everyone, use allowed through the root delegation.
    let e = ask(&world, &alice, "kms:ScheduleKeyDeletion", &s("key"));
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Resource));
    assert_eq!(
        ask(&world, &alice, "kms:Decrypt", &s("key")).decision,
        Decision::Allowed
    );

    // Queue policy: bob (another account) may send, not receive.
    assert_eq!(
        ask(&world, &bob, "sqs:SendMessage", &s("queue")).decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "sqs:ReceiveMessage", &s("queue")).decision,
        Decision::ImplicitDeny
    );

    // Topic policy: bob may publish, not subscribe.
    assert_eq!(
        ask(&world, &bob, "sns:Publish", &s("topic")).decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "sns:Subscribe", &s("topic")).decision,
        Decision::ImplicitDeny
    );

    // Secrets Manager, ECR, EventBridge, OpenSearch: cross-account grants to bob.
    assert_eq!(
        ask(&world, &bob, "secretsmanager:GetSecretValue", &s("secret")).decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "ecr:BatchGetImage", &s("repository")).decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "events:PutEvents", &s("bus")).decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "ecr:PutImage", &s("repository")).decision,
        Decision::ImplicitDeny
    );

    // Lambda: the alias has its own policy (the member account), the function another.
    let function = s("function");
    assert_eq!(
        ask(
            &world,
            &bob,
            "lambda:InvokeFunction",
            &format!("{function}:live")
        )
        .decision,
        Decision::Allowed
    );
    assert_eq!(
        ask(&world, &bob, "lambda:InvokeFunction", &function).decision,
        Decision::ImplicitDeny
    );
    let account = &world.accounts[&mgmt];
    let version = format!("{function}:{}", s("function_version"));
    // (moto answers GetPolicy for a version with the function's policy, so only the
    // version's presence is checked.)
    assert!(
        account.resources.contains_key(&version),
        "the version was collected"
    );
    assert!(account.resources[&function].policy.is_some());
    assert_eq!(account.resources[&version].tags["app"], "orders");

    // OpenSearch and API Gateway policies, tags, and the VPC endpoint.
    assert!(account.resources[&s("domain")].policy.is_some());
    assert!(account.resources[&s("rest_api")].policy.is_some());
    assert_eq!(account.resources[&s("rest_api")].tags["app"], "orders");
    assert_eq!(
        account.resources["arn:aws:s3:::iamwhy-orders"].tags["data"],
        "orders"
    );
    assert_eq!(account.resources[&s("key")].tags["purpose"], "orders");
    assert_eq!(account.resources[&s("queue")].tags["flow"], "orders");
    let vpce = &account.endpoints[&s("vpce")];
    assert!(vpce.policy.is_some());
    assert_eq!(account.users[&alice].tags["team"], "data");

    // The bucket's region is recorded beside its policy.
    let rp: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join(format!("accounts/{mgmt}/resource-policies.json")))
            .unwrap(),
    )
    .unwrap();
    let bucket = rp
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["arn"] == "arn:aws:s3:::iamwhy-orders")
        .unwrap();
    assert_eq!(bucket["region"], "eu-west-1");
}

const KMS_DENIED: &str = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:user/moto is not authorized to perform: kms:ListKeys because no identity-based policy allows the kms:ListKeys action"}"#;
const S3_DENIED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:user/moto is not authorized to perform: s3:GetBucketPolicy on resource: \"arn:aws:s3:::iamwhy-orders\"</Message><RequestId>test</RequestId></Error>";
const IAM_DENIED: &str = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:user/moto is not authorized to perform: iam:GetAccountAuthorizationDetails</Message></Error><RequestId>test</RequestId></ErrorResponse>";

#[test]
fn refused_calls_become_manifest_failures_and_the_rest_is_still_collected() {
    let moto = moto();
    seed(&moto.url);
    let proxy = refusing_proxy(
        &moto.url,
        vec![
            Rule {
                needle: "x-amz-target: TrentService.ListKeys".into(),
                status: 400,
                content_type: "application/x-amz-json-1.1",
                body: KMS_DENIED.into(),
            },
            Rule {
                needle: "?policy HTTP/1.1".into(),
                status: 403,
                content_type: "application/xml",
                body: S3_DENIED.into(),
            },
        ],
    );
    let out = out_dir("refused");
    let mut opts = options(&proxy.url, &out);
    opts.regions = vec!["eu-west-1".into()];
    let outcome =
        iamwhy_collect::collect_blocking(&opts).expect("a partial collection is still a world");
    let f = &outcome.manifest.failures;
    let kms = f
        .iter()
        .find(|x| x.service == "kms")
        .unwrap_or_else(|| panic!("a kms failure in {f:#?}"));
    assert_eq!(kms.operation, "ListKeys");
    assert_eq!(kms.error_code, "AccessDenied");
    assert_eq!(kms.region.as_deref(), Some("eu-west-1"));
    assert_eq!(kms.resource, None);
    assert!(
        kms.message
            .contains("not authorized to perform: kms:ListKeys")
    );
    assert!(
        kms.missing.contains("KMS keys in eu-west-1"),
        "{}",
        kms.missing
    );
    let s3 = f
        .iter()
        .find(|x| x.service == "s3")
        .unwrap_or_else(|| panic!("an s3 failure in {f:#?}"));
    assert_eq!(s3.operation, "GetBucketPolicy");
    assert_eq!(s3.resource.as_deref(), Some("arn:aws:s3:::iamwhy-orders"));
    assert_eq!(s3.error_code, "AccessDenied");
    assert_eq!(s3.missing, "the policy of bucket iamwhy-orders");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(*proxy.refused.lock().unwrap() >= 2);

    // The world loads; what was refused is absent rather than claimed policy-free.
    let world = load_dir(&out).expect("the partial world loads");
    let account = &world.accounts["123456789012"];
    assert!(!account.resources.contains_key("arn:aws:s3:::iamwhy-orders"));
    assert!(!account.resources.keys().any(|k| k.contains(":kms:")));
    assert!(account.resources.keys().any(|k| k.contains(":sqs:")));
    assert!(
        account
            .users
            .contains_key("arn:aws:iam::123456789012:user/alice")
    );
    let text = iamwhy_collect::summary(&outcome.manifest);
    assert!(text.contains("2 calls failed"), "{text}");
    assert!(text.contains("kms:ListKeys"), "{text}");
}

#[test]
fn an_account_whose_iam_is_unreadable_is_not_written_and_nothing_usable_is_an_error() {
    let moto = moto();
    seed(&moto.url);
    let proxy = refusing_proxy(
        &moto.url,
        vec![Rule {
            needle: "Action=GetAccountAuthorizationDetails".into(),
            status: 403,
            content_type: "text/xml",
            body: IAM_DENIED.into(),
        }],
    );
    let out = out_dir("no-iam");
    let mut opts = options(&proxy.url, &out);
    opts.regions = vec!["eu-west-1".into()];
    match iamwhy_collect::collect_blocking(&opts) {
        Err(iamwhy_collect::CollectError::NothingCollected(outcome)) => {
            let f = &outcome.manifest.failures;
            assert!(
                f.iter().any(|x| x.service == "iam"
                    && x.operation == "GetAccountAuthorizationDetails"
                    && x.error_code == "AccessDenied"
                    && x.region.is_none()),
                "{f:#?}"
            );
            assert!(outcome.manifest.accounts.is_empty());
            assert!(out.join("collection.json").exists());
            assert!(!out.join("accounts").exists());
        }
        other => panic!("expected NothingCollected, got {other:?}"),
    }
}

#[test]
fn bad_credentials_are_an_error_before_anything_is_written() {
    let moto = moto();
    let proxy = refusing_proxy(
        &moto.url,
        vec![Rule {
            needle: "Action=GetCallerIdentity".into(),
            status: 403,
            content_type: "text/xml",
            body: "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>t</RequestId></ErrorResponse>".into(),
        }],
    );
    let out = out_dir("no-creds");
    let opts = options(&proxy.url, &out);
    match iamwhy_collect::collect_blocking(&opts) {
        Err(iamwhy_collect::CollectError::NoCredentials(msg)) => {
            assert!(msg.contains("InvalidClientTokenId"), "{msg}");
            assert!(!out.exists(), "no world directory is left behind");
        }
        other => panic!("expected NoCredentials, got {other:?}"),
    }
}

#[test]
fn the_default_regions_are_the_enabled_ones() {
    let moto = moto();
    let out = out_dir("regions");
    let opts = options(&moto.url, &out);
    let outcome = iamwhy_collect::collect_blocking(&opts).expect("collects");
    let regions = &outcome.manifest.accounts[0].regions;
    assert!(regions.len() > 10, "{regions:?}");
    assert!(regions.iter().any(|r| r == "eu-west-1") && regions.iter().any(|r| r == "us-east-1"));
    assert!(
        outcome
            .calls_made
            .contains(&("EC2".into(), "DescribeRegions".into())),
        "{:?}",
        outcome.calls_made
    );
}

#[test]
fn a_non_empty_output_directory_is_refused() {
    let out = out_dir("occupied");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let opts = options("http://127.0.0.1:9", &out);
    match iamwhy_collect::collect_blocking(&opts) {
        Err(iamwhy_collect::CollectError::Output(msg)) => {
            assert!(msg.contains("not empty"), "{msg}")
        }
        other => panic!("expected an output error, got {other:?}"),
    }
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
}
