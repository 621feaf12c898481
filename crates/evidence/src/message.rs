//! Reading AWS access-denied error messages (spec §8) into a [`ParsedMessage`].
//!
//! The grammar AWS uses for its "enhanced" messages is
//!
//! ```text
//! User: <principal> is not authorized to perform: <action>[ on resource: <resource>] <reason>
//! <reason> := because no <policy-type> allows the <action> action
//!           | with an explicit deny in a|an <policy-type>[: <policy-arn> | , with policy ARN: <policy-arn>]
//!           | with an explicit deny in the role trust policy
//!           | because no role trust policy allows the sts:AssumeRole action
//! ```
//!
//! plus the service-specific shapes of §8.4 (KMS ciphertext and key-policy messages, IAM's
//! `user Adam` resources, STS web identity, EC2's encoded authorization failure message,
//! S3's bare `Access Denied`), the Access troubleshooter's authorization-id suffix (§8.3) and
//! the prefixes tools put in front (`An error occurred (AccessDenied) when calling the AssumeRole
//! operation: `, `AccessDeniedException: `, JSON escaping). The message may be embedded in a
//! longer log line: the parser looks for its anchors rather than expecting it at the start.
//!
//! The parser is hand-written, linear in the input and never panics: every slice offset comes
//! from a `find` or a character boundary.
//!
//! ```
//! use iamwhy_evidence::{DenyKind, PolicyKind, parse_message};
//! let m = parse_message(
//!     "User: arn:aws:iam::123456789012:user/bob is not authorized to perform: s3:GetObject \
//!      on resource: \"arn:aws:s3:::b/k\" with an explicit deny in a service control policy",
//! )
//! .unwrap();
//! assert_eq!(m.action.as_deref(), Some("s3:GetObject"));
//! assert_eq!(m.resource.as_deref(), Some("arn:aws:s3:::b/k"));
//! assert_eq!(m.policy_type, Some(PolicyKind::Scp));
//! assert_eq!(m.deny, Some(DenyKind::Explicit));
//! ```

use std::borrow::Cow;

use crate::observed::{DenyKind, ParsedMessage, PolicyKind};

/// The anchor of the enhanced and classic formats.
const ANCHOR: &str = "is not authorized to perform";
/// STS's web identity (and federation) failures.
const SHORT_ANCHOR: &str = "Not authorized to perform ";
/// EC2's first sentence.
const EC2_SENTENCE: &str = "You are not authorized to perform this operation";
/// EC2's blob marker.
const ENCODED_MARKER: &str = "Encoded authorization failure message:";
/// The Access troubleshooter suffix (§8.3).
const AUTH_ID_MARKER: &str = "with the following authorization id:";
/// The console URL of the same suffix, used when the API sentence is missing.
const AUTH_URL_MARKER: &str = "#/authorization-details/";
/// CloudTrail's network activity event message for VPC endpoint denials (§9.1).
const VPCE_NETWORK: &str = "The request was denied due to a VPC endpoint policy";
/// Where the reason part of a message ends at the latest.
const SUFFIX_MARKERS: &[&str] = &[
    ENCODED_MARKER,
    "Go to https://",
    "call the GetRequestAuthorizationDetails",
    AUTH_ID_MARKER,
];

/// Error codes recognised anywhere in the text when no better source names one. Longer codes
/// first; a match must stand alone (not inside a longer identifier).
const KNOWN_CODES: &[&str] = &[
    "Client.UnauthorizedOperation",
    "AuthorizationErrorException",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "VpceAccessDenied",
    "AccessDenied",
];

/// The policy-type phrases of §8.1, with the typo and the trust policy.
const PHRASES: &[(&str, PolicyKind)] = &[
    ("service control policy", PolicyKind::Scp),
    ("resource control policy", PolicyKind::Rcp),
    ("identity-based policy", PolicyKind::Identity),
    ("resource-based policy", PolicyKind::Resource),
    ("permissions boundary", PolicyKind::PermissionsBoundary),
    ("sessions policy", PolicyKind::Session),
    ("session policy", PolicyKind::Session),
    ("VPC endpoint policy", PolicyKind::VpcEndpoint),
    ("role trust policy", PolicyKind::Resource),
    ("trust policy", PolicyKind::Resource),
];

/// AWS's phrase for a policy type, as it appears in access-denied messages.
pub fn policy_kind_phrase(kind: PolicyKind) -> &'static str {
    match kind {
        PolicyKind::Identity => "identity-based policy",
        PolicyKind::Resource => "resource-based policy",
        PolicyKind::PermissionsBoundary => "permissions boundary",
        PolicyKind::Scp => "service control policy",
        PolicyKind::Rcp => "resource control policy",
        PolicyKind::Session => "session policy",
        PolicyKind::VpcEndpoint => "VPC endpoint policy",
    }
}

