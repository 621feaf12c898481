//! Lint the whole AWS managed-policy corpus (1,594 policies) as identity policies: parsing,
//! grammar, catalog and engine checks, with one `Linter` built beforehand. Target: under one
//! second for the corpus. Reads the corpus beside the checkout (see tests/managed_policies.rs);
//! without it, the benchmark says so and measures nothing.

use criterion::{Criterion, criterion_group, criterion_main};
use iamwhy_lint::{Linter, PolicyContext};
use iamwhy_policy::PolicyType;
use std::hint::black_box;
use std::path::PathBuf;

fn corpus() -> Option<Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/aws-managed-policies.json");
    let text = std::fs::read_to_string(&path).ok()?;
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).ok()?;
    Some(
        map.values()
            .map(|e| serde_json::to_string_pretty(&e["document"]).unwrap_or_default())
            .collect(),
    )
}

fn bench(c: &mut Criterion) {
    let Some(policies) = corpus() else {
        eprintln!("the managed-policy corpus is not beside the checkout; nothing to measure");
        return;
    };
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
