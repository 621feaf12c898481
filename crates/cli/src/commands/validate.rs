//! `iamwhy validate FILE... [--type TYPE] [--output text|json]`: grammar checks per policy type.
//! Prints each problem as `FILE:LINE:COLUMN: message`; exits 1 when any error was found.

use clap::{Args, ValueEnum};
use iamwhy_policy::validate::check;
use iamwhy_policy::{PolicyType, Severity};
use serde::Serialize;
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
    /// `FILE:LINE:COLUMN: message` lines.
    Text,
    /// A JSON list of problems.
    Json,
}

#[derive(Serialize)]
struct Problem {
    file: String,
    line: u32,
    column: u32,
    severity: Severity,
    code: &'static str,
    message: String,
}

/// Run the command.
pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let policy_type = PolicyType::from(args.policy_type);
    let mut problems = Vec::new();
    for path in &args.files {
        let file = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    problems.push(Problem {
                        file,
                        line: 1,
                        column: 1,
                        severity: Severity::Error,
                        code: "not-utf8",
                        message: "the file is not UTF-8 text".into(),
                    });
                    continue;
                }
            },
            Err(e) => {
                problems.push(Problem {
                    file,
                    line: 0,
                    column: 0,
                    severity: Severity::Error,
                    code: "unreadable",
                    message: format!("cannot read the file: {e}"),
                });
                continue;
            }
        };
        for d in check(&text, policy_type) {
            problems.push(Problem {
                file: file.clone(),
                line: d.position.line,
                column: d.position.column,
                severity: d.severity,
                code: d.code,
                message: d.message,
            });
        }
    }
    let failed = problems.iter().any(|p| p.severity == Severity::Error);
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&problems)?),
        OutputFormat::Text => {
            for p in &problems {
                let warning = if p.severity == Severity::Warning {
                    "warning: "
                } else {
                    ""
                };
                if p.line == 0 {
                    println!("{}: {warning}{}", p.file, p.message);
                } else {
                    println!("{}:{}:{}: {warning}{}", p.file, p.line, p.column, p.message);
                }
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
