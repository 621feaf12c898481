//! Fuzz target: the matching building blocks of `iamwhy-policy`.
//!
//! Input: the bytes before the first 0 byte are the pattern, the bytes after it the text (both
//! read as lossy UTF-8; no 0 byte → the text is empty). Checked against reference
//! implementations written here:
//! - `Wildcard::compile(p).matches(t)` (and `compile_folded`, `from_tokens` with literal `*`/`?`)
//!   against a dynamic-programming matcher over characters;
//! - `ActionPattern::parse(p).matches(...)` against the rules of spec §4.1 on top of that
//!   matcher;
//! - `ResourcePattern::compile(p, ty, variables)` with `ArnTarget::new(t)` for every policy
//!   type, against a field-wise reference (spec §4.2) when the pattern has no variables;
//! - `relation::{overlaps, covers}` against the reference: exact when one side is a literal,
//!   sound (`covers`) or complete (`overlaps`) on witness texts otherwise;
//! - `ArnPattern::field_tokens` agrees with the pattern's fields when nothing is substituted;
//! - `Template::parse(p, _)`: `resolve_tokens` and `resolve_text` must agree;
//! - `values::{Instant, Decimal, Cidr}::parse`, `decode_base64` and friends on the text: no
//!   panics, plus a few consistency checks.

#![no_main]

use iamwhy_policy::PolicyType;
use iamwhy_policy::action::{ActionPattern, split_request_action};
use iamwhy_policy::arn::{ArnTarget, ResourcePattern};
use iamwhy_policy::relation::{covers, overlaps};
use iamwhy_policy::template::{Template, malformed_variable};
use iamwhy_policy::values;
use iamwhy_policy::wildcard::{Token, Wildcard, tokens};
use libfuzzer_sys::fuzz_target;
use std::cmp::Ordering;

#[path = "../src/known.rs"]
mod known;

/// The fixed value every policy variable resolves to: it holds wildcard characters, which must
/// stay literal once substituted.
const VARIABLE_VALUE: &str = "v*a?l/ue";

fuzz_target!(|data: &[u8]| {
    let (p, t) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let p = String::from_utf8_lossy(p);
    let t = String::from_utf8_lossy(t);
    let (p, t) = (p.as_ref(), t.as_ref());

    wildcard(p, t);
    relation(p, t);
    action(p, t);
    if !known::skip_resource_pattern(p) {
        resource(p, t);
    }
    template(p, t);
    scalar_values(t);
    scalar_values(p);
});

// ---------------------------------------------------------------------------------------------
// Reference wildcard matcher.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum R {
    Lit(char),
    One,
    Many,
}

fn ref_tokens(pattern: &str) -> Vec<R> {
    pattern
        .chars()
        .map(|c| match c {
            '*' => R::Many,
            '?' => R::One,
            c => R::Lit(c),
        })
        .collect()
}

/// Textbook dynamic programming: `dp[j]` ⇔ the pattern read so far matches `text[..j]`.
fn ref_match(pattern: &[R], text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let mut dp = vec![false; t.len() + 1];
    dp[0] = true;
    let mut next = vec![false; t.len() + 1];
    for tok in pattern {
        match *tok {
            R::Many => {
                let mut seen = false;
                for (n, &d) in next.iter_mut().zip(&dp) {
                    seen |= d;
                    *n = seen;
                }
            }
            R::One => {
                next[0] = false;
                next[1..].copy_from_slice(&dp[..t.len()]);
            }
            R::Lit(c) => {
                next[0] = false;
                for ((n, &d), &tc) in next[1..].iter_mut().zip(&dp).zip(&t) {
                    *n = d && tc == c;
                }
            }
        }
        std::mem::swap(&mut dp, &mut next);
    }
    dp[t.len()]
}

fn ref_wildcard(pattern: &str, text: &str) -> bool {
    ref_match(&ref_tokens(pattern), text)
}

/// Tokens where a backslash makes the next character literal (so literal `*` and `?` reach
/// `Wildcard::from_tokens`, as substituted variables do).
fn escaped_tokens(pattern: &str) -> (Vec<Token>, Vec<R>) {
    let mut toks = Vec::new();
    let mut refs = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        let (tok, r) = match c {
            '\\' => match it.next() {
                Some(l) => (Token::Char(l), R::Lit(l)),
                None => (Token::Char('\\'), R::Lit('\\')),
            },
            '*' => (Token::AnyRun, R::Many),
            '?' => (Token::AnyChar, R::One),
            c => (Token::Char(c), R::Lit(c)),
        };
        toks.push(tok);
        refs.push(r);
    }
    (toks, refs)
}

