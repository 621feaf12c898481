//! `iamwhy actions PATTERN... [--output text|json]` and `iamwhy actions --describe ACTION`:
//! wildcard expansion and action details from the embedded service catalog.
//!
//! Prints matching actions one per line in canonical case, sorted (by service, then name) and
//! deduplicated. An unknown service or action, or a pattern that matches nothing, is reported
//! on stderr (with a "did you mean" suggestion where one is close) and exits 1.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use crate::render::diagnostic::render;
use clap::{Args, ValueEnum};
use iamwhy_catalog::{Action, Catalog, catalog};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::wildcard::has_wildcard;
use serde::Serialize;

/// Arguments of `iamwhy actions`.
#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Action patterns such as `s3:Get*`, `iam:*AccessKey*`, `*:Describe*` or `*`
    /// (case-insensitive; `*` and `?` wildcards).
    #[arg(value_name = "PATTERN", required_unless_present = "describe")]
    pub patterns: Vec<String>,
    /// Show one action's access level, resource types (with ARN templates) and condition keys.
    #[arg(long, value_name = "ACTION", conflicts_with = "patterns")]
    pub describe: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// `text` for people, `json` for programs.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    /// Action names one per line (`--describe`: a readable summary).
    Text,
    /// A JSON array of action details (`--describe`: one JSON object).
    Json,
}

/// Run the command.
pub fn run(args: &ActionsArgs) -> anyhow::Result<ExitCode> {
    let cat = catalog();
    let result = match &args.describe {
        Some(name) => describe(cat, name, args.output),
        None => list(cat, &args.patterns, args.output),
    };
    match result {
        Ok(code) => Ok(code),
        // `iamwhy actions '*' | head` is not an error.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(err.into()),
    }
}

