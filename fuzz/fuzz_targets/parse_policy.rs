//! Fuzz target: arbitrary bytes → `PolicyDocument::parse` → `validate::validate` for every
//! policy type. Must never panic; every reported position must lie inside the text it refers
//! to; every span the document keeps must point at the JSON text it claims to. The same text
//! embedded in a larger JSON text and read in place (`PolicyDocument::read_with_statements`)
//! must give the same document, or fail where the text alone fails.

#![no_main]

use iamwhy_diagnostic::{Diagnostic, Position, Span};
use iamwhy_policy::source::decode_policy_text;
use iamwhy_policy::validate;
use iamwhy_policy::json::Reader;
use iamwhy_policy::{ParseFailure, PolicyDocument, PolicyType};
use libfuzzer_sys::fuzz_target;

#[path = "../src/known.rs"]
mod known;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if known::skip_policy_text(text) {
        return;
    }
    let whole = PolicyDocument::parse(text);
    check_embedded(text, &whole);
    match whole {
        Ok(doc) => check_document(&doc),
        Err(failure) => {
            assert!(
                !failure.diagnostics.is_empty(),
                "a ParseFailure must carry at least one diagnostic"
            );
            let _ = failure.to_string();
            // Positions refer to the decoded JSON text; when the wrapper itself does not decode,
            // the single diagnostic sits at 1:1 of the input.
            let decoded = decode_policy_text(text)
                .map(|(t, _)| t.into_owned())
                .unwrap_or_else(|_| text.to_string());
            for d in &failure.diagnostics {
                assert!(d.is_error(), "parse failures are errors: {d:?}");
                check_diagnostic(&decoded, d);
            }
        }
    }
});

/// `text` as the element of a JSON array, read in place: the document of the text alone,
/// or an error when the text alone is not a document.
fn check_embedded(text: &str, whole: &Result<PolicyDocument, ParseFailure>) {
    if !text.trim_start().starts_with('{') {
        return;
    }
    let line = format!("[{text}]");
    let mut r = Reader::new(&line);
    if r.begin_array().is_err() || !matches!(r.next_element(), Ok(true)) {
        return;
    }
    let embedded = PolicyDocument::read_with_statements(&mut r, |_, s| format!("{s:?}"));
    let line_ok = embedded.is_ok() && matches!(r.next_element(), Ok(false)) && r.finish().is_ok();
    match (whole, embedded) {
        (Ok(_), Ok((read, statements))) => {
            assert!(line_ok, "the array around a document does not read");
            // The embedded document's spans count from its first character: the text alone
            // without the whitespace around it.
            let alone = PolicyDocument::parse(text.trim()).expect("the trimmed text parses");
            assert_eq!(statements, format!("{:?}", alone.statements()));
            assert_eq!(&*read.source, text.trim(), "the embedded document's source");
            check_document(&read);
        }
        (Ok(_), Err(f)) => panic!("the text parses alone but not embedded: {f}"),
        (Err(_), Ok(_)) => assert!(
            !line_ok,
            "a document read in place from a text that does not parse alone"
        ),
        (Err(_), Err(f)) => {
            assert!(!f.diagnostics.is_empty());
            for d in &f.diagnostics {
                let span = d.span().expect("a span");
                assert!(span.start <= span.end && span.end as usize <= line.len());
            }
        }
    }
}

fn check_document(doc: &PolicyDocument) {
    let source: &str = &doc.source;
    check_span(source, doc.span, "document");
    check_span(source, doc.statement_span, "Statement value");
    let (start, end) = doc.range(doc.span);
    check_position(source, start, "document start");
    check_position(source, end, "document end");
    assert!(
        doc.text(doc.span).starts_with('{') && doc.text(doc.span).ends_with('}'),
        "the document span must cover its object: {:?}",
        doc.text(doc.span)
    );
    for stmt in doc.statements() {
        check_span(source, stmt.span, "statement");
        let (start, end) = doc.range(stmt.span);
        check_position(source, start, "statement start");
        check_position(source, end, "statement end");
        assert!(
            (start.line, start.column) <= (end.line, end.column),
            "statement start {start} after its end {end}"
        );
        let text = doc.text(stmt.span);
        assert!(
            text.starts_with('{') && text.ends_with('}'),
            "a statement span must cover its object, got {text:?}"
        );
        let _ = stmt.label();
        if let Some(sid) = &stmt.sid {
            check_string_span(doc, sid.span, "Sid");
        }
        check_string_span(doc, stmt.effect.span, "Effect");
        for v in &stmt.action.values {
            check_string_span(doc, v.span, "Action value");
        }
        if let Some(r) = &stmt.resource {
            for v in &r.values {
                check_string_span(doc, v.span, "Resource value");
            }
        }
        if let Some(c) = &stmt.condition {
            check_span(source, c.span, "Condition");
            for block in &c.blocks {
                check_span(source, block.operator.span, "operator");
                for entry in &block.entries {
                    check_span(source, entry.key.span, "condition key");
                    check_span(source, entry.span, "condition value");
                    for v in &entry.values {
                        check_span(source, v.span, "condition value");
                    }
                }
            }
        }
    }
    for ty in PolicyType::ALL {
        for d in validate::validate(doc, ty) {
            check_diagnostic(source, &d);
            let _ = d.to_string();
        }
    }
}

/// A span of a JSON string value must cover the quoted literal.
fn check_string_span(doc: &PolicyDocument, span: Span, what: &str) {
    check_span(&doc.source, span, what);
    let text = doc.text(span);
    assert!(
        text.len() >= 2 && text.starts_with('"') && text.ends_with('"'),
        "{what} span must cover a string literal, got {text:?}"
    );
}

fn check_span(source: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end as usize <= source.len(),
        "{what} span {span:?} is outside the text ({} bytes)",
        source.len()
    );
    assert!(
        source.is_char_boundary(span.start as usize) && source.is_char_boundary(span.end as usize),
        "{what} span {span:?} splits a character"
    );
}

fn check_diagnostic(source: &str, d: &Diagnostic) {
    let p = d
        .position()
        .unwrap_or_else(|| panic!("diagnostic {} has no position", d.code));
    check_position(source, p, d.code);
    let span = d
        .span()
        .unwrap_or_else(|| panic!("diagnostic {} has no span", d.code));
    assert!(
        span.start <= span.end && span.end as usize <= source.len(),
        "diagnostic {} has span {:?} outside the text ({} bytes)",
        d.code,
        span,
        source.len()
    );
}

/// Line ≥ 1 and ≤ the number of lines; column ≥ 1 and ≤ that line's characters + 1 (the
/// position just past the last character is allowed, e.g. the end of a statement).
fn check_position(source: &str, p: Position, what: &str) {
    assert!(
        p.line >= 1 && p.column >= 1,
        "{what}: position {p} is not 1-based"
    );
    let lines: Vec<&str> = source.split('\n').collect();
    assert!(
        (p.line as usize) <= lines.len(),
        "{what}: line {} but the text has {} lines",
        p.line,
        lines.len()
    );
    let line_chars = lines[p.line as usize - 1].chars().count();
    assert!(
        (p.column as usize) <= line_chars + 1,
        "{what}: column {} but line {} has {} characters",
        p.column,
        p.line,
        line_chars
    );
}
