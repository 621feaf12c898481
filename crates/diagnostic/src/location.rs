//! Byte spans and human positions (1-based line and column).
//!
//! Column convention: a column counts **Unicode scalar values** (characters) from the start of
//! the line, starting at 1. A tab counts as one column. A statement's start position is the
//! position of its opening `{`; its end position is the position just past its closing `}`.
//! This is the convention used everywhere iamwhy reports a location (see docs/positions.md).

use serde::Serialize;

/// A half-open byte range `[start, end)` in a policy's (decoded) source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset just past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` byte offsets.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A 1-based line and column (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Maps byte offsets of one text to [`Position`]s.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index the line starts of `text` (a line ends at `\n`; `\r\n` counts as one ending).
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            }
        }
        LineIndex { line_starts }
    }

    /// The position of byte `offset` in `text` (the same text the index was built from).
    /// Offsets past the end map to the end of the text.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(exact) => exact,
            Err(next) => next - 1,
        };
        let line_start = self.line_starts[line] as usize;
        // Count characters between the line start and the offset; an offset inside a
        // multi-byte character counts that character as started.
        let mut column = 1u32;
        for (i, _) in text[line_start..].char_indices() {
            if line_start + i >= offset {
                break;
            }
            column += 1;
        }
        Position {
            line: line as u32 + 1,
            column,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "ab\n\u{e9}x\r\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 1), Position { line: 1, column: 2 });
        // 'x' follows a two-byte 'é': byte 5, column 2
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 8), Position { line: 3, column: 1 });
        assert_eq!(idx.position(text, 100), Position { line: 3, column: 2 });
    }
}

/// Where a value (a policy document) sits in the file it was loaded from: its byte range and
/// the line and column of its first byte. Kept by a loader so that a position inside the
/// document can later be turned into a position in the file by reading only that range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct FileSpan {
    /// Byte offset of the value's first byte in the file (after decompression).
    pub offset: u64,
    /// The value's length in bytes.
    pub len: u64,
    /// Line and column of the value's first byte.
    pub start: Position,
}
