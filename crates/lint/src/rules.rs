//! The catalogue of checks: every issue code the linter can report, with its finding type and
//! a one-line title. Codes that IAM Access Analyzer also reports keep Access Analyzer's
//! spelling; our own codes start with `IAMWHY_`. docs/lint.md documents every code with a
//! failing and a passing example, and a test runs all of them.

use serde::Serialize;

/// The four kinds of finding, as Access Analyzer's policy validation names them, most serious
/// first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingType {
    /// The policy is invalid, or a part of it can never take effect.
    Error,
    /// The policy grants more than it probably should.
    SecurityWarning,
    /// The policy is accepted but probably does not do what its author meant.
    Warning,
    /// The policy could be simpler or clearer.
    Suggestion,
}

impl FindingType {
    /// Every finding type, most serious first.
    pub const ALL: [FindingType; 4] = [
        FindingType::Error,
        FindingType::SecurityWarning,
        FindingType::Warning,
        FindingType::Suggestion,
    ];

    /// Access Analyzer's spelling: `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingType::Error => "ERROR",
            FindingType::SecurityWarning => "SECURITY_WARNING",
            FindingType::Warning => "WARNING",
            FindingType::Suggestion => "SUGGESTION",
        }
    }

    /// The heading docs/lint.md uses for the type.
    pub fn heading(self) -> &'static str {
        match self {
            FindingType::Error => "Error",
            FindingType::SecurityWarning => "Security warning",
            FindingType::Warning => "Warning",
            FindingType::Suggestion => "Suggestion",
        }
    }

    /// Parse `ERROR`, `SECURITY_WARNING`, ... (or the command-line names `error`, `security`,
    /// `warning`, `suggestion`).
    pub fn parse(text: &str) -> Option<FindingType> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(FindingType::Error),
            "security" | "security_warning" | "security-warning" => {
                Some(FindingType::SecurityWarning)
            }
            "warning" => Some(FindingType::Warning),
            "suggestion" => Some(FindingType::Suggestion),
            _ => None,
        }
    }

    /// Whether a finding of this type is at least as serious as `threshold`.
    pub fn at_least(self, threshold: FindingType) -> bool {
        self <= threshold
    }
}

impl std::fmt::Display for FindingType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check: its issue code, the type of its findings and a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// The issue code (`INVALID_ACTION`, `IAMWHY_RESOURCE_MISMATCH`).
    pub code: &'static str,
    /// The finding type every finding of this check has.
    pub finding_type: FindingType,
    /// A short title for rule lists (SARIF `shortDescription`).
    pub title: &'static str,
    /// Whether Access Analyzer's policy validation has a check with this code.
    pub access_analyzer: bool,
}

/// Where docs/lint.md lives in the repository, for links in reports.
pub const DOCS_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/lint.md");

/// Access Analyzer's check reference, which its own `learnMoreLink`s point into.
pub const AWS_REFERENCE_URL: &str =
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html";

impl Rule {
    /// The link to this check's section of docs/lint.md (GitHub's heading anchor: the code in
    /// lower case).
    pub fn docs_url(&self) -> String {
        format!("{DOCS_URL}#{}", self.code.to_ascii_lowercase())
    }

    /// The link to Access Analyzer's description of the same check, if it has one.
    pub fn aws_url(&self) -> Option<String> {
        if !self.access_analyzer {
            return None;
        }
        let kind = match self.finding_type {
            FindingType::Error => "error",
            FindingType::SecurityWarning => "security-warning",
            FindingType::Warning => "general-warning",
            FindingType::Suggestion => "suggestion",
        };
        Some(format!(
            "{AWS_REFERENCE_URL}#access-analyzer-reference-policy-checks-{kind}-{}",
            self.code.to_ascii_lowercase().replace('_', "-")
        ))
    }
}

