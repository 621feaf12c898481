//! The files of a world as the collector writes them (the shapes `iamwhy-world` reads,
//! docs/worlds.md): `authorization-details.json` in the AWS CLI's shape, `resource-policies.json`
//! entries, `vpc-endpoints.json`, `organization.json`. Policy documents are embedded verbatim
//! as JSON (URL-decoded where the API encodes them), never re-serialized, so duplicate keys
//! and the authors' text survive for the loader to judge.

use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// A policy document as the API returned it, turned into embedded JSON: the text itself when
/// it is JSON, URL-decoded first when it is URL-encoded (IAM), and a JSON string of the text
/// otherwise (so the loader reports it with its location rather than the collector dropping
/// it).
pub fn document(text: &str) -> Box<RawValue> {
    let trimmed = text.trim();
    let decoded;
    let json_text = if trimmed.starts_with('{') {
        trimmed
    } else if trimmed.starts_with('%') {
        decoded = percent_decode(trimmed);
        decoded.as_deref().unwrap_or(trimmed)
    } else {
        trimmed
    };
    RawValue::from_string(json_text.to_string()).unwrap_or_else(|_| string_value(text))
}

/// A document that some APIs (API Gateway) return with its quotes backslash-escaped
/// (`{\"Version\":...}`): unescaped when that makes it JSON, else as [`document`].
pub fn escaped_document(text: &str) -> Box<RawValue> {
    if text.trim_start().starts_with("{\\\"") {
        let quoted = format!("\"{}\"", text.trim());
        if let Ok(inner) = serde_json::from_str::<String>(&quoted)
            && let Ok(raw) = RawValue::from_string(inner)
        {
            return raw;
        }
    }
    document(text)
}

fn string_value(text: &str) -> Box<RawValue> {
    RawValue::from_string(serde_json::Value::String(text.to_string()).to_string())
        .expect("a JSON string is JSON")
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'%' => return None,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A tag.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// An inline policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// Its name.
    pub policy_name: Option<String>,
    /// Its document.
    pub policy_document: Box<RawValue>,
}

/// An attached managed policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// Its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    /// Its ARN.
    pub policy_arn: String,
}

/// A permissions boundary.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    /// `Policy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_type: Option<String>,
    /// The managed policy ARN.
    pub permissions_boundary_arn: String,
}

/// An IAM user.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    /// Path.
    pub path: Option<String>,
    /// Name.
    pub user_name: String,
    /// Unique id.
    pub user_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Inline policies.
    pub user_policy_list: Vec<InlinePolicy>,
    /// Group names.
    pub group_list: Vec<String>,
    /// Attached managed policies.
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Permissions boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// An IAM group.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// Path.
    pub path: Option<String>,
    /// Name.
    pub group_name: String,
    /// Unique id.
    pub group_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Inline policies.
    pub group_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

/// An IAM role.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Path.
    pub path: Option<String>,
    /// Name.
    pub role_name: String,
    /// Unique id.
    pub role_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Trust policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<Box<RawValue>>,
    /// Inline policies.
    pub role_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Permissions boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    /// Tags.
    pub tags: Vec<Tag>,
}

/// One version of a managed policy.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    /// The document.
    pub document: Box<RawValue>,
    /// `v1`, `v2` ...
    pub version_id: Option<String>,
    /// Whether it is the default version.
    pub is_default_version: bool,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
}

/// A managed policy (customer or AWS managed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
    /// Unique id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_id: Option<String>,
    /// ARN.
    pub arn: String,
    /// Path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The default version's id.
    pub default_version_id: Option<String>,
    /// Attachments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment_count: Option<i32>,
    /// Uses as a boundary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_usage_count: Option<i32>,
    /// Whether it can be attached.
    pub is_attachable: bool,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_date: Option<String>,
    /// Last update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_date: Option<String>,
    /// Versions.
    pub policy_version_list: Vec<PolicyVersion>,
}

