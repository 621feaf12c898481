//! `collection.json`, the manifest at the top of a collected world (format
//! `iamwhy.collection/1`, docs/collect.md): when, by whom, which accounts, regions and
//! services, and every call that failed with what the world lacks because of it.

use serde::{Deserialize, Serialize};

/// The manifest's schema id.
pub const SCHEMA: &str = "iamwhy.collection/1";

/// The whole manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// `iamwhy <version>`.
    pub tool: String,
    /// When collection started (RFC 3339, UTC, seconds).
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// `sts:GetCallerIdentity` of the base credentials.
    pub caller: String,
    /// `aws`, `aws-cn`, `aws-us-gov` ...
    pub partition: String,
    /// The organization id, `null` when `organization.json` was not written.
    pub organization: Option<String>,
    /// The accounts collected.
    pub accounts: Vec<AccountEntry>,
    /// Every call that failed.
    pub failures: Vec<Failure>,
}

/// One collected account.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AccountEntry {
    /// The 12-digit id.
    pub id: String,
    /// The role assumed to read it; `null` for the base credentials' own account.
    pub via: Option<String>,
    /// The regions collected, sorted.
    pub regions: Vec<String>,
    /// The service prefixes collected, in collection order.
    pub services: Vec<String>,
}

/// One call that failed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// The account it was made in.
    pub account: String,
    /// The region; `null` for global services (iam, organizations, the S3 listing).
    pub region: Option<String>,
    /// The catalog's service prefix (`sqs`).
    pub service: String,
    /// The API operation (`GetQueueAttributes`).
    pub operation: String,
    /// The resource; `null` when a whole listing failed.
    pub resource: Option<String>,
    /// `AccessDenied`, `OptInRequired`, `ServiceNotEnabled`, `Throttled`, `Timeout`,
    /// `Unreachable`, `InvalidCredentials`, `Unexpected` or `Other`.
    pub error_code: String,
    /// The service's message (or the SDK's).
    pub message: String,
    /// One phrase: what the world lacks because of it.
    pub missing: String,
}

/// The current time as RFC 3339 UTC with whole seconds (`2026-12-01T10:00:00Z`).
pub fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's civil-from-days algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_seconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_796_119_333), "2026-12-01T10:02:13Z");
    }
}
