//! The accounts of an iam-collect store (`aws/<partition>/accounts/<id>/...`) presented as
//! world accounts: every directory holding a `metadata.json` is one resource, classified by the
//! ARN in it — IAM users, groups, roles and managed policies become the account's
//! authorization details, VPC endpoints its `vpc-endpoints.json`, everything else with a
//! policy or tags its `resource-policies.json`.

use super::read::{
    AttachedRef, BoundaryRef, InlineEntry, Metadata, Tags, read_document, read_json,
};
use super::synth::{self, Made, StoreLocation};
use crate::completeness::Gap;
use crate::error::in_file_error;
use crate::inventory::document_text;
use iamwhy_diagnostic::Diagnostic;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How deep resource directories may nest below an account (the documented layout needs 4:
/// service/region/type/id).
const MAX_DEPTH: usize = 12;

/// Files that hold nothing an authorization decision uses, read by nobody, and why.
const IGNORED: &[(&str, &str)] = &[
    ("encryption.json", "default encryption settings"),
    ("instance-profiles.json", "a role's instance profiles"),
];

/// One resource directory of the store.
pub struct Entry {
    /// Store-relative directory, with `/`.
    pub dir: String,
    /// The file names in it.
    pub files: BTreeSet<String>,
    /// Its metadata.
    pub meta: Metadata,
    /// The ARN's service.
    pub service: String,
    /// The ARN's region.
    pub region: String,
    /// The ARN's resource part (`role/path/name`).
    pub resource: String,
}

impl Entry {
    fn file(&self, name: &str) -> String {
        format!("{}/{name}", self.dir)
    }

    fn has(&self, name: &str) -> bool {
        self.files.contains(name)
    }

    /// `(path, name)` of an IAM entity from its ARN's resource part (`user/a/b/name`).
    fn path_and_name(&self) -> (String, String) {
        let rest = self.resource.split_once('/').map_or("", |(_, r)| r);
        match rest.rsplit_once('/') {
            Some((path, name)) => (format!("/{path}/"), name.to_string()),
            None => ("/".to_string(), rest.to_string()),
        }
    }

    fn kind(&self) -> &str {
        self.resource
            .split_once('/')
            .map_or(self.resource.as_str(), |(k, _)| k)
    }
}

/// Everything found under one account directory.
pub struct Scan {
    /// The account id.
    pub id: String,
    /// Store-relative account directory.
    pub dir: String,
    /// Its resources, sorted by directory.
    pub entries: Vec<Entry>,
}

/// A directory's entries by kind, each sorted.
#[derive(Default)]
struct Listing {
    files: Vec<String>,
    dirs: Vec<String>,
    /// Neither file nor directory (symbolic links are not followed).
    other: Vec<String>,
}

fn list(root: &Path, rel: &str) -> Result<Listing, Diagnostic> {
    let entries = std::fs::read_dir(root.join(rel)).map_err(|e| {
        in_file_error(
            "unreadable-directory",
            rel,
            format!("cannot list the directory: {e}"),
        )
    })?;
    let mut l = Listing::default();
    for e in entries {
        let e =
            e.map_err(|e| in_file_error("unreadable-directory", rel, format!("cannot list: {e}")))?;
        let name = e.file_name().to_string_lossy().into_owned();
        match e.file_type() {
            Ok(t) if t.is_dir() => l.dirs.push(name),
            Ok(t) if t.is_file() => l.files.push(name),
            _ => l.other.push(name),
        }
    }
    l.files.sort();
    l.dirs.sort();
    l.other.sort();
    Ok(l)
}

/// Split an ARN into (partition, service, region, account, resource).
pub fn arn_fields(arn: &str) -> Option<(&str, &str, &str, &str, &str)> {
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    match f[..] {
        ["arn", p, s, r, a, res] if !p.is_empty() && !s.is_empty() => Some((p, s, r, a, res)),
        _ => None,
    }
}

/// Walk one account directory.
pub fn scan(
    root: &Path,
    partition: &str,
    id: &str,
    dir: &str,
    gaps: &mut Vec<Gap>,
) -> Result<Scan, Diagnostic> {
    let mut entries = Vec::new();
    let Listing { files, dirs, other } = list(root, dir)?;
    for f in files {
        // The account's own organization.json is membership information; the organization
        // itself comes from organizations/<id>/.
        if f != "organization.json" {
            gaps.push(Gap {
                account: Some(id.to_string()),
                region: None,
                service: None,
                resource: None,
                note: format!(
                    "the answer may be incomplete: {dir}/{f} of the iam-collect store was not read (iamwhy does not know this file)"
                ),
            });
        }
    }
    for name in other {
        gaps.push(not_a_file(id, &format!("{dir}/{name}")));
    }
    for d in dirs {
        let rel = format!("{dir}/{d}");
        if d == "ram" {
            let l = list(root, &rel)?;
            if !l.files.is_empty() || !l.dirs.is_empty() {
                gaps.push(Gap {
                    account: Some(id.to_string()),
                    region: None,
                    service: None,
                    resource: None,
                    note: format!(
                        "the answer may be incomplete: the RAM resource shares of account {id} ({rel}/ in the iam-collect store) were not read"
                    ),
                });
            }
            continue;
        }
        walk(root, partition, id, &rel, 1, &mut entries, gaps)?;
    }
    entries.sort_by(|a, b| a.dir.cmp(&b.dir));
    if !entries.iter().any(|e| e.service == "iam") {
        gaps.push(Gap {
            account: Some(id.to_string()),
            region: None,
            service: Some("iam".into()),
            resource: None,
            note: format!(
                "the answer may be incomplete: the iam-collect store holds no IAM data for account {id} ({dir}/iam/ is empty or absent)"
            ),
        });
    }
    Ok(Scan {
        id: id.to_string(),
        dir: dir.to_string(),
        entries,
    })
}

fn not_a_file(account: &str, rel: &str) -> Gap {
    Gap {
        account: Some(account.to_string()),
        region: None,
        service: None,
        resource: None,
        note: format!(
            "the answer may be incomplete: {rel} of the iam-collect store is neither a file nor a directory (a symbolic link?) and was not read"
        ),
    }
}

fn walk(
    root: &Path,
    partition: &str,
    account: &str,
    rel: &str,
    depth: usize,
    out: &mut Vec<Entry>,
    gaps: &mut Vec<Gap>,
) -> Result<(), Diagnostic> {
    if depth > MAX_DEPTH {
        return Err(in_file_error(
            "store-too-deep",
            rel,
            format!(
                "directories nest deeper than {MAX_DEPTH} levels below the account: not an iam-collect layout"
            ),
        ));
    }
    let Listing { files, dirs, other } = list(root, rel)?;
    for name in other {
        gaps.push(not_a_file(account, &format!("{rel}/{name}")));
    }
    if files.iter().any(|f| f == "metadata.json") {
        let file = format!("{rel}/metadata.json");
        let meta: Metadata = read_json(root, &file)?.expect("listed just now");
        let Some((p, service, region, arn_account, resource)) = arn_fields(&meta.arn) else {
            return Err(in_file_error(
                "store-not-an-arn",
                &file,
                format!("\"{}\" is not an ARN", meta.arn),
            )
            .at_path("arn"));
        };
        if p != partition {
            return Err(in_file_error(
                "store-partition-mismatch",
                &file,
                format!(
                    "the ARN {} is of partition {p}, but the file is under aws/{partition}/",
                    meta.arn
                ),
            )
            .at_path("arn"));
        }
        if !(arn_account == account || arn_account.is_empty() || arn_account == "aws") {
            return Err(in_file_error("store-account-mismatch", 
                &file,
                format!(
                    "the ARN {} names account {arn_account}, but the file is under accounts/{account}/",
                    meta.arn
                ),
            ).at_path("arn"));
        }
        let (service, region, resource) = (
            service.to_string(),
            region.to_string(),
            resource.to_string(),
        );
        out.push(Entry {
            dir: rel.to_string(),
            files: files.into_iter().collect(),
            meta,
            service,
            region,
            resource,
        });
    } else if !files.is_empty() {
        gaps.push(Gap {
            account: Some(account.to_string()),
            region: None,
            service: None,
            resource: None,
            note: format!(
                "the answer may be incomplete: {} in {rel}/ of the iam-collect store were not read (no metadata.json names the resource they belong to)",
                files.join(", ")
            ),
        });
    }
    for d in dirs {
        walk(
            root,
            partition,
            account,
            &format!("{rel}/{d}"),
            depth + 1,
            out,
            gaps,
        )?;
    }
    Ok(())
}

/// AWS managed policies found in any account of the store, by ARN: (account, entry index).
pub type AwsPool = BTreeMap<String, (usize, usize)>;

/// The pool of AWS managed policy documents across the scanned accounts (the first account in
/// id order that holds one wins).
pub fn aws_pool(scans: &[Scan]) -> AwsPool {
    let mut pool = AwsPool::new();
    for (si, s) in scans.iter().enumerate() {
        for (ei, e) in s.entries.iter().enumerate() {
            if e.service == "iam" && e.kind() == "policy" && e.meta.arn.contains(":iam::aws:") {
                pool.entry(e.meta.arn.clone()).or_insert((si, ei));
            }
        }
    }
    pool
}

fn policy_file(e: &Entry) -> Option<String> {
    ["current-policy.json", "policy.json"]
        .into_iter()
        .find(|f| e.has(f))
        .map(|f| e.file(f))
}

/// The gap a file nobody reads leaves for its resource.
fn unread(account: &str, e: &Entry, file: &str, why: &str) -> Gap {
    Gap {
        account: Some(account.to_string()),
        region: (!e.region.is_empty()).then(|| e.region.clone()),
        service: Some(e.service.clone()),
        resource: Some(e.meta.arn.clone()),
        note: format!(
            "the answer may be incomplete: {why} of {} ({} in the iam-collect store) {}",
            e.meta.arn,
            e.file(file),
            if why.ends_with('s') {
                "are not modelled"
            } else {
                "is not modelled"
            }
        ),
    }
}

/// Record every file of `e` outside `known` as a gap (or as ignored, see [`IGNORED`]).
fn other_files(account: &str, e: &Entry, known: &[&str], gaps: &mut Vec<Gap>) {
    for f in &e.files {
        if known.contains(&f.as_str()) || IGNORED.iter().any(|(n, _)| n == f) {
            continue;
        }
        if f == "bpa.json" && e.service == "s3" {
            gaps.push(unread(account, e, f, "the S3 Block Public Access settings"));
            continue;
        }
        gaps.push(Gap {
            account: Some(account.to_string()),
            region: (!e.region.is_empty()).then(|| e.region.clone()),
            service: Some(e.service.clone()),
            resource: Some(e.meta.arn.clone()),
            note: format!(
                "the answer may be incomplete: {} of the iam-collect store was not read (iamwhy does not know this file)",
                e.file(f)
            ),
        });
    }
}

fn read_tags(root: &Path, e: &Entry) -> Result<BTreeMap<String, String>, Diagnostic> {
    let file = e.file("tags.json");
    match read_json::<Option<Tags>>(root, &file)? {
        Some(Some(t)) => t.into_map(&file),
        _ => Ok(BTreeMap::new()),
    }
}

fn read_inline(
    root: &Path,
    e: &Entry,
    world_file: &str,
    json_prefix: &str,
    made: &mut Made,
) -> Result<Vec<synth::Inline>, Diagnostic> {
    let file = e.file("inline-policies.json");
    let list: Vec<InlineEntry> = read_json::<Option<Vec<InlineEntry>>>(root, &file)?
        .flatten()
        .unwrap_or_default();
    let mut out = Vec::new();
    for (j, p) in list.into_iter().enumerate() {
        made.source(
            world_file,
            &format!("{json_prefix}[{j}].PolicyDocument"),
            StoreLocation::at(&file, format!("[{j}].PolicyDocument")),
        );
        out.push(synth::Inline {
            policy_name: p.policy_name,
            policy_document: p.policy_document,
        });
    }
    Ok(out)
}

fn read_attached(root: &Path, e: &Entry) -> Result<Vec<(String, String)>, Diagnostic> {
    let file = e.file("managed-policies.json");
    let list: Vec<AttachedRef> = read_json::<Option<Vec<AttachedRef>>>(root, &file)?
        .flatten()
        .unwrap_or_default();
    Ok(list
        .iter()
        .enumerate()
        .map(|(i, a)| (a.arn().to_string(), format!("[{i}]")))
        .collect())
}

/// The boundary from `permissions-boundary.json` or the metadata; both, disagreeing, is an
/// error.
fn read_boundary(root: &Path, e: &Entry) -> Result<Option<(String, String)>, Diagnostic> {
    let file = e.file("permissions-boundary.json");
    let from_file = read_json::<Option<BoundaryRef>>(root, &file)?
        .flatten()
        .map(|b| b.arn().to_string());
    let from_meta = e
        .meta
        .permissions_boundary
        .as_ref()
        .map(|b| b.arn().to_string());
    match (from_file, from_meta) {
        (Some(a), Some(b)) if a != b => Err(in_file_error(
            "store-boundary-mismatch",
            &file,
            format!("the boundary {a} disagrees with metadata.json's {b}"),
        )),
        (Some(a), _) => Ok(Some((a, file))),
        (None, Some(b)) => Ok(Some((b, e.file("metadata.json")))),
        (None, None) => Ok(None),
    }
}

/// A referenced managed policy must be in the store, or (AWS managed) in the embedded copy.
fn check_policy(
    arn: &str,
    own: &BTreeSet<String>,
    pool: &AwsPool,
    file: &str,
    json_path: &str,
    what: &str,
) -> Result<(), Diagnostic> {
    if own.contains(arn) || pool.contains_key(arn) {
        return Ok(());
    }
    if crate::embedded::is_aws_managed(arn) {
        if iamwhy_managed_policies::embedded().get(arn).is_some() {
            return Ok(());
        }
        return Err(in_file_error("unknown-managed-policy", 
            file,
            format!(
                "{what} AWS managed policy {arn}, which is neither in the iam-collect store nor in iamwhy's embedded copy ({})",
                iamwhy_managed_policies::provenance()
            ),
        ).at_path(json_path));
    }
    Err(in_file_error("unknown-managed-policy", 
        file,
        format!(
            "{what} managed policy {arn}, which is not in the iam-collect store (no metadata.json under iam/policy/ has that ARN)"
        ),
    ).at_path(json_path))
}

/// The files iamwhy reads for each kind of IAM entity.
const USER_FILES: &[&str] = &[
    "metadata.json",
    "inline-policies.json",
    "managed-policies.json",
    "groups.json",
    "tags.json",
    "permissions-boundary.json",
];
const GROUP_FILES: &[&str] = &[
    "metadata.json",
    "inline-policies.json",
    "managed-policies.json",
];
const ROLE_FILES: &[&str] = &[
    "metadata.json",
    "inline-policies.json",
    "managed-policies.json",
    "trust-policy.json",
    "tags.json",
    "permissions-boundary.json",
];

/// The managed policies an account's entities may use: its own, and AWS managed ones kept
/// anywhere in the store.
struct Known<'a> {
    own: &'a BTreeSet<String>,
    pool: &'a AwsPool,
}