/// `authorization-details.json`: every page of `get-account-authorization-details` merged.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails {
    /// Users.
    pub user_detail_list: Vec<User>,
    /// Groups.
    pub group_detail_list: Vec<Group>,
    /// Roles.
    pub role_detail_list: Vec<Role>,
    /// Customer managed policies and the AWS managed policies in use.
    pub policies: Vec<ManagedPolicy>,
}

/// An entry of `resource-policies.json`.
#[derive(Debug, Serialize)]
pub struct ResourceEntry {
    /// The resource ARN.
    pub arn: String,
    /// Its resource-based policy, `null` when it has none.
    pub policy: Option<Box<RawValue>>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// S3 buckets: the bucket's region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl ResourceEntry {
    /// An entry without a region.
    pub fn new(
        arn: impl Into<String>,
        policy: Option<Box<RawValue>>,
        tags: BTreeMap<String, String>,
    ) -> ResourceEntry {
        ResourceEntry {
            arn: arn.into(),
            policy,
            tags,
            region: None,
        }
    }
}

/// `vpc-endpoints.json`: `describe-vpc-endpoints` output of every region.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoints {
    /// The endpoints.
    pub vpc_endpoints: Vec<VpcEndpoint>,
}

/// A VPC endpoint.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    /// `vpce-…`.
    pub vpc_endpoint_id: String,
    /// `Gateway`, `Interface` ...
    pub vpc_endpoint_type: Option<String>,
    /// `vpc-…`.
    pub vpc_id: Option<String>,
    /// `com.amazonaws.REGION.SERVICE`.
    pub service_name: Option<String>,
    /// `available` ...
    pub state: Option<String>,
    /// The endpoint policy (JSON text).
    pub policy_document: Option<String>,
    /// Route tables (gateway endpoints).
    pub route_table_ids: Vec<String>,
    /// Subnets (interface endpoints).
    pub subnet_ids: Vec<String>,
    /// Whether private DNS is on.
    pub private_dns_enabled: Option<bool>,
    /// Creation time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// Tags.
    pub tags: Vec<Tag>,
    /// The owner account.
    pub owner_id: Option<String>,
}

/// `organization.json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account.
    pub management_account_id: String,
    /// The roots with their OU trees.
    pub roots: Vec<OrgNode>,
    /// Every account of the tree: name and attached policy ids.
    pub accounts: BTreeMap<String, OrgAccount>,
    /// SCPs and RCPs by id.
    pub policies: BTreeMap<String, OrgPolicy>,
}

/// A root or OU.
#[derive(Debug, Serialize)]
pub struct OrgNode {
    /// `r-…` or `ou-…`.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Attached policy ids.
    pub policies: Vec<String>,
    /// Child OUs.
    pub children: Vec<OrgNode>,
    /// Accounts directly under it.
    pub accounts: Vec<String>,
}

/// An account of the organization.
#[derive(Debug, Serialize)]
pub struct OrgAccount {
    /// Its name.
    pub name: Option<String>,
    /// Attached policy ids.
    pub policies: Vec<String>,
}

/// An SCP or RCP.
#[derive(Debug, Serialize)]
pub struct OrgPolicy {
    /// Its name.
    pub name: Option<String>,
    /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its document.
    pub content: Box<RawValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_decoded_verbatim() {
        let d = document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D");
        assert_eq!(d.get(), r#"{"Version":"2012-10-17","Statement":[]}"#);
    }

    #[test]
    fn json_documents_keep_their_text_and_duplicate_keys() {
        let text = "{\n  \"Effect\": \"Allow\",\n  \"Effect\": \"Deny\"\n}";
        assert_eq!(document(text).get(), text);
    }

    #[test]
    fn a_document_that_is_not_json_is_kept_as_a_string() {
        assert_eq!(document("not json").get(), "\"not json\"");
        assert_eq!(document("%ZZ").get(), "\"%ZZ\"");
    }

    #[test]
    fn backslash_escaped_documents_are_unescaped() {
        let d = escaped_document(r#"{\"Version\":\"2012-10-17\",\"Statement\":[]}"#);
        assert_eq!(d.get(), r#"{"Version":"2012-10-17","Statement":[]}"#);
    }
}
