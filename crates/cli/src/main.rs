//! The `iamwhy` binary: argument parsing and rendering only. All decisions are made in the
//! library crates (`iamwhy-policy`, `iamwhy-engine`, `iamwhy-world`, `iamwhy-evidence`,
//! `iamwhy-explain`, ...).

mod commands;
mod render;
mod terminal;

use clap::{CommandFactory, Parser, Subcommand};
use iamwhy_diagnostic::Diagnostic;
use std::process::ExitCode;

/// mimalloc, as ruff and uv use: loading a world makes millions of small allocations, on
/// several threads, where glibc's allocator spends a third of the time (and grows each
/// thread's arena a page range at a time). Through `iamwhy-alloc`, which calls its plain
/// entry points for ordinary alignments (see that crate's README).
#[global_allocator]
static GLOBAL: iamwhy_alloc::Mimalloc = iamwhy_alloc::Mimalloc;

/// Why was this AWS request allowed or denied?
///
/// iamwhy re-implements AWS's authorization decision offline — identity policies, groups,
/// permissions boundaries, session policies, SCPs and RCPs, resource, trust and key policies,
/// VPC endpoint policies — and explains it: the deciding statement with its file, line and
/// column, the condition values that fired, what was missing, and the smallest verified change
/// that would flip the answer. It never calls AWS while answering.
///
/// Start with `iamwhy demo`. After an AccessDenied, paste the error message, a CloudTrail
/// event or a decoded authorization message into `iamwhy explain`; with `--world DIR` (a
/// snapshot of your account or organization) it simulates the request and names the fix.
#[derive(Debug, Parser)]
#[command(
    name = "iamwhy",
    version = commands::version::LONG_VERSION,
    about = "Why was this AWS request allowed or denied? Offline, exact, explained.",
    after_help = "Examples:\n  iamwhy demo\n  iamwhy explain 'User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:GetObject ...'\n  iamwhy explain --world ./my-world cloudtrail-2026-12-01.json.gz\n  iamwhy check --world ./my-world --principal arn:aws:iam::111122223333:role/app --action s3:GetObject --resource arn:aws:s3:::bucket/key"
)]
struct Cli {
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, global = true, default_value_t = terminal::ColorWhen::Auto)]
    color: terminal::ColorWhen,
    /// The most one world file may hold, after decompression (e.g. 512M, 2G); a larger file,
    /// `/dev/zero` or a gzip bomb is refused after reading at most this much.
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M")]
    max_world_file_size: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Explain realistic denials on the built-in demo organization (start here).
    Demo(commands::demo::DemoArgs),
    /// Explain an access denial: an error message, CloudTrail events or logs, or a decoded
    /// authorization message; with --world, simulate it and suggest verified fixes.
    Explain(Box<commands::explain::ExplainArgs>),
    /// Simulate one request against a world and explain the decision.
    Check(Box<commands::check::CheckArgs>),
    /// Drop-in for `aws iam simulate-custom-policy`: same parameters, same JSON output.
    SimulateCustomPolicy(Box<commands::simulate::custom::CustomPolicyArgs>),
    /// Drop-in for `aws iam simulate-principal-policy`, with a world standing in for the account.
    SimulatePrincipalPolicy(Box<commands::simulate::principal::PrincipalPolicyArgs>),
    /// Every principal that may make a request, and the classes no snapshot lists.
    WhoCan(Box<commands::analyze::who_can::WhoCanArgs>),
    /// Every action a principal may take, by service and access level.
    WhatCan(Box<commands::analyze::what_can::WhatCanArgs>),
    /// The requests whose decision flips between two worlds (change impact); exit 1 on gains.
    Diff(Box<commands::analyze::diff::DiffArgs>),
    /// Run access assertions (YAML or JSON) against a world; JUnit XML for CI.
    Test(Box<commands::analyze::test::TestArgs>),
    /// Check policy documents against the grammar of their policy type.
    Validate(commands::validate::ValidateArgs),
    /// Lint policies like IAM Access Analyzer's policy validation: grammar, catalog and
    /// security checks (docs/lint.md); text, JSON or SARIF.
    Lint(Box<commands::lint::LintArgs>),
    /// Serve a local web UI and JSON API over a world: explain, check, who-can, what-can,
    /// lint, browse (docs/serve.md).
    Serve(Box<commands::serve::ServeArgs>),
    /// List the actions a wildcard pattern matches, from the embedded service catalog.
    Actions(commands::actions::ActionsArgs),
    /// Collect a world from live AWS accounts, read-only (docs/collect.md).
    Collect(Box<commands::collect::CollectArgs>),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::CompletionsArgs),
    /// Print the manual page (roff) to standard output.
    Man,
}

