//! Terminal conventions: colour on terminals (`--color auto|always|never`, `NO_COLOR`), and
//! printing diagnostics to standard error.

use crate::render::diagnostic;
use iamwhy_diagnostic::Diagnostic;
use std::process::ExitCode;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always, even in pipes.
    Always,
    /// Never.
    Never,
}

/// Apply the choice to every `anstream` writer of the process (they strip styles when colour
/// is off; `auto` honours `NO_COLOR`, `CLICOLOR` and `CLICOLOR_FORCE`).
pub fn set_color(when: ColorWhen) {
    let choice = match when {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Print a diagnostic to standard error (styled; `anstream` strips the styles when colour is
/// off) and give the exit code for a failed run (2).
pub fn report(d: &Diagnostic) -> ExitCode {
    anstream::eprint!("{}", diagnostic::render(d, true));
    ExitCode::from(2)
}

/// Print a diagnostic as JSON on standard output (`{"schema": "iamwhy.error/1", "error": ...}`,
/// the same fields as everywhere else) for a command run with `--output json`, and give the
/// exit code for a failed run (2). The rendered text still goes to standard error.
pub fn report_json(d: &Diagnostic) -> ExitCode {
    print_json_error(d);
    report(d)
}

/// Print only the JSON form of a diagnostic on standard output (the `iamwhy.error/1` envelope).
pub fn print_json_error(d: &Diagnostic) {
    let v = iamwhy_diagnostic::ErrorReport::new(d);
    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
}
