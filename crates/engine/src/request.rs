//! An authorization request: principal, action, resource, context.

use crate::context::Context;
use crate::principal::Principal;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::arn::ArnTarget;
use iamwhy_policy::wildcard::{Token, tokens};

/// The resource a request acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestResource {
    /// `*`: the action takes no resource type (wildcard-only actions such as
    /// `s3:ListAllMyBuckets`). Only `Resource: "*"` matches it.
    Any,
    /// A concrete ARN.
    Arn {
        /// The ARN as given.
        arn: String,
        /// The ARN split for matching.
        target: ArnTarget,
    },
    /// Something that is not an ARN (IAM's `user Adam` form); no ARN pattern matches it.
    Other(String),
    /// A resource *pattern* with wildcards: "could the principal act on any of these?"
    /// (AWS: resource patterns in requests). An Allow applies when its resource overlaps the pattern; a Deny only
    /// when it covers the whole pattern.
    Pattern {
        /// The pattern as given.
        text: String,
        /// Its six fields as tokens (the first five lowercased).
        fields: Box<[Vec<Token>; 6]>,
    },
}

impl RequestResource {
    /// Read a resource: `*`, an ARN, or other text.
    pub fn parse(text: &str) -> RequestResource {
        if text == "*" {
            return RequestResource::Any;
        }
        match ArnTarget::new(text) {
            Some(target) => RequestResource::Arn {
                arn: text.to_string(),
                target,
            },
            None => RequestResource::Other(text.to_string()),
        }
    }

    /// Read a resource that may contain wildcards: text with `*` or `?` (other than a bare
    /// `*`, which is the resource of wildcard-only actions) becomes a [`RequestResource::Pattern`].
    pub fn parse_pattern(text: &str) -> RequestResource {
        if !text.contains(['*', '?']) {
            return RequestResource::parse(text);
        }
        let mut parts: Vec<&str> = if text == "*" {
            Vec::new()
        } else {
            text.splitn(6, ':').collect()
        };
        parts.resize(6, "*");
        let fields = std::array::from_fn(|i| {
            if i < 5 {
                tokens(&parts[i].to_ascii_lowercase()).collect()
            } else {
                tokens(parts[i]).collect()
            }
        });
        RequestResource::Pattern {
            text: text.to_string(),
            fields: Box::new(fields),
        }
    }

    /// The resource as text.
    pub fn as_str(&self) -> &str {
        match self {
            RequestResource::Any => "*",
            RequestResource::Arn { arn, .. } => arn,
            RequestResource::Other(s) => s,
            RequestResource::Pattern { text, .. } => text,
        }
    }
}

/// One (principal, action, resource, context) question.
#[derive(Debug, Clone)]
pub struct Request {
    /// Who asks.
    pub principal: Principal,
    /// The action as given (`s3:GetObject`).
    pub action: String,
    action_service: String,
    action_name: String,
    /// What it acts on.
    pub resource: RequestResource,
    /// The account that owns the resource, when known.
    pub resource_account: Option<String>,
    /// Condition keys.
    pub context: Context,
    /// Whether the principal has a permissions boundary (a Deny with NotPrincipal always
    /// applies to such a principal: the NotPrincipal rule).
    pub principal_has_boundary: bool,
    /// Whether the principal belongs to the organization's management account (SCPs do not
    /// apply to it).
    pub principal_in_management_account: bool,
}

impl Request {
    /// Build a request. The action must be `service:name`.
    pub fn new(
        principal: Principal,
        action: &str,
        resource: RequestResource,
        context: Context,
    ) -> Result<Request, Diagnostic> {
        let Some((service, name)) = action.split_once(':') else {
            return Err(Diagnostic::error(
                "not-an-action",
                format!("\"{action}\" is not an action"),
            )
            .with_help("an action is service:Action, such as s3:GetObject"));
        };
        if service.is_empty() || name.is_empty() || action.contains(['*', '?']) {
            return Err(Diagnostic::error(
                "not-a-single-action",
                format!("\"{action}\" is not a single action"),
            )
            .with_help("a request names one action, service:Action without wildcards"));
        }
        Ok(Request {
            principal,
            action: action.to_string(),
            action_service: service.to_lowercase(),
            action_name: name.to_lowercase(),
            resource,
            resource_account: None,
            context,
            principal_has_boundary: false,
            principal_in_management_account: false,
        })
    }

    /// Whether the caller is a service-linked role (a role under `/aws-service-role/`, or one of
    /// its sessions when the role ARN with its path is known). SCPs and RCPs do not apply.
    pub fn is_service_linked_role(&self) -> bool {
        self.principal
            .role_arn
            .as_deref()
            .is_some_and(|arn| arn.contains(":role/aws-service-role/"))
    }

    /// The lowercased service prefix of the action.
    pub fn service(&self) -> &str {
        &self.action_service
    }

    /// The lowercased action name.
    pub fn action_name_lower(&self) -> &str {
        &self.action_name
    }
}
