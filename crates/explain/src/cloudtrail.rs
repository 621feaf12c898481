//! CloudTrail records (spec §9) into [`Observed`] requests.
//!
//! Reading accepts every shape the records usually come in: a single event object, a
//! CloudTrail log file (`{"Records": [...]}`, plain or gzip-compressed), the output of
//! `aws cloudtrail lookup-events` (`{"Events": [{"CloudTrailEvent": "<JSON text>"}]}`), a
//! plain array of events, several JSON documents one after the other (JSON Lines), and
//! directories of `.json` / `.json.gz` files. Errors are one sentence plus the file and, for
//! JSON syntax errors, the line and column; nothing here panics on bad input.
//!
//! [`observe`] then derives the simulation request of §9.3 from one record: the principal,
//! the role (with its path, from the session issuer), the action (the one AWS names in
//! `errorMessage`, else the event name with the §9.2 exceptions), the resource and its
//! account, and every request-context key the record supports. Each derivation, and each
//! key that cannot be derived, is recorded in [`Observed::notes`].
//!
//! ```
//! use iamwhy_explain::cloudtrail::{is_denied, observe, read_events};
//! let log = br#"{"Records": [{
//!     "eventSource": "s3.amazonaws.com", "eventName": "HeadObject",
//!     "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
//!         "arn": "arn:aws:iam::111122223333:user/bob", "accountId": "111122223333",
//!         "accessKeyId": "AKIAEXAMPLE", "userName": "bob"},
//!     "errorCode": "AccessDenied", "errorMessage": "Access Denied",
//!     "requestParameters": {"bucketName": "reports", "key": "q1.csv"},
//!     "recipientAccountId": "111122223333"}]}"#;
//! let records = read_events(log, Some("log.json")).unwrap();
//! assert!(is_denied(&records[0]));
//! let o = observe(&records[0], Some("log.json"));
//! assert_eq!(o.principal.as_deref(), Some("arn:aws:iam::111122223333:user/bob"));
//! assert_eq!(o.actions, ["s3:GetObject"]);
//! assert_eq!(o.resource.as_deref(), Some("arn:aws:s3:::reports/q1.csv"));
//! ```

use std::fmt;
use std::fs;
use std::io::Read;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use iamwhy_policy::values::Instant;
use serde_json::{Map, Value};

use crate::observed::{DenyKind, Observed, Origin, ParsedMessage, PolicyKind};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a CloudTrail (or decoded-message) input could not be read: one sentence, the file it
/// came from, and for JSON syntax errors the position serde_json reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// What is wrong, as one sentence without the file name.
    pub message: String,
    /// The file, when the input came from one.
    pub file: Option<String>,
    /// 1-based line of a JSON syntax error.
    pub line: Option<usize>,
    /// 1-based column of a JSON syntax error.
    pub column: Option<usize>,
}

impl ReadError {
    /// An error without a position.
    pub fn new(message: impl Into<String>, file: Option<&str>) -> ReadError {
        ReadError {
            message: message.into(),
            file: file.map(str::to_string),
            line: None,
            column: None,
        }
    }

    /// A JSON syntax error, with serde_json's line and column.
    pub fn json(err: &serde_json::Error, file: Option<&str>) -> ReadError {
        let mut e = ReadError::new(json_problem(err, "the input"), file);
        if err.line() > 0 {
            e.line = Some(err.line());
            e.column = Some(err.column());
        }
        e
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(l), Some(c)) => write!(f, "{file}:{l}:{c}: {}", self.message),
            (Some(file), _, _) => write!(f, "{file}: {}", self.message),
            (None, Some(l), Some(c)) => write!(f, "line {l}, column {c}: {}", self.message),
            (None, _, _) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ReadError {}

/// serde_json's message without its " at line L column C" tail, framed as a sentence.
fn json_problem(err: &serde_json::Error, what: &str) -> String {
    let text = err.to_string();
    let tail = format!(" at line {} column {}", err.line(), err.column());
    let detail = text.strip_suffix(&tail).unwrap_or(&text);
    match err.classify() {
        serde_json::error::Category::Eof => {
            format!("{what} ends before its JSON is complete (truncated?): {detail}")
        }
        _ => format!("{what} is not valid JSON: {detail}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// The raw CloudTrail records in `bytes`: one event, a log file (`{"Records": [...]}`), gzip
/// or not, `lookup-events` output, an array of events, or several JSON documents in a row.
/// `file` only labels errors.
pub fn read_events(bytes: &[u8], file: Option<&str>) -> Result<Vec<Value>, ReadError> {
    let inflated;
    let mut data = bytes;
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        if let Err(e) = MultiGzDecoder::new(data).read_to_end(&mut out) {
            return Err(ReadError::new(
                format!("the data starts like gzip but cannot be decompressed ({e})"),
                file,
            ));
        }
        inflated = out;
        data = &inflated;
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(ReadError::new(
            "the input is empty: expected a CloudTrail event or log file",
            file,
        ));
    }
    let mut out = Vec::new();
    for value in serde_json::Deserializer::from_slice(data).into_iter::<Value>() {
        let value = value.map_err(|e| ReadError::json(&e, file))?;
        collect(value, file, &mut out)?;
    }
    Ok(out)
}

/// Records from a file or, recursively, from every `.json` / `.json.gz` file under a
/// directory (sorted by path), each with the name of the file it came from.
pub fn read_path(path: &Path) -> Result<Vec<(Option<String>, Value)>, ReadError> {
    let name = path.display().to_string();
    let meta = fs::metadata(path)
        .map_err(|e| ReadError::new(format!("cannot be read ({e})"), Some(&name)))?;
    let files = if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files)?;
        files.sort();
        if files.is_empty() {
            return Err(ReadError::new(
                "the directory holds no .json or .json.gz files",
                Some(&name),
            ));
        }
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Vec::new();
    for f in files {
        let label = f.display().to_string();
        let bytes = fs::read(&f)
            .map_err(|e| ReadError::new(format!("cannot be read ({e})"), Some(&label)))?;
        for record in read_events(&bytes, Some(&label))? {
            out.push((Some(label.clone()), record));
        }
    }
    Ok(out)
}

/// [`read_path`] over several files or directories, in the order given.
pub fn read_paths<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<(Option<String>, Value)>, ReadError> {
    let mut out = Vec::new();
    for p in paths {
        out.extend(read_path(p.as_ref())?);
    }
    Ok(out)
}

fn is_log_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".json.gz")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReadError> {
    let label = dir.display().to_string();
    let entries = fs::read_dir(dir)
        .map_err(|e| ReadError::new(format!("cannot be listed ({e})"), Some(&label)))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| ReadError::new(format!("cannot be listed ({e})"), Some(&label)))?;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, out)?;
        } else if is_log_name(&entry.file_name().to_string_lossy()) {
            // Symbolic links are followed to files; linked directories are skipped (no loops).
            if kind.is_symlink() && !fs::metadata(&path).map(|m| m.is_file()).unwrap_or(false) {
                continue;
            }
            out.push(path);
        }
    }
    Ok(())
}

/// The JSON kind of a value, as error messages name it.
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

fn looks_like_event(map: &Map<String, Value>) -> bool {
    [
        "eventName",
        "eventSource",
        "eventVersion",
        "eventID",
        "userIdentity",
    ]
    .iter()
    .any(|k| map.contains_key(*k))
}

fn collect(value: Value, file: Option<&str>, out: &mut Vec<Value>) -> Result<(), ReadError> {
    match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(map) => collect_object(map, file, out, &format!("item {i}"))?,
                    other => {
                        return Err(ReadError::new(
                            format!(
                                "item {i} of the list is a {}, not a CloudTrail event",
                                kind_of(&other)
                            ),
                            file,
                        ));
                    }
                }
            }
            Ok(())
        }
        Value::Object(map) => collect_object(map, file, out, "the document"),
        other => Err(ReadError::new(
            format!(
                "the JSON is a {}, not a CloudTrail event, log file or lookup-events output",
                kind_of(&other)
            ),
            file,
        )),
    }
}

