//! `iamwhy demo`: the main job on the built-in demo organization — realistic denials, one per
//! cause of the access-denied runbooks, and one allowed request, each explained end to end.

use crate::render::trace::render_located;
use anstream::{print, println};
use clap::Args;
use iamwhy_engine::{Decision, EvaluationOptions, MatchedStatement};
use iamwhy_explain::{WorldIndex, suggest};
use iamwhy_world::demo::{demo_file, demo_scenarios, demo_world};
use iamwhy_world::position::statement_position;
use iamwhy_world::scenario::Scenario;
use std::fmt::Write as _;
use std::process::ExitCode;

/// Arguments of `iamwhy demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Show only the scenarios whose title or cause contains this text.
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,
}

fn cause_label(cause: &str) -> &str {
    match cause {
        "missing-allow" => "no policy allows it",
        "explicit-deny" => "an explicit deny",
        "resource-policy" => "the resource policy",
        "scp" => "a service control policy",
        "boundary" => "the permissions boundary",
        "session-policy" => "the session policy",
        "condition-key" => "a condition key",
        "trust-policy" => "the role trust policy",
        "allowed" => "allowed",
        other => other,
    }
}

/// The equivalent `iamwhy check` command line, so the reader can rerun and vary it.
fn check_command(s: &Scenario) -> String {
    let mut cmd = format!(
        "iamwhy check --world examples/demo-world \\\n      --principal {} \\\n      --action {} --resource {}",
        s.principal, s.action, s.resource
    );
    for (k, v) in &s.context {
        let values: Vec<String> = match v {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                .collect(),
            serde_json::Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
        for value in values {
            let _ = write!(cmd, " \\\n      --context {k}={value}");
        }
    }
    if let Some(v) = &s.source_vpce {
        let _ = write!(cmd, " \\\n      --source-vpce {v}");
    }
    if s.session_policy.is_some() {
        cmd.push_str(" \\\n      --session-policy session-policy.json");
    }
    cmd
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

/// Run the demo.
pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let world =
        demo_world().map_err(|e| anyhow::anyhow!("the built-in demo does not load: {e}"))?;
    let scenarios = demo_scenarios().map_err(|e| anyhow::anyhow!("{e}"))?;
    let chosen: Vec<&Scenario> = scenarios
        .iter()
        .filter(|s| {
            args.filter.as_deref().is_none_or(|f| {
                let f = f.to_lowercase();
                s.title.to_lowercase().contains(&f) || s.cause.contains(&f)
            })
        })
        .collect();
    let org = world.organization.as_ref();
    println!("iamwhy demo — why was this AWS request denied?");
    println!(
        "The demo organization {} has {} accounts under {} organizational units; its snapshot is in",
        org.map_or("(none)", |o| o.id.as_str()),
        world.accounts.len() + 1,
        org.map_or(0, |o| o.nodes.len().saturating_sub(1)),
    );
    println!(
        "examples/demo-world (IAM inventories, bucket/key/queue policies, SCPs, an RCP, VPC endpoints)."
    );
    println!(
        "Each story below is a real-looking request, iamwhy's answer, and the line that decided it.\n"
    );
    let opts = EvaluationOptions::default();
    let index = WorldIndex::new(&world);
    let locate = |m: &MatchedStatement| {
        statement_position(
            m.source.as_deref()?,
            m.file_span.as_ref(),
            m.start,
            &|f, span| iamwhy_world::position::read_from_text(demo_file(f)?, span),
        )
    };
    let mut mismatches = 0;
    let total = chosen.len();
    for (i, s) in chosen.iter().enumerate() {
        println!(
            "━━━ {}/{total} · {} ━━━ {}",
            i + 1,
            cause_label(&s.cause),
            s.title
        );
        for line in textwrap(&s.story, 92) {
            println!("{line}");
        }
        println!();
        println!("  $ {}", check_command(s));
        println!();
        let question = s.question();
        let prepared = world
            .prepare(&question)
            .map_err(|e| anyhow::anyhow!("scenario \"{}\": {e}", s.title))?;
        let e = prepared.set.evaluate(&prepared.request, &opts);
        print!(
            "{}",
            indent(&render_located(&e, &s.action, &s.resource, &locate), "  ")
        );
        let fixes = suggest(&index, &question, &prepared, &e);
        print!(
            "{}",
            indent(&crate::render::fixes::render(&fixes, false), "  ")
        );
        let decision = match e.decision {
            Decision::Allowed => "Allowed",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
        };
        if decision != s.expected.decision {
            mismatches += 1;
            println!(
                "  !! the demo expected {}, iamwhy says {decision}",
                s.expected.decision
            );
        }
        println!();
    }
    if mismatches == 0 {
        println!(
            "{total} requests explained. Try one yourself: copy a command above and change the principal,\nthe action or a --context value; add --output json for the full trace."
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{mismatches} of {total} answers differ from the demo's expectations.");
        Ok(ExitCode::from(1))
    }
}

/// Wrap text at word boundaries.
fn textwrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
