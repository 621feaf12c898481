//! The accounts of an iam-collect store (`aws/<partition>/accounts/<id>/...`) presented as
//! world accounts: every directory holding a `metadata.json` is one resource, classified by the
//! ARN in it — IAM users, groups, roles and managed policies become the account's
//! authorization details, VPC endpoints its `vpc-endpoints.json`, everything else with a
//! policy or tags its `resource-policies.json`.
//!
//! [`scan`] walks an account directory into [`Entry`]s; [`present`] turns one scanned account
//! into world files: its managed policies first, then every entry in directory order, then the
//! AWS managed policies it uses that another account of the store keeps.

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

    /// The first of `names` the directory holds, as a store-relative file.
    fn first_of(&self, names: &[&str]) -> Option<String> {
        names.iter().find(|f| self.has(f)).map(|f| self.file(f))
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

    /// Whether this is an IAM entity of `kind` (`user`, `group`, `role`, `policy` ...).
    fn is_iam(&self, kind: &str) -> bool {
        self.service == "iam" && self.kind() == kind
    }

    /// A gap about this resource of `account`.
    fn gap(&self, account: &str, note: String) -> Gap {
        Gap {
            account: Some(account.to_string()),
            region: (!self.region.is_empty()).then(|| self.region.clone()),
            service: Some(self.service.clone()),
            resource: Some(self.meta.arn.clone()),
            note,
        }
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
            gaps.push(super::gap(
                Some(id),
                None,
                format!(
                    "the answer may be incomplete: {dir}/{f} of the iam-collect store was not read (iamwhy does not know this file)"
                ),
            ));
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
                gaps.push(super::gap(
                    Some(id),
                    None,
                    format!(
                        "the answer may be incomplete: the RAM resource shares of account {id} ({rel}/ in the iam-collect store) were not read"
                    ),
                ));
            }
            continue;
        }
        walk(root, partition, id, &rel, 1, &mut entries, gaps)?;
    }
    entries.sort_by(|a, b| a.dir.cmp(&b.dir));
    if !entries.iter().any(|e| e.service == "iam") {
        gaps.push(super::gap(
            Some(id),
            Some("iam"),
            format!(
                "the answer may be incomplete: the iam-collect store holds no IAM data for account {id} ({dir}/iam/ is empty or absent)"
            ),
        ));
    }
    Ok(Scan {
        id: id.to_string(),
        dir: dir.to_string(),
        entries,
    })
}

fn not_a_file(account: &str, rel: &str) -> Gap {
    super::gap(
        Some(account),
        None,
        format!(
            "the answer may be incomplete: {rel} of the iam-collect store is neither a file nor a directory (a symbolic link?) and was not read"
        ),
    )
}

/// Walk the resource directory `rel` of `account`, `depth` levels below the account
/// directory: a directory with a `metadata.json` is an entry; files without one are a gap.
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
        out.push(read_entry(root, partition, account, rel, files)?);
    } else if !files.is_empty() {
        gaps.push(super::gap(
            Some(account),
            None,
            format!(
                "the answer may be incomplete: {} in {rel}/ of the iam-collect store were not read (no metadata.json names the resource they belong to)",
                files.join(", ")
            ),
        ));
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

/// The entry of the resource directory `rel` (holding `files`, `metadata.json` among them):
/// its ARN must be of the directory's partition and account.
fn read_entry(
    root: &Path,
    partition: &str,
    account: &str,
    rel: &str,
    files: Vec<String>,
) -> Result<Entry, Diagnostic> {
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
        return Err(in_file_error(
            "store-account-mismatch",
            &file,
            format!(
                "the ARN {} names account {arn_account}, but the file is under accounts/{account}/",
                meta.arn
            ),
        )
        .at_path("arn"));
    }
    let (service, region, resource) = (
        service.to_string(),
        region.to_string(),
        resource.to_string(),
    );
    Ok(Entry {
        dir: rel.to_string(),
        files: files.into_iter().collect(),
        meta,
        service,
        region,
        resource,
    })
}

/// AWS managed policies found in any account of the store, by ARN: (account, entry index).
pub type AwsPool = BTreeMap<String, (usize, usize)>;

