//! The full decision on a realistic request: tools/peer-bench/scenario.json (a cross-account
//! s3:GetObject by a role session; 2 identity policies with a policy variable, a NotAction deny
//! and an IP condition; 3 SCP levels with a region lock; a boundary; an RCP; a bucket policy;
//! 8 context keys). The same file drives the comparison with the peer simulator.
//!
//! Discovery on the same scenario, side by side: with the keys the request lacks unknown
//! (the scenario gives all 8 keys its conditions consult, so the formula is `true`), and with
//! every key unknown (every condition becomes a term: the worst case for the formula).

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_conformance::case::build;
use iamwhy_conformance::read;
use iamwhy_engine::{EvaluationOptions, Unknowns};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../peer-bench/scenario.json");
    let text = std::fs::read_to_string(path).expect("the scenario file");
    let line = text.trim();
    let mut case = read::case(line).expect("a case");
    let (set, req) = build(&mut case).expect("the scenario builds");
    let opts = EvaluationOptions::default();
    assert!(
        !set.decide(&req, &opts).is_denied(),
        "the scenario is allowed"
    );
    c.bench_function("decide_cross_account_s3_realistic", |b| {
        b.iter(|| black_box(&set).decide(black_box(&req), &opts))
    });
    c.bench_function("evaluate_with_explanation_realistic", |b| {
        b.iter(|| black_box(&set).evaluate(black_box(&req), &opts))
    });
    let missing = Unknowns::missing_keys();
    let every = Unknowns::every_key();
    assert!(
        set.discover(&req, &opts, &missing).allowed_when.is_true(),
        "every key the scenario consults is given"
    );
    assert!(
        !set.discover(&req, &opts, &every).allowed_when.is_true(),
        "with every key unknown, the answer has conditions"
    );
    c.bench_function("discover_missing_keys_realistic", |b| {
        b.iter(|| black_box(&set).discover(black_box(&req), &opts, &missing))
    });
    c.bench_function("discover_every_key_unknown_realistic", |b| {
        b.iter(|| black_box(&set).discover(black_box(&req), &opts, &every))
    });
    // Reading the case compiles its policies; building assembles the set and the request.
    c.bench_function("parse_and_compile_scenario_policies", |b| {
        b.iter(|| build(&mut read::case(black_box(line)).unwrap()).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
