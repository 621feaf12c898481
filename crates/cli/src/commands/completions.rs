//! `iamwhy completions SHELL` and `iamwhy man`: generated from the clap definitions, so they
//! never drift from the real flags.

use clap::Args;
use clap_complete::Shell;
use std::process::ExitCode;

/// Arguments of `iamwhy completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print the completion script for the shell.
pub fn run(args: &CompletionsArgs, cmd: &mut clap::Command) -> anyhow::Result<ExitCode> {
    clap_complete::generate(args.shell, cmd, "iamwhy", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// Print the roff manual page.
pub fn man(cmd: clap::Command) -> anyhow::Result<ExitCode> {
    clap_mangen::Man::new(cmd).render(&mut std::io::stdout())?;
    Ok(ExitCode::SUCCESS)
}
