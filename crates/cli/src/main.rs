//! The `iamwhy` binary: argument parsing and rendering only. All decisions are made in the
//! library crates (`iamwhy-policy`, `iamwhy-engine`, ...).

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// iamwhy — why was this AWS request allowed or denied?
#[derive(Debug, Parser)]
#[command(name = "iamwhy", version = commands::version::LONG_VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policy documents against the grammar of their policy type.
    Validate(commands::validate::ValidateArgs),
    /// List the actions a wildcard pattern matches, from the embedded service catalog.
    Actions(commands::actions::ActionsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => commands::validate::run(&args),
        Command::Actions(args) => commands::actions::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("iamwhy: {err:#}");
            ExitCode::from(2)
        }
    }
}
