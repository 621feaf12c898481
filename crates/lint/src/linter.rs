//! The linter: the catalog lookups built once, and the entry points that check one policy
//! document (grammar first, then the catalog-aware and engine-backed checks).

use crate::checks;
use crate::finding::Finding;
use crate::grammar::{self, Origin};
use crate::index::CatalogIndex;
use crate::resource_types::ResourceTypeSpec;
use iamwhy_policy::validate::validate;
use iamwhy_policy::{PolicyDocument, PolicyType};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What the linter knows about a policy besides its text.
#[derive(Debug, Clone, Copy)]
pub struct PolicyContext<'a> {
    /// The type the policy is used as.
    pub policy_type: PolicyType,
    /// For resource-based policies: the resource type it is attached to
    /// (`AWS::S3::Bucket`), which enables the checks of actions and ARNs of other services.
    pub resource_type: Option<&'static ResourceTypeSpec>,
    /// The accounts of the organization (or world), when known: grants to accounts outside it
    /// are reported.
    pub known_accounts: Option<&'a BTreeSet<String>>,
}

impl PolicyContext<'_> {
    /// A policy of this type, nothing else known.
    pub fn of_type(policy_type: PolicyType) -> PolicyContext<'static> {
        PolicyContext {
            policy_type,
            resource_type: None,
            known_accounts: None,
        }
    }
}

/// Checks policy documents. Build one and reuse it: construction indexes the service catalog
/// (a few milliseconds); each document is then checked without rebuilding anything.
pub struct Linter {
    pub(crate) index: CatalogIndex,
}

impl Default for Linter {
    fn default() -> Self {
        Linter::new()
    }
}

impl Linter {
    /// A linter over the embedded service catalog.
    pub fn new() -> Linter {
        Linter {
            index: CatalogIndex::build(iamwhy_catalog::catalog()),
        }
    }

    /// Check policy text (JSON; the caller has already unwrapped JSON-string or URL-encoded
    /// forms, or this function does it, with positions then relative to the decoded text).
    /// Findings are sorted by position, then by type.
    pub fn lint_text(&self, text: &str, ctx: PolicyContext<'_>) -> Vec<Finding> {
        let doc = match PolicyDocument::parse(text) {
            Ok(doc) => doc,
            Err(failure) => {
                return grammar::findings(
                    &failure.diagnostics,
                    Origin::Parse,
                    ctx.policy_type,
                    |_| None,
                    |span| {
                        text.get(span.start as usize..span.end as usize)
                            .unwrap_or("")
                            .to_string()
                    },
                );
            }
        };
        self.lint_document(&Arc::new(doc), ctx)
    }

    /// Check a parsed document.
    pub fn lint_document(&self, doc: &Arc<PolicyDocument>, ctx: PolicyContext<'_>) -> Vec<Finding> {
        let statement_of = |offset: u32| {
            doc.statements()
                .iter()
                .find(|s| s.span.start <= offset && offset < s.span.end)
                .map(|s| s.index)
        };
        let diagnostics = validate(doc, ctx.policy_type);
        let mut out = grammar::findings(
            &diagnostics,
            Origin::Validate,
            ctx.policy_type,
            statement_of,
            |span| doc.text(span).to_string(),
        );
        checks::run(self, doc, ctx, &mut out);
        out.sort_by(|a, b| {
            (a.span.start, a.rule.finding_type, a.rule.code).cmp(&(
                b.span.start,
                b.rule.finding_type,
                b.rule.code,
            ))
        });
        out.dedup_by(|a, b| {
            a.rule.code == b.rule.code && a.span == b.span && a.details == b.details
        });
        out
    }
}
