//! AWS managed policies that a snapshot attaches without carrying their documents (an
//! authorization-details export made with `--filter LocalManagedPolicy` only, say): their
//! documents come from iamwhy's embedded copy ([`iamwhy_managed_policies`]), and the world
//! records each one so that answers depending on them say so.
//!
//! A policy the snapshot does carry always wins: the snapshot is newer than the copy. Customer
//! managed policies have no copy; a missing one stays an error (load.rs, `check_references`).

use crate::model::{Account, Policy};
use iamwhy_diagnostic::Diagnostic;
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::PolicyType;
use std::sync::Arc;

/// A managed policy of one account whose document is iamwhy's embedded copy.
#[derive(Debug, Clone)]
pub struct EmbeddedPolicy {
    /// The account whose snapshot attaches it.
    pub account: String,
    /// The ARN as the snapshot names it (its partition may not be `aws`).
    pub arn: String,
    /// The compiled copy (the same `Arc` as in the account's `managed` map).
    pub policy: Policy,
    /// True when the ARN is of another partition than `aws`: the copy is the `aws` partition's.
    pub partition_differs: bool,
}

impl EmbeddedPolicy {
    /// The note a request whose policy set holds this policy gets.
    pub fn note(&self) -> String {
        let partition = if self.partition_differs {
            ", the aws partition's version"
        } else {
            ""
        };
        format!(
            "AWS managed policy {} comes from iamwhy's embedded copy ({}{partition}): the snapshot of account {} attaches it without its document; if AWS has changed the policy since, the answer may differ",
            self.arn,
            iamwhy_managed_policies::provenance(),
            self.account
        )
    }
}

/// How explanations name the embedded copy of `name`.
pub fn source_label(name: &str, arn: &str, partition_differs: bool) -> String {
    let mut s = format!(
        "iamwhy's embedded copy of AWS managed policy {name} ({})",
        iamwhy_managed_policies::provenance()
    );
    if partition_differs {
        s.push_str(&format!(", the aws partition's version, used for {arn}"));
    }
    s
}

/// Whether an ARN names an AWS managed policy (`arn:PARTITION:iam::aws:policy/...`).
pub fn is_aws_managed(arn: &str) -> bool {
    let mut f = arn.splitn(6, ':');
    matches!(
        (f.next(), f.next(), f.next(), f.next(), f.next(), f.next()),
        (Some("arn"), Some(_), Some("iam"), Some(""), Some("aws"), Some(rest)) if rest.starts_with("policy/")
    )
}

/// Every managed policy ARN the account's users, groups and roles attach or use as boundary.
fn referenced(account: &Account) -> impl Iterator<Item = &String> {
    let users = account
        .users
        .values()
        .flat_map(|u| u.attached.iter().chain(&u.boundary));
    let groups = account.groups.values().flat_map(|g| g.attached.iter());
    let roles = account
        .roles
        .values()
        .flat_map(|r| r.attached.iter().chain(&r.boundary));
    users.chain(groups).chain(roles)
}

/// Add the embedded copy of every AWS managed policy the account references but its snapshot
/// lacks; the policies it cannot find are left for the loader's reference check to report.
pub fn fill_missing(account: &mut Account) -> Result<Vec<EmbeddedPolicy>, Diagnostic> {
    let mut missing: Vec<String> = referenced(account)
        .filter(|arn| !account.managed.contains_key(*arn) && is_aws_managed(arn))
        .cloned()
        .collect();
    missing.sort();
    missing.dedup();
    let mut out = Vec::new();
    for arn in missing {
        let Some(hit) = iamwhy_managed_policies::embedded().get(&arn) else {
            continue;
        };
        let (name, partition_differs) = (hit.policy.name, hit.partition_differs);
        let parsed = CompiledPolicy::parse(name, PolicyType::Identity, hit.policy.document);
        let mut compiled = parsed.map_err(|e| {
            Diagnostic::error(
                "embedded-policy-broken",
                format!(
                    "iamwhy's embedded copy of {arn} does not parse (a bug: please report it): {e}"
                ),
            )
        })?;
        compiled.source = Some(source_label(name, &arn, partition_differs));
        let policy: Policy = Arc::new(compiled);
        account.managed.insert(arn.clone(), policy.clone());
        out.push(EmbeddedPolicy {
            account: account.id.clone(),
            arn,
            policy,
            partition_differs,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_managed_arns_are_recognised_in_every_partition_only() {
        assert!(is_aws_managed("arn:aws:iam::aws:policy/ReadOnlyAccess"));
        assert!(is_aws_managed(
            "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        ));
        assert!(!is_aws_managed(
            "arn:aws:iam::111111111111:policy/ReadOnlyAccess"
        ));
        assert!(!is_aws_managed("arn:aws:iam::aws:role/x"));
        assert!(!is_aws_managed("ReadOnlyAccess"));
    }

    #[test]
    fn the_source_label_names_package_version_and_date() {
        let label = source_label(
            "ReadOnlyAccess",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            false,
        );
        assert_eq!(
            label,
            format!(
                "iamwhy's embedded copy of AWS managed policy ReadOnlyAccess ({} {}, {})",
                iamwhy_managed_policies::SOURCE_PACKAGE,
                iamwhy_managed_policies::SOURCE_VERSION,
                iamwhy_managed_policies::DATA_DATE
            )
        );
        assert!(source_label("X", "arn:aws-cn:iam::aws:policy/X", true).contains("aws partition"));
    }
}
