//! World loading and resolution problems are [`Diagnostic`]s: one sentence, a stable code, and
//! the file, the JSON path and the line and column where there is one.

use iamwhy_diagnostic::{Diagnostic, Position};

/// An error in `file` (relative to the world directory).
pub(crate) fn in_file_error(
    code: &'static str,
    file: impl Into<String>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(code, message).in_file(file)
}

/// Deserialize `text` as `T`, turning a failure into a located [`Diagnostic`] (codes
/// `truncated-json`, `invalid-json`, `unexpected-shape`).
pub(crate) fn from_json<'t, T: serde::Deserialize<'t>>(
    file: &str,
    text: &'t str,
) -> Result<T, Diagnostic> {
    // Tracking the JSON path costs on every value: read without it, and only when that fails
    // read again with it for the error's path (the same reader, so the same error).
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (line, column) = (inner.line() as u32, inner.column() as u32);
        let (code, message) = match inner.classify() {
            serde_json::error::Category::Eof => (
                "truncated-json",
                "the file ends too early (truncated JSON?)".to_string(),
            ),
            serde_json::error::Category::Syntax => {
                ("invalid-json", format!("not valid JSON: {inner}"))
            }
            _ => {
                let text = inner.to_string();
                let message = match text.rfind(" at line ") {
                    Some(at) => text[..at].to_string(),
                    None => text,
                };
                // `inventory::unique_map`'s refusal of a key given twice.
                let code = if message.contains(crate::inventory::GIVEN_TWICE) {
                    "duplicate-entry"
                } else {
                    "unexpected-shape"
                };
                (code, message)
            }
        };
        let d = Diagnostic::error(code, message).in_file(file).at_path(path);
        if line > 0 {
            d.at_position(Position { line, column })
        } else {
            d
        }
    })
}
