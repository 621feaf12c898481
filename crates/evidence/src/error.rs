//! Why an input could not be read.

use std::fmt;

/// Why a CloudTrail (or decoded-message) input could not be read: one sentence, the file it
/// came from, and for JSON syntax errors the position serde_json reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What is wrong, as one sentence without the file name.
    pub message: String,
    /// The file, when the input came from one.
    pub file: Option<String>,
    /// 1-based line of a JSON syntax error.
    pub line: Option<usize>,
    /// 1-based column of a JSON syntax error.
    pub column: Option<usize>,
}

impl ReadError {
    /// An error without a position.
    pub fn new(message: impl Into<String>, file: Option<&str>) -> ReadError {
        ReadError {
            message: message.into(),
            file: file.map(str::to_string),
            line: None,
            column: None,
        }
    }

    /// A JSON syntax error, with serde_json's line and column.
    pub fn json(err: &serde_json::Error, file: Option<&str>) -> ReadError {
        let mut e = ReadError::new(json_problem(err, "the input"), file);
        if err.line() > 0 {
            e.line = Some(err.line());
            e.column = Some(err.column());
        }
        e
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {}", self.message),
            (Some(file), _, _) => write!(f, "{file}: {}", self.message),
            (None, Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (None, _, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ReadError {}

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
