//! Where a policy's text is: a file on disk, and inside it either the whole text or one JSON
//! value (a world's `PolicyDocument` fields). A policy may be plain JSON, a JSON string whose
//! value is the policy (escaped), or URL-encoded text; each is decoded here with a map from
//! every byte of the decoded document back to the byte of the file it came from, so that a
//! finding is located in the file exactly, and also within the decoded document.

use iamwhy_diagnostic::{Diagnostic, LineIndex, Position, Span};
use iamwhy_policy::PolicyType;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// A file read into memory, with its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given (for messages and reports).
    pub path: String,
    /// The file's text.
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    /// A file's text.
    pub fn new(path: impl Into<String>, text: String) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            lines,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset of the file.
    pub fn position(&self, offset: u32) -> Position {
        self.lines.position(&self.text, offset as usize)
    }
}

/// How a policy's text is written in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Embedding {
    /// Plain JSON: document positions are file positions.
    Json,
    /// A JSON string whose value is the policy (`"{\"Version\": ...}"`).
    JsonString,
    /// URL-encoded JSON (`%7B%22Version%22...`), as the IAM API returns documents.
    UrlEncoded,
    /// A JSON string whose value is URL-encoded JSON.
    JsonStringUrlEncoded,
}

impl Embedding {
    /// Whether document positions differ from file positions.
    pub fn is_encoded(self) -> bool {
        self != Embedding::Json
    }

    /// A phrase for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Embedding::Json => "JSON",
            Embedding::JsonString => "a JSON string containing the policy",
            Embedding::UrlEncoded => "URL-encoded text",
            Embedding::JsonStringUrlEncoded => "a JSON string containing URL-encoded text",
        }
    }
}

/// One policy to lint: its decoded text, where that text is in which file, and what the
/// policy is.
#[derive(Debug, Clone)]
pub struct PolicySource {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Where in the file, as a JSON path (`RoleDetailList[0].AssumeRolePolicyDocument`);
    /// `None` when the policy is the whole file.
    pub json_path: Option<String>,
    /// A name for messages (`role Admin trust policy`), when it has one.
    pub name: Option<String>,
    /// The policy type.
    pub policy_type: PolicyType,
    /// The resource type for resource-based policies, when known.
    pub resource_type: Option<&'static crate::ResourceTypeSpec>,
    /// The decoded JSON text of the policy.
    pub text: String,
    /// How it is written in the file.
    pub embedding: Embedding,
    /// The span, in the file, of the value holding the policy (the whole JSON string for an
    /// embedded one).
    pub value_span: Span,
    /// File offset of each byte of `text`, plus one entry for its end; empty for plain JSON,
    /// which is at `value_span.start` unchanged.
    map: Vec<u32>,
}

/// A file or policy that could not be read, as a [`Diagnostic`]: its path, a position when
/// there is one, and why.
pub(crate) fn input_error(
    code: &'static str,
    path: impl Into<String>,
    position: Option<Position>,
    message: impl Into<String>,
) -> Diagnostic {
    let d = Diagnostic::error(code, message).in_file(path);
    match position {
        Some(p) => d.at_position(p),
        None => d,
    }
}

impl PolicySource {
    /// The policy that is a whole file (JSON, a JSON string, or URL-encoded).
    pub fn whole_file(
        file: Arc<SourceFile>,
        policy_type: PolicyType,
        resource_type: Option<&'static crate::ResourceTypeSpec>,
    ) -> PolicySource {
        let text = &file.text;
        let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let lead = text[bom..].len() - text[bom..].trim_start().len();
        let start = bom + lead;
        let end = bom + text[bom..].trim_end().len();
        let span = Span::new(start, end.max(start));
        let mut src = PolicySource {
            file: file.clone(),
            json_path: None,
            name: None,
            policy_type,
            resource_type,
            text: String::new(),
            embedding: Embedding::Json,
            value_span: span,
            map: Vec::new(),
        };
        let body = &file.text[span.start as usize..span.end as usize];
        if body.starts_with('"') || body.starts_with("%7B") || body.starts_with("%7b") {
            match decode(body, span.start) {
                Ok((decoded, map, embedding)) => {
                    src.text = decoded;
                    src.map = map;
                    src.embedding = embedding;
                }
                // Leave the text as it is: the parser reports the bad wrapper.
                Err(_) => src.text = body.to_string(),
            }
        } else {
            // Plain JSON keeps the file's own text from the BOM on, so positions need no map.
            src.text = file.text[bom..].to_string();
            src.value_span = Span::new(bom, file.text.len());
        }
        src
    }