/// What the parse noticed beyond the fields, to choose the variant at the end.
#[derive(Default)]
struct Seen {
    enhanced: bool,
    reason: bool,
    kms_ciphertext: bool,
    kms_vague: bool,
    vpce_transitive: bool,
    iam_form: bool,
    web_identity: bool,
    ec2: bool,
    s3_bare: bool,
    s3_block_public_access: bool,
    vpce_network: bool,
}

/// Parses an access-denied error message; `None` when the text contains none.
///
/// Tolerant of surrounding text (log lines, the AWS CLI prefix, JSON escaping, XML bodies):
/// the message is found by its anchors (`User: ... is not authorized to perform: `,
/// `Not authorized to perform `, EC2's `You are not authorized to perform this operation`,
/// `Access Denied`).
pub fn parse_message(text: &str) -> Option<ParsedMessage> {
    let norm = normalise(text);
    let s: &str = &norm;
    let mut m = ParsedMessage::default();
    let mut seen = Seen::default();

    // Where the message proper starts, for a leading `AccessDeniedException: ` code.
    let start = if let Some(a) = s.find(ANCHOR) {
        seen.enhanced = true;
        Some(parse_enhanced(s, a, &mut m, &mut seen))
    } else if let Some(a) = s.find(SHORT_ANCHOR) {
        seen.web_identity = true;
        let rest = s.get(a + SHORT_ANCHOR.len()..).unwrap_or("");
        let (tok, _) = take_token(rest);
        m.action = non_empty(clean(tok));
        Some(a)
    } else if let Some(a) = s.find(EC2_SENTENCE) {
        seen.ec2 = true;
        Some(a)
    } else if let Some(a) = s.find(VPCE_NETWORK) {
        seen.vpce_network = true;
        m.policy_type = Some(PolicyKind::VpcEndpoint);
        Some(a)
    } else if let Some(a) = s.find("Access Denied") {
        seen.s3_bare = true;
        Some(a)
    } else if let Some(a) = find_bounded(s, "AccessDenied") {
        seen.s3_bare = true;
        Some(a)
    } else {
        None
    };

    // EC2's blob may follow any of the forms above.
    if let Some(blob) = value_after(s, ENCODED_MARKER) {
        seen.ec2 = true;
        m.encoded_message = non_empty(clean(blob));
    }
    let start = match start {
        Some(a) => a,
        None if seen.ec2 => s.find(ENCODED_MARKER).unwrap_or(0),
        None => return None,
    };

    m.authorization_id = authorization_id(s);
    // A bare code may be the whole message; in the enhanced form only look before it.
    let code_scope = if seen.enhanced {
        s.get(..start).unwrap_or("")
    } else {
        s
    };
    error_code_and_operation(s, start, code_scope, &mut m);
    m.variant = variant(&seen).map(str::to_string);
    Some(m)
}

