//! Where a statement of a world policy is in the file on disk.
//!
//! Statement positions are computed on the policy *document* (docs/positions.md); a world
//! keeps its documents inside bigger files (`authorization-details.json`, `organization.json`),
//! sometimes as an escaped JSON string or URL-encoded text. The policy's `source`
//! (`"FILE JSON_PATH"`) says where the document sits, and the loader records the document's
//! [`FileSpan`] (byte range, line and column) in the compiled policy. When a position is asked
//! for, this module reads just that range (or, for a policy without a span, re-reads the file
//! and walks the JSON path with a span-keeping scanner, linear in the file, nothing kept), and
//! turns the document position into the file position a user can open:
//!
//! - a document written inline (an object): the statement's line and column in the file;
//! - a document held in an escaped JSON string: the line and column in the file where the
//!   statement's text starts inside that string, and that it is embedded so;
//! - a URL-encoded document: where the string starts, and that it is URL-encoded.
//!
//! In every case the document-relative position is kept as well.
//!
//! ```
//! use iamwhy_diagnostic::Position;
//! use iamwhy_world::position::{Embedding, statement_position};
//! let file = "{\n  \"Policies\": [\n    {\"Document\": {\"Statement\": [\n      {\"Effect\": \"Allow\"}]}}]}";
//! let read = |_: &str, _: Option<&_>| Some(file.to_string());
//! let p = statement_position("a.json Policies[0].Document", None, Position { line: 2, column: 7 }, &read).unwrap();
//! assert_eq!((p.line, p.column, p.embedding), (4, 7, Embedding::Inline));
//! ```

use iamwhy_diagnostic::{FileSpan, Position};
use serde::Serialize;

/// How the document is held in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Embedding {
    /// Written as a JSON object in the file.
    Inline,
    /// Held in a JSON string (escaped JSON text), as IAM's APIs return documents.
    JsonString,
    /// Held in a JSON string as URL-encoded text, as `get-account-authorization-details`
    /// returns documents.
    UrlEncoded,
}

/// A statement's position in the file on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilePosition {
    /// The file, as the policy's source names it (relative to the world directory).
    pub file: String,
    /// 1-based line in the file: of the statement, or (URL-encoded) of the string holding
    /// the document.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// How the document is held.
    pub embedding: Embedding,
    /// The position inside the document.
    pub document: Position,
}

impl FilePosition {
    /// `FILE:LINE:COLUMN`, and for embedded documents what that points at.
    pub fn describe(&self) -> String {
        let at = format!("{}:{}:{}", self.file, self.line, self.column);
        match self.embedding {
            Embedding::Inline => at,
            Embedding::JsonString => format!(
                "{at} (inside an escaped JSON string; line {}, column {} of the decoded document)",
                self.document.line, self.document.column
            ),
            Embedding::UrlEncoded => format!(
                "{at} (the URL-encoded string holding the document; the statement is at line {}, column {} of the decoded document)",
                self.document.line, self.document.column
            ),
        }
    }
}

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `Policies[1].PolicyVersionList[0].Document`, `[0].RoleDetailList[2]`,
/// `policies.p-1.content` into steps; `None` when the path is malformed.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let (n, after) = r.split_once(']')?;
            out.push(Step::Index(n.parse().ok()?));
            rest = after;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// A scanner over JSON text that knows the line and column of every byte it passes.
