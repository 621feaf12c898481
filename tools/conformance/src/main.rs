//! `conformance FILE... [--verbose]`: run engine conformance cases (one JSON case a line, the
//! format of ../shared/conformance/README.md) and compare decisions.
//!
//! The last line is exactly `conformance: N passed, M failed, K skipped`; the exit code is 1
//! when any case failed. A case on the known-divergence list (divergences.json, each entry
//! with the AWS documentation it rests on) passes only when iamwhy gives the documented answer.
//! A case's `request.resourceReading` says how a `*` or `?` in its resource is read: `pattern`
//! (the default, as the peer's cases mean it: any resource matching) or `literal` (a name that
//! contains the character); `cases/resource-readings.jsonl` holds cases of both.

use iamwhy_conformance::case;

use anyhow::{Context as _, Result};
use std::process::ExitCode;

/// The allocator of the `iamwhy` binary, so that the runner's figures are the product's.
#[global_allocator]
static GLOBAL: iamwhy_alloc::Mimalloc = iamwhy_alloc::Mimalloc;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("conformance: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let mut verbose = false;
    let mut time = false;
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--verbose" | "-v" => verbose = true,
            "--time" => time = true,
            "--help" | "-h" => {
                println!("usage: conformance [--verbose] [--time] FILE...");
                println!("  --time  print the time spent running the cases (reading each case's");
                println!("          JSON, parsing and compiling its policies, deciding, checking)");
                return Ok(true);
            }
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        anyhow::bail!("no case files given (usage: conformance [--verbose] FILE...)");
    }
    let divergences = case::Divergences::load()?;
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut spent = std::time::Duration::ZERO;
    for file in &files {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let where_ = format!("{file}:{}", n + 1);
            let start = std::time::Instant::now();
            let result = case::run_line(line, &divergences);
            spent += start.elapsed();
            let result = result.with_context(|| format!("{where_}: malformed case"))?;
            match &result.outcome {
                case::Outcome::Pass => passed += 1,
                case::Outcome::Fail => failed += 1,
                case::Outcome::Skip(_) => skipped += 1,
            }
            let show = verbose || matches!(result.outcome, case::Outcome::Fail);
            if show {
                println!("{}", result.describe());
            }
        }
    }
    println!("conformance: {passed} passed, {failed} failed, {skipped} skipped");
    if time {
        let cases = passed + failed + skipped;
        println!(
            "conformance cases={cases} cases_ns={} per_case_ns={:.0}",
            spent.as_nanos(),
            spent.as_nanos() as f64 / cases.max(1) as f64
        );
    }
    Ok(failed == 0)
}
