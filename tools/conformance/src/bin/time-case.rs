//! `time-case FILE [--batches N] [--batch-size N] [--only WHAT] [--count N]`: time iamwhy's authorization of the one
//! conformance case in FILE (the format of ../shared/conformance/README.md).
//!
//! Builds the policy set and the request once, then times, per call:
//! - `PolicySet::decide` (the decision alone),
//! - `PolicySet::evaluate` (the decision with its full explanation),
//! - building the `Request` from its JSON form plus `decide` (what a caller that receives
//!   requests as text pays per request),
//! - and, separately, the one-time cost of parsing the case and compiling every policy, timed in
//!   turn with a `serde_json::Value` parse of the same line (the ratio of the two is steadier
//!   than either figure on a machine whose speed drifts).
//!
//! Each figure is the median over batches of the mean time per call within a batch. The
//! output is one machine-readable line per figure, `iamwhy NAME=VALUE`, so a driver can
//! `grep` it. Pin the process to one core from outside (`taskset -c 0`). `--only decide`
//! (or `evaluate`, `request`, `compile`) times one figure alone, for profiling it with `perf`.
//! `--count N` times nothing: it reads the case, builds its policy set and request and decides,
//! N times over, in `one_case` (not inlined), for an instruction count that this machine's
//! speed does not move:
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='time_case::one_case' \
//!     target/release/time-case tools/peer-bench/scenario.json --count 100
//! ```
//!
//! (the instructions "Collected", divided by N, are the instructions per case).

use anyhow::{Context as _, Result, bail};
use iamwhy_conformance::{case, read};
use iamwhy_engine::EvaluationOptions;
use iamwhy_engine::decision::Decision;
use serde_json::Value;
use std::hint::black_box;

/// The allocator of the `iamwhy` binary, so that the runner's figures are the product's.
#[global_allocator]
static GLOBAL: iamwhy_alloc::Mimalloc = iamwhy_alloc::Mimalloc;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("time-case: {e:#}");
            ExitCode::from(2)
        }
    }
}

struct Args {
    file: String,
    batches: usize,
    batch_size: usize,
    only: Option<String>,
    count: Option<usize>,
}

const USAGE: &str = "usage: time-case FILE [--batches N] [--batch-size N] [--only decide|evaluate|request|compile] [--count N]";

fn args() -> Result<Args> {
    let mut file = None;
    let mut batches = 200;
    let mut batch_size = 1000;
    let mut only = None;
    let mut count = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--batches" => batches = it.next().context("--batches N")?.parse()?,
            "--batch-size" => batch_size = it.next().context("--batch-size N")?.parse()?,
            "--only" => {
                let what = it.next().context("--only WHAT")?;
                if !["decide", "evaluate", "request", "compile"].contains(&what.as_str()) {
                    bail!("--only takes decide, evaluate, request or compile, not {what}");
                }
                only = Some(what);
            }
            "--count" => count = Some(it.next().context("--count N")?.parse()?),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ if file.is_none() => file = Some(a),
            other => bail!("unexpected argument {other}"),
        }
    }
    Ok(Args {
        file: file.context(USAGE)?,
        batches: batches.max(1),
        batch_size: batch_size.max(1),
        only,
        count,
    })
}

fn decision_name(d: Decision) -> &'static str {
    match d {
        Decision::Allowed => "Allowed",
        Decision::ExplicitDeny => "ExplicitlyDenied",
        Decision::ImplicitDeny => "ImplicitlyDenied",
    }
}

/// The mean time per call (ns) of one batch of `size` calls of `f`.
fn batch_ns(size: usize, f: &mut dyn FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..size {
        f();
    }
    start.elapsed().as_nanos() as f64 / size as f64
}

/// Median of per-call times (ns) over `batches` batches of `size` calls of `f`.
fn median_ns(batches: usize, size: usize, mut f: impl FnMut()) -> f64 {
    // Warm up: caches, branch predictors, allocator.
    for _ in 0..size.min(10_000) {
        f();
    }
    median((0..batches).map(|_| batch_ns(size, &mut f)).collect())
}

