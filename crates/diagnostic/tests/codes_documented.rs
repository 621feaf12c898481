//! Every diagnostic code a user can see is documented in `docs/diagnostics.md`, and every code
//! documented there still exists.
//!
//! The test reads the Rust sources of every crate (`crates/*/src/**/*.rs`) as text — no build of
//! the other crates — and finds every code passed to a constructor of a [`Diagnostic`]
//! (`Diagnostic::error`, `Diagnostic::warning`, `Diagnostic::new`) or of the AWS-style errors of
//! `iamwhy simulate` (`SimulatorError::service`), and, transitively, to every helper that
//! forwards one of its parameters as the code (`in_file_error(code, …)`, `read_error(code, …)`,
//! the grammar checker's `self.error(code, …)`, …). A code held in a variable is resolved from
//! its `let` (`let code = if … { "no-such-file" } else { "unreadable-file" };`, the tuples of a
//! `let (code, message) = match …`) or from a `const`. Comments (so doc examples) and
//! `#[cfg(test)]` items are left out. A code argument the test cannot resolve fails it, so a
//! new way of choosing a code cannot slip past unnoticed.
//!
//! It then checks the tables of `docs/diagnostics.md`: each code is the first cell of exactly
//! one row, the row's severity cell names the severities the code is emitted with, and no row
//! names a code the sources no longer emit.
//!
//! Set `IAMWHY_LIST_DIAGNOSTICS=1` to print every code with its sites.
//!
//! [`Diagnostic`]: iamwhy_diagnostic::Diagnostic

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The constructors every code comes from: (type, function, index of the code parameter,
/// severity of what it builds).
const ROOTS: &[(&str, &str, usize, Sev)] = &[
    ("Diagnostic", "error", 0, Sev::Error),
    ("Diagnostic", "warning", 0, Sev::Warning),
    ("Diagnostic", "new", 0, Sev::Param(1)),
    // `iamwhy simulate` reports errors the way the AWS CLI does, with AWS's error codes.
    ("SimulatorError", "service", 0, Sev::Error),
];

/// Code arguments that are not codes of docs/diagnostics.md, by how the expression ends, and
/// why.
const NOT_OURS: &[(&str, &str)] = &[
    // The CLI turns lint findings into diagnostics with the finding's rule code
    // (`INVALID_ACTION`, `IAMWHY_RESOURCE_MISMATCH`): those are documented in docs/lint.md.
    ("rule.code", "lint rule code, documented in docs/lint.md"),
];

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_emitted_code_is_documented_and_every_documented_code_is_emitted() {
    let root = root();
    let sources = read_sources(&root);
    assert!(
        sources.len() > 50,
        "found only {} source files under {}/crates/*/src",
        sources.len(),
        root.display()
    );
    let found = extract(&sources);
    if std::env::var_os("IAMWHY_LIST_DIAGNOSTICS").is_some() {
        for (code, sites) in &found.codes {
            for s in sites {
                println!("{code}\t{}\t{}", s.severity.name(), s.at);
            }
        }
    }
    assert!(
        found.unresolved.is_empty(),
        "cannot tell which code these calls pass (use a string literal, a `let` of literals, \
         or a `const`; or extend crates/diagnostic/tests/codes_documented.rs):\n  {}",
        found.unresolved.join("\n  ")
    );
    // Sanity: the extraction sees the codes it is known to see.
    for known in [
        "unknown-role",
        "duplicate-key",
        "truncated-json",
        "no-such-file",
    ] {
        assert!(
            found.codes.contains_key(known),
            "the extraction did not find `{known}`; it is broken"
        );
    }

    let doc_path = root.join("docs/diagnostics.md");
    let doc = fs::read_to_string(&doc_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", doc_path.display()));
    let rows = doc_rows(&doc);
    let problems = compare(&found.codes, &rows);
    assert!(
        problems.is_empty(),
        "docs/diagnostics.md is out of step with the sources:\n  {}",
        problems.join("\n  ")
    );
}

/// What is wrong between the codes found in the sources and the rows of the document.
fn compare(codes: &BTreeMap<String, Vec<Site>>, rows: &[Row]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut documented: BTreeMap<&str, &Row> = BTreeMap::new();
    for row in rows {
        if let Some(first) = documented.insert(&row.code, row) {
            problems.push(format!(
                "`{}` has two rows (lines {} and {}); give it one",
                row.code, first.line, row.line
            ));
        }
    }
    for (code, sites) in codes {
        let Some(row) = documented.get(code.as_str()) else {
            problems.push(format!(
                "missing: `{code}` (emitted at {}) has no row in docs/diagnostics.md",
                sites
                    .iter()
                    .map(|s| s.at.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        };
        let cell = row.severity.to_ascii_lowercase();
        let severities: BTreeSet<&str> = sites.iter().map(|s| s.severity.name()).collect();
        for sev in severities {
            if sev != "unknown" && !cell.contains(sev) {
                problems.push(format!(
                    "`{code}` is emitted as {sev} (at {}) but docs/diagnostics.md line {} says \"{}\"",
                    sites
                        .iter()
                        .filter(|s| s.severity.name() == sev)
                        .map(|s| s.at.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    row.line,
                    row.severity
                ));
            }
        }
    }
    for row in rows {
        if !codes.contains_key(&row.code) {
            problems.push(format!(
                "stale: `{}` (docs/diagnostics.md line {}) is no longer emitted by any crate",
                row.code, row.line
            ));
        }
    }
    problems
}

/// A row of a table of docs/diagnostics.md whose first cell is a code.
#[derive(Debug)]
struct Row {
    code: String,
    severity: String,
    line: usize,
}

/// The rows of every table whose first cell is one code in backticks (`` | `unknown-role` |
/// error | … ``); header and separator rows have none.
fn doc_rows(doc: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut fenced = false;
    for (i, line) in doc.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !t.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = t.trim_matches('|').split('|').map(str::trim).collect();
        let first = cells[0];
        if let Some(code) = first
            .strip_prefix('`')
            .and_then(|c| c.strip_suffix('`'))
            .filter(|c| !c.is_empty() && !c.contains('`'))
        {
            rows.push(Row {
                code: code.to_string(),
                severity: cells.get(1).copied().unwrap_or("").to_string(),
                line: i + 1,
            });
        }
    }
    rows
}

#[test]
fn the_document_check_reports_missing_stale_and_misstated_codes() {
    let mut codes = BTreeMap::new();
    let site = |severity| Site {
        at: "crates/x/src/lib.rs:1".into(),
        severity,
    };
    codes.insert("kept".to_string(), vec![site(Sev::Error)]);
    codes.insert("undocumented".to_string(), vec![site(Sev::Error)]);
    codes.insert(
        "both".to_string(),
        vec![site(Sev::Error), site(Sev::Warning)],
    );
    let doc = "\
| Code | Severity | Meaning |
|---|---|---|
| `kept` | error | fine |
| `both` | error | only one of its severities |
| `gone` | warning | no longer emitted |
```
| `in-a-fence` | error | not a row |
```
";
    let problems = compare(&codes, &doc_rows(doc));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("`both` is emitted as warning"));
    assert!(problems[1].starts_with("missing: `undocumented`"));
    assert!(problems[2].starts_with("stale: `gone`"));
}

#[test]
fn the_extraction_follows_helpers_variables_constants_and_multi_line_calls() {
    let lib = r####"
//! Diagnostic::error("in-module-doc", "a doc example is not a code")
use iamwhy_diagnostic::{Diagnostic, Severity};

const CODE: &str = "from-const";

/// ```
/// Diagnostic::error("in-doc-example", "x");
/// ```
pub fn direct() -> Vec<Diagnostic> {
    // Diagnostic::error("in-line-comment", "x")
    /* Diagnostic::error("in-block-comment", "x") */
    let quote = '"';
    let text = "Diagnostic::error(\"in-a-string\", \"x\")";
    let raw = r#"Diagnostic::warning("in-a-raw-string", "x")"#;
    vec![
        Diagnostic::error(
            "multi-line",
            format!("{quote}{text}{raw}"),
        ),
        Diagnostic::warning("a-warning", "w"),
        Diagnostic::error(CODE, "c"),
        Diagnostic {
            code: "struct-literal",
            severity: Severity::Warning,
            message: String::new(),
            help: None,
            file: None,
            json_path: None,
            label: None,
            source: None,
        },
    ]
}

fn chosen(missing: bool) -> Diagnostic {
    let code = if missing { "chosen-a" } else { "chosen-b" };
    let (other, message) = match missing {
        true => ("tuple-a", "the file ends too early".to_string()),
        false => ("tuple-b", format!("not {}", "ok")),
    };
    let _ = Diagnostic::error(other, message);
    Diagnostic::error(code, "m")
}

pub(crate) fn in_file(code: &'static str, file: &str, message: &str) -> Diagnostic {
    Diagnostic::error(code, message).in_file(file)
}

fn required(root: &str, file: &str, code: &'static str) -> Diagnostic {
    in_file(code, file, root)
}

struct Checker { out: Vec<Diagnostic> }

impl Checker {
    fn push(&mut self, severity: Severity, code: &'static str, message: String) {
        self.out.push(Diagnostic::new(code, severity, message));
    }
    fn warn(&mut self, code: &'static str, message: String) {
        self.push(Severity::Warning, code, message);
    }
    fn check(&mut self) {
        let located = |line: usize, code: &'static str| {
            Diagnostic::error(code, format!("at {line}"))
        };
        self.out.push(located(1, "via-closure"));
        self.warn("via-method", String::new());
        self.out.push(required("r", "f", "via-two-helpers"));
        let _ = in_file("via-helper", "f", "m");
    }
}

#[cfg(test)]
mod tests {
    fn t() { let _ = iamwhy_diagnostic::Diagnostic::error("in-a-test", "x"); }
}
"####;
    let other_crate = r####"
fn f(xs: &[&'static str]) {
    // A private helper of another crate is not callable here; `warn` is not ours.
    log::warn("not-a-code-either");
    in_file("other-crates-in-file", "f", "m");
    for x in xs {
        let _ = xs.iter().map(|c| iamwhy_diagnostic::Diagnostic::error(c, "closure"));
    }
}
"####;
    let (a, _) = parse_source("a", "crates/a/src/lib.rs".into(), lib.into());
    let (b, _) = parse_source("b", "crates/b/src/lib.rs".into(), other_crate.into());
    let found = extract(&[a, b]);
    let codes: BTreeMap<&str, Vec<&str>> = found
        .codes
        .iter()
        .map(|(c, sites)| {
            (
                c.as_str(),
                sites.iter().map(|s| s.severity.name()).collect(),
            )
        })
        .collect();
    let expected: BTreeMap<&str, Vec<&str>> = [
        ("a-warning", vec!["warning"]),
        ("chosen-a", vec!["error"]),
        ("chosen-b", vec!["error"]),
        ("from-const", vec!["error"]),
        ("multi-line", vec!["error"]),
        ("struct-literal", vec!["warning"]),
        ("tuple-a", vec!["error"]),
        ("tuple-b", vec!["error"]),
        ("via-closure", vec!["error"]),
        ("via-helper", vec!["error"]),
        ("via-method", vec!["warning"]),
        ("via-two-helpers", vec!["error"]),
    ]
    .into_iter()
    .collect();
    assert_eq!(codes, expected);
    // The closure's parameter is not a code the test can name: it says so.
    assert_eq!(found.unresolved.len(), 1, "{:?}", found.unresolved);
    assert!(found.unresolved[0].starts_with("crates/b/src/lib.rs:7: `c`"));
}

// ---------------------------------------------------------------------------------------------
// Reading the sources.

/// One source file, with comments, `#[cfg(test)]` items and the inside of literals blanked out
/// in `masked` (same length, same line breaks) so that it can be scanned for structure.
struct Source {
    /// The crate's directory name (`world`).
    krate: String,
    /// Relative to the workspace root.
    path: String,
    /// The file as it is.
    text: String,
    /// The file with comments and `#[cfg(test)]` items turned to spaces, and the contents of
    /// string and character literals too (their quotes kept).
    masked: Vec<u8>,
    /// The string literals: byte range in the file (quotes included) and value.
    literals: Vec<(usize, usize, String)>,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

impl Source {
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset)
    }

    fn at(&self, offset: usize) -> String {
        format!("{}:{}", self.path, self.line_of(offset))
    }

    /// The literal that is exactly `range` (after trimming), if any.
    fn literal_at(&self, start: usize, end: usize) -> Option<&str> {
        let i = self.literals.partition_point(|l| l.0 < start);
        self.literals
            .get(i)
            .filter(|l| l.0 == start && l.1 == end)
            .map(|l| l.2.as_str())
    }

    /// The literals inside `start..end`.
    fn literals_in(&self, start: usize, end: usize) -> impl Iterator<Item = &str> {
        self.literal_ranges_in(start, end).map(|l| l.2.as_str())
    }

    /// The literals inside `start..end`, with their ranges.
    fn literal_ranges_in(
        &self,
        start: usize,
        end: usize,
    ) -> impl Iterator<Item = &(usize, usize, String)> {
        let i = self.literals.partition_point(|l| l.0 < start);
        self.literals[i..].iter().take_while(move |l| l.1 <= end)
    }
}

fn read_sources(root: &Path) -> Vec<Source> {
    let mut sources = Vec::new();
    let crates = root.join("crates");
    let mut dirs: Vec<_> = fs::read_dir(&crates)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", crates.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let krate = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        rust_files(&dir.join("src"), &mut files);
        files.sort();
        let mut test_files = BTreeSet::new();
        let mut krate_sources = Vec::new();
        for file in files {
            let text = fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            let path = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let (source, test_modules) = parse_source(&krate, path, text);
            for module in test_modules {
                test_files.extend(module_files(&file, &module));
            }
            krate_sources.push((file, source));
        }
        sources.extend(
            krate_sources
                .into_iter()
                .filter(|(f, _)| !test_files.contains(f))
                .map(|(_, s)| s),
        );
    }
    sources
}

/// One file's text, masked, with its `#[cfg(test)]` items blanked; and the names of the
/// `#[cfg(test)] mod name;` it declares.
fn parse_source(krate: &str, path: String, text: String) -> (Source, Vec<String>) {
    let (masked, literals) = mask(&text);
    let mut source = Source {
        krate: krate.to_string(),
        path,
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        text,
        masked,
        literals,
    };
    let modules = blank_test_items(&mut source);
    (source, modules)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The files a `mod name;` declared in `file` may live in.
fn module_files(file: &Path, module: &str) -> Vec<PathBuf> {
    let dir = file.parent().unwrap();
    let stem = file.file_stem().unwrap().to_string_lossy();
    let base = if stem == "mod" || stem == "lib" || stem == "main" {
        dir.to_path_buf()
    } else {
        dir.join(&*stem)
    };
    vec![
        base.join(format!("{module}.rs")),
        base.join(module).join("mod.rs"),
    ]
}

/// Blank comments and the contents of literals; return the masked bytes and the string
/// literals (range with quotes, value).
fn mask(text: &str) -> (Vec<u8>, Vec<(usize, usize, String)>) {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut literals = Vec::new();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            let end = text[i..].find('\n').map_or(b.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            let mut j = i;
            while j < b.len() {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (c == b'r' || (c == b'b' && b.get(i + 1) == Some(&b'r')))
            && (i == 0 || !ident(b[i - 1]))
            && {
                let k = i + if c == b'b' { 2 } else { 1 };
                let hashes = b[k..].iter().take_while(|&&h| h == b'#').count();
                b.get(k + hashes) == Some(&b'"')
            }
        {
            // A raw string: r"…", r#"…"#, br"…".
            let k = i + if c == b'b' { 2 } else { 1 };
            let hashes = b[k..].iter().take_while(|&&h| h == b'#').count();
            let open = k + hashes;
            let closing = format!("\"{}", "#".repeat(hashes));
            let close = text[open + 1..]
                .find(&closing)
                .map_or(b.len(), |n| open + 1 + n);
            let end = (close + closing.len()).min(b.len());
            literals.push((i, end, text[open + 1..close].to_string()));
            blank(&mut out, open + 1, close);
            i = end;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            let start = if i > 0 && b[i - 1] == b'b' && (i < 2 || !ident(b[i - 2])) {
                i - 1
            } else {
                i
            };
            literals.push((start, end, text[i + 1..j.min(b.len())].to_string()));
            blank(&mut out, i + 1, j.min(b.len()));
            i = end;
        } else if c == b'\'' {
            // A character literal ('"', '\'', '\u{..}') or a lifetime ('a, 'static).
            let rest = &b[i + 1..];
            let len = if rest.first() == Some(&b'\\') {
                // The backslash, the escaped character, then up to the closing quote.
                rest.iter().skip(2).position(|&x| x == b'\'').map(|p| p + 2)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(ch) == Some(&b'\'')).then_some(ch)
            };
            match len {
                Some(n) => {
                    blank(&mut out, i + 1, i + 1 + n);
                    i += n + 2;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    (out, literals)
}

/// Blank every `#[cfg(test)]` item; return the names of `#[cfg(test)] mod name;` declarations.
fn blank_test_items(source: &mut Source) -> Vec<String> {
    let mut modules = Vec::new();
    let attr = b"#[cfg(test)]";
    let mut from = 0;
    while let Some(at) = find(&source.masked, attr, from) {
        let m = &source.masked;
        // Skip further attributes and the item's keywords up to its `{` or `;`.
        let mut j = at + attr.len();
        let mut depth = 0i32;
        let end = loop {
            match m.get(j) {
                None => break m.len(),
                Some(b'(' | b'[') => depth += 1,
                Some(b')' | b']') => depth -= 1,
                Some(b';') if depth == 0 => break j + 1,
                Some(b'{') if depth == 0 => break matching(m, j).map_or(m.len(), |e| e + 1),
                _ => {}
            }
            j += 1;
        };
        let head = String::from_utf8_lossy(&m[at + attr.len()..j]).into_owned();
        let words: Vec<&str> = head.split_whitespace().collect();
        if let Some(p) = words.iter().position(|w| *w == "mod")
            && m.get(j) == Some(&b';')
            && let Some(name) = words.get(p + 1)
        {
            modules.push(name.trim_end_matches(';').to_string());
        }
        for c in &mut source.masked[at..end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        source.literals.retain(|l| l.1 <= at || l.0 >= end);
        from = end;
    }
    modules
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The index of the bracket closing the one at `open`.
fn matching(m: &[u8], open: usize) -> Option<usize> {
    let (o, c) = match m[open] {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, &x) in m.iter().enumerate().skip(open) {
        if x == o {
            depth += 1;
        } else if x == c {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        }
    }
    None
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// The identifier ending just before `end` (skipping whitespace), and where it starts.
fn ident_before(m: &[u8], end: usize) -> Option<(usize, &str)> {
    let mut e = end;
    while e > 0 && m[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    let mut s = e;
    while s > 0 && is_ident(m[s - 1]) {
        s -= 1;
    }
    (s < e).then(|| (s, std::str::from_utf8(&m[s..e]).unwrap()))
}

// ---------------------------------------------------------------------------------------------
// Functions, impl blocks and calls.

/// A function definition.
struct Fn {
    name: String,
    /// Whether it takes `self`.
    method: bool,
    /// The type of the `impl` block it is in.
    owner: Option<String>,
    /// Declared `pub` (not `pub(crate)`): callable from every crate.
    public: bool,
    /// Parameter names, `self` left out.
    params: Vec<String>,
    /// The body, between its braces.
    body: (usize, usize),
}

fn functions(s: &Source) -> Vec<Fn> {
    let m = &s.masked;
    let impls = impl_blocks(m);
    let mut fns = Vec::new();
    let mut from = 0;
    while let Some(at) = find(m, b"fn", from) {
        from = at + 2;
        if (at > 0 && is_ident(m[at - 1])) || !m.get(at + 2).is_some_and(u8::is_ascii_whitespace) {
            continue;
        }
        let mut j = at + 2;
        while m[j].is_ascii_whitespace() {
            j += 1;
        }
        let name_start = j;
        while j < m.len() && is_ident(m[j]) {
            j += 1;
        }
        let name = String::from_utf8_lossy(&m[name_start..j]).into_owned();
        if name.is_empty() {
            continue;
        }
        // Generics, then the parameter list.
        while j < m.len() && m[j] != b'(' && m[j] != b'{' && m[j] != b';' {
            j += 1;
        }
        if m.get(j) != Some(&b'(') {
            continue;
        }
        let Some(close) = matching(m, j) else {
            continue;
        };
        let mut method = false;
        let mut params = Vec::new();
        for p in split_args(m, j + 1, close) {
            let text = String::from_utf8_lossy(&m[p.0..p.1]).into_owned();
            let pat = text.split(':').next().unwrap_or("").trim();
            let pat = pat.trim_start_matches('&').trim();
            let pat = pat.strip_prefix("mut ").unwrap_or(pat).trim();
            if pat == "self" || pat.starts_with("'") && pat.ends_with("self") {
                method = true;
            } else if !pat.is_empty() {
                params.push(pat.to_string());
            }
        }
        // The body: the first `{` after the signature at bracket depth 0 (a `;` first means
        // a declaration without one).
        let mut k = close + 1;
        let mut depth = 0i32;
        let body_open = loop {
            match m.get(k) {
                None => break None,
                Some(b'(' | b'[') => depth += 1,
                Some(b')' | b']') => depth -= 1,
                Some(b';') if depth == 0 => break None,
                Some(b'{') if depth == 0 => break Some(k),
                _ => {}
            }
            k += 1;
        };
        let Some(open) = body_open else { continue };
        let Some(end) = matching(m, open) else {
            continue;
        };
        // Visibility: the words between the previous item boundary and `fn`.
        let mut v = at;
        while v > 0 && !matches!(m[v - 1], b';' | b'{' | b'}' | b']') {
            v -= 1;
        }
        let head = String::from_utf8_lossy(&m[v..at]);
        let public = head.split_whitespace().any(|w| w == "pub");
        let owner = impls
            .iter()
            .filter(|(_, o, e)| *o < at && at < *e)
            .max_by_key(|(_, o, _)| *o)
            .map(|(t, _, _)| t.clone());
        fns.push(Fn {
            name,
            method,
            owner,
            public,
            params,
            body: (open, end),
        });
    }
    fns
}

/// `impl` blocks: the implementing type's name and the block's braces.
fn impl_blocks(m: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(m, b"impl", from) {
        from = at + 4;
        if (at > 0 && is_ident(m[at - 1])) || m.get(at + 4).is_none_or(|&c| is_ident(c)) {
            continue;
        }
        // Only an item (`impl X {` after another item), not `impl Trait` in a signature.
        let prev = m[..at].iter().rev().find(|c| !c.is_ascii_whitespace());
        if !matches!(prev, None | Some(b'}' | b';' | b'{' | b']')) {
            continue;
        }
        let mut j = at + 4;
        let mut depth = 0i32;
        let open = loop {
            match m.get(j) {
                None => break None,
                Some(b'(' | b'[') => depth += 1,
                Some(b')' | b']') => depth -= 1,
                Some(b';') if depth == 0 => break None,
                Some(b'{') if depth == 0 => break Some(j),
                _ => {}
            }
            j += 1;
        };
        let Some(open) = open else { continue };
        let head = String::from_utf8_lossy(&m[at + 4..open]).into_owned();
        let head = strip_leading_generics(head.trim());
        let ty = match head.find(" for ") {
            Some(p) => &head[p + 5..],
            None => head,
        };
        let ty = ty.split(" where").next().unwrap_or(ty);
        let ty = ty.split('<').next().unwrap_or(ty).trim();
        let name = ty.rsplit("::").next().unwrap_or(ty).trim_start_matches('&');
        if let Some(end) = matching(m, open) {
            out.push((name.trim().to_string(), open, end));
        }
    }
    out
}

fn strip_leading_generics(head: &str) -> &str {
    if !head.starts_with('<') {
        return head;
    }
    let mut depth = 0;
    for (i, c) in head.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return head[i + 1..].trim();
                }
            }
            _ => {}
        }
    }
    head
}

/// The arguments between `start` and `end` (a call's parentheses), split at commas outside
/// brackets, each trimmed.
fn split_args(m: &[u8], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut from = start;
    let push = |args: &mut Vec<(usize, usize)>, a: usize, b: usize| {
        let mut a = a;
        let mut b = b;
        while a < b && m[a].is_ascii_whitespace() {
            a += 1;
        }
        while b > a && m[b - 1].is_ascii_whitespace() {
            b -= 1;
        }
        if a < b {
            args.push((a, b));
        }
    };
    for k in start..end {
        match m[k] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'<' if depth == 0 && k > start && is_ident(m[k - 1]) => depth += 1,
            b'>' if depth > 0 && k > start && m[k - 1] != b'-' && m[k - 1] != b'=' => depth -= 1,
            b',' if depth == 0 => {
                push(&mut args, from, k);
                from = k + 1;
            }
            _ => {}
        }
    }
    push(&mut args, from, end);
    args
}

// ---------------------------------------------------------------------------------------------
// Extraction.

/// The severity a constructor gives, or the parameter that decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sev {
    Error,
    Warning,
    Param(usize),
    Unknown,
}

impl Sev {
    fn name(self) -> &'static str {
        match self {
            Sev::Error => "error",
            Sev::Warning => "warning",
            Sev::Param(_) | Sev::Unknown => "unknown",
        }
    }
}

/// A function whose parameter `code` becomes a code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Helper {
    /// The crate it can be called from (`None`: every crate).
    krate: Option<String>,
    /// The file it can be called from, for a closure bound by `let`.
    file: Option<String>,
    owner: Option<String>,
    name: String,
    method: bool,
    code: usize,
    severity: Sev,
}

/// Where a code is emitted, and as what.
struct Site {
    at: String,
    severity: Sev,
}

struct Found {
    codes: BTreeMap<String, Vec<Site>>,
    unresolved: Vec<String>,
}

fn extract(sources: &[Source]) -> Found {
    let fns: Vec<Vec<Fn>> = sources.iter().map(functions).collect();
    let mut helpers: Vec<Helper> = ROOTS
        .iter()
        .map(|&(owner, name, code, severity)| Helper {
            krate: None,
            file: None,
            owner: Some(owner.to_string()),
            name: name.to_string(),
            method: false,
            code,
            severity,
        })
        .collect();
    loop {
        let mut found = Found {
            codes: BTreeMap::new(),
            unresolved: Vec::new(),
        };
        let mut seen_calls = BTreeSet::new();
        let mut new_helpers = Vec::new();
        for (s, fns) in sources.iter().zip(&fns) {
            for h in &helpers {
                if h.krate.as_ref().is_some_and(|k| *k != s.krate)
                    || h.file.as_ref().is_some_and(|f| *f != s.path)
                {
                    continue;
                }
                for (call, args) in calls(s, h) {
                    if !seen_calls.insert((s.path.clone(), call)) {
                        continue;
                    }
                    let Some(&(a, b)) = args.get(h.code) else {
                        continue;
                    };
                    let severity = match h.severity {
                        Sev::Param(k) => match args.get(k) {
                            Some(&(x, y)) => severity_arg(s, fns, call, x, y),
                            None => Sev::Unknown,
                        },
                        other => other,
                    };
                    match resolve(s, sources, fns, call, a, b) {
                        Resolved::Codes(codes) => {
                            for code in codes {
                                found.codes.entry(code).or_default().push(Site {
                                    at: s.at(call),
                                    severity,
                                });
                            }
                        }
                        Resolved::Param(f, index) => {
                            let f = &fns[f];
                            let helper = Helper {
                                krate: (!f.public).then(|| s.krate.clone()),
                                file: None,
                                owner: f.owner.clone(),
                                name: f.name.clone(),
                                method: f.method,
                                code: index,
                                severity,
                            };
                            if !helpers.contains(&helper) && !new_helpers.contains(&helper) {
                                new_helpers.push(helper);
                            }
                        }
                        Resolved::Closure(name, index) => {
                            let helper = Helper {
                                krate: Some(s.krate.clone()),
                                file: Some(s.path.clone()),
                                owner: None,
                                name,
                                method: false,
                                code: index,
                                severity,
                            };
                            if !helpers.contains(&helper) && !new_helpers.contains(&helper) {
                                new_helpers.push(helper);
                            }
                        }
                        Resolved::NotOurs => {}
                        Resolved::Unknown(why) => found.unresolved.push(format!(
                            "{}: `{}` ({why})",
                            s.at(call),
                            &s.text[a..b]
                        )),
                    }
                }
            }
        }
        if new_helpers.is_empty() {
            for (s, fns) in sources.iter().zip(&fns) {
                struct_literals(s, sources, fns, &mut found);
            }
            return found;
        }
        helpers.extend(new_helpers);
    }
}

/// The calls of `h` in `s`: the offset of the callee's name and the arguments.
fn calls(s: &Source, h: &Helper) -> Vec<(usize, Vec<(usize, usize)>)> {
    let m = &s.masked;
    let name = h.name.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = find(m, name, from) {
        from = at + name.len();
        if at > 0 && is_ident(m[at - 1]) {
            continue;
        }
        let mut open = at + name.len();
        while m.get(open).is_some_and(u8::is_ascii_whitespace) {
            open += 1;
        }
        if m.get(open) != Some(&b'(') {
            continue;
        }
        // What precedes the name: `fn ` (the definition), `.` (a method call), `X::`.
        let mut p = at;
        while p > 0 && m[p - 1].is_ascii_whitespace() {
            p -= 1;
        }
        let before = &m[..p];
        let form_ok = if before.ends_with(b".") {
            h.method
        } else if before.ends_with(b"::") {
            match ident_before(m, p - 2) {
                Some((_, q)) => match &h.owner {
                    Some(owner) => q == owner || q == "Self",
                    None => q.starts_with(|c: char| c.is_ascii_lowercase()),
                },
                None => false,
            }
        } else if ident_before(m, p).is_some_and(|(_, w)| w == "fn") {
            false
        } else {
            h.owner.is_none()
        };
        if !form_ok {
            continue;
        }
        let Some(close) = matching(m, open) else {
            continue;
        };
        out.push((at, split_args(m, open + 1, close)));
    }
    out
}

/// Types whose struct literals carry a code in a `code` field, and the severity they have.
const STRUCTS: &[(&str, Sev)] = &[("Diagnostic", Sev::Unknown), ("Service", Sev::Error)];

/// Codes of struct literals (`Diagnostic { code: "…", severity: Severity::Error, … }`,
/// `SimulatorError::Service { code: "…", … }`). Only a literal value counts: the shorthand
/// `code,` of a pattern or of the constructor itself is not a code.
fn struct_literals(s: &Source, sources: &[Source], fns: &[Fn], found: &mut Found) {
    let m = &s.masked;
    for &(ty, sev) in STRUCTS {
        let mut from = 0;
        while let Some(at) = find(m, ty.as_bytes(), from) {
            from = at + ty.len();
            if at > 0 && is_ident(m[at - 1]) || m.get(from).is_some_and(|&c| is_ident(c)) {
                continue;
            }
            if ident_before(m, at)
                .is_some_and(|(_, w)| matches!(w, "struct" | "enum" | "for" | "impl"))
            {
                continue;
            }
            let mut open = from;
            while m.get(open).is_some_and(u8::is_ascii_whitespace) {
                open += 1;
            }
            if m.get(open) != Some(&b'{') {
                continue;
            }
            let Some(close) = matching(m, open) else {
                continue;
            };
            let fields = split_args(m, open + 1, close);
            let field = |name: &str| {
                fields.iter().find_map(|&(a, b)| {
                    let text = std::str::from_utf8(&m[a..b]).unwrap();
                    let rest = text.strip_prefix(name)?.trim_start().strip_prefix(':')?;
                    let skip = text.len() - rest.len();
                    let lead = rest.len() - rest.trim_start().len();
                    Some((a + skip + lead, b))
                })
            };
            let Some((a, b)) = field("code") else {
                continue;
            };
            if s.literal_at(a, b).is_none() {
                continue;
            }
            let severity = match field("severity") {
                Some((x, y)) => severity_arg(s, fns, at, x, y),
                None => sev,
            };
            if let Resolved::Codes(codes) = resolve(s, sources, fns, at, a, b) {
                for code in codes {
                    found.codes.entry(code).or_default().push(Site {
                        at: s.at(at),
                        severity,
                    });
                }
            }
        }
    }
}

enum Resolved {
    /// The codes the argument can be.
    Codes(Vec<String>),
    /// The argument is parameter `.1` of function `.0` (of this file), which is thus a helper.
    Param(usize, usize),
    /// The argument is parameter `.1` of the closure bound by `let .0 = |…| …`.
    Closure(String, usize),
    /// A code documented elsewhere ([`NOT_OURS`]).
    NotOurs,
    Unknown(&'static str),
}

/// The innermost function of `fns` whose body holds `offset`.
fn enclosing(fns: &[Fn], offset: usize) -> Option<usize> {
    fns.iter()
        .enumerate()
        .filter(|(_, f)| f.body.0 < offset && offset < f.body.1)
        .max_by_key(|(_, f)| f.body.0)
        .map(|(i, _)| i)
}

/// A code is kebab case (`unknown-role`), or an AWS error code (`NoSuchEntity`).
fn code_shaped(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn resolve(
    s: &Source,
    sources: &[Source],
    fns: &[Fn],
    call: usize,
    a: usize,
    b: usize,
) -> Resolved {
    if let Some(code) = s.literal_at(a, b) {
        return Resolved::Codes(vec![code.to_string()]);
    }
    let expr = s.text[a..b].trim();
    if NOT_OURS.iter().any(|(end, _why)| expr.ends_with(end)) {
        return Resolved::NotOurs;
    }
    if !expr.bytes().all(is_ident) {
        return Resolved::Unknown("not a literal or a variable");
    }
    if let Some(f) = enclosing(fns, call) {
        // A `let` of the variable in the function, before the call: its last one.
        let (open, _) = fns[f].body;
        if let Some((x, y)) = last_let(&s.masked, open, call, expr) {
            let codes: Vec<String> = s
                .literal_ranges_in(x, y)
                .filter(|l| code_shaped(&l.2) && !in_call(&s.masked, x, l.0))
                .map(|l| l.2.clone())
                .collect();
            return if codes.is_empty() {
                Resolved::Unknown("its `let` holds no literal code")
            } else {
                Resolved::Codes(codes)
            };
        }
        if let Some((name, i)) = closure_param(&s.masked, open, call, expr) {
            return Resolved::Closure(name, i);
        }
        if let Some(i) = fns[f].params.iter().position(|p| p == expr) {
            return Resolved::Param(f, i);
        }
    }
    // A constant of the crate.
    for other in sources.iter().filter(|o| o.krate == s.krate) {
        let pat = format!("const {expr}:");
        if let Some(at) = find(&other.masked, pat.as_bytes(), 0) {
            let end = find(&other.masked, b";", at).unwrap_or(other.masked.len());
            if let Some(code) = other.literals_in(at, end).next() {
                return Resolved::Codes(vec![code.to_string()]);
            }
        }
    }
    Resolved::Unknown("a variable neither bound by `let`, a parameter nor a `const`")
}

/// Whether the literal at `at` is an argument of a call or macro (`format!("not {}", "ok")`,
/// `text.rfind(" at ")`) rather than a value the expression from `from` can take (an arm of a
/// `match`, a block of an `if`, an element of a tuple).
fn in_call(m: &[u8], from: usize, at: usize) -> bool {
    let mut depth = 0i32;
    for k in (from..at).rev() {
        match m[k] {
            b')' | b']' | b'}' => depth += 1,
            b'[' | b'{' if depth == 0 => return false,
            b'(' if depth == 0 => {
                let mut p = k;
                while p > from && m[p - 1].is_ascii_whitespace() {
                    p -= 1;
                }
                // `name(`, `mac!(`, `f::<T>(`; not `=> (` nor `= (`.
                return p > from
                    && (is_ident(m[p - 1])
                        || m[p - 1] == b'!'
                        || (m[p - 1] == b'>' && p > from + 1 && !matches!(m[p - 2], b'=' | b'-')));
            }
            b'(' | b'[' | b'{' => depth -= 1,
            _ => {}
        }
    }
    false
}

/// The closure holding `at` (`let located = |code: &'static str, …| …;` between `from` and
/// `at`) one of whose parameters is `name`: the closure's name and the parameter's index.
fn closure_param(m: &[u8], from: usize, at: usize, name: &str) -> Option<(String, usize)> {
    let mut best = None;
    let mut k = from;
    while let Some(l) = find(&m[..at], b"let", k) {
        k = l + 3;
        if is_ident(m[l - 1]) || !m[l + 3].is_ascii_whitespace() {
            continue;
        }
        let mut j = l + 3;
        while m[j].is_ascii_whitespace() {
            j += 1;
        }
        let start = j;
        while is_ident(m[j]) {
            j += 1;
        }
        let binding = std::str::from_utf8(&m[start..j]).unwrap().to_string();
        let rest = std::str::from_utf8(&m[j..at]).unwrap();
        let rest_trimmed = rest.trim_start();
        let Some(after_eq) = rest_trimmed.strip_prefix('=') else {
            continue;
        };
        let after_eq = after_eq.trim_start();
        let after_move = after_eq
            .strip_prefix("move")
            .map_or(after_eq, str::trim_start);
        if binding.is_empty() || !after_move.starts_with('|') {
            continue;
        }
        let open = at - rest.len() + (rest.len() - after_move.len());
        let Some(close) = m[open + 1..at].iter().position(|&c| c == b'|') else {
            continue;
        };
        let close = open + 1 + close;
        // The closure runs to the `;` ending the `let`; `at` must be inside it.
        let mut depth = 0i32;
        let mut e = close + 1;
        while e < m.len() {
            match m[e] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b';' if depth <= 0 => break,
                _ => {}
            }
            if depth < 0 {
                break;
            }
            e += 1;
        }
        if at >= e {
            continue;
        }
        let params: Vec<String> = split_args(m, open + 1, close)
            .into_iter()
            .map(|(a, b)| {
                let text = std::str::from_utf8(&m[a..b]).unwrap();
                let pat = text.split(':').next().unwrap_or("").trim();
                let pat = pat.trim_start_matches('&').trim();
                pat.strip_prefix("mut ").unwrap_or(pat).trim().to_string()
            })
            .collect();
        if let Some(i) = params.iter().position(|p| p == name) {
            best = Some((binding, i));
        }
    }
    best
}

/// The initializer (`start..end`) of the last `let` binding `name` in `from..to`.
fn last_let(m: &[u8], from: usize, to: usize, name: &str) -> Option<(usize, usize)> {
    let mut best = None;
    let mut k = from;
    while let Some(at) = find(&m[..to], b"let", k) {
        k = at + 3;
        if is_ident(m[at - 1]) || !m[at + 3].is_ascii_whitespace() {
            continue;
        }
        // The pattern runs to the first `=` that is not `==`, `=>`, `<=`, `>=`, `!=`.
        let mut j = at + 3;
        while j < to {
            if m[j] == b'='
                && m.get(j + 1) != Some(&b'=')
                && m.get(j + 1) != Some(&b'>')
                && !matches!(m[j - 1], b'=' | b'<' | b'>' | b'!')
            {
                break;
            }
            if m[j] == b';' {
                break;
            }
            j += 1;
        }
        if j >= to || m[j] != b'=' {
            continue;
        }
        let pattern = std::str::from_utf8(&m[at + 3..j]).unwrap();
        let binds = pattern
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|w| w == name);
        if !binds {
            continue;
        }
        // The initializer runs to the `;` outside brackets.
        let mut depth = 0i32;
        let mut e = j + 1;
        while e < m.len() {
            match m[e] {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b';' if depth == 0 => break,
                _ => {}
            }
            e += 1;
        }
        if e < to {
            best = Some((j + 1, e));
        }
    }
    best
}

/// The severity an argument says: `Severity::Error`, `Severity::Warning`, or a parameter of
/// the enclosing function.
fn severity_arg(s: &Source, fns: &[Fn], call: usize, a: usize, b: usize) -> Sev {
    let expr = s.text[a..b].trim();
    if expr.ends_with("Severity::Error") {
        return Sev::Error;
    }
    if expr.ends_with("Severity::Warning") {
        return Sev::Warning;
    }
    if expr.bytes().all(is_ident)
        && let Some(f) = enclosing(fns, call)
        && let Some(i) = fns[f].params.iter().position(|p| p == expr)
    {
        return Sev::Param(i);
    }
    Sev::Unknown
}
