//! Relations between two wildcard patterns, for questions about wildcard *requests*
//! ("could this principal touch `arn:aws:s3:::bucket/*`?", AWS: resource patterns in requests):
//! [`overlaps`] — some text matches both; [`covers`] — every text the second matches, the
//! first matches too.

use crate::wildcard::Token;

/// Can one character satisfy both tokens? (`AnyRun` is handled by the callers.)
fn compatible(a: Token, b: Token) -> bool {
    match (a, b) {
        (Token::Char(x), Token::Char(y)) => x == y,
        _ => true,
    }
}

/// True when some text matches both patterns: reachability in the product of the two
/// patterns' automata, O(|a|·|b|).
pub fn overlaps(a: &[Token], b: &[Token]) -> bool {
    let (n, m) = (a.len(), b.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let idx = i * (m + 1) + j;
        if seen[idx] {
            continue;
        }
        seen[idx] = true;
        if i == n && j == m {
            return true;
        }
        let ai = a.get(i).copied();
        let bj = b.get(j).copied();
        // A star may match nothing.
        if ai == Some(Token::AnyRun) {
            stack.push((i + 1, j));
        }
        if bj == Some(Token::AnyRun) {
            stack.push((i, j + 1));
        }
        // Consume one common character.
        if let (Some(x), Some(y)) = (ai, bj) {
            let ni = if x == Token::AnyRun { i } else { i + 1 };
            let nj = if y == Token::AnyRun { j } else { j + 1 };
            if (ni, nj) != (i, j) && compatible(x, y) {
                stack.push((ni, nj));
            }
        }
    }
    false
}

/// True when every text matching `b` also matches `a` (checked by matching `a` against `b`'s
/// tokens, where `b`'s `*` can only be absorbed by a `*` of `a`, and `b`'s `?` by a `?` or
/// `*`). Sound: a `true` answer is always right; in rare patterns a true inclusion is missed.
pub fn covers(a: &[Token], b: &[Token]) -> bool {
    let (n, m) = (a.len(), b.len());
    // dp[j]: a[..i] can produce b[..j]
    let mut dp = vec![false; m + 1];
    dp[0] = true;
    for &x in a {
        let mut next = vec![false; m + 1];
        if x == Token::AnyRun {
            let mut reach = false;
            for j in 0..=m {
                reach |= dp[j];
                next[j] = reach;
            }
        } else {
            for j in 1..=m {
                let y = b[j - 1];
                let ok = match (x, y) {
                    (_, Token::AnyRun) => false,
                    (Token::AnyChar, _) => true,
                    (Token::Char(p), Token::Char(q)) => p == q,
                    (Token::Char(_), Token::AnyChar) => false,
                    (Token::AnyRun, _) => unreachable!(),
                };
                next[j] = dp[j - 1] && ok;
            }
        }
        dp = next;
    }
    let _ = n;
    dp[m]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildcard::tokens;

    fn t(s: &str) -> Vec<Token> {
        tokens(s).collect()
    }

    #[test]
    fn overlap_of_prefix_patterns() {
        assert!(overlaps(&t("my-bucket/*"), &t("*")));
        assert!(overlaps(&t("my-bucket/public/*"), &t("my-bucket/*")));
        assert!(!overlaps(
            &t("my-bucket/public/*"),
            &t("my-bucket/private/*")
        ));
        assert!(overlaps(&t("a?c"), &t("*c")));
        assert!(!overlaps(&t("abc"), &t("abd")));
        assert!(overlaps(&t("*a"), &t("b*")));
    }

    #[test]
    fn cover_means_superset() {
        assert!(covers(&t("my-bucket/*"), &t("my-bucket/private/*")));
        assert!(!covers(&t("my-bucket/private/*"), &t("my-bucket/*")));
        assert!(covers(&t("*"), &t("anything*")));
        assert!(covers(&t("a?c"), &t("a?c")));
        assert!(!covers(&t("abc"), &t("a?c")));
        assert!(covers(&t("*"), &t("")));
    }
}
