//! Could a policy's ARN pattern and a resource type's ARN template name the same resource?
//!
//! Both sides become sequences of character classes. A policy `*` is any run, `?` any one
//! character, a policy variable `${...}` any run (its value is unknown). In a template a
//! placeholder (`${LogGroupName}`) is one or more characters of any kind — names hold `/`
//! (log groups, object keys, IAM paths) and `:` (some table names) — except a placeholder that
//! is the whole resource field (`${BucketName}`), which holds no `/`: so `arn:aws:s3:::b/*` is
//! not a bucket, while the literal text of a template (`log-group:`, `/object/`) must be
//! there; a literal `*` in a template is any run. [`overlaps`] is reachability in the product
//! of the two automata: it answers "some ARN fits both", never more (linear in the product of
//! the lengths).

use iamwhy_policy::arn::split_pattern_fields;

/// One position of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cls {
    /// This character.
    Lit(char),
    /// Any one character.
    Any,
    /// Any one character but `/`.
    Seg,
    /// Any run of characters (possibly empty).
    AnyStar,
    /// Any run of characters without `/` (possibly empty).
    SegStar,
}

impl Cls {
    fn is_star(self) -> bool {
        matches!(self, Cls::AnyStar | Cls::SegStar)
    }

    /// The single-character class a star repeats.
    fn unit(self) -> Cls {
        match self {
            Cls::AnyStar => Cls::Any,
            Cls::SegStar => Cls::Seg,
            c => c,
        }
    }
}

/// The character a template placeholder never crosses: names (bucket names, role names,
/// table names) can hold `:` in some services, never `/` except in the last, extending
/// placeholder.
fn is_delim(c: char) -> bool {
    c == '/'
}

/// Can one character belong to both classes (neither a star)?
fn meet(a: Cls, b: Cls) -> bool {
    match (a, b) {
        (Cls::Lit(x), Cls::Lit(y)) => x == y,
        (Cls::Lit(x), Cls::Seg) | (Cls::Seg, Cls::Lit(x)) => !is_delim(x),
        _ => true,
    }
}

/// The visited states and the work list of [`overlaps`].
type Scratch = (Vec<bool>, Vec<(usize, usize)>);

/// True when some text matches both class sequences.
pub(crate) fn overlaps(a: &[Cls], b: &[Cls]) -> bool {
    thread_local! {
        /// Reused between calls: this runs for every (ARN, template) pair.
        static SCRATCH: std::cell::RefCell<Scratch> =
            const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (seen, stack) = &mut *s;
        overlaps_with(a, b, seen, stack)
    })
}

fn overlaps_with(
    a: &[Cls],
    b: &[Cls],
    seen: &mut Vec<bool>,
    stack: &mut Vec<(usize, usize)>,
) -> bool {
    let (n, m) = (a.len(), b.len());
    seen.clear();
    seen.resize((n + 1) * (m + 1), false);
    stack.clear();
    stack.push((0, 0));
    while let Some((i, j)) = stack.pop() {
        let idx = i * (m + 1) + j;
        if seen[idx] {
            continue;
        }
        seen[idx] = true;
        if i == n && j == m {
            return true;
        }
        let x = a.get(i).copied();
        let y = b.get(j).copied();
        if x.is_some_and(Cls::is_star) {
            stack.push((i + 1, j));
        }
        if y.is_some_and(Cls::is_star) {
            stack.push((i, j + 1));
        }
        if let (Some(x), Some(y)) = (x, y)
            && meet(x.unit(), y.unit())
        {
            let ni = if x.is_star() { i } else { i + 1 };
            let nj = if y.is_star() { j } else { j + 1 };
            if (ni, nj) != (i, j) {
                stack.push((ni, nj));
            }
        }
    }
    false
}

/// The six fields of a policy ARN pattern as classes (fields 1–5 lowercased); `None` when the
/// value is not an ARN with six fields.
pub(crate) fn policy_arn(text: &str, variables: bool) -> Option<[Vec<Cls>; 6]> {
    if !iamwhy_policy::source::starts_with_ignore_ascii_case(text, "arn:") {
        return None;
    }
    let fields = split_pattern_fields(text, variables);
    if fields.len() != 6 {
        return None;
    }
    Some(std::array::from_fn(|i| {
        policy_field(fields[i], i < 5, variables)
    }))
}

