//! `iamwhy explain [TEXT|FILE|-]`: from what AWS said — an access-denied message, CloudTrail
//! events or logs, a decoded authorization message — to the reason and a verified fix.

use crate::render::trace::{render, render_context};
use anstream::{print, println};
use clap::{Args, ValueEnum};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_evidence::input::{Input, InputKind, read_bytes, read_path};
use iamwhy_evidence::observed::{Observed, Origin};
use iamwhy_explain::diagnose::{DiagnoseOptions, Diagnosis, diagnose};
use iamwhy_explain::guide::{Guide, guide};
use iamwhy_world::World;
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `iamwhy explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error message text, a file (message, CloudTrail event or log, .json.gz, decoded
    /// authorization message), a directory of CloudTrail logs, or `-` for standard input;
    /// several files or directories are read together.
    #[arg(value_name = "TEXT|FILE|-", required = true, num_args = 1..)]
    pub inputs: Vec<String>,
    /// A world to rebuild and simulate the request in.
    #[arg(long, value_name = "DIR")]
    pub world: Option<PathBuf>,
    /// Who you expected the caller to be; checked first.
    #[arg(long, value_name = "ARN")]
    pub expected_principal: Option<String>,
    /// The session policy the session was created with (no snapshot records it).
    #[arg(long, value_name = "FILE")]
    pub session_policy: Option<PathBuf>,
    /// For a federated-user caller: the IAM user that called GetFederationToken.
    #[arg(long, value_name = "USER_ARN")]
    pub federated_by: Option<String>,
    /// CloudTrail: explain every record, not only the denied ones.
    #[arg(long)]
    pub all: bool,
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

fn read_input(args: &ExplainArgs) -> Result<Input, Diagnostic> {
    if args.inputs.len() > 1 {
        let mut merged: Option<Input> = None;
        for raw in &args.inputs {
            let path = Path::new(raw);
            if !path.exists() {
                return Err(Diagnostic::error(
                    "no-such-file",
                    format!("{raw}: no such file or directory"),
                )
                .with_help("several inputs must all be files or directories"));
            }
            let input = read_path(path, args.all)?;
            match &mut merged {
                None => merged = Some(input),
                Some(m) => {
                    m.records += input.records;
                    m.observed.extend(input.observed);
                }
            }
        }
        return merged.ok_or_else(|| Diagnostic::error("no-input", "no input was given"));
    }
    let single = &args.inputs[0];
    if single == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| {
            Diagnostic::error(
                "unreadable-input",
                format!("cannot read standard input: {e}"),
            )
        })?;
        return read_bytes(&bytes, None, args.all);
    }
    let path = Path::new(single);
    if path.exists() {
        return read_path(path, args.all);
    }
    read_bytes(single.as_bytes(), None, args.all)
}

fn options(args: &ExplainArgs) -> anyhow::Result<DiagnoseOptions> {
    let session_policy = match &args.session_policy {
        Some(p) => Some(super::read_file(p, "session policy")?),
        None => None,
    };
    Ok(DiagnoseOptions {
        expected_principal: args.expected_principal.clone(),
        session_policy,
        federated_by: args.federated_by.clone(),
    })
}

/// Run the command.
pub fn run(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let input = read_input(args)?;
    let world = args.world.as_deref().map(super::load_world).transpose()?;
    if input.observed.is_empty() {
        match args.output {
            Format::Json => println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"schema": "iamwhy.explain/1", "input": input.kind, "records": input.records, "items": []})
                )?
            ),
            Format::Text => println!(
                "{} record(s) read; none was denied (use --all to explain them anyway).",
                input.records
            ),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if input.observed.len() == 1 {
        return single(args, &input, world.as_ref());
    }
    batch(args, &input, world.as_ref())
}

fn single(args: &ExplainArgs, input: &Input, world: Option<&World>) -> anyhow::Result<ExitCode> {
    let o = &input.observed[0];
    let opts = options(args)?;
    let diagnosis = world.map(|w| diagnose(w, o, &opts));
    let guide = world.is_none().then(|| guide(o));
    match args.output {
        Format::Json => {
            let v = json!({
                "schema": "iamwhy.explain/1",
                "input": input.kind,
                "parsed": o.message,
                "observed": o,
                "diagnosis": diagnosis,
                "guide": guide,
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Text => {
            print!("{}", render_observed(input.kind, o));
            if let Some(d) = &diagnosis {
                print!("{}", render_diagnosis(d, o));
            }
            if let Some(g) = &guide {
                print!("{}", render_guide(g, args.expected_principal.as_deref(), o));
            }
        }
    }
    let failed = diagnosis.as_ref().is_some_and(|d| d.error.is_some());
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
        (_, InputKind::DecodedMessage) => "decoded authorization message".into(),
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
    for n in &o.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out.push('\n');
    out
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

fn render_diagnosis(d: &Diagnosis, o: &Observed) -> String {
    let mut out = String::new();
    for f in &d.first {
        let _ = writeln!(out, "FIRST: {f}\n");
    }
    if let Some(e) = &d.error {
        let _ = writeln!(out, "Cannot simulate: {e}");
        return out;
    }
    let resource = o.resource.clone().unwrap_or_else(|| "*".into());
    for a in &d.actions {
        out.push_str(&render(&a.evaluation, &a.action, &resource));
        out.push_str(&render_context(&a.context, &a.evaluation));
        for n in &a.notes {
            let _ = writeln!(out, "  note: {n}");
        }
        let _ = writeln!(
            out,
            "\nCompared with AWS ({}): {}",
            a.agreement.verdict, a.agreement.explanation
        );
        if !a.fixes.fixes.is_empty() {
            let _ = writeln!(out, "\nFixes (each re-simulated: it allows this request):");
            for (i, f) in a.fixes.fixes.iter().enumerate() {
                let _ = writeln!(out, "  {}. {}", i + 1, f.title);
                for also in &f.also_allows {
                    let _ = writeln!(out, "     also allows: {also}");
                }
                if let Some(c) = &f.command {
                    let _ = writeln!(out, "     apply: {c}");
                }
                if let Some(diff) = &f.diff {
                    out.push_str(&indent(diff, "       "));
                }
            }
        }
        if let Some(why) = &a.fixes.no_safe_fix {
            let _ = writeln!(out, "\nNo safe fix: {why}");
        }
    }
    out
}

fn render_guide(g: &Guide, expected: Option<&str>, o: &Observed) -> String {
    let mut out = String::new();
    if let (Some(e), Some(p)) = (expected, &o.principal)
        && e != p
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
    let _ = writeln!(
        out,
        "\nWhere to look, in order (no world given; add --world DIR to simulate and get verified fixes):"
    );
    for (i, s) in g.steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} — {}", i + 1, s.check, s.why);
        for c in &s.commands {
            let _ = writeln!(out, "       $ {c}");
        }
    }
    out
}

/// Batch mode: group many denials by cause, with counts.
fn batch(args: &ExplainArgs, input: &Input, world: Option<&World>) -> anyhow::Result<ExitCode> {
    let bar = (input.observed.len() > 200 && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(input.observed.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} events {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let opts = options(args)?;
    let mut groups: BTreeMap<String, (usize, Vec<String>, serde_json::Value)> = BTreeMap::new();
    for o in &input.observed {
        let principal = o
            .principal
            .clone()
            .unwrap_or_else(|| "(unknown principal)".into());
        let action = o.actions.join("+");
        let key_and_detail = match world {
            Some(w) => {
                let d = diagnose(w, o, &opts);
                match (&d.error, d.actions.first()) {
                    (Some(e), _) => (format!("cannot simulate: {e}"), json!({"error": e})),
                    (None, Some(a)) => {
                        let stmt = a
                            .evaluation
                            .deciding
                            .first()
                            .map(|m| {
                                format!(
                                    " — {} statement {} ({})",
                                    m.policy,
                                    m.label(),
                                    m.layer.phrase()
                                )
                            })
                            .unwrap_or_default();
                        (
                            format!(
                                "{}: {}{stmt}",
                                a.evaluation.decision.simulator_name(),
                                a.evaluation.reason.summary
                            ),
                            json!({"decision": a.evaluation.decision, "reason": a.evaluation.reason, "fixes": a.fixes.fixes.len()}),
                        )
                    }
                    _ => ("nothing to simulate".into(), json!(null)),
                }
            }
            None => {
                let claim = o
                    .message
                    .as_ref()
                    .map(|m| m.claim().unwrap_or_else(|| "no reason given".into()))
                    .unwrap_or_else(|| "no message".into());
                (claim, json!(o.message))
            }
        };
        let key = format!("{principal} {action}: {}", key_and_detail.0);
        let entry = groups
            .entry(key)
            .or_insert_with(|| (0, Vec::new(), key_and_detail.1));
        entry.0 += 1;
        if entry.1.len() < 3
            && let Origin::CloudTrail {
                event_id: Some(id), ..
            } = &o.origin
        {
            entry.1.push(id.clone());
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut sorted: Vec<_> = groups.into_iter().collect();
    sorted.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    match args.output {
        Format::Json => {
            let items: Vec<_> = sorted
                .iter()
                .map(|(k, (n, ids, detail))| json!({"cause": k, "count": n, "examples": ids, "detail": detail}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"schema": "iamwhy.explain/1", "input": input.kind, "records": input.records, "denied": input.observed.len(), "groups": items})
                )?
            );
        }
        Format::Text => {
            println!(
                "{} records read, {} {} — grouped by cause:\n",
                input.records,
                input.observed.len(),
                if args.all { "explained" } else { "denied" }
            );
            for (k, (n, ids, _)) in &sorted {
                println!("{n:>6} × {k}");
                if !ids.is_empty() {
                    println!("         e.g. event {}", ids.join(", "));
                }
            }
            if world.is_none() {
                println!(
                    "\nAdd --world DIR to simulate each denial and group by the deciding statement."
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
