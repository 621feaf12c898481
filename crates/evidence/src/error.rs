//! Why an input could not be read: a [`Diagnostic`] with a stable code, one sentence, the
//! file it came from and, for JSON syntax errors, the line and column serde_json reported.

use iamwhy_diagnostic::{Diagnostic, Position};

/// An error reading `file` (or text without a file).
pub(crate) fn read_error(
    code: &'static str,
    message: impl Into<String>,
    file: Option<&str>,
) -> Diagnostic {
    let d = Diagnostic::error(code, message);
    match file {
        Some(f) => d.in_file(f),
        None => d,
    }
}

/// A JSON syntax error (`invalid-json`, or `truncated-json` at the end of the input), with
/// serde_json's line and column.
pub(crate) fn json_error(err: &serde_json::Error, file: Option<&str>) -> Diagnostic {
    let code = match err.classify() {
        serde_json::error::Category::Eof => "truncated-json",
        _ => "invalid-json",
    };
    let d = read_error(code, json_problem(err, "the input"), file);
    if err.line() > 0 {
        d.at_position(Position {
            line: err.line() as u32,
            column: err.column() as u32,
        })
    } else {
        d
    }
}

/// serde_json's message without its " at line L column C" tail, framed as a sentence.
pub(crate) fn json_problem(err: &serde_json::Error, what: &str) -> String {
    let text = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    let detail = text.strip_suffix(&tail).unwrap_or(&text);
    match err.classify() {
        serde_json::error::Category::Eof => {
            format!("{what} ends before its JSON is complete (truncated?): {detail}")
        }
        _ => format!("{what} is not valid JSON: {detail}"),
    }
}