/// The enhanced / classic form at `a` (the position of [`ANCHOR`]); returns where the message
/// starts (`User: `, or the principal).
fn parse_enhanced(s: &str, a: usize, m: &mut ParsedMessage, seen: &mut Seen) -> usize {
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
fn parse_resource<'a>(body: &'a str, m: &mut ParsedMessage, seen: &mut Seen) -> &'a str {
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
fn parse_reason(r: &str, m: &mut ParsedMessage, seen: &mut Seen) {
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
fn policy_phrase(t: &str) -> Option<(PolicyKind, &str)> {
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

/// The 2026 policy-ARN suffix (§8.2): `: arn:...` or `, with policy ARN: arn:...`.
fn policy_arn_suffix(t: &str) -> Option<String> {
    let t = t.strip_prefix([':', ',']).unwrap_or(t).trim_start();
    let t = strip_prefix_ci(t, "with policy ARN:")
        .or_else(|| strip_prefix_ci(t, "policy ARN:"))
        .unwrap_or(t);
    let (tok, _) = take_token(t);
    let tok = clean(tok);
    tok.starts_with("arn:").then(|| tok.to_string())
}

/// The Access troubleshooter's authorization id (§8.3).
fn authorization_id(s: &str) -> Option<String> {
    value_after(s, AUTH_ID_MARKER)
        .or_else(|| value_after(s, AUTH_URL_MARKER))
        .map(clean)
        .and_then(non_empty)
}

/// The error code and operation, from the best source present; a known code standing alone is
/// looked for in `code_scope` only.
fn error_code_and_operation(s: &str, start: usize, code_scope: &str, m: &mut ParsedMessage) {
    // AWS CLI / boto: `An error occurred (<code>) when calling the <Operation> operation: `.
    if let Some(i) = s.find("An error occurred (") {
        let rest = s.get(i + "An error occurred (".len()..).unwrap_or("");
        if let Some((code, after)) = rest.split_once(')') {
            if is_code(code) {
                m.error_code = Some(code.to_string());
            }
            if let Some(op) = after.strip_prefix(" when calling the ")
                && let Some((op, _)) = op.split_once(" operation")
                && is_code(op)
            {
                m.operation = Some(op.to_string());
            }
        }
    }
    // Go SDK v2: `operation error STS: AssumeRole, https response error ...`.
    if m.operation.is_none()
        && let Some(i) = s.find("operation error ")
        && let Some((_, after)) = s.get(i..).unwrap_or("").split_once(": ")
        && let Some((op, _)) = after.split_once(',')
        && is_code(op)
    {
        m.operation = Some(op.to_string());
    }
    if m.error_code.is_some() {
        return;
    }
    m.error_code = code_field(s, "Error Code: ")
        .or_else(|| json_code(s))
        .or_else(|| code_field(s, "<Code>"))
        .or_else(|| leading_code(s.get(..start).unwrap_or("")))
        .or_else(|| {
            KNOWN_CODES
                .iter()
                .filter_map(|c| find_bounded(code_scope, c).map(|p| (p, *c)))
                .min_by_key(|(p, _)| *p)
                .map(|(_, c)| c)
        })
        .map(str::to_string);
}

/// A code right after `key` (Java SDK's `Error Code: X;`, XML's `<Code>X</Code>`).
fn code_field<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let rest = s.get(s.find(key)? + key.len()..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .unwrap_or(rest.len());
    let code = rest.get(..end)?;
    is_code(code).then_some(code)
}

/// `"errorCode": "X"` in pasted JSON.
fn json_code(s: &str) -> Option<&str> {
    let rest = s.get(s.find("\"errorCode\"")? + "\"errorCode\"".len()..)?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let (code, _) = rest.strip_prefix('"')?.split_once('"')?;
    is_code(code).then_some(code)
}

/// A code the message is prefixed with: `AccessDeniedException: User: ...`.
fn leading_code(before: &str) -> Option<&str> {
    let t = before.trim_end().strip_suffix(':')?.trim_end();
    let tok = t
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
        .next()?;
    let looks = ["Denied", "Unauthorized", "Authorization", "Forbidden"]
        .iter()
        .any(|w| tok.contains(w))
        || (tok.ends_with("Exception") && tok != "Exception");
    (looks && is_code(tok) && tok.starts_with(|c: char| c.is_ascii_uppercase())).then_some(tok)
}

/// The variant to report, most specific first.
fn variant(seen: &Seen) -> Option<&'static str> {
    let pairs = [
        (seen.ec2, "ec2-encoded"),
        (seen.kms_vague, "kms-key-policy-vague"),
        (seen.kms_ciphertext, "kms-ciphertext"),
        (seen.vpce_transitive, "vpce-transitive"),
        (seen.s3_block_public_access, "s3-block-public-access"),
        (seen.iam_form, "iam-resource-form"),
        (seen.web_identity, "web-identity"),
        (seen.vpce_network, "vpce-network-event"),
        (seen.s3_bare, "s3-bare"),
        (seen.enhanced && !seen.reason, "classic"),
    ];
    pairs.iter().find(|(on, _)| *on).map(|(_, v)| *v)
}

/// Undoes JSON escaping of the characters that matter (`\"`, `\/`, `\n`, `\r`, `\t`), however
/// many times the text was escaped.
fn normalise(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut run = 1;
        while chars.next_if_eq(&'\\').is_some() {
            run += 1;
        }
        match chars.peek() {
            Some('"') | Some('/') => {
                out.extend(chars.next());
            }
            Some('n' | 'r' | 't') => {
                chars.next();
                out.push(' ');
            }
            _ => out.extend(std::iter::repeat_n('\\', run)),
        }
    }
    Cow::Owned(out)
}

/// Characters that end a token: whitespace, quotes and markup.
fn is_terminator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`')
}

/// The token at the start of `s` (after whitespace and opening quotes), and the rest.
fn take_token(s: &str) -> (&str, &str) {
    let s = s.trim_start().trim_start_matches(['"', '\'']);
    let end = s.find(is_terminator).unwrap_or(s.len());
    s.split_at_checked(end).unwrap_or((s, ""))
}

/// The token following `marker` anywhere in `s`.
fn value_after<'a>(s: &'a str, marker: &str) -> Option<&'a str> {
    let rest = s.get(s.find(marker)? + marker.len()..)?;
    Some(take_token(rest).0)
}

/// A field without its trailing sentence punctuation.
fn clean(tok: &str) -> &str {
    tok.trim_end_matches(['.', ',', ';'])
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Whether `s` starts (after whitespace) with the first word of a reason.
fn starts_reason(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with("because ") || t.starts_with("with an ")
}

/// IAM's resource-type words (`user`, `role`, `instance-profile` ...).
fn is_type_word(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// An error code or operation name: ASCII letters, digits, `.` and `_`.
fn is_code(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

/// `s` without the prefix `p`, compared ASCII case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p)
        .then(|| s.get(p.len()..))
        .flatten()
}

/// The first occurrence of `word` not inside a longer identifier.
fn find_bounded(s: &str, word: &str) -> Option<usize> {
    let ident = |c: char| c.is_alphanumeric() || c == '.' || c == '_';
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = s.get(..i).and_then(|b| b.chars().next_back());
        let after = s.get(i + word.len()..).and_then(|a| a.chars().next());
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}