/// One field of a policy ARN pattern.
pub(crate) fn policy_field(text: &str, fold: bool, variables: bool) -> Vec<Cls> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if variables
            && rest.starts_with("${")
            && let Some(close) = rest.find('}')
        {
            out.push(Cls::AnyStar);
            rest = &rest[close + 1..];
            continue;
        }
        out.push(match c {
            '*' => Cls::AnyStar,
            '?' => Cls::Any,
            c if fold => Cls::Lit(c.to_ascii_lowercase()),
            c => Cls::Lit(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A compiled resource-type ARN template.
#[derive(Debug, Clone)]
pub(crate) struct TemplateClasses {
    /// The resource-type word of the resource field ([`type_word`]).
    pub(crate) word: Option<String>,
    /// The six fields.
    pub(crate) fields: [Vec<Cls>; 6],
    /// The service field, lowercased (`s3`), or `None` when it has a placeholder.
    pub(crate) service: Option<String>,
    /// Whether the Region field is empty (IAM, S3 buckets).
    pub(crate) region_empty: bool,
    /// Whether the account field is empty (S3 buckets).
    pub(crate) account_empty: bool,
}

/// Compile an ARN template (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
pub(crate) fn template(text: &str) -> Option<TemplateClasses> {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    if parts.len() != 6 || !parts[0].eq_ignore_ascii_case("arn") {
        return None;
    }
    let resource = parts[5];
    let fields = std::array::from_fn(|i| {
        if i < 5 {
            // AWS-owned resources have ARNs with an empty account (`arn:aws:ssm:us-east-1::
            // document/AWS-RunShellScript`), so a partition, Region or account placeholder may
            // be empty.
            template_field(parts[i], true)
                .into_iter()
                .filter(|c| *c != Cls::Any && *c != Cls::Seg)
                .collect()
        } else {
            template_field(resource, false)
        }
    });
    let service = (!parts[2].contains('{')).then(|| parts[2].to_ascii_lowercase());
    Some(TemplateClasses {
        word: type_word(resource).map(str::to_string),
        fields,
        service,
        region_empty: parts[3].is_empty(),
        account_empty: parts[4].is_empty(),
    })
}

/// One template field. A field that is a single placeholder (`${BucketName}`) holds no `/`;
/// other placeholders hold anything.
fn template_field(text: &str, fold: bool) -> Vec<Cls> {
    let single = placeholder_len(text, 0) == Some(text.len());
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if let Some(len) = placeholder_len(text, i) {
            if single {
                out.push(Cls::Seg);
                out.push(Cls::SegStar);
            } else {
                out.push(Cls::Any);
                out.push(Cls::AnyStar);
            }
            i += len;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or('\0');
        out.push(match c {
            '*' => Cls::AnyStar,
            c if fold => Cls::Lit(c.to_ascii_lowercase()),
            c => Cls::Lit(c),
        });
        i += c.len_utf8();
    }
    out
}

/// The length of a `${Name}` or `{Name}` placeholder starting at byte `i`, if one does.
fn placeholder_len(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let open = match bytes.get(i)? {
        b'$' if bytes.get(i + 1) == Some(&b'{') => 2,
        b'{' => 1,
        _ => return None,
    };
    let close = text[i + open..].find('}')?;
    Some(open + close + 1)
}

/// The resource-type word of an ARN's resource field: its first path segment, up to the first
/// `/` or `:` (`stack` of `stack/name/id`, `apis` of `/apis/x`). `None` when the field starts
/// with a placeholder (`${BucketName}`), which any word can fill.
pub(crate) fn type_word(resource: &str) -> Option<&str> {
    let rest = resource.strip_prefix('/').unwrap_or(resource);
    let end = rest.find(['/', ':']).unwrap_or(rest.len());
    let word = &rest[..end];
    (!word.contains(['$', '{'])).then_some(word)
}

/// Whether every field of the policy pattern overlaps the template's.
pub(crate) fn arn_overlaps(policy: &[Vec<Cls>; 6], template: &TemplateClasses) -> bool {
    policy
        .iter()
        .zip(template.fields.iter())
        .all(|(p, t)| overlaps(p, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fits(policy: &str, tmpl: &str) -> bool {
        arn_overlaps(&policy_arn(policy, true).unwrap(), &template(tmpl).unwrap())
    }

    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";

    #[test]
    fn an_object_pattern_is_not_a_bucket() {
        assert!(!fits("arn:aws:s3:::b/*", BUCKET));
        assert!(fits("arn:aws:s3:::b/*", OBJECT));
        assert!(fits("arn:aws:s3:::b", BUCKET));
        assert!(!fits("arn:aws:s3:::b", OBJECT));
        assert!(fits("arn:aws:s3:::b*", BUCKET), "b* can be the bucket b");
        assert!(fits("arn:aws:s3:::*", OBJECT));
        assert!(
            fits("arn:aws:s3:::b/a/b/c.txt", OBJECT),
            "object keys span segments"
        );
    }

    #[test]
    fn regions_accounts_and_variables() {
        assert!(!fits("arn:aws:s3:us-east-1::b", BUCKET));
        assert!(fits("arn:aws:s3:*:*:b", BUCKET), "* matches an empty field");
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(fits("arn:aws:iam::111122223333:role/a/b", role));
        assert!(fits("arn:aws:iam::${aws:PrincipalAccount}:role/x", role));
        assert!(!fits("arn:aws:iam::111122223333:user/x", role));
        let doc = "arn:${Partition}:ssm:${Region}:${Account}:document/${DocumentName}";
        assert!(
            fits("arn:aws:ssm:*::document/AWS-*", doc),
            "AWS-owned documents have no account"
        );
    }

    #[test]
    fn overlap_of_classes() {
        use Cls::*;
        assert!(overlaps(&[AnyStar], &[]));
        assert!(!overlaps(&[Seg, SegStar], &[Lit('a'), Lit('/'), Lit('b')]));
        assert!(overlaps(&[Seg, SegStar], &[Lit('a'), Lit(':'), Lit('b')]));
        assert!(overlaps(&[Any, AnyStar], &[Lit('a'), Lit('/'), Lit('b')]));
        assert!(!overlaps(&[Lit('a')], &[Lit('b')]));
    }
}
