//! The organization steps: the SCP levels over the principal's account and the RCP levels over
//! the resource owner's, with the organization keys of each side.

use super::context::InferredKey;
use crate::model::{Level, World};

/// One side of a request, placed in the organization.
#[derive(Debug, Clone, Default)]
pub struct OrganizationSide {
    /// The guardrail levels, root first (SCPs for the principal side, RCPs for the resource
    /// side); empty when none apply.
    pub levels: Vec<Level>,
    /// `aws:PrincipalOrgID`/`aws:PrincipalOrgPaths` or `aws:ResourceOrgID`/`aws:ResourceOrgPaths`.
    pub keys: Vec<InferredKey>,
    /// Whether the account is the organization's management account.
    pub is_management_account: bool,
    /// Facts about what applies and why.
    pub notes: Vec<String>,
}

impl World {
    /// The principal side: the SCP levels over `account` (none for the management account,
    /// which SCPs do not restrict) and the principal's organization keys.
    pub fn principal_organization(&self, account: &str) -> OrganizationSide {
        let mut side = OrganizationSide::default();
        let Some(org) = &self.organization else {
            return side;
        };
        let Some(path) = org.org_path(account) else {
            return side;
        };
        side.keys.push(InferredKey::one(
            "aws:PrincipalOrgID",
            &org.id,
            "organization.json",
        ));
        side.keys.push(InferredKey::one(
            "aws:PrincipalOrgPaths",
            path,
            "organization.json",
        ));
        side.is_management_account = account == org.management_account;
        if org.scps_enabled
            && let Some(levels) = org.levels(account, false)
        {
            side.levels = levels;
        }
        side
    }

    /// The resource side: the RCP levels over the owner `account` (none for the management
    /// account's resources) and the resource's organization keys.
    pub fn resource_organization(&self, account: &str) -> OrganizationSide {
        let mut side = OrganizationSide::default();
        let Some(org) = &self.organization else {
            return side;
        };
        let Some(path) = org.org_path(account) else {
            return side;
        };
        side.keys.push(InferredKey::one(
            "aws:ResourceOrgID",
            &org.id,
            "organization.json",
        ));
        side.keys.push(InferredKey::one(
            "aws:ResourceOrgPaths",
            path,
            "organization.json",
        ));
        side.is_management_account = account == org.management_account;
        if org.rcps_enabled {
            if side.is_management_account {
                side.notes
                    .push("RCPs do not apply to resources of the management account".into());
            } else if let Some(levels) = org.levels(account, true) {
                side.levels = levels;
            }
        }
        side
    }
}
