//! ARNs and resource patterns (AWS: resource matching).
//!
//! An ARN is split on its first five colons: `arn:partition:service:region:account:resource`.
//! The sixth field keeps every further `:` and `/`, so a `*` there crosses them freely. Fields
//! one to five are compared case-insensitively (ASCII), the resource field case-sensitively.
//! Wildcards are allowed in every field, including the resource-type part of the sixth field:
//! AWS's own managed policies rely on that (`arn:aws:bedrock:*:*:*-model/*`), so the
//! "a wildcard in the resource type never matches" reading is not followed, and policy variables are substituted in every
//! field: AWS's own `AmazonTimestreamInfluxDBServiceRolePolicy` writes
//! `arn:*:kms:*:${aws:PrincipalAccount}:key/*` (a reading of AWS's policy-variable rules says "field 6 only"; see
//! docs/spec-notes.md).

use crate::policy_type::PolicyType;
use crate::template::Template;
use crate::wildcard::Shape;

/// An ARN split into its six fields, borrowing the text: the one way the project reads an
/// ARN's partition, service, region, account or resource.
///
/// The text is split on its first five colons; the resource field keeps every further `:` and
/// `/`. Only the `arn` prefix is checked (case-insensitively): fields may be empty, as in S3's
/// `arn:aws:s3:::bucket`.
///
/// ```
/// use iamwhy_policy::Arn;
/// let arn = Arn::parse("arn:aws:iam::123456789012:role/team/deploy").unwrap();
/// assert_eq!(arn.service, "iam");
/// assert_eq!(arn.account_id(), Some("123456789012"));
/// assert_eq!(arn.resource_type(), Some("role"));
/// assert_eq!(arn.resource_name(), "deploy");
/// assert_eq!(Arn::parse("arn:aws:s3:::reports/q1.csv").unwrap().s3_bucket(), Some("reports"));
/// assert!(Arn::parse("not-an-arn").is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// The service namespace, e.g. `s3`.
    pub service: &'a str,
    /// The region, possibly empty.
    pub region: &'a str,
    /// The account id (or `aws` for AWS managed policies), possibly empty.
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Split `text` into its six fields; `None` when it has fewer or does not start with `arn:`.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut it = text.splitn(6, ':');
        let prefix = it.next()?;
        if !prefix.eq_ignore_ascii_case("arn") {
            return None;
        }
        Some(Arn {
            partition: it.next()?,
            service: it.next()?,
            region: it.next()?,
            account: it.next()?,
            resource: it.next()?,
        })
    }

    /// The account field when it is a 12-digit account id.
    pub fn account_id(&self) -> Option<&'a str> {
        is_account_id(self.account).then_some(self.account)
    }

    /// The region field when it names a region (not empty, not a wildcard).
    pub fn named_region(&self) -> Option<&'a str> {
        (!self.region.is_empty() && !self.region.contains(['*', '?'])).then_some(self.region)
    }

    /// The partition, or `aws` when the field is empty.
    pub fn partition_or_default(&self) -> &'a str {
        if self.partition.is_empty() {
            "aws"
        } else {
            self.partition
        }
    }

    /// The resource type: the resource field up to its first `/` or `:` (`role` in
    /// `role/path/name`, `function` in `function:name:alias`); `None` when it has neither.
    pub fn resource_type(&self) -> Option<&'a str> {
        self.resource.find(['/', ':']).map(|i| &self.resource[..i])
    }

    /// The resource field after its type and delimiter (`path/name` in `role/path/name`); the
    /// whole field when it has no type.
    pub fn resource_path(&self) -> &'a str {
        match self.resource.find(['/', ':']) {
            Some(i) => &self.resource[i + 1..],
            None => self.resource,
        }
    }

    /// The last `/`-separated segment of the resource field (an IAM entity's name).
    pub fn resource_name(&self) -> &'a str {
        self.resource.rsplit('/').next().unwrap_or(self.resource)
    }

    /// For an S3 bucket or object ARN (`arn:<partition>:s3:::bucket[/key]`): the bucket.
    pub fn s3_bucket(&self) -> Option<&'a str> {
        (self.service == "s3" && self.region.is_empty() && self.account.is_empty())
            .then(|| self.resource.split('/').next().unwrap_or(self.resource))
            .filter(|b| !b.is_empty())
    }

    /// For an S3 object ARN: the object key (after the bucket and its `/`).
    pub fn s3_key(&self) -> Option<&'a str> {
        self.s3_bucket()?;
        self.resource.split_once('/').map(|(_, key)| key)
    }
}

/// Whether `s` is a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A concrete ARN prepared for matching: the first five fields ASCII-lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnTarget {
    folded: [Box<str>; 5],
    resource: Box<str>,
}