/// The pool of AWS managed policy documents across the scanned accounts (the first account in
/// id order that holds one wins).
pub fn aws_pool(scans: &[Scan]) -> AwsPool {
    let mut pool = AwsPool::new();
    for (si, s) in scans.iter().enumerate() {
        for (ei, e) in s.entries.iter().enumerate() {
            if e.is_iam("policy") && e.meta.arn.contains(":iam::aws:") {
                pool.entry(e.meta.arn.clone()).or_insert((si, ei));
            }
        }
    }
    pool
}

/// The gap a file nobody reads leaves for its resource.
fn unread(account: &str, e: &Entry, file: &str, why: &str) -> Gap {
    e.gap(
        account,
        format!(
            "the answer may be incomplete: {why} of {} ({} in the iam-collect store) {}",
            e.meta.arn,
            e.file(file),
            if why.ends_with('s') {
                "are not modelled"
            } else {
                "is not modelled"
            }
        ),
    )
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
        gaps.push(e.gap(
            account,
            format!(
                "the answer may be incomplete: {} of the iam-collect store was not read (iamwhy does not know this file)",
                e.file(f)
            ),
        ));
    }
}

/// Parse a file that may be absent or hold `null`: `None` either way.
fn read_nullable<T: serde::de::DeserializeOwned>(
    root: &Path,
    file: &str,
) -> Result<Option<T>, Diagnostic> {
    Ok(read_json::<Option<T>>(root, file)?.flatten())
}

