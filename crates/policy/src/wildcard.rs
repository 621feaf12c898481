//! Linear-time IAM wildcard matching: `*` matches any run of characters (including none), `?`
//! exactly one character, everything else is literal. Matching is anchored at both ends.
//!
//! No regular expression is ever built from policy text. A pattern is split at its `*`s into
//! pieces; the first piece must match at the start, the last at the end, and each middle piece
//! is found leftmost-first after the previous one (which is optimal: the stars between pieces
//! absorb everything else). A piece without `?` is found with `memchr::memmem` (two-way search,
//! linear); a piece with `?` is found with a bit-parallel shift-and scan over characters. The
//! total cost is O(text + pattern) for literal pieces and O(text · ⌈piece/64⌉) for pieces that
//! contain `?` — never exponential, never quadratic in the common case.
//!
//! Case-insensitive matching is done by the caller folding both sides (see
//! [`Wildcard::compile_folded`]); the matcher itself compares characters exactly.

use crate::inline::InlineStr;
use memchr::memmem;

/// One token of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A literal character (including a literal `*` or `?` produced by `${*}`, `${?}` or a
    /// substituted variable value).
    Char(char),
    /// `?`: exactly one character.
    AnyChar,
    /// `*`: any run of characters.
    AnyRun,
}

/// Split pattern text into tokens: `*` and `?` are wildcards, everything else literal.
pub fn tokens(pattern: &str) -> impl Iterator<Item = Token> + '_ {
    pattern.chars().map(|c| match c {
        '*' => Token::AnyRun,
        '?' => Token::AnyChar,
        c => Token::Char(c),
    })
}

/// Whether `text` contains an IAM wildcard character (`*` or `?`).
pub fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?'])
}

/// A compiled wildcard pattern.
#[derive(Debug, Clone)]
pub struct Wildcard {
    /// The text the shape's ranges refer to: the pattern itself for a pattern compiled from
    /// text (inline when short, so a short pattern compiles without allocating); empty for
    /// shapes that keep their own pieces (`Whole`, `Glob`, `AtLeast`).
    text: InlineStr,
    shape: Shape,
}

/// The structure of a pattern, without its text: literal pieces are ranges of a text kept
/// elsewhere (a [`Wildcard`]'s own, or an ARN pattern's joined fields), so that several
/// patterns can share one text.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    /// No wildcard at all: plain string equality with the text.
    Exact,
    /// No `*`, but at least one `?`: one piece that must cover the whole text.
    Whole(Box<Piece>),
    /// Only `*` and `?`, at least one `*`: any text of at least this many characters.
    AtLeast(usize),
    /// One `*`, at the end (byte `end` of the text), and no `?` (`Get*`, `bucket/*`):
    /// `text[..end]` must start the matched text. The most common pattern, checked on every
    /// candidate statement, so it skips the general case's bookkeeping.
    Prefix(u32),
    /// At least one `*` and no `?` (`s3:*Object`, `arn:…:bucket/*/logs/*`): pieces as ranges
    /// of the text.
    Stars(Stars),
    /// At least one `*` and at least one `?`.
    Glob(Box<Glob>),
}

/// `head*middle…*tail` with literal pieces, held as ranges of the pattern's text.
#[derive(Debug, Clone)]
pub(crate) struct Stars {
    /// `text[..head_end]` must start the matched text.
    head_end: u32,
    /// `text[tail_start..]` must end it.
    tail_start: u32,
    /// The non-empty pieces between, each found leftmost-first after the previous one (empty,
    /// and not allocated, for the common single-star pattern).
    middle: Box<[Middle]>,
}

/// A literal piece between two stars.
#[derive(Debug, Clone)]
struct Middle {
    start: u32,
    end: u32,
    /// memmem finder, for pieces longer than one byte (one byte: memchr).
    finder: Option<Box<memmem::Finder<'static>>>,
}

impl Middle {
    fn new(text: &[u8], start: usize, end: usize) -> Middle {
        let needle = &text[start..end];
        Middle {
            start: start as u32,
            end: end as u32,
            finder: (needle.len() > 1).then(|| Box::new(memmem::Finder::new(needle).into_owned())),
        }
    }
}

