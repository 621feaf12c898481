//! Tokens and small text helpers of the message grammar. Every slice offset comes from a
//! `find` or a character boundary, so nothing here panics.

/// Characters that end a token: whitespace, quotes and markup.
pub(super) fn is_terminator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`')
}

/// The token at the start of `s` (after whitespace and opening quotes), and the rest.
pub(super) fn take_token(s: &str) -> (&str, &str) {
    let s = s.trim_start().trim_start_matches(['"', '\'']);
    let end = s.find(is_terminator).unwrap_or(s.len());
    s.split_at_checked(end).unwrap_or((s, ""))
}

/// The token following `marker` anywhere in `s`.
pub(super) fn value_after<'a>(s: &'a str, marker: &str) -> Option<&'a str> {
    let rest = s.get(s.find(marker)? + marker.len()..)?;
    Some(take_token(rest).0)
}

/// A field without its trailing sentence punctuation.
pub(super) fn clean(tok: &str) -> &str {
    tok.trim_end_matches(['.', ',', ';'])
}

pub(super) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Whether `s` starts (after whitespace) with the first word of a reason.
pub(super) fn starts_reason(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with("because ") || t.starts_with("with an ")
}

/// IAM's resource-type words (`user`, `role`, `instance-profile` ...).
pub(super) fn is_type_word(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// An error code or operation name: ASCII letters, digits, `.` and `_`.
pub(super) fn is_code(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// `s` without the prefix `p`, compared ASCII case-insensitively.
pub(super) fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..))
        .flatten()
}

/// The first occurrence of `word` not inside a longer identifier.
pub(super) fn find_bounded(s: &str, word: &str) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '.' || c == '_';
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s.get(..i).and_then(|b| b.chars().next_back());
        let after = s.get(i + word.len()..).and_then(|a| a.chars().next());
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}
