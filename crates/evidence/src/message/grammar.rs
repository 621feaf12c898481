//! The grammar of the enhanced and classic forms: the principal, the action, the resource and
//! the reason, with the policy type and the 2026 policy-ARN suffix.

use super::lex::*;
use super::{ANCHOR, AUTH_ID_MARKER, AUTH_URL_MARKER, PHRASES, SUFFIX_MARKERS, Seen};
use crate::observed::{DenyKind, ParsedMessage, PolicyKind};

/// The enhanced / classic form at `a` (the position of [`ANCHOR`]); returns where the message
/// starts (`User: `, or the principal).
pub(super) fn parse_enhanced(s: &str, a: usize, m: &mut ParsedMessage, seen: &mut Seen) -> usize {
    let before = s.get(..a).unwrap_or("");
    let start = match before.rfind("User: ") {
        Some(u) => {
            let seg = before.get(u + "User: ".len()..).unwrap_or("");
            m.principal = seg
                .split_whitespace()
                .next_back()
                .map(|p| p.trim_matches(['"', '\'']))
                .and_then(non_empty);
            u
        }
        None => {
            let trimmed = before.trim_end();
            let tok = trimmed.rsplit(is_terminator).next().unwrap_or("");
            if tok.starts_with("arn:") || tok == "anonymous" {
                m.principal = Some(tok.to_string());
            }
            trimmed.len() - tok.len()
        }
    };

    let rest = s.get(a + ANCHOR.len()..).unwrap_or("");
    let (with_colon, rest) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (tok, rest) = take_token(rest);
    let action = clean(tok);
    if with_colon || action.contains(':') {
        m.action = non_empty(action);
    }

    // The reason ends where a suffix (EC2 blob, authorization id) begins.
    let body = match SUFFIX_MARKERS.iter().filter_map(|k| rest.find(k)).min() {
        Some(end) => rest.get(..end).unwrap_or(rest),
        None => rest,
    };
    let after_resource = parse_resource(body, m, seen);
    parse_reason(after_resource, m, seen);
    start
}

/// `on resource: <resource>` or KMS's `on the resource associated with this ciphertext`;
/// returns the text after it.
pub(super) fn parse_resource<'a>(body: &'a str, m: &mut ParsedMessage, seen: &mut Seen) -> &'a str {
    let t = body.trim_start();
    if let Some(r) = t.strip_prefix("on the resource associated with this ciphertext") {
        seen.kms_ciphertext = true;
        return r;
    }
    let Some(r) = t.strip_prefix("on resource:") else {
        return body;
    };
    let r = r.trim_start();
    if let Some(q) = r.strip_prefix('"') {
        if let Some((inside, after)) = q.split_once('"') {
            m.resource = non_empty(inside.trim());
            return after;
        }
        let (tok, after) = take_token(q);
        m.resource = non_empty(clean(tok));
        return after;
    }
    let (first, after_first) = take_token(r);
    if first.starts_with("arn:") || starts_reason(after_first) || after_first.trim().is_empty() {
        m.resource = non_empty(clean(first));
        return after_first;
    }
    // IAM's `<type> <name>` form: a lowercase type word, then a name without spaces.
    if is_type_word(first) {
        let (second, after_second) = take_token(after_first.trim_start());
        let second = clean(second);
        if !second.is_empty() && !matches!(second, "because" | "with") {
            seen.iam_form = true;
            m.resource = Some(format!("{first} {second}"));
            return after_second;
        }
    }
    m.resource = non_empty(clean(first));
    after_first
}

/// The reason part, wherever it starts in `r`.
pub(super) fn parse_reason(r: &str, m: &mut ParsedMessage, seen: &mut Seen) {
    const MARKERS: &[&str] = &[
        "because no ",
        "because the resource does not exist",
        "because public ACLs are prevented",
        "because public policies are prevented",
        "with an explicit deny",
        "with an implicit deny",
    ];
    let Some((pos, which)) = MARKERS
        .iter()
        .filter_map(|k| r.find(k).map(|p| (p, *k)))
        .min_by_key(|(p, _)| *p)
    else {
        return;
    };
    seen.reason = true;
    let after = r.get(pos + which.len()..).unwrap_or("");
    match which {
        "because no " => {
            m.deny = Some(DenyKind::Implicit);
            m.policy_type = policy_phrase(after).map(|(k, _)| k);
        }
        "because the resource does not exist" => {
            seen.kms_vague = true;
            m.policy_type = Some(PolicyKind::Resource);
        }
        "because public ACLs are prevented" | "because public policies are prevented" => {
            seen.s3_block_public_access = true;
        }
        _ => {
            m.deny = Some(if which == "with an explicit deny" {
                DenyKind::Explicit
            } else {
                DenyKind::Implicit
            });
            let mut t = after.trim_start();
            t = t.strip_prefix("in ").unwrap_or(t).trim_start();
            for article in ["an ", "a ", "the "] {
                if let Some(x) = strip_prefix_ci(t, article) {
                    t = x;
                    break;
                }
            }
            let Some((kind, mut t)) = policy_phrase(t) else {
                return;
            };
            m.policy_type = Some(kind);
            if kind == PolicyKind::VpcEndpoint
                && let Some(x) = t.strip_prefix(" transitively through a service control policy")
            {
                seen.vpce_transitive = true;
                t = x;
            }
            m.policy_arn = policy_arn_suffix(t);
        }
    }
}

/// A policy-type phrase at the start of `t` (ASCII case-insensitive), and the text after it.
pub(super) fn policy_phrase(t: &str) -> Option<(PolicyKind, &str)> {
    let t = t.trim_start();
    for (phrase, kind) in PHRASES {
        if let Some(rest) = strip_prefix_ci(t, phrase)
            && !rest.starts_with(|c: char| c.is_alphanumeric() || c == '-')
        {
            let rest = if *kind == PolicyKind::PermissionsBoundary {
                strip_prefix_ci(rest, " policy").unwrap_or(rest)
            } else {
                rest
            };
            return Some((*kind, rest));
        }
    }
    None
}

/// The 2026 policy-ARN suffix: `: arn:...` or `, with policy ARN: arn:...`.
pub(super) fn policy_arn_suffix(t: &str) -> Option<String> {
    let t = t.strip_prefix([':', ',']).unwrap_or(t).trim_start();
    let t = strip_prefix_ci(t, "with policy ARN:")
        .or_else(|| strip_prefix_ci(t, "policy ARN:"))
        .unwrap_or(t);
    let (tok, _) = take_token(t);
    let tok = clean(tok);
    tok.starts_with("arn:").then(|| tok.to_string())
}

/// The Access troubleshooter's authorization id.
pub(super) fn authorization_id(s: &str) -> Option<String> {
    value_after(s, AUTH_ID_MARKER)
        .or_else(|| value_after(s, AUTH_URL_MARKER))
        .map(clean)
        .and_then(non_empty)
}
