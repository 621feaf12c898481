//! Per-family comparison of one request value with one compiled policy value.

use crate::tri::Tri;
use iamwhy_policy::condition_operator::{BaseOperator, OperatorFamily};
use iamwhy_policy::inline::InlineStr;
use iamwhy_policy::template::Template;
use iamwhy_policy::values::{Cidr, Decimal, Instant, decode_base64, parse_bool, parse_request_ip};
use iamwhy_policy::wildcard::{Wildcard, matches_tokens};
use std::cmp::Ordering;

/// A policy value parsed for its operator family.
#[derive(Debug, Clone)]
pub(crate) struct PolicyValue {
    raw: InlineStr,
    parsed: Parsed,
}

#[derive(Debug, Clone)]
enum Parsed {
    /// String and Arn operators (and Bool, which substitutes variables before parsing).
    Template(Template),
    /// StringLike / ArnLike without variables: compiled once.
    Static(Wildcard),
    Numeric(Option<Decimal>),
    Date(Option<Instant>),
    Binary(Option<Vec<u8>>),
    Ip(Option<Cidr>),
    Null(Option<bool>),
}

impl PolicyValue {
    pub(crate) fn compile(base: BaseOperator, raw: &str, variables: bool) -> PolicyValue {
        let subst = variables && base.substitutes_variables();
        let parsed = match base.family() {
            OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Bool => {
                let t = Template::parse(raw, subst);
                let is_like =
                    matches!(base, BaseOperator::StringLike | BaseOperator::StringNotLike);
                match t.as_plain_text() {
                    Some(text) if is_like => Parsed::Static(Wildcard::compile(text)),
                    _ => Parsed::Template(t),
                }
            }
            OperatorFamily::Numeric => Parsed::Numeric(Decimal::parse(raw)),
            OperatorFamily::Date => Parsed::Date(Instant::parse(raw)),
            OperatorFamily::Binary => Parsed::Binary(decode_base64(raw)),
            OperatorFamily::Ip => Parsed::Ip(Cidr::parse(raw)),
            OperatorFamily::Null => Parsed::Null(parse_bool(raw)),
        };
        PolicyValue {
            raw: InlineStr::new(raw),
            parsed,
        }
    }

    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    /// The (lowercased) keys of the policy variables in the value.
    pub(crate) fn variable_keys(&self) -> impl Iterator<Item = &str> {
        match &self.parsed {
            Parsed::Template(t) => Some(t.variable_keys()),
            _ => None,
        }
        .into_iter()
        .flatten()
    }

    pub(crate) fn null_expectation(&self) -> Option<bool> {
        match self.parsed {
            Parsed::Null(b) => b,
            _ => None,
        }
    }

    /// The value as the explanation shows it: substituted, or marked unresolved.
    pub(crate) fn display<'c>(&self, resolve: impl Fn(&str) -> Option<&'c str>) -> String {
        match &self.parsed {
            Parsed::Template(t) if t.has_variables() || t.as_plain_text().is_none() => {
                match t.resolve_text(resolve) {
                    Some(s) => s,
                    None => format!("{} (unresolved)", self.raw),
                }
            }
            _ => self.raw.to_string(),
        }
    }
}

fn unknown(note: &mut Option<String>, message: String) -> Tri {
    *note = Some(format!("cannot be evaluated: {message}"));
    Tri::Unknown
}

