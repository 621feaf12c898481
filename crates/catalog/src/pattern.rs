//! Placeholder patterns: text such as `${BucketName}` or `ExistingObjectTag/<key>` compiled once
//! into literal pieces separated by gaps, then matched without allocating or backtracking.
//!
//! A pattern is `lit0 gap0 lit1 gap1 ... litN`. A gap comes from a placeholder (`${Name}`,
//! `{Name}`, `<name>`: at least one character) or a literal `*` in an ARN template (any run,
//! possibly empty); adjacent gaps merge and add their minimum lengths. Matching anchors `lit0`
//! at the start and `litN` at the end, then finds each middle literal leftmost after the
//! previous one plus the gap's minimum. Because no gap has an upper bound, the leftmost choice
//! is always safe, so one left-to-right pass decides.

/// Which placeholder spellings a pattern recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// ARN templates: `${Name}`, `{Name}` and `*`.
    Arn,
    /// Condition key names: `${Name}` and `<name>`.
    Key,
}

/// A compiled placeholder pattern over one piece of text.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pattern {
    /// Literal pieces; always one more than `gaps`.
    lits: Vec<&'static str>,
    /// Minimum length of each gap.
    gaps: Vec<usize>,
}

impl Pattern {
    /// Compiles `text`, treating the placeholders of `syntax` as gaps.
    pub(crate) fn compile(text: &'static str, syntax: Syntax) -> Pattern {
        let bytes = text.as_bytes();
        let mut lits = Vec::new();
        let mut gaps: Vec<usize> = Vec::new();
        let mut lit_start = 0;
        let mut i = 0;
        let mut pending_gap: Option<usize> = None;
        while i < bytes.len() {
            let (len, min) = match placeholder_at(bytes, i, syntax) {
                Some(found) => found,
                None => {
                    if let Some(min) = pending_gap.take() {
                        gaps.push(min);
                        lit_start = i;
                    }
                    i += 1;
                    continue;
                }
            };
            if pending_gap.is_none() {
                lits.push(&text[lit_start..i]);
            }
            *pending_gap.get_or_insert(0) += min;
            i += len;
        }
        if let Some(min) = pending_gap {
            gaps.push(min);
            lits.push("");
        } else {
            lits.push(&text[lit_start..]);
        }
        Pattern { lits, gaps }
    }

    /// Whether the pattern ends with a gap (its last literal is empty).
    pub(crate) fn ends_with_gap(&self) -> bool {
        !self.gaps.is_empty() && self.lits.last().is_some_and(|l| l.is_empty())
    }

    /// Whether the pattern matches all of `text`; `ci` makes literals ASCII case-insensitive.
    pub(crate) fn matches(&self, text: &[u8], ci: bool) -> bool {
        let eq = |a: &[u8], b: &[u8]| {
            if ci {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        let first = self.lits[0].as_bytes();
        if self.gaps.is_empty() {
            return eq(first, text);
        }
        let last = self.lits[self.lits.len() - 1].as_bytes();
        let min_len: usize =
            self.lits.iter().map(|l| l.len()).sum::<usize>() + self.gaps.iter().sum::<usize>();
        if text.len() < min_len
            || !eq(first, &text[..first.len()])
            || !eq(last, &text[text.len() - last.len()..])
        {
            return false;
        }
        let end = text.len() - last.len();
        let mut pos = first.len();
        let middle = &self.lits[1..self.lits.len() - 1];
        for (lit, gap) in middle.iter().zip(&self.gaps) {
            let lit = lit.as_bytes();
            pos += gap;
            if pos > end {
                return false;
            }
            match find(lit, &text[pos..end], ci) {
                Some(at) => pos += at + lit.len(),
                None => return false,
            }
        }
        pos + self.gaps[self.gaps.len() - 1] <= end
    }
}

/// If a placeholder starts at `i`, its length in bytes and the gap's minimum match length.
fn placeholder_at(bytes: &[u8], i: usize, syntax: Syntax) -> Option<(usize, usize)> {
    let closing = |open_len: usize, close: u8| {
        bytes[i + open_len..]
            .iter()
            .position(|&b| b == close)
            .filter(|&n| n > 0)
            .map(|n| (open_len + n + 1, 1))
    };
    match (bytes[i], syntax) {
        (b'$', _) if bytes.get(i + 1) == Some(&b'{') => closing(2, b'}'),
        (b'{', Syntax::Arn) => closing(1, b'}'),
        (b'*', Syntax::Arn) => Some((1, 0)),
        (b'<', Syntax::Key) => closing(1, b'>'),
        _ => None,
    }
}

/// Leftmost offset of `needle` in `hay`.
fn find(needle: &[u8], hay: &[u8], ci: bool) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - needle.len()).find(|&i| {
        let window = &hay[i..i + needle.len()];
        if ci {
            window.eq_ignore_ascii_case(needle)
        } else {
            window == needle
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{Pattern, Syntax};

    fn m(p: &'static str, syntax: Syntax, t: &str) -> bool {
        Pattern::compile(p, syntax).matches(t.as_bytes(), false)
    }

    #[test]
    fn placeholders_need_one_char() {
        assert!(m("${A}", Syntax::Arn, "x"));
        assert!(!m("${A}", Syntax::Arn, ""));
        assert!(m("*", Syntax::Arn, ""));
        assert!(m("role/${Name}", Syntax::Arn, "role/bob"));
        assert!(!m("role/${Name}", Syntax::Arn, "role/"));
        assert!(m("${Name}-${Id}", Syntax::Arn, "my-plan-123"));
        assert!(!m("${Name}-${Id}", Syntax::Arn, "plan-"));
        assert!(m("${A}${B}", Syntax::Arn, "ab"));
        assert!(!m("${A}${B}", Syntax::Arn, "a"));
        assert!(m("backup/${S}-{Date}", Syntax::Arn, "backup/s-2020"));
        assert!(m("o-${Org}", Syntax::Arn, "o-abc"));
        assert!(!m("o-${Org}", Syntax::Arn, "ou-abc"));
    }

    #[test]
    fn key_syntax() {
        let p = Pattern::compile("s3:ExistingObjectTag/<key>", Syntax::Key);
        assert!(p.matches(b"s3:existingobjecttag/env", true));
        assert!(!p.matches(b"s3:existingobjecttag/", true));
        assert!(!p.matches(b"s3:existingobjecttag/env", false));
        assert_eq!(p.lits[0], "s3:ExistingObjectTag/");
        let q = Pattern::compile("codebuild:secondarySources/${id}.auth.type", Syntax::Key);
        assert!(q.matches(b"codebuild:secondarySources/src1.auth.type", false));
        assert!(!q.matches(b"codebuild:secondarySources/.auth.type", false));
        assert!(Pattern::compile("plain:Key", Syntax::Key).gaps.is_empty());
    }

    #[test]
    fn unclosed_braces_are_literal() {
        assert!(m("a${b", Syntax::Arn, "a${b"));
        assert!(m("a{}", Syntax::Arn, "a{}"));
    }
}
