//! The grammar checks of iamwhy-policy (the parser and [`iamwhy_policy::validate::validate`],
//! which `iamwhy validate` reports) turned into lint findings with Access Analyzer's codes.
//!
//! A few of those diagnostics are replaced by finer lint checks (condition value types,
//! variables, empty lists, resource ARNs) and are dropped here; [`map`] says which. Every code
//! the policy crate emits is listed, and a test reads the policy crate's sources to make sure
//! no new code goes unmapped.

use crate::finding::Finding;
use crate::rules::must;
use iamwhy_diagnostic::Diagnostic;
use iamwhy_policy::PolicyType;

/// Where a diagnostic came from: the parser rejects a document, validation checks a parsed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Parse,
    Validate,
}

/// What becomes of one policy-crate diagnostic code.
pub(crate) enum Mapping {
    /// Reported under this lint code.
    To(&'static str),
    /// Replaced by the lint's own, finer check.
    Replaced,
}

/// The lint code for a policy-crate diagnostic.
pub(crate) fn map(code: &str, origin: Origin, ty: PolicyType, operator: &str) -> Mapping {
    use Mapping::{Replaced, To};
    match (code, origin) {
        ("invalid-json" | "empty-document", _) => To("JSON_SYNTAX_ERROR"),
        ("invalid-encoding", _) => To("IAMWHY_INVALID_ENCODING"),
        ("not-an-object" | "wrong-type", _) => To("DATA_TYPE_MISMATCH"),
        ("duplicate-key", _) => To("IAMWHY_DUPLICATE_KEY"),
        ("invalid-version", _) => To("INVALID_VERSION"),
        ("missing-statement", _) => To("MISSING_STATEMENT"),
        ("unknown-element", _) => To("INVALID_POLICY_ELEMENT"),
        ("invalid-effect", _) => To("INVALID_EFFECT"),
        ("missing-effect", _) => To("MISSING_EFFECT"),
        ("missing-action", _) => To("MISSING_ACTION"),
        ("conflicting-elements", _) => To("UNSUPPORTED_ELEMENT_COMBINATION"),
        ("invalid-principal", Origin::Parse) => To("INVALID_PRINCIPAL_KEY"),
        ("invalid-principal", Origin::Validate) | ("principal-string", _) => {
            To("INVALID_PRINCIPAL_FORMAT")
        }
        ("version-required", _) => To("IAMWHY_VERSION_REQUIRED"),
        ("id-in-identity-policy", _) => To("IAMWHY_ID_IN_IDENTITY_POLICY"),
        ("no-statements", _) => To("IAMWHY_NO_STATEMENTS"),
        ("duplicate-sid", _) => match ty {
            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session => {
                To("UNIQUE_SIDS_RECOMMENDED")
            }
            _ => To("UNIQUE_SIDS_REQUIRED"),
        },
        ("sid-characters", _) => To("UNSUPPORTED_SID"),
        ("principal-not-allowed", _) => To("UNSUPPORTED_PRINCIPAL"),
        ("missing-principal", _) => To("MISSING_PRINCIPAL"),
        ("rcp-allow" | "rcp-principal" | "rcp-action-wildcard" | "notaction-not-allowed", _) => {
            To("IAMWHY_RCP_SYNTAX_ERROR")
        }
        ("notprincipal-not-allowed", _) if ty == PolicyType::Trust => {
            To("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL")
        }
        ("notprincipal-not-allowed", _) => To("IAMWHY_RCP_SYNTAX_ERROR"),
        ("resource-not-allowed", _) => To("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"),
        ("missing-resource", _) => To("MISSING_RESOURCE"),
        ("notprincipal-with-allow", _) => To("ALLOW_WITH_NOT_PRINCIPAL"),
        ("notprincipal", _) => To("IAMWHY_NOTPRINCIPAL_WITH_DENY"),
        ("principal-wildcard", _) if ty == PolicyType::Trust => {
            To("ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL")
        }
        ("principal-wildcard", _) => To("UNSUPPORTED_WILDCARD_IN_PRINCIPAL"),
        ("invalid-action", _) => To("IAMWHY_MALFORMED_ACTION"),
        ("session-short-arn", _) => To("MISSING_ARN_FIELD"),
        ("unknown-operator", _) => To(unknown_operator_code(operator)),
        ("operator-case", _) => To("IAMWHY_OPERATOR_CASE"),
        // Replaced by the lint's own checks: INVALID_ACTION explains commas,
        // EMPTY_ARRAY_* are suggestions (AWS accepts empty lists), INVALID_ARN_PREFIX and
        // MISSING_ARN_FIELD tell the two resource problems apart, the variable and
        // TYPE_MISMATCH_* checks say which rule a value breaks.
        ("comma-in-action" | "empty-list" | "invalid-resource" | "malformed-variable", _)
        | ("invalid-condition-value" | "wildcard-in-stringequals", _) => Replaced,
        // A code added to iamwhy-policy after this table: the test over the policy sources
        // fails first; keep the finding rather than lose it.
        _ => To("INVALID_POLICY_ELEMENT"),
    }
}

/// `NullIfExists` and `ForAllValues:Null` are their own checks; every other unknown operator
/// is INVALID_CONDITION_OPERATOR.
fn unknown_operator_code(operator: &str) -> &'static str {
    let lower = operator.to_ascii_lowercase();
    let base = lower
        .strip_prefix("forallvalues:")
        .or_else(|| lower.strip_prefix("foranyvalue:"));
    match base {
        Some(rest) if rest == "null" || rest == "nullifexists" => "NULL_WITH_QUALIFIER",
        None if lower == "nullifexists" => "NULL_WITH_IF_EXISTS",
        _ => "INVALID_CONDITION_OPERATOR",
    }
}