macro_rules! rules {
    ($($code:literal $ty:ident $aws:literal $title:literal;)*) => {
        /// Every check, grouped by finding type (errors first) and sorted by code within a
        /// group. `RULES[i].code` is unique.
        pub static RULES: &[Rule] = &[
            $(Rule { code: $code, finding_type: FindingType::$ty, title: $title, access_analyzer: $aws },)*
        ];
    };
}

rules! {
    // ---- Errors ----
    "ARN_ACCOUNT_NOT_ALLOWED" Error true "account id in the ARN of a service whose ARNs have none";
    "ARN_REGION_NOT_ALLOWED" Error true "Region in the ARN of a service whose ARNs have none";
    "DATA_TYPE_MISMATCH" Error true "element of the wrong JSON type";
    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE" Error true "condition key repeated with different capitalization";
    "EMPTY_VARIABLE" Error true "empty policy variable ${}";
    "IAMWHY_ACTION_MATCHES_NOTHING" Error false "action wildcard that matches no action";
    "IAMWHY_CONDITION_KEY_WRONG_PREFIX" Error false "condition key under the wrong service prefix";
    "IAMWHY_DUPLICATE_KEY" Error false "JSON key repeated in one object";
    "IAMWHY_INVALID_ENCODING" Error false "policy text that does not decode";
    "IAMWHY_MALFORMED_ACTION" Error false "action that is not service:action";
    "IAMWHY_RCP_SYNTAX_ERROR" Error false "element a resource control policy cannot have";
    "IAMWHY_VERSION_REQUIRED" Error false "SCP or RCP without Version 2012-10-17";
    "INVALID_ACTION" Error true "action that does not exist";
    "INVALID_ARN_ACCOUNT" Error true "ARN account that is not a 12-digit id";
    "INVALID_ARN_PREFIX" Error true "resource that is neither * nor an ARN";
    "INVALID_ARN_REGION" Error true "ARN Region that is not a Region";
    "INVALID_ARN_RESOURCE" Error true "ARN that fits no resource type of its service";
    "INVALID_ARN_SERVICE_CASE" Error true "ARN service not in lower case";
    "INVALID_CONDITION_KEY_FORMAT" Error true "condition key that is not prefix:name";
    "INVALID_CONDITION_MULTIPLE_BOOLEAN" Error true "Bool condition with both true and false";
    "INVALID_CONDITION_OPERATOR" Error true "condition operator that does not exist";
    "INVALID_EFFECT" Error true "Effect other than Allow or Deny";
    "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY" Error true "federated principal that is neither a provider domain nor a provider ARN";
    "INVALID_GLOBAL_CONDITION_KEY" Error true "aws: condition key that does not exist";
    "INVALID_PARTITION" Error true "ARN partition that does not exist";
    "INVALID_POLICY_ELEMENT" Error true "element the policy grammar does not have";
    "INVALID_PRINCIPAL_FORMAT" Error true "principal value of the wrong form";
    "INVALID_PRINCIPAL_KEY" Error true "principal type other than AWS, Service, Federated, CanonicalUser";
    "INVALID_SERVICE" Error true "ARN service that does not exist";
    "INVALID_SERVICE_CONDITION_KEY" Error true "service condition key that does not exist";
    "INVALID_SERVICE_IN_ACTION" Error true "action of a service that does not exist";
    "INVALID_SERVICE_PRINCIPAL_FORMAT" Error true "service principal that is not a service name";
    "INVALID_VARIABLE_FOR_OPERATOR" Error true "policy variable with a non-string operator";
    "INVALID_VERSION" Error true "Version other than 2012-10-17 or 2008-10-17";
    "INVALID_VPCE_FORMAT" Error true "aws:SourceVpce value that is not a vpce- id";
    "INVALID_VPC_FORMAT" Error true "aws:SourceVpc value that is not a vpc- id";
    "JSON_SYNTAX_ERROR" Error true "text that is not JSON";
    "MISMATCHED_ACTION_FOR_PRINCIPAL" Error true "federation action that the principal cannot use";
    "MISSING_ACTION" Error true "statement without Action or NotAction";
    "MISSING_ARN_FIELD" Error true "ARN with fewer than six fields where they are required";
    "MISSING_BRACE_IN_VARIABLE" Error true "policy variable without its closing brace";
    "MISSING_EFFECT" Error true "statement without Effect";
    "MISSING_PRINCIPAL" Error true "statement without Principal where it is required";
    "MISSING_QUALIFIER" Error true "multivalued condition key without ForAllValues or ForAnyValue";
    "MISSING_RESOURCE" Error true "statement without Resource or NotResource";
    "MISSING_STATEMENT" Error true "policy without Statement";
    "MISSING_TAG_KEY_IN_CONDITION" Error true "tag condition key without a tag key";
    "NULL_WITH_IF_EXISTS" Error true "Null operator with IfExists";
    "PRIVATE_IP_ADDRESS" Error true "aws:SourceIp with only private addresses";
    "PRIVATE_NOT_IP_ADDRESS" Error true "NotIpAddress on aws:SourceIp with only private addresses";
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL" Error true "NotPrincipal in a role trust policy";
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE" Error true "Resource in a role trust policy";
    "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL" Error true "wildcard inside a principal ARN of a trust policy";
    "UNIQUE_SIDS_REQUIRED" Error true "Sid repeated where Sids must be unique";
    "UNSUPPORTED_ACTION_IN_POLICY" Error true "action of another service in a resource policy";
    "UNSUPPORTED_ELEMENT_COMBINATION" Error true "element together with its Not form";
    "UNSUPPORTED_GLOBAL_CONDITION_KEY" Error true "aws:ARN condition key";
    "UNSUPPORTED_PRINCIPAL" Error true "Principal in a policy type that has none";
    "UNSUPPORTED_RESOURCE_ARN_IN_POLICY" Error true "ARN of another service in a resource policy";
    "UNSUPPORTED_SID" Error true "Sid with characters other than letters and digits";
    "UNSUPPORTED_SPACE_IN_VARIABLE" Error true "space inside a policy variable name";
    "UNSUPPORTED_WILDCARD_IN_PRINCIPAL" Error true "wildcard inside a principal ARN";
    "VARIABLE_UNSUPPORTED_IN_ELEMENT" Error true "policy variable outside Resource and Condition";
    "VARIABLE_UNSUPPORTED_IN_VERSION" Error true "policy variable in a policy without Version 2012-10-17";
    // ---- Security warnings ----
    "ALLOW_WITH_NOT_PRINCIPAL" SecurityWarning true "Allow with NotPrincipal";
    "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE" SecurityWarning true "Deny with NotAction and a tag key some services ignore";
    "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE" SecurityWarning true "Deny on a tag key a listed service does not support";
    "FORALLVALUES_WITH_SINGLE_VALUED_KEY" SecurityWarning true "ForAllValues on a single-valued key";
    "IAMWHY_ALLOW_ALL" SecurityWarning false "Allow of every action on every resource";
    "IAMWHY_ALLOW_WITH_NOT_ACTION" SecurityWarning false "Allow with NotAction";
    "IAMWHY_ALLOW_WITH_NOT_RESOURCE" SecurityWarning false "Allow with NotResource";
    "IAMWHY_EXTERNAL_ACCOUNT_ACCESS" SecurityWarning false "grant to an account outside the organization";
    "IAMWHY_PRIVILEGE_ESCALATION" SecurityWarning false "actions that let a principal raise its own permissions";
    "IAMWHY_PUBLIC_ACCESS" SecurityWarning false "grant to everyone without a restricting condition";
    "IAMWHY_SAML_TRUST_WITHOUT_AUDIENCE" SecurityWarning false "SAML trust without a SAML:aud condition";
    "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL" SecurityWarning true "OIDC trust without a condition on the provider's keys";
    "MISSING_GITHUB_REPO_CONDITION_KEY" SecurityWarning true "GitHub Actions trust without token.actions.githubusercontent.com:sub";
    "MISSING_PAIRED_CONDITION_KEYS" SecurityWarning true "aws:VpcSourceIp without aws:SourceVpc or aws:SourceVpce";
    "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE" SecurityWarning true "iam:PassRole through NotAction and NotResource";
    "PASS_ROLE_WITH_NOT_RESOURCE" SecurityWarning true "iam:PassRole with NotResource";
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE" SecurityWarning true "iam:PassRole through an action wildcard, with NotResource";
    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" SecurityWarning true "iam:PassRole through an action wildcard, on a resource wildcard";
    "PASS_ROLE_WITH_STAR_IN_RESOURCE" SecurityWarning true "iam:PassRole on a resource wildcard";
    "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION" SecurityWarning true "iam:PassRole through NotAction, on a resource wildcard";
    "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL" SecurityWarning true "service principal without aws:SourceArn or aws:SourceAccount";
    // ---- Warnings ----
    "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE" Warning true "iam:CreateServiceLinkedRole through NotAction and NotResource";
    "CREATE_SLR_WITH_NOT_RESOURCE" Warning true "iam:CreateServiceLinkedRole with NotResource";
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE" Warning true "iam:CreateServiceLinkedRole through an action wildcard, with NotResource";
    "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE" Warning true "iam:CreateServiceLinkedRole through an action wildcard, on a resource wildcard";
    "CREATE_SLR_WITH_STAR_IN_RESOURCE" Warning true "iam:CreateServiceLinkedRole on a resource wildcard";
    "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION" Warning true "iam:CreateServiceLinkedRole through NotAction, on a resource wildcard";
    "IAMWHY_CONDITION_KEY_UNSUPPORTED" Warning false "condition key that no action of the statement supports";
    "IAMWHY_ID_IN_IDENTITY_POLICY" Warning false "Id element in an identity-based policy";
    "IAMWHY_NOTPRINCIPAL_WITH_DENY" Warning false "Deny with NotPrincipal";
    "IAMWHY_NO_STATEMENTS" Warning false "policy with an empty Statement list";
    "IAMWHY_OPERATOR_CASE" Warning false "condition operator not in AWS's letter case";
    "IAMWHY_RESOURCE_MISMATCH" Warning false "action that none of the statement's resources can be";
    "IAMWHY_UNDOCUMENTED_CONDITION_KEY" Warning false "condition key only AWS's own policies use";
    "IAMWHY_UNKNOWN_RESOURCE_TYPE" Warning false "ARN of a resource type the service catalog does not have";
    "IAMWHY_WILDCARD_ONLY_ACTION_WITH_RESOURCE" Warning false "action that takes only \"*\", given specific resources";
    "INVALID_DATE_VALUE" Warning true "date given as epoch seconds";
    "MISSING_VERSION" Warning true "policy without Version";
    "NULL_WITH_QUALIFIER" Warning true "Null operator with ForAllValues or ForAnyValue";
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED" Warning true "wildcard in token.actions.githubusercontent.com:sub";
    "TYPE_MISMATCH" Warning true "operator of the wrong type for the condition key";
    "TYPE_MISMATCH_BOOLEAN" Warning true "Bool or Null value other than true or false";
    "TYPE_MISMATCH_DATE" Warning true "Date operator value that is not a date";
    "TYPE_MISMATCH_IP_RANGE" Warning true "IP operator value that is not an address or CIDR block";
    "TYPE_MISMATCH_NUMBER" Warning true "Numeric operator value that is not a number";
    "TYPE_MISMATCH_STRING" Warning true "BinaryEquals value that is not base64";
    "UNIQUE_SIDS_RECOMMENDED" Warning true "Sid repeated in an identity-based policy";
    "WILDCARD_WITHOUT_LIKE_OPERATOR" Warning true "wildcard in the value of an Equals operator";
    // ---- Suggestions ----
    "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE" Suggestion true "Allow with NotAction and a tag key some services ignore";
    "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE" Suggestion true "Allow on a tag key a listed service does not support";
    "EMPTY_ARRAY_ACTION" Suggestion true "empty Action list";
    "EMPTY_ARRAY_CONDITION" Suggestion true "condition key with an empty list of values";
    "EMPTY_ARRAY_CONDITION_FORALLVALUES" Suggestion true "ForAllValues condition with an empty list of values";
    "EMPTY_ARRAY_CONDITION_FORANYVALUE" Suggestion true "ForAnyValue condition with an empty list of values";
    "EMPTY_ARRAY_CONDITION_IFEXISTS" Suggestion true "IfExists condition with an empty list of values";
    "EMPTY_ARRAY_PRINCIPAL" Suggestion true "principal type with an empty list";
    "EMPTY_ARRAY_RESOURCE" Suggestion true "empty Resource list";
    "EMPTY_OBJECT_CONDITION" Suggestion true "empty Condition or operator block";
    "EMPTY_OBJECT_PRINCIPAL" Suggestion true "empty Principal object";
    "EMPTY_SID_VALUE" Suggestion true "empty Sid";
    "IAMWHY_UNUSED_RESOURCE" Suggestion false "resource that no action of the statement applies to";
    "IMPROVE_IP_RANGE" Suggestion true "CIDR block with host bits set";
    "PRIVATE_IP_ADDRESS_SUBSET" Suggestion true "aws:SourceIp mixing private and public addresses";
    "PRIVATE_NOT_IP_ADDRESS_SUBSET" Suggestion true "NotIpAddress on aws:SourceIp mixing private and public addresses";
    "REDUNDANT_ACTION" Suggestion true "action already covered by another in the statement";
    "REDUNDANT_CONDITION_VALUE_NUM" Suggestion true "several values for a numeric comparison";
    "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY" Suggestion true "role session listed beside its role";
    "REDUNDANT_RESOURCE" Suggestion true "resource already covered by another in the statement";
    "REDUNDANT_STATEMENT" Suggestion true "statement identical to another";
    "WILDCARD_IN_SERVICE_NAME" Suggestion true "wildcard in the service of an ARN";
}

