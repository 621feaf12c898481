//! Timings of who-can, what-can and diff on the synthetic 10,000-role world
//! (tools/gen-world; `bash tools/analyze-bench/run.sh` generates it and runs this), each beside
//! the world's load time measured in the same run, with the spread over the runs.
//!
//! `IAMWHY_BENCH_WORLD` is the world, `IAMWHY_BENCH_AFTER` the after-world of the diff (the
//! same world with one customer managed policy changed), `IAMWHY_BENCH_RUNS` the runs (5).

use iamwhy_analyze::diff::{DiffQuery, diff};
use iamwhy_analyze::{Analyzer, WhatCanQuery, WhoCanQuery};
use std::path::PathBuf;
use std::time::Instant;

fn ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

/// CPU time of the whole process so far (user + system, every thread, ended ones included), in
/// ms, from /proc/self/stat (clock ticks of 10 ms); `None` where there is no /proc. Less
/// sensitive than wall time to other processes on a loaded machine.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let (utime, stime): (f64, f64) = (f.get(11)?.parse().ok()?, f.get(12)?.parse().ok()?);
    Some((utime + stime) * 10.0)
}

/// Wall time of `f`, and its CPU time pushed onto `cpu`.
fn ms_cpu(cpu: &mut Vec<f64>, f: impl FnOnce()) -> f64 {
    let c = cpu_ms();
    let wall = ms(f);
    if let (Some(a), Some(b)) = (c, cpu_ms()) {
        cpu.push(b - a);
    }
    wall
}

struct Stats(Vec<f64>);

impl Stats {
    fn median(&self) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    }
    fn show(&self) -> String {
        let min = self.0.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self.0.iter().copied().fold(0.0, f64::max);
        format!(
            "median {:.2} ms (min {min:.2}, max {max:.2}, n={})",
            self.median(),
            self.0.len()
        )
    }
}

