//! Writing the world: everything goes to a staging directory beside the target, which is
//! renamed into place only when complete — an interrupted run leaves no directory that
//! looks like a world. Also the failure summary printed at the end.

use crate::files::Organization;
use crate::manifest::Manifest;
use crate::{AccountData, CollectError};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The staging directory of one collection.
pub(crate) struct Staging {
    target: PathBuf,
    dir: PathBuf,
}

fn out_err(path: &Path, e: impl std::fmt::Display) -> CollectError {
    CollectError::Output(format!("{}: {e}", path.display()))
}

impl Staging {
    /// Check that `target` is free (absent or an empty directory) and create the staging
    /// directory beside it.
    pub(crate) fn prepare(target: &Path) -> Result<Staging, CollectError> {
        if target.exists() {
            let empty = std::fs::read_dir(target)
                .map_err(|e| out_err(target, e))?
                .next()
                .is_none();
            if !empty {
                return Err(CollectError::Output(format!(
                    "{} exists and is not empty: collect into a new directory (a world mixed with an older one would not be a snapshot)",
                    target.display()
                )));
            }
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "world".into());
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| out_err(&parent, e))?;
        let dir = parent.join(format!(".{name}.iamwhy-partial-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| out_err(&dir, e))?;
        }
        std::fs::create_dir(&dir).map_err(|e| out_err(&dir, e))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
        })
    }

    fn json(&self, rel: &str, value: &impl Serialize) -> Result<(), CollectError> {
        let path = self.dir.join(rel);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).map_err(|e| out_err(p, e))?;
        }
        let mut text = serde_json::to_string_pretty(value).map_err(|e| out_err(&path, e))?;
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| out_err(&path, e))
    }

    /// Write every file and move the directory into place.
    pub(crate) fn finish(
        self,
        manifest: &Manifest,
        organization: Option<&Organization>,
        accounts: &[AccountData],
    ) -> Result<PathBuf, CollectError> {
        for a in accounts {
            let base = format!("accounts/{}", a.entry.id);
            self.json(&format!("{base}/authorization-details.json"), &a.details)?;
            self.json(&format!("{base}/resource-policies.json"), &a.resources)?;
            self.json(
                &format!("{base}/vpc-endpoints.json"),
                &crate::files::VpcEndpoints {
                    vpc_endpoints: a.endpoints.iter().map(Clone::clone).collect(),
                },
            )?;
        }
        if let Some(o) = organization {
            self.json("organization.json", o)?;
        }
        self.json("collection.json", manifest)?;
        if self.target.exists() {
            std::fs::remove_dir(&self.target).map_err(|e| out_err(&self.target, e))?;
        }
        std::fs::rename(&self.dir, &self.target).map_err(|e| out_err(&self.target, e))?;
        Ok(self.target.clone())
    }
}

/// The summary printed at the end: what was collected, and every failure (the first 25,
/// then a count) with what the world lacks because of it.
pub fn summary(manifest: &Manifest) -> String {
    let mut s = String::new();
    let regions: std::collections::BTreeSet<&str> = manifest
        .accounts
        .iter()
        .flat_map(|a| a.regions.iter().map(String::as_str))
        .collect();
    let _ = writeln!(
        s,
        "collected {} account{} in {} region{}{}",
        manifest.accounts.len(),
        if manifest.accounts.len() == 1 {
            ""
        } else {
            "s"
        },
        regions.len(),
        if regions.len() == 1 { "" } else { "s" },
        match &manifest.organization {
            Some(o) => format!(", organization {o}"),
            None => String::new(),
        }
    );
    if manifest.failures.is_empty() {
        let _ = writeln!(
            s,
            "no call failed: the world is complete for what iamwhy collects"
        );
        return s;
    }
    let _ = writeln!(
        s,
        "{} call{} failed; the world lacks what each line names, and answers that depend on it are incomplete:",
        manifest.failures.len(),
        if manifest.failures.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    for f in manifest.failures.iter().take(25) {
        let _ = writeln!(
            s,
            "  {} {} {}:{}{} — {}: {}",
            f.account,
            f.region.as_deref().unwrap_or("global"),
            f.service,
            f.operation,
            f.resource
                .as_deref()
                .map(|r| format!(" {r}"))
                .unwrap_or_default(),
            f.error_code,
            f.missing
        );
    }
    if manifest.failures.len() > 25 {
        let _ = writeln!(
            s,
            "  ... and {} more (all in collection.json)",
            manifest.failures.len() - 25
        );
    }
    s
}
