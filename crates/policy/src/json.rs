//! A strict JSON reader (RFC 8259: no comments, trailing commas or other extensions) that the
//! policy builder pulls values from one at a time, so that a document is read straight into its
//! typed form with no intermediate tree.
//!
//! The reader hands out strings as slices of the text when they hold no escape (the common
//! case: nothing is copied until the typed document stores it), and numbers as their text. Every
//! value it reads or skips leaves its end offset in [`Reader::last_end`], so the caller can form
//! the span of a whole `"key": value` member. Nesting stops at [`MAX_DEPTH`] levels with an
//! error instead of recursing until the stack overflows.
//!
//! It is public for readers of larger JSON texts that hold policy documents (a conformance
//! case, an inventory): they pull their own structure through it and hand the reader to
//! [`crate::PolicyDocument::read_with_statements`] at a document, which is then read in place,
//! once.

use iamwhy_diagnostic::Span;
use std::borrow::Cow;

/// The deepest nesting of objects and arrays read (a policy needs 6).
pub const MAX_DEPTH: usize = 512;

/// A syntax error: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The offending text (empty at the end of the input).
    pub span: Span,
    /// One sentence, lower-case, no trailing period.
    pub message: String,
}

/// The type of the value at the reader's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `"..."`.
    String,
    /// `-1.5e3` and the like.
    Number,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// `{...}`.
    Object,
    /// `[...]`.
    Array,
}

impl Kind {
    /// How diagnostics name the type ("a string", "an object", ...).
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Boolean => "a boolean",
            Kind::Null => "null",
            Kind::Object => "an object",
            Kind::Array => "an array",
        }
    }
}

/// An object member's key: its text (unescaped) and where its opening quote is.
pub struct Key<'t> {
    /// The key's text, unescaped (borrowed from the text when it has no escape).
    pub name: Cow<'t, str>,
    /// The byte offset of its opening quote.
    pub start: usize,
}

/// The result of every reading step. The error is boxed so that a result is at most two
/// words plus its value and comes back in registers: reading steps are called per token, and
/// an error is rare (it ends the read).
pub type Read<T> = Result<T, Box<SyntaxError>>;

/// The first byte at or after `from` that ends a run of plain string text: a quote, a
/// backslash or a control character (which JSON requires escaped); `bytes.len()` if none.
///
/// Policy strings are short (an action, an ARN, a condition value), so this reads eight bytes
/// at a time with word arithmetic rather than calling a vector search per string: one pass
/// finds all three kinds of stop. For each byte `b` of a word, `(b - k) & !b & 0x80` is set
/// when `b < k` (for `k <= 0x80`), and so detects a zero byte of `w ^ c` (a byte equal to `c`)
/// with `k = 1` and a control character with `k = 0x20`. A borrow can only mark a byte above
/// the first real stop, so the lowest marked byte is exact.
fn string_stop(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, k: u8| w.wrapping_sub(ONES * u64::from(k)) & !w & HIGH;
    let mut at = from;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let stops = below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20);
        if stops != 0 {
            return at + (stops.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map_or(bytes.len(), |i| at + i)
}

/// A pull reader over one JSON text.
pub struct Reader<'t> {
    text: &'t str,
    pos: usize,
    last_end: usize,
    /// Per open container (so its length is the nesting depth): where its bracket is, and
    /// whether a member or element has been read (a comma is then due).
    open: Vec<(usize, bool)>,
}

impl<'t> Reader<'t> {
    /// A reader at the start of `text`.
    pub fn new(text: &'t str) -> Reader<'t> {
        Reader {
            text,
            pos: 0,
            last_end: 0,
            // A policy nests six levels deep at most (document, Statement list, statement,
            // Condition, operator, value list).
            open: Vec::with_capacity(8),
        }
    }

    /// The end offset of the last value read or skipped.
    pub fn last_end(&self) -> usize {
        self.last_end
    }

    /// The text from byte `offset` on (for a caller that reads a value at `offset` with
    /// another reader, then continues with [`Reader::skip_to`]).
    pub fn text_from(&self, offset: usize) -> &'t str {
        &self.text[offset.min(self.text.len())..]
    }

