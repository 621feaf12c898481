//! Cleaning what a user pastes before the grammar reads it.
//!
//! Error messages reach iamwhy wrapped by terminals and web pages (broken anywhere, the
//! continuation lines indented), inside JSON strings (`\"`, `\n`, escaped again and again),
//! quoted in markdown or chat (`> `, `$ `, `# `, bullets, backticks, code fences), with
//! typographic quotes and invisible characters. [`clean_paste`] undoes all of that and gives one
//! line of text in which every whitespace run is a single space, so that the grammar's phrases
//! (`is not authorized to perform`, `on resource:`) match wherever the paste was broken.
//!
//! A line break is a word break, except where it splits a token that cannot contain a space:
//! an ARN that is incomplete (fewer than five colons), continues inside its quotes, or is
//! followed by something that is not a word of the messages' grammar; and the encoded blob of
//! EC2's message. Those are glued back together without a space (a terminal that hard-wraps
//! at its width breaks tokens in the middle).

use super::ENCODED_MARKER;

/// The pasted text as one line: escapes undone, decorations removed, wrapped lines joined, and
/// whitespace runs collapsed to one space (except inside a quoted ARN, which is kept as is).
///
/// ```
/// use iamwhy_evidence::message::clean_paste;
/// let pasted = "> User: arn:aws:iam::123456789012:user/bob is not\n>   authorized to perform:\n>   s3:GetObject";
/// assert_eq!(
///     clean_paste(pasted),
///     "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject"
/// );
/// ```
pub fn clean_paste(text: &str) -> String {
    let text = unescape(text);
    let mut joined = String::with_capacity(text.len());
    let mut previous_trailing_space = false;
    let mut first = true;
    for raw in &unwrap_hard_wraps(&text) {
        let raw: &str = raw;
        let indented = raw.starts_with(char::is_whitespace);
        let trailing_space = raw.ends_with(char::is_whitespace);
        let body = strip_decorations(raw);
        if body.is_empty() {
            // A blank line (or a fence) separates words.
            previous_trailing_space = true;
            continue;
        }
        if !first {
            let glue = !previous_trailing_space && !indented && should_glue(&joined, body);
            if !glue {
                joined.push(' ');
            }
        }
        first = false;
        push_decorated(&mut joined, body);
        previous_trailing_space = trailing_space;
    }
    collapse_whitespace(&joined)
}

/// The shortest width, and the fewest full-width lines in a row, that make a block of lines a
/// terminal's hard wrap.
const HARD_WRAP_MIN_WIDTH: usize = 40;
const HARD_WRAP_MIN_FULL_LINES: usize = 3;

/// The lines of `text` (without `\r`), with the blocks a terminal hard-wrapped at its width
/// joined back into one line each. Such a block is at least three lines in a row of the same
/// length (at least 40 characters) followed by a line no longer than them: the terminal cut
/// the text every W characters, spaces and all, so the pieces are joined exactly. Lines of one
/// length that break between two words of the messages are not such a block: they were
/// wrapped at spaces, and happen to be as long as each other.
fn unwrap_hard_wraps(text: &str) -> Vec<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while i < lines.len() {
        let width = lines[i].chars().count();
        let mut j = i;
        while j < lines.len() && lines[j].chars().count() == width {
            j += 1;
        }
        let full = j - i;
        // Looked at only for a block of the hard wrap's shape.
        let soft =
            || (i..j.min(lines.len() - 1)).any(|k| breaks_between_words(lines[k], lines[k + 1]));
        if width >= HARD_WRAP_MIN_WIDTH && full >= HARD_WRAP_MIN_FULL_LINES && !soft() {
            // The block's last, shorter line belongs to it.
            let end = if j < lines.len() && !lines[j].trim().is_empty() {
                j + 1
            } else {
                j
            };
            out.push(Cow::Owned(lines[i..end].concat()));
            i = end;
        } else {
            out.push(Cow::Borrowed(lines[i]));
            i += 1;
        }
    }
    out
}

/// Words of AWS's access-denied messages, as the messages write them (lowercase, but for
/// `User`). A terminal's hard wrap keeps every character, so where it cuts between two words
/// the space stays, at the end of one line or the start of the next: a break with a
/// non-space on both sides is inside a token. A break between two of these words (`is not` /
/// `authorized`), or between one of them and an ARN (`resource:` / `arn:...`), is therefore
/// not a hard wrap but a line broken at a space that the break replaced, whatever the lines'
/// lengths.
const MESSAGE_WORDS: &[&str] = &[
    "User",
    "a",
    "access",
    "action",
    "allow",
    "allows",
    "an",
    "and",
    "are",
    "as",
    "associated",
    "at",
    "authorization",
    "authorized",
    "because",
    "block",
    "boundary",
    "but",
    "by",
    "call",
    "calling",
    "control",
    "denied",
    "denies",
    "deny",
    "does",
    "due",
    "encoded",
    "endpoint",
    "error",
    "exist",
    "explicit",
    "explicitly",
    "failed",
    "failure",
    "following",
    "for",
    "from",
    "identity-based",
    "implicit",
    "in",
    "is",
    "message",
    "no",
    "not",
    "occurred",
    "of",
    "on",
    "operation",
    "or",
    "organization",
    "perform",
    "permissions",
    "please",
    "policies",
    "policy",
    "prevented",
    "public",
    "request",
    "resource",
    "resource-based",
    "role",
    "service",
    "session",
    "sessions",
    "setting",
    "status",
    "the",
    "this",
    "through",
    "to",
    "transitively",
    "trust",
    "user",
    "was",
    "when",
    "with",
    "you",
];

