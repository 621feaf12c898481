//! Small value types of the catalog: access levels and condition key types.

use std::fmt;

/// The access level the Service Authorization Reference gives an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// Lists resources (`s3:ListAllMyBuckets`).
    List,
    /// Reads resources or their metadata (`s3:GetObject`).
    Read,
    /// Creates, changes or deletes resources (`s3:PutObject`).
    Write,
    /// Grants or changes permissions (`iam:AttachRolePolicy`, `s3:PutBucketPolicy`).
    PermissionsManagement,
    /// Changes only tags (`iam:TagRole`).
    Tagging,
}

impl AccessLevel {
    /// The name as AWS documents it: `List`, `Read`, `Write`, `Permissions management`,
    /// `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// Decodes the one-letter code of the data file (`L`, `R`, `W`, `P`, `T`).
    pub(crate) fn from_code(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data type of a condition key, as the Service Authorization Reference names it.
/// `ArrayOf...` types are multivalued (they need a `ForAllValues`/`ForAnyValue` qualifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConditionKeyType {
    /// `String`.
    String,
    /// `ARN`.
    Arn,
    /// `Bool`.
    Bool,
    /// `Numeric`.
    Numeric,
    /// `Date`.
    Date,
    /// `IPAddress`.
    IpAddress,
    /// `Binary`.
    Binary,
    /// `ArrayOfString`.
    ArrayOfString,
    /// `ArrayOfARN`.
    ArrayOfArn,
    /// `ArrayOfBool`.
    ArrayOfBool,
    /// `ArrayOfNumeric`.
    ArrayOfNumeric,
    /// `ArrayOfDate`.
    ArrayOfDate,
    /// `ArrayOfIPAddress`.
    ArrayOfIpAddress,
    /// `ArrayOfBinary`.
    ArrayOfBinary,
}

impl ConditionKeyType {
    /// Every type, in declaration order.
    pub const ALL: [ConditionKeyType; 14] = [
        ConditionKeyType::String,
        ConditionKeyType::Arn,
        ConditionKeyType::Bool,
        ConditionKeyType::Numeric,
        ConditionKeyType::Date,
        ConditionKeyType::IpAddress,
        ConditionKeyType::Binary,
        ConditionKeyType::ArrayOfString,
        ConditionKeyType::ArrayOfArn,
        ConditionKeyType::ArrayOfBool,
        ConditionKeyType::ArrayOfNumeric,
        ConditionKeyType::ArrayOfDate,
        ConditionKeyType::ArrayOfIpAddress,
        ConditionKeyType::ArrayOfBinary,
    ];

    /// The AWS spelling: `String`, `ARN`, `IPAddress`, `ArrayOfString`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionKeyType::String => "String",
            ConditionKeyType::Arn => "ARN",
            ConditionKeyType::Bool => "Bool",
            ConditionKeyType::Numeric => "Numeric",
            ConditionKeyType::Date => "Date",
            ConditionKeyType::IpAddress => "IPAddress",
            ConditionKeyType::Binary => "Binary",
            ConditionKeyType::ArrayOfString => "ArrayOfString",
            ConditionKeyType::ArrayOfArn => "ArrayOfARN",
            ConditionKeyType::ArrayOfBool => "ArrayOfBool",
            ConditionKeyType::ArrayOfNumeric => "ArrayOfNumeric",
            ConditionKeyType::ArrayOfDate => "ArrayOfDate",
            ConditionKeyType::ArrayOfIpAddress => "ArrayOfIPAddress",
            ConditionKeyType::ArrayOfBinary => "ArrayOfBinary",
        }
    }

    /// Parses the AWS spelling (exact case, as in the data); `None` for anything else.
    pub fn parse(s: &str) -> Option<ConditionKeyType> {
        ConditionKeyType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether the key is multivalued (an `ArrayOf...` type).
    pub fn is_array(self) -> bool {
        self != self.element()
    }

    /// The element type: `ArrayOfString` → `String`; single-valued types map to themselves.
    pub fn element(self) -> ConditionKeyType {
        match self {
            ConditionKeyType::ArrayOfString => ConditionKeyType::String,
            ConditionKeyType::ArrayOfArn => ConditionKeyType::Arn,
            ConditionKeyType::ArrayOfBool => ConditionKeyType::Bool,
            ConditionKeyType::ArrayOfNumeric => ConditionKeyType::Numeric,
            ConditionKeyType::ArrayOfDate => ConditionKeyType::Date,
            ConditionKeyType::ArrayOfIpAddress => ConditionKeyType::IpAddress,
            ConditionKeyType::ArrayOfBinary => ConditionKeyType::Binary,
            single => single,
        }
    }
}

impl fmt::Display for ConditionKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ConditionKeyType;

    #[test]
    fn type_names_round_trip() {
        for t in ConditionKeyType::ALL {
            assert_eq!(ConditionKeyType::parse(t.as_str()), Some(t));
            assert_eq!(t.is_array(), t.as_str().starts_with("ArrayOf"));
            assert!(!t.element().is_array());
        }
        assert_eq!(ConditionKeyType::parse("string"), None);
    }
}