fn collect_object(
    mut map: Map<String, Value>,
    file: Option<&str>,
    out: &mut Vec<Value>,
    what: &str,
) -> Result<(), ReadError> {
    if let Some(records) = map.remove("Records") {
        let Value::Array(records) = records else {
            return Err(ReadError::new(
                format!(
                    "\"Records\" in {what} is a {}, not a list",
                    kind_of(&records)
                ),
                file,
            ));
        };
        for (i, record) in records.into_iter().enumerate() {
            if !record.is_object() {
                return Err(ReadError::new(
                    format!(
                        "Records[{i}] is a {}, not an event object",
                        kind_of(&record)
                    ),
                    file,
                ));
            }
            out.push(record);
        }
        return Ok(());
    }
    if let Some(events) = map.remove("Events") {
        let Value::Array(events) = events else {
            return Err(ReadError::new(
                format!("\"Events\" in {what} is a {}, not a list", kind_of(&events)),
                file,
            ));
        };
        for (i, entry) in events.into_iter().enumerate() {
            let Value::Object(entry) = entry else {
                return Err(ReadError::new(
                    format!("Events[{i}] is a {}, not an object", kind_of(&entry)),
                    file,
                ));
            };
            lookup_entry(entry, file, out, &format!("Events[{i}]"))?;
        }
        return Ok(());
    }
    if map.contains_key("CloudTrailEvent") {
        return lookup_entry(map, file, out, what);
    }
    if looks_like_event(&map) {
        out.push(Value::Object(map));
        return Ok(());
    }
    Err(ReadError::new(
        format!(
            "{what} is not a CloudTrail event, a log file ({{\"Records\": [...]}}) or lookup-events output ({{\"Events\": [...]}})"
        ),
        file,
    ))
}

/// One entry of `lookup-events` output: the event is the JSON text in `CloudTrailEvent`.
fn lookup_entry(
    mut entry: Map<String, Value>,
    file: Option<&str>,
    out: &mut Vec<Value>,
    what: &str,
) -> Result<(), ReadError> {
    match entry.remove("CloudTrailEvent") {
        Some(Value::String(text)) => match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(event)) => {
                out.push(Value::Object(event));
                Ok(())
            }
            Ok(other) => Err(ReadError::new(
                format!(
                    "{what}.CloudTrailEvent holds a {}, not an event object",
                    kind_of(&other)
                ),
                file,
            )),
            Err(e) => Err(ReadError::new(
                format!(
                    "{} (line {}, column {} of that string)",
                    json_problem(&e, &format!("{what}.CloudTrailEvent")),
                    e.line(),
                    e.column()
                ),
                file,
            )),
        },
        Some(Value::Object(event)) => {
            out.push(Value::Object(event));
            Ok(())
        }
        Some(other) => Err(ReadError::new(
            format!(
                "{what}.CloudTrailEvent is a {}, not the event's JSON text",
                kind_of(&other)
            ),
            file,
        )),
        None if looks_like_event(&entry) => {
            out.push(Value::Object(entry));
            Ok(())
        }
        None => Err(ReadError::new(
            format!("{what} has no CloudTrailEvent field"),
            file,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------------------------

/// Error codes that mean "not authorized" (compared case-insensitively, after dropping EC2's
/// `Client.` prefix).
const DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "VpceAccessDenied",
    "AuthorizationError",
    "AuthorizationErrorException",
    "AuthorizationFailure",
    "Forbidden",
    "ForbiddenException",
    "403",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "AccessDeniedFault",
];

/// Whether the record is an authorization failure: a known error code
/// (`AccessDenied`, `AccessDeniedException`, `Client.UnauthorizedOperation`,
/// `VpceAccessDenied`, `AuthorizationError`, `Forbidden`, `403` ...) or an error message in
/// the `is not authorized to perform` format.
pub fn is_denied(event: &Value) -> bool {
    if let Some(code) = text(event, "errorCode") {
        let code = code
            .strip_prefix("Client.")
            .or_else(|| code.strip_prefix("Server."))
            .unwrap_or(code);
        let lower = code.to_ascii_lowercase();
        if DENIED_CODES.iter().any(|c| c.eq_ignore_ascii_case(code))
            || lower.ends_with("accessdenied")
            || lower.ends_with("accessdeniedexception")
        {
            return true;
        }
    }
    text(event, "errorMessage").is_some_and(|m| {
        m.contains("is not authorized to perform") || m.contains("Not authorized to perform ")
    })
}

// ---------------------------------------------------------------------------------------------
// Small JSON helpers
// ---------------------------------------------------------------------------------------------

/// A non-empty, trimmed string field.
fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A field rendered as text: strings as they are, numbers and booleans printed.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// The account field of an ARN, when it has one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    if !arn.starts_with("arn:") {
        return None;
    }
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()))
}

fn arn_partition(arn: &str) -> Option<&str> {
    arn.strip_prefix("arn:")?
        .split(':')
        .next()
        .filter(|p| !p.is_empty())
}