impl Stars {
    /// From the ranges of the pieces in `text` (at least two: head and tail).
    fn new(text: &[u8], ranges: &[(usize, usize)]) -> Stars {
        let (&(_, head_end), &(tail_start, _)) = (ranges.first().unwrap(), ranges.last().unwrap());
        let middle = ranges[1..ranges.len() - 1]
            .iter()
            .filter(|(a, b)| a < b)
            .map(|&(a, b)| Middle::new(text, a, b))
            .collect();
        Stars {
            head_end: head_end as u32,
            tail_start: tail_start as u32,
            middle,
        }
    }

    /// For a pattern text with at least one `*` and no `?`: `first` and `last` are the byte
    /// offsets of its first and last `*`.
    fn of_pattern(pattern: &[u8], first: usize, last: usize) -> Stars {
        let mut middle = Vec::new();
        if last > first {
            let mut start = first + 1;
            for (i, &b) in pattern.iter().enumerate().take(last + 1).skip(first + 1) {
                if b == b'*' {
                    if i > start {
                        middle.push(Middle::new(pattern, start, i));
                    }
                    start = i + 1;
                }
            }
        }
        Stars {
            head_end: first as u32,
            tail_start: last as u32 + 1,
            middle: middle.into_boxed_slice(),
        }
    }

    fn matches(&self, pattern: &[u8], text: &str) -> bool {
        let head = &pattern[..self.head_end as usize];
        let tail = &pattern[self.tail_start as usize..];
        let t = text.as_bytes();
        if !t.starts_with(head) || !t.ends_with(tail) || t.len() < head.len() + tail.len() {
            return false;
        }
        // Byte search is character-exact: a UTF-8 needle found in UTF-8 text starts and ends
        // on character boundaries.
        let region = &t[..t.len() - tail.len()];
        let mut pos = head.len();
        for m in &self.middle {
            let needle = &pattern[m.start as usize..m.end as usize];
            let found = match &m.finder {
                Some(f) => f.find(&region[pos..]),
                None => memchr::memchr(needle[0], &region[pos..]),
            };
            match found {
                Some(at) => pos += at + needle.len(),
                None => return false,
            }
        }
        true
    }
}

impl Shape {
    /// The shape of pattern text where `*` and `?` are wildcards; its ranges refer to
    /// `pattern`. One pass over the bytes finds the stars and question marks.
    pub(crate) fn of(pattern: &str) -> Shape {
        let (mut star, mut question) = (false, false);
        for &c in pattern.as_bytes() {
            star |= c == b'*';
            question |= c == b'?';
        }
        Shape::of_with(pattern, star, question)
    }

    /// [`Shape::of`] when the caller knows whether the pattern has a `*` and a `?`.
    pub(crate) fn of_with(pattern: &str, star: bool, question: bool) -> Shape {
        if question {
            let toks: Vec<Token> = tokens(pattern).collect();
            return Shape::of_glob(&toks);
        }
        Shape::of_stars(pattern.as_bytes(), star)
    }

    /// [`Shape::of`] of a pattern without `?`.
    fn of_stars(b: &[u8], star: bool) -> Shape {
        if !star {
            return Shape::Exact;
        }
        // Short texts: plain loops beat memchr's set-up.
        let first = b.iter().position(|&c| c == b'*').expect("has a star");
        let last = b.iter().rposition(|&c| c == b'*').expect("has a star");
        if first == 0 && last + 1 == b.len() && b.iter().all(|&c| c == b'*') {
            return Shape::AtLeast(0);
        }
        if first == last && last + 1 == b.len() {
            return Shape::Prefix(first as u32);
        }
        Shape::Stars(Stars::of_pattern(b, first, last))
    }

