//! Every snapshot of the vendored corpus (tests/data/corpus: cloudsplaining's and cloudmapper's
//! real-shaped AWS CLI outputs) loads as a world, and a few decisions on them hold.

mod common;

use common::*;
use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::{Decision, Layer};
use iamwhy_world::{Question, load_dir};
use serde_json::{Value, json};

fn ask(
    world: &iamwhy_world::World,
    principal: &str,
    action: &str,
    resource: &str,
) -> iamwhy_engine::Evaluation {
    let q = Question {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    };
    let p = world.prepare(&q).unwrap_or_else(|e| panic!("{e}"));
    let opts = EvaluationOptions::default();
    let e = p.set.evaluate(&p.request, &opts);
    assert_eq!(p.set.decide(&p.request, &opts), e.decision);
    e
}

/// cloudsplaining's example holds entities of two accounts (200611803367 and, a few,
/// 012345678901): as it is, it is refused; its 200611803367 part is a world.
fn cloudsplaining_own_part() -> Scratch {
    let text = std::fs::read_to_string(corpus().join("gaad/cloudsplaining-example.json")).unwrap();
    let mut gaad: Value = serde_json::from_str(&text).unwrap();
    for list in [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ] {
        gaad[list]
            .as_array_mut()
            .unwrap()
            .retain(|e| !e["Arn"].as_str().unwrap().contains(":012345678901:"));
    }
    let dir = temp_dir("200611803367");
    write(
        &dir,
        "accounts/200611803367/authorization-details.json",
        &serde_json::to_string_pretty(&gaad).unwrap(),
    );
    dir
}

#[test]
fn cloudsplaining_example_mixing_two_accounts_is_refused_where_the_other_account_starts() {
    let dir = world_from_gaad(
        &corpus().join("gaad/cloudsplaining-example.json"),
        "200611803367",
    );
    let e = load_dir(&dir).unwrap_err();
    assert_eq!(e.code, "account-mismatch");
    assert_eq!(e.json_path.as_deref(), Some("Policies[56]"));
    assert!(e.position().is_some_and(|p| p.line > 1), "{e}");
    assert!(e.message.contains("belongs to account 012345678901"), "{e}");
}

#[test]
fn cloudsplaining_example_loads_as_a_world() {
    let dir = cloudsplaining_own_part();
    let w = load_dir(&dir).unwrap();
    let a = &w.accounts["200611803367"];
    assert_eq!(a.users.len(), 41);
    assert_eq!(a.groups.len(), 3);
    assert_eq!(a.roles.len(), 75);
    assert_eq!(a.managed.len(), 82);
}

#[test]
fn cloudsplaining_deny_all_policy_explicitly_denies_its_user() {
    let dir = cloudsplaining_own_part();
    let w = load_dir(&dir).unwrap();
    let e = ask(
        &w,
        "arn:aws:iam::200611803367:user/fp2-allow-and-deny-multiple-policies-user",
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-1:200611803367:table/orders",
    );
    assert_eq!(e.decision, Decision::ExplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Identity));
    assert_eq!(e.deciding[0].policy, "deny-all");
    assert!(
        e.deciding[0]
            .source
            .as_deref()
            .unwrap()
            .contains("Policies[")
    );
}

#[test]
fn cloudsplaining_smaller_snapshot_loads() {
    let dir = world_from_gaad(
        &corpus().join("gaad/cloudsplaining-example-authz-details.json"),
        "012345678901",
    );
    let w = load_dir(&dir).unwrap();
    assert!(!w.accounts["012345678901"].roles.is_empty());
}

