//! `iamwhy explain [TEXT|FILE|-]`: from what AWS said — access-denied messages (as pasted:
//! wrapped, decorated, several at once), CloudTrail events or logs, a decoded authorization
//! message — to the reason and verified fixes. Parsing, diagnosis, batch grouping and fixes
//! live in the evidence and explain crates; this module reads the arguments and renders.

use super::request_flags::RequestFlags;
use crate::render::trace::{locate_in_dir, render_context, render_located};
use anstream::{print, println};
use clap::{Args, ValueEnum};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_evidence::input::{InputKind, Limits, ReadOptions, Source, looks_like_path, parse_size};
use iamwhy_evidence::observed::{Observed, Origin};
use iamwhy_explain::guide::Guide;
use iamwhy_explain::partial::Partial;
use iamwhy_explain::report::ExplainedBatch;
use iamwhy_explain::request::reading_note;
use iamwhy_explain::{DiagnoseOptions, Diagnosis, WorldIndex, explain_sources};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `iamwhy explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error message text (as pasted: wrapped, quoted, several messages), a file
    /// (message, CloudTrail event or log, .json.gz, decoded authorization message), a
    /// directory of CloudTrail logs, or `-` for standard input; several files or directories
    /// are read together (an event in two of them is counted once).
    #[arg(value_name = "TEXT|FILE|-", required = true, num_args = 1..)]
    pub inputs: Vec<String>,
    /// A world to rebuild and simulate the request in.
    #[arg(long, value_name = "DIR")]
    pub world: Option<PathBuf>,
    /// Who you expected the caller to be; checked first.
    #[arg(long, value_name = "ARN")]
    pub expected_principal: Option<String>,
    /// Request details to add to (and override) what the evidence carried.
    #[command(flatten)]
    pub request: RequestFlags,
    /// CloudTrail: explain every record, not only the denied ones.
    #[arg(long)]
    pub all: bool,
    /// Write each suggested fix's document to DIR/fix-N.json, the file its `apply:` command
    /// reads.
    #[arg(long, value_name = "DIR")]
    pub write_fix: Option<PathBuf>,
    /// The most one input (a file, standard input) may hold, counted after decompression
    /// (e.g. 512M, 2G).
    #[arg(long, value_name = "SIZE", default_value = "256M")]
    pub max_input_size: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// For people.
    Text,
    /// For programs (schema iamwhy.explain/1).
    Json,
}

/// What to read, from the arguments.
fn sources(args: &ExplainArgs) -> Result<Vec<Source<'_>>, Diagnostic> {
    let several = args.inputs.len() > 1;
    let mut out = Vec::new();
    for raw in &args.inputs {
        if raw == "-" {
            out.push(Source::Stdin);
            continue;
        }
        let path = Path::new(raw.as_str());
        if path.exists() {
            out.push(Source::Path(path));
        } else if several || looks_like_path(raw) {
            return Err(Diagnostic::error(
                "no-such-file",
                format!("{raw}: no such file or directory"),
            )
            .with_help(if several {
                "several inputs must all be files, directories or `-`; quote a message to pass it as text"
            } else {
                "give an existing file or directory, `-` for standard input, or the message text itself in quotes"
            }));
        } else {
            out.push(Source::Text(raw));
        }
    }
    Ok(out)
}

fn options(args: &ExplainArgs) -> Result<(DiagnoseOptions, Limits), Diagnostic> {
    let max = parse_size(&args.max_input_size)
        .map_err(|e| Diagnostic::error("bad-size-flag", format!("--max-input-size {e}")))?;
    Ok((
        DiagnoseOptions {
            expected_principal: args.expected_principal.clone(),
            overrides: args.request.overrides()?,
            fixes: true,
        },
        Limits {
            max_input_bytes: max,
            flag: "--max-input-size",
        },
    ))
}

/// Run the command.
pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let (opts, limits) = options(args)?;
    let sources = sources(args)?;
    let world = args.world.as_deref().map(super::load_world).transpose()?;
    let index = world.as_ref().map(WorldIndex::new);
    let fix_dir = args.write_fix.as_ref().map(|p| p.display().to_string());
    let mut bar: Option<indicatif::ProgressBar> = None;
    let explanation = explain_sources(
        index.as_ref(),
        sources,
        ReadOptions {
            all: args.all,
            limits,
        },
        &opts,
        fix_dir.as_deref(),
        &mut |n| {
            if !std::io::stderr().is_terminal() {
                return;
            }
            let bar = bar.get_or_insert_with(|| {
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {pos} events explained {elapsed}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                bar
            });
            bar.set_position(n as u64);
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let failed = explanation.failed();
    if args.write_fix.is_some() {
        for r in &explanation.requests {
            for a in r.diagnosis.iter().flat_map(|d| &d.actions) {
                a.fixes.write_files()?;
            }
        }
    }
    match args.output {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&explanation.into_report())?
            );
        }
        Format::Text => {
            let summary = &explanation.summary;
            if explanation.requests.is_empty() && explanation.batch.is_none() {
                println!(
                    "{} record(s) read; none was denied (use --all to explain them anyway).",
                    summary.records
                );
                return Ok(ExitCode::SUCCESS);
            }
            let count = explanation.requests.len();
            for (i, r) in explanation.requests.iter().enumerate() {
                if count > 1 {
                    println!("━━━ message {} of {count} ━━━\n", i + 1);
                }
                let written = args.write_fix.is_some()
                    && r.diagnosis.as_ref().is_some_and(|d| !d.actions.is_empty());
                print!("{}", render_observed(r.input, &r.observed));
                if let Some(d) = &r.diagnosis {
                    print!("{}", render_diagnosis(args, d, &r.observed, written));
                }
                if let Some(g) = &r.guide {
                    print!(
                        "{}",
                        render_guide(
                            g,
                            args.expected_principal.as_deref(),
                            &r.observed,
                            index.is_some()
                        )
                    );
                }
            }
            if let Some(b) = &explanation.batch {
                render_batch(args, b, index.is_some());
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn render_observed(kind: InputKind, o: &Observed) -> String {
    let mut out = String::new();
    let source = match (&o.origin, kind) {
        (
            Origin::CloudTrail {
                event, event_time, ..
            },
            _,
        ) => format!(
            "CloudTrail event {event}{}",
            event_time
                .as_deref()
                .map(|t| format!(" at {t}"))
                .unwrap_or_default()
        ),
        (Origin::DecodedMessage, _) => "decoded authorization message".into(),
        _ => "error message".into(),
    };
    let _ = writeln!(out, "What AWS said ({source}):");
    let field = |out: &mut String, name: &str, v: Option<&str>| {
        let _ = writeln!(out, "  {name:<13} {}", v.unwrap_or("(not stated)"));
    };
    field(&mut out, "principal", o.principal.as_deref());
    let actions = o.actions.join(", ");
    field(
        &mut out,
        "action",
        (!actions.is_empty()).then_some(actions.as_str()),
    );
    field(
        &mut out,
        "resource",
        o.resource
            .as_deref()
            .or(o.message.as_ref().and_then(|m| m.resource.as_deref())),
    );
    if let Some(m) = &o.message {
        let claim = m.claim().unwrap_or_else(|| "(no reason given)".into());
        field(&mut out, "reason", Some(&claim));
        if let Some(arn) = &m.policy_arn {
            field(&mut out, "policy", Some(arn));
        }
    }
    if !o.reported_statements.is_empty() {
        field(&mut out, "matched", Some(&o.reported_statements.join(", ")));
    }
    if let Some(n) = reading_note(o) {
        let _ = writeln!(out, "  note: {n}");
    }
    for n in &o.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out.push('\n');
    out
}

fn render_partial(p: &Partial) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "The world does not hold everything this request needs:"
    );
    for m in &p.missing {
        let _ = writeln!(out, "  - {m}");
    }
    if let Some(side) = &p.simulated {
        let _ = writeln!(
            out,
            "\nWhat the world can still tell (the {} side, simulated on its own):",
            side.side
        );
        for f in &side.findings {
            let _ = writeln!(out, "  - {f}");
        }
    }
    out.push('\n');
    out
}

fn render_diagnosis(args: &ExplainArgs, d: &Diagnosis, o: &Observed, written: bool) -> String {
    let mut out = String::new();
    for f in &d.first {
        let _ = writeln!(out, "FIRST: {f}\n");
    }
    if !d.overrides.is_empty() {
        let _ = writeln!(out, "Given on the command line (overriding the evidence):");
        for ov in &d.overrides {
            let _ = writeln!(out, "  {}", ov.sentence());
        }
        out.push('\n');
    }
    if let Some(p) = &d.partial {
        out.push_str(&render_partial(p));
        return out;
    }
    if let Some(e) = &d.error {
        let _ = writeln!(out, "Cannot simulate: {e}");
        return out;
    }
    let resource = o.resource.clone().unwrap_or_else(|| "*".into());
    let dir = args.world.as_deref().unwrap_or(Path::new("."));
    let locate = locate_in_dir(dir);
    for a in &d.actions {
        out.push_str(&render_located(
            &a.evaluation,
            &a.action,
            &resource,
            &locate,
        ));
        out.push_str(&render_context(&a.context, &a.evaluation));
        for n in &a.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let _ = writeln!(
            out,
            "\nCompared with AWS ({}): {}",
            a.agreement.verdict, a.agreement.explanation
        );
        out.push_str(&crate::render::fixes::render(&a.fixes, written));
    }
    out
}

fn render_guide(g: &Guide, expected: Option<&str>, o: &Observed, with_world: bool) -> String {
    let mut out = String::new();
    if let (Some(e), Some(p)) = (expected, &o.principal)
        && e != p
        && !with_world
    {
        let _ = writeln!(
            out,
            "FIRST: the request was signed as {p}, not {e}: check which credentials the caller used (aws sts get-caller-identity) before changing policies.\n"
        );
    }
    let _ = writeln!(out, "What this proves:");
    for p in &g.proves {
        let _ = writeln!(out, "  - {p}");
    }
    let heading = if with_world {
        "Where to look, in order (the world cannot simulate this request whole):"
    } else {
        "Where to look, in order (no world given; add --world DIR to simulate and get verified fixes):"
    };
    let _ = writeln!(out, "\n{heading}");
    for (i, s) in g.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} — {}", i + 1, s.check, s.why);
        for c in &s.commands {
            let _ = writeln!(out, "       $ {c}");
        }
    }
    out
}

/// Batch mode: the groups, the most frequent first, each with its verdict against AWS.
fn render_batch(args: &ExplainArgs, report: &ExplainedBatch, with_world: bool) {
    let what = if args.all { "explained" } else { "denied" };
    let duplicates = if report.duplicates > 0 {
        format!(
            " ({} duplicate event(s) with the same eventID skipped)",
            report.duplicates
        )
    } else {
        String::new()
    };
    println!(
        "{} records read{duplicates}, {} {what} — grouped by cause, most frequent first:\n",
        report.records, report.denied
    );
    for g in &report.groups {
        let verdict = match g.verdict {
            Some("agrees") => " [agrees with AWS]".to_string(),
            Some("differs") => " [DIFFERS from AWS]".to_string(),
            Some(v) => format!(" [{v}]"),
            None => String::new(),
        };
        println!(
            "{:>6} × {} {}: {}{verdict}",
            g.count, g.principal, g.action, g.cause
        );
        if !g.examples.is_empty() {
            println!("         e.g. event {}", g.examples.join(", "));
        }
        if g.verdict == Some("differs")
            && let Some(why) = &g.verdict_explanation
        {
            println!("         {why}");
        }
        if let Some(f) = g.fixes.as_ref().and_then(|r| r.fixes.first()) {
            let label = f
                .cost
                .label()
                .map(|l| format!("[{l}] "))
                .unwrap_or_default();
            println!("         first fix: {label}{}", f.title);
        }
    }
    if !with_world {
        println!("\nAdd --world DIR to simulate each denial and group by the deciding statement.");
    }
}