    /// The shape of tokens with at least one `?` (`AnyChar`): it keeps its own pieces.
    fn of_glob(toks: &[Token]) -> Shape {
        let has_run = toks.contains(&Token::AnyRun);
        if !has_run {
            return Shape::Whole(Box::new(Piece::new(toks, false)));
        }
        if toks.iter().all(|t| !matches!(t, Token::Char(_))) {
            let at_least = toks.iter().filter(|t| **t == Token::AnyChar).count();
            return Shape::AtLeast(at_least);
        }
        let count = toks.split(|t| *t == Token::AnyRun).count();
        let mut pieces: Vec<Piece> = toks
            .split(|t| *t == Token::AnyRun)
            .enumerate()
            .map(|(i, p)| Piece::new(p, i > 0 && i + 1 < count))
            .collect();
        let tail = pieces.pop().expect("split yields at least one piece");
        let head = pieces.remove(0);
        // Empty middle pieces (from `**`) match anywhere; drop them.
        pieces.retain(|p| !p.is_empty());
        Shape::Glob(Box::new(Glob {
            head,
            middle: pieces,
            tail,
        }))
    }

    /// Whether the shape holds its own text (the pattern's text is then not needed).
    fn self_contained(&self) -> bool {
        matches!(self, Shape::Whole(_) | Shape::AtLeast(_) | Shape::Glob(_))
    }

    /// Does the whole of `text` match, `pattern` being the text the shape was built from?
    pub(crate) fn matches(&self, pattern: &[u8], text: &str) -> bool {
        match self {
            Shape::Exact => pattern == text.as_bytes(),
            Shape::Whole(piece) => piece.match_prefix(text) == Some(text.len()),
            Shape::AtLeast(n) => {
                *n == 0 || (text.len() >= *n && text.chars().nth(*n - 1).is_some())
            }
            Shape::Prefix(end) => text.as_bytes().starts_with(&pattern[..*end as usize]),
            Shape::Stars(s) => s.matches(pattern, text),
            Shape::Glob(g) => {
                let Glob { head, middle, tail } = &**g;
                let Some(mut pos) = head.match_prefix(text) else {
                    return false;
                };
                let Some(tail_start) = tail.match_suffix(text) else {
                    return false;
                };
                if tail_start < pos {
                    return false;
                }
                let region = &text[..tail_start];
                for piece in middle {
                    match piece.find(&region[pos..]) {
                        Some((_, end)) => pos += end,
                        None => return false,
                    }
                }
                true
            }
        }
    }
}

/// The pieces around the stars: `head*middle…*tail`.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    head: Piece,
    middle: Vec<Piece>,
    tail: Piece,
}

/// A run of the pattern between stars: literal characters and `?` positions.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// The characters; positions holding `?` keep a placeholder that is never compared.
    chars: Vec<char>,
    /// The same text as UTF-8, used when the piece has no `?`.
    text: Box<str>,
    /// Bit i set ⇔ chars\[i\] is `?`. Empty when the piece has none.
    any_mask: Vec<u64>,
    /// memmem finder for literal pieces.
    finder: Option<Box<memmem::Finder<'static>>>,
    /// For pieces with `?`: each distinct literal character with the bit mask of the positions
    /// that hold it, sorted by character (binary-searched per text character).
    char_masks: Vec<(char, Vec<u64>)>,
}

impl Piece {
    /// `searches`: whether the piece is a middle one, found anywhere (head and tail pieces are
    /// only compared at the ends, and need no finder).
    fn new(toks: &[Token], searches: bool) -> Piece {
        let mut chars = Vec::with_capacity(toks.len());
        let mut any_mask = Vec::new();
        for (i, t) in toks.iter().enumerate() {
            match t {
                Token::Char(c) => chars.push(*c),
                Token::AnyChar => {
                    if any_mask.is_empty() {
                        any_mask = vec![0u64; toks.len().div_ceil(64)];
                    }
                    any_mask[i / 64] |= 1 << (i % 64);
                    chars.push('\0');
                }
                Token::AnyRun => unreachable!("pieces never contain stars"),
            }
        }
        let text: Box<str> = chars.iter().collect::<String>().into_boxed_str();
        let finder = (searches && any_mask.is_empty() && !text.is_empty())
            .then(|| Box::new(memmem::Finder::new(text.as_bytes()).into_owned()));
        let mut char_masks: Vec<(char, Vec<u64>)> = Vec::new();
        if !any_mask.is_empty() {
            let words = toks.len().div_ceil(64);
            for (i, t) in toks.iter().enumerate() {
                if let Token::Char(c) = t {
                    let slot = match char_masks.binary_search_by_key(c, |(k, _)| *k) {
                        Ok(found) => found,
                        Err(insert) => {
                            char_masks.insert(insert, (*c, vec![0u64; words]));
                            insert
                        }
                    };
                    char_masks[slot].1[i / 64] |= 1 << (i % 64);
                }
            }
        }
        Piece {
            chars,
            text,
            any_mask,
            finder,
            char_masks,
        }
    }

