//! `iamwhy who-can --world DIR --action A --resource ARN`: every principal that may make the
//! request, and the classes of principals no snapshot lists.

use super::Format;
use super::text;
use crate::commands::request_flags::RequestFlags;
use anstream::println;
use clap::Args;
use iamwhy_analyze::{Analyzer, WhoCan, WhoCanQuery};
use iamwhy_world::Question;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `iamwhy who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// The world directory.
    #[arg(long, value_name = "DIR")]
    pub world: PathBuf,
    /// The action, e.g. s3:GetObject.
    #[arg(long, value_name = "ACTION")]
    pub action: String,
    /// The resource ARN, or `*`.
    #[arg(long, value_name = "ARN", default_value = "*")]
    pub resource: String,
    /// Only principals of this account.
    #[arg(long, value_name = "ID", conflicts_with = "ou")]
    pub account: Option<String>,
    /// Only principals of accounts under this OU (or root) id.
    #[arg(long, value_name = "OU")]
    pub ou: Option<String>,
    /// Also list who may assume the allowed roles (transitively).
    #[arg(long)]
    pub via_assume_role: bool,
    /// The request details every candidate's request carries.
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
pub fn run(args: &WhoCanArgs) -> anyhow::Result<ExitCode> {
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
    let answer = analyzer.who_can(&WhoCanQuery {
        action: args.action.clone(),
        resource: args.resource.clone(),
        account: args.account.clone(),
        ou: args.ou.clone(),
        via_assume_role: args.via_assume_role,
        template,
    })?;
    let answered = t.elapsed();
    if args.timings {
        eprintln!(
            "timings: load {:.3} ms; index {:.3} ms; who-can {:.3} ms ({} of {} principals evaluated)",
            loaded.as_secs_f64() * 1e3,
            indexed.as_secs_f64() * 1e3,
            answered.as_secs_f64() * 1e3,
            answer.candidates_evaluated,
            answer.principals_in_scope
        );
    }
    match args.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&answer)?),
        Format::Text => print!("{}", render(&answer)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The answer for people.
pub fn render(a: &WhoCan) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "WHO CAN {} on {}", a.action, a.resource);
    let _ = writeln!(
        out,
        "  {} principal(s) of the world may ({} evaluated of {} in scope; the others have no statement that can allow it):",
        a.principals.len(),
        a.candidates_evaluated,
        a.principals_in_scope
    );
    for g in &a.principals {
        let _ = writeln!(out, "  - {} ({})", g.principal, g.kind);
        let _ = writeln!(
            out,
            "      allowed when: {}",
            text::formula(&g.grant.allowed_when)
        );
        if g.grant.strict_decision != iamwhy_engine::Decision::Allowed {
            let _ = writeln!(
                out,
                "      with the context as given: {}",
                g.grant.strict_decision.simulator_name()
            );
        }
        for s in &g.grant.granting {
            let _ = writeln!(out, "      granted by: {}", text::statement(s));
        }
        for s in &g.grant.guardrails {
            let _ = writeln!(out, "      limited by: {}", text::statement(s));
        }
    }
    let _ = writeln!(out, "  principals no snapshot lists:");
    for c in &a.classes {
        match &c.grant {
            Some(g) => {
                let _ = writeln!(
                    out,
                    "  - {}: MAY, when {}",
                    c.class.describe(),
                    text::formula(&g.allowed_when)
                );
                for s in &g.granting {
                    let _ = writeln!(out, "      granted by: {}", text::statement(s));
                }
                for x in &c.assumptions {
                    let _ = writeln!(out, "      assuming {x}");
                }
            }
            None => {
                let _ = writeln!(out, "  - {}: no", c.class.describe());
            }
        }
    }
    if a.nobody_outside_organization {
        let _ = writeln!(
            out,
            "  nobody outside the organization may make this request"
        );
    } else {
        let _ = writeln!(
            out,
            "  principals outside the organization MAY make this request"
        );
    }
    if !a.assume_paths.is_empty() {
        let _ = writeln!(out, "  who may assume the allowed roles:");
        for e in &a.assume_paths {
            let _ = writeln!(
                out,
                "  - {} -> {} (when {})",
                e.by,
                e.role,
                text::formula(&e.allowed_when)
            );
        }
    }
    for n in &a.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}
