//! The organization of an iam-collect store (`aws/<partition>/organizations/<o-id>/`) presented
//! as `organization.json`. The tree comes from parent links: each account's `ou` in
//! `accounts.json` and each OU's `parent` in `ous/<id>/metadata.json`; the policies attached to
//! a node from its `scps`/`rcps` lists; the documents from `scps/<p-id>/policy.json` and
//! `rcps/<p-id>/policy.json`.
//!
//! [`present`] runs the steps in order, each stopping at the first contradiction it finds:
//! read the metadata, the accounts, the policies and the OU nodes; find the root; check the
//! tree; resolve every node's and account's attachments; build the tree; note what the
//! directory holds beyond that.

use super::read::{
    OrgAccount, OrgMetadata, OrgPolicyMetadata, OuMetadata, read_document, read_json,
};
use super::synth::{self, Made, StoreLocation};
use super::{gap, subdirs};
use crate::error::in_file_error;
use iamwhy_diagnostic::Diagnostic;
use std::collections::BTreeMap;
use std::path::Path;

/// Files of the organization directory that no decision needs.
const IGNORED: &[&str] = &["structure.json", "delegated-admins.json"];

/// The entries of the organization directory that [`present`] reads.
const READ: &[&str] = &["metadata.json", "accounts.json", "scps", "rcps", "ous"];

/// The two kinds of organization policy: the store's subdirectory (and attachment list) and
/// the type `organization.json` gives them, in the order they are read and checked.
const KINDS: [(&str, &str); 2] = [
    ("scps", "SERVICE_CONTROL_POLICY"),
    ("rcps", "RESOURCE_CONTROL_POLICY"),
];

/// A policy reference as a store may write it: `p-…` or the policy's ARN.
fn policy_id(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

/// Parse a file that must be there; its absence is the error `code` with `message`.
fn read_required<T: serde::de::DeserializeOwned>(
    root: &Path,
    file: &str,
    code: &'static str,
    message: &str,
) -> Result<T, Diagnostic> {
    read_json(root, file)?.ok_or_else(|| in_file_error(code, file, message))
}

/// What the organization's `metadata.json` says of it.
struct Head {
    /// `o-…`, the directory's name.
    id: String,
    /// Store-relative `metadata.json`.
    meta_file: String,
    /// The management account.
    management: String,
    /// The root, when the metadata names it.
    root_id: Option<String>,
}

/// An OU (or the root) as `ous/<id>/metadata.json` gives it.
struct Node {
    name: Option<String>,
    parent: Option<String>,
    scps: Vec<String>,
    rcps: Vec<String>,
    /// The store file it comes from, for errors.
    file: String,
}

/// The organization's SCPs and RCPs by id, and the directory they were read from.
struct Policies<'a> {
    dir: &'a str,
    by_id: BTreeMap<String, synth::OrgPolicy>,
}

