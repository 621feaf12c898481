//! Resource-type ARN templates (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) compiled
//! into matchers for concrete ARNs.
//!
//! Rules, in the spirit of AWS's field-wise ARN comparison in resource matching:
//! * Both ARNs are split on their first five colons; fields 1–4 (partition, service, region,
//!   account) are compared ASCII case-insensitively, the resource field case-sensitively.
//! * A placeholder (`${Name}`, and the one bare `{Name}` in the data) matches one or more
//!   characters; a literal `*` in a template matches any run, possibly empty.
//! * The resource field is compared segment by segment, segments being separated by `/` or
//!   `:`; the concrete ARN must have the same delimiters in the same places, and a placeholder
//!   stays within its segment. That is an [`ArnFit::Exact`] match.
//! * Names that may contain delimiters (S3 object keys, IAM paths, qualified Lambda names, log
//!   stream names) are always the template's last placeholder. So when a template's resource
//!   field has at least one delimiter and ends with a placeholder, that placeholder may also
//!   swallow the rest of the ARN: an [`ArnFit::Extended`] match. A template that is a single
//!   placeholder (`${BucketName}`) never extends, so `arn:aws:s3:::b/k` is not a bucket. A
//!   trailing `*` in a template always covers the rest and counts as exact.
//! * When several resource types fit, exact fits win over extended ones, and then templates
//!   with more resource segments (the more specific ones) win.

use crate::pattern::{Pattern, Syntax};

/// How well a concrete ARN fits an ARN template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArnFit {
    /// Every placeholder matched within one segment of the resource field.
    Exact,
    /// The template's final placeholder had to cover several segments (`a/b/c` for an object
    /// key, a path, a qualified name). Callers prefer exact fits when there are any.
    Extended,
}

/// How the last segment of a template's resource field may cover the rest of an ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tail {
    /// Only the last segment itself.
    Closed,
    /// Ends with a placeholder after a delimiter: may extend (an [`ArnFit::Extended`] fit).
    Placeholder,
    /// Ends with a literal `*`: covers the rest (an exact fit).
    Star,
}

/// One compiled ARN template.
#[derive(Clone, Debug)]
pub(crate) struct ArnTemplate {
    /// Partition, service, region, account.
    fields: [Pattern; 4],
    /// Resource-field segments with the delimiter that follows each (0 after the last).
    segments: Vec<(Pattern, u8)>,
    tail: Tail,
}

impl ArnTemplate {
    /// Compiles a template; `None` if it is not `arn:` followed by five more fields.
    pub(crate) fn compile(text: &'static str) -> Option<ArnTemplate> {
        let mut parts = text.splitn(6, ':');
        if !parts.next()?.eq_ignore_ascii_case("arn") {
            return None;
        }
        let mut field = || parts.next().map(|f| Pattern::compile(f, Syntax::Arn, true));
        let fields = [field()?, field()?, field()?, field()?];
        let resource = parts.next()?;
        let segments = split_resource(resource);
        let last = &segments.last()?.0;
        let tail = if resource.ends_with('*') {
            Tail::Star
        } else if segments.len() > 1 && last.ends_with_gap() {
            Tail::Placeholder
        } else {
            Tail::Closed
        };
        Some(ArnTemplate {
            fields,
            segments,
            tail,
        })
    }

    /// Number of segments in the template's resource field; among extended fits, the
    /// template with more segments is the more specific one (`accesspoint/${Name}/object/${Key}`
    /// over `accesspoint/${Name}` for `accesspoint/ap/object/a/b`).
    pub(crate) fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// How `arn` fits this template, if at all.
    pub(crate) fn fit(&self, arn: &str) -> Option<ArnFit> {
        if arn.len() < 4 || !arn.as_bytes()[..4].eq_ignore_ascii_case(b"arn:") {
            return None;
        }
        let mut rest = &arn[4..];
        for pattern in &self.fields {
            let colon = rest.find(':')?;
            if !pattern.matches(&rest[..colon]) {
                return None;
            }
            rest = &rest[colon + 1..];
        }
        let (last, init) = self.segments.split_last()?;
        for (pattern, delim) in init {
            let at = rest.find(['/', ':'])?;
            if rest.as_bytes()[at] != *delim || !pattern.matches(&rest[..at]) {
                return None;
            }
            rest = &rest[at + 1..];
        }
        match rest.find(['/', ':']) {
            None => last.0.matches(rest).then_some(ArnFit::Exact),
            Some(at) => {
                let fit = match self.tail {
                    Tail::Closed => return None,
                    Tail::Star => ArnFit::Exact,
                    Tail::Placeholder => ArnFit::Extended,
                };
                last.0.matches(&rest[..at]).then_some(fit)
            }
        }
    }
}