/// Normalise a token issue time: ISO 8601 extended form as is, the basic form
/// (`20131102T010628Z`) rewritten to the extended one. `None` when it is neither.
fn iso_time(s: &str) -> Option<String> {
    if Instant::parse(s).is_some() && s.contains('T') {
        return Some(s.to_string());
    }
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() >= 15 && digits(0..8) && matches!(b[8], b'T' | b't') && digits(9..15) {
        let zone = &s[15..];
        let zone = match zone {
            "" | "Z" | "z" => "Z".to_string(),
            z if z.len() == 5 && z.is_ascii() && (z.starts_with('+') || z.starts_with('-')) => {
                format!("{}:{}", &z[..3], &z[3..])
            }
            _ => return None,
        };
        let out = format!(
            "{}-{}-{}T{}:{}:{}{}",
            &s[0..4],
            &s[4..6],
            &s[6..8],
            &s[9..11],
            &s[11..13],
            &s[13..15],
            zone
        );
        return Instant::parse(&out).map(|_| out);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Event source and name → IAM actions (§9.2)
// ---------------------------------------------------------------------------------------------

/// Event sources whose host differs from the IAM service prefix.
const SOURCE_PREFIXES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("es", "es"),
    ("tagging", "tag"),
    ("rdsdata", "rds-data"),
    ("amazonmq", "mq"),
    ("streams.dynamodb", "dynamodb"),
    ("runtime.sagemaker", "sagemaker"),
    ("api.sagemaker", "sagemaker"),
    ("models.lex", "lex"),
    ("runtime.lex", "lex"),
    ("api.ecr", "ecr"),
    ("api.pricing", "pricing"),
    ("data.iot", "iot"),
];

/// The IAM service prefix of a CloudTrail `eventSource` (`monitoring.amazonaws.com` →
/// `cloudwatch`).
pub fn service_prefix(event_source: &str) -> String {
    let host = event_source.trim().to_ascii_lowercase();
    let host = host
        .strip_suffix(".amazonaws.com.cn")
        .or_else(|| host.strip_suffix(".amazonaws.com"))
        .unwrap_or(&host);
    if let Some((_, prefix)) = SOURCE_PREFIXES.iter().find(|(h, _)| *h == host) {
        return prefix.to_string();
    }
    // Unknown multi-label hosts (`runtime.foo`): the service is the last label.
    host.rsplit('.').next().unwrap_or(host).to_string()
}

/// S3 operations whose IAM action differs from the operation name.
const S3_ACTIONS: &[(&str, &[&str])] = &[
    ("ListObjects", &["s3:ListBucket"]),
    ("ListObjectsV2", &["s3:ListBucket"]),
    ("HeadBucket", &["s3:ListBucket"]),
    ("HeadObject", &["s3:GetObject"]),
    ("ListObjectVersions", &["s3:ListBucketVersions"]),
    ("CopyObject", &["s3:GetObject", "s3:PutObject"]),
    ("UploadPartCopy", &["s3:GetObject", "s3:PutObject"]),
    ("UploadPart", &["s3:PutObject"]),
    ("CreateMultipartUpload", &["s3:PutObject"]),
    ("CompleteMultipartUpload", &["s3:PutObject"]),
    ("ListParts", &["s3:ListMultipartUploadParts"]),
    ("ListMultipartUploads", &["s3:ListBucketMultipartUploads"]),
    ("DeleteObjects", &["s3:DeleteObject"]),
    ("SelectObjectContent", &["s3:GetObject"]),
    ("ListBuckets", &["s3:ListAllMyBuckets"]),
    ("GetBucketCors", &["s3:GetBucketCORS"]),
    ("PutBucketCors", &["s3:PutBucketCORS"]),
    ("DeleteBucketCors", &["s3:PutBucketCORS"]),
    ("GetBucketEncryption", &["s3:GetEncryptionConfiguration"]),
    ("PutBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    ("DeleteBucketEncryption", &["s3:PutEncryptionConfiguration"]),
    ("GetBucketLifecycle", &["s3:GetLifecycleConfiguration"]),
    (
        "GetBucketLifecycleConfiguration",
        &["s3:GetLifecycleConfiguration"],
    ),
    ("PutBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    (
        "PutBucketLifecycleConfiguration",
        &["s3:PutLifecycleConfiguration"],
    ),
    ("DeleteBucketLifecycle", &["s3:PutLifecycleConfiguration"]),
    ("GetBucketReplication", &["s3:GetReplicationConfiguration"]),
    ("PutBucketReplication", &["s3:PutReplicationConfiguration"]),
    (
        "DeleteBucketReplication",
        &["s3:PutReplicationConfiguration"],
    ),
    ("DeleteBucketTagging", &["s3:PutBucketTagging"]),
    (
        "DeleteBucketPublicAccessBlock",
        &["s3:PutBucketPublicAccessBlock"],
    ),
    (
        "GetBucketNotificationConfiguration",
        &["s3:GetBucketNotification"],
    ),
    (
        "PutBucketNotificationConfiguration",
        &["s3:PutBucketNotification"],
    ),
    (
        "GetBucketAccelerateConfiguration",
        &["s3:GetAccelerateConfiguration"],
    ),
    (
        "PutBucketAccelerateConfiguration",
        &["s3:PutAccelerateConfiguration"],
    ),
    (
        "GetObjectLockConfiguration",
        &["s3:GetBucketObjectLockConfiguration"],
    ),
    (
        "PutObjectLockConfiguration",
        &["s3:PutBucketObjectLockConfiguration"],
    ),
];

/// A trailing API-version suffix: `20150331`, `20150331v2` (Lambda), `2020_05_31`
/// (CloudFront). Returns the name without it.
fn strip_version_suffix(name: &str) -> Option<&str> {
    let b = name.as_bytes();
    // `...YYYY_MM_DD`
    if b.len() > 10 {
        let tail = &b[b.len() - 10..];
        let shape = tail.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'_'
            } else {
                c.is_ascii_digit()
            }
        });
        if shape {
            return Some(&name[..name.len() - 10]);
        }
    }
    // `...YYYYMMDD` optionally followed by `v<digits>`.
    let mut end = b.len();
    if let Some(v) = name.rfind('v')
        && v + 1 < b.len()
        && b[v + 1..].iter().all(u8::is_ascii_digit)
    {
        end = v;
    }
    if end > 8 && b[end - 8..end].iter().all(u8::is_ascii_digit) && !b[end - 9].is_ascii_digit() {
        return Some(&name[..end - 8]);
    }
    None
}

/// The catalog's spelling of an action, when the catalog knows it.
fn canonical(action: &str) -> Option<String> {
    iamwhy_catalog::catalog()
        .action(action)
        .map(|a| a.to_string())
}

/// The IAM actions a CloudTrail event name stands for (§9.2): `<prefix>:<eventName>`, except
/// S3's renamed operations, Lambda's dated names (`GetFunction20150331v2`) and other
/// version-suffixed names, and Lambda's `Invoke`.
pub fn actions_for_event(event_source: &str, event_name: &str) -> Vec<String> {
    map_event(event_source, event_name).0
}

/// The actions and a note saying how they were obtained.
fn map_event(event_source: &str, event_name: &str) -> (Vec<String>, String) {
    let prefix = service_prefix(event_source);
    let name = event_name.trim();
    let mut how = format!("from eventSource {event_source} (prefix {prefix}) and eventName {name}");
    if prefix == "s3"
        && let Some((_, actions)) = S3_ACTIONS.iter().find(|(op, _)| *op == name)
    {
        how.push_str(" (S3 operation whose IAM action has another name, spec §9.2)");
        return (actions.iter().map(|a| a.to_string()).collect(), how);
    }
    let mut op = name.to_string();
    let plain = format!("{prefix}:{name}");
    if let Some(stripped) = strip_version_suffix(name)
        && (prefix == "lambda"
            || (canonical(&plain).is_none()
                && canonical(&format!("{prefix}:{stripped}")).is_some()))
    {
        how.push_str(&format!(" (API version suffix dropped: {stripped})"));
        op = stripped.to_string();
    }
    if prefix == "lambda" && op == "Invoke" {
        how.push_str(" (Invoke is authorized as lambda:InvokeFunction)");
        op = "InvokeFunction".into();
    }
    let action = format!("{prefix}:{op}");
    match canonical(&action) {
        Some(c) => (vec![c], how),
        None => {
            let known = iamwhy_catalog::catalog().service(&prefix).is_some();
            how.push_str(if known {
                "; the service catalog has no such action, so the real action may have another name"
            } else {
                "; the service catalog has no such prefix, so the real action may differ"
            });
            (vec![action], how)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The error message (minimal reading; `message.rs` holds the full parser)
// ---------------------------------------------------------------------------------------------

const ENCODED_MARKER: &str = "Encoded authorization failure message:";

/// The action after `perform: ` (or STS's `Not authorized to perform <action>`).
fn message_action(msg: &str) -> Option<String> {
    let rest = if let Some(i) = msg.find("perform: ") {
        &msg[i + "perform: ".len()..]
    } else if let Some(i) = msg.find("to perform ") {
        &msg[i + "to perform ".len()..]
    } else {
        return None;
    };
    let token = rest.split_whitespace().next()?;
    let token = token.trim_matches(|c: char| matches!(c, '.' | ',' | ';' | '"' | '\''));
    let (svc, name) = token.split_once(':')?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '*'))
    };
    (ok(svc) && ok(name)).then(|| token.to_string())
}

/// The resource after `on resource: `, without quotes.
fn message_resource(msg: &str) -> Option<String> {
    let i = msg.find("on resource: ")?;
    let rest = msg[i + "on resource: ".len()..].trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find('"')?;
        let r = quoted[..end].trim();
        return (!r.is_empty()).then(|| r.to_string());
    }
    let ends = [
        " because ",
        " with an explicit deny",
        " with an implicit deny",
        ". Encoded authorization failure message",
        " Encoded authorization failure message",
        ", with policy ARN",
    ];
    let end = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    let r = rest[..end]
        .trim()
        .trim_end_matches(['.', ','])
        .trim_matches(['\'', '"']);
    (!r.is_empty()).then(|| r.to_string())
}