/// Whether `token`, without trailing punctuation, is one of [`MESSAGE_WORDS`] as written.
fn is_message_word(token: &str) -> bool {
    let word = token.trim_end_matches([':', '.', ',', ';']);
    MESSAGE_WORDS.contains(&word)
}

/// Whether the break between `line` and `next` falls between two words of the messages (or a
/// word and an ARN): one a terminal's hard wrap cannot make (see [`MESSAGE_WORDS`]).
fn breaks_between_words(line: &str, next: &str) -> bool {
    let (Some(end), Some(start)) = (line.chars().last(), next.chars().next()) else {
        return false;
    };
    if end.is_whitespace() || start.is_whitespace() {
        return false;
    }
    let left = line.rsplit(char::is_whitespace).next().unwrap_or_default();
    let right = next.split(char::is_whitespace).next().unwrap_or_default();
    is_message_word(left) && (is_message_word(right) || right.starts_with("arn:"))
}

/// Undoes JSON escaping of the characters that matter (`\"`, `\/`, `\n`, `\r`, `\t`),
/// however many times the text was escaped: `\n` becomes a line break, `\r` disappears and
/// `\t` becomes a space.
fn unescape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\\') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut run = 1;
        while chars.next_if_eq(&'\\').is_some() {
            run += 1;
        }
        match chars.peek() {
            Some('"') | Some('/') => out.extend(chars.next()),
            Some('n') => {
                chars.next();
                out.push('\n');
            }
            Some('r') => {
                chars.next();
            }
            Some('t') => {
                chars.next();
                out.push(' ');
            }
            _ => out.extend(std::iter::repeat_n('\\', run)),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A line without its surrounding whitespace and the decorations people quote messages
/// with: blockquote `>`, prompts `$` and `%`, comment or heading `#`, bullets `-`, `*`, `+`.
/// A code fence (a line starting with three backticks) is empty.
fn strip_decorations(line: &str) -> &str {
    let mut s = line.trim();
    if s.starts_with("```") || s.starts_with("~~~") {
        return "";
    }
    loop {
        let before = s;
        for mark in [">", "$", "%", "-", "*", "+"] {
            if let Some(rest) = s.strip_prefix(mark)
                && (rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                s = rest.trim_start();
            }
        }
        let hashes = s.len() - s.trim_start_matches('#').len();
        if hashes > 0 {
            let rest = &s[hashes..];
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                s = rest.trim_start();
            }
        }
        if s == before {
            return s;
        }
    }
}

/// Append `body` to `out`, with backticks as spaces, typographic quotes as ASCII ones and
/// invisible characters (zero-width spaces, byte order marks) removed.
fn push_decorated(out: &mut String, body: &str) {
    for c in body.chars() {
        match c {
            '`' => out.push(' '),
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => out.push('"'),
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => out.push('\''),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            c => out.push(c),
        }
    }
}

/// Words of the messages' grammar (and of the text around them) that never continue an ARN.
const GRAMMAR_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "because", "but", "by", "call", "encoded", "error", "for",
    "from", "go", "in", "is", "not", "of", "on", "or", "please", "request", "see", "service",
    "status", "the", "this", "to", "user", "when", "with", "you",
];

fn is_grammar_word(token: &str) -> bool {
    let word = token
        .trim_end_matches([':', '.', ',', ';', ')'])
        .trim_start_matches('(')
        .to_ascii_lowercase();
    GRAMMAR_WORDS.contains(&word.as_str())
}

/// Characters an ARN can go on with after a break.
fn continues_arn(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_/.:*?+=,@$#~!&'\"".contains(c)
}