/// Turn policy-crate diagnostics into findings. `statement_of` gives the statement a byte
/// offset falls in; `operator_at` the condition operator text a span names.
pub(crate) fn findings(
    diagnostics: &[Diagnostic],
    origin: Origin,
    ty: PolicyType,
    statement_of: impl Fn(u32) -> Option<usize>,
    text_of: impl Fn(iamwhy_diagnostic::Span) -> String,
) -> Vec<Finding> {
    diagnostics
        .iter()
        .filter_map(|d| {
            // Policy-crate diagnostics always carry the span they are about.
            let span = d.span().unwrap_or_default();
            let operator = if d.code == "unknown-operator" {
                operator_name(&text_of(span))
            } else {
                String::new()
            };
            let code = match map(d.code, origin, ty, &operator) {
                Mapping::To(code) => code,
                Mapping::Replaced => return None,
            };
            let help = match code {
                "NULL_WITH_IF_EXISTS" => Some("use \"Null\": {\"key\": \"true\"} to test that a key is absent; IfExists has no meaning for Null".to_string()),
                "NULL_WITH_QUALIFIER" => Some("use Null without ForAllValues/ForAnyValue; iamwhy cannot evaluate this operator and treats the condition as unknown".to_string()),
                "UNSUPPORTED_SID" => Some("use only letters and digits (A-Z, a-z, 0-9) in the Sid".to_string()),
                _ => None,
            };
            Some(Finding {
                rule: must(code),
                details: d.message.clone(),
                help,
                span,
                statement: statement_of(span.start),
            })
        })
        .collect()
}

/// The operator name from the text of its span (`"NullIfExists": {...}` → `NullIfExists`).
fn operator_name(text: &str) -> String {
    let t = text.trim_start();
    let t = t.strip_prefix('"').unwrap_or(t);
    t.split('"').next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic code iamwhy-policy's parser and validator can emit, read from their
    /// sources (`self.error("code", ...)`, `self.warn(...)`, `Diagnostic { code: "...", ...}`).
    fn policy_codes() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy/src");
        let mut codes = Vec::new();
        for name in ["parse.rs", "validate.rs"] {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
            for (i, _) in text
                .match_indices("self.error(")
                .chain(text.match_indices("self.warn("))
                .chain(text.match_indices("code: \""))
            {
                let rest = &text[i..];
                let Some(q) = rest.find('"') else { continue };
                let code: String = rest[q + 1..].chars().take_while(|c| *c != '"').collect();
                if !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                    codes.push(code);
                }
            }
        }
        codes.sort();
        codes.dedup();
        codes
    }

    #[test]
    fn every_policy_crate_code_is_mapped_explicitly() {
        let codes = policy_codes();
        assert!(codes.len() >= 30, "found only {codes:?}");
        for code in &codes {
            for origin in [Origin::Parse, Origin::Validate] {
                for ty in PolicyType::ALL {
                    if let Mapping::To(lint) = map(code, origin, ty, "StringEqualz") {
                        let fallback =
                            lint == "INVALID_POLICY_ELEMENT" && code != "unknown-element";
                        assert!(
                            !fallback,
                            "policy code {code} has no lint mapping (it fell through)"
                        );
                        assert!(
                            crate::rules::rule(lint).is_some(),
                            "{code} maps to unknown {lint}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn null_variants_get_their_own_codes() {
        assert_eq!(unknown_operator_code("NullIfExists"), "NULL_WITH_IF_EXISTS");
        assert_eq!(
            unknown_operator_code("ForAllValues:Null"),
            "NULL_WITH_QUALIFIER"
        );
        assert_eq!(
            unknown_operator_code("StringEqualz"),
            "INVALID_CONDITION_OPERATOR"
        );
        assert_eq!(
            operator_name("\"NullIfExists\": {\"a\": 1}"),
            "NullIfExists"
        );
    }
}