/// The policy type phrase at the start of `s`, and the text after it.
fn policy_kind_at(s: &str) -> Option<(PolicyKind, &str)> {
    let s = s.trim_start();
    let s = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("an "))
        .or_else(|| s.strip_prefix("the "))
        .unwrap_or(s);
    const PHRASES: &[(&str, PolicyKind)] = &[
        ("service control policy", PolicyKind::Scp),
        ("resource control policy", PolicyKind::Rcp),
        ("identity-based policy", PolicyKind::Identity),
        ("resource-based policy", PolicyKind::Resource),
        ("role trust policy", PolicyKind::Resource),
        ("permissions boundary", PolicyKind::PermissionsBoundary),
        ("sessions policy", PolicyKind::Session),
        ("session policy", PolicyKind::Session),
        ("VPC endpoint policy", PolicyKind::VpcEndpoint),
    ];
    PHRASES
        .iter()
        .find_map(|(p, k)| s.strip_prefix(p).map(|rest| (*k, rest)))
}

fn arn_token(s: &str) -> Option<String> {
    let t = s
        .split(|c: char| c.is_whitespace() || c == '"')
        .next()?
        .trim_end_matches(['.', ',']);
    t.starts_with("arn:").then(|| t.to_string())
}

/// A minimal reading of an access-denied message: enough to fill the fields of
/// [`ParsedMessage`] that the common formats carry.
fn read_message(code: Option<&str>, msg: Option<&str>) -> ParsedMessage {
    let mut m = ParsedMessage {
        error_code: code.map(str::to_string),
        ..ParsedMessage::default()
    };
    let Some(msg) = msg else {
        return m;
    };
    if let Some(i) = msg.find("User: ") {
        let rest = &msg[i + "User: ".len()..];
        if let Some(end) = rest.find(" is not authorized") {
            let p = rest[..end].trim();
            if !p.is_empty() && !p.contains(char::is_whitespace) {
                m.principal = Some(p.to_string());
            }
        }
    }
    m.action = message_action(msg);
    m.resource = message_resource(msg);
    if let Some(i) = msg.find("with an explicit deny in ") {
        m.deny = Some(DenyKind::Explicit);
        if let Some((kind, rest)) = policy_kind_at(&msg[i + "with an explicit deny in ".len()..]) {
            m.policy_type = Some(kind);
            if let Some(arn) = rest.strip_prefix(": ").and_then(arn_token) {
                m.policy_arn = Some(arn);
            }
        }
    } else if let Some(i) = msg.find("with an implicit deny in ") {
        m.deny = Some(DenyKind::Implicit);
        m.policy_type = policy_kind_at(&msg[i + "with an implicit deny in ".len()..]).map(|k| k.0);
    } else if let Some(i) = msg.find("because no ") {
        m.deny = Some(DenyKind::Implicit);
        m.policy_type = policy_kind_at(&msg[i + "because no ".len()..]).map(|k| k.0);
    }
    if m.policy_arn.is_none()
        && let Some(i) = msg.find("with policy ARN: ")
    {
        m.policy_arn = arn_token(&msg[i + "with policy ARN: ".len()..]);
    }
    if let Some(i) = msg.find(ENCODED_MARKER) {
        m.encoded_message = msg[i + ENCODED_MARKER.len()..]
            .split_whitespace()
            .next()
            .map(str::to_string);
    }
    let vpce_network = code == Some("VpceAccessDenied")
        || msg.contains("The request was denied due to a VPC endpoint policy");
    if vpce_network && m.policy_type.is_none() {
        m.policy_type = Some(PolicyKind::VpcEndpoint);
    }
    m.variant = if m.encoded_message.is_some() {
        Some("ec2-encoded".into())
    } else if msg.contains("associated with this ciphertext") {
        Some(
            if m.policy_type.is_some() {
                "kms-ciphertext"
            } else {
                "kms-key-policy-vague"
            }
            .into(),
        )
    } else if msg.trim().trim_end_matches('.') == "Access Denied" {
        Some("s3-bare".into())
    } else if m
        .resource
        .as_deref()
        .is_some_and(|r| !r.starts_with("arn:") && r.contains(' '))
    {
        Some("iam-resource-form".into())
    } else if !msg.contains("is not authorized to perform")
        && msg.contains("Not authorized to perform ")
    {
        Some("web-identity".into())
    } else if vpce_network {
        Some("vpce-network-event".into())
    } else if m.action.is_some() && m.deny.is_none() {
        Some("classic".into())
    } else {
        None
    };
    m
}

// ---------------------------------------------------------------------------------------------
// Deriving the request (§9.3)
// ---------------------------------------------------------------------------------------------

struct Derive<'a> {
    event: &'a Value,
    o: Observed,
}

impl Derive<'_> {
    fn note(&mut self, s: impl Into<String>) {
        self.o.notes.push(s.into());
    }

    fn has(&self, key: &str) -> bool {
        self.o
            .context
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key))
    }

    fn key(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if !self.o.context.iter().any(|(k, v)| k == key && *v == value) {
            self.o.context.push((key.to_string(), value));
        }
    }

    /// Replace every value of `key`.
    fn set(&mut self, key: &str, values: Vec<String>) {
        self.o.context.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        for v in values {
            self.key(key, v);
        }
    }
}

/// The simulation request one CloudTrail record describes (spec §9.3), with notes saying
/// what each field was derived from and what could not be derived. Never fails: whatever the
/// record lacks is left empty and noted.
pub fn observe(event: &Value, file: Option<&str>) -> Observed {
    let source = text(event, "eventSource").unwrap_or("");
    let name = text(event, "eventName").unwrap_or("");
    let origin = Origin::CloudTrail {
        event_id: text(event, "eventID").map(str::to_string),
        event_time: text(event, "eventTime").map(str::to_string),
        event: format!("{source} {name}").trim().to_string(),
        file: file.map(str::to_string),
    };
    let mut d = Derive {
        event,
        o: Observed::new(origin),
    };
    if !event.is_object() {
        d.note(format!(
            "the record is a {}, not an event object: nothing could be derived",
            kind_of(event)
        ));
        return d.o;
    }

    let code = text(event, "errorCode");
    let raw = text(event, "errorMessage");
    if code.is_some() || raw.is_some() {
        d.o.message = Some(read_message(code, raw));
        if let Some(raw) = raw {
            d.note(format!(
                "AWS said ({}): {raw}",
                code.unwrap_or("no errorCode")
            ));
        }
    }
    d.o.allowed = if is_denied(event) {
        Some(false)
    } else if let Some(code) = code {
        d.note(format!(
            "errorCode {code} is not an authorization failure: the request was probably authorized and failed later"
        ));
        None
    } else {
        Some(true)
    };

    identity(&mut d);
    network(&mut d);
    request(&mut d);
    action(&mut d, source, name);
    resource(&mut d);
    tags(&mut d);
    service_keys(&mut d);
    event_context(&mut d);
    not_logged(&mut d);
    d.o
}

fn anonymous(d: &mut Derive, why: &str) {
    d.o.principal = Some("anonymous".into());
    d.key("aws:PrincipalType", "Anonymous");
    d.key("aws:userid", "anonymous");
    d.key("aws:PrincipalAccount", "anonymous");
    d.note(format!(
        "principal: anonymous ({why}); aws:PrincipalType, aws:userid and aws:PrincipalAccount are `anonymous`, aws:PrincipalArn is absent"
    ));
}

