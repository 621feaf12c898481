//! One module per subcommand. Each exposes its clap `Args` struct and a `run` function that
//! returns the process exit code; failures are [`Diagnostic`]s, rendered by `main`.

pub mod actions;
pub mod analyze;
pub mod check;
pub mod collect;
pub mod completions;
pub mod demo;
pub mod explain;
pub mod lint;
pub mod request_flags;
pub mod serve;
pub mod simulate;
pub mod validate;
pub mod version;

use iamwhy_diagnostic::Diagnostic;
use std::path::Path;
use std::process::ExitCode;

/// The AWS CLI exits 252 on invalid parameters; the simulator commands keep that contract.
const AWS_CLI_PARAMETER_ERROR: u8 = 252;

/// Print a command-line usage error (or `--help`/`--version`) and give the exit code: 0 for
/// help and version, 252 for the AWS-compatible simulators (as the AWS CLI does), 2 otherwise.
pub fn usage_error(err: clap::Error) -> ExitCode {
    let aws_compatible = std::env::args()
        .nth(1)
        .is_some_and(|a| a.starts_with("simulate-"));
    let is_error = err.use_stderr();
    let _ = err.print();
    match (is_error, aws_compatible) {
        (false, _) => ExitCode::SUCCESS,
        (true, true) => ExitCode::from(AWS_CLI_PARAMETER_ERROR),
        (true, false) => ExitCode::from(2),
    }
}

/// Load the world at `dir`; a problem is a diagnostic whose file is named from `dir` so that
/// its source line can be shown.
pub(crate) fn load_world(dir: &Path) -> Result<iamwhy_world::World, Diagnostic> {
    iamwhy_world::load_dir(dir).map_err(|d| world_error(dir, d))
}

/// [`load_world`] for two worlds, loaded side by side (one thread each).
pub(crate) fn load_worlds(
    a: &Path,
    b: &Path,
) -> Result<(iamwhy_world::World, iamwhy_world::World), Diagnostic> {
    let (first, second) = iamwhy_world::load_dirs_side_by_side(a, b);
    Ok((
        first.map_err(|d| world_error(a, d))?,
        second.map_err(|d| world_error(b, d))?,
    ))
}

/// A world's load error, with its file named from the world directory and a help line.
fn world_error(dir: &Path, mut d: Diagnostic) -> Diagnostic {
    let relative = d
        .file
        .as_deref()
        .filter(|f| !Path::new(f).is_absolute() && !f.starts_with(&*dir.to_string_lossy()))
        .map(|f| dir.join(f).display().to_string());
    if let Some(full) = relative {
        d = d.in_file(full);
    }
    if d.help.is_none() {
        d = d.with_help(format!(
            "iamwhy cannot load the world {}; docs/worlds.md describes the files a world holds",
            dir.display()
        ));
    }
    d
}

/// The most a file named on the command line (a policy) may hold: a policy is at most a few
/// KiB; this only stops `/dev/zero` and the like.
const MAX_NAMED_FILE: u64 = 16 << 20;

/// Read a file the user named on the command line (at most 16 MiB).
pub(crate) fn read_file(path: &Path, what: &str) -> Result<String, Diagnostic> {
    use std::io::Read;
    let label = path.display().to_string();
    let cannot = |e: std::io::Error| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            "no-such-file"
        } else {
            "unreadable-file"
        };
        Diagnostic::error(code, format!("cannot read the {what} {label}: {e}")).in_file(&label)
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    file.take(MAX_NAMED_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_NAMED_FILE {
        return Err(Diagnostic::error(
            "input-too-large",
            format!(
                "the {what} {label} holds more than {}, the limit for a file named on the command line",
                iamwhy_evidence::input::human_size(MAX_NAMED_FILE)
            ),
        )
        .in_file(&label));
    }
    String::from_utf8(bytes).map_err(|_| {
        Diagnostic::error("not-utf8", format!("the {what} {label} is not UTF-8 text"))
            .in_file(&label)
    })
}
