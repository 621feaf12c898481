//! Loading a world from its files. Nothing is skipped silently: a malformed file, a policy
//! that does not parse, a group or managed policy that does not exist, an organization that
//! refers to unknown accounts or policies — each is one located error.

use crate::error::{from_json, in_file_error};
use crate::inventory::*;
use crate::model::*;
use crate::stream::{Bail, Batch, LineCounter, List, Location};
use iamwhy_diagnostic::{Diagnostic, FileSpan};
use iamwhy_engine::CompiledPolicy;
use iamwhy_policy::PolicyType;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where a world's files come from: a directory, or files embedded in the binary.
pub trait WorldFiles {
    /// A name for messages.
    fn origin(&self) -> String;
    /// The text of a file (relative path with `/`), `Ok(None)` when it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>, Diagnostic>;
    /// The names of the entries of `accounts/`.
    fn account_dirs(&self) -> Result<Vec<String>, Diagnostic>;
    /// The file as a stream of its bytes, for reading it a piece at a time, when it is a
    /// plain file that can be so read (not compressed); `None` otherwise, and then
    /// [`read`](WorldFiles::read) is used. The default is `None`.
    fn stream(&self, path: &str) -> Option<Box<dyn Read + '_>> {
        let _ = path;
        None
    }
}

/// A world directory on disk.
pub struct DirFiles(pub PathBuf);

impl WorldFiles for DirFiles {
    fn origin(&self) -> String {
        self.0.display().to_string()
    }

    fn read(&self, path: &str) -> Result<Option<String>, Diagnostic> {
        read_capped(&self.0.join(path), path, max_file_size())
    }

    fn stream(&self, path: &str) -> Option<Box<dyn Read + '_>> {
        let mut file = std::fs::File::open(self.0.join(path)).ok()?;
        if !file.metadata().ok()?.is_file() || is_gzip(&mut file)? {
            return None;
        }
        Some(Box::new(file))
    }

    fn account_dirs(&self) -> Result<Vec<String>, Diagnostic> {
        let dir = self.0.join("accounts");
        if !self.0.is_dir() {
            return Err(Diagnostic::error(
                "world-not-a-directory",
                format!(
                    "{} is not a directory (a world is a directory with accounts/<id>/authorization-details.json)",
                    self.0.display()
                ),
            ));
        }
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(_) => {
                return Err(Diagnostic::error(
                    "no-accounts-dir",
                    format!(
                        "{} has no accounts/ directory (a world needs accounts/<12-digit id>/authorization-details.json)",
                        self.0.display()
                    ),
                ));
            }
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(|e| {
                in_file_error("unreadable-file", "accounts", format!("cannot list: {e}"))
            })?;
            let name = e.file_name().to_string_lossy().into_owned();
            // `metadata` follows symlinks: a link to an account directory is one; a dangling
            // link or a loop is an error, as is a file.
            match std::fs::metadata(e.path()) {
                Ok(m) if m.is_dir() => out.push(name),
                Ok(_) => {
                    return Err(in_file_error(
                        "account-entry-not-a-directory",
                        format!("accounts/{name}"),
                        "every entry of accounts/ must be an account directory (accounts/<12-digit id>/); this one is a file: move it out",
                    ));
                }
                Err(err) => {
                    return Err(in_file_error(
                        "account-entry-not-a-directory",
                        format!("accounts/{name}"),
                        format!(
                            "every entry of accounts/ must be an account directory; this one cannot be opened as one ({err}: a dangling symlink or a symlink loop?)"
                        ),
                    ));
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

/// Whether `file` starts like gzip (its first two bytes); the file is left at its start.
/// `None` when it cannot be read.
pub(crate) fn is_gzip(file: &mut std::fs::File) -> Option<bool> {
    use std::io::{Seek, SeekFrom};
    let mut magic = [0u8; 2];
    let n = file.read(&mut magic).ok()?;
    file.seek(SeekFrom::Start(0)).ok()?;
    Some(n == 2 && magic == [0x1f, 0x8b])
}

/// The default cap on one world file: 256 MiB, counted after decompression (as explain's
/// `--max-input-size`). The 30,000-role synthetic world's biggest file is 123 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 256 << 20;

/// The command-line flag that raises the cap, named in the error.
pub const MAX_FILE_SIZE_FLAG: &str = "--max-world-file-size";

static MAX_FILE_SIZE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Set the cap on one world file (bytes, after decompression) for the rest of the process:
/// the CLI's `--max-world-file-size`.
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, Ordering::Relaxed);
}

/// The cap on one world file.
pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(Ordering::Relaxed)
}

/// `1.5 GiB`, `256 MiB`, `900 bytes`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let (mut value, mut unit) = (bytes as f64, "");
    for u in UNITS {
        value /= 1024.0;
        unit = u;
        if value < 1024.0 {
            break;
        }
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

fn too_large(code: &'static str, rel: &str, what: &str, max: u64) -> Diagnostic {
    in_file_error(
        code,
        rel,
        format!(
            "the file {what} more than {} (the {MAX_FILE_SIZE_FLAG} limit); iamwhy stopped reading it",
            human_size(max)
        ),
    )
    .with_help(format!(
        "if the file is really that large, raise the limit, e.g. {MAX_FILE_SIZE_FLAG} {}",
        human_size(max.saturating_mul(4))
            .replace(' ', "")
            .replace("iB", "")
    ))
}

/// Read the world file `full` (named `rel` in errors) as text, `Ok(None)` when it does not
/// exist. At most `max` bytes are read, and a gzip-compressed file (known by its first two
/// bytes) is decompressed to at most `max` bytes: `/dev/zero` or a gzip bomb ends with an
/// error naming the limit and the flag that raises it, after reading at most the cap.
pub fn read_capped(full: &Path, rel: &str, max: u64) -> Result<Option<String>, Diagnostic> {
    let unreadable =
        |e: std::io::Error| in_file_error("unreadable-file", rel, format!("cannot read: {e}"));
    let file = match std::fs::File::open(full) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e)),
    };
    let hint = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len().min(max) as usize);
    let mut bytes = Vec::with_capacity(hint + 1);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > max {
        return Err(too_large("input-too-large", rel, "holds", max));
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut inflated = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(max.saturating_add(1))
            .read_to_end(&mut inflated)
            .map_err(|e| {
                in_file_error(
                    "invalid-gzip",
                    rel,
                    format!("the file starts like gzip but does not decompress: {e}"),
                )
            })?;
        if inflated.len() as u64 > max {
            return Err(too_large(
                "decompressed-too-large",
                rel,
                "decompresses to",
                max,
            ));
        }
        bytes = inflated;
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| in_file_error("not-utf8", rel, "the file is not UTF-8 text"))
}

