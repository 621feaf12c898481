//! The linear-time wildcard matcher agrees with a plain reference implementation on random
//! patterns and texts (small alphabets so that matches and near-misses are frequent).

use iamwhy_policy::PolicyType;
use iamwhy_policy::arn::{ArnTarget, ResourcePattern};
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

    /// Patterns around the 30-byte inline capacity of a wildcard's text (kept inline below,
    /// on the heap above) match alike.
    #[test]
    fn inline_and_heap_patterns_agree(pattern in "[ab*é]{24,40}", text in "[abé]{20,48}") {
        prop_assert_eq!(Wildcard::compile(&pattern).matches(&text), reference(&pattern, &text),
            "pattern {:?} text {:?}", pattern, text);
        prop_assert_eq!(Wildcard::compile_owned(pattern.clone()).matches(&text),
            reference(&pattern, &text));
    }

    /// Compiling from tokens (literal pieces as ranges of one built text) agrees with
    /// compiling the text.
    #[test]
    fn from_tokens_agrees_with_reference(pattern in "[ab*?é]{0,40}", text in "[abé]{0,40}") {
        prop_assert_eq!(Wildcard::from_tokens(tokens(&pattern)).matches(&text),
            reference(&pattern, &text), "pattern {:?} text {:?}", pattern, text);
    }

    /// Case-folded compiling (ASCII and not, inline and heap) is the reference on the
    /// `str::to_lowercase` of the pattern.
    #[test]
    fn folded_agrees_with_reference_on_lowercased(pattern in "[aAbB*?éÉ]{0,40}", text in "[abé]{0,40}") {
        prop_assert_eq!(Wildcard::compile_folded(&pattern).matches(&text),
            reference(&pattern.to_lowercase(), &text), "pattern {:?} text {:?}", pattern, text);
    }

    /// The same on ASCII patterns (the path that lowercases in place), with and without `?`,
    /// inline and on the heap: middle pieces are searched for in their lowercased form.
    #[test]
    fn ascii_folded_agrees_with_reference_on_lowercased(
        pattern in prop_oneof!["[aAbB*]{0,12}", "[aAbB*?]{0,12}", "[aAbB*]{28,40}"],
        text in "[ab]{0,40}",
    ) {
        prop_assert_eq!(Wildcard::compile_folded(&pattern).matches(&text),
            reference(&pattern.to_lowercase(), &text), "pattern {:?} text {:?}", pattern, text);
    }

    /// An ARN pattern (its fields compiled as ranges of one joined text) matches field by
    /// field like the reference: the first five fields ASCII-lowercased on both sides, the
    /// sixth as written, a short pattern padded with `*` fields.
    #[test]
    fn arn_patterns_agree_with_fieldwise_reference(
        fields in proptest::collection::vec("[aAb*?é/]{0,6}", 1..=6),
        rest in "[aAb:*]{0,4}",
        target in proptest::collection::vec("[aAbé/]{0,5}", 5..=5),
        target_rest in "[aAb:]{0,4}",
    ) {
        let mut pattern = format!("arn:{}", fields.join(":"));
        if fields.len() == 5 {
            pattern.push_str(&rest);
        }
        let arn = format!("arn:{}{}", target.join(":"), target_rest);
        let compiled = ResourcePattern::compile(&pattern, PolicyType::Identity, true);
        let t = ArnTarget::new(&arn).unwrap();
        let p: Vec<&str> = pattern.splitn(6, ':').collect();
        let a: Vec<&str> = arn.splitn(6, ':').collect();
        let expected = (0..6).all(|i| {
            let pf = p.get(i).copied().unwrap_or("*");
            if i < 5 {
                reference(&pf.to_ascii_lowercase(), &a[i].to_ascii_lowercase())
            } else {
                reference(pf, a[i])
            }
        });
        prop_assert_eq!(compiled.matches(&t, |_| None), expected,
            "pattern {:?} arn {:?}", pattern, arn);
    }
}
