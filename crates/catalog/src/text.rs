//! ASCII case-insensitive comparison helpers shared by the lookups.

use std::cmp::Ordering;

/// Compares two strings as if both were ASCII-lowercased, without allocating.
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// Whether `text` starts with `prefix`, ASCII case-insensitively.
pub(crate) fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::{cmp_ignore_case, starts_with_ignore_case};
    use std::cmp::Ordering;

    #[test]
    fn compares_lowercased() {
        assert_eq!(cmp_ignore_case("GetObject", "getobject"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("a", "B"), Ordering::Less);
        assert_eq!(cmp_ignore_case("ab", "A"), Ordering::Greater);
        assert!(starts_with_ignore_case("S3:Get", "s3:"));
        assert!(!starts_with_ignore_case("s", "s3:"));
    }
}