fn identity(d: &mut Derive) {
    let ev = d.event;
    let Some(ui) = ev.get("userIdentity").filter(|u| u.is_object()) else {
        anonymous(d, "the event has no userIdentity");
        via_service(d, None, true);
        return;
    };
    let kind = text(ui, "type").unwrap_or("Unknown");
    let arn = text(ui, "arn");
    if text(ui, "accountId") == Some("ANONYMOUS_PRINCIPAL")
        || kind.eq_ignore_ascii_case("Anonymous")
    {
        anonymous(d, "userIdentity.accountId is ANONYMOUS_PRINCIPAL");
        via_service(d, text(ui, "invokedBy"), true);
        return;
    }
    let account = text(ui, "accountId").or_else(|| arn.and_then(arn_account));
    let pid = text(ui, "principalId");
    let sc = ui.get("sessionContext").filter(|s| s.is_object());
    let issuer = sc.and_then(|s| s.get("sessionIssuer"));
    let issuer_arn = issuer.and_then(|i| text(i, "arn"));
    let key_id = text(ui, "accessKeyId");
    let invoked_by = text(ui, "invokedBy");
    let mut signed = true;

    match kind {
        "IAMUser" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            let user = text(ui, "userName")
                .map(str::to_string)
                .or_else(|| arn.and_then(|a| a.rsplit('/').next()).map(str::to_string));
            if let Some(user) = user {
                d.key("aws:username", user);
            }
            d.key("aws:PrincipalType", "User");
            d.note("principal and aws:PrincipalArn from userIdentity.arn (IAMUser); aws:userid from principalId; aws:username from userName");
        }
        "AssumedRole" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
            }
            let issuer_kind = issuer.and_then(|i| text(i, "type")).unwrap_or("Role");
            match issuer_arn {
                Some(role) if issuer_kind == "Role" => {
                    d.o.role_arn = Some(role.into());
                    d.key("aws:PrincipalArn", role);
                    d.note("principal from userIdentity.arn (the session ARN); role and aws:PrincipalArn from sessionContext.sessionIssuer.arn (the role, with its path)");
                }
                Some(other) => {
                    d.key("aws:PrincipalArn", other);
                    d.note(format!(
                        "principal from userIdentity.arn; the session was issued by a {issuer_kind} ({other}), used as aws:PrincipalArn"
                    ));
                }
                None => {
                    // Without the issuer the role is known by name only, not by path.
                    let role = arn.and_then(|a| {
                        let (head, res) = a.split_once(":assumed-role/")?;
                        let name = res.split('/').next()?;
                        let head = head.replacen(":sts:", ":iam:", 1);
                        Some(format!("{head}:role/{name}"))
                    });
                    if let Some(role) = role {
                        d.key("aws:PrincipalArn", role.clone());
                        d.note(format!(
                            "principal from userIdentity.arn; the event has no sessionContext.sessionIssuer, so aws:PrincipalArn {role} is rebuilt from the session ARN and the role's path is unknown"
                        ));
                    } else {
                        d.note("the event has no sessionContext.sessionIssuer: the role and aws:PrincipalArn are unknown");
                    }
                }
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "AssumedRole");
        }
        "Role" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.o.role_arn = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "AssumedRole");
            d.note("userIdentity type Role (the role itself, rare): principal, role and aws:PrincipalArn from userIdentity.arn; aws:PrincipalType assumed AssumedRole");
        }
        "FederatedUser" => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
                d.key("aws:PrincipalArn", arn);
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            d.key("aws:PrincipalType", "FederatedUser");
            let by = issuer_arn.map_or_else(
                || "the issuing IAM user is not logged".to_string(),
                |i| format!("the session was issued by {i} (sessionContext.sessionIssuer), whose policies, intersected with the federation session policy, apply"),
            );
            d.note(format!(
                "principal and aws:PrincipalArn from userIdentity.arn (FederatedUser); aws:userid from principalId; {by}"
            ));
        }
        "Root" => {
            let root = match (arn, account) {
                (Some(a), _) => Some(a.to_string()),
                (None, Some(acct)) => Some(format!("arn:aws:iam::{acct}:root")),
                _ => None,
            };
            if let Some(root) = root {
                d.o.principal = Some(root.clone());
                d.key("aws:PrincipalArn", root);
            }
            if let Some(id) = pid.or(account) {
                d.key("aws:userid", id);
            }
            d.key("aws:PrincipalType", "Account");
            d.note("principal and aws:PrincipalArn: the account root (Root identity); only SCPs and resource policies can restrict it");
        }
        "AWSService" => {
            signed = false;
            let service = invoked_by.filter(|s| s.contains('.'));
            match service {
                Some(s) => {
                    d.o.principal = Some(s.into());
                    d.key("aws:PrincipalIsAWSService", "true");
                    d.key("aws:PrincipalServiceName", s);
                    d.note(format!(
                        "principal: the service principal {s} (userIdentity.invokedBy, AWSService identity); aws:PrincipalArn, aws:userid and aws:PrincipalType do not apply to service principals"
                    ));
                }
                None => d.note(
                    "AWSService identity without an invokedBy service name: the service principal is unknown",
                ),
            }
            d.key("aws:ViaAWSService", "false");
        }
        "AWSAccount" => {
            match pid {
                Some(p) if p.starts_with("AKIA") || p.starts_with("ASIA") => d.note(format!(
                    "the caller is known only by its account and access key {p}: the principal ARN is not logged"
                )),
                Some(p) => {
                    d.key("aws:userid", p);
                    d.note(format!(
                        "the caller is known only by its account and unique ID {p} (aws:userid): the principal ARN is not logged"
                    ));
                }
                None => d.note("the caller is known only by its account: the principal ARN is not logged"),
            }
            if text(ev, "eventType") == Some("AwsVpceEvent")
                || text(ev, "eventCategory") == Some("NetworkActivity")
            {
                d.note("network-activity event (logged to the VPC endpoint owner): the principal may only be an account; find the caller in the account's own trail (same time, same access key)");
            }
        }
        other => {
            if let Some(arn) = arn {
                d.o.principal = Some(arn.into());
            }
            if let Some(pid) = pid {
                d.key("aws:userid", pid);
            }
            if let Some(user) = ui.get("onBehalfOf").and_then(|b| text(b, "userId")) {
                d.key("identitystore:UserId", user);
            }
            d.note(format!(
                "userIdentity type {other}: aws:PrincipalArn and aws:PrincipalType are not derived for it"
            ));
            if matches!(other, "SAMLUser" | "WebIdentityUser") {
                d.note("SAML and web-identity callers are unsigned: only the role trust policy (and RCPs) gate this call");
                signed = false;
            }
        }
    }

    if kind != "AWSService"
        && let Some(acct) = account
    {
        d.key("aws:PrincipalAccount", acct);
    }
    if signed {
        d.key("aws:PrincipalIsAWSService", "false");
    }

    // Temporary credentials: MFA and token issue time.
    let temporary = match key_id {
        Some(k) => k.starts_with("ASIA"),
        None => matches!(kind, "AssumedRole" | "FederatedUser"),
    };
    if temporary {
        let attrs = sc.and_then(|s| s.get("attributes"));
        match attrs.and_then(|a| a.get("mfaAuthenticated")).and_then(scalar) {
            Some(mfa) => {
                d.key("aws:MultiFactorAuthPresent", mfa.to_ascii_lowercase());
            }
            None => d.note("temporary credentials, but sessionContext.attributes.mfaAuthenticated is not logged: aws:MultiFactorAuthPresent is unknown"),
        }
        match attrs.and_then(|a| text(a, "creationDate")) {
            Some(created) => match iso_time(created) {
                Some(iso) => {
                    if iso != created {
                        d.note(format!(
                            "aws:TokenIssueTime {iso} from the basic-form creationDate {created}"
                        ));
                    }
                    d.key("aws:TokenIssueTime", iso);
                }
                None => d.note(format!(
                    "creationDate {created} is not an ISO 8601 time: aws:TokenIssueTime not derived"
                )),
            },
            None => d.note("temporary credentials, but sessionContext.attributes.creationDate is not logged: aws:TokenIssueTime is unknown"),
        }
        d.note(format!(
            "temporary credentials ({}): aws:MultiFactorAuthPresent and aws:TokenIssueTime from sessionContext.attributes",
            key_id.unwrap_or("no accessKeyId, but a session")
        ));
    } else if let Some(k) = key_id.filter(|k| k.starts_with("AKIA")) {
        d.note(format!(
            "long-term access key {k}: aws:MultiFactorAuthPresent and aws:TokenIssueTime are absent"
        ));
    }
    if let Some(si) = sc
        .and_then(|s| text(s, "sourceIdentity"))
        .or_else(|| text(ui, "sourceIdentity"))
    {
        d.key("aws:SourceIdentity", si);
    }
    if let Some(provider) = sc
        .and_then(|s| s.get("webIdFederationData"))
        .and_then(|w| text(w, "federatedProvider"))
    {
        d.key("aws:FederatedProvider", provider);
        d.note("aws:FederatedProvider from sessionContext.webIdFederationData.federatedProvider");
    }
    if let Some(delivery) = sc
        .and_then(|s| s.get("ec2RoleDelivery"))
        .or_else(|| ui.get("ec2RoleDelivery"))
        .and_then(scalar)
    {
        d.key("ec2:RoleDelivery", delivery);
    }
    if sc
        .and_then(|s| s.get("assumedRoot"))
        .and_then(scalar)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || ui
            .get("assumedRoot")
            .and_then(scalar)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        d.key("aws:AssumedRoot", "true");
    }
    if text(ui, "sessionCredentialFromConsole") == Some("true") {
        d.note("console session (sessionCredentialFromConsole)");
    }
    if kind != "AWSService" {
        via_service(d, invoked_by, true);
    }
}

