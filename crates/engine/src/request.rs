//! An authorization request: principal, action, resource, context.

use crate::context::Context;
use crate::principal::Principal;
use iamwhy_policy::arn::ArnTarget;

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

    /// The resource as text.
    pub fn as_str(&self) -> &str {
        match self {
            RequestResource::Any => "*",
            RequestResource::Arn { arn, .. } => arn,
            RequestResource::Other(s) => s,
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
    /// applies to such a principal, spec §2.4).
    pub principal_has_boundary: bool,
}

/// Why a request could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError(pub String);

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RequestError {}

impl Request {
    /// Build a request. The action must be `service:name`.
    pub fn new(
        principal: Principal,
        action: &str,
        resource: RequestResource,
        context: Context,
    ) -> Result<Request, RequestError> {
        let Some((service, name)) = action.split_once(':') else {
            return Err(RequestError(format!(
                "\"{action}\" is not an action: expected service:Action, such as s3:GetObject"
            )));
        };
        if service.is_empty() || name.is_empty() || action.contains(['*', '?']) {
            return Err(RequestError(format!(
                "\"{action}\" is not a single action: expected service:Action without wildcards"
            )));
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
        })
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
