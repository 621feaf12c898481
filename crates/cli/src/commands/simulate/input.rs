//! Reading AWS-CLI-style parameter values: `file://` and `fileb://` references, context
//! entries in shorthand (`ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList`)
//! and JSON, and `--cli-input-json`.

use super::AwsCliError;
pub use iamwhy_world::simulator::ContextEntry;
use serde::Deserialize;
use serde_json::Value;

/// Read a parameter value: `file://PATH` / `fileb://PATH` load the file, anything else is the
/// value itself.
/// The most a `file://` parameter may hold (policies are at most a few KiB; this only stops
/// `file:///dev/zero` and the like).
const MAX_PARAMFILE: u64 = 16 << 20;

pub fn load_value(value: &str) -> Result<String, AwsCliError> {
    use std::io::Read;
    for prefix in ["file://", "fileb://"] {
        if let Some(path) = value.strip_prefix(prefix) {
            let fail = |why: String| {
                AwsCliError::Parameter(format!(
                    "Error parsing parameter: Unable to load paramfile {value}: {why}"
                ))
            };
            let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
            let mut bytes = Vec::new();
            file.take(MAX_PARAMFILE + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| fail(e.to_string()))?;
            if bytes.len() as u64 > MAX_PARAMFILE {
                return Err(fail(format!(
                    "the file holds more than {} (iamwhy's limit for a parameter file)",
                    iamwhy_evidence::input::human_size(MAX_PARAMFILE)
                )));
            }
            return String::from_utf8(bytes).map_err(|_| fail("the file is not UTF-8 text".into()));
        }
    }
    Ok(value.to_string())
}

/// Parse `--context-entries` values: each is a JSON list, a JSON object, or one shorthand entry.
pub fn parse_context_entries(values: &[String]) -> Result<Vec<ContextEntry>, AwsCliError> {
    let mut out = Vec::new();
    for raw in values {
        let text = load_value(raw)?;
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') || trimmed.starts_with('{') {
            let v: Value = serde_json::from_str(trimmed).map_err(|e| {
                AwsCliError::Parameter(format!(
                    "Error parsing parameter '--context-entries': Invalid JSON: {e}"
                ))
            })?;
            out.extend(context_entries_from_json(v)?);
        } else {
            out.push(parse_shorthand(trimmed)?.checked()?);
        }
    }
    Ok(out)
}

/// Context entries from a JSON value (a list of entries or one entry).
pub fn context_entries_from_json(v: Value) -> Result<Vec<ContextEntry>, AwsCliError> {
    let items = match v {
        Value::Array(items) => items,
        other => vec![other],
    };
    items
        .into_iter()
        .map(|item| {
            serde_json::from_value::<ContextEntry>(item)
                .map_err(|e| AwsCliError::Parameter(format!("Invalid context entry: {e}")))
                .and_then(ContextEntry::checked)
        })
        .collect()
}

/// `ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=stringList` (values may also be
/// written `[v1,v2]`).
fn parse_shorthand(text: &str) -> Result<ContextEntry, AwsCliError> {
    let mut name = None;
    let mut values: Vec<String> = Vec::new();
    let mut ty = None;
    let mut current: Option<&str> = None;
    for part in text.split(',') {
        if let Some((key, value)) = part.split_once('=')
            && ["ContextKeyName", "ContextKeyValues", "ContextKeyType"].contains(&key.trim())
        {
            current = Some(key.trim());
            let value = value.trim();
            match key.trim() {
                "ContextKeyName" => name = Some(value.to_string()),
                "ContextKeyType" => ty = Some(value.to_string()),
                _ => {
                    let v = value.trim_start_matches('[').trim_end_matches(']');
                    if !v.is_empty() {
                        values.push(v.to_string());
                    }
                }
            }
            continue;
        }
        match current {
            Some("ContextKeyValues") => {
                let v = part.trim().trim_start_matches('[').trim_end_matches(']');
                values.push(v.to_string());
            }
            _ => {
                return Err(AwsCliError::Parameter(format!(
                    "Error parsing parameter '--context-entries': expected ContextKeyName=...,ContextKeyValues=...,ContextKeyType=..., got \"{text}\""
                )));
            }
        }
    }
    Ok(ContextEntry {
        context_key_name: name.ok_or_else(|| {
            AwsCliError::Parameter(
                "Error parsing parameter '--context-entries': missing ContextKeyName".into(),
            )
        })?,
        context_key_values: values,
        context_key_type: ty.ok_or_else(|| {
            AwsCliError::Parameter(
                "Error parsing parameter '--context-entries': missing ContextKeyType".into(),
            )
        })?,
    })
}

/// The `--cli-input-json` keys the simulate commands accept (the API's parameter names).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CliInput {
    pub policy_input_list: Option<Vec<String>>,
    pub permissions_boundary_policy_input_list: Option<Vec<String>>,
    pub ordered_organization_policy_input_list: Option<Vec<OrgLevelInput>>,
    pub action_names: Option<Vec<String>>,
    pub resource_arns: Option<Vec<String>>,
    pub resource_policy: Option<String>,
    pub resource_owner: Option<String>,
    pub caller_arn: Option<String>,
    pub context_entries: Option<Vec<Value>>,
    pub resource_handling_option: Option<String>,
    pub policy_source_arn: Option<String>,
    /// Accepted so that `--generate-cli-skeleton` output loads; results are never paginated
    /// (`IsTruncated` is always false).
    #[allow(dead_code)]
    pub max_items: Option<u32>,
    /// As `MaxItems`.
    #[allow(dead_code)]
    pub marker: Option<String>,
}

/// One level of `OrderedOrganizationPolicyInputList`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgLevelInput {
    /// The SCP documents at that level.
    #[serde(default)]
    pub service_control_policy_input_list: Vec<String>,
}

/// Parse `--cli-input-json` (JSON text or file://).
pub fn parse_cli_input(raw: &str) -> Result<CliInput, AwsCliError> {
    let text = load_value(raw)?;
    serde_json::from_str(&text).map_err(|e| {
        AwsCliError::Parameter(format!("Error parsing parameter 'cli-input-json': {e}"))
    })
}

/// Parse `--ordered-organization-policy-input-list` (JSON list, or file://).
pub fn parse_org_levels(raw: &str) -> Result<Vec<OrgLevelInput>, AwsCliError> {
    let text = load_value(raw)?;
    serde_json::from_str(&text).map_err(|e| {
        AwsCliError::Parameter(format!(
            "Error parsing parameter '--ordered-organization-policy-input-list': expected a JSON list of {{\"ServiceControlPolicyInputList\": [...]}}: {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthand_context_entry_with_list_values() {
        let e = parse_context_entries(&[
            "ContextKeyName=aws:TagKeys,ContextKeyValues=a,b,ContextKeyType=stringList".into(),
        ])
        .unwrap();
        assert_eq!(e[0].context_key_name, "aws:TagKeys");
        assert_eq!(e[0].context_key_values, vec!["a", "b"]);
        assert!(e[0].is_list());
    }

    #[test]
    fn json_context_entries() {
        let e = parse_context_entries(&[
            r#"[{"ContextKeyName":"aws:SourceIp","ContextKeyValues":["10.0.0.1"],"ContextKeyType":"ip"}]"#.into(),
        ])
        .unwrap();
        assert_eq!(e[0].context_key_type, "ip");
    }

    #[test]
    fn unknown_context_type_is_a_parameter_error() {
        let err = parse_context_entries(&[
            "ContextKeyName=k,ContextKeyValues=v,ContextKeyType=text".into(),
        ])
        .unwrap_err();
        assert_eq!(super::super::exit_code(&err), 252);
    }
}
