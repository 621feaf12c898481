//! `iamwhy test FILE... --world DIR [--junit FILE]`: access assertions for CI.

use super::Format;
use anstream::println;
use clap::Args;
use iamwhy_analyze::Analyzer;
use iamwhy_analyze::assertions::{self, CaseResult};
use iamwhy_diagnostic::Diagnostic;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `iamwhy test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Test files (YAML, or JSON when the name ends in .json).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The world directory.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// Run the command.
pub fn run(args: &TestArgs) -> anyhow::Result<ExitCode> {
    let mut parsed = Vec::new();
    for f in &args.files {
        let label = f.display().to_string();
        let text = crate::commands::read_file(f, "test file")?;
        parsed.push((label.clone(), assertions::parse(&label, &text)?));
    }
    let world = crate::commands::load_world(&args.world)?;
    let analyzer = Analyzer::new(&world);
    let mut results: Vec<CaseResult> = Vec::new();
    for (label, cases) in &parsed {
        results.extend(assertions::run(
            &analyzer,
            label,
            cases,
            Some(args.world.as_path()),
        )?);
    }
    if let Some(path) = &args.junit {
        let xml = assertions::junit(&results)?;
        std::fs::write(path, xml).map_err(|e| {
            Diagnostic::error(
                "junit-write-failed",
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    match args.output {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "schema": "iamwhy.test/1",
                "passed": results.len() - failed,
                "failed": failed,
                "results": results,
            }))?
        ),
        Format::Text => {
            for r in &results {
                if r.passed {
                    println!("PASS {} #{} {}", r.file, r.number, r.name);
                } else {
                    println!("FAIL {} #{} {}", r.file, r.number, r.name);
                    println!("     expected {}, got {}", r.expected, r.actual);
                    for l in &r.explanation {
                        println!("     {l}");
                    }
                }
            }
            println!("{} passed, {} failed", results.len() - failed, failed);
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