/// Writing to a closed pipe (`iamwhy ... | head`) ends the process quietly, as it does for
/// other Unix tools, instead of making `println!` panic.
#[allow(unsafe_code)]
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
        Err(err) => return commands::usage_error(err),
    };
    terminal::set_color(cli.color);
    match iamwhy_evidence::input::parse_size(&cli.max_world_file_size) {
        Ok(bytes) => iamwhy_world::load::set_max_file_size(bytes),
        Err(e) => {
            return terminal::report(&Diagnostic::error(
                "bad-size-flag",
                format!("{} {e}", iamwhy_world::load::MAX_FILE_SIZE_FLAG),
            ));
        }
    }
    let json_errors = cli.command.prints_json();
    if cli.command.answers_once() {
        iamwhy_world::model::exit_without_freeing();
    }
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Actions(args) => commands::actions::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Lint(args) => commands::lint::run(&args),
        Command::SimulateCustomPolicy(args) => commands::simulate::custom::run(&args),
        Command::Check(args) => commands::check::run(&args),
        Command::WhoCan(args) => commands::analyze::who_can::run(&args),
        Command::WhatCan(args) => commands::analyze::what_can::run(&args),
        Command::Diff(args) => commands::analyze::diff::run(&args),
        Command::Test(args) => commands::analyze::test::run(&args),
        Command::Explain(args) => commands::explain::run(&args),
        Command::SimulatePrincipalPolicy(args) => commands::simulate::principal::run(&args),
        Command::Collect(args) => commands::collect::run(&args),
        Command::Completions(args) => commands::completions::run(&args, &mut Cli::command()),
        Command::Man => commands::completions::man(Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let d = match err.downcast::<Diagnostic>() {
                Ok(d) => d,
                Err(other) => Diagnostic::error("internal-error", format!("{other:#}")),
            };
            if json_errors {
                terminal::report_json(&d)
            } else {
                terminal::report(&d)
            }
        }
    }
}

impl Command {
    /// Whether the command loads a world, answers and ends: its world is then left to the
    /// operating system at exit instead of being freed piece by piece.
    fn answers_once(&self) -> bool {
        matches!(
            self,
            Command::Check(_)
                | Command::Explain(_)
                | Command::SimulatePrincipalPolicy(_)
                | Command::Lint(_)
        )
    }

    /// Whether the command was asked for JSON output, so that a failure is printed as JSON too.
    fn prints_json(&self) -> bool {
        use commands::{actions, check, explain, validate};
        match self {
            Command::Check(a) => a.output == check::Format::Json,
            Command::Explain(a) => a.output == explain::Format::Json,
            Command::Validate(a) => a.output == validate::OutputFormat::Json,
            Command::Actions(a) => a.output == actions::OutputFormat::Json,
            Command::WhoCan(a) => a.output == commands::analyze::Format::Json,
            Command::WhatCan(a) => a.output == commands::analyze::Format::Json,
            Command::Diff(a) => a.output == commands::analyze::Format::Json,
            Command::Test(a) => a.output == commands::analyze::Format::Json,
            _ => false,
        }
    }
}