/// Load a world directory, or an iam-collect store (detected by its `aws/<partition>/` layout).
pub fn load_dir(dir: &Path) -> Result<World, Diagnostic> {
    if crate::iam_collect::is_store(dir) {
        return crate::iam_collect::load_store(dir);
    }
    if crate::iam_collect::is_partition_dir(dir) {
        return Err(Diagnostic::error(
            "iam-collect-partition-dir",
            format!(
                "{} looks like one partition of an iam-collect store",
                dir.display()
            ),
        )
        .with_help("give the store's root, the directory that holds aws/"));
    }
    load(&DirFiles(dir.to_path_buf()))
}

/// Load two worlds side by side, one thread each (loading is single-threaded, so two worlds
/// take the time of one on a machine with two cores): what `diff --before A --after B` needs.
pub fn load_dirs_side_by_side(
    a: &Path,
    b: &Path,
) -> (Result<World, Diagnostic>, Result<World, Diagnostic>) {
    std::thread::scope(|s| {
        let second = s.spawn(|| load_dir(b));
        let first = load_dir(a);
        let second = second.join().unwrap_or_else(|_| {
            Err(Diagnostic::error(
                "internal-error",
                format!("loading {} stopped on an internal error", b.display()),
            ))
        });
        (first, second)
    })
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse and compile one policy document; errors name the file, the JSON path and the
/// position inside the document. `span` is where the document is in its file, when known.
fn compile(
    file: &str,
    json_path: &str,
    name: String,
    ty: PolicyType,
    raw: &serde_json::value::RawValue,
    span: Option<FileSpan>,
) -> Result<Policy, Diagnostic> {
    let text = document_text(raw)
        .map_err(|m| in_file_error("invalid-document-encoding", file, m).at_path(json_path))?;
    compile_text(file, json_path, name, ty, &text, span)
}

fn compile_text(
    file: &str,
    json_path: &str,
    name: String,
    ty: PolicyType,
    text: &str,
    span: Option<FileSpan>,
) -> Result<Policy, Diagnostic> {
    // The world holds the compiled form only: the statements are compiled straight from the
    // parse, and the statement tree is read again if an explanation asks for it.
    let mut compiled = CompiledPolicy::parse(name.clone(), ty, text).map_err(|e| {
        let d = &e.diagnostics[0];
        in_file_error(
            "invalid-policy-document",
            file,
            format!(
                "policy \"{name}\" does not parse (line {}, column {} of the document): {}",
                d.position().map_or(0, |p| p.line),
                d.position().map_or(0, |p| p.column),
                d.message
            ),
        )
        .at_path(json_path)
    })?;
    compiled.source = Some(format!("{file} {json_path}"));
    compiled.file_span = span;
    Ok(Arc::new(compiled))
}

/// Tags as a map; a key given twice is an error (`path` is the entity's JSON path).
fn tags(file: &File<'_>, path: &str, list: &[Tag]) -> Result<BTreeMap<String, String>, Diagnostic> {
    let mut out = BTreeMap::new();
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, t) in list.iter().enumerate() {
        if let Some(j) = first.insert(&t.key, i) {
            return Err(file.duplicate(
                "tag",
                &t.key,
                &format!("{path}.Tags[{j}]"),
                &format!("{path}.Tags[{i}]"),
            ));
        }
        out.insert(t.key.clone(), t.value.clone());
    }
    Ok(out)
}

/// Attached ARNs (or group names) in order, a repeat of the same one dropped: an entity has a
/// policy attached or not, so a repeat says nothing new (docs/worlds.md, "Contradictions").
fn once<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items.filter(|x| seen.insert(x.as_str())).cloned().collect()
}

/// One file being loaded: its name and text, for errors that point into it.
pub(crate) struct File<'t> {
    name: &'t str,
    text: &'t str,
}

impl File<'_> {
    /// `PATH (line L, column C)` when the path is found in the text.
    fn place(&self, path: &str) -> String {
        match crate::position::value_position(self.text, path) {
            Some(p) => format!("{path} (line {}, column {})", p.line, p.column),
            None => path.to_string(),
        }
    }

    /// The error for `what` `key` given at `first` and again at `second`.
    fn duplicate(&self, what: &str, key: &str, first: &str, second: &str) -> Diagnostic {
        let mut d = in_file_error(
            "duplicate-entry",
            self.name,
            format!(
                "{what} {key} is given twice, at {} and at {second}: a world never picks one of two entries",
                self.place(first)
            ),
        )
        .at_path(second)
        .with_help("keep one of them (were two snapshots merged into one file?)");
        if let Some(p) = crate::position::value_position(self.text, second) {
            d = d.at_position(p);
        }
        d
    }

    /// An error at `path`, with its line and column when found.
    fn error_at(&self, code: &'static str, path: &str, message: String) -> Diagnostic {
        let mut d = in_file_error(code, self.name, message).at_path(path);
        if let Some(p) = crate::position::value_position(self.text, path) {
            d = d.at_position(p);
        }
        d
    }
}

