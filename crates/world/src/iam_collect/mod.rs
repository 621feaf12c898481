//! Worlds from stores written by iam-collect (the open-source collector of the iam-lens
//! project), read into the same model as a world directory.
//!
//! The layout, as iam-collect's documentation gives it (docs/Storage.md, docs/AgentInstructions.md):
//!
//! ```text
//! aws/<partition>/accounts/<account-id>/<service>/[<region>/][<type>/]<id>/
//!     metadata.json  policy.json  trust-policy.json  inline-policies.json
//!     managed-policies.json  tags.json  ...
//! aws/<partition>/organizations/<o-id>/
//!     metadata.json  accounts.json  ous/<id>/metadata.json  scps/<p-id>/  rcps/<p-id>/
//! ```
//!
//! The store is presented to the directory loader as world files ([`StoreFiles`], a
//! [`WorldFiles`] made in memory: authorization details, resource policies, VPC endpoints and
//! `organization.json` per the loader's own formats), so every check of a world applies to it.
//! Policy documents keep the store's text, and afterwards every compiled policy's `source`
//! (and every error) names the store file it came from. What the store holds that iamwhy does
//! not read becomes a [`Gap`]: requests it could affect get a note. Which files are read, in
//! which shapes, and what is not supported is listed in docs/worlds.md.

mod accounts;
mod organization;
mod read;
mod synth;

use crate::completeness::Gap;
use crate::error::in_file_error;
use crate::load::{WorldFiles, load};
use crate::model::{Policy, World};
use iamwhy_diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use synth::Made;

/// Whether `dir` holds an iam-collect store (`aws/<partition>/accounts/` or
/// `aws/<partition>/organizations/`) rather than a world directory (`accounts/`).
pub fn is_store(dir: &Path) -> bool {
    if dir.join("accounts").exists() {
        return false;
    }
    let Ok(partitions) = std::fs::read_dir(dir.join("aws")) else {
        return false;
    };
    partitions.flatten().any(|p| {
        let p = p.path();
        p.join("accounts").is_dir() || p.join("organizations").is_dir()
    })
}

/// An iam-collect store presented as world files.
pub struct StoreFiles {
    root: PathBuf,
    made: Made,
}

impl WorldFiles for StoreFiles {
    fn origin(&self) -> String {
        format!("the iam-collect store {}", self.root.display())
    }

    fn read(&self, path: &str) -> Result<Option<String>, Diagnostic> {
        Ok(self.made.files.get(path).cloned())
    }

