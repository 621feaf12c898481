//! `iamwhy diff --before DIR (--after DIR | --replace ARN=FILE ...)`: the requests whose
//! decision flips, with the deciding statements on each side; exit 1 per `--fail-on`.

use super::Format;
use crate::commands::request_flags::RequestFlags;
use anstream::println;
use clap::{Args, ValueEnum};
use iamwhy_analyze::diff::{Diff, DiffQuery, FailOn, Side, diff, replace_policy};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_world::Question;
use std::path::PathBuf;
use std::process::ExitCode;

/// Which flips fail the command.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOnArg {
    /// Access gained.
    Gained,
    /// Access lost.
    Lost,
    /// Either.
    Any,
}

/// Arguments of `iamwhy diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The world before the change.
    #[arg(long, value_name = "DIR")]
    pub before: PathBuf,
    /// The world after the change.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "replace",
        conflicts_with = "replace"
    )]
    pub after: Option<PathBuf>,
    /// The after world is the before world with this policy replaced: a managed policy ARN,
    /// a resource ARN (its policy), a role ARN (its trust policy) or an SCP/RCP id; FILE holds
    /// the new document. Repeatable.
    #[arg(long, value_name = "ARN=FILE")]
    pub replace: Vec<String>,
    /// Only requests of this principal (repeatable).
    #[arg(long, value_name = "ARN")]
    pub principal: Vec<String>,
    /// Only requests on this resource (repeatable).
    #[arg(long, value_name = "ARN")]
    pub resource: Vec<String>,
    /// Exit 1 when a flip of this kind exists.
    #[arg(long, value_enum, default_value_t = FailOnArg::Gained)]
    pub fail_on: FailOnArg,
    /// The request details every request carries.
    #[command(flatten)]
    pub request: RequestFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print how long loading and diffing took (stderr).
    #[arg(long)]
    pub timings: bool,
}

/// Run the command.
pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let overrides = args.request.overrides()?;
    // With two directories, both worlds load side by side.
    let (before, after) = match &args.after {
        Some(dir) => crate::commands::load_worlds(&args.before, dir)?,
        None => {
            let before = crate::commands::load_world(&args.before)?;
            let mut w = before.clone();
            for r in &args.replace {
                let (target, file) = r.split_once('=').ok_or_else(|| {
                    Diagnostic::error(
                        "replace-malformed",
                        format!("--replace {r}: expected ARN=FILE"),
                    )
                })?;
                let text = crate::commands::read_file(std::path::Path::new(file), "policy")?;
                w = replace_policy(&w, target, &text).map_err(|d| d.in_file(file))?;
            }
            (before, w)
        }
    };
    let loaded = started.elapsed();
    let mut template = Question::default();
    overrides.apply_to_check(&mut template);
    let t = std::time::Instant::now();
    let answer = diff(
        &before,
        &after,
        &DiffQuery {
            principals: args.principal.clone(),
            resources: args.resource.clone(),
            template,
        },
    )?;
    let diffed = t.elapsed();
    if args.timings {
        eprintln!(
            "timings: load {:.3} ms; diff {:.3} ms ({} requests decided on each side); total {:.3} ms",
            loaded.as_secs_f64() * 1e3,
            diffed.as_secs_f64() * 1e3,
            answer.requests_evaluated,
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    match args.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
        Format::Text => print!("{}", render(&answer)),
    }
    let on = match args.fail_on {
        FailOnArg::Gained => FailOn::Gained,
        FailOnArg::Lost => FailOn::Lost,
        FailOnArg::Any => FailOn::Any,
    };
    Ok(if answer.fails(on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn side_text(s: &Side) -> String {
    let by: Vec<String> = s
        .deciding
        .iter()
        .map(|d| {
            format!(
                "{} / {} ({}), line {}",
                d.policy,
                d.statement,
                d.layer.short(),
                d.start.line
            )
        })
        .collect();
    if by.is_empty() {
        s.decision.simulator_name().to_string()
    } else {
        format!("{} by {}", s.decision.simulator_name(), by.join(", "))
    }
}

/// The answer for people.
pub fn render(d: &Diff) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "DIFF: {} change(s), {} flip(s): {} gained, {} lost ({} requests decided on each side)",
        d.changes.len(),
        d.flips.len(),
        d.gained,
        d.lost,
        d.requests_evaluated
    );
    for c in &d.changes {
        let _ = writeln!(out, "  change: {}", c.description);
    }
    for (p, idx) in &d.by_principal {
        let _ = writeln!(out, "  {p}:");
        for &i in idx {
            let f = &d.flips[i];
            let _ = writeln!(
                out,
                "    {} {} on {}",
                if f.direction == "gained" { "+" } else { "-" },
                f.action,
                f.resource
            );
            let _ = writeln!(out, "        before: {}", side_text(&f.before));
            let _ = writeln!(out, "        after:  {}", side_text(&f.after));
        }
    }
    if !d.by_policy.is_empty() {
        let _ = writeln!(out, "  by change:");
        for (p, idx) in &d.by_policy {
            let _ = writeln!(out, "    {p}: {} flip(s)", idx.len());
        }
    }
    for n in &d.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