    fn is_any(&self, i: usize) -> bool {
        !self.any_mask.is_empty() && self.any_mask[i / 64] & (1 << (i % 64)) != 0
    }

    fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// If the piece matches at the start of `text`, the byte length it covers.
    fn match_prefix(&self, text: &str) -> Option<usize> {
        if self.any_mask.is_empty() {
            return text
                .as_bytes()
                .starts_with(self.text.as_bytes())
                .then_some(self.text.len());
        }
        let mut it = text.char_indices();
        for (i, pc) in self.chars.iter().enumerate() {
            let (_, tc) = it.next()?;
            if !self.is_any(i) && *pc != tc {
                return None;
            }
        }
        Some(it.next().map_or(text.len(), |(at, _)| at))
    }

    /// If the piece matches at the end of `text`, the byte offset where that match starts.
    fn match_suffix(&self, text: &str) -> Option<usize> {
        if self.any_mask.is_empty() {
            return text
                .as_bytes()
                .ends_with(self.text.as_bytes())
                .then(|| text.len() - self.text.len());
        }
        // Walk back as many characters as the piece has.
        let mut start = text.len();
        let mut back = text.char_indices().rev();
        for _ in 0..self.chars.len() {
            start = back.next()?.0;
        }
        self.match_prefix(&text[start..])
            .filter(|len| start + len == text.len())
            .map(|_| start)
    }

    /// Leftmost occurrence in `text`: (start, end) byte offsets.
    fn find(&self, text: &str) -> Option<(usize, usize)> {
        if let Some(finder) = &self.finder {
            return finder
                .find(text.as_bytes())
                .map(|at| (at, at + self.text.len()));
        }
        if self.chars.is_empty() {
            return Some((0, 0));
        }
        self.find_shift_and(text)
    }

    /// [`Piece::find_shift_and`] for pieces of at most 64 characters: the state fits one
    /// machine word, so the scan allocates nothing.
    fn find_shift_and_one_word(&self, text: &str) -> Option<(usize, usize)> {
        let m = self.chars.len();
        let last_bit = 1u64 << (m - 1);
        let any = self.any_mask[0];
        let mut state = 0u64;
        for (at, c) in text.char_indices() {
            let mut mask = any;
            if let Ok(found) = self.char_masks.binary_search_by_key(&c, |(k, _)| *k) {
                mask |= self.char_masks[found].1[0];
            }
            state = ((state << 1) | 1) & mask;
            if state & last_bit != 0 {
                let end = at + c.len_utf8();
                let mut start = end;
                let mut back = text[..end].char_indices().rev();
                for _ in 0..m {
                    start = back.next().map_or(0, |(i, _)| i);
                }
                return Some((start, end));
            }
        }
        None
    }

