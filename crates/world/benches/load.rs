//! The cost of loading policies, measured side by side with a plain JSON parse of the same text
//! (docs/performance.md):
//!
//! - `corpus`: parse + compile of each of the 1,594 embedded AWS managed policies, per policy,
//!   against `serde_json::from_str::<serde_json::Value>` of the same text, as a ratio; and the
//!   heap allocations per document of each (a counting global allocator).
//! - `positions`: a 4,000-statement policy minified (one line, as IAM's APIs return them) and
//!   pretty-printed; compiling the minified copy must cost no more than twice the pretty one
//!   (statement positions are computed with a line index, not by counting from the line start).
//!
//! - `--parse-world DIR`: reading and `serde_json::Value`-parsing a world's files against
//!   `load_dir` of it (used by tools/load-bench/run.sh).
//!
//! Run: `cargo bench -p iamwhy-world --bench load` (add `-- --quick` for criterion's short run,
//! `-- --summary-only` for the summary lines alone).
//! The summary lines (`SUMMARY ...`) are printed first, from medians of 5 rounds (the corpus
//! ratio: the median of 21 rounds' ratios, the three timed in turn in each round).

#![allow(unsafe_code)] // the counting allocator

use criterion::{Criterion, criterion_group};
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The allocator the `iamwhy` binary uses (mimalloc) or, when the bench is built with
/// `IAMWHY_BENCH_SYSTEM_ALLOC=1` in the environment, the system allocator; counting
/// allocations and live bytes.
struct Counting;

/// Chosen when the bench is compiled: an allocator cannot change once the first allocation
/// is made.
fn system_alloc() -> bool {
    option_env!("IAMWHY_BENCH_SYSTEM_ALLOC").is_some()
}

static MIMALLOC: iamwhy_alloc::Mimalloc = iamwhy_alloc::Mimalloc;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated and not yet freed.
static LIVE: AtomicU64 = AtomicU64::new(0);
/// Whether to count: only while allocations are measured, so that the timed rounds pay
/// nothing for the counters (their cost grows with the number of allocations, and would
/// weigh on the side that allocates more).
static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn counting() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

// SAFETY: every call is passed on unchanged to one allocator, chosen before the first one.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        unsafe {
            if system_alloc() {
                System.alloc(layout)
            } else {
                MIMALLOC.alloc(layout)
            }
        }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counting() {
            LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        }
        unsafe {
            if system_alloc() {
                System.dealloc(ptr, layout)
            } else {
                MIMALLOC.dealloc(ptr, layout)
            }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counting() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_add(new_size as u64, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        }
        unsafe {
            if system_alloc() {
                System.realloc(ptr, layout, new_size)
            } else {
                MIMALLOC.realloc(ptr, layout, new_size)
            }
        }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Parse and compile as a world loads a policy (no statement tree kept).
fn parse_compile(text: &str) -> CompiledPolicy {
    CompiledPolicy::parse("p", PolicyType::Identity, text).expect("the corpus parses")
}

fn corpus() -> Vec<&'static str> {
    iamwhy_managed_policies::embedded()
        .iter()
        .map(|p| p.document)
        .collect()
}

/// Rounds of the corpus ratio (each times `serde_json::Value`, parse + compile and parse once).
const RATIO_ROUNDS: usize = 21;

/// Median over 5 rounds of the time of one call of `f` on every text.
fn median_round(texts: &[&str], f: &dyn Fn(&str)) -> Duration {
    let mut rounds: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            for t in texts {
                f(t);
            }
            start.elapsed()
        })
        .collect();
    rounds.sort();
    rounds[2]
}

fn allocations(texts: &[&str], f: &dyn Fn(&str)) -> f64 {
    COUNTING.store(true, Ordering::Relaxed);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for t in texts {
        f(t);
    }
    let n = ALLOCATIONS.load(Ordering::Relaxed) - before;
    COUNTING.store(false, Ordering::Relaxed);
    n as f64 / texts.len() as f64
}

/// A policy of `n` statements, pretty-printed (`pretty`) or on one line, with a few
/// non-ASCII Sids so that the character-counting path is the one measured.
fn big_policy(n: usize, pretty: bool) -> String {
    let statements: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "Sid": format!("Lecture{i}é"),
                "Effect": if i % 7 == 0 { "Deny" } else { "Allow" },
                "Action": ["s3:GetObject", format!("s3:Put*{i}")],
                "Resource": format!("arn:aws:s3:::bucket-{i}/*"),
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": format!("t{i}")}}
            })
        })
        .collect();
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": statements});
    if pretty {
        serde_json::to_string_pretty(&doc).unwrap()
    } else {
        serde_json::to_string(&doc).unwrap()
    }
}

