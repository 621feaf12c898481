//! CloudTrail event sources and names → IAM actions.

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
pub(crate) fn canonical(action: &str) -> Option<String> {
    iamwhy_catalog::catalog()
        .action(action)
        .map(|a| a.to_string())
}

/// The IAM actions a CloudTrail event name stands for: `<prefix>:<eventName>`, except
/// S3's renamed operations, Lambda's dated names (`GetFunction20150331v2`) and other
/// version-suffixed names, and Lambda's `Invoke`.
pub fn actions_for_event(event_source: &str, event_name: &str) -> Vec<String> {
    map_event(event_source, event_name).0
}

/// The actions and a note saying how they were obtained.
pub(crate) fn map_event(event_source: &str, event_name: &str) -> (Vec<String>, String) {
    let prefix = service_prefix(event_source);
    let name = event_name.trim();
    let mut how = format!("from eventSource {event_source} (prefix {prefix}) and eventName {name}");
    if prefix == "s3"
        && let Some((_, actions)) = S3_ACTIONS.iter().find(|(op, _)| *op == name)
    {
        how.push_str(" (S3 operation whose IAM action has another name)");
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