    /// Bit-parallel (shift-and) search for a piece containing `?`: state bit i is set when the
    /// first i+1 pattern characters match the text ending at the current character.
    fn find_shift_and(&self, text: &str) -> Option<(usize, usize)> {
        let m = self.chars.len();
        if m <= 64 {
            return self.find_shift_and_one_word(text);
        }
        let words = m.div_ceil(64);
        let last_word = (m - 1) / 64;
        let last_bit = 1u64 << ((m - 1) % 64);
        let mut state = vec![0u64; words];
        let mut mask = vec![0u64; words];
        for (at, c) in text.char_indices() {
            // mask = positions where the pattern accepts c: every `?`, plus where c stands
            mask.copy_from_slice(&self.any_mask);
            if let Ok(found) = self.char_masks.binary_search_by_key(&c, |(k, _)| *k) {
                for (slot, bits) in mask.iter_mut().zip(&self.char_masks[found].1) {
                    *slot |= bits;
                }
            }
            // state = ((state << 1) | 1) & mask
            let mut carry = 1u64;
            for w in 0..words {
                let next_carry = state[w] >> 63;
                state[w] = ((state[w] << 1) | carry) & mask[w];
                carry = next_carry;
            }
            if state[last_word] & last_bit != 0 {
                let end = at + c.len_utf8();
                let mut start = end;
                let mut back = text[..end].char_indices().rev();
                for _ in 0..m {
                    start = back.next().map_or(0, |(i, _)| i);
                }
                return Some((start, end));
            }
        }
        None
    }
}

impl Wildcard {
    /// Compile pattern text where `*` and `?` are wildcards. Case-sensitive.
    pub fn compile(pattern: &str) -> Wildcard {
        Wildcard::with_text(Shape::of(pattern), || InlineStr::new(pattern))
    }

    /// [`Wildcard::compile`] of a pattern the caller has built (a lowercased copy): its
    /// allocation becomes the wildcard's text instead of being copied.
    pub fn compile_owned(pattern: String) -> Wildcard {
        let shape = Shape::of(&pattern);
        Wildcard::with_text(shape, || InlineStr::from_string(pattern))
    }

    /// The wildcard of `shape`, with the text it refers to (none for a self-contained shape).
    fn with_text(shape: Shape, text: impl FnOnce() -> InlineStr) -> Wildcard {
        Wildcard {
            text: if shape.self_contained() {
                InlineStr::default()
            } else {
                text()
            },
            shape,
        }
    }

    /// Compile for case-insensitive use: the pattern is lowercased; the caller must lowercase
    /// the text it matches (`str::to_lowercase`).
    pub fn compile_folded(pattern: &str) -> Wildcard {
        if pattern.is_ascii() {
            return Wildcard::compile_ascii_folded(
                pattern,
                pattern.bytes().any(|b| b.is_ascii_uppercase()),
            );
        }
        Wildcard::compile_owned(pattern.to_lowercase())
    }

    /// [`Wildcard::compile_folded`] of an ASCII pattern whose caller already knows whether it
    /// has an uppercase letter (ASCII lowercasing is `str::to_lowercase` on ASCII text).
    pub(crate) fn compile_ascii_folded(pattern: &str, has_upper: bool) -> Wildcard {
        let (mut star, mut question) = (false, false);
        for &c in pattern.as_bytes() {
            star |= c == b'*';
            question |= c == b'?';
        }
        Wildcard::compile_ascii_folded_with(pattern, has_upper, star, question)
    }

    /// [`Wildcard::compile_ascii_folded`] when the caller also knows whether the pattern has a
    /// `*` and a `?` (the action parser's one pass over the text tells it all four).
    pub(crate) fn compile_ascii_folded_with(
        pattern: &str,
        has_upper: bool,
        star: bool,
        question: bool,
    ) -> Wildcard {
        debug_assert!(pattern.is_ascii());
        if question {
            // The pieces hold characters: built from the lowercased text.
            let lower = pattern.to_ascii_lowercase();
            return Wildcard::with_text(Shape::of(&lower), || InlineStr::from_string(lower));
        }
        let text = if has_upper {
            InlineStr::ascii_lowercase(pattern)
        } else {
            InlineStr::new(pattern)
        };
        // From the lowercased bytes: middle pieces build their finders from them.
        let shape = Shape::of_stars(text.as_bytes(), star);
        Wildcard::with_text(shape, || text)
    }

