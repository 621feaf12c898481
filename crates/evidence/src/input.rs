//! What the user gave `iamwhy explain`: an error message, CloudTrail (an event, lookup-events
//! output, log files plain or gzipped, a directory), or a decoded authorization message. Each
//! becomes one or more [`Observed`] requests.

use crate::error::{json_error, read_error};
use crate::observed::Observed;
use crate::{cloudtrail, decoded};
use iamwhy_diagnostic::Diagnostic;
use std::path::Path;

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InputKind {
    /// An access-denied error message.
    Message,
    /// CloudTrail records.
    CloudTrail,
    /// A decoded authorization message.
    DecodedMessage,
}

/// The requests read from an input.
#[derive(Debug, Clone)]
pub struct Input {
    /// The kind detected.
    pub kind: InputKind,
    /// The requests (for CloudTrail: the denied events only, unless all were asked for).
    pub observed: Vec<Observed>,
    /// Records read in total (CloudTrail).
    pub records: usize,
}

pub use crate::observed::from_message;

fn looks_like_json(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{') || t.starts_with('[')
}

/// Read an input given as bytes (a file's contents or standard input).
pub fn read_bytes(bytes: &[u8], file: Option<&str>, all: bool) -> Result<Input, Diagnostic> {
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let text = if gzip {
        None
    } else {
        std::str::from_utf8(bytes).ok()
    };
    if let Some(text) = text
        && looks_like_json(text)
    {
        let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
        let is_decoded = value.as_ref().is_some_and(|v| {
            v.get("DecodedMessage").is_some()
                || v.get("matchedStatements").is_some()
                || (v.get("context").is_some() && v.get("allowed").is_some())
        });
        if is_decoded {
            let o = decoded::parse_decoded(text).map_err(|d| match file {
                Some(f) if d.file.is_none() => d.in_file(f),
                _ => d,
            })?;
            return Ok(Input {
                kind: InputKind::DecodedMessage,
                observed: vec![o],
                records: 1,
            });
        }
        let cloudtrail_text = [
            "\"eventSource\"",
            "\"eventName\"",
            "\"Records\"",
            "\"CloudTrailEvent\"",
        ]
        .iter()
        .any(|k| text.contains(k));
        let is_cloudtrail = (value.is_none() && cloudtrail_text)
            || value.as_ref().is_some_and(|v| {
                v.get("Records").is_some()
                    || v.get("Events").is_some()
                    || v.get("eventSource").is_some()
                    || v.get("eventName").is_some()
                    || v.as_array()
                        .is_some_and(|a| a.first().is_some_and(|e| e.get("eventSource").is_some()))
            });
        if !is_cloudtrail {
            // A JSON error body ({"message": "User: ..."}): look for the message inside.
            if let Some(o) = from_message(text) {
                return Ok(Input {
                    kind: InputKind::Message,
                    observed: vec![o],
                    records: 1,
                });
            }
            if value.is_none() {
                let e = serde_json::from_str::<serde_json::Value>(text)
                    .expect_err("the text did not parse a moment ago");
                return Err(json_error(&e, file));
            }
            return Err(read_error(
                "not-evidence",
                "this JSON is neither a CloudTrail event nor a decoded authorization message, and contains no access-denied message",
                file,
            ));
        }
    }
    if gzip || text.is_some_and(looks_like_json) {
        let events = cloudtrail::read_events(bytes, file)?;
        return Ok(cloudtrail_input(
            events
                .into_iter()
                .map(|e| (file.map(str::to_string), e))
                .collect(),
            all,
        ));
    }
    let text = text
        .ok_or_else(|| read_error("not-text", "the input is neither UTF-8 text nor gzip", file))?;
    match from_message(text) {
        Some(o) => Ok(Input { kind: InputKind::Message, observed: vec![o], records: 1 }),
        None => Err(read_error(
            "no-access-denied-message",
            "no access-denied message found",
            file,
        )
        .with_help("paste the error text (User: ... is not authorized to perform: ...), a CloudTrail event or log file, or the output of aws sts decode-authorization-message")),
    }
}

fn cloudtrail_input(records: Vec<(Option<String>, serde_json::Value)>, all: bool) -> Input {
    let total = records.len();
    let observed = records
        .iter()
        .filter(|(_, e)| all || cloudtrail::is_denied(e))
        .map(|(f, e)| cloudtrail::observe(e, f.as_deref()))
        .collect();
    Input {
        kind: InputKind::CloudTrail,
        observed,
        records: total,
    }
}

/// Read a file or a directory of CloudTrail logs.
pub fn read_path(path: &Path, all: bool) -> Result<Input, Diagnostic> {
    if path.is_dir() {
        let records = cloudtrail::read_path(path)?;
        return Ok(cloudtrail_input(records, all));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        read_error(
            "unreadable-file",
            format!("cannot read: {e}"),
            Some(&path.display().to_string()),
        )
    })?;
    read_bytes(&bytes, Some(&path.display().to_string()), all)
}
