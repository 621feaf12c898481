//! What AWS told the user about a request, in one shape whatever it came from: an error
//! message, a CloudTrail event, or a decoded authorization message.

use serde::Serialize;

/// The policy type an access-denied message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// "identity-based policy".
    Identity,
    /// "resource-based policy" (and "role trust policy", which is one).
    Resource,
    /// "permissions boundary".
    PermissionsBoundary,
    /// "service control policy".
    Scp,
    /// "resource control policy".
    Rcp,
    /// "session policy".
    Session,
    /// "VPC endpoint policy".
    VpcEndpoint,
}

/// Explicit or implicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyKind {
    /// "with an explicit deny in ...".
    Explicit,
    /// "because no ... allows ...".
    Implicit,
}

/// The fields read from an access-denied error message (AWS's access-denied message formats).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ParsedMessage {
    /// The principal ARN as the message gives it (a session ARN for roles).
    pub principal: Option<String>,
    /// The action.
    pub action: Option<String>,
    /// The resource (an ARN, or IAM's `user Adam` form), when the message names one.
    pub resource: Option<String>,
    /// The policy type named.
    pub policy_type: Option<PolicyKind>,
    /// Explicit or implicit, when the message says.
    pub deny: Option<DenyKind>,
    /// The denying policy's ARN (2026 suffix, explicit denies only).
    pub policy_arn: Option<String>,
    /// The error code when the text carries one (`AccessDenied`, `UnauthorizedOperation` ...).
    pub error_code: Option<String>,
    /// The API operation when the CLI prefix names it (`AssumeRole`).
    pub operation: Option<String>,
    /// EC2's encoded authorization failure message, to decode with
    /// `aws sts decode-authorization-message`.
    pub encoded_message: Option<String>,
    /// The authorization id of the Access troubleshooter suffix.
    pub authorization_id: Option<String>,
    /// Service-specific shapes recognised: `kms-ciphertext`, `kms-key-policy-vague`,
    /// `iam-resource-form`, `s3-bare`, `web-identity`, `ec2-encoded`, `classic` (no reason).
    pub variant: Option<String>,
}

/// Where an observation came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Origin {
    /// An error message pasted or read from a file.
    Message,
    /// A CloudTrail event.
    CloudTrail {
        /// `eventID`.
        event_id: Option<String>,
        /// `eventTime`.
        event_time: Option<String>,
        /// `eventSource` and `eventName`.
        event: String,
        /// The file it was read from, when there was one.
        file: Option<String>,
    },
    /// The JSON of `aws sts decode-authorization-message`.
    DecodedMessage,
}

/// How a resource naming `*` or `?` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceReading {
    /// The name as it is: an S3 key may contain `*` (a resource typed by the user, or read from
    /// CloudTrail, names one resource).
    Literal,
    /// A pattern AWS wrote in an error message (`arn:aws:ec2:…:instance/*`): some resource
    /// matching it.
    Pattern,
}

/// A request as AWS reported it, plus what AWS said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observed {
    /// Where this came from.
    pub origin: Origin,
    /// The principal as reported (session ARN for roles; `arn:aws:iam::A:root` for root;
    /// `anonymous`; a service principal).
    pub principal: Option<String>,
    /// The role ARN with its path for role sessions (CloudTrail's session issuer).
    pub role_arn: Option<String>,
    /// The action(s) to simulate; usually one (`CopyObject` needs two, AWS: CloudTrail event names and IAM actions).
    pub actions: Vec<String>,
    /// The resource.
    pub resource: Option<String>,
    /// Whether a `*` or `?` in the resource is a character of its name or a wildcard.
    pub resource_reading: ResourceReading,
    /// The resource owner, when reported.
    pub resource_account: Option<String>,
    /// Context keys derived from the record (a key repeated is multivalued).
    pub context: Vec<(String, String)>,
    /// The VPC endpoint the request went through.
    pub vpce: Option<String>,
    /// The AWS region of the call.
    pub region: Option<String>,
    /// What the error message said, when there was one.
    pub message: Option<ParsedMessage>,
    /// Statements AWS reported as matched (decoded authorization messages).
    pub reported_statements: Vec<String>,
    /// Whether AWS said the request was allowed (decoded messages) or denied.
    pub allowed: Option<bool>,
    /// How each field was derived, and what could not be.
    pub notes: Vec<String>,
}

impl ParsedMessage {
    /// What AWS claims decided the request, in words ("explicit deny in a service control
    /// policy", "no identity-based policy allows it"), when the message names a policy type.
    /// A message that says "with an explicit deny" without naming the policy is still an
    /// explicit deny.
    pub fn claim(&self) -> Option<String> {
        let Some(kind) = self.policy_type else {
            return match self.deny {
                Some(DenyKind::Explicit) => {
                    Some("explicit deny (the message does not say in which policy)".into())
                }
                Some(DenyKind::Implicit) => Some(
                    "implicit deny (the message does not say which policy lacks an allow)".into(),
                ),
                None => None,
            };
        };
        let phrase = crate::message::policy_kind_phrase(kind);
        let article = if phrase.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        Some(match self.deny {
            Some(DenyKind::Explicit) => format!("explicit deny in {article} {phrase}"),
            _ => format!("no {phrase} allows it"),
        })
    }
}

impl Observed {
    /// An empty observation of the given origin.
    pub fn new(origin: Origin) -> Observed {
        Observed {
            origin,
            principal: None,
            role_arn: None,
            actions: Vec::new(),
            resource: None,
            resource_reading: ResourceReading::Literal,
            resource_account: None,
            context: Vec::new(),
            vpce: None,
            region: None,
            message: None,
            reported_statements: Vec::new(),
            allowed: None,
            notes: Vec::new(),
        }
    }
}

/// An observation built from an error message alone (`None` when the text holds no
/// access-denied message). The whole text is one message; see
/// [`crate::message::parse_messages`] for a paste holding several.
pub fn from_message(text: &str) -> Option<Observed> {
    crate::message::parse_message(text).map(from_parsed)
}

/// An observation built from a parsed error message. A resource AWS wrote with wildcards
/// (`arn:aws:ec2:…:instance/*`) is a pattern: "some resource matching this".
pub fn from_parsed(parsed: ParsedMessage) -> Observed {
    let mut o = Observed::new(Origin::Message);
    o.principal = parsed.principal.clone();
    o.actions = parsed.action.clone().into_iter().collect();
    o.resource = parsed
        .resource
        .clone()
        .filter(|r| r.starts_with("arn:") || r == "*");
    if let Some(r) = &parsed.resource
        && !r.starts_with("arn:")
    {
        o.notes.push(format!(
            "the message names the resource as \"{r}\", not an ARN; give the ARN to simulate it"
        ));
    }
    if o.resource
        .as_deref()
        .is_some_and(|r| r != "*" && r.contains(['*', '?']))
    {
        o.resource_reading = ResourceReading::Pattern;
    }
    o.allowed = Some(false);
    o.message = Some(parsed);
    o
}
