//! The organization of an iam-collect store (`aws/<partition>/organizations/<o-id>/`) presented
//! as `organization.json`. The tree comes from parent links: each account's `ou` in
//! `accounts.json` and each OU's `parent` in `ous/<id>/metadata.json`; the policies attached to
//! a node from its `scps`/`rcps` lists; the documents from `scps/<p-id>/policy.json` and
//! `rcps/<p-id>/policy.json`.

use super::read::{
    OrgAccount, OrgMetadata, OrgPolicyMetadata, OuMetadata, read_document, read_json,
};
use super::synth::{self, Made, StoreLocation};
use crate::completeness::Gap;
use crate::error::in_file_error;
use iamwhy_diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::path::Path;

/// Files of the organization directory that no decision needs.
const IGNORED: &[&str] = &["structure.json", "delegated-admins.json"];

fn dirs(root: &Path, rel: &str) -> Result<Vec<String>, Diagnostic> {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    Ok(out)
}

/// A policy reference as a store may write it: `p-…` or the policy's ARN.
fn policy_id(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

struct Node {
    name: Option<String>,
    parent: Option<String>,
    scps: Vec<String>,
    rcps: Vec<String>,
    file: String,
}

/// The attached policy ids of one target: each SCP must be an SCP, each RCP an RCP.
fn attached(
    target: &str,
    scps: &[String],
    rcps: &[String],
    policies: &BTreeMap<String, synth::OrgPolicy>,
    dir: &str,
    file: &str,
    json_path: &str,
) -> Result<Vec<String>, Diagnostic> {
    let mut out: Vec<String> = Vec::new();
    for (list, kind, sub) in [
        (scps, "SERVICE_CONTROL_POLICY", "scps"),
        (rcps, "RESOURCE_CONTROL_POLICY", "rcps"),
    ] {
        for (i, p) in list.iter().enumerate() {
            let id = policy_id(p).to_string();
            match policies.get(&id) {
                Some(pol) if pol.kind == kind => {}
                Some(_) => {
                    return Err(in_file_error("store-policy-kind-mismatch", 
                        file,
                        format!("{target} lists {id} among its {sub}, but the store keeps it under the other kind of policy"),
                    ).at_path(format!("{json_path}{sub}[{i}]")));
                }
                None => {
                    return Err(in_file_error(
                        "unknown-org-policy",
                        file,
                        format!("{target} attaches policy {id}, which is not under {dir}/{sub}/"),
                    )
                    .at_path(format!("{json_path}{sub}[{i}]")));
                }
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(out)
}

/// Present the organization at `dir` (store-relative) as `organization.json`.
pub fn present(root: &Path, dir: &str, made: &mut Made) -> Result<(), Diagnostic> {
    let org_id = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let meta_file = format!("{dir}/metadata.json");
    let meta: OrgMetadata = read_json(root, &meta_file)?.ok_or_else(|| {
        in_file_error(
            "store-missing-metadata",
            &meta_file,
            "the organization has no metadata.json",
        )
    })?;
    if let Some(id) = &meta.id
        && *id != org_id
    {
        return Err(in_file_error(
            "store-id-mismatch",
            &meta_file,
            format!("the id {id} is not the directory's name {org_id}"),
        )
        .at_path("id"));
    }
    let management = meta.management_account_id.clone().ok_or_else(|| {
        in_file_error("bad-management-account", 
            &meta_file,
            "the management account is missing (expected managementAccountId, masterAccountId or rootAccountId)",
        )
    })?;
    let accounts_file = format!("{dir}/accounts.json");
    let accounts: BTreeMap<String, OrgAccount> =
        read_json(root, &accounts_file)?.ok_or_else(|| {
            in_file_error(
                "store-missing-accounts",
                &accounts_file,
                "the organization has no accounts.json",
            )
        })?;

    // Policies.
    let mut policies: BTreeMap<String, synth::OrgPolicy> = BTreeMap::new();
    for (sub, kind) in [
        ("scps", "SERVICE_CONTROL_POLICY"),
        ("rcps", "RESOURCE_CONTROL_POLICY"),
    ] {
        for p in dirs(root, &format!("{dir}/{sub}"))? {
            let pdir = format!("{dir}/{sub}/{p}");
            let pm: Option<OrgPolicyMetadata> = read_json(root, &format!("{pdir}/metadata.json"))?;
            let file = format!("{pdir}/policy.json");
            let content = read_document(root, &file)?.ok_or_else(|| {
                in_file_error(
                    "store-missing-document",
                    &file,
                    format!("{} {p} has no policy document", &sub[..3].to_uppercase()),
                )
            })?;
            let id = pm
                .as_ref()
                .and_then(|m| m.id.clone())
                .unwrap_or_else(|| p.clone());
            if policies.contains_key(&id) {
                return Err(in_file_error(
                    "store-duplicate-policy",
                    &pdir,
                    format!("policy {id} is defined twice"),
                ));
            }
            made.source(
                "organization.json",
                &format!("policies.{id}.content"),
                StoreLocation::file(&file),
            );
            policies.insert(
                id,
                synth::OrgPolicy {
                    name: pm.and_then(|m| m.name),
                    kind,
                    content,
                },
            );
        }
    }

    // Nodes: the OUs (and the root, when the store keeps it among them).
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    for ou in dirs(root, &format!("{dir}/ous"))? {
        let file = format!("{dir}/ous/{ou}/metadata.json");
        let m: OuMetadata = read_json(root, &file)?.ok_or_else(|| {
            in_file_error(
                "store-missing-metadata",
                &file,
                "the OU directory has no metadata.json",
            )
        })?;
        let id = m.id.clone().unwrap_or_else(|| ou.clone());
        nodes.insert(
            id,
            Node {
                name: m.name,
                parent: m.parent,
                scps: m.scps,
                rcps: m.rcps,
                file,
            },
        );
    }
    let root_id = match &meta.root_id {
        Some(r) => r.clone(),
        None => {
            let mut roots: Vec<String> = nodes
                .values()
                .filter_map(|n| n.parent.clone())
                .chain(accounts.values().map(|a| a.ou.clone()))
                .filter(|p| p.starts_with("r-"))
                .collect();
            roots.sort();
            roots.dedup();
            match roots.len() {
                1 => roots.remove(0),
                0 => {
                    return Err(in_file_error(
                        "store-no-root",
                        &meta_file,
                        "no root: neither rootId in metadata.json nor any parent r-… in accounts.json or ous/",
                    ));
                }
                _ => {
                    return Err(in_file_error(
                        "store-several-roots",
                        &meta_file,
                        format!(
                            "several roots are named as parents ({}), and metadata.json names none",
                            roots.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    match nodes.get_mut(&root_id) {
        Some(n) => n.parent = None,
        None if policies.is_empty() => {
            nodes.insert(
                root_id.clone(),
                Node {
                    name: None,
                    parent: None,
                    scps: Vec::new(),
                    rcps: Vec::new(),
                    file: meta_file.clone(),
                },
            );
        }
        None => {
            return Err(in_file_error(
                "store-root-attachments-unknown",
                &meta_file,
                format!(
                    "the store does not say which policies are attached to the root {root_id} (expected {dir}/ous/{root_id}/metadata.json with its scps and rcps)"
                ),
            ));
        }
    }
    for (id, n) in &nodes {
        if *id == root_id {
            continue;
        }
        let Some(parent) = &n.parent else {
            return Err(in_file_error(
                "store-ou-without-parent",
                &n.file,
                format!("OU {id} has no parent"),
            )
            .at_path("parent"));
        };
        if !nodes.contains_key(parent) {
            return Err(in_file_error("store-unknown-parent", 
                &n.file,
                format!("OU {id} has parent {parent}, which is neither the root {root_id} nor an OU under ous/"),
            ).at_path("parent"));
        }
        // Every OU must reach the root (no cycles).
        let mut at = id.clone();
        for _ in 0..=nodes.len() {
            match nodes[&at].parent.clone() {
                Some(p) => at = p,
                None => break,
            }
        }
        if at != root_id {
            return Err(in_file_error(
                "store-ou-cycle",
                &n.file,
                format!("OU {id} does not lead up to the root {root_id} (a cycle of parents?)"),
            ));
        }
    }
    let mut node_policies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, n) in &nodes {
        node_policies.insert(
            id.clone(),
            attached(id, &n.scps, &n.rcps, &policies, dir, &n.file, "")?,
        );
    }
    let mut org_accounts = BTreeMap::new();
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut node_accounts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, n) in &nodes {
        if let Some(p) = &n.parent {
            children.entry(p.clone()).or_default().push(id.clone());
        }
    }
    for (acct, a) in accounts {
        let parent = a.ou.clone();
        if !nodes.contains_key(&parent) {
            return Err(in_file_error("store-unknown-parent", 
                &accounts_file,
                format!("account {acct} is in {parent}, which is neither the root {root_id} nor an OU under ous/"),
            ).at_path(acct));
        }
        let own = attached(
            &format!("account {acct}"),
            &a.scps,
            &a.rcps,
            &policies,
            dir,
            &accounts_file,
            &format!("{acct}."),
        )?;
        node_accounts.entry(parent).or_default().push(acct.clone());
        org_accounts.insert(
            acct,
            synth::OrgAccount {
                name: a.name,
                policies: own,
            },
        );
    }
    fn build(
        id: &str,
        nodes: &BTreeMap<String, Node>,
        policies: &BTreeMap<String, Vec<String>>,
        children: &BTreeMap<String, Vec<String>>,
        accounts: &BTreeMap<String, Vec<String>>,
    ) -> synth::OrgNode {
        synth::OrgNode {
            id: id.to_string(),
            name: nodes[id].name.clone(),
            policies: policies[id].clone(),
            children: children
                .get(id)
                .map(|c| {
                    c.iter()
                        .map(|c| build(c, nodes, policies, children, accounts))
                        .collect()
                })
                .unwrap_or_default(),
            accounts: accounts.get(id).cloned().unwrap_or_default(),
        }
    }
    let tree = build(&root_id, &nodes, &node_policies, &children, &node_accounts);

    // Anything else in the organization directory is reported, never dropped silently.
    if let Ok(entries) = std::fs::read_dir(root.join(dir)) {
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let known = ["metadata.json", "accounts.json", "scps", "rcps", "ous"]
                .contains(&name.as_str())
                || IGNORED.contains(&name.as_str());
            if !known {
                made.gaps.push(Gap {
                    account: Some(management.clone()),
                    region: None,
                    service: Some("organizations".into()),
                    resource: None,
                    note: format!(
                        "the answer may be incomplete: {dir}/{name} of the iam-collect store was not read (iamwhy does not know it)"
                    ),
                });
            }
        }
    }

    let org = synth::Organization {
        id: org_id,
        management_account_id: management,
        roots: vec![tree],
        accounts: org_accounts,
        policies,
    };
    made.write(
        "organization.json".into(),
        &org,
        format!("{dir}/ of the iam-collect store"),
    )
}