fn read_tags(root: &Path, e: &Entry) -> Result<BTreeMap<String, String>, Diagnostic> {
    let file = e.file("tags.json");
    match read_nullable::<Tags>(root, &file)? {
        Some(t) => t.into_map(&file),
        None => Ok(BTreeMap::new()),
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
    let list: Vec<InlineEntry> = read_nullable(root, &file)?.unwrap_or_default();
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
    let list: Vec<AttachedRef> = read_nullable(root, &file)?.unwrap_or_default();
    Ok(list
        .iter()
        .enumerate()
        .map(|(i, a)| (a.arn().to_string(), format!("[{i}]")))
        .collect())
}

/// A value the store may give in a file of its own (`file`) or in `metadata.json`: the
/// file's, else the metadata's, with the file it came from; both, disagreeing, is the error
/// `mismatch` makes of them.
fn file_or_metadata<T: PartialEq>(
    e: &Entry,
    file: &str,
    from_file: Option<T>,
    from_meta: Option<T>,
    mismatch: impl FnOnce(&T, &T) -> Diagnostic,
) -> Result<Option<(T, String)>, Diagnostic> {
    match (from_file, from_meta) {
        (Some(a), Some(b)) if a != b => Err(mismatch(&a, &b)),
        (Some(a), _) => Ok(Some((a, file.to_string()))),
        (None, Some(b)) => Ok(Some((b, e.file("metadata.json")))),
        (None, None) => Ok(None),
    }
}

/// The boundary from `permissions-boundary.json` or the metadata; both, disagreeing, is an
/// error.
fn read_boundary(root: &Path, e: &Entry) -> Result<Option<(String, String)>, Diagnostic> {
    let file = e.file("permissions-boundary.json");
    let from_file = read_nullable::<BoundaryRef>(root, &file)?.map(|b| b.arn().to_string());
    let from_meta = e
        .meta
        .permissions_boundary
        .as_ref()
        .map(|b| b.arn().to_string());
    file_or_metadata(e, &file, from_file, from_meta, |a, b| {
        in_file_error(
            "store-boundary-mismatch",
            &file,
            format!("the boundary {a} disagrees with metadata.json's {b}"),
        )
    })
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
/// The files iamwhy reads for a managed policy, a VPC endpoint and any other resource.
const POLICY_FILES: &[&str] = &[
    "metadata.json",
    "current-policy.json",
    "policy.json",
    "tags.json",
];
const ENDPOINT_FILES: &[&str] = &[
    "metadata.json",
    "endpoint-policy.json",
    "policy.json",
    "tags.json",
];
const RESOURCE_FILES: &[&str] = &["metadata.json", "policy.json", "tags.json"];

/// The managed policies an account's entities may use: its own, and AWS managed ones kept
/// anywhere in the store.
struct Known<'a> {
    own: &'a BTreeSet<String>,
    pool: &'a AwsPool,
}

impl Known<'_> {
    /// A referenced managed policy must be in the store, or (AWS managed) in the embedded
    /// copy; `what` says who refers to it and how, `file` and `json_path` where.
    fn check(&self, arn: &str, file: &str, json_path: &str, what: &str) -> Result<(), Diagnostic> {
        if self.own.contains(arn) || self.pool.contains_key(arn) {
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
        known.check(arn, &file, at, &format!("{who} attaches"))?;
    }
    let boundary = read_boundary(root, e)?;
    if let Some((arn, file)) = &boundary {
        known.check(arn, file, "", &format!("{who} has as boundary"))?;
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
    let from_file = read_nullable::<Vec<String>>(root, &groups_file)?;
    let (groups, file) =
        file_or_metadata(e, &groups_file, from_file, e.meta.groups.clone(), |_, _| {
            in_file_error(
                "store-groups-mismatch",
                &groups_file,
                "the groups disagree with metadata.json's",
            )
        })?
        .unwrap_or_else(|| (Vec::new(), groups_file.clone()));
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

fn tag_list(tags: BTreeMap<String, String>) -> Vec<synth::Tag> {
    tags.into_iter()
        .map(|(key, value)| synth::Tag { key, value })
        .collect()
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
    let own_policies: BTreeSet<String> = scan
        .entries
        .iter()
        .filter(|e| e.is_iam("policy"))
        .map(|e| e.meta.arn.clone())
        .collect();
    let mut account = Account::new(root, scan, &own_policies, pool);
    // Managed policies of this account (customer and AWS managed) first.
    for e in scan.entries.iter().filter(|e| e.is_iam("policy")) {
        account.own_policy(e, made)?;
    }
    for e in &scan.entries {
        account.entry(e, made)?;
    }
    account.pooled_policies(scans, made)?;
    account.finish(made)
}

/// What every IAM user, group and role has, read and checked.
struct Entity {
    path: String,
    name: String,
    inline: Vec<synth::Inline>,
    /// The managed policies it attaches.
    attached: Vec<String>,
    /// Its permissions boundary.
    boundary: Option<String>,
}

/// One account being presented: what its entries may refer to, and the world files made of
/// them so far.
struct Account<'a> {
    root: &'a Path,
    scan: &'a Scan,
    known: Known<'a>,
    /// The names of the account's groups.
    group_names: BTreeSet<String>,
    gaad_file: String,
    rp_file: String,
    ep_file: String,
    gaad: synth::Gaad,
    resources: Vec<synth::Resource>,
    endpoints: synth::VpcEndpoints,
    /// Kept apart from `made` until the whole account is presented.
    gaps: Vec<Gap>,
    /// The managed policies (attached or as boundary) the account's entities use.
    used: BTreeSet<String>,
}

impl<'a> Account<'a> {
    fn new(
        root: &'a Path,
        scan: &'a Scan,
        own_policies: &'a BTreeSet<String>,
        pool: &'a AwsPool,
    ) -> Account<'a> {
        let id = &scan.id;
        Account {
            root,
            scan,
            known: Known {
                own: own_policies,
                pool,
            },
            group_names: scan
                .entries
                .iter()
                .filter(|e| e.is_iam("group"))
                .map(|e| e.path_and_name().1)
                .collect(),
            gaad_file: format!("accounts/{id}/authorization-details.json"),
            rp_file: format!("accounts/{id}/resource-policies.json"),
            ep_file: format!("accounts/{id}/vpc-endpoints.json"),
            gaad: synth::Gaad::default(),
            resources: Vec::new(),
            endpoints: synth::VpcEndpoints::default(),
            gaps: Vec::new(),
            used: BTreeSet::new(),
        }
    }

    fn id(&self) -> &'a str {
        &self.scan.id
    }

    /// Add the managed policy `e` (of this account or, AWS managed, of another) to the
    /// authorization details: its document is required.
    fn add_policy(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let Some(file) = e.first_of(&["current-policy.json", "policy.json"]) else {
            return Err(in_file_error(
                "store-missing-document",
                e.file("metadata.json"),
                format!(
                    "managed policy {} has no current-policy.json (nor policy.json) beside its metadata",
                    e.meta.arn
                ),
            ));
        };
        let Some(document) = read_document(self.root, &file)? else {
            return Err(in_file_error(
                "store-missing-document",
                &file,
                format!("managed policy {} has an empty document", e.meta.arn),
            ));
        };
        let i = self.gaad.policies.len();
        made.source(
            &self.gaad_file,
            &format!("Policies[{i}].PolicyVersionList[0].Document"),
            StoreLocation::file(&file),
        );
        let version = e
            .meta
            .default_version_id
            .clone()
            .unwrap_or_else(|| "v1".into());
        self.gaad.policies.push(synth::ManagedPolicy {
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
    }

    /// One of the account's own managed policies: its document, and its tags as a resource.
    fn own_policy(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        self.add_policy(e, made)?;
        other_files(self.id(), e, POLICY_FILES, &mut self.gaps);
        let tags = read_tags(self.root, e)?;
        if !tags.is_empty() {
            self.resources.push(synth::Resource {
                arn: e.meta.arn.clone(),
                policy: None,
                tags,
            });
        }
        Ok(())
    }

    /// Present one entry according to what its ARN names.
    fn entry(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        match (e.service.as_str(), e.kind()) {
            // Presented first, by `own_policy`.
            ("iam", "policy") => Ok(()),
            ("iam", "user") => self.user(e, made),
            ("iam", "group") => self.group(e, made),
            ("iam", "role") => self.role(e, made),
            // Instance profiles, OIDC and SAML providers, server certificates ...: no policy
            // of their own that a decision reads.
            ("iam", _) => Ok(()),
            ("ec2", "vpc-endpoint") => self.endpoint(e, made),
            _ => self.resource(e, made),
        }
    }

    /// What a user, group or role (`kind`) has in common: path and name, inline policies (at
    /// `list` of the authorization details), attached managed policies and boundary.
    fn entity(
        &self,
        e: &Entry,
        kind: &str,
        list: &str,
        made: &mut Made,
    ) -> Result<Entity, Diagnostic> {
        let (path, name) = e.path_and_name();
        let inline = read_inline(self.root, e, &self.gaad_file, list, made)?;
        let (attached, boundary) =
            entity_policies(self.root, e, &format!("{kind} {name}"), &self.known)?;
        Ok(Entity {
            path,
            name,
            inline,
            attached,
            boundary,
        })
    }

    fn user(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let i = self.gaad.user_detail_list.len();
        let list = format!("UserDetailList[{i}].UserPolicyList");
        let u = self.entity(e, "user", &list, made)?;
        let groups = read_groups(self.root, e, &u.name, &self.group_names)?;
        self.used
            .extend(u.attached.iter().chain(&u.boundary).cloned());
        other_files(self.id(), e, USER_FILES, &mut self.gaps);
        self.gaad.user_detail_list.push(synth::User {
            path: u.path,
            user_name: u.name,
            user_id: e.meta.id.clone(),
            arn: e.meta.arn.clone(),
            user_policy_list: u.inline,
            group_list: groups,
            attached_managed_policies: attached_list(u.attached),
            permissions_boundary: boundary_of(u.boundary),
            tags: tag_list(read_tags(self.root, e)?),
        });
        Ok(())
    }

    /// A group; its boundary, if the store gives one, is checked but not used (groups have
    /// none in IAM).
    fn group(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let i = self.gaad.group_detail_list.len();
        let list = format!("GroupDetailList[{i}].GroupPolicyList");
        let g = self.entity(e, "group", &list, made)?;
        self.used.extend(g.attached.iter().cloned());
        other_files(self.id(), e, GROUP_FILES, &mut self.gaps);
        self.gaad.group_detail_list.push(synth::Group {
            path: g.path,
            group_name: g.name,
            group_id: e.meta.id.clone(),
            arn: e.meta.arn.clone(),
            group_policy_list: g.inline,
            attached_managed_policies: attached_list(g.attached),
        });
        Ok(())
    }

    fn role(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let i = self.gaad.role_detail_list.len();
        let list = format!("RoleDetailList[{i}].RolePolicyList");
        let r = self.entity(e, "role", &list, made)?;
        let trust_file = e.file("trust-policy.json");
        let trust = read_document(self.root, &trust_file)?;
        if trust.is_some() {
            made.source(
                &self.gaad_file,
                &format!("RoleDetailList[{i}].AssumeRolePolicyDocument"),
                StoreLocation::file(&trust_file),
            );
        }
        self.used
            .extend(r.attached.iter().chain(&r.boundary).cloned());
        other_files(self.id(), e, ROLE_FILES, &mut self.gaps);
        self.gaad.role_detail_list.push(synth::Role {
            path: r.path,
            role_name: r.name,
            role_id: e.meta.id.clone(),
            arn: e.meta.arn.clone(),
            assume_role_policy_document: trust,
            role_policy_list: r.inline,
            attached_managed_policies: attached_list(r.attached),
            permissions_boundary: boundary_of(r.boundary),
            tags: tag_list(read_tags(self.root, e)?),
        });
        Ok(())
    }

    /// A VPC endpoint, with its policy as text (as the EC2 API gives it).
    fn endpoint(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let file = e.first_of(&["endpoint-policy.json", "policy.json"]);
        let policy = match &file {
            Some(f) => match read_document(self.root, f)? {
                Some(raw) => Some(
                    document_text(&raw)
                        .map_err(|m| in_file_error("store-invalid-entry", f, m))?
                        .into_owned(),
                ),
                None => None,
            },
            None => None,
        };
        let i = self.endpoints.vpc_endpoints.len();
        if let (Some(f), Some(_)) = (&file, &policy) {
            made.source(
                &self.ep_file,
                &format!("VpcEndpoints[{i}].PolicyDocument"),
                StoreLocation::file(f),
            );
        }
        let vpce = e
            .resource
            .split_once('/')
            .map_or(e.resource.as_str(), |(_, v)| v)
            .to_string();
        other_files(self.id(), e, ENDPOINT_FILES, &mut self.gaps);
        self.endpoints.vpc_endpoints.push(synth::VpcEndpoint {
            vpc_endpoint_id: vpce,
            vpc_id: e.meta.vpc_id.clone(),
            service_name: e.meta.service_name.clone(),
            policy_document: policy,
            owner_id: self.id().to_string(),
        });
        Ok(())
    }

    /// Any other resource: listed with its policy and tags when it has either, and every
    /// bucket, policy or not (the entry is how the world knows which account owns it: S3
    /// ARNs carry none).
    fn resource(&mut self, e: &Entry, made: &mut Made) -> Result<(), Diagnostic> {
        let policy_file = e.file("policy.json");
        let policy = read_document(self.root, &policy_file)?;
        let tags = read_tags(self.root, e)?;
        other_files(self.id(), e, RESOURCE_FILES, &mut self.gaps);
        let bucket = e.service == "s3" && e.region.is_empty() && !e.resource.contains('/');
        if policy.is_none() && tags.is_empty() && !bucket {
            return Ok(());
        }
        let i = self.resources.len();
        if policy.is_some() {
            made.source(
                &self.rp_file,
                &format!("[{i}]"),
                StoreLocation::file(&policy_file),
            );
        }
        self.resources.push(synth::Resource {
            arn: e.meta.arn.clone(),
            policy,
            tags,
        });
        Ok(())
    }

    /// The AWS managed policies this account uses but whose documents the store keeps under
    /// another account.
    fn pooled_policies(&mut self, scans: &[Scan], made: &mut Made) -> Result<(), Diagnostic> {
        for arn in std::mem::take(&mut self.used) {
            if self.known.own.contains(&arn) {
                continue;
            }
            if let Some(&(osi, oei)) = self.known.pool.get(&arn) {
                self.add_policy(&scans[osi].entries[oei], made)?;
            }
        }
        Ok(())
    }

    /// Check that no two resources share an ARN, then write the account's world files and
    /// keep its gaps.
    fn finish(self, made: &mut Made) -> Result<(), Diagnostic> {
        let mut seen = BTreeSet::new();
        for r in &self.resources {
            if !seen.insert(r.arn.clone()) {
                return Err(in_file_error(
                    "store-duplicate-resource",
                    &self.scan.dir,
                    format!(
                        "two resource directories of the iam-collect store have the ARN {}",
                        r.arn
                    ),
                ));
            }
        }
        let origin = format!("{}/ of the iam-collect store", self.scan.dir);
        made.write(self.gaad_file, &self.gaad, origin.clone())?;
        if !self.resources.is_empty() {
            made.write(self.rp_file, &self.resources, origin.clone())?;
        }
        if !self.endpoints.vpc_endpoints.is_empty() {
            made.write(self.ep_file, &self.endpoints, origin)?;
        }
        made.gaps.extend(self.gaps);
        Ok(())
    }
}
