//! Filters for crashes already reported to the crate owner but not yet fixed, active only with
//! `--features skip-known-crashes` (see docs/fuzzing.md, "Crashes found"). Without the feature
//! every function returns `false`, so a plain run reproduces every known crash.
//!
//! Keep each filter as narrow as its bug (drop only the inputs that reach the panicking line)
//! and remove it once the owner has fixed the crash; put the minimal input in
//! fuzz/reproducers/<target>/. There are no open crashes at the moment: K1–K3 (byte-prefix
//! slices inside multi-byte characters in source.rs, arn.rs and condition_operator.rs) were
//! fixed in 55ac34c and their filters removed.

#![allow(dead_code)]

/// True when `text`, given to `PolicyDocument::parse` (and then `validate`), would reach a
/// known, unfixed panic.
pub fn skip_policy_text(text: &str) -> bool {
    cfg!(feature = "skip-known-crashes") && policy_text_hits_known_crash(text)
}

/// True when `pattern`, given to `ResourcePattern::compile`, would reach a known, unfixed
/// panic.
pub fn skip_resource_pattern(pattern: &str) -> bool {
    cfg!(feature = "skip-known-crashes") && resource_pattern_hits_known_crash(pattern)
}

/// `s` is at least `at` bytes long and byte `at` is inside a multi-byte character, so
/// `&s[..at]` panics. (The shape of K1–K3; kept for the next filter of that kind.)
fn cut_inside_char(s: &str, at: usize) -> bool {
    s.len() >= at && !s.is_char_boundary(at)
}

fn policy_text_hits_known_crash(_text: &str) -> bool {
    false
}

fn resource_pattern_hits_known_crash(_pattern: &str) -> bool {
    false
}
