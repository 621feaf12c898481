//! The lint configuration file (`--config FILE`, JSON): codes to ignore everywhere, the
//! default `--fail-on`, and suppressions of chosen codes in chosen files, policies or
//! statements (by Sid), each with its reason. Policy JSON itself stays untouched, so every
//! suppressed policy remains valid for AWS. Format in docs/lint.md.

use crate::finding::Finding;
use crate::rules::{FindingType, rule};
use crate::source::PolicySource;
use iamwhy_policy::wildcard::Wildcard;
use serde::Deserialize;

/// Why a configuration file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    suppress: Vec<RawSuppression>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuppression {
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    sid: Option<String>,
    #[serde(default)]
    codes: Vec<String>,
    reason: String,
}

/// One suppression: every condition given must hold.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Wildcard over the file path as given on the command line (`policies/legacy/*`).
    pub path: Option<String>,
    /// Wildcard over the policy's JSON path in its file or its name
    /// (`RoleDetailList[*].AssumeRolePolicyDocument`, `trust policy of role Deploy`).
    pub policy: Option<String>,
    /// The statement's Sid, exactly.
    pub sid: Option<String>,
    /// The codes suppressed; empty means every code.
    pub codes: Vec<&'static str>,
    /// Why (required, shown by nothing but kept for reviewers).
    pub reason: String,
    path_glob: Option<Wildcard>,
    policy_glob: Option<Wildcard>,
}

/// A parsed configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The threshold for a failing exit, unless `--fail-on` is given.
    pub fail_on: Option<FindingType>,
    /// Codes never reported.
    pub ignore: Vec<&'static str>,
    /// Narrower suppressions.
    pub suppress: Vec<Suppression>,
}

fn known_code(code: &str, what: &str) -> Result<&'static str, ConfigError> {
    rule(code).map(|r| r.code).ok_or_else(|| {
        ConfigError(format!(
            "{what}: \"{code}\" is not a lint code (see docs/lint.md)"
        ))
    })
}

impl Config {
    /// Parse configuration text (`name` for messages).
    pub fn parse(name: &str, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            serde_json::from_str(text).map_err(|e| ConfigError(format!("{name}: {e}")))?;
        let fail_on = match raw.fail_on {
            Some(t) => Some(FindingType::parse(&t).ok_or_else(|| {
                ConfigError(format!(
                    "{name}: fail-on must be error, security, warning or suggestion, not \"{t}\""
                ))
            })?),
            None => None,
        };
        let ignore = raw
            .ignore
            .iter()
            .map(|c| known_code(c, &format!("{name}: ignore")))
            .collect::<Result<_, _>>()?;
        let mut suppress = Vec::new();
        for (i, s) in raw.suppress.into_iter().enumerate() {
            let what = format!("{name}: suppress[{i}]");
            if s.reason.trim().is_empty() {
                return Err(ConfigError(format!("{what}: give a reason")));
            }
            if s.path.is_none() && s.policy.is_none() && s.sid.is_none() && s.codes.is_empty() {
                return Err(ConfigError(format!(
                    "{what}: a suppression needs at least one of path, policy, sid or codes (to ignore a code everywhere, use \"ignore\")"
                )));
            }
            let codes = s
                .codes
                .iter()
                .map(|c| known_code(c, &what))
                .collect::<Result<_, _>>()?;
            suppress.push(Suppression {
                path_glob: s.path.as_deref().map(Wildcard::compile),
                policy_glob: s.policy.as_deref().map(Wildcard::compile),
                path: s.path,
                policy: s.policy,
                sid: s.sid,
                codes,
                reason: s.reason,
            });
        }
        Ok(Config {
            fail_on,
            ignore,
            suppress,
        })
    }

    /// Read a configuration file.
    pub fn load(path: &std::path::Path) -> Result<Config, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{name}: cannot read: {e}")))?;
        Config::parse(&name, &text)
    }

    /// Whether the finding is ignored or suppressed. `sid` is the Sid of its statement.
    pub fn suppresses(&self, source: &PolicySource, finding: &Finding, sid: Option<&str>) -> bool {
        let code = finding.rule.code;
        if self.ignore.contains(&code) {
            return true;
        }
        self.suppress.iter().any(|s| {
            (s.codes.is_empty() || s.codes.contains(&code))
                && s.path_glob
                    .as_ref()
                    .is_none_or(|g| g.matches(&source.file.path.replace('\\', "/")))
                && s.policy_glob.as_ref().is_none_or(|g| {
                    source.json_path.as_deref().is_some_and(|p| g.matches(p))
                        || source.name.as_deref().is_some_and(|n| g.matches(n))
                })
                && s.sid.as_deref().is_none_or(|want| sid == Some(want))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_unknown_codes_and_fields() {
        let c = Config::parse(
            "c",
            r#"{"fail-on": "warning", "ignore": ["MISSING_VERSION"],
                "suppress": [{"path": "legacy/*", "sid": "BreakGlass", "codes": ["IAMWHY_ALLOW_ALL"], "reason": "reviewed"}]}"#,
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(FindingType::Warning));
        assert_eq!(c.ignore, vec!["MISSING_VERSION"]);
        assert!(Config::parse("c", r#"{"ignore": ["NOPE"]}"#).is_err());
        assert!(Config::parse("c", r#"{"ignores": []}"#).is_err());
        assert!(Config::parse("c", r#"{"suppress": [{"sid": "A", "reason": " "}]}"#).is_err());
        assert!(Config::parse("c", r#"{"suppress": [{"reason": "x"}]}"#).is_err());
    }
}
