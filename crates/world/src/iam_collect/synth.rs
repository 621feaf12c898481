//! The world files an iam-collect store is presented as: the same shapes the directory loader
//! reads (inventory.rs), written with the store's policy documents verbatim (raw JSON text),
//! plus a record of which store file each policy document and each world file came from.

use crate::completeness::Gap;
use iamwhy_diagnostic::Diagnostic;
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};

/// `get-account-authorization-details`, as the loader reads it.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Gaad {
    pub user_detail_list: Vec<User>,
    pub group_detail_list: Vec<Group>,
    pub role_detail_list: Vec<Role>,
    pub policies: Vec<ManagedPolicy>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Inline {
    pub policy_name: String,
    pub policy_document: Box<RawValue>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Attached {
    pub policy_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Boundary {
    pub permissions_boundary_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    pub path: String,
    pub user_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    pub arn: String,
    pub user_policy_list: Vec<Inline>,
    pub group_list: Vec<String>,
    pub attached_managed_policies: Vec<Attached>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    pub path: String,
    pub group_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub arn: String,
    pub group_policy_list: Vec<Inline>,
    pub attached_managed_policies: Vec<Attached>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub path: String,
    pub role_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assume_role_policy_document: Option<Box<RawValue>>,
    pub role_policy_list: Vec<Inline>,
    pub attached_managed_policies: Vec<Attached>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<Boundary>,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Version {
    pub document: Box<RawValue>,
    pub version_id: String,
    pub is_default_version: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub arn: String,
    pub default_version_id: String,
    pub policy_version_list: Vec<Version>,
}

/// An entry of `resource-policies.json`.
#[derive(Debug, Serialize)]
pub struct Resource {
    pub arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<Box<RawValue>>,
    pub tags: BTreeMap<String, String>,
}

/// `describe-vpc-endpoints` output.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoints {
    pub vpc_endpoints: Vec<VpcEndpoint>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// The document's text (the loader reads a string here, as the EC2 API returns it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_document: Option<String>,
    pub owner_id: String,
}

/// `organization.json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
    pub roots: Vec<OrgNode>,
    pub accounts: BTreeMap<String, OrgAccount>,
    pub policies: BTreeMap<String, OrgPolicy>,
}

#[derive(Debug, Serialize)]
pub struct OrgNode {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub policies: Vec<String>,
    pub children: Vec<OrgNode>,
    pub accounts: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OrgAccount {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub policies: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct OrgPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub content: Box<RawValue>,
}

/// A store file and a JSON path inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreLocation {
    /// Relative to the store's root.
    pub file: String,
    /// Inside the file (empty: the whole file).
    pub json_path: String,
}

impl StoreLocation {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> StoreLocation {
        StoreLocation {
            file: file.into(),
            json_path: String::new(),
        }
    }

    /// A path inside a file.
    pub fn at(file: impl Into<String>, json_path: impl Into<String>) -> StoreLocation {
        StoreLocation {
            file: file.into(),
            json_path: json_path.into(),
        }
    }

    /// How a compiled policy's `source` names it.
    pub fn label(&self) -> String {
        if self.json_path.is_empty() {
            self.file.clone()
        } else {
            format!("{} {}", self.file, self.json_path)
        }
    }
}

/// Everything made from a store: the world files and where their parts came from.
#[derive(Debug, Default)]
pub struct Made {
    /// World files by world-relative path.
    pub files: BTreeMap<String, String>,
    /// `"<world file> <json path>"` of a policy document → where it is in the store.
    pub sources: HashMap<String, StoreLocation>,
    /// World file → the store directory it was made from.
    pub origins: HashMap<String, String>,
    /// What the store lacks or holds that iamwhy does not read.
    pub gaps: Vec<Gap>,
}

impl Made {
    /// Record that the document at `json_path` of world file `file` is `store`.
    pub fn source(&mut self, file: &str, json_path: &str, store: StoreLocation) {
        self.sources.insert(format!("{file} {json_path}"), store);
    }

    /// Add a world file.
    pub fn write(
        &mut self,
        file: String,
        value: &impl Serialize,
        origin: String,
    ) -> Result<(), Diagnostic> {
        let text = serde_json::to_string(value).map_err(|e| {
            Diagnostic::error(
                "store-internal",
                format!("cannot present {origin} as {file}: {e}"),
            )
        })?;
        self.files.insert(file.clone(), text);
        self.origins.insert(file, origin);
        Ok(())
    }
}
