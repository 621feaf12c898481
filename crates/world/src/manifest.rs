//! `collection.json`: the manifest `iamwhy collect` writes at the top of a world (schema
//! `iamwhy.collection/1`, docs/schemas/collection.schema.json): when and by whom the world was
//! collected, which accounts, regions and services, and every call that failed. Hand-made
//! worlds have none. A manifest of another schema version is an error, not a guess.

use crate::error::{from_json, in_file_error};
use iamwhy_diagnostic::Diagnostic;
use serde::{Deserialize, Serialize};

/// The manifest's file name, at the top of the world.
pub const FILE: &str = "collection.json";

/// The one schema version this loader reads.
pub const SCHEMA: &str = "iamwhy.collection/1";

/// The manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Collection {
    /// Always `iamwhy.collection/1`.
    pub schema: String,
    /// The collecting tool and its version (`iamwhy 0.1.0`).
    #[serde(default)]
    pub tool: Option<String>,
    /// When collection started (ISO 8601).
    #[serde(default)]
    pub started_at: Option<String>,
    /// When it finished (ISO 8601).
    #[serde(default)]
    pub finished_at: Option<String>,
    /// `sts:GetCallerIdentity` of the base credentials.
    #[serde(default)]
    pub caller: Option<String>,
    /// `aws`, `aws-cn`, `aws-us-gov` ...
    #[serde(default)]
    pub partition: Option<String>,
    /// The organization id (`o-…`), `null` when Organizations was not read.
    #[serde(default)]
    pub organization: Option<String>,
    /// The accounts collected.
    pub accounts: Vec<CollectionAccount>,
    /// Every call that failed.
    pub failures: Vec<CollectionFailure>,
}

/// One collected account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionAccount {
    /// The 12-digit id.
    pub id: String,
    /// The role assumed to collect it; `null` for the base credentials' own account.
    #[serde(default)]
    pub via: Option<String>,
    /// The regions actually collected.
    #[serde(default)]
    pub regions: Vec<String>,
    /// The services collected (catalog service prefixes).
    #[serde(default)]
    pub services: Vec<String>,
}

/// One failed call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionFailure {
    /// The account it was made in.
    pub account: String,
    /// The region; `null` for global services (iam, organizations, the S3 bucket listing).
    #[serde(default)]
    pub region: Option<String>,
    /// The service (the catalog's service prefix: `sqs`, `s3`, `iam` ...).
    pub service: String,
    /// The API operation (`GetQueueAttributes`).
    pub operation: String,
    /// The resource it was about; `null` when a whole listing failed.
    #[serde(default)]
    pub resource: Option<String>,
    /// `AccessDenied`, `OptInRequired`, `ServiceNotEnabled`, `Throttled`, `Other` ...
    pub error_code: String,
    /// The service's error message.
    #[serde(default)]
    pub message: Option<String>,
    /// One phrase: what the world lacks because of it (`the policy of queue orders`).
    pub missing: String,
}

/// Just the schema field, read first so that another version gets a clear error rather than a
/// complaint about its fields.
#[derive(Deserialize)]
struct SchemaOnly {
    #[serde(default)]
    schema: Option<serde_json::Value>,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse and check a manifest.
pub fn parse(text: &str) -> Result<Collection, Diagnostic> {
    let head: SchemaOnly = from_json(FILE, text)?;
    match head.schema {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(serde_json::Value::String(s)) => {
            return Err(in_file_error("unknown-manifest-schema", 
                FILE,
                format!(
                    "schema \"{s}\" is not supported: this iamwhy reads \"{SCHEMA}\" (a newer iamwhy wrote it? upgrade, or collect again)"
                ),
            ).at_path("schema"));
        }
        Some(_) => {
            return Err(in_file_error(
                "bad-manifest",
                FILE,
                format!("\"schema\" must be the string \"{SCHEMA}\""),
            )
            .at_path("schema"));
        }
        None => {
            return Err(in_file_error(
                "bad-manifest",
                FILE,
                format!("\"schema\" is missing (expected \"{SCHEMA}\")"),
            ));
        }
    }
    let c: Collection = from_json(FILE, text)?;
    for (i, a) in c.accounts.iter().enumerate() {
        if !is_account_id(&a.id) {
            return Err(in_file_error(
                "bad-manifest",
                FILE,
                format!("account id \"{}\" is not a 12-digit account id", a.id),
            )
            .at_path(format!("accounts[{i}].id")));
        }
    }
    for (i, f) in c.failures.iter().enumerate() {
        if !is_account_id(&f.account) {
            return Err(in_file_error(
                "bad-manifest",
                FILE,
                format!("account \"{}\" is not a 12-digit account id", f.account),
            )
            .at_path(format!("failures[{i}].account")));
        }
        if f.service.is_empty() || f.missing.trim().is_empty() {
            return Err(in_file_error(
                "bad-manifest",
                FILE,
                "a failure needs its service and what the world misses because of it",
            )
            .at_path(format!("failures[{i}]")));
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"schema":"iamwhy.collection/1","tool":"iamwhy 0.1.0",
      "startedAt":"2026-12-01T10:00:00Z","finishedAt":"2026-12-01T10:02:13Z",
      "caller":"arn:aws:sts::999999999999:assumed-role/Admin/alice","partition":"aws",
      "organization":null,
      "accounts":[{"id":"111111111111","via":null,"regions":["eu-west-1"],"services":["iam","sqs"]}],
      "failures":[{"account":"111111111111","region":"eu-west-1","service":"sqs",
        "operation":"GetQueueAttributes","resource":"arn:aws:sqs:eu-west-1:111111111111:orders",
        "errorCode":"AccessDenied","message":"no","missing":"the policy of queue orders"}]}"#;

    #[test]
    fn the_agreed_example_parses() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.accounts[0].services, ["iam", "sqs"]);
        assert_eq!(c.failures[0].error_code, "AccessDenied");
        assert_eq!(c.organization, None);
    }

    #[test]
    fn another_schema_version_is_a_clear_error() {
        let text = GOOD.replace("iamwhy.collection/1", "iamwhy.collection/2");
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.starts_with("collection.json: at schema: "), "{e}");
        assert!(
            e.contains("\"iamwhy.collection/2\" is not supported"),
            "{e}"
        );
        let e = parse(r#"{"accounts":[],"failures":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"schema\" is missing"), "{e}");
        let e = parse(r#"{"schema":1}"#).unwrap_err().to_string();
        assert!(e.contains("must be the string"), "{e}");
    }

    #[test]
    fn a_misspelt_field_is_an_error_not_a_silently_empty_list() {
        let text = GOOD.replace("\"failures\"", "\"failure\"");
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("unknown field `failure`"), "{e}");
        assert!(e.contains("collection.json:"), "{e}");
    }

    #[test]
    fn bad_account_ids_are_located() {
        let text = GOOD.replace("\"account\":\"111111111111\"", "\"account\":\"1111\"");
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("at failures[0].account"), "{e}");
    }
}