/// Splits a template's resource field on `/` and `:` outside `{...}`.
fn split_resource(resource: &'static str) -> Vec<(Pattern, u8)> {
    let mut out = Vec::new();
    let mut depth = 0u32;
    let mut start = 0;
    for (i, b) in resource.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'/' | b':' if depth == 0 => {
                out.push((Pattern::compile(&resource[start..i], Syntax::Arn, false), b));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push((Pattern::compile(&resource[start..], Syntax::Arn, false), 0));
    out
}

#[cfg(test)]
mod tests {
    use super::{ArnFit, ArnTemplate};

    fn fit(t: &'static str, arn: &str) -> Option<ArnFit> {
        ArnTemplate::compile(t).expect("compiles").fit(arn)
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";

    #[test]
    fn s3_bucket_and_object() {
        assert_eq!(fit(BUCKET, "arn:aws:s3:::b"), Some(ArnFit::Exact));
        assert_eq!(fit(BUCKET, "arn:aws:s3:::b/k"), None);
        assert_eq!(fit(OBJECT, "arn:aws:s3:::b/k"), Some(ArnFit::Exact));
        assert_eq!(
            fit(OBJECT, "arn:aws:s3:::b/k/x.txt"),
            Some(ArnFit::Extended)
        );
        assert_eq!(fit(OBJECT, "arn:aws:s3:::b"), None);
        assert_eq!(fit(OBJECT, "arn:aws:s3:::b/"), None);
        assert_eq!(fit(BUCKET, "arn:aws:s3:us-east-1::b"), None);
        assert_eq!(fit(BUCKET, "arn:aws-cn:S3:::b"), Some(ArnFit::Exact));
        assert_eq!(fit(BUCKET, "arn::s3:::b"), None);
        assert_eq!(fit(BUCKET, "arn:aws:s3::"), None);
        assert_eq!(fit(BUCKET, "not an arn"), None);
    }

    #[test]
    fn iam_paths_and_types() {
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert_eq!(
            fit(role, "arn:aws:iam::123456789012:role/r"),
            Some(ArnFit::Exact)
        );
        assert_eq!(
            fit(role, "arn:aws:iam::123456789012:role/p/q/r"),
            Some(ArnFit::Extended)
        );
        assert_eq!(fit(role, "arn:aws:iam::123456789012:user/r"), None);
        assert_eq!(fit(role, "arn:aws:iam::123456789012:Role/r"), None);
        assert_eq!(fit(role, "arn:aws:iam:::role/r"), None);
    }

    #[test]
    fn delimiters_must_agree() {
        let alias = "arn:${Partition}:lex:${Region}:${Account}:bot:${BotName}:${BotAlias}";
        assert_eq!(
            fit(alias, "arn:aws:lex:us-east-1:1:bot:b:a"),
            Some(ArnFit::Exact)
        );
        assert_eq!(fit(alias, "arn:aws:lex:us-east-1:1:bot/b:a"), None);
        let idx =
            "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}";
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        let arn = "arn:aws:dynamodb:us-east-1:1:table/t/index/i";
        assert_eq!(fit(idx, arn), Some(ArnFit::Exact));
        assert_eq!(fit(table, arn), Some(ArnFit::Extended));
    }

    #[test]
    fn stars_in_templates() {
        let t = "arn:${Partition}:amplifybackend:${Region}:${Account}:/backend/${AppId}/api/*";
        assert_eq!(
            fit(t, "arn:aws:amplifybackend:us-east-1:1:/backend/app/api/x/y"),
            Some(ArnFit::Exact)
        );
        assert_eq!(
            fit(t, "arn:aws:amplifybackend:us-east-1:1:/backend/app/api/"),
            Some(ArnFit::Exact)
        );
        let braket = "arn:${Partition}:braket:*:*:device/${DeviceType}/${Provider}/${DeviceId}";
        assert_eq!(
            fit(braket, "arn:aws:braket:::device/qpu/ionq/Aria-1"),
            Some(ArnFit::Exact)
        );
    }

    #[test]
    fn bad_templates_do_not_compile() {
        assert!(ArnTemplate::compile("arn:aws:s3").is_none());
        assert!(ArnTemplate::compile("urn:a:b:c:d:e").is_none());
    }
}