impl Policies<'_> {
    /// The attached policy ids of one target: each SCP must be an SCP, each RCP an RCP.
    fn attached(
        &self,
        target: &str,
        scps: &[String],
        rcps: &[String],
        file: &str,
        json_path: &str,
    ) -> Result<Vec<String>, Diagnostic> {
        let dir = self.dir;
        let mut out: Vec<String> = Vec::new();
        for ((sub, kind), list) in KINDS.into_iter().zip([scps, rcps]) {
            for (i, p) in list.iter().enumerate() {
                let id = policy_id(p).to_string();
                match self.by_id.get(&id) {
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
                            format!(
                                "{target} attaches policy {id}, which is not under {dir}/{sub}/"
                            ),
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
}

/// Present the organization at `dir` (store-relative) as `organization.json`.
pub fn present(root: &Path, dir: &str, made: &mut Made) -> Result<(), Diagnostic> {
    let head = read_head(root, dir)?;
    let accounts_file = format!("{dir}/accounts.json");
    let accounts: BTreeMap<String, OrgAccount> = read_required(
        root,
        &accounts_file,
        "store-missing-accounts",
        "the organization has no accounts.json",
    )?;
    let policies = read_policies(root, dir, made)?;
    let mut nodes = read_nodes(root, dir)?;
    let root_id = find_root(&head, &nodes, &accounts)?;
    place_root(&mut nodes, &root_id, &policies, &head.meta_file)?;
    check_tree(&nodes, &root_id)?;
    let node_policies = node_policies(&nodes, &policies)?;
    let placed = place_accounts(accounts, &accounts_file, &nodes, &policies, &root_id)?;
    let tree = build_tree(&root_id, &nodes, &node_policies, &placed.by_node);
    report_unread(root, dir, &head.management, made);
    let org = synth::Organization {
        id: head.id,
        management_account_id: head.management,
        roots: vec![tree],
        accounts: placed.accounts,
        policies: policies.by_id,
    };
    made.write(
        "organization.json".into(),
        &org,
        format!("{dir}/ of the iam-collect store"),
    )
}

/// Read the organization's `metadata.json`: its id must be the directory's name, and it must
/// name the management account.
fn read_head(root: &Path, dir: &str) -> Result<Head, Diagnostic> {
    let org_id = dir.rsplit('/').next().unwrap_or(dir).to_string();
    let meta_file = format!("{dir}/metadata.json");
    let meta: OrgMetadata = read_required(
        root,
        &meta_file,
        "store-missing-metadata",
        "the organization has no metadata.json",
    )?;
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
    let management = meta.management_account_id.ok_or_else(|| {
        in_file_error("bad-management-account", 
            &meta_file,
            "the management account is missing (expected managementAccountId, masterAccountId or rootAccountId)",
        )
    })?;
    Ok(Head {
        id: org_id,
        meta_file,
        management,
        root_id: meta.root_id,
    })
}

/// Read the SCPs under `scps/`, then the RCPs under `rcps/`, and record which store file each
/// document came from.
fn read_policies<'a>(
    root: &Path,
    dir: &'a str,
    made: &mut Made,
) -> Result<Policies<'a>, Diagnostic> {
    let mut policies = Policies {
        dir,
        by_id: BTreeMap::new(),
    };
    for (sub, kind) in KINDS {
        for p in subdirs(&root.join(format!("{dir}/{sub}"))) {
            read_policy(
                root,
                &format!("{dir}/{sub}/{p}"),
                &p,
                sub,
                kind,
                &mut policies,
                made,
            )?;
        }
    }
    Ok(policies)
}

/// Read one policy directory `pdir` (named `p`, of kind `kind` under `sub`): its optional
/// `metadata.json` (id and name) and its required `policy.json`. An id read twice is a
/// contradiction.
fn read_policy(
    root: &Path,
    pdir: &str,
    p: &str,
    sub: &str,
    kind: &'static str,
    policies: &mut Policies<'_>,
    made: &mut Made,
) -> Result<(), Diagnostic> {
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
        .unwrap_or_else(|| p.to_string());
    if policies.by_id.contains_key(&id) {
        return Err(in_file_error(
            "store-duplicate-policy",
            pdir,
            format!("policy {id} is defined twice"),
        ));
    }
    made.source(
        "organization.json",
        &format!("policies.{id}.content"),
        StoreLocation::file(&file),
    );
    policies.by_id.insert(
        id,
        synth::OrgPolicy {
            name: pm.and_then(|m| m.name),
            kind,
            content,
        },
    );
    Ok(())
}

/// Read the OU nodes under `ous/` (the root too, when the store keeps it among them), by id.
fn read_nodes(root: &Path, dir: &str) -> Result<BTreeMap<String, Node>, Diagnostic> {
    let mut nodes = BTreeMap::new();
    for ou in subdirs(&root.join(format!("{dir}/ous"))) {
        let file = format!("{dir}/ous/{ou}/metadata.json");
        let m: OuMetadata = read_required(
            root,
            &file,
            "store-missing-metadata",
            "the OU directory has no metadata.json",
        )?;
        let id = m.id.clone().unwrap_or(ou);
        if let Some(first) = nodes.get(&id) {
            let first: &Node = first;
            return Err(in_file_error(
                "store-duplicate-ou",
                &file,
                format!(
                    "OU {id} is also described by {}: one OU, two directories (a world never picks one)",
                    first.file
                ),
            ));
        }
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
    Ok(nodes)
}

/// The root's id: the one the metadata names, else the one `r-…` that OUs and accounts name
/// as parent.
fn find_root(
    head: &Head,
    nodes: &BTreeMap<String, Node>,
    accounts: &BTreeMap<String, OrgAccount>,
) -> Result<String, Diagnostic> {
    if let Some(r) = &head.root_id {
        return Ok(r.clone());
    }
    let mut roots: Vec<String> = nodes
        .values()
        .filter_map(|n| n.parent.clone())
        .chain(accounts.values().map(|a| a.ou.clone()))
        .filter(|p| p.starts_with("r-"))
        .collect();
    roots.sort();
    roots.dedup();
    match roots.len() {
        1 => Ok(roots.remove(0)),
        0 => Err(in_file_error(
            "store-no-root",
            &head.meta_file,
            "no root: neither rootId in metadata.json nor any parent r-… in accounts.json or ous/",
        )),
        _ => Err(in_file_error(
            "store-several-roots",
            &head.meta_file,
            format!(
                "several roots are named as parents ({}), and metadata.json names none",
                roots.join(", ")
            ),
        )),
    }
}

/// Make the root a node without parent: the store's `ous/<root>/` when it has one; a bare node
/// when the organization has no policies (so none can be attached to the root); otherwise the
/// root's attachments are unknown, an error.
fn place_root(
    nodes: &mut BTreeMap<String, Node>,
    root_id: &str,
    policies: &Policies<'_>,
    meta_file: &str,
) -> Result<(), Diagnostic> {
    match nodes.get_mut(root_id) {
        Some(n) => n.parent = None,
        None if policies.by_id.is_empty() => {
            nodes.insert(
                root_id.to_string(),
                Node {
                    name: None,
                    parent: None,
                    scps: Vec::new(),
                    rcps: Vec::new(),
                    file: meta_file.to_string(),
                },
            );
        }
        None => {
            let dir = policies.dir;
            return Err(in_file_error(
                "store-root-attachments-unknown",
                meta_file,
                format!(
                    "the store does not say which policies are attached to the root {root_id} (expected {dir}/ous/{root_id}/metadata.json with its scps and rcps)"
                ),
            ));
        }
    }
    Ok(())
}

/// Check the tree, OU by OU in id order: each has a parent, the parent is a node, and
/// following parents leads to the root (no cycles). An OU whose walk up meets an ancestor
/// with an unknown parent gets that ancestor's error.
fn check_tree(nodes: &BTreeMap<String, Node>, root_id: &str) -> Result<(), Diagnostic> {
    for (id, n) in nodes {
        if id == root_id {
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
            return Err(unknown_parent(id, n, parent, root_id));
        }
        match top(nodes, id) {
            Ok(top) if top == root_id => {}
            Ok(_) => {
                return Err(in_file_error(
                    "store-ou-cycle",
                    &n.file,
                    format!("OU {id} does not lead up to the root {root_id} (a cycle of parents?)"),
                ));
            }
            Err((a, parent)) => return Err(unknown_parent(a, &nodes[a], parent, root_id)),
        }
    }
    Ok(())
}

/// The error of OU `id` (node `n`) whose `parent` is not a node.
fn unknown_parent(id: &str, n: &Node, parent: &str, root_id: &str) -> Diagnostic {
    in_file_error(
        "store-unknown-parent",
        &n.file,
        format!(
            "OU {id} has parent {parent}, which is neither the root {root_id} nor an OU under ous/"
        ),
    )
    .at_path("parent")
}

/// Where following parents from `id` ends: a node without parent, or, in a cycle, wherever
/// the walk stands after more steps than there are nodes; `Err((ancestor, parent))` when it
/// meets an ancestor whose parent is not a node.
fn top<'a>(nodes: &'a BTreeMap<String, Node>, id: &'a str) -> Result<&'a str, (&'a str, &'a str)> {
    let mut at = id;
    for _ in 0..=nodes.len() {
        match &nodes[at].parent {
            Some(p) if !nodes.contains_key(p) => return Err((at, p)),
            Some(p) => at = p,
            None => break,
        }
    }
    Ok(at)
}

/// The policy ids attached to each node, each checked to be a policy of its kind.
fn node_policies(
    nodes: &BTreeMap<String, Node>,
    policies: &Policies<'_>,
) -> Result<BTreeMap<String, Vec<String>>, Diagnostic> {
    let mut out = BTreeMap::new();
    for (id, n) in nodes {
        out.insert(
            id.clone(),
            policies.attached(id, &n.scps, &n.rcps, &n.file, "")?,
        );
    }
    Ok(out)
}

/// The member accounts placed in the tree.
struct Placed {
    /// The accounts of `organization.json`, with the policies attached to each.
    accounts: BTreeMap<String, synth::OrgAccount>,
    /// Each node's account ids.
    by_node: BTreeMap<String, Vec<String>>,
}

/// Place each account, in id order, under its parent node (which must exist) and resolve the
/// policies attached to it.
fn place_accounts(
    accounts: BTreeMap<String, OrgAccount>,
    accounts_file: &str,
    nodes: &BTreeMap<String, Node>,
    policies: &Policies<'_>,
    root_id: &str,
) -> Result<Placed, Diagnostic> {
    let mut placed = Placed {
        accounts: BTreeMap::new(),
        by_node: BTreeMap::new(),
    };
    for (acct, a) in accounts {
        let parent = a.ou.clone();
        if !nodes.contains_key(&parent) {
            return Err(in_file_error("store-unknown-parent", 
                accounts_file,
                format!("account {acct} is in {parent}, which is neither the root {root_id} nor an OU under ous/"),
            ).at_path(acct));
        }
        let own = policies.attached(
            &format!("account {acct}"),
            &a.scps,
            &a.rcps,
            accounts_file,
            &format!("{acct}."),
        )?;
        placed.by_node.entry(parent).or_default().push(acct.clone());
        placed.accounts.insert(
            acct,
            synth::OrgAccount {
                name: a.name,
                policies: own,
            },
        );
    }
    Ok(placed)
}

/// The parts the tree of `organization.json` is built from, by node id.
struct Tree<'a> {
    nodes: &'a BTreeMap<String, Node>,
    policies: &'a BTreeMap<String, Vec<String>>,
    children: BTreeMap<String, Vec<String>>,
    accounts: &'a BTreeMap<String, Vec<String>>,
}

impl Tree<'_> {
    /// The node `id` with everything below it.
    fn node(&self, id: &str) -> synth::OrgNode {
        synth::OrgNode {
            id: id.to_string(),
            name: self.nodes[id].name.clone(),
            policies: self.policies[id].clone(),
            children: self
                .children
                .get(id)
                .map(|c| c.iter().map(|c| self.node(c)).collect())
                .unwrap_or_default(),
            accounts: self.accounts.get(id).cloned().unwrap_or_default(),
        }
    }
}