/// The rule with this code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The rule with this code; for codes the linter itself uses (a missing one is a defect that
/// the tests catch).
pub(crate) fn must(code: &'static str) -> &'static Rule {
    match rule(code) {
        Some(r) => r,
        None => panic!("lint rule {code} is used but not in RULES"),
    }
}

/// The static code of a rule named at run time (`PASS_ROLE_` + a suffix).
pub(crate) fn must_dynamic(code: &str) -> &'static str {
    match rule(code) {
        Some(r) => r.code,
        None => panic!("lint rule {code} is used but not in RULES"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_upper_snake_and_grouped_by_type() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.code), "{} twice", r.code);
            assert!(
                r.code
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{}",
                r.code
            );
            assert_eq!(
                r.access_analyzer,
                !r.code.starts_with("IAMWHY_"),
                "{}",
                r.code
            );
        }
        for w in RULES.windows(2) {
            assert!(
                (w[0].finding_type, w[0].code) < (w[1].finding_type, w[1].code),
                "{} then {}",
                w[0].code,
                w[1].code
            );
        }
    }

    #[test]
    fn finding_types_order_from_error_to_suggestion() {
        assert!(FindingType::Error.at_least(FindingType::Warning));
        assert!(!FindingType::Suggestion.at_least(FindingType::Warning));
        assert!(FindingType::SecurityWarning.at_least(FindingType::SecurityWarning));
        assert_eq!(
            FindingType::parse("security"),
            Some(FindingType::SecurityWarning)
        );
    }

    #[test]
    fn aws_links_use_access_analyzers_anchors() {
        let r = rule("PASS_ROLE_WITH_STAR_IN_RESOURCE").unwrap();
        assert!(r.aws_url().unwrap().ends_with(
            "#access-analyzer-reference-policy-checks-security-warning-pass-role-with-star-in-resource"
        ));
        assert!(rule("IAMWHY_ALLOW_ALL").unwrap().aws_url().is_none());
    }
}
