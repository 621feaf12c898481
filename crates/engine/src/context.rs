//! The request context: condition keys and their values.
//!
//! Key names are case-insensitive in their entirety (AWS: condition block shape), so keys are stored lowercased.
//! A key is *multivalued* when it was given as a list (or the catalog says it is); a multivalued
//! key with zero values counts as missing (docs/spec-notes.md).

use rustc_hash::FxHashMap;
use serde::Serialize;

/// The values of one context key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextValue {
    /// The key as first given (for display).
    pub key: String,
    /// The values.
    pub values: Vec<String>,
    /// True for multivalued keys (`aws:TagKeys`, `aws:PrincipalOrgPaths`, ...).
    pub multi: bool,
}

/// Condition keys of a request.
#[derive(Debug, Clone, Default)]
pub struct Context {
    entries: FxHashMap<Box<str>, ContextValue>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Set a single-valued key (replacing any earlier value).
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.entries.insert(
            key.to_lowercase().into_boxed_str(),
            ContextValue {
                key: key.to_string(),
                values: vec![value.into()],
                multi: false,
            },
        );
    }

    /// Set a multivalued key (replacing any earlier value).
    pub fn set_multi(&mut self, key: &str, values: Vec<String>) {
        self.entries.insert(
            key.to_lowercase().into_boxed_str(),
            ContextValue {
                key: key.to_string(),
                values,
                multi: true,
            },
        );
    }

    /// Remove a key.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key.to_lowercase().as_str());
    }

    /// Mark an existing key as multivalued (used when the catalog knows the key's type).
    pub fn mark_multi(&mut self, key: &str) {
        if let Some(v) = self.entries.get_mut(key.to_lowercase().as_str()) {
            v.multi = true;
        }
    }

    /// Mark every key that the service catalog types as multivalued (`ArrayOf…`, or a
    /// multivalued global such as `aws:TagKeys`) as multivalued, whatever the number of values
    /// given. Returns the keys marked.
    pub fn apply_catalog_types(&mut self) -> Vec<String> {
        let catalog = iamwhy_catalog::catalog();
        let mut marked = Vec::new();
        for v in self.entries.values_mut() {
            if !v.multi && catalog.is_multivalued(&v.key) == Some(true) {
                v.multi = true;
                marked.push(v.key.clone());
            }
        }
        marked.sort();
        marked
    }

    /// The values of a key given in lowercase, or `None` when it is missing (absent, or
    /// multivalued with no values).
    pub fn get_lower(&self, key_lower: &str) -> Option<&ContextValue> {
        self.entries
            .get(key_lower)
            .filter(|v| !(v.multi && v.values.is_empty()))
    }

    /// The values of a key in any letter case.
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.get_lower(&key.to_lowercase())
    }

    /// The value of a single-valued key given in lowercase: what a policy variable resolves to.
    /// Multivalued keys never resolve (AWS: policy variables).
    pub fn single_lower(&self, key_lower: &str) -> Option<&str> {
        match self.entries.get(key_lower) {
            Some(v) if !v.multi && v.values.len() == 1 => Some(&v.values[0]),
            _ => None,
        }
    }

    /// Every key and its values, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &ContextValue> {
        self.entries.values()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keys_are_case_insensitive() {
        let mut c = Context::new();
        c.set("aws:ResourceTag/TagKey1", "v");
        assert!(c.get("AWS:resourcetag/tagkey1").is_some());
    }

    #[test]
    fn empty_multivalued_key_counts_as_missing() {
        let mut c = Context::new();
        c.set_multi("aws:TagKeys", vec![]);
        assert!(c.get("aws:TagKeys").is_none());
    }

    #[test]
    fn catalog_multivalued_keys_are_marked_even_with_one_value() {
        let mut c = Context::new();
        c.set("aws:TagKeys", "env");
        c.set("aws:username", "bob");
        assert_eq!(c.apply_catalog_types(), vec!["aws:TagKeys".to_string()]);
        assert!(c.get("aws:TagKeys").unwrap().multi);
        assert!(!c.get("aws:username").unwrap().multi);
    }

    #[test]
    fn multivalued_keys_never_resolve_as_variables() {
        let mut c = Context::new();
        c.set_multi("aws:TagKeys", vec!["a".into()]);
        c.set("aws:username", "bob");
        assert_eq!(c.single_lower("aws:tagkeys"), None);
        assert_eq!(c.single_lower("aws:username"), Some("bob"));
    }
}