/// The median of `a`'s and of `b`'s per-call times (ns) and the median of their ratio, over
/// `batches` pairs of batches of `size` calls, `a` and `b` in turn.
fn in_turn(
    batches: usize,
    size: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (f64, f64, f64) {
    for _ in 0..size.min(10_000) {
        a();
        b();
    }
    let (ta, tb): (Vec<f64>, Vec<f64>) = (0..batches)
        .map(|_| (batch_ns(size, &mut a), batch_ns(size, &mut b)))
        .unzip();
    let ratios = ta.iter().zip(&tb).map(|(x, y)| x / y).collect();
    (median(ta), median(tb), median(ratios))
}

/// The median of a non-empty list.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn run() -> Result<()> {
    let args = args()?;
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let [line] = lines.as_slice() else {
        bail!(
            "{}: expected exactly one case, found {}",
            args.file,
            lines.len()
        );
    };
    let raw: Value = serde_json::from_str(line)?;
    let expected = raw["expected"]["decision"]
        .as_str()
        .unwrap_or("?")
        .to_string();
    let has_boundary = !raw["policies"]["permissionBoundaries"].is_null();

    // One-time cost: read the case and compile every policy (what a long-lived service does
    // once per policy set), then build the policy set and the request.
    let mut case = read::case(line)?;
    if case.mode != "Strict" {
        bail!("{}: only Strict cases can be timed", case.id);
    }
    let (set, req) = case::build(&mut case)?;
    let opts = EvaluationOptions::default();

    let decided = set.decide(&req, &opts);
    let explained = set.evaluate(&req, &opts);
    if decided != explained.decision {
        bail!(
            "decide says {decided:?}, evaluate says {:?}",
            explained.decision
        );
    }
    let req_text = raw["request"].to_string();
    let rebuilt = case::request_from_json(&req_text, has_boundary)?;
    if set.decide(&rebuilt, &opts) != decided {
        bail!("the request rebuilt from JSON decides differently");
    }
    let decision = decision_name(decided);
    println!("iamwhy case={}", case.id);
    println!("iamwhy decision={decision} expected={expected}");
    if decision != expected {
        bail!("decision {decision} differs from the expected {expected}");
    }
    println!(
        "iamwhy layers_reported={} deciding_statements={}",
        explained.layers.len(),
        explained.deciding.len()
    );

    if let Some(n) = args.count {
        for _ in 0..n {
            one_case(line, &opts);
        }
        println!("iamwhy count={n}");
        return Ok(());
    }

    let wanted = |what: &str| args.only.as_deref().is_none_or(|o| o == what);

    if wanted("compile") {
        // Timed in turn with a `serde_json::Value` parse of the same line, batch by batch, so
        // that the ratio of the two holds when this machine's speed moves during the run.
        let (compile_ns, value_ns, ratio) = in_turn(
            args.batches.min(400),
            10,
            || {
                let mut case = read::case(black_box(line)).expect("case");
                black_box(case::build(&mut case).expect("build"));
            },
            || {
                black_box(serde_json::from_str::<Value>(black_box(*line)).expect("JSON"));
            },
        );
        println!("iamwhy parse_compile_median_ns={compile_ns:.0}");
        println!("iamwhy value_parse_median_ns={value_ns:.0} parse_compile_to_value={ratio:.2}");
    }

    let (b, n) = (args.batches, args.batch_size);
    if wanted("decide") {
        let decide_ns = median_ns(b, n, || {
            black_box(set.decide(black_box(&req), black_box(&opts)));
        });
        println!("iamwhy decide_median_ns={decide_ns:.0}");
    }

    if wanted("request") {
        let request_decide_ns = median_ns(b, n, || {
            let r = case::request_from_json(black_box(&req_text), has_boundary).expect("request");
            black_box(set.decide(&r, black_box(&opts)));
        });
        println!("iamwhy request_build_plus_decide_median_ns={request_decide_ns:.0}");
    }

    // The explanation is larger; keep the same number of batches but fewer calls each so
    // the run stays short.
    if wanted("evaluate") {
        let evaluate_ns = median_ns(b, (n / 10).max(1), || {
            black_box(set.evaluate(black_box(&req), black_box(&opts)));
        });
        println!("iamwhy evaluate_median_ns={evaluate_ns:.0}");
    }
    println!(
        "iamwhy batches={b} batch_size={n} evaluate_batch_size={}",
        (n / 10).max(1)
    );
    Ok(())
}

/// One case from its line: read it (compiling its policies), build the set and the request,
/// decide. Not inlined, so that a profiler can count what it costs.
#[inline(never)]
fn one_case(line: &str, opts: &EvaluationOptions) {
    let mut case = read::case(black_box(line)).expect("the case reads");
    let (set, req) = case::build(&mut case).expect("the case builds");
    black_box(set.decide(&req, opts));
}
