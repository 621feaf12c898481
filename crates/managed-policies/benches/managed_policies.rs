//! First-use cost of the embedded AWS managed policies (inflate ~466 KB to ~3.3 MB and index
//! 1,594 policies) and the cost of a lookup by ARN and by name.
//!
//! Run: `cargo bench -p iamwhy-managed-policies --bench managed_policies -- --quick`

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_managed_policies::{ManagedPolicies, embedded};
use std::hint::black_box;
use std::time::Instant;

fn first_use(c: &mut Criterion) {
    // The real first use, once, before criterion warms anything up.
    let start = Instant::now();
    let n = embedded().len();
    eprintln!(
        "first embedded() call: {:?} ({n} policies)",
        start.elapsed()
    );
    c.bench_function("load_inflate_and_index", |b| {
        b.iter(|| black_box(ManagedPolicies::load().unwrap()))
    });
}

fn lookups(c: &mut Criterion) {
    let data = embedded();
    c.bench_function("get_by_arn", |b| {
        b.iter(|| {
            black_box(data.get(black_box(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            )))
        })
    });
    c.bench_function("get_by_arn_other_partition", |b| {
        b.iter(|| black_box(data.get(black_box("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"))))
    });
    c.bench_function("by_name", |b| {
        b.iter(|| black_box(data.by_name(black_box("AmazonS3ReadOnlyAccess"))))
    });
}

criterion_group!(benches, first_use, lookups);
criterion_main!(benches);
