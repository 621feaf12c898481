//! Telling what an input is — an access-denied message (or several), CloudTrail records, a
//! decoded authorization message — and reading it into [`Observed`] requests.
//!
//! [`Reader`] reads files, directories, standard input and text one after the other and hands
//! each request to the caller as soon as it is read: CloudTrail logs are streamed record by
//! record ([`crate::cloudtrail`]), so a log of any size is read in the memory of one record.
//! An event seen twice (the same `eventID` in two files) is counted once. Every input is capped
//! ([`Limits`]): past the cap, reading stops with an error naming the limit and its flag.
//!
//! ```
//! use iamwhy_evidence::input::{ReadOptions, Reader, Source};
//! let mut reader = Reader::new(ReadOptions::default());
//! let mut seen = Vec::new();
//! reader
//!     .read(
//!         Source::Text("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: s3:GetObject"),
//!         &mut |o| {
//!             seen.push(o);
//!             Ok(())
//!         },
//!     )
//!     .unwrap();
//! assert_eq!(seen[0].actions, ["s3:GetObject"]);
//! ```

pub mod limits;

use crate::cloudtrail::stream::{StreamError, for_each_record};
use crate::error::{json_error, read_error};
use crate::message::parse_messages;
use crate::observed::{Observed, Origin, from_parsed};
use crate::{cloudtrail, decoded};
use iamwhy_diagnostic::Diagnostic;
use limits::{Capped, Counted, cap_diagnostic, cap_exceeded};
use std::collections::HashSet;
use std::io::{self, Read};
use std::path::Path;

pub use crate::observed::from_message;
pub use limits::{Limits, human_size, parse_size};

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InputKind {
    /// An access-denied error message (or several).
    Message,
    /// CloudTrail records.
    CloudTrail,
    /// A decoded authorization message.
    DecodedMessage,
}

/// The requests read from an input, all at once ([`read_bytes`], [`read_path`]); [`Reader`]
/// streams them instead.
#[derive(Debug, Clone)]
pub struct Input {
    /// The kind detected.
    pub kind: InputKind,
    /// The requests (for CloudTrail: the denied events only, unless all were asked for).
    pub observed: Vec<Observed>,
    /// Records read in total (CloudTrail), or messages found.
    pub records: usize,
}

/// Where an input comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A file, or a directory of CloudTrail logs (`.json`, `.json.gz`, recursively).
    Path(&'a Path),
    /// Standard input.
    Stdin,
    /// Text given on the command line.
    Text(&'a str),
    /// Bytes already in memory, with a label for errors.
    Bytes(&'a [u8], Option<&'a str>),
}

/// How inputs are read.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// CloudTrail: deliver every record, not only the denied ones.
    pub all: bool,
    /// The caps of each input.
    pub limits: Limits,
}

/// What was read so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The kind of the first input (`None` before any).
    pub kind: Option<InputKind>,
    /// Records read (CloudTrail, each event once) or messages found.
    pub records: usize,
    /// CloudTrail records skipped because an earlier one had the same `eventID`.
    pub duplicates: usize,
    /// Requests handed to the caller.
    pub delivered: usize,
}

/// What receives each request read; an error stops the reading.
pub type Sink<'s> = dyn FnMut(Observed) -> Result<(), Diagnostic> + 's;

/// Reads inputs one after the other, streaming their requests to the caller.
#[derive(Debug, Default)]
pub struct Reader {
    options: ReadOptions,
    seen_event_ids: HashSet<String>,
    summary: Summary,
}

/// How much of a stream is looked at to tell what it is.
const HEAD: u64 = 64 * 1024;

/// JSON keys that only CloudTrail records and their containers have.
const CLOUDTRAIL_KEYS: &[&str] = &[
    "\"Records\"",
    "\"eventSource\"",
    "\"eventName\"",
    "\"eventVersion\"",
    "\"CloudTrailEvent\"",
    "\"Events\"",
];

impl Reader {
    /// A reader with these options.
    pub fn new(options: ReadOptions) -> Reader {
        Reader {
            options,
            seen_event_ids: HashSet::new(),
            summary: Summary::default(),
        }
    }

    /// What was read so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Read one input, handing each request to `sink`.
    pub fn read(&mut self, source: Source<'_>, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
        match source {
            Source::Path(path) => self.read_path(path, sink),
            Source::Stdin => {
                let stdin = io::stdin();
                self.read_stream(stdin.lock(), None, "standard input", sink)
            }
            Source::Text(text) => self.read_stream(text.as_bytes(), None, "the text", sink),
            Source::Bytes(bytes, label) => {
                self.read_stream(bytes, label, label.unwrap_or("the input"), sink)
            }
        }
    }