fn list(cat: &'static Catalog, patterns: &[String], output: OutputFormat) -> io::Result<ExitCode> {
    let mut found: Vec<Action<'static>> = Vec::new();
    let mut failed = false;
    for pattern in patterns {
        match expand(cat, pattern) {
            Ok(actions) => found.extend(actions),
            Err(d) => {
                report(&d, output);
                failed = true;
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    found.sort();
    found.dedup();
    let mut out = BufWriter::new(io::stdout().lock());
    match output {
        OutputFormat::Text => {
            for action in &found {
                writeln!(out, "{action}")?;
            }
        }
        OutputFormat::Json => {
            let details: Vec<ActionJson> = found.iter().map(|a| ActionJson::new(*a)).collect();
            serde_json::to_writer_pretty(&mut out, &details)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Expands one pattern, or explains why it matches nothing.
fn expand(cat: &'static Catalog, pattern: &str) -> Result<Vec<Action<'static>>, Diagnostic> {
    if pattern == "*" {
        return Ok(cat.expand(pattern));
    }
    let Some((service, action)) = pattern.split_once(':') else {
        return Err(with_hint(
            Diagnostic::error(
                "not-an-action-pattern",
                format!(
                    "'{pattern}' is not an action pattern (expected SERVICE:ACTION, e.g. s3:Get*)"
                ),
            ),
            cat.suggest_actions(pattern).iter().map(|a| a.to_string()),
        ));
    };
    if !has_wildcard(service) && cat.service(service).is_none() {
        return Err(with_hint(
            Diagnostic::error("unknown-service", format!("unknown service '{service}'")),
            cat.suggest_services(service).iter().map(|s| s.to_string()),
        ));
    }
    if action.is_empty() {
        return Err(Diagnostic::error(
            "not-an-action-pattern",
            format!("'{pattern}' names no action"),
        ));
    }
    let actions = cat.expand(pattern);
    if !actions.is_empty() {
        return Ok(actions);
    }
    if has_wildcard(pattern) {
        return Err(Diagnostic::error(
            "matches-no-action",
            format!("'{pattern}' matches no action"),
        ));
    }
    Err(with_hint(
        Diagnostic::error("unknown-action", format!("unknown action '{pattern}'")),
        cat.suggest_actions(pattern).iter().map(|a| a.to_string()),
    ))
}

/// "did you mean 'a'?", "did you mean 'a' or 'b'?", or nothing.
fn did_you_mean(names: impl Iterator<Item = String>) -> Option<String> {
    let names: Vec<String> = names.map(|n| format!("'{n}'")).collect();
    match names.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

/// `d` with "did you mean ...?" as its help when any name is close.
fn with_hint(d: Diagnostic, names: impl Iterator<Item = String>) -> Diagnostic {
    match did_you_mean(names) {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// Print a problem with a name the user gave (the command then exits 1, not 2: the catalog
/// answered, the name is not in it). With `--output json` its JSON form (`iamwhy.error/1`) also
/// goes to standard output, as for every other command's failures.
fn report(d: &Diagnostic, output: OutputFormat) {
    if output == OutputFormat::Json {
        crate::terminal::print_json_error(d);
    }
    anstream::eprint!("{}", render(d, true));
}

fn describe(cat: &'static Catalog, name: &str, output: OutputFormat) -> io::Result<ExitCode> {
    let Some(action) = cat.action(name) else {
        let d = match name.split_once(':') {
            Some((service, _)) if cat.service(service).is_none() => {
                let actions: Vec<String> = cat
                    .suggest_actions(name)
                    .iter()
                    .map(|a| a.to_string())
                    .collect();
                let names = if actions.is_empty() {
                    cat.suggest_services(service)
                        .iter()
                        .map(|s| s.to_string())
                        .collect()
                } else {
                    actions
                };
                with_hint(
                    Diagnostic::error(
                        "unknown-service",
                        format!("unknown service '{service}' in '{name}'"),
                    ),
                    names.into_iter(),
                )
            }
            _ => with_hint(
                Diagnostic::error("unknown-action", format!("unknown action '{name}'")),
                cat.suggest_actions(name).iter().map(|a| a.to_string()),
            ),
        };
        report(&d, output);
        return Ok(ExitCode::from(1));
    };
    let details = ActionJson::new(action);
    let mut out = BufWriter::new(io::stdout().lock());
    match output {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &details)?;
            writeln!(out)?;
        }
        OutputFormat::Text => write_text(&mut out, &details)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One action's details, as printed by `--output json` and `--describe`.
#[derive(Serialize)]
struct ActionJson {
    action: String,
    service: &'static str,
    service_name: &'static str,
    access_level: &'static str,
    /// True when the action takes no resource type: only `"Resource": "*"` applies.
    wildcard_only: bool,
    resource_types: Vec<ResourceTypeJson>,
    condition_keys: Vec<KeyJson>,
    /// Whether resource control policies apply to the service.
    rcp_applies: bool,
}

#[derive(Serialize)]
struct ResourceTypeJson {
    name: &'static str,
    required: bool,
    arn_templates: Vec<&'static str>,
    /// Keys of the resource type, and keys of this action on this type only.
    condition_keys: Vec<KeyJson>,
}

#[derive(Serialize)]
struct KeyJson {
    name: &'static str,
    #[serde(rename = "type")]
    key_type: &'static str,
}

impl ActionJson {
    fn new(action: Action<'static>) -> ActionJson {
        let service = action.service();
        let resource_types = action
            .resource_types()
            .map(|art| {
                let rt = art.resource_type();
                let keys = art.condition_keys().chain(rt.condition_keys());
                ResourceTypeJson {
                    name: rt.name(),
                    required: art.required(),
                    arn_templates: rt.arn_templates().collect(),
                    condition_keys: sorted_keys(keys.map(|k| (k.name(), k.key_type().as_str()))),
                }
            })
            .collect();
        let keys = action.condition_keys();
        ActionJson {
            action: action.to_string(),
            service: service.prefix(),
            service_name: service.name(),
            access_level: action.access_level().as_str(),
            wildcard_only: action.is_wildcard_only(),
            resource_types,
            condition_keys: sorted_keys(keys.map(|k| (k.name(), k.key_type().as_str()))),
            rcp_applies: service.supports_rcp(),
        }
    }
}

/// Deduplicated by name, sorted case-insensitively.
fn sorted_keys(keys: impl Iterator<Item = (&'static str, &'static str)>) -> Vec<KeyJson> {
    let map: BTreeMap<String, (&'static str, &'static str)> = keys
        .map(|(name, ty)| (name.to_ascii_lowercase(), (name, ty)))
        .collect();
    map.into_values()
        .map(|(name, key_type)| KeyJson { name, key_type })
        .collect()
}

fn write_text(out: &mut impl Write, d: &ActionJson) -> io::Result<()> {
    writeln!(out, "{} ({})", d.action, d.service_name)?;
    writeln!(out, "  access level:   {}", d.access_level)?;
    let rcp = if d.rcp_applies { "yes" } else { "no" };
    writeln!(out, "  RCPs apply:     {rcp}")?;
    if d.wildcard_only {
        writeln!(
            out,
            "  resource types: none (wildcard-only: only \"Resource\": \"*\" applies)"
        )?;
    } else {
        writeln!(out, "  resource types: (* = required)")?;
        for rt in &d.resource_types {
            let mark = if rt.required { "*" } else { "" };
            writeln!(out, "    {}{mark}", rt.name)?;
            for template in &rt.arn_templates {
                writeln!(out, "      {template}")?;
            }
            if !rt.condition_keys.is_empty() {
                let keys: Vec<&str> = rt.condition_keys.iter().map(|k| k.name).collect();
                writeln!(out, "      condition keys: {}", keys.join(", "))?;
            }
        }
    }
    if d.condition_keys.is_empty() {
        writeln!(out, "  condition keys: none specific to this action")?;
    } else {
        writeln!(out, "  condition keys:")?;
        let width = d
            .condition_keys
            .iter()
            .map(|k| k.name.len())
            .max()
            .unwrap_or(0);
        for key in &d.condition_keys {
            writeln!(out, "    {:width$}  {}", key.name, key.key_type)?;
        }
    }
    Ok(())
}
