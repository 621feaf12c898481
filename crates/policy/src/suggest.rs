//! Edit distance, for "did you mean ...?" suggestions everywhere in the project (unknown
//! actions and services, principals, roles, users).

/// Edit distance between `a` and `b` over characters, ASCII case-insensitively: insertions,
/// deletions, substitutions and swaps of two adjacent characters each cost 1 (optimal string
/// alignment). O(|a|·|b|) time, O(|b|) memory.
///
/// ```
/// use iamwhy_policy::suggest::edit_distance;
/// assert_eq!(edit_distance("GetObjcet", "getobject"), 1); // one swap, any case
/// assert_eq!(edit_distance("deploy", "deplyo-role"), 6);
/// assert_eq!(edit_distance("é", "e"), 1); // one character, not two bytes
/// ```
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Three rows: two back (for transpositions), previous, current.
    let mut two_back: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two_back[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("ListBucket", "listbucket"), 0);
        assert_eq!(edit_distance("naïve", "naive"), 1);
        assert_eq!(edit_distance("GetObjekt", "getobject"), 1);
        assert_eq!(edit_distance("s4", "s3"), 1);
    }
}