    fn account_dirs(&self) -> Result<Vec<String>, Diagnostic> {
        Ok(self
            .made
            .files
            .keys()
            .filter_map(|f| f.strip_prefix("accounts/")?.split_once('/'))
            .map(|(id, _)| id.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect())
    }
}

/// The subdirectories of `dir`, sorted; none when it cannot be listed.
fn subdirs(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// A gap the store leaves, of `account` and `service` when it concerns only them.
fn gap(account: Option<&str>, service: Option<&str>, note: String) -> Gap {
    Gap {
        account: account.map(str::to_string),
        region: None,
        service: service.map(str::to_string),
        resource: None,
        note,
    }
}

impl StoreFiles {
    /// Read the store at `root` and present it as world files.
    pub fn read_store(root: &Path) -> Result<StoreFiles, Diagnostic> {
        let mut made = Made::default();
        let mut scans = Vec::new();
        let mut orgs = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for partition in subdirs(&root.join("aws")) {
            let base = format!("aws/{partition}");
            for name in subdirs(&root.join(&base)) {
                match name.as_str() {
                    "accounts" | "organizations" | "indexes" => {}
                    other => made.gaps.push(gap(None, None, format!(
                        "the answer may be incomplete: {base}/{other}/ of the iam-collect store was not read (iamwhy does not know it)"
                    ))),
                }
            }
            for id in subdirs(&root.join(format!("{base}/accounts"))) {
                let dir = format!("{base}/accounts/{id}");
                if !(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())) {
                    return Err(in_file_error(
                        "bad-account-dir-name",
                        &dir,
                        "account directories must be named by the 12-digit account id",
                    ));
                }
                if let Some(other) = seen.insert(id.clone(), dir.clone()) {
                    return Err(in_file_error(
                        "store-account-in-two-partitions",
                        &dir,
                        format!(
                            "account {id} is also at {other}: one account cannot be in two partitions"
                        ),
                    ));
                }
                scans.push(accounts::scan(root, &partition, &id, &dir, &mut made.gaps)?);
            }
            for o in subdirs(&root.join(format!("{base}/organizations"))) {
                orgs.push(format!("{base}/organizations/{o}"));
            }
        }
        if scans.is_empty() {
            return Err(Diagnostic::error(
                "no-accounts",
                format!(
                    "the iam-collect store {} holds no account (expected aws/<partition>/accounts/<12-digit id>/)",
                    root.display()
                ),
            ));
        }
        let pool = accounts::aws_pool(&scans);
        for si in 0..scans.len() {
            accounts::present(root, &scans, si, &pool, &mut made)?;
        }
        match orgs.len() {
            0 => {}
            1 => organization::present(root, &orgs[0], &mut made)?,
            _ => {
                return Err(Diagnostic::error(
                    "store-several-organizations",
                    format!(
                        "the iam-collect store {} holds {} organizations ({}); a world is one organization: copy one organization's accounts into a store of its own",
                        root.display(),
                        orgs.len(),
                        orgs.join(", ")
                    ),
                ));
            }
        }
        Ok(StoreFiles {
            root: root.to_path_buf(),
            made,
        })
    }

    /// Point an error of the loader at the store file it is about.
    fn relocate(&self, mut e: Diagnostic) -> Diagnostic {
        if let (Some(file), Some(path)) = (e.file.as_deref(), e.json_path.as_deref())
            && let Some(loc) = self.made.sources.get(&format!("{file} {path}"))
        {
            e.file = Some(loc.file.clone().into_boxed_str());
            e.json_path =
                (!loc.json_path.is_empty()).then(|| loc.json_path.clone().into_boxed_str());
            e.label = None;
            return e;
        }
        if let Some(file) = e.file.as_deref()
            && let Some(origin) = self.made.origins.get(file)
        {
            e.file = Some(format!("{file} (made from {origin})").into_boxed_str());
            e.label = None;
        }
        e
    }

    /// Name the store file of every compiled policy, instead of the world file it was
    /// presented as.
    fn relabel(&self, world: &mut World) {
        let fix = |p: &mut Policy| {
            if let Some(loc) = p.source.as_ref().and_then(|s| self.made.sources.get(s)) {
                Arc::make_mut(p).source = Some(loc.label());
            }
        };
        for a in world.accounts.values_mut() {
            a.managed.values_mut().for_each(fix);
            for u in a.users.values_mut() {
                u.inline.iter_mut().for_each(fix);
            }
            for g in a.groups.values_mut() {
                g.inline.iter_mut().for_each(fix);
            }
            for r in a.roles.values_mut() {
                r.inline.iter_mut().for_each(fix);
                r.trust.iter_mut().for_each(fix);
            }
            for r in a.resources.values_mut() {
                r.policy.iter_mut().for_each(fix);
            }
            for e in a.endpoints.values_mut() {
                e.policy.iter_mut().for_each(fix);
            }
        }
        if let Some(org) = &mut world.organization {
            for p in org.policies.values_mut() {
                fix(&mut p.policy);
            }
            Arc::make_mut(&mut org.rcp_full_access).source = Some(
                "RCPFullAWSAccess (implicit: AWS attaches it at every level once RCPs are enabled)"
                    .into(),
            );
        }
    }
}

/// Whether `dir` is one partition directory of an iam-collect store (`…/aws/<partition>`),
/// which is not itself a store: the store is the directory holding `aws/`.
pub(crate) fn is_partition_dir(dir: &Path) -> bool {
    let under_aws = dir
        .parent()
        .and_then(|p| p.file_name())
        .is_some_and(|n| n == "aws");
    let has_snapshots = std::fs::read_dir(dir.join("accounts"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|a| a.path().join("authorization-details.json").is_file());
    under_aws && !has_snapshots
}

/// Load the iam-collect store at `dir` as a world.
pub fn load_store(dir: &Path) -> Result<World, Diagnostic> {
    let files = StoreFiles::read_store(dir)?;
    let mut world = load(&files).map_err(|e| files.relocate(e))?;
    files.relabel(&mut world);
    world.gaps.extend(files.made.gaps.iter().cloned());
    Ok(world)
}

#[cfg(test)]
mod tests {
    use super::*;
    use synth::StoreLocation;

    #[test]
    fn store_locations_label_like_the_loader() {
        assert_eq!(StoreLocation::file("a/b.json").label(), "a/b.json");
        assert_eq!(
            StoreLocation::at("a/b.json", "[0].PolicyDocument").label(),
            "a/b.json [0].PolicyDocument"
        );
    }

    #[test]
    fn arn_fields_split_six_ways() {
        assert_eq!(
            accounts::arn_fields("arn:aws:iam::111111111111:role/a/b"),
            Some(("aws", "iam", "", "111111111111", "role/a/b"))
        );
        assert_eq!(
            accounts::arn_fields("arn:aws:s3:::bucket"),
            Some(("aws", "s3", "", "", "bucket"))
        );
        assert_eq!(accounts::arn_fields("arn:aws:s3"), None);
    }
}