/// What one account's files have given so far, by kind and key, with the JSON path of the
/// first: a second one is an error.
#[derive(Default)]
struct Seen {
    first: HashMap<(&'static str, String), String>,
}

impl Seen {
    fn once(
        &mut self,
        file: &File<'_>,
        what: &'static str,
        key: &str,
        path: &str,
    ) -> Result<(), Diagnostic> {
        match self.first.entry((what, key.to_string())) {
            std::collections::hash_map::Entry::Occupied(e) => {
                Err(file.duplicate(what, key, e.get(), path))
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(path.to_string());
                Ok(())
            }
        }
    }
}

/// The account field of an ARN (`arn:PARTITION:SERVICE:REGION:ACCOUNT:...`).
fn arn_account(arn: &str) -> Option<&str> {
    let mut f = arn.splitn(6, ':');
    match (f.next(), f.next(), f.next(), f.next(), f.next(), f.next()) {
        (Some("arn"), Some(_), Some(_), Some(_), Some(account), Some(_)) => Some(account),
        _ => None,
    }
}

/// An entity of the account's authorization details must be of that account: a snapshot of
/// another account filed under this directory would otherwise answer for the wrong account.
fn check_owner(
    file: &File<'_>,
    account: &str,
    what: &str,
    arn: &str,
    path: &str,
    aws_allowed: bool,
) -> Result<(), Diagnostic> {
    match arn_account(arn) {
        Some(a) if a == account || (aws_allowed && a == "aws") => Ok(()),
        // Not an account id at all (sample data writes `aws` for users): not another account,
        // and a request never names it; left as written.
        Some(a) if !is_account_id(a) => Ok(()),
        Some(a) => Err(file.error_at(
            "account-mismatch",
            path,
            format!(
                "{what} {arn} belongs to account {a}, but this file is the snapshot of account {account} (its directory's name): a misfiled export?"
            ),
        )
        .with_help(format!("move the file to accounts/{a}/, or collect account {account} again"))),
        None => Err(file.error_at(
            "bad-arn",
            path,
            format!("{what} ARN \"{arn}\" is not an ARN (arn:PARTITION:iam::ACCOUNT:...)"),
        )),
    }
}

/// Load a world from any file source.
pub fn load(files: &dyn WorldFiles) -> Result<World, Diagnostic> {
    let mut world = World::default();
    world.origin = files.origin();
    let dirs = files.account_dirs()?;
    for id in dirs {
        if !is_account_id(&id) {
            return Err(Diagnostic::error(
                "bad-account-dir-name",
                format!(
                    "accounts/{id}: account directories must be named by the 12-digit account id"
                ),
            ));
        }
        let (account, embedded) = load_account(files, &id)?;
        world.accounts.insert(id, account);
        world.embedded_policies.extend(embedded);
    }
    if world.accounts.is_empty() {
        return Err(Diagnostic::error(
            "no-accounts",
            format!(
                "{} has no account (a world needs accounts/<12-digit id>/authorization-details.json)",
                files.origin()
            ),
        ));
    }
    if let Some(text) = files.read("organization.json")? {
        world.organization = Some(load_organization(&text, &world)?);
    }
    if let Some(text) = files.read(crate::manifest::FILE)? {
        let collection = crate::manifest::parse(&text)?;
        world
            .gaps
            .extend(crate::completeness::manifest_gaps(&collection));
        world.collection = Some(collection);
    }
    Ok(world)
}

fn load_account(
    files: &dyn WorldFiles,
    id: &str,
) -> Result<(Account, Vec<crate::embedded::EmbeddedPolicy>), Diagnostic> {
    let file = format!("accounts/{id}/authorization-details.json");
    // Read a piece at a time when the file allows it; the whole-file reader is the one that
    // reports errors, so anything the streaming reader does not take is read again whole.
    let mut account = match details_streamed(files, &file, id) {
        Some(account) => account,
        None => details_whole(files, &file, id)?,
    };
    let embedded = crate::embedded::fill_missing(&mut account)?;
    check_references(&account, &file)?;

    let rp_file = format!("accounts/{id}/resource-policies.json");
    if let Some(text) = files.read(&rp_file)? {
        let entries: Vec<ResourcePolicyEntry> = from_json(&rp_file, &text)?;
        let at = File {
            name: &rp_file,
            text: &text,
        };
        let mut seen = Seen::default();
        let whole = Base {
            text: &text,
            at: Location::START,
        };
        let found = spans(entries.iter().map(|e| e.policy), &whole);
        for ((i, e), span) in entries.into_iter().enumerate().zip(found) {
            let path = format!("[{i}]");
            seen.once(&at, "resource", &e.arn, &path)?;
            let policy = match &e.policy {
                Some(raw) if raw.get().trim() != "null" => Some(compile(
                    &rp_file,
                    &path,
                    e.arn.clone(),
                    PolicyType::Resource,
                    raw,
                    span,
                )?),
                _ => None,
            };
            account.resources.insert(
                e.arn.clone(),
                Resource {
                    arn: e.arn,
                    policy,
                    tags: e.tags,
                },
            );
        }
    }

    let ep_file = format!("accounts/{id}/vpc-endpoints.json");
    if let Some(text) = files.read(&ep_file)? {
        let parsed: VpcEndpointsFile = from_json(&ep_file, &text)?;
        let at = File {
            name: &ep_file,
            text: &text,
        };
        let mut seen = Seen::default();
        for (i, e) in parsed.vpc_endpoints.into_iter().enumerate() {
            seen.once(
                &at,
                "VPC endpoint",
                &e.vpc_endpoint_id,
                &format!("VpcEndpoints[{i}]"),
            )?;
            let path = format!("VpcEndpoints[{i}].PolicyDocument");
            let policy = match &e.policy_document {
                Some(doc) => Some(compile_text(
                    &ep_file,
                    &path,
                    e.vpc_endpoint_id.clone(),
                    PolicyType::Endpoint,
                    doc,
                    None,
                )?),
                None => None,
            };
            account.endpoints.insert(
                e.vpc_endpoint_id.clone(),
                Endpoint {
                    id: e.vpc_endpoint_id,
                    vpc_id: e.vpc_id,
                    service_name: e.service_name,
                    owner: e.owner_id.unwrap_or_else(|| id.to_string()),
                    policy,
                },
            );
        }
    }
    Ok((account, embedded))
}

/// An account's authorization details read whole: the reader of record, which reports every
/// error with its JSON path, line and column.
pub(crate) fn details_whole(
    files: &dyn WorldFiles,
    file: &str,
    id: &str,
) -> Result<Account, Diagnostic> {
    let text = files.read(file)?.ok_or_else(|| {
        Diagnostic::error(
            "missing-authorization-details",
            format!("{file} is missing: every account needs its authorization details"),
        )
    })?;
    // One object, or an array of pages (as `--no-paginate` loops write them).
    let paged = text.trim_start().starts_with('[');
    let pages: Vec<AuthorizationDetails> = if paged {
        from_json(file, &text)?
    } else {
        vec![from_json(file, &text)?]
    };
    let mut account = Account {
        id: id.to_string(),
        ..Account::default()
    };
    let at = File {
        name: file,
        text: &text,
    };
    let mut seen = Seen::default();
    let whole = Base {
        text: &text,
        at: Location::START,
    };
    for (pi, page) in pages.iter().enumerate() {
        let prefix = if paged {
            format!("[{pi}].")
        } else {
            String::new()
        };
        load_page(&mut account, &at, &prefix, 0, page, &whole, &mut seen)?;
    }
    Ok(account)
}

/// An account's authorization details read a batch of entities at a time
/// ([`crate::stream`]), so that neither the file's text nor its deserialized pages are held
/// whole; `None` when the file cannot be streamed, or anything in it is not as expected (then
/// [`details_whole`] reads it and reports what is wrong).
pub(crate) fn details_streamed(files: &dyn WorldFiles, file: &str, id: &str) -> Option<Account> {
    let reader = files.stream(file)?;
    let mut account = Account {
        id: id.to_string(),
        ..Account::default()
    };
    // Errors are not reported from here (the whole-file reader reports them, located), so
    // the file's text is not needed to locate them.
    let at = File {
        name: file,
        text: "",
    };
    let mut seen = Seen::default();
    crate::stream::split(reader, max_file_size(), &mut |batch: Batch<'_>| {
        let prefix = batch.page.map_or(String::new(), |p| format!("[{p}]."));
        let mut page = AuthorizationDetails::default();
        match batch.list {
            List::Users => page.user_detail_list = entities(&batch)?,
            List::Groups => page.group_detail_list = entities(&batch)?,
            List::Roles => page.role_detail_list = entities(&batch)?,
            List::Policies => page.policies = entities(&batch)?,
        }
        let base = Base {
            text: batch.text,
            at: batch.at,
        };
        load_page(
            &mut account,
            &at,
            &prefix,
            batch.first,
            &page,
            &base,
            &mut seen,
        )
        .map_err(|_| Bail)
    })
    .ok()?;
    Some(account)
}

