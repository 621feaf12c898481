//! `iamwhy check --world DIR --principal ARN --action A --resource ARN [...]`: one request
//! against a world, explained; `--expect` turns it into a CI assertion.

use super::request_flags::RequestFlags;
use crate::render::trace::{locate_in_dir, render_context, render_located};
use anstream::{print, println};
use clap::{Args, ValueEnum};
use iamwhy_engine::Decision;
use iamwhy_explain::request::check_request_fields;
use iamwhy_explain::{WorldIndex, check};
use iamwhy_world::Question;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `iamwhy check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The world directory (docs/worlds.md: organization.json, `accounts/<id>/...`), or a store
    /// written by iam-collect.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// Who asks: user, role, assumed-role session or root ARN, account id, service principal,
    /// or `anonymous`.
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The action, e.g. s3:GetObject.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN, or `*` for actions without resources. A `*` or `?` inside an ARN is
    /// a character of the name (an S3 key may contain one), not a wildcard.
    #[arg(long, value_name = "ARN", default_value = "*")]
    pub resource: String,
    /// The request details shared with `explain`.
    #[command(flatten)]
    pub request: RequestFlags,
    /// Write each suggested fix's document to DIR/fix-N.json, the file its `apply:` command
    /// reads.
    #[arg(long, value_name = "DIR")]
    pub write_fix: Option<PathBuf>,
    /// Exit 1 unless the decision is this.
    #[arg(long, value_enum, value_name = "DECISION")]
    pub expect: Option<Expectation>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print how long loading the world, preparing the request and deciding took (stderr).
    #[arg(long)]
    pub timings: bool,
    /// Also report under which values of the context keys the request lacks it would be
    /// allowed (Discovery; docs/analyze.md).
    #[arg(long)]
    pub discover: bool,
}

/// The decisions `--expect` accepts.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Expectation {
    /// Allowed.
    Allowed,
    /// Explicitly or implicitly denied.
    Denied,
    /// Denied by an applicable Deny statement.
    #[value(name = "explicitDeny")]
    ExplicitDeny,
    /// Denied because nothing allows.
    #[value(name = "implicitDeny")]
    ImplicitDeny,
}

impl Expectation {
    fn holds(self, d: Decision) -> bool {
        match self {
            Expectation::Allowed => d == Decision::Allowed,
            Expectation::Denied => d != Decision::Allowed,
            Expectation::ExplicitDeny => d == Decision::ExplicitDeny,
            Expectation::ImplicitDeny => d == Decision::ImplicitDeny,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// The explanation, for people.
    Text,
    /// The question, the decision, the trace and the context as JSON.
    Json,
}

/// Run the command.
pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    check_request_fields(&args.principal, &args.action, &args.resource)?;
    let overrides = args.request.overrides()?;
    let world = super::load_world(&args.world)?;
    let mut question = Question {
        principal: args.principal.clone(),
        action: args.action.clone(),
        resource: args.resource.clone(),
        ..Question::default()
    };
    overrides.apply_to_check(&mut question);
    let loaded = started.elapsed();
    let index = WorldIndex::new(&world);
    let fix_dir = args.write_fix.as_ref().map(|d| d.display().to_string());
    let (mut report, timings) = check(&index, &question, args.discover, fix_dir.as_deref())?;
    if args.timings {
        let accounts = world.accounts.len();
        let roles: usize = world.accounts.values().map(|a| a.roles.len()).sum();
        let policies: usize = world.accounts.values().map(|a| a.managed.len()).sum();
        eprintln!(
            "timings: loaded the world ({accounts} accounts, {roles} roles, {policies} managed policies) in {:.1} ms; prepared the request in {:.3} ms; decided and explained in {:.3} ms",
            loaded.as_secs_f64() * 1e3,
            timings.prepared.as_secs_f64() * 1e3,
            timings.evaluated.as_secs_f64() * 1e3
        );
    }
    let expectation_ok = args.expect.map(|e| e.holds(report.decision));
    report.expectation_met = expectation_ok;
    // The question as typed (the report's is the same fields, after the world's reading).
    report.question.principal = args.principal.clone();
    report.question.action = args.action.clone();
    report.question.resource = args.resource.clone();
    let written = match &args.write_fix {
        Some(_) => {
            report.fixes.write_files()?;
            true
        }
        None => false,
    };
    let evaluation = &report.evaluation;
    match args.output {
        Format::Text => {
            let locate = locate_in_dir(&args.world);
            print!(
                "{}",
                render_located(evaluation, &args.action, &args.resource, &locate)
            );
            print!("{}", render_context(&report.context, evaluation));
            for n in &report.notes {
                println!("  note: {n}");
            }
            if let Some(d) = &report.discovery {
                print!("{}", crate::render::discovery::render(d));
            }
            print!("{}", crate::render::fixes::render(&report.fixes, written));
        }
        Format::Json => {
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    if let (Some(expected), Some(false)) = (args.expect, expectation_ok) {
        eprintln!(
            "iamwhy: expected {:?}, but the decision is {}",
            expected,
            evaluation.decision.simulator_name()
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
