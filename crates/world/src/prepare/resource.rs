//! The resource step: who owns the resource, which policy governs it (the bucket's for an
//! object, the trust policy for role assumption, the unqualified function for a Lambda
//! version), and its tags.

use super::context::InferredKey;
use crate::model::{Account, Policy, Resource, World};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::Arn;
use std::collections::BTreeMap;

/// Actions authorized by the role's trust policy rather than a resource policy.
const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// Whether `action` is authorized by a role's trust policy.
pub fn is_trust_action(action: &str) -> bool {
    TRUST_ACTIONS.contains(&action.to_ascii_lowercase().as_str())
}

/// A resource found in the world.
#[derive(Debug, Clone, Default)]
pub struct ResolvedResource {
    /// The owning account (`None` for `*` and for AWS-owned resources such as AWS managed
    /// policies).
    pub owner: Option<String>,
    /// The resource-based policy that governs the request (bucket, key, queue, trust ...).
    pub policy: Option<Policy>,
    /// The context keys AWS derives from the resource (its tags).
    pub keys: Vec<InferredKey>,
    /// Facts about how the resource was read.
    pub notes: Vec<String>,
}

impl World {
    /// The owner account of `arn`: `resource_account` when given, the ARN's account, or for
    /// S3 (whose ARNs carry none) the account whose resource-policies.json lists the bucket.
    pub fn resource_owner(
        &self,
        arn: &str,
        resource_account: Option<&str>,
    ) -> Result<Option<String>, Diagnostic> {
        if arn == "*" {
            return Ok(None);
        }
        if let Some(a) = resource_account {
            return Ok(Some(a.to_string()));
        }
        let Some(parsed) = Arn::parse(arn) else {
            return Ok(None);
        };
        // AWS managed policies (arn:aws:iam::aws:policy/...) belong to AWS, not to an account
        // of the world; the engine knows how to treat them.
        if parsed.account == "aws" {
            return Ok(None);
        }
        if !parsed.account.is_empty() {
            return Ok(Some(parsed.account.to_string()));
        }
        if let Some(bucket) = parsed.s3_bucket() {
            let bucket_arn = format!("arn:{}:s3:::{bucket}", parsed.partition);
            return match self.bucket_owner(&bucket_arn) {
                Some(id) => Ok(Some(id.to_string())),
                None => Err(Diagnostic::error(
                    "bucket-owner-unknown",
                    format!(
                        "bucket {bucket} is not in any account's resource-policies.json, so its owner is unknown; add it there or pass --resource-account"
                    ),
                )),
            };
        }
        Ok(None)
    }

    /// The account whose resource-policies.json lists the bucket `bucket_arn`.
    pub fn bucket_owner(&self, bucket_arn: &str) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(_, a)| a.resources.contains_key(bucket_arn))
            .map(|(id, _)| id.as_str())
    }

    /// The resource step of [`World::prepare`]: the owner, the governing policy and the tags
    /// of `arn` for a request of `action`.
    pub fn resolve_resource(
        &self,
        action: &str,
        arn: &str,
        resource_account: Option<&str>,
    ) -> Result<ResolvedResource, Diagnostic> {
        let owner = self.resource_owner(arn, resource_account)?;
        let mut out = ResolvedResource {
            owner: owner.clone(),
            ..ResolvedResource::default()
        };
        let Some(owner) = owner else {
            return Ok(out);
        };
        let account = self.account(&owner, &format!("resource {arn}"))?;
        out.keys.push(InferredKey::one(
            "aws:ResourceAccount",
            &owner,
            "the resource's owner",
        ));
        let parsed = Arn::parse(arn);
        let resource_type = parsed.and_then(|a| a.resource_type());
        let mut tags = BTreeMap::new();
        if is_trust_action(action) && resource_type == Some("role") {
            let name = parsed.map_or(arn, |a| a.resource_name());
            let role = self.role_named(account, arn, name)?;
            match &role.trust {
                Some(t) => out.policy = Some(t.clone()),
                None => out.notes.push(format!(
                    "role {} has no trust policy in the snapshot",
                    role.name
                )),
            }
            tags = role.tags.clone();
            let from = format!("tags of role {}", role.name);
            for (k, v) in &tags {
                out.keys
                    .push(InferredKey::one(format!("iam:ResourceTag/{k}"), v, &from));
            }
        } else if let Some(entry) = governing_entry(account, arn) {
            out.policy = entry.policy.clone();
            tags = entry.tags.clone();
        } else if matches!(resource_type, Some("role" | "user")) {
            let entity_tags = account
                .roles
                .get(arn)
                .map(|r| &r.tags)
                .or_else(|| account.users.get(arn).map(|u| &u.tags));
            if let Some(t) = entity_tags {
                tags = t.clone();
                for (k, v) in &tags {
                    out.keys.push(InferredKey::one(
                        format!("iam:ResourceTag/{k}"),
                        v,
                        "tags in the snapshot",
                    ));
                }
            }
        }
        let from = format!("tags of {arn}");
        for (k, v) in &tags {
            out.keys
                .push(InferredKey::one(format!("aws:ResourceTag/{k}"), v, &from));
        }
        Ok(out)
    }
}

/// The resource-policies.json entry that governs `arn`: the exact entry, the bucket of an S3
/// object, or the unqualified function of a Lambda version or alias.
pub(crate) fn governing_entry<'a>(account: &'a Account, arn: &str) -> Option<&'a Resource> {
    if let Some(r) = account.resources.get(arn) {
        return Some(r);
    }
    let parsed = Arn::parse(arn)?;
    if let (Some(bucket), Some(_)) = (parsed.s3_bucket(), parsed.s3_key()) {
        return account
            .resources
            .get(&format!("arn:{}:s3:::{bucket}", parsed.partition));
    }
    if parsed.service == "lambda" && parsed.resource_type() == Some("function") {
        // function:NAME:QUALIFIER → function:NAME
        let mut parts = parsed.resource.splitn(3, ':');
        if let (Some(kind), Some(name), Some(_qualifier)) =
            (parts.next(), parts.next(), parts.next())
        {
            let unqualified = format!(
                "arn:{}:lambda:{}:{}:{kind}:{name}",
                parsed.partition, parsed.region, parsed.account
            );
            return account.resources.get(&unqualified);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::is_trust_action;

    #[test]
    fn trust_actions_are_the_sts_actions_a_trust_policy_authorizes() {
        for a in [
            "sts:AssumeRole",
            "STS:assumerolewithwebidentity",
            "sts:TagSession",
            "sts:SetContext",
        ] {
            assert!(is_trust_action(a), "{a}");
        }
        assert!(!is_trust_action("sts:GetCallerIdentity"));
        assert!(!is_trust_action("iam:PassRole"));
    }
}