/// The managed policies an entity attaches and its boundary, each checked to exist.
fn entity_policies(
    root: &Path,
    e: &Entry,
    who: &str,
    known: &Known<'_>,
) -> Result<(Vec<String>, Option<String>), Diagnostic> {
    let attached = read_attached(root, e)?;
    let file = e.file("managed-policies.json");
    for (arn, at) in &attached {
        check_policy(
            arn,
            known.own,
            known.pool,
            &file,
            at,
            &format!("{who} attaches"),
        )?;
    }
    let boundary = read_boundary(root, e)?;
    if let Some((arn, file)) = &boundary {
        check_policy(
            arn,
            known.own,
            known.pool,
            file,
            "",
            &format!("{who} has as boundary"),
        )?;
    }
    Ok((
        attached.into_iter().map(|(a, _)| a).collect(),
        boundary.map(|(a, _)| a),
    ))
}

/// A user's group names, from `groups.json` or the metadata; each must be in the store.
fn read_groups(
    root: &Path,
    e: &Entry,
    user: &str,
    known_groups: &BTreeSet<String>,
) -> Result<Vec<String>, Diagnostic> {
    let groups_file = e.file("groups.json");
    let from_file = read_json::<Option<Vec<String>>>(root, &groups_file)?.flatten();
    let (groups, file) = match (from_file, &e.meta.groups) {
        (Some(a), Some(b)) if &a != b => {
            return Err(in_file_error(
                "store-groups-mismatch",
                &groups_file,
                "the groups disagree with metadata.json's",
            ));
        }
        (Some(a), _) => (a, groups_file),
        (None, Some(b)) => (b.clone(), e.file("metadata.json")),
        (None, None) => (Vec::new(), groups_file),
    };
    let names: Vec<String> = groups
        .iter()
        .map(|g| g.rsplit('/').next().unwrap_or(g).to_string())
        .collect();
    for (i, g) in names.iter().enumerate() {
        if !known_groups.contains(g) {
            return Err(in_file_error("unknown-group", 
                &file,
                format!("user {user} is in group \"{g}\", which is not in the iam-collect store's iam/group/"),
            ).at_path(format!("[{i}]")));
        }
    }
    Ok(names)
}

