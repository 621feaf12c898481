//! ARNs and resource patterns (spec §4.2).
//!
//! An ARN is split on its first five colons: `arn:partition:service:region:account:resource`.
//! The sixth field keeps every further `:` and `/`, so a `*` there crosses them freely. Fields
//! one to five are compared case-insensitively (ASCII), the resource field case-sensitively.
//! Wildcards are allowed in every field, including the resource-type part of the sixth field:
//! AWS's own managed policies rely on that (`arn:aws:bedrock:*:*:*-model/*`), so spec §4.2.5's
//! "never matches" reading is not followed (see docs/spec-notes.md).

use crate::policy_type::PolicyType;
use crate::template::Template;
use crate::wildcard::Wildcard;

/// A concrete ARN prepared for matching: the first five fields ASCII-lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnTarget {
    folded: [Box<str>; 5],
    resource: Box<str>,
}

impl ArnTarget {
    /// Split a request ARN. `None` when it does not have six fields or does not start with `arn`.
    pub fn new(arn: &str) -> Option<ArnTarget> {
        let mut it = arn.splitn(6, ':');
        let fields: [&str; 6] = [
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
            it.next()?,
        ];
        if !fields[0].eq_ignore_ascii_case("arn") {
            return None;
        }
        Some(ArnTarget {
            folded: std::array::from_fn(|i| fields[i].to_ascii_lowercase().into_boxed_str()),
            resource: fields[5].into(),
        })
    }

    /// Partition (lowercased), e.g. `aws`.
    pub fn partition(&self) -> &str {
        &self.folded[1]
    }
    /// Service (lowercased), e.g. `s3`.
    pub fn service(&self) -> &str {
        &self.folded[2]
    }
    /// Region (lowercased), possibly empty.
    pub fn region(&self) -> &str {
        &self.folded[3]
    }
    /// Account id, possibly empty.
    pub fn account(&self) -> &str {
        &self.folded[4]
    }
    /// The resource field, as written.
    pub fn resource(&self) -> &str {
        &self.resource
    }
}

/// A compiled `Resource`/`NotResource` value.
#[derive(Debug, Clone)]
pub enum ResourcePattern {
    /// Exactly `"*"`: every resource, including the `*` of wildcard-only actions.
    All,
    /// An ARN pattern.
    Arn(Box<ArnPattern>),
    /// A value that matches nothing; the reason says why.
    Never {
        /// One sentence.
        reason: &'static str,
    },
}

/// An ARN pattern: five folded wildcard fields and a (possibly templated) resource field.
#[derive(Debug, Clone)]
pub struct ArnPattern {
    fields: [Wildcard; 5],
    resource: ResourceField,
    /// True when the value was a short ARN padded with `*` fields.
    pub padded: bool,
}

#[derive(Debug, Clone)]
enum ResourceField {
    Static(Wildcard),
    Templated(Template),
}

/// How a policy type treats a short ARN (fewer than six fields), spec §4.2.6.
fn short_arn_rule(policy_type: PolicyType, text: &str) -> Result<(), &'static str> {
    let has_wildcard = text.contains(['*', '?']);
    match policy_type {
        PolicyType::Identity | PolicyType::Boundary | PolicyType::Session => Ok(()),
        PolicyType::Resource | PolicyType::Trust | PolicyType::Endpoint if has_wildcard => Ok(()),
        PolicyType::Resource | PolicyType::Trust | PolicyType::Endpoint => {
            Err("a short ARN without a wildcard matches nothing in this policy type")
        }
        PolicyType::Scp if text.ends_with('*') => Ok(()),
        PolicyType::Scp => Err("a short ARN in a service control policy must end with \"*\""),
        PolicyType::Rcp => Err("resource control policies do not accept short ARNs"),
    }
}

impl ResourcePattern {
    /// Compile a resource value of a policy of type `policy_type`; `variables` says whether
    /// `${...}` is substituted (policy version 2012-10-17).
    pub fn compile(text: &str, policy_type: PolicyType, variables: bool) -> ResourcePattern {
        if text == "*" {
            return ResourcePattern::All;
        }
        if !(text.len() >= 4 && text[..4].eq_ignore_ascii_case("arn:")) {
            return ResourcePattern::Never {
                reason: "a resource must be \"*\" or an ARN starting with \"arn:\"",
            };
        }
        let mut fields: Vec<&str> = text.splitn(6, ':').collect();
        let padded = fields.len() < 6;
        if padded {
            if let Err(reason) = short_arn_rule(policy_type, text) {
                return ResourcePattern::Never { reason };
            }
            fields.resize(6, "*");
        }
        let template = Template::parse(fields[5], variables);
        let resource = if template.has_variables() || template.as_plain_text().is_none() {
            ResourceField::Templated(template)
        } else {
            ResourceField::Static(Wildcard::compile(fields[5]))
        };
        ResourcePattern::Arn(Box::new(ArnPattern {
            fields: std::array::from_fn(|i| Wildcard::compile(&fields[i].to_ascii_lowercase())),
            resource,
            padded,
        }))
    }