fn summary() {
    let texts = corpus();
    let serde_value = |t: &str| {
        black_box(serde_json::from_str::<serde_json::Value>(t).unwrap());
    };
    let ours = |t: &str| {
        black_box(parse_compile(t));
    };
    // Warm up (the embedded corpus is inflated on first use above).
    median_round(&texts, &ours);
    let n = texts.len() as f64;
    let parse_only = |t: &str| {
        black_box(PolicyDocument::parse(t).unwrap());
    };
    // The three are timed in turn, round after round, and the ratio is the median of each
    // round's ratio: a slow spell of the machine then weighs on both sides of a ratio alike.
    let one = |f: &dyn Fn(&str)| {
        let start = Instant::now();
        for t in &texts {
            f(t);
        }
        start.elapsed()
    };
    let (mut v, mut o, mut p, mut ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RATIO_ROUNDS {
        let (tv, to, tp) = (one(&serde_value), one(&ours), one(&parse_only));
        ratios.push(to.as_secs_f64() / tv.as_secs_f64());
        v.push(tv);
        o.push(to);
        p.push(tp);
    }
    let median = |mut d: Vec<Duration>| {
        d.sort();
        d[d.len() / 2]
    };
    let (t_value, t_ours, t_parse) = (median(v), median(o), median(p));
    ratios.sort_by(f64::total_cmp);
    let (q1, ratio, q3) = (
        ratios[RATIO_ROUNDS / 4],
        ratios[RATIO_ROUNDS / 2],
        ratios[3 * RATIO_ROUNDS / 4],
    );
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    println!(
        "SUMMARY allocator: {}",
        if system_alloc() {
            "system"
        } else {
            "mimalloc (as the iamwhy binary)"
        }
    );
    println!(
        "SUMMARY corpus: {} policies, {:.1} KiB mean; serde_json::Value {:.2} us/policy; parse {:.2} us/policy; parse+compile {:.2} us/policy; ratio {ratio:.2} (quartiles {q1:.2}-{q3:.2} over {RATIO_ROUNDS} rounds; target <= 2.0)",
        texts.len(),
        bytes as f64 / n / 1024.0,
        t_value.as_secs_f64() * 1e6 / n,
        t_parse.as_secs_f64() * 1e6 / n,
        t_ours.as_secs_f64() * 1e6 / n,
    );
    let a_value = allocations(&texts, &serde_value);
    let a_ours = allocations(&texts, &ours);
    let a_parse = allocations(&texts, &parse_only);
    println!(
        "SUMMARY allocations per document: serde_json::Value {a_value:.1}; parse {a_parse:.1}; parse+compile {a_ours:.1}; ratio {:.2}",
        a_ours / a_value
    );
    // What a loaded policy keeps (heap bytes still allocated with every document held).
    let bytes_in: usize = texts.iter().map(|t| t.len()).sum();
    let kept = |f: &dyn Fn(&str) -> Box<dyn std::any::Any>| {
        COUNTING.store(true, Ordering::Relaxed);
        let before = LIVE.load(Ordering::Relaxed);
        let held: Vec<_> = texts.iter().map(|t| f(t)).collect();
        let bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        COUNTING.store(false, Ordering::Relaxed);
        drop(held);
        bytes as f64 / bytes_in as f64
    };
    let k_value = kept(&|t| Box::new(serde_json::from_str::<serde_json::Value>(t).unwrap()));
    let k_parse = kept(&|t| Box::new(PolicyDocument::parse(t).unwrap()));
    let k_ours = kept(&|t| Box::new(parse_compile(t)));
    println!(
        "SUMMARY memory kept per byte of policy text: serde_json::Value {k_value:.2}; parsed document {k_parse:.2}; compiled policy (with its document) {k_ours:.2}"
    );

    // Growth with the number of policies attached to the caller: a decision scans each.
    for n in [10usize, 40, 160] {
        let policies: Vec<CompiledPolicy> = (0..n)
            .map(|i| {
                let text = format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["ec2:Describe*","s3:Put*"],"Resource":"arn:aws:s3:::bucket-{i}/*"}},{{"Effect":"Deny","Action":"iam:*","Resource":"*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"false"}}}}}}]}}"#
                );
                parse_compile(&text)
            })
            .collect();
        let set = iamwhy_engine::PolicySet::new().with_identity(policies);
        let req = iamwhy_engine::Request::new(
            iamwhy_engine::Principal::parse("arn:aws:iam::111122223333:user/alice").unwrap(),
            "s3:GetObject",
            iamwhy_engine::RequestResource::parse("arn:aws:s3:::bucket-0/key"),
            iamwhy_engine::Context::new(),
        )
        .unwrap();
        let opts = iamwhy_engine::EvaluationOptions::default();
        let calls = 2000;
        let t = median_round(&[""], &|_| {
            for _ in 0..calls {
                black_box(set.decide(black_box(&req), &opts));
            }
        });
        let us = t.as_secs_f64() * 1e6 / calls as f64;
        println!(
            "SUMMARY attached policies {n}: decide {us:.2} us ({:.3} us per policy)",
            us / n as f64
        );
    }

    for n in [1000usize, 2000, 4000] {
        let pretty = big_policy(n, true);
        let minified = big_policy(n, false);
        let time = |text: &str| {
            let one = [text];
            median_round(&one, &|t| {
                black_box(parse_compile(t));
            })
        };
        let (tp, tm) = (time(&pretty), time(&minified));
        println!(
            "SUMMARY positions {n} statements: pretty {:.2} ms ({} lines); minified {:.2} ms (1 line); minified/pretty {:.2} (target <= 2.0)",
            tp.as_secs_f64() * 1e3,
            pretty.lines().count(),
            tm.as_secs_f64() * 1e3,
            tm.as_secs_f64() / tp.as_secs_f64()
        );
    }
}

