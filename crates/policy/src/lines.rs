//! Byte offsets of a document's text to 1-based lines and columns (columns in characters,
//! docs/positions.md) in O(log lines) per position, whatever the length of the line.
//!
//! A minified policy (as IAM's APIs return them) is one line: counting the characters from the
//! start of the line for every statement would make compiling it quadratic. The index keeps the
//! line starts and, for text that is not all ASCII, the number of characters before every
//! 256th byte (`CHUNK`); a column is then a difference of two character counts, each a table
//! look-up plus a count over less than one chunk.

/// Bytes between two character-count checkpoints.
const CHUNK: usize = 256;

/// Line starts and character checkpoints of one text.
#[derive(Debug, Clone, Default)]
pub struct SourceLines {
    /// Where every line but the first starts (the first starts at 0): empty for a one-line
    /// text, such as a minified policy, which then costs no allocation.
    line_starts: Vec<u32>,
    /// Characters before byte `i * CHUNK`, for every chunk; empty when the text is ASCII (a
    /// byte is then a character).
    chars_before: Vec<u32>,
}

/// Characters that start in `bytes` (UTF-8: every byte that is not a continuation byte).
fn char_starts(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32
}

impl SourceLines {
    /// Index `text` (a line ends at `\n`; `\r\n` counts as one ending).
    pub fn new(text: &str) -> SourceLines {
        let bytes = text.as_bytes();
        // Counted first, so that the index (kept with its document for the life of a world)
        // is exactly as long as the text has lines.
        let breaks = memchr::memchr_iter(b'\n', bytes).count();
        let mut line_starts = Vec::new();
        if breaks > 0 {
            line_starts.reserve_exact(breaks);
            line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        }
        let chars_before = if text.is_ascii() {
            Vec::new()
        } else {
            let mut out = Vec::with_capacity(bytes.len() / CHUNK + 1);
            let mut count = 0u32;
            for chunk in bytes.chunks(CHUNK) {
                out.push(count);
                count += char_starts(chunk);
            }
            out.push(count);
            out
        };
        SourceLines {
            line_starts,
            chars_before,
        }
    }

    /// Characters that start before byte `offset` (at most `text.len()`).
    fn chars_to(&self, text: &str, offset: usize) -> u32 {
        if self.chars_before.is_empty() {
            return offset as u32;
        }
        let chunk = offset / CHUNK;
        self.chars_before[chunk] + char_starts(&text.as_bytes()[chunk * CHUNK..offset])
    }

    /// The position of byte `offset` in `text` (the text the index was built from). Offsets
    /// past the end map to the end of the text; an offset inside a multi-byte character counts
    /// that character as started.
    pub fn position(&self, text: &str, offset: usize) -> iamwhy_diagnostic::Position {
        let offset = offset.min(text.len());
        // Lines after the first that start at or before the offset: the offset's line is
        // the one after them (0-based).
        let line = self.line_starts.partition_point(|&s| s as usize <= offset);
        let start = match line {
            0 => 0,
            n => self.line_starts[n - 1] as usize,
        };
        iamwhy_diagnostic::Position {
            line: line as u32 + 1,
            column: self.chars_to(text, offset) - self.chars_to(text, start) + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamwhy_diagnostic::{LineIndex, Position};

    /// Every byte offset (and one past the end) gets the position the plain count gives.
    fn agrees_with_counting(text: &str) {
        let fast = SourceLines::new(text);
        let slow = LineIndex::new(text);
        for offset in 0..=text.len() + 1 {
            assert_eq!(
                fast.position(text, offset),
                slow.position(text, offset),
                "offset {offset} of {text:?}"
            );
        }
    }

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\n\u{e9}x\r\nz";
        let idx = SourceLines::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 8), Position { line: 3, column: 1 });
        assert_eq!(idx.position(text, 100), Position { line: 3, column: 2 });
        agrees_with_counting(text);
    }

    #[test]
    fn positions_in_minified_ascii_text_are_byte_columns() {
        let stmt = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
        let text = format!(r#"{{"Statement":[{}]}}"#, vec![stmt; 50].join(","));
        let idx = SourceLines::new(&text);
        let at = text.rfind("{\"Effect").unwrap();
        assert_eq!(
            idx.position(&text, at),
            Position {
                line: 1,
                column: at as u32 + 1
            }
        );
        agrees_with_counting(&text);
    }

    #[test]
    fn positions_in_long_non_ascii_lines_count_characters_across_checkpoints() {
        // Two-, three- and four-byte characters, on lines longer than several chunks, so that
        // checkpoints fall inside characters and lines start inside chunks.
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!(
                r#"{{"Sid":"é{i}","Condition":{{"StringEquals":{{"k":"日本語🙂"}}}}}},"#
            ));
            if i % 13 == 12 {
                text.push_str("\r\n  ");
            }
        }
        assert!(text.len() > 4 * CHUNK);
        agrees_with_counting(&text);
        let idx = SourceLines::new(&text);
        let at = text.find("\"é1\"").unwrap();
        let expected = text[..at].chars().count() as u32 + 1;
        assert_eq!(
            idx.position(&text, at),
            Position {
                line: 1,
                column: expected
            }
        );
    }

    #[test]
    fn an_empty_text_has_one_position() {
        let idx = SourceLines::new("");
        assert_eq!(idx.position("", 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position("", 9), Position { line: 1, column: 1 });
    }
}