#[derive(Clone, Copy)]
struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
    line: u32,
    column: u32,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Scanner<'t> {
        Scanner {
            text: text.as_bytes(),
            at: 0,
            line: 1,
            column: 1,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            self.column += 1;
        }
        Some(b)
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.bump()? == b).then_some(())
    }

    /// Skip a string (at its opening quote); returns its raw text without the quotes.
    fn string(&mut self) -> Option<&'t str> {
        if self.bump()? != b'"' {
            return None;
        }
        let start = self.at;
        loop {
            match self.bump()? {
                b'\\' => {
                    self.bump()?;
                }
                b'"' => break,
                _ => {}
            }
        }
        std::str::from_utf8(&self.text[start..self.at - 1]).ok()
    }

    /// Skip any value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    self.ws();
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                        }
                        b'{' | b'[' => {
                            depth += 1;
                            self.bump();
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            self.bump();
                            if depth == 0 {
                                return Some(());
                            }
                        }
                        _ => {
                            self.bump();
                        }
                    }
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// Move to the value of `key` in the object here.
    fn key(&mut self, key: &str) -> Option<()> {
        self.eat(b'{')?;
        loop {
            self.ws();
            if self.peek()? == b'}' {
                return None;
            }
            let raw = self.string()?;
            let name = if raw.contains('\\') {
                serde_json::from_str::<String>(&format!("\"{raw}\"")).ok()?
            } else {
                raw.to_string()
            };
            self.eat(b':')?;
            self.ws();
            if name == key {
                return Some(());
            }
            self.value()?;
            self.ws();
            if self.peek()? == b',' {
                self.bump();
            }
        }
    }

    /// Move to element `index` of the array here.
    fn index(&mut self, index: usize) -> Option<()> {
        self.eat(b'[')?;
        for _ in 0..index {
            self.value()?;
            self.eat(b',')?;
        }
        self.ws();
        (self.peek()? != b']').then_some(())
    }
}

/// The value at `json_path` in `text`: the scanner positioned at its first byte.
fn walk<'t>(text: &'t str, json_path: &str) -> Option<Scanner<'t>> {
    let mut s = Scanner::new(text);
    if s.text.starts_with(b"\xEF\xBB\xBF") {
        s.at = 3;
    }
    for step in steps(json_path)? {
        match step {
            Step::Key(k) => s.key(k)?,
            Step::Index(i) => s.index(i)?,
        }
    }
    s.ws();
    // An entry that holds its document under a key (resource-policies.json's `policy`).
    if s.peek()? == b'{' {
        let mut probe = s;
        if probe.key("Statement").is_none() {
            for key in ["policy", "Policy", "PolicyDocument", "Document"] {
                let mut p = s;
                if p.key(key).is_some() {
                    p.ws();
                    return Some(p);
                }
            }
        }
    }
    Some(s)
}

/// The line and column in `text` where the value at `json_path` starts (for errors about
/// entries, such as one given twice); `None` when the path is not in the text.
pub(crate) fn value_position(text: &str, json_path: &str) -> Option<Position> {
    let mut s = Scanner::new(text);
    if s.text.starts_with(b"\xEF\xBB\xBF") {
        s.at = 3;
    }
    for step in steps(json_path)? {
        match step {
            Step::Key(k) => s.key(k)?,
            Step::Index(i) => s.index(i)?,
        }
    }
    s.ws();
    Some(Position {
        line: s.line,
        column: s.column,
    })
}

/// Reads a world file for [`statement_position`]: the whole file when the span is `None`,
/// else only the bytes of that span. `None` when the file cannot be read.
pub type ReadFile<'a> = &'a dyn Fn(&str, Option<&FileSpan>) -> Option<String>;

/// The position in the file of the statement that starts at `document` in the policy whose
/// source is `source` (`"FILE JSON_PATH"`), reading the file with `read`. With the document's
/// `span` (recorded when the world was loaded), only the document's own bytes are read; without
/// it, the whole file is, and the JSON path walked. `None` when the source names no file (an
/// implicit or embedded policy) or the file no longer matches.
pub fn statement_position(
    source: &str,
    span: Option<&FileSpan>,
    document: Position,
    read: ReadFile<'_>,
) -> Option<FilePosition> {
    let (file, json_path) = match source.split_once(' ') {
        Some((f, p)) => (f, p),
        None => (source, ""),
    };
    if json_path.starts_with('(') {
        return None;
    }
    match span {
        Some(span) => {
            let text = read(file, Some(span))?;
            // A file changed since loading no longer holds one JSON value there.
            if text.len() as u64 != span.len
                || serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err()
            {
                return None;
            }
            let mut s = Scanner::new(&text);
            s.line = span.start.line;
            s.column = span.start.column;
            position_at(s, file, document)
        }
        None => {
            let text = read(file, None)?;
            position_at(walk(&text, json_path)?, file, document)
        }
    }
}