/// `aws:ViaAWSService` and `aws:CalledVia*` from `invokedBy`; `default_false` sets
/// `aws:ViaAWSService` to false when nothing invoked the call on the caller's behalf.
fn via_service(d: &mut Derive, invoked_by: Option<&str>, default_false: bool) {
    match invoked_by {
        Some(s) if s.ends_with(".amazonaws.com") || s.ends_with(".amazonaws.com.cn") => {
            d.key("aws:ViaAWSService", "true");
            d.key("aws:CalledVia", s);
            d.key("aws:CalledViaFirst", s);
            d.key("aws:CalledViaLast", s);
            d.note(format!(
                "aws:ViaAWSService true and aws:CalledVia [{s}] from userIdentity.invokedBy (AWS sets aws:CalledVia only for the services that support it)"
            ));
        }
        Some(other) => d.note(format!(
            "invokedBy is {other}, not a service principal: aws:ViaAWSService and aws:CalledVia are unknown"
        )),
        None if default_false => d.key("aws:ViaAWSService", "false"),
        None => {}
    }
}

fn network(d: &mut Derive) {
    let ev = d.event;
    let ip = text(ev, "sourceIPAddress");
    if let Some(vpce) = text(ev, "vpcEndpointId") {
        d.o.vpce = Some(vpce.into());
        d.key("aws:SourceVpce", vpce);
        match text(ev, "vpcEndpointAccountId") {
            Some(acct) => d.key("aws:VpceAccount", acct),
            None => d.note("vpcEndpointAccountId is not logged: aws:VpceAccount is unknown"),
        }
        match ip {
            Some(ip) if is_ip(ip) => {
                d.key("aws:VpcSourceIp", ip);
                d.note(format!(
                    "via VPC endpoint {vpce}: aws:SourceVpce and aws:VpceAccount from vpcEndpointId/vpcEndpointAccountId, aws:VpcSourceIp from sourceIPAddress; aws:SourceIp is absent"
                ));
            }
            _ => d.note(format!(
                "via VPC endpoint {vpce}: aws:SourceIp is absent and sourceIPAddress is not an IP, so aws:VpcSourceIp is unknown"
            )),
        }
    } else {
        match ip {
            Some(ip) if is_ip(ip) => d.key("aws:SourceIp", ip),
            Some(other) => d.note(format!(
                "sourceIPAddress is {other}, not an IP (a service called on the caller's behalf): aws:SourceIp not derived"
            )),
            None => d.note("sourceIPAddress is not logged: aws:SourceIp not derived"),
        }
    }
}

fn request(d: &mut Derive) {
    let ev = d.event;
    if let Some(region) = text(ev, "awsRegion") {
        d.o.region = Some(region.into());
        d.key("aws:RequestedRegion", region);
    }
    if let Some(time) = text(ev, "eventTime") {
        d.key("aws:CurrentTime", time);
        match Instant::parse(time) {
            Some(t) => d.key("aws:EpochTime", t.seconds.to_string()),
            None => d.note(format!(
                "eventTime {time} is not an ISO 8601 time: aws:EpochTime not derived"
            )),
        }
    }
    if ev.get("tlsDetails").is_some_and(|t| t.is_object()) {
        d.key("aws:SecureTransport", "true");
    } else {
        d.note("tlsDetails is not logged: aws:SecureTransport is unknown (AWS API calls normally use TLS)");
    }
    if let Some(ua) = text(ev, "userAgent") {
        d.key("aws:UserAgent", ua);
    }
}

fn action(d: &mut Derive, source: &str, name: &str) {
    let from_message = d.o.message.as_ref().and_then(|m| m.action.clone());
    let mapped = (!source.is_empty() && !name.is_empty()).then(|| map_event(source, name));
    match (from_message, mapped) {
        (Some(a), mapped) => {
            let a = canonical(&a).unwrap_or(a);
            d.note(format!("action {a} from errorMessage"));
            if let Some((acts, _)) = mapped
                && !(acts.len() == 1 && acts[0].eq_ignore_ascii_case(&a))
            {
                d.note(format!(
                    "eventName {name} maps to {}; the message names {a}, the one AWS refused",
                    acts.join(" + ")
                ));
            }
            d.o.actions = vec![a];
        }
        (None, Some((acts, how))) => {
            d.note(format!("action {} {how}", acts.join(" + ")));
            if acts.len() > 1 {
                d.note("the operation is authorized as several actions: a denial may come from any of them");
            }
            d.o.actions = acts;
        }
        (None, None) => d.note("neither errorMessage nor eventSource/eventName gives the action"),
    }
}

/// One entry of `resources[]`.
struct Listed {
    arn: String,
    kind: Option<String>,
    account: Option<String>,
}

fn listed_resources(ev: &Value) -> Vec<Listed> {
    let Some(items) = ev.get("resources").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|r| {
            let arn = text(r, "ARN").or_else(|| text(r, "arn"))?;
            Some(Listed {
                arn: arn.to_string(),
                kind: text(r, "type").map(str::to_string),
                account: text(r, "accountId").map(str::to_string),
            })
        })
        .collect()
}

/// Whether every action that the catalog knows accepts this ARN as one of its resources.
fn fits_actions(actions: &[String], arn: &str) -> bool {
    let cat = iamwhy_catalog::catalog();
    let mut known = false;
    for a in actions {
        if let Some(action) = cat.action(a) {
            known = true;
            if action.resource_types_for_arn(arn).is_empty() {
                return false;
            }
        }
    }
    known
}