/// Build the tree of `organization.json` from the root down, children in id order.
fn build_tree(
    root_id: &str,
    nodes: &BTreeMap<String, Node>,
    policies: &BTreeMap<String, Vec<String>>,
    accounts: &BTreeMap<String, Vec<String>>,
) -> synth::OrgNode {
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, n) in nodes {
        if let Some(p) = &n.parent {
            children.entry(p.clone()).or_default().push(id.clone());
        }
    }
    Tree {
        nodes,
        policies,
        children,
        accounts,
    }
    .node(root_id)
}

/// Report every entry of the organization directory that is neither read nor
/// [`IGNORED`] as a gap: it is never dropped silently.
fn report_unread(root: &Path, dir: &str, management: &str, made: &mut Made) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        if READ.contains(&name.as_str()) || IGNORED.contains(&name.as_str()) {
            continue;
        }
        made.gaps.push(gap(
            Some(management),
            Some("organizations"),
            format!(
                "the answer may be incomplete: {dir}/{name} of the iam-collect store was not read (iamwhy does not know it)"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ou(parent: Option<&str>, file: &str) -> Node {
        Node {
            name: None,
            parent: parent.map(str::to_string),
            scps: Vec::new(),
            rcps: Vec::new(),
            file: file.to_string(),
        }
    }

    #[test]
    fn an_ancestor_with_an_unknown_parent_is_located_not_a_panic() {
        // ou-a is checked first; walking up from it meets ou-b, whose parent is unknown.
        let nodes: BTreeMap<String, Node> = [
            ("r-1".to_string(), ou(None, "root")),
            ("ou-a".to_string(), ou(Some("ou-b"), "a")),
            ("ou-b".to_string(), ou(Some("ou-nope"), "b")),
        ]
        .into_iter()
        .collect();
        let e = check_tree(&nodes, "r-1").expect_err("ou-b's parent is unknown");
        assert_eq!(e.code, "store-unknown-parent");
        assert_eq!(e.file.as_deref(), Some("b"));
        assert_eq!(e.json_path.as_deref(), Some("parent"));
        assert!(
            e.message.starts_with("OU ou-b has parent ou-nope,"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_ou_in_a_cycle_of_parents_does_not_lead_to_the_root() {
        let nodes: BTreeMap<String, Node> = [
            ("r-1".to_string(), ou(None, "root")),
            ("ou-a".to_string(), ou(Some("ou-b"), "a")),
            ("ou-b".to_string(), ou(Some("ou-a"), "b")),
        ]
        .into_iter()
        .collect();
        let e = check_tree(&nodes, "r-1").expect_err("a cycle");
        assert_eq!(e.code, "store-ou-cycle");
        assert_eq!(e.file.as_deref(), Some("a"));
    }
}