    /// Continue after a value that ends at byte `end`, read by other means (a nested
    /// reader over [`Reader::text_from`] the value's start): the position and
    /// [`Reader::last_end`] move there.
    pub fn skip_to(&mut self, end: usize) {
        self.pos = end.min(self.text.len());
        self.last_end = self.pos;
    }

    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// An error at the current position, covering the character there.
    #[cold]
    fn error_here(&self, message: impl Into<String>) -> Box<SyntaxError> {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Box::new(SyntaxError {
            span: Span::new(self.pos, self.pos + len),
            message: message.into(),
        })
    }

    #[cold]
    fn unexpected(&self, expected: &str) -> Box<SyntaxError> {
        match self.text[self.pos..].chars().next() {
            None => self.error_here(format!("the text ends where {expected} was expected")),
            Some(c) => self.error_here(format!("expected {expected}, found {}", describe(c))),
        }
    }

    /// Whether the input holds nothing but whitespace.
    pub fn is_empty(&mut self) -> bool {
        self.skip_whitespace();
        self.pos == self.text.len()
    }

    /// The type of the next value, without reading it.
    #[inline]
    pub fn peek(&mut self) -> Read<Kind> {
        self.skip_whitespace();
        match self.bytes().get(self.pos) {
            Some(b'"') => Ok(Kind::String),
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::Array),
            Some(b't' | b'f') => Ok(Kind::Boolean),
            Some(b'n') => Ok(Kind::Null),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            _ => Err(self.unexpected("a value")),
        }
    }

    /// The offset where the next value starts (after whitespace).
    pub fn value_start(&mut self) -> usize {
        self.skip_whitespace();
        self.pos
    }

    /// Read a string value: its text and span (quotes included).
    #[inline]
    pub fn string(&mut self) -> Read<(Cow<'t, str>, Span)> {
        self.skip_whitespace();
        let start = self.pos;
        let s = self.string_literal()?;
        Ok((s, self.span_from(start)))
    }

    /// Read a number, `true` or `false` as its text; the caller has peeked the kind.
    pub fn scalar(&mut self) -> Read<(&'t str, Span)> {
        self.skip_whitespace();
        let start = self.pos;
        match self.bytes().get(self.pos) {
            Some(b't') => self.literal("true")?,
            Some(b'f') => self.literal("false")?,
            Some(b'n') => self.literal("null")?,
            _ => self.number()?,
        }
        Ok((&self.text[start..self.pos], self.span_from(start)))
    }

    fn span_from(&mut self, start: usize) -> Span {
        self.last_end = self.pos;
        Span::new(start, self.pos)
    }

    /// Skip one value of any type, checking its syntax; returns its span.
    pub fn skip_value(&mut self) -> Read<Span> {
        let start = self.value_start();
        match self.peek()? {
            Kind::String => {
                self.string()?;
            }
            Kind::Number | Kind::Boolean | Kind::Null => {
                self.scalar()?;
            }
            Kind::Object => {
                self.begin_object()?;
                while self.next_key()?.is_some() {
                    self.skip_value()?;
                }
            }
            Kind::Array => {
                self.begin_array()?;
                while self.next_element()? {
                    self.skip_value()?;
                }
            }
        }
        Ok(self.span_from_offset(start))
    }

    fn span_from_offset(&mut self, start: usize) -> Span {
        self.last_end = self.pos;
        Span::new(start, self.pos)
    }

    #[inline]
    fn open(&mut self, bracket: u8) -> Read<usize> {
        self.skip_whitespace();
        if self.bytes().get(self.pos) != Some(&bracket) {
            return Err(self.unexpected(if bracket == b'{' { "`{`" } else { "`[`" }));
        }
        if self.open.len() == MAX_DEPTH {
            return Err(self.error_here(format!(
                "the nesting depth passes {MAX_DEPTH} levels (a policy needs 6)"
            )));
        }
        let start = self.pos;
        self.open.push((start, false));
        self.pos += 1;
        Ok(start)
    }

    /// Step past `{`; returns its offset. Then call [`Reader::next_key`] until it says `None`.
    pub fn begin_object(&mut self) -> Read<usize> {
        self.open(b'{')
    }

    /// Step past `[`; returns its offset. Then call [`Reader::next_element`] until `false`.
    pub fn begin_array(&mut self) -> Read<usize> {
        self.open(b'[')
    }

    /// Before each element after the first a comma is due; at `close` the container ends.
    /// Returns whether another item follows.
    #[inline(always)]
    fn next_item(&mut self, close: u8, what: &str) -> Read<bool> {
        self.skip_whitespace();
        let started = self.open.last().expect("inside a container").1;
        match self.bytes().get(self.pos) {
            Some(&b) if b == close => {
                self.pos += 1;
                self.open.pop();
                self.last_end = self.pos;
                Ok(false)
            }
            Some(b',') if started => {
                let comma = self.pos;
                self.pos += 1;
                self.skip_whitespace();
                if self.bytes().get(self.pos) == Some(&close) {
                    return Err(Box::new(SyntaxError {
                        span: Span::new(comma, comma + 1),
                        message: format!(
                            "a trailing comma before `{}` is not allowed in JSON",
                            close as char
                        ),
                    }));
                }
                Ok(true)
            }
            Some(_) if !started => {
                self.open.last_mut().expect("inside a container").1 = true;
                Ok(true)
            }
            _ => Err(self.item_error(close, what)),
        }
    }

    /// What is wrong where an item or the end of a container is due: the text ends (point
    /// at the container left open: that is where the closing bracket is missing), or
    /// something other than a comma follows an item.
    #[cold]
    #[inline(never)]
    fn item_error(&self, close: u8, what: &str) -> Box<SyntaxError> {
        if self.pos >= self.text.len() {
            let bracket = self.open.last().expect("inside a container").0;
            return Box::new(SyntaxError {
                span: Span::new(bracket, bracket + 1),
                message: format!(
                    "{what} is not closed: the text ends before its `{}`",
                    close as char
                ),
            });
        }
        self.unexpected(&format!("`,` or `{}`", close as char))
    }

    /// The next key of the open object (the reader is then at its value), or `None` after the
    /// closing `}`.
    #[inline]
    pub fn next_key(&mut self) -> Read<Option<Key<'t>>> {
        if !self.next_item(b'}', "this object")? {
            return Ok(None);
        }
        if self.bytes().get(self.pos) != Some(&b'"') {
            return Err(self.unexpected("a property name in double quotes"));
        }
        let start = self.pos;
        let name = self.string_literal()?;
        self.skip_whitespace();
        if self.bytes().get(self.pos) != Some(&b':') {
            return Err(self.unexpected("`:` after the property name"));
        }
        self.pos += 1;
        Ok(Some(Key { name, start }))
    }

    /// Whether the open array has another element (the reader is then at it); `false` after
    /// the closing `]`.
    #[inline]
    pub fn next_element(&mut self) -> Read<bool> {
        self.next_item(b']', "this array")
    }

    /// After the root value: only whitespace may follow.
    pub fn finish(&mut self) -> Read<()> {
        self.skip_whitespace();
        if self.pos < self.text.len() {
            return Err(self.unexpected("the end of the text after the JSON value"));
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Read<()> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.unexpected(
                "a value (`true`, `false`, `null`, a number, a string, an object or an array)",
            ))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes().get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Read<()> {
        if self.bytes().get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes().get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                if self.bytes().get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error_here("a number in JSON cannot have a leading zero"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected("a digit")),
        }
        if self.bytes().get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes().get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes().get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// A string literal at the position (which is at its opening quote): borrowed when it
    /// holds no escape.
    #[inline(always)]
    fn string_literal(&mut self) -> Read<Cow<'t, str>> {
        let start = self.pos + 1;
        // Jump to the first quote, backslash or control character: what lies before is plain
        // text. Most strings end there.
        let stop = string_stop(self.bytes(), start);
        if self.bytes().get(stop) == Some(&b'"') {
            self.pos = stop + 1;
            return Ok(Cow::Borrowed(&self.text[start..stop]));
        }
        self.pos = stop;
        self.string_with_escapes(start - 1)
    }

    /// The rest of the string literal whose opening quote is at `open`, the position being
    /// where its plain text first stops at something other than the closing quote: an
    /// escape, a control character or the end of the text. Kept out of
    /// [`Reader::string_literal`], which every string passes through.
    #[cold]
    #[inline(never)]
    fn string_with_escapes(&mut self, open: usize) -> Read<Cow<'t, str>> {
        let bytes = self.bytes();
        let mut chunk = open + 1;
        let mut owned = String::new();
        loop {
            match bytes.get(self.pos) {
                None => {
                    return Err(Box::new(SyntaxError {
                        span: Span::new(open, self.pos),
                        message: "the string is not terminated (no closing `\"`)".into(),
                    }));
                }
                Some(b'"') => {
                    owned.push_str(&self.text[chunk..self.pos]);
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    owned.push_str(&self.text[chunk..self.pos]);
                    self.escape(&mut owned)?;
                    chunk = self.pos;
                }
                Some(_) => {
                    return Err(self.error_here(
                        "a control character (such as a line break) must be escaped inside a string",
                    ));
                }
            }
            self.pos = string_stop(bytes, self.pos);
        }
    }

    /// One escape sequence at the position (at its backslash), appended to `out`.
    fn escape(&mut self, out: &mut String) -> Read<()> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.bytes().get(self.pos) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4(start)?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    if !self.text[self.pos..].starts_with("\\u") {
                        return Err(self.bad_escape(start, "a lone surrogate"));
                    }
                    self.pos += 2;
                    let low = self.hex4(start)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.bad_escape(start, "a lone surrogate"));
                    }
                    char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                } else {
                    char::from_u32(high)
                };
                let Some(c) = c else {
                    return Err(self.bad_escape(start, "a lone surrogate"));
                };
                out.push(c);
                return Ok(());
            }
            _ => return Err(self.bad_escape(start, "not a JSON escape")),
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_start: usize) -> Read<u32> {
        let digits = self.text.get(self.pos..self.pos + 4);
        match digits.and_then(|d| {
            d.bytes()
                .all(|b| b.is_ascii_hexdigit())
                .then(|| u32::from_str_radix(d, 16).ok())
                .flatten()
        }) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.bad_escape(escape_start, "`\\u` needs four hexadecimal digits")),
        }
    }

    fn bad_escape(&self, start: usize, why: &str) -> Box<SyntaxError> {
        let end = (self.pos + 1).min(self.text.len());
        let end = (end..=self.text.len())
            .find(|&e| self.text.is_char_boundary(e))
            .unwrap_or(self.text.len());
        Box::new(SyntaxError {
            span: Span::new(start, end),
            message: format!(
                "invalid escape `{}` in a string: {why}",
                &self.text[start..end]
            ),
        })
    }
}