impl ArnTarget {
    /// Split a request ARN. `None` when it does not have six fields or does not start with `arn`.
    pub fn new(arn: &str) -> Option<ArnTarget> {
        let a = Arn::parse(arn)?;
        let fields = [
            "arn",
            a.partition,
            a.service,
            a.region,
            a.account,
            a.resource,
        ];
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

/// An ARN pattern: six fields, the first five compared case-insensitively.
#[derive(Debug, Clone)]
pub struct ArnPattern {
    fields: [Field; 6],
    /// The fields as written (first five lowercased, a padded field as `*`), joined by `:`,
    /// for pattern-to-pattern relations; field `i` is `text[bounds[i].0..bounds[i].1]`.
    text: Box<str>,
    bounds: [(u32, u32); 6],
    /// True when the value was a short ARN padded with `*` fields.
    pub padded: bool,
}

/// One field: compiled once, or (with policy variables) resolved per request.
#[derive(Debug, Clone)]
enum Field {
    /// Ranges of the pattern's joined text (which holds the field as matched: lowercased in
    /// the first five), so a field costs no allocation of its own.
    Static(Shape),
    Templated(Template),
}

impl Field {
    /// `text` is the field as written, `folded` the same field in the joined text (ASCII
    /// lowercased when `fold`).
    fn compile(text: &str, folded: &str, variables: bool) -> Field {
        if !variables || !text.contains("${") {
            return Field::Static(Shape::of(folded));
        }
        let template = Template::parse(text, variables);
        match template.as_plain_text() {
            // A plain template is the text as written (no variable was recognised).
            Some(plain) => {
                debug_assert_eq!(plain.len(), folded.len());
                Field::Static(Shape::of(folded))
            }
            None => Field::Templated(template),
        }
    }

    /// `pattern` is the field's text in the joined text.
    fn matches<'v>(
        &self,
        pattern: &str,
        text: &str,
        fold: bool,
        resolve: &mut impl FnMut(&str) -> Option<&'v str>,
    ) -> bool {
        match self {
            Field::Static(s) => s.matches(pattern.as_bytes(), text),
            Field::Templated(t) => match t.resolve_tokens(&mut *resolve) {
                Some(mut tokens) => {
                    if fold {
                        for t in &mut tokens {
                            if let crate::wildcard::Token::Char(c) = t {
                                *c = c.to_ascii_lowercase();
                            }
                        }
                    }
                    crate::wildcard::matches_tokens(&tokens, text)
                }
                None => false,
            },
        }
    }
}

/// How a policy type treats a short ARN (fewer than six fields).
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
        if !crate::source::starts_with_ignore_ascii_case(text, "arn:") {
            return ResourcePattern::Never {
                reason: "a resource must be \"*\" or an ARN starting with \"arn:\"",
            };
        }
        let (mut fields, count) = pattern_fields(text, variables);
        let padded = count < 6;
        if padded {
            if let Err(reason) = short_arn_rule(policy_type, text) {
                return ResourcePattern::Never { reason };
            }
            fields[count..].fill("*");
        }
        let mut joined = String::with_capacity(text.len() + 2 * (6 - count));
        let mut bounds = [(0u32, 0u32); 6];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                joined.push(':');
            }
            let start = joined.len() as u32;
            joined.push_str(f);
            if i < 5 {
                joined[start as usize..].make_ascii_lowercase();
            }
            bounds[i] = (start, joined.len() as u32);
        }
        ResourcePattern::Arn(Box::new(ArnPattern {
            fields: std::array::from_fn(|i| {
                let (start, end) = bounds[i];
                Field::compile(fields[i], &joined[start as usize..end as usize], variables)
            }),
            text: joined.into_boxed_str(),
            bounds,
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

/// Split an ARN pattern on its first five colons, skipping colons inside `${...}` variables
/// (`${aws:PrincipalAccount}` is one field) when variables are substituted.
pub fn split_pattern_fields(text: &str, variables: bool) -> Vec<&str> {
    let (fields, count) = pattern_fields(text, variables);
    fields[..count].to_vec()
}

/// [`split_pattern_fields`] without a vector: the fields and how many there are (1 to 6).
fn pattern_fields(text: &str, variables: bool) -> ([&str; 6], usize) {
    let mut fields = [""; 6];
    let mut count = 0;
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0usize, 0usize);
    while i < bytes.len() && count < 5 {
        if variables
            && bytes[i] == b'$'
            && bytes.get(i + 1) == Some(&b'{')
            && let Some(close) = text[i..].find('}')
        {
            i += close + 1;
            continue;
        }
        if bytes[i] == b':' {
            fields[count] = &text[start..i];
            count += 1;
            start = i + 1;
        }
        i += 1;
    }
    fields[count] = &text[start..];
    (fields, count + 1)
}

impl ArnPattern {
    /// Field-wise match against a concrete ARN.
    pub fn matches<'v>(
        &self,
        target: &ArnTarget,
        mut resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> bool {
        (0..5).all(|i| {
            self.fields[i].matches(self.field_text(i), &target.folded[i], true, &mut resolve)
        }) && self.fields[5].matches(self.field_text(5), &target.resource, false, &mut resolve)
    }

    /// Field `i` as matched (the first five lowercased).
    fn field_text(&self, i: usize) -> &str {
        let (start, end) = self.bounds[i];
        &self.text[start as usize..end as usize]
    }

    /// The tokens of field `i` after resolving variables; `None` when a variable is
    /// unresolvable.
    pub fn field_tokens<'v>(
        &self,
        i: usize,
        resolve: impl FnMut(&str) -> Option<&'v str>,
    ) -> Option<Vec<crate::wildcard::Token>> {
        match &self.fields[i] {
            Field::Static(_) => Some(crate::wildcard::tokens(self.field_text(i)).collect()),
            Field::Templated(t) => {
                let mut toks = t.resolve_tokens(resolve)?;
                if i < 5 {
                    for tok in &mut toks {
                        if let crate::wildcard::Token::Char(c) = tok {
                            *c = c.to_ascii_lowercase();
                        }
                    }
                }
                Some(toks)
            }
        }
    }

    /// The (lowercased) keys of the policy variables the pattern uses.
    pub fn variable_keys(&self) -> Vec<&str> {
        self.fields
            .iter()
            .flat_map(|f| match f {
                Field::Templated(t) => t.variable_keys().collect(),
                Field::Static(_) => Vec::new(),
            })
            .collect()
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
    fn variables_substitute_in_every_field_like_aws_managed_policies() {
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
        let q = ResourcePattern::compile(
            "arn:*:kms:*:${aws:PrincipalAccount}:key/*",
            PolicyType::Identity,
            true,
        );
        let key = ArnTarget::new("arn:aws:kms:eu-west-1:111122223333:key/k1").unwrap();
        assert!(q.matches(&key, |k| {
            (k == "aws:principalaccount").then_some("111122223333")
        }));
        assert!(!q.matches(&key, |k| {
            (k == "aws:principalaccount").then_some("444455556666")
        }));
    }

    /// A field without wildcards or variables is compared with the pattern's joined text (it
    /// keeps no copy of its own): it must agree with the field compiled as a wildcard, in every
    /// field, padded short ARNs and variables-off (2008) policies included.
    #[test]
    fn literal_fields_match_as_their_wildcards_would() {
        let patterns = [
            "arn:AWS:S3:::Bucket/Key",
            "arn:aws:iam::111122223333:role/Admin",
            "arn:aws:sqs:us-east-1:111122223333:queue",
            "arn:aws:s3:::b/${aws:username}",
            "arn:aws:ec2",
        ];
        let arns = [
            "arn:aws:s3:::Bucket/Key",
            "arn:aws:s3:::bucket/key",
            "arn:aws:iam::111122223333:role/Admin",
            "arn:aws:iam::111122223333:role/admin",
            "arn:aws:sqs:us-east-1:111122223333:queue",
            "arn:aws:sqs:us-east-2:111122223333:queue",
            "arn:aws:s3:::b/${aws:username}",
            "arn:aws:ec2:us-east-1:1:instance/i-1",
        ];
        for p in patterns {
            for variables in [false, true] {
                let compiled = ResourcePattern::compile(p, PolicyType::Identity, variables);
                let ResourcePattern::Arn(a) = &compiled else {
                    panic!("{p}")
                };
                for arn in arns {
                    let target = ArnTarget::new(arn).unwrap();
                    let by_wildcard = (0..6).all(|i| {
                        let (start, end) = a.bounds[i];
                        let own = &a.text[start as usize..end as usize];
                        let text = if i < 5 {
                            &target.folded[i]
                        } else {
                            &target.resource
                        };
                        match &a.fields[i] {
                            Field::Templated(_) => true,
                            _ => crate::wildcard::Wildcard::compile(own).matches(text),
                        }
                    });
                    let templated = a.fields.iter().any(|f| matches!(f, Field::Templated(_)));
                    if !templated {
                        assert_eq!(
                            compiled.matches(&target, |_| None),
                            by_wildcard,
                            "{p} {arn} {variables}"
                        );
                    }
                }
            }
        }
        assert!(m("arn:AWS:S3:::Bucket/Key", "arn:aws:s3:::Bucket/Key"));
        assert!(!m("arn:AWS:S3:::Bucket/Key", "arn:aws:s3:::bucket/Key"));
    }

    #[test]
    fn non_arn_values_match_nothing() {
        assert!(matches!(
            ResourcePattern::compile("my-bucket", PolicyType::Identity, true),
            ResourcePattern::Never { .. }
        ));
    }
}
