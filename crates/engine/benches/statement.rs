//! Statement matching: one compiled statement against one request (action, resource with a
//! policy variable, an IP condition and a tag condition).

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_engine::{
    CompiledPolicy, Context, EvaluationOptions, Principal, Request, RequestResource,
};
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::hint::black_box;
use std::sync::Arc;

fn bench(c: &mut Criterion) {
    let text = r#"{"Version":"2012-10-17","Statement":[
      {"Sid":"Reports","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],
       "Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/${aws:PrincipalTag/team}/*"],
       "Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.0/24"]},
                    "StringEquals":{"aws:PrincipalTag/team":["red","blue"]}}},
      {"Sid":"DenyOthers","Effect":"Deny","NotAction":["s3:*","kms:Decrypt"],"Resource":"*"}]}"#;
    let doc = Arc::new(PolicyDocument::parse(text).unwrap());
    let policy = CompiledPolicy::compile("p", PolicyType::Identity, doc);
    let mut ctx = Context::new();
    ctx.set("aws:SourceIp", "203.0.113.10");
    ctx.set("aws:PrincipalTag/team", "red");
    let req = Request::new(
        Principal::parse("arn:aws:sts::111122223333:assumed-role/App/s1").unwrap(),
        "s3:GetObject",
        RequestResource::parse("arn:aws:s3:::reports/red/q3.csv"),
        ctx,
    )
    .unwrap();
    let opts = EvaluationOptions::default();
    c.bench_function("statement_applicability_allow_with_conditions", |b| {
        b.iter(|| black_box(&policy.statements[0]).applicability(black_box(&req), &opts))
    });
    c.bench_function("statement_applicability_notaction_deny", |b| {
        b.iter(|| black_box(&policy.statements[1]).applicability(black_box(&req), &opts))
    });
    c.bench_function("statement_evaluate_recorded", |b| {
        b.iter(|| black_box(&policy.statements[0]).evaluate(black_box(&req), &opts))
    });
    c.bench_function("parse_and_compile_policy", |b| {
        b.iter(|| {
            let doc = Arc::new(PolicyDocument::parse(black_box(text)).unwrap());
            CompiledPolicy::compile("p", PolicyType::Identity, doc)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