/// The entities of a batch, deserialized on every core.
fn entities<'t, T: serde::Deserialize<'t> + Send>(batch: &Batch<'t>) -> Result<Vec<T>, Bail> {
    let text = batch.text;
    crate::parallel::par_map(batch.entities, |&(start, end)| {
        serde_json::from_str(&text[start..end]).map_err(|_| Bail)
    })
    .into_iter()
    .collect()
}

/// The text a page's documents were deserialized from, and where it starts in the file: for
/// each document's [`FileSpan`].
struct Base<'t> {
    text: &'t str,
    at: Location,
}

/// Where each job's document is in the file (jobs whose document is not inside `base.text`
/// get none). Linear in the text: the documents are visited in file order.
fn spans<'r>(
    documents: impl ExactSizeIterator<Item = Option<&'r serde_json::value::RawValue>>,
    base: &Base<'_>,
) -> Vec<Option<FileSpan>> {
    let start = base.text.as_ptr() as usize;
    let count = documents.len();
    let mut order: Vec<(usize, usize, usize)> = documents
        .enumerate()
        .filter_map(|(i, raw)| {
            let v = raw?.get().trim();
            let at = (v.as_ptr() as usize).checked_sub(start)?;
            (at + v.len() <= base.text.len()).then_some((at, v.len(), i))
        })
        .collect();
    order.sort_unstable();
    let mut out = vec![None; count];
    let mut counter = LineCounter(base.at.position);
    let mut counted = 0;
    for (at, len, i) in order {
        counter.advance(&base.text.as_bytes()[counted..at]);
        counted = at;
        out[i] = Some(FileSpan {
            offset: base.at.offset + at as u64,
            len: len as u64,
            start: counter.0,
        });
    }
    out
}

/// The default version of a managed policy: the one marked `IsDefaultVersion` (two marked is
/// an error), else the one `DefaultVersionId` names; both given and disagreeing is an error.
fn default_version<'p>(
    file: &File<'_>,
    path: &str,
    p: &'p ManagedPolicyDetail<'_>,
) -> Result<(usize, &'p PolicyVersion<'p>), Diagnostic> {
    let marked: Vec<usize> = p
        .policy_version_list
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_default_version)
        .map(|(i, _)| i)
        .collect();
    if let [first, second, ..] = marked[..] {
        return Err(file.error_at(
            "two-default-versions",
            &format!("{path}.PolicyVersionList[{second}]"),
            format!(
                "managed policy {} has two versions marked IsDefaultVersion, at {} and at {path}.PolicyVersionList[{second}]: a policy has one default version, and a world never picks one",
                p.arn,
                file.place(&format!("{path}.PolicyVersionList[{first}]"))
            ),
        ));
    }
    let named = p.default_version_id.as_ref().map(|want| {
        p.policy_version_list
            .iter()
            .enumerate()
            .find(|(_, v)| v.version_id.as_ref() == Some(want))
    });
    match (marked.first(), named) {
        (Some(&m), Some(Some((n, _)))) if m != n => Err(file.error_at(
            "default-version-mismatch",
            &format!("{path}.PolicyVersionList[{m}]"),
            format!(
                "managed policy {}: DefaultVersionId is {} (PolicyVersionList[{n}]), but PolicyVersionList[{m}] is marked IsDefaultVersion; a world never picks one",
                p.arn,
                p.default_version_id.as_deref().unwrap_or_default()
            ),
        )),
        (Some(&m), _) => Ok((m, &p.policy_version_list[m])),
        (None, Some(Some(found))) => Ok(found),
        (None, _) => Err(in_file_error(
            "no-default-version",
            file.name,
            format!(
                "managed policy {} has no default version in PolicyVersionList",
                p.arn
            ),
        )
        .at_path(path)),
    }
}

/// One policy document of a page, to compile.
struct Job<'p> {
    json_path: String,
    name: String,
    ty: PolicyType,
    raw: &'p serde_json::value::RawValue,
    /// Where the document is in the file (set after listing).
    span: Option<FileSpan>,
}

/// Every policy document of `page`, in the order [`load_page`] takes them. A managed policy
/// without a usable default version has none (`load_page` stops at it before taking one).
fn page_jobs<'p>(
    at: &File<'_>,
    prefix: &str,
    first: usize,
    page: &'p AuthorizationDetails,
) -> Vec<Job<'p>> {
    let mut jobs = Vec::new();
    for (i, p) in page.policies.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}Policies[{i}]");
        if let Ok((vi, version)) = default_version(at, &path, p) {
            jobs.push(Job {
                json_path: format!("{path}.PolicyVersionList[{vi}].Document"),
                name: p
                    .policy_name
                    .clone()
                    .unwrap_or_else(|| p.arn.rsplit('/').next().unwrap_or(&p.arn).to_string()),
                ty: PolicyType::Identity,
                raw: version.document,
                span: None,
            });
        }
    }
    fn inline<'p>(
        jobs: &mut Vec<Job<'p>>,
        path: &str,
        list: &str,
        owner: &str,
        policies: &'p [InlinePolicy],
    ) {
        for (i, p) in policies.iter().enumerate() {
            let name = p
                .policy_name
                .clone()
                .unwrap_or_else(|| format!("inline policy {}", i + 1));
            jobs.push(Job {
                json_path: format!("{path}.{list}[{i}].PolicyDocument"),
                name: format!("{owner}/{name}"),
                ty: PolicyType::Identity,
                raw: p.policy_document,
                span: None,
            });
        }
    }
    for (i, g) in page.group_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}GroupDetailList[{i}]");
        inline(
            &mut jobs,
            &path,
            "GroupPolicyList",
            &g.group_name,
            &g.group_policy_list,
        );
    }
    for (i, u) in page.user_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}UserDetailList[{i}]");
        inline(
            &mut jobs,
            &path,
            "UserPolicyList",
            &u.user_name,
            &u.user_policy_list,
        );
    }
    for (i, r) in page.role_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}RoleDetailList[{i}]");
        inline(
            &mut jobs,
            &path,
            "RolePolicyList",
            &r.role_name,
            &r.role_policy_list,
        );
        if let Some(raw) = r.assume_role_policy_document {
            jobs.push(Job {
                json_path: format!("{path}.AssumeRolePolicyDocument"),
                name: format!("trust policy of role {}", r.role_name),
                ty: PolicyType::Trust,
                raw,
                span: None,
            });
        }
    }
    jobs
}

