//! Condition key lookup: exact names, patterned names (`aws:RequestTag/${TagKey}`,
//! `s3:ExistingObjectTag/<key>`, `kms:EncryptionContext:${EncryptionContextKey}`) and the
//! global keys of our own table. All comparisons are ASCII case-insensitive.

use std::ops::Range;

use crate::catalog::{Catalog, KeyData};
use crate::globals::{GlobalKey, global_key};
use crate::pattern::{Pattern, Syntax};
use crate::text::{cmp_ignore_case, starts_with_ignore_case};
use crate::types::ConditionKeyType;

/// What the catalog knows about a condition key name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The declared name the key resolved to, placeholder included for patterned keys
    /// (`aws:RequestTag/${TagKey}` for `aws:RequestTag/env`).
    pub name: &'static str,
    /// Its type; `ArrayOf...` for multivalued keys.
    pub key_type: ConditionKeyType,
    /// Our global-key entry, when the key is one of those (they take precedence over the
    /// services' declarations).
    pub global: Option<&'static GlobalKey>,
}

impl KeyInfo {
    /// Whether the key is multivalued.
    pub fn is_multivalued(&self) -> bool {
        self.key_type.is_array()
    }

    /// Whether the key was matched through a placeholder.
    pub fn is_patterned(&self) -> bool {
        is_patterned(self.name)
    }
}

/// Whether a declared key name has a placeholder (`${...}` or `<...>`).
pub(crate) fn is_patterned(name: &str) -> bool {
    name.contains("${") || name.contains('<')
}

/// Compiles a declared key name into a pattern if it has a placeholder.
pub(crate) fn compile_key(name: &'static str) -> Option<Pattern> {
    is_patterned(name).then(|| Pattern::compile(name, Syntax::Key, true))
}

/// Whether the concrete key `key` is an instance of the declared key `declared`.
pub(crate) fn key_matches(declared: &KeyData, key: &str) -> bool {
    match &declared.pattern {
        Some(pattern) => pattern.matches(key),
        None => declared.name.eq_ignore_ascii_case(key),
    }
}

/// Index over the patterned keys of the key table.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    /// Patterned keys whose prefix (text before the first `:`) is literal, sorted by it.
    by_prefix: Vec<(&'static str, u32)>,
    /// Patterned keys with a placeholder before the first `:` (web identity providers).
    other: Vec<u32>,
}

impl KeyIndex {
    /// Builds the index; `keys` must be sorted by lowercase name.
    pub(crate) fn build(keys: &[KeyData]) -> KeyIndex {
        let mut index = KeyIndex::default();
        for (idx, key) in keys.iter().enumerate() {
            if key.pattern.is_none() {
                continue;
            }
            match key.name.split_once(':') {
                Some((prefix, _)) if !is_patterned(prefix) => {
                    index.by_prefix.push((prefix, idx as u32))
                }
                _ => index.other.push(idx as u32),
            }
        }
        index
            .by_prefix
            .sort_by(|a, b| cmp_ignore_case(a.0, b.0).then(a.1.cmp(&b.1)));
        index
    }

    /// The patterned key that `name` is an instance of.
    fn find_patterned(&self, keys: &[KeyData], name: &str) -> Option<u32> {
        if let Some((prefix, _)) = name.split_once(':') {
            let start = self
                .by_prefix
                .partition_point(|e| cmp_ignore_case(e.0, prefix).is_lt());
            let hit = self.by_prefix[start..]
                .iter()
                .take_while(|e| e.0.eq_ignore_ascii_case(prefix))
                .find(|e| key_matches(&keys[e.1 as usize], name));
            if let Some(e) = hit {
                return Some(e.1);
            }
        }
        self.other
            .iter()
            .copied()
            .find(|&idx| key_matches(&keys[idx as usize], name))
    }

    /// Indices of the keys whose name starts with `prefix:`.
    pub(crate) fn prefix_range(&self, keys: &[KeyData], prefix: &str) -> Range<usize> {
        let starts = |k: &KeyData| {
            k.name.len() > prefix.len()
                && starts_with_ignore_case(k.name, prefix)
                && k.name.as_bytes()[prefix.len()] == b':'
        };
        // Keys are sorted by lowercase name, so `prefix:` keys are contiguous; find the
        // first by comparing against the bare prefix with ':' appended.
        let start = keys.partition_point(|k| {
            let head = &k.name[..k.name.len().min(prefix.len() + 1)];
            cmp_prefix_colon(head, prefix).is_lt()
        });
        let len = keys[start..].iter().take_while(|k| starts(k)).count();
        start..start + len
    }
}

/// Compares `head` with `prefix` followed by `:`, ASCII case-insensitively.
fn cmp_prefix_colon(head: &str, prefix: &str) -> std::cmp::Ordering {
    let a = head.bytes().map(|b| b.to_ascii_lowercase());
    let b = prefix
        .bytes()
        .map(|b| b.to_ascii_lowercase())
        .chain(std::iter::once(b':'));
    a.cmp(b)
}

impl Catalog {
    /// Everything known about the condition key `name`, ASCII case-insensitively: our global
    /// table first (`aws:...` and the credential keys of AWS's global-key table), then the services'
    /// declarations, exact names before patterned ones. `aws:RequestTag/env`,
    /// `s3:ExistingObjectTag/team` and `iam:ResourceTag/x` resolve to their patterned
    /// declarations. `None` if nothing declares it.
    pub fn condition_key(&self, name: &str) -> Option<KeyInfo> {
        if let Some(global) = global_key(name) {
            return Some(KeyInfo {
                name: global.name,
                key_type: global.key_type,
                global: Some(global),
            });
        }
        let idx = match self
            .keys
            .binary_search_by(|k| cmp_ignore_case(k.name, name))
        {
            Ok(idx) => idx as u32,
            Err(_) => self.key_index.find_patterned(&self.keys, name)?,
        };
        let key = &self.keys[idx as usize];
        Some(KeyInfo {
            name: key.name,
            key_type: key.key_type,
            global: None,
        })
    }

    /// The type of the condition key `name` (see [`Catalog::condition_key`]).
    pub fn key_type(&self, name: &str) -> Option<ConditionKeyType> {
        self.condition_key(name).map(|k| k.key_type)
    }

    /// Whether the condition key `name` is multivalued (an `ArrayOf...` type, or a
    /// multivalued global such as `aws:TagKeys`); `None` for an unknown key.
    pub fn is_multivalued(&self, name: &str) -> Option<bool> {
        self.condition_key(name).map(|k| k.is_multivalued())
    }
}