    /// Does the pattern match a concrete request ARN? `resolve` gives the single value of a
    /// (lowercased) context key for policy variables. A pattern with an unresolvable variable
    /// matches nothing.
    pub fn matches<'v>(
        &self,
        target: &ArnTarget,
        resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> bool {
        match self {
            ResourcePattern::All => true,
            ResourcePattern::Arn(p) => p.matches(target, resolve),
            ResourcePattern::Never { .. } => false,
        }
    }
}

impl ArnPattern {
    /// Field-wise match against a concrete ARN.
    pub fn matches<'v>(
        &self,
        target: &ArnTarget,
        resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> bool {
        if !self
            .fields
            .iter()
            .zip(target.folded.iter())
            .all(|(p, t)| p.matches(t))
        {
            return false;
        }
        match &self.resource {
            ResourceField::Static(w) => w.matches(&target.resource),
            ResourceField::Templated(t) => match t.resolve_tokens(resolve) {
                Some(tokens) => Wildcard::from_tokens(tokens).matches(&target.resource),
                None => false,
            },
        }
    }

    /// The variables used in the resource field.
    pub fn variable_keys(&self) -> Vec<&str> {
        match &self.resource {
            ResourceField::Templated(t) => t.variable_keys().collect(),
            ResourceField::Static(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, arn: &str) -> bool {
        ResourcePattern::compile(pattern, PolicyType::Identity, true)
            .matches(&ArnTarget::new(arn).unwrap(), |_| None)
    }

    #[test]
    fn sixth_field_keeps_colons_and_slashes() {
        let t = ArnTarget::new("arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x")
            .unwrap();
        assert_eq!(t.resource(), "log-group:app:log-stream:x");
        assert!(m(
            "arn:aws:logs:us-east-1:111122223333:log-group:app:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x"
        ));
    }

    #[test]
    fn wildcard_in_first_five_fields_stays_in_its_field() {
        assert!(
            !m("arn:aws:*:b", "arn:aws:s3:::b"),
            "the * stays in the service field; b is compared with the region"
        );
        assert!(
            m("arn:aws:s3:*", "arn:aws:s3:::b/k"),
            "padded to arn:aws:s3:*:*:*"
        );
        assert!(
            m("arn:aws:s3", "arn:aws:s3:::b/k"),
            "identity short ARN is padded"
        );
        assert!(!m("arn:aws:*:us-east-1:*:x", "arn:aws:s3:::x"));
    }

    #[test]
    fn resource_field_is_case_sensitive_and_others_are_not() {
        assert!(m("ARN:AWS:S3:::b/K", "arn:aws:s3:::b/K"));
        assert!(!m("arn:aws:s3:::b/k", "arn:aws:s3:::b/K"));
    }

    #[test]
    fn empty_fields_match_only_empty_fields_unless_wildcard() {
        assert!(!m("arn:aws:s3:us-east-1::b", "arn:aws:s3:::b"));
        assert!(m("arn:aws:s3:*:*:b", "arn:aws:s3:::b"));
    }

    #[test]
    fn wildcard_in_resource_type_token_matches_like_aws_managed_policies() {
        assert!(m(
            "arn:aws:bedrock:*:*:*-model/*",
            "arn:aws:bedrock:us-east-1::foundation-model/x"
        ));
    }

    #[test]
    fn short_arn_rules_per_policy_type() {
        let target = ArnTarget::new("arn:aws:sqs:us-east-1:1:q").unwrap();
        let ok = |ty, p| ResourcePattern::compile(p, ty, true).matches(&target, |_| None);
        assert!(ok(PolicyType::Identity, "arn:aws:sqs"));
        assert!(ok(PolicyType::Boundary, "arn:aws:sqs"));
        assert!(!ok(PolicyType::Resource, "arn:aws:sqs"));
        assert!(ok(PolicyType::Resource, "arn:aws:sq*"));
        assert!(!ok(PolicyType::Scp, "arn:aws:sqs"));
        assert!(ok(PolicyType::Scp, "arn:aws:sqs*"));
        assert!(!ok(PolicyType::Rcp, "arn:aws:sqs*"));
    }

    #[test]
    fn variables_substitute_only_in_the_resource_field() {
        let p = ResourcePattern::compile(
            "arn:aws:s3:::b/${aws:username}/*",
            PolicyType::Identity,
            true,
        );
        let t = ArnTarget::new("arn:aws:s3:::b/Ana/x").unwrap();
        assert!(p.matches(&t, |k| (k == "aws:username").then_some("Ana")));
        assert!(!p.matches(&t, |k| (k == "aws:username").then_some("ana")));
        assert!(
            !p.matches(&t, |_| None),
            "unresolvable variable matches nothing"
        );
        let q =
            ResourcePattern::compile("arn:aws:s3:${aws:username}::b", PolicyType::Identity, true);
        assert!(
            !q.matches(&ArnTarget::new("arn:aws:s3:Ana::b").unwrap(), |_| Some(
                "Ana"
            ))
        );
    }

    #[test]
    fn non_arn_values_match_nothing() {
        assert!(matches!(
            ResourcePattern::compile("my-bucket", PolicyType::Identity, true),
            ResourcePattern::Never { .. }
        ));
    }
}