/// The compiled documents of a page, taken in [`page_jobs`] order.
type Compiled = std::vec::IntoIter<Result<Policy, Diagnostic>>;

/// The next compiled document (there is one for each document `load_page` reaches).
fn take(compiled: &mut Compiled) -> Result<Policy, Diagnostic> {
    compiled
        .next()
        .expect("page_jobs lists every document load_page takes")
}

/// Load the entities of `page` into `account`; its lists' first entities are at index `first`
/// of their lists in the file (a streamed batch starts mid-list), and `base` is the text its
/// documents were read from.
fn load_page(
    account: &mut Account,
    at: &File<'_>,
    prefix: &str,
    first: usize,
    page: &AuthorizationDetails,
    base: &Base<'_>,
    seen: &mut Seen,
) -> Result<(), Diagnostic> {
    let file = at.name;
    let id = account.id.clone();
    // Compiling is most of loading: the documents compile on every core, then the entities
    // are built, and every check made, in file order (so the first error is the same
    // whatever the number of threads).
    let mut jobs = page_jobs(at, prefix, first, page);
    let found = spans(jobs.iter().map(|j| Some(j.raw)), base);
    for (job, span) in jobs.iter_mut().zip(found) {
        job.span = span;
    }
    let mut compiled: Compiled = crate::parallel::par_map(&jobs, |j| {
        compile(file, &j.json_path, j.name.clone(), j.ty, j.raw, j.span)
    })
    .into_iter();
    for (i, p) in page.policies.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}Policies[{i}]");
        check_owner(at, &id, "managed policy", &p.arn, &path, true)?;
        seen.once(at, "managed policy", &p.arn, &path)?;
        default_version(at, &path, p)?;
        let policy = take(&mut compiled)?;
        account.managed.insert(p.arn.clone(), policy);
    }
    for (i, g) in page.group_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}GroupDetailList[{i}]");
        check_owner(at, &id, "group", &g.arn, &path, false)?;
        seen.once(at, "group", &g.group_name, &path)?;
        seen.once(at, "group ARN", &g.arn, &path)?;
        let inline = inline_policies(
            at,
            &path,
            "GroupPolicyList",
            &g.group_name,
            &g.group_policy_list,
            &mut compiled,
        )?;
        account.groups.insert(
            g.group_name.clone(),
            Group {
                arn: g.arn.clone(),
                name: g.group_name.clone(),
                inline,
                attached: once(g.attached_managed_policies.iter().map(|a| &a.policy_arn)),
            },
        );
    }
    for (i, u) in page.user_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}UserDetailList[{i}]");
        check_owner(at, &id, "user", &u.arn, &path, false)?;
        seen.once(at, "user", &u.user_name, &path)?;
        seen.once(at, "user ARN", &u.arn, &path)?;
        let inline = inline_policies(
            at,
            &path,
            "UserPolicyList",
            &u.user_name,
            &u.user_policy_list,
            &mut compiled,
        )?;
        account
            .user_names
            .insert(u.user_name.clone(), u.arn.clone());
        account.users.insert(
            u.arn.clone(),
            User {
                arn: u.arn.clone(),
                name: u.user_name.clone(),
                id: u.user_id.clone(),
                inline,
                attached: once(u.attached_managed_policies.iter().map(|a| &a.policy_arn)),
                groups: once(u.group_list.iter()),
                boundary: u
                    .permissions_boundary
                    .as_ref()
                    .map(|b| b.permissions_boundary_arn.clone()),
                tags: tags(at, &path, &u.tags)?,
            },
        );
    }
    for (i, r) in page.role_detail_list.iter().enumerate() {
        let i = i + first;
        let path = format!("{prefix}RoleDetailList[{i}]");
        check_owner(at, &id, "role", &r.arn, &path, false)?;
        seen.once(at, "role", &r.role_name, &path)?;
        seen.once(at, "role ARN", &r.arn, &path)?;
        let inline = inline_policies(
            at,
            &path,
            "RolePolicyList",
            &r.role_name,
            &r.role_policy_list,
            &mut compiled,
        )?;
        let trust = match &r.assume_role_policy_document {
            Some(_) => Some(take(&mut compiled)?),
            None => None,
        };
        account
            .role_names
            .insert(r.role_name.clone(), r.arn.clone());
        account.roles.insert(
            r.arn.clone(),
            Role {
                arn: r.arn.clone(),
                name: r.role_name.clone(),
                path: r.path.clone().unwrap_or_else(|| "/".into()),
                id: r.role_id.clone(),
                trust,
                inline,
                attached: once(r.attached_managed_policies.iter().map(|a| &a.policy_arn)),
                boundary: r
                    .permissions_boundary
                    .as_ref()
                    .map(|b| b.permissions_boundary_arn.clone()),
                tags: tags(at, &path, &r.tags)?,
            },
        );
    }
    Ok(())
}

fn inline_policies(
    at: &File<'_>,
    path: &str,
    list: &str,
    owner: &str,
    policies: &[InlinePolicy],
    compiled: &mut Compiled,
) -> Result<Vec<Policy>, Diagnostic> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if let Some(name) = &p.policy_name
                && let Some(j) = seen.insert(name, i)
            {
                return Err(at.duplicate(
                    "inline policy",
                    &format!("{owner}/{name}"),
                    &format!("{path}.{list}[{j}]"),
                    &format!("{path}.{list}[{i}]"),
                ));
            }
            take(compiled)
        })
        .collect()
}