/// The cloudmapper demo account as raw AWS CLI outputs, turned into a world: the bucket, queue,
/// topic, function, repository and secret policies become resource-policies.json.
fn cloudmapper_world() -> Scratch {
    let src = corpus().join("cloudmapper-demo");
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(src.join(f)).unwrap()).unwrap()
    };
    let dir = world_from_gaad(
        &src.join("iam-get-account-authorization-details.json"),
        "123456789012",
    );
    let bucket = read("s3-list-buckets.json")["Buckets"][0]["Name"]
        .as_str()
        .unwrap()
        .to_string();
    let queue_url = read("sqs-list-queues.json")["QueueUrls"][0]
        .as_str()
        .unwrap()
        .to_string();
    let queue = queue_url.rsplit('/').next().unwrap();
    let topic = read("sns-get-topic-attributes.demo_public.json");
    let private_topic = read("sns-get-topic-attributes.demo_private.json");
    let repo = read("ecr-get-repository-policy.cloudmapper.json");
    let secret = read("secretsmanager-get-resource-policy.demo-secret.json");
    let entries = json!([
        {"arn": format!("arn:aws:s3:::{bucket}"), "policy": read(&format!("s3-get-bucket-policy.{bucket}.json"))["Policy"]},
        {"arn": format!("arn:aws:sqs:us-east-1:123456789012:{queue}"), "policy": read("sqs-get-queue-attributes.demo.json")["Attributes"]["Policy"]},
        {"arn": topic["Attributes"]["TopicArn"], "policy": topic["Attributes"]["Policy"]},
        {"arn": private_topic["Attributes"]["TopicArn"], "policy": private_topic["Attributes"]["Policy"]},
        {"arn": "arn:aws:lambda:us-east-1:123456789012:function:invpclambda", "policy": read("lambda-get-policy.invpclambda.json")["Policy"]},
        {"arn": format!("arn:aws:ecr:us-east-1:123456789012:repository/{}", repo["repositoryName"].as_str().unwrap()), "policy": repo["policyText"]},
        {"arn": secret["ARN"], "policy": null}
    ]);
    write(
        &dir,
        "accounts/123456789012/resource-policies.json",
        &entries.to_string(),
    );
    std::fs::copy(
        src.join("ec2-describe-vpc-endpoints.json"),
        dir.join("accounts/123456789012/vpc-endpoints.json"),
    )
    .unwrap();
    dir
}

#[test]
fn cloudmapper_demo_loads_with_its_resource_policies_and_endpoints() {
    let w = load_dir(&cloudmapper_world()).unwrap_or_else(|e| panic!("{e}"));
    let a = &w.accounts["123456789012"];
    assert_eq!(a.resources.len(), 7);
    assert!(!a.endpoints.is_empty());
    assert!(a.roles.keys().any(|r| r.ends_with("role/level3")));
}

#[test]
fn cloudmapper_public_bucket_allows_anonymous_reads_but_not_writes() {
    let w = load_dir(&cloudmapper_world()).unwrap();
    let read = ask(
        &w,
        "anonymous",
        "s3:GetObject",
        "arn:aws:s3:::cloudmapper_demo/index.html",
    );
    assert_eq!(read.decision, Decision::Allowed);
    assert_eq!(read.deciding[0].layer, Layer::Resource);
    let write = ask(
        &w,
        "anonymous",
        "s3:PutObject",
        "arn:aws:s3:::cloudmapper_demo/index.html",
    );
    assert_eq!(write.decision, Decision::ImplicitDeny);
    assert_eq!(write.reason.layer, Some(Layer::Resource));
}

#[test]
fn cloudmapper_public_queue_accepts_messages_from_anyone() {
    let w = load_dir(&cloudmapper_world()).unwrap();
    let e = ask(
        &w,
        "anonymous",
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:123456789012:demo",
    );
    assert_eq!(e.decision, Decision::Allowed);
}

#[test]
fn cloudmapper_role_without_an_allow_is_implicitly_denied() {
    let w = load_dir(&cloudmapper_world()).unwrap();
    let e = ask(
        &w,
        "arn:aws:sts::123456789012:assumed-role/level3/s",
        "iam:CreateUser",
        "arn:aws:iam::123456789012:user/x",
    );
    assert_eq!(e.decision, Decision::ImplicitDeny);
    assert_eq!(e.reason.layer, Some(Layer::Identity));
}

