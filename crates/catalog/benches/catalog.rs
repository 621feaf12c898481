//! Catalog costs: first load (parse of the embedded data), action lookup, wildcard
//! expansion, ARN → resource type, condition key type.
//!
//! Run: `cargo bench -p iamwhy-catalog --bench catalog -- --quick`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_catalog::{Catalog, catalog};

fn first_load(c: &mut Criterion) {
    // The real first use, once, before criterion warms anything up.
    let start = Instant::now();
    let cat = catalog();
    eprintln!(
        "first catalog() call: {:?} ({} actions)",
        start.elapsed(),
        cat.stats().actions
    );
    c.bench_function("load_embedded", |b| {
        b.iter(|| black_box(Catalog::load_embedded()))
    });
}

fn lookups(c: &mut Criterion) {
    let cat = catalog();
    c.bench_function("action_lookup_case_insensitive", |b| {
        b.iter(|| black_box(cat.action(black_box("s3:getobject"))))
    });
    c.bench_function("action_lookup_ec2", |b| {
        b.iter(|| black_box(cat.action(black_box("EC2:DescribeInstances"))))
    });
    c.bench_function("expand_s3_get_star", |b| {
        b.iter(|| black_box(cat.expand(black_box("s3:Get*"))))
    });
    c.bench_function("expand_iam_access_key", |b| {
        b.iter(|| black_box(cat.expand(black_box("iam:*AccessKey*"))))
    });
    c.bench_function("expand_star_colon_describe", |b| {
        b.iter(|| black_box(cat.expand(black_box("*:Describe*"))))
    });
    c.bench_function("key_type_patterned", |b| {
        b.iter(|| black_box(cat.key_type(black_box("s3:ExistingObjectTag/team"))))
    });
    c.bench_function("key_type_global", |b| {
        b.iter(|| black_box(cat.key_type(black_box("aws:SourceVpce"))))
    });
}

fn arn_matching(c: &mut Criterion) {
    let cat = catalog();
    let get = cat.action("s3:GetObject").expect("s3:GetObject");
    let query = cat.action("dynamodb:Query").expect("dynamodb:Query");
    // Compile the templates outside the measurement (they are compiled once per type).
    let _ = get.resource_types_for_arn("arn:aws:s3:::warm/up");
    let _ = query.resource_types_for_arn("arn:aws:dynamodb:us-east-1:1:table/t");
    c.bench_function("arn_to_resource_type_s3_object", |b| {
        b.iter(|| {
            black_box(get.resource_types_for_arn(black_box(
                "arn:aws:s3:::example-bucket/reports/2026/q1.pdf",
            )))
        })
    });
    c.bench_function("arn_to_resource_type_dynamodb_index", |b| {
        b.iter(|| {
            black_box(query.resource_types_for_arn(black_box(
                "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-date",
            )))
        })
    });
    c.bench_function("suggest_action_typo", |b| {
        b.iter(|| black_box(cat.suggest_actions(black_box("s3:GetObjekt"))))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = first_load, lookups, arn_matching
}
criterion_main!(benches);
