//! Case-insensitive `*` / `?` wildcard matching, as IAM applies it to action names.
//!
//! The pattern is split on `*`; the first piece must match at the start of the text, the last
//! piece at its end, and every middle piece is searched for left to right from where the
//! previous one ended (the leftmost occurrence is always the best choice because a `*`
//! follows it). No regex, no backtracking over the text; `?` matches exactly one byte.

/// Whether `text` matches the wildcard `pattern`, ASCII case-insensitively.
///
/// `*` matches any run of characters (including none), `?` exactly one character; every
/// other character matches itself regardless of ASCII case.
///
/// ```
/// use iamwhy_catalog::glob::matches;
/// assert!(matches("Get*", "getobject"));
/// assert!(matches("*AccessKey*", "ListAccessKeys"));
/// assert!(matches("Get?bject", "GetObject"));
/// assert!(!matches("Get*", "PutObject"));
/// ```
pub fn matches(pattern: &str, text: &str) -> bool {
    let pattern = pattern.as_bytes();
    let text = text.as_bytes();
    let mut pieces = pattern.split(|&b| b == b'*');
    // `split` always yields at least one piece.
    let first = pieces.next().unwrap_or_default();
    let Some(last_idx) = pattern.iter().rposition(|&b| b == b'*') else {
        // No star: the whole text must match the single piece.
        return text.len() == first.len() && piece_eq(first, text);
    };
    let last = &pattern[last_idx + 1..];
    if text.len() < first.len() + last.len() {
        return false;
    }
    if !piece_eq(first, &text[..first.len()]) || !piece_eq(last, &text[text.len() - last.len()..]) {
        return false;
    }
    let end = text.len() - last.len();
    let mut pos = first.len();
    let middle = &pattern[first.len()..last_idx];
    for piece in middle.split(|&b| b == b'*').filter(|p| !p.is_empty()) {
        match find_piece(piece, &text[pos..end]) {
            Some(at) => pos += at + piece.len(),
            None => return false,
        }
    }
    true
}

/// Whether `pattern` contains a wildcard character (`*` or `?`).
pub fn has_wildcard(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

/// Compares a star-free piece (which may hold `?`) with text of the same length.
fn piece_eq(piece: &[u8], text: &[u8]) -> bool {
    piece.len() == text.len()
        && piece
            .iter()
            .zip(text)
            .all(|(&p, &t)| p == b'?' || p.eq_ignore_ascii_case(&t))
}

/// Leftmost offset in `text` where the star-free `piece` matches.
fn find_piece(piece: &[u8], text: &[u8]) -> Option<usize> {
    if piece.len() > text.len() {
        return None;
    }
    (0..=text.len() - piece.len()).find(|&i| piece_eq(piece, &text[i..i + piece.len()]))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn basics() {
        assert!(matches("*", ""));
        assert!(matches("*", "anything"));
        assert!(matches("", ""));
        assert!(!matches("", "x"));
        assert!(matches("GetObject", "getOBJECT"));
        assert!(!matches("GetObject", "GetObjects"));
        assert!(matches("Get*", "Get"));
        assert!(matches("*Object", "GetObject"));
        assert!(!matches("*Object", "GetObjects"));
        assert!(matches("*Access*Key*", "CreateAccessKey"));
        assert!(matches("a*a", "aa"));
        assert!(!matches("a*a", "a"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxcyyb"));
        assert!(matches("??", "ab"));
        assert!(!matches("??", "abc"));
        assert!(matches("*?", "x"));
        assert!(!matches("*?", ""));
        assert!(matches("**x**", "abxab"));
        assert!(matches("ab*ab", "abab"));
        assert!(!matches("ab*ab", "aba"));
    }

    #[test]
    fn non_ascii_does_not_panic() {
        assert!(!matches("?", "é"));
        assert!(matches("??", "é"));
        assert!(matches("*é*", "aéb"));
    }
}
