//! The `iamwhy` binary: argument parsing and rendering only. All decisions are made in the
//! library crates (`iamwhy-policy`, `iamwhy-engine`, ...).

mod commands;
mod render;

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
    /// Explain realistic denials on the built-in demo organization (start here).
    Demo(commands::demo::DemoArgs),
    /// Check policy documents against the grammar of their policy type.
    Validate(commands::validate::ValidateArgs),
    /// Lint policies like IAM Access Analyzer's policy validation: grammar, catalog and
    /// security checks (docs/lint.md); text, JSON or SARIF.
    Lint(Box<commands::lint::LintArgs>),
    /// List the actions a wildcard pattern matches, from the embedded service catalog.
    Actions(commands::actions::ActionsArgs),
    /// Explain an access denial: an error message, CloudTrail events or logs, or a decoded
    /// authorization message; with --world, simulate it and suggest verified fixes.
    Explain(Box<commands::explain::ExplainArgs>),
    /// Simulate one request against a world and explain the decision.
    Check(Box<commands::check::CheckArgs>),
    /// Drop-in for `aws iam simulate-custom-policy`: same parameters, same JSON output.
    SimulateCustomPolicy(Box<commands::simulate::custom::CustomPolicyArgs>),
    /// Drop-in for `aws iam simulate-principal-policy`, with a world standing in for the account.
    SimulatePrincipalPolicy(Box<commands::simulate::principal::PrincipalPolicyArgs>),
}

/// The AWS CLI exits 252 on invalid parameters; the simulator commands keep that contract.
const AWS_CLI_PARAMETER_ERROR: u8 = 252;

/// Writing to a closed pipe (`iamwhy ... | head`) ends the process quietly, as it does for
/// other Unix tools, instead of making `println!` panic.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_DFL before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let aws_compatible = std::env::args()
                .nth(1)
                .is_some_and(|a| a.starts_with("simulate-"));
            let is_error = err.use_stderr();
            let _ = err.print();
            return match (is_error, aws_compatible) {
                (false, _) => ExitCode::SUCCESS,
                (true, true) => ExitCode::from(AWS_CLI_PARAMETER_ERROR),
                (true, false) => ExitCode::from(2),
            };
        }
    };
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Actions(args) => commands::actions::run(&args),
        Command::Lint(args) => commands::lint::run(&args),
        Command::SimulateCustomPolicy(args) => commands::simulate::custom::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::SimulatePrincipalPolicy(args) => commands::simulate::principal::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("iamwhy: {err:#}");
            ExitCode::from(2)
        }
    }
}