#[test]
fn federated_user_inherits_the_creating_users_policies_and_needs_a_session_policy() {
    let dir = temp_dir("federated");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        r#"{"UserDetailList":[{"UserName":"builder","UserId":"AIDAEXAMPLEBUILDER01","Arn":"arn:aws:iam::111111111111:user/builder",
            "UserPolicyList":[{"PolicyName":"read","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}}]}]}"#,
    );
    write(
        &dir,
        "accounts/111111111111/resource-policies.json",
        r#"[{"arn":"arn:aws:s3:::artifacts"}]"#,
    );
    let w = load_dir(&dir).unwrap();
    let q = |session_policy: Option<&str>, by: Option<&str>| Question {
        principal: "arn:aws:sts::111111111111:federated-user/build".into(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::artifacts/app.zip".into(),
        federated_by: by.map(str::to_string),
        session_policy: session_policy.map(str::to_string),
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    };
    let err = w
        .prepare(&q(None, None))
        .err()
        .expect("needs --federated-by")
        .to_string();
    assert!(err.contains("--federated-by"), "{err}");
    let by = Some("arn:aws:iam::111111111111:user/builder");
    let ask = |sp: Option<&str>| {
        let p = w.prepare(&q(sp, by)).unwrap();
        p.set.evaluate(&p.request, &EvaluationOptions::default())
    };
    let e = ask(None);
    assert_eq!(
        e.decision,
        Decision::ImplicitDeny,
        "no session policy: no identity permissions"
    );
    assert_eq!(e.reason.layer, Some(Layer::Session));
    let all =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    assert_eq!(
        ask(Some(all)).decision,
        Decision::Allowed,
        "the user's policy and the session policy both allow"
    );
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;
    assert_eq!(
        ask(Some(other)).decision,
        Decision::ImplicitDeny,
        "the session policy does not allow it"
    );
}

#[test]
fn aws_managed_policies_can_be_read_but_not_changed_in_a_world() {
    let dir = temp_dir("awsmanaged");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        r#"{"UserDetailList":[{"UserName":"admin","Arn":"arn:aws:iam::111111111111:user/admin",
            "UserPolicyList":[{"PolicyName":"iam","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}}]}]}"#,
    );
    let w = load_dir(&dir).unwrap();
    let ask = |action: &str| {
        let p = w
            .prepare(&Question {
                principal: "arn:aws:iam::111111111111:user/admin".into(),
                action: action.into(),
                resource: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
                now: Some("2026-11-22T12:00:00Z".into()),
                ..Question::default()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        p.set
            .evaluate(&p.request, &EvaluationOptions::default())
            .decision
    };
    assert_eq!(ask("iam:GetPolicyVersion"), Decision::Allowed);
    assert_eq!(ask("iam:CreatePolicyVersion"), Decision::ImplicitDeny);
}

#[test]
fn principals_and_buckets_keep_their_partition() {
    let dir = temp_dir("partition");
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        r#"{"RoleDetailList":[{"RoleName":"reader","RoleId":"AROAEXAMPLEREADER001","Arn":"arn:aws-cn:iam::111111111111:role/reader",
            "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[]},
            "RolePolicyList":[{"PolicyName":"read","PolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws-cn:s3:::cn-data/*"}]}}]}]}"#,
    );
    write(
        &dir,
        "accounts/111111111111/resource-policies.json",
        r#"[{"arn":"arn:aws-cn:s3:::cn-data","policy":{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws-cn:s3:::cn-data/secret/*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws-cn:iam::111111111111:role/reader"}}}]}}]"#,
    );
    let w = load_dir(&dir).unwrap();
    let prepare = |resource: &str| {
        w.prepare(&Question {
            principal: "arn:aws-cn:sts::111111111111:assumed-role/reader/s1".into(),
            action: "s3:GetObject".into(),
            resource: resource.into(),
            now: Some("2026-11-22T12:00:00Z".into()),
            ..Question::default()
        })
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let p = prepare("arn:aws-cn:s3:::cn-data/report.csv");
    assert_eq!(
        p.request.principal.arn.as_deref(),
        Some("arn:aws-cn:sts::111111111111:assumed-role/reader/s1")
    );
    assert_eq!(
        p.set
            .evaluate(&p.request, &EvaluationOptions::default())
            .decision,
        Decision::Allowed
    );
    let p = prepare("arn:aws-cn:s3:::cn-data/secret/key");
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    assert_eq!(
        e.decision,
        Decision::ExplicitDeny,
        "the bucket policy of a China-partition bucket is found and applied"
    );
}

/// Extra coverage when ../shared is beside the checkout: every vendored file is a byte-for-byte
/// copy of the shared corpus' (tools/vendor-corpus/vendor.sh copies them), so the tests above
/// test the real inputs. Without ../shared there is nothing to compare with and the test says so.
#[test]
fn vendored_corpus_files_equal_the_shared_corpus_when_present() {
    let Some(shared) = shared_corpus() else {
        eprintln!(
            "skipped: no ../shared/corpus beside the checkout to compare the vendored copy with"
        );
        return;
    };
    for sub in ["gaad", "cloudmapper-demo"] {
        let names = |dir: &std::path::Path| {
            let mut v: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            v.sort();
            v
        };
        let ours = names(&corpus().join(sub));
        assert_eq!(ours, names(&shared.join(sub)), "{sub}: the same files");
        for name in ours {
            assert!(
                std::fs::read(corpus().join(sub).join(&name)).unwrap()
                    == std::fs::read(shared.join(sub).join(&name)).unwrap(),
                "{sub}/{name:?} differs from the shared corpus: run tools/vendor-corpus/vendor.sh"
            );
        }
    }
}
