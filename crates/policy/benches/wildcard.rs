//! Wildcard matching benchmarks, including the adversarial case that breaks backtracking
//! matchers: a 1 KB pattern `*a*a*a…` against 10 KB of text.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use iamwhy_policy::wildcard::Wildcard;
use std::hint::black_box;

fn adversarial(c: &mut Criterion) {
    let mut group = c.benchmark_group("adversarial");
    let text = "a".repeat(10 * 1024);

    // `*a*a*...*a*b` (1 KB) against "aaaa...a" (10 KB): the classic backtracking killer. The
    // anchored last piece rejects it at once.
    let w = Wildcard::compile(&("*a".repeat(511) + "*b"));
    group.bench_function("star_a_1k_vs_10k_no_match", |b| {
        b.iter(|| black_box(&w).matches(black_box(&text)))
    });

    // The last piece matches but a middle piece is missing: every piece before it is found
    // and the missing one is searched through the rest of the text (the full scan).
    let scan = Wildcard::compile(&("*a".repeat(509) + "*c*a"));
    group.bench_function("star_a_1k_middle_miss_vs_10k", |b| {
        b.iter(|| black_box(&scan).matches(black_box(&text)))
    });

    // The same with `?` in the pieces, which uses the bit-parallel scan.
    let scan_q = Wildcard::compile(&("*a?a".repeat(254) + "*c?c*a"));
    group.bench_function("star_a_question_1k_middle_miss_vs_10k", |b| {
        b.iter(|| black_box(&scan_q).matches(black_box(&text)))
    });

    // Linearity: doubling the text doubles the time of the full scan.
    for kb in [10usize, 20, 40, 80] {
        let text = "a".repeat(kb * 1024);
        group.bench_with_input(
            BenchmarkId::new("middle_miss_text_kb", kb),
            &text,
            |b, t| b.iter(|| black_box(&scan).matches(black_box(t))),
        );
        group.bench_with_input(
            BenchmarkId::new("question_middle_miss_text_kb", kb),
            &text,
            |b, t| b.iter(|| black_box(&scan_q).matches(black_box(t))),
        );
    }
    group.finish();
}

fn typical(c: &mut Criterion) {
    let arn_field = Wildcard::compile("reports/*/2026-*/summary-??.csv");
    c.bench_function("typical_resource_field", |b| {
        b.iter(|| {
            black_box(&arn_field).matches(black_box("reports/team-red/2026-10/summary-q3.csv"))
        })
    });
    let action = Wildcard::compile_folded("*AccessKey*");
    c.bench_function("typical_action_name", |b| {
        b.iter(|| black_box(&action).matches(black_box("listaccesskeys")))
    });
}

criterion_group!(benches, adversarial, typical);
criterion_main!(benches);