fn wildcard(p: &str, t: &str) {
    let w = Wildcard::compile(p);
    let expected = ref_wildcard(p, t);
    assert_eq!(
        w.matches(t),
        expected,
        "Wildcard::compile({p:?}).matches({t:?})"
    );
    // The pattern against itself and against a prefix of the text (cheap extra cases).
    assert_eq!(
        w.matches(p),
        ref_wildcard(p, p),
        "Wildcard::compile({p:?}).matches(itself)"
    );
    if let Some((cut, _)) = t.char_indices().nth(t.chars().count() / 2) {
        let half = &t[..cut];
        assert_eq!(
            w.matches(half),
            ref_wildcard(p, half),
            "Wildcard::compile({p:?}).matches({half:?})"
        );
    }
    if w.is_literal() {
        assert_eq!(w.as_literal(), Some(p));
        assert!(!p.contains(['*', '?']));
    } else {
        assert!(w.as_literal().is_none());
    }
    if w.is_match_all() {
        assert!(
            !p.is_empty() && p.chars().all(|c| c == '*'),
            "{p:?} is not all stars"
        );
    } else {
        assert!(
            p.is_empty() || !p.chars().all(|c| c == '*'),
            "{p:?} is all stars"
        );
    }
    // Case-insensitive use: the caller folds the text.
    let folded_text = t.to_lowercase();
    assert_eq!(
        Wildcard::compile_folded(p).matches(&folded_text),
        ref_wildcard(&p.to_lowercase(), &folded_text),
        "Wildcard::compile_folded({p:?}).matches({folded_text:?})"
    );
    // Literal wildcard characters.
    let (toks, refs) = escaped_tokens(p);
    assert_eq!(
        Wildcard::from_tokens(toks).matches(t),
        ref_match(&refs, t),
        "Wildcard::from_tokens(escaped {p:?}).matches({t:?})"
    );
}

// ---------------------------------------------------------------------------------------------
// Pattern relations (spec §4.2.11).