fn benches(c: &mut Criterion) {
    let texts = corpus();
    let mut g = c.benchmark_group("corpus");
    g.sample_size(10);
    g.bench_function("serde_json_value_all", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(serde_json::from_str::<serde_json::Value>(t).unwrap());
            }
        })
    });
    g.bench_function("parse_compile_all", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(parse_compile(t));
            }
        })
    });
    g.finish();
    let mut g = c.benchmark_group("positions_4000_statements");
    g.sample_size(10);
    for (name, pretty) in [("pretty", true), ("minified", false)] {
        let text = big_policy(4000, pretty);
        g.bench_function(name, |b| b.iter(|| black_box(parse_compile(&text))));
    }
    g.finish();
}

criterion_group!(group, benches);

/// `--parse-world DIR`: the floor a world load is compared with — read every `.json` file of
/// the world and parse it into a `serde_json::Value` — then `load_dir` of the same world,
/// each the median of 5 runs, in milliseconds.
fn parse_world(dir: &std::path::Path) {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.file_name().is_some_and(|n| n != "sample-queries.json")
            {
                out.push(p);
            }
        }
    }
    let mut list = Vec::new();
    files(dir, &mut list);
    let bytes: u64 = list.iter().map(|p| p.metadata().unwrap().len()).sum();
    let median = |f: &dyn Fn()| {
        let mut t: Vec<Duration> = (0..5)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        t.sort();
        (t[2], t[0], t[4])
    };
    let (parse, pmin, pmax) = median(&|| {
        for p in &list {
            let text = std::fs::read_to_string(p).unwrap();
            black_box(serde_json::from_str::<serde_json::Value>(&text).unwrap());
        }
    });
    let (load, lmin, lmax) = median(&|| {
        black_box(iamwhy_world::load_dir(dir).unwrap());
    });
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "SUMMARY world {}: {} files, {:.1} MiB; read+serde_json::Value {:.0} ms (min {:.0}, max {:.0}); load_dir {:.0} ms (min {:.0}, max {:.0}); ratio {:.2}",
        dir.display(),
        list.len(),
        bytes as f64 / (1 << 20) as f64,
        ms(parse),
        ms(pmin),
        ms(pmax),
        ms(load),
        ms(lmin),
        ms(lmax),
        load.as_secs_f64() / parse.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--parse-world") {
        parse_world(std::path::Path::new(&args[i + 1]));
        return;
    }
    summary();
    if std::env::args().any(|a| a == "--summary-only") {
        return;
    }
    group();
    Criterion::default().configure_from_args().final_summary();
}