fn resource(d: &mut Derive) {
    let ev = d.event;
    let listed = listed_resources(ev);
    let network_event = text(ev, "eventType") == Some("AwsVpceEvent")
        || text(ev, "eventCategory") == Some("NetworkActivity");

    // 1. What the error message names; 2. resources[]; 3. requestParameters.
    if let Some(r) = d.o.message.as_ref().and_then(|m| m.resource.clone()) {
        d.note(format!("resource {r} from errorMessage (on resource:)"));
        d.o.resource = Some(r);
    } else if !listed.is_empty() {
        let pick = listed
            .iter()
            .find(|l| fits_actions(&d.o.actions, &l.arn))
            .unwrap_or(&listed[0]);
        d.note(format!(
            "resource {} from resources[]{}",
            pick.arn,
            pick.kind
                .as_deref()
                .map(|k| format!(" ({k})"))
                .unwrap_or_default()
        ));
        d.o.resource = Some(pick.arn.clone());
    } else if let Some((arn, how)) = build_resource(d) {
        d.note(format!("resource {arn} built from {how}"));
        d.o.resource = Some(arn);
    } else if d
        .o
        .actions
        .iter()
        .filter_map(|a| iamwhy_catalog::catalog().action(a))
        .any(|a| a.is_wildcard_only())
    {
        d.o.resource = Some("*".into());
        d.note("resource *: the action takes no resource");
    } else {
        d.note("the resource could not be derived (no errorMessage resource, resources[] or usable requestParameters)");
    }

    // CopyObject-style operations read another object.
    if let Some(src) = ev
        .get("requestParameters")
        .and_then(|p| text(p, "x-amz-copy-source"))
    {
        let src = src.trim_start_matches('/');
        let src = src.split('?').next().unwrap_or(src);
        d.note(format!(
            "s3:GetObject is checked on the copy source arn:aws:s3:::{src}, s3:PutObject on the destination"
        ));
    }

    // The resource account.
    let Some(res) = d.o.resource.clone() else {
        return;
    };
    if let Some(acct) = listed
        .iter()
        .find(|l| l.arn == res)
        .and_then(|l| l.account.clone())
    {
        d.note(format!(
            "resource account {acct} from resources[].accountId"
        ));
        d.o.resource_account = Some(acct);
    } else if let Some(l) = listed
        .iter()
        .find(|l| l.account.is_some() && (res.starts_with(&format!("{}/", l.arn)) || l.arn == res))
    {
        let acct = l.account.clone().unwrap_or_default();
        d.note(format!(
            "resource account {acct} from resources[].accountId of {} (the container)",
            l.arn
        ));
        d.o.resource_account = Some(acct);
    } else if let Some(acct) = arn_account(&res) {
        d.note(format!("resource account {acct} from the resource ARN"));
        d.o.resource_account = Some(acct.to_string());
    } else if network_event {
        d.note("resource account unknown: recipientAccountId of a network-activity event is the VPC endpoint owner, not the resource owner");
    } else if let Some(acct) = text(ev, "recipientAccountId") {
        d.note(format!(
            "resource account {acct} assumed from recipientAccountId (the account whose trail logged the event)"
        ));
        d.o.resource_account = Some(acct.to_string());
    }
}

/// Build a resource ARN from `requestParameters` for the common cases.
fn build_resource(d: &Derive) -> Option<(String, String)> {
    let ev = d.event;
    let params = ev.get("requestParameters").filter(|p| p.is_object())?;
    let prefix = text(ev, "eventSource").map(service_prefix)?;
    let region = text(ev, "awsRegion").unwrap_or("");
    let partition = text(ev.get("userIdentity").unwrap_or(&Value::Null), "arn")
        .and_then(arn_partition)
        .map(str::to_string)
        .unwrap_or_else(|| {
            if region.starts_with("cn-") {
                "aws-cn".into()
            } else if region.starts_with("us-gov-") {
                "aws-us-gov".into()
            } else {
                "aws".into()
            }
        });
    let p = partition.as_str();
    let account = text(ev, "recipientAccountId")
        .or_else(|| ev.get("userIdentity").and_then(|u| text(u, "accountId")))
        .unwrap_or("");
    let as_arn = |v: &str| v.starts_with("arn:").then(|| v.to_string());
    let built = match prefix.as_str() {
        "s3" => {
            let bucket = text(params, "bucketName").or_else(|| text(params, "Bucket"))?;
            let bucket_arn = format!("arn:{p}:s3:::{bucket}");
            match text(params, "key").or_else(|| text(params, "Key")) {
                Some(key) => {
                    let object = format!("{bucket_arn}/{key}");
                    if d.o.actions.is_empty() || fits_actions(&d.o.actions, &object) {
                        Some((object, "requestParameters.bucketName and key"))
                    } else {
                        Some((bucket_arn, "requestParameters.bucketName"))
                    }
                }
                None => Some((bucket_arn, "requestParameters.bucketName")),
            }
        }
        "dynamodb" => text(params, "tableName").map(|t| {
            (
                as_arn(t)
                    .unwrap_or_else(|| format!("arn:{p}:dynamodb:{region}:{account}:table/{t}")),
                "requestParameters.tableName",
            )
        }),
        "lambda" => text(params, "functionName").map(|f| {
            (
                as_arn(f)
                    .unwrap_or_else(|| format!("arn:{p}:lambda:{region}:{account}:function:{f}")),
                "requestParameters.functionName",
            )
        }),
        "sqs" => text(params, "queueUrl").and_then(|url| {
            let path = url.split("://").nth(1)?.split_once('/')?.1;
            let (acct, name) = path.trim_end_matches('/').split_once('/')?;
            Some((
                format!("arn:{p}:sqs:{region}:{acct}:{name}"),
                "requestParameters.queueUrl",
            ))
        }),
        "kms" => text(params, "keyId").map(|k| {
            let arn = as_arn(k).unwrap_or_else(|| {
                if k.starts_with("alias/") {
                    format!("arn:{p}:kms:{region}:{account}:{k}")
                } else {
                    format!("arn:{p}:kms:{region}:{account}:key/{k}")
                }
            });
            (arn, "requestParameters.keyId")
        }),
        "iam" => {
            let pick = [
                ("roleName", "role"),
                ("userName", "user"),
                ("groupName", "group"),
                ("instanceProfileName", "instance-profile"),
            ]
            .iter()
            .find_map(|(field, kind)| text(params, field).map(|n| (*field, *kind, n)));
            match pick {
                Some((_, kind, n)) => Some((
                    format!("arn:{p}:iam::{account}:{kind}/{n}"),
                    "requestParameters (IAM name; the path is not logged)",
                )),
                None => text(params, "policyArn")
                    .map(|a| (a.to_string(), "requestParameters.policyArn")),
            }
        }
        "ec2" => {
            let single = text(params, "instanceId").map(str::to_string).or_else(|| {
                let items = params.get("instancesSet")?.get("items")?.as_array()?;
                match items.as_slice() {
                    [one] => text(one, "instanceId").map(str::to_string),
                    _ => None,
                }
            });
            single.map(|id| {
                (
                    format!("arn:{p}:ec2:{region}:{account}:instance/{id}"),
                    "requestParameters instance ID",
                )
            })
        }
        _ => None,
    };
    if let Some((arn, how)) = built {
        return Some((arn, how.to_string()));
    }
    // Any `...Arn` parameter holding an ARN (sts roleArn, sns topicArn, secretsmanager ...).
    let map = params.as_object()?;
    for (k, v) in map {
        if let Some(s) = v.as_str()
            && k.to_ascii_lowercase().ends_with("arn")
            && s.starts_with("arn:")
        {
            return Some((s.to_string(), format!("requestParameters.{k}")));
        }
    }
    for k in [
        "secretId",
        "SecretId",
        "resourceArn",
        "ResourceArn",
        "resourceARN",
    ] {
        if let Some(s) = text(params, k).filter(|s| s.starts_with("arn:")) {
            return Some((s.to_string(), format!("requestParameters.{k}")));
        }
    }
    None
}

