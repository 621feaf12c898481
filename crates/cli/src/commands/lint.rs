//! `iamwhy lint FILE|DIR... [--world DIR] [--format text|json|sarif] ...`: Access
//! Analyzer-style policy checks (docs/lint.md). This module parses the arguments and renders;
//! every check lives in iamwhy-lint. Exit codes: 0 clean, 1 a finding at or above
//! `--fail-on`, 2 an input that cannot be read or bad arguments.

use super::validate::TypeArg;
use crate::render::diagnostic::render;
use clap::{Args, ValueEnum};
use iamwhy_diagnostic::{Diagnostic, LineIndex, Severity};
use iamwhy_lint::source::{policy_files, read_file};
use iamwhy_lint::world::world_policies;
use iamwhy_lint::{Config, FindingType, LintRun, Linter, LocatedFinding, PolicySource, rule};
use iamwhy_policy::PolicyType;
use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `iamwhy lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Policy files, or directories of them (every *.json file below).
    #[arg(value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// The policy type of the files given.
    #[arg(long = "type", value_enum, default_value_t = TypeArg::Identity)]
    pub policy_type: TypeArg,
    /// For resource-based policies: the resource type they are attached to
    /// (e.g. AWS::S3::Bucket; AWS::IAM::AssumeRolePolicyDocument is a role trust policy).
    #[arg(long, value_name = "TYPE")]
    pub resource_type: Option<String>,
    /// Lint every policy of a world (each with its type), and report grants to accounts
    /// outside its organization.
    #[arg(long, value_name = "DIR")]
    pub world: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 when a finding of this type or a more serious one exists
    /// [default: security, or the config file's fail-on].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Never report this code (repeatable).
    #[arg(long = "ignore", value_name = "CODE")]
    pub ignore: Vec<String>,
    /// A configuration file with ignores and suppressions (docs/lint.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Findings with the source line and a caret, like a compiler.
    Text,
    /// Access Analyzer's finding shape.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Finding types `--fail-on` accepts, most serious first.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    /// ERROR.
    Error,
    /// SECURITY_WARNING and above.
    Security,
    /// WARNING and above.
    Warning,
    /// Every finding.
    Suggestion,
}

impl From<FailOn> for FindingType {
    fn from(f: FailOn) -> Self {
        match f {
            FailOn::Error => FindingType::Error,
            FailOn::Security => FindingType::SecurityWarning,
            FailOn::Warning => FindingType::Warning,
            FailOn::Suggestion => FindingType::Suggestion,
        }
    }
}

fn usage_error(message: impl fmt::Display) -> anyhow::Result<ExitCode> {
    Err(Diagnostic::error("bad-lint-arguments", message.to_string()).into())
}

/// Run the command.
pub fn run(args: &LintArgs) -> anyhow::Result<ExitCode> {
    if args.paths.is_empty() && args.world.is_none() {
        return usage_error("give policy files or directories, or --world DIR");
    }
    let mut config = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(c) => c,
            Err(e) => return usage_error(e),
        },
        None => Config::default(),
    };
    for code in &args.ignore {
        match rule(code) {
            Some(r) => config.ignore.push(r.code),
            None => {
                return usage_error(format!(
                    "--ignore {code}: not a lint code (docs/lint.md lists them)"
                ));
            }
        }
    }
    let resource_type = match &args.resource_type {
        Some(name) => match iamwhy_lint::resource_type(name) {
            Some(rt) => Some(rt),
            None => {
                let names: Vec<&str> = iamwhy_lint::RESOURCE_TYPES.iter().map(|r| r.name).collect();
                return usage_error(format!(
                    "--resource-type {name}: not a resource type iamwhy knows; use one of {}",
                    names.join(", ")
                ));
            }
        },
        None => None,
    };
    let mut policy_type = PolicyType::from(args.policy_type);
    if resource_type.is_some_and(|rt| rt.name == "AWS::IAM::AssumeRolePolicyDocument") {
        policy_type = PolicyType::Trust;
    }
    let threshold = args
        .fail_on
        .map(FindingType::from)
        .or(config.fail_on)
        .unwrap_or(FindingType::SecurityWarning);

    let mut sources: Vec<PolicySource> = Vec::new();
    let mut errors = Vec::new();
    for path in &args.paths {
        match policy_files(path) {
            Ok(files) => {
                for f in files {
                    match read_file(&f) {
                        Ok(file) => {
                            sources.push(PolicySource::whole_file(file, policy_type, resource_type))
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let mut known: Option<BTreeSet<String>> = None;
    if let Some(dir) = &args.world {
        let w = world_policies(dir);
        sources.extend(w.sources);
        errors.extend(w.errors);
        known = Some(w.accounts);
    }
    let linter = Linter::new();
    let mut run = linter.run(sources, &config, known.as_ref());
    run.errors = errors;

    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&run.to_json())?),
        Format::Sarif => println!("{}", serde_json::to_string_pretty(&run.to_sarif())?),
        Format::Text => print_text(&run),
    }
    for e in &run.errors {
        anstream::eprint!("{}", render(e, true));
    }
    Ok(if !run.errors.is_empty() {
        ExitCode::from(2)
    } else if run.fails(threshold) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The message of a finding: its details, prefixed with the finding type where the rendered
/// level (error / warning) does not already say it (SECURITY_WARNING, SUGGESTION).
fn kind_and_details(f: &iamwhy_lint::Finding) -> String {
    match f.rule.finding_type {
        FindingType::Error | FindingType::Warning => f.details.clone(),
        other => format!("{other}: {}", f.details),
    }
}

/// One finding as the project's located diagnostic, rendered by the shared renderer: the
/// finding type and details as the message, the rule's title under the caret, the help and a
/// link to the rule's section of docs/lint.md. A policy encoded inside its file (an escaped
/// JSON string, URL-encoded text) is shown decoded, and the message says where it is in the
/// file.
fn to_diagnostic(l: &LocatedFinding<'_>) -> Diagnostic {
    let f = l.finding;
    let severity = match f.rule.finding_type {
        FindingType::Error => Severity::Error,
        _ => Severity::Warning,
    };
    let (file_start, _) = l.file_range;
    let policy = match (&l.source.json_path, &l.source.name) {
        (Some(p), Some(n)) => format!(" (in {n}, at {p})"),
        (Some(p), None) => format!(" (at {p})"),
        _ => String::new(),
    };
    let help = match &f.help {
        Some(h) => format!("{h}\nsee {}", f.rule.docs_url()),
        None => format!("see {}", f.rule.docs_url()),
    };
    let d = if l.source.embedding.is_encoded() {
        let text: Arc<str> = Arc::from(l.source.text.as_str());
        let lines = LineIndex::new(&text);
        Diagnostic::new(
            f.rule.code,
            severity,
            format!(
                "{}{policy} [at {}:{}:{} in the file, which holds the policy as {}]",
                kind_and_details(f),
                l.source.file.path,
                file_start.line,
                file_start.column,
                l.source.embedding.describe()
            ),
        )
        .in_file(format!("{} (decoded)", l.source.file.path))
        .at_span(&text, &lines, f.span)
    } else {
        Diagnostic::new(
            f.rule.code,
            severity,
            format!("{}{policy}", kind_and_details(f)),
        )
        .in_file(l.source.file.path.clone())
        .at_located_span(file_start, l.file_span)
        .with_source(Arc::from(l.source.file.text.as_str()))
    };
    d.with_label_text(f.rule.title).with_help(help)
}

fn print_text(run: &LintRun) {
    let located = run.located();
    for l in &located {
        anstream::println!("{}", render(&to_diagnostic(l), true));
    }
    let [errors, security, warnings, suggestions] = run.counts();
    let suppressed: usize = run.policies.iter().map(|p| p.suppressed).sum();
    let mut summary = format!(
        "{} finding{} in {} polic{}: {errors} error{}, {security} security warning{}, {warnings} warning{}, {suggestions} suggestion{}",
        located.len(),
        plural(located.len()),
        run.policies.len(),
        if run.policies.len() == 1 { "y" } else { "ies" },
        plural(errors),
        plural(security),
        plural(warnings),
        plural(suggestions),
    );
    if suppressed > 0 {
        summary.push_str(&format!(" ({suppressed} suppressed)"));
    }
    println!("{summary}");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
