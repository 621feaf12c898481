//! Request-side fixes suggest only changes the caller can make: a region the resource lives
//! in, and a VPC endpoint route that accounts for what the endpoint changes.

use iamwhy_engine::{Decision, EvaluationOptions};
use iamwhy_explain::{FixReport, WorldIndex, suggest};
use iamwhy_world::{Question, World, load_dir};

fn write(dir: &std::path::Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn world(tag: &str, statement: &str) -> World {
    let scratch = tempfile::Builder::new()
        .prefix(&format!("iamwhy-reqfix-{tag}-"))
        .tempdir()
        .unwrap();
    let dir = scratch.path().to_path_buf();
    write(
        &dir,
        "accounts/111111111111/authorization-details.json",
        &format!(
            r#"{{"UserDetailList":[{{"UserName":"dev","Arn":"arn:aws:iam::111111111111:user/dev",
            "UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Version":"2012-10-17","Statement":[{statement}]}}}}]}}]}}"#
        ),
    );
    write(
        &dir,
        "accounts/111111111111/resource-policies.json",
        r#"[{"arn":"arn:aws:s3:::data"}]"#,
    );
    load_dir(&dir).unwrap()
}

fn fixes(w: &World, action: &str, resource: &str, context: &[(&str, &str)]) -> FixReport {
    let q = Question {
        principal: "arn:aws:iam::111111111111:user/dev".into(),
        action: action.into(),
        resource: resource.into(),
        context: context
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    };
    let p = w.prepare(&q).unwrap();
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    assert_eq!(e.decision, Decision::ImplicitDeny);
    suggest(&WorldIndex::new(w), &q, &p, &e)
}

const ONLY_FRANKFURT: &str = r#"{"Effect":"Allow","Action":["dynamodb:GetItem","s3:GetObject"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-central-1"}}}"#;

#[test]
fn region_fix_is_not_offered_for_a_resource_in_another_region() {
    let w = world("region", ONLY_FRANKFURT);
    let r = fixes(
        &w,
        "dynamodb:GetItem",
        "arn:aws:dynamodb:eu-west-1:111111111111:table/orders",
        &[],
    );
    assert!(
        !r.fixes.iter().any(|f| f.title.contains("region")),
        "{:?}",
        r.fixes
    );
    assert!(
        r.rejected
            .iter()
            .any(|x| x.contains("cannot reach a resource that lives in eu-west-1")),
        "{:?}",
        r.rejected
    );
}

#[test]
fn region_fix_is_offered_when_the_resource_has_no_region() {
    let w = world("region-s3", ONLY_FRANKFURT);
    let r = fixes(
        &w,
        "s3:GetObject",
        "arn:aws:s3:::data/report.csv",
        &[("aws:RequestedRegion", "us-east-1")],
    );
    assert!(
        r.fixes
            .iter()
            .any(|f| f.title.contains("make the call in region eu-central-1")),
        "{:?}",
        r.fixes
    );
}

#[test]
fn endpoint_fix_drops_the_public_source_address_and_names_the_endpoint_policy() {
    let w = world(
        "vpce",
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0abc1234def567890"}}},
           {"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
    );
    // From the office network the deny fires.  Through the endpoint there is no aws:SourceIp.
    let q = Question {
        principal: "arn:aws:iam::111111111111:user/dev".into(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::data/report.csv".into(),
        context: vec![("aws:SourceIp".into(), "203.0.113.7".into())],
        now: Some("2026-11-22T12:00:00Z".into()),
        ..Question::default()
    };
    let p = w.prepare(&q).unwrap();
    let e = p.set.evaluate(&p.request, &EvaluationOptions::default());
    assert_eq!(e.decision, Decision::ExplicitDeny);
    let r = suggest(&WorldIndex::new(&w), &q, &p, &e);
    let fix = r
        .fixes
        .iter()
        .find(|f| f.title.contains("VPC endpoint vpce-0abc1234def567890"))
        .unwrap_or_else(|| panic!("{:?}", r));
    assert!(
        fix.also_allows
            .iter()
            .any(|a| a.contains("no aws:SourceIp") && a.contains("policy of endpoint")),
        "{:?}",
        fix.also_allows
    );
}
