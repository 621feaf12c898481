//! The shapes of the files of an iam-collect store, as iam-collect's documentation describes
//! them (docs/Storage.md and docs/AgentInstructions.md of its repository), and reading them
//! with located errors. Where the documentation names a file but not its every field, the
//! shapes accepted here are listed in docs/worlds.md ("iam-collect stores"); anything else is
//! an error naming the file, never a guess.
//!
//! Policy documents are kept as raw JSON text, so that positions inside them stay those of
//! the store's own files.

use crate::error::{from_json, in_file_error};
use iamwhy_diagnostic::Diagnostic;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::path::Path;

/// `metadata.json` of any resource: only `arn` is required.
#[derive(Debug, Deserialize)]
pub struct Metadata {
    /// The resource's ARN.
    pub arn: String,
    /// Its unique id (`AIDA…`, `AROA…`, `vpce-…`).
    #[serde(
        default,
        alias = "userId",
        alias = "roleId",
        alias = "groupId",
        alias = "policyId"
    )]
    pub id: Option<String>,
    /// A managed policy's default version id.
    #[serde(default, rename = "defaultVersionId")]
    pub default_version_id: Option<String>,
    /// A VPC endpoint's VPC.
    #[serde(default, rename = "vpcId")]
    pub vpc_id: Option<String>,
    /// A VPC endpoint's service (`com.amazonaws.REGION.SERVICE`).
    #[serde(default, rename = "serviceName")]
    pub service_name: Option<String>,
    /// A user's or role's permissions boundary, when the metadata carries it.
    #[serde(default, alias = "permissionBoundary", rename = "permissionsBoundary")]
    pub permissions_boundary: Option<BoundaryRef>,
    /// A user's groups, when the metadata carries them.
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

/// One entry of `inline-policies.json`.
#[derive(Debug, Deserialize)]
pub struct InlineEntry {
    /// The policy's name.
    #[serde(alias = "policyName", alias = "name", rename = "PolicyName")]
    pub policy_name: String,
    /// Its document: an object, or a JSON (possibly URL-encoded) string.
    #[serde(
        alias = "policyDocument",
        alias = "document",
        rename = "PolicyDocument"
    )]
    pub policy_document: Box<RawValue>,
}

/// One entry of `managed-policies.json`: an ARN, or an object with the ARN.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AttachedRef {
    /// `"arn:aws:iam::aws:policy/ReadOnlyAccess"`.
    Arn(String),
    /// `{"PolicyArn": "...", "PolicyName": "..."}` (AWS's AttachedPolicy shape).
    Object {
        /// The ARN.
        #[serde(alias = "policyArn", alias = "arn", rename = "PolicyArn")]
        policy_arn: String,
    },
}

impl AttachedRef {
    /// The ARN.
    pub fn arn(&self) -> &str {
        match self {
            AttachedRef::Arn(a) => a,
            AttachedRef::Object { policy_arn } => policy_arn,
        }
    }
}

/// A permissions boundary: an ARN, or AWS's `{"PermissionsBoundaryArn": ...}` object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum BoundaryRef {
    /// The ARN.
    Arn(String),
    /// AWS's `AttachedPermissionsBoundary` shape.
    Object {
        /// The ARN.
        #[serde(
            alias = "permissionsBoundaryArn",
            alias = "arn",
            rename = "PermissionsBoundaryArn"
        )]
        permissions_boundary_arn: String,
    },
}

impl BoundaryRef {
    /// The ARN.
    pub fn arn(&self) -> &str {
        match self {
            BoundaryRef::Arn(a) => a,
            BoundaryRef::Object {
                permissions_boundary_arn,
            } => permissions_boundary_arn,
        }
    }
}

/// `tags.json`: `{"key": "value"}` or `[{"Key": ..., "Value": ...}]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Tags {
    /// A map.
    Map(BTreeMap<String, String>),
    /// A list of pairs.
    List(Vec<TagPair>),
}

