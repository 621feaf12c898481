//! Placeholder patterns: text such as `${BucketName}` or `ExistingObjectTag/<key>`, read once
//! into IAM wildcard tokens and matched by the policy crate's [`Wildcard`] — the one wildcard
//! matcher of the project, so `?`-like gaps count characters, never bytes.
//!
//! A placeholder (`${Name}`, `{Name}`, `<name>`) stands for at least one character (`?*`); a
//! literal `*` in an ARN template for any run, possibly empty (`*`). Every other character is
//! literal, including `?`.

use iamwhy_policy::wildcard::{Token, Wildcard};
use std::borrow::Cow;

/// Which placeholder spellings a pattern recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// ARN templates: `${Name}`, `{Name}` and `*`.
    Arn,
    /// Condition key names: `${Name}` and `<name>`.
    Key,
}

/// A compiled placeholder pattern over one piece of text.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    /// Literal characters ASCII-lowercased when `folded`.
    wildcard: Wildcard,
    /// Whether matching ignores ASCII case.
    folded: bool,
    /// Whether the pattern ends with a placeholder or `*`.
    ends_with_gap: bool,
}

impl Pattern {
    /// Compiles `text`, treating the placeholders of `syntax` as gaps; `fold` makes the
    /// literal characters match regardless of ASCII case.
    pub(crate) fn compile(text: &str, syntax: Syntax, fold: bool) -> Pattern {
        let mut toks = Vec::with_capacity(text.len());
        let mut rest = text;
        let mut ends_with_gap = false;
        while let Some(c) = rest.chars().next() {
            if let Some((len, at_least_one)) = placeholder_at(rest, syntax) {
                if at_least_one {
                    toks.push(Token::AnyChar);
                }
                toks.push(Token::AnyRun);
                rest = &rest[len..];
                ends_with_gap = true;
                continue;
            }
            toks.push(Token::Char(if fold { c.to_ascii_lowercase() } else { c }));
            rest = &rest[c.len_utf8()..];
            ends_with_gap = false;
        }
        Pattern {
            wildcard: Wildcard::from_tokens(toks),
            folded: fold,
            ends_with_gap,
        }
    }

    /// Whether the pattern ends with a gap.
    pub(crate) fn ends_with_gap(&self) -> bool {
        self.ends_with_gap
    }

    /// Whether the pattern matches all of `text`.
    pub(crate) fn matches(&self, text: &str) -> bool {
        if self.folded && text.bytes().any(|b| b.is_ascii_uppercase()) {
            let lower: Cow<'_, str> = Cow::Owned(text.to_ascii_lowercase());
            return self.wildcard.matches(&lower);
        }
        self.wildcard.matches(text)
    }
}

/// If a placeholder starts `s`: its length in bytes, and whether it needs at least one
/// character (placeholders do; a template's literal `*` does not).
fn placeholder_at(s: &str, syntax: Syntax) -> Option<(usize, bool)> {
    let closing = |open_len: usize, close: char| {
        s[open_len..]
            .find(close)
            .filter(|&n| n > 0)
            .map(|n| (open_len + n + close.len_utf8(), true))
    };
    let b = s.as_bytes();
    match (b[0], syntax) {
        (b'$', _) if b.get(1) == Some(&b'{') => closing(2, '}'),
        (b'{', Syntax::Arn) => closing(1, '}'),
        (b'*', Syntax::Arn) => Some((1, false)),
        (b'<', Syntax::Key) => closing(1, '>'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Pattern, Syntax};

    fn m(p: &str, syntax: Syntax, t: &str) -> bool {
        Pattern::compile(p, syntax, false).matches(t)
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
    fn a_placeholder_is_one_character_not_one_byte() {
        assert!(m("${A}", Syntax::Arn, "é"));
        assert!(!m("${A}${B}", Syntax::Arn, "é"));
        assert!(m("${A}${B}", Syntax::Arn, "éé"));
    }

    #[test]
    fn key_syntax() {
        let p = Pattern::compile("s3:ExistingObjectTag/<key>", Syntax::Key, true);
        assert!(p.matches("s3:existingobjecttag/env"));
        assert!(p.matches("S3:ExistingObjectTag/Env"));
        assert!(!p.matches("s3:existingobjecttag/"));
        let exact = Pattern::compile("s3:ExistingObjectTag/<key>", Syntax::Key, false);
        assert!(!exact.matches("s3:existingobjecttag/env"));
        let q = Pattern::compile(
            "codebuild:secondarySources/${id}.auth.type",
            Syntax::Key,
            false,
        );
        assert!(q.matches("codebuild:secondarySources/src1.auth.type"));
        assert!(!q.matches("codebuild:secondarySources/.auth.type"));
        assert!(!Pattern::compile("plain:Key", Syntax::Key, false).ends_with_gap());
    }

    #[test]
    fn question_marks_and_unclosed_braces_are_literal() {
        assert!(m("a${b", Syntax::Arn, "a${b"));
        assert!(m("a{}", Syntax::Arn, "a{}"));
        assert!(m("a?c", Syntax::Arn, "a?c"));
        assert!(!m("a?c", Syntax::Arn, "abc"));
    }
}
