//! `iamwhy validate FILE... [--type TYPE] [--output text|json]`: grammar checks per policy type.
//! Prints each problem with its code, file, line and column, the source line and a caret;
//! exits 1 when any error was found.

use crate::render::diagnostic::render;
use clap::{Args, ValueEnum};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::PolicyType;
use iamwhy_policy::validate::check;
use std::process::ExitCode;

/// Arguments of `iamwhy validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Policy documents to check (JSON, a JSON string containing JSON, or URL-encoded JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<std::path::PathBuf>,
    /// The policy type the documents are used as.
    #[arg(long = "type", value_enum, default_value_t = TypeArg::Identity)]
    pub policy_type: TypeArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Policy type names accepted on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
#[allow(missing_docs)]
pub enum TypeArg {
    Identity,
    Resource,
    Trust,
    Boundary,
    Session,
    Scp,
    Rcp,
    Endpoint,
}

impl From<TypeArg> for PolicyType {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Identity => PolicyType::Identity,
            TypeArg::Resource => PolicyType::Resource,
            TypeArg::Trust => PolicyType::Trust,
            TypeArg::Boundary => PolicyType::Boundary,
            TypeArg::Session => PolicyType::Session,
            TypeArg::Scp => PolicyType::Scp,
            TypeArg::Rcp => PolicyType::Rcp,
            TypeArg::Endpoint => PolicyType::Endpoint,
        }
    }
}

/// `text` for people, `json` for programs.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    /// Each problem with its source line, as compilers print them.
    Text,
    /// A JSON list of problems.
    Json,
}

/// Run the command.
pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let policy_type = PolicyType::from(args.policy_type);
    let mut problems: Vec<Diagnostic> = Vec::new();
    for path in &args.files {
        let file = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    problems.push(
                        Diagnostic::error("not-utf8", "the file is not UTF-8 text").in_file(file),
                    );
                    continue;
                }
            },
            Err(e) => {
                problems.push(
                    Diagnostic::error("unreadable-file", format!("cannot read the file: {e}"))
                        .in_file(file),
                );
                continue;
            }
        };
        problems.extend(
            check(&text, policy_type)
                .into_iter()
                .map(|d| d.in_file(&file)),
        );
    }
    let failed = problems.iter().any(Diagnostic::is_error);
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&problems)?),
        OutputFormat::Text => {
            for p in &problems {
                anstream::print!("{}", render(p, true));
            }
            if !failed {
                eprintln!(
                    "{} valid as {} ({} file{})",
                    if problems.is_empty() {
                        "all"
                    } else {
                        "all files"
                    },
                    policy_type.describe(),
                    args.files.len(),
                    if args.files.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