/// The positive counterpart of `base` applied to (request value `r`, policy value `v`).
pub(crate) fn test_positive<'c>(
    base: BaseOperator,
    r: &str,
    v: &PolicyValue,
    resolve: impl Fn(&str) -> Option<&'c str>,
    note: &mut Option<String>,
) -> Tri {
    use BaseOperator::*;
    match (&v.parsed, base.family()) {
        (Parsed::Static(w), OperatorFamily::String) => Tri::from_bool(w.matches(r)),
        (Parsed::Static(w), _) => Tri::from_bool(w.matches(r)),
        (Parsed::Template(t), OperatorFamily::String) => match base {
            StringLike | StringNotLike => match t.resolve_tokens(resolve) {
                Some(tokens) => Tri::from_bool(matches_tokens(&tokens, r)),
                None => Tri::False,
            },
            StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => match t.resolve_text(resolve) {
                Some(p) => Tri::from_bool(simple_fold_eq(&p, r)),
                None => Tri::False,
            },
            _ => match t.as_plain_text() {
                Some(p) => Tri::from_bool(p == r),
                None => match t.resolve_text(resolve) {
                    Some(p) => Tri::from_bool(p == r),
                    None => Tri::False,
                },
            },
        },
        (Parsed::Template(t), OperatorFamily::Arn) => match t.resolve_tokens(resolve) {
            Some(tokens) => Tri::from_bool(arn_like(&tokens, r)),
            None => Tri::False,
        },
        (Parsed::Template(t), OperatorFamily::Bool) => {
            let Some(p) = t.resolve_text(resolve) else {
                return Tri::False;
            };
            let Some(p) = parse_bool(&p) else {
                return unknown(
                    note,
                    format!("Bool expects \"true\" or \"false\", not \"{p}\""),
                );
            };
            match parse_bool(r) {
                Some(b) => Tri::from_bool(b == p),
                None => unknown(note, format!("the request value \"{r}\" is not a boolean")),
            }
        }
        (Parsed::Numeric(p), _) => {
            let Some(p) = p else {
                return unknown(note, format!("\"{}\" is not a number", v.raw));
            };
            let Some(n) = Decimal::parse(r) else {
                return unknown(note, format!("the request value \"{r}\" is not a number"));
            };
            Tri::from_bool(ordering_holds(base, n.cmp(p)))
        }
        (Parsed::Date(p), _) => {
            let Some(p) = p else {
                return unknown(note, format!("\"{}\" is not a date", v.raw));
            };
            let Some(d) = Instant::parse(r) else {
                return unknown(note, format!("the request value \"{r}\" is not a date"));
            };
            Tri::from_bool(ordering_holds(base, d.cmp(p)))
        }
        (Parsed::Binary(p), _) => {
            let Some(p) = p else {
                return unknown(note, format!("\"{}\" is not base64", v.raw));
            };
            let bytes = decode_base64(r);
            Tri::from_bool(bytes.as_deref().unwrap_or(r.as_bytes()) == p.as_slice())
        }
        (Parsed::Ip(p), _) => {
            let Some(p) = p else {
                return unknown(
                    note,
                    format!("\"{}\" is not an IP address or CIDR block", v.raw),
                );
            };
            match parse_request_ip(r) {
                Some(addr) => Tri::from_bool(p.contains(addr)),
                None => unknown(
                    note,
                    format!("the request value \"{r}\" is not an IP address"),
                ),
            }
        }
        (Parsed::Null(_), _) | (Parsed::Template(_), _) => Tri::False,
    }
}

/// `StringEqualsIgnoreCase`: equal under Unicode *simple* lowercase, character by character
/// (AWS: string operators). Fix: this used `str::to_lowercase`, the full context-sensitive mapping, which
/// lowercases a word-final `Σ` to `ς` but leaves a typed `σ` alone (so "ΟΔΟΣ" ≠ "οδοσ") and maps
/// `İ` to two characters (so "İ" ≠ "i"). The first character of `char::to_lowercase` is the
/// simple mapping (`İ` → `i̇` is the only multi-character lowercase mapping; its simple form is
/// `i`). Also avoids allocating two strings per comparison.
fn simple_fold_eq(a: &str, b: &str) -> bool {
    let fold = |c: char| c.to_lowercase().next().unwrap_or(c);
    a.chars().map(fold).eq(b.chars().map(fold))
}

/// Numeric and date operators: does `request.cmp(policy)` satisfy the positive operator?
fn ordering_holds(base: BaseOperator, ord: Ordering) -> bool {
    use BaseOperator::*;
    match base {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => ord == Ordering::Equal,
        NumericLessThan | DateLessThan => ord == Ordering::Less,
        NumericLessThanEquals | DateLessThanEquals => ord != Ordering::Greater,
        NumericGreaterThan | DateGreaterThan => ord == Ordering::Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

/// ArnEquals/ArnLike: both split into six fields on the first five colons, each field matched
/// with wildcards, case-sensitively. A request value that is not a six-field ARN never matches.
/// A policy value with fewer than six fields (such as `"*"`) is matched against the whole
/// request value (inferred: AWS documents only six-field values).
fn arn_like(pattern: &[iamwhy_policy::wildcard::Token], request: &str) -> bool {
    use iamwhy_policy::wildcard::Token;
    let req: Vec<&str> = request.splitn(6, ':').collect();
    if req.len() != 6 {
        return false;
    }
    let mut fields: Vec<Vec<Token>> = vec![Vec::new()];
    for t in pattern {
        if *t == Token::Char(':') && fields.len() < 6 {
            fields.push(Vec::new());
        } else {
            fields.last_mut().expect("non-empty").push(*t);
        }
    }
    if fields.len() < 6 {
        return matches_tokens(pattern, request);
    }
    fields
        .into_iter()
        .zip(req)
        .all(|(f, r)| matches_tokens(&f, r))
}
