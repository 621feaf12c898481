//! "Did you mean ...?" suggestions for unknown service prefixes and action names, by edit
//! distance (Levenshtein with adjacent transpositions, ASCII case-insensitive).

use crate::catalog::Catalog;
use crate::views::{Action, Service};

/// At most this many suggestions are returned.
const MAX_SUGGESTIONS: usize = 3;

/// Edit distance between `a` and `b`, ASCII case-insensitively: insertions, deletions,
/// substitutions and swaps of two adjacent characters each cost 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
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

/// The largest distance still worth suggesting for a query of this length.
fn threshold(query: &str) -> usize {
    (query.len() / 3).max(1)
}

/// The candidates closest to `query` within the threshold, best first, at most
/// [`MAX_SUGGESTIONS`]; ties keep the candidates' order.
fn closest<T>(query: &str, candidates: impl Iterator<Item = (&'static str, T)>) -> Vec<T> {
    let limit = threshold(query);
    let mut scored: Vec<(usize, T)> = candidates
        .filter_map(|(name, item)| {
            // Cheap length filter before the quadratic distance.
            if name.len().abs_diff(query.len()) > limit {
                return None;
            }
            let d = edit_distance(query, name);
            (d <= limit).then_some((d, item))
        })
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, item)| item)
        .collect()
}

impl Catalog {
    /// Services whose prefix is close to `prefix` (`s4` → `s3`), best first, at most three.
    /// Empty when nothing is close or `prefix` is itself a known service.
    pub fn suggest_services(&self, prefix: &str) -> Vec<Service<'_>> {
        if self.service(prefix).is_some() {
            return Vec::new();
        }
        closest(prefix, self.services().map(|s| (s.prefix(), s)))
    }

    /// Actions close to `name` (`s3:GetObjekt` → `s3:GetObject`), best first, at most three.
    ///
    /// For an unknown service the action name is looked up in the services close to it
    /// (`s4:GetObject` → `s3:GetObject`); for a name without `:`, in every service
    /// (`GetObject` → `s3:GetObject`). Empty when nothing is close or `name` is itself known.
    pub fn suggest_actions(&self, name: &str) -> Vec<Action<'_>> {
        if self.action(name).is_some() {
            return Vec::new();
        }
        let Some((prefix, action)) = name.split_once(':') else {
            let exact = self.services().filter_map(|s| s.action(name));
            return exact.take(MAX_SUGGESTIONS).collect();
        };
        let services: Vec<Service<'_>> = match self.service(prefix) {
            Some(service) => vec![service],
            None => self.suggest_services(prefix),
        };
        let exact: Vec<Action<'_>> = services.iter().filter_map(|s| s.action(action)).collect();
        if !exact.is_empty() {
            return exact;
        }
        let candidates = services
            .iter()
            .flat_map(|s| s.actions())
            .map(|a| (a.name(), a));
        closest(action, candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("GetObjekt", "getobject"), 1);
        assert_eq!(edit_distance("GetObjcet", "GetObject"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("s4", "s3"), 1);
    }
}