    fn read_path(&mut self, path: &Path, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
        let label = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Diagnostic::error("no-such-file", format!("{label}: no such file or directory"))
                    .with_help("give an existing file or directory, `-` for standard input, or the message text itself in quotes")
            } else {
                read_error("unreadable-file", format!("cannot read: {e}"), Some(&label))
            }
        })?;
        if meta.is_dir() {
            let mut files = Vec::new();
            cloudtrail::read::walk(path, &mut files)?;
            files.sort();
            if files.is_empty() {
                return Err(read_error(
                    "no-log-files",
                    "the directory holds no .json or .json.gz files",
                    Some(&label),
                ));
            }
            for f in files {
                self.read_file(&f, sink)?;
            }
            return Ok(());
        }
        self.read_file(path, sink)
    }

    fn read_file(&mut self, path: &Path, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
        let label = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            read_error("unreadable-file", format!("cannot read: {e}"), Some(&label))
        })?;
        let max = self.options.limits.max_input_bytes;
        if let Ok(meta) = file.metadata()
            && meta.is_file()
            && meta.len() > max
        {
            let cap = limits::CapExceeded {
                counted: Counted::Read,
                max,
            };
            return Err(cap_diagnostic(&cap, &self.options.limits, "the file").in_file(label));
        }
        self.read_stream(file, Some(&label), "the file", sink)
    }

    /// Read one stream: gzip or plain, CloudTrail (streamed) or anything else (read whole,
    /// within the cap).
    fn read_stream<R: Read>(
        &mut self,
        reader: R,
        label: Option<&str>,
        what: &str,
        sink: &mut Sink<'_>,
    ) -> Result<(), Diagnostic> {
        let limits = self.options.limits.clone();
        let located = |d: Diagnostic| match label {
            Some(l) if d.file.is_none() => d.in_file(l),
            _ => d,
        };
        let mut capped = Capped::new(reader, limits.max_input_bytes, Counted::Read);
        let head =
            read_head(&mut capped).map_err(|e| located(io_diagnostic(&e, false, &limits, what)))?;
        if head.starts_with(&[0x1f, 0x8b]) {
            let gz = flate2::read::MultiGzDecoder::new(io::Cursor::new(head).chain(capped));
            let mut inflated = Capped::new(gz, limits.max_input_bytes, Counted::Decompressed);
            let head = read_head(&mut inflated)
                .map_err(|e| located(io_diagnostic(&e, true, &limits, what)))?;
            return self
                .read_plain(
                    io::Cursor::new(head).chain(inflated),
                    label,
                    what,
                    true,
                    sink,
                )
                .map_err(located);
        }
        self.read_plain(
            io::Cursor::new(head).chain(capped),
            label,
            what,
            false,
            sink,
        )
        .map_err(located)
    }

    /// A stream that is not gzip (any more): its first [`HEAD`] bytes tell what it is.
    fn read_plain<R: Read>(
        &mut self,
        mut reader: io::Chain<io::Cursor<Vec<u8>>, R>,
        label: Option<&str>,
        what: &str,
        gzip: bool,
        sink: &mut Sink<'_>,
    ) -> Result<(), Diagnostic> {
        let limits = self.options.limits.clone();
        let head = reader.get_ref().0.get_ref();
        let text_head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let starts_json = text_head
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        if starts_json && looks_like_cloudtrail(text_head) {
            return self.stream_cloudtrail(reader, label, what, gzip, sink);
        }
        if head.contains(&0) {
            // Binary: nothing to parse, but read to the end (or the cap) to say which.
            return match io::copy(&mut reader, &mut io::sink()) {
                Err(e) => Err(io_diagnostic(&e, gzip, &limits, what)),
                Ok(_) => Err(read_error(
                    "not-text",
                    format!(
                        "{what} is binary (it holds NUL bytes): not an error message, CloudTrail JSON or gzip"
                    ),
                    label,
                )),
            };
        }
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| io_diagnostic(&e, gzip, &limits, what))?;
        self.read_whole(&bytes, label, what, sink)
    }

    fn stream_cloudtrail<R: Read>(
        &mut self,
        reader: R,
        label: Option<&str>,
        what: &str,
        gzip: bool,
        sink: &mut Sink<'_>,
    ) -> Result<(), Diagnostic> {
        self.summary.kind.get_or_insert(InputKind::CloudTrail);
        let all = self.options.all;
        let limits = self.options.limits.clone();
        let (seen, summary) = (&mut self.seen_event_ids, &mut self.summary);
        let mut on_record = |event: serde_json::Value| {
            if let Some(id) = event.get("eventID").and_then(serde_json::Value::as_str) {
                if seen.contains(id) {
                    summary.duplicates += 1;
                    return Ok(());
                }
                seen.insert(id.to_string());
            }
            summary.records += 1;
            if all || cloudtrail::is_denied(&event) {
                summary.delivered += 1;
                sink(cloudtrail::observe(&event, label))?;
            }
            Ok(())
        };
        match for_each_record(reader, label, &mut on_record) {
            Ok(_) => Ok(()),
            Err(StreamError::Input(d)) => Err(d),
            Err(StreamError::Io(e)) => Err(io_diagnostic(&e, gzip, &limits, what)),
        }
    }

    /// An input that is not CloudTrail (or whose head did not show it), in memory.
    fn read_whole(
        &mut self,
        bytes: &[u8],
        label: Option<&str>,
        what: &str,
        sink: &mut Sink<'_>,
    ) -> Result<(), Diagnostic> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let Ok(text) = std::str::from_utf8(bytes) else {
            return Err(read_error(
                "not-text",
                format!("{what} is neither UTF-8 text nor gzip"),
                label,
            ));
        };
        if text.trim().is_empty() {
            return Err(read_error(
                "empty-input",
                format!(
                    "{what} is empty: expected an error message, a CloudTrail event or log, or a decoded authorization message"
                ),
                label,
            ));
        }
        let t = text.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
            let is_decoded = value.as_ref().is_some_and(|v| {
                v.get("DecodedMessage").is_some()
                    || v.get("matchedStatements").is_some()
                    || (v.get("context").is_some() && v.get("allowed").is_some())
            });
            if is_decoded {
                let o = decoded::parse_decoded(text)?;
                self.summary.kind.get_or_insert(InputKind::DecodedMessage);
                self.summary.records += 1;
                return self.deliver(o, sink);
            }
            if looks_like_cloudtrail(bytes) {
                return self.stream_cloudtrail(bytes, label, what, false, sink);
            }
            let messages = parse_messages(text);
            if messages.is_empty() {
                return Err(match value {
                    None => {
                        let e = serde_json::from_str::<serde_json::Value>(text)
                            .expect_err("the text did not parse a moment ago");
                        json_error(&e, label)
                    }
                    Some(_) => read_error(
                        "not-evidence",
                        "this JSON is neither a CloudTrail event nor a decoded authorization message, and contains no access-denied message",
                        label,
                    ),
                });
            }
            return self.deliver_messages(messages, sink);
        }
        let messages = parse_messages(text);
        if messages.is_empty() {
            return Err(read_error(
                "no-access-denied-message",
                "no access-denied message found",
                label,
            )
            .with_help("paste the error text (User: ... is not authorized to perform: ...), a CloudTrail event or log file, or the output of aws sts decode-authorization-message"));
        }
        self.deliver_messages(messages, sink)
    }

    fn deliver_messages(
        &mut self,
        messages: Vec<crate::ParsedMessage>,
        sink: &mut Sink<'_>,
    ) -> Result<(), Diagnostic> {
        self.summary.kind.get_or_insert(InputKind::Message);
        for m in messages {
            self.summary.records += 1;
            self.deliver(from_parsed(m), sink)?;
        }
        Ok(())
    }

    fn deliver(&mut self, o: Observed, sink: &mut Sink<'_>) -> Result<(), Diagnostic> {
        self.summary.delivered += 1;
        sink(o)
    }
}