/// One tag of a tag list.
#[derive(Debug, Deserialize)]
pub struct TagPair {
    /// The key.
    #[serde(alias = "key", rename = "Key")]
    pub key: String,
    /// The value.
    #[serde(default, alias = "value", rename = "Value")]
    pub value: String,
}

impl Tags {
    /// As a map; a key given twice is a contradiction.
    pub fn into_map(self, file: &str) -> Result<BTreeMap<String, String>, Diagnostic> {
        match self {
            Tags::Map(m) => Ok(m),
            Tags::List(list) => {
                let mut m = BTreeMap::new();
                for (i, t) in list.into_iter().enumerate() {
                    if m.insert(t.key.clone(), t.value).is_some() {
                        return Err(in_file_error(
                            "duplicate-entry",
                            file,
                            format!("tag \"{}\" is given twice", t.key),
                        )
                        .at_path(format!("[{i}]")));
                    }
                }
                Ok(m)
            }
        }
    }
}

/// Organization `metadata.json`.
#[derive(Debug, Deserialize)]
pub struct OrgMetadata {
    /// `o-…`.
    #[serde(default)]
    pub id: Option<String>,
    /// The management account.
    #[serde(
        default,
        alias = "masterAccountId",
        alias = "rootAccountId",
        rename = "managementAccountId"
    )]
    pub management_account_id: Option<String>,
    /// The root's id (`r-…`).
    #[serde(default, alias = "rootOu", rename = "rootId")]
    pub root_id: Option<String>,
}

/// One account of an organization's `accounts.json`.
#[derive(Debug, Deserialize)]
pub struct OrgAccount {
    /// The parent root or OU.
    #[serde(alias = "parent", alias = "parentId")]
    pub ou: String,
    /// Attached SCP ids (or ARNs).
    #[serde(default)]
    pub scps: Vec<String>,
    /// Attached RCP ids (or ARNs).
    #[serde(default)]
    pub rcps: Vec<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// An OU's (or the root's) `ous/<id>/metadata.json`.
#[derive(Debug, Deserialize)]
pub struct OuMetadata {
    /// `ou-…` or `r-…`.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// The parent root or OU; absent for the root.
    #[serde(default, alias = "parentId")]
    pub parent: Option<String>,
    /// Attached SCP ids (or ARNs).
    #[serde(default)]
    pub scps: Vec<String>,
    /// Attached RCP ids (or ARNs).
    #[serde(default)]
    pub rcps: Vec<String>,
}

/// An SCP's or RCP's `metadata.json`.
#[derive(Debug, Deserialize)]
pub struct OrgPolicyMetadata {
    /// `p-…`.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// The text of a file, `None` when absent; errors name the store-relative path.
/// Read within the world file cap (`--max-world-file-size`), gzip decompressed.
pub fn read_text(root: &Path, rel: &str) -> Result<Option<String>, Diagnostic> {
    crate::load::read_capped(&root.join(rel), rel, crate::load::max_file_size())
}

/// Parse a file as `T`, `None` when absent.
pub fn read_json<T: serde::de::DeserializeOwned>(
    root: &Path,
    rel: &str,
) -> Result<Option<T>, Diagnostic> {
    match read_text(root, rel)? {
        Some(text) => from_json(rel, &text).map(Some),
        None => Ok(None),
    }
}

/// A file holding one policy document (`policy.json`, `trust-policy.json` ...): the document's
/// raw text; `None` when the file is absent, empty or `null` (iam-collect writes no policy so).
pub fn read_document(root: &Path, rel: &str) -> Result<Option<Box<RawValue>>, Diagnostic> {
    let Some(text) = read_text(root, rel)? else {
        return Ok(None);
    };
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "null" || trimmed == "\"\"" {
        return Ok(None);
    }
    let raw: Box<RawValue> = from_json(rel, &text)?;
    if !(raw.get().starts_with('{') || raw.get().starts_with('"')) {
        return Err(in_file_error(
            "store-not-a-policy",
            rel,
            "a policy file must hold a policy document (an object or a JSON string) or null",
        ));
    }
    Ok(Some(raw))
}
