//! Condition operator names (AWS: condition block shape): `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
//! Names are accepted in any letter case (AWS documents only the canonical case; the parsed
//! operator remembers whether the spelling was canonical so validation can warn).

use serde::Serialize;

/// The base operator of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[allow(missing_docs)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The family of a base operator: decides how values are parsed and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OperatorFamily {
    /// String comparisons.
    String,
    /// Decimal number comparisons.
    Numeric,
    /// Date/time comparisons.
    Date,
    /// `true`/`false`.
    Bool,
    /// Base64 bytes.
    Binary,
    /// IP addresses and CIDR blocks.
    Ip,
    /// ARN comparisons.
    Arn,
    /// Key presence.
    Null,
}

const BASES: &[(&str, BaseOperator)] = &[
    ("StringEquals", BaseOperator::StringEquals),
    ("StringNotEquals", BaseOperator::StringNotEquals),
    (
        "StringEqualsIgnoreCase",
        BaseOperator::StringEqualsIgnoreCase,
    ),
    (
        "StringNotEqualsIgnoreCase",
        BaseOperator::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", BaseOperator::StringLike),
    ("StringNotLike", BaseOperator::StringNotLike),
    ("NumericEquals", BaseOperator::NumericEquals),
    ("NumericNotEquals", BaseOperator::NumericNotEquals),
    ("NumericLessThan", BaseOperator::NumericLessThan),
    ("NumericLessThanEquals", BaseOperator::NumericLessThanEquals),
    ("NumericGreaterThan", BaseOperator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        BaseOperator::NumericGreaterThanEquals,
    ),
    ("DateEquals", BaseOperator::DateEquals),
    ("DateNotEquals", BaseOperator::DateNotEquals),
    ("DateLessThan", BaseOperator::DateLessThan),
    ("DateLessThanEquals", BaseOperator::DateLessThanEquals),
    ("DateGreaterThan", BaseOperator::DateGreaterThan),
    ("DateGreaterThanEquals", BaseOperator::DateGreaterThanEquals),
    ("Bool", BaseOperator::Bool),
    ("BinaryEquals", BaseOperator::BinaryEquals),
    ("IpAddress", BaseOperator::IpAddress),
    ("NotIpAddress", BaseOperator::NotIpAddress),
    ("ArnEquals", BaseOperator::ArnEquals),
    ("ArnLike", BaseOperator::ArnLike),
    ("ArnNotEquals", BaseOperator::ArnNotEquals),
    ("ArnNotLike", BaseOperator::ArnNotLike),
    ("Null", BaseOperator::Null),
];

impl BaseOperator {
    /// The canonical name.
    pub fn name(self) -> &'static str {
        BASES
            .iter()
            .find(|(_, b)| *b == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// Negated operators combine their values as NOR and are true when the key is missing.
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The family.
    pub fn family(self) -> OperatorFamily {
        use BaseOperator::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => OperatorFamily::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OperatorFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OperatorFamily::Date,
            Bool => OperatorFamily::Bool,
            BinaryEquals => OperatorFamily::Binary,
            IpAddress | NotIpAddress => OperatorFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OperatorFamily::Arn,
            Null => OperatorFamily::Null,
        }
    }

    /// Whether policy variables are substituted in this operator's values (AWS: policy variables:
    /// String and Arn operators, and Bool — a documented conflict (docs/spec-notes.md) resolved as
    /// "substitute, then parse").
    pub fn substitutes_variables(self) -> bool {
        matches!(
            self.family(),
            OperatorFamily::String | OperatorFamily::Arn | OperatorFamily::Bool
        )
    }
}

/// A set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum SetQualifier {
    /// `ForAllValues:` — every request value must satisfy the operator (true when none).
    ForAllValues,
    /// `ForAnyValue:` — at least one request value must satisfy the operator.
    ForAnyValue,
}

/// A parsed condition operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ConditionOperator {
    /// `ForAllValues`/`ForAnyValue`, if any.
    pub qualifier: Option<SetQualifier>,
    /// The base operator.
    pub base: BaseOperator,
    /// The `IfExists` suffix: true when the key is missing.
    pub if_exists: bool,
    /// Whether the name was written in AWS's canonical letter case.
    pub canonical_case: bool,
}

/// Why an operator name is not a valid operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperator(pub String);

impl ConditionOperator {
    /// Parse an operator name.
    pub fn parse(name: &str) -> Result<ConditionOperator, UnknownOperator> {
        let mut rest = name;
        let mut canonical = true;
        let mut qualifier = None;
        for (prefix, q) in [
            ("ForAllValues:", SetQualifier::ForAllValues),
            ("ForAnyValue:", SetQualifier::ForAnyValue),
        ] {
            if crate::source::starts_with_ignore_ascii_case(rest, prefix) {
                canonical &= rest.starts_with(prefix);
                qualifier = Some(q);
                rest = &rest[prefix.len()..];
                break;
            }
        }
        let mut if_exists = false;
        const SUFFIX: &str = "IfExists";
        if rest.len() > SUFFIX.len()
            && rest.is_char_boundary(rest.len() - SUFFIX.len())
            && rest[rest.len() - SUFFIX.len()..].eq_ignore_ascii_case(SUFFIX)
        {
            canonical &= rest.ends_with(SUFFIX);
            if_exists = true;
            rest = &rest[..rest.len() - SUFFIX.len()];
        }
        let Some((canon, base)) = BASES.iter().find(|(n, _)| n.eq_ignore_ascii_case(rest)) else {
            return Err(UnknownOperator(format!(
                "\"{name}\" is not a condition operator"
            )));
        };
        canonical &= *canon == rest;
        if *base == BaseOperator::Null && (if_exists || qualifier.is_some()) {
            return Err(UnknownOperator(format!(
                "\"{name}\" is not a condition operator: Null takes neither IfExists nor a set qualifier"
            )));
        }
        Ok(ConditionOperator {
            qualifier,
            base: *base,
            if_exists,
            canonical_case: canonical,
        })
    }

    /// The canonical spelling.
    pub fn canonical_name(&self) -> String {
        let q = match self.qualifier {
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        let s = if self.if_exists { "IfExists" } else { "" };
        format!("{q}{}{s}", self.base.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualifier_base_and_if_exists() {
        let op = ConditionOperator::parse("ForAnyValue:StringNotLikeIfExists").unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringNotLike);
        assert!(op.if_exists && op.canonical_case);
    }

    #[test]
    fn operator_names_are_accepted_in_any_case_but_flagged() {
        let op = ConditionOperator::parse("stringequals").unwrap();
        assert_eq!(op.base, BaseOperator::StringEquals);
        assert!(!op.canonical_case);
    }

    #[test]
    fn unknown_and_null_variants_are_rejected() {
        assert!(ConditionOperator::parse("StringEqualz").is_err());
        assert!(ConditionOperator::parse("NullIfExists").is_err());
        assert!(ConditionOperator::parse("ForAllValues:Null").is_err());
        assert!(ConditionOperator::parse("IfExists").is_err());
    }
}
