//! The shapes of the files a world is made of: `get-account-authorization-details` output,
//! `resource-policies.json`, `describe-vpc-endpoints` output, `organization.json`. Optional
//! fields are optional; policy documents are borrowed from the file's text as raw JSON (object,
//! JSON string, or URL-encoded string; never copied) and turned into text by [`document_text`].
//!
//! Some fields are read only to check their type (a wrongly typed field in an AWS record is a
//! located error, not silently ignored), so not every field is used afterwards.
#![allow(dead_code)]

use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// One page of `aws iam get-account-authorization-details`.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct AuthorizationDetails<'a> {
    #[serde(default, borrow)]
    pub user_detail_list: Vec<UserDetail<'a>>,
    #[serde(default, borrow)]
    pub group_detail_list: Vec<GroupDetail<'a>>,
    #[serde(default, borrow)]
    pub role_detail_list: Vec<RoleDetail<'a>>,
    #[serde(default, borrow)]
    pub policies: Vec<ManagedPolicyDetail<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy<'a> {
    #[serde(default)]
    pub policy_name: Option<String>,
    #[serde(borrow)]
    pub policy_document: &'a RawValue,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    #[serde(default)]
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    pub permissions_boundary_arn: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail<'a> {
    #[serde(default)]
    pub path: Option<String>,
    pub user_name: String,
    #[serde(default)]
    pub user_id: Option<String>,
    pub arn: String,
    #[serde(default, borrow)]
    pub user_policy_list: Vec<InlinePolicy<'a>>,
    #[serde(default)]
    pub group_list: Vec<String>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail<'a> {
    #[serde(default)]
    pub path: Option<String>,
    pub group_name: String,
    #[serde(default)]
    pub group_id: Option<String>,
    pub arn: String,
    #[serde(default, borrow)]
    pub group_policy_list: Vec<InlinePolicy<'a>>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail<'a> {
    #[serde(default)]
    pub path: Option<String>,
    pub role_name: String,
    #[serde(default)]
    pub role_id: Option<String>,
    pub arn: String,
    #[serde(default, borrow)]
    pub assume_role_policy_document: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub role_policy_list: Vec<InlinePolicy<'a>>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub permissions_boundary: Option<Boundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion<'a> {
    #[serde(borrow)]
    pub document: &'a RawValue,
    #[serde(default)]
    pub version_id: Option<String>,
    #[serde(default)]
    pub is_default_version: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail<'a> {
    #[serde(default)]
    pub policy_name: Option<String>,
    pub arn: String,
    #[serde(default)]
    pub default_version_id: Option<String>,
    #[serde(default, borrow)]
    pub policy_version_list: Vec<PolicyVersion<'a>>,
}

/// An entry of `resource-policies.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourcePolicyEntry<'a> {
    pub arn: String,
    #[serde(default, borrow)]
    pub policy: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "unique_map")]
    pub tags: BTreeMap<String, String>,
    /// The resource's region, for ARNs that carry none (S3 buckets; written by `iamwhy
    /// collect`). Accepted and not yet used.
    #[serde(default)]
    pub region: Option<String>,
}

/// `aws ec2 describe-vpc-endpoints` output.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpointsFile {
    #[serde(default)]
    pub vpc_endpoints: Vec<VpcEndpoint>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    #[serde(default)]
    pub vpc_endpoint_type: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub service_name: Option<String>,
    #[serde(default)]
    pub policy_document: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
}

/// `organization.json`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationFile<'a> {
    pub id: String,
    pub management_account_id: String,
    pub roots: Vec<OrgNodeFile>,
    #[serde(default, deserialize_with = "unique_map")]
    pub accounts: BTreeMap<String, OrgAccountFile>,
    #[serde(default, borrow, deserialize_with = "unique_map")]
    pub policies: BTreeMap<String, OrgPolicyFile<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgNodeFile {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub children: Vec<OrgNodeFile>,
    #[serde(default)]
    pub accounts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgAccountFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub policies: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgPolicyFile<'a> {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(borrow)]
    pub content: &'a RawValue,
}

/// The words of [`unique_map`]'s error (which `from_json` gives the code `duplicate-entry`).
pub const GIVEN_TWICE: &str =
    " is given twice in one object (a world never picks one of two entries)";

/// A JSON object read as a map whose keys must be unique: serde's own maps keep the last of
/// two equal keys, which would be a silent choice (docs/worlds.md, "Contradictions"). The
/// error names the key; serde_json adds the line and column.
pub fn unique_map<'de, D, V>(de: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!(
                        "\"{key}\"{GIVEN_TWICE}"
                    )));
                }
                let value = map.next_value()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    de.deserialize_map(Unique(std::marker::PhantomData))
}

/// The JSON text of a policy document as inventories deliver it: an object (its own text), a
/// JSON string containing JSON, or a URL-encoded JSON string.
pub fn document_text(raw: &RawValue) -> Result<std::borrow::Cow<'_, str>, String> {
    let text = raw.get().trim();
    if text.starts_with('{') {
        // Borrowed: the parser makes the one copy the document keeps.
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    if text.starts_with('"') {
        let inner: String = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let trimmed = inner.trim_start();
        if trimmed
            .as_bytes()
            .get(..3)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"%7B"))
        {
            let bytes: Vec<u8> = percent_encoding::percent_decode_str(trimmed).collect();
            return String::from_utf8(bytes)
                .map(std::borrow::Cow::Owned)
                .map_err(|_| "the URL-encoded document is not UTF-8".to_string());
        }
        return Ok(std::borrow::Cow::Owned(inner));
    }
    Err(format!(
        "a policy document must be an object or a string, not {}",
        text.chars()
            .next()
            .map_or("nothing".to_string(), |c| format!("'{c}'..."))
    ))
}
