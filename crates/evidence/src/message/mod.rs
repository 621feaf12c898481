//! Reading AWS access-denied error messages (AWS's access-denied message formats) into a [`ParsedMessage`].
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
//! plus the service-specific shapes (KMS ciphertext and key-policy messages, IAM's
//! `user Adam` resources, STS web identity, EC2's encoded authorization failure message,
//! S3's bare `Access Denied`), the Access troubleshooter's authorization-id suffix and
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

mod codes;
mod grammar;
mod lex;
mod paste;
mod split;

use crate::observed::{ParsedMessage, PolicyKind};
use codes::error_code_and_operation;
use grammar::{authorization_id, parse_enhanced};
use lex::{clean, find_bounded, non_empty, take_token, value_after};

pub use paste::clean_paste;

/// The anchor of the enhanced and classic formats.
pub(super) const ANCHOR: &str = "is not authorized to perform";
/// STS's web identity (and federation) failures.
pub(super) const SHORT_ANCHOR: &str = "Not authorized to perform ";
/// EC2's first sentence.
pub(super) const EC2_SENTENCE: &str = "You are not authorized to perform this operation";
/// EC2's blob marker.
pub(super) const ENCODED_MARKER: &str = "Encoded authorization failure message:";
/// The Access troubleshooter suffix.
pub(super) const AUTH_ID_MARKER: &str = "with the following authorization id:";
/// The console URL of the same suffix, used when the API sentence is missing.
pub(super) const AUTH_URL_MARKER: &str = "#/authorization-details/";
/// CloudTrail's network activity event message for VPC endpoint denials.
pub(super) const VPCE_NETWORK: &str = "The request was denied due to a VPC endpoint policy";
/// Where the reason part of a message ends at the latest.
pub(super) const SUFFIX_MARKERS: &[&str] = &[
    ENCODED_MARKER,
    "Go to https://",
    "call the GetRequestAuthorizationDetails",
    AUTH_ID_MARKER,
];

/// Error codes recognised anywhere in the text when no better source names one. Longer codes
/// first; a match must stand alone (not inside a longer identifier).
pub(super) const KNOWN_CODES: &[&str] = &[
    "Client.UnauthorizedOperation",
    "AuthorizationErrorException",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "VpceAccessDenied",
    "AccessDenied",
];

/// The policy-type phrases of AWS's messages, with the typo and the trust policy.
pub(super) const PHRASES: &[(&str, PolicyKind)] = &[
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
pub(super) struct Seen {
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
/// Tolerant of surrounding text (log lines, the AWS CLI prefix, JSON escaping, XML bodies) and
/// of how it was pasted (wrapped and indented lines, quotes, markdown and console decorations:
/// [`clean_paste`]): the message is found by its anchors (`User: ... is not authorized to
/// perform: `, `Not authorized to perform `, EC2's `You are not authorized to perform this
/// operation`), and only when none is present by S3's bare `Access Denied`. The whole text is
/// read as one message; [`parse_messages`] reads a paste holding several.
pub fn parse_message(text: &str) -> Option<ParsedMessage> {
    parse_clean(&clean_paste(text))
}

/// Whether `text` states an authorization failure in the words of AWS's messages (`is not
/// authorized to perform`, `Not authorized to perform `): a cheap test, for CloudTrail's
/// `errorMessage`, that needs no parse.
pub fn states_denial(text: &str) -> bool {
    text.contains(ANCHOR) || text.contains(SHORT_ANCHOR)
}

/// Every access-denied message in a paste, in order (several CLI errors, a log excerpt).
/// Empty when the text contains none.
///
/// ```
/// use iamwhy_evidence::message::parse_messages;
/// let paste = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied\n\
///              An error occurred (AccessDenied) when calling the AssumeRole operation: User: \
///              arn:aws:iam::111122223333:user/bob is not authorized to perform: sts:AssumeRole \
///              on resource: arn:aws:iam::111122223333:role/R";
/// let all = parse_messages(paste);
/// assert_eq!(all.len(), 2);
/// assert_eq!(all[0].variant.as_deref(), Some("s3-bare"));
/// assert_eq!(all[1].action.as_deref(), Some("sts:AssumeRole"));
/// ```
pub fn parse_messages(text: &str) -> Vec<ParsedMessage> {
    let clean = clean_paste(text);
    split::regions(&clean)
        .into_iter()
        .filter_map(parse_clean)
        .collect()
}

/// [`parse_message`] on text already cleaned.
fn parse_clean(s: &str) -> Option<ParsedMessage> {
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
