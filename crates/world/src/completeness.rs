//! Notes saying that an answer may rest on something the world does not hold as collected:
//! an AWS managed policy taken from iamwhy's embedded copy, a call the collection manifest
//! (`collection.json`) records as failed, a part of an imported store that could not be read.
//!
//! A failure or gap *could affect* a request (the rule of the agreed collection format) when:
//! * it is in service `iam` of the principal's or the resource's account (any region);
//! * it is in service `organizations` (any account: SCPs and RCPs apply organization-wide, so
//!   this is wider than the format's "principal's or resource's account");
//! * it is about the request's resource: the exact ARN, or the bucket of an S3 object;
//! * it is a whole-listing failure (no resource) of the request's service in the resource's
//!   account and region (a global failure, or a resource whose ARN has no region, matches any
//!   region);
//! * it has no service at all (a gap about a whole account) and is in the resource's account;
//! * it has no account at all (a gap about a whole imported store).

use crate::manifest::Collection;
use crate::model::World;
use iamwhy_engine::{PolicySet, Request};
use std::sync::Arc;

/// Something the world may lack, with the note a request it could affect gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The account it concerns; `None` for a gap that could concern any account.
    pub account: Option<String>,
    /// Its region; `None` for global services or any region.
    pub region: Option<String>,
    /// Its service prefix; `None` for a gap about the whole account.
    pub service: Option<String>,
    /// The resource it is about; `None` for a whole listing.
    pub resource: Option<String>,
    /// The note, one sentence.
    pub note: String,
}

/// The gaps a collection manifest records: one per failed call.
pub fn manifest_gaps(c: &Collection) -> Vec<Gap> {
    c.failures
        .iter()
        .map(|f| Gap {
            account: Some(f.account.clone()),
            region: f.region.clone(),
            service: Some(f.service.to_lowercase()),
            resource: f.resource.clone(),
            note: format!(
                "the answer may be incomplete: {} was not collected ({}: {})",
                f.missing, f.operation, f.error_code
            ),
        })
        .collect()
}

/// What matching needs to know about a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestScope<'a> {
    /// The action's service prefix, lowercase.
    pub action_service: &'a str,
    /// The resource ARN (or `*`).
    pub resource: &'a str,
    /// The principal's account, when it has one.
    pub principal_account: Option<&'a str>,
    /// The resource's owner, when known.
    pub resource_account: Option<&'a str>,
}

impl RequestScope<'_> {
    fn resource_field(&self, n: usize) -> Option<&str> {
        let r = self.resource;
        if !r.starts_with("arn:") {
            return None;
        }
        r.splitn(6, ':').nth(n)
    }

    /// The bucket ARN of an S3 object ARN.
    fn bucket_arn(&self) -> Option<String> {
        let rest = self.resource.strip_prefix("arn:")?;
        let (partition, rest) = rest.split_once(':')?;
        let path = rest.strip_prefix("s3:::")?;
        let (bucket, _) = path.split_once('/')?;
        Some(format!("arn:{partition}:s3:::{bucket}"))
    }
}

impl Gap {
    /// Whether this gap could affect the request.
    pub fn affects(&self, r: &RequestScope<'_>) -> bool {
        let Some(account) = self.account.as_deref() else {
            return true;
        };
        let in_principal = r.principal_account == Some(account);
        let in_resource = r.resource_account == Some(account);
        match self.service.as_deref() {
            Some("organizations") => return true,
            Some("iam") if in_principal || in_resource => return true,
            None => return in_resource,
            _ => {}
        }
        if let Some(resource) = &self.resource {
            return resource == r.resource || r.bucket_arn().as_deref() == Some(resource.as_str());
        }
        let service = self.service.as_deref().unwrap_or_default();
        let same_service = service == r.action_service
            || r.resource_field(2)
                .is_some_and(|s| s.eq_ignore_ascii_case(service));
        let region_matches = match (&self.region, r.resource_field(3)) {
            (None, _) | (_, None) | (_, Some("")) => true,
            (Some(g), Some(res)) => g == res,
        };
        in_resource && same_service && region_matches
    }
}

fn policies(set: &PolicySet) -> impl Iterator<Item = &Arc<iamwhy_engine::CompiledPolicy>> {
    let layers = std::iter::once(&set.identity)
        .chain(&set.boundary)
        .chain(&set.session)
        .chain(&set.resource)
        .chain(&set.endpoint)
        .chain(set.scp_levels.iter().map(|l| &l.policies))
        .chain(set.rcp_levels.iter().map(|l| &l.policies));
    layers.flat_map(|l| l.policies.iter())
}