/// [`statement_position`] once the scanner is at the document's first byte in `file`.
fn position_at(s: Scanner<'_>, file: &str, document: Position) -> Option<FilePosition> {
    let (line, column) = (s.line, s.column);
    let at = |embedding, line, column| FilePosition {
        file: file.to_string(),
        line,
        column,
        embedding,
        document,
    };
    match s.peek()? {
        b'{' => Some(at(
            Embedding::Inline,
            line + document.line - 1,
            if document.line == 1 {
                column + document.column - 1
            } else {
                document.column
            },
        )),
        b'"' => {
            let mut inner = s;
            let raw = inner.string()?;
            let decoded: String = serde_json::from_str(&format!("\"{raw}\"")).ok()?;
            if decoded
                .trim_start()
                .as_bytes()
                .get(..3)
                .is_some_and(|b| b.eq_ignore_ascii_case(b"%7B"))
            {
                return Some(at(Embedding::UrlEncoded, line, column));
            }
            let (l, c) = inside_string(raw, line, column + 1, document)?;
            Some(at(Embedding::JsonString, l, c))
        }
        _ => None,
    }
}

/// The text for `span` (all of it when `None`) of a file held in memory.
pub fn read_from_text(text: &str, span: Option<&FileSpan>) -> Option<String> {
    match span {
        None => Some(text.to_string()),
        Some(s) => text
            .get(s.offset as usize..(s.offset + s.len) as usize)
            .map(str::to_string),
    }
}

/// The text for `span` (all of it when `None`) of the world file `file` under `dir`: a plain
/// file is read from the span's offset only; a gzip-compressed one is decompressed (within
/// the world file size cap) and sliced.
pub fn read_world_file(
    dir: &std::path::Path,
    file: &str,
    span: Option<&FileSpan>,
) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let full = dir.join(file);
    let whole = || crate::load::read_capped(&full, file, crate::load::max_file_size()).ok()?;
    let Some(span) = span else {
        return whole();
    };
    if span.len > crate::load::max_file_size() {
        return None;
    }
    let mut f = std::fs::File::open(&full).ok()?;
    if crate::load::is_gzip(&mut f)? {
        return read_from_text(&whole()?, Some(span));
    }
    f.seek(SeekFrom::Start(span.offset)).ok()?;
    let mut bytes = vec![0u8; span.len as usize];
    f.read_exact(&mut bytes).ok()?;
    String::from_utf8(bytes).ok()
}

