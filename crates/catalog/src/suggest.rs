//! "Did you mean ...?" suggestions for unknown service prefixes and action names, by edit
//! distance ([`iamwhy_policy::suggest::edit_distance`]).

use crate::catalog::Catalog;
use crate::views::{Action, Service};
use iamwhy_policy::suggest::edit_distance;

/// At most this many suggestions are returned.
const MAX_SUGGESTIONS: usize = 3;

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