fn attached_list(arns: Vec<String>) -> Vec<synth::Attached> {
    arns.into_iter()
        .map(|policy_arn| synth::Attached { policy_arn })
        .collect()
}

fn boundary_of(arn: Option<String>) -> Option<synth::Boundary> {
    arn.map(|permissions_boundary_arn| synth::Boundary {
        permissions_boundary_arn,
    })
}

/// Present one scanned account as world files.
pub fn present(
    root: &Path,
    scans: &[Scan],
    si: usize,
    pool: &AwsPool,
    made: &mut Made,
) -> Result<(), Diagnostic> {
    let scan = &scans[si];
    let id = scan.id.as_str();
    let gaad_file = format!("accounts/{id}/authorization-details.json");
    let rp_file = format!("accounts/{id}/resource-policies.json");
    let ep_file = format!("accounts/{id}/vpc-endpoints.json");
    let mut gaad = synth::Gaad::default();
    let mut resources: Vec<synth::Resource> = Vec::new();
    let mut endpoints = synth::VpcEndpoints::default();
    let mut gaps = Vec::new();

    let own_policies: BTreeSet<String> = scan
        .entries
        .iter()
        .filter(|e| e.service == "iam" && e.kind() == "policy")
        .map(|e| e.meta.arn.clone())
        .collect();
    let group_names: BTreeSet<String> = scan
        .entries
        .iter()
        .filter(|e| e.service == "iam" && e.kind() == "group")
        .map(|e| e.path_and_name().1)
        .collect();
    let mut used_aws: BTreeSet<String> = BTreeSet::new();

    // Managed policies of this account (customer and AWS managed) first.
    let add_policy = |e: &Entry,
                      gaad: &mut synth::Gaad,
                      made: &mut Made|
     -> Result<(), Diagnostic> {
        let Some(file) = policy_file(e) else {
            return Err(in_file_error(
                "store-missing-metadata",
                e.file("metadata.json"),
                format!(
                    "managed policy {} has no current-policy.json (nor policy.json) beside its metadata",
                    e.meta.arn
                ),
            ));
        };
        let Some(document) = read_document(root, &file)? else {
            return Err(in_file_error(
                "store-missing-document",
                &file,
                format!("managed policy {} has an empty document", e.meta.arn),
            ));
        };
        let i = gaad.policies.len();
        made.source(
            &gaad_file,
            &format!("Policies[{i}].PolicyVersionList[0].Document"),
            StoreLocation::file(&file),
        );
        let version = e
            .meta
            .default_version_id
            .clone()
            .unwrap_or_else(|| "v1".into());
        gaad.policies.push(synth::ManagedPolicy {
            policy_name: e.path_and_name().1,
            arn: e.meta.arn.clone(),
            default_version_id: version.clone(),
            policy_version_list: vec![synth::Version {
                document,
                version_id: version,
                is_default_version: true,
            }],
        });
        Ok(())
    };
    for e in scan
        .entries
        .iter()
        .filter(|e| e.service == "iam" && e.kind() == "policy")
    {
        add_policy(e, &mut gaad, made)?;
        other_files(
            id,
            e,
            &[
                "metadata.json",
                "current-policy.json",
                "policy.json",
                "tags.json",
            ],
            &mut gaps,
        );
        let tags = read_tags(root, e)?;
        if !tags.is_empty() {
            resources.push(synth::Resource {
                arn: e.meta.arn.clone(),
                policy: None,
                tags,
            });
        }
    }

    let known = Known {
        own: &own_policies,
        pool,
    };
    for e in &scan.entries {
        match (e.service.as_str(), e.kind()) {
            ("iam", "policy") => {}
            ("iam", "user") => {
                let (path, name) = e.path_and_name();
                let i = gaad.user_detail_list.len();
                let list = format!("UserDetailList[{i}].UserPolicyList");
                let inline = read_inline(root, e, &gaad_file, &list, made)?;
                let (attached, boundary) =
                    entity_policies(root, e, &format!("user {name}"), &known)?;
                let groups = read_groups(root, e, &name, &group_names)?;
                used_aws.extend(attached.iter().chain(&boundary).cloned());
                other_files(id, e, USER_FILES, &mut gaps);
                gaad.user_detail_list.push(synth::User {
                    path,
                    user_name: name,
                    user_id: e.meta.id.clone(),
                    arn: e.meta.arn.clone(),
                    user_policy_list: inline,
                    group_list: groups,
                    attached_managed_policies: attached_list(attached),
                    permissions_boundary: boundary_of(boundary),
                    tags: tag_list(read_tags(root, e)?),
                });
            }
            ("iam", "group") => {
                let (path, name) = e.path_and_name();
                let i = gaad.group_detail_list.len();
                let list = format!("GroupDetailList[{i}].GroupPolicyList");
                let inline = read_inline(root, e, &gaad_file, &list, made)?;
                let (attached, _) = entity_policies(root, e, &format!("group {name}"), &known)?;
                used_aws.extend(attached.iter().cloned());
                other_files(id, e, GROUP_FILES, &mut gaps);
                gaad.group_detail_list.push(synth::Group {
                    path,
                    group_name: name,
                    group_id: e.meta.id.clone(),
                    arn: e.meta.arn.clone(),
                    group_policy_list: inline,
                    attached_managed_policies: attached_list(attached),
                });
            }
            ("iam", "role") => {
                let (path, name) = e.path_and_name();
                let i = gaad.role_detail_list.len();
                let list = format!("RoleDetailList[{i}].RolePolicyList");
                let inline = read_inline(root, e, &gaad_file, &list, made)?;
                let (attached, boundary) =
                    entity_policies(root, e, &format!("role {name}"), &known)?;
                let trust_file = e.file("trust-policy.json");
                let trust = read_document(root, &trust_file)?;
                if trust.is_some() {
                    made.source(
                        &gaad_file,
                        &format!("RoleDetailList[{i}].AssumeRolePolicyDocument"),
                        StoreLocation::file(&trust_file),
                    );
                }
                used_aws.extend(attached.iter().chain(&boundary).cloned());
                other_files(id, e, ROLE_FILES, &mut gaps);
                gaad.role_detail_list.push(synth::Role {
                    path,
                    role_name: name,
                    role_id: e.meta.id.clone(),
                    arn: e.meta.arn.clone(),
                    assume_role_policy_document: trust,
                    role_policy_list: inline,
                    attached_managed_policies: attached_list(attached),
                    permissions_boundary: boundary_of(boundary),
                    tags: tag_list(read_tags(root, e)?),
                });
            }
            // Instance profiles, OIDC and SAML providers, server certificates ...: no policy
            // of their own that a decision reads.
            ("iam", _) => {}
            ("ec2", "vpc-endpoint") => {
                let file = ["endpoint-policy.json", "policy.json"]
                    .into_iter()
                    .find(|f| e.has(f))
                    .map(|f| e.file(f));
                let policy = match &file {
                    Some(f) => match read_document(root, f)? {
                        Some(raw) => Some(
                            document_text(&raw)
                                .map_err(|m| in_file_error("store-invalid-entry", f, m))?,
                        ),
                        None => None,
                    },
                    None => None,
                };
                let i = endpoints.vpc_endpoints.len();
                if let (Some(f), Some(_)) = (&file, &policy) {
                    made.source(
                        &ep_file,
                        &format!("VpcEndpoints[{i}].PolicyDocument"),
                        StoreLocation::file(f),
                    );
                }
                let vpce = e
                    .resource
                    .split_once('/')
                    .map_or(e.resource.as_str(), |(_, v)| v)
                    .to_string();
                other_files(
                    id,
                    e,
                    &[
                        "metadata.json",
                        "endpoint-policy.json",
                        "policy.json",
                        "tags.json",
                    ],
                    &mut gaps,
                );
                endpoints.vpc_endpoints.push(synth::VpcEndpoint {
                    vpc_endpoint_id: vpce,
                    vpc_id: e.meta.vpc_id.clone(),
                    service_name: e.meta.service_name.clone(),
                    policy_document: policy,
                    owner_id: id.to_string(),
                });
            }
            _ => {
                let policy_file = e.file("policy.json");
                let policy = read_document(root, &policy_file)?;
                let tags = read_tags(root, e)?;
                other_files(
                    id,
                    e,
                    &["metadata.json", "policy.json", "tags.json"],
                    &mut gaps,
                );
                // Every bucket is listed, policy or not: the entry is how the world knows which
                // account owns it (S3 ARNs carry none).
                let bucket = e.service == "s3" && e.region.is_empty() && !e.resource.contains('/');
                if policy.is_none() && tags.is_empty() && !bucket {
                    continue;
                }
                let i = resources.len();
                if policy.is_some() {
                    made.source(
                        &rp_file,
                        &format!("[{i}]"),
                        StoreLocation::file(&policy_file),
                    );
                }
                resources.push(synth::Resource {
                    arn: e.meta.arn.clone(),
                    policy,
                    tags,
                });
            }
        }
    }

    // AWS managed policies this account uses but whose documents the store keeps under
    // another account.
    for arn in used_aws {
        if own_policies.contains(&arn) {
            continue;
        }
        if let Some(&(osi, oei)) = pool.get(&arn) {
            add_policy(&scans[osi].entries[oei], &mut gaad, made)?;
        }
    }

    let mut seen = BTreeSet::new();
    for r in &resources {
        if !seen.insert(r.arn.clone()) {
            return Err(in_file_error(
                "store-duplicate-resource",
                &scan.dir,
                format!(
                    "two resource directories of the iam-collect store have the ARN {}",
                    r.arn
                ),
            ));
        }
    }
    let origin = format!("{}/ of the iam-collect store", scan.dir);
    made.write(gaad_file, &gaad, origin.clone())?;
    if !resources.is_empty() {
        made.write(rp_file, &resources, origin.clone())?;
    }
    if !endpoints.vpc_endpoints.is_empty() {
        made.write(ep_file, &endpoints, origin)?;
    }
    made.gaps.extend(gaps);
    Ok(())
}

fn tag_list(tags: BTreeMap<String, String>) -> Vec<synth::Tag> {
    tags.into_iter()
        .map(|(key, value)| synth::Tag { key, value })
        .collect()
}
