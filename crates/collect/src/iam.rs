//! IAM: `GetAccountAuthorizationDetails` with every filter (users, groups, roles, customer
//! managed policies, the AWS managed policies in use), every page, merged into one
//! `authorization-details.json`. A page that fails makes the whole account unusable: a
//! partial inventory would look complete.

use crate::calls::IAM_GET_ACCOUNT_AUTHORIZATION_DETAILS as GAAD;
use crate::files::{self, AuthorizationDetails};
use crate::run::{Run, Scope};
use aws_sdk_iam::types::EntityType;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use std::collections::HashSet;

fn date(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> Vec<files::Tag> {
    list.iter()
        .map(|t| files::Tag {
            key: t.key().to_string(),
            value: t.value().to_string(),
        })
        .collect()
}

fn inline(list: &[aws_sdk_iam::types::PolicyDetail]) -> Vec<files::InlinePolicy> {
    list.iter()
        .map(|p| files::InlinePolicy {
            policy_name: p.policy_name().map(str::to_string),
            policy_document: files::document(p.policy_document().unwrap_or("")),
        })
        .collect()
}

fn attached(list: &[aws_sdk_iam::types::AttachedPolicy]) -> Vec<files::AttachedPolicy> {
    list.iter()
        .filter_map(|a| {
            Some(files::AttachedPolicy {
                policy_name: a.policy_name().map(str::to_string),
                policy_arn: a.policy_arn()?.to_string(),
            })
        })
        .collect()
}

fn boundary(
    b: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>,
) -> Option<files::Boundary> {
    let b = b?;
    Some(files::Boundary {
        permissions_boundary_type: b
            .permissions_boundary_type()
            .map(|t| t.as_str().to_string()),
        permissions_boundary_arn: b.permissions_boundary_arn()?.to_string(),
    })
}

/// Append one page of the API's output to the merged file.
pub fn add_page(
    out: &mut AuthorizationDetails,
    page: &aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput,
) {
    for u in page.user_detail_list() {
        out.user_detail_list.push(files::User {
            path: u.path().map(str::to_string),
            user_name: u.user_name().unwrap_or_default().to_string(),
            user_id: u.user_id().map(str::to_string),
            arn: u.arn().unwrap_or_default().to_string(),
            create_date: date(u.create_date()),
            user_policy_list: inline(u.user_policy_list()),
            group_list: u.group_list().to_vec(),
            attached_managed_policies: attached(u.attached_managed_policies()),
            permissions_boundary: boundary(u.permissions_boundary()),
            tags: tags(u.tags()),
        });
    }
    for g in page.group_detail_list() {
        out.group_detail_list.push(files::Group {
            path: g.path().map(str::to_string),
            group_name: g.group_name().unwrap_or_default().to_string(),
            group_id: g.group_id().map(str::to_string),
            arn: g.arn().unwrap_or_default().to_string(),
            create_date: date(g.create_date()),
            group_policy_list: inline(g.group_policy_list()),
            attached_managed_policies: attached(g.attached_managed_policies()),
        });
    }
    for r in page.role_detail_list() {
        out.role_detail_list.push(files::Role {
            path: r.path().map(str::to_string),
            role_name: r.role_name().unwrap_or_default().to_string(),
            role_id: r.role_id().map(str::to_string),
            arn: r.arn().unwrap_or_default().to_string(),
            create_date: date(r.create_date()),
            assume_role_policy_document: r.assume_role_policy_document().map(files::document),
            role_policy_list: inline(r.role_policy_list()),
            attached_managed_policies: attached(r.attached_managed_policies()),
            permissions_boundary: boundary(r.permissions_boundary()),
            tags: tags(r.tags()),
        });
    }
    for p in page.policies() {
        out.policies.push(files::ManagedPolicy {
            policy_name: p.policy_name().map(str::to_string),
            policy_id: p.policy_id().map(str::to_string),
            arn: p.arn().unwrap_or_default().to_string(),
            path: p.path().map(str::to_string),
            default_version_id: p.default_version_id().map(str::to_string),
            attachment_count: p.attachment_count(),
            permissions_boundary_usage_count: p.permissions_boundary_usage_count(),
            is_attachable: p.is_attachable(),
            create_date: date(p.create_date()),
            update_date: date(p.update_date()),
            policy_version_list: p
                .policy_version_list()
                .iter()
                .map(|v| files::PolicyVersion {
                    document: files::document(v.document().unwrap_or("")),
                    version_id: v.version_id().map(str::to_string),
                    is_default_version: v.is_default_version(),
                    create_date: date(v.create_date()),
                })
                .collect(),
        });
    }
}

/// Every page of the account's authorization details, or `None` (with the failure
/// recorded) when any page could not be read.
pub async fn authorization_details(
    run: &Run,
    scope: &Scope,
    iam: &aws_sdk_iam::Client,
) -> Option<AuthorizationDetails> {
    let mut out = AuthorizationDetails::default();
    let mut marker: Option<String> = None;
    let mut seen = HashSet::new();
    let missing = || {
        format!(
            "the IAM users, groups, roles and policies of account {} (the account was not written)",
            scope.account
        )
    };
    loop {
        let request = iam
            .get_account_authorization_details()
            .set_filter(Some(vec![
                EntityType::User,
                EntityType::Group,
                EntityType::Role,
                EntityType::LocalManagedPolicy,
                EntityType::AwsManagedPolicy,
            ]))
            .set_marker(marker.clone())
            .max_items(1000);
        let page = run
            .call_or_fail(scope, &GAAD, None, missing, request.send())
            .await?;
        add_page(&mut out, &page);
        if !page.is_truncated() {
            return Some(out);
        }
        match page.marker() {
            Some(m) if seen.insert(m.to_string()) => marker = Some(m.to_string()),
            other => {
                let err = crate::sdk::CallError {
                    code: None,
                    category: "Other",
                    message: match other {
                        Some(m) => format!("the service repeated the page marker {m}"),
                        None => "the service said more pages follow but gave no marker".into(),
                    },
                };
                run.fail(scope, &GAAD, None, &err, missing());
                return None;
            }
        }
    }
}