/// Characters of EC2's encoded authorization failure message.
fn is_blob_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Whether the line break between `joined` (the text so far) and `next` (the next line)
/// splits a token, so that the two are joined without a space.
fn should_glue(joined: &str, next: &str) -> bool {
    let prev_token = joined
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default();
    let next_token = next.split(char::is_whitespace).next().unwrap_or_default();
    let Some(first) = next_token.chars().next() else {
        return false;
    };
    if prev_token.is_empty() || next_token.starts_with("arn:") {
        return false;
    }
    // EC2's blob: everything after the marker up to the next space.
    let before_token = &joined[..joined.len() - prev_token.len()];
    if before_token.trim_end().ends_with(ENCODED_MARKER) {
        return prev_token.chars().all(is_blob_char)
            && next_token.chars().all(is_blob_char)
            && !is_grammar_word(next_token);
    }
    let unquoted = prev_token.trim_start_matches(['"', '\'', '(', '[', '<']);
    if !unquoted.starts_with("arn:") || !continues_arn(first) {
        return false;
    }
    let opened_quote = prev_token.len() != unquoted.len() && prev_token.starts_with('"');
    if opened_quote && !unquoted.contains('"') {
        return true;
    }
    if unquoted.matches(':').count() < 5 {
        return true;
    }
    if unquoted.ends_with(['.', ',', ';', '"', ')', '>']) || is_grammar_word(next_token) {
        return false;
    }
    first != '('
}

/// Every whitespace run as one space, the text trimmed; a quoted ARN (`"arn:...“`) is copied
/// as it is, because an S3 key may contain several spaces.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s.trim();
    let mut pending_space = false;
    while let Some(c) = rest.chars().next() {
        if c == '"' && rest[1..].starts_with("arn:") {
            let end = rest[1..].find('"').map_or(rest.len(), |i| i + 2);
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_break_anywhere_in_the_sentence_is_a_space() {
        let text =
            "User: arn:aws:iam::1:user/bob is not\n   authorized to perform:\n\ts3:GetObject";
        assert_eq!(
            clean_paste(text),
            "User: arn:aws:iam::1:user/bob is not authorized to perform: s3:GetObject"
        );
    }

    #[test]
    fn a_hard_wrap_inside_an_arn_is_glued_back() {
        let text = "User: arn:aws:iam::1234\n56789012:user/bob is not authorized";
        assert_eq!(
            clean_paste(text),
            "User: arn:aws:iam::123456789012:user/bob is not authorized"
        );
        let text = "on resource: arn:aws:s3:::reports/q\n1.csv because no";
        assert_eq!(
            clean_paste(text),
            "on resource: arn:aws:s3:::reports/q1.csv because no"
        );
    }

    /// Three lines of one length (41 characters), broken at spaces: not a hard wrap, so the
    /// breaks are spaces (a proptest of tests/wrapped_messages.rs found this paste).
    #[test]
    fn lines_of_one_length_broken_between_words_are_not_a_hard_wrap() {
        let text = "User:\narn:aws:iam::123456789012:user/bob is not\nauthorized to perform: s3:DeleteBucket on\nresource: arn:aws:s3:::b with an explicit\ndeny\nin an identity-based\npolicy";
        assert_eq!(
            clean_paste(text),
            "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:DeleteBucket on resource: arn:aws:s3:::b with an explicit deny in an identity-based policy"
        );
        // A terminal's hard wrap of the same message, at any width from 40 columns, keeps
        // every character (a cut between words leaves the space on one side): joined back.
        let one_line = "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:DeleteBucket on resource: arn:aws:s3:::b with an explicit deny in an identity-based policy";
        let chars: Vec<char> = one_line.chars().collect();
        // (Three full lines at least, as a hard wrap is recognised: up to 54 columns here.)
        for width in 40..=54 {
            let hard: Vec<String> = chars.chunks(width).map(|c| c.iter().collect()).collect();
            assert_eq!(clean_paste(&hard.join("\n")), one_line, "width {width}");
        }
    }

    #[test]
    fn an_arn_followed_by_a_grammar_word_on_the_next_line_stays_apart() {
        let text = "User: arn:aws:iam::1:user/bob\nis not authorized";
        assert_eq!(
            clean_paste(text),
            "User: arn:aws:iam::1:user/bob is not authorized"
        );
    }

    #[test]
    fn decorations_and_fences_are_removed() {
        let text = "```text\n$ aws s3 cp s3://b/k .\n> An error occurred (AccessDenied)\n```";
        assert_eq!(
            clean_paste(text),
            "aws s3 cp s3://b/k . An error occurred (AccessDenied)"
        );
        assert_eq!(clean_paste("## `User:` x"), "User: x");
    }

    #[test]
    fn json_escapes_become_breaks_and_quotes() {
        assert_eq!(
            clean_paste(r#"{\"message\": \"User: a\\nb\"}"#),
            r#"{"message": "User: a b"}"#
        );
    }

    #[test]
    fn spaces_inside_a_quoted_arn_are_kept() {
        assert_eq!(
            clean_paste("resource:   \"arn:aws:s3:::b/my  key\"   because"),
            "resource: \"arn:aws:s3:::b/my  key\" because"
        );
    }

    #[test]
    fn typographic_quotes_and_invisible_characters() {
        assert_eq!(
            clean_paste("\u{feff}on resource: \u{201c}arn:aws:s3:::b/k\u{201d}\u{200b} because"),
            "on resource: \"arn:aws:s3:::b/k\" because"
        );
    }
}