/// Up to [`HEAD`] bytes from the start of `reader`.
fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD as usize);
    reader.take(HEAD).read_to_end(&mut head)?;
    Ok(head)
}

fn looks_like_cloudtrail(head: &[u8]) -> bool {
    CLOUDTRAIL_KEYS
        .iter()
        .any(|k| memchr_find(head, k.as_bytes()))
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The diagnostic of an I/O error while reading `what`: a cap passed (naming the limit and
/// its flag), gzip that does not decompress, or a read that failed.
pub(crate) fn io_diagnostic(e: &io::Error, gzip: bool, limits: &Limits, what: &str) -> Diagnostic {
    if let Some(cap) = cap_exceeded(e) {
        return cap_diagnostic(cap, limits, what);
    }
    if gzip {
        return Diagnostic::error(
            "bad-gzip",
            format!("{what} starts like gzip but cannot be decompressed ({e})"),
        );
    }
    Diagnostic::error("unreadable-input", format!("cannot read {what}: {e}"))
}

/// Whether a command-line argument is meant as a file path rather than message text: one
/// word (no spaces) that is not an ARN, with a path separator or a file extension. Such an
/// argument that does not exist is a "no such file" error, not a message.
pub fn looks_like_path(arg: &str) -> bool {
    let a = arg.trim();
    if a.is_empty() || a.contains(char::is_whitespace) || a.starts_with("arn:") {
        return false;
    }
    let has_separator = a.contains('/') || a.contains('\\');
    let name = a.rsplit(['/', '\\']).next().unwrap_or(a);
    let has_extension = name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
    });
    has_separator || has_extension || a.starts_with('~') || a == "." || a == ".."
}