/// Every group a user names, and every managed policy an entity attaches, must exist.
fn check_references(account: &Account, file: &str) -> Result<(), Diagnostic> {
    let missing_policy = |who: &str, arn: &str, what: &str| {
        let also = if crate::embedded::is_aws_managed(arn) {
            format!(
                " nor in iamwhy's embedded copy of the AWS managed policies ({}; a newer policy, or a wrong path in the ARN?)",
                iamwhy_managed_policies::provenance()
            )
        } else {
            String::new()
        };
        in_file_error(
            "unknown-managed-policy",
            file,
            format!(
                "{who} {what} managed policy {arn}, which is not in the file's Policies list{also} (collect with --filter ... LocalManagedPolicy AWSManagedPolicy)"
            ),
        )
    };
    for u in account.users.values() {
        for g in &u.groups {
            if !account.groups.contains_key(g) {
                return Err(in_file_error(
                    "unknown-group",
                    file,
                    format!(
                        "user {} is in group \"{g}\", which is not in GroupDetailList",
                        u.name
                    ),
                ));
            }
        }
        for a in u.attached.iter().chain(&u.boundary) {
            if !account.managed.contains_key(a) {
                return Err(missing_policy(&format!("user {}", u.name), a, "uses"));
            }
        }
    }
    for g in account.groups.values() {
        for a in &g.attached {
            if !account.managed.contains_key(a) {
                return Err(missing_policy(&format!("group {}", g.name), a, "attaches"));
            }
        }
    }
    for r in account.roles.values() {
        for a in r.attached.iter().chain(&r.boundary) {
            if !account.managed.contains_key(a) {
                return Err(missing_policy(&format!("role {}", r.name), a, "uses"));
            }
        }
    }
    Ok(())
}

const RCP_FULL_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;

fn load_organization(text: &str, world: &World) -> Result<Organization, Diagnostic> {
    const FILE: &str = "organization.json";
    let f: OrganizationFile = from_json(FILE, text)?;
    if !is_account_id(&f.management_account_id) {
        return Err(in_file_error(
            "bad-management-account",
            FILE,
            format!(
                "managementAccountId \"{}\" is not a 12-digit account id",
                f.management_account_id
            ),
        ));
    }
    let mut policies = BTreeMap::new();
    let (mut scps, mut rcps) = (false, false);
    for (id, p) in &f.policies {
        let is_rcp = match p.kind.as_str() {
            "SERVICE_CONTROL_POLICY" => false,
            "RESOURCE_CONTROL_POLICY" => true,
            other => {
                return Err(in_file_error("unknown-org-policy-type", FILE, format!(
                    "policy {id} has type \"{other}\"; expected SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY"
                ))
                .at_path(format!("policies.{id}.type")));
            }
        };
        if is_rcp {
            rcps = true
        } else {
            scps = true
        }
        let name = p.name.clone().unwrap_or_else(|| id.clone());
        let ty = if is_rcp {
            PolicyType::Rcp
        } else {
            PolicyType::Scp
        };
        let policy = compile(
            FILE,
            &format!("policies.{id}.content"),
            name.clone(),
            ty,
            p.content,
            None,
        )?;
        policies.insert(
            id.clone(),
            OrgPolicy {
                id: id.clone(),
                name,
                is_rcp,
                policy,
            },
        );
    }
    let mut nodes = Vec::new();
    let mut accounts: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    fn walk(
        node: &OrgNodeFile,
        parent: Option<usize>,
        nodes: &mut Vec<OrgNode>,
        placed: &mut HashMap<String, usize>,
        ids: &mut HashMap<String, String>,
        path: String,
    ) -> Result<(), Diagnostic> {
        if let Some(first) = ids.insert(node.id.clone(), path.clone()) {
            return Err(in_file_error(
                "duplicate-entry",
                "organization.json",
                format!(
                    "root or OU {} is given twice, at {first} and at {path}: a world never picks one of two entries",
                    node.id
                ),
            )
            .at_path(path));
        }
        let index = nodes.len();
        nodes.push(OrgNode {
            id: node.id.clone(),
            name: node.name.clone(),
            policies: once(node.policies.iter()),
            parent,
        });
        for a in &node.accounts {
            if placed.insert(a.clone(), index).is_some() {
                return Err(in_file_error(
                    "account-placed-twice",
                    "organization.json",
                    format!("account {a} is placed in the tree more than once"),
                )
                .at_path(path.clone()));
            }
        }
        for (i, c) in node.children.iter().enumerate() {
            walk(
                c,
                Some(index),
                nodes,
                placed,
                ids,
                format!("{path}.children[{i}]"),
            )?;
        }
        Ok(())
    }
    let mut placed = HashMap::new();
    let mut ids = HashMap::new();
    for (i, r) in f.roots.iter().enumerate() {
        walk(
            r,
            None,
            &mut nodes,
            &mut placed,
            &mut ids,
            format!("roots[{i}]"),
        )?;
    }
    for (a, parent) in &placed {
        if !is_account_id(a) {
            return Err(in_file_error(
                "bad-account-id",
                FILE,
                format!("\"{a}\" in the tree is not a 12-digit account id"),
            ));
        }
        let own = f.accounts.get(a).map(|x| once(x.policies.iter())).ok_or_else(|| {
            in_file_error("account-not-listed", FILE, format!(
                "account {a} is placed in the tree but missing from \"accounts\" (which lists each account's name and attached policies)"
            ))
        })?;
        accounts.insert(a.clone(), (*parent, own));
    }
    for a in f.accounts.keys() {
        if !placed.contains_key(a) {
            return Err(in_file_error(
                "account-not-placed",
                FILE,
                format!(
                    "account {a} is listed in \"accounts\" but not placed under any root or OU"
                ),
            )
            .at_path(format!("accounts.{a}")));
        }
    }
    if !placed.contains_key(&f.management_account_id) {
        return Err(in_file_error(
            "management-account-not-placed",
            FILE,
            format!(
                "the management account {} is not placed in the tree",
                f.management_account_id
            ),
        ));
    }
    let all_refs = nodes
        .iter()
        .flat_map(|n| n.policies.iter().map(move |p| (n.id.clone(), p)))
        .chain(
            accounts
                .iter()
                .flat_map(|(a, (_, ps))| ps.iter().map(move |p| (a.clone(), p))),
        );
    for (target, p) in all_refs {
        if !policies.contains_key(p) {
            return Err(in_file_error(
                "unknown-org-policy",
                FILE,
                format!(
                    "{target} attaches policy \"{p}\", which is not defined under \"policies\""
                ),
            ));
        }
    }
    for id in world.accounts.keys() {
        if !accounts.contains_key(id) {
            return Err(in_file_error(
                "account-outside-organization",
                FILE,
                format!(
                    "account {id} has a snapshot under accounts/ but is not in the organization tree"
                ),
            ));
        }
    }
    let rcp_full_access = compile_text(
        FILE,
        "(implicit)",
        "RCPFullAWSAccess".into(),
        PolicyType::Rcp,
        RCP_FULL_ACCESS,
        None,
    )?;
    Ok(Organization {
        id: f.id,
        management_account: f.management_account_id,
        nodes,
        accounts,
        policies,
        rcp_full_access,
        scps_enabled: scps,
        rcps_enabled: rcps,
    })
}

