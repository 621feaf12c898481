//! `iamwhy what-can --world DIR --principal ARN [--resource ARN] [--service S]`: every catalog
//! action the principal may take, by service and access level.

use super::Format;
use super::text;
use crate::commands::request_flags::RequestFlags;
use anstream::println;
use clap::Args;
use iamwhy_analyze::{Analyzer, WhatCan, WhatCanQuery};
use iamwhy_world::Question;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `iamwhy what-can`.
#[derive(Debug, Args)]
pub struct WhatCanArgs {
    /// The world directory.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// The principal: user, role, session or root ARN, account id, service or `anonymous`.
    #[arg(long, value_name = "ARN")]
    pub principal: String,
    /// The resource (default `*`).
    #[arg(long, value_name = "ARN")]
    pub resource: Option<String>,
    /// Only actions of this service prefix.
    #[arg(long, value_name = "S")]
    pub service: Option<String>,
    /// The request details every request carries.
    #[command(flatten)]
    pub request: RequestFlags,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Print how long loading, indexing and answering took (stderr).
    #[arg(long)]
    pub timings: bool,
}

/// Run the command.
pub fn run(args: &WhatCanArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let overrides = args.request.overrides()?;
    let world = crate::commands::load_world(&args.world)?;
    let loaded = started.elapsed();
    let mut template = Question::default();
    overrides.apply_to_check(&mut template);
    let t = std::time::Instant::now();
    let analyzer = Analyzer::new(&world);
    let indexed = t.elapsed();
    let t = std::time::Instant::now();
    let answer = analyzer.what_can(&WhatCanQuery {
        principal: args.principal.clone(),
        resource: args.resource.clone(),
        service: args.service.clone(),
        template,
    })?;
    let answered = t.elapsed();
    if args.timings {
        eprintln!(
            "timings: load {:.3} ms; index {:.3} ms; what-can {:.3} ms ({} of {} actions evaluated)",
            loaded.as_secs_f64() * 1e3,
            indexed.as_secs_f64() * 1e3,
            answered.as_secs_f64() * 1e3,
            answer.candidates_evaluated,
            answer.actions_in_scope
        );
    }
    match args.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
        Format::Text => print!("{}", render(&answer)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The answer for people.
pub fn render(a: &WhatCan) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "WHAT CAN {} do on {}", a.principal, a.resource);
    let _ = writeln!(
        out,
        "  {} action(s) allowed ({} evaluated of {} in the catalog scope)",
        a.allowed, a.candidates_evaluated, a.actions_in_scope
    );
    for s in &a.services {
        let _ = writeln!(out, "  {}:", s.service);
        for l in &s.levels {
            let _ = writeln!(out, "    {} ({}):", l.access_level, l.actions.len());
            for x in &l.actions {
                if x.unconditional {
                    let _ = writeln!(out, "      {}", x.action);
                } else {
                    let _ = writeln!(
                        out,
                        "      {} when {}",
                        x.action,
                        text::formula(&x.allowed_when)
                    );
                }
            }
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