/// Read an input given as bytes (a file's contents or standard input) all at once.
pub fn read_bytes(bytes: &[u8], file: Option<&str>, all: bool) -> Result<Input, Diagnostic> {
    collect(Source::Bytes(bytes, file), all)
}

/// Read a file or a directory of CloudTrail logs all at once.
pub fn read_path(path: &Path, all: bool) -> Result<Input, Diagnostic> {
    collect(Source::Path(path), all)
}

fn collect(source: Source<'_>, all: bool) -> Result<Input, Diagnostic> {
    let mut reader = Reader::new(ReadOptions {
        all,
        ..ReadOptions::default()
    });
    let mut observed = Vec::new();
    reader.read(source, &mut |o| {
        observed.push(o);
        Ok(())
    })?;
    let summary = reader.summary();
    Ok(Input {
        kind: summary.kind.unwrap_or(InputKind::CloudTrail),
        observed,
        records: summary.records,
    })
}

/// The event id of an observation from CloudTrail.
pub fn event_id(o: &Observed) -> Option<&str> {
    match &o.origin {
        Origin::CloudTrail { event_id, .. } => event_id.as_deref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_looking_arguments() {
        for p in [
            "logs/",
            "event.json",
            "./x",
            "~/trail.json.gz",
            "C:\\logs\\a.json",
            "a.txt",
        ] {
            assert!(looks_like_path(p), "{p}");
        }
        for m in [
            "User: arn:aws:iam::1:user/u is not authorized",
            "arn:aws:s3:::b/k",
            "AccessDenied",
            "",
        ] {
            assert!(!looks_like_path(m), "{m}");
        }
    }

    fn read_all(bytes: &[u8], max: u64) -> Result<Vec<Observed>, Diagnostic> {
        let mut reader = Reader::new(ReadOptions {
            all: true,
            limits: Limits {
                max_input_bytes: max,
                flag: "--max-input-size",
            },
        });
        let mut out = Vec::new();
        reader.read(Source::Bytes(bytes, Some("in")), &mut |o| {
            out.push(o);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn the_same_event_id_twice_is_read_once() {
        let ev = r#"{"eventID":"e-1","eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#;
        let mut reader = Reader::new(ReadOptions {
            all: true,
            ..ReadOptions::default()
        });
        let mut n = 0;
        for _ in 0..2 {
            reader
                .read(Source::Bytes(ev.as_bytes(), None), &mut |_| {
                    n += 1;
                    Ok(())
                })
                .unwrap();
        }
        assert_eq!(n, 1);
        assert_eq!(reader.summary().duplicates, 1);
        assert_eq!(reader.summary().records, 1);
    }

    #[test]
    fn a_text_past_the_cap_names_the_limit_and_the_flag() {
        let text = "x".repeat(200_000);
        let d = read_all(text.as_bytes(), 100_000).unwrap_err();
        assert_eq!(d.code, "input-too-large");
        assert!(d.message.contains("--max-input-size"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("--max-input-size"));
    }

    #[test]
    fn binary_input_is_read_to_the_cap_without_keeping_it() {
        let zeros = vec![0u8; 300_000];
        let d = read_all(&zeros, 100_000).unwrap_err();
        assert_eq!(d.code, "input-too-large");
        let d = read_all(&zeros[..1000], 100_000).unwrap_err();
        assert_eq!(d.code, "not-text");
    }
}