/// Everything an account holds, in a stable order: for comparing two readings of one file.
pub(crate) fn summary(a: &Account) -> String {
    let sorted = |m: &HashMap<String, String>| {
        let mut v: Vec<_> = m.iter().collect();
        v.sort();
        format!("{v:?}")
    };
    let mut managed: Vec<_> = a.managed.iter().collect();
    managed.sort_by(|x, y| x.0.cmp(y.0));
    format!(
        "{:?}\n{:?}\n{:?}\n{}\n{}\n{:?}",
        a.users,
        a.groups,
        a.roles,
        sorted(&a.role_names),
        sorted(&a.user_names),
        managed
    )
}

#[cfg(test)]
mod cap_tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn a_gzip_bomb_is_refused_after_inflating_at_most_the_cap() {
        // 1,024 gzip members of 1 MiB of zeros each: about 1 MB that inflates to 1 GiB.
        let member = gzip(&vec![0u8; 1 << 20]);
        let bomb: Vec<u8> = member.repeat(1024);
        assert!(bomb.len() < 2 << 20, "{}", bomb.len());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authorization-details.json");
        std::fs::write(&path, &bomb).unwrap();
        let e = read_capped(&path, "accounts/1/authorization-details.json", 8 << 20).unwrap_err();
        assert_eq!(e.code, "decompressed-too-large");
        assert_eq!(
            e.file.as_deref(),
            Some("accounts/1/authorization-details.json")
        );
        assert!(e.message.contains("more than 8 MiB"), "{e}");
        assert!(e.message.contains(MAX_FILE_SIZE_FLAG), "{e}");
        assert!(
            e.help
                .as_deref()
                .unwrap()
                .contains("--max-world-file-size 32M"),
            "{e:?}"
        );
    }

    #[test]
    fn a_gzip_compressed_world_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, gzip(b"{\"Policies\": []}")).unwrap();
        let text = read_capped(&path, "f.json", 1 << 20).unwrap().unwrap();
        assert_eq!(text, "{\"Policies\": []}");
    }

    #[test]
    fn a_file_over_the_cap_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.json");
        std::fs::write(&path, vec![b' '; 5000]).unwrap();
        let e = read_capped(&path, "f.json", 4096).unwrap_err();
        assert_eq!(e.code, "input-too-large");
        assert!(e.message.contains("more than 4 KiB"), "{e}");
        assert!(read_capped(&path, "f.json", 5000).unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_as_a_world_file_is_refused_not_read_forever() {
        let e = read_capped(
            Path::new("/dev/zero"),
            "accounts/1/authorization-details.json",
            1 << 20,
        )
        .unwrap_err();
        assert_eq!(e.code, "input-too-large");
    }

    #[test]
    fn a_missing_file_is_none() {
        assert!(
            read_capped(Path::new("/nonexistent/x.json"), "x.json", 10)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn deeply_nested_json_in_a_world_file_is_an_error_not_a_stack_overflow() {
        let n = 200_000;
        let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
        // An unknown field is skipped without recursion (serde_json's `ignore_value` loops).
        let text = format!(
            r#"{{"RoleDetailList":[{{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","Unknown":{deep}}}]}}"#
        );
        assert!(from_json::<AuthorizationDetails>("f.json", &text).is_ok());
        // A typed field: an error (here of type; deeper typed values stop at serde_json's
        // recursion limit of 128).
        let text = format!(
            r#"{{"RoleDetailList":[{{"RoleName":"r","Arn":"arn:aws:iam::111111111111:role/r","Tags":[{deep}]}}]}}"#
        );
        assert!(from_json::<AuthorizationDetails>("f.json", &text).is_err());
        // A policy document is kept raw, then its parser stops at 512 levels.
        let text = format!(
            r#"{{"Policies":[{{"Arn":"arn:aws:iam::111111111111:policy/p","PolicyVersionList":[{{"IsDefaultVersion":true,"Document":{{"Statement":{deep}}}}}]}}]}}"#
        );
        let dir = tempfile::tempdir().unwrap();
        let acct = dir.path().join("accounts/111111111111");
        std::fs::create_dir_all(&acct).unwrap();
        std::fs::write(acct.join("authorization-details.json"), text).unwrap();
        let e = match load_dir(dir.path()) {
            Ok(_) => panic!("the world loaded"),
            Err(e) => e,
        };
        assert_eq!(e.code, "invalid-policy-document");
        assert!(
            e.message.contains("nesting depth"),
            "{}",
            &e.message[..200.min(e.message.len())]
        );
    }
}

#[cfg(test)]
mod stream_tests {
    //! The streaming reader of authorization details must build exactly the account the
    //! whole-file reader builds (including where each document is), and hand every file it
    //! does not take to the whole-file reader.
    use super::*;
    use serde_json::json;

    /// A world directory holding `details` as one account's authorization details.
    fn world(details: &str) -> (tempfile::TempDir, DirFiles) {
        let dir = tempfile::tempdir().unwrap();
        let acct = dir.path().join("accounts/123456789012");
        std::fs::create_dir_all(&acct).unwrap();
        std::fs::write(acct.join("authorization-details.json"), details).unwrap();
        let files = DirFiles(dir.path().to_path_buf());
        (dir, files)
    }

    fn both(details: &str) -> (Option<Account>, Result<Account, Diagnostic>) {
        let (_dir, files) = world(details);
        let file = "accounts/123456789012/authorization-details.json";
        (
            details_streamed(&files, file, "123456789012"),
            details_whole(&files, file, "123456789012"),
        )
    }

    /// A page with `roles` roles (inline policies as escaped strings, trust policies as
    /// objects, non-ASCII tags), a few users, groups and managed policies.
    fn page(roles: usize, from: usize) -> serde_json::Value {
        let doc = |i: usize| {
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": format!("S{i}"), "Effect": "Allow", "Action": ["s3:GetObject", "sqs:*"],
                 "Resource": format!("arn:aws:s3:::bucket-{i}/*"),
                 "Condition": {"StringEquals": {"aws:PrincipalTag/team": "é-ü"}}},
                {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}]})
        };
        let role = |i: usize| {
            json!({"RoleName": format!("role-{i}"), "RoleId": format!("AROA{i}"), "Path": "/",
                "Arn": format!("arn:aws:iam::123456789012:role/role-{i}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc(i).to_string()}],
                "AttachedManagedPolicies": [{"PolicyArn": "arn:aws:iam::123456789012:policy/p-0"}],
                "Tags": [{"Key": "team", "Value": format!("é-{i}")}]})
        };
        json!({
            "IsTruncated": false,
            "Marker": null,
            "UserDetailList": (from..from + 3).map(|i| json!({
                "UserName": format!("user-{i}"), "Arn": format!("arn:aws:iam::123456789012:user/user-{i}"),
                "UserPolicyList": [{"PolicyName": "u", "PolicyDocument": doc(i)}],
                "GroupList": ["g-0"]})).collect::<Vec<_>>(),
            "GroupDetailList": if from == 0 { vec![json!({"GroupName": "g-0",
                "Arn": "arn:aws:iam::123456789012:group/g-0",
                "GroupPolicyList": [{"PolicyName": "g", "PolicyDocument": doc(7)}]})] } else { vec![] },
            "RoleDetailList": (from..from + roles).map(role).collect::<Vec<_>>(),
            "Policies": if from == 0 { vec![json!({"PolicyName": "p-0",
                "Arn": "arn:aws:iam::123456789012:policy/p-0", "DefaultVersionId": "v2",
                "PolicyVersionList": [
                    {"VersionId": "v1", "IsDefaultVersion": false, "Document": doc(1).to_string()},
                    {"VersionId": "v2", "IsDefaultVersion": true, "Document": doc(2)}]})] } else { vec![] },
        })
    }

    #[test]
    fn a_streamed_account_is_the_account_read_whole() {
        // Past one batch of entities, pretty and minified, one page and an array of pages.
        let one = page(crate::stream::BATCH_ENTITIES + 5, 0);
        let pages = json!([page(10, 0), page(1500, 10)]);
        for text in [
            serde_json::to_string_pretty(&one).unwrap(),
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string_pretty(&pages).unwrap(),
            "[]".to_string(),
            "{}".to_string(),
        ] {
            let (streamed, whole) = both(&text);
            let streamed = streamed.expect("the splitter takes this file");
            let whole = whole.unwrap();
            assert_eq!(summary(&streamed), summary(&whole));
        }
    }

    #[test]
    fn a_mutated_file_is_streamed_only_when_it_reads_the_same_whole() {
        // Byte mutations of a small file (JSON-significant bytes, inserted, replaced or
        // removed): whenever the splitter takes the result, the whole-file reader must take it
        // too and build the same account.
        let good = serde_json::to_string_pretty(&json!([page(2, 0), page(1, 3)])).unwrap();
        let (_dir, files) = world("");
        let file = "accounts/123456789012/authorization-details.json";
        let path = files.0.join(file);
        let alphabet = b"    \n\n\t\r{}[]\",:\\0tu\x1f\xc3";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut streamed_count, mut whole_ok, mut rounds) = (0, 0, 0);
        while rounds < 600 {
            let mut bytes = good.clone().into_bytes();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                let b = alphabet[next(alphabet.len())];
                match next(3) {
                    0 => bytes[at] = b,
                    1 => bytes.insert(at, b),
                    _ => {
                        bytes.remove(at);
                    }
                }
            }
            std::fs::write(&path, &bytes).unwrap();
            rounds += 1;
            let whole = details_whole(&files, file, "123456789012");
            whole_ok += usize::from(whole.is_ok());
            if let Some(streamed) = details_streamed(&files, file, "123456789012") {
                streamed_count += 1;
                let whole = whole.unwrap_or_else(|e| {
                    panic!(
                        "streamed, but the whole-file reader says {e}: {}",
                        String::from_utf8_lossy(&bytes)
                    )
                });
                assert_eq!(summary(&streamed), summary(&whole));
            }
        }
        // Most files the whole-file reader takes, the splitter takes too (it hands over only
        // what it does not expect, such as whitespace JSON does not allow).
        assert!(
            streamed_count * 10 >= whole_ok * 9 && streamed_count > 100,
            "{streamed_count} of {rounds} were streamed, {whole_ok} read whole"
        );
    }

    #[test]
    fn every_document_span_is_the_document_text_in_the_file() {
        let text = serde_json::to_string_pretty(&json!([page(3, 0), page(2, 3)])).unwrap();
        let (streamed, _) = both(&text);
        let account = streamed.unwrap();
        let policies: Vec<&Policy> = account
            .managed
            .values()
            .chain(
                account
                    .roles
                    .values()
                    .flat_map(|r| r.inline.iter().chain(r.trust.iter())),
            )
            .chain(account.users.values().flat_map(|u| u.inline.iter()))
            .chain(account.groups.values().flat_map(|g| g.inline.iter()))
            .collect();
        assert_eq!(policies.len(), 1 + 5 * 2 + 6 + 1);
        let index = iamwhy_diagnostic::LineIndex::new(&text);
        for p in policies {
            let span = p.file_span.expect("every document has its span");
            let at = span.offset as usize;
            let value = &text[at..at + span.len as usize];
            let raw: Box<serde_json::value::RawValue> =
                serde_json::from_str(value).expect("the span is one JSON value");
            assert_eq!(
                document_text(&raw).unwrap(),
                &*p.document.source,
                "{:?}",
                p.source
            );
            assert_eq!(index.position(&text, at), span.start, "{:?}", p.source);
        }
    }

    #[test]
    fn a_file_the_splitter_does_not_take_is_read_whole_with_the_same_error() {
        let good = serde_json::to_string_pretty(&page(3, 0)).unwrap();
        let dup_role = good.replacen("\"role-1\"", "\"role-0\"", 1);
        let mut errors = 0;
        for text in [
            "\u{feff}{}".to_string(),
            good.replacen("\"UserDetailList\"", "\"UserDetail\\u004cist\"", 1),
            dup_role,
            good.replacen("123456789012:role/role-2", "999999999999:role/role-2", 1),
            good.replacen("\"Effect\": \"Allow\"", "\"Effect\": \"Perhaps\"", 1),
            good[..good.len() - 3].to_string(),
        ] {
            let (streamed, whole) = both(&text);
            assert!(streamed.is_none(), "{text:.80}");
            // The world loader falls back to the whole-file reader: the same error.
            let (_dir, files) = world(&text);
            let loaded = load(&files).map(|_| ()).map_err(|e| e.to_string());
            let whole = whole.map(|_| ()).map_err(|e| e.to_string());
            assert_eq!(loaded, whole, "{text:.80}");
            errors += usize::from(whole.is_err());
        }
        assert_eq!(errors, 5, "all but the escaped key are errors");
    }
}