    /// The policy held by the JSON value at `span` of `file` (an object, or a string holding
    /// escaped or URL-encoded JSON).
    pub fn embedded(
        file: Arc<SourceFile>,
        span: Span,
        json_path: String,
        policy_type: PolicyType,
    ) -> Result<PolicySource, Diagnostic> {
        let raw = &file.text[span.start as usize..span.end as usize];
        let (text, map, embedding) = if raw.starts_with('"') {
            decode(raw, span.start).map_err(|message| {
                input_error(
                    "invalid-document-encoding",
                    file.path.clone(),
                    Some(file.position(span.start)),
                    message,
                )
                .at_path(json_path.clone())
            })?
        } else {
            (raw.to_string(), Vec::new(), Embedding::Json)
        };
        Ok(PolicySource {
            file,
            json_path: Some(json_path),
            name: None,
            policy_type,
            resource_type: None,
            text,
            embedding,
            value_span: span,
            map,
        })
    }

    /// The file offset of a byte offset of the decoded document.
    pub fn file_offset(&self, doc_offset: u32) -> u32 {
        if self.map.is_empty() {
            return self.value_span.start + doc_offset;
        }
        let i = (doc_offset as usize).min(self.map.len() - 1);
        self.map[i]
    }

    /// The span in the file of a span of the decoded document.
    pub fn file_span(&self, span: Span) -> Span {
        let start = self.file_offset(span.start);
        let end = if span.end > span.start {
            // The end of the last byte's encoding, not the start of the next one.
            self.file_offset(span.end - 1) + self.encoded_len(span.end - 1)
        } else {
            start
        };
        Span {
            start,
            end: end.max(start),
        }
    }

    /// How many file bytes encode the document byte at `doc_offset`.
    fn encoded_len(&self, doc_offset: u32) -> u32 {
        if self.map.is_empty() {
            return 1;
        }
        let i = doc_offset as usize;
        match (self.map.get(i), self.map.get(i + 1)) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => 1,
        }
    }

    /// A label for messages: `file` or `file PATH`.
    pub fn label(&self) -> String {
        match &self.json_path {
            Some(p) => format!("{} {p}", self.file.path),
            None => self.file.path.clone(),
        }
    }
}

/// Decode a JSON string literal and/or URL-encoded text, repeatedly, composing the offset
/// maps. `base` is the file offset of `raw`.
fn decode(raw: &str, base: u32) -> Result<(String, Vec<u32>, Embedding), String> {
    let mut text = raw.to_string();
    let mut map: Vec<u32> = (0..=raw.len() as u32).map(|i| base + i).collect();
    let mut string = false;
    let mut url = false;
    for _ in 0..4 {
        let lead = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        let (next, inner_map) = if trimmed.starts_with('"') {
            string = true;
            json_string(trimmed)?
        } else if trimmed.len() >= 3 && trimmed.as_bytes()[..3].eq_ignore_ascii_case(b"%7B") {
            url = true;
            percent(trimmed)?
        } else {
            break;
        };
        // Compose: inner_map indexes `trimmed`, which starts at `lead` of `text`.
        map = inner_map.iter().map(|&i| map[lead + i as usize]).collect();
        text = next;
    }
    let embedding = match (string, url) {
        (true, true) => Embedding::JsonStringUrlEncoded,
        (true, false) => Embedding::JsonString,
        (false, true) => Embedding::UrlEncoded,
        (false, false) => Embedding::Json,
    };
    Ok((text, map, embedding))
}

/// Decode one JSON string literal (the whole input), mapping each output byte to the offset
/// of the input that produced it; the last entry is the closing quote.
fn json_string(raw: &str) -> Result<(String, Vec<u32>), String> {
    let bytes = raw.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'"' || bytes[bytes.len() - 1] != b'"' {
        return Err("the policy starts with a quote but is not a single JSON string".into());
    }
    let mut out = String::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len());
    let mut i = 1;
    let end = bytes.len() - 1;
    let bad = |what: &str, at: usize| {
        format!("the JSON string holding the policy has {what} at byte {at}")
    };
    while i < end {
        let c = bytes[i];
        if c == b'"' {
            return Err(bad("an unescaped quote", i));
        }
        if c != b'\\' {
            let ch = raw[i..]
                .chars()
                .next()
                .ok_or_else(|| bad("broken text", i))?;
            if (ch as u32) < 0x20 {
                return Err(bad("a control character", i));
            }
            for _ in 0..ch.len_utf8() {
                map.push(i as u32);
            }
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let esc = *bytes
            .get(i + 1)
            .ok_or_else(|| bad("a dangling backslash", i))?;
        let (ch, len) = match esc {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hex = |at: usize| -> Option<u32> {
                    raw.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let hi = hex(i + 2).ok_or_else(|| bad("a bad \\u escape", i))?;
                if (0xD800..0xDC00).contains(&hi) {
                    let lo = (raw.get(i + 6..i + 8) == Some("\\u"))
                        .then(|| hex(i + 8))
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo))
                        .ok_or_else(|| bad("an unpaired surrogate", i))?;
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    (
                        char::from_u32(code).ok_or_else(|| bad("a bad \\u escape", i))?,
                        12,
                    )
                } else {
                    (
                        char::from_u32(hi).ok_or_else(|| bad("a lone surrogate", i))?,
                        6,
                    )
                }
            }
            _ => return Err(bad("an unknown escape", i)),
        };
        for _ in 0..ch.len_utf8() {
            map.push(i as u32);
        }
        out.push(ch);
        i += len;
    }
    map.push(end as u32);
    Ok((out, map))
}