/// Where, in the file, the decoded character at `target` of the string whose raw text
/// (between the quotes) starts at `line`/`column` is.
fn inside_string(raw: &str, line: u32, column: u32, target: Position) -> Option<(u32, u32)> {
    let (mut dl, mut dc) = (1u32, 1u32);
    let (mut fl, mut fc) = (line, column);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if (dl, dc) == (target.line, target.column) {
            return Some((fl, fc));
        }
        let (decoded, width) = if c == '\\' {
            match chars.next()? {
                'n' => ('\n', 2),
                'u' => {
                    let hex: String = (0..4).filter_map(|_| chars.next()).collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{fffd}');
                    (ch, 6)
                }
                other => (other, 2),
            }
        } else {
            (c, 1)
        };
        if c == '\n' {
            fl += 1;
            fc = 1;
        } else {
            fc += width;
        }
        if decoded == '\n' {
            dl += 1;
            dc = 1;
        } else {
            dc += 1;
        }
    }
    ((dl, dc) == (target.line, target.column)).then_some((fl, fc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn paths_split_into_keys_and_indexes() {
        assert_eq!(
            steps("[0].Policies[1].PolicyVersionList[0].Document").unwrap(),
            vec![
                Step::Index(0),
                Step::Key("Policies"),
                Step::Index(1),
                Step::Key("PolicyVersionList"),
                Step::Index(0),
                Step::Key("Document"),
            ]
        );
        assert_eq!(
            steps("policies.p-x.content").unwrap(),
            vec![
                Step::Key("policies"),
                Step::Key("p-x"),
                Step::Key("content")
            ]
        );
        assert!(steps("a[x]").is_none());
    }

    #[test]
    fn a_statement_in_an_escaped_string_is_found_inside_it() {
        let doc = "{\n  \"Statement\": [\n    {\"Effect\": \"Deny\"}\n  ]\n}";
        let file = format!(
            "{{\"Roles\": [{{\"Trust\": {}}}]}}",
            serde_json::to_string(doc).unwrap()
        );
        let read = |_: &str, _: Option<&FileSpan>| Some(file.clone());
        let p = statement_position("f.json Roles[0].Trust", None, pos(3, 5), &read).unwrap();
        assert_eq!(p.embedding, Embedding::JsonString);
        assert_eq!(p.line, 1);
        let col = p.column as usize;
        assert!(
            file[col - 1..].starts_with("{\\\"Effect\\\""),
            "{}",
            &file[col - 1..]
        );
        assert!(
            p.describe()
                .contains("line 3, column 5 of the decoded document")
        );
    }

    #[test]
    fn a_url_encoded_document_is_said_to_be_so() {
        let file = r#"{"Doc": "%7B%22Statement%22%3A%5B%5D%7D"}"#;
        let read = |_: &str, _: Option<&FileSpan>| Some(file.to_string());
        let p = statement_position("f.json Doc", None, pos(1, 15), &read).unwrap();
        assert_eq!(p.embedding, Embedding::UrlEncoded);
        assert_eq!((p.line, p.column), (1, 9));
    }

    #[test]
    fn implicit_policies_and_missing_paths_have_no_file_position() {
        let read = |_: &str, _: Option<&FileSpan>| Some("{}".to_string());
        assert!(
            statement_position("organization.json (implicit)", None, pos(1, 1), &read).is_none()
        );
        assert!(statement_position("f.json a.b", None, pos(1, 1), &read).is_none());
    }

    #[test]
    fn demo_world_statements_are_found_at_their_lines_on_disk() {
        let world = crate::demo::demo_world().unwrap();
        let read =
            |f: &str, span: Option<&FileSpan>| read_from_text(crate::demo::demo_file(f)?, span);
        let (mut checked, mut embedded, mut spans) = (0, 0, 0);
        for a in world.accounts.values() {
            let policies = a
                .managed
                .values()
                .chain(
                    a.roles
                        .values()
                        .flat_map(|r| r.inline.iter().chain(r.trust.iter())),
                )
                .chain(a.users.values().flat_map(|u| u.inline.iter()))
                .chain(a.resources.values().flat_map(|r| r.policy.iter()));
            for p in policies {
                let Some(source) = &p.source else { continue };
                if !source.starts_with("accounts/") {
                    continue;
                }
                let text = read(source.split_once(' ').unwrap().0, None).unwrap();
                for s in &p.statements {
                    let fp = statement_position(source, None, s.start, &read)
                        .unwrap_or_else(|| panic!("{source}"));
                    // Reading only the document's span finds the same place as walking the file.
                    if let Some(span) = &p.file_span {
                        assert_eq!(
                            statement_position(source, Some(span), s.start, &read).as_ref(),
                            Some(&fp),
                            "{source}"
                        );
                        spans += 1;
                    }
                    // The file's text at that position is where the statement starts.
                    let line = text.lines().nth(fp.line as usize - 1).unwrap();
                    let at: String = line.chars().skip(fp.column as usize - 1).collect();
                    assert!(at.starts_with('{'), "{source} {:?}: {line}", fp);
                    let doc_line = p
                        .document
                        .source
                        .lines()
                        .nth(s.start.line as usize - 1)
                        .unwrap();
                    let doc_at: String =
                        doc_line.chars().skip(s.start.column as usize - 1).collect();
                    match fp.embedding {
                        Embedding::Inline => assert_eq!(at, doc_at, "{source}"),
                        Embedding::JsonString => embedded += 1,
                        Embedding::UrlEncoded => panic!("{source}: the demo has none"),
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 30, "{checked}");
        assert!(
            spans > 30,
            "the loader records where each document is: {spans}"
        );
        assert!(
            embedded > 0,
            "the demo holds a policy as an escaped JSON string"
        );
    }
}
