//! Rendering [`Diagnostic`]s the way rustc and ruff print: the code and the message, the file,
//! line and column, the source line with a caret under the span, and the help — through
//! `annotate-snippets`, in colour when the terminal takes it.

use annotate_snippets::{Level, Renderer, Snippet};
use iamwhy_diagnostic::{Diagnostic, Severity};
use std::fmt::Write as _;

/// Files larger than this are not read back just to show one line.
const MAX_SNIPPET_FILE: u64 = 64 << 20;

/// The line holding byte `at` of `text`: (its first byte, its text, its 1-based number).
fn line_at(text: &str, at: usize) -> (usize, &str, usize) {
    let at = at.min(text.len());
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let number = text[..start].bytes().filter(|b| *b == b'\n').count() + 1;
    (start, text[start..end].trim_end_matches('\r'), number)
}

/// The byte offset of a 1-based line and (character) column in `text`.
fn offset_of(text: &str, line: u32, column: u32) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let rest = &text[start..];
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
    Some(start + within)
}

/// The span's width: up to the end of the token it starts (at least one character).
fn token_end(line: &str, from: usize) -> usize {
    let rest = &line[from.min(line.len())..];
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return from;
    };
    let end = if first == '"' {
        // a JSON string: to its closing quote
        let mut escaped = false;
        rest.char_indices()
            .skip(1)
            .find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            })
            .map_or(rest.len(), |(i, c)| i + c.len_utf8())
    } else if first.is_alphanumeric() {
        rest.char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.')))
            .map_or(rest.len(), |(i, _)| i)
    } else {
        first.len_utf8()
    };
    from + end
}

/// The source text a diagnostic points into: its own, or its file read back.
fn source_of(d: &Diagnostic) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(s) = &d.source {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let file = d.file.as_deref()?;
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_SNIPPET_FILE {
        return None;
    }
    std::fs::read_to_string(file)
        .ok()
        .map(std::borrow::Cow::Owned)
}

/// Render `d` as text; `color` adds ANSI styles.
pub fn render(d: &Diagnostic, color: bool) -> String {
    let level = match d.severity {
        Severity::Warning => Level::Warning,
        _ => Level::Error,
    };
    let title = match &d.json_path {
        Some(p) if !p.is_empty() && &**p != "." => format!("{} (at {p})", d.message),
        _ => d.message.clone(),
    };
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let origin = d.file.as_deref().map(str::to_string);
    let source = d.label.as_ref().and_then(|_| source_of(d));
    let mut out = String::new();
    let mut message = level.title(&title).id(d.code);
    let snippet_line;
    let location;
    match (&d.label, &source) {
        (Some(label), Some(text)) => {
            let at = label
                .span
                .filter(|_| d.source.is_some())
                .map(|s| s.start as usize)
                .or_else(|| offset_of(text, label.start.line, label.start.column));
            if let Some(at) = at.filter(|a| *a <= text.len()) {
                let (line_start, line, number) = line_at(text, at);
                let from = at - line_start;
                let to = match label.span {
                    Some(s) if d.source.is_some() && (s.end as usize) > at => {
                        (s.end as usize - line_start).min(line.len())
                    }
                    _ => token_end(line, from),
                }
                .max(from + line[from..].chars().next().map_or(0, char::len_utf8));
                snippet_line = line.to_string();
                let mut annotation = level.span(from..to.min(snippet_line.len().max(from)));
                if let Some(text) = &label.text {
                    annotation = annotation.label(text);
                }
                let mut snippet = Snippet::source(&snippet_line)
                    .line_start(number)
                    .annotation(annotation);
                if let Some(o) = &origin {
                    snippet = snippet.origin(o);
                }
                message = message.snippet(snippet);
            } else {
                location = format!("{}:{}", origin.as_deref().unwrap_or("<input>"), label.start);
                message = message.footer(Level::Note.title(&location));
            }
        }
        (Some(label), None) => {
            location = match &origin {
                Some(o) => format!("{o}:{}", label.start),
                None => format!("line {}, column {}", label.start.line, label.start.column),
            };
            message = message.footer(Level::Note.title(&location));
        }
        (None, _) => {
            if let Some(o) = &origin {
                location = format!("in {o}");
                message = message.footer(Level::Note.title(&location));
            }
        }
    }
    if let Some(help) = &d.help {
        message = message.footer(Level::Help.title(help));
    }
    let _ = write!(out, "{}", renderer.render(message));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_diagnostic::{LineIndex, Position, Span};
    use std::sync::Arc;

    #[test]
    fn a_spanned_diagnostic_shows_the_line_a_caret_the_code_and_the_help() {
        let text: Arc<str> = Arc::from("{\n  \"Effect\": \"Alow\"\n}");
        let lines = LineIndex::new(&text);
        let d = Diagnostic::error("invalid-effect", "\"Alow\" is not an effect")
            .with_help("use \"Allow\" or \"Deny\"")
            .in_file("p.json")
            .at_span(&text, &lines, Span::new(14, 20));
        let shown = render(&d, false);
        assert!(
            shown.contains("error[invalid-effect]: \"Alow\" is not an effect"),
            "{shown}"
        );
        assert!(shown.contains("--> p.json:2:13"), "{shown}");
        assert!(shown.contains("  \"Effect\": \"Alow\""), "{shown}");
        assert!(shown.contains("^^^^^^"), "{shown}");
        assert!(shown.contains("help: use \"Allow\" or \"Deny\""), "{shown}");
    }

    #[test]
    fn a_position_in_a_file_is_read_back_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.json");
        std::fs::write(&file, "{\n  \"a\": tru\n}\n").unwrap();
        let d = Diagnostic::error("invalid-json", "not valid JSON")
            .in_file(file.display().to_string())
            .at_position(Position { line: 2, column: 8 });
        let shown = render(&d, false);
        assert!(shown.contains("\"a\": tru"), "{shown}");
        assert!(shown.contains("^^^"), "{shown}");
    }

    #[test]
    fn an_unlocated_diagnostic_is_its_code_message_and_help() {
        let d = Diagnostic::error("unknown-role", "account 1 has no role named \"x\"")
            .with_help("did you mean y?");
        let shown = render(&d, false);
        assert!(
            shown.starts_with("error[unknown-role]: account 1 has no role named \"x\""),
            "{shown}"
        );
        assert!(shown.contains("help: did you mean y?"), "{shown}");
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let text = "é\nab";
        assert_eq!(offset_of(text, 1, 2), Some(2));
        assert_eq!(offset_of(text, 2, 2), Some(4));
        assert_eq!(offset_of(text, 5, 1), None);
    }
}