fn relation(p: &str, t: &str) {
    let a: Vec<Token> = tokens(p).collect();
    let b: Vec<Token> = tokens(t).collect();
    let literal_t: Vec<Token> = t.chars().map(Token::Char).collect();
    let expected = ref_wildcard(p, t);
    // Against a literal text both relations are plain matching.
    assert_eq!(
        overlaps(&a, &literal_t),
        expected,
        "overlaps({p:?}, literal {t:?})"
    );
    assert_eq!(
        overlaps(&literal_t, &a),
        expected,
        "overlaps(literal {t:?}, {p:?})"
    );
    assert_eq!(
        covers(&a, &literal_t),
        expected,
        "covers({p:?}, literal {t:?})"
    );
    // Every pattern matches some text, and covers itself.
    assert!(overlaps(&a, &a), "overlaps({p:?}, itself)");
    assert!(covers(&a, &a), "covers({p:?}, itself)");
    let ab = overlaps(&a, &b);
    assert_eq!(
        ab,
        overlaps(&b, &a),
        "overlaps({p:?}, {t:?}) is not symmetric"
    );
    let a_covers_b = covers(&a, &b);
    // Witnesses: the pattern t with its wildcards filled in by a few fixed choices.
    for fill in ["", "x", "*"] {
        let witness: String = t
            .chars()
            .flat_map(|c| match c {
                '*' => fill.chars().collect::<Vec<_>>(),
                '?' => vec![fill.chars().next().unwrap_or('?')],
                c => vec![c],
            })
            .collect();
        if !ref_wildcard(t, &witness) {
            continue;
        }
        let in_p = ref_wildcard(p, &witness);
        assert!(
            ab || !in_p,
            "overlaps({p:?}, {t:?}) is false but {witness:?} matches both"
        );
        assert!(
            !a_covers_b || in_p,
            "covers({p:?}, {t:?}) but {witness:?} matches only the second"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Actions (spec §4.1).

fn action(p: &str, t: &str) {
    let pattern = ActionPattern::parse(p);
    let request = split_request_action(t);
    let (service_lower, name_lower) = match &request {
        Some((s, n)) => (s.as_str(), n.as_str()),
        None => ("", t),
    };
    let expected = if p == "*" {
        true
    } else {
        match p.split_once(':') {
            Some((service, name))
                if !service.is_empty()
                    && !service.contains(['*', '?'])
                    && !name.is_empty()
                    && !p.chars().any(char::is_whitespace) =>
            {
                service.to_ascii_lowercase() == service_lower
                    && ref_wildcard(&name.to_lowercase(), name_lower)
            }
            _ => false,
        }
    };
    assert_eq!(
        pattern.matches(service_lower, name_lower),
        expected,
        "ActionPattern::parse({p:?}).matches({service_lower:?}, {name_lower:?})"
    );
    match &pattern {
        ActionPattern::Service { service, .. } => {
            assert_eq!(pattern.service(), Some(&**service));
        }
        _ => assert!(pattern.service().is_none()),
    }
    // A pattern built from the text's own service always compares the name part.
    if let Some((s, n)) = &request
        && !s.is_empty()
        && s.is_ascii()
        && !s.contains(['*', '?'])
    {
        let with_service = format!("{s}:{p}");
        let expected = !p.is_empty()
            && !with_service.chars().any(char::is_whitespace)
            && ref_wildcard(&p.to_lowercase(), n);
        assert_eq!(
            ActionPattern::parse(&with_service).matches(s, n),
            expected,
            "ActionPattern::parse({with_service:?}).matches({s:?}, {n:?})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Resources (spec §4.2).

/// Reference for a pattern without policy variables, per policy type. The field-wise match
/// does not depend on the type (only whether a short ARN is accepted does), so it is computed
/// once per target and the types only apply the short-ARN rule (spec §4.2.6).
struct RefResource {
    /// `None` when the text is not an ARN (`ArnTarget::new` gives `None`, nothing is asked).
    field_match: Option<bool>,
    /// The pattern had fewer than six fields and was padded with `*`.
    padded: bool,
    /// `"*"`.
    all: bool,
    /// Does not start with `arn:`.
    not_arn: bool,
}

impl RefResource {
    fn new(p: &str, t: &str) -> RefResource {
        let target: Vec<&str> = t.splitn(6, ':').collect();
        let all = p == "*";
        let not_arn = !p.get(..4).is_some_and(|s| s.eq_ignore_ascii_case("arn:"));
        let mut fields: Vec<&str> = p.splitn(6, ':').collect();
        let padded = fields.len() < 6;
        fields.resize(6, "*");
        let field_match = (target.len() == 6 && target[0].eq_ignore_ascii_case("arn")).then(|| {
            !all && !not_arn
                && (0..5).all(|i| {
                    ref_wildcard(
                        &fields[i].to_ascii_lowercase(),
                        &target[i].to_ascii_lowercase(),
                    )
                })
                && ref_wildcard(fields[5], target[5])
        });
        RefResource {
            field_match,
            padded,
            all,
            not_arn,
        }
    }

    fn expected(&self, p: &str, ty: PolicyType) -> bool {
        if self.field_match.is_none() {
            return false;
        }
        if self.all {
            return true;
        }
        if self.not_arn {
            return false;
        }
        if self.padded {
            let wild = p.contains(['*', '?']);
            let accepted = match ty {
                PolicyType::Identity | PolicyType::Boundary | PolicyType::Session => true,
                PolicyType::Resource | PolicyType::Trust | PolicyType::Endpoint => wild,
                PolicyType::Scp => p.ends_with('*'),
                PolicyType::Rcp => false,
            };
            if !accepted {
                return false;
            }
        }
        self.field_match == Some(true)
    }
}

fn resource(p: &str, t: &str) {
    let target = ArnTarget::new(t);
    if let Some(target) = &target {
        let fields: Vec<&str> = t.splitn(6, ':').collect();
        assert_eq!(target.partition(), fields[1].to_ascii_lowercase());
        assert_eq!(target.service(), fields[2].to_ascii_lowercase());
        assert_eq!(target.region(), fields[3].to_ascii_lowercase());
        assert_eq!(target.account(), fields[4].to_ascii_lowercase());
        assert_eq!(target.resource(), fields[5]);
    }
    // The pattern's own text as an ARN too (a pattern without wildcards matches itself).
    let self_target = ArnTarget::new(p);
    let reference = RefResource::new(p, t);
    assert_eq!(
        target.is_some(),
        reference.field_match.is_some(),
        "ArnTarget::new({t:?})"
    );
    let self_reference = RefResource::new(p, p);
    for ty in PolicyType::ALL {
        for variables in [false, true] {
            let compiled = ResourcePattern::compile(p, ty, variables);
            let resolve = |_: &str| Some(VARIABLE_VALUE);
            let plain = !variables || !p.contains("${");
            if let ResourcePattern::Arn(arn) = &compiled {
                let keys = arn.variable_keys();
                assert!(
                    variables || keys.is_empty(),
                    "{p:?}: variables without variables"
                );
                let mut fields: Vec<&str> = p.splitn(6, ':').collect();
                fields.resize(6, "*");
                for (i, field) in fields.iter().enumerate() {
                    let got = arn.field_tokens(i, resolve);
                    if plain {
                        let folded = if i < 5 {
                            field.to_ascii_lowercase()
                        } else {
                            field.to_string()
                        };
                        assert_eq!(
                            got,
                            Some(tokens(&folded).collect()),
                            "field_tokens({i}) of {p:?} ({ty:?}, {variables})"
                        );
                    }
                }
            }
            if let Some(target) = &target {
                let got = compiled.matches(target, resolve);
                let _ = compiled.matches(target, |_| None);
                if plain {
                    assert_eq!(
                        got,
                        reference.expected(p, ty),
                        "ResourcePattern::compile({p:?}, {ty:?}, {variables}).matches({t:?})"
                    );
                }
            }
            if let Some(target) = &self_target {
                let got = compiled.matches(target, resolve);
                if plain {
                    assert_eq!(
                        got,
                        self_reference.expected(p, ty),
                        "ResourcePattern::compile({p:?}, {ty:?}, {variables}).matches(itself)"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policy variables (spec §4.4).

fn template(p: &str, t: &str) {
    let _ = malformed_variable(p);
    for variables in [false, true] {
        let tpl = Template::parse(p, variables);
        if !variables {
            assert_eq!(
                tpl.as_plain_text(),
                Some(p),
                "Template::parse({p:?}, false)"
            );
            assert!(!tpl.has_variables());
        }
        assert_eq!(
            tpl.has_variables(),
            tpl.variable_keys().next().is_some(),
            "Template::parse({p:?}, {variables})"
        );
        for value in [Some(VARIABLE_VALUE), None] {
            let tokens = tpl.resolve_tokens(|_| value);
            let text = tpl.resolve_text(|_| value);
            match (&tokens, &text) {
                (Some(tokens), Some(text)) => {
                    let from_tokens: String = tokens
                        .iter()
                        .map(|t| match t {
                            Token::Char(c) => *c,
                            Token::AnyChar => '?',
                            Token::AnyRun => '*',
                        })
                        .collect();
                    assert_eq!(
                        &from_tokens, text,
                        "Template::parse({p:?}, {variables}): tokens and text disagree"
                    );
                    // The resolved pattern is matched as tokens by the engine.
                    let refs: Vec<R> = tokens
                        .iter()
                        .map(|t| match t {
                            Token::Char(c) => R::Lit(*c),
                            Token::AnyChar => R::One,
                            Token::AnyRun => R::Many,
                        })
                        .collect();
                    assert_eq!(
                        Wildcard::from_tokens(tokens.iter().copied()).matches(t),
                        ref_match(&refs, t),
                        "resolved Template::parse({p:?}, {variables}) against {t:?}"
                    );
                }
                (None, None) => {
                    assert!(
                        value.is_none(),
                        "{p:?}: unresolvable with a resolver that always answers"
                    );
                }
                _ => panic!(
                    "Template::parse({p:?}, {variables}): resolve_tokens {tokens:?} vs resolve_text {text:?}"
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Typed condition values (spec §5.5–§5.7).

fn scalar_values(t: &str) {
    if let Some(i) = values::Instant::parse(t) {
        assert!(i.nanos < 1_000_000_000, "Instant::parse({t:?}) = {i:?}");
    }
    let _ = values::is_date(t);

    if let Some(d) = values::Decimal::parse(t) {
        assert_eq!(d.cmp(&d), Ordering::Equal);
        // Against f64 when both sides are short enough to be exact in a double.
        if t.len() <= 15 {
            let f: f64 = t.parse().expect("a Decimal reads as an f64");
            for other in ["0", "-1", "1.5", "10", "-0.25", "123456789012345"] {
                let o = values::Decimal::parse(other).unwrap();
                let of: f64 = other.parse().unwrap();
                assert_eq!(
                    d.cmp(&o),
                    f.partial_cmp(&of).unwrap(),
                    "Decimal {t:?} vs {other:?}"
                );
                assert_eq!(o.cmp(&d), d.cmp(&o).reverse());
                assert_eq!(d == o, d.cmp(&o) == Ordering::Equal);
            }
        }
    }
    let _ = values::is_decimal(t);

    let cidr = values::Cidr::parse(t);
    if let Ok(ip) = t.parse::<std::net::IpAddr>() {
        let block = cidr.expect("a bare address is a CIDR block");
        assert!(block.contains(ip), "{t:?} does not contain itself");
        assert_eq!(values::parse_request_ip(t), Some(ip));
    }
    if let Some(ip) = values::parse_request_ip(t) {
        let _ = cidr.map(|c| c.contains(ip));
    }
    let _ = values::is_cidr(t);

    if let Some(bytes) = values::decode_base64(t) {
        assert!(bytes.len() <= t.len());
    }
    let _ = values::is_base64(t);
    let _ = values::parse_bool(t);
}
