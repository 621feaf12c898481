//! The policy layers AWS applies and the decisions they produce.

use serde::Serialize;

/// A policy layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    /// Service control policies on the principal's account path.
    Scp,
    /// Resource control policies on the resource owner's account path.
    Rcp,
    /// The policy of the VPC endpoint the request went through.
    VpcEndpoint,
    /// The principal's permissions boundary.
    PermissionsBoundary,
    /// Session policies passed when the session was created.
    Session,
    /// Identity-based policies of the principal (and its groups).
    Identity,
    /// The resource's own policy: bucket, key, queue, trust policy ...
    Resource,
}

impl Layer {
    /// AWS's phrase in error messages (`service control policy`, `permissions boundary`, ...).
    pub fn phrase(self) -> &'static str {
        match self {
            Layer::Scp => "service control policy",
            Layer::Rcp => "resource control policy",
            Layer::VpcEndpoint => "VPC endpoint policy",
            Layer::PermissionsBoundary => "permissions boundary",
            Layer::Session => "session policy",
            Layer::Identity => "identity-based policy",
            Layer::Resource => "resource-based policy",
        }
    }

    /// The phrase with its article: "an identity-based policy", "a service control policy".
    pub fn with_article(self) -> String {
        let phrase = self.phrase();
        let article = if phrase.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {phrase}")
    }

    /// Short name (`scp`, `rcp`, `vpce`, `pb`, `session`, `identity`, `resource`).
    pub fn short(self) -> &'static str {
        match self {
            Layer::Scp => "scp",
            Layer::Rcp => "rcp",
            Layer::VpcEndpoint => "vpce",
            Layer::PermissionsBoundary => "pb",
            Layer::Session => "session",
            Layer::Identity => "identity",
            Layer::Resource => "resource",
        }
    }

    /// Order in which a primary explicit-deny reason is chosen (reason selection, docs/spec-notes.md).
    pub(crate) fn explicit_priority(self) -> u8 {
        match self {
            Layer::Scp => 0,
            Layer::Rcp => 1,
            Layer::VpcEndpoint => 2,
            Layer::PermissionsBoundary => 3,
            Layer::Session => 4,
            Layer::Identity => 5,
            Layer::Resource => 6,
        }
    }
}

impl std::fmt::Display for Layer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.phrase())
    }
}

/// The final answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Decision {
    /// Every required layer allowed and nothing denied.
    Allowed,
    /// An applicable Deny statement decided.
    ExplicitDeny,
    /// No explicit deny, but some required allow was missing.
    ImplicitDeny,
}

impl Decision {
    /// AWS simulator spelling: `allowed`, `explicitDeny`, `implicitDeny`.
    pub fn simulator_name(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }

    /// True unless allowed.
    pub fn is_denied(self) -> bool {
        self != Decision::Allowed
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Decision::Allowed => "ALLOWED",
            Decision::ExplicitDeny => "EXPLICIT DENY",
            Decision::ImplicitDeny => "IMPLICIT DENY",
        })
    }
}

/// How a resource policy granted access to the caller (docs/semantics.md, "How a resource policy grants access").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantKind {
    /// Only the account is named: an identity-based allow is still needed.
    Account,
    /// The role of the session is named: counts as an identity allow, but boundary and
    /// session policy still apply.
    ViaRole,
    /// The IAM user behind a federated-user session is named: like `ViaRole`.
    ViaUserForFederated,
    /// The caller itself (or `*`, or its service) is named: in the same account not limited by
    /// implicit denies in identity policies, boundary or session policy.
    Direct,
}