fn main() {
    // `cargo bench` passes --bench; nothing else is read from the command line.
    let Some(world_dir) = std::env::var_os("IAMWHY_BENCH_WORLD").map(PathBuf::from) else {
        eprintln!(
            "analyze bench: set IAMWHY_BENCH_WORLD (bash tools/analyze-bench/run.sh does) — skipped"
        );
        return;
    };
    let after_dir = std::env::var_os("IAMWHY_BENCH_AFTER").map(PathBuf::from);
    let runs: usize = std::env::var("IAMWHY_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let action =
        std::env::var("IAMWHY_BENCH_ACTION").unwrap_or_else(|_| "sqs:DeleteMessage".into());
    let resource = std::env::var("IAMWHY_BENCH_RESOURCE")
        .unwrap_or_else(|_| "arn:aws:sqs:us-east-1:123456789012:platform-ingest-prod".into());
    let principal = std::env::var("IAMWHY_BENCH_PRINCIPAL")
        .unwrap_or_else(|_| "arn:aws:iam::123456789012:role/platform-ingest-prod-ops-00635".into());
    let admin = std::env::var("IAMWHY_BENCH_ADMIN").ok();

    let mut load = Vec::new();
    let mut index = Vec::new();
    let mut who = Vec::new();
    let mut what = Vec::new();
    let mut what_admin = Vec::new();
    let mut diffs = Vec::new();
    let mut diff_only = Vec::new();
    let mut facts = String::new();
    let (mut who_cpu, mut admin_cpu, mut diff_cpu) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let mut world = None;
        load.push(ms(|| {
            world = Some(iamwhy_world::load_dir(&world_dir).expect("world loads"))
        }));
        let world = world.unwrap();
        let mut analyzer = None;
        index.push(ms(|| analyzer = Some(Analyzer::new(&world))));
        let analyzer = analyzer.unwrap();
        let wq = WhoCanQuery {
            action: action.clone(),
            resource: resource.clone(),
            ..WhoCanQuery::default()
        };
        let mut w = None;
        who.push(ms_cpu(&mut who_cpu, || {
            w = Some(analyzer.who_can(&wq).expect("who-can"))
        }));
        let tq = WhatCanQuery {
            principal: principal.clone(),
            ..WhatCanQuery::default()
        };
        let mut t = None;
        what.push(ms(|| t = Some(analyzer.what_can(&tq).expect("what-can"))));
        let mut ta = None;
        if let Some(a) = &admin {
            let q = WhatCanQuery {
                principal: a.clone(),
                ..WhatCanQuery::default()
            };
            what_admin.push(ms_cpu(&mut admin_cpu, || {
                ta = Some(analyzer.what_can(&q).expect("what-can"))
            }));
        }
        if run == 0 {
            let w = w.unwrap();
            let t = t.unwrap();
            facts.push_str(&format!(
                "who-can {action} on {resource}: {} allowed, {} of {} principals evaluated\n",
                w.principals.len(),
                w.candidates_evaluated,
                w.principals_in_scope
            ));
            facts.push_str(&format!(
                "what-can {principal} on *: {} allowed, {} of {} actions evaluated\n",
                t.allowed, t.candidates_evaluated, t.actions_in_scope
            ));
            if let Some(ta) = ta {
                facts.push_str(&format!(
                    "what-can {} on *: {} allowed, {} of {} actions evaluated\n",
                    admin.as_deref().unwrap_or(""),
                    ta.allowed,
                    ta.candidates_evaluated,
                    ta.actions_in_scope
                ));
            }
        }
    }
    // diff runs after the other analyses, in runs of its own: a command line runs one
    // analysis per process, and two dropped 10k worlds leave the allocator's arenas in a
    // state that slows whatever runs next (who-can measured 3x slower right after a diff).
    for run in 0..runs {
        let mut d = None;
        if let Some(after) = &after_dir {
            let mut worlds = None;
            let total = ms(|| {
                // As `iamwhy diff --before DIR --after DIR` loads them: side by side.
                let (before, after) = iamwhy_world::load_dirs_side_by_side(&world_dir, after);
                let (before, after) = (before.expect("before loads"), after.expect("after loads"));
                let t = Instant::now();
                let c = cpu_ms();
                d = Some(diff(&before, &after, &DiffQuery::default()).expect("diff"));
                diff_only.push(t.elapsed().as_secs_f64() * 1e3);
                if let (Some(a), Some(b)) = (c, cpu_ms()) {
                    diff_cpu.push(b - a);
                }
                worlds = Some((before, after));
            });
            diffs.push(total);
            drop(worlds);
        }
        if run == 0
            && let Some(d) = d
        {
            facts.push_str(&format!(
                "diff: {} change(s) ({}), {} flips ({} gained, {} lost), {} requests decided on each side\n",
                d.changes.len(),
                d.changes.iter().map(|c| c.description.as_str()).collect::<Vec<_>>().join("; "),
                d.flips.len(),
                d.gained,
                d.lost,
                d.requests_evaluated
            ));
        }
    }
    let load = Stats(load);
    let l = load.median();
    print!("{facts}");
    println!("load the world      {}", load.show());
    let row = |name: &str, s: &Stats| {
        println!(
            "{name:<19} {}  ratio to load {:.3}",
            s.show(),
            s.median() / l
        );
    };
    row("index (once)", &Stats(index));
    row("who-can", &Stats(who));
    row("what-can", &Stats(what));
    if !what_admin.is_empty() {
        row("what-can (admin)", &Stats(what_admin));
    }
    if !diffs.is_empty() {
        row("diff end to end", &Stats(diffs));
        row("diff (loaded)", &Stats(diff_only));
    }
    // CPU time (all threads, 10 ms resolution): the figure to compare across runs on a
    // machine whose other load varies.
    let cpu = |name: &str, v: Vec<f64>| {
        if !v.is_empty() {
            println!("{name:<19} {}", Stats(v).show());
        }
    };
    cpu("who-can cpu", who_cpu);
    cpu("what-can admin cpu", admin_cpu);
    cpu("diff (loaded) cpu", diff_cpu);
}
