//! Lint the whole AWS managed-policy corpus (1,594 policies) as identity policies: parsing,
//! grammar, catalog and engine checks, with one `Linter` built beforehand. Target: under one
//! second for the corpus. Reads the embedded corpus (`iamwhy_managed_policies::embedded()`).

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_lint::{Linter, PolicyContext};
use iamwhy_policy::PolicyType;
use std::hint::black_box;

fn corpus() -> Vec<String> {
    iamwhy_managed_policies::embedded()
        .iter()
        .map(|m| {
            let doc: serde_json::Value = serde_json::from_str(m.document).unwrap_or_default();
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let policies = corpus();
    let linter = Linter::new();
    let ctx = PolicyContext::of_type(PolicyType::Identity);
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    group.bench_function(format!("aws_managed_policies_{}", policies.len()), |b| {
        b.iter(|| {
            let mut n = 0usize;
            for p in &policies {
                n += linter.lint_text(black_box(p), ctx).len();
            }
            n
        })
    });
    group.bench_function("linter_new", |b| b.iter(Linter::new));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