    /// Compile from tokens (used when parts of the pattern are literal text that may contain
    /// `*` or `?`, such as substituted policy variables).
    pub fn from_tokens(toks: impl IntoIterator<Item = Token>) -> Wildcard {
        let toks: Vec<Token> = toks.into_iter().collect();
        if toks.contains(&Token::AnyChar) {
            return Wildcard {
                text: InlineStr::default(),
                shape: Shape::of_glob(&toks),
            };
        }
        // Literal pieces (a `*` or `?` among them is a literal character, from `${*}` or a
        // substituted value): one text, pieces as ranges of it.
        let mut text = String::with_capacity(toks.len());
        let mut ranges = Vec::new();
        let mut start = 0;
        for t in &toks {
            match t {
                Token::Char(c) => text.push(*c),
                _ => {
                    ranges.push((start, text.len()));
                    start = text.len();
                }
            }
        }
        let shape = if ranges.is_empty() {
            Shape::Exact
        } else if text.is_empty() {
            Shape::AtLeast(0)
        } else {
            ranges.push((start, text.len()));
            Shape::Stars(Stars::new(text.as_bytes(), &ranges))
        };
        Wildcard {
            text: if shape.self_contained() {
                InlineStr::default()
            } else {
                InlineStr::from_string(text)
            },
            shape,
        }
    }

    /// True when the pattern is exactly `*` (or a run of stars): it matches everything.
    pub fn is_match_all(&self) -> bool {
        matches!(self.shape, Shape::AtLeast(0))
    }

    /// True when the pattern contains no wildcard.
    pub fn is_literal(&self) -> bool {
        matches!(self.shape, Shape::Exact)
    }

    /// The literal text of a pattern without wildcards.
    pub fn as_literal(&self) -> Option<&str> {
        match &self.shape {
            Shape::Exact => Some(&self.text),
            _ => None,
        }
    }

    /// Does the whole of `text` match the pattern?
    pub fn matches(&self, text: &str) -> bool {
        self.shape.matches(self.text.as_bytes(), text)
    }
}

