//! # iamwhy-lint — offline policy checks
//!
//! Checks IAM policy documents the way IAM Access Analyzer's `ValidatePolicy` does, offline:
//! the grammar of each policy type, the service catalog (unknown actions with did-you-mean,
//! ARNs that fit no resource type, condition keys and their types), and security findings
//! that ask the engine (who a statement grants to, what it grants). Findings carry Access
//! Analyzer's finding types and issue codes; [`rules::RULES`] lists every check, and
//! docs/lint.md documents each with a failing and a passing example.
//!
//! ```
//! use iamwhy_lint::{Linter, PolicyContext};
//! use iamwhy_policy::PolicyType;
//! let linter = Linter::new();
//! let findings = linter.lint_text(
//!     r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}"#,
//!     PolicyContext::of_type(PolicyType::Identity),
//! );
//! assert_eq!(findings[0].code(), "INVALID_ACTION");
//! ```
//!
//! Whole files, directories and worlds are read by [`source`] and [`world`], which keep the
//! position of every policy in its file; [`report`] turns the findings into Access Analyzer's
//! JSON shape or SARIF 2.1.0; [`config`] reads suppressions.

mod arnmatch;
mod checks;
mod grammar;
mod index;
mod linter;

pub mod config;
pub mod finding;
pub mod report;
pub mod resource_types;
pub mod rules;
pub mod source;
pub mod world;

pub use config::{Config, ConfigError};
pub use finding::{Finding, PathElement};
pub use linter::{Linter, PolicyContext};
pub use report::{LintRun, LocatedFinding, PolicyReport};
pub use resource_types::{RESOURCE_TYPES, ResourceTypeSpec, resource_type, resource_type_for_arn};
pub use rules::{FindingType, RULES, Rule, rule};
pub use source::{Embedding, PolicySource, SourceFile};
