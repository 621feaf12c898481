//! Running the `iamwhy` binary for snapshot tests: one text holding the command line, the exit
//! status, standard output and standard error, made deterministic.
//!
//! Every run starts in the repository root (so paths in the output are the relative paths the
//! test passes) with `--color never`. The only input that changes between runs is the clock:
//! `check` and `explain --world` infer `aws:CurrentTime` and `aws:EpochTime` from it, so
//! [`assert_run!`] replaces those two values — and only when their provenance is "the current
//! time" — with a placeholder (and `iamwhy 0.1.0` with `iamwhy [version]`). Any other change
//! to a rendered line fails the snapshot.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `iamwhy --color never ARGS` in the repository root, with `stdin` as standard input.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> String {
    run_full(&repo(), args, stdin, usize::MAX)
}

/// Runs `iamwhy --color never ARGS` in `dir` (a scratch directory, so that the files a test
/// writes there are named by relative, deterministic paths).
pub fn run_in(dir: &Path, args: &[&str]) -> String {
    run_full(dir, args, "", usize::MAX)
}

/// Runs `iamwhy --color never ARGS` in the repository root, keeping the first `lines` lines of
/// standard output (and saying how many more there were).
pub fn run_head(args: &[&str], lines: usize) -> String {
    run_full(&repo(), args, "", lines)
}

fn run_full(dir: &Path, args: &[&str], stdin: &str, lines: usize) -> String {
    let out = Command::cargo_bin("iamwhy")
        .unwrap()
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .args(["--color", "never"])
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    let shown: Vec<String> = args.iter().map(|a| quote(a)).collect();
    let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let total = stdout.lines().count();
    if total > lines {
        stdout = stdout
            .lines()
            .take(lines)
            .map(|l| format!("{l}\n"))
            .collect();
        stdout.push_str(&format!("[... {} more lines]\n", total - lines));
    }
    format!(
        "$ iamwhy {}\nexit status: {}\n----- stdout -----\n{}----- stderr -----\n{}",
        shown.join(" "),
        out.status
            .code()
            .map_or_else(|| "killed by a signal".to_string(), |c| c.to_string()),
        stdout,
        String::from_utf8_lossy(&out.stderr),
    )
}

/// Runs `iamwhy --color never ARGS` in the repository root.
pub fn run(args: &[&str]) -> String {
    run_with_stdin(args, "")
}

/// An argument as a shell would need it.
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+*".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The filters that make a run deterministic: the values the clock supplies, and the version
/// (so that a release does not rewrite every snapshot that prints it).
pub const FILTERS: &[(&str, &str)] = &[
    (
        concat!(r"iamwhy ", env!("CARGO_PKG_VERSION"), r"\b"),
        "iamwhy [version]",
    ),
    (
        r"aws:CurrentTime = \S+  \(from the current time\)",
        "aws:CurrentTime = [now]  (from the current time)",
    ),
    (
        r"aws:EpochTime = \d+  \(from the current time\)",
        "aws:EpochTime = [now, epoch seconds]  (from the current time)",
    ),
];

/// `assert_run!(name, text)`: the snapshot `name` of a run, with [`FILTERS`] applied.
#[macro_export]
macro_rules! assert_run {
    ($name:expr, $text:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_omit_expression(true);
        for (pattern, replacement) in $crate::support::FILTERS {
            settings.add_filter(pattern, *replacement);
        }
        settings.bind(|| insta::assert_snapshot!($name, $text));
    }};
}
