//! Context completion with provenance: the keys a question gave, and the keys completed from
//! the world, each with what it was inferred from. Given keys always win.

use iamwhy_engine::Context;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a context key got its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextEntry {
    /// The key.
    pub key: String,
    /// Its values.
    pub values: Vec<String>,
    /// Where it came from: `given`, or what it was inferred from.
    pub source: String,
}

/// Which keys were given and which were inferred.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContextReport {
    /// Keys the question gave.
    pub given: Vec<ContextEntry>,
    /// Keys completed from the world, each with its source.
    pub inferred: Vec<ContextEntry>,
}

/// A key the world supplies, with what it was inferred from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredKey {
    /// The key, as AWS spells it.
    pub key: String,
    /// Its values (more than one only for multivalued keys).
    pub values: Vec<String>,
    /// What it was inferred from, in words ("role deploy in the snapshot").
    pub source: String,
}

impl InferredKey {
    /// A single-valued key.
    pub fn one(
        key: impl Into<String>,
        value: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        InferredKey {
            key: key.into(),
            values: vec![value.into()],
            source: source.into(),
        }
    }
}

/// Whether the service catalog types `key` as multivalued: such keys are sets even when a
/// single value is given.
pub fn is_multivalued(key: &str) -> bool {
    iamwhy_catalog::catalog()
        .is_multivalued(key)
        .unwrap_or(false)
}

/// The request context being built, and the record of where each key came from.
#[derive(Clone)]
pub(crate) struct ContextBuilder {
    context: Context,
    report: ContextReport,
    /// Lowercased names of the given keys, which inference never overrides.
    given: Vec<String>,
}

impl ContextBuilder {
    /// Start from the given keys, in order; a key given several times becomes multivalued.
    pub(crate) fn given(pairs: &[(String, String)]) -> ContextBuilder {
        let mut grouped: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
        for (k, v) in pairs {
            grouped
                .entry(k.to_lowercase())
                .or_insert_with(|| (k.clone(), Vec::new()))
                .1
                .push(v.clone());
        }
        let mut b = ContextBuilder {
            context: Context::new(),
            report: ContextReport::default(),
            given: Vec::new(),
        };
        for (lower, (key, values)) in grouped {
            b.put(&key, values.clone());
            b.given.push(lower);
            b.report.given.push(ContextEntry {
                key,
                values,
                source: "given".into(),
            });
        }
        b
    }

    fn put(&mut self, key: &str, values: Vec<String>) {
        if values.len() > 1 || is_multivalued(key) {
            self.context.set_multi(key, values);
        } else if let Some(one) = values.into_iter().next() {
            self.context.set(key, one);
        }
    }

    /// Complete `key` unless the question gave it.
    pub(crate) fn infer(&mut self, key: &str, values: Vec<String>, source: &str) {
        if values.is_empty() || self.given.contains(&key.to_lowercase()) {
            return;
        }
        self.put(key, values.clone());
        self.report.inferred.push(ContextEntry {
            key: key.to_string(),
            values,
            source: source.to_string(),
        });
    }

    /// Complete a single-valued key unless the question gave it.
    pub(crate) fn infer_one(&mut self, key: &str, value: impl Into<String>, source: &str) {
        self.infer(key, vec![value.into()], source);
    }

    /// Complete every key of `keys` unless the question gave it.
    pub(crate) fn infer_all(&mut self, keys: &[InferredKey]) {
        for k in keys {
            self.infer(&k.key, k.values.clone(), &k.source);
        }
    }

    /// The context so far.
    pub(crate) fn context(&self) -> &Context {
        &self.context
    }

    /// The finished context and its record.
    pub(crate) fn finish(self) -> (Context, ContextReport) {
        (self.context, self.report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_key_given_twice_is_multivalued() {
        let b = ContextBuilder::given(&pairs(&[
            ("aws:SourceIp", "1.1.1.1"),
            ("aws:SourceIp", "2.2.2.2"),
        ]));
        assert_eq!(b.context().get("aws:SourceIp").unwrap().values.len(), 2);
    }

    #[test]
    fn a_catalog_multivalued_key_given_once_is_a_set() {
        let b = ContextBuilder::given(&pairs(&[("aws:TagKeys", "team")]));
        assert!(b.context().get("aws:TagKeys").unwrap().multi);
        let b = ContextBuilder::given(&pairs(&[("aws:SourceIp", "1.1.1.1")]));
        assert!(!b.context().get("aws:SourceIp").unwrap().multi);
    }

    #[test]
    fn inference_never_overrides_a_given_key_whatever_its_case() {
        let mut b = ContextBuilder::given(&pairs(&[("AWS:PrincipalArn", "given")]));
        b.infer_one("aws:PrincipalArn", "inferred", "the snapshot");
        b.infer_one("aws:PrincipalAccount", "111122223333", "the snapshot");
        let (ctx, report) = b.finish();
        assert_eq!(ctx.get("aws:principalarn").unwrap().values, ["given"]);
        assert_eq!(report.given.len(), 1);
        assert_eq!(report.inferred.len(), 1);
        assert_eq!(report.inferred[0].key, "aws:PrincipalAccount");
        assert_eq!(report.inferred[0].source, "the snapshot");
    }

    #[test]
    fn the_catalog_knows_the_multivalued_keys_the_world_used_to_list() {
        for key in [
            "aws:TagKeys",
            "aws:PrincipalOrgPaths",
            "aws:ResourceOrgPaths",
            "aws:CalledVia",
            "aws:PrincipalServiceNamesList",
            "aws:SourceOrgPaths",
            "aws:VpceOrgPaths",
            "sts:TransitiveTagKeys",
        ] {
            assert!(is_multivalued(key), "{key}");
        }
        assert!(!is_multivalued("aws:SourceIp"));
    }
}