/// A character as an error message shows it.
fn describe(c: char) -> String {
    match c {
        '\n' => "a line break".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Read<()> {
        let mut r = Reader::new(text);
        r.skip_value()?;
        r.finish()
    }

    #[test]
    fn valid_json_of_every_kind_is_read() {
        for text in [
            r#"{"a":[1,-0.5e+3,true,false,null,"x\u00e9\ud83d\ude00\n"],"b":{}}"#,
            "[]",
            " \t\r\n\"s\" ",
            "0",
            "-12.25E-2",
        ] {
            assert_eq!(read_all(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn extensions_and_malformed_json_are_errors_with_a_location() {
        for (text, at, needle) in [
            ("[1,]", 2, "trailing comma"),
            ("{\"a\":1,}", 6, "trailing comma"),
            ("// c\n{}", 0, "expected a value"),
            ("{a:1}", 1, "property name"),
            ("['a']", 1, "expected a value"),
            ("[01]", 2, "leading zero"),
            ("[1.]", 3, "decimal point"),
            ("[0x1]", 2, "`,` or `]`"),
            ("[+1]", 1, "expected a value"),
            ("[NaN]", 1, "expected a value"),
            ("{\"a\" 1}", 5, "`:`"),
            ("{\"a\":1 \"b\":2}", 7, "`,` or `}`"),
            ("[1 2]", 3, "`,` or `]`"),
            ("[\"a\nb\"]", 3, "control character"),
            ("[\"\\x\"]", 2, "invalid escape"),
            ("[\"\\ud800\"]", 2, "lone surrogate"),
            ("[\"\\u12\"]", 2, "four hexadecimal"),
            ("[\"abc", 1, "not terminated"),
            ("[1", 0, "array is not closed"),
            ("{\"a\":[{}", 5, "array is not closed"),
            ("{}{}", 2, "end of the text"),
            ("", 0, "ends where a value"),
            ("tru", 0, "expected a value"),
        ] {
            let e = read_all(text).unwrap_err();
            assert_eq!(e.span.start, at, "{text}: {e:?}");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed_and_escapes_are_decoded() {
        let mut r = Reader::new(r#"["plain", "a\"b\\c\/\t\u0041"]"#);
        r.begin_array().unwrap();
        assert!(r.next_element().unwrap());
        let (s, span) = r.string().unwrap();
        assert!(matches!(s, Cow::Borrowed("plain")));
        assert_eq!(span, Span::new(1, 8));
        assert!(r.next_element().unwrap());
        let (s, _) = r.string().unwrap();
        assert_eq!(s, "a\"b\\c/\tA");
        assert!(!r.next_element().unwrap());
        assert_eq!(r.last_end(), 30);
    }

    /// The word-at-a-time stop finder agrees with a byte-by-byte scan, for every start and
    /// length, on bytes next to each stop (`!`, `#`, `[`, `]`, 0x1F/0x20, 0x7F/0x80, 0xA2 and
    /// 0xDC, the stops with the high bit set) in every position of a word.
    #[test]
    fn the_word_at_a_time_string_scan_stops_where_a_byte_scan_does() {
        let alphabet = [
            b'a', b'"', b'\\', 0x00, 0x1F, 0x20, b'!', b'#', b'[', b']', 0x7F, 0x80, 0xA2, 0xDC,
            0xFF,
        ];
        let naive = |bytes: &[u8], from: usize| {
            bytes[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .map_or(bytes.len(), |i| from + i)
        };
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        // Mostly plain text, so that stops land at every offset of a word.
                        if state.is_multiple_of(4) {
                            alphabet[(state >> 8) as usize % alphabet.len()]
                        } else {
                            b'a' + (state >> 8) as u8 % 26
                        }
                    })
                    .collect();
                for from in 0..=len {
                    assert_eq!(
                        string_stop(&bytes, from),
                        naive(&bytes, from),
                        "{bytes:?} from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error_not_a_stack_overflow() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = read_all(&text).unwrap_err();
        assert!(e.message.contains("nesting depth"), "{}", e.message);
        assert_eq!(e.span.start as usize, MAX_DEPTH);
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(read_all(&ok), Ok(()));
    }

    #[test]
    fn non_ascii_text_is_never_cut_inside_a_character() {
        for text in ["[\"é", "[é]", "[\"\\é\"]", "{\"a\"é}"] {
            let e = read_all(text).unwrap_err();
            assert!(text.is_char_boundary(e.span.start as usize));
            assert!(text.is_char_boundary(e.span.end as usize));
        }
    }
}