/// Match resolved tokens against `text` without compiling a [`Wildcard`]: for values that
/// change per request (patterns with policy variables). Same algorithm and the same linear
/// bound for pieces without `?` (found with `memchr::memmem`); a middle piece with `?` falls
/// back to compiling, which keeps the bit-parallel scan.
pub fn matches_tokens(toks: &[Token], text: &str) -> bool {
    let Some(first_run) = toks.iter().position(|t| *t == Token::AnyRun) else {
        return prefix_len(toks, text) == Some(text.len());
    };
    let last_run = toks
        .iter()
        .rposition(|t| *t == Token::AnyRun)
        .unwrap_or(first_run);
    let head = &toks[..first_run];
    let tail = &toks[last_run + 1..];
    let Some(mut pos) = prefix_len(head, text) else {
        return false;
    };
    let Some(tail_start) = suffix_start(tail, text) else {
        return false;
    };
    if tail_start < pos {
        return false;
    }
    let middle = &toks[first_run + 1..last_run.max(first_run + 1)];
    if middle.contains(&Token::AnyChar) {
        return Wildcard::from_tokens(toks.iter().copied()).matches(text);
    }
    let region = &text.as_bytes()[..tail_start];
    let mut needle: Vec<u8> = Vec::new();
    for piece in middle.split(|t| *t == Token::AnyRun) {
        if piece.is_empty() {
            continue;
        }
        needle.clear();
        let mut buf = [0u8; 4];
        for t in piece {
            if let Token::Char(c) = t {
                needle.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        match memmem::find(&region[pos..], &needle) {
            Some(at) => pos += at + needle.len(),
            None => return false,
        }
    }
    true
}

/// Byte length of the match of a star-free token run at the start of `text`.
fn prefix_len(toks: &[Token], text: &str) -> Option<usize> {
    let mut it = text.char_indices();
    for t in toks {
        let (_, c) = it.next()?;
        if let Token::Char(p) = t
            && *p != c
        {
            return None;
        }
    }
    Some(it.next().map_or(text.len(), |(at, _)| at))
}

/// Start of the match of a star-free token run at the end of `text`.
fn suffix_start(toks: &[Token], text: &str) -> Option<usize> {
    let mut start = text.len();
    let mut back = text.char_indices().rev();
    for _ in 0..toks.len() {
        start = back.next()?.0;
    }
    (prefix_len(toks, &text[start..]) == Some(text.len() - start)).then_some(start)
}

#[cfg(test)]
mod tests {

    #[test]
    fn literal_stars_from_substituted_values_stay_literal_in_star_patterns() {
        // `a${*}*b`: a literal '*' then a wildcard run.
        let toks = [
            Token::Char('a'),
            Token::Char('*'),
            Token::AnyRun,
            Token::Char('b'),
        ];
        let w = Wildcard::from_tokens(toks);
        assert!(w.matches("a*xyzb"));
        assert!(w.matches("a*b"));
        assert!(!w.matches("axyzb"));
        // Middle pieces of one byte (memchr) and longer (memmem), and non-ASCII text.
        let w = Wildcard::compile("é*/*ab*z");
        assert!(w.matches("éx/yabz"));
        assert!(w.matches("é/abz"));
        assert!(!w.matches("éabz"));
        assert!(!w.matches("é/az"));
        // Head and tail must not overlap.
        assert!(!Wildcard::compile("ab*ba").matches("aba"));
        assert!(Wildcard::compile("ab*ba").matches("abba"));
    }
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Wildcard::compile(p).matches(t)
    }

    /// `text*` (one star, at the end) is compiled to a prefix test, which must agree with the
    /// same pattern matched as tokens, on ASCII and multi-byte text.
    #[test]
    fn a_trailing_star_pattern_matches_as_a_prefix_like_the_token_matcher() {
        let patterns = ["get*", "bucket/*", "é*", "a*", "ab*c*", "*a", "a**"];
        let texts = [
            "",
            "get",
            "getobject",
            "Get",
            "bucket/",
            "bucket/x/y",
            "é",
            "éx",
            "e",
            "a",
            "ab",
            "abc",
            "ba",
        ];
        for p in patterns {
            let w = Wildcard::compile(p);
            let one_trailing_star = p.ends_with('*') && p.matches('*').count() == 1;
            assert_eq!(
                matches!(w.shape, Shape::Prefix(_)),
                one_trailing_star,
                "{p}: a prefix test exactly when its one star ends it"
            );
            for t in texts {
                assert_eq!(
                    w.matches(t),
                    matches_tokens(&tokens(p).collect::<Vec<_>>(), t),
                    "{p} {t}"
                );
            }
        }
    }

    #[test]
    fn star_matches_any_run_including_empty() {
        assert!(m("*", ""));
        assert!(m("*", "anything/at:all"));
        assert!(m("a*", "a"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abbb"));
    }

    #[test]
    fn question_mark_matches_exactly_one_character() {
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(!m("a?c", "abbc"));
        assert!(m("a?c", "a\u{e9}c"), "one character even when multi-byte");
    }

    #[test]
    fn matching_is_anchored_at_both_ends() {
        assert!(!m("abc", "xabc"));
        assert!(!m("abc", "abcx"));
        assert!(!m("a*b", "xab"));
    }

    #[test]
    fn middle_pieces_are_found_left_to_right_without_overlap() {
        assert!(m("*ab*ab*", "abab"));
        assert!(!m("*aba*aba*", "ababa"));
        assert!(m("a*b?d*e", "aXbcdYe"));
        assert!(m("*?b*", "ab"));
        assert!(!m("*?b*", "b"));
    }

    #[test]
    fn head_and_tail_must_not_overlap() {
        assert!(!m("ab*ba", "aba"));
        assert!(m("ab*ba", "abba"));
    }

    #[test]
    fn literal_tokens_are_not_wildcards() {
        let w = Wildcard::from_tokens([Token::Char('*'), Token::AnyRun]);
        assert!(w.matches("*abc"));
        assert!(!w.matches("abc"));
    }

    #[test]
    fn long_question_pieces_use_multiword_state() {
        let p: String = std::iter::repeat_n("a?", 70).collect();
        let pattern = format!("*{p}*");
        let text: String = std::iter::repeat_n("ab", 80).collect();
        assert!(m(&pattern, &text));
        assert!(!m(&pattern, &text[..139]));
    }
}
