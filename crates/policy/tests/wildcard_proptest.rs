//! The linear-time wildcard matcher agrees with a plain reference implementation on random
//! patterns and texts (small alphabets so that matches and near-misses are frequent).

use iamwhy_policy::wildcard::{Wildcard, matches_tokens, tokens};
use proptest::prelude::*;

/// Reference: textbook dynamic programming over characters. Slow but obviously right.
fn reference(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // dp[j] = pattern[..i] matches text[..j]
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    for &pc in &p {
        let mut next = vec![false; t.len() + 1];
        if pc == '*' {
            let mut seen = false;
            for j in 0..=t.len() {
                seen |= dp[j];
                next[j] = seen;
            }
        } else {
            for j in 1..=t.len() {
                next[j] = dp[j - 1] && (pc == '?' || pc == t[j - 1]);
            }
        }
        dp = next;
    }
    dp[t.len()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn matcher_agrees_with_reference(pattern in "[ab*?é]{0,12}", text in "[abé]{0,16}") {
        prop_assert_eq!(Wildcard::compile(&pattern).matches(&text), reference(&pattern, &text),
            "pattern {:?} text {:?}", pattern, text);
    }

    #[test]
    fn matcher_agrees_with_reference_on_arn_like_text(
        pattern in "[a-c:/*?]{0,10}",
        text in "[a-c:/]{0,14}",
    ) {
        prop_assert_eq!(Wildcard::compile(&pattern).matches(&text), reference(&pattern, &text));
    }

    #[test]
    fn token_matcher_agrees_with_reference(pattern in "[ab*?é]{0,12}", text in "[abé]{0,16}") {
        let toks: Vec<_> = tokens(&pattern).collect();
        prop_assert_eq!(matches_tokens(&toks, &text), reference(&pattern, &text),
            "pattern {:?} text {:?}", pattern, text);
    }

    #[test]
    fn long_question_pieces_agree(pattern in "[ab?]{60,80}\\*[ab?]{0,70}", text in "[ab]{60,160}") {
        prop_assert_eq!(Wildcard::compile(&pattern).matches(&text), reference(&pattern, &text));
    }
}