/// Percent-decode (`%XX`; `+` stays a plus), mapping each output byte to its input offset.
fn percent(raw: &str) -> Result<(String, Vec<u32>), String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut map = Vec::with_capacity(raw.len() + 1);
    let mut i = 0;
    let hex = |b: u8| (b as char).to_digit(16);
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            map.push(i as u32);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        map.push(i as u32);
        i += 1;
    }
    map.push(bytes.len() as u32);
    let text = String::from_utf8(out)
        .map_err(|_| "the URL-encoded policy does not decode to UTF-8 text".to_string())?;
    Ok((text, map))
}

/// Read a file as UTF-8 text.
pub fn read_file(path: &Path) -> Result<Arc<SourceFile>, Diagnostic> {
    let display = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            "no-such-file"
        } else {
            "unreadable-file"
        };
        input_error(
            code,
            display.clone(),
            None,
            format!("cannot read the file: {e}"),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        input_error(
            "not-utf8",
            display.clone(),
            None,
            "the file is not UTF-8 text",
        )
    })?;
    Ok(Arc::new(SourceFile::new(display, text)))
}

/// The policy files under `path`: the file itself, or every `*.json` file of a directory and
/// its subdirectories (hidden ones skipped), sorted by path.
pub fn policy_files(path: &Path) -> Result<Vec<std::path::PathBuf>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            "no-such-file"
        } else {
            "unreadable-file"
        };
        input_error(
            code,
            path.display().to_string(),
            None,
            format!("cannot read: {e}"),
        )
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            input_error(
                "unreadable-directory",
                dir.display().to_string(),
                None,
                format!("cannot read the directory: {e}"),
            )
        })?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                input_error(
                    "unreadable-directory",
                    dir.display().to_string(),
                    None,
                    format!("cannot read the directory: {e}"),
                )
            })?;
            let p = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if hidden {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Arc<SourceFile> {
        Arc::new(SourceFile::new("f.json", text.to_string()))
    }

    #[test]
    fn plain_json_positions_are_file_positions() {
        let f = file("\u{feff}{\"a\": 1}");
        let s = PolicySource::whole_file(f, PolicyType::Identity, None);
        assert_eq!(s.text, "{\"a\": 1}");
        assert_eq!(s.embedding, Embedding::Json);
        assert_eq!(s.file_offset(1), 4);
    }

    #[test]
    fn escaped_json_maps_back_into_the_string() {
        let raw = r#"  "{\"Action\":\"s3:Get\u00e9\"}""#;
        let s = PolicySource::whole_file(file(raw), PolicyType::Identity, None);
        assert_eq!(s.text, "{\"Action\":\"s3:Get\u{e9}\"}");
        assert_eq!(s.embedding, Embedding::JsonString);
        // `A` of Action is at decoded offset 2; in the file after `  "{\"`.
        assert_eq!(&raw[s.file_offset(2) as usize..][..6], "Action");
        // The é comes from a six-byte escape.
        let e = s.text.find('\u{e9}').unwrap() as u32;
        let span = s.file_span(Span {
            start: e,
            end: e + 2,
        });
        assert_eq!(&raw[span.start as usize..span.end as usize], "\\u00e9");
    }

    #[test]
    fn url_encoded_inside_a_json_string() {
        let raw = r#"{"Doc": "%7B%22a%22%3A1%7D"}"#;
        let f = file(raw);
        let start = raw.find('"').unwrap();
        let value_start = raw.find(": ").unwrap() + 2;
        let _ = start;
        let s = PolicySource::embedded(
            f,
            Span::new(value_start, raw.len() - 1),
            "Doc".into(),
            PolicyType::Identity,
        )
        .unwrap();
        assert_eq!(s.text, "{\"a\":1}");
        assert_eq!(s.embedding, Embedding::JsonStringUrlEncoded);
        let a = s.file_span(Span { start: 1, end: 4 });
        assert_eq!(&raw[a.start as usize..a.end as usize], "%22a%22");
    }

    #[test]
    fn broken_wrappers_are_errors() {
        assert!(json_string("\"abc").is_err());
        assert!(json_string("\"a\\qb\"").is_err());
        assert!(percent("%FF%FE").is_err());
    }
}
