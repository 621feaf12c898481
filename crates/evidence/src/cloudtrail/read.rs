//! Reading CloudTrail records from bytes, files and directories in every shape they come in.

use std::fs;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::{Map, Value};

use super::stream::{RecordSink, StreamError, for_each_record};
use crate::error::{json_problem, read_error};
use crate::input::io_diagnostic;
use crate::input::limits::{Capped, Counted, Limits};
use crate::json::kind_of;
use iamwhy_diagnostic::Diagnostic;

/// The raw CloudTrail records in `bytes`: one event, a log file (`{"Records": [...]}`), gzip
/// or not, `lookup-events` output, an array of events, or several JSON documents in a row.
/// `file` only labels errors. Decompression is capped at [`Limits::DEFAULT_MAX_INPUT_BYTES`].
pub fn read_events(bytes: &[u8], file: Option<&str>) -> Result<Vec<Value>, Diagnostic> {
    let mut out = Vec::new();
    stream_events(bytes, file, &mut |v| {
        out.push(v);
        Ok(())
    })?;
    Ok(out)
}

/// [`read_events`], handing each record to `sink` as it is parsed instead of collecting them.
pub(crate) fn stream_events(
    bytes: &[u8],
    file: Option<&str>,
    sink: &mut RecordSink<'_>,
) -> Result<(), Diagnostic> {
    let limits = Limits::default();
    let located = |d: Diagnostic| match file {
        Some(f) if d.file.is_none() => d.in_file(f),
        _ => d,
    };
    let gzip = bytes.starts_with(&[0x1f, 0x8b]);
    let result = if gzip {
        let gz = MultiGzDecoder::new(bytes);
        for_each_record(
            Capped::new(gz, limits.max_input_bytes, Counted::Decompressed),
            file,
            sink,
        )
    } else {
        for_each_record(bytes, file, sink)
    };
    match result {
        Ok(_) => Ok(()),
        Err(StreamError::Input(d)) => Err(located(d)),
        Err(StreamError::Io(e)) => Err(located(io_diagnostic(&e, gzip, &limits, "the data"))),
    }
}

/// Records from a file or, recursively, from every `.json` / `.json.gz` file under a
/// directory (sorted by path), each with the name of the file it came from.
pub fn read_path(path: &Path) -> Result<Vec<(Option<String>, Value)>, Diagnostic> {
    let name = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| {
        read_error(
            "unreadable-file",
            format!("cannot be read ({e})"),
            Some(&name),
        )
    })?;
    let files = if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(read_error(
                "no-log-files",
                "the directory holds no .json or .json.gz files",
                Some(&name),
            ));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Vec::new();
    for f in files {
        let label = f.display().to_string();
        let bytes = fs::read(&f).map_err(|e| {
            read_error(
                "unreadable-file",
                format!("cannot be read ({e})"),
                Some(&label),
            )
        })?;
        stream_events(&bytes, Some(&label), &mut |record| {
            out.push((Some(label.clone()), record));
            Ok(())
        })?;
    }
    Ok(out)
}

/// [`read_path`] over several files or directories, in the order given.
pub fn read_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<(Option<String>, Value)>, Diagnostic> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(read_path(p.as_ref())?);
    }
    Ok(out)
}

pub(crate) fn is_log_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".json.gz")
}

pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
    let label = dir.display().to_string();
    let entries = fs::read_dir(dir).map_err(|e| {
        read_error(
            "unreadable-directory",
            format!("cannot be listed ({e})"),
            Some(&label),
        )
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| {
            read_error(
                "unreadable-directory",
                format!("cannot be listed ({e})"),
                Some(&label),
            )
        })?;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out)?;
        } else if is_log_name(&entry.file_name().to_string_lossy()) {
            // Symbolic links are followed to files; linked directories are skipped (no loops).
            if kind.is_symlink() && !fs::metadata(&path).map(|m| m.is_file()).unwrap_or(false) {
                continue;
            }
            out.push(path);
        }
    }
    Ok(())
}

pub(crate) fn looks_like_event(map: &Map<String, Value>) -> bool {
    [
        "eventName",
        "eventSource",
        "eventVersion",
        "eventID",
        "userIdentity",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

pub(crate) fn collect_object(
    mut map: Map<String, Value>,
    file: Option<&str>,
    out: &mut Vec<Value>,
    what: &str,
) -> Result<(), Diagnostic> {
    if let Some(records) = map.remove("Records") {
        let Value::Array(records) = records else {
            return Err(read_error(
                "not-cloudtrail",
                format!(
                    "\"Records\" in {what} is a {}, not a list",
                    kind_of(&records)
                ),
                file,
            ));
        };
        for (i, record) in records.into_iter().enumerate() {
            if !record.is_object() {
                return Err(read_error(
                    "not-an-event",
                    format!(
                        "Records[{i}] is a {}, not an event object",
                        kind_of(&record)
                    ),
                    file,
                ));
            }
            out.push(record);
        }
        return Ok(());
    }
    if let Some(events) = map.remove("Events") {
        let Value::Array(events) = events else {
            return Err(read_error(
                "not-cloudtrail",
                format!("\"Events\" in {what} is a {}, not a list", kind_of(&events)),
                file,
            ));
        };
        for (i, entry) in events.into_iter().enumerate() {
            let Value::Object(entry) = entry else {
                return Err(read_error(
                    "not-an-event",
                    format!("Events[{i}] is a {}, not an object", kind_of(&entry)),
                    file,
                ));
            };
            lookup_entry(entry, file, out, &format!("Events[{i}]"))?;
        }
        return Ok(());
    }
    if map.contains_key("CloudTrailEvent") {
        return lookup_entry(map, file, out, what);
    }
    if looks_like_event(&map) {
        out.push(Value::Object(map));
        return Ok(());
    }
    Err(read_error(
        "not-cloudtrail",
        format!(
            "{what} is not a CloudTrail event, a log file ({{\"Records\": [...]}}) or lookup-events output ({{\"Events\": [...]}})"
        ),
        file,
    ))
}

/// One entry of `lookup-events` output: the event is the JSON text in `CloudTrailEvent`.
pub(crate) fn lookup_entry(
    mut entry: Map<String, Value>,
    file: Option<&str>,
    out: &mut Vec<Value>,
    what: &str,
) -> Result<(), Diagnostic> {
    match entry.remove("CloudTrailEvent") {
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(event)) => {
                out.push(Value::Object(event));
                Ok(())
            }
            Ok(other) => Err(read_error(
                "not-an-event",
                format!(
                    "{what}.CloudTrailEvent holds a {}, not an event object",
                    kind_of(&other)
                ),
                file,
            )),
            Err(e) => Err(read_error(
                "invalid-json",
                format!(
                    "{} (line {}, column {} of that string)",
                    json_problem(&e, &format!("{what}.CloudTrailEvent")),
                    e.line(),
                    e.column()
                ),
                file,
            )),
        },
        Some(Value::Object(event)) => {
            out.push(Value::Object(event));
            Ok(())
        }
        Some(other) => Err(read_error(
            "not-an-event",
            format!(
                "{what}.CloudTrailEvent is a {}, not the event's JSON text",
                kind_of(&other)
            ),
            file,
        )),
        None if looks_like_event(&entry) => {
            out.push(Value::Object(entry));
            Ok(())
        }
        None => Err(read_error(
            "not-an-event",
            format!("{what} has no CloudTrailEvent field"),
            file,
        )),
    }
}