impl World {
    /// The notes a prepared request gets about what the world may lack: embedded AWS managed
    /// policies in its policy set, and every gap that could affect it. Each note once.
    pub fn completeness_notes(&self, set: &PolicySet, request: &Request) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        let mut push = |n: String| {
            if !notes.contains(&n) {
                notes.push(n);
            }
        };
        if !self.embedded_policies.is_empty() {
            for p in policies(set) {
                if let Some(e) = self
                    .embedded_policies
                    .iter()
                    .find(|e| Arc::ptr_eq(&e.policy, p))
                {
                    push(e.note());
                }
            }
        }
        if !self.gaps.is_empty() {
            let scope = RequestScope {
                action_service: request.service(),
                resource: request.resource.as_str(),
                principal_account: request.principal.account.as_deref(),
                resource_account: request.resource_account.as_deref(),
            };
            for g in &self.gaps {
                if g.affects(&scope) {
                    push(g.note.clone());
                }
            }
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(
        account: &str,
        region: Option<&str>,
        service: Option<&str>,
        resource: Option<&str>,
    ) -> Gap {
        Gap {
            account: Some(account.into()),
            region: region.map(Into::into),
            service: service.map(Into::into),
            resource: resource.map(Into::into),
            note: "n".into(),
        }
    }

    const A: &str = "111111111111";
    const B: &str = "222222222222";

    fn scope<'a>(action_service: &'a str, resource: &'a str) -> RequestScope<'a> {
        RequestScope {
            action_service,
            resource,
            principal_account: Some(B),
            resource_account: Some(A),
        }
    }

    #[test]
    fn an_iam_failure_affects_requests_of_the_principals_or_resources_account_only() {
        let r = scope("s3", "arn:aws:s3:::data/x");
        assert!(gap(A, None, Some("iam"), None).affects(&r));
        assert!(gap(B, None, Some("iam"), None).affects(&r));
        assert!(!gap("333333333333", None, Some("iam"), None).affects(&r));
    }

    #[test]
    fn an_organizations_failure_affects_every_request() {
        let r = scope("s3", "arn:aws:s3:::data/x");
        assert!(gap("999999999999", None, Some("organizations"), None).affects(&r));
    }

    #[test]
    fn a_resource_failure_affects_that_resource_and_the_objects_of_that_bucket() {
        let q = "arn:aws:sqs:eu-west-1:111111111111:orders";
        let g = gap(A, Some("eu-west-1"), Some("sqs"), Some(q));
        assert!(g.affects(&scope("sqs", q)));
        assert!(!g.affects(&scope("sqs", "arn:aws:sqs:eu-west-1:111111111111:other")));
        let b = gap(A, None, Some("s3"), Some("arn:aws:s3:::data"));
        assert!(b.affects(&scope("s3", "arn:aws:s3:::data/reports/x.csv")));
        assert!(b.affects(&scope("s3", "arn:aws:s3:::data")));
        assert!(!b.affects(&scope("s3", "arn:aws:s3:::database/x")));
    }

    #[test]
    fn a_listing_failure_affects_its_service_in_its_account_and_region() {
        let g = gap(A, Some("eu-west-1"), Some("sqs"), None);
        assert!(g.affects(&scope("sqs", "arn:aws:sqs:eu-west-1:111111111111:q")));
        assert!(!g.affects(&scope("sqs", "arn:aws:sqs:us-east-1:111111111111:q")));
        assert!(!g.affects(&scope("sns", "arn:aws:sns:eu-west-1:111111111111:t")));
        let mut other_owner = scope("sqs", "arn:aws:sqs:eu-west-1:222222222222:q");
        other_owner.resource_account = Some(B);
        assert!(!g.affects(&other_owner));
        // The S3 bucket listing is global; S3 ARNs carry no region.
        let s3 = gap(A, None, Some("s3"), None);
        assert!(s3.affects(&scope("s3", "arn:aws:s3:::data/x")));
        let regional_s3 = gap(A, Some("eu-west-1"), Some("s3"), None);
        assert!(regional_s3.affects(&scope("s3", "arn:aws:s3:::data/x")));
        // The resource's service counts too (kms:Decrypt on a key, through another service).
        let kms = gap(A, Some("eu-west-1"), Some("kms"), None);
        assert!(kms.affects(&scope("kms", "arn:aws:kms:eu-west-1:111111111111:key/k")));
    }

    #[test]
    fn a_store_wide_gap_affects_every_request() {
        let mut g = gap(A, None, None, None);
        g.account = None;
        assert!(g.affects(&scope("sqs", "arn:aws:sqs:eu-west-1:333333333333:q")));
    }

    #[test]
    fn an_account_wide_gap_affects_requests_on_that_accounts_resources() {
        let g = gap(A, None, None, None);
        assert!(g.affects(&scope("s3", "arn:aws:s3:::data/x")));
        let mut elsewhere = scope("s3", "arn:aws:s3:::data/x");
        elsewhere.resource_account = Some(B);
        assert!(!g.affects(&elsewhere));
    }

    #[test]
    fn manifest_failures_become_notes_in_the_agreed_words() {
        let c = crate::manifest::parse(
            r#"{"schema":"iamwhy.collection/1","accounts":[],"failures":[{"account":"111111111111",
            "region":"eu-west-1","service":"SQS","operation":"GetQueueAttributes","resource":null,
            "errorCode":"AccessDenied","missing":"the policies of the queues"}]}"#,
        )
        .unwrap();
        let g = manifest_gaps(&c);
        assert_eq!(g[0].service.as_deref(), Some("sqs"));
        assert_eq!(
            g[0].note,
            "the answer may be incomplete: the policies of the queues was not collected (GetQueueAttributes: AccessDenied)"
        );
    }
}