/// Tags in the shapes services log them: lists of `{Key, Value}` / `{key, value}`, EC2's
/// `{"items": [...]}`, S3's `{"TagSet": {"Tag": [...]}}`, maps of key → value, and lists of
/// bare keys. A `None` value is a key without a value (untagging).
fn tag_pairs(v: &Value, out: &mut Vec<(String, Option<String>)>) {
    match v {
        Value::Array(items) => {
            for item in items {
                let item = item.get("item").unwrap_or(item);
                match item {
                    Value::String(k) if !k.is_empty() => out.push((k.clone(), None)),
                    Value::Object(_) => {
                        let key = text(item, "Key").or_else(|| text(item, "key"));
                        let value = item
                            .get("Value")
                            .or_else(|| item.get("value"))
                            .and_then(|v| v.as_str().map(str::to_string));
                        if let Some(key) = key {
                            out.push((key.to_string(), value));
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Object(map) => {
            for wrapper in ["items", "TagSet", "Tag", "tag", "Tags", "tags"] {
                if let Some(inner) = map.get(wrapper) {
                    tag_pairs(inner, out);
                    return;
                }
            }
            if map.contains_key("Key") || map.contains_key("key") {
                tag_pairs(&Value::Array(vec![v.clone()]), out);
                return;
            }
            for (k, v) in map {
                if let Some(s) = v.as_str() {
                    out.push((k.clone(), Some(s.to_string())));
                }
            }
        }
        _ => {}
    }
}

fn tags(d: &mut Derive) {
    let Some(params) = d.event.get("requestParameters").filter(|p| p.is_object()) else {
        return;
    };
    let mut pairs = Vec::new();
    let mut from = Vec::new();
    for field in ["tags", "Tags", "tagSet", "TagSet", "tagList", "TagList"] {
        if let Some(v) = params.get(field) {
            let before = pairs.len();
            tag_pairs(v, &mut pairs);
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    for field in [
        "tagSpecificationSet",
        "TagSpecifications",
        "tagSpecifications",
    ] {
        if let Some(v) = params.get(field) {
            let specs: Vec<&Value> = match v.get("items") {
                Some(Value::Array(items)) => items.iter().collect(),
                _ => match v {
                    Value::Array(items) => items.iter().collect(),
                    _ => Vec::new(),
                },
            };
            let before = pairs.len();
            for spec in specs {
                for inner in ["tags", "Tags", "tag", "tagSet"] {
                    if let Some(t) = spec.get(inner) {
                        tag_pairs(t, &mut pairs);
                    }
                }
            }
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    for field in ["tagKeys", "TagKeys"] {
        if let Some(v) = params.get(field) {
            let before = pairs.len();
            tag_pairs(v, &mut pairs);
            for p in &mut pairs[before..] {
                p.1 = None;
            }
            if pairs.len() > before {
                from.push(field.to_string());
            }
        }
    }
    if pairs.is_empty() {
        return;
    }
    for (k, v) in &pairs {
        if let Some(v) = v {
            d.key(&format!("aws:RequestTag/{k}"), v.clone());
        }
    }
    for (k, _) in &pairs {
        d.key("aws:TagKeys", k.clone());
    }
    d.note(format!(
        "aws:RequestTag/* and aws:TagKeys from requestParameters.{}",
        from.join(", requestParameters.")
    ));
}

/// A few service-specific keys whose request parameter is unambiguous.
fn service_keys(d: &mut Derive) {
    let Some(params) = d.event.get("requestParameters").filter(|p| p.is_object()) else {
        return;
    };
    let prefix = text(d.event, "eventSource")
        .map(service_prefix)
        .unwrap_or_default();
    let name = text(d.event, "eventName").unwrap_or("");
    let table: &[(&str, &str)] = match (prefix.as_str(), name) {
        ("s3", "ListObjects" | "ListObjectsV2" | "ListObjectVersions") => &[
            ("prefix", "s3:prefix"),
            ("delimiter", "s3:delimiter"),
            ("max-keys", "s3:max-keys"),
        ],
        ("s3", _) => &[
            ("x-amz-acl", "s3:x-amz-acl"),
            (
                "x-amz-server-side-encryption",
                "s3:x-amz-server-side-encryption",
            ),
            (
                "x-amz-server-side-encryption-aws-kms-key-id",
                "s3:x-amz-server-side-encryption-aws-kms-key-id",
            ),
            ("versionId", "s3:VersionId"),
        ],
        ("ec2", "RunInstances") => &[("instanceType", "ec2:InstanceType")],
        ("sts", "AssumeRole") => &[
            ("roleSessionName", "sts:RoleSessionName"),
            ("externalId", "sts:ExternalId"),
            ("sourceIdentity", "sts:SourceIdentity"),
            ("durationSeconds", "sts:DurationSeconds"),
        ],
        _ => &[],
    };
    let mut derived = Vec::new();
    for (param, key) in table {
        if let Some(v) = params.get(*param).and_then(scalar) {
            d.key(key, v);
            derived.push(format!("{key} from requestParameters.{param}"));
        }
    }
    if !derived.is_empty() {
        d.note(derived.join("; "));
    }
}

/// CloudTrail Lake enriched events carry the evaluated keys and tags in `eventContext`.
fn event_context(d: &mut Derive) {
    let Some(ctx) = d.event.get("eventContext").filter(|c| c.is_object()) else {
        return;
    };
    let mut used = false;
    if let Some(Value::Object(rc)) = ctx.get("requestContext") {
        for (k, v) in rc {
            if !k.contains(':') {
                continue;
            }
            let values: Vec<String> = match v {
                Value::Array(items) => items.iter().filter_map(scalar).collect(),
                other => scalar(other).into_iter().collect(),
            };
            if !values.is_empty() {
                d.set(k, values);
                used = true;
            }
        }
    }
    if let Some(tc) = ctx.get("tagContext") {
        if let Some(pt) = tc.get("principalTags") {
            let mut pairs = Vec::new();
            tag_pairs(pt, &mut pairs);
            for (k, v) in pairs {
                if let Some(v) = v {
                    d.key(&format!("aws:PrincipalTag/{k}"), v);
                    used = true;
                }
            }
        }
        if let Some(Value::Array(rts)) = tc.get("resourceTags") {
            let res = d.o.resource.clone();
            for rt in rts {
                let arn = text(rt, "arn").or_else(|| text(rt, "ARN"));
                if arn.is_some() && arn != res.as_deref() {
                    continue;
                }
                let mut pairs = Vec::new();
                if let Some(t) = rt.get("tags") {
                    tag_pairs(t, &mut pairs);
                }
                for (k, v) in pairs {
                    if let Some(v) = v {
                        d.key(&format!("aws:ResourceTag/{k}"), v);
                        used = true;
                    }
                }
            }
        }
    }
    if used {
        d.note("keys from eventContext (CloudTrail Lake enriched event): the values AWS evaluated");
    }
}

fn not_logged(d: &mut Derive) {
    if d.o.vpce.is_some() && !d.has("aws:SourceVpc") {
        d.note("aws:SourceVpc is not logged: take it from the endpoint's inventory (or ask)");
    }
    if !d
        .o
        .context
        .iter()
        .any(|(k, _)| k.starts_with("aws:PrincipalTag/"))
        && !d
            .o
            .context
            .iter()
            .any(|(k, _)| k.starts_with("aws:ResourceTag/"))
    {
        d.note("aws:PrincipalTag/* and aws:ResourceTag/* are not logged: they come from the inventory (IAM and resource tags)");
    }
    d.note("organization keys (aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID ...) are not logged: they come from the organization inventory");
    if text(d.event, "errorCode") == Some("VpceAccessDenied") {
        let vpce = d.o.vpce.clone().unwrap_or_else(|| "the endpoint".into());
        d.note(format!(
            "VpceAccessDenied: the policy of VPC endpoint {vpce} denied the request"
        ));
    }
}
